-- 分期扣减: a recovery plan agreed with the household, deducted from its later payments.
ALTER TABLE recoveries ADD COLUMN instalment BIGINT NOT NULL DEFAULT 0 CHECK (instalment >= 0);
