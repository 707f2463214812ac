-- 民政统计月报: a county's closed months (关账) with their figures as closed, and the corrections
-- noted since. Triggers refuse any change to a closed month or to a correction, whatever the path:
-- a closed month's figures are what was reported.
CREATE TABLE stat_months (
    county     TEXT COLLATE "C" NOT NULL,
    month      DATE NOT NULL,
    -- {line code: value}, fen for money.
    figures    TEXT NOT NULL,
    closed_by  TEXT NOT NULL,
    closed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (county, month)
);
CREATE TABLE stat_corrections (
    id           BIGSERIAL PRIMARY KEY,
    county       TEXT COLLATE "C" NOT NULL,
    month        DATE NOT NULL,
    line         TEXT NOT NULL,
    value        BIGINT NOT NULL CHECK (value >= 0),
    reason       TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (county, month) REFERENCES stat_months (county, month)
);
CREATE INDEX stat_corrections_month ON stat_corrections (county, month, id);
CREATE FUNCTION stat_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stat_month_closed: a closed statistics month and its corrections do not change';
END
$$;
CREATE TRIGGER stat_months_frozen BEFORE UPDATE OR DELETE ON stat_months
FOR EACH ROW EXECUTE FUNCTION stat_frozen();
CREATE TRIGGER stat_corrections_kept BEFORE UPDATE OR DELETE ON stat_corrections
FOR EACH ROW EXECUTE FUNCTION stat_frozen();
CREATE TRIGGER stat_months_not_emptied BEFORE TRUNCATE ON stat_months
FOR EACH STATEMENT EXECUTE FUNCTION stat_frozen();
CREATE TRIGGER stat_corrections_not_emptied BEFORE TRUNCATE ON stat_corrections
FOR EACH STATEMENT EXECUTE FUNCTION stat_frozen();
-- 临时救助 decided in a month, found by the decision's day in the stored case.
CREATE INDEX cases_temporary_decided ON cases (owner, ((body::jsonb #>> '{file,decision,on}'))) WHERE program = 'linshi' AND status = 'approved';
