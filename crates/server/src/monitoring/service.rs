//! The monitoring's use cases: run the warning rules over a region (nightly) or over the persons
//! of a departmental file (when it arrives), store the new warnings as tasks for the household's
//! grid worker or community, keep the monitored population, take the handling's steps, escalate
//! what is overdue; who may do which, where; every change audited in its transaction.

use super::model::{apply, due, Step, Warning, WarningError, WarningStatus};
use super::store::{monitoring_store, AreaCount, Queue, QueueCounts, RunRecord, StepRecord};
use crate::platform::scope::{need, shown, within};
use chrono::{NaiveDate, Utc};
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::economy::DeptRecord;
use minzheng_domain::{Bilingual, EnrolmentStatus, Fen, Permission, Principal, RegionCode, RegionLevel};
use minzheng_policy::arrow::array::{Array, AsArray};
use minzheng_policy::arrow::datatypes::{Int32Type, Int64Type};
use minzheng_policy::snapshot::Table;
use minzheng_policy::warnings::{Events, Responder, EVENT_COLUMNS};
use minzheng_policy::{Engine, PolicySet, Snapshot, Unit};
use minzheng_store::{Actor, Store, StoreError};
use std::collections::HashMap;
use std::time::Instant;

/// Why a monitoring use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum MonitoringFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Invalid(#[from] WarningError),
    #[error("the warning was changed by someone else meanwhile")]
    Changed,
    #[error("no such warning")]
    NotFound,
    #[error("rules engine: {0}")]
    Engine(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MonitoringFailure {
    pub fn is_input(&self) -> bool {
        matches!(self, MonitoringFailure::Invalid(_) | MonitoringFailure::Changed)
    }
}

impl From<minzheng_policy::EngineError> for MonitoringFailure {
    fn from(e: minzheng_policy::EngineError) -> Self {
        MonitoringFailure::Engine(e.to_string())
    }
}

impl Bilingual for MonitoringFailure {
    fn zh(&self) -> String {
        match self {
            MonitoringFailure::Access(e) => e.zh(),
            MonitoringFailure::Invalid(e) => e.zh(),
            MonitoringFailure::Changed => "该预警已被他人处理，请刷新后再办理".into(),
            MonitoringFailure::NotFound => "没有这条预警".into(),
            MonitoringFailure::Engine(e) => format!("规则计算出错：{e}"),
            MonitoringFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            MonitoringFailure::Access(e) => e.en(),
            MonitoringFailure::Invalid(e) => e.en(),
            MonitoringFailure::Store(_) => "database error, please try again later".into(),
            other => other.to_string(),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunReport {
    pub run: RunRecord,
    /// New warnings by rule code.
    pub by_rule: Vec<(String, i64)>,
    /// The monitored population's change (added, removed), for a region's run.
    pub population: Option<(u64, u64)>,
}

/// The departmental sources whose rows the events read.
const EVENT_SOURCES: &[&str] = &["medical", "disability", "unemployment", "deaths", "cremations"];

/// The programs whose end makes a household one that "left 低保 or 特困".
const LEFT_PROGRAMS: &[&str] = &["dibao", "dibao_single", "tekun"];

/// The programs whose periodic review and gradual exit the rules follow.
const REVIEWED_PROGRAMS: &[&str] = &["dibao", "dibao_single", "tekun", "dibao_edge"];

/// 夜间监测: runs every rule over the whole population of a region (a county or the city) on
/// `on`, stores the new warnings and makes the monitored population what the categories say.
pub async fn run_region(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    region: Option<&RegionCode>,
    on: NaiveDate,
) -> Result<RunReport, MonitoringFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::RunMonitoring)?;
    let region = within(who, region)?.clone();
    let started = Instant::now();
    minzheng_app::policy::ensure_parameters(store, engine, actor).await?;
    let snapshot = minzheng_app::policy::snapshot(store, &region, 2, &|_| {}).await?;
    let records = scan_event_records(store).await?;
    let enrolments = scan_enrolments(store, &region).await?;
    let mut report = evaluate(store, engine, &snapshot, &records, &enrolments, on, on, None).await?;
    let population = members(engine, &snapshot, &report.1);
    let changed = monitoring_store(store).set_population(&region, &population, on, actor).await?;
    let run = RunRecord {
        id: 0,
        kind: "nightly".into(),
        region: region.to_string(),
        source: String::new(),
        on_day: on,
        persons: snapshot.persons() as i64,
        hits: report.1.hits.len() as i64,
        raised: 0,
        unknown: 0,
        millis: 0,
        started_by: actor.name.clone(),
    };
    store_run(store, actor, run, std::mem::take(&mut report.0), started, Some(changed)).await
}

/// 增量监测: when a departmental file arrives, runs the rules of its source (and those naming no
/// source) over the households of the persons it names, as of the file's date `on`; the warnings
/// are raised `today` and their limits run from today. Rows naming nobody in the registry raise
/// nothing and are counted in the run.
pub async fn run_records(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    records: &[DeptRecord],
    on: NaiveDate,
) -> Result<RunReport, MonitoringFailure> {
    let RequestContext { who, actor, today } = *cx;
    if !(who.may(Permission::RunMonitoring) || who.may(Permission::RunComparisons)) {
        return Err(AccessError::Forbidden.into());
    }
    let started = Instant::now();
    minzheng_app::policy::ensure_parameters(store, engine, actor).await?;
    let linked: Vec<minzheng_domain::IdNumber> = records.iter().filter(|r| r.link.carries_number()).filter_map(|r| r.id_number).collect();
    let persons = store.persons_by_id(&linked).await?;
    let known: std::collections::HashSet<&str> = persons.iter().map(|p| p.id_number.as_str()).collect();
    let unknown = records.iter().filter(|r| r.id_number.is_none_or(|id| !known.contains(id.as_str()))).count();
    let mut households: Vec<String> = persons.iter().filter_map(|p| p.household_no.clone()).collect();
    households.sort();
    households.dedup();
    let snapshot = minzheng_app::policy::households_snapshot(store, &households).await?;
    let (_, ids) = snapshot.keys();
    let ids: Vec<minzheng_domain::IdNumber> = ids.iter().filter_map(|i| minzheng_domain::IdNumber::parse(i).ok()).collect();
    let mut event_records = Vec::new();
    for chunk in ids.chunks(1000) {
        // Rows linked for certain only: a row still in the linkage's review names a candidate.
        event_records.extend(
            store
                .dept_records_of(chunk)
                .await?
                .into_iter()
                .filter(|r| EVENT_SOURCES.contains(&r.source.as_str()) && r.link.carries_number()),
        );
    }
    let mut enrolments = Vec::new();
    for chunk in ids.chunks(1000) {
        enrolments.extend(store.enrolments_of(chunk).await?);
    }
    enrolments.sort_by_key(|e| e.id);
    enrolments.dedup_by_key(|e| e.id);
    let sources: Vec<&str> = {
        let mut s: Vec<&str> = records.iter().map(|r| r.source.as_str()).collect();
        s.sort();
        s.dedup();
        s
    };
    let rules: Vec<usize> = engine
        .policy
        .warnings
        .iter()
        .enumerate()
        .filter(|(_, w)| w.sources.is_empty() || w.sources.iter().any(|s| sources.contains(&s.as_str())))
        .map(|(i, _)| i)
        .collect();
    let (warnings, monitoring) = evaluate(store, engine, &snapshot, &event_records, &enrolments, on, today, Some(&rules)).await?;
    let in_scope: Vec<Warning> = warnings.into_iter().filter(|w| RegionCode::parse(&w.community).is_ok_and(|c| who.in_scope(&c))).collect();
    let run = RunRecord {
        id: 0,
        kind: "file".into(),
        region: who.region.to_string(),
        source: sources.join(","),
        on_day: on,
        persons: snapshot.persons() as i64,
        hits: monitoring.hits.len() as i64,
        raised: 0,
        unknown: unknown as i64,
        millis: 0,
        started_by: actor.name.clone(),
    };
    store_run(store, actor, run, in_scope, started, None).await
}

async fn store_run(
    store: &dyn Store,
    actor: &Actor,
    mut run: RunRecord,
    warnings: Vec<Warning>,
    started: Instant,
    population: Option<(u64, u64)>,
) -> Result<RunReport, MonitoringFailure> {
    run.millis = started.elapsed().as_millis() as i64;
    let m = monitoring_store(store);
    let stored = m.record_run(&run, &warnings, actor).await?;
    // The warnings stored with this run's id are the new ones.
    let by_rule = m.raised_by_rule(stored.id).await?;
    Ok(RunReport { run: stored, by_rule, population })
}

/// Every linked row of the sources the events read.
async fn scan_event_records(store: &dyn Store) -> Result<Vec<DeptRecord>, StoreError> {
    let mut out = Vec::new();
    for source in EVENT_SOURCES {
        let mut after = 0;
        loop {
            let page = store.scan_dept_records(source, after, 20_000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            out.extend(page.into_iter().filter(|r| r.id_number.is_some() && r.link.carries_number()));
        }
    }
    Ok(out)
}

async fn scan_enrolments(store: &dyn Store, region: &RegionCode) -> Result<Vec<minzheng_domain::Enrolment>, StoreError> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(region, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        out.extend(page);
    }
    Ok(out)
}

/// The next periodic review of an enrolment started on `start`, every `months` months: the first
/// on or after `on`.
pub fn next_review(start: NaiveDate, months: u32, on: NaiveDate) -> Option<NaiveDate> {
    if months == 0 {
        return None;
    }
    let mut k = 1u32;
    loop {
        let d = start.checked_add_months(chrono::Months::new(months * k))?;
        if d >= on {
            return Some(d);
        }
        k += 1;
        if k > 1200 {
            return None;
        }
    }
}

/// Features, programs, events and rules over a snapshot on `on`: the warnings found (not yet
/// stored; raised on `raised`, due from then) and the run's raw results.
#[allow(clippy::too_many_arguments)]
async fn evaluate(
    store: &dyn Store,
    engine: &Engine,
    snapshot: &Snapshot,
    records: &[DeptRecord],
    enrolments: &[minzheng_domain::Enrolment],
    on: NaiveDate,
    raised: NaiveDate,
    rules: Option<&[usize]>,
) -> Result<(Vec<Warning>, minzheng_policy::warnings::Monitoring), MonitoringFailure> {
    let features = engine.features(snapshot, on).await?;
    let params = engine.params(&store.parameter_records().await?, &features.counties, on);
    let run = engine.evaluate(&features, &params).await?;
    let (households, ids) = snapshot.keys();
    let pid_of: HashMap<&str, i64> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as i64)).collect();
    let hid_of: HashMap<&str, i64> = households.iter().enumerate().map(|(i, h)| (h.as_str(), i as i64)).collect();
    let mut events = Events::new(snapshot, on);
    for r in records {
        let Some(pid) = r.id_number.and_then(|id| pid_of.get(id.as_str()).copied()) else { continue };
        let Some(date) = r.event_date else { continue };
        match r.source.as_str() {
            "medical" => {
                if let Some(fen) = r.field("个人自付").and_then(|t| Fen::parse_yuan(t).ok()) {
                    events.medical(pid, date, fen.0);
                }
            }
            "disability" => {
                let grade = r.field("残疾等级").and_then(grade_of).unwrap_or(0);
                events.disability_rating(pid, date, grade);
            }
            "unemployment" => events.unemployment(pid, date),
            "deaths" | "cremations" => events.death(pid, date),
            _ => {}
        }
    }
    for e in enrolments {
        let Some(&hid) = hid_of.get(e.household_no.as_str()) else { continue };
        // Paid for the month of `on`: no end yet (and not stopped), or an end still ahead (a stop
        // or a gradual exit from a later month).
        let in_force = match e.end {
            Some(end) => end > on,
            None => e.status != EnrolmentStatus::Stopped,
        };
        if in_force {
            for m in e.members.iter().filter(|m| m.end.is_none_or(|end| end > on)) {
                if let Some(&pid) = pid_of.get(m.id_number.as_str()) {
                    events.enrolled(pid, &e.program);
                }
            }
            // The periodic review and the gradual exit of 低保, 特困 and 低保边缘 (《最低生活保障审核确认办法》).
            if REVIEWED_PROGRAMS.contains(&e.program.as_str()) {
                let months = engine.policy.program(&e.program).map(|p| p.review_months).unwrap_or(0);
                events.dates(hid, next_review(e.start, months, on), e.end.filter(|end| *end > on));
            }
        } else if LEFT_PROGRAMS.contains(&e.program.as_str()) {
            if let Some(end) = e.end {
                events.left(hid, end);
            }
        }
    }
    let codes = engine.program_codes();
    let table = events.finish(&codes, Some(&run));
    let monitoring = engine.monitor(&features, &params, &table, rules).await?;
    if monitoring.hits.is_empty() {
        return Ok((Vec::new(), monitoring));
    }
    let cal = minzheng_app::cases::calendar(store).await?;
    let names = column_by_pid(snapshot, "person", "name");
    let communities = column_by_hid(snapshot);
    let wanted: std::collections::HashSet<i64> = monitoring.hits.iter().map(|h| h.pid).collect();
    let explain = Explainer::new(&features, &table, &wanted);
    let mut out = Vec::with_capacity(monitoring.hits.len());
    for h in &monitoring.hits {
        let Some(rule) = engine.policy.warnings.get(h.rule) else { continue };
        let (Some(id), Some(household)) = (ids.get(h.pid as usize), households.get(h.hid as usize)) else { continue };
        let community = communities.get(h.hid as usize).cloned().unwrap_or_default();
        out.push(Warning {
            id: 0,
            rule: rule.code.clone(),
            severity: rule.severity,
            responder: rule.responder,
            id_number: id.clone(),
            name: names.get(h.pid as usize).cloned().unwrap_or_default(),
            household_no: household.clone(),
            community,
            grid: String::new(),
            occurrence: h.occurrence,
            subject: if rule.unit == Unit::Household { household.clone() } else { id.clone() },
            detail: explain.detail(&engine.policy, &[&rule.condition, &rule.occurrence], h.pid),
            raised_on: raised,
            due_on: due(raised, rule.days, &cal),
            assignee: String::new(),
            status: WarningStatus::Open,
            escalated: false,
            visited_on: None,
            findings: String::new(),
            outcome: None,
            target: String::new(),
            decided_on: None,
            closed_on: None,
            report: String::new(),
            run_id: 0,
        });
    }
    assign(store, &mut out).await?;
    Ok((out, monitoring))
}

