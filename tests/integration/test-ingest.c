/* test-ingest.c — `kho ingest` end to end on the sample scans.
 *
 * main() makes a fresh archive in a temporary folder and runs one
 * `kho ingest --json sample-scans/` into it (a minute or two of OCR); every
 * test case then checks one property of the result against
 * sample-scans/manifest.json and the ground-truth texts, looping over all
 * documents and pages and naming the file and page in each failure.  A check
 * that fails is reported as a TAP comment and the case goes on, so that one
 * run shows every failing page, not only the first.
 *
 * Environment (set by tests/integration/meson.build):
 *   KHO_BINARY      the built kho
 *   KHO_PDFA_CHECK  a PDF/A checker: `pdfa-check --level 2u FILE`, exit 0 = pass
 *   KHO_TEST_KEEP   when set, the temporary archives are kept for inspection
 *   KHO_SAMPLE_SCANS  another folder of samples than KHO_TEST_SRCDIR/sample-scans
 * Also needs pdftoppm, pdftotext (poppler-utils) and qpdf on PATH.
 *
 * Part of kho.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ocr/prepare.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <leptonica/allheaders.h>
#include <sqlite3.h>
#include <zlib.h>

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_CER 0.01            /* OCR text against the ground truth */
#define MAX_PDFTOTEXT_CER 0.005 /* the PDF's text layer against the stored text */
#define MAX_RESIDUAL_SKEW 0.3   /* degrees, measured on the archival PDF */

/* ------------------------------------------------------------------------ */
/* Checks that report and go on                                              */

static void G_GNUC_PRINTF (1, 2)
check_failed (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAIL: %s", message);
  g_test_fail ();
}

/* CHECK (condition, "printf format", ...): on failure report and continue. */
#define CHECK(cond, ...) G_STMT_START { if (!(cond)) check_failed (__VA_ARGS__); } G_STMT_END

/* ------------------------------------------------------------------------ */
/* Running programs                                                          */

typedef struct {
  char *command;  /* for messages */
  char *out;
  char *err;
  int status;     /* exit status; -1 when it did not run or was killed */
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->command, g_free);
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  run->status = -1;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs @argv (searched on PATH) and captures its output and exit status.
 * Stdout is read as text: binary output goes through `-o FILE` instead. */
static void
run_argv (Run *run, const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  int wait_status = 0;

  run->command = g_strjoinv (" ", (char **) argv);
  run->status = -1;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &run->out, &run->err, &wait_status, &error))
    {
      run->out = g_strdup ("");
      run->err = g_strdup_printf ("cannot run: %s", error->message);
      return;
    }
  if (WIFEXITED (wait_status))
    run->status = WEXITSTATUS (wait_status);
  else if (WIFSIGNALED (wait_status))
    {
      char *err = g_strdup_printf ("%s[killed by signal %d]", run->err, WTERMSIG (wait_status));
      g_free (run->err);
      run->err = err;
    }
}

static const char *kho_binary;

/* Runs `kho --archive ARCHIVE ARGS…`; the arguments end with NULL. */
static void G_GNUC_NULL_TERMINATED
run_kho (Run *run, const char *archive, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  va_list args;
  const char *arg;

  g_ptr_array_add (argv, (char *) kho_binary);
  g_ptr_array_add (argv, (char *) "--archive");
  g_ptr_array_add (argv, (char *) archive);
  va_start (args, archive);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run_argv (run, (const char *const *) argv->pdata);
}

/* Same with the arguments in a NULL-terminated vector. */
static void
run_kho_v (Run *run, const char *archive, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) kho_binary);
  g_ptr_array_add (argv, (char *) "--archive");
  g_ptr_array_add (argv, (char *) archive);
  for (; *args; args++)
    g_ptr_array_add (argv, (char *) *args);
  g_ptr_array_add (argv, NULL);
  run_argv (run, (const char *const *) argv->pdata);
}

/* ------------------------------------------------------------------------ */
/* Text: NFC, whitespace removal, Levenshtein, CER                           */

/* @text in NFC as code points with every whitespace character removed, or
 * NULL when @text is not valid UTF-8. */
static gunichar *
normalize_text (const char *text, glong *length)
{
  g_autofree char *nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  gunichar *chars;
  glong n = 0, kept = 0;

  *length = 0;
  if (nfc == NULL)
    return NULL;
  chars = g_utf8_to_ucs4_fast (nfc, -1, &n);
  for (glong i = 0; i < n; i++)
    /* Python's str.isspace() (scripts/cer) also counts U+001C…U+001F. */
    if (!g_unichar_isspace (chars[i]) && !(chars[i] >= 0x1c && chars[i] <= 0x1f))
      chars[kept++] = chars[i];
  *length = kept;
  return chars;
}

/* Edit distance: insertions, deletions and substitutions cost 1. */
static gsize
levenshtein (const gunichar *a, glong na, const gunichar *b, glong nb)
{
  g_autofree gsize *previous = g_new (gsize, nb + 1);
  g_autofree gsize *current = g_new (gsize, nb + 1);

  for (glong j = 0; j <= nb; j++)
    previous[j] = j;
  for (glong i = 1; i <= na; i++)
    {
      gsize *swap;

      current[0] = i;
      for (glong j = 1; j <= nb; j++)
        {
          gsize best = previous[j - 1] + (a[i - 1] != b[j - 1]);
          best = MIN (best, previous[j] + 1);
          best = MIN (best, current[j - 1] + 1);
          current[j] = best;
        }
      swap = previous, previous = current, current = swap;
    }
  return previous[nb];
}

/* Character error rate of @hypothesis against @truth as scripts/cer defines
 * it (sample-scans/README.md); -1 when either is not valid UTF-8. */
static double
cer (const char *truth, const char *hypothesis)
{
  glong nt, nh;
  g_autofree gunichar *t = normalize_text (truth, &nt);
  g_autofree gunichar *h = normalize_text (hypothesis, &nh);

  if (t == NULL || h == NULL)
    return -1;
  if (nt == 0)
    return nh == 0 ? 0.0 : 1.0;
  return (double) levenshtein (t, nt, h, nh) / (double) nt;
}

/* The first difference of two normalized texts, with some context. */
static char *
describe_difference (const char *expected, const char *actual)
{
  glong ne, na, i = 0;
  g_autofree gunichar *e = normalize_text (expected, &ne);
  g_autofree gunichar *a = normalize_text (actual, &na);
  g_autofree char *es = NULL, *as = NULL;
  glong from;

  if (e == NULL || a == NULL)
    return g_strdup ("(invalid UTF-8)");
  while (i < ne && i < na && e[i] == a[i])
    i++;
  from = MAX (0, i - 10);
  es = g_ucs4_to_utf8 (e + from, MIN (30, ne - from), NULL, NULL, NULL);
  as = g_ucs4_to_utf8 (a + from, MIN (30, na - from), NULL, NULL, NULL);
  return g_strdup_printf ("first difference at character %ld: expected …%s… got …%s…",
                          i, es ? es : "", as ? as : "");
}

