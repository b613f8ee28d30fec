/* watch.c — kho watch: the supervisor, its workers, quarantine. */
#define G_LOG_DOMAIN "kho-watch"
#include "pipeline/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "store/originals.h"

#define LOCK_NAME "watch.lock"
#define ORIGIN "watch"

/* How often the supervisor looks at the files it is waiting for. */
#define TICK_MS 200
/* How long a new supervisor waits for the processes of the last one. */
#define LOCK_WAIT_S 60
/* An empty file is taken (and refused) after this long. */
#define EMPTY_WAIT_S 30
/* A worker idle this long looks at the queue even without being woken. */
#define IDLE_POLL_MS 2000

/* --- Files of the inbox --- */

/* TRUE for names a scanner, a copy or an office program leaves beside
 * the real files while it works, and for the .error.txt of quarantine. */
static gboolean
is_ignored_name (const char *base)
{
  static const char *const suffixes[] = { ".part", ".tmp", ".crdownload", ".partial",
                                          ".lock", ".lck", ".swp", ".error.txt" };

  if (base[0] == '.' || g_str_has_prefix (base, "~$") || g_str_has_prefix (base, "~lock."))
    return TRUE;
  if (g_ascii_strcasecmp (base, "Thumbs.db") == 0 ||
      g_ascii_strcasecmp (base, "desktop.ini") == 0 ||
      g_ascii_strcasecmp (base, "ehthumbs.db") == 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      gsize n = strlen (base), m = strlen (suffixes[i]);

      if (n >= m && g_ascii_strcasecmp (base + n - m, suffixes[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

/* TRUE when some component of @name (relative to the inbox) is ignored:
 * a file inside ".staging/" is not taken either. */
static gboolean
is_ignored_path (const char *name)
{
  g_auto (GStrv) parts = g_strsplit (name, "/", -1);

  for (int i = 0; parts[i]; i++)
    if (*parts[i] && is_ignored_name (parts[i]))
      return TRUE;
  return FALSE;
}

static gint64
mtime_us (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

static gboolean
fsync_dir_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* @path, or when taken, the same with " (2)", " (3)"… before the extension. */
static char *
free_path (const char *path)
{
  const char *base = strrchr (path, '/');
  const char *dot = strrchr (base ? base : path, '.');
  gsize stem = dot && dot != (base ? base + 1 : path) ? (gsize) (dot - path) : strlen (path);

  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return g_strdup (path);
  for (int i = 2;; i++)
    {
      char *candidate = g_strdup_printf ("%.*s (%d)%s", (int) stem, path, i, path + stem);

      if (!g_file_test (candidate, G_FILE_TEST_EXISTS) &&
          !g_file_test (candidate, G_FILE_TEST_IS_SYMLINK))
        return candidate;
      g_free (candidate);
    }
}

/* Moves @from to @to (a free name), across file systems too: the inbox may
 * be a network folder mounted apart from the archive. */
static gboolean
move_file (const char *from, const char *to, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (to);
  g_autoptr (GFile) source = NULL;
  g_autoptr (GFile) dest = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  if (g_rename (from, to) == 0)
    {
      fsync_dir_of (to);
      fsync_dir_of (from);
      return TRUE;
    }
  if (errno != EXDEV)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s → %s: %s", from,
                   to, g_strerror (errno));
      return FALSE;
    }
  source = g_file_new_for_path (from);
  dest = g_file_new_for_path (to);
  return g_file_move (source, dest, G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_ALL_METADATA,
                      NULL, NULL, NULL, error);
}

/* --- Quarantine --- */

/* Stage names for the .error.txt, which is written in both languages
 * whatever the language of the messages (gettext gives one). */
static const struct {
  const char *stage, *vi, *en;
} stage_names[] = {
  { "intake", "tiếp nhận tệp", "intake" },
  { "ocr", "xử lý ảnh và nhận dạng chữ (OCR)", "image preparation and OCR" },
  { "classify", "phân loại và trích xuất thông tin", "classification and metadata" },
  { "assemble", "tạo bản PDF/A", "PDF/A assembly" },
  { "index", "lập chỉ mục", "indexing" },
};

static const char *
stage_name (const char *stage, gboolean vietnamese)
{
  for (guint i = 0; i < G_N_ELEMENTS (stage_names); i++)
    if (g_strcmp0 (stage, stage_names[i].stage) == 0)
      return vietnamese ? stage_names[i].vi : stage_names[i].en;
  return stage;
}

static char *
error_report (const KhoJob *job, const char *stage, const char *error_text, int attempts)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *vi_time = g_date_time_format (now, "%H:%M:%S ngày %d/%m/%Y");
  g_autofree char *en_time = g_date_time_format (now, "%Y-%m-%d %H:%M:%S %z");

  return g_strdup_printf (
      "kho không lưu được tệp này vào kho lưu trữ.\n"
      "Tệp: %s\n"
      "Bước bị lỗi: %s\n"
      "Lỗi: %s\n"
      "Số lần thử: %d\n"
      "Thời gian: %s\n"
      "Cách xử lý: kiểm tra tệp (quét lại nếu cần), rồi chạy \"kho retry %" G_GINT64_FORMAT
      "\" để xử lý lại.\n"
      "\n"
      "kho could not archive this file.\n"
      "File: %s\n"
      "Failed at: %s\n"
      "Error: %s\n"
      "Attempts: %d\n"
      "Time: %s\n"
      "What to do: check the file (scan it again if needed), then run \"kho retry %"
      G_GINT64_FORMAT "\" to process it again.\n",
      job->name, stage_name (stage, TRUE), error_text, attempts, vi_time, job->id, job->name,
      stage_name (stage, FALSE), error_text, attempts, en_time, job->id);
}

/* Removes the document an interrupted attempt left unfinished for @sha256,
 * so that the catalogue holds nothing of a quarantined input. */
static void
drop_unfinished (KhoArchive *archive, const char *sha256, const char *reason)
{
  g_autofree char *original = NULL;
  g_autoptr (KhoDocument) kept = NULL;

  if (sha256 == NULL)
    return;
  /* A split scan may have several unfinished parts. */
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (KhoDocument) doc = kho_db_find_sha256 (archive->db, sha256, NULL);
      g_autofree char *pdf = NULL;

      if (doc == NULL || g_strcmp0 (doc->status, "processing") != 0)
        break;
      if (!kho_db_begin (archive->db, &error) ||
          !kho_db_add_event (archive->db, doc->id, doc->stage, "failed", -1, NULL, reason,
                             &error) ||
          !kho_db_delete_document (archive->db, doc->id, &error) ||
          !kho_db_commit (archive->db, &error))
        {
          kho_db_rollback (archive->db);
          g_warning ("%s: %s", doc->file_name, error->message);
          return;
        }
      pdf = kho_store_pdf_path (archive->root, doc->archive_id);
      kho_store_remove (pdf, NULL);
    }
  /* The archived parts of a split scan keep its original. */
  kept = kho_db_find_sha256 (archive->db, sha256, NULL);
  if (kept == NULL)
    {
      original = kho_store_original_path (archive->root, sha256);
      kho_store_remove (original, NULL);
    }
}

gboolean
kho_quarantine (KhoArchive *archive, const KhoJob *job, int holder, const char *stage,
                const char *error_text, GError **error)
{
  g_autofree char *wanted = g_build_filename (archive->root, "quarantine", job->name, NULL);
  g_autofree char *dest = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *report = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gboolean had_input = g_file_test (job->source, G_FILE_TEST_EXISTS) ||
                       g_file_test (job->source, G_FILE_TEST_IS_SYMLINK);

  dest = free_path (wanted);
  report_path = g_strconcat (dest, ".error.txt", NULL);
  report = error_report (job, stage, error_text, job->attempts + 1);
  bytes = g_bytes_new_take (report, strlen (report));
  report = NULL;
  /* The report first: a crash between the two leaves a report for a file
   * that is still in the inbox, never a quarantined file without one. */
  if (had_input)
    {
      g_autofree char *dir = g_path_get_dirname (dest);

      if (g_mkdir_with_parents (dir, 0755) != 0 ||
          !kho_store_write_atomic (archive->root, report_path, bytes, error) ||
          !move_file (job->source, dest, error))
        return FALSE;
      g_chmod (report_path, 0644);
    }
  drop_unfinished (archive, job->sha256, error_text);
  if (!kho_queue_finish (archive->db, job->id, holder, "quarantined", NULL, stage, error_text,
                         had_input ? dest : NULL, error))
    return error == NULL || *error == NULL;
  g_message (_("%s: moved to quarantine (%s): %s"), job->name, stage, error_text);
  return TRUE;
}

gboolean
kho_retry (KhoArchive *archive, gint64 id, GError **error)
{
  g_autoptr (KhoJob) job = kho_queue_get (archive->db, id, error);
  g_autofree char *source = NULL;
  g_autofree char *report = NULL;

  if (job == NULL)
    {
      if (error && *error == NULL)
        g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND, _("no job %lld"), (long long) id);
      return FALSE;
    }
  if (g_strcmp0 (job->state, "quarantined") != 0 && g_strcmp0 (job->state, "failed") != 0)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND,
                   _("job %lld (%s) is not in quarantine"), (long long) id, job->name);
      return FALSE;
    }
  source = free_path (job->source);
  if (job->quarantine)
    {
      if (!move_file (job->quarantine, source, error))
        return FALSE;
      report = g_strconcat (job->quarantine, ".error.txt", NULL);
      g_unlink (report);
    }
  else if (!g_file_test (source, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND,
                   _("job %lld (%s): its file is no longer anywhere"), (long long) id,
                   job->name);
      return FALSE;
    }
  return kho_queue_retry (archive->db, id, source, error);
}

