//! The embedded default: one SQLite file in WAL mode.

mod audit_writer;
pub(crate) mod raw;

use crate::chain;
use crate::migrate::{self, Migration};
use crate::sql;
use crate::sql::rows::{self, PersonValues, HOUSEHOLD_COLUMNS, PERSON_COLUMNS};
use crate::{Actor, AuditEntry, AuditRecord, Backend, BatchOutcome, Progress, RegistryBatch, Result, Store, StoreError};
use crate::{BULK_INDEXES, BULK_THRESHOLD};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::{Household, Person, RegionCode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, ConnectOptions, QueryBuilder, Row, Sqlite, SqlitePool, Transaction};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Rows per INSERT statement: 15 columns × 1,000 rows stays below SQLite's 32,766 variables.
const CHUNK: usize = 1000;

/// SQLite records store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    audit_queue: crate::group::AuditQueue,
}

/// The columns of an audit record, in the order of [`AuditValues::row`], for both writers.
const AUDIT_INSERT: &str =
    "INSERT INTO audit_log (at, actor, action, entity, entity_key, before, after, role, region, request_id, client, prev_hash, hash) ";

/// A record's JSON values as stored text.
struct AuditValues {
    before: Option<String>,
    after: Option<String>,
}

impl AuditValues {
    fn of(e: &AuditEntry) -> AuditValues {
        AuditValues { before: e.before.as_ref().map(|v| v.to_string()), after: e.after.as_ref().map(|v| v.to_string()) }
    }

    /// The values of a record, in the order of [`AUDIT_INSERT`].
    fn row<'a>(&'a self, at: &'a str, actor: &'a Actor, e: &'a AuditEntry, prev: &'a str, hash: &'a str) -> [Option<&'a str>; 13] {
        [
            Some(at),
            Some(&actor.name),
            Some(&e.action),
            Some(&e.entity),
            Some(&e.entity_key),
            self.before.as_deref(),
            self.after.as_deref(),
            actor.role.as_deref(),
            actor.region.as_deref(),
            actor.request_id.as_deref(),
            actor.client.as_deref(),
            Some(prev),
            Some(hash),
        ]
    }
}

