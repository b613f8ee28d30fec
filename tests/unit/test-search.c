/* test-search.c — kho_search_run: ranking, paging, status, snippets, errors. */
#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "index/db.h"
#include "index/schema.h"
#include "index/search.h"
#include "index/tokenizer.h"
#include "index-fixture.h"

static void
add_document_full (sqlite3 *db, gint64 id, const char *title, const char *body,
                   const char *status, const char *issued, int page_count)
{
  kho_test_add_document_full (db, id, title, body, -1, status, issued, page_count);
}

static void
add_document (sqlite3 *db, gint64 id, const char *title, const char *body)
{
  add_document_full (db, id, title, body, "archived", NULL, 1);
}

static void
add_fillers (sqlite3 *db, gint64 first, int count)
{
  int i;

  for (i = 0; i < count; i++)
    add_document (db, first + i, "Thông báo", "Lịch họp hội đồng sư phạm tháng này");
}

static GPtrArray *
run (sqlite3 *db, const char *query, const KhoSearchOptions *options)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *hits = kho_search_run (db, query, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static gint64
hit_id (GPtrArray *hits, guint i)
{
  return ((KhoSearchHit *) g_ptr_array_index (hits, i))->document_id;
}

static void
test_title_above_body (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  GPtrArray *hits;

  /* Same words, same lengths; only the column differs.  The body hit has
   * the lower id, so only the ranking can put the title hit first. */
  add_document (db, 1, "Công văn gửi trường", "Báo cáo tổng kết năm học");
  add_document (db, 2, "Báo cáo tổng kết", "Công văn gửi trường năm học");
  add_fillers (db, 10, 6);

  hits = run (db, "bao cao tong ket", NULL);
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_cmpint (hit_id (hits, 0), ==, 2);
  g_assert_cmpint (hit_id (hits, 1), ==, 1);
  g_assert_cmpfloat (((KhoSearchHit *) hits->pdata[0])->score, >, ((KhoSearchHit *) hits->pdata[1])->score);
  g_assert_cmpfloat (((KhoSearchHit *) hits->pdata[1])->score, >, 0.0);
  g_ptr_array_unref (hits);
  sqlite3_close (db);
}

static void
test_limit_offset (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  KhoSearchOptions options;
  GPtrArray *all;
  GString *paged = g_string_new (NULL);
  GString *expected = g_string_new (NULL);
  int i;

  /* 25 documents with 1..25 mentions of "tác": distinct scores. */
  for (i = 1; i <= 25; i++) {
    GString *body = g_string_new ("Văn bản");
    int j;

    for (j = 0; j < i; j++)
      g_string_append (body, " lịch công tác");
    add_document (db, i, "Văn bản", body->str);
    g_string_free (body, TRUE);
  }
  add_fillers (db, 100, 30);

  /* The default limit is 20. */
  all = run (db, "tac", NULL);
  g_assert_cmpuint (all->len, ==, 20);
  g_ptr_array_unref (all);

  kho_search_options_init (&options);
  options.limit = 100;
  all = run (db, "tac", &options);
  g_assert_cmpuint (all->len, ==, 25);
  for (i = 0; i < (int) all->len; i++) {
    KhoSearchHit *hit = all->pdata[i];

    g_assert_cmpfloat (hit->score, >, 0.0);
    if (i > 0)
      g_assert_cmpfloat (hit->score, <=, ((KhoSearchHit *) all->pdata[i - 1])->score);
    g_string_append_printf (expected, "%lld,", (long long) hit->document_id);
  }
  g_ptr_array_unref (all);

  options.limit = 7;
  for (options.offset = 0; options.offset < 30; options.offset += 7) {
    GPtrArray *page = run (db, "tac", &options);
    guint j;

    g_assert_cmpuint (page->len, ==, MIN (7, MAX (0, 25 - options.offset)));
    for (j = 0; j < page->len; j++)
      g_string_append_printf (paged, "%lld,", (long long) hit_id (page, j));
    g_ptr_array_unref (page);
  }
  g_assert_cmpstr (paged->str, ==, expected->str);

  /* Nonsense limits and offsets mean the defaults. */
  options.limit = -5;
  options.offset = -3;
  all = run (db, "tac", &options);
  g_assert_cmpuint (all->len, ==, 20);
  g_ptr_array_unref (all);

  g_string_free (paged, TRUE);
  g_string_free (expected, TRUE);
  sqlite3_close (db);
}

static void
test_only_archived (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  KhoSearchOptions options;
  GPtrArray *hits;

  add_document_full (db, 1, "Học bạ", "Học bạ học sinh lớp 10A", "archived", "2023-05-01", 3);
  add_document_full (db, 2, "Học bạ", "Học bạ học sinh lớp 10B", "processing", "2023-05-02", 3);
  add_document_full (db, 3, "Học bạ", "Học bạ học sinh lớp 10C", "failed", "2023-05-03", 3);
  add_document_full (db, 4, "Học bạ", "Học bạ học sinh lớp 10D", "archived", "2023-05-04", 3);
  add_fillers (db, 10, 6);

  hits = run (db, "hoc ba", NULL);
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_true ((hit_id (hits, 0) == 1 && hit_id (hits, 1) == 4) ||
                 (hit_id (hits, 0) == 4 && hit_id (hits, 1) == 1));
  g_ptr_array_unref (hits);
  hits = run (db, "10b", NULL);
  g_assert_cmpuint (hits->len, ==, 0);
  g_ptr_array_unref (hits);

  /* The filters read the documents: a date of issue alone, then with words. */
  kho_search_options_init (&options);
  options.from = "2023";
  hits = run (db, NULL, &options);
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_cmpint (hit_id (hits, 0), ==, 4);
  g_assert_cmpint (hit_id (hits, 1), ==, 1);
  g_ptr_array_unref (hits);
  hits = run (db, "hoc sinh", &options);
  g_assert_cmpuint (hits->len, ==, 2);
  g_ptr_array_unref (hits);
  g_assert_cmpint (kho_search_count (db, "hoc sinh", &options, 0, 0, NULL, NULL), ==, 2);
  g_assert_cmpint (kho_search_count (db, "hoc sinh", NULL, 0, 0, NULL, NULL), ==, 2);
  sqlite3_close (db);
}

static const KhoSearchFacet *
find_facet (GPtrArray *facet, const char *value)
{
  for (guint i = 0; i < facet->len; i++)
    if (g_strcmp0 (((KhoSearchFacet *) facet->pdata[i])->value, value) == 0)
      return facet->pdata[i];
  return NULL;
}

/* Facets: exact when every match is counted; over a sample, scaled to
 * the total and flagged, and spread over the whole archive (the first
 * matches by id alone would show only the oldest year). */
static void
test_facets_sampled (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  GPtrArray *facets[KHO_SEARCH_N_FACETS];
  const KhoSearchFacet *facet;

  for (int i = 1; i <= 400; i++)
    {
      g_autofree char *issued = g_strdup_printf ("%d-03-01", i <= 200 ? 2020 : 2024);
      g_autofree char *sql = g_strdup_printf (
          "INSERT INTO fields (document_id, name, value, updated) VALUES"
          " (%d, 'type', '%s', '2026-01-01'), (%d, 'issuer', 'Trường THCS A', '2026-01-01')",
          i, i % 4 == 0 ? "Kế hoạch" : "Công văn", i);

      add_document_full (db, i, "Thông báo", "học sinh lớp 6", "archived", issued, 1);
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }

  g_assert_cmpint (kho_search_count (db, "hoc sinh", NULL, 10, 0, facets, NULL), ==, 400);
  facet = find_facet (facets[0], "Công văn");
  g_assert_nonnull (facet);
  g_assert_cmpint (facet->count, ==, 300);
  g_assert_false (facet->estimated);
  g_assert_cmpint (find_facet (facets[1], "2024")->count, ==, 200);
  for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
    g_ptr_array_unref (facets[f]);

  g_assert_cmpint (kho_search_count (db, "hoc sinh", NULL, 10, 40, facets, NULL), ==, 400);
  facet = find_facet (facets[0], "Công văn");
  g_assert_nonnull (facet);
  g_assert_true (facet->estimated);
  g_assert_cmpint (facet->count, >=, 240);
  g_assert_cmpint (facet->count, <=, 360);
  g_assert_cmpint (find_facet (facets[0], "Kế hoạch")->count, >=, 40);
  g_assert_cmpint (find_facet (facets[1], "2020")->count, >=, 150);
  g_assert_cmpint (find_facet (facets[1], "2024")->count, >=, 150);
  g_assert_cmpint (find_facet (facets[2], "Trường THCS A")->count, ==, 400);
  for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
    g_ptr_array_unref (facets[f]);
  sqlite3_close (db);
}

/* The ids @query and @from…@to find, with and without words, as text. */
static char *
dated (sqlite3 *db, const char *query, const char *from, const char *to)
{
  KhoSearchOptions options;
  GPtrArray *hits;
  GString *ids = g_string_new (NULL);

  kho_search_options_init (&options);
  options.from = from;
  options.to = to;
  hits = run (db, query, &options);
  for (guint i = 0; i < hits->len; i++)
    g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, i ? " " : "", hit_id (hits, i));
  g_ptr_array_unref (hits);
  return g_string_free (ids, FALSE);
}

