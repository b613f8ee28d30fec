/* fill-archive — writes synthetic documents straight into an archive's
 * catalogue, through kho's own index library (so that the full-text index
 * is built by kho's Vietnamese tokenizer), for benchmarks of search and
 * kho serve at a size no scanner run could reach in minutes.
 *
 *   fill-archive [--prefix KHO] [--batch 1000] ARCHIVE/kho.db < RECORDS
 *
 * The archive must exist (kho init).  Standard input holds one document a
 * line: tab-separated KEY=VALUE pairs, where in VALUE "\n", "\t", "\f" and
 * "\\" stand for a newline, a tab, a form feed and a backslash.  Keys:
 *
 *   sha256=HEX        64 hex digits, unique (required)
 *   id_year=YYYY      the year of the archive ID (default: this year)
 *   size=N format=F file_name=NAME created=ISO-8601 title=TEXT
 *   pdf_sha256=HEX pdf_size=N
 *   page=TEXT         one per page, in order
 *   anything else     a metadata field (type, type_code, number, notation,
 *                     issued, issuer, subject, signer_name, …), source auto
 *
 * Each document is inserted, its pages, fields and full-text row written,
 * and marked archived; one transaction per --batch documents.  Nothing is
 * written under originals/ or pdfa/: the documents exist for search only.
 * Prints "N documents" at the end; exit 1 on any error (the open batch is
 * rolled back), 2 on bad usage.
 *
 * Part of kho.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/db.h"

static char *
unescape (const char *value)
{
  GString *out = g_string_sized_new (strlen (value));

  for (const char *p = value; *p; p++)
    {
      if (*p != '\\' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'n': g_string_append_c (out, '\n'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        default: g_string_append_c (out, *p); break;
        }
    }
  return g_string_free (out, FALSE);
}

static const char *
lookup (char **keys, char **values, const char *key)
{
  for (int i = 0; keys[i]; i++)
    if (strcmp (keys[i], key) == 0)
      return values[i];
  return NULL;
}

static gboolean
is_document_key (const char *key)
{
  static const char *const known[] = { "sha256", "id_year", "size", "format", "file_name",
                                       "created", "title", "pdf_sha256", "pdf_size", "page",
                                       NULL };

  for (int i = 0; known[i]; i++)
    if (strcmp (known[i], key) == 0)
      return TRUE;
  return FALSE;
}

/* One line into the database; FALSE with @error. */
static gboolean
insert_line (KhoDb *db, const char *prefix, int this_year, char *line, guint lineno,
             GError **error)
{
  g_auto (GStrv) parts = g_strsplit (line, "\t", -1);
  guint n = g_strv_length (parts);
  g_autofree char **keys = g_new0 (char *, n + 1);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (KhoDocument) doc = g_new0 (KhoDocument, 1);
  g_autofree char *now = kho_db_now ();
  const char *year_text, *value;
  int pages = 0;
  gint64 id;

  for (guint i = 0; i < n; i++)
    {
      char *eq = strchr (parts[i], '=');

      if (eq == NULL)
        {
          g_set_error (error, g_quark_from_static_string ("fill-archive"), 1,
                       "line %u: %.40s: not KEY=VALUE", lineno, parts[i]);
          return FALSE;
        }
      *eq = '\0';
      keys[i] = parts[i];
      g_ptr_array_add (values, unescape (eq + 1));
    }
  g_ptr_array_add (values, NULL);
  char **vals = (char **) values->pdata;

  value = lookup (keys, vals, "sha256");
  if (value == NULL || strlen (value) != 64)
    {
      g_set_error (error, g_quark_from_static_string ("fill-archive"), 1,
                   "line %u: no sha256 of 64 hex digits", lineno);
      return FALSE;
    }
  doc->sha256 = g_ascii_strdown (value, -1);
  value = lookup (keys, vals, "size");
  doc->size = value ? g_ascii_strtoll (value, NULL, 10) : 0;
  doc->format = g_strdup (lookup (keys, vals, "format") ? lookup (keys, vals, "format") : "pdf");
  doc->file_name = g_strdup (lookup (keys, vals, "file_name"));
  doc->language = g_strdup ("vie");
  value = lookup (keys, vals, "created");
  doc->created = g_strdup (value ? value : now);
  year_text = lookup (keys, vals, "id_year");

  id = kho_db_insert_document (db, prefix, year_text ? atoi (year_text) : this_year, doc, error);
  if (id < 0)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      if (strcmp (keys[i], "page") == 0)
        {
          KhoPageRow row = {
            .number = ++pages, .width = 2480, .height = 3508, .dpi = 300,
            .text_source = "ocr", .confidence = 90.0, .text = vals[i], .words = NULL,
          };

          if (!kho_db_insert_page (db, id, &row, error))
            return FALSE;
        }
      else if (!is_document_key (keys[i]) &&
               !kho_db_set_field (db, id, keys[i], vals[i], "auto", error))
        return FALSE;
    }

  value = lookup (keys, vals, "pdf_size");
  if (!kho_db_set_assembled (db, id, lookup (keys, vals, "title"), pages,
                             lookup (keys, vals, "pdf_sha256"),
                             value ? g_ascii_strtoll (value, NULL, 10) : 0, error) ||
      !kho_db_add_event (db, id, "index", "ok", 0, "fill-archive", "synthetic", error))
    return FALSE;
  return kho_db_index_document (db, id, error);
}

