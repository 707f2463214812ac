-- 政府购买居家养老服务: providers, service orders, service records with their verification,
-- monthly settlements with the providers.
CREATE TABLE care_providers (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    county       TEXT NOT NULL,
    registration TEXT NOT NULL,
    contact      TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX care_providers_county ON care_providers (county);

CREATE TABLE homecare_orders (
    id              INTEGER PRIMARY KEY,
    id_number       TEXT NOT NULL,
    name            TEXT NOT NULL,
    community       TEXT NOT NULL,
    provider_id     INTEGER NOT NULL REFERENCES care_providers (id),
    group_code      TEXT NOT NULL,
    monthly_minutes INTEGER NOT NULL,
    start_on        TEXT NOT NULL,
    end_on          TEXT,
    recorded_by     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
-- One open order per elder.
CREATE UNIQUE INDEX homecare_orders_open ON homecare_orders (id_number) WHERE end_on IS NULL;
CREATE INDEX homecare_orders_provider ON homecare_orders (provider_id);

CREATE TABLE homecare_visits (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES homecare_orders (id),
    provider_id  INTEGER NOT NULL,
    -- The first of the month served: the settlement reads a month through this.
    month        TEXT NOT NULL,
    served_on    TEXT NOT NULL,
    service      TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    worker       TEXT NOT NULL,
    sampled      INTEGER NOT NULL,
    verification TEXT,
    verified_by  TEXT,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX homecare_visits_month ON homecare_visits (month, order_id);
CREATE INDEX homecare_visits_order ON homecare_visits (order_id, served_on);

CREATE TABLE homecare_settlements (
    id               INTEGER PRIMARY KEY,
    provider_id      INTEGER NOT NULL REFERENCES care_providers (id),
    month            TEXT NOT NULL,
    orders           INTEGER NOT NULL,
    visits           INTEGER NOT NULL,
    minutes_served   INTEGER NOT NULL,
    minutes_rejected INTEGER NOT NULL,
    minutes_paid     INTEGER NOT NULL,
    amount_fen       INTEGER NOT NULL,
    hour_fen         INTEGER NOT NULL,
    settled_by       TEXT NOT NULL,
    settled_at       TEXT NOT NULL,
    UNIQUE (provider_id, month)
);
