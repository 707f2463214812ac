-- 重点工作推进表: the year's key tasks and one progress report per task and month.
CREATE TABLE key_tasks (
    id          BIGSERIAL PRIMARY KEY,
    number      BIGINT NOT NULL,
    title       TEXT NOT NULL,
    work        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    responsible TEXT NOT NULL,
    region      TEXT COLLATE "C" NOT NULL,
    deadline    DATE,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (region, number, work)
);
CREATE INDEX key_tasks_region ON key_tasks (region, number);

CREATE TABLE key_task_progress (
    id          BIGSERIAL PRIMARY KEY,
    task_id     BIGINT NOT NULL REFERENCES key_tasks (id),
    month       DATE NOT NULL,
    progress    TEXT NOT NULL,
    judgement   TEXT NOT NULL,
    problems    TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (task_id, month)
);
