/* originals.c — content-addressed originals, archival PDFs and atomic writes. */
#define G_LOG_DOMAIN "kho-store"
#include "store/originals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (kho-store-error-quark, kho_store_error)

static gboolean
io_error (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, KHO_STORE_ERROR,
               (errsv == ENOSPC || errsv == EDQUOT) ? KHO_STORE_ERROR_NO_SPACE
                                                    : KHO_STORE_ERROR_IO,
               "store: %s %s: %s", what, path, g_strerror (errsv));
  return FALSE;
}

char *
kho_store_sha256_bytes (GBytes *data)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
}

char *
kho_store_sha256_file (const char *path, GError **error)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guchar buffer[1 << 16];
  ssize_t n;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      io_error (error, errno, _("cannot open"), path);
      return NULL;
    }
  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      if (n < 0)
        {
          int errsv = errno;
          if (errsv == EINTR)
            continue;
          close (fd);
          io_error (error, errsv, _("cannot read"), path);
          return NULL;
        }
      g_checksum_update (checksum, buffer, (gsize) n);
    }
  close (fd);
  return g_strdup (g_checksum_get_string (checksum));
}

char *
kho_store_original_path (const char *archive, const char *sha256)
{
  char a[3] = { sha256[0], sha256[1], 0 };
  char b[3] = { sha256[2], sha256[3], 0 };

  return g_build_filename (archive, "originals", a, b, sha256, NULL);
}

char *
kho_store_pdf_path (const char *archive, const char *archive_id)
{
  g_autofree char *name = g_strconcat (archive_id, ".pdf", NULL);

  return g_build_filename (archive, "pdfa", name, NULL);
}

static gboolean
fsync_dir (const char *dir, GError **error)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return io_error (error, errno, _("cannot open folder"), dir);
  if (fsync (fd) != 0)
    {
      int errsv = errno;
      close (fd);
      return io_error (error, errsv, _("cannot sync folder"), dir);
    }
  close (fd);
  return TRUE;
}

/* Creates @dir and its parents, syncing each parent that gained an entry so
 * the new folder survives a power cut. */
static gboolean
make_dirs (const char *dir, GError **error)
{
  g_autofree char *parent = NULL;

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  parent = g_path_get_dirname (dir);
  if (strcmp (parent, dir) != 0 && !make_dirs (parent, error))
    return FALSE;
  if (g_mkdir (dir, 0755) != 0 && errno != EEXIST)
    return io_error (error, errno, _("cannot create folder"), dir);
  return fsync_dir (parent, error);
}

/* For the full-disk test: while the file $KHO_TEST_ENOSPC names exists,
 * every write of the store fails as on a full disk. */
static gboolean
disk_full_for_test (void)
{
  const char *flag = g_getenv ("KHO_TEST_ENOSPC");

  return flag && *flag && g_file_test (flag, G_FILE_TEST_EXISTS);
}

static gboolean
write_all (int fd, const guint8 *data, gsize size)
{
  if (size > 0 && disk_full_for_test ())
    {
      errno = ENOSPC;
      return FALSE;
    }
  while (size > 0)
    {
      ssize_t n = write (fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      data += n;
      size -= (gsize) n;
    }
  return TRUE;
}

gboolean
kho_store_write_atomic (const char *archive, const char *path, GBytes *data, GError **error)
{
  g_autofree char *tmp_dir = g_build_filename (archive, "tmp", NULL);
  g_autofree char *tmp_path = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);
  int fd = -1, errsv;

  if (!make_dirs (tmp_dir, error) || !make_dirs (dir, error))
    return FALSE;

  {
    /* The writer's PID in the name lets kho_store_clean_staging() tell a
     * file a killed writer left from one being written right now. */
    g_autofree char *name = g_strdup_printf ("write-%d-XXXXXX", (int) getpid ());
    tmp_path = g_build_filename (tmp_dir, name, NULL);
  }
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_error (error, errno, _("cannot create temporary file in"), tmp_dir);
  if (!write_all (fd, bytes, size) || fsync (fd) != 0 || fchmod (fd, 0444) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp_path, path) != 0)
    goto fail;
  return fsync_dir (dir, error);

fail:
  errsv = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp_path);
  return io_error (error, errsv, _("cannot write"), path);
}

