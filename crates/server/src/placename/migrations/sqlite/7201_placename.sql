-- 地名: standard names of the counties from their application through expert review, public
-- consultation and approval to their filing and announcement; former names kept (renamed).
CREATE TABLE place_names (
    id             INTEGER PRIMARY KEY,
    -- The county whose register it is: region scope and the no-repeat rule.
    county         TEXT NOT NULL,
    category       TEXT NOT NULL,
    specific       TEXT NOT NULL,
    generic        TEXT NOT NULL,
    name           TEXT NOT NULL,
    location       TEXT NOT NULL,
    reason         TEXT NOT NULL,
    -- The standard name this one renames.
    renames_id     INTEGER REFERENCES place_names (id),
    -- applied | reviewed | consulted | approved | refused | renamed
    status         TEXT NOT NULL,
    applied_on     TEXT NOT NULL,
    review         TEXT NOT NULL DEFAULT '',
    reviewed_on    TEXT,
    consult_from   TEXT,
    consult_to     TEXT,
    consult_note   TEXT NOT NULL DEFAULT '',
    decided_on     TEXT,
    approver       TEXT NOT NULL DEFAULT '',
    approval_no    TEXT NOT NULL DEFAULT '',
    refused_reason TEXT NOT NULL DEFAULT '',
    filed_on       TEXT,
    announced_on   TEXT,
    recorded_by    TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX place_names_county ON place_names (county, name);
CREATE INDEX place_names_open ON place_names (county, decided_on) WHERE status = 'approved' AND (filed_on IS NULL OR announced_on IS NULL);
