/* audit.h — the audit trail: an append-only, hash-chained log of every
 * event of the archive (ingest and each stage, views and downloads, edits,
 * verifications, exports, deletions), who did it and when.
 *
 * Each entry's hash is the SHA-256 (lower-case hex) of this text, in UTF-8:
 *
 *   "kho-audit-1\n" then, for each of id, time, archive_id, stage, status,
 *   duration_ms, actor, detail, prev_hash in this order: "-\n" when the
 *   value is NULL, else its length in bytes in decimal, ":", the value, "\n"
 *   (integers written in decimal).
 *
 * prev_hash is the hash of the entry before it (by id), 64 zeros for the
 * first.  The lengths make the text unambiguous, so an auditor can
 * recompute every hash with sqlite3 and sha256sum alone.  The last entry's
 * id and hash are kept apart (table audit_head) so that entries deleted
 * from the end are seen too.
 */
#pragma once

#include <glib.h>
#include "index/db.h"

G_BEGIN_DECLS

/* The prev_hash of the first entry. */
#define KHO_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct {
  gint64 id;
  char *time;
  char *archive_id;   /* NULL: an event of no document */
  char *stage;
  char *status;
  gint64 duration_ms; /* -1: none */
  char *actor;
  char *detail;
  char *prev_hash;
  char *hash;
} KhoAuditEntry;

void kho_audit_entry_free (KhoAuditEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoAuditEntry, kho_audit_entry_free)

/* The hash of @entry as defined above (newly allocated), from its fields
 * and its prev_hash; entry->hash is not read. */
char *kho_audit_entry_hash (const KhoAuditEntry *entry);

/* Appends an entry for document @document_id (0: none) with the time now;
 * @actor NULL is the operating-system user.  Within the caller's write
 * transaction (kho_db_begin) when there is one, else in one of its own:
 * the chain's end is read and extended under SQLite's write lock, so
 * processes appending together never fork it.  kho_db_add_event calls it. */
gboolean kho_audit_append (KhoDb *db, gint64 document_id, const char *stage, const char *status,
                           gint64 duration_ms, const char *actor, const char *detail,
                           GError **error);

/* The same with the entry's @time given (ISO 8601 UTC; NULL: now): kho
 * import restores a document's history with the times it happened.  The
 * entry is still appended at the end of the chain. */
gboolean kho_audit_append_at (KhoDb *db, gint64 document_id, const char *time,
                              const char *stage, const char *status, gint64 duration_ms,
                              const char *actor, const char *detail, GError **error);

/* Records that @doc's @what ("original" or "pdf") was given out to @actor
 * (NULL: the operating-system user; kho serve passes "web:ACCOUNT", or
 * "web" for a reader without an account), with @status "ok" or "failed"
 * (the file no longer had its checksum) and an optional @detail (the
 * client's address, say).  One call per download; kho serve calls it once
 * per request that starts at byte 0, not per Range. */
gboolean kho_audit_record_access (KhoDb *db, const KhoDocument *doc, const char *what,
                                  const char *status, const char *actor, const char *detail,
                                  GError **error);

/* Chains the entries written before schema version 7 (hash NULL), in id
 * order, after the last chained one.  The migration to version 7 runs it. */
gboolean kho_audit_chain_unchained (KhoDb *db, GError **error);

typedef enum {
  KHO_AUDIT_OK,
  KHO_AUDIT_CHANGED,     /* the entry's content does not give its hash */
  KHO_AUDIT_UNCHAINED,   /* no hash: written behind kho's back */
  KHO_AUDIT_MISSING,     /* entries before this one were deleted */
  KHO_AUDIT_BROKEN,      /* prev_hash is not the hash of the entry before */
  KHO_AUDIT_TRUNCATED,   /* entries after the last one were deleted */
  KHO_AUDIT_NO_HEAD,     /* the record of the last entry is gone or wrong */
} KhoAuditProblem;

typedef struct {
  gint64 entries;          /* entries read */
  KhoAuditProblem problem; /* KHO_AUDIT_OK when the chain holds */
  gint64 bad_id;           /* the first bad entry (for MISSING and TRUNCATED:
                            * the first missing id) */
  gint64 before_id;        /* the good entry before it, 0 if none */
  char *head_hash;         /* hash of the last entry (or the genesis) */
} KhoAuditCheck;

void kho_audit_check_clear (KhoAuditCheck *check);

/* Walks the whole chain and stops at the first bad entry.  FALSE only on a
 * database error; a broken chain is TRUE with check->problem set. */
gboolean kho_audit_verify (KhoDb *db, KhoAuditCheck *check, GError **error);

/* The entries of document @archive_id (NULL: all), in order, as
 * KhoAuditEntry* (free with g_ptr_array_unref).  A deleted document's
 * entries are found by its archive ID too. */
GPtrArray *kho_audit_list (KhoDb *db, const char *archive_id, GError **error);

/* --- fixity, as the catalogue records it (kho verify) --- */

/* The archived documents to check, as ids (gint64) in a GArray: all in id
 * order (@limit 0), or the @limit checked longest ago, never checked first. */
GArray *kho_audit_fixity_due (KhoDb *db, int limit, GError **error);
/* Records that document @id was checked at @time (ISO 8601 UTC; NULL: now)
 * and found @status ("ok", "changed", "missing", "unreadable"); within the
 * caller's transaction. */
gboolean kho_audit_set_fixity (KhoDb *db, gint64 id, const char *time, const char *status,
                               GError **error);

G_END_DECLS
