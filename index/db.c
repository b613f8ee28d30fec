/* db.c — the archive's SQLite catalogue: schema, migrations, documents,
 * pages, stage events and the full-text index. */
#define G_LOG_DOMAIN "kho-index"
#include "index/db.h"
#include "index/db-private.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "index/ids.h"
#include "index/schema.h"
#include "index/schema-v2.h"
#include "index/schema-v3.h"
#include "index/schema-v4.h"
#include "index/schema-v5.h"
#include "index/schema-v6.h"
#include "index/schema-v7.h"
#include "index/audit.h"
#include "index/tokenizer.h"


G_DEFINE_QUARK (kho-db-error-quark, kho_db_error)

struct KhoDb {
  sqlite3 *handle;
  char *path;
};

/* Migrations: entry i takes the schema from version i to i + 1.  Never edit
 * a shipped entry; append a new one and raise KHO_DB_SCHEMA_VERSION. */
static const char *const migrations[KHO_DB_SCHEMA_VERSION] = {
  kho_schema_v1,
  kho_schema_v2,
  kho_schema_v3,
  kho_schema_v4,
  kho_schema_v5,
  kho_schema_v6,
  kho_schema_v7,
};

/* What a migration does beyond its SQL, in C, in the same transaction:
 * entry i runs after migrations[i]. */
static gboolean (*const migration_steps[KHO_DB_SCHEMA_VERSION]) (KhoDb *db, GError **error) = {
  [6] = kho_audit_chain_unchained,   /* v7: chain the events written before */
};

const char *const kho_stages[KHO_N_STAGES] = { "intake", "ocr", "classify", "assemble", "index" };

const char *
kho_stage_next (const char *stage)
{
  for (int i = 0; i + 1 < KHO_N_STAGES; i++)
    if (g_strcmp0 (stage, kho_stages[i]) == 0)
      return kho_stages[i + 1];
  return g_strcmp0 (stage, "index") == 0 ? "index" : "intake";
}

/* The KhoDbError for SQLite result code @rc. */
static int
error_code (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL: return KHO_DB_ERROR_FULL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return KHO_DB_ERROR_BUSY;
    default: return KHO_DB_ERROR_SQL;
    }
}

gboolean
kho_db_sql_error (KhoDb *db, GError **error, const char *what)
{
  g_set_error (error, KHO_DB_ERROR, error_code (sqlite3_errcode (db->handle)),
               "database %s: %s: %s", db->path, what, sqlite3_errmsg (db->handle));
  return FALSE;
}

gboolean
kho_db_exec (KhoDb *db, const char *sql, GError **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (db->handle, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, KHO_DB_ERROR, error_code (rc), "database %s: %s",
                   db->path, message ? message : sqlite3_errmsg (db->handle));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
kho_db_prepare (KhoDb *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db->handle, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      kho_db_sql_error (db, error, "prepare");
      return NULL;
    }
  return stmt;
}

gboolean
kho_db_step_done (KhoDb *db, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);
  gboolean ok = rc == SQLITE_DONE || rc == SQLITE_ROW;

  if (!ok)
    kho_db_sql_error (db, error, "write");
  sqlite3_finalize (stmt);
  return ok;
}

GPtrArray *
kho_db_collect_rows (KhoDb *db, sqlite3_stmt *stmt, KhoDbRowFunc from_row,
                     GDestroyNotify free_row, const char *what, GError **error)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (free_row);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, what);
      g_clear_pointer (&rows, g_ptr_array_unref);
    }
  sqlite3_finalize (stmt);
  return rows;
}

GArray *
kho_db_collect_ids (KhoDb *db, sqlite3_stmt *stmt, const char *what, GError **error)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, what);
      g_clear_pointer (&ids, g_array_unref);
    }
  sqlite3_finalize (stmt);
  return ids;
}

void
kho_db_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

char *
kho_db_column_text (sqlite3_stmt *stmt, int index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);
  return text ? g_strdup ((const char *) text) : NULL;
}

