-- 工作人员近亲属备案: staff's close relatives who receive or apply for assistance, filed by the
-- county so that every payment to them is checked (and the household always visited).
CREATE TABLE staff_relatives (
    id            BIGSERIAL PRIMARY KEY,
    county        TEXT COLLATE "C" NOT NULL,
    staff_name    TEXT NOT NULL,
    staff_unit    TEXT NOT NULL,
    relative      TEXT COLLATE "C" NOT NULL,
    relative_name TEXT NOT NULL,
    relation      TEXT NOT NULL,
    filed_on      DATE NOT NULL,
    filed_by      TEXT NOT NULL,
    removed_on    DATE
);
-- Filed once while in force; a withdrawn filing is kept and the relative may be filed again.
CREATE UNIQUE INDEX staff_relatives_in_force ON staff_relatives (county, staff_name, relative) WHERE removed_on IS NULL;
CREATE INDEX staff_relatives_relative ON staff_relatives (relative);
CREATE INDEX staff_relatives_county ON staff_relatives (county, id);
