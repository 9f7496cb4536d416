-- rehab.0001: rehabilitation (康复). Institutions are the kernel's (`institutions`, id =
-- township code + '/' + name); a designation (定点) makes one a designated rehabilitation
-- institution under an agreement, with a capacity, until it exits. A child's placement
-- (安置) at a designated institution has a start and an end; service records (康复服务记录)
-- are the `rehab_service` records of `feeds-and-records.md` (each is also a ledger row,
-- written in the same transaction). Money in fen, dates as ISO text.

CREATE TABLE rehab_designations (
    institution_id  TEXT PRIMARY KEY,
    capacity        BIGINT NOT NULL,
    agreement_no    TEXT NOT NULL,
    agreement_from  TEXT NOT NULL,
    agreement_to    TEXT NOT NULL,
    exited_on       TEXT,                   -- 动态退出
    exit_reason     TEXT,
    set_by          TEXT NOT NULL,
    set_at          TEXT NOT NULL
);

CREATE TABLE rehab_placements (
    id              TEXT PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES persons (citizen_id),
    institution_id  TEXT NOT NULL REFERENCES rehab_designations (institution_id),
    service         TEXT NOT NULL,
    area_code       TEXT NOT NULL,          -- the child's home area when placed
    started_on      TEXT NOT NULL,
    ended_on        TEXT,
    end_reason      TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX rehab_placements_institution ON rehab_placements (institution_id);
CREATE INDEX rehab_placements_area ON rehab_placements (area_code);
CREATE INDEX rehab_placements_person ON rehab_placements (citizen_id);

CREATE TABLE rehab_records (
    id              TEXT PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES persons (citizen_id),
    area_code       TEXT NOT NULL,
    placement_id    TEXT REFERENCES rehab_placements (id),
    institution_id  TEXT NOT NULL,          -- '' for community and home rehabilitation by staff
    served_on       TEXT NOT NULL,
    month           TEXT NOT NULL,          -- YYYY-MM of served_on
    service         TEXT NOT NULL,
    sessions        BIGINT NOT NULL,
    note            TEXT NOT NULL,
    source          TEXT NOT NULL,          -- typed | import
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    UNIQUE (citizen_id, served_on, service, institution_id)
);
CREATE INDEX rehab_records_area ON rehab_records (area_code, month);
CREATE INDEX rehab_records_institution ON rehab_records (institution_id, month);
CREATE INDEX rehab_records_placement ON rehab_records (placement_id);

-- A monthly settlement (结算) per institution: a snapshot of the children served and the
-- amount; once settled, the month's records at that institution are closed.
CREATE TABLE rehab_settlements (
    institution_id  TEXT NOT NULL,
    month           TEXT NOT NULL,
    children        BIGINT NOT NULL,
    amount_fen      BIGINT NOT NULL,
    lines           TEXT NOT NULL,          -- JSON: [{placement_id, citizen_id, sessions, amount_fen}]
    settled_by      TEXT NOT NULL,
    settled_at      TEXT NOT NULL,
    PRIMARY KEY (institution_id, month)
);

INSERT INTO change_counters (name, value) VALUES ('rehab', 1);
