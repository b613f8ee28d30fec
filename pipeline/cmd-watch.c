/* cmd-watch.c — the commands of the watched inbox: watch, status, retry,
 * and the hidden "worker" that kho watch runs. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "config.h"
#include "index/queue.h"
#include "pipeline/cli.h"
#include "pipeline/document.h"
#include "pipeline/watch.h"

/* --- kho watch --- */

int
cli_command_watch (int argc, char **argv)
{
  static char *inbox = NULL;
  static int workers = 0;
  static const GOptionEntry entries[] = {
    { "inbox", 'i', 0, G_OPTION_ARG_FILENAME, &inbox,
      N_("Folder to watch (default: the archive's, ARCHIVE/inbox)"), N_("DIR") },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &workers,
      N_("Worker processes (default: one per core)"), "N" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autofree char *self = NULL;
  KhoWatchOptions options = { 0 };

  if (!cli_parse_options ("watch", "",
                          N_("Archive every file that lands in the inbox folder and its "
                             "subfolders, until stopped (SIGTERM or Ctrl-C)."),
                          entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      cli_print_error (_("watch: takes no file names; give the folder with --inbox"));
      return EXIT_USAGE;
    }
  archive = kho_archive_init (cli_archive_path (), NULL, &error);
  if (archive == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  self = g_file_read_link ("/proc/self/exe", NULL);
  options.inbox = inbox;
  options.workers = workers;
  options.self = self ? self : argv[0];
  if (!kho_watch_run (archive, &options, &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

int
cli_command_worker (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  KhoRunnerOptions options;

  if (!cli_parse_options ("worker", "", N_("Run jobs of the queue (started by kho watch)."),
                          NULL, FALSE, &argc, &argv))
    return EXIT_USAGE;
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  kho_runner_options_init (&options);
  if (!kho_worker_run (archive, &options, &error))
    {
      cli_print_error (error->message);
      return 3;
    }
  return EXIT_SUCCESS;
}

/* --- kho status --- */

static const char *
stage_label (const char *stage)
{
  if (g_strcmp0 (stage, "intake") == 0)
    return _("intake");
  if (g_strcmp0 (stage, "ocr") == 0)
    return _("OCR");
  if (g_strcmp0 (stage, "classify") == 0)
    return _("classification");
  if (g_strcmp0 (stage, "assemble") == 0)
    return _("PDF/A");
  if (g_strcmp0 (stage, "index") == 0)
    return _("indexing");
  return stage;
}

static gboolean
is_alive (int pid)
{
  return pid > 0 && (kill (pid, 0) == 0 || errno == EPERM);
}

static void
status_json (const char *inbox, gboolean watching, GArray *pids, const KhoQueueCounts *counts,
             GHashTable *stages, double pages_per_minute, gint64 documents, GPtrArray *quarantine,
             GPtrArray *running)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "watching");
  json_builder_add_boolean_value (b, watching);
  json_builder_set_member_name (b, "inbox");
  json_builder_add_string_value (b, inbox);
  json_builder_set_member_name (b, "workers");
  json_builder_begin_array (b);
  for (guint i = 0; watching && i < pids->len; i++)
    {
      int pid = g_array_index (pids, int, i);

      if (!is_alive (pid))
        continue;
      json_builder_begin_object (b);
      kho_json_add_int (b, "pid", pid);
      json_builder_set_member_name (b, "job");
      for (guint j = 0; j < running->len; j++)
        if (((KhoJob *) running->pdata[j])->worker == pid)
          {
            json_builder_add_int_value (b, ((KhoJob *) running->pdata[j])->id);
            goto next;
          }
      json_builder_add_null_value (b);
    next:
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "jobs");
  json_builder_begin_object (b);
#define COUNT(name) json_builder_set_member_name (b, #name); \
                    json_builder_add_int_value (b, counts->name)
  COUNT (queued);
  COUNT (waiting);
  COUNT (running);
  COUNT (done);
  COUNT (failed);
  COUNT (quarantined);
  COUNT (gone);
  COUNT (orphaned);
#undef COUNT
  json_builder_end_object (b);
  json_builder_set_member_name (b, "stages");
  json_builder_begin_object (b);
  for (int i = 0; i < KHO_N_STAGES; i++)
    {
      kho_json_add_int (b, kho_stages[i],
                        GPOINTER_TO_INT (g_hash_table_lookup (stages, kho_stages[i])));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "pages_per_minute");
  json_builder_add_double_value (b, pages_per_minute);
  kho_json_add_int (b, "documents", documents);
  json_builder_set_member_name (b, "quarantine");
  json_builder_begin_array (b);
  for (guint i = 0; i < quarantine->len; i++)
    {
      KhoJob *job = quarantine->pdata[i];

      json_builder_begin_object (b);
      kho_json_add_int (b, "job", job->id);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, job->name);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, job->quarantine);
      json_builder_set_member_name (b, "stage");
      json_builder_add_string_value (b, job->stage);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, job->error);
      kho_json_add_int (b, "attempts", job->attempts);
      kho_json_add_int (b, "orphaned", job->orphaned);
      json_builder_set_member_name (b, "time");
      json_builder_add_string_value (b, job->updated);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  cli_print_json (root, TRUE);
}

static gint64
count_archived (KhoArchive *archive)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  if (sqlite3_prepare_v2 (kho_db_handle (archive->db),
                          "SELECT count(*) FROM documents WHERE status = 'archived'", -1, &stmt,
                          NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

int
cli_command_status (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GArray) pids = NULL;
  g_autoptr (GHashTable) stages = NULL;
  g_autoptr (GPtrArray) quarantine = NULL;
  g_autoptr (GPtrArray) running = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *inbox = NULL;
  KhoQueueCounts counts;
  gboolean watching;
  gint64 pages, documents;
  double per_minute;
  int alive = 0;

  if (!cli_parse_options ("status", "",
                          N_("Show the files waiting and in each stage, the workers, the speed "
                             "over the last hour and the quarantine."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  watching = kho_watch_is_running (archive);
  inbox = kho_watch_inbox (archive);
  pids = kho_queue_workers (archive->db, &error);
  stages = pids ? kho_queue_running_stages (archive->db, &error) : NULL;
  quarantine = stages ? kho_queue_list (archive->db, "quarantined", NULL, &error) : NULL;
  running = quarantine ? kho_queue_list (archive->db, "running", NULL, &error) : NULL;
  pages = running ? kho_db_pages_archived_since (archive->db, 3600, &error) : -1;
  if (pages < 0 || !kho_queue_counts (archive->db, &counts, &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  per_minute = (double) (pages * 100 / 60) / 100.0;  /* two decimals */
  documents = count_archived (archive);
  if (cli_json)
    {
      status_json (inbox, watching, pids, &counts, stages, per_minute, documents, quarantine,
                   running);
      return EXIT_SUCCESS;
    }

  for (guint i = 0; watching && i < pids->len; i++)
    alive += is_alive (g_array_index (pids, int, i));
  if (watching)
    printf (ngettext ("kho watch is running with %d worker.\n",
                      "kho watch is running with %d workers.\n", (unsigned long) alive),
            alive);
  else
    printf (_("kho watch is not running.\n"));
  printf (_("Inbox: %s\n"), inbox);
  printf (_("Waiting: %d   Waiting to be tried again: %d   Being processed: %d\n"),
          counts.queued, counts.waiting, counts.running);
  if (counts.orphaned > 0)
    printf (_("  of which taken up again after kho stopped while processing them: %d\n"),
            counts.orphaned);
  if (counts.running > 0)
    {
      printf ("  ");
      for (int i = 0; i < KHO_N_STAGES; i++)
        printf ("%s: %d%s", stage_label (kho_stages[i]),
                GPOINTER_TO_INT (g_hash_table_lookup (stages, kho_stages[i])),
                i + 1 < KHO_N_STAGES ? "   " : "\n");
    }
  {
    g_autofree char *done = cli_count_text (counts.done);
    g_autofree char *archived = cli_count_text (documents);

    printf (_("Done: %s   In quarantine: %d   Documents in the archive: %s\n"), done,
            counts.quarantined, archived);
  }
  rate = cli_decimal_text (per_minute, 1);
  printf (_("Speed over the last hour: %s pages a minute\n"), rate);
  if (quarantine->len > 0)
    {
      printf (_("Quarantine (kho retry JOB puts a file back):\n"));
      for (guint i = 0; i < quarantine->len; i++)
        {
          KhoJob *job = quarantine->pdata[i];
          g_autofree char *when = cli_display_date (job->updated);

          printf ("  %-5" G_GINT64_FORMAT " %s  %s  [%s] %s\n", job->id, when, job->name,
                  stage_label (job->stage), job->error ? job->error : "");
        }
    }
  return EXIT_SUCCESS;
}

/* --- kho retry --- */

int
cli_command_retry (int argc, char **argv)
{
  static gboolean all_failed = FALSE;
  static const GOptionEntry entries[] = {
    { "all-failed", 0, 0, G_OPTION_ARG_NONE, &all_failed,
      N_("Put back every file in quarantine"), NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int failed = 0;

  if (!cli_parse_options ("retry", N_("[JOB…]"),
                          N_("Move quarantined files back to the inbox to be processed again "
                             "(the job numbers are those of kho status)."),
                          entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if ((argc < 2) == !all_failed)
    {
      cli_print_error (_("retry: give job numbers or --all-failed"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (all_failed)
    {
      g_autoptr (GPtrArray) jobs = kho_queue_list (archive->db, "quarantined", NULL, &error);

      if (jobs == NULL)
        {
          cli_print_error (error->message);
          return EXIT_FAILURE;
        }
      for (guint i = 0; i < jobs->len; i++)
        g_array_append_val (ids, ((KhoJob *) jobs->pdata[i])->id);
    }
  for (int i = 1; i < argc; i++)
    {
      char *end = NULL;
      gint64 id = g_ascii_strtoll (argv[i], &end, 10);

      if (end == argv[i] || *end || id <= 0)
        {
          g_autofree char *message = g_strdup_printf (_("retry: “%s” is not a job number"),
                                                      argv[i]);
          cli_print_error (message);
          return EXIT_USAGE;
        }
      g_array_append_val (ids, id);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr (KhoJob) job = NULL;

      if (!kho_retry (archive, id, &error))
        {
          cli_print_error (error->message);
          g_clear_error (&error);
          failed++;
          continue;
        }
      job = kho_queue_get (archive->db, id, NULL);
      printf (_("job %lld: %s is back in the queue\n"), (long long) id,
              job ? job->source : "");
    }
  if (ids->len == 0)
    printf (_("Nothing in quarantine.\n"));
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
