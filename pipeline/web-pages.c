/* web-pages.c — the HTML pages of kho serve: search, a document, browse,
 * the office's queue, logging in, corrections, page thumbnails.
 *
 * Every text that comes from the archive goes through kho_web_escape;
 * every URL parameter through kho_web_append_uri; attributes are quoted. */
#define G_LOG_DOMAIN "kho-web"
#include "pipeline/web-private.h"

#include <string.h>

#include <cairo.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <poppler.h>

#include "index/db.h"
#include "index/queue.h"
#include "pipeline/document.h"
#include "pipeline/metadata.h"
#include "store/originals.h"

#define THUMBNAIL_WIDTH 200
#define THUMBNAIL_CACHE 512

/* --- the frame --- */

static void
append_nav_link (GString *out, const char *href, const char *label)
{
  g_string_append (out, "<li><a href=\"");
  kho_web_escape (out, href);
  g_string_append (out, "\">");
  kho_web_escape (out, label);
  g_string_append (out, "</a></li>");
}

/* The hidden input that carries the session's CSRF token. */
static void
append_csrf (KhoWebRequest *request, GString *out)
{
  g_string_append (out, "<input type=\"hidden\" name=\"csrf\" value=\"");
  kho_web_escape (out, request->session ? request->session->csrf : "");
  g_string_append (out, "\">");
}

void
kho_web_send_page (KhoWebRequest *request, guint status, const char *title, GString *body)
{
  GString *out = g_string_sized_new (body->len + 2048);

  g_string_append_printf (out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
                          "<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, "
                          "initial-scale=1\">\n<title>",
                          request->english ? "en" : "vi");
  kho_web_escape (out, title);
  g_string_append (out, " — kho</title>\n"
                        "<link rel=\"stylesheet\" href=\"/static/kho.css\">\n</head>\n<body>\n"
                        "<a class=\"skip\" href=\"#main\">");
  kho_web_escape (out, _("Skip to content"));
  g_string_append (out, "</a>\n<header class=\"site\"><nav aria-label=\"");
  kho_web_escape (out, _("Main"));
  g_string_append (out, "\"><ul>");
  append_nav_link (out, "/", _("Search"));
  append_nav_link (out, "/browse", _("Browse"));
  append_nav_link (out, "/office", _("Office"));
  g_string_append (out, "</ul>");
  g_string_append (out, "<ul class=\"account\">");
  {
    /* The same page in the other language. */
    GString *other = g_string_new (request->path);
    GHashTableIter iter;
    gpointer name, value;

    g_string_append_c (other, '?');
    g_hash_table_iter_init (&iter, request->query);
    while (g_hash_table_iter_next (&iter, &name, &value))
      if (strcmp (name, "lang") != 0)
        {
          kho_web_append_uri (other, name);
          g_string_append_c (other, '=');
          kho_web_append_uri (other, value);
          g_string_append_c (other, '&');
        }
    g_string_append (other, request->english ? "lang=vi" : "lang=en");
    g_string_append (out, "<li><a href=\"");
    kho_web_escape (out, other->str);
    g_string_append_printf (out, "\" lang=\"%s\">%s</a></li>", request->english ? "vi" : "en",
                            request->english ? "Tiếng Việt" : "English");
    g_string_free (other, TRUE);
  }
  if (request->session)
    {
      g_string_append (out, "<li><form method=\"post\" action=\"/logout\">");
      append_csrf (request, out);
      g_string_append (out, "<button type=\"submit\">");
      kho_web_escape (out, _("Log out"));
      g_string_append (out, " (");
      kho_web_escape (out, request->session->user);
      g_string_append (out, ")</button></form></li>");
    }
  else
    append_nav_link (out, "/login", _("Log in"));
  g_string_append (out, "</ul></nav></header>\n<main id=\"main\">\n");
  g_string_append_len (out, body->str, (gssize) body->len);
  g_string_append (out, "\n</main>\n<footer class=\"site\"><p>kho</p></footer>\n"
                        "</body>\n</html>\n");
  g_string_free (body, TRUE);
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Content-Security-Policy",
                                "default-src 'self'; script-src 'none'; object-src 'none'; "
                                "frame-ancestors 'self'");
  kho_web_send (request, status, "text/html; charset=utf-8", g_string_free_to_bytes (out));
}

void
kho_web_send_error_page (KhoWebRequest *request, guint status, const char *message)
{
  GString *body = g_string_new ("<h1>");
  g_autofree char *title = g_strdup_printf ("%u %s", status, soup_status_get_phrase (status));

  kho_web_escape (body, title);
  g_string_append (body, "</h1>\n<p>");
  kho_web_escape (body, message ? message : _("The page cannot be shown."));
  g_string_append (body, "</p>\n<p><a href=\"/\">");
  kho_web_escape (body, _("Back to the search"));
  g_string_append (body, "</a></p>");
  kho_web_send_page (request, status, title, body);
}

