-- An import run is recorded when it starts (status 'running') and closed with 'done',
-- 'interrupted' or 'failed'; the counts are those of the rows committed, updated in the same
-- transaction as each batch. `owner` names the process (boot id and pid) and `heartbeat_at`
-- is renewed while it runs: a 'running' run whose owner is gone reads as interrupted.
-- Rows of schema ≤ 9 (never written) count as done.
ALTER TABLE import_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'done';
ALTER TABLE import_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE import_runs ADD COLUMN heartbeat_at TEXT;
ALTER TABLE import_runs ADD COLUMN rows_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN inserted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN updated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN unchanged BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN message TEXT NOT NULL DEFAULT '';
CREATE INDEX import_runs_started ON import_runs (started_at);
