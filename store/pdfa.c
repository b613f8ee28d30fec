/* pdfa.c — write archival PDF/A-2u files: scanned page images with an
 * invisible, selectable text layer.
 *
 * The file is built in one GString by a tiny object writer (reserve a number,
 * begin the object, write a dictionary or a stream with its exact /Length) and
 * finished with an xref table whose offsets were recorded as objects were
 * written.  Object layout:
 *
 *   1 Catalog  2 Pages  3 Info  4 XMP metadata  5 sRGB ICC profile
 *   per page: Page, image XObject, content stream
 *   if any page has words: Type0 font, CIDFontType2, FontDescriptor,
 *   FontFile2, CIDToGIDMap, ToUnicode (written last: it maps the code points
 *   the pages used).
 *
 * Streams that are the same for every document (font program, CIDToGIDMap,
 * ICC profile) are compressed once per process and reused.
 */
#define G_LOG_DOMAIN "kho-store"

#include "config.h"
#include "pdfa.h"

#include <string.h>
#include <zlib.h>

G_DEFINE_QUARK (kho-pdfa-error-quark, kho_pdfa_error)

#define KHO_XMP_NS "https://kho.example/ns/1.0/"
#define KHO_PRODUCER "kho " KHO_VERSION
/* Re-encoded pages: gray text scans hold up well at 65; colour pages carry
 * the red seal and the signature that make a document authentic, so they
 * keep more.  Progressive JPEG (allowed in PDF/A-2) saves a fifth of the
 * bytes at equal quality. */
#define DEFAULT_JPEG_QUALITY_GRAY 65
#define DEFAULT_JPEG_QUALITY_COLOUR 75
#define FONT_NAME "GlyphLessFont"
/* Advance of the font's one real glyph, in text space units (1/1000 em):
 * glyph 1 of the program below is 1024 units wide, unitsPerEm 2048. */
#define GLYPH_ADVANCE 500
/* ISO 19005-2 6.1.13: page boundaries at most 14400 units. */
#define MAX_PAGE_POINTS 14400.0

/* The glyphless font shipped with Tesseract (tessdata/pdf.ttf, 572 bytes;
 * Apache-2.0, Copyright Google Inc.): glyph 0 is an empty .notdef, glyph 1 a
 * plain box 1024 x 2048 units, never painted (the text is in render mode 3).
 * The CIDToGIDMap sends every CID but 0 to glyph 1. */