static gboolean
is_blank (const char *text)
{
  for (; *text; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* Splits a text on form feeds into exactly @pages pages; a final form feed
 * after the last page (pdftotext writes one) is allowed.  Returns NULL and
 * reports when the number of pages differs. */
static char **
split_pages (const char *text, int pages, const char *what)
{
  char **parts = g_strsplit (text, "\f", -1);
  guint n = g_strv_length (parts);

  if (n == (guint) pages + 1 && is_blank (parts[n - 1]))
    {
      /* drop the empty piece after a trailing form feed */
      g_free (parts[n - 1]);
      parts[n - 1] = NULL;
      n--;
    }
  if (n != (guint) pages)
    {
      check_failed ("%s: %u pages separated by form feeds, expected %d", what, n, pages);
      g_strfreev (parts);
      return NULL;
    }
  return parts;
}

/* Lower case without diacritics (đ → d), as a reader types a query. */
static char *
fold_accents (const char *text)
{
  g_autofree char *nfd = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  GString *out = g_string_new (NULL);

  for (const char *p = nfd; p && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_type (c) == G_UNICODE_NON_SPACING_MARK)
        continue;
      if (c == 0x0111 || c == 0x0110)
        c = 'd';
      g_string_append_unichar (out, g_unichar_tolower (c));
    }
  return g_string_free (out, FALSE);
}

/* Splits @text into words of letters and digits. */
static GPtrArray *
words_of (const char *text)
{
  g_autofree char *nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  GString *word = g_string_new (NULL);

  for (const char *p = nfc ? nfc : ""; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && (g_unichar_isalnum (c) || g_unichar_ismark (c)))
        g_string_append_unichar (word, c);
      else if (word->len > 0)
        {
          g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }
  g_string_free (word, TRUE);
  return words;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */

static char *
sha256_of_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

static void
write_file (const char *path, const void *data, gsize length)
{
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, data, (gssize) length, &error))
    g_error ("cannot write %s: %s", path, error->message);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      if (dir)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* Regular files under @path, recursively, as paths; sorted. */
static void
collect_files (const char *path, GPtrArray *files)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          collect_files (child, files);
          g_free (child);
        }
      else
        g_ptr_array_add (files, child);
    }
  if (dir)
    g_dir_close (dir);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gint
compare_unichar (gconstpointer a, gconstpointer b, gpointer unused)
{
  gunichar x = *(const gunichar *) a, y = *(const gunichar *) b;

  (void) unused;
  return x < y ? -1 : x > y;
}

static GPtrArray *
files_under (const char *path)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  collect_files (path, files);
  g_ptr_array_sort (files, compare_strings);
  return files;
}

/* One integer from an SQL query on the archive's kho.db; -1 on error. */
static gint64
db_count (const char *archive, const char *sql)
{
  g_autofree char *path = g_build_filename (archive, "kho.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  else
    g_test_message ("%s on %s: %s", sql, path, db ? sqlite3_errmsg (db) : "cannot open");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* The first text column of an SQL query; NULL on error. */
static char *
db_text (const char *archive, const char *sql)
{
  g_autofree char *path = g_build_filename (archive, "kho.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else
    g_test_message ("%s on %s: %s", sql, path, db ? sqlite3_errmsg (db) : "cannot open");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */

static JsonNode *
parse_json (const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* The ingest report's lines, one JSON object each; reports bad lines when
 * @what is not NULL (that is, inside a test case). */
static GPtrArray *
parse_json_lines (const char *text, const char *what)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto (GStrv) raw = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; raw[i]; i++)
    {
      g_autoptr (GError) error = NULL;
      JsonNode *node;

      if (g_strstrip (raw[i])[0] == '\0')
        continue;
      node = parse_json (raw[i], &error);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          if (what)
            check_failed ("%s: line %u is not a JSON object (%s): %s", what, i + 1,
                        error ? error->message : "not an object", raw[i]);
          if (node)
            json_node_unref (node);
          continue;
        }
      g_ptr_array_add (lines, node);
    }
  return lines;
}

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  return json_node_get_int (node);
}

static double
member_double (JsonObject *object, const char *name, double fallback)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  return json_node_get_double (node);
}

