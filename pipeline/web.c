/* web.c — kho serve's HTTP server: listening, routing, the JSON API, the
 * files (original, PDF, text) and the helpers the pages share. */
#define G_LOG_DOMAIN "kho-web"
#include "pipeline/web-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "index/audit.h"
#include "index/db.h"
#include "index/fields.h"
#include "index/ids.h"
#include "index/tokenizer.h"
#include "pipeline/document.h"
#include "store/originals.h"

/* --- small helpers --- */

void
kho_web_escape (GString *out, const char *text)
{
  for (const char *p = text; p && *p; p++)
    switch (*p)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '"': g_string_append (out, "&quot;"); break;
      case '\'': g_string_append (out, "&#39;"); break;
      default: g_string_append_c (out, *p);
      }
}

void
kho_web_append_uri (GString *out, const char *text)
{
  g_autofree char *escaped = g_uri_escape_string (text ? text : "", NULL, FALSE);

  g_string_append (out, escaped);
}

const char *
kho_web_param (KhoWebRequest *request, const char *name)
{
  const char *value = g_hash_table_lookup (request->query, name);

  return value && *value ? value : NULL;
}

gboolean
kho_web_valid_id (const char *reference)
{
  return kho_id_parse (reference, NULL) != KHO_ID_INVALID;
}

char *
kho_web_count_text (KhoWebRequest *request, gint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, value < 0 ? -value : value);
  GString *out = g_string_new (value < 0 ? "-" : "");
  gsize n = strlen (digits);

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append_c (out, request->english ? ',' : '.');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

char *
kho_web_date_text (const char *iso)
{
  int year, month, day;

  if (iso == NULL)
    return g_strdup ("-");
  if (strlen (iso) >= 10 && sscanf (iso, "%4d-%2d-%2d", &year, &month, &day) == 3)
    return g_strdup_printf ("%02d/%02d/%04d", day, month, year);
  return g_strdup (iso);
}

void
kho_web_send (KhoWebRequest *request, guint status, const char *content_type, GBytes *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);

  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "same-origin");
  soup_server_message_set_status (request->msg, status, NULL);
  if (body)
    {
      soup_message_headers_replace (headers, "Content-Type", content_type);
      soup_message_body_append_bytes (soup_server_message_get_response_body (request->msg), body);
      g_bytes_unref (body);
    }
}

void
kho_web_redirect (KhoWebRequest *request, const char *location)
{
  soup_server_message_set_redirect (request->msg, SOUP_STATUS_SEE_OTHER, location);
}

/* --- JSON errors --- */

static const char *
error_code (guint status)
{
  switch (status)
    {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 413: return "too_large";
    default: return "internal";
    }
}

static void
send_json (KhoWebRequest *request, guint status, JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize length = strlen (text);

  kho_web_send (request, status, "application/json; charset=utf-8",
                g_bytes_new_take (g_steal_pointer (&text), length));
}

static void
send_json_error (KhoWebRequest *request, guint status, const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  kho_json_add_int (builder, "status", status);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, error_code (status));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message ? message : soup_status_get_phrase (status));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  send_json (request, status, root);
}

/* --- requests: language, session --- */

char *
kho_web_cookie (SoupServerMessage *msg, const char *name)
{
  const char *header = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                      "Cookie");
  GHashTable *cookies;
  char *value;

  if (header == NULL)
    return NULL;
  cookies = soup_header_parse_semi_param_list (header);
  value = g_strdup (g_hash_table_lookup (cookies, name));
  soup_header_free_param_list (cookies);
  return value;
}

/* English when ?lang=en (remembered in a cookie), the cookie says so, or
 * Accept-Language ranks English above Vietnamese. */
static gboolean
choose_english (KhoWebRequest *request)
{
  const char *given = g_hash_table_lookup (request->query, "lang");
  g_autofree char *cookie = NULL;
  const char *accept;
  double english = 0, vietnamese = 0;

  if (given && (strcmp (given, "en") == 0 || strcmp (given, "vi") == 0))
    {
      g_autofree char *header = g_strdup_printf ("lang=%s; Path=/; Max-Age=31536000; "
                                                 "SameSite=Strict", given);

      soup_message_headers_append (soup_server_message_get_response_headers (request->msg),
                                   "Set-Cookie", header);
      return strcmp (given, "en") == 0;
    }
  cookie = kho_web_cookie (request->msg, "lang");
  if (cookie && (strcmp (cookie, "en") == 0 || strcmp (cookie, "vi") == 0))
    return strcmp (cookie, "en") == 0;
  accept = soup_message_headers_get_list (soup_server_message_get_request_headers (request->msg),
                                          "Accept-Language");
  if (accept)
    {
      g_auto (GStrv) items = g_strsplit (accept, ",", 32);

      for (int i = 0; items[i]; i++)
        {
          char *item = g_strstrip (items[i]);
          const char *q = strstr (item, ";q=");
          double weight = q ? g_ascii_strtod (q + 3, NULL) : 1.0;

          if (g_ascii_strncasecmp (item, "en", 2) == 0 && strchr ("-;", item[2]) != NULL)
            english = MAX (english, weight);
          else if (g_ascii_strncasecmp (item, "vi", 2) == 0 && strchr ("-;", item[2]) != NULL)
            vietnamese = MAX (vietnamese, weight);
        }
    }
  return english > vietnamese;
}

