-- 供养机构账户: the account of an elderly-care institution to which the support of the 特困
-- persons it houses in concentrated support (集中供养) is paid.
CREATE TABLE institution_accounts (
    institution_id   INTEGER PRIMARY KEY,
    county           TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    bank             TEXT NOT NULL,
    account_no       TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX institution_accounts_county ON institution_accounts (county);