static JsonObject *
member_object (JsonObject *object, const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object, const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The report line whose "file" has the base name @name, or NULL. */
static JsonObject *
line_for_file (GPtrArray *lines, const char *name)
{
  for (guint i = 0; i < lines->len; i++)
    {
      JsonObject *line = json_node_get_object (g_ptr_array_index (lines, i));
      const char *file = member_string (line, "file");
      g_autofree char *base = file ? g_path_get_basename (file) : NULL;

      if (base && strcmp (base, name) == 0)
        return line;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* The fixture: one archive, one ingest run of all samples                   */

static const char *pdfa_check;
static char *samples_dir;     /* KHO_TEST_SRCDIR/sample-scans */
static char *work_dir;        /* temporary, removed at the end */
static char *archive;         /* work_dir/archive */
static char *fixture_error;   /* why the fixture could not be set up */
static JsonNode *manifest_node;
static JsonArray *manifest;
static Run ingest_run;
static GPtrArray *ingest_lines;
static GHashTable *show_cache;  /* archive ID → JsonNode of `show --json` */

static guint
n_docs (void)
{
  return manifest ? json_array_get_length (manifest) : 0;
}

static JsonObject *
doc_entry (guint i)
{
  return json_array_get_object_element (manifest, i);
}

static const char *
doc_file (guint i)
{
  return member_string (doc_entry (i), "file");
}

static JsonArray *
doc_pages (guint i)
{
  return member_array (doc_entry (i), "pages");
}

static char *
doc_input_path (guint i)
{
  return g_build_filename (samples_dir, doc_file (i), NULL);
}

/* The archive ID of sample @i after the first ingest, or NULL (reported). */
static const char *
doc_id (guint i)
{
  JsonObject *line = line_for_file (ingest_lines, doc_file (i));
  const char *id = member_string (line, "id");

  if (id == NULL || member_string (line, "status") == NULL ||
      strcmp (member_string (line, "status"), "archived") != 0)
    {
      check_failed ("%s: not archived by the first ingest, cannot check it", doc_file (i));
      return NULL;
    }
  return id;
}

/* `kho show --json ID`, parsed; NULL (reported) on failure. */
static JsonObject *
show_doc (const char *id)
{
  g_auto (Run) run = { 0 };
  g_autoptr (GError) error = NULL;
  JsonNode *node = g_hash_table_lookup (show_cache, id);

  if (node)
    return json_node_get_object (node);
  run_kho (&run, archive, "show", "--json", id, NULL);
  if (run.status != 0)
    {
      check_failed ("`%s` exited with %d: %s", run.command, run.status, run.err);
      return NULL;
    }
  node = parse_json (run.out, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      check_failed ("`%s` printed no JSON object: %s", run.command,
                    error ? error->message : run.out);
      return NULL;
    }
  g_hash_table_insert (show_cache, g_strdup (id), node);
  return json_node_get_object (node);
}

/* The archival PDF of a shown document, which must exist. */
static const char *
pdf_path_of (JsonObject *shown, const char *file)
{
  const char *path = member_string (member_object (shown, "pdf"), "path");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      check_failed ("%s: show's pdf.path %s is not a file", file, path ? path : "(missing)");
      return NULL;
    }
  return path;
}

/* The stored text of a document, split in pages; NULL (reported) on failure. */
static char **
stored_pages (const char *id, int pages, const char *file)
{
  g_auto (Run) run = { 0 };
  g_autofree char *what = NULL;

  run_kho (&run, archive, "get", id, "--text", NULL);
  if (run.status != 0)
    {
      check_failed ("%s: `%s` exited with %d: %s", file, run.command, run.status, run.err);
      return NULL;
    }
  what = g_strdup_printf ("%s: get --text", file);
  return split_pages (run.out, pages, what);
}

static gboolean
fixture_ready (void)
{
  if (fixture_error)
    {
      check_failed ("%s", fixture_error);
      return FALSE;
    }
  return TRUE;
}

static void
setup_fixture (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *manifest_path = NULL, *manifest_text = NULL;

  kho_binary = g_getenv ("KHO_BINARY");
  pdfa_check = g_getenv ("KHO_PDFA_CHECK");
  if (g_getenv ("KHO_SAMPLE_SCANS"))
    samples_dir = g_strdup (g_getenv ("KHO_SAMPLE_SCANS"));
  else
    samples_dir = g_build_filename (KHO_TEST_SRCDIR, "sample-scans", NULL);
  show_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) json_node_unref);
  ingest_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  ingest_run.status = -1;

  if (kho_binary == NULL || pdfa_check == NULL)
    {
      fixture_error = g_strdup ("KHO_BINARY and KHO_PDFA_CHECK must be set (run through meson test)");
      return;
    }
  manifest_path = g_build_filename (samples_dir, "manifest.json", NULL);
  if (!g_file_get_contents (manifest_path, &manifest_text, NULL, &error) ||
      (manifest_node = parse_json (manifest_text, &error)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (manifest_node))
    {
      fixture_error = g_strdup_printf ("cannot read the sample manifest %s: %s "
                                       "(run scripts/make-sample-scans)", manifest_path,
                                       error ? error->message : "not a JSON array");
      return;
    }
  manifest = json_node_get_array (manifest_node);

  work_dir = g_dir_make_tmp ("kho-test-ingest-XXXXXX", &error);
  if (work_dir == NULL)
    {
      fixture_error = g_strdup_printf ("cannot make a temporary folder: %s", error->message);
      return;
    }
  /* Does not exist yet: ingest creates the archive. */
  archive = g_build_filename (work_dir, "archive", NULL);
  g_test_message ("archive: %s", archive);

  {
    gint64 start = g_get_monotonic_time ();
    run_kho (&ingest_run, archive, "ingest", "--json", samples_dir, NULL);
    g_test_message ("`%s` took %.1f s, exit status %d", ingest_run.command,
                    (g_get_monotonic_time () - start) / 1e6, ingest_run.status);
  }
  for (const char *p = ingest_run.out; p && *p; )
    {
      const char *end = strchr (p, '\n');
      g_autofree char *line = g_strndup (p, end ? (gsize) (end - p) : strlen (p));
      if (*line)
        g_test_message ("ingest: %s", line);
      p = end ? end + 1 : p + strlen (p);
    }
  if (ingest_run.err && *ingest_run.err)
    g_test_message ("ingest stderr: %s", ingest_run.err);
  g_ptr_array_unref (ingest_lines);
  ingest_lines = parse_json_lines (ingest_run.out, NULL);
}

/* ------------------------------------------------------------------------ */
/* 1. Everything archived, page counts as in the manifest                    */

static void
test_all_archived (void)
{
  g_autoptr (GPtrArray) lines = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr (GPtrArray) leftovers = NULL;

  if (!fixture_ready ())
    return;
  CHECK (ingest_run.status == 0, "`%s` exited with %d, expected 0; stderr: %s",
         ingest_run.command, ingest_run.status, ingest_run.err);
  /* parsed again here (setup_fixture() keeps the good lines in ingest_lines)
   * so that unparsable lines count as failures of this test */
  lines = parse_json_lines (ingest_run.out, "ingest --json");
  CHECK (lines->len == n_docs (), "ingest --json printed %u lines for %u samples",
         lines->len, n_docs ());

  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i);
      JsonObject *line = line_for_file (ingest_lines, file);
      const char *status = member_string (line, "status");
      int expected = (int) json_array_get_length (doc_pages (i));
      JsonObject *shown;

      if (line == NULL)
        {
          check_failed ("%s: no line in the ingest report", file);
          continue;
        }
      if (status == NULL || strcmp (status, "archived") != 0)
        {
          check_failed ("%s: status %s, expected archived (error: %s)", file,
                        status ? status : "(missing)", member_string (line, "error"));
          continue;
        }
      CHECK (member_int (line, "pages", -1) == expected,
             "%s: ingest reports %" G_GINT64_FORMAT " pages, the manifest %d",
             file, member_int (line, "pages", -1), expected);
      shown = show_doc (member_string (line, "id"));
      if (shown == NULL)
        continue;
      CHECK (member_int (shown, "page_count", -1) == expected,
             "%s: show reports page_count %" G_GINT64_FORMAT ", the manifest %d",
             file, member_int (shown, "page_count", -1), expected);
      CHECK (member_array (shown, "pages") &&
             json_array_get_length (member_array (shown, "pages")) == (guint) expected,
             "%s: show lists %u pages, the manifest %d", file,
             member_array (shown, "pages") ? json_array_get_length (member_array (shown, "pages")) : 0,
             expected);
      CHECK (g_strcmp0 (member_string (shown, "status"), "archived") == 0,
             "%s: show's status is %s, expected archived", file, member_string (shown, "status"));
    }

  tmp = g_build_filename (archive, "tmp", NULL);
  leftovers = files_under (tmp);
  CHECK (leftovers->len == 0, "%u files left in %s after the run, e.g. %s", leftovers->len, tmp,
         leftovers->len ? (char *) g_ptr_array_index (leftovers, 0) : "");
}

/* ------------------------------------------------------------------------ */
/* 2. OCR accuracy: CER per page                                             */

static void
test_cer (void)
{
  if (!fixture_ready ())
    return;
  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i), *id = doc_id (i);
      JsonArray *pages = doc_pages (i);
      int n = (int) json_array_get_length (pages);
      g_auto (GStrv) texts = NULL;

      if (id == NULL || (texts = stored_pages (id, n, file)) == NULL)
        continue;
      for (int p = 0; p < n; p++)
        {
          const char *gt_name = member_string (json_array_get_object_element (pages, p), "gt");
          g_autofree char *gt_path = g_build_filename (samples_dir, gt_name ? gt_name : "", NULL);
          g_autofree char *truth = NULL;
          double rate;

          if (gt_name == NULL || !g_file_get_contents (gt_path, &truth, NULL, NULL))
            {
              check_failed ("%s p%d: cannot read the ground truth %s", file, p + 1, gt_path);
              continue;
            }
          rate = cer (truth, texts[p]);
          g_test_message ("CER %s p%d: %.4f (%.2f %%)", file, p + 1, rate, rate * 100);
          CHECK (rate >= 0, "%s p%d: stored text is not valid UTF-8", file, p + 1);
          if (rate > MAX_CER)
            {
              g_autofree char *diff = describe_difference (truth, texts[p]);
              check_failed ("%s p%d: CER %.4f > %.2f; %s", file, p + 1, rate, MAX_CER, diff);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* 3. Orientation                                                            */

static void
test_orientation (void)
{
  if (!fixture_ready ())
    return;
  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i), *id = doc_id (i);
      JsonArray *pages = doc_pages (i), *shown_pages;
      JsonObject *shown;

      if (id == NULL || (shown = show_doc (id)) == NULL)
        continue;
      shown_pages = member_array (shown, "pages");
      for (guint p = 0; p < json_array_get_length (pages); p++)
        {
          JsonObject *expected = json_array_get_object_element (pages, p);
          JsonObject *page;

          if (shown_pages == NULL || p >= json_array_get_length (shown_pages))
            {
              check_failed ("%s p%u: missing from show's pages", file, p + 1);
              continue;
            }
          page = json_array_get_object_element (shown_pages, p);
          g_test_message ("orientation %s p%u: kho %" G_GINT64_FORMAT "°, manifest %" G_GINT64_FORMAT
                          "°; skew removed %.2f°, manifest %.2f°", file, p + 1,
                          member_int (page, "rotation", -1), member_int (expected, "rotation", -1),
                          member_double (page, "skew", NAN), member_double (expected, "skew", NAN));
          CHECK (member_int (page, "rotation", -1) == member_int (expected, "rotation", -2),
                 "%s p%u: rotation %" G_GINT64_FORMAT ", the manifest says %" G_GINT64_FORMAT,
                 file, p + 1, member_int (page, "rotation", -1), member_int (expected, "rotation", -2));
        }
    }
}

