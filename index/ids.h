/* ids.h — archive identifiers: "PREFIX-YEAR-SERIAL" and SHA-256 references.
 *
 * Every command that takes a document accepts its archive ID
 * (KHO-2026-000123), the SHA-256 of its original, or a unique prefix of that
 * hash of at least 8 hex digits.  This module only parses; resolving a
 * reference against the database is kho_db_resolve().
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  KHO_ID_INVALID = 0,
  KHO_ID_ARCHIVE,      /* PREFIX-YYYY-NNNNNN */
  KHO_ID_SHA256,       /* 64 hex digits */
  KHO_ID_SHA256_PREFIX /* 8 to 63 hex digits */
} KhoIdKind;

#define KHO_ID_MIN_PREFIX 8
#define KHO_ID_PREFIX_MAX_LEN 16

/* Classifies @text.  For KHO_ID_SHA256 and KHO_ID_SHA256_PREFIX,
 * @normalized (if not NULL) receives the lower-case hex; for KHO_ID_ARCHIVE
 * the upper-case ID.  Free with g_free. */
KhoIdKind kho_id_parse (const char *text, char **normalized);

/* TRUE when @prefix is a valid archive ID prefix: 1 to 16 characters, an
 * ASCII letter first, then letters or digits. */
gboolean kho_id_prefix_is_valid (const char *prefix);

/* Formats an archive ID, e.g. ("KHO", 2026, 123) → "KHO-2026-000123". */
char *kho_id_format (const char *prefix, int year, gint64 serial);

G_END_DECLS
