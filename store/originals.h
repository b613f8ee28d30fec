/* originals.h — the archive's files: byte-exact originals named by their
 * SHA-256, archival PDFs, and the atomic write that both rely on.
 *
 * A file is written to ARCHIVE/tmp, fsynced, renamed into place and its
 * folder fsynced, then made read-only: after a power cut a file is either
 * absent or whole, never half-written.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KHO_STORE_ERROR (kho_store_error_quark ())
GQuark kho_store_error_quark (void);

typedef enum {
  KHO_STORE_ERROR_IO,       /* a write, fsync or rename failed (errno in the message) */
  KHO_STORE_ERROR_NO_SPACE, /* ENOSPC or EDQUOT: retry later */
  KHO_STORE_ERROR_MISMATCH, /* a stored file does not have its recorded checksum */
} KhoStoreError;

/* Lower-case hex SHA-256 of @data (newly allocated). */
char *kho_store_sha256_bytes (GBytes *data);
/* Lower-case hex SHA-256 of the file at @path, read in blocks; NULL with
 * @error when it cannot be read. */
char *kho_store_sha256_file (const char *path, GError **error);

/* ARCHIVE/originals/ab/cd/<sha256> (newly allocated). */
char *kho_store_original_path (const char *archive, const char *sha256);
/* ARCHIVE/pdfa/<archive_id>.pdf (newly allocated). */
char *kho_store_pdf_path (const char *archive, const char *archive_id);

/* Writes @data to @path atomically through ARCHIVE/tmp (see above) with
 * mode 0444, creating missing folders; an existing file is replaced whole. */
gboolean kho_store_write_atomic (const char *archive, const char *path, GBytes *data,
                                 GError **error);

/* Stores the original @data under its @sha256; idempotent: an original
 * already stored is left as it is. */
gboolean kho_store_put_original (const char *archive, const char *sha256, GBytes *data,
                                 GError **error);

/* Removes @path (made writable first); a missing file is not an error. */
gboolean kho_store_remove (const char *path, GError **error);

/* Removes from ARCHIVE/tmp the files of writers that are gone (killed
 * mid-write: the write never completed, the store never saw them), and
 * any file a day old.  Returns how many were removed. */
int kho_store_clean_staging (const char *archive);

/* Copies @source to @dest (a new file; mode @mode), hashing the bytes as
 * they pass and syncing @dest.  With @expected_sha256, a source whose bytes
 * do not have it fails with KHO_STORE_ERROR_MISMATCH and @dest is removed.
 * *@sha256 (if not NULL) receives the lower-case hex, *@size the bytes
 * copied.  For bags and backups: a stored file is read once, and what is
 * written is what was checked. */
gboolean kho_store_copy_file (const char *source, const char *dest, int mode,
                              const char *expected_sha256, char **sha256, gint64 *size,
                              GError **error);

/* Removes the folder @path and everything in it, not following links (a
 * bag or backup left half-written).  A missing @path is not an error. */
gboolean kho_store_remove_tree (const char *path, GError **error);

/* Creates @dir and its missing parents, syncing each parent that gained
 * an entry. */
gboolean kho_store_make_dirs (const char *dir, GError **error);
/* Syncs the folder @dir, so a rename or new entry in it survives a power cut. */
gboolean kho_store_sync_dir (const char *dir, GError **error);

/* Creates the archive's folders (originals, pdfa, quarantine, tmp). */
gboolean kho_store_init (const char *archive, GError **error);

G_END_DECLS
