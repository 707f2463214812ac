//! 社会救助资格核算 / Social assistance use cases on the policy engine, with access control and
//! audit: check one household, sweep a region, cost a parameter change (提标测算), and keep the
//! parameter history.

use crate::registry::AccessError;
use chrono::NaiveDate;
use minzheng_domain::economy::ItemKind;
use minzheng_domain::hash::FastMap;
use minzheng_domain::{Bilingual, Household, Permission, Principal, RegionCode, RegionLevel};
use minzheng_policy::engine::Run;
use minzheng_policy::explain::Check;
use minzheng_policy::params::{apply_changes, shipped_records};
use minzheng_policy::{Area, Change, Engine, EngineError, ParameterRecord, Snapshot, SnapshotBuilder};
use minzheng_store::{Actor, AuditEntry, PersonQuery, PolicyRun, Progress, RunUnit, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::time::Instant;

/// Why a policy use case failed.
#[derive(Debug, thiserror::Error)]
pub enum PolicyFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{en}")]
    Invalid { zh: String, en: String },
}

impl From<StoreError> for PolicyFailure {
    fn from(e: StoreError) -> PolicyFailure {
        PolicyFailure::Access(AccessError::Store(e))
    }
}

impl Bilingual for PolicyFailure {
    fn zh(&self) -> String {
        match self {
            PolicyFailure::Access(e) => e.zh(),
            PolicyFailure::Engine(e) => format!("核算引擎错误：{e}"),
            PolicyFailure::Invalid { zh, .. } => zh.clone(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

pub(crate) fn invalid(zh: impl Into<String>, en: impl Into<String>) -> PolicyFailure {
    PolicyFailure::Invalid { zh: zh.into(), en: en.into() }
}

/// Stores the shipped values of every parameter with no history yet: all of them on first start,
/// and on a database that has been in use, the parameters new in this release (a sub-platform
/// added since) — a parameter with a history, changed by staff or not, is left as it is.
pub async fn ensure_parameters(store: &dyn Store, engine: &Engine, actor: &Actor) -> Result<usize, StoreError> {
    let existing = store.parameter_records().await?;
    let known: std::collections::HashSet<&str> = existing.iter().map(|r| r.name.as_str()).collect();
    let records: Vec<_> =
        shipped_records(&engine.policy, chrono::Utc::now()).into_iter().filter(|r| !known.contains(r.name.as_str())).collect();
    if records.is_empty() {
        return Ok(0);
    }
    Ok(store.add_parameter_records(&records, actor).await?.len())
}

// ---- snapshots from the records store ----

/// Builds a snapshot from the store's bulk read ([`Store::scan_snapshot`]): the households and
/// persons go to the builder as they come; each person's items of the newest batch of each
/// dataset are kept (see [`Newest`]).
struct SnapshotReader<'p> {
    builder: SnapshotBuilder,
    newest: Newest,
    progress: Progress<'p>,
    rows: u64,
}

impl SnapshotReader<'_> {
    fn tick(&mut self) {
        self.rows += 1;
        if self.rows.is_multiple_of(65_536) {
            (self.progress)(self.rows);
        }
    }
}

impl minzheng_store::SnapshotSink for SnapshotReader<'_> {
    fn household(&mut self, h: &minzheng_store::SnapshotHousehold<'_>) {
        self.builder.household_row(h.household_no, h.community, h.rural);
        self.tick();
    }
    fn person(&mut self, p: &minzheng_domain::PersonView<'_>) {
        self.builder.person_view(p);
        self.tick();
    }
    fn item(&mut self, i: &minzheng_store::SnapshotItem<'_>) {
        if let Some(pid) = self.builder.pid(i.id_number) {
            self.newest.add(pid, i.source, i.as_of, i.kind, i.amount);
        }
        self.tick();
    }
}

/// The items of the persons in a snapshot, of which only those of each person's newest batch of
/// each dataset count (a later file of the same dataset replaces an earlier one, person by
/// person). The common case, every dataset's items from files of one date, needs no per-person
/// bookkeeping: that is only done for the datasets with items of several dates.
struct Newest {
    /// Files describing a later date are left out.
    until: Option<NaiveDate>,
    sources: Vec<String>,
    /// Per source: the dates its items were seen with.
    dates: Vec<Vec<NaiveDate>>,
    items: Vec<NewestItem>,
}

struct NewestItem {
    pid: i64,
    source: u16,
    date: NaiveDate,
    kind: ItemKind,
    amount: i64,
}

impl Newest {
    /// Only files describing the situation on or before `until`, when given.
    fn until(until: Option<NaiveDate>) -> Newest {
        Newest { until, sources: Vec::new(), dates: Vec::new(), items: Vec::new() }
    }
    /// An item of the person at `pid`, from a file of `source` describing `date`.
    fn add(&mut self, pid: i64, source: &str, date: NaiveDate, kind: ItemKind, amount: i64) {
        if self.until.is_some_and(|u| date > u) {
            return;
        }
        let source = match self.sources.iter().position(|s| s == source) {
            Some(i) => i,
            None => {
                self.sources.push(source.to_string());
                self.dates.push(Vec::new());
                self.sources.len() - 1
            }
        };
        if !self.dates[source].contains(&date) {
            self.dates[source].push(date);
        }
        self.items.push(NewestItem { pid, source: source as u16, date, kind, amount });
    }
    fn into_builder(self, b: &mut SnapshotBuilder) {
        let several: Vec<bool> = self.dates.iter().map(|d| d.len() > 1).collect();
        let mut newest: FastMap<(i64, u16), NaiveDate> = FastMap::default();
        for i in self.items.iter().filter(|i| several[i.source as usize]) {
            let d = newest.entry((i.pid, i.source)).or_insert(i.date);
            *d = (*d).max(i.date);
        }
        for i in self.items {
            if !several[i.source as usize] || newest.get(&(i.pid, i.source)) == Some(&i.date) {
                b.item_of(i.pid, i.kind, i.amount);
            }
        }
    }
}

/// A snapshot of every household in a region (any level) with its members and economic data,
/// in one bulk read of the store; `progress` is told the rows read so far.
pub async fn snapshot(store: &dyn Store, region: &RegionCode, partitions: usize, progress: Progress<'_>) -> Result<Snapshot, StoreError> {
    let newest = Newest::until(None);
    let mut reader = SnapshotReader { builder: SnapshotBuilder::new(), newest, progress, rows: 0 };
    store.scan_snapshot(region, &mut reader).await?;
    progress(reader.rows);
    let SnapshotReader { mut builder, newest, .. } = reader;
    newest.into_builder(&mut builder);
    person_facts(store, &mut builder, None, None).await?;
    // The enrolments of the city the region is in: a member may live in a county other than
    // the one paying (人户分离); members outside the snapshot are passed over.
    let city = region.ancestor(minzheng_domain::RegionLevel::City).unwrap_or_else(|| region.clone());
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(&city, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in &page {
            builder.enrolment(e);
        }
    }
    Ok(builder.finish(partitions))
}

/// The enrolments the persons of a small snapshot are members of.
async fn enrolments_of(store: &dyn Store, b: &mut SnapshotBuilder, ids: &[minzheng_domain::IdNumber]) -> Result<(), StoreError> {
    for e in store.enrolments_of(ids).await? {
        b.enrolment(&e);
    }
    Ok(())
}

/// The facts other sub-platforms establish about persons, for those in the snapshot: the
/// self-care of the ability assessment (养老服务) that sets the 特困 care allowance. A snapshot
/// `until` a date (a check report made again) takes only the facts that held by then.
async fn person_facts(
    store: &dyn Store,
    b: &mut SnapshotBuilder,
    ids: Option<&[minzheng_domain::IdNumber]>,
    until: Option<NaiveDate>,
) -> Result<(), StoreError> {
    use minzheng_domain::PersonFact;
    let facts = store.person_facts(PersonFact::SELF_CARE_FAILED, ids).await?;
    for f in facts.iter().filter(|f| until.is_none_or(|u| f.since <= u)) {
        b.self_care(f.id_number.as_str(), i32::try_from(f.value).unwrap_or(0));
    }
    let facts = store.person_facts(PersonFact::ABLE_SUPPORTERS_ELSEWHERE, ids).await?;
    for f in facts.iter().filter(|f| until.is_none_or(|u| f.since <= u)) {
        b.supporters_elsewhere(f.id_number.as_str(), i32::try_from(f.value).unwrap_or(0));
    }
    Ok(())
}

/// A snapshot of some households with their members and economic data (the persons a
/// departmental file names, for the work on them alone).
pub async fn households_snapshot(store: &dyn Store, household_nos: &[String]) -> Result<Snapshot, StoreError> {
    let mut b = SnapshotBuilder::new();
    let mut ids = Vec::new();
    for chunk in household_nos.chunks(1000) {
        for h in store.households(chunk).await? {
            b.household(&h);
        }
        for p in store.members_of(chunk).await? {
            b.person(&p);
            ids.push(p.id_number);
        }
    }
    let as_of: FastMap<String, NaiveDate> = store.economic_batches().await?.into_iter().map(|b| (b.checksum, b.as_of)).collect();
    let mut newest = Newest::until(None);
    for chunk in ids.chunks(1000) {
        for (item, batch) in store.economic_items_of(chunk).await? {
            if let (Some(pid), Some(date)) = (b.pid(item.id_number.as_str()), as_of.get(&batch)) {
                newest.add(pid, &item.source, *date, item.kind, item.amount);
            }
        }
    }
    newest.into_builder(&mut b);
    person_facts(store, &mut b, Some(&ids), None).await?;
    enrolments_of(store, &mut b, &ids).await?;
    Ok(b.finish(1))
}

/// A snapshot of one household.
pub async fn household_snapshot(store: &dyn Store, household: &Household) -> Result<Snapshot, StoreError> {
    household_snapshot_until(store, household, None).await
}

/// A snapshot of one household with the departmental data of files describing the situation on
/// or before `until` (the household economic check's date), when given.
pub async fn household_snapshot_until(store: &dyn Store, household: &Household, until: Option<NaiveDate>) -> Result<Snapshot, StoreError> {
    let mut b = SnapshotBuilder::new();
    b.household(household);
    let members = store.household_members(&household.household_no).await?;
    for p in &members {
        b.person(p);
    }
    let ids: Vec<_> = members.iter().map(|p| p.id_number).collect();
    let as_of: FastMap<String, NaiveDate> = store.economic_batches().await?.into_iter().map(|b| (b.checksum, b.as_of)).collect();
    let mut newest = Newest::until(until);
    for (item, batch) in store.economic_items_of(&ids).await? {
        if let (Some(pid), Some(date)) = (b.pid(item.id_number.as_str()), as_of.get(&batch)) {
            newest.add(pid, &item.source, *date, item.kind, item.amount);
        }
    }
    newest.into_builder(&mut b);
    person_facts(store, &mut b, Some(&ids), until).await?;
    enrolments_of(store, &mut b, &ids).await?;
    Ok(b.finish(1))
}

/// The snapshot of a region and its features on a date, with the time each took.
pub(crate) async fn warm(
    store: &dyn Store,
    engine: &Engine,
    region: &RegionCode,
    on: NaiveDate,
    partitions: usize,
    progress: Progress<'_>,
) -> Result<(Snapshot, minzheng_policy::Features, RunTimings), PolicyFailure> {
    let t = Instant::now();
    let snapshot = snapshot(store, region, partitions, progress).await?;
    let snapshot_ms = t.elapsed().as_millis() as u64;
    let t = Instant::now();
    let features = engine.features(&snapshot, on).await?;
    let features_ms = t.elapsed().as_millis() as u64;
    Ok((snapshot, features, RunTimings { snapshot_ms, features_ms, ..RunTimings::default() }))
}

fn audit(entity: &str, key: &str, action: &str, after: serde_json::Value) -> AuditEntry {
    AuditEntry { action: action.into(), entity: entity.into(), entity_key: key.into(), before: None, after: Some(after) }
}

// ---- check ----

/// Checks one household in the account's scope on a date (audited).
pub async fn check(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    household_no: &str,
    on: NaiveDate,
) -> Result<Check, PolicyFailure> {
    if !who.may(Permission::CheckEligibility) {
        return Err(AccessError::Forbidden.into());
    }
    let h = store.household(household_no).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&h.community) {
        store.audit(actor, &[audit("household", household_no, "refused", serde_json::json!({ "use": "policy_check" }))]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    // The situation on that date: departmental files describing a later one are not read (as
    // the household economic check report stops at its date).
    let snapshot = household_snapshot_until(store, &h, Some(on)).await?;
    let records = store.parameter_records().await?;
    let check = engine
        .check(&snapshot, &records, on)
        .await?
        .ok_or_else(|| invalid("该户没有在册成员，无法核算", "the household has no living members to check"))?;
    let eligible: Vec<&str> = check.programs.iter().filter(|p| p.eligible()).map(|p| p.code.as_str()).collect();
    store.audit(actor, &[audit("household", household_no, "policy_check", serde_json::json!({ "on": on, "eligible": eligible }))]).await?;
    let mut check = check;
    let full = who.role.sees_full_identity();
    for unit in check.programs.iter_mut().flat_map(|p| p.units.iter_mut()) {
        if !full {
            unit.unit = shown_unit(&unit.unit, true);
            unit.name = unit.name.as_deref().map(crate::cases::mask_name);
        }
    }
    name_vehicles(store, &mut check, &h, on, full).await?;
    name_income_months(store, &mut check, &h, on).await?;
    Ok(check)
}

/// The explanation of a rule that reads income says over which months each file of monthly
/// rows (所属月份) was averaged: per dataset, the newest file on or before `on` that gave the
/// members an item, with its months.
async fn name_income_months(store: &dyn Store, check: &mut Check, h: &Household, on: NaiveDate) -> Result<(), StoreError> {
    const INCOME: &[&str] = &["income", "hh_income", "income_per_capita"];
    if !reads_any(check, INCOME) {
        return Ok(());
    }
    let batches: FastMap<String, minzheng_store::EconomicBatch> =
        store.economic_batches().await?.into_iter().filter(|b| b.as_of <= on).map(|b| (b.checksum.clone(), b)).collect();
    if batches.values().all(|b| b.months.is_empty()) {
        return Ok(());
    }
    let ids: Vec<minzheng_domain::IdNumber> = store.household_members(&h.household_no).await?.iter().map(|p| p.id_number).collect();
    // As the snapshot reads them: each member's newest file per dataset; of those, the ones of
    // monthly rows.
    let mut read: Vec<(minzheng_domain::IdNumber, &minzheng_store::EconomicBatch)> = store
        .economic_items_of(&ids)
        .await?
        .into_iter()
        .filter_map(|(item, checksum)| batches.get(&checksum).map(|b| (item.id_number, b)))
        .collect();
    crate::economy::keep_newest(&mut read, |(id, b)| ((*id, b.source.clone()), b.as_of));
    let mut used: Vec<&minzheng_store::EconomicBatch> = read.into_iter().map(|(_, b)| b).filter(|b| !b.months.is_empty()).collect();
    used.sort_by(|a, b| (&a.source, &a.file_name).cmp(&(&b.source, &b.file_name)));
    used.dedup_by(|a, b| a.checksum == b.checksum);
    if used.is_empty() {
        return Ok(());
    }
    let mut zh = Vec::new();
    for b in used {
        let short = crate::sources::catalogue().get(&b.source).map_or(b.source.clone(), |s| s.short.clone());
        let (first, last, n) =
            (b.months.first().cloned().unwrap_or_default(), b.months.last().cloned().unwrap_or_default(), b.months.len());
        zh.push(format!("{short}（{}）：{first} 至 {last}，按 {n} 个月平均", b.file_name));
    }
    let months = minzheng_policy::explain::FeatureValue {
        name: "income_months".into(),
        zh: "收入所属月份".into(),
        en: "Months the income is for".into(),
        unit: None,
        source: "部门数据 所属月份".into(),
        value: zh.join("；"),
    };
    show_beside(check, INCOME, months);
    Ok(())
}

/// Whether any step of a check shows one of the features named.
fn reads_any(check: &Check, features: &[&str]) -> bool {
    check
        .programs
        .iter()
        .flat_map(|p| p.units.iter())
        .flat_map(|u| u.steps.iter())
        .any(|s| s.features.iter().any(|f| features.contains(&f.name.as_str())))
}

/// Adds `shown` to every step of a check that shows one of the features named.
fn show_beside(check: &mut Check, features: &[&str], shown: minzheng_policy::explain::FeatureValue) {
    let steps = check.programs.iter_mut().flat_map(|p| p.units.iter_mut()).flat_map(|u| u.steps.iter_mut());
    for step in steps.filter(|s| s.features.iter().any(|f| features.contains(&f.name.as_str()))) {
        step.features.push(shown.clone());
    }
}

/// The explanation of a rule that reads vehicles names them: the household members' vehicle
/// records (the rows of the sources that value vehicles, from files describing the situation on
/// or before `on`), each as the file gave it (plate, type, value), beside the counts and the
/// highest value the rule compared with its limit.
async fn name_vehicles(store: &dyn Store, check: &mut Check, h: &Household, on: NaiveDate, full: bool) -> Result<(), StoreError> {
    use minzheng_domain::source::ItemRule;
    let vehicle_sources: Vec<&str> = crate::sources::catalogue()
        .sources
        .iter()
        .filter(|s| matches!(s.item, Some(ItemRule::Valued { .. })))
        .map(|s| s.code.as_str())
        .collect();
    const VEHICLES: &[&str] = &["hh_cars", "hh_special_vehicles"];
    if vehicle_sources.is_empty() || !reads_any(check, VEHICLES) {
        return Ok(());
    }
    let members = store.household_members(&h.household_no).await?;
    let ids: Vec<minzheng_domain::IdNumber> = members.iter().map(|p| p.id_number).collect();
    let as_of: FastMap<String, NaiveDate> = store.economic_batches().await?.into_iter().map(|b| (b.checksum, b.as_of)).collect();
    // The records the rules read: linked to a member by number, of files on or before `on`, of
    // each member's newest file per source.
    let mut records: Vec<(minzheng_domain::economy::DeptRecord, minzheng_domain::IdNumber, NaiveDate)> = store
        .dept_records_of(&ids)
        .await?
        .into_iter()
        .filter(|r| vehicle_sources.contains(&r.source.as_str()) && r.link.carries_number())
        .filter_map(|r| {
            let (id, date) = (r.id_number?, as_of.get(&r.batch).copied().filter(|d| *d <= on)?);
            Some((r, id, date))
        })
        .collect();
    crate::economy::keep_newest(&mut records, |(r, id, d)| ((*id, r.source.clone()), *d));
    let mut lines = Vec::new();
    for (r, _, _) in records {
        let name = members.iter().find(|p| Some(p.id_number) == r.id_number).map(|p| p.name.clone()).unwrap_or(r.recorded_name.clone());
        let name = if full { name } else { crate::cases::mask_name(&name) };
        let cells: Vec<String> = r
            .fields
            .iter()
            .filter(|(k, v)| !v.trim().is_empty() && !matches!(k.as_str(), "身份证号" | "姓名" | crate::economy::EXPLANATION))
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        lines.push(format!("{name}：{}", cells.join("，")));
    }
    if lines.is_empty() {
        return Ok(());
    }
    let records = minzheng_policy::explain::FeatureValue {
        name: "vehicle_records".into(),
        zh: "车辆记录".into(),
        en: "Vehicle records".into(),
        unit: None,
        source: "公安交管 机动车登记".into(),
        value: lines.join("；"),
    };
    show_beside(check, VEHICLES, records);
    Ok(())
}

// ---- sweep ----

/// One line of a sweep summary: a program in a county and area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub program: String,
    pub program_zh: String,
    pub county: String,
    pub county_name: String,
    pub area: Area,
    pub considered: u64,
    pub eligible: u64,
    /// Monthly, fen.
    pub amount: i64,
}

/// Durations of a run's phases, milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunTimings {
    pub snapshot_ms: u64,
    pub features_ms: u64,
    pub evaluate_ms: u64,
    pub store_ms: u64,
}

