-- zhucan schema 9: the certificate history keeps every issue. A renewal (the same number issued
-- again) no longer overwrites the earlier issue, so "certified on day d" can be answered over
-- the whole history; a revoked certificate records when it was revoked, when known.
CREATE TABLE certificates_v9 (
    citizen_id      TEXT NOT NULL REFERENCES persons (citizen_id),
    certificate_no  TEXT NOT NULL,
    category        TEXT NOT NULL,
    grade           TEXT NOT NULL,
    components      TEXT NOT NULL,      -- comma-separated category keys (多重 only)
    issued_on       TEXT NOT NULL,
    valid_until     TEXT NOT NULL,
    status          TEXT NOT NULL,      -- valid | revoked
    revoked_on      TEXT,               -- when a revoked certificate was revoked, when known
    smart_card      BOOLEAN NOT NULL,
    is_current      BOOLEAN NOT NULL,
    recorded_at     TEXT NOT NULL,
    PRIMARY KEY (citizen_id, certificate_no, issued_on)
);
INSERT INTO certificates_v9 (citizen_id, certificate_no, category, grade, components, issued_on, valid_until, status, revoked_on, smart_card, is_current, recorded_at)
    SELECT citizen_id, certificate_no, category, grade, components, issued_on, valid_until, status, NULL, smart_card, is_current, recorded_at FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_v9 RENAME TO certificates;
CREATE INDEX certificates_number ON certificates (certificate_no);
CREATE INDEX certificates_current ON certificates (citizen_id, is_current);
