-- 地名: standard names of the counties from their application through expert review, public
-- consultation and approval to their filing and announcement; former names kept (renamed).
CREATE TABLE place_names (
    id             BIGSERIAL PRIMARY KEY,
    -- The county whose register it is: region scope and the no-repeat rule.
    county         TEXT COLLATE "C" NOT NULL,
    category       TEXT NOT NULL,
    specific       TEXT NOT NULL,
    generic        TEXT NOT NULL,
    name           TEXT COLLATE "C" NOT NULL,
    location       TEXT NOT NULL,
    reason         TEXT NOT NULL,
    -- The standard name this one renames.
    renames_id     BIGINT REFERENCES place_names (id),
    -- applied | reviewed | consulted | approved | refused | renamed
    status         TEXT NOT NULL,
    applied_on     DATE NOT NULL,
    review         TEXT NOT NULL DEFAULT '',
    reviewed_on    DATE,
    consult_from   DATE,
    consult_to     DATE,
    consult_note   TEXT NOT NULL DEFAULT '',
    decided_on     DATE,
    approver       TEXT NOT NULL DEFAULT '',
    approval_no    TEXT NOT NULL DEFAULT '',
    refused_reason TEXT NOT NULL DEFAULT '',
    filed_on       DATE,
    announced_on   DATE,
    recorded_by    TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX place_names_county ON place_names (county, name);
CREATE INDEX place_names_open ON place_names (county, decided_on) WHERE status = 'approved' AND (filed_on IS NULL OR announced_on IS NULL);
