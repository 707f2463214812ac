-- The audit log searched by a date range (Beijing days on the audit page).
CREATE INDEX audit_log_at ON audit_log (at);
