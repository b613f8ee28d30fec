/* exchange.c — documents out of the archive into a BagIt bag, and back in.
 *
 * metadata.xml is written with escaped text (g_markup_escape_text) and read
 * with GMarkup: kho reads only the bags it writes, whose XML is that simple
 * subset (no DTD, no entities beyond the five, UTF-8), so libxml2 would be
 * a dependency for nothing.  Any XML tool reads the file. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/exchange.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "config.h"
#include <glib/gi18n-lib.h>
#include "index/ids.h"
#include "index/queue.h"
#include "store/bagit.h"
#include "store/originals.h"

#define XML_NAMESPACE "urn:kho:document:1"

/* kho's fields and their elements.  Phụ lục VI of Nghị định 30/2020/NĐ-CP
 * names TypeName (Tên loại), CodeNumber (Số), CodeNotation (Ký hiệu),
 * IssuedDate (Ngày tháng năm), OrganName (Cơ quan ban hành), Subject
 * (Trích yếu), PageAmount, Language and Description; the others are kho's
 * own, named in the same manner (Maintenance, Thời hạn bảo quản, as in
 * Thông tư 02/2019/TT-BNV). */
static const char *const field_elements[][2] = {
  { "type", "TypeName" },
  { "type_code", "TypeCode" },
  { "type_confidence", "TypeConfidence" },
  { "number", "CodeNumber" },
  { "year", "CodeYear" },
  { "notation", "CodeNotation" },
  { "issued", "IssuedDate" },
  { "place", "PlaceName" },
  { "issuer", "OrganName" },
  { "subject", "Subject" },
  { "signer_position", "SignerPosition" },
  { "signer_name", "SignerName" },
  { "recipients", "Recipients" },
  { "urgency", "Urgency" },
  { "secrecy", "Secrecy" },
  { "retention", "Maintenance" },
};

static const char *
element_of_field (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_elements); i++)
    if (strcmp (field_elements[i][0], name) == 0)
      return field_elements[i][1];
  return NULL;
}

static const char *
field_of_element (const char *element)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_elements); i++)
    if (strcmp (field_elements[i][1], element) == 0)
      return field_elements[i][0];
  return NULL;
}

/* --- export --- */

/* @value escaped for XML text, or for an attribute value (@attribute).
 * Carriage returns, and in attributes line feeds and tabs too, become
 * character references: a parser would otherwise normalise them away.  The
 * other control characters kho's text never has become references that
 * GMarkup reads back (XML 1.0 tools may refuse them). */
static char *
xml_escape (const char *value, gboolean attribute)
{
  g_autofree char *escaped = g_markup_escape_text (value, -1);
  GString *out = g_string_sized_new (strlen (escaped));

  for (const char *p = escaped; *p; p++)
    {
      if (*p == '\r')
        g_string_append (out, "&#13;");
      else if (attribute && *p == '\n')
        g_string_append (out, "&#10;");
      else if (attribute && *p == '\t')
        g_string_append (out, "&#9;");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Appends <@element>@value</@element> at @indent, when @value is set. */
static void
xml_element (GString *xml, int indent, const char *element, const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = xml_escape (value, FALSE);
  g_string_append_printf (xml, "%*s<%s>%s</%s>\n", indent, "", element, escaped, element);
}

/* Appends ` name="value"`, escaped. */
static void
xml_attribute (GString *xml, const char *name, const char *value)
{
  g_autofree char *escaped = xml_escape (value ? value : "", TRUE);

  g_string_append_printf (xml, " %s=\"%s\"", name, escaped);
}

static void
xml_int_attribute (GString *xml, const char *name, gint64 value)
{
  g_string_append_printf (xml, " %s=\"%" G_GINT64_FORMAT "\"", name, value);
}

/* A double written so that reading it gives the same double back. */
static void
xml_double_attribute (GString *xml, const char *name, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  xml_attribute (xml, name, g_ascii_dtostr (buffer, sizeof buffer, value));
}

/* The position of field @name in the order of Phụ lục VI; unknown last. */
static gsize
field_rank (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_elements); i++)
    if (strcmp (field_elements[i][0], name) == 0)
      return i;
  return G_N_ELEMENTS (field_elements);
}

static int
compare_fields (gconstpointer a, gconstpointer b)
{
  const KhoFieldRow *x = *(KhoFieldRow *const *) a, *y = *(KhoFieldRow *const *) b;
  gsize rx = field_rank (x->name), ry = field_rank (y->name);

  return rx != ry ? (rx < ry ? -1 : 1) : strcmp (x->name, y->name);
}