static const guint8 glyphless_ttf[] = {
  0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x80, 0x00, 0x03, 0x00, 0x20,
  0x4f, 0x53, 0x2f, 0x32, 0x56, 0xde, 0xc8, 0x94, 0x00, 0x00, 0x01, 0x28,
  0x00, 0x00, 0x00, 0x60, 0x63, 0x6d, 0x61, 0x70, 0x00, 0x0a, 0x00, 0x34,
  0x00, 0x00, 0x01, 0x90, 0x00, 0x00, 0x00, 0x1e, 0x67, 0x6c, 0x79, 0x66,
  0x15, 0x22, 0x41, 0x24, 0x00, 0x00, 0x01, 0xb8, 0x00, 0x00, 0x00, 0x18,
  0x68, 0x65, 0x61, 0x64, 0x0b, 0x78, 0xf1, 0x65, 0x00, 0x00, 0x00, 0xac,
  0x00, 0x00, 0x00, 0x36, 0x68, 0x68, 0x65, 0x61, 0x0c, 0x02, 0x04, 0x02,
  0x00, 0x00, 0x00, 0xe4, 0x00, 0x00, 0x00, 0x24, 0x68, 0x6d, 0x74, 0x78,
  0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0x00, 0x00, 0x00, 0x08,
  0x6c, 0x6f, 0x63, 0x61, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x01, 0xb0,
  0x00, 0x00, 0x00, 0x06, 0x6d, 0x61, 0x78, 0x70, 0x00, 0x04, 0x00, 0x05,
  0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x20, 0x6e, 0x61, 0x6d, 0x65,
  0xf2, 0xeb, 0x16, 0xda, 0x00, 0x00, 0x01, 0xd0, 0x00, 0x00, 0x00, 0x4b,
  0x70, 0x6f, 0x73, 0x74, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x1c,
  0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
  0xb0, 0x94, 0x71, 0x10, 0x5f, 0x0f, 0x3c, 0xf5, 0x04, 0x07, 0x08, 0x00,
  0x00, 0x00, 0x00, 0x00, 0xcf, 0x9a, 0xfc, 0x6e, 0x00, 0x00, 0x00, 0x00,
  0xd4, 0xc3, 0xa7, 0xf2, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x08, 0x00,
  0x00, 0x00, 0x00, 0x10, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0xff, 0xff, 0x00, 0x00, 0x04, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
  0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00,
  0x01, 0x90, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x47, 0x4f, 0x4f, 0x47, 0x00, 0x40,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x01, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x14, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14,
  0x00, 0x06, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
  0x00, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x03, 0x00, 0x00, 0x31, 0x21,
  0x11, 0x21, 0x04, 0x00, 0xfc, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x03,
  0x00, 0x2a, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x16,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x0b,
  0x00, 0x16, 0x00, 0x03, 0x00, 0x01, 0x04, 0x09, 0x00, 0x05, 0x00, 0x16,
  0x00, 0x00, 0x00, 0x56, 0x00, 0x65, 0x00, 0x72, 0x00, 0x73, 0x00, 0x69,
  0x00, 0x6f, 0x00, 0x6e, 0x00, 0x20, 0x00, 0x31, 0x00, 0x2e, 0x00, 0x30,
  0x56, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x20, 0x31, 0x2e, 0x30, 0x00,
  0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------ */
/* Leptonica messages */

static void
leptonica_to_glog (const char *message)
{
  int len = (int) strcspn (message, "\n");

  /* The caller reports the failure as a GError; this is detail. */
  if (g_str_has_prefix (message, "Error"))
    g_info ("leptonica: %.*s", len, message);
  else
    g_debug ("leptonica: %.*s", len, message);
}

/* Leptonica's handler is process-wide; install ours once. */
static void
route_leptonica_messages (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      leptSetStderrHandler (leptonica_to_glog);
      g_once_init_leave (&done, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Small helpers */

/* Returns @data deflated (zlib format, as /FlateDecode wants it). */
static GBytes *
deflate_bytes (const void *data, gsize len)
{
  uLongf out_len = compressBound ((uLong) len);
  guint8 *out = g_malloc (out_len);

  /* With a compressBound() buffer compress2 can only fail for lack of
   * memory, which GLib treats as fatal too. */
  if (compress2 (out, &out_len, data, (uLong) len, Z_DEFAULT_COMPRESSION) != Z_OK)
    g_error ("pdfa: zlib cannot compress %" G_GSIZE_FORMAT " bytes", len);
  return g_bytes_new_take (g_realloc (out, out_len), out_len);
}

/* Appends a PDF number: at most 4 decimals, no exponent, locale-independent. */
static void
append_number (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char *end;

  g_ascii_formatd (buf, sizeof buf, "%.4f", value);
  end = buf + strlen (buf);
  while (end > buf && end[-1] == '0')
    *--end = '\0';
  if (end > buf && end[-1] == '.')
    *--end = '\0';
  g_string_append (out, strcmp (buf, "-0") == 0 ? "0" : buf);
}

/* Metadata strings go both into the Info dictionary and the XMP, which must
 * agree: both leave out the characters XML 1.0 forbids. */
static gboolean
allowed_in_xml (gunichar c)
{
  return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') && c != 0xfffe && c != 0xffff;
}

/* Appends @text (valid UTF-8) as a PDF text string: a literal string when it
 * is printable ASCII, else UTF-16BE with a byte order mark, in hex. */
static void
append_text_string (GString *out, const char *text)
{
  const guchar *p;
  gboolean ascii = TRUE;

  for (p = (const guchar *) text; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      ascii = FALSE;
  if (ascii)
    {
      g_string_append_c (out, '(');
      for (p = (const guchar *) text; *p; p++)
        {
          if (*p == '(' || *p == ')' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, (char) *p);
        }
      g_string_append_c (out, ')');
      return;
    }
  g_string_append (out, "<FEFF");
  for (const char *q = text; *q; q = g_utf8_next_char (q))
    {
      gunichar c = g_utf8_get_char (q);

      if (!allowed_in_xml (c))
        continue;
      if (c > 0xffff)  /* a surrogate pair */
        g_string_append_printf (out, "%04X%04X", 0xd800 + ((c - 0x10000) >> 10),
                                0xdc00 + ((c - 0x10000) & 0x3ff));
      else
        g_string_append_printf (out, "%04X", c);
    }
  g_string_append_c (out, '>');
}

/* Appends @text XML-escaped (a CR as a reference: XML parsers turn a raw
 * one into LF). */
static void
append_xml_text (GString *out, const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!allowed_in_xml (c))
        continue;
      switch (c)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\r': g_string_append (out, "&#xD;"); break;
        default: g_string_append_unichar (out, c); break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Object writer */

typedef struct {
  GString *out;
  GArray *offsets;  /* gsize per object number; [0] is the free-list head */
} PdfWriter;

static guint
pdf_reserve (PdfWriter *w)
{
  gsize none = 0;

  g_array_append_val (w->offsets, none);
  return w->offsets->len - 1;
}

static void
pdf_begin (PdfWriter *w, guint num)
{
  g_array_index (w->offsets, gsize, num) = w->out->len;
  g_string_append_printf (w->out, "%u 0 obj\n", num);
}

/* Writes object @num: the dictionary whose entries are @entries. */
static void
pdf_dict (PdfWriter *w, guint num, const char *entries)
{
  pdf_begin (w, num);
  g_string_append_printf (w->out, "<<%s>>\nendobj\n", entries);
}

/* Writes stream object @num: dictionary @entries plus an exact /Length, then
 * the bytes, with the EOLs PDF/A asks for around them (6.1.7.1). */
static void
pdf_stream (PdfWriter *w, guint num, const char *entries, const void *data, gsize len)
{
  pdf_begin (w, num);
  g_string_append_printf (w->out, "<<%s /Length %" G_GSIZE_FORMAT ">>\nstream\n", entries, len);
  g_string_append_len (w->out, data, (gssize) len);
  g_string_append (w->out, "\nendstream\nendobj\n");
}

static void
pdf_stream_bytes (PdfWriter *w, guint num, const char *entries, GBytes *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  pdf_stream (w, num, entries, data, len);
}

/* Writes @data Flate-compressed; @entries must not name a filter. */
static void
pdf_stream_flate (PdfWriter *w, guint num, const char *entries, const void *data, gsize len)
{
  g_autoptr (GBytes) z = deflate_bytes (data, len);
  g_autofree char *dict = g_strconcat (entries, " /Filter /FlateDecode", NULL);

  pdf_stream_bytes (w, num, dict, z);
}

/* ------------------------------------------------------------------ */
/* Shared streams, compressed once per process */

typedef struct {
  GBytes *font_z;       /* glyphless_ttf, deflated */
  GBytes *cid_map_z;    /* CIDToGIDMap: CID 0 -> 0, 1..0xFFFF -> glyph 1, deflated */
} SharedStreams;

static const SharedStreams *
shared_streams (void)
{
  static SharedStreams shared;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      guint8 *map = g_malloc0 (2 * 65536);

      for (guint cid = 1; cid < 65536; cid++)
        map[2 * cid + 1] = 1;
      shared.font_z = deflate_bytes (glyphless_ttf, sizeof glyphless_ttf);
      shared.cid_map_z = deflate_bytes (map, 2 * 65536);
      g_free (map);
      g_once_init_leave (&done, 1);
    }
  return &shared;
}

G_LOCK_DEFINE_STATIC (icc);

/* Returns the sRGB profile from KHO_SRGB_ICC_PATH, deflated (a new reference).
 * Loaded on first success and kept; a failure is retried next time. */
static GBytes *
srgb_profile (GError **error)
{
  static GBytes *cached = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  GBytes *result = NULL;

  G_LOCK (icc);
  if (cached == NULL)
    {
      GError *local = NULL;

      if (!g_file_get_contents (KHO_SRGB_ICC_PATH, &contents, &len, &local))
        {
          g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_ICC,
                       "pdfa: cannot read the sRGB output profile: %s", local->message);
          g_error_free (local);
          goto out;
        }
      /* An ICC header: the profile size, 'acsp' at 36, data colour space 'RGB '. */
      if (len < 128 || memcmp (contents + 36, "acsp", 4) != 0
          || memcmp (contents + 16, "RGB ", 4) != 0)
        {
          g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_ICC,
                       "pdfa: %s is not an RGB ICC profile", KHO_SRGB_ICC_PATH);
          goto out;
        }
      cached = deflate_bytes (contents, len);
    }
  result = g_bytes_ref (cached);

out:
  G_UNLOCK (icc);
  return result;
}

/* ------------------------------------------------------------------ */
/* Images */

struct KhoPdfImage {
  GBytes *data;          /* the compressed image as embedded */
  int width, height;
  int components;        /* 1 or 3 */
  gboolean g4;           /* CCITT G4 (1 bpc), else JPEG (8 bpc) */
  gboolean black_is_1;   /* G4 data with 1 = black (TIFF MinIsBlack) */
};
typedef struct KhoPdfImage PageImage;

static guint
read_u16 (const guint8 *p, gboolean big_endian)
{
  return big_endian ? (guint) (p[0] << 8 | p[1]) : (guint) (p[1] << 8 | p[0]);
}

static guint32
read_u32 (const guint8 *p, gboolean big_endian)
{
  return big_endian ? (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]
                    : (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

/* Finds the G4 data of a single-strip, single-page TIFF (what Leptonica
 * writes): the strip is exactly a /CCITTFaxDecode /K -1 stream. */
static gboolean
tiff_g4_strip (const guint8 *tiff, gsize size, gsize *offset, gsize *length,
               gboolean *min_is_black)
{
  gboolean be;
  guint32 ifd;
  guint n_entries, compression = 0, strips = 0;
  gsize strip_offset = 0, strip_length = 0;

  if (size < 8 || !(memcmp (tiff, "II*\0", 4) == 0 || memcmp (tiff, "MM\0*", 4) == 0))
    return FALSE;
  be = tiff[0] == 'M';
  ifd = read_u32 (tiff + 4, be);
  if (ifd > size - 2)
    return FALSE;
  n_entries = read_u16 (tiff + ifd, be);
  if ((gsize) ifd + 2 + 12 * (gsize) n_entries > size)
    return FALSE;
  *min_is_black = FALSE;
  for (guint i = 0; i < n_entries; i++)
    {
      const guint8 *e = tiff + ifd + 2 + 12 * i;
      guint tag = read_u16 (e, be), type = read_u16 (e + 2, be);
      guint32 count = read_u32 (e + 4, be);
      guint32 value = type == 3 ? read_u16 (e + 8, be) : read_u32 (e + 8, be);

      switch (tag)
        {
        case 259: compression = value; break;
        case 262: *min_is_black = value == 1; break;
        case 273: strips = count; strip_offset = value; break;
        case 279: strip_length = value; break;
        default: break;
        }
    }
  if (compression != 4 || strips != 1 || strip_length == 0
      || strip_offset > size || strip_length > size - strip_offset)
    return FALSE;
  *offset = strip_offset;
  *length = strip_length;
  return TRUE;
}

/* Encodes a 1 bpp pix as CCITT G4 with Leptonica (in memory; its
 * pixGenerateCIData() would go through a temporary file). */
static gboolean
encode_g4 (PIX *pix, gsize page_number, PageImage *image, GError **error)
{
  PIX *binary = NULL, *source = pix;
  l_uint8 *tiff = NULL;
  size_t tiff_size = 0;
  gsize offset, length;
  gboolean ok = FALSE;

  if (pixGetColormap (pix))
    source = binary = pixRemoveColormap (pix, REMOVE_CMAP_TO_BINARY);
  if (source == NULL || pixWriteMemTiff (&tiff, &tiff_size, source, IFF_TIFF_G4) != 0
      || !tiff_g4_strip (tiff, tiff_size, &offset, &length, &image->black_is_1))
    {
      g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_IMAGE,
                   "pdfa: page %" G_GSIZE_FORMAT ": cannot encode 1 bpp image as G4", page_number);
      goto out;
    }
  image->data = g_bytes_new (tiff + offset, length);
  image->g4 = TRUE;
  image->components = 1;
  ok = TRUE;

out:
  lept_free (tiff);
  pixDestroy (&binary);
  return ok;
}

/* Fills @image from JPEG bytes (taking a reference), reading the size and
 * the number of components from the JPEG header. */
static gboolean
use_jpeg (GBytes *jpeg, gsize page_number, PageImage *image, GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (jpeg, &size);
  l_int32 w = 0, h = 0, spp = 0, cmyk = 0;

  if (data == NULL || size < 4 || data[0] != 0xff || data[1] != 0xd8
      || readHeaderMemJpeg (data, size, &w, &h, &spp, NULL, &cmyk) != 0)
    {
      g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_IMAGE,
                   "pdfa: page %" G_GSIZE_FORMAT ": the JPEG data cannot be read", page_number);
      return FALSE;
    }
  if (cmyk || (spp != 1 && spp != 3))
    {
      g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_IMAGE,
                   "pdfa: page %" G_GSIZE_FORMAT ": JPEG with %d components%s is not supported",
                   page_number, spp, cmyk ? " (CMYK)" : "");
      return FALSE;
    }
  image->data = g_bytes_ref (jpeg);
  image->width = w;
  image->height = h;
  image->components = spp;
  return TRUE;
}