/// A sweep of a region on a date.
#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    pub run_id: i64,
    pub region: String,
    pub on: NaiveDate,
    pub households: usize,
    pub persons: usize,
    pub rows: Vec<SummaryRow>,
    pub timings: RunTimings,
}

impl SweepReport {
    /// The report of a stored sweep run (its summary; timings are not kept).
    pub fn from_run(run: &PolicyRun) -> SweepReport {
        SweepReport {
            run_id: run.id,
            region: run.region.clone(),
            on: run.on,
            households: run.summary["households"].as_u64().unwrap_or(0) as usize,
            persons: run.summary["persons"].as_u64().unwrap_or(0) as usize,
            rows: serde_json::from_value(run.summary["rows"].clone()).unwrap_or_default(),
            timings: RunTimings::default(),
        }
    }

    /// Totals per program: (code, name, eligible, monthly amount).
    pub fn program_totals(&self) -> Vec<(String, String, u64, i64)> {
        let mut out: Vec<(String, String, u64, i64)> = Vec::new();
        for r in &self.rows {
            match out.iter_mut().find(|t| t.0 == r.program) {
                Some(t) => {
                    t.2 += r.eligible;
                    t.3 += r.amount;
                }
                None => out.push((r.program.clone(), r.program_zh.clone(), r.eligible, r.amount)),
            }
        }
        out
    }
}

