/* prepare.c — make a decoded page upright, straight and ready for OCR.
 *
 * Order: binarize → orientation (OSD on the binary copy) → skew measured on
 * the binary copy, removed from the full-depth image → binarize the result
 * again for OCR → bilevel and blank tests.  Orientation comes first because
 * the skew search looks for horizontal text lines.
 */
#define G_LOG_DOMAIN "kho-ocr"

#include "ocr/prepare.h"
#include "ocr/library-log.h"

#include <math.h>

#define DEG_TO_RAD (G_PI / 180.0)
#define MIN_DESKEW_DEGREES 0.05f
#define MIN_SKEW_CONFIDENCE 3.0f
#define BLANK_DARK_FRACTION 0.0002
#define BILEVEL_MIDTONE_FRACTION 0.02

void
kho_prepare_options_init (KhoPrepareOptions *options)
{
  g_return_if_fail (options != NULL);
  options->detect_orientation = TRUE;
  options->orientation_min_confidence = 2.0f;
  options->quick_orientation_test = TRUE;
  options->deskew = TRUE;
  options->max_skew_degrees = 10.0f;
}

/* A 1 bpp copy for orientation, skew and blank detection: the pixels
 * clearly darker than the paper.  The paper's level is the page's median
 * gray (text covers far less than half a page), and the threshold a fixed
 * fraction of it: unlike Otsu, that leaves the noise of a blank page white,
 * and it costs a few milliseconds where Sauvola's adaptive threshold took
 * 200 on an A4 page.  OCR does not use this copy: Tesseract thresholds the
 * full-depth page itself. */
#define PAPER_DARK_FRACTION 0.65f

static PIX *
binarize (PIX *pix)
{
  PIX *gray = NULL, *binary = NULL;
  float paper = 255;
  int threshold;

  if (pixGetDepth (pix) == 1)
    return pixClone (pix);  /* never changed in place */
  gray = pixConvertTo8 (pix, FALSE);
  if (gray == NULL)
    goto out;
  if (pixGetRankValueMasked (gray, NULL, 0, 0, 4, 0.5f, &paper, NULL) != 0)
    paper = 255;
  threshold = CLAMP ((int) (paper * PAPER_DARK_FRACTION), 32, 200);
  binary = pixThresholdToBinary (gray, threshold);
out:
  pixDestroy (&gray);
  return binary;
}

/* Finds the skew of a 1 bpp image; FALSE when Leptonica cannot. */
static gboolean
find_skew (PIX *binary, float range, float *degrees, float *confidence)
{
  float angle = 0, conf = 0;
  int shorter = MIN (pixGetWidth (binary), pixGetHeight (binary));
  int reduce_sweep = shorter >= 2000 ? 4 : shorter >= 800 ? 2 : 1;
  int reduce_search = shorter >= 2000 ? 2 : 1;

  *degrees = 0;
  *confidence = 0;
  if (shorter < 50)
    return FALSE;
  /* Leptonica refuses a maximum at the very end of the sweep, so sweep a
   * little wider than asked and drop what falls outside the range. */
  if (pixFindSkewSweepAndSearch (binary, &angle, &conf, reduce_sweep, reduce_search,
                                 range + 2.0f, 1.0f, 0.01f) != 0 || fabsf (angle) > range + 0.5f)
    return FALSE;
  *degrees = angle;
  *confidence = conf;
  return TRUE;
}

gboolean
kho_prepare_measure_skew (PIX *pix, float *degrees, float *confidence)
{
  PIX *binary = NULL;
  float angle = 0, conf = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (pix != NULL, FALSE);
  kho_ocr_route_library_logs ();
  binary = binarize (pix);
  if (binary == NULL)
    goto out;
  ok = find_skew (binary, 10.0f, &angle, &conf) && conf > 0;
out:
  if (degrees != NULL)
    *degrees = angle;
  if (confidence != NULL)
    *confidence = conf;
  pixDestroy (&binary);
  return ok;
}

/* TRUE when the page is black and white: 1 bpp, or gray (no colour) with
 * almost no midtones. */
