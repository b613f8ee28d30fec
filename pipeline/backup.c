/* backup.c — a consistent copy of an archive while it is in use. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/backup.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "store/bagit.h"
#include "store/originals.h"

/* Copies the stored file @source of document @archive_id to @dest,
 * checked against @sha256. */
static gboolean
copy_stored (const char *archive_id, const char *source, const char *dest, const char *sha256,
             KhoBackupSummary *summary, GError **error)
{
  g_autofree char *folder = g_path_get_dirname (dest);
  gint64 size = 0;

  if (!kho_store_make_dirs (folder, error) ||
      !kho_store_copy_file (source, dest, 0444, sha256, NULL, &size, error))
    {
      g_prefix_error (error, "%s: ", archive_id);
      return FALSE;
    }
  summary->bytes += size;
  return TRUE;
}

/* The files the catalogue @copy records, from @archive into @tmp. */
static gboolean
copy_files (KhoArchive *archive, KhoDb *copy, const char *tmp, KhoBackupSummary *summary,
            GError **error)
{
  g_autoptr (GPtrArray) docs = kho_db_list_documents (copy, error);
  g_autoptr (GHashTable) copied = g_hash_table_new (g_str_hash, g_str_equal);

  if (docs == NULL)
    return FALSE;
  summary->documents = docs->len;
  for (guint i = 0; i < docs->len; i++)
    {
      KhoDocument *doc = docs->pdata[i];
      g_autofree char *original = kho_store_original_path (archive->root, doc->sha256);
      g_autofree char *original_copy = kho_store_original_path (tmp, doc->sha256);

      /* The parts of a split scan share their original. */
      if (!g_hash_table_contains (copied, doc->sha256))
        {
          if (!copy_stored (doc->archive_id, original, original_copy, doc->sha256, summary,
                            error))
            return FALSE;
          g_hash_table_add (copied, doc->sha256);
          summary->originals++;
        }
      if (doc->pdf_sha256)
        {
          g_autofree char *pdf = kho_store_pdf_path (archive->root, doc->archive_id);
          g_autofree char *pdf_copy = kho_store_pdf_path (tmp, doc->archive_id);

          if (!copy_stored (doc->archive_id, pdf, pdf_copy, doc->pdf_sha256, summary, error))
            return FALSE;
          summary->pdfs++;
        }
    }
  return TRUE;
}

/* Copies the settings file @name when the archive has one. */
static gboolean
copy_setting (KhoArchive *archive, const char *tmp, const char *name, GError **error)
{
  g_autofree char *source = g_build_filename (archive->root, name, NULL);
  g_autofree char *dest = g_build_filename (tmp, name, NULL);

  if (!g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  return kho_store_copy_file (source, dest, 0644, NULL, NULL, NULL, error);
}

gboolean
kho_backup_run (KhoArchive *archive, const char *dir, KhoBackupSummary *summary, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", dir);
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *db_path = NULL;
  g_autoptr (GDir) existing = NULL;
  KhoDb *copy = NULL;
  gboolean ok = FALSE;

  memset (summary, 0, sizeof *summary);
  existing = g_dir_open (dir, 0, NULL);
  if ((existing && g_dir_read_name (existing) != NULL) ||
      (existing == NULL && g_file_test (dir, G_FILE_TEST_EXISTS)))
    {
      g_set_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_EXISTS,
                   _("%s exists and is not an empty folder"), dir);
      return FALSE;
    }
  if (!kho_store_make_dirs (parent, error))
    return FALSE;
  if (g_mkdtemp_full (tmp, 0755) == NULL)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("cannot create folder %s: %s"), tmp, g_strerror (errsv));
      return FALSE;
    }
  db_path = g_build_filename (tmp, "kho.db", NULL);
  if (!kho_store_init (tmp, error) || !kho_db_backup (archive->db, db_path, error))
    goto out;
  copy = kho_db_open (db_path, error);
  if (copy == NULL || !copy_files (archive, copy, tmp, summary, error) ||
      !copy_setting (archive, tmp, "kho.conf", error) ||
      !copy_setting (archive, tmp, "doctypes.conf", error))
    goto out;
  kho_db_close (g_steal_pointer (&copy));
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_rmdir (dir);
  if (g_rename (tmp, dir) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("cannot rename %s to %s: %s"), tmp, dir, g_strerror (errsv));
      goto out;
    }
  ok = kho_store_sync_dir (parent, error);

out:
  kho_db_close (copy);
  if (!ok && g_file_test (tmp, G_FILE_TEST_IS_DIR))
    kho_store_remove_tree (tmp, NULL);
  return ok;
}