/* --- Workers --- */

static volatile sig_atomic_t worker_stop = 0;
static gboolean worker_fatal = FALSE;  /* the worker cannot run any job */
static KhoRunner *worker_runner = NULL;

static void
on_worker_signal (int signo)
{
  (void) signo;
  worker_stop = 1;
  if (worker_runner)
    kho_runner_cancel (worker_runner);
}

typedef struct {
  KhoIngestResult result;  /* copy of the job's result */
  gboolean have;
  int cpu_limit_s;         /* CPU seconds a page may take */
} WorkerRun;

/* Lets the worker use @seconds more CPU time before the kernel stops it:
 * one hostile page cannot keep a core for ever. */
static void
allow_cpu (int seconds)
{
  struct rusage usage;
  struct rlimit limit;

  if (seconds <= 0 || getrusage (RUSAGE_SELF, &usage) != 0 || getrlimit (RLIMIT_CPU, &limit) != 0)
    return;
  limit.rlim_cur = (rlim_t) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + seconds);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max)
    limit.rlim_cur = limit.rlim_max;
  setrlimit (RLIMIT_CPU, &limit);
}

static void
worker_run_clear (WorkerRun *run)
{
  g_free (run->result.file);
  g_free (run->result.archive_id);
  g_free (run->result.sha256);
  g_free (run->result.error);
  g_free (run->result.stage);
  memset (&run->result, 0, sizeof run->result);
}

