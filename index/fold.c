/* fold.c — Vietnamese text normalisation: NFC, and the accent-free search form.
 *
 * The three forms are computed in one pass over the characters:
 *   nfc     each character as is
 *   exact   each character lower-cased
 *   search  each character fully decomposed (canonically), marks dropped,
 *           the base lower-cased, đ → d
 * followed by an NFC pass over the output only when a cheap check says the
 * output might not already be NFC (a combining mark, a conjoining jamo, a
 * singleton or composition-excluded character).  Text from OCR is NFC
 * already, so that pass is rare, and ASCII never takes it.
 */
#include "index/fold.h"

#include <string.h>

#define REPLACEMENT_CHARACTER 0xFFFD

typedef enum {
  FOLD_NFC,
  FOLD_EXACT,
  FOLD_SEARCH,
} FoldMode;

gsize
kho_fold_next_char (const char *p, const char *end, gunichar *c)
{
  guchar byte = (guchar) *p;
  gunichar decoded;

  if (byte < 0x80) {
    *c = byte == 0 ? REPLACEMENT_CHARACTER : byte;
    return 1;
  }
  decoded = g_utf8_get_char_validated (p, end - p);
  if (decoded == (gunichar) -1 || decoded == (gunichar) -2) {
    *c = REPLACEMENT_CHARACTER;
    return 1;
  }
  *c = decoded;
  return (gsize) (g_utf8_next_char (p) - p);
}

static gboolean
is_hangul_syllable (gunichar c)
{
  return c >= 0xAC00 && c <= 0xD7A3;
}

static gboolean
is_conjoining_jamo (gunichar c)
{
  return (c >= 0x1100 && c <= 0x11FF) || (c >= 0xA960 && c <= 0xA97F) ||
         (c >= 0xD7B0 && c <= 0xD7FF);
}

/* TRUE when @c, standing among other such characters, is unchanged by NFC:
 * not a mark (marks may compose with or reorder against what precedes),
 * not a jamo (jamo compose into syllables), and either without a canonical
 * decomposition or one that composes back to @c. */
static gboolean
char_is_nfc_stable (gunichar c)
{
  gunichar first, second, composed;

  if (c < 0x300)
    return TRUE;  /* Latin-1 and Latin Extended-A/B are all NFC starters */
  if (g_unichar_ismark (c) || is_conjoining_jamo (c))
    return FALSE;
  if (!g_unichar_decompose (c, &first, &second))
    return TRUE;
  if (second == 0)
    return FALSE;  /* a singleton such as U+212B ANGSTROM SIGN */
  if (!g_unichar_compose (first, second, &composed) || composed != c)
    return FALSE;  /* a composition exclusion */
  return char_is_nfc_stable (first);
}

/* @text is valid UTF-8 without NUL (built by this file). */
static gboolean
is_nfc_quick (const char *text, gsize length)
{
  const char *p = text;
  const char *end = text + length;

  while (p < end) {
    if ((guchar) *p < 0x80) {
      p++;
      continue;
    }
    if (!char_is_nfc_stable (g_utf8_get_char (p)))
      return FALSE;
    p = g_utf8_next_char (p);
  }
  return TRUE;
}

