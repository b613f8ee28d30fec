-- kho schema, version 5: one scan may hold several documents.
--
-- A feeder scan of a day's mail, split at its blank pages (--split-on-blank),
-- gives one document per part: all share the scan as their original (same
-- sha256), each with its part number and its pages of the scan.  A document
-- of a whole file has part 0.  SQLite cannot change a constraint in place:
-- the table is built again (kho runs migrations with foreign keys off).
CREATE TABLE documents_v5 (
  id           INTEGER PRIMARY KEY,
  archive_id   TEXT NOT NULL UNIQUE,
  sha256       TEXT NOT NULL,                 -- of the original, lower-case hex
  part         INTEGER NOT NULL DEFAULT 0,    -- 0: the whole file; 1, 2, …: parts of a split scan
  first_page   INTEGER,                       -- of the original, from 1, for a part
  last_page    INTEGER,
  size         INTEGER NOT NULL,
  format       TEXT NOT NULL,
  file_name    TEXT NOT NULL,
  title        TEXT,
  language     TEXT NOT NULL DEFAULT 'vi',
  page_count   INTEGER NOT NULL DEFAULT 0,
  pdf_sha256   TEXT,
  pdf_size     INTEGER,
  issued       TEXT,
  status       TEXT NOT NULL DEFAULT 'processing'
               CHECK (status IN ('processing', 'archived', 'failed')),
  stage        TEXT NOT NULL DEFAULT 'intake',
  error        TEXT,
  created      TEXT NOT NULL,
  UNIQUE (sha256, part)
);
INSERT INTO documents_v5 (id, archive_id, sha256, size, format, file_name, title, language,
                          page_count, pdf_sha256, pdf_size, issued, status, stage, error, created)
  SELECT id, archive_id, sha256, size, format, file_name, title, language, page_count,
         pdf_sha256, pdf_size, issued, status, stage, error, created FROM documents;
DROP TABLE documents;
ALTER TABLE documents_v5 RENAME TO documents;
