-- Dated decisions about institutions (机构认定与变更): standardisation (规范化), designation
-- (定点), operator (运营方式), capacity (床位), opening and closing, each with the day it takes
-- effect and its document. The `institutions` row (the workbook's `机构` sheet) is the state
-- before the first decision; the indicators read the state at their reference date.
CREATE TABLE institution_decisions (
    seq            BIGINT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions (id),
    kind           TEXT NOT NULL,
    value          TEXT,
    effective_on   TEXT NOT NULL,
    document       TEXT,
    reason         TEXT,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX institution_decisions_of ON institution_decisions (institution_id, effective_on);
