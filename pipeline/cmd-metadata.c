/* cmd-metadata.c — the commands of document metadata: edit, train, and
 * extract (the type and fields of a text, for checks and evaluation). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "config.h"
#include "index/classify.h"
#include "index/fields.h"
#include "index/db.h"
#include "pipeline/cli.h"
#include "pipeline/document.h"
#include "pipeline/metadata.h"

/* --- kho edit --- */

int
cli_command_edit (int argc, char **argv)
{
  static char **sets = NULL;
  static const GOptionEntry entries[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      N_("Set a field: type, number, year, notation, place, issued, issuer, subject, "
         "signer_position, signer_name, recipients (a; b), urgency, secrecy, retention; "
         "an empty value clears it"), N_("FIELD=VALUE") },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  g_autoptr (KhoClassifier) classifier = NULL;
  g_autoptr (GArray) edits = g_array_new (FALSE, TRUE, sizeof (KhoMetadataEdit));
  int status = EXIT_SUCCESS;

  if (!cli_parse_options ("edit", N_("ID --set FIELD=VALUE…"),
                          N_("Correct a document's fields.  A corrected type teaches kho "
                             "train; kho never overwrites a corrected field."),
                          entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2 || sets == NULL)
    {
      cli_print_error (_("edit: give one document and at least one --set FIELD=VALUE"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL || (doc = cli_lookup (archive, argv[1])) == NULL)
    return EXIT_FAILURE;
  classifier = kho_classifier_new (archive);
  for (int i = 0; sets[i]; i++)
    {
      const char *eq = strchr (sets[i], '=');
      g_autofree char *name = eq ? g_strndup (sets[i], (gsize) (eq - sets[i])) : NULL;
      g_autofree char *type_code = NULL;
      KhoMetadataEdit edit = { 0 };

      if (name == NULL || !kho_metadata_is_editable (g_strstrip (name)))
        {
          g_autofree char *message = g_strdup_printf (_("edit: “%s” is not FIELD=VALUE of an "
                                                        "editable field"), sets[i]);
          cli_print_error (message);
          status = EXIT_USAGE;
          goto out;
        }
      edit.value = kho_metadata_edit_value (classifier->rules, name, eq + 1, &type_code, &error);
      if (edit.value == NULL)
        {
          g_autofree char *message = g_strdup_printf ("edit: %s", error->message);
          cli_print_error (message);
          status = EXIT_USAGE;
          goto out;
        }
      edit.name = g_steal_pointer (&name);
      g_array_append_val (edits, edit);
      if (type_code)
        {
          KhoMetadataEdit code = { g_strdup ("type_code"), g_steal_pointer (&type_code) };
          g_array_append_val (edits, code);
        }
    }
  if (!kho_metadata_apply (archive, doc, edits, NULL, &error))
    {
      cli_print_error (error->message);
      status = EXIT_FAILURE;
      goto out;
    }
  for (guint i = 0; i < edits->len; i++)
    {
      KhoMetadataEdit *edit = &g_array_index (edits, KhoMetadataEdit, i);
      g_auto (GStrv) lines = g_strsplit (edit->value, "\n", -1);
      g_autofree char *shown = g_strjoinv (" / ", lines);

      printf (_("%s: %s set to “%s”\n"), doc->archive_id, edit->name, shown);
    }

out:
  for (guint i = 0; i < edits->len; i++)
    {
      g_free (g_array_index (edits, KhoMetadataEdit, i).name);
      g_free (g_array_index (edits, KhoMetadataEdit, i).value);
    }
  g_strfreev (g_steal_pointer (&sets));
  return status;
}

/* --- kho train --- */

int
cli_command_train (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (KhoTypeModel) model = kho_type_model_new ();
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *body = NULL;

  if (!cli_parse_options ("train", "",
                          N_("Learn document types from the documents whose type a person "
                             "confirmed with kho edit --set type=…"),
                          NULL, FALSE, &argc, &argv))
    return EXIT_USAGE;
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (!kho_db_confirmed_types (archive->db, ids, types, &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *text = kho_db_get_text (archive->db, g_array_index (ids, gint64, i),
                                               NULL);

      kho_type_model_add (model, text, types->pdata[i]);
      g_hash_table_add (distinct, types->pdata[i]);
    }
  if (g_hash_table_size (distinct) < 2)
    {
      cli_print_error (_("train: confirm the type of documents of at least two types first "
                         "(kho edit ID --set type=…)"));
      return EXIT_FAILURE;
    }
  body = kho_type_model_serialize (model);
  if (!kho_db_save_model (archive->db, "type", body, (int) ids->len, &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  printf (_("Learned from %u documents of %u types; new documents are classified with it.\n"),
          ids->len, g_hash_table_size (distinct));
  return EXIT_SUCCESS;
}

/* --- kho extract --- */

static JsonNode *
extract_json (const char *file, const KhoFields *fields, const KhoClassification *result)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  KhoMetadataValue values[KHO_METADATA_N];

  kho_metadata_values (fields, result, values);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, file);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, result->reason ? result->reason : "none");
  for (guint i = 0; i < KHO_METADATA_N; i++)
    {
      kho_json_add_string (b, values[i].name, values[i].value);
    }
  json_builder_set_member_name (b, "confidence");
  json_builder_add_double_value (b, result->confidence);
  json_builder_set_member_name (b, "recipients");
  json_builder_begin_array (b);
  for (guint i = 0; i < fields->recipients->len; i++)
    json_builder_add_string_value (b, fields->recipients->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

int
cli_command_extract (int argc, char **argv)
{
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (KhoClassifier) classifier = NULL;
  int failed = 0;

  if (!cli_parse_options ("extract", N_("FILE…"),
                          N_("Print the type and fields kho reads from text files (UTF-8; "
                             "pages separated by form feeds), with the archive's rules and "
                             "model when there is an archive."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc < 2)
    {
      cli_print_error (_("extract: give at least one text file"));
      return EXIT_USAGE;
    }
  archive = kho_archive_open (cli_archive_path (), NULL);
  if (archive)
    classifier = kho_classifier_new (archive);
  else
    {
      classifier = g_new0 (KhoClassifier, 1);
      classifier->rules = kho_type_rules_load (NULL, NULL);
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *nfc = NULL;
      g_autoptr (KhoFields) fields = NULL;
      g_autoptr (JsonNode) node = NULL;
      KhoClassification result;

      if (!g_file_get_contents (argv[i], &text, NULL, &error) ||
          (nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC)) == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("%s: cannot read: %s"), argv[i],
                                                      error ? error->message : _("not UTF-8"));
          cli_print_error (message);
          failed++;
          continue;
        }
      fields = kho_classifier_run (classifier, nfc, &result);
      node = extract_json (argv[i], fields, &result);
      if (cli_json)
        cli_print_json (node, FALSE);
      else
        {
          g_autofree char *description = kho_classification_describe (&result);
          printf ("%s: %s\n", argv[i], description);
        }
    }
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