/* --- search --- */

/* The snippet: escaped, except the marks kho_web_search put around the
 * hits, which become <mark>. */
void
kho_web_append_snippet (GString *out, const char *snippet)
{
  g_auto (GStrv) parts = g_strsplit (snippet ? snippet : "", KHO_WEB_MARK_OPEN, -1);

  for (int i = 0; parts[i]; i++)
    {
      g_auto (GStrv) marked = g_strsplit (parts[i], KHO_WEB_MARK_CLOSE, 2);

      if (i > 0)
        g_string_append (out, "<mark>");
      kho_web_escape (out, marked[0]);
      if (i > 0)
        g_string_append (out, "</mark>");
      if (marked[0] && marked[1])
        kho_web_escape (out, marked[1]);
    }
}

/* "/?q=…&type=…" with parameter @name set to @value (NULL removes it). */
static char *
search_url (KhoWebRequest *request, const char *name, const char *value)
{
  static const char *const names[] = { "q", "type", "year", "issuer", "page" };
  GString *url = g_string_new ("/?");
  gboolean first = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *given = strcmp (names[i], name) == 0
                            ? value
                            : strcmp (names[i], "page") == 0 ? NULL
                                                             : kho_web_param (request, names[i]);

      if (given == NULL)
        continue;
      g_string_append_printf (url, "%s%s=", first ? "" : "&", names[i]);
      kho_web_append_uri (url, given);
      first = FALSE;
    }
  if (first)
    g_string_truncate (url, 1);
  return g_string_free (url, FALSE);
}

static const char *
facet_title (int facet)
{
  switch (facet)
    {
    case 0: return _("Type");
    case 1: return _("Year");
    case 2: return _("Issuer");
    default: return _("Tag");
    }
}

static void
append_facets (KhoWebRequest *request, GString *out, KhoWebResults *results)
{
  g_string_append (out, "<aside class=\"facets\" aria-labelledby=\"facets-title\">"
                        "<h2 id=\"facets-title\">");
  kho_web_escape (out, _("Refine"));
  g_string_append (out, "</h2>\n");
  for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
    {
      const char *name = kho_search_facet_names[f];
      const char *chosen = kho_web_param (request, name);

      if ((results->facets[f] == NULL || results->facets[f]->len == 0) && chosen == NULL)
        continue;
      g_string_append (out, "<h3>");
      kho_web_escape (out, facet_title (f));
      g_string_append (out, "</h3>\n<ul>");
      if (chosen)
        {
          g_autofree char *url = search_url (request, name, NULL);

          g_string_append (out, "<li><a href=\"");
          kho_web_escape (out, url);
          g_string_append (out, "\">");
          kho_web_escape (out, _("All"));
          g_string_append (out, "</a></li>");
        }
      for (guint i = 0; results->facets[f] && i < results->facets[f]->len; i++)
        {
          KhoSearchFacet *facet = results->facets[f]->pdata[i];
          g_autofree char *url = search_url (request, name, facet->value);
          g_autofree char *count = kho_web_count_text (request, facet->count);
          g_auto (GStrv) lines = g_strsplit (facet->value ? facet->value : "", "\n", -1);
          g_autofree char *shown = g_strjoinv (" / ", lines);
          gboolean current = chosen && g_strcmp0 (chosen, facet->value) == 0;

          g_string_append (out, "<li><a href=\"");
          kho_web_escape (out, url);
          g_string_append_printf (out, "\"%s>", current ? " aria-current=\"true\"" : "");
          kho_web_escape (out, shown);
          g_string_append (out, "</a> <span class=\"count\">");
          if (facet->estimated)    /* counted on a sample of the matches */
            {
              g_string_append (out, "<abbr title=\"");
              kho_web_escape (out, _("an estimate from a sample of the results"));
              g_string_append (out, "\">≈</abbr> ");
            }
          kho_web_escape (out, count);
          g_string_append (out, "</span></li>");
        }
      g_string_append (out, "</ul>\n");
    }
  g_string_append (out, "</aside>\n");
}

