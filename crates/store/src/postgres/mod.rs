//! PostgreSQL records store (production). Bulk writes send whole columns as arrays
//! (`INSERT ... SELECT * FROM UNNEST(...)`), one statement per chunk.

pub(crate) mod copy;

use crate::chain;
use crate::migrate::{self, Migration};
use crate::sql;
use crate::sql::rows::{self, PersonValues, HOUSEHOLD_COLUMNS, PERSON_COLUMNS};
use crate::{Actor, AuditEntry, AuditRecord, Backend, BatchOutcome, Progress, RegistryBatch, Result, Store, StoreError};
use crate::{BULK_INDEXES, BULK_THRESHOLD};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use minzheng_domain::{Household, Person, RegionCode};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Row, Transaction};
use std::collections::HashMap;
use std::str::FromStr;

/// Foreign keys of the registry tables, as the migrations create them. PostgreSQL checks a
/// foreign key by locking the referenced row for every inserted row, which costs more than the
/// insert itself; a bulk batch drops them and adds them back at the end, where one anti-join
/// validates all rows at once. The contract suite's bulk story fails if a name here is wrong.
const BULK_FOREIGN_KEYS: &[(&str, &str, &str)] = &[
    ("person_tags", "person_tags_id_number_fkey", "FOREIGN KEY (id_number) REFERENCES persons (id_number)"),
    ("persons", "persons_household_no_fkey", "FOREIGN KEY (household_no) REFERENCES households (household_no)"),
    ("households", "households_community_code_fkey", "FOREIGN KEY (community_code) REFERENCES regions (code)"),
    ("grids", "grids_community_code_fkey", "FOREIGN KEY (community_code) REFERENCES regions (code)"),
    ("buildings", "buildings_community_code_fkey", "FOREIGN KEY (community_code) REFERENCES regions (code)"),
];

/// Rows per bulk statement.
const CHUNK: usize = 10_000;

/// PostgreSQL records store.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    audit_queue: crate::group::AuditQueue,
}

/// Writes queued audit jobs, all in one transaction.
struct AuditWriter {
    pool: PgPool,
}

