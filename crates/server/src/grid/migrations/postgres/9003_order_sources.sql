-- An import of the hotline's export read again finds the orders on record by their number.
CREATE INDEX work_orders_source ON work_orders (source_no) WHERE source_no <> '';