void
kho_web_page_search (KhoWebRequest *request)
{
  GString *body = g_string_new (NULL);
  KhoWebResults results;
  g_autofree char *message = NULL;
  guint status;
  const char *q = kho_web_param (request, "q");
  gboolean asked = q || kho_web_param (request, "type") || kho_web_param (request, "year") ||
                   kho_web_param (request, "issuer");

  g_string_append (body, "<h1>");
  kho_web_escape (body, _("Search the archive"));
  g_string_append (body, "</h1>\n<form class=\"search\" method=\"get\" action=\"/\" "
                         "role=\"search\">\n<label for=\"q\">");
  kho_web_escape (body, _("Words, a number or a name (accents optional)"));
  g_string_append (body, "</label>\n<div class=\"row\"><input type=\"search\" id=\"q\" "
                         "name=\"q\" maxlength=\"500\" value=\"");
  kho_web_escape (body, q);
  g_string_append (body, "\">");
  for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
    {
      const char *value = kho_web_param (request, kho_search_facet_names[f]);

      if (value == NULL)
        continue;
      g_string_append_printf (body, "<input type=\"hidden\" name=\"%s\" value=\"",
                              kho_search_facet_names[f]);
      kho_web_escape (body, value);
      g_string_append (body, "\">");
    }
  g_string_append (body, "<button type=\"submit\">");
  kho_web_escape (body, _("Search"));
  g_string_append (body, "</button></div>\n</form>\n");
  if (!asked)
    {
      kho_web_send_page (request, 200, _("Search"), body);
      return;
    }
  if (!kho_web_search (request, KHO_WEB_MARK_OPEN, KHO_WEB_MARK_CLOSE, &results, &status,
                       &message))
    {
      if (status == 0)          /* answered when the search is done */
        {
          g_string_free (body, TRUE);
          return;
        }
      g_string_append (body, "<p class=\"error\" role=\"alert\">");
      kho_web_escape (body, message);
      g_string_append (body, "</p>");
      kho_web_send_page (request, status, _("Search"), body);
      return;
    }
  g_string_append (body, "<div class=\"with-facets\">\n");
  append_facets (request, body, &results);
  g_string_append (body, "<section class=\"hits\" aria-labelledby=\"hits-title\">"
                         "<h2 id=\"hits-title\">");
  {
    g_autofree char *count = kho_web_count_text (request, results.total);
    g_autofree char *line = g_strdup_printf (ngettext ("%s document", "%s documents",
                                                       (unsigned long) results.total),
                                             count);
    kho_web_escape (body, line);
  }
  g_string_append (body, "</h2>\n");
  if (results.hits->len > 0)
    g_string_append_printf (body, "<ol class=\"results\" start=\"%d\">\n",
                            (results.page - 1) * results.per_page + 1);
  for (guint i = 0; i < results.hits->len; i++)
    {
      KhoSearchHit *hit = results.hits->pdata[i];
      g_autofree char *issued = kho_web_date_text (hit->issued);
      const char *issuer = hit->issuer;
      const char *subject = hit->subject;
      g_autofree char *pages = g_strdup_printf (ngettext ("%d page", "%d pages",
                                                          (unsigned long) hit->page_count),
                                                hit->page_count);
      const char *title = hit->title && *hit->title ? hit->title
                          : subject ? subject : hit->archive_id;

      g_string_append (body, "<li class=\"result\"><h3><a href=\"/documents/");
      kho_web_append_uri (body, hit->archive_id);
      g_string_append (body, "\">");
      kho_web_escape (body, title);
      g_string_append (body, "</a></h3>\n<p class=\"meta\"><span class=\"id\">");
      kho_web_escape (body, hit->archive_id);
      g_string_append (body, "</span>");
#define META(value) if (value) { g_string_append (body, " · "); kho_web_escape (body, value); }
      META (hit->type);
      META (hit->reference);
      if (hit->issued)
        {
          g_string_append (body, " · <time datetime=\"");
          kho_web_escape (body, hit->issued);
          g_string_append (body, "\">");
          kho_web_escape (body, issued);
          g_string_append (body, "</time>");
        }
      if (issuer)
        {
          g_auto (GStrv) lines = g_strsplit (issuer, "\n", -1);
          g_autofree char *shown = g_strjoinv (" / ", lines);
          META (shown);
        }
      META (pages);
#undef META
      g_string_append (body, "</p>\n<p class=\"snippet\">");
      kho_web_append_snippet (body, hit->snippet);
      g_string_append (body, "</p></li>\n");
    }
  if (results.hits->len > 0)
    g_string_append (body, "</ol>\n");
  else
    {
      g_string_append (body, "<p>");
      kho_web_escape (body, _("Nothing found.  Try fewer words, or remove a filter."));
      g_string_append (body, "</p>\n");
    }
  if (results.total > results.per_page)
    {
      gint64 last = (results.total + results.per_page - 1) / results.per_page;

      g_string_append (body, "<nav class=\"pages\" aria-label=\"");
      kho_web_escape (body, _("Pages of results"));
      g_string_append (body, "\"><ul>");
      if (results.page > 1)
        {
          g_autofree char *number = g_strdup_printf ("%d", results.page - 1);
          g_autofree char *url = search_url (request, "page", number);

          g_string_append (body, "<li><a rel=\"prev\" href=\"");
          kho_web_escape (body, url);
          g_string_append (body, "\">");
          kho_web_escape (body, _("← Previous"));
          g_string_append (body, "</a></li>");
        }
      {
        /* xgettext cannot read G_GINT64_FORMAT: the count goes as text. */
        g_autofree char *pages = g_strdup_printf ("%" G_GINT64_FORMAT, last);
        g_autofree char *where = g_strdup_printf (_("Page %d of %s"), results.page, pages);
        g_string_append (body, "<li>");
        kho_web_escape (body, where);
        g_string_append (body, "</li>");
      }
      if (results.page < last)
        {
          g_autofree char *number = g_strdup_printf ("%d", results.page + 1);
          g_autofree char *url = search_url (request, "page", number);

          g_string_append (body, "<li><a rel=\"next\" href=\"");
          kho_web_escape (body, url);
          g_string_append (body, "\">");
          kho_web_escape (body, _("Next →"));
          g_string_append (body, "</a></li>");
        }
      g_string_append (body, "</ul></nav>\n");
    }
  g_string_append (body, "</section>\n</div>\n");
  kho_web_results_clear (&results);
  kho_web_send_page (request, 200, q ? q : _("Search"), body);
}

