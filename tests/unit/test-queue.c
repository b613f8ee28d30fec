/* test-queue.c — the job queue: one active job per input, atomic claims
 * (also from two connections at once), only the holder changes a job,
 * delays, failed attempts, orphanings in a row, retry. */
#include <glib.h>
#include <glib/gstdio.h>

#include "index/db.h"
#include "index-fixture.h"
#include "index/queue.h"

typedef KhoTestDbFixture Fixture;

static gint64
add (KhoDb *db, const char *source)
{
  g_autoptr (GError) error = NULL;
  gint64 id = kho_queue_add (db, "watch", source, source, NULL, 10, 20, 0, &error);

  g_assert_no_error (error);
  return id;
}

static void
test_one_active_job (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoJob) job = NULL;
  gint64 id;

  (void) data;
  id = add (f->db, "/inbox/a.tif");
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (add (f->db, "/inbox/a.tif"), ==, 0);  /* queued already */
  g_assert_true (kho_queue_has_active (f->db, "/inbox/a.tif", NULL));
  job = kho_queue_claim (f->db, "watch", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpint (job->id, ==, id);
  g_assert_cmpstr (job->state, ==, "running");
  g_assert_cmpint (job->worker, ==, 100);
  g_assert_cmpint (job->size, ==, 10);
  g_assert_cmpint (add (f->db, "/inbox/a.tif"), ==, 0);  /* running */
  g_assert_true (kho_queue_finish (f->db, id, 100, "done", "KHO-2026-000001", NULL, NULL, NULL,
                                   &error));
  g_assert_no_error (error);
  g_assert_false (kho_queue_has_active (f->db, "/inbox/a.tif", NULL));
  /* The same name dropped again later is a new job. */
  g_assert_cmpint (add (f->db, "/inbox/a.tif"), >, id);
}

