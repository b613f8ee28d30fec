/* test-query.c — user input to MATCH expressions: exact forms, and no
 * input, however hostile, makes FTS5 fail. */
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

static sqlite3 *
open_db_with_documents (void)
{
  sqlite3 *db = kho_test_open_index_db ();

  add_document (db, 1, "Kế hoạch đào tạo", "Kế hoạch đào tạo giáo viên năm học 2023-2024, số 189/KH-UBND.");
  add_document (db, 2, "Quyết định", "Quyết định về việc khen thưởng học sinh giỏi.");
  add_document (db, 3, "Công văn", "V/v số hóa tài liệu lưu trữ; title: near and or not.");
  return db;
}

/* "\x01" is the exact-term marker (KHO_TOKENIZER_EXACT_MARKER). */
static void
test_expected_expressions (void)
{
  struct {
    const char *input;
    const char *expected;  /* NULL: no terms */
  } cases[] = {
    { "dao tao", "\"dao\" AND \"tao\"" },
    { "  DAO   Tao  ", "\"dao\" AND \"tao\"" },
    { "Đào tạo", "(\"dao\" AND \"tao\") OR (\"\x01" "đào\" AND \"\x01" "tạo\")" },
    { "ĐÀO tao", "(\"dao\" AND \"tao\") OR (\"\x01" "đào\" AND \"tao\")" },
    { "Đa\xcc\x80o", "(\"dao\") OR (\"\x01" "đào\")" },  /* typed decomposed */
    { "\"kế hoạch\" năm", "(\"ke hoach\" AND \"nam\") OR (\"\x01" "kế \x01" "hoạch\" AND \"\x01" "năm\")" },
    { "hoa*", "\"hoa\"*" },
    { "hoạ*", "(\"hoa\"*) OR (\"\x01" "hoạ\"*)" },
    { "\"ke hoa\"*", "\"ke hoa\"*" },
    { "h*", "\"h\"" },              /* a prefix needs 2 characters */
    { "*prefix", "\"prefix\"" },
    { "x*y", "\"x y\"" },
    { "189/KH-UBND", "\"189 kh ubnd\"" },
    { "title:x", "\"title x\"" },
    { "a:b", "\"a b\"" },
    { "NEAR(a b)", "\"near a\" AND \"b\"" },
    { "a OR b", "\"a\" AND \"or\" AND \"b\"" },
    { "AND", "\"and\"" },
    { "a OR", "\"a\" AND \"or\"" },
    { "\"unterminated", "\"unterminated\"" },
    { "dao -tao", "(\"dao\") NOT (\"tao\")" },
    { "dao -Tạo -\"giáo viên\"", "(\"dao\") NOT (\"tao\" OR \"giao vien\")" },
    { "Đào -tạo", "((\"dao\") OR (\"\x01" "đào\")) NOT (\"tao\")" },
    { "\x01" "dao", "\"dao\"" },    /* a typed marker is only a separator */
    { "a-b", "\"a b\"" },
    { "^x +y {z}", "\"x\" AND \"y\" AND \"z\"" },
    { "", NULL },
    { "   ", NULL },
    { "\"", NULL },
    { "\"\"", NULL },
    { "***", NULL },
    { "-", NULL },
    { "- -x", NULL },
    { "-x", NULL },
    { "(((", NULL },
    { ")", NULL },
    { "\xff\xfe", NULL },
    { "😀", NULL },
  };
  gsize i;

  g_assert_null (kho_query_build (NULL));
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *expression = kho_query_build (cases[i].input);

    g_test_message ("case %" G_GSIZE_FORMAT, i);
    g_assert_cmpstr (expression, ==, cases[i].expected);
  }
}

/* kho_query_build_matching: the folded form alone, the same without
 * diacritics. */