static void
worker_on_result (const KhoIngestResult *result, gpointer data)
{
  WorkerRun *run = data;

  /* A split scan has a result per part: the job keeps the first failure,
   * else the first document. */
  if (run->have && (run->result.status == KHO_INGEST_FAILED ||
                    result->status != KHO_INGEST_FAILED))
    return;
  worker_run_clear (run);
  run->have = TRUE;
  run->result = *result;
  run->result.file = g_strdup (result->file);
  run->result.archive_id = g_strdup (result->archive_id);
  run->result.sha256 = g_strdup (result->sha256);
  run->result.error = g_strdup (result->error);
  run->result.stage = g_strdup (result->stage);
}

static void
worker_on_progress (int pages_done, int pages_total, int files_done, int files_total,
                    gpointer data)
{
  WorkerRun *run = data;

  (void) pages_done, (void) pages_total, (void) files_done, (void) files_total;
  allow_cpu (run->cpu_limit_s);
}


/* Records archived (or duplicate) job @job as done, with its tag on the
 * document, then takes the input out of the inbox. */
static void
job_done (KhoArchive *archive, const KhoJob *job, const char *archive_id, gboolean remove)
{
  g_autoptr (GError) error = NULL;
  gint64 doc_id = kho_db_resolve (archive->db, archive_id, NULL);
  const char *tag = job->tag;

  if (!kho_db_begin (archive->db, &error) ||
      (tag && doc_id > 0 && !kho_db_add_tag (archive->db, doc_id, tag, &error)) ||
      !kho_queue_finish (archive->db, job->id, getpid (), "done", archive_id, NULL, NULL, NULL,
                         &error) ||
      !kho_db_commit (archive->db, &error))
    {
      kho_db_rollback (archive->db);
      if (error)
        g_warning ("%s: %s", job->name, error->message);
      return;  /* the input stays: it will be seen again as a duplicate */
    }
  /* The document is archived and recorded: only now may the input go. */
  if (!remove)
    g_message (_("%s: changed while it was archived; the new version will be taken at the "
                 "next look"), job->name);
  else if (g_unlink (job->source) != 0 && errno != ENOENT)
    g_warning (_("%s: archived as %s, but cannot remove it from the inbox: %s"), job->name,
               archive_id, g_strerror (errno));
  else
    fsync_dir_of (job->source);
}

/* TRUE when the input of @job is still what was archived: the same size
 * and time as when it was queued, and the same content before (@before)
 * and during the run (@archived).  A scanner that paused longer than the
 * settle time may have added pages since: that file must stay. */
static gboolean
unchanged (const KhoJob *job, const char *before, const char *archived)
{
  struct stat st;

  return lstat (job->source, &st) == 0 && st.st_size == job->size &&
         mtime_us (&st) == job->mtime && g_strcmp0 (before, archived) == 0;
}

/* For the tests: KHO_TEST_ABORT_ON=TEXT makes a worker abort, as a
 * crashing decoder would, on every input whose name contains TEXT. */
static void
abort_hook (const KhoJob *job)
{
  const char *marker = g_getenv ("KHO_TEST_ABORT_ON");

  if (marker && *marker && strstr (job->name, marker))
    abort ();
}

/* For the tests: KHO_TEST_HALT_ON=TEXT makes a worker kill its whole
 * process group, supervisor included, on every input whose name contains
 * TEXT, as a file that brings the machine down would: the job is left
 * held, for the next supervisor to find orphaned. */
static void
halt_hook (const KhoJob *job)
{
  const char *marker = g_getenv ("KHO_TEST_HALT_ON");

  if (marker && *marker && strstr (job->name, marker))
    kill (0, SIGKILL);
}

