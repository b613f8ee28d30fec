/* db.h — the archive's SQLite catalogue: schema, migrations, documents,
 * pages, stage events and the full-text index.
 *
 * One KhoDb per process (or per thread that owns it).  WAL journal, foreign
 * keys on, the "kho_vi" tokenizer registered on open.  Writes that belong
 * together go between kho_db_begin() and kho_db_commit(); a stage's result
 * is committed before the next stage starts.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define KHO_DB_ERROR (kho_db_error_quark ())
GQuark kho_db_error_quark (void);

typedef enum {
  KHO_DB_ERROR_SQL,        /* SQLite reported an error */
  KHO_DB_ERROR_VERSION,    /* schema newer than this kho */
  KHO_DB_ERROR_NOT_FOUND,  /* no document for the reference */
  KHO_DB_ERROR_AMBIGUOUS,  /* a hash prefix matching several documents */
  KHO_DB_ERROR_INVALID_ID, /* neither an archive ID nor hex */
  KHO_DB_ERROR_FULL,       /* the disk is full: retry later */
  KHO_DB_ERROR_BUSY,       /* another process held the database too long */
} KhoDbError;

/* The newest schema version this build knows. */
#define KHO_DB_SCHEMA_VERSION 7

typedef struct KhoDb KhoDb;

typedef struct {
  gint64 id;
  char *archive_id;
  char *sha256;
  int part;         /* 0: the whole file; 1, 2, …: a part of a split scan */
  int first_page;   /* of the original, from 1; 0 for a whole file */
  int last_page;
  gint64 size;
  char *format;
  char *file_name;
  char *title;
  char *language;
  int page_count;
  char *pdf_sha256;
  gint64 pdf_size;
  char *issued;
  char *status;     /* processing, archived, failed */
  char *stage;      /* last stage finished */
  char *error;
  char *created;
  char *verified;   /* when kho verify last checked its files (ISO 8601 UTC), or NULL */
  char *fixity;     /* what it found: ok, changed, missing, unreadable; NULL if never */
} KhoDocument;

typedef struct {
  int number;       /* from 1 */
  int width, height, dpi;
  int rotation;
  double skew;
  char *text_source;/* ocr, pdf, none */
  double confidence;
  gboolean blank;
  char *text;
  char *words;      /* the words with their boxes, serialised (kho_words_serialize) */
} KhoPageRow;

typedef struct {
  char *time;
  char *stage;
  char *status;
  gint64 duration_ms;
  char *actor;
  char *detail;
} KhoEventRow;

/* Opens (creating if needed) the database at @path and brings its schema
 * up to date.  Fails on a schema newer than KHO_DB_SCHEMA_VERSION. */
KhoDb *kho_db_open (const char *path, GError **error);
void kho_db_close (KhoDb *db);
/* Borrowed handle, for modules that run their own statements (search). */
sqlite3 *kho_db_handle (KhoDb *db);
int kho_db_schema_version (KhoDb *db);

gboolean kho_db_begin (KhoDb *db, GError **error);   /* BEGIN IMMEDIATE */
gboolean kho_db_commit (KhoDb *db, GError **error);
void kho_db_rollback (KhoDb *db);

/* Documents.  Returned documents are owned by the caller. */
KhoDocument *kho_db_get_document (KhoDb *db, gint64 id, GError **error);
/* NULL without error when no document has this hash. */
KhoDocument *kho_db_find_sha256 (KhoDb *db, const char *sha256, GError **error);
/* Part @part of the scan @sha256, or NULL. */
KhoDocument *kho_db_find_part (KhoDb *db, const char *sha256, int part, GError **error);
/* Documents an interrupted run left unfinished (status processing), oldest
 * first, as KhoDocument* (free with g_ptr_array_unref). */
GPtrArray *kho_db_list_unfinished (KhoDb *db, GError **error);
/* Resolves an archive ID, SHA-256 or unique prefix (>= 8 hex) to a document
 * id; -1 with @error (NOT_FOUND, AMBIGUOUS, INVALID_ID) otherwise. */
gint64 kho_db_resolve (KhoDb *db, const char *reference, GError **error);

/* Inserts a new document (status processing, stage intake) from @doc's
 * sha256, size, format, file_name, language and created, allocating the
 * next serial for @prefix and @year.  Call inside a transaction.  Returns
 * the new row id and sets doc->id and doc->archive_id; -1 on error. */
gint64 kho_db_insert_document (KhoDb *db, const char *prefix, int year,
                               KhoDocument *doc, GError **error);
gboolean kho_db_delete_document (KhoDb *db, gint64 id, GError **error);

gboolean kho_db_set_stage (KhoDb *db, gint64 id, const char *stage, GError **error);
gboolean kho_db_set_assembled (KhoDb *db, gint64 id, const char *title, int page_count,
                               const char *pdf_sha256, gint64 pdf_size, GError **error);
/* Writes the full-text row (title and the pages' text) and marks the
 * document archived. */
gboolean kho_db_index_document (KhoDb *db, gint64 id, GError **error);

gboolean kho_db_insert_page (KhoDb *db, gint64 document_id, const KhoPageRow *page,
                             GError **error);
