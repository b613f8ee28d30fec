/* test-fold.c — Vietnamese folding: every vowel and tone, đ, NFC, bad UTF-8. */
#include <glib.h>
#include <string.h>

#include "index/fold.h"

/* The 12 Vietnamese vowels, each with no tone, sắc, huyền, hỏi, ngã, nặng,
 * precomposed (one code point each, checked below). */
static const char *const vowels_lower[12][6] = {
  { "a", "á", "à", "ả", "ã", "ạ" }, { "ă", "ắ", "ằ", "ẳ", "ẵ", "ặ" },
  { "â", "ấ", "ầ", "ẩ", "ẫ", "ậ" }, { "e", "é", "è", "ẻ", "ẽ", "ẹ" },
  { "ê", "ế", "ề", "ể", "ễ", "ệ" }, { "i", "í", "ì", "ỉ", "ĩ", "ị" },
  { "o", "ó", "ò", "ỏ", "õ", "ọ" }, { "ô", "ố", "ồ", "ổ", "ỗ", "ộ" },
  { "ơ", "ớ", "ờ", "ở", "ỡ", "ợ" }, { "u", "ú", "ù", "ủ", "ũ", "ụ" },
  { "ư", "ứ", "ừ", "ử", "ữ", "ự" }, { "y", "ý", "ỳ", "ỷ", "ỹ", "ỵ" },
};
static const char *const vowels_upper[12][6] = {
  { "A", "Á", "À", "Ả", "Ã", "Ạ" }, { "Ă", "Ắ", "Ằ", "Ẳ", "Ẵ", "Ặ" },
  { "Â", "Ấ", "Ầ", "Ẩ", "Ẫ", "Ậ" }, { "E", "É", "È", "Ẻ", "Ẽ", "Ẹ" },
  { "Ê", "Ế", "Ề", "Ể", "Ễ", "Ệ" }, { "I", "Í", "Ì", "Ỉ", "Ĩ", "Ị" },
  { "O", "Ó", "Ò", "Ỏ", "Õ", "Ọ" }, { "Ô", "Ố", "Ồ", "Ổ", "Ỗ", "Ộ" },
  { "Ơ", "Ớ", "Ờ", "Ở", "Ỡ", "Ợ" }, { "U", "Ú", "Ù", "Ủ", "Ũ", "Ụ" },
  { "Ư", "Ứ", "Ừ", "Ử", "Ữ", "Ự" }, { "Y", "Ý", "Ỳ", "Ỷ", "Ỹ", "Ỵ" },
};
/* The same vowels decomposed by hand: base letter, then the vowel's own
 * mark (breve U+0306, circumflex U+0302, horn U+031B), then the tone. */
static const char base_letter[12] = { 'a', 'a', 'a', 'e', 'e', 'i', 'o', 'o', 'o', 'u', 'u', 'y' };
static const char *const vowel_mark[12] = {
  "", "\xcc\x86", "\xcc\x82", "", "\xcc\x82", "", "", "\xcc\x82", "\xcc\x9b", "", "\xcc\x9b", "",
};
static const char *const tone_mark[6] = {
  "", "\xcc\x81", "\xcc\x80", "\xcc\x89", "\xcc\x83", "\xcc\xa3",
};

