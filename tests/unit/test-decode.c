/* test-decode.c — format sniffing, refusal of bad input, decoding of each format. */
#include "ocr/decode.h"

#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <tiffio.h>

#define DATA_DIR KHO_TEST_SRCDIR "/tests/data/ocr/"

static GBytes *
read_fixture (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_strconcat (DATA_DIR, name, NULL);
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* Encodes @pix with one of Leptonica's writers into a GBytes. */
static GBytes *
encode_tiff (PIX *pix, int compression)
{
  l_uint8 *data = NULL;
  size_t size = 0;
  g_assert_cmpint (pixWriteMemTiff (&data, &size, pix, compression), ==, 0);
  GBytes *bytes = g_bytes_new (data, size);
  lept_free (data);
  return bytes;
}

static GBytes *
encode_png (PIX *pix)
{
  l_uint8 *data = NULL;
  size_t size = 0;
  g_assert_cmpint (pixWriteMemPng (&data, &size, pix, 0.0f), ==, 0);
  GBytes *bytes = g_bytes_new (data, size);
  lept_free (data);
  return bytes;
}

static GBytes *
encode_jpeg (PIX *pix, int progressive)
{
  l_uint8 *data = NULL;
  size_t size = 0;
  g_assert_cmpint (pixWriteMemJpeg (&data, &size, pix, 85, progressive), ==, 0);
  GBytes *bytes = g_bytes_new (data, size);
  lept_free (data);
  return bytes;
}

/* An 8 bpp test pattern: a gradient with a dark bar. */
static PIX *
make_gray (int width, int height)
{
  PIX *pix = pixCreate (width, height, 8);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      pixSetPixel (pix, x, y, (y > height / 3 && y < height / 2) ? 10 : (x * 255) / MAX (1, width - 1));
  return pix;
}

static PIX *
make_rgb (int width, int height)
{
  PIX *pix = pixCreate (width, height, 32);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      l_uint32 value = 0;
      composeRGBPixel ((x * 255) / width, (y * 255) / height, 128, &value);
      pixSetPixel (pix, x, y, value);
    }
  return pix;
}

static PIX *
make_binary (int width, int height)
{
  PIX *gray = make_gray (width, height);
  PIX *binary = pixThresholdToBinary (gray, 128);
  pixDestroy (&gray);
  return binary;
}

static GBytes *
truncate_bytes (GBytes *bytes, gsize keep)
{
  return g_bytes_new_from_bytes (bytes, 0, keep);
}

static void
assert_refused (GBytes *bytes, KhoDecodeError code, const char *reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoSource) source = kho_source_open (bytes, "scan.bin", &error);
  g_assert_null (source);
  g_assert_error (error, KHO_DECODE_ERROR, (int) code);
  if (strstr (error->message, reason) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, reason);
  g_assert_true (g_str_has_prefix (error->message, "scan.bin: "));
}

static KhoSource *
open_ok (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  KhoSource *source = kho_source_open (bytes, "scan", &error);
  g_assert_no_error (error);
  g_assert_nonnull (source);
  return source;
}

static KhoPageImage *
render_ok (KhoSource *source, int index)
{
  g_autoptr (GError) error = NULL;
  KhoPageImage *page = kho_source_render_page (source, index, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_nonnull (page->pix);
  g_assert_null (pixGetColormap (page->pix));
  int depth = pixGetDepth (page->pix);
  g_assert_true (depth == 1 || depth == 8 || depth == 32);
  return page;
}

/* ------------------------------------------------------------------ */

static void
test_sniff (void)
{
  static const guint8 tiff_le[] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
  static const guint8 tiff_be[] = { 'M', 'M', 0, 42, 0, 0, 0, 8 };
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0 };
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 0xe0 };
  static const char pdf[] = "%PDF-1.7\n";
  static const char junk[] = "hello, world";
  char late_pdf[1100];

  g_assert_cmpint (kho_decode_sniff (tiff_le, sizeof tiff_le), ==, KHO_FORMAT_TIFF);
  g_assert_cmpint (kho_decode_sniff (tiff_be, sizeof tiff_be), ==, KHO_FORMAT_TIFF);
  g_assert_cmpint (kho_decode_sniff (png, sizeof png), ==, KHO_FORMAT_PNG);
  g_assert_cmpint (kho_decode_sniff (png, 7), ==, KHO_FORMAT_UNKNOWN);
  g_assert_cmpint (kho_decode_sniff (jpeg, sizeof jpeg), ==, KHO_FORMAT_JPEG);
  g_assert_cmpint (kho_decode_sniff ((const guint8 *) pdf, strlen (pdf)), ==, KHO_FORMAT_PDF);
  g_assert_cmpint (kho_decode_sniff ((const guint8 *) junk, strlen (junk)), ==, KHO_FORMAT_UNKNOWN);
  g_assert_cmpint (kho_decode_sniff (NULL, 0), ==, KHO_FORMAT_UNKNOWN);

  /* %PDF- counts within the first 1024 bytes only. */
  memset (late_pdf, ' ', sizeof late_pdf);
  memcpy (late_pdf + 500, "%PDF-", 5);
  g_assert_cmpint (kho_decode_sniff ((const guint8 *) late_pdf, sizeof late_pdf), ==, KHO_FORMAT_PDF);
  memset (late_pdf, ' ', sizeof late_pdf);
  memcpy (late_pdf + 1050, "%PDF-", 5);
  g_assert_cmpint (kho_decode_sniff ((const guint8 *) late_pdf, sizeof late_pdf), ==, KHO_FORMAT_UNKNOWN);

  g_assert_cmpstr (kho_format_name (KHO_FORMAT_TIFF), ==, "tiff");
  g_assert_cmpstr (kho_format_name (KHO_FORMAT_PDF), ==, "pdf");
  g_assert_cmpstr (kho_format_name (KHO_FORMAT_UNKNOWN), ==, "unknown");
  g_assert_cmpstr (kho_format_mime (KHO_FORMAT_PNG), ==, "image/png");
  g_assert_cmpstr (kho_format_mime (KHO_FORMAT_JPEG), ==, "image/jpeg");
  g_assert_cmpstr (kho_format_mime (KHO_FORMAT_TIFF), ==, "image/tiff");
  g_assert_cmpstr (kho_format_mime (KHO_FORMAT_PDF), ==, "application/pdf");
}

