/* prepare.h — make a decoded page upright, straight and ready for OCR.
 *
 * Orientation comes from Tesseract's OSD (through KhoOcrEngine), deskew and
 * binarization from Leptonica.  Pure functions of the input page and the
 * options: the same page always gives the same result, so a resumed job can
 * prepare a page again instead of storing the intermediate images.
 */
#pragma once

#include <glib.h>
#include <leptonica/allheaders.h>
#include "ocr/tess.h"

G_BEGIN_DECLS

typedef struct {
  gboolean detect_orientation;     /* default TRUE */
  float orientation_min_confidence;/* turn only above this OSD confidence; default 2.0 */
  gboolean quick_orientation_test; /* default TRUE: pages Leptonica's up/down test finds
                                    * upright skip Tesseract's OSD; FALSE asks OSD always */
  gboolean deskew;                 /* default TRUE */
  float max_skew_degrees;          /* search range, default 10 */
} KhoPrepareOptions;

void kho_prepare_options_init (KhoPrepareOptions *options);

typedef struct {
  PIX *upright;        /* owned: the page turned upright and deskewed; same depth as the input */
  PIX *binary;         /* owned: 1 bpp copy of upright for OCR */
  int rotation;        /* degrees clockwise the page was turned: 0, 90, 180 or 270 */
  float orientation_confidence;
  gboolean orientation_checked; /* TRUE when Tesseract's OSD was asked */
  float skew;          /* degrees of skew found and removed (positive: counter-clockwise in the scan) */
  float skew_confidence;
  gboolean changed;    /* TRUE when upright differs from the input pix */
  gboolean bilevel;    /* TRUE when the page is essentially black and white */
  gboolean blank;      /* TRUE when the page holds no content, only noise */
} KhoPreparedPage;

/* Prepares @pix (borrowed) scanned at @dpi.  @engine is used for orientation
 * detection and may be NULL when options->detect_orientation is FALSE. */
KhoPreparedPage *kho_prepare_page (KhoOcrEngine *engine, PIX *pix, int dpi,
                                   const KhoPrepareOptions *options, GError **error);
void kho_prepared_page_free (KhoPreparedPage *page);

/* Turns @pix (borrowed) by @rotation degrees clockwise and removes @skew
 * degrees exactly as kho_prepare_page did when it found them, so that the
 * words of a page read earlier land on the same pixels.  New pix, or NULL. */
PIX *kho_prepare_replay (PIX *pix, int rotation, float skew);

/* Measures the remaining skew of @pix in degrees (for tests and reports).
 * Returns FALSE when it cannot be measured. */
gboolean kho_prepare_measure_skew (PIX *pix, float *degrees, float *confidence);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoPreparedPage, kho_prepared_page_free)

/* TRUE when @pix (any depth) holds no content, only scanner noise: the
 * test kho_prepare_page() makes, alone (to split a feeder scan at its blank
 * pages before anything else is done). */
gboolean kho_prepare_is_blank (PIX *pix, int dpi);

G_END_DECLS
