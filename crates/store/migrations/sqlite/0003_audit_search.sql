-- Indexes for auditors' searches by account and by region.
CREATE INDEX audit_actor ON audit_log (actor, id);
CREATE INDEX audit_region ON audit_log (region, id);
