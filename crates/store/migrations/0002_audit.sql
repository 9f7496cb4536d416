-- zhucan schema 2: the audit trail (审计日志). Append-only and hash-chained: each record's hash
-- covers its fields and the previous record's hash; `audit_head` holds the chain's end and
-- serialises appends (its row is updated in every appending transaction).

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,          -- RFC 3339 UTC
    account     TEXT NOT NULL,          -- username, or `cli:…` / `system`
    role        TEXT NOT NULL,
    area        TEXT NOT NULL,
    client      TEXT NOT NULL,          -- client address, or `cli`
    action      TEXT NOT NULL,          -- e.g. person.read, person.change, login.failed
    object      TEXT NOT NULL,          -- e.g. the citizen ID, a username, a file name
    outcome     TEXT NOT NULL,          -- ok | denied | failed
    detail      TEXT NOT NULL,          -- JSON: old and new values, query, counts
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object, seq);
CREATE INDEX audit_log_account ON audit_log (account, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
