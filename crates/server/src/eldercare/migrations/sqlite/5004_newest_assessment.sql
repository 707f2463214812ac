-- Each person's newest assessment (by its date, then its number) marked in its row, so that the
-- count of elders by level reads the marked rows instead of asking, for every assessment,
-- whether a newer one exists.
ALTER TABLE ability_assessments ADD COLUMN newest INTEGER NOT NULL DEFAULT 0;
UPDATE ability_assessments SET newest = NOT EXISTS (SELECT 1 FROM ability_assessments b WHERE b.id_number = ability_assessments.id_number
    AND (b.assessed_on > ability_assessments.assessed_on OR (b.assessed_on = ability_assessments.assessed_on AND b.id > ability_assessments.id)));
CREATE INDEX ability_assessments_newest ON ability_assessments (community) WHERE newest;
