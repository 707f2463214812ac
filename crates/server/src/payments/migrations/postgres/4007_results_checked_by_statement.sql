-- A bank return of a million lines: the results' link to their lines is checked once a
-- statement over the rows it added (with the locked list), instead of a foreign-key trigger
-- taking a share lock on each line. The lines of a locked list can never change or go (their
-- trigger), so what is checked on insert stays true.
ALTER TABLE payment_results DROP CONSTRAINT IF EXISTS payment_results_payroll_id_line_no_fkey;

CREATE OR REPLACE FUNCTION payment_results_locked_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN payrolls p ON p.id = n.payroll_id WHERE p.status IS DISTINCT FROM 'locked') THEN
        RAISE EXCEPTION 'payroll_not_locked: results are for payrolls sent to the bank';
    END IF;
    IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN payroll_lines l ON l.payroll_id = n.payroll_id AND l.line_no = n.line_no
               WHERE l.line_no IS NULL) THEN
        RAISE EXCEPTION 'payment_result_without_line: a result is for a line of the list';
    END IF;
    RETURN NULL;
END $$;