static gboolean
is_bilevel (PIX *pix)
{
  int width = pixGetWidth (pix), height = pixGetHeight (pix), depth = pixGetDepth (pix);
  guint64 total = 0, midtones = 0, coloured = 0;

  if (depth == 1)
    return TRUE;
  if (depth != 8 && depth != 32)
    return FALSE;
  l_uint32 *data = pixGetData (pix);
  int wpl = pixGetWpl (pix);
  for (int y = 0; y < height; y += 2) {
    l_uint32 *line = data + (gsize) y * wpl;
    for (int x = 0; x < width; x += 2) {
      int value;
      if (depth == 8) {
        value = GET_DATA_BYTE (line, x);
      } else {
        int r = (line[x] >> 24) & 0xff, g = (line[x] >> 16) & 0xff, b = (line[x] >> 8) & 0xff;
        if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > 48)
          coloured++;
        value = (r * 3 + g * 6 + b) / 10;
      }
      if (value >= 64 && value < 192)
        midtones++;
      total++;
    }
  }
  return total > 0 && coloured <= total / 500 && midtones <= total * BILEVEL_MIDTONE_FRACTION;
}

/* TRUE when, after dropping specks and a margin where scanners leave
 * shadows, almost no dark pixels remain. */
static gboolean
is_blank (PIX *binary, int dpi)
{
  int width = pixGetWidth (binary), height = pixGetHeight (binary);
  int speck = MAX (3, dpi / 30);
  int count = 0;
  gboolean blank = FALSE;
  BOX *inner = boxCreate (width / 20, height / 20, width - width / 10, height - height / 10);
  PIX *clipped = NULL, *content = NULL;

  clipped = inner ? pixClipRectangle (binary, inner, NULL) : NULL;
  if (clipped == NULL)
    goto out;
  content = pixSelectBySize (clipped, speck, speck, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
  if (content == NULL || pixCountPixels (content, &count, NULL) != 0)
    goto out;
  blank = count < BLANK_DARK_FRACTION * pixGetWidth (clipped) * pixGetHeight (clipped);
out:
  boxDestroy (&inner);
  pixDestroy (&clipped);
  pixDestroy (&content);
  return blank;
}
gboolean
kho_prepare_is_blank (PIX *pix, int dpi)
{
  PIX *binary = binarize (pix);
  gboolean blank = binary != NULL && is_blank (binary, dpi > 0 ? dpi : 300);

  pixDestroy (&binary);
  return blank;
}

/* Leptonica's up/down text test (ascenders against descenders, ~80 ms on
 * an A4 page) passes an upright page; only the others go to Tesseract's
 * OSD, which costs as much as reading the page.  It holds for Vietnamese,
 * whose diacritics are marks apart from the letters, not ascender strokes:
 * upright sample pages score 13 to 20, pages upside down or on their side
 * below 0 (a 2× reduced page scores too low to tell).  The threshold is
 * Leptonica's own (makeOrientDecision's minimum up confidence); the
 * sideways test that pixOrientDetect adds is left to OSD. */
#define UPRIGHT_MIN_CONFIDENCE 8.0f

static gboolean
looks_upright (PIX *binary)
{
  float up = 0;
  gboolean upright = FALSE;

  if (pixUpDownDetect (binary, &up, 0, 0, 0) == 0)
    upright = up >= UPRIGHT_MIN_CONFIDENCE;
  g_log (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, "prepare: text up/down confidence %.1f: %s", up,
         upright ? "upright" : "ask OSD");
  return upright;
}

static void
set_rotate_error (GError **error, PIX *pix)
{
  g_set_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_FAILED,
               "prepare: cannot rotate a %d×%d px, %d bpp page",
               pixGetWidth (pix), pixGetHeight (pix), pixGetDepth (pix));
}