/* --- a document --- */

static const char *
field_label (const char *name)
{
  static const struct { const char *name, *label; } labels[] = {
    { "type", N_("Type") },
    { "type_code", N_("Type code") },
    { "type_confidence", N_("Type confidence") },
    { "number", N_("Number") },
    { "year", N_("Year") },
    { "notation", N_("Notation") },
    { "place", N_("Place") },
    { "issued", N_("Date of issue") },
    { "issuer", N_("Issuer") },
    { "subject", N_("Subject") },
    { "signer_position", N_("Signer's position") },
    { "signer_name", N_("Signed by") },
    { "recipients", N_("Recipients") },
    { "urgency", N_("Urgency") },
    { "secrecy", N_("Secrecy") },
    { "retention", N_("Retention (years, 0: permanent)") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    if (strcmp (labels[i].name, name) == 0)
      return _(labels[i].label);
  return name;
}

static void
append_row (GString *out, const char *label, const char *value)
{
  g_string_append (out, "<tr><th scope=\"row\">");
  kho_web_escape (out, label);
  g_string_append (out, "</th><td>");
  kho_web_escape (out, value ? value : "-");
  g_string_append (out, "</td></tr>\n");
}

/* The value of a field as the form shows it: one line per line of the
 * issuer ("/"), the recipients "a; b", dates dd/mm/yyyy. */
static char *
field_display (const char *name, const char *value)
{
  if (value == NULL)
    return NULL;
  if (strcmp (name, "issued") == 0)
    return kho_web_date_text (value);
  if (strcmp (name, "recipients") == 0 && value[0] == '[')
    {
      g_autoptr (JsonNode) node = json_from_string (value, NULL);
      GString *out = g_string_new (NULL);

      if (node && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            g_string_append_printf (out, "%s%s", i ? "; " : "",
                                    json_array_get_string_element (array, i));
          return g_string_free (out, FALSE);
        }
      g_string_free (out, TRUE);
    }
  {
    g_auto (GStrv) lines = g_strsplit (value, "\n", -1);
    return g_strjoinv (" / ", lines);
  }
}

static void
append_edit_form (KhoWebRequest *request, GString *out, KhoDocument *doc, GPtrArray *fields)
{
  g_string_append (out, "<section class=\"edit\" aria-labelledby=\"edit-title\">"
                        "<h2 id=\"edit-title\">");
  kho_web_escape (out, _("Correct the fields"));
  g_string_append (out, "</h2>\n<form method=\"post\" action=\"/documents/");
  kho_web_append_uri (out, doc->archive_id);
  g_string_append (out, "/edit\">\n");
  append_csrf (request, out);
  for (int i = 0; i < KHO_METADATA_N_EDITABLE; i++)
    {
      const char *name = kho_metadata_editable[i];
      g_autofree char *value = field_display (name, kho_document_field (fields, name));

      g_string_append_printf (out, "<div class=\"field\"><label for=\"f-%s\">", name);
      kho_web_escape (out, field_label (name));
      g_string_append_printf (out, "</label><input type=\"text\" id=\"f-%s\" name=\"%s\" "
                                   "value=\"", name, name);
      kho_web_escape (out, value);
      g_string_append (out, "\"></div>\n");
    }
  g_string_append (out, "<p class=\"hint\">");
  kho_web_escape (out, _("An empty field is cleared.  Dates as 28/04/2023; several "
                         "recipients separated by “;”; lines of the issuer by “/”."));
  g_string_append (out, "</p>\n<button type=\"submit\">");
  kho_web_escape (out, _("Save"));
  g_string_append (out, "</button>\n</form>\n</section>\n");
}

static void
render_document (KhoWebRequest *request, KhoDocument *doc, guint status, const char *notice,
                 gboolean notice_is_error)
{
  KhoDb *db = request->web->archive->db;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) fields = kho_db_get_fields (db, doc->id, &error);
  g_autoptr (GPtrArray) pages = fields ? kho_db_get_pages (db, doc->id, &error) : NULL;
  g_autoptr (GPtrArray) tags = pages ? kho_db_get_tags (db, doc->id, &error) : NULL;
  const char *subject = kho_document_field (fields, "subject");
  const char *title = doc->title && *doc->title ? doc->title : subject ? subject : doc->archive_id;
  GString *body;
  g_autofree char *uri_id = g_uri_escape_string (doc->archive_id, NULL, FALSE);

  if (tags == NULL)
    {
      kho_web_send_error_page (request, 500, error->message);
      return;
    }
  body = g_string_new ("<h1>");
  kho_web_escape (body, title);
  g_string_append (body, "</h1>\n");
  if (notice)
    {
      g_string_append_printf (body, "<p class=\"%s\" role=\"%s\">",
                              notice_is_error ? "error" : "notice",
                              notice_is_error ? "alert" : "status");
      kho_web_escape (body, notice);
      g_string_append (body, "</p>\n");
    }
  g_string_append (body, "<div class=\"document\">\n<section class=\"fields\" "
                         "aria-labelledby=\"fields-title\"><h2 id=\"fields-title\">");
  kho_web_escape (body, _("Description"));
  g_string_append (body, "</h2>\n<table>\n");
  append_row (body, _("Archive ID"), doc->archive_id);
  for (guint i = 0; i < fields->len; i++)
    {
      KhoFieldRow *row = fields->pdata[i];
      g_autofree char *value = field_display (row->name, row->value);

      append_row (body, field_label (row->name), value);
    }
  if (tags->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (tags, NULL);
      joined = g_strjoinv (", ", (char **) tags->pdata);
      g_ptr_array_remove_index (tags, tags->len - 1);
      append_row (body, _("Tags"), joined);
    }
  {
    g_autofree char *count = kho_web_count_text (request, doc->page_count);
    g_autofree char *created = kho_web_date_text (doc->created);

    append_row (body, _("Pages"), count);
    append_row (body, _("Archived on"), created);
    append_row (body, _("Original file"), doc->file_name);
  }
  g_string_append (body, "</table>\n</section>\n");

  g_string_append (body, "<section class=\"files\" aria-labelledby=\"files-title\">"
                         "<h2 id=\"files-title\">");
  kho_web_escape (body, _("Files"));
  g_string_append (body, "</h2>\n<ul>\n");
  g_string_append_printf (body, "<li><a href=\"/api/documents/%s/pdf\">", uri_id);
  kho_web_escape (body, _("Archival PDF"));
  g_string_append (body, "</a></li>\n");
  g_string_append_printf (body, "<li><a href=\"/api/documents/%s/original\">", uri_id);
  kho_web_escape (body, _("Original scan"));
  g_string_append (body, "</a> <span class=\"sha\">SHA-256 <code>");
  kho_web_escape (body, doc->sha256);
  g_string_append (body, "</code></span></li>\n");
  g_string_append_printf (body, "<li><a href=\"/api/documents/%s/text\">", uri_id);
  kho_web_escape (body, _("Text"));
  g_string_append (body, "</a></li>\n</ul>\n</section>\n</div>\n");

  g_string_append (body, "<section class=\"pages\" aria-labelledby=\"pages-title\">"
                         "<h2 id=\"pages-title\">");
  kho_web_escape (body, _("Pages"));
  g_string_append (body, "</h2>\n<ol class=\"thumbnails\">\n");
  for (guint i = 0; i < pages->len; i++)
    {
      KhoPageRow *page = pages->pdata[i];
      g_autofree char *alt = g_strdup_printf (_("Page %d"), page->number);

      g_string_append_printf (body, "<li><a href=\"/api/documents/%s/pdf#page=%d\">"
                                    "<img src=\"/documents/%s/pages/%d.png\" width=\"%d\" "
                                    "alt=\"", uri_id, page->number, uri_id, page->number,
                              THUMBNAIL_WIDTH);
      kho_web_escape (body, alt);
      g_string_append (body, "\" loading=\"lazy\"></a></li>\n");
    }
  g_string_append (body, "</ol>\n</section>\n");
  if (g_strcmp0 (doc->status, "archived") == 0)
    {
      g_string_append_printf (body, "<section class=\"viewer\" aria-labelledby=\"viewer-title\">"
                                    "<h2 id=\"viewer-title\">");
      kho_web_escape (body, _("Archival PDF"));
      g_string_append_printf (body, "</h2>\n<iframe src=\"/api/documents/%s/pdf\" title=\"",
                              uri_id);
      kho_web_escape (body, title);
      g_string_append (body, "\"></iframe>\n</section>\n");
    }
  if (kho_web_allows (request, KHO_ROLE_EDITOR))
    append_edit_form (request, body, doc, fields);
  kho_web_send_page (request, status, title, body);
}

void
kho_web_page_document (KhoWebRequest *request, const char *reference)
{
  g_autofree char *message = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  guint status = 0;

  doc = kho_web_lookup (request, reference, &status, &message);
  if (doc == NULL)
    {
      kho_web_send_error_page (request, status, message);
      return;
    }
  render_document (request, doc, 200, NULL, FALSE);
}

void
kho_web_page_edit (KhoWebRequest *request, const char *reference)
{
  g_autofree char *message = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  g_autoptr (KhoClassifier) classifier = NULL;
  g_autoptr (GArray) edits = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *actor = NULL;
  guint status = 0;

  if (request->session == NULL)
    {
      kho_web_redirect (request, "/login");
      return;
    }
  if (!kho_web_allows (request, KHO_ROLE_EDITOR))
    {
      kho_web_send_error_page (request, 403, _("Only an editor may correct documents."));
      return;
    }
  if (!kho_web_csrf_ok (request))
    {
      kho_web_send_error_page (request, 403, _("The form has expired: load the page again."));
      return;
    }
  doc = kho_web_lookup (request, reference, &status, &message);
  if (doc == NULL)
    {
      kho_web_send_error_page (request, status, message);
      return;
    }
  classifier = kho_classifier_new (request->web->archive);
  edits = g_array_new (FALSE, TRUE, sizeof (KhoMetadataEdit));
  {
    g_autoptr (GPtrArray) fields = kho_db_get_fields (request->web->archive->db, doc->id, NULL);

    for (int i = 0; i < KHO_METADATA_N_EDITABLE; i++)
      {
        const char *name = kho_metadata_editable[i];
        const char *given = request->form ? g_hash_table_lookup (request->form, name) : NULL;
        g_autofree char *current = field_display (name, kho_document_field (fields, name));
        g_autofree char *type_code = NULL;
        KhoMetadataEdit edit = { 0 };

        /* Only what changed: an unchanged form sets nothing. */
        if (given == NULL)
          continue;
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (given));
          if (g_strcmp0 (trimmed, current ? current : "") == 0)
            continue;
        }
        edit.value = kho_metadata_edit_value (classifier->rules, name, given, &type_code, &error);
        if (edit.value == NULL)
          break;
        edit.name = g_strdup (name);
        g_array_append_val (edits, edit);
        if (type_code)
          {
            KhoMetadataEdit code = { g_strdup ("type_code"), g_steal_pointer (&type_code) };
            g_array_append_val (edits, code);
          }
      }
  }
  actor = g_strdup_printf ("web:%s", request->session->user);
  if (error == NULL && edits->len > 0)
    kho_metadata_apply (request->web->archive, doc, edits, actor, &error);
  for (guint i = 0; i < edits->len; i++)
    {
      g_free (g_array_index (edits, KhoMetadataEdit, i).name);
      g_free (g_array_index (edits, KhoMetadataEdit, i).value);
    }
  if (error)
    {
      render_document (request, doc, 400, error->message, TRUE);
      return;
    }
  {
    g_autofree char *location = g_strdup_printf ("/documents/%s", doc->archive_id);
    kho_web_redirect (request, location);
  }
}

