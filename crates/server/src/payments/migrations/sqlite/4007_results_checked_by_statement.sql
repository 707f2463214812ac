-- (PostgreSQL replaces the results' foreign key by a check once a statement; SQLite keeps its
-- foreign key, an index look-up a row.)
SELECT 1;