static void
test_empty (void)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static ("", 0);
  assert_refused (bytes, KHO_DECODE_ERROR_EMPTY, "empty");
}

static void
test_text_file (void)
{
  static const char postscript[] = "%!PS-Adobe-3.0\n%%Title: letter\n";
  g_autoptr (GBytes) ps = g_bytes_new_static (postscript, strlen (postscript));
  assert_refused (ps, KHO_DECODE_ERROR_UNKNOWN, "not an image or PDF (starts with “%!PS”)");

  static const guint8 elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
  g_autoptr (GBytes) binary = g_bytes_new_static (elf, sizeof elf);
  assert_refused (binary, KHO_DECODE_ERROR_UNKNOWN, "starts with 0x7F454C46");
}

static void
test_truncated_tiff (void)
{
  PIX *pix = make_gray (300, 200);
  g_autoptr (GBytes) whole = encode_tiff (pix, IFF_TIFF_LZW);
  g_autoptr (GBytes) cut = truncate_bytes (whole, g_bytes_get_size (whole) / 2);
  assert_refused (cut, KHO_DECODE_ERROR_CORRUPT, "truncated TIFF");

  /* A header alone. */
  g_autoptr (GBytes) header = truncate_bytes (whole, 6);
  assert_refused (header, KHO_DECODE_ERROR_CORRUPT, "truncated TIFF");

  /* A multi-page file cut inside its second page: the first page is intact
   * but the file is not whole. */
  PIXA *pixa = pixaCreate (2);
  pixaAddPix (pixa, pix, L_COPY);
  pixaAddPix (pixa, pix, L_COPY);
  l_uint8 *data = NULL;
  size_t size = 0;
  g_assert_cmpint (pixaWriteMemMultipageTiff (&data, &size, pixa), ==, 0);
  for (gsize keep = size * 3 / 4; keep < size; keep += MAX ((gsize) 1, (size - keep) / 2)) {
    g_autoptr (GBytes) part = g_bytes_new (data, keep);
    assert_refused (part, KHO_DECODE_ERROR_CORRUPT, "truncated TIFF");
    if (size - keep < 2)
      break;
  }
  lept_free (data);
  pixaDestroy (&pixa);
  pixDestroy (&pix);
}

static void
test_truncated_png (void)
{
  PIX *pix = make_rgb (200, 150);
  g_autoptr (GBytes) whole = encode_png (pix);
  gsize size = g_bytes_get_size (whole);
  gsize cuts[] = { 20, size / 2, size - 12, size - 1 };
  for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++) {
    g_autoptr (GBytes) cut = truncate_bytes (whole, cuts[i]);
    assert_refused (cut, KHO_DECODE_ERROR_CORRUPT, "truncated PNG");
  }
  pixDestroy (&pix);
}

static void
test_truncated_jpeg (void)
{
  PIX *pix = make_rgb (200, 150);
  for (int progressive = 0; progressive <= 1; progressive++) {
    g_autoptr (GBytes) whole = encode_jpeg (pix, progressive);
    gsize size = g_bytes_get_size (whole);
    gsize cuts[] = { 4, 100, size / 2, size - 2, size - 1 };
    for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++) {
      g_autoptr (GBytes) cut = truncate_bytes (whole, cuts[i]);
      assert_refused (cut, KHO_DECODE_ERROR_CORRUPT, "truncated JPEG");
    }
  }
  pixDestroy (&pix);
}

static void
test_encrypted_pdf (void)
{
  g_autoptr (GBytes) bytes = read_fixture ("encrypted.pdf");
  g_assert_cmpint (kho_decode_sniff (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)), ==,
                   KHO_FORMAT_PDF);
  assert_refused (bytes, KHO_DECODE_ERROR_ENCRYPTED, "encrypted PDF");
}

