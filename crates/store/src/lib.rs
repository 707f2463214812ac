//! Records store: the storage traits of Minzheng and their two implementations, an embedded
//! SQLite file (the default) and PostgreSQL (production).
//!
//! Every mutation writes its audit record in the same transaction as the change. Queries are
//! checked at run time (no database is needed to build); each backend has its own migrations
//! under `migrations/<backend>/`, embedded in the binary.

mod cases;
pub mod chain;
mod group;
mod migrate;
pub mod postgres;
mod pg_copy;
mod rows;
pub mod snapshot;
mod sql;
mod sqlite_raw;
mod verify;
pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::{Household, IdNumber, Person, Region, RegionCode, RegionLevel};
pub use minzheng_domain::economy::{DeptRecord, EconomicItem};
use minzheng_domain::{Enrolment, Finding, FindingKind, FindingStatus};
pub use minzheng_domain::parameter::ParameterRecord;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use snapshot::{SnapshotCounts, SnapshotHousehold, SnapshotItem, SnapshotSink};

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
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Who does something, from where: recorded in every audit record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Account name (or `system`, `cli:<user>`).
    pub name: String,
    pub role: Option<String>,
    /// The region the account is bound to.
    pub region: Option<String>,
    pub request_id: Option<String>,
    /// Client address.
    pub client: Option<String>,
}

impl Actor {
    pub fn new(name: impl Into<String>) -> Actor {
        Actor { name: name.into(), ..Default::default() }
    }
    pub fn system() -> Actor {
        Actor::new("system")
    }
}

/// 审计记录: who did what to which record, with the values before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub role: Option<String>,
    pub region: Option<String>,
    pub request_id: Option<String>,
    pub client: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// An audit record about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// 账号 as stored: the password only as an argon2id hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub region: RegionCode,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("password_hash", &"[redacted]")
            .field("role", &self.role)
            .field("region", &self.region)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

/// 会话: a signed-in browser. Only the hash of the cookie's token is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_name: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One page of a keyset-paginated listing; `next` is the cursor for the following page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// How persons are searched. All filters combine; results are ordered by ID number (or by
/// name then ID number when searching by name) and paginated by `after`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonQuery {
    /// Only residents of households in this region (any level: city, county, street, community).
    pub region: Option<RegionCode>,
    /// Names starting with this text.
    pub name: Option<String>,
    /// Persons carrying this tag.
    pub tag: Option<String>,
    /// Cursor from the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

/// How households are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdQuery {
    pub region: Option<RegionCode>,
    pub after: Option<String>,
    pub limit: u32,
}

/// How auditors search the audit log. Results are newest first, paginated by `before` (an id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    pub action: Option<String>,
    /// Only records made by accounts bound within this region.
    pub region: Option<RegionCode>,
    /// Also records made by no account's region (the system, the command line).
    pub include_unbound: bool,
    pub before: Option<i64>,
    pub limit: u32,
}

/// A file of departmental data as stored (批次): where it came from and the day it describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EconomicBatch {
    /// SHA-256 of the file: the key, so the same file is stored once.
    pub checksum: String,
    /// The dataset (`income`, `deposits` ...).
    pub source: String,
    pub file_name: String,
    /// 数据截止日期.
    pub as_of: chrono::NaiveDate,
    pub items: i64,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// How findings are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingQuery {
    /// Only findings whose region (the household's community) is within this one.
    pub region: Option<RegionCode>,
    pub kind: Option<FindingKind>,
    pub status: Option<FindingStatus>,
    pub program: Option<String>,
    pub assigned_to: Option<String>,
    /// Cursor: findings with a smaller id.
    pub before: Option<i64>,
    pub limit: u32,
}

/// A count of findings by kind, county and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingCount {
    pub kind: String,
    pub county: String,
    pub status: String,
    pub count: u64,
}