#[async_trait]
impl crate::group::JobWriter for AuditWriter {
    async fn write_jobs(&self, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let items: Vec<(&Actor, &AuditEntry)> = jobs.iter().flat_map(|(a, es)| es.iter().map(move |e| (a, e))).collect();
        write_audit_rows(&mut tx, &items).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The same server URL naming another database (for test and benchmark databases).
pub fn with_database(url: &str, database: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    format!("{base}/{database}{query}")
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<PgStore> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new().max_connections(16).connect_with(options).await?;
        let audit_queue = crate::group::AuditQueue::spawn(AuditWriter { pool: pool.clone() });
        Ok(PgStore { pool, audit_queue })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

async fn apply_migrations(pool: &PgPool, list: &[Migration]) -> Result<()> {
    let mut tx = pool.begin().await?;
    // One migrator at a time, even when several servers start together.
    sqlx::query("SELECT pg_advisory_xact_lock(7294611)").execute(&mut *tx).await?;
    sqlx::query(migrate::CREATE_TABLE).execute(&mut *tx).await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(&mut *tx).await?;
    for m in list.iter().filter(|m| !applied.contains(&m.version)) {
        sqlx::raw_sql(AssertSqlSafe(m.sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::Migration { version: m.version, reason: e.to_string() })?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(Utc::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The audit chain has one tail: writers take this lock (until their transaction ends) before
/// reading it, so that two transactions never extend the chain from the same record.
async fn lock_chain(tx: &mut Transaction<'_, Postgres>) -> Result<String> {
    sqlx::query("SELECT pg_advisory_xact_lock(7294612)").execute(&mut **tx).await?;
    let tail: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    Ok(tail.unwrap_or_else(|| chain::GENESIS.to_string()))
}

async fn write_audit(tx: &mut Transaction<'_, Postgres>, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
    let cleaned = crate::audit::storable_records(actor, entries);
    let (actor, entries) = match &cleaned {
        Some((a, e)) => (a, e.as_slice()),
        None => (actor, entries),
    };
    let items: Vec<(&Actor, &AuditEntry)> = entries.iter().map(|e| (actor, e)).collect();
    write_audit_rows(tx, &items).await
}

/// Appends audit records of several actors, in order, to the chain.
async fn write_audit_rows(tx: &mut Transaction<'_, Postgres>, items: &[(&Actor, &AuditEntry)]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut tail = lock_chain(tx).await?;
    let now = chain::now();
    for chunk in items.chunks(CHUNK) {
        let mut prevs = Vec::with_capacity(chunk.len());
        let mut hashes = Vec::with_capacity(chunk.len());
        for (actor, e) in chunk {
            let hash = chain::link(&tail, &now, actor, e);
            prevs.push(std::mem::replace(&mut tail, hash.clone()));
            hashes.push(hash);
        }
        let col = |f: fn(&Actor) -> Option<String>| chunk.iter().map(|(a, _)| f(a)).collect::<Vec<Option<String>>>();
        let names: Vec<&str> = chunk.iter().map(|(a, _)| a.name.as_str()).collect();
        let actions: Vec<&str> = chunk.iter().map(|(_, e)| e.action.as_str()).collect();
        let entities: Vec<&str> = chunk.iter().map(|(_, e)| e.entity.as_str()).collect();
        let keys: Vec<&str> = chunk.iter().map(|(_, e)| e.entity_key.as_str()).collect();
        let befores: Vec<Option<serde_json::Value>> = chunk.iter().map(|(_, e)| e.before.clone()).collect();
        let afters: Vec<Option<serde_json::Value>> = chunk.iter().map(|(_, e)| e.after.clone()).collect();
        sqlx::query(
            "INSERT INTO audit_log (at, actor, role, region, request_id, client, action, entity, entity_key, before, after, prev_hash, hash) \
             SELECT $1, n, r, g, q, c, a, e, k, b, f, p, h \
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[], $12::text[], $13::text[]) \
             WITH ORDINALITY AS t(n, r, g, q, c, a, e, k, b, f, p, h, i) ORDER BY i",
        )
        .bind(now)
        .bind(&names)
        .bind(col(|a| a.role.clone()))
        .bind(col(|a| a.region.clone()))
        .bind(col(|a| a.request_id.clone()))
        .bind(col(|a| a.client.clone()))
        .bind(&actions)
        .bind(&entities)
        .bind(&keys)
        .bind(&befores)
        .bind(&afters)
        .bind(&prevs)
        .bind(&hashes)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn audit_from_row(row: &sqlx::postgres::PgRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_key: row.try_get("entity_key")?,
        before: row.try_get("before")?,
        after: row.try_get("after")?,
        role: row.try_get("role")?,
        region: row.try_get("region")?,
        request_id: row.try_get("request_id")?,
        client: row.try_get("client")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

async fn write_households(tx: &mut Transaction<'_, Postgres>, rows: &[&Household]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let nos: Vec<&str> = rows.iter().map(|h| h.household_no.as_str()).collect();
    let heads: Vec<Option<String>> = rows.iter().map(|h| h.head.map(|i| i.to_string())).collect();
    let addresses: Vec<&str> = rows.iter().map(|h| h.address.as_str()).collect();
    let communities: Vec<&str> = rows.iter().map(|h| h.community.as_str()).collect();
    let grids: Vec<Option<&str>> = rows.iter().map(|h| h.grid.as_deref()).collect();
    let buildings: Vec<Option<&str>> = rows.iter().map(|h| h.building.as_deref()).collect();
    let kinds: Vec<&str> = rows.iter().map(|h| h.kind.as_str()).collect();
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO households ({HOUSEHOLD_COLUMNS}, updated_at) \
         SELECT *, $8 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) \
         ON CONFLICT (household_no) DO UPDATE SET head_id_number = excluded.head_id_number, \
         address = excluded.address, community_code = excluded.community_code, \
         grid_name = excluded.grid_name, building_name = excluded.building_name, \
         kind = excluded.kind, updated_at = excluded.updated_at"
    )))
    .bind(&nos)
    .bind(&heads)
    .bind(&addresses)
    .bind(&communities)
    .bind(&grids)
    .bind(&buildings)
    .bind(&kinds)
    .bind(Utc::now())
    .execute(&mut **tx)
    .await?;
    // Grids and buildings are created on first use under their community.
    sqlx::query(
        "INSERT INTO grids (community_code, name) SELECT DISTINCT c, g FROM UNNEST($1::text[], $2::text[]) AS t(c, g) \
         WHERE g IS NOT NULL ON CONFLICT DO NOTHING",
    )
    .bind(&communities)
    .bind(&grids)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO buildings (community_code, name, grid_name) \
         SELECT DISTINCT ON (c, b) c, b, g FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t(c, b, g) \
         WHERE b IS NOT NULL ON CONFLICT DO NOTHING",
    )
    .bind(&communities)
    .bind(&buildings)
    .bind(&grids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn write_persons(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[&Person],
    updated: &[String],
    communities: &HashMap<String, RegionCode>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let values: Vec<PersonValues> =
        rows.iter().map(|p| PersonValues::of(p, p.household_no.as_ref().and_then(|h| communities.get(h)))).collect();
    macro_rules! col {
        ($f:ident) => {
            values.iter().map(|v| v.$f.clone()).collect::<Vec<_>>()
        };
    }
    let births: Vec<NaiveDate> = col!(birth_date);
    let status_dates: Vec<Option<NaiveDate>> = col!(status_date);
    let grades: Vec<Option<i32>> = col!(disability_grade);
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO persons ({PERSON_COLUMNS}, updated_at) \
         SELECT *, $15 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], \
         $7::text[], $8::text[], $9::text[], $10::date[], $11::text[], $12::int[], $13::text[], $14::text[]) \
         ON CONFLICT (id_number) DO UPDATE SET name = excluded.name, sex = excluded.sex, \
         birth_date = excluded.birth_date, hukou_region = excluded.hukou_region, \
         household_no = excluded.household_no, community_code = excluded.community_code, \
         relation = excluded.relation, status = excluded.status, status_date = excluded.status_date, \
         disability_category = excluded.disability_category, disability_grade = excluded.disability_grade, \
         phone = excluded.phone, tags = excluded.tags, updated_at = excluded.updated_at"
    )))
    .bind(col!(id_number))
    .bind(col!(name))
    .bind(col!(sex))
    .bind(births)
    .bind(col!(hukou_region))
    .bind(col!(household_no))
    .bind(col!(community_code))
    .bind(col!(relation))
    .bind(col!(status))
    .bind(status_dates)
    .bind(col!(disability_category))
    .bind(grades)
    .bind(col!(phone))
    .bind(col!(tags))
    .bind(Utc::now())
    .execute(&mut **tx)
    .await?;
    // Tags: replace the searchable copies of the rows updated (new rows have none yet).
    if !updated.is_empty() {
        sqlx::query("DELETE FROM person_tags WHERE id_number = ANY($1)").bind(updated).execute(&mut **tx).await?;
    }
    let (tag_ids, tags): (Vec<&str>, Vec<&str>) =
        rows.iter().flat_map(|p| p.tags.iter().map(move |t| (p.id_number.as_str(), t.as_str()))).unzip();
    if !tags.is_empty() {
        sqlx::query("INSERT INTO person_tags (id_number, tag) SELECT * FROM UNNEST($1::text[], $2::text[]) ON CONFLICT DO NOTHING")
            .bind(&tag_ids)
            .bind(&tags)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Appends one field in COPY's text format: `\N` for NULL, backslash escapes for the rest.
fn copy_field(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.extend_from_slice(b"\\N"),
        Some(v) => {
            for b in v.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
    }
}

/// Rows in COPY's text format.
fn copy_data(rows: impl Iterator<Item = Vec<Option<String>>>) -> Vec<u8> {
    let mut buf = Vec::new();
    for row in rows {
        for (i, field) in row.iter().enumerate() {
            if i > 0 {
                buf.push(b'\t');
            }
            copy_field(&mut buf, field.as_deref());
        }
        buf.push(b'\n');
    }
    buf
}

/// Reads the rows of a query with binary COPY, handing each to `each`.
async fn copy_out(
    tx: &mut Transaction<'_, Postgres>,
    query: &str,
    mut each: impl FnMut(&crate::postgres::copy::Fields<'_>) -> Result<()>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    let mut stream = (**tx).copy_out_raw(&format!("COPY ({query}) TO STDOUT (FORMAT binary)")).await?;
    let mut reader = crate::postgres::copy::BinaryCopy::default();
    while let Some(chunk) = stream.try_next().await? {
        reader.feed(&chunk, &mut each)?;
    }
    reader.finish()
}

impl PgStore {
    /// Whether every stored household is in `region` (the lowest and highest community codes,
    /// two probes of the households' community index).
    async fn holds_only(&self, region: &RegionCode) -> Result<bool> {
        let (low, high): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT min(community_code), max(community_code) FROM households").fetch_one(&self.pool).await?;
        let within = |c: &Option<String>| c.as_deref().is_none_or(|c| c.starts_with(region.as_str()));
        Ok(within(&low) && within(&high))
    }
}

/// A spawned task that is stopped when its handle is dropped (a scan given up half-way does
/// not leave its second read running).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reads the snapshot's economic items on `conn`, in a read-only transaction that takes the
/// exported snapshot `exported` of the transaction reading the households and persons.
async fn read_items(mut conn: sqlx::pool::PoolConnection<Postgres>, exported: String, query: String) -> Result<crate::snapshot::HeldItems> {
    // `SET TRANSACTION SNAPSHOT` takes no parameters; an exported snapshot's name is hex digits
    // and dashes.
    if exported.is_empty() || !exported.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return Err(StoreError::Corrupt(format!("snapshot name {exported:?}")));
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    sqlx::query(AssertSqlSafe(format!("SET TRANSACTION SNAPSHOT '{exported}'"))).execute(&mut *tx).await?;
    let mut held = crate::snapshot::HeldItems::default();
    copy_out(&mut tx, &query, |f| held.push(&item_of(f)?)).await?;
    tx.rollback().await?;
    Ok(held)
}

/// An item row of [`crate::snapshot::queries`] as COPY gives it.
fn item_of<'a>(f: &crate::postgres::copy::Fields<'a>) -> Result<crate::SnapshotItem<'a>> {
    use crate::postgres::copy::{date, int, required, text};
    Ok(crate::SnapshotItem {
        id_number: text(required(f, 0)?)?,
        kind: crate::snapshot::item_kind(text(required(f, 1)?)?)?,
        amount: int(required(f, 2)?)?,
        source: text(required(f, 3)?)?,
        as_of: date(required(f, 4)?)?,
    })
}

/// COPYs `persons` into the empty persons table in one COPY, their data chunk by chunk as
/// `chunks` makes it (one item per [`CHUNK`] persons), then their tags in one more COPY;
/// returns how many persons went in.
///
/// One COPY per table, not one per chunk: sqlx does not set `TCP_NODELAY`, so the small last
/// message of each COPY waited for the server's delayed acknowledgement; with a COPY per chunk
/// a third of the samples of a 1 M import found the server waiting in `ClientRead`.
async fn copy_persons(
    tx: &mut Transaction<'_, Postgres>,
    persons: &[&Person],
    chunks: impl Iterator<Item = Vec<u8>>,
    progress: Progress<'_>,
) -> Result<u64> {
    let mut done = 0u64;
    let mut copy = (**tx).copy_in_raw(&format!("COPY persons ({PERSON_COLUMNS}, updated_at) FROM STDIN")).await?;
    for (data, chunk) in chunks.zip(persons.chunks(CHUNK)) {
        copy.send(data).await?;
        done += chunk.len() as u64;
        progress(done);
    }
    if done as usize != persons.len() {
        // The thread making the data stopped early (it panicked: its scope says so).
        copy.abort("the COPY data stopped early").await?;
        return Err(StoreError::Corrupt(format!("the persons' COPY data stopped after {done} of {}", persons.len())));
    }
    copy.finish().await?;
    let mut copy = (**tx).copy_in_raw("COPY person_tags (id_number, tag) FROM STDIN").await?;
    for chunk in persons.chunks(CHUNK) {
        copy.send(tag_copy_data(chunk)).await?;
    }
    copy.finish().await?;
    Ok(done)
}

/// [`copy_persons`] with the COPY data made on a scoped thread while this thread sends the
/// chunk before (made on the sending task, PostgreSQL waited for it). On a multi-thread runtime
/// only: this worker hands its other tasks over while it blocks (`block_in_place`, which also
/// refuses to run inside a `LocalSet`; nothing here uses one).
fn copy_persons_alongside(
    tx: &mut Transaction<'_, Postgres>,
    persons: &[&Person],
    communities: &HashMap<String, RegionCode>,
    now: &str,
    progress: Progress<'_>,
) -> Result<u64> {
    tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            // Two chunks made ahead at most: the memory of the data stays bounded.
            let (made, chunks) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
            scope.spawn(move || {
                for chunk in persons.chunks(CHUNK) {
                    // The sender stops when the sending side has given up (an error there).
                    if made.send(person_copy_data(chunk, communities, now)).is_err() {
                        break;
                    }
                }
            });
            tokio::runtime::Handle::current().block_on(copy_persons(tx, persons, chunks.iter(), progress))
        })
    })
}

