-- 社会组织: social groups, social service organisations and foundations from their application
-- to their deregistration; changes and penalties; annual reports and inspections; ratings; the
-- two credit lists; the bigrams of names for the public search.
CREATE TABLE social_orgs (
    id                 BIGSERIAL PRIMARY KEY,
    name               TEXT COLLATE "C" NOT NULL,
    kind               TEXT NOT NULL,
    -- The registering authority's region (a county, or the city): region scope.
    region             TEXT COLLATE "C" NOT NULL,
    credit_code        TEXT COLLATE "C" UNIQUE,
    legal_rep_id       TEXT NOT NULL,
    legal_rep_name     TEXT NOT NULL,
    supervisor         TEXT NOT NULL,
    capital_fen        BIGINT NOT NULL,
    individual_members INTEGER NOT NULL,
    unit_members       INTEGER NOT NULL,
    public_raising     INTEGER NOT NULL,
    address            TEXT NOT NULL,
    scope              TEXT NOT NULL,
    -- applied | refused | active | deregistered | revoked
    status             TEXT NOT NULL,
    received_on        DATE NOT NULL,
    decided_on         DATE,
    decision_note      TEXT NOT NULL DEFAULT '',
    deregistered_on    DATE,
    rating             INTEGER,
    rating_score       INTEGER,
    rated_on           DATE,
    recorded_by        TEXT NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
-- A name is taken while applied for or registered.
CREATE UNIQUE INDEX social_orgs_name ON social_orgs (name) WHERE status IN ('applied', 'active');
CREATE INDEX social_orgs_region ON social_orgs (region, status);

CREATE TABLE social_org_grams (
    gram   TEXT COLLATE "C" NOT NULL,
    org_id BIGINT NOT NULL REFERENCES social_orgs (id)
);
CREATE INDEX social_org_grams_gram ON social_org_grams (gram, org_id);

-- 变更、注销、处罚: what happened, when, when it was filed, whether past its limit.
CREATE TABLE social_org_events (
    id          BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES social_orgs (id),
    kind        TEXT NOT NULL,
    happened_on DATE NOT NULL,
    filed_on    DATE NOT NULL,
    late        INTEGER NOT NULL,
    detail      TEXT NOT NULL,
    fine_fen    BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX social_org_events_org ON social_org_events (org_id, happened_on);

CREATE TABLE social_org_reports (
    org_id BIGINT NOT NULL REFERENCES social_orgs (id),
    year            INTEGER NOT NULL,
    to_supervisor_on DATE,
    to_registry_on  DATE,
    inspection      TEXT,
    recorded_by     TEXT NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE social_org_list_entries (
    id           BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES social_orgs (id),
    list         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    listed_on    DATE NOT NULL,
    basis        TEXT NOT NULL,
    rectified_on DATE,
    removed_on   DATE,
    removal_note TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL
);
CREATE INDEX social_org_list_entries_org ON social_org_list_entries (org_id);
CREATE INDEX social_org_list_entries_open ON social_org_list_entries (list, listed_on) WHERE removed_on IS NULL;
