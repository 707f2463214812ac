-- 追回: months paid after an enrolment's end, and how each is recovered.
CREATE TABLE recoveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    enrolment_id INTEGER NOT NULL,
    program      TEXT NOT NULL,
    county       TEXT NOT NULL,
    household_no TEXT NOT NULL,
    payee        TEXT NOT NULL,
    payee_name   TEXT NOT NULL,
    months       TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    repaid       INTEGER NOT NULL DEFAULT 0 CHECK (repaid >= 0 AND repaid <= amount),
    status       TEXT NOT NULL CHECK (status IN ('open', 'repaying', 'settled', 'written_off')),
    reason       TEXT NOT NULL,
    opened_at    TEXT NOT NULL,
    UNIQUE (enrolment_id, payee, months)
);
CREATE INDEX recoveries_county ON recoveries (county, id);
CREATE INDEX recoveries_household ON recoveries (household_no);

CREATE TABLE recovery_events (
    recovery_id INTEGER NOT NULL REFERENCES recoveries (id),
    action      TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    on_date     TEXT NOT NULL,
    comment     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX recovery_events_recovery ON recovery_events (recovery_id);