/* Encodes a gray or colour pix as JPEG with Leptonica, in memory. */
static gboolean
encode_jpeg (PIX *pix, int quality, gsize page_number, PageImage *image, GError **error)
{
  PIX *converted = NULL, *source = pix;
  l_uint8 *jpeg = NULL;
  size_t size = 0;
  int depth = pixGetDepth (pix);
  g_autoptr (GBytes) bytes = NULL;
  gboolean ok = FALSE;

  if (pixGetColormap (pix))
    source = converted = pixRemoveColormap (pix, REMOVE_CMAP_BASED_ON_SRC);
  else if (depth == 24)
    source = converted = pixConvert24To32 (pix);
  else if (depth != 8 && depth != 32)
    source = converted = pixConvertTo8 (pix, FALSE);
  if (quality <= 0)
    quality = pixGetDepth (source) == 8 ? DEFAULT_JPEG_QUALITY_GRAY : DEFAULT_JPEG_QUALITY_COLOUR;
  if (source == NULL || pixWriteMemJpeg (&jpeg, &size, source, quality, 1) != 0)
    {
      g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_IMAGE,
                   "pdfa: page %" G_GSIZE_FORMAT ": cannot encode %d bpp image as JPEG",
                   page_number, depth);
      goto out;
    }
  bytes = g_bytes_new_with_free_func (jpeg, size, lept_free, jpeg);
  jpeg = NULL;
  ok = use_jpeg (bytes, page_number, image, error);

