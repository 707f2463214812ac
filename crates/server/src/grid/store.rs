//! 基层治理's tables (`migrations/<backend>/9001_work_orders.sql`) and their store trait, written
//! once for both databases. A step changes the order only if nobody changed it since it was
//! read (its status and rework count as read), and writes its step record and the audit record
//! in the same transaction.

use super::model::{Order, OrderKind, OrderStatus, Satisfaction};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::RegionCode;
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store, StoreError};

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "grid",
    sqlite: &[
        Migration { version: 9001, name: "work_orders", sql: include_str!("migrations/sqlite/9001_work_orders.sql") },
        Migration { version: 9002, name: "grid_assignments", sql: include_str!("migrations/sqlite/9002_grid_assignments.sql") },
        Migration { version: 9003, name: "order_sources", sql: include_str!("migrations/sqlite/9003_order_sources.sql") },
    ],
    postgres: &[
        Migration { version: 9001, name: "work_orders", sql: include_str!("migrations/postgres/9001_work_orders.sql") },
        Migration { version: 9002, name: "grid_assignments", sql: include_str!("migrations/postgres/9002_grid_assignments.sql") },
        Migration { version: 9003, name: "order_sources", sql: include_str!("migrations/postgres/9003_order_sources.sql") },
    ],
};

/// A step as the order's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepRecord {
    pub step: String,
    pub note: String,
    pub by_name: String,
    pub by_role: String,
    pub on_day: NaiveDate,
    pub at: DateTime<Utc>,
}

/// Which orders a queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Open, soonest due first (not yet dispatched ones, without a due day, first).
    Open,
    /// Open past their due day.
    Overdue(NaiveDate),
    /// Closed or referred, latest first.
    Closed,
    /// Open and escalated (督办), soonest due first: the county's list to follow up.
    Escalated,
}

#[async_trait]
pub trait GridStore: Send + Sync {
    /// Stores a new order with its first step, audited; returns its id.
    async fn add_order(&self, o: &Order, first: &StepRecord, actor: &Actor) -> Result<i64>;

    /// Stores many orders at once (bulk load: the bench, the demo); no step records.
    async fn load_orders(&self, orders: &[Order], actor: &Actor) -> Result<u64>;

    async fn order(&self, id: i64) -> Result<Option<Order>>;
    /// Which of these 12345 or petition numbers are on record (an import read again).
    async fn known_sources(&self, nos: &[String]) -> Result<Vec<String>>;

    async fn steps(&self, id: i64) -> Result<Vec<StepRecord>>;

    /// Records a step: the order as it becomes, if it still is as `before`; `false` when
    /// someone changed it meanwhile.
    async fn save_step(&self, before: &Order, after: &Order, step: &StepRecord, actor: &Actor) -> Result<bool>;

    /// A page of the orders whose answering community is within `region`; with
    /// `hide_petitions`, petitions not yet dispatched left out.
    async fn queue(&self, region: &RegionCode, queue: Queue, hide_petitions: bool, offset: u32, limit: u32) -> Result<Vec<Order>>;

    /// The open orders within `region` by status, with the overdue of each, on `today`.
    async fn work_counts(&self, region: &RegionCode, hide_petitions: bool, today: NaiveDate) -> Result<Vec<StatusCount>>;

