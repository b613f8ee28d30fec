/* bagit.c — BagIt bags (RFC 8493): writing one atomically, and validating one. */
#define G_LOG_DOMAIN "kho-store"
#include "store/bagit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "store/originals.h"

G_DEFINE_QUARK (kho-bagit-error-quark, kho_bagit_error)

#define MANIFEST "manifest-sha256.txt"
#define TAGMANIFEST "tagmanifest-sha256.txt"

/* --- paths --- */

char *
kho_bagit_encode_path (const char *path)
{
  GString *out = g_string_new (NULL);

  for (const char *p = path; *p; p++)
    {
      if (*p == '%')
        g_string_append (out, "%25");
      else if (*p == '\r')
        g_string_append (out, "%0D");
      else if (*p == '\n')
        g_string_append (out, "%0A");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
kho_bagit_decode_path (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (g_ascii_strncasecmp (p, "%25", 3) == 0)
        g_string_append_c (out, '%');
      else if (g_ascii_strncasecmp (p, "%0D", 3) == 0)
        g_string_append_c (out, '\r');
      else if (g_ascii_strncasecmp (p, "%0A", 3) == 0)
        g_string_append_c (out, '\n');
      else
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      p += 2;
    }
  return g_string_free (out, FALSE);
}

gboolean
kho_bagit_path_is_safe (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (path == NULL || *path == '\0' || *path == '/' || strchr (path, '\\') ||
      !g_utf8_validate (path, -1, NULL))
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (int i = 0; parts[i]; i++)
    if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0)
      return FALSE;
  return TRUE;
}

char *
kho_bagit_safe_name (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name ? name : "", -1);
  g_autofree char *base = g_path_get_basename (valid);
  GString *out = g_string_new (NULL);
  const char *p = base;

  while (*p == '.')
    p++;
  for (; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\' || g_unichar_iscntrl (c))
        g_string_append_c (out, '_');
      else if (out->len + 6 <= 200)
        g_string_append_unichar (out, c);
    }
  if (out->len == 0 || strcmp (out->str, "/") == 0)
    g_string_assign (out, "file");
  return g_string_free (out, FALSE);
}

/* --- writing --- */

typedef struct {
  char *path;    /* "data/…" */
  char *sha256;
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->path);
  g_free (entry->sha256);
  g_free (entry);
}

struct KhoBagitWriter {
  char *dir;           /* the bag, once finished */
  char *tmp;           /* the bag while it is written */
  GPtrArray *entries;  /* Entry*, the payload in the order added */
  GHashTable *paths;   /* payload paths added, to refuse a second */
  gint64 bytes;
  gboolean finished;
};

static gboolean
is_empty_dir (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);

  return handle != NULL && g_dir_read_name (handle) == NULL;
}

KhoBagitWriter *
kho_bagit_writer_new (const char *dir, GError **error)
{
  g_autoptr (KhoBagitWriter) writer = NULL;
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *data = NULL;

  if (g_file_test (dir, G_FILE_TEST_EXISTS) && !is_empty_dir (dir))
    {
      g_set_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_EXISTS,
                   _("%s exists and is not an empty folder"), dir);
      return NULL;
    }
  if (!kho_store_make_dirs (parent, error))
    return NULL;
  writer = g_new0 (KhoBagitWriter, 1);
  writer->dir = g_strdup (dir);
  writer->tmp = g_strdup_printf ("%s.tmp-XXXXXX", dir);
  writer->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  writer->paths = g_hash_table_new (g_str_hash, g_str_equal);
  if (g_mkdtemp_full (writer->tmp, 0755) == NULL)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("cannot create folder %s: %s"), writer->tmp, g_strerror (errsv));
      g_clear_pointer (&writer->tmp, g_free);
      return NULL;
    }
  data = g_build_filename (writer->tmp, "data", NULL);
  if (!kho_store_make_dirs (data, error))
    return NULL;
  return g_steal_pointer (&writer);
}

void
kho_bagit_writer_free (KhoBagitWriter *writer)
{
  if (writer == NULL)
    return;
  if (!writer->finished && writer->tmp)
    {
      g_autoptr (GError) error = NULL;

      if (!kho_store_remove_tree (writer->tmp, &error))
        g_warning ("%s", error->message);
    }
  g_ptr_array_unref (writer->entries);
  g_hash_table_unref (writer->paths);
  g_free (writer->dir);
  g_free (writer->tmp);
  g_free (writer);
}