static void
xml_fields (GString *xml, GPtrArray *fields)
{
  g_ptr_array_sort (fields, compare_fields);
  for (guint i = 0; i < fields->len; i++)
    {
      KhoFieldRow *row = fields->pdata[i];
      const char *element = element_of_field (row->name);
      g_autofree char *value = xml_escape (row->value, FALSE);

      if (element && strcmp (row->name, "recipients") == 0)
        {
          g_autoptr (JsonNode) list = json_from_string (row->value, NULL);
          JsonArray *array = list && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list)
                                                                  : NULL;

          g_string_append_printf (xml, "  <%s", element);
          xml_attribute (xml, "source", row->source);
          g_string_append (xml, ">\n");
          for (guint j = 0; array && j < json_array_get_length (array); j++)
            xml_element (xml, 4, "Recipient", json_array_get_string_element (array, j));
          g_string_append_printf (xml, "  </%s>\n", element);
        }
      else if (element)
        {
          g_string_append_printf (xml, "  <%s", element);
          xml_attribute (xml, "source", row->source);
          g_string_append_printf (xml, ">%s</%s>\n", value, element);
        }
      else
        {
          /* A field this kho does not know yet: kept under its own name. */
          g_string_append (xml, "  <Field");
          xml_attribute (xml, "name", row->name);
          xml_attribute (xml, "source", row->source);
          g_string_append_printf (xml, ">%s</Field>\n", value);
        }
    }
}

static char *
page_file (int number, const char *extension)
{
  return g_strdup_printf ("text/page-%04d.%s", number, extension);
}

/* metadata.xml of @doc; @original is the original's path in its folder. */
static char *
metadata_xml (KhoDocument *doc, const char *original, GPtrArray *fields, GPtrArray *tags,
              GPtrArray *pages, GPtrArray *events)
{
  GString *xml = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_autofree char *pdf = g_strconcat (doc->archive_id, ".pdf", NULL);
  g_autofree char *page_amount = g_strdup_printf ("%d", doc->page_count);

  g_string_append (xml, "<!-- One document of a kho archive.  Element names as in Phụ lục VI "
                        "of Nghị định 30/2020/NĐ-CP;\n     paths are relative to this folder; "
                        "source=\"user\" marks a value a person set. -->\n");
  g_string_append (xml, "<Document xmlns=\"" XML_NAMESPACE "\">\n");
  xml_element (xml, 2, "ArchiveID", doc->archive_id);
  xml_fields (xml, fields);
  xml_element (xml, 2, "PageAmount", page_amount);
  xml_element (xml, 2, "Language", doc->language);
  xml_element (xml, 2, "Description", doc->title);
  xml_element (xml, 2, "Created", doc->created);
  if (doc->part > 0)
    {
      g_string_append (xml, "  <Part");
      xml_int_attribute (xml, "number", doc->part);
      xml_int_attribute (xml, "firstPage", doc->first_page);
      xml_int_attribute (xml, "lastPage", doc->last_page);
      g_string_append (xml, "/>\n");
    }
  if (tags->len > 0)
    {
      g_string_append (xml, "  <Tags>\n");
      for (guint i = 0; i < tags->len; i++)
        xml_element (xml, 4, "Tag", tags->pdata[i]);
      g_string_append (xml, "  </Tags>\n");
    }
  g_string_append (xml, "  <Original");
  xml_attribute (xml, "path", original);
  xml_attribute (xml, "fileName", doc->file_name);
  xml_attribute (xml, "format", doc->format);
  xml_int_attribute (xml, "size", doc->size);
  xml_attribute (xml, "sha256", doc->sha256);
  g_string_append (xml, "/>\n  <ArchivalCopy");
  xml_attribute (xml, "path", pdf);
  xml_attribute (xml, "format", "PDF/A-2u");
  xml_int_attribute (xml, "size", doc->pdf_size);
  xml_attribute (xml, "sha256", doc->pdf_sha256);
  g_string_append (xml, "/>\n  <Pages>\n");
  for (guint i = 0; i < pages->len; i++)
    {
      KhoPageRow *page = pages->pdata[i];
      g_autofree char *text = page_file (page->number, "txt");
      g_autofree char *words = page_file (page->number, "words");

      g_string_append (xml, "    <Page");
      xml_int_attribute (xml, "number", page->number);
      xml_int_attribute (xml, "width", page->width);
      xml_int_attribute (xml, "height", page->height);
      xml_int_attribute (xml, "dpi", page->dpi);
      xml_int_attribute (xml, "rotation", page->rotation);
      xml_double_attribute (xml, "skew", page->skew);
      xml_attribute (xml, "textSource", page->text_source);
      xml_double_attribute (xml, "confidence", page->confidence);
      xml_attribute (xml, "blank", page->blank ? "true" : "false");
      xml_attribute (xml, "text", text);
      if (page->words && *page->words)
        xml_attribute (xml, "words", words);
      g_string_append (xml, "/>\n");
    }
  g_string_append (xml, "  </Pages>\n  <AuditTrail>\n");
  for (guint i = 0; i < events->len; i++)
    {
      KhoEventRow *event = events->pdata[i];
      g_autofree char *detail = event->detail ? xml_escape (event->detail, FALSE) : NULL;

      g_string_append (xml, "    <Event");
      xml_attribute (xml, "time", event->time);
      xml_attribute (xml, "stage", event->stage);
      xml_attribute (xml, "status", event->status);
      if (event->duration_ms >= 0)
        xml_int_attribute (xml, "durationMs", event->duration_ms);
      if (event->actor)
        xml_attribute (xml, "actor", event->actor);
      if (detail)
        g_string_append_printf (xml, ">%s</Event>\n", detail);
      else
        g_string_append (xml, "/>\n");
    }
  g_string_append (xml, "  </AuditTrail>\n</Document>\n");
  return g_string_free (xml, FALSE);
}

