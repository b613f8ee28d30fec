/* search.c — ranked full-text search over the archive.
 *
 * One statement: the inner query ranks every match and keeps one page of
 * hits (MATERIALIZED, so SQLite cannot fold it into the outer query); the
 * outer query computes snippets for that page only, by re-opening doc_fts
 * on each kept rowid.  Snippets are costly, and a common word can match
 * most of the archive.
 */
#include "index/search.h"

#include "index/query.h"

#define DEFAULT_LIMIT 20
#define SNIPPET_TOKENS "16"

G_DEFINE_QUARK (kho-search-error-quark, kho_search_error)

/* ?1 MATCH expression, ?2 limit, ?3 offset, ?4 mark_open, ?5 mark_close.
 * The body has a hit when marking changes its snippet. */
static const char search_sql[] =
  "WITH page AS MATERIALIZED ("
  "  SELECT doc_fts.rowid AS id, bm25(doc_fts, 5.0, 1.0) AS rank_value"
  "  FROM doc_fts JOIN documents ON documents.id = doc_fts.rowid"
  "  WHERE doc_fts MATCH ?1 AND documents.status = 'archived'"
  "  ORDER BY rank_value, doc_fts.rowid"
  "  LIMIT ?2 OFFSET ?3)"
  " SELECT page.id, documents.archive_id, documents.title, documents.created,"
  "   documents.issued, documents.page_count, -page.rank_value,"
  "   CASE WHEN snippet(doc_fts, 1, 'x', '', '', " SNIPPET_TOKENS ")"
  "          <> snippet(doc_fts, 1, '', '', '', " SNIPPET_TOKENS ")"
  "     THEN snippet(doc_fts, 1, ?4, ?5, '…', " SNIPPET_TOKENS ")"
  "     ELSE snippet(doc_fts, 0, ?4, ?5, '…', " SNIPPET_TOKENS ")"
  "   END"
  " FROM page CROSS JOIN doc_fts CROSS JOIN documents"
  " WHERE doc_fts MATCH ?1 AND doc_fts.rowid = page.id AND documents.id = page.id"
  " ORDER BY page.rank_value, page.id";

void
kho_search_options_init (KhoSearchOptions *options)
{
  options->limit = DEFAULT_LIMIT;
  options->offset = 0;
  options->mark_open = "[";
  options->mark_close = "]";
}

void
kho_search_hit_free (KhoSearchHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->archive_id);
  g_free (hit->title);
  g_free (hit->snippet);
  g_free (hit->created);
  g_free (hit->issued);
  g_free (hit);
}

static char *
column_text (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static void
set_database_error (GError **error, sqlite3 *db, const char *what)
{
  g_set_error (error, KHO_SEARCH_ERROR, KHO_SEARCH_ERROR_DATABASE,
               "search: %s: %s", what, sqlite3_errmsg (db));
}

GPtrArray *
kho_search_run (sqlite3 *db, const char *user_query,
                const KhoSearchOptions *options, GError **error)
{
  KhoSearchOptions defaults;
  GPtrArray *hits = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_search_hit_free);
  GPtrArray *result = NULL;
  g_autofree char *expression = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  kho_search_options_init (&defaults);
  if (options != NULL) {
    defaults.limit = options->limit > 0 ? options->limit : DEFAULT_LIMIT;
    defaults.offset = options->offset > 0 ? options->offset : 0;
    if (options->mark_open != NULL)
      defaults.mark_open = options->mark_open;
    if (options->mark_close != NULL)
      defaults.mark_close = options->mark_close;
  }

  expression = kho_query_build (user_query);
  if (expression == NULL) {
    result = g_steal_pointer (&hits);
    goto out;
  }

  if (sqlite3_prepare_v2 (db, search_sql, -1, &stmt, NULL) != SQLITE_OK) {
    set_database_error (error, db, "preparing the query");
    goto out;
  }
  sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, defaults.limit);
  sqlite3_bind_int (stmt, 3, defaults.offset);
  sqlite3_bind_text (stmt, 4, defaults.mark_open, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, defaults.mark_close, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    KhoSearchHit *hit = g_new0 (KhoSearchHit, 1);

    hit->document_id = sqlite3_column_int64 (stmt, 0);
    hit->archive_id = column_text (stmt, 1);
    hit->title = column_text (stmt, 2);
    hit->created = column_text (stmt, 3);
    hit->issued = column_text (stmt, 4);
    hit->page_count = sqlite3_column_int (stmt, 5);
    hit->score = sqlite3_column_double (stmt, 6);
    hit->snippet = column_text (stmt, 7);
    if (hit->snippet == NULL)
      hit->snippet = g_strdup ("");
    g_ptr_array_add (hits, hit);
  }
  if (rc != SQLITE_DONE) {
    set_database_error (error, db, "running the query");
    goto out;
  }
  result = g_steal_pointer (&hits);

out:
  sqlite3_finalize (stmt);
  if (hits != NULL)
    g_ptr_array_unref (hits);
  return result;
}
