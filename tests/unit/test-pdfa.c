/* test-pdfa.c — the PDF/A-2u writer: structure, images, text layer, validators. */
#include "store/pdfa.h"

#include <glib/gstdio.h>
#include <string.h>

/* Four pages: bilevel A4 at 300 dpi (G4), gray at 150 dpi and RGB at 200 dpi
 * (re-encoded as JPEG), and a gray JPEG passed through unchanged. */
enum { PAGE_BILEVEL, PAGE_GRAY, PAGE_RGB, PAGE_JPEG, N_PAGES };

static const char *const lines[][6] = {  /* NULL-terminated */
  { "Kế", "hoạch", "số", "hóa", NULL },
  { "Đào", "tạo", "ĐÀO", "TẠO", NULL },
  { "Quyết", "định", "ngày", "tháng", "năm" },
};

typedef struct {
  PIX *pix[N_PAGES];
  GBytes *jpeg;
  KhoPdfWord *words[N_PAGES];
  gsize n_words[N_PAGES];
  KhoPdfPage pages[N_PAGES];
  GDateTime *created;
  KhoPdfInfo info;
} Doc;

/* Words laid out like text: lines at 1/10 of the page height, each word a
 * black rectangle in the image (a stand-in for its glyphs). */
static void
layout_words (Doc *doc, int page)
{
  PIX *pix = doc->pix[page];
  int w = pixGetWidth (pix), h = pixGetHeight (pix);
  int line_height = h / 30, char_width = line_height * 3 / 5;  /* wider than the glyphs: Tz > 100 */
  gsize n = 0;

  doc->words[page] = g_new0 (KhoPdfWord, 20);
  for (guint l = 0; l < G_N_ELEMENTS (lines); l++)
    {
      int x = w / 10, baseline = h / 10 + (int) l * 2 * line_height;

      for (guint k = 0; k < 5 && lines[l][k]; k++)
        {
          KhoPdfWord *word = &doc->words[page][n++];
          int len = (int) g_utf8_strlen (lines[l][k], -1);

          word->text = lines[l][k];
          word->x = x;
          word->y = baseline - line_height * 3 / 4;
          word->w = len * char_width;
          word->h = line_height * 3 / 4;
          word->baseline = baseline;
          word->line_height = line_height;
          x += word->w + char_width;
          if (page != PAGE_JPEG)  /* the JPEG page is already encoded */
            {
              l_uint32 value = pixGetDepth (pix) == 1 ? 1 : 0;
              pixRasterop (pix, word->x, word->y, word->w, word->h,
                           value ? PIX_SET : PIX_CLR, NULL, 0, 0);
            }
        }
    }
  doc->n_words[page] = n;
}

static void
doc_init (Doc *doc)
{
  PIX *jpeg_source;
  l_uint8 *jpeg = NULL;
  size_t jpeg_size = 0;
  static const int dpi[N_PAGES] = { 300, 150, 200, 100 };

  memset (doc, 0, sizeof *doc);
  doc->pix[PAGE_BILEVEL] = pixCreate (2480, 3508, 1);  /* A4 at 300 dpi, white */
  doc->pix[PAGE_GRAY] = pixCreate (1240, 1754, 8);
  pixSetAllArbitrary (doc->pix[PAGE_GRAY], 235);
  doc->pix[PAGE_RGB] = pixCreate (1654, 2339, 32);
  pixSetAllArbitrary (doc->pix[PAGE_RGB], 0xffffff00);
  {
    BOX *red = boxCreate (800, 1600, 500, 400);
    pixSetInRectArbitrary (doc->pix[PAGE_RGB], red, 0xff000000);  /* a red area */
    boxDestroy (&red);
  }

  jpeg_source = pixCreate (827, 1169, 8);
  pixSetAllArbitrary (jpeg_source, 200);
  g_assert_cmpint (pixWriteMemJpeg (&jpeg, &jpeg_size, jpeg_source, 80, 0), ==, 0);
  doc->jpeg = g_bytes_new_with_free_func (jpeg, jpeg_size, lept_free, jpeg);
  doc->pix[PAGE_JPEG] = jpeg_source;

  for (int p = 0; p < N_PAGES; p++)
    {
      layout_words (doc, p);
      doc->pages[p].pix = doc->pix[p];
      doc->pages[p].dpi = dpi[p];
      doc->pages[p].words = doc->words[p];
      doc->pages[p].n_words = doc->n_words[p];
    }
  doc->pages[PAGE_JPEG].jpeg = doc->jpeg;

  doc->created = g_date_time_new_from_iso8601 ("2024-03-15T09:30:00+07:00", NULL);
  doc->info.title = "Kế hoạch số hóa (2024) \\ tài liệu";
  doc->info.language = "vi";
  doc->info.archive_id = "KHO-2024-000042";
  doc->info.original_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  doc->info.creator_tool = "kho 0.1.0 <test> & co";
  doc->info.created = doc->created;
}

