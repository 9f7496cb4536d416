-- The data exchange's runs: one per file dropped, uploaded or pushed. The counts move in the
-- same transaction as each batch of rows applied, so a run cut short says what went in.
-- `report` holds the run's report (unmatched and rejected rows, warnings) as JSON once done.
CREATE TABLE feed_runs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    channel      TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    digest       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    department   TEXT,
    area_code    TEXT NOT NULL,
    status       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    finished_at  TEXT,
    received     BIGINT NOT NULL DEFAULT 0,
    matched      BIGINT NOT NULL DEFAULT 0,
    changed      BIGINT NOT NULL DEFAULT 0,
    unchanged    BIGINT NOT NULL DEFAULT 0,
    unmatched    BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0,
    done_rows    BIGINT NOT NULL DEFAULT 0,
    message      TEXT NOT NULL DEFAULT '',
    report       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feed_runs_started ON feed_runs (started_at);
CREATE INDEX feed_runs_department ON feed_runs (department, started_at);

-- Rows that named no person of the registry (or none in the sender's area): kept for staff
-- to resolve (the ID corrected, or marked not ours), never dropped.
CREATE TABLE feed_unmatched (
    run_id       TEXT NOT NULL REFERENCES feed_runs (id),
    row_no       BIGINT NOT NULL,
    citizen_id   TEXT NOT NULL,
    name         TEXT,
    body         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    resolved_by  TEXT,
    resolved_at  TEXT,
    resolved_to  TEXT,
    PRIMARY KEY (run_id, row_no)
);
CREATE INDEX feed_unmatched_open ON feed_unmatched (status, run_id);

-- The department a partner account belongs to (it may send only that department's kinds).
CREATE TABLE partner_departments (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    department   TEXT NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       TEXT NOT NULL
);
