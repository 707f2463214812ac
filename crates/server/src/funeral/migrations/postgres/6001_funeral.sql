-- 殡葬: deaths recorded with their medical death certificates, and cremations with their
-- basic-service relief (惠民殡葬) and the ashes' destination.
CREATE TABLE death_records (
    id             BIGSERIAL PRIMARY KEY,
    id_number      TEXT COLLATE "C" NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    -- The community of the person's household at death: region scope and the county's counts.
    community      TEXT COLLATE "C" NOT NULL,
    died_on        DATE NOT NULL,
    place          TEXT NOT NULL,
    cause          TEXT NOT NULL,
    certifier      TEXT NOT NULL,
    certifier_org  TEXT NOT NULL,
    certificate_no TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_on    DATE NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX death_records_community ON death_records (community, died_on);

CREATE TABLE cremations (
    id               BIGSERIAL PRIMARY KEY,
    -- One cremation per person (a second is refused).
    id_number        TEXT COLLATE "C" NOT NULL UNIQUE,
    death_id         BIGINT REFERENCES death_records (id),
    name             TEXT NOT NULL,
    community        TEXT COLLATE "C" NOT NULL,
    died_on          DATE NOT NULL,
    funeral_home     TEXT NOT NULL,
    received_on      DATE NOT NULL,
    transport_km     INTEGER NOT NULL,
    cremated_on      DATE NOT NULL,
    coffin           BOOLEAN NOT NULL,
    urn              BOOLEAN NOT NULL,
    ashes            TEXT NOT NULL,
    storage_years    INTEGER NOT NULL,
    -- The relief groups (codes, comma-separated), what was declared and its proof.
    groups           TEXT NOT NULL,
    declared         TEXT NOT NULL,
    declared_proof   TEXT NOT NULL,
    universal        BOOLEAN NOT NULL,
    -- The relief's lines (JSON) and totals in fen.
    relief           TEXT NOT NULL,
    funeral_home_fen BIGINT NOT NULL,
    family_fen       BIGINT NOT NULL,
    certificate_no   TEXT NOT NULL UNIQUE,
    recorded_by      TEXT NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX cremations_community ON cremations (community, cremated_on);

-- The deaths of a period, per county (the cremation rate and the uncremated list).
CREATE INDEX persons_deceased ON persons (status_date) WHERE status = 'deceased';
