/* test-tess.c — Tesseract engine: Vietnamese words with boxes, deadlines, missing data. */
#include "ocr/tess.h"

#include <string.h>

#define DATA_DIR KHO_TEST_SRCDIR "/tests/data/ocr/"

static KhoOcrEngine *engine;

static PIX *
read_text_page (void)
{
  PIX *pix = pixRead (DATA_DIR "vietnamese-text.png");
  g_assert_nonnull (pix);
  g_assert_cmpint (pixGetDepth (pix), ==, 1);
  return pix;
}

static const KhoWord *
find_word (const KhoOcrPage *page, const char *text)
{
  g_autofree char *nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  for (gsize i = 0; i < page->n_words; i++)
    if (strcmp (page->words[i].text, nfc) == 0)
      return &page->words[i];
  return NULL;
}

static void
test_vietnamese_words (void)
{
  g_autoptr (GError) error = NULL;
  PIX *pix = read_text_page ();
  int width = pixGetWidth (pix), height = pixGetHeight (pix);
  gint64 start = g_get_monotonic_time ();
  g_autoptr (KhoOcrPage) page = kho_ocr_recognize (engine, pix, 300, 60000, &error);
  g_test_message ("OCR of %d×%d px took %.0f ms", width, height,
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_no_error (error);
  g_assert_nonnull (page);

  const char *expected[] = {
    "CỘNG", "HÒA", "NGHĨA", "VIỆT", "NAM", "Độc", "lập", "Hạnh", "phúc", "KẾ", "HOẠCH",
    "việc", "số", "hóa", "tài", "liệu", "lưu", "trữ", "trường", "Nghị", "định",
    "tháng", "năm", "Chính", "phủ", "công", "tác", "văn", "thư,", "xây", "dựng",
    "kế", "hoạch", "đào", "tạo", "hướng", "dẫn", "cán", "giáo", "viên",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    if (find_word (page, expected[i]) == NULL)
      g_error ("word “%s” not found in:\n%s", expected[i], page->text);

  g_autofree char *line = g_utf8_normalize ("Độc lập - Tự do - Hạnh phúc\n", -1, G_NORMALIZE_NFC);
  g_assert_nonnull (strstr (page->text, line));
  /* Paragraphs are separated by a blank line. */
  g_autofree char *block = g_utf8_normalize ("phúc\n\nKẾ HOẠCH", -1, G_NORMALIZE_NFC);
  g_assert_nonnull (strstr (page->text, block));
  g_assert_true (g_utf8_validate (page->text, -1, NULL));
  g_autofree char *text_nfc = g_utf8_normalize (page->text, -1, G_NORMALIZE_NFC);
  g_assert_cmpstr (text_nfc, ==, page->text);
  g_assert_cmpfloat (page->mean_confidence, >, 75.0f);

  int last_line = 0;
  for (gsize i = 0; i < page->n_words; i++) {
    const KhoWord *w = &page->words[i];
    g_autofree char *nfc = g_utf8_normalize (w->text, -1, G_NORMALIZE_NFC);
    g_assert_cmpstr (nfc, ==, w->text);
    g_assert_cmpint (w->x, >=, 0);
    g_assert_cmpint (w->y, >=, 0);
    g_assert_cmpint (w->w, >, 0);
    g_assert_cmpint (w->h, >, 0);
    g_assert_cmpint (w->x + w->w, <=, width);
    g_assert_cmpint (w->y + w->h, <=, height);
    /* 12 pt at 300 dpi: words are 20–100 px tall, lines a little taller. */
    g_assert_cmpint (w->h, <, 120);
    g_assert_cmpint (w->line_height, >=, w->h / 2);
    g_assert_cmpint (w->line_height, <, 150);
    /* The line's baseline runs through or just below the word (a hyphen
     * sits above it, the dot of “ộ” below it). */
    g_assert_cmpint (w->baseline, >, w->y);
    g_assert_cmpint (w->baseline, <=, w->y + w->h + w->line_height / 2);
    g_assert_cmpfloat (w->confidence, >=, 0.0f);
    g_assert_cmpfloat (w->confidence, <=, 100.0f);
    g_assert_cmpint (w->line, >=, last_line);
    last_line = w->line;
  }
  /* Seven lines of text; "CỘNG" on the first, "giáo" on the last. */
  g_assert_cmpint (last_line, ==, 6);
  const KhoWord *cong = find_word (page, "CỘNG");
  const KhoWord *giao = find_word (page, "giáo");
  g_assert_cmpint (cong->line, ==, 0);
  g_assert_cmpint (giao->line, ==, 6);
  g_assert_cmpint (cong->y, <, 150);
  g_assert_cmpint (giao->y, >, height - 200);
  /* Words of one line share the line's baseline within a few pixels. */
  const KhoWord *hanh = find_word (page, "Hạnh");
  const KhoWord *doc = find_word (page, "Độc");
  g_assert_cmpint (hanh->line, ==, doc->line);
  g_assert_cmpint (ABS (hanh->baseline - doc->baseline), <=, 3);
  g_assert_cmpint (hanh->x, >, doc->x + doc->w);
  pixDestroy (&pix);
}

static void
test_eight_bpp_input (void)
{
  g_autoptr (GError) error = NULL;
  PIX *pix = read_text_page ();
  PIX *gray = pixConvertTo8 (pix, FALSE);
  g_autoptr (KhoOcrPage) page = kho_ocr_recognize (engine, gray, 300, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_word (page, "trường"));
  pixDestroy (&gray);
  pixDestroy (&pix);
}

static void
test_blank_page (void)
{
  g_autoptr (GError) error = NULL;
  PIX *pix = pixCreate (800, 600, 1);
  g_autoptr (KhoOcrPage) page = kho_ocr_recognize (engine, pix, 300, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->n_words, ==, 0);
  g_assert_cmpstr (page->text, ==, "");
  pixDestroy (&pix);
}

static void
test_timeout (void)
{
  g_autoptr (GError) error = NULL;
  PIX *pix = read_text_page ();
  /* A big page: the fixture tiled 3 × 4. */
  int width = pixGetWidth (pix), height = pixGetHeight (pix);
  PIX *big = pixCreate (3 * width, 4 * height, 1);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 3; x++)
      pixRasterop (big, x * width, y * height, width, height, PIX_SRC, pix, 0, 0);
  gint64 start = g_get_monotonic_time ();
  KhoOcrPage *page = kho_ocr_recognize (engine, big, 300, 1, &error);
  double elapsed_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_test_message ("1 ms deadline on %d×%d px: gave up after %.0f ms", 3 * width, 4 * height, elapsed_ms);
  g_assert_null (page);
  g_assert_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "1 ms"));
  /* Gave up early instead of recognising the whole page. */
  g_assert_cmpfloat (elapsed_ms, <, 10000);

  /* The engine is still usable afterwards. */
  g_clear_error (&error);
  g_autoptr (KhoOcrPage) again = kho_ocr_recognize (engine, pix, 300, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_word (again, "Nghị"));
  pixDestroy (&big);
  pixDestroy (&pix);
}

