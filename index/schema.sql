-- kho schema, version 1.  Applied by index/db.c (embedded at build time);
-- later versions add numbered migrations, never edit this one.
CREATE TABLE documents (
  id           INTEGER PRIMARY KEY,
  archive_id   TEXT NOT NULL UNIQUE,          -- e.g. KHO-2026-000001
  sha256       TEXT NOT NULL UNIQUE,          -- of the original, lower-case hex
  size         INTEGER NOT NULL,              -- bytes of the original
  format       TEXT NOT NULL,                 -- tiff, png, jpeg, pdf
  file_name    TEXT NOT NULL,                 -- name of the input, for downloads
  title        TEXT,
  language     TEXT NOT NULL DEFAULT 'vi',
  page_count   INTEGER NOT NULL DEFAULT 0,
  pdf_sha256   TEXT,                          -- of pdfa/<archive_id>.pdf
  pdf_size     INTEGER,
  issued       TEXT,                          -- ISO 8601 date of issue, when known
  status       TEXT NOT NULL DEFAULT 'processing'
               CHECK (status IN ('processing', 'archived', 'failed')),
  stage        TEXT NOT NULL DEFAULT 'intake', -- last stage finished
  error        TEXT,                          -- last error, when failed
  created      TEXT NOT NULL                  -- ISO 8601 UTC, time of intake
);

CREATE TABLE pages (
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,              -- from 1
  width        INTEGER NOT NULL,              -- pixels, upright
  height       INTEGER NOT NULL,
  dpi          INTEGER NOT NULL,
  rotation     INTEGER NOT NULL DEFAULT 0,    -- degrees turned clockwise
  skew         REAL NOT NULL DEFAULT 0,       -- degrees removed
  text_source  TEXT NOT NULL CHECK (text_source IN ('ocr', 'pdf', 'none')),
  confidence   REAL,                          -- mean OCR word confidence
  blank        INTEGER NOT NULL DEFAULT 0,
  text         TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (document_id, number)
) WITHOUT ROWID;

CREATE TABLE fields (
  document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  value        TEXT NOT NULL,
  source       TEXT NOT NULL DEFAULT 'auto',  -- auto, user
  updated      TEXT NOT NULL,
  PRIMARY KEY (document_id, name)
) WITHOUT ROWID;

CREATE TABLE events (
  id           INTEGER PRIMARY KEY,
  document_id  INTEGER REFERENCES documents(id) ON DELETE SET NULL,
  time         TEXT NOT NULL,                 -- ISO 8601 UTC
  stage        TEXT NOT NULL,                 -- intake, prepare, ocr, assemble, index
  status       TEXT NOT NULL,                 -- ok, failed
  duration_ms  INTEGER,
  actor        TEXT,
  detail       TEXT
);
CREATE INDEX events_document ON events(document_id);

CREATE TABLE serials (
  prefix       TEXT NOT NULL,
  year         INTEGER NOT NULL,
  last         INTEGER NOT NULL,
  PRIMARY KEY (prefix, year)
) WITHOUT ROWID;

-- Full text: rowid = documents.id; only archived documents have a row.
CREATE VIRTUAL TABLE doc_fts USING fts5(title, body, tokenize = 'kho_vi');
