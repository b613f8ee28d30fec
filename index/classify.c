/* classify.c — the type of a document: the rules of doctypes.conf, a naive
 * Bayes model, and the vote that combines them with the layout signals.
 *
 * How the pieces are weighted.  Every signal gives points to one type (the
 * content gives points to many); the points of a type t add up to its
 * score s(t), and the confidence of t is
 *
 *     exp (s(t)) / (exp (NONE) + sum of exp (s(u)) over the types u with points)
 *
 * a softmax in which "none of these types" competes with a fixed score
 * NONE.  A type needs evidence worth more than NONE before it reaches one
 * half (KHO_CLASSIFY_THRESHOLD); two signals that disagree split the
 * confidence and leave both below the threshold unless the content tips
 * it; signals that agree make it near 1.  Without NONE a lone weak hint
 * would win with confidence 1, and with all the types in the sum instead
 * (a score of 0 each) the confidence would fall as an archive adds types.
 *
 *   notation   6  the type's code leads the notation ("KH" in
 *                 "189/KH-UBND"): Nghị định 30 prescribes it, and OCR
 *                 rarely turns one valid code into another
 *   type line  6  the type name printed alone in capitals ("KẾ HOẠCH");
 *                 as strong as the notation: either alone is enough
 *                 (0.92), both together certain
 *   v/v        6  "V/v …" heading a line of the header when there is
 *                 neither a type line nor a type code: that is how a công
 *                 văn looks
 *   copy       6  a "SAO Y" / "TRÍCH SAO" / "SAO LỤC" line: a copy
 *                 carries the copied document's type line and number, so
 *                 when one is found those are not counted; a copy's code
 *                 (SY, TrS, SL) in the notation counts as the line too
 *   year       2  a legal number (one with a year) whose code is NĐ, TT or
 *                 TTLT (the legal group): more certain still
 *   model      5 × its posterior, for each type it knows
 *   keywords   2 for each keyword of the type found; without a usable
 *                 model for every type, with one for the types it has seen
 *                 in fewer than 3 documents (it speaks for the others)
 *   content    the model and the keywords together give a type at most 5
 *
 * NONE is 3.5: one layout signal alone gives 0.92; one keyword 0.18 (one
 * phrase in a note is no type), two 0.62, three or more 0.82, as the
 * certain model alone.  The content (5) cannot outvote a layout signal
 * (6): a kế hoạch that quotes a biên bản is still a kế hoạch; it decides
 * between two signals that disagree, and between no signal and NONE.
 * The model's posterior is tempered (see model_posterior()): naive Bayes
 * counts the evidence of every word as if independent and would otherwise
 * be near-certain of any text at all.
 *
 * A notation code and a type line that disagree are both kept, except
 * that a type line of a type without a code (a biên lai, a học bạ) makes
 * the "code" the series of a form ("Ký hiệu: BC-23T"), not a notation.
 */
#define G_LOG_DOMAIN "kho-index"
#include "index/classify.h"

#include <math.h>
#include <string.h>

/* The built-in rules, index/doctypes.conf as one string constant: longer
 * than the 4095 characters C11 promises, which GCC and Clang take. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "index/doctypes.h"
#pragma GCC diagnostic pop
#include "index/fold.h"

G_DEFINE_QUARK (kho-classify-error-quark, kho_classify_error)

#define POINTS_NOTATION 6.0
#define POINTS_TYPE_LINE 6.0
#define POINTS_VV 6.0
#define POINTS_COPY 6.0
#define POINTS_LEGAL_YEAR 2.0
#define POINTS_MODEL 5.0
#define POINTS_KEYWORD 2.0
#define POINTS_CONTENT_MAX 5.0
#define POINTS_NONE 3.5

/* The layout signals are in the header: the first lines of the text. */
#define HEAD_LINES 40

/* Tempering of the model's log posterior: divided by the number of known
 * feature occurrences of the text over MODEL_FEATURES_PER_VOTE, as if
 * only that many of them were independent pieces of evidence.  16 keeps
 * the two texts of tests/classify that fit no type well below the
 * threshold (a timetable, a note that names a kế hoạch bài dạy), where 60
 * and more let the note through as a Kế hoạch. */
#define MODEL_FEATURES_PER_VOTE 16.0

/* The documents of a type the model needs before its word replaces the
 * rules' keywords for that type: from one or two examples it has learned
 * their topics more than their type. */
#define MODEL_KNOWN_DOCUMENTS 3

#define MODEL_MAGIC "kho-type-model"
#define MODEL_VERSION 1

#define BUILTIN_SOURCE "doctypes.conf (built in)"

/* ---- Words ---- */

/* Folds @text (kho_fold_search) and appends its words to @words, each a
 * newly allocated string: runs of letters and digits.  Two kinds of OCR
 * damage that folding keeps are repaired: Ð (U+00D0, read for Đ) folds to
 * ð, taken as d; a 0 in a word that also has letters is an O ("H0ẠCH"). */
static void
append_words (GPtrArray *words, const char *text)
{
  g_autofree char *folded = NULL;
  GString *word = g_string_new (NULL);
  const char *p;
  const char *end;

  if (text == NULL)
    text = "";
  folded = kho_fold_search (text, -1);
  p = folded;
  end = folded + strlen (folded);
  for (;;)
    {
      gunichar c = 0;

      if (p < end)
        p += kho_fold_next_char (p, end, &c);
      if (c != 0 && (kho_fold_is_word_char (c) || kho_fold_is_word_mark (c)))
        {
          g_string_append_unichar (word, c == 0x00F0 ? 'd' : c);
          continue;
        }
      if (word->len > 0)
        {
          gboolean letters = FALSE;
          gboolean other_digits = FALSE;

          for (gsize i = 0; i < word->len; i++)
            {
              char b = word->str[i];

              if (g_ascii_isdigit (b))
                other_digits |= b != '0';
              else
                letters = TRUE;
            }
          if (letters && !other_digits)
            for (gsize i = 0; i < word->len; i++)
              if (word->str[i] == '0')
                word->str[i] = 'o';
          g_ptr_array_add (words, g_strndup (word->str, word->len));
          g_string_truncate (word, 0);
        }
      if (p >= end)
        break;
    }
  g_string_free (word, TRUE);
}

