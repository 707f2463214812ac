//! Records store: the storage traits of Minzheng and their two implementations, an embedded
//! SQLite file (the default) and PostgreSQL (production).
//!
//! One file per area, each with its trait and its one implementation for both databases:
//! `regions.rs` (行政区划), `registry.rs` (人口、户, with the bulk import and snapshot scan),
//! `audit.rs` (审计), `accounts.rs` (账号、会话), `parameters.rs` (政策参数、测算),
//! `departmental.rs` (部门数据), `enrolments.rs` (在保对象), `findings.rs` (比对疑点),
//! `checks.rs` (核对报告), `cases.rs` (全市通办), `calendar.rs` (工作日历). [`Store`] is all of
//! them together. What differs between the databases is in `dialect.rs` and in the backend
//! folders `sqlite/` and `postgres/`; the query builders and row decoders both use are in `sql/`.
//!
//! Every mutation writes its audit record in the same transaction as the change. Queries are
//! checked at run time (no database is needed to build); each backend has its own migrations
//! under `migrations/<backend>/`, embedded in the binary.

mod accounts;
mod audit;
mod calendar;
mod cases;
pub mod chain;
mod checks;
mod departmental;
mod dialect;
mod enrolments;
mod findings;
mod group;
pub mod migrate;
mod parameters;
pub mod postgres;
mod regions;
mod registry;
pub mod snapshot;
mod sql;
pub mod sqlite;

use async_trait::async_trait;
pub use minzheng_domain::economy::{DeptRecord, EconomicItem};
pub use minzheng_domain::parameter::ParameterRecord;
use serde::Serialize;
use std::sync::Arc;

pub use accounts::*;
pub use audit::*;
pub use calendar::*;
pub use cases::*;
pub use checks::*;
pub use departmental::*;
pub use dialect::Dialect;
pub use enrolments::*;
pub use findings::*;
pub use migrate::{Migration, ModuleMigrations};
pub use parameters::*;
pub use postgres::PgStore;
pub use regions::*;
pub use registry::*;
pub use snapshot::{SnapshotCounts, SnapshotHousehold, SnapshotItem, SnapshotSink};
pub use sqlite::SqliteStore;

/// The store's traits, for `use minzheng_store::prelude::*` where a [`Store`]'s methods are called.
pub mod prelude {
    pub use crate::{
        AccountStore, AuditStore, BulkStore, CalendarStore, CaseStore, DepartmentalStore, EnrolmentStore, FindingStore,
        HouseholdCheckStore, ParameterStore, RegionStore, RegistryStore, Store,
    };
}

/// Errors of the records store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    Url(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("migration {version} failed: {reason}")]
    Migration { version: i64, reason: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("audit record not written: {0}")]
    Audit(String),
    /// A record that cannot be written as JSON: refused, never stored as an empty body.
    #[error("{what} cannot be encoded as JSON: {reason}")]
    Encode { what: &'static str, reason: String },
}

/// The JSON text of a record's body, or [`StoreError::Encode`]: a body that cannot be encoded
/// is refused, so no empty body is ever stored in its place.
pub fn to_json<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode { what, reason: e.to_string() })
}

/// The JSON value of a record for an audit entry built where no error can be returned (an
/// [`AuditEvent`]): a value that cannot be encoded is recorded as the reason it could not be,
/// never as an empty value.
pub fn audit_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_else(|e| serde_json::json!({ "not_encoded": e.to_string() }))
}

/// The JSON value of a record (for audit entries), or [`StoreError::Encode`].
pub fn to_json_value<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| StoreError::Encode { what, reason: e.to_string() })
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One page of a keyset-paginated listing; `next` is the cursor for the following page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The whole records store: every area's trait, on one database. One implementation per
/// database; one contract suite (`tests/contract.rs`) runs every story against each.
#[async_trait]
pub trait Store:
    RegionStore
    + RegistryStore
    + BulkStore
    + AuditStore
    + AccountStore
    + ParameterStore
    + DepartmentalStore
    + EnrolmentStore
    + FindingStore
    + HouseholdCheckStore
    + CaseStore
    + CalendarStore
{
    fn backend(&self) -> Backend;

    /// Applies the embedded migrations not yet applied. Idempotent.
    async fn migrate(&self) -> Result<()>;

    /// Applies a module's migrations not yet applied (after [`Store::migrate`]). Idempotent.
    async fn migrate_module(&self, migrations: &ModuleMigrations) -> Result<()>;

    /// The concrete store, for a module that implements its own store trait on both backends
    /// (see `dialect.rs`).
    fn handle(&self) -> Handle<'_>;
}

