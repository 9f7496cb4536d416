-- devices.0001: assistive devices (辅助器具). The catalogue is data (staff keep it); a case
-- (适配) goes assessed → approved → fitted → followed up (or rejected); the fitting is the
-- `device_fitting` record of `feeds-and-records.md` and a loan the `device_loan` record
-- (each also a ledger row, written in the same transaction). Stock items belong to a device
-- service point (辅具服务点, an institution id `township/name`). Money in fen, dates ISO.

CREATE TABLE device_items (
    key             TEXT PRIMARY KEY,
    seq             BIGINT NOT NULL,
    label           TEXT NOT NULL,
    label_en        TEXT NOT NULL,
    category        TEXT NOT NULL,          -- mobility | daily | hearing | visual | rehab
    disabilities    TEXT NOT NULL,          -- comma list of disability category keys
    mode            TEXT NOT NULL,          -- in_kind | cash
    cap_fen         BIGINT NOT NULL,
    loanable        BOOLEAN NOT NULL,
    loan_days       BIGINT NOT NULL,
    max_renewals    BIGINT NOT NULL,
    followup_days   BIGINT NOT NULL,
    active          BOOLEAN NOT NULL
);

CREATE TABLE device_cases (
    id              TEXT PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES persons (citizen_id),
    area_code       TEXT NOT NULL,
    item_key        TEXT NOT NULL REFERENCES device_items (key),
    status          TEXT NOT NULL,          -- assessed | approved | fitted | followed | rejected
    assessed_on     TEXT NOT NULL,
    assessment      TEXT NOT NULL,          -- the assessment and recommendation
    assessed_by     TEXT NOT NULL,
    decided_by      TEXT,
    decision_note   TEXT,
    fitted_on       TEXT,
    mode            TEXT,
    invoice_fen     BIGINT,
    subsidy_fen     BIGINT,
    ratio_basis     TEXT,                   -- why that ratio (the household status)
    fitted_by       TEXT,
    followup_due    TEXT,
    followed_on     TEXT,
    followup_note   TEXT,
    followed_by     TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX device_cases_area ON device_cases (area_code);
CREATE INDEX device_cases_person ON device_cases (citizen_id);

CREATE TABLE device_stock (
    code            TEXT PRIMARY KEY,
    point_id        TEXT NOT NULL,
    item_key        TEXT NOT NULL REFERENCES device_items (key),
    item_condition  TEXT NOT NULL,          -- good | fair | repair | retired
    note            TEXT NOT NULL,
    added_by        TEXT NOT NULL,
    added_at        TEXT NOT NULL
);
CREATE INDEX device_stock_point ON device_stock (point_id);

CREATE TABLE device_loans (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL REFERENCES device_stock (code),
    citizen_id      TEXT NOT NULL REFERENCES persons (citizen_id),
    area_code       TEXT NOT NULL,
    lent_on         TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    returned_on     TEXT,
    renewals        BIGINT NOT NULL,
    return_condition TEXT,
    reminded_on     TEXT,
    lent_by         TEXT NOT NULL,
    returned_by     TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX device_loans_area ON device_loans (area_code);
CREATE INDEX device_loans_code ON device_loans (code);

INSERT INTO change_counters (name, value) VALUES ('devices', 1);