/* The words of @text joined by one space ("Quyết định:" → "quyet dinh"). */
static char *
phrase_of (const char *text)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);

  append_words (words, text);
  g_ptr_array_add (words, NULL);
  return g_strjoinv (" ", (char **) words->pdata);
}

static guint
count_words (const char *phrase)
{
  guint n = *phrase ? 1 : 0;

  for (const char *p = phrase; *p; p++)
    n += *p == ' ';
  return n;
}

static gboolean
word_has_letter (const char *word)
{
  for (const char *p = word; *p; p++)
    if (!g_ascii_isdigit (*p))
      return TRUE;
  return FALSE;
}

/* ---- Rules ---- */

typedef struct {
  KhoDocType type;    /* first: a KhoDocType * is a TypeEntry * */
  char *name_phrase;  /* the name's words: "ke hoach" */
  char **titles;      /* other type lines, as phrases */
} TypeEntry;

struct KhoTypeRules {
  GPtrArray *types;   /* TypeEntry *, built-in order, then added ones */
};

static void
type_entry_free (gpointer data)
{
  TypeEntry *entry = data;

  if (entry == NULL)
    return;
  g_free (entry->type.name);
  g_free (entry->type.code);
  g_free (entry->type.group);
  g_strfreev (entry->type.keywords);
  g_free (entry->name_phrase);
  g_strfreev (entry->titles);
  g_free (entry);
}

static TypeEntry *
type_entry_copy (const TypeEntry *from)
{
  TypeEntry *entry = g_new0 (TypeEntry, 1);

  entry->type.name = g_strdup (from->type.name);
  entry->type.code = g_strdup (from->type.code);
  entry->type.group = g_strdup (from->type.group);
  entry->type.keywords = g_strdupv (from->type.keywords);
  entry->type.retention = from->type.retention;
  entry->name_phrase = g_strdup (from->name_phrase);
  entry->titles = g_strdupv (from->titles);
  return entry;
}

static const char *const known_keys[] = { "code", "group", "keywords", "titles", "retention" };

/* A list of phrases: each item of @key folded into its words; empty items
 * dropped.  NULL with @error set when the value cannot be read. */
static char **
read_phrases (GKeyFile *file, const char *group, const char *key, GError **error)
{
  g_auto (GStrv) items = g_key_file_get_string_list (file, group, key, NULL, error);
  GPtrArray *phrases;

  if (items == NULL)
    return NULL;
  phrases = g_ptr_array_new ();
  for (gsize i = 0; items[i]; i++)
    {
      char *phrase = phrase_of (items[i]);

      if (*phrase)
        g_ptr_array_add (phrases, phrase);
      else
        g_free (phrase);
    }
  g_ptr_array_add (phrases, NULL);
  return (char **) g_ptr_array_free (phrases, FALSE);
}

static gboolean
valid_code (const char *code)
{
  for (const char *p = code; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c) && c != '&')
        return FALSE;
    }
  return g_utf8_strlen (code, -1) <= 12;
}

static gboolean
valid_group (const char *group)
{
  if (*group == '\0')
    return FALSE;
  for (const char *p = group; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/* Reads the type of group @group of @file (read from @source) into @entry:
 * the keys the group sets replace those of @entry.  @entry->type.name and
 * name_phrase are set by the caller. */
static gboolean
read_group (GKeyFile *file, const char *source, const char *group, TypeEntry *entry,
            GError **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (file, group, NULL, NULL);
  GError *local = NULL;
  char *value = NULL;
  gboolean ok = FALSE;

  for (gsize i = 0; keys && keys[i]; i++)
    {
      gboolean known = FALSE;

      for (gsize k = 0; k < G_N_ELEMENTS (known_keys); k++)
        known |= strcmp (keys[i], known_keys[k]) == 0;
      if (!known)
        {
          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES,
                       "%s: [%s]: unknown key “%s” (known: code, group, keywords, titles, "
                       "retention)", source, group, keys[i]);
          goto out;
        }
    }

  if (g_key_file_has_key (file, group, "code", NULL))
    {
      value = g_key_file_get_string (file, group, "code", &local);
      if (value == NULL)
        goto bad_value;
      g_strstrip (value);
      if (*value && !valid_code (value))
        {
          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES,
                       "%s: [%s]: code “%s” is not an abbreviation (letters and digits, "
                       "at most 12)", source, group, value);
          goto out;
        }
      g_free (entry->type.code);
      entry->type.code = *value ? g_utf8_normalize (value, -1, G_NORMALIZE_NFC) : NULL;
      g_clear_pointer (&value, g_free);
    }

  if (g_key_file_has_key (file, group, "group", NULL))
    {
      value = g_key_file_get_string (file, group, "group", &local);
      if (value == NULL)
        goto bad_value;
      g_strstrip (value);
      if (!valid_group (value))
        {
          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES,
                       "%s: [%s]: group “%s” is not a name in lower-case ASCII (admin, copy, "
                       "legal, school)", source, group, value);
          goto out;
        }
      g_free (entry->type.group);
      entry->type.group = g_steal_pointer (&value);
    }

  if (g_key_file_has_key (file, group, "keywords", NULL))
    {
      char **keywords = read_phrases (file, group, "keywords", &local);

      if (keywords == NULL)
        goto bad_value;
      g_strfreev (entry->type.keywords);
      entry->type.keywords = keywords;
    }

  if (g_key_file_has_key (file, group, "titles", NULL))
    {
      char **titles = read_phrases (file, group, "titles", &local);

      if (titles == NULL)
        goto bad_value;
      g_strfreev (entry->titles);
      entry->titles = titles;
    }

  if (g_key_file_has_key (file, group, "retention", NULL))
    {
      gint64 years;

      value = g_key_file_get_string (file, group, "retention", &local);
      if (value == NULL)
        goto bad_value;
      g_strstrip (value);
      if (!g_ascii_string_to_signed (value, 10, 0, 1000, &years, NULL))
        {
          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES,
                       "%s: [%s]: retention “%s” is not a number of years (0 for permanent)",
                       source, group, value);
          goto out;
        }
      entry->type.retention = (int) years;
    }

  if (entry->type.group == NULL || entry->type.retention < 0)
    {
      g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES,
                   "%s: [%s]: a new type needs group and retention", source, group);
      goto out;
    }
  if (entry->type.keywords == NULL)
    entry->type.keywords = g_new0 (char *, 1);
  if (entry->titles == NULL)
    entry->titles = g_new0 (char *, 1);
  ok = TRUE;
  goto out;