async fn county_names(store: &dyn Store, region: &RegionCode) -> Result<BTreeMap<String, String>, StoreError> {
    let within = if region.level() == RegionLevel::Province || region.level() == RegionLevel::City {
        region.clone()
    } else {
        region.ancestor(RegionLevel::City).unwrap_or(region.clone())
    };
    Ok(store.regions_within(&within, RegionLevel::County).await?.into_iter().map(|r| (r.code.to_string(), r.name)).collect())
}

fn may_sweep(who: &Principal, region: &RegionCode) -> Result<(), AccessError> {
    if !who.may(Permission::RunSweeps) {
        return Err(AccessError::Forbidden);
    }
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope);
    }
    Ok(())
}

fn summary_rows(engine: &Engine, run: &Run, names: &BTreeMap<String, String>) -> Vec<SummaryRow> {
    run.totals()
        .into_iter()
        .map(|((code, county, rural), t)| SummaryRow {
            program_zh: engine.policy.program(&code).map(|p| p.zh.clone()).unwrap_or_default(),
            program: code,
            county_name: names.get(&county.to_string()).cloned().unwrap_or_default(),
            county: county.to_string(),
            area: if rural { Area::Rural } else { Area::Urban },
            considered: t.considered,
            eligible: t.eligible,
            amount: t.amount,
        })
        .collect()
}

