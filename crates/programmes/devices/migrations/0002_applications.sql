-- devices.0002: a case may answer a service-end application of the `device` service; the
-- fitting approves it and a rejection rejects it, in the same transaction.
ALTER TABLE device_cases ADD COLUMN application_id TEXT;