/* gettext answers from $LANGUAGE; setting LC_MESSAGES again makes it
 * forget the catalogue it used (the server is one thread). */
static void
use_language (gboolean english)
{
  g_autofree char *messages = g_strdup (setlocale (LC_MESSAGES, NULL));

  g_setenv ("LANGUAGE", english ? "en" : "vi", TRUE);
  setlocale (LC_MESSAGES, messages);
}

gboolean
kho_web_allows (KhoWebRequest *request, KhoRole needed)
{
  return request->session && kho_role_allows (request->session->role, needed);
}

gboolean
kho_web_csrf_ok (KhoWebRequest *request)
{
  const char *token = request->form ? g_hash_table_lookup (request->form, "csrf") : NULL;

  if (token == NULL)
    token = soup_message_headers_get_one (
      soup_server_message_get_request_headers (request->msg), "X-CSRF-Token");
  return request->session && token && kho_csrf_check (request->session, token);
}

/* --- documents and files --- */

KhoDocument *
kho_web_lookup (KhoWebRequest *request, const char *reference, guint *status, char **message)
{
  g_autoptr (GError) error = NULL;
  KhoDocument *doc;
  gint64 id;

  if (!kho_web_valid_id (reference))
    {
      *status = SOUP_STATUS_BAD_REQUEST;
      *message = g_strdup (_("not a document ID"));
      return NULL;
    }
  id = kho_db_resolve (request->web->archive->db, reference, &error);
  if (id < 0)
    {
      *status = g_error_matches (error, KHO_DB_ERROR, KHO_DB_ERROR_NOT_FOUND)
                  ? SOUP_STATUS_NOT_FOUND
                  : g_error_matches (error, KHO_DB_ERROR, KHO_DB_ERROR_SQL)
                      ? SOUP_STATUS_INTERNAL_SERVER_ERROR : SOUP_STATUS_BAD_REQUEST;
      *message = g_strdup (error->message);
      return NULL;
    }
  doc = kho_db_get_document (request->web->archive->db, id, &error);
  if (doc == NULL)
    {
      *status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
      *message = g_strdup (error->message);
    }
  return doc;
}

/* The stored file at @path, mapped, after checking it still has @sha256
 * (once per size and modification time).  NULL with @error otherwise. */