/// The eligible units of a run, keyed by household number or ID number.
pub(crate) fn run_units(run: &Run, snapshot: &Snapshot) -> Vec<RunUnit> {
    let (households, persons) = snapshot.keys();
    let mut out = Vec::new();
    for p in &run.programs {
        let keys = if p.unit == minzheng_policy::Unit::Household { &households } else { &persons };
        for u in p.units().filter(|u| u.eligible) {
            out.push(RunUnit {
                program: p.code.clone(),
                unit_key: keys.get(u.unit as usize).cloned().unwrap_or_default(),
                county: u.county.to_string(),
                amount: u.amount,
            });
        }
    }
    out
}

/// Sweeps a region on a date with the stored parameters, storing the run (audited).
#[allow(clippy::too_many_arguments, reason = "who, actor, region and date are to become one request context")]
pub async fn sweep(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    region: &RegionCode,
    on: NaiveDate,
    partitions: usize,
    progress: Progress<'_>,
) -> Result<SweepReport, PolicyFailure> {
    let options = SweepOptions { store_run: true, ..SweepOptions::default() };
    Ok(sweep_with(store, engine, who, actor, region, on, partitions, progress, options).await?.0)
}

/// How an analyst runs a sweep: stored as a run or not, and with every unit's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepOptions {
    /// Store the run (its eligible units), as the bureau's sweeps are; an analyst's trial is not.
    pub store_run: bool,
    /// Give every unit considered, eligible or not, with what it failed.
    pub units: bool,
    /// The rule folder used when it is not the configured one (kept in the audit record).
    pub rules: Option<String>,
}

/// One unit of a sweep as an analyst reads it: eligible or not, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitLine {
    pub program: String,
    pub program_zh: String,
    pub county: String,
    /// Household number or the member's ID number.
    pub unit: String,
    pub eligible: bool,
    /// Monthly, fen.
    pub amount: i64,
    /// The conditions (and requirements, exclusions) not met, in the program's words.
    pub unmet: Vec<String>,
}

