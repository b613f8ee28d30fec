/* decode.c — recognise scanned inputs by their bytes and decode their pages.
 *
 * Each format is checked at open time from its structure, before any pixel
 * buffer is allocated: TIFF directories and strip extents (libtiff), PNG
 * chunks with their CRCs up to IEND, JPEG markers up to EOI, PDF through
 * Poppler.  The single-image formats (PNG, JPEG) are then decoded at open
 * time as well, so that damage inside the compressed data is also refused
 * before the original is archived; the decoded image is kept for the one
 * render_page call.
 */
#define G_LOG_DOMAIN "kho-ocr"

#include "ocr/decode.h"
#include "ocr/library-log.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include <glib/gi18n-lib.h>

#include <cairo.h>
#include <png.h>
#include <poppler.h>
#include <tiffio.h>

G_DEFINE_QUARK (kho-decode-error-quark, kho_decode_error)

#define DEFAULT_DPI 300
#define PDF_MIN_DPI 100
#define PDF_MAX_DPI 600
#define MAX_TIFF_PAGES 10000

struct KhoSource {
  GBytes *data;
  char *name;
  KhoFormat format;
  int n_pages;
  PopplerDocument *pdf;
  PIX *single;           /* PNG/JPEG decoded at open, handed out by render_page */
  int single_dpi;
  gboolean jpeg_passthrough;
};

/* ------------------------------------------------------------------ */
/* Library messages                                                    */

static _Thread_local char last_tiff_error[512];

static void
leptonica_message (const char *message)
{
  g_autofree char *line = g_strchomp (g_strdup (message));
  if (g_str_has_prefix (line, "Error"))
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "leptonica: %s", line);
  else
    g_log (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, "leptonica: %s", line);
}

static void
tiff_error (const char *module, const char *format, va_list args)
{
  g_vsnprintf (last_tiff_error, sizeof last_tiff_error, format, args);
  g_log (G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "libtiff: %s: %s",
         module ? module : "", last_tiff_error);
}

static void
tiff_warning (const char *module, const char *format, va_list args)
{
  char message[512];
  g_vsnprintf (message, sizeof message, format, args);
  g_log (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, "libtiff: %s: %s", module ? module : "", message);
}

void
kho_ocr_route_library_logs (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    leptSetStderrHandler (leptonica_message);
    TIFFSetErrorHandler (tiff_error);
    TIFFSetWarningHandler (tiff_warning);
    g_once_init_leave (&once, 1);
  }
}

const char *
kho_ocr_last_tiff_error (void)
{
  return last_tiff_error;
}

void
kho_ocr_clear_tiff_error (void)
{
  last_tiff_error[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* Formats                                                             */

KhoFormat
kho_decode_sniff (const guint8 *data, gsize size)
{
  static const guint8 png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (data == NULL)
    return KHO_FORMAT_UNKNOWN;
  if (size >= 4 && ((data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0) ||
                    (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43))))
    return KHO_FORMAT_TIFF;
  if (size >= 8 && memcmp (data, png_magic, 8) == 0)
    return KHO_FORMAT_PNG;
  if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return KHO_FORMAT_JPEG;
  if (memmem (data, MIN (size, 1024), "%PDF-", 5) != NULL)
    return KHO_FORMAT_PDF;
  return KHO_FORMAT_UNKNOWN;
}

const char *
kho_format_name (KhoFormat format)
{
  switch (format) {
  case KHO_FORMAT_TIFF: return "tiff";
  case KHO_FORMAT_PNG: return "png";
  case KHO_FORMAT_JPEG: return "jpeg";
  case KHO_FORMAT_PDF: return "pdf";
  case KHO_FORMAT_UNKNOWN:
  default: return "unknown";
  }
}

const char *
kho_format_mime (KhoFormat format)
{
  switch (format) {
  case KHO_FORMAT_TIFF: return "image/tiff";
  case KHO_FORMAT_PNG: return "image/png";
  case KHO_FORMAT_JPEG: return "image/jpeg";
  case KHO_FORMAT_PDF: return "application/pdf";
  case KHO_FORMAT_UNKNOWN:
  default: return "application/octet-stream";
  }
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void G_GNUC_PRINTF (4, 5)
set_error (GError **error, KhoDecodeError code, const char *name, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, KHO_DECODE_ERROR, code, "%s: %s", name ? name : "input", reason);
}

/* Refuses an image whose header claims more than the limits. */
static gboolean
check_dimensions (const char *name, guint64 width, guint64 height, GError **error)
{
  /* Formatted apart: xgettext cannot see through G_GUINT64_FORMAT. */
  g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT "×%" G_GUINT64_FORMAT,
                                           width, height);

  if (width == 0 || height == 0) {
    /* TRANSLATORS: %s is the image's width×height. */
    set_error (error, KHO_DECODE_ERROR_CORRUPT, name, _("image is %s px"), size);
    return FALSE;
  }
  if (width > KHO_DECODE_MAX_SIDE || height > KHO_DECODE_MAX_SIDE) {
    set_error (error, KHO_DECODE_ERROR_TOO_LARGE, name, _("image is %s px, over the %d px limit"),
               size, KHO_DECODE_MAX_SIDE);
    return FALSE;
  }
  if (width * height > KHO_DECODE_MAX_PIXELS) {
    set_error (error, KHO_DECODE_ERROR_TOO_LARGE, name,
               _("image is %s px, over the %d pixel limit"), size, KHO_DECODE_MAX_PIXELS);
    return FALSE;
  }
  return TRUE;
}