/// COPY data of persons (their tags go in a COPY of their own: [`tag_copy_data`]).
fn person_copy_data(rows: &[&Person], communities: &HashMap<String, RegionCode>, now: &str) -> Vec<u8> {
    let date = minzheng_domain::registry::date_text;
    copy_data(rows.iter().map(|p| {
        let v = PersonValues::of(p, p.household_no.as_ref().and_then(|h| communities.get(h)));
        vec![
            Some(v.id_number),
            Some(v.name),
            Some(v.sex.to_string()),
            Some(date(v.birth_date)),
            Some(v.hukou_region),
            v.household_no,
            v.community_code,
            Some(v.relation.to_string()),
            Some(v.status.to_string()),
            v.status_date.map(date),
            v.disability_category.map(str::to_string),
            v.disability_grade.map(|g| g.to_string()),
            v.phone,
            Some(v.tags),
            Some(now.to_string()),
        ]
    }))
}

/// COPY data of the tags of persons.
fn tag_copy_data(rows: &[&Person]) -> Vec<u8> {
    copy_data(rows.iter().flat_map(|p| p.tags.iter().map(move |t| vec![Some(p.id_number.to_string()), Some(t.clone())])))
}

fn household_copy_data(rows: &[&Household], now: &str) -> Vec<u8> {
    copy_data(rows.iter().map(|h| {
        vec![
            Some(h.household_no.clone()),
            h.head.map(|i| i.to_string()),
            Some(h.address.clone()),
            Some(h.community.to_string()),
            h.grid.clone(),
            h.building.clone(),
            Some(h.kind.as_str().to_string()),
            Some(now.to_string()),
        ]
    }))
}