/* ------------------------------------------------------------------------ */
/* 4. Residual skew of the archival PDF's pages                              */

static void
test_residual_skew (void)
{
  if (!fixture_ready ())
    return;
  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i), *id = doc_id (i), *pdf;
      JsonObject *shown;
      JsonArray *shown_pages;
      g_autofree char *dir = NULL, *prefix = NULL;
      g_autoptr (GPtrArray) images = NULL;
      g_auto (Run) run = { 0 };
      int n = (int) json_array_get_length (doc_pages (i));

      if (id == NULL || (shown = show_doc (id)) == NULL || (pdf = pdf_path_of (shown, file)) == NULL)
        continue;
      shown_pages = member_array (shown, "pages");
      dir = g_build_filename (work_dir, "render", id, NULL);
      g_mkdir_with_parents (dir, 0700);
      prefix = g_build_filename (dir, "page", NULL);
      {
        const char *argv[] = { "pdftoppm", "-r", "100", "-gray", "-png", pdf, prefix, NULL };
        run_argv (&run, argv);
      }
      if (run.status != 0)
        {
          check_failed ("%s: `%s` exited with %d: %s", file, run.command, run.status, run.err);
          continue;
        }
      images = files_under (dir);
      CHECK ((int) images->len == n, "%s: pdftoppm rendered %u pages, the manifest has %d",
             file, images->len, n);
      for (guint p = 0; p < images->len; p++)
        {
          const char *image = g_ptr_array_index (images, p);
          JsonObject *page = shown_pages && p < json_array_get_length (shown_pages)
                             ? json_array_get_object_element (shown_pages, p) : NULL;
          gboolean blank = page && json_object_has_member (page, "blank") &&
                           json_object_get_boolean_member (page, "blank");
          PIX *pix = pixRead (image);
          float degrees = 0, confidence = 0;

          if (pix == NULL)
            {
              check_failed ("%s p%u: cannot read the rendering %s", file, p + 1, image);
              continue;
            }
          if (!kho_prepare_measure_skew (pix, &degrees, &confidence))
            {
              if (blank)
                g_test_message ("residual skew %s p%u: not measurable; skipped because kho "
                                "marks the page blank", file, p + 1);
              else
                check_failed ("%s p%u: residual skew cannot be measured on a page that is not "
                              "blank", file, p + 1);
            }
          else
            {
              g_test_message ("residual skew %s p%u: %+.3f° (confidence %.2f)", file, p + 1,
                              degrees, confidence);
              CHECK (fabsf (degrees) < MAX_RESIDUAL_SKEW,
                     "%s p%u: residual skew %+.3f°, must be under %.1f° (kho removed %.2f°, the "
                     "scan has %.2f°)", file, p + 1, degrees, MAX_RESIDUAL_SKEW,
                     member_double (page, "skew", NAN),
                     member_double (json_array_get_object_element (doc_pages (i), MIN (p, (guint) n - 1)),
                                    "skew", NAN));
            }
          pixDestroy (&pix);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* 5. PDF/A-2u and structural validity                                       */

static void
test_pdfa_valid (void)
{
  if (!fixture_ready ())
    return;
  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i), *id = doc_id (i), *pdf;
      JsonObject *shown;
      g_autofree char *expected_path = NULL;

      if (id == NULL || (shown = show_doc (id)) == NULL || (pdf = pdf_path_of (shown, file)) == NULL)
        continue;
      expected_path = g_strdup_printf ("%s/pdfa/%s.pdf", archive, id);
      CHECK (g_file_test (expected_path, G_FILE_TEST_IS_REGULAR), "%s: %s does not exist",
             file, expected_path);
      {
        g_auto (Run) run = { 0 };
        const char *argv[] = { pdfa_check, "--level", "2u", pdf, NULL };
        run_argv (&run, argv);
        CHECK (run.status == 0, "%s: `%s` exited with %d:\n%s%s", file, run.command, run.status,
               run.out, run.err);
      }
      {
        g_auto (Run) run = { 0 };
        const char *argv[] = { "qpdf", "--check", pdf, NULL };
        run_argv (&run, argv);
        CHECK (run.status == 0, "%s: `%s` exited with %d:\n%s%s", file, run.command, run.status,
               run.out, run.err);
      }
    }
}

/* ------------------------------------------------------------------------ */
/* 6. The PDF's text layer holds the stored text                             */

/* The text of a PDF's pages by pdftotext in @mode ("-raw": the order of the
 * content stream; NULL: poppler's own reading order); NULL when reported. */
static char **
pdftotext_pages (const char *pdf, const char *mode, int pages, const char *file)
{
  g_auto (Run) run = { 0 };
  g_autofree char *what = NULL;
  const char *with_mode[] = { "pdftotext", mode, "-enc", "UTF-8", pdf, "-", NULL };
  const char *without[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };

  run_argv (&run, mode ? with_mode : without);
  if (run.status != 0)
    {
      check_failed ("%s: `%s` exited with %d: %s", file, run.command, run.status, run.err);
      return NULL;
    }
  what = g_strdup_printf ("%s: `%s`", file, run.command);
  return split_pages (run.out, pages, what);
}

/* The normalized characters of @text, sorted: equal for two texts that hold
 * the same characters in any order. */
static char *
sorted_characters (const char *text)
{
  glong n;
  g_autofree gunichar *chars = normalize_text (text, &n);

  if (chars == NULL)
    return NULL;
  g_qsort_with_data (chars, (gint) n, sizeof *chars, (GCompareDataFunc) compare_unichar, NULL);
  return g_ucs4_to_utf8 (chars, n, NULL, NULL, NULL);
}

