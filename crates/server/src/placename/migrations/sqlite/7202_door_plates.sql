-- 门牌: numbers on standard street (or settlement) names given to the registry's buildings; the
-- standard address of a building's households is the name and the number.
CREATE TABLE door_plates (
    id             INTEGER PRIMARY KEY,
    county         TEXT NOT NULL,
    street_id      INTEGER NOT NULL REFERENCES place_names (id),
    number         TEXT NOT NULL,
    community_code TEXT NOT NULL,
    building_name  TEXT NOT NULL,
    applied_on     TEXT NOT NULL,
    assigned_on    TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    UNIQUE (street_id, number),
    UNIQUE (community_code, building_name)
);
CREATE INDEX door_plates_county ON door_plates (county, community_code);
