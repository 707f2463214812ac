-- 资金项目: the year's budget line of a program in a county (预算), against which the locked
-- payment lists are counted (执行).
CREATE TABLE budgets (
    program TEXT COLLATE "C" NOT NULL,
    county  TEXT COLLATE "C" NOT NULL,
    year    BIGINT NOT NULL,
    amount  BIGINT NOT NULL CHECK (amount >= 0),
    set_by  TEXT NOT NULL,
    set_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (program, county, year)
);
