-- 殡葬: deaths recorded with their medical death certificates, and cremations with their
-- basic-service relief (惠民殡葬) and the ashes' destination.
CREATE TABLE death_records (
    id             INTEGER PRIMARY KEY,
    id_number      TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    -- The community of the person's household at death: region scope and the county's counts.
    community      TEXT NOT NULL,
    died_on        TEXT NOT NULL,
    place          TEXT NOT NULL,
    cause          TEXT NOT NULL,
    certifier      TEXT NOT NULL,
    certifier_org  TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_on    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX death_records_community ON death_records (community, died_on);

CREATE TABLE cremations (
    id               INTEGER PRIMARY KEY,
    -- One cremation per person (a second is refused).
    id_number        TEXT NOT NULL UNIQUE,
    death_id         INTEGER REFERENCES death_records (id),
    name             TEXT NOT NULL,
    community        TEXT NOT NULL,
    died_on          TEXT NOT NULL,
    funeral_home     TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    transport_km     INTEGER NOT NULL,
    cremated_on      TEXT NOT NULL,
    coffin           INTEGER NOT NULL,
    urn              INTEGER NOT NULL,
    ashes            TEXT NOT NULL,
    storage_years    INTEGER NOT NULL,
    -- The relief groups (codes, comma-separated), what was declared and its proof.
    groups           TEXT NOT NULL,
    declared         TEXT NOT NULL,
    declared_proof   TEXT NOT NULL,
    universal        INTEGER NOT NULL,
    -- The relief's lines (JSON) and totals in fen.
    relief           TEXT NOT NULL,
    funeral_home_fen INTEGER NOT NULL,
    family_fen       INTEGER NOT NULL,
    certificate_no   TEXT NOT NULL UNIQUE,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX cremations_community ON cremations (community, cremated_on);

-- The deaths of a period, per county (the cremation rate and the uncremated list).
CREATE INDEX persons_deceased ON persons (status_date) WHERE status = 'deceased';
