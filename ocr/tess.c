/* tess.c — one Tesseract engine: orientation detection and OCR of a page.
 *
 * One TessBaseAPI per engine for the document languages (LSTM), and one
 * for "osd" (orientation and script detection, a legacy model) shared by
 * all engines of the process.
 * Tesseract's own diagnostics go to /dev/null through its debug_file
 * parameter; failures are translated here into KHO_OCR_ERROR.
 *
 * Tesseract uses OpenMP inside the LSTM; with one engine per worker the
 * caller should run workers with OMP_THREAD_LIMIT=1 so that N workers do
 * not start N × cores threads.
 */
#define G_LOG_DOMAIN "kho-ocr"

#include "ocr/tess.h"
#include "ocr/library-log.h"

#include <math.h>
#include <string.h>

#include <tesseract/capi.h>

G_DEFINE_QUARK (kho-ocr-error-quark, kho_ocr_error)

struct KhoOcrEngine {
  TessBaseAPI *api;
  char *tessdata;
  gboolean holds_osd;   /* counted among the shared OSD model's users */
  char *languages;
};

/* Silences Tesseract's tprintf output (a global parameter, set before Init
 * so that the messages of a failing Init are silenced too). */
static void
quiet (TessBaseAPI *api)
{
  TessBaseAPISetVariable (api, "debug_file", "/dev/null");
}

/* The OSD model, shared by the engines of the process and loaded on first
 * use: most pages are upright and never need it, it costs as much to load
 * as the OCR model, and it serves one page at a time under its lock (it is
 * asked for rarely, so workers seldom wait).  Freed with the last engine. */
static struct {
  GMutex lock;
  TessBaseAPI *api;   /* NULL until loaded, or when osd.traineddata is missing */
  gboolean tried;
  int engines;
} shared_osd;

static void
osd_acquire (void)
{
  g_mutex_lock (&shared_osd.lock);
  shared_osd.engines++;
  g_mutex_unlock (&shared_osd.lock);
}

static void
osd_release (void)
{
  g_mutex_lock (&shared_osd.lock);
  if (--shared_osd.engines == 0) {
    if (shared_osd.api != NULL) {
      TessBaseAPIEnd (shared_osd.api);
      TessBaseAPIDelete (shared_osd.api);
    }
    shared_osd.api = NULL;
    shared_osd.tried = FALSE;
  }
  g_mutex_unlock (&shared_osd.lock);
}

/* Call with shared_osd.lock held. */
static TessBaseAPI *
osd_api (const char *tessdata)
{
  if (shared_osd.tried)
    return shared_osd.api;
  shared_osd.tried = TRUE;
  shared_osd.api = TessBaseAPICreate ();
  quiet (shared_osd.api);
  if (TessBaseAPIInit2 (shared_osd.api, tessdata, "osd", OEM_TESSERACT_ONLY) != 0) {
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
           "ocr: no osd.traineddata in %s; orientation will not be detected",
           tessdata ? tessdata : "the default tessdata folder");
    TessBaseAPIDelete (shared_osd.api);
    shared_osd.api = NULL;
  } else {
    quiet (shared_osd.api);
    TessBaseAPISetPageSegMode (shared_osd.api, PSM_OSD_ONLY);
    /* OSD classifies up to five times this many characters; Tesseract's 50
     * spends a second on a page.  25 halves that and still turns the sample
     * pages at confidence 9 (on 90° and 180° pages; 16-17 with 50), far
     * above the threshold of 2; OCR's own confidence backs it up. */
    TessBaseAPISetVariable (shared_osd.api, "min_characters_to_try", "25");
  }
  return shared_osd.api;
}