/// 处理记录: one step of a finding's workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEvent {
    pub finding_id: i64,
    pub action: String,
    pub from: FindingStatus,
    pub to: FindingStatus,
    /// The assignee or the resolution.
    pub detail: String,
    pub comment: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// 办理记录: one step of a case (accepting is the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    pub case_id: i64,
    /// `accept`, `survey`, `review` ... ([`minzheng_domain::CaseAction::as_str`]).
    pub action: String,
    /// The status before (`""` for the acceptance).
    pub from: String,
    pub to: minzheng_domain::CaseStatus,
    pub comment: String,
    pub actor: String,
    pub role: String,
    pub at: DateTime<Utc>,
}

/// 申请材料: a document uploaded to a case; the file itself is kept by the app under its checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDocument {
    /// Store key; 0 before it is stored.
    pub id: i64,
    pub case_id: i64,
    /// The catalogue's document code (`application`, `medical_bills` ...).
    pub code: String,
    pub file_name: String,
    /// Sniffed from the content: application/pdf, image/jpeg or image/png.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub at: DateTime<Utc>,
}

/// The enrolment an approved step makes or changes, and what the step saw of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentWrite {
    pub enrolment: Enrolment,
    /// The members of the program's current (not stopped) enrolment of the household when the
    /// step was computed; if another step changed them since, nothing is written (the step is
    /// stale). None: the enrolment is replaced whatever it holds.
    pub seen_members: Option<Vec<IdNumber>>,
}

/// How cases are listed: a role's queue, a region's cases, those due by a date, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// Only open cases waiting for this role (`community_worker` ...).
    pub waiting_for: Option<String>,
    /// Only open cases (any role).
    pub open_only: bool,
    /// Cases of households within this region.
    pub community: Option<RegionCode>,
    /// Cases owned by a county within this region.
    pub owner: Option<RegionCode>,
    /// Cases accepted at this community.
    pub accepted_at: Option<RegionCode>,
    pub household_no: Option<String>,
    pub status: Option<minzheng_domain::CaseStatus>,
    /// Open cases whose current step is due on or before this day.
    pub due_by: Option<chrono::NaiveDate>,
    /// Cursor: cases with a smaller id.
    pub before: Option<i64>,
    pub limit: u32,
}

/// A stored sweep or what-if run (its summary as JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyRun {
    pub id: i64,
    /// `sweep` or `whatif`.
    pub kind: String,
    pub region: String,
    pub on: chrono::NaiveDate,
    pub summary: serde_json::Value,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One eligible unit of a run: a household number or an ID number, with its monthly amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunUnit {
    pub program: String,
    pub unit_key: String,
    pub county: String,
    pub amount: i64,
}

/// Numbers of things stored, for status pages and checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub regions: u64,
    pub households: u64,
    pub persons: u64,
    pub grids: u64,
    pub buildings: u64,
    pub audit_records: u64,
}

/// A batch of registry rows to upsert together (one import): all stored or none.
#[derive(Debug, Clone, Default)]
pub struct RegistryBatch {
    pub households: Vec<Household>,
    pub persons: Vec<Person>,
    /// What the batch came from (file name), for the audit record.
    pub source: String,
    /// SHA-256 of the source file.
    pub checksum: String,
}

/// What a batch changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    pub households_inserted: u64,
    pub households_updated: u64,
    pub persons_inserted: u64,
    pub persons_updated: u64,
    pub persons_unchanged: u64,
}

/// Progress of long work: called with the number of rows done so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// The records store. One implementation per database; one contract suite (`tests/contract.rs`)
/// runs against each.
#[async_trait]
pub trait Store: Send + Sync {
    fn backend(&self) -> Backend;

    /// Applies the embedded migrations not yet applied. Idempotent.
    async fn migrate(&self) -> Result<()>;

    async fn counts(&self) -> Result<Counts>;

    // ---- region tree (行政区划) ----

    /// Loads divisions, keeping those already present. Returns how many were added.
    async fn load_regions(&self, regions: &[Region], actor: &Actor) -> Result<u64>;
    async fn region(&self, code: &RegionCode) -> Result<Option<Region>>;
    async fn region_children(&self, code: &RegionCode) -> Result<Vec<Region>>;
    /// All divisions at `level` within `within` (inclusive), ordered by code.
    async fn regions_within(&self, within: &RegionCode, level: RegionLevel) -> Result<Vec<Region>>;

    // ---- registry (人口、户) ----