static void
test_pdf_text_layer (void)
{
  if (!fixture_ready ())
    return;
  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i), *id = doc_id (i), *pdf;
      int n = (int) json_array_get_length (doc_pages (i));
      JsonObject *shown;
      g_auto (GStrv) stored = NULL, raw = NULL, ordered = NULL;

      if (id == NULL || (shown = show_doc (id)) == NULL || (pdf = pdf_path_of (shown, file)) == NULL ||
          (stored = stored_pages (id, n, file)) == NULL)
        continue;
      raw = pdftotext_pages (pdf, "-raw", n, file);
      ordered = pdftotext_pages (pdf, NULL, n, file);
      for (int p = 0; p < n; p++)
        {
          /* The text layer in the order kho wrote it, which is the stored
           * text's (Tesseract's reading order): equal, or CER ≤ 0.5 %. */
          if (raw)
            {
              double rate = cer (stored[p], raw[p]);
              g_autofree char *diff = rate != 0 ? describe_difference (stored[p], raw[p]) : NULL;

              g_test_message ("text layer %s p%d: pdftotext -raw against the stored text: %s%.4f%s%s",
                              file, p + 1, rate == 0 ? "equal, CER " : "not equal, CER ", rate,
                              diff ? "; " : "", diff ? diff : "");
              CHECK (rate >= 0 && rate <= MAX_PDFTOTEXT_CER,
                     "%s p%d: pdftotext -raw's text differs from the stored text, CER %.4f > %.3f; %s",
                     file, p + 1, rate, MAX_PDFTOTEXT_CER, diff);
            }
          /* pdftotext without -raw rebuilds a reading order from the glyph
           * positions: it puts side-by-side blocks (the two-column header
           * of an official letter, "Nơi nhận" beside the signature, table
           * cells) in another order than Tesseract does, so its text is not
           * strictly equal to the stored text and its CER is large.  What
           * it must still give is the same characters, in its own order. */
          if (ordered)
            {
              double rate = cer (stored[p], ordered[p]);
              g_autofree char *a = sorted_characters (stored[p]);
              g_autofree char *b = sorted_characters (ordered[p]);
              g_autofree char *diff = g_strcmp0 (a, b) != 0
                                      ? describe_difference (a ? a : "", b ? b : "") : NULL;

              g_test_message ("text layer %s p%d: pdftotext (own reading order) CER %.4f against "
                              "the stored text, %s characters", file, p + 1, rate,
                              g_strcmp0 (a, b) == 0 ? "same" : "DIFFERENT");
              CHECK (a != NULL && g_strcmp0 (a, b) == 0,
                     "%s p%d: pdftotext's text holds other characters than the stored text; "
                     "sorted, %s", file, p + 1, diff);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* 7. Originals kept bit for bit; PDF hashes                                  */

static void
test_originals_and_hashes (void)
{
  if (!fixture_ready ())
    return;
  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i), *id = doc_id (i);
      JsonObject *shown, *line = line_for_file (ingest_lines, file);
      g_autofree char *input = doc_input_path (i), *input_data = NULL, *got_data = NULL;
      g_autofree char *input_sha = NULL, *got_sha = NULL, *pdf_sha = NULL;
      g_autofree char *got = NULL, *got_pdf = NULL;
      gsize input_length = 0, got_length = 0;
      const char *shown_sha, *shown_pdf_sha;

      if (id == NULL || (shown = show_doc (id)) == NULL)
        continue;
      shown_sha = member_string (shown, "sha256");
      shown_pdf_sha = member_string (member_object (shown, "pdf"), "sha256");
      got = g_strdup_printf ("%s/got-%s-original", work_dir, id);
      got_pdf = g_strdup_printf ("%s/got-%s.pdf", work_dir, id);
      {
        g_auto (Run) run = { 0 };
        run_kho (&run, archive, "get", id, "--original", "-o", got, NULL);
        CHECK (run.status == 0, "%s: `%s` exited with %d: %s", file, run.command, run.status, run.err);
      }
      if (!g_file_get_contents (input, &input_data, &input_length, NULL) ||
          !g_file_get_contents (got, &got_data, &got_length, NULL))
        {
          check_failed ("%s: cannot read %s or %s", file, input, got);
          continue;
        }
      CHECK (input_length == got_length && memcmp (input_data, got_data, input_length) == 0,
             "%s: get --original gives %" G_GSIZE_FORMAT " bytes that differ from the input's %"
             G_GSIZE_FORMAT, file, got_length, input_length);
      input_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) input_data, input_length);
      got_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) got_data, got_length);
      CHECK (g_strcmp0 (got_sha, shown_sha) == 0, "%s: original's SHA-256 %s, show says %s",
             file, got_sha, shown_sha);
      CHECK (g_strcmp0 (input_sha, shown_sha) == 0, "%s: input's SHA-256 %s, show says %s",
             file, input_sha, shown_sha);
      CHECK (g_strcmp0 (member_string (member_object (shown, "original"), "sha256"), shown_sha) == 0,
             "%s: show's original.sha256 %s differs from its sha256 %s", file,
             member_string (member_object (shown, "original"), "sha256"), shown_sha);
      CHECK (g_strcmp0 (member_string (line, "sha256"), input_sha) == 0,
             "%s: ingest reported SHA-256 %s, the file's is %s", file,
             member_string (line, "sha256"), input_sha);
      CHECK (member_int (member_object (shown, "original"), "size", -1) == (gint64) input_length,
             "%s: show's original.size %" G_GINT64_FORMAT ", the file has %" G_GSIZE_FORMAT " bytes",
             file, member_int (member_object (shown, "original"), "size", -1), input_length);

      {
        g_auto (Run) run = { 0 };
        run_kho (&run, archive, "get", id, "--pdf", "-o", got_pdf, NULL);
        CHECK (run.status == 0, "%s: `%s` exited with %d: %s", file, run.command, run.status, run.err);
      }
      pdf_sha = sha256_of_file (got_pdf);
      CHECK (pdf_sha != NULL && g_strcmp0 (pdf_sha, shown_pdf_sha) == 0,
             "%s: get --pdf's SHA-256 %s, show's pdf.sha256 %s", file, pdf_sha, shown_pdf_sha);
    }
}

/* ------------------------------------------------------------------------ */
/* 8. Search                                                                 */

/* Runs a search; returns the 1-based position of @id among the results, 0
 * when absent, -1 (reported) on failure. */
static int
search_position (const char *query, const char *id, const char *file)
{
  g_auto (Run) run = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_auto (GStrv) words = g_strsplit (query, " ", -1);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  JsonArray *results;

  g_ptr_array_add (args, (char *) "search");
  g_ptr_array_add (args, (char *) "--json");
  g_ptr_array_add (args, (char *) "--limit");
  g_ptr_array_add (args, (char *) "5");
  for (guint w = 0; words[w]; w++)
    if (*words[w])
      g_ptr_array_add (args, words[w]);
  g_ptr_array_add (args, NULL);
  run_kho_v (&run, archive, (const char *const *) args->pdata);
  if (run.status != 0)
    {
      check_failed ("%s: `%s` exited with %d: %s", file, run.command, run.status, run.err);
      return -1;
    }
  node = parse_json (run.out, &error);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      check_failed ("%s: `%s` printed no JSON array: %s", file, run.command,
                    error ? error->message : run.out);
      return -1;
    }
  results = json_node_get_array (node);
  CHECK (json_array_get_length (results) <= 5, "`%s` gave %u results despite --limit 5",
         run.command, json_array_get_length (results));
  for (guint r = 0; r < json_array_get_length (results); r++)
    if (g_strcmp0 (member_string (json_array_get_object_element (results, r), "id"), id) == 0)
      return (int) r + 1;
  return 0;
}

static void
expect_first (const char *query, const char *id, const char *file, const char *kind)
{
  int position = search_position (query, id, file);

  g_test_message ("search %s “%s” (%s): position %d", kind, query, file, position);
  if (position == 0)
    check_failed ("%s: %s query “%s” does not find %s among the first 5", file, kind, query, id);
  else if (position > 1)
    check_failed ("%s: %s query “%s” finds %s at position %d, not first", file, kind, query,
                  id, position);
}