gunichar
kho_fold_char (gunichar c)
{
  gunichar pieces[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
  gunichar base = 0;
  gsize count;
  gsize i;

  if (c < 0x80)
    return g_ascii_tolower ((char) c);
  if (c == 0x0110 || c == 0x0111)  /* Đ đ: a letter of its own, no marks */
    return 'd';
  if (g_unichar_ismark (c))
    return 0;
  if (is_hangul_syllable (c))
    return c;
  count = g_unichar_fully_decompose (c, FALSE, pieces, G_N_ELEMENTS (pieces));
  for (i = 0; i < count; i++) {
    if (g_unichar_ismark (pieces[i]))
      continue;
    if (base != 0)
      return g_unichar_tolower (c);  /* two letters: not a letter + marks */
    base = pieces[i];
  }
  if (base == 0)
    return 0;
  base = g_unichar_tolower (base);
  return base == 0x0111 ? 'd' : base;
}

static void
fold_append (GString *out, const char *text, gssize length, FoldMode mode)
{
  const char *p;
  const char *end;
  gsize start = out->len;
  gboolean non_ascii = FALSE;

  if (text == NULL)
    return;
  if (length < 0)
    length = (gssize) strlen (text);
  p = text;
  end = text + length;
  while (p < end) {
    guchar byte = (guchar) *p;
    gunichar c;

    if (byte != 0 && byte < 0x80) {
      g_string_append_c (out, mode == FOLD_NFC ? (char) byte : g_ascii_tolower ((char) byte));
      p++;
      continue;
    }
    p += kho_fold_next_char (p, end, &c);
    non_ascii = TRUE;
    switch (mode) {
    case FOLD_NFC:
      g_string_append_unichar (out, c);
      break;
    case FOLD_EXACT:
      g_string_append_unichar (out, g_unichar_tolower (c));
      break;
    case FOLD_SEARCH:
      c = kho_fold_char (c);
      if (c != 0)
        g_string_append_unichar (out, c);
      break;
    }
  }

  if (non_ascii && !is_nfc_quick (out->str + start, out->len - start)) {
    char *composed = g_utf8_normalize (out->str + start, (gssize) (out->len - start),
                                       G_NORMALIZE_NFC);

    g_string_truncate (out, start);
    g_string_append (out, composed);
    g_free (composed);
  }
}

static gboolean
is_plain_ascii (const char *text, gssize length, gsize *out_length)
{
  gsize n = 0;

  if (length < 0) {
    for (; text[n] != '\0'; n++)
      if ((guchar) text[n] >= 0x80)
        return FALSE;
  } else {
    for (; n < (gsize) length; n++)
      if ((guchar) text[n] >= 0x80 || text[n] == '\0')
        return FALSE;
  }
  *out_length = n;
  return TRUE;
}

static char *
fold_new (const char *text, gssize length, FoldMode mode)
{
  GString *out;
  gsize ascii_length;

  if (text == NULL)
    return g_strdup ("");
  if (is_plain_ascii (text, length, &ascii_length)) {
    char *copy = g_strndup (text, ascii_length);

    if (mode != FOLD_NFC) {
      gsize i;

      for (i = 0; i < ascii_length; i++)
        copy[i] = g_ascii_tolower (copy[i]);
    }
    return copy;
  }
  out = g_string_sized_new (length < 0 ? strlen (text) + 8 : (gsize) length + 8);
  fold_append (out, text, length, mode);
  return g_string_free (out, FALSE);
}

char *
kho_fold_nfc (const char *text, gssize length)
{
  return fold_new (text, length, FOLD_NFC);
}

char *
kho_fold_search (const char *text, gssize length)
{
  return fold_new (text, length, FOLD_SEARCH);
}

char *
kho_fold_exact (const char *text, gssize length)
{
  return fold_new (text, length, FOLD_EXACT);
}

void
kho_fold_search_append (GString *out, const char *text, gssize length)
{
  fold_append (out, text, length, FOLD_SEARCH);
}

void
kho_fold_exact_append (GString *out, const char *text, gssize length)
{
  fold_append (out, text, length, FOLD_EXACT);
}

gboolean
kho_fold_has_diacritics (const char *text, gssize length)
{
  const char *p;
  const char *end;

  if (text == NULL)
    return FALSE;
  if (length < 0)
    length = (gssize) strlen (text);
  p = text;
  end = text + length;
  while (p < end) {
    gunichar c;

    if ((guchar) *p < 0x80) {
      p++;
      continue;
    }
    p += kho_fold_next_char (p, end, &c);
    if (c != REPLACEMENT_CHARACTER && kho_fold_char (c) != g_unichar_tolower (c))
      return TRUE;
  }
  return FALSE;
}

gboolean
kho_fold_is_word_char (gunichar c)
{
  if (c < 0x80)
    return g_ascii_isalnum ((char) c);
  return g_unichar_isalnum (c);
}

gboolean
kho_fold_is_word_mark (gunichar c)
{
  return c >= 0x300 && g_unichar_ismark (c);
}