    async fn person(&self, id: &IdNumber) -> Result<Option<Person>>;
    /// A person with the community of the household they live in (none without a household):
    /// what an access check needs, in one read.
    async fn person_placed(&self, id: &IdNumber) -> Result<Option<(Person, Option<RegionCode>)>>;
    async fn persons_by_id(&self, ids: &[IdNumber]) -> Result<Vec<Person>>;
    async fn search_persons(&self, q: &PersonQuery) -> Result<Page<Person>>;
    async fn household(&self, household_no: &str) -> Result<Option<Household>>;
    async fn household_members(&self, household_no: &str) -> Result<Vec<Person>>;
    /// Several households by number (those that exist), in no particular order.
    async fn households(&self, household_nos: &[String]) -> Result<Vec<Household>>;
    /// Members of many households at once (for exports), ordered by 户号 then ID number.
    async fn members_of(&self, household_nos: &[String]) -> Result<Vec<Person>>;
    async fn search_households(&self, q: &HouseholdQuery) -> Result<Page<Household>>;
    /// Every person in ID number order after `after` (from the start when `None`), at most
    /// `limit` (up to 100,000): the bulk read of the policy snapshot, one index range per page.
    async fn scan_persons(&self, after: Option<&IdNumber>, limit: u32) -> Result<Vec<Person>>;
    /// The bulk read of a policy snapshot of `region` (any level), in one read transaction: its
    /// households, then persons, then every economic item with its file's date (see [`SnapshotSink`]).
    async fn scan_snapshot(&self, region: &RegionCode, sink: &mut dyn SnapshotSink) -> Result<SnapshotCounts>;
    /// Residents within `within`, counted by the region `digits` long above their community
    /// (for a city: per county with 6), ordered by code.
    async fn count_persons_by(&self, within: &RegionCode, digits: usize) -> Result<Vec<(String, u64)>>;
    /// Grid names of a community, ordered.
    async fn grids(&self, community: &RegionCode) -> Result<Vec<String>>;

    /// Upserts households then persons in one transaction, with audit records: one for the
    /// batch, and one per existing row whose values changed (before and after).
    async fn apply_batch(
        &self,
        batch: &RegistryBatch,
        actor: &Actor,
        progress: Progress<'_>,
    ) -> Result<BatchOutcome>;

    // ---- audit (审计) ----

    /// Audit records about one entity, oldest first.
    async fn audit_of(&self, entity: &str, entity_key: &str) -> Result<Vec<AuditRecord>>;
    /// The newest audit records, newest first.
    async fn audit_recent(&self, limit: u32) -> Result<Vec<AuditRecord>>;
    /// Audit records with an id above `after_id`, oldest first (for verification and export).
    async fn audit_after(&self, after_id: i64, limit: u32) -> Result<Vec<AuditRecord>>;
    /// Searches the audit log (newest first).
    async fn audit_search(&self, q: &AuditQuery) -> Result<Page<AuditRecord>>;
    /// Writes audit records on their own (reads of personal data, sign-ins, refusals).
    async fn audit(&self, actor: &Actor, entries: &[AuditEntry]) -> Result<()>;

    // ---- accounts (账号) and sessions ----

    /// Creates an account (audited, without its hash); `Conflict` if the name is taken.
    async fn create_account(&self, account: &Account, actor: &Actor) -> Result<()>;
    async fn account(&self, name: &str) -> Result<Option<Account>>;
    /// Records failed sign-ins and any lockout.
    async fn set_login_state(&self, name: &str, failed_logins: i32, locked_until: Option<DateTime<Utc>>) -> Result<()>;
    /// Replaces the password hash, clears failures and ends every session of the account (audited).
    async fn set_password(&self, name: &str, password_hash: &str, actor: &Actor) -> Result<()>;
    async fn create_session(&self, session: &Session) -> Result<()>;
    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    // ---- policy parameters (政策参数) ----

    /// The whole history of policy parameters, in recording order.
    async fn parameter_records(&self) -> Result<Vec<ParameterRecord>>;
    /// Records new parameter values, all or none, each with an audit record; `recorded_by`,
    /// `recorded_at` and `seq` are set here. Returns the records as stored.
    async fn add_parameter_records(&self, records: &[ParameterRecord], actor: &Actor) -> Result<Vec<ParameterRecord>>;

