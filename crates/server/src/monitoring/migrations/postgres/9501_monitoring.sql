-- 低收入人口动态监测: the runs of the warning rules, the warnings as tasks with the steps each
-- took, and the monitored population by category. A warning is raised once per rule, subject
-- (the household for a household rule, else the person) and occurrence. The queues read the
-- household's community, street, county or city (each a prefix of `community`).
CREATE TABLE monitoring_runs (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,
    region     TEXT COLLATE "C" NOT NULL,
    source     TEXT NOT NULL,
    on_day     DATE NOT NULL,
    persons    BIGINT NOT NULL,
    hits       BIGINT NOT NULL,
    raised     BIGINT NOT NULL,
    unknown    BIGINT NOT NULL,
    millis     BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE TABLE warnings (
    id           BIGSERIAL PRIMARY KEY,
    rule         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    responder    TEXT NOT NULL,
    id_number    TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    community    TEXT COLLATE "C" NOT NULL,
    street       TEXT COLLATE "C" NOT NULL,
    county       TEXT COLLATE "C" NOT NULL,
    city         TEXT COLLATE "C" NOT NULL,
    grid         TEXT NOT NULL,
    occurrence   BIGINT NOT NULL,
    subject      TEXT COLLATE "C" NOT NULL,
    detail       TEXT NOT NULL,
    raised_on    DATE NOT NULL,
    due_on       DATE NOT NULL,
    assignee     TEXT COLLATE "C" NOT NULL,
    status       TEXT NOT NULL,
    escalated    BOOLEAN NOT NULL,
    visited_on   DATE,
    findings     TEXT NOT NULL,
    outcome      TEXT,
    target       TEXT NOT NULL,
    decided_on   DATE,
    closed_on    DATE,
    report       TEXT NOT NULL,
    run_id       BIGINT NOT NULL REFERENCES monitoring_runs (id),
    UNIQUE (rule, subject, occurrence)
);
CREATE INDEX warnings_open_community ON warnings (community, due_on, id) WHERE status IN ('open', 'visited');
CREATE INDEX warnings_open_street ON warnings (street, due_on, id) WHERE status IN ('open', 'visited');
CREATE INDEX warnings_open_county ON warnings (county, due_on, id) WHERE status IN ('open', 'visited');
CREATE INDEX warnings_open_city ON warnings (city, due_on, id) WHERE status IN ('open', 'visited');
CREATE INDEX warnings_open_assignee ON warnings (assignee, due_on, id) WHERE status IN ('open', 'visited');
CREATE INDEX warnings_handled_community ON warnings (community, id) WHERE status = 'handled';
CREATE INDEX warnings_handled_street ON warnings (street, id) WHERE status = 'handled';
CREATE INDEX warnings_handled_county ON warnings (county, id) WHERE status = 'handled';
CREATE INDEX warnings_handled_city ON warnings (city, id) WHERE status = 'handled';
CREATE INDEX warnings_closed_community ON warnings (community, closed_on, id) WHERE status = 'closed';
CREATE INDEX warnings_closed_street ON warnings (street, closed_on, id) WHERE status = 'closed';
CREATE INDEX warnings_closed_county ON warnings (county, closed_on, id) WHERE status = 'closed';
CREATE INDEX warnings_closed_city ON warnings (city, closed_on, id) WHERE status = 'closed';
CREATE INDEX warnings_household ON warnings (household_no, id);
CREATE INDEX warnings_run ON warnings (run_id, rule);
CREATE TABLE warning_steps (
    warning_id BIGINT NOT NULL REFERENCES warnings (id),
    seq        BIGINT NOT NULL,
    step       TEXT NOT NULL,
    note       TEXT NOT NULL,
    by_name    TEXT NOT NULL,
    by_role    TEXT NOT NULL,
    on_day     DATE NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (warning_id, seq)
);
CREATE TABLE monitored (
    id_number TEXT COLLATE "C" NOT NULL,
    category  TEXT NOT NULL,
    community TEXT COLLATE "C" NOT NULL,
    since     DATE NOT NULL,
    PRIMARY KEY (id_number, category)
);
CREATE INDEX monitored_community ON monitored (community, category);
