/* rank.h — BM25 ranking for the full-text table, kho_rank(), as fast as
 * FTS5's bm25() is not on large archives.
 *
 * kho_rank(doc_fts, w0, w1, …) returns exactly what bm25(doc_fts, w0, w1,
 * …) returns (lower is better; a column without a weight counts 1), but
 * keeps every document's length in memory instead of looking it up for
 * each matching row: see rank.c.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Registers kho_rank() with @api, the FTS5 API of @db, for the FTS5 table
 * @table of the main database (its lengths are read from "@table_docsize").
 * Returns an SQLite result code. */
int kho_rank_register (sqlite3 *db, fts5_api *api, const char *table);

G_END_DECLS
