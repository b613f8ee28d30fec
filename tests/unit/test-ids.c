/* test-ids.c — archive ID and SHA-256 reference parsing, and resolution. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "index/db.h"
#include "index/ids.h"
#include "index/schema.h"
#include "index/tokenizer.h"
#include "index-fixture.h"

static void
test_parse_kinds (void)
{
  static const struct {
    const char *text;
    KhoIdKind kind;
    const char *normalized;
  } cases[] = {
    { "KHO-2026-000001", KHO_ID_ARCHIVE, "KHO-2026-000001" },
    { "bc-2026-000123", KHO_ID_ARCHIVE, "BC-2026-000123" },
    { "BC2-2025-1234567", KHO_ID_ARCHIVE, "BC2-2025-1234567" },
    { "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", KHO_ID_SHA256,
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
    { "DEADBEEF", KHO_ID_SHA256_PREFIX, "deadbeef" },
    { "deadbeef0", KHO_ID_SHA256_PREFIX, "deadbeef0" },
    { "deadbee", KHO_ID_INVALID, NULL },             /* 7 hex digits: too short */
    { "", KHO_ID_INVALID, NULL },
    { "KHO-26-000001", KHO_ID_INVALID, NULL },        /* two-digit year */
    { "KHO-2026-00001", KHO_ID_INVALID, NULL },       /* five-digit serial */
    { "KHO-2026-0000001x", KHO_ID_INVALID, NULL },
    { "1KHO-2026-000001", KHO_ID_INVALID, NULL },     /* prefix starts with a digit */
    { "-2026-000001", KHO_ID_INVALID, NULL },
    { "KHO-2026-000001-1", KHO_ID_INVALID, NULL },
    { "../../etc/passwd", KHO_ID_INVALID, NULL },
    { "KHO/../2026-000001", KHO_ID_INVALID, NULL },
    { "deadbeefg", KHO_ID_INVALID, NULL },
    { "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", KHO_ID_INVALID, NULL },
    { "KHÔ-2026-000001", KHO_ID_INVALID, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = NULL;
      KhoIdKind kind = kho_id_parse (cases[i].text, &normalized);

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (kind, ==, cases[i].kind);
      g_assert_cmpstr (normalized, ==, cases[i].normalized);
    }
  g_assert_cmpint (kho_id_parse (NULL, NULL), ==, KHO_ID_INVALID);
}

static void
test_prefix_and_format (void)
{
  g_autofree char *id = kho_id_format ("BC", 2026, 123);
  g_autofree char *big = kho_id_format ("KHO", 2027, 1234567);

  g_assert_cmpstr (id, ==, "BC-2026-000123");
  g_assert_cmpstr (big, ==, "KHO-2027-1234567");
  g_assert_cmpint (kho_id_parse (id, NULL), ==, KHO_ID_ARCHIVE);
  g_assert_true (kho_id_prefix_is_valid ("KHO"));
  g_assert_true (kho_id_prefix_is_valid ("A"));
  g_assert_true (kho_id_prefix_is_valid ("THCS2"));
  g_assert_false (kho_id_prefix_is_valid (""));
  g_assert_false (kho_id_prefix_is_valid ("2BC"));
  g_assert_false (kho_id_prefix_is_valid ("B-C"));
  g_assert_false (kho_id_prefix_is_valid ("ABCDEFGHIJKLMNOPQ"));  /* 17 characters */
  g_assert_false (kho_id_prefix_is_valid (NULL));
}