/// A grade as the federation writes it: `2`, `二级`, `2级`.
fn grade_of(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches('级');
    t.parse().ok().or_else(|| ["一", "二", "三", "四"].iter().position(|c| *c == t).map(|i| i as i64 + 1))
}

/// Each warning's grid, and its grid worker when the grid has exactly one (the community's desk
/// otherwise, and for rules whose responder is the community or the street).
async fn assign(store: &dyn Store, warnings: &mut [Warning]) -> Result<(), StoreError> {
    let m = monitoring_store(store);
    let mut nos: Vec<String> = warnings.iter().map(|w| w.household_no.clone()).collect();
    nos.sort();
    nos.dedup();
    let grids: HashMap<String, String> = m.grids_of(&nos).await?.into_iter().collect();
    let mut communities: Vec<String> = warnings.iter().map(|w| w.community.clone()).collect();
    communities.sort();
    communities.dedup();
    let mut workers: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (c, g, a) in m.grid_workers(&communities).await? {
        workers.entry((c, g)).or_default().push(a);
    }
    for w in warnings.iter_mut() {
        w.grid = grids.get(&w.household_no).cloned().unwrap_or_default();
        if w.responder == Responder::Grid {
            if let Some([only]) = workers.get(&(w.community.clone(), w.grid.clone())).map(Vec::as_slice) {
                w.assignee = only.clone();
            }
        }
    }
    Ok(())
}

