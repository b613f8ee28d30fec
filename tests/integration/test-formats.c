/* test-formats.c — every kind of input kho reads (the decode fuzz corpus:
 * each TIFF compression, PNG and JPEG flavour, PDFs with and without text,
 * and the hostile files) gives either a valid archival PDF/A or a clean
 * refusal: never a PDF that fails the checkers. */
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "store/originals.h"

static gboolean
run (const char *const *argv, char **out)
{
  g_autoptr (GError) error = NULL;
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                     (out ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL) | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, out, NULL, &status, &error))
    g_error ("%s: %s", argv[0], error->message);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
test_corpus (void)
{
  const char *kho = g_getenv ("KHO_BINARY");
  const char *checker = g_getenv ("KHO_PDFA_CHECK");
  g_autofree char *corpus = g_build_filename (KHO_TEST_SRCDIR, "tests", "fuzz", "corpus",
                                              "decode", NULL);
  g_autofree char *archive = g_dir_make_tmp ("kho-formats-XXXXXX", NULL);
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  const char *ingest[] = { kho, "--archive", archive, "ingest", "--json", corpus, NULL };
  int archived = 0, failed = 0;

  g_assert_nonnull (kho);
  g_assert_nonnull (checker);
  run (ingest, &out);  /* exit status 1: the corpus holds bad files on purpose */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr (JsonNode) node = NULL;
      JsonObject *line;
      const char *status, *file, *id;

      if (*lines[i] == '\0')
        continue;
      node = json_from_string (lines[i], NULL);
      g_assert_nonnull (node);
      line = json_node_get_object (node);
      status = json_object_get_string_member (line, "status");
      file = json_object_get_string_member (line, "file");
      if (g_strcmp0 (status, "failed") == 0)
        {
          const char *error = json_object_get_string_member (line, "error");

          g_test_message ("refused %s: %s", file, error);
          g_assert_true (g_str_has_prefix (error, file));
          failed++;
          continue;
        }
      g_assert_cmpstr (status, ==, "archived");
      id = json_object_get_string_member (line, "id");
      {
        g_autofree char *pdf = kho_store_pdf_path (archive, id);
        g_autofree char *original = kho_store_original_path (
            archive, json_object_get_string_member (line, "sha256"));
        g_autofree char *input_sum = kho_store_sha256_file (file, NULL);
        g_autofree char *stored_sum = kho_store_sha256_file (original, NULL);
        const char *pdfa_check[] = { checker, "--level", "2u", "--strict", pdf, NULL };
        const char *qpdf[] = { "qpdf", "--check", pdf, NULL };

        g_test_message ("archived %s as %s", file, id);
        g_assert_cmpstr (stored_sum, ==, input_sum);
        if (!run (pdfa_check, NULL))
          g_error ("%s (from %s) fails pdfa-check --level 2u --strict", pdf, file);
        if (!run (qpdf, NULL))
          g_error ("%s (from %s) fails qpdf --check", pdf, file);
      }
      archived++;
    }
  g_test_message ("%d archived, %d refused", archived, failed);
  /* Each format and compression in the corpus is read; the hostile ones
   * are refused. */
  g_assert_cmpint (archived, >=, 20);
  g_assert_cmpint (failed, >=, 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/formats/corpus", test_corpus);
  return g_test_run ();
}
