-- 007: local accounts, their scopes and every sign-in attempt (kept, like the change log).
-- Passwords are stored only as scrypt hashes (qms/accounts.py); no account exists by default.

CREATE TABLE users (
    username      VARCHAR PRIMARY KEY,
    display_name  VARCHAR NOT NULL,
    role          VARCHAR NOT NULL CHECK (role IN ('admin', 'auditor', 'officer', 'viewer')),
    password_hash VARCHAR NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- An auditor's assigned units and districts; an officer's own unit.
CREATE TABLE user_scopes (
    username   VARCHAR NOT NULL,
    scope_kind VARCHAR NOT NULL CHECK (scope_kind IN ('unit', 'district')),
    code       VARCHAR NOT NULL,
    PRIMARY KEY (username, scope_kind, code)
);

CREATE SEQUENCE sign_in_attempt_id START 1;
CREATE TABLE sign_in_attempts (
    id           BIGINT PRIMARY KEY DEFAULT nextval('sign_in_attempt_id'),
    username     VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    ok           BOOLEAN NOT NULL,
    reason       VARCHAR
);
CREATE INDEX sign_in_attempts_user ON sign_in_attempts (username);
