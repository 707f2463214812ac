-- 资金项目: the year's budget line of a program in a county (预算), against which the locked
-- payment lists are counted (执行).
CREATE TABLE budgets (
    program TEXT NOT NULL,
    county  TEXT NOT NULL,
    year    INTEGER NOT NULL,
    amount  INTEGER NOT NULL CHECK (amount >= 0),
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL,
    PRIMARY KEY (program, county, year)
) WITHOUT ROWID;
