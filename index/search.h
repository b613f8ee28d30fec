/* search.h — ranked full-text search over the archive.
 *
 * Ranking is bm25 (kho_rank, rank.h) over doc_fts with the title weighted
 * 5 and the body 1;
 * a query with diacritics also rewards the exact accented words (see
 * query.h).  Only documents with status 'archived' are returned.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define KHO_SEARCH_ERROR (kho_search_error_quark ())

typedef enum {
  KHO_SEARCH_ERROR_DATABASE,  /* SQLite failed; the message has sqlite3_errmsg */
} KhoSearchError;

GQuark kho_search_error_quark (void);

typedef struct {
  gint64 document_id;
  char *archive_id;
  char *title;
  char *snippet;     /* text around the hits, hits wrapped in the marks */
  char *created;     /* ISO 8601 time of ingest */
  char *issued;      /* ISO 8601 date of issue, or NULL */
  int page_count;
  char *type;        /* the document type (fields), or NULL */
  char *reference;   /* "189/KH-UBND", or NULL */
  char *issuer;      /* the issuing body (fields), or NULL */
  char *subject;     /* the subject (fields), or NULL */
  double score;      /* higher is better */
} KhoSearchHit;

typedef struct {
  int limit;              /* default 20; <= 0 means the default */
  int offset;             /* hits to skip; < 0 means 0 */
  const char *mark_open;  /* default "[" */
  const char *mark_close; /* default "]" */
  /* Filters, NULL (or "") for none; names and values compare without
   * accents and case.  With filters, an empty query lists the documents
   * that pass, latest issued first. */
  const char *type;       /* type name ("Kế hoạch", "ke hoach") or code ("KH") */
  const char *issuer;     /* a part of the issuing body */
  const char *from;       /* date of issue, ISO 8601 or a prefix ("2023", "2023-04") */
  const char *to;
  const char *number;     /* the reference "189/KH-UBND" */
  const char *tag;        /* a tag (the inbox subfolder's: "Công văn đến") */
} KhoSearchOptions;

/* A date of issue as the filters take it: "2023" and "2023-04" as they
 * are, a real "2023-04-28", or a date as Vietnamese write it
 * ("28/04/2023", see kho_fields_parse_date) in ISO form.  Newly allocated;
 * NULL for anything else. */
char *kho_search_date (const char *given);

/* Sets @options to the defaults above. */
void kho_search_options_init (KhoSearchOptions *options);

/* Runs @user_query against @db (borrowed; the kho schema, tokenizer
 * registered).  @options may be NULL for the defaults; NULL marks mean the
 * default marks.  Returns an array of KhoSearchHit* (free with
 * g_ptr_array_unref), best first, empty when nothing matches or the query
 * has no terms; NULL only on a database error, with @error set.
 *
 * The snippet comes from the body when the body has a hit, else from the
 * title: about 16 tokens, hits wrapped in the marks, "…" where text was
 * cut.  (A body snippet is taken to have a hit when it holds @mark_open:
 * marks that text never contains, such as kho serve's control
 * characters, make that exact.) */
GPtrArray *kho_search_run (sqlite3 *db, const char *user_query,
                           const KhoSearchOptions *options, GError **error);
/* The number of documents @user_query and @options' filters match (limit
 * and offset ignored), and when @facets is not NULL, the top @top values
 * of each facet among them: an array of three GPtrArray* ("type", "year",
 * "issuer") of KhoSearchFacet*, most frequent first, created by the call
 * (free with g_ptr_array_unref, also on error).  With more than @sample
 * matches (@sample > 0) the facets are counted over a systematic sample of
 * about @sample of them (every k-th id) and scaled to the total: estimates,
 * flagged as such, and fast for a word most documents contain.  Returns -1
 * on a database error. */
typedef struct {
  char *value;
  gint64 count;
  gboolean estimated;   /* scaled from a sample */
} KhoSearchFacet;

#define KHO_SEARCH_N_FACETS 4
extern const char *const kho_search_facet_names[KHO_SEARCH_N_FACETS];

gint64 kho_search_count (sqlite3 *db, const char *user_query, const KhoSearchOptions *options,
                         int top, int sample, GPtrArray *facets[KHO_SEARCH_N_FACETS],
                         GError **error);
void kho_search_facet_free (KhoSearchFacet *facet);

/* Frees @hit and its strings; NULL does nothing. */
void kho_search_hit_free (KhoSearchHit *hit);

G_END_DECLS
