-- zhucan schema 3: the second factor (TOTP, RFC 6238) and recovery codes.
ALTER TABLE users ADD COLUMN totp_secret TEXT;               -- base32; set when enrolment starts
ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;  -- replay protection

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id),
    code_hash  TEXT NOT NULL,                                 -- SHA-256 of the code
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);
