/* test-watch.c — kho watch under harm: the whole machine or one worker
 * killed at random moments while it archives an inbox, workers that crash
 * on a file (one, then several in a row), a file that takes the whole
 * service down each time it is processed, a file written slowly, a full
 * disk, the names it must leave alone and the files it must refuse.
 * Every input ends archived exactly once, or in quarantine with its
 * report; nothing half-written remains.
 *
 * Each test runs kho watch as the leader of its own process group (its
 * workers are in it too), so that a power cut is one kill(-pgid, SIGKILL).
 * This process is a child subreaper: the workers of a killed supervisor
 * become its children and are reaped here, so "the group is gone" can be
 * checked whatever PID 1 does with orphans. */
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "index/tokenizer.h"
#include "store/originals.h"

#define POLL_MS 300
#define CRASH_INPUTS 30
#define CRASH_FIRST_DROP 18  /* dropped at the start; the rest come during the rounds */
#define CRASH_ROUNDS 10
/* Rounds that kill one worker instead of the whole group.  Only these
 * count a failed attempt (a group kill is a power cut: its jobs are taken
 * up again without counting one), so even if both hit the same job it has
 * 2 attempts, below the 3 that send a file to quarantine: the outcome does
 * not depend on where the kills land. */
#define CRASH_WORKER_KILLS 2

typedef struct {
  char *name;    /* its file name in sample-scans/ */
  GBytes *bytes;
} Sample;

static const char *kho;
static GPtrArray *samples;  /* Sample*, sorted by name */
/* The process group of the kho watch now running, 0 when none: the fatal
 * signal handler kills it, so that a failed assertion leaves nothing
 * behind. */
static volatile sig_atomic_t live_group = 0;

typedef struct {
  char *dir;      /* the test's temporary folder, removed when it passes */
  char *archive;  /* dir/archive */
  char *inbox;    /* archive/inbox */
  char *staging;  /* dir/staging: inputs are written there, then renamed in */
  char *log;      /* dir/watch.log: kho watch's standard error */
  char **env;     /* kho watch's environment */
  GPid watch;     /* the supervisor, leader of its process group; 0 when stopped */
  int dropped;    /* inputs written so far, for unique staging names */
} Fixture;

typedef struct {
  char *text;        /* the JSON, for messages */
  JsonParser *parser;
  JsonObject *root;  /* borrowed from parser */
  GArray *workers;   /* pids of the live workers */
  GArray *busy;      /* those holding a job */
} Status;

static void
status_free (Status *status)
{
  if (status == NULL)
    return;
  g_free (status->text);
  g_clear_object (&status->parser);
  g_array_unref (status->workers);
  g_array_unref (status->busy);
  g_free (status);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Status, status_free)

/* --- Processes --- */

static void
on_fatal_signal (int signo)
{
  if (live_group > 0)
    kill (-live_group, SIGKILL);
  signal (signo, SIG_DFL);
  raise (signo);
}

static void
watch_child_setup (gpointer data)
{
  pid_t parent = GPOINTER_TO_INT (data);
  struct rlimit no_core = { 0, 0 };

  setpgid (0, 0);
  /* Dies with the test even when it is killed outright. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (127);
  /* The aborting workers of /watch/crashing-worker need no core files. */
  setrlimit (RLIMIT_CORE, &no_core);
}

static void
append_log (Fixture *f, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
append_log (Fixture *f, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;
  FILE *file = fopen (f->log, "a");

  if (file == NULL)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (file, "=== test: %s\n", line);
  fclose (file);
}

/* The last @lines lines of the watch log. */
static char *
log_tail (Fixture *f, int lines)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *p;
  int n = 0;

  if (!g_file_get_contents (f->log, &contents, &length, NULL) || length == 0)
    return g_strdup ("(empty)");
  p = contents + length;
  while (p > contents && n <= lines)
    if (*--p == '\n')
      n++;
  return g_strdup (p == contents ? p : p + 1);
}

static void fail (Fixture *f, const char *status_text, const char *format, ...)
    G_GNUC_PRINTF (3, 4) G_GNUC_NORETURN;

/* Stops the test with @format, the last status and the end of the log. */
static void
fail (Fixture *f, const char *status_text, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *tail = log_tail (f, 40);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_error ("%s\nlast status: %s\nend of the watch log (%s):\n%s", message,
           status_text ? status_text : "(none)", f->log, tail);
}

static char **
kho_argv (Fixture *f, const char *first, va_list args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, g_strdup (kho));
  g_ptr_array_add (argv, g_strdup ("--archive"));
  g_ptr_array_add (argv, g_strdup (f->archive));
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

/* Runs kho on the fixture's archive; it must succeed.  Returns its output. */
static char *
run_kho (Fixture *f, const char *first, ...) G_GNUC_NULL_TERMINATED;

static char *
run_kho (Fixture *f, const char *first, ...)
{
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = -1;
  va_list args;

  va_start (args, first);
  argv = kho_argv (f, first, args);
  va_end (args);
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    fail (f, NULL, "cannot run kho %s: %s", first, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    fail (f, NULL, "kho %s: %s\nstdout: %s\nstderr: %s", first, error->message, out, err);
  return out;
}

static void
watch_start (Fixture *f, int workers)
{
  g_autofree char *n = g_strdup_printf ("%d", workers);
  g_autoptr (GError) error = NULL;
  const char *argv[] = { kho, "--archive", f->archive, "watch", "--workers", n, NULL };
  int log_fd = open (f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (f->watch, ==, 0);
  g_assert_cmpint (log_fd, >=, 0);
  g_assert_cmpint (null_fd, >=, 0);
  append_log (f, "starting kho watch --workers %d", workers);
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, (const char *const *) f->env,
                                         G_SPAWN_DO_NOT_REAP_CHILD, watch_child_setup,
                                         GINT_TO_POINTER (getpid ()), -1, null_fd, log_fd,
                                         NULL, NULL, 0, &f->watch, NULL, NULL, NULL, &error))
    fail (f, NULL, "cannot start kho watch: %s", error->message);
  setpgid (f->watch, f->watch);  /* may fail once it has run exec: it did it itself */
  live_group = f->watch;
  close (log_fd);
  close (null_fd);
}

/* Waits until no process of group @group is left, reaping the ones that
 * ended up as our children. */
static void
wait_group_gone (Fixture *f, pid_t group)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      while (waitpid (-group, NULL, WNOHANG) > 0)
        ;
      if (kill (-group, 0) != 0 && errno == ESRCH)
        return;
      if (g_get_monotonic_time () > deadline)
        fail (f, NULL, "processes of group %d still alive 30 s after it was killed", (int) group);
      g_usleep (20 * 1000);
    }
}

/* Power cut: supervisor and workers at once. */
static void
watch_kill (Fixture *f)
{
  pid_t group = f->watch;

  g_assert_cmpint (group, >, 0);
  g_assert_cmpint (kill (-group, SIGKILL), ==, 0);
  wait_group_gone (f, group);
  append_log (f, "killed the group of kho watch %d", (int) group);
  f->watch = 0;
  live_group = 0;
}