/* What the date filters accept, in the form they compare. */
static void
test_date_forms (void)
{
  static const char *const cases[][2] = {
    { "2023", "2023" }, { "2023-04", "2023-04" }, { "2023-04-28", "2023-04-28" },
    { "28/04/2023", "2023-04-28" }, { "2023-02-30", NULL }, { "not a date", NULL },
    { "", NULL },
  };

  g_assert_null (kho_search_date (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *date = kho_search_date (cases[i][0]);

      g_assert_cmpstr (date, ==, cases[i][1]);
    }
}

/* Dates of issue: "to" a year or month takes in all of it, "from" starts
 * on the day; a document without a date passes no date filter. */
static void
test_date_filters (void)
{
  static const char *const dates[] = { "2022-12-31", "2023-01-01", "2023-04-28", "2023-04-30",
                                       "2023-12-31", "2024-01-01", NULL };
  static const struct { const char *from, *to, *want; } cases[] = {
    { "2023", "2023", "5 4 3 2" },
    { NULL, "2023-04", "4 3 2 1" },
    { "2023-04", NULL, "6 5 4 3" },
    { "2023-04-28", "2023-04-28", "3" },
    { "2023-04-29", "2023-04-30", "4" },
    { "2024-01-02", NULL, "" },
  };
  sqlite3 *db = kho_test_open_index_db ();

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    add_document_full (db, i + 1, "Thông báo", "lịch thi học kỳ", "archived", dates[i], 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *alone = dated (db, NULL, cases[i].from, cases[i].to);
      g_autofree char *words = dated (db, "lich thi", cases[i].from, cases[i].to);
      g_auto (GStrv) ids = g_strsplit (cases[i].want, " ", -1);
      g_autofree char *ranked = NULL;

      /* Without words the latest issued first; with words, the same text
       * everywhere, ties in id order. */
      for (guint a = 0, b = g_strv_length (ids); b > 1 && a < --b; a++)
        {
          char *t = ids[a];

          ids[a] = ids[b];
          ids[b] = t;
        }
      ranked = g_strjoinv (" ", ids);
      g_assert_cmpstr (alone, ==, cases[i].want);
      g_assert_cmpstr (words, ==, ranked);
    }
  sqlite3_close (db);
}

/* An archive of schema version 1 migrated to the current one: its
 * full-text table built again with the prefix index (version 7), the same
 * documents found, prefix queries among them. */
static void
test_migrated_index (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-search-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kho.db", NULL);
  g_autoptr (GError) error = NULL;
  sqlite3 *raw = NULL;
  sqlite3_stmt *stmt = NULL;
  GPtrArray *hits;
  KhoDb *db;

  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (kho_tokenizer_register (raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, kho_schema_v1, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "PRAGMA user_version = 1", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  add_document (raw, 1, "Kế hoạch số hóa", "Số hóa hồ sơ học sinh");
  add_document (raw, 2, "Thông báo", "Lịch thi học kỳ");
  add_document_full (raw, 3, "Kế hoạch", "Hoạch định", "processing", NULL, 1);
  sqlite3_close (raw);

  db = kho_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (kho_db_handle (db),
      "SELECT sql FROM sqlite_master WHERE name = 'doc_fts'", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 0), "prefix = '2 3'"));
  sqlite3_finalize (stmt);

  hits = run (kho_db_handle (db), "hoa*", NULL);   /* hóa, hoạch: document 1 only */
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (hit_id (hits, 0), ==, 1);
  g_ptr_array_unref (hits);
  hits = run (kho_db_handle (db), "hoc", NULL);
  g_assert_cmpuint (hits->len, ==, 2);
  g_ptr_array_unref (hits);
  g_assert_cmpint (kho_search_count (kho_db_handle (db), "li*", NULL, 0, 0, NULL, NULL), ==, 1);
  kho_db_close (db);
  kho_test_db_remove (dir, path);
}

static int
segments (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(DISTINCT segid) FROM doc_fts_idx", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static char *
found (sqlite3 *db, const char *query)
{
  GPtrArray *hits = run (db, query, NULL);
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < hits->len; i++)
    g_string_append_printf (ids, "%" G_GINT64_FORMAT " %.6f;", hit_id (hits, i),
                            ((KhoSearchHit *) hits->pdata[i])->score);
  g_ptr_array_unref (hits);
  return g_string_free (ids, FALSE);
}

/* kho_db_merge_index: documents indexed one transaction each leave a
 * segment each; the steps merge them into one, and every search finds the
 * same documents with the same scores. */
static void
test_merge_index (KhoTestDbFixture *f, gconstpointer data)
{
  static const char *const queries[] = { "hoc sinh", "thong bao", "lop 1*", "Kế hoạch" };
  sqlite3 *db = kho_db_handle (f->db);
  g_autoptr (GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  gboolean more = TRUE;
  int steps = 0;

  (void) data;
  for (int i = 1; i <= 40; i++)
    {
      g_autofree char *body = g_strdup_printf ("Học sinh lớp %d, thông báo số %d", i % 9, i);

      add_document (db, i, i % 3 ? "Thông báo" : "Kế hoạch", body);   /* autocommit: one each */
    }
  g_assert_cmpint (segments (db), >, 4);
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    g_ptr_array_add (before, found (db, queries[q]));

  while (more)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (kho_db_merge_index (f->db, 16, &more, &error));
      g_assert_no_error (error);
      g_assert_cmpint (++steps, <, 100);
    }
  g_assert_cmpint (steps, >, 1);
  g_assert_cmpint (segments (db), ==, 1);
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autofree char *after = found (db, queries[q]);

      g_assert_cmpstr (after, ==, before->pdata[q]);
    }
  /* Nothing left: one step that does nothing. */
  g_assert_true (kho_db_merge_index (f->db, 16, &more, NULL));
  g_assert_false (more);
}

