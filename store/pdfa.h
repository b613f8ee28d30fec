/* pdfa.h — write archival PDF/A-2u files: scanned page images with an
 * invisible, selectable text layer.
 *
 * Written by kho itself (no Ghostscript pass): each page image is embedded
 * once (CCITT G4 for 1 bpp, JPEG for gray and colour, or the original JPEG
 * bytes passed through), text in render mode 3 in an embedded glyphless
 * font with a ToUnicode map, XMP metadata and an sRGB output intent.
 */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>

G_BEGIN_DECLS

#define KHO_PDFA_ERROR (kho_pdfa_error_quark ())
GQuark kho_pdfa_error_quark (void);

/* Error codes in KHO_PDFA_ERROR. */
typedef enum {
  KHO_PDFA_ERROR_INPUT,  /* a missing or invalid argument (no pix, dpi 0, bad UTF-8) */
  KHO_PDFA_ERROR_IMAGE,  /* a page image that cannot be encoded or a JPEG that cannot be read */
  KHO_PDFA_ERROR_ICC,    /* the sRGB output intent profile is missing or unreadable */
} KhoPdfaError;

/* Words come in reading order; consecutive words with equal baseline and
 * line_height (and increasing x) form one line of the text layer. */
typedef struct {
  const char *text;  /* UTF-8 NFC, borrowed */
  int x, y, w, h;    /* word box in image pixels, origin top left */
  int baseline;      /* y of its line's baseline, pixels */
  int line_height;   /* height of its line, pixels */
} KhoPdfWord;

/* A page image compressed as it will be embedded (G4 or JPEG).  Encoding
 * each page as soon as it is ready lets a caller drop the full image at
 * once, so a long document costs its compressed size in memory, not its
 * pixels. */
typedef struct KhoPdfImage KhoPdfImage;

/* Encodes @pix (borrowed; 1 bpp → CCITT G4, 8/32 bpp → JPEG at
 * @jpeg_quality, 0 for the default), or takes @jpeg (borrowed; a reference
 * is kept) unchanged when given, checking it has @pix's size.  NULL with
 * @error on failure. */
KhoPdfImage *kho_pdfa_image_new (PIX *pix, GBytes *jpeg, int jpeg_quality, GError **error);
void kho_pdfa_image_free (KhoPdfImage *image);
/* Compressed size in bytes. */
gsize kho_pdfa_image_size (const KhoPdfImage *image);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoPdfImage, kho_pdfa_image_free)

typedef struct {
  const KhoPdfImage *image; /* borrowed or NULL: the page image, already encoded;
                             * when set, pix and jpeg are not used */
  PIX *pix;                 /* borrowed: the page image, upright, 1/8/32 bpp */
  GBytes *jpeg;             /* borrowed or NULL: JPEG bytes whose decoding is pix,
                             * embedded as they are (DCTDecode pass-through) */
  int dpi;                  /* page size in points = pixels * 72 / dpi */
  const KhoPdfWord *words;  /* borrowed, n_words of them */
  gsize n_words;
} KhoPdfPage;

typedef struct {
  const char *title;        /* dc:title and /Title */
  const char *language;     /* dc:language and /Lang, e.g. "vi" */
  const char *archive_id;   /* kho:ArchiveID (extension schema) */
  const char *original_sha256; /* kho:OriginalSHA256 */
  const char *creator_tool; /* xmp:CreatorTool, e.g. "kho 0.1.0" */
  GDateTime *created;       /* borrowed; xmp:CreateDate, /CreationDate (also ModifyDate);
                             * NULL: now, which makes the output time-dependent */
  int jpeg_quality;         /* for pages re-encoded as JPEG; 0: 65 gray, 75 colour */
  /* The document's metadata as Phụ lục VI of Nghị định 30/2020/NĐ-CP names
   * it: NULL-terminated pairs of an element name ("TypeName", "CodeNumber",
   * "CodeNotation", "IssuedDate", "OrganName", "Subject", …) and its value,
   * written as kho:NAME properties declared in the extension schema.
   * "TypeName" also gives dc:type and "Subject" dc:description.  NULL: none. */
  const char *const *metadata;
} KhoPdfInfo;

/* Builds the whole PDF/A-2u file in memory.  Deterministic for equal input
 * (the document ID is derived from the content).  Strings in @info may be
 * NULL (the property is then left out).  Returns the file (free with
 * g_bytes_unref), or NULL with @error set in KHO_PDFA_ERROR on failure (an
 * image that cannot be encoded, no ICC profile). */
GBytes *kho_pdfa_build (const KhoPdfInfo *info, const KhoPdfPage *pages, gsize n_pages,
                        GError **error);

G_END_DECLS
