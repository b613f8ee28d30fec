/* search.c — ranked full-text search over the archive.
 *
 * One statement: the inner query ranks every match and keeps one page of
 * hits (MATERIALIZED, so SQLite cannot fold it into the outer query); the
 * outer query computes snippets for that page only, by re-opening doc_fts
 * on each kept rowid.  Snippets are costly, and a common word can match
 * most of the archive.
 */
#include "index/search.h"

#include <string.h>

#include "index/fields.h"
#include "index/query.h"

#define DEFAULT_LIMIT 20
#define SNIPPET_TOKENS "16"

G_DEFINE_QUARK (kho-search-error-quark, kho_search_error)

/* The filters, on the row of "documents": ?6 type (name or code), ?7
 * issuer (a part of it), ?8 and ?9 the dates of issue (ISO, or a prefix
 * such as "2023": "to 2023" takes in the whole year), ?12 a tag, ?10 the
 * reference and ?11 its number (what comes before the first "/": found through the
 * index of fields, then the whole reference compared)
 * "189/KH-UBND".  Names and values compare in their search form
 * (kho_fold: no accents, lower case).  The type and issuer filters fold
 * each distinct value once, then find their documents through the index
 * of fields: folding every document's value took most of a second at
 * 100 000 documents.  The distinct values are found by skipping through
 * the index (DISTINCT_VALUES: one seek per value, the next one greater
 * than the last), not by reading every document's entry and sorting them
 * out (130 ms for the 30 types of 100 000 documents). */
#define DISTINCT_TAGS \
  "WITH RECURSIVE d(value) AS (SELECT (SELECT min(tag) FROM tags)" \
  "  UNION ALL SELECT (SELECT min(t.tag) FROM tags t WHERE t.tag > d.value)" \
  "    FROM d WHERE d.value IS NOT NULL)" \
  " SELECT value FROM d WHERE value IS NOT NULL"
#define DISTINCT_VALUES(field) \
  "WITH RECURSIVE d(value) AS (SELECT (SELECT min(value) FROM fields WHERE name = '" field "')" \
  "  UNION ALL SELECT (SELECT min(f.value) FROM fields f" \
  "    WHERE f.name = '" field "' AND f.value > d.value) FROM d WHERE d.value IS NOT NULL)" \
  " SELECT value FROM d WHERE value IS NOT NULL"
#define REFERENCE_SQL(id) \
  "(SELECT group_concat(value, '/') FROM (SELECT value FROM fields" \
  "   WHERE document_id = " id " AND name IN ('number', 'year', 'notation')" \
  "   ORDER BY CASE name WHEN 'number' THEN 1 WHEN 'year' THEN 2 ELSE 3 END))"
/* Every filter is a set of documents (@id IN …) found through an index,
 * so that the matches of words need not be joined to their documents:
 * the dates through documents_issued ("to 2023" is every date up to
 * "2023~", '~' sorting after the digits and '-' of an ISO date). */
#define FILTER_SQL(id) \
  "  AND (?6 IS NULL OR " id " IN (SELECT document_id FROM fields" \
  "       WHERE name = 'type' AND value IN (SELECT value FROM" \
  "         (" DISTINCT_VALUES ("type") ") WHERE kho_fold(value) = kho_fold(?6))" \
  "     UNION SELECT document_id FROM fields" \
  "       WHERE name = 'type_code' AND value IN (SELECT value FROM" \
  "         (" DISTINCT_VALUES ("type_code") ") WHERE kho_fold(value) = kho_fold(?6))))" \
  "  AND (?7 IS NULL OR " id " IN (SELECT document_id FROM fields" \
  "       WHERE name = 'issuer' AND value IN (SELECT value FROM" \
  "         (" DISTINCT_VALUES ("issuer") ") WHERE instr(kho_fold(value), kho_fold(?7)) > 0)))" \
  "  AND ((?8 IS NULL AND ?9 IS NULL) OR " id " IN (SELECT id FROM documents" \
  "       WHERE status = 'archived' AND issued >= coalesce(?8, '')" \
  "         AND issued <= coalesce(?9 || '~', '~')))" \
  "  AND (?12 IS NULL OR " id " IN (SELECT document_id FROM tags WHERE tag IN" \
  "       (SELECT value FROM (" DISTINCT_TAGS ") WHERE kho_fold(value) = kho_fold(?12))))" \
  "  AND (?10 IS NULL OR (" id " IN (SELECT document_id FROM fields" \
  "       WHERE name = 'number' AND value = ?11)" \
  "       AND kho_fold(" REFERENCE_SQL (id) ") = kho_fold(?10)))"