/* Tags (the inbox subfolder's label): a filter that compares without
 * accents and case, and a facet. */
static void
test_tags (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  KhoSearchOptions options;
  GPtrArray *facets[KHO_SEARCH_N_FACETS];
  GPtrArray *hits;

  for (int i = 1; i <= 6; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO tags (document_id, tag) VALUES (%d, '%s')",
                                              i, i <= 4 ? "Công văn đến" : "Công văn đi");

      add_document (db, i, "Công văn", "về việc tuyển sinh lớp 6");
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  add_document (db, 7, "Công văn", "về việc tuyển sinh lớp 6");   /* no tag */

  kho_search_options_init (&options);
  options.tag = "cong van di";
  hits = run (db, "tuyen sinh", &options);
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_cmpint (hit_id (hits, 0) + hit_id (hits, 1), ==, 5 + 6);
  g_ptr_array_unref (hits);
  options.tag = "Công văn đến";
  hits = run (db, NULL, &options);                     /* the filter alone */
  g_assert_cmpuint (hits->len, ==, 4);
  g_ptr_array_unref (hits);
  options.tag = "cong van";                            /* a whole tag, not a part */
  g_assert_cmpint (kho_search_count (db, "tuyen sinh", &options, 0, 0, NULL, NULL), ==, 0);

  g_assert_cmpint (kho_search_count (db, "tuyen sinh", NULL, 10, 0, facets, NULL), ==, 7);
  g_assert_cmpstr (kho_search_facet_names[3], ==, "tag");
  g_assert_cmpuint (facets[3]->len, ==, 2);
  g_assert_cmpstr (((KhoSearchFacet *) facets[3]->pdata[0])->value, ==, "Công văn đến");
  g_assert_cmpint (((KhoSearchFacet *) facets[3]->pdata[0])->count, ==, 4);
  g_assert_cmpint (((KhoSearchFacet *) facets[3]->pdata[1])->count, ==, 2);
  for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
    g_ptr_array_unref (facets[f]);
  sqlite3_close (db);
}