out:
  lept_free (jpeg);
  pixDestroy (&converted);
  return ok;
}

static gboolean
encode_page_image (const KhoPdfPage *page, int quality, gsize page_number,
                   PageImage *image, GError **error)
{
  int w = pixGetWidth (page->pix), h = pixGetHeight (page->pix);

  if (page->jpeg)
    {
      if (!use_jpeg (page->jpeg, page_number, image, error))
        return FALSE;
      if (image->width != w || image->height != h)
        {
          g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT,
                       "pdfa: page %" G_GSIZE_FORMAT ": the JPEG is %dx%d but the image is %dx%d",
                       page_number, image->width, image->height, w, h);
          g_clear_pointer (&image->data, g_bytes_unref);
          return FALSE;
        }
      return TRUE;
    }
  image->width = w;
  image->height = h;
  if (pixGetDepth (page->pix) == 1)
    return encode_g4 (page->pix, page_number, image, error);
  return encode_jpeg (page->pix, quality, page_number, image, error);
}

KhoPdfImage *
kho_pdfa_image_new (PIX *pix, GBytes *jpeg, int jpeg_quality, GError **error)
{
  KhoPdfPage page = { .pix = pix, .jpeg = jpeg, .dpi = 300 };
  KhoPdfImage *image = g_new0 (KhoPdfImage, 1);

  route_leptonica_messages ();
  if (pix == NULL)
    {
      g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT, "pdfa: no image");
      g_free (image);
      return NULL;
    }
  if (!encode_page_image (&page, jpeg_quality, 1, image, error))
    {
      g_free (image);
      return NULL;
    }
  return image;
}

void
kho_pdfa_image_free (KhoPdfImage *image)
{
  if (image == NULL)
    return;
  g_clear_pointer (&image->data, g_bytes_unref);
  g_free (image);
}

gsize
kho_pdfa_image_size (const KhoPdfImage *image)
{
  return g_bytes_get_size (image->data);
}

static void
write_image (PdfWriter *w, guint num, const PageImage *image)
{
  g_autoptr (GString) dict = g_string_new (NULL);

  g_string_append_printf (dict, "/Type /XObject /Subtype /Image /Width %d /Height %d"
                          " /ColorSpace /%s /BitsPerComponent %d",
                          image->width, image->height,
                          image->components == 3 ? "DeviceRGB" : "DeviceGray",
                          image->g4 ? 1 : 8);
  if (image->g4)
    g_string_append_printf (dict, " /Filter /CCITTFaxDecode /DecodeParms <</K -1 /Columns %d"
                            " /Rows %d%s>>", image->width, image->height,
                            image->black_is_1 ? " /BlackIs1 true" : "");
  else
    g_string_append (dict, " /Filter /DCTDecode");
  pdf_stream_bytes (w, num, dict->str, image->data);
}

