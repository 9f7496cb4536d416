-- A stated need a programme's case took (需求转办): the case it became, as `<programme>.<kind>:<id>`
-- (`devices.case:…`, `homemod.application:…`, `rehab.placement:…`). The need is closed when
-- that case records the service that meets it.
ALTER TABLE needs ADD COLUMN case_ref TEXT;
CREATE INDEX needs_case ON needs (case_ref);