/* Describes the first bytes of unrecognised input for the message. */
static char *
describe_start (const guint8 *data, gsize size)
{
  gsize n = MIN (size, 4);
  gboolean printable = TRUE;
  for (gsize i = 0; i < n; i++)
    if (data[i] < 0x20 || data[i] > 0x7e)
      printable = FALSE;
  if (printable)
    return g_strdup_printf ("“%.*s”", (int) n, (const char *) data);
  GString *hex = g_string_new ("0x");
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (hex, "%02X", data[i]);
  return g_string_free (hex, FALSE);
}

static int
resolution_or_default (int dpi)
{
  return (dpi >= 10 && dpi <= 10000) ? dpi : DEFAULT_DPI;
}

/* Brings a decoded Pix to 1, 8 or 32 bpp without colormap or alpha (alpha is
 * composited on white).  Takes ownership of @pix; returns NULL on failure. */
static PIX *
normalize_pix (PIX *pix)
{
  PIX *next = NULL;

  if (pix == NULL)
    return NULL;
  if (pixGetColormap (pix) != NULL) {
    next = pixRemoveColormap (pix, REMOVE_CMAP_BASED_ON_SRC);
    pixDestroy (&pix);
    pix = next;
    if (pix == NULL)
      return NULL;
  }
  if (pixGetDepth (pix) == 32 && pixGetSpp (pix) == 4) {
    next = pixAlphaBlendUniform (pix, 0xffffff00);
    pixDestroy (&pix);
    pix = next;
    if (pix == NULL)
      return NULL;
    pixSetSpp (pix, 3);
  }
  switch (pixGetDepth (pix)) {
  case 1:
  case 8:
    return pix;
  case 32:
    pixSetSpp (pix, 3);
    return pix;
  case 16:
    next = pixConvert16To8 (pix, L_MS_BYTE);
    break;
  default:
    next = pixConvertTo8 (pix, FALSE);
    break;
  }
  pixDestroy (&pix);
  return next;
}

/* ------------------------------------------------------------------ */
/* TIFF                                                                */

typedef struct {
  const guint8 *data;
  toff_t size;
  toff_t position;
} MemoryStream;

static tmsize_t
memory_read (thandle_t handle, void *buffer, tmsize_t size)
{
  MemoryStream *stream = handle;
  if (size < 0 || stream->position >= stream->size)
    return 0;
  toff_t n = MIN ((toff_t) size, stream->size - stream->position);
  memcpy (buffer, stream->data + stream->position, n);
  stream->position += n;
  return (tmsize_t) n;
}

static tmsize_t
memory_write (thandle_t handle, void *buffer, tmsize_t size)
{
  (void) handle; (void) buffer; (void) size;
  return -1;
}

static toff_t
memory_seek (thandle_t handle, toff_t offset, int whence)
{
  MemoryStream *stream = handle;
  toff_t base = whence == SEEK_CUR ? stream->position : whence == SEEK_END ? stream->size : 0;
  stream->position = base + offset;
  return stream->position;
}

static int
memory_close (thandle_t handle)
{
  (void) handle;
  return 0;
}

static toff_t
memory_size (thandle_t handle)
{
  return ((MemoryStream *) handle)->size;
}

static int
memory_map (thandle_t handle, void **base, toff_t *size)
{
  MemoryStream *stream = handle;
  *base = (void *) stream->data;
  *size = stream->size;
  return 1;
}

static void
memory_unmap (thandle_t handle, void *base, toff_t size)
{
  (void) handle; (void) base; (void) size;
}

/* Offset of the first IFD from the header, or 0 if the header is short. */
static guint64
tiff_first_ifd (const guint8 *data, gsize size)
{
  gboolean little = data[0] == 'I';
  gboolean big_tiff = (little ? data[2] : data[3]) == 43;
  gsize length = big_tiff ? 8 : 4;
  gsize at = big_tiff ? 8 : 4;
  guint64 offset = 0;

  if (size < at + length)
    return 0;
  for (gsize i = 0; i < length; i++) {
    gsize k = little ? at + length - 1 - i : at + i;
    offset = (offset << 8) | data[k];
  }
  return offset;
}

static guint64
read_uint (const guint8 *p, int length, gboolean little)
{
  guint64 value = 0;
  for (int i = 0; i < length; i++)
    value = (value << 8) | p[little ? length - 1 - i : i];
  return value;
}

/* Walks the chain of image file directories and checks that each directory
 * and every value stored outside it lies inside the file: a file cut short
 * loses its last structures, which libtiff may silently do without. */
static gboolean
tiff_directories_inside (const guint8 *data, gsize size)
{
  static const int type_sizes[] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8 };
  gboolean little = data[0] == 'I';
  gboolean big_tiff = read_uint (data + 2, 2, little) == 43;
  int count_size = big_tiff ? 8 : 2, entry_size = big_tiff ? 20 : 12, offset_size = big_tiff ? 8 : 4;
  guint64 offset = tiff_first_ifd (data, size);

  for (int pages = 0; offset != 0; pages++) {
    if (pages > MAX_TIFF_PAGES || offset > size || size - offset < (guint64) count_size)
      return FALSE;
    guint64 entries = read_uint (data + offset, count_size, little);
    if (entries > (size - offset - count_size) / entry_size ||
        size - offset - count_size - entries * entry_size < (guint64) offset_size)
      return FALSE;
    const guint8 *entry = data + offset + count_size;
    for (guint64 i = 0; i < entries; i++, entry += entry_size) {
      guint64 type = read_uint (entry + 2, 2, little);
      guint64 count = read_uint (entry + 4, offset_size, little);
      int type_size = type < G_N_ELEMENTS (type_sizes) ? type_sizes[type] : 0;
      if (type_size == 0 || count > G_MAXUINT64 / 8)
        continue;   /* unknown type: libtiff ignores it too */
      guint64 bytes = count * type_size;
      if (bytes <= (guint64) offset_size)
        continue;   /* stored in the entry itself */
      guint64 at = read_uint (entry + 4 + offset_size, offset_size, little);
      if (at > size || bytes > size - at)
        return FALSE;
    }
    offset = read_uint (entry, offset_size, little);
  }
  return TRUE;
}

