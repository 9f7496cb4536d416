-- The quota review stored (按比例就业年审): the employers (用人单位), their declaration of a
-- year (average staff and wages, the disabled employees listed), and the decisions staff
-- confirm. Nothing is overwritten: a declaration replaced keeps its audit record, and each
-- confirmation is a new decision row.
CREATE TABLE employment_employers (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- The township's area code (the district's when the declared one is not of the district).
    area_code TEXT NOT NULL,
    sector TEXT NOT NULL DEFAULT '',
    public_body BOOLEAN NOT NULL DEFAULT FALSE,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE employment_declarations (
    year BIGINT NOT NULL,
    uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    -- 乡镇街道 as declared, and the area it resolved to.
    township TEXT NOT NULL,
    area_code TEXT NOT NULL,
    avg_staff_micro BIGINT NOT NULL,
    avg_wage_fen BIGINT NOT NULL,
    source TEXT NOT NULL,
    declared_by TEXT NOT NULL,
    declared_at TEXT NOT NULL,
    -- declared / confirmed / contested
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    contest TEXT,
    contested_by TEXT,
    contested_at TEXT,
    PRIMARY KEY (year, uscc)
);
CREATE INDEX employment_declarations_area ON employment_declarations (year, area_code);

CREATE TABLE employment_declared_employees (
    year BIGINT NOT NULL,
    uscc TEXT NOT NULL,
    seq BIGINT NOT NULL,
    citizen_id TEXT NOT NULL,
    name TEXT,
    contract_months BIGINT NOT NULL,
    monthly_wage_fen BIGINT NOT NULL,
    insured BOOLEAN NOT NULL,
    PRIMARY KEY (year, uscc, seq)
);
CREATE INDEX employment_declared_person ON employment_declared_employees (year, citizen_id);

CREATE TABLE employment_decisions (
    year BIGINT NOT NULL,
    uscc TEXT NOT NULL,
    seq BIGINT NOT NULL,
    declaration_version BIGINT NOT NULL,
    quota TEXT NOT NULL,
    counted BIGINT NOT NULL,
    exempt BOOLEAN NOT NULL,
    levy_fen BIGINT NOT NULL,
    reward_fen BIGINT NOT NULL,
    -- The contract's employer object of the review, as decided (JSON).
    result TEXT NOT NULL,
    -- The employer's objection this decision answered, if any.
    answered TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (year, uscc, seq)
);

INSERT INTO change_counters (name, value) VALUES ('employment', 1);