/* Inserts a document with @sha256 into @db and returns its archive ID. */
static char *
insert (KhoDb *db, const char *sha256)
{
  g_autoptr (GError) error = NULL;
  KhoDocument doc = { .sha256 = (char *) sha256, .size = 1, .format = (char *) "png",
                      .file_name = (char *) "x.png", .created = (char *) "2026-01-01T00:00:00Z" };

  g_assert_true (kho_db_begin (db, &error));
  g_assert_cmpint (kho_db_insert_document (db, "KHO", 2026, &doc, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (kho_db_commit (db, &error));
  return doc.archive_id;
}

static void
test_resolve (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-ids-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kho.db", NULL);
  const char *sha_a = "aaaaaaaa11111111111111111111111111111111111111111111111111111111";
  const char *sha_b = "aaaaaaaa22222222222222222222222222222222222222222222222222222222";
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoDb) db = kho_db_open (path, &error);
  g_autofree char *id_a = NULL, *id_b = NULL;
  gint64 a;

  g_assert_no_error (error);
  g_assert_cmpint (kho_db_schema_version (db), ==, KHO_DB_SCHEMA_VERSION);
  id_a = insert (db, sha_a);
  id_b = insert (db, sha_b);
  g_assert_cmpstr (id_a, ==, "KHO-2026-000001");
  g_assert_cmpstr (id_b, ==, "KHO-2026-000002");

  a = kho_db_resolve (db, "KHO-2026-000001", &error);
  g_assert_no_error (error);
  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (kho_db_resolve (db, "kho-2026-000001", NULL), ==, a);
  g_assert_cmpint (kho_db_resolve (db, sha_a, NULL), ==, a);
  g_assert_cmpint (kho_db_resolve (db, "AAAAAAAA1111", NULL), ==, a);

  g_assert_cmpint (kho_db_resolve (db, "aaaaaaaa", &error), ==, -1);
  g_assert_error (error, KHO_DB_ERROR, KHO_DB_ERROR_AMBIGUOUS);
  g_clear_error (&error);
  g_assert_cmpint (kho_db_resolve (db, "bbbbbbbb", &error), ==, -1);
  g_assert_error (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (kho_db_resolve (db, "KHO-2026-000003", &error), ==, -1);
  g_assert_error (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (kho_db_resolve (db, "' OR 1=1 --", &error), ==, -1);
  g_assert_error (error, KHO_DB_ERROR, KHO_DB_ERROR_INVALID_ID);
  g_clear_error (&error);

  /* The same file twice is one document. */
  {
    KhoDocument dup = { .sha256 = (char *) sha_a, .size = 1, .format = (char *) "png",
                        .file_name = (char *) "copy.png", .created = (char *) "2026-01-01T00:00:00Z" };
    g_assert_true (kho_db_begin (db, NULL));
    g_assert_cmpint (kho_db_insert_document (db, "KHO", 2026, &dup, &error), ==, -1);
    g_assert_error (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL);
    kho_db_rollback (db);
    g_free (dup.archive_id);
  }

  g_clear_pointer (&db, kho_db_close);
  kho_test_db_remove (dir, path);
}

static void
test_newer_schema_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-ids-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kho.db", NULL);
  g_autoptr (GError) error = NULL;
  KhoDb *db = kho_db_open (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (kho_db_handle (db), "PRAGMA user_version = 99", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  kho_db_close (db);
  db = kho_db_open (path, &error);
  g_assert_null (db);
  g_assert_error (error, KHO_DB_ERROR, KHO_DB_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, "99"));
  kho_test_db_remove (dir, path);
}

/* An archive made by a kho with schema version 1 is migrated in place:
 * its rows stay, pages gain their (empty) words. */
static void
test_migrate_from_v1 (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-ids-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kho.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pages = NULL;
  sqlite3 *raw = NULL;
  KhoDb *db;

  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (kho_tokenizer_register (raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, kho_schema_v1, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw,
      "PRAGMA user_version = 1;"
      "INSERT INTO documents (id, archive_id, sha256, size, format, file_name, created)"
      " VALUES (1, 'KHO-2025-000001', 'aaaaaaaa', 1, 'png', 'a.png', '2025-01-01T00:00:00Z');"
      "INSERT INTO pages (document_id, number, width, height, dpi, text_source, text)"
      " VALUES (1, 1, 10, 10, 300, 'ocr', 'Kế hoạch');", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);

  db = kho_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kho_db_schema_version (db), ==, KHO_DB_SCHEMA_VERSION);
  pages = kho_db_get_pages (db, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pages->len, ==, 1);
  g_assert_cmpstr (((KhoPageRow *) pages->pdata[0])->text, ==, "Kế hoạch");
  g_assert_cmpstr (((KhoPageRow *) pages->pdata[0])->words, ==, "");
  kho_db_close (db);
  kho_test_db_remove (dir, path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ids/parse", test_parse_kinds);
  g_test_add_func ("/ids/prefix-format", test_prefix_and_format);
  g_test_add_func ("/ids/resolve", test_resolve);
  g_test_add_func ("/ids/newer-schema", test_newer_schema_refused);
  g_test_add_func ("/ids/migrate-from-v1", test_migrate_from_v1);
  return g_test_run ();
}