static GMappedFile *
map_verified (KhoWeb *web, const char *path, const char *sha256, GError **error)
{
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  struct stat st;
  g_autofree char *stamp = NULL;
  const char *known;

  if (file == NULL)
    return NULL;
  if (stat (path, &st) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
      return NULL;
    }
  stamp = g_strdup_printf ("%s %jd %jd.%09ld", sha256, (intmax_t) st.st_size,
                           (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  known = g_hash_table_lookup (web->verified, path);
  if (g_strcmp0 (known, stamp) != 0)
    {
      g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (file);
      g_autofree char *actual = kho_store_sha256_bytes (bytes);

      if (g_strcmp0 (actual, sha256) != 0)
        {
          g_set_error (error, KHO_STORE_ERROR, KHO_STORE_ERROR_MISMATCH,
                       "%s has changed: SHA-256 %s, recorded %s", path, actual, sha256);
          g_warning ("%s", (*error)->message);
          return NULL;
        }
      g_hash_table_replace (web->verified, g_strdup (path), g_steal_pointer (&stamp));
    }
  return g_steal_pointer (&file);
}

static const char *
format_type (const char *format)
{
  static const struct { const char *format, *type; } types[] = {
    { "tiff", "image/tiff" }, { "tif", "image/tiff" }, { "png", "image/png" },
    { "jpeg", "image/jpeg" }, { "jpg", "image/jpeg" }, { "pdf", "application/pdf" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (format && g_ascii_strcasecmp (format, types[i].format) == 0)
      return types[i].type;
  return "application/octet-stream";
}

/* attachment; filename="ascii"; filename*=UTF-8''percent-encoded */
static char *
content_disposition (const char *kind, const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  g_autofree char *encoded = g_uri_escape_string (name, NULL, FALSE);

  for (char *p = ascii; *p; p++)
    if (*p == '"' || *p == '\\' || *p == '/' || !g_ascii_isprint (*p))
      *p = '_';
  return g_strdup_printf ("%s; filename=\"%s\"; filename*=UTF-8''%s", kind, ascii, encoded);
}

/* The audit trail's record that @what of @doc was given out (or could not
 * be: @status "failed"), once per download: not for an answer of 304 nor
 * for the later pieces of a download in ranges. */
static void
record_access (KhoWebRequest *request, const KhoDocument *doc, const char *what,
               const char *status)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (request->msg);
  const char *range = soup_message_headers_get_one (in, "Range");
  g_autofree char *actor = request->session ? g_strdup_printf ("web:%s", request->session->user)
                                            : g_strdup ("web");
  g_autofree char *client = NULL;
  GSocketAddress *remote = soup_server_message_get_remote_address (request->msg);
  sqlite3 *db = kho_db_handle (request->web->archive->db);
  sqlite3_int64 before;
  g_autoptr (GError) error = NULL;

  if (range && !g_regex_match_simple ("^\\s*bytes\\s*=\\s*0\\s*-", range, 0, 0))
    return;
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    client = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  before = sqlite3_total_changes64 (db);
  if (!kho_audit_record_access (request->web->archive->db, doc, what, status, actor, client,
                                &error))
    g_warning ("%s: %s", doc->archive_id, error->message);
  /* A line of the audit trail changes no search's answer: the cache of
   * answers keeps them (catalogue_version). */
  request->web->audit_changes += sqlite3_total_changes64 (db) - before;
}

/* Sends a stored file with its ETag; 304 when the client has it.  Ranges
 * are left to libsoup, which answers them from the whole body. */
static void
send_file (KhoWebRequest *request, const KhoDocument *doc, const char *what, const char *path,
           const char *sha256, const char *content_type, const char *disposition)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (request->msg);
  SoupMessageHeaders *out = soup_server_message_get_response_headers (request->msg);
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) file = NULL;
  g_autofree char *etag = g_strdup_printf ("\"%s\"", sha256);
  const char *match = soup_message_headers_get_list (in, "If-None-Match");

  if (sha256 == NULL)
    {
      send_json_error (request, 404, _("the document has no such file yet"));
      return;
    }
  file = map_verified (request->web, path, sha256, &error);
  if (file == NULL)
    {
      record_access (request, doc, what, "failed");
      send_json_error (request, 500, error->message);
      return;
    }
  soup_message_headers_replace (out, "ETag", etag);
  soup_message_headers_replace (out, "Accept-Ranges", "bytes");
  soup_message_headers_replace (out, "Cache-Control", "no-cache");
  soup_message_headers_replace (out, "Content-Disposition", disposition);
  if (match && (strstr (match, etag) || strcmp (match, "*") == 0))
    {
      soup_server_message_set_status (request->msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  record_access (request, doc, what, "ok");
  kho_web_send (request, 200, content_type, g_mapped_file_get_bytes (file));
}

static void
api_file (KhoWebRequest *request, const char *reference, const char *what)
{
  g_autofree char *message = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  guint status = 0;
  const char *root = request->web->archive->root;

  doc = kho_web_lookup (request, reference, &status, &message);
  if (doc == NULL)
    {
      send_json_error (request, status, message);
      return;
    }
  if (strcmp (what, "text") == 0)
    {
      g_autoptr (GError) error = NULL;
      char *text = kho_db_get_text (request->web->archive->db, doc->id, &error);

      if (text == NULL)
        {
          send_json_error (request, 500, error->message);
          return;
        }
      kho_web_send (request, 200, "text/plain; charset=utf-8",
                    g_bytes_new_take (text, strlen (text)));
      return;
    }
  if (g_strcmp0 (doc->status, "archived") != 0)
    {
      send_json_error (request, 404, _("the document is not archived yet"));
      return;
    }
  if (strcmp (what, "original") == 0)
    {
      g_autofree char *path = kho_store_original_path (root, doc->sha256);
      g_autofree char *disposition = content_disposition ("attachment", doc->file_name
                                                                          ? doc->file_name
                                                                          : doc->sha256);

      send_file (request, doc, "original", path, doc->sha256, format_type (doc->format),
                 disposition);
    }
  else
    {
      g_autofree char *path = kho_store_pdf_path (root, doc->archive_id);
      g_autofree char *name = g_strdup_printf ("%s.pdf", doc->archive_id);
      g_autofree char *disposition = g_strdup_printf ("inline; filename=\"%s\"", name);

      send_file (request, doc, "pdf", path, doc->pdf_sha256, "application/pdf", disposition);
    }
}

/* GET /api/documents/ID: what `kho show --json ID` prints (the same
 * function makes both), without the paths of the files on the server. */
static void
api_document (KhoWebRequest *request, const char *reference)
{
  g_autofree char *message = NULL;
  g_autoptr (KhoDocument) doc = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  gsize length;
  guint status = 0;

  doc = kho_web_lookup (request, reference, &status, &message);
  if (doc == NULL)
    {
      send_json_error (request, status, message);
      return;
    }
  /* The server's own paths are none of a reader's business. */
  node = kho_document_json_load (request->web->archive, doc, FALSE, &error);
  if (node == NULL)
    {
      send_json_error (request, 500, error->message);
      return;
    }
  text = json_to_string (node, TRUE);
  length = strlen (text);
  kho_web_send (request, 200, "application/json; charset=utf-8",
                g_bytes_new_take (g_steal_pointer (&text), length));
}

/* --- search --- */

void
kho_web_results_clear (KhoWebResults *results)
{
  g_clear_pointer (&results->hits, g_ptr_array_unref);
  for (int i = 0; i < KHO_SEARCH_N_FACETS; i++)
    g_clear_pointer (&results->facets[i], g_ptr_array_unref);
}

static gboolean
parse_int (const char *text, int low, int high, int *value)
{
  gint64 number;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (text, 10, low, high, &number, NULL))
    return FALSE;
  *value = (int) number;
  return TRUE;
}

/* Searches run off the main loop, on a pool of threads (one per core),
 * each with a read-only connection of its own: a search of a common word
 * takes tens of milliseconds on a large archive, and the server must go on
 * answering pages, files and cached searches meanwhile.  Its two halves,
 * the count with the facets and the page of hits, are two tasks of the
 * pool: on an idle server they run at once, on two cores.  The handler that
 * asked is paused and returns; when the search is done the main loop runs
 * the request again, and kho_web_search then answers with the results
 * (request->ready).  Everything before the search in a handler that
 * searches must therefore be free of side effects. */
typedef struct {
  KhoWebSearchJob *job;
  gboolean hits;              /* the page of hits; else the count and facets */
  char *error;                /* when it failed */
} SearchPart;

struct KhoWebSearchJob {
  KhoWeb *web;
  SearchPart parts[2];
  int pending;                /* parts not done (atomic) */
  SoupServerMessage *msg;     /* a reference, paused */
  gulong finished_handler;
  gboolean finished;          /* the client went away: nothing to answer */
  char *method;
  char *path;
  GHashTable *query;          /* a copy */
  gboolean english;
  KhoSession *session;        /* taken from the request */
  /* the search: the options point into the copies kept */
  char *q;
  KhoSearchOptions options;
  GPtrArray *kept;
  KhoWebResults results;
};

static const char *
job_keep (KhoWebSearchJob *job, const char *text)
{
  char *copy = g_strdup (text);

  if (copy)
    g_ptr_array_add (job->kept, copy);
  return copy;
}

static void
on_search_message_finished (SoupServerMessage *msg G_GNUC_UNUSED, gpointer data)
{
  ((KhoWebSearchJob *) data)->finished = TRUE;
}

static void
search_job_free (KhoWebSearchJob *job)
{
  g_signal_handler_disconnect (job->msg, job->finished_handler);
  g_object_unref (job->msg);
  g_free (job->method);
  g_free (job->path);
  g_hash_table_unref (job->query);
  kho_session_free (job->session);
  g_free (job->q);
  g_ptr_array_unref (job->kept);
  kho_web_results_clear (&job->results);
  g_free (job->parts[0].error);
  g_free (job->parts[1].error);
  g_free (job);
}

static void route (KhoWebRequest *request, const char *method);

/* On the main loop: the request again, with the results. */
static gboolean
search_finished (gpointer data)
{
  KhoWebSearchJob *job = data;
  KhoWeb *web = job->web;

  if (!job->finished)
    {
      KhoWebRequest request = { .web = web, .msg = job->msg, .path = job->path,
                                .query = job->query, .english = job->english,
                                .session = job->session, .ready = job };

      use_language (request.english);
      route (&request, job->method);
      g_assert (!request.deferred);
      soup_server_message_unpause (job->msg);
    }
  search_job_free (job);
  web->searching--;
  return G_SOURCE_REMOVE;
}

/* On a thread of the pool: one half of a search. */
static void
search_thread (gpointer data, gpointer user_data)
{
  SearchPart *part = data;
  KhoWebSearchJob *job = part->job;
  KhoWeb *web = user_data;
  sqlite3 *db = g_async_queue_pop (web->connections);
  const char *q = job->q;
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;

  if (part->hits)
    job->results.hits = kho_search_run (db, q, &job->options, &error);
  else
    job->results.total = kho_search_count (db, q, &job->options, 10, 2000, job->results.facets,
                                           &error);
  g_async_queue_push (web->connections, db);
  if (error)
    {
      g_warning ("%s", error->message);
      part->error = g_strdup (error->message);
    }
  g_debug ("search “%s”: %s %" G_GINT64_FORMAT " ms", q ? q : "",
           part->hits ? "hits" : "count and facets", (g_get_monotonic_time () - start) / 1000);
  if (g_atomic_int_dec_and_test (&job->pending))
    g_main_context_invoke (web->context, search_finished, job);
}

static void
search_defer (KhoWebRequest *request, const KhoSearchOptions *options, const char *q)
{
  KhoWebSearchJob *job = g_new0 (KhoWebSearchJob, 1);
  GHashTableIter iter;
  gpointer name, value;

  job->web = request->web;
  job->msg = g_object_ref (request->msg);
  job->finished_handler = g_signal_connect (job->msg, "finished",
                                            G_CALLBACK (on_search_message_finished), job);
  job->method = g_strdup (soup_server_message_get_method (request->msg));
  job->path = g_strdup (request->path);
  job->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_hash_table_insert (job->query, g_strdup (name), g_strdup (value));
  job->english = request->english;
  job->session = g_steal_pointer (&request->session);
  job->options = *options;
  job->q = g_strdup (q);
  job->kept = g_ptr_array_new_with_free_func (g_free);
  job->options.mark_open = job_keep (job, options->mark_open);
  job->options.mark_close = job_keep (job, options->mark_close);
  job->options.type = job_keep (job, options->type);
  job->options.issuer = job_keep (job, options->issuer);
  job->options.from = job_keep (job, options->from);
  job->options.to = job_keep (job, options->to);
  job->options.number = job_keep (job, options->number);
  job->options.tag = job_keep (job, options->tag);
  request->deferred = TRUE;
  request->web->searching++;
  soup_server_message_pause (request->msg);
  job->pending = 2;
  for (int i = 0; i < 2; i++)
    {
      job->parts[i].job = job;
      job->parts[i].hits = i == 1;
      g_thread_pool_push (request->web->searchers, &job->parts[i], NULL);
    }
}

/* The pool and its connections. */
static gboolean
searchers_start (KhoWeb *web, GError **error)
{
  g_autofree char *path = g_build_filename (web->archive->root, "kho.db", NULL);
  int threads = CLAMP ((int) g_get_num_processors (), 1, 8);

  web->connections = g_async_queue_new ();
  for (int i = 0; i < threads; i++)
    {
      sqlite3 *db = NULL;

      /* Read through a memory map, with a larger page cache: a search of
       * common words reads megabytes of the index, and copying every page
       * in with pread was a tenth of its time. */
      if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL)
            != SQLITE_OK || kho_tokenizer_register (db) != SQLITE_OK ||
          sqlite3_busy_timeout (db, 5000) != SQLITE_OK ||
          sqlite3_exec (db, "PRAGMA mmap_size = 2147418112; PRAGMA cache_size = -65536",
                        NULL, NULL, NULL) != SQLITE_OK)
        {
          g_set_error (error, KHO_ARCHIVE_ERROR, KHO_ARCHIVE_ERROR_MISSING,
                       _("database %s: cannot open: %s"), path,
                       db ? sqlite3_errmsg (db) : "");
          sqlite3_close (db);
          return FALSE;
        }
      g_async_queue_push (web->connections, db);
    }
  web->searchers = g_thread_pool_new (search_thread, web, threads, TRUE, NULL);
  return TRUE;
}

