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
