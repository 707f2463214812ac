//! 社会组织's own tables (`migrations/<backend>/7101_socialorg.sql`) and their store trait, written
//! once for both databases. Every change is audited in its own transaction; the credit code is
//! given in the transaction that registers, under a lock on PostgreSQL.

use super::model::{body_code, CreditList, Inspection, ListReason, OrgKind, OrgStatus};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use minzheng_domain::{CreditCode, RegionCode};
use minzheng_store::{Actor, AuditEntry, Handle, Migration, ModuleMigrations, Result, Store, StoreError};
use serde::Serialize;

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "socialorg",
    sqlite: &[Migration { version: 7101, name: "socialorg", sql: include_str!("migrations/sqlite/7101_socialorg.sql") }],
    postgres: &[Migration { version: 7101, name: "socialorg", sql: include_str!("migrations/postgres/7101_socialorg.sql") }],
};

/// 社会组织 as registered (or applied for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// The registering authority's region.
    pub region: String,
    pub credit_code: Option<String>,
    pub legal_rep_id: String,
    pub legal_rep_name: String,
    pub supervisor: String,
    pub capital_fen: i64,
    pub individual_members: u32,
    pub unit_members: u32,
    pub public_raising: bool,
    pub address: String,
    pub scope: String,
    pub status: OrgStatus,
    pub received_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    /// Why refused, or the registration's note.
    pub decision_note: String,
    pub deregistered_on: Option<NaiveDate>,
    /// 1 to 5 (A), with its score and day.
    pub rating: Option<u8>,
    pub rating_score: Option<u32>,
    pub rated_on: Option<NaiveDate>,
    pub recorded_by: String,
}

/// 变更、注销、处罚.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgEvent {
    pub id: i64,
    pub org_id: i64,
    /// `change`, `deregister`, `penalty`.
    pub kind: String,
    pub happened_on: NaiveDate,
    pub filed_on: NaiveDate,
    /// Filed after its statutory limit.
    pub late: bool,
    pub detail: String,
    pub fine_fen: i64,
    pub recorded_by: String,
}

/// 年度报告 and 年检结论 of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub org_id: i64,
    pub year: i32,
    pub to_supervisor_on: Option<NaiveDate>,
    pub to_registry_on: Option<NaiveDate>,
    pub inspection: Option<Inspection>,
}

/// An entry on a credit list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    pub id: i64,
    pub org_id: i64,
    pub list: CreditList,
    pub reason: ListReason,
    pub listed_on: NaiveDate,
    /// 决定书 or other basis.
    pub basis: String,
    pub rectified_on: Option<NaiveDate>,
    pub removed_on: Option<NaiveDate>,
    pub removal_note: String,
    pub recorded_by: String,
}

/// An organisation as the public search shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicOrg {
    pub org: Org,
    /// Open entries on the credit lists.
    pub listed: Vec<ListEntry>,
}

/// The registry office's desk for a region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub applied: u64,
    pub active: u64,
    pub groups: u64,
    pub services: u64,
    pub foundations: u64,
    pub abnormal: u64,
    pub serious: u64,
}