/* Fails unless kho watch is running. */
static void
check_watch_alive (Fixture *f, const char *status_text)
{
  int status;

  if (f->watch == 0)
    return;
  if (waitpid (f->watch, &status, WNOHANG) == f->watch)
    {
      pid_t group = f->watch;

      f->watch = 0;
      kill (-group, SIGKILL);
      wait_group_gone (f, group);
      live_group = 0;
      fail (f, status_text, "kho watch ended on its own (%s %d)",
            WIFSIGNALED (status) ? "signal" : "exit status",
            WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
    }
}

/* SIGTERM or SIGINT (@signo): the workers finish the page in hand, and
 * kho watch exits 0. */
static void
watch_stop (Fixture *f, int signo)
{
  gint64 start = g_get_monotonic_time ();
  pid_t group = f->watch;
  int status = 0;

  g_assert_cmpint (group, >, 0);
  g_assert_cmpint (kill (group, signo), ==, 0);
  while (waitpid (group, &status, WNOHANG) != group)
    {
      if (g_get_monotonic_time () - start > 120 * G_USEC_PER_SEC)
        fail (f, NULL, "kho watch still running 120 s after %s", g_strsignal (signo));
      g_usleep (50 * 1000);
    }
  f->watch = 0;
  wait_group_gone (f, group);
  live_group = 0;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    fail (f, NULL, "kho watch stopped with %s %d, not exit status 0",
          WIFSIGNALED (status) ? "signal" : "exit status",
          WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
  g_test_message ("kho watch stopped by %s in %.1f s, exit status 0", g_strsignal (signo),
                  (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
}

/* --- Status and catalogue --- */

static Status *
status_get (Fixture *f)
{
  Status *status = g_new0 (Status, 1);
  g_autoptr (GError) error = NULL;
  JsonArray *workers;

  status->text = run_kho (f, "status", "--json", NULL);
  status->parser = json_parser_new ();
  status->workers = g_array_new (FALSE, FALSE, sizeof (int));
  status->busy = g_array_new (FALSE, FALSE, sizeof (int));
  if (!json_parser_load_from_data (status->parser, status->text, -1, &error))
    fail (f, status->text, "kho status --json: %s", error->message);
  status->root = json_node_get_object (json_parser_get_root (status->parser));
  workers = json_object_get_array_member (status->root, "workers");
  for (guint i = 0; i < json_array_get_length (workers); i++)
    {
      JsonObject *worker = json_array_get_object_element (workers, i);
      int pid = (int) json_object_get_int_member (worker, "pid");

      g_array_append_val (status->workers, pid);
      if (!json_object_get_null_member (worker, "job"))
        g_array_append_val (status->busy, pid);
    }
  return status;
}

static int
status_jobs (const Status *status, const char *state)
{
  return (int) json_object_get_int_member (json_object_get_object_member (status->root, "jobs"),
                                           state);
}

static int
status_documents (const Status *status)
{
  return (int) json_object_get_int_member (status->root, "documents");
}

/* Jobs not finished one way or another. */
static int
status_active (const Status *status)
{
  return status_jobs (status, "queued") + status_jobs (status, "waiting") +
         status_jobs (status, "running");
}

static sqlite3 *
db_open (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->archive, "kho.db", NULL);
  sqlite3 *db = NULL;

  /* Read-write (nothing is written): a database left by kill -9 has a
   * WAL that a read-only connection may be unable to open. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 30000);
  g_assert_cmpint (kho_tokenizer_register (db), ==, SQLITE_OK);
  return db;
}

/* The integer the query @sql returns, its ? bound to the strings that
 * follow (NULL-terminated). */
static gint64
db_int (Fixture *f, const char *sql, ...)
{
  sqlite3 *db = db_open (f);
  sqlite3_stmt *stmt = NULL;
  va_list args;
  gint64 value;
  int i = 1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  va_start (args, sql);
  for (const char *a = va_arg (args, const char *); a; a = va_arg (args, const char *))
    sqlite3_bind_text (stmt, i++, a, -1, SQLITE_TRANSIENT);
  va_end (args);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* --- Files --- */

/* Files (and links) in @folder and below, as paths relative to it, sorted. */
static void
list_files_in (const char *folder, const char *prefix, GPtrArray *out)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *relative = prefix ? g_build_filename (prefix, name, NULL)
                                         : g_strdup (name);
      struct stat st;

      if (lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        list_files_in (path, relative, out);
      else
        g_ptr_array_add (out, g_steal_pointer (&relative));
    }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
list_files (const char *folder)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  list_files_in (folder, NULL, out);
  g_ptr_array_sort (out, compare_strings);
  return out;
}

/* "a, b, c" for messages. */
static char *
join_files (GPtrArray *files)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < files->len; i++)
    g_string_append_printf (text, "%s%s", i ? ", " : "", (char *) files->pdata[i]);
  return g_string_free (text, FALSE);
}

static void
assert_folder_empty (Fixture *f, const char *folder)
{
  g_autoptr (GPtrArray) files = list_files (folder);

  if (files->len > 0)
    {
      g_autofree char *names = join_files (files);

      fail (f, NULL, "%s should hold no file, holds: %s", folder, names);
    }
}

static const Sample *
sample_named (const char *name)
{
  for (guint i = 0; i < samples->len; i++)
    if (strcmp (((Sample *) samples->pdata[i])->name, name) == 0)
      return samples->pdata[i];
  g_error ("no sample scan %s", name);
}

/* @sample's bytes, with the byte @extra appended when it is >= 0 (a
 * different SHA-256, the same pages). */
static GBytes *
input_bytes (const Sample *sample, int extra)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (sample->bytes, &size);
  guint8 *copy;

  if (extra < 0)
    return g_bytes_ref (sample->bytes);
  copy = g_malloc (size + 1);
  memcpy (copy, data, size);
  copy[size] = (guint8) extra;
  return g_bytes_new_take (copy, size + 1);
}

/* Puts @bytes in the inbox under @name (may have a folder) the way a
 * careful copy does: written under a temporary name on the same file
 * system, then renamed in.  Returns its SHA-256. */
static char *
drop_input (Fixture *f, const char *name, GBytes *bytes)
{
  g_autofree char *staged = g_strdup_printf ("%s/input-%d", f->staging, f->dropped++);
  g_autofree char *dest = g_build_filename (f->inbox, name, NULL);
  g_autofree char *dir = g_path_get_dirname (dest);
  g_autoptr (GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_assert_true (g_file_set_contents (staged, data, (gssize) size, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_rename (staged, dest), ==, 0);
  return kho_store_sha256_bytes (bytes);
}

static void
assert_file_bytes (const char *path, GBytes *expected)
{
  g_autofree char *contents = NULL;
  gsize length = 0, size;
  const char *data = g_bytes_get_data (expected, &size);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    g_error ("%s: missing", path);
  g_assert_cmpuint (length, ==, size);
  g_assert_true (memcmp (contents, data, size) == 0);
}

static void
set_config (Fixture *f, const char *key, int value)
{
  g_autofree char *path = g_build_filename (f->archive, "kho.conf", NULL);
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (g_key_file_load_from_file (keys, path, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_integer (keys, "watch", key, value);
  g_assert_true (g_key_file_save_to_file (keys, path, &error));
  g_assert_no_error (error);
}

/* --- Waiting --- */

typedef gboolean (*Condition) (Fixture *f, const Status *status, gconstpointer data);

/* Polls kho status until @condition holds; fails after @timeout_s or when
 * kho watch dies.  Returns the status that satisfied it. */
static Status *
wait_until (Fixture *f, Condition condition, gconstpointer data, int timeout_s,
            const char *what)
{
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      g_autoptr (Status) status = status_get (f);

      if (condition (f, status, data))
        {
          g_test_message ("%s: after %.1f s", what,
                          (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
          return g_steal_pointer (&status);
        }
      check_watch_alive (f, status->text);
      if (g_get_monotonic_time () - start > (gint64) timeout_s * G_USEC_PER_SEC)
        {
          g_autoptr (GPtrArray) left = list_files (f->inbox);
          g_autofree char *names = join_files (left);

          fail (f, status->text, "timed out after %d s waiting for: %s (files in the inbox: %s)",
                timeout_s, what, names);
        }
      g_usleep (POLL_MS * 1000);
    }
}

/* data: the number of documents.  All archived, nothing left to do. */
static gboolean
all_archived (Fixture *f, const Status *status, gconstpointer data)
{
  g_autoptr (GPtrArray) left = NULL;

  if (status_documents (status) < GPOINTER_TO_INT (data) || status_active (status) > 0)
    return FALSE;
  /* An input archived just before a kill may still be in the inbox: it
   * is taken again, found a duplicate, and only then removed. */
  left = list_files (f->inbox);
  return left->len == 0;
}

/* data: the number of workers. */
static gboolean
workers_alive (Fixture *f, const Status *status, gconstpointer data)
{
  (void) f;
  return (int) status->workers->len == GPOINTER_TO_INT (data);
}

/* data: a pid that must be gone from the workers, replaced. */
static gboolean
worker_replaced (Fixture *f, const Status *status, gconstpointer data)
{
  (void) f;
  for (guint i = 0; i < status->workers->len; i++)
    if (g_array_index (status->workers, int, i) == GPOINTER_TO_INT (data))
      return FALSE;
  return status->workers->len == 2;
}

/* --- Checks of a finished archive --- */

/* The archive holds exactly the documents of @sums (SHA-256 → anything),
 * each archived, with its original and PDF intact; the catalogue passes
 * its integrity check; staging and quarantine are empty. */
static void
check_archive (Fixture *f, GHashTable *sums)
{
  g_autofree char *tmp = g_build_filename (f->archive, "tmp", NULL);
  g_autofree char *originals = g_build_filename (f->archive, "originals", NULL);
  g_autofree char *pdfa = g_build_filename (f->archive, "pdfa", NULL);
  g_autofree char *quarantine = g_build_filename (f->archive, "quarantine", NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) original_files = NULL;
  g_autoptr (GPtrArray) pdf_files = NULL;
  sqlite3 *db = db_open (f);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT archive_id, sha256, status, pdf_sha256 "
                                           "FROM documents ORDER BY id", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *sha = (const char *) sqlite3_column_text (stmt, 1);
      const char *status = (const char *) sqlite3_column_text (stmt, 2);
      const char *pdf_sha = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *original = kho_store_original_path (f->archive, sha);
      g_autofree char *pdf = kho_store_pdf_path (f->archive, id);
      g_autofree char *original_sum = kho_store_sha256_file (original, NULL);
      g_autofree char *pdf_sum = kho_store_sha256_file (pdf, NULL);

      g_assert_cmpstr (status, ==, "archived");
      if (!g_hash_table_contains (sums, sha))
        g_error ("document %s (%s) is none of the inputs", id, sha);
      if (g_hash_table_contains (seen, sha))
        g_error ("input %s archived twice (again as %s)", sha, id);
      g_hash_table_add (seen, g_strdup (sha));
      g_assert_cmpstr (original_sum, ==, sha);
      g_assert_cmpstr (pdf_sum, ==, pdf_sha);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (sums));

  /* Nothing more in the store than the documents: every original is
   * named by its own SHA-256. */
  original_files = list_files (originals);
  g_assert_cmpuint (original_files->len, ==, g_hash_table_size (sums));
  for (guint i = 0; i < original_files->len; i++)
    {
      g_autofree char *path = g_build_filename (originals, original_files->pdata[i], NULL);
      g_autofree char *name = g_path_get_basename (path);
      g_autofree char *sum = kho_store_sha256_file (path, NULL);

      g_assert_cmpstr (sum, ==, name);
      g_assert_true (g_hash_table_contains (sums, name));
    }
  pdf_files = list_files (pdfa);
  g_assert_cmpuint (pdf_files->len, ==, g_hash_table_size (sums));

  assert_folder_empty (f, tmp);
  assert_folder_empty (f, quarantine);
  assert_folder_empty (f, f->inbox);
}

/* --- Fixture --- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  (void) data;
  f->dir = g_dir_make_tmp ("kho-watch-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->archive = g_build_filename (f->dir, "archive", NULL);
  f->inbox = g_build_filename (f->archive, "inbox", NULL);
  f->staging = g_build_filename (f->dir, "staging", NULL);
  f->log = g_build_filename (f->dir, "watch.log", NULL);
  f->env = g_get_environ ();
  g_assert_cmpint (g_mkdir (f->staging, 0755), ==, 0);
  out = run_kho (f, "init", NULL);
  set_config (f, "settle-ms", 300);
  g_test_message ("archive %s, watch log %s", f->archive, f->log);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  (void) data;
  if (f->watch > 0)
    {
      pid_t group = f->watch;

      kill (-group, SIGKILL);
      wait_group_gone (f, group);
      f->watch = 0;
      live_group = 0;
    }
  if (g_test_failed () || g_getenv ("KHO_TEST_KEEP"))
    g_test_message ("kept %s for inspection", f->dir);
  else
    kho_store_remove_tree (f->dir, NULL);
  g_free (f->dir);
  g_free (f->archive);
  g_free (f->inbox);
  g_free (f->staging);
  g_free (f->log);
  g_strfreev (f->env);
}

/* --- /watch/crash-safety --- */

static guint32
base_seed (void)
{
  const char *forced = g_getenv ("KHO_TEST_SEED");

  return forced ? (guint32) g_ascii_strtoull (forced, NULL, 10) : (guint32) g_test_rand_int ();
}

/* Input @i of the crash test: the samples in turn, each copy with its own
 * last byte; some in a subfolder. */
static void
drop_crash_input (Fixture *f, int i, GHashTable *sums)
{
  const Sample *sample = samples->pdata[i % samples->len];
  g_autofree char *name = g_strdup_printf ("%scrash-%02d-%s", i % 7 == 3 ? "lo-2/" : "", i,
                                           sample->name);
  g_autoptr (GBytes) bytes = input_bytes (sample, i);

  g_hash_table_add (sums, drop_input (f, name, bytes));
}

static void
test_crash_safety (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint32 seed = base_seed ();
  g_autoptr (GRand) plan = g_rand_new_with_seed (seed);
  gint64 start = g_get_monotonic_time ();
  int worker_kill_rounds[CRASH_WORKER_KILLS];
  int next = 0;

  (void) data;
  g_test_message ("seed %" G_GUINT32_FORMAT " (KHO_TEST_SEED=%" G_GUINT32_FORMAT
                  " replays it); round r uses seed + r", seed, seed);
  worker_kill_rounds[0] = g_rand_int_range (plan, 0, CRASH_ROUNDS);
  do
    worker_kill_rounds[1] = g_rand_int_range (plan, 0, CRASH_ROUNDS);
  while (worker_kill_rounds[1] == worker_kill_rounds[0]);

  /* A job held at every power cut must not reach quarantine here: the
   * limit of orphanings in a row is above the number of group kills
   * (/watch/orphan-limit checks the limit). */
  set_config (f, "orphan-limit", CRASH_ROUNDS + 1);
  watch_start (f, 2);
  for (; next < CRASH_FIRST_DROP; next++)
    drop_crash_input (f, next, sums);

  for (int round = 0; round < CRASH_ROUNDS; round++)
    {
      guint32 round_seed = seed + (guint32) round;
      g_autoptr (GRand) rand = g_rand_new_with_seed (round_seed);
      int delay_ms = g_rand_int_range (rand, 500, 4001);
      gboolean one_worker = round == worker_kill_rounds[0] || round == worker_kill_rounds[1];
      /* More inputs arrive while it works (rounds 1 and 6) and right
       * after a kill, before it is started again (round 3). */
      gboolean drop_during = round == 1 || round == 6;
      gboolean drop_after = round == 3;
      const char *what;

      if (drop_during)
        {
          g_usleep ((gulong) delay_ms * 1000 / 2);
          for (int i = 0; i < 4; i++, next++)
            drop_crash_input (f, next, sums);
          g_usleep ((gulong) delay_ms * 1000 / 2);
        }
      else
        g_usleep ((gulong) delay_ms * 1000);

      if (one_worker)
        {
          g_autoptr (Status) status = status_get (f);
          /* One that holds a job, so that the kill costs an attempt. */
          GArray *pick = status->busy->len > 0 ? status->busy : status->workers;
          int pid;

          check_watch_alive (f, status->text);
          if (pick->len == 0)
            fail (f, status->text, "round %d: no worker to kill", round + 1);
          pid = g_array_index (pick, int, g_rand_int_range (rand, 0, (gint32) pick->len));
          /* Never anything but a process of this test. */
          g_assert_cmpint (getpgid (pid), ==, f->watch);
          g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
          append_log (f, "killed worker %d", pid);
          status_free (wait_until (f, worker_replaced, GINT_TO_POINTER (pid), 60,
                                   "the killed worker replaced"));
          g_assert_cmpint (kill (f->watch, 0), ==, 0);
          what = status->busy->len > 0 ? "killed a busy worker" : "killed an idle worker";
        }
      else
        {
          watch_kill (f);
          what = "killed the whole group";
        }
      if (drop_after)
        for (int i = 0; i < 4; i++, next++)
          drop_crash_input (f, next, sums);
      g_test_message ("round %d/%d (seed %" G_GUINT32_FORMAT "): %s after %d ms; "
                      "%" G_GINT64_FORMAT " documents archived so far",
                      round + 1, CRASH_ROUNDS, round_seed, what, delay_ms,
                      db_int (f, "SELECT count(*) FROM documents WHERE status = 'archived'",
                              NULL));
      if (f->watch == 0)
        watch_start (f, 2);
    }
  g_assert_cmpint (next, ==, CRASH_INPUTS);
  g_assert_cmpuint (g_hash_table_size (sums), ==, CRASH_INPUTS);

  {
    g_autoptr (Status) done = wait_until (f, all_archived, GINT_TO_POINTER (CRASH_INPUTS), 600,
                                          "all 30 inputs archived after the kills");

    g_assert_cmpint (status_documents (done), ==, CRASH_INPUTS);
    g_assert_cmpint (status_jobs (done, "quarantined"), ==, 0);
    g_assert_cmpint (status_jobs (done, "failed"), ==, 0);
    g_assert_cmpint (status_jobs (done, "gone"), ==, 0);
  }
  watch_stop (f, SIGTERM);
  g_test_message ("crash-safety: %.1f s in all",
                  (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);

  check_archive (f, sums);
  /* Every job done; none got near quarantine. */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE state <> 'done'", NULL), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE status <> 'archived'",
                           NULL), ==, 0);
  /* Only the single-worker kills counted an attempt, not the power cuts. */
  g_assert_cmpint (db_int (f, "SELECT coalesce(sum(attempts), 0) FROM jobs", NULL), <=,
                   CRASH_WORKER_KILLS);
  /* … and counted as orphanings instead, at most one per group kill. */
  g_assert_cmpint (db_int (f, "SELECT coalesce(max(orphaned), 0) FROM jobs", NULL), <=,
                   CRASH_ROUNDS - CRASH_WORKER_KILLS);
  g_test_message ("jobs: %" G_GINT64_FORMAT " for %d inputs; %" G_GINT64_FORMAT
                  " with a failed attempt",
                  db_int (f, "SELECT count(*) FROM jobs", NULL), CRASH_INPUTS,
                  db_int (f, "SELECT count(*) FROM jobs WHERE attempts > 0", NULL));
}

/* --- /watch/crashing-worker --- */

/* data: the number of documents.  That many archived and the poison file
 * quarantined, nothing left to do. */
static gboolean
poison_quarantined (Fixture *f, const Status *status, gconstpointer data)
{
  (void) f;
  return status_documents (status) == GPOINTER_TO_INT (data) &&
         status_jobs (status, "quarantined") == 1 && status_active (status) == 0;
}

/* Checks the quarantine of @name (its bytes @bytes) after 3 crashes; returns its job. */
static gint64
check_poison_quarantine (Fixture *f, const Status *status, const char *name, GBytes *bytes)
{
  g_autofree char *path = g_build_filename (f->archive, "quarantine", name, NULL);
  g_autofree char *report_path = g_strconcat (path, ".error.txt", NULL);
  g_autofree char *report = NULL;
  g_autofree char *inbox_path = g_build_filename (f->inbox, name, NULL);
  JsonArray *list = json_object_get_array_member (status->root, "quarantine");
  JsonObject *entry;
  gint64 job;

  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  entry = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "file"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==, path);
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 3);
  job = json_object_get_int_member (entry, "job");

  assert_file_bytes (path, bytes);
  g_assert_false (g_file_test (inbox_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (report_path, &report, NULL, NULL));
  g_assert_true (g_utf8_validate (report, -1, NULL));
  g_assert_nonnull (strstr (report, name));
  g_assert_nonnull (strstr (report, "Attempts: 3"));
  g_assert_nonnull (strstr (report, "Failed at"));
  g_assert_nonnull (strstr (report, "Bước bị lỗi"));
  g_assert_nonnull (strstr (report, "signal 6"));  /* SIGABRT, the reason */
  /* Vietnamese first, then English. */
  g_assert_true (strstr (report, "Bước bị lỗi") < strstr (report, "Failed at"));
  {
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, job);

    g_assert_cmpint (db_int (f, "SELECT attempts FROM jobs WHERE id = ?", id, NULL), ==, 3);
  }
  return job;
}

static void
test_crashing_worker (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  static const char *const good[] = { "hoc-ba-lop-3a.png", "quyet-dinh-hoi-dong.tif",
                                      "thong-bao-khai-giang.pdf" };
  const char *poison_name = "poison-hoc-ba-lop-3a.png";
  g_autoptr (GBytes) poison = input_bytes (sample_named ("hoc-ba-lop-3a.png"), 'P');
  g_autofree char *poison_sum = NULL;
  g_autofree char *job_text = NULL;
  gint64 job;

  (void) data;
  f->env = g_environ_setenv (f->env, "KHO_TEST_ABORT_ON", "poison", TRUE);
  watch_start (f, 2);
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *name = g_strdup_printf ("good-%s", good[i]);

      g_hash_table_add (sums, drop_input (f, name, sample_named (good[i])->bytes));
    }
  poison_sum = drop_input (f, poison_name, poison);

  {
    g_autoptr (Status) status = wait_until (f, poison_quarantined, GINT_TO_POINTER (3), 180,
                                            "3 archived, the poison file quarantined");
    g_autoptr (Status) workers = NULL;

    job = check_poison_quarantine (f, status, poison_name, poison);
    /* The supervisor lives on, with a full set of workers. */
    g_assert_cmpint (kill (f->watch, 0), ==, 0);
    workers = wait_until (f, workers_alive, GINT_TO_POINTER (2), 30, "2 workers alive");
    assert_folder_empty (f, f->inbox);
  }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE sha256 = ?", poison_sum,
                           NULL), ==, 0);

  /* Put back while the hook still crashes the workers: quarantined again. */
  g_free (run_kho (f, "retry", "--all-failed", NULL));
  {
    g_autoptr (Status) status = wait_until (f, poison_quarantined, GINT_TO_POINTER (3), 180,
                                            "the poison file quarantined again after retry");

    g_assert_cmpint (check_poison_quarantine (f, status, poison_name, poison), ==, job);
  }
  watch_stop (f, SIGTERM);

  /* Without the hook the same file goes through. */
  f->env = g_environ_unsetenv (f->env, "KHO_TEST_ABORT_ON");
  watch_start (f, 2);
  job_text = g_strdup_printf ("%" G_GINT64_FORMAT, job);
  g_free (run_kho (f, "retry", job_text, NULL));
  g_hash_table_add (sums, g_steal_pointer (&poison_sum));
  {
    g_autoptr (Status) status = wait_until (f, all_archived, GINT_TO_POINTER (4), 180,
                                            "the poison file archived after kho retry");

    g_assert_cmpint (status_documents (status), ==, 4);
    g_assert_cmpint (status_jobs (status, "quarantined"), ==, 0);
  }
  watch_stop (f, SIGTERM);
  check_archive (f, sums);
}