static void
test_only_holder_changes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoJob) job = NULL;
  g_autoptr (KhoJob) after = NULL;
  gint64 id = add (f->db, "/inbox/b.png");

  (void) data;
  job = kho_queue_claim (f->db, "watch", 100, &error);
  g_assert_nonnull (job);
  /* Another worker, or one that lost the job, changes nothing. */
  g_assert_false (kho_queue_finish (f->db, id, 200, "done", "X", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (kho_queue_requeue (f->db, id, 200, 0, TRUE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (kho_queue_set_sha256 (f->db, id, 200, "ab", &error));
  g_assert_no_error (error);
  /* Two copies of one file are not run at once. */
  {
    gint64 copy = add (f->db, "/inbox/b-copy.png");
    g_autoptr (KhoJob) second = kho_queue_claim (f->db, "watch", 300, &error);

    g_assert_cmpint (second->id, ==, copy);
    g_assert_true (kho_queue_set_sha256 (f->db, id, 100, "ab", &error));
    g_assert_false (kho_queue_set_sha256 (f->db, copy, 300, "ab", &error));
    g_assert_no_error (error);
    g_assert_true (kho_queue_set_sha256 (f->db, copy, 300, "cd", &error));
  }
  after = kho_queue_get (f->db, id, &error);
  g_assert_cmpstr (after->state, ==, "running");
  g_assert_cmpint (after->worker, ==, 100);
  g_assert_cmpint (after->attempts, ==, 0);
  g_assert_null (after->archive_id);
  /* The supervisor (holder 0) may give back a dead worker's job. */
  g_assert_true (kho_queue_requeue (f->db, id, 0, 0, TRUE, "ocr", "killed", &error));
  g_clear_pointer (&after, kho_job_free);
  after = kho_queue_get (f->db, id, &error);
  g_assert_cmpstr (after->state, ==, "queued");
  g_assert_cmpint (after->worker, ==, 0);
  g_assert_cmpint (after->attempts, ==, 1);
  g_assert_cmpstr (after->stage, ==, "ocr");
  g_assert_cmpstr (after->error, ==, "killed");
}

static void
test_delay_and_counts (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoJob) job = NULL;
  g_autoptr (KhoJob) none = NULL;
  KhoQueueCounts counts;
  gint64 id = add (f->db, "/inbox/c.jpg");

  (void) data;
  add (f->db, "/inbox/d.jpg");
  job = kho_queue_claim (f->db, "watch", 7, &error);
  g_assert_cmpint (job->id, ==, id);
  /* Disk full: back in an hour, not counted as a failed attempt. */
  g_assert_true (kho_queue_requeue (f->db, id, 7, 3600, FALSE, "intake", "no space", &error));
  g_assert_true (kho_queue_counts (f->db, &counts, &error));
  g_assert_cmpint (counts.waiting, ==, 1);
  g_assert_cmpint (counts.queued, ==, 1);
  g_assert_cmpint (counts.running, ==, 0);
  g_clear_pointer (&job, kho_job_free);
  job = kho_queue_claim (f->db, "watch", 7, &error);
  g_assert_cmpstr (job->source, ==, "/inbox/d.jpg");  /* the waiting one is skipped */
  none = kho_queue_claim (f->db, "watch", 7, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  /* Jobs of kho ingest are never claimed by a watch worker. */
  g_assert_cmpint (kho_queue_add (f->db, "ingest", "/home/x.tif", "x.tif", NULL, -1, -1, 99,
                                  &error), >, 0);
  g_assert_null (kho_queue_claim (f->db, "watch", 7, &error));
  g_assert_true (kho_queue_counts (f->db, &counts, &error));
  g_assert_cmpint (counts.running, ==, 2);
}

static void
test_quarantine_and_retry (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoJob) job = NULL;
  g_autoptr (KhoJob) after = NULL;
  gint64 id = add (f->db, "/inbox/e.tif");

  (void) data;
  job = kho_queue_claim (f->db, "watch", 5, &error);
  g_assert_true (kho_queue_finish (f->db, id, 5, "quarantined", NULL, "ocr", "abort",
                                   "/a/quarantine/e.tif", &error));
  after = kho_queue_get (f->db, id, &error);
  g_assert_cmpstr (after->state, ==, "quarantined");
  g_assert_cmpint (after->attempts, ==, 1);
  g_assert_cmpstr (after->quarantine, ==, "/a/quarantine/e.tif");
  g_assert_true (kho_queue_retry (f->db, id, "/inbox/e (2).tif", &error));
  g_clear_pointer (&after, kho_job_free);
  after = kho_queue_get (f->db, id, &error);
  g_assert_cmpstr (after->state, ==, "queued");
  g_assert_cmpint (after->attempts, ==, 0);
  g_assert_null (after->quarantine);
  g_assert_cmpstr (after->source, ==, "/inbox/e (2).tif");
  /* Only a quarantined or failed job can be retried. */
  g_assert_false (kho_queue_retry (f->db, id, "/inbox/e.tif", &error));
  g_assert_no_error (error);
}

/* Holds job @id for worker @pid, as a claim does: the only queued job. */
static void
claim_as (Fixture *f, gint64 id, int pid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoJob) job = kho_queue_claim (f->db, "watch", pid, &error);

  g_assert_no_error (error);
  g_assert_nonnull (job);
  g_assert_cmpint (job->id, ==, id);
}

static void
assert_job (Fixture *f, gint64 id, const char *state, int worker, int attempts, int orphaned)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (KhoJob) job = kho_queue_get (f->db, id, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (job->state, ==, state);
  g_assert_cmpint (job->worker, ==, worker);
  g_assert_cmpint (job->attempts, ==, attempts);
  g_assert_cmpint (job->orphaned, ==, orphaned);
}

/* Orphanings (the holder died with its supervisor) count apart from
 * failed attempts, in a row: below the limit the job is queued again,
 * at the limit it stays running for the caller to quarantine; a run that
 * ends in sight ends the row, the end of a job keeps the count, retry
 * clears it. */
static void
test_orphans (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  KhoQueueCounts counts;
  gint64 id = add (f->db, "/inbox/panic.tif");
  gint64 other;

  (void) data;
  /* Only a running job can be orphaned. */
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 0);
  g_assert_no_error (error);
  assert_job (f, id, "queued", 0, 0, 0);

  claim_as (f, id, 11);
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 1);
  g_assert_no_error (error);
  assert_job (f, id, "queued", 0, 0, 1);
  g_assert_true (kho_queue_counts (f->db, &counts, &error));
  g_assert_cmpint (counts.queued, ==, 1);  /* ready at once, not waiting */
  g_assert_cmpint (counts.orphaned, ==, 1);
  claim_as (f, id, 12);
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 2);
  assert_job (f, id, "queued", 0, 0, 2);

  /* A worker gives it back (a stop, a full disk): the row ends. */
  claim_as (f, id, 13);
  g_assert_true (kho_queue_requeue (f->db, id, 13, 0, FALSE, NULL, NULL, &error));
  assert_job (f, id, "queued", 0, 0, 0);
  claim_as (f, id, 14);
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 1);
  /* So does a worker that dies in sight of its supervisor, a failed attempt. */
  claim_as (f, id, 15);
  g_assert_true (kho_queue_requeue (f->db, id, 15, 0, TRUE, "ocr", "signal 9", &error));
  assert_job (f, id, "queued", 0, 1, 0);
  /* The supervisor giving back a job whoever holds it keeps the row. */
  claim_as (f, id, 16);
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 1);
  claim_as (f, id, 17);
  g_assert_true (kho_queue_requeue (f->db, id, 0, 0, FALSE, NULL, NULL, &error));
  assert_job (f, id, "queued", 0, 1, 1);

  /* Three in a row: it stays running, held by nobody, no worker claims it. */
  claim_as (f, id, 18);
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 2);
  claim_as (f, id, 19);
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 3);
  g_assert_no_error (error);
  assert_job (f, id, "running", 0, 1, 3);
  g_assert_null (kho_queue_claim (f->db, "watch", 20, &error));
  g_assert_no_error (error);
  /* The supervisor quarantines it: a failed attempt; the count stays. */
  g_assert_true (kho_queue_finish (f->db, id, 0, "quarantined", NULL, "ocr", "stopped 3 times",
                                   "/a/quarantine/panic.tif", &error));
  assert_job (f, id, "quarantined", 0, 2, 3);
  g_assert_true (kho_queue_retry (f->db, id, "/inbox/panic.tif", &error));
  assert_job (f, id, "queued", 0, 0, 0);

  /* A job done keeps its orphanings, for the record. */
  claim_as (f, id, 21);
  g_assert_cmpint (kho_queue_orphan (f->db, id, 3, &error), ==, 1);
  claim_as (f, id, 22);
  g_assert_true (kho_queue_finish (f->db, id, 22, "done", "KHO-2026-000001", NULL, NULL, NULL,
                                   &error));
  assert_job (f, id, "done", 0, 0, 1);

  /* A limit of 1 (or less) quarantines at the first orphaning. */
  other = add (f->db, "/inbox/other.tif");
  claim_as (f, other, 23);
  g_assert_cmpint (kho_queue_orphan (f->db, other, 0, &error), ==, 1);
  assert_job (f, other, "running", 0, 0, 1);
  g_assert_no_error (error);
}

