-- Each person's newest assessment (by its date, then its number) marked in its row, so that the
-- count of elders by level reads the marked rows instead of asking, for every assessment,
-- whether a newer one exists.
ALTER TABLE ability_assessments ADD COLUMN newest BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE ability_assessments a SET newest = NOT EXISTS (SELECT 1 FROM ability_assessments b WHERE b.id_number = a.id_number
    AND (b.assessed_on > a.assessed_on OR (b.assessed_on = a.assessed_on AND b.id > a.id)));
CREATE INDEX ability_assessments_newest ON ability_assessments (community) WHERE newest;
