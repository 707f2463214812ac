//! The monitoring's tables (`migrations/<backend>/9501_monitoring.sql`) and its store trait,
//! written once for both databases: runs, warnings with their steps, the monitored population.

use super::model::{Outcome, Warning, WarningStatus};
use async_trait::async_trait;
use chrono::NaiveDate;
use minzheng_domain::RegionCode;
use minzheng_policy::warnings::{Responder, Severity};
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store, StoreError};

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "monitoring",
    sqlite: &[Migration { version: 9501, name: "monitoring", sql: include_str!("migrations/sqlite/9501_monitoring.sql") }],
    postgres: &[Migration { version: 9501, name: "monitoring", sql: include_str!("migrations/postgres/9501_monitoring.sql") }],
};

/// One run of the warning rules as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRecord {
    pub id: i64,
    /// `nightly` (a region's whole population) or `file` (the persons of a departmental file).
    pub kind: String,
    pub region: String,
    /// The departmental source of a `file` run.
    pub source: String,
    pub on_day: NaiveDate,
    /// Persons evaluated.
    pub persons: i64,
    /// Warnings the rules found (before those raised already were left out).
    pub hits: i64,
    /// New warnings.
    pub raised: i64,
    /// Rows of the file naming nobody in the registry.
    pub unknown: i64,
    pub millis: i64,
    pub started_by: String,
}

/// A step of a warning as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepRecord {
    pub step: String,
    pub note: String,
    pub by_name: String,
    pub by_role: String,
    pub on_day: NaiveDate,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A queue of warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Undecided (to visit, visited), earliest due first.
    Open,
    /// Undecided past the due day.
    Overdue(NaiveDate),
    /// Undecided and escalated to the street.
    Escalated,
    /// Decided, to be reported back.
    ToReport,
    /// Closed, newest first.
    Closed,
}

/// The counts of a region's queues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueCounts {
    pub open: i64,
    pub overdue: i64,
    pub escalated: i64,
    pub to_report: i64,
}

/// A count of the monitored population, or of the outcomes, in an area.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AreaCount {
    pub area: String,
    pub key: String,
    pub count: i64,
}

#[async_trait]
pub trait MonitoringStore: Send + Sync {
    /// Stores a run and the warnings it found, in one transaction with its audit record: a
    /// warning of the same rule, subject and occurrence as one stored before is left as it was.
    /// Returns the run with its id and the number of new warnings.
    async fn record_run(&self, run: &RunRecord, warnings: &[Warning], actor: &Actor) -> Result<RunRecord>;
    /// Makes the monitored population of `region` what `members` says (id_number, category,
    /// community): new members from `on`, members no longer in it removed. Returns (added,
    /// removed).
    async fn set_population(
        &self,
        region: &RegionCode,
        members: &[(String, String, String)],
        on: NaiveDate,
        actor: &Actor,
    ) -> Result<(u64, u64)>;
    async fn warning(&self, id: i64) -> Result<Option<Warning>>;
    async fn steps(&self, id: i64) -> Result<Vec<StepRecord>>;
    /// Saves a step when the warning is still as `before` (else false), with its audit record.
    async fn save_step(&self, before: &Warning, after: &Warning, step: &StepRecord, actor: &Actor) -> Result<bool>;
    /// A page of a queue of the region; `assignee` keeps those assigned to that account.
    async fn queue(&self, region: &RegionCode, queue: Queue, assignee: Option<&str>, offset: u32, limit: u32) -> Result<Vec<Warning>>;
    async fn counts(&self, region: &RegionCode, assignee: Option<&str>, today: NaiveDate) -> Result<QueueCounts>;
    /// A household's warnings, newest first (its assistance chain).
    async fn of_household(&self, household_no: &str) -> Result<Vec<Warning>>;
    /// The monitored population of the region by area (the codes' first `digits`) and category.
    async fn population(&self, region: &RegionCode, digits: usize) -> Result<Vec<AreaCount>>;
    /// The warnings of the region by county and `rule/outcome` (`rule/open` while undecided).
    async fn outcomes(&self, region: &RegionCode) -> Result<Vec<AreaCount>>;
    /// The newest runs.
    async fn runs(&self, limit: u32) -> Result<Vec<RunRecord>>;
    /// The warnings stored by a run (the new ones it raised), by rule.
    async fn raised_by_rule(&self, run_id: i64) -> Result<Vec<(String, i64)>>;
    /// The grid of each household (those with one).
    async fn grids_of(&self, household_nos: &[String]) -> Result<Vec<(String, String)>>;
    /// The grid workers assigned to the grids: (community, grid, account).
    async fn grid_workers(&self, communities: &[String]) -> Result<Vec<(String, String, String)>>;
}

