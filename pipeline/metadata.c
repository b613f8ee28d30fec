/* metadata.c — the classify stage: type and fields of a document. */
#define G_LOG_DOMAIN "kho-pipeline"
#include "pipeline/metadata.h"

#include <string.h>

#include <stdlib.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "config.h"

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

/* --- corrections by a person (kho edit, kho serve) --- */

/* The fields kho edit may set. */
const char *const kho_metadata_editable[KHO_METADATA_N_EDITABLE] = {
  "type", "number", "year", "notation", "place", "issued", "issuer", "subject",
  "signer_position", "signer_name", "recipients", "urgency", "secrecy", "retention",
};

gboolean
kho_metadata_is_editable (const char *name)
{
  for (guint i = 0; i < KHO_METADATA_N_EDITABLE; i++)
    if (strcmp (name, kho_metadata_editable[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Checks and normalises @value for field @name: a known type, a valid
 * date, recipients "a; b" as a JSON list, retention in years.  NULL with
 * @error when it cannot be one. */
char *
kho_metadata_edit_value (KhoTypeRules *rules, const char *name, const char *value, char **type_code,
            GError **error)
{
  g_autofree char *nfc = g_utf8_normalize (value, -1, G_NORMALIZE_NFC);

  if (nfc == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("%s: not UTF-8 text"), name);
      return NULL;
    }
  g_strstrip (nfc);
  if (*nfc == '\0')
    return g_strdup ("");  /* clears the field */
  if (strcmp (name, "type") == 0)
    {
      const KhoDocType *type = kho_type_rules_by_name (rules, nfc);

      if (type == NULL)
        type = kho_type_rules_by_code (rules, nfc);
      if (type == NULL && g_strcmp0 (nfc, KHO_TYPE_UNCLASSIFIED) != 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("type: “%s” is not a known type (see index/doctypes.conf)"), nfc);
          return NULL;
        }
      *type_code = type && type->code ? g_strdup (type->code) : g_strdup ("");
      return g_strdup (type ? type->name : KHO_TYPE_UNCLASSIFIED);
    }
  if (strcmp (name, "issued") == 0)
    {
      char *iso = kho_fields_parse_date (nfc);

      if (iso == NULL)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("issued: “%s” is not a date (28/04/2023)"), nfc);
      return iso;
    }
  if (strcmp (name, "retention") == 0)
    {
      g_autofree char *folded = g_utf8_casefold (nfc, -1);
      char *end = NULL;
      long years;

      if (strcmp (folded, "vĩnh viễn") == 0 || strcmp (folded, "permanent") == 0)
        return g_strdup ("0");
      years = strtol (nfc, &end, 10);
      if (end == nfc || *end || years < 0 || years > 200)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("retention: give years (10) or “vĩnh viễn”"));
          return NULL;
        }
      return g_strdup_printf ("%ld", years);
    }
  if (strcmp (name, "recipients") == 0)
    {
      g_auto (GStrv) items = g_strsplit (nfc, ";", -1);
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (int i = 0; items[i]; i++)
        if (*g_strstrip (items[i]))
          json_builder_add_string_value (builder, items[i]);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      return json_to_string (root, FALSE);
    }
  /* Lines of the issuer and of the signer's position: "/" or "\n". */
  if (strcmp (name, "issuer") == 0 || strcmp (name, "signer_position") == 0)
    {
      g_auto (GStrv) lines = g_regex_split_simple ("\\s*(?:/|\\\\n)\\s*", nfc, 0, 0);

      return g_strjoinv ("\n", lines);
    }
  return g_steal_pointer (&nfc);
}

gboolean
kho_metadata_apply (KhoArchive *archive, const KhoDocument *doc, GArray *edits,
                    const char *actor, GError **error)
{
  KhoDb *db = archive->db;

  if (!kho_db_begin (db, error))
    return FALSE;
  for (guint i = 0; i < edits->len; i++)
    {
      KhoMetadataEdit *edit = &g_array_index (edits, KhoMetadataEdit, i);
      g_autofree char *old = kho_db_get_field (db, doc->id, edit->name);
      g_autofree char *detail = g_strdup_printf ("%s: %s → %s", edit->name, old ? old : "-",
                                                 *edit->value ? edit->value : "-");

      if (!kho_db_set_field (db, doc->id, edit->name, edit->value, "user", error) ||
          !kho_db_add_event (db, doc->id, "edit", "ok", -1, actor, detail, error))
        goto fail;
    }
  if (g_strcmp0 (doc->status, "archived") == 0 && !kho_db_index_document (db, doc->id, error))
    goto fail;
  return kho_db_commit (db, error);

fail:
  kho_db_rollback (db);
  return FALSE;
}
