/* db-private.h — helpers shared by the files of index/ that talk to SQLite
 * directly (db.c, queue.c).  Not for use outside index/. */
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
/* Binds @text, or NULL when @text is NULL. */
void kho_db_bind_text (sqlite3_stmt *stmt, int index, const char *text);
char *kho_db_column_text (sqlite3_stmt *stmt, int index);

G_END_DECLS