static void
test_vowels_fold_to_base (void)
{
  int v, t;

  for (v = 0; v < 12; v++) {
    for (t = 0; t < 6; t++) {
      const char *lower = vowels_lower[v][t];
      const char *upper = vowels_upper[v][t];
      char base[2] = { base_letter[v], '\0' };
      char upper_base[2] = { g_ascii_toupper (base_letter[v]), '\0' };
      g_autofree char *nfd_lower = g_strconcat (base, vowel_mark[v], tone_mark[t], NULL);
      g_autofree char *nfd_upper = g_strconcat (upper_base, vowel_mark[v], tone_mark[t], NULL);
      const char *forms[] = { lower, upper, nfd_lower, nfd_upper };
      gboolean plain = vowel_mark[v][0] == '\0' && t == 0;
      gsize i;

      /* The table really holds precomposed characters. */
      g_assert_cmpint (g_utf8_strlen (lower, -1), ==, 1);
      g_assert_cmpint (g_utf8_strlen (upper, -1), ==, 1);
      g_assert_cmpuint (kho_fold_char (g_utf8_get_char (lower)), ==, (gunichar) base_letter[v]);
      g_assert_cmpuint (kho_fold_char (g_utf8_get_char (upper)), ==, (gunichar) base_letter[v]);

      for (i = 0; i < G_N_ELEMENTS (forms); i++) {
        g_autofree char *folded = kho_fold_search (forms[i], -1);
        g_autofree char *exact = kho_fold_exact (forms[i], -1);

        g_assert_cmpstr (folded, ==, base);
        g_assert_cmpstr (exact, ==, lower);  /* lower case, precomposed */
        g_assert_cmpint (kho_fold_has_diacritics (forms[i], -1), ==, !plain);
      }

      /* NFC of the decomposed form is the precomposed character. */
      {
        g_autofree char *nfc_lower = kho_fold_nfc (nfd_lower, -1);
        g_autofree char *nfc_upper = kho_fold_nfc (nfd_upper, -1);
        g_autofree char *nfc_same = kho_fold_nfc (upper, -1);

        g_assert_cmpstr (nfc_lower, ==, lower);
        g_assert_cmpstr (nfc_upper, ==, upper);
        g_assert_cmpstr (nfc_same, ==, upper);
      }
    }
  }
}

static void
test_d_with_stroke (void)
{
  g_autofree char *lower = kho_fold_search ("đ", -1);
  g_autofree char *upper = kho_fold_search ("Đ", -1);
  g_autofree char *word = kho_fold_search ("ĐÀO TẠO", -1);
  g_autofree char *exact = kho_fold_exact ("ĐÀO TẠO", -1);

  g_assert_cmpstr (lower, ==, "d");
  g_assert_cmpstr (upper, ==, "d");
  g_assert_cmpuint (kho_fold_char (0x0110), ==, 'd');
  g_assert_cmpuint (kho_fold_char (0x0111), ==, 'd');
  g_assert_true (kho_fold_has_diacritics ("đi", -1));
  g_assert_true (kho_fold_has_diacritics ("ĐI", -1));
  g_assert_cmpstr (word, ==, "dao tao");
  g_assert_cmpstr (exact, ==, "đào tạo");
}

static void
test_mixed_forms (void)
{
  /* "Đào tạo" with "Đào" decomposed and "tạo" precomposed. */
  const char *mixed = "\xc4\x90" "a\xcc\x80" "o t\xe1\xba\xa1o";
  g_autofree char *nfc = kho_fold_nfc (mixed, -1);
  g_autofree char *folded = kho_fold_search (mixed, -1);
  /* Marks in non-canonical order still compose to one character. */
  g_autofree char *reordered = kho_fold_nfc ("a\xcc\xa3\xcc\x82", -1);  /* a, dot below, circumflex */
  g_autofree char *reordered2 = kho_fold_nfc ("a\xcc\x82\xcc\xa3", -1); /* a, circumflex, dot below */
  g_autofree char *lone_mark = kho_fold_search ("\xcc\x81x", -1);

  g_assert_cmpstr (nfc, ==, "Đào tạo");
  g_assert_cmpstr (folded, ==, "dao tao");
  g_assert_cmpstr (reordered, ==, "ậ");
  g_assert_cmpstr (reordered2, ==, "ậ");
  g_assert_cmpuint (kho_fold_char (0x0301), ==, 0);
  g_assert_cmpstr (lone_mark, ==, "x");
}

