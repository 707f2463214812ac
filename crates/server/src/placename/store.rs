//! 地名's own table (`migrations/<backend>/7201_placename.sql`) and its store trait, written once
//! for both databases. A name is checked against the county's register in the transaction that
//! stores it (under a lock on PostgreSQL), so that two desks cannot give one name twice.

use super::model::{Category, Status};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use minzheng_domain::RegionCode;
use minzheng_store::{Actor, AuditEntry, Handle, Migration, ModuleMigrations, Result, Store, StoreError};
use serde::Serialize;

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "placename",
    sqlite: &[
        Migration { version: 7201, name: "placename", sql: include_str!("migrations/sqlite/7201_placename.sql") },
        Migration { version: 7202, name: "door_plates", sql: include_str!("migrations/sqlite/7202_door_plates.sql") },
    ],
    postgres: &[
        Migration { version: 7201, name: "placename", sql: include_str!("migrations/postgres/7201_placename.sql") },
        Migration { version: 7202, name: "door_plates", sql: include_str!("migrations/postgres/7202_door_plates.sql") },
    ],
};

/// 地名 as registered, with its procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlaceName {
    pub id: i64,
    pub county: String,
    pub category: Category,
    pub specific: String,
    pub generic: String,
    pub name: String,
    pub location: String,
    pub reason: String,
    pub renames_id: Option<i64>,
    pub status: Status,
    pub applied_on: NaiveDate,
    pub review: String,
    pub reviewed_on: Option<NaiveDate>,
    pub consult_from: Option<NaiveDate>,
    pub consult_to: Option<NaiveDate>,
    pub consult_note: String,
    /// Approved or refused on.
    pub decided_on: Option<NaiveDate>,
    pub approver: String,
    pub approval_no: String,
    pub refused_reason: String,
    pub filed_on: Option<NaiveDate>,
    pub announced_on: Option<NaiveDate>,
    pub recorded_by: String,
}

/// A step of the procedure, with what it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Review { opinion: String, on: NaiveDate },
    Consult { from: NaiveDate, to: NaiveDate, note: String },
    Approve { on: NaiveDate, approver: String, number: String },
    Refuse { on: NaiveDate, reason: String },
    File { on: NaiveDate },
    Announce { on: NaiveDate },
}

impl Step {
    /// The statuses the step may be taken from, and the one it leads to (none: unchanged).
    pub fn from_to(&self) -> (&'static [Status], Option<Status>) {
        match self {
            Step::Review { .. } => (&[Status::Applied], Some(Status::Reviewed)),
            Step::Consult { .. } => (&[Status::Reviewed], Some(Status::Consulted)),
            Step::Approve { .. } => (&[Status::Consulted], Some(Status::Approved)),
            Step::Refuse { .. } => (&[Status::Applied, Status::Reviewed, Status::Consulted], Some(Status::Refused)),
            Step::File { .. } | Step::Announce { .. } => (&[Status::Approved], None),
        }
    }
    pub fn action(&self) -> &'static str {
        match self {
            Step::Review { .. } => "review_name",
            Step::Consult { .. } => "consult_name",
            Step::Approve { .. } => "approve_name",
            Step::Refuse { .. } => "refuse_name",
            Step::File { .. } => "file_name",
            Step::Announce { .. } => "announce_name",
        }
    }
}

/// 门牌: a number on a standard name given to a building of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorPlate {
    pub id: i64,
    pub county: String,
    pub street_id: i64,
    /// The standard name it is on (read with the plate).
    pub street: String,
    pub number: String,
    pub community_code: String,
    pub building_name: String,
    pub applied_on: NaiveDate,
    pub assigned_on: NaiveDate,
}

impl DoorPlate {
    /// 标准地址: the name and the number.
    pub fn address(&self) -> String {
        format!("{}{}号", self.street, self.number)
    }
}

/// How the registry's households of a region stand against the standard addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AddressReport {
    pub households: u64,
    /// In a building with a door plate: their standard address is known.
    pub with_plate: u64,
    /// Of those, whose recorded address already names the standard one.
    pub recorded_standard: u64,
    /// Buildings of the registry with households and no door plate (most households first).
    pub unplated: Vec<(String, String, u64)>,
}

