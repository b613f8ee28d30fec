/* main.c — the kho command line: init, ingest, search, show, get.
 *
 * The only file that prints to stdout.  Every command takes --archive DIR
 * (or $KHO_ARCHIVE, default ./kho-archive); those that print results take
 * --json.  Exit status: 0 success, 1 some input or lookup failed, 2 usage.
 *
 * Messages are in Vietnamese unless English is asked for (--lang, $KHO_LANG
 * or the locale: see choose_language); this file alone sets the locale and
 * the text domain, the other modules only mark their strings.
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "index/audit.h"
#include "index/db.h"
#include "index/queue.h"
#include "index/fields.h"
#include "index/search.h"
#include "pipeline/archive.h"
#include "pipeline/cli.h"
#include "pipeline/document.h"
#include "pipeline/runner.h"
#include "store/originals.h"


static char *opt_archive = NULL;
static char *opt_lang = NULL;   /* --lang after the command: already read by main */
gboolean cli_json = FALSE;

static const GOptionEntry common_entries[] = {
  { "archive", 'a', 0, G_OPTION_ARG_FILENAME, &opt_archive,
    N_("Archive folder (default: $KHO_ARCHIVE or ./kho-archive)"), N_("DIR") },
  { "lang", 0, 0, G_OPTION_ARG_STRING, &opt_lang,
    N_("Language of messages: vi or en (default: $KHO_LANG, else Vietnamese)"), "vi|en" },
  { NULL }
};

static const GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &cli_json, N_("Print results as JSON"), NULL },
  { NULL }
};

const char *
cli_archive_path (void)
{
  const char *env = g_getenv ("KHO_ARCHIVE");

  if (opt_archive)
    return opt_archive;
  return env && *env ? env : "kho-archive";
}

void
cli_print_error (const char *message)
{
  fprintf (stderr, "kho: %s\n", message);
}

/* Parses the command's options; prints usage and returns FALSE on error. */
gboolean
cli_parse_options (const char *command, const char *parameters, const char *summary,
               const GOptionEntry *entries, gboolean with_json, int *argc, char ***argv)
{
  g_autofree char *title = g_strdup_printf ("%s %s", command, *parameters ? _(parameters) : "");
  g_autoptr (GOptionContext) context = g_option_context_new (title);
  g_autoptr (GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (entries)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, common_entries, NULL);
  if (with_json)
    g_option_context_add_main_entries (context, json_entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "kho %s: %s\n", command, error->message);
      fprintf (stderr, _("Try “kho %s --help”.\n"), command);
      return FALSE;
    }
  return TRUE;
}

KhoArchive *
cli_open_archive (void)
{
  g_autoptr (GError) error = NULL;
  KhoArchive *archive = kho_archive_open (cli_archive_path (), &error);

  if (archive == NULL)
    cli_print_error (error->message);
  return archive;
}

void
cli_print_json (JsonNode *node, gboolean pretty)
{
  g_autofree char *text = json_to_string (node, pretty);

  printf ("%s\n", text);
  fflush (stdout);
}

int
cli_run_subcommand (const CliSubcommand *subcommands, gsize n_subcommands,
                    void (*usage) (FILE *out), const char *unknown, int argc, char **argv)
{
  g_autofree char **rest = NULL;
  int at = -1, n = 0;

  /* The subcommand is the first argument that is not an option or the
   * value of --archive or --lang, so options may come before it too. */
  for (int i = 1; i < argc && at < 0; i++)
    {
      if (strcmp (argv[i], "--archive") == 0 || strcmp (argv[i], "-a") == 0 ||
          strcmp (argv[i], "--lang") == 0)
        i++;
      else if (argv[i][0] != '-')
        at = i;
      else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          usage (stdout);
          return EXIT_SUCCESS;
        }
    }
  if (at < 0)
    {
      usage (stderr);
      return EXIT_USAGE;
    }
  /* argv without the subcommand, for its option parser. */
  rest = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    if (i != at)
      rest[n++] = argv[i];
  for (gsize i = 0; i < n_subcommands; i++)
    if (strcmp (argv[at], subcommands[i].name) == 0)
      return subcommands[i].run (n, rest);
  fprintf (stderr, unknown, argv[at]);
  usage (stderr);
  return EXIT_USAGE;
}

/* --- kho init --- */

