/* cmd-export.c — the commands that take documents out of the archive and
 * back: export (a BagIt bag), import (from one) and backup (a copy of the
 * whole archive while it is in use). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "config.h"
#include "index/db.h"
#include "index/search.h"
#include "pipeline/backup.h"
#include "pipeline/cli.h"
#include "pipeline/document.h"
#include "pipeline/exchange.h"
#include "store/bagit.h"

/* --- kho export --- */

/* Adds the row id of each reference in @list ("A,B C") to @ids, once. */
static gboolean
add_references (KhoArchive *archive, const char *list, GArray *ids, GHashTable *seen)
{
  g_auto (GStrv) parts = g_regex_split_simple ("[,\\s]+", list, 0, 0);

  for (int i = 0; parts[i]; i++)
    {
      g_autoptr (KhoDocument) doc = NULL;

      if (*parts[i] == '\0')
        continue;
      doc = cli_lookup (archive, parts[i]);
      if (doc == NULL)
        return FALSE;
      if (g_hash_table_add (seen, g_memdup2 (&doc->id, sizeof doc->id)))
        g_array_append_val (ids, doc->id);
    }
  return TRUE;
}

/* The documents @query finds, best first. */
static gboolean
add_query (KhoArchive *archive, const char *query, GArray *ids, GHashTable *seen)
{
  KhoSearchOptions options;

  kho_search_options_init (&options);
  options.limit = 1000;
  for (options.offset = 0;; options.offset += options.limit)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) hits = kho_search_run (kho_db_handle (archive->db), query, &options,
                                                   &error);

      if (hits == NULL)
        {
          cli_print_error (error->message);
          return FALSE;
        }
      for (guint i = 0; i < hits->len; i++)
        {
          KhoSearchHit *hit = hits->pdata[i];

          if (g_hash_table_add (seen, g_memdup2 (&hit->document_id, sizeof (gint64))))
            g_array_append_val (ids, hit->document_id);
        }
      if (hits->len < (guint) options.limit)
        return TRUE;
    }
}

