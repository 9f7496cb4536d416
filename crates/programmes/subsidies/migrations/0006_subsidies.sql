-- zhucan schema 6 (subsidies programme): other allowances that bar or compete with the
-- subsidies, the cases the system opens (1+X, 应补尽补), the monthly payroll with its approval,
-- and the bank accounts payments go to. (The policy parameters of schema 6 are the kernel's
-- migration policy_params.)

-- Allowances from other programmes (工伤保险生活护理费, 孤儿基本生活费, same-need allowances).
CREATE TABLE benefits (
    citizen_id   TEXT NOT NULL REFERENCES persons (citizen_id),
    seq          BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    amount_fen   BIGINT,
    since        TEXT NOT NULL,          -- month
    until        TEXT,                   -- month
    source       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (citizen_id, seq)
);

-- A case: enrol an eligible person, or stop a payment, decided by staff.
CREATE TABLE subsidy_cases (
    citizen_id    TEXT NOT NULL REFERENCES persons (citizen_id),
    id            TEXT NOT NULL,
    subsidy       TEXT NOT NULL,         -- living | nursing
    kind          TEXT NOT NULL,         -- enrol | stop
    month         TEXT NOT NULL,         -- enrol: first month; stop: first month not paid
    status        TEXT NOT NULL,         -- open | approved | rejected
    reasons       TEXT NOT NULL,         -- JSON array of reason codes
    trigger_kind  TEXT NOT NULL,         -- audit | change | staff
    area_code     TEXT NOT NULL,         -- the person's village, else township (scope by prefix)
    opened_at     TEXT NOT NULL,
    opened_by     TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    TEXT,
    note          TEXT,
    PRIMARY KEY (citizen_id, id)
);
CREATE UNIQUE INDEX subsidy_cases_id ON subsidy_cases (id);
CREATE INDEX subsidy_cases_queue ON subsidy_cases (status, area_code);

-- A month's payroll: submitted by one account, approved (closed) by another.
CREATE TABLE payrolls (
    month         TEXT PRIMARY KEY,
    status        TEXT NOT NULL,         -- submitted | approved
    lines         BIGINT NOT NULL,
    total_fen     BIGINT NOT NULL,
    digest        TEXT NOT NULL,         -- SHA-256 of the lines
    submitted_by  TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    approved_by   TEXT,
    approved_at   TEXT
);

CREATE TABLE payroll_lines (
    month          TEXT NOT NULL REFERENCES payrolls (month),
    line           BIGINT NOT NULL,
    citizen_id     TEXT NOT NULL,
    subsidy        TEXT NOT NULL,
    kind           TEXT NOT NULL,        -- regular | arrears | recovery
    for_month      TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL,
    township_code  TEXT NOT NULL,
    PRIMARY KEY (month, line)
);
CREATE INDEX payroll_lines_person ON payroll_lines (citizen_id, subsidy, for_month);

CREATE TABLE payment_accounts (
    citizen_id  TEXT PRIMARY KEY REFERENCES persons (citizen_id),
    bank        TEXT NOT NULL,
    account_no  TEXT NOT NULL,
    holder      TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