/* --- /watch/orphan-limit --- */

/* Waits for kho watch to die by itself of SIGKILL (the KHO_TEST_HALT_ON
 * hook killed its whole group), and for its group to be gone. */
static void
watch_wait_halted (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  pid_t group = f->watch;
  int status = 0;

  while (waitpid (group, &status, WNOHANG) != group)
    {
      if (g_get_monotonic_time () > deadline)
        fail (f, NULL, "kho watch not halted by the hook after 120 s");
      g_usleep (50 * 1000);
    }
  f->watch = 0;
  wait_group_gone (f, group);
  live_group = 0;
  append_log (f, "kho watch %d halted by the hook", (int) group);
  if (!WIFSIGNALED (status) || WTERMSIG (status) != SIGKILL)
    fail (f, NULL, "kho watch ended with %s %d, not killed by the hook",
          WIFSIGNALED (status) ? "signal" : "exit status",
          WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
}

/* A file that brings the whole service down each time it is processed (a
 * kernel panic, the OOM killer taking the supervisor): each start takes its
 * job up again without counting a failed attempt, but after orphan-limit
 * (2) such deaths in a row it goes to quarantine with its report, and the
 * other files are archived.  One worker, so that no other job is held when
 * the group dies. */
static void
test_orphan_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *halt_name = "halt-quyet-dinh-hoi-dong.tif";
  g_autoptr (GBytes) halt = input_bytes (sample_named ("quyet-dinh-hoi-dong.tif"), 'H');
  g_autofree char *halt_sum = NULL;
  g_autofree char *quarantined = g_build_filename (f->archive, "quarantine", halt_name, NULL);
  g_autofree char *report_path = g_strconcat (quarantined, ".error.txt", NULL);
  g_autofree char *report = NULL;

  (void) data;
  set_config (f, "orphan-limit", 2);
  f->env = g_environ_setenv (f->env, "KHO_TEST_HALT_ON", "halt-", TRUE);
  halt_sum = drop_input (f, halt_name, halt);
  watch_start (f, 1);
  watch_wait_halted (f);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE name = ? AND state = 'running' "
                           "AND orphaned = 0 AND attempts = 0", halt_name, NULL), ==, 1);

  /* The good files arrive while it is down: queued after the halting job. */
  g_hash_table_add (sums, drop_input (f, "good-hoc-ba-lop-3a.png",
                                      sample_named ("hoc-ba-lop-3a.png")->bytes));
  g_hash_table_add (sums, drop_input (f, "good-thong-bao-khai-giang.pdf",
                                      sample_named ("thong-bao-khai-giang.pdf")->bytes));
  /* The second start takes it up again (one orphaning, no attempt), and
   * dies of it again. */
  watch_start (f, 1);
  watch_wait_halted (f);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE name = ? AND state = 'running' "
                           "AND orphaned = 1 AND attempts = 0", halt_name, NULL), ==, 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE status = 'archived'", NULL),
                   ==, 0);
  {
    /* kho status counts it (running, orphaned once) while kho is down. */
    g_autoptr (Status) status = status_get (f);

    g_assert_cmpint (status_jobs (status, "orphaned"), ==, 1);
  }

  /* The third start finds it orphaned twice: quarantine, the rest archived. */
  watch_start (f, 1);
  {
    g_autoptr (Status) status = wait_until (f, poison_quarantined, GINT_TO_POINTER (2), 180,
                                            "2 archived, the halting file quarantined");
    JsonArray *list = json_object_get_array_member (status->root, "quarantine");
    JsonObject *entry;

    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    entry = json_array_get_object_element (list, 0);
    g_assert_cmpstr (json_object_get_string_member (entry, "file"), ==, halt_name);
    g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==, quarantined);
    g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (entry, "orphaned"), ==, 2);
  }
  watch_stop (f, SIGTERM);

  assert_file_bytes (quarantined, halt);
  g_assert_true (g_file_get_contents (report_path, &report, NULL, NULL));
  g_assert_true (g_utf8_validate (report, -1, NULL));
  g_assert_nonnull (strstr (report, halt_name));
  /* KHO_LANG=en: the reason in English under both headings. */
  g_assert_nonnull (strstr (report, "Lỗi: kho stopped 2 times in a row while it was processing "
                                    "this file (a power cut"));
  g_assert_nonnull (strstr (report, "Error: kho stopped 2 times in a row while it was "
                                    "processing this file (a power cut"));
  g_assert_nonnull (strstr (report, "journalctl -u kho-watch"));
  g_assert_nonnull (strstr (report, "Failed at: intake\n"));
  g_assert_nonnull (strstr (report, "Attempts: 1\n"));
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE name = ? AND state = "
                           "'quarantined' AND orphaned = 2 AND attempts = 1", halt_name, NULL),
                   ==, 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE sha256 = ?", halt_sum, NULL),
                   ==, 0);
  /* The good files were never held when the group died. */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE state = 'done' AND orphaned = 0 "
                           "AND attempts = 0", NULL), ==, 2);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs", NULL), ==, 3);
  assert_folder_empty (f, f->inbox);
  g_assert_true (g_remove (quarantined) == 0 && g_remove (report_path) == 0);
  check_archive (f, sums);
}

