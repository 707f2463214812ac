//! 婚姻登记's own tables (`migrations/<backend>/7001_marriage.sql`) and their store trait, written
//! once for both databases. A marriage's certificate number, its record, the registry's change of
//! household the couple agreed to and the audit record are one transaction; so are a divorce
//! certificate, the application's close and the marriage's dissolution.

use super::model::{
    certificate_no, certificate_prefix, AppointmentKind, Certificate, Declared, DivorceStatus, DivorceTimeline, HouseholdChange, Slot,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::{RegionCode, Relation};
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store, StoreError};
use serde::Serialize;

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "marriage",
    sqlite: &[
        Migration { version: 7001, name: "marriage", sql: include_str!("migrations/sqlite/7001_marriage.sql") },
        Migration { version: 7002, name: "appointments", sql: include_str!("migrations/sqlite/7002_appointments.sql") },
    ],
    postgres: &[
        Migration { version: 7001, name: "marriage", sql: include_str!("migrations/postgres/7001_marriage.sql") },
        Migration { version: 7002, name: "appointments", sql: include_str!("migrations/postgres/7002_appointments.sql") },
    ],
};

/// 当事人 as recorded on a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartyRecord {
    pub id_number: String,
    pub name: String,
    pub declared: Declared,
}

/// 结婚登记: a marriage as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marriage {
    pub id: i64,
    /// The registering county's code.
    pub office: String,
    pub first: PartyRecord,
    pub second: PartyRecord,
    pub registered_on: NaiveDate,
    /// 结婚证字号.
    pub certificate_no: String,
    pub household_change: HouseholdChange,
    /// The registrar's note of the proof where the registry showed the two as relatives.
    pub kinship_note: String,
    pub dissolved_on: Option<NaiveDate>,
    /// The divorce certificate that dissolved it.
    pub dissolved_by: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl Marriage {
    /// The other party of a party (by ID number).
    pub fn other(&self, id_number: &str) -> &PartyRecord {
        if self.first.id_number == id_number {
            &self.second
        } else {
            &self.first
        }
    }
}

/// The registry's change the couple agreed to: who joins which household as what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Joining {
    pub id_number: String,
    pub household_no: String,
    pub relation: Relation,
}

/// 离婚登记申请 and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DivorceRecord {
    pub id: i64,
    pub office: String,
    pub first_id: String,
    pub first_name: String,
    pub second_id: String,
    pub second_name: String,
    pub marriage_certificate_no: String,
    pub marriage_id: Option<i64>,
    pub timeline: DivorceTimeline,
    pub status: DivorceStatus,
    /// The party who withdrew (ID number).
    pub withdrawn_by: String,
    pub closed_on: Option<NaiveDate>,
    /// 离婚证字号 once issued.
    pub certificate_no: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// 不予登记: a refusal with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusalRecord {
    pub id: i64,
    pub office: String,
    /// `marriage` or `divorce`.
    pub kind: String,
    pub first_id: String,
    pub first_name: String,
    pub second_id: String,
    pub second_name: String,
    pub reason_zh: String,
    pub reason_en: String,
    pub refused_on: NaiveDate,
    pub recorded_by: String,
}

/// 预约: a couple's booking at the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    pub id: i64,
    pub office: String,
    pub kind: AppointmentKind,
    /// The divorce application a certificate's booking is for.
    pub divorce_id: Option<i64>,
    pub first_id: String,
    pub first_name: String,
    pub second_id: String,
    pub second_name: String,
    pub phone: String,
    pub day: NaiveDate,
    pub slot: Slot,
    /// `booked`, `kept` or `cancelled`.
    pub status: String,
    pub booked_by: String,
}

/// A county's registrations of a month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthFigures {
    pub county: String,
    /// `2026-12`.
    pub month: String,
    pub marriages: u64,
    /// Divorce certificates issued.
    pub divorces: u64,
    /// Divorce applications received.
    pub applications: u64,
    pub withdrawn: u64,
    pub lapsed: u64,
    pub refusals: u64,
}