char *
kho_db_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static int
user_version (KhoDb *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db->handle, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* Checks every foreign key, then enforces them. */
static gboolean
foreign_keys_on (KhoDb *db, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "PRAGMA foreign_key_check", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL,
                   "database %s: a row refers to one that is missing (foreign_key_check)",
                   db->path);
      return FALSE;
    }
  return kho_db_exec (db, "PRAGMA foreign_keys = ON", error);
}

static gboolean
migrate (KhoDb *db, GError **error)
{
  int version = user_version (db);

  if (version < 0)
    return kho_db_sql_error (db, error, "read schema version");
  if (version > KHO_DB_SCHEMA_VERSION)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_VERSION,
                   _("database %s has schema version %d; this kho knows up to %d: upgrade kho"),
                   db->path, version, KHO_DB_SCHEMA_VERSION);
      return FALSE;
    }
  /* A migration may build a table again (version 5): foreign keys are
   * off meanwhile, and checked after.  Only then: the check reads every
   * row of every table that has a foreign key (0.4 s at 100 000
   * documents), at each start of every command. */
  if (version == KHO_DB_SCHEMA_VERSION)
    return kho_db_exec (db, "PRAGMA foreign_keys = ON", error);
  if (!kho_db_exec (db, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  while (version < KHO_DB_SCHEMA_VERSION)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!kho_db_begin (db, error))
        return FALSE;
      if (!kho_db_exec (db, migrations[version], error) ||
          (migration_steps[version] && !migration_steps[version] (db, error)) ||
          !kho_db_exec (db, set_version, error))
        {
          kho_db_rollback (db);
          return FALSE;
        }
      if (!kho_db_commit (db, error))
        return FALSE;
      g_debug ("database %s: schema migrated to version %d", db->path, version + 1);
      version++;
    }
  return foreign_keys_on (db, error);
}

KhoDb *
kho_db_open (const char *path, GError **error)
{
  KhoDb *db = g_new0 (KhoDb, 1);
  int rc;

  db->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &db->handle,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL, _("database %s: cannot open: %s"),
                   path, db->handle ? sqlite3_errmsg (db->handle) : sqlite3_errstr (rc));
      goto fail;
    }
  sqlite3_extended_result_codes (db->handle, 1);
  /* Another process (a worker, kho serve) may hold the write lock briefly. */
  sqlite3_busy_timeout (db->handle, 30000);
  if (kho_tokenizer_register (db->handle) != SQLITE_OK)
    {
      kho_db_sql_error (db, error, "register tokenizer");
      goto fail;
    }
  if (!kho_db_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                 "PRAGMA foreign_keys = ON;", error))
    goto fail;
  if (!migrate (db, error))
    goto fail;
  return db;

fail:
  kho_db_close (db);
  return NULL;
}

void
kho_db_close (KhoDb *db)
{
  if (db == NULL)
    return;
  sqlite3_close_v2 (db->handle);
  g_free (db->path);
  g_free (db);
}

sqlite3 *
kho_db_handle (KhoDb *db)
{
  return db->handle;
}

int
kho_db_schema_version (KhoDb *db)
{
  return user_version (db);
}

gboolean
kho_db_begin (KhoDb *db, GError **error)
{
  return kho_db_exec (db, "BEGIN IMMEDIATE", error);
}

gboolean
kho_db_commit (KhoDb *db, GError **error)
{
  return kho_db_exec (db, "COMMIT", error);
}

void
kho_db_rollback (KhoDb *db)
{
  if (!sqlite3_get_autocommit (db->handle))
    sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
}

#define DOCUMENT_COLUMNS \
  "id, archive_id, sha256, size, format, file_name, title, language, page_count, " \
  "pdf_sha256, pdf_size, issued, status, stage, error, created, part, " \
  "coalesce(first_page, 0), coalesce(last_page, 0), verified, fixity"

