-- A person's loans, for the person file's section.
CREATE INDEX device_loans_person ON device_loans (citizen_id);
