//! What differs between the two databases, and nothing else.
//!
//! Every area of the store (`regions.rs`, `registry.rs`, `cases.rs` ...) declares its trait and
//! writes its method bodies once, in a macro that each backend expands with its store type and
//! its sqlx database (`crate::impl_cases!(SqliteStore, Sqlite)`). The query text is the same on
//! both: `QueryBuilder` writes each database's placeholders. What the bodies cannot say the same
//! way is asked of the backend through this trait: how a writing transaction begins, how audit
//! records are appended to the chain, whether row locks exist, what follows a bulk load.
//!
//! Why a macro and not generic code over `sqlx::Database`: sqlx's executor and codec bounds are
//! not implied by a trait's where-clauses, so each generic method would repeat a dozen bounds
//! (see `sql/mod.rs`), and async-trait futures over a generic executor fail to prove `Send`.
//! The macro gives the same single source with concrete types, and the compiler checks each
//! expansion as if written by hand.

use crate::{Actor, AuditEntry, AuditRecord, Result};
use std::future::Future;

/// One database's part of the shared store code. Public for the modules that keep their own
/// tables: a module writes its store trait's bodies once in a macro expanded for `SqliteStore`
/// and `PgStore`, as the areas here do, and asks this trait what differs.
pub trait Dialect {
    /// The sqlx database.
    type Db: sqlx::Database;

    /// Whether `SELECT ... FOR UPDATE` locks rows (PostgreSQL). SQLite's writing transaction
    /// holds the whole file's write lock from its start, so it needs none.
    const LOCKS_ROWS: bool;

    /// Begins a transaction that writes. SQLite takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so that no other writer extends the audit chain between reading its tail and appending;
    /// PostgreSQL takes the chain's advisory lock in [`Dialect::write_audit`].
    fn begin_write(&self) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>>> + Send;

    /// Appends audit records to the chain inside a writing transaction (nothing for none).
    fn write_audit(
        tx: &mut sqlx::Transaction<'_, Self::Db>,
        actor: &Actor,
        entries: &[AuditEntry],
    ) -> impl Future<Output = Result<()>> + Send;

    /// An audit record as read back (SQLite keeps the JSON as text, PostgreSQL as `jsonb`).
    fn audit_from_row(row: &<Self::Db as sqlx::Database>::Row) -> Result<AuditRecord>;

    /// The store's connection pool (reads).
    fn pool(&self) -> &sqlx::Pool<Self::Db>;

    /// After a load large enough to change the planner's picture of `tables` (PostgreSQL
    /// gathers statistics; SQLite's planner does not need them here).
    fn after_bulk_load(tx: &mut sqlx::Transaction<'_, Self::Db>, tables: &str) -> impl Future<Output = Result<()>> + Send;

    /// Writes many rows in one stream where the database has one (PostgreSQL's `COPY ... FROM
    /// STDIN`, text format: each field as the column would read its text, `None` for NULL) and
    /// returns how many; `None` where it has none (SQLite), and the caller inserts them in
    /// multi-row `INSERT`s. `table` and `columns` are the module's own names, never input.
    fn copy_rows(
        tx: &mut sqlx::Transaction<'_, Self::Db>,
        table: &str,
        columns: &str,
        rows: impl Iterator<Item = Vec<Option<String>>> + Send,
    ) -> impl Future<Output = Result<Option<u64>>> + Send;
}

/// Expands every area's shared implementation for one backend.
#[rustfmt::skip]
macro_rules! impl_areas {
    ($store:ty, $db:ty) => {
        crate::regions::impl_regions!($store, $db);
        crate::registry::impl_registry!($store, $db);
        crate::audit::impl_audit!($store, $db);
        crate::accounts::impl_accounts!($store, $db);
        crate::parameters::impl_parameters!($store, $db);
        crate::departmental::impl_departmental!($store, $db);
        crate::enrolments::impl_enrolments!($store, $db);
        crate::findings::impl_findings!($store, $db);
        crate::checks::impl_checks!($store, $db);
        crate::cases::impl_cases!($store, $db);
        crate::calendar::impl_calendar!($store, $db);
    };
}
pub(crate) use impl_areas;
