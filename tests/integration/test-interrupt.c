/* test-interrupt.c — kho ingest killed with SIGKILL at random moments,
 * then run again: every input ends archived exactly once under one archive
 * ID, nothing half-written remains, and the catalogue is intact; a
 * document killed in the middle of its OCR reads only the pages missing. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "index/tokenizer.h"
#include "store/originals.h"

#define ROUNDS 6

static const char *kho;
static char *archive;
static char *inputs;
static GPtrArray *input_sums;  /* SHA-256 of each input */

static char **
kho_argv (const char *first, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, g_strdup (kho));
  g_ptr_array_add (argv, g_strdup ("--archive"));
  g_ptr_array_add (argv, g_strdup (archive));
  va_start (args, first);
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

/* Copies the sample scans into a fresh input folder. */
static void
make_inputs (void)
{
  g_autofree char *samples = g_build_filename (KHO_TEST_SRCDIR, "sample-scans", NULL);
  g_autoptr (GDir) dir = g_dir_open (samples, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  inputs = g_dir_make_tmp ("kho-interrupt-in-XXXXXX", NULL);
  input_sums = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (samples, name, NULL);
      g_autofree char *to = g_build_filename (inputs, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_str_has_suffix (name, ".txt") || g_str_has_suffix (name, ".md") ||
          g_str_has_suffix (name, ".json"))
        continue;
      g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
      g_assert_true (g_file_set_contents (to, contents, (gssize) length, NULL));
      g_ptr_array_add (input_sums, kho_store_sha256_file (to, NULL));
    }
  g_assert_cmpuint (input_sums->len, >=, 5);
}

static int
count_files (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  int n = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);

      n += g_file_test (path, G_FILE_TEST_IS_DIR) ? count_files (path) : 1;
    }
  return n;
}

