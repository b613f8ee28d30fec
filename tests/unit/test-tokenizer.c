/* test-tokenizer.c — the kho_vi FTS5 tokenizer on an in-memory archive:
 * tokens, accent-insensitive matching, exact-first ranking, offsets. */
#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "index/query.h"
#include "index/schema.h"
#include "index/search.h"
#include "index/tokenizer.h"
#include "index-fixture.h"


static void
add_document (sqlite3 *db, gint64 id, const char *title, const char *body)
{
  kho_test_add_document (db, id, title, body, -1);
}

/* The rowids matching @user_query through kho_query_build, as "1,3". */
static char *
match_ids (sqlite3 *db, const char *user_query)
{
  g_autofree char *expression = kho_query_build (user_query);
  GString *ids = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_nonnull (expression);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?1 ORDER BY rowid", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (ids, "%s%lld", ids->len ? "," : "", (long long) sqlite3_column_int64 (stmt, 0));
  g_assert_cmpint (sqlite3_errcode (db), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  return g_string_free (ids, FALSE);
}

/* The rowids of kho_search_run, best first, as "4,1". */
static char *
search_ids (sqlite3 *db, const char *user_query)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *hits = kho_search_run (db, user_query, NULL, &error);
  GString *ids = g_string_new (NULL);
  guint i;

  g_assert_no_error (error);
  for (i = 0; i < hits->len; i++) {
    KhoSearchHit *hit = hits->pdata[i];

    g_string_append_printf (ids, "%s%lld", i ? "," : "", (long long) hit->document_id);
  }
  g_ptr_array_unref (hits);
  return g_string_free (ids, FALSE);
}

/* Every token the tokenizer wrote for a document, in position order, as
 * "term@position" with the exact marker shown as '='. */
static char *
document_tokens (sqlite3 *db, gint64 id)
{
  GString *tokens = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  sqlite3_exec (db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.doc_terms"
                    " USING fts5vocab(main, doc_fts, instance)", NULL, NULL, NULL);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT term, offset FROM temp.doc_terms WHERE doc = ?1 AND col = 'body'"
      " ORDER BY offset, length(term)", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  while (sqlite3_step (stmt) == SQLITE_ROW) {
    const char *term = (const char *) sqlite3_column_text (stmt, 0);

    if (tokens->len)
      g_string_append_c (tokens, ' ');
    if (term[0] == KHO_TOKENIZER_EXACT_MARKER) {
      g_string_append_c (tokens, '=');
      term++;
    }
    g_string_append_printf (tokens, "%s@%d", term, sqlite3_column_int (stmt, 1));
  }
  sqlite3_finalize (stmt);
  return g_string_free (tokens, FALSE);
}

static void
test_tokens (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  g_autofree char *tokens = NULL;
  g_autofree char *nfd_tokens = NULL;
  g_autofree char *other_tokens = NULL;

  add_document (db, 1, "", "Kế hoạch 189/KH-UBND: ĐÀO tạo, 2023-2024.");
  tokens = document_tokens (db, 1);
  /* Folded tokens carry the positions; exact ones sit at the same
   * position; numbers and ASCII words have no exact twin. */
  g_assert_cmpstr (tokens, ==,
                   "ke@0 =kế@0 hoach@1 =hoạch@1 189@2 kh@3 ubnd@4 dao@5 =đào@5 tao@6 =tạo@6 2023@7 2024@8");

  /* Decomposed text indexes exactly like precomposed text. */
  add_document (db, 2, "", "Ke\xcc\x82\xcc\x81 hoa\xcc\xa3" "ch");
  nfd_tokens = document_tokens (db, 2);
  g_assert_cmpstr (nfd_tokens, ==, "ke@0 =kế@0 hoach@1 =hoạch@1");

  /* Other scripts are words too; marks belong to their word; stray marks
   * and symbols are not words. */
  add_document (db, 3, "", "한국어 Ελληνικά \xcc\x81 — ½ x\xcc\x81y");
  other_tokens = document_tokens (db, 3);
  g_assert_cmpstr (other_tokens, ==, "한국어@0 ελληνικα@1 =ελληνικά@1 ½@2 xy@3 =x\xcc\x81y@3");
  sqlite3_close (db);
}

