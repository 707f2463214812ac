-- 重新关联: a stored file can be linked again against the registry as it is now (a new run of
-- the linkage). A row whose link a person decided in review keeps that decision: `decided_by`
-- names who decided it (filled here from the audit log for decisions made before this column;
-- only the rows the log names are touched).
ALTER TABLE dept_records ADD COLUMN decided_by TEXT;
UPDATE dept_records SET decided_by = (
    SELECT a.actor FROM audit_log a
    WHERE a.entity = 'dept_record' AND a.entity_key = CAST(dept_records.id AS TEXT)
      AND a.action IN ('link_accepted', 'link_rejected')
    ORDER BY a.id DESC LIMIT 1
)
WHERE CAST(id AS TEXT) IN (
    SELECT entity_key FROM audit_log WHERE entity = 'dept_record' AND action IN ('link_accepted', 'link_rejected')
);
CREATE INDEX dept_records_batch ON dept_records (batch, row_no);
CREATE INDEX economic_items_batch ON economic_items (batch);