#[async_trait]
pub trait SocialOrgStore: Send + Sync {
    /// Receives an application (status applied); a name applied for or registered is a conflict.
    async fn add_application(&self, o: &Org, actor: &Actor) -> Result<i64>;
    /// Many registered organisations at once (the demo's and the benchmark's), with their codes
    /// given in order; not audited one by one (one record for the load).
    async fn load_orgs(&self, orgs: &[Org], actor: &Actor) -> Result<u64>;
    async fn org(&self, id: i64) -> Result<Option<Org>>;
    /// Decides an application: registered with the region's next credit code, or refused with the
    /// reason. False, changing nothing, when it was decided already.
    async fn decide(&self, id: i64, approve: bool, on: NaiveDate, note: &str, actor: &Actor) -> Result<Option<Org>>;
    /// Records a change, deregistration or penalty; a deregistration ends the registration.
    async fn add_event(&self, e: &OrgEvent, actor: &Actor) -> Result<i64>;
    async fn events_of(&self, org_id: i64) -> Result<Vec<OrgEvent>>;
    /// Records a penalty and lists the organisation for it in one transaction (an open entry on
    /// that list already stands); a revocation ends the registration. Returns whether it was
    /// listed anew.
    async fn penalise(&self, e: &OrgEvent, entry: &ListEntry, revoke: bool, actor: &Actor) -> Result<bool>;
    /// Records a year's report dates and inspection (a second record of a year is a conflict).
    async fn add_report(&self, r: &Report, actor: &Actor) -> Result<()>;
    async fn reports_of(&self, org_id: i64) -> Result<Vec<Report>>;
    async fn set_rating(&self, org_id: i64, grade: u8, score: u32, on: NaiveDate, actor: &Actor) -> Result<()>;
    /// Lists an organisation; a second open entry on the same list is a conflict.
    async fn add_entry(&self, e: &ListEntry, actor: &Actor) -> Result<i64>;
    async fn entry(&self, id: i64) -> Result<Option<ListEntry>>;
    /// Removes an entry (the rectification's date when it was one); false when removed already.
    async fn remove_entry(&self, id: i64, rectified_on: Option<NaiveDate>, on: NaiveDate, note: &str, actor: &Actor) -> Result<bool>;
    async fn entries_of(&self, org_id: i64) -> Result<Vec<ListEntry>>;
    /// The public search: a credit code exactly, or names containing the text (the first
    /// `limit` in registration order, shown by name); registered, deregistered or revoked
    /// organisations only; with their open list entries.
    async fn search_public(&self, q: &str, limit: u32) -> Result<Vec<PublicOrg>>;
    /// Organisations of the region in a status: applications oldest received first, the others
    /// newest first.
    async fn orgs_in(&self, region: &RegionCode, status: OrgStatus, limit: u32) -> Result<Vec<Org>>;
    /// Registered organisations of the region, registered on or before `by`, with no report to
    /// the registry for `year`.
    async fn reports_missing(&self, region: &RegionCode, year: i32, by: NaiveDate, limit: u32) -> Result<(Vec<Org>, u64)>;
    /// Open entries of a list in the region, listed on or before `by`, oldest first.
    async fn open_entries(&self, region: &RegionCode, list: CreditList, by: NaiveDate, limit: u32) -> Result<Vec<(ListEntry, Org)>>;
    async fn counts(&self, region: &RegionCode) -> Result<Counts>;
}

/// The module's store on whichever database the platform's store runs.
pub fn socialorg_store(store: &dyn Store) -> &dyn SocialOrgStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn audit(action: &str, entity_key: String, after: serde_json::Value) -> AuditEntry {
    AuditEntry { action: action.into(), entity: "social_org".into(), entity_key, before: None, after: Some(after) }
}

/// The `[lo, hi)` range of codes within a region.
fn range(region: &RegionCode) -> (String, String) {
    (region.as_str().to_string(), format!("{}~", region.as_str()))
}

/// The name's bigrams (a one-character name: itself), for the public search.
pub fn grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() < 2 {
        return chars.iter().map(ToString::to_string).collect();
    }
    let mut out: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    out.sort();
    out.dedup();
    out
}

/// The six digits of a region in a credit code (the city 2101 is 210100).
pub fn code_region(region: &str) -> String {
    format!("{region:0<6}")
}

const ORG_COLUMNS: &str =
    "id, name, kind, region, credit_code, legal_rep_id, legal_rep_name, supervisor, capital_fen, individual_members, \
     unit_members, public_raising, address, scope, status, received_on, decided_on, decision_note, deregistered_on, rating, rating_score, \
     rated_on, recorded_by";
const EVENT_COLUMNS: &str = "id, org_id, kind, happened_on, filed_on, late, detail, fine_fen, recorded_by";
const ENTRY_COLUMNS: &str = "id, org_id, list, reason, listed_on, basis, rectified_on, removed_on, removal_note, recorded_by";