#[async_trait]
pub trait MarriageStore: Send + Sync {
    /// Registers a marriage: gives it the county's next 结婚证 number of the year, stores it,
    /// moves the joining spouse into the other's household when the couple agreed to it (the
    /// registry's relation and community with it), audited; returns it.
    async fn add_marriage(&self, m: &Marriage, joining: Option<&Joining>, actor: &Actor) -> Result<Marriage>;
    async fn marriage(&self, id: i64) -> Result<Option<Marriage>>;
    async fn marriage_by_certificate(&self, certificate_no: &str) -> Result<Option<Marriage>>;
    /// The marriages of persons (either party), oldest first.
    async fn marriages_of(&self, id_numbers: &[String]) -> Result<Vec<Marriage>>;
    async fn add_refusal(&self, r: &RefusalRecord, actor: &Actor) -> Result<i64>;
    /// Receives a divorce application; a second open application of either party is a conflict.
    async fn add_divorce(&self, d: &DivorceRecord, actor: &Actor) -> Result<i64>;
    async fn divorce(&self, id: i64) -> Result<Option<DivorceRecord>>;
    /// The divorce applications of persons (either party), newest first.
    async fn divorces_of(&self, id_numbers: &[String]) -> Result<Vec<DivorceRecord>>;
    /// Withdraws an open application by one party; false when it was no longer open.
    async fn withdraw_divorce(&self, id: i64, by: &str, on: NaiveDate, actor: &Actor) -> Result<bool>;
    /// Issues the divorce certificate: the county's next 离婚证 number, the application closed,
    /// the marriage registered here dissolved; returns the application as closed.
    async fn certify_divorce(&self, id: i64, on: NaiveDate, actor: &Actor) -> Result<DivorceRecord>;
    /// Closes as lapsed the open applications whose window ended before `today` (视为撤回);
    /// returns them.
    async fn lapse_divorces(&self, today: NaiveDate, actor: &Actor) -> Result<Vec<i64>>;
    /// The marriages registered by the offices within `region`, newest first.
    async fn recent_marriages(&self, region: &RegionCode, limit: u32) -> Result<Vec<Marriage>>;
    /// The open divorce applications of the offices within `region`, the window ending first first.
    async fn open_divorces(&self, region: &RegionCode, limit: u32) -> Result<Vec<DivorceRecord>>;
    /// The refusals of the offices within `region`, newest first.
    async fn recent_refusals(&self, region: &RegionCode, limit: u32) -> Result<Vec<RefusalRecord>>;
    /// Registrations per county and month within `region` from `from` to `to`.
    async fn month_figures(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<MonthFigures>>;
    /// Books a half-day at the office; a half-day holding `capacity` bookings already is a
    /// conflict (`full`).
    async fn book(&self, a: &Appointment, capacity: i64, actor: &Actor) -> Result<i64>;
    async fn appointment(&self, id: i64) -> Result<Option<Appointment>>;
    /// The office's bookings of a day, morning first.
    async fn appointments_on(&self, office: &str, day: NaiveDate) -> Result<Vec<Appointment>>;
    /// Marks a booking kept or cancelled; false when it is not booked any more.
    async fn close_appointment(&self, id: i64, status: &str, actor: &Actor) -> Result<bool>;
}

/// The module's store on whichever database the platform's store runs.
pub fn marriage_store(store: &dyn Store) -> &dyn MarriageStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// What the marriage registry records in the audit log.
pub enum MarriageEvent<'a> {
    Married { m: &'a Marriage, joining: Option<&'a Joining>, before: Option<(String, String)> },
    Refused(&'a RefusalRecord),
    DivorceReceived(&'a DivorceRecord),
    Withdrawn { id: i64, by: &'a str },
    Divorced(&'a DivorceRecord),
    Lapsed(&'a [i64]),
}

impl AuditEvent for MarriageEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            MarriageEvent::Married { m, joining, before } => AuditEntry {
                action: "register_marriage".into(),
                entity: "marriage".into(),
                entity_key: m.certificate_no.clone(),
                before: before.as_ref().map(|(h, r)| serde_json::json!({ "household_no": h, "relation": r })),
                after: Some(serde_json::json!({
                    "first": m.first.id_number, "second": m.second.id_number, "registered_on": m.registered_on, "office": m.office,
                    "household_change": m.household_change, "kinship_note": m.kinship_note,
                    "joining": joining.map(|j| serde_json::json!({ "id_number": j.id_number, "household_no": j.household_no, "relation": j.relation.as_str() })),
                })),
            },
            MarriageEvent::Refused(r) => AuditEntry {
                action: "refuse_registration".into(),
                entity: "marriage_refusal".into(),
                entity_key: r.id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "kind": r.kind, "first": r.first_id, "second": r.second_id, "reason": r.reason_zh })),
            },
            MarriageEvent::DivorceReceived(d) => AuditEntry {
                action: "receive_divorce".into(),
                entity: "divorce_application".into(),
                entity_key: d.id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "first": d.first_id, "second": d.second_id, "marriage": d.marriage_certificate_no,
                    "received_on": d.timeline.received_on, "cooling_ends": d.timeline.cooling_ends, "window_ends": d.timeline.window_ends,
                })),
            },
            MarriageEvent::Withdrawn { id, by } => AuditEntry {
                action: "withdraw_divorce".into(),
                entity: "divorce_application".into(),
                entity_key: id.to_string(),
                before: Some(serde_json::json!({ "status": "received" })),
                after: Some(serde_json::json!({ "status": "withdrawn", "by": by })),
            },
            MarriageEvent::Divorced(d) => AuditEntry {
                action: "register_divorce".into(),
                entity: "divorce_application".into(),
                entity_key: d.id.to_string(),
                before: Some(serde_json::json!({ "status": "received" })),
                after: Some(
                    serde_json::json!({ "status": "certified", "certificate_no": d.certificate_no, "marriage": d.marriage_certificate_no }),
                ),
            },
            MarriageEvent::Lapsed(ids) => AuditEntry {
                action: "lapse_divorces".into(),
                entity: "divorce_application".into(),
                entity_key: ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
                before: Some(serde_json::json!({ "status": "received" })),
                after: Some(serde_json::json!({ "status": "lapsed" })),
            },
        }
    }
}