pub fn monitoring_store(store: &dyn Store) -> &dyn MonitoringStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

/// What the monitoring records in the audit log.
pub enum MonitoringEvent<'a> {
    Run(&'a RunRecord),
    Stepped { before: &'a Warning, after: &'a Warning, step: &'a StepRecord },
    Population { region: &'a str, added: u64, removed: u64 },
}

impl AuditEvent for MonitoringEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            MonitoringEvent::Run(r) => AuditEntry {
                action: "monitoring_run".into(),
                entity: "monitoring_run".into(),
                entity_key: r.id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "kind": r.kind, "region": r.region, "source": r.source, "on": r.on_day,
                    "persons": r.persons, "hits": r.hits, "raised": r.raised, "unknown": r.unknown })),
            },
            MonitoringEvent::Stepped { before, after, step } => AuditEntry {
                action: format!("warning_{}", step.step),
                entity: "warning".into(),
                entity_key: after.id.to_string(),
                before: Some(serde_json::json!({ "status": before.status, "escalated": before.escalated })),
                after: Some(
                    serde_json::json!({ "status": after.status, "escalated": after.escalated, "outcome": after.outcome, "target": after.target, "note": step.note }),
                ),
            },
            MonitoringEvent::Population { region, added, removed } => AuditEntry {
                action: "monitored_population".into(),
                entity: "monitored".into(),
                entity_key: region.to_string(),
                before: None,
                after: Some(serde_json::json!({ "added": added, "removed": removed })),
            },
        }
    }
}

const COLUMNS: &str = "id, rule, severity, responder, id_number, name, household_no, community, grid, occurrence, subject, detail, \
     raised_on, due_on, assignee, status, escalated, visited_on, findings, outcome, target, decided_on, closed_on, report, run_id";
const RUN_COLUMNS: &str = "id, kind, region, source, on_day, persons, hits, raised, unknown, millis, started_by";

fn level_column(region: &RegionCode) -> Option<&'static str> {
    match region.as_str().len() {
        12 => Some("community"),
        9 => Some("street"),
        6 => Some("county"),
        4 => Some("city"),
        _ => None,
    }
}