/// [`sweep`] on an analyst's terms (whatever programs the engine holds; the run stored or not;
/// every unit with its reasons). A run not stored is still audited.
#[allow(clippy::too_many_arguments, reason = "who, actor, region and date are to become one request context")]
pub async fn sweep_with(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    region: &RegionCode,
    on: NaiveDate,
    partitions: usize,
    progress: Progress<'_>,
    options: SweepOptions,
) -> Result<(SweepReport, Vec<UnitLine>), PolicyFailure> {
    may_sweep(who, region)?;
    let (snapshot, features, mut timings) = warm(store, engine, region, on, partitions, progress).await?;
    let t = Instant::now();
    let mut records = store.parameter_records().await?;
    if !options.store_run {
        // An analyst's rule folder may bring parameters the database has no history of: their
        // shipped values are used for this run (in memory, not recorded).
        let known: std::collections::HashSet<String> = records.iter().map(|r| r.name.clone()).collect();
        records.extend(shipped_records(&engine.policy, chrono::Utc::now()).into_iter().filter(|r| !known.contains(&r.name)));
    }
    let params = engine.params(&records, &features.counties, on);
    let run = engine.evaluate(&features, &params).await?;
    timings.evaluate_ms = t.elapsed().as_millis() as u64;
    let names = county_names(store, region).await?;
    let rows = summary_rows(engine, &run, &names);
    let lines = if options.units { unit_lines(engine, &run, &snapshot) } else { Vec::new() };
    let t = Instant::now();
    let run_id = if options.store_run {
        let units = run_units(&run, &snapshot);
        let stored = PolicyRun {
            id: 0,
            kind: "sweep".into(),
            region: region.to_string(),
            on,
            summary: serde_json::json!({ "rows": rows, "households": snapshot.households(), "persons": snapshot.persons() }),
            created_by: actor.name.clone(),
            created_at: chrono::Utc::now(),
        };
        store.add_policy_run(&stored, &units, actor).await?
    } else {
        // An analyst's trial: no run stored, the read audited with its programs and rules.
        let programs: Vec<&str> = engine.policy.programs.iter().map(|p| p.code.as_str()).collect();
        let after = serde_json::json!({ "on": on, "programs": programs, "rules": options.rules, "stored": false, "units": lines.len() });
        store.audit(actor, &[audit("region", region.as_str(), "policy_sweep", after)]).await?;
        0
    };
    timings.store_ms = t.elapsed().as_millis() as u64;
    let report = SweepReport {
        run_id,
        region: region.to_string(),
        on,
        households: snapshot.households(),
        persons: snapshot.persons(),
        rows,
        timings,
    };
    Ok((report, lines))
}

/// Every unit of a run with its result and, when not eligible, what it failed.
fn unit_lines(engine: &Engine, run: &Run, snapshot: &Snapshot) -> Vec<UnitLine> {
    let (households, persons) = snapshot.keys();
    let mut out = Vec::new();
    for p in &run.programs {
        let Some(program) = engine.policy.program(&p.code) else { continue };
        let keys = if p.unit == minzheng_policy::Unit::Household { &households } else { &persons };
        let unmet: HashMap<i64, Vec<String>> = p.unmet(&engine.policy, program).into_iter().collect();
        for u in p.units() {
            out.push(UnitLine {
                program: p.code.clone(),
                program_zh: program.zh.clone(),
                county: u.county.to_string(),
                unit: keys.get(u.unit as usize).cloned().unwrap_or_default(),
                eligible: u.eligible,
                amount: if u.eligible { u.amount } else { 0 },
                unmet: unmet.get(&u.unit).cloned().unwrap_or_default(),
            });
        }
    }
    out
}

// ---- what-if ----

/// One line of a what-if: a program in a county, baseline against scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIfRow {
    pub program: String,
    pub program_zh: String,
    pub county: String,
    pub county_name: String,
    pub baseline_eligible: u64,
    pub scenario_eligible: u64,
    pub newly_eligible: u64,
    pub no_longer_eligible: u64,
    /// Monthly, fen.
    pub baseline_amount: i64,
    pub scenario_amount: i64,
}

impl WhatIfRow {
    /// A line with nothing counted yet.
    fn empty(program: String, program_zh: String, county: String, county_name: String) -> WhatIfRow {
        WhatIfRow {
            program,
            program_zh,
            county,
            county_name,
            baseline_eligible: 0,
            scenario_eligible: 0,
            newly_eligible: 0,
            no_longer_eligible: 0,
            baseline_amount: 0,
            scenario_amount: 0,
        }
    }

    fn add(&mut self, r: &WhatIfRow) {
        self.baseline_eligible += r.baseline_eligible;
        self.scenario_eligible += r.scenario_eligible;
        self.newly_eligible += r.newly_eligible;
        self.no_longer_eligible += r.no_longer_eligible;
        self.baseline_amount += r.baseline_amount;
        self.scenario_amount += r.scenario_amount;
    }

    pub fn monthly_change(&self) -> i64 {
        self.scenario_amount - self.baseline_amount
    }
    pub fn annual_change(&self) -> i64 {
        self.monthly_change() * 12
    }
}

/// 提标测算: the effect of parameter changes on a date.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIfReport {
    pub run_id: i64,
    pub region: String,
    pub on: NaiveDate,
    pub changes: Vec<Change>,
    pub rows: Vec<WhatIfRow>,
    pub timings: RunTimings,
}

impl WhatIfReport {
    /// The report of a stored what-if run.
    pub fn from_run(run: &PolicyRun) -> WhatIfReport {
        WhatIfReport {
            run_id: run.id,
            region: run.region.clone(),
            on: run.on,
            changes: serde_json::from_value(run.summary["changes"].clone()).unwrap_or_default(),
            rows: serde_json::from_value(run.summary["rows"].clone()).unwrap_or_default(),
            timings: RunTimings::default(),
        }
    }

    /// The rows summed per program (all counties), in the order programs first appear.
    pub fn by_program(&self) -> Vec<WhatIfRow> {
        let mut out: Vec<WhatIfRow> = Vec::new();
        for row in &self.rows {
            match out.iter_mut().find(|r| r.program == row.program) {
                Some(t) => t.add(row),
                None => out.push(WhatIfRow { county: self.region.clone(), county_name: String::new(), ..row.clone() }),
            }
        }
        out
    }

    pub fn total(&self) -> WhatIfRow {
        let mut t = WhatIfRow::empty("all".into(), "合计".into(), self.region.clone(), String::new());
        for r in &self.rows {
            t.add(r);
        }
        t
    }
}

/// Compares two runs unit by unit.
pub fn compare(engine: &Engine, baseline: &Run, scenario: &Run, names: &BTreeMap<String, String>) -> Vec<WhatIfRow> {
    let blank = |program: &str, county: i32| {
        WhatIfRow::empty(
            program.to_string(),
            engine.policy.program(program).map(|p| p.zh.clone()).unwrap_or_default(),
            county.to_string(),
            names.get(&county.to_string()).cloned().unwrap_or_default(),
        )
    };
    let is = |set: &[bool], unit: i64| set.get(unit.max(0) as usize).copied().unwrap_or(false);
    let mut rows: BTreeMap<(String, i32), WhatIfRow> = BTreeMap::new();
    for before in &baseline.programs {
        let code = before.code.as_str();
        let after = scenario.program(code);
        let (was, is_now) = (before.eligible_by_unit(), after.map(|p| p.eligible_by_unit()).unwrap_or_default());
        let mut counties: BTreeMap<i32, WhatIfRow> = BTreeMap::new();
        for u in before.units().filter(|u| u.eligible) {
            let r = counties.entry(u.county).or_insert_with(|| blank(code, u.county));
            r.baseline_eligible += 1;
            r.baseline_amount += u.amount;
            if !is(&is_now, u.unit) {
                r.no_longer_eligible += 1;
            }
        }
        for u in after.into_iter().flat_map(|p| p.units()).filter(|u| u.eligible) {
            let r = counties.entry(u.county).or_insert_with(|| blank(code, u.county));
            r.scenario_eligible += 1;
            r.scenario_amount += u.amount;
            if !is(&was, u.unit) {
                r.newly_eligible += 1;
            }
        }
        rows.extend(counties.into_iter().map(|(county, r)| ((code.to_string(), county), r)));
    }
    rows.into_values().collect()
}