static gboolean
add_text (KhoBagitWriter *writer, const char *path, const char *text, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));

  return kho_bagit_writer_add_bytes (writer, path, bytes, error);
}

/* Adds document @id's folder to the bag. */
static gboolean
export_document (KhoArchive *archive, KhoBagitWriter *writer, gint64 id, GError **error)
{
  g_autoptr (KhoDocument) doc = kho_db_get_document (archive->db, id, error);
  g_autoptr (GPtrArray) fields = NULL, tags = NULL, pages = NULL, events = NULL;
  g_autofree char *name = NULL, *original = NULL, *original_path = NULL, *pdf_path = NULL;
  g_autofree char *in_bag = NULL, *xml = NULL;

  if (doc == NULL)
    return FALSE;
  if (g_strcmp0 (doc->status, "archived") != 0)
    {
      g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND,
                   _("%s is not archived yet (stage %s)"), doc->archive_id, doc->stage);
      return FALSE;
    }
  if ((fields = kho_db_get_fields (archive->db, id, error)) == NULL ||
      (tags = kho_db_get_tags (archive->db, id, error)) == NULL ||
      (pages = kho_db_get_pages (archive->db, id, error)) == NULL ||
      (events = kho_db_get_events (archive->db, id, error)) == NULL)
    return FALSE;
  name = kho_bagit_safe_name (doc->file_name);
  original = g_strconcat ("original/", name, NULL);
  original_path = kho_store_original_path (archive->root, doc->sha256);
  pdf_path = kho_store_pdf_path (archive->root, doc->archive_id);

  in_bag = g_strdup_printf ("%s/%s", doc->archive_id, original);
  if (!kho_bagit_writer_add_file (writer, in_bag, original_path, doc->sha256, error))
    return FALSE;
  g_free (in_bag);
  in_bag = g_strdup_printf ("%s/%s.pdf", doc->archive_id, doc->archive_id);
  if (!kho_bagit_writer_add_file (writer, in_bag, pdf_path, doc->pdf_sha256, error))
    return FALSE;
  for (guint i = 0; i < pages->len; i++)
    {
      KhoPageRow *page = pages->pdata[i];
      g_autofree char *text = page_file (page->number, "txt");
      g_autofree char *words = page_file (page->number, "words");
      g_autofree char *text_path = g_strdup_printf ("%s/%s", doc->archive_id, text);
      g_autofree char *words_path = g_strdup_printf ("%s/%s", doc->archive_id, words);

      if (!add_text (writer, text_path, page->text ? page->text : "", error) ||
          (page->words && *page->words && !add_text (writer, words_path, page->words, error)))
        return FALSE;
    }
  xml = metadata_xml (doc, original, fields, tags, pages, events);
  g_free (in_bag);
  in_bag = g_strdup_printf ("%s/metadata.xml", doc->archive_id);
  return add_text (writer, in_bag, xml, error);
}