/* Runs claimed job @job. */
static void
worker_job (KhoArchive *archive, KhoRunner *runner, KhoJob *job)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new ();
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autofree char *sha256 = NULL;
  WorkerRun run = { 0 };
  struct stat st;
  int pid = getpid ();

  abort_hook (job);
  halt_hook (job);
  if (lstat (job->source, &st) != 0)
    {
      /* Gone: archived by an attempt that could not record it, or taken
       * away by someone. */
      g_autoptr (KhoDocument) doc = job->sha256 ? kho_db_find_sha256 (archive->db, job->sha256,
                                                                      NULL)
                                                : NULL;

      if (doc && g_strcmp0 (doc->status, "archived") == 0)
        job_done (archive, job, doc->archive_id, TRUE);
      else
        {
          g_autofree char *message = g_strdup_printf (_("%s: the file left the inbox before "
                                                        "it was archived"), job->name);
          g_message ("%s", message);
          kho_queue_finish (archive->db, job->id, pid, "gone", NULL, "intake", message, NULL,
                            NULL);
        }
      return;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *message = g_strdup_printf (
          S_ISLNK (st.st_mode) ? _("%s: a symbolic link, not a file: refused")
                               : _("%s: not a regular file: refused"),
          job->name);

      if (!kho_quarantine (archive, job, pid, "intake", message, &error))
        g_warning ("%s: %s", job->name, error->message);
      return;
    }
  sha256 = kho_store_sha256_file (job->source, NULL);
  if (sha256 && !kho_queue_set_sha256 (archive->db, job->id, pid, sha256, &error))
    {
      /* A copy of the same file is in another worker's hands: wait for it,
       * and this one will be a duplicate. */
      if (error)
        g_warning ("%s: %s", job->name, error->message);
      kho_queue_requeue (archive->db, job->id, pid, 1, FALSE, NULL, NULL, NULL);
      return;
    }

  g_ptr_array_add (files, job->source);
  g_ptr_array_add (names, job->name);
  run.cpu_limit_s = archive->page_timeout_s * 2;
  allow_cpu (run.cpu_limit_s);
  {
    KhoRunnerCallbacks callbacks = { worker_on_result, worker_on_progress, &run };

    if (kho_runner_run (runner, files, names, 0, &callbacks, &error) < 0 && !run.have)
      {
        /* The run itself could not go on (no language data): not the
         * file's fault, and every job would fail alike. */
        g_critical ("%s", error->message);
        kho_queue_requeue (archive->db, job->id, pid, archive->retry_delay_s, FALSE, "intake",
                           error->message, NULL);
        worker_stop = 1;
        worker_fatal = TRUE;
        return;
      }
  }
  allow_cpu (0);
  if (!run.have)  /* stopped before it began */
    kho_queue_requeue (archive->db, job->id, pid, 0, FALSE, NULL, NULL, NULL);
  else if (run.result.status != KHO_INGEST_FAILED)
    {
      g_message (run.result.status == KHO_INGEST_ARCHIVED ? _("%s: archived as %s")
                                                          : _("%s: already archived as %s"),
                 job->name, run.result.archive_id);
      job_done (archive, job, run.result.archive_id,
                unchanged (job, sha256, run.result.sha256));
    }
  else if (run.result.retry)
    {
      /* The machine failed, not the file: it stays in the inbox. */
      int delay = worker_stop ? 0 : archive->retry_delay_s;

      g_message (_("%s: will be tried again: %s"), job->name, run.result.error);
      kho_queue_requeue (archive->db, job->id, pid, delay, FALSE, run.result.stage,
                         run.result.error, NULL);
    }
  else if (lstat (job->source, &st) == 0 && (st.st_size != job->size || mtime_us (&st) != job->mtime))
    {
      /* Still being written after all: try the whole file later. */
      g_message (_("%s: changed while it was read; will be taken again"), job->name);
      kho_queue_requeue (archive->db, job->id, pid, MAX (1, archive->settle_ms / 1000), FALSE,
                         run.result.stage, run.result.error, NULL);
    }
  else if (!kho_quarantine (archive, job, pid, run.result.stage, run.result.error, &error))
    g_warning ("%s: %s", job->name, error->message);
  worker_run_clear (&run);
}

/* Waits until the supervisor writes to our standard input (a job was
 * queued) or for a while; FALSE when the supervisor is gone. */
static gboolean
worker_wait (void)
{
  struct pollfd fd = { .fd = STDIN_FILENO, .events = POLLIN };
  char buffer[64];

  if (poll (&fd, 1, IDLE_POLL_MS) > 0)
    {
      ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        return FALSE;
    }
  return TRUE;
}

gboolean
kho_worker_run (KhoArchive *archive, const KhoRunnerOptions *options, GError **error)
{
  KhoRunnerOptions worker_options = *options;
  struct sigaction action = { 0 };
  int pid = getpid ();

  if (archive->worker_memory_mb > 0)
    {
      struct rlimit limit;

      limit.rlim_cur = limit.rlim_max = (rlim_t) archive->worker_memory_mb << 20;
      if (setrlimit (RLIMIT_AS, &limit) != 0)
        g_warning ("cannot limit the worker's memory: %s", g_strerror (errno));
    }
  /* One page at a time: the supervisor runs one worker per core. */
  worker_options.workers = 1;
  worker_options.split_on_blank = archive->split_on_blank;
  worker_runner = kho_runner_new (archive, &worker_options);
  action.sa_handler = on_worker_signal;
  sigemptyset (&action.sa_mask);
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGINT, &action, NULL);

  while (!worker_stop)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (KhoJob) job = kho_queue_claim (archive->db, ORIGIN, pid, &local);

      if (job)
        {
          g_debug ("worker %d: job %" G_GINT64_FORMAT " %s", pid, job->id, job->name);
          worker_job (archive, worker_runner, job);
          continue;
        }
      if (local)
        {
          g_warning ("%s", local->message);
          g_usleep (G_USEC_PER_SEC);
        }
      if (!worker_wait ())
        break;
    }
  kho_runner_free (g_steal_pointer (&worker_runner));
  if (worker_fatal)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, _("the worker cannot run"));
      return FALSE;
    }
  return TRUE;
}