static void
searchers_stop (KhoWeb *web)
{
  sqlite3 *db;

  if (web->searchers)
    g_thread_pool_free (web->searchers, FALSE, TRUE);
  web->searchers = NULL;
  while (web->searching > 0)
    g_main_context_iteration (web->context, TRUE);
  while (web->connections && (db = g_async_queue_try_pop (web->connections)) != NULL)
    sqlite3_close (db);
  g_clear_pointer (&web->connections, g_async_queue_unref);
}

gboolean
kho_web_search (KhoWebRequest *request, const char *mark_open, const char *mark_close,
                KhoWebResults *results, guint *status, char **message)
{
  const char *q = kho_web_param (request, "q");
  const char *year = kho_web_param (request, "year");
  KhoSearchOptions options;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  memset (results, 0, sizeof *results);
  results->page = 1;
  results->per_page = 20;
  *status = SOUP_STATUS_BAD_REQUEST;
  if (!parse_int (kho_web_param (request, "page"), 1, 100000, &results->page) ||
      !parse_int (kho_web_param (request, "per_page"), 1, KHO_WEB_MAX_PER_PAGE,
                  &results->per_page))
    {
      *message = g_strdup_printf (_("page must be a number from 1, per_page from 1 to %d"),
                                  KHO_WEB_MAX_PER_PAGE);
      return FALSE;
    }
  if (q && g_utf8_strlen (q, -1) > KHO_WEB_MAX_Q)
    {
      *message = g_strdup_printf (_("the query is longer than %d characters"), KHO_WEB_MAX_Q);
      return FALSE;
    }
  kho_search_options_init (&options);
  options.limit = results->per_page;
  options.offset = (results->page - 1) * results->per_page;
  options.mark_open = mark_open;
  options.mark_close = mark_close;
  options.type = kho_web_param (request, "type");
  options.issuer = kho_web_param (request, "issuer");
  options.number = kho_web_param (request, "number");
  options.tag = kho_web_param (request, "tag");
  options.from = kho_web_param (request, "from");
  options.to = kho_web_param (request, "to");
  if (year)
    {
      if (!g_regex_match_simple ("^[0-9]{4}$", year, 0, 0))
        {
          *message = g_strdup (_("year must have four digits"));
          return FALSE;
        }
      options.from = options.to = year;
    }
  from = kho_search_date (options.from);
  to = kho_search_date (options.to);
  if ((options.from && !from) || (options.to && !to))
    {
      *message = g_strdup (_("dates are YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY"));
      return FALSE;
    }
  options.from = from;
  options.to = to;
  *status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  if (request->ready)
    {
      /* Run again with the search done in the background (search_finished). */
      KhoWebSearchJob *job = request->ready;
      const char *failed = job->parts[0].error ? job->parts[0].error : job->parts[1].error;

      if (failed)
        {
          *message = g_strdup (failed);
          return FALSE;
        }
      results->total = job->results.total;
      results->hits = g_steal_pointer (&job->results.hits);
      memcpy (results->facets, job->results.facets, sizeof results->facets);
      memset (job->results.facets, 0, sizeof job->results.facets);
      return TRUE;
    }
  search_defer (request, &options, q);
  *status = 0;
  return FALSE;
}