gboolean
kho_exchange_export (KhoArchive *archive, GArray *ids, const char *dir, const char *organization,
                     KhoExportSummary *summary, GError **error)
{
  g_autoptr (KhoBagitWriter) writer = kho_bagit_writer_new (dir, error);
  g_autofree char *agent = g_strdup_printf ("kho %s", KHO_VERSION);
  g_autofree char *count = g_strdup_printf ("%u", ids->len);
  g_autofree char *absolute = g_canonicalize_filename (dir, NULL);
  g_autofree char *detail = NULL;
  const char *const info[] = {
    "Source-Organization", organization,
    "Bag-Software-Agent", agent,
    "External-Description", "Documents of a kho archive: one folder per document under data/, "
                            "metadata.xml after Phụ lục VI of Nghị định 30/2020/NĐ-CP",
    "KHO-Document-Count", count,
    NULL,
  };

  if (writer == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!export_document (archive, writer, g_array_index (ids, gint64, i), error))
      return FALSE;
  summary->documents = ids->len;
  summary->files = kho_bagit_writer_files (writer);
  summary->bytes = kho_bagit_writer_bytes (writer);
  if (!kho_bagit_writer_finish (writer, info, error))
    return FALSE;

  /* The bag is whole: each document's history says where it went. */
  detail = g_strdup_printf ("BagIt %s", absolute);
  if (!kho_db_begin (archive->db, error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!kho_db_add_event (archive->db, g_array_index (ids, gint64, i), "export", "ok", -1, NULL,
                           detail, error))
      {
        kho_db_rollback (archive->db);
        return FALSE;
      }
  return kho_db_commit (archive->db, error);
}

/* --- import --- */

typedef struct {
  char *path;        /* in the document's folder */
  char *words_path;  /* or NULL */
} PageFiles;

typedef struct {
  char *folder;          /* "data/<archive-id>" */
  KhoDocument *doc;
  char *original;        /* paths in the folder */
  char *pdf;
  GPtrArray *fields;     /* KhoFieldRow* */
  GPtrArray *tags;       /* char* */
  GPtrArray *pages;      /* KhoPageRow*, text read from the bag */
  GArray *page_files;    /* PageFiles */
  GPtrArray *events;     /* KhoEventRow* */
  char *existing_id;     /* the archive has it already */
} ImportDoc;

static void
import_doc_free (ImportDoc *d)
{
  g_free (d->folder);
  kho_document_free (d->doc);
  g_free (d->original);
  g_free (d->pdf);
  g_ptr_array_unref (d->fields);
  g_ptr_array_unref (d->tags);
  g_ptr_array_unref (d->pages);
  for (guint i = 0; i < d->page_files->len; i++)
    {
      g_free (g_array_index (d->page_files, PageFiles, i).path);
      g_free (g_array_index (d->page_files, PageFiles, i).words_path);
    }
  g_array_unref (d->page_files);
  g_ptr_array_unref (d->events);
  g_free (d->existing_id);
  g_free (d);
}

void
kho_import_result_free (KhoImportResult *result)
{
  if (result == NULL)
    return;
  g_free (result->archive_id);
  g_free (result->existing_id);
  g_free (result);
}

typedef struct {
  ImportDoc *d;
  GString *text;
  char *field;           /* the field whose element is open, or NULL */
  char *source;
  GPtrArray *recipients; /* inside <Recipients> */
  KhoEventRow *event;    /* inside <Event> */
  gboolean root_seen;
} Parser;

static const char *
attribute (const char **names, const char **values, const char *name)
{
  for (int i = 0; names[i]; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

/* The integer attribute @name, or @fallback when absent. */
static gint64
int_attribute (const char **names, const char **values, const char *name, gint64 fallback)
{
  const char *value = attribute (names, values, name);

  return value ? g_ascii_strtoll (value, NULL, 10) : fallback;
}

static void
on_start (GMarkupParseContext *context, const char *element, const char **names,
          const char **values, gpointer data, GError **error)
{
  Parser *p = data;
  ImportDoc *d = p->d;
  const char *field = field_of_element (element);

  (void) context;
  g_string_truncate (p->text, 0);
  if (!p->root_seen)
    {
      p->root_seen = TRUE;
      if (strcmp (element, "Document") != 0)
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                     _("the root element is <%s>, not <Document>"), element);
      return;
    }
  if (field || strcmp (element, "Field") == 0)
    {
      g_free (p->field);
      g_free (p->source);
      p->field = g_strdup (field ? field : attribute (names, values, "name"));
      p->source = g_strdup (attribute (names, values, "source"));
      if (field && strcmp (field, "recipients") == 0)
        p->recipients = g_ptr_array_new_with_free_func (g_free);
    }
  else if (strcmp (element, "Part") == 0)
    {
      d->doc->part = (int) int_attribute (names, values, "number", 0);
      d->doc->first_page = (int) int_attribute (names, values, "firstPage", 0);
      d->doc->last_page = (int) int_attribute (names, values, "lastPage", 0);
    }
  else if (strcmp (element, "Original") == 0)
    {
      d->original = g_strdup (attribute (names, values, "path"));
      d->doc->file_name = g_strdup (attribute (names, values, "fileName"));
      d->doc->format = g_strdup (attribute (names, values, "format"));
      d->doc->size = int_attribute (names, values, "size", -1);
      d->doc->sha256 = g_strdup (attribute (names, values, "sha256"));
    }
  else if (strcmp (element, "ArchivalCopy") == 0)
    {
      d->pdf = g_strdup (attribute (names, values, "path"));
      d->doc->pdf_size = int_attribute (names, values, "size", -1);
      d->doc->pdf_sha256 = g_strdup (attribute (names, values, "sha256"));
    }
  else if (strcmp (element, "Page") == 0)
    {
      KhoPageRow *page = g_new0 (KhoPageRow, 1);
      PageFiles files = {
        g_strdup (attribute (names, values, "text")),
        g_strdup (attribute (names, values, "words")),
      };
      const char *skew = attribute (names, values, "skew");
      const char *confidence = attribute (names, values, "confidence");

      page->number = (int) int_attribute (names, values, "number", 0);
      page->width = (int) int_attribute (names, values, "width", 0);
      page->height = (int) int_attribute (names, values, "height", 0);
      page->dpi = (int) int_attribute (names, values, "dpi", 0);
      page->rotation = (int) int_attribute (names, values, "rotation", 0);
      page->skew = skew ? g_ascii_strtod (skew, NULL) : 0.0;
      page->text_source = g_strdup (attribute (names, values, "textSource"));
      page->confidence = confidence ? g_ascii_strtod (confidence, NULL) : 0.0;
      page->blank = g_strcmp0 (attribute (names, values, "blank"), "true") == 0;
      g_ptr_array_add (d->pages, page);
      g_array_append_val (d->page_files, files);
    }
  else if (strcmp (element, "Event") == 0)
    {
      kho_event_row_free (p->event);
      p->event = g_new0 (KhoEventRow, 1);
      p->event->time = g_strdup (attribute (names, values, "time"));
      p->event->stage = g_strdup (attribute (names, values, "stage"));
      p->event->status = g_strdup (attribute (names, values, "status"));
      p->event->duration_ms = int_attribute (names, values, "durationMs", -1);
      p->event->actor = g_strdup (attribute (names, values, "actor"));
    }
}

static void
on_end (GMarkupParseContext *context, const char *element, gpointer data, GError **error)
{
  Parser *p = data;
  ImportDoc *d = p->d;
  const char *text = p->text->str;

  (void) context;
  (void) error;
  if (strcmp (element, "Recipient") == 0 && p->recipients)
    g_ptr_array_add (p->recipients, g_strdup (text));
  else if (p->field && (field_of_element (element) || strcmp (element, "Field") == 0))
    {
      KhoFieldRow *row = g_new0 (KhoFieldRow, 1);

      row->name = g_steal_pointer (&p->field);
      row->source = g_strdup (g_strcmp0 (p->source, "user") == 0 ? "user" : "auto");
      if (p->recipients)
        {
          g_autoptr (JsonBuilder) builder = json_builder_new ();
          g_autoptr (JsonNode) root = NULL;

          json_builder_begin_array (builder);
          for (guint i = 0; i < p->recipients->len; i++)
            json_builder_add_string_value (builder, p->recipients->pdata[i]);
          json_builder_end_array (builder);
          root = json_builder_get_root (builder);
          row->value = json_to_string (root, FALSE);
          g_clear_pointer (&p->recipients, g_ptr_array_unref);
        }
      else
        row->value = g_strdup (text);
      g_ptr_array_add (d->fields, row);
    }
  else if (strcmp (element, "ArchiveID") == 0)
    d->doc->archive_id = g_strdup (text);
  else if (strcmp (element, "PageAmount") == 0)
    d->doc->page_count = atoi (text);
  else if (strcmp (element, "Language") == 0)
    d->doc->language = g_strdup (text);
  else if (strcmp (element, "Description") == 0)
    d->doc->title = g_strdup (text);
  else if (strcmp (element, "Created") == 0)
    d->doc->created = g_strdup (text);
  else if (strcmp (element, "Tag") == 0)
    g_ptr_array_add (d->tags, g_strdup (text));
  else if (strcmp (element, "Event") == 0 && p->event)
    {
      p->event->detail = p->text->len ? g_strdup (text) : NULL;
      g_ptr_array_add (d->events, g_steal_pointer (&p->event));
    }
  g_string_truncate (p->text, 0);
}

static void
on_text (GMarkupParseContext *context, const char *text, gsize length, gpointer data,
         GError **error)
{
  Parser *p = data;

  (void) context;
  (void) error;
  g_string_append_len (p->text, text, (gssize) length);
}

/* Sets @error: the bag @dir's file @file is not what kho wrote. */
static gboolean refuse (GError **error, const char *dir, const char *file, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
refuse (GError **error, const char *dir, const char *file, const char *format, ...)
{
  va_list args;
  g_autofree char *reason = NULL;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_INVALID, _("bag %s: %s: %s"), dir, file,
               reason);
  return FALSE;
}

/* The payload file @name of @d's folder, checked against @sha256 when
 * given; NULL with @error when the bag does not have it. */
static const KhoBagitFile *
document_file (KhoBagit *bag, ImportDoc *d, const char *xml, const char *name,
               const char *sha256, GError **error)
{
  g_autofree char *path = NULL;
  const KhoBagitFile *file;

  if (name == NULL || !kho_bagit_path_is_safe (name))
    {
      refuse (error, bag->root, xml, _("a file path is missing or not inside the folder"));
      return NULL;
    }
  path = g_strconcat (d->folder, "/", name, NULL);
  file = g_hash_table_lookup (bag->by_path, path);
  if (file == NULL)
    refuse (error, bag->root, xml, _("names %s, which is not in the bag's manifest"), path);
  else if (sha256 && strcmp (file->sha256, sha256) != 0)
    {
      refuse (error, bag->root, path, _("SHA-256 is %s, metadata.xml says %s"), file->sha256,
              sha256);
      return NULL;
    }
  return file;
}

static char *
read_bag_text (KhoBagit *bag, ImportDoc *d, const char *xml, const char *name, GError **error)
{
  const KhoBagitFile *file = document_file (bag, d, xml, name, NULL, error);
  g_autofree char *path = NULL;
  char *text = NULL;

  if (file == NULL)
    return NULL;
  path = g_build_filename (bag->root, file->path, NULL);
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    {
      refuse (error, bag->root, file->path, "%s", _("not UTF-8"));
      g_clear_pointer (&text, g_free);
    }
  return text;
}

/* Reads and checks data/@id/metadata.xml and the files it names. */
static ImportDoc *
read_document (KhoBagit *bag, const char *xml_path, GError **error)
{
  g_autofree char *path = g_build_filename (bag->root, xml_path, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) local = NULL;
  static const GMarkupParser parser_funcs = { on_start, on_end, on_text, NULL, NULL };
  GMarkupParseContext *context;
  ImportDoc *d = g_new0 (ImportDoc, 1);
  Parser p = { .d = d, .text = g_string_new (NULL) };
  gsize length;
  gboolean ok;

  d->folder = g_path_get_dirname (xml_path);
  d->doc = g_new0 (KhoDocument, 1);
  d->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_field_row_free);
  d->tags = g_ptr_array_new_with_free_func (g_free);
  d->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_page_row_free);
  d->page_files = g_array_new (FALSE, TRUE, sizeof (PageFiles));
  d->events = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_event_row_free);
  if (!g_file_get_contents (path, &contents, &length, &local))
    goto fail;
  context = g_markup_parse_context_new (&parser_funcs, G_MARKUP_PREFIX_ERROR_POSITION, &p, NULL);
  ok = g_markup_parse_context_parse (context, contents, (gssize) length, &local) &&
       g_markup_parse_context_end_parse (context, &local);
  g_markup_parse_context_free (context);
  g_string_free (p.text, TRUE);
  g_free (p.field);
  g_free (p.source);
  g_clear_pointer (&p.recipients, g_ptr_array_unref);
  kho_event_row_free (p.event);
  if (!ok)
    goto fail;

  if (d->doc->archive_id == NULL || kho_id_parse (d->doc->archive_id, NULL) != KHO_ID_ARCHIVE ||
      strcmp (d->folder + strlen ("data/"), d->doc->archive_id) != 0)
    {
      refuse (error, bag->root, xml_path, _("<ArchiveID> is not an archive ID named as its folder"));
      goto out_fail;
    }
  if (d->doc->sha256 == NULL || d->doc->pdf_sha256 == NULL || d->doc->file_name == NULL ||
      d->doc->format == NULL || d->doc->created == NULL)
    {
      refuse (error, bag->root, xml_path, _("<Original>, <ArchivalCopy> or <Created> is missing"));
      goto out_fail;
    }
  if (document_file (bag, d, xml_path, d->original, d->doc->sha256, error) == NULL ||
      document_file (bag, d, xml_path, d->pdf, d->doc->pdf_sha256, error) == NULL)
    goto out_fail;
  for (guint i = 0; i < d->pages->len; i++)
    {
      KhoPageRow *page = d->pages->pdata[i];
      PageFiles *files = &g_array_index (d->page_files, PageFiles, i);

      if (g_strcmp0 (page->text_source, "ocr") != 0 && g_strcmp0 (page->text_source, "pdf") != 0 &&
          g_strcmp0 (page->text_source, "none") != 0)
        {
          g_free (page->text_source);
          page->text_source = g_strdup ("none");
        }
      if ((page->text = read_bag_text (bag, d, xml_path, files->path, error)) == NULL ||
          (files->words_path &&
           (page->words = read_bag_text (bag, d, xml_path, files->words_path, error)) == NULL))
        goto out_fail;
    }
  return d;

