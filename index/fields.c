/* fields.c — the metadata of an administrative document, read from its text.
 *
 * The text is cut into lines (on '\n' and '\f'), each cleaned once (NFC,
 * "Ð" read as "Đ", spaces collapsed, "0" read as "O" inside a word in
 * capitals) and cut into words, each kept three ways: as printed, in the
 * exact form (lower case) and in the search form (no diacritics, đ → d),
 * so that damaged text ("Ngay 31 thang 5 nam") still matches.
 *
 * Each field has its reader below.  They share a few judgements about a
 * line: is it in capitals, where does the right column of the header
 * start (the national motto, the place and date), is it a signer's title
 * or a person's name.  A copy (SAO Y, TRÍCH SAO, SAO LỤC) has a second
 * header at its end, and then that header is the one that counts, except
 * for the subject.
 */
#include "index/fields.h"

#include <string.h>

#include "index/fold.h"

/* How far the header reaches: the lines searched for the number, the
 * type line, urgency and secrecy marks. */
#define HEADER_LINES 16
#define TYPE_LINE_LINES 30
/* How many lines a subject takes at most. */
#define SUBJECT_LINES 4
/* A line this long is running text, not a centred subject line. */
#define BODY_LINE_CHARS 80
/* How far from the end the signer's name is looked for, without "Nơi nhận". */
#define SIGNER_TAIL_LINES 8
/* A header or signature line is short: the place and date comes within
 * the first words of its line, a signature line has no more words than
 * this.  (Long lines are running text; the limits also keep the work on
 * a line without line breaks linear.) */
#define PLACE_DATE_WORDS 30
#define DATE_WORDS_AFTER 12
#define CELL_LINE_WORDS 30

typedef struct
{
  char *text;      /* the cleaned line */
  char **words;    /* @text split on spaces */
  char **exact;    /* each word lower case, diacritics kept */
  char **folded;   /* each word in search form */
  guint n_words;
  gboolean gap;    /* a blank line (or more) comes before it */
} Line;

typedef struct
{
  Line *lines;
  guint n_lines;
  guint section;   /* the first line of the header that counts */
} Document;

/* ------------------------------------------------------------------ */
/* Cleaning text and cutting it into lines and words                   */

/* TRUE when @text has no lower-case letter and at least one upper-case one. */
static gboolean
is_capitals (const char *text)
{
  gboolean upper = FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_islower (c))
        return FALSE;
      if (g_unichar_isupper (c))
        upper = TRUE;
    }
  return upper;
}