#[async_trait]
pub trait PlaceNameStore: Send + Sync {
    /// Stores an application; a name the county holds already (applied for or standard, in a
    /// category that may not repeat) is a conflict naming the holder (`duplicate:<id>`).
    async fn add(&self, p: &PlaceName, actor: &Actor) -> Result<i64>;
    async fn get(&self, id: i64) -> Result<Option<PlaceName>>;
    /// Takes a step; false, changing nothing, when the name is not in a status it may be taken
    /// from. An approval of a rename marks the former name renamed in the same transaction.
    async fn step(&self, id: i64, step: &Step, actor: &Actor) -> Result<bool>;
    /// The names of the counties within `region`, newest applied first.
    async fn names_in(&self, region: &RegionCode, limit: u32) -> Result<Vec<PlaceName>>;
    /// Approved names not yet filed or announced, oldest approval first.
    async fn unpublished(&self, region: &RegionCode, limit: u32) -> Result<Vec<PlaceName>>;
    /// The names a name renamed, newest first (its former names).
    async fn former_names(&self, id: i64) -> Result<Vec<PlaceName>>;
    /// Gives a door plate: a number not yet on the name, a building of the registry without one
    /// (`number_taken`, `building_plated`, `no_building` conflicts), audited.
    async fn add_plate(&self, p: &DoorPlate, actor: &Actor) -> Result<i64>;
    /// The door plates of the counties within `region`, by name and number.
    async fn plates_in(&self, region: &RegionCode, limit: u32) -> Result<Vec<DoorPlate>>;
    /// The registry's households of `region` against the standard addresses.
    async fn address_report(&self, region: &RegionCode, limit: u32) -> Result<AddressReport>;
}

pub fn placename_store(store: &dyn Store) -> &dyn PlaceNameStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// The `[lo, hi)` range of codes within a region (a street's or community's range holds no
/// county: an empty register).
fn range(region: &RegionCode) -> (String, String) {
    (region.as_str().to_string(), format!("{}~", region.as_str()))
}

const COLUMNS: &str =
    "id, county, category, specific, generic, name, location, reason, renames_id, status, applied_on, review, reviewed_on, \
     consult_from, consult_to, consult_note, decided_on, approver, approval_no, refused_reason, filed_on, announced_on, recorded_by";