/* --- /watch/slow-writer --- */

static void
test_slow_writer (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Two writers, 8 pieces each, one piece every 0.4 s: one opens and
   * closes the file for each piece, the other keeps it open. */
  const char *names[2] = { "slow-reopened.png", "slow-kept-open.tif" };
  g_autoptr (GBytes) closing = input_bytes (sample_named ("hoc-ba-lop-3a.png"), 'S');
  g_autoptr (GBytes) open_bytes = input_bytes (sample_named ("quyet-dinh-hoi-dong.tif"), 'S');
  GBytes *contents[2] = { closing, open_bytes };
  g_autofree char *path0 = g_build_filename (f->inbox, names[0], NULL);
  g_autofree char *path1 = g_build_filename (f->inbox, names[1], NULL);
  const char *paths[2] = { path0, path1 };
  int kept_fd = -1;
  const int pieces = 8;

  (void) data;
  set_config (f, "settle-ms", 1000);
  watch_start (f, 2);
  g_usleep (500 * 1000);  /* the inbox is watched */
  for (int piece = 0; piece < pieces; piece++)
    {
      for (int w = 0; w < 2; w++)
        {
          gsize size;
          const guint8 *bytes = g_bytes_get_data (contents[w], &size);
          gsize from = size * (gsize) piece / (gsize) pieces;
          gsize to = size * (gsize) (piece + 1) / (gsize) pieces;
          int fd = w == 1 && kept_fd >= 0
                       ? kept_fd
                       : open (paths[w], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

          g_assert_cmpint (fd, >=, 0);
          g_assert_cmpint (write (fd, bytes + from, to - from), ==, (gssize) (to - from));
          if (w == 1)
            kept_fd = fd;
          else
            g_assert_cmpint (close (fd), ==, 0);
        }
      g_usleep (400 * 1000);
    }
  g_assert_cmpint (close (kept_fd), ==, 0);
  for (int w = 0; w < 2; w++)
    g_hash_table_add (sums, kho_store_sha256_bytes (contents[w]));

  {
    g_autoptr (Status) status = wait_until (f, all_archived, GINT_TO_POINTER (2), 180,
                                            "both slowly written files archived");

    g_assert_cmpint (status_jobs (status, "quarantined"), ==, 0);
    g_assert_cmpint (status_jobs (status, "failed"), ==, 0);
  }
  watch_stop (f, SIGTERM);
  /* Taken once each, whole: one job, done. */
  for (int w = 0; w < 2; w++)
    {
      g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE name = ?", names[w], NULL),
                       ==, 1);
      g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE name = ? AND state = 'done' "
                                  "AND attempts = 0", names[w], NULL), ==, 1);
    }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs", NULL), ==, 2);
  check_archive (f, sums);
}