    /// The orders within `region` dispatched from `from` to `to` (inclusive), for the KPIs.
    async fn dispatched_between(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<Order>>;
}

pub fn grid_store(store: &dyn Store) -> &dyn GridStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

/// What the work orders record in the audit log.
pub enum OrderEvent<'a> {
    Filed(&'a Order),
    Stepped { before: &'a Order, after: &'a Order, step: &'a StepRecord },
}

impl AuditEvent for OrderEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            OrderEvent::Filed(o) => AuditEntry {
                action: "file_work_order".into(),
                entity: "work_order".into(),
                entity_key: o.id.to_string(),
                before: None,
                after: Some(
                    serde_json::json!({ "kind": o.kind, "title": o.title, "community": o.community, "grid": o.grid, "source_no": o.source_no }),
                ),
            },
            OrderEvent::Stepped { before, after, step } => AuditEntry {
                action: format!("work_order_{}", step.step),
                entity: "work_order".into(),
                entity_key: after.id.to_string(),
                before: Some(serde_json::json!({ "status": before.status, "owner": owner(before), "due": before.due })),
                after: Some(serde_json::json!({ "status": after.status, "owner": owner(after), "due": after.due, "note": step.note })),
            },
        }
    }
}

/// The community answering for an order now.
pub fn owner(o: &Order) -> &str {
    if o.assigned_to.is_empty() {
        &o.community
    } else {
        &o.assigned_to
    }
}

const COLUMNS: &str = "id, kind, category, title, description, contact, phone, community, grid, place, source_no, status, \
     received_on, accepted_on, dispatched_on, assigned_to, due, signed_on, replied_on, reply, closed_on, satisfaction, rework, \
     extended, escalated, reported_by";
const INSERT_COLUMNS: &str =
    "kind, category, title, description, contact, phone, community, grid, place, source_no, status, owner, street, county, city, \
     received_on, accepted_on, dispatched_on, assigned_to, due, signed_on, replied_on, reply, closed_on, satisfaction, rework, \
     extended, escalated, reported_by";

/// The first `digits` of a community code: its street (9), county (6), city (4).
fn level_of(code: &str, digits: usize) -> String {
    code.chars().take(digits).collect()
}

/// The column that holds the region's level of the answering community, for a region code of
/// that many digits; a province is a range over the cities.
fn level_column(region: &RegionCode) -> Option<&'static str> {
    match region.as_str().len() {
        12 => Some("owner"),
        9 => Some("street"),
        6 => Some("county"),
        4 => Some("city"),
        _ => None,
    }
}

/// What the open queues count for a work line: orders by status, and of them those past their
/// limit (or petitions not accepted within 15 days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub status: OrderStatus,
    pub orders: i64,
    pub overdue: i64,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