static int
command_init (int argc, char **argv)
{
  static char *prefix = NULL;
  static const GOptionEntry entries[] = {
    { "prefix", 'p', 0, G_OPTION_ARG_STRING, &prefix,
      N_("Archive ID prefix, e.g. BC for BC-2026-000123 (default KHO)"), N_("PREFIX") },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;

  if (!cli_parse_options ("init", "", N_("Create an archive folder, or update its settings."),
                      entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1)
    {
      cli_print_error (_("init takes no arguments; use --archive DIR"));
      return EXIT_USAGE;
    }
  archive = kho_archive_init (cli_archive_path (), prefix, &error);
  if (archive == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  printf (_("Archive %s ready (IDs %s-YYYY-NNNNNN, OCR languages %s).\n"), archive->root,
          archive->prefix, archive->languages);
  return EXIT_SUCCESS;
}

/* --- kho ingest --- */

typedef struct {
  gboolean bar;        /* a progress bar on a terminal */
  gboolean bar_drawn;
  KhoDb *db;
  GHashTable *jobs;    /* input as given → its job id */
} IngestOutput;

/* Records the inputs of this run in the queue, held by this process, so
 * that kho status sees them; jobs a killed kho ingest left are closed
 * first (their documents are taken up again from the store). */
static void
queue_inputs (KhoDb *db, GPtrArray *files, GHashTable *jobs)
{
  g_autoptr (GPtrArray) stale = kho_queue_list (db, "running", "ingest", NULL);
  int pid = getpid ();

  for (guint i = 0; stale && i < stale->len; i++)
    {
      KhoJob *job = stale->pdata[i];

      if (job->worker != pid && kill (job->worker, 0) != 0 && errno == ESRCH)
        kho_queue_finish (db, job->id, job->worker, "failed", NULL, NULL, _("interrupted"), NULL,
                          NULL);
    }
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = files->pdata[i];
      g_autofree char *source = g_canonicalize_filename (file, NULL);
      g_autofree char *name = g_path_get_basename (file);
      GStatBuf st;
      gboolean known = g_stat (file, &st) == 0;
      gint64 id = kho_queue_add (db, "ingest", source, name, NULL, known ? st.st_size : -1,
                                 known ? (gint64) st.st_mtime * G_USEC_PER_SEC : -1, pid, NULL);

      if (id > 0)
        g_hash_table_insert (jobs, g_strdup (file), GINT_TO_POINTER ((int) id));
    }
}

static void
close_job (IngestOutput *out, const KhoIngestResult *result)
{
  gint64 id = GPOINTER_TO_INT (g_hash_table_lookup (out->jobs, result->file));

  if (id <= 0)
    return;
  if (result->status == KHO_INGEST_FAILED)
    kho_queue_finish (out->db, id, getpid (), "failed", NULL, result->stage, result->error, NULL,
                      NULL);
  else
    kho_queue_finish (out->db, id, getpid (), "done", result->archive_id, NULL, NULL, NULL, NULL);
}

static void
clear_bar (IngestOutput *out)
{
  if (out->bar_drawn)
    fputs ("\r\033[K", stdout);
  out->bar_drawn = FALSE;
}

static void
on_progress (int pages_done, int pages_total, int files_done, int files_total, gpointer data)
{
  IngestOutput *out = data;
  const int width = 30;
  int filled = pages_total > 0 ? width * pages_done / pages_total : 0;
  char bar[64];

  if (!out->bar)
    return;
  memset (bar, '#', (size_t) filled);
  memset (bar + filled, '-', (size_t) (width - filled));
  bar[width] = '\0';
  printf ("\r\033[K[%s] ", bar);
  /* TRANSLATORS: the progress bar's counts: pages done/total, files done/total. */
  printf (_("%d/%d pages, %d/%d files"), pages_done, pages_total, files_done, files_total);
  fflush (stdout);
  out->bar_drawn = TRUE;
}

static void
on_result (const KhoIngestResult *result, gpointer data)
{
  IngestOutput *out = data;

  close_job (out, result);
  if (cli_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, result->file);
      json_builder_set_member_name (builder, "id");
      if (result->archive_id)
        json_builder_add_string_value (builder, result->archive_id);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, kho_ingest_status_name (result->status));
      json_builder_set_member_name (builder, "error");
      if (result->error)
        json_builder_add_string_value (builder, result->error);
      else
        json_builder_add_null_value (builder);
      kho_json_add_int (builder, "pages", result->pages);
      json_builder_set_member_name (builder, "sha256");
      if (result->sha256)
        json_builder_add_string_value (builder, result->sha256);
      else
        json_builder_add_null_value (builder);
      kho_json_add_int (builder, "elapsed_ms", result->elapsed_ms);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      cli_print_json (node, FALSE);
      return;
    }
  clear_bar (out);
  switch (result->status)
    {
    case KHO_INGEST_ARCHIVED:
      /* TRANSLATORS: one line per archived file: archive ID, pages, file name;
       * keep the columns of "duplicate  %s  %s (already archived)". */
      printf (ngettext ("archived   %s  %d page   %s\n", "archived   %s  %d pages  %s\n",
                        (unsigned long) result->pages),
              result->archive_id, result->pages, result->file);
      break;
    case KHO_INGEST_DUPLICATE:
      printf (_("duplicate  %s  %s (already archived)\n"), result->archive_id, result->file);
      break;
    case KHO_INGEST_FAILED:
      fflush (stdout);
      cli_print_error (result->error);
      break;
    }
  fflush (stdout);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* Adds @path to @files: a file as it is, a folder's files recursively in
 * name order, skipping hidden entries. */
static gboolean
collect_inputs (const char *path, GPtrArray *files, GError **error)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return TRUE;
    }
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (path, g_ptr_array_index (names, i), NULL);

      /* Ground truth and notes beside sample scans are not inputs. */
      if (g_str_has_suffix (child, ".txt") || g_str_has_suffix (child, ".md") ||
          g_str_has_suffix (child, ".json"))
        continue;
      /* A link to a folder could lead back up the tree: not followed. */
      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK) && g_file_test (child, G_FILE_TEST_IS_DIR))
        continue;
      if (!collect_inputs (child, files, error))
        return FALSE;
    }
  return TRUE;
}

static KhoRunner *ingest_runner = NULL;
static volatile sig_atomic_t ingest_stopped = 0;

static void
on_ingest_signal (int signo)
{
  ingest_stopped = 1;
  if (ingest_runner)
    kho_runner_cancel (ingest_runner);
  signal (signo, SIG_DFL);
}

