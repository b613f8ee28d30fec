/* decode.h — recognise scanned inputs by their bytes and decode their pages.
 *
 * A KhoSource is one input file (TIFF, PNG, JPEG or PDF) opened from memory.
 * Opening validates what can be validated cheaply (type, page count,
 * dimensions, encryption) so that bad input is refused before anything is
 * written to the archive.  Pages are then rendered one at a time.
 */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>

G_BEGIN_DECLS

#define KHO_DECODE_ERROR (kho_decode_error_quark ())
GQuark kho_decode_error_quark (void);

typedef enum {
  KHO_DECODE_ERROR_EMPTY,       /* zero bytes */
  KHO_DECODE_ERROR_UNKNOWN,     /* not an image or PDF we read */
  KHO_DECODE_ERROR_CORRUPT,     /* truncated or damaged */
  KHO_DECODE_ERROR_ENCRYPTED,   /* password-protected PDF */
  KHO_DECODE_ERROR_NO_PAGES,    /* PDF or TIFF without pages */
  KHO_DECODE_ERROR_TOO_LARGE,   /* over the pixel limits (decompression bomb) */
} KhoDecodeError;

typedef enum {
  KHO_FORMAT_UNKNOWN = 0,
  KHO_FORMAT_TIFF,
  KHO_FORMAT_PNG,
  KHO_FORMAT_JPEG,
  KHO_FORMAT_PDF,
} KhoFormat;

/* Limits against decompression bombs. */
#define KHO_DECODE_MAX_SIDE    20000      /* pixels on either side */
#define KHO_DECODE_MAX_PIXELS  200000000  /* pixels per page */

/* Sniffs the format from the first bytes; never from a file name. */
KhoFormat kho_decode_sniff (const guint8 *data, gsize size);
/* "tiff", "png", "jpeg", "pdf" or "unknown"; static string. */
const char *kho_format_name (KhoFormat format);
/* "image/tiff", …, "application/pdf"; static string. */
const char *kho_format_mime (KhoFormat format);

/* One word of text with its box, as found in a PDF's text layer or by OCR. */
typedef struct {
  char *text;        /* UTF-8, NFC, owned */
  int x, y, w, h;    /* word box in page-image pixels, origin top left */
  int baseline;      /* y of the text line's baseline, pixels */
  int line_height;   /* height of the text line's box, pixels */
  int line;          /* index of the text line on the page, from 0 */
  float confidence;  /* 0..100; 100 for text taken from a PDF */
} KhoWord;

/* One decoded page. */
typedef struct {
  PIX *pix;          /* owned: 1, 8 or 32 bpp (RGB), as decoded; never colormapped */
  int dpi;           /* resolution of pix (the scan's own; 300 if unknown) */
  GBytes *jpeg;      /* owned or NULL: the original JPEG stream when pix is exactly
                      * its decoding and it is gray or RGB (so it can be passed
                      * through to the PDF unchanged) */
  gboolean has_text; /* TRUE when a PDF page already has a text layer */
  char *text;        /* owned or NULL: that text layer (NFC), lines separated by '\n' */
  KhoWord *words;    /* owned or NULL: that text layer's words, boxes in pix pixels */
  gsize n_words;
} KhoPageImage;

typedef struct KhoSource KhoSource;

/* Opens @data (a reference is taken) whose display name is @name (used only
 * in messages).  Fails with a KHO_DECODE_ERROR whose message names the
 * reason, e.g. "truncated TIFF", "encrypted PDF", "image is 30000×1000 px,
 * over the 20000 px limit". */
KhoSource *kho_source_open (GBytes *data, const char *name, GError **error);
void kho_source_free (KhoSource *source);
KhoFormat kho_source_format (const KhoSource *source);
int kho_source_n_pages (const KhoSource *source);

/* Renders page @index (from 0).  Not thread-safe on one source; call from
 * one thread.  Returns a new page or NULL with @error set. */
KhoPageImage *kho_source_render_page (KhoSource *source, int index, GError **error);
void kho_page_image_free (KhoPageImage *page);

void kho_word_clear (KhoWord *word);
/* Frees an array of @n words and their text. */
void kho_words_free (KhoWord *words, gsize n);

/* Words as text, one a line ("x y w h baseline line_height line
 * confidence<TAB>text"), for the catalogue; newly allocated. */
char *kho_words_serialize (const KhoWord *words, gsize n);
/* The words serialised by kho_words_serialize (malformed lines skipped);
 * free with kho_words_free. */
KhoWord *kho_words_parse (const char *text, gsize *n_words);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoSource, kho_source_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoPageImage, kho_page_image_free)

G_END_DECLS
