-- zhucan schema 6 (kernel part): policy parameters as versioned data.

-- Every version of every parameter; the value (JSON of the domain's ParamValue) in force for an
-- area on a day is the most specific area's entry with the latest effective date.
CREATE TABLE policy_params (
    id              BIGINT PRIMARY KEY,
    key             TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    value           TEXT NOT NULL,
    effective_from  TEXT NOT NULL,
    source          TEXT NOT NULL,
    author          TEXT NOT NULL,
    entered_at      TEXT NOT NULL
);
CREATE INDEX policy_params_key ON policy_params (key, area_code, effective_from);