/* --- /watch/disk-full --- */

/* Both jobs have met the full disk. */
static gboolean
hit_full_disk (Fixture *f, const Status *status, gconstpointer data)
{
  (void) status, (void) data;
  return db_int (f, "SELECT count(*) FROM jobs WHERE error LIKE '%space%'", NULL) == 2;
}

static void
test_disk_full (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *flag = g_build_filename (f->dir, "disk-full", NULL);
  g_autofree char *tmp = g_build_filename (f->archive, "tmp", NULL);
  g_autofree char *quarantine = g_build_filename (f->archive, "quarantine", NULL);
  const char *names[2] = { "full-quyet-dinh-hoi-dong.tif", "full-thong-bao-khai-giang.pdf" };
  g_autoptr (GBytes) first = input_bytes (sample_named ("quyet-dinh-hoi-dong.tif"), 'D');
  g_autoptr (GBytes) second = input_bytes (sample_named ("thong-bao-khai-giang.pdf"), 'D');
  GBytes *contents[2] = { first, second };
  gboolean saw_waiting = FALSE;

  (void) data;
  set_config (f, "retry-delay", 1);
  g_assert_true (g_file_set_contents (flag, "", 0, NULL));
  f->env = g_environ_setenv (f->env, "KHO_TEST_ENOSPC", flag, TRUE);
  watch_start (f, 2);
  for (int i = 0; i < 2; i++)
    g_hash_table_add (sums, drop_input (f, names[i], contents[i]));

  status_free (wait_until (f, hit_full_disk, NULL, 120,
                          "both inputs met the full disk"));
  /* Several retries later: still waiting, nothing lost, nothing blamed
   * on the files. */
  for (int i = 0; i < 12; i++)
    {
      g_autoptr (Status) status = status_get (f);

      check_watch_alive (f, status->text);
      saw_waiting |= status_jobs (status, "waiting") > 0;
      if (status_documents (status) != 0 || status_jobs (status, "quarantined") != 0 ||
          status_jobs (status, "failed") != 0 || status_jobs (status, "done") != 0)
        fail (f, status->text, "with the disk full, a job ended");
      g_usleep (POLL_MS * 1000);
    }
  g_test_message ("status showed jobs waiting to be retried: %s", saw_waiting ? "yes" : "no");
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (f->inbox, names[i], NULL);

      assert_file_bytes (path, contents[i]);
    }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE status = 'archived'", NULL),
                   ==, 0);
  /* A full disk is not the file's fault: no attempt counted. */
  g_assert_cmpint (db_int (f, "SELECT coalesce(max(attempts), 0) FROM jobs", NULL), ==, 0);
  assert_folder_empty (f, quarantine);
  {
    /* A worker may be in the middle of a (failing) write: what it leaves
     * must be gone at a second look. */
    g_autoptr (GPtrArray) staged = list_files (tmp);

    if (staged->len > 0)
      {
        g_usleep (500 * 1000);
        assert_folder_empty (f, tmp);
      }
  }

  /* Space again: both archived. */
  g_assert_cmpint (g_unlink (flag), ==, 0);
  status_free (wait_until (f, all_archived, GINT_TO_POINTER (2), 180,
                          "both inputs archived once the disk has space"));
  watch_stop (f, SIGTERM);
  check_archive (f, sums);
}

