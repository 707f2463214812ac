-- A member's own end month (their part of a program granted to persons stopped: a death, a
-- move, a decision) while the enrolment goes on for the others.
ALTER TABLE enrolment_members ADD COLUMN end_month TEXT;
