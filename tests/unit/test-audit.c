/* test-audit.c — the hash-chained audit trail: appending, the documented
 * hash, tampering of every kind, deletion of a document, migration of a
 * version-6 archive with events. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "index/audit.h"
#include "index/db.h"
#include "index-fixture.h"

static gint64
insert_document (KhoDb *db, const char *sha256)
{
  g_autoptr (GError) error = NULL;
  KhoDocument doc = { .sha256 = (char *) sha256, .size = 1, .format = (char *) "png",
                      .file_name = (char *) "x.png", .created = (char *) "2026-01-01T00:00:00Z" };
  gint64 id;

  g_assert_true (kho_db_begin (db, &error));
  id = kho_db_insert_document (db, "KHO", 2026, &doc, &error);
  g_assert_no_error (error);
  g_assert_true (kho_db_add_event (db, id, "intake", "ok", 12, NULL, "x.png", &error));
  g_assert_no_error (error);
  g_assert_true (kho_db_commit (db, &error));
  g_free (doc.archive_id);
  return id;
}

static void
exec (KhoDb *db, const char *sql, int expected)
{
  char *message = NULL;
  int rc = sqlite3_exec (kho_db_handle (db), sql, NULL, NULL, &message);

  /* Extended codes are on: SQLITE_CONSTRAINT_TRIGGER is a constraint. */
  if ((rc & 0xff) != expected)
    g_error ("%s: %d %s", sql, rc, message ? message : "");
  sqlite3_free (message);
}

static void
assert_chain (KhoDb *db, KhoAuditProblem problem, gint64 bad_id, gint64 entries)
{
  g_autoptr (GError) error = NULL;
  KhoAuditCheck check;

  g_assert_true (kho_audit_verify (db, &check, &error));
  g_assert_no_error (error);
  g_assert_cmpint (check.problem, ==, problem);
  g_assert_cmpint (check.bad_id, ==, bad_id);
  g_assert_cmpint (check.entries, ==, entries);
  kho_audit_check_clear (&check);
}

/* Five entries: intake of two documents, an edit, an event of no document
 * outside a transaction, an access. */
static void
fill (KhoDb *db)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  gint64 a = insert_document (db, "aaaaaaaa11111111111111111111111111111111111111111111111111111111");

  insert_document (db, "bbbbbbbb11111111111111111111111111111111111111111111111111111111");
  g_assert_true (kho_db_begin (db, &error));
  g_assert_true (kho_db_add_event (db, a, "edit", "ok", -1, "web:lan", "type: - → Kế hoạch",
                                   &error));
  g_assert_true (kho_db_commit (db, &error));
  g_assert_true (kho_db_add_event (db, 0, "account", "ok", -1, NULL, "user add lan", &error));
  doc = kho_db_get_document (db, a, &error);
  g_assert_true (kho_audit_record_access (db, doc, "original", "ok", "web:lan", NULL, &error));
  g_assert_no_error (error);
}

static void
test_append_and_hash (KhoTestDbFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL, one = NULL;
  g_autoptr (GString) text = NULL;
  g_autofree char *expected = NULL;
  KhoAuditEntry *first, *edit;

  (void) data;
  fill (f->db);
  assert_chain (f->db, KHO_AUDIT_OK, 0, 5);
  all = kho_audit_list (f->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 5);
  first = all->pdata[0];
  g_assert_cmpint (first->id, ==, 1);
  g_assert_cmpstr (first->prev_hash, ==, KHO_AUDIT_GENESIS);
  g_assert_cmpstr (first->archive_id, ==, "KHO-2026-000001");
  g_assert_cmpstr (first->actor, ==, g_get_user_name ());
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpstr (((KhoAuditEntry *) all->pdata[i])->prev_hash, ==,
                     ((KhoAuditEntry *) all->pdata[i - 1])->hash);

  /* The hash is the one audit.h documents, computed here by hand. */
  edit = all->pdata[2];
  text = g_string_new ("kho-audit-1\n");
  g_string_append_printf (text, "1:3\n%zu:%s\n15:KHO-2026-000001\n4:edit\n2:ok\n-\n7:web:lan\n",
                          strlen (edit->time), edit->time);
  g_string_append_printf (text, "%zu:type: - → Kế hoạch\n64:%s\n",
                          strlen ("type: - → Kế hoạch"), edit->prev_hash);
  expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text->str, (gssize) text->len);
  g_assert_cmpstr (edit->hash, ==, expected);

  one = kho_audit_list (f->db, "KHO-2026-000001", &error);
  g_assert_cmpuint (one->len, ==, 3);
  g_assert_cmpstr (((KhoAuditEntry *) one->pdata[2])->stage, ==, "access");
  g_assert_cmpstr (((KhoAuditEntry *) one->pdata[2])->detail, ==, "original");
}

/* The triggers refuse; with them dropped (as the sqlite3 shell can), the
 * chain names the entry. */
