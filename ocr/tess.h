/* tess.h — one Tesseract engine: orientation detection and OCR of a page.
 *
 * An engine is not thread-safe: use one per worker thread or process, and
 * keep it between pages (loading the models costs far more than a page).
 */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>
#include "ocr/decode.h"

G_BEGIN_DECLS

#define KHO_OCR_ERROR (kho_ocr_error_quark ())
GQuark kho_ocr_error_quark (void);

typedef enum {
  KHO_OCR_ERROR_INIT,     /* language data missing */
  KHO_OCR_ERROR_FAILED,   /* Tesseract failed on the page */
  KHO_OCR_ERROR_TIMEOUT,  /* the page took longer than the time limit */
} KhoOcrError;

typedef struct KhoOcrEngine KhoOcrEngine;

/* @languages: Tesseract language string, e.g. "vie" or "vie+eng".
 * @tessdata: folder of traineddata files or NULL for Tesseract's default. */
KhoOcrEngine *kho_ocr_engine_new (const char *languages, const char *tessdata, GError **error);
void kho_ocr_engine_free (KhoOcrEngine *engine);

/* Detects the page orientation with Tesseract's OSD.  @degrees receives how
 * far the page must be turned clockwise to be upright (0, 90, 180, 270).
 * Returns FALSE (and 0 degrees) when OSD finds too little text. */
gboolean kho_ocr_detect_orientation (KhoOcrEngine *engine, PIX *pix, int dpi,
                                     int *degrees, float *confidence);

typedef struct {
  KhoWord *words;        /* owned */
  gsize n_words;
  char *text;            /* owned: NFC; lines separated by '\n', blocks by a blank line */
  float mean_confidence; /* 0..100 */
} KhoOcrPage;

/* Recognises @pix (borrowed; upright, 1 or 8 bpp preferred) at @dpi.
 * Gives up with KHO_OCR_ERROR_TIMEOUT after @timeout_ms (0: no limit). */
KhoOcrPage *kho_ocr_recognize (KhoOcrEngine *engine, PIX *pix, int dpi,
                               int timeout_ms, GError **error);
void kho_ocr_page_free (KhoOcrPage *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoOcrEngine, kho_ocr_engine_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoOcrPage, kho_ocr_page_free)

G_END_DECLS
