-- 资金发放: payment accounts ("一卡通"), monthly payment lists (发放花名册) with their lines, and
-- the bank's results. A payroll that is no longer 'prepared' keeps its lines as they are: the
-- triggers refuse any change to them, and any change to a locked payroll, whatever the path.
CREATE TABLE payment_accounts (
    holder       TEXT PRIMARY KEY,
    holder_name  TEXT NOT NULL,
    household_no TEXT NOT NULL,
    bank         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    account_no   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX payment_accounts_no ON payment_accounts (account_no);

CREATE TABLE payrolls (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    program     TEXT NOT NULL,
    county      TEXT NOT NULL,
    month       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('prepared', 'approved', 'locked')),
    prepared_by TEXT NOT NULL,
    prepared_at TEXT NOT NULL,
    approved_by TEXT,
    locked_at   TEXT,
    lines       INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    UNIQUE (program, county, month)
);

CREATE TABLE payroll_lines (
    payroll_id   INTEGER NOT NULL REFERENCES payrolls (id),
    line_no      INTEGER NOT NULL,
    enrolment_id INTEGER NOT NULL,
    household_no TEXT NOT NULL,
    payee        TEXT NOT NULL,
    payee_name   TEXT NOT NULL,
    bank         TEXT NOT NULL,
    account_no   TEXT NOT NULL,
    months       TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    arrears      INTEGER NOT NULL,
    deduction    INTEGER NOT NULL,
    net          INTEGER NOT NULL,
    note         TEXT NOT NULL,
    held         TEXT,
    reissue_of_payroll INTEGER,
    reissue_of_line    INTEGER,
    PRIMARY KEY (payroll_id, line_no)
);
CREATE INDEX payroll_lines_enrolment ON payroll_lines (enrolment_id);
CREATE INDEX payroll_lines_payee ON payroll_lines (payee);
CREATE INDEX payroll_lines_household ON payroll_lines (household_no);

-- 发放结果: what the bank's return file said of each line sent.
CREATE TABLE payment_results (
    payroll_id  INTEGER NOT NULL,
    line_no     INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('paid', 'failed')),
    reason      TEXT NOT NULL,
    return_file TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (payroll_id, line_no),
    FOREIGN KEY (payroll_id, line_no) REFERENCES payroll_lines (payroll_id, line_no)
);

CREATE TRIGGER payroll_lines_frozen_insert BEFORE INSERT ON payroll_lines
WHEN COALESCE((SELECT status FROM payrolls WHERE id = NEW.payroll_id), '') <> 'prepared'
BEGIN SELECT RAISE(ABORT, 'payroll_frozen: the payroll is approved or locked; its lines do not change'); END;
CREATE TRIGGER payroll_lines_frozen_update BEFORE UPDATE ON payroll_lines
WHEN COALESCE((SELECT status FROM payrolls WHERE id = OLD.payroll_id), '') <> 'prepared'
BEGIN SELECT RAISE(ABORT, 'payroll_frozen: the payroll is approved or locked; its lines do not change'); END;
CREATE TRIGGER payroll_lines_frozen_delete BEFORE DELETE ON payroll_lines
WHEN COALESCE((SELECT status FROM payrolls WHERE id = OLD.payroll_id), '') <> 'prepared'
BEGIN SELECT RAISE(ABORT, 'payroll_frozen: the payroll is approved or locked; its lines do not change'); END;
CREATE TRIGGER payrolls_locked_update BEFORE UPDATE ON payrolls
WHEN OLD.status = 'locked'
BEGIN SELECT RAISE(ABORT, 'payroll_locked: a locked payroll does not change'); END;
CREATE TRIGGER payrolls_locked_delete BEFORE DELETE ON payrolls
WHEN OLD.status = 'locked'
BEGIN SELECT RAISE(ABORT, 'payroll_locked: a locked payroll does not change'); END;
-- Results are recorded once, for lines of a locked payroll.
CREATE TRIGGER payment_results_locked_only BEFORE INSERT ON payment_results
WHEN COALESCE((SELECT status FROM payrolls WHERE id = NEW.payroll_id), '') <> 'locked'
BEGIN SELECT RAISE(ABORT, 'payroll_not_locked: results are for payrolls sent to the bank'); END;
CREATE TRIGGER payment_results_kept BEFORE UPDATE ON payment_results
BEGIN SELECT RAISE(ABORT, 'payment_result_kept: a bank result is recorded once'); END;
CREATE TRIGGER payment_results_kept_delete BEFORE DELETE ON payment_results
BEGIN SELECT RAISE(ABORT, 'payment_result_kept: a bank result is recorded once'); END;
