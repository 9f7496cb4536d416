-- Blind massage practitioners (盲人保健按摩 / 盲人医疗按摩人员): one row a person.
CREATE TABLE employment_masseurs (
    citizen_id TEXT PRIMARY KEY,
    -- health / medical
    kind TEXT NOT NULL,
    -- 资格证书编号 (may be empty for health massage)
    qualification TEXT NOT NULL,
    workplace TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    -- The person's home area when recorded (lists are scoped by it).
    area_code TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX employment_masseurs_area ON employment_masseurs (area_code);