/* Writes a minimal PDF with a correct cross-reference table. */
static GBytes *
minimal_pdf (const char *const *objects, gsize n)
{
  GString *pdf = g_string_new ("%PDF-1.4\n");
  gsize *offsets = g_new (gsize, n);
  for (gsize i = 0; i < n; i++) {
    offsets[i] = pdf->len;
    g_string_append_printf (pdf, "%zu 0 obj\n%s\nendobj\n", i + 1, objects[i]);
  }
  gsize xref = pdf->len;
  g_string_append_printf (pdf, "xref\n0 %zu\n0000000000 65535 f \n", n + 1);
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (pdf, "%010zu 00000 n \n", offsets[i]);
  g_string_append_printf (pdf, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", n + 1, xref);
  g_free (offsets);
  gsize length = pdf->len;
  return g_bytes_new_take (g_string_free (pdf, FALSE), length);
}

static void
test_pdf_without_pages (void)
{
  const char *objects[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [] /Count 0 >>",
  };
  g_autoptr (GBytes) bytes = minimal_pdf (objects, G_N_ELEMENTS (objects));
  assert_refused (bytes, KHO_DECODE_ERROR_NO_PAGES, "PDF has no pages");
}

static void
test_truncated_pdf (void)
{
  const char *objects[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
  };
  g_autoptr (GBytes) whole = minimal_pdf (objects, G_N_ELEMENTS (objects));
  g_autoptr (KhoSource) source = open_ok (whole);
  g_assert_cmpint (kho_source_n_pages (source), ==, 1);
  g_autoptr (GBytes) cut = truncate_bytes (whole, g_bytes_get_size (whole) - 40);
  assert_refused (cut, KHO_DECODE_ERROR_CORRUPT, "truncated PDF");
}

static void
put_be32 (guint8 *p, guint32 value)
{
  p[0] = value >> 24; p[1] = value >> 16; p[2] = value >> 8; p[3] = value;
}

static guint32
crc32_png (const guint8 *data, gsize length)
{
  guint32 crc = 0xffffffffu;
  for (gsize i = 0; i < length; i++) {
    crc ^= data[i];
    for (int k = 0; k < 8; k++)
      crc = (crc & 1) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
  }
  return crc ^ 0xffffffffu;
}

/* A PNG whose IHDR (with a valid CRC) claims @width × @height gray pixels;
 * the image data is a few bytes only, as in a decompression bomb's header. */
static GBytes *
png_claiming (guint32 width, guint32 height)
{
  guint8 *png = g_malloc0 (8 + 25 + 12 + 12 + 2);
  static const guint8 magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize at = 0;
  memcpy (png, magic, 8);
  at = 8;
  put_be32 (png + at, 13);
  memcpy (png + at + 4, "IHDR", 4);
  put_be32 (png + at + 8, width);
  put_be32 (png + at + 12, height);
  png[at + 16] = 8;    /* bit depth */
  png[at + 17] = 0;    /* gray */
  put_be32 (png + at + 21, crc32_png (png + at + 4, 17));
  at += 25;
  put_be32 (png + at, 2);
  memcpy (png + at + 4, "IDAT", 4);
  png[at + 8] = 0x78; png[at + 9] = 0x9c;
  put_be32 (png + at + 10, crc32_png (png + at + 4, 6));
  at += 14;
  put_be32 (png + at, 0);
  memcpy (png + at + 4, "IEND", 4);
  put_be32 (png + at + 8, crc32_png (png + at + 4, 4));
  at += 12;
  return g_bytes_new_take (png, at);
}

static void
test_png_bomb (void)
{
  g_autoptr (GBytes) side = png_claiming (30000, 30000);
  gint64 start = g_get_monotonic_time ();
  assert_refused (side, KHO_DECODE_ERROR_TOO_LARGE, "image is 30000×30000 px, over the 20000 px limit");
  /* Refused from the header: no 900 Mpx buffer was filled. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);

  g_autoptr (GBytes) wide = png_claiming (30000, 1000);
  assert_refused (wide, KHO_DECODE_ERROR_TOO_LARGE, "image is 30000×1000 px, over the 20000 px limit");

  g_autoptr (GBytes) area = png_claiming (19000, 19000);
  assert_refused (area, KHO_DECODE_ERROR_TOO_LARGE, "pixel limit");

  /* A bad CRC is damage, not a size problem. */
  g_autoptr (GBytes) good = png_claiming (100, 100);
  guint8 *copy = g_memdup2 (g_bytes_get_data (good, NULL), g_bytes_get_size (good));
  copy[20] ^= 0x01;
  g_autoptr (GBytes) bad = g_bytes_new_take (copy, g_bytes_get_size (good));
  assert_refused (bad, KHO_DECODE_ERROR_CORRUPT, "CRC");
}

static void
test_jpeg_bomb (void)
{
  PIX *pix = make_gray (64, 48);
  g_autoptr (GBytes) whole = encode_jpeg (pix, 0);
  gsize size = g_bytes_get_size (whole);
  guint8 *data = g_memdup2 (g_bytes_get_data (whole, NULL), size);
  gboolean patched = FALSE;
  for (gsize i = 2; i + 9 < size; i++)
    if (data[i] == 0xff && data[i + 1] == 0xc0) {
      data[i + 5] = 30000 >> 8; data[i + 6] = 30000 & 0xff;  /* height */
      data[i + 7] = 1000 >> 8; data[i + 8] = 1000 & 0xff;    /* width */
      patched = TRUE;
      break;
    }
  g_assert_true (patched);
  g_autoptr (GBytes) bomb = g_bytes_new_take (data, size);
  assert_refused (bomb, KHO_DECODE_ERROR_TOO_LARGE, "image is 1000×30000 px, over the 20000 px limit");
  pixDestroy (&pix);
}

/* Patches the ImageWidth/ImageLength entries of a little-endian classic
 * TIFF's first directory. */
static void
patch_tiff_size (guint8 *data, gsize size, guint32 width, guint32 height)
{
  guint32 ifd = data[4] | data[5] << 8 | data[6] << 16 | (guint32) data[7] << 24;
  g_assert_cmpuint (ifd + 2, <, size);
  guint n = data[ifd] | data[ifd + 1] << 8;
  for (guint i = 0; i < n; i++) {
    guint8 *entry = data + ifd + 2 + 12 * i;
    guint tag = entry[0] | entry[1] << 8;
    guint32 value = tag == 256 ? width : tag == 257 ? height : 0;
    if (value == 0)
      continue;
    entry[2] = 4; entry[3] = 0;   /* LONG */
    entry[4] = 1; entry[5] = entry[6] = entry[7] = 0;
    entry[8] = value; entry[9] = value >> 8; entry[10] = value >> 16; entry[11] = value >> 24;
  }
}

static void
test_tiff_bomb (void)
{
  PIX *pix = make_binary (64, 64);
  g_autoptr (GBytes) whole = encode_tiff (pix, IFF_TIFF_G4);
  gsize size = g_bytes_get_size (whole);
  g_assert_cmpint (((const guint8 *) g_bytes_get_data (whole, NULL))[0], ==, 'I');
  guint8 *data = g_memdup2 (g_bytes_get_data (whole, NULL), size);
  patch_tiff_size (data, size, 30000, 30000);
  g_autoptr (GBytes) bomb = g_bytes_new_take (data, size);
  assert_refused (bomb, KHO_DECODE_ERROR_TOO_LARGE, "image is 30000×30000 px, over the 20000 px limit");
  pixDestroy (&pix);
}

static void
test_pdf_bomb (void)
{
  /* 20000 × 20000 pt is 27778 px on a side even at the lowest resolution. */
  const char *objects[] = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 7200] >>",
  };
  g_autoptr (GBytes) fits = minimal_pdf (objects, G_N_ELEMENTS (objects));
  /* 200 × 100 in: fits at 100 dpi (the limit exactly), so it opens. */
  g_autoptr (KhoSource) source = open_ok (fits);
  g_assert_cmpint (kho_source_n_pages (source), ==, 1);

  objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 20000 20000] >>";
  g_autoptr (GBytes) bomb = minimal_pdf (objects, G_N_ELEMENTS (objects));
  assert_refused (bomb, KHO_DECODE_ERROR_TOO_LARGE, "page 1 at 100 dpi: image is 27778×27778 px, over the 20000 px limit");
}

