-- 重点工作推进表: the year's key tasks and one progress report per task and month.
CREATE TABLE key_tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    number      INTEGER NOT NULL,
    title       TEXT NOT NULL,
    work        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    responsible TEXT NOT NULL,
    region      TEXT NOT NULL,
    deadline    TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (region, number, work)
);
CREATE INDEX key_tasks_region ON key_tasks (region, number);

CREATE TABLE key_task_progress (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     INTEGER NOT NULL REFERENCES key_tasks (id),
    month       TEXT NOT NULL,
    progress    TEXT NOT NULL,
    judgement   TEXT NOT NULL,
    problems    TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (task_id, month)
);
