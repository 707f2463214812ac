//! 殡葬's own tables (`migrations/<backend>/6001_funeral.sql`) and their store trait, written
//! once for both databases. A death is recorded and the registry marks the person deceased in
//! one transaction, so that what follows (benefits stopped, the household's change case) reads
//! it from the moment it is stored.

use super::model::{Ashes, Cause, Certifier, CremationReport, DeathPlace, DeathRecord, Relief};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::RegionCode;
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store, StoreError};
use serde::Serialize;

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "funeral",
    sqlite: &[
        Migration { version: 6001, name: "funeral", sql: include_str!("migrations/sqlite/6001_funeral.sql") },
        Migration { version: 6002, name: "death_programs", sql: include_str!("migrations/sqlite/6002_death_programs.sql") },
    ],
    postgres: &[
        Migration { version: 6001, name: "funeral", sql: include_str!("migrations/postgres/6001_funeral.sql") },
        Migration { version: 6002, name: "death_programs", sql: include_str!("migrations/postgres/6002_death_programs.sql") },
    ],
};

/// 火化登记: a cremation as recorded, with its relief and certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CremationRecord {
    pub id: i64,
    pub id_number: String,
    pub death_id: Option<i64>,
    pub name: String,
    pub community: String,
    pub died_on: NaiveDate,
    pub report: CremationReport,
    pub relief: Relief,
    /// 火化证明编号.
    pub certificate_no: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A deceased of the registry not cremated (逾期未火化).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uncremated {
    pub id_number: String,
    pub name: String,
    pub community: String,
    pub died_on: NaiveDate,
    /// The death recorded with its certificate, if it is.
    pub death_id: Option<i64>,
}

/// A county's deaths and cremations of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CountyFigures {
    pub county: String,
    /// Deaths in the period (the registry's, by date of death).
    pub deaths: u64,
    /// Cremations in the period.
    pub cremations: u64,
    /// Of them eco burials (sea, tree, lawn).
    pub eco: u64,
    /// Of them with basic services relieved.
    pub relieved: u64,
    pub relief_fen: i64,
    pub reward_fen: i64,
}

#[async_trait]
pub trait FuneralStore: Send + Sync {
    /// Records a death and marks the person deceased in the registry on its date (a person
    /// already deceased takes the certificate's date), audited with what the registry held
    /// before; returns its id. A second death of one person is a conflict.
    async fn add_death(&self, d: &DeathRecord, actor: &Actor) -> Result<i64>;
    async fn death(&self, id: i64) -> Result<Option<DeathRecord>>;
    async fn death_of(&self, id_number: &str) -> Result<Option<DeathRecord>>;
    /// Records a cremation: gives it the county's next certificate number of the year; returns
    /// it. A second cremation of one person is a conflict.
    async fn add_cremation(&self, c: &CremationRecord, actor: &Actor) -> Result<CremationRecord>;
    async fn cremation_of(&self, id_number: &str) -> Result<Option<CremationRecord>>;
    /// The deaths recorded within `region`, newest first (at most `limit`), with their
    /// cremations' certificate numbers.
    async fn recent_deaths(&self, region: &RegionCode, limit: u32) -> Result<Vec<(DeathRecord, Option<String>)>>;
    /// The registry's deceased within `region` who died from `from` to `to` and are not
    /// cremated, oldest first (at most `limit`), and how many.
    async fn uncremated(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate, limit: u32) -> Result<(Vec<Uncremated>, u64)>;
    /// Deaths and cremations per county within `region` from `from` to `to`.
    async fn county_figures(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<CountyFigures>>;
}

/// The module's store on whichever database the platform's store runs.
pub fn funeral_store(store: &dyn Store) -> &dyn FuneralStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// What the funeral administration records in the audit log.
pub enum FuneralEvent<'a> {
    /// A death, with the registry's status before it (`alive`, or `deceased` with another date).
    Death {
        death: &'a DeathRecord,
        before: (String, Option<NaiveDate>),
    },
    Cremated(&'a CremationRecord),
}

impl AuditEvent for FuneralEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            FuneralEvent::Death { death, before } => AuditEntry {
                action: "record_death".into(),
                entity: "person".into(),
                entity_key: death.id_number.clone(),
                before: Some(serde_json::json!({ "status": before.0, "status_date": before.1 })),
                after: Some(serde_json::json!({
                    "status": "deceased", "status_date": death.died_on, "place": death.place, "cause": death.cause,
                    "certifier": death.certifier, "certifier_org": death.certifier_org, "certificate_no": death.certificate_no,
                })),
            },
            FuneralEvent::Cremated(c) => AuditEntry {
                action: "record_cremation".into(),
                entity: "person".into(),
                entity_key: c.id_number.clone(),
                before: None,
                after: Some(serde_json::json!({
                    "certificate_no": c.certificate_no, "funeral_home": c.report.funeral_home, "cremated_on": c.report.cremated_on,
                    "ashes": c.report.ashes, "groups": c.relief.groups, "funeral_home_fen": c.relief.funeral_home_fen,
                    "family_fen": c.relief.family_fen,
                })),
            },
        }
    }
}