macro_rules! impl_socialorg_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn org_from(r: &<$db as sqlx::Database>::Row) -> Result<Org> {
                let text = |c: &str| -> Result<String> { Ok(r.try_get(c)?) };
                let n = |c: &str| -> Result<u32> { Ok(u32::try_from(r.try_get::<i32, _>(c)?).unwrap_or(0)) };
                let kind = text("kind")?;
                let status = text("status")?;
                Ok(Org {
                    id: r.try_get("id")?,
                    name: text("name")?,
                    kind: OrgKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
                    region: text("region")?,
                    credit_code: r.try_get("credit_code")?,
                    legal_rep_id: text("legal_rep_id")?,
                    legal_rep_name: text("legal_rep_name")?,
                    supervisor: text("supervisor")?,
                    capital_fen: r.try_get("capital_fen")?,
                    individual_members: n("individual_members")?,
                    unit_members: n("unit_members")?,
                    public_raising: r.try_get::<i32, _>("public_raising")? != 0,
                    address: text("address")?,
                    scope: text("scope")?,
                    status: OrgStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                    received_on: r.try_get("received_on")?,
                    decided_on: r.try_get("decided_on")?,
                    decision_note: text("decision_note")?,
                    deregistered_on: r.try_get("deregistered_on")?,
                    rating: r.try_get::<Option<i32>, _>("rating")?.and_then(|g| u8::try_from(g).ok()),
                    rating_score: r.try_get::<Option<i32>, _>("rating_score")?.and_then(|g| u32::try_from(g).ok()),
                    rated_on: r.try_get("rated_on")?,
                    recorded_by: text("recorded_by")?,
                })
            }

            fn event_from(r: &<$db as sqlx::Database>::Row) -> Result<OrgEvent> {
                Ok(OrgEvent {
                    id: r.try_get("id")?,
                    org_id: r.try_get("org_id")?,
                    kind: r.try_get("kind")?,
                    happened_on: r.try_get("happened_on")?,
                    filed_on: r.try_get("filed_on")?,
                    late: r.try_get::<i32, _>("late")? != 0,
                    detail: r.try_get("detail")?,
                    fine_fen: r.try_get("fine_fen")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            }

            fn entry_from(r: &<$db as sqlx::Database>::Row) -> Result<ListEntry> {
                let list: String = r.try_get("list")?;
                let reason: String = r.try_get("reason")?;
                Ok(ListEntry {
                    id: r.try_get("id")?,
                    org_id: r.try_get("org_id")?,
                    list: CreditList::parse(&list).ok_or_else(|| corrupt("list", &list))?,
                    reason: ListReason::parse(&reason).ok_or_else(|| corrupt("reason", &reason))?,
                    listed_on: r.try_get("listed_on")?,
                    basis: r.try_get("basis")?,
                    rectified_on: r.try_get("rectified_on")?,
                    removed_on: r.try_get("removed_on")?,
                    removal_note: r.try_get("removal_note")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            }

            fn report_from(r: &<$db as sqlx::Database>::Row) -> Result<Report> {
                let inspection: Option<String> = r.try_get("inspection")?;
                Ok(Report {
                    org_id: r.try_get("org_id")?,
                    year: r.try_get("year")?,
                    to_supervisor_on: r.try_get("to_supervisor_on")?,
                    to_registry_on: r.try_get("to_registry_on")?,
                    inspection: inspection.as_deref().and_then(Inspection::parse),
                })
            }

            async fn insert_orgs(tx: &mut sqlx::Transaction<'static, $db>, orgs: &[Org], by: &str) -> Result<Vec<i64>> {
                let mut ids = Vec::with_capacity(orgs.len());
                for chunk in orgs.chunks(400) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO social_orgs (name, kind, region, credit_code, legal_rep_id, legal_rep_name, supervisor, capital_fen, \
                         individual_members, unit_members, public_raising, address, scope, status, received_on, decided_on, decision_note, \
                         deregistered_on, rating, rating_score, rated_on, recorded_by, updated_at) ",
                    );
                    let now = Utc::now();
                    qb.push_values(chunk, |mut b, o| {
                        b.push_bind(o.name.clone())
                            .push_bind(o.kind.as_str())
                            .push_bind(o.region.clone())
                            .push_bind(o.credit_code.clone())
                            .push_bind(o.legal_rep_id.clone())
                            .push_bind(o.legal_rep_name.clone())
                            .push_bind(o.supervisor.clone())
                            .push_bind(o.capital_fen)
                            .push_bind(i32::try_from(o.individual_members).unwrap_or(i32::MAX))
                            .push_bind(i32::try_from(o.unit_members).unwrap_or(i32::MAX))
                            .push_bind(i32::from(o.public_raising))
                            .push_bind(o.address.clone())
                            .push_bind(o.scope.clone())
                            .push_bind(o.status.as_str())
                            .push_bind(o.received_on)
                            .push_bind(o.decided_on)
                            .push_bind(o.decision_note.clone())
                            .push_bind(o.deregistered_on)
                            .push_bind(o.rating.map(i32::from))
                            .push_bind(o.rating_score.and_then(|s| i32::try_from(s).ok()))
                            .push_bind(o.rated_on)
                            .push_bind(by.to_string())
                            .push_bind(now);
                    });
                    // RETURNING's order is not the VALUES' order on every database: ids are
                    // matched to the rows by name (unique within a load).
                    qb.push(" RETURNING id, name");
                    let mut by_name = std::collections::HashMap::new();
                    for r in qb.build().fetch_all(&mut **tx).await.map_err(|e| minzheng_store::conflict_of(e, "the name"))? {
                        by_name.insert(r.try_get::<String, _>("name")?, r.try_get::<i64, _>("id")?);
                    }
                    for o in chunk {
                        ids.push(*by_name.get(&o.name).ok_or_else(|| StoreError::Conflict(format!("the name {:?} twice in one load", o.name)))?);
                    }
                }
                let rows: Vec<(String, i64)> =
                    orgs.iter().zip(&ids).flat_map(|(o, id)| grams(&o.name).into_iter().map(move |g| (g, *id))).collect();
                for chunk in rows.chunks(1000) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO social_org_grams (gram, org_id) ");
                    qb.push_values(chunk, |mut b, (g, id)| {
                        b.push_bind(g.clone()).push_bind(*id);
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(ids)
            }

            async fn lock(tx: &mut sqlx::Transaction<'static, $db>) -> Result<()> {
                if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                    sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294633)").execute(&mut **tx).await?;
                }
                Ok(())
            }

            #[async_trait]
            impl SocialOrgStore for $store {
                async fn add_application(&self, o: &Org, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let id = insert_orgs(&mut tx, std::slice::from_ref(o), &actor.name).await?[0];
                    let after = serde_json::json!({ "name": o.name, "kind": o.kind, "region": o.region, "received_on": o.received_on });
                    <$store>::write_audit(&mut tx, actor, &[audit("receive_application", id.to_string(), after)]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn load_orgs(&self, orgs: &[Org], actor: &Actor) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let ids = insert_orgs(&mut tx, orgs, &actor.name).await?;
                    // A load large enough to change the planner's picture (PostgreSQL's statistics).
                    if orgs.len() >= 1000 {
                        <$store as minzheng_store::Dialect>::after_bulk_load(&mut tx, "social_orgs, social_org_grams").await?;
                    }
                    let after = serde_json::json!({ "organisations": ids.len() });
                    <$store>::write_audit(&mut tx, actor, &[audit("load", "bulk".into(), after)]).await?;
                    tx.commit().await?;
                    Ok(u64::try_from(ids.len()).unwrap_or(0))
                }

                async fn org(&self, id: i64) -> Result<Option<Org>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ORG_COLUMNS} FROM social_orgs WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(org_from).transpose()
                }

                async fn decide(&self, id: i64, approve: bool, on: NaiveDate, note: &str, actor: &Actor) -> Result<Option<Org>> {
                    let mut tx = self.begin_write().await?;
                    lock(&mut tx).await?;
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ORG_COLUMNS} FROM social_orgs WHERE id = "));
                    qb.push_bind(id);
                    let Some(o) = qb.build().fetch_optional(&mut *tx).await?.as_ref().map(org_from).transpose()? else {
                        return Err(StoreError::NotFound(format!("organisation {id}")));
                    };
                    if o.status != OrgStatus::Applied {
                        return Ok(None);
                    }
                    let code = if approve {
                        let region = code_region(&o.region);
                        // The region's highest serial so far (codes loaded or given out of order
                        // included): characters 11-16 of `5` kind region `MJ` serial.
                        let mut qb = QueryBuilder::<$db>::new("SELECT MAX(substr(credit_code, 11, 6)) AS n FROM social_orgs WHERE credit_code LIKE ");
                        qb.push_bind(format!("5_{region}MJ%"));
                        let n: i64 = qb.build().fetch_one(&mut *tx).await?.try_get::<Option<String>, _>("n")?.and_then(|n| n.parse().ok()).unwrap_or(0);
                        let code = CreditCode::from_parts(o.kind.code_char(), &region, &body_code(n + 1))
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                        Some(code.to_string())
                    } else {
                        None
                    };
                    let status = if approve { OrgStatus::Active } else { OrgStatus::Refused };
                    let mut qb = QueryBuilder::<$db>::new("UPDATE social_orgs SET status = ");
                    qb.push_bind(status.as_str()).push(", decided_on = ").push_bind(on).push(", decision_note = ").push_bind(note.to_string());
                    qb.push(", credit_code = ").push_bind(code.clone()).push(", updated_at = ").push_bind(Utc::now());
                    qb.push(" WHERE status = 'applied' AND id = ").push_bind(id);
                    qb.build().execute(&mut *tx).await?;
                    let decided = Org { status, decided_on: Some(on), decision_note: note.to_string(), credit_code: code, ..o };
                    let after = serde_json::json!({ "status": status.as_str(), "credit_code": decided.credit_code, "note": note, "on": on });
                    <$store>::write_audit(&mut tx, actor, &[audit(if approve { "register" } else { "refuse" }, id.to_string(), after)]).await?;
                    tx.commit().await?;
                    Ok(Some(decided))
                }

                async fn add_event(&self, e: &OrgEvent, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    if e.kind == "deregister" {
                        let mut qb = QueryBuilder::<$db>::new("UPDATE social_orgs SET status = 'deregistered', deregistered_on = ");
                        qb.push_bind(e.filed_on).push(", updated_at = ").push_bind(Utc::now());
                        qb.push(" WHERE status = 'active' AND id = ").push_bind(e.org_id);
                        if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                            return Err(StoreError::Conflict("the organisation is not registered".into()));
                        }
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO social_org_events (org_id, kind, happened_on, filed_on, late, detail, fine_fen, recorded_by, recorded_at) ",
                    );
                    qb.push_values([e], |mut b, e| {
                        b.push_bind(e.org_id)
                            .push_bind(e.kind.clone())
                            .push_bind(e.happened_on)
                            .push_bind(e.filed_on)
                            .push_bind(i32::from(e.late))
                            .push_bind(e.detail.clone())
                            .push_bind(e.fine_fen)
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let after = serde_json::json!({ "kind": e.kind, "happened_on": e.happened_on, "filed_on": e.filed_on, "late": e.late, "detail": e.detail, "fine_fen": e.fine_fen });
                    <$store>::write_audit(&mut tx, actor, &[audit(&format!("record_{}", e.kind), e.org_id.to_string(), after)]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn events_of(&self, org_id: i64) -> Result<Vec<OrgEvent>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {EVENT_COLUMNS} FROM social_org_events WHERE org_id = "));
                    qb.push_bind(org_id).push(" ORDER BY happened_on, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(event_from).collect()
                }

                async fn penalise(&self, e: &OrgEvent, entry: &ListEntry, revoke: bool, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    lock(&mut tx).await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO social_org_events (org_id, kind, happened_on, filed_on, late, detail, fine_fen, recorded_by, recorded_at) ",
                    );
                    qb.push_values([e], |mut b, e| {
                        b.push_bind(e.org_id)
                            .push_bind("penalty")
                            .push_bind(e.happened_on)
                            .push_bind(e.filed_on)
                            .push_bind(0i32)
                            .push_bind(e.detail.clone())
                            .push_bind(e.fine_fen)
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.build().execute(&mut *tx).await?;
                    let mut audits = vec![audit(
                        "record_penalty",
                        e.org_id.to_string(),
                        serde_json::json!({ "happened_on": e.happened_on, "detail": e.detail, "fine_fen": e.fine_fen, "revoked": revoke }),
                    )];
                    if revoke {
                        let mut qb = QueryBuilder::<$db>::new("UPDATE social_orgs SET status = 'revoked', updated_at = ");
                        qb.push_bind(Utc::now()).push(" WHERE status = 'active' AND id = ").push_bind(e.org_id);
                        qb.build().execute(&mut *tx).await?;
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT id FROM social_org_list_entries WHERE removed_on IS NULL AND org_id = ");
                    qb.push_bind(entry.org_id).push(" AND list = ").push_bind(entry.list.as_str());
                    let open = qb.build().fetch_optional(&mut *tx).await?.is_some();
                    if !open {
                        let mut qb = QueryBuilder::<$db>::new(
                            "INSERT INTO social_org_list_entries (org_id, list, reason, listed_on, basis, recorded_by) ",
                        );
                        qb.push_values([entry], |mut b, x| {
                            b.push_bind(x.org_id)
                                .push_bind(x.list.as_str())
                                .push_bind(x.reason.as_str())
                                .push_bind(x.listed_on)
                                .push_bind(x.basis.clone())
                                .push_bind(actor.name.clone());
                        });
                        qb.push(" RETURNING id");
                        let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                        audits.push(audit(
                            "list",
                            entry.org_id.to_string(),
                            serde_json::json!({ "entry": id, "list": entry.list.as_str(), "reason": entry.reason.as_str(), "listed_on": entry.listed_on, "basis": entry.basis }),
                        ));
                    }
                    <$store>::write_audit(&mut tx, actor, &audits).await?;
                    tx.commit().await?;
                    Ok(!open)
                }

                async fn add_report(&self, r: &Report, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO social_org_reports (org_id, year, to_supervisor_on, to_registry_on, inspection, recorded_by) ",
                    );
                    qb.push_values([r], |mut b, r| {
                        b.push_bind(r.org_id)
                            .push_bind(r.year)
                            .push_bind(r.to_supervisor_on)
                            .push_bind(r.to_registry_on)
                            .push_bind(r.inspection.map(Inspection::as_str))
                            .push_bind(actor.name.clone());
                    });
                    qb.build().execute(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the year's report"))?;
                    let after = serde_json::json!({ "year": r.year, "to_supervisor_on": r.to_supervisor_on, "to_registry_on": r.to_registry_on, "inspection": r.inspection });
                    <$store>::write_audit(&mut tx, actor, &[audit("record_report", r.org_id.to_string(), after)]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn reports_of(&self, org_id: i64) -> Result<Vec<Report>> {
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT org_id, year, to_supervisor_on, to_registry_on, inspection FROM social_org_reports WHERE org_id = ",
                    );
                    qb.push_bind(org_id).push(" ORDER BY year");
                    qb.build().fetch_all(self.pool()).await?.iter().map(report_from).collect()
                }

                async fn set_rating(&self, org_id: i64, grade: u8, score: u32, on: NaiveDate, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE social_orgs SET rating = ");
                    qb.push_bind(i32::from(grade)).push(", rating_score = ").push_bind(i32::try_from(score).unwrap_or(0));
                    qb.push(", rated_on = ").push_bind(on).push(", updated_at = ").push_bind(Utc::now());
                    qb.push(" WHERE status = 'active' AND id = ").push_bind(org_id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict("the organisation is not registered".into()));
                    }
                    let after = serde_json::json!({ "rating": grade, "score": score, "rated_on": on });
                    <$store>::write_audit(&mut tx, actor, &[audit("rate", org_id.to_string(), after)]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn add_entry(&self, e: &ListEntry, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    lock(&mut tx).await?;
                    let mut qb = QueryBuilder::<$db>::new("SELECT listed_on FROM social_org_list_entries WHERE removed_on IS NULL AND org_id = ");
                    qb.push_bind(e.org_id).push(" AND list = ").push_bind(e.list.as_str());
                    if let Some(r) = qb.build().fetch_optional(&mut *tx).await? {
                        let on: NaiveDate = r.try_get("listed_on")?;
                        return Err(StoreError::Conflict(format!("listed since {on}")));
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO social_org_list_entries (org_id, list, reason, listed_on, basis, recorded_by) ",
                    );
                    qb.push_values([e], |mut b, e| {
                        b.push_bind(e.org_id)
                            .push_bind(e.list.as_str())
                            .push_bind(e.reason.as_str())
                            .push_bind(e.listed_on)
                            .push_bind(e.basis.clone())
                            .push_bind(actor.name.clone());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let after = serde_json::json!({ "entry": id, "list": e.list.as_str(), "reason": e.reason.as_str(), "listed_on": e.listed_on, "basis": e.basis });
                    <$store>::write_audit(&mut tx, actor, &[audit("list", e.org_id.to_string(), after)]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn entry(&self, id: i64) -> Result<Option<ListEntry>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ENTRY_COLUMNS} FROM social_org_list_entries WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(entry_from).transpose()
                }

                async fn remove_entry(&self, id: i64, rectified_on: Option<NaiveDate>, on: NaiveDate, note: &str, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE social_org_list_entries SET removed_on = ");
                    qb.push_bind(on).push(", rectified_on = ").push_bind(rectified_on).push(", removal_note = ").push_bind(note.to_string());
                    qb.push(" WHERE removed_on IS NULL AND id = ").push_bind(id);
                    qb.push(" RETURNING org_id");
                    let Some(r) = qb.build().fetch_optional(&mut *tx).await? else { return Ok(false) };
                    let org: i64 = r.try_get("org_id")?;
                    let after = serde_json::json!({ "entry": id, "removed_on": on, "rectified_on": rectified_on, "note": note });
                    <$store>::write_audit(&mut tx, actor, &[audit("unlist", org.to_string(), after)]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn entries_of(&self, org_id: i64) -> Result<Vec<ListEntry>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ENTRY_COLUMNS} FROM social_org_list_entries WHERE org_id = "));
                    qb.push_bind(org_id).push(" ORDER BY listed_on, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(entry_from).collect()
                }

                async fn search_public(&self, q: &str, limit: u32) -> Result<Vec<PublicOrg>> {
                    let q = q.trim();
                    let public = "status IN ('active', 'deregistered', 'revoked')";
                    let columns = ORG_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect::<Vec<_>>().join(", ");
                    let rows = if let Ok(code) = CreditCode::parse(q) {
                        let mut qb = QueryBuilder::<$db>::new(format!("SELECT {columns} FROM social_orgs o WHERE o.{public} AND o.credit_code = "));
                        qb.push_bind(code.to_string());
                        qb.build().fetch_all(self.pool()).await?
                    } else {
                        let g = grams(q);
                        if g.is_empty() {
                            return Ok(Vec::new());
                        }
                        // The rarest of the text's character pairs (counted up to a bound on the
                        // index), its candidates read in index order until enough match the
                        // whole text.
                        let mut best: Option<(i64, String)> = None;
                        for gram in &g {
                            let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM (SELECT 1 FROM social_org_grams WHERE gram = ");
                            qb.push_bind(gram.clone()).push(" LIMIT 2000) c");
                            let n: i64 = qb.build().fetch_one(self.pool()).await?.try_get("n")?;
                            if best.as_ref().is_none_or(|(m, _)| n < *m) {
                                best = Some((n, gram.clone()));
                            }
                            if n == 0 {
                                return Ok(Vec::new());
                            }
                        }
                        let (_, rarest) = best.unwrap_or_default();
                        let mut qb = QueryBuilder::<$db>::new(format!(
                            "SELECT {columns} FROM social_org_grams g JOIN social_orgs o ON o.id = g.org_id WHERE g.gram = "
                        ));
                        qb.push_bind(rarest);
                        let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                        qb.push(format!(" AND o.{public} AND LOWER(o.name) LIKE ")).push_bind(format!("%{escaped}%")).push(" ESCAPE '\\'");
                        qb.push(" ORDER BY g.org_id LIMIT ").push_bind(i64::from(limit));
                        qb.build().fetch_all(self.pool()).await?
                    };
                    let mut orgs: Vec<Org> = rows.iter().map(org_from).collect::<Result<_>>()?;
                    orgs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
                    if orgs.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ENTRY_COLUMNS} FROM social_org_list_entries WHERE removed_on IS NULL AND org_id IN ("));
                    let mut s = qb.separated(", ");
                    for o in &orgs {
                        s.push_bind(o.id);
                    }
                    qb.push(") ORDER BY listed_on");
                    let entries: Vec<ListEntry> = qb.build().fetch_all(self.pool()).await?.iter().map(entry_from).collect::<Result<_>>()?;
                    Ok(orgs
                        .into_iter()
                        .map(|org| {
                            let listed = entries.iter().filter(|e| e.org_id == org.id).cloned().collect();
                            PublicOrg { org, listed }
                        })
                        .collect())
                }

                async fn orgs_in(&self, region: &RegionCode, status: OrgStatus, limit: u32) -> Result<Vec<Org>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ORG_COLUMNS} FROM social_orgs WHERE region >= "));
                    qb.push_bind(lo).push(" AND region < ").push_bind(hi).push(" AND status = ").push_bind(status.as_str());
                    // Applications oldest first (the nearest limits); others newest first.
                    qb.push(if status == OrgStatus::Applied { " ORDER BY received_on, id" } else { " ORDER BY received_on DESC, id DESC" });
                    qb.push(" LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(org_from).collect()
                }

                async fn reports_missing(&self, region: &RegionCode, year: i32, by: NaiveDate, limit: u32) -> Result<(Vec<Org>, u64)> {
                    let (lo, hi) = range(region);
                    let filter = |qb: &mut QueryBuilder<$db>| {
                        qb.push_bind(lo.clone()).push(" AND o.region < ").push_bind(hi.clone());
                        qb.push(" AND o.status = 'active' AND o.decided_on <= ").push_bind(by);
                        qb.push(" AND NOT EXISTS (SELECT 1 FROM social_org_reports r WHERE r.org_id = o.id AND r.to_registry_on IS NOT NULL AND r.year = ");
                        qb.push_bind(year).push(")");
                    };
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM social_orgs o WHERE o.region >= ");
                    filter(&mut qb);
                    let n: i64 = qb.build().fetch_one(self.pool()).await?.try_get("n")?;
                    let columns = ORG_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect::<Vec<_>>().join(", ");
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {columns} FROM social_orgs o WHERE o.region >= "));
                    filter(&mut qb);
                    qb.push(" ORDER BY o.name, o.id LIMIT ").push_bind(i64::from(limit));
                    let list = qb.build().fetch_all(self.pool()).await?.iter().map(org_from).collect::<Result<_>>()?;
                    Ok((list, u64::try_from(n).unwrap_or(0)))
                }

                async fn open_entries(&self, region: &RegionCode, list: CreditList, by: NaiveDate, limit: u32) -> Result<Vec<(ListEntry, Org)>> {
                    let (lo, hi) = range(region);
                    let e_cols = ENTRY_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {e_cols} FROM social_org_list_entries e JOIN social_orgs o ON o.id = e.org_id WHERE e.removed_on IS NULL AND e.list = "
                    ));
                    qb.push_bind(list.as_str()).push(" AND e.listed_on <= ").push_bind(by);
                    qb.push(" AND o.region >= ").push_bind(lo).push(" AND o.region < ").push_bind(hi);
                    qb.push(" ORDER BY e.listed_on, e.id LIMIT ").push_bind(i64::from(limit));
                    let entries: Vec<ListEntry> = qb.build().fetch_all(self.pool()).await?.iter().map(entry_from).collect::<Result<_>>()?;
                    let mut out = Vec::with_capacity(entries.len());
                    for e in entries {
                        let o = self.org(e.org_id).await?.ok_or_else(|| corrupt("org", &e.org_id.to_string()))?;
                        out.push((e, o));
                    }
                    Ok(out)
                }

                async fn counts(&self, region: &RegionCode) -> Result<Counts> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new("SELECT status, kind, COUNT(*) AS n FROM social_orgs WHERE region >= ");
                    qb.push_bind(lo.clone()).push(" AND region < ").push_bind(hi.clone()).push(" GROUP BY status, kind");
                    let mut c = Counts::default();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let status: String = r.try_get("status")?;
                        let kind: String = r.try_get("kind")?;
                        let n = u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0);
                        match status.as_str() {
                            "applied" => c.applied += n,
                            "active" => {
                                c.active += n;
                                match OrgKind::parse(&kind) {
                                    Some(OrgKind::Group) => c.groups += n,
                                    Some(OrgKind::Service) => c.services += n,
                                    Some(OrgKind::Foundation) => c.foundations += n,
                                    None => {}
                                }
                            }
                            _ => {}
                        }
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT e.list, COUNT(*) AS n FROM social_org_list_entries e JOIN social_orgs o ON o.id = e.org_id \
                         WHERE e.removed_on IS NULL AND o.region >= ",
                    );
                    qb.push_bind(lo).push(" AND o.region < ").push_bind(hi).push(" GROUP BY e.list");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let list: String = r.try_get("list")?;
                        let n = u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0);
                        match list.as_str() {
                            "abnormal" => c.abnormal = n,
                            _ => c.serious = n,
                        }
                    }
                    Ok(c)
                }
            }
        };
    };
}

impl_socialorg_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_socialorg_store!(minzheng_store::PgStore, sqlx::Postgres);
