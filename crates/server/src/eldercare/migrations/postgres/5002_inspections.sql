-- 监督检查: inspections of institutions, at least one a year.
CREATE TABLE care_inspections (
    id             BIGSERIAL PRIMARY KEY,
    institution_id BIGINT NOT NULL REFERENCES care_institutions (id),
    inspected_on   DATE NOT NULL,
    result         TEXT NOT NULL,
    findings       TEXT NOT NULL,
    inspector      TEXT NOT NULL,
    rectify_by     DATE,
    recorded_by    TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX care_inspections_institution ON care_inspections (institution_id, inspected_on);
