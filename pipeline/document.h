/* document.h — a document as JSON: what kho show --json prints and
 * GET /api/documents/ID serves. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "pipeline/archive.h"

G_BEGIN_DECLS

/* @doc with its @pages (KhoPageRow*), @events (KhoEventRow*), @tags
 * (char*) and metadata @fields (KhoFieldRow*); with @paths, where its
 * original and PDF/A are on this machine (kho show; not the web API). */
JsonNode *kho_document_json (KhoArchive *archive, KhoDocument *doc, GPtrArray *pages,
                             GPtrArray *events, GPtrArray *tags, GPtrArray *fields,
                             gboolean paths);
/* The same, reading them from the archive. */
JsonNode *kho_document_json_load (KhoArchive *archive, KhoDocument *doc, gboolean paths,
                                  GError **error);

/* Adds member @name with @value, or null when @value is NULL. */
void kho_json_add_string (JsonBuilder *builder, const char *name, const char *value);
/* Adds member @name with @value. */
void kho_json_add_int (JsonBuilder *builder, const char *name, gint64 value);

/* The value of field @name in @fields (KhoFieldRow*), or NULL. */
const char *kho_document_field (GPtrArray *fields, const char *name);

G_END_DECLS
