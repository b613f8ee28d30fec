/* audit.c — the audit trail: an append-only, hash-chained log of events. */
#define G_LOG_DOMAIN "kho-index"
#include "index/audit.h"
#include "index/db-private.h"

#include <string.h>

#define ENTRY_COLUMNS \
  "id, time, archive_id, stage, status, duration_ms, actor, detail, prev_hash, hash"

void
kho_audit_entry_free (KhoAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->time);
  g_free (entry->archive_id);
  g_free (entry->stage);
  g_free (entry->status);
  g_free (entry->actor);
  g_free (entry->detail);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

static KhoAuditEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  KhoAuditEntry *entry = g_new0 (KhoAuditEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->time = kho_db_column_text (stmt, 1);
  entry->archive_id = kho_db_column_text (stmt, 2);
  entry->stage = kho_db_column_text (stmt, 3);
  entry->status = kho_db_column_text (stmt, 4);
  entry->duration_ms = sqlite3_column_type (stmt, 5) == SQLITE_NULL
                           ? -1 : sqlite3_column_int64 (stmt, 5);
  entry->actor = kho_db_column_text (stmt, 6);
  entry->detail = kho_db_column_text (stmt, 7);
  entry->prev_hash = kho_db_column_text (stmt, 8);
  entry->hash = kho_db_column_text (stmt, 9);
  return entry;
}

static void
append_field (GString *text, const char *value)
{
  if (value == NULL)
    g_string_append (text, "-\n");
  else
    g_string_append_printf (text, "%zu:%s\n", strlen (value), value);
}

char *
kho_audit_entry_hash (const KhoAuditEntry *entry)
{
  g_autoptr (GString) text = g_string_new ("kho-audit-1\n");
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, entry->id);
  g_autofree char *duration = entry->duration_ms >= 0
                                  ? g_strdup_printf ("%" G_GINT64_FORMAT, entry->duration_ms)
                                  : NULL;

  append_field (text, id);
  append_field (text, entry->time);
  append_field (text, entry->archive_id);
  append_field (text, entry->stage);
  append_field (text, entry->status);
  append_field (text, duration);
  append_field (text, entry->actor);
  append_field (text, entry->detail);
  append_field (text, entry->prev_hash);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text->str, text->len);
}

/* The id and hash of the chain's last entry: the recorded head, else (an
 * archive migrated without events) none, 0 and the genesis. */
static gboolean
read_head (KhoDb *db, gint64 *last_id, char **last_hash, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT last_id, last_hash FROM audit_head", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *last_id = sqlite3_column_int64 (stmt, 0);
      *last_hash = kho_db_column_text (stmt, 1);
    }
  else if (rc == SQLITE_DONE)
    {
      *last_id = 0;
      *last_hash = g_strdup (KHO_AUDIT_GENESIS);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return kho_db_sql_error (db, error, "read the audit trail's head");
  return TRUE;
}

static gboolean
write_head (KhoDb *db, gint64 last_id, const char *last_hash, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "INSERT INTO audit_head (one, last_id, last_hash) "
                                           "VALUES (1, ?1, ?2) ON CONFLICT (one) DO UPDATE "
                                           "SET last_id = ?1, last_hash = ?2", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last_id);
  kho_db_bind_text (stmt, 2, last_hash);
  return kho_db_step_done (db, stmt, error);
}

/* The archive ID of document @id, or NULL. */
static char *
archive_id_of (KhoDb *db, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT archive_id FROM documents WHERE id = ?", error);
  char *archive_id = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    archive_id = kho_db_column_text (stmt, 0);
  sqlite3_finalize (stmt);
  return archive_id;
}

/* Appends @entry (its id, prev_hash and hash are set here) after the
 * chain's head; inside a write transaction. */