/// The concrete store behind a [`Store`]: a module implements its own store trait for
/// [`SqliteStore`] and [`PgStore`] and picks its implementation with this.
#[derive(Clone, Copy)]
pub enum Handle<'a> {
    Sqlite(&'a SqliteStore),
    Postgres(&'a PgStore),
}

/// Opens the store named by `url`: `sqlite://PATH` (created if missing) or `postgres://...`.
/// Migrations are applied.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(PgStore::connect(url).await?)
    } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        Arc::new(SqliteStore::open(std::path::Path::new(path)).await?)
    } else {
        return Err(StoreError::Url(url.to_string()));
    };
    store.migrate().await?;
    Ok(store)
}

/// Which page of a list and in which order (页码、每页条数、排序), for the list pages'
/// numbered pages and sortable columns. The default is the first rows, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    /// Rows skipped before the page ((page − 1) × page size).
    pub offset: u64,
    /// The list's column to order by, by its key (`found_on`, `status` ...); a key the list
    /// does not know, or none, orders newest first.
    pub sort: Option<String>,
    /// Largest first.
    pub descending: bool,
}

/// Appends `ORDER BY … LIMIT … OFFSET …` for a page: the sort key mapped through the list's
/// own columns (`(key, column)`; nothing else reaches the SQL), then the id in the same
/// direction so that equal values keep one order; one row more than the page is fetched.
pub(crate) fn push_page<DB>(qb: &mut sqlx::QueryBuilder<DB>, paging: &Paging, columns: &[(&str, &str)], limit: u32)
where
    DB: sqlx::Database,
    i64: for<'x> sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    let column = paging.sort.as_deref().and_then(|k| columns.iter().find(|(key, _)| *key == k)).map(|(_, c)| *c);
    match column {
        Some(c) => {
            let dir = if paging.descending { "DESC" } else { "ASC" };
            qb.push(format!(" ORDER BY {c} {dir}, id {dir}"));
        }
        None => {
            qb.push(" ORDER BY id DESC");
        }
    }
    qb.push(" LIMIT ").push_bind(i64::from(page_limit(limit)) + 1);
    if paging.offset > 0 {
        qb.push(" OFFSET ").push_bind(i64::try_from(paging.offset).unwrap_or(i64::MAX));
    }
}

/// Half-open range of codes below `prefix`: every code starting with `prefix` is
/// `>= lo` and `< hi` in byte order (':' follows '9').
pub(crate) fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}:"))
}

/// Half-open range of texts starting with `prefix` in byte order.
pub(crate) fn text_prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}\u{10FFFF}"))
}

pub(crate) fn page_limit(limit: u32) -> u32 {
    limit.clamp(1, 1000)
}

/// Maps a unique-key violation to `Conflict` (for the modules that keep their own tables).
pub fn conflict_of(e: sqlx::Error, what: &str) -> StoreError {
    conflict(e, what)
}

/// Maps a unique-key violation to `Conflict`.
pub(crate) fn conflict(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what.to_string()),
        _ => StoreError::Database(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_cannot_be_encoded_is_refused_not_stored_empty() {
        // JSON objects need string keys: a map keyed by pairs cannot be written.
        let unencodable: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        match to_json("case", &unencodable) {
            Err(StoreError::Encode { what: "case", reason }) => assert!(reason.contains("key"), "{reason}"),
            other => panic!("expected an encoding error, got {other:?}"),
        }
        assert!(matches!(to_json_value("case", &unencodable), Err(StoreError::Encode { .. })));
        assert!(audit_value(&unencodable)["not_encoded"].is_string());
        assert_eq!(to_json("case", &[1, 2]).ok().as_deref(), Some("[1,2]"));
    }
}
