/* test-prepare.c — deskew, orientation, bilevel and blank detection. */
#include "ocr/prepare.h"

#include <math.h>
#include <string.h>

#define DATA_DIR KHO_TEST_SRCDIR "/tests/data/ocr/"

static KhoOcrEngine *engine;

/* The Vietnamese text fixture (1 bpp, 300 dpi) with a white margin so that
 * turning it does not cut off text. */
static PIX *
read_text_page (int margin)
{
  PIX *pix = pixRead (DATA_DIR "vietnamese-text.png");
  g_assert_nonnull (pix);
  PIX *framed = pixAddBorder (pix, margin, 0);
  pixDestroy (&pix);
  return framed;
}

static PIX *
as_gray (PIX *pix)
{
  return pixConvertTo8 (pix, FALSE);
}

/* Skews @pix by @degrees (positive: counter-clockwise, as a page placed
 * crookedly on the scanner), the way a scanner would: area-mapped for gray. */
static PIX *
skew_page (PIX *pix, float degrees)
{
  int type = pixGetDepth (pix) == 1 ? L_ROTATE_SAMPLING : L_ROTATE_AREA_MAP;
  return pixRotate (pix, (float) (-degrees * M_PI / 180.0), type, L_BRING_IN_WHITE, 0, 0);
}