static KhoDocument *
document_from_row (sqlite3_stmt *stmt)
{
  KhoDocument *doc = g_new0 (KhoDocument, 1);

  doc->id = sqlite3_column_int64 (stmt, 0);
  doc->archive_id = kho_db_column_text (stmt, 1);
  doc->sha256 = kho_db_column_text (stmt, 2);
  doc->size = sqlite3_column_int64 (stmt, 3);
  doc->format = kho_db_column_text (stmt, 4);
  doc->file_name = kho_db_column_text (stmt, 5);
  doc->title = kho_db_column_text (stmt, 6);
  doc->language = kho_db_column_text (stmt, 7);
  doc->page_count = sqlite3_column_int (stmt, 8);
  doc->pdf_sha256 = kho_db_column_text (stmt, 9);
  doc->pdf_size = sqlite3_column_int64 (stmt, 10);
  doc->issued = kho_db_column_text (stmt, 11);
  doc->status = kho_db_column_text (stmt, 12);
  doc->stage = kho_db_column_text (stmt, 13);
  doc->error = kho_db_column_text (stmt, 14);
  doc->created = kho_db_column_text (stmt, 15);
  doc->part = sqlite3_column_int (stmt, 16);
  doc->first_page = sqlite3_column_int (stmt, 17);
  doc->last_page = sqlite3_column_int (stmt, 18);
  doc->verified = kho_db_column_text (stmt, 19);
  doc->fixity = kho_db_column_text (stmt, 20);
  return doc;
}

/* Runs a one-parameter document query; NULL without error when no row. */
static KhoDocument *
query_document (KhoDb *db, const char *sql, const char *text_key, gint64 int_key,
                GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, sql, error);
  KhoDocument *doc = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (text_key)
    kho_db_bind_text (stmt, 1, text_key);
  else
    sqlite3_bind_int64 (stmt, 1, int_key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    doc = document_from_row (stmt);
  else if (rc != SQLITE_DONE)
    kho_db_sql_error (db, error, "read document");
  sqlite3_finalize (stmt);
  return doc;
}

KhoDocument *
kho_db_get_document (KhoDb *db, gint64 id, GError **error)
{
  GError *local = NULL;
  KhoDocument *doc = query_document (db, "SELECT " DOCUMENT_COLUMNS " FROM documents WHERE id = ?",
                                     NULL, id, &local);

  if (doc == NULL && local == NULL)
    g_set_error (&local, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND, _("no document %lld"),
                 (long long) id);
  if (local)
    g_propagate_error (error, local);
  return doc;
}

KhoDocument *
kho_db_find_sha256 (KhoDb *db, const char *sha256, GError **error)
{
  /* A scan split in parts has several rows: an unfinished one first, so
   * that a scan is a duplicate only once every part of it is archived. */
  return query_document (db, "SELECT " DOCUMENT_COLUMNS " FROM documents WHERE sha256 = ? "
                             "ORDER BY status = 'processing' DESC, part LIMIT 1",
                         sha256, 0, error);
}

KhoDocument *
kho_db_find_part (KhoDb *db, const char *sha256, int part, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT " DOCUMENT_COLUMNS " FROM documents "
                                           "WHERE sha256 = ? AND part = ?", error);
  KhoDocument *doc = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  kho_db_bind_text (stmt, 1, sha256);
  sqlite3_bind_int (stmt, 2, part);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    doc = document_from_row (stmt);
  else if (rc != SQLITE_DONE)
    kho_db_sql_error (db, error, "read document");
  sqlite3_finalize (stmt);
  return doc;
}

GPtrArray *
kho_db_list_unfinished (KhoDb *db, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT " DOCUMENT_COLUMNS " FROM documents "
                                    "WHERE status = 'processing' ORDER BY id", error);

  if (stmt == NULL)
    return NULL;
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) document_from_row,
                              (GDestroyNotify) kho_document_free, "list unfinished documents",
                              error);
}