const APPOINTMENT_COLUMNS: &str =
    "id, office, kind, divorce_id, first_id, first_name, second_id, second_name, phone, day, slot, status, booked_by";

const MARRIAGE_COLUMNS: &str = "id, office, first_id, first_name, first_declared, second_id, second_name, second_declared, registered_on, \
     certificate_no, household_change, kinship_note, dissolved_on, dissolved_by, recorded_by, recorded_at";
const DIVORCE_COLUMNS: &str =
    "id, office, first_id, first_name, second_id, second_name, marriage_certificate_no, marriage_id, received_on, \
     cooling_ends, window_ends, status, withdrawn_by, closed_on, certificate_no, recorded_by, recorded_at";
const REFUSAL_COLUMNS: &str =
    "id, office, kind, first_id, first_name, second_id, second_name, reason_zh, reason_en, refused_on, recorded_by";

/// The `[lo, hi)` range of codes within a region (offices are county codes).
fn range(region: &RegionCode) -> (String, String) {
    let code: String = region.as_str().chars().take(6).collect();
    (code.clone(), format!("{code}~"))
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

macro_rules! impl_marriage_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn marriage_from(r: &<$db as sqlx::Database>::Row) -> Result<Marriage> {
                let text = |c: &str| -> Result<String> { Ok(r.try_get(c)?) };
                let declared = |c: &str| -> Result<Declared> {
                    let v = text(c)?;
                    Declared::parse(&v).ok_or_else(|| corrupt(c, &v))
                };
                let change = text("household_change")?;
                Ok(Marriage {
                    id: r.try_get("id")?,
                    office: text("office")?,
                    first: PartyRecord { id_number: text("first_id")?, name: text("first_name")?, declared: declared("first_declared")? },
                    second: PartyRecord { id_number: text("second_id")?, name: text("second_name")?, declared: declared("second_declared")? },
                    registered_on: r.try_get("registered_on")?,
                    certificate_no: text("certificate_no")?,
                    household_change: HouseholdChange::parse(&change).ok_or_else(|| corrupt("household_change", &change))?,
                    kinship_note: text("kinship_note")?,
                    dissolved_on: r.try_get("dissolved_on")?,
                    dissolved_by: r.try_get("dissolved_by")?,
                    recorded_by: text("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            }

            fn divorce_from(r: &<$db as sqlx::Database>::Row) -> Result<DivorceRecord> {
                let status: String = r.try_get("status")?;
                let received_on: NaiveDate = r.try_get("received_on")?;
                let cooling_ends: NaiveDate = r.try_get("cooling_ends")?;
                Ok(DivorceRecord {
                    id: r.try_get("id")?,
                    office: r.try_get("office")?,
                    first_id: r.try_get("first_id")?,
                    first_name: r.try_get("first_name")?,
                    second_id: r.try_get("second_id")?,
                    second_name: r.try_get("second_name")?,
                    marriage_certificate_no: r.try_get("marriage_certificate_no")?,
                    marriage_id: r.try_get("marriage_id")?,
                    timeline: DivorceTimeline {
                        received_on,
                        cooling_ends,
                        window_opens: cooling_ends + chrono::Duration::days(1),
                        window_ends: r.try_get("window_ends")?,
                    },
                    status: DivorceStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                    withdrawn_by: r.try_get("withdrawn_by")?,
                    closed_on: r.try_get("closed_on")?,
                    certificate_no: r.try_get("certificate_no")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            }

            fn appointment_from(r: &<$db as sqlx::Database>::Row) -> Result<Appointment> {
                let kind: String = r.try_get("kind")?;
                let slot: String = r.try_get("slot")?;
                Ok(Appointment {
                    id: r.try_get("id")?,
                    office: r.try_get("office")?,
                    kind: AppointmentKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
                    divorce_id: r.try_get("divorce_id")?,
                    first_id: r.try_get("first_id")?,
                    first_name: r.try_get("first_name")?,
                    second_id: r.try_get("second_id")?,
                    second_name: r.try_get("second_name")?,
                    phone: r.try_get("phone")?,
                    day: r.try_get("day")?,
                    slot: Slot::parse(&slot).ok_or_else(|| corrupt("slot", &slot))?,
                    status: r.try_get("status")?,
                    booked_by: r.try_get("booked_by")?,
                })
            }

            fn refusal_from(r: &<$db as sqlx::Database>::Row) -> Result<RefusalRecord> {
                Ok(RefusalRecord {
                    id: r.try_get("id")?,
                    office: r.try_get("office")?,
                    kind: r.try_get("kind")?,
                    first_id: r.try_get("first_id")?,
                    first_name: r.try_get("first_name")?,
                    second_id: r.try_get("second_id")?,
                    second_name: r.try_get("second_name")?,
                    reason_zh: r.try_get("reason_zh")?,
                    reason_en: r.try_get("reason_en")?,
                    refused_on: r.try_get("refused_on")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            }

            /// The next certificate number of the kind in the county's year, within the
            /// transaction that stores it.
            /// PostgreSQL: one numbering at a time (SQLite's writing transaction holds the
            /// file's write lock from its start).
            async fn next_number(
                tx: &mut sqlx::Transaction<'static, $db>,
                table: &str,
                kind: Certificate,
                office: &str,
                on: NaiveDate,
            ) -> Result<String> {
                if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                    sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294632)").execute(&mut **tx).await?;
                }
                // The highest number of the county's year so far (fixed width: the greatest text
                // is the greatest serial), so that a number given out of order is never reused.
                let prefix = certificate_prefix(kind, office, on);
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT MAX(certificate_no) AS n FROM {table} WHERE certificate_no LIKE "));
                qb.push_bind(format!("{prefix}%"));
                let last: Option<String> = qb.build().fetch_one(&mut **tx).await?.try_get("n")?;
                let n: i64 = last.as_deref().and_then(|l| l.get(prefix.len()..)).and_then(|x| x.parse().ok()).unwrap_or(0);
                Ok(certificate_no(kind, office, on, n + 1))
            }

            #[async_trait]
            impl MarriageStore for $store {
                async fn add_marriage(&self, m: &Marriage, joining: Option<&Joining>, actor: &Actor) -> Result<Marriage> {
                    let mut tx = self.begin_write().await?;
                    let number = next_number(&mut tx, "marriages", Certificate::Marriage, &m.office, m.registered_on).await?;
                    // Under the numbering lock: neither party married meanwhile (a marriage not
                    // dissolved whose other party the registry does not show deceased).
                    for party in [&m.first.id_number, &m.second.id_number] {
                        let mut qb = QueryBuilder::<$db>::new(
                            "SELECT certificate_no FROM marriages m WHERE m.dissolved_on IS NULL AND ((m.first_id = ",
                        );
                        qb.push_bind(party.clone());
                        qb.push(" AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.id_number = m.second_id AND p.status = 'deceased')) OR (m.second_id = ");
                        qb.push_bind(party.clone());
                        qb.push(" AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.id_number = m.first_id AND p.status = 'deceased')))");
                        if let Some(r) = qb.build().fetch_optional(&mut *tx).await? {
                            let no: String = r.try_get("certificate_no")?;
                            return Err(StoreError::Conflict(format!("spouse:{no}")));
                        }
                    }
                    // Microseconds: what both databases keep.
                    let recorded_at = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
                    let mut stored = Marriage { certificate_no: number, recorded_by: actor.name.clone(), recorded_at, ..m.clone() };
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO marriages (office, first_id, first_name, first_declared, second_id, second_name, second_declared, \
                         registered_on, certificate_no, household_change, kinship_note, recorded_by, recorded_at) ",
                    );
                    qb.push_values([&stored], |mut b, m| {
                        b.push_bind(m.office.clone())
                            .push_bind(m.first.id_number.clone())
                            .push_bind(m.first.name.clone())
                            .push_bind(m.first.declared.as_str())
                            .push_bind(m.second.id_number.clone())
                            .push_bind(m.second.name.clone())
                            .push_bind(m.second.declared.as_str())
                            .push_bind(m.registered_on)
                            .push_bind(m.certificate_no.clone())
                            .push_bind(m.household_change.as_str())
                            .push_bind(m.kinship_note.clone())
                            .push_bind(m.recorded_by.clone())
                            .push_bind(m.recorded_at);
                    });
                    qb.push(" RETURNING id");
                    stored.id = qb.build().fetch_one(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the certificate"))?.try_get("id")?;
                    let mut before = None;
                    if let Some(j) = joining {
                        let mut qb = QueryBuilder::<$db>::new("SELECT household_no, relation FROM persons WHERE status = 'alive' AND id_number = ");
                        qb.push_bind(j.id_number.clone());
                        let row = qb.build().fetch_optional(&mut *tx).await?.ok_or_else(|| StoreError::Conflict("the joining spouse is not a living resident".into()))?;
                        before = Some((row.try_get::<Option<String>, _>("household_no")?.unwrap_or_default(), row.try_get::<String, _>("relation")?));
                        // A head leaving the household (alone in it: the service checks) leaves it
                        // without a head.
                        let mut qb = QueryBuilder::<$db>::new("UPDATE households SET head_id_number = NULL WHERE head_id_number = ");
                        qb.push_bind(j.id_number.clone()).push(" AND household_no <> ").push_bind(j.household_no.clone());
                        qb.build().execute(&mut *tx).await?;
                        let mut qb = QueryBuilder::<$db>::new("UPDATE persons SET household_no = ");
                        qb.push_bind(j.household_no.clone());
                        qb.push(", community_code = (SELECT community_code FROM households WHERE household_no = ").push_bind(j.household_no.clone());
                        qb.push("), relation = ").push_bind(j.relation.as_str()).push(", updated_at = ").push_bind(Utc::now());
                        qb.push(" WHERE id_number = ").push_bind(j.id_number.clone());
                        qb.push(" AND EXISTS (SELECT 1 FROM households WHERE household_no = ").push_bind(j.household_no.clone()).push(")");
                        if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                            return Err(StoreError::Conflict("the household to join is not in the registry".into()));
                        }
                    }
                    <$store>::write_audit(&mut tx, actor, &[MarriageEvent::Married { m: &stored, joining, before }.entry()]).await?;
                    tx.commit().await?;
                    Ok(stored)
                }

                async fn marriage(&self, id: i64) -> Result<Option<Marriage>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {MARRIAGE_COLUMNS} FROM marriages WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(marriage_from).transpose()
                }

                async fn marriage_by_certificate(&self, certificate_no: &str) -> Result<Option<Marriage>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {MARRIAGE_COLUMNS} FROM marriages WHERE certificate_no = "));
                    qb.push_bind(certificate_no.trim().to_string());
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(marriage_from).transpose()
                }

                async fn marriages_of(&self, id_numbers: &[String]) -> Result<Vec<Marriage>> {
                    if id_numbers.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {MARRIAGE_COLUMNS} FROM marriages WHERE first_id IN ("));
                    let mut s = qb.separated(", ");
                    for id in id_numbers {
                        s.push_bind(id.clone());
                    }
                    qb.push(") OR second_id IN (");
                    let mut s = qb.separated(", ");
                    for id in id_numbers {
                        s.push_bind(id.clone());
                    }
                    qb.push(") ORDER BY registered_on, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(marriage_from).collect()
                }

                async fn add_refusal(&self, r: &RefusalRecord, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO marriage_refusals (office, kind, first_id, first_name, second_id, second_name, reason_zh, reason_en, \
                         refused_on, recorded_by, recorded_at) ",
                    );
                    qb.push_values([r], |mut b, r| {
                        b.push_bind(r.office.clone())
                            .push_bind(r.kind.clone())
                            .push_bind(r.first_id.clone())
                            .push_bind(r.first_name.clone())
                            .push_bind(r.second_id.clone())
                            .push_bind(r.second_name.clone())
                            .push_bind(r.reason_zh.clone())
                            .push_bind(r.reason_en.clone())
                            .push_bind(r.refused_on)
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let stored = RefusalRecord { id, recorded_by: actor.name.clone(), ..r.clone() };
                    <$store>::write_audit(&mut tx, actor, &[MarriageEvent::Refused(&stored).entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn add_divorce(&self, d: &DivorceRecord, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                        sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294632)").execute(&mut *tx).await?;
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT id FROM divorce_applications WHERE status = 'received' AND (first_id IN (");
                    qb.push_bind(d.first_id.clone()).push(", ").push_bind(d.second_id.clone()).push(") OR second_id IN (");
                    qb.push_bind(d.first_id.clone()).push(", ").push_bind(d.second_id.clone()).push("))");
                    if let Some(r) = qb.build().fetch_optional(&mut *tx).await? {
                        let open: i64 = r.try_get("id")?;
                        return Err(StoreError::Conflict(format!("divorce application {open}")));
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO divorce_applications (office, first_id, first_name, second_id, second_name, marriage_certificate_no, \
                         marriage_id, received_on, cooling_ends, window_ends, status, recorded_by, recorded_at) ",
                    );
                    qb.push_values([d], |mut b, d| {
                        b.push_bind(d.office.clone())
                            .push_bind(d.first_id.clone())
                            .push_bind(d.first_name.clone())
                            .push_bind(d.second_id.clone())
                            .push_bind(d.second_name.clone())
                            .push_bind(d.marriage_certificate_no.clone())
                            .push_bind(d.marriage_id)
                            .push_bind(d.timeline.received_on)
                            .push_bind(d.timeline.cooling_ends)
                            .push_bind(d.timeline.window_ends)
                            .push_bind(DivorceStatus::Received.as_str())
                            .push_bind(actor.name.clone())
                            .push_bind(d.recorded_at);
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let stored = DivorceRecord { id, recorded_by: actor.name.clone(), ..d.clone() };
                    <$store>::write_audit(&mut tx, actor, &[MarriageEvent::DivorceReceived(&stored).entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn divorce(&self, id: i64) -> Result<Option<DivorceRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {DIVORCE_COLUMNS} FROM divorce_applications WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(divorce_from).transpose()
                }

                async fn divorces_of(&self, id_numbers: &[String]) -> Result<Vec<DivorceRecord>> {
                    if id_numbers.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {DIVORCE_COLUMNS} FROM divorce_applications WHERE first_id IN ("));
                    let mut s = qb.separated(", ");
                    for id in id_numbers {
                        s.push_bind(id.clone());
                    }
                    qb.push(") OR second_id IN (");
                    let mut s = qb.separated(", ");
                    for id in id_numbers {
                        s.push_bind(id.clone());
                    }
                    qb.push(") ORDER BY received_on DESC, id DESC");
                    qb.build().fetch_all(self.pool()).await?.iter().map(divorce_from).collect()
                }

                async fn withdraw_divorce(&self, id: i64, by: &str, on: NaiveDate, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE divorce_applications SET status = 'withdrawn', withdrawn_by = ");
                    qb.push_bind(by.to_string()).push(", closed_on = ").push_bind(on);
                    qb.push(" WHERE status = 'received' AND id = ").push_bind(id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    <$store>::write_audit(&mut tx, actor, &[MarriageEvent::Withdrawn { id, by }.entry()]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn certify_divorce(&self, id: i64, on: NaiveDate, actor: &Actor) -> Result<DivorceRecord> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {DIVORCE_COLUMNS} FROM divorce_applications WHERE id = "));
                    qb.push_bind(id);
                    let d = qb.build().fetch_optional(&mut *tx).await?.as_ref().map(divorce_from).transpose()?;
                    let d = d.ok_or_else(|| StoreError::NotFound(format!("divorce application {id}")))?;
                    let number = next_number(&mut tx, "divorce_applications", Certificate::Divorce, &d.office, on).await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE divorce_applications SET status = 'certified', closed_on = ");
                    qb.push_bind(on).push(", certificate_no = ").push_bind(number.clone());
                    qb.push(" WHERE status = 'received' AND id = ").push_bind(id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict("the application is no longer open".into()));
                    }
                    if let Some(m) = d.marriage_id {
                        let mut qb = QueryBuilder::<$db>::new("UPDATE marriages SET dissolved_on = ");
                        qb.push_bind(on).push(", dissolved_by = ").push_bind(number.clone());
                        qb.push(" WHERE dissolved_on IS NULL AND id = ").push_bind(m);
                        qb.build().execute(&mut *tx).await?;
                    }
                    let closed = DivorceRecord { status: DivorceStatus::Certified, closed_on: Some(on), certificate_no: Some(number), ..d };
                    <$store>::write_audit(&mut tx, actor, &[MarriageEvent::Divorced(&closed).entry()]).await?;
                    tx.commit().await?;
                    Ok(closed)
                }

                async fn lapse_divorces(&self, today: NaiveDate, actor: &Actor) -> Result<Vec<i64>> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("SELECT id FROM divorce_applications WHERE status = 'received' AND window_ends < ");
                    qb.push_bind(today);
                    qb.push(" ORDER BY id");
                    let ids: Vec<i64> = qb.build().fetch_all(&mut *tx).await?.iter().map(|r| r.try_get("id")).collect::<std::result::Result<_, _>>()?;
                    if ids.is_empty() {
                        return Ok(ids);
                    }
                    for chunk in ids.chunks(500) {
                        // Closed on the window's last day: the day the application counts as withdrawn.
                        let mut qb = QueryBuilder::<$db>::new("UPDATE divorce_applications SET status = 'lapsed', closed_on = window_ends WHERE status = 'received' AND id IN (");
                        let mut s = qb.separated(", ");
                        for id in chunk {
                            s.push_bind(*id);
                        }
                        qb.push(")");
                        qb.build().execute(&mut *tx).await?;
                    }
                    <$store>::write_audit(&mut tx, actor, &[MarriageEvent::Lapsed(&ids).entry()]).await?;
                    tx.commit().await?;
                    Ok(ids)
                }

                async fn recent_marriages(&self, region: &RegionCode, limit: u32) -> Result<Vec<Marriage>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {MARRIAGE_COLUMNS} FROM marriages WHERE office >= "));
                    qb.push_bind(lo).push(" AND office < ").push_bind(hi);
                    qb.push(" ORDER BY registered_on DESC, id DESC LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(marriage_from).collect()
                }

                async fn open_divorces(&self, region: &RegionCode, limit: u32) -> Result<Vec<DivorceRecord>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {DIVORCE_COLUMNS} FROM divorce_applications WHERE status = 'received' AND office >= "
                    ));
                    qb.push_bind(lo).push(" AND office < ").push_bind(hi);
                    qb.push(" ORDER BY window_ends, id LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(divorce_from).collect()
                }

                async fn recent_refusals(&self, region: &RegionCode, limit: u32) -> Result<Vec<RefusalRecord>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {REFUSAL_COLUMNS} FROM marriage_refusals WHERE office >= "));
                    qb.push_bind(lo).push(" AND office < ").push_bind(hi);
                    qb.push(" ORDER BY refused_on DESC, id DESC LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(refusal_from).collect()
                }

                async fn book(&self, a: &Appointment, capacity: i64, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                        sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294632)").execute(&mut *tx).await?;
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM marriage_appointments WHERE status <> 'cancelled' AND office = ");
                    qb.push_bind(a.office.clone()).push(" AND day = ").push_bind(a.day).push(" AND slot = ").push_bind(a.slot.as_str());
                    let n: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("n")?;
                    if n >= capacity {
                        return Err(StoreError::Conflict("full".into()));
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO marriage_appointments (office, kind, divorce_id, first_id, first_name, second_id, second_name, phone, day, slot, \
                         status, booked_by, booked_at) ",
                    );
                    qb.push_values([a], |mut b, a| {
                        b.push_bind(a.office.clone())
                            .push_bind(a.kind.as_str())
                            .push_bind(a.divorce_id)
                            .push_bind(a.first_id.clone())
                            .push_bind(a.first_name.clone())
                            .push_bind(a.second_id.clone())
                            .push_bind(a.second_name.clone())
                            .push_bind(a.phone.clone())
                            .push_bind(a.day)
                            .push_bind(a.slot.as_str())
                            .push_bind("booked")
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let entry = AuditEntry {
                        action: "book_appointment".into(),
                        entity: "marriage_appointment".into(),
                        entity_key: id.to_string(),
                        before: None,
                        after: Some(serde_json::json!({ "kind": a.kind, "day": a.day, "slot": a.slot, "first": a.first_id, "second": a.second_id, "divorce": a.divorce_id })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn appointment(&self, id: i64) -> Result<Option<Appointment>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {APPOINTMENT_COLUMNS} FROM marriage_appointments WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(appointment_from).transpose()
                }

                async fn appointments_on(&self, office: &str, day: NaiveDate) -> Result<Vec<Appointment>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {APPOINTMENT_COLUMNS} FROM marriage_appointments WHERE office = "));
                    qb.push_bind(office.to_string()).push(" AND day = ").push_bind(day).push(" ORDER BY slot, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(appointment_from).collect()
                }

                async fn close_appointment(&self, id: i64, status: &str, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE marriage_appointments SET status = ");
                    qb.push_bind(status.to_string()).push(" WHERE status = 'booked' AND id = ").push_bind(id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let entry = AuditEntry {
                        action: format!("appointment_{status}"),
                        entity: "marriage_appointment".into(),
                        entity_key: id.to_string(),
                        before: Some(serde_json::json!({ "status": "booked" })),
                        after: Some(serde_json::json!({ "status": status })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn month_figures(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<MonthFigures>> {
                    use std::collections::BTreeMap;
                    let (lo, hi) = range(region);
                    let mut out: BTreeMap<(String, String), MonthFigures> = BTreeMap::new();
                    // Per office and day (a county's year is at most 366 rows a table), folded into months.
                    let queries: [(&str, &str, &str); 6] = [
                        ("marriages", "registered_on", ""),
                        ("divorce_applications", "received_on", ""),
                        ("divorce_applications", "closed_on", " AND status = 'certified'"),
                        ("divorce_applications", "closed_on", " AND status = 'withdrawn'"),
                        ("divorce_applications", "closed_on", " AND status = 'lapsed'"),
                        ("marriage_refusals", "refused_on", ""),
                    ];
                    for (i, (table, day, filter)) in queries.iter().enumerate() {
                        let mut qb = QueryBuilder::<$db>::new(format!("SELECT office, {day} AS day, COUNT(*) AS n FROM {table} WHERE {day} >= "));
                        qb.push_bind(from).push(format!(" AND {day} <= ")).push_bind(to);
                        qb.push(" AND office >= ").push_bind(lo.clone()).push(" AND office < ").push_bind(hi.clone());
                        qb.push(format!("{filter} GROUP BY office, {day}"));
                        for r in qb.build().fetch_all(self.pool()).await? {
                            let county: String = r.try_get("office")?;
                            let day: NaiveDate = r.try_get("day")?;
                            let month = day.format("%Y-%m").to_string();
                            let n = count(r.try_get("n")?);
                            let f = out
                                .entry((county.clone(), month.clone()))
                                .or_insert_with(|| MonthFigures { county, month, ..Default::default() });
                            match i {
                                0 => f.marriages += n,
                                1 => f.applications += n,
                                2 => f.divorces += n,
                                3 => f.withdrawn += n,
                                4 => f.lapsed += n,
                                _ => f.refusals += n,
                            }
                        }
                    }
                    Ok(out.into_values().collect())
                }
            }
        };
    };
}

impl_marriage_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_marriage_store!(minzheng_store::PgStore, sqlx::Postgres);