/* The words of the ground truth of sample @i that fold to @query, or NULL. */
static char *
accented_form (guint i, const char *query)
{
  JsonArray *pages = doc_pages (i);
  g_autofree char *folded_query = fold_accents (query);
  g_auto (GStrv) query_words = g_strsplit (folded_query, " ", -1);
  guint nq = g_strv_length (query_words);

  for (guint p = 0; p < json_array_get_length (pages); p++)
    {
      const char *gt = member_string (json_array_get_object_element (pages, p), "gt");
      g_autofree char *path = g_build_filename (samples_dir, gt ? gt : "", NULL);
      g_autofree char *text = NULL;
      g_autoptr (GPtrArray) words = NULL;

      if (gt == NULL || !g_file_get_contents (path, &text, NULL, NULL))
        continue;
      words = words_of (text);
      for (guint w = 0; w + nq <= words->len; w++)
        {
          gboolean match = TRUE;

          for (guint k = 0; k < nq && match; k++)
            {
              g_autofree char *folded = fold_accents (g_ptr_array_index (words, w + k));
              match = strcmp (folded, query_words[k]) == 0;
            }
          if (match)
            {
              GString *out = g_string_new (NULL);
              for (guint k = 0; k < nq; k++)
                g_string_append_printf (out, "%s%s", k ? " " : "",
                                        (char *) g_ptr_array_index (words, w + k));
              char *lower = g_utf8_strdown (out->str, -1);
              g_string_free (out, TRUE);
              return lower;
            }
        }
    }
  return NULL;
}

static void
test_search (void)
{
  gboolean variants_done = FALSE;

  if (!fixture_ready ())
    return;
  for (guint i = 0; i < n_docs (); i++)
    {
      const char *file = doc_file (i), *id = doc_id (i);
      JsonArray *queries = member_array (doc_entry (i), "queries");

      if (id == NULL)
        continue;
      CHECK (queries && json_array_get_length (queries) > 0, "%s: no queries in the manifest", file);
      for (guint q = 0; queries && q < json_array_get_length (queries); q++)
        {
          const char *query = json_array_get_string_element (queries, q);

          expect_first (query, id, file, "manifest");
          if (!variants_done)
            {
              g_autofree char *accented = accented_form (i, query);
              g_autofree char *upper = NULL;

              if (accented == NULL || strcmp (accented, query) == 0)
                continue;  /* try a query that has accents in the text */
              variants_done = TRUE;
              upper = g_utf8_strup (accented, -1);
              expect_first (accented, id, file, "accented");
              expect_first (upper, id, file, "upper-case");
            }
        }
    }
  CHECK (variants_done, "no manifest query has an accented form in the ground truth: accented "
         "and upper-case queries not tried");
}

/* ------------------------------------------------------------------------ */
/* 9. Duplicates                                                             */

static void
test_duplicates (void)
{
  g_autofree char *input = NULL, *copy_dir = NULL, *copy = NULL, *copy_name = NULL;
  g_autofree char *data = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_auto (Run) run = { 0 };
  gsize length = 0;
  gint64 before, after;
  const char *file, *id;

  if (!fixture_ready ())
    return;
  /* the last sample: any would do */
  file = doc_file (n_docs () - 1);
  if ((id = doc_id (n_docs () - 1)) == NULL)
    return;
  input = doc_input_path (n_docs () - 1);
  copy_dir = g_build_filename (work_dir, "copies", NULL);
  g_mkdir_with_parents (copy_dir, 0700);
  copy_name = g_strdup_printf ("ban-sao-%s", file);
  copy = g_build_filename (copy_dir, copy_name, NULL);
  g_assert_true (g_file_get_contents (input, &data, &length, NULL));
  write_file (copy, data, length);

  before = db_count (archive, "SELECT count(*) FROM documents");
  run_kho (&run, archive, "ingest", "--json", input, copy, NULL);
  after = db_count (archive, "SELECT count(*) FROM documents");
  g_test_message ("`%s` → %d:\n%s%s", run.command, run.status, run.out, run.err);
  CHECK (run.status == 0, "ingesting duplicates exited with %d, expected 0: %s", run.status, run.err);
  lines = parse_json_lines (run.out, "ingest --json of duplicates");
  CHECK (lines->len == 2, "ingest of 2 duplicates printed %u lines", lines->len);
  {
    const char *names[] = { file, copy_name };
    for (guint k = 0; k < G_N_ELEMENTS (names); k++)
      {
        JsonObject *line = line_for_file (lines, names[k]);
        CHECK (line != NULL, "%s: no line in the report", names[k]);
        if (line == NULL)
          continue;
        CHECK (g_strcmp0 (member_string (line, "status"), "duplicate") == 0,
               "%s: status %s, expected duplicate", names[k], member_string (line, "status"));
        CHECK (g_strcmp0 (member_string (line, "id"), id) == 0,
               "%s: id %s, expected the first ingest's %s", names[k], member_string (line, "id"), id);
      }
  }
  CHECK (before == (gint64) n_docs () && after == before,
         "documents in kho.db: %" G_GINT64_FORMAT " before, %" G_GINT64_FORMAT " after the "
         "duplicates, expected %u both times", before, after, n_docs ());
}

/* ------------------------------------------------------------------------ */
/* 10. Document references                                                   */

static void
test_ids (void)
{
  const char *id, *sha;
  JsonObject *shown;
  g_autofree char *prefix8 = NULL, *prefix7 = NULL;

  if (!fixture_ready ())
    return;
  if ((id = doc_id (0)) == NULL || (shown = show_doc (id)) == NULL)
    return;
  sha = member_string (shown, "sha256");
  CHECK (g_strcmp0 (member_string (shown, "id"), id) == 0, "show %s gives id %s", id,
         member_string (shown, "id"));
  if (sha == NULL || strlen (sha) != 64)
    {
      check_failed ("show %s: sha256 %s is not 64 hex digits", id, sha);
      return;
    }
  prefix8 = g_strndup (sha, 8);
  prefix7 = g_strndup (sha, 7);
  {
    const char *refs[] = { sha, prefix8 };
    for (guint k = 0; k < G_N_ELEMENTS (refs); k++)
      {
        g_auto (Run) run = { 0 };
        g_autoptr (JsonNode) node = NULL;

        run_kho (&run, archive, "show", "--json", refs[k], NULL);
        if (run.status != 0)
          {
            check_failed ("`%s` exited with %d: %s", run.command, run.status, run.err);
            continue;
          }
        node = parse_json (run.out, NULL);
        CHECK (node && JSON_NODE_HOLDS_OBJECT (node) &&
               g_strcmp0 (member_string (json_node_get_object (node), "id"), id) == 0 &&
               g_strcmp0 (member_string (json_node_get_object (node), "sha256"), sha) == 0,
               "`%s` does not show %s (%s): %s", run.command, id, doc_file (0), run.out);
      }
  }
  {
    const char *bad[] = { prefix7, "../../etc/passwd", "KHO-2026-999999" };
    for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
      {
        g_auto (Run) run = { 0 };

        run_kho (&run, archive, "show", "--json", bad[k], NULL);
        g_test_message ("`%s` → %d: %s", run.command, run.status, g_strstrip (run.err));
        CHECK (run.status == 1, "`%s` exited with %d, expected 1", run.command, run.status);
        CHECK (run.err[0] != '\0', "`%s` printed no message on stderr", run.command);
      }
  }
}

/* ------------------------------------------------------------------------ */
/* 11. Bad inputs leave the archive consistent                               */

static guint32
crc32_of_chunk (const char *type, const guint8 *data, gsize length)
{
  uLong crc = crc32 (0L, Z_NULL, 0);

  crc = crc32 (crc, (const Bytef *) type, 4);
  if (length)
    crc = crc32 (crc, data, (uInt) length);
  return (guint32) crc;
}

static void
append_be32 (GByteArray *out, guint32 value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };
  g_byte_array_append (out, bytes, 4);
}

static void
append_chunk (GByteArray *out, const char *type, const guint8 *data, gsize length)
{
  append_be32 (out, (guint32) length);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (length)
    g_byte_array_append (out, data, (guint) length);
  append_be32 (out, crc32_of_chunk (type, data, length));
}

