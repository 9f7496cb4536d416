-- Employment placements (就业安置): one row a period of work the programme records — a
-- public-welfare job (公益性岗位), supported employment (辅助性就业) or another form entered
-- directly, or a placement through a referral. Each row is also the person's `employment`
-- fact in the ledger (identity: the first day); ending it appends the fact with its end.
CREATE TABLE employment_placements (
    id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    -- The person's home area when recorded (lists are scoped by it).
    area_code TEXT NOT NULL,
    -- EmploymentStatus key (never not_employed)
    form TEXT NOT NULL,
    -- 岗位或机构: the post, or the supported-employment institution
    post TEXT NOT NULL,
    employer_uscc TEXT,
    since TEXT NOT NULL,
    until TEXT,
    -- direct | referral
    source TEXT NOT NULL,
    referral_id TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX employment_placements_area ON employment_placements (area_code, since);
CREATE INDEX employment_placements_person ON employment_placements (citizen_id);