bad_value:
  g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES, "%s: [%s]: %s", source,
               group, local->message);
  g_clear_error (&local);
out:
  g_free (value);
  return ok;
}

static TypeEntry *
find_entry (const KhoTypeRules *rules, const char *name, guint *index)
{
  for (guint i = 0; i < rules->types->len; i++)
    {
      TypeEntry *entry = g_ptr_array_index (rules->types, i);

      if (strcmp (entry->type.name, name) == 0)
        {
          if (index)
            *index = i;
          return entry;
        }
    }
  return NULL;
}

/* Adds the groups of @file (read from @source) to @rules: a group with the
 * name of a type updates it, any other adds a type. */
static gboolean
merge_file (KhoTypeRules *rules, GKeyFile *file, const char *source, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (file, NULL);

  for (gsize i = 0; groups[i]; i++)
    {
      g_autofree char *name = g_utf8_validate (groups[i], -1, NULL)
                                ? g_utf8_normalize (groups[i], -1, G_NORMALIZE_NFC)
                                : NULL;
      TypeEntry *entry;
      TypeEntry *old;
      guint index = 0;

      if (name)
        g_strstrip (name);
      if (name == NULL || *name == '\0')
        {
          g_autofree char *shown = g_utf8_make_valid (groups[i], -1);

          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES,
                       "%s: [%s]: a type needs a name in UTF-8", source, shown);
          return FALSE;
        }
      old = find_entry (rules, name, &index);
      if (old)
        entry = type_entry_copy (old);
      else
        {
          entry = g_new0 (TypeEntry, 1);
          entry->type.name = g_strdup (name);
          entry->type.retention = -1;
          entry->name_phrase = phrase_of (name);
        }
      if (!read_group (file, source, groups[i], entry, error))
        {
          type_entry_free (entry);
          return FALSE;
        }
      if (old)
        {
          type_entry_free (old);
          g_ptr_array_index (rules->types, index) = entry;
        }
      else
        g_ptr_array_add (rules->types, entry);
    }
  return TRUE;
}

/* Codes must name one type each, whatever their case ("CT" and "Ct"). */
static gboolean
check_codes (const KhoTypeRules *rules, const char *source, GError **error)
{
  for (guint i = 0; i < rules->types->len; i++)
    {
      const TypeEntry *a = g_ptr_array_index (rules->types, i);
      g_autofree char *fa = NULL;

      if (a->type.code == NULL)
        continue;
      fa = g_utf8_casefold (a->type.code, -1);
      for (guint j = i + 1; j < rules->types->len; j++)
        {
          const TypeEntry *b = g_ptr_array_index (rules->types, j);
          g_autofree char *fb = NULL;

          if (b->type.code == NULL)
            continue;
          fb = g_utf8_casefold (b->type.code, -1);
          if (strcmp (fa, fb) == 0)
            {
              g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES,
                           "%s: [%s]: code “%s” is already the code of [%s]", source,
                           b->type.name, b->type.code, a->type.name);
              return FALSE;
            }
        }
    }
  return TRUE;
}

KhoTypeRules *
kho_type_rules_load (const char *override_path, GError **error)
{
  g_autoptr (GKeyFile) builtin = g_key_file_new ();
  g_autoptr (GKeyFile) override = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *shown = NULL;
  KhoTypeRules *rules = g_new0 (KhoTypeRules, 1);

  rules->types = g_ptr_array_new_with_free_func (type_entry_free);
  if (!g_key_file_load_from_data (builtin, kho_doctypes_conf, (gsize) -1, G_KEY_FILE_NONE,
                                  &local))
    {
      g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES, "%s: %s",
                   BUILTIN_SOURCE, local->message);
      goto fail;
    }
  if (!merge_file (rules, builtin, BUILTIN_SOURCE, error) ||
      !check_codes (rules, BUILTIN_SOURCE, error))
    goto fail;

  if (override_path == NULL || !g_file_test (override_path, G_FILE_TEST_EXISTS))
    return rules;
  shown = g_filename_display_name (override_path);
  override = g_key_file_new ();
  if (!g_key_file_load_from_file (override, override_path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_RULES, "%s: %s", shown,
                   local->message);
      goto fail;
    }
  if (!merge_file (rules, override, shown, error) || !check_codes (rules, shown, error))
    goto fail;
  return rules;

fail:
  kho_type_rules_free (rules);
  return NULL;
}

void
kho_type_rules_free (KhoTypeRules *rules)
{
  if (rules == NULL)
    return;
  g_ptr_array_unref (rules->types);
  g_free (rules);
}

guint
kho_type_rules_count (const KhoTypeRules *rules)
{
  g_return_val_if_fail (rules != NULL, 0);
  return rules->types->len;
}

const KhoDocType *
kho_type_rules_get (const KhoTypeRules *rules, guint index)
{
  g_return_val_if_fail (rules != NULL, NULL);
  if (index >= rules->types->len)
    return NULL;
  return g_ptr_array_index (rules->types, index);
}

