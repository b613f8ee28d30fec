/* test-fixity.c — store/fixity.c (a file against its SHA-256, the files of
 * originals/ and pdfa/ and whose place they name), the retention periods
 * of pipeline/disposal.c, and how pipeline/verify.c records its results. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "index/audit.h"
#include "index/db.h"
#include "index-fixture.h"
#include "pipeline/archive.h"
#include "pipeline/disposal.h"
#include "pipeline/verify.h"
#include "store/fixity.h"
#include "store/originals.h"

#define SHA_HELLO "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

static void
write_file (const char *root, const char *relative, const char *text)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_check_file (void)
{
  g_autofree char *root = g_dir_make_tmp ("kho-fixity-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (root, "f", NULL);
  g_autofree char *missing = g_build_filename (root, "nothing", NULL);
  g_autofree char *actual = NULL;
  g_autoptr (GError) error = NULL;

  write_file (root, "f", "hello");
  g_assert_cmpint (kho_fixity_check_file (path, SHA_HELLO, &actual, &error), ==, KHO_FIXITY_OK);
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, SHA_HELLO);
  g_clear_pointer (&actual, g_free);
  write_file (root, "f", "hellO");
  g_assert_cmpint (kho_fixity_check_file (path, SHA_HELLO, &actual, NULL), ==,
                   KHO_FIXITY_CHANGED);
  g_assert_cmpstr (actual, !=, SHA_HELLO);
  g_assert_cmpint (kho_fixity_check_file (missing, SHA_HELLO, NULL, &error), ==,
                   KHO_FIXITY_MISSING);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_cmpstr (kho_fixity_status_name (KHO_FIXITY_MISSING), ==, "missing");
  kho_store_remove_tree (root, NULL);
}

static void
test_list_files (void)
{
  g_autofree char *root = g_dir_make_tmp ("kho-fixity-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (root, "pdfa", "KHO-2026-000009.pdf", NULL);
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) error = NULL;
  static const struct {
    const char *path;
    KhoFixityFileKind kind;
    const char *key;
  } expected[] = {
    { "originals/2c/f2/2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
      KHO_FIXITY_FILE_OTHER, NULL },               /* upper case: not the store's name */
    { "originals/2c/f2/" SHA_HELLO, KHO_FIXITY_FILE_ORIGINAL, SHA_HELLO },
    { "originals/2c/f2/notes.txt", KHO_FIXITY_FILE_OTHER, NULL },
    { "originals/2c/ff/" SHA_HELLO, KHO_FIXITY_FILE_OTHER, NULL },   /* in the wrong folder */
    { "originals/stray.bin", KHO_FIXITY_FILE_OTHER, NULL },
    { "originals/zz", KHO_FIXITY_FILE_OTHER, NULL },                 /* a folder out of the layout */
    { "pdfa/KHO-2026-000001.pdf", KHO_FIXITY_FILE_PDF, "KHO-2026-000001" },
    { "pdfa/KHO-2026-000009.pdf", KHO_FIXITY_FILE_OTHER, NULL },     /* a link */
    { "pdfa/readme", KHO_FIXITY_FILE_OTHER, NULL },
  };

  write_file (root, "originals/2c/f2/" SHA_HELLO, "hello");
  write_file (root, expected[0].path, "hello");
  write_file (root, "originals/2c/f2/notes.txt", "x");
  write_file (root, "originals/2c/ff/" SHA_HELLO, "hello");
  write_file (root, "originals/stray.bin", "x");
  write_file (root, "originals/zz/inside", "x");
  write_file (root, "originals/ab/cd/.keep-empty-folders-are-fine", "x");
  write_file (root, "pdfa/KHO-2026-000001.pdf", "%PDF");
  write_file (root, "pdfa/readme", "x");
  g_assert_cmpint (symlink ("KHO-2026-000001.pdf", link), ==, 0);

  files = kho_fixity_list_files (root, &error);
  g_assert_no_error (error);
  /* ".keep…" is not 64 hex digits: OTHER too. */
  g_assert_cmpuint (files->len, ==, G_N_ELEMENTS (expected) + 1);
  for (guint i = 0, j = 0; i < files->len; i++)
    {
      KhoFixityFile *file = files->pdata[i];

      if (strstr (file->path, ".keep"))
        {
          g_assert_cmpint (file->kind, ==, KHO_FIXITY_FILE_OTHER);
          continue;
        }
      g_test_message ("%s", file->path);
      g_assert_cmpstr (file->path, ==, expected[j].path);
      g_assert_cmpint (file->kind, ==, expected[j].kind);
      g_assert_cmpstr (file->key, ==, expected[j].key);
      j++;
    }
  kho_store_remove_tree (root, NULL);
}

/* Retention: whole years from the end of the year of issue (of intake
 * without one); permanent and unset never end. */