/* Checks that every strip or tile of the current directory lies inside the file. */
static gboolean
tiff_extents_inside (TIFF *tiff, guint64 file_size)
{
  gboolean tiled = TIFFIsTiled (tiff);
  guint32 n = tiled ? TIFFNumberOfTiles (tiff) : TIFFNumberOfStrips (tiff);
  guint64 *offsets = NULL, *counts = NULL;

  if (!TIFFGetField (tiff, tiled ? TIFFTAG_TILEOFFSETS : TIFFTAG_STRIPOFFSETS, &offsets) ||
      !TIFFGetField (tiff, tiled ? TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &counts) ||
      offsets == NULL || counts == NULL)
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    if (offsets[i] > file_size || counts[i] > file_size - offsets[i])
      return FALSE;
  return TRUE;
}

static gboolean
open_tiff (KhoSource *source, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (source->data, &size);
  MemoryStream stream = { data, size, 0 };
  TIFF *tiff = NULL;
  gboolean ok = FALSE;
  int n = 0;
  guint64 ifd = tiff_first_ifd (data, size);

  if (ifd == 0 || ifd >= size || !tiff_directories_inside (data, size)) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("truncated TIFF"));
    goto out;
  }
  kho_ocr_clear_tiff_error ();
  tiff = TIFFClientOpen (source->name, "rm", (thandle_t) &stream,
                         memory_read, memory_write, memory_seek, memory_close,
                         memory_size, memory_map, memory_unmap);
  if (tiff == NULL) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged TIFF (%s)"),
               *kho_ocr_last_tiff_error () ? kho_ocr_last_tiff_error () : _("unreadable header"));
    goto out;
  }
  while (TRUE) {
    guint32 width = 0, height = 0;
    if (n >= MAX_TIFF_PAGES) {
      set_error (error, KHO_DECODE_ERROR_TOO_LARGE, source->name,
                 _("TIFF has more than %d pages"), MAX_TIFF_PAGES);
      goto out;
    }
    if (!TIFFGetField (tiff, TIFFTAG_IMAGEWIDTH, &width) ||
        !TIFFGetField (tiff, TIFFTAG_IMAGELENGTH, &height)) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name,
                 _("damaged TIFF: page %d has no size"), n + 1);
      goto out;
    }
    if (width > KHO_DECODE_MAX_SIDE || height > KHO_DECODE_MAX_SIDE || width == 0 || height == 0 ||
        (guint64) width * height > KHO_DECODE_MAX_PIXELS) {
      g_autofree char *where = n > 0 ? g_strdup_printf (_("%s: page %d"), source->name, n + 1)
                                     : g_strdup (source->name);
      check_dimensions (where, width, height, error);
      goto out;
    }
    if (!tiff_extents_inside (tiff, size)) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("truncated TIFF (page %d)"), n + 1);
      goto out;
    }
    n++;
    if (TIFFLastDirectory (tiff))
      break;
    /* The chain says there is another page: it must be readable. */
    kho_ocr_clear_tiff_error ();
    if (!TIFFReadDirectory (tiff)) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name,
                 _("truncated TIFF (directory of page %d unreadable: %s)"), n + 1,
                 *kho_ocr_last_tiff_error () ? kho_ocr_last_tiff_error () : _("no details"));
      goto out;
    }
  }

  if (n == 0) {
    set_error (error, KHO_DECODE_ERROR_NO_PAGES, source->name, _("TIFF has no pages"));
    goto out;
  }
  source->n_pages = n;
  ok = TRUE;
out:
  if (tiff != NULL)
    TIFFClose (tiff);
  return ok;
}

/* Leptonica reads strips only; a tiled TIFF (large-format scanners write
 * them) is read through libtiff's RGBA interface instead, as 32 bpp with
 * the page's resolution.  NULL when libtiff cannot either. */
static PIX *
read_tiff_rgba (KhoSource *source, int index)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (source->data, &size);
  MemoryStream stream = { data, size, 0 };
  TIFF *tiff = NULL;
  PIX *pix = NULL;
  guint32 *raster = NULL;
  guint32 width = 0, height = 0;
  float xres = 0;
  guint16 unit = RESUNIT_INCH;

  /* Mapped ("r", not "rm"): libtiff then reads tiles whose byte counts
   * writers get slightly wrong, as the other readers of TIFF do. */
  tiff = TIFFClientOpen (source->name, "r", (thandle_t) &stream, memory_read, memory_write,
                         memory_seek, memory_close, memory_size, memory_map, memory_unmap);
  if (tiff == NULL || !TIFFSetDirectory (tiff, (tdir_t) index) || !TIFFIsTiled (tiff) ||
      !TIFFGetField (tiff, TIFFTAG_IMAGEWIDTH, &width) ||
      !TIFFGetField (tiff, TIFFTAG_IMAGELENGTH, &height))
    goto out;
  /* open_tiff checked the size against the limits. */
  raster = g_try_new (guint32, (gsize) width * height);
  if (raster == NULL ||
      !TIFFReadRGBAImageOriented (tiff, width, height, raster, ORIENTATION_TOPLEFT, 0))
    goto out;
  pix = pixCreate ((int) width, (int) height, 32);
  if (pix == NULL)
    goto out;
  for (guint32 y = 0; y < height; y++)
    {
      l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);
      const guint32 *in = raster + (gsize) y * width;

      for (guint32 x = 0; x < width; x++)
        composeRGBPixel ((int) TIFFGetR (in[x]), (int) TIFFGetG (in[x]), (int) TIFFGetB (in[x]),
                         &line[x]);
    }
  if (TIFFGetField (tiff, TIFFTAG_XRESOLUTION, &xres) && xres > 0)
    {
      TIFFGetField (tiff, TIFFTAG_RESOLUTIONUNIT, &unit);
      pixSetResolution (pix, (int) lroundf (unit == RESUNIT_CENTIMETER ? xres * 2.54f : xres),
                        (int) lroundf (unit == RESUNIT_CENTIMETER ? xres * 2.54f : xres));
    }
