-- Region tree, registry (households, persons, tags, grids, buildings) and the audit log.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    level       TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_code TEXT
) WITHOUT ROWID;
CREATE INDEX regions_parent ON regions (parent_code, code);
CREATE INDEX regions_name ON regions (name);

CREATE TABLE grids (
    community_code TEXT NOT NULL REFERENCES regions (code),
    name           TEXT NOT NULL,
    PRIMARY KEY (community_code, name)
) WITHOUT ROWID;

CREATE TABLE buildings (
    community_code TEXT NOT NULL REFERENCES regions (code),
    name           TEXT NOT NULL,
    grid_name      TEXT,
    PRIMARY KEY (community_code, name)
) WITHOUT ROWID;

CREATE TABLE households (
    household_no   TEXT PRIMARY KEY,
    head_id_number TEXT,
    address        TEXT NOT NULL,
    community_code TEXT NOT NULL REFERENCES regions (code),
    grid_name      TEXT,
    building_name  TEXT,
    kind           TEXT NOT NULL CHECK (kind IN ('urban', 'rural')),
    updated_at     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX households_community ON households (community_code, household_no);

CREATE TABLE persons (
    id_number         TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    sex               TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date        TEXT NOT NULL,
    hukou_region      TEXT NOT NULL,
    household_no      TEXT REFERENCES households (household_no),
    community_code    TEXT,
    relation          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('alive', 'deceased', 'moved_out')),
    status_date       TEXT,
    disability_category TEXT,
    disability_grade  INTEGER,
    phone             TEXT,
    tags              TEXT NOT NULL DEFAULT '',
    updated_at        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX persons_household ON persons (household_no);
CREATE INDEX persons_community ON persons (community_code, id_number);
CREATE INDEX persons_name ON persons (name, id_number);

CREATE TABLE person_tags (
    id_number TEXT NOT NULL REFERENCES persons (id_number),
    tag       TEXT NOT NULL,
    PRIMARY KEY (id_number, tag)
) WITHOUT ROWID;
CREATE INDEX person_tags_tag ON person_tags (tag, id_number);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_entity ON audit_log (entity, entity_key, id);
