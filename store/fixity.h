/* fixity.h — fixity of the archive's files: a stored file against its
 * recorded SHA-256, and the files of originals/ and pdfa/ with the key
 * (SHA-256 or archive ID) their place names, to find those no document owns.
 *
 * Only files: which document owns which file is the catalogue's business
 * (pipeline/verify.c puts the two together).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  KHO_FIXITY_OK,
  KHO_FIXITY_CHANGED,     /* readable, another SHA-256 */
  KHO_FIXITY_MISSING,     /* no file */
  KHO_FIXITY_UNREADABLE,  /* there, but cannot be read (permissions, I/O error) */
} KhoFixityStatus;

/* "ok", "changed", "missing", "unreadable": the names in events and JSON. */
const char *kho_fixity_status_name (KhoFixityStatus status);

/* Checks the file at @path against @sha256 (lower-case hex).  *@actual
 * (may be NULL) gets the SHA-256 read, newly allocated, when the file was
 * read; *@error (may be NULL) why a file is missing or unreadable. */
KhoFixityStatus kho_fixity_check_file (const char *path, const char *sha256, char **actual,
                                       GError **error);

typedef enum {
  KHO_FIXITY_FILE_ORIGINAL,  /* originals/ab/cd/<sha256>, its place right for its name */
  KHO_FIXITY_FILE_PDF,       /* pdfa/<archive-id>.pdf */
  KHO_FIXITY_FILE_OTHER,     /* anything else: owned by no document */
} KhoFixityFileKind;

typedef struct {
  char *path;              /* relative to the archive, "originals/ab/cd/abcd…" */
  KhoFixityFileKind kind;
  char *key;               /* the SHA-256 or archive ID the place names; NULL for OTHER */
} KhoFixityFile;

void kho_fixity_file_free (KhoFixityFile *file);

/* Every entry under ARCHIVE/originals and ARCHIVE/pdfa but the folders of
 * the layout (originals/ab/cd), as KhoFixityFile*, sorted by path (free
 * with g_ptr_array_unref).  Links are not followed: a link is OTHER.  NULL
 * with @error when a folder cannot be read. */
GPtrArray *kho_fixity_list_files (const char *archive, GError **error);

G_END_DECLS