/* --- The supervisor --- */

typedef struct {
  gint64 last_event_us;  /* monotonic */
  gint64 size, mtime;    /* at the last look */
} Candidate;

typedef struct Supervisor Supervisor;

typedef struct {
  Supervisor *supervisor;
  GSubprocess *process;
  int pid;
  gint64 started_us;
} Worker;

struct Supervisor {
  KhoArchive *archive;
  char *inbox;
  char *self;
  int n_workers;
  int lock_fd;
  GMainLoop *loop;
  GHashTable *candidates;  /* absolute path → Candidate */
  GHashTable *monitors;    /* folder → GFileMonitor */
  GPtrArray *workers;      /* Worker* alive */
  gboolean stopping;
  int fast_deaths;         /* workers in a row that died right after starting */
  gboolean failed;         /* the workers cannot start: stop */
  guint respawn_source;
  int merged_done;         /* jobs done when the index was last merged; -1 never */
};

static void spawn_workers (Supervisor *sup);
static void scan_folder (Supervisor *sup, const char *dir);

static char *
inbox_name (Supervisor *sup, const char *path)
{
  gsize n = strlen (sup->inbox);

  if (strncmp (path, sup->inbox, n) == 0 && path[n] == '/')
    return g_strdup (path + n + 1);
  return g_path_get_basename (path);
}

/* Notes an event (or a sighting) of @path: it is looked at again once it
 * has been quiet for the settle time. */
static void
touch (Supervisor *sup, const char *path)
{
  Candidate *candidate = g_hash_table_lookup (sup->candidates, path);
  struct stat st;

  if (candidate == NULL)
    {
      candidate = g_new0 (Candidate, 1);
      candidate->size = candidate->mtime = -1;
      g_hash_table_insert (sup->candidates, g_strdup (path), candidate);
    }
  candidate->last_event_us = g_get_monotonic_time ();
  if (lstat (path, &st) == 0)
    {
      candidate->size = st.st_size;
      candidate->mtime = mtime_us (&st);
    }
}

static void
wake_workers (Supervisor *sup)
{
  for (guint i = 0; i < sup->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (sup->workers, i);
      GOutputStream *in = g_subprocess_get_stdin_pipe (worker->process);

      if (in)
        g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (in), "\n", 1,
                                                    NULL, NULL);
    }
}

/* Queues settled file @path.  Returns FALSE to keep waiting for it. */
static gboolean
take (Supervisor *sup, const char *path, Candidate *candidate)
{
  KhoArchive *archive = sup->archive;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = inbox_name (sup, path);
  struct stat st;
  gint64 id;

  if (lstat (path, &st) != 0)
    return TRUE;  /* gone */
  if (S_ISDIR (st.st_mode))
    return TRUE;  /* on_changed() and the rescans watch folders */
  if (st.st_size != candidate->size || mtime_us (&st) != candidate->mtime)
    {
      /* Changed since the last look: still being written. */
      candidate->size = st.st_size;
      candidate->mtime = mtime_us (&st);
      candidate->last_event_us = g_get_monotonic_time ();
      return FALSE;
    }
  /* Created, not yet written: wait for its bytes, a while. */
  if (S_ISREG (st.st_mode) && st.st_size == 0 &&
      g_get_monotonic_time () - candidate->last_event_us < EMPTY_WAIT_S * G_USEC_PER_SEC)
    return FALSE;
  id = kho_queue_add (archive->db, ORIGIN, path, name, kho_archive_tag_for (archive, name),
                      st.st_size, mtime_us (&st), 0, &error);
  if (id < 0)
    {
      g_warning ("%s: %s", name, error->message);
      return FALSE;
    }
  if (id > 0)
    {
      g_debug ("%s: queued as job %" G_GINT64_FORMAT, name, id);
      wake_workers (sup);
    }
  return TRUE;
}

static gboolean
on_tick (gpointer data)
{
  Supervisor *sup = data;
  gint64 now = g_get_monotonic_time ();
  gint64 settle_us = (gint64) sup->archive->settle_ms * 1000;
  GHashTableIter iter;
  gpointer key, value;

  if (sup->stopping)
    return G_SOURCE_CONTINUE;
  g_hash_table_iter_init (&iter, sup->candidates);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Candidate *candidate = value;

      if (now - candidate->last_event_us < settle_us)
        continue;
      if (take (sup, key, candidate))
        g_hash_table_iter_remove (&iter);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_changed (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
            gpointer data)
{
  Supervisor *sup = data;
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *name = NULL;

  (void) monitor, (void) other;
  if (path == NULL)
    return;
  name = inbox_name (sup, path);
  if (is_ignored_path (name))
    return;
  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        scan_folder (sup, path);
      else
        touch (sup, path);
      break;
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      g_hash_table_remove (sup->candidates, path);
      g_hash_table_remove (sup->monitors, path);
      break;
    default:
      break;
    }
}

