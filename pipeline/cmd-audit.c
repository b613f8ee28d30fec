/* cmd-audit.c — the commands of proof and disposal: kho verify (fixity),
 * kho audit verify and kho audit log (the hash-chained trail), kho
 * retention and kho delete.
 *
 * Exit status: 0 all is well, 1 something is wrong (a file changed or
 * missing, an orphan, a broken chain, a deletion refused), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "index/audit.h"
#include "index/db.h"
#include "index/ids.h"
#include "pipeline/cli.h"
#include "pipeline/disposal.h"
#include "pipeline/document.h"
#include "pipeline/verify.h"

static char *
number_text (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

/* --- kho verify --- */

static void
file_json (JsonBuilder *b, const char *name, const KhoVerifyFile *file)
{
  json_builder_set_member_name (b, name);
  if (file->path == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  kho_json_add_string (b, "path", file->path);
  kho_json_add_string (b, "status", kho_fixity_status_name (file->status));
  kho_json_add_string (b, "sha256", file->actual);
  kho_json_add_string (b, "recorded", file->expected);
  kho_json_add_string (b, "error", file->reason);
  json_builder_end_object (b);
}

static void
report_json (const KhoVerifyReport *report)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  kho_json_add_int (b, "checked", report->documents->len);
  for (int s = KHO_FIXITY_OK; s <= KHO_FIXITY_UNREADABLE; s++)
    {
      kho_json_add_int (b, kho_fixity_status_name (s), report->counts[s]);
    }
  json_builder_set_member_name (b, "documents");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->documents->len; i++)
    {
      const KhoVerifyDocument *doc = report->documents->pdata[i];

      json_builder_begin_object (b);
      kho_json_add_string (b, "id", doc->archive_id);
      kho_json_add_string (b, "status", kho_fixity_status_name (doc->status));
      file_json (b, "original", &doc->original);
      file_json (b, "pdf", &doc->pdf);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "orphans");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->orphans->len; i++)
    json_builder_add_string_value (b, report->orphans->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  cli_print_json (root, TRUE);
}

/* One line on stderr for a file of @doc that is not as recorded. */
static void
print_file_problem (const KhoVerifyDocument *doc, const KhoVerifyFile *file, const char *what)
{
  g_autofree char *message = NULL;

  switch (file->status)
    {
    case KHO_FIXITY_OK:
      return;
    case KHO_FIXITY_CHANGED:
      message = file->actual ? g_strdup_printf (_("%s %s has changed: SHA-256 %s, recorded %s"),
                                                what, file->path, file->actual, file->expected)
                             : g_strdup_printf ("%s %s: %s", what, file->path, file->reason);
      break;
    case KHO_FIXITY_MISSING:
      /* TRANSLATORS: the first %s is "original" or "archival PDF". */
      message = g_strdup_printf (_("%s %s is missing"), what, file->path);
      break;
    case KHO_FIXITY_UNREADABLE:
    default:
      message = g_strdup_printf (_("%s %s cannot be read: %s"), what, file->path,
                                 file->reason ? file->reason : "");
      break;
    }
  {
    g_autofree char *line = g_strdup_printf ("%s: %s", doc->archive_id, message);
    cli_print_error (line);
  }
}

