-- 追回: months paid after an enrolment's end, and how each is recovered.
CREATE TABLE recoveries (
    id           BIGSERIAL PRIMARY KEY,
    enrolment_id BIGINT NOT NULL,
    program      TEXT COLLATE "C" NOT NULL,
    county       TEXT COLLATE "C" NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    payee        TEXT COLLATE "C" NOT NULL,
    payee_name   TEXT NOT NULL,
    months       TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    repaid       BIGINT NOT NULL DEFAULT 0 CHECK (repaid >= 0 AND repaid <= amount),
    status       TEXT NOT NULL CHECK (status IN ('open', 'repaying', 'settled', 'written_off')),
    reason       TEXT NOT NULL,
    opened_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (enrolment_id, payee, months)
);
CREATE INDEX recoveries_county ON recoveries (county, id);
CREATE INDEX recoveries_household ON recoveries (household_no);

CREATE TABLE recovery_events (
    recovery_id BIGINT NOT NULL REFERENCES recoveries (id),
    action      TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    on_date     DATE NOT NULL,
    comment     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX recovery_events_recovery ON recovery_events (recovery_id);