/* ------------------------------------------------------------------ */
/* Text layer */

/* The CID (= code point) a character of a word is written as, or 0 to leave
 * it out: controls and the code points ToUnicode must not produce (2u)
 * are dropped, characters outside the BMP become U+FFFD. */
static guint
cid_for (gunichar c)
{
  if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xfeff || c == 0xfffe || c == 0xffff)
    return 0;
  if (c > 0xffff)
    return 0xfffd;
  return c;
}

static gboolean
same_line (const KhoPdfWord *a, const KhoPdfWord *b)
{
  return a->baseline == b->baseline && a->line_height == b->line_height && b->x >= a->x;
}

/* ISO 19005-2 6.1.13: page sides at least 3 units. */
#define MIN_PAGE_POINTS 3.0

/* Points per pixel of @page: 72 / dpi, or more for an image so small that
 * its page would be under 3 points a side (a thumbnail-sized scan). */
static double
page_scale (const KhoPdfPage *page)
{
  int w = page->image ? page->image->width : (int) pixGetWidth (page->pix);
  int h = page->image ? page->image->height : (int) pixGetHeight (page->pix);
  double scale = 72.0 / page->dpi;
  int shorter = MIN (w, h);

  if (shorter > 0 && shorter * scale < MIN_PAGE_POINTS)
    scale = MIN_PAGE_POINTS / shorter;
  return scale;
}

/* Appends the invisible text of @page to @content: one Tj per word placed on
 * its box, a trailing space after every word but a line's last.  Marks each
 * CID used in @used (a 65536-bit set).  Returns whether any text was written. */
static gboolean
append_text_layer (GString *content, const KhoPdfPage *page, double page_height,
                   guint8 *used)
{
  double scale = page_scale (page);
  double font_size = -1;
  gboolean any = FALSE;
  g_autoptr (GString) codes = g_string_new (NULL);

  for (gsize i = 0; i < page->n_words; i++)
    {
      const KhoPdfWord *word = &page->words[i];
      g_autofree char *text = g_utf8_normalize (word->text, -1, G_NORMALIZE_NFC);
      gboolean line_end = i + 1 == page->n_words || !same_line (word, &page->words[i + 1]);
      int height = word->line_height > 0 ? word->line_height : word->h;
      guint n_chars = 0;
      double size, width;

      g_string_truncate (codes, 0);
      for (const char *p = text; p && *p; p = g_utf8_next_char (p))
        {
          guint cid = cid_for (g_utf8_get_char (p));

          if (cid == 0)
            continue;
          g_string_append_printf (codes, "%04X", cid);
          used[cid / 8] |= 1 << (cid % 8);
          n_chars++;
        }
      if (n_chars == 0 || height <= 0)
        continue;
      if (!line_end)
        {
          g_string_append (codes, "0020");
          used[0x20 / 8] |= 1 << (0x20 % 8);
        }
      if (!any)
        g_string_append (content, "BT\n3 Tr\n");
      any = TRUE;

      size = height * scale;
      if (size != font_size)
        {
          g_string_append (content, "/F1 ");
          append_number (content, size);
          g_string_append (content, " Tf\n");
          font_size = size;
        }
      /* Horizontal scaling so the word's glyphs (not its space) span the box. */
      width = word->w > 0 ? word->w * scale : n_chars * size * GLYPH_ADVANCE / 1000.0;
      append_number (content, 100.0 * width / (n_chars * size * GLYPH_ADVANCE / 1000.0));
      g_string_append (content, " Tz 1 0 0 1 ");
      append_number (content, word->x * scale);
      g_string_append_c (content, ' ');
      append_number (content, page_height - word->baseline * scale);
      g_string_append_printf (content, " Tm <%s> Tj\n", codes->str);
    }
  if (any)
    g_string_append (content, "ET\n");
  return any;
}

/* The font's objects, in the array of their numbers. */
enum { TYPE0, CIDFONT, DESCRIPTOR, PROGRAM, CID_MAP, TO_UNICODE, N_FONT_OBJECTS };

/* The font objects: Type0 -> CIDFontType2 -> descriptor -> program, with a
 * CIDToGIDMap sending every used CID to the real glyph and a ToUnicode map
 * for the CIDs in @used. */