gint64
kho_db_resolve (KhoDb *db, const char *reference, GError **error)
{
  g_autofree char *normalized = NULL;
  KhoIdKind kind = kho_id_parse (reference, &normalized);
  sqlite3_stmt *stmt = NULL;
  gint64 id = -1;
  int rc, matches = 0;

  if (kind == KHO_ID_INVALID)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_INVALID_ID,
                   _("“%s” is not an archive ID (like KHO-2026-000001) nor a SHA-256 "
                     "(at least %d hex digits)"), reference, KHO_ID_MIN_PREFIX);
      return -1;
    }
  if (kind == KHO_ID_ARCHIVE)
    stmt = kho_db_prepare (db, "SELECT id FROM documents WHERE archive_id = ?", error);
  else
    /* A range scan on the unique index: sha256 >= prefix AND < prefix + 'g'. */
    stmt = kho_db_prepare (db, "SELECT id FROM documents WHERE sha256 >= ?1 AND sha256 < ?1 || 'g' LIMIT 2",
                    error);
  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, normalized);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      matches++;
    }
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, "resolve");
      id = -1;
    }
  else if (matches == 0)
    g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND, _("no document %s"), reference);
  else if (matches > 1)
    g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_AMBIGUOUS,
                 _("%s matches several documents; give more hex digits"), reference);
  if (matches != 1)
    id = -1;
  sqlite3_finalize (stmt);
  return id;
}

gint64
kho_db_insert_document (KhoDb *db, const char *prefix, int year, KhoDocument *doc,
                        GError **error)
{
  sqlite3_stmt *stmt;
  gint64 serial = 1;

  stmt = kho_db_prepare (db, "INSERT INTO serials (prefix, year, last) VALUES (?1, ?2, 1) "
                      "ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 "
                      "RETURNING last", error);
  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, prefix);
  sqlite3_bind_int (stmt, 2, year);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      kho_db_sql_error (db, error, "allocate serial");
      sqlite3_finalize (stmt);
      return -1;
    }
  serial = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  g_free (doc->archive_id);
  doc->archive_id = kho_id_format (prefix, year, serial);
  stmt = kho_db_prepare (db, "INSERT INTO documents (archive_id, sha256, size, format, file_name, "
                      "language, created, status, stage, part, first_page, last_page) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, 'processing', 'intake', ?, ?, ?)", error);
  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, doc->archive_id);
  kho_db_bind_text (stmt, 2, doc->sha256);
  sqlite3_bind_int64 (stmt, 3, doc->size);
  kho_db_bind_text (stmt, 4, doc->format);
  kho_db_bind_text (stmt, 5, doc->file_name);
  kho_db_bind_text (stmt, 6, doc->language ? doc->language : "vi");
  kho_db_bind_text (stmt, 7, doc->created);
  sqlite3_bind_int (stmt, 8, doc->part);
  if (doc->part > 0)
    {
      sqlite3_bind_int (stmt, 9, doc->first_page);
      sqlite3_bind_int (stmt, 10, doc->last_page);
    }
  if (!kho_db_step_done (db, stmt, error))
    return -1;
  doc->id = sqlite3_last_insert_rowid (db->handle);
  return doc->id;
}

static gboolean
exec_with_id (KhoDb *db, const char *sql, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return kho_db_step_done (db, stmt, error);
}

gboolean
kho_db_delete_document (KhoDb *db, gint64 id, GError **error)
{
  return exec_with_id (db, "DELETE FROM doc_fts WHERE rowid = ?", id, error) &&
         exec_with_id (db, "DELETE FROM documents WHERE id = ?", id, error);
}

gboolean
kho_db_set_stage (KhoDb *db, gint64 id, const char *stage, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "UPDATE documents SET stage = ?2 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  kho_db_bind_text (stmt, 2, stage);
  return kho_db_step_done (db, stmt, error);
}

gboolean
kho_db_set_assembled (KhoDb *db, gint64 id, const char *title, int page_count,
                      const char *pdf_sha256, gint64 pdf_size, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "UPDATE documents SET title = ?2, page_count = ?3, "
                                    "pdf_sha256 = ?4, pdf_size = ?5, stage = 'assemble' "
                                    "WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  kho_db_bind_text (stmt, 2, title);
  sqlite3_bind_int (stmt, 3, page_count);
  kho_db_bind_text (stmt, 4, pdf_sha256);
  sqlite3_bind_int64 (stmt, 5, pdf_size);
  return kho_db_step_done (db, stmt, error);
}

