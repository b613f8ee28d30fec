-- kho schema, version 6: the accounts of kho serve and their sessions.
--
-- Reading the archive needs no account unless kho.conf says so; editing
-- does.  An account keeps a password hash (libsodium's crypto_pwhash_str:
-- Argon2id, its salt and limits in the string), never the password.  A
-- session is a random token in the browser's cookie; only its SHA-256 is
-- kept, so a copy of kho.db lets no one take over a session.  Accounts are
-- managed with kho user (pipeline/auth.c).
CREATE TABLE users (
  name          TEXT PRIMARY KEY,             -- 1 to 64 of A-Z a-z 0-9 . - _
  password_hash TEXT NOT NULL,                -- "$argon2id$v=19$m=…,t=…,p=1$salt$hash"
  role          TEXT NOT NULL
                CHECK (role IN ('reader', 'editor', 'auditor', 'admin')),
  created       TEXT NOT NULL,                -- ISO 8601 UTC
  updated       TEXT NOT NULL                 -- last change of password or role
);

-- Deleting an account, or changing its password, ends its sessions.
CREATE TABLE sessions (
  token_sha256  TEXT PRIMARY KEY,             -- of the cookie's token, lower-case hex
  user          TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  csrf          TEXT NOT NULL,                -- the token forms must carry back
  created       TEXT NOT NULL,                -- ISO 8601 UTC
  expires       INTEGER NOT NULL              -- Unix time, the last second it is valid
);
CREATE INDEX sessions_user ON sessions(user);
CREATE INDEX sessions_expires ON sessions(expires);