#define HIT_COLUMNS \
  " page.id, documents.archive_id, documents.title, documents.created," \
  " documents.issued, documents.page_count, -page.rank_value," \
  " (SELECT value FROM fields WHERE document_id = documents.id AND name = 'type')," \
  " " REFERENCE_SQL ("documents.id") "," \
  " (SELECT value FROM fields WHERE document_id = documents.id AND name = 'issuer')," \
  " (SELECT value FROM fields WHERE document_id = documents.id AND name = 'subject'),"

/* The matches of ?1 (a MATCH expression), on doc_fts alone: it only has
 * rows of archived documents (db.c), and joining every match to its
 * document tripled the cost of counting a common word; the filters are
 * sets of ids (FILTER_SQL), tested on each match: "+rowid", for SQLite
 * would otherwise hand the set to FTS5 as rowids to look up one by one, a
 * MATCH for each (100 000 documents, one year: 40 ms → 1 s). */
#define MATCH_FROM " FROM doc_fts WHERE doc_fts MATCH ?1"
#define MATCH_FROM_FILTERED \
  " FROM doc_fts WHERE doc_fts MATCH ?1" FILTER_SQL ("+doc_fts.rowid")

/* ?1 MATCH expression, ?2 limit, ?3 offset, ?4 mark_open, ?5 mark_close,
 * ?6… the filters.  kho_rank() is bm25() with the lengths of the
 * documents in memory (rank.h).  The snippet is the body's; one without a
 * mark (the body has no hit) is replaced by the title's afterwards
 * (title_snippet_sql): each snippet() tokenizes its column again, and
 * asking the body twice to find out whether it has a hit cost a third of
 * a common word's search. */
#define SEARCH_SQL(from) \
  "WITH page AS MATERIALIZED (" \
  "  SELECT doc_fts.rowid AS id, kho_rank(doc_fts, 5.0, 1.0) AS rank_value" from \
  "  ORDER BY rank_value, doc_fts.rowid" \
  "  LIMIT ?2 OFFSET ?3)" \
  " SELECT" HIT_COLUMNS \
  "   snippet(doc_fts, 1, ?4, ?5, '…', " SNIPPET_TOKENS ")" \
  " FROM page CROSS JOIN doc_fts CROSS JOIN documents" \
  " WHERE doc_fts MATCH ?1 AND doc_fts.rowid = page.id AND documents.id = page.id" \
  " ORDER BY page.rank_value, page.id"

static const char *const search_sql[2] = { SEARCH_SQL (MATCH_FROM),
                                           SEARCH_SQL (MATCH_FROM_FILTERED) };

/* ?1 MATCH expression, ?2 the document, ?3 and ?4 the marks. */
static const char title_snippet_sql[] =
  "SELECT snippet(doc_fts, 0, ?3, ?4, '…', " SNIPPET_TOKENS ") FROM doc_fts"
  " WHERE doc_fts MATCH ?1 AND doc_fts.rowid = ?2";