static void
test_missing_language (void)
{
  g_autoptr (GError) error = NULL;
  KhoOcrEngine *missing = kho_ocr_engine_new ("xyz", NULL, &error);
  g_assert_null (missing);
  g_assert_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_INIT);
  g_assert_nonnull (strstr (error->message, "xyz"));

  g_clear_error (&error);
  missing = kho_ocr_engine_new ("vie", "/nonexistent/tessdata", &error);
  g_assert_null (missing);
  g_assert_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_INIT);
}

static void
test_orientation (void)
{
  PIX *pix = read_text_page ();
  for (int quads = 0; quads < 4; quads++) {
    PIX *turned = pixRotateOrth (pix, quads);
    int degrees = -1;
    float confidence = 0;
    gboolean found = kho_ocr_detect_orientation (engine, turned, 300, &degrees, &confidence);
    g_test_message ("turned %d° clockwise: OSD says turn %d° clockwise (confidence %.2f)",
                    quads * 90, degrees, confidence);
    g_assert_true (found);
    g_assert_cmpint (degrees, ==, (360 - quads * 90) % 360);
    g_assert_cmpfloat (confidence, >, 2.0f);
    pixDestroy (&turned);
  }
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
  g_test_add_func ("/tess/vietnamese-words", test_vietnamese_words);
  g_test_add_func ("/tess/eight-bpp", test_eight_bpp_input);
  g_test_add_func ("/tess/blank-page", test_blank_page);
  g_test_add_func ("/tess/timeout", test_timeout);
  g_test_add_func ("/tess/missing-language", test_missing_language);
  g_test_add_func ("/tess/orientation", test_orientation);
  status = g_test_run ();
  kho_ocr_engine_free (engine);
  return status;
}
