/* index-fixture.h — an in-memory catalogue for the index/ module tests. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "index/schema.h"
#include "index/schema-v2.h"
#include "index/schema-v3.h"
#include "index/schema-v4.h"
#include "index/schema-v5.h"
#include "index/schema-v6.h"
#include "index/schema-v7.h"
#include "index/db.h"
#include "index/tokenizer.h"
#include <glib/gstdio.h>

/* Applies the SQL of schema versions 1 to @version to @db, which has the
 * kho_vi tokenizer: the tables a kho of that version made (user_version
 * is left as it was). */
static inline void
kho_test_apply_schemas (sqlite3 *db, int version)
{
  const char *const versions[] = { kho_schema_v1, kho_schema_v2, kho_schema_v3, kho_schema_v4,
                                   kho_schema_v5, kho_schema_v6, kho_schema_v7 };
  char *message = NULL;

  G_STATIC_ASSERT (G_N_ELEMENTS (versions) == KHO_DB_SCHEMA_VERSION);
  g_assert_cmpint (version, <=, KHO_DB_SCHEMA_VERSION);
  for (int i = 0; i < version; i++)
    if (sqlite3_exec (db, versions[i], NULL, NULL, &message) != SQLITE_OK)
      g_error ("schema version %d: %s", i + 1, message);
}

/* Opens an in-memory database with the kho_vi tokenizer and every schema
 * version's SQL applied (the tables an archive has; no events to chain, so
 * no migration step is needed); close with sqlite3_close. */
static inline sqlite3 *
kho_test_open_index_db (void)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (kho_tokenizer_register (db), ==, SQLITE_OK);
  kho_test_apply_schemas (db, KHO_DB_SCHEMA_VERSION);
  return db;
}

/* Adds document @id with @title and @body (@body_length bytes, -1 for a
 * NUL-terminated string, so any bytes can be indexed), its @status, @issued
 * date (or NULL) and @page_count; created on 2026-03-0N, N = id % 9 + 1. */
static inline void
kho_test_add_document_full (sqlite3 *db, gint64 id, const char *title, const char *body,
                            int body_length, const char *status, const char *issued,
                            int page_count)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "INSERT INTO documents (id, archive_id, sha256, size, format, file_name, title, status,"
      " issued, page_count, created)"
      " VALUES (?1, printf('KHO-2026-%06d', ?1), printf('%064d', ?1), 1, 'pdf', 'scan.pdf', ?2, ?3,"
      " ?4, ?5, '2026-03-0' || (?1 % 9 + 1) || 'T08:00:00Z')", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, status, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, issued, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, page_count);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  /* As kho_db_index_document: only archived documents are in the index. */
  if (g_strcmp0 (status, "archived") != 0)
    return;
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "INSERT INTO doc_fts (rowid, title, body) VALUES (?1, ?2, ?3)", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, body, body_length, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* Adds an archived one-page document @id (see kho_test_add_document_full). */
static inline void
kho_test_add_document (sqlite3 *db, gint64 id, const char *title, const char *body,
                       int body_length)
{
  kho_test_add_document_full (db, id, title, body, body_length, "archived", NULL, 1);
}

/* A kho catalogue in a file of a temporary folder, opened with
 * kho_db_open (every migration applied): for the tests that need what an
 * in-memory database cannot give (a second connection, the WAL file). */
typedef struct {
  char *dir;
  char *path;
  KhoDb *db;
} KhoTestDbFixture;

static inline void
kho_test_db_setup (KhoTestDbFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  (void) data;
  f->dir = g_dir_make_tmp ("kho-test-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "kho.db", NULL);
  f->db = kho_db_open (f->path, &error);
  g_assert_no_error (error);
}

/* Removes the closed catalogue @path with its -wal and -shm files, then
 * its folder @dir, which must hold nothing else. */
static inline void
kho_test_db_remove (const char *dir, const char *path)
{
  static const char *const files[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *file = g_strconcat (path, files[i], NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

static inline void
kho_test_db_teardown (KhoTestDbFixture *f, gconstpointer data)
{
  (void) data;
  kho_db_close (f->db);
  kho_test_db_remove (f->dir, f->path);
  g_free (f->path);
  g_free (f->dir);
}
