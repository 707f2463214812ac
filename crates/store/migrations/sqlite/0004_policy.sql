-- 政策参数: effective-dated policy parameters; a change is a new row, never an update.
CREATE TABLE policy_parameters (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    region         TEXT NOT NULL,
    area           TEXT NOT NULL DEFAULT '',
    effective_from TEXT NOT NULL,
    value          INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX policy_parameters_name ON policy_parameters (name, region, effective_from);

-- 家庭经济状况数据: items of departmental data (income, deposits, vehicles, real estate,
-- businesses) with the batch (file) they came from. A file is stored once.
CREATE TABLE economic_batches (
    checksum    TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    items       INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE economic_items (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    id_number TEXT NOT NULL,
    kind      TEXT NOT NULL,
    amount    INTEGER NOT NULL,
    source    TEXT NOT NULL,
    batch     TEXT NOT NULL REFERENCES economic_batches (checksum)
);
CREATE INDEX economic_items_person ON economic_items (id_number);

-- 测算/普查结果: a sweep or what-if run with its summary, and the eligible units of a sweep.
CREATE TABLE policy_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    region      TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    summary     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE policy_run_units (
    run_id   INTEGER NOT NULL REFERENCES policy_runs (id),
    program  TEXT NOT NULL,
    unit_key TEXT NOT NULL,
    county   TEXT NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (run_id, program, unit_key)
) WITHOUT ROWID;