macro_rules! impl_placename_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn from_row(r: &<$db as sqlx::Database>::Row) -> Result<PlaceName> {
                let text = |c: &str| -> Result<String> { Ok(r.try_get(c)?) };
                let category = text("category")?;
                let status = text("status")?;
                Ok(PlaceName {
                    id: r.try_get("id")?,
                    county: text("county")?,
                    category: Category::parse(&category).ok_or_else(|| corrupt("category", &category))?,
                    specific: text("specific")?,
                    generic: text("generic")?,
                    name: text("name")?,
                    location: text("location")?,
                    reason: text("reason")?,
                    renames_id: r.try_get("renames_id")?,
                    status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                    applied_on: r.try_get("applied_on")?,
                    review: text("review")?,
                    reviewed_on: r.try_get("reviewed_on")?,
                    consult_from: r.try_get("consult_from")?,
                    consult_to: r.try_get("consult_to")?,
                    consult_note: text("consult_note")?,
                    decided_on: r.try_get("decided_on")?,
                    approver: text("approver")?,
                    approval_no: text("approval_no")?,
                    refused_reason: text("refused_reason")?,
                    filed_on: r.try_get("filed_on")?,
                    announced_on: r.try_get("announced_on")?,
                    recorded_by: text("recorded_by")?,
                })
            }

            fn plate_from(r: &<$db as sqlx::Database>::Row) -> Result<DoorPlate> {
                Ok(DoorPlate {
                    id: r.try_get("id")?,
                    county: r.try_get("county")?,
                    street_id: r.try_get("street_id")?,
                    street: r.try_get("street")?,
                    number: r.try_get("number")?,
                    community_code: r.try_get("community_code")?,
                    building_name: r.try_get("building_name")?,
                    applied_on: r.try_get("applied_on")?,
                    assigned_on: r.try_get("assigned_on")?,
                })
            }

            #[async_trait]
            impl PlaceNameStore for $store {
                async fn add(&self, p: &PlaceName, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                        sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294634)").execute(&mut *tx).await?;
                    }
                    // One rename of a name at a time.
                    if let Some(old) = p.renames_id {
                        let mut qb = QueryBuilder::<$db>::new("SELECT id FROM place_names WHERE status IN ('applied', 'reviewed', 'consulted') AND renames_id = ");
                        qb.push_bind(old);
                        if let Some(r) = qb.build().fetch_optional(&mut *tx).await? {
                            let id: i64 = r.try_get("id")?;
                            return Err(StoreError::Conflict(format!("rename_open:{id}")));
                        }
                    }
                    if p.category.unique_in_county() {
                        let mut qb = QueryBuilder::<$db>::new("SELECT id FROM place_names WHERE county = ");
                        qb.push_bind(p.county.clone()).push(" AND name = ").push_bind(p.name.clone());
                        qb.push(" AND status IN ('applied', 'reviewed', 'consulted', 'approved') AND category IN ('settlement', 'street', 'building')");
                        // A rename may keep the name it renames while in procedure.
                        if let Some(old) = p.renames_id {
                            qb.push(" AND id <> ").push_bind(old);
                        }
                        if let Some(r) = qb.build().fetch_optional(&mut *tx).await? {
                            let id: i64 = r.try_get("id")?;
                            return Err(StoreError::Conflict(format!("duplicate:{id}")));
                        }
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO place_names (county, category, specific, generic, name, location, reason, renames_id, status, applied_on, \
                         recorded_by, updated_at) ",
                    );
                    qb.push_values([p], |mut b, p| {
                        b.push_bind(p.county.clone())
                            .push_bind(p.category.as_str())
                            .push_bind(p.specific.clone())
                            .push_bind(p.generic.clone())
                            .push_bind(p.name.clone())
                            .push_bind(p.location.clone())
                            .push_bind(p.reason.clone())
                            .push_bind(p.renames_id)
                            .push_bind(Status::Applied.as_str())
                            .push_bind(p.applied_on)
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let entry = AuditEntry {
                        action: "apply_name".into(),
                        entity: "place_name".into(),
                        entity_key: id.to_string(),
                        before: None,
                        after: Some(serde_json::json!({ "county": p.county, "category": p.category, "name": p.name, "location": p.location, "reason": p.reason, "renames": p.renames_id })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn get(&self, id: i64) -> Result<Option<PlaceName>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM place_names WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(from_row).transpose()
                }

                async fn step(&self, id: i64, step: &Step, actor: &Actor) -> Result<bool> {
                    let (from, to) = step.from_to();
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE place_names SET updated_at = ");
                    qb.push_bind(Utc::now());
                    if let Some(to) = to {
                        qb.push(", status = ").push_bind(to.as_str());
                    }
                    match step {
                        Step::Review { opinion, on } => {
                            qb.push(", review = ").push_bind(opinion.clone()).push(", reviewed_on = ").push_bind(*on);
                        }
                        Step::Consult { from, to, note } => {
                            qb.push(", consult_from = ").push_bind(*from).push(", consult_to = ").push_bind(*to);
                            qb.push(", consult_note = ").push_bind(note.clone());
                        }
                        Step::Approve { on, approver, number } => {
                            qb.push(", decided_on = ").push_bind(*on).push(", approver = ").push_bind(approver.clone());
                            qb.push(", approval_no = ").push_bind(number.clone());
                        }
                        Step::Refuse { on, reason } => {
                            qb.push(", decided_on = ").push_bind(*on).push(", refused_reason = ").push_bind(reason.clone());
                        }
                        Step::File { on } => {
                            qb.push(", filed_on = ").push_bind(*on);
                        }
                        Step::Announce { on } => {
                            qb.push(", announced_on = ").push_bind(*on);
                        }
                    }
                    qb.push(" WHERE id = ").push_bind(id);
                    // Filed and announced once each.
                    match step {
                        Step::File { .. } => {
                            qb.push(" AND filed_on IS NULL");
                        }
                        Step::Announce { .. } => {
                            qb.push(" AND announced_on IS NULL");
                        }
                        _ => {}
                    }
                    qb.push(" AND status IN (");
                    let mut s = qb.separated(", ");
                    for f in from {
                        s.push_bind(f.as_str());
                    }
                    qb.push(")");
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let after = serde_json::to_value(step).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let mut entries = vec![AuditEntry {
                        action: step.action().into(),
                        entity: "place_name".into(),
                        entity_key: id.to_string(),
                        before: Some(serde_json::json!({ "status": from.iter().map(|f| f.as_str()).collect::<Vec<_>>() })),
                        after: Some(after),
                    }];
                    if let Step::Approve { .. } = step {
                        // The former name of a rename becomes history; if it is no longer a
                        // standard name (renamed meanwhile) the approval does not stand.
                        let mut qb = QueryBuilder::<$db>::new("SELECT renames_id FROM place_names WHERE id = ");
                        qb.push_bind(id);
                        let old: Option<i64> = qb.build().fetch_one(&mut *tx).await?.try_get("renames_id")?;
                        if let Some(old) = old {
                            let mut qb = QueryBuilder::<$db>::new("UPDATE place_names SET status = 'renamed', updated_at = ");
                            qb.push_bind(Utc::now()).push(" WHERE status = 'approved' AND id = ").push_bind(old);
                            if qb.build().execute(&mut *tx).await?.rows_affected() != 1 {
                                return Ok(false);
                            }
                            entries.push(AuditEntry {
                                action: "rename".into(),
                                entity: "place_name".into(),
                                entity_key: old.to_string(),
                                before: Some(serde_json::json!({ "status": "approved" })),
                                after: Some(serde_json::json!({ "status": "renamed", "by": id })),
                            });
                        }
                    }
                    <$store>::write_audit(&mut tx, actor, &entries).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn names_in(&self, region: &RegionCode, limit: u32) -> Result<Vec<PlaceName>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM place_names WHERE county >= "));
                    qb.push_bind(lo).push(" AND county < ").push_bind(hi);
                    qb.push(" ORDER BY applied_on DESC, id DESC LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(from_row).collect()
                }

                async fn unpublished(&self, region: &RegionCode, limit: u32) -> Result<Vec<PlaceName>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {COLUMNS} FROM place_names WHERE status = 'approved' AND (filed_on IS NULL OR announced_on IS NULL) AND county >= "
                    ));
                    qb.push_bind(lo).push(" AND county < ").push_bind(hi);
                    qb.push(" ORDER BY decided_on, id LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(from_row).collect()
                }

                async fn add_plate(&self, p: &DoorPlate, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                        sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294634)").execute(&mut *tx).await?;
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT 1 AS x FROM buildings WHERE community_code = ");
                    qb.push_bind(p.community_code.clone()).push(" AND name = ").push_bind(p.building_name.clone());
                    if qb.build().fetch_optional(&mut *tx).await?.is_none() {
                        return Err(StoreError::Conflict("no_building".into()));
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT number FROM door_plates WHERE community_code = ");
                    qb.push_bind(p.community_code.clone()).push(" AND building_name = ").push_bind(p.building_name.clone());
                    if let Some(r) = qb.build().fetch_optional(&mut *tx).await? {
                        let n: String = r.try_get("number")?;
                        return Err(StoreError::Conflict(format!("building_plated:{n}")));
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT building_name FROM door_plates WHERE street_id = ");
                    qb.push_bind(p.street_id).push(" AND number = ").push_bind(p.number.clone());
                    if let Some(r) = qb.build().fetch_optional(&mut *tx).await? {
                        let b: String = r.try_get("building_name")?;
                        return Err(StoreError::Conflict(format!("number_taken:{b}")));
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO door_plates (county, street_id, number, community_code, building_name, applied_on, assigned_on, recorded_by) ",
                    );
                    qb.push_values([p], |mut b, p| {
                        b.push_bind(p.county.clone())
                            .push_bind(p.street_id)
                            .push_bind(p.number.clone())
                            .push_bind(p.community_code.clone())
                            .push_bind(p.building_name.clone())
                            .push_bind(p.applied_on)
                            .push_bind(p.assigned_on)
                            .push_bind(actor.name.clone());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let entry = AuditEntry {
                        action: "assign_door_plate".into(),
                        entity: "door_plate".into(),
                        entity_key: id.to_string(),
                        before: None,
                        after: Some(serde_json::json!({ "address": p.address(), "community": p.community_code, "building": p.building_name, "applied_on": p.applied_on, "assigned_on": p.assigned_on })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn plates_in(&self, region: &RegionCode, limit: u32) -> Result<Vec<DoorPlate>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT d.id, d.county, d.street_id, n.name AS street, d.number, d.community_code, d.building_name, d.applied_on, d.assigned_on \
                         FROM door_plates d JOIN place_names n ON n.id = d.street_id WHERE d.community_code >= ",
                    );
                    qb.push_bind(lo).push(" AND d.community_code < ").push_bind(hi);
                    qb.push(" ORDER BY n.name, d.number, d.id LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(plate_from).collect()
                }

                async fn address_report(&self, region: &RegionCode, limit: u32) -> Result<AddressReport> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN d.id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS plated, \
                         CAST(SUM(CASE WHEN d.id IS NOT NULL AND h.address LIKE '%' || n.name || d.number || '号%' THEN 1 ELSE 0 END) AS BIGINT) AS standard \
                         FROM households h LEFT JOIN door_plates d ON d.community_code = h.community_code AND d.building_name = h.building_name \
                         LEFT JOIN place_names n ON n.id = d.street_id WHERE h.community_code >= ",
                    );
                    qb.push_bind(lo.clone()).push(" AND h.community_code < ").push_bind(hi.clone());
                    let r = qb.build().fetch_one(self.pool()).await?;
                    let n = |c: &str| -> Result<u64> { Ok(u64::try_from(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)).unwrap_or(0)) };
                    let mut report = AddressReport { households: n("n")?, with_plate: n("plated")?, recorded_standard: n("standard")?, unplated: Vec::new() };
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT h.community_code, h.building_name, COUNT(*) AS n FROM households h WHERE h.building_name IS NOT NULL AND h.community_code >= ",
                    );
                    qb.push_bind(lo).push(" AND h.community_code < ").push_bind(hi);
                    qb.push(" AND NOT EXISTS (SELECT 1 FROM door_plates d WHERE d.community_code = h.community_code AND d.building_name = h.building_name)");
                    qb.push(" GROUP BY h.community_code, h.building_name ORDER BY COUNT(*) DESC, h.community_code, h.building_name LIMIT ").push_bind(i64::from(limit));
                    for r in qb.build().fetch_all(self.pool()).await? {
                        report.unplated.push((r.try_get("community_code")?, r.try_get("building_name")?, u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0)));
                    }
                    Ok(report)
                }

                async fn former_names(&self, id: i64) -> Result<Vec<PlaceName>> {
                    let mut out = Vec::new();
                    let mut next = self.get(id).await?.and_then(|p| p.renames_id);
                    while let Some(old) = next {
                        let Some(p) = self.get(old).await? else { break };
                        // Only names actually replaced (a rename still in procedure or refused
                        // leaves its name standard).
                        if p.status != Status::Renamed {
                            break;
                        }
                        next = p.renames_id.filter(|n| *n != id && !out.iter().any(|x: &PlaceName| x.id == *n));
                        out.push(p);
                    }
                    Ok(out)
                }
            }
        };
    };
}

impl_placename_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_placename_store!(minzheng_store::PgStore, sqlx::Postgres);