impl crate::dialect::Dialect for PgStore {
    type Db = Postgres;

    fn pool(&self) -> &sqlx::Pool<Postgres> {
        &self.pool
    }
    const LOCKS_ROWS: bool = true;

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    async fn write_audit(tx: &mut Transaction<'_, Postgres>, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
        write_audit(tx, actor, entries).await
    }

    fn audit_from_row(row: &sqlx::postgres::PgRow) -> Result<AuditRecord> {
        audit_from_row(row)
    }

    async fn after_bulk_load(tx: &mut Transaction<'_, Postgres>, tables: &str) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!("ANALYZE {tables}"))).execute(&mut **tx).await?;
        Ok(())
    }

    async fn copy_rows(
        tx: &mut Transaction<'_, Postgres>,
        table: &str,
        columns: &str,
        rows: impl Iterator<Item = Vec<Option<String>>> + Send,
    ) -> Result<Option<u64>> {
        let data = copy_data(rows);
        let mut copy = (**tx).copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN")).await?;
        copy.send(data).await?;
        Ok(Some(copy.finish().await?))
    }
}

crate::dialect::impl_areas!(PgStore, Postgres);

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<()> {
        apply_migrations(&self.pool, migrate::POSTGRES).await
    }

    async fn migrate_module(&self, migrations: &crate::ModuleMigrations) -> Result<()> {
        apply_migrations(&self.pool, migrations.postgres).await
    }

    fn handle(&self) -> crate::Handle<'_> {
        crate::Handle::Postgres(self)
    }
}