/// Costs parameter changes over a region: baseline and scenario on the date the changes start.
#[allow(clippy::too_many_arguments, reason = "who, actor, region and date are to become one request context")]
pub async fn whatif(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    region: &RegionCode,
    changes: &[Change],
    partitions: usize,
    progress: Progress<'_>,
) -> Result<WhatIfReport, PolicyFailure> {
    may_sweep(who, region)?;
    let Some(on) = changes.iter().map(|c| c.from).max() else {
        return Err(invalid("请至少给出一项参数调整", "give at least one parameter change"));
    };
    for c in changes {
        if engine.policy.parameter(&c.name).is_none() {
            return Err(invalid(format!("没有参数“{}”", c.name), format!("no parameter {:?}", c.name)));
        }
    }
    let (_, features, mut timings) = warm(store, engine, region, on, partitions, progress).await?;
    let t = Instant::now();
    let records = store.parameter_records().await?;
    let unit_of = |n: &str| engine.policy.parameter(n).map(|p| p.unit.clone()).unwrap_or_default();
    let changed = apply_changes(&records, changes, &features.counties, unit_of);
    let baseline = engine.evaluate(&features, &engine.params(&records, &features.counties, on)).await?;
    let scenario = engine.evaluate(&features, &engine.params(&changed, &features.counties, on)).await?;
    let names = county_names(store, region).await?;
    let rows = compare(engine, &baseline, &scenario, &names);
    timings.evaluate_ms = t.elapsed().as_millis() as u64;
    let t = Instant::now();
    let stored = PolicyRun {
        id: 0,
        kind: "whatif".into(),
        region: region.to_string(),
        on,
        summary: serde_json::json!({ "changes": changes, "rows": rows }),
        created_by: actor.name.clone(),
        created_at: chrono::Utc::now(),
    };
    let run_id = store.add_policy_run(&stored, &[], actor).await?;
    Ok(WhatIfReport {
        run_id,
        region: region.to_string(),
        on,
        changes: changes.to_vec(),
        rows,
        timings: RunTimings { store_ms: t.elapsed().as_millis() as u64, ..timings },
    })
}

// ---- parameters ----

/// Records a new value of a parameter (a change from a date), for the account's region or a
/// region below it (audited in the store).
/// The largest value a parameter may be given: 100 million yuan in fen, far above any standard,
/// and small enough that a standard times a city's persons stays inside `i64`.
pub const MAX_PARAMETER_VALUE: i64 = 10_000_000_000;

pub async fn set_parameter(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    record: ParameterRecord,
) -> Result<ParameterRecord, PolicyFailure> {
    if !who.may(Permission::SetParameters) {
        return Err(AccessError::Forbidden.into());
    }
    let region = RegionCode::parse(&record.region).map_err(|e| invalid(e.zh(), e.en()))?;
    if region.level() != RegionLevel::City && region.level() != RegionLevel::County && region.level() != RegionLevel::Province {
        return Err(invalid("参数只能按省、市或区县设定", "parameters are set for a province, city or county"));
    }
    if !who.in_scope(&region) {
        return Err(AccessError::OutOfScope.into());
    }
    let Some(def) = engine.policy.parameter(&record.name) else {
        return Err(invalid(format!("没有参数“{}”", record.name), format!("no parameter {:?}", record.name)));
    };
    if record.value < 0 {
        return Err(invalid(format!("{}不能为负数", def.zh), format!("{} cannot be negative", def.en)));
    }
    if record.value > MAX_PARAMETER_VALUE {
        return Err(invalid(
            format!("{}的取值{}超出合理范围（不超过{MAX_PARAMETER_VALUE}，单位{}）", def.zh, record.value, def.unit),
            format!("{} = {} is out of range (at most {MAX_PARAMETER_VALUE} {})", def.en, record.value, def.unit),
        ));
    }
    if store.region(&region).await?.is_none() {
        return Err(invalid(format!("区划{region}不存在"), format!("region {region} does not exist")));
    }
    if record.reason.trim().chars().count() < 4 {
        return Err(invalid(
            "请写明调整依据（文件名称或文号，至少4个字）",
            "give the basis of the change (a document, at least 4 characters)",
        ));
    }
    // A value that would not take effect is refused with the record that outranks it: a value
    // for both areas where the same region has its own value for an area (a city unifying its
    // urban and rural standards sets each area, or both at once as two records).
    let records = store.parameter_records().await?;
    let areas = match record.area {
        Some(a) => vec![a],
        None => vec![minzheng_policy::Area::Urban, minzheng_policy::Area::Rural],
    };
    let mut with_new = records.clone();
    with_new.push(ParameterRecord { seq: i64::MAX, ..record.clone() });
    for area in areas {
        let Some(winner) = minzheng_policy::params::in_force(&with_new, &record.name, &record.region, area, record.effective_from) else {
            continue;
        };
        if winner.seq != i64::MAX {
            let shown = minzheng_domain::units::with_unit(&winner.value.to_string(), &def.unit, true);
            let shown_en = minzheng_domain::units::with_unit(&winner.value.to_string(), &def.unit, false);
            return Err(invalid(
                format!(
                    "该值不会生效：{}（{}）自 {} 起另有专门设定 {shown}（#{}），优先于不分城乡的值；请用 --area {} 分别设定",
                    winner.region,
                    area.zh(),
                    winner.effective_from,
                    winner.seq,
                    area.as_str()
                ),
                format!(
                    "this value would not take effect: {} ({}) has its own value {shown_en} from {} (#{}), which outranks one for both areas; set each area with --area {}",
                    winner.region,
                    area.as_str(),
                    winner.effective_from,
                    winner.seq,
                    area.as_str()
                ),
            ));
        }
    }
    let stored = store.add_parameter_records(&[record], actor).await?;
    stored.into_iter().next().ok_or_else(|| invalid("参数未保存", "the parameter was not stored"))
}