fail:
  refuse (error, bag->root, xml_path, "%s", local->message);
out_fail:
  import_doc_free (d);
  return NULL;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Every document of the bag, checked; NULL with @error at the first fault. */
static GPtrArray *
read_documents (KhoBagit *bag, GError **error)
{
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) import_doc_free);
  g_autoptr (GPtrArray) xmls = g_ptr_array_new ();

  for (guint i = 0; i < bag->payload->len; i++)
    {
      KhoBagitFile *file = bag->payload->pdata[i];
      g_auto (GStrv) parts = g_strsplit (file->path, "/", -1);

      if (g_strv_length (parts) == 3 && strcmp (parts[2], "metadata.xml") == 0)
        g_ptr_array_add (xmls, file->path);
    }
  if (xmls->len == 0)
    {
      refuse (error, bag->root, "data/", "%s",
              _("no data/ID/metadata.xml: not a bag of kho documents"));
      return NULL;
    }
  g_ptr_array_sort (xmls, compare_strings);
  for (guint i = 0; i < xmls->len; i++)
    {
      ImportDoc *d = read_document (bag, xmls->pdata[i], error);

      if (d == NULL)
        return NULL;
      g_ptr_array_add (docs, d);
    }
  return g_steal_pointer (&docs);
}

/* The bag's file @name of @d's folder, mapped, checked against @sha256. */
static GBytes *
map_checked (KhoBagit *bag, ImportDoc *d, const char *name, const char *sha256, GError **error)
{
  g_autofree char *path = g_build_filename (bag->root, d->folder, name, NULL);
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, error);
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *actual = NULL;

  if (mapped == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (mapped);
  actual = kho_store_sha256_bytes (bytes);
  /* Checked again as it is read: the bag may have changed since it was
   * validated, and what the store keeps must be what the catalogue says. */
  if (strcmp (actual, sha256) != 0)
    {
      refuse (error, bag->root, path, _("SHA-256 is %s, metadata.xml says %s"), actual, sha256);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static gboolean
restore_rows (KhoArchive *archive, ImportDoc *d, const char *detail, GError **error)
{
  KhoDb *db = archive->db;

  if (kho_db_import_document (db, d->doc, error) < 0)
    return FALSE;
  for (guint i = 0; i < d->pages->len; i++)
    if (!kho_db_insert_page (db, d->doc->id, d->pages->pdata[i], error))
      return FALSE;
  for (guint i = 0; i < d->fields->len; i++)
    {
      KhoFieldRow *row = d->fields->pdata[i];

      if (!kho_db_set_field (db, d->doc->id, row->name, row->value, row->source, error))
        return FALSE;
    }
  for (guint i = 0; i < d->tags->len; i++)
    if (!kho_db_add_tag (db, d->doc->id, d->tags->pdata[i], error))
      return FALSE;
  for (guint i = 0; i < d->events->len; i++)
    {
      KhoEventRow *event = d->events->pdata[i];

      if (!kho_db_add_event_at (db, d->doc->id, event->time, event->stage, event->status,
                                event->duration_ms, event->actor, event->detail, error))
        return FALSE;
    }
  return kho_db_index_document (db, d->doc->id, error) &&
         kho_db_add_event (db, d->doc->id, "import", "ok", -1, NULL, detail, error);
}

/* Stores @d's files, then its rows in one transaction; on failure the
 * files it added are removed again. */
static gboolean
restore_document (KhoArchive *archive, KhoBagit *bag, ImportDoc *d, const char *detail,
                  GError **error)
{
  g_autoptr (GBytes) original = map_checked (bag, d, d->original, d->doc->sha256, error);
  g_autoptr (GBytes) pdf = original ? map_checked (bag, d, d->pdf, d->doc->pdf_sha256, error)
                                    : NULL;
  g_autofree char *original_path = kho_store_original_path (archive->root, d->doc->sha256);
  g_autofree char *pdf_path = kho_store_pdf_path (archive->root, d->doc->archive_id);
  gboolean had_original = g_file_test (original_path, G_FILE_TEST_EXISTS);

  if (pdf == NULL)
    return FALSE;
  d->doc->size = (gint64) g_bytes_get_size (original);
  d->doc->pdf_size = (gint64) g_bytes_get_size (pdf);
  if (!kho_store_put_original (archive->root, d->doc->sha256, original, error) ||
      !kho_store_write_atomic (archive->root, pdf_path, pdf, error))
    goto fail;
  if (!kho_db_begin (archive->db, error))
    goto fail;
  if (!restore_rows (archive, d, detail, error))
    {
      kho_db_rollback (archive->db);
      goto fail;
    }
  if (!kho_db_commit (archive->db, error))
    goto fail;
  return TRUE;

fail:
  kho_store_remove (pdf_path, NULL);
  if (!had_original)
    kho_store_remove (original_path, NULL);
  return FALSE;
}

GPtrArray *
kho_exchange_import (const char *dir, const char *root, GError **error)
{
  g_autoptr (KhoBagit) bag = kho_bagit_open (dir, error);
  g_autoptr (GPtrArray) docs = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autofree char *absolute = g_canonicalize_filename (dir, NULL);
  g_autofree char *detail = NULL;

  if (bag == NULL || (docs = read_documents (bag, error)) == NULL)
    return NULL;
  /* Only a bag found whole makes or changes an archive. */
  archive = kho_archive_init (root, NULL, error);
  if (archive == NULL)
    return NULL;
  for (guint i = 0; i < docs->len; i++)
    {
      ImportDoc *d = docs->pdata[i];
      g_autoptr (GError) local = NULL;
      g_autoptr (KhoDocument) same = kho_db_find_part (archive->db, d->doc->sha256, d->doc->part,
                                                       &local);

      if (local)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (same)
        {
          d->existing_id = g_strdup (same->archive_id);
          continue;
        }
      if (kho_db_resolve (archive->db, d->doc->archive_id, &local) >= 0)
        {
          g_set_error (error, KHO_DB_ERROR, KHO_DB_ERROR_AMBIGUOUS,
                       _("%s: the archive has another document under this ID; nothing was "
                         "imported"), d->doc->archive_id);
          return NULL;
        }
    }
  {
    const char *date = g_hash_table_lookup (bag->info, "Bagging-Date");

    detail = g_strdup_printf ("BagIt %s%s%s", absolute, date ? ", bagged " : "", date ? date : "");
  }
  results = g_ptr_array_new_with_free_func ((GDestroyNotify) kho_import_result_free);
  for (guint i = 0; i < docs->len; i++)
    {
      ImportDoc *d = docs->pdata[i];
      KhoImportResult *result = g_new0 (KhoImportResult, 1);

      result->archive_id = g_strdup (d->doc->archive_id);
      result->pages = (int) d->pages->len;
      if (d->existing_id)
        {
          result->status = KHO_IMPORT_DUPLICATE;
          result->existing_id = g_strdup (d->existing_id);
        }
      else if (!restore_document (archive, bag, d, detail, error))
        {
          g_prefix_error (error, "%s: ", d->doc->archive_id);
          kho_import_result_free (result);
          return NULL;
        }
      g_ptr_array_add (results, result);
    }
  return g_steal_pointer (&results);
}
