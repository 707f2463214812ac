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
CREATE INDEX cases_due ON cases (step_due) WHERE waiting_for IS NOT NULL;

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

CREATE TABLE calendar_days (
    day         DATE PRIMARY KEY,
    kind        TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
