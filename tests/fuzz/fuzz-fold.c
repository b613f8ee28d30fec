/* fuzz-fold.c — kho_fold_search and kho_fold_nfc on any bytes.
 *
 * fold.h promises that any byte string (invalid UTF-8, NUL inside an
 * explicit length) is repaired, not refused.  So the output must be valid
 * UTF-8, and folding must be idempotent: folding the output again changes
 * nothing.  Both the explicit-length and the NUL-terminated entry points are
 * run, and the *_append variants must agree with the allocating ones.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/fold.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fail (const char *what, const char *input, gssize length, const char *once, const char *twice)
{
  GString *hex = g_string_new (NULL);
  gsize n = length < 0 ? strlen (input) : (gsize) length;
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (hex, "%02x", (guchar) input[i]);
  fprintf (stderr, "%s: input %s\n  once  %s\n  twice %s\n", what, hex->str,
           once ? once : "(null)", twice ? twice : "(null)");
  g_assert_not_reached ();  /* a finding: abort, as libFuzzer expects */
}

typedef char *(*FoldFunc) (const char *text, gssize length);

static void
check (const char *name, FoldFunc fold, const char *input, gssize length)
{
  char *once = fold (input, length);
  if (once == NULL || !g_utf8_validate (once, -1, NULL))
    fail (name, input, length, once, NULL);
  /* Folding the output again, by length and NUL-terminated. */
  char *twice = fold (once, (gssize) strlen (once));
  char *twice_nul = fold (once, -1);
  if (strcmp (once, twice) != 0 || strcmp (once, twice_nul) != 0)
    fail (name, input, length, once, twice);
  g_free (twice);
  g_free (twice_nul);
  g_free (once);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = data != NULL ? (const char *) data : "";
  char *terminated = g_strndup (text, size);

  check ("kho_fold_search", kho_fold_search, text, (gssize) size);
  check ("kho_fold_nfc", kho_fold_nfc, text, (gssize) size);
  check ("kho_fold_search (NUL-terminated)", kho_fold_search, terminated, -1);
  check ("kho_fold_nfc (NUL-terminated)", kho_fold_nfc, terminated, -1);

  /* The append variant gives the same result after any prefix. */
  char *folded = kho_fold_search (text, (gssize) size);
  GString *out = g_string_new ("x");
  kho_fold_search_append (out, text, (gssize) size);
  if (strcmp (out->str + 1, folded) != 0)
    fail ("kho_fold_search_append", text, (gssize) size, folded, out->str + 1);
  g_string_free (out, TRUE);
  g_free (folded);
  g_free (terminated);
  return 0;
}
