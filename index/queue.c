/* queue.c — the job queue, in the archive's database. */
#define G_LOG_DOMAIN "kho-index"
#include "index/queue.h"

#include <string.h>

#include "index/db-private.h"


#define JOB_COLUMNS "id, origin, source, name, tag, size, mtime, sha256, state, attempts, " \
                    "worker, not_before, archive_id, stage, error, quarantine, created, updated, " \
                    "orphaned"

void
kho_job_free (KhoJob *job)
{
  if (job == NULL)
    return;
  g_free (job->origin);
  g_free (job->source);
  g_free (job->name);
  g_free (job->tag);
  g_free (job->sha256);
  g_free (job->state);
  g_free (job->archive_id);
  g_free (job->stage);
  g_free (job->error);
  g_free (job->quarantine);
  g_free (job->created);
  g_free (job->updated);
  g_free (job);
}

static KhoJob *
job_from_row (sqlite3_stmt *stmt)
{
  KhoJob *job = g_new0 (KhoJob, 1);

  job->id = sqlite3_column_int64 (stmt, 0);
  job->origin = kho_db_column_text (stmt, 1);
  job->source = kho_db_column_text (stmt, 2);
  job->name = kho_db_column_text (stmt, 3);
  job->tag = kho_db_column_text (stmt, 4);
  job->size = sqlite3_column_type (stmt, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 5);
  job->mtime = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 6);
  job->sha256 = kho_db_column_text (stmt, 7);
  job->state = kho_db_column_text (stmt, 8);
  job->attempts = sqlite3_column_int (stmt, 9);
  job->worker = sqlite3_column_int (stmt, 10);
  job->not_before = sqlite3_column_int64 (stmt, 11);
  job->archive_id = kho_db_column_text (stmt, 12);
  job->stage = kho_db_column_text (stmt, 13);
  job->error = kho_db_column_text (stmt, 14);
  job->quarantine = kho_db_column_text (stmt, 15);
  job->created = kho_db_column_text (stmt, 16);
  job->updated = kho_db_column_text (stmt, 17);
  job->orphaned = sqlite3_column_int (stmt, 18);
  return job;
}

gint64
kho_queue_add (KhoDb *db, const char *origin, const char *source, const char *name,
               const char *tag, gint64 size, gint64 mtime, int worker, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt;
  int rc;

  stmt = kho_db_prepare (db, "INSERT INTO jobs (origin, source, name, tag, size, mtime, state, "
                             "worker, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT DO NOTHING", error);
  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, origin);
  kho_db_bind_text (stmt, 2, source);
  kho_db_bind_text (stmt, 3, name);
  kho_db_bind_text (stmt, 4, tag);
  if (size >= 0)
    sqlite3_bind_int64 (stmt, 5, size);
  if (mtime >= 0)
    sqlite3_bind_int64 (stmt, 6, mtime);
  kho_db_bind_text (stmt, 7, worker > 0 ? "running" : "queued");
  if (worker > 0)
    sqlite3_bind_int (stmt, 8, worker);
  kho_db_bind_text (stmt, 9, now);
  kho_db_bind_text (stmt, 10, now);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, "queue a job");
      return -1;
    }
  if (sqlite3_changes (kho_db_handle (db)) == 0)
    return 0;
  return sqlite3_last_insert_rowid (kho_db_handle (db));
}

KhoJob *
kho_queue_claim (KhoDb *db, const char *origin, int worker, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt;
  KhoJob *job = NULL;
  int rc;

  /* One statement: SQLite runs it under the write lock, so two workers
   * never claim the same job. */
  stmt = kho_db_prepare (db, "UPDATE jobs SET state = 'running', worker = ?, updated = ? "
                             "WHERE id = (SELECT id FROM jobs WHERE state = 'queued' "
                             "AND origin = ? AND not_before <= CAST(strftime('%s', 'now') AS INTEGER) "
                             "ORDER BY id LIMIT 1) RETURNING " JOB_COLUMNS, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, worker);
  kho_db_bind_text (stmt, 2, now);
  kho_db_bind_text (stmt, 3, origin);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      job = job_from_row (stmt);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, "claim a job");
      g_clear_pointer (&job, kho_job_free);
    }
  return job;
}

KhoJob *
kho_queue_get (KhoDb *db, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?",
                                       error);
  KhoJob *job = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    job = job_from_row (stmt);
  else if (rc != SQLITE_DONE)
    kho_db_sql_error (db, error, "read a job");
  sqlite3_finalize (stmt);
  return job;
}

GPtrArray *
kho_queue_list (KhoDb *db, const char *state, const char *origin, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT " JOB_COLUMNS " FROM jobs "
                                           "WHERE (?1 IS NULL OR state = ?1) "
                                           "AND (?2 IS NULL OR origin = ?2) ORDER BY id",
                                       error);

  if (stmt == NULL)
    return NULL;
  kho_db_bind_text (stmt, 1, state);
  kho_db_bind_text (stmt, 2, origin);
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) job_from_row,
                              (GDestroyNotify) kho_job_free, "list jobs", error);
}