static void
test_accent_insensitive (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  struct {
    const char *query;
    const char *ids;
  } cases[] = {
    { "dao tao", "1,5,6" },
    { "Đào tạo", "1,5,6" },
    { "ĐÀO TẠO", "1,5,6" },
    { "\xc4\x90" "a\xcc\x80" "o ta\xcc\xa3" "o", "1,5,6" },  /* Đào tạo typed decomposed */
    { "\"đào tạo\"", "1,5,6" },
    { "quyet dinh", "2" },
    { "QUYẾT ĐỊNH", "2" },
    { "ke hoach so hoa", "3,4" },
    { "Kế hoạch số hóa", "3,4" },
    /* "hoá" (old-style tone placement) and "hóa" fold to the same "hoa",
     * so either spelling finds both; the exact forms differ and only
     * change the ranking. */
    { "kế hoạch số hoá", "3,4" },
    { "\"so hoa\"", "3,4" },
    { "dinh", "2" },
    { "hoa*", "1,3,4,5" },        /* hóa, hoá and hoạch */
    { "thuy", "4" },
  };
  gsize i;

  add_document (db, 1, "Kế hoạch", "Kế hoạch đào tạo giáo viên");
  add_document (db, 2, "Quyết định", "Quyết định khen thưởng");
  add_document (db, 3, "Kế hoạch số hóa", "Thư viện nhà trường");
  add_document (db, 4, "KẾ HOẠCH SỐ HOÁ", "Thư viện Thuỷ Lợi");
  add_document (db, 5, "", "Ke\xcc\x82\xcc\x81 hoa\xcc\xa3" "ch \xc4\x91" "a\xcc\x80o ta\xcc\xa3o");  /* NFD */
  add_document (db, 6, "ĐÀO TẠO", "");
  add_document (db, 7, "Báo cáo", "Đảo ngọc, đạo đức");

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *ids = match_ids (db, cases[i].query);

    g_test_message ("query %" G_GSIZE_FORMAT, i);
    g_assert_cmpstr (ids, ==, cases[i].ids);
  }
  sqlite3_close (db);
}

/* Exact and folded terms never collide: the exact term for "đào" finds only
 * "đào", and no document word can produce a term with the marker. */
static void
test_exact_terms (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  sqlite3_stmt *stmt = NULL;
  GString *ids = g_string_new (NULL);

  add_document (db, 1, "", "dao");
  add_document (db, 2, "", "đào");
  add_document (db, 3, "", "đảo");
  add_document (db, 4, "", "\x01" "dao \x01" "đảo");  /* a marker byte in a document */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
      "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?1 ORDER BY rowid", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, "\"\x01" "đào\"", -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (ids, "%lld;", (long long) sqlite3_column_int64 (stmt, 0));
  sqlite3_reset (stmt);
  /* A marked word without diacritics has no exact form: searched folded. */
  sqlite3_bind_text (stmt, 1, "\"\x01" "dao\"", -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (ids, "%lld,", (long long) sqlite3_column_int64 (stmt, 0));
  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 1, "\"\x01" "đả\"*", -1, SQLITE_STATIC);  /* exact prefix */
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (ids, "%lld*", (long long) sqlite3_column_int64 (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_cmpstr (ids->str, ==, "2;1,2,3,4,3*4*");
  g_string_free (ids, TRUE);
  sqlite3_close (db);
}

/* An accented query puts the documents with the exact words first and
 * still finds the accent-free matches after them. */
static void
test_exact_first (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  int filler;

  add_document (db, 1, "Báo cáo", "Hòn đảo nhỏ giữa biển");
  add_document (db, 2, "Báo cáo", "Cây đào nhỏ giữa sân");
  add_document (db, 3, "Báo cáo", "Con dao nhỏ giữa bàn");
  add_document (db, 4, "Báo cáo", "Đạo đức nhỏ giữa đời");
  add_document (db, 5, "Báo cáo", "Đào tạo giáo viên mới");
  add_document (db, 6, "Báo cáo", "Đảo tạo giáo viên mới");
  /* Unrelated documents, so that no term is in half the archive (bm25
   * gives such terms no weight). */
  for (filler = 10; filler < 22; filler++)
    add_document (db, filler, "Thông báo", "Lịch họp hội đồng sư phạm tháng này");

  {
    g_autofree char *dao_exact = search_ids (db, "đào");
    g_autofree char *dao_island = search_ids (db, "ĐẢO");
    g_autofree char *dao_plain = search_ids (db, "dao");
    g_autofree char *dao_tao = search_ids (db, "Đào tạo");
    g_autofree char *dao_tao_island = search_ids (db, "đảo tạo");
    g_auto (GStrv) exact = g_strsplit (dao_exact, ",", -1);
    g_auto (GStrv) island = g_strsplit (dao_island, ",", -1);
    g_auto (GStrv) plain = g_strsplit (dao_plain, ",", -1);

    /* All six contain a folded "dao"; the accented query ranks its own
     * spelling first, the rest after. */
    g_assert_cmpuint (g_strv_length (exact), ==, 6);
    g_assert_cmpuint (g_strv_length (island), ==, 6);
    g_assert_cmpuint (g_strv_length (plain), ==, 6);
    g_assert_true (g_str_has_prefix (dao_exact, "2,5,") || g_str_has_prefix (dao_exact, "5,2,"));
    g_assert_true (g_str_has_prefix (dao_island, "1,6,") || g_str_has_prefix (dao_island, "6,1,"));
    g_assert_cmpstr (dao_tao, ==, "5,6");
    g_assert_cmpstr (dao_tao_island, ==, "6,5");
  }
  sqlite3_close (db);
}

/* highlight() and snippet() use the tokenizer's byte offsets: the marks
 * must wrap exactly the words, whatever their encoding. */
static void
test_offsets (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  struct {
    const char *query;
    gint64 id;
    const char *highlighted;
  } cases[] = {
    { "dao", 1, "Ông Nguyễn Văn [Đào] đã dạy ở trường." },
    { "nguyen van dao", 1, "Ông [Nguyễn] [Văn] [Đào] đã dạy ở trường." },
    { "\"văn đào\"", 1, "Ông Nguyễn [Văn Đào] đã dạy ở trường." },
    { "truong*", 1, "Ông Nguyễn Văn Đào đã dạy ở [trường]." },
    { "dao", 2, "Cây [đa\xcc\x80o] nở" },       /* decomposed: the marks are inside */
    { "ubnd", 3, "Số 189/KH-[UBND] ngày 28/4" },
    { "kh ubnd 189", 3, "Số [189]/[KH]-[UBND] ngày 28/4" },
    { "hoach", 4, "\xffKế\xfe [hoạch]\xff" },  /* invalid bytes in the text */
  };
  gsize i;

  add_document (db, 1, "", "Ông Nguyễn Văn Đào đã dạy ở trường.");
  add_document (db, 2, "", "Cây đa\xcc\x80o nở");
  add_document (db, 3, "", "Số 189/KH-UBND ngày 28/4");
  kho_test_add_document (db, 4, "", "\xff" "Kế\xfe hoạch\xff", -1);

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *expression = kho_query_build (cases[i].query);
    sqlite3_stmt *stmt = NULL;

    g_test_message ("query %s", cases[i].query);
    g_assert_cmpint (sqlite3_prepare_v2 (db,
        "SELECT highlight(doc_fts, 1, '[', ']') FROM doc_fts WHERE doc_fts MATCH ?1 AND rowid = ?2",
        -1, &stmt, NULL), ==, SQLITE_OK);
    sqlite3_bind_text (stmt, 1, expression, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, cases[i].id);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, cases[i].highlighted);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);
}

