/* test-bagit.c — BagIt bags: paths, the atomic writer, the validator. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "store/bagit.h"
#include "store/originals.h"

static void
test_paths (void)
{
  g_autofree char *encoded = kho_bagit_encode_path ("data/a%b\nc\rd.txt");
  g_autofree char *decoded = kho_bagit_decode_path (encoded);
  g_autofree char *upper = kho_bagit_decode_path ("data/100%25%0a");
  g_autofree char *dots = kho_bagit_safe_name ("../..//.hidden");
  g_autofree char *control = kho_bagit_safe_name ("Công văn\n01.tif");
  g_autofree char *empty = kho_bagit_safe_name ("...");

  g_assert_cmpstr (encoded, ==, "data/a%25b%0Ac%0Dd.txt");
  g_assert_cmpstr (decoded, ==, "data/a%b\nc\rd.txt");
  g_assert_cmpstr (upper, ==, "data/100%\n");
  g_assert_null (kho_bagit_decode_path ("data/%41"));

  g_assert_true (kho_bagit_path_is_safe ("data/KHO-2026-000001/original/quyết định.tif"));
  g_assert_false (kho_bagit_path_is_safe ("data/../etc/passwd"));
  g_assert_false (kho_bagit_path_is_safe ("/etc/passwd"));
  g_assert_false (kho_bagit_path_is_safe ("data//x"));
  g_assert_false (kho_bagit_path_is_safe ("data/./x"));
  g_assert_false (kho_bagit_path_is_safe ("data\\..\\x"));
  g_assert_false (kho_bagit_path_is_safe (""));

  g_assert_cmpstr (dots, ==, "hidden");
  g_assert_cmpstr (control, ==, "Công văn_01.tif");
  g_assert_cmpstr (empty, ==, "file");
}

/* A bag of two files, one with a newline in its name, in a new folder. */
static char *
make_bag (char **parent)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoBagitWriter) writer = NULL;
  g_autoptr (GBytes) hello = g_bytes_new_static ("hello\n", 6);
  g_autoptr (GBytes) odd = g_bytes_new_static ("odd", 3);
  const char *info[] = { "Source-Organization", "Trường\nthử", NULL };
  char *bag;

  *parent = g_dir_make_tmp ("kho-bagit-XXXXXX", &error);
  g_assert_no_error (error);
  bag = g_build_filename (*parent, "bag", NULL);
  writer = kho_bagit_writer_new (bag, &error);
  g_assert_no_error (error);
  g_assert_true (kho_bagit_writer_add_bytes (writer, "doc/hello.txt", hello, &error));
  g_assert_true (kho_bagit_writer_add_bytes (writer, "doc/odd\nname%.txt", odd, &error));
  g_assert_false (kho_bagit_writer_add_bytes (writer, "../escape", odd, &error));
  g_assert_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_PATH);
  g_clear_error (&error);
  g_assert_false (kho_bagit_writer_add_bytes (writer, "doc/hello.txt", odd, &error));
  g_clear_error (&error);
  g_assert_false (g_file_test (bag, G_FILE_TEST_EXISTS));   /* not before finish */
  g_assert_true (kho_bagit_writer_finish (writer, info, &error));
  g_assert_no_error (error);
  return bag;
}

static void
remove_all (const char *parent)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (kho_store_remove_tree (parent, &error));
  g_assert_no_error (error);
}

static void
test_round_trip (void)
{
  g_autofree char *parent = NULL;
  g_autofree char *bag_dir = make_bag (&parent);
  g_autofree char *info_path = g_build_filename (bag_dir, "bag-info.txt", NULL);
  g_autofree char *info = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoBagit) bag = NULL;
  const KhoBagitFile *file;

  g_assert_true (g_file_get_contents (info_path, &info, NULL, NULL));
  g_assert_nonnull (strstr (info, "Source-Organization: Trường thử\n"));
  g_assert_nonnull (strstr (info, "Payload-Oxum: 9.2\n"));
  bag = kho_bagit_open (bag_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bag->payload->len, ==, 2);
  file = kho_bagit_lookup (bag, "doc/odd\nname%.txt");
  g_assert_nonnull (file);
  g_assert_cmpint (file->size, ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (bag->info, "Payload-Oxum"), ==, "9.2");
  remove_all (parent);
}

/* Overwrites the file @name of @bag with @text. */
static void
rewrite (const char *bag, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (bag, name, NULL);

  g_chmod (path, 0644);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* Opens @bag expecting a refusal whose message contains @wanted. */
static void
assert_refused (const char *bag, const char *wanted)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoBagit) opened = kho_bagit_open (bag, &error);

  g_assert_null (opened);
  g_assert_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_INVALID);
  if (strstr (error->message, wanted) == NULL)
    g_error ("“%s” does not say “%s”", error->message, wanted);
}

