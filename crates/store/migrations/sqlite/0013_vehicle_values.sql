-- Vehicles are valued one by one (车辆价值, fen); before, each was stored as a count of one. The
-- value of those is not known: -1 (economy::UNKNOWN_VALUE), which the rules never take for a low
-- value.
UPDATE economic_items SET amount = -1 WHERE kind = 'car' AND amount = 1;