    // ---- departmental economic data (家庭经济状况数据) ----

    /// Stores a file of departmental data, its items and its rows (the evidence), all or none,
    /// audited. Returns false, changing nothing, when a file with the same checksum was stored before.
    async fn add_economic_batch(&self, batch: &EconomicBatch, items: &[EconomicItem], records: &[DeptRecord], actor: &Actor) -> Result<bool>;
    async fn economic_batches(&self) -> Result<Vec<EconomicBatch>>;
    /// The items of some persons, with the checksum of the batch each came from.
    async fn economic_items_of(&self, ids: &[IdNumber]) -> Result<Vec<(EconomicItem, String)>>;
    /// Items in storage order after an item id: (id, item, batch checksum).
    async fn scan_economic_items(&self, after: i64, limit: u32) -> Result<Vec<(i64, EconomicItem, String)>>;

    /// The departmental rows linked to some persons (any source), in storage order.
    async fn dept_records_of(&self, ids: &[IdNumber]) -> Result<Vec<DeptRecord>>;
    /// Rows of one source in storage order after a row id.
    async fn scan_dept_records(&self, source: &str, after: i64, limit: u32) -> Result<Vec<DeptRecord>>;
    /// Rows awaiting a person's decision on their link (待人工复核), in storage order after an id.
    async fn dept_records_in_review(&self, after: i64, limit: u32) -> Result<Vec<DeptRecord>>;
    async fn dept_record(&self, id: i64) -> Result<Option<DeptRecord>>;
    /// Decides a row in review: linked to its proposed person (storing the item it gives, if
    /// any) or to nobody; audited. Returns false, changing nothing, when it is no longer in review.
    async fn decide_link(&self, id: i64, accept: bool, item: Option<&EconomicItem>, actor: &Actor) -> Result<bool>;

    // ---- enrolments (在保对象) ----

    /// Stores enrolments, each new or replacing the one of the same program and household
    /// (members included), all or none, audited as one change of `source`. Returns their ids.
    async fn upsert_enrolments(&self, enrolments: &[Enrolment], source: &str, actor: &Actor) -> Result<Vec<i64>>;
    async fn enrolment(&self, id: i64) -> Result<Option<Enrolment>>;
    /// Enrolments owned by a county (or all, for a 2- or 4-digit region), by id after `after`.
    async fn scan_enrolments(&self, region: &RegionCode, after: i64, limit: u32) -> Result<Vec<Enrolment>>;
    /// The enrolments some persons are members of.
    async fn enrolments_of(&self, ids: &[IdNumber]) -> Result<Vec<Enrolment>>;

    // ---- findings (比对疑点) ----

    /// Stores findings not stored before (by key), audited; returns how many were new.
    async fn add_findings(&self, findings: &[Finding], actor: &Actor) -> Result<u64>;
    async fn finding(&self, id: i64) -> Result<Option<Finding>>;
    /// Findings in a region by id (newest first), filtered; keyset-paginated.
    async fn search_findings(&self, q: &FindingQuery) -> Result<Page<Finding>>;
    /// Numbers of findings in a region by kind, county (6 digits) and status.
    async fn finding_counts(&self, region: &RegionCode) -> Result<Vec<FindingCount>>;
    /// Applies a workflow step when the finding is still in `event.from`: updates it, records
    /// the event and the audit, all or none. Returns false, changing nothing, when it was not.
    async fn act_on_finding(&self, updated: &Finding, event: &FindingEvent, actor: &Actor) -> Result<bool>;
    async fn finding_events(&self, id: i64) -> Result<Vec<FindingEvent>>;

    // ---- household economic checks (核对报告) ----

    /// Stores a check's report (audited); returns its id.
    async fn add_household_check(&self, report: &minzheng_domain::verification::VerificationReport, actor: &Actor) -> Result<i64>;
    async fn household_check(&self, id: i64) -> Result<Option<minzheng_domain::verification::VerificationReport>>;
    /// The reports of a household, newest first.
    async fn household_checks_of(&self, household_no: &str) -> Result<Vec<minzheng_domain::verification::VerificationReport>>;