/* The exact NFC name first, then the name without regard to case
 * ("kế hoạch"); diacritics count ("Đề án" is not "Dự án"). */
const KhoDocType *
kho_type_rules_by_name (const KhoTypeRules *rules, const char *name)
{
  g_autofree char *nfc = NULL;
  g_autofree char *folded = NULL;
  const TypeEntry *entry;

  g_return_val_if_fail (rules != NULL, NULL);
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    return NULL;
  nfc = g_utf8_normalize (name, -1, G_NORMALIZE_NFC);
  entry = find_entry (rules, nfc, NULL);
  if (entry)
    return &entry->type;
  folded = g_utf8_casefold (nfc, -1);
  for (guint i = 0; i < rules->types->len; i++)
    {
      const TypeEntry *e = g_ptr_array_index (rules->types, i);
      g_autofree char *other = g_utf8_casefold (e->type.name, -1);

      if (strcmp (other, folded) == 0)
        return &e->type;
    }
  return NULL;
}

/* @code may be a bare code ("QĐ") or a whole notation ("QĐ-UBND", "NQ/CB",
 * "TTLT-BGDĐT-BNV"): only its first segment, up to "-", "/" or a space,
 * is compared, and compared whole, so "QĐ" never finds Quy định (QyĐ),
 * "TTLT" never Thông tư (TT), "CTr" never Chỉ thị (CT).  Ð (U+00D0, OCR's
 * Đ) is read as Đ.  The exact code first, then without regard to case. */
const KhoDocType *
kho_type_rules_by_code (const KhoTypeRules *rules, const char *code)
{
  g_autofree char *lead = NULL;
  g_autofree char *folded = NULL;
  GString *segment;

  g_return_val_if_fail (rules != NULL, NULL);
  if (code == NULL || !g_utf8_validate (code, -1, NULL))
    return NULL;
  segment = g_string_new (NULL);
  for (const char *p = code; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '-' || c == '/' || g_unichar_isspace (c))
        {
          if (segment->len > 0)
            break;
          continue;
        }
      if (c == 0x00D0)
        c = 0x0110;
      else if (c == 0x00F0)
        c = 0x0111;
      g_string_append_unichar (segment, c);
    }
  lead = g_utf8_normalize (segment->str, -1, G_NORMALIZE_NFC);
  g_string_free (segment, TRUE);
  if (lead == NULL || *lead == '\0')
    return NULL;
  for (guint i = 0; i < rules->types->len; i++)
    {
      const TypeEntry *e = g_ptr_array_index (rules->types, i);

      if (e->type.code && strcmp (e->type.code, lead) == 0)
        return &e->type;
    }
  folded = g_utf8_casefold (lead, -1);
  for (guint i = 0; i < rules->types->len; i++)
    {
      const TypeEntry *e = g_ptr_array_index (rules->types, i);
      g_autofree char *other = NULL;

      if (e->type.code == NULL)
        continue;
      other = g_utf8_casefold (e->type.code, -1);
      if (strcmp (other, folded) == 0)
        return &e->type;
    }
  return NULL;
}

/* The index of @type, one of the types of @rules. */
static guint
type_index (const KhoTypeRules *rules, const KhoDocType *type)
{
  guint i = 0;

  while (i + 1 < rules->types->len && g_ptr_array_index (rules->types, i) != (gpointer) type)
    i++;
  g_warn_if_fail (g_ptr_array_index (rules->types, i) == (gpointer) type);
  return i;
}

/* The type whose name or one of whose titles the type line @phrase is, or
 * (titles of two words or more only) starts with: "ke hoach giao duc cua
 * giao vien" is a Kế hoạch giáo dục by its title "ke hoach giao duc".  A
 * name is matched whole: Nghị định 30 prints the type name alone on its
 * line, and a heading such as "QUY ĐỊNH CHUNG" is no Quy định.  The
 * longest match wins ("ke hoach bai day" over "ke hoach").  Only types of
 * @group when it is not NULL. */
static const TypeEntry *
match_type_line (const KhoTypeRules *rules, const char *phrase, const char *group)
{
  const TypeEntry *best = NULL;
  gsize best_length = 0;

  if (*phrase == '\0')
    return NULL;
  for (guint i = 0; i < rules->types->len; i++)
    {
      const TypeEntry *entry = g_ptr_array_index (rules->types, i);

      if (group && strcmp (entry->type.group, group) != 0)
        continue;
      if (strcmp (phrase, entry->name_phrase) == 0 && strlen (phrase) > best_length)
        {
          best = entry;
          best_length = strlen (phrase);
        }
      for (gsize t = 0; entry->titles[t]; t++)
        {
          const char *title = entry->titles[t];
          gsize length = strlen (title);

          if (length <= best_length)
            continue;
          if (strcmp (phrase, title) == 0 ||
              (count_words (title) >= 2 && strncmp (phrase, title, length) == 0 &&
               phrase[length] == ' '))
            {
              best = entry;
              best_length = length;
            }
        }
    }
  return best;
}

/* The words at the start of @line that are in capitals ("HÓA ĐƠN GIÁ TRỊ
 * GIA TĂNG" of "HÓA ĐƠN GIÁ TRỊ GIA TĂNG Ký hiệu: 1C23TMP"), as a phrase;
 * "" when the line does not start with a capital letter.  In a word of
 * capitals an "l" is OCR's I ("GlẤY CHỨNG NHẬN"). */
