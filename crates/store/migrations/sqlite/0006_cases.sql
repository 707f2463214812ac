-- 全市通办 · 审核确认: cases, their steps, and the working-day calendar.
-- The case is kept whole as JSON (`body`); the columns beside it are what queues, lists and
-- the one-open-case rule read.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    service      TEXT NOT NULL,
    program      TEXT NOT NULL,
    household_no TEXT NOT NULL,
    owner        TEXT NOT NULL,
    community    TEXT NOT NULL,
    accepted_at  TEXT NOT NULL,
    status       TEXT NOT NULL,
    -- The role the case waits for; NULL once closed.
    waiting_for  TEXT,
    -- program|household while open: one open case per program and household.
    active_key   TEXT UNIQUE,
    step_due     TEXT NOT NULL,
    due          TEXT NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX cases_queue_near ON cases (waiting_for, community, id);
CREATE INDEX cases_queue_owner ON cases (waiting_for, owner, id);
CREATE INDEX cases_community ON cases (community, id);
CREATE INDEX cases_owner ON cases (owner, id);
CREATE INDEX cases_accepted ON cases (accepted_at, id);
CREATE INDEX cases_household ON cases (household_no);
-- Due and overdue lists of a county or a community: open cases only.
CREATE INDEX cases_due_owner ON cases (owner, step_due) WHERE waiting_for IS NOT NULL;
CREATE INDEX cases_due_community ON cases (community, step_due) WHERE waiting_for IS NOT NULL;
-- The public notice list of a community.
CREATE INDEX cases_notice ON cases (community, id) WHERE status = 'notice';

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    comment     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- 申请材料: uploaded documents of a case (the file is kept under the data directory by its SHA-256).
CREATE TABLE case_documents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    code         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, id);

CREATE TABLE calendar_days (
    day         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
