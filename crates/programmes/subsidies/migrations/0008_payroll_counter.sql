-- zhucan schema 8: a change counter for closed payrolls, so that the facts cache holds what
-- closed months paid (the payroll's corrections) and reloads it only when a payroll closes.
INSERT INTO change_counters (name, value) VALUES ('payrolls', 1);