/* A well-formed PNG whose IHDR claims @width × @height 8-bit gray pixels,
 * with a short (valid zlib) IDAT: a decoder must refuse it by its size. */
static GByteArray *
png_with_header (guint32 width, guint32 height)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *out = g_byte_array_new ();
  guint8 ihdr[13];
  guint8 raw[64] = { 0 }, packed[128];
  uLongf packed_length = sizeof packed;

  g_byte_array_append (out, signature, 8);
  ihdr[0] = width >> 24, ihdr[1] = width >> 16, ihdr[2] = width >> 8, ihdr[3] = width;
  ihdr[4] = height >> 24, ihdr[5] = height >> 16, ihdr[6] = height >> 8, ihdr[7] = height;
  ihdr[8] = 8;   /* bit depth */
  ihdr[9] = 0;   /* gray */
  ihdr[10] = ihdr[11] = ihdr[12] = 0;
  append_chunk (out, "IHDR", ihdr, sizeof ihdr);
  g_assert_cmpint (compress (packed, &packed_length, raw, sizeof raw), ==, Z_OK);
  append_chunk (out, "IDAT", packed, packed_length);
  append_chunk (out, "IEND", NULL, 0);
  return out;
}

/* A minimal PDF with a correct xref: an empty page tree, or one empty page. */
static GString *
minimal_pdf (gboolean with_page)
{
  GString *pdf = g_string_new ("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
  const char *objects[3] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    with_page ? "<< /Type /Pages /Kids [3 0 R] /Count 1 >>" : "<< /Type /Pages /Kids [] /Count 0 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
  };
  guint n = with_page ? 3 : 2;
  gsize offsets[3], xref;

  for (guint k = 0; k < n; k++)
    {
      offsets[k] = pdf->len;
      g_string_append_printf (pdf, "%u 0 obj\n%s\nendobj\n", k + 1, objects[k]);
    }
  xref = pdf->len;
  g_string_append_printf (pdf, "xref\n0 %u\n0000000000 65535 f \n", n + 1);
  for (guint k = 0; k < n; k++)
    g_string_append_printf (pdf, "%010" G_GSIZE_FORMAT " 00000 n \n", offsets[k]);
  g_string_append_printf (pdf, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%" G_GSIZE_FORMAT
                          "\n%%%%EOF\n", n + 1, xref);
  return pdf;
}

/* The first sample with one of @extensions, or -1. */
static int
sample_with_extension (const char *const *extensions)
{
  for (guint i = 0; i < n_docs (); i++)
    {
      g_autofree char *lower = g_ascii_strdown (doc_file (i), -1);
      for (guint e = 0; extensions[e]; e++)
        if (g_str_has_suffix (lower, extensions[e]))
          return (int) i;
    }
  return -1;
}

/* Writes the first half of a sample of that format as @path, or of an
 * image Leptonica writes in that format when there is no such sample. */
static void
write_truncated (const char *path, const char *const *extensions, int lept_format)
{
  int i = sample_with_extension (extensions);
  g_autofree char *data = NULL;
  gsize length = 0;

  if (i >= 0)
    {
      g_autofree char *input = doc_input_path ((guint) i);
      g_assert_true (g_file_get_contents (input, &data, &length, NULL));
      g_test_message ("%s: first %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes of %s",
                      path, length / 2, length, doc_file ((guint) i));
    }
  else
    {
      PIX *pix = pixCreate (600, 400, lept_format == IFF_TIFF_G4 ? 1 : 8);
      l_uint8 *bytes = NULL;
      size_t size = 0;
      l_int32 failed;

      if (pixGetDepth (pix) == 8)
        pixSetAll (pix);  /* white */
      pixRasterop (pix, 50, 50, 500, 20, pixGetDepth (pix) == 1 ? PIX_SET : PIX_CLR, NULL, 0, 0);
      failed = lept_format == IFF_PNG ? pixWriteMemPng (&bytes, &size, pix, 0)
             : lept_format == IFF_JFIF_JPEG ? pixWriteMemJpeg (&bytes, &size, pix, 75, 0)
             : pixWriteMemTiff (&bytes, &size, pix, IFF_TIFF_G4);
      g_assert_cmpint (failed, ==, 0);
      data = g_memdup2 (bytes, size);
      length = size;
      lept_free (bytes);
      pixDestroy (&pix);
      g_test_message ("%s: first half of a %zu-byte image written by Leptonica", path, size);
    }
  write_file (path, data, length / 2);
}