/// A text column of a snapshot table by pid.
fn column_by_pid(snapshot: &Snapshot, table: &str, column: &str) -> Vec<String> {
    let mut out = vec![String::new(); snapshot.persons()];
    for b in snapshot.table(table).map(|t| t.partitions.iter().flatten().collect::<Vec<_>>()).unwrap_or_default() {
        let (Some(k), Some(v)) = (b.column_by_name("pid"), b.column_by_name(column)) else { continue };
        let (k, v) = (k.as_primitive::<Int64Type>(), v.as_string::<i32>());
        for i in 0..b.num_rows() {
            if let Some(slot) = out.get_mut(k.value(i) as usize) {
                *slot = v.value(i).to_string();
            }
        }
    }
    out
}

/// Each household's community by hid.
fn column_by_hid(snapshot: &Snapshot) -> Vec<String> {
    let mut out = vec![String::new(); snapshot.households()];
    for b in snapshot.table("household").map(|t| t.partitions.iter().flatten().collect::<Vec<_>>()).unwrap_or_default() {
        let (Some(k), Some(v)) = (b.column_by_name("hid"), b.column_by_name("community")) else { continue };
        let (k, v) = (k.as_primitive::<Int64Type>(), v.as_string::<i32>());
        for i in 0..b.num_rows() {
            if let Some(slot) = out.get_mut(k.value(i) as usize) {
                *slot = v.value(i).to_string();
            }
        }
    }
    out
}