/* The same offsets through kho_search_run's snippet, with the caller's
 * marks, for an accented query (folded and exact phrases both hit the
 * same words: each word is marked once). */
static void
test_snippet_marks (void)
{
  sqlite3 *db = kho_test_open_index_db ();
  g_autoptr (GError) error = NULL;
  KhoSearchOptions options;
  GPtrArray *hits;

  add_document (db, 1, "Công văn", "Về việc tổ chức lớp bồi dưỡng đào tạo giáo viên tiếng Việt");
  kho_search_options_init (&options);
  options.mark_open = "<b>";
  options.mark_close = "</b>";
  hits = kho_search_run (db, "Đào tạo", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((KhoSearchHit *) hits->pdata[0])->snippet, ==,
                   "Về việc tổ chức lớp bồi dưỡng <b>đào</b> <b>tạo</b> giáo viên tiếng Việt");
  g_ptr_array_unref (hits);
  sqlite3_close (db);
}

static void
test_register (void)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  /* Without registration the schema cannot be created. */
  g_assert_cmpint (sqlite3_exec (db, kho_schema_v1, NULL, NULL, &message), !=, SQLITE_OK);
  g_assert_nonnull (strstr (message, "kho_vi"));
  sqlite3_free (message);
  g_assert_cmpint (kho_tokenizer_register (db), ==, SQLITE_OK);
  /* The tokenizer takes no options. */
  g_assert_cmpint (sqlite3_exec (db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'kho_vi extra')",
                                 NULL, NULL, NULL), !=, SQLITE_OK);
  g_assert_cmpint (kho_tokenizer_register (NULL), ==, SQLITE_MISUSE);
  sqlite3_close (db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tokenizer/register", test_register);
  g_test_add_func ("/tokenizer/tokens", test_tokens);
  g_test_add_func ("/tokenizer/accent-insensitive", test_accent_insensitive);
  g_test_add_func ("/tokenizer/exact-terms", test_exact_terms);
  g_test_add_func ("/tokenizer/exact-first", test_exact_first);
  g_test_add_func ("/tokenizer/offsets", test_offsets);
  g_test_add_func ("/tokenizer/snippet-marks", test_snippet_marks);
  return g_test_run ();
}
