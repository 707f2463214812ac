-- 全市通办 · 审核确认: cases, their steps, and the working-day calendar.
-- The case is kept whole as JSON (`body`); the columns beside it are what queues, lists and
-- the one-open-case rule read. Region columns are COLLATE "C" so prefix ranges use the indexes.
CREATE TABLE cases (
    id           BIGSERIAL PRIMARY KEY,
    service      TEXT NOT NULL,
    program      TEXT NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    owner        TEXT COLLATE "C" NOT NULL,
    community    TEXT COLLATE "C" NOT NULL,
    accepted_at  TEXT COLLATE "C" NOT NULL,
    status       TEXT NOT NULL,
    waiting_for  TEXT,
    active_key   TEXT UNIQUE,
    step_due     DATE NOT NULL,
    due          DATE NOT NULL,
    version      BIGINT NOT NULL,
    body         TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
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
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    comment     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- 申请材料: uploaded documents of a case (the file is kept under the data directory by its SHA-256).
CREATE TABLE case_documents (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    code         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, id);

CREATE TABLE calendar_days (
    day         DATE PRIMARY KEY,
    kind        TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