static void
test_matching_expressions (void)
{
  static const char *const cases[][2] = {
    { "dao tao", "\"dao\" AND \"tao\"" },
    { "Đào tạo", "\"dao\" AND \"tao\"" },
    { "hoạ*", "\"hoa\"*" },
    { "Đào -tạo", "(\"dao\") NOT (\"tao\")" },
    { "-Đào", NULL },
  };

  g_assert_null (kho_query_build_matching (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *expression = kho_query_build_matching (cases[i][0]);

      g_assert_cmpstr (expression, ==, cases[i][1]);
    }
}

static void
test_word_limit (void)
{
  GString *input = g_string_new (NULL);
  g_autofree char *expression = NULL;
  char **parts;
  int i;

  for (i = 0; i < 5000; i++)
    g_string_append (input, "a ");
  expression = kho_query_build (input->str);
  parts = g_strsplit (expression, " AND ", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, KHO_QUERY_MAX_WORDS);
  g_strfreev (parts);
  g_string_free (input, TRUE);
}

static void
assert_search_ok (sqlite3 *db, const char *input, gsize length_for_message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *expression = kho_query_build (input);
  GPtrArray *hits = kho_search_run (db, input, NULL, &error);

  if (error != NULL)
    g_error ("query of %" G_GSIZE_FORMAT " bytes, expression %s: %s",
             length_for_message, expression ? expression : "(null)", error->message);
  g_assert_nonnull (hits);
  if (expression == NULL)
    g_assert_cmpuint (hits->len, ==, 0);
  g_ptr_array_unref (hits);
}

static void
test_hostile_inputs (void)
{
  static const char *const inputs[] = {
    "", " ", "\"", "\"\"", "\"\"\"", "***", "*", "-", "- -x", "--", "-\"", "-\"\"",
    "NEAR(a b)", "NEAR(a b, 2)", "a:b", "title:x", "body:đào", "{title body}:x",
    "(((", ")", "()", "a OR", "OR", "AND", "NOT", "a NOT", "NOT a", "a AND NOT b",
    "\"unterminated", "unterminated\"", "*prefix", "x*y", "x**", "\"a b\"*", "\"\"*",
    "^", "^a", "+", "a + b", "{", "}", "{a", "a}", ":", "a:", ":a", "đào:tạo",
    "😀", "😀 đào 😀", "a\x01" "b", "\x01\x02\x03\x1f\x7f", "\t\n\r\v\f", "\xff\xfe\xfd",
    "\xc3", "\xe1\xba", "đ\xcc", "\"đào\"*", "-đào", "đào -đào", "đào -", "\"\x01" "đào\"",
    "a\"b\"c", "\"a\"\"b\"", "'", "'a'", "\\", "\\\"", "%", "_", "'; DROP TABLE documents; --",
    "ĐÀO TẠO", "Đa\xcc\x80o ta\xcc\xa3o", "189/KH-UBND", "-189/KH-UBND đào",
  };
  sqlite3 *db = open_db_with_documents ();
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (inputs); i++)
    assert_search_ok (db, inputs[i], strlen (inputs[i]));

  /* 10 000 characters of several kinds. */
  {
    static const char *const fills[] = { "a", "đ", "\"", "*", "(", "-", "a*", "-a ", "đào ", "x:y " };
    for (i = 0; i < G_N_ELEMENTS (fills); i++) {
      GString *input = g_string_new (NULL);
      glong fill_length = g_utf8_strlen (fills[i], -1);
      glong characters;

      for (characters = 0; characters < 10000; characters += fill_length)
        g_string_append (input, fills[i]);
      assert_search_ok (db, input->str, input->len);
      g_string_free (input, TRUE);
    }
  }
  /* The schema's tables are intact. */
  {
    g_autoptr (GError) error = NULL;
    GPtrArray *hits = kho_search_run (db, "quyết định", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (hits->len, ==, 1);
    g_ptr_array_unref (hits);
  }
  sqlite3_close (db);
}

/* Random strings over the characters FTS5 treats specially, words, the
 * operators and broken UTF-8: no error, ever. */
static void
test_random_inputs (void)
{
  static const char *const pieces[] = {
    "\"", "*", "(", ")", "-", ":", "^", "+", "{", "}", ",", " ", " ", " ",
    "AND", "OR", "NOT", "NEAR", "đào", "tạo", "Kế", "hoạch", "a", "189", "title", "body",
    "\x01", "\x1b", "\xff", "\xcc\x81", "\xe1", "😀", "'",
  };
  sqlite3 *db = open_db_with_documents ();
  GRand *rand = g_rand_new_with_seed (4242);
  int round;

  for (round = 0; round < 1000; round++) {
    GString *input = g_string_new (NULL);
    int n = g_rand_int_range (rand, 0, 12);
    int i;

    for (i = 0; i < n; i++)
      g_string_append (input, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
    assert_search_ok (db, input->str, input->len);
    g_string_free (input, TRUE);
  }
  g_rand_free (rand);
  sqlite3_close (db);
}

/* What the expressions find, on the documents above. */
static void
test_expressions_match (void)
{
  struct {
    const char *input;
    guint count;
    gint64 first;
  } cases[] = {
    { "189/KH-UBND", 1, 1 },
    { "kh-ubnd", 1, 1 },
    { "ubnd kh", 1, 1 },          /* two words, any order */
    { "\"ubnd kh\"", 0, 0 },      /* a phrase: in order */
    { "quyet -khen", 0, 0 },
    { "quyet -dao", 1, 2 },
    { "near and or not", 1, 3 },  /* operators are words */
    { "title:near", 1, 3 },
    { "hoa*", 2, 1 },             /* hoạch, hóa */
    { "hoạ*", 2, 1 },             /* exact prefix ranks, folded prefix finds */
  };
  sqlite3 *db = open_db_with_documents ();
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    GPtrArray *hits = kho_search_run (db, cases[i].input, NULL, &error);

    g_test_message ("query %s", cases[i].input);
    g_assert_no_error (error);
    g_assert_cmpuint (hits->len, ==, cases[i].count);
    /* counted with the expression without the exact words' bonus */
    g_assert_cmpint (kho_search_count (db, cases[i].input, NULL, 0, 0, NULL, NULL), ==,
                     cases[i].count);
    if (cases[i].count > 0)
      g_assert_cmpint (((KhoSearchHit *) hits->pdata[0])->document_id, ==, cases[i].first);
    g_ptr_array_unref (hits);
  }
  sqlite3_close (db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/query/expressions", test_expected_expressions);
  g_test_add_func ("/query/matching-expressions", test_matching_expressions);
  g_test_add_func ("/query/word-limit", test_word_limit);
  g_test_add_func ("/query/hostile-inputs", test_hostile_inputs);
  g_test_add_func ("/query/random-inputs", test_random_inputs);
  g_test_add_func ("/query/matches", test_expressions_match);
  return g_test_run ();
}
