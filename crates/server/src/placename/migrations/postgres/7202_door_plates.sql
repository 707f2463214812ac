-- 门牌: numbers on standard street (or settlement) names given to the registry's buildings; the
-- standard address of a building's households is the name and the number.
CREATE TABLE door_plates (
    id             BIGSERIAL PRIMARY KEY,
    county         TEXT COLLATE "C" NOT NULL,
    street_id      BIGINT NOT NULL REFERENCES place_names (id),
    number         TEXT NOT NULL,
    community_code TEXT COLLATE "C" NOT NULL,
    building_name  TEXT NOT NULL,
    applied_on     DATE NOT NULL,
    assigned_on    DATE NOT NULL,
    recorded_by    TEXT NOT NULL,
    UNIQUE (street_id, number),
    UNIQUE (community_code, building_name)
);
CREATE INDEX door_plates_county ON door_plates (county, community_code);
