/* verify.c — kho verify: fixity of every document, files no document owns. */
#define G_LOG_DOMAIN "kho-verify"
#include "pipeline/verify.h"

#include <string.h>

#include "index/audit.h"
#include "store/originals.h"

static void
file_clear (KhoVerifyFile *file)
{
  g_free (file->path);
  g_free (file->expected);
  g_free (file->actual);
  g_free (file->reason);
}

static void
document_free (KhoVerifyDocument *doc)
{
  g_free (doc->archive_id);
  file_clear (&doc->original);
  file_clear (&doc->pdf);
  g_free (doc);
}

void
kho_verify_report_clear (KhoVerifyReport *report)
{
  g_clear_pointer (&report->documents, g_ptr_array_unref);
  g_clear_pointer (&report->orphans, g_ptr_array_unref);
}

gboolean
kho_verify_report_failed (const KhoVerifyReport *report)
{
  return report->counts[KHO_FIXITY_CHANGED] + report->counts[KHO_FIXITY_MISSING] +
         report->counts[KHO_FIXITY_UNREADABLE] > 0 || report->orphans->len > 0;
}

/* Checks @file (path and expected set) at @root.  @cache: absolute path →
 * the KhoVerifyFile already read, for the shared originals of split scans. */
static void
check_file (const char *root, KhoVerifyFile *file, GHashTable *cache)
{
  g_autofree char *path = g_build_filename (root, file->path, NULL);
  g_autoptr (GError) error = NULL;
  KhoVerifyFile *seen = cache ? g_hash_table_lookup (cache, path) : NULL;

  if (seen)
    {
      file->status = seen->status;
      file->actual = g_strdup (seen->actual);
      file->reason = g_strdup (seen->reason);
      return;
    }
  file->status = kho_fixity_check_file (path, file->expected, &file->actual, &error);
  if (error)
    file->reason = g_strdup (error->message);
  if (cache)
    g_hash_table_insert (cache, g_steal_pointer (&path), file);
}

/* The text of an event's detail: "original ok; pdf changed: SHA-256 …". */
static char *
describe (const KhoVerifyDocument *doc)
{
  GString *text = g_string_new (NULL);
  const KhoVerifyFile *files[] = { &doc->original, &doc->pdf };
  const char *names[] = { "original", "pdf" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      const KhoVerifyFile *file = files[i];

      if (file->path == NULL)
        continue;
      g_string_append_printf (text, "%s%s %s %s", text->len ? "; " : "", names[i], file->path,
                              kho_fixity_status_name (file->status));
      if (file->status == KHO_FIXITY_CHANGED && file->actual)
        g_string_append_printf (text, ": SHA-256 %s, recorded %s", file->actual, file->expected);
    }
  return g_string_free (text, FALSE);
}

/* Results are recorded in batches: with synchronous=FULL each commit is an
 * fsync, and one per document made kho verify --all on a large archive
 * wait on the disk more than on hashing.  A batch is committed after
 * BATCH_SIZE results or BATCH_SECONDS after its first, whichever comes
 * first; the files are hashed outside any transaction, so the write lock
 * is held only while a batch's rows are written.  A run interrupted loses
 * at most the batch not yet committed: each result's event and its
 * documents.verified/fixity are in the same transaction, so the catalogue
 * never has one without the other. */
#define BATCH_SIZE 100
#define BATCH_SECONDS 1
/* A document with more bytes than this is hashed after the batch before
 * it is committed, so that a long read does not keep those results
 * waiting (and at risk from an interruption). */
#define BATCH_LARGE_BYTES (64 * 1024 * 1024)

/* One result waiting to be recorded: an event "verify" of document @id
 * (0: of no document), and for a document its last check. */
typedef struct {
  gint64 id;
  char *time;          /* when the check ended */
  char *status;
  char *detail;
  gint64 duration_ms;  /* -1: none */
} PendingResult;

typedef struct {
  KhoDb *db;
  const char *actor;
  GArray *results;     /* PendingResult */
  gint64 first;        /* monotonic time of the first result pending */
} Batch;

static void
pending_result_clear (PendingResult *result)
{
  g_free (result->time);
  g_free (result->status);
  g_free (result->detail);
}

/* Writes every pending result in one transaction; FALSE (nothing of the
 * batch written) on a database error. */
static gboolean
batch_commit (Batch *batch, GError **error)
{
  gboolean ok;

  if (batch->results->len == 0)
    return TRUE;
  ok = kho_db_begin (batch->db, error);
  for (guint i = 0; ok && i < batch->results->len; i++)
    {
      PendingResult *result = &g_array_index (batch->results, PendingResult, i);
      g_autoptr (KhoDocument) still = NULL;

      /* A document deleted since it was checked (kho delete) has nothing
       * left to record a check on. */
      if (result->id > 0 && (still = kho_db_get_document (batch->db, result->id, NULL)) == NULL)
        continue;
      ok = kho_db_add_event_at (batch->db, result->id, result->time, "verify", result->status,
                                result->duration_ms, batch->actor, result->detail, error) &&
           (result->id <= 0 ||
            kho_audit_set_fixity (batch->db, result->id, result->time, result->status, error));
    }
  ok = ok && kho_db_commit (batch->db, error);
  if (!ok)
    kho_db_rollback (batch->db);
  g_array_set_size (batch->results, 0);
  return ok;
}