/* How many rows of @query score differently under kho_rank() and bm25()
 * with the same weights. */
static int
rank_differences (sqlite3 *db, const char *match, const char *weights)
{
  g_autofree char *sql = g_strdup_printf (
      "SELECT count(*) FROM doc_fts WHERE doc_fts MATCH ?1"
      " AND kho_rank(doc_fts%s) <> bm25(doc_fts%s)", weights, weights);
  sqlite3_stmt *stmt = NULL;
  int differences;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  differences = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return differences;
}

static int
count_matches (sqlite3 *db, const char *match)
{
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM doc_fts WHERE doc_fts MATCH ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* kho_rank() keeps the documents' lengths in memory: it must give bm25()'s
 * score exactly, for every row, also after rows change length, are added
 * or removed, and inside a transaction that rewrote a row. */
static void
test_rank_is_bm25 (void)
{
  static const char *const matches[] = { "hoc", "hoc AND sinh", "(lop OR ba) NOT \"10c\"",
                                         "\"hoc sinh\"", "thong AND bao" };
  sqlite3 *db = kho_test_open_index_db ();
  GString *body = g_string_new (NULL);

  for (int i = 1; i <= 40; i++)
    {
      g_string_truncate (body, 0);
      for (int j = 0; j < i * 3 % 17 + 1; j++)
        g_string_append (body, j % 3 ? "học sinh lớp 10C " : "thông báo kết quả học tập ");
      add_document (db, i, i % 4 ? "Học bạ" : "Thông báo", body->str);
    }

  for (int round = 0; round < 4; round++)
    {
      if (round == 1)     /* longer and shorter rows, one gone, a new one */
        g_assert_cmpint (sqlite3_exec (db,
            "UPDATE doc_fts SET body = body || ' ' || body WHERE rowid % 3 = 0;"
            "UPDATE doc_fts SET body = 'học sinh' WHERE rowid = 7;"
            "DELETE FROM doc_fts WHERE rowid = 8;"
            "INSERT INTO doc_fts (rowid, title, body) VALUES (99, 'Học bạ', 'học sinh');",
            NULL, NULL, NULL), ==, SQLITE_OK);
      if (round == 2)     /* rewritten inside a transaction not yet committed */
        g_assert_cmpint (sqlite3_exec (db,
            "BEGIN; UPDATE doc_fts SET body = body || ' học sinh học sinh' WHERE rowid % 2 = 0;",
            NULL, NULL, NULL), ==, SQLITE_OK);
      if (round == 3)
        g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
      for (guint q = 0; q < G_N_ELEMENTS (matches); q++)
        {
          g_assert_cmpint (count_matches (db, matches[q]), >, 0);
          g_assert_cmpint (rank_differences (db, matches[q], ", 5.0, 1.0"), ==, 0);
          g_assert_cmpint (rank_differences (db, matches[q], ""), ==, 0);
          g_assert_cmpint (rank_differences (db, matches[q], ", 0.5"), ==, 0);
        }
    }
  g_string_free (body, TRUE);
  sqlite3_close (db);
}

static void
test_hit_fields (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  GPtrArray *hits;
  KhoSearchHit *hit;

  add_document_full (db, 7, "Quyết định khen thưởng", "Quyết định số 12/QĐ-THPT", "archived", "2023-04-28", 4);
  hits = run (db, "khen thuong", NULL);
  g_assert_cmpuint (hits->len, ==, 1);
  hit = hits->pdata[0];
  g_assert_cmpint (hit->document_id, ==, 7);
  g_assert_cmpstr (hit->archive_id, ==, "KHO-2026-000007");
  g_assert_cmpstr (hit->title, ==, "Quyết định khen thưởng");
  g_assert_cmpstr (hit->created, ==, "2026-03-08T08:00:00Z");
  g_assert_cmpstr (hit->issued, ==, "2023-04-28");
  g_assert_cmpint (hit->page_count, ==, 4);
  g_ptr_array_unref (hits);

  /* issued unknown: NULL. */
  add_document (db, 8, "Công văn", "khen thưởng");
  hits = run (db, "công văn", NULL);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_null (((KhoSearchHit *) hits->pdata[0])->issued);
  g_ptr_array_unref (hits);
  kho_search_hit_free (NULL);
  sqlite3_close (db);
}

static void
test_snippets (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  GString *body = g_string_new (NULL);
  KhoSearchOptions options;
  GPtrArray *hits;
  const char *snippet;
  int i;

  /* A long body with the hit in the middle. */
  for (i = 0; i < 30; i++)
    g_string_append_printf (body, "từ%d ", i);
  g_string_append (body, "kế hoạch đào tạo giáo viên ");
  for (i = 30; i < 60; i++)
    g_string_append_printf (body, "từ%d ", i);
  add_document (db, 1, "Văn bản dài", body->str);
  /* The body does not match, the title does. */
  add_document (db, 2, "Kế hoạch năm học mới", "Danh sách lớp và giáo viên chủ nhiệm");
  /* No body at all. */
  add_document (db, 3, "Kế hoạch tuyển sinh", NULL);
  add_fillers (db, 10, 6);

  hits = run (db, "\"đào tạo\"", NULL);
  g_assert_cmpuint (hits->len, ==, 1);
  snippet = ((KhoSearchHit *) hits->pdata[0])->snippet;
  g_assert_true (g_str_has_prefix (snippet, "…"));
  g_assert_true (g_str_has_suffix (snippet, "…"));
  g_assert_nonnull (strstr (snippet, " kế hoạch [đào tạo] giáo viên "));
  {
    /* About 16 tokens around the hit. */
    g_auto (GStrv) words = g_strsplit (snippet, " ", -1);

    g_assert_cmpuint (g_strv_length (words), ==, 16);
  }
  g_ptr_array_unref (hits);

  kho_search_options_init (&options);
  options.mark_open = "<mark>";
  options.mark_close = "</mark>";
  hits = run (db, "ke hoach", &options);
  g_assert_cmpuint (hits->len, ==, 3);
  for (i = 0; i < (int) hits->len; i++) {
    KhoSearchHit *hit = hits->pdata[i];

    switch (hit->document_id) {
    case 1:
      g_assert_nonnull (strstr (hit->snippet, "<mark>kế</mark> <mark>hoạch</mark> đào tạo"));
      break;
    case 2:  /* from the title: the body has no hit */
      g_assert_cmpstr (hit->snippet, ==, "<mark>Kế</mark> <mark>hoạch</mark> năm học mới");
      break;
    case 3:
      g_assert_cmpstr (hit->snippet, ==, "<mark>Kế</mark> <mark>hoạch</mark> tuyển sinh");
      break;
    default:
      g_assert_not_reached ();
    }
  }
  g_ptr_array_unref (hits);

  /* A hit in both: the body wins. */
  hits = run (db, "giáo viên", NULL);
  for (i = 0; i < (int) hits->len; i++) {
    KhoSearchHit *hit = hits->pdata[i];

    if (hit->document_id == 2)
      g_assert_cmpstr (hit->snippet, ==, "Danh sách lớp và [giáo] [viên] chủ nhiệm");
  }
  g_assert_cmpuint (hits->len, ==, 2);
  g_ptr_array_unref (hits);

  g_string_free (body, TRUE);
  sqlite3_close (db);
}

static void
test_no_terms (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  static const char *const queries[] = { NULL, "", "   ", "***", "-kế", "\"\"", "()" };
  gsize i;

  add_document (db, 1, "Kế hoạch", "Kế hoạch");
  for (i = 0; i < G_N_ELEMENTS (queries); i++) {
    GPtrArray *hits = run (db, queries[i], NULL);

    g_assert_cmpuint (hits->len, ==, 0);
    g_ptr_array_unref (hits);
  }
  sqlite3_close (db);
}

static void
test_database_error (void)
{
  sqlite3 *db = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *hits;

  /* No schema: the error names SQLite's complaint. */
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  hits = kho_search_run (db, "kế hoạch", NULL, &error);
  g_assert_null (hits);
  g_assert_error (error, KHO_SEARCH_ERROR, KHO_SEARCH_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, "no such table"));
  g_clear_error (&error);

  /* The error is not required. */
  hits = kho_search_run (db, "kế hoạch", NULL, NULL);
  g_assert_null (hits);

  /* A query with no terms never touches the database. */
  hits = kho_search_run (db, "***", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_ptr_array_unref (hits);
  sqlite3_close (db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/search/title-above-body", test_title_above_body);
  g_test_add_func ("/search/limit-offset", test_limit_offset);
  g_test_add_func ("/search/only-archived", test_only_archived);
  g_test_add_func ("/search/rank-is-bm25", test_rank_is_bm25);
  g_test_add_func ("/search/facets-sampled", test_facets_sampled);
  g_test_add_func ("/search/date-filters", test_date_filters);
  g_test_add_func ("/search/date-forms", test_date_forms);
  g_test_add_func ("/search/tags", test_tags);
  g_test_add_func ("/search/migrated-index", test_migrated_index);
  g_test_add ("/search/merge-index", KhoTestDbFixture, NULL, kho_test_db_setup, test_merge_index,
              kho_test_db_teardown);
  g_test_add_func ("/search/hit-fields", test_hit_fields);
  g_test_add_func ("/search/snippets", test_snippets);
  g_test_add_func ("/search/no-terms", test_no_terms);
  g_test_add_func ("/search/database-error", test_database_error);
  return g_test_run ();
}