static char *
column_text (sqlite3_stmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Gives the hits whose body snippet has no mark the title's snippet. */
static gboolean
use_title_snippets (sqlite3 *db, const char *expression, GPtrArray *hits,
                    const KhoSearchOptions *options)
{
  sqlite3_stmt *stmt = NULL;

  for (guint i = 0; i < hits->len; i++)
    {
      KhoSearchHit *hit = hits->pdata[i];

      if (strstr (hit->snippet, options->mark_open) != NULL)
        continue;
      if (stmt == NULL)
        {
          if (sqlite3_prepare_v2 (db, title_snippet_sql, -1, &stmt, NULL) != SQLITE_OK)
            return FALSE;
          sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, options->mark_open, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, options->mark_close, -1, SQLITE_STATIC);
        }
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 2, hit->document_id);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          g_free (hit->snippet);
          hit->snippet = column_text (stmt, 0);
        }
    }
  return sqlite3_finalize (stmt) == SQLITE_OK;
}

/* With filters and no words: the documents that pass, latest issued
 * first.  ?1 unused (NULL), the other parameters as above. */
static const char filter_sql[] =
  "WITH page AS MATERIALIZED ("
  "  SELECT documents.id AS id, 0.0 AS rank_value FROM documents"
  "  WHERE documents.status = 'archived' AND ?1 IS NULL"
  FILTER_SQL ("documents.id")
  "  ORDER BY documents.issued DESC, documents.id DESC"
  "  LIMIT ?2 OFFSET ?3)"
  " SELECT" HIT_COLUMNS " ''"
  " FROM page CROSS JOIN documents WHERE documents.id = page.id"
  " ORDER BY documents.issued DESC, documents.id DESC";

char *
kho_search_date (const char *given)
{
  if (given == NULL)
    return NULL;
  if (g_regex_match_simple ("^[0-9]{4}(-[0-9]{2})?$", given, 0, 0))
    return g_strdup (given);
  if (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", given, 0, 0))
    {
      g_autofree char *midnight = g_strconcat (given, "T00:00:00Z", NULL);
      g_autoptr (GDateTime) date = g_date_time_new_from_iso8601 (midnight, NULL);

      return date ? g_strdup (given) : NULL;
    }
  return kho_fields_parse_date (given);
}

void
kho_search_options_init (KhoSearchOptions *options)
{
  options->limit = DEFAULT_LIMIT;
  options->offset = 0;
  options->mark_open = "[";
  options->mark_close = "]";
  options->type = options->issuer = options->from = options->to = options->number = NULL;
  options->tag = NULL;
}

static gboolean
has_filters (const KhoSearchOptions *options)
{
  return options->type || options->issuer || options->from || options->to || options->number ||
         options->tag;
}

/* @options' filters into @into, an empty one as none; @options may be
 * NULL. */
static void
take_filters (KhoSearchOptions *into, const KhoSearchOptions *options)
{
  #define FILTER(name) into->name = options && options->name && *options->name \
                                      ? options->name : NULL
  FILTER (type);
  FILTER (issuer);
  FILTER (from);
  FILTER (to);
  FILTER (number);
  FILTER (tag);
  #undef FILTER
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
  g_free (hit->type);
  g_free (hit->reference);
  g_free (hit->issuer);
  g_free (hit->subject);
  g_free (hit);
}

static void
set_database_error (GError **error, sqlite3 *db, const char *what)
{
  g_set_error (error, KHO_SEARCH_ERROR, KHO_SEARCH_ERROR_DATABASE,
               "search: %s: %s", what, sqlite3_errmsg (db));
}

static void
bind_filters (sqlite3_stmt *stmt, const char *expression, const KhoSearchOptions *filters)
{
  sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, filters->type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, filters->issuer, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, filters->from, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, filters->to, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, filters->number, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, filters->tag, -1, SQLITE_STATIC);
  if (filters->number)
    {
      const char *slash = strchr (filters->number, '/');
      g_autofree char *number = slash ? g_strndup (filters->number,
                                                   (gsize) (slash - filters->number))
                                      : g_strdup (filters->number);

      sqlite3_bind_text (stmt, 11, g_strstrip (number), -1, SQLITE_TRANSIENT);
    }
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
  take_filters (&defaults, options);

  expression = kho_query_build (user_query);
  if (expression == NULL && !has_filters (&defaults)) {
    result = g_steal_pointer (&hits);
    goto out;
  }

  if (sqlite3_prepare_v2 (db, expression ? search_sql[has_filters (&defaults)] : filter_sql,
                          -1, &stmt, NULL) != SQLITE_OK) {
    set_database_error (error, db, "preparing the query");
    goto out;
  }
  bind_filters (stmt, expression, &defaults);
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
    hit->type = column_text (stmt, 7);
    hit->reference = column_text (stmt, 8);
    hit->issuer = column_text (stmt, 9);
    hit->subject = column_text (stmt, 10);
    hit->snippet = column_text (stmt, 11);
    if (hit->snippet == NULL)
      hit->snippet = g_strdup ("");
    g_ptr_array_add (hits, hit);
  }
  if (rc != SQLITE_DONE) {
    set_database_error (error, db, "running the query");
    goto out;
  }
  if (expression && *defaults.mark_open && !use_title_snippets (db, expression, hits, &defaults)) {
    set_database_error (error, db, "the titles' snippets");
    goto out;
  }
  result = g_steal_pointer (&hits);

