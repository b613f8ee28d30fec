/* runner.h — the stage runner: takes input files through intake, prepare,
 * ocr, assemble and index, pages in parallel.
 *
 * This is the only place that knows the order of the stages.  Each
 * document's stage result is committed before the next stage starts.  A
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

/* Takes every file in @files (paths) through the pipeline into @archive.
 * Returns the number of inputs that failed, or -1 with @error when the
 * run itself could not go on (no OCR language data, a database error). */
int kho_runner_ingest (KhoArchive *archive, const KhoRunnerOptions *options,
                       GPtrArray *files, const KhoRunnerCallbacks *callbacks,
                       GError **error);

G_END_DECLS
