-- 预约: the office's bookings by day and half-day, for a marriage, a divorce application or the
-- divorce certificate (within its window).
CREATE TABLE marriage_appointments (
    id          BIGSERIAL PRIMARY KEY,
    office      TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    divorce_id  BIGINT REFERENCES divorce_applications (id),
    first_id    TEXT NOT NULL,
    first_name  TEXT NOT NULL,
    second_id   TEXT NOT NULL,
    second_name TEXT NOT NULL,
    phone       TEXT NOT NULL,
    day         DATE NOT NULL,
    -- am | pm
    slot        TEXT NOT NULL,
    -- booked | kept | cancelled
    status      TEXT NOT NULL,
    booked_by   TEXT NOT NULL,
    booked_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX marriage_appointments_day ON marriage_appointments (office, day, slot);