/* --- thumbnails --- */

static cairo_status_t
append_png (void *data, const unsigned char *bytes, unsigned int length)
{
  g_byte_array_append (data, bytes, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
render_thumbnail (const char *path, int number, GError **error)
{
  g_autofree char *uri = g_filename_to_uri (path, NULL, error);
  PopplerDocument *document = NULL;
  PopplerPage *page = NULL;
  cairo_surface_t *surface = NULL;
  cairo_t *cr;
  double width, height, scale;
  GByteArray *png = NULL;

  if (uri == NULL || (document = poppler_document_new_from_file (uri, NULL, error)) == NULL)
    return NULL;
  page = poppler_document_get_page (document, number - 1);
  g_object_unref (document);
  if (page == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no page %d", number);
      return NULL;
    }
  poppler_page_get_size (page, &width, &height);
  scale = THUMBNAIL_WIDTH / MAX (width, 1.0);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, THUMBNAIL_WIDTH,
                                        MAX (1, (int) (height * scale + 0.5)));
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  poppler_page_render (page, cr);
  cairo_destroy (cr);
  g_object_unref (page);
  png = g_byte_array_new ();
  if (cairo_surface_write_to_png_stream (surface, append_png, png) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot encode page %d", number);
      g_byte_array_unref (png);
      png = NULL;
    }
  cairo_surface_destroy (surface);
  return png ? g_byte_array_free_to_bytes (png) : NULL;
}

void
kho_web_page_thumbnail (KhoWebRequest *request, const char *reference, const char *page)
{
  g_autofree char *message = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *etag = NULL;
  GBytes *png;
  SoupMessageHeaders *out = soup_server_message_get_response_headers (request->msg);
  const char *match;
  guint status = 0;
  gint64 number;

  g_autofree char *digits = g_str_has_suffix (page, ".png") && strlen (page) <= 10
                             ? g_strndup (page, strlen (page) - 4) : NULL;

  if (digits == NULL || !g_ascii_string_to_signed (digits, 10, 1, 100000, &number, NULL))
    {
      kho_web_send_error_page (request, 404, NULL);
      return;
    }
  doc = kho_web_lookup (request, reference, &status, &message);
  if (doc == NULL)
    {
      kho_web_send_error_page (request, status, message);
      return;
    }
  if (doc->pdf_sha256 == NULL || number > doc->page_count)
    {
      kho_web_send_error_page (request, 404, NULL);
      return;
    }
  key = g_strdup_printf ("%s:%" G_GINT64_FORMAT, doc->pdf_sha256, number);
  etag = g_strdup_printf ("\"%s\"", key);
  soup_message_headers_replace (out, "ETag", etag);
  soup_message_headers_replace (out, "Cache-Control", "max-age=86400");
  match = soup_message_headers_get_list (soup_server_message_get_request_headers (request->msg),
                                         "If-None-Match");
  if (match && strstr (match, etag))
    {
      soup_server_message_set_status (request->msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  png = g_hash_table_lookup (request->web->thumbnails, key);
  if (png == NULL)
    {
      g_autofree char *path = kho_store_pdf_path (request->web->archive->root, doc->archive_id);

      png = render_thumbnail (path, (int) number, &error);
      if (png == NULL)
        {
          g_warning ("thumbnail of %s page %d: %s", doc->archive_id, (int) number,
                     error->message);
          kho_web_send_error_page (request, 500, error->message);
          return;
        }
      /* A simple bound: forget every thumbnail when the cache is full. */
      if (g_hash_table_size (request->web->thumbnails) >= THUMBNAIL_CACHE)
        g_hash_table_remove_all (request->web->thumbnails);
      g_hash_table_insert (request->web->thumbnails, g_strdup (key), png);
    }
  kho_web_send (request, 200, "image/png", g_bytes_ref (png));
}

/* --- browse --- */

static void
append_counts (KhoWebRequest *request, GString *body, const char *title, const char *name,
               const char *sql)
{
  sqlite3 *db = kho_db_handle (request->web->archive->db);
  sqlite3_stmt *stmt = NULL;

  g_string_append (body, "<section><h2>");
  kho_web_escape (body, title);
  g_string_append (body, "</h2>\n<ul class=\"counts\">\n");
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *value = (const char *) sqlite3_column_text (stmt, 0);
        g_autofree char *count = kho_web_count_text (request, sqlite3_column_int64 (stmt, 1));

        if (value == NULL)
          continue;
        g_string_append_printf (body, "<li><a href=\"/?%s=", name);
        kho_web_append_uri (body, value);
        g_string_append (body, "\">");
        kho_web_escape (body, value);
        g_string_append (body, "</a> <span class=\"count\">");
        kho_web_escape (body, count);
        g_string_append (body, "</span></li>\n");
      }
  else
    g_warning ("browse: %s", sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  g_string_append (body, "</ul>\n</section>\n");
}

void
kho_web_page_browse (KhoWebRequest *request)
{
  GString *body = g_string_new ("<h1>");

  kho_web_escape (body, _("Browse the archive"));
  g_string_append (body, "</h1>\n<div class=\"browse\">\n");
  append_counts (request, body, _("By type"), "type",
                 "SELECT f.value, count(*) AS n FROM fields f JOIN documents d"
                 " ON d.id = f.document_id WHERE f.name = 'type' AND d.status = 'archived'"
                 " GROUP BY f.value ORDER BY n DESC, f.value");
  append_counts (request, body, _("By year"), "year",
                 "SELECT substr(issued, 1, 4) AS y, count(*) FROM documents"
                 " WHERE status = 'archived' AND issued IS NOT NULL GROUP BY y ORDER BY y DESC");
  g_string_append (body, "</div>\n");
  kho_web_send_page (request, 200, _("Browse"), body);
}

/* --- the office: the queue --- */

static void
append_jobs (KhoWebRequest *request, GString *body, const char *title, const char *state,
             gboolean with_error)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) jobs = kho_queue_list (request->web->archive->db, state, NULL, &error);
  g_autoptr (GHashTable) stages = NULL;

  g_string_append (body, "<section><h2>");
  kho_web_escape (body, title);
  g_string_append (body, "</h2>\n");
  if (jobs == NULL)
    {
      g_string_append (body, "<p class=\"error\">");
      kho_web_escape (body, error->message);
      g_string_append (body, "</p></section>\n");
      return;
    }
  if (jobs->len == 0)
    {
      g_string_append (body, "<p>");
      kho_web_escape (body, _("None."));
      g_string_append (body, "</p></section>\n");
      return;
    }
  g_string_append (body, "<table>\n<thead><tr><th scope=\"col\">");
  kho_web_escape (body, _("File"));
  g_string_append (body, "</th><th scope=\"col\">");
  kho_web_escape (body, with_error ? _("Error") : _("Stage"));
  g_string_append (body, "</th><th scope=\"col\">");
  kho_web_escape (body, _("Since"));
  g_string_append (body, "</th></tr></thead>\n<tbody>\n");
  for (guint i = 0; i < jobs->len; i++)
    {
      KhoJob *job = jobs->pdata[i];
      g_autofree char *since = kho_web_date_text (job->updated);
      const char *stage = job->stage;

      if (strcmp (state, "running") == 0 && job->archive_id)
        {
          g_autoptr (KhoDocument) doc = NULL;
          gint64 id = kho_db_resolve (request->web->archive->db, job->archive_id, NULL);

          if (id > 0 && (doc = kho_db_get_document (request->web->archive->db, id, NULL)))
            stage = kho_stage_next (doc->stage);
        }
      g_string_append (body, "<tr><td>");
      kho_web_escape (body, job->name ? job->name : job->source);
      g_string_append (body, "</td><td>");
      kho_web_escape (body, with_error ? (job->error ? job->error : "-")
                                       : (stage ? stage : "-"));
      g_string_append (body, "</td><td>");
      kho_web_escape (body, since);
      g_string_append (body, "</td></tr>\n");
    }
  g_string_append (body, "</tbody></table>\n</section>\n");
}

void
kho_web_page_office (KhoWebRequest *request)
{
  GString *body = g_string_new ("<h1>");

  kho_web_escape (body, _("Office: the scanning queue"));
  g_string_append (body, "</h1>\n");
  append_jobs (request, body, _("Waiting"), "queued", FALSE);
  append_jobs (request, body, _("Being processed"), "running", FALSE);
  append_jobs (request, body, _("In quarantine"), "quarantined", TRUE);
  kho_web_send_page (request, 200, _("Office"), body);
}

/* --- logging in and out --- */

static void
send_login_form (KhoWebRequest *request, guint status, const char *user, const char *message)
{
  GString *body = g_string_new ("<h1>");

  kho_web_escape (body, _("Log in"));
  g_string_append (body, "</h1>\n");
  if (message)
    {
      g_string_append (body, "<p class=\"error\" role=\"alert\">");
      kho_web_escape (body, message);
      g_string_append (body, "</p>\n");
    }
  g_string_append (body, "<form class=\"login\" method=\"post\" action=\"/login\">\n"
                         "<div class=\"field\"><label for=\"user\">");
  kho_web_escape (body, _("Account"));
  g_string_append (body, "</label><input type=\"text\" id=\"user\" name=\"user\" "
                         "autocomplete=\"username\" required value=\"");
  kho_web_escape (body, user);
  g_string_append (body, "\"></div>\n<div class=\"field\"><label for=\"password\">");
  kho_web_escape (body, _("Password"));
  g_string_append (body, "</label><input type=\"password\" id=\"password\" name=\"password\" "
                         "autocomplete=\"current-password\" required></div>\n"
                         "<button type=\"submit\">");
  kho_web_escape (body, _("Log in"));
  g_string_append (body, "</button>\n</form>\n");
  kho_web_send_page (request, status, _("Log in"), body);
}

void
kho_web_page_login (KhoWebRequest *request)
{
  KhoDb *db = request->web->archive->db;
  const char *user = request->form ? g_hash_table_lookup (request->form, "user") : NULL;
  const char *password = request->form ? g_hash_table_lookup (request->form, "password") : NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *cookie = NULL;

  if (strcmp (soup_server_message_get_method (request->msg), "POST") != 0)
    {
      send_login_form (request, 200, NULL, NULL);
      return;
    }
  if (user == NULL || password == NULL || kho_user_check (db, user, password) == KHO_ROLE_NONE)
    {
      send_login_form (request, 401, user, _("Wrong account name or password."));
      return;
    }
  token = kho_session_open (db, user, KHO_WEB_SESSION_S, &error);
  if (token == NULL)
    {
      kho_web_send_error_page (request, 500, error->message);
      return;
    }
  cookie = g_strdup_printf ("kho_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d",
                            token, KHO_WEB_SESSION_S);
  soup_message_headers_append (soup_server_message_get_response_headers (request->msg),
                               "Set-Cookie", cookie);
  g_message ("web: %s logged in", user);
  kho_web_redirect (request, "/");
}

void
kho_web_page_logout (KhoWebRequest *request)
{
  g_autofree char *token = NULL;

  if (request->session == NULL)
    {
      kho_web_redirect (request, "/");
      return;
    }
  if (!kho_web_csrf_ok (request))
    {
      kho_web_send_error_page (request, 403, _("The form has expired: load the page again."));
      return;
    }
  token = kho_web_cookie (request->msg, "kho_session");
  if (token)
    kho_session_close (request->web->archive->db, token);
  soup_message_headers_append (soup_server_message_get_response_headers (request->msg),
                               "Set-Cookie",
                               "kho_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
  kho_web_redirect (request, "/");
}
