/* bagit.h — BagIt bags (RFC 8493): writing one atomically, and validating
 * one before anything is taken from it.
 *
 * A bag is a folder: bagit.txt, the payload under data/, its checksums in
 * manifest-sha256.txt, bag-info.txt (Source-Organization, Bagging-Date,
 * Payload-Oxum, …) and tagmanifest-sha256.txt over those three.  kho
 * writes and reads SHA-256 only (RFC 8493 §2.4 recommends SHA-512 or
 * SHA-256, and kho's catalogue records SHA-256, so a bag's checksums can be
 * compared with it directly).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KHO_BAGIT_ERROR (kho_bagit_error_quark ())
GQuark kho_bagit_error_quark (void);

typedef enum {
  KHO_BAGIT_ERROR_INVALID, /* not a valid bag: the message names the file and what is wrong */
  KHO_BAGIT_ERROR_EXISTS,  /* the destination exists and is not empty */
  KHO_BAGIT_ERROR_PATH,    /* a payload path that is not relative and inside data/ */
} KhoBagitError;

/* --- writing --- */

typedef struct KhoBagitWriter KhoBagitWriter;

/* Starts the bag that will become @dir.  Refuses an existing @dir that is
 * not an empty folder (KHO_BAGIT_ERROR_EXISTS).  Files are written into a
 * sibling folder DIR.tmp-XXXXXX, which kho_bagit_writer_finish renames to
 * @dir: a reader never sees half a bag. */
KhoBagitWriter *kho_bagit_writer_new (const char *dir, GError **error);
/* Frees @writer; an unfinished bag's temporary folder is removed. */
void kho_bagit_writer_free (KhoBagitWriter *writer);

/* Copies the file @source into the payload as data/@path (@path relative,
 * '/'-separated, without "." or ".." parts).  With @expected_sha256 the
 * copy fails (KHO_STORE_ERROR_MISMATCH) when the source does not have it,
 * so a changed file of the archive never reaches a bag. */
gboolean kho_bagit_writer_add_file (KhoBagitWriter *writer, const char *path, const char *source,
                                    const char *expected_sha256, GError **error);
/* Writes @data into the payload as data/@path. */
gboolean kho_bagit_writer_add_bytes (KhoBagitWriter *writer, const char *path, GBytes *data,
                                     GError **error);

/* Writes bagit.txt, manifest-sha256.txt, bag-info.txt (the NULL-ended
 * label, value pairs of @info, then Bagging-Date and Payload-Oxum) and
 * tagmanifest-sha256.txt, syncs them all, and renames the bag into place. */
gboolean kho_bagit_writer_finish (KhoBagitWriter *writer, const char *const *info,
                                  GError **error);

/* The payload so far: files and bytes. */
guint kho_bagit_writer_files (KhoBagitWriter *writer);
gint64 kho_bagit_writer_bytes (KhoBagitWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoBagitWriter, kho_bagit_writer_free)

/* --- reading --- */

typedef struct {
  char *path;    /* relative to the bag: "data/…", decoded */
  char *sha256;  /* lower-case hex, as the manifest gives it */
  gint64 size;
} KhoBagitFile;

typedef struct {
  char *root;            /* the bag's folder */
  GPtrArray *payload;    /* KhoBagitFile*, in manifest order */
  GHashTable *by_path;   /* path → KhoBagitFile* (borrowed from payload) */
  GHashTable *info;      /* bag-info.txt label → value (the first, when repeated) */
} KhoBagit;

/* Opens and validates the bag at @dir, as bagit-python's validate() does:
 * bagit.txt declares a version and UTF-8; manifest-sha256.txt lists every
 * payload file, each once, each inside data/ (no absolute path, no "..",
 * no link) and present; no payload file is missing from it; Payload-Oxum,
 * when given, matches; every file of tagmanifest-sha256.txt has its
 * checksum; then every payload file has its checksum.  Returns the bag, or
 * NULL with KHO_BAGIT_ERROR_INVALID naming the first file at fault and why.
 * Nothing in @dir is changed. */
KhoBagit *kho_bagit_open (const char *dir, GError **error);
void kho_bagit_free (KhoBagit *bag);
/* The payload file data/@path, or NULL (borrowed). */
const KhoBagitFile *kho_bagit_lookup (KhoBagit *bag, const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoBagit, kho_bagit_free)

/* --- paths --- */

/* @path as a manifest writes it: '%' as %25, CR as %0D, LF as %0A (RFC
 * 8493 §2.1.3).  Newly allocated. */
char *kho_bagit_encode_path (const char *path);
/* The reverse; NULL when @text has another '%' sequence. */
char *kho_bagit_decode_path (const char *text);
/* TRUE when @path is relative, '/'-separated, with no empty, "." or ".."
 * part: safe to join to a folder. */
gboolean kho_bagit_path_is_safe (const char *path);
/* @name made safe as one file name in a bag: no '/', '\\' or control
 * characters, not starting with '.', valid UTF-8, at most 200 bytes;
 * "file" when nothing is left.  Newly allocated. */
char *kho_bagit_safe_name (const char *name);

G_END_DECLS