static gboolean
append_locked (KhoDb *db, gint64 document_id, KhoAuditEntry *entry, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 head_id = 0;

  if (!read_head (db, &head_id, &entry->prev_hash, error))
    return FALSE;
  /* The new entry's id is hashed, so it is chosen here, inside the write
   * lock: after the last entry and after the head, so that an id is never
   * given twice even when entries were deleted from the end. */
  stmt = kho_db_prepare (db, "SELECT max(coalesce(max(id), 0), ?) + 1 FROM events", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, head_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return kho_db_sql_error (db, error, "read the audit trail");
    }
  entry->id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  entry->hash = kho_audit_entry_hash (entry);

  stmt = kho_db_prepare (db, "INSERT INTO events (id, document_id, time, stage, status, "
                             "duration_ms, actor, detail, archive_id, prev_hash, hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->id);
  if (document_id > 0)
    sqlite3_bind_int64 (stmt, 2, document_id);
  else
    sqlite3_bind_null (stmt, 2);
  kho_db_bind_text (stmt, 3, entry->time);
  kho_db_bind_text (stmt, 4, entry->stage);
  kho_db_bind_text (stmt, 5, entry->status);
  if (entry->duration_ms >= 0)
    sqlite3_bind_int64 (stmt, 6, entry->duration_ms);
  else
    sqlite3_bind_null (stmt, 6);
  kho_db_bind_text (stmt, 7, entry->actor);
  kho_db_bind_text (stmt, 8, entry->detail);
  kho_db_bind_text (stmt, 9, entry->archive_id);
  kho_db_bind_text (stmt, 10, entry->prev_hash);
  kho_db_bind_text (stmt, 11, entry->hash);
  return kho_db_step_done (db, stmt, error) && write_head (db, entry->id, entry->hash, error);
}

gboolean
kho_audit_append (KhoDb *db, gint64 document_id, const char *stage, const char *status,
                  gint64 duration_ms, const char *actor, const char *detail, GError **error)
{
  return kho_audit_append_at (db, document_id, NULL, stage, status, duration_ms, actor, detail,
                              error);
}

gboolean
kho_audit_append_at (KhoDb *db, gint64 document_id, const char *time, const char *stage,
                     const char *status, gint64 duration_ms, const char *actor,
                     const char *detail, GError **error)
{
  g_autoptr (KhoAuditEntry) entry = g_new0 (KhoAuditEntry, 1);
  gboolean own = sqlite3_get_autocommit (kho_db_handle (db)) != 0;
  gboolean ok;

  entry->time = time ? g_strdup (time) : kho_db_now ();
  entry->stage = g_strdup (stage);
  entry->status = g_strdup (status);
  entry->duration_ms = duration_ms >= 0 ? duration_ms : -1;
  entry->actor = g_strdup (actor ? actor : g_get_user_name ());
  entry->detail = g_strdup (detail);
  if (own && !kho_db_begin (db, error))
    return FALSE;
  entry->archive_id = document_id > 0 ? archive_id_of (db, document_id, NULL) : NULL;
  ok = append_locked (db, document_id, entry, error);
  if (own)
    {
      if (ok)
        ok = kho_db_commit (db, error);
      if (!ok)
        kho_db_rollback (db);
    }
  return ok;
}

gboolean
kho_audit_record_access (KhoDb *db, const KhoDocument *doc, const char *what, const char *status,
                         const char *actor, const char *detail, GError **error)
{
  g_autofree char *text = detail ? g_strdup_printf ("%s: %s", what, detail) : g_strdup (what);

  return kho_audit_append (db, doc->id, "access", status ? status : "ok", -1, actor, text, error);
}

gboolean
kho_audit_chain_unchained (KhoDb *db, GError **error)
{
  sqlite3_stmt *select = NULL, *update = NULL;
  g_autofree char *prev = NULL;
  gint64 last_id = 0;
  gboolean ok = FALSE;
  int rc;

  if (!read_head (db, &last_id, &prev, error))
    return FALSE;
  select = kho_db_prepare (db, "SELECT " ENTRY_COLUMNS " FROM events WHERE hash IS NULL "
                               "AND id > ? ORDER BY id", error);
  update = kho_db_prepare (db, "UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?", error);
  if (select == NULL || update == NULL)
    goto out;
  sqlite3_bind_int64 (select, 1, last_id);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      g_autoptr (KhoAuditEntry) entry = entry_from_row (select);

      g_free (entry->prev_hash);
      entry->prev_hash = g_strdup (prev);
      entry->hash = kho_audit_entry_hash (entry);
      sqlite3_reset (update);
      kho_db_bind_text (update, 1, entry->prev_hash);
      kho_db_bind_text (update, 2, entry->hash);
      sqlite3_bind_int64 (update, 3, entry->id);
      if (sqlite3_step (update) != SQLITE_DONE)
        {
          kho_db_sql_error (db, error, "chain the audit trail");
          goto out;
        }
      g_free (prev);
      prev = g_strdup (entry->hash);
      last_id = entry->id;
    }
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, "read the audit trail");
      goto out;
    }
  ok = last_id == 0 || write_head (db, last_id, prev, error);