gboolean
kho_queue_has_active (KhoDb *db, const char *source, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT 1 FROM jobs WHERE source = ? "
                                           "AND state IN ('queued', 'running')", error);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, source);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

gboolean
kho_queue_sha256_active (KhoDb *db, const char *sha256)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT 1 FROM jobs WHERE sha256 = ? AND origin = "
                                           "'watch' AND state IN ('queued', 'running')", NULL);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, sha256);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

GHashTable *
kho_queue_running_stages (KhoDb *db, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db,
      "SELECT d.stage, count(*) FROM jobs j LEFT JOIN documents d "
      "ON d.sha256 = j.sha256 AND d.status = 'processing' "
      "WHERE j.state = 'running' GROUP BY 1", error);
  GHashTable *stages;
  int rc;

  if (stmt == NULL)
    return NULL;
  stages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *stage = kho_stage_next ((const char *) sqlite3_column_text (stmt, 0));
      int n = GPOINTER_TO_INT (g_hash_table_lookup (stages, stage));

      g_hash_table_insert (stages, g_strdup (stage),
                           GINT_TO_POINTER (n + sqlite3_column_int (stmt, 1)));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, "count running jobs");
      g_clear_pointer (&stages, g_hash_table_unref);
    }
  return stages;
}

gint64
kho_db_pages_archived_since (KhoDb *db, int seconds, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db,
      "SELECT coalesce(sum(d.page_count), 0) FROM events e JOIN documents d "
      "ON d.id = e.document_id WHERE e.stage = 'index' AND e.status = 'ok' "
      "AND e.time >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)", error);
  g_autofree char *modifier = g_strdup_printf ("-%d seconds", seconds);
  gint64 pages = -1;

  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, modifier);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    pages = sqlite3_column_int64 (stmt, 0);
  else
    kho_db_sql_error (db, error, "count pages");
  sqlite3_finalize (stmt);
  return pages;
}

/* Runs @stmt, an UPDATE of one held job; FALSE without @error when it
 * changed nothing (the job is no longer held by that worker). */
static gboolean
update_held (KhoDb *db, sqlite3_stmt *stmt, GError **error)
{
  if (!kho_db_step_done (db, stmt, error))
    return FALSE;
  return sqlite3_changes (kho_db_handle (db)) > 0;
}

gboolean
kho_queue_set_sha256 (KhoDb *db, gint64 id, int worker, const char *sha256, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "UPDATE jobs SET sha256 = ?1 WHERE id = ?2 "
                                           "AND state = 'running' AND worker = ?3 "
                                           "AND NOT EXISTS (SELECT 1 FROM jobs WHERE sha256 = ?1 "
                                           "AND state = 'running' AND id != ?2)", error);
  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, sha256);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_bind_int (stmt, 3, worker);
  return update_held (db, stmt, error);
}

gboolean
kho_queue_finish (KhoDb *db, gint64 id, int worker, const char *state, const char *archive_id,
                  const char *stage, const char *error_text, const char *quarantine,
                  GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt;

  stmt = kho_db_prepare (db, "UPDATE jobs SET state = ?1, worker = NULL, updated = ?2, "
                             "archive_id = coalesce(?3, archive_id), "
                             "stage = CASE ?1 WHEN 'done' THEN NULL ELSE coalesce(?4, stage) END, "
                             "error = CASE ?1 WHEN 'done' THEN NULL ELSE coalesce(?5, error) END, "
                             "quarantine = coalesce(?6, quarantine), "
                             "attempts = attempts + (?1 IN ('quarantined', 'failed')) "
                             "WHERE id = ?7 AND state = 'running' AND (?8 = 0 OR worker = ?8)",
                         error);
  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, state);
  kho_db_bind_text (stmt, 2, now);
  kho_db_bind_text (stmt, 3, archive_id);
  kho_db_bind_text (stmt, 4, stage);
  kho_db_bind_text (stmt, 5, error_text);
  kho_db_bind_text (stmt, 6, quarantine);
  sqlite3_bind_int64 (stmt, 7, id);
  sqlite3_bind_int (stmt, 8, worker);
  return update_held (db, stmt, error);
}

gboolean
kho_queue_requeue (KhoDb *db, gint64 id, int worker, int delay_s, gboolean failed,
                   const char *stage, const char *error_text, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt;

  stmt = kho_db_prepare (db, "UPDATE jobs SET state = 'queued', worker = NULL, updated = ?1, "
                             "not_before = CAST(strftime('%s', 'now') AS INTEGER) + ?2, "
                             "attempts = attempts + ?3, stage = coalesce(?4, stage), "
                             "error = coalesce(?5, error), "
                             "orphaned = CASE ?7 WHEN 0 THEN orphaned ELSE 0 END "
                             "WHERE id = ?6 AND state = 'running' AND (?7 = 0 OR worker = ?7)",
                         error);
  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, now);
  sqlite3_bind_int (stmt, 2, MAX (0, delay_s));
  sqlite3_bind_int (stmt, 3, failed ? 1 : 0);
  kho_db_bind_text (stmt, 4, stage);
  kho_db_bind_text (stmt, 5, error_text);
  sqlite3_bind_int64 (stmt, 6, id);
  sqlite3_bind_int (stmt, 7, worker);
  return update_held (db, stmt, error);
}