static void
write_font (PdfWriter *w, const guint font[N_FONT_OBJECTS], const guint8 *used)
{
  const SharedStreams *shared = shared_streams ();
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GString) cmap = g_string_new (NULL);
  guint n = 0;

  g_string_printf (s, "/Type /Font /Subtype /Type0 /BaseFont /" FONT_NAME
                   " /Encoding /Identity-H /DescendantFonts [%u 0 R] /ToUnicode %u 0 R",
                   font[CIDFONT], font[TO_UNICODE]);
  pdf_dict (w, font[TYPE0], s->str);
  g_string_printf (s, "/Type /Font /Subtype /CIDFontType2 /BaseFont /" FONT_NAME
                   " /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>>"
                   " /FontDescriptor %u 0 R /DW %d /W [1 65535 %d] /CIDToGIDMap %u 0 R",
                   font[DESCRIPTOR], GLYPH_ADVANCE, GLYPH_ADVANCE, font[CID_MAP]);
  pdf_dict (w, font[CIDFONT], s->str);
  g_string_printf (s, "/Type /FontDescriptor /FontName /" FONT_NAME " /Flags 5"
                   " /FontBBox [0 0 %d 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0"
                   " /CapHeight 1000 /StemV 80 /FontFile2 %u 0 R",
                   GLYPH_ADVANCE, font[PROGRAM]);
  pdf_dict (w, font[DESCRIPTOR], s->str);
  g_string_printf (s, "/Length1 %" G_GSIZE_FORMAT " /Filter /FlateDecode", sizeof glyphless_ttf);
  pdf_stream_bytes (w, font[PROGRAM], s->str, shared->font_z);
  pdf_stream_bytes (w, font[CID_MAP], "/Filter /FlateDecode", shared->cid_map_z);

  /* ToUnicode: bfchar blocks of at most 100 entries (PDF 9.10.3). */
  g_string_append (cmap, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                   "/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n"
                   "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                   "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
  g_string_truncate (s, 0);
  for (guint cid = 1; cid < 65536; cid++)
    {
      if (!(used[cid / 8] & (1 << (cid % 8))))
        continue;
      g_string_append_printf (s, "<%04X> <%04X>\n", cid, cid);
      if (++n == 100)
        {
          g_string_append_printf (cmap, "%u beginbfchar\n%sendbfchar\n", n, s->str);
          g_string_truncate (s, 0);
          n = 0;
        }
    }
  if (n > 0)
    g_string_append_printf (cmap, "%u beginbfchar\n%sendbfchar\n", n, s->str);
  g_string_append (cmap, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
  pdf_stream_flate (w, font[TO_UNICODE], "", cmap->str, cmap->len);
}

/* ------------------------------------------------------------------ */
/* Metadata */

static char *
xmp_date (GDateTime *t)
{
  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%S%:z");
}

static char *
pdf_date (GDateTime *t)
{
  g_autofree char *local = g_date_time_format (t, "D:%Y%m%d%H%M%S");
  gint64 minutes = g_date_time_get_utc_offset (t) / G_TIME_SPAN_MINUTE;
  gint64 abs_minutes = minutes < 0 ? -minutes : minutes;

  return g_strdup_printf ("%s%c%02d'%02d'", local, minutes < 0 ? '-' : '+',
                          (int) (abs_minutes / 60), (int) (abs_minutes % 60));
}

static void
xmp_simple (GString *x, const char *name, const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (x, "   <%s>", name);
  append_xml_text (x, value);
  g_string_append_printf (x, "</%s>\n", name);
}

static void
xmp_ext_property (GString *x, const char *name, const char *description)
{
  g_string_append_printf (x,
    "         <rdf:li rdf:parseType=\"Resource\">\n"
    "          <pdfaProperty:name>%s</pdfaProperty:name>\n"
    "          <pdfaProperty:valueType>Text</pdfaProperty:valueType>\n"
    "          <pdfaProperty:category>external</pdfaProperty:category>\n"
    "          <pdfaProperty:description>%s</pdfaProperty:description>\n"
    "         </rdf:li>\n", name, description);
}

/* The XMP packet: PDF/A identification, Dublin Core, dates, tools, and the
 * kho properties with the extension schema that declares them. */
static GString *
build_xmp (const KhoPdfInfo *info, const char *date)
{
  GString *x = g_string_new (NULL);

  g_string_append (x,
    "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
    "  <rdf:Description rdf:about=\"\"\n"
    "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n"
    "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
    "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
    "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
    "    xmlns:kho=\"" KHO_XMP_NS "\"\n"
    "    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n"
    "    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n"
    "    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
    "   <pdfaid:part>2</pdfaid:part>\n"
    "   <pdfaid:conformance>U</pdfaid:conformance>\n"
    "   <dc:format>application/pdf</dc:format>\n");
  if (info->title)
    {
      g_string_append (x, "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
      append_xml_text (x, info->title);
      g_string_append (x, "</rdf:li></rdf:Alt></dc:title>\n");
    }
  if (info->language)
    {
      g_string_append (x, "   <dc:language><rdf:Bag><rdf:li>");
      append_xml_text (x, info->language);
      g_string_append (x, "</rdf:li></rdf:Bag></dc:language>\n");
    }
  xmp_simple (x, "xmp:CreateDate", date);
  xmp_simple (x, "xmp:ModifyDate", date);
  xmp_simple (x, "xmp:MetadataDate", date);
  xmp_simple (x, "xmp:CreatorTool", info->creator_tool);
  xmp_simple (x, "pdf:Producer", KHO_PRODUCER);
  xmp_simple (x, "kho:ArchiveID", info->archive_id);
  xmp_simple (x, "kho:OriginalSHA256", info->original_sha256);
  for (int i = 0; info->metadata && info->metadata[i] && info->metadata[i + 1]; i += 2)
    {
      const char *name = info->metadata[i], *value = info->metadata[i + 1];
      g_autofree char *element = g_strconcat ("kho:", name, NULL);

      xmp_simple (x, element, value);
      if (strcmp (name, "TypeName") == 0)
        {
          g_string_append (x, "   <dc:type><rdf:Bag><rdf:li>");
          append_xml_text (x, value);
          g_string_append (x, "</rdf:li></rdf:Bag></dc:type>\n");
        }
      else if (strcmp (name, "Subject") == 0)
        {
          g_string_append (x, "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
          append_xml_text (x, value);
          g_string_append (x, "</rdf:li></rdf:Alt></dc:description>\n");
        }
    }
  g_string_append (x,
    "   <pdfaExtension:schemas>\n"
    "    <rdf:Bag>\n"
    "     <rdf:li rdf:parseType=\"Resource\">\n"
    "      <pdfaSchema:schema>kho archive properties</pdfaSchema:schema>\n"
    "      <pdfaSchema:namespaceURI>" KHO_XMP_NS "</pdfaSchema:namespaceURI>\n"
    "      <pdfaSchema:prefix>kho</pdfaSchema:prefix>\n"
    "      <pdfaSchema:property>\n"
    "       <rdf:Seq>\n");
  xmp_ext_property (x, "ArchiveID", "Archive identifier of the document in kho");
  xmp_ext_property (x, "OriginalSHA256", "SHA-256 of the original scan file, lowercase hex");
  for (int i = 0; info->metadata && info->metadata[i] && info->metadata[i + 1]; i += 2)
    xmp_ext_property (x, info->metadata[i],
                      "Element of Phụ lục VI, Nghị định 30/2020/NĐ-CP (document metadata)");
  g_string_append (x,
    "       </rdf:Seq>\n"
    "      </pdfaSchema:property>\n"
    "     </rdf:li>\n"
    "    </rdf:Bag>\n"
    "   </pdfaExtension:schemas>\n"
    "  </rdf:Description>\n"
    " </rdf:RDF>\n"
    "</x:xmpmeta>\n"
    "<?xpacket end=\"w\"?>");
  return x;
}

static char *
build_info_dict (const KhoPdfInfo *info, const char *date)
{
  GString *d = g_string_new (NULL);

  if (info->title)
    {
      g_string_append (d, "/Title ");
      append_text_string (d, info->title);
    }
  if (info->creator_tool)
    {
      g_string_append (d, " /Creator ");
      append_text_string (d, info->creator_tool);
    }
  g_string_append (d, " /Producer ");
  append_text_string (d, KHO_PRODUCER);
  g_string_append_printf (d, " /CreationDate (%s) /ModDate (%s)", date, date);
  return g_string_free (d, FALSE);
}

/* ------------------------------------------------------------------ */
/* Validation */

static gboolean
check_utf8 (const char *what, const char *text, GError **error)
{
  if (text == NULL || g_utf8_validate (text, -1, NULL))
    return TRUE;
  g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT, "pdfa: %s is not valid UTF-8", what);
  return FALSE;
}

/* The page's size in pixels, from its encoded image or its pix. */
static void
page_size (const KhoPdfPage *page, int *width, int *height)
{
  *width = page->image ? page->image->width : (int) pixGetWidth (page->pix);
  *height = page->image ? page->image->height : (int) pixGetHeight (page->pix);
}

static gboolean
check_input (const KhoPdfInfo *info, const KhoPdfPage *pages, gsize n_pages, GError **error)
{
  if (info == NULL || pages == NULL || n_pages == 0)
    {
      g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT, "pdfa: no %s",
                   info == NULL ? "document info" : "pages");
      return FALSE;
    }
  if (!check_utf8 ("the title", info->title, error)
      || !check_utf8 ("the language", info->language, error)
      || !check_utf8 ("the archive ID", info->archive_id, error)
      || !check_utf8 ("the original's SHA-256", info->original_sha256, error)
      || !check_utf8 ("the creator tool", info->creator_tool, error))
    return FALSE;
  for (gsize i = 0; i < n_pages; i++)
    {
      const KhoPdfPage *page = &pages[i];
      int w, h;

      if ((page->pix == NULL && page->image == NULL) || page->dpi <= 0
          || (page->n_words > 0 && page->words == NULL))
        {
          g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT, "pdfa: page %" G_GSIZE_FORMAT
                       ": %s", i + 1, page->pix == NULL && page->image == NULL ? "no image"
                       : page->dpi <= 0 ? "resolution is not positive" : "words missing");
          return FALSE;
        }
      page_size (page, &w, &h);
      if (w <= 0 || h <= 0 || w * 72.0 / page->dpi > MAX_PAGE_POINTS
          || h * 72.0 / page->dpi > MAX_PAGE_POINTS)
        {
          g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT,
                       "pdfa: page %" G_GSIZE_FORMAT ": %dx%d pixels at %d dpi is not a valid "
                       "page size (at most 200 inches)", i + 1, w, h, page->dpi);
          return FALSE;
        }
      for (gsize k = 0; k < page->n_words; k++)
        if (page->words[k].text == NULL || !g_utf8_validate (page->words[k].text, -1, NULL))
          {
            g_set_error (error, KHO_PDFA_ERROR, KHO_PDFA_ERROR_INPUT,
                         "pdfa: page %" G_GSIZE_FORMAT ": word %" G_GSIZE_FORMAT
                         " has no valid UTF-8 text", i + 1, k + 1);
            return FALSE;
          }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */

GBytes *
kho_pdfa_build (const KhoPdfInfo *info, const KhoPdfPage *pages, gsize n_pages,
                GError **error)
{
  enum { CATALOG = 1, PAGES, INFO, METADATA, ICC };
  PdfWriter w = { NULL, NULL };
  g_autoptr (GBytes) icc = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GString) xmp = NULL;
  g_autofree char *xmp_created = NULL, *pdf_created = NULL, *info_dict = NULL;
  g_autofree guint *page_objs = NULL;
  g_autofree guint8 *used = NULL;
  g_autoptr (GChecksum) checksum = NULL;
  GDateTime *created;
  guint font[N_FONT_OBJECTS] = { 0 };
  gboolean has_words = FALSE;
  gsize xref_offset;
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  GBytes *result = NULL;
  int quality;

  route_leptonica_messages ();
  if (!check_input (info, pages, n_pages, error))
    goto out;
  if ((icc = srgb_profile (error)) == NULL)
    goto out;

  w.out = g_string_sized_new (64 * 1024);
  w.offsets = g_array_new (FALSE, TRUE, sizeof (gsize));
  for (guint i = 0; i <= ICC; i++)
    pdf_reserve (&w);  /* 0 is the free-list head */
  page_objs = g_new (guint, n_pages);
  for (gsize i = 0; i < n_pages; i++)
    {
      page_objs[i] = pdf_reserve (&w);
      pdf_reserve (&w);  /* image */
      pdf_reserve (&w);  /* contents */
      has_words |= pages[i].n_words > 0;
    }
  if (has_words)
    for (guint i = 0; i < N_FONT_OBJECTS; i++)
      font[i] = pdf_reserve (&w);
  used = g_malloc0 (65536 / 8);

  quality = info->jpeg_quality > 0 && info->jpeg_quality <= 100 ? info->jpeg_quality : 0;
  created = info->created ? info->created : (now = g_date_time_new_now_local ());
  xmp_created = xmp_date (created);
  pdf_created = pdf_date (created);

  /* Header, with a comment of four bytes >= 128 marking the file binary. */
  g_string_append (w.out, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");

  g_string_printf (s, "/Type /Catalog /Pages %u 0 R /Metadata %u 0 R /OutputIntents"
                   " [<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier"
                   " (sRGB IEC61966-2.1) /RegistryName (http://www.color.org)"
                   " /Info (sRGB IEC61966-2.1) /DestOutputProfile %u 0 R>>]",
                   PAGES, METADATA, ICC);
  if (info->language)
    {
      g_string_append (s, " /Lang ");
      append_text_string (s, info->language);
    }
  if (info->title)
    g_string_append (s, " /ViewerPreferences <</DisplayDocTitle true>>");
  pdf_dict (&w, CATALOG, s->str);

  g_string_assign (s, "/Type /Pages /Kids [");
  for (gsize i = 0; i < n_pages; i++)
    g_string_append_printf (s, "%s%u 0 R", i ? " " : "", page_objs[i]);
  g_string_append_printf (s, "] /Count %" G_GSIZE_FORMAT, n_pages);
  pdf_dict (&w, PAGES, s->str);

  info_dict = build_info_dict (info, pdf_created);
  pdf_dict (&w, INFO, info_dict);
  xmp = build_xmp (info, xmp_created);
  pdf_stream (&w, METADATA, "/Type /Metadata /Subtype /XML", xmp->str, xmp->len);
  pdf_stream_bytes (&w, ICC, "/N 3 /Filter /FlateDecode", icc);

  for (gsize i = 0; i < n_pages; i++)
    {
      const KhoPdfPage *page = &pages[i];
      guint page_obj = page_objs[i], image_obj = page_obj + 1, content_obj = page_obj + 2;
      double scale = page_scale (page);
      int pixels_wide, pixels_high;
      double width, height;
      gboolean has_text;

      page_size (page, &pixels_wide, &pixels_high);
      width = pixels_wide * scale;
      height = pixels_high * scale;
      if (page->image)
        write_image (&w, image_obj, page->image);
      else
        {
          PageImage image = { 0 };

          if (!encode_page_image (page, quality, i + 1, &image, error))
            goto out;
          write_image (&w, image_obj, &image);
          g_bytes_unref (image.data);
        }

      g_string_assign (s, "q\n");
      append_number (s, width);
      g_string_append (s, " 0 0 ");
      append_number (s, height);
      g_string_append (s, " 0 0 cm\n/Im0 Do\nQ\n");
      has_text = append_text_layer (s, page, height, used);
      pdf_stream_flate (&w, content_obj, "", s->str, s->len);

      g_string_printf (s, "/Type /Page /Parent %u 0 R /MediaBox [0 0 ", PAGES);
      append_number (s, width);
      g_string_append_c (s, ' ');
      append_number (s, height);
      g_string_append_printf (s, "] /Resources <</XObject <</Im0 %u 0 R>>", image_obj);
      if (has_text)
        g_string_append_printf (s, " /Font <</F1 %u 0 R>>", font[TYPE0]);
      g_string_append_printf (s, ">> /Contents %u 0 R", content_obj);
      pdf_dict (&w, page_obj, s->str);
    }
  if (has_words)
    write_font (&w, font, used);

  /* The document ID is a digest of everything above: equal input, equal file. */
  checksum = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (checksum, (const guchar *) w.out->str, (gssize) w.out->len);
  g_checksum_get_digest (checksum, digest, &digest_len);

  xref_offset = w.out->len;
  g_string_append_printf (w.out, "xref\n0 %u\n0000000000 65535 f\r\n", w.offsets->len);
  for (guint i = 1; i < w.offsets->len; i++)
    {
      gsize offset = g_array_index (w.offsets, gsize, i);

      g_assert (offset > 0);  /* every reserved object was written */
      g_string_append_printf (w.out, "%010" G_GSIZE_FORMAT " 00000 n\r\n", offset);
    }
  g_string_truncate (s, 0);
  for (gsize i = 0; i < digest_len; i++)
    g_string_append_printf (s, "%02X", digest[i]);
  g_string_append_printf (w.out, "trailer\n<</Size %u /Root %u 0 R /Info %u 0 R /ID [<%s> <%s>]>>\n"
                          "startxref\n%" G_GSIZE_FORMAT "\n%%%%EOF\n",
                          w.offsets->len, CATALOG, INFO, s->str, s->str, xref_offset);
  result = g_string_free_to_bytes (w.out);
  w.out = NULL;

out:
  if (w.out)
    g_string_free (w.out, TRUE);
  if (w.offsets)
    g_array_unref (w.offsets);
  return result;
}
