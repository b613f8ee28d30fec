/* rank.c — BM25 ranking for doc_fts, with the documents' lengths in memory.
 *
 * The formula is FTS5's own bm25() (fts5_aux.c), to the last rounding:
 * the same idf (clamped to 1e-6), the same k1 = 1.2 and b = 0.75, the same
 * per-column weights applied to the hit counts, the same sign (lower is
 * better).  Only where the document's length comes from differs.  bm25()
 * asks xColumnSize() for every matching row, one lookup of the %_docsize
 * table each; for a word that most of a large archive contains that lookup
 * was two thirds of the search (100 000 documents: 130 of 200 ms).  Here
 * the lengths of every row are read once, in one pass over %_docsize, and
 * kept until the database changes (SQLITE_FCNTL_DATA_VERSION, which also
 * sees this connection's own commits); then they are read again, in one
 * pass.  Within an explicit transaction, whose own changes the version does
 * not show until it commits, every length is asked of xColumnSize() as
 * bm25() does.
 */
#include "index/rank.h"

#include <math.h>
#include <string.h>

#define K1 1.2
#define B 0.75

typedef struct {
  sqlite3 *db;
  char *docsize_sql;          /* SELECT id, sz FROM the table's %_docsize */
  gboolean loaded;
  unsigned int version;       /* SQLITE_FCNTL_DATA_VERSION when loaded */
  GArray *lengths;            /* guint32 tokens of every column, by rowid; 0 unknown */
} RankCache;

/* Per statement: what does not change from row to row. */
typedef struct {
  int n_phrases;
  double avgdl;
  double *idf;
  double *freq;               /* scratch, one per phrase */
} RankQuery;

static void
rank_query_free (void *data)
{
  RankQuery *query = data;

  g_free (query->idf);
  g_free (query->freq);
  g_free (query);
}

static void
rank_cache_free (void *data)
{
  RankCache *cache = data;

  g_array_unref (cache->lengths);
  g_free (cache->docsize_sql);
  g_free (cache);
}

/* SQLite's varint, as FTS5 writes the sizes of the columns in %_docsize. */
static int
get_varint32 (const unsigned char *p, const unsigned char *end, guint32 *value)
{
  guint64 v = 0;
  int i;

  for (i = 0; i < 9 && p + i < end; i++)
    {
      if (i == 8)
        {
          v = (v << 8) | p[i];
          *value = (guint32) v;
          return i + 1;
        }
      v = (v << 7) | (p[i] & 0x7f);
      if ((p[i] & 0x80) == 0)
        {
          *value = (guint32) v;
          return i + 1;
        }
    }
  *value = 0;
  return 0;
}

static gboolean
rank_cache_load (RankCache *cache, unsigned int version)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_array_set_size (cache->lengths, 0);
  cache->loaded = FALSE;
  if (sqlite3_prepare_v2 (cache->db, cache->docsize_sql, -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      sqlite3_int64 rowid = sqlite3_column_int64 (stmt, 0);
      const unsigned char *sz = sqlite3_column_blob (stmt, 1);
      const unsigned char *end = sz + sqlite3_column_bytes (stmt, 1);
      guint32 total = 0, column;
      int used;

      if (rowid <= 0 || rowid > G_MAXINT32)
        continue;                 /* not kho's rowids: xColumnSize() answers */
      while (sz != NULL && sz < end && (used = get_varint32 (sz, end, &column)) > 0)
        {
          total += column;
          sz += used;
        }
      if ((gsize) rowid >= cache->lengths->len)
        g_array_set_size (cache->lengths, (guint) rowid + 1);
      g_array_index (cache->lengths, guint32, rowid) = total;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_array_set_size (cache->lengths, 0);
      return FALSE;
    }
  cache->loaded = TRUE;
  cache->version = version;
  return TRUE;
}

static int
count_row (const Fts5ExtensionApi *api, Fts5Context *fts, void *data)
{
  (void) api;
  (void) fts;
  (*(sqlite3_int64 *) data)++;
  return SQLITE_OK;
}

/* The idf of each phrase and the mean length, once per statement; and the
 * cache brought up to date. */
