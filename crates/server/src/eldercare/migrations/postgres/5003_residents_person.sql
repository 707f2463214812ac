-- Residences by person (any, ended or not): the indicators ask whether a person lived in an
-- institution on a day, which the partial index of current residences cannot answer.
CREATE INDEX care_residents_person ON care_residents (id_number, admitted_on);