    // ---- cases (全市通办 · 审核确认) ----

    /// Stores a newly accepted case with its first step (audited); refuses (`Conflict`) a
    /// second open case of the same program and household. Returns its id.
    async fn add_case(&self, case: &minzheng_domain::Case, waiting_for: Option<&str>, event: &CaseEvent, actor: &Actor) -> Result<i64>;
    /// Cases carried over from an earlier system, each with the role it waits for, in one
    /// transaction with one audit record (all or nothing; `Conflict` on a second open case).
    async fn import_cases(&self, cases: &[(minzheng_domain::Case, Option<String>)], source: &str, actor: &Actor) -> Result<u64>;
    async fn case(&self, id: i64) -> Result<Option<minzheng_domain::Case>>;
    /// Writes a step if the case is still at `seen_version`, with its event and audit record,
    /// and the enrolment an approval makes, all in one transaction. None when the case has
    /// moved on since (nothing written).
    async fn act_on_case(&self, updated: &minzheng_domain::Case, waiting_for: Option<&str>, seen_version: i64, event: &CaseEvent, enrolment: Option<&EnrolmentWrite>, actor: &Actor) -> Result<Option<minzheng_domain::Case>>;
    async fn case_events(&self, id: i64) -> Result<Vec<CaseEvent>>;
    async fn search_cases(&self, q: &CaseQuery) -> Result<Page<minzheng_domain::Case>>;
    /// How many cases a query matches (its cursor and limit aside).
    async fn count_cases(&self, q: &CaseQuery) -> Result<u64>;
    /// Records an uploaded document of a case (audited); returns its id.
    async fn add_case_document(&self, doc: &CaseDocument, actor: &Actor) -> Result<i64>;
    /// A case's documents, in the order uploaded.
    async fn case_documents(&self, case_id: i64) -> Result<Vec<CaseDocument>>;
    async fn case_document(&self, id: i64) -> Result<Option<CaseDocument>>;
    /// The working-day calendar's listed days (holidays and exchanged working days).
    async fn calendar_days(&self) -> Result<Vec<minzheng_domain::CalendarDay>>;
    /// Records listed days (a day recorded again takes the new kind), audited.
    async fn set_calendar_days(&self, days: &[minzheng_domain::CalendarDay], actor: &Actor) -> Result<()>;

    // ---- policy runs (普查、测算) ----

    /// Stores a run and its eligible units, audited; returns its id.
    async fn add_policy_run(&self, run: &PolicyRun, units: &[RunUnit], actor: &Actor) -> Result<i64>;
    async fn policy_run(&self, id: i64) -> Result<Option<PolicyRun>>;
    /// The newest runs first.
    async fn policy_runs(&self, limit: u32) -> Result<Vec<PolicyRun>>;
    /// A run's units of one program, by unit key, after a key.
    async fn policy_run_units(&self, id: i64, program: &str, after: Option<&str>, limit: u32) -> Result<Vec<RunUnit>>;
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

/// Half-open range of codes below `prefix`: every code starting with `prefix` is
/// `>= lo` and `< hi` in byte order (':' follows '9').
pub(crate) fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}:"))
}

/// Half-open range of texts starting with `prefix` in byte order.
pub(crate) fn text_prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}\u{10FFFF}"))
}

/// Checks the whole audit chain of a store.
pub async fn verify_audit(store: &dyn Store) -> Result<chain::Verification> {
    let mut v = chain::Verifier::default();
    let mut after = 0;
    loop {
        let page = store.audit_after(after, 1000).await?;
        for r in &page {
            v.feed(r);
            after = r.id;
        }
        if page.len() < 1000 {
            return Ok(v.finish());
        }
    }
}

pub(crate) const AUDIT_COLUMNS: &str =
    "id, at, actor, action, entity, entity_key, before, after, role, region, request_id, client, prev_hash, hash";

pub(crate) fn page_limit(limit: u32) -> u32 {
    limit.clamp(1, 1000)
}

