//! 政府购买居家养老服务's tables (`migrations/<backend>/5005_homecare.sql`) and their store,
//! written once for both databases: providers, service orders, service records with their
//! verification, and the monthly settlements.

use super::homecare::{OrderMonth, Service, Settlement, Verification};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::RegionCode;
use minzheng_store::{Actor, AuditEntry, Handle, Result, Store, StoreError};
use serde::Serialize;

/// 服务机构: a provider the county buys home care from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    /// The county that contracts it.
    pub county: String,
    /// 统一社会信用代码.
    pub registration: String,
    pub contact: String,
}

/// 服务工单: an elder entitled to home care, served by a provider from a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub community: String,
    pub provider_id: i64,
    /// The entitlement group (`policies/homecare.toml`).
    pub group: String,
    pub monthly_minutes: u32,
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
}

/// 服务记录: one visit, with its verification when sampled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub id: i64,
    pub order_id: i64,
    pub provider_id: i64,
    pub served_on: NaiveDate,
    pub service: Service,
    pub minutes: u32,
    pub worker: String,
    /// In the verification sample (回访抽查).
    pub sampled: bool,
    pub verification: Option<Verification>,
    pub verified_by: Option<String>,
    pub note: String,
}

/// A settlement as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettlementRecord {
    pub id: i64,
    pub month: NaiveDate,
    #[serde(flatten)]
    pub settlement: Settlement,
    pub hour_fen: i64,
    pub settled_by: String,
    pub settled_at: DateTime<Utc>,
}

#[async_trait]
pub trait HomecareStore: Send + Sync {
    async fn add_provider(&self, p: &Provider, actor: &Actor) -> Result<i64>;
    async fn provider(&self, id: i64) -> Result<Option<Provider>>;
    /// The providers of the counties within `region` (or of the county `region` lies in).
    async fn providers(&self, region: &RegionCode) -> Result<Vec<Provider>>;
    /// Opens an order; an elder with an open order is a conflict.
    async fn add_order(&self, o: &Order, actor: &Actor) -> Result<i64>;
    async fn order(&self, id: i64) -> Result<Option<Order>>;
    /// The orders of a provider, open ones first.
    async fn orders(&self, provider_id: i64) -> Result<Vec<Order>>;
    /// The open orders of the elders living within `region`, by provider and start (at most
    /// `limit`).
    async fn open_orders(&self, region: &RegionCode, limit: u32) -> Result<Vec<Order>>;
    /// The elder's open order, if any.
    async fn open_order_of(&self, id_number: &str) -> Result<Option<Order>>;
    /// The open orders of persons the registry records as deceased, with the date of death;
    /// `only` one person's.
    async fn orders_of_deceased(&self, only: Option<&str>) -> Result<Vec<(Order, Option<NaiveDate>)>>;
    /// Ends an open order on a day (audited); an ended one is a conflict.
    async fn end_order(&self, o: &Order, on: NaiveDate, actor: &Actor) -> Result<()>;
    /// Stores service records (already checked) in one transaction with one audit record per
    /// provider; returns how many.
    async fn add_visits(&self, visits: &[Visit], actor: &Actor) -> Result<u64>;
    /// The records of a month in the verification sample of the elders living within `region`,
    /// the ones not verified first (at most `limit`), and how many are not verified.
    async fn samples(&self, region: &RegionCode, month: NaiveDate, limit: u32) -> Result<(Vec<Visit>, u64)>;
    async fn visit(&self, id: i64) -> Result<Option<Visit>>;
    /// Records a verification of a sampled record (audited); a record verified already is a
    /// conflict.
    async fn verify(&self, visit_id: i64, result: Verification, note: &str, actor: &Actor) -> Result<()>;
    /// Each order's month for the providers within `region`: minutes served and rejected,
    /// visits (orders with no visit in the month are not read).
    async fn month_orders(&self, region: &RegionCode, month: NaiveDate) -> Result<Vec<OrderMonth>>;
    /// Stores the month's settlements (one per provider; a provider settled already is a
    /// conflict), audited.
    async fn add_settlements(&self, month: NaiveDate, s: &[Settlement], hour_fen: i64, actor: &Actor) -> Result<()>;
    /// The settlements of the month of the providers within `region`.
    async fn settlements(&self, region: &RegionCode, month: NaiveDate) -> Result<Vec<SettlementRecord>>;
}

