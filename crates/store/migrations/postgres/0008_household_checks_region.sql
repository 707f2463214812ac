-- 核对报告列表: the reports of a region, newest first.
CREATE INDEX household_checks_community ON household_checks (community, id);