/// The audit record of a whole batch: its source, checksum and what it changed.
pub(crate) fn batch_audit(batch: &RegistryBatch, out: &BatchOutcome) -> AuditEntry {
    AuditEntry {
        action: "import".into(),
        entity: "registry".into(),
        entity_key: batch.source.clone(),
        before: None,
        after: Some(serde_json::json!({
            "source": batch.source,
            "sha256": batch.checksum,
            "households": batch.households.len(),
            "persons": batch.persons.len(),
            "outcome": out,
        })),
    }
}

/// The audit record of a region load.
pub(crate) fn regions_audit(added: u64, offered: usize) -> AuditEntry {
    AuditEntry {
        action: "load".into(),
        entity: "regions".into(),
        entity_key: "*".into(),
        before: None,
        after: Some(serde_json::json!({ "added": added, "offered": offered })),
    }
}

/// Community of each household in the batch, by 户号.
pub(crate) fn batch_communities(batch: &RegistryBatch) -> std::collections::HashMap<String, RegionCode> {
    batch.households.iter().map(|h| (h.household_no.clone(), h.community.clone())).collect()
}

/// 户号 of stored households that the batch moves to another community: their members' copy of
/// the community (kept on each person for searches by region) must follow.
pub(crate) fn moved_households(new: &[&Household], existing: &[Household]) -> Vec<String> {
    let before: std::collections::HashMap<&str, &RegionCode> = existing.iter().map(|h| (h.household_no.as_str(), &h.community)).collect();
    new.iter()
        .filter(|h| before.get(h.household_no.as_str()).is_some_and(|c| **c != h.community))
        .map(|h| h.household_no.clone())
        .collect()
}

/// 户号 that persons of the batch name but the batch does not carry (already stored).
pub(crate) fn households_not_in_batch(
    batch: &RegistryBatch,
    known: &std::collections::HashMap<String, RegionCode>,
) -> Vec<String> {
    let mut v: Vec<String> = batch
        .persons
        .iter()
        .filter_map(|p| p.household_no.clone())
        .filter(|h| !known.contains_key(h))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Cuts the extra row fetched to know whether another page follows, and makes the cursor
/// (`name|id` when ordered by name).
pub(crate) fn paginate_persons(items: &mut Vec<Person>, limit: u32, by_name: bool) -> Page<Person> {
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items
            .last()
            .map(|p| if by_name { format!("{}|{}", p.name, p.id_number) } else { p.id_number.to_string() })
            .unwrap_or_default()
    });
    Page { items: std::mem::take(items), next }
}

pub(crate) fn paginate_households(items: &mut Vec<Household>, limit: u32) -> Page<Household> {
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|h| h.household_no.clone()).unwrap_or_default()
    });
    Page { items: std::mem::take(items), next }
}

/// The batch's rows in key order: B-tree inserts then walk forward instead of jumping about,
/// several times faster on a large table.
pub(crate) fn sorted(batch: &RegistryBatch) -> (Vec<&Household>, Vec<&Person>) {
    let mut households: Vec<&Household> = batch.households.iter().collect();
    households.sort_unstable_by(|a, b| a.household_no.cmp(&b.household_no));
    let mut persons: Vec<&Person> = batch.persons.iter().collect();
    persons.sort_unstable_by_key(|p| p.id_number);
    (households, persons)
}

/// Secondary indexes of the registry tables, as the migrations create them. A batch larger than
/// what is stored drops them and builds them again at the end (one sort instead of a million
/// random B-tree inserts); `sqlite::tests::bulk_indexes_match_the_migrations` keeps this list true.
pub(crate) const BULK_INDEXES: &[(&str, &str)] = &[
    ("households_community", "CREATE INDEX households_community ON households (community_code, household_no)"),
    ("persons_household", "CREATE INDEX persons_household ON persons (household_no)"),
    ("persons_community", "CREATE INDEX persons_community ON persons (community_code, id_number)"),
    ("persons_name", "CREATE INDEX persons_name ON persons (name, id_number)"),
    ("person_tags_tag", "CREATE INDEX person_tags_tag ON person_tags (tag, id_number)"),
];

/// Below this many persons a batch keeps the indexes.
pub(crate) const BULK_THRESHOLD: usize = 50_000;