// ---- spreadsheets ----

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

fn write_rows(sheet: &mut rust_xlsxwriter::Worksheet, headers: &[&str], rows: &[Vec<Cell>]) -> Result<(), rust_xlsxwriter::XlsxError> {
    let money = rust_xlsxwriter::Format::new().set_num_format("#,##0.00");
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) => sheet.write_string(r, c as u16, t)?,
                Cell::Count(n) => sheet.write_number(r, c as u16, *n as f64)?,
                Cell::Fen(f) => sheet.write_number_with_format(r, c as u16, yuan(*f), &money)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A spreadsheet cell of a report.
pub enum Cell {
    Text(String),
    Count(u64),
    /// Written in yuan with two decimals.
    Fen(i64),
}

/// A unit as a role sees it: a household number as it is, a person's ID number masked for
/// roles that see numbers masked.
pub fn shown_unit(unit: &str, masked: bool) -> String {
    match minzheng_domain::IdNumber::parse(unit) {
        Ok(id) if masked => id.masked(),
        _ => unit.to_string(),
    }
}

/// A stored run's workbook, for an account that may read the run: person units masked for roles
/// that see numbers masked, and the download audited with what it held.
pub async fn run_workbook(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    id: i64,
) -> Result<(PolicyRun, Vec<u8>), PolicyFailure> {
    let run = readable_run(store, who, id).await?;
    let masked = !who.role.sees_full_identity();
    let bytes = if run.kind == "sweep" {
        sweep_xlsx(store, &SweepReport::from_run(&run), masked).await?
    } else {
        whatif_xlsx(&WhatIfReport::from_run(&run), |name| engine.policy.parameter(name).map(|d| d.unit.clone()).unwrap_or_default())?
    };
    let detail = serde_json::json!({ "kind": run.kind, "region": run.region, "masked": masked, "bytes": bytes.len() });
    store.audit(actor, &[audit("policy_run", &id.to_string(), "export", detail)]).await?;
    Ok((run, bytes))
}

/// The sweep as a workbook: the summary, then one sheet of eligible units per program.
pub async fn sweep_xlsx(store: &dyn Store, report: &SweepReport, masked: bool) -> Result<Vec<u8>, PolicyFailure> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let xe = |e: rust_xlsxwriter::XlsxError| invalid(format!("无法生成表格：{e}"), format!("cannot write the workbook: {e}"));
    let rows: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.program_zh.clone()),
                Cell::Text(r.program.clone()),
                Cell::Text(r.county.clone()),
                Cell::Text(r.county_name.clone()),
                Cell::Text(r.area.zh().into()),
                Cell::Count(r.considered),
                Cell::Count(r.eligible),
                Cell::Fen(r.amount),
                Cell::Fen(r.amount * 12),
            ]
        })
        .collect();
    let sheet = book.add_worksheet().set_name("汇总").map_err(xe)?;
    write_rows(sheet, &["项目", "代码", "区县代码", "区县", "城乡", "测算对象数", "符合条件数", "月金额（元）", "年金额（元）"], &rows)
        .map_err(xe)?;
    for (code, zh, _, _) in report.program_totals() {
        let mut rows = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = store.policy_run_units(report.run_id, &code, after.as_deref(), 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.unit_key.clone());
            rows.extend(
                page.into_iter().map(|u| vec![Cell::Text(shown_unit(&u.unit_key, masked)), Cell::Text(u.county), Cell::Fen(u.amount)]),
            );
            if rows.len() >= 1_000_000 {
                break;
            }
        }
        let name: String = zh.chars().take(28).collect();
        let sheet = book.add_worksheet().set_name(name).map_err(xe)?;
        write_rows(sheet, &["户号或身份证号", "区县代码", "月金额（元）"], &rows).map_err(xe)?;
    }
    book.save_to_buffer().map_err(xe)
}

/// The what-if as a workbook: changes, then the comparison per program and county.
/// A change as staff read it: 设为 30.00 元/人/月, 提高 7.0%, 下调 5.5%, 增加 50.00 元/人/月.
pub fn change_text(c: &minzheng_policy::Change, unit: &str) -> String {
    let shown = |v: i64| minzheng_domain::units::with_unit(&v.to_string(), unit, true);
    match c.how {
        minzheng_policy::ChangeKind::Set(v) => format!("设为 {}", shown(v)),
        minzheng_policy::ChangeKind::RaisePermille(pm) => {
            format!("{} {}.{}%", if pm < 0 { "下调" } else { "提高" }, pm.abs() / 10, pm.abs() % 10)
        }
        minzheng_policy::ChangeKind::Add(v) => format!("{} {}", if v < 0 { "减少" } else { "增加" }, shown(v.abs())),
    }
}

/// The what-if's workbook: the results by program and county, and the changes costed, each
/// with its unit (`unit_of` a parameter's name).
pub fn whatif_xlsx(report: &WhatIfReport, unit_of: impl Fn(&str) -> String) -> Result<Vec<u8>, PolicyFailure> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let xe = |e: rust_xlsxwriter::XlsxError| invalid(format!("无法生成表格：{e}"), format!("cannot write the workbook: {e}"));
    let mut rows: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .chain(std::iter::once(&report.total()))
        .map(|r| {
            vec![
                Cell::Text(r.program_zh.clone()),
                Cell::Text(r.county.clone()),
                Cell::Text(r.county_name.clone()),
                Cell::Count(r.baseline_eligible),
                Cell::Count(r.scenario_eligible),
                Cell::Count(r.newly_eligible),
                Cell::Count(r.no_longer_eligible),
                Cell::Fen(r.baseline_amount),
                Cell::Fen(r.scenario_amount),
                Cell::Fen(r.monthly_change()),
                Cell::Fen(r.annual_change()),
            ]
        })
        .collect();
    let sheet = book.add_worksheet().set_name("测算结果").map_err(xe)?;
    write_rows(
        sheet,
        &[
            "项目",
            "区县代码",
            "区县",
            "现行对象数",
            "调整后对象数",
            "新增对象",
            "退出对象",
            "现行月支出（元）",
            "调整后月支出（元）",
            "月增支（元）",
            "年增支（元）",
        ],
        &rows,
    )
    .map_err(xe)?;
    rows = report
        .changes
        .iter()
        .map(|c| {
            vec![
                Cell::Text(c.name.clone()),
                Cell::Text(c.region.clone()),
                Cell::Text(c.area.map(|a| a.zh().to_string()).unwrap_or_else(|| "城乡".into())),
                Cell::Text(c.from.to_string()),
                Cell::Text(change_text(c, unit_of(&c.name).as_str())),
            ]
        })
        .collect();
    let sheet = book.add_worksheet().set_name("调整方案").map_err(xe)?;
    write_rows(sheet, &["参数", "区划", "城乡", "起始日期", "调整"], &rows).map_err(xe)?;
    book.save_to_buffer().map_err(xe)
}