int
main (int argc, char **argv)
{
  g_autofree char *prefix = g_strdup ("KHO");
  int batch = 1000;
  GOptionEntry entries[] = {
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, "Archive ID prefix", "KHO" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Documents per transaction", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("ARCHIVE/kho.db < RECORDS");
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) today = g_date_time_new_now_utc ();
  g_autoptr (KhoDb) db = NULL;
  g_autoptr (GString) line = g_string_new (NULL);
  guint lineno = 0, in_batch = 0, done = 0;
  char buffer[65536];
  gboolean open = FALSE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || batch < 1)
    {
      fprintf (stderr, "fill-archive: %s\n",
               error ? error->message : "usage: fill-archive [--prefix P] [--batch N] KHO.DB");
      return 2;
    }
  if (!g_file_test (argv[1], G_FILE_TEST_IS_REGULAR))
    {
      fprintf (stderr, "fill-archive: %s: no such database (run kho init first)\n", argv[1]);
      return 2;
    }
  db = kho_db_open (argv[1], &error);
  if (db == NULL)
    goto fail;
  sqlite3_exec (kho_db_handle (db), "PRAGMA synchronous = OFF", NULL, NULL, NULL);

  for (;;)
    {
      gboolean eof = fgets (buffer, sizeof buffer, stdin) == NULL;
      gsize len;

      if (!eof)
        {
          g_string_append (line, buffer);
          len = line->len;
          if (len == 0 || line->str[len - 1] != '\n')
            continue;          /* a line longer than the buffer: read on */
          g_string_truncate (line, len - 1);
        }
      else if (line->len == 0)
        break;
      lineno++;
      if (line->len > 0)
        {
          if (!open && !(open = kho_db_begin (db, &error)))
            goto fail;
          if (!insert_line (db, prefix, g_date_time_get_year (today), line->str, lineno, &error))
            goto fail;
          done++;
          if (++in_batch == (guint) batch)
            {
              open = FALSE;
              in_batch = 0;
              if (!kho_db_commit (db, &error))
                goto fail;
            }
        }
      g_string_truncate (line, 0);
      if (eof)
        break;
    }
  if (open && !kho_db_commit (db, &error))
    goto fail;
  printf ("%u documents\n", done);
  return 0;

fail:
  if (open)
    kho_db_rollback (db);
  fprintf (stderr, "fill-archive: %s\n", error->message);
  return 1;
}
