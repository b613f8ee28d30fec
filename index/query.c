/* query.c — turn what a user types into a safe FTS5 MATCH expression.
 *
 * The user's text is never copied into the expression: it is split into
 * words with the tokenizer's own word rules, and only those words (letters,
 * numbers and marks, so never a '"') are written back, each inside a quoted
 * FTS5 string, joined by operators this file chooses.
 */
#include "index/query.h"

#include <string.h>

#include "index/fold.h"
#include "index/tokenizer.h"

/* Longer queries are cut here (before repair, so a cut character becomes
 * U+FFFD, a separator); KHO_QUERY_MAX_WORDS words fit many times over. */
#define MAX_QUERY_BYTES 4096

typedef struct {
  GPtrArray *folded;  /* char*, search forms */
  GPtrArray *exact;   /* char*, exact terms (marker + exact form) or search forms */
  gboolean prefix;
  gboolean exclude;
  gboolean has_diacritics;
} QueryItem;

static QueryItem *
query_item_new (gboolean exclude)
{
  QueryItem *item = g_new0 (QueryItem, 1);

  item->folded = g_ptr_array_new_with_free_func (g_free);
  item->exact = g_ptr_array_new_with_free_func (g_free);
  item->exclude = exclude;
  return item;
}

static void
query_item_free (QueryItem *item)
{
  if (item == NULL)
    return;
  g_ptr_array_unref (item->folded);
  g_ptr_array_unref (item->exact);
  g_free (item);
}

static gboolean
is_separator (gunichar c)
{
  return g_unichar_isspace (c) || g_unichar_iscntrl (c);
}

/* Adds the words of [p, end) to @item, at most @budget of them; returns
 * how many were added and sets @truncated when words were left out.
 * @last_word_end is set to the end of the last word added. */
static guint
add_words (QueryItem *item, const char *p, const char *end, guint budget,
           gboolean *truncated, const char **last_word_end)
{
  guint added = 0;

  while (p < end) {
    const char *word;
    gunichar c = g_utf8_get_char (p);
    char *folded;
    char *exact;

    if (!kho_fold_is_word_char (c)) {
      p = g_utf8_next_char (p);
      continue;
    }
    if (added == budget) {
      *truncated = TRUE;
      break;
    }
    word = p;
    while (p < end) {
      c = g_utf8_get_char (p);
      if (!kho_fold_is_word_char (c) && !kho_fold_is_word_mark (c))
        break;
      p = g_utf8_next_char (p);
    }
    folded = kho_fold_search (word, p - word);
    exact = kho_fold_exact (word, p - word);
    if (strcmp (folded, exact) != 0) {
      g_ptr_array_add (item->exact, g_strdup_printf ("%c%s", KHO_TOKENIZER_EXACT_MARKER, exact));
      item->has_diacritics = TRUE;
    } else {
      g_ptr_array_add (item->exact, g_strdup (folded));
    }
    g_ptr_array_add (item->folded, folded);
    g_free (exact);
    *last_word_end = p;
    added++;
  }
  return added;
}

