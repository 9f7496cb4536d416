-- zhucan schema 4: the rest of the access model — single sessions and tokens that their owner
-- can list and end, scoped tokens, versioned policy settings and audit retention with a chain
-- anchor. Portable SQL (TEXT, BIGINT, BOOLEAN); the same text runs on SQLite and PostgreSQL.

-- Sessions get a public ID (the cookie's hash stays private) and where they were started.
ALTER TABLE sessions ADD COLUMN id TEXT;
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = substr(id_hash, 1, 32);
CREATE UNIQUE INDEX sessions_id ON sessions (id);

-- API tokens get a public ID, a scope (read | read_write) and a label saying how they were
-- issued. Tokens issued before scopes existed keep the rights they had: read_write.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write';
ALTER TABLE api_tokens ADD COLUMN label TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET id = substr(token_hash, 1, 32);
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);

-- Settings are versioned: the current value with its version and author, and every earlier
-- value in settings_history (the audit trail has each change with old and new values too).
ALTER TABLE settings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE settings ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
CREATE TABLE settings_history (
    key         TEXT NOT NULL,
    version     BIGINT NOT NULL,
    value       TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

-- Each purge of old audit records leaves an anchor: the last purged record's seq and hash, so
-- that the remaining chain still verifies from there.
CREATE TABLE audit_anchors (
    seq          BIGINT PRIMARY KEY,    -- the last purged record
    hash         TEXT NOT NULL,         -- its hash = the first remaining record's prev_hash
    purged       BIGINT NOT NULL,       -- records this purge deleted
    cut_before   TEXT NOT NULL,         -- records older than this instant were purged
    purged_by    TEXT NOT NULL,
    purged_at    TEXT NOT NULL
);
