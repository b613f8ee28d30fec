/* queue.h — the job queue, in the archive's database.
 *
 * One job per input given to kho.  kho watch queues the files of its inbox
 * (origin "watch") and its worker processes claim them one at a time; kho
 * ingest records the inputs it runs itself (origin "ingest").  A job is
 * held by one process (its pid in "worker") while it runs; every change of
 * a held job names the holder, so a process that lost its job (the
 * supervisor gave it back after the process was thought dead) cannot
 * overwrite what another did since.
 *
 * States: queued → running → done | quarantined | failed | gone, and back
 * to queued when a run is cut short (a crash, a full disk, a stop).
 */
#pragma once

#include <glib.h>
#include "index/db.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *origin;      /* watch, ingest */
  char *source;      /* path of the input */
  char *name;        /* for messages: relative to the inbox */
  char *tag;         /* from the inbox subfolder, or NULL */
  gint64 size;       /* of the input when queued, -1 unknown */
  gint64 mtime;      /* microseconds since the epoch, -1 unknown */
  char *sha256;
  char *state;
  int attempts;
  int orphaned;      /* deaths of its holder with the supervisor, in a row */
  int worker;        /* pid, 0 when none */
  gint64 not_before; /* epoch seconds */
  char *archive_id;
  char *stage;       /* the stage that failed last */
  char *error;
  char *quarantine;  /* path of the input under quarantine/ */
  char *created;
  char *updated;
} KhoJob;

void kho_job_free (KhoJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KhoJob, kho_job_free)

/* Queues @source, or with @worker > 0 records it as already held by that
 * process.  Returns the job's id, 0 when @source has an active (queued or
 * running) job already, -1 with @error. */
gint64 kho_queue_add (KhoDb *db, const char *origin, const char *source, const char *name,
                      const char *tag, gint64 size, gint64 mtime, int worker, GError **error);

/* Claims the oldest queued job of @origin whose wait is over for @worker,
 * counting a claim.  NULL without @error set when there is none. */
KhoJob *kho_queue_claim (KhoDb *db, const char *origin, int worker, GError **error);

KhoJob *kho_queue_get (KhoDb *db, gint64 id, GError **error);

/* Jobs in @state (all when NULL) of @origin (all when NULL), oldest first. */
GPtrArray *kho_queue_list (KhoDb *db, const char *state, const char *origin, GError **error);

/* TRUE when a watch job for input @sha256 is queued or running: its
 * document is in a worker's hands, not to be taken up by kho ingest. */
gboolean kho_queue_sha256_active (KhoDb *db, const char *sha256);

/* Running jobs by the stage they are in (the one after their document's
 * last committed stage; "intake" before it has one): stage → count. */
GHashTable *kho_queue_running_stages (KhoDb *db, GError **error);

/* Pages of the documents archived in the last @seconds. */
gint64 kho_db_pages_archived_since (KhoDb *db, int seconds, GError **error);

/* TRUE when @source has an active job. */
gboolean kho_queue_has_active (KhoDb *db, const char *source, GError **error);

/* Records the content of held job @id's input.  FALSE without @error when
 * another running job has the same content: two copies of one file must
 * not be taken at once (the second will be a duplicate of the first). */
gboolean kho_queue_set_sha256 (KhoDb *db, gint64 id, int worker, const char *sha256,
                               GError **error);

/* Ends held job @id in @state (done, failed, quarantined, gone) with what
 * is known of it (NULL: unchanged).  FALSE with no @error when @worker no
 * longer holds it. */
gboolean kho_queue_finish (KhoDb *db, gint64 id, int worker, const char *state,
                           const char *archive_id, const char *stage, const char *error_text,
                           const char *quarantine, GError **error);

/* Gives held job @id back to the queue, to be claimed again after
 * @delay_s seconds; @failed counts the attempt as failed.  @worker 0
 * requeues the job whoever holds it (the supervisor, for a dead worker)
 * and keeps its count of orphanings; a @worker > 0 gives back a run that
 * ended in sight, which ends a row of orphanings (sets it to 0). */
gboolean kho_queue_requeue (KhoDb *db, gint64 id, int worker, int delay_s, gboolean failed,
                            const char *stage, const char *error_text, GError **error);

/* Running job @id was orphaned: its holder died with its supervisor, and
 * nobody saw why (a power cut, the whole service killed).  Counts it in
 * the job's orphanings in a row, not as a failed attempt.  Below @limit
 * the job goes back to the queue, to be claimed at once; from @limit on
 * it stays running, held by nobody, for the caller to quarantine
 * (kho_queue_finish with worker 0).  Returns the job's orphanings in a
 * row, 0 without @error when @id is not running, -1 with @error. */
int kho_queue_orphan (KhoDb *db, gint64 id, int limit, GError **error);

/* Puts quarantined job @id back in the queue (after its input was moved
 * back), with no failed attempts and no orphanings. */
gboolean kho_queue_retry (KhoDb *db, gint64 id, const char *source, GError **error);

typedef struct {
  int queued;        /* ready to be claimed */
  int waiting;       /* queued, waiting for a later time */
  int running;
  int done;
  int failed;
  int quarantined;
  int gone;
  int orphaned;      /* queued or running, taken up again after kho stopped
                      * while processing them (kho_queue_orphan) */
} KhoQueueCounts;

gboolean kho_queue_counts (KhoDb *db, KhoQueueCounts *counts, GError **error);

/* The supervisor's list of its worker processes. */
gboolean kho_queue_worker_add (KhoDb *db, int pid, GError **error);
gboolean kho_queue_worker_remove (KhoDb *db, int pid, GError **error);
gboolean kho_queue_workers_clear (KhoDb *db, GError **error);
GArray *kho_queue_workers (KhoDb *db, GError **error);   /* of int pids */

/* Adds @tag to document @document_id (no-op when it has it). */
gboolean kho_db_add_tag (KhoDb *db, gint64 document_id, const char *tag, GError **error);
/* The tags of document @document_id, sorted. */
GPtrArray *kho_db_get_tags (KhoDb *db, gint64 document_id, GError **error);

G_END_DECLS
