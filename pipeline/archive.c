/* archive.c — an archive folder: settings, catalogue and files. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/archive.h"

#include "config.h"
#include <glib/gi18n-lib.h>
#include "index/ids.h"
#include "store/originals.h"


G_DEFINE_QUARK (kho-archive-error-quark, kho_archive_error)

#define CONFIG_NAME "kho.conf"
#define DB_NAME "kho.db"

static gboolean
load_config (KhoArchive *archive, GKeyFile *keys, GError **error)
{
  g_autofree char *prefix = g_key_file_get_string (keys, "archive", "prefix", NULL);
  g_autofree char *languages = g_key_file_get_string (keys, "ocr", "languages", NULL);

  if (prefix && !kho_id_prefix_is_valid (prefix))
    {
      g_set_error (error, KHO_ARCHIVE_ERROR, KHO_ARCHIVE_ERROR_CONFIG,
                   _("%s/%s: prefix “%s” must be 1 to 16 letters or digits, "
                     "starting with a letter"), archive->root, CONFIG_NAME, prefix);
      return FALSE;
    }
  archive->prefix = g_steal_pointer (&prefix);
  if (archive->prefix == NULL)
    archive->prefix = g_strdup (KHO_ARCHIVE_DEFAULT_PREFIX);
  archive->languages = g_steal_pointer (&languages);
  if (archive->languages == NULL)
    archive->languages = g_strdup (KHO_ARCHIVE_DEFAULT_LANGUAGES);
  archive->page_timeout_s = g_key_file_get_integer (keys, "ocr", "page-timeout", NULL);
  if (archive->page_timeout_s <= 0)
    archive->page_timeout_s = 300;
  archive->workers = MAX (0, g_key_file_get_integer (keys, "pipeline", "workers", NULL));
  return TRUE;
}

static KhoArchive *
open_with_keys (const char *root, GKeyFile *keys, GError **error)
{
  g_autoptr (KhoArchive) archive = g_new0 (KhoArchive, 1);
  g_autofree char *db_path = g_build_filename (root, DB_NAME, NULL);

  archive->root = g_strdup (root);
  if (!load_config (archive, keys, error))
    return NULL;
  archive->db = kho_db_open (db_path, error);
  if (archive->db == NULL)
    return NULL;
  return g_steal_pointer (&archive);
}

KhoArchive *
kho_archive_open (const char *root, GError **error)
{
  g_autofree char *config = g_build_filename (root, CONFIG_NAME, NULL);
  g_autofree char *db_path = g_build_filename (root, DB_NAME, NULL);
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  GError *local = NULL;

  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, KHO_ARCHIVE_ERROR, KHO_ARCHIVE_ERROR_MISSING,
                   _("%s is not a kho archive (no %s); create it with: kho init --archive %s"),
                   root, DB_NAME, root);
      return NULL;
    }
  if (!g_key_file_load_from_file (keys, config, G_KEY_FILE_KEEP_COMMENTS, &local) &&
      !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, KHO_ARCHIVE_ERROR, KHO_ARCHIVE_ERROR_CONFIG, "%s: %s", config,
                   local->message);
      g_error_free (local);
      return NULL;
    }
  g_clear_error (&local);
  return open_with_keys (root, keys, error);
}

KhoArchive *
kho_archive_init (const char *root, const char *prefix, GError **error)
{
  g_autofree char *config = g_build_filename (root, CONFIG_NAME, NULL);
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  gboolean existed;

  if (prefix && !kho_id_prefix_is_valid (prefix))
    {
      g_set_error (error, KHO_ARCHIVE_ERROR, KHO_ARCHIVE_ERROR_CONFIG,
                   _("prefix “%s” must be 1 to 16 letters or digits, starting with a letter"),
                   prefix);
      return NULL;
    }
  if (!kho_store_init (root, error))
    return NULL;
  existed = g_key_file_load_from_file (keys, config, G_KEY_FILE_KEEP_COMMENTS, NULL);
  if (!existed)
    {
      g_key_file_set_comment (keys, NULL, NULL,
                              " kho archive settings.  Back up this whole folder.", NULL);
      g_key_file_set_string (keys, "archive", "prefix", KHO_ARCHIVE_DEFAULT_PREFIX);
      g_key_file_set_string (keys, "ocr", "languages", KHO_ARCHIVE_DEFAULT_LANGUAGES);
      g_key_file_set_integer (keys, "ocr", "page-timeout", 300);
      g_key_file_set_integer (keys, "pipeline", "workers", 0);
    }
  if (prefix)
    {
      g_autofree char *upper = g_ascii_strup (prefix, -1);
      g_key_file_set_string (keys, "archive", "prefix", upper);
    }
  if ((!existed || prefix) && !g_key_file_save_to_file (keys, config, error))
    return NULL;
  return open_with_keys (root, keys, error);
}

void
kho_archive_free (KhoArchive *archive)
{
  if (archive == NULL)
    return;
  kho_db_close (archive->db);
  g_free (archive->root);
  g_free (archive->prefix);
  g_free (archive->languages);
  g_free (archive);
}
