/* fixity.c — stored files against their SHA-256, and the files no document owns. */
#define G_LOG_DOMAIN "kho-store"
#include "store/fixity.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "store/originals.h"

const char *
kho_fixity_status_name (KhoFixityStatus status)
{
  switch (status)
    {
    case KHO_FIXITY_OK: return "ok";
    case KHO_FIXITY_CHANGED: return "changed";
    case KHO_FIXITY_MISSING: return "missing";
    case KHO_FIXITY_UNREADABLE: return "unreadable";
    default: return "unknown";
    }
}

KhoFixityStatus
kho_fixity_check_file (const char *path, const char *sha256, char **actual, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *read = NULL;
  GStatBuf st;

  /* A link could point anywhere: the store writes none. */
  if (g_lstat (path, &st) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "%s: %s", path,
                   g_strerror (errsv));
      return errsv == ENOENT || errsv == ENOTDIR ? KHO_FIXITY_MISSING : KHO_FIXITY_UNREADABLE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("%s: not a regular file"), path);
      return KHO_FIXITY_CHANGED;
    }
  read = kho_store_sha256_file (path, &local);
  if (read == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return KHO_FIXITY_UNREADABLE;
    }
  if (actual)
    *actual = g_strdup (read);
  return g_strcmp0 (read, sha256) == 0 ? KHO_FIXITY_OK : KHO_FIXITY_CHANGED;
}

void
kho_fixity_file_free (KhoFixityFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file->key);
  g_free (file);
}

static gboolean
is_hex (const char *text, gsize length)
{
  if (strlen (text) != length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

static void
add_file (GPtrArray *files, const char *path, KhoFixityFileKind kind, const char *key)
{
  KhoFixityFile *file = g_new0 (KhoFixityFile, 1);

  file->path = g_strdup (path);
  file->kind = kind;
  file->key = g_strdup (key);
  g_ptr_array_add (files, file);
}

/* Walks originals/ (@depth 0), its ab/ (1) and ab/cd/ (2) folders: an
 * entry out of the layout is OTHER, and not entered. */
static gboolean
walk_originals (const char *archive, const char *relative, int depth, const char *prefix,
                GPtrArray *files, GError **error)
{
  g_autofree char *dir_path = g_build_filename (archive, relative, NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = g_build_filename (relative, name, NULL);
      g_autofree char *child = g_build_filename (archive, child_rel, NULL);
      g_autofree char *child_prefix = g_strconcat (prefix, name, NULL);
      GStatBuf st;
      gboolean is_dir = g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode);
      gboolean is_file = !is_dir && g_lstat (child, &st) == 0 && S_ISREG (st.st_mode);

      if (depth < 2 && is_dir && is_hex (name, 2))
        {
          if (!walk_originals (archive, child_rel, depth + 1, child_prefix, files, error))
            return FALSE;
        }
      else if (depth == 2 && is_file && is_hex (name, 64) && g_str_has_prefix (name, prefix))
        add_file (files, child_rel, KHO_FIXITY_FILE_ORIGINAL, name);
      else
        add_file (files, child_rel, KHO_FIXITY_FILE_OTHER, NULL);
    }
  return TRUE;
}

static gboolean
walk_pdfs (const char *archive, GPtrArray *files, GError **error)
{
  g_autofree char *dir_path = g_build_filename (archive, "pdfa", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = g_build_filename ("pdfa", name, NULL);
      g_autofree char *child = g_build_filename (archive, child_rel, NULL);
      GStatBuf st;

      if (g_str_has_suffix (name, ".pdf") && strlen (name) > 4 && g_lstat (child, &st) == 0 &&
          S_ISREG (st.st_mode))
        {
          g_autofree char *id = g_strndup (name, strlen (name) - 4);
          add_file (files, child_rel, KHO_FIXITY_FILE_PDF, id);
        }
      else
        add_file (files, child_rel, KHO_FIXITY_FILE_OTHER, NULL);
    }
  return TRUE;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(KhoFixityFile *const *) a)->path, (*(KhoFixityFile *const *) b)->path);
}

GPtrArray *
kho_fixity_list_files (const char *archive, GError **error)
{
  g_autoptr (GPtrArray) files =
      g_ptr_array_new_with_free_func ((GDestroyNotify) kho_fixity_file_free);

  if (!walk_originals (archive, "originals", 0, "", files, error) ||
      !walk_pdfs (archive, files, error))
    return NULL;
  g_ptr_array_sort (files, compare_paths);
  return g_steal_pointer (&files);
}