static void
test_whole_words (void)
{
  struct {
    const char *input;
    const char *search;
    const char *exact;
  } cases[] = {
    { "Kế hoạch số hóa", "ke hoach so hoa", "kế hoạch số hóa" },
    { "QUYẾT ĐỊNH", "quyet dinh", "quyết định" },
    { "Trường THPT Nguyễn Trãi", "truong thpt nguyen trai", "trường thpt nguyễn trãi" },
    { "189/KH-UBND", "189/kh-ubnd", "189/kh-ubnd" },  /* punctuation kept */
    { "ngày 28 tháng 04 năm 2023", "ngay 28 thang 04 nam 2023", "ngày 28 tháng 04 năm 2023" },
    { "", "", "" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *search = kho_fold_search (cases[i].input, -1);
    g_autofree char *exact = kho_fold_exact (cases[i].input, -1);

    g_assert_cmpstr (search, ==, cases[i].search);
    g_assert_cmpstr (exact, ==, cases[i].exact);
  }
  /* An explicit length stops early. */
  {
    g_autofree char *part = kho_fold_search ("Đào tạo", strlen ("Đào"));

    g_assert_cmpstr (part, ==, "dao");
  }
}

static void
test_old_style_tone_placement (void)
{
  /* Old style puts the tone on the last vowel (hoá, thuỷ), new style on
   * the main one (hóa, thủy).  The exact forms differ, the search forms
   * are equal once marks are gone, so either spelling finds both. */
  g_autofree char *old_search = kho_fold_search ("hoá", -1);
  g_autofree char *new_search = kho_fold_search ("hóa", -1);
  g_autofree char *old_exact = kho_fold_exact ("hoá", -1);
  g_autofree char *new_exact = kho_fold_exact ("hóa", -1);
  g_autofree char *old_thuy = kho_fold_search ("THUỶ", -1);
  g_autofree char *new_thuy = kho_fold_search ("thủy", -1);

  g_assert_cmpstr (old_search, ==, new_search);
  g_assert_cmpstr (old_search, ==, "hoa");
  g_assert_cmpstr (old_exact, !=, new_exact);
  g_assert_cmpstr (old_thuy, ==, new_thuy);
}

static void
test_other_scripts (void)
{
  /* Hangul typed as conjoining jamo comes back as the composed syllable;
   * a composed syllable is not "a letter with marks" and stays whole. */
  const char *jamo = "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab";  /* ᄒ ᅡ ᆫ */
  g_autofree char *from_jamo = kho_fold_search (jamo, -1);
  g_autofree char *syllable = kho_fold_search ("한", -1);
  g_autofree char *nfc_jamo = kho_fold_nfc (jamo, -1);
  /* U+212B ANGSTROM SIGN is a singleton: NFC makes it U+00C5. */
  g_autofree char *angstrom = kho_fold_nfc ("\xe2\x84\xab", -1);
  g_autofree char *angstrom_search = kho_fold_search ("\xe2\x84\xab", -1);
  g_autofree char *greek = kho_fold_search ("ΆΛΦΑ", -1);

  g_assert_cmpstr (from_jamo, ==, "한");
  g_assert_cmpstr (syllable, ==, "한");
  g_assert_cmpstr (nfc_jamo, ==, "한");
  g_assert_cmpstr (angstrom, ==, "Å");
  g_assert_cmpstr (angstrom_search, ==, "a");
  g_assert_cmpstr (greek, ==, "αλφα");
  g_assert_false (kho_fold_has_diacritics ("한국어", -1));
  g_assert_false (kho_fold_has_diacritics ("Hello WORLD 42", -1));
}

static void
test_invalid_utf8 (void)
{
  struct {
    const char *input;
    gssize length;
    const char *nfc;
    const char *search;
  } cases[] = {
    { "ab\xff\xfe" "c", -1, "ab\xef\xbf\xbd\xef\xbf\xbd" "c", "ab\xef\xbf\xbd\xef\xbf\xbd" "c" },
    { "\xc3", -1, "\xef\xbf\xbd", "\xef\xbf\xbd" },                   /* truncated */
    { "\xc0\xaf", -1, "\xef\xbf\xbd\xef\xbf\xbd", "\xef\xbf\xbd\xef\xbf\xbd" }, /* overlong */
    { "\xed\xa0\x80x", -1, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx" }, /* surrogate */
    { "\xc4\x90\xe1\xba", -1, "\xc4\x90\xef\xbf\xbd\xef\xbf\xbd", "d\xef\xbf\xbd\xef\xbf\xbd" },
    { "a\0b", 3, "a\xef\xbf\xbd" "b", "a\xef\xbf\xbd" "b" },              /* NUL inside @length */
    { "A\xcc", 2, "A\xef\xbf\xbd", "a\xef\xbf\xbd" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *nfc = kho_fold_nfc (cases[i].input, cases[i].length);
    g_autofree char *search = kho_fold_search (cases[i].input, cases[i].length);
    g_autofree char *exact = kho_fold_exact (cases[i].input, cases[i].length);

    g_assert_cmpstr (nfc, ==, cases[i].nfc);
    g_assert_cmpstr (search, ==, cases[i].search);
    g_assert_true (g_utf8_validate (exact, -1, NULL));
    kho_fold_has_diacritics (cases[i].input, cases[i].length);
  }
}

/* Random bytes, biased towards UTF-8 lead and continuation bytes and
 * Vietnamese letters: never a crash, always valid UTF-8 out, and the
 * forms agree with each other. */
static void
test_random_bytes (void)
{
  static const char *const pieces[] = {
    "đ", "Đ", "ệ", "Ữ", "a", "Z", " ", "\xcc\x81", "\xcc\xa3", "\xcc\x9b",
    "\xe1", "\xba", "\xc3", "\xff", "\x80", "-", "/", "7", "\xe1\x84\x92", "\xe1\x85\xa1",
  };
  GRand *rand = g_rand_new_with_seed (20260101);
  int round;

  for (round = 0; round < 2000; round++) {
    GString *input = g_string_new (NULL);
    int n = g_rand_int_range (rand, 0, 24);
    int i;

    for (i = 0; i < n; i++) {
      if (g_rand_boolean (rand))
        g_string_append (input, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      else
        g_string_append_c (input, (char) g_rand_int_range (rand, 1, 256));
    }
    {
      g_autofree char *nfc = kho_fold_nfc (input->str, (gssize) input->len);
      g_autofree char *search = kho_fold_search (input->str, (gssize) input->len);
      g_autofree char *exact = kho_fold_exact (input->str, (gssize) input->len);
      g_autofree char *search_of_nfc = kho_fold_search (nfc, -1);
      g_autofree char *search_again = kho_fold_search (search, -1);
      g_autofree char *glib_nfc = g_utf8_normalize (nfc, -1, G_NORMALIZE_NFC);

      g_assert_true (g_utf8_validate (nfc, -1, NULL));
      g_assert_true (g_utf8_validate (search, -1, NULL));
      g_assert_true (g_utf8_validate (exact, -1, NULL));
      g_assert_cmpstr (nfc, ==, glib_nfc);          /* really NFC */
      g_assert_cmpstr (search_of_nfc, ==, search);  /* folding ignores the input's normal form */
      g_assert_cmpstr (search_again, ==, search);   /* idempotent */
    }
    g_string_free (input, TRUE);
  }
  g_rand_free (rand);
}

static void
test_append_reuses_buffer (void)
{
  GString *out = g_string_new ("x:");

  kho_fold_search_append (out, "Đào", -1);
  g_string_append_c (out, ',');
  kho_fold_exact_append (out, "TẠO", -1);
  g_assert_cmpstr (out->str, ==, "x:dao,tạo");
  g_string_free (out, TRUE);
}

static void
test_word_chars (void)
{
  g_assert_true (kho_fold_is_word_char ('a'));
  g_assert_true (kho_fold_is_word_char ('7'));
  g_assert_true (kho_fold_is_word_char (0x0111));  /* đ */
  g_assert_true (kho_fold_is_word_char (0x1EC7));  /* ệ */
  g_assert_false (kho_fold_is_word_char ('-'));
  g_assert_false (kho_fold_is_word_char ('/'));
  g_assert_false (kho_fold_is_word_char (0xFFFD));
  g_assert_false (kho_fold_is_word_char (0x0301));
  g_assert_true (kho_fold_is_word_mark (0x0301));
  g_assert_false (kho_fold_is_word_mark ('a'));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fold/vowels", test_vowels_fold_to_base);
  g_test_add_func ("/fold/d-with-stroke", test_d_with_stroke);
  g_test_add_func ("/fold/mixed-forms", test_mixed_forms);
  g_test_add_func ("/fold/whole-words", test_whole_words);
  g_test_add_func ("/fold/old-style-tones", test_old_style_tone_placement);
  g_test_add_func ("/fold/other-scripts", test_other_scripts);
  g_test_add_func ("/fold/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/fold/random-bytes", test_random_bytes);
  g_test_add_func ("/fold/append", test_append_reuses_buffer);
  g_test_add_func ("/fold/word-chars", test_word_chars);
  return g_test_run ();
}