static void
test_killed_runs (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261129);

  for (int round = 0; round < ROUNDS; round++)
    {
      g_auto (GStrv) argv = kho_argv ("ingest", "--json", inputs, NULL);
      g_autoptr (GError) error = NULL;
      int delay_ms = g_rand_int_range (rand, 200, 7000);
      GPid pid;
      int status;

      g_assert_true (g_spawn_async (NULL, argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
      g_assert_no_error (error);
      g_usleep ((gulong) delay_ms * 1000);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_test_message ("round %d: killed after %d ms (%s)", round + 1, delay_ms,
                      WIFSIGNALED (status) ? "mid-run" : "it had finished");
    }

  /* The run after the crashes finishes the work. */
  {
    g_auto (GStrv) argv = kho_argv ("ingest", inputs, NULL);
    g_autoptr (GError) error = NULL;
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                                 NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
}

static void
test_archive_consistent (void)
{
  g_autofree char *db_path = g_build_filename (archive, "kho.db", NULL);
  g_autofree char *tmp = g_build_filename (archive, "tmp", NULL);
  g_autofree char *originals = g_build_filename (archive, "originals", NULL);
  g_autofree char *pdfa = g_build_filename (archive, "pdfa", NULL);
  g_autoptr (GHashTable) stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (kho_tokenizer_register (db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
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
      g_autofree char *expected_id = g_strdup_printf ("KHO-%04d-%06u",
                                                      g_date_time_get_year (now), n + 1);
      g_autofree char *original = kho_store_original_path (archive, sha);
      g_autofree char *pdf = kho_store_pdf_path (archive, id);
      g_autofree char *original_sum = kho_store_sha256_file (original, NULL);
      g_autofree char *pdf_sum = kho_store_sha256_file (pdf, NULL);

      /* One ID each, no gaps: a killed intake never consumed a serial. */
      g_assert_cmpstr (id, ==, expected_id);
      g_assert_cmpstr (status, ==, "archived");
      g_assert_cmpstr (original_sum, ==, sha);
      g_assert_cmpstr (pdf_sum, ==, pdf_sha);
      g_assert_false (g_hash_table_contains (stored, sha));
      g_hash_table_add (stored, g_strdup (sha));
      n++;
    }
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM doc_fts", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, (int) n);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* Exactly the inputs, each once. */
  g_assert_cmpuint (n, ==, input_sums->len);
  for (guint i = 0; i < input_sums->len; i++)
    g_assert_true (g_hash_table_contains (stored, g_ptr_array_index (input_sums, i)));
  g_assert_cmpint (count_files (originals), ==, (int) n);
  g_assert_cmpint (count_files (pdfa), ==, (int) n);
  g_assert_cmpint (count_files (tmp), ==, 0);
}

/* A document whose pages were read (OCR committed) when the power went is
 * assembled at the next run from what the catalogue kept: no second OCR,
 * the same archive ID, and a text layer with the words read the first time. */
static void
test_resume_after_ocr (void)
{
  g_autofree char *saved = archive;
  g_autofree char *input = g_build_filename (inputs, "ke-hoach-so-hoa.tif", NULL);
  g_autofree char *db_path = NULL;
  g_autofree char *pdf = NULL;
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "KHO_TEST_CRASH_AFTER", "ocr", TRUE);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int status = -1;

  archive = g_dir_make_tmp ("kho-interrupt-ocr-XXXXXX", NULL);
  db_path = g_build_filename (archive, "kho.db", NULL);
  {
    g_auto (GStrv) argv = kho_argv ("ingest", input, NULL);

    g_assert_true (g_spawn_sync (NULL, argv, env, G_SPAWN_STDOUT_TO_DEV_NULL |
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                                 &error));
    g_assert_true (WIFSIGNALED (status));  /* the hook cut it short */
  }
  {
    g_auto (GStrv) argv = kho_argv ("ingest", input, NULL);

    g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                                 NULL, &status, &error));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT (SELECT count(*) FROM documents WHERE status = 'archived'),"
      "       (SELECT count(*) FROM documents),"
      "       (SELECT count(*) FROM events WHERE stage = 'ocr'),"
      "       (SELECT count(*) FROM events WHERE stage = 'intake' AND status = 'resumed'),"
      "       (SELECT group_concat(text, '') FROM (SELECT text FROM pages ORDER BY number))",
      -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 1);
  g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 1);  /* read once */
  g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, 1);
  {
    /* The PDF's text layer holds the words read before the crash. */
    g_autofree char *stored = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
    g_autofree char *layer = NULL;
    const char *pdftotext[] = { "pdftotext", "-raw", "-enc", "UTF-8", NULL, "-", NULL };
    GString *a = g_string_new (NULL), *b = g_string_new (NULL);

    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *id = g_strdup_printf ("KHO-%04d-000001", g_date_time_get_year (now));
      pdf = kho_store_pdf_path (archive, id);
    }
    pdftotext[4] = pdf;
    g_assert_true (g_spawn_sync (NULL, (char **) pdftotext, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &layer, NULL, &status, &error));
    g_assert_no_error (error);
    for (const char *p = stored; *p; p++)
      if (!g_ascii_isspace (*p))
        g_string_append_c (a, *p);
    for (const char *p = layer; *p; p++)
      if (!g_ascii_isspace (*p) && *p != '\f')
        g_string_append_c (b, *p);
    g_assert_cmpuint (a->len, >, 1000);
    g_assert_cmpstr (a->str, ==, b->str);
    g_string_free (a, TRUE);
    g_string_free (b, TRUE);
  }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_free (archive);
  archive = g_steal_pointer (&saved);
}

/* The first column of the first row of @sql in the catalogue @db_path, as
 * text ("" for NULL). */
