-- The months a file of monthly rows (所属月份) covers, as `2026-01,2026-02,...`: its amounts are
-- averaged over them, and an explanation says which. Empty for files without months.
ALTER TABLE economic_batches ADD COLUMN months TEXT NOT NULL DEFAULT '';
