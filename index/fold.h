/* fold.h — Vietnamese text normalisation: NFC, and the accent-free search form.
 *
 * Search must find "đào tạo" from "dao tao", "Đào tạo" or "ĐÀO TẠO": the
 * folded form is NFC, lower case, with every combining mark removed and
 * đ/Đ mapped to d.  All strings are UTF-8; invalid UTF-8 is repaired
 * (each bad byte, and each NUL inside an explicit @length, becomes U+FFFD)
 * rather than refused.
 *
 * Old-style and new-style tone placement ("hoá" / "hóa", "thuỷ" / "thủy")
 * are different exact forms but the same folded form, so searching without
 * (or with either) placement finds both.
 *
 * These run on every word of every page: ASCII takes a copy-only path, and
 * the *_append variants let a caller reuse one buffer for many words.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns @text in Unicode NFC (newly allocated).  @length in bytes, or -1
 * when @text is NUL-terminated. */
char *kho_fold_nfc (const char *text, gssize length);

/* Returns the search form of @text: NFC, lower case, no diacritics, đ→d
 * (newly allocated).  Characters other than letters and digits are kept. */
char *kho_fold_search (const char *text, gssize length);

/* Returns the exact form of @text: NFC and lower case, diacritics kept
 * ("ĐÀO" → "đào"; newly allocated).  A word's exact form differs from its
 * search form exactly when it carries a diacritic or đ. */
char *kho_fold_exact (const char *text, gssize length);

/* Appends the search form (or the exact form) of @text to @out; same
 * results as kho_fold_search() / kho_fold_exact() without allocating
 * anything once @out has grown. */
void kho_fold_search_append (GString *out, const char *text, gssize length);
void kho_fold_exact_append (GString *out, const char *text, gssize length);

/* Folds one character to its search form: lower case base letter without
 * marks; đ/Đ → d.  Returns 0 for a character that folds to nothing (a lone
 * combining mark). */
gunichar kho_fold_char (gunichar c);

/* TRUE when @text contains any character that folding changes other than
 * by case (a Vietnamese diacritic or đ). */
gboolean kho_fold_has_diacritics (const char *text, gssize length);

/* TRUE for a character that can start or continue a word: a letter or a
 * number (any script).  Combining marks are not word characters by
 * themselves but belong to the word they follow; see
 * kho_fold_is_word_mark(). */
gboolean kho_fold_is_word_char (gunichar c);

/* TRUE for a combining mark (continues a word, never starts one). */
gboolean kho_fold_is_word_mark (gunichar c);

/* Decodes the character at @p (with @end the end of the buffer) into @c
 * and returns the number of bytes it takes.  An invalid or truncated
 * sequence, or a NUL, decodes as U+FFFD taking one byte, so any byte
 * string can be walked without reading past @end.  Requires @p < @end. */
gsize kho_fold_next_char (const char *p, const char *end, gunichar *c);

G_END_DECLS