const DEATH_COLUMNS: &str =
    "id, id_number, name, community, died_on, place, cause, certifier, certifier_org, certificate_no, programs, recorded_by, recorded_on";
const CREMATION_COLUMNS: &str = "id, id_number, death_id, name, community, died_on, funeral_home, received_on, transport_km, cremated_on, \
     coffin, urn, ashes, storage_years, declared, declared_proof, relief, certificate_no, recorded_by, recorded_at";

/// The `[lo, hi)` range of codes within a region.
fn range(region: &RegionCode) -> (String, String) {
    (region.as_str().to_string(), format!("{}~", region.as_str()))
}

fn split(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

macro_rules! impl_funeral_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn death_from(r: &<$db as sqlx::Database>::Row) -> Result<DeathRecord> {
                let text = |c: &str| -> Result<String> { Ok(r.try_get(c)?) };
                let place = text("place")?;
                let cause = text("cause")?;
                let certifier = text("certifier")?;
                Ok(DeathRecord {
                    id: r.try_get("id")?,
                    id_number: text("id_number")?,
                    name: text("name")?,
                    community: text("community")?,
                    died_on: r.try_get("died_on")?,
                    place: DeathPlace::parse(&place).ok_or_else(|| corrupt("place", &place))?,
                    cause: Cause::parse(&cause).ok_or_else(|| corrupt("cause", &cause))?,
                    certifier: Certifier::parse(&certifier).ok_or_else(|| corrupt("certifier", &certifier))?,
                    certifier_org: text("certifier_org")?,
                    certificate_no: text("certificate_no")?,
                    programs: split(&text("programs")?),
                    recorded_by: text("recorded_by")?,
                    recorded_on: r.try_get("recorded_on")?,
                })
            }

            fn cremation_from(r: &<$db as sqlx::Database>::Row) -> Result<CremationRecord> {
                let ashes: String = r.try_get("ashes")?;
                let relief: String = r.try_get("relief")?;
                let declared: String = r.try_get("declared")?;
                Ok(CremationRecord {
                    id: r.try_get("id")?,
                    id_number: r.try_get("id_number")?,
                    death_id: r.try_get("death_id")?,
                    name: r.try_get("name")?,
                    community: r.try_get("community")?,
                    died_on: r.try_get("died_on")?,
                    report: CremationReport {
                        funeral_home: r.try_get("funeral_home")?,
                        received_on: r.try_get("received_on")?,
                        transport_km: u32::try_from(r.try_get::<i32, _>("transport_km")?).unwrap_or(0),
                        cremated_on: r.try_get("cremated_on")?,
                        coffin: r.try_get("coffin")?,
                        urn: r.try_get("urn")?,
                        ashes: Ashes::parse(&ashes).ok_or_else(|| corrupt("ashes", &ashes))?,
                        storage_years: u32::try_from(r.try_get::<i32, _>("storage_years")?).unwrap_or(0),
                        declared: split(&declared),
                        declared_proof: r.try_get("declared_proof")?,
                    },
                    relief: serde_json::from_str(&relief).map_err(|_| corrupt("relief", &relief))?,
                    certificate_no: r.try_get("certificate_no")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            }

            fn count(v: i64) -> u64 {
                u64::try_from(v).unwrap_or(0)
            }

            #[async_trait]
            impl FuneralStore for $store {
                async fn add_death(&self, d: &DeathRecord, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("SELECT status, status_date FROM persons WHERE id_number = ");
                    qb.push_bind(d.id_number.clone());
                    let row = qb.build().fetch_optional(&mut *tx).await?.ok_or_else(|| StoreError::NotFound(format!("person {}", d.id_number)))?;
                    let before: (String, Option<NaiveDate>) = (row.try_get("status")?, row.try_get("status_date")?);
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO death_records (id_number, name, community, died_on, place, cause, certifier, certifier_org, certificate_no, \
                         programs, recorded_by, recorded_on, recorded_at) ",
                    );
                    qb.push_values([d], |mut b, d| {
                        b.push_bind(d.id_number.clone())
                            .push_bind(d.name.clone())
                            .push_bind(d.community.clone())
                            .push_bind(d.died_on)
                            .push_bind(d.place.as_str())
                            .push_bind(d.cause.as_str())
                            .push_bind(d.certifier.as_str())
                            .push_bind(d.certifier_org.clone())
                            .push_bind(d.certificate_no.clone())
                            .push_bind(d.programs.join(","))
                            .push_bind(actor.name.clone())
                            .push_bind(d.recorded_on)
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 =
                        qb.build().fetch_one(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the person's death"))?.try_get("id")?;
                    // The registry: deceased on the certificate's date (a person moved out is
                    // refused before this).
                    let mut qb = QueryBuilder::<$db>::new("UPDATE persons SET status = 'deceased', status_date = ");
                    qb.push_bind(d.died_on).push(", updated_at = ").push_bind(Utc::now());
                    qb.push(" WHERE status <> 'moved_out' AND id_number = ").push_bind(d.id_number.clone());
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict("the person is recorded as moved out".into()));
                    }
                    let stored = DeathRecord { id, recorded_by: actor.name.clone(), ..d.clone() };
                    <$store>::write_audit(&mut tx, actor, &[FuneralEvent::Death { death: &stored, before }.entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn death(&self, id: i64) -> Result<Option<DeathRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {DEATH_COLUMNS} FROM death_records WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(death_from).transpose()
                }

                async fn death_of(&self, id_number: &str) -> Result<Option<DeathRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {DEATH_COLUMNS} FROM death_records WHERE id_number = "));
                    qb.push_bind(id_number.to_string());
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(death_from).transpose()
                }

                async fn add_cremation(&self, c: &CremationRecord, actor: &Actor) -> Result<CremationRecord> {
                    let mut tx = self.begin_write().await?;
                    // PostgreSQL: one numbering at a time (SQLite's writing transaction holds the
                    // file's write lock from its start).
                    if <$store as minzheng_store::Dialect>::LOCKS_ROWS {
                        sqlx::query::<$db>("SELECT pg_advisory_xact_lock(7294631)").execute(&mut *tx).await?;
                    }
                    let county = RegionCode::parse(&c.community.chars().take(6).collect::<String>()).map_err(|_| corrupt("community", &c.community))?;
                    let prefix = super::model::certificate_no(&county, c.report.cremated_on, 0);
                    let prefix = prefix.trim_end_matches('0').to_string();
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM cremations WHERE certificate_no LIKE ");
                    qb.push_bind(format!("{prefix}%"));
                    let n: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("n")?;
                    let mut stored = CremationRecord {
                        certificate_no: super::model::certificate_no(&county, c.report.cremated_on, n + 1),
                        recorded_by: actor.name.clone(),
                        ..c.clone()
                    };
                    let relief = serde_json::to_string(&stored.relief).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO cremations (id_number, death_id, name, community, died_on, funeral_home, received_on, transport_km, \
                         cremated_on, coffin, urn, ashes, storage_years, groups, declared, declared_proof, universal, relief, funeral_home_fen, \
                         family_fen, certificate_no, recorded_by, recorded_at) ",
                    );
                    qb.push_values([&stored], |mut b, c| {
                        b.push_bind(c.id_number.clone())
                            .push_bind(c.death_id)
                            .push_bind(c.name.clone())
                            .push_bind(c.community.clone())
                            .push_bind(c.died_on)
                            .push_bind(c.report.funeral_home.clone())
                            .push_bind(c.report.received_on)
                            .push_bind(i32::try_from(c.report.transport_km).unwrap_or(i32::MAX))
                            .push_bind(c.report.cremated_on)
                            .push_bind(c.report.coffin)
                            .push_bind(c.report.urn)
                            .push_bind(c.report.ashes.as_str())
                            .push_bind(i32::try_from(c.report.storage_years).unwrap_or(i32::MAX))
                            .push_bind(c.relief.groups.join(","))
                            .push_bind(c.report.declared.join(","))
                            .push_bind(c.report.declared_proof.clone())
                            .push_bind(c.relief.universal)
                            .push_bind(relief.clone())
                            .push_bind(c.relief.funeral_home_fen)
                            .push_bind(c.relief.family_fen)
                            .push_bind(c.certificate_no.clone())
                            .push_bind(c.recorded_by.clone())
                            .push_bind(c.recorded_at);
                    });
                    qb.push(" RETURNING id");
                    stored.id =
                        qb.build().fetch_one(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the person's cremation"))?.try_get("id")?;
                    <$store>::write_audit(&mut tx, actor, &[FuneralEvent::Cremated(&stored).entry()]).await?;
                    tx.commit().await?;
                    Ok(stored)
                }

                async fn cremation_of(&self, id_number: &str) -> Result<Option<CremationRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {CREMATION_COLUMNS} FROM cremations WHERE id_number = "));
                    qb.push_bind(id_number.to_string());
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(cremation_from).transpose()
                }

                async fn recent_deaths(&self, region: &RegionCode, limit: u32) -> Result<Vec<(DeathRecord, Option<String>)>> {
                    let (lo, hi) = range(region);
                    let columns = DEATH_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ");
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {columns}, c.certificate_no AS cremation FROM death_records d \
                         LEFT JOIN cremations c ON c.id_number = d.id_number WHERE d.community >= "
                    ));
                    qb.push_bind(lo).push(" AND d.community < ").push_bind(hi);
                    qb.push(" ORDER BY d.died_on DESC, d.id DESC LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(|r| Ok((death_from(r)?, r.try_get("cremation")?))).collect()
                }

                async fn uncremated(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate, limit: u32) -> Result<(Vec<Uncremated>, u64)> {
                    let (lo, hi) = range(region);
                    let body = "FROM persons p LEFT JOIN death_records d ON d.id_number = p.id_number \
                                WHERE p.status = 'deceased' AND p.status_date >= ";
                    let filter = |qb: &mut QueryBuilder<$db>| {
                        qb.push_bind(from).push(" AND p.status_date <= ").push_bind(to);
                        qb.push(" AND p.community_code >= ").push_bind(lo.clone()).push(" AND p.community_code < ").push_bind(hi.clone());
                        qb.push(" AND NOT EXISTS (SELECT 1 FROM cremations c WHERE c.id_number = p.id_number)");
                    };
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT COUNT(*) AS n {body}"));
                    filter(&mut qb);
                    let n: i64 = qb.build().fetch_one(self.pool()).await?.try_get("n")?;
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT p.id_number, p.name, p.community_code, p.status_date, d.id AS death_id {body}"
                    ));
                    filter(&mut qb);
                    qb.push(" ORDER BY p.status_date, p.id_number LIMIT ").push_bind(i64::from(limit));
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    let list = rows
                        .iter()
                        .map(|r| {
                            Ok(Uncremated {
                                id_number: r.try_get("id_number")?,
                                name: r.try_get("name")?,
                                community: r.try_get::<Option<String>, _>("community_code")?.unwrap_or_default(),
                                died_on: r.try_get("status_date")?,
                                death_id: r.try_get("death_id")?,
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    Ok((list, count(n)))
                }

                async fn county_figures(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<CountyFigures>> {
                    let (lo, hi) = range(region);
                    let mut out: std::collections::BTreeMap<String, CountyFigures> = std::collections::BTreeMap::new();
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT substr(community_code, 1, 6) AS county, COUNT(*) AS n FROM persons \
                         WHERE status = 'deceased' AND status_date >= ",
                    );
                    qb.push_bind(from).push(" AND status_date <= ").push_bind(to);
                    qb.push(" AND community_code >= ").push_bind(lo.clone()).push(" AND community_code < ").push_bind(hi.clone());
                    qb.push(" GROUP BY substr(community_code, 1, 6)");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let county: String = r.try_get("county")?;
                        out.entry(county.clone()).or_insert_with(|| CountyFigures { county, ..Default::default() }).deaths = count(r.try_get("n")?);
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT substr(community, 1, 6) AS county, COUNT(*) AS n, \
                         CAST(SUM(CASE WHEN ashes IN ('sea', 'tree', 'lawn') THEN 1 ELSE 0 END) AS BIGINT) AS eco, \
                         CAST(SUM(CASE WHEN funeral_home_fen > 0 THEN 1 ELSE 0 END) AS BIGINT) AS relieved, \
                         CAST(SUM(funeral_home_fen) AS BIGINT) AS relief, CAST(SUM(family_fen) AS BIGINT) AS reward \
                         FROM cremations WHERE cremated_on >= ",
                    );
                    qb.push_bind(from).push(" AND cremated_on <= ").push_bind(to);
                    qb.push(" AND community >= ").push_bind(lo).push(" AND community < ").push_bind(hi);
                    qb.push(" GROUP BY substr(community, 1, 6)");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let county: String = r.try_get("county")?;
                        let n = |c: &str| -> Result<i64> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
                        let f = out.entry(county.clone()).or_insert_with(|| CountyFigures { county, ..Default::default() });
                        f.cremations = count(n("n")?);
                        f.eco = count(n("eco")?);
                        f.relieved = count(n("relieved")?);
                        f.relief_fen = n("relief")?;
                        f.reward_fen = n("reward")?;
                    }
                    Ok(out.into_values().collect())
                }
            }
        };
    };
}

impl_funeral_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_funeral_store!(minzheng_store::PgStore, sqlx::Postgres);
