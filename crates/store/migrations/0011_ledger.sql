-- The facts ledger (事实台账): every accepted row of a partner feed or a programme record, kept
-- for ever. A later row with the same (citizen_id, kind, identity) supersedes the earlier one in
-- the rules, never in the table. `seq` orders arrivals (the ledger counter of the writing
-- transaction × 2^20 + the row's position in it); `stamp` is that counter value, for the facts
-- cache to load what arrived since it last looked.
CREATE TABLE ledger_facts (
    citizen_id   TEXT NOT NULL REFERENCES persons (citizen_id),
    seq          BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    identity     TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    body         TEXT NOT NULL,
    stamp        BIGINT NOT NULL,
    run_id       TEXT,
    received_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    PRIMARY KEY (citizen_id, seq)
);
CREATE INDEX ledger_facts_identity ON ledger_facts (citizen_id, kind, identity);
CREATE INDEX ledger_facts_stamp ON ledger_facts (stamp);
CREATE INDEX ledger_facts_run ON ledger_facts (run_id);
INSERT INTO change_counters (name, value) VALUES ('ledger', 1);