out:
  g_free (raster);
  if (tiff != NULL)
    TIFFClose (tiff);
  return pix;
}

static PIX *
render_tiff (KhoSource *source, int index, int *dpi, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (source->data, &size);
  PIX *pix = NULL;

  kho_ocr_clear_tiff_error ();
  pix = pixReadMemTiff (data, size, index);
  if (pix == NULL)
    pix = read_tiff_rgba (source, index);
  if (pix == NULL) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("page %d: damaged TIFF (%s)"), index + 1,
               *kho_ocr_last_tiff_error () ? kho_ocr_last_tiff_error () : _("cannot decode"));
    goto out;
  }
  *dpi = resolution_or_default (pixGetXRes (pix));
  pix = normalize_pix (pix);
  if (pix == NULL)
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("page %d: unsupported TIFF pixel format"),
               index + 1);
out:
  return pix;
}

/* ------------------------------------------------------------------ */
/* PNG                                                                 */

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static guint32
png_crc (const guint8 *data, gsize length)
{
  static guint32 table[256];
  static gsize once = 0;
  guint32 crc = 0xffffffffu;

  if (g_once_init_enter (&once)) {
    for (guint32 n = 0; n < 256; n++) {
      guint32 c = n;
      for (int k = 0; k < 8; k++)
        c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      table[n] = c;
    }
    g_once_init_leave (&once, 1);
  }
  for (gsize i = 0; i < length; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

/* Walks the chunks from IHDR to IEND, checking lengths and CRCs.  Fills in
 * the size, the bilevel flag (1-bit gray) and the resolution (0 if none). */
static gboolean
check_png_structure (const KhoSource *source, const guint8 *data, gsize size,
                     guint32 *width, guint32 *height, gboolean *one_bit_gray,
                     gboolean *sixteen_bit, int *dpi, GError **error)
{
  gsize at = 8;
  gboolean seen_ihdr = FALSE, seen_idat = FALSE;

  *dpi = 0;
  while (TRUE) {
    if (size - at < 12) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("truncated PNG"));
      return FALSE;
    }
    guint32 length = read_be32 (data + at);
    const guint8 *type = data + at + 4;
    const guint8 *body = data + at + 8;
    if (length > 0x7fffffffu || length > size - at - 12) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("truncated PNG"));
      return FALSE;
    }
    if (png_crc (type, length + 4) != read_be32 (body + length)) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PNG (bad CRC in %.4s chunk)"),
                 (const char *) type);
      return FALSE;
    }
    if (!seen_ihdr) {
      if (memcmp (type, "IHDR", 4) != 0 || length != 13) {
        set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PNG (no IHDR)"));
        return FALSE;
      }
      *width = read_be32 (body);
      *height = read_be32 (body + 4);
      *one_bit_gray = body[8] == 1 && body[9] == 0;
      *sixteen_bit = body[8] == 16;
      if (!check_dimensions (source->name, *width, *height, error))
        return FALSE;
      seen_ihdr = TRUE;
    } else if (memcmp (type, "IDAT", 4) == 0) {
      seen_idat = TRUE;
    } else if (memcmp (type, "pHYs", 4) == 0 && length == 9 && body[8] == 1) {
      *dpi = (int) lround (read_be32 (body) * 0.0254);
    } else if (memcmp (type, "IEND", 4) == 0) {
      break;
    }
    at += 12 + (gsize) length;
  }
  if (!seen_idat) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PNG (no image data)"));
    return FALSE;
  }
  return TRUE;
}

/* Decodes with libpng's simplified API, which converts palettes and
 * transparency for us and reports problems without printing anything. */
static PIX *
decode_png_simplified (const KhoSource *source, const guint8 *data, gsize size,
                       guint32 width, guint32 height, GError **error)
{
  png_image image;
  png_color background = { 255, 255, 255 };
  guint8 *buffer = NULL;
  PIX *pix = NULL;

  memset (&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory (&image, data, size)) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PNG (%s)"), image.message);
    goto out;
  }
  gboolean color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  image.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  gsize stride = PNG_IMAGE_ROW_STRIDE (image);
  buffer = g_try_malloc (PNG_IMAGE_BUFFER_SIZE (image, stride));
  if (buffer == NULL) {
    set_error (error, KHO_DECODE_ERROR_TOO_LARGE, source->name, _("out of memory for a %u×%u px image"),
               width, height);
    goto out;
  }
  if (!png_image_finish_read (&image, &background, buffer, (png_int_32) stride, NULL)) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PNG (%s)"), image.message);
    goto out;
  }
  pix = pixCreate ((int) width, (int) height, color ? 32 : 8);
  if (pix == NULL) {
    set_error (error, KHO_DECODE_ERROR_TOO_LARGE, source->name, _("out of memory for a %u×%u px image"),
               width, height);
    goto out;
  }
  l_uint32 *pix_data = pixGetData (pix);
  int wpl = pixGetWpl (pix);
  for (guint32 y = 0; y < height; y++) {
    const guint8 *row = buffer + y * stride;
    l_uint32 *line = pix_data + (gsize) y * wpl;
    if (color) {
      for (guint32 x = 0; x < width; x++)
        line[x] = ((l_uint32) row[3 * x] << 24) | ((l_uint32) row[3 * x + 1] << 16) |
                  ((l_uint32) row[3 * x + 2] << 8) | 0xff;
    } else {
      for (guint32 x = 0; x < width; x++)
        SET_DATA_BYTE (line, x, row[x]);
    }
  }
  if (color)
    pixSetSpp (pix, 3);
