/* test-store.c — content-addressed originals and atomic writes. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/originals.h"

static char *
make_archive (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("kho-store-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_true (kho_store_init (dir, &error));
  g_assert_no_error (error);
  return dir;
}

static int
count_entries (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  int n = 0;

  g_assert_nonnull (handle);
  while (g_dir_read_name (handle))
    n++;
  return n;
}

static void
test_sha256 (void)
{
  g_autoptr (GBytes) abc = g_bytes_new_static ("abc", 3);
  g_autofree char *sum = kho_store_sha256_bytes (abc);
  g_autofree char *dir = make_archive ();
  g_autofree char *path = g_build_filename (dir, "abc.txt", NULL);
  g_autofree char *file_sum = NULL;
  g_autoptr (GError) error = NULL;

  /* FIPS 180-2 test vector. */
  g_assert_cmpstr (sum, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_true (g_file_set_contents (path, "abc", 3, NULL));
  file_sum = kho_store_sha256_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (file_sum, ==, sum);
  g_assert_null (kho_store_sha256_file ("/nonexistent/kho", &error));
  g_assert_error (error, KHO_STORE_ERROR, KHO_STORE_ERROR_IO);
}

static void
test_put_original (void)
{
  g_autofree char *dir = make_archive ();
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autoptr (GBytes) data = g_bytes_new_static ("scan bytes\0\xff\x01", 13);
  g_autofree char *sha = kho_store_sha256_bytes (data);
  g_autofree char *path = kho_store_original_path (dir, sha);
  g_autofree char *expected_tail = g_strdup_printf ("originals/%.2s/%.2s/%s", sha, sha + 2, sha);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  GStatBuf st;

  g_assert_true (g_str_has_suffix (path, expected_tail));
  g_assert_true (kho_store_put_original (dir, sha, data, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, "scan bytes\0\xff\x01", 13);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0444);  /* read-only once stored */
  g_assert_cmpint (count_entries (tmp), ==, 0);    /* nothing left in staging */

  /* Storing the same content again is a no-op. */
  g_assert_true (kho_store_put_original (dir, sha, data, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_entries (tmp), ==, 0);

  /* A file that is not content-addressed (an archival PDF written again
   * after a crash) is replaced whole, even by content of the same size. */
  {
    g_autofree char *pdf = kho_store_pdf_path (dir, "KHO-2026-000001");
    g_autoptr (GBytes) first = g_bytes_new_static ("%PDF-one", 8);
    g_autoptr (GBytes) second = g_bytes_new_static ("%PDF-two", 8);
    g_autofree char *stored = NULL;

    g_assert_true (kho_store_write_atomic (dir, pdf, first, &error));
    g_assert_true (kho_store_write_atomic (dir, pdf, second, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (pdf, &stored, NULL, NULL));
    g_assert_cmpstr (stored, ==, "%PDF-two");
    g_assert_cmpint (count_entries (tmp), ==, 0);
  }

  g_assert_true (kho_store_remove (path, &error));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (kho_store_remove (path, &error));  /* already gone: fine */
  g_assert_no_error (error);
}

static void
test_write_failure_leaves_nothing (void)
{
  g_autofree char *dir = make_archive ();
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autofree char *blocker = g_build_filename (dir, "pdfa", "blocked", NULL);
  g_autofree char *target = g_build_filename (blocker, "x.pdf", NULL);
  g_autoptr (GBytes) data = g_bytes_new_static ("%PDF-", 5);
  g_autoptr (GError) error = NULL;

  /* A file where the target's folder should be: the write must fail cleanly. */
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  g_assert_false (kho_store_write_atomic (dir, target, data, &error));
  g_assert_error (error, KHO_STORE_ERROR, KHO_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "blocked"));
  g_assert_cmpint (count_entries (tmp), ==, 0);
}

static void
test_clean_staging (void)
{
  g_autofree char *dir = make_archive ();
  g_autofree char *gone = g_build_filename (dir, "tmp", "write-2147483-abcdef", NULL);
  g_autofree char *own_name = g_strdup_printf ("write-%d-abcdef", (int) getpid ());
  g_autofree char *live = g_build_filename (dir, "tmp", own_name, NULL);
  g_autofree char *other = g_build_filename (dir, "tmp", "notes.txt", NULL);

  /* PID 2147483 is above Linux's pid_max (4194304 at most is 2^22): never alive. */
  g_assert_true (g_file_set_contents (gone, "half", 4, NULL));
  g_assert_true (g_file_set_contents (live, "half", 4, NULL));
  g_assert_true (g_file_set_contents (other, "x", 1, NULL));
  g_assert_cmpint (kho_store_clean_staging (dir), ==, 1);
  g_assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live, G_FILE_TEST_EXISTS));   /* a writer at work */
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));  /* young, not ours */
}

static void
test_pdf_path (void)
{
  g_autofree char *path = kho_store_pdf_path ("/srv/kho", "BC-2026-000123");

  g_assert_cmpstr (path, ==, "/srv/kho/pdfa/BC-2026-000123.pdf");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/sha256", test_sha256);
  g_test_add_func ("/store/put-original", test_put_original);
  g_test_add_func ("/store/write-failure", test_write_failure_leaves_nothing);
  g_test_add_func ("/store/clean-staging", test_clean_staging);
  g_test_add_func ("/store/pdf-path", test_pdf_path);
  return g_test_run ();
}