/* Watches @dir (once) and notes every file in it and below. */
static void
scan_folder (Supervisor *sup, const char *dir)
{
  g_autoptr (GDir) handle = NULL;
  const char *entry;

  if (!g_hash_table_contains (sup->monitors, dir))
    {
      g_autoptr (GFile) file = g_file_new_for_path (dir);
      g_autoptr (GError) error = NULL;
      GFileMonitor *monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL,
                                                        &error);

      if (monitor == NULL)
        g_warning ("%s: %s", dir, error->message);
      else
        {
          g_signal_connect (monitor, "changed", G_CALLBACK (on_changed), sup);
          g_hash_table_insert (sup->monitors, g_strdup (dir), monitor);
        }
    }
  handle = g_dir_open (dir, 0, NULL);
  while (handle && (entry = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      struct stat st;

      if (is_ignored_name (entry) || lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        scan_folder (sup, path);
      else if (!g_hash_table_contains (sup->candidates, path) &&
               !kho_queue_has_active (sup->archive->db, path, NULL))
        touch (sup, path);
    }
}

/* With nothing queued or running, the full-text index is merged
 * (kho_db_merge_index): each document indexed wrote a segment of its own,
 * and a search looks words up in every segment.  A few short steps per
 * rescan, so that the supervisor stays responsive and a file arriving
 * meanwhile waits a moment at most. */
#define MERGE_STEPS 8
#define MERGE_PAGES 500

static void
merge_index_when_idle (Supervisor *sup)
{
  KhoQueueCounts counts;
  g_autoptr (GError) error = NULL;

  if (!kho_queue_counts (sup->archive->db, &counts, &error))
    return;
  if (counts.queued + counts.waiting + counts.running > 0 || counts.done == sup->merged_done)
    return;
  for (int i = 0; i < MERGE_STEPS; i++)
    {
      gboolean more;

      if (!kho_db_merge_index (sup->archive->db, MERGE_PAGES, &more, &error))
        {
          g_warning (_("merging the full-text index: %s"), error->message);
          return;
        }
      if (!more)
        {
          sup->merged_done = counts.done;
          return;
        }
    }
}

static gboolean
on_rescan (gpointer data)
{
  Supervisor *sup = data;

  if (!sup->stopping)
    {
      scan_folder (sup, sup->inbox);
      merge_index_when_idle (sup);
    }
  return G_SOURCE_CONTINUE;
}

/* What the wait status of a dead worker says, for the log and the report. */
static char *
death_text (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    {
      int signo = g_subprocess_get_term_sig (process);

      return g_strdup_printf (_("the worker process died of signal %d (%s)"), signo,
                              g_strsignal (signo));
    }
  return g_strdup_printf (_("the worker process exited with status %d"),
                          g_subprocess_get_exit_status (process));
}

/* The stage a job of input @sha256 was in: the one after its document's
 * last committed stage. */
static const char *
job_stage (KhoArchive *archive, const char *sha256)
{
  g_autoptr (KhoDocument) doc = sha256 ? kho_db_find_sha256 (archive->db, sha256, NULL) : NULL;

  return doc ? kho_stage_next (doc->stage) : "intake";
}

/* A worker died while holding jobs: each one failed an attempt.  Returns
 * how many it held. */
static int
fail_held_jobs (Supervisor *sup, int pid, const char *why)
{
  int held = 0;
  KhoArchive *archive = sup->archive;
  g_autoptr (GPtrArray) running = kho_queue_list (archive->db, "running", ORIGIN, NULL);

  for (guint i = 0; running && i < running->len; i++)
    {
      KhoJob *job = g_ptr_array_index (running, i);
      const char *stage;
      g_autoptr (GError) error = NULL;

      if (job->worker != pid)
        continue;
      held++;
      stage = job_stage (archive, job->sha256);
      g_warning (_("%s: %s (stage %s, attempt %d of %d)"), job->name, why, stage,
                 job->attempts + 1, archive->attempts);
      if (job->attempts + 1 >= archive->attempts)
        {
          if (!kho_quarantine (archive, job, pid, stage, why, &error))
            g_warning ("%s: %s", job->name, error->message);
        }
      else if (!kho_queue_requeue (archive->db, job->id, pid, 0, TRUE, stage, why, &error) &&
               error)
        g_warning ("%s: %s", job->name, error->message);
    }
  return held;
}

static gboolean
on_respawn (gpointer data)
{
  Supervisor *sup = data;

  sup->respawn_source = 0;
  spawn_workers (sup);
  return G_SOURCE_REMOVE;
}

static void
on_worker_exit (GObject *object, GAsyncResult *result, gpointer data)
{
  Worker *worker = data;
  Supervisor *sup = worker->supervisor;
  GSubprocess *process = G_SUBPROCESS (object);
  gboolean clean;
  int held = 0;

  g_subprocess_wait_finish (process, result, NULL);
  clean = g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
  g_ptr_array_remove (sup->workers, worker);
  kho_queue_worker_remove (sup->archive->db, worker->pid, NULL);
  if (!clean || !sup->stopping)
    {
      g_autofree char *why = death_text (process);

      g_warning (_("worker %d: %s"), worker->pid, why);
      held = fail_held_jobs (sup, worker->pid, why);
      /* It may have died after recording its document and before taking
       * the input out of the inbox: look again now, not at the next
       * rescan, and the input is found to be archived already. */
      if (!sup->stopping)
        scan_folder (sup, sup->inbox);
      /* And what it was writing, half-done, goes. */
      kho_store_clean_staging (sup->archive->root);
    }
  /* A worker that cannot even start (no language data, a broken install)
   * would die again at once: stop rather than spin.  One that died on a
   * file it held is the file's doing, counted against the file. */
  if (g_get_monotonic_time () - worker->started_us < 2 * G_USEC_PER_SEC && !sup->stopping &&
      held == 0)
    sup->fast_deaths++;
  else
    sup->fast_deaths = 0;
  g_object_unref (worker->process);
  g_free (worker);

  if (sup->stopping)
    {
      if (sup->workers->len == 0)
        g_main_loop_quit (sup->loop);
      return;
    }
  if (sup->fast_deaths >= 10)
    {
      g_critical (_("the workers die as soon as they start; stopping"));
      sup->failed = TRUE;
      sup->stopping = TRUE;
      if (sup->workers->len == 0)
        g_main_loop_quit (sup->loop);
      return;
    }
  if (sup->respawn_source == 0)
    sup->respawn_source = g_timeout_add (sup->fast_deaths ? 1000 : 100, on_respawn, sup);
}

static void
child_setup (gpointer data)
{
  (void) data;
  /* A worker does not outlive its supervisor: a new one would find the
   * jobs still held. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
spawn_workers (Supervisor *sup)
{
  while (!sup->stopping && (int) sup->workers->len < sup->n_workers)
    {
      g_autoptr (GSubprocessLauncher) launcher = NULL;
      g_autoptr (GError) error = NULL;
      Worker *worker;
      GSubprocess *process;
      int fd = dup (sup->lock_fd);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
      g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
      /* The worker holds the archive's watch lock too (fd 3), so that a
       * new supervisor waits for it. */
      if (fd >= 0)
        g_subprocess_launcher_take_fd (launcher, fd, 3);
      process = g_subprocess_launcher_spawn (launcher, &error, sup->self, "worker", "--archive",
                                             sup->archive->root, NULL);
      if (process == NULL)
        {
          g_critical (_("cannot start a worker: %s"), error->message);
          sup->failed = TRUE;
          g_main_loop_quit (sup->loop);
          return;
        }
      worker = g_new0 (Worker, 1);
      worker->supervisor = sup;
      worker->process = process;
      worker->pid = atoi (g_subprocess_get_identifier (process));
      worker->started_us = g_get_monotonic_time ();
      g_ptr_array_add (sup->workers, worker);
      kho_queue_worker_add (sup->archive->db, worker->pid, NULL);
      g_subprocess_wait_async (process, NULL, on_worker_exit, worker);
    }
}

