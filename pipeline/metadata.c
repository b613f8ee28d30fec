/* metadata.c — the classify stage: type and fields of a document. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/metadata.h"

#include <string.h>

#include <json-glib/json-glib.h>

KhoClassifier *
kho_classifier_new (KhoArchive *archive)
{
  KhoClassifier *classifier = g_new0 (KhoClassifier, 1);
  g_autofree char *override = g_build_filename (archive->root, "doctypes.conf", NULL);
  g_autofree char *body = NULL;
  g_autoptr (GError) error = NULL;

  classifier->rules = kho_type_rules_load (override, &error);
  if (classifier->rules == NULL)
    {
      g_warning ("%s; using the built-in document types", error->message);
      g_clear_error (&error);
      classifier->rules = kho_type_rules_load (NULL, NULL);
    }
  body = kho_db_load_model (archive->db, "type", NULL);
  if (body)
    {
      classifier->model = kho_type_model_parse (body, &error);
      if (classifier->model == NULL)
        g_warning ("the learned model of document types is damaged (%s): run kho train",
                   error->message);
    }
  return classifier;
}

void
kho_classifier_free (KhoClassifier *classifier)
{
  if (classifier == NULL)
    return;
  kho_type_rules_free (classifier->rules);
  kho_type_model_free (classifier->model);
  g_free (classifier);
}

KhoFields *
kho_classifier_run (KhoClassifier *classifier, const char *text,
                    KhoClassification *classification)
{
  KhoFields *fields = kho_fields_extract (text);

  *classification = kho_classify (classifier->rules, classifier->model, text, fields);
  return fields;
}

static char *
recipients_json (GPtrArray *recipients)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  if (recipients == NULL || recipients->len == 0)
    return NULL;
  json_builder_begin_array (builder);
  for (guint i = 0; i < recipients->len; i++)
    json_builder_add_string_value (builder, recipients->pdata[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

void
kho_metadata_values (const KhoFields *fields, const KhoClassification *classification,
                     KhoMetadataValue values[KHO_METADATA_N])
{
  const KhoDocType *type = classification->type;
  const KhoMetadataValue all[KHO_METADATA_N] = {
    { "type", type ? type->name : KHO_TYPE_UNCLASSIFIED },
    { "type_code", type ? type->code : NULL },
    { "number", fields->number },
    { "year", fields->year },
    { "notation", fields->notation },
    { "place", fields->place },
    { "issued", fields->issued },
    { "issuer", fields->issuer },
    { "subject", fields->subject },
    { "signer_position", fields->signer_position },
    { "signer_name", fields->signer_name },
    { "urgency", fields->urgency },
    { "secrecy", fields->secrecy },
  };

  memcpy (values, all, sizeof all);
}

gboolean
kho_metadata_store (KhoDb *db, gint64 id, const KhoFields *fields,
                    const KhoClassification *classification, GError **error)
{
  const KhoDocType *type = classification->type;
  g_autofree char *recipients = recipients_json (fields->recipients);
  g_autofree char *confidence = g_strdup_printf ("%.2f", classification->confidence);
  g_autofree char *retention = type ? g_strdup_printf ("%d", type->retention) : NULL;
  KhoMetadataValue values[KHO_METADATA_N];

  kho_metadata_values (fields, classification, values);
  for (guint i = 0; i < KHO_METADATA_N; i++)
    if (!kho_db_set_field (db, id, values[i].name, values[i].value, "auto", error))
      return FALSE;
  return kho_db_set_field (db, id, "type_confidence", confidence, "auto", error) &&
         kho_db_set_field (db, id, "retention", retention, "auto", error) &&
         kho_db_set_field (db, id, "recipients", recipients, "auto", error);
}

char *
kho_classification_describe (const KhoClassification *classification)
{
  return g_strdup_printf ("%s (%s, %.2f)",
                          classification->type ? classification->type->name
                                               : KHO_TYPE_UNCLASSIFIED,
                          classification->reason ? classification->reason : "none",
                          classification->confidence);
}
