-- 社会组织: social groups, social service organisations and foundations from their application
-- to their deregistration; changes and penalties; annual reports and inspections; ratings; the
-- two credit lists; the bigrams of names for the public search.
CREATE TABLE social_orgs (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    -- The registering authority's region (a county, or the city): region scope.
    region             TEXT NOT NULL,
    credit_code        TEXT UNIQUE,
    legal_rep_id       TEXT NOT NULL,
    legal_rep_name     TEXT NOT NULL,
    supervisor         TEXT NOT NULL,
    capital_fen        INTEGER NOT NULL,
    individual_members INTEGER NOT NULL,
    unit_members       INTEGER NOT NULL,
    public_raising     INTEGER NOT NULL,
    address            TEXT NOT NULL,
    scope              TEXT NOT NULL,
    -- applied | refused | active | deregistered | revoked
    status             TEXT NOT NULL,
    received_on        TEXT NOT NULL,
    decided_on         TEXT,
    decision_note      TEXT NOT NULL DEFAULT '',
    deregistered_on    TEXT,
    rating             INTEGER,
    rating_score       INTEGER,
    rated_on           TEXT,
    recorded_by        TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
-- A name is taken while applied for or registered.
CREATE UNIQUE INDEX social_orgs_name ON social_orgs (name) WHERE status IN ('applied', 'active');
CREATE INDEX social_orgs_region ON social_orgs (region, status);

CREATE TABLE social_org_grams (
    gram   TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES social_orgs (id)
);
CREATE INDEX social_org_grams_gram ON social_org_grams (gram, org_id);

-- 变更、注销、处罚: what happened, when, when it was filed, whether past its limit.
CREATE TABLE social_org_events (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES social_orgs (id),
    kind        TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    filed_on    TEXT NOT NULL,
    late        INTEGER NOT NULL,
    detail      TEXT NOT NULL,
    fine_fen    INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX social_org_events_org ON social_org_events (org_id, happened_on);

CREATE TABLE social_org_reports (
    org_id          INTEGER NOT NULL REFERENCES social_orgs (id),
    year            INTEGER NOT NULL,
    to_supervisor_on TEXT,
    to_registry_on  TEXT,
    inspection      TEXT,
    recorded_by     TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE social_org_list_entries (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES social_orgs (id),
    list         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    listed_on    TEXT NOT NULL,
    basis        TEXT NOT NULL,
    rectified_on TEXT,
    removed_on   TEXT,
    removal_note TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL
);
CREATE INDEX social_org_list_entries_org ON social_org_list_entries (org_id);
CREATE INDEX social_org_list_entries_open ON social_org_list_entries (list, listed_on) WHERE removed_on IS NULL;
