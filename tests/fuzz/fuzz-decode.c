/* fuzz-decode.c — kho_source_open and kho_source_render_page on any bytes.
 *
 * Whatever the bytes, opening and rendering must end in a page or a
 * KHO_DECODE_ERROR: no crash, no leak, no hang, no GLib critical.  To keep
 * each run fast, at most MAX_PAGES pages are rendered and a page whose
 * rendering would exceed MAX_RENDER_PIXELS is skipped (the limits of
 * decode.h are far larger; what open() accepts is still fuzzed whole).
 */
#include <glib.h>
#include <math.h>
#include <poppler.h>
#include <stdint.h>
#include <stdlib.h>

#include "ocr/decode.h"

#define MAX_PAGES 4
#define MAX_RENDER_PIXELS (4 * 1000 * 1000)
#define PDF_MAX_DPI 600   /* the highest resolution decode.c renders a PDF page at */

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Pixels of page @index once rendered, or an upper bound of them; G_MAXUINT64
 * when the size cannot be read (the renderer then reports the error). */
static guint64
page_pixels (KhoSource *source, GBytes *bytes, PopplerDocument *pdf, int index)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  switch (kho_source_format (source)) {
  case KHO_FORMAT_TIFF: {
      l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
      if (readHeaderMemTiff (data, size, index, &w, &h, &bps, &spp, &res, &cmap, &format) != 0 ||
          w <= 0 || h <= 0)
        return 0;   /* rendering fails fast, and must fail cleanly */
      return (guint64) w * (guint64) h;
    }
  case KHO_FORMAT_PDF: {
      PopplerPage *page = pdf ? poppler_document_get_page (pdf, index) : NULL;
      double w = 0, h = 0;
      if (page == NULL)
        return 0;
      poppler_page_get_size (page, &w, &h);
      g_object_unref (page);
      double pixels = ceil (w * PDF_MAX_DPI / 72.0) * ceil (h * PDF_MAX_DPI / 72.0);
      return pixels < 1e18 ? (guint64) pixels : G_MAXUINT64;
    }
  case KHO_FORMAT_PNG:
  case KHO_FORMAT_JPEG:
    return 0;   /* decoded at open already; rendering hands the image over */
  case KHO_FORMAT_UNKNOWN:
  default:
    return 0;
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialised = FALSE;
  GError *error = NULL;

  if (!initialised) {
    /* A critical is a broken precondition: fail as loudly as a crash. */
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
    initialised = TRUE;
  }

  GBytes *bytes = g_bytes_new (data, size);
  KhoSource *source = kho_source_open (bytes, "fuzz", &error);
  if (g_getenv ("KHO_FUZZ_VERBOSE") != NULL)   /* to see what a seed exercises */
    g_printerr ("open: %s\n", source ? kho_format_name (kho_source_format (source)) : error->message);
  if (source == NULL) {
    if (error == NULL || error->domain != KHO_DECODE_ERROR)
      abort ();   /* failure must be reported, as a decode error */
    g_clear_error (&error);
    g_bytes_unref (bytes);
    return 0;
  }
  g_assert_no_error (error);

  int n_pages = kho_source_n_pages (source);
  if (n_pages <= 0)
    abort ();   /* open succeeded: there is at least one page */

  /* Page sizes for the skip test, from a second parse of the PDF. */
  PopplerDocument *pdf = NULL;
  if (kho_source_format (source) == KHO_FORMAT_PDF)
    pdf = poppler_document_new_from_bytes (bytes, NULL, NULL);

  for (int i = 0; i < MIN (n_pages, MAX_PAGES); i++) {
    if (page_pixels (source, bytes, pdf, i) > MAX_RENDER_PIXELS)
      continue;
    KhoPageImage *page = kho_source_render_page (source, i, &error);
    if (g_getenv ("KHO_FUZZ_VERBOSE") != NULL)
      g_printerr ("page %d: %s\n", i + 1, page ? "rendered" : error->message);
    if (page == NULL) {
      if (error == NULL || error->domain != KHO_DECODE_ERROR)
        abort ();
      g_clear_error (&error);
      continue;
    }
    if (page->pix == NULL)
      abort ();
    int depth = pixGetDepth (page->pix);
    if ((depth != 1 && depth != 8 && depth != 32) ||
        pixGetColormap (page->pix) != NULL || page->dpi <= 0)
      abort ();   /* decode.h: 1, 8 or 32 bpp, never colormapped */
    if (page->text != NULL && !g_utf8_validate (page->text, -1, NULL))
      abort ();
    for (gsize w = 0; w < page->n_words; w++) {
      const KhoWord *word = &page->words[w];
      if (word->text == NULL || !g_utf8_validate (word->text, -1, NULL) ||
          word->x < 0 || word->y < 0 || word->w <= 0 || word->h <= 0 ||
          word->x + word->w > pixGetWidth (page->pix) ||
          word->y + word->h > pixGetHeight (page->pix))
        abort ();   /* word boxes lie inside the page image */
    }
    kho_page_image_free (page);
  }

  g_clear_object (&pdf);
  kho_source_free (source);
  g_bytes_unref (bytes);
  return 0;
}
