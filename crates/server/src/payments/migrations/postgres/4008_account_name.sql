-- The name on the account when it is not the payee's (an institution's account for a person in
-- concentrated support): the bank file's name; the payee stays the person.
ALTER TABLE payroll_lines ADD COLUMN account_name TEXT NOT NULL DEFAULT '';