/* Two connections, as two worker processes have, claim 200 jobs at once:
 * each job is claimed exactly once. */
typedef struct {
  const char *path;
  int worker;
  GArray *claimed;
} Claimer;

static gpointer
claim_all (gpointer data)
{
  Claimer *c = data;
  g_autoptr (GError) error = NULL;
  KhoDb *db = kho_db_open (c->path, &error);
  KhoJob *job;

  g_assert_no_error (error);
  while ((job = kho_queue_claim (db, "watch", c->worker, &error)) != NULL)
    {
      g_array_append_val (c->claimed, job->id);
      kho_queue_finish (db, job->id, c->worker, "done", NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      kho_job_free (job);
    }
  g_assert_no_error (error);
  kho_db_close (db);
  return NULL;
}

static void
test_concurrent_claims (Fixture *f, gconstpointer data)
{
  Claimer claimers[2];
  GThread *threads[2];
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  const int n = 200;

  (void) data;
  for (int i = 0; i < n; i++)
    {
      g_autofree char *source = g_strdup_printf ("/inbox/%03d.png", i);
      g_assert_cmpint (add (f->db, source), >, 0);
    }
  for (int t = 0; t < 2; t++)
    {
      claimers[t].path = f->path;
      claimers[t].worker = 1000 + t;
      claimers[t].claimed = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[t] = g_thread_new ("claimer", claim_all, &claimers[t]);
    }
  for (int t = 0; t < 2; t++)
    g_thread_join (threads[t]);
  for (int t = 0; t < 2; t++)
    {
      for (guint i = 0; i < claimers[t].claimed->len; i++)
        {
          gint64 *id = &g_array_index (claimers[t].claimed, gint64, i);
          g_assert_false (g_hash_table_contains (seen, id));
          g_hash_table_add (seen, id);
        }
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, n);
  g_test_message ("claims: %u and %u", claimers[0].claimed->len, claimers[1].claimed->len);
  for (int t = 0; t < 2; t++)
    g_array_unref (claimers[t].claimed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/queue/one-active-job", Fixture, NULL, kho_test_db_setup, test_one_active_job, kho_test_db_teardown);
  g_test_add ("/queue/only-holder-changes", Fixture, NULL, kho_test_db_setup, test_only_holder_changes,
              kho_test_db_teardown);
  g_test_add ("/queue/delay-and-counts", Fixture, NULL, kho_test_db_setup, test_delay_and_counts, kho_test_db_teardown);
  g_test_add ("/queue/quarantine-and-retry", Fixture, NULL, kho_test_db_setup, test_quarantine_and_retry,
              kho_test_db_teardown);
  g_test_add ("/queue/orphans", Fixture, NULL, kho_test_db_setup, test_orphans, kho_test_db_teardown);
  g_test_add ("/queue/concurrent-claims", Fixture, NULL, kho_test_db_setup, test_concurrent_claims,
              kho_test_db_teardown);
  return g_test_run ();
}