out:
  png_image_free (&image);
  g_free (buffer);
  return pix;
}

static gboolean
open_png (KhoSource *source, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (source->data, &size);
  guint32 width = 0, height = 0;
  gboolean one_bit_gray = FALSE, sixteen_bit = FALSE, ok = FALSE;
  int dpi = 0;
  PIX *pix = NULL;

  if (!check_png_structure (source, data, size, &width, &height, &one_bit_gray, &sixteen_bit, &dpi, error))
    goto out;
  if (sixteen_bit) {
    /* The simplified API takes 16-bit samples as linear light and
     * gamma-encodes them; scanners mean them as sRGB, so keep the high
     * byte, as Leptonica's reader does. */
    pix = normalize_pix (pixReadMemPng (data, size));
    if (pix == NULL) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PNG (cannot decode)"));
      goto out;
    }
  } else {
    pix = decode_png_simplified (source, data, size, width, height, error);
    if (pix == NULL)
      goto out;
  }
  if (one_bit_gray) {
    PIX *binary = pixThresholdToBinary (pix, 128);
    pixDestroy (&pix);
    pix = binary;
  }
  source->single_dpi = resolution_or_default (dpi);
  pixSetResolution (pix, source->single_dpi, source->single_dpi);
  source->single = g_steal_pointer (&pix);
  source->n_pages = 1;
  ok = TRUE;
out:
  pixDestroy (&pix);
  return ok;
}

/* ------------------------------------------------------------------ */
/* JPEG                                                                */

typedef struct {
  guint32 width, height;
  int components;
  int precision;
  int sof;              /* 0xC0..0xCF */
  gboolean adobe;
  int adobe_transform;
  int scans;
} JpegInfo;

/* Walks the JPEG markers from SOI to EOI.  A file that ends before EOI is
 * truncated, whatever a decoder would make of it. */
static gboolean
check_jpeg_structure (const KhoSource *source, const guint8 *data, gsize size,
                      JpegInfo *info, GError **error)
{
  gsize at = 2;

  memset (info, 0, sizeof *info);
  while (TRUE) {
    if (at >= size)
      goto truncated;
    if (data[at] != 0xff) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged JPEG (no marker at byte %zu)"), at);
      return FALSE;
    }
    while (at < size && data[at] == 0xff)
      at++;
    if (at >= size)
      goto truncated;
    int marker = data[at++];
    if (marker == 0xd9)
      break;
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
      continue;
    if (size - at < 2)
      goto truncated;
    gsize length = ((gsize) data[at] << 8) | data[at + 1];
    if (length < 2) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged JPEG (bad segment length)"));
      return FALSE;
    }
    if (length > size - at)
      goto truncated;
    const guint8 *body = data + at + 2;
    gsize body_length = length - 2;
    gboolean is_sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (is_sof && info->sof == 0) {
      if (body_length < 6) {
        set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged JPEG (short frame header)"));
        return FALSE;
      }
      info->sof = marker;
      info->precision = body[0];
      info->height = ((guint32) body[1] << 8) | body[2];
      info->width = ((guint32) body[3] << 8) | body[4];
      info->components = body[5];
      if (!check_dimensions (source->name, info->width, info->height, error))
        return FALSE;
    } else if (marker == 0xee && body_length >= 12 && memcmp (body, "Adobe", 5) == 0) {
      info->adobe = TRUE;
      info->adobe_transform = body[11];
    }
    at += length;
    if (marker == 0xda) {
      /* Entropy-coded data: runs until a marker other than a stuffed 0xFF00 or a restart. */
      info->scans++;
      while (TRUE) {
        if (size - at < 2)
          goto truncated;
        if (data[at] == 0xff && data[at + 1] != 0x00 && !(data[at + 1] >= 0xd0 && data[at + 1] <= 0xd7) &&
            data[at + 1] != 0xff)
          break;
        at++;
      }
    }
  }
  if (info->sof == 0 || info->scans == 0) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged JPEG (no image)"));
    return FALSE;
  }
  /* With Huffman coding every 8×8 block costs at least one bit (its DC
   * difference), so a file smaller than that cannot hold its image: a
   * 300-byte file claiming 20000×10000 px is refused here, before the
   * decoder allocates 800 MB for it.  Arithmetic coding (SOF9 and up) can
   * go below a bit a block and is left to the decoder. */
  if (info->sof < 0xc8) {
    guint64 blocks = (((guint64) info->width + 7) / 8) * (((guint64) info->height + 7) / 8);
    if ((guint64) size * 8 < blocks)
      goto truncated;
  }
  return TRUE;
truncated:
  set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("truncated JPEG"));
  return FALSE;
}

static gboolean
open_jpeg (KhoSource *source, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (source->data, &size);
  JpegInfo info;
  PIX *pix = NULL;
  int warnings = 0;
  gboolean ok = FALSE;

  if (!check_jpeg_structure (source, data, size, &info, error))
    goto out;
  if (info.components != 1 && info.components != 3 && info.components != 4) {
    set_error (error, KHO_DECODE_ERROR_UNKNOWN, source->name, _("JPEG with %d colour components"), info.components);
    goto out;
  }
  pix = pixReadMemJpeg (data, size, 0, 1, &warnings, 0);
  if (pix == NULL || warnings > 0) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged JPEG (%s)"),
               pix == NULL ? _("cannot decode") : _("corrupt data"));
    goto out;
  }
  source->single_dpi = resolution_or_default (pixGetXRes (pix));
  pix = normalize_pix (pix);
  if (pix == NULL) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("unsupported JPEG pixel format"));
    goto out;
  }
  /* Pass-through needs a stream a PDF reader decodes to the same pixels:
   * 8-bit baseline or progressive Huffman, gray or YCbCr/RGB, not CMYK. */
  source->jpeg_passthrough =
    info.precision == 8 && (info.sof == 0xc0 || info.sof == 0xc1 || info.sof == 0xc2) &&
    (info.components == 1 || (info.components == 3 && (!info.adobe || info.adobe_transform == 1))) &&
    (pixGetDepth (pix) == 8 || pixGetDepth (pix) == 32);
  pixSetResolution (pix, source->single_dpi, source->single_dpi);
  source->single = pix;
  pix = NULL;
  source->n_pages = 1;
  ok = TRUE;