out:
  sqlite3_finalize (select);
  sqlite3_finalize (update);
  return ok;
}

void
kho_audit_check_clear (KhoAuditCheck *check)
{
  g_clear_pointer (&check->head_hash, g_free);
}

gboolean
kho_audit_verify (KhoDb *db, KhoAuditCheck *check, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *prev = g_strdup (KHO_AUDIT_GENESIS);
  g_autofree char *head_hash = NULL;
  gint64 prev_id = 0, head_id = 0;
  int rc;

  memset (check, 0, sizeof *check);
  stmt = kho_db_prepare (db, "SELECT " ENTRY_COLUMNS " FROM events ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (KhoAuditEntry) entry = entry_from_row (stmt);
      g_autofree char *hash = NULL;

      check->entries++;
      if (entry->hash == NULL || entry->prev_hash == NULL)
        check->problem = KHO_AUDIT_UNCHAINED;
      else if ((hash = kho_audit_entry_hash (entry)) && strcmp (hash, entry->hash) != 0)
        check->problem = KHO_AUDIT_CHANGED;
      else if (strcmp (entry->prev_hash, prev) != 0)
        /* Chained after an entry that is not the one before it: entries
         * between were deleted (a gap in the ids), or the one before was
         * changed and its hash written again. */
        check->problem = entry->id != prev_id + 1 ? KHO_AUDIT_MISSING : KHO_AUDIT_BROKEN;
      else if (entry->id != prev_id + 1)
        check->problem = KHO_AUDIT_MISSING;
      if (check->problem != KHO_AUDIT_OK)
        {
          check->bad_id = check->problem == KHO_AUDIT_MISSING ? prev_id + 1 : entry->id;
          check->before_id = prev_id;
          break;
        }
      g_free (prev);
      prev = g_strdup (entry->hash);
      prev_id = entry->id;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return kho_db_sql_error (db, error, "read the audit trail");
  check->head_hash = g_strdup (prev);
  if (check->problem != KHO_AUDIT_OK)
    return TRUE;
  /* The end: the recorded head must be the last entry read. */
  if (!read_head (db, &head_id, &head_hash, error))
    return FALSE;
  if (head_id > prev_id)
    {
      check->problem = KHO_AUDIT_TRUNCATED;
      check->bad_id = prev_id + 1;
      check->before_id = prev_id;
    }
  else if (head_id != prev_id || strcmp (head_hash, prev) != 0)
    {
      /* Entries after the head were added behind kho's back, or the head
       * itself was changed. */
      check->problem = KHO_AUDIT_NO_HEAD;
      check->bad_id = head_id < prev_id ? head_id + 1 : prev_id;
      check->before_id = head_id < prev_id ? head_id : prev_id - 1;
    }
  return TRUE;
}

GPtrArray *
kho_audit_list (KhoDb *db, const char *archive_id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, archive_id
                                           ? "SELECT " ENTRY_COLUMNS " FROM events "
                                             "WHERE archive_id = ? ORDER BY id"
                                           : "SELECT " ENTRY_COLUMNS " FROM events ORDER BY id",
                                       error);

  if (stmt == NULL)
    return NULL;
  if (archive_id)
    kho_db_bind_text (stmt, 1, archive_id);
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) entry_from_row,
                              (GDestroyNotify) kho_audit_entry_free, "read the audit trail", error);
}

GArray *
kho_audit_fixity_due (KhoDb *db, int limit, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, limit > 0
                                           ? "SELECT id FROM documents WHERE status = 'archived' "
                                             "ORDER BY verified IS NOT NULL, verified, id LIMIT ?"
                                           : "SELECT id FROM documents WHERE status = 'archived' "
                                             "ORDER BY id", error);

  if (stmt == NULL)
    return NULL;
  if (limit > 0)
    sqlite3_bind_int (stmt, 1, limit);
  return kho_db_collect_ids (db, stmt, "list documents to verify", error);
}

gboolean
kho_audit_set_fixity (KhoDb *db, gint64 id, const char *time, const char *status,
                      GError **error)
{
  g_autofree char *now = time ? g_strdup (time) : kho_db_now ();
  sqlite3_stmt *stmt = kho_db_prepare (db, "UPDATE documents SET verified = ?, fixity = ? "
                                           "WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, now);
  kho_db_bind_text (stmt, 2, status);
  sqlite3_bind_int64 (stmt, 3, id);
  return kho_db_step_done (db, stmt, error);
}
