/* archive.c — an archive folder: settings, catalogue and files. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/archive.h"

#include <string.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "index/ids.h"
#include "store/originals.h"


G_DEFINE_QUARK (kho-archive-error-quark, kho_archive_error)

#define CONFIG_NAME "kho.conf"
#define DB_NAME "kho.db"

/* Integer @key of @group, or @fallback when absent or not positive
 * (0 is kept: it means "none" for the settings that allow it). */
static int
int_setting (GKeyFile *keys, const char *group, const char *key, int fallback)
{
  g_autoptr (GError) error = NULL;
  int value = g_key_file_get_integer (keys, group, key, &error);

  return error || value < 0 ? fallback : value;
}

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
  archive->organization = g_key_file_get_string (keys, "archive", "organization", NULL);
  archive->serve_read = g_key_file_get_string (keys, "serve", "read", NULL);
  if (archive->serve_read)
    g_strstrip (archive->serve_read);

  archive->inbox = g_key_file_get_string (keys, "watch", "inbox", NULL);
  if (archive->inbox == NULL || !*archive->inbox)
    {
      g_free (archive->inbox);
      archive->inbox = g_strdup ("inbox");
    }
  {
    /* A relative inbox is inside the archive folder. */
    g_autofree char *root = g_canonicalize_filename (archive->root, NULL);
    char *absolute = g_canonicalize_filename (archive->inbox, root);

    g_free (archive->inbox);
    archive->inbox = absolute;
  }
  archive->settle_ms = int_setting (keys, "watch", "settle-ms", 1000);
  archive->rescan_s = int_setting (keys, "watch", "rescan-interval", 60);
  archive->attempts = int_setting (keys, "watch", "attempts", 3);
  archive->orphan_limit = int_setting (keys, "watch", "orphan-limit", 5);
  archive->retry_delay_s = int_setting (keys, "watch", "retry-delay", 60);
  archive->worker_memory_mb = int_setting (keys, "watch", "worker-memory-mb", 4096);
  archive->split_on_blank = g_key_file_get_boolean (keys, "watch", "split-on-blank", NULL);
  archive->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    g_auto (GStrv) folders = g_key_file_get_keys (keys, "tags", NULL, NULL);

    for (int i = 0; folders && folders[i]; i++)
      {
        char *tag = g_key_file_get_string (keys, "tags", folders[i], NULL);

        if (tag && *tag)
          g_hash_table_insert (archive->tags, g_strdup (folders[i]), g_utf8_normalize (tag, -1, G_NORMALIZE_NFC));
        g_free (tag);
      }
  }
  return TRUE;
}

const char *
kho_archive_tag_for (KhoArchive *archive, const char *name)
{
  const char *slash = strchr (name, '/');
  g_autofree char *folder = NULL;

  if (slash == NULL)
    return NULL;
  folder = g_strndup (name, (gsize) (slash - name));
  return g_hash_table_lookup (archive->tags, folder);
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
      g_key_file_set_integer (keys, "watch", "settle-ms", 1000);
      g_key_file_set_integer (keys, "watch", "rescan-interval", 60);
      g_key_file_set_integer (keys, "watch", "attempts", 3);
      g_key_file_set_integer (keys, "watch", "orphan-limit", 5);
      g_key_file_set_integer (keys, "watch", "retry-delay", 60);
      g_key_file_set_integer (keys, "watch", "worker-memory-mb", 4096);
      g_key_file_set_boolean (keys, "watch", "split-on-blank", FALSE);
      g_key_file_set_comment (keys, "watch", NULL,
                              " kho watch.  inbox = DIR sets the watched folder "
                              "(default: inbox/ here).", NULL);
      g_key_file_set_string (keys, "tags", "cong-van-den", "Công văn đến");
      g_key_file_set_string (keys, "tags", "cong-van-di", "Công văn đi");
      g_key_file_set_comment (keys, "tags", NULL,
                              " A subfolder of the inbox gives its documents a tag: "
                              "folder = Tag.", NULL);
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
  g_free (archive->inbox);
  g_clear_pointer (&archive->tags, g_hash_table_unref);
  g_free (archive->root);
  g_free (archive->prefix);
  g_free (archive->languages);
  g_free (archive->organization);
  g_free (archive->serve_read);
  g_free (archive);
}