out:
  pixDestroy (&pix);
  return ok;
}

/* ------------------------------------------------------------------ */
/* PDF                                                                 */

static gboolean
open_pdf (KhoSource *source, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (source->data, &size);
  g_autoptr (GError) poppler_error = NULL;
  gboolean ok = FALSE;
  gsize tail = MIN (size, 2048);

  if (memmem (data + size - tail, tail, "%%EOF", 5) == NULL) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("truncated PDF (no %%%%EOF at the end)"));
    goto out;
  }
  source->pdf = poppler_document_new_from_bytes (source->data, NULL, &poppler_error);
  if (source->pdf == NULL) {
    if (g_error_matches (poppler_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
      set_error (error, KHO_DECODE_ERROR_ENCRYPTED, source->name, _("encrypted PDF"));
    else
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PDF (%s)"),
                 poppler_error ? poppler_error->message : _("unreadable"));
    goto out;
  }
  source->n_pages = poppler_document_get_n_pages (source->pdf);
  if (source->n_pages <= 0) {
    set_error (error, KHO_DECODE_ERROR_NO_PAGES, source->name, _("PDF has no pages"));
    goto out;
  }
  for (int i = 0; i < source->n_pages; i++) {
    PopplerPage *page = poppler_document_get_page (source->pdf, i);
    double width = 0, height = 0;
    if (page == NULL) {
      set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("damaged PDF (page %d unreadable)"), i + 1);
      goto out;
    }
    poppler_page_get_size (page, &width, &height);
    g_object_unref (page);
    guint64 w = (guint64) ceil (width * PDF_MIN_DPI / 72.0);
    guint64 h = (guint64) ceil (height * PDF_MIN_DPI / 72.0);
    g_autofree char *where = g_strdup_printf (_("%s: page %d at %d dpi"), source->name, i + 1,
                                             PDF_MIN_DPI);
    if (!check_dimensions (where, w, h, error))
      goto out;
  }
  ok = TRUE;
out:
  return ok;
}

/* The resolution of the page's largest image, or DEFAULT_DPI without images. */
static int
pdf_page_dpi (PopplerPage *page)
{
  GList *mapping = poppler_page_get_image_mapping (page);
  double best_area = 0;
  int best_id = -1;
  double dpi = DEFAULT_DPI;

  for (GList *l = mapping; l != NULL; l = l->next) {
    PopplerImageMapping *image = l->data;
    double area = fabs ((image->area.x2 - image->area.x1) * (image->area.y2 - image->area.y1));
    if (area > best_area) {
      best_area = area;
      best_id = image->image_id;
    }
  }
  poppler_page_free_image_mapping (mapping);
  if (best_id >= 0 && best_area > 1.0) {
    cairo_surface_t *surface = poppler_page_get_image (page, best_id);
    if (surface != NULL) {
      double pixels = (double) cairo_image_surface_get_width (surface) *
                      cairo_image_surface_get_height (surface);
      if (pixels > 0)
        dpi = sqrt (pixels / (best_area / (72.0 * 72.0)));
      cairo_surface_destroy (surface);
    }
  }
  return (int) CLAMP (lround (dpi), PDF_MIN_DPI, PDF_MAX_DPI);
}

/* Copies a cairo RGB24 surface into a 32 bpp Pix, or an 8 bpp one when all
 * pixels are gray. */
static PIX *
pix_from_surface (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  gboolean gray = TRUE;
  PIX *pix = pixCreate (width, height, 32);

  if (pix == NULL)
    return NULL;
  l_uint32 *pix_data = pixGetData (pix);
  int wpl = pixGetWpl (pix);
  for (int y = 0; y < height; y++) {
    const guint32 *row = (const guint32 *) (data + (gsize) y * stride);
    l_uint32 *line = pix_data + (gsize) y * wpl;
    for (int x = 0; x < width; x++) {
      guint32 value = row[x] & 0xffffff;
      guint32 r = value >> 16, g = (value >> 8) & 0xff, b = value & 0xff;
      if (r != g || g != b)
        gray = FALSE;
      line[x] = (value << 8) | 0xff;
    }
  }
  pixSetSpp (pix, 3);
  if (gray) {
    PIX *pix8 = pixConvertRGBToGray (pix, 0.0f, 1.0f, 0.0f);
    if (pix8 != NULL) {
      pixDestroy (&pix);
      pix = pix8;
    }
  }
  return pix;
}

static gboolean
is_space (gunichar c)
{
  return g_unichar_isspace (c) || c == 0;
}

static char *
normalize_text (const char *text, gssize length)
{
  char *nfc = g_utf8_normalize (text, length, G_NORMALIZE_NFC);
  if (nfc == NULL) {
    g_autofree char *valid = g_utf8_make_valid (text, length);
    nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_NFC);
  }
  return nfc;
}

/* Groups the characters of the page's text layer into words on whitespace;
 * boxes are converted from points to pixels at @scale pixels per point. */
