-- zhucan schema 5 (kernel part): change tracking for the in-memory facts.
--
-- Every write to a person's file sets `persons.change_seq` to the next value of the `registry`
-- counter, taken inside the writing transaction; the counter row serialises writers, so the
-- counter's committed value V means every change numbered ≤ V is committed. The indicator
-- engine keeps the registry's facts in memory and, before each computation, reloads the persons
-- with `change_seq` above the value it last saw (zero staleness without a nightly batch).
-- `reference` counts changes to the area dictionary and institutions.

ALTER TABLE persons ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX persons_change ON persons (change_seq);

CREATE TABLE change_counters (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('registry', 1);
INSERT INTO change_counters (name, value) VALUES ('reference', 1);
