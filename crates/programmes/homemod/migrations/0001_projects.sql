-- homemod.0001: home accessibility modification (无障碍改造). A project is a service-end
-- application of the service `home_modification` (its id is the application's id): the
-- application keeps the workflow step and status the citizen follows; the project keeps what
-- each step recorded. Money in fen, dates as ISO text.

-- Contractors (施工单位): an account of role `contractor` bound to a code (`account_orgs`)
-- sees the projects assigned to that code, and nothing else.
CREATE TABLE homemod_contractors (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    contact     TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The survey items (改造项目) as data: a unit and a price cap per unit.
CREATE TABLE homemod_items (
    key         TEXT PRIMARY KEY,
    seq         BIGINT NOT NULL,
    label       TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    unit        TEXT NOT NULL,
    unit_en     TEXT NOT NULL,
    cap_fen     BIGINT NOT NULL,
    active      BOOLEAN NOT NULL
);

CREATE TABLE homemod_projects (
    application_id  TEXT PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES persons (citizen_id),
    township        TEXT NOT NULL,
    area_code       TEXT NOT NULL,
    year            BIGINT NOT NULL,
    accepted_by     TEXT NOT NULL,          -- 受理: who found it eligible, and why
    accepted_at     TEXT NOT NULL,
    eligibility     TEXT NOT NULL,
    survey          TEXT,                   -- JSON: [{item, quantity, unit_price_fen}]
    survey_note     TEXT,
    surveyed_by     TEXT,
    surveyed_on     TEXT,
    quote_fen       BIGINT,
    subsidy_planned_fen BIGINT,
    contractor      TEXT,
    works_note      TEXT,
    works_done_on   TEXT,
    works_by        TEXT,
    accepted_on     TEXT,                   -- 验收日期
    cost_fen        BIGINT,
    subsidy_fen     BIGINT,
    confirmed_by_household BOOLEAN,
    acceptance_note TEXT,
    inspected_by    TEXT,
    paid_on         TEXT,
    payment_ref     TEXT,
    paid_by         TEXT
);
CREATE INDEX homemod_projects_area ON homemod_projects (township, year);
CREATE INDEX homemod_projects_contractor ON homemod_projects (contractor);

-- The budget of each township and year (预算).
CREATE TABLE homemod_budgets (
    township    TEXT NOT NULL,
    year        BIGINT NOT NULL,
    budget_fen  BIGINT NOT NULL,
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (township, year)
);

-- The programme's change counter.
INSERT INTO change_counters (name, value) VALUES ('homemod', 1);