static char *
leading_capitals (const char *line)
{
  GString *run = g_string_new (NULL);
  const char *p = line;
  char *phrase;

  while (*p)
    {
      GString *word = g_string_new (NULL);
      gboolean upper = FALSE;
      gboolean lower = FALSE;

      for (; *p && !g_unichar_isspace (g_utf8_get_char (p)); p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c == 'l')
            c = 'I';
          else
            lower |= g_unichar_islower (c);
          upper |= g_unichar_isupper (c);
          g_string_append_unichar (word, c);
        }
      if (lower || (run->len == 0 && !upper))
        {
          g_string_free (word, TRUE);
          break;
        }
      g_string_append (run, word->str);
      g_string_append_c (run, ' ');
      g_string_free (word, TRUE);
      while (*p && g_unichar_isspace (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
    }
  phrase = phrase_of (run->str);
  g_string_free (run, TRUE);
  return phrase;
}

/* ---- The model ---- */

typedef struct {
  char *name;
  guint documents;
  guint64 tokens;       /* the sum of the counts */
  GHashTable *counts;   /* feature → GUINT_TO_POINTER (occurrences) */
} ModelClass;

struct KhoTypeModel {
  GPtrArray *classes;       /* ModelClass * */
  GHashTable *vocabulary;   /* feature → GUINT_TO_POINTER (classes that have it) */
  guint documents;
};

static void
model_class_free (gpointer data)
{
  ModelClass *class = data;

  g_free (class->name);
  g_hash_table_unref (class->counts);
  g_free (class);
}

KhoTypeModel *
kho_type_model_new (void)
{
  KhoTypeModel *model = g_new0 (KhoTypeModel, 1);

  model->classes = g_ptr_array_new_with_free_func (model_class_free);
  model->vocabulary = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return model;
}

void
kho_type_model_free (KhoTypeModel *model)
{
  if (model == NULL)
    return;
  g_ptr_array_unref (model->classes);
  g_hash_table_unref (model->vocabulary);
  g_free (model);
}

guint
kho_type_model_n_documents (const KhoTypeModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->documents;
}

static ModelClass *
model_class (KhoTypeModel *model, const char *name, gboolean create)
{
  ModelClass *class;

  for (guint i = 0; i < model->classes->len; i++)
    {
      class = g_ptr_array_index (model->classes, i);
      if (strcmp (class->name, name) == 0)
        return class;
    }
  if (!create)
    return NULL;
  class = g_new0 (ModelClass, 1);
  class->name = g_strdup (name);
  class->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_ptr_array_add (model->classes, class);
  return class;
}

/* Counts one more @feature (taken) in @features. */
static void
count_feature (GHashTable *features, char *feature)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (features, feature));

  g_hash_table_insert (features, feature, GUINT_TO_POINTER (count + 1));
}

/* The features of @text with their counts (feature → GUINT_TO_POINTER):
 * its words (numbers left out: dates and amounts say nothing of the type)
 * and each pair of neighbouring words, "ke hoach", since a Vietnamese
 * word is often two syllables. */
static GHashTable *
text_features (const char *text)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  GHashTable *features = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *previous = NULL;

  append_words (words, text);
  for (guint i = 0; i < words->len; i++)
    {
      const char *word = g_ptr_array_index (words, i);

      if (!word_has_letter (word))
        {
          previous = NULL;
          continue;
        }
      count_feature (features, g_strdup (word));
      if (previous)
        count_feature (features, g_strconcat (previous, " ", word, NULL));
      previous = word;
    }
  return features;
}

/* Adds @count occurrences of @feature to @class (the feature is copied). */
static void
class_add (KhoTypeModel *model, ModelClass *class, const char *feature, guint count)
{
  gpointer old = NULL;

  if (!g_hash_table_lookup_extended (class->counts, feature, NULL, &old))
    {
      guint classes = GPOINTER_TO_UINT (g_hash_table_lookup (model->vocabulary, feature));

      g_hash_table_insert (model->vocabulary, g_strdup (feature), GUINT_TO_POINTER (classes + 1));
    }
  g_hash_table_insert (class->counts, g_strdup (feature),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + count));
  class->tokens += count;
}

/* A type name fit for one line of the serialised model: NFC, control
 * characters made spaces, stripped.  NULL when nothing is left. */
static char *
clean_type_name (const char *type)
{
  char *name;

  if (type == NULL || !g_utf8_validate (type, -1, NULL))
    return NULL;
  name = g_utf8_normalize (type, -1, G_NORMALIZE_NFC);
  for (char *p = name; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7F)
      *p = ' ';
  g_strstrip (name);
  if (*name == '\0')
    g_clear_pointer (&name, g_free);
  return name;
}