int
cli_command_export (int argc, char **argv)
{
  static char *bagit = NULL, *query = NULL, *organization = NULL;
  static char **id_lists = NULL;
  static gboolean all = FALSE;
  static const GOptionEntry entries[] = {
    { "bagit", 0, 0, G_OPTION_ARG_FILENAME, &bagit,
      N_("Write a BagIt bag (RFC 8493) into DIR, which must not exist or be empty"), N_("DIR") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Every archived document"), NULL },
    { "ids", 0, 0, G_OPTION_ARG_STRING_ARRAY, &id_lists,
      N_("These documents (IDs separated by commas; more may follow as arguments)"), N_("ID,…") },
    { "query", 'q', 0, G_OPTION_ARG_STRING, &query,
      N_("The documents a search finds (as kho search)"), N_("QUERY") },
    { "organization", 0, 0, G_OPTION_ARG_STRING, &organization,
      N_("Source-Organization of the bag (default: [archive] organization in kho.conf, "
         "else the archive's ID prefix)"), N_("NAME") },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *source = NULL;
  KhoExportSummary summary = { 0 };
  int ways;

  if (!cli_parse_options ("export", N_("--bagit DIR (--all | --ids ID,… | --query QUERY)"),
                          N_("Write documents with their originals, archival PDFs, texts, "
                             "metadata (Nghị định 30/2020, Phụ lục VI) and history as a BagIt "
                             "bag, for another archive or an inspector."),
                          entries, TRUE, &argc, &argv))
    return EXIT_USAGE;
  ways = (all ? 1 : 0) + (id_lists || argc > 1 ? 1 : 0) + (query ? 1 : 0);
  if (bagit == NULL || ways != 1 || (argc > 1 && id_lists == NULL))
    {
      cli_print_error (_("export: give --bagit DIR and one of --all, --ids ID,…, --query QUERY"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (all)
    {
      g_autoptr (GArray) archived = kho_db_list_archived (archive->db, &error);

      if (archived == NULL)
        {
          cli_print_error (error->message);
          return EXIT_FAILURE;
        }
      g_array_append_vals (ids, archived->data, archived->len);
    }
  for (int i = 0; id_lists && id_lists[i]; i++)
    if (!add_references (archive, id_lists[i], ids, seen))
      return EXIT_FAILURE;
  for (int i = 1; i < argc; i++)
    if (!add_references (archive, argv[i], ids, seen))
      return EXIT_FAILURE;
  if (query && !add_query (archive, query, ids, seen))
    return EXIT_FAILURE;
  if (ids->len == 0)
    {
      cli_print_error (_("export: no documents to export"));
      return EXIT_FAILURE;
    }
  if (organization == NULL)
    {
      source = archive->organization && *archive->organization
                 ? g_strdup (archive->organization)
                 : g_strdup_printf ("kho %s", archive->prefix);
    }
  if (!kho_exchange_export (archive, ids, bagit, organization ? organization : source, &summary,
                            &error))
    {
      g_autofree char *message = g_strdup_printf (_("export: %s"), error->message);
      cli_print_error (message);
      return EXIT_FAILURE;
    }
  if (cli_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "bag");
      json_builder_add_string_value (builder, bagit);
      kho_json_add_int (builder, "documents", summary.documents);
      kho_json_add_int (builder, "files", summary.files);
      kho_json_add_int (builder, "bytes", summary.bytes);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      cli_print_json (node, FALSE);
    }
  else
    {
      g_autofree char *bytes = cli_count_text (summary.bytes);

      /* TRANSLATORS: documents, the bag's folder, its files and bytes. */
      printf (ngettext ("Exported %u document to the bag %s (%u files, %s bytes).\n",
                        "Exported %u documents to the bag %s (%u files, %s bytes).\n",
                        summary.documents),
              summary.documents, bagit, summary.files, bytes);
    }
  return EXIT_SUCCESS;
}

/* --- kho import --- */

int
cli_command_import (int argc, char **argv)
{
  static char *bagit = NULL;
  static const GOptionEntry entries[] = {
    { "bagit", 0, 0, G_OPTION_ARG_FILENAME, &bagit,
      N_("Restore the documents of the BagIt bag in DIR (made by kho export)"), N_("DIR") },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = NULL;
  guint restored = 0, duplicates = 0;

  if (!cli_parse_options ("import", N_("--bagit DIR"),
                          N_("Check a bag made by kho export, then restore its documents "
                             "under their archive IDs, without OCR.  A bag with any file "
                             "missing, added or changed is refused whole."),
                          entries, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (bagit == NULL || argc > 1)
    {
      cli_print_error (_("import: give --bagit DIR"));
      return EXIT_USAGE;
    }
  results = kho_exchange_import (bagit, cli_archive_path (), &error);
  if (results == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, KHO_BAGIT_ERROR, KHO_BAGIT_ERROR_INVALID))
        message = g_strdup_printf (_("import refused, nothing was imported: %s"), error->message);
      else
        message = g_strdup_printf (_("import: %s"), error->message);
      cli_print_error (message);
      return EXIT_FAILURE;
    }
  for (guint i = 0; i < results->len; i++)
    {
      KhoImportResult *result = results->pdata[i];
      gboolean duplicate = result->status == KHO_IMPORT_DUPLICATE;

      restored += !duplicate;
      duplicates += duplicate;
      if (cli_json)
        {
          g_autoptr (JsonBuilder) builder = json_builder_new ();
          g_autoptr (JsonNode) node = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, result->archive_id);
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, duplicate ? "duplicate" : "restored");
          kho_json_add_string (builder, "existing", result->existing_id);
          kho_json_add_int (builder, "pages", result->pages);
          json_builder_end_object (builder);
          node = json_builder_get_root (builder);
          cli_print_json (node, FALSE);
        }
      else if (duplicate)
        printf (_("duplicate  %s  already archived as %s\n"), result->archive_id,
                result->existing_id);
      else
        /* TRANSLATORS: keep the columns of "duplicate  %s  already archived as %s". */
        printf (ngettext ("restored   %s  %d page\n", "restored   %s  %d pages\n",
                          (unsigned long) result->pages),
                result->archive_id, result->pages);
    }
  if (!cli_json)
    printf (_("Imported %u documents from %s; %u were in the archive already.\n"), restored,
            bagit, duplicates);
  return EXIT_SUCCESS;
}

/* --- kho backup --- */

int
cli_command_backup (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  KhoBackupSummary summary;

  if (!cli_parse_options ("backup", N_("DIR"),
                          N_("Copy the archive into DIR (new or empty) while kho watch or kho "
                             "serve go on: the catalogue as it is now, then the files it "
                             "records, each checked.  DIR is an archive: restore it by copying "
                             "it back."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2)
    {
      cli_print_error (_("backup: give one folder to copy the archive into"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (!kho_backup_run (archive, argv[1], &summary, &error))
    {
      g_autofree char *message = g_strdup_printf (_("backup: %s"), error->message);
      cli_print_error (message);
      return EXIT_FAILURE;
    }
  if (cli_json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "backup");
      json_builder_add_string_value (builder, argv[1]);
      kho_json_add_int (builder, "documents", summary.documents);
      kho_json_add_int (builder, "originals", summary.originals);
      kho_json_add_int (builder, "pdfs", summary.pdfs);
      kho_json_add_int (builder, "bytes", summary.bytes);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      cli_print_json (node, FALSE);
    }
  else
    {
      g_autofree char *bytes = cli_count_text (summary.bytes);

      /* TRANSLATORS: the folder; documents; originals and PDFs copied; their bytes. */
      printf (_("Archive copied to %s: %u documents, %u originals and %u PDF/A files "
                "(%s bytes), each checked against its SHA-256.\n"),
              argv[1], summary.documents, summary.originals, summary.pdfs, bytes);
    }
  return EXIT_SUCCESS;
}
