-- Accounts bound to a region, sessions, and the hash chain of the audit log.
CREATE TABLE users (
    name          TEXT COLLATE "C" PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT COLLATE "C" NOT NULL,
    region_code   TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_name  TEXT COLLATE "C" NOT NULL REFERENCES users (name),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);

ALTER TABLE audit_log ADD COLUMN role TEXT,
    ADD COLUMN region TEXT,
    ADD COLUMN request_id TEXT,
    ADD COLUMN client TEXT,
    ADD COLUMN prev_hash TEXT,
    ADD COLUMN hash TEXT;