void
kho_type_model_add (KhoTypeModel *model, const char *text, const char *type)
{
  g_autofree char *name = clean_type_name (type);
  g_autoptr (GHashTable) features = NULL;
  GHashTableIter iter;
  gpointer key, value;
  ModelClass *class;

  g_return_if_fail (model != NULL);
  g_return_if_fail (name != NULL);
  class = model_class (model, name, TRUE);
  class->documents++;
  model->documents++;
  features = text_features (text);
  g_hash_table_iter_init (&iter, features);
  while (g_hash_table_iter_next (&iter, &key, &value))
    class_add (model, class, key, GPOINTER_TO_UINT (value));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
compare_classes (gconstpointer a, gconstpointer b)
{
  const ModelClass *ca = *(const ModelClass *const *) a;
  const ModelClass *cb = *(const ModelClass *const *) b;

  return strcmp (ca->name, cb->name);
}

/* The format, one record a line, sorted so that equal models give equal
 * text:
 *
 *   kho-type-model 1
 *   class DOCUMENTS FEATURES NAME       for each type, then FEATURES lines:
 *   COUNT FEATURE                       (FEATURE: words joined by a space)
 *   end
 */
char *
kho_type_model_serialize (const KhoTypeModel *model)
{
  g_autoptr (GPtrArray) classes = NULL;
  GString *out;

  g_return_val_if_fail (model != NULL, NULL);
  out = g_string_new (NULL);
  g_string_append_printf (out, "%s %d\n", MODEL_MAGIC, MODEL_VERSION);
  classes = g_ptr_array_sized_new (model->classes->len);  /* borrowed pointers */
  for (guint i = 0; i < model->classes->len; i++)
    g_ptr_array_add (classes, g_ptr_array_index (model->classes, i));
  g_ptr_array_sort (classes, compare_classes);
  for (guint i = 0; i < classes->len; i++)
    {
      const ModelClass *class = g_ptr_array_index (classes, i);
      g_autofree gpointer *features = NULL;
      guint n = 0;

      features = g_hash_table_get_keys_as_array (class->counts, &n);
      qsort (features, n, sizeof (gpointer), compare_strings);
      g_string_append_printf (out, "class %u %u %s\n", class->documents, n, class->name);
      for (guint f = 0; f < n; f++)
        g_string_append_printf (out, "%u %s\n",
                                GPOINTER_TO_UINT (g_hash_table_lookup (class->counts, features[f])),
                                (const char *) features[f]);
    }
  g_string_append (out, "end\n");
  return g_string_free (out, FALSE);
}

/* A feature as text_features() makes them: one or two words of lower-case
 * letters and digits, one space between. */
static gboolean
valid_feature (const char *feature)
{
  g_autofree char *again = NULL;

  if (*feature == '\0' || count_words (feature) > 2)
    return FALSE;
  again = phrase_of (feature);
  return strcmp (again, feature) == 0;
}

static gboolean
parse_count (const char *text, guint64 min, guint64 *out)
{
  return text && g_ascii_isdigit (*text) &&
         g_ascii_string_to_unsigned (text, 10, min, G_MAXUINT, out, NULL);
}

KhoTypeModel *
kho_type_model_parse (const char *text, GError **error)
{
  g_autoptr (KhoTypeModel) model = kho_type_model_new ();
  g_auto (GStrv) lines = NULL;
  g_autofree char *magic = NULL;
  gsize i = 0;
  gboolean ended = FALSE;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                   "type model: not UTF-8 text");
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  magic = g_strdup_printf ("%s %d", MODEL_MAGIC, MODEL_VERSION);
  if (lines[0] == NULL || strcmp (lines[0], magic) != 0)
    {
      if (lines[0] && g_str_has_prefix (lines[0], MODEL_MAGIC " "))
        g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                     "type model: version “%s” is not %d", lines[0] + strlen (MODEL_MAGIC) + 1,
                     MODEL_VERSION);
      else
        g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                     "type model: line 1 is not “%s”", magic);
      return NULL;
    }
  for (i = 1; lines[i]; i++)
    {
      g_auto (GStrv) parts = NULL;
      guint64 documents = 0, n_features = 0;
      g_autofree char *name = NULL;
      ModelClass *class;

      if (strcmp (lines[i], "end") == 0)
        {
          ended = TRUE;
          i++;
          break;
        }
      parts = g_strsplit (lines[i], " ", 4);
      if (g_strv_length (parts) != 4 || strcmp (parts[0], "class") != 0 ||
          !parse_count (parts[1], 1, &documents) ||
          !parse_count (parts[2], 0, &n_features))
        {
          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                       "type model: line %" G_GSIZE_FORMAT ": not “class DOCUMENTS FEATURES "
                       "NAME”", i + 1);
          return NULL;
        }
      name = clean_type_name (parts[3]);
      if (name == NULL || strcmp (name, parts[3]) != 0 || model_class (model, name, FALSE))
        {
          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                       "type model: line %" G_GSIZE_FORMAT ": type name “%s” is empty, not "
                       "NFC or repeated", i + 1, parts[3]);
          return NULL;
        }
      if (documents > G_MAXUINT - model->documents)
        {
          g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                       "type model: line %" G_GSIZE_FORMAT ": too many documents", i + 1);
          return NULL;
        }
      class = model_class (model, name, TRUE);
      class->documents = (guint) documents;
      model->documents += (guint) documents;
      for (guint64 f = 0; f < n_features; f++)
        {
          const char *line = lines[i + 1];
          const char *space;
          g_autofree char *number = NULL;
          guint64 count = 0;

          if (line == NULL || (space = strchr (line, ' ')) == NULL)
            {
              g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                           "type model: line %" G_GSIZE_FORMAT ": type “%s” should have %"
                           G_GUINT64_FORMAT " features, this is not “COUNT FEATURE”",
                           i + 2, name, n_features);
              return NULL;
            }
          i++;
          number = g_strndup (line, (gsize) (space - line));
          if (!parse_count (number, 1, &count) || !valid_feature (space + 1) ||
              g_hash_table_contains (class->counts, space + 1) ||
              class->tokens + count > G_MAXUINT64 / 2)
            {
              g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                           "type model: line %" G_GSIZE_FORMAT ": not a count and a new "
                           "feature of one or two folded words", i + 1);
              return NULL;
            }
          class_add (model, class, space + 1, (guint) count);
        }
    }
  /* After "end", only the final newline (an empty last line) may follow. */
  if (!ended || (lines[i] && (*lines[i] != '\0' || lines[i + 1] != NULL)))
    {
      g_set_error (error, KHO_CLASSIFY_ERROR, KHO_CLASSIFY_ERROR_MODEL,
                   ended ? "type model: text after “end”" : "type model: truncated, no “end”");
      return NULL;
    }
  return g_steal_pointer (&model);
}

/* The posterior probability of each class of @model for @text, in the
 * order of model->classes: multinomial naive Bayes with Laplace smoothing
 * (add one), class priors from the documents counted, in log space.
 * Features no class has seen are left out (they favour none).
 *
 * Tempered: the log posterior (prior and likelihood) is divided by
 * max (1, n / MODEL_FEATURES_PER_VOTE) for a text of n known feature
 * occurrences.  Unigrams and bigrams overlap, and the words of a text are
 * far from independent, so untempered naive Bayes is near-certain of
 * every text, of a timetable as much as of a kế hoạch; tempered, a text
 * must lean clearly to one type to get a high posterior.  The order of
 * the types is unchanged. */