out:
  sqlite3_finalize (stmt);
  if (hits != NULL)
    g_ptr_array_unref (hits);
  return result;
}

/* --- counts and facets --- */

const char *const kho_search_facet_names[KHO_SEARCH_N_FACETS] = { "type", "year", "issuer",
                                                                  "tag" };

/* The matching documents (ids), with the same filters as the search.  For
 * words: ?1 the MATCH expression; without: every archived document that
 * passes the filters. */
#define MATCH_SQL "SELECT doc_fts.rowid AS id" MATCH_FROM
#define MATCH_FILTERED_SQL "SELECT doc_fts.rowid AS id" MATCH_FROM_FILTERED
#define PASS_SQL \
  "SELECT documents.id AS id FROM documents" \
  " WHERE documents.status = 'archived' AND ?1 IS NULL" FILTER_SQL ("documents.id")

/* The three facets in one statement over the matches, computed once: all
 * of them, or with ?2 > 1 a sample of about one in ?2, chosen by a hash of
 * the id: spread over the whole archive (the first N in id order would be
 * the oldest scans, and their years) and not in step with any period of
 * the ids (every ?2-th id would be: a batch that alternates two types).  Each facet keeps its ?3
 * most frequent values; row 4 is the size of the sample.  The matches
 * drive the joins (CROSS JOIN): left to itself SQLite walked every
 * document's field and looked each up among the matches. */
#define FACETS_SQL(matches) \
  "WITH m AS MATERIALIZED (SELECT id FROM (" matches ")" \
  "   WHERE ?2 <= 1 OR id * 2654435761 % 4294967291 % ?2 = 0)" \
  " SELECT * FROM (SELECT 0, f.value, count(*) AS n FROM m CROSS JOIN fields f" \
  "   ON f.document_id = m.id AND f.name = 'type'" \
  "   GROUP BY f.value ORDER BY n DESC, f.value LIMIT ?3)" \
  " UNION ALL SELECT * FROM (SELECT 1, substr(d.issued, 1, 4) AS y, count(*) AS n" \
  "   FROM m CROSS JOIN documents d ON d.id = m.id WHERE d.issued IS NOT NULL" \
  "   GROUP BY y ORDER BY n DESC, y DESC LIMIT ?3)" \
  " UNION ALL SELECT * FROM (SELECT 2, f.value, count(*) AS n FROM m CROSS JOIN fields f" \
  "   ON f.document_id = m.id AND f.name = 'issuer'" \
  "   GROUP BY f.value ORDER BY n DESC, f.value LIMIT ?3)" \
  " UNION ALL SELECT * FROM (SELECT 3, t.tag, count(*) AS n FROM m CROSS JOIN tags t" \
  "   ON t.document_id = m.id GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ?3)" \
  " UNION ALL SELECT 4, NULL, count(*) FROM m"