gboolean
kho_db_index_document (KhoDb *db, gint64 id, GError **error)
{
  /* The title column has the title and the fields a reader searches by
   * (type, number, issuer, subject, signer); the body is the pages' text in
   * order (group_concat's order follows the primary key scan of the WITHOUT
   * ROWID pages table). */
  return exec_with_id (db, "DELETE FROM doc_fts WHERE rowid = ?", id, error) &&
         exec_with_id (db, "INSERT INTO doc_fts (rowid, title, body) "
                           "SELECT d.id, coalesce(d.title, '') || ' ' || "
                           "  coalesce((SELECT group_concat(value, ' ') FROM fields "
                           "    WHERE document_id = d.id AND name IN ('type', 'number', "
                           "    'notation', 'issuer', 'subject', 'signer_name')), ''), "
                           "  coalesce((SELECT group_concat(text, char(10, 12, 10)) FROM "
                           "    (SELECT text FROM pages WHERE document_id = d.id ORDER BY number)), '') "
                           "FROM documents d WHERE d.id = ?", id, error) &&
         exec_with_id (db, "UPDATE documents SET status = 'archived', stage = 'index', "
                           "error = NULL WHERE id = ?", id, error);
}

gboolean
kho_db_insert_page (KhoDb *db, gint64 document_id, const KhoPageRow *page, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "INSERT OR REPLACE INTO pages (document_id, number, width, "
                                    "height, dpi, rotation, skew, text_source, confidence, blank, "
                                    "text, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, document_id);
  sqlite3_bind_int (stmt, 2, page->number);
  sqlite3_bind_int (stmt, 3, page->width);
  sqlite3_bind_int (stmt, 4, page->height);
  sqlite3_bind_int (stmt, 5, page->dpi);
  sqlite3_bind_int (stmt, 6, page->rotation);
  sqlite3_bind_double (stmt, 7, page->skew);
  kho_db_bind_text (stmt, 8, page->text_source);
  sqlite3_bind_double (stmt, 9, page->confidence);
  sqlite3_bind_int (stmt, 10, page->blank ? 1 : 0);
  kho_db_bind_text (stmt, 11, page->text ? page->text : "");
  kho_db_bind_text (stmt, 12, page->words ? page->words : "");
  return kho_db_step_done (db, stmt, error);
}

static KhoPageRow *
page_from_row (sqlite3_stmt *stmt)
{
  KhoPageRow *page = g_new0 (KhoPageRow, 1);

  page->number = sqlite3_column_int (stmt, 0);
  page->width = sqlite3_column_int (stmt, 1);
  page->height = sqlite3_column_int (stmt, 2);
  page->dpi = sqlite3_column_int (stmt, 3);
  page->rotation = sqlite3_column_int (stmt, 4);
  page->skew = sqlite3_column_double (stmt, 5);
  page->text_source = kho_db_column_text (stmt, 6);
  page->confidence = sqlite3_column_double (stmt, 7);
  page->blank = sqlite3_column_int (stmt, 8) != 0;
  page->text = kho_db_column_text (stmt, 9);
  page->words = kho_db_column_text (stmt, 10);
  return page;
}

GPtrArray *
kho_db_get_pages (KhoDb *db, gint64 document_id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT number, width, height, dpi, rotation, skew, "
                                    "text_source, confidence, blank, text, words FROM pages "
                                    "WHERE document_id = ? ORDER BY number", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, document_id);
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) page_from_row,
                              (GDestroyNotify) kho_page_row_free, "read pages", error);
}

gboolean
kho_db_add_event (KhoDb *db, gint64 document_id, const char *stage, const char *status,
                  gint64 duration_ms, const char *actor, const char *detail, GError **error)
{
  /* Every event is an entry of the hash-chained audit trail. */
  return kho_audit_append (db, document_id, stage, status, duration_ms, actor, detail, error);
}