/* Answers of /api/search, kept while the catalogue does not change: a
 * search of a common word ranks every match, so a repeated search (the
 * next page's facets, a popular query) is answered from here.  Any commit
 * (kho watch, kho edit, an edit here) changes the database's data_version
 * or this connection's change count, and empties the cache. */
static gint64
catalogue_version (KhoWeb *web)
{
  sqlite3 *db = kho_db_handle (web->archive->db);
  sqlite3_stmt *stmt = NULL;
  gint64 version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return version < 0 ? -1 : (version << 32) ^ (sqlite3_total_changes64 (db) - web->audit_changes);
}

static char *
search_key (KhoWebRequest *request)
{
  static const char *const names[] = { "q", "type", "issuer", "from", "to", "number", "year",
                                       "tag", "page", "per_page" };
  GString *key = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = g_hash_table_lookup (request->query, names[i]);

      g_string_append_printf (key, "%s\x1f", value ? value : "");
    }
  return g_string_free (key, FALSE);
}

static GBytes *
search_cache_lookup (KhoWeb *web, const char *key)
{
  gint64 version = catalogue_version (web);

  if (version != web->search_version || version < 0)
    {
      g_hash_table_remove_all (web->search_cache);
      web->search_version = version;
      return NULL;
    }
  return g_hash_table_lookup (web->search_cache, key);
}

