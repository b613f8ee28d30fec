/* document.c — a document as kho show --json prints it and the web API
 * serves it: one function, so the two never differ. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/document.h"

#include <string.h>

#include "index/queue.h"
#include "store/originals.h"

/* The metadata fields, in the order of Phụ lục VI of Nghị định 30/2020/NĐ-CP. */
static const char *const field_names[] = {
  "type", "type_code", "type_confidence", "number", "year", "notation", "place", "issuer",
  "subject", "signer_position", "signer_name", "recipients", "urgency", "secrecy", "retention",
};

void
kho_json_add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
kho_json_add_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

const char *
kho_document_field (GPtrArray *fields, const char *name)
{
  for (guint i = 0; fields && i < fields->len; i++)
    {
      KhoFieldRow *row = fields->pdata[i];

      if (strcmp (row->name, name) == 0)
        return row->value;
    }
  return NULL;
}

static void
add_fields (JsonBuilder *builder, GPtrArray *fields)
{
  for (guint i = 0; i < G_N_ELEMENTS (field_names); i++)
    {
      const char *name = field_names[i];
      const char *value = kho_document_field (fields, name);
      g_autoptr (JsonNode) list = NULL;

      if (g_strcmp0 (name, "recipients") == 0)
        {
          json_builder_set_member_name (builder, name);
          list = value ? json_from_string (value, NULL) : NULL;
          if (list == NULL)
            list = json_node_init_array (json_node_alloc (), json_array_new ());
          json_builder_add_value (builder, g_steal_pointer (&list));
        }
      else if (g_strcmp0 (name, "type_confidence") == 0)
        {
          json_builder_set_member_name (builder, name);
          if (value)
            json_builder_add_double_value (builder, g_ascii_strtod (value, NULL));
          else
            json_builder_add_null_value (builder);
        }
      else
        kho_json_add_string (builder, name, value);
    }
  json_builder_set_member_name (builder, "confirmed");
  json_builder_begin_array (builder);
  for (guint i = 0; fields && i < fields->len; i++)
    {
      KhoFieldRow *row = fields->pdata[i];

      if (g_strcmp0 (row->source, "user") == 0)
        json_builder_add_string_value (builder, row->name);
    }
  json_builder_end_array (builder);
}

/* A stored file: its checksum, size and, when @path is not NULL, where it is. */
static void
add_file (JsonBuilder *builder, const char *sha256, gint64 size, const char *path)
{
  json_builder_begin_object (builder);
  kho_json_add_string (builder, "sha256", sha256);
  kho_json_add_int (builder, "size", size);
  if (path)
    kho_json_add_string (builder, "path", path);
  json_builder_end_object (builder);
}

JsonNode *
kho_document_json (KhoArchive *archive, KhoDocument *doc, GPtrArray *pages, GPtrArray *events,
                   GPtrArray *tags, GPtrArray *fields, gboolean paths)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *original = paths ? kho_store_original_path (archive->root, doc->sha256)
                                    : NULL;
  g_autofree char *pdf = paths ? kho_store_pdf_path (archive->root, doc->archive_id) : NULL;

  json_builder_begin_object (builder);
  kho_json_add_string (builder, "id", doc->archive_id);
  kho_json_add_string (builder, "title", doc->title);
  kho_json_add_string (builder, "status", doc->status);
  kho_json_add_string (builder, "stage", doc->stage);
  kho_json_add_string (builder, "file_name", doc->file_name);
  kho_json_add_string (builder, "format", doc->format);
  kho_json_add_string (builder, "language", doc->language);
  kho_json_add_int (builder, "page_count", doc->page_count);
  kho_json_add_string (builder, "issued", doc->issued);
  kho_json_add_string (builder, "created", doc->created);
  kho_json_add_int (builder, "part", doc->part);
  if (doc->part > 0)
    {
      kho_json_add_int (builder, "first_page", doc->first_page);
      kho_json_add_int (builder, "last_page", doc->last_page);
    }
  add_fields (builder, fields);
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  for (guint i = 0; tags && i < tags->len; i++)
    json_builder_add_string_value (builder, tags->pdata[i]);
  json_builder_end_array (builder);
  kho_json_add_string (builder, "sha256", doc->sha256);
  json_builder_set_member_name (builder, "original");
  add_file (builder, doc->sha256, doc->size, original);
  json_builder_set_member_name (builder, "pdf");
  add_file (builder, doc->pdf_sha256, doc->pdf_size, pdf);
  /* The last check of the files by kho verify: null when never. */
  json_builder_set_member_name (builder, "fixity");
  if (doc->verified)
    {
      json_builder_begin_object (builder);
      kho_json_add_string (builder, "verified", doc->verified);
      kho_json_add_string (builder, "status", doc->fixity);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "pages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < pages->len; i++)
    {
      KhoPageRow *page = g_ptr_array_index (pages, i);

      json_builder_begin_object (builder);
      kho_json_add_int (builder, "number", page->number);
      kho_json_add_int (builder, "width", page->width);
      kho_json_add_int (builder, "height", page->height);
      kho_json_add_int (builder, "dpi", page->dpi);
      kho_json_add_int (builder, "rotation", page->rotation);
      json_builder_set_member_name (builder, "skew");
      json_builder_add_double_value (builder, page->skew);
      kho_json_add_string (builder, "text_source", page->text_source);
      json_builder_set_member_name (builder, "confidence");
      json_builder_add_double_value (builder, page->confidence);
      json_builder_set_member_name (builder, "blank");
      json_builder_add_boolean_value (builder, page->blank);
      kho_json_add_int (builder, "characters", g_utf8_strlen (page->text, -1));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      KhoEventRow *event = g_ptr_array_index (events, i);

      json_builder_begin_object (builder);
      kho_json_add_string (builder, "time", event->time);
      kho_json_add_string (builder, "stage", event->stage);
      kho_json_add_string (builder, "status", event->status);
      json_builder_set_member_name (builder, "duration_ms");
      if (event->duration_ms >= 0)
        json_builder_add_int_value (builder, event->duration_ms);
      else
        json_builder_add_null_value (builder);
      kho_json_add_string (builder, "actor", event->actor);
      kho_json_add_string (builder, "detail", event->detail);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
kho_document_json_load (KhoArchive *archive, KhoDocument *doc, gboolean paths, GError **error)
{
  g_autoptr (GPtrArray) pages = kho_db_get_pages (archive->db, doc->id, error);
  g_autoptr (GPtrArray) events = pages ? kho_db_get_events (archive->db, doc->id, error) : NULL;
  g_autoptr (GPtrArray) tags = events ? kho_db_get_tags (archive->db, doc->id, error) : NULL;
  g_autoptr (GPtrArray) fields = tags ? kho_db_get_fields (archive->db, doc->id, error) : NULL;

  if (fields == NULL)
    return NULL;
  return kho_document_json (archive, doc, pages, events, tags, fields, paths);
}