/* ------------------------------------------------------------------ */

static void
test_tiff_compressions (void)
{
  struct { int compression; int depth; } cases[] = {
    { IFF_TIFF, 8 }, { IFF_TIFF_LZW, 8 }, { IFF_TIFF_PACKBITS, 8 }, { IFF_TIFF_ZIP, 8 },
    { IFF_TIFF_G4, 1 }, { IFF_TIFF_G3, 1 }, { IFF_TIFF_LZW, 1 }, { IFF_TIFF_LZW, 32 }, { IFF_TIFF, 32 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    PIX *pix = cases[i].depth == 1 ? make_binary (321, 123) :
               cases[i].depth == 8 ? make_gray (321, 123) : make_rgb (321, 123);
    pixSetResolution (pix, 200, 200);
    g_autoptr (GBytes) bytes = encode_tiff (pix, cases[i].compression);
    g_autoptr (KhoSource) source = open_ok (bytes);
    g_assert_cmpint (kho_source_format (source), ==, KHO_FORMAT_TIFF);
    g_assert_cmpint (kho_source_n_pages (source), ==, 1);
    g_autoptr (KhoPageImage) page = render_ok (source, 0);
    g_assert_cmpint (pixGetWidth (page->pix), ==, 321);
    g_assert_cmpint (pixGetHeight (page->pix), ==, 123);
    g_assert_cmpint (pixGetDepth (page->pix), ==, cases[i].depth);
    g_assert_cmpint (page->dpi, ==, 200);
    g_assert_null (page->jpeg);
    g_assert_false (page->has_text);
    int same = 0;
    pixEqual (pix, page->pix, &same);
    if (!same)
      g_error ("TIFF compression %d, %d bpp: pixels differ", cases[i].compression, cases[i].depth);
    pixDestroy (&pix);
  }
}

/* Writes an RGB image as a JPEG-compressed YCbCr TIFF, the way scanners do,
 * with libtiff (Leptonica does not write JPEG in TIFF). */
static GBytes *
encode_tiff_ycbcr_jpeg (PIX *pix)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kho-decode-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "ycbcr.tif", NULL);
  int width = pixGetWidth (pix), height = pixGetHeight (pix);
  TIFF *tiff = TIFFOpen (path, "w");
  g_assert_nonnull (tiff);
  TIFFSetField (tiff, TIFFTAG_IMAGEWIDTH, width);
  TIFFSetField (tiff, TIFFTAG_IMAGELENGTH, height);
  TIFFSetField (tiff, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField (tiff, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField (tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (tiff, TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
  TIFFSetField (tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR);
  TIFFSetField (tiff, TIFFTAG_YCBCRSUBSAMPLING, 2, 2);
  TIFFSetField (tiff, TIFFTAG_JPEGQUALITY, 90);
  TIFFSetField (tiff, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  TIFFSetField (tiff, TIFFTAG_ROWSPERSTRIP, 16);
  TIFFSetField (tiff, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField (tiff, TIFFTAG_XRESOLUTION, 240.0);
  TIFFSetField (tiff, TIFFTAG_YRESOLUTION, 240.0);
  guint8 *row = g_malloc (3 * width);
  for (int y = 0; y < height; y++) {
    for (int x = 0; x < width; x++) {
      l_int32 r, g, b;
      pixGetRGBPixel (pix, x, y, &r, &g, &b);
      row[3 * x] = r; row[3 * x + 1] = g; row[3 * x + 2] = b;
    }
    g_assert_cmpint (TIFFWriteScanline (tiff, row, y, 0), ==, 1);
  }
  g_free (row);
  TIFFClose (tiff);
  char *contents = NULL;
  gsize length = 0;
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (dir);
  return g_bytes_new_take (contents, length);
}

static void
assert_rgb_near (PIX *pix, int x, int y, int r, int g, int b)
{
  l_int32 pr, pg, pb;
  pixGetRGBPixel (pix, x, y, &pr, &pg, &pb);
  if (ABS (pr - r) > 24 || ABS (pg - g) > 24 || ABS (pb - b) > 24)
    g_error ("pixel (%d, %d) is %d/%d/%d, expected about %d/%d/%d", x, y, pr, pg, pb, r, g, b);
}

static void
test_tiff_jpeg (void)
{
  /* RGB JPEG-in-TIFF made by ImageMagick: a gradient from red (top) to blue. */
  g_autoptr (GBytes) fixture = read_fixture ("jpeg.tif");
  g_autoptr (KhoSource) source = open_ok (fixture);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_cmpint (pixGetWidth (page->pix), ==, 64);
  g_assert_cmpint (pixGetHeight (page->pix), ==, 48);
  g_assert_cmpint (pixGetDepth (page->pix), ==, 32);
  g_assert_cmpint (page->dpi, ==, 150);
  assert_rgb_near (page->pix, 32, 0, 255, 0, 0);
  assert_rgb_near (page->pix, 32, 47, 0, 0, 255);

  /* YCbCr JPEG-in-TIFF as written by scanners. */
  PIX *pix = make_rgb (160, 120);
  g_autoptr (GBytes) bytes = encode_tiff_ycbcr_jpeg (pix);
  g_autoptr (KhoSource) ycbcr = open_ok (bytes);
  g_autoptr (KhoPageImage) ycbcr_page = render_ok (ycbcr, 0);
  g_assert_cmpint (pixGetWidth (ycbcr_page->pix), ==, 160);
  g_assert_cmpint (pixGetHeight (ycbcr_page->pix), ==, 120);
  g_assert_cmpint (pixGetDepth (ycbcr_page->pix), ==, 32);
  g_assert_cmpint (ycbcr_page->dpi, ==, 240);
  assert_rgb_near (ycbcr_page->pix, 150, 10, (150 * 255) / 160, (10 * 255) / 120, 128);
  assert_rgb_near (ycbcr_page->pix, 20, 100, (20 * 255) / 160, (100 * 255) / 120, 128);
  pixDestroy (&pix);
}

static void
test_tiff_multipage (void)
{
  PIXA *pixa = pixaCreate (3);
  PIX *pages[3] = { make_binary (400, 300), make_gray (200, 100), make_rgb (120, 80) };
  for (int i = 0; i < 3; i++)
    pixaAddPix (pixa, pages[i], L_INSERT);
  l_uint8 *data = NULL;
  size_t size = 0;
  g_assert_cmpint (pixaWriteMemMultipageTiff (&data, &size, pixa), ==, 0);
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  lept_free (data);

  g_autoptr (KhoSource) source = open_ok (bytes);
  g_assert_cmpint (kho_source_n_pages (source), ==, 3);
  int depths[3] = { 1, 8, 32 };
  for (int i = 0; i < 3; i++) {
    g_autoptr (KhoPageImage) page = render_ok (source, i);
    PIX *expected = pixaGetPix (pixa, i, L_CLONE);
    g_assert_cmpint (pixGetWidth (page->pix), ==, pixGetWidth (expected));
    g_assert_cmpint (pixGetHeight (page->pix), ==, pixGetHeight (expected));
    g_assert_cmpint (pixGetDepth (page->pix), ==, depths[i]);
    int same = 0;
    pixEqual (expected, page->pix, &same);
    g_assert_true (same);
    pixDestroy (&expected);
  }
  g_autoptr (GError) error = NULL;
  KhoPageImage *none = kho_source_render_page (source, 3, &error);
  g_assert_null (none);
  g_assert_error (error, KHO_DECODE_ERROR, KHO_DECODE_ERROR_NO_PAGES);
  pixaDestroy (&pixa);
}

static void
test_png_palette (void)
{
  PIX *rgb = make_rgb (90, 60);
  PIX *mapped = pixOctreeColorQuant (rgb, 128, 0);
  g_assert_nonnull (pixGetColormap (mapped));
  g_autoptr (GBytes) bytes = encode_png (mapped);
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_assert_cmpint (kho_source_format (source), ==, KHO_FORMAT_PNG);
  g_assert_cmpint (kho_source_n_pages (source), ==, 1);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_cmpint (pixGetDepth (page->pix), ==, 32);
  PIX *expected = pixRemoveColormap (mapped, REMOVE_CMAP_TO_FULL_COLOR);
  int same = 0;
  pixEqual (expected, page->pix, &same);
  g_assert_true (same);
  pixDestroy (&expected);
  pixDestroy (&mapped);
  pixDestroy (&rgb);
}

static void
test_png_gray_palette (void)
{
  PIX *gray = make_gray (90, 60);
  PIX *mapped = pixConvertGrayToColormap (gray);
  g_assert_nonnull (pixGetColormap (mapped));
  g_autoptr (GBytes) bytes = encode_png (mapped);
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_true (pixGetDepth (page->pix) == 8 || pixGetDepth (page->pix) == 32);
  PIX *as_gray = pixConvertTo8 (page->pix, FALSE);
  int same = 0;
  pixEqual (gray, as_gray, &same);
  g_assert_true (same);
  pixDestroy (&as_gray);
  pixDestroy (&mapped);
  pixDestroy (&gray);
}

static void
test_png_sixteen_bit (void)
{
  PIX *pix = pixCreate (256, 4, 16);
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 256; x++)
      pixSetPixel (pix, x, y, x * 257);
  g_autoptr (GBytes) bytes = encode_png (pix);
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_cmpint (pixGetDepth (page->pix), ==, 8);
  /* The samples keep their values (no gamma conversion). */
  for (int x = 0; x < 256; x += 17) {
    l_uint32 value = 0;
    pixGetPixel (page->pix, x, 1, &value);
    g_assert_cmpuint (value, ==, (guint) x);
  }
  pixDestroy (&pix);
}

static void
test_png_alpha (void)
{
  PIX *pix = pixCreate (40, 20, 32);
  pixSetSpp (pix, 4);
  for (int y = 0; y < 20; y++)
    for (int x = 0; x < 40; x++) {
      l_uint32 value = 0;
      /* Left half: opaque blue.  Right half: transparent black. */
      composeRGBAPixel (0, 0, x < 20 ? 255 : 0, x < 20 ? 255 : 0, &value);
      pixSetPixel (pix, x, y, value);
    }
  g_autoptr (GBytes) bytes = encode_png (pix);
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_cmpint (pixGetDepth (page->pix), ==, 32);
  g_assert_cmpint (pixGetSpp (page->pix), ==, 3);
  l_int32 r, g, b;
  pixGetRGBPixel (page->pix, 5, 5, &r, &g, &b);
  g_assert_cmpint (r, ==, 0);
  g_assert_cmpint (g, ==, 0);
  g_assert_cmpint (b, ==, 255);
  pixGetRGBPixel (page->pix, 35, 5, &r, &g, &b);
  g_assert_cmpint (r, ==, 255);
  g_assert_cmpint (g, ==, 255);
  g_assert_cmpint (b, ==, 255);
  pixDestroy (&pix);
}

static void
test_png_bilevel_fixture (void)
{
  g_autoptr (GBytes) bytes = read_fixture ("vietnamese-text.png");
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_cmpint (pixGetDepth (page->pix), ==, 1);
  g_assert_cmpint (pixGetWidth (page->pix), ==, 1421);
  g_assert_cmpint (pixGetHeight (page->pix), ==, 625);
  g_assert_cmpint (page->dpi, ==, 300);
  /* Black text on white: a few percent of the pixels are set. */
  l_int32 count = 0;
  pixCountPixels (page->pix, &count, NULL);
  g_assert_cmpint (count, >, 1421 * 625 / 100);
  g_assert_cmpint (count, <, 1421 * 625 / 4);

  /* Rendering again decodes again. */
  g_autoptr (KhoPageImage) again = render_ok (source, 0);
  int same = 0;
  pixEqual (page->pix, again->pix, &same);
  g_assert_true (same);
}

static void
test_jpeg_cmyk (void)
{
  g_autoptr (GBytes) bytes = read_fixture ("cmyk.jpg");
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_assert_cmpint (kho_source_format (source), ==, KHO_FORMAT_JPEG);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_cmpint (pixGetWidth (page->pix), ==, 64);
  g_assert_cmpint (pixGetHeight (page->pix), ==, 48);
  g_assert_cmpint (pixGetDepth (page->pix), ==, 32);
  g_assert_null (page->jpeg);   /* CMYK is never passed through */
  /* The fixture is a gradient from red (top) to blue (bottom). */
  l_int32 r, g, b;
  pixGetRGBPixel (page->pix, 32, 1, &r, &g, &b);
  g_assert_cmpint (r, >, 180);
  g_assert_cmpint (g, <, 80);
  g_assert_cmpint (b, <, 80);
  pixGetRGBPixel (page->pix, 32, 46, &r, &g, &b);
  g_assert_cmpint (r, <, 80);
  g_assert_cmpint (b, >, 180);
}

static void
test_jpeg_passthrough (void)
{
  for (int progressive = 0; progressive <= 1; progressive++) {
    PIX *gray = make_gray (120, 90);
    pixSetResolution (gray, 150, 150);
    g_autoptr (GBytes) bytes = encode_jpeg (gray, progressive);
    g_autoptr (KhoSource) source = open_ok (bytes);
    g_autoptr (KhoPageImage) page = render_ok (source, 0);
    g_assert_cmpint (pixGetDepth (page->pix), ==, 8);
    g_assert_cmpint (pixGetWidth (page->pix), ==, 120);
    g_assert_cmpint (page->dpi, ==, 150);
    g_assert_nonnull (page->jpeg);
    g_assert_true (g_bytes_equal (page->jpeg, bytes));
    pixDestroy (&gray);

    PIX *rgb = make_rgb (120, 90);
    g_autoptr (GBytes) rgb_bytes = encode_jpeg (rgb, progressive);
    g_autoptr (KhoSource) rgb_source = open_ok (rgb_bytes);
    g_autoptr (KhoPageImage) rgb_page = render_ok (rgb_source, 0);
    g_assert_cmpint (pixGetDepth (rgb_page->pix), ==, 32);
    g_assert_nonnull (rgb_page->jpeg);
    g_assert_true (g_bytes_equal (rgb_page->jpeg, rgb_bytes));
    pixDestroy (&rgb);
  }
}

/* ------------------------------------------------------------------ */
/* PDFs made with cairo                                                */

static cairo_status_t
append_to_array (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* An image-only PDF: 400 × 200 px drawn over 2 × 1 inches (200 dpi) on a
 * 4 × 2 inch page. */
static GBytes *
make_image_pdf (void)
{
  GByteArray *array = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (append_to_array, array, 288, 144);
  cairo_t *cr = cairo_create (surface);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 400, 200);
  cairo_t *ic = cairo_create (image);
  cairo_set_source_rgb (ic, 0.9, 0.9, 0.9);
  cairo_paint (ic);
  cairo_set_source_rgb (ic, 0.1, 0.1, 0.1);
  cairo_rectangle (ic, 50, 50, 300, 100);
  cairo_fill (ic);
  cairo_destroy (ic);
  cairo_translate (cr, 72, 36);
  cairo_scale (cr, 144.0 / 400, 72.0 / 200);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_paint (cr);
  cairo_surface_destroy (image);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (array);
}

static const KhoWord *
find_word (const KhoPageImage *page, const char *text)
{
  for (gsize i = 0; i < page->n_words; i++)
    if (g_strcmp0 (page->words[i].text, text) == 0)
      return &page->words[i];
  return NULL;
}

static void
test_pdf_text_layer (void)
{
  /* Made with cairo (Liberation Serif 18 pt, a 4 × 2 inch page):
   * "Kế hoạch số hóa" at (18, 36) pt and "đào tạo" at (18, 108) pt. */
  g_autoptr (GBytes) bytes = read_fixture ("text-layer.pdf");
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_assert_cmpint (kho_source_format (source), ==, KHO_FORMAT_PDF);
  g_assert_cmpint (kho_source_n_pages (source), ==, 1);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  /* No images: the default 300 dpi; 4 × 2 inches. */
  g_assert_cmpint (page->dpi, ==, 300);
  g_assert_cmpint (pixGetWidth (page->pix), ==, 1200);
  g_assert_cmpint (pixGetHeight (page->pix), ==, 600);
  g_assert_true (page->has_text);
  g_autofree char *nfc = g_utf8_normalize ("Kế hoạch số hóa", -1, G_NORMALIZE_NFC);
  g_assert_nonnull (strstr (page->text, nfc));
  g_assert_nonnull (strstr (page->text, "đào tạo"));
  g_assert_cmpuint (page->n_words, ==, 6);

  const KhoWord *ke = find_word (page, "Kế");
  const KhoWord *hoach = find_word (page, "hoạch");
  const KhoWord *dao = find_word (page, "đào");
  g_assert_nonnull (ke);
  g_assert_nonnull (hoach);
  g_assert_nonnull (dao);
  for (gsize i = 0; i < page->n_words; i++) {
    const KhoWord *w = &page->words[i];
    g_assert_cmpint (w->x, >=, 0);
    g_assert_cmpint (w->y, >=, 0);
    g_assert_cmpint (w->x + w->w, <=, 1200);
    g_assert_cmpint (w->y + w->h, <=, 600);
    g_assert_cmpfloat (w->confidence, ==, 100.0f);
    g_assert_true (g_utf8_validate (w->text, -1, NULL));
  }
  /* "Kế" starts at 18 pt = 75 px, its baseline at 36 pt = 150 px. */
  g_assert_cmpint (ABS (ke->x - 75), <=, 6);
  g_assert_cmpint (ke->y, <, 150);
  g_assert_cmpint (ke->y + ke->h, >, 140);
  g_assert_cmpint (ABS (ke->baseline - 150), <=, 25);
  g_assert_cmpint (ke->line_height, >, 40);    /* 18 pt ≈ 75 px */
  g_assert_cmpint (ke->line_height, <, 120);
  g_assert_cmpint (hoach->x, >, ke->x + ke->w);
  g_assert_cmpint (ke->line, ==, 0);
  g_assert_cmpint (hoach->line, ==, 0);
  g_assert_cmpint (dao->line, ==, 1);
  g_assert_cmpint (dao->y, >, ke->y + ke->h);

  /* The rendered text is really there under the word box. */
  PIX *gray = pixConvertTo8 (page->pix, FALSE);
  BOX *box = boxCreate (hoach->x, hoach->y, hoach->w, hoach->h);
  PIX *clip = pixClipRectangle (gray, box, NULL);
  l_float32 mean = 255;
  pixGetAverageMasked (clip, NULL, 0, 0, 1, L_MEAN_ABSVAL, &mean);
  g_assert_cmpfloat (mean, <, 235);
  pixDestroy (&clip);
  boxDestroy (&box);
  pixDestroy (&gray);
}

static void
test_pdf_image_resolution (void)
{
  g_autoptr (GBytes) bytes = make_image_pdf ();
  g_autoptr (KhoSource) source = open_ok (bytes);
  g_autoptr (KhoPageImage) page = render_ok (source, 0);
  g_assert_cmpint (page->dpi, ==, 200);
  g_assert_cmpint (pixGetWidth (page->pix), ==, 800);
  g_assert_cmpint (pixGetHeight (page->pix), ==, 400);
  g_assert_false (page->has_text);
  g_assert_null (page->text);
  g_assert_cmpuint (page->n_words, ==, 0);
  g_assert_null (page->jpeg);
  /* Gray content renders as 8 bpp; the dark bar is where it was drawn. */
  g_assert_cmpint (pixGetDepth (page->pix), ==, 8);
  l_uint32 value = 0;
  pixGetPixel (page->pix, 400, 200, &value);
  g_assert_cmpuint (value, <, 60);
  pixGetPixel (page->pix, 10, 10, &value);
  g_assert_cmpuint (value, ==, 255);
}

/* Words survive the catalogue: serialised and parsed back equal, with
 * Vietnamese text, and malformed lines are skipped. */
static void
test_words_round_trip (void)
{
  KhoWord words[] = {
    { (char *) "Kế", 10, 20, 30, 40, 55, 45, 0, 96.5f },
    { (char *) "hoạch", 45, 20, 60, 40, 55, 45, 0, 91.25f },
    { (char *) "189/KH-THCS", 10, 80, 120, 38, 112, 44, 1, 0.0f },
  };
  g_autofree char *text = kho_words_serialize (words, G_N_ELEMENTS (words));
  g_autofree char *damaged = g_strconcat (text, "1 2 3\tbroken\nno tab at all\n", NULL);
  gsize n = 0;
  KhoWord *back = kho_words_parse (damaged, &n);

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (words));
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpstr (back[i].text, ==, words[i].text);
      g_assert_cmpint (back[i].x, ==, words[i].x);
      g_assert_cmpint (back[i].y, ==, words[i].y);
      g_assert_cmpint (back[i].w, ==, words[i].w);
      g_assert_cmpint (back[i].h, ==, words[i].h);
      g_assert_cmpint (back[i].baseline, ==, words[i].baseline);
      g_assert_cmpint (back[i].line_height, ==, words[i].line_height);
      g_assert_cmpint (back[i].line, ==, words[i].line);
      g_assert_cmpfloat_with_epsilon (back[i].confidence, words[i].confidence, 0.01);
    }
  kho_words_free (back, n);
  back = kho_words_parse ("", &n);
  g_assert_cmpuint (n, ==, 0);
  kho_words_free (back, n);
}

/* A small JPEG whose frame header claims 20000×10000 px is refused as
 * truncated from its size alone, before the decoder allocates the image. */
static void
test_jpeg_claiming_huge_size (void)
{
  PIX *pix = pixCreate (64, 64, 8);
  l_uint8 *jpeg = NULL;
  size_t size = 0;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  KhoSource *source;

  pixSetAllArbitrary (pix, 128);
  g_assert_cmpint (pixWriteMemJpeg (&jpeg, &size, pix, 75, 0), ==, 0);
  for (size_t i = 0; i + 9 < size; i++)
    if (jpeg[i] == 0xff && jpeg[i + 1] == 0xc0)
      {
        /* FFC0, length (2), precision (1), height (2), width (2) */
        jpeg[i + 5] = 10000 >> 8;
        jpeg[i + 6] = 10000 & 0xff;
        jpeg[i + 7] = 20000 >> 8;
        jpeg[i + 8] = 20000 & 0xff;
        break;
      }
  bytes = g_bytes_new (jpeg, size);
  source = kho_source_open (bytes, "bomb.jpg", &error);
  g_assert_null (source);
  g_assert_error (error, KHO_DECODE_ERROR, KHO_DECODE_ERROR_CORRUPT);
  lept_free (jpeg);
  pixDestroy (&pix);
}

/* A tiled TIFF (which Leptonica cannot read) is read through libtiff. */
static void
test_tiled_tiff (void)
{
  g_autoptr (GBytes) fixture = read_fixture ("tiled.tif");
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoSource) source = kho_source_open (fixture, "tiled.tif", &error);
  g_autoptr (KhoPageImage) page = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (kho_source_n_pages (source), ==, 1);
  page = kho_source_render_page (source, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pixGetWidth (page->pix), ==, 16);
  g_assert_cmpint (pixGetHeight (page->pix), ==, 16);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/decode/sniff", test_sniff);
  g_test_add_func ("/decode/refuse/empty", test_empty);
  g_test_add_func ("/decode/refuse/text-file", test_text_file);
  g_test_add_func ("/decode/refuse/truncated-tiff", test_truncated_tiff);
  g_test_add_func ("/decode/refuse/truncated-png", test_truncated_png);
  g_test_add_func ("/decode/refuse/truncated-jpeg", test_truncated_jpeg);
  g_test_add_func ("/decode/refuse/truncated-pdf", test_truncated_pdf);
  g_test_add_func ("/decode/refuse/encrypted-pdf", test_encrypted_pdf);
  g_test_add_func ("/decode/refuse/pdf-without-pages", test_pdf_without_pages);
  g_test_add_func ("/decode/refuse/png-bomb", test_png_bomb);
  g_test_add_func ("/decode/refuse/jpeg-bomb", test_jpeg_bomb);
  g_test_add_func ("/decode/refuse/tiff-bomb", test_tiff_bomb);
  g_test_add_func ("/decode/refuse/pdf-bomb", test_pdf_bomb);
  g_test_add_func ("/decode/tiff/compressions", test_tiff_compressions);
  g_test_add_func ("/decode/tiff/jpeg", test_tiff_jpeg);
  g_test_add_func ("/decode/tiff/multipage", test_tiff_multipage);
  g_test_add_func ("/decode/png/palette", test_png_palette);
  g_test_add_func ("/decode/png/gray-palette", test_png_gray_palette);
  g_test_add_func ("/decode/png/alpha", test_png_alpha);
  g_test_add_func ("/decode/png/sixteen-bit", test_png_sixteen_bit);
  g_test_add_func ("/decode/png/bilevel", test_png_bilevel_fixture);
  g_test_add_func ("/decode/jpeg/cmyk", test_jpeg_cmyk);
  g_test_add_func ("/decode/jpeg/passthrough", test_jpeg_passthrough);
  g_test_add_func ("/decode/pdf/text-layer", test_pdf_text_layer);
  g_test_add_func ("/decode/pdf/image-resolution", test_pdf_image_resolution);
  g_test_add_func ("/decode/words-round-trip", test_words_round_trip);
  g_test_add_func ("/decode/tiff/tiled", test_tiled_tiff);
  g_test_add_func ("/decode/jpeg/claiming-huge-size", test_jpeg_claiming_huge_size);
  return g_test_run ();
}
