//! 养老服务's own tables (`migrations/<backend>/5001_eldercare.sql`) and their store trait,
//! written once for both databases. An assessment writes the person's self-care into the
//! registry's person facts in its own transaction, so the rules read it from the moment it is
//! stored.

use super::assessment::{assess, AbilityLevel, Answers, Outcome, Reason};
use super::model::{Beds, Filing, Inspection, InspectionResult, Institution, InstitutionStatus, Ownership, Residency};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::{PersonFact, RegionCode};
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store, StoreError};
use serde::Serialize;

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "eldercare",
    sqlite: &[
        Migration { version: 5001, name: "eldercare", sql: include_str!("migrations/sqlite/5001_eldercare.sql") },
        Migration { version: 5002, name: "inspections", sql: include_str!("migrations/sqlite/5002_inspections.sql") },
        Migration { version: 5003, name: "residents_person", sql: include_str!("migrations/sqlite/5003_residents_person.sql") },
        Migration { version: 5004, name: "newest_assessment", sql: include_str!("migrations/sqlite/5004_newest_assessment.sql") },
        Migration { version: 5005, name: "homecare", sql: include_str!("migrations/sqlite/5005_homecare.sql") },
    ],
    postgres: &[
        Migration { version: 5001, name: "eldercare", sql: include_str!("migrations/postgres/5001_eldercare.sql") },
        Migration { version: 5002, name: "inspections", sql: include_str!("migrations/postgres/5002_inspections.sql") },
        Migration { version: 5003, name: "residents_person", sql: include_str!("migrations/postgres/5003_residents_person.sql") },
        Migration { version: 5004, name: "newest_assessment", sql: include_str!("migrations/postgres/5004_newest_assessment.sql") },
        Migration { version: 5005, name: "homecare", sql: include_str!("migrations/postgres/5005_homecare.sql") },
    ],
};

/// 能力评估记录: an assessment as recorded, with its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRecord {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    /// The community of the person's household when assessed.
    pub community: String,
    pub assessed_on: NaiveDate,
    pub reason: Reason,
    /// 评估员 (two by the standard: named together).
    pub assessor: String,
    /// 评估机构.
    pub organisation: String,
    pub answers: Answers,
    pub outcome: Outcome,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A county's counts as the indicators need them (see [`super::model::CountyFacts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountyCounts {
    pub elders: Vec<(String, u64)>,
    pub beds: Vec<(String, Beds, u64)>,
    pub residents: Vec<(String, u64)>,
    /// County, 特困 persons, of them dependent, of those in an institution.
    pub tekun: Vec<(String, u64, u64, u64)>,
    /// County, level, persons (by each one's newest assessment).
    pub assessed: Vec<(String, AbilityLevel, u64)>,
}

