-- 资金发放: payment accounts ("一卡通"), monthly payment lists (发放花名册) with their lines, and
-- the bank's results. A payroll that is no longer 'prepared' keeps its lines as they are: the
-- triggers refuse any change to them, and any change to a locked payroll, whatever the path.
CREATE TABLE payment_accounts (
    holder       TEXT COLLATE "C" PRIMARY KEY,
    holder_name  TEXT NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    bank         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    account_no   TEXT COLLATE "C" NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_accounts_no ON payment_accounts (account_no);

CREATE TABLE payrolls (
    id          BIGSERIAL PRIMARY KEY,
    program     TEXT COLLATE "C" NOT NULL,
    county      TEXT COLLATE "C" NOT NULL,
    month       DATE NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('prepared', 'approved', 'locked')),
    prepared_by TEXT NOT NULL,
    prepared_at TIMESTAMPTZ NOT NULL,
    approved_by TEXT,
    locked_at   TIMESTAMPTZ,
    lines       BIGINT NOT NULL,
    total       BIGINT NOT NULL,
    UNIQUE (program, county, month)
);

CREATE TABLE payroll_lines (
    payroll_id   BIGINT NOT NULL REFERENCES payrolls (id),
    line_no      BIGINT NOT NULL,
    enrolment_id BIGINT NOT NULL,
    household_no TEXT COLLATE "C" NOT NULL,
    payee        TEXT COLLATE "C" NOT NULL,
    payee_name   TEXT NOT NULL,
    bank         TEXT NOT NULL,
    account_no   TEXT COLLATE "C" NOT NULL,
    months       TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    arrears      BIGINT NOT NULL,
    deduction    BIGINT NOT NULL,
    net          BIGINT NOT NULL,
    note         TEXT NOT NULL,
    held         TEXT,
    reissue_of_payroll BIGINT,
    reissue_of_line    BIGINT,
    PRIMARY KEY (payroll_id, line_no)
);
CREATE INDEX payroll_lines_enrolment ON payroll_lines (enrolment_id);
CREATE INDEX payroll_lines_payee ON payroll_lines (payee);
CREATE INDEX payroll_lines_household ON payroll_lines (household_no);

CREATE TABLE payment_results (
    payroll_id  BIGINT NOT NULL,
    line_no     BIGINT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('paid', 'failed')),
    reason      TEXT NOT NULL,
    return_file TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (payroll_id, line_no),
    FOREIGN KEY (payroll_id, line_no) REFERENCES payroll_lines (payroll_id, line_no)
);

-- Checked once a statement over the rows it touched (transition tables), not once a row: a list
-- of a million lines is written in a thousand statements. Lines are written while the writer
-- holds the payroll's row lock (`save_payroll`), and 'locked' is final, so no status can change
-- between the check and the commit.
CREATE FUNCTION payroll_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN payrolls p ON p.id = n.payroll_id WHERE p.status IS DISTINCT FROM 'prepared') THEN
            RAISE EXCEPTION 'payroll_frozen: the payroll is approved or locked; its lines do not change';
        END IF;
    ELSE
        IF EXISTS (SELECT 1 FROM old_rows o LEFT JOIN payrolls p ON p.id = o.payroll_id WHERE p.status IS DISTINCT FROM 'prepared') THEN
            RAISE EXCEPTION 'payroll_frozen: the payroll is approved or locked; its lines do not change';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payroll_lines_frozen_insert AFTER INSERT ON payroll_lines
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_lines_frozen();
CREATE TRIGGER payroll_lines_frozen_update AFTER UPDATE ON payroll_lines
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_lines_frozen();
CREATE TRIGGER payroll_lines_frozen_delete AFTER DELETE ON payroll_lines
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_lines_frozen();

CREATE FUNCTION payrolls_locked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'locked' THEN
        RAISE EXCEPTION 'payroll_locked: a locked payroll does not change';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER payrolls_locked BEFORE UPDATE OR DELETE ON payrolls
FOR EACH ROW EXECUTE FUNCTION payrolls_locked();

-- Results are recorded once, for lines of a locked payroll ('locked' is final): checked once a
-- statement; updates and deletes are refused outright.
CREATE FUNCTION payment_results_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'payment_result_kept: a bank result is recorded once';
END $$;
CREATE TRIGGER payment_results_kept BEFORE UPDATE OR DELETE ON payment_results
FOR EACH STATEMENT EXECUTE FUNCTION payment_results_kept();

CREATE FUNCTION payment_results_locked_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN payrolls p ON p.id = n.payroll_id WHERE p.status IS DISTINCT FROM 'locked') THEN
        RAISE EXCEPTION 'payroll_not_locked: results are for payrolls sent to the bank';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payment_results_locked_only AFTER INSERT ON payment_results
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payment_results_locked_only();
