-- 政府购买居家养老服务: providers, service orders, service records with their verification,
-- monthly settlements with the providers.
CREATE TABLE care_providers (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    county       TEXT COLLATE "C" NOT NULL,
    registration TEXT NOT NULL,
    contact      TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX care_providers_county ON care_providers (county);

CREATE TABLE homecare_orders (
    id              BIGSERIAL PRIMARY KEY,
    id_number       TEXT COLLATE "C" NOT NULL,
    name            TEXT NOT NULL,
    community       TEXT COLLATE "C" NOT NULL,
    provider_id     BIGINT NOT NULL REFERENCES care_providers (id),
    group_code      TEXT NOT NULL,
    monthly_minutes INTEGER NOT NULL,
    start_on        DATE NOT NULL,
    end_on          DATE,
    recorded_by     TEXT NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL
);
-- One open order per elder.
CREATE UNIQUE INDEX homecare_orders_open ON homecare_orders (id_number) WHERE end_on IS NULL;
CREATE INDEX homecare_orders_provider ON homecare_orders (provider_id);

CREATE TABLE homecare_visits (
    id           BIGSERIAL PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES homecare_orders (id),
    provider_id  BIGINT NOT NULL,
    -- The first of the month served: the settlement reads a month through this.
    month        DATE NOT NULL,
    served_on    DATE NOT NULL,
    service      TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    worker       TEXT NOT NULL,
    sampled      BOOLEAN NOT NULL,
    verification TEXT,
    verified_by  TEXT,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX homecare_visits_month ON homecare_visits (month, order_id);
CREATE INDEX homecare_visits_order ON homecare_visits (order_id, served_on);

CREATE TABLE homecare_settlements (
    id               BIGSERIAL PRIMARY KEY,
    provider_id      BIGINT NOT NULL REFERENCES care_providers (id),
    month            DATE NOT NULL,
    orders           BIGINT NOT NULL,
    visits           BIGINT NOT NULL,
    minutes_served   BIGINT NOT NULL,
    minutes_rejected BIGINT NOT NULL,
    minutes_paid     BIGINT NOT NULL,
    amount_fen       BIGINT NOT NULL,
    hour_fen         BIGINT NOT NULL,
    settled_by       TEXT NOT NULL,
    settled_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (provider_id, month)
);