#[async_trait]
pub trait EldercareStore: Send + Sync {
    /// Stores an assessment and, when it is the person's newest, their self-care for the rules;
    /// returns its id.
    async fn add_assessment(&self, a: &AssessmentRecord, actor: &Actor) -> Result<i64>;
    async fn assessment(&self, id: i64) -> Result<Option<AssessmentRecord>>;
    /// A person's assessments, newest first.
    async fn assessments_of(&self, id_number: &str) -> Result<Vec<AssessmentRecord>>;
    /// Files an institution: gives it the county's next receipt number of the year; returns it.
    async fn add_institution(&self, i: &Institution, actor: &Actor) -> Result<Institution>;
    async fn institution(&self, id: i64) -> Result<Option<Institution>>;
    /// Institutions whose region is within `region`, by region and name.
    async fn institutions(&self, region: &RegionCode) -> Result<Vec<Institution>>;
    /// Records a change of grade, beds, status or closure (`after` as given), audited with what
    /// it was before.
    async fn update_institution(&self, before: &Institution, after: &Institution, action: &str, actor: &Actor) -> Result<()>;
    /// The institution filed with a registration certificate (the newest), if any.
    async fn institution_by_registration(&self, registration: &str) -> Result<Option<Institution>>;
    /// Admits a person; a person living in another institution is a conflict.
    async fn admit(&self, r: &Residency, actor: &Actor) -> Result<i64>;
    /// Ends a residence on a date (audited on the person); an ended one is a conflict.
    async fn discharge(&self, r: &Residency, on: NaiveDate, actor: &Actor) -> Result<()>;
    /// An institution's residents, the present ones first, then by admission.
    async fn residents(&self, institution_id: i64) -> Result<Vec<Residency>>;
    /// Where a person lives now, if in an institution.
    async fn residency_of(&self, id_number: &str) -> Result<Option<Residency>>;
    /// Every residence (present and past) of these persons in 特困 concentrated support: the
    /// payments send their support to the institution's account.
    async fn concentrated_residencies(&self, id_numbers: &[String]) -> Result<Vec<Residency>>;
    /// The residences not ended of persons the registry records as deceased, with the date of
    /// death (a death recorded by an import or a funeral record: the records decide, so a run
    /// that stopped halfway is finished by the next); `only` one person's.
    async fn residents_deceased(&self, only: Option<&str>) -> Result<Vec<(Residency, Option<NaiveDate>)>>;
    /// Records an inspection (audited on the institution); returns its id.
    async fn add_inspection(&self, i: &Inspection, receipt: &str, actor: &Actor) -> Result<i64>;
    /// An institution's inspections, newest first.
    async fn inspections(&self, institution_id: i64) -> Result<Vec<Inspection>>;
    /// The date of each institution's newest inspection up to `day`, of those within `region`.
    async fn last_inspections(&self, region: &RegionCode, day: NaiveDate) -> Result<Vec<(i64, NaiveDate)>>;
    /// The newest assessments, within `region`, of living persons, made on or before `before`
    /// (their routine re-assessment due), oldest first, at most `limit`; and how many there are.
    async fn due_assessments(&self, region: &RegionCode, before: NaiveDate, limit: u32) -> Result<(Vec<AssessmentRecord>, u64)>;
    /// The counts of every county within `region` on `day` (elders are those born on or before
    /// `born_by`).
    async fn county_counts(&self, region: &RegionCode, day: NaiveDate, born_by: NaiveDate) -> Result<CountyCounts>;
}

