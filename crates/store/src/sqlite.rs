//! The embedded default: one SQLite file in WAL mode.

use crate::cases;
use crate::migrate::{self, Migration};
use crate::rows::{self, PersonValues, HOUSEHOLD_COLUMNS, PERSON_COLUMNS};
use crate::sql;
use crate::verify;
use crate::{chain, AUDIT_COLUMNS};
use crate::{BULK_INDEXES, BULK_THRESHOLD};
use crate::{
    page_limit, Account, Actor, AuditEntry, AuditRecord, Backend,
    BatchOutcome, Counts, HouseholdQuery, Page, PersonQuery, Progress, RegistryBatch, Result,
    Session, Store, StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::{Household, IdNumber, Person, Region, RegionCode, RegionLevel};
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

/// The audit writer's thread. It has a connection of its own, locked for the thread's life, and
/// writes through SQLite's C API ([`crate::sqlite_raw`]): through sqlx, each of a group's four
/// statements (BEGIN, the chain's tail, INSERT, COMMIT) would be handed to the connection's
/// worker thread and its answer handed back, eight thread switches a group. Checkpoints are
/// asked of `checkpointer`'s thread (see [`Checkpoints`]).
fn audit_writer(mut conn: sqlx::SqliteConnection, checkpointer: sqlx::SqliteConnection, jobs: crate::group::Jobs) {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => return jobs.serve(&mut crate::group::Failed(e.to_string())),
    };
    let mut locked = match runtime.block_on(conn.lock_handle()) {
        Ok(locked) => locked,
        Err(e) => return jobs.serve(&mut crate::group::Failed(e.to_string())),
    };
    let mut handle = crate::sqlite_raw::Handle::new(&mut locked);
    let wal = handle.watch_wal();
    let checkpoints = Checkpoints::start(checkpointer);
    jobs.serve(&mut AuditWriter { handle, wal, checkpoints, last_frames: 0 });
}

struct AuditWriter<'c> {
    handle: crate::sqlite_raw::Handle<'c>,
    wal: crate::sqlite_raw::WalWatch<'c>,
    checkpoints: Checkpoints,
    last_frames: i32,
}

impl crate::group::ThreadWriter for AuditWriter<'_> {
    fn write(&mut self, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
        append_group(&mut self.handle, jobs)
    }

    fn after(&mut self) -> bool {
        if self.handle.in_transaction() {
            // A failed group whose ROLLBACK failed too: the writer would hold the write lock for
            // ever. It stops; closing its connection ends the transaction.
            eprintln!("audit writer: a transaction could not be ended; the writer stops");
            return false;
        }
        let frames = self.wal.frames();
        if frames < self.last_frames {
            // The WAL started again from its beginning.
            self.checkpoints.next_at = CHECKPOINT_FRAMES;
        }
        self.last_frames = frames;
        self.checkpoints.after_commit(&mut self.handle, frames);
        true
    }
}

/// WAL frames (4 KB pages) after which the audit writer asks for a checkpoint. Lower than the
/// pool's `wal_autocheckpoint`, which stays as the backstop for other writers.
const CHECKPOINT_FRAMES: i32 = 8_000;

/// At most this many frames left to copy, the writer copies them itself; more, and the
/// checkpointer makes another pass.
const INLINE_FRAMES: i32 = 1_000;

/// Background passes in one round at most, before the writer copies the rest itself.
const MAX_PASSES: u32 = 3;

/// Checkpoints off the commit path. SQLite copies the WAL back into the database file inside
/// the commit that fills it past `wal_autocheckpoint`: that commit waits for the copy and two
/// fsyncs (30 ms and more here), and so do the reads whose audit records it carries and the
/// ones queued behind it. The audit writer's connection instead asks a thread of its own to
/// checkpoint (`PASSIVE`: commits go on meanwhile), again while more than [`INLINE_FRAMES`]
/// are left and each pass leaves fewer (at most [`MAX_PASSES`] passes). Then the writer copies
/// the rest itself, between two groups, so that the WAL is wholly copied and its next
/// transaction starts the WAL again from the beginning: a background checkpoint alone never
/// catches up with commits that go on, and the WAL would grow for as long as they do. (A reader
/// still on an older snapshot can keep a frame from being copied; the writer then tries again
/// 2,000 frames later.)
struct Checkpoints {
    ask: std::sync::mpsc::SyncSender<()>,
    /// After each pass of the checkpointer, the WAL's frames copied so far (-1: not done).
    done: std::sync::mpsc::Receiver<i32>,
    asked: bool,
    /// Passes asked for in this round, and the frames the last one left.
    passes: u32,
    left: i32,
    next_at: i32,
}

impl Checkpoints {
    fn start(conn: sqlx::SqliteConnection) -> Checkpoints {
        let (ask, asks) = std::sync::mpsc::sync_channel::<()>(1);
        let (finished, done) = std::sync::mpsc::channel::<i32>();
        // A thread that does not start (or stops) closes both channels, and the writer then
        // checkpoints in line.
        if let Err(e) = std::thread::Builder::new().name("minzheng-checkpoint".into()).spawn(move || checkpointer(conn, asks, finished)) {
            eprintln!("audit writer: the checkpointer thread could not start ({e}); checkpoints run in line");
        }
        Checkpoints { ask, done, asked: false, passes: 0, left: i32::MAX, next_at: CHECKPOINT_FRAMES }
    }