macro_rules! impl_grid_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn order_from(r: &<$db as sqlx::Database>::Row) -> Result<Order> {
                let kind: String = r.try_get("kind")?;
                let status: String = r.try_get("status")?;
                let satisfaction: Option<String> = r.try_get("satisfaction")?;
                Ok(Order {
                    id: r.try_get("id")?,
                    kind: OrderKind::parse(&kind).ok_or_else(|| corrupt("order kind", &kind))?,
                    category: r.try_get("category")?,
                    title: r.try_get("title")?,
                    description: r.try_get("description")?,
                    contact: r.try_get("contact")?,
                    phone: r.try_get("phone")?,
                    community: r.try_get("community")?,
                    grid: r.try_get("grid")?,
                    place: r.try_get("place")?,
                    source_no: r.try_get("source_no")?,
                    status: OrderStatus::parse(&status).ok_or_else(|| corrupt("order status", &status))?,
                    received_on: r.try_get("received_on")?,
                    accepted_on: r.try_get("accepted_on")?,
                    dispatched_on: r.try_get("dispatched_on")?,
                    assigned_to: r.try_get("assigned_to")?,
                    due: r.try_get("due")?,
                    signed_on: r.try_get("signed_on")?,
                    replied_on: r.try_get("replied_on")?,
                    reply: r.try_get("reply")?,
                    closed_on: r.try_get("closed_on")?,
                    satisfaction: satisfaction
                        .as_deref()
                        .map(|s| Satisfaction::parse(s).ok_or_else(|| corrupt("satisfaction", s)))
                        .transpose()?,
                    rework: r.try_get("rework")?,
                    extended: r.try_get("extended")?,
                    escalated: r.try_get("escalated")?,
                    reported_by: r.try_get("reported_by")?,
                })
            }

            fn push_values(sep: &mut sqlx::query_builder::Separated<'_, $db, &'static str>, o: &Order) {
                sep.push_bind(o.kind.as_str())
                    .push_bind(o.category.clone())
                    .push_bind(o.title.clone())
                    .push_bind(o.description.clone())
                    .push_bind(o.contact.clone())
                    .push_bind(o.phone.clone())
                    .push_bind(o.community.clone())
                    .push_bind(o.grid.clone())
                    .push_bind(o.place.clone())
                    .push_bind(o.source_no.clone())
                    .push_bind(o.status.as_str())
                    .push_bind(owner(o).to_string())
                    .push_bind(level_of(owner(o), 9))
                    .push_bind(level_of(owner(o), 6))
                    .push_bind(level_of(owner(o), 4))
                    .push_bind(o.received_on)
                    .push_bind(o.accepted_on)
                    .push_bind(o.dispatched_on)
                    .push_bind(o.assigned_to.clone())
                    .push_bind(o.due)
                    .push_bind(o.signed_on)
                    .push_bind(o.replied_on)
                    .push_bind(o.reply.clone())
                    .push_bind(o.closed_on)
                    .push_bind(o.satisfaction.map(|s| s.as_str()))
                    .push_bind(o.rework)
                    .push_bind(o.extended)
                    .push_bind(o.escalated)
                    .push_bind(o.reported_by.clone());
            }

            async fn insert_step(tx: &mut sqlx::Transaction<'static, $db>, id: i64, s: &StepRecord) -> Result<()> {
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO work_order_steps (order_id, seq, step, note, by_name, by_role, on_day, at) SELECT ",
                );
                qb.push_bind(id)
                    .push(", COALESCE(MAX(seq), 0) + 1, ")
                    .push_bind(s.step.clone())
                    .push(", ")
                    .push_bind(s.note.clone())
                    .push(", ")
                    .push_bind(s.by_name.clone())
                    .push(", ")
                    .push_bind(s.by_role.clone())
                    .push(", ")
                    .push_bind(s.on_day)
                    .push(", ")
                    .push_bind(s.at)
                    .push(" FROM work_order_steps WHERE order_id = ")
                    .push_bind(id);
                qb.build().execute(&mut **tx).await?;
                Ok(())
            }

            fn in_region(qb: &mut QueryBuilder<$db>, region: &RegionCode) {
                let code = region.as_str().to_string();
                match level_column(region) {
                    Some(column) => {
                        qb.push(format!(" {column} = ")).push_bind(code);
                    }
                    None => {
                        qb.push(" city >= ").push_bind(code.clone()).push(" AND city < ").push_bind(format!("{code}~"));
                    }
                }
            }

            /// Petitions stay with the dispatch desks until dispatched (《信访工作条例》: a
            /// petitioner's material is not handed to those it is about).
            fn petitions_hidden(qb: &mut QueryBuilder<$db>, hide: bool) {
                if hide {
                    qb.push(" AND (kind <> 'petition' OR status NOT IN ('received', 'accepted'))");
                }
            }

            /// Open past the due day, or a petition not accepted within the days.
            fn overdue(qb: &mut QueryBuilder<$db>, today: NaiveDate) {
                qb.push("(due < ")
                    .push_bind(today)
                    .push(" OR (due IS NULL AND kind = 'petition' AND status = 'received' AND received_on < ")
                    .push_bind(today - chrono::Duration::days(super::model::PETITION_ACCEPT_DAYS))
                    .push("))");
            }

            #[async_trait]
            impl GridStore for $store {
                async fn add_order(&self, o: &Order, first: &StepRecord, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(format!("INSERT INTO work_orders ({INSERT_COLUMNS}) VALUES ("));
                    let mut sep = qb.separated(", ");
                    push_values(&mut sep, o);
                    qb.push(") RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    insert_step(&mut tx, id, first).await?;
                    let stored = Order { id, ..o.clone() };
                    <$store>::write_audit(&mut tx, actor, &[OrderEvent::Filed(&stored).entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn load_orders(&self, orders: &[Order], actor: &Actor) -> Result<u64> {
                    let mut n = 0;
                    for chunk in orders.chunks(1_000) {
                        let mut tx = self.begin_write().await?;
                        let mut qb = QueryBuilder::<$db>::new(format!("INSERT INTO work_orders ({INSERT_COLUMNS}) "));
                        qb.push_values(chunk, |mut sep, o| push_values(&mut sep, o));
                        n += qb.build().execute(&mut *tx).await?.rows_affected();
                        tx.commit().await?;
                    }
                    // A load large enough to change the planner's picture (PostgreSQL's statistics).
                    if orders.len() >= 1000 {
                        let mut tx = self.begin_write().await?;
                        <$store as minzheng_store::Dialect>::after_bulk_load(&mut tx, "work_orders").await?;
                        tx.commit().await?;
                    }
                    let entry = AuditEntry {
                        action: "load_work_orders".into(),
                        entity: "work_order".into(),
                        entity_key: String::new(),
                        before: None,
                        after: Some(serde_json::json!({ "orders": n })),
                    };
                    minzheng_store::AuditStore::audit(self, actor, &[entry]).await?;
                    Ok(n)
                }

                async fn known_sources(&self, nos: &[String]) -> Result<Vec<String>> {
                    let mut out = Vec::new();
                    for chunk in nos.chunks(5000) {
                        let mut qb = QueryBuilder::<$db>::new("SELECT DISTINCT source_no FROM work_orders WHERE source_no IN (");
                        let mut sep = qb.separated(", ");
                        for n in chunk {
                            sep.push_bind(n.clone());
                        }
                        qb.push(")");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push(r.try_get("source_no")?);
                        }
                    }
                    Ok(out)
                }

                async fn order(&self, id: i64) -> Result<Option<Order>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM work_orders WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(order_from).transpose()
                }

                async fn steps(&self, id: i64) -> Result<Vec<StepRecord>> {
                    let mut qb =
                        QueryBuilder::<$db>::new("SELECT step, note, by_name, by_role, on_day, at FROM work_order_steps WHERE order_id = ");
                    qb.push_bind(id).push(" ORDER BY seq");
                    qb.build()
                        .fetch_all(self.pool())
                        .await?
                        .iter()
                        .map(|r| {
                            Ok(StepRecord {
                                step: r.try_get("step")?,
                                note: r.try_get("note")?,
                                by_name: r.try_get("by_name")?,
                                by_role: r.try_get("by_role")?,
                                on_day: r.try_get("on_day")?,
                                at: r.try_get("at")?,
                            })
                        })
                        .collect()
                }

                async fn save_step(&self, before: &Order, after: &Order, step: &StepRecord, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE work_orders SET status = ");
                    qb.push_bind(after.status.as_str())
                        .push(", owner = ")
                        .push_bind(owner(after).to_string())
                        .push(", street = ")
                        .push_bind(level_of(owner(after), 9))
                        .push(", county = ")
                        .push_bind(level_of(owner(after), 6))
                        .push(", city = ")
                        .push_bind(level_of(owner(after), 4))
                        .push(", accepted_on = ")
                        .push_bind(after.accepted_on)
                        .push(", dispatched_on = ")
                        .push_bind(after.dispatched_on)
                        .push(", assigned_to = ")
                        .push_bind(after.assigned_to.clone())
                        .push(", due = ")
                        .push_bind(after.due)
                        .push(", signed_on = ")
                        .push_bind(after.signed_on)
                        .push(", replied_on = ")
                        .push_bind(after.replied_on)
                        .push(", reply = ")
                        .push_bind(after.reply.clone())
                        .push(", closed_on = ")
                        .push_bind(after.closed_on)
                        .push(", satisfaction = ")
                        .push_bind(after.satisfaction.map(|s| s.as_str()))
                        .push(", rework = ")
                        .push_bind(after.rework)
                        .push(", extended = ")
                        .push_bind(after.extended)
                        .push(", escalated = ")
                        .push_bind(after.escalated)
                        .push(" WHERE id = ")
                        .push_bind(before.id)
                        .push(" AND status = ")
                        .push_bind(before.status.as_str())
                        .push(" AND rework = ")
                        .push_bind(before.rework)
                        .push(" AND escalated = ")
                        .push_bind(before.escalated)
                        .push(" AND extended = ")
                        .push_bind(before.extended);
                    if before.satisfaction.is_none() {
                        qb.push(" AND satisfaction IS NULL");
                    }
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    insert_step(&mut tx, before.id, step).await?;
                    <$store>::write_audit(&mut tx, actor, &[OrderEvent::Stepped { before, after, step }.entry()]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn queue(
                    &self,
                    region: &RegionCode,
                    queue: Queue,
                    hide_petitions: bool,
                    offset: u32,
                    limit: u32,
                ) -> Result<Vec<Order>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM work_orders WHERE"));
                    in_region(&mut qb, region);
                    petitions_hidden(&mut qb, hide_petitions);
                    match queue {
                        Queue::Open => {
                            qb.push(" AND status NOT IN ('closed', 'referred') ORDER BY due NULLS FIRST, id");
                        }
                        Queue::Overdue(today) => {
                            qb.push(" AND status NOT IN ('closed', 'referred') AND ");
                            overdue(&mut qb, today);
                            qb.push(" ORDER BY due NULLS FIRST, id");
                        }
                        Queue::Closed => {
                            qb.push(" AND status IN ('closed', 'referred') ORDER BY closed_on DESC, id DESC");
                        }
                        Queue::Escalated => {
                            qb.push(" AND escalated AND status NOT IN ('closed', 'referred') ORDER BY due NULLS FIRST, id");
                        }
                    }
                    qb.push(" LIMIT ").push_bind(i64::from(limit)).push(" OFFSET ").push_bind(i64::from(offset));
                    qb.build().fetch_all(self.pool()).await?.iter().map(order_from).collect()
                }

                async fn work_counts(&self, region: &RegionCode, hide_petitions: bool, today: NaiveDate) -> Result<Vec<StatusCount>> {
                    let mut qb = QueryBuilder::<$db>::new("SELECT status, COUNT(*) AS n, CAST(SUM(CASE WHEN ");
                    overdue(&mut qb, today);
                    qb.push(" THEN 1 ELSE 0 END) AS BIGINT) AS late FROM work_orders WHERE");
                    in_region(&mut qb, region);
                    petitions_hidden(&mut qb, hide_petitions);
                    qb.push(" AND status NOT IN ('closed', 'referred') GROUP BY status");
                    qb.build()
                        .fetch_all(self.pool())
                        .await?
                        .iter()
                        .map(|r| {
                            let status: String = r.try_get("status")?;
                            Ok(StatusCount {
                                status: OrderStatus::parse(&status).ok_or_else(|| corrupt("order status", &status))?,
                                orders: r.try_get("n")?,
                                overdue: r.try_get::<Option<i64>, _>("late")?.unwrap_or(0),
                            })
                        })
                        .collect()
                }

                async fn dispatched_between(&self, region: &RegionCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<Order>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM work_orders WHERE"));
                    in_region(&mut qb, region);
                    qb.push(" AND dispatched_on >= ").push_bind(from).push(" AND dispatched_on <= ").push_bind(to);
                    qb.build().fetch_all(self.pool()).await?.iter().map(order_from).collect()
                }
            }
        };
    };
}

impl_grid_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_grid_store!(minzheng_store::PgStore, sqlx::Postgres);
