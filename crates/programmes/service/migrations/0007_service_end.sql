-- zhucan schema 7: the service end (服务端) — citizen accounts linked to person files, the
-- service catalogue as data, applications with their steps and documents, needs (需求征集),
-- in-app messages and the SMS outbox.

-- Which person files a citizen account may see: its own, and its wards' (a guardian).
CREATE TABLE account_persons (
    user_id     TEXT NOT NULL REFERENCES users (id),
    citizen_id  TEXT NOT NULL REFERENCES persons (citizen_id),
    relation    TEXT NOT NULL,           -- self | guardian
    linked_at   TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    PRIMARY KEY (user_id, citizen_id)
);
CREATE INDEX account_persons_person ON account_persons (citizen_id);

-- The catalogue: each service as data (JSON documents of the domain's types).
CREATE TABLE services (
    key           TEXT PRIMARY KEY,
    seq           BIGINT NOT NULL,
    definition    TEXT NOT NULL,         -- JSON: names, easy-read text, eligibility, fields, documents, steps, promised days
    active        BOOLEAN NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE applications (
    citizen_id    TEXT NOT NULL REFERENCES persons (citizen_id),
    id            TEXT NOT NULL,
    service_key   TEXT NOT NULL,
    applicant     TEXT NOT NULL,         -- the account that applied (the person, a guardian, staff)
    status        TEXT NOT NULL,         -- submitted | needs_info | approved | rejected | withdrawn
    step          BIGINT NOT NULL,       -- index of the current workflow step
    area_code     TEXT NOT NULL,         -- the person's village, else township
    answers       TEXT NOT NULL,         -- JSON object of the form's fields
    submitted_at  TEXT NOT NULL,
    due_on        TEXT NOT NULL,         -- submitted + promised days
    decided_at    TEXT,
    decision      TEXT,                  -- the reasons, plain language
    decision_easy TEXT,                  -- the same in easy-read words (易读)
    version       BIGINT NOT NULL,
    PRIMARY KEY (citizen_id, id)
);
CREATE UNIQUE INDEX applications_id ON applications (id);
CREATE INDEX applications_queue ON applications (status, area_code);

CREATE TABLE application_events (
    application_id TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    kind           TEXT NOT NULL,        -- submitted | step_done | info_requested | info_provided | approved | rejected | withdrawn
    step           BIGINT NOT NULL,
    note           TEXT NOT NULL,
    PRIMARY KEY (application_id, seq)
);

CREATE TABLE application_files (
    application_id TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    document_key   TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    data           BYTEA NOT NULL,
    uploaded_at    TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    PRIMARY KEY (application_id, seq)
);

CREATE TABLE needs (
    citizen_id    TEXT NOT NULL REFERENCES persons (citizen_id),
    id            TEXT NOT NULL,
    kind          TEXT NOT NULL,         -- rehab | device | home_modification | care | employment | education | living | other
    description   TEXT NOT NULL,
    channel       TEXT NOT NULL,         -- citizen | village_worker | staff
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    area_code     TEXT NOT NULL,
    status        TEXT NOT NULL,         -- open | triaged | closed
    service_key   TEXT,                  -- triaged to a service of the catalogue …
    referral      TEXT,                  -- … or referred elsewhere
    triaged_by    TEXT,
    triaged_at    TEXT,
    closed_at     TEXT,
    outcome       TEXT,
    satisfaction  TEXT,                  -- satisfied | neutral | unsatisfied (the citizen's answer)
    PRIMARY KEY (citizen_id, id)
);
CREATE UNIQUE INDEX needs_id ON needs (id);
CREATE INDEX needs_queue ON needs (status, area_code);

CREATE TABLE messages (
    citizen_id  TEXT NOT NULL REFERENCES persons (citizen_id),
    id          TEXT NOT NULL,
    at          TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT,
    read_at     TEXT,
    PRIMARY KEY (citizen_id, id)
);

CREATE TABLE sms_outbox (
    id          TEXT PRIMARY KEY,
    citizen_id  TEXT NOT NULL,
    phone       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL,           -- queued | sent | failed
    attempts    BIGINT NOT NULL,
    sent_at     TEXT,
    error       TEXT
);
CREATE INDEX sms_outbox_queue ON sms_outbox (status, created_at);