static void
search_cache_store (KhoWeb *web, const char *key, GBytes *body)
{
  if (web->search_version < 0)
    return;
  if (g_hash_table_size (web->search_cache) >= KHO_WEB_SEARCH_CACHE)
    g_hash_table_remove_all (web->search_cache);
  g_hash_table_replace (web->search_cache, g_strdup (key), g_bytes_ref (body));
}

static gboolean
facets_estimated (KhoWebResults *results)
{
  for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
    for (guint i = 0; results->facets[f] && i < results->facets[f]->len; i++)
      if (((KhoSearchFacet *) results->facets[f]->pdata[i])->estimated)
        return TRUE;
  return FALSE;
}

static void
api_search (KhoWebRequest *request)
{
  KhoWebResults results;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *message = NULL;
  guint status;
  const char *q = g_hash_table_lookup (request->query, "q");

  g_autofree char *key = search_key (request);
  GBytes *cached;

  cached = search_cache_lookup (request->web, key);
  if (cached)
    {
      kho_web_send (request, 200, "application/json; charset=utf-8", g_bytes_ref (cached));
      return;
    }
  if (!kho_web_search (request, KHO_WEB_MARK_OPEN, KHO_WEB_MARK_CLOSE, &results, &status,
                       &message))
    {
      if (status != 0)
        send_json_error (request, status, message);
      return;
    }
  json_builder_begin_object (builder);
  kho_json_add_string (builder, "query", q ? q : "");
  kho_json_add_int (builder, "page", results.page);
  kho_json_add_int (builder, "per_page", results.per_page);
  kho_json_add_int (builder, "total", results.total);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results.hits->len; i++)
    {
      KhoSearchHit *hit = results.hits->pdata[i];

      json_builder_begin_object (builder);
      kho_json_add_string (builder, "id", hit->archive_id);
      kho_json_add_string (builder, "title", hit->title);
      kho_json_add_string (builder, "type", hit->type);
      kho_json_add_string (builder, "number", hit->reference);
      kho_json_add_string (builder, "issued", hit->issued);
      kho_json_add_string (builder, "issuer", hit->issuer);
      kho_json_add_int (builder, "pages", hit->page_count);
      {
        GString *snippet = g_string_new (NULL);

        /* HTML: the text escaped, the hits in <mark>. */
        kho_web_append_snippet (snippet, hit->snippet);
        kho_json_add_string (builder, "snippet", snippet->str);
        g_string_free (snippet, TRUE);
      }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  /* Facets counted on a sample of a large result are estimates. */
  json_builder_set_member_name (builder, "facets_estimated");
  json_builder_add_boolean_value (builder, facets_estimated (&results));
  json_builder_set_member_name (builder, "facets");
  json_builder_begin_object (builder);
  for (int f = 0; f < KHO_SEARCH_N_FACETS; f++)
    {
      json_builder_set_member_name (builder, kho_search_facet_names[f]);
      json_builder_begin_object (builder);
      for (guint i = 0; results.facets[f] && i < results.facets[f]->len; i++)
        {
          KhoSearchFacet *facet = results.facets[f]->pdata[i];

          kho_json_add_int (builder, facet->value ? facet->value : "", facet->count);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  {
    g_autofree char *text = json_to_string (root, FALSE);
    gsize length = strlen (text);
    GBytes *body = g_bytes_new_take (g_steal_pointer (&text), length);

    search_cache_store (request->web, key, body);
    kho_web_send (request, 200, "application/json; charset=utf-8", body);
  }
  kho_web_results_clear (&results);
}

/* --- routing --- */

static void
route_api (KhoWebRequest *request, char **parts, int n, const char *method)
{
  gboolean get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;

  /* parts: "", "api", … */
  if (request->web->read_login && request->session == NULL)
    {
      send_json_error (request, 401, _("log in first"));
      return;
    }
  if (n == 3 && strcmp (parts[2], "search") == 0)
    {
      if (!get)
        send_json_error (request, 405, NULL);
      else
        api_search (request);
      return;
    }
  if (n >= 4 && n <= 5 && strcmp (parts[2], "documents") == 0)
    {
      if (!kho_web_valid_id (parts[3]))
        {
          send_json_error (request, 400, _("not a document ID"));
          return;
        }
      if (n == 5 && strcmp (parts[4], "original") != 0 && strcmp (parts[4], "pdf") != 0 &&
          strcmp (parts[4], "text") != 0)
        {
          send_json_error (request, 404, NULL);
          return;
        }
      if (!get)
        send_json_error (request, 405, NULL);
      else if (n == 4)
        api_document (request, parts[3]);
      else
        api_file (request, parts[3], parts[4]);
      return;
    }
  /* "/api/documents/../pdf" arrives as "/api/pdf": the URI parser removes
   * dot segments before kho sees the path.  Such a path names a document
   * file without a valid ID. */
  if (n == 2 || (n == 3 && (*parts[2] == '\0' || strcmp (parts[2], "original") == 0 ||
                            strcmp (parts[2], "pdf") == 0 || strcmp (parts[2], "text") == 0)))
    {
      send_json_error (request, 400, _("not a document ID"));
      return;
    }
  send_json_error (request, 404, NULL);
}

#include "pipeline/kho-css.h"

static void
route (KhoWebRequest *request, const char *method)
{
  g_auto (GStrv) parts = g_strsplit (request->path, "/", 8);
  int n = (int) g_strv_length (parts);
  gboolean get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
  gboolean post = strcmp (method, "POST") == 0;

  /* "/a/b/" is "/a/b" */
  if (n > 2 && *parts[n - 1] == '\0')
    n--;
  if (n >= 2 && strcmp (parts[1], "api") == 0)
    {
      route_api (request, parts, n, method);
      return;
    }
  if (n == 3 && strcmp (parts[1], "static") == 0 && strcmp (parts[2], "kho.css") == 0)
    {
      SoupMessageHeaders *out = soup_server_message_get_response_headers (request->msg);

      soup_message_headers_replace (out, "Cache-Control", "max-age=3600");
      kho_web_send (request, 200, "text/css; charset=utf-8",
                    g_bytes_new_static (kho_css, sizeof kho_css - 1));
      return;
    }
  if (n == 2 && strcmp (parts[1], "login") == 0)
    {
      if (get || post)
        kho_web_page_login (request);
      else
        kho_web_send_error_page (request, 405, NULL);
      return;
    }
  if (n == 2 && strcmp (parts[1], "logout") == 0)
    {
      if (post)
        kho_web_page_logout (request);
      else
        kho_web_send_error_page (request, 405, NULL);
      return;
    }
  if (request->web->read_login && request->session == NULL)
    {
      kho_web_redirect (request, "/login");
      return;
    }
  if (n == 2 && (strcmp (parts[1], "") == 0 || strcmp (parts[1], "browse") == 0 ||
                 strcmp (parts[1], "office") == 0))
    {
      if (!get)
        kho_web_send_error_page (request, 405, NULL);
      else if (*parts[1] == '\0')
        kho_web_page_search (request);
      else if (strcmp (parts[1], "browse") == 0)
        kho_web_page_browse (request);
      else
        kho_web_page_office (request);
      return;
    }
  if (n >= 3 && strcmp (parts[1], "documents") == 0)
    {
      if (!kho_web_valid_id (parts[2]))
        {
          kho_web_send_error_page (request, 400, _("not a document ID"));
          return;
        }
      if (n == 3 && get)
        kho_web_page_document (request, parts[2]);
      else if (n == 4 && strcmp (parts[3], "edit") == 0 && post)
        kho_web_page_edit (request, parts[2]);
      else if (n == 5 && strcmp (parts[3], "pages") == 0 && get)
        kho_web_page_thumbnail (request, parts[2], parts[4]);
      else if (n == 3 || (n == 4 && strcmp (parts[3], "edit") == 0))
        kho_web_send_error_page (request, 405, NULL);
      else
        kho_web_send_error_page (request, 404, NULL);
      return;
    }
  kho_web_send_error_page (request, 404, NULL);
}

static void
on_request (SoupServer *server G_GNUC_UNUSED, SoupServerMessage *msg, const char *path, GHashTable *query,
            gpointer data)
{
  KhoWeb *web = data;
  KhoWebRequest request = { .web = web, .msg = msg, .path = path };
  const char *method = soup_server_message_get_method (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *raw_query = g_uri_get_query (uri);
  g_autofree char *token = NULL;
  g_autoptr (GHashTable) empty = NULL;

  request.query = query;
  if (query == NULL)
    request.query = empty = g_hash_table_new (g_str_hash, g_str_equal);
  request.english = choose_english (&request);
  use_language (request.english);
  token = kho_web_cookie (msg, "kho_session");
  if (token && *token)
    request.session = kho_session_get (web->archive->db, token);
  if (strcmp (method, "POST") == 0)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      const char *type = soup_message_headers_get_content_type (
        soup_server_message_get_request_headers (msg), NULL);

      if (body->length > KHO_WEB_MAX_BODY)
        {
          if (g_str_has_prefix (path, "/api/"))
            send_json_error (&request, 413, NULL);
          else
            kho_web_send_error_page (&request, 413, NULL);
          goto out;
        }
      if (g_strcmp0 (type, "application/x-www-form-urlencoded") == 0 && body->length > 0)
        {
          g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
          g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL),
                                             g_bytes_get_size (bytes));

          request.form = soup_form_decode (text);
        }
    }
  if (raw_query && strlen (raw_query) > KHO_WEB_MAX_QUERY)
    {
      if (g_str_has_prefix (path, "/api/"))
        send_json_error (&request, 400, _("the query string is too long"));
      else
        kho_web_send_error_page (&request, 400, _("the query string is too long"));
      goto out;
    }
  route (&request, method);

out:  /* a deferred request's session went to its job */
  g_clear_pointer (&request.form, g_hash_table_unref);
  kho_session_free (request.session);
}