    fn after_commit(&mut self, h: &mut crate::sqlite_raw::Handle<'_>, frames: i32) {
        use std::sync::mpsc::TryRecvError;
        if !self.asked {
            if frames >= self.next_at {
                self.ask(h, frames);
            }
            return;
        }
        match self.done.try_recv() {
            Err(TryRecvError::Empty) => {
                // A checkpointer far behind (or stuck): the WAL's size comes first.
                if frames >= self.next_at + 3 * CHECKPOINT_FRAMES {
                    self.in_line(h, frames);
                }
            }
            Ok(copied) if copied > frames => {
                // The WAL started again since the pass began: the round is over.
                self.asked = false;
                self.end_round();
            }
            Ok(copied) => {
                self.asked = false;
                let left = frames - copied;
                if copied >= 0 && left > INLINE_FRAMES && left < self.left && self.passes < MAX_PASSES {
                    self.left = left;
                    self.ask(h, frames);
                } else {
                    self.in_line(h, frames);
                }
            }
            Err(TryRecvError::Disconnected) => {
                self.asked = false;
                self.in_line(h, frames);
            }
        }
    }

    fn ask(&mut self, h: &mut crate::sqlite_raw::Handle<'_>, frames: i32) {
        match self.ask.try_send(()) {
            Ok(()) | Err(std::sync::mpsc::TrySendError::Full(())) => {
                self.asked = true;
                self.passes += 1;
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(())) => self.in_line(h, frames),
        }
    }

    fn in_line(&mut self, h: &mut crate::sqlite_raw::Handle<'_>, frames: i32) {
        if let Err(e) = h.execute("PRAGMA wal_checkpoint(PASSIVE)") {
            // The WAL stays as it was; the next checkpoint copies it.
            eprintln!("audit writer: checkpoint failed: {e}");
        }
        // Should a reader have kept the WAL from starting again, try once it has grown by a
        // quarter of the threshold more.
        self.next_at = frames + CHECKPOINT_FRAMES / 4;
        self.end_round();
    }

    fn end_round(&mut self) {
        self.passes = 0;
        self.left = i32::MAX;
    }
}

/// The checkpointer's thread: a `PASSIVE` checkpoint each time the writer asks, on a
/// connection of its own; ends with the writer.
fn checkpointer(mut conn: sqlx::SqliteConnection, asks: std::sync::mpsc::Receiver<()>, done: std::sync::mpsc::Sender<i32>) {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => return eprintln!("audit writer: the checkpointer could not start ({e}); checkpoints run in line"),
    };
    let mut locked = match runtime.block_on(conn.lock_handle()) {
        Ok(locked) => locked,
        Err(e) => return eprintln!("audit writer: the checkpointer could not start ({e}); checkpoints run in line"),
    };
    let mut handle = crate::sqlite_raw::Handle::new(&mut locked);
    for () in asks {
        let copied = checkpoint(&mut handle).unwrap_or_else(|e| {
            eprintln!("audit writer: checkpoint failed: {e}");
            -1
        });
        if done.send(copied).is_err() {
            return;
        }
    }
}

/// A `PASSIVE` checkpoint; the frames of the WAL copied into the database file so far (-1 when
/// the checkpoint could not run, for instance another connection's was running).
fn checkpoint(h: &mut crate::sqlite_raw::Handle<'_>) -> Result<i32> {
    let mut st = h.prepare("PRAGMA wal_checkpoint(PASSIVE)")?;
    // One row: busy, frames in the WAL, frames of it copied so far.
    let copied = match st.next()? {
        Some(row) => row.int(2)?,
        None => -1,
    };
    Ok(i32::try_from(copied).unwrap_or(-1))
}

/// Appends a group of jobs' records to the chain in one transaction.
fn append_group(h: &mut crate::sqlite_raw::Handle<'_>, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
    // IMMEDIATE: the write lock first, so that the tail read is still the tail when appended to.
    h.execute("BEGIN IMMEDIATE")?;
    let written = append_records(h, jobs).and_then(|()| h.execute("COMMIT"));
    if written.is_err() {
        let _ = h.execute("ROLLBACK");
    }
    written
}

fn append_records(h: &mut crate::sqlite_raw::Handle<'_>, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
    let mut tail = {
        let mut st = h.prepare(CHAIN_TAIL)?;
        match st.next()? {
            Some(row) => row.text(0)?.to_owned(),
            None => chain::GENESIS.to_owned(),
        }
    };
    let now = chain::now();
    let at = time_text(&now);
    let mut insert = h.prepare(&format!("{AUDIT_INSERT}VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"))?;
    for (actor, entries) in jobs {
        for e in entries {
            let hash = chain::link(&tail, &now, actor, e);
            for (i, value) in AuditValues::of(e).row(&at, actor, e, &tail, &hash).into_iter().enumerate() {
                insert.bind_text(i + 1, value)?;
            }
            insert.run()?;
            tail = hash;
        }
    }
    Ok(())
}