/// The module's store on whichever database the platform's store runs.
pub fn eldercare_store(store: &dyn Store) -> &dyn EldercareStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// What elderly care records in the audit log.
pub enum EldercareEvent<'a> {
    Assessed(&'a AssessmentRecord),
    Filed(&'a Institution),
    Changed { before: &'a Institution, after: &'a Institution, action: &'a str },
    Admitted(&'a Residency),
    Discharged { residency: &'a Residency, on: NaiveDate },
    Inspected { inspection: &'a Inspection, receipt: &'a str },
}

impl AuditEvent for EldercareEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            EldercareEvent::Assessed(a) => AuditEntry {
                action: "assess_ability".into(),
                entity: "person".into(),
                entity_key: a.id_number.clone(),
                before: None,
                after: Some(serde_json::json!({
                    "assessed_on": a.assessed_on, "reason": a.reason, "assessor": a.assessor, "organisation": a.organisation,
                    "scores": a.answers.digits(), "total": a.outcome.total, "level": a.outcome.level,
                    "self_care_failed": a.outcome.self_care_failed,
                })),
            },
            EldercareEvent::Filed(i) => AuditEntry {
                action: "file_institution".into(),
                entity: "care_institution".into(),
                entity_key: i.receipt.clone(),
                before: None,
                after: Some(
                    serde_json::json!({ "name": i.filing.name, "region": i.filing.region, "beds": i.filing.beds, "filed_late": i.filed_late }),
                ),
            },
            EldercareEvent::Changed { before, after, action } => {
                let state = |i: &Institution| {
                    serde_json::json!({
                        "grade": i.grade, "status": i.status, "closes_on": i.closes_on,
                        "beds": i.filing.beds, "resettlement_plan": i.resettlement_plan,
                    })
                };
                AuditEntry {
                    action: action.to_string(),
                    entity: "care_institution".into(),
                    entity_key: after.receipt.clone(),
                    before: Some(state(before)),
                    after: Some(state(after)),
                }
            }
            EldercareEvent::Admitted(r) => AuditEntry {
                action: "admit_resident".into(),
                entity: "person".into(),
                entity_key: r.id_number.clone(),
                before: None,
                after: Some(
                    serde_json::json!({ "institution": r.institution_id, "admitted_on": r.admitted_on, "concentrated": r.concentrated }),
                ),
            },
            EldercareEvent::Inspected { inspection, receipt } => AuditEntry {
                action: "inspect_institution".into(),
                entity: "care_institution".into(),
                entity_key: receipt.to_string(),
                before: None,
                after: Some(minzheng_store::audit_value(inspection)),
            },
            EldercareEvent::Discharged { residency, on } => AuditEntry {
                action: "discharge_resident".into(),
                entity: "person".into(),
                entity_key: residency.id_number.clone(),
                before: Some(serde_json::json!({ "institution": residency.institution_id, "admitted_on": residency.admitted_on })),
                after: Some(serde_json::json!({ "discharged_on": on })),
            },
        }
    }
}

const ASSESSMENT_COLUMNS: &str = "id, id_number, name, community, assessed_on, reason, assessor, organisation, scores, coma, dementia, \
     mental_disorder, risk_events, recorded_by, recorded_at";
const INSTITUTION_COLUMNS: &str = "id, name, region, address, legal_representative, premises, beds_total, beds_nursing, beds_day_care, \
     beds_home, floor_area, contact, registration, pledge, first_admission, ownership, tekun_home, regional_centre, filed_on, receipt, \
     filed_late, grade, status, closes_on, resettlement_plan";
const RESIDENT_COLUMNS: &str = "id, institution_id, id_number, name, admitted_on, discharged_on, concentrated";

/// The `[lo, hi)` range of codes within a region.
fn range(region: &RegionCode) -> (String, String) {
    (region.as_str().to_string(), format!("{}~", region.as_str()))
}

macro_rules! impl_eldercare_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn assessment_from(r: &<$db as sqlx::Database>::Row) -> Result<AssessmentRecord> {
                let digits: String = r.try_get("scores")?;
                let reason: String = r.try_get("reason")?;
                let answers = Answers {
                    scores: Answers::scores_of(&digits).ok_or_else(|| corrupt("scores", &digits))?,
                    coma: r.try_get("coma")?,
                    dementia: r.try_get("dementia")?,
                    mental_disorder: r.try_get("mental_disorder")?,
                    risk_events: u8::try_from(r.try_get::<i32, _>("risk_events")?).unwrap_or(u8::MAX),
                };
                let outcome = assess(&answers).map_err(|e| corrupt("assessment", &e.to_string()))?;
                Ok(AssessmentRecord {
                    id: r.try_get("id")?,
                    id_number: r.try_get("id_number")?,
                    name: r.try_get("name")?,
                    community: r.try_get("community")?,
                    assessed_on: r.try_get("assessed_on")?,
                    reason: Reason::parse(&reason).ok_or_else(|| corrupt("reason", &reason))?,
                    assessor: r.try_get("assessor")?,
                    organisation: r.try_get("organisation")?,
                    answers,
                    outcome,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            }

            fn institution_from(r: &<$db as sqlx::Database>::Row) -> Result<Institution> {
                let region: String = r.try_get("region")?;
                let ownership: String = r.try_get("ownership")?;
                let status: String = r.try_get("status")?;
                Ok(Institution {
                    id: r.try_get("id")?,
                    filing: Filing {
                        name: r.try_get("name")?,
                        region: RegionCode::parse(&region).map_err(|_| corrupt("region", &region))?,
                        address: r.try_get("address")?,
                        legal_representative: r.try_get("legal_representative")?,
                        premises: r.try_get("premises")?,
                        beds: Beds {
                            total: r.try_get("beds_total")?,
                            nursing: r.try_get("beds_nursing")?,
                            day_care: r.try_get("beds_day_care")?,
                            home: r.try_get("beds_home")?,
                        },
                        floor_area: r.try_get("floor_area")?,
                        contact: r.try_get("contact")?,
                        registration: r.try_get("registration")?,
                        pledge: r.try_get("pledge")?,
                        first_admission: r.try_get("first_admission")?,
                        ownership: Ownership::parse(&ownership).ok_or_else(|| corrupt("ownership", &ownership))?,
                        tekun_home: r.try_get("tekun_home")?,
                        regional_centre: r.try_get("regional_centre")?,
                    },
                    filed_on: r.try_get("filed_on")?,
                    receipt: r.try_get("receipt")?,
                    filed_late: r.try_get("filed_late")?,
                    grade: r.try_get::<Option<i32>, _>("grade")?.and_then(|g| u8::try_from(g).ok()),
                    status: InstitutionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                    closes_on: r.try_get("closes_on")?,
                    resettlement_plan: r.try_get("resettlement_plan")?,
                })
            }

            fn residency_from(r: &<$db as sqlx::Database>::Row) -> Result<Residency> {
                Ok(Residency {
                    id: r.try_get("id")?,
                    institution_id: r.try_get("institution_id")?,
                    id_number: r.try_get("id_number")?,
                    name: r.try_get("name")?,
                    admitted_on: r.try_get("admitted_on")?,
                    discharged_on: r.try_get("discharged_on")?,
                    concentrated: r.try_get("concentrated")?,
                })
            }

            fn inspection_from(r: &<$db as sqlx::Database>::Row) -> Result<Inspection> {
                let result: String = r.try_get("result")?;
                Ok(Inspection {
                    id: r.try_get("id")?,
                    institution_id: r.try_get("institution_id")?,
                    inspected_on: r.try_get("inspected_on")?,
                    result: InspectionResult::parse(&result).ok_or_else(|| corrupt("result", &result))?,
                    findings: r.try_get("findings")?,
                    inspector: r.try_get("inspector")?,
                    rectify_by: r.try_get("rectify_by")?,
                })
            }

            fn count(v: i64) -> u64 {
                u64::try_from(v).unwrap_or(0)
            }

            #[async_trait]
            impl EldercareStore for $store {
                async fn add_assessment(&self, a: &AssessmentRecord, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO ability_assessments (id_number, name, community, assessed_on, reason, assessor, organisation, scores, \
                         coma, dementia, mental_disorder, risk_events, total, level, self_care_failed, recorded_by, recorded_at) ",
                    );
                    qb.push_values([a], |mut b, a| {
                        b.push_bind(a.id_number.clone())
                            .push_bind(a.name.clone())
                            .push_bind(a.community.clone())
                            .push_bind(a.assessed_on)
                            .push_bind(a.reason.as_str())
                            .push_bind(a.assessor.clone())
                            .push_bind(a.organisation.clone())
                            .push_bind(a.answers.digits())
                            .push_bind(a.answers.coma)
                            .push_bind(a.answers.dementia)
                            .push_bind(a.answers.mental_disorder)
                            .push_bind(i32::from(a.answers.risk_events))
                            .push_bind(i32::from(a.outcome.total))
                            .push_bind(a.outcome.level.as_str())
                            .push_bind(i32::from(a.outcome.self_care_failed))
                            .push_bind(actor.name.clone())
                            .push_bind(a.recorded_at);
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    // Mark the person's newest assessment (by its date, then its number).
                    let mut qb = QueryBuilder::<$db>::new("UPDATE ability_assessments SET newest = (id = (SELECT b.id FROM ability_assessments b WHERE b.id_number = ");
                    qb.push_bind(a.id_number.clone()).push(" ORDER BY b.assessed_on DESC, b.id DESC LIMIT 1)) WHERE id_number = ").push_bind(a.id_number.clone());
                    qb.build().execute(&mut *tx).await?;
                    // The newest assessment (by its date) sets the person's self-care.
                    sqlx::query::<$db>(minzheng_store::UPSERT_PERSON_FACT)
                        .bind(a.id_number.clone())
                        .bind(PersonFact::SELF_CARE_FAILED)
                        .bind(i64::from(a.outcome.self_care_failed))
                        .bind(a.assessed_on)
                        .bind(format!("能力评估 #{id}"))
                        .bind(a.recorded_at)
                        .execute(&mut *tx)
                        .await?;
                    let stored = AssessmentRecord { id, ..a.clone() };
                    <$store>::write_audit(&mut tx, actor, &[EldercareEvent::Assessed(&stored).entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn assessment(&self, id: i64) -> Result<Option<AssessmentRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ASSESSMENT_COLUMNS} FROM ability_assessments WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(assessment_from).transpose()
                }

                async fn assessments_of(&self, id_number: &str) -> Result<Vec<AssessmentRecord>> {
                    let mut qb =
                        QueryBuilder::<$db>::new(format!("SELECT {ASSESSMENT_COLUMNS} FROM ability_assessments WHERE id_number = "));
                    qb.push_bind(id_number.to_string()).push(" ORDER BY assessed_on DESC, id DESC");
                    qb.build().fetch_all(self.pool()).await?.iter().map(assessment_from).collect()
                }

                async fn add_institution(&self, i: &Institution, actor: &Actor) -> Result<Institution> {
                    let mut tx = self.begin_write().await?;
                    // PostgreSQL: one numbering at a time (SQLite's writing transaction holds the
                    // file's write lock from its start).
                    if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                        sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294621)").execute(&mut *tx).await?;
                    }
                    let county: String = i.filing.region.as_str().chars().take(6).collect();
                    let prefix = super::model::receipt_no(&i.filing.region, i.filed_on, 0);
                    let prefix = prefix.trim_end_matches("0000").to_string();
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM care_institutions WHERE receipt LIKE ");
                    qb.push_bind(format!("{prefix}%"));
                    let n: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("n")?;
                    let filed = Institution { receipt: super::model::receipt_no(&i.filing.region, i.filed_on, n + 1), ..i.clone() };
                    debug_assert!(filed.receipt.contains(&county));
                    let f = &filed.filing;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO care_institutions (name, region, address, legal_representative, premises, beds_total, beds_nursing, \
                         beds_day_care, beds_home, floor_area, contact, registration, pledge, first_admission, ownership, tekun_home, \
                         regional_centre, filed_on, receipt, filed_late, grade, status, closes_on, resettlement_plan, filed_by, filed_at) ",
                    );
                    qb.push_values([&filed], |mut b, i| {
                        b.push_bind(f.name.clone())
                            .push_bind(f.region.to_string())
                            .push_bind(f.address.clone())
                            .push_bind(f.legal_representative.clone())
                            .push_bind(f.premises.clone())
                            .push_bind(f.beds.total)
                            .push_bind(f.beds.nursing)
                            .push_bind(f.beds.day_care)
                            .push_bind(f.beds.home)
                            .push_bind(f.floor_area)
                            .push_bind(f.contact.clone())
                            .push_bind(f.registration.clone())
                            .push_bind(f.pledge)
                            .push_bind(f.first_admission)
                            .push_bind(f.ownership.as_str())
                            .push_bind(f.tekun_home)
                            .push_bind(f.regional_centre)
                            .push_bind(i.filed_on)
                            .push_bind(i.receipt.clone())
                            .push_bind(i.filed_late)
                            .push_bind(i.grade.map(i32::from))
                            .push_bind(i.status.as_str())
                            .push_bind(i.closes_on)
                            .push_bind(i.resettlement_plan.clone())
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the receipt number"))?.try_get("id")?;
                    let filed = Institution { id, ..filed };
                    <$store>::write_audit(&mut tx, actor, &[EldercareEvent::Filed(&filed).entry()]).await?;
                    tx.commit().await?;
                    Ok(filed)
                }

                async fn institution(&self, id: i64) -> Result<Option<Institution>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {INSTITUTION_COLUMNS} FROM care_institutions WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(institution_from).transpose()
                }

                async fn institutions(&self, region: &RegionCode) -> Result<Vec<Institution>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {INSTITUTION_COLUMNS} FROM care_institutions WHERE region >= "));
                    qb.push_bind(lo).push(" AND region < ").push_bind(hi).push(" ORDER BY region, name, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(institution_from).collect()
                }

                async fn update_institution(&self, before: &Institution, i: &Institution, action: &str, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE care_institutions SET grade = ");
                    qb.push_bind(i.grade.map(i32::from))
                        .push(", status = ")
                        .push_bind(i.status.as_str())
                        .push(", closes_on = ")
                        .push_bind(i.closes_on)
                        .push(", resettlement_plan = ")
                        .push_bind(i.resettlement_plan.clone())
                        .push(", beds_total = ")
                        .push_bind(i.filing.beds.total)
                        .push(", beds_nursing = ")
                        .push_bind(i.filing.beds.nursing)
                        .push(", beds_day_care = ")
                        .push_bind(i.filing.beds.day_care)
                        .push(", beds_home = ")
                        .push_bind(i.filing.beds.home)
                        .push(" WHERE id = ")
                        .push_bind(i.id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::NotFound(format!("institution {}", i.id)));
                    }
                    <$store>::write_audit(&mut tx, actor, &[EldercareEvent::Changed { before, after: i, action }.entry()]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn institution_by_registration(&self, registration: &str) -> Result<Option<Institution>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {INSTITUTION_COLUMNS} FROM care_institutions WHERE registration = "));
                    qb.push_bind(registration.to_string()).push(" ORDER BY id DESC LIMIT 1");
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(institution_from).transpose()
                }

                async fn admit(&self, r: &Residency, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO care_residents (institution_id, id_number, name, admitted_on, discharged_on, concentrated, recorded_by, recorded_at) ",
                    );
                    qb.push_values([r], |mut b, r| {
                        b.push_bind(r.institution_id)
                            .push_bind(r.id_number.clone())
                            .push_bind(r.name.clone())
                            .push_bind(r.admitted_on)
                            .push_bind(r.discharged_on)
                            .push_bind(r.concentrated)
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb
                        .build()
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|e| minzheng_store::conflict_of(e, "the person's current residence"))?
                        .try_get("id")?;
                    <$store>::write_audit(&mut tx, actor, &[EldercareEvent::Admitted(&Residency { id, ..r.clone() }).entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn discharge(&self, r: &Residency, on: NaiveDate, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE care_residents SET discharged_on = ");
                    qb.push_bind(on).push(" WHERE discharged_on IS NULL AND id = ").push_bind(r.id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict("the residence is already ended".into()));
                    }
                    <$store>::write_audit(&mut tx, actor, &[EldercareEvent::Discharged { residency: r, on }.entry()]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn residents(&self, institution_id: i64) -> Result<Vec<Residency>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {RESIDENT_COLUMNS} FROM care_residents WHERE institution_id = "));
                    qb.push_bind(institution_id).push(" ORDER BY CASE WHEN discharged_on IS NULL THEN 0 ELSE 1 END, admitted_on, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(residency_from).collect()
                }

                async fn residency_of(&self, id_number: &str) -> Result<Option<Residency>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {RESIDENT_COLUMNS} FROM care_residents WHERE id_number = "));
                    qb.push_bind(id_number.to_string()).push(" AND discharged_on IS NULL");
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(residency_from).transpose()
                }

                async fn concentrated_residencies(&self, id_numbers: &[String]) -> Result<Vec<Residency>> {
                    let mut out = Vec::new();
                    for chunk in id_numbers.chunks(5000) {
                        let mut qb =
                            QueryBuilder::<$db>::new(format!("SELECT {RESIDENT_COLUMNS} FROM care_residents WHERE concentrated AND id_number IN ("));
                        let mut sep = qb.separated(", ");
                        for id in chunk {
                            sep.push_bind(id.clone());
                        }
                        qb.push(")");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push(residency_from(&r)?);
                        }
                    }
                    Ok(out)
                }

                async fn residents_deceased(&self, only: Option<&str>) -> Result<Vec<(Residency, Option<NaiveDate>)>> {
                    let columns = RESIDENT_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ");
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {columns}, p.status_date AS died_on FROM care_residents r JOIN persons p ON p.id_number = r.id_number \
                         WHERE r.discharged_on IS NULL AND p.status = 'deceased'"
                    ));
                    if let Some(id) = only {
                        qb.push(" AND r.id_number = ").push_bind(id.to_string());
                    }
                    qb.push(" ORDER BY r.id");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(|r| Ok((residency_from(r)?, r.try_get("died_on")?))).collect()
                }

                async fn add_inspection(&self, i: &Inspection, receipt: &str, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO care_inspections (institution_id, inspected_on, result, findings, inspector, rectify_by, recorded_by, recorded_at) ",
                    );
                    qb.push_values([i], |mut b, i| {
                        b.push_bind(i.institution_id)
                            .push_bind(i.inspected_on)
                            .push_bind(i.result.as_str())
                            .push_bind(i.findings.clone())
                            .push_bind(i.inspector.clone())
                            .push_bind(i.rectify_by)
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let stored = Inspection { id, ..i.clone() };
                    <$store>::write_audit(&mut tx, actor, &[EldercareEvent::Inspected { inspection: &stored, receipt }.entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn inspections(&self, institution_id: i64) -> Result<Vec<Inspection>> {
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT id, institution_id, inspected_on, result, findings, inspector, rectify_by FROM care_inspections WHERE institution_id = ",
                    );
                    qb.push_bind(institution_id).push(" ORDER BY inspected_on DESC, id DESC");
                    qb.build().fetch_all(self.pool()).await?.iter().map(inspection_from).collect()
                }

                async fn last_inspections(&self, region: &RegionCode, day: NaiveDate) -> Result<Vec<(i64, NaiveDate)>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT c.institution_id AS id, MAX(c.inspected_on) AS last FROM care_inspections c \
                         JOIN care_institutions i ON i.id = c.institution_id WHERE i.region >= ",
                    );
                    qb.push_bind(lo).push(" AND i.region < ").push_bind(hi).push(" AND c.inspected_on <= ").push_bind(day);
                    qb.push(" GROUP BY c.institution_id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(|r| Ok((r.try_get("id")?, r.try_get("last")?))).collect()
                }

                async fn due_assessments(&self, region: &RegionCode, before: NaiveDate, limit: u32) -> Result<(Vec<AssessmentRecord>, u64)> {
                    let (lo, hi) = range(region);
                    let from = "FROM ability_assessments a JOIN persons p ON p.id_number = a.id_number AND p.status = 'alive' \
                                WHERE a.newest AND a.community >= ";
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT COUNT(*) AS n {from}"));
                    qb.push_bind(lo.clone()).push(" AND a.community < ").push_bind(hi.clone()).push(" AND a.assessed_on <= ").push_bind(before);
                    let n: i64 = qb.build().fetch_one(self.pool()).await?.try_get("n")?;
                    let columns = ASSESSMENT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {columns} {from}"));
                    qb.push_bind(lo).push(" AND a.community < ").push_bind(hi).push(" AND a.assessed_on <= ").push_bind(before);
                    qb.push(" ORDER BY a.assessed_on, a.id LIMIT ").push_bind(i64::from(limit));
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    Ok((rows.iter().map(assessment_from).collect::<Result<_>>()?, count(n)))
                }

                async fn county_counts(&self, region: &RegionCode, day: NaiveDate, born_by: NaiveDate) -> Result<CountyCounts> {
                    let (lo, hi) = range(region);
                    let mut out = CountyCounts::default();

                    // A city (or province) is most of the table: read it through, not through the
                    // community index and a look-up per person (`|| ''` keeps SQLite off the
                    // index; 5x faster there); a county or less uses the index.
                    let code = if region.as_str().len() <= 4 { "community_code || ''" } else { "community_code" };
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT substr(community_code, 1, 6) AS county, COUNT(*) AS n FROM persons WHERE status = 'alive' AND {code} >= "
                    ));
                    qb.push_bind(lo.clone()).push(format!(" AND {code} < ")).push_bind(hi.clone());
                    qb.push(" AND birth_date <= ").push_bind(born_by).push(" GROUP BY substr(community_code, 1, 6)");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        out.elders.push((r.try_get("county")?, count(r.try_get("n")?)));
                    }

                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT substr(region, 1, 6) AS county, CAST(SUM(beds_total) AS BIGINT) AS total, CAST(SUM(beds_nursing) AS BIGINT) AS nursing, \
                         CAST(SUM(beds_day_care) AS BIGINT) AS day_care, CAST(SUM(beds_home) AS BIGINT) AS home, COUNT(*) AS n \
                         FROM care_institutions WHERE (status = 'open' OR (status = 'closing' AND closes_on > ",
                    );
                    // (In service from its first admission: it files within days after it.)
                    qb.push_bind(day).push(")) AND COALESCE(first_admission, filed_on) <= ").push_bind(day).push(" AND region >= ");
                    qb.push_bind(lo.clone()).push(" AND region < ").push_bind(hi.clone()).push(" GROUP BY substr(region, 1, 6)");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let n = |c: &str| -> Result<i64> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
                        let beds = Beds { total: n("total")?, nursing: n("nursing")?, day_care: n("day_care")?, home: n("home")? };
                        out.beds.push((r.try_get("county")?, beds, count(r.try_get("n")?)));
                    }

                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT substr(i.region, 1, 6) AS county, COUNT(*) AS n FROM care_residents r \
                         JOIN care_institutions i ON i.id = r.institution_id WHERE (i.status = 'open' OR (i.status = 'closing' AND i.closes_on > ",
                    );
                    qb.push_bind(day).push(")) AND i.region >= ");
                    qb.push_bind(lo.clone()).push(" AND i.region < ").push_bind(hi.clone());
                    qb.push(" AND r.admitted_on <= ").push_bind(day).push(" AND (r.discharged_on IS NULL OR r.discharged_on > ").push_bind(day);
                    qb.push(") GROUP BY substr(i.region, 1, 6)");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        out.residents.push((r.try_get("county")?, count(r.try_get("n")?)));
                    }

                    // 特困 persons paid for the month (as `Enrolment::paid_for`), whether their
                    // newest assessment finds them dependent, and whether they live in an
                    // institution now.
                    let month = day.with_day(1).unwrap_or(day);
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT substr(h.community_code, 1, 6) AS county, COUNT(*) AS n, \
                         CAST(SUM(CASE WHEN f.value >= 1 THEN 1 ELSE 0 END) AS BIGINT) AS dependent, \
                         CAST(SUM(CASE WHEN f.value >= 1 AND EXISTS (SELECT 1 FROM care_residents r WHERE r.id_number = m.id_number \
                           AND r.concentrated AND r.admitted_on <= ",
                    );
                    qb.push_bind(day).push(" AND (r.discharged_on IS NULL OR r.discharged_on > ").push_bind(day);
                    qb.push(
                        ")) THEN 1 ELSE 0 END) AS BIGINT) AS concentrated \
                         FROM enrolments e JOIN households h ON h.household_no = e.household_no \
                         JOIN enrolment_members m ON m.enrolment_id = e.id \
                         LEFT JOIN person_facts f ON f.id_number = m.id_number AND f.fact = 'self_care_failed' \
                         WHERE e.program = 'tekun' AND h.community_code >= ",
                    );
                    qb.push_bind(lo.clone()).push(" AND h.community_code < ").push_bind(hi.clone());
                    qb.push(" AND (e.status = 'active' OR (e.status = 'stopped' AND e.end_month IS NOT NULL)) AND e.start_month <= ")
                        .push_bind(month)
                        .push(" AND (e.end_month IS NULL OR e.end_month > ")
                        .push_bind(month)
                        .push(") AND (m.end_month IS NULL OR m.end_month > ")
                        .push_bind(month)
                        .push(") GROUP BY substr(h.community_code, 1, 6)");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let n = |c: &str| -> Result<u64> { Ok(count(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0))) };
                        out.tekun.push((r.try_get("county")?, n("n")?, n("dependent")?, n("concentrated")?));
                    }

                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT substr(a.community, 1, 6) AS county, a.level AS level, COUNT(*) AS n FROM ability_assessments a \
                         JOIN persons p ON p.id_number = a.id_number AND p.status = 'alive' WHERE a.newest AND a.community >= ",
                    );
                    qb.push_bind(lo).push(" AND a.community < ").push_bind(hi);
                    qb.push(" GROUP BY substr(a.community, 1, 6), a.level");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let level: String = r.try_get("level")?;
                        let level = AbilityLevel::parse(&level).ok_or_else(|| corrupt("level", &level))?;
                        out.assessed.push((r.try_get("county")?, level, count(r.try_get("n")?)));
                    }
                    Ok(out)
                }
            }
        };
    };
}

use chrono::Datelike as _;

impl_eldercare_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_eldercare_store!(minzheng_store::PgStore, sqlx::Postgres);