/* Refuses a body over the limit before it is read. */
static void
on_early_request (SoupServer *server G_GNUC_UNUSED, SoupServerMessage *msg, const char *path,
                  GHashTable *query G_GNUC_UNUSED, gpointer data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  if (length > KHO_WEB_MAX_BODY || encoding == SOUP_ENCODING_CHUNKED ||
      encoding == SOUP_ENCODING_EOF)
    {
      KhoWebRequest request = { .web = data, .msg = msg, .path = path };
      g_autoptr (GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);

      request.query = empty;
      if (g_str_has_prefix (path, "/api/"))
        send_json_error (&request, 413, NULL);
      else
        kho_web_send_error_page (&request, 413, _("The form is larger than 64 KiB."));
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
}

KhoWeb *
kho_web_new (KhoArchive *archive, GError **error)
{
  KhoWeb *web;
  const char *read = archive->serve_read;

  if (read && strcmp (read, "open") != 0 && strcmp (read, "login") != 0)
    {
      g_set_error (error, KHO_ARCHIVE_ERROR, KHO_ARCHIVE_ERROR_CONFIG,
                   _("kho.conf: [serve] read must be open or login, not “%s”"), read);
      return NULL;
    }
  if (!kho_auth_init (error))
    return NULL;
  web = g_new0 (KhoWeb, 1);
  web->archive = archive;
  web->read_login = g_strcmp0 (read, "login") == 0;
  web->thumbnails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_bytes_unref);
  web->verified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  web->search_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_bytes_unref);
  web->search_version = -1;
  web->context = g_main_context_ref_thread_default ();
  /* Raw paths: an encoded "%2F" or "%2e%2e" reaches the ID check (and fails it)
   * instead of being decoded into the path. */
  web->server = soup_server_new ("server-header", "kho", "raw-paths", TRUE, NULL);
  soup_server_add_early_handler (web->server, NULL, on_early_request, web, NULL);
  soup_server_add_handler (web->server, NULL, on_request, web, NULL);
  if (!searchers_start (web, error))
    {
      kho_web_free (web);
      return NULL;
    }
  return web;
}