static KhoPreparedPage *
prepare (PIX *pix, gboolean orientation)
{
  g_autoptr (GError) error = NULL;
  KhoPrepareOptions options;
  kho_prepare_options_init (&options);
  options.detect_orientation = orientation;
  KhoPreparedPage *page = kho_prepare_page (orientation ? engine : NULL, pix, 300, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_nonnull (page->upright);
  g_assert_nonnull (page->binary);
  g_assert_cmpint (pixGetDepth (page->binary), ==, 1);
  g_assert_cmpint (pixGetDepth (page->upright), ==, pixGetDepth (pix));
  g_assert_cmpint (pixGetWidth (page->binary), ==, pixGetWidth (page->upright));
  g_assert_cmpint (pixGetHeight (page->binary), ==, pixGetHeight (page->upright));
  return page;
}

static void
test_options (void)
{
  KhoPrepareOptions options;
  memset (&options, 0xff, sizeof options);
  kho_prepare_options_init (&options);
  g_assert_true (options.detect_orientation);
  g_assert_true (options.deskew);
  g_assert_cmpfloat (options.orientation_min_confidence, ==, 2.0f);
  g_assert_cmpfloat (options.max_skew_degrees, ==, 10.0f);
}

static void
test_straight_page (void)
{
  PIX *pix = read_text_page (100);
  float degrees = 99, confidence = 0;
  g_assert_true (kho_prepare_measure_skew (pix, &degrees, &confidence));
  g_assert_cmpfloat (fabsf (degrees), <, 0.05f);
  g_assert_cmpfloat (confidence, >, 3.0f);

  /* The measurement itself sees small angles. */
  PIX *slight = skew_page (pix, 0.2f);
  g_assert_true (kho_prepare_measure_skew (slight, &degrees, &confidence));
  g_assert_cmpfloat (fabsf (degrees - 0.2f), <, 0.05f);
  pixDestroy (&slight);

  g_autoptr (KhoPreparedPage) page = prepare (pix, FALSE);
  g_assert_false (page->changed);
  g_assert_cmpint (page->rotation, ==, 0);
  g_assert_cmpfloat (page->skew, ==, 0.0f);
  int same = 0;
  pixEqual (pix, page->upright, &same);
  g_assert_true (same);
  g_assert_true (page->bilevel);
  g_assert_false (page->blank);
  pixDestroy (&pix);
}

static void
check_deskew (PIX *straight, float angle)
{
  PIX *skewed = skew_page (straight, angle);
  float measured = 0, confidence = 0;
  g_assert_true (kho_prepare_measure_skew (skewed, &measured, &confidence));

  gint64 start = g_get_monotonic_time ();
  g_autoptr (KhoPreparedPage) page = prepare (skewed, FALSE);
  double ms = (g_get_monotonic_time () - start) / 1000.0;

  float residual = 99, residual_confidence = 0;
  g_assert_true (kho_prepare_measure_skew (page->upright, &residual, &residual_confidence));
  g_test_message ("%d bpp skewed %+.1f°: measured %+.2f°, removed %+.2f° (confidence %.1f), "
                  "residual %+.3f°, %.0f ms", pixGetDepth (straight), angle, measured, page->skew,
                  page->skew_confidence, residual, ms);
  g_assert_true (page->changed);
  g_assert_cmpfloat (fabsf (residual), <, 0.3f);
  /* Positive skew: the scan is turned counter-clockwise. */
  g_assert_cmpfloat (fabsf (page->skew - angle), <, 0.3f);
  /* The binary copy is straight too. */
  g_assert_true (kho_prepare_measure_skew (page->binary, &residual, NULL));
  g_assert_cmpfloat (fabsf (residual), <, 0.3f);
  pixDestroy (&skewed);
}

static void
test_deskew_gray (void)
{
  PIX *pix = read_text_page (150);
  PIX *gray = as_gray (pix);
  const float angles[] = { 3, -3, 7, -7, 10, -10, 0.5f, -1.5f };
  for (gsize i = 0; i < G_N_ELEMENTS (angles); i++)
    check_deskew (gray, angles[i]);
  pixDestroy (&gray);
  pixDestroy (&pix);
}

static void
test_deskew_binary (void)
{
  PIX *pix = read_text_page (150);
  const float angles[] = { 3, -3, 7, -7, 10, -10 };
  for (gsize i = 0; i < G_N_ELEMENTS (angles); i++)
    check_deskew (pix, angles[i]);
  pixDestroy (&pix);
}

static void
test_deskew_colour (void)
{
  PIX *pix = read_text_page (150);
  PIX *rgb = pixConvertTo32 (pix);
  check_deskew (rgb, 4.0f);
  check_deskew (rgb, -8.0f);
  pixDestroy (&rgb);
  pixDestroy (&pix);
}

static gboolean
contains_words (const char *text, const char *const *words)
{
  for (gsize i = 0; words[i] != NULL; i++) {
    g_autofree char *nfc = g_utf8_normalize (words[i], -1, G_NORMALIZE_NFC);
    if (strstr (text, nfc) == NULL)
      return FALSE;
  }
  return TRUE;
}

static void
check_orientation (PIX *straight, int quads, float skew)
{
  static const char *const words[] = { "Độc lập", "Hạnh phúc", "trường", "Nghị định", "giáo viên", NULL };
  g_autoptr (GError) error = NULL;
  PIX *turned = pixRotateOrth (straight, quads);
  PIX *skewed = skew != 0 ? skew_page (turned, skew) : pixClone (turned);

  gint64 start = g_get_monotonic_time ();
  g_autoptr (KhoPreparedPage) page = prepare (skewed, TRUE);
  double prepare_ms = (g_get_monotonic_time () - start) / 1000.0;
  start = g_get_monotonic_time ();
  g_autoptr (KhoOcrPage) ocr = kho_ocr_recognize (engine, page->binary, 300, 0, &error);
  double ocr_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_assert_no_error (error);

  float residual = 0;
  kho_prepare_measure_skew (page->upright, &residual, NULL);
  g_test_message ("%d bpp turned %d° clockwise, skewed %+.1f°: rotation %d° (OSD confidence %.1f), "
                  "skew %+.2f°, residual %+.3f°; prepare %.0f ms, OCR %.0f ms",
                  pixGetDepth (straight), quads * 90, skew, page->rotation, page->orientation_confidence,
                  page->skew, residual, prepare_ms, ocr_ms);
  g_assert_cmpint (page->rotation, ==, (360 - quads * 90) % 360);
  g_assert_cmpint (pixGetWidth (page->upright), ==, pixGetWidth (straight));
  g_assert_cmpint (pixGetHeight (page->upright), ==, pixGetHeight (straight));
  g_assert_cmpfloat (fabsf (residual), <, 0.3f);
  if (!contains_words (ocr->text, words))
    g_error ("upright OCR text lacks expected words:\n%s", ocr->text);
  g_assert_cmpint (page->changed, ==, quads != 0 || skew != 0);
  pixDestroy (&skewed);
  pixDestroy (&turned);
}

static void
test_orientation (void)
{
  PIX *pix = read_text_page (100);
  for (int quads = 0; quads < 4; quads++)
    check_orientation (pix, quads, 0);
  pixDestroy (&pix);
}

static void
test_orientation_and_skew (void)
{
  PIX *pix = read_text_page (150);
  PIX *gray = as_gray (pix);
  check_orientation (gray, 1, 5.0f);
  check_orientation (gray, 2, -4.0f);
  check_orientation (gray, 3, 2.0f);
  pixDestroy (&gray);
  pixDestroy (&pix);
}

/* A scanned blank page: light gray paper with noise and dust specks. */
static PIX *
make_speckled_blank (int width, int height, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  PIX *pix = pixCreate (width, height, 8);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      pixSetPixel (pix, x, y, 225 + g_rand_int_range (rand, -12, 13));
  for (int i = 0; i < 400; i++) {
    int size = g_rand_int_range (rand, 1, 5);
    int x = g_rand_int_range (rand, 0, width - size), y = g_rand_int_range (rand, 0, height - size);
    BOX *box = boxCreate (x, y, size, size);
    pixSetInRectArbitrary (pix, box, g_rand_int_range (rand, 0, 60));
    boxDestroy (&box);
  }
  g_rand_free (rand);
  return pix;
}

static void
test_blank (void)
{
  PIX *blank = make_speckled_blank (1275, 1650, 7);   /* 8.5 × 11 in at 150 dpi */
  g_autoptr (GError) error = NULL;
  KhoPrepareOptions options;
  kho_prepare_options_init (&options);
  options.detect_orientation = FALSE;
  g_autoptr (KhoPreparedPage) page = kho_prepare_page (NULL, blank, 150, &options, &error);
  g_assert_no_error (error);
  g_assert_true (page->blank);

  /* The same page with one short line of text is not blank. */
  PIX *text = read_text_page (0);
  BOX *line_box = boxCreate (60, 120, 600, 60);
  PIX *line = pixClipRectangle (text, line_box, NULL);
  boxDestroy (&line_box);
  PIX *line8 = pixConvertTo8 (line, FALSE);
  PIX *with_text = pixCopy (NULL, blank);
  pixRasterop (with_text, 300, 700, 600, 60, PIX_SRC & PIX_DST, line8, 0, 0);
  g_autoptr (KhoPreparedPage) page2 = kho_prepare_page (NULL, with_text, 150, &options, &error);
  g_assert_no_error (error);
  g_assert_false (page2->blank);

  /* A blank 1 bpp page with specks. */
  PIX *binary = pixThresholdToBinary (blank, 128);
  g_autoptr (KhoPreparedPage) page3 = kho_prepare_page (NULL, binary, 150, &options, &error);
  g_assert_no_error (error);
  g_assert_true (page3->blank);
  g_assert_true (page3->bilevel);
  pixDestroy (&binary);
  pixDestroy (&with_text);
  pixDestroy (&line8);
  pixDestroy (&line);
  pixDestroy (&text);
  pixDestroy (&blank);
}

static void
test_bilevel (void)
{
  PIX *pix = read_text_page (50);
  g_autoptr (KhoPreparedPage) binary = prepare (pix, FALSE);
  g_assert_true (binary->bilevel);

  /* Black-and-white content stored as gray is bilevel too. */
  PIX *gray = as_gray (pix);
  g_autoptr (KhoPreparedPage) two_valued = prepare (gray, FALSE);
  g_assert_true (two_valued->bilevel);

  /* A gray photograph-like gradient is not. */
  PIX *gradient = pixCreate (600, 400, 8);
  for (int y = 0; y < 400; y++)
    for (int x = 0; x < 600; x++)
      pixSetPixel (gradient, x, y, (x * 255) / 599);
  g_autoptr (KhoPreparedPage) photo = prepare (gradient, FALSE);
  g_assert_false (photo->bilevel);

  /* Nor is a page with colour, even if it has two colours only. */
  PIX *colour = pixConvertTo32 (pix);
  for (int y = 0; y < 100; y++)
    for (int x = 0; x < pixGetWidth (colour); x++) {
      l_uint32 value = 0;
      composeRGBPixel (200, 30, 30, &value);
      pixSetPixel (colour, x, y, value);
    }
  g_autoptr (KhoPreparedPage) red = prepare (colour, FALSE);
  g_assert_false (red->bilevel);
  pixDestroy (&colour);
  pixDestroy (&gradient);
  pixDestroy (&gray);
  pixDestroy (&pix);
}

static void
test_deterministic (void)
{
  PIX *pix = read_text_page (150);
  PIX *gray = as_gray (pix);
  PIX *skewed = skew_page (gray, 6.0f);
  g_autoptr (KhoPreparedPage) a = prepare (skewed, TRUE);
  g_autoptr (KhoPreparedPage) b = prepare (skewed, TRUE);
  int same = 0;
  pixEqual (a->upright, b->upright, &same);
  g_assert_true (same);
  pixEqual (a->binary, b->binary, &same);
  g_assert_true (same);
  g_assert_cmpfloat (a->skew, ==, b->skew);
  pixDestroy (&skewed);
  pixDestroy (&gray);
  pixDestroy (&pix);
}

/* An upright page passes Leptonica's quick test without OSD; with the test
 * off, OSD is asked and leaves the page as it is. */
static void
test_quick_orientation_test (void)
{
  PIX *pix = read_text_page (100);
  KhoPrepareOptions options;
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoPreparedPage) quick = NULL;
  g_autoptr (KhoPreparedPage) asked = NULL;

  kho_prepare_options_init (&options);
  g_assert_true (options.quick_orientation_test);
  quick = kho_prepare_page (engine, pix, 300, &options, &error);
  g_assert_no_error (error);
  g_assert_false (quick->orientation_checked);
  g_assert_cmpint (quick->rotation, ==, 0);

  options.quick_orientation_test = FALSE;
  asked = kho_prepare_page (engine, pix, 300, &options, &error);
  g_assert_no_error (error);
  g_assert_true (asked->orientation_checked);
  g_assert_cmpint (asked->rotation, ==, 0);
  pixDestroy (&pix);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  engine = kho_ocr_engine_new ("vie", NULL, &error);
  g_assert_no_error (error);
  g_test_add_func ("/prepare/options", test_options);
  g_test_add_func ("/prepare/straight", test_straight_page);
  g_test_add_func ("/prepare/deskew/gray", test_deskew_gray);
  g_test_add_func ("/prepare/deskew/binary", test_deskew_binary);
  g_test_add_func ("/prepare/deskew/colour", test_deskew_colour);
  g_test_add_func ("/prepare/orientation", test_orientation);
  g_test_add_func ("/prepare/quick-orientation-test", test_quick_orientation_test);
  g_test_add_func ("/prepare/orientation-and-skew", test_orientation_and_skew);
  g_test_add_func ("/prepare/blank", test_blank);
  g_test_add_func ("/prepare/bilevel", test_bilevel);
  g_test_add_func ("/prepare/deterministic", test_deterministic);
  status = g_test_run ();
  kho_ocr_engine_free (engine);
  return status;
}