static void
test_tamper (KhoTestDbFixture *f, gconstpointer data)
{
  (void) data;
  fill (f->db);
  exec (f->db, "UPDATE events SET detail = 'x' WHERE id = 3", SQLITE_CONSTRAINT);
  exec (f->db, "DELETE FROM events WHERE id = 3", SQLITE_CONSTRAINT);
  exec (f->db, "UPDATE events SET document_id = NULL WHERE id = 3", SQLITE_CONSTRAINT);
  assert_chain (f->db, KHO_AUDIT_OK, 0, 5);
  exec (f->db, "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete", SQLITE_OK);

  /* Edited. */
  exec (f->db, "UPDATE events SET actor = 'someone' WHERE id = 3", SQLITE_OK);
  assert_chain (f->db, KHO_AUDIT_CHANGED, 3, 3);
}

static void
test_tamper_rehashed (KhoTestDbFixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) all = NULL;
  g_autofree char *sql = NULL;
  KhoAuditEntry *entry;

  (void) data;
  fill (f->db);
  exec (f->db, "DROP TRIGGER events_no_update", SQLITE_OK);
  /* Edited and its own hash written again: the next entry tells. */
  all = kho_audit_list (f->db, NULL, NULL);
  entry = all->pdata[1];
  g_free (entry->detail);
  entry->detail = g_strdup ("y.png");
  g_free (entry->hash);
  entry->hash = kho_audit_entry_hash (entry);
  sql = g_strdup_printf ("UPDATE events SET detail = 'y.png', hash = '%s' WHERE id = 2",
                         entry->hash);
  exec (f->db, sql, SQLITE_OK);
  assert_chain (f->db, KHO_AUDIT_BROKEN, 3, 3);
}

static void
test_tamper_deleted (KhoTestDbFixture *f, gconstpointer data)
{
  (void) data;
  fill (f->db);
  exec (f->db, "DROP TRIGGER events_no_delete", SQLITE_OK);
  exec (f->db, "DELETE FROM events WHERE id = 2", SQLITE_OK);
  assert_chain (f->db, KHO_AUDIT_MISSING, 2, 2);
}

static void
test_tamper_truncated (KhoTestDbFixture *f, gconstpointer data)
{
  (void) data;
  fill (f->db);
  exec (f->db, "DROP TRIGGER events_no_delete", SQLITE_OK);
  exec (f->db, "DELETE FROM events WHERE id >= 4", SQLITE_OK);
  assert_chain (f->db, KHO_AUDIT_TRUNCATED, 4, 3);
  /* The next entry follows the head, not what is left: the gap stays. */
  g_assert_true (kho_db_add_event (f->db, 0, "account", "ok", -1, NULL, "after", NULL));
  assert_chain (f->db, KHO_AUDIT_MISSING, 4, 4);
  /* The head names only an entry that is there, and never goes back. */
  exec (f->db, "UPDATE audit_head SET last_id = 3, last_hash = (SELECT hash FROM events "
               "WHERE id = 3)", SQLITE_CONSTRAINT);
  exec (f->db, "UPDATE audit_head SET last_hash = 'x'", SQLITE_CONSTRAINT);
  exec (f->db, "DELETE FROM audit_head", SQLITE_CONSTRAINT);
}

static void
test_tamper_inserted (KhoTestDbFixture *f, gconstpointer data)
{
  (void) data;
  fill (f->db);
  /* Without its hash, then with a hash chained right but behind kho's
   * back (the head does not know it). */
  exec (f->db, "INSERT INTO events (id, time, stage, status) "
               "VALUES (6, '2026-01-01T00:00:00Z', 'x', 'ok')", SQLITE_OK);
  assert_chain (f->db, KHO_AUDIT_UNCHAINED, 6, 6);
  {
    g_autoptr (GPtrArray) all = kho_audit_list (f->db, NULL, NULL);
    KhoAuditEntry *last = all->pdata[5];
    g_autofree char *hash = NULL, *sql = NULL;

    last->prev_hash = g_strdup (((KhoAuditEntry *) all->pdata[4])->hash);
    hash = kho_audit_entry_hash (last);
    exec (f->db, "DROP TRIGGER events_no_delete", SQLITE_OK);
    exec (f->db, "DELETE FROM events WHERE id = 6", SQLITE_OK);
    sql = g_strdup_printf ("INSERT INTO events (id, time, stage, status, prev_hash, hash) "
                           "VALUES (6, '2026-01-01T00:00:00Z', 'x', 'ok', '%s', '%s')",
                           last->prev_hash, hash);
    exec (f->db, sql, SQLITE_OK);
  }
  assert_chain (f->db, KHO_AUDIT_NO_HEAD, 6, 6);
  /* kho goes on archiving (a tampered trail stops no stage), after the
   * head: the forged entry stays out of the chain. */
  g_assert_true (kho_db_add_event (f->db, 0, "account", "ok", -1, NULL, "after", NULL));
  assert_chain (f->db, KHO_AUDIT_BROKEN, 7, 7);
}