static double *
model_posterior (const KhoTypeModel *model, const char *text)
{
  g_autoptr (GHashTable) features = text_features (text);
  guint n_classes = model->classes->len;
  double *log_p = g_new0 (double, n_classes);
  double vocabulary = g_hash_table_size (model->vocabulary);
  double occurrences = 0;
  double temper;
  double max = -INFINITY;
  double sum = 0;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, features);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double n = GPOINTER_TO_UINT (value);

      if (!g_hash_table_contains (model->vocabulary, key))
        continue;
      occurrences += n;
      for (guint c = 0; c < n_classes; c++)
        {
          const ModelClass *class = g_ptr_array_index (model->classes, c);
          double count = GPOINTER_TO_UINT (g_hash_table_lookup (class->counts, key));

          log_p[c] += n * log ((count + 1) / ((double) class->tokens + vocabulary));
        }
    }
  temper = MAX (1.0, occurrences / MODEL_FEATURES_PER_VOTE);
  for (guint c = 0; c < n_classes; c++)
    {
      const ModelClass *class = g_ptr_array_index (model->classes, c);

      log_p[c] = (log_p[c] + log ((double) class->documents / model->documents)) / temper;
      max = MAX (max, log_p[c]);
    }
  for (guint c = 0; c < n_classes; c++)
    {
      log_p[c] = exp (log_p[c] - max);
      sum += log_p[c];
    }
  for (guint c = 0; c < n_classes; c++)
    log_p[c] /= sum;
  return log_p;
}

/* ---- Classification ---- */

typedef struct {
  double *points;               /* per type of the rules */
  double *strongest;            /* the largest layout vote per type */
  const char **reasons;         /* its reason */
  double *content;              /* the content's points per type */
  double *content_strongest;    /* the largest content vote per type */
  const char **content_reasons; /* its reason */
} Ballot;

/* A vote of a layout signal.  The reason of a type is its strongest layout
 * signal: what a person can check on the page. */
static void
vote (Ballot *ballot, guint index, double points, const char *reason)
{
  if (points <= 0)
    return;
  ballot->points[index] += points;
  if (points > ballot->strongest[index])
    {
      ballot->strongest[index] = points;
      ballot->reasons[index] = reason;
    }
}

/* A vote of the content ("model", "keywords").  The model and the keywords
 * together give a type at most POINTS_CONTENT_MAX: what the text is about
 * never outvotes what its layout says it is. */
static void
vote_content (Ballot *ballot, guint index, double points, const char *reason)
{
  points = MIN (points, POINTS_CONTENT_MAX - ballot->content[index]);
  if (points <= 0)
    return;
  ballot->points[index] += points;
  ballot->content[index] += points;
  if (points > ballot->content_strongest[index])
    {
      ballot->content_strongest[index] = points;
      ballot->content_reasons[index] = reason;
    }
}

/* The type named by a "SAO Y", "SAO Y BẢN CHÍNH", "TRÍCH SAO" or "SAO LỤC"
 * line anywhere in @lines (the copy block is at the end), or NULL. */
static const TypeEntry *
find_copy_mark (const KhoTypeRules *rules, char **lines)
{
  for (gsize i = 0; lines[i]; i++)
    {
      g_autofree char *phrase = leading_capitals (lines[i]);
      const TypeEntry *entry = match_type_line (rules, phrase, "copy");

      if (entry)
        return entry;
    }
  return NULL;
}

/* The type line of the header: the first line of @lines that starts, in
 * capitals, with a type name or title. */
static const TypeEntry *
find_type_line (const KhoTypeRules *rules, char **lines)
{
  for (gsize i = 0; lines[i] && i < HEAD_LINES; i++)
    {
      g_autofree char *phrase = leading_capitals (lines[i]);
      const TypeEntry *entry = match_type_line (rules, phrase, NULL);

      if (entry && strcmp (entry->type.group, "copy") != 0)
        return entry;
    }
  return NULL;
}

/* TRUE when a line of the header starts with "V/v", "V/V", "V/v:", "V / v". */
static gboolean
find_vv (char **lines)
{
  for (gsize i = 0; lines[i] && i < HEAD_LINES; i++)
    {
      const char *p = lines[i];
      int state = 0;

      for (; *p && state < 3; p++)
        {
          if (*p == ' ' || *p == '\t')
            continue;
          if ((state == 0 || state == 2) && (*p == 'V' || *p == 'v'))
            state++;
          else if (state == 1 && *p == '/')
            state++;
          else
            break;
        }
      if (state == 3 && !g_ascii_isalnum (*p))
        return TRUE;
    }
  return FALSE;
}

/* TRUE when a line of the header starts with "Luật số" (Luật has no code:
 * "Luật số: 43/2019/QH14"). */
static gboolean
find_law_number (char **lines)
{
  for (gsize i = 0; lines[i] && i < HEAD_LINES; i++)
    {
      g_autofree char *phrase = phrase_of (lines[i]);

      if (g_str_has_prefix (phrase, "luat so ") && g_ascii_isdigit (phrase[strlen ("luat so ")]))
        return TRUE;
    }
  return FALSE;
}

/* TRUE when @model has learned the type named @name from enough documents
 * (MODEL_KNOWN_DOCUMENTS) to speak for it alone. */
static gboolean
model_knows (const KhoTypeModel *model, const char *name)
{
  for (guint c = 0; c < model->classes->len; c++)
    {
      const ModelClass *class = g_ptr_array_index (model->classes, c);

      if (strcmp (class->name, name) == 0)
        return class->documents >= MODEL_KNOWN_DOCUMENTS;
    }
  return FALSE;
}

/* The keywords of each type found in @text, POINTS_KEYWORD for each
 * (distinct) one.  With @model, only for the types it has not learned from
 * MODEL_KNOWN_DOCUMENTS documents: it speaks for the others. */