static char *
query_text (const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup (sqlite3_column_text (stmt, 0) ? (const char *) sqlite3_column_text (stmt, 0)
                                                  : "");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Every column of each page row of the only document, in page order. */
#define PAGE_ROWS_SQL                                                                     \
  "SELECT group_concat(row, char(10)) FROM (SELECT number || '|' || width || '|' || "    \
  "height || '|' || dpi || '|' || rotation || '|' || skew || '|' || text_source || '|' " \
  "|| confidence || '|' || blank || '|' || text || '|' || words AS row FROM pages "      \
  "ORDER BY number)"

static int
count_occurrences (const char *haystack, const char *needle)
{
  int n = 0;

  for (const char *p = strstr (haystack, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The images @pdf embeds, as pdfimages -all extracts them (the encoded
 * streams): one line "NAME SHA256" each, in page order. */
static char *
embedded_images (const char *pdf)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-interrupt-img-XXXXXX", NULL);
  g_autofree char *prefix = g_build_filename (dir, "p", NULL);
  const char *argv[] = { "pdfimages", "-all", pdf, prefix, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) listing = NULL;
  GString *out = g_string_new (NULL);
  const char *name;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autofree char *sum = kho_store_sha256_file (path, NULL);

      g_string_append_printf (out, "%s %s\n", (char *) names->pdata[i], sum);
    }
  g_assert_true (kho_store_remove_tree (dir, NULL));
  return g_string_free (out, FALSE);
}

/* The archive of a run of ke-hoach-so-hoa.tif never interrupted, made on
 * first use. */
static char *reference;

static const char *
reference_archive (void)
{
  g_autofree char *saved = archive;
  g_autofree char *input = g_build_filename (inputs, "ke-hoach-so-hoa.tif", NULL);
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) error = NULL;
  int status = -1;

  if (reference)
    {
      archive = g_steal_pointer (&saved);
      return reference;
    }
  reference = g_dir_make_tmp ("kho-interrupt-ref-XXXXXX", NULL);
  archive = g_strdup (reference);
  argv = kho_argv ("ingest", input, NULL);
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_free (archive);
  archive = g_steal_pointer (&saved);
  return reference;
}

/* Kills `kho ingest @input` (with @flag, or none when NULL) right after the
 * 2nd page of its document (the 3 pages of ke-hoach-so-hoa.tif) is
 * committed, runs it again, and checks that only page 3 was read again:
 * the first two come from the catalogue, turned and deskewed again from
 * their rows.  The result is the one of a run never interrupted: the same
 * page rows, the same page images in a valid PDF/A.  @where is the
 * document's "part first_page last_page". */
static void
check_resume_after_page (const char *input, const char *flag, const char *where)
{
  g_autofree char *saved = archive;
  g_autofree char *reference_db = g_build_filename (reference_archive (), "kho.db", NULL);
  g_autofree char *db_path = NULL;
  g_autofree char *name = g_path_get_basename (input);
  g_autofree char *input_sum = kho_store_sha256_file (input, NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *id = g_strdup_printf ("KHO-%04d-000001", g_date_time_get_year (now));
  g_auto (GStrv) crash_env = g_environ_setenv (g_get_environ (), "KHO_TEST_CRASH_AFTER_PAGE",
                                               "2", TRUE);
  g_auto (GStrv) debug_env = g_environ_setenv (g_get_environ (), "G_MESSAGES_DEBUG",
                                               "kho-pipeline", TRUE);
  const char *checker = g_getenv ("KHO_PDFA_CHECK");
  g_autoptr (GError) error = NULL;
  g_autofree char *log = NULL;
  int status = -1;

  g_assert_nonnull (checker);
  archive = g_dir_make_tmp ("kho-interrupt-page-XXXXXX", NULL);
  db_path = g_build_filename (archive, "kho.db", NULL);
  {
    /* One worker reads the pages in order: pages 1 and 2 are in when the
     * hook fires, page 3 is not. */
    g_auto (GStrv) argv = flag ? kho_argv ("ingest", "--workers", "1", flag, input, NULL)
                               : kho_argv ("ingest", "--workers", "1", input, NULL);

    g_assert_true (g_spawn_sync (NULL, argv, crash_env, G_SPAWN_STDOUT_TO_DEV_NULL |
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                                 &error));
    g_assert_no_error (error);
    g_assert_true (WIFSIGNALED (status));
    g_assert_cmpint (WTERMSIG (status), ==, SIGABRT);
  }
  {
    g_autofree char *state = query_text (db_path,
        "SELECT (SELECT group_concat(stage || ' ' || status) FROM documents) || ' pages ' || "
        "(SELECT group_concat(number) FROM (SELECT number FROM pages ORDER BY number)) || "
        "' ocr events ' || (SELECT count(*) FROM events WHERE stage = 'ocr')");

    /* Killed in its OCR stage, with two pages committed and the stage not. */
    g_assert_cmpstr (state, ==, "intake processing pages 1,2 ocr events 0");
  }

  {
    g_auto (GStrv) argv = flag ? kho_argv ("ingest", flag, input, NULL)
                               : kho_argv ("ingest", input, NULL);

    g_assert_true (g_spawn_sync (NULL, argv, debug_env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &log, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  /* Tesseract read page 3 only. */
  {
    g_autofree char *read3 = g_strdup_printf ("%s: page 3 of 3: prepare and OCR", name);
    g_autofree char *taken1 = g_strdup_printf ("%s: page 1 of 3: read by an earlier run", name);
    g_autofree char *taken2 = g_strdup_printf ("%s: page 2 of 3: read by an earlier run", name);

    g_assert_cmpint (count_occurrences (log, ": prepare and OCR"), ==, 1);
    g_assert_cmpint (count_occurrences (log, read3), ==, 1);
    g_assert_cmpint (count_occurrences (log, ": read by an earlier run"), ==, 2);
    g_assert_cmpint (count_occurrences (log, taken1), ==, 1);
    g_assert_cmpint (count_occurrences (log, taken2), ==, 1);
  }
  {
    g_autofree char *state = query_text (db_path,
        "SELECT (SELECT group_concat(archive_id || ' ' || stage || ' ' || status || ' ' || "
        "page_count || ' ' || part || ' ' || coalesce(first_page, '-') || ' ' || "
        "coalesce(last_page, '-')) FROM documents) "
        "|| ' | ' || (SELECT group_concat(detail, ' / ') FROM events WHERE stage = 'ocr')");
    g_autofree char *expected = g_strdup_printf ("%s index archived 3 %s | 3 pages: 3 by OCR, "
                                                 "0 with their own text; 2 from an earlier run",
                                                 id, where);

    g_assert_cmpstr (state, ==, expected);
  }
  {
    g_autofree char *resumed_rows = query_text (db_path, PAGE_ROWS_SQL);
    g_autofree char *reference_rows = query_text (reference_db, PAGE_ROWS_SQL);
    g_autofree char *reference_detail = query_text (reference_db,
        "SELECT detail FROM events WHERE stage = 'ocr'");

    g_assert_cmpstr (reference_detail, ==, "3 pages: 3 by OCR, 0 with their own text");
    g_assert_cmpuint (strlen (resumed_rows), >, 1000);
    g_assert_cmpstr (resumed_rows, ==, reference_rows);
  }
  {
    g_autofree char *pdf = kho_store_pdf_path (archive, id);
    g_autofree char *reference_pdf = kho_store_pdf_path (reference, id);
    g_autofree char *original = kho_store_original_path (archive, input_sum);
    g_autofree char *pdf_sum = kho_store_sha256_file (pdf, NULL);
    g_autofree char *original_sum = kho_store_sha256_file (original, NULL);
    g_autofree char *recorded = query_text (db_path,
        "SELECT sha256 || ' ' || pdf_sha256 FROM documents");
    g_autofree char *expected = g_strdup_printf ("%s %s", input_sum, pdf_sum);
    g_autofree char *images = embedded_images (pdf);
    g_autofree char *reference_images = embedded_images (reference_pdf);
    const char *pdfa_check[] = { checker, "--level", "2u", "--strict", pdf, NULL };

    g_assert_cmpstr (original_sum, ==, input_sum);
    g_assert_cmpstr (recorded, ==, expected);
    /* Pages 1 and 2 were turned and deskewed again from their rows, to
     * the very pixels the run never interrupted embedded. */
    g_assert_cmpint (count_occurrences (images, "\n"), ==, 3);
    g_assert_cmpstr (images, ==, reference_images);
    g_assert_true (g_spawn_sync (NULL, (char **) pdfa_check, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                                 &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_true (kho_store_remove_tree (archive, NULL));
  g_free (archive);
  archive = g_steal_pointer (&saved);
}

static void
test_resume_after_page (void)
{
  g_autofree char *input = g_build_filename (inputs, "ke-hoach-so-hoa.tif", NULL);

  check_resume_after_page (input, NULL, "0 - -");
}

/* The same for a part of a scan split at its blank pages: the part's
 * pages are numbered from its first, page 2 of the scan. */
static void
test_resume_part_after_page (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-interrupt-split-XXXXXX", NULL);
  g_autofree char *blank = g_build_filename (dir, "blank.tif", NULL);
  g_autofree char *batch = g_build_filename (dir, "batch.tif", NULL);
  g_autofree char *script = g_build_filename (KHO_TEST_SRCDIR, "tests", "integration",
                                              "blank_tiff.py", NULL);
  g_autofree char *scan = g_build_filename (inputs, "ke-hoach-so-hoa.tif", NULL);
  const char *make_blank[] = { "python3", script, blank, NULL };
  const char *tiffcp[] = { "tiffcp", blank, scan, blank, batch, NULL };
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) make_blank, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) tiffcp, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  check_resume_after_page (batch, "--split-on-blank", "1 2 4");
  g_assert_true (kho_store_remove_tree (dir, NULL));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  kho = g_getenv ("KHO_BINARY");
  if (kho == NULL)
    {
      g_printerr ("KHO_BINARY is not set\n");
      return 1;
    }
  archive = g_dir_make_tmp ("kho-interrupt-XXXXXX", NULL);
  make_inputs ();
  g_test_add_func ("/interrupt/killed-runs", test_killed_runs);
  g_test_add_func ("/interrupt/archive-consistent", test_archive_consistent);
  g_test_add_func ("/interrupt/resume-after-ocr", test_resume_after_ocr);
  g_test_add_func ("/interrupt/resume-after-page", test_resume_after_page);
  g_test_add_func ("/interrupt/resume-part-after-page", test_resume_part_after_page);
  status = g_test_run ();
  if (reference)
    kho_store_remove_tree (reference, NULL);
  g_free (reference);
  g_ptr_array_unref (input_sums);
  return status;
}
