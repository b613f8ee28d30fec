/* runner.h — the stage runner: takes input files through intake, prepare,
 * ocr, assemble and index, pages in parallel.
 *
 * This is the only place that knows the order of the stages.  Each
 * document's stage result is committed before the next stage starts, and
 * each page's OCR as soon as the page is read: a document interrupted in
 * its OCR is taken up with only the pages missing still to read.  A
 * document either ends archived or leaves nothing behind but a "failed"
 * event: its original and archival PDF are removed and its row deleted.
 */
#pragma once

#include <glib.h>
#include "pipeline/archive.h"
#include "ocr/prepare.h"

G_BEGIN_DECLS

typedef struct {
  int workers;           /* OCR threads, each with its own engine; 0: one per core */
  const char *languages; /* NULL: the archive's */
  int page_timeout_ms;   /* 0: the archive's */
  gboolean split_on_blank; /* a blank page ends one document and starts the next;
                            * the blank pages are not archived */
  KhoPrepareOptions prepare;
} KhoRunnerOptions;

void kho_runner_options_init (KhoRunnerOptions *options);

typedef enum {
  KHO_INGEST_ARCHIVED,
  KHO_INGEST_DUPLICATE,
  KHO_INGEST_FAILED,
} KhoIngestStatus;

typedef struct {
  char *file;
  char *archive_id;  /* new document, or the first one for a duplicate; NULL if failed */
  char *sha256;      /* of the input, when it could be read */
  KhoIngestStatus status;
  char *error;       /* one line naming the file and the reason, when failed */
  char *stage;       /* the stage that failed */
  gboolean retry;    /* failed for the machine (disk full, a stop), not for the
                      * file: its document waits at its last stage, to be
                      * taken up again */
  int pages;
  gint64 elapsed_ms;
} KhoIngestResult;

const char *kho_ingest_status_name (KhoIngestStatus status);

typedef struct {
  /* Called in the calling thread, once per input, in completion order. */
  void (*on_result) (const KhoIngestResult *result, gpointer user_data);
  /* Called in the calling thread after each page and each document. */
  void (*on_progress) (int pages_done, int pages_total, int files_done, int files_total,
                       gpointer user_data);
  gpointer user_data;
} KhoRunnerCallbacks;

typedef struct KhoRunner KhoRunner;

typedef enum {
  KHO_RUNNER_RESUME = 1 << 0,  /* first take up the documents a run left
                                * unfinished (kho ingest; not a watch worker,
                                * whose fellows hold theirs) */
} KhoRunnerFlags;

/* A runner keeps its worker threads, each with its OCR engine, from one
 * run to the next. */
KhoRunner *kho_runner_new (KhoArchive *archive, const KhoRunnerOptions *options);
void kho_runner_free (KhoRunner *runner);

/* Takes every file in @files (paths; shown in messages as @names, or as
 * the paths when NULL) through the pipeline into the archive.  Returns the
 * number of inputs that failed, or -1 with @error when the run itself
 * could not go on (no OCR language data, a database error). */
int kho_runner_run (KhoRunner *runner, GPtrArray *files, GPtrArray *names, KhoRunnerFlags flags,
                    const KhoRunnerCallbacks *callbacks, GError **error);

/* Stops the run: pages in hand are finished (and kept), the others not
 * started, and their documents stay at their last committed stage (result
 * "retry").
 * Safe from a signal handler. */
void kho_runner_cancel (KhoRunner *runner);

/* kho_runner_new(), kho_runner_run() with KHO_RUNNER_RESUME, kho_runner_free(). */
int kho_runner_ingest (KhoArchive *archive, const KhoRunnerOptions *options,
                       GPtrArray *files, const KhoRunnerCallbacks *callbacks, GError **error);

G_END_DECLS