static void
vote_keywords (const KhoTypeRules *rules, const KhoTypeModel *model, Ballot *ballot,
               const char *text)
{
  g_autofree char *words = phrase_of (text);
  g_autofree char *haystack = g_strconcat (" ", words, " ", NULL);

  for (guint i = 0; i < rules->types->len; i++)
    {
      const TypeEntry *entry = g_ptr_array_index (rules->types, i);
      double points = 0;

      if (model && model_knows (model, entry->type.name))
        continue;

      for (gsize k = 0; entry->type.keywords[k]; k++)
        {
          g_autofree char *needle = g_strconcat (" ", entry->type.keywords[k], " ", NULL);

          if (strstr (haystack, needle))
            points += POINTS_KEYWORD;
        }
      vote_content (ballot, i, points, "keywords");
    }
}

static void
vote_model (const KhoTypeRules *rules, const KhoTypeModel *model, Ballot *ballot,
            const char *text)
{
  g_autofree double *posterior = model_posterior (model, text);

  for (guint c = 0; c < model->classes->len; c++)
    {
      const ModelClass *class = g_ptr_array_index (model->classes, c);
      const KhoDocType *type = kho_type_rules_by_name (rules, class->name);

      if (type)
        vote_content (ballot, type_index (rules, type), POINTS_MODEL * posterior[c], "model");
    }
}

/* Below the threshold the result has no type but keeps the confidence and
 * the reason of the best candidate; "none" only when nothing pointed to
 * any type. */
KhoClassification
kho_classify (const KhoTypeRules *rules, const KhoTypeModel *model, const char *text,
              const KhoFields *fields)
{
  KhoClassification result = { NULL, 0.0, "none" };
  g_autofree char *page_text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree double *numbers = NULL;
  g_autofree const char **strings = NULL;
  double *points;
  Ballot ballot;
  const TypeEntry *copy, *line = NULL;
  const char *copy_reason = "type line";
  const KhoDocType *code = NULL;
  guint n, best = 0;
  double total;

  g_return_val_if_fail (rules != NULL, result);
  n = rules->types->len;
  if (n == 0)
    return result;
  numbers = g_new0 (double, 4 * n);
  strings = g_new0 (const char *, 2 * n);
  ballot = (Ballot) { numbers, numbers + n, strings, numbers + 2 * n, numbers + 3 * n,
                      strings + n };
  points = ballot.points;

  page_text = kho_fold_nfc (text ? text : "", -1);  /* valid UTF-8 from here on */
  g_strdelimit (page_text, "\f", '\n');  /* pages */
  g_strdelimit (page_text, "\r", ' ');
  lines = g_strsplit (page_text, "\n", -1);

  /* Layout signals. */
  copy = find_copy_mark (rules, lines);
  if (fields)
    {
      code = kho_type_rules_by_code (rules, fields->code);
      if (code == NULL && fields->code == NULL)
        code = kho_type_rules_by_code (rules, fields->notation);
      if (fields->type_line)
        {
          g_autofree char *phrase = phrase_of (fields->type_line);

          line = match_type_line (rules, phrase, NULL);
        }
    }
  if (line == NULL)
    line = find_type_line (rules, lines);
  if (copy == NULL && code && strcmp (code->group, "copy") == 0)
    {
      copy = (const TypeEntry *) code;  /* the copy's number: its block, without the "SAO Y" line */
      copy_reason = "notation";
    }
  if (copy)
    {
      /* The type line, a V/v and a number of another type are the copied
       * document's. */
      line = NULL;
      if (code && strcmp (code->group, "copy") != 0)
        code = NULL;
      vote (&ballot, type_index (rules, &copy->type), POINTS_COPY, copy_reason);
    }
  if (line && line->type.code == NULL && code && code != &line->type)
    code = NULL;  /* a form's series ("Ký hiệu: BC-23T" of a biên lai), not a notation */
  if (code)
    vote (&ballot, type_index (rules, code), POINTS_NOTATION, "notation");
  if (line)
    vote (&ballot, type_index (rules, &line->type), POINTS_TYPE_LINE, "type line");
  if (code && fields && fields->year && strcmp (code->group, "legal") == 0)
    vote (&ballot, type_index (rules, code), POINTS_LEGAL_YEAR, "notation");
  if (!copy && !line && !code && find_vv (lines))
    {
      const KhoDocType *cong_van = kho_type_rules_by_name (rules, "Công văn");

      if (cong_van)
        vote (&ballot, type_index (rules, cong_van), POINTS_VV, "v/v");
    }
  if (!copy && find_law_number (lines))
    {
      const KhoDocType *law = kho_type_rules_by_name (rules, "Luật");

      if (law)
        vote (&ballot, type_index (rules, law), POINTS_NOTATION, "notation");
    }

  /* Content: the model when it can tell two types apart, with the rules'
   * keywords for the types it has barely seen; else the keywords alone. */
  if (model && model->classes->len >= 2)
    {
      vote_model (rules, model, &ballot, page_text);
      vote_keywords (rules, model, &ballot, page_text);
    }
  else
    vote_keywords (rules, NULL, &ballot, page_text);

  total = exp (POINTS_NONE);
  for (guint i = 0; i < n; i++)
    {
      if (points[i] <= 0)
        continue;
      total += exp (points[i]);
      if (points[i] > points[best])
        best = i;
    }
  if (points[best] <= 0)
    return result;
  result.confidence = exp (points[best]) / total;
  result.reason = ballot.reasons[best] ? ballot.reasons[best] : ballot.content_reasons[best];
  if (result.confidence >= KHO_CLASSIFY_THRESHOLD)
    result.type = g_ptr_array_index (rules->types, best);
  g_debug ("classify: %s %.2f (%s, %.1f points)",
           ((TypeEntry *) g_ptr_array_index (rules->types, best))->type.name, result.confidence,
           result.reason, points[best]);
  return result;
}