static void
pdf_page_words (PopplerPage *page, const char *text, double scale, int width, int height,
                KhoPageImage *out)
{
  PopplerRectangle *rects = NULL;
  guint n_rects = 0;
  GArray *words = g_array_new (FALSE, TRUE, sizeof (KhoWord));
  const char *p = text, *word_start = NULL;
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  int line = 0;

  if (!poppler_page_get_text_layout (page, &rects, &n_rects))
    n_rects = 0;
  for (guint i = 0; ; i++) {
    gunichar c = (*p != '\0' && i < n_rects) ? g_utf8_get_char (p) : 0;
    if (is_space (c)) {
      if (word_start != NULL) {
        KhoWord word = { 0 };
        word.text = normalize_text (word_start, p - word_start);
        word.x = CLAMP ((int) floor (x1 * scale), 0, width - 1);
        word.y = CLAMP ((int) floor (y1 * scale), 0, height - 1);
        word.w = CLAMP ((int) ceil (x2 * scale), word.x + 1, width) - word.x;
        word.h = CLAMP ((int) ceil (y2 * scale), word.y + 1, height) - word.y;
        word.line = line;
        word.confidence = 100.0f;
        g_array_append_val (words, word);
        word_start = NULL;
      }
      if (c == '\n')
        line++;
      if (c == 0)
        break;
    } else {
      PopplerRectangle *r = &rects[i];
      double rx1 = MIN (r->x1, r->x2), rx2 = MAX (r->x1, r->x2);
      double ry1 = MIN (r->y1, r->y2), ry2 = MAX (r->y1, r->y2);
      if (word_start == NULL) {
        word_start = p;
        x1 = rx1; y1 = ry1; x2 = rx2; y2 = ry2;
      } else {
        x1 = MIN (x1, rx1); y1 = MIN (y1, ry1);
        x2 = MAX (x2, rx2); y2 = MAX (y2, ry2);
      }
    }
    p = g_utf8_next_char (p);
  }
  g_free (rects);

  /* Line boxes: the union of the words on each line. */
  KhoWord *w = (KhoWord *) (void *) words->data;
  for (guint i = 0; i < words->len; ) {
    guint j = i;
    int top = w[i].y, bottom = w[i].y + w[i].h;
    while (j < words->len && w[j].line == w[i].line) {
      top = MIN (top, w[j].y);
      bottom = MAX (bottom, w[j].y + w[j].h);
      j++;
    }
    for (guint k = i; k < j; k++) {
      w[k].baseline = bottom;
      w[k].line_height = bottom - top;
    }
    i = j;
  }
  out->n_words = words->len;
  out->words = (KhoWord *) (void *) g_array_free (words, words->len == 0);
}

static KhoPageImage *
render_pdf (KhoSource *source, int index, GError **error)
{
  PopplerPage *page = NULL;
  cairo_surface_t *surface = NULL;
  cairo_t *cr = NULL;
  KhoPageImage *out = NULL;
  char *text = NULL;
  double width_pt = 0, height_pt = 0;

  page = poppler_document_get_page (source->pdf, index);
  if (page == NULL) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("page %d: damaged PDF page"), index + 1);
    goto out;
  }
  poppler_page_get_size (page, &width_pt, &height_pt);
  int dpi = pdf_page_dpi (page);
  /* Lower the resolution of pages that would exceed the limits (open()
   * checked that they fit at PDF_MIN_DPI). */
  double fit_side = KHO_DECODE_MAX_SIDE * 72.0 / MAX (MAX (width_pt, height_pt), 1.0);
  double fit_area = sqrt (KHO_DECODE_MAX_PIXELS * 72.0 * 72.0 / MAX (width_pt * height_pt, 1.0));
  dpi = MIN (dpi, (int) floor (MIN (fit_side, fit_area)));
  dpi = MAX (dpi, 1);
  double scale = dpi / 72.0;
  int width = MAX (1, (int) ceil (width_pt * scale - 0.01));
  int height = MAX (1, (int) ceil (height_pt * scale - 0.01));

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
    set_error (error, KHO_DECODE_ERROR_TOO_LARGE, source->name, _("page %d: cannot allocate %d×%d px (%s)"),
               index + 1, width, height, cairo_status_to_string (cairo_surface_status (surface)));
    goto out;
  }
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  poppler_page_render (page, cr);
  cairo_surface_flush (surface);
  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS) {
    set_error (error, KHO_DECODE_ERROR_CORRUPT, source->name, _("page %d: cannot render (%s)"),
               index + 1, cairo_status_to_string (cairo_status (cr)));
    goto out;
  }
  out = g_new0 (KhoPageImage, 1);
  out->pix = pix_from_surface (surface);
  if (out->pix == NULL) {
    set_error (error, KHO_DECODE_ERROR_TOO_LARGE, source->name, _("page %d: out of memory"), index + 1);
    g_clear_pointer (&out, kho_page_image_free);
    goto out;
  }
  out->dpi = dpi;
  pixSetResolution (out->pix, dpi, dpi);

  text = poppler_page_get_text (page);
  if (text != NULL) {
    g_autofree char *trimmed = g_strstrip (g_strdup (text));
    if (*trimmed != '\0') {
      out->has_text = TRUE;
      out->text = normalize_text (text, -1);
      pdf_page_words (page, text, scale, width, height, out);
    }
  }
out:
  g_free (text);
  if (cr != NULL)
    cairo_destroy (cr);
  if (surface != NULL)
    cairo_surface_destroy (surface);
  if (page != NULL)
    g_object_unref (page);
  return out;
}

/* ------------------------------------------------------------------ */
/* Sources                                                             */

