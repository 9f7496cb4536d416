-- Follow-up of zero-employment households (零就业家庭帮扶). The households themselves are
-- computed from the registry and the facts; only what staff did is stored.
CREATE TABLE employment_household_followups (
    id TEXT PRIMARY KEY,
    -- The registry's 户编号 prefixed with 户, or a lone person's citizen ID.
    household TEXT NOT NULL,
    area_code TEXT NOT NULL,
    on_date TEXT NOT NULL,
    -- visit / referral / training / public_welfare / other
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX employment_household_followups_key ON employment_household_followups (household);
