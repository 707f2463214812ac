-- 婚姻登记: marriages registered (结婚证), divorce by agreement from receipt through the
-- cooling-off period to the certificate (离婚证) or its withdrawal or lapse, and refusals.
CREATE TABLE marriages (
    id               BIGSERIAL PRIMARY KEY,
    -- The registering county (婚姻登记机关): region scope and the county's figures.
    office           TEXT COLLATE "C" NOT NULL,
    first_id         TEXT COLLATE "C" NOT NULL,
    first_name       TEXT NOT NULL,
    first_declared   TEXT NOT NULL,
    second_id        TEXT COLLATE "C" NOT NULL,
    second_name      TEXT NOT NULL,
    second_declared  TEXT NOT NULL,
    registered_on    DATE NOT NULL,
    certificate_no   TEXT COLLATE "C" NOT NULL UNIQUE,
    household_change TEXT NOT NULL,
    kinship_note     TEXT NOT NULL,
    -- Dissolved by a divorce registered here (its certificate number) and the day.
    dissolved_on     DATE,
    dissolved_by     TEXT,
    recorded_by      TEXT NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX marriages_first ON marriages (first_id);
CREATE INDEX marriages_second ON marriages (second_id);
CREATE INDEX marriages_office ON marriages (office, registered_on);

CREATE TABLE divorce_applications (
    id                      BIGSERIAL PRIMARY KEY,
    office                  TEXT COLLATE "C" NOT NULL,
    first_id                TEXT COLLATE "C" NOT NULL,
    first_name              TEXT NOT NULL,
    second_id               TEXT COLLATE "C" NOT NULL,
    second_name             TEXT NOT NULL,
    marriage_certificate_no TEXT COLLATE "C" NOT NULL,
    -- The marriage when it was registered here.
    marriage_id             BIGINT REFERENCES marriages (id),
    received_on             DATE NOT NULL,
    cooling_ends            DATE NOT NULL,
    window_ends             DATE NOT NULL,
    -- received | withdrawn | lapsed | certified
    status                  TEXT NOT NULL,
    withdrawn_by            TEXT NOT NULL DEFAULT '',
    closed_on               DATE,
    certificate_no          TEXT COLLATE "C" UNIQUE,
    recorded_by             TEXT NOT NULL,
    recorded_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX divorce_first ON divorce_applications (first_id);
CREATE INDEX divorce_second ON divorce_applications (second_id);
CREATE INDEX divorce_office ON divorce_applications (office, received_on);
CREATE INDEX divorce_open ON divorce_applications (window_ends) WHERE status = 'received';

-- 不予登记: what was refused and why, so the county's figures and a later application see it.
CREATE TABLE marriage_refusals (
    id          BIGSERIAL PRIMARY KEY,
    office      TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    first_id    TEXT COLLATE "C" NOT NULL,
    first_name  TEXT NOT NULL,
    second_id   TEXT COLLATE "C" NOT NULL,
    second_name TEXT NOT NULL,
    reason_zh   TEXT NOT NULL,
    reason_en   TEXT NOT NULL,
    refused_on  DATE NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX marriage_refusals_office ON marriage_refusals (office, refused_on);