/* Adds a result (the time is now) and commits the batch when it is full
 * or old enough. */
static gboolean
record (Batch *batch, gint64 id, const char *status, const char *detail, gint64 duration_ms,
        GError **error)
{
  PendingResult result = { id, kho_db_now (), g_strdup (status), g_strdup (detail),
                           duration_ms };

  if (batch->results->len == 0)
    batch->first = g_get_monotonic_time ();
  g_array_append_val (batch->results, result);
  if (batch->results->len < BATCH_SIZE &&
      g_get_monotonic_time () - batch->first < BATCH_SECONDS * G_USEC_PER_SEC)
    return TRUE;
  return batch_commit (batch, error);
}

/* Whether a document owns @file. */
static gboolean
owned (KhoDb *db, const KhoFixityFile *file)
{
  g_autoptr (KhoDocument) doc = NULL;

  if (file->kind == KHO_FIXITY_FILE_ORIGINAL)
    doc = kho_db_find_sha256 (db, file->key, NULL);
  else if (file->kind == KHO_FIXITY_FILE_PDF)
    {
      gint64 id = kho_db_resolve (db, file->key, NULL);
      /* The key must be the archive ID itself, not a hash prefix. */
      doc = id > 0 ? kho_db_get_document (db, id, NULL) : NULL;
      if (doc && strcmp (doc->archive_id, file->key) != 0)
        g_clear_pointer (&doc, kho_document_free);
    }
  return doc != NULL;
}

gboolean
kho_verify_run (KhoArchive *archive, int oldest, const char *actor, KhoVerifyReport *report,
                GError **error)
{
  KhoDb *db = archive->db;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (GHashTable) cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) files = NULL;
  g_autofree char *summary = NULL;
  g_autoptr (GArray) results = g_array_new (FALSE, FALSE, sizeof (PendingResult));
  Batch batch = { db, actor, results, 0 };
  gint64 started = g_get_monotonic_time ();

  g_array_set_clear_func (results, (GDestroyNotify) pending_result_clear);
  memset (report, 0, sizeof *report);
  report->documents = g_ptr_array_new_with_free_func ((GDestroyNotify) document_free);
  report->orphans = g_ptr_array_new_with_free_func (g_free);
  ids = kho_audit_fixity_due (db, oldest, error);
  if (ids == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (KhoDocument) row = kho_db_get_document (db, g_array_index (ids, gint64, i), NULL);
      g_autofree char *original = NULL, *pdf = NULL, *detail = NULL;
      KhoVerifyDocument *doc;
      gint64 t0 = g_get_monotonic_time ();

      if (row == NULL)
        continue;  /* deleted meanwhile */
      if (row->size + row->pdf_size > BATCH_LARGE_BYTES && !batch_commit (&batch, error))
        return FALSE;
      doc = g_new0 (KhoVerifyDocument, 1);
      doc->id = row->id;
      doc->archive_id = g_strdup (row->archive_id);
      original = kho_store_original_path ("", row->sha256);
      doc->original.path = g_strdup (original + (original[0] == '/'));
      doc->original.expected = g_strdup (row->sha256);
      check_file (archive->root, &doc->original, cache);
      doc->status = doc->original.status;
      if (row->pdf_sha256)
        {
          pdf = kho_store_pdf_path ("", row->archive_id);
          doc->pdf.path = g_strdup (pdf + (pdf[0] == '/'));
          doc->pdf.expected = g_strdup (row->pdf_sha256);
          check_file (archive->root, &doc->pdf, NULL);
          doc->status = MAX (doc->status, doc->pdf.status);
        }
      g_ptr_array_add (report->documents, doc);
      report->counts[doc->status]++;
      detail = describe (doc);
      if (!record (&batch, doc->id, kho_fixity_status_name (doc->status), detail,
                   (g_get_monotonic_time () - t0) / 1000, error))
        return FALSE;
    }

  /* Orphans: the folder is listed first, the catalogue asked after, so a
   * document being stored (file first, row after) is seen by then; a file
   * a failed document left is removed after its row, so it is looked at
   * again before it is called an orphan. */
  files = kho_fixity_list_files (archive->root, error);
  if (files == NULL)
    {
      /* The documents' results stand even though the orphans could not
       * be looked for. */
      batch_commit (&batch, NULL);
      return FALSE;
    }
  for (guint i = 0; i < files->len; i++)
    {
      KhoFixityFile *file = files->pdata[i];
      g_autofree char *path = g_build_filename (archive->root, file->path, NULL);

      if (owned (db, file) || !g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
        continue;
      g_ptr_array_add (report->orphans, g_strdup (file->path));
      if (!record (&batch, 0, "orphan", file->path, -1, error))
        return FALSE;
    }

  summary = g_strdup_printf ("%u documents: %d ok, %d changed, %d missing, %d unreadable; "
                             "%u orphans", report->documents->len, report->counts[KHO_FIXITY_OK],
                             report->counts[KHO_FIXITY_CHANGED],
                             report->counts[KHO_FIXITY_MISSING],
                             report->counts[KHO_FIXITY_UNREADABLE], report->orphans->len);
  /* The run's own event ends the last batch. */
  return record (&batch, 0, kho_verify_report_failed (report) ? "failed" : "ok", summary,
                 (g_get_monotonic_time () - started) / 1000, error) &&
         batch_commit (&batch, error);
}
