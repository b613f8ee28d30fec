/* tokenizer.h — the "kho_vi" FTS5 tokenizer for Vietnamese text.
 *
 * Words are runs of letters and numbers in any script; a combining mark
 * belongs to the word it follows; everything else separates words, so
 * "189/KH-UBND" is the three words 189, kh, ubnd.
 *
 * Documents: each word is emitted in its folded form (see fold.h) and, when
 * that differs from the lower-case NFC form, the exact accented form is
 * emitted at the same position (FTS5_TOKEN_COLOCATED) with a marker so it
 * cannot collide with a folded token.  Offsets are byte offsets into the
 * original text, so snippet() and highlight() mark the right bytes.
 *
 * The marker is the byte KHO_TOKENIZER_EXACT_MARKER (0x01): a folded token
 * starts with a letter or a digit, never with a control character, so
 * "dao" and "\x01đào" are distinct terms.
 *
 * Queries: plain terms are folded, so "dao tao" matches "đào tạo".  Inside a
 * query string, a word immediately preceded by the marker byte is an exact
 * term ("\x01đào" matches only the accented form); this is what
 * kho_query_build() emits to rank exact matches first.  A marked word
 * without diacritics has no exact form in the index and is searched folded.
 * Prefix queries ("đà"*) fold or keep the prefix the same way.
 */
#pragma once

#include <sqlite3.h>

#define KHO_TOKENIZER_EXACT_MARKER '\x01'

/* Registers the tokenizer as "kho_vi" on @db, and the SQL function
 * kho_fold(TEXT), the accent-free search form of its argument (fold.h), for
 * filters such as the issuer's, and the ranking function kho_rank() for
 * doc_fts (rank.h).  Returns an SQLite result code. */
int kho_tokenizer_register (sqlite3 *db);