/// The person features' table and where each wanted person's row is (batch, row).
type FeatureRows<'a> = (&'a Table, HashMap<i64, (usize, usize)>);

/// The values a warning's condition read, in words, for the task's explanation.
struct Explainer<'a> {
    features: Option<FeatureRows<'a>>,
    events: &'a Table,
}

impl<'a> Explainer<'a> {
    /// Where the rows of the persons `wanted` are in the features (those alone: a city has
    /// millions of rows and a run far fewer warnings).
    fn new(features: &'a minzheng_policy::Features, events: &'a Table, wanted: &std::collections::HashSet<i64>) -> Explainer<'a> {
        let features = features.view("person_features").map(|t| {
            let mut at = HashMap::new();
            for (bi, b) in t.partitions.iter().flatten().enumerate() {
                if let Some(p) = b.column_by_name("pid") {
                    let p = p.as_primitive::<Int64Type>();
                    for i in 0..b.num_rows() {
                        if wanted.contains(&p.value(i)) {
                            at.insert(p.value(i), (bi, i));
                        }
                    }
                }
            }
            (t, at)
        });
        Explainer { features, events }
    }

    fn value(&self, name: &str, pid: i64) -> Option<String> {
        let read = |b: &minzheng_policy::arrow::record_batch::RecordBatch, i: usize| -> Option<String> {
            let c = b.column_by_name(name)?;
            if c.is_null(i) {
                return None;
            }
            if let Some(v) = c.as_primitive_opt::<Int64Type>() {
                return Some(v.value(i).to_string());
            }
            if let Some(v) = c.as_primitive_opt::<Int32Type>() {
                return Some(v.value(i).to_string());
            }
            c.as_boolean_opt().map(|v| if v.value(i) { "是".to_string() } else { "否".to_string() })
        };
        if let Some(b) = self.events.partitions.iter().flatten().next() {
            if b.column_by_name(name).is_some() && (pid as usize) < b.num_rows() {
                return read(b, pid as usize);
            }
        }
        let (t, at) = self.features.as_ref()?;
        let (bi, i) = at.get(&pid)?;
        read(t.partitions.iter().flatten().nth(*bi)?, *i)
    }

    /// `label value; ...` for every feature and event column the rule reads (its condition and
    /// occurrence), flags only where they hold.
    fn detail(&self, policy: &PolicySet, sqls: &[&str], pid: i64) -> String {
        let mut names: Vec<String> = Vec::new();
        for sql in sqls {
            for n in PolicySet::references(sql).1 {
                // Where a rule reads a program's eligibility, the amount the rules compute goes
                // with it (政策找人: who, which program, how much).
                let amount = n.strip_prefix("eligible_").map(|code| format!("amount_{code}"));
                for n in std::iter::once(n).chain(amount) {
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
        }
        let mut parts = Vec::new();
        for name in names {
            let Some(value) = self.value(&name, pid).filter(|v| v != "否") else { continue };
            let (label, unit) = match (EVENT_COLUMNS.iter().find(|c| c.name == name), policy.feature(&name)) {
                (Some(c), _) => (c.zh.to_string(), c.unit.to_string()),
                (None, Some(f)) => (f.zh.clone(), f.unit.clone().unwrap_or_default()),
                (None, None) => program_label(policy, &name),
            };
            let shown = match unit.as_str() {
                "fen" => value.parse::<i64>().map(|f| format!("¥{}", Fen(f))).unwrap_or(value),
                "days" => format!("{value} 天"),
                "years" => format!("{value} 岁"),
                "yyyymmdd" => {
                    value.parse::<i32>().ok().map(|d| format!("{}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100)).unwrap_or(value)
                }
                _ => value,
            };
            parts.push(format!("{label}：{shown}"));
        }
        parts.join("；")
    }
}

/// `eligible_dibao` → (`按规则符合 低保`, ""), `amount_dibao` → (`按规则测算 低保 月金额`, "fen").
fn program_label(policy: &PolicySet, name: &str) -> (String, String) {
    let zh = |code: &str| policy.program(code).map(|p| p.zh.clone()).unwrap_or_else(|| code.to_string());
    if let Some(code) = name.strip_prefix("eligible_") {
        (format!("按规则符合“{}”", zh(code)), String::new())
    } else if let Some(code) = name.strip_prefix("amount_") {
        (format!("按规则测算“{}”月金额", zh(code)), "fen".into())
    } else if let Some(code) = name.strip_prefix("enrolled_") {
        (format!("在保“{}”", zh(code)), String::new())
    } else {
        (name.to_string(), String::new())
    }
}

/// The monitored population: (id_number, category code, community) of each member.
fn members(engine: &Engine, snapshot: &Snapshot, m: &minzheng_policy::warnings::Monitoring) -> Vec<(String, String, String)> {
    let (_, ids) = snapshot.keys();
    let communities = column_by_hid(snapshot);
    let events_hid = hid_by_pid(snapshot);
    m.members
        .iter()
        .filter_map(|(c, pid)| {
            let category = engine.policy.categories.get(*c)?;
            let id = ids.get(*pid as usize)?;
            let community = events_hid.get(*pid as usize).and_then(|h| communities.get(*h as usize))?;
            Some((id.clone(), category.code.clone(), community.clone()))
        })
        .collect()
}

fn hid_by_pid(snapshot: &Snapshot) -> Vec<i64> {
    let mut out = vec![0; snapshot.persons()];
    for b in snapshot.table("person").map(|t| t.partitions.iter().flatten().collect::<Vec<_>>()).unwrap_or_default() {
        let (Some(k), Some(v)) = (b.column_by_name("pid"), b.column_by_name("hid")) else { continue };
        let (k, v) = (k.as_primitive::<Int64Type>(), v.as_primitive::<Int64Type>());
        for i in 0..b.num_rows() {
            if let Some(slot) = out.get_mut(k.value(i) as usize) {
                *slot = v.value(i);
            }
        }
    }
    out
}

// ---- the tasks ----

fn step_record(who: &Principal, step: &Step, today: NaiveDate) -> StepRecord {
    StepRecord {
        step: step.name().into(),
        note: step.note(),
        by_name: who.name.clone(),
        by_role: who.role.as_str().into(),
        on_day: today,
        at: Utc::now(),
    }
}

fn in_scope(who: &Principal, code: &str) -> bool {
    RegionCode::parse(code).is_ok_and(|c| who.in_scope(&c))
}

/// The ID number as the account may see it.
fn masked(who: &Principal, mut w: Warning) -> Warning {
    w.id_number = shown(who, &w.id_number);
    // A person rule's subject is the ID number.
    w.subject = shown(who, &w.subject);
    w
}

/// A warning with its steps, when its household is within the account's region.
pub async fn get(store: &dyn Store, who: &Principal, id: i64) -> Result<(Warning, Vec<StepRecord>), MonitoringFailure> {
    need(who, Permission::ReadMonitoring)?;
    let m = monitoring_store(store);
    let w = m.warning(id).await?.ok_or(MonitoringFailure::NotFound)?;
    if !in_scope(who, &w.community) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok((masked(who, w), m.steps(id).await?))
}

/// Takes a step on a warning of the account's region: the visit, the decision and the report by
/// the community's grid workers and community workers (or the street's and county's staff when
/// it is escalated to them); 督办 by the street or county.
pub async fn act(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    id: i64,
    step: Step,
    seen: Option<WarningStatus>,
) -> Result<Warning, MonitoringFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::HandleWarnings)?;
    let m = monitoring_store(store);
    let before = m.warning(id).await?.ok_or(MonitoringFailure::NotFound)?;
    if !in_scope(who, &before.community) {
        return Err(AccessError::OutOfScope.into());
    }
    if matches!(step, Step::Escalate { .. }) && who.region.level() > RegionLevel::Street {
        return Err(AccessError::Forbidden.into());
    }
    if seen.is_some_and(|s| s != before.status) {
        return Err(MonitoringFailure::Changed);
    }
    let mut programs = engine.program_codes();
    programs.push("linshi".into());
    let after = apply(&before, &step, today, &programs)?;
    let mut record = step_record(who, &step, today);
    if let Step::Handle { outcome: super::model::Outcome::Applied, target, .. } = &step {
        // The program by its name in the history, not its code.
        let name = match target.trim() {
            "linshi" => "临时救助".to_string(),
            code => engine.policy.program(code).map(|p| p.zh.clone()).unwrap_or_else(|| code.to_string()),
        };
        record.note = record.note.replacen(target.trim(), &name, 1);
    }
    if !m.save_step(&before, &after, &record, actor).await? {
        return Err(MonitoringFailure::Changed);
    }
    Ok(masked(who, after))
}

/// The note of an escalation made by the daily sweep.
pub const SWEEP_NOTE: &str = "超期未处置，系统每日督办至街道";

/// 超期督办: every undecided warning of the region past its time limit, not yet escalated, is
/// escalated (a step of its own, audited). Returns how many; running it again escalates
/// nothing twice.
pub async fn escalate_overdue(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    region: Option<&RegionCode>,
) -> Result<u64, MonitoringFailure> {
    let (who, today) = (cx.who, cx.today);
    need(who, Permission::HandleWarnings)?;
    let region = within(who, region)?.clone();
    let m = monitoring_store(store);
    let mut escalated = 0;
    let mut offset = 0;
    loop {
        let rows = m.queue(&region, Queue::Overdue(today), None, offset, 1000).await?;
        if rows.is_empty() {
            break;
        }
        offset += u32::try_from(rows.len()).unwrap_or(u32::MAX);
        for w in rows.iter().filter(|w| !w.escalated) {
            match act(store, engine, cx, w.id, Step::Escalate { note: SWEEP_NOTE.into() }, Some(w.status)).await {
                Ok(_) => escalated += 1,
                Err(MonitoringFailure::Changed | MonitoringFailure::Invalid(WarningError::EscalatedAlready | WarningError::NotOverdue)) => {
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(escalated)
}

/// A page of a queue of the region (the account's own when none); `mine` keeps the warnings
/// assigned to the account.
pub async fn queue(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    queue: Queue,
    mine: bool,
    page: u32,
    size: u32,
) -> Result<Vec<Warning>, MonitoringFailure> {
    need(who, Permission::ReadMonitoring)?;
    let region = within(who, region)?;
    let rows = monitoring_store(store)
        .queue(region, queue, mine.then_some(who.name.as_str()), page.saturating_sub(1).saturating_mul(size), size)
        .await?;
    Ok(rows.into_iter().map(|w| masked(who, w)).collect())
}

/// The counts of the region's queues (the account's own warnings when `mine`).
pub async fn counts(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    mine: bool,
    today: NaiveDate,
) -> Result<QueueCounts, MonitoringFailure> {
    need(who, Permission::ReadMonitoring)?;
    let region = within(who, region)?;
    Ok(monitoring_store(store).counts(region, mine.then_some(who.name.as_str()), today).await?)
}

/// A household's warnings, newest first, when the household is in the account's region.
pub async fn of_household(
    store: &dyn Store,
    who: &Principal,
    household_no: &str,
    community: &str,
) -> Result<Vec<Warning>, MonitoringFailure> {
    need(who, Permission::ReadMonitoring)?;
    if !in_scope(who, community) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok(monitoring_store(store).of_household(household_no).await?.into_iter().map(|w| masked(who, w)).collect())
}

/// The monitored population of the region by area one level down and category, and the
/// warnings' outcomes by county and rule.
pub async fn population(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
) -> Result<(RegionCode, Vec<AreaCount>, Vec<AreaCount>), MonitoringFailure> {
    need(who, Permission::ReadMonitoring)?;
    let region = within(who, region)?.clone();
    let digits = match region.as_str().len() {
        0..=2 => 4,
        3..=4 => 6,
        5..=6 => 9,
        _ => 12,
    };
    let m = monitoring_store(store);
    Ok((region.clone(), m.population(&region, digits).await?, m.outcomes(&region).await?))
}
