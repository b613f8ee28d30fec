/* tokenizer.c — the "kho_vi" FTS5 tokenizer for Vietnamese text. */
#include "index/tokenizer.h"

#include <glib.h>
#include <string.h>

#include "index/fold.h"
#include "index/rank.h"

typedef int (*TokenCallback) (void *context, int flags, const char *token,
                              int token_length, int start, int end);

/* The tokenizer has no options and no state; FTS5 still wants an object. */
typedef struct {
  int unused;
} KhoViTokenizer;

static int
kho_vi_create (void *user_data, const char **arguments, int n_arguments,
               Fts5Tokenizer **out)
{
  (void) user_data;
  (void) arguments;
  if (n_arguments != 0)
    return SQLITE_ERROR;  /* no options: refuse rather than ignore a typo */
  *out = (Fts5Tokenizer *) g_new0 (KhoViTokenizer, 1);
  return SQLITE_OK;
}

static void
kho_vi_delete (Fts5Tokenizer *tokenizer)
{
  g_free (tokenizer);
}

/* Emits one word [word, word + length) found at byte @start of the text. */
static int
emit_word (void *context, TokenCallback emit, gboolean query, gboolean marked,
           gboolean ascii, const char *word, gsize length, int start,
           GString *folded, GString *exact)
{
  gboolean differs;
  int rc;

  g_string_truncate (folded, 0);
  if (ascii) {
    gsize i;

    g_string_append_len (folded, word, (gssize) length);
    for (i = 0; i < length; i++)
      folded->str[i] = g_ascii_tolower (folded->str[i]);
    return emit (context, 0, folded->str, (int) folded->len, start, start + (int) length);
  }

  kho_fold_search_append (folded, word, (gssize) length);
  if (folded->len == 0)
    return SQLITE_OK;
  g_string_truncate (exact, 0);
  g_string_append_c (exact, KHO_TOKENIZER_EXACT_MARKER);
  kho_fold_exact_append (exact, word, (gssize) length);
  differs = strcmp (exact->str + 1, folded->str) != 0;

  if (query) {
    if (marked && differs)
      return emit (context, 0, exact->str, (int) exact->len, start, start + (int) length);
    return emit (context, 0, folded->str, (int) folded->len, start, start + (int) length);
  }
  rc = emit (context, 0, folded->str, (int) folded->len, start, start + (int) length);
  if (rc == SQLITE_OK && differs)
    rc = emit (context, FTS5_TOKEN_COLOCATED, exact->str, (int) exact->len,
               start, start + (int) length);
  return rc;
}

static int
kho_vi_tokenize (Fts5Tokenizer *tokenizer, void *context, int flags,
                 const char *text, int text_length, TokenCallback emit)
{
  const char *p = text;
  const char *end = text + (text_length > 0 ? text_length : 0);
  gboolean query = (flags & FTS5_TOKENIZE_QUERY) != 0;
  gboolean marked = FALSE;
  GString *folded = NULL;
  GString *exact = NULL;
  int rc = SQLITE_OK;

  (void) tokenizer;
  if (text == NULL || text_length <= 0)
    return SQLITE_OK;
  folded = g_string_sized_new (64);
  exact = g_string_sized_new (64);

  while (p < end) {
    const char *word;
    gboolean ascii = TRUE;
    gunichar c;
    gsize n;

    /* Skip to the start of a word; in a query, remember a marker byte
     * standing right before it. */
    if ((guchar) *p < 0x80) {
      if (!g_ascii_isalnum (*p)) {
        marked = query && *p == KHO_TOKENIZER_EXACT_MARKER;
        p++;
        continue;
      }
    } else {
      n = kho_fold_next_char (p, end, &c);
      if (!kho_fold_is_word_char (c)) {
        marked = FALSE;
        p += n;
        continue;
      }
    }

    word = p;
    while (p < end) {
      if ((guchar) *p < 0x80) {
        if (!g_ascii_isalnum (*p))
          break;
        p++;
        continue;
      }
      n = kho_fold_next_char (p, end, &c);
      if (!kho_fold_is_word_char (c) && !kho_fold_is_word_mark (c))
        break;
      ascii = FALSE;
      p += n;
    }

    rc = emit_word (context, emit, query, marked, ascii, word, (gsize) (p - word),
                    (int) (word - text), folded, exact);
    marked = FALSE;
    if (rc != SQLITE_OK)
      break;
  }

  g_string_free (folded, TRUE);
  g_string_free (exact, TRUE);
  return rc;
}

static fts5_api *
fts5_api_from_db (sqlite3 *db)
{
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_pointer (stmt, 1, (void *) &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return api;
}

/* SQL kho_fold(TEXT): kho_fold_search() of its argument; NULL stays NULL. */
static void
sql_fold (sqlite3_context *context, int argc, sqlite3_value **argv)
{
  const unsigned char *text = sqlite3_value_text (argv[0]);
  char *folded;

  (void) argc;
  if (text == NULL)
    {
      sqlite3_result_null (context);
      return;
    }
  folded = kho_fold_search ((const char *) text, sqlite3_value_bytes (argv[0]));
  sqlite3_result_text (context, folded, -1, g_free);
}

int
kho_tokenizer_register (sqlite3 *db)
{
  static fts5_tokenizer kho_vi = {
    kho_vi_create,
    kho_vi_delete,
    kho_vi_tokenize,
  };
  fts5_api *api;
  int rc;

  if (db == NULL)
    return SQLITE_MISUSE;
  api = fts5_api_from_db (db);
  if (api == NULL || api->iVersion < 2)
    return SQLITE_ERROR;  /* SQLite built without FTS5 */
  rc = sqlite3_create_function (db, "kho_fold", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                sql_fold, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = kho_rank_register (db, api, "doc_fts");
  if (rc != SQLITE_OK)
    return rc;
  return api->xCreateTokenizer (api, "kho_vi", NULL, &kho_vi, NULL);
}