static gboolean
on_stop_signal (gpointer data)
{
  Supervisor *sup = data;

  if (sup->stopping)
    return G_SOURCE_CONTINUE;
  g_message (_("stopping: the workers finish the page in hand"));
  sup->stopping = TRUE;
  for (guint i = 0; i < sup->workers->len; i++)
    g_subprocess_send_signal (((Worker *) g_ptr_array_index (sup->workers, i))->process, SIGTERM);
  if (sup->workers->len == 0)
    g_main_loop_quit (sup->loop);
  return G_SOURCE_CONTINUE;
}

/* Takes the archive's watch lock, waiting a while for the processes of a
 * supervisor that was killed (its workers die with it, but not at once). */
static int
take_lock (KhoArchive *archive, gboolean wait, GError **error)
{
  g_autofree char *path = g_build_filename (archive->root, LOCK_NAME, NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return -1;
    }
  for (int i = 0; flock (fd, LOCK_EX | LOCK_NB) != 0; i++)
    {
      if (errno != EWOULDBLOCK || !wait || i >= LOCK_WAIT_S * 10)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                       _("another kho watch is running on %s"), archive->root);
          close (fd);
          return -1;
        }
      g_usleep (G_USEC_PER_SEC / 10);
    }
  return fd;
}

char *
kho_watch_inbox (KhoArchive *archive)
{
  g_autofree char *path = g_build_filename (archive->root, LOCK_NAME, NULL);
  char *inbox = NULL;

  if (!kho_watch_is_running (archive) || !g_file_get_contents (path, &inbox, NULL, NULL) ||
      *inbox != '/')
    {
      g_free (inbox);
      return g_strdup (archive->inbox);
    }
  return inbox;
}

gboolean
kho_watch_is_running (KhoArchive *archive)
{
  int fd = take_lock (archive, FALSE, NULL);

  if (fd < 0)
    return TRUE;
  close (fd);
  return FALSE;
}

/* The reason in the report of a job orphaned @times times in a row. */
static char *
orphan_text (int times)
{
  return g_strdup_printf (ngettext ("kho stopped %d time in a row while it was processing this "
                                    "file (a power cut, or the whole service killed or crashed, "
                                    "e.g. the machine ran out of memory): the file may be what "
                                    "brings it down. Look at the system log of that time "
                                    "(journalctl -u kho-watch) before putting it back",
                                    "kho stopped %d times in a row while it was processing this "
                                    "file (a power cut, or the whole service killed or crashed, "
                                    "e.g. the machine ran out of memory): the file may be what "
                                    "brings it down. Look at the system log of that time "
                                    "(journalctl -u kho-watch) before putting it back",
                                    (unsigned long) times),
                          times);
}