/* By kind of search: words, words and filters, filters alone. */
static const char *const facet_sql[3] = { FACETS_SQL (MATCH_SQL), FACETS_SQL (MATCH_FILTERED_SQL),
                                          FACETS_SQL (PASS_SQL) };
static const char *const match_sql[3] = { MATCH_SQL, MATCH_FILTERED_SQL, PASS_SQL };

void
kho_search_facet_free (KhoSearchFacet *facet)
{
  if (facet == NULL)
    return;
  g_free (facet->value);
  g_free (facet);
}


gint64
kho_search_count (sqlite3 *db, const char *user_query, const KhoSearchOptions *options,
                  int top, int sample, GPtrArray *facets[KHO_SEARCH_N_FACETS], GError **error)
{
  KhoSearchOptions filters;
  g_autofree char *expression = NULL;
  g_autofree char *count_sql = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 total = -1;
  int kind;

  g_return_val_if_fail (db != NULL, -1);
  kho_search_options_init (&filters);
  take_filters (&filters, options);
  if (facets)
    for (int i = 0; i < KHO_SEARCH_N_FACETS; i++)
      facets[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_search_facet_free);
  /* Counting needs the documents, not their scores: without the exact
   * words' bonus, an accented query reads half the doclists. */
  expression = kho_query_build_matching (user_query);
  if (expression == NULL && !has_filters (&filters))
    return 0;

  /* ?2…?5 are unused here: the filters keep their numbers. */
  kind = expression ? has_filters (&filters) : 2;
  count_sql = g_strdup_printf ("SELECT count(*) FROM (%s)", match_sql[kind]);
  if (sqlite3_prepare_v2 (db, count_sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_database_error (error, db, "preparing the count");
      goto out;
    }
  bind_filters (stmt, expression, &filters);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_database_error (error, db, "counting");
      goto out;
    }
  total = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (facets && total > 0)
    {
      int rc;

      if (sqlite3_prepare_v2 (db, facet_sql[kind], -1, &stmt, NULL) != SQLITE_OK)
        {
          set_database_error (error, db, "preparing the facets");
          total = -1;
          goto out;
        }
      gint64 step = sample > 0 && total > sample ? (total + sample - 1) / sample : 1;
      gint64 sampled = 0;

      bind_filters (stmt, expression, &filters);
      sqlite3_bind_int64 (stmt, 2, step);
      sqlite3_bind_int (stmt, 3, top > 0 ? top : -1);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          int which = sqlite3_column_int (stmt, 0);
          KhoSearchFacet *facet;

          if (which == KHO_SEARCH_N_FACETS)
            sampled = sqlite3_column_int64 (stmt, 2);
          if (which < 0 || which >= KHO_SEARCH_N_FACETS ||
              sqlite3_column_type (stmt, 1) == SQLITE_NULL)
            continue;
          facet = g_new0 (KhoSearchFacet, 1);
          facet->value = column_text (stmt, 1);
          facet->count = sqlite3_column_int64 (stmt, 2);
          g_ptr_array_add (facets[which], facet);
        }
      /* A sample's counts, scaled to every match (at least 1: the value
       * occurs).  With every match counted they are exact. */
      if (rc == SQLITE_DONE && step > 1 && sampled > 0)
        for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
          for (guint i = 0; i < facets[f]->len; i++)
            {
              KhoSearchFacet *facet = facets[f]->pdata[i];

              facet->count = MAX (1, (facet->count * total + sampled / 2) / sampled);
              facet->estimated = TRUE;
            }
      if (rc != SQLITE_DONE)
        {
          set_database_error (error, db, "counting the facets");
          total = -1;
          goto out;
        }
    }

out:
  sqlite3_finalize (stmt);
  return total;
}
