-- Text keys compared by code-prefix ranges are COLLATE "C" (byte order), as in 0001.
-- 部门数据记录: every row of a departmental file, as delivered and as linked to the registry
-- (exactly, or through the fuzzy linkage with its probability), kept as evidence for findings.
CREATE TABLE dept_records (
    id            BIGSERIAL PRIMARY KEY,
    batch         TEXT NOT NULL REFERENCES economic_batches (checksum),
    source        TEXT NOT NULL,
    row_no        BIGINT NOT NULL,
    recorded_id   TEXT NOT NULL,
    recorded_name TEXT NOT NULL,
    id_number     TEXT COLLATE "C",
    link          TEXT NOT NULL,
    probability   BIGINT NOT NULL,
    event_date    DATE,
    fields        TEXT NOT NULL
);
CREATE INDEX dept_records_person ON dept_records (id_number);
CREATE INDEX dept_records_source ON dept_records (source, id);
-- The linkage's review band: few rows among millions.
CREATE INDEX dept_records_review ON dept_records (id) WHERE link = 'review';

-- 在保对象: enrolments (from approved cases or carried over from the bureau's roster) and their members.
CREATE TABLE enrolments (
    id             BIGSERIAL PRIMARY KEY,
    program        TEXT NOT NULL,
    household_no   TEXT COLLATE "C" NOT NULL,
    county         TEXT COLLATE "C" NOT NULL,
    monthly_amount BIGINT NOT NULL,
    start_month    DATE NOT NULL,
    status         TEXT NOT NULL,
    source         TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (program, household_no)
);
CREATE INDEX enrolments_county ON enrolments (county, id);

CREATE TABLE enrolment_members (
    enrolment_id BIGINT NOT NULL REFERENCES enrolments (id),
    id_number    TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (enrolment_id, id_number)
);
CREATE INDEX enrolment_members_person ON enrolment_members (id_number);

-- 比对疑点 and their workflow steps.
CREATE TABLE findings (
    id           BIGSERIAL PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    enrolment_id BIGINT NOT NULL REFERENCES enrolments (id),
    program      TEXT NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    id_number    TEXT COLLATE "C",
    region       TEXT COLLATE "C" NOT NULL,
    confidence   BIGINT NOT NULL,
    summary_zh   TEXT NOT NULL,
    summary_en   TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    found_on     DATE NOT NULL,
    status       TEXT NOT NULL,
    assigned_to  TEXT,
    resolution   TEXT,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX findings_region ON findings (region, id);
CREATE INDEX findings_status ON findings (status, region, id);

CREATE TABLE finding_events (
    id          BIGSERIAL PRIMARY KEY,
    finding_id  BIGINT NOT NULL REFERENCES findings (id),
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    detail      TEXT NOT NULL,
    comment     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events (finding_id, id);

-- 家庭经济状况核对报告: the report of a household check, kept whole (JSON) with its authorisation.
CREATE TABLE household_checks (
    id           BIGSERIAL PRIMARY KEY,
    household_no TEXT COLLATE "C" NOT NULL,
    community    TEXT COLLATE "C" NOT NULL,
    on_date      DATE NOT NULL,
    report       TEXT NOT NULL,
    made_by      TEXT NOT NULL,
    made_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX household_checks_household ON household_checks (household_no, id);