/* Splits @text (valid UTF-8, NFC) into items; see query.h for the rules. */
static GPtrArray *
parse (const char *text)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) query_item_free);
  const char *p = text;
  guint budget = KHO_QUERY_MAX_WORDS;

  while (*p != '\0' && budget > 0) {
    QueryItem *item;
    gboolean exclude = FALSE;
    gboolean truncated = FALSE;
    const char *last_word_end = NULL;
    const char *region;
    const char *region_end;

    if (is_separator (g_utf8_get_char (p))) {
      p = g_utf8_next_char (p);
      continue;
    }
    while (*p == '-') {
      exclude = TRUE;
      p++;
    }

    if (*p == '"') {
      region = ++p;
      while (*p != '\0' && *p != '"')
        p = g_utf8_next_char (p);
      region_end = p;
      if (*p == '"')
        p++;
      item = query_item_new (exclude);
      budget -= add_words (item, region, region_end, budget, &truncated, &last_word_end);
      if (*p == '*') {
        item->prefix = !truncated && item->folded->len > 0;
        while (*p == '*')
          p++;
      }
    } else {
      region = p;
      while (*p != '\0' && *p != '"' && !is_separator (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      region_end = p;
      item = query_item_new (exclude);
      budget -= add_words (item, region, region_end, budget, &truncated, &last_word_end);
      /* "word*": the trailing stars follow the last word directly. */
      if (!truncated && last_word_end != NULL && last_word_end < region_end) {
        const char *q = last_word_end;

        while (q < region_end && *q == '*')
          q++;
        item->prefix = q == region_end && q > last_word_end;
      }
    }

    if (item->prefix) {  /* only set with at least one word */
      const char *last = g_ptr_array_index (item->folded, item->folded->len - 1);

      if (g_utf8_strlen (last, -1) < 2)
        item->prefix = FALSE;
    }
    if (item->folded->len == 0)
      query_item_free (item);
    else
      g_ptr_array_add (items, item);
  }
  return items;
}

static void
append_phrase (GString *out, GPtrArray *words, gboolean prefix)
{
  guint i;

  g_string_append_c (out, '"');
  for (i = 0; i < words->len; i++) {
    const char *w;

    if (i > 0)
      g_string_append_c (out, ' ');
    /* Words never contain '"'; double it anyway, as FTS5 escapes it. */
    for (w = g_ptr_array_index (words, i); *w != '\0'; w++) {
      if (*w == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *w);
    }
  }
  g_string_append_c (out, '"');
  if (prefix)
    g_string_append_c (out, '*');
}

/* Appends the items whose exclude flag is @exclude, joined by @op, in
 * their folded or exact form. */
static guint
append_items (GString *out, GPtrArray *items, gboolean exclude, gboolean exact,
              const char *op)
{
  guint count = 0;
  guint i;

  for (i = 0; i < items->len; i++) {
    QueryItem *item = g_ptr_array_index (items, i);

    if (item->exclude != exclude)
      continue;
    if (count++ > 0)
      g_string_append (out, op);
    append_phrase (out, exact ? item->exact : item->folded, item->prefix);
  }
  return count;
}

static char *build (const char *user_query, gboolean bonus);

char *
kho_query_build (const char *user_query)
{
  return build (user_query, TRUE);
}

char *
kho_query_build_matching (const char *user_query)
{
  return build (user_query, FALSE);
}

/* With @bonus, the exact form is added (see query.h). */
static char *
build (const char *user_query, gboolean bonus)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *text = NULL;
  GString *out;
  gboolean has_positive = FALSE;
  gboolean has_exclude = FALSE;
  gboolean has_diacritics = FALSE;
  gsize length;
  guint i;

  if (user_query == NULL)
    return NULL;
  length = strnlen (user_query, MAX_QUERY_BYTES);
  text = kho_fold_nfc (user_query, (gssize) length);
  items = parse (text);

  for (i = 0; i < items->len; i++) {
    QueryItem *item = g_ptr_array_index (items, i);

    if (item->exclude) {
      has_exclude = TRUE;
    } else {
      has_positive = TRUE;
      has_diacritics |= item->has_diacritics;
    }
  }
  if (!has_positive)
    return NULL;

  out = g_string_new (NULL);
  if (has_exclude)
    g_string_append_c (out, '(');
  if (has_diacritics && bonus) {
    g_string_append_c (out, '(');
    append_items (out, items, FALSE, FALSE, " AND ");
    g_string_append (out, ") OR (");
    append_items (out, items, FALSE, TRUE, " AND ");
    g_string_append_c (out, ')');
  } else {
    append_items (out, items, FALSE, FALSE, " AND ");
  }
  if (has_exclude) {
    g_string_append (out, ") NOT (");
    append_items (out, items, TRUE, FALSE, " OR ");
    g_string_append_c (out, ')');
  }
  return g_string_free (out, FALSE);
}