/// A time as SQLite keeps it here: the text sqlx writes for a `DateTime` (RFC 3339, `+00:00`).
fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// The hash of the newest chained audit record.
const CHAIN_TAIL: &str = "SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1";

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path`.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Every commit (each read writes its audit record) makes the other connections drop their
            // page caches, at a cost that grows with the cache: keep it small (the OS caches the file).
            .pragma("cache_size", "-8192")
            .pragma("temp_store", "memory")
            // A checkpoint runs inside the commit that fills the WAL past this many pages, and
            // costs two fsyncs (2 ms each here) however little it copies; the requests whose audit
            // records that commit carries wait for it. At SQLite's default (1,000 pages, 4 MB) a
            // busy server checkpointed 18 times a second and that was its p99; at 40 MB it does
            // a tenth as often (each one longer: the reads of one batch then wait some 50 ms).
            .pragma("wal_autocheckpoint", "10000");
        let writer = options.clone().connect().await?;
        let checkpointer = options.clone().connect().await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A connection to a file cannot have gone away; the check before each use would cost
            // a round trip to the connection's thread on every query.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        let audit_queue =
            crate::group::AuditQueue::spawn_thread("minzheng-audit", move |jobs| audit_writer::audit_writer(writer, checkpointer, jobs))?;
        Ok(SqliteStore { pool, audit_queue })
    }

    /// 备份: a consistent copy of the whole database written to `to` while it stays in use
    /// (`VACUUM INTO`: one read transaction, so every committed change and nothing half-written;
    /// writers go on meanwhile). `to` must not exist.
    pub async fn backup_into(&self, to: &Path) -> Result<()> {
        if to.exists() {
            return Err(StoreError::Conflict(to.display().to_string()));
        }
        sqlx::query("VACUUM INTO ?").bind(to.display().to_string()).execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Runs prepared statements in order.
async fn run(tx: &mut Transaction<'_, Sqlite>, statements: Vec<QueryBuilder<Sqlite>>) -> Result<()> {
    for mut qb in statements {
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// The statements that append audit records to the chain whose last hash is `tail`.
fn audit_statements(actor: &Actor, entries: &[AuditEntry], tail: &mut String) -> Vec<QueryBuilder<Sqlite>> {
    let items: Vec<(&Actor, &AuditEntry)> = entries.iter().map(|e| (actor, e)).collect();
    audit_rows(&items, tail)
}

/// Audit records of several actors, appended in order to the chain whose last hash is `tail`.
fn audit_rows(items: &[(&Actor, &AuditEntry)], tail: &mut String) -> Vec<QueryBuilder<Sqlite>> {
    let now = chain::now();
    let at = time_text(&now);
    items
        .chunks(CHUNK)
        .map(|chunk| {
            let mut qb = QueryBuilder::<Sqlite>::new(AUDIT_INSERT);
            let linked: Vec<(&Actor, &AuditEntry, String, String)> = chunk
                .iter()
                .map(|(actor, e)| {
                    let hash = chain::link(tail, &now, actor, e);
                    let prev = std::mem::replace(tail, hash.clone());
                    (*actor, *e, prev, hash)
                })
                .collect();
            qb.push_values(linked, |mut b, (actor, e, prev, hash)| {
                for value in AuditValues::of(e).row(&at, actor, e, &prev, &hash) {
                    b.push_bind(value.map(str::to_owned));
                }
            });
            qb
        })
        .collect()
}

async fn write_audit(tx: &mut Transaction<'_, Sqlite>, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
    let cleaned = crate::audit::storable_records(actor, entries);
    let (actor, entries) = match &cleaned {
        Some((a, e)) => (a, e.as_slice()),
        None => (actor, entries),
    };
    if entries.is_empty() {
        return Ok(());
    }
    let mut tail = chain_tail(tx).await?;
    run(tx, audit_statements(actor, entries, &mut tail)).await
}

fn audit_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<AuditRecord> {
    let json = |col: &str| -> Result<Option<serde_json::Value>> {
        let s: Option<String> = row.try_get(col)?;
        Ok(s.and_then(|s| serde_json::from_str(&s).ok()))
    };
    Ok(AuditRecord {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_key: row.try_get("entity_key")?,
        before: json("before")?,
        after: json("after")?,
        role: row.try_get("role")?,
        region: row.try_get("region")?,
        request_id: row.try_get("request_id")?,
        client: row.try_get("client")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// The hash of the newest chained audit record (the genesis value for an empty log).
async fn chain_tail(tx: &mut Transaction<'_, Sqlite>) -> Result<String> {
    let tail: Option<String> = sqlx::query_scalar(CHAIN_TAIL).fetch_optional(&mut **tx).await?;
    Ok(tail.unwrap_or_else(|| chain::GENESIS.to_string()))
}

async fn apply_migrations(pool: &SqlitePool, list: &[Migration]) -> Result<()> {
    sqlx::query(migrate::CREATE_TABLE).execute(pool).await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(pool).await?;
    for m in list.iter().filter(|m| !applied.contains(&m.version)) {
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(AssertSqlSafe(m.sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::Migration { version: m.version, reason: e.to_string() })?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .bind(m.version)
            .bind(m.name)
            .bind(Utc::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn existing_persons(tx: &mut Transaction<'_, Sqlite>, chunk: &[&Person]) -> Result<Vec<Person>> {
    let rows = sql::persons_in::<Sqlite>(chunk.iter().map(|p| p.id_number.to_string())).build().fetch_all(&mut **tx).await?;
    rows.iter().map(rows::person_from_row).collect()
}

async fn existing_households(tx: &mut Transaction<'_, Sqlite>, chunk: &[&Household]) -> Result<Vec<Household>> {
    let rows = sql::households_in::<Sqlite>(chunk.iter().map(|h| h.household_no.clone())).build().fetch_all(&mut **tx).await?;
    rows.iter().map(rows::household_from_row).collect()
}

/// The statements that upsert households and create their grids and buildings.
fn household_statements(rows: &[&Household]) -> Vec<QueryBuilder<Sqlite>> {
    let mut out = Vec::new();
    if rows.is_empty() {
        return out;
    }
    let now = Utc::now();
    let mut qb = QueryBuilder::<Sqlite>::new(format!("INSERT INTO households ({HOUSEHOLD_COLUMNS}, updated_at) "));
    qb.push_values(rows, |mut b, h| {
        b.push_bind(&h.household_no)
            .push_bind(h.head.map(|i| i.to_string()))
            .push_bind(&h.address)
            .push_bind(h.community.as_str())
            .push_bind(&h.grid)
            .push_bind(&h.building)
            .push_bind(h.kind.as_str())
            .push_bind(now);
    });
    qb.push(
        " ON CONFLICT (household_no) DO UPDATE SET head_id_number = excluded.head_id_number, \
         address = excluded.address, community_code = excluded.community_code, \
         grid_name = excluded.grid_name, building_name = excluded.building_name, \
         kind = excluded.kind, updated_at = excluded.updated_at",
    );
    out.push(qb);
    // Grids and buildings are created on first use under their community.
    let grids: Vec<(&str, &str)> = rows.iter().filter_map(|h| h.grid.as_deref().map(|g| (h.community.as_str(), g))).collect();
    if !grids.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO grids (community_code, name) ");
        qb.push_values(&grids, |mut b, (c, g)| {
            b.push_bind(*c).push_bind(*g);
        });
        qb.push(" ON CONFLICT DO NOTHING");
        out.push(qb);
    }
    let buildings: Vec<(&str, &str, Option<&str>)> =
        rows.iter().filter_map(|h| h.building.as_deref().map(|b| (h.community.as_str(), b, h.grid.as_deref()))).collect();
    if !buildings.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO buildings (community_code, name, grid_name) ");
        qb.push_values(&buildings, |mut b, (c, n, g)| {
            b.push_bind(*c).push_bind(*n).push_bind(*g);
        });
        qb.push(" ON CONFLICT DO NOTHING");
        out.push(qb);
    }
    out
}

/// The statements that upsert persons and replace their tags.
fn person_statements(rows: &[&Person], updated: &[String], communities: &HashMap<String, RegionCode>) -> Vec<QueryBuilder<Sqlite>> {
    let mut out = Vec::new();
    if rows.is_empty() {
        return out;
    }
    let now = Utc::now();
    let values: Vec<PersonValues> =
        rows.iter().map(|p| PersonValues::of(p, p.household_no.as_ref().and_then(|h| communities.get(h)))).collect();
    let mut qb = QueryBuilder::<Sqlite>::new(format!("INSERT INTO persons ({PERSON_COLUMNS}, updated_at) "));
    qb.push_values(&values, |mut b, v| {
        b.push_bind(&v.id_number)
            .push_bind(&v.name)
            .push_bind(v.sex)
            .push_bind(v.birth_date)
            .push_bind(&v.hukou_region)
            .push_bind(&v.household_no)
            .push_bind(&v.community_code)
            .push_bind(v.relation)
            .push_bind(v.status)
            .push_bind(v.status_date)
            .push_bind(v.disability_category)
            .push_bind(v.disability_grade)
            .push_bind(&v.phone)
            .push_bind(&v.tags)
            .push_bind(now);
    });
    qb.push(
        " ON CONFLICT (id_number) DO UPDATE SET name = excluded.name, sex = excluded.sex, \
         birth_date = excluded.birth_date, hukou_region = excluded.hukou_region, \
         household_no = excluded.household_no, community_code = excluded.community_code, \
         relation = excluded.relation, status = excluded.status, status_date = excluded.status_date, \
         disability_category = excluded.disability_category, disability_grade = excluded.disability_grade, \
         phone = excluded.phone, tags = excluded.tags, updated_at = excluded.updated_at",
    );
    out.push(qb);
    // Tags: replace the searchable copies of the rows updated (new rows have none yet).
    if !updated.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM person_tags WHERE id_number IN (");
        let mut sep = qb.separated(", ");
        for id in updated {
            sep.push_bind(id);
        }
        qb.push(")");
        out.push(qb);
    }
    let tags: Vec<(&str, &str)> = rows.iter().flat_map(|p| p.tags.iter().map(move |t| (p.id_number.as_str(), t.as_str()))).collect();
    for chunk in tags.chunks(CHUNK * 4) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO person_tags (id_number, tag) ");
        qb.push_values(chunk, |mut b, (i, t)| {
            b.push_bind(*i).push_bind(*t);
        });
        qb.push(" ON CONFLICT DO NOTHING");
        out.push(qb);
    }
    out
}

impl crate::dialect::Dialect for SqliteStore {
    type Db = Sqlite;

    fn pool(&self) -> &sqlx::Pool<Sqlite> {
        &self.pool
    }
    const LOCKS_ROWS: bool = false;

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn write_audit(tx: &mut Transaction<'_, Sqlite>, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
        write_audit(tx, actor, entries).await
    }

    fn audit_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<AuditRecord> {
        audit_from_row(row)
    }

    async fn after_bulk_load(_: &mut Transaction<'_, Sqlite>, _: &str) -> Result<()> {
        Ok(())
    }

    async fn copy_rows(
        _: &mut Transaction<'_, Sqlite>,
        _: &str,
        _: &str,
        _: impl Iterator<Item = Vec<Option<String>>> + Send,
    ) -> Result<Option<u64>> {
        Ok(None)
    }
}

crate::dialect::impl_areas!(SqliteStore, Sqlite);

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn migrate(&self) -> Result<()> {
        apply_migrations(&self.pool, migrate::SQLITE).await
    }

    async fn migrate_module(&self, migrations: &crate::ModuleMigrations) -> Result<()> {
        apply_migrations(&self.pool, migrations.sqlite).await
    }

    fn handle(&self) -> crate::Handle<'_> {
        crate::Handle::Sqlite(self)
    }
}

#[async_trait]
impl crate::BulkStore for SqliteStore {
    async fn apply_batch(&self, batch: &RegistryBatch, actor: &Actor, progress: Progress<'_>) -> Result<BatchOutcome> {
        let mut out = BatchOutcome::default();
        let mut conn = self.pool.acquire().await?;
        // A large batch touches pages all over the indexes: give it a bigger page cache.
        sqlx::query("PRAGMA cache_size = -1048576").execute(&mut *conn).await?;
        // IMMEDIATE: take the write lock now, so that no other writer extends the audit chain
        // between reading its tail and appending to it.
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM persons").fetch_one(&mut *tx).await?;
        let stored_households: i64 = sqlx::query_scalar("SELECT count(*) FROM households").fetch_one(&mut *tx).await?;
        let bulk = batch.persons.len() >= BULK_THRESHOLD && batch.persons.len() as i64 >= stored;
        if bulk {
            for (name, _) in BULK_INDEXES {
                sqlx::query(AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}"))).execute(&mut *tx).await?;
            }
        }
        let mut tail = chain_tail(&mut tx).await?;
        let mut communities = crate::batch_communities(batch);
        let (households, persons) = crate::sorted(batch);
        // Pipelined: while SQLite (on its own thread) writes chunk i, this task compares and
        // binds chunk i + 1. Chunks hold distinct keys, so reading chunk i + 1 first is safe.
        let mut pending = Vec::new();
        let mut moved = Vec::new();
        for chunk in households.chunks(CHUNK) {
            let existing = if stored_households == 0 { Vec::new() } else { existing_households(&mut tx, chunk).await? };
            moved.extend(crate::moved_households(chunk, &existing));
            let (ran, (statements, d)) = tokio::join!(run(&mut tx, std::mem::take(&mut pending)), async {
                let d = rows::diff("household", chunk, existing, |h| h.household_no.clone());
                let mut statements = household_statements(&d.write);
                statements.extend(audit_statements(actor, &d.audit, &mut tail));
                (statements, (d.inserted, d.updated))
            });
            ran?;
            pending = statements;
            out.households_inserted += d.0;
            out.households_updated += d.1;
        }
        run(&mut tx, std::mem::take(&mut pending)).await?;
        for chunk in moved.chunks(CHUNK) {
            sql::follow_households::<Sqlite>(chunk.iter().cloned()).build().execute(&mut *tx).await?;
        }
        // Persons of households not in this batch keep the community stored for them.
        let missing = crate::households_not_in_batch(batch, &communities);
        for chunk in missing.chunks(CHUNK) {
            let mut qb = sql::household_communities::<Sqlite>(chunk.iter().cloned());
            for row in qb.build().fetch_all(&mut *tx).await? {
                let code: String = row.try_get(1)?;
                if let Ok(c) = RegionCode::parse(&code) {
                    communities.insert(row.try_get(0)?, c);
                }
            }
        }
        let mut done = 0u64;
        for chunk in persons.chunks(CHUNK) {
            // Nothing to compare with in an empty table.
            let existing = if stored == 0 { Vec::new() } else { existing_persons(&mut tx, chunk).await? };
            let (ran, (statements, d)) = tokio::join!(run(&mut tx, std::mem::take(&mut pending)), async {
                let d = rows::diff("person", chunk, existing, |p| p.id_number);
                let mut statements = person_statements(&d.write, &d.updated_keys, &communities);
                statements.extend(audit_statements(actor, &d.audit, &mut tail));
                (statements, (d.inserted, d.updated, d.unchanged))
            });
            ran?;
            pending = statements;
            out.persons_inserted += d.0;
            out.persons_updated += d.1;
            out.persons_unchanged += d.2;
            done += chunk.len() as u64;
            progress(done);
        }
        run(&mut tx, pending).await?;
        if bulk {
            for (_, create) in BULK_INDEXES {
                sqlx::query(AssertSqlSafe(*create)).execute(&mut *tx).await?;
            }
        }
        write_audit(&mut tx, actor, &[crate::batch_audit(batch, &out)]).await?;
        tx.commit().await?;
        sqlx::query("PRAGMA cache_size = -8192").execute(&mut *conn).await?;
        Ok(out)
    }

    async fn scan_snapshot(&self, region: &RegionCode, sink: &mut dyn crate::SnapshotSink) -> Result<crate::SnapshotCounts> {
        let mut conn = self.pool.acquire().await?;
        // The transaction below is begun on the raw handle, out of sqlx's sight: should the scan
        // panic before its ROLLBACK, the connection must not go back to the pool with it open.
        // Closing it after every scan costs one reopen, nothing next to the scan.
        conn.close_on_drop();
        let mut locked = conn.lock_handle().await?;
        let mut handle = crate::sqlite::raw::Handle::new(&mut locked);
        // The scan steps SQLite on this thread for as long as it reads: on a multi-threaded
        // runtime, tell it so that its other tasks move to other threads meanwhile.
        let multi = tokio::runtime::Handle::try_current().is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let mut read = || -> Result<crate::SnapshotCounts> {
            handle.execute("BEGIN")?;
            let counts = snapshot_scan(&mut handle, region, sink);
            // Always end the read transaction: the connection goes back to the pool.
            let end = handle.execute("ROLLBACK");
            let counts = counts?;
            end?;
            Ok(counts)
        };
        if multi {
            tokio::task::block_in_place(read)
        } else {
            read()
        }
    }
}

/// The three reads of [`Store::scan_snapshot`] on a locked connection, in a transaction.
fn snapshot_scan(
    handle: &mut crate::sqlite::raw::Handle<'_>,
    region: &RegionCode,
    sink: &mut dyn crate::SnapshotSink,
) -> Result<crate::SnapshotCounts> {
    use crate::snapshot::{household_kind, item_kind, parse_iso_date, PersonText};
    let [households, persons, items] = crate::snapshot::queries(region);
    let mut counts = crate::SnapshotCounts::default();
    let mut st = handle.prepare(&households)?;
    while let Some(r) = st.next()? {
        sink.household(&crate::SnapshotHousehold { household_no: r.text(0)?, community: r.text(1)?, rural: household_kind(r.text(2)?)? });
        counts.households += 1;
    }
    drop(st);
    let mut st = handle.prepare(&persons)?;
    while let Some(r) = st.next()? {
        let p = PersonText {
            id_number: r.text(0)?,
            name: r.text(1)?,
            sex: r.text(2)?,
            birth_date: parse_iso_date(r.text(3)?)?,
            household_no: r.opt_text(4)?,
            relation: r.text(5)?,
            status: r.text(6)?,
            disability_category: r.opt_text(7)?,
            disability_grade: r.opt_int(8),
            tags: r.text(9)?,
        };
        sink.person(&p.decode()?);
        counts.persons += 1;
    }
    drop(st);
    let mut st = handle.prepare(&items)?;
    while let Some(r) = st.next()? {
        sink.item(&crate::SnapshotItem {
            id_number: r.text(0)?,
            kind: item_kind(r.text(1)?)?,
            amount: r.int(2)?,
            source: r.text(3)?,
            as_of: parse_iso_date(r.text(4)?)?,
        });
        counts.items += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[tokio::test]
    async fn bulk_indexes_match_the_migrations() {
        let dir = std::env::temp_dir().join(format!("minzheng-idx-{}", std::process::id()));
        let store = SqliteStore::open(&dir.join("t.db")).await.expect("open");
        store.migrate().await.expect("migrate");
        for (name, create) in BULK_INDEXES {
            let sql: Option<String> = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
                .bind(*name)
                .fetch_optional(store.pool())
                .await
                .expect("query");
            assert_eq!(sql.as_deref(), Some(*create), "{name}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The last frame of the WAL, from the WAL index (`-shm`: SQLite's `WalIndexHdr.mxFrame`,
    /// four bytes in native order at byte 16), read without touching the database.
    fn wal_frames(dir: &Path) -> u32 {
        let shm = std::fs::read(dir.join("t.db-shm")).expect("wal index");
        u32::from_ne_bytes(shm[16..20].try_into().expect("four bytes"))
    }

    /// A server records reads for as long as it runs; the WAL must not grow for as long. The
    /// audit writer's own connection does not checkpoint in its commits: the checkpointer
    /// thread copies the WAL back while the writer goes on, the writer copies the rest, and its
    /// next transaction starts the WAL again from the beginning.
    #[tokio::test]
    async fn the_wal_starts_again_while_reads_are_recorded() {
        let dir = std::env::temp_dir().join(format!("minzheng-wal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = SqliteStore::open(&dir.join("t.db")).await.expect("open");
        store.migrate().await.expect("migrate");
        let reader = Actor::new("reader");
        let read = |i: u32, shown: Option<serde_json::Value>| AuditEntry {
            action: "read".into(),
            entity: "person".into(),
            entity_key: i.to_string(),
            before: None,
            after: shown,
        };
        // Some ten 4 KB pages a record.
        let shown = serde_json::json!({ "shown": "字".repeat(13_000) });
        let (mut records, mut highest, mut started_again) = (0u32, 0u32, false);
        // Large records go on, one after another as on a busy server (the background passes
        // never catch up), until the WAL starts again or has grown to ten times the threshold.
        while !started_again && highest < 10 * audit_writer::CHECKPOINT_FRAMES as u32 {
            store.audit(&reader, &[read(records, Some(shown.clone()))]).await.expect("audit");
            records += 1;
            let frames = wal_frames(&dir);
            started_again |= frames < highest;
            highest = highest.max(frames);
        }
        assert!(highest > audit_writer::CHECKPOINT_FRAMES as u32, "the records filled {highest} frames only");
        assert!(started_again, "the WAL grew to {highest} frames and never started again");
        let v = crate::verify_audit(&store).await.expect("verify");
        assert_eq!((v.records, v.first_broken), (u64::from(records), None));
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}