static void
doc_clear (Doc *doc)
{
  for (int p = 0; p < N_PAGES; p++)
    {
      pixDestroy (&doc->pix[p]);
      g_free (doc->words[p]);
    }
  g_bytes_unref (doc->jpeg);
  g_date_time_unref (doc->created);
}

static GBytes *
build_doc (Doc *doc)
{
  g_autoptr (GError) error = NULL;
  GBytes *pdf = kho_pdfa_build (&doc->info, doc->pages, N_PAGES, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  return pdf;
}

static gsize
count (const char *data, gsize size, const char *needle)
{
  gsize n = 0, len = strlen (needle);

  for (const char *p = data; (p = memmem (p, size - (gsize) (p - data), needle, len)); p += len)
    n++;
  return n;
}

/* Parses the xref table; checks each offset points at "N 0 obj" and each
 * stream's /Length ends exactly at "\nendstream".  Returns the object count. */
static guint
check_xref_and_streams (const char *data, gsize size)
{
  const char *tail = data + size - MIN (size, 64);
  const char *startxref = memmem (tail, (gsize) (data + size - tail), "startxref\n", 10);
  guint64 xref, n_objects;
  const char *p;
  char *end;

  g_assert_nonnull (startxref);
  xref = g_ascii_strtoull (startxref + 10, NULL, 10);
  g_assert_cmpuint (xref, <, size);
  g_assert_true (strncmp (data + xref, "xref\n0 ", 7) == 0);
  n_objects = g_ascii_strtoull (data + xref + 7, &end, 10);
  g_assert_cmpuint (n_objects, >, 5);
  p = strchr (end, '\n') + 1;
  g_assert_true (strncmp (p, "0000000000 65535 f\r\n", 20) == 0);
  for (guint i = 1; i < n_objects; i++)
    {
      const char *entry = p + 20 * i;
      guint64 offset = g_ascii_strtoull (entry, NULL, 10);
      g_autofree char *header = g_strdup_printf ("%u 0 obj\n", i);
      const char *obj = data + offset, *stream, *endobj;

      g_assert_cmpint (entry[17], ==, 'n');
      g_assert_cmpuint (offset, <, xref);
      g_assert_true (strncmp (obj, header, strlen (header)) == 0);
      stream = memmem (obj, size - offset, ">>\nstream\n", 10);
      endobj = memmem (obj, size - offset, "endobj", 6);
      g_assert_nonnull (endobj);
      if (stream && stream < endobj)
        {
          g_autofree char *dict = g_strndup (obj, (gsize) (stream - obj));
          const char *length = strstr (dict, "/Length ");
          guint64 len;

          g_assert_nonnull (length);
          len = g_ascii_strtoull (length + 8, &end, 10);
          g_assert_true (*end == '\0' || *end == '/');  /* a direct number, not a reference */
          g_assert_cmpuint ((gsize) (stream + 10 - data) + len + 10, <=, size);
          g_assert_true (memcmp (stream + 10 + len, "\nendstream\n", 11) == 0);
        }
    }
  return (guint) n_objects;
}

static void
test_structure (void)
{
  Doc doc;
  g_autoptr (GBytes) pdf = NULL;
  const char *data;
  gsize size;

  doc_init (&doc);
  pdf = build_doc (&doc);
  data = g_bytes_get_data (pdf, &size);
  g_assert_true (g_str_has_prefix (data, "%PDF-1.7\n%"));
  for (int i = 10; i < 14; i++)
    g_assert_cmpint ((guchar) data[i], >=, 128);
  g_assert_true (memcmp (data + size - 6, "%%EOF\n", 6) == 0);
  g_assert_nonnull (g_strstr_len (data + size - 300, 300, "/ID [<"));
  g_assert_cmpuint (check_xref_and_streams (data, size), >, 5 + 3 * N_PAGES);
  g_assert_cmpuint (count (data, size, "/Type /Page "), ==, N_PAGES);
  g_assert_cmpuint (count (data, size, "/Subtype /Image"), ==, N_PAGES);  /* each once */
  g_assert_cmpuint (count (data, size, "/Subtype /XML"), ==, 1);
  g_assert_cmpuint (count (data, size, "/GTS_PDFA1"), ==, 1);
  g_assert_cmpuint (count (data, size, "/LZWDecode"), ==, 0);
  /* The XMP is uncompressed, with the declared custom properties. */
  g_assert_cmpuint (count (data, size, "<pdfaid:part>2</pdfaid:part>"), ==, 1);
  g_assert_cmpuint (count (data, size, "<kho:ArchiveID>KHO-2024-000042</kho:ArchiveID>"), ==, 1);
  g_assert_cmpuint (count (data, size, "<pdfaProperty:name>OriginalSHA256</pdfaProperty:name>"), ==, 1);
  g_assert_cmpuint (count (data, size, "kho 0.1.0 &lt;test&gt; &amp; co"), ==, 1);
  doc_clear (&doc);
}

static void
test_images (void)
{
  Doc doc;
  g_autoptr (GBytes) pdf = NULL;
  const char *data, *jpeg;
  gsize size, jpeg_size;

  doc_init (&doc);
  pdf = build_doc (&doc);
  data = g_bytes_get_data (pdf, &size);
  jpeg = g_bytes_get_data (doc.jpeg, &jpeg_size);
  g_assert_cmpuint (count (data, size, "/Filter /CCITTFaxDecode /DecodeParms <</K -1 /Columns 2480 /Rows 3508"), ==, 1);
  g_assert_cmpuint (count (data, size, "/Filter /DCTDecode"), ==, 3);
  g_assert_cmpuint (count (data, size, "/Width 1654 /Height 2339 /ColorSpace /DeviceRGB /BitsPerComponent 8"), ==, 1);
  g_assert_cmpuint (count (data, size, "/Width 1240 /Height 1754 /ColorSpace /DeviceGray /BitsPerComponent 8"), ==, 1);
  g_assert_cmpuint (count (data, size, "/Width 827 /Height 1169 /ColorSpace /DeviceGray /BitsPerComponent 8"), ==, 1);
  /* The pass-through JPEG is embedded byte for byte, as a whole stream. */
  {
    g_autofree char *stream = g_strdup_printf ("/Filter /DCTDecode /Length %" G_GSIZE_FORMAT ">>\nstream\n",
                                               jpeg_size);
    const char *at = memmem (data, size, stream, strlen (stream));

    g_assert_nonnull (at);
    g_assert_true (memcmp (at + strlen (stream), jpeg, jpeg_size) == 0);
  }
  doc_clear (&doc);
}

static void
test_mediabox (void)
{
  Doc doc;
  g_autoptr (GBytes) pdf = NULL;
  const char *data, *p;
  gsize size;

  doc_init (&doc);
  pdf = build_doc (&doc);
  data = g_bytes_get_data (pdf, &size);
  p = data;
  for (int i = 0; i < N_PAGES; i++)
    {
      char *end;
      double w, h;

      p = memmem (p, size - (gsize) (p - data), "/MediaBox [0 0 ", 15);
      g_assert_nonnull (p);
      w = g_ascii_strtod (p + 15, &end);
      h = g_ascii_strtod (end, &end);
      g_assert_cmpfloat_with_epsilon (w, pixGetWidth (doc.pix[i]) * 72.0 / doc.pages[i].dpi, 1e-3);
      g_assert_cmpfloat_with_epsilon (h, pixGetHeight (doc.pix[i]) * 72.0 / doc.pages[i].dpi, 1e-3);
      p = end;
    }
  /* A4 at 300 dpi is 595.2 x 841.92 points. */
  g_assert_nonnull (memmem (data, size, "/MediaBox [0 0 595.2 841.92]", 28));
  doc_clear (&doc);
}

static void
test_deterministic (void)
{
  Doc doc;
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;
  g_autoptr (GBytes) other = NULL;

  doc_init (&doc);
  first = build_doc (&doc);
  second = build_doc (&doc);
  g_assert_true (g_bytes_equal (first, second));
  doc.info.archive_id = "KHO-2024-000043";
  other = build_doc (&doc);
  g_assert_false (g_bytes_equal (first, other));
  doc_clear (&doc);
}

/* A thumbnail-sized scan (8×24 px at 300 dpi would be 1.92×5.76 points)
 * gets a page of at least 3 points a side, as PDF/A requires (6.1.13),
 * with the image and its proportions unchanged. */
static void
test_tiny_page (void)
{
  PIX *pix = pixCreate (8, 24, 1);
  KhoPdfPage page = { .pix = pix, .dpi = 300 };
  KhoPdfInfo info = { .title = "nhỏ", .language = "vi" };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) pdf = kho_pdfa_build (&info, &page, 1, &error);
  const char *data, *p;
  gsize size;
  double w, h;
  char *end;

  g_assert_no_error (error);
  data = g_bytes_get_data (pdf, &size);
  p = memmem (data, size, "/MediaBox [0 0 ", 15);
  g_assert_nonnull (p);
  w = g_ascii_strtod (p + 15, &end);
  h = g_ascii_strtod (end, &end);
  g_assert_cmpfloat_with_epsilon (w, 3.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (h, 9.0, 1e-6);
  pixDestroy (&pix);
}

/* Pages encoded ahead with kho_pdfa_image_new (as the stage runner does,
 * to drop each page's pixels early) give the very same file as pages
 * encoded by kho_pdfa_build itself. */
static void
test_pre_encoded (void)
{
  Doc doc;
  g_autoptr (GBytes) direct = NULL;
  g_autoptr (GBytes) ahead = NULL;
  g_autoptr (GError) error = NULL;
  KhoPdfImage *images[N_PAGES];

  doc_init (&doc);
  direct = build_doc (&doc);
  for (int p = 0; p < N_PAGES; p++)
    {
      images[p] = kho_pdfa_image_new (doc.pages[p].pix, doc.pages[p].jpeg, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (kho_pdfa_image_size (images[p]), >, 0);
      doc.pages[p].image = images[p];
      doc.pages[p].pix = NULL;
      doc.pages[p].jpeg = NULL;
    }
  g_assert_cmpuint (kho_pdfa_image_size (images[PAGE_JPEG]), ==, g_bytes_get_size (doc.jpeg));
  ahead = build_doc (&doc);
  g_assert_true (g_bytes_equal (direct, ahead));
  for (int p = 0; p < N_PAGES; p++)
    kho_pdfa_image_free (images[p]);

  g_assert_null (kho_pdfa_image_new (NULL, NULL, 0, &error));
  g_assert_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT);
  doc_clear (&doc);
}

/* A one-page document with awkward text: metadata with a tab, a CR and a
 * character outside the BMP; words with U+FEFF, controls and an emoji (the
 * second word has nothing writable left).  @with_words FALSE: no words. */
static GBytes *
build_odd_doc (gboolean with_words)
{
  Doc doc;
  KhoPdfWord words[2];
  KhoPdfPage page;
  g_autoptr (GError) error = NULL;
  GBytes *pdf;

  doc_init (&doc);
  doc.info.title = "Kế\thoạch\r(số) \xf0\x9f\x98\x80 hóa";
  doc.info.creator_tool = "kho\x01 test";
  words[0] = doc.words[PAGE_GRAY][0];
  words[0].text = "a\xef\xbb\xbf\tb\xf0\x9f\x98\x80";  /* a, U+FEFF, tab, b, U+1F600 */
  words[1] = doc.words[PAGE_GRAY][1];
  words[1].text = "\xef\xbb\xbf";
  page = doc.pages[PAGE_GRAY];
  page.words = words;
  page.n_words = with_words ? 2 : 0;
  pdf = kho_pdfa_build (&doc.info, &page, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pdf);
  doc_clear (&doc);
  return pdf;
}

/* Writes @pdf, or the test document, to a temporary file; returns its path. */
static char *
write_doc (char **dir, GBytes *pdf)
{
  Doc doc;
  g_autoptr (GBytes) own = NULL;
  g_autoptr (GError) error = NULL;
  char *path;

  if (pdf == NULL)
    {
      doc_init (&doc);
      pdf = own = build_doc (&doc);
      doc_clear (&doc);
    }
  *dir = g_dir_make_tmp ("test-pdfa-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (*dir, "doc.pdf", NULL);
  g_file_set_contents (path, g_bytes_get_data (pdf, NULL), (gssize) g_bytes_get_size (pdf), &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_doc (char *dir, char *path)
{
  g_remove (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* Runs @argv; returns FALSE (after g_test_skip) when the program is missing. */
static gboolean
run (const char *const *argv, char **out, int *status)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *program = g_find_program_in_path (argv[0]);

  if (program == NULL)
    {
      g_autofree char *reason = g_strdup_printf ("%s is not installed", argv[0]);
      g_test_skip (reason);
      return FALSE;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, out, NULL, status, &error));
  g_assert_no_error (error);
  return TRUE;
}

/* Each line of the page's text, in order, with its words in order. */
static void
assert_lines (const char *text)
{
  g_auto (GStrv) out_lines = g_strsplit (text, "\n", -1);
  guint next = 0;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  {
    g_autofree char *nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
    g_assert_cmpstr (nfc, ==, text);
  }
  for (guint l = 0; l < G_N_ELEMENTS (lines); l++)
    {
      g_autofree char *expected = g_strjoinv (" ", (char **) lines[l]);
      gboolean found = FALSE;

      for (; out_lines[next] && !found; next++)
        {
          g_auto (GStrv) words = g_strsplit_set (g_strstrip (out_lines[next]), " ", -1);
          g_autoptr (GString) joined = g_string_new (NULL);

          for (guint k = 0; words[k]; k++)
            if (*words[k])
              g_string_append_printf (joined, "%s%s", joined->len ? " " : "", words[k]);
          found = strcmp (joined->str, expected) == 0;
        }
      if (!found)
        g_error ("line %u \"%s\" not found in order in:\n%s", l + 1, expected, text);
    }
}

static void
test_pdftotext (void)
{
  char *dir, *path = write_doc (&dir, NULL);

  for (int layout = 0; layout < 2; layout++)
    {
      const char *argv[] = { "pdftotext", "-enc", "UTF-8", layout ? "-layout" : path,
                             layout ? path : "-", layout ? "-" : NULL, NULL };
      g_autofree char *out = NULL;
      g_auto (GStrv) pages = NULL;
      int status = 0;

      if (!run (argv, &out, &status))
        break;
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      pages = g_strsplit (out, "\f", -1);
      g_assert_cmpuint (g_strv_length (pages), >=, N_PAGES);
      for (int p = 0; p < N_PAGES; p++)
        assert_lines (pages[p]);
    }
  remove_doc (dir, path);
}

/* The G4 page renders black where the image is black: BlackIs1 is right. */
static void
test_render_polarity (void)
{
  char *dir, *path = write_doc (&dir, NULL);
  g_autofree char *prefix = g_build_filename (dir, "page", NULL);
  g_autofree char *out = NULL;
  g_autofree char *ppm = g_strconcat (prefix, ".pgm", NULL);
  const char *argv[] = { "pdftoppm", "-f", "1", "-l", "1", "-r", "30", "-gray", "-singlefile",
                         path, prefix, NULL };
  int status = 0;

  if (run (argv, &out, &status))
    {
      PIX *page;
      l_uint32 ink = 0, paper = 0;

      g_assert_true (g_spawn_check_wait_status (status, NULL));
      page = pixRead (ppm);
      g_assert_nonnull (page);
      /* Word "hoạch" on line 1; 30/300 of the image coordinates. */
      {
        Doc doc;
        doc_init (&doc);
        const KhoPdfWord *word = &doc.words[PAGE_BILEVEL][1];
        pixGetPixel (page, (word->x + word->w / 2) / 10, (word->y + word->h / 2) / 10, &ink);
        pixGetPixel (page, 5, 5, &paper);
        doc_clear (&doc);
      }
      g_assert_cmpuint (ink, <, 64);
      g_assert_cmpuint (paper, >, 192);
      pixDestroy (&page);
      g_remove (ppm);
    }
  remove_doc (dir, path);
}

static void
test_qpdf (void)
{
  char *dir, *path = write_doc (&dir, NULL);
  const char *argv[] = { "qpdf", "--check", path, NULL };
  g_autofree char *out = NULL;
  int status = 0;

  if (run (argv, &out, &status))
    {
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("qpdf --check failed:\n%s", out);
    }
  remove_doc (dir, path);
}

static void
test_pdfa_check (void)
{
  const char *checker = g_getenv ("KHO_PDFA_CHECK");
  g_autofree char *fallback = g_build_filename (KHO_TEST_SRCDIR, "..", "shared", "tools", "pdfa-check", NULL);
  char *dir, *path;
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (checker == NULL || *checker == '\0')
    checker = fallback;
  if (!g_file_test (checker, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autofree char *reason = g_strdup_printf ("pdfa-check not found at %s", checker);
      g_test_skip (reason);
      return;
    }
  for (int odd = 0; odd < 2; odd++)
    {
      g_autoptr (GBytes) pdf = odd ? build_odd_doc (TRUE) : NULL;
      const char *argv[] = { checker, "--level", "2u", "--strict", NULL, NULL };

      path = write_doc (&dir, pdf);
      argv[4] = path;
      g_clear_pointer (&out, g_free);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                   &out, NULL, &status, &error));
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("pdfa-check --level 2u --strict failed on the %s document:\n%s",
                 odd ? "odd-text" : "test", out);
      remove_doc (dir, path);
    }
}

static void
assert_fails (const KhoPdfInfo *info, const KhoPdfPage *pages, gsize n_pages, int code,
              const char *fragment)
{
  g_autoptr (GError) error = NULL;
  GBytes *pdf = kho_pdfa_build (info, pages, n_pages, &error);

  g_assert_null (pdf);
  g_assert_error (error, KHO_PDFA_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("error \"%s\" does not mention \"%s\"", error->message, fragment);
}

static void
test_errors (void)
{
  Doc doc;
  KhoPdfPage bad[N_PAGES];
  KhoPdfWord word;
  static const guint8 not_jpeg[] = "not a jpeg at all";
  g_autoptr (GBytes) garbage = g_bytes_new_static (not_jpeg, sizeof not_jpeg);

  doc_init (&doc);
  memcpy (bad, doc.pages, sizeof bad);
  bad[1].pix = NULL;
  assert_fails (&doc.info, bad, N_PAGES, KHO_PDFA_ERROR_INPUT, "page 2: no image");

  memcpy (bad, doc.pages, sizeof bad);
  bad[2].dpi = 0;
  assert_fails (&doc.info, bad, N_PAGES, KHO_PDFA_ERROR_INPUT, "page 3");

  assert_fails (&doc.info, doc.pages, 0, KHO_PDFA_ERROR_INPUT, "no pages");
  assert_fails (NULL, doc.pages, N_PAGES, KHO_PDFA_ERROR_INPUT, "document info");

  memcpy (bad, doc.pages, sizeof bad);
  word = doc.words[0][0];
  word.text = "\xff\xfe";
  bad[0].words = &word;
  bad[0].n_words = 1;
  assert_fails (&doc.info, bad, N_PAGES, KHO_PDFA_ERROR_INPUT, "UTF-8");

  memcpy (bad, doc.pages, sizeof bad);
  bad[3].jpeg = garbage;
  assert_fails (&doc.info, bad, N_PAGES, KHO_PDFA_ERROR_IMAGE, "page 4: the JPEG");

  memcpy (bad, doc.pages, sizeof bad);
  bad[3].pix = doc.pix[PAGE_GRAY];  /* not the JPEG's size */
  assert_fails (&doc.info, bad, N_PAGES, KHO_PDFA_ERROR_INPUT, "page 4");
  doc_clear (&doc);
}

/* Text outside the BMP, controls and U+FEFF never reach the ToUnicode map as
 * forbidden values (pdfa-check runs on this document too), and a page
 * without words has no font. */
static void
test_odd_text (void)
{
  g_autoptr (GBytes) pdf = build_odd_doc (TRUE);
  g_autoptr (GBytes) no_words = build_odd_doc (FALSE);
  const char *data;
  gsize size;

  data = g_bytes_get_data (pdf, &size);
  check_xref_and_streams (data, size);
  g_assert_cmpuint (count (data, size, "/F1 "), ==, 1);
  g_assert_cmpuint (count (data, size, "<FEFF>"), ==, 0);
  g_assert_cmpuint (count (data, size, "/Title <FEFF004B1EBF0009"), ==, 1);  /* Kế, tab */
  g_assert_cmpuint (count (data, size, "&#xD;(số) \xf0\x9f\x98\x80 hóa</rdf:li>"), ==, 1);
  data = g_bytes_get_data (no_words, &size);
  g_assert_cmpuint (count (data, size, "/Type /Font"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pdfa/structure", test_structure);
  g_test_add_func ("/pdfa/images", test_images);
  g_test_add_func ("/pdfa/mediabox", test_mediabox);
  g_test_add_func ("/pdfa/deterministic", test_deterministic);
  g_test_add_func ("/pdfa/pre-encoded", test_pre_encoded);
  g_test_add_func ("/pdfa/tiny-page", test_tiny_page);
  g_test_add_func ("/pdfa/pdftotext", test_pdftotext);
  g_test_add_func ("/pdfa/render-polarity", test_render_polarity);
  g_test_add_func ("/pdfa/qpdf", test_qpdf);
  g_test_add_func ("/pdfa/pdfa-check", test_pdfa_check);
  g_test_add_func ("/pdfa/errors", test_errors);
  g_test_add_func ("/pdfa/odd-text", test_odd_text);
  return g_test_run ();
}