/* --- /watch/ignored --- */

/* One archived, the link and the garbage refused, nothing left to do. */
static gboolean
refused (Fixture *f, const Status *status, gconstpointer data)
{
  (void) f, (void) data;
  return status_documents (status) == 1 && status_jobs (status, "quarantined") == 2 &&
         status_active (status) == 0;
}

/* One document archived, one input quarantined, nothing left to do. */
static gboolean
refused_one (Fixture *f, const Status *status, gconstpointer data)
{
  (void) f, (void) data;
  return status_documents (status) == 1 && status_jobs (status, "quarantined") == 1 &&
         status_active (status) == 0;
}

/* The report of quarantined @name: it names the file, and says @reason
 * after @attempts attempts. */
static void
check_report (Fixture *f, const char *name, const char *reason, int attempts)
{
  g_autofree char *path = g_build_filename (f->archive, "quarantine", name, NULL);
  g_autofree char *report_path = g_strconcat (path, ".error.txt", NULL);
  g_autofree char *report = NULL;
  g_autofree char *attempts_line = g_strdup_printf ("Attempts: %d\n", attempts);

  if (!g_file_get_contents (report_path, &report, NULL, NULL))
    fail (f, NULL, "%s: no report in quarantine", report_path);
  g_assert_nonnull (strstr (report, name));
  g_assert_nonnull (strstr (report, reason));
  g_assert_nonnull (strstr (report, attempts_line));
  g_assert_cmpint (db_int (f, "SELECT attempts FROM jobs WHERE name = ?", name, NULL), ==,
                   attempts);
}

