/* db-private.h — helpers shared by the files of index/ that talk to SQLite
 * directly (db.c, queue.c, audit.c).  Not for use outside index/. */
#pragma once

#include <sqlite3.h>
#include "index/db.h"

G_BEGIN_DECLS

/* Sets @error from the connection's last error; returns FALSE. */
gboolean kho_db_sql_error (KhoDb *db, GError **error, const char *what);
gboolean kho_db_exec (KhoDb *db, const char *sql, GError **error);
sqlite3_stmt *kho_db_prepare (KhoDb *db, const char *sql, GError **error);
/* Steps @stmt expecting SQLITE_DONE (or a row), then finalizes it. */
gboolean kho_db_step_done (KhoDb *db, sqlite3_stmt *stmt, GError **error);
/* Makes the value of one row of a statement; the caller owns it. */
typedef gpointer (*KhoDbRowFunc) (sqlite3_stmt *stmt);
/* Steps @stmt (prepared, its parameters bound) through its rows, then
 * finalizes it.  kho_db_collect_rows returns what @from_row makes of each
 * row, in a new array that frees them with @free_row; kho_db_collect_ids
 * the first column of each row as gint64.  When a step fails: NULL, and
 * @error says the database could not @what. */
GPtrArray *kho_db_collect_rows (KhoDb *db, sqlite3_stmt *stmt, KhoDbRowFunc from_row,
                                GDestroyNotify free_row, const char *what, GError **error);
GArray *kho_db_collect_ids (KhoDb *db, sqlite3_stmt *stmt, const char *what, GError **error);
/* Binds @text, or NULL when @text is NULL. */
void kho_db_bind_text (sqlite3_stmt *stmt, int index, const char *text);
char *kho_db_column_text (sqlite3_stmt *stmt, int index);

G_END_DECLS