KhoSource *
kho_source_open (GBytes *data, const char *name, GError **error)
{
  KhoSource *source = NULL;
  gsize size = 0;
  const guint8 *bytes = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  kho_ocr_route_library_logs ();

  source = g_new0 (KhoSource, 1);
  source->data = g_bytes_ref (data);
  source->name = g_strdup (name ? name : "input");
  bytes = g_bytes_get_data (data, &size);
  if (size == 0) {
    set_error (error, KHO_DECODE_ERROR_EMPTY, source->name, _("empty file (0 bytes)"));
    goto out;
  }
  source->format = kho_decode_sniff (bytes, size);
  switch (source->format) {
  case KHO_FORMAT_TIFF: ok = open_tiff (source, error); break;
  case KHO_FORMAT_PNG: ok = open_png (source, error); break;
  case KHO_FORMAT_JPEG: ok = open_jpeg (source, error); break;
  case KHO_FORMAT_PDF: ok = open_pdf (source, error); break;
  case KHO_FORMAT_UNKNOWN:
  default: {
      g_autofree char *start = describe_start (bytes, size);
      set_error (error, KHO_DECODE_ERROR_UNKNOWN, source->name, _("not an image or PDF (starts with %s)"), start);
      break;
    }
  }
out:
  if (!ok)
    g_clear_pointer (&source, kho_source_free);
  return source;
}

void
kho_source_free (KhoSource *source)
{
  if (source == NULL)
    return;
  g_clear_object (&source->pdf);
  pixDestroy (&source->single);
  g_bytes_unref (source->data);
  g_free (source->name);
  g_free (source);
}

KhoFormat
kho_source_format (const KhoSource *source)
{
  return source ? source->format : KHO_FORMAT_UNKNOWN;
}

int
kho_source_n_pages (const KhoSource *source)
{
  return source ? source->n_pages : 0;
}

KhoPageImage *
kho_source_render_page (KhoSource *source, int index, GError **error)
{
  KhoPageImage *page = NULL;
  int dpi = DEFAULT_DPI;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (index < 0 || index >= source->n_pages) {
    g_set_error (error, KHO_DECODE_ERROR, KHO_DECODE_ERROR_NO_PAGES, _("%s: no page %d (it has %d)"),
                 source->name, index + 1, source->n_pages);
    goto out;
  }
  switch (source->format) {
  case KHO_FORMAT_TIFF: {
      PIX *pix = render_tiff (source, index, &dpi, error);
      if (pix == NULL)
        goto out;
      page = g_new0 (KhoPageImage, 1);
      page->pix = pix;
      page->dpi = dpi;
      break;
    }
  case KHO_FORMAT_PNG:
  case KHO_FORMAT_JPEG:
    /* The first render hands over the image decoded at open; a later one
     * decodes the bytes again rather than keeping a second copy around. */
    if (source->single == NULL &&
        !(source->format == KHO_FORMAT_PNG ? open_png (source, error) : open_jpeg (source, error)))
      goto out;
    page = g_new0 (KhoPageImage, 1);
    page->pix = g_steal_pointer (&source->single);
    page->dpi = source->single_dpi;
    if (source->format == KHO_FORMAT_JPEG && source->jpeg_passthrough)
      page->jpeg = g_bytes_ref (source->data);
    break;
  case KHO_FORMAT_PDF:
    page = render_pdf (source, index, error);
    break;
  case KHO_FORMAT_UNKNOWN:
  default:
    g_set_error (error, KHO_DECODE_ERROR, KHO_DECODE_ERROR_UNKNOWN, _("%s: unknown format"),
                 source->name);
    break;
  }
out:
  return page;
}

void
kho_word_clear (KhoWord *word)
{
  if (word == NULL)
    return;
  g_clear_pointer (&word->text, g_free);
}

void
kho_words_free (KhoWord *words, gsize n)
{
  if (words == NULL)
    return;
  for (gsize i = 0; i < n; i++)
    kho_word_clear (&words[i]);
  g_free (words);
}

char *
kho_words_serialize (const KhoWord *words, gsize n)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < n; i++)
    {
      const KhoWord *w = &words[i];
      char confidence[G_ASCII_DTOSTR_BUF_SIZE];

      /* Words hold no whitespace (they are split on it), so a tab and a
       * newline delimit them safely; the number in C locale. */
      g_ascii_formatd (confidence, sizeof confidence, "%.2f", w->confidence);
      g_string_append_printf (out, "%d %d %d %d %d %d %d %s\t%s\n", w->x, w->y, w->w, w->h,
                              w->baseline, w->line_height, w->line, confidence,
                              w->text ? w->text : "");
    }
  return g_string_free (out, FALSE);
}

KhoWord *
kho_words_parse (const char *text, gsize *n_words)
{
  g_auto (GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  GArray *words = g_array_new (FALSE, TRUE, sizeof (KhoWord));

  for (gsize i = 0; lines[i]; i++)
    {
      const char *tab = strchr (lines[i], '\t');
      g_autofree char *head = NULL;
      g_auto (GStrv) numbers = NULL;
      KhoWord word = { 0 };

      if (tab == NULL)
        continue;
      head = g_strndup (lines[i], (gsize) (tab - lines[i]));
      numbers = g_strsplit (head, " ", -1);
      if (g_strv_length (numbers) != 8)
        continue;
      word.x = atoi (numbers[0]);
      word.y = atoi (numbers[1]);
      word.w = atoi (numbers[2]);
      word.h = atoi (numbers[3]);
      word.baseline = atoi (numbers[4]);
      word.line_height = atoi (numbers[5]);
      word.line = atoi (numbers[6]);
      word.confidence = (float) g_ascii_strtod (numbers[7], NULL);
      word.text = g_strdup (tab + 1);
      g_array_append_val (words, word);
    }
  *n_words = words->len;
  return (KhoWord *) (void *) g_array_free (words, FALSE);
}

void
kho_page_image_free (KhoPageImage *page)
{
  if (page == NULL)
    return;
  pixDestroy (&page->pix);
  g_clear_pointer (&page->jpeg, g_bytes_unref);
  g_free (page->text);
  kho_words_free (page->words, page->n_words);
  g_free (page);
}