/// The columns of an audit record, in the order of [`AuditValues::row`], for both writers.
const AUDIT_INSERT: &str = "INSERT INTO audit_log (at, actor, action, entity, entity_key, before, after, role, region, request_id, client, prev_hash, hash) ";

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
        let audit_queue = crate::group::AuditQueue::spawn_thread("minzheng-audit", move |jobs| audit_writer(writer, checkpointer, jobs))?;
        Ok(SqliteStore { pool, audit_queue })
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

/// Writes enrolments with their members (one per program and household) inside a transaction.
async fn write_enrolments(tx: &mut Transaction<'_, Sqlite>, enrolments: &[minzheng_domain::Enrolment], source: &str) -> Result<Vec<i64>> {
    let now = chain::now();
    let mut ids = Vec::with_capacity(enrolments.len());
    for chunk in enrolments.chunks(1000) {
        let rows = verify::upsert_enrolments::<Sqlite>(chunk, source, now).build().fetch_all(&mut **tx).await?;
        let mut by_key = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            by_key.insert((r.try_get::<String, _>("program")?, r.try_get::<String, _>("household_no")?), r.try_get::<i64, _>("id")?);
        }
        let chunk_ids: Vec<i64> = chunk
            .iter()
            .map(|e| by_key.get(&(e.program.clone(), e.household_no.clone())).copied().ok_or_else(|| StoreError::Corrupt(format!("enrolment {} {} not returned", e.program, e.household_no))))
            .collect::<Result<_>>()?;
        verify::delete_members::<Sqlite>(&chunk_ids).build().execute(&mut **tx).await?;
        let members: Vec<(i64, &minzheng_domain::EnrolledMember)> = chunk.iter().zip(&chunk_ids).flat_map(|(e, id)| e.members.iter().map(move |m| (*id, m))).collect();
        for part in members.chunks(5000) {
            verify::insert_members::<Sqlite>(part).build().execute(&mut **tx).await?;
        }
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

async fn write_audit(tx: &mut Transaction<'_, Sqlite>, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
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
    let tail: Option<String> = sqlx::query_scalar(CHAIN_TAIL)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(tail.unwrap_or_else(|| chain::GENESIS.to_string()))
}

async fn apply_migrations(pool: &SqlitePool, list: &[Migration]) -> Result<()> {
    sqlx::query(migrate::CREATE_TABLE).execute(pool).await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(pool)
        .await?;
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
    let grids: Vec<(&str, &str)> = rows
        .iter()
        .filter_map(|h| h.grid.as_deref().map(|g| (h.community.as_str(), g)))
        .collect();
    if !grids.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO grids (community_code, name) ");
        qb.push_values(&grids, |mut b, (c, g)| {
            b.push_bind(*c).push_bind(*g);
        });
        qb.push(" ON CONFLICT DO NOTHING");
        out.push(qb);
    }
    let buildings: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .filter_map(|h| h.building.as_deref().map(|b| (h.community.as_str(), b, h.grid.as_deref())))
        .collect();
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
    let values: Vec<PersonValues> = rows
        .iter()
        .map(|p| PersonValues::of(p, p.household_no.as_ref().and_then(|h| communities.get(h))))
        .collect();
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
    let tags: Vec<(&str, &str)> = rows
        .iter()
        .flat_map(|p| p.tags.iter().map(move |t| (p.id_number.as_str(), t.as_str())))
        .collect();
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

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn migrate(&self) -> Result<()> {
        apply_migrations(&self.pool, migrate::SQLITE).await
    }

    async fn counts(&self) -> Result<Counts> {
        let row = sqlx::query(sql::COUNTS)
        .fetch_one(&self.pool)
        .await?;
        let n = |i: usize| -> Result<u64> { Ok(row.try_get::<i64, _>(i)? as u64) };
        Ok(Counts {
            regions: n(0)?,
            households: n(1)?,
            persons: n(2)?,
            grids: n(3)?,
            buildings: n(4)?,
            audit_records: n(5)?,
        })
    }

    async fn load_regions(&self, regions: &[Region], actor: &Actor) -> Result<u64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut added = 0;
        for chunk in regions.chunks(CHUNK) {
            let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO regions (code, level, name, parent_code) ");
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.code.as_str())
                    .push_bind(r.level.as_str())
                    .push_bind(&r.name)
                    .push_bind(r.parent.as_ref().map(|p| p.to_string()));
            });
            qb.push(" ON CONFLICT (code) DO NOTHING");
            added += qb.build().execute(&mut *tx).await?.rows_affected();
        }
        if added > 0 {
            write_audit(&mut tx, actor, &[crate::regions_audit(added, regions.len())]).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn region(&self, code: &RegionCode) -> Result<Option<Region>> {
        let row = sql::region::<Sqlite>(code.as_str()).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::region_from_row).transpose()
    }

    async fn region_children(&self, code: &RegionCode) -> Result<Vec<Region>> {
        let rows = sql::region_children::<Sqlite>(code.as_str()).build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::region_from_row).collect()
    }

    async fn regions_within(&self, within: &RegionCode, level: RegionLevel) -> Result<Vec<Region>> {
        let rows = sql::regions_within::<Sqlite>(within.as_str(), level.as_str()).build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::region_from_row).collect()
    }

    async fn person(&self, id: &IdNumber) -> Result<Option<Person>> {
        let row = sql::person::<Sqlite>(id.as_str()).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::person_from_row).transpose()
    }

    async fn person_placed(&self, id: &IdNumber) -> Result<Option<(Person, Option<RegionCode>)>> {
        let row = sql::person_placed::<Sqlite>(id.as_str()).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(|r| rows::placed_person(r, rows::person_from_row(r)?)).transpose()
    }

    async fn persons_by_id(&self, ids: &[IdNumber]) -> Result<Vec<Person>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut qb = sql::persons_in::<Sqlite>(chunk.iter().map(|i| i.to_string()));
            qb.push(" ORDER BY id_number");
            for row in qb.build().fetch_all(&self.pool).await? {
                out.push(rows::person_from_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn search_persons(&self, q: &PersonQuery) -> Result<Page<Person>> {
        let limit = page_limit(q.limit);
        let by_name = q.name.is_some();
        let mut qb = sql::search_persons::<Sqlite>(q);
        let rows = qb.build().fetch_all(&self.pool).await?;
        let mut items: Vec<Person> = rows.iter().map(rows::person_from_row).collect::<Result<_>>()?;
        Ok(crate::paginate_persons(&mut items, limit, by_name))
    }

    async fn household(&self, household_no: &str) -> Result<Option<Household>> {
        let row = sql::household::<Sqlite>(household_no).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::household_from_row).transpose()
    }

    async fn household_members(&self, household_no: &str) -> Result<Vec<Person>> {
        let rows = sql::household_members::<Sqlite>(household_no).build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::person_from_row).collect()
    }

    async fn households(&self, household_nos: &[String]) -> Result<Vec<Household>> {
        let mut out = Vec::with_capacity(household_nos.len());
        for chunk in household_nos.chunks(2000) {
            for row in sql::households_in::<Sqlite>(chunk.iter().cloned()).build().fetch_all(&self.pool).await? {
                out.push(rows::household_from_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn members_of(&self, household_nos: &[String]) -> Result<Vec<Person>> {
        let mut out = Vec::new();
        for chunk in household_nos.chunks(CHUNK) {
            let mut qb = sql::select_in::<Sqlite, _>(PERSON_COLUMNS, "persons", "household_no", chunk.iter().cloned());
            qb.push(" ORDER BY household_no, id_number");
            for row in qb.build().fetch_all(&self.pool).await? {
                out.push(rows::person_from_row(&row)?);
            }
        }
        Ok(out)
    }

    async fn search_households(&self, q: &HouseholdQuery) -> Result<Page<Household>> {
        let limit = page_limit(q.limit);
        let mut qb = sql::search_households::<Sqlite>(q);
        let rows = qb.build().fetch_all(&self.pool).await?;
        let mut items: Vec<Household> = rows.iter().map(rows::household_from_row).collect::<Result<_>>()?;
        Ok(crate::paginate_households(&mut items, limit))
    }

    async fn scan_persons(&self, after: Option<&IdNumber>, limit: u32) -> Result<Vec<Person>> {
        let rows = sql::scan_persons::<Sqlite>(after, limit).build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::person_from_row).collect()
    }

    async fn count_persons_by(&self, within: &RegionCode, digits: usize) -> Result<Vec<(String, u64)>> {
        let rows = sql::count_persons_by::<Sqlite>(within.as_str(), digits).build().fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)? as u64))).collect()
    }

    async fn grids(&self, community: &RegionCode) -> Result<Vec<String>> {
        let rows = sql::grids::<Sqlite>(community.as_str()).build().fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
    }

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

    async fn audit_of(&self, entity: &str, entity_key: &str) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE entity = ? AND entity_key = ? ORDER BY id"
        )))
        .bind(entity)
        .bind(entity_key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn audit_recent(&self, limit: u32) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(AssertSqlSafe(format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?")))
            .bind(i64::from(page_limit(limit)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn audit_after(&self, after_id: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(AssertSqlSafe(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?")))
            .bind(after_id)
            .bind(i64::from(page_limit(limit)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn audit_search(&self, q: &crate::AuditQuery) -> Result<Page<AuditRecord>> {
        let rows = sql::audit_search::<Sqlite>(q).build().fetch_all(&self.pool).await?;
        let mut items: Vec<AuditRecord> = rows.iter().map(audit_from_row).collect::<Result<_>>()?;
        Ok(crate::paginate_audit(&mut items, page_limit(q.limit)))
    }

    async fn audit(&self, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
        self.audit_queue.submit(actor, entries).await
    }

    async fn create_account(&self, account: &Account, actor: &Actor) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sql::insert_account::<Sqlite>(account, chain::now()).build().execute(&mut *tx).await.map_err(|e| crate::conflict(e, &account.name))?;
        write_audit(&mut tx, actor, &[crate::account_audit(account)]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn account(&self, name: &str) -> Result<Option<Account>> {
        let row = sql::account::<Sqlite>(name).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::account_from_row).transpose()
    }

    async fn set_login_state(&self, name: &str, failed_logins: i32, locked_until: Option<DateTime<Utc>>) -> Result<()> {
        sql::set_login_state::<Sqlite>(name, failed_logins, locked_until).build().execute(&self.pool).await?;
        Ok(())
    }

    async fn set_password(&self, name: &str, password_hash: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let changed = sql::set_password::<Sqlite>(name, password_hash).build().execute(&mut *tx).await?.rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound(name.to_string()));
        }
        sql::delete_sessions::<Sqlite>("user_name", name).build().execute(&mut *tx).await?;
        write_audit(&mut tx, actor, &[crate::password_audit(name)]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(&self, session: &Session) -> Result<()> {
        sql::insert_session::<Sqlite>(session).build().execute(&self.pool).await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sql::session::<Sqlite>(token_hash).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::session_from_row).transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sql::delete_sessions::<Sqlite>("token_hash", token_hash).build().execute(&self.pool).await?;
        Ok(())
    }

    async fn parameter_records(&self) -> Result<Vec<crate::ParameterRecord>> {
        let rows = sql::parameters::<Sqlite>().build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::parameter_from_row).collect()
    }

    async fn add_parameter_records(&self, records: &[crate::ParameterRecord], actor: &Actor) -> Result<Vec<crate::ParameterRecord>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = chain::now();
        let mut stored = Vec::with_capacity(records.len());
        for r in records {
            let seq: i64 = sql::insert_parameter::<Sqlite>(r, &actor.name, now).build().fetch_one(&mut *tx).await?.try_get("seq")?;
            stored.push(crate::ParameterRecord { seq, recorded_by: actor.name.clone(), recorded_at: now, ..r.clone() });
        }
        let entries: Vec<AuditEntry> = stored.iter().map(crate::parameter_audit).collect();
        write_audit(&mut tx, actor, &entries).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn add_economic_batch(&self, batch: &crate::EconomicBatch, items: &[crate::EconomicItem], records: &[crate::DeptRecord], actor: &Actor) -> Result<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted = sql::insert_economic_batch::<Sqlite>(batch).build().execute(&mut *tx).await?.rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        for chunk in items.chunks(4000) {
            sql::insert_economic_items::<Sqlite>(chunk, &batch.checksum).build().execute(&mut *tx).await?;
        }
        for chunk in records.chunks(3000) {
            verify::insert_dept_records::<Sqlite>(chunk, &batch.checksum).build().execute(&mut *tx).await?;
        }
        write_audit(&mut tx, actor, &[crate::economic_batch_audit(batch)]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn economic_batches(&self) -> Result<Vec<crate::EconomicBatch>> {
        let rows = sql::economic_batches::<Sqlite>().build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::economic_batch_from_row).collect()
    }

    async fn economic_items_of(&self, ids: &[IdNumber]) -> Result<Vec<(crate::EconomicItem, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sql::select_in::<Sqlite, _>(sql::ITEM_COLUMNS, "economic_items", "id_number", ids.iter().map(|i| i.to_string()))
            .build()
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let (_, item, batch) = rows::economic_item_from_row(r)?;
            out.push((item, batch));
        }
        Ok(out)
    }

    async fn add_policy_run(&self, run: &crate::PolicyRun, units: &[crate::RunUnit], actor: &Actor) -> Result<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id: i64 = sql::insert_policy_run::<Sqlite>(run, &actor.name, chain::now()).build().fetch_one(&mut *tx).await?.try_get("id")?;
        for chunk in units.chunks(4000) {
            sql::insert_run_units::<Sqlite>(id, chunk).build().execute(&mut *tx).await?;
        }
        write_audit(&mut tx, actor, &[crate::run_audit(id, run, units.len())]).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn policy_run(&self, id: i64) -> Result<Option<crate::PolicyRun>> {
        let row = sql::policy_run::<Sqlite>(Some(id), 1).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(rows::policy_run_from_row).transpose()
    }

    async fn policy_runs(&self, limit: u32) -> Result<Vec<crate::PolicyRun>> {
        let rows = sql::policy_run::<Sqlite>(None, limit).build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::policy_run_from_row).collect()
    }

    async fn policy_run_units(&self, id: i64, program: &str, after: Option<&str>, limit: u32) -> Result<Vec<crate::RunUnit>> {
        let rows = sql::policy_run_units::<Sqlite>(id, program, after, limit).build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::run_unit_from_row).collect()
    }

    async fn scan_snapshot(&self, region: &RegionCode, sink: &mut dyn crate::SnapshotSink) -> Result<crate::SnapshotCounts> {
        let mut conn = self.pool.acquire().await?;
        // The transaction below is begun on the raw handle, out of sqlx's sight: should the scan
        // panic before its ROLLBACK, the connection must not go back to the pool with it open.
        // Closing it after every scan costs one reopen, nothing next to the scan.
        conn.close_on_drop();
        let mut locked = conn.lock_handle().await?;
        let mut handle = crate::sqlite_raw::Handle::new(&mut locked);
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
        if multi { tokio::task::block_in_place(read) } else { read() }
    }

    async fn scan_economic_items(&self, after: i64, limit: u32) -> Result<Vec<(i64, crate::EconomicItem, String)>> {
        let rows = sql::scan_economic_items::<Sqlite>(after, limit).build().fetch_all(&self.pool).await?;
        rows.iter().map(rows::economic_item_from_row).collect()
    }

    async fn dept_records_of(&self, ids: &[IdNumber]) -> Result<Vec<crate::DeptRecord>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(2000) {
            let rows = sql::select_in::<Sqlite, _>(verify::DEPT_COLUMNS, "dept_records", "id_number", chunk.iter().map(|i| i.to_string())).build().fetch_all(&self.pool).await?;
            for r in &rows {
                out.push(verify::dept_record_from_row(r)?);
            }
        }
        out.sort_by_key(|r| r.id);
        Ok(out)
    }

    async fn scan_dept_records(&self, source: &str, after: i64, limit: u32) -> Result<Vec<crate::DeptRecord>> {
        let rows = verify::scan_dept_records::<Sqlite>(source, after, limit).build().fetch_all(&self.pool).await?;
        rows.iter().map(verify::dept_record_from_row).collect()
    }

    async fn dept_records_in_review(&self, after: i64, limit: u32) -> Result<Vec<crate::DeptRecord>> {
        let rows = verify::dept_records_where::<Sqlite>(verify::DeptFilter::InReview { after }, limit).build().fetch_all(&self.pool).await?;
        rows.iter().map(verify::dept_record_from_row).collect()
    }

    async fn dept_record(&self, id: i64) -> Result<Option<crate::DeptRecord>> {
        let row = verify::dept_records_where::<Sqlite>(verify::DeptFilter::Id(id), 1).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(verify::dept_record_from_row).transpose()
    }

    async fn decide_link(&self, id: i64, accept: bool, item: Option<&crate::EconomicItem>, actor: &Actor) -> Result<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let batch: Option<String> = verify::dept_records_where::<Sqlite>(verify::DeptFilter::Id(id), 1).build().fetch_optional(&mut *tx).await?.map(|r| r.try_get("batch")).transpose()?;
        let changed = verify::decide_link::<Sqlite>(id, accept).build().execute(&mut *tx).await?.rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        if let (true, Some(item), Some(batch)) = (accept, item, batch) {
            sql::insert_economic_items::<Sqlite>(std::slice::from_ref(item), &batch).build().execute(&mut *tx).await?;
        }
        write_audit(&mut tx, actor, &[crate::link_decision_audit(id, accept)]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn upsert_enrolments(&self, enrolments: &[minzheng_domain::Enrolment], source: &str, actor: &Actor) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let ids = write_enrolments(&mut tx, enrolments, source).await?;
        write_audit(&mut tx, actor, &[crate::enrolments_audit(source, enrolments)]).await?;
        tx.commit().await?;
        Ok(ids)
    }

    async fn enrolment(&self, id: i64) -> Result<Option<minzheng_domain::Enrolment>> {
        Ok(self.enrolments_by_ids(&[id]).await?.pop())
    }

    async fn scan_enrolments(&self, region: &RegionCode, after: i64, limit: u32) -> Result<Vec<minzheng_domain::Enrolment>> {
        let rows = verify::scan_enrolments::<Sqlite>(region, after, limit).build().fetch_all(&self.pool).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<std::result::Result<_, _>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let members = verify::members_of::<Sqlite>(&ids).build().fetch_all(&self.pool).await?;
        verify::enrolments_from_rows(&rows, &members)
    }

    async fn enrolments_of(&self, ids: &[IdNumber]) -> Result<Vec<minzheng_domain::Enrolment>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(2000) {
            for r in verify::enrolment_ids_of::<Sqlite>(chunk).build().fetch_all(&self.pool).await? {
                found.push(r.try_get::<i64, _>("enrolment_id")?);
            }
        }
        found.sort_unstable();
        found.dedup();
        self.enrolments_by_ids(&found).await
    }

    async fn add_findings(&self, findings: &[minzheng_domain::Finding], actor: &Actor) -> Result<u64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = chain::now();
        let mut added = 0;
        for chunk in findings.chunks(500) {
            added += verify::insert_findings::<Sqlite>(chunk, now).build().execute(&mut *tx).await?.rows_affected();
        }
        if added > 0 {
            write_audit(&mut tx, actor, &[crate::findings_audit(findings, added)]).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn finding(&self, id: i64) -> Result<Option<minzheng_domain::Finding>> {
        let row = verify::finding_by_id::<Sqlite>(id).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(verify::finding_from_row).transpose()
    }

    async fn search_findings(&self, q: &crate::FindingQuery) -> Result<Page<minzheng_domain::Finding>> {
        let rows = verify::search_findings::<Sqlite>(q).build().fetch_all(&self.pool).await?;
        let items = rows.iter().map(verify::finding_from_row).collect::<Result<Vec<_>>>()?;
        Ok(verify::paginate_findings(items, q.limit))
    }

    async fn finding_counts(&self, region: &RegionCode) -> Result<Vec<crate::FindingCount>> {
        let rows = verify::finding_counts::<Sqlite>(region).build().fetch_all(&self.pool).await?;
        rows.iter().map(verify::count_from_row).collect()
    }

    async fn act_on_finding(&self, updated: &minzheng_domain::Finding, event: &crate::FindingEvent, actor: &Actor) -> Result<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let changed = verify::update_finding::<Sqlite>(updated, event.from).build().execute(&mut *tx).await?.rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        verify::insert_event::<Sqlite>(event).build().execute(&mut *tx).await?;
        write_audit(&mut tx, actor, &[crate::finding_step_audit(updated, event)]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn finding_events(&self, id: i64) -> Result<Vec<crate::FindingEvent>> {
        let rows = verify::events_of::<Sqlite>(id).build().fetch_all(&self.pool).await?;
        rows.iter().map(verify::event_from_row).collect()
    }

    async fn add_case(&self, case: &minzheng_domain::Case, waiting_for: Option<&str>, event: &crate::CaseEvent, actor: &Actor) -> Result<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = chain::now();
        let id: i64 = cases::insert_case::<Sqlite>(case, waiting_for, now)
            .build()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::conflict(e, &format!("an open case of {} for household {}", case.program, case.household_no)))?
            .try_get("id")?;
        let stored = minzheng_domain::Case { id, ..case.clone() };
        cases::insert_event::<Sqlite>(&crate::CaseEvent { case_id: id, ..event.clone() }).build().execute(&mut *tx).await?;
        write_audit(&mut tx, actor, &[cases::case_audit(&stored, event)]).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn import_cases(&self, cases: &[(minzheng_domain::Case, Option<String>)], source: &str, actor: &Actor) -> Result<u64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = chain::now();
        let mut added = 0;
        for chunk in cases.chunks(2000) {
            added += cases::insert_cases::<Sqlite>(chunk, now).build().execute(&mut *tx).await.map_err(|e| crate::conflict(e, "an open case of the same program and household"))?.rows_affected();
        }
        write_audit(&mut tx, actor, &[cases::cases_import_audit(source, cases.len())]).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn case(&self, id: i64) -> Result<Option<minzheng_domain::Case>> {
        let row = cases::case_by_id::<Sqlite>(id).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(cases::case_from_row).transpose()
    }

    async fn act_on_case(&self, updated: &minzheng_domain::Case, waiting_for: Option<&str>, seen_version: i64, event: &crate::CaseEvent, enrolment: Option<&crate::EnrolmentWrite>, actor: &Actor) -> Result<Option<minzheng_domain::Case>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut stored = updated.clone();
        if let Some(w) = enrolment {
            let e = &w.enrolment;
            if let Some(seen) = &w.seen_members {
                let found: Vec<String> = cases::current_members::<Sqlite>(&e.program, &e.household_no, false).build().fetch_all(&mut *tx).await?.iter().map(|r| r.try_get::<String, _>("id_number")).collect::<std::result::Result<_, _>>()?;
                if !cases::same_members(&found, seen) {
                    return Ok(None);
                }
            }
            let source = format!("case:{}", updated.id);
            let ids = write_enrolments(&mut tx, std::slice::from_ref(e), &source).await?;
            if let Some(d) = stored.file.decision.as_mut() {
                d.enrolment = ids.first().copied();
            }
            write_audit(&mut tx, actor, &[crate::enrolments_audit(&source, std::slice::from_ref(e))]).await?;
        }
        let now = chain::now();
        let changed = cases::update_case::<Sqlite>(&stored, waiting_for, seen_version, now)
            .build()
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::conflict(e, &format!("an open case of {} for household {}", stored.program, stored.household_no)))?
            .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        cases::insert_event::<Sqlite>(event).build().execute(&mut *tx).await?;
        write_audit(&mut tx, actor, &[cases::case_audit(&stored, event)]).await?;
        tx.commit().await?;
        Ok(Some(stored))
    }

    async fn case_events(&self, id: i64) -> Result<Vec<crate::CaseEvent>> {
        let rows = cases::events_of::<Sqlite>(id).build().fetch_all(&self.pool).await?;
        rows.iter().map(cases::event_from_row).collect()
    }

    async fn search_cases(&self, q: &crate::CaseQuery) -> Result<Page<minzheng_domain::Case>> {
        let rows = cases::search_cases::<Sqlite>(q).build().fetch_all(&self.pool).await?;
        let items = rows.iter().map(cases::case_from_row).collect::<Result<Vec<_>>>()?;
        Ok(cases::paginate_cases(items, q.limit))
    }

    async fn add_case_document(&self, doc: &crate::CaseDocument, actor: &Actor) -> Result<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id: i64 = cases::insert_document::<Sqlite>(doc).build().fetch_one(&mut *tx).await?.try_get("id")?;
        write_audit(&mut tx, actor, &[cases::document_audit(id, doc)]).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn case_documents(&self, case_id: i64) -> Result<Vec<crate::CaseDocument>> {
        let rows = cases::documents::<Sqlite>(Some(case_id), None).build().fetch_all(&self.pool).await?;
        rows.iter().map(cases::document_from_row).collect()
    }

    async fn case_document(&self, id: i64) -> Result<Option<crate::CaseDocument>> {
        let row = cases::documents::<Sqlite>(None, Some(id)).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(cases::document_from_row).transpose()
    }

    async fn count_cases(&self, q: &crate::CaseQuery) -> Result<u64> {
        let n: i64 = cases::count_cases::<Sqlite>(q).build().fetch_one(&self.pool).await?.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn calendar_days(&self) -> Result<Vec<minzheng_domain::CalendarDay>> {
        let rows = sqlx::query("SELECT day, kind, note FROM calendar_days ORDER BY day").fetch_all(&self.pool).await?;
        rows.iter().map(cases::day_from_row).collect()
    }

    async fn set_calendar_days(&self, days: &[minzheng_domain::CalendarDay], actor: &Actor) -> Result<()> {
        if days.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = chain::now();
        // A day listed twice keeps its last word (PostgreSQL refuses to update a row twice in one statement).
        let mut last: std::collections::BTreeMap<chrono::NaiveDate, &minzheng_domain::CalendarDay> = std::collections::BTreeMap::new();
        for d in days {
            last.insert(d.day, d);
        }
        let days: Vec<minzheng_domain::CalendarDay> = last.into_values().cloned().collect();
        for chunk in days.chunks(500) {
            cases::upsert_days::<Sqlite>(chunk, &actor.name, now).build().execute(&mut *tx).await?;
        }
        write_audit(&mut tx, actor, &[cases::calendar_audit(&days)]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_household_check(&self, report: &minzheng_domain::verification::VerificationReport, actor: &Actor) -> Result<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id: i64 = verify::insert_household_check::<Sqlite>(report).build().fetch_one(&mut *tx).await?.try_get("id")?;
        write_audit(&mut tx, actor, &[crate::household_check_audit(id, report)]).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn household_check(&self, id: i64) -> Result<Option<minzheng_domain::verification::VerificationReport>> {
        let row = verify::household_checks::<Sqlite>(Some(id), None).build().fetch_optional(&self.pool).await?;
        row.as_ref().map(verify::household_check_from_row).transpose()
    }

    async fn household_checks_of(&self, household_no: &str) -> Result<Vec<minzheng_domain::verification::VerificationReport>> {
        let rows = verify::household_checks::<Sqlite>(None, Some(household_no)).build().fetch_all(&self.pool).await?;
        rows.iter().map(verify::household_check_from_row).collect()
    }
}

impl SqliteStore {
    /// Enrolments with their members, by id.
    async fn enrolments_by_ids(&self, ids: &[i64]) -> Result<Vec<minzheng_domain::Enrolment>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(2000) {
            let rows = verify::enrolments_by_id::<Sqlite>(chunk).build().fetch_all(&self.pool).await?;
            let members = verify::members_of::<Sqlite>(chunk).build().fetch_all(&self.pool).await?;
            out.extend(verify::enrolments_from_rows(&rows, &members)?);
        }
        Ok(out)
    }
}


#[cfg(test)]
mod tests {
    use super::*;

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
        let read = |i: u32, shown: Option<serde_json::Value>| AuditEntry { action: "read".into(), entity: "person".into(), entity_key: i.to_string(), before: None, after: shown };
        // Some ten 4 KB pages a record.
        let shown = serde_json::json!({ "shown": "字".repeat(13_000) });
        let (mut records, mut highest, mut started_again) = (0u32, 0u32, false);
        // Large records go on, one after another as on a busy server (the background passes
        // never catch up), until the WAL starts again or has grown to ten times the threshold.
        while !started_again && highest < 10 * CHECKPOINT_FRAMES as u32 {
            store.audit(&reader, &[read(records, Some(shown.clone()))]).await.expect("audit");
            records += 1;
            let frames = wal_frames(&dir);
            started_again |= frames < highest;
            highest = highest.max(frames);
        }
        assert!(highest > CHECKPOINT_FRAMES as u32, "the records filled {highest} frames only");
        assert!(started_again, "the WAL grew to {highest} frames and never started again");
        let v = crate::verify_audit(&store).await.expect("verify");
        assert_eq!((v.records, v.first_broken), (u64::from(records), None));
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The three reads of [`Store::scan_snapshot`] on a locked connection, in a transaction.
fn snapshot_scan(handle: &mut crate::sqlite_raw::Handle<'_>, region: &RegionCode, sink: &mut dyn crate::SnapshotSink) -> Result<crate::SnapshotCounts> {
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
        sink.item(&crate::SnapshotItem { id_number: r.text(0)?, kind: item_kind(r.text(1)?)?, amount: r.int(2)?, source: r.text(3)?, as_of: parse_iso_date(r.text(4)?)? });
        counts.items += 1;
    }
    Ok(counts)
}