static KhoEventRow *
event_from_row (sqlite3_stmt *stmt)
{
  KhoEventRow *event = g_new0 (KhoEventRow, 1);

  event->time = kho_db_column_text (stmt, 0);
  event->stage = kho_db_column_text (stmt, 1);
  event->status = kho_db_column_text (stmt, 2);
  event->duration_ms = sqlite3_column_type (stmt, 3) == SQLITE_NULL
                           ? -1 : sqlite3_column_int64 (stmt, 3);
  event->actor = kho_db_column_text (stmt, 4);
  event->detail = kho_db_column_text (stmt, 5);
  return event;
}

GPtrArray *
kho_db_get_events (KhoDb *db, gint64 document_id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT time, stage, status, duration_ms, actor, detail "
                                    "FROM events WHERE document_id = ? ORDER BY id", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, document_id);
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) event_from_row,
                              (GDestroyNotify) kho_event_row_free, "read events", error);
}

void
kho_document_free (KhoDocument *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->archive_id);
  g_free (doc->sha256);
  g_free (doc->format);
  g_free (doc->file_name);
  g_free (doc->title);
  g_free (doc->language);
  g_free (doc->pdf_sha256);
  g_free (doc->issued);
  g_free (doc->status);
  g_free (doc->stage);
  g_free (doc->error);
  g_free (doc->created);
  g_free (doc->verified);
  g_free (doc->fixity);
  g_free (doc);
}

void
kho_page_row_free (KhoPageRow *page)
{
  if (page == NULL)
    return;
  g_free (page->text_source);
  g_free (page->text);
  g_free (page->words);
  g_free (page);
}

void
kho_event_row_free (KhoEventRow *event)
{
  if (event == NULL)
    return;
  g_free (event->time);
  g_free (event->stage);
  g_free (event->status);
  g_free (event->actor);
  g_free (event->detail);
  g_free (event);
}

/* --- Metadata fields --- */

void
kho_field_row_free (KhoFieldRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row->value);
  g_free (row->source);
  g_free (row->updated);
  g_free (row);
}