/// The audit entry of a new account (never its password hash).
pub(crate) fn account_audit(a: &Account) -> AuditEntry {
    AuditEntry {
        action: "create".into(),
        entity: "account".into(),
        entity_key: a.name.clone(),
        before: None,
        after: Some(serde_json::json!({ "role": a.role, "region": a.region })),
    }
}

pub(crate) fn parameter_audit(r: &ParameterRecord) -> AuditEntry {
    AuditEntry {
        action: "set".into(),
        entity: "parameter".into(),
        entity_key: format!("{}@{}{}/{}", r.name, r.region, r.area.map(|a| format!("/{}", a.as_str())).unwrap_or_default(), r.effective_from),
        before: None,
        after: Some(serde_json::json!({ "value": r.value, "reason": r.reason, "seq": r.seq })),
    }
}

pub(crate) fn economic_batch_audit(b: &EconomicBatch) -> AuditEntry {
    AuditEntry {
        action: "import".into(),
        entity: "economic_batch".into(),
        entity_key: b.checksum.clone(),
        before: None,
        after: Some(serde_json::json!({ "source": b.source, "file": b.file_name, "as_of": b.as_of, "items": b.items })),
    }
}

pub(crate) fn enrolments_audit(source: &str, enrolments: &[Enrolment]) -> AuditEntry {
    AuditEntry {
        action: "upsert".into(),
        entity: "enrolments".into(),
        entity_key: source.to_string(),
        before: None,
        after: Some(serde_json::json!({ "enrolments": enrolments.len(), "members": enrolments.iter().map(|e| e.members.len()).sum::<usize>() })),
    }
}

pub(crate) fn findings_audit(findings: &[Finding], added: u64) -> AuditEntry {
    AuditEntry {
        action: "add".into(),
        entity: "findings".into(),
        entity_key: findings.first().map(|f| f.found_on.to_string()).unwrap_or_default(),
        before: None,
        after: Some(serde_json::json!({ "offered": findings.len(), "added": added })),
    }
}

pub(crate) fn household_check_audit(id: i64, r: &minzheng_domain::verification::VerificationReport) -> AuditEntry {
    AuditEntry {
        action: "verify".into(),
        entity: "household".into(),
        entity_key: r.household_no.clone(),
        before: None,
        after: Some(serde_json::json!({ "check": id, "on": r.on, "authorisation": r.authorisation.reference, "items": r.items.len() })),
    }
}

pub(crate) fn link_decision_audit(id: i64, accept: bool) -> AuditEntry {
    AuditEntry {
        action: if accept { "link_accepted" } else { "link_rejected" }.into(),
        entity: "dept_record".into(),
        entity_key: id.to_string(),
        before: Some(serde_json::json!({ "link": "review" })),
        after: Some(serde_json::json!({ "link": if accept { "matched" } else { "unlinked" } })),
    }
}

pub(crate) fn finding_step_audit(updated: &Finding, event: &FindingEvent) -> AuditEntry {
    AuditEntry {
        action: event.action.clone(),
        entity: "finding".into(),
        entity_key: updated.id.to_string(),
        before: Some(serde_json::json!({ "status": event.from })),
        after: Some(serde_json::json!({ "status": event.to, "detail": event.detail, "comment": event.comment })),
    }
}

pub(crate) fn run_audit(id: i64, run: &PolicyRun, units: usize) -> AuditEntry {
    AuditEntry {
        action: run.kind.clone(),
        entity: "policy_run".into(),
        entity_key: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "region": run.region, "on": run.on, "units": units })),
    }
}

pub(crate) fn password_audit(name: &str) -> AuditEntry {
    AuditEntry { action: "set_password".into(), entity: "account".into(), entity_key: name.to_string(), before: None, after: None }
}

/// Maps a unique-key violation to `Conflict`.
pub(crate) fn conflict(e: sqlx::Error, what: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what.to_string()),
        _ => StoreError::Database(e),
    }
}

pub(crate) fn paginate_audit(items: &mut Vec<AuditRecord>, limit: u32) -> Page<AuditRecord> {
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|r| r.id.to_string()).unwrap_or_default()
    });
    Page { items: std::mem::take(items), next }
}