fn prefix(code: &str, digits: usize) -> String {
    code.chars().take(digits).collect()
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

macro_rules! impl_monitoring_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn warning_from(r: &<$db as sqlx::Database>::Row) -> Result<Warning> {
                let severity: String = r.try_get("severity")?;
                let responder: String = r.try_get("responder")?;
                let status: String = r.try_get("status")?;
                let outcome: Option<String> = r.try_get("outcome")?;
                Ok(Warning {
                    id: r.try_get("id")?,
                    rule: r.try_get("rule")?,
                    severity: Severity::parse(&severity).ok_or_else(|| corrupt("severity", &severity))?,
                    responder: Responder::parse(&responder).ok_or_else(|| corrupt("responder", &responder))?,
                    id_number: r.try_get("id_number")?,
                    name: r.try_get("name")?,
                    household_no: r.try_get("household_no")?,
                    community: r.try_get("community")?,
                    grid: r.try_get("grid")?,
                    occurrence: r.try_get("occurrence")?,
                    subject: r.try_get("subject")?,
                    detail: r.try_get("detail")?,
                    raised_on: r.try_get("raised_on")?,
                    due_on: r.try_get("due_on")?,
                    assignee: r.try_get("assignee")?,
                    status: WarningStatus::parse(&status).ok_or_else(|| corrupt("warning status", &status))?,
                    escalated: r.try_get("escalated")?,
                    visited_on: r.try_get("visited_on")?,
                    findings: r.try_get("findings")?,
                    outcome: outcome.as_deref().map(|o| Outcome::parse(o).ok_or_else(|| corrupt("outcome", o))).transpose()?,
                    target: r.try_get("target")?,
                    decided_on: r.try_get("decided_on")?,
                    closed_on: r.try_get("closed_on")?,
                    report: r.try_get("report")?,
                    run_id: r.try_get("run_id")?,
                })
            }

            fn run_from(r: &<$db as sqlx::Database>::Row) -> Result<RunRecord> {
                Ok(RunRecord {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    region: r.try_get("region")?,
                    source: r.try_get("source")?,
                    on_day: r.try_get("on_day")?,
                    persons: r.try_get("persons")?,
                    hits: r.try_get("hits")?,
                    raised: r.try_get("raised")?,
                    unknown: r.try_get("unknown")?,
                    millis: r.try_get("millis")?,
                    started_by: r.try_get("started_by")?,
                })
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

            #[async_trait]
            impl MonitoringStore for $store {
                async fn record_run(&self, run: &RunRecord, warnings: &[Warning], actor: &Actor) -> Result<RunRecord> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO monitoring_runs (kind, region, source, on_day, persons, hits, raised, unknown, millis, started_by, at) VALUES (",
                    );
                    qb.separated(", ")
                        .push_bind(run.kind.clone())
                        .push_bind(run.region.clone())
                        .push_bind(run.source.clone())
                        .push_bind(run.on_day)
                        .push_bind(run.persons)
                        .push_bind(run.hits)
                        .push_bind(0i64)
                        .push_bind(run.unknown)
                        .push_bind(run.millis)
                        .push_bind(run.started_by.clone())
                        .push_bind(chrono::Utc::now());
                    qb.push(") RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let mut raised = 0i64;
                    for chunk in warnings.chunks(500) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "INSERT INTO warnings (rule, severity, responder, id_number, name, household_no, community, street, county, city, grid, \
                             occurrence, subject, detail, raised_on, due_on, assignee, status, escalated, findings, target, report, run_id) ",
                        );
                        qb.push_values(chunk, |mut b, w| {
                            b.push_bind(w.rule.clone())
                                .push_bind(w.severity.as_str())
                                .push_bind(w.responder.as_str())
                                .push_bind(w.id_number.clone())
                                .push_bind(w.name.clone())
                                .push_bind(w.household_no.clone())
                                .push_bind(w.community.clone())
                                .push_bind(prefix(&w.community, 9))
                                .push_bind(prefix(&w.community, 6))
                                .push_bind(prefix(&w.community, 4))
                                .push_bind(w.grid.clone())
                                .push_bind(w.occurrence)
                                .push_bind(w.subject.clone())
                                .push_bind(w.detail.clone())
                                .push_bind(w.raised_on)
                                .push_bind(w.due_on)
                                .push_bind(w.assignee.clone())
                                .push_bind(w.status.as_str())
                                .push_bind(w.escalated)
                                .push_bind(w.findings.clone())
                                .push_bind(w.target.clone())
                                .push_bind(w.report.clone())
                                .push_bind(id);
                        });
                        qb.push(" ON CONFLICT (rule, subject, occurrence) DO NOTHING");
                        raised += qb.build().execute(&mut *tx).await?.rows_affected() as i64;
                    }
                    // A run large enough to change the planner's picture (PostgreSQL's statistics).
                    if raised >= 1000 {
                        <$store as minzheng_store::Dialect>::after_bulk_load(&mut tx, "warnings").await?;
                    }
                    let mut qb = QueryBuilder::<$db>::new("UPDATE monitoring_runs SET raised = ");
                    qb.push_bind(raised).push(" WHERE id = ").push_bind(id);
                    qb.build().execute(&mut *tx).await?;
                    let stored = RunRecord { id, raised, ..run.clone() };
                    <$store>::write_audit(&mut tx, actor, &[MonitoringEvent::Run(&stored).entry()]).await?;
                    tx.commit().await?;
                    Ok(stored)
                }

                async fn set_population(
                    &self,
                    region: &RegionCode,
                    members: &[(String, String, String)],
                    on: NaiveDate,
                    actor: &Actor,
                ) -> Result<(u64, u64)> {
                    let code = region.as_str().to_string();
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("SELECT id_number, category, community FROM monitored WHERE community >= ");
                    qb.push_bind(code.clone()).push(" AND community < ").push_bind(format!("{code}~"));
                    let mut before: std::collections::HashMap<(String, String), String> = std::collections::HashMap::new();
                    for r in qb.build().fetch_all(&mut *tx).await? {
                        before.insert((r.try_get("id_number")?, r.try_get("category")?), r.try_get("community")?);
                    }
                    let now: std::collections::HashSet<(&str, &str)> = members.iter().map(|(i, c, _)| (i.as_str(), c.as_str())).collect();
                    // Gone: in the region before, not now (a move out of the region is written by
                    // the run of the region moved to, which updates the community).
                    let mut gone: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
                    for (id, category) in before.keys().filter(|(i, c)| !now.contains(&(i.as_str(), c.as_str()))) {
                        gone.entry(category.as_str()).or_default().push(id.as_str());
                    }
                    // New, or moved to another community: written with their community now.
                    let changed: Vec<&(String, String, String)> = members
                        .iter()
                        .filter(|(i, c, community)| before.get(&(i.clone(), c.clone())).is_none_or(|was| was != community))
                        .collect();
                    let added = changed.iter().filter(|(i, c, _)| !before.contains_key(&(i.clone(), c.clone()))).count() as u64;
                    let mut removed = 0u64;
                    for (category, ids) in &gone {
                        for chunk in ids.chunks(1000) {
                            let mut qb = QueryBuilder::<$db>::new("DELETE FROM monitored WHERE category = ");
                            qb.push_bind(category.to_string()).push(" AND id_number IN (");
                            let mut sep = qb.separated(", ");
                            for id in chunk {
                                sep.push_bind(id.to_string());
                            }
                            qb.push(")");
                            removed += qb.build().execute(&mut *tx).await?.rows_affected();
                        }
                    }
                    for chunk in changed.chunks(1000) {
                        let mut qb = QueryBuilder::<$db>::new("INSERT INTO monitored (id_number, category, community, since) ");
                        qb.push_values(chunk, |mut b, (i, c, community)| {
                            b.push_bind(i.clone()).push_bind(c.clone()).push_bind(community.clone()).push_bind(on);
                        });
                        // A move keeps the date the person entered the category.
                        qb.push(" ON CONFLICT (id_number, category) DO UPDATE SET community = excluded.community");
                        qb.build().execute(&mut *tx).await?;
                    }
                    <$store>::write_audit(&mut tx, actor, &[MonitoringEvent::Population { region: &code, added, removed }.entry()]).await?;
                    tx.commit().await?;
                    Ok((added, removed))
                }

                async fn warning(&self, id: i64) -> Result<Option<Warning>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM warnings WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(warning_from).transpose()
                }

                async fn steps(&self, id: i64) -> Result<Vec<StepRecord>> {
                    let mut qb =
                        QueryBuilder::<$db>::new("SELECT step, note, by_name, by_role, on_day, at FROM warning_steps WHERE warning_id = ");
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

                async fn save_step(&self, before: &Warning, after: &Warning, step: &StepRecord, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE warnings SET status = ");
                    qb.push_bind(after.status.as_str())
                        .push(", escalated = ")
                        .push_bind(after.escalated)
                        .push(", visited_on = ")
                        .push_bind(after.visited_on)
                        .push(", findings = ")
                        .push_bind(after.findings.clone())
                        .push(", outcome = ")
                        .push_bind(after.outcome.map(|o| o.as_str()))
                        .push(", target = ")
                        .push_bind(after.target.clone())
                        .push(", decided_on = ")
                        .push_bind(after.decided_on)
                        .push(", closed_on = ")
                        .push_bind(after.closed_on)
                        .push(", report = ")
                        .push_bind(after.report.clone())
                        .push(" WHERE id = ")
                        .push_bind(before.id)
                        .push(" AND status = ")
                        .push_bind(before.status.as_str())
                        .push(" AND escalated = ")
                        .push_bind(before.escalated)
                        .push(" AND findings = ")
                        .push_bind(before.findings.clone());
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO warning_steps (warning_id, seq, step, note, by_name, by_role, on_day, at) SELECT ",
                    );
                    qb.push_bind(before.id)
                        .push(", COALESCE(MAX(seq), 0) + 1, ")
                        .push_bind(step.step.clone())
                        .push(", ")
                        .push_bind(step.note.clone())
                        .push(", ")
                        .push_bind(step.by_name.clone())
                        .push(", ")
                        .push_bind(step.by_role.clone())
                        .push(", ")
                        .push_bind(step.on_day)
                        .push(", ")
                        .push_bind(step.at)
                        .push(" FROM warning_steps WHERE warning_id = ")
                        .push_bind(before.id);
                    qb.build().execute(&mut *tx).await?;
                    <$store>::write_audit(&mut tx, actor, &[MonitoringEvent::Stepped { before, after, step }.entry()]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn queue(&self, region: &RegionCode, queue: Queue, assignee: Option<&str>, offset: u32, limit: u32) -> Result<Vec<Warning>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM warnings WHERE"));
                    match assignee {
                        Some(a) => {
                            qb.push(" assignee = ").push_bind(a.to_string()).push(" AND");
                            in_region(&mut qb, region);
                        }
                        None => in_region(&mut qb, region),
                    }
                    match queue {
                        Queue::Open => {
                            qb.push(" AND status IN ('open', 'visited') ORDER BY due_on, id");
                        }
                        Queue::Overdue(today) => {
                            qb.push(" AND status IN ('open', 'visited') AND due_on < ").push_bind(today).push(" ORDER BY due_on, id");
                        }
                        Queue::Escalated => {
                            qb.push(" AND status IN ('open', 'visited') AND escalated ORDER BY due_on, id");
                        }
                        Queue::ToReport => {
                            qb.push(" AND status = 'handled' ORDER BY id");
                        }
                        Queue::Closed => {
                            qb.push(" AND status = 'closed' ORDER BY closed_on DESC, id DESC");
                        }
                    }
                    qb.push(" LIMIT ").push_bind(i64::from(limit)).push(" OFFSET ").push_bind(i64::from(offset));
                    qb.build().fetch_all(self.pool()).await?.iter().map(warning_from).collect()
                }

                async fn counts(&self, region: &RegionCode, assignee: Option<&str>, today: NaiveDate) -> Result<QueueCounts> {
                    // The undecided (the open partial indexes), then those to report back (the
                    // handled ones'), each read by its own index.
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT COUNT(*) AS open, CAST(COALESCE(SUM(CASE WHEN due_on < ",
                    );
                    qb.push_bind(today).push(
                        " THEN 1 ELSE 0 END), 0) AS BIGINT) AS late, \
                         CAST(COALESCE(SUM(CASE WHEN escalated THEN 1 ELSE 0 END), 0) AS BIGINT) AS esc FROM warnings WHERE",
                    );
                    if let Some(a) = assignee {
                        qb.push(" assignee = ").push_bind(a.to_string()).push(" AND");
                    }
                    in_region(&mut qb, region);
                    qb.push(" AND status IN ('open', 'visited')");
                    let r = qb.build().fetch_one(self.pool()).await?;
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM warnings WHERE");
                    if let Some(a) = assignee {
                        qb.push(" assignee = ").push_bind(a.to_string()).push(" AND");
                    }
                    in_region(&mut qb, region);
                    qb.push(" AND status = 'handled'");
                    let handled: i64 = qb.build().fetch_one(self.pool()).await?.try_get("n")?;
                    Ok(QueueCounts { open: r.try_get("open")?, overdue: r.try_get("late")?, escalated: r.try_get("esc")?, to_report: handled })
                }

                async fn of_household(&self, household_no: &str) -> Result<Vec<Warning>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM warnings WHERE household_no = "));
                    qb.push_bind(household_no.to_string()).push(" ORDER BY id DESC LIMIT 200");
                    qb.build().fetch_all(self.pool()).await?.iter().map(warning_from).collect()
                }

                async fn population(&self, region: &RegionCode, digits: usize) -> Result<Vec<AreaCount>> {
                    let code = region.as_str().to_string();
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT substr(community, 1, {digits}) AS area, category, COUNT(*) AS n FROM monitored WHERE community >= "
                    ));
                    qb.push_bind(code.clone())
                        .push(" AND community < ")
                        .push_bind(format!("{code}~"))
                        .push(" GROUP BY substr(community, 1, ")
                        .push(digits.to_string())
                        .push("), category ORDER BY area, category");
                    qb.build()
                        .fetch_all(self.pool())
                        .await?
                        .iter()
                        .map(|r| Ok(AreaCount { area: r.try_get("area")?, key: r.try_get("category")?, count: r.try_get("n")? }))
                        .collect()
                }

                async fn outcomes(&self, region: &RegionCode) -> Result<Vec<AreaCount>> {
                    let mut qb = QueryBuilder::<$db>::new("SELECT county, rule, COALESCE(outcome, 'open') AS outcome, COUNT(*) AS n FROM warnings WHERE");
                    in_region(&mut qb, region);
                    qb.push(" GROUP BY county, rule, COALESCE(outcome, 'open') ORDER BY county, rule");
                    qb.build()
                        .fetch_all(self.pool())
                        .await?
                        .iter()
                        .map(|r| {
                            let (rule, outcome): (String, String) = (r.try_get("rule")?, r.try_get("outcome")?);
                            Ok(AreaCount { area: r.try_get("county")?, key: format!("{rule}/{outcome}"), count: r.try_get("n")? })
                        })
                        .collect()
                }

                async fn runs(&self, limit: u32) -> Result<Vec<RunRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {RUN_COLUMNS} FROM monitoring_runs ORDER BY id DESC LIMIT "));
                    qb.push_bind(i64::from(limit));
                    qb.build().fetch_all(self.pool()).await?.iter().map(run_from).collect()
                }

                async fn raised_by_rule(&self, run_id: i64) -> Result<Vec<(String, i64)>> {
                    let mut qb = QueryBuilder::<$db>::new("SELECT rule, COUNT(*) AS n FROM warnings WHERE run_id = ");
                    qb.push_bind(run_id).push(" GROUP BY rule ORDER BY rule");
                    qb.build().fetch_all(self.pool()).await?.iter().map(|r| Ok((r.try_get("rule")?, r.try_get("n")?))).collect()
                }

                async fn grids_of(&self, household_nos: &[String]) -> Result<Vec<(String, String)>> {
                    let mut out = Vec::new();
                    for chunk in household_nos.chunks(1000) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "SELECT household_no, grid_name FROM households WHERE grid_name IS NOT NULL AND household_no IN (",
                        );
                        let mut sep = qb.separated(", ");
                        for h in chunk {
                            sep.push_bind(h.clone());
                        }
                        qb.push(")");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push((r.try_get("household_no")?, r.try_get("grid_name")?));
                        }
                    }
                    Ok(out)
                }

                async fn grid_workers(&self, communities: &[String]) -> Result<Vec<(String, String, String)>> {
                    let mut out = Vec::new();
                    for chunk in communities.chunks(1000) {
                        let mut qb = QueryBuilder::<$db>::new("SELECT community, grid, account FROM grid_assignments WHERE community IN (");
                        let mut sep = qb.separated(", ");
                        for c in chunk {
                            sep.push_bind(c.clone());
                        }
                        qb.push(") ORDER BY community, grid, account");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push((r.try_get("community")?, r.try_get("grid")?, r.try_get("account")?));
                        }
                    }
                    Ok(out)
                }
            }
        };
    };
}

impl_monitoring_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_monitoring_store!(minzheng_store::PgStore, sqlx::Postgres);