gboolean
kho_db_set_field (KhoDb *db, gint64 id, const char *name, const char *value,
                  const char *source, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt;
  gboolean user = g_strcmp0 (source, "user") == 0;

  if (value == NULL || *value == '\0')
    {
      stmt = kho_db_prepare (db, "DELETE FROM fields WHERE document_id = ? AND name = ? "
                                 "AND (? OR source <> 'user')", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      kho_db_bind_text (stmt, 2, name);
      sqlite3_bind_int (stmt, 3, user);
    }
  else
    {
      stmt = kho_db_prepare (db, "INSERT INTO fields (document_id, name, value, source, updated) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (document_id, name) "
                                 "DO UPDATE SET value = ?3, source = ?4, updated = ?5 "
                                 "WHERE ?4 = 'user' OR fields.source <> 'user'", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      kho_db_bind_text (stmt, 2, name);
      kho_db_bind_text (stmt, 3, value);
      kho_db_bind_text (stmt, 4, user ? "user" : "auto");
      kho_db_bind_text (stmt, 5, now);
    }
  if (!kho_db_step_done (db, stmt, error))
    return FALSE;
  if (g_strcmp0 (name, "issued") != 0)
    return TRUE;
  stmt = kho_db_prepare (db, "UPDATE documents SET issued = (SELECT value FROM fields "
                             "WHERE document_id = ?1 AND name = 'issued') WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return kho_db_step_done (db, stmt, error);
}

static KhoFieldRow *
field_from_row (sqlite3_stmt *stmt)
{
  KhoFieldRow *row = g_new0 (KhoFieldRow, 1);

  row->name = kho_db_column_text (stmt, 0);
  row->value = kho_db_column_text (stmt, 1);
  row->source = kho_db_column_text (stmt, 2);
  row->updated = kho_db_column_text (stmt, 3);
  return row;
}

GPtrArray *
kho_db_get_fields (KhoDb *db, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT name, value, source, updated FROM fields "
                                           "WHERE document_id = ? ORDER BY name", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) field_from_row,
                              (GDestroyNotify) kho_field_row_free, "read fields", error);
}

char *
kho_db_get_field (KhoDb *db, gint64 id, const char *name)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT value FROM fields WHERE document_id = ? "
                                           "AND name = ?", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  kho_db_bind_text (stmt, 2, name);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = kho_db_column_text (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

gboolean
kho_db_confirmed_types (KhoDb *db, GArray *ids, GPtrArray *types, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT f.document_id, f.value FROM fields f "
                                           "JOIN documents d ON d.id = f.document_id "
                                           "WHERE f.name = 'type' AND f.source = 'user' "
                                           "AND d.status = 'archived' ORDER BY d.id", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
      g_ptr_array_add (types, kho_db_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kho_db_sql_error (db, error, "read confirmed types");
  return TRUE;
}

gboolean
kho_db_save_model (KhoDb *db, const char *name, const char *body, int documents, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt = kho_db_prepare (db, "INSERT OR REPLACE INTO models (name, body, documents, "
                                           "trained) VALUES (?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, name);
  kho_db_bind_text (stmt, 2, body);
  sqlite3_bind_int (stmt, 3, documents);
  kho_db_bind_text (stmt, 4, now);
  return kho_db_step_done (db, stmt, error);
}

char *
kho_db_load_model (KhoDb *db, const char *name, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT body FROM models WHERE name = ?", error);
  char *body = NULL;

  if (stmt == NULL)
    return NULL;
  kho_db_bind_text (stmt, 1, name);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    body = kho_db_column_text (stmt, 0);
  sqlite3_finalize (stmt);
  return body;
}

char *
kho_db_get_text (KhoDb *db, gint64 document_id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT coalesce(group_concat(text, char(12)), '') "
                                           "FROM (SELECT text FROM pages WHERE document_id = ? "
                                           "ORDER BY number)", error);
  char *text = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, document_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = kho_db_column_text (stmt, 0);
  else
    kho_db_sql_error (db, error, "read the text");
  sqlite3_finalize (stmt);
  return text;
}

/* --- Export, import and backup --- */

GArray *
kho_db_list_archived (KhoDb *db, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT id FROM documents WHERE status = 'archived' "
                                           "ORDER BY id", error);

  if (stmt == NULL)
    return NULL;
  return kho_db_collect_ids (db, stmt, "list archived documents", error);
}

GPtrArray *
kho_db_list_documents (KhoDb *db, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT " DOCUMENT_COLUMNS " FROM documents "
                                           "ORDER BY id", error);

  if (stmt == NULL)
    return NULL;
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) document_from_row,
                              (GDestroyNotify) kho_document_free, "list documents", error);
}

gint64
kho_db_import_document (KhoDb *db, KhoDocument *doc, GError **error)
{
  g_auto (GStrv) parts = NULL;
  sqlite3_stmt *stmt;
  guint n;

  /* PREFIX-YEAR-SERIAL: the prefix has no '-' (kho_id_prefix_is_valid). */
  if (kho_id_parse (doc->archive_id, NULL) != KHO_ID_ARCHIVE ||
      (parts = g_strsplit (doc->archive_id, "-", -1)) == NULL ||
      (n = g_strv_length (parts)) != 3)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_INVALID_ID,
                   _("“%s” is not an archive ID (like KHO-2026-000001)"), doc->archive_id);
      return -1;
    }
  stmt = kho_db_prepare (db, "INSERT INTO serials (prefix, year, last) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT (prefix, year) DO UPDATE SET last = max(last, ?3)",
                         error);
  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, parts[0]);
  sqlite3_bind_int (stmt, 2, atoi (parts[1]));
  sqlite3_bind_int64 (stmt, 3, g_ascii_strtoll (parts[2], NULL, 10));
  if (!kho_db_step_done (db, stmt, error))
    return -1;
  stmt = kho_db_prepare (db, "INSERT INTO documents (archive_id, sha256, size, format, file_name, "
                             "title, language, page_count, pdf_sha256, pdf_size, created, status, "
                             "stage, part, first_page, last_page) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                             "?, ?, ?, 'processing', 'assemble', ?, ?, ?)", error);
  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, doc->archive_id);
  kho_db_bind_text (stmt, 2, doc->sha256);
  sqlite3_bind_int64 (stmt, 3, doc->size);
  kho_db_bind_text (stmt, 4, doc->format);
  kho_db_bind_text (stmt, 5, doc->file_name);
  kho_db_bind_text (stmt, 6, doc->title);
  kho_db_bind_text (stmt, 7, doc->language ? doc->language : "vi");
  sqlite3_bind_int (stmt, 8, doc->page_count);
  kho_db_bind_text (stmt, 9, doc->pdf_sha256);
  sqlite3_bind_int64 (stmt, 10, doc->pdf_size);
  kho_db_bind_text (stmt, 11, doc->created);
  sqlite3_bind_int (stmt, 12, doc->part);
  if (doc->part > 0)
    {
      sqlite3_bind_int (stmt, 13, doc->first_page);
      sqlite3_bind_int (stmt, 14, doc->last_page);
    }
  if (!kho_db_step_done (db, stmt, error))
    return -1;
  doc->id = sqlite3_last_insert_rowid (db->handle);
  return doc->id;
}

