/* web-private.h — what the files of kho serve share: the server, one
 * request, and the helpers that build answers.  Not for other modules. */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

#include "index/search.h"
#include "pipeline/archive.h"
#include "pipeline/auth.h"
#include "pipeline/web.h"

G_BEGIN_DECLS

#define KHO_WEB_MAX_BODY (64 * 1024)
#define KHO_WEB_MAX_QUERY 2048
#define KHO_WEB_MAX_Q 500
#define KHO_WEB_MAX_PER_PAGE 100
#define KHO_WEB_IDLE_S 30
#define KHO_WEB_SESSION_S (8 * 3600)
#define KHO_WEB_SEARCH_CACHE 256

struct KhoWeb {
  SoupServer *server;
  GSocketService *service; /* accepts the connections (see web.c) */
  KhoArchive *archive;     /* borrowed */
  gboolean read_login;     /* [serve] read=login */
  GHashTable *thumbnails;  /* "pdfsha:page" → GBytes (PNG) */
  GHashTable *verified;    /* path → "sha256 size mtime" of a file checked */
  GHashTable *search_cache;/* /api/search parameters → JSON answer (GBytes) */
  gint64 search_version;   /* of the catalogue the cache holds answers of */
  gint64 audit_changes;    /* rows this connection wrote to the audit trail */
  GMainContext *context;   /* the server's */
  GThreadPool *searchers;  /* searches off the main loop (web.c) */
  GAsyncQueue *connections;/* read-only sqlite3* for them, one per thread */
  int searching;           /* searches deferred and not yet answered */
};

typedef struct KhoWebSearchJob KhoWebSearchJob;

typedef struct {
  KhoWeb *web;
  SoupServerMessage *msg;
  const char *path;        /* borrowed from the message's URI */
  GHashTable *query;       /* name → value; empty when none */
  GHashTable *form;        /* of a POST form; NULL otherwise */
  gboolean english;
  KhoSession *session;     /* NULL when not logged in */
  KhoWebSearchJob *ready;  /* the search of this request, done (web.c) */
  gboolean deferred;       /* kho_web_search sent the search away */
} KhoWebRequest;

/* --- web.c --- */

/* The value of cookie @name of the request, or NULL (newly allocated). */
char *kho_web_cookie (SoupServerMessage *msg, const char *name);
/* Appends @text HTML-escaped (& < > " ') to @out; NULL appends nothing. */
void kho_web_escape (GString *out, const char *text);
/* Appends @text escaped for a URL query value. */
void kho_web_append_uri (GString *out, const char *text);
/* The non-empty value of query parameter @name, or NULL (borrowed). */
const char *kho_web_param (KhoWebRequest *request, const char *name);
/* TRUE when @reference looks like an archive ID or a SHA-256 (prefix). */
gboolean kho_web_valid_id (const char *reference);
/* @value grouped as the reader's language writes it (newly allocated). */
char *kho_web_count_text (KhoWebRequest *request, gint64 value);
/* "28/04/2023" for "2023-04-28"; "-" for NULL (newly allocated). */
char *kho_web_date_text (const char *iso);
/* Sends @body (taken) with @status. */
void kho_web_send (KhoWebRequest *request, guint status, const char *content_type,
                   GBytes *body);
void kho_web_redirect (KhoWebRequest *request, const char *location);
/* An HTML page of @status: the site's frame around @body (taken). */
void kho_web_send_page (KhoWebRequest *request, guint status, const char *title, GString *body);
void kho_web_send_error_page (KhoWebRequest *request, guint status, const char *message);

typedef struct {
  gint64 total;
  int page;
  int per_page;
  GPtrArray *hits;                          /* KhoSearchHit* */
  GPtrArray *facets[KHO_SEARCH_N_FACETS];   /* KhoSearchFacet* */
} KhoWebResults;

void kho_web_results_clear (KhoWebResults *results);
/* Runs the search the request's parameters ask for.  FALSE with a status
 * (400 or 500) and a message when it cannot; FALSE with status 0 when the
 * search went to a thread: the caller returns at once, without answering,
 * and the request is run again when the results are in. */
gboolean kho_web_search (KhoWebRequest *request, const char *mark_open, const char *mark_close,
                         KhoWebResults *results, guint *status, char **message);
/* The document of @reference, checking it first; NULL with 400/404/500. */
KhoDocument *kho_web_lookup (KhoWebRequest *request, const char *reference, guint *status,
                             char **message);
/* TRUE when the request's session may do what @needed may. */
gboolean kho_web_allows (KhoWebRequest *request, KhoRole needed);
/* TRUE when the request carries its session's CSRF token. */
gboolean kho_web_csrf_ok (KhoWebRequest *request);

/* --- web-pages.c --- */

/* kho_web_search marks hits with these; kho_web_append_snippet turns them
 * into <mark> and escapes the rest. */
#define KHO_WEB_MARK_OPEN "\x01"
#define KHO_WEB_MARK_CLOSE "\x02"
void kho_web_append_snippet (GString *out, const char *snippet);

void kho_web_page_search (KhoWebRequest *request);
void kho_web_page_document (KhoWebRequest *request, const char *reference);
void kho_web_page_edit (KhoWebRequest *request, const char *reference);
void kho_web_page_browse (KhoWebRequest *request);
void kho_web_page_office (KhoWebRequest *request);
void kho_web_page_login (KhoWebRequest *request);
void kho_web_page_logout (KhoWebRequest *request);
/* /documents/ID/pages/N.png */
void kho_web_page_thumbnail (KhoWebRequest *request, const char *reference, const char *page);

G_END_DECLS
