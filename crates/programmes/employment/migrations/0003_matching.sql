-- Job matching (人岗匹配): the job seekers' registrations (their skills, wished jobs and the
-- adaptations they need; who counts as seeking work is decided live from the registry and
-- the feeds), the employers' vacancies, and the referrals of a person to a vacancy with their
-- outcome. A placement is also an `employment` fact in the ledger.
CREATE TABLE employment_seekers (
    citizen_id TEXT PRIMARY KEY,
    -- The person's home area when last saved (lists are scoped by it).
    area_code TEXT NOT NULL,
    -- Tags joined by '、'.
    skills TEXT NOT NULL,
    wishes TEXT NOT NULL,
    -- Adaptation keys joined by ','.
    needs TEXT NOT NULL,
    note TEXT NOT NULL,
    -- staff / citizen
    source TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX employment_seekers_area ON employment_seekers (area_code);

CREATE TABLE employment_vacancies (
    id TEXT PRIMARY KEY,
    uscc TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    title TEXT NOT NULL,
    -- The workplace's township.
    area_code TEXT NOT NULL,
    workplace TEXT NOT NULL,
    -- The employment form a placement records (an EmploymentStatus key).
    form TEXT NOT NULL,
    positions BIGINT NOT NULL,
    monthly_wage_fen BIGINT NOT NULL,
    -- Category keys joined by ',' (empty: any disability).
    categories TEXT NOT NULL,
    skills TEXT NOT NULL,
    access TEXT NOT NULL,
    description TEXT NOT NULL,
    -- open / closed
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX employment_vacancies_status ON employment_vacancies (status, area_code);
CREATE INDEX employment_vacancies_uscc ON employment_vacancies (uscc);

CREATE TABLE employment_referrals (
    id TEXT PRIMARY KEY,
    vacancy_id TEXT NOT NULL REFERENCES employment_vacancies (id),
    citizen_id TEXT NOT NULL,
    -- interested / referred / placed / declined / withdrawn
    status TEXT NOT NULL,
    -- The match's reasons when the referral was made (JSON).
    reasons TEXT NOT NULL,
    note TEXT NOT NULL,
    placed_on TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (vacancy_id, citizen_id)
);
CREATE INDEX employment_referrals_person ON employment_referrals (citizen_id);