/* After a crash, the jobs the dead processes held go back to the queue.
 * They are not counted as failed attempts: nobody saw why they stopped,
 * and a power cut is not the file's fault.  But a file that brings the
 * whole service down each time (a kernel panic, the OOM killer taking the
 * supervisor) would be taken up for ever: after `orphan-limit` such
 * deaths in a row it goes to quarantine like a file that failed. */
static gboolean
recover (Supervisor *sup, GError **error)
{
  KhoArchive *archive = sup->archive;
  g_autoptr (GPtrArray) running = kho_queue_list (archive->db, "running", ORIGIN, error);

  if (running == NULL || !kho_queue_workers_clear (archive->db, error))
    return FALSE;
  kho_store_clean_staging (archive->root);
  for (guint i = 0; i < running->len; i++)
    {
      KhoJob *job = g_ptr_array_index (running, i);
      g_autofree char *why = NULL;
      g_autoptr (GError) local = NULL;
      const char *stage;
      int orphaned = kho_queue_orphan (archive->db, job->id, archive->orphan_limit, error);

      if (orphaned < 0)
        return FALSE;
      if (orphaned == 0)
        continue;  /* no longer running */
      if (orphaned < archive->orphan_limit)
        {
          g_message (_("%s: taken up again after an interruption (%d in a row; quarantine "
                       "after %d)"), job->name, orphaned, archive->orphan_limit);
          continue;
        }
      stage = job_stage (archive, job->sha256);
      why = orphan_text (orphaned);
      g_warning (_("%s: kho stopped %d times in a row while processing it (stage %s)"),
                 job->name, orphaned, stage);
      if (!kho_quarantine (archive, job, 0, stage, why, &local))
        {
          /* Not lost: queued again, and counted again at the next death. */
          g_warning ("%s: %s", job->name, local->message);
          kho_queue_requeue (archive->db, job->id, 0, archive->retry_delay_s, FALSE, NULL, NULL,
                             NULL);
        }
    }
  return TRUE;
}

gboolean
kho_watch_run (KhoArchive *archive, const KhoWatchOptions *options, GError **error)
{
  Supervisor sup = { 0 };
  g_autofree char *inbox = NULL;
  guint tick, rescan, sigterm, sigint;

  inbox = g_canonicalize_filename (options->inbox ? options->inbox : archive->inbox, NULL);
  if (g_mkdir_with_parents (inbox, 0775) != 0 || !g_file_test (inbox, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("inbox %s: cannot create it: %s"), inbox, g_strerror (errno));
      return FALSE;
    }
  /* A worker that died must not take its supervisor with it when it is
   * woken through its closed pipe. */
  signal (SIGPIPE, SIG_IGN);
  sup.lock_fd = take_lock (archive, TRUE, error);
  if (sup.lock_fd < 0)
    return FALSE;
  /* The lock file says which inbox is watched, for kho status. */
  if (ftruncate (sup.lock_fd, 0) != 0 ||
      pwrite (sup.lock_fd, inbox, strlen (inbox), 0) != (ssize_t) strlen (inbox))
    g_debug ("cannot record the inbox in %s: %s", LOCK_NAME, g_strerror (errno));
  sup.archive = archive;
  sup.inbox = g_steal_pointer (&inbox);
  sup.self = g_strdup (options->self);
  sup.n_workers = options->workers > 0 ? options->workers
                  : archive->workers > 0 ? archive->workers
                                         : (int) g_get_num_processors ();
  sup.loop = g_main_loop_new (NULL, FALSE);
  sup.candidates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sup.monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  sup.workers = g_ptr_array_new ();
  sup.merged_done = -1;

  if (!recover (&sup, error))
    goto out;
  scan_folder (&sup, sup.inbox);
  spawn_workers (&sup);
  g_message (_("watching %s with %d workers"), sup.inbox, sup.n_workers);

  tick = g_timeout_add (TICK_MS, on_tick, &sup);
  rescan = g_timeout_add_seconds (MAX (1, archive->rescan_s), on_rescan, &sup);
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, &sup);
  sigint = g_unix_signal_add (SIGINT, on_stop_signal, &sup);
  if (!sup.failed)
    g_main_loop_run (sup.loop);
  g_source_remove (tick);
  g_source_remove (rescan);
  g_source_remove (sigterm);
  g_source_remove (sigint);
  if (sup.respawn_source)
    g_source_remove (sup.respawn_source);
  kho_queue_workers_clear (archive->db, NULL);
  if (sup.failed)
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                 _("the workers could not run; see the messages above"));

out:
  g_hash_table_unref (sup.candidates);
  g_hash_table_unref (sup.monitors);
  g_ptr_array_unref (sup.workers);
  g_main_loop_unref (sup.loop);
  g_free (sup.inbox);
  g_free (sup.self);
  close (sup.lock_fd);
  return !sup.failed && (error == NULL || *error == NULL);
}
