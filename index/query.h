/* query.h — turn what a user types into a safe FTS5 MATCH expression.
 *
 * Users type anything: quotes, '*', '(', 'NEAR', '-', ':', 'AND'.  The
 * expression built here never makes FTS5 report a syntax error: every term
 * is quoted, and only a small, documented query language is honoured:
 *   words            all must occur (any accents: "dao tao" finds "đào tạo")
 *   "a phrase"       the words next to each other (a missing closing quote
 *                    ends the phrase at the end of the query)
 *   word*            a prefix (at least 2 characters before the *)
 *   "a phr"*         a phrase whose last word is a prefix
 *   -word, -"a b"    must not occur, with any accents (only together with a
 *                    positive term; a query of exclusions alone finds nothing)
 * Everything else is treated as text: punctuation separates words, and a
 * group of words joined by punctuation ("189/KH-UBND", "title:x") is searched
 * as a phrase.  AND, OR, NOT and NEAR are ordinary words.  At most
 * KHO_QUERY_MAX_WORDS words are used; the rest of the query is ignored.
 *
 * The expression, for the folded form F (every term folded) and the exact
 * form E (each word that has diacritics replaced by its exact term, see
 * tokenizer.h):
 *   F                              when the query has no diacritics
 *   (F) OR (E)                     when it has
 *   (...) NOT (x1 OR x2 ...)       with exclusions
 * E implies F (an exact token is always colocated with its folded token),
 * so the OR matches exactly what F matches; but bm25 sums over every
 * phrase of the expression, so documents that also match E score higher.
 * Example: "Đào tạo" → ("dao" AND "tao") OR ("\x01đào" AND "\x01tạo").
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KHO_QUERY_MAX_WORDS 32

/* Returns the MATCH expression for @user_query, or NULL when the query has
 * no searchable term (the caller then returns no results).  When the query
 * carries diacritics, the expression also scores documents containing the
 * exact accented words higher.  @user_query may be NULL or invalid UTF-8.
 * Newly allocated. */
char *kho_query_build (const char *user_query);

/* The expression F alone: the same documents as kho_query_build's, without
 * the exact words that only change their scores; cheaper to evaluate, for
 * counting them.  NULL as kho_query_build. */
char *kho_query_build_matching (const char *user_query);

G_END_DECLS