gboolean
kho_db_add_event_at (KhoDb *db, gint64 document_id, const char *time, const char *stage,
                     const char *status, gint64 duration_ms, const char *actor,
                     const char *detail, GError **error)
{
  /* Through the audit trail like every event: a row inserted here would
   * be outside its hash chain, and read as tampering. */
  return kho_audit_append_at (db, document_id, time, stage, status, duration_ms, actor, detail,
                              error);
}

gboolean
kho_db_merge_index (KhoDb *db, int pages, gboolean *more, GError **error)
{
  sqlite3_stmt *stmt;
  sqlite3_int64 before;

  *more = FALSE;
  if (!kho_db_begin (db, error))
    return FALSE;
  before = sqlite3_total_changes64 (db->handle);
  /* A negative count merges segments of any level (FTS5's 'merge'). */
  stmt = kho_db_prepare (db, "INSERT INTO doc_fts (doc_fts, rank) VALUES ('merge', ?)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int (stmt, 1, -MAX (pages, 16));
  if (!kho_db_step_done (db, stmt, error))
    goto fail;
  /* FTS5's own test of work left: fewer than 2 rows written, none. */
  *more = sqlite3_total_changes64 (db->handle) - before >= 2;
  return kho_db_commit (db, error);

fail:
  kho_db_rollback (db);
  return FALSE;
}

gboolean
kho_db_backup (KhoDb *db, const char *path, GError **error)
{
  sqlite3 *copy = NULL;
  sqlite3_backup *backup;
  int rc;

  rc = sqlite3_open_v2 (path, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, KHO_DB_ERROR, error_code (rc), _("database %s: cannot open: %s"), path,
                   copy ? sqlite3_errmsg (copy) : sqlite3_errstr (rc));
      sqlite3_close (copy);
      return FALSE;
    }
  /* All pages in one step: one read transaction on the source, so the
   * copy is consistent; a writer elsewhere is not blocked (WAL), and a
   * write through this same connection would restart the copy. */
  backup = sqlite3_backup_init (copy, "main", db->handle, "main");
  if (backup == NULL)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL, "database %s: backup to %s: %s",
                   db->path, path, sqlite3_errmsg (copy));
      sqlite3_close (copy);
      return FALSE;
    }
  do
    {
      rc = sqlite3_backup_step (backup, -1);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        sqlite3_sleep (100);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, KHO_DB_ERROR, error_code (rc), "database %s: backup to %s: %s",
                   db->path, path, sqlite3_errstr (rc));
      sqlite3_close (copy);
      return FALSE;
    }
  /* The copy is one file: its WAL folded in, so DIR/kho.db alone is the catalogue. */
  rc = sqlite3_exec (copy, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  if (sqlite3_close (copy) != SQLITE_OK || rc != SQLITE_OK)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL, "database %s: cannot close", path);
      return FALSE;
    }
  return TRUE;
}