static void
test_ignored (Fixture *f, gconstpointer data)
{
  static const char *const ignored[] = { ".hidden.png", "Thumbs.db", "scan.part", "x.tmp",
                                         "~$doc.png" };
  const Sample *sample = sample_named ("hoc-ba-lop-3a.png");
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GBytes) normal = input_bytes (sample, 'N');
  g_autoptr (GBytes) target_bytes = input_bytes (sample, 'T');
  g_autoptr (GBytes) garbage = g_bytes_new_static ("not an image, only words\n", 25);
  g_autofree char *target = g_build_filename (f->dir, "target.png", NULL);
  g_autofree char *link = g_build_filename (f->inbox, "link.png", NULL);
  g_autofree char *quarantined = g_build_filename (f->archive, "quarantine", "link.png", NULL);
  g_autofree char *garbage_path = g_build_filename (f->archive, "quarantine", "garbage.png",
                                                    NULL);
  g_autofree char *target_sum = kho_store_sha256_bytes (target_bytes);
  g_autofree char *target_link = NULL;
  struct stat st;

  (void) data;
  watch_start (f, 2);
  for (guint i = 0; i < G_N_ELEMENTS (ignored); i++)
    {
      g_autoptr (GBytes) bytes = input_bytes (sample, (int) i);

      g_free (drop_input (f, ignored[i], bytes));
    }
  g_assert_true (g_file_set_contents (target, g_bytes_get_data (target_bytes, NULL),
                                      (gssize) g_bytes_get_size (target_bytes), NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_free (drop_input (f, "garbage.png", garbage));
  g_hash_table_add (sums, drop_input (f, "normal.png", normal));

  status_free (wait_until (f, refused, NULL, 120,
                           "normal.png archived, link.png and garbage.png refused"));
  /* Give the ignored files a further settle time, then look again. */
  g_usleep (1500 * 1000);
  {
    g_autoptr (Status) status = status_get (f);

    g_assert_cmpint (status_documents (status), ==, 1);
    g_assert_cmpint (status_active (status), ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (ignored); i++)
    {
      g_autofree char *path = g_build_filename (f->inbox, ignored[i], NULL);
      g_autoptr (GBytes) bytes = input_bytes (sample, (int) i);

      assert_file_bytes (path, bytes);
      g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs WHERE name = ?", ignored[i], NULL),
                       ==, 0);
    }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM jobs", NULL), ==, 3);

  /* The link is out of the inbox, in quarantine as the link it was, with
   * its report; what it pointed at is untouched and not archived. */
  g_assert_cmpint (lstat (link, &st), !=, 0);
  g_assert_cmpint (lstat (quarantined, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  target_link = g_file_read_link (quarantined, NULL);
  g_assert_cmpstr (target_link, ==, target);
  assert_file_bytes (target, target_bytes);
  check_report (f, "link.png", "symbolic link", 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE sha256 = ?", target_sum,
                           NULL), ==, 0);
  /* A file the decoder refuses goes at once, as it was. */
  assert_file_bytes (garbage_path, garbage);
  check_report (f, "garbage.png", "Failed at", 1);

  /* Ctrl-C stops it as cleanly as SIGTERM. */
  watch_stop (f, SIGINT);
  {
    g_autoptr (Status) status = status_get (f);

    g_assert_false (json_object_get_boolean_member (status->root, "watching"));
    g_assert_cmpuint (status->workers->len, ==, 0);
  }
  {
    sqlite3 *handle = db_open (f);
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (handle, "SELECT sha256, status FROM documents", -1,
                                         &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_true (g_hash_table_contains (sums, (const char *) sqlite3_column_text (stmt, 0)));
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "archived");
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
    sqlite3_close (handle);
  }
}

/* --- /watch/crashing-inputs --- */

#define POISON_INPUTS 4

/* data: the number of quarantined inputs.  One archived, those in
 * quarantine, nothing left to do. */
static gboolean
all_poison_quarantined (Fixture *f, const Status *status, gconstpointer data)
{
  (void) f;
  return status_documents (status) == 1 &&
         status_jobs (status, "quarantined") == GPOINTER_TO_INT (data) &&
         status_active (status) == 0;
}

/* Several inputs that each crash a worker arrive together: each goes to
 * quarantine after its 3 attempts, and kho watch keeps serving the good
 * file beside them.  (Its guard against workers that cannot start at all
 * must not take a worker that crashed on a job for one.) */
static void
test_crashing_inputs (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 start = g_get_monotonic_time ();

  (void) data;
  f->env = g_environ_setenv (f->env, "KHO_TEST_ABORT_ON", "poison", TRUE);
  watch_start (f, 2);
  for (int i = 0; i < POISON_INPUTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("poison-%d.png", i);
      g_autoptr (GBytes) bytes = input_bytes (sample_named ("hoc-ba-lop-3a.png"), i);

      g_free (drop_input (f, name, bytes));
    }
  /* The good file comes once the others are queued, so that it is
   * claimed after them: the workers then crash one after the other. */
  while (db_int (f, "SELECT count(*) FROM jobs", NULL) < POISON_INPUTS)
    {
      check_watch_alive (f, NULL);
      if (g_get_monotonic_time () - start > 60 * G_USEC_PER_SEC)
        fail (f, NULL, "the %d inputs were not queued within 60 s", POISON_INPUTS);
      g_usleep (50 * 1000);
    }
  g_hash_table_add (sums, drop_input (f, "good.tif",
                                      sample_named ("quyet-dinh-hoi-dong.tif")->bytes));

  for (;;)
    {
      g_autoptr (Status) status = status_get (f);
      int wait_status;

      if (all_poison_quarantined (f, status, GINT_TO_POINTER (POISON_INPUTS)))
        break;
      if (waitpid (f->watch, &wait_status, WNOHANG) == f->watch)
        {
          g_autofree char *tail = log_tail (f, 6);
          g_autofree char *message = NULL;

          f->watch = 0;
          wait_group_gone (f, live_group);
          live_group = 0;
          g_test_message ("end of the watch log:\n%s", tail);
          message = g_strdup_printf (
              "kho watch stopped by itself (exit status %d) after workers crashed on %d "
              "inputs in quick succession, leaving good.tif unarchived",
              WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1, POISON_INPUTS);
          fail (f, status->text, "%s", message);
        }
      if (g_get_monotonic_time () - start > 180 * G_USEC_PER_SEC)
        fail (f, status->text, "timed out waiting for %d inputs in quarantine, one archived",
              POISON_INPUTS);
      g_usleep (POLL_MS * 1000);
    }
  g_test_message ("%d inputs quarantined, one archived: after %.1f s", POISON_INPUTS,
                  (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  for (int i = 0; i < POISON_INPUTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("poison-%d.png", i);
      g_autofree char *path = g_build_filename (f->archive, "quarantine", name, NULL);
      g_autoptr (GBytes) bytes = input_bytes (sample_named ("hoc-ba-lop-3a.png"), i);

      assert_file_bytes (path, bytes);
      check_report (f, name, "signal 6", 3);
    }
  status_free (wait_until (f, workers_alive, GINT_TO_POINTER (2), 30, "2 workers alive"));
  watch_stop (f, SIGTERM);
  assert_folder_empty (f, f->inbox);
}

/* --- main --- */

/* --- /watch/split-on-blank --- */

/* A feeder scan: the 3 pages of the kế hoạch, a blank page with scanner
 * dust, the 2 pages of the quyết định.  Made with tests/integration/
 * blank_tiff.py and tiffcp (libtiff-tools). */
static GBytes *
feeder_scan (Fixture *f)
{
  g_autofree char *blank = g_build_filename (f->staging, "blank.tif", NULL);
  g_autofree char *batch = g_build_filename (f->staging, "batch.tif", NULL);
  g_autofree char *script = g_build_filename (KHO_TEST_SRCDIR, "tests", "integration",
                                              "blank_tiff.py", NULL);
  g_autofree char *plan = g_build_filename (KHO_TEST_SRCDIR, "sample-scans", "ke-hoach-so-hoa.tif",
                                            NULL);
  g_autofree char *decision = g_build_filename (KHO_TEST_SRCDIR, "sample-scans",
                                                "quyet-dinh-hoi-dong.tif", NULL);
  const char *make_blank[] = { "python3", script, blank, NULL };
  const char *join[] = { "tiffcp", plan, blank, decision, batch, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) make_blank, NULL, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, NULL, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_true (g_spawn_sync (NULL, (char **) join, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_true (g_file_get_contents (batch, &contents, &length, &error));
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

static gboolean
two_archived (Fixture *f, const Status *status, gconstpointer data)
{
  (void) f, (void) data;
  return status_documents (status) == 2 && status_active (status) == 0;
}

/* With split-on-blank in the archive's [watch] settings, a feeder scan
 * dropped into the inbox becomes one document per part; the blank page is
 * in none; the scan leaves the inbox once both are archived. */
static void
test_split_on_blank (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->archive, "kho.conf", NULL);
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (GBytes) batch = feeder_scan (f);
  g_autoptr (Status) status = NULL;
  g_autofree char *sum = NULL;

  (void) data;
  g_assert_true (g_key_file_load_from_file (keys, path, G_KEY_FILE_KEEP_COMMENTS, NULL));
  g_key_file_set_boolean (keys, "watch", "split-on-blank", TRUE);
  g_assert_true (g_key_file_save_to_file (keys, path, NULL));
  set_config (f, "rescan-interval", 1);
  watch_start (f, 2);
  sum = drop_input (f, "batch.tif", batch);
  status = wait_until (f, two_archived, NULL, 300, "the two parts of the scan archived");
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE sha256 = ? AND "
                              "status = 'archived'", sum, NULL), ==, 2);
  g_assert_cmpint (db_int (f, "SELECT sum(page_count) FROM documents WHERE sha256 = ?", sum,
                           NULL), ==, 5);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE sha256 = ? AND part = 2 "
                              "AND first_page = 5 AND last_page = 6", sum, NULL), ==, 1);
  assert_folder_empty (f, f->inbox);
  /* With its queue empty, kho watch merges the full-text index: the two
   * parts, indexed one transaction each, end in one segment. */
  for (int waited = 0; db_int (f, "SELECT count(DISTINCT segid) FROM doc_fts_idx", NULL) != 1;
       waited++)
    {
      if (waited == 100)
        fail (f, NULL, "the full-text index was not merged within 20 s of the queue emptying");
      g_usleep (200 * 1000);
    }
  watch_stop (f, SIGTERM);
}

/* --- /watch/memory-limit --- */

/* A PNG of @side × @side white RGB pixels, written row by row: small on
 * disk, hundreds of megabytes once decoded. */
static GBytes *
huge_png (int side)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-huge-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "huge.png", NULL);
  g_autofree guint8 *row = g_malloc ((gsize) side * 3);
  g_autofree char *contents = NULL;
  gsize length;
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  FILE *out = fopen (path, "wb");

  g_assert_nonnull (out);
  g_assert_true (setjmp (png_jmpbuf (png)) == 0);
  memset (row, 0xff, (gsize) side * 3);
  png_init_io (png, out);
  png_set_IHDR (png, info, (png_uint_32) side, (png_uint_32) side, 8, PNG_COLOR_TYPE_RGB,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_pHYs (png, info, 11811, 11811, PNG_RESOLUTION_METER);  /* 300 dpi */
  png_write_info (png, info);
  for (int y = 0; y < side; y++)
    png_write_row (png, row);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  fclose (out);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_unlink (path);
  g_rmdir (dir);
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

/* A file that would need more memory than a worker may have (a 144 Mpx
 * colour page against a 700 MB address space) costs only itself: it ends
 * in quarantine with its report, the file beside it is archived, and the
 * supervisor and its workers live on. */
static void
test_memory_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GBytes) huge = huge_png (12000);
  g_autoptr (Status) status = NULL;
  g_autoptr (Status) workers = NULL;
  g_autofree char *huge_sum = NULL;
  g_autofree char *kept = NULL;

  (void) data;
  set_config (f, "worker-memory-mb", 700);
  watch_start (f, 2);
  huge_sum = drop_input (f, "huge.png", huge);
  g_hash_table_add (sums, drop_input (f, "good.tif",
                                      sample_named ("quyet-dinh-hoi-dong.tif")->bytes));
  status = wait_until (f, refused_one, NULL, 300, "the huge page quarantined, one archived");
  kept = g_build_filename (f->archive, "quarantine", "huge.png", NULL);
  assert_file_bytes (kept, huge);
  {
    g_autofree char *report_path = g_strconcat (kept, ".error.txt", NULL);
    g_autofree char *report = NULL;

    g_assert_true (g_file_get_contents (report_path, &report, NULL, NULL));
    g_test_message ("report:\n%s", report);
    g_assert_nonnull (strstr (report, "huge.png"));
  }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM documents WHERE sha256 = ?", huge_sum,
                           NULL), ==, 0);
  g_assert_cmpint (kill (f->watch, 0), ==, 0);
  workers = wait_until (f, workers_alive, GINT_TO_POINTER (2), 30, "2 workers alive");
  assert_folder_empty (f, f->inbox);
  watch_stop (f, SIGTERM);
}