/* kho accepts the connections itself and hands them to libsoup: the
 * libsoup 3.2 of Debian 12 loses the GSocket of every connection it
 * accepts, and the file descriptor of a kept-alive connection the client
 * closes (fixed upstream in 3.3, commit d20c6601) — within a day kho would
 * run out of descriptors.  Accepted here, both are freed.
 *
 * Idle connections close after KHO_WEB_IDLE_S: the socket's timeout makes a
 * read or write that waits that long fail, and libsoup then drops the
 * connection (a slow client cannot hold one open either). */
static gboolean
on_incoming (GSocketService *service G_GNUC_UNUSED, GSocketConnection *connection,
             GObject *source G_GNUC_UNUSED, gpointer data)
{
  KhoWeb *web = data;
  g_autoptr (GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr (GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr (GError) error = NULL;

  GSocket *socket = g_socket_connection_get_socket (connection);

  g_socket_set_timeout (socket, KHO_WEB_IDLE_S);
  /* An answer is written in pieces (headers, body): without this a kept-
   * alive connection waits for the client's delayed ACK (40 ms) each time. */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  if (!soup_server_accept_iostream (web->server, G_IO_STREAM (connection), local, remote,
                                    &error))
    g_warning ("cannot take a connection: %s", error->message);
  return TRUE;
}

/* libsoup 3.2 keeps a connection open after an answer (HTTP keep-alive)
 * only when the server has a listener of its own (soup-server.c,
 * request_finished: "priv->listeners"); with only accepted streams it
 * closes every connection after one answer, and a browser or client pays
 * a new TCP connection per request.  kho gives it a listener nobody can
 * reach: a Unix socket listening in a private folder whose name is
 * removed at once. */
static gboolean
add_unreachable_listener (KhoWeb *web, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("kho-serve-XXXXXX", error);
  g_autofree char *path = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  gboolean ok = FALSE;

  if (dir == NULL)
    return FALSE;
  path = g_build_filename (dir, "s", NULL);
  address = g_unix_socket_address_new (path);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         error);
  if (socket && g_socket_bind (socket, address, FALSE, error) && g_socket_listen (socket, error))
    ok = soup_server_listen_socket (web->server, socket, 0, error);
  g_unlink (path);
  g_rmdir (dir);
  return ok;
}

char *
kho_web_listen (KhoWeb *web, const char *address, int port, GError **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;
  gboolean v6;

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address"), address);
      return NULL;
    }
  if (port < 0 || port > 65535)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("the port must be from 0 to 65535"));
      return NULL;
    }
  socket_address = g_inet_socket_address_new (inet, (guint16) port);
  if (web->service == NULL)
    {
      g_autoptr (GError) local = NULL;

      if (!add_unreachable_listener (web, &local))
        g_warning ("connections will not be kept open: %s", local->message);
      web->service = g_socket_service_new ();
      g_signal_connect (web->service, "incoming", G_CALLBACK (on_incoming), web);
    }
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (web->service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, error))
    return NULL;
  g_socket_service_start (web->service);
  v6 = strchr (address, ':') != NULL;
  return g_strdup_printf ("http://%s%s%s:%u/", v6 ? "[" : "", address, v6 ? "]" : "",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
}

void
kho_web_free (KhoWeb *web)
{
  if (web == NULL)
    return;
  if (web->service)
    {
      g_socket_service_stop (web->service);
      g_socket_listener_close (G_SOCKET_LISTENER (web->service));
      g_object_unref (web->service);
    }
  soup_server_disconnect (web->server);
  searchers_stop (web);
  g_main_context_unref (web->context);
  g_object_unref (web->server);
  g_hash_table_unref (web->thumbnails);
  g_hash_table_unref (web->verified);
  g_hash_table_unref (web->search_cache);
  g_free (web);
}