guint
kho_bagit_writer_files (KhoBagitWriter *writer)
{
  return writer->entries->len;
}

gint64
kho_bagit_writer_bytes (KhoBagitWriter *writer)
{
  return writer->bytes;
}

/* Checks @path and makes its folder; returns the file to write, or NULL. */
static char *
payload_target (KhoBagitWriter *writer, const char *path, GError **error)
{
  g_autofree char *relative = g_strconcat ("data/", path, NULL);
  g_autofree char *full = NULL;
  g_autofree char *folder = NULL;

  if (!kho_bagit_path_is_safe (path) || g_hash_table_contains (writer->paths, relative))
    {
      g_set_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_PATH,
                   _("“%s” cannot be a payload path of a bag"), path);
      return NULL;
    }
  full = g_build_filename (writer->tmp, relative, NULL);
  folder = g_path_get_dirname (full);
  if (!kho_store_make_dirs (folder, error))
    return NULL;
  return g_steal_pointer (&full);
}

static void
add_entry (KhoBagitWriter *writer, const char *path, char *sha256, gint64 size)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->path = g_strconcat ("data/", path, NULL);
  entry->sha256 = sha256;
  g_ptr_array_add (writer->entries, entry);
  g_hash_table_add (writer->paths, entry->path);
  writer->bytes += size;
}

gboolean
kho_bagit_writer_add_file (KhoBagitWriter *writer, const char *path, const char *source,
                           const char *expected_sha256, GError **error)
{
  g_autofree char *target = payload_target (writer, path, error);
  char *sha256 = NULL;
  gint64 size = 0;

  if (target == NULL ||
      !kho_store_copy_file (source, target, 0444, expected_sha256, &sha256, &size, error))
    return FALSE;
  add_entry (writer, path, sha256, size);
  return TRUE;
}

/* Writes @data to @path and syncs it. */
static gboolean
write_durable (const char *path, const void *data, gsize size, int mode, GError **error)
{
  return g_file_set_contents_full (path, data, (gssize) size, G_FILE_SET_CONTENTS_DURABLE, mode,
                                   error);
}

gboolean
kho_bagit_writer_add_bytes (KhoBagitWriter *writer, const char *path, GBytes *data,
                            GError **error)
{
  g_autofree char *target = payload_target (writer, path, error);
  gsize size;
  const void *bytes = g_bytes_get_data (data, &size);

  if (target == NULL || !write_durable (target, bytes, size, 0444, error))
    return FALSE;
  add_entry (writer, path, g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data),
             (gint64) size);
  return TRUE;
}

/* Writes the tag file @name with @text; appends its manifest line to @tags. */
static gboolean
write_tag_file (KhoBagitWriter *writer, const char *name, const char *text, GString *tags,
                GError **error)
{
  g_autofree char *path = g_build_filename (writer->tmp, name, NULL);
  g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  if (!write_durable (path, text, strlen (text), 0444, error))
    return FALSE;
  if (tags)
    g_string_append_printf (tags, "%s  %s\n", sha256, name);
  return TRUE;
}

/* Syncs @dir and every folder under it: the files were synced as they were
 * written, the folders' entries were not. */
static gboolean
sync_tree (const char *dir, GError **error)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, error);
  const char *name;

  if (handle == NULL)
    return FALSE;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK) &&
          !sync_tree (child, error))
        return FALSE;
    }
  return kho_store_sync_dir (dir, error);
}

gboolean
kho_bagit_writer_finish (KhoBagitWriter *writer, const char *const *info, GError **error)
{
  g_autoptr (GString) manifest = g_string_new (NULL);
  g_autoptr (GString) bag_info = g_string_new (NULL);
  g_autoptr (GString) tags = g_string_new (NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *parent = g_path_get_dirname (writer->dir);

  g_return_val_if_fail (!writer->finished, FALSE);
  for (guint i = 0; i < writer->entries->len; i++)
    {
      Entry *entry = writer->entries->pdata[i];
      g_autofree char *encoded = kho_bagit_encode_path (entry->path);

      g_string_append_printf (manifest, "%s  %s\n", entry->sha256, encoded);
    }
  for (int i = 0; info && info[i] && info[i + 1]; i += 2)
    {
      /* A value never spans lines here: its line breaks become spaces. */
      g_autofree char *value = g_strdelimit (g_strdup (info[i + 1]), "\r\n", ' ');

      g_string_append_printf (bag_info, "%s: %s\n", info[i], value);
    }
  g_string_append_printf (bag_info, "Bagging-Date: %s\n", date);
  g_string_append_printf (bag_info, "Payload-Oxum: %" G_GINT64_FORMAT ".%u\n", writer->bytes,
                          writer->entries->len);
  if (!write_tag_file (writer, "bagit.txt",
                       "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", tags, error) ||
      !write_tag_file (writer, "bag-info.txt", bag_info->str, tags, error) ||
      !write_tag_file (writer, MANIFEST, manifest->str, tags, error) ||
      !write_tag_file (writer, TAGMANIFEST, tags->str, NULL, error) ||
      !sync_tree (writer->tmp, error))
    return FALSE;
  /* An empty folder given as the destination is replaced by the bag. */
  if (g_file_test (writer->dir, G_FILE_TEST_IS_DIR))
    g_rmdir (writer->dir);
  if (g_rename (writer->tmp, writer->dir) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("cannot rename %s to %s: %s"), writer->tmp, writer->dir, g_strerror (errsv));
      return FALSE;
    }
  writer->finished = TRUE;
  return kho_store_sync_dir (parent, error);
}