static void
test_retention (KhoTestDbFixture *f, gconstpointer data)
{
  KhoDb *db = f->db;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) past = NULL;
  KhoDocument doc = { .sha256 = (char *) SHA_HELLO, .size = 5, .format = (char *) "png",
                      .file_name = (char *) "x.png", .created = (char *) "2024-06-01T00:00:00Z" };
  KhoRetention retention;
  int unset = -1;

  (void) data;
  g_assert_true (kho_db_begin (db, NULL));
  g_assert_cmpint (kho_db_insert_document (db, "KHO", 2024, &doc, &error), >, 0);
  g_assert_true (kho_db_commit (db, NULL));

  kho_disposal_retention (db, &doc, &retention);
  g_assert_cmpint (retention.years, ==, -1);
  g_assert_null (retention.until);
  g_assert_false (retention.past);
  kho_retention_clear (&retention);

  g_assert_true (kho_db_set_field (db, doc.id, "retention", "0", "auto", NULL));
  kho_disposal_retention (db, &doc, &retention);
  g_assert_cmpint (retention.years, ==, 0);
  g_assert_null (retention.until);
  g_assert_false (retention.past);
  kho_retention_clear (&retention);

  g_assert_true (kho_db_set_field (db, doc.id, "retention", "5", "auto", NULL));
  kho_disposal_retention (db, &doc, &retention);
  g_assert_cmpstr (retention.from, ==, "2024-06-01");
  g_assert_cmpstr (retention.until, ==, "2030-01-01");
  g_assert_false (retention.past);
  kho_retention_clear (&retention);

  doc.issued = (char *) "2019-12-31";
  kho_disposal_retention (db, &doc, &retention);
  g_assert_cmpstr (retention.from, ==, "2019-12-31");
  g_assert_cmpstr (retention.until, ==, "2025-01-01");
  g_assert_true (retention.past);
  kho_retention_clear (&retention);

  /* Listed only once archived, from the catalogue's own date of issue. */
  g_assert_true (kho_db_set_field (db, doc.id, "issued", "2019-12-31", "user", NULL));
  past = kho_disposal_list_past (db, &unset, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (past->len, ==, 0);
  g_clear_pointer (&past, g_ptr_array_unref);
  g_assert_true (kho_db_index_document (db, doc.id, NULL));
  past = kho_disposal_list_past (db, &unset, &error);
  g_assert_cmpuint (past->len, ==, 1);
  g_assert_cmpstr (((KhoDocument *) past->pdata[0])->archive_id, ==, "KHO-2024-000001");
  g_assert_cmpint (unset, ==, 0);

  g_free (doc.archive_id);
}

/* kho verify records its results in batches (verify.c): more documents
 * than one batch holds are all recorded, one event each with its last
 * check, the chain intact, the run's event last. */
static void
test_verify_batches (void)
{
  enum { DOCUMENTS = 250 };
  g_autofree char *root = g_dir_make_tmp ("kho-fixity-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = kho_archive_init (root, "KHO", &error);
  g_autoptr (GPtrArray) entries = NULL;
  KhoVerifyReport report;
  KhoAuditCheck check = { 0 };
  guint verify_events = 0;

  g_assert_no_error (error);
  g_assert_true (kho_db_begin (archive->db, NULL));
  for (int i = 0; i < DOCUMENTS; i++)
    {
      g_autofree char *text = g_strdup_printf ("document %d", i);
      g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
      g_autofree char *path = kho_store_original_path (root, sha256);
      g_autofree char *dir = g_path_get_dirname (path);
      KhoDocument doc = { .sha256 = sha256, .size = (gint64) strlen (text), .format = (char *) "png",
                          .file_name = (char *) "x.png", .created = (char *) "2024-06-01T00:00:00Z" };

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      g_assert_cmpint (kho_db_insert_document (archive->db, "KHO", 2024, &doc, &error), >, 0);
      g_assert_true (kho_db_index_document (archive->db, doc.id, &error));
      g_free (doc.archive_id);
    }
  g_assert_true (kho_db_commit (archive->db, NULL));

  g_assert_true (kho_verify_run (archive, 0, "tester", &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.documents->len, ==, DOCUMENTS);
  g_assert_cmpint (report.counts[KHO_FIXITY_OK], ==, DOCUMENTS);
  g_assert_false (kho_verify_report_failed (&report));
  kho_verify_report_clear (&report);

  entries = kho_audit_list (archive->db, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      KhoAuditEntry *entry = entries->pdata[i];

      if (g_strcmp0 (entry->stage, "verify") == 0 && entry->archive_id)
        {
          g_assert_cmpstr (entry->status, ==, "ok");
          g_assert_cmpstr (entry->actor, ==, "tester");
          verify_events++;
        }
    }
  g_assert_cmpuint (verify_events, ==, DOCUMENTS);
  {
    KhoAuditEntry *last = entries->pdata[entries->len - 1];

    g_assert_cmpstr (last->stage, ==, "verify");
    g_assert_null (last->archive_id);
    g_assert_true (g_str_has_prefix (last->detail, "250 documents: 250 ok,"));
  }
  /* Every document has its last check, so none is due before another. */
  for (int i = 1; i <= DOCUMENTS; i++)
    {
      g_autoptr (KhoDocument) doc = kho_db_get_document (archive->db, i, &error);

      g_assert_no_error (error);
      g_assert_nonnull (doc->verified);
      g_assert_cmpstr (doc->fixity, ==, "ok");
    }
  g_assert_true (kho_audit_verify (archive->db, &check, &error));
  g_assert_cmpint (check.problem, ==, KHO_AUDIT_OK);
  kho_audit_check_clear (&check);

  g_clear_pointer (&archive, kho_archive_free);
  kho_store_remove_tree (root, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fixity/check-file", test_check_file);
  g_test_add_func ("/fixity/list-files", test_list_files);
  g_test_add ("/fixity/retention", KhoTestDbFixture, NULL, kho_test_db_setup, test_retention,
              kho_test_db_teardown);
  g_test_add_func ("/fixity/verify-batches", test_verify_batches);
  return g_test_run ();
}