KhoOcrEngine *
kho_ocr_engine_new (const char *languages, const char *tessdata, GError **error)
{
  KhoOcrEngine *engine = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  kho_ocr_route_library_logs ();
  if (languages == NULL || *languages == '\0')
    languages = "vie+eng";
  if (tessdata != NULL && *tessdata == '\0')
    tessdata = NULL;

  engine = g_new0 (KhoOcrEngine, 1);
  engine->languages = g_strdup (languages);
  engine->api = TessBaseAPICreate ();
  quiet (engine->api);
  if (TessBaseAPIInit3 (engine->api, tessdata, languages) != 0) {
    g_set_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_INIT,
                 "ocr: cannot load Tesseract language data “%s” from %s", languages,
                 tessdata ? tessdata : "the default tessdata folder");
    goto out;
  }
  quiet (engine->api);
  /* The API defaults to one uniform block (PSM 6), which reads a seal or a
   * signature as text and mixes up columns; full layout analysis (PSM 3, the
   * tesseract command's default) finds the text blocks and their order. */
  TessBaseAPISetPageSegMode (engine->api, PSM_AUTO);

  engine->tessdata = g_strdup (tessdata);
  engine->holds_osd = TRUE;
  osd_acquire ();
  ok = TRUE;
out:
  if (!ok)
    g_clear_pointer (&engine, kho_ocr_engine_free);
  return engine;
}

void
kho_ocr_engine_free (KhoOcrEngine *engine)
{
  if (engine == NULL)
    return;
  if (engine->api != NULL) {
    TessBaseAPIEnd (engine->api);
    TessBaseAPIDelete (engine->api);
  }
  if (engine->holds_osd)
    osd_release ();
  g_free (engine->languages);
  g_free (engine->tessdata);
  g_free (engine);
}

gboolean
kho_ocr_detect_orientation (KhoOcrEngine *engine, PIX *pix, int dpi,
                            int *degrees, float *confidence)
{
  int orientation = 0;
  float orientation_confidence = 0, script_confidence = 0;
  const char *script = NULL;
  TessBaseAPI *osd = NULL;
  gboolean ok = FALSE;

  if (degrees != NULL)
    *degrees = 0;
  if (confidence != NULL)
    *confidence = 0;
  g_return_val_if_fail (engine != NULL && pix != NULL, FALSE);
  g_mutex_lock (&shared_osd.lock);
  osd = osd_api (engine->tessdata);
  if (osd == NULL)
    goto out;

  TessBaseAPISetImage2 (osd, pix);
  TessBaseAPISetSourceResolution (osd, dpi > 0 ? dpi : 300);
  if (!TessBaseAPIDetectOrientationScript (osd, &orientation, &orientation_confidence,
                                           &script, &script_confidence))
    goto out;
  /* Tesseract reports how far the image is turned clockwise (orient_deg);
   * turning it upright takes the same angle counter-clockwise. */
  if (degrees != NULL)
    *degrees = (360 - ((orientation % 360) + 360) % 360) % 360;
  if (confidence != NULL)
    *confidence = orientation_confidence;
  g_log (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, "ocr: OSD orientation %d° (confidence %.2f), script %s (%.2f)",
         orientation, orientation_confidence, script ? script : "?", script_confidence);
  ok = TRUE;
out:
  if (osd != NULL)
    TessBaseAPIClear (osd);
  g_mutex_unlock (&shared_osd.lock);
  return ok;
}

static char *
nfc (const char *text)
{
  char *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  if (normalized == NULL) {
    g_autofree char *valid = g_utf8_make_valid (text, -1);
    normalized = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  }
  return normalized;
}