/* --- reading --- */

static void
bagit_file_free (KhoBagitFile *file)
{
  g_free (file->path);
  g_free (file->sha256);
  g_free (file);
}

void
kho_bagit_free (KhoBagit *bag)
{
  if (bag == NULL)
    return;
  g_free (bag->root);
  g_clear_pointer (&bag->by_path, g_hash_table_unref);
  g_clear_pointer (&bag->payload, g_ptr_array_unref);
  g_clear_pointer (&bag->info, g_hash_table_unref);
  g_free (bag);
}

const KhoBagitFile *
kho_bagit_lookup (KhoBagit *bag, const char *path)
{
  g_autofree char *relative = g_strconcat ("data/", path, NULL);

  return g_hash_table_lookup (bag->by_path, relative);
}

/* Sets @error: the bag at fault, its file @file and what is wrong. */
static gboolean invalid (GError **error, KhoBagit *bag, const char *file, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
invalid (GError **error, KhoBagit *bag, const char *file, const char *format, ...)
{
  va_list args;
  g_autofree char *reason = NULL;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: bag FOLDER: FILE in the bag: what is wrong with it. */
  g_set_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_INVALID, _("bag %s: %s: %s"), bag->root,
               file, reason);
  return FALSE;
}

/* Reads the tag file @name as UTF-8 lines (CR LF or LF); NULL with @error
 * when it is missing or not UTF-8. */
static GStrv
read_lines (KhoBagit *bag, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (bag->root, name, NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  GStrv lines;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      invalid (error, bag, name, "%s", local->message);
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      invalid (error, bag, name, "%s", _("not UTF-8"));
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      gsize n = strlen (lines[i]);

      if (n > 0 && lines[i][n - 1] == '\r')
        lines[i][n - 1] = '\0';
    }
  return lines;
}

/* Reads "Label: value" lines (a line starting with white space continues
 * the value before it) into @table, the first value of each label kept. */
static gboolean
read_labels (KhoBagit *bag, const char *name, GHashTable *table, GError **error)
{
  g_auto (GStrv) lines = read_lines (bag, name, error);
  char *last = NULL;

  if (lines == NULL)
    return FALSE;
  for (int i = 0; lines[i]; i++)
    {
      const char *colon = strchr (lines[i], ':');
      char *label;

      if (*lines[i] == '\0')
        continue;
      if ((*lines[i] == ' ' || *lines[i] == '\t') && last)
        {
          char *joined = g_strconcat (g_hash_table_lookup (table, last), " ",
                                      g_strstrip (lines[i]), NULL);
          g_hash_table_insert (table, g_strdup (last), joined);
          continue;
        }
      if (colon == NULL)
        return invalid (error, bag, name, _("line %d is not “Label: value”"), i + 1);
      label = g_strstrip (g_strndup (lines[i], (gsize) (colon - lines[i])));
      if (g_hash_table_contains (table, label))
        {
          g_free (label);
          last = NULL;
          continue;
        }
      g_hash_table_insert (table, label, g_strstrip (g_strdup (colon + 1)));
      last = label;
    }
  return TRUE;
}

/* Parses the manifest @name: "CHECKSUM  PATH" lines into @files (path →
 * lower-case hex).  @payload: paths must be in data/; else must not be. */
