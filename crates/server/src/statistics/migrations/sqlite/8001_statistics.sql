-- 民政统计月报: a county's closed months (关账) with their figures as closed, and the corrections
-- noted since. Triggers refuse any change to a closed month or to a correction, whatever the path:
-- a closed month's figures are what was reported.
CREATE TABLE stat_months (
    county     TEXT NOT NULL,
    month      TEXT NOT NULL,
    -- {line code: value}, fen for money.
    figures    TEXT NOT NULL,
    closed_by  TEXT NOT NULL,
    closed_at  TEXT NOT NULL,
    PRIMARY KEY (county, month)
);
CREATE TABLE stat_corrections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    county       TEXT NOT NULL,
    month        TEXT NOT NULL,
    line         TEXT NOT NULL,
    value        INTEGER NOT NULL CHECK (value >= 0),
    reason       TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at TEXT NOT NULL,
    FOREIGN KEY (county, month) REFERENCES stat_months (county, month)
);
CREATE INDEX stat_corrections_month ON stat_corrections (county, month, id);
CREATE TRIGGER stat_months_frozen_update BEFORE UPDATE ON stat_months
BEGIN SELECT RAISE(ABORT, 'stat_month_closed: a closed statistics month does not change'); END;
CREATE TRIGGER stat_months_frozen_delete BEFORE DELETE ON stat_months
BEGIN SELECT RAISE(ABORT, 'stat_month_closed: a closed statistics month does not change'); END;
CREATE TRIGGER stat_corrections_kept_update BEFORE UPDATE ON stat_corrections
BEGIN SELECT RAISE(ABORT, 'stat_correction_kept: a correction, once noted, stays'); END;
CREATE TRIGGER stat_corrections_kept_delete BEFORE DELETE ON stat_corrections
BEGIN SELECT RAISE(ABORT, 'stat_correction_kept: a correction, once noted, stays'); END;
-- 临时救助 decided in a month, found by the decision's day in the stored case.
CREATE INDEX cases_temporary_decided ON cases (owner, json_extract(body, '$.file.decision.on')) WHERE program = 'linshi' AND status = 'approved';