gboolean
kho_store_put_original (const char *archive, const char *sha256, GBytes *data, GError **error)
{
  g_autofree char *path = kho_store_original_path (archive, sha256);
  GStatBuf st;

  /* Named by its content: a whole file under this name is this content
   * (a torn one cannot exist, writes are atomic). */
  if (g_stat (path, &st) == 0 && (gsize) st.st_size == g_bytes_get_size (data))
    return TRUE;
  return kho_store_write_atomic (archive, path, data, error);
}

gboolean
kho_store_remove (const char *path, GError **error)
{
  g_autofree char *dir = NULL;

  if (g_unlink (path) != 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return io_error (error, errno, _("cannot remove"), path);
    }
  dir = g_path_get_dirname (path);
  return fsync_dir (dir, error);
}

gboolean
kho_store_init (const char *archive, GError **error)
{
  static const char *const folders[] = { "originals", "pdfa", "quarantine", "tmp" };

  if (!make_dirs (archive, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *dir = g_build_filename (archive, folders[i], NULL);

      if (!make_dirs (dir, error))
        return FALSE;
    }
  return TRUE;
}

/* TRUE when the staging file @name was left by a writer that is gone. */
static gboolean
writer_gone (const char *name)
{
  long pid;
  char *end = NULL;

  if (!g_str_has_prefix (name, "write-"))
    return FALSE;
  pid = strtol (name + strlen ("write-"), &end, 10);
  if (end == NULL || *end != '-' || pid <= 0)
    return FALSE;
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

int
kho_store_clean_staging (const char *archive)
{
  g_autofree char *tmp = g_build_filename (archive, "tmp", NULL);
  g_autoptr (GDir) dir = g_dir_open (tmp, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;
  int removed = 0;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (writer_gone (name) || now - st.st_mtime > 24 * 3600)
        {
          g_debug ("removing %s, left by an interrupted write", path);
          if (g_unlink (path) == 0)
            removed++;
        }
    }
  return removed;
}

gboolean
kho_store_make_dirs (const char *dir, GError **error)
{
  return make_dirs (dir, error);
}

gboolean
kho_store_sync_dir (const char *dir, GError **error)
{
  return fsync_dir (dir, error);
}

gboolean
kho_store_copy_file (const char *source, const char *dest, int mode, const char *expected_sha256,
                     char **sha256, gint64 *size, GError **error)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guchar buffer[1 << 16];
  gint64 copied = 0;
  ssize_t n;
  int in = -1, out = -1, errsv;
  const char *what = _("cannot read");
  const char *where = source;

  in = g_open (source, O_RDONLY | O_CLOEXEC, 0);
  if (in < 0)
    return io_error (error, errno, _("cannot open"), source);
  out = g_open (dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (out < 0)
    {
      what = _("cannot create");
      where = dest;
      goto fail;
    }
  while ((n = read (in, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      g_checksum_update (checksum, buffer, (gsize) n);
      if (!write_all (out, buffer, (gsize) n))
        {
          what = _("cannot write");
          where = dest;
          goto fail;
        }
      copied += n;
    }
  if (fsync (out) != 0 || close (out) != 0)
    {
      out = -1;
      what = _("cannot write");
      where = dest;
      goto fail;
    }
  out = -1;
  close (in);
  if (expected_sha256 && strcmp (g_checksum_get_string (checksum), expected_sha256) != 0)
    {
      g_unlink (dest);
      g_set_error (error, KHO_STORE_ERROR, KHO_STORE_ERROR_MISMATCH,
                   _("%s has changed: SHA-256 %s, recorded %s"), source,
                   g_checksum_get_string (checksum), expected_sha256);
      return FALSE;
    }
  if (sha256)
    *sha256 = g_strdup (g_checksum_get_string (checksum));
  if (size)
    *size = copied;
  return TRUE;

fail:
  errsv = errno;
  close (in);
  if (out >= 0)
    {
      close (out);
      g_unlink (dest);
    }
  return io_error (error, errsv, what, where);
}

gboolean
kho_store_remove_tree (const char *path, GError **error)
{
  GStatBuf st;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return errno == ENOENT ? TRUE : io_error (error, errno, _("cannot remove"), path);
  if (!S_ISDIR (st.st_mode))
    {
      /* Files in a bag or backup are read-only; unlink needs the folder's
       * permission, not the file's. */
      if (g_unlink (path) != 0)
        return io_error (error, errno, _("cannot remove"), path);
      return TRUE;
    }
  g_chmod (path, 0755);
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!kho_store_remove_tree (child, error))
        return FALSE;
    }
  if (g_rmdir (path) != 0)
    return io_error (error, errno, _("cannot remove"), path);
  return TRUE;
}
