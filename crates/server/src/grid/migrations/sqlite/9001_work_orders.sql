-- 基层治理: grid events, 12345 hotline orders and petitions (工单), and the steps each took.
-- `owner` is the community that answers for the order now: where it happened until it is
-- dispatched, then the community it was dispatched to; the queues read it, by the level of the
-- region asked for: the community, its street, county or city (each a prefix of `owner`).
CREATE TABLE work_orders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    category      TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    contact       TEXT NOT NULL,
    phone         TEXT NOT NULL,
    community     TEXT NOT NULL REFERENCES regions (code),
    grid          TEXT NOT NULL,
    place         TEXT NOT NULL,
    source_no     TEXT NOT NULL,
    status        TEXT NOT NULL,
    owner         TEXT NOT NULL,
    street        TEXT NOT NULL,
    county        TEXT NOT NULL,
    city          TEXT NOT NULL,
    received_on   TEXT NOT NULL,
    accepted_on   TEXT,
    dispatched_on TEXT,
    assigned_to   TEXT NOT NULL,
    due           TEXT,
    signed_on     TEXT,
    replied_on    TEXT,
    reply         TEXT NOT NULL,
    closed_on     TEXT,
    satisfaction  TEXT,
    rework        INTEGER NOT NULL,
    extended      INTEGER NOT NULL,
    escalated     INTEGER NOT NULL,
    reported_by   TEXT NOT NULL
);
CREATE INDEX work_orders_open_owner ON work_orders (owner, due, id) WHERE status NOT IN ('closed', 'referred');
CREATE INDEX work_orders_open_street ON work_orders (street, due, id) WHERE status NOT IN ('closed', 'referred');
CREATE INDEX work_orders_open_county ON work_orders (county, due, id) WHERE status NOT IN ('closed', 'referred');
CREATE INDEX work_orders_open_city ON work_orders (city, due, id) WHERE status NOT IN ('closed', 'referred');
CREATE INDEX work_orders_closed_owner ON work_orders (owner, closed_on, id) WHERE status IN ('closed', 'referred');
CREATE INDEX work_orders_closed_street ON work_orders (street, closed_on, id) WHERE status IN ('closed', 'referred');
CREATE INDEX work_orders_closed_county ON work_orders (county, closed_on, id) WHERE status IN ('closed', 'referred');
CREATE INDEX work_orders_closed_city ON work_orders (city, closed_on, id) WHERE status IN ('closed', 'referred');
CREATE INDEX work_orders_dispatched_owner ON work_orders (owner, dispatched_on);
CREATE INDEX work_orders_dispatched_county ON work_orders (county, dispatched_on);
CREATE INDEX work_orders_dispatched ON work_orders (dispatched_on);
CREATE TABLE work_order_steps (
    order_id INTEGER NOT NULL REFERENCES work_orders (id),
    seq      INTEGER NOT NULL,
    step     TEXT NOT NULL,
    note     TEXT NOT NULL,
    by_name  TEXT NOT NULL,
    by_role  TEXT NOT NULL,
    on_day   TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (order_id, seq)
);
