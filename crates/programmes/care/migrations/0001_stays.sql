-- Care stays (托养): a person in home care (居家), day care (日间照料) or residential care
-- (寄宿托养) at an institution, from a day, with the last day once the stay ends. Each stay is
-- the person's `care` fact of the ledger as well (written in the same transaction), so the
-- nursing subsidy's residential supplement and the person's care values follow from it.
CREATE TABLE care_stays (
    id             TEXT PRIMARY KEY,
    citizen_id     TEXT NOT NULL,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    mode           TEXT NOT NULL,
    since          TEXT NOT NULL,
    until          TEXT,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    version        BIGINT NOT NULL
);
CREATE INDEX care_stays_institution ON care_stays (institution_id, since);
CREATE INDEX care_stays_person ON care_stays (citizen_id);
INSERT INTO change_counters (name, value) VALUES ('care', 1);
