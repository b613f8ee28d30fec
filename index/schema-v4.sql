-- kho schema, version 4: metadata fields to filter on, and learned models.
--
-- fields (version 1) holds one row per field of a document: type,
-- type_code, number, year, notation, place, issued, issuer, subject,
-- signer_position, signer_name, recipients (a JSON array), urgency,
-- secrecy, retention; source 'auto' (read by kho) or 'user' (set by a
-- person with kho edit: a confirmed value, never overwritten by kho, and
-- for the type a label kho train learns from).
CREATE INDEX fields_name_value ON fields(name, value);

CREATE TABLE models (
  name         TEXT PRIMARY KEY,              -- 'type'
  body         TEXT NOT NULL,                 -- the model, serialised
  documents    INTEGER NOT NULL,              -- learned from
  trained      TEXT NOT NULL                  -- ISO 8601 UTC
);
