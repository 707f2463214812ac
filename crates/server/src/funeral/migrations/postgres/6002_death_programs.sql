-- The programs a person was paid under in the month of death, kept with the death: the relief
-- of the cremation is found from them whatever the household's change case decides later.
ALTER TABLE death_records ADD COLUMN programs TEXT NOT NULL DEFAULT '';