static void
test_bad_inputs (void)
{
  g_autofree char *bad_dir = NULL, *archive2 = NULL, *valid_name = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_auto (Run) run = { 0 };
  int valid = -1;
  gint64 best_size = G_MAXINT64;
  /* file name → expected status */
  struct { const char *name; const char *status; } expected[] = {
    { "zero-bytes.tif", "failed" },
    { "truncated.tif", "failed" },
    { "truncated.png", "failed" },
    { "truncated.jpg", "failed" },
    { "text-not-pdf.pdf", "failed" },
    { "encrypted.pdf", "failed" },
    { "no-pages.pdf", "failed" },
    { "huge-30000x30000.png", "failed" },
    { "wide-25000x100.png", "failed" },
    { "fifo.tif", "failed" },  /* a named pipe: reading it would never end */
    { NULL, "archived" },  /* the valid sample, filled in below */
  };

  if (!fixture_ready ())
    return;
  bad_dir = g_build_filename (work_dir, "bad-inputs", NULL);
  archive2 = g_build_filename (work_dir, "archive-bad-inputs", NULL);
  g_mkdir_with_parents (bad_dir, 0700);

  /* The smallest one-page sample as the valid input. */
  for (guint i = 0; i < n_docs (); i++)
    {
      g_autofree char *input = doc_input_path (i);
      GStatBuf st;

      if (json_array_get_length (doc_pages (i)) == 1 && g_stat (input, &st) == 0 &&
          st.st_size < best_size)
        valid = (int) i, best_size = st.st_size;
    }
  if (valid < 0)
    valid = 0;
  valid_name = g_strdup (doc_file ((guint) valid));
  expected[G_N_ELEMENTS (expected) - 1].name = valid_name;
  {
    g_autofree char *input = doc_input_path ((guint) valid), *data = NULL;
    g_autofree char *path = g_build_filename (bad_dir, valid_name, NULL);
    gsize length = 0;
    g_assert_true (g_file_get_contents (input, &data, &length, NULL));
    write_file (path, data, length);
  }

  {
    g_autofree char *path = g_build_filename (bad_dir, "zero-bytes.tif", NULL);
    write_file (path, "", 0);
  }
  {
    static const char *const tif[] = { ".tif", ".tiff", NULL };
    static const char *const png[] = { ".png", NULL };
    static const char *const jpg[] = { ".jpg", ".jpeg", NULL };
    g_autofree char *t = g_build_filename (bad_dir, "truncated.tif", NULL);
    g_autofree char *p = g_build_filename (bad_dir, "truncated.png", NULL);
    g_autofree char *j = g_build_filename (bad_dir, "truncated.jpg", NULL);
    write_truncated (t, tif, IFF_TIFF_G4);
    write_truncated (p, png, IFF_PNG);
    write_truncated (j, jpg, IFF_JFIF_JPEG);
  }
  {
    static const char text[] = "Đây không phải là một tệp PDF, chỉ là văn bản.\n";
    g_autofree char *path = g_build_filename (bad_dir, "text-not-pdf.pdf", NULL);
    write_file (path, text, strlen (text));
  }
  {
    static const char *const pdf_ext[] = { ".pdf", NULL };
    int i = sample_with_extension (pdf_ext);
    g_autofree char *source = NULL, *out = g_build_filename (bad_dir, "encrypted.pdf", NULL);
    g_auto (Run) qpdf = { 0 };

    if (i >= 0)
      source = doc_input_path ((guint) i);
    else
      {
        g_autoptr (GString) pdf = minimal_pdf (TRUE);
        source = g_build_filename (work_dir, "one-page.pdf", NULL);
        write_file (source, pdf->str, pdf->len);
      }
    {
      const char *argv[] = { "qpdf", "--encrypt", "user", "owner", "256", "--", source, out, NULL };
      run_argv (&qpdf, argv);
    }
    g_assert_cmpint (qpdf.status, ==, 0);
  }
  {
    g_autoptr (GString) pdf = minimal_pdf (FALSE);
    g_autofree char *path = g_build_filename (bad_dir, "no-pages.pdf", NULL);
    g_auto (Run) qpdf = { 0 };
    const char *argv[] = { "qpdf", "--check", path, NULL };

    write_file (path, pdf->str, pdf->len);
    run_argv (&qpdf, argv);  /* the test's own input must be a valid PDF */
    g_assert_cmpint (qpdf.status, ==, 0);
  }
  {
    g_autoptr (GByteArray) huge = png_with_header (30000, 30000);
    g_autoptr (GByteArray) wide = png_with_header (25000, 100);
    g_autofree char *h = g_build_filename (bad_dir, "huge-30000x30000.png", NULL);
    g_autofree char *w = g_build_filename (bad_dir, "wide-25000x100.png", NULL);
    write_file (h, huge->data, huge->len);
    write_file (w, wide->data, wide->len);
  }

  {
    g_autofree char *fifo = g_build_filename (bad_dir, "fifo.tif", NULL);
    g_autofree char *loop = g_build_filename (bad_dir, "loop", NULL);

    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    /* A link back up the tree must not make ingest walk in circles. */
    g_assert_cmpint (symlink (bad_dir, loop), ==, 0);
  }

  run_kho (&run, archive2, "ingest", "--json", bad_dir, NULL);
  g_test_message ("`%s` → %d:\n%s%s", run.command, run.status, run.out, run.err);
  CHECK (run.status == 1, "ingest with bad inputs exited with %d, expected 1", run.status);
  lines = parse_json_lines (run.out, "ingest --json of bad inputs");
  CHECK (lines->len == G_N_ELEMENTS (expected), "ingest printed %u lines for %u inputs",
         lines->len, (guint) G_N_ELEMENTS (expected));
  for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
    {
      const char *name = expected[k].name;
      JsonObject *line = line_for_file (lines, name);
      const char *status = member_string (line, "status"), *error = member_string (line, "error");

      if (line == NULL)
        {
          check_failed ("%s: no line in the ingest report", name);
          continue;
        }
      CHECK (g_strcmp0 (status, expected[k].status) == 0, "%s: status %s, expected %s (error: %s)",
             name, status, expected[k].status, error);
      if (strcmp (expected[k].status, "failed") == 0)
        {
          /* the reason is what follows the last mention of the name */
          const char *at = error ? g_strrstr (error, name) : NULL;
          g_autofree char *reason = NULL;

          if (at == NULL)
            {
              check_failed ("%s: error “%s” does not name the file", name, error);
              continue;
            }
          reason = g_strdup (at + strlen (name));
          g_strstrip (g_strdelimit (reason, ":;,-()", ' '));
          CHECK (reason[0] != '\0', "%s: error “%s” gives no reason after the file name", name, error);
          CHECK (strchr (error, '\n') == NULL, "%s: error “%s” is not one line", name, error);
        }
    }

  /* The archive holds the valid sample and nothing else. */
  {
    g_autofree char *check = db_text (archive2, "PRAGMA integrity_check");
    gint64 documents = db_count (archive2, "SELECT count(*) FROM documents");
    g_autofree char *originals = g_build_filename (archive2, "originals", NULL);
    g_autofree char *pdfa = g_build_filename (archive2, "pdfa", NULL);
    g_autofree char *tmp = g_build_filename (archive2, "tmp", NULL);
    g_autoptr (GPtrArray) in_originals = files_under (originals);
    g_autoptr (GPtrArray) in_pdfa = files_under (pdfa);
    g_autoptr (GPtrArray) in_tmp = files_under (tmp);

    CHECK (g_strcmp0 (check, "ok") == 0, "PRAGMA integrity_check: %s", check);
    CHECK (documents == 1, "%" G_GINT64_FORMAT " documents in kho.db, expected 1", documents);
    CHECK (in_originals->len == 1, "%u files under originals/, expected 1", in_originals->len);
    CHECK (in_pdfa->len == 1, "%u files under pdfa/, expected 1", in_pdfa->len);
    CHECK (in_tmp->len == 0, "%u files left in tmp/, e.g. %s", in_tmp->len,
           in_tmp->len ? (char *) g_ptr_array_index (in_tmp, 0) : "");
    for (guint k = 0; k < in_originals->len; k++)
      g_test_message ("originals: %s", (char *) g_ptr_array_index (in_originals, k));
    for (guint k = 0; k < in_pdfa->len; k++)
      g_test_message ("pdfa: %s", (char *) g_ptr_array_index (in_pdfa, k));
  }
}

/* ------------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  int status;
  g_autofree char **args = g_new0 (char *, argc + 2);
  int n_args = 0;

  /* The cases are independent checks of one ingest run: a failing one must
   * not hide the others (GTest in TAP mode bails out at the first failure
   * unless it keeps going). */
  args[n_args++] = argv[0];
  args[n_args++] = (char *) "--keep-going";
  for (int k = 1; k < argc; k++)
    args[n_args++] = argv[k];
  argv = args;
  argc = n_args;
  /* File names, texts and queries in messages are Vietnamese: print them as
   * UTF-8 even when the environment gives the C locale. */
  setlocale (LC_ALL, "");
  if (!g_get_charset (NULL))
    setlocale (LC_CTYPE, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  setup_fixture ();

  g_test_add_func ("/ingest/all-archived", test_all_archived);
  g_test_add_func ("/ingest/ocr-cer", test_cer);
  g_test_add_func ("/ingest/orientation", test_orientation);
  g_test_add_func ("/ingest/residual-skew", test_residual_skew);
  g_test_add_func ("/ingest/pdfa-valid", test_pdfa_valid);
  g_test_add_func ("/ingest/pdf-text-layer", test_pdf_text_layer);
  g_test_add_func ("/ingest/originals-and-hashes", test_originals_and_hashes);
  g_test_add_func ("/ingest/search", test_search);
  g_test_add_func ("/ingest/duplicates", test_duplicates);
  g_test_add_func ("/ingest/ids", test_ids);
  g_test_add_func ("/ingest/bad-inputs", test_bad_inputs);
  status = g_test_run ();

  if (work_dir && g_getenv ("KHO_TEST_KEEP") == NULL)
    remove_tree (work_dir);
  else if (work_dir)
    g_test_message ("kept %s", work_dir);
  run_clear (&ingest_run);
  g_clear_pointer (&ingest_lines, g_ptr_array_unref);
  g_clear_pointer (&show_cache, g_hash_table_unref);
  g_clear_pointer (&manifest_node, json_node_unref);
  g_free (fixture_error);
  g_free (archive);
  g_free (work_dir);
  g_free (samples_dir);
  return status;
}
