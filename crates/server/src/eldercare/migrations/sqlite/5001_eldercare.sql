-- 养老服务: ability assessments (GB/T 42195-2022), institutions as filed (备案), their residents.
CREATE TABLE ability_assessments (
    id              INTEGER PRIMARY KEY,
    id_number       TEXT NOT NULL,
    name            TEXT NOT NULL,
    -- The community of the person's household when assessed: region scope and counts.
    community       TEXT NOT NULL,
    assessed_on     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    assessor        TEXT NOT NULL,
    organisation    TEXT NOT NULL,
    -- One digit per item, in the form's order (26).
    scores          TEXT NOT NULL,
    coma            INTEGER NOT NULL,
    dementia        INTEGER NOT NULL,
    mental_disorder INTEGER NOT NULL,
    risk_events     INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    level           TEXT NOT NULL,
    self_care_failed INTEGER NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX ability_assessments_person ON ability_assessments (id_number, assessed_on, id);
CREATE INDEX ability_assessments_community ON ability_assessments (community);

CREATE TABLE care_institutions (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    region               TEXT NOT NULL,
    address              TEXT NOT NULL,
    legal_representative TEXT NOT NULL,
    premises             TEXT NOT NULL,
    beds_total           INTEGER NOT NULL,
    beds_nursing         INTEGER NOT NULL,
    beds_day_care        INTEGER NOT NULL,
    beds_home            INTEGER NOT NULL,
    floor_area           INTEGER NOT NULL,
    contact              TEXT NOT NULL,
    registration         TEXT NOT NULL,
    pledge               INTEGER NOT NULL,
    first_admission      TEXT,
    ownership            TEXT NOT NULL,
    tekun_home           INTEGER NOT NULL,
    regional_centre      INTEGER NOT NULL,
    filed_on             TEXT NOT NULL,
    receipt              TEXT NOT NULL UNIQUE,
    filed_late           INTEGER NOT NULL,
    grade                INTEGER,
    status               TEXT NOT NULL,
    closes_on            TEXT,
    resettlement_plan    TEXT NOT NULL,
    filed_by             TEXT NOT NULL,
    filed_at             TEXT NOT NULL
);
CREATE INDEX care_institutions_region ON care_institutions (region);

CREATE TABLE care_residents (
    id             INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES care_institutions (id),
    id_number      TEXT NOT NULL,
    name           TEXT NOT NULL,
    admitted_on    TEXT NOT NULL,
    discharged_on  TEXT,
    concentrated   INTEGER NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX care_residents_institution ON care_residents (institution_id, admitted_on);
-- A person lives in one institution at a time.
CREATE UNIQUE INDEX care_residents_current ON care_residents (id_number) WHERE discharged_on IS NULL;
