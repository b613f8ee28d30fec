/* verify.h — kho verify: every document's original and archival PDF
 * against the SHA-256 the catalogue recorded, and the files of the archive
 * folder no document owns; each check recorded in the audit trail. */
#pragma once

#include <glib.h>
#include "pipeline/archive.h"
#include "store/fixity.h"

G_BEGIN_DECLS

typedef struct {
  char *path;              /* relative to the archive */
  char *expected;          /* the SHA-256 recorded */
  char *actual;            /* the SHA-256 read, NULL when not read */
  KhoFixityStatus status;
  char *reason;            /* why missing or unreadable, else NULL */
} KhoVerifyFile;

typedef struct {
  gint64 id;
  char *archive_id;
  KhoVerifyFile original;
  KhoVerifyFile pdf;       /* path NULL: the document has no archival PDF */
  KhoFixityStatus status;  /* the worse of the two */
} KhoVerifyDocument;

typedef struct {
  GPtrArray *documents;    /* KhoVerifyDocument*, in the order checked */
  GPtrArray *orphans;      /* char*: paths relative to the archive */
  int counts[KHO_FIXITY_UNREADABLE + 1]; /* documents by status */
} KhoVerifyReport;

void kho_verify_report_clear (KhoVerifyReport *report);

/* Checks the archived documents, all (@oldest 0) or the @oldest checked
 * longest ago, then looks for files no document owns.  Each document's
 * result is an event "verify" (status ok, changed, missing, unreadable)
 * with @actor (NULL: the OS user) and becomes its last check; each orphan
 * an event "verify" with status "orphan"; the run an event of no document.
 * An original shared by the parts of a split scan is read once.  Results
 * are committed in batches (up to 100 documents or 1 s, the files hashed
 * outside the transaction): a run interrupted loses at most the results
 * of its last batch, never one half of a result.  FALSE
 * only when the check itself could not run (the database, a folder that
 * cannot be listed). */
gboolean kho_verify_run (KhoArchive *archive, int oldest, const char *actor,
                         KhoVerifyReport *report, GError **error);

/* Whether @report found anything wrong. */
gboolean kho_verify_report_failed (const KhoVerifyReport *report);

G_END_DECLS