/// A stored sweep or what-if, if the account may run sweeps over its region (`NotFound` when
/// there is no such run).
pub async fn readable_run(store: &dyn Store, who: &Principal, id: i64) -> Result<PolicyRun, AccessError> {
    if !who.may(Permission::RunSweeps) {
        return Err(AccessError::Forbidden);
    }
    let run = store.policy_run(id).await?.ok_or(AccessError::NotFound)?;
    let region = RegionCode::parse(&run.region).map_err(|_| StoreError::Corrupt(format!("run {id} region {:?}", run.region)))?;
    if !who.in_scope(&region) {
        return Err(AccessError::OutOfScope);
    }
    Ok(run)
}

/// One person or household a sweep found eligible, as a community's contact list shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub program: String,
    pub program_zh: String,
    pub name: String,
    /// Masked for roles that see numbers masked.
    pub id_number: String,
    pub household_no: String,
    pub grid: Option<String>,
    pub phone: String,
    /// Monthly amount the rules give, fen.
    pub amount: i64,
    /// Already enrolled in the program (应保已保); otherwise someone to visit (政策找人).
    pub covered: bool,
}

/// 政策找人: the people and households of one community that a stored sweep found eligible, as
/// a list to contact: name, household, grid, phone, the program and amount, and whether the
/// household is already covered; uncovered first. For the accounts that read the run, within
/// their region; the read is audited with the households shown.
pub async fn contact_list(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    run_id: i64,
    community: &RegionCode,
) -> Result<Vec<Contact>, PolicyFailure> {
    let run = readable_run(store, who, run_id).await?;
    if run.kind != "sweep" {
        return Err(invalid("只有政策找人（普查）有联系名单", "only a sweep has a contact list"));
    }
    if community.level() != minzheng_domain::RegionLevel::Community
        || !who.in_scope(community)
        || !community.as_str().starts_with(&run.region)
    {
        return Err(AccessError::OutOfScope.into());
    }
    // The community's residents and households.
    let mut persons: Vec<minzheng_domain::Person> = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .search_persons(&PersonQuery { region: Some(community.clone()), after: after.clone(), limit: 1000, ..Default::default() })
            .await?;
        persons.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let by_id: HashMap<String, &minzheng_domain::Person> = persons.iter().map(|p| (p.id_number.to_string(), p)).collect();
    // The community's households in one read, and each household's first member.
    let mut nos: Vec<String> = persons.iter().filter_map(|p| p.household_no.clone()).collect();
    nos.sort();
    nos.dedup();
    let mut households: HashMap<String, Option<minzheng_domain::Household>> = nos.iter().map(|n| (n.clone(), None)).collect();
    for h in store.households(&nos).await? {
        households.insert(h.household_no.clone(), Some(h));
    }
    let mut first_member: HashMap<&str, &minzheng_domain::Person> = HashMap::new();
    for p in &persons {
        if let Some(no) = p.household_no.as_deref() {
            first_member.entry(no).or_insert(p);
        }
    }
    // Units are kept with their county: only this community's county can hold its people.
    let county = community.as_str().get(..6).unwrap_or_default().to_string();
    let enrolments = store.enrolments_of(&persons.iter().map(|p| p.id_number).collect::<Vec<_>>()).await?;
    let covered = |program: &str, household: &str, id: Option<&str>| {
        enrolments.iter().any(|e| {
            e.program == program
                && e.status != minzheng_domain::EnrolmentStatus::Stopped
                && (e.household_no == household || id.is_some_and(|i| e.members.iter().any(|m| m.id_number.as_str() == i)))
        })
    };
    let masked = !who.role.sees_full_identity();
    let report = SweepReport::from_run(&run);
    let mut out = Vec::new();
    for (code, _, _, _) in report.program_totals() {
        let program_zh = engine.policy.program(&code).map(|p| p.zh.clone()).unwrap_or_else(|| code.clone());
        let mut after: Option<String> = None;
        loop {
            let page = store.policy_run_units(run.id, &code, after.as_deref(), 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.unit_key.clone());
            for u in page.into_iter().filter(|u| u.county == county) {
                // A household's unit is keyed by its number, a person's by the ID number.
                let (person, household_no) = match households.get(&u.unit_key) {
                    Some(h) => {
                        let head = h
                            .as_ref()
                            .and_then(|h| h.head)
                            .and_then(|id| by_id.get(id.as_str()).copied())
                            .or_else(|| first_member.get(u.unit_key.as_str()).copied());
                        (head, u.unit_key.clone())
                    }
                    None => match by_id.get(&u.unit_key) {
                        Some(p) => (Some(*p), p.household_no.clone().unwrap_or_default()),
                        None => continue,
                    },
                };
                let Some(p) = person else { continue };
                let grid = households.get(&household_no).and_then(|h| h.as_ref()).and_then(|h| h.grid.clone());
                let phone = p.phone.clone().unwrap_or_default();
                out.push(Contact {
                    program: code.clone(),
                    program_zh: program_zh.clone(),
                    name: p.name.clone(),
                    id_number: if masked { p.id_number.masked() } else { p.id_number.to_string() },
                    covered: covered(&code, &household_no, Some(p.id_number.as_str())),
                    household_no,
                    grid,
                    phone: if masked && !phone.is_empty() { crate::registry::mask_phone(&phone) } else { phone },
                    amount: u.amount,
                });
            }
        }
    }
    out.sort_by(|a, b| a.covered.cmp(&b.covered).then(a.household_no.cmp(&b.household_no)).then(a.program.cmp(&b.program)));
    // Who was shown: program, household and (masked or full, as shown) ID number of each row.
    let shown: Vec<String> = out.iter().map(|c| format!("{}:{}:{}", c.program, c.household_no, c.id_number)).collect();
    store
        .audit(
            actor,
            &[audit("policy_run", &run.id.to_string(), "contacts", serde_json::json!({ "community": community, "households": shown }))],
        )
        .await?;
    Ok(out)
}