int
kho_queue_orphan (KhoDb *db, gint64 id, int limit, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt;
  int orphaned = 0;
  int rc;

  /* One statement: the count and the job's new state cannot part. */
  stmt = kho_db_prepare (db, "UPDATE jobs SET orphaned = orphaned + 1, worker = NULL, "
                             "updated = ?1, state = CASE WHEN orphaned + 1 >= ?2 "
                             "THEN 'running' ELSE 'queued' END, not_before = 0 "
                             "WHERE id = ?3 AND state = 'running' RETURNING orphaned",
                         error);
  if (stmt == NULL)
    return -1;
  kho_db_bind_text (stmt, 1, now);
  sqlite3_bind_int (stmt, 2, MAX (1, limit));
  sqlite3_bind_int64 (stmt, 3, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      orphaned = sqlite3_column_int (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, "count an orphaned job");
      return -1;
    }
  return orphaned;
}

gboolean
kho_queue_retry (KhoDb *db, gint64 id, const char *source, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt;

  stmt = kho_db_prepare (db, "UPDATE jobs SET state = 'queued', worker = NULL, updated = ?, "
                             "not_before = 0, attempts = 0, orphaned = 0, quarantine = NULL, source = ? "
                             "WHERE id = ? AND state IN ('quarantined', 'failed')", error);
  if (stmt == NULL)
    return FALSE;
  kho_db_bind_text (stmt, 1, now);
  kho_db_bind_text (stmt, 2, source);
  sqlite3_bind_int64 (stmt, 3, id);
  return update_held (db, stmt, error);
}

gboolean
kho_queue_counts (KhoDb *db, KhoQueueCounts *counts, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  memset (counts, 0, sizeof *counts);
  stmt = kho_db_prepare (db, "SELECT state, not_before > CAST(strftime('%s', 'now') AS INTEGER), "
                             "count(*), sum(orphaned > 0) FROM jobs GROUP BY 1, 2", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (stmt, 0);
      gboolean later = sqlite3_column_int (stmt, 1);
      int n = sqlite3_column_int (stmt, 2);
      int orphaned = sqlite3_column_int (stmt, 3);

      if (g_strcmp0 (state, "queued") == 0)
        {
          *(later ? &counts->waiting : &counts->queued) += n;
          counts->orphaned += orphaned;
        }
      else if (g_strcmp0 (state, "running") == 0)
        {
          counts->running += n;
          counts->orphaned += orphaned;
        }
      else if (g_strcmp0 (state, "done") == 0)
        counts->done += n;
      else if (g_strcmp0 (state, "failed") == 0)
        counts->failed += n;
      else if (g_strcmp0 (state, "quarantined") == 0)
        counts->quarantined += n;
      else if (g_strcmp0 (state, "gone") == 0)
        counts->gone += n;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kho_db_sql_error (db, error, "count jobs");
  return TRUE;
}

gboolean
kho_queue_worker_add (KhoDb *db, int pid, GError **error)
{
  g_autofree char *now = kho_db_now ();
  sqlite3_stmt *stmt = kho_db_prepare (db, "INSERT OR REPLACE INTO workers (pid, started) "
                                           "VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, pid);
  kho_db_bind_text (stmt, 2, now);
  return kho_db_step_done (db, stmt, error);
}

gboolean
kho_queue_worker_remove (KhoDb *db, int pid, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "DELETE FROM workers WHERE pid = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, pid);
  return kho_db_step_done (db, stmt, error);
}

gboolean
kho_queue_workers_clear (KhoDb *db, GError **error)
{
  return kho_db_exec (db, "DELETE FROM workers", error);
}

GArray *
kho_queue_workers (KhoDb *db, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT pid FROM workers ORDER BY pid", error);
  GArray *pids;
  int rc;

  if (stmt == NULL)
    return NULL;
  pids = g_array_new (FALSE, FALSE, sizeof (int));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int pid = sqlite3_column_int (stmt, 0);
      g_array_append_val (pids, pid);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kho_db_sql_error (db, error, "list workers");
      g_clear_pointer (&pids, g_array_unref);
    }
  return pids;
}

gboolean
kho_db_add_tag (KhoDb *db, gint64 document_id, const char *tag, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "INSERT OR IGNORE INTO tags (document_id, tag) "
                                           "VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, document_id);
  kho_db_bind_text (stmt, 2, tag);
  return kho_db_step_done (db, stmt, error);
}

static char *
tag_from_row (sqlite3_stmt *stmt)
{
  return kho_db_column_text (stmt, 0);
}

GPtrArray *
kho_db_get_tags (KhoDb *db, gint64 document_id, GError **error)
{
  sqlite3_stmt *stmt = kho_db_prepare (db, "SELECT tag FROM tags WHERE document_id = ? "
                                           "ORDER BY tag", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, document_id);
  return kho_db_collect_rows (db, stmt, (KhoDbRowFunc) tag_from_row, g_free, "list tags", error);
}