static gboolean
read_manifest (KhoBagit *bag, const char *name, gboolean payload, GPtrArray *order,
               GHashTable *files, GError **error)
{
  g_auto (GStrv) lines = read_lines (bag, name, error);

  if (lines == NULL)
    return FALSE;
  for (int i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      gsize hex = strspn (line, "0123456789abcdefABCDEF");
      const char *rest = line + hex;
      g_autofree char *path = NULL;

      if (*line == '\0')
        continue;
      if (hex != 64 || (*rest != ' ' && *rest != '\t'))
        return invalid (error, bag, name, _("line %d is not “SHA-256  PATH”"), i + 1);
      while (*rest == ' ' || *rest == '\t')
        rest++;
      path = kho_bagit_decode_path (rest);
      if (path == NULL || !kho_bagit_path_is_safe (path) ||
          g_str_has_prefix (path, "data/") != payload)
        return invalid (error, bag, name,
                        payload ? _("line %d: “%s” is not a path inside data/")
                                : _("line %d: “%s” is not a tag file path"), i + 1, rest);
      if (g_hash_table_contains (files, path))
        return invalid (error, bag, name, _("line %d: “%s” is listed twice"), i + 1, path);
      if (order)
        g_ptr_array_add (order, g_strdup (path));
      g_hash_table_insert (files, g_steal_pointer (&path), g_ascii_strdown (line, 64));
    }
  return TRUE;
}

/* Adds every file under @dir (relative path @relative) to @found (path →
 * size).  Links and special files are refused: a bag holds files. */