static RankQuery *
rank_query_new (const Fts5ExtensionApi *api, Fts5Context *fts, RankCache *cache, int *rc)
{
  RankQuery *query = g_new0 (RankQuery, 1);
  sqlite3_int64 rows = 0, tokens = 0;
  unsigned int version = 0;

  query->n_phrases = api->xPhraseCount (fts);
  query->idf = g_new0 (double, MAX (query->n_phrases, 1));
  query->freq = g_new0 (double, MAX (query->n_phrases, 1));
  *rc = api->xRowCount (fts, &rows);
  if (*rc == SQLITE_OK)
    *rc = api->xColumnTotalSize (fts, -1, &tokens);
  if (*rc != SQLITE_OK)
    goto fail;
  query->avgdl = rows > 0 ? (double) tokens / (double) rows : 1.0;
  for (int i = 0; i < query->n_phrases; i++)
    {
      sqlite3_int64 hits = 0;
      double idf;

      *rc = api->xQueryPhrase (fts, i, &hits, count_row);
      if (*rc != SQLITE_OK)
        goto fail;
      idf = log (((double) rows - (double) hits + 0.5) / ((double) hits + 0.5));
      query->idf[i] = idf <= 0.0 ? 1e-6 : idf;
    }
  /* Inside a transaction of BEGIN this connection may have rewritten rows
   * the data version does not count yet: xColumnSize() for every row, as
   * when the version cannot be read. */
  if (!sqlite3_get_autocommit (cache->db) ||
      sqlite3_file_control (cache->db, "main", SQLITE_FCNTL_DATA_VERSION, &version) != SQLITE_OK)
    cache->loaded = FALSE;
  else if (!cache->loaded || cache->version != version)
    rank_cache_load (cache, version);
  return query;

fail:
  rank_query_free (query);
  return NULL;
}

/* kho_rank(doc_fts, weight of column 0, weight of column 1, …) */
static void
rank_function (const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context,
               int n_values, sqlite3_value **values)
{
  RankCache *cache = api->xUserData (fts);
  RankQuery *query = api->xGetAuxdata (fts, 0);
  sqlite3_int64 rowid;
  double length, score = 0.0;
  int rc = SQLITE_OK, n_inst = 0;

  if (query == NULL)
    {
      query = rank_query_new (api, fts, cache, &rc);
      if (query == NULL)
        {
          sqlite3_result_error_code (context, rc);
          return;
        }
      rc = api->xSetAuxdata (fts, query, rank_query_free);
      if (rc != SQLITE_OK)
        {
          sqlite3_result_error_code (context, rc);
          return;
        }
    }

  memset (query->freq, 0, sizeof (double) * (gsize) MAX (query->n_phrases, 1));
  rc = api->xInstCount (fts, &n_inst);
  for (int i = 0; rc == SQLITE_OK && i < n_inst; i++)
    {
      int phrase, column, offset;

      rc = api->xInst (fts, i, &phrase, &column, &offset);
      if (rc == SQLITE_OK && phrase >= 0 && phrase < query->n_phrases)
        query->freq[phrase] += n_values > column ? sqlite3_value_double (values[column]) : 1.0;
    }
  if (rc != SQLITE_OK)
    {
      sqlite3_result_error_code (context, rc);
      return;
    }

  rowid = api->xRowid (fts);
  if (cache->loaded && rowid > 0 && (guint64) rowid < cache->lengths->len &&
      g_array_index (cache->lengths, guint32, rowid) > 0)
    length = g_array_index (cache->lengths, guint32, rowid);
  else
    {
      int tokens = 0;

      rc = api->xColumnSize (fts, -1, &tokens);
      if (rc != SQLITE_OK)
        {
          sqlite3_result_error_code (context, rc);
          return;
        }
      length = tokens;
    }

  for (int i = 0; i < query->n_phrases; i++)
    score += query->idf[i] * ((query->freq[i] * (K1 + 1.0)) /
                              (query->freq[i] + K1 * (1 - B + B * length / query->avgdl)));
  sqlite3_result_double (context, -1.0 * score);
}

int
kho_rank_register (sqlite3 *db, fts5_api *api, const char *table)
{
  RankCache *cache;

  g_return_val_if_fail (db != NULL && api != NULL && table != NULL, SQLITE_MISUSE);
  cache = g_new0 (RankCache, 1);
  cache->db = db;
  cache->lengths = g_array_new (FALSE, TRUE, sizeof (guint32));
  /* FTS5's shadow table; @table is an identifier kho chose, not input. */
  cache->docsize_sql = g_strdup_printf ("SELECT id, sz FROM \"%s_docsize\"", table);
  return api->xCreateFunction (api, "kho_rank", cache, rank_function, rank_cache_free);
}