int
cli_command_verify (int argc, char **argv)
{
  static gboolean all = FALSE;
  static int oldest = 0;
  static const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Check every document (the default)"), NULL },
    { "oldest", 0, 0, G_OPTION_ARG_INT, &oldest,
      N_("Check the N documents checked longest ago (for a nightly timer)"), "N" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  KhoVerifyReport report;
  int status;

  if (!cli_parse_options ("verify", "[--all | --oldest N]",
                          N_("Check every original and archival PDF against its SHA-256, and "
                             "look for files no document owns.  Each check is recorded in the "
                             "audit trail."),
                          entries, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1 || (all && oldest != 0) || oldest < 0)
    {
      cli_print_error (_("verify: give --all or --oldest N (N at least 1), and no document"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (!kho_verify_run (archive, oldest, NULL, &report, &error))
    {
      cli_print_error (error->message);
      kho_verify_report_clear (&report);
      return EXIT_FAILURE;
    }
  status = kho_verify_report_failed (&report) ? EXIT_FAILURE : EXIT_SUCCESS;
  if (cli_json)
    report_json (&report);
  else
    {
      g_autofree char *checked = cli_count_text (report.documents->len);
      g_autofree char *ok = cli_count_text (report.counts[KHO_FIXITY_OK]);
      g_autofree char *changed = cli_count_text (report.counts[KHO_FIXITY_CHANGED]);
      g_autofree char *missing = cli_count_text (report.counts[KHO_FIXITY_MISSING]);
      g_autofree char *unreadable = cli_count_text (report.counts[KHO_FIXITY_UNREADABLE]);
      g_autofree char *orphans = cli_count_text (report.orphans->len);

      for (guint i = 0; i < report.documents->len; i++)
        {
          const KhoVerifyDocument *doc = report.documents->pdata[i];

          print_file_problem (doc, &doc->original, _("original"));
          print_file_problem (doc, &doc->pdf, _("archival PDF"));
        }
      for (guint i = 0; i < report.orphans->len; i++)
        {
          g_autofree char *line = g_strdup_printf (_("%s: no document owns this file"),
                                                   (const char *) report.orphans->pdata[i]);
          cli_print_error (line);
        }
      /* TRANSLATORS: the counts are numbers already written as text. */
      printf (_("Documents checked: %s (ok %s, changed %s, missing %s, unreadable %s); "
                "files no document owns: %s.\n"), checked, ok, changed, missing, unreadable,
              orphans);
    }
  kho_verify_report_clear (&report);
  return status;
}

/* --- kho audit verify / kho audit log --- */

static const char *
problem_name (KhoAuditProblem problem)
{
  static const char *const names[] = { "ok", "changed", "unchained", "missing", "broken",
                                       "truncated", "head" };
  return names[problem];
}

/* The one line saying where the chain breaks. */
static char *
problem_text (const KhoAuditCheck *check)
{
  g_autofree char *bad = number_text (check->bad_id);
  g_autofree char *before = number_text (check->before_id);

  switch (check->problem)
    {
    case KHO_AUDIT_CHANGED:
      return g_strdup_printf (_("audit trail: entry %s was changed: its content no longer "
                                "gives its hash"), bad);
    case KHO_AUDIT_UNCHAINED:
      return g_strdup_printf (_("audit trail: entry %s was added behind kho's back: it has "
                                "no hash"), bad);
    case KHO_AUDIT_MISSING:
      return g_strdup_printf (_("audit trail: entry %s was deleted: the entry after entry %s "
                                "is not chained to it"), bad, before);
    case KHO_AUDIT_BROKEN:
      return g_strdup_printf (_("audit trail: entry %s is not chained to entry %s: that one "
                                "was changed and its hash rewritten, or entries were replaced"),
                              bad, before);
    case KHO_AUDIT_TRUNCATED:
      return g_strdup_printf (_("audit trail: entry %s and any after it were deleted: the "
                                "trail ends at entry %s"), bad, before);
    case KHO_AUDIT_NO_HEAD:
      return g_strdup_printf (_("audit trail: entry %s was added behind kho's back, or the "
                                "record of the last entry was changed"), bad);
    case KHO_AUDIT_OK:
    default:
      return NULL;
    }
}

static int
audit_verify (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autofree char *problem = NULL;
  KhoAuditCheck check;

  if (!cli_parse_options ("audit verify", "",
                          N_("Check the audit trail's hash chain; name the first entry "
                             "changed, inserted or deleted."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    {
      cli_print_error (_("audit verify takes no arguments"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (!kho_audit_verify (archive->db, &check, &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  problem = problem_text (&check);
  if (cli_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, check.problem == KHO_AUDIT_OK);
      kho_json_add_int (b, "entries", check.entries);
      kho_json_add_string (b, "problem", check.problem ? problem_name (check.problem) : NULL);
      json_builder_set_member_name (b, "bad_entry");
      if (check.problem)
        json_builder_add_int_value (b, check.bad_id);
      else
        json_builder_add_null_value (b);
      kho_json_add_string (b, "message", problem);
      kho_json_add_string (b, "head", check.problem ? NULL : check.head_hash);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root, TRUE);
    }
  else if (problem)
    cli_print_error (problem);
  else
    {
      g_autofree char *entries = cli_count_text (check.entries);

      printf (ngettext ("Audit trail intact: %s entry, chained to the one before.\n"
                        "Last hash: %s\n",
                        "Audit trail intact: %s entries, each chained to the one before.\n"
                        "Last hash: %s\n", (unsigned long) check.entries),
              entries, check.head_hash);
    }
  kho_audit_check_clear (&check);
  return problem ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int
audit_log (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *archive_id = NULL;

  if (!cli_parse_options ("audit log", "[ID]",
                          N_("Show the audit trail of one document (also a deleted one, by "
                             "its archive ID), or of the whole archive."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc > 2)
    {
      cli_print_error (_("audit log: give at most one document ID"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  if (argc == 2)
    {
      gint64 id = kho_db_resolve (archive->db, argv[1], &error);
      g_autoptr (KhoDocument) doc = id > 0 ? kho_db_get_document (archive->db, id, NULL) : NULL;

      if (doc)
        archive_id = g_strdup (doc->archive_id);
      else if (kho_id_parse (argv[1], &archive_id) != KHO_ID_ARCHIVE)
        {
          /* Not a document now, nor an archive ID a deleted one had. */
          cli_print_error (error ? error->message : argv[1]);
          return EXIT_FAILURE;
        }
      g_clear_error (&error);
    }
  entries = kho_audit_list (archive->db, archive_id, &error);
  if (entries == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  if (archive_id && entries->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("no document %s"), argv[1]);
      cli_print_error (message);
      return EXIT_FAILURE;
    }
  if (cli_json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < entries->len; i++)
        {
          const KhoAuditEntry *entry = entries->pdata[i];

          json_builder_begin_object (b);
          kho_json_add_int (b, "entry", entry->id);
          kho_json_add_string (b, "time", entry->time);
          kho_json_add_string (b, "id", entry->archive_id);
          kho_json_add_string (b, "stage", entry->stage);
          kho_json_add_string (b, "status", entry->status);
          json_builder_set_member_name (b, "duration_ms");
          if (entry->duration_ms >= 0)
            json_builder_add_int_value (b, entry->duration_ms);
          else
            json_builder_add_null_value (b);
          kho_json_add_string (b, "actor", entry->actor);
          kho_json_add_string (b, "detail", entry->detail);
          kho_json_add_string (b, "prev_hash", entry->prev_hash);
          kho_json_add_string (b, "hash", entry->hash);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      cli_print_json (root, TRUE);
      return EXIT_SUCCESS;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      const KhoAuditEntry *entry = entries->pdata[i];
      g_autofree char *time = cli_display_date (entry->time);

      printf ("%6" G_GINT64_FORMAT "  %s  %-15s  %-9s %-8s %s%s%s\n", entry->id, time,
              entry->archive_id ? entry->archive_id : "-", entry->stage, entry->status,
              entry->actor ? entry->actor : "-", entry->detail ? "  " : "",
              entry->detail ? entry->detail : "");
    }
  return EXIT_SUCCESS;
}

static const CliSubcommand audit_subcommands[] = {
  { "verify", audit_verify },
  { "log", audit_log },
};

static void
audit_usage (FILE *out)
{
  fputs (_("Usage: kho audit verify [--json]\n"
           "       kho audit log [ID] [--json]\n\n"
           "The audit trail: every event of the archive, each entry chained to the one before "
           "by its SHA-256.\n"
           "“kho audit SUBCOMMAND --help” tells more.\n"), out);
}

int
cli_command_audit (int argc, char **argv)
{
  return cli_run_subcommand (audit_subcommands, G_N_ELEMENTS (audit_subcommands), audit_usage,
                             _("kho audit: “%s” is not a subcommand: verify or log.\n\n"),
                             argc, argv);
}

/* --- kho retention --- */

int
cli_command_retention (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (GPtrArray) past = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  int unset = 0;

  if (!cli_parse_options ("retention", "",
                          N_("List the documents past their retention period (from their "
                             "type's rule, or as set with kho edit ID --set retention=…)."),
                          NULL, TRUE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 1)
    {
      cli_print_error (_("retention takes no arguments"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL)
    return EXIT_FAILURE;
  past = kho_disposal_list_past (archive->db, &unset, &error);
  if (past == NULL)
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  if (cli_json)
    {
      b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "past");
      json_builder_begin_array (b);
    }
  else if (past->len == 0)
    printf ("%s\n", _("No document is past its retention period."));
  for (guint i = 0; i < past->len; i++)
    {
      const KhoDocument *doc = past->pdata[i];
      g_autofree char *type = kho_db_get_field (archive->db, doc->id, "type");
      KhoRetention retention;

      kho_disposal_retention (archive->db, doc, &retention);
      if (b)
        {
          json_builder_begin_object (b);
          kho_json_add_string (b, "id", doc->archive_id);
          kho_json_add_string (b, "type", type);
          kho_json_add_string (b, "title", doc->title);
          kho_json_add_int (b, "retention", retention.years);
          kho_json_add_string (b, "from", retention.from);
          kho_json_add_string (b, "until", retention.until);
          json_builder_end_object (b);
        }
      else
        {
          g_autofree char *from = cli_display_date (retention.from);
          g_autofree char *until = cli_display_date (retention.until);
          g_autofree char *years = g_strdup_printf (ngettext ("%d year", "%d years",
                                                              (unsigned long) retention.years),
                                                    retention.years);

          /* TRANSLATORS: archive ID, then "5 years", the date they count
           * from, the date they ended; then the type and title. */
          printf (_("%s  kept %s from %s, past since %s  %s  %s\n"), doc->archive_id, years, from,
                  until, type ? type : "-", doc->title ? doc->title : "");
        }
      kho_retention_clear (&retention);
    }
  if (b)
    {
      g_autoptr (JsonNode) root = NULL;

      json_builder_end_array (b);
      kho_json_add_int (b, "without_retention", unset);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      cli_print_json (root, TRUE);
    }
  else if (unset > 0)
    {
      g_autofree char *count = cli_count_text (unset);

      printf (_("Documents without a retention period: %s (kho edit ID --set "
                "retention=YEARS).\n"), count);
    }
  return EXIT_SUCCESS;
}

/* --- kho delete --- */

int
cli_command_delete (int argc, char **argv)
{
  static char *reason = NULL;
  static gboolean force = FALSE;
  static const GOptionEntry entries[] = {
    { "reason", 'r', 0, G_OPTION_ARG_STRING, &reason,
      N_("Why the document is deleted (kept in its tombstone)"), N_("TEXT") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("Delete a document still within its retention period"), NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoArchive) archive = NULL;
  g_autoptr (KhoDocument) doc = NULL;

  if (!cli_parse_options ("delete", N_("ID --reason TEXT"),
                          N_("Delete a document's files and rows for good; the audit trail keeps "
                             "its tombstone (ID, checksums, reason, who, when).  A document "
                             "within its retention period is refused unless --force."),
                          entries, FALSE, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2 || reason == NULL || *g_strstrip (reason) == '\0')
    {
      cli_print_error (_("delete: give one document ID and --reason TEXT"));
      return EXIT_USAGE;
    }
  archive = cli_open_archive ();
  if (archive == NULL || (doc = cli_lookup (archive, argv[1])) == NULL)
    return EXIT_FAILURE;
  if (!kho_disposal_delete (archive, doc, reason, force, NULL, &error))
    {
      cli_print_error (error->message);
      return EXIT_FAILURE;
    }
  printf (_("%s deleted; the audit trail keeps its tombstone (kho audit log %s).\n"),
          doc->archive_id, doc->archive_id);
  return EXIT_SUCCESS;
}