static gboolean
has_lowercase (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_islower (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static gboolean
has_digit (const char *text)
{
  for (const char *p = text; *p; p++)
    if (g_ascii_isdigit (*p))
      return TRUE;
  return FALSE;
}

/* Appends @word with the OCR confusions that can be undone safely:
 * "Ð" (U+00D0, Icelandic eth) for "Đ", and "0" for "O" in a word in
 * capitals with no other digit ("C0NG", "K0N", "SA0"). */
static void
append_clean_word (GString *out, const char *word, gsize length)
{
  gsize start = out->len;
  guint upper = 0, digits = 0;
  gboolean lower = FALSE;

  for (const char *p = word; p < word + length; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0x00D0)
        c = 0x0110;
      else if (c == 0x00F0)
        c = 0x0111;
      if (g_unichar_isupper (c))
        upper++;
      else if (g_unichar_islower (c))
        lower = TRUE;
      else if (c >= '1' && c <= '9')
        digits++;
      g_string_append_unichar (out, c);
    }
  if (upper >= 2 && !lower && digits == 0)
    for (gsize i = start; i < out->len; i++)
      if (out->str[i] == '0')
        out->str[i] = 'O';
}

/* Returns @raw in NFC with the confusions above undone and every run of
 * white space made one space, trimmed. */
static char *
clean_text (const char *raw)
{
  g_autofree char *nfc = kho_fold_nfc (raw, -1);
  GString *out = g_string_new (NULL);
  const char *p = nfc;

  while (*p)
    {
      const char *start;

      while (*p && g_unichar_isspace (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      if (*p == '\0')
        break;
      start = p;
      while (*p && !g_unichar_isspace (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      if (out->len > 0)
        g_string_append_c (out, ' ');
      append_clean_word (out, start, (gsize) (p - start));
    }
  return g_string_free (out, FALSE);
}

static void
line_init (Line *line, const char *raw)
{
  line->text = clean_text (raw);
  line->words = *line->text ? g_strsplit (line->text, " ", -1) : g_new0 (char *, 1);
  line->n_words = g_strv_length (line->words);
  line->exact = g_new0 (char *, line->n_words + 1);
  line->folded = g_new0 (char *, line->n_words + 1);
  for (guint i = 0; i < line->n_words; i++)
    {
      line->exact[i] = kho_fold_exact (line->words[i], -1);
      line->folded[i] = kho_fold_search (line->words[i], -1);
    }
}

static void
line_clear (Line *line)
{
  g_free (line->text);
  g_strfreev (line->words);
  g_strfreev (line->exact);
  g_strfreev (line->folded);
}

/* A blank line or an underline row ("-------", "————", "*"): no letter
 * and no digit. */
static gboolean
is_rule_line (const Line *line)
{
  for (const char *p = line->text; *p; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* Cuts @text into lines, leaving out blank lines and underline rows.
 * OCR puts blank lines between blocks (between a title and the name under
 * the signature, between pages), so they separate nothing for most fields;
 * a subject, one block, stops at one (Line.gap). */
static Document *
document_new (const char *text)
{
  g_auto (GStrv) raw = g_strsplit_set (text, "\n\f", -1);
  Document *doc = g_new0 (Document, 1);
  gboolean gap = FALSE;

  doc->lines = g_new0 (Line, g_strv_length (raw));
  for (guint i = 0; raw[i]; i++)
    {
      Line *line = &doc->lines[doc->n_lines];

      line_init (line, raw[i]);
      if (is_rule_line (line))
        {
          gap = gap || line->n_words == 0;
          line_clear (line);
          continue;
        }
      line->gap = gap;
      gap = FALSE;
      doc->n_lines++;
    }
  return doc;
}

static void
document_free (Document *doc)
{
  for (guint i = 0; i < doc->n_lines; i++)
    line_clear (&doc->lines[i]);
  g_free (doc->lines);
  g_free (doc);
}

/* The words @from to @to (excluded) of @line joined with spaces. */
static char *
line_words (const Line *line, guint from, guint to)
{
  GString *out = g_string_new (NULL);

  for (guint i = from; i < to && i < line->n_words; i++)
    {
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, line->words[i]);
    }
  return g_string_free (out, FALSE);
}

/* The search form of words @from to @to (excluded) joined with spaces. */
static char *
line_folded (const Line *line, guint from, guint to)
{
  GString *out = g_string_new (NULL);

  for (guint i = from; i < to && i < line->n_words; i++)
    {
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, line->folded[i]);
    }
  return g_string_free (out, FALSE);
}

/* TRUE when the search form of @line starts with the words of @phrase. */
static gboolean
line_starts_with (const Line *line, const char *phrase)
{
  g_autofree char *folded = line_folded (line, 0, line->n_words);

  return g_str_has_prefix (folded, phrase);
}

/* TRUE when the search form of the @length bytes at @exact is @folded. */
static gboolean
folds_to (const char *exact, gsize length, const char *folded)
{
  for (const char *p = exact; p < exact + length; p = g_utf8_next_char (p))
    {
      char buffer[8];
      gunichar c = kho_fold_char (g_utf8_get_char (p));
      int n = c == 0 ? 0 : g_unichar_to_utf8 (c, buffer);

      if (strncmp (folded, buffer, (gsize) n) != 0)
        return FALSE;
      folded += n;
    }
  return *folded == '\0';
}

/* TRUE when word @i of @line is the @length bytes at @word: in the search
 * form, or with @exact in the exact form, which a word printed without
 * diacritics matches as well ("HIEU" for "hiệu"). */
static gboolean
word_matches (const Line *line, guint i, const char *word, gsize length, gboolean exact)
{
  const char *form = exact ? line->exact[i] : line->folded[i];

  if (strlen (form) == length && strncmp (form, word, length) == 0)
    return TRUE;
  return exact && strcmp (line->exact[i], line->folded[i]) == 0
         && folds_to (word, length, line->folded[i]);
}

/* The number of words of @phrase (words separated by one space) that the
 * words of @line from @i on, not past @to, spell; 0 when they do not.
 * See word_matches() for @exact. */
static guint
phrase_at (const Line *line, guint i, guint to, const char *phrase, gboolean exact)
{
  guint n = 0;

  for (const char *p = phrase; *p; n++)
    {
      gsize length = strcspn (p, " ");

      if (i + n >= to || !word_matches (line, i + n, p, length, exact))
        return 0;
      p += length;
      if (*p == ' ')
        p++;
    }
  return n;
}

/* A list item's bullet: "-", "–", "+", "•", "*". */
static gboolean
is_bullet (const char *text)
{
  return g_str_has_prefix (text, "-") || g_str_has_prefix (text, "+")
         || g_str_has_prefix (text, "•") || g_str_has_prefix (text, "–")
         || g_str_has_prefix (text, "*");
}

/* Maps each character to its search form, one character for one, so that
 * offsets in the result are offsets in @text.  A lone mark becomes '_'. */
static char *
fold_keeping_offsets (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = kho_fold_char (g_utf8_get_char (p));

      g_string_append_unichar (out, c == 0 ? '_' : c);
    }
  return g_string_free (out, FALSE);
}

/* The part of @text that the bytes @start..@end of its folded form (from
 * fold_keeping_offsets()) cover. */
static char *
unfold_range (const char *text, const char *folded, int start, int end)
{
  glong from = g_utf8_pointer_to_offset (folded, folded + start);
  glong to = g_utf8_pointer_to_offset (folded, folded + end);
  const char *a = g_utf8_offset_to_pointer (text, from);
  const char *b = g_utf8_offset_to_pointer (text, to);

  return g_strndup (a, (gsize) (b - a));
}

/* Digits as OCR damages them: "l" and "i" for 1, "o" for 0. */
static char *
repair_digits (const char *text)
{
  char *out = g_strdup (text);

  for (char *p = out; *p; p++)
    if (*p == 'l' || *p == 'i' || *p == 'I')
      *p = '1';
    else if (*p == 'o' || *p == 'O')
      *p = '0';
  return out;
}

/* The compiled @pattern, compiled once for the life of the process in
 * @slot (thread-safe; a GRegex can be matched from several threads). */
static GRegex *
regex_once (gsize *slot, const char *pattern)
{
  if (g_once_init_enter (slot))
    g_once_init_leave (slot, (gsize) g_regex_new (pattern, 0, 0, NULL));
  return (GRegex *) *slot;
}

/* ------------------------------------------------------------------ */
/* The parsers                                                          */

/* Tries one date match; fills @iso when it is a valid date. */
static gboolean
date_from_match (GMatchInfo *match, int day_group, int month_group, int year_group,
                 char **iso)
{
  g_autofree char *d = g_match_info_fetch (match, day_group);
  g_autofree char *m = g_match_info_fetch (match, month_group);
  g_autofree char *y = g_match_info_fetch (match, year_group);
  g_autofree char *day = repair_digits (d);
  g_autofree char *month = repair_digits (m);
  g_autofree char *year = repair_digits (y);
  guint64 dd = g_ascii_strtoull (day, NULL, 10);
  guint64 mm = g_ascii_strtoull (month, NULL, 10);
  guint64 yy = g_ascii_strtoull (year, NULL, 10);

  if (yy < 1900 || yy > 2100 || mm < 1 || mm > 12 || dd < 1 || dd > 31)
    return FALSE;
  if (!g_date_valid_dmy ((GDateDay) dd, (GDateMonth) mm, (GDateYear) yy))
    return FALSE;
  *iso = g_strdup_printf ("%04u-%02u-%02u", (guint) yy, (guint) mm, (guint) dd);
  return TRUE;
}

/* The first valid date that @regex matches in @folded, with its start in
 * @position; NULL when none. */
static char *
first_date (GRegex *regex, const char *folded, int *position)
{
  g_autoptr (GMatchInfo) match = NULL;
  char *iso = NULL;

  g_regex_match (regex, folded, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      gboolean numeric = g_match_info_get_match_count (match) > 4;

      if (date_from_match (match, 1, numeric ? 3 : 2, numeric ? 4 : 3, &iso))
        {
          g_match_info_fetch_pos (match, 0, &start, &end);
          *position = start;
          return iso;
        }
      g_match_info_next (match, NULL);
    }
  return NULL;
}

/* Written out: "ngày 28 tháng 04 năm 2023", "ngay 3 thang 5 nãm 2022".
 * Numeric: "28/4/2023", "28-04-2023", "28.4.2023" (one separator). */
#define DATE_WORDS "ngay\\s*([0-9li]{1,2})\\s*[,.]?\\s*thang\\s*([0-9li]{1,2})\\s*[,.]?\\s*" \
                   "nam\\s*([0-9li]{4})(?![0-9])"
#define DATE_NUMERIC "(?<![0-9a-z])([0-9l]{1,2})\\s?([/.-])\\s?([0-9l]{1,2})\\s?\\2\\s?" \
                     "([0-9l]{4})(?![0-9])"

char *
kho_fields_parse_date (const char *line)
{
  static gsize words_regex, numeric_regex;
  g_autofree char *clean = NULL;
  g_autofree char *folded = NULL;
  char *words, *numeric;
  int words_at = G_MAXINT, numeric_at = G_MAXINT;

  if (line == NULL)
    return NULL;
  clean = clean_text (line);
  folded = fold_keeping_offsets (clean);
  words = first_date (regex_once (&words_regex, DATE_WORDS), folded, &words_at);
  numeric = first_date (regex_once (&numeric_regex, DATE_NUMERIC), folded, &numeric_at);
  if (words_at <= numeric_at)
    {
      g_free (numeric);
      return words;
    }
  g_free (words);
  return numeric;
}

/* "Số:" however OCR reads it ("Sô:", "S6:", "So"), then the number with
 * "l" for 1, the year of a legal document, and the notation after "/" or
 * "-".  The groups: 1 the marker, 2 its colon, 3 the number, 4 the year,
 * 5 the notation. */
#define NUMBER_PATTERN "(?:^|[^\\p{L}\\p{N}])(s[o06])(\\s*:)?\\s*([0-9l]{1,10})" \
                       "(?:\\s*/\\s*([0-9]{4})(?=\\s*/))?(?:\\s*[/-]\\s*(\\S+))?"

/* The notation as printed, without the punctuation that follows it;
 * NULL when it has no letter. */
static char *
clean_notation (char *notation)
{
  gsize length = strlen (notation);
  gboolean letter = FALSE;

  while (length > 0 && strchr (".,;:)", notation[length - 1]))
    notation[--length] = '\0';
  for (const char *p = notation; *p; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      letter = TRUE;
  if (!letter)
    {
      g_free (notation);
      return NULL;
    }
  return notation;
}

/* Inside a line, "Số:" counts in capital ("Ký hiệu: BC-23T Số: 0000345")
 * or after one word ("Luật số: 43/2019/QH14"), not in running text
 * ("dân tộc thiểu số: 24").  @marker is its offset in @folded. */
static gboolean
marker_counts_inside (const char *clean, const char *folded, int marker)
{
  glong offset = g_utf8_pointer_to_offset (folded, folded + marker);

  if (*g_utf8_offset_to_pointer (clean, offset) == 'S')
    return TRUE;
  return memchr (folded, ' ', (gsize) marker - 1) == NULL;
}

gboolean
kho_fields_parse_number (const char *line, char **number, char **year, char **notation)
{
  static gsize number_regex;
  GRegex *regex = regex_once (&number_regex, NUMBER_PATTERN);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *folded = NULL;

  *number = *year = *notation = NULL;
  if (line == NULL)
    return FALSE;
  clean = clean_text (line);
  folded = fold_keeping_offsets (clean);
  g_regex_match (regex, folded, 0, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *colon = g_match_info_fetch (match, 2);
      g_autofree char *digits = g_match_info_fetch (match, 3);
      int marker, end, start5, end5;

      g_match_info_fetch_pos (match, 1, &marker, &end);
      /* Without a colon, only a line that opens with it: "Số 12-NQ/CB". */
      if ((colon == NULL || *colon == '\0') && marker != 0)
        continue;
      if (marker != 0 && !marker_counts_inside (clean, folded, marker))
        continue;
      if (strpbrk (digits, "0123456789") == NULL)
        continue;
      *number = repair_digits (digits);
      *year = g_match_info_fetch (match, 4);
      if (*year != NULL && **year == '\0')
        g_clear_pointer (year, g_free);
      if (g_match_info_fetch_pos (match, 5, &start5, &end5) && start5 >= 0 && end5 > start5)
        *notation = clean_notation (unfold_range (clean, folded, start5, end5));
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The header: its right column, the place and date line                */

static gboolean
folded_is (const char *folded, const char *word)
{
  return strcmp (folded, word) == 0;
}

/* TRUE when the national motto or the Party's starts at word @i of @line:
 * "CỘNG HÒA XÃ HỘI …", "Độc lập - Tự do - Hạnh phúc" (also "Độc lập-Tự
 * do"), "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐOÀN TNCS HỒ CHÍ MINH", "ĐỘI TNTP
 * HỒ CHÍ MINH". */
static gboolean
motto_at (const Line *line, guint i)
{
  char **w = line->folded;
  guint left = line->n_words - i;

  if (left >= 3 && folded_is (w[i], "cong") && folded_is (w[i + 1], "hoa")
      && folded_is (w[i + 2], "xa"))
    return TRUE;
  if (left >= 2 && folded_is (w[i], "doc") && g_str_has_prefix (w[i + 1], "lap"))
    return TRUE;
  /* The Đoàn and the Đội put their name where the motto goes, unless it
   * ends the name of a body ("BAN CHẤP HÀNH ĐOÀN TNCS HỒ CHÍ MINH"). */
  if (left >= 3 && (folded_is (w[i], "doan") || folded_is (w[i], "doi"))
      && (folded_is (w[i + 1], "tncs") || folded_is (w[i + 1], "tntp")))
    return i == 0 || !(folded_is (w[i - 1], "hanh") || folded_is (w[i - 1], "bch")
                       || folded_is (w[i - 1], "vu"));
  return left >= 3 && folded_is (w[i], "dang") && folded_is (w[i + 1], "cong")
         && folded_is (w[i + 2], "san");
}

/* A word of a place name: "Bình", "Chương,", "Đắk", also "TP." */
static gboolean
is_place_word (const char *word)
{
  gunichar first = g_utf8_get_char (word);
  gboolean lower = FALSE;

  if (!g_unichar_isupper (first))
    return FALSE;
  if (strcmp (word, "TP.") == 0 || strcmp (word, "Tp.") == 0 || strcmp (word, "TX.") == 0)
    return TRUE;
  for (const char *p = g_utf8_next_char (word); *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_islower (c))
        lower = TRUE;
      else if (!g_unichar_isalpha (c) && !(c == ',' && p[1] == '\0'))
        return FALSE;
    }
  return lower;
}

/* TRUE when word @i of @line opens a number line: "Số:", "Sô:", "S6:". */
static gboolean
is_number_marker (const Line *line, guint i)
{
  const char *w = line->folded[i];

  return w[0] == 's' && w[1] != '\0' && strchr ("o06", w[1]) != NULL
         && (w[2] == '\0' || w[2] == ':');
}

/* TRUE when the words of @line from @i read a valid date. */
static gboolean
date_follows (const Line *line, guint i)
{
  g_autofree char *rest = line_words (line, i, i + DATE_WORDS_AFTER);
  g_autofree char *date = kho_fields_parse_date (rest);

  return date != NULL;
}

/* Finds the place and date line in @line: "Bình Chương, ngày 28 tháng 04
 * năm 2023", "Quảng Phú, 30/9/2022", also after the left column on the
 * same line ("Số: 412/PGDĐT Bình Sơn, ngày …").  Sets @place_start to the
 * first word of the place and @comma to the word that ends it. */
static gboolean
find_place_date (const Line *line, guint *place_start, guint *comma)
{
  for (guint i = 0; i + 1 < line->n_words && i < PLACE_DATE_WORDS; i++)
    {
      const char *next = line->folded[i + 1];
      guint start = i + 1;
      gboolean left_ok = TRUE;

      if (!g_str_has_suffix (line->words[i], ","))
        continue;
      if (!g_str_has_prefix (next, "ngay") && !g_ascii_isdigit (next[0]))
        continue;
      while (start > 0 && is_place_word (line->words[start - 1]))
        start--;
      if (start > i)
        continue;
      /* Before the place only the left column: capitals or "Số: …". */
      for (guint j = 0; j < start && !is_number_marker (line, 0); j++)
        if (!is_capitals (line->words[j]))
          left_ok = FALSE;
      if (!left_ok || !date_follows (line, i + 1))
        continue;
      *place_start = start;
      *comma = i;
      return TRUE;
    }
  return FALSE;
}

/* The word where the right column of the header starts on @line (the
 * motto, or the place and date); the number of words when it has none. */
static guint
header_split (const Line *line)
{
  guint place, comma;

  for (guint i = 0; i < line->n_words; i++)
    if (motto_at (line, i))
      {
        if (find_place_date (line, &place, &comma) && place < i)
          return place;
        return i;
      }
  if (find_place_date (line, &place, &comma))
    return place;
  return line->n_words;
}

/* The left column of a header line, newly allocated. */
static char *
header_left (const Line *line)
{
  return line_words (line, 0, header_split (line));
}

/* ------------------------------------------------------------------ */
/* Copies                                                               */

/* The kind of copy whose block @line opens ("SAO Y", "SAO Y BẢN CHÍNH",
 * "TRÍCH SAO", "SAO LỤC", in capitals and alone on the line) in its usual
 * case ("Bản sao y"); NULL for any other line. */
static const char *
copy_marker (const Line *line)
{
  static const struct { const char *folded, *name; } copies[] = {
    { "sao y", "Bản sao y" }, { "sao y ban chinh", "Bản sao y" },
    { "trich sao", "Bản trích sao" }, { "sao luc", "Bản sao lục" },
  };
  g_autofree char *folded = line_folded (line, 0, line->n_words);

  if (!is_capitals (line->text))
    return NULL;
  for (gsize k = 0; k < G_N_ELEMENTS (copies); k++)
    if (folded_is (folded, copies[k].folded))
      return copies[k].name;
  return NULL;
}

/* An issuing body's line: capitals, no comma, digits only in "SỐ 2". */
static gboolean
is_body_line (const char *text)
{
  if (*text == '\0' || !is_capitals (text) || strchr (text, ',') != NULL)
    return FALSE;
  if (has_digit (text))
    {
      g_autofree char *folded = kho_fold_search (text, -1);
      return strstr (folded, "so ") != NULL;
    }
  return TRUE;
}

/* Sets doc->section: the issuing-body lines above the last copy marker,
 * when the document is a copy; else the first line.  Returns the kind of
 * copy, or NULL. */
static const char *
find_section (Document *doc)
{
  doc->section = 0;
  for (guint i = doc->n_lines; i-- > 0;)
    if (copy_marker (&doc->lines[i]) != NULL)
      {
        guint start = i;

        while (start > 0 && i - start < 3 && is_body_line (doc->lines[start - 1].text))
          start--;
        doc->section = start;
        return copy_marker (&doc->lines[i]);
      }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The number, the place and the date                                   */

/* Reads the number line of the section's header into @fields: "Số:
 * 189/KH-UBND", and on a receipt or an invoice "Số: 0000345" with the
 * notation in "Ký hiệu: BC-23T". */
static void
read_number (const Document *doc, KhoFields *fields)
{
  for (guint i = doc->section; i < doc->n_lines && i < doc->section + HEADER_LINES; i++)
    {
      const Line *line = &doc->lines[i];

      if (line_starts_with (line, "noi nhan"))
        break;
      if (kho_fields_parse_number (line->text, &fields->number, &fields->year,
                                   &fields->notation))
        return;
    }
}

/* The value of "Ký hiệu:" in the header (a receipt's or an invoice's
 * series), or NULL. */
static char *
read_series (const Document *doc)
{
  static gsize series_regex;
  GRegex *regex = regex_once (&series_regex, "ky hieu\\s*:\\s*(\\S+)");

  for (guint i = doc->section; i < doc->n_lines && i < doc->section + HEADER_LINES; i++)
    {
      g_autofree char *folded = fold_keeping_offsets (doc->lines[i].text);
      g_autoptr (GMatchInfo) match = NULL;
      int start, end;

      if (g_regex_match (regex, folded, 0, &match)
          && g_match_info_fetch_pos (match, 1, &start, &end))
        return clean_notation (unfold_range (doc->lines[i].text, folded, start, end));
    }
  return NULL;
}

/* The type abbreviation that opens @notation: "KH" in "KH-UBND", "NQ" in
 * "NQ/CB", "TTLT" in "TTLT-BGDĐT-BNV".  NULL when the notation is one
 * part ("PGDĐT", "QH14") or opens with what cannot be one: a word with
 * "&" or a digit, or longer than the longest code (4 letters). */
static char *
read_code (const char *notation)
{
  gsize length;

  if (notation == NULL)
    return NULL;
  length = strcspn (notation, "-/");
  if (notation[length] == '\0' || length == 0)
    return NULL;
  if (g_utf8_strlen (notation, (gssize) length) > 4)
    return NULL;
  for (const char *p = notation; p < notation + length; p = g_utf8_next_char (p))
    if (!g_unichar_isalpha (g_utf8_get_char (p)))
      return NULL;
  return g_strndup (notation, length);
}

/* Reads the place and date line of the section into @fields (the first
 * one: dates in the body do not count, and none of them has a place
 * before it).  A receipt has a line that is only its date ("Ngày
 * 15/9/2023"); it counts when there is no place and date line. */
static void
read_place_date (const Document *doc, KhoFields *fields)
{
  for (guint i = doc->section; i < doc->n_lines; i++)
    {
      const Line *line = &doc->lines[i];
      guint place, comma;

      if (find_place_date (line, &place, &comma))
        {
          g_autofree char *rest = line_words (line, comma + 1, comma + 1 + DATE_WORDS_AFTER);
          g_autofree char *name = line_words (line, place, comma + 1);

          name[strlen (name) - 1] = '\0';  /* the comma */
          fields->place = g_steal_pointer (&name);
          fields->issued = kho_fields_parse_date (rest);
          return;
        }
    }
  for (guint i = doc->section; i < doc->n_lines; i++)
    {
      const Line *line = &doc->lines[i];

      if (line->n_words > 1 && line->n_words <= 8 && g_str_has_prefix (line->folded[0], "ngay")
          && g_ascii_isdigit (line->folded[1][0]))
        {
          fields->issued = kho_fields_parse_date (line->text);
          if (fields->issued != NULL)
            return;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Urgency and secrecy                                                  */

/* TRUE when @line is running text: it opens with "Kính gửi", "Căn cứ",
 * "Thực hiện", "Hôm nay" or "Nơi nhận", or is as long as a full line. */
static gboolean
is_running_text (const Line *line)
{
  static const char *const openers[] = {
    "kinh gui", "can cu", "thuc hien", "hom nay", "noi nhan",
  };

  for (gsize k = 0; k < G_N_ELEMENTS (openers); k++)
    if (line_starts_with (line, openers[k]))
      return TRUE;
  return g_utf8_strlen (line->text, -1) >= BODY_LINE_CHARS;
}

/* The urgency or the secrecy that @line marks, when its left column is
 * only "HỎA TỐC", "THƯỢNG KHẨN", "KHẨN", "MẬT", "TỐI MẬT" or "TUYỆT
 * MẬT" (as printed or damaged); FALSE for any other line. */
static gboolean
read_mark (const Line *line, const char **urgency, const char **secrecy)
{
  static const struct { const char *folded, *urgency, *secrecy; } marks[] = {
    { "hoa toc", "Hỏa tốc", NULL }, { "thuong khan", "Thượng khẩn", NULL },
    { "khan", "Khẩn", NULL }, { "mat", NULL, "Mật" }, { "toi mat", NULL, "Tối mật" },
    { "tuyet mat", NULL, "Tuyệt mật" },
  };
  g_autofree char *folded = line_folded (line, 0, header_split (line));

  for (gsize k = 0; k < G_N_ELEMENTS (marks); k++)
    if (folded_is (folded, marks[k].folded))
      {
        *urgency = marks[k].urgency;
        *secrecy = marks[k].secrecy;
        return TRUE;
      }
  return FALSE;
}

static gboolean
is_urgency_or_secrecy (const Line *line)
{
  const char *urgency, *secrecy;

  return read_mark (line, &urgency, &secrecy);
}

/* Reads the urgency and secrecy marks of the header: its lines before the
 * running text that are only a mark. */
static void
read_marks (const Document *doc, KhoFields *fields)
{
  for (guint i = 0; i < doc->n_lines && i < doc->section + TYPE_LINE_LINES; i++)
    {
      const char *urgency, *secrecy;

      if (is_running_text (&doc->lines[i]))
        break;
      if (!read_mark (&doc->lines[i], &urgency, &secrecy))
        continue;
      if (urgency != NULL && fields->urgency == NULL)
        fields->urgency = g_strdup (urgency);
      if (secrecy != NULL && fields->secrecy == NULL)
        fields->secrecy = g_strdup (secrecy);
    }
}

/* ------------------------------------------------------------------ */
/* The type line and the subject                                        */

enum
{
  SUBJECT_NONE = 1 << 0,  /* a form without a trích yếu */
  SUBJECT_ONE_LINE = 1 << 1,  /* a record book: the class and year line */
};

/* The type names of Nghị định 30/2020 (Phụ lục III), of the legal
 * documents a school receives and of school records, as printed in
 * capitals (search form) and in their usual case. */
static const struct
{
  const char *folded;
  const char *name;
  guint flags;
} type_names[] = {
  { "nghi quyet", "Nghị quyết", 0 }, { "quyet dinh", "Quyết định", 0 },
  { "chi thi", "Chỉ thị", 0 }, { "quy che", "Quy chế", 0 }, { "quy dinh", "Quy định", 0 },
  { "thong cao", "Thông cáo", 0 }, { "thong bao", "Thông báo", 0 },
  { "huong dan", "Hướng dẫn", 0 }, { "chuong trinh", "Chương trình", 0 },
  { "ke hoach", "Kế hoạch", 0 }, { "phuong an", "Phương án", 0 }, { "de an", "Đề án", 0 },
  { "du an", "Dự án", 0 }, { "bao cao", "Báo cáo", 0 }, { "bien ban", "Biên bản", 0 },
  { "to trinh", "Tờ trình", 0 }, { "hop dong", "Hợp đồng", 0 },
  { "cong dien", "Công điện", 0 }, { "ban ghi nho", "Bản ghi nhớ", 0 },
  { "ban thoa thuan", "Bản thỏa thuận", 0 },
  { "giay uy quyen", "Giấy ủy quyền", SUBJECT_NONE }, { "giay moi", "Giấy mời", 0 },
  { "giay gioi thieu", "Giấy giới thiệu", SUBJECT_NONE },
  { "giay nghi phep", "Giấy nghỉ phép", SUBJECT_NONE },
  { "phieu gui", "Phiếu gửi", SUBJECT_NONE }, { "phieu chuyen", "Phiếu chuyển", SUBJECT_NONE },
  { "phieu bao", "Phiếu báo", 0 },
  { "thu cam on", "Thư công", SUBJECT_NONE }, { "thu chuc mung", "Thư công", SUBJECT_NONE },
  { "thu khen", "Thư công", SUBJECT_NONE }, { "thu ngo", "Thư công", SUBJECT_NONE },
  { "thu tham hoi", "Thư công", SUBJECT_NONE }, { "thu cong", "Thư công", SUBJECT_NONE },
  { "luat", "Luật", 0 }, { "nghi dinh", "Nghị định", 0 }, { "thong tu", "Thông tư", 0 },
  { "thong tu lien tich", "Thông tư liên tịch", 0 },
  { "hoc ba", "Học bạ", SUBJECT_ONE_LINE }, { "so dang bo", "Sổ đăng bộ", SUBJECT_ONE_LINE },
  { "so theo doi va danh gia hoc sinh", "Sổ theo dõi và đánh giá học sinh", SUBJECT_ONE_LINE },
  { "so ghi dau bai", "Sổ ghi đầu bài", SUBJECT_ONE_LINE },
  { "so chu nhiem", "Sổ chủ nhiệm", SUBJECT_ONE_LINE },
  { "ke hoach bai day", "Kế hoạch bài dạy", 0 },
  { "ke hoach giao duc", "Kế hoạch giáo dục", 0 }, { "bang", "Bằng", 0 },
  { "chung chi", "Chứng chỉ", 0 }, { "giay chung nhan", "Giấy chứng nhận", 0 },
  { "don", "Đơn", 0 }, { "bien lai", "Biên lai", SUBJECT_NONE },
  { "hoa don", "Hóa đơn", SUBJECT_NONE },
};

/* Matches the type line: the leading words in capitals of @line are a
 * type name, alone or followed by more ("ĐƠN XIN CHUYỂN TRƯỜNG", "HÓA
 * ĐƠN GIÁ TRỊ GIA TĂNG Ký hiệu: …").  Returns the index in type_names
 * (the longest name that matches) and sets @tail to the first word after
 * the name; -1 when @line is no type line. */
static int
match_type_line (const Line *line, guint *tail)
{
  guint capitals = 0;
  int best = -1;
  guint best_words = 0;

  while (capitals < line->n_words && is_capitals (line->words[capitals]))
    capitals++;
  for (gsize k = 0; k < G_N_ELEMENTS (type_names); k++)
    {
      guint n = phrase_at (line, 0, capitals, type_names[k].folded, FALSE);

      /* "ĐƠN VỊ" is a unit, not an application. */
      if (n == 1 && folded_is (type_names[k].folded, "don") && n < capitals
          && g_str_has_prefix (line->folded[n], "vi"))
        n = 0;
      if (n > best_words)
        {
          best = (int) k;
          best_words = n;
        }
    }
  *tail = best_words;
  return best;
}

static gboolean
is_type_line (const Line *line)
{
  guint tail;

  return match_type_line (line, &tail) >= 0;
}

/* A line in capitals that names who decides ("HIỆU TRƯỞNG TRƯỜNG …",
 * "CHỦ TỊCH ỦY BAN NHÂN DÂN …", "HỘI ĐỒNG NHÂN DÂN TỈNH …"): it follows
 * the subject of a quyết định or nghị quyết and is not part of it. */
static gboolean
is_authority_line (const Line *line)
{
  static const char *const heads[] = {
    "hieu truong", "chu tich", "truong phong", "giam doc", "bo truong", "thu truong",
    "hoi dong nhan dan", "uy ban nhan dan", "chinh phu", "quoc hoi", "ban chap hanh",
    "truong ban", "hoi dong",
  };

  if (!is_capitals (line->text))
    return FALSE;
  for (gsize k = 0; k < G_N_ELEMENTS (heads); k++)
    if (line_starts_with (line, heads[k]))
      return TRUE;
  return FALSE;
}

/* TRUE when @line opens the body rather than continuing a subject: a
 * sentence opener ("Căn cứ", "Kính gửi", "Thực hiện", "Hôm nay"), a list
 * item ("1.", "I.", "a)", "- "), a form field ("Thời gian: …"), a line
 * ending with ":", or a line as long as running text (a subject is
 * centred, in short lines). */
static gboolean
is_body_start (const Line *line, gboolean continuation)
{
  static const char *const openers[] = {
    "can cu", "kinh gui", "kinh trinh", "hom nay", "theo de nghi", "xet de nghi",
    "dieu 1", "chuong i", "phan i", "quyet dinh:", "quyet nghi:",
  };
  static gsize item_regex;
  GRegex *item = regex_once (&item_regex, "^(?:[0-9]+|[IVXLC]+|[a-zđ])[.)]\\s|^[-+•*–]");
  gunichar first = g_utf8_get_char (line->text);
  const char *colon = strchr (line->text, ':');

  if (g_unichar_isupper (first))
    {
      for (gsize k = 0; k < G_N_ELEMENTS (openers); k++)
        if (line_starts_with (line, openers[k]))
          return TRUE;
      /* "Thực hiện công tác phổ cập…" may open a subject, not go on with one. */
      if (continuation && line_starts_with (line, "thuc hien"))
        return TRUE;
    }
  if (g_regex_match (item, line->text, 0, NULL) || g_str_has_suffix (line->text, ":"))
    return TRUE;
  if (colon != NULL && !is_capitals (line->text)
      && g_utf8_strlen (line->text, colon - line->text) <= 30)
    return TRUE;
  return g_utf8_strlen (line->text, -1) >= BODY_LINE_CHARS;
}

/* TRUE when @line continues the subject whose first line is @first: the
 * same case (a subject in capitals goes on in capitals, a subject in
 * running case in running case) or a line in brackets, and nothing that
 * opens the body.  "(Ban hành kèm theo …)" belongs to a quy chế, not to
 * its subject. */
static gboolean
continues_subject (const Line *first, const Line *line)
{
  if (is_urgency_or_secrecy (line))
    return FALSE;
  if (line->text[0] == '(')
    {
      g_autofree char *folded = line_folded (line, 0, line->n_words);
      return strstr (folded, "kem theo") == NULL;
    }
  if (is_body_start (line, TRUE))
    return FALSE;
  if (is_capitals (first->text))
    return is_capitals (line->text) && !is_authority_line (line);
  return !is_capitals (line->text);
}

/* Reads the subject lines from @from: up to @max lines, joined with one
 * space.  NULL when the line under the type line is no subject (the body,
 * a form field, the name of who decides). */
static char *
read_subject_lines (const Document *doc, guint from, guint max)
{
  const Line *first = NULL;
  GString *subject = g_string_new (NULL);
  guint taken = 0;

  for (guint i = from; i < doc->n_lines && taken < max; i++)
    {
      const Line *line = &doc->lines[i];

      if (first == NULL)
        {
          if (is_body_start (line, FALSE) || is_authority_line (line)
              || is_urgency_or_secrecy (line))
            break;
          first = line;
        }
      else if (line->gap || !continues_subject (first, line))
        break;
      if (subject->len > 0)
        g_string_append_c (subject, ' ');
      g_string_append (subject, line->text);
      taken++;
    }
  if (subject->len == 0)
    {
      g_string_free (subject, TRUE);
      return NULL;
    }
  return g_string_free (subject, FALSE);
}

/* Reads the type line and the subject under it into @fields.  When
 * nothing follows the type line, the rest of it is the subject ("ĐƠN XIN
 * CHUYỂN TRƯỜNG", "BẰNG TỐT NGHIỆP TRUNG HỌC CƠ SỞ").  Returns FALSE
 * when the document has no type line. */
static gboolean
read_type_line (const Document *doc, KhoFields *fields)
{
  for (guint i = 0; i < doc->n_lines && i < doc->section + TYPE_LINE_LINES; i++)
    {
      const Line *line = &doc->lines[i];
      guint tail, capitals;
      int k = match_type_line (line, &tail);

      if (k < 0)
        continue;
      fields->type_line = g_strdup (type_names[k].name);
      if (type_names[k].flags & SUBJECT_NONE)
        return TRUE;
      fields->subject = read_subject_lines (doc, i + 1,
                                            (type_names[k].flags & SUBJECT_ONE_LINE)
                                            ? 1 : SUBJECT_LINES);
      for (capitals = tail; capitals < line->n_words; capitals++)
        if (!is_capitals (line->words[capitals]))
          break;
      if (fields->subject == NULL && capitals > tail)
        fields->subject = line_words (line, tail, capitals);
      return TRUE;
    }
  return FALSE;
}

/* The text after "V/v" (về việc) opening @text, as printed or damaged:
 * "V/V", "V/v:", "V/ " (the second v lost); NULL when @text has none. */
static const char *
after_ve_viec (const char *text)
{
  if (*text != 'V' && *text != 'v')
    return NULL;
  text++;
  while (*text == ' ')
    text++;
  if (*text != '/')
    return NULL;
  text++;
  if (*text == 'v' || *text == 'V')
    text++;
  while (*text == ':' || *text == '.' || *text == ' ')
    text++;
  return text;
}

/* Reads the subject of a công văn: the text after "V/v" under the number,
 * and the lines that continue it. */
static void
read_cong_van_subject (const Document *doc, KhoFields *fields)
{
  for (guint i = 0; i < doc->n_lines && i < doc->section + TYPE_LINE_LINES; i++)
    {
      const Line *line = &doc->lines[i];
      g_autofree char *left = header_left (line);
      g_autofree char *more = NULL;
      const char *text = after_ve_viec (left);

      if (text == NULL)
        continue;
      more = read_subject_lines (doc, i + 1, SUBJECT_LINES - 1);
      if (more != NULL && *text == '\0')
        fields->subject = g_steal_pointer (&more);
      else if (more != NULL && !doc->lines[i + 1].gap
               && continues_subject (line, &doc->lines[i + 1]))
        fields->subject = g_strconcat (text, " ", more, NULL);
      else if (*text != '\0')
        fields->subject = g_strdup (text);
      return;
    }
}

/* ------------------------------------------------------------------ */
/* The issuing body                                                     */

/* Words of issuing bodies, for the header lines OCR read without their
 * diacritics ("PH0NG GIAO DUC VA DAO TAO", "UBND HUYEN …"): the words in
 * search form and as printed; some only open a line. */
static const struct
{
  const char *folded, *printed;
  gboolean opens;
} body_words[] = {
  { "uy ban nhan dan", "ỦY BAN NHÂN DÂN", FALSE },
  { "hoi dong nhan dan", "HỘI ĐỒNG NHÂN DÂN", FALSE },
  { "giao duc va dao tao", "GIÁO DỤC VÀ ĐÀO TẠO", FALSE },
  { "ubnd huyen", "UBND HUYỆN", FALSE }, { "ubnd tinh", "UBND TỈNH", FALSE },
  { "ubnd xa", "UBND XÃ", FALSE }, { "tieu hoc", "TIỂU HỌC", FALSE },
  { "trung hoc co so", "TRUNG HỌC CƠ SỞ", FALSE }, { "mam non", "MẦM NON", FALSE },
  { "phong", "PHÒNG", TRUE }, { "so", "SỞ", TRUE }, { "bo", "BỘ", TRUE },
  { "truong", "TRƯỜNG", TRUE }, { "huyen", "HUYỆN", TRUE }, { "tinh", "TỈNH", TRUE },
  { "xa", "XÃ", TRUE },
};

/* The number of words of @line from @i that body_words[@k] covers, 0
 * when it does not match there. */
static guint
body_words_at (const Line *line, guint i, guint to, gsize k)
{
  if (body_words[k].opens && i != 0)
    return 0;
  return phrase_at (line, i, to, body_words[k].folded, FALSE);
}

/* The words of @line before @to (its left column) with the diacritics of
 * the usual words of issuing bodies put back where all were lost. */
static char *
restore_body_words (const Line *line, guint to)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < to;)
    {
      guint n = 0;
      gsize k;

      for (k = 0; k < G_N_ELEMENTS (body_words) && n == 0; k++)
        n = body_words_at (line, i, to, k);
      if (n == 0)
        {
          g_string_append_printf (out, "%s%s", i ? " " : "", line->words[i]);
          i++;
          continue;
        }
      for (const char *printed = body_words[k - 1].printed; n > 0; n--, i++)
        {
          gsize length = strcspn (printed, " ");

          if (i > 0)
            g_string_append_c (out, ' ');
          if (kho_fold_has_diacritics (line->words[i], -1) || !is_capitals (line->words[i]))
            g_string_append (out, line->words[i]);
          else
            g_string_append_len (out, printed, (gssize) length);
          printed += length + (printed[length] == ' ');
        }
    }
  return g_string_free (out, FALSE);
}

/* Reads the issuing body: the left column of the header, one to three
 * lines in capitals from the start of the section, until the number, the
 * type line or the place and date line.  Lines that are all right column
 * (the motto in an alternating layout) are passed over.  Words that lost
 * their diacritics get them back when they are the usual ones. */
static char *
read_issuer (const Document *doc)
{
  GString *issuer = g_string_new (NULL);
  guint found = 0;

  for (guint i = doc->section; i < doc->n_lines && i < doc->section + HEADER_LINES; i++)
    {
      const Line *line = &doc->lines[i];
      g_autofree char *left = NULL;
      char *number, *year, *notation;
      gboolean numbered, dated;
      guint place, comma;

      numbered = kho_fields_parse_number (line->text, &number, &year, &notation);
      g_free (number);
      g_free (year);
      g_free (notation);
      if (numbered || is_type_line (line) || copy_marker (line) != NULL)
        break;
      dated = find_place_date (line, &place, &comma);
      left = restore_body_words (line, header_split (line));
      if (*left != '\0')
        {
          if (!is_body_line (left) || found == 3)
            break;
          if (issuer->len > 0)
            g_string_append_c (issuer, '\n');
          g_string_append (issuer, left);
          found++;
        }
      if (dated)
        break;
    }
  if (issuer->len == 0)
    {
      g_string_free (issuer, TRUE);
      return NULL;
    }
  return g_string_free (issuer, FALSE);
}

/* ------------------------------------------------------------------ */
/* Signers' titles and names                                           */

typedef enum
{
  CELL_OTHER,
  CELL_PAREN,       /* "(Ký, ghi rõ họ tên)", "(Đã ký)" */
  CELL_POSITION,    /* "KT. HIỆU TRƯỞNG", "Người thu tiền" */
  CELL_NAME,        /* "Nguyễn Văn Hùng" */
  CELL_PLACE_DATE,  /* "Nghĩa Thắng, ngày 10 tháng 9 năm 2021" */
} CellKind;

/* The words @from to @to of a line, as one column of a signature block. */
typedef struct
{
  guint from, to;
  CellKind kind;
} Cell;

/* The words a signer's title starts with (exact form), longest first
 * where one begins another. */
static const char *const title_heads[] = {
  "hiệu trưởng", "hiệu phó", "phó", "tổ trưởng", "tổ phó", "trưởng", "giám đốc", "chủ tịch",
  "chủ trì", "chủ nhiệm", "thư ký", "kế toán", "bí thư", "chuyên viên", "giáo viên", "người",
  "đại diện", "tổng phụ trách", "chánh văn phòng", "chánh thanh tra", "thanh tra", "công chức",
  "thủ trưởng", "bộ trưởng", "cán bộ", "nhân viên", "thủ quỹ", "văn thư", "ủy viên",
  "thành viên", "đội trưởng", "chỉ huy trưởng",
};

/* Heads that are no title by themselves: "TRƯỞNG" needs what it heads. */
static const char *const incomplete_heads[] = { "trưởng", "người", "đại diện", "phó" };

/* Common Vietnamese family names (and "Y", "A" of the Central Highlands),
 * where the second of two names printed side by side starts. */
static const char *const family_names[] = {
  "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ",
  "hồ", "ngô", "dương", "lý", "đinh", "lâm", "trương", "lương", "đoàn", "mai", "tô", "tôn",
  "cao", "châu", "thái", "tạ", "trịnh", "đào", "quách", "lưu", "la", "kiều", "đàm", "triệu",
  "từ", "chu", "lại", "thân", "mạc", "hà", "nông", "hứa", "y", "a",
};

/* "KT.", "TM.", "T/M", "Q.", "TL.", "TUQ." (search form). */
static gboolean
is_title_prefix (const char *folded)
{
  static const char *const prefixes[] = { "kt.", "tm.", "t/m", "q.", "tl.", "tuq.", "k/t", "t/l" };

  for (gsize k = 0; k < G_N_ELEMENTS (prefixes); k++)
    if (folded_is (folded, prefixes[k]))
      return TRUE;
  return FALSE;
}

/* The number of words of the title head at word @i of @line (not past
 * @to), 0 when none starts there. */
static guint
head_at (const Line *line, guint i, guint to, const char *const *heads, gsize n_heads)
{
  for (gsize k = 0; k < n_heads; k++)
    {
      guint n = phrase_at (line, i, to, heads[k], TRUE);

      if (n > 0)
        return n;
    }
  return 0;
}

/* TRUE when words @from to @to of @line are a whole title: prefixes and
 * "PHÓ" aside, a head, and not one that needs more alone ("TRƯỞNG"). */
static gboolean
is_complete_title (const Line *line, guint from, guint to)
{
  guint head;

  while (from < to && is_title_prefix (line->folded[from]))
    from++;
  if (from < to && strcmp (line->exact[from], "phó") == 0)
    from++;
  if (from >= to)
    return FALSE;
  head = head_at (line, from, to, title_heads, G_N_ELEMENTS (title_heads));
  if (head == 0)
    return FALSE;
  return from + head < to
         || head_at (line, from, to, incomplete_heads, G_N_ELEMENTS (incomplete_heads)) == 0;
}

static void
push_cell (GArray *cells, guint from, guint to)
{
  Cell cell = { from, to, CELL_OTHER };

  if (to > from)
    g_array_append_val (cells, cell);
}

/* Splits a run of words in capitals holding two titles side by side:
 * "ĐẠI DIỆN BÊN A ĐẠI DIỆN BÊN B" (the first word again), "THƯ KÝ CHỦ
 * TRÌ", "PHÓ HIỆU TRƯỞNG HIỆU TRƯỞNG" (two whole titles). */
static void
split_capitals (const Line *line, guint from, guint to, GArray *cells)
{
  for (guint k = from + 2; k < to; k++)
    if (strcmp (line->exact[k], line->exact[from]) == 0 && !is_title_prefix (line->folded[k]))
      {
        push_cell (cells, from, k);
        split_capitals (line, k, to, cells);
        return;
      }
  for (guint k = from + 1; k < to; k++)
    if (is_complete_title (line, from, k) && is_complete_title (line, k, to))
      {
        push_cell (cells, from, k);
        split_capitals (line, k, to, cells);
        return;
      }
  push_cell (cells, from, to);
}

/* TRUE when word @i of @line is a family name (also printed without its
 * diacritics, "Tran"). */
static gboolean
is_family_name (const Line *line, guint i)
{
  if (!g_unichar_isupper (g_utf8_get_char (line->words[i])))
    return FALSE;
  for (gsize k = 0; k < G_N_ELEMENTS (family_names); k++)
    if (phrase_at (line, i, i + 1, family_names[k], TRUE) > 0)
      return TRUE;
  return FALSE;
}

/* A person's name: two to @max words, each a capital and then small
 * letters ("Nguyễn Văn Hùng", "Y Hiên"); a one-letter word is never the
 * last. */
static gboolean
is_name_words (const Line *line, guint from, guint to, guint max)
{
  if (to - from < 2 || to - from > max)
    return FALSE;
  if (to - from == 2 && folded_is (line->folded[from], "signature"))
    return FALSE;  /* "Signature Valid": a digital signature */
  for (guint i = from; i < to; i++)
    {
      const char *w = line->words[i];

      if (!g_unichar_isupper (g_utf8_get_char (w)))
        return FALSE;
      if (*g_utf8_next_char (w) == '\0' && i + 1 == to)
        return FALSE;
      for (const char *p = g_utf8_next_char (w); *p; p = g_utf8_next_char (p))
        if (!g_unichar_islower (g_utf8_get_char (p)))
          return FALSE;
    }
  return TRUE;
}

/* How far splitting a run of names at @k is from two names of three
 * words, the most common length. */
static guint
name_split_cost (guint from, guint k, guint to)
{
  return (guint) (ABS ((int) (k - from) - 3) + ABS ((int) (to - k) - 3));
}

/* Splits a run in running case: "Người nộp tiền Người thu tiền" at the
 * second "Người"; with @names, two names side by side where the second
 * family name starts ("Lê Thị Hoa Nguyễn Văn Hùng"), the split nearest
 * two names of three words when there are several. */
static void
split_running (const Line *line, guint from, guint to, gboolean names, GArray *cells)
{
  guint best = 0;

  for (guint k = from + 1; k < to; k++)
    if (strcmp (line->words[k], "Người") == 0)
      {
        push_cell (cells, from, k);
        split_running (line, k, to, names, cells);
        return;
      }
  if (names && is_name_words (line, from, to, 10))
    for (guint k = from + 2; k + 2 <= to; k++)
      if (is_family_name (line, k)
          && (best == 0 || name_split_cost (from, k, to) < name_split_cost (from, best, to)))
        best = k;
  if (best > 0)
    {
      push_cell (cells, from, best);
      push_cell (cells, best, to);
      return;
    }
  push_cell (cells, from, to);
}

/* A title: no digit, no closing punctuation, and opening with a prefix
 * ("TM. ỦY BAN NHÂN DÂN") or a title head ("HIỆU TRƯỞNG", "Người thu
 * tiền", "TRƯỞNG BAN KIỂM KÊ"). */
static gboolean
is_position_words (const Line *line, guint from, guint to)
{
  g_autofree char *text = line_words (line, from, to);
  gsize length = strlen (text);
  guint start = from;

  if (to - from > 12 || has_digit (text) || length == 0 || strchr (".:;,", text[length - 1]))
    return FALSE;
  while (start < to && is_title_prefix (line->folded[start]))
    start++;
  if (start > from)
    return start < to;
  return head_at (line, start, to, title_heads, G_N_ELEMENTS (title_heads)) > 0;
}

static CellKind
cell_kind (const Line *line, guint from, guint to)
{
  g_autofree char *text = line_words (line, from, to);
  Line cell;
  guint place, comma;
  gboolean dated;

  if (text[0] == '(')
    return CELL_PAREN;
  if (is_name_words (line, from, to, 10))
    return CELL_NAME;
  if (is_position_words (line, from, to))
    return CELL_POSITION;
  line_init (&cell, text);
  dated = find_place_date (&cell, &place, &comma) && place == 0;
  line_clear (&cell);
  return dated ? CELL_PLACE_DATE : CELL_OTHER;
}

/* Cuts @line into the columns of a signature block: groups in brackets,
 * runs in capitals and in running case, and within those two titles or
 * (with @names) two names side by side. */
static GArray *
line_cells (const Line *line, gboolean names)
{
  GArray *cells = g_array_new (FALSE, FALSE, sizeof (Cell));
  guint i = 0;

  if (line->n_words > CELL_LINE_WORDS)
    {
      push_cell (cells, 0, line->n_words);  /* running text: one cell, CELL_OTHER */
      return cells;
    }
  while (i < line->n_words)
    {
      guint start = i;

      if (line->words[i][0] == '(')
        {
          while (i < line->n_words && !g_str_has_suffix (line->words[i], ")"))
            i++;
          push_cell (cells, start, MIN (i + 1, line->n_words));
          i++;
          continue;
        }
      if (is_capitals (line->words[i]) && g_utf8_strlen (line->words[i], -1) > 1)
        {
          while (i < line->n_words && line->words[i][0] != '('
                 && !has_lowercase (line->words[i]))
            i++;
          split_capitals (line, start, i, cells);
          continue;
        }
      while (i < line->n_words && line->words[i][0] != '('
             && !(is_capitals (line->words[i]) && g_utf8_strlen (line->words[i], -1) > 1))
        i++;
      split_running (line, start, i, names, cells);
    }
  for (guint k = 0; k < cells->len; k++)
    {
      Cell *cell = &g_array_index (cells, Cell, k);
      cell->kind = cell_kind (line, cell->from, cell->to);
    }
  return cells;
}

/* ------------------------------------------------------------------ */
/* The signer, after "Nơi nhận" or at the end                           */

/* A line of a signature block: titles, names, brackets, the place and
 * date, or a few words (the "Đồng ý" of an approval box); no sentence. */
static gboolean
is_signer_block_line (const Line *line)
{
  g_autoptr (GArray) cells = NULL;
  gboolean signer = FALSE;

  if (line->n_words == 0 || is_bullet (line->text))
    return FALSE;
  cells = line_cells (line, FALSE);
  for (guint k = 0; k < cells->len; k++)
    {
      const Cell *cell = &g_array_index (cells, Cell, k);
      g_autofree char *text = line_words (line, cell->from, cell->to);

      if (cell->kind != CELL_OTHER)
        signer = TRUE;
      else if (strchr (text, ':') != NULL || has_digit (text) || g_str_has_suffix (text, "."))
        return FALSE;
    }
  return signer || line->n_words <= 3;
}

/* The signer's lines when two are printed side by side (from @first to
 * @last): the columns of each line go to the left and the right signer; a
 * lone name goes to the chosen one.  The chosen signer is on the right
 * (the one who signs for the issuing side), except when the left one is a
 * party ("ĐẠI DIỆN BÊN A", "ĐẠI DIỆN TRƯỜNG …"): then the first party. */
static void
read_two_signers (const Document *doc, guint first, guint last, KhoFields *fields)
{
  GPtrArray *titles[3];
  char *names[3] = { NULL, NULL, NULL };  /* left, right, a lone one */
  guint chosen = 1;

  for (guint c = 0; c < 3; c++)
    titles[c] = g_ptr_array_new_with_free_func (g_free);
  for (guint i = first; i <= last; i++)
    {
      const Line *line = &doc->lines[i];
      g_autoptr (GArray) cells = line_cells (line, TRUE);

      for (guint k = 0; k < cells->len; k++)
        {
          const Cell *cell = &g_array_index (cells, Cell, k);
          guint column = cells->len == 1 ? 2 : MIN (k, 1);

          if (cell->kind == CELL_POSITION)
            g_ptr_array_add (titles[column], line_words (line, cell->from, cell->to));
          else if (cell->kind == CELL_NAME && names[column] == NULL)
            names[column] = line_words (line, cell->from, cell->to);
        }
    }
  if (titles[0]->len > 0)
    {
      g_autofree char *folded = kho_fold_search (g_ptr_array_index (titles[0], 0), -1);

      if (g_str_has_prefix (folded, "dai dien") || g_str_has_prefix (folded, "ben a"))
        chosen = 0;
    }
  if (titles[chosen]->len > 0)
    {
      g_ptr_array_add (titles[chosen], NULL);
      fields->signer_position = g_strjoinv ("\n", (char **) titles[chosen]->pdata);
    }
  fields->signer_name = g_strdup (names[chosen] != NULL ? names[chosen] : names[2]);
  for (guint c = 0; c < 3; c++)
    {
      g_ptr_array_unref (titles[c]);
      g_free (names[c]);
    }
}

/* TRUE when the text from @from on is signed digitally ("Signature
 * Valid", "Ký bởi: …"): then no name is printed. */
static gboolean
is_signed_digitally (const Document *doc, guint from)
{
  for (guint i = from; i < doc->n_lines; i++)
    if (line_starts_with (&doc->lines[i], "signature valid")
        || line_starts_with (&doc->lines[i], "ky boi"))
      return TRUE;
  return FALSE;
}

/* One signer from @first to @last: every title, top to bottom, and the
 * last name. */
static void
read_one_signer (const Document *doc, guint first, guint last, KhoFields *fields)
{
  g_autoptr (GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);

  for (guint i = first; i <= last; i++)
    {
      const Line *line = &doc->lines[i];
      g_autoptr (GArray) cells = line_cells (line, FALSE);

      for (guint k = 0; k < cells->len; k++)
        {
          const Cell *cell = &g_array_index (cells, Cell, k);

          if (cell->kind == CELL_POSITION)
            g_ptr_array_add (titles, line_words (line, cell->from, cell->to));
          else if (cell->kind == CELL_NAME)
            {
              g_free (fields->signer_name);
              fields->signer_name = line_words (line, cell->from, cell->to);
            }
        }
    }
  g_ptr_array_add (titles, NULL);
  fields->signer_position = g_strjoinv ("\n", (char **) titles->pdata);
}

/* The number of cells of @line of the kind @kind; @n_cells, when not
 * NULL, is set to the number of all its cells. */
static guint
count_cells (const Line *line, CellKind kind, guint *n_cells)
{
  g_autoptr (GArray) cells = line_cells (line, FALSE);
  guint count = 0;

  for (guint k = 0; k < cells->len; k++)
    if (g_array_index (cells, Cell, k).kind == kind)
      count++;
  if (n_cells != NULL)
    *n_cells = cells->len;
  return count;
}

/* Reads the signature block that ends before line @end (the end of the
 * document, or the "Nơi nhận" printed after the signature): the last line
 * with a title or a name among the lines before @end, the block lines
 * above it, and from the first title down, one signer or two side by
 * side. */
static void
read_signer_at_end (const Document *doc, guint end, KhoFields *fields)
{
  guint bottom = end, top, first, n_cells = 0;

  for (guint i = end; i-- > doc->section && i + SIGNER_TAIL_LINES >= end && bottom == end;)
    if (is_signer_block_line (&doc->lines[i])
        && (count_cells (&doc->lines[i], CELL_POSITION, NULL) > 0
            || count_cells (&doc->lines[i], CELL_NAME, NULL) > 0))
      bottom = i;
  if (bottom == end)
    return;
  for (top = bottom; top > doc->section && bottom - top < 6
       && is_signer_block_line (&doc->lines[top - 1]);)
    top--;
  for (first = top; first <= bottom; first++)
    if (count_cells (&doc->lines[first], CELL_POSITION, &n_cells) > 0)
      break;
  if (first > bottom)
    return;
  if (n_cells > 1)
    read_two_signers (doc, first, bottom, fields);
  else
    read_one_signer (doc, first, bottom, fields);
  if (is_signed_digitally (doc, top))
    g_clear_pointer (&fields->signer_name, g_free);
}

/* The last "Nơi nhận:" line (the copy's, for a copy), or -1. */
static int
find_recipients_line (const Document *doc)
{
  for (guint i = doc->n_lines; i-- > doc->section;)
    if (line_starts_with (&doc->lines[i], "noi nhan"))
      return (int) i;
  return -1;
}

/* TRUE when @text, the right part of a recipients line, is the signer's
 * title printed beside the list ("KT. CHỦ TỊCH") or "(Đã ký)". */
static gboolean
is_beside_list (const char *text)
{
  Line line;
  gboolean position;

  if (text[0] == '(' && g_str_has_suffix (text, ")"))
    return TRUE;
  line_init (&line, text);
  position = line.n_words > 0 && is_position_words (&line, 0, line.n_words);
  line_clear (&line);
  return position;
}

/* Splits a recipients line @text (without its bullet) into the item and
 * what the right column puts beside it: "Như trên; PHÓ HIỆU TRƯỞNG", "Lưu:
 * VT, NV. (Đã ký)".  The item keeps its closing punctuation. */
static void
split_recipient (const char *text, char **item, char **beside)
{
  for (const char *p = text; *p; p++)
    if ((*p == ';' || *p == '.') && p[1] == ' ' && is_beside_list (p + 2))
      {
        *item = g_strndup (text, (gsize) (p + 1 - text));
        *beside = g_strdup (p + 2);
        return;
      }
  *item = g_strdup (text);
  *beside = NULL;
}

/* The text of "Nơi nhận:" line @line after the label. */
static char *
after_label (const Line *line)
{
  for (guint i = 0; i < line->n_words && i < 3; i++)
    if (strchr (line->words[i], ':') != NULL)
      return line_words (line, i + 1, line->n_words);
  return g_strdup ("");
}

/* TRUE when @item, a recipient as printed, is not finished: it does not
 * end with ";" or "." and the next line may carry on with it. */
static gboolean
is_open_item (const char *item)
{
  return !g_str_has_suffix (item, ";") && !g_str_has_suffix (item, ".");
}

/* The first line after the recipients list of the "Nơi nhận:" line
 * @list: its bulleted items and the lines that wrap an open item (not a
 * title, a name or "(Đã ký)"). */
static guint
list_end (const Document *doc, guint list)
{
  g_autofree char *item = after_label (&doc->lines[list]);
  guint i;

  for (i = list + 1; i < doc->n_lines; i++)
    {
      const Line *line = &doc->lines[i];
      char *beside = NULL;

      if (is_bullet (line->text))
        {
          g_free (item);
          split_recipient (line->text, &item, &beside);
          g_free (beside);
        }
      else if (is_bullet (item) && is_open_item (item) && !is_beside_list (line->text)
               && !is_name_words (line, 0, line->n_words, 5))
        {
          g_free (item);
          item = g_strconcat ("- ", line->text, NULL);
        }
      else
        break;
    }
  return i;
}

/* Reads the signer printed beside and under the recipients list of line
 * @list: the titles beside the items ("Nơi nhận: KT. HIỆU TRƯỞNG", "-
 * Như trên; PHÓ HIỆU TRƯỞNG") or under the list, then the name.  FALSE
 * when there is no title there. */
static gboolean
read_signer_by_list (const Document *doc, guint list, KhoFields *fields)
{
  g_autoptr (GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  guint end = list_end (doc, list);

  for (guint i = list; i < end; i++)
    {
      g_autofree char *text = i == list ? after_label (&doc->lines[i])
                                        : g_strdup (doc->lines[i].text);
      g_autofree char *item = NULL;
      char *beside = NULL;

      if (is_bullet (text))
        split_recipient (text, &item, &beside);
      else if (i == list && *text != '\0' && is_beside_list (text))
        beside = g_strdup (text);
      if (beside != NULL && beside[0] != '(')
        g_ptr_array_add (titles, beside);
      else
        g_free (beside);
    }
  for (guint i = end; i < doc->n_lines; i++)
    {
      const Line *line = &doc->lines[i];
      g_autoptr (GArray) cells = line_cells (line, FALSE);
      const Cell *cell = cells->len > 0 ? &g_array_index (cells, Cell, 0) : NULL;

      if (cell == NULL || (cells->len == 1 && cell->kind == CELL_PAREN))
        continue;
      if (cell->kind != CELL_POSITION)
        {
          if (cell->kind == CELL_NAME)
            fields->signer_name = line_words (line, cell->from, cell->to);
          break;
        }
      g_ptr_array_add (titles, line_words (line, cell->from, cell->to));
    }
  if (titles->len == 0)
    {
      g_clear_pointer (&fields->signer_name, g_free);
      return FALSE;
    }
  g_ptr_array_add (titles, NULL);
  fields->signer_position = g_strjoinv ("\n", (char **) titles->pdata);
  return TRUE;
}

/* Reads the signer's title and name.  The signer is the one who signs
 * for the issuing side; see read_two_signers() when two sign. */
static void
read_signer (const Document *doc, KhoFields *fields)
{
  int list = find_recipients_line (doc);

  if (list >= 0 && read_signer_by_list (doc, (guint) list, fields))
    return;
  read_signer_at_end (doc, list >= 0 ? (guint) list : doc->n_lines, fields);
}

/* ------------------------------------------------------------------ */
/* The recipients                                                       */

/* Adds the item @text to @recipients without its bullet and its closing
 * ";" "." ",". */
static void
add_recipient (GPtrArray *recipients, const char *text)
{
  g_autofree char *item = g_strdup (text);
  char *start = item;
  gsize length;

  while (is_bullet (start) || *start == ' ')
    start = g_utf8_next_char (start);
  length = strlen (start);
  while (length > 0 && strchr (";., ", start[length - 1]))
    start[--length] = '\0';
  if (length > 0)
    g_ptr_array_add (recipients, g_strdup (start));
}

/* Reads the items under the last "Nơi nhận:" (bulleted lines, and the
 * lines that wrap them). */
static void
read_recipients (const Document *doc, KhoFields *fields)
{
  int list = find_recipients_line (doc);
  g_autoptr (GString) item = NULL;
  guint end;

  if (list < 0)
    return;
  end = list_end (doc, (guint) list);
  for (guint i = (guint) list; i < end; i++)
    {
      g_autofree char *text = i == (guint) list ? after_label (&doc->lines[i])
                                                : g_strdup (doc->lines[i].text);
      g_autofree char *left = NULL;
      g_autofree char *beside = NULL;

      if (i == (guint) list && (*text == '\0' || is_beside_list (text)))
        continue;
      if (i == (guint) list && !is_bullet (text))
        {
          item = g_string_new (text);  /* "Nơi nhận: Như trên;" */
          continue;
        }
      if (!is_bullet (text))
        {
          if (item != NULL)
            g_string_append_printf (item, " %s", text);
          continue;
        }
      if (item != NULL)
        add_recipient (fields->recipients, item->str);
      split_recipient (text, &left, &beside);
      if (item == NULL)
        item = g_string_new (NULL);
      g_string_assign (item, left);
    }
  if (item != NULL)
    add_recipient (fields->recipients, item->str);
}

/* ------------------------------------------------------------------ */
/* Putting it together                                                  */

/* Makes *@text NFC.  The input was cleaned to NFC already: this keeps the
 * promise of fields.h whatever a reader did. */
static void
normalise (char **text)
{
  char *nfc;

  if (*text == NULL)
    return;
  nfc = g_utf8_normalize (*text, -1, G_NORMALIZE_NFC);
  g_free (*text);
  *text = nfc;
}

KhoFields *
kho_fields_extract (const char *text)
{
  KhoFields *fields = g_new0 (KhoFields, 1);
  const char *copy;
  Document *doc;

  fields->recipients = g_ptr_array_new_with_free_func (g_free);
  if (text == NULL)
    return fields;
  doc = document_new (text);
  copy = find_section (doc);
  read_number (doc, fields);
  if (fields->number != NULL && fields->notation == NULL)
    fields->notation = read_series (doc);
  else
    fields->code = read_code (fields->notation);
  read_place_date (doc, fields);
  fields->issuer = read_issuer (doc);
  if (!read_type_line (doc, fields))
    read_cong_van_subject (doc, fields);
  if (copy != NULL)
    {
      g_free (fields->type_line);
      fields->type_line = g_strdup (copy);  /* the subject stays the original's */
    }
  read_signer (doc, fields);
  read_recipients (doc, fields);
  read_marks (doc, fields);
  document_free (doc);

  normalise (&fields->type_line);
  normalise (&fields->number);
  normalise (&fields->year);
  normalise (&fields->notation);
  normalise (&fields->code);
  normalise (&fields->place);
  normalise (&fields->issuer);
  normalise (&fields->subject);
  normalise (&fields->signer_position);
  normalise (&fields->signer_name);
  for (guint i = 0; i < fields->recipients->len; i++)
    normalise ((char **) &g_ptr_array_index (fields->recipients, i));
  return fields;
}

void
kho_fields_free (KhoFields *fields)
{
  if (fields == NULL)
    return;
  g_free (fields->type_line);
  g_free (fields->number);
  g_free (fields->year);
  g_free (fields->notation);
  g_free (fields->code);
  g_free (fields->place);
  g_free (fields->issued);
  g_free (fields->issuer);
  g_free (fields->subject);
  g_free (fields->signer_position);
  g_free (fields->signer_name);
  g_ptr_array_unref (fields->recipients);
  g_free (fields->urgency);
  g_free (fields->secrecy);
  g_free (fields);
}