/* The damage of test_refusals that is not a whole file written again. */
static void
drop_manifest_line (const char *bag)
{
  g_autofree char *manifest = g_build_filename (bag, "manifest-sha256.txt", NULL);
  g_autofree char *original = NULL;

  g_assert_true (g_file_get_contents (manifest, &original, NULL, NULL));
  *strchr (original, '\n') = '\0';
  rewrite (bag, "manifest-sha256.txt", original);
}

static void
remove_payload_file (const char *bag)
{
  g_autofree char *path = g_build_filename (bag, "data/doc/hello.txt", NULL);

  g_unlink (path);
}

static void
add_payload_link (const char *bag)
{
  g_autofree char *link = g_build_filename (bag, "data/doc/link", NULL);

  g_assert_cmpint (symlink ("/etc/passwd", link), ==, 0);
}

/* Each case damages a new bag: writes @file again with @text, or calls
 * @damage; the bag must then be refused with a message containing @wanted. */
static const struct {
  const char *file;
  const char *text;
  void (*damage) (const char *bag);
  const char *wanted;
} refusals[] = {
  /* A changed payload byte. */
  { "data/doc/hello.txt", "hellO\n", NULL, "data/doc/hello.txt: SHA-256 is " },
  /* A manifest line removed: its file is not listed. */
  { NULL, NULL, drop_manifest_line,
    "data/doc/odd\nname%.txt: not listed in manifest-sha256.txt" },
  /* A payload file missing. */
  { NULL, NULL, remove_payload_file,
    "data/doc/hello.txt: listed in manifest-sha256.txt but missing" },
  /* A link in the payload. */
  { NULL, NULL, add_payload_link, "data/doc/link: not a regular file" },
  /* No declaration, or the wrong encoding. */
  { "bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n", NULL,
    "bagit.txt: Tag-File-Character-Encoding" },
  /* A changed tag file, and a wrong Payload-Oxum. */
  { "bag-info.txt", "Source-Organization: other\nPayload-Oxum: 9.2\n", NULL,
    "bag-info.txt: SHA-256 is " },
  { "bag-info.txt", "Payload-Oxum: 10.2\n", NULL, "Payload-Oxum is 10.2, the payload is 9.2" },
};

static void
test_refusals (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *parent = NULL;
      g_autofree char *bag = make_bag (&parent);

      if (refusals[i].file)
        rewrite (bag, refusals[i].file, refusals[i].text);
      else
        refusals[i].damage (bag);
      assert_refused (bag, refusals[i].wanted);
      remove_all (parent);
    }
}

static void
test_destination (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *parent = g_dir_make_tmp ("kho-bagit-XXXXXX", &error);
  g_autofree char *empty = g_build_filename (parent, "empty", NULL);
  g_autofree char *full = g_build_filename (parent, "full", NULL);
  g_autofree char *inside = g_build_filename (full, "x", NULL);
  g_autoptr (KhoBagitWriter) refused = NULL;
  g_autoptr (GBytes) data = g_bytes_new_static ("x", 1);

  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (full, 0755), ==, 0);
  g_assert_true (g_file_set_contents (inside, "x", -1, NULL));
  refused = kho_bagit_writer_new (full, &error);
  g_assert_null (refused);
  g_assert_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_EXISTS);
  g_clear_error (&error);
  {
    /* An empty folder becomes the bag; an abandoned writer leaves nothing. */
    g_autoptr (KhoBagitWriter) writer = kho_bagit_writer_new (empty, &error);
    g_autoptr (KhoBagitWriter) abandoned = NULL;
    g_autofree char *bagit = g_build_filename (empty, "bagit.txt", NULL);
    g_autofree char *other = g_build_filename (parent, "other", NULL);
    g_autoptr (GDir) dir = NULL;
    const char *name;
    int entries = 0;

    g_assert_no_error (error);
    g_assert_true (kho_bagit_writer_add_bytes (writer, "x", data, &error));
    g_assert_true (kho_bagit_writer_finish (writer, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_test (bagit, G_FILE_TEST_IS_REGULAR));
    abandoned = kho_bagit_writer_new (other, &error);
    g_assert_true (kho_bagit_writer_add_bytes (abandoned, "x", data, &error));
    g_clear_pointer (&abandoned, kho_bagit_writer_free);
    dir = g_dir_open (parent, 0, NULL);
    while ((name = g_dir_read_name (dir)) != NULL)
      entries++;
    g_assert_cmpint (entries, ==, 2);   /* empty (now the bag) and full */
  }
  remove_all (parent);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bagit/paths", test_paths);
  g_test_add_func ("/bagit/round-trip", test_round_trip);
  g_test_add_func ("/bagit/refusals", test_refusals);
  g_test_add_func ("/bagit/destination", test_destination);
  return g_test_run ();
}
