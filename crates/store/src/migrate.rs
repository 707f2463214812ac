//! Embedded migrations: each backend has its own folder, compiled into the binary so that the
//! program needs no files at run time. Applied in order, each in its own transaction, and
//! recorded in `schema_migrations`.

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "registry", sql: include_str!("../migrations/sqlite/0001_registry.sql") },
    Migration { version: 2, name: "accounts_audit_chain", sql: include_str!("../migrations/sqlite/0002_accounts_audit_chain.sql") },
    Migration { version: 3, name: "audit_search", sql: include_str!("../migrations/sqlite/0003_audit_search.sql") },
    Migration { version: 4, name: "policy", sql: include_str!("../migrations/sqlite/0004_policy.sql") },
    Migration { version: 5, name: "verify", sql: include_str!("../migrations/sqlite/0005_verify.sql") },
    Migration { version: 6, name: "cases", sql: include_str!("../migrations/sqlite/0006_cases.sql") },
];

pub(crate) const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "registry", sql: include_str!("../migrations/postgres/0001_registry.sql") },
    Migration { version: 2, name: "accounts_audit_chain", sql: include_str!("../migrations/postgres/0002_accounts_audit_chain.sql") },
    Migration { version: 3, name: "audit_search", sql: include_str!("../migrations/postgres/0003_audit_search.sql") },
    Migration { version: 4, name: "policy", sql: include_str!("../migrations/postgres/0004_policy.sql") },
    Migration { version: 5, name: "verify", sql: include_str!("../migrations/postgres/0005_verify.sql") },
    Migration { version: 6, name: "cases", sql: include_str!("../migrations/postgres/0006_cases.sql") },
];

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