static gboolean
walk_payload (KhoBagit *bag, const char *dir, const char *relative, GHashTable *found,
              GError **error)
{
  g_autoptr (GDir) handle = NULL;
  g_autoptr (GError) local = NULL;
  const char *name;

  handle = g_dir_open (dir, 0, &local);
  if (handle == NULL)
    return invalid (error, bag, relative, "%s", local->message);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *child = g_strconcat (relative, "/", name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        return invalid (error, bag, child, "%s", g_strerror (errno));
      if (S_ISDIR (st.st_mode))
        {
          if (!walk_payload (bag, path, child, found, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        g_hash_table_insert (found, g_steal_pointer (&child),
                             g_memdup2 (&(gint64) { st.st_size }, sizeof (gint64)));
      else
        return invalid (error, bag, child, "%s", _("not a regular file (a link?)"));
    }
  return TRUE;
}

/* Checks the file @relative of the bag has the checksum @want. */
static gboolean
check_file (KhoBagit *bag, const char *relative, const char *want, const char *manifest,
            GError **error)
{
  g_autofree char *path = g_build_filename (bag->root, relative, NULL);
  g_autoptr (GError) local = NULL;
  g_autofree char *sha256 = NULL;
  GStatBuf st;

  if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return invalid (error, bag, relative, _("listed in %s but missing"), manifest);
  sha256 = kho_store_sha256_file (path, &local);
  if (sha256 == NULL)
    return invalid (error, bag, relative, "%s", local->message);
  if (strcmp (sha256, want) != 0)
    return invalid (error, bag, relative, _("SHA-256 is %s, %s says %s"), sha256, manifest,
                    want);
  return TRUE;
}

/* bagit.txt declares a version and UTF-8; the manifest, data/ and, when
 * there is one, bag-info.txt can be read. */
static gboolean
read_structure (KhoBagit *bag, GPtrArray *order, GHashTable *manifest, GError **error)
{
  g_autoptr (GHashTable) declaration = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              g_free);
  g_autofree char *data = g_build_filename (bag->root, "data", NULL);
  g_autofree char *manifest_path = g_build_filename (bag->root, MANIFEST, NULL);
  g_autofree char *info_path = g_build_filename (bag->root, "bag-info.txt", NULL);
  const char *version, *encoding;

  if (!g_file_test (bag->root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_INVALID, _("%s is not a folder"),
                   bag->root);
      return FALSE;
    }
  if (!read_labels (bag, "bagit.txt", declaration, error))
    return FALSE;
  version = g_hash_table_lookup (declaration, "BagIt-Version");
  encoding = g_hash_table_lookup (declaration, "Tag-File-Character-Encoding");
  if (version == NULL || !g_regex_match_simple ("^[0-9]+\\.[0-9]+$", version, 0, 0))
    return invalid (error, bag, "bagit.txt", "%s", _("no BagIt-Version"));
  if (encoding == NULL || g_ascii_strcasecmp (encoding, "UTF-8") != 0)
    return invalid (error, bag, "bagit.txt", "%s", _("Tag-File-Character-Encoding is not UTF-8"));
  if (!g_file_test (manifest_path, G_FILE_TEST_IS_REGULAR))
    return invalid (error, bag, MANIFEST, "%s", _("missing (kho reads bags with SHA-256 checksums)"));
  if (!read_manifest (bag, MANIFEST, TRUE, order, manifest, error))
    return FALSE;
  if (g_file_test (info_path, G_FILE_TEST_EXISTS) &&
      !read_labels (bag, "bag-info.txt", bag->info, error))
    return FALSE;
  if (!g_file_test (data, G_FILE_TEST_IS_DIR) || g_file_test (data, G_FILE_TEST_IS_SYMLINK))
    return invalid (error, bag, "data/", "%s", _("missing"));
  return TRUE;
}

static int
compare_paths (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Every listed file present, every present file listed, the Payload-Oxum:
 * cheap, so checked before any checksum, as bagit-python does.  @found
 * receives each payload file's size. */
static gboolean
check_complete (KhoBagit *bag, GPtrArray *order, GHashTable *manifest, GHashTable *found,
                GError **error)
{
  g_autofree char *data = g_build_filename (bag->root, "data", NULL);
  g_autofree char **present = NULL;
  const char *oxum;
  guint n_present;
  gint64 total = 0;

  if (!walk_payload (bag, data, "data", found, error))
    return FALSE;
  for (guint i = 0; i < order->len; i++)
    if (!g_hash_table_contains (found, order->pdata[i]))
      return invalid (error, bag, order->pdata[i], _("listed in %s but missing"), MANIFEST);
  /* In name order, so the file named is the same on every run. */
  present = (char **) g_hash_table_get_keys_as_array (found, &n_present);
  qsort (present, n_present, sizeof (char *), compare_paths);
  for (guint i = 0; i < n_present; i++)
    {
      if (!g_hash_table_contains (manifest, present[i]))
        return invalid (error, bag, present[i], _("not listed in %s"), MANIFEST);
      total += *(gint64 *) g_hash_table_lookup (found, present[i]);
    }
  oxum = g_hash_table_lookup (bag->info, "Payload-Oxum");
  if (oxum)
    {
      g_autofree char *want = g_strdup_printf ("%" G_GINT64_FORMAT ".%u", total, order->len);

      if (strcmp (oxum, want) != 0)
        return invalid (error, bag, "bag-info.txt", _("Payload-Oxum is %s, the payload is %s"),
                        oxum, want);
    }
  return TRUE;
}

/* The tag files' checksums, when there is a tag manifest. */
static gboolean
check_tags (KhoBagit *bag, GError **error)
{
  g_autofree char *tag_path = g_build_filename (bag->root, TAGMANIFEST, NULL);
  g_autoptr (GHashTable) tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) order = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_test (tag_path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!read_manifest (bag, TAGMANIFEST, FALSE, order, tags, error))
    return FALSE;
  for (guint i = 0; i < order->len; i++)
    if (!check_file (bag, order->pdata[i], g_hash_table_lookup (tags, order->pdata[i]),
                     TAGMANIFEST, error))
      return FALSE;
  return TRUE;
}

KhoBagit *
kho_bagit_open (const char *dir, GError **error)
{
  g_autoptr (KhoBagit) bag = g_new0 (KhoBagit, 1);
  g_autoptr (GHashTable) manifest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           g_free);
  g_autoptr (GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) order = g_ptr_array_new_with_free_func (g_free);

  bag->root = g_strdup (dir);
  bag->info = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bag->payload = g_ptr_array_new_with_free_func ((GDestroyNotify) bagit_file_free);
  bag->by_path = g_hash_table_new (g_str_hash, g_str_equal);
  if (!read_structure (bag, order, manifest, error) ||
      !check_complete (bag, order, manifest, found, error) || !check_tags (bag, error))
    return NULL;
  for (guint i = 0; i < order->len; i++)
    {
      const char *path = order->pdata[i];
      const char *want = g_hash_table_lookup (manifest, path);
      KhoBagitFile *file;

      if (!check_file (bag, path, want, MANIFEST, error))
        return NULL;
      file = g_new0 (KhoBagitFile, 1);
      file->path = g_strdup (path);
      file->sha256 = g_strdup (want);
      file->size = *(gint64 *) g_hash_table_lookup (found, path);
      g_ptr_array_add (bag->payload, file);
      g_hash_table_insert (bag->by_path, file->path, file);
    }
  return g_steal_pointer (&bag);
}
