/* index-fixture.h — an in-memory catalogue for the index/ module tests. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "index/schema.h"
#include "index/tokenizer.h"

/* Opens an in-memory database with the kho_vi tokenizer and schema v1;
 * close with sqlite3_close. */
static inline sqlite3 *
kho_test_open_index_db (void)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (kho_tokenizer_register (db), ==, SQLITE_OK);
  if (sqlite3_exec (db, kho_schema_v1, NULL, NULL, &message) != SQLITE_OK)
    g_error ("schema: %s", message);
  return db;
}

/* Adds an archived document @id with @title and @body (@body_length bytes,
 * -1 for a NUL-terminated string, so any bytes can be indexed). */
static inline void
kho_test_add_document (sqlite3 *db, gint64 id, const char *title, const char *body,
                       int body_length)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "INSERT INTO documents (id, archive_id, sha256, size, format, file_name, title, status, created)"
      " VALUES (?1, printf('KHO-2026-%06d', ?1), printf('%064d', ?1), 1, 'pdf', 'scan.pdf', ?2,"
      " 'archived', '2026-01-01T00:00:00Z')", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "INSERT INTO doc_fts (rowid, title, body) VALUES (?1, ?2, ?3)", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, body, body_length, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}
