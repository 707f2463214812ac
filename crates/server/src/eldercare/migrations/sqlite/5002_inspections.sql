-- 监督检查: inspections of institutions, at least one a year.
CREATE TABLE care_inspections (
    id             INTEGER PRIMARY KEY,
    institution_id INTEGER NOT NULL REFERENCES care_institutions (id),
    inspected_on   TEXT NOT NULL,
    result         TEXT NOT NULL,
    findings       TEXT NOT NULL,
    inspector      TEXT NOT NULL,
    rectify_by     TEXT,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX care_inspections_institution ON care_inspections (institution_id, inspected_on);
