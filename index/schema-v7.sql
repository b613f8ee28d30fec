-- kho schema, version 7: the audit trail is a hash chain, fixity is
-- recorded per document.
--
-- Every event (ingest and each stage, a view or download, an edit, a
-- verification, a deletion) is an entry of an append-only log.  Each entry
-- carries the SHA-256 of the entry before it (prev_hash) and of its own
-- content with that prev_hash (hash), as index/audit.h defines them, so an
-- entry edited, inserted or deleted behind kho's back breaks the chain at
-- that point and `kho audit verify` names it.  document_id is not hashed:
-- deleting a document sets it to NULL (ON DELETE SET NULL); the entry
-- keeps, and hashes, the document's archive ID instead, which is never
-- given to another document.
ALTER TABLE events ADD COLUMN archive_id TEXT;   -- the document's, kept after deletion
ALTER TABLE events ADD COLUMN prev_hash TEXT;    -- hash of the entry before; 64 zeros for the first
ALTER TABLE events ADD COLUMN hash TEXT;         -- SHA-256 of this entry (index/audit.h)
UPDATE events SET archive_id = (SELECT archive_id FROM documents d WHERE d.id = events.document_id);
CREATE INDEX events_archive_id ON events(archive_id);

-- The last entry, so that entries deleted from the end are seen too.
CREATE TABLE audit_head (
  one          INTEGER PRIMARY KEY CHECK (one = 1),
  last_id      INTEGER NOT NULL,
  last_hash    TEXT NOT NULL
);

-- The head can only name an entry that is there, with its hash.
CREATE TRIGGER audit_head_insert BEFORE INSERT ON audit_head
WHEN NEW.last_hash IS NOT (SELECT hash FROM events WHERE id = NEW.last_id)
BEGIN
  SELECT RAISE(ABORT, 'the audit trail''s head must name its last entry');
END;
CREATE TRIGGER audit_head_update BEFORE UPDATE ON audit_head
WHEN NEW.last_hash IS NOT (SELECT hash FROM events WHERE id = NEW.last_id)
  OR NEW.last_id < OLD.last_id
BEGIN
  SELECT RAISE(ABORT, 'the audit trail''s head must name its last entry');
END;
CREATE TRIGGER audit_head_delete BEFORE DELETE ON audit_head
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Append-only.  Two updates are allowed, each changing nothing hashed:
-- the foreign key's SET NULL once the document is deleted, and the chaining
-- of an entry written before version 7 (the migration does it, in index/
-- audit.c).  The sqlite3 shell can drop these triggers; the chain still
-- tells.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (NEW.id IS OLD.id AND NEW.time IS OLD.time AND NEW.stage IS OLD.stage
          AND NEW.status IS OLD.status AND NEW.duration_ms IS OLD.duration_ms
          AND NEW.actor IS OLD.actor AND NEW.detail IS OLD.detail
          AND NEW.archive_id IS OLD.archive_id
          AND ((NEW.document_id IS NULL AND NEW.prev_hash IS OLD.prev_hash
                AND NEW.hash IS OLD.hash
                AND NOT EXISTS (SELECT 1 FROM documents WHERE id = OLD.document_id))
               OR (OLD.hash IS NULL AND NEW.document_id IS OLD.document_id)))
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Fixity: when each document's files were last checked against their
-- SHA-256 (kho verify), and what was found: ok, changed, missing.
-- kho verify --oldest N takes the documents checked longest ago first.
ALTER TABLE documents ADD COLUMN verified TEXT;  -- ISO 8601 UTC
ALTER TABLE documents ADD COLUMN fixity TEXT;
CREATE INDEX documents_verified ON documents(verified, id);

-- Search filters by date of issue (index/search.c) find their documents
-- through this index instead of reading every match's document.
CREATE INDEX documents_issued ON documents(issued) WHERE status = 'archived';
-- … and the filter by tag (the inbox subfolder's) through this one.
CREATE INDEX tags_tag ON tags(tag);

-- Prefix queries ("hoa*", "tr*") read an index of the first 2 and 3
-- characters of every word instead of merging the lists of every word that
-- begins so (20 000 documents: "hoc th*" 78 → 4 ms); the index of words
-- grows about twice, the text stays as it is.  The full-text table is built
-- again with the option (FTS5 cannot add it to a table).
CREATE VIRTUAL TABLE doc_fts_v7 USING fts5(title, body, tokenize = 'kho_vi', prefix = '2 3');
INSERT INTO doc_fts_v7 (rowid, title, body) SELECT rowid, title, body FROM doc_fts;
DROP TABLE doc_fts;
ALTER TABLE doc_fts_v7 RENAME TO doc_fts;

-- A job whose holder died with its supervisor (the whole service killed: a
-- power cut, kill -9, the kernel's OOM killer, a panic) is taken up again
-- at the next start without counting a failed attempt: nobody saw why it
-- stopped.  orphaned counts those deaths in a row, so that a file that
-- brings the whole service down each time it is processed goes to
-- quarantine after `orphan-limit` of them ([watch] in kho.conf) instead of
-- being tried for ever.  A run that ends in sight (a worker gives the job
-- back, or the supervisor sees the worker die) ends the row.
ALTER TABLE jobs ADD COLUMN orphaned INTEGER NOT NULL DEFAULT 0;
