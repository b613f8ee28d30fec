/* watch.h — kho watch: a supervisor that watches the inbox and keeps N
 * worker processes, and the workers' loop.
 *
 * The supervisor takes a file once it has settled (no event for the settle
 * time and the same size and modification time on a second look), queues
 * a job for it in the archive's database and wakes the workers.  A worker
 * claims a job, runs it through the stages (pipeline/runner.c) with its
 * engine kept between jobs, and removes the input from the inbox once its
 * document is archived.  A worker that dies costs only its job: the
 * supervisor requeues it, and after the archive's number of failed
 * attempts moves the input to quarantine/ with a .error.txt beside it.
 *
 * One supervisor per archive: it holds an exclusive lock on
 * ARCHIVE/watch.lock, which its workers inherit, so a new supervisor waits
 * until every process of the last one is gone before it gives their jobs
 * back to the queue.
 */
#pragma once

#include <glib.h>
#include "index/queue.h"
#include "pipeline/archive.h"
#include "pipeline/runner.h"

G_BEGIN_DECLS

typedef struct {
  const char *inbox;  /* NULL: the archive's */
  int workers;        /* 0: the archive's setting, else one per core */
  const char *self;   /* the kho executable, run as "kho worker" */
} KhoWatchOptions;

/* Runs the supervisor until SIGTERM or SIGINT, then stops the workers
 * (each finishes the page in hand) and returns TRUE. */
gboolean kho_watch_run (KhoArchive *archive, const KhoWatchOptions *options, GError **error);

/* Runs a worker process until SIGTERM, or until its supervisor is gone
 * (its standard input closes). */
gboolean kho_worker_run (KhoArchive *archive, const KhoRunnerOptions *options, GError **error);

/* TRUE when a kho watch holds @archive. */
gboolean kho_watch_is_running (KhoArchive *archive);
/* The inbox the running kho watch watches, else the archive's setting. */
char *kho_watch_inbox (KhoArchive *archive);

/* Moves the input of held job @job to quarantine/ with a .error.txt
 * (Vietnamese and English) beside it, removes any unfinished document it
 * left, and records the job as quarantined.  @holder: the pid holding the
 * job, 0 for any. */
gboolean kho_quarantine (KhoArchive *archive, const KhoJob *job, int holder, const char *stage,
                         const char *error_text, GError **error);

/* Moves the input of quarantined job @id back to the inbox and queues it
 * again. */
gboolean kho_retry (KhoArchive *archive, gint64 id, GError **error);

G_END_DECLS