/* Pages in order, as KhoPageRow* (free with g_ptr_array_unref). */
GPtrArray *kho_db_get_pages (KhoDb *db, gint64 document_id, GError **error);
/* The text of document @document_id: its pages in order, separated by
 * form feeds ("" without pages); NULL with @error on a database error. */
char *kho_db_get_text (KhoDb *db, gint64 document_id, GError **error);

/* The stages, in order: intake, ocr, classify, assemble, index. */
#define KHO_N_STAGES 5
extern const char *const kho_stages[KHO_N_STAGES];
/* The stage a document whose last committed stage is @stage is in: the
 * next one ("intake" for NULL or an unknown stage, "index" after it). */
const char *kho_stage_next (const char *stage);

/* --- Metadata fields (see schema-v4.sql) --- */

typedef struct {
  char *name;
  char *value;
  char *source;     /* auto, user */
  char *updated;
} KhoFieldRow;

void kho_field_row_free (KhoFieldRow *row);

/* Sets field @name of document @id to @value (NULL or "" removes it), from
 * @source: "auto" (read by kho) or "user" (a person's correction).  An
 * "auto" value never replaces a "user" one.  The "issued" field keeps
 * documents.issued in step. */
gboolean kho_db_set_field (KhoDb *db, gint64 id, const char *name, const char *value,
                           const char *source, GError **error);
/* The fields of document @id as KhoFieldRow*, sorted by name. */
GPtrArray *kho_db_get_fields (KhoDb *db, gint64 id, GError **error);
/* The value of field @name of document @id, or NULL. */
char *kho_db_get_field (KhoDb *db, gint64 id, const char *name);

/* Archived documents whose type a person confirmed: pairs of document id
 * (gint64 in a GArray) and type name (in @types). */
gboolean kho_db_confirmed_types (KhoDb *db, GArray *ids, GPtrArray *types, GError **error);

/* A learned model, kept in the database. */
gboolean kho_db_save_model (KhoDb *db, const char *name, const char *body, int documents,
                            GError **error);
char *kho_db_load_model (KhoDb *db, const char *name, GError **error);

/* Appends a stage event; @document_id 0 records an event of no document
 * (an input refused before intake).  @actor NULL: the OS user.  The event
 * is an entry of the audit trail, hash-chained (index/audit.h). */
gboolean kho_db_add_event (KhoDb *db, gint64 document_id, const char *stage,
                           const char *status, gint64 duration_ms,
                           const char *actor, const char *detail, GError **error);
/* Events of a document in order, as KhoEventRow*. */
GPtrArray *kho_db_get_events (KhoDb *db, gint64 document_id, GError **error);

void kho_document_free (KhoDocument *doc);
void kho_page_row_free (KhoPageRow *page);
void kho_event_row_free (KhoEventRow *event);

/* Current UTC time as ISO 8601 with seconds, "2026-11-29T21:40:57Z". */
char *kho_db_now (void);

/* --- Export, import and backup (kho export, kho import, kho backup) --- */

/* The ids of the archived documents, oldest first (gint64 in a GArray). */
GArray *kho_db_list_archived (KhoDb *db, GError **error);
/* Every document, whatever its status, oldest first, as KhoDocument*. */
GPtrArray *kho_db_list_documents (KhoDb *db, GError **error);

/* Inserts a document restored from a bag under its own archive ID (with
 * its sha256, part, first_page, last_page, size, format, file_name, title,
 * language, page_count, pdf_sha256, pdf_size and created; status
 * processing until kho_db_index_document), and raises the serial of its
 * prefix and year so that IDs given later do not collide with it.  Call
 * inside a transaction.  Sets doc->id; -1 on error (a used archive ID, a
 * document with the same sha256 and part). */
gint64 kho_db_import_document (KhoDb *db, KhoDocument *doc, GError **error);

/* Appends an event that happened at @time (ISO 8601 UTC) elsewhere: the
 * history of a document restored from a bag, in its order.  Otherwise as
 * kho_db_add_event: appended to the audit trail's hash chain. */
gboolean kho_db_add_event_at (KhoDb *db, gint64 document_id, const char *time,
                              const char *stage, const char *status, gint64 duration_ms,
                              const char *actor, const char *detail, GError **error);

/* Copies the whole database to a new file @path with SQLite's online
 * backup API: one read transaction, so the copy is the catalogue as it was
 * at one moment, while other processes go on writing (WAL). */
gboolean kho_db_backup (KhoDb *db, const char *path, GError **error);

/* One step of merging the full-text index: FTS5 writes one segment per
 * transaction that indexes, and a search looks each word up in every
 * segment; merged, a search of common words takes about a third less
 * (paperless-ngx optimizes its index nightly for the same reason).  Writes
 * about @pages pages in a transaction of its own (a short hold of the
 * write lock: call it again while *@more), merging any segments, so that
 * repeated steps end with one.  FALSE on a database error. */
gboolean kho_db_merge_index (KhoDb *db, int pages, gboolean *more, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoDb, kho_db_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoDocument, kho_document_free)

G_END_DECLS
