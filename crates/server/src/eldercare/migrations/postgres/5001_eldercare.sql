-- 养老服务: ability assessments (GB/T 42195-2022), institutions as filed (备案), their residents.
CREATE TABLE ability_assessments (
    id              BIGSERIAL PRIMARY KEY,
    id_number       TEXT COLLATE "C" NOT NULL,
    name            TEXT NOT NULL,
    -- The community of the person's household when assessed: region scope and counts.
    community       TEXT COLLATE "C" NOT NULL,
    assessed_on     DATE NOT NULL,
    reason          TEXT NOT NULL,
    assessor        TEXT NOT NULL,
    organisation    TEXT NOT NULL,
    -- One digit per item, in the form's order (26).
    scores          TEXT NOT NULL,
    coma            BOOLEAN NOT NULL,
    dementia        BOOLEAN NOT NULL,
    mental_disorder BOOLEAN NOT NULL,
    risk_events     INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    level           TEXT NOT NULL,
    self_care_failed INTEGER NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX ability_assessments_person ON ability_assessments (id_number, assessed_on, id);
CREATE INDEX ability_assessments_community ON ability_assessments (community);

CREATE TABLE care_institutions (
    id                   BIGSERIAL PRIMARY KEY,
    name                 TEXT NOT NULL,
    region               TEXT COLLATE "C" NOT NULL,
    address              TEXT NOT NULL,
    legal_representative TEXT NOT NULL,
    premises             TEXT NOT NULL,
    beds_total           BIGINT NOT NULL,
    beds_nursing         BIGINT NOT NULL,
    beds_day_care        BIGINT NOT NULL,
    beds_home            BIGINT NOT NULL,
    floor_area           BIGINT NOT NULL,
    contact              TEXT NOT NULL,
    registration         TEXT NOT NULL,
    pledge               BOOLEAN NOT NULL,
    first_admission      DATE,
    ownership            TEXT NOT NULL,
    tekun_home           BOOLEAN NOT NULL,
    regional_centre      BOOLEAN NOT NULL,
    filed_on             DATE NOT NULL,
    receipt              TEXT NOT NULL UNIQUE,
    filed_late           BOOLEAN NOT NULL,
    grade                INTEGER,
    status               TEXT NOT NULL,
    closes_on            DATE,
    resettlement_plan    TEXT NOT NULL,
    filed_by             TEXT NOT NULL,
    filed_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX care_institutions_region ON care_institutions (region);

CREATE TABLE care_residents (
    id             BIGSERIAL PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES care_institutions (id),
    id_number      TEXT COLLATE "C" NOT NULL,
    name           TEXT NOT NULL,
    admitted_on    DATE NOT NULL,
    discharged_on  DATE,
    concentrated   BOOLEAN NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX care_residents_institution ON care_residents (institution_id, admitted_on);
-- A person lives in one institution at a time.
CREATE UNIQUE INDEX care_residents_current ON care_residents (id_number) WHERE discharged_on IS NULL;
