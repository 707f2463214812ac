-- The first month an enrolment is no longer paid (停发月份), set by a stop or a gradual exit,
-- and each member's own amount for programs granted to persons (paid to the member's card).
ALTER TABLE enrolments ADD COLUMN end_month DATE;
ALTER TABLE enrolment_members ADD COLUMN amount BIGINT;