KhoPreparedPage *
kho_prepare_page (KhoOcrEngine *engine, PIX *pix, int dpi,
                  const KhoPrepareOptions *options, GError **error)
{
  KhoPrepareOptions defaults;
  KhoPreparedPage *page = NULL;
  PIX *current = NULL, *binary = NULL, *next = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (pix != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  kho_ocr_route_library_logs ();
  if (options == NULL) {
    kho_prepare_options_init (&defaults);
    options = &defaults;
  }
  if (dpi <= 0)
    dpi = 300;

  page = g_new0 (KhoPreparedPage, 1);
  /* A reference, not a copy (35 MB for a colour A4 page): every step
   * below makes a new image rather than changing this one. */
  current = pixClone (pix);
  binary = binarize (current);
  if (current == NULL || binary == NULL) {
    g_set_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_FAILED,
                 "prepare: cannot binarize a %d×%d px, %d bpp page",
                 pixGetWidth (pix), pixGetHeight (pix), pixGetDepth (pix));
    goto out;
  }

  if (options->detect_orientation && engine != NULL &&
      !(options->quick_orientation_test && looks_upright (binary))) {
    int degrees = 0;
    float confidence = 0;
    page->orientation_checked = TRUE;
    if (kho_ocr_detect_orientation (engine, binary, dpi, &degrees, &confidence)) {
      page->orientation_confidence = confidence;
      if (degrees != 0 && confidence > options->orientation_min_confidence) {
        next = pixRotateOrth (current, degrees / 90);
        if (next == NULL) {
          set_rotate_error (error, pix);
          goto out;
        }
        pixDestroy (&current);
        current = g_steal_pointer (&next);
        next = pixRotateOrth (binary, degrees / 90);
        if (next == NULL) {
          set_rotate_error (error, pix);
          goto out;
        }
        pixDestroy (&binary);
        binary = g_steal_pointer (&next);
        page->rotation = degrees;
        page->changed = TRUE;
      }
    }
  }

  if (options->deskew) {
    float angle = 0, confidence = 0;
    float range = options->max_skew_degrees > 0 ? options->max_skew_degrees : 10.0f;
    if (find_skew (binary, range, &angle, &confidence)) {
      page->skew_confidence = confidence;
      if (fabsf (angle) >= MIN_DESKEW_DEGREES && confidence >= MIN_SKEW_CONFIDENCE) {
        int type = pixGetDepth (current) == 1 ? L_ROTATE_SAMPLING : L_ROTATE_AREA_MAP;
        next = pixRotate (current, (float) (angle * DEG_TO_RAD), type, L_BRING_IN_WHITE, 0, 0);
        if (next == NULL) {
          set_rotate_error (error, pix);
          goto out;
        }
        pixDestroy (&current);
        current = g_steal_pointer (&next);
        pixDestroy (&binary);
        binary = binarize (current);
        if (binary == NULL) {
          set_rotate_error (error, pix);
          goto out;
        }
        page->skew = angle;
        page->changed = TRUE;
      }
    }
  }

  page->bilevel = is_bilevel (current);
  page->blank = is_blank (binary, dpi);
  pixCopyResolution (current, pix);
  pixCopyResolution (binary, pix);
  page->upright = g_steal_pointer (&current);
  page->binary = g_steal_pointer (&binary);
  ok = TRUE;
out:
  pixDestroy (&current);
  pixDestroy (&binary);
  pixDestroy (&next);
  if (!ok)
    g_clear_pointer (&page, kho_prepared_page_free);
  return page;
}

PIX *
kho_prepare_replay (PIX *pix, int rotation, float skew)
{
  PIX *turned = NULL, *straight = NULL;

  g_return_val_if_fail (pix != NULL, NULL);
  kho_ocr_route_library_logs ();
  /* The same operations, in the same order, as kho_prepare_page. */
  turned = rotation % 360 ? pixRotateOrth (pix, (rotation % 360) / 90) : pixClone (pix);
  if (turned == NULL || skew == 0.0f)
    return turned;
  straight = pixRotate (turned, (float) (skew * DEG_TO_RAD),
                        pixGetDepth (turned) == 1 ? L_ROTATE_SAMPLING : L_ROTATE_AREA_MAP,
                        L_BRING_IN_WHITE, 0, 0);
  pixDestroy (&turned);
  if (straight)
    pixCopyResolution (straight, pix);
  return straight;
}

void
kho_prepared_page_free (KhoPreparedPage *page)
{
  if (page == NULL)
    return;
  pixDestroy (&page->upright);
  pixDestroy (&page->binary);
  g_free (page);
}
