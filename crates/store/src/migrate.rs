//! Embedded migrations: each backend has its own folder, compiled into the binary so that the
//! program needs no files at run time. Applied in order, each in its own transaction, and
//! recorded in `schema_migrations`.

/// One migration of one backend.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// A module's own tables: its migrations for each backend, applied after the store's own by
/// [`crate::Store::migrate_module`] and recorded in the same `schema_migrations`. The store's own
/// versions are below [`MODULE_VERSIONS_FROM`]; a module takes a range of a thousand of its own
/// (`3001`, `3002` ...), and the server's test checks that no two modules share a version.
#[derive(Debug, Clone, Copy)]
pub struct ModuleMigrations {
    pub module: &'static str,
    pub sqlite: &'static [Migration],
    pub postgres: &'static [Migration],
}

/// The first version a module's migration may have.
pub const MODULE_VERSIONS_FROM: i64 = 1000;

pub const SQLITE: &[Migration] = &[
    Migration { version: 1, name: "registry", sql: include_str!("../migrations/sqlite/0001_registry.sql") },
    Migration { version: 2, name: "accounts_audit_chain", sql: include_str!("../migrations/sqlite/0002_accounts_audit_chain.sql") },
    Migration { version: 3, name: "audit_search", sql: include_str!("../migrations/sqlite/0003_audit_search.sql") },
    Migration { version: 4, name: "policy", sql: include_str!("../migrations/sqlite/0004_policy.sql") },
    Migration { version: 5, name: "verify", sql: include_str!("../migrations/sqlite/0005_verify.sql") },
    Migration { version: 6, name: "cases", sql: include_str!("../migrations/sqlite/0006_cases.sql") },
    Migration { version: 7, name: "enrolment_end", sql: include_str!("../migrations/sqlite/0007_enrolment_end.sql") },
    Migration { version: 8, name: "household_checks_region", sql: include_str!("../migrations/sqlite/0008_household_checks_region.sql") },
    Migration { version: 9, name: "account_display_name", sql: include_str!("../migrations/sqlite/0009_account_display_name.sql") },
    Migration { version: 10, name: "audit_at", sql: include_str!("../migrations/sqlite/0010_audit_at.sql") },
    Migration { version: 11, name: "member_end", sql: include_str!("../migrations/sqlite/0011_member_end.sql") },
    Migration { version: 12, name: "person_facts", sql: include_str!("../migrations/sqlite/0012_person_facts.sql") },
    Migration { version: 13, name: "vehicle_values", sql: include_str!("../migrations/sqlite/0013_vehicle_values.sql") },
    Migration { version: 14, name: "batch_months", sql: include_str!("../migrations/sqlite/0014_batch_months.sql") },
    Migration { version: 15, name: "relink", sql: include_str!("../migrations/sqlite/0015_relink.sql") },
];

pub const POSTGRES: &[Migration] = &[
    Migration { version: 1, name: "registry", sql: include_str!("../migrations/postgres/0001_registry.sql") },
    Migration { version: 2, name: "accounts_audit_chain", sql: include_str!("../migrations/postgres/0002_accounts_audit_chain.sql") },
    Migration { version: 3, name: "audit_search", sql: include_str!("../migrations/postgres/0003_audit_search.sql") },
    Migration { version: 4, name: "policy", sql: include_str!("../migrations/postgres/0004_policy.sql") },
    Migration { version: 5, name: "verify", sql: include_str!("../migrations/postgres/0005_verify.sql") },
    Migration { version: 6, name: "cases", sql: include_str!("../migrations/postgres/0006_cases.sql") },
    Migration { version: 7, name: "enrolment_end", sql: include_str!("../migrations/postgres/0007_enrolment_end.sql") },
    Migration { version: 8, name: "household_checks_region", sql: include_str!("../migrations/postgres/0008_household_checks_region.sql") },
    Migration { version: 9, name: "account_display_name", sql: include_str!("../migrations/postgres/0009_account_display_name.sql") },
    Migration { version: 10, name: "audit_at", sql: include_str!("../migrations/postgres/0010_audit_at.sql") },
    Migration { version: 11, name: "member_end", sql: include_str!("../migrations/postgres/0011_member_end.sql") },
    Migration { version: 12, name: "person_facts", sql: include_str!("../migrations/postgres/0012_person_facts.sql") },
    Migration { version: 13, name: "vehicle_values", sql: include_str!("../migrations/postgres/0013_vehicle_values.sql") },
    Migration { version: 14, name: "batch_months", sql: include_str!("../migrations/postgres/0014_batch_months.sql") },
    Migration { version: 15, name: "relink", sql: include_str!("../migrations/postgres/0015_relink.sql") },
];

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
