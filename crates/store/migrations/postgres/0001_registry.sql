-- Region tree, registry (households, persons, tags, grids, buildings) and the audit log.
CREATE TABLE regions (
    code        TEXT COLLATE "C" PRIMARY KEY,
    level       TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    parent_code TEXT COLLATE "C"
);
CREATE INDEX regions_parent ON regions (parent_code, code);
CREATE INDEX regions_name ON regions (name);

CREATE TABLE grids (
    community_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    name           TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (community_code, name)
);

CREATE TABLE buildings (
    community_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    name           TEXT COLLATE "C" NOT NULL,
    grid_name      TEXT COLLATE "C",
    PRIMARY KEY (community_code, name)
);

CREATE TABLE households (
    household_no   TEXT COLLATE "C" PRIMARY KEY,
    head_id_number TEXT COLLATE "C",
    address        TEXT COLLATE "C" NOT NULL,
    community_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    grid_name      TEXT COLLATE "C",
    building_name  TEXT COLLATE "C",
    kind           TEXT COLLATE "C" NOT NULL CHECK (kind IN ('urban', 'rural')),
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX households_community ON households (community_code, household_no);

CREATE TABLE persons (
    id_number         TEXT COLLATE "C" PRIMARY KEY,
    name              TEXT COLLATE "C" NOT NULL,
    sex               TEXT COLLATE "C" NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date        DATE NOT NULL,
    hukou_region      TEXT COLLATE "C" NOT NULL,
    household_no      TEXT COLLATE "C" REFERENCES households (household_no),
    community_code    TEXT COLLATE "C",
    relation          TEXT COLLATE "C" NOT NULL,
    status            TEXT COLLATE "C" NOT NULL CHECK (status IN ('alive', 'deceased', 'moved_out')),
    status_date       DATE,
    disability_category TEXT COLLATE "C",
    disability_grade  INTEGER,
    phone             TEXT COLLATE "C",
    tags              TEXT COLLATE "C" NOT NULL DEFAULT '',
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX persons_household ON persons (household_no);
CREATE INDEX persons_community ON persons (community_code, id_number);
CREATE INDEX persons_name ON persons (name, id_number);

CREATE TABLE person_tags (
    id_number TEXT COLLATE "C" NOT NULL REFERENCES persons (id_number),
    tag       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (id_number, tag)
);
CREATE INDEX person_tags_tag ON person_tags (tag, id_number);

CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT COLLATE "C" NOT NULL,
    action     TEXT COLLATE "C" NOT NULL,
    entity     TEXT COLLATE "C" NOT NULL,
    entity_key TEXT COLLATE "C" NOT NULL,
    before     JSONB,
    after      JSONB
);
CREATE INDEX audit_entity ON audit_log (entity, entity_key, id);
