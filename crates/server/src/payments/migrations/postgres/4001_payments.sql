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

CREATE FUNCTION payroll_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s TEXT;
BEGIN
    SELECT status INTO s FROM payrolls WHERE id = COALESCE(NEW.payroll_id, OLD.payroll_id) FOR SHARE;
    IF s IS DISTINCT FROM 'prepared' THEN
        RAISE EXCEPTION 'payroll_frozen: the payroll is approved or locked; its lines do not change';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER payroll_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON payroll_lines
FOR EACH ROW EXECUTE FUNCTION payroll_lines_frozen();

CREATE FUNCTION payrolls_locked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'locked' THEN
        RAISE EXCEPTION 'payroll_locked: a locked payroll does not change';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER payrolls_locked BEFORE UPDATE OR DELETE ON payrolls
FOR EACH ROW EXECUTE FUNCTION payrolls_locked();

CREATE FUNCTION payment_results_rule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s TEXT;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'payment_result_kept: a bank result is recorded once';
    END IF;
    SELECT status INTO s FROM payrolls WHERE id = NEW.payroll_id FOR SHARE;
    IF s IS DISTINCT FROM 'locked' THEN
        RAISE EXCEPTION 'payroll_not_locked: results are for payrolls sent to the bank';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER payment_results_rule BEFORE INSERT OR UPDATE OR DELETE ON payment_results
FOR EACH ROW EXECUTE FUNCTION payment_results_rule();
