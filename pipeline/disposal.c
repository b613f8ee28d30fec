/* disposal.c — retention periods, and deletion with a tombstone. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/disposal.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "pipeline/document.h"
#include "store/originals.h"

G_DEFINE_QUARK (kho-disposal-error-quark, kho_disposal_error)

void
kho_retention_clear (KhoRetention *retention)
{
  g_clear_pointer (&retention->from, g_free);
  g_clear_pointer (&retention->until, g_free);
}

/* Today's date in the school's time, ISO. */
static char *
today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  return g_date_time_format (now, "%Y-%m-%d");
}

/* Fills @retention from a retention field's @value (NULL: none). */
static void
compute (const char *value, const char *issued, const char *created, const char *now,
         KhoRetention *retention)
{
  const char *from = issued && strlen (issued) >= 4 ? issued : created;
  char *end = NULL;
  long years = value ? strtol (value, &end, 10) : -1;

  memset (retention, 0, sizeof *retention);
  retention->years = value && end != value && *end == '\0' && years >= 0 ? (int) years : -1;
  retention->from = from ? g_strndup (from, 10) : NULL;
  if (retention->years > 0 && from && strlen (from) >= 4)
    {
      retention->until = g_strdup_printf ("%04d-01-01", atoi (from) + retention->years + 1);
      retention->past = strcmp (now, retention->until) >= 0;
    }
}

void
kho_disposal_retention (KhoDb *db, const KhoDocument *doc, KhoRetention *retention)
{
  g_autofree char *value = kho_db_get_field (db, doc->id, "retention");
  g_autofree char *now = today ();

  compute (value, doc->issued, doc->created, now, retention);
}

static int
compare_until (gconstpointer a, gconstpointer b, gpointer data)
{
  GHashTable *until = data;
  KhoDocument *x = *(KhoDocument *const *) a, *y = *(KhoDocument *const *) b;
  int order = g_strcmp0 (g_hash_table_lookup (until, x), g_hash_table_lookup (until, y));

  return order ? order : (x->id > y->id) - (x->id < y->id);
}

GPtrArray *
kho_disposal_list_past (KhoDb *db, int *unset, GError **error)
{
  sqlite3 *handle = kho_db_handle (db);
  sqlite3_stmt *stmt = NULL;
  g_autoptr (GPtrArray) past = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_document_free);
  g_autoptr (GHashTable) until = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_autofree char *now = today ();
  int rc, without = 0;

  if (sqlite3_prepare_v2 (handle, "SELECT d.id, f.value, d.issued, d.created FROM documents d "
                                  "LEFT JOIN fields f ON f.document_id = d.id "
                                  "AND f.name = 'retention' WHERE d.status = 'archived' "
                                  "ORDER BY d.id", -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL, "retention: %s", sqlite3_errmsg (handle));
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      KhoRetention retention;
      KhoDocument *doc;

      compute ((const char *) sqlite3_column_text (stmt, 1),
               (const char *) sqlite3_column_text (stmt, 2),
               (const char *) sqlite3_column_text (stmt, 3), now, &retention);
      if (retention.years < 0)
        without++;
      if (retention.past && (doc = kho_db_get_document (db, sqlite3_column_int64 (stmt, 0), NULL)))
        {
          g_ptr_array_add (past, doc);
          g_hash_table_insert (until, doc, g_steal_pointer (&retention.until));
        }
      kho_retention_clear (&retention);
    }
  if (rc != SQLITE_DONE)
    g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL, "retention: %s", sqlite3_errmsg (handle));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return NULL;
  g_ptr_array_sort_with_data (past, compare_until, until);
  if (unset)
    *unset = without;
  return g_steal_pointer (&past);
}

static char *
tombstone (const KhoDocument *doc, const KhoRetention *retention, const char *reason,
           gboolean force)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, doc->archive_id);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, doc->sha256);
  kho_json_add_int (b, "part", doc->part);
  kho_json_add_int (b, "size", doc->size);
  kho_json_add_string (b, "pdf_sha256", doc->pdf_sha256);
  kho_json_add_int (b, "pdf_size", doc->pdf_sha256 ? doc->pdf_size : 0);
  json_builder_set_member_name (b, "file_name");
  json_builder_add_string_value (b, doc->file_name);
  json_builder_set_member_name (b, "retention");
  if (retention->years >= 0)
    json_builder_add_int_value (b, retention->years);
  else
    json_builder_add_null_value (b);
  kho_json_add_string (b, "until", retention->until);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "forced");
  json_builder_add_boolean_value (b, force);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

gboolean
kho_disposal_delete (KhoArchive *archive, const KhoDocument *doc, const char *reason,
                     gboolean force, const char *actor, GError **error)
{
  KhoDb *db = archive->db;
  KhoRetention retention;
  g_autofree char *detail = NULL;
  g_autofree char *pdf = NULL, *original = NULL;
  g_autoptr (KhoDocument) sharer = NULL;
  g_autoptr (GError) local = NULL;
  gboolean ok = FALSE;

  kho_disposal_retention (db, doc, &retention);
  if (g_strcmp0 (doc->status, "processing") == 0)
    {
      g_set_error (error, KHO_DISPOSAL_ERROR, KHO_DISPOSAL_ERROR_PROCESSING,
                   _("%s is still being processed (stage %s): not deleted"), doc->archive_id,
                   doc->stage);
      goto out;
    }
  if (!force && !retention.past)
    {
      if (retention.years == 0)
        g_set_error (error, KHO_DISPOSAL_ERROR, KHO_DISPOSAL_ERROR_RETAINED,
                     _("%s is kept permanently (Vĩnh viễn): not deleted; --force deletes it "
                       "anyway"), doc->archive_id);
      else if (retention.years < 0 || retention.until == NULL)
        g_set_error (error, KHO_DISPOSAL_ERROR, KHO_DISPOSAL_ERROR_RETAINED,
                     _("%s has no retention period: not deleted; set one with kho edit %s "
                       "--set retention=YEARS, or --force"), doc->archive_id, doc->archive_id);
      else
        g_set_error (error, KHO_DISPOSAL_ERROR, KHO_DISPOSAL_ERROR_RETAINED,
                     _("%s is within its retention period until %s: not deleted; --force "
                       "deletes it anyway"), doc->archive_id, retention.until);
      goto out;
    }
  detail = tombstone (doc, &retention, reason, force);
  /* The rows go first, with the tombstone, in one transaction: no row
   * ever points at a missing file; a file left by a failure afterwards is
   * an orphan kho verify reports. */
  if (!kho_db_begin (db, error) ||
      !kho_db_add_event (db, doc->id, "delete", "ok", -1, actor, detail, error) ||
      !kho_db_delete_document (db, doc->id, error) ||
      !kho_db_commit (db, error))
    {
      kho_db_rollback (db);
      goto out;
    }
  pdf = kho_store_pdf_path (archive->root, doc->archive_id);
  if (!kho_store_remove (pdf, &local))
    goto files;
  /* The other parts of a split scan keep their original. */
  sharer = kho_db_find_sha256 (db, doc->sha256, &local);
  if (local)
    goto files;
  if (sharer == NULL)
    {
      original = kho_store_original_path (archive->root, doc->sha256);
      if (!kho_store_remove (original, &local))
        goto files;
    }
  ok = TRUE;
  goto out;

files:
  g_set_error (error, KHO_DISPOSAL_ERROR, KHO_DISPOSAL_ERROR_FILES,
               _("%s is deleted from the catalogue, but a file stays: %s"), doc->archive_id,
               local->message);
out:
  kho_retention_clear (&retention);
  return ok;
}
