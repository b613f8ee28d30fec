-- kho schema, version 3: the job queue and document tags.
--
-- Every input given to kho (dropped into the inbox or named to kho ingest)
-- has a job.  A job is claimed by one process at a time (worker = its pid)
-- and follows its document through the stages; the document's own row says
-- which stage was last committed.  Active jobs (queued, running) are unique
-- per source path, so a file seen twice by the watcher is queued once.
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  origin       TEXT NOT NULL CHECK (origin IN ('watch', 'ingest')),
  source       TEXT NOT NULL,                 -- path of the input
  name         TEXT NOT NULL,                 -- relative to the inbox, for messages
  tag          TEXT,                          -- from the inbox subfolder
  size         INTEGER,                       -- of the input when queued
  mtime        INTEGER,                       -- microseconds since the epoch
  sha256       TEXT,                          -- of the input, once read
  state        TEXT NOT NULL DEFAULT 'queued'
               CHECK (state IN ('queued', 'running', 'done', 'failed', 'quarantined', 'gone')),
  attempts     INTEGER NOT NULL DEFAULT 0,    -- failed attempts (a crash, a refusal)
  worker       INTEGER,                       -- pid of the process holding it
  not_before   INTEGER NOT NULL DEFAULT 0,    -- epoch seconds: wait (e.g. disk full)
  archive_id   TEXT,                          -- the document, once known
  stage        TEXT,                          -- stage that failed last
  error        TEXT,                          -- last error
  quarantine   TEXT,                          -- path under quarantine/, when there
  created      TEXT NOT NULL,
  updated      TEXT NOT NULL
);
CREATE UNIQUE INDEX jobs_active ON jobs(source) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_state ON jobs(state, id);

CREATE TABLE tags (
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  tag          TEXT NOT NULL,
  PRIMARY KEY (document_id, tag)
) WITHOUT ROWID;

-- The worker processes of the running kho watch, kept by its supervisor.
CREATE TABLE workers (
  pid          INTEGER PRIMARY KEY,
  started      TEXT NOT NULL
);