/* Deleting a document keeps its entries, under its archive ID. */
static void
test_document_deleted (KhoTestDbFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) kept = NULL;

  (void) data;
  fill (f->db);
  g_assert_true (kho_db_begin (f->db, &error));
  g_assert_true (kho_db_add_event (f->db, 1, "delete", "ok", -1, NULL, "{}", &error));
  g_assert_true (kho_db_delete_document (f->db, 1, &error));
  g_assert_true (kho_db_commit (f->db, &error));
  g_assert_no_error (error);
  assert_chain (f->db, KHO_AUDIT_OK, 0, 6);
  kept = kho_audit_list (f->db, "KHO-2026-000001", &error);
  g_assert_cmpuint (kept->len, ==, 4);
  g_assert_cmpstr (((KhoAuditEntry *) kept->pdata[3])->stage, ==, "delete");
}

/* An archive of version 6 with events: migrated, its events chained in
 * order with their documents' archive IDs, the chain whole. */
static void
test_migrate_v6 (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-audit-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kho.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  sqlite3 *raw = NULL;
  KhoDb *db;

  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (kho_tokenizer_register (raw), ==, SQLITE_OK);
  kho_test_apply_schemas (raw, 6);
  g_assert_cmpint (sqlite3_exec (raw,
      "PRAGMA user_version = 6;"
      "INSERT INTO documents (id, archive_id, sha256, size, format, file_name, created)"
      " VALUES (1, 'KHO-2025-000001', 'aaaaaaaa', 1, 'png', 'a.png', '2025-01-01T00:00:00Z');"
      "INSERT INTO events (document_id, time, stage, status, duration_ms, actor, detail) VALUES"
      " (1, '2025-01-01T00:00:00Z', 'intake', 'ok', 5, 'van', 'a.png'),"
      " (NULL, '2025-01-01T00:00:01Z', 'intake', 'failed', NULL, 'van', 'b.png: empty'),"
      " (1, '2025-01-01T00:00:02Z', 'index', 'ok', 1, 'van', NULL);",
      NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);

  db = kho_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kho_db_schema_version (db), ==, KHO_DB_SCHEMA_VERSION);
  g_assert_cmpint (KHO_DB_SCHEMA_VERSION, ==, 7);
  assert_chain (db, KHO_AUDIT_OK, 0, 3);
  all = kho_audit_list (db, NULL, &error);
  g_assert_cmpstr (((KhoAuditEntry *) all->pdata[0])->archive_id, ==, "KHO-2025-000001");
  g_assert_null (((KhoAuditEntry *) all->pdata[1])->archive_id);
  g_assert_cmpstr (((KhoAuditEntry *) all->pdata[0])->prev_hash, ==, KHO_AUDIT_GENESIS);
  g_assert_cmpstr (((KhoAuditEntry *) all->pdata[0])->actor, ==, "van");
  /* A new entry follows the migrated ones. */
  g_assert_true (kho_db_add_event (db, 1, "verify", "ok", -1, NULL, NULL, &error));
  assert_chain (db, KHO_AUDIT_OK, 0, 4);
  kho_db_close (db);
  /* Opening again changes nothing. */
  db = kho_db_open (path, &error);
  g_assert_no_error (error);
  assert_chain (db, KHO_AUDIT_OK, 0, 4);
  kho_db_close (db);
  kho_test_db_remove (dir, path);
}

/* Writers on their own connections (as kho watch's worker processes are)
 * appending at once, inside and outside transactions: the chain has every
 * entry, in one line, never forked. */
#define WRITERS 4
#define APPENDS 40

static gpointer
append_many (gpointer data)
{
  const char *path = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoDb) db = kho_db_open (path, &error);

  g_assert_no_error (error);
  for (int i = 0; i < APPENDS; i++)
    {
      g_autofree char *detail = g_strdup_printf ("%p %d", (void *) g_thread_self (), i);

      if (i % 2)
        {
          g_assert_true (kho_db_begin (db, &error));
          g_assert_true (kho_db_add_event (db, 1, "verify", "ok", i, NULL, detail, &error));
          g_assert_true (kho_db_commit (db, &error));
        }
      else
        g_assert_true (kho_db_add_event (db, 0, "account", "ok", -1, NULL, detail, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_concurrent (KhoTestDbFixture *f, gconstpointer data)
{
  GThread *threads[WRITERS];

  (void) data;
  insert_document (f->db, "aaaaaaaa11111111111111111111111111111111111111111111111111111111");
  for (int i = 0; i < WRITERS; i++)
    threads[i] = g_thread_new ("writer", append_many, f->path);
  for (int i = 0; i < WRITERS; i++)
    g_thread_join (threads[i]);
  assert_chain (f->db, KHO_AUDIT_OK, 0, 1 + WRITERS * APPENDS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) \
  g_test_add ("/audit/" name, KhoTestDbFixture, NULL, kho_test_db_setup, func, kho_test_db_teardown)
  ADD ("append-and-hash", test_append_and_hash);
  ADD ("tamper-edited", test_tamper);
  ADD ("tamper-rehashed", test_tamper_rehashed);
  ADD ("tamper-deleted", test_tamper_deleted);
  ADD ("tamper-truncated", test_tamper_truncated);
  ADD ("tamper-inserted", test_tamper_inserted);
  ADD ("document-deleted", test_document_deleted);
  ADD ("concurrent", test_concurrent);
#undef ADD
  g_test_add_func ("/audit/migrate-v6", test_migrate_v6);
  return g_test_run ();
}