#[async_trait]
impl crate::BulkStore for PgStore {
    async fn apply_batch(&self, batch: &RegistryBatch, actor: &Actor, progress: Progress<'_>) -> Result<BatchOutcome> {
        let mut out = BatchOutcome::default();
        let mut tx = self.pool.begin().await?;
        lock_chain(&mut tx).await?;
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM persons").fetch_one(&mut *tx).await?;
        let stored_households: i64 = sqlx::query_scalar("SELECT count(*) FROM households").fetch_one(&mut *tx).await?;
        let bulk = batch.persons.len() >= BULK_THRESHOLD && batch.persons.len() as i64 >= stored;
        if bulk {
            // Build the indexes once at the end instead of updating them row by row.
            sqlx::query("SET LOCAL maintenance_work_mem = '512MB'").execute(&mut *tx).await?;
            for (name, _) in BULK_INDEXES {
                sqlx::query(AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}"))).execute(&mut *tx).await?;
            }
            for (table, name, _) in BULK_FOREIGN_KEYS {
                sqlx::query(AssertSqlSafe(format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))).execute(&mut *tx).await?;
            }
        }
        let mut communities = crate::batch_communities(batch);
        let (households, persons) = crate::sorted(batch);
        let now = Utc::now().to_rfc3339();
        if stored_households == 0 {
            // Into an empty table: one COPY, chunk after chunk (a COPY per chunk cost a pause
            // at the end of each, see `copy_persons_alongside`).
            let mut copy = (*tx).copy_in_raw(&format!("COPY households ({HOUSEHOLD_COLUMNS}, updated_at) FROM STDIN")).await?;
            for chunk in households.chunks(CHUNK) {
                copy.send(household_copy_data(chunk, &now)).await?;
                out.households_inserted += chunk.len() as u64;
            }
            copy.finish().await?;
        }
        for chunk in households.chunks(CHUNK).filter(|_| stored_households != 0) {
            let existing = sql::households_in::<Postgres>(chunk.iter().map(|h| h.household_no.clone()))
                .build()
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(rows::household_from_row)
                .collect::<Result<Vec<_>>>()?;
            let moved = crate::moved_households(chunk, &existing);
            let d = rows::diff("household", chunk, existing, |h| h.household_no.clone());
            write_households(&mut tx, &d.write).await?;
            if !moved.is_empty() {
                sql::follow_households::<Postgres>(moved).build().execute(&mut *tx).await?;
            }
            write_audit(&mut tx, actor, &d.audit).await?;
            out.households_inserted += d.inserted;
            out.households_updated += d.updated;
        }
        if stored_households == 0 {
            // Grids and buildings of the copied households, in one statement each.
            sqlx::query(
                "INSERT INTO grids (community_code, name) SELECT DISTINCT community_code, grid_name FROM households \
                 WHERE grid_name IS NOT NULL ON CONFLICT DO NOTHING",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO buildings (community_code, name, grid_name) SELECT DISTINCT ON (community_code, building_name) \
                 community_code, building_name, grid_name FROM households WHERE building_name IS NOT NULL ON CONFLICT DO NOTHING",
            )
            .execute(&mut *tx)
            .await?;
        }
        let missing = crate::households_not_in_batch(batch, &communities);
        for chunk in missing.chunks(CHUNK) {
            for row in sql::household_communities::<Postgres>(chunk.iter().cloned()).build().fetch_all(&mut *tx).await? {
                let code: String = row.try_get(1)?;
                if let Ok(c) = RegionCode::parse(&code) {
                    communities.insert(row.try_get(0)?, c);
                }
            }
        }
        if stored == 0 {
            // Into an empty table: nothing to compare with, one COPY.
            out.persons_inserted += if tokio::runtime::Handle::current().runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
                copy_persons_alongside(&mut tx, &persons, &communities, &now, progress)?
            } else {
                copy_persons(&mut tx, &persons, persons.chunks(CHUNK).map(|c| person_copy_data(c, &communities, &now)), progress).await?
            };
        }
        let mut done = 0u64;
        for chunk in persons.chunks(CHUNK).filter(|_| stored != 0) {
            let existing = sql::persons_in::<Postgres>(chunk.iter().map(|p| p.id_number.to_string()))
                .build()
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(rows::person_from_row)
                .collect::<Result<Vec<_>>>()?;
            done += chunk.len() as u64;
            let d = rows::diff("person", chunk, existing, |p| p.id_number);
            write_persons(&mut tx, &d.write, &d.updated_keys, &communities).await?;
            write_audit(&mut tx, actor, &d.audit).await?;
            out.persons_inserted += d.inserted;
            out.persons_updated += d.updated;
            out.persons_unchanged += d.unchanged;
            progress(done);
        }
        if bulk {
            for (_, create) in BULK_INDEXES {
                sqlx::query(AssertSqlSafe(*create)).execute(&mut *tx).await?;
            }
            for (table, name, definition) in BULK_FOREIGN_KEYS.iter().rev() {
                sqlx::query(AssertSqlSafe(format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))).execute(&mut *tx).await?;
            }
            // The planner's statistics of tables that were empty (or far smaller): without them
            // it guesses, and a city's snapshot read took an index path for the whole households
            // table (4.0 s against 1.4 s at 10 M). Autovacuum would get there in time, where it
            // is on; a sample of 30,000 rows a table costs a fraction of a second.
            sqlx::query("ANALYZE households, persons, person_tags").execute(&mut *tx).await?;
        }
        write_audit(&mut tx, actor, &[crate::batch_audit(batch, &out)]).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn scan_snapshot(&self, region: &RegionCode, sink: &mut dyn crate::SnapshotSink) -> Result<crate::SnapshotCounts> {
        use crate::postgres::copy::{date, int, optional, required, text};
        use crate::snapshot::{household_kind, PersonText};
        // A COPY left half-read (an error in a row, or this future dropped mid-stream) leaves the
        // connection out of step with the server; it must not go back to the pool. Closing it
        // after every scan costs one reconnect, nothing next to the scan.
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        // The three reads see one moment of the database. When the region holds every household
        // (so that every stored item may be one of its persons'), the items are read on a second
        // connection at the same time as the households and persons, by a second server
        // process, in a transaction that takes this one's exported snapshot; they are held until
        // the persons are in. Otherwise, or when the pool has no second connection to spare
        // within a second (scans waiting for each other's connections would never end), they
        // are read after the persons on this connection, and the sink drops the other regions'.
        let [households, persons, items] = crate::snapshot::queries(region);
        let second = if self.holds_only(region).await? {
            match tokio::time::timeout(std::time::Duration::from_secs(1), self.pool.acquire()).await {
                Ok(second) => Some(second?),
                Err(_) => None,
            }
        } else {
            None
        };
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        let ahead = match second {
            Some(mut second) => {
                second.close_on_drop();
                let exported: String = sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut *tx).await?;
                Some(AbortOnDrop(tokio::spawn(read_items(second, exported, items.clone()))))
            }
            None => None,
        };
        let mut counts = crate::SnapshotCounts::default();
        copy_out(&mut tx, &households, |f| {
            sink.household(&crate::SnapshotHousehold {
                household_no: text(required(f, 0)?)?,
                community: text(required(f, 1)?)?,
                rural: household_kind(text(required(f, 2)?)?)?,
            });
            counts.households += 1;
            Ok(())
        })
        .await?;
        copy_out(&mut tx, &persons, |f| {
            let p = PersonText {
                id_number: text(required(f, 0)?)?,
                name: text(required(f, 1)?)?,
                sex: text(required(f, 2)?)?,
                birth_date: date(required(f, 3)?)?,
                household_no: optional(f, 4)?.map(text).transpose()?,
                relation: text(required(f, 5)?)?,
                status: text(required(f, 6)?)?,
                disability_category: optional(f, 7)?.map(text).transpose()?,
                disability_grade: optional(f, 8)?.map(int).transpose()?,
                tags: text(required(f, 9)?)?,
            };
            sink.person(&p.decode()?);
            counts.persons += 1;
            Ok(())
        })
        .await?;
        let Some(mut ahead) = ahead else {
            copy_out(&mut tx, &items, |f| {
                sink.item(&item_of(f)?);
                counts.items += 1;
                Ok(())
            })
            .await?;
            tx.rollback().await?;
            return Ok(counts);
        };
        let mut held = match (&mut ahead.0).await {
            Ok(read) => read?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(StoreError::Corrupt(format!("the items' read stopped: {e}"))),
        };
        // The exporting transaction stays open until the second one has ended.
        tx.rollback().await?;
        counts.items = held.hand_over(sink);
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn another_database_on_the_same_server() {
        assert_eq!(with_database("postgres://u@h:5432/test", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