/// The store on whichever database the platform's store runs.
pub fn homecare_store(store: &dyn Store) -> &dyn HomecareStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// The providers' counties of `region`: a county or below is its county; above, its range.
fn county_range(region: &RegionCode) -> (String, String) {
    let c: String = region.as_str().chars().take(6).collect();
    (c.clone(), format!("{c}~"))
}

fn entry(action: &str, entity: &str, key: String, after: serde_json::Value) -> AuditEntry {
    AuditEntry { action: action.into(), entity: entity.into(), entity_key: key, before: None, after: Some(after) }
}

const ORDER_COLUMNS: &str = "id, id_number, name, community, provider_id, group_code, monthly_minutes, start_on, end_on";
const VISIT_COLUMNS: &str = "id, order_id, provider_id, served_on, service, minutes, worker, sampled, verification, verified_by, note";

/// Rows per multi-row insert (within both databases' limits on bound parameters).
const CHUNK: usize = 1_000;

macro_rules! impl_homecare_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn provider_from(r: &<$db as sqlx::Database>::Row) -> Result<Provider> {
                Ok(Provider {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    county: r.try_get("county")?,
                    registration: r.try_get("registration")?,
                    contact: r.try_get("contact")?,
                })
            }

            fn order_from(r: &<$db as sqlx::Database>::Row) -> Result<Order> {
                Ok(Order {
                    id: r.try_get("id")?,
                    id_number: r.try_get("id_number")?,
                    name: r.try_get("name")?,
                    community: r.try_get("community")?,
                    provider_id: r.try_get("provider_id")?,
                    group: r.try_get("group_code")?,
                    monthly_minutes: u32::try_from(r.try_get::<i32, _>("monthly_minutes")?).unwrap_or(0),
                    start_on: r.try_get("start_on")?,
                    end_on: r.try_get("end_on")?,
                })
            }

            fn visit_from(r: &<$db as sqlx::Database>::Row) -> Result<Visit> {
                let service: String = r.try_get("service")?;
                let verification: Option<String> = r.try_get("verification")?;
                Ok(Visit {
                    id: r.try_get("id")?,
                    order_id: r.try_get("order_id")?,
                    provider_id: r.try_get("provider_id")?,
                    served_on: r.try_get("served_on")?,
                    service: Service::parse(&service).ok_or_else(|| corrupt("service", &service))?,
                    minutes: u32::try_from(r.try_get::<i32, _>("minutes")?).unwrap_or(0),
                    worker: r.try_get("worker")?,
                    sampled: r.try_get("sampled")?,
                    verification: verification.as_deref().map(|v| Verification::parse(v).ok_or_else(|| corrupt("verification", v))).transpose()?,
                    verified_by: r.try_get("verified_by")?,
                    note: r.try_get("note")?,
                })
            }

            fn count(v: i64) -> u64 {
                u64::try_from(v).unwrap_or(0)
            }

            #[async_trait]
            impl HomecareStore for $store {
                async fn add_provider(&self, p: &Provider, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO care_providers (name, county, registration, contact, recorded_by, recorded_at) ");
                    qb.push_values([p], |mut b, p| {
                        b.push_bind(p.name.clone())
                            .push_bind(p.county.clone())
                            .push_bind(p.registration.clone())
                            .push_bind(p.contact.clone())
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let audit = entry("add_care_provider", "care_provider", id.to_string(), minzheng_store::to_json_value("care provider", &Provider { id, ..p.clone() })?);
                    <$store>::write_audit(&mut tx, actor, &[audit]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn provider(&self, id: i64) -> Result<Option<Provider>> {
                    let mut qb = QueryBuilder::<$db>::new("SELECT id, name, county, registration, contact FROM care_providers WHERE id = ");
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(provider_from).transpose()
                }

                async fn providers(&self, region: &RegionCode) -> Result<Vec<Provider>> {
                    let (lo, hi) = county_range(region);
                    let mut qb = QueryBuilder::<$db>::new("SELECT id, name, county, registration, contact FROM care_providers WHERE county >= ");
                    qb.push_bind(lo).push(" AND county < ").push_bind(hi).push(" ORDER BY county, name, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(provider_from).collect()
                }

                async fn add_order(&self, o: &Order, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO homecare_orders (id_number, name, community, provider_id, group_code, monthly_minutes, start_on, end_on, \
                         recorded_by, recorded_at) ",
                    );
                    qb.push_values([o], |mut b, o| {
                        b.push_bind(o.id_number.clone())
                            .push_bind(o.name.clone())
                            .push_bind(o.community.clone())
                            .push_bind(o.provider_id)
                            .push_bind(o.group.clone())
                            .push_bind(i32::try_from(o.monthly_minutes).unwrap_or(i32::MAX))
                            .push_bind(o.start_on)
                            .push_bind(o.end_on)
                            .push_bind(actor.name.clone())
                            .push_bind(Utc::now());
                    });
                    qb.push(" RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the elder's open order"))?.try_get("id")?;
                    let audit = entry("open_homecare_order", "person", o.id_number.clone(), serde_json::json!({
                        "order": id, "provider": o.provider_id, "group": o.group, "monthly_minutes": o.monthly_minutes, "start_on": o.start_on }));
                    <$store>::write_audit(&mut tx, actor, &[audit]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn order(&self, id: i64) -> Result<Option<Order>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ORDER_COLUMNS} FROM homecare_orders WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(order_from).transpose()
                }

                async fn orders(&self, provider_id: i64) -> Result<Vec<Order>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ORDER_COLUMNS} FROM homecare_orders WHERE provider_id = "));
                    qb.push_bind(provider_id).push(" ORDER BY CASE WHEN end_on IS NULL THEN 0 ELSE 1 END, start_on, id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(order_from).collect()
                }

                async fn open_orders(&self, region: &RegionCode, limit: u32) -> Result<Vec<Order>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ORDER_COLUMNS} FROM homecare_orders WHERE end_on IS NULL AND community >= "));
                    qb.push_bind(region.as_str().to_string()).push(" AND community < ").push_bind(format!("{}~", region.as_str()));
                    qb.push(" ORDER BY provider_id, start_on, id LIMIT ").push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(order_from).collect()
                }

                async fn open_order_of(&self, id_number: &str) -> Result<Option<Order>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ORDER_COLUMNS} FROM homecare_orders WHERE end_on IS NULL AND id_number = "));
                    qb.push_bind(id_number.to_string());
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(order_from).transpose()
                }

                async fn orders_of_deceased(&self, only: Option<&str>) -> Result<Vec<(Order, Option<NaiveDate>)>> {
                    let columns = ORDER_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect::<Vec<_>>().join(", ");
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {columns}, p.status_date AS died_on FROM homecare_orders o JOIN persons p ON p.id_number = o.id_number \
                         WHERE o.end_on IS NULL AND p.status = 'deceased'"
                    ));
                    if let Some(id) = only {
                        qb.push(" AND o.id_number = ").push_bind(id.to_string());
                    }
                    qb.push(" ORDER BY o.id");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(|r| Ok((order_from(r)?, r.try_get("died_on")?))).collect()
                }

                async fn end_order(&self, o: &Order, on: NaiveDate, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE homecare_orders SET end_on = ");
                    qb.push_bind(on).push(" WHERE end_on IS NULL AND id = ").push_bind(o.id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict("the order has ended".into()));
                    }
                    let audit = entry("end_homecare_order", "person", o.id_number.clone(), serde_json::json!({ "order": o.id, "end_on": on }));
                    <$store>::write_audit(&mut tx, actor, &[audit]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn add_visits(&self, visits: &[Visit], actor: &Actor) -> Result<u64> {
                    if visits.is_empty() {
                        return Ok(0);
                    }
                    let mut tx = self.begin_write().await?;
                    let now = Utc::now();
                    for chunk in visits.chunks(CHUNK) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "INSERT INTO homecare_visits (order_id, provider_id, month, served_on, service, minutes, worker, sampled, note, \
                             recorded_by, recorded_at) ",
                        );
                        qb.push_values(chunk, |mut b, v| {
                            b.push_bind(v.order_id)
                                .push_bind(v.provider_id)
                                .push_bind(super::homecare::month_of(v.served_on))
                                .push_bind(v.served_on)
                                .push_bind(v.service.as_str())
                                .push_bind(i32::try_from(v.minutes).unwrap_or(i32::MAX))
                                .push_bind(v.worker.clone())
                                .push_bind(v.sampled)
                                .push_bind(v.note.clone())
                                .push_bind(actor.name.clone())
                                .push_bind(now);
                        });
                        qb.build().execute(&mut *tx).await?;
                    }
                    // One audit record per provider: how many records of which orders and months.
                    let mut by: std::collections::BTreeMap<i64, (u64, u64, std::collections::BTreeSet<NaiveDate>)> = Default::default();
                    for v in visits {
                        let e = by.entry(v.provider_id).or_default();
                        e.0 += 1;
                        e.1 += u64::from(v.minutes);
                        e.2.insert(super::homecare::month_of(v.served_on));
                    }
                    let audits: Vec<AuditEntry> = by
                        .into_iter()
                        .map(|(p, (n, minutes, months))| {
                            entry("record_homecare_visits", "care_provider", p.to_string(), serde_json::json!({ "records": n, "minutes": minutes, "months": months }))
                        })
                        .collect();
                    <$store>::write_audit(&mut tx, actor, &audits).await?;
                    tx.commit().await?;
                    Ok(visits.len() as u64)
                }

                async fn samples(&self, region: &RegionCode, month: NaiveDate, limit: u32) -> Result<(Vec<Visit>, u64)> {
                    // The elders of the region (a community sees its own, a county all of its).
                    let (lo, hi) = (region.as_str().to_string(), format!("{}~", region.as_str()));
                    let from = "FROM homecare_visits v JOIN homecare_orders o ON o.id = v.order_id WHERE v.month = ";
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT COUNT(*) AS n {from}"));
                    qb.push_bind(month).push(" AND v.sampled AND v.verification IS NULL AND o.community >= ").push_bind(lo.clone()).push(" AND o.community < ").push_bind(hi.clone());
                    let n: i64 = qb.build().fetch_one(self.pool()).await?.try_get("n")?;
                    let columns = VISIT_COLUMNS.split(", ").map(|c| format!("v.{c}")).collect::<Vec<_>>().join(", ");
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {columns} {from}"));
                    qb.push_bind(month).push(" AND v.sampled AND o.community >= ").push_bind(lo).push(" AND o.community < ").push_bind(hi);
                    qb.push(" ORDER BY CASE WHEN v.verification IS NULL THEN 0 ELSE 1 END, v.served_on, v.id LIMIT ").push_bind(i64::from(limit));
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    Ok((rows.iter().map(visit_from).collect::<Result<_>>()?, count(n)))
                }

                async fn visit(&self, id: i64) -> Result<Option<Visit>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {VISIT_COLUMNS} FROM homecare_visits WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(visit_from).transpose()
                }

                async fn verify(&self, visit_id: i64, result: Verification, note: &str, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE homecare_visits SET verification = ");
                    qb.push_bind(result.as_str()).push(", verified_by = ").push_bind(actor.name.clone());
                    qb.push(", note = ").push_bind(note.to_string());
                    qb.push(" WHERE verification IS NULL AND sampled AND id = ").push_bind(visit_id);
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict("the record is verified already or not in the sample".into()));
                    }
                    let audit = entry("verify_homecare_visit", "homecare_visit", visit_id.to_string(), serde_json::json!({ "result": result, "note": note }));
                    <$store>::write_audit(&mut tx, actor, &[audit]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn month_orders(&self, region: &RegionCode, month: NaiveDate) -> Result<Vec<OrderMonth>> {
                    let (lo, hi) = county_range(region);
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT o.id AS order_id, o.provider_id AS provider_id, o.monthly_minutes AS entitled, \
                         CAST(SUM(CASE WHEN v.verification = 'rejected' THEN 0 ELSE v.minutes END) AS BIGINT) AS served, \
                         CAST(SUM(CASE WHEN v.verification = 'rejected' THEN v.minutes ELSE 0 END) AS BIGINT) AS rejected, \
                         COUNT(*) AS visits \
                         FROM homecare_visits v JOIN homecare_orders o ON o.id = v.order_id \
                         JOIN care_providers p ON p.id = o.provider_id WHERE v.month = ",
                    );
                    qb.push_bind(month).push(" AND p.county >= ").push_bind(lo).push(" AND p.county < ").push_bind(hi);
                    // Nothing after an order ended (a death or an admission learnt late) is paid.
                    qb.push(" AND (o.end_on IS NULL OR v.served_on <= o.end_on)");
                    qb.push(" GROUP BY o.id, o.provider_id, o.monthly_minutes");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter()
                        .map(|r| {
                            Ok(OrderMonth {
                                order_id: r.try_get("order_id")?,
                                provider_id: r.try_get("provider_id")?,
                                entitled: u32::try_from(r.try_get::<i32, _>("entitled")?).unwrap_or(0),
                                served: count(r.try_get::<Option<i64>, _>("served")?.unwrap_or(0)),
                                rejected: count(r.try_get::<Option<i64>, _>("rejected")?.unwrap_or(0)),
                                visits: count(r.try_get("visits")?),
                            })
                        })
                        .collect()
                }

                async fn add_settlements(&self, month: NaiveDate, list: &[Settlement], hour_fen: i64, actor: &Actor) -> Result<()> {
                    if list.is_empty() {
                        return Ok(());
                    }
                    let mut tx = self.begin_write().await?;
                    let now = Utc::now();
                    let big = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO homecare_settlements (provider_id, month, orders, visits, minutes_served, minutes_rejected, minutes_paid, \
                         amount_fen, hour_fen, settled_by, settled_at) ",
                    );
                    qb.push_values(list, |mut b, s| {
                        b.push_bind(s.provider_id)
                            .push_bind(month)
                            .push_bind(big(s.orders))
                            .push_bind(big(s.visits))
                            .push_bind(big(s.minutes_served))
                            .push_bind(big(s.minutes_rejected))
                            .push_bind(big(s.minutes_paid))
                            .push_bind(s.amount_fen)
                            .push_bind(hour_fen)
                            .push_bind(actor.name.clone())
                            .push_bind(now);
                    });
                    qb.build().execute(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the provider's settlement of the month"))?;
                    let audits: Vec<AuditEntry> = list
                        .iter()
                        .map(|s| {
                            let mut after = minzheng_store::to_json_value("home-care settlement", s)?;
                            after["month"] = serde_json::json!(month);
                            after["hour_fen"] = serde_json::json!(hour_fen);
                            Ok(entry("settle_homecare", "care_provider", s.provider_id.to_string(), after))
                        })
                        .collect::<minzheng_store::Result<_>>()?;
                    <$store>::write_audit(&mut tx, actor, &audits).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn settlements(&self, region: &RegionCode, month: NaiveDate) -> Result<Vec<SettlementRecord>> {
                    let (lo, hi) = county_range(region);
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT s.id, s.provider_id, s.month, s.orders, s.visits, s.minutes_served, s.minutes_rejected, s.minutes_paid, \
                         s.amount_fen, s.hour_fen, s.settled_by, s.settled_at FROM homecare_settlements s \
                         JOIN care_providers p ON p.id = s.provider_id WHERE s.month = ",
                    );
                    qb.push_bind(month).push(" AND p.county >= ").push_bind(lo).push(" AND p.county < ").push_bind(hi).push(" ORDER BY s.provider_id");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter()
                        .map(|r| {
                            Ok(SettlementRecord {
                                id: r.try_get("id")?,
                                month: r.try_get("month")?,
                                settlement: Settlement {
                                    provider_id: r.try_get("provider_id")?,
                                    orders: count(r.try_get("orders")?),
                                    visits: count(r.try_get("visits")?),
                                    minutes_served: count(r.try_get("minutes_served")?),
                                    minutes_rejected: count(r.try_get("minutes_rejected")?),
                                    minutes_paid: count(r.try_get("minutes_paid")?),
                                    amount_fen: r.try_get("amount_fen")?,
                                },
                                hour_fen: r.try_get("hour_fen")?,
                                settled_by: r.try_get("settled_by")?,
                                settled_at: r.try_get("settled_at")?,
                            })
                        })
                        .collect()
                }
            }
        };
    };
}

impl_homecare_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_homecare_store!(minzheng_store::PgStore, sqlx::Postgres);