static int
compare_samples (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Sample *const *) a)->name, (*(Sample *const *) b)->name);
}

static void
load_samples (void)
{
  g_autofree char *folder = g_build_filename (KHO_TEST_SRCDIR, "sample-scans", NULL);
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  samples = g_ptr_array_new ();
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      Sample *sample;
      char *contents = NULL;
      gsize length = 0;

      if (!g_str_has_suffix (name, ".tif") && !g_str_has_suffix (name, ".png") &&
          !g_str_has_suffix (name, ".jpg") && !g_str_has_suffix (name, ".pdf"))
        continue;
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      sample = g_new0 (Sample, 1);
      sample->name = g_strdup (name);
      sample->bytes = g_bytes_new_take (contents, length);
      g_ptr_array_add (samples, sample);
    }
  g_assert_cmpuint (samples->len, ==, 5);
  g_ptr_array_sort (samples, compare_samples);
}

int
main (int argc, char **argv)
{
  static const int fatal[] = { SIGABRT, SIGTRAP, SIGSEGV, SIGBUS, SIGTERM, SIGINT };
  int status;

  g_test_init (&argc, &argv, NULL);
  kho = g_getenv ("KHO_BINARY");
  if (kho == NULL)
    {
      g_printerr ("KHO_BINARY is not set\n");
      return 1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fatal); i++)
    signal (fatal[i], on_fatal_signal);
  /* Orphaned workers of a killed supervisor become our children. */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  load_samples ();

  g_test_add ("/watch/crash-safety", Fixture, NULL, fixture_set_up, test_crash_safety,
              fixture_tear_down);
  g_test_add ("/watch/crashing-worker", Fixture, NULL, fixture_set_up, test_crashing_worker,
              fixture_tear_down);
  g_test_add ("/watch/orphan-limit", Fixture, NULL, fixture_set_up, test_orphan_limit,
              fixture_tear_down);
  g_test_add ("/watch/slow-writer", Fixture, NULL, fixture_set_up, test_slow_writer,
              fixture_tear_down);
  g_test_add ("/watch/disk-full", Fixture, NULL, fixture_set_up, test_disk_full,
              fixture_tear_down);
  g_test_add ("/watch/ignored", Fixture, NULL, fixture_set_up, test_ignored, fixture_tear_down);
  g_test_add ("/watch/memory-limit", Fixture, NULL, fixture_set_up, test_memory_limit,
              fixture_tear_down);
  g_test_add ("/watch/split-on-blank", Fixture, NULL, fixture_set_up, test_split_on_blank,
              fixture_tear_down);
  g_test_add ("/watch/crashing-inputs", Fixture, NULL, fixture_set_up, test_crashing_inputs,
              fixture_tear_down);
  status = g_test_run ();
  for (guint i = 0; i < samples->len; i++)
    {
      Sample *sample = samples->pdata[i];

      g_free (sample->name);
      g_bytes_unref (sample->bytes);
      g_free (sample);
    }
  g_ptr_array_unref (samples);
  return status;
}