static int
command_ingest (int argc, char **argv)
{
  static int workers = 0;
  static char *languages = NULL;
  static int page_timeout = 0;
  static gboolean no_rotate = FALSE, no_deskew = FALSE, split_on_blank = FALSE;
  static const GOptionEntry entries[] = {
    { "workers", 'j', 0, G_OPTION_ARG_INT, &workers, N_("OCR workers (default: one per core)"),
      "N" },
    { "languages", 'l', 0, G_OPTION_ARG_STRING, &languages,
      N_("Tesseract languages (default: the archive's, vie)"), N_("LANGS") },
    { "page-timeout", 0, 0, G_OPTION_ARG_INT, &page_timeout,
      N_("OCR time limit per page in seconds (default: the archive's, 300)"), N_("SECONDS") },
    { "no-rotate", 0, 0, G_OPTION_ARG_NONE, &no_rotate, N_("Do not detect page orientation"),
      NULL },
    { "no-deskew", 0, 0, G_OPTION_ARG_NONE, &no_deskew, N_("Do not deskew pages"), NULL },
    { "split-on-blank", 0, 0, G_OPTION_ARG_NONE, &split_on_blank,
      N_("A blank page ends one document and starts the next (a feeder scan of many); "
         "blank pages are not archived"), NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  KhoRunnerOptions options;
  IngestOutput out = { 0 };
  KhoRunnerCallbacks callbacks = { on_result, on_progress, &out };
  int failed = 0;

  if (!cli_parse_options ("ingest", N_("PATH…"),
                      N_("Take scans (TIFF, PNG, JPEG, PDF; folders recursively) through every "
                         "stage into the archive."),
                      entries, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc < 2)
    {
      cli_print_error (_("ingest: give at least one file or folder"));
      return EXIT_USAGE;
    }
  for (int i = 1; i < argc; i++)
    if (!collect_inputs (argv[i], files, &error))
      {
        g_autofree char *message = g_strdup_printf ("%s: %s", argv[i], error->message);
        cli_print_error (message);
        g_clear_error (&error);
        failed++;
      }
  /* Like `git init`, ingest creates the archive on first use. */
  archive = kho_archive_init (cli_archive_path (), NULL, &error);
  if (archive == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  kho_runner_options_init (&options);
  options.workers = workers;
  options.languages = languages;
  options.page_timeout_ms = page_timeout * 1000;
  options.prepare.detect_orientation = !no_rotate;
  options.prepare.deskew = !no_deskew;
  options.split_on_blank = split_on_blank;
  out.bar = !cli_json && isatty (STDOUT_FILENO);
  out.db = archive->db;
  out.jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  queue_inputs (archive->db, files, out.jobs);

  /* Ctrl-C finishes the pages in hand and keeps what is committed; the
   * next kho ingest takes the documents up again.  A second one kills. */
  ingest_runner = kho_runner_new (archive, &options);
  signal (SIGINT, on_ingest_signal);
  signal (SIGTERM, on_ingest_signal);
  int run_failed = kho_runner_run (ingest_runner, files, NULL, KHO_RUNNER_RESUME, &callbacks,
                                   &error);
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  kho_runner_free (g_steal_pointer (&ingest_runner));
  clear_bar (&out);
  if (ingest_stopped)
    cli_print_error (_("stopped: run kho ingest again to finish the documents begun"));
  g_hash_table_unref (out.jobs);
  if (run_failed < 0)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  failed += run_failed;
  return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Whether messages are in Vietnamese, which writes 1.234.567 and 0,80. */
static gboolean vietnamese_numbers = FALSE;

/* @value with @decimals digits after a decimal comma in Vietnamese, a
 * point in English.  Newly allocated. */
char *
cli_decimal_text (double value, int decimals)
{
  char *text = g_strdup_printf ("%.*f", decimals, value);

  return vietnamese_numbers ? g_strdelimit (text, ".", ',') : text;
}

/* @value with thousands grouped: 2.189.072 in Vietnamese, 2,189,072 in
 * English.  Newly allocated. */
char *
cli_count_text (gint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, value < 0 ? -value : value);
  GString *out = g_string_new (value < 0 ? "-" : "");
  gsize n = strlen (digits);

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append_c (out, vietnamese_numbers ? '.' : ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* A date as Vietnamese readers write it: "2023-04-28" → "28/04/2023", and
 * a UTC time "2026-11-29T21:40:57Z" → "29/11/2026 21:40" in local time.
 * JSON keeps ISO 8601.  Newly allocated. */
char *
cli_display_date (const char *iso)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  int year, month, day;

  if (iso == NULL)
    return g_strdup ("-");
  if (strlen (iso) == 10 && sscanf (iso, "%4d-%2d-%2d", &year, &month, &day) == 3)
    return g_strdup_printf ("%02d/%02d/%04d", day, month, year);
  utc = g_date_time_new_from_iso8601 (iso, NULL);
  if (utc == NULL)
    return g_strdup (iso);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%d/%m/%Y %H:%M");
}

/* --- kho search --- */

static int
command_search (int argc, char **argv)
{
  static int limit = 20;
  static int offset = 0;
  static char *type = NULL, *issuer = NULL, *from = NULL, *to = NULL, *number = NULL;
  static char *tag = NULL;
  static const GOptionEntry entries[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("Results to show (default 20)"), "N" },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("Results to skip"), "N" },
    { "type", 't', 0, G_OPTION_ARG_STRING, &type,
      N_("Only documents of this type (name or code: “Kế hoạch”, “ke hoach”, KH)"), N_("TYPE") },
    { "issuer", 0, 0, G_OPTION_ARG_STRING, &issuer,
      N_("Only documents whose issuing body contains this"), N_("TEXT") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      N_("Only documents issued on or after this date (28/04/2023, 2023-04, 2023)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      N_("Only documents issued on or before this date"), N_("DATE") },
    { "number", 0, 0, G_OPTION_ARG_STRING, &number,
      N_("Only the document with this number and notation (189/KH-UBND)"), N_("REF") },
    { "tag", 0, 0, G_OPTION_ARG_STRING, &tag,
      N_("Only documents with this tag (their inbox subfolder's: “Công văn đến”)"), N_("TAG") },
    { NULL }
  };
  g_autofree char *from_iso = NULL, *to_iso = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GPtrArray) hits = NULL;
  g_autofree char *query = NULL;
  KhoSearchOptions options;
  gboolean tty = isatty (STDOUT_FILENO);

  if (!cli_parse_options ("search", N_("QUERY…"),
                      N_("Find documents; accents are optional (“ke hoach so hoa”).\n"
                         "\"a phrase\", prefix*, -exclude are understood; anything else is text."),
                      entries, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc < 2 && !type && !issuer && !from && !to && !number && !tag)
    {
      cli_print_error (_("search: give a query or a filter"));
      return EXIT_USAGE;
    }
  if ((from && (from_iso = kho_search_date (from)) == NULL) ||
      (to && (to_iso = kho_search_date (to)) == NULL))
    {
      g_autofree char *message = g_strdup_printf (_("search: “%s” is not a date"),
                                                  from && !from_iso ? from : to);
      cli_print_error (message);
      return EXIT_USAGE;
    }
  if (limit <= 0 || limit > 1000 || offset < 0)
    {
      cli_print_error (_("search: --limit must be 1 to 1000 and --offset not negative"));
      return EXIT_USAGE;
    }
  query = g_strjoinv (" ", argv + 1);
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  kho_search_options_init (&options);
  options.limit = limit;
  options.offset = offset;
  options.type = type;
  options.issuer = issuer;
  options.from = from_iso;
  options.to = to_iso;
  options.number = number;
  options.tag = tag;
  if (tty && !cli_json)
    {
      options.mark_open = "\033[1m";
      options.mark_close = "\033[0m";
    }
  hits = kho_search_run (kho_db_handle (archive->db), query, &options, &error);
  if (hits == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  if (cli_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) node = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < hits->len; i++)
        {
          KhoSearchHit *hit = g_ptr_array_index (hits, i);

          json_builder_begin_object (builder);
          kho_json_add_int (builder, "rank", offset + (int) i + 1);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, hit->archive_id);
          json_builder_set_member_name (builder, "title");
          json_builder_add_string_value (builder, hit->title ? hit->title : "");
          json_builder_set_member_name (builder, "snippet");
          json_builder_add_string_value (builder, hit->snippet ? hit->snippet : "");
          json_builder_set_member_name (builder, "score");
          json_builder_add_double_value (builder, hit->score);
          kho_json_add_int (builder, "pages", hit->page_count);
          kho_json_add_string (builder, "issued", hit->issued);
          json_builder_set_member_name (builder, "created");
          json_builder_add_string_value (builder, hit->created ? hit->created : "");
          kho_json_add_string (builder, "type", hit->type);
          kho_json_add_string (builder, "number", hit->reference);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      node = json_builder_get_root (builder);
      cli_print_json (node, TRUE);
      return EXIT_SUCCESS;
    }
  if (hits->len == 0)
    {
      printf (_("No documents match “%s”.\n"), query);
      return EXIT_SUCCESS;
    }
  for (guint i = 0; i < hits->len; i++)
    {
      KhoSearchHit *hit = g_ptr_array_index (hits, i);
      g_autofree char *snippet = g_strdelimit (g_strdup (hit->snippet ? hit->snippet : ""),
                                               "\n\f\t", ' ');
      g_autofree char *date = cli_display_date (hit->issued ? hit->issued : hit->created);

      printf ("%2d. %s  %s\n    %s  ", offset + (int) i + 1, hit->archive_id,
              hit->title ? hit->title : _("(no title)"),
              date);
      if (hit->type)
        printf ("%s  ", hit->type);
      if (hit->reference)
        printf (_("No. %s  "), hit->reference);
      printf (ngettext ("%d page", "%d pages", (unsigned long) hit->page_count), hit->page_count);
      /* The rank says the order; bm25's raw score (in a small archive,
       * millionths) means nothing to a reader and stays in --json. */
      printf ("\n    %s\n", snippet);
    }
  return EXIT_SUCCESS;
}

/* --- kho show --- */

KhoDocument *
cli_lookup (KhoArchive *archive, const char *reference)
{
  g_autoptr (GError) error = NULL;
  KhoDocument *doc;
  gint64 id = kho_db_resolve (archive->db, reference, &error);

  if (id < 0)
    {
      cli_print_error (error->message);
      return NULL;
    }
  doc = kho_db_get_document (archive->db, id, &error);
  if (doc == NULL)
    cli_print_error (error->message);
  return doc;
}

/* The metadata fields of a document, in the order kho show prints them
 * (Phụ lục VI of Nghị định 30/2020/NĐ-CP). */
static const struct {
  const char *name;
  const char *label;  /* for kho show, padded like its other labels */
} metadata_fields[] = {
  { "type", N_("  type       ") },
  { "type_code", NULL },
  { "type_confidence", NULL },
  { "number", N_("  number     ") },
  { "year", NULL },
  { "notation", NULL },
  { "place", N_("  place      ") },
  { "issuer", N_("  issuer     ") },
  { "subject", N_("  subject    ") },
  { "signer_position", N_("  signed by  ") },
  { "signer_name", NULL },
  { "recipients", N_("  recipients ") },
  { "urgency", N_("  urgency    ") },
  { "secrecy", N_("  secrecy    ") },
  { "retention", N_("  keep for   ") },
};

/* The value of field @name as kho show prints it. */
static char *
field_text (GPtrArray *fields, const char *name)
{
  const char *value = kho_document_field (fields, name);

  if (value == NULL)
    return NULL;
  if (strcmp (name, "number") == 0)
    {
      const char *year = kho_document_field (fields, "year");
      const char *notation = kho_document_field (fields, "notation");

      return g_strjoin ("/", value, year ? year : notation, year ? notation : NULL, NULL);
    }
  if (strcmp (name, "signer_position") == 0)
    {
      const char *signer = kho_document_field (fields, "signer_name");

      return g_strconcat (value, signer ? "\n" : NULL, signer, NULL);
    }
  if (strcmp (name, "type") == 0 && kho_document_field (fields, "type_code"))
    return g_strdup_printf ("%s (%s)", value, kho_document_field (fields, "type_code"));
  if (strcmp (name, "recipients") == 0)
    {
      g_autoptr (JsonNode) list = json_from_string (value, NULL);
      GString *text = g_string_new (NULL);

      for (guint i = 0; list && JSON_NODE_HOLDS_ARRAY (list) &&
                        i < json_array_get_length (json_node_get_array (list)); i++)
        g_string_append_printf (text, "%s%s", i ? "\n" : "",
                                json_array_get_string_element (json_node_get_array (list), i));
      return g_string_free (text, FALSE);
    }
  if (strcmp (name, "retention") == 0)
    {
      int years = atoi (value);

      return years == 0 ? g_strdup (_("permanently"))
                        : g_strdup_printf (ngettext ("%d year", "%d years", (unsigned long) years),
                                           years);
    }
  return g_strdup (value);
}

static void
print_fields (GPtrArray *fields)
{
  for (guint i = 0; i < G_N_ELEMENTS (metadata_fields); i++)
    {
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;
      const char *label = metadata_fields[i].label;
      glong width;

      if (label == NULL || (text = field_text (fields, metadata_fields[i].name)) == NULL)
        continue;
      label = _(label);
      width = g_utf8_strlen (label, -1);
      lines = g_strsplit (text, "\n", -1);
      for (int j = 0; lines[j]; j++)
        printf ("%s%*s%s\n", j == 0 ? label : "", j == 0 ? 0 : (int) width, "", lines[j]);
    }
}

/* The document status for people; the stored value for any other. */
static const char *
status_label (const char *status)
{
  if (g_strcmp0 (status, "archived") == 0)
    return C_("document status", "archived");
  if (g_strcmp0 (status, "failed") == 0)
    return C_("document status", "failed");
  return status;
}

/* What kho verify found, as kho show prints it (documents.fixity). */
static const char *
fixity_label (const char *fixity)
{
  if (g_strcmp0 (fixity, "ok") == 0)
    return C_("fixity", "ok");
  if (g_strcmp0 (fixity, "changed") == 0)
    return C_("fixity", "changed");
  if (g_strcmp0 (fixity, "missing") == 0)
    return C_("fixity", "missing");
  if (g_strcmp0 (fixity, "unreadable") == 0)
    return C_("fixity", "unreadable");
  return fixity ? fixity : "-";
}

static int
command_show (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  g_autoptr (GPtrArray) pages = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GPtrArray) tags = NULL;
  g_autoptr (GPtrArray) fields = NULL;

  if (!cli_parse_options ("show", "ID",
                      N_("Show a document: metadata, pages, checksums, stage history.\n"
                         "ID: archive ID, SHA-256 of the original, or 8+ hex digits of it."),
                      NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      cli_print_error (_("show: give one document ID"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL || (doc = cli_lookup (archive, argv[1])) == NULL)
    return EXIT_FAILURE;
  pages = kho_db_get_pages (archive->db, doc->id, &error);
  if (pages)
    events = kho_db_get_events (archive->db, doc->id, &error);
  if (events)
    tags = kho_db_get_tags (archive->db, doc->id, &error);
  if (tags)
    fields = kho_db_get_fields (archive->db, doc->id, &error);
  if (fields == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  if (cli_json)
    {
      g_autoptr (JsonNode) node = kho_document_json (archive, doc, pages, events, tags, fields, TRUE);
      cli_print_json (node, TRUE);
      return EXIT_SUCCESS;
    }
  printf ("%s  %s\n", doc->archive_id, doc->title ? doc->title : _("(no title)"));
  /* TRANSLATORS: the labels of `kho show` are padded to one column. */
  printf (_("  status     %s (last stage: %s)\n"), status_label (doc->status), doc->stage);
  {
    g_autofree char *size = cli_count_text (doc->size);
    printf (ngettext ("  original   %s, %s, %s byte\n", "  original   %s, %s, %s bytes\n",
                      (unsigned long) doc->size),
            doc->file_name, doc->format, size);
  }
  printf (_("  sha256     %s\n"), doc->sha256);
  if (doc->part > 0)
    printf (_("  part       %d, pages %d–%d of the original\n"), doc->part, doc->first_page,
            doc->last_page);
  {
    g_autofree char *size = cli_count_text (doc->pdf_size);
    printf (ngettext ("  pdf/a      %s (%s byte)\n", "  pdf/a      %s (%s bytes)\n",
                      (unsigned long) doc->pdf_size),
            doc->pdf_sha256 ? doc->pdf_sha256 : "-", size);
  }
  {
    g_autofree char *created = cli_display_date (doc->created);
    printf (_("  ingested   %s\n"), created);
  }
  if (doc->issued)
    {
      g_autofree char *issued = cli_display_date (doc->issued);
      printf (_("  issued     %s\n"), issued);
    }
  if (doc->verified)
    {
      g_autofree char *verified = cli_display_date (doc->verified);
      /* TRANSLATORS: when kho verify last checked the files' checksums,
       * then what it found (ok, changed, missing, unreadable). */
      printf (_("  verified   %s, %s\n"), verified, fixity_label (doc->fixity));
    }
  else
    printf ("%s\n", _("  verified   never"));
  print_fields (fields);
  if (tags && tags->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (tags, NULL);
      joined = g_strjoinv (", ", (char **) tags->pdata);
      g_ptr_array_remove_index (tags, tags->len - 1);
      printf (_("  tags       %s\n"), joined);
    }
  printf (_("  pages      %d\n"), doc->page_count);
  for (guint i = 0; i < pages->len; i++)
    {
      KhoPageRow *page = g_ptr_array_index (pages, i);
      g_autofree char *skew = cli_decimal_text (page->skew, 2);

      /* TRANSLATORS: one page of `kho show`; the last %s is how its text was
       * obtained: ocr, pdf (its own text layer) or none. */
      printf (_("    %3d  %d×%d px at %d dpi, turned %d°, deskewed %s°, text by %s"),
              page->number, page->width, page->height, page->dpi, page->rotation, skew,
              page->text_source);
      if (page->blank)
        printf ("%s", _(", blank"));
      if (g_strcmp0 (page->text_source, "ocr") == 0)
        printf (_(", confidence %.0f"), page->confidence);
      printf ("\n");
    }
  printf ("%s\n", _("  history"));
  for (guint i = 0; i < events->len; i++)
    {
      KhoEventRow *event = g_ptr_array_index (events, i);

      g_autofree char *time = cli_display_date (event->time);

      printf ("    %s  %-9s %-6s", time, event->stage, event->status);
      if (event->duration_ms >= 0)
        printf (" %6" G_GINT64_FORMAT " ms", event->duration_ms);
      printf ("  %s%s%s\n", event->actor ? event->actor : "", event->detail ? "  " : "",
              event->detail ? event->detail : "");
    }
  return EXIT_SUCCESS;
}

/* --- kho get --- */

static gboolean
write_output (const char *output, GBytes *data, GError **error)
{
  gsize size;
  const char *bytes = g_bytes_get_data (data, &size);

  if (output && strcmp (output, "-") != 0)
    return g_file_set_contents_full (output, bytes, (gssize) size,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
  if (fwrite (bytes, 1, size, stdout) != size || fflush (stdout) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _("cannot write: %s"),
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* Reads a stored file and checks it still has its recorded checksum. */
static GBytes *
read_verified (const char *path, const char *sha256, const char *what, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autofree char *actual = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  data = g_bytes_new_take (g_steal_pointer (&contents), length);
  actual = kho_store_sha256_bytes (data);
  if (g_strcmp0 (actual, sha256) != 0)
    {
      g_set_error (error, KHO_STORE_ERROR, KHO_STORE_ERROR_MISMATCH,
                   /* TRANSLATORS: the first %s is "original" or "archival PDF". */
                   _("%s %s has changed: SHA-256 %s, recorded %s"), what, path, actual, sha256);
      return NULL;
    }
  return g_steal_pointer (&data);
}

static int
command_get (int argc, char **argv)
{
  static gboolean want_original = FALSE, want_pdf = FALSE, want_text = FALSE;
  static char *output = NULL;
  static const GOptionEntry entries[] = {
    { "original", 0, 0, G_OPTION_ARG_NONE, &want_original,
      N_("The byte-exact original (checked against its SHA-256)"), NULL },
    { "pdf", 0, 0, G_OPTION_ARG_NONE, &want_pdf, N_("The archival PDF/A"), NULL },
    { "text", 0, 0, G_OPTION_ARG_NONE, &want_text,
      N_("The text, pages separated by form feeds"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE (default: stdout)"),
      N_("FILE") },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  g_autoptr (GBytes) data = NULL;

  if (!cli_parse_options ("get", "ID (--original | --pdf | --text)",
                      N_("Retrieve a document's original, archival PDF/A or text."), entries, FALSE,
                      &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2 || want_original + want_pdf + want_text != 1)
    {
      cli_print_error (_("get: give one document ID and one of --original, --pdf, --text"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL || (doc = cli_lookup (archive, argv[1])) == NULL)
    return EXIT_FAILURE;
  if (!want_text && g_strcmp0 (doc->status, "archived") != 0)
    {
      g_autofree char *message = g_strdup_printf (_("%s is not archived yet (stage %s)"),
                                                  doc->archive_id, doc->stage);
      cli_print_error (message);
      return EXIT_FAILURE;
    }
  if (want_original || want_pdf)
    {
      g_autofree char *path = want_original ? kho_store_original_path (archive->root, doc->sha256)
                                            : kho_store_pdf_path (archive->root, doc->archive_id);
      g_autoptr (GError) record_error = NULL;

      data = read_verified (path, want_original ? doc->sha256 : doc->pdf_sha256,
                            want_original ? _("original") : _("archival PDF"), &error);
      /* Every file given out is in the audit trail, a refused one too; a
       * file whose giving cannot be recorded is not given. */
      if (!kho_audit_record_access (archive->db, doc, want_original ? "original" : "pdf",
                                    data ? "ok" : "failed", NULL, NULL, &record_error) &&
          data)
        {
          g_clear_pointer (&data, g_bytes_unref);
          g_propagate_error (&error, g_steal_pointer (&record_error));
        }
    }
  else
    {
      char *text = kho_db_get_text (archive->db, doc->id, &error);

      if (text)
        data = g_bytes_new_take (text, strlen (text));
    }
  if (data == NULL || !write_output (output, data, &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* --- dispatch --- */

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "init", command_init, N_("create an archive folder") },
  { "ingest", command_ingest, N_("take scans into the archive") },
  { "search", command_search, N_("find documents (accents optional)") },
  { "show", command_show, N_("show a document's metadata, pages and history") },
  { "get", command_get, N_("retrieve the original, the PDF/A or the text") },
  { "watch", cli_command_watch, N_("archive every file dropped into the inbox folder") },
  { "status", cli_command_status, N_("show the queue, the workers and the quarantine") },
  { "retry", cli_command_retry, N_("process quarantined files again") },
  { "edit", cli_command_edit, N_("correct a document's type and fields") },
  { "train", cli_command_train, N_("learn document types from corrected documents") },
  { "extract", cli_command_extract, N_("read the type and fields of a text file") },
  { "serve", cli_command_serve, N_("serve the archive to browsers on the school's network") },
  { "user", cli_command_user, N_("manage the accounts of kho serve") },
  { "export", cli_command_export, N_("write documents as a BagIt bag") },
  { "import", cli_command_import, N_("restore the documents of a BagIt bag") },
  { "backup", cli_command_backup, N_("copy the archive while it is in use") },
  { "optimize", cli_command_optimize, N_("merge the full-text index for the fastest searches") },
  { "verify", cli_command_verify, N_("check every file against its SHA-256; find orphans") },
  { "audit", cli_command_audit, N_("check the audit trail's hash chain, show it") },
  { "retention", cli_command_retention, N_("list documents past their retention period") },
  { "delete", cli_command_delete, N_("delete a document for good, keeping its tombstone") },
};

static void
usage (FILE *out)
{
  fputs (_("Usage: kho [--archive DIR] [--lang vi|en] COMMAND [OPTIONS…]\n\n"
           "kho keeps scanned records in a searchable archive.\n\nCommands:\n"), out);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
  fputs (_("\n“kho COMMAND --help” tells more.  The archive is --archive DIR, "
           "$KHO_ARCHIVE or ./kho-archive.\n"
           "Messages are in Vietnamese unless --lang en or KHO_LANG=en asks for English.\n"), out);
}

/* --- language of messages --- */

static gboolean
is_c_locale (const char *name)
{
  return strcmp (name, "C") == 0 || strcmp (name, "POSIX") == 0 || g_str_has_prefix (name, "C.");
}

/* "vi" or "en" for a --lang or $KHO_LANG value; NULL for anything else. */
static const char *
language_value (const char *value)
{
  if (g_ascii_strcasecmp (value, "vi") == 0)
    return "vi";
  if (g_ascii_strcasecmp (value, "en") == 0)
    return "en";
  return NULL;
}

/* The language the locale asks for when neither --lang nor $KHO_LANG does:
 * the first of $LANGUAGE (its first entry), $LC_ALL, $LC_MESSAGES, $LANG
 * that is set decides; English when it names a language other than
 * Vietnamese, Vietnamese when it is vi…, C, C.UTF-8 or POSIX, or when none
 * is set.  kho has no third language, so fr_FR gets English too. */
static const char *
locale_language (void)
{
  static const char *const variables[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };

  for (gsize i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      const char *value = g_getenv (variables[i]);
      g_autofree char *name = NULL;

      if (value == NULL || *value == '\0')
        continue;
      name = g_strndup (value, strcspn (value, ":"));
      if (*name == '\0' || is_c_locale (name))
        return "vi";
      return g_ascii_strncasecmp (name, "vi", 2) == 0 && strchr ("_.@", name[2]) != NULL
               ? "vi" : "en";
    }
  return "vi";
}

/* Where the catalogues are: $KHO_LOCALEDIR, else the build tree's when this
 * kho is the one built there (tests, scripts/demo), else the installed one. */
static const char *
locale_dir (void)
{
  const char *env = g_getenv ("KHO_LOCALEDIR");
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_dir = g_path_get_dirname (KHO_BUILD_LOCALEDIR);
  g_autofree char *build_root = realpath (build_dir, NULL);   /* as /proc/self/exe spells it */

  if (env && *env)
    return env;
  if (exe && build_root && g_str_has_prefix (exe, build_root) &&
      exe[strlen (build_root)] == '/')
    return KHO_BUILD_LOCALEDIR;
  return KHO_LOCALEDIR;
}

/* Makes gettext answer in @language ("vi" or "en").  gettext picks the
 * catalogue from $LANGUAGE, which glibc ignores while LC_MESSAGES is the "C"
 * locale, and vi_VN.UTF-8 is often not generated: so LC_MESSAGES becomes
 * C.UTF-8 (built into glibc) when it is C, and $LANGUAGE says the language.
 * Output is UTF-8 even in the C locale (GOption's help converts to it). */
static void
use_language (const char *language)
{
  const char *messages;

  if (setlocale (LC_ALL, "") == NULL)
    setlocale (LC_ALL, "C.UTF-8");
  if (!g_get_charset (NULL))
    setlocale (LC_CTYPE, "C.UTF-8");
  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
  g_setenv ("LANGUAGE", language, TRUE);
  vietnamese_numbers = strcmp (language, "vi") == 0;
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* Reads --lang VALUE or --lang=VALUE anywhere before "--" (it is global, but
 * may follow the command like --archive), else $KHO_LANG, else the locale.
 * Returns "vi" or "en"; NULL after printing why the value is not one. */
static const char *
choose_language (int argc, char **argv)
{
  const char *given = NULL, *from = "--lang";
  const char *language;

  for (int i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--lang") == 0)
        given = i + 1 < argc ? argv[++i] : "";
      else if (g_str_has_prefix (argv[i], "--lang="))
        given = argv[i] + strlen ("--lang=");
    }
  if (given == NULL && g_getenv ("KHO_LANG") && *g_getenv ("KHO_LANG"))
    {
      given = g_getenv ("KHO_LANG");
      from = "KHO_LANG";
    }
  if (given == NULL)
    return locale_language ();
  language = language_value (given);
  if (language == NULL)
    {
      use_language ("vi");
      fprintf (stderr, _("kho: %s “%s”: the language must be vi (Vietnamese) or en (English)\n"),
               from, given);
    }
  return language;
}

/* kho logs through GLib's structured logging (meson.build asks for it):
 * one line "kho: MESSAGE" on stderr, or the journal when stderr is the
 * journal (kho watch as a systemd service).  Debug and info messages only
 * when G_MESSAGES_DEBUG asks for their domain. */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *message = NULL, *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
        message = fields[i].value;
      else if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
        domain = fields[i].value;
    }
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  if (g_log_writer_is_journald (fileno (stderr)) &&
      g_log_writer_journald (level, fields, n_fields, data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  fprintf (stderr, "kho: %s\n", message ? message : "");
  return G_LOG_WRITER_HANDLED;
}

int
main (int argc, char **argv)
{
  int first = 1;
  const char *language;

  /* Each OCR worker is one thread, and Tesseract must not start OpenMP
   * threads of its own (two workers with two threads each on two cores ran
   * three times slower).  libgomp reads the limit from the environment when
   * it is loaded, before main: set it and start again. */
  if (g_getenv ("OMP_THREAD_LIMIT") == NULL)
    {
      g_setenv ("OMP_THREAD_LIMIT", "1", TRUE);
      execv ("/proc/self/exe", argv);
      /* No /proc: go on with OpenMP's default. */
    }
  language = choose_language (argc, argv);
  if (language == NULL)
    return EXIT_USAGE;
  use_language (language);
  /* The worker processes of kho watch speak the same language. */
  g_setenv ("KHO_LANG", language, TRUE);
  /* GOption's help says "Usage: kho [OPTION…] ingest PATH…", not the command twice. */
  g_set_prgname ("kho");
  g_log_set_writer_func (log_writer, NULL, NULL);

  /* Global options before the command: kho --archive DIR --lang en COMMAND …
   * (choose_language has read --lang already). */
  while (first < argc && argv[first][0] == '-')
    {
      if ((strcmp (argv[first], "--archive") == 0 || strcmp (argv[first], "-a") == 0) &&
          first + 1 < argc)
        {
          opt_archive = g_strdup (argv[first + 1]);
          first += 2;
        }
      else if (g_str_has_prefix (argv[first], "--archive="))
        opt_archive = g_strdup (argv[first++] + strlen ("--archive="));
      else if (strcmp (argv[first], "--lang") == 0 && first + 1 < argc)
        first += 2;
      else if (g_str_has_prefix (argv[first], "--lang="))
        first++;
      else if (strcmp (argv[first], "--help") == 0 || strcmp (argv[first], "-h") == 0)
        {
          usage (stdout);
          return EXIT_SUCCESS;
        }
      else if (strcmp (argv[first], "--version") == 0)
        {
          printf ("kho %s\n", KHO_VERSION);
          return EXIT_SUCCESS;
        }
      else
        break;
    }
  if (first >= argc)
    {
      usage (stderr);
      return EXIT_USAGE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[first], commands[i].name) == 0)
      return commands[i].run (argc - first, argv + first);
  /* Not listed: run by kho watch only. */
  if (strcmp (argv[first], "worker") == 0)
    return cli_command_worker (argc - first, argv + first);
  fprintf (stderr, _("kho: “%s” is not a command.\n\n"), argv[first]);
  usage (stderr);
  return EXIT_USAGE;
}
