-- 低收入人口动态监测: the runs of the warning rules, the warnings as tasks with the steps each
-- took, and the monitored population by category. A warning is raised once per rule, subject
-- (the household for a household rule, else the person) and occurrence. The queues read the
-- household's community, street, county or city (each a prefix of `community`).
CREATE TABLE monitoring_runs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    region     TEXT NOT NULL,
    source     TEXT NOT NULL,
    on_day     TEXT NOT NULL,
    persons    INTEGER NOT NULL,
    hits       INTEGER NOT NULL,
    raised     INTEGER NOT NULL,
    unknown    INTEGER NOT NULL,
    millis     INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE TABLE warnings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    rule         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    responder    TEXT NOT NULL,
    id_number    TEXT NOT NULL,
    name         TEXT NOT NULL,
    household_no TEXT NOT NULL,
    community    TEXT NOT NULL,
    street       TEXT NOT NULL,
    county       TEXT NOT NULL,
    city         TEXT NOT NULL,
    grid         TEXT NOT NULL,
    occurrence   INTEGER NOT NULL,
    subject      TEXT NOT NULL,
    detail       TEXT NOT NULL,
    raised_on    TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    assignee     TEXT NOT NULL,
    status       TEXT NOT NULL,
    escalated    INTEGER NOT NULL,
    visited_on   TEXT,
    findings     TEXT NOT NULL,
    outcome      TEXT,
    target       TEXT NOT NULL,
    decided_on   TEXT,
    closed_on    TEXT,
    report       TEXT NOT NULL,
    run_id       INTEGER NOT NULL REFERENCES monitoring_runs (id),
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
    warning_id INTEGER NOT NULL REFERENCES warnings (id),
    seq        INTEGER NOT NULL,
    step       TEXT NOT NULL,
    note       TEXT NOT NULL,
    by_name    TEXT NOT NULL,
    by_role    TEXT NOT NULL,
    on_day     TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (warning_id, seq)
);
CREATE TABLE monitored (
    id_number TEXT NOT NULL,
    category  TEXT NOT NULL,
    community TEXT NOT NULL,
    since     TEXT NOT NULL,
    PRIMARY KEY (id_number, category)
);
CREATE INDEX monitored_community ON monitored (community, category);