/* Walks the result word by word, filling @page. */
static void
collect_words (TessResultIterator *it, KhoOcrPage *page)
{
  TessPageIterator *pit = TessResultIteratorGetPageIterator (it);
  GArray *words = g_array_new (FALSE, TRUE, sizeof (KhoWord));
  GString *text = g_string_new (NULL);
  int line = -1;
  int line_left = 0, line_top = 0, line_right = 0, line_bottom = 0;
  int base_x1 = 0, base_y1 = 0, base_x2 = 0, base_y2 = 0;
  gboolean have_baseline = FALSE;
  double confidence_sum = 0;

  do {
    if (TessPageIteratorIsAtBeginningOf (pit, RIL_TEXTLINE) || line < 0) {
      /* A blank line between paragraphs (and so between blocks), as
       * Tesseract's own text output has. */
      gboolean new_paragraph = TessPageIteratorIsAtBeginningOf (pit, RIL_PARA);
      if (line >= 0)
        g_string_append (text, new_paragraph ? "\n\n" : "\n");
      line++;
      TessPageIteratorBoundingBox (pit, RIL_TEXTLINE, &line_left, &line_top, &line_right, &line_bottom);
      have_baseline = TessPageIteratorBaseline (pit, RIL_TEXTLINE, &base_x1, &base_y1, &base_x2, &base_y2);
    }
    char *utf8 = TessResultIteratorGetUTF8Text (it, RIL_WORD);
    int left = 0, top = 0, right = 0, bottom = 0;
    if (utf8 == NULL || !TessPageIteratorBoundingBox (pit, RIL_WORD, &left, &top, &right, &bottom)) {
      TessDeleteText (utf8);
      continue;
    }
    g_autofree char *word_text = nfc (utf8);
    TessDeleteText (utf8);
    g_strstrip (word_text);
    if (*word_text == '\0')
      continue;

    KhoWord word = { 0 };
    word.x = left;
    word.y = top;
    word.w = MAX (1, right - left);
    word.h = MAX (1, bottom - top);
    word.line = line;
    word.line_height = MAX (1, line_bottom - line_top);
    if (have_baseline && base_x2 != base_x1) {
      double centre = left + (right - left) / 2.0;
      word.baseline = (int) lround (base_y1 + (double) (base_y2 - base_y1) * (centre - base_x1) / (base_x2 - base_x1));
    } else {
      word.baseline = have_baseline ? base_y1 : line_bottom;
    }
    word.confidence = CLAMP (TessResultIteratorConfidence (it, RIL_WORD), 0.0f, 100.0f);
    confidence_sum += word.confidence;
    if (text->len > 0 && text->str[text->len - 1] != '\n')
      g_string_append_c (text, ' ');
    g_string_append (text, word_text);
    word.text = g_steal_pointer (&word_text);
    g_array_append_val (words, word);
  } while (TessResultIteratorNext (it, RIL_WORD));

  page->n_words = words->len;
  page->mean_confidence = words->len > 0 ? (float) (confidence_sum / words->len) : 0.0f;
  page->words = (KhoWord *) (void *) g_array_free (words, words->len == 0);
  page->text = g_string_free (text, FALSE);
}

KhoOcrPage *
kho_ocr_recognize (KhoOcrEngine *engine, PIX *pix, int dpi, int timeout_ms, GError **error)
{
  ETEXT_DESC *monitor = NULL;
  TessResultIterator *it = NULL;
  KhoOcrPage *page = NULL;
  gint64 start = 0;

  g_return_val_if_fail (engine != NULL && pix != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  TessBaseAPISetImage2 (engine->api, pix);
  TessBaseAPISetSourceResolution (engine->api, dpi > 0 ? dpi : 300);
  monitor = TessMonitorCreate ();
  start = g_get_monotonic_time ();
  if (timeout_ms > 0)
    TessMonitorSetDeadlineMSecs (monitor, timeout_ms);
  if (TessBaseAPIRecognize (engine->api, monitor) != 0) {
    gint64 elapsed_ms = (g_get_monotonic_time () - start) / 1000;
    if (timeout_ms > 0 && elapsed_ms >= timeout_ms)
      g_set_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_TIMEOUT,
                   "ocr: page took longer than %d ms (gave up after %" G_GINT64_FORMAT " ms)",
                   timeout_ms, elapsed_ms);
    else
      g_set_error (error, KHO_OCR_ERROR, KHO_OCR_ERROR_FAILED, "ocr: Tesseract failed on a %d×%d px page",
                   pixGetWidth (pix), pixGetHeight (pix));
    goto out;
  }
  page = g_new0 (KhoOcrPage, 1);
  it = TessBaseAPIGetIterator (engine->api);
  if (it != NULL)
    collect_words (it, page);
  else
    page->text = g_strdup ("");
out:
  if (it != NULL)
    TessResultIteratorDelete (it);
  if (monitor != NULL)
    TessMonitorDelete (monitor);
  TessBaseAPIClear (engine->api);
  return page;
}

void
kho_ocr_page_free (KhoOcrPage *page)
{
  if (page == NULL)
    return;
  kho_words_free (page->words, page->n_words);
  g_free (page->text);
  g_free (page);
}
