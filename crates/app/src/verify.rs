//! 数据比对 use cases: departmental rows linked to the registry, everyone enrolled compared
//! against the registry and the latest departmental data, findings stored and worked through
//! their workflow. Every use case checks the account's role and region and is audited.
//!
//! Findings come from four places:
//! - departmental rows naming an enrolled member, exactly or through the fuzzy linkage, as their
//!   source's signal says (`policies/sources.toml`): a death (公安, 殡葬), the hukou moved out of
//!   the paying county, residence or social insurance in another city (空挂户), a marriage or
//!   divorce since the enrolment began;
//! - the registry: a member deceased, moved out of the owning county, or not (or no longer) in
//!   the enrolled household, and registry members missing from a household enrolment;
//! - the roster itself: a person in two enrolments of one program, or of programs that exclude
//!   each other (the policy files' `excluded_by`);
//! - the policy engine: an enrolled unit no longer eligible on the date (vehicles, property,
//!   business, deposits or income beyond the rules), with the conditions it fails.

use crate::policy::{household_snapshot, invalid, run_units, warm, PolicyFailure};
use crate::registry::AccessError;
use chrono::NaiveDate;
use minzheng_domain::economy::{DeptRecord, LinkKind};
use minzheng_domain::hash::FastMap;
use minzheng_domain::source::Signal;
use minzheng_domain::{
    Enrolment, Evidence, Finding, FindingAction, FindingKind, FindingStatus, Household, IdNumber, Permission, Person, PersonStatus,
    Principal, RegionCode,
};
use minzheng_policy::Engine;
use minzheng_store::{Actor, AuditEntry, FindingCount, FindingEvent, FindingQuery, Page, Store, StoreError};
use minzheng_verify::idmatch::candidate_ids;
use minzheng_verify::{candidate_pairs, link, Band, Index, Model, Recorded, Roster, Thresholds};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

// ---- linking departmental rows ----

/// How one departmental row was linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowLink {
    pub id_number: Option<IdNumber>,
    pub link: LinkKind,
    pub probability: u16,
    /// For a row linked (or proposed) by the fuzzy linkage: its score field by field (评分说明).
    pub explanation: Option<String>,
}

/// Clean rows sampled to train the linkage model beside the dirty ones.
const TRAINING_SAMPLE: usize = 20_000;

/// Below this many candidate pairs the batch is too small for EM.
const MIN_PAIRS_FOR_EM: usize = 1000;

/// A departmental row as the linkage reads it: the ID number and name as written, and the birth
/// date and sex where the file has them (出生日期, 性别: the key of a row without a number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedRow {
    pub id: String,
    pub name: String,
    pub birth: Option<NaiveDate>,
    pub sex: Option<minzheng_domain::Sex>,
}

/// At most this many registry namesakes are read for a row without a number.
const NAMESAKES_READ: usize = 50_000;

/// Links rows to registry persons: a valid registered number as it is; a dirty one through its
/// candidate numbers (check character, swaps, legacy form, day and month), scored by a
/// Fellegi–Sunter model estimated on this batch (the dirty rows and a sample of the clean ones,
/// whose registry names are read for it). A valid number that names nobody registered (month
/// and day swapped so that the check still holds) goes through the same linkage; when it finds
/// nobody likely, the row keeps its number as it is (a resident of elsewhere: a 居住证 holder,
/// an insured outsider). A row without a readable number is linked by name and birth date.
pub async fn link_rows(store: &dyn Store, rows: &[RecordedRow]) -> Result<Vec<RowLink>, StoreError> {
    let mut out: Vec<RowLink> = Vec::with_capacity(rows.len());
    let mut dirty: Vec<usize> = Vec::new();
    let mut valid: Vec<usize> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match IdNumber::parse(&row.id) {
            Ok(n) => {
                out.push(RowLink { id_number: Some(n), link: LinkKind::Exact, probability: 1000, explanation: None });
                valid.push(i);
            }
            Err(_) => {
                out.push(RowLink { id_number: None, link: LinkKind::Unlinked, probability: 0, explanation: None });
                dirty.push(i);
            }
        }
    }
    // The registered persons among the valid numbers (their names train the model).
    let mut ids: Vec<IdNumber> = valid.iter().filter_map(|&i| out[i].id_number).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut registered: FastMap<IdNumber, String> = FastMap::default();
    for chunk in ids.chunks(2000) {
        registered.extend(store.persons_by_id(chunk).await?.into_iter().map(|p| (p.id_number, p.name)));
    }
    // How often this department's people are ours (p₀ of a row without a number).
    let registered_share = if ids.is_empty() { 0.5 } else { registered.len() as f64 / ids.len() as f64 };
    let mut clean: Vec<usize> = Vec::new();
    let mut of_nobody: HashSet<usize> = HashSet::new();
    for i in valid {
        if out[i].id_number.is_some_and(|n| registered.contains_key(&n)) {
            if clean.len() < TRAINING_SAMPLE {
                clean.push(i);
            }
        } else {
            of_nobody.insert(i);
            dirty.push(i);
        }
    }
    if dirty.is_empty() {
        return Ok(out);
    }
    dirty.sort_unstable();
    // The registry persons any of these rows can be.
    let mut persons: Vec<minzheng_verify::Person> = clean
        .iter()
        .filter_map(|&i| out[i].id_number)
        .filter_map(|id| registered.get(&id).map(|name| minzheng_verify::Person { id, name: name.clone() }))
        .collect();
    let mut wanted: Vec<IdNumber> = Vec::new();
    for &i in &dirty {
        for id in candidate_ids(&Recorded::read(&rows[i].id)) {
            match registered.get(&id) {
                Some(name) => persons.push(minzheng_verify::Person { id, name: name.clone() }),
                None => wanted.push(id),
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    for chunk in wanted.chunks(2000) {
        persons.extend(store.persons_by_id(chunk).await?.into_iter().map(|p| minzheng_verify::Person { id: p.id_number, name: p.name }));
    }
    persons.sort_unstable_by_key(|p| p.id);
    persons.dedup_by_key(|p| p.id);
    let order: Vec<usize> = dirty.iter().chain(clean.iter()).copied().collect();
    let records: Vec<minzheng_verify::Record> =
        order.iter().map(|&i| minzheng_verify::Record { id: rows[i].id.clone(), name: rows[i].name.clone() }).collect();
    let index = Index::new(&persons);
    let pairs = candidate_pairs(&index, &persons, &records);
    let model = if pairs.len() >= MIN_PAIRS_FOR_EM {
        Model::estimate(&persons, &records, &pairs, 10_000, 0x6d7a).model
    } else {
        // Too few pairs to estimate from: EM's starting point, with u of names measured on
        // random pairs of registry persons.
        let sample: Vec<minzheng_verify::Person> =
            store.scan_persons(None, 5000).await?.into_iter().map(|p| minzheng_verify::Person { id: p.id_number, name: p.name }).collect();
        let names: Vec<minzheng_verify::Record> =
            sample.iter().rev().map(|p| minzheng_verify::Record { id: String::new(), name: p.name.clone() }).collect();
        Model::starting(&sample, &names, 10_000, 0x6d7a)
    };
    for l in link(&pairs, &model, Thresholds::default()) {
        let Some(&row) = order.get(l.pair.record as usize) else { continue };
        if l.pair.record as usize >= dirty.len() {
            continue; // a clean row: used for training only
        }
        let person = persons[l.pair.person as usize].id;
        let probability = (l.probability * 1000.0).round().clamp(0.0, 1000.0) as u16;
        let explanation = Some(format!(
            "{} {}{}",
            person.masked(),
            model.explain(&l.pair).lines().join("；"),
            if l.ambiguous { "；另有候选人同样达到匹配阈值 / another candidate also reaches the threshold" } else { "" }
        ));
        out[row] = match l.band {
            Band::Match => RowLink { id_number: Some(person), link: LinkKind::Matched, probability, explanation },
            Band::Review => RowLink { id_number: Some(person), link: LinkKind::Review, probability, explanation },
            // A valid number that found nobody likely keeps its number (set above).
            Band::NonMatch if of_nobody.contains(&row) => continue,
            Band::NonMatch => RowLink { id_number: None, link: LinkKind::Unlinked, probability, explanation },
        };
    }
    // Rows without a readable number: by name and birth date (minzheng_verify::noid), taken
    // name by name so that each name's registry namesakes are read once and held only while
    // its rows are linked.
    let mut unnumbered: Vec<(String, usize, NaiveDate)> = dirty
        .iter()
        .filter_map(|&i| {
            let row = &rows[i];
            let birth = row.birth?;
            (!row.name.trim().is_empty() && matches!(Recorded::read(&row.id), Recorded::Unreadable))
                .then(|| (minzheng_verify::names::simplified(&row.name), i, birth))
        })
        .collect();
    unnumbered.sort();
    let mut namesakes: Vec<minzheng_verify::Person> = Vec::new();
    let mut current: Option<String> = None;
    for (name, i, birth) in unnumbered {
        if current.as_deref() != Some(name.as_str()) {
            namesakes.clear();
            let mut after = None;
            while namesakes.len() < NAMESAKES_READ {
                let page = store
                    .search_persons(&minzheng_store::PersonQuery {
                        name: Some(name.clone()),
                        after: after.clone(),
                        limit: 1000,
                        ..Default::default()
                    })
                    .await?;
                namesakes.extend(page.items.into_iter().map(|p| minzheng_verify::Person { id: p.id_number, name: p.name }));
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            current = Some(name);
        }
        let row = &rows[i];
        let l = minzheng_verify::noid::link_without_id(&row.name, birth, row.sex, &namesakes, registered_share, Thresholds::default());
        let probability = (l.probability * 1000.0).round().clamp(0.0, 1000.0) as u16;
        out[i] = match (l.band, l.person) {
            (Band::Match, Some(p)) => {
                RowLink { id_number: Some(p), link: LinkKind::Matched, probability, explanation: Some(l.explanation) }
            }
            (Band::Review, Some(p)) => {
                RowLink { id_number: Some(p), link: LinkKind::Review, probability, explanation: Some(l.explanation) }
            }
            _ => RowLink { id_number: None, link: LinkKind::Unlinked, probability, explanation: Some(l.explanation) },
        };
    }
    Ok(out)
}

// ---- comparison ----

/// What a comparison did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CompareReport {
    pub region: String,
    pub on: Option<NaiveDate>,
    /// Active enrolments compared.
    pub enrolments: usize,
    /// Distinct enrolled persons.
    pub persons: usize,
    /// Departmental rows compared by ID number.
    pub rows: usize,
    /// Enrolled units re-checked through the policy engine.
    pub rechecked: usize,
    /// Findings found (before removing those stored before).
    pub found: usize,
    /// Findings new to the store.
    pub added: u64,
    pub by_kind: BTreeMap<String, usize>,
    pub seconds: f64,
}

/// Which enrolled units to re-check against the rules.
enum Recheck<'a> {
    /// Every unit not eligible in a sweep of the region (the full comparison).
    Sweep(&'a RegionCode),
    /// The enrolments of these households (a batch named their members).
    Households(HashSet<String>),
}

fn comparison_allowed(who: &Principal, region: &RegionCode) -> Result<(), AccessError> {
    if !who.may(Permission::RunComparisons) {
        return Err(AccessError::Forbidden);
    }
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope);
    }
    Ok(())
}

/// Enrolments are owned by counties: a comparison covers a county, a city or the province.
fn owning_region(region: &RegionCode) -> Result<(), PolicyFailure> {
    if region.as_str().len() > 6 {
        return Err(invalid(
            format!("比对按发放地区县进行，{region} 是街道或社区；请选择区县或全市"),
            format!("comparisons cover the paying counties; {region} is a street or community: choose a county or the city"),
        ));
    }
    Ok(())
}

/// 批量比对: every active enrolment owned within `region` against the registry, the stored rows
/// of the sources that signal something (deaths, moves, residence, marriages) and the rules on
/// `on`. New findings are stored (audited); those found before are not
/// stored twice.
pub async fn compare_region(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    region: &RegionCode,
    on: NaiveDate,
) -> Result<CompareReport, PolicyFailure> {
    comparison_allowed(who, region)?;
    owning_region(region)?;
    let started = Instant::now();
    let mut enrolments = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(region, after, 5000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        enrolments.extend(page.into_iter().filter(Enrolment::is_active));
    }
    // The stored rows of every source that says something to the comparison (deaths, moves ...),
    // of the enrolled members only (a residence file covers the whole city).
    let enrolled: HashSet<IdNumber> = enrolments.iter().flat_map(|e| e.members.iter().map(|m| m.id_number)).collect();
    let mut signals = Vec::new();
    let mut read = 0;
    for source in crate::economy::catalogue().sources.iter().filter(|s| s.signal.is_some()) {
        scan_records(store, &source.code, |page| {
            read += page.len();
            signals.extend(page.into_iter().filter(|r| r.id_number.is_some_and(|id| enrolled.contains(&id))));
        })
        .await?;
    }
    // A city or province run has every enrolment already; a county's members may be enrolled elsewhere too.
    let beyond = region.as_str().len() > 4;
    let mut report = compare(store, engine, &enrolments, &signals, Recheck::Sweep(region), beyond, on).await?;
    report.0.rows = read;
    finish(store, actor, region, on, started, &mut report).await?;
    Ok(report.0)
}

/// The tag of a resident registered here whom the data puts in another city.
pub const ABSENT_TAG: &str = "空挂户";

/// What [`tag_absent`] changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AbsentReport {
    pub region: String,
    pub on: Option<NaiveDate>,
    /// Residence and social-insurance rows read.
    pub rows: usize,
    /// Living residents of the region those rows name.
    pub persons: usize,
    /// Tagged 空挂户 now.
    pub tagged: usize,
    /// Tag removed: their newest row puts them back in the city.
    pub untagged: usize,
    /// Carrying the tag after the run, of the persons the rows name.
    pub absent: usize,
}

/// 空挂户标注: every living resident registered in `region` whom the newest row of a `residence`
/// source (居住登记, 社会保险 ...) dated on or before `on` puts in another city is tagged 空挂户
/// in the registry; one whose newest row puts them back in their city loses the tag. The tags
/// are written as one registry batch (audited person by person, before and after), so the
/// community lists them (`/api/persons?tag=空挂户`) and the grid worker can go and see.
pub async fn tag_absent(
    store: &dyn Store,
    who: &Principal,
    actor: &Actor,
    region: &RegionCode,
    on: NaiveDate,
) -> Result<AbsentReport, PolicyFailure> {
    comparison_allowed(who, region)?;
    // It writes the registry: only an account that may change it (the city's administrator).
    if !(who.may(Permission::ImportRegistry) || who.may(Permission::WriteRegistry)) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "registry".into(),
                    entity_key: format!("absent:{region}"),
                    before: None,
                    after: None,
                }],
            )
            .await?;
        return Err(AccessError::Forbidden.into());
    }
    let catalogue = crate::economy::catalogue();
    // The newest row of each person: (date, where).
    let mut newest: HashMap<IdNumber, (NaiveDate, RegionCode)> = HashMap::new();
    let mut rows = 0;
    for source in &catalogue.sources {
        let Some(Signal::Residence { region_column }) = &source.signal else { continue };
        scan_records(store, &source.code, |page| {
            for r in page.iter().filter(|r| linked(r)) {
                rows += 1;
                let (Some(id), Some(date)) = (r.id_number, r.event_date.filter(|d| *d <= on)) else { continue };
                let Some(at) = r.field(region_column).and_then(|v| RegionCode::parse(v).ok()) else { continue };
                if newest.get(&id).is_none_or(|(d, _)| *d <= date) {
                    newest.insert(id, (date, at));
                }
            }
        })
        .await?;
    }
    let mut ids: Vec<IdNumber> = newest.keys().copied().collect();
    ids.sort_unstable();
    let mut changed = Vec::new();
    let mut report = AbsentReport { region: region.to_string(), on: Some(on), rows, ..Default::default() };
    for chunk in ids.chunks(2000) {
        for mut p in store.persons_by_id(chunk).await? {
            if p.status != PersonStatus::Alive || !region.contains(&p.hukou_region) {
                continue;
            }
            report.persons += 1;
            let Some((_, at)) = newest.get(&p.id_number) else { continue };
            let elsewhere = in_another_city(at, &p.hukou_region);
            let tagged = p.tags.iter().any(|t| t == ABSENT_TAG);
            if elsewhere && !tagged {
                p.tags.push(ABSENT_TAG.to_string());
                report.tagged += 1;
                changed.push(p);
            } else if !elsewhere && tagged {
                p.tags.retain(|t| t != ABSENT_TAG);
                report.untagged += 1;
                changed.push(p);
            } else if elsewhere {
                report.absent += 1;
            }
        }
    }
    report.absent += report.tagged;
    if !changed.is_empty() {
        let batch = minzheng_store::RegistryBatch {
            households: Vec::new(),
            persons: changed,
            source: format!("空挂户比对 {region} {on}"),
            checksum: String::new(),
        };
        store.apply_batch(&batch, actor, &|_| {}).await?;
    }
    // The run itself, also when it changed nothing.
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "tag_absent".into(),
                entity: "registry".into(),
                entity_key: format!("absent:{region}"),
                before: None,
                after: Some(serde_json::json!(report)),
            }],
        )
        .await?;
    Ok(report)
}

/// 增量比对: after a batch arrives, only the enrolments its rows name are compared (deaths,
/// registry, roster), and those a row of assets or income names are re-checked by the rules.
pub async fn compare_records(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    records: &[DeptRecord],
    on: NaiveDate,
) -> Result<CompareReport, PolicyFailure> {
    comparison_allowed(who, &who.region)?;
    let started = Instant::now();
    let mut ids: Vec<IdNumber> = records.iter().filter(|r| linked(r)).filter_map(|r| r.id_number).collect();
    ids.sort_unstable();
    ids.dedup();
    let enrolments: Vec<Enrolment> =
        store.enrolments_of(&ids).await?.into_iter().filter(|e| e.is_active() && who.in_scope(&e.county)).collect();
    let catalogue = crate::economy::catalogue();
    let mut signals: Vec<DeptRecord> = records.iter().filter(|r| catalogue.signal_of(&r.source).is_some()).cloned().collect();
    // Where a person's hukou is and where they live is what their newest row says: the stored
    // rows of the enrolled persons these rows move or place are read beside them (a row about
    // anybody else makes no finding, so a city-wide residence file costs no such read).
    let enrolled: HashSet<IdNumber> = enrolments.iter().flat_map(|e| e.members.iter().map(|m| m.id_number)).collect();
    let placed: Vec<IdNumber> = signals
        .iter()
        .filter(|r| linked(r) && newest_counts(catalogue, r))
        .filter_map(|r| r.id_number)
        .filter(|id| enrolled.contains(id))
        .collect();
    if !placed.is_empty() {
        let here: HashSet<(String, i64)> = signals.iter().map(|r| (r.batch.clone(), r.row_no)).collect();
        signals.extend(
            store
                .dept_records_of(&placed)
                .await?
                .into_iter()
                .filter(|r| newest_counts(catalogue, r) && !here.contains(&(r.batch.clone(), r.row_no))),
        );
    }
    let asset_ids: HashSet<IdNumber> = records
        .iter()
        .filter(|r| linked(r) && catalogue.get(&r.source).is_some_and(|s| s.item.is_some()))
        .filter_map(|r| r.id_number)
        .collect();
    let households: HashSet<String> =
        enrolments.iter().filter(|e| e.members.iter().any(|m| asset_ids.contains(&m.id_number))).map(|e| e.household_no.clone()).collect();
    let mut report = compare(store, engine, &enrolments, &signals, Recheck::Households(households), true, on).await?;
    report.0.rows = records.len();
    finish(store, actor, &who.region, on, started, &mut report).await?;
    Ok(report.0)
}

/// Every stored row of a source, page by page in the order stored.
async fn scan_records(store: &dyn Store, source: &str, mut each: impl FnMut(Vec<DeptRecord>)) -> Result<(), StoreError> {
    let mut after = 0;
    loop {
        let page = store.scan_dept_records(source, after, 50_000).await?;
        let Some(last) = page.last() else { return Ok(()) };
        after = last.id;
        each(page);
    }
}

/// Whether only the newest row of a person counts (hukou moves, residence), not each row.
fn newest_counts(catalogue: &minzheng_domain::source::SourceCatalogue, r: &DeptRecord) -> bool {
    matches!(catalogue.signal_of(&r.source), Some(Signal::MoveOut { .. } | Signal::Residence { .. }))
}

/// Whether a place is in another city than `home` (人户分离 inside the city is lawful: 全市通办).
pub fn in_another_city(at: &RegionCode, home: &RegionCode) -> bool {
    at.as_str().get(..4) != home.as_str().get(..4)
}

fn linked(r: &DeptRecord) -> bool {
    matches!(r.link, LinkKind::Exact | LinkKind::Matched)
}

async fn finish(
    store: &dyn Store,
    actor: &Actor,
    region: &RegionCode,
    on: NaiveDate,
    started: Instant,
    report: &mut (CompareReport, Vec<Finding>),
) -> Result<(), StoreError> {
    let (r, findings) = report;
    r.region = region.to_string();
    r.on = Some(on);
    r.found = findings.len();
    for f in findings.iter() {
        *r.by_kind.entry(f.kind.as_str().to_string()).or_default() += 1;
    }
    r.added = store.add_findings(findings, actor).await?;
    r.seconds = started.elapsed().as_secs_f64();
    Ok(())
}

/// The findings of some enrolments.
/// `beyond`: also look for the members' other enrolments (outside those compared) when
/// looking for persons enrolled twice.
async fn compare(
    store: &dyn Store,
    engine: &Engine,
    enrolments: &[Enrolment],
    signals: &[DeptRecord],
    recheck: Recheck<'_>,
    beyond: bool,
    on: NaiveDate,
) -> Result<(CompareReport, Vec<Finding>), PolicyFailure> {
    let roster = Roster::new(enrolments.iter().enumerate().flat_map(|(i, e)| e.members.iter().map(move |m| (m.id_number, i as u32))));
    let mut report = CompareReport { enrolments: enrolments.len(), persons: roster.persons(), rows: signals.len(), ..Default::default() };

    // The registry's view of every member and household.
    let mut member_ids: Vec<IdNumber> = enrolments.iter().flat_map(|e| e.members.iter().map(|m| m.id_number)).collect();
    member_ids.sort_unstable();
    member_ids.dedup();
    let mut persons: FastMap<IdNumber, Person> = FastMap::default();
    for chunk in member_ids.chunks(2000) {
        persons.extend(store.persons_by_id(chunk).await?.into_iter().map(|p| (p.id_number, p)));
    }
    let mut households: HashMap<String, Household> = HashMap::new();
    let mut residents: HashMap<String, Vec<Person>> = HashMap::new();
    let mut nos: Vec<String> = enrolments.iter().map(|e| e.household_no.clone()).collect();
    nos.sort_unstable();
    nos.dedup();
    for h in store.households(&nos).await? {
        households.insert(h.household_no.clone(), h);
    }
    for chunk in nos.chunks(1000) {
        for p in store.members_of(chunk).await? {
            if let Some(no) = &p.household_no {
                residents.entry(no.clone()).or_default().push(p);
            }
        }
    }
    let ctx = Context { persons: &persons, households: &households, on };
    let mut findings = Vec::new();

    // Departmental rows naming an enrolled member: deaths, moves, residence elsewhere, marriages
    // (what each source says is registered with it: `policies/sources.toml`).
    let program_units: HashMap<&str, minzheng_policy::Unit> = engine.policy.programs.iter().map(|p| (p.code.as_str(), p.unit)).collect();
    let catalogue = crate::economy::catalogue();
    let rows: Vec<(usize, IdNumber)> = signals
        .iter()
        .enumerate()
        .filter(|(_, r)| linked(r) && r.event_date.is_none_or(|d| d <= on))
        .filter_map(|(i, r)| r.id_number.map(|id| (i, id)))
        .collect();
    let ids: Vec<IdNumber> = rows.iter().map(|(_, id)| *id).collect();
    // Where a person's hukou is, and where they live, is what their newest dated move or
    // residence row says (an undated one cannot be placed in time and is not read).
    let mut newest: HashMap<(IdNumber, bool), (NaiveDate, usize)> = HashMap::new();
    for &(i, id) in &rows {
        let r = &signals[i];
        let Some(date) = r.event_date.filter(|_| newest_counts(catalogue, r)) else { continue };
        let key = (id, matches!(catalogue.signal_of(&r.source), Some(Signal::Residence { .. })));
        if newest.get(&key).is_none_or(|(d, _)| *d <= date) {
            newest.insert(key, (date, i));
        }
    }
    let is_newest = |id: IdNumber, residence: bool, i: usize| newest.get(&(id, residence)).map(|(_, n)| *n) == Some(i);
    for hit in roster.hits(&ids) {
        let (i, id) = rows[hit.row as usize];
        let r = &signals[i];
        let e = &enrolments[hit.enrolment as usize];
        let Some(signal) = catalogue.signal_of(&r.source) else { continue };
        let field = |c: &str| r.field(c).unwrap_or_default().to_string();
        let date = r.event_date.map(|d| d.to_string()).unwrap_or_default();
        let short = source_zh(&r.source);
        let evidence = vec![ctx.member_evidence(e, &id), record_evidence(r)];
        match signal {
            Signal::Death => findings.push(ctx.finding(
                FindingKind::Deceased,
                e,
                Some(id),
                r.probability,
                format!("{}的成员{}据{}数据已于{}死亡，仍在保", program_zh(engine, &e.program), name_of(e, &id), short, date),
                format!("member {} of a {} enrolment died on {} according to {}, still enrolled", id.masked(), e.program, date, r.source),
                evidence,
            )),
            Signal::MoveOut { region_column } => {
                let to = field(region_column);
                // A move within the paying county (or back to it) changes nothing for the enrolment.
                if !is_newest(id, false, i) || RegionCode::parse(&to).is_ok_and(|to| e.county.contains(&to)) {
                    continue;
                }
                findings.push(ctx.finding(
                    FindingKind::MovedOut,
                    e,
                    Some(id),
                    r.probability,
                    format!(
                        "在保成员{}据{}数据已于{}将户籍迁往{}，不在发放地区县{}",
                        name_of(e, &id),
                        short,
                        date,
                        if to.is_empty() { "外地" } else { &to },
                        e.county
                    ),
                    format!(
                        "enrolled member {}'s hukou moved to {} on {} according to {}, outside the paying county {}",
                        id.masked(),
                        if to.is_empty() { "elsewhere" } else { &to },
                        date,
                        r.source,
                        e.county
                    ),
                    evidence,
                ));
            }
            Signal::Residence { region_column } => {
                // 人户分离 within the city is lawful (全市通办); living or insured in another
                // city is 户在人不在: the hukou is held here with nobody living on it (空挂户).
                if !is_newest(id, true, i) {
                    continue;
                }
                let Ok(at) = RegionCode::parse(&field(region_column)) else { continue };
                if !in_another_city(&at, &e.county) {
                    continue;
                }
                findings.push(ctx.finding(
                    FindingKind::Absent,
                    e,
                    Some(id),
                    r.probability,
                    format!("在保成员{}据{}数据自{}居住或参保在{}（本市以外），疑似户在人不在（空挂户）", name_of(e, &id), short, date, at),
                    format!(
                        "enrolled member {} lives or is insured in {} (outside the city) since {} according to {}: registered but absent",
                        id.masked(),
                        at,
                        date,
                        r.source
                    ),
                    evidence,
                ));
            }
            Signal::Marriage { type_column, spouse_column } => {
                // A marriage or divorce since the enrolment began changes who the household is
                // (《最低生活保障审核确认办法》第八条: spouses are members of one household).
                if program_units.get(e.program.as_str()) != Some(&minzheng_policy::Unit::Household)
                    || r.event_date.is_none_or(|d| d < e.start)
                {
                    continue;
                }
                let kind = field(type_column);
                let spouse_text = field(spouse_column);
                let spouse = IdNumber::parse(&spouse_text).ok();
                let enrolled = |x: &IdNumber| e.members.iter().any(|m| &m.id_number == x);
                let living_here = |x: &IdNumber| residents.get(&e.household_no).is_some_and(|ps| ps.iter().any(|p| &p.id_number == x));
                let spouse_shown = spouse.map(|x| x.masked()).unwrap_or_else(|| mask_recorded(&spouse_text));
                let (zh, en) = if matches!(kind.as_str(), "离婚" | "离婚登记") {
                    let Some(x) = spouse.filter(|x| enrolled(x)) else { continue };
                    (
                        format!(
                            "在保成员{}据{}数据已于{}与{}登记离婚，对方仍列为本户在保成员，家庭人口应重新核定",
                            name_of(e, &id),
                            short,
                            date,
                            name_of(e, &x)
                        ),
                        format!(
                            "enrolled member {} divorced {} on {} according to {}, who is still an enrolled member of the household",
                            id.masked(),
                            x.masked(),
                            date,
                            r.source
                        ),
                    )
                } else if matches!(kind.as_str(), "结婚" | "结婚登记" | "复婚" | "复婚登记") {
                    if spouse.is_some_and(|x| enrolled(&x) || living_here(&x)) {
                        continue;
                    }
                    (
                        format!("在保成员{}据{}数据已于{}登记结婚，配偶（{}）不在本户，家庭人口和收入应重新核定", name_of(e, &id), short, date, spouse_shown),
                        format!("enrolled member {} married on {} according to {}; the spouse ({}) is not in the household, whose members and income must be assessed again", id.masked(), date, r.source, spouse_shown),
                    )
                } else {
                    continue;
                };
                let mut f = ctx.finding(FindingKind::MembersMismatch, e, Some(id), r.probability, zh, en, evidence);
                f.key = format!("{}:marriage:{}", f.key, r.event_date.map(|d| d.to_string()).unwrap_or_default());
                findings.push(f);
            }
        }
    }

    // The registry.
    for e in enrolments {
        let enrolled: HashSet<IdNumber> = e.members.iter().map(|m| m.id_number).collect();
        for m in &e.members {
            let Some(p) = persons.get(&m.id_number) else {
                findings.push(ctx.finding(
                    FindingKind::MembersMismatch,
                    e,
                    Some(m.id_number),
                    1000,
                    format!("在保成员{}不在人口库中", m.name),
                    format!("enrolled member {} is not in the registry", m.id_number.masked()),
                    vec![ctx.member_evidence(e, &m.id_number)],
                ));
                continue;
            };
            let after = |d: Option<NaiveDate>| d.is_some_and(|d| d > on);
            match p.status {
                PersonStatus::Deceased(d) | PersonStatus::MovedOut(d) if after(d) => {}
                PersonStatus::Deceased(d) => findings.push(ctx.finding(
                    FindingKind::Deceased,
                    e,
                    Some(p.id_number),
                    1000,
                    format!("在保成员{}在人口库中已登记死亡（{}），仍在保", p.name, d.map(|d| d.to_string()).unwrap_or_default()),
                    format!("enrolled member {} is recorded as deceased in the registry, still enrolled", p.id_number.masked()),
                    vec![ctx.member_evidence(e, &p.id_number), registry_evidence(p)],
                )),
                PersonStatus::MovedOut(_) => findings.push(ctx.finding(
                    FindingKind::MovedOut,
                    e,
                    Some(p.id_number),
                    1000,
                    format!("在保成员{}在人口库中已迁出", p.name),
                    format!("enrolled member {} has moved out according to the registry", p.id_number.masked()),
                    vec![ctx.member_evidence(e, &p.id_number), registry_evidence(p)],
                )),
                PersonStatus::Alive if !e.county.contains(&p.hukou_region) => findings.push(ctx.finding(
                    FindingKind::MovedOut,
                    e,
                    Some(p.id_number),
                    1000,
                    format!("在保成员{}户籍在{}，不在发放地区县{}", p.name, p.hukou_region, e.county),
                    format!(
                        "enrolled member {}'s hukou is in {}, outside the paying county {}",
                        p.id_number.masked(),
                        p.hukou_region,
                        e.county
                    ),
                    vec![ctx.member_evidence(e, &p.id_number), registry_evidence(p)],
                )),
                PersonStatus::Alive => {}
            }
            if p.status == PersonStatus::Alive && p.household_no.as_deref() != Some(e.household_no.as_str()) {
                findings.push(ctx.finding(
                    FindingKind::MembersMismatch,
                    e,
                    Some(p.id_number),
                    1000,
                    format!("在保成员{}在人口库中属于另一户（{}）", p.name, p.household_no.as_deref().unwrap_or("无")),
                    format!(
                        "enrolled member {} belongs to another household in the registry ({})",
                        p.id_number.masked(),
                        p.household_no.as_deref().unwrap_or("none")
                    ),
                    vec![ctx.member_evidence(e, &p.id_number), registry_evidence(p)],
                ));
            }
        }
        if program_units.get(e.program.as_str()) == Some(&minzheng_policy::Unit::Household) {
            for p in residents.get(&e.household_no).into_iter().flatten() {
                if p.status == PersonStatus::Alive && !enrolled.contains(&p.id_number) {
                    findings.push(ctx.finding(
                        FindingKind::MembersMismatch,
                        e,
                        Some(p.id_number),
                        1000,
                        format!("户内成员{}未列入在保成员", p.name),
                        format!("household member {} is not among the enrolled members", p.id_number.masked()),
                        vec![ctx.enrolment_evidence(e), registry_evidence(p)],
                    ));
                }
            }
        }
    }

    // The roster: the same person twice, also with enrolments outside these (another county's).
    let others: Vec<Enrolment> = if beyond {
        let known: HashSet<i64> = enrolments.iter().map(|e| e.id).collect();
        store.enrolments_of(&member_ids).await?.into_iter().filter(|e| e.is_active() && !known.contains(&e.id)).collect()
    } else {
        Vec::new()
    };
    let all: Vec<&Enrolment> = enrolments.iter().chain(others.iter()).collect();
    let everyone = Roster::new(all.iter().enumerate().flat_map(|(i, e)| e.members.iter().map(move |m| (m.id_number, i as u32))));
    for o in everyone.overlaps() {
        // `first` is always one of the compared enrolments (they come first); the finding goes
        // to the later one of the pair that is compared here.
        if o.first as usize >= enrolments.len() {
            continue; // both elsewhere: for their own region's comparison
        }
        let (a, b) = (all[o.first as usize], all[o.second as usize]);
        let on_b = (o.second as usize) < enrolments.len();
        let Some(id) = a.members.iter().map(|m| m.id_number).find(|id| minzheng_verify::idmatch::body_of(id) == o.body) else { continue };
        let kind = if a.program == b.program {
            FindingKind::EnrolledTwice
        } else if excludes(engine, &a.program, &b.program) {
            FindingKind::IncompatiblePrograms
        } else {
            continue;
        };
        let (zh, en) = if kind == FindingKind::EnrolledTwice {
            (
                format!("{}同时在两户（{}、{}）享受{}", name_of(a, &id), a.household_no, b.household_no, program_zh(engine, &a.program)),
                format!("{} is enrolled in {} twice (households {} and {})", id.masked(), a.program, a.household_no, b.household_no),
            )
        } else {
            (
                format!("{}同时享受互斥的{}和{}", name_of(a, &id), program_zh(engine, &a.program), program_zh(engine, &b.program)),
                format!("{} receives both {} and {}, which exclude each other", id.masked(), a.program, b.program),
            )
        };
        let mut f =
            ctx.finding(kind, if on_b { b } else { a }, Some(id), 1000, zh, en, vec![ctx.enrolment_evidence(a), ctx.enrolment_evidence(b)]);
        f.key = format!("{}:{}:{}:{}", kind.as_str(), a.id.min(b.id), a.id.max(b.id), id);
        findings.push(f);
    }

    // The rules: the units to re-check, each with its explained check.
    let parameters = store.parameter_records().await?;
    let mut checks: Vec<(&Enrolment, minzheng_policy::explain::Check)> = Vec::new();
    match recheck {
        Recheck::Households(set) => {
            for e in enrolments.iter().filter(|e| set.contains(&e.household_no)) {
                let Some(h) = households.get(&e.household_no) else { continue };
                let snapshot = household_snapshot(store, h).await?;
                if let Some(check) = engine.check(&snapshot, &parameters, on).await? {
                    checks.push((e, check));
                }
            }
        }
        Recheck::Sweep(region) => {
            // One sweep of the region; the units it no longer finds eligible are explained from
            // the same run (no evaluation per unit).
            let (snapshot, features, _) =
                warm(store, engine, region, on, std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2), &|_| {}).await?;
            let params = engine.params(&parameters, &features.counties, on);
            let run = engine.evaluate(&features, &params).await?;
            let eligible: HashSet<(String, String)> = run_units(&run, &snapshot).into_iter().map(|u| (u.program, u.unit_key)).collect();
            let hids: HashMap<String, i64> = snapshot.keys().0.into_iter().enumerate().map(|(i, no)| (no, i as i64)).collect();
            let explainer = minzheng_policy::explain::Explainer::new(&engine.policy, &features, &params, &run);
            for e in enrolments {
                let selected = match program_units.get(e.program.as_str()) {
                    Some(minzheng_policy::Unit::Household) => !eligible.contains(&(e.program.clone(), e.household_no.clone())),
                    Some(_) => e.members.iter().any(|m| !eligible.contains(&(e.program.clone(), m.id_number.to_string()))),
                    None => false,
                };
                if !selected {
                    continue;
                }
                match hids.get(&e.household_no).and_then(|&hid| explainer.check(hid, e.household_no.clone())) {
                    Some(check) => checks.push((e, check)),
                    None => {
                        // A household outside the swept region (the roster's county differs): on its own.
                        let Some(h) = households.get(&e.household_no) else { continue };
                        let snapshot = household_snapshot(store, h).await?;
                        if let Some(check) = engine.check(&snapshot, &parameters, on).await? {
                            checks.push((e, check));
                        }
                    }
                }
            }
        }
    }
    report.rechecked = checks.len();
    for (e, check) in &checks {
        let Some(program) = check.programs.iter().find(|p| p.code == e.program) else { continue };
        let enrolled: HashSet<String> = e.members.iter().map(|m| m.id_number.to_string()).collect();
        let units: Vec<_> = program.units.iter().filter(|u| u.unit == e.household_no || enrolled.contains(&u.unit)).collect();
        let failing: Vec<_> = units.iter().filter(|u| !u.eligible).collect();
        if failing.is_empty() && !units.is_empty() {
            continue;
        }
        let mut reasons_zh = Vec::new();
        let mut reasons_en = Vec::new();
        let mut fields = Vec::new();
        for u in &failing {
            for s in u.steps.iter().filter(|s| !s.met) {
                reasons_zh.push(s.zh.clone());
                reasons_en.push(s.en.clone());
                for f in &s.features {
                    fields.push((f.zh.clone(), format!("{}{}", f.value, f.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default())));
                }
                if !s.basis.is_empty() {
                    fields.push(("依据".into(), s.basis.clone()));
                }
            }
        }
        if units.is_empty() {
            reasons_zh.push("不在本项目的对象范围内".into());
            reasons_en.push("outside the program's population".into());
            fields.push(("对象范围".into(), program.population.clone()));
        }
        fields.dedup();
        let ids: Vec<IdNumber> = e.members.iter().map(|m| m.id_number).collect();
        let mut evidence = vec![ctx.enrolment_evidence(e), Evidence { source: "policy".into(), batch: None, fields }];
        // The newest asset records linked to the members (not rows still in review).
        for r in store
            .dept_records_of(&ids)
            .await?
            .iter()
            .rev()
            .filter(|r| {
                linked(r) && catalogue.get(&r.source).is_some_and(|s| matches!(s.item, Some(minzheng_domain::source::ItemRule::Count(_))))
            })
            .take(5)
        {
            evidence.push(record_evidence(r));
        }
        findings.push(ctx.finding(
            FindingKind::NoLongerEligible,
            e,
            None,
            1000,
            format!("{}户{}按{}的规则已不符合条件，不满足：{}", e.household_no, program_zh(engine, &e.program), on, reasons_zh.join("；")),
            format!("household {} no longer meets the {} rules on {}; fails: {}", e.household_no, e.program, on, reasons_en.join("; ")),
            evidence,
        ));
    }
    Ok((report, findings))
}

/// What the findings of one comparison share.
struct Context<'a> {
    persons: &'a FastMap<IdNumber, Person>,
    households: &'a HashMap<String, Household>,
    on: NaiveDate,
}

impl Context<'_> {
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        kind: FindingKind,
        e: &Enrolment,
        id: Option<IdNumber>,
        confidence: u16,
        zh: String,
        en: String,
        evidence: Vec<Evidence>,
    ) -> Finding {
        // The household's community, when it is in the paying county; otherwise the county that pays.
        let region = self
            .households
            .get(&e.household_no)
            .map(|h| h.community.clone())
            .filter(|c| e.county.contains(c))
            .unwrap_or_else(|| e.county.clone());
        Finding {
            id: 0,
            kind,
            enrolment_id: e.id,
            program: e.program.clone(),
            household_no: e.household_no.clone(),
            id_number: id,
            region,
            confidence,
            summary_zh: zh,
            summary_en: en,
            evidence,
            key: format!("{}:{}:{}", kind.as_str(), e.id, id.map(|i| i.to_string()).unwrap_or_default()),
            found_on: self.on,
            status: FindingStatus::New,
            assigned_to: None,
            resolution: None,
        }
    }

    fn enrolment_evidence(&self, e: &Enrolment) -> Evidence {
        Evidence {
            source: "enrolments".into(),
            batch: None,
            fields: vec![
                ("保障项目".into(), e.program.clone()),
                ("户编号".into(), e.household_no.clone()),
                ("发放区县".into(), e.county.to_string()),
                ("月保障金额".into(), format!("{} 元", e.monthly_amount)),
                ("起始月份".into(), e.start.format("%Y-%m").to_string()),
                ("保障成员".into(), e.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join("、")),
            ],
        }
    }

    fn member_evidence(&self, e: &Enrolment, id: &IdNumber) -> Evidence {
        let mut ev = self.enrolment_evidence(e);
        ev.fields.insert(0, ("身份证号".into(), id.to_string()));
        ev.fields.insert(0, ("姓名".into(), name_of(e, id)));
        if let Some(p) = self.persons.get(id) {
            ev.fields.push(("人口库状态".into(), p.status.code().to_string()));
        }
        ev
    }
}

fn registry_evidence(p: &Person) -> Evidence {
    let status = match p.status {
        PersonStatus::Alive => "在册".to_string(),
        PersonStatus::Deceased(d) => format!("死亡 {}", d.map(|d| d.to_string()).unwrap_or_default()),
        PersonStatus::MovedOut(d) => format!("迁出 {}", d.map(|d| d.to_string()).unwrap_or_default()),
    };
    Evidence {
        source: "registry".into(),
        batch: None,
        fields: vec![
            ("姓名".into(), p.name.clone()),
            ("身份证号".into(), p.id_number.to_string()),
            ("户籍地".into(), p.hukou_region.to_string()),
            ("户编号".into(), p.household_no.clone().unwrap_or_default()),
            ("状态".into(), status),
        ],
    }
}

fn record_evidence(r: &DeptRecord) -> Evidence {
    let mut fields = r.fields.clone();
    fields.push(("关联方式".into(), format!("{}（{:.1}%）", r.link.zh(), f64::from(r.probability) / 10.0)));
    fields.push(("文件行号".into(), r.row_no.to_string()));
    Evidence { source: r.source.clone(), batch: Some(r.batch.clone()), fields }
}

fn name_of(e: &Enrolment, id: &IdNumber) -> String {
    e.members.iter().find(|m| &m.id_number == id).map(|m| m.name.clone()).unwrap_or_else(|| id.masked())
}

fn program_zh(engine: &Engine, code: &str) -> String {
    engine.policy.programs.iter().find(|p| p.code == code).map(|p| p.zh.clone()).unwrap_or_else(|| code.to_string())
}

/// Whether two programs exclude each other for the same person (either way round).
fn excludes(engine: &Engine, a: &str, b: &str) -> bool {
    engine
        .policy
        .programs
        .iter()
        .any(|p| (p.code == a && p.excluded_by.iter().any(|x| x == b)) || (p.code == b && p.excluded_by.iter().any(|x| x == a)))
}

fn source_zh(source: &str) -> &'static str {
    crate::economy::catalogue().get(source).map(|s| s.short.as_str()).unwrap_or("部门")
}

// ---- findings: reading and working them ----

/// A finding as shown to an account: ID numbers masked (in the finding and in its evidence)
/// for roles that do not see full identities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingView {
    pub id: i64,
    pub kind: FindingKind,
    pub enrolment_id: i64,
    pub program: String,
    pub household_no: String,
    pub id_number: Option<String>,
    pub masked: bool,
    pub region: RegionCode,
    pub confidence: u16,
    pub summary_zh: String,
    pub summary_en: String,
    pub evidence: Vec<Evidence>,
    pub found_on: NaiveDate,
    pub status: FindingStatus,
    pub assigned_to: Option<String>,
    pub resolution: Option<minzheng_domain::Resolution>,
}

/// An ID number as recorded, masked: the first four and the last four characters kept.
fn mask_recorded(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

impl FindingView {
    pub fn of(f: &Finding, role: minzheng_domain::Role) -> FindingView {
        let masked = !role.sees_full_identity();
        let evidence = f
            .evidence
            .iter()
            .map(|e| Evidence {
                source: e.source.clone(),
                batch: e.batch.clone(),
                fields: e
                    .fields
                    .iter()
                    .map(|(k, v)| {
                        let is_id = k.contains("身份证") || IdNumber::parse(v).is_ok();
                        (k.clone(), if masked && is_id { mask_recorded(v) } else { v.clone() })
                    })
                    .collect(),
            })
            .collect();
        FindingView {
            id: f.id,
            kind: f.kind,
            enrolment_id: f.enrolment_id,
            program: f.program.clone(),
            household_no: f.household_no.clone(),
            id_number: f.id_number.map(|i| if masked { i.masked() } else { i.to_string() }),
            masked,
            region: f.region.clone(),
            confidence: f.confidence,
            summary_zh: f.summary_zh.clone(),
            summary_en: f.summary_en.clone(),
            evidence,
            found_on: f.found_on,
            status: f.status,
            assigned_to: f.assigned_to.clone(),
            resolution: f.resolution,
        }
    }
}

fn read_entry(key: &str, action: &str, after: serde_json::Value) -> AuditEntry {
    AuditEntry { action: action.into(), entity: "finding".into(), entity_key: key.into(), before: None, after: Some(after) }
}

/// Findings in the account's region (narrowed by the query's), audited as a read.
pub async fn findings(store: &dyn Store, who: &Principal, actor: &Actor, mut q: FindingQuery) -> Result<Page<FindingView>, AccessError> {
    if !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    match &q.region {
        Some(r) if !who.in_scope(r) => return Err(AccessError::OutOfScope),
        Some(_) => {}
        None => q.region = Some(who.region.clone()),
    }
    let page = store.search_findings(&q).await?;
    let region = q.region.as_ref().map(ToString::to_string).unwrap_or_default();
    let ids: Vec<i64> = page.items.iter().map(|f| f.id).collect();
    store.audit(actor, &[read_entry(&region, "list", serde_json::json!({ "findings": ids, "kind": q.kind, "status": q.status }))]).await?;
    Ok(Page { items: page.items.iter().map(|f| FindingView::of(f, who.role)).collect(), next: page.next })
}

/// Counts by kind, county and status in the account's region.
pub async fn finding_counts(store: &dyn Store, who: &Principal) -> Result<Vec<FindingCount>, AccessError> {
    if !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    Ok(store.finding_counts(&who.region).await?)
}

/// One finding with its workflow steps, when in the account's region (audited either way).
pub async fn finding(store: &dyn Store, who: &Principal, actor: &Actor, id: i64) -> Result<(FindingView, Vec<FindingEvent>), AccessError> {
    if !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    let f = store.finding(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&f.region) {
        store.audit(actor, &[read_entry(&id.to_string(), "refused", serde_json::json!({ "use": "finding" }))]).await?;
        return Err(AccessError::OutOfScope);
    }
    let events = store.finding_events(id).await?;
    store.audit(actor, &[read_entry(&id.to_string(), "read", serde_json::json!({ "kind": f.kind }))]).await?;
    Ok((FindingView::of(&f, who.role), events))
}

/// Why a workflow step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Workflow(#[from] minzheng_domain::finding::WorkflowError),
    #[error("the finding was changed by someone else meanwhile; reload it")]
    Stale,
    #[error("only the worker it is assigned to ({0}) may do this")]
    NotAssignee(String),
    #[error("{0} is not an account that may work findings of this region")]
    Assignee(String),
    #[error("the county decides how a verified finding is resolved")]
    CountyDecides,
}

impl From<StoreError> for StepError {
    fn from(e: StoreError) -> StepError {
        StepError::Access(AccessError::Store(e))
    }
}

impl minzheng_domain::Bilingual for StepError {
    fn zh(&self) -> String {
        match self {
            StepError::Access(e) => e.zh(),
            StepError::Workflow(e) => e.zh(),
            StepError::Stale => "该疑点已被他人处理，请刷新后重试".into(),
            StepError::NotAssignee(n) => format!("只有承办人（{n}）可以进行此操作"),
            StepError::Assignee(n) => format!("“{n}”不是可以处理本区划疑点的账号"),
            StepError::CountyDecides => "已核实的疑点由区县作出处理决定".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Applies a workflow step to one finding in the account's region. `seen` is the status the
/// worker saw (the step is refused as stale if the finding has moved on since). Verifying and
/// closing as a false positive are for the assigned worker; resolving a verified finding is for
/// county staff; a finding is assigned only to an account that may work findings of its region.
pub async fn act(
    store: &dyn Store,
    who: &Principal,
    actor: &Actor,
    id: i64,
    action: &FindingAction,
    comment: &str,
    seen: Option<FindingStatus>,
) -> Result<FindingView, StepError> {
    if !who.may(Permission::WorkFindings) {
        return Err(AccessError::Forbidden.into());
    }
    let f = store.finding(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&f.region) {
        store.audit(actor, &[read_entry(&id.to_string(), "refused", serde_json::json!({ "use": action.as_str() }))]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    if seen.is_some_and(|s| s != f.status) {
        return Err(StepError::Stale);
    }
    let to = minzheng_domain::finding::next_status(f.status, action, comment)?;
    let assignee = f.assigned_to.clone().unwrap_or_default();
    match action {
        FindingAction::Assign { to } => {
            let account = store.account(to.trim()).await?;
            let fit = account.is_some_and(|a| {
                minzheng_domain::Role::parse(&a.role).is_some_and(|r| r.allows(Permission::WorkFindings)) && a.region.contains(&f.region)
            });
            if !fit {
                return Err(StepError::Assignee(to.trim().to_string()));
            }
        }
        FindingAction::Verify | FindingAction::Resolve { resolution: minzheng_domain::Resolution::FalsePositive }
            if f.status == FindingStatus::Assigned =>
        {
            if who.name != assignee {
                return Err(StepError::NotAssignee(assignee));
            }
        }
        FindingAction::Resolve { .. } => {
            if who.region.as_str().len() > 6 {
                return Err(StepError::CountyDecides);
            }
        }
        FindingAction::Verify => {}
    }
    let mut updated = f.clone();
    updated.status = to;
    let detail = match action {
        FindingAction::Assign { to } => {
            updated.assigned_to = Some(to.trim().to_string());
            to.trim().to_string()
        }
        FindingAction::Verify => String::new(),
        FindingAction::Resolve { resolution } => {
            updated.resolution = Some(*resolution);
            resolution.as_str().to_string()
        }
    };
    let event = FindingEvent {
        finding_id: id,
        action: action.as_str().to_string(),
        from: f.status,
        to,
        detail,
        comment: comment.trim().to_string(),
        actor: who.name.clone(),
        at: chrono::Utc::now(),
    };
    if !store.act_on_finding(&updated, &event, actor).await? {
        return Err(StepError::Stale);
    }
    Ok(FindingView::of(&updated, who.role))
}

/// The same step on several findings (bulk assignment): each is checked and applied on its own;
/// returns the ones done and the refusals with their ids.
pub async fn act_on_many(
    store: &dyn Store,
    who: &Principal,
    actor: &Actor,
    ids: &[i64],
    action: &FindingAction,
    comment: &str,
) -> (Vec<FindingView>, Vec<(i64, StepError)>) {
    let mut done = Vec::new();
    let mut refused = Vec::new();
    for &id in ids {
        match act(store, who, actor, id, action, comment, None).await {
            Ok(f) => done.push(f),
            Err(e) => refused.push((id, e)),
        }
    }
    (done, refused)
}

// ---- the linkage's review band (待人工复核) ----

/// A departmental row the linkage could not decide, with the registry person it proposes.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub record: DeptRecord,
    pub proposed_id: String,
    pub proposed_name: String,
    pub community: RegionCode,
}

/// Rows in review whose proposed person lives in `region` (the account's, or within it), audited as a read.
pub async fn review_queue(
    store: &dyn Store,
    who: &Principal,
    actor: &Actor,
    region: Option<&RegionCode>,
    limit: usize,
) -> Result<Vec<ReviewItem>, AccessError> {
    if !who.may(Permission::RunComparisons) {
        return Err(AccessError::Forbidden);
    }
    let region = region.unwrap_or(&who.region);
    if !who.in_scope(region) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "dept_record".into(),
                    entity_key: "review".into(),
                    before: None,
                    after: Some(serde_json::json!({ "region": region.to_string() })),
                }],
            )
            .await?;
        return Err(AccessError::OutOfScope);
    }
    let mut out = Vec::new();
    let mut after = 0;
    while out.len() < limit {
        let page = store.dept_records_in_review(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<IdNumber> = page.iter().filter_map(|r| r.id_number).collect();
        let persons: HashMap<IdNumber, Person> = store.persons_by_id(&ids).await?.into_iter().map(|p| (p.id_number, p)).collect();
        let nos: Vec<String> = persons.values().filter_map(|p| p.household_no.clone()).collect();
        let communities: HashMap<String, RegionCode> =
            store.households(&nos).await?.into_iter().map(|h| (h.household_no, h.community)).collect();
        for r in page {
            let Some(p) = r.id_number.and_then(|id| persons.get(&id)) else { continue };
            let community = p.household_no.as_ref().and_then(|no| communities.get(no)).cloned().unwrap_or_else(|| p.hukou_region.clone());
            if !region.contains(&community) {
                continue;
            }
            let proposed_id = if who.role.sees_full_identity() { p.id_number.to_string() } else { p.id_number.masked() };
            out.push(ReviewItem { record: r, proposed_id, proposed_name: p.name.clone(), community });
            if out.len() == limit {
                break;
            }
        }
    }
    let shown: Vec<i64> = out.iter().map(|i| i.record.id).collect();
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "list".into(),
                entity: "dept_record".into(),
                entity_key: "review".into(),
                before: None,
                after: Some(serde_json::json!({ "records": shown })),
            }],
        )
        .await?;
    Ok(out)
}

/// Decides a row in review: linked to the proposed person (the row then gives its economic
/// item and is compared at once with the enrolments it names) or to nobody.
pub async fn decide_link(
    store: &dyn Store,
    engine: &Engine,
    who: &Principal,
    actor: &Actor,
    id: i64,
    accept: bool,
) -> Result<Option<CompareReport>, PolicyFailure> {
    if !who.may(Permission::RunComparisons) {
        return Err(AccessError::Forbidden.into());
    }
    let record = store.dept_record(id).await?.ok_or(AccessError::NotFound)?;
    let already = || invalid("该记录已处理过", "this row has been decided already");
    if record.link != LinkKind::Review {
        return Err(already());
    }
    let person = match record.id_number {
        Some(pid) => store.person(&pid).await?,
        None => None,
    };
    let person = person.ok_or(AccessError::NotFound)?;
    let community = match &person.household_no {
        Some(no) => store.household(no).await?.map(|h| h.community).unwrap_or(person.hukou_region.clone()),
        None => person.hukou_region.clone(),
    };
    if !who.in_scope(&community) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "dept_record".into(),
                    entity_key: id.to_string(),
                    before: None,
                    after: Some(serde_json::json!({ "use": "decide_link" })),
                }],
            )
            .await?;
        return Err(AccessError::OutOfScope.into());
    }
    let item = if accept {
        let cell = |name: &str| {
            if name == "身份证号" {
                Some(person.id_number.to_string())
            } else {
                record.field(name).map(str::to_string)
            }
        };
        // A row that cannot give its item (an unreadable amount) stays in review, with the reason.
        let Some(source) = crate::economy::catalogue().get(&record.source) else {
            return Err(invalid(format!("数据来源 {} 未登记", record.source), format!("source {} is not registered", record.source)));
        };
        source.item(cell).map_err(|e| invalid(minzheng_domain::Bilingual::zh(&e), minzheng_domain::Bilingual::en(&e)))?
    } else {
        None
    };
    if !store.decide_link(id, accept, item.as_ref(), actor).await? {
        return Err(already());
    }
    if !accept {
        return Ok(None);
    }
    // Compared as of the day the row's file describes.
    let on = store
        .economic_batches()
        .await?
        .into_iter()
        .find(|b| b.checksum == record.batch)
        .map(|b| b.as_of)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let linked = DeptRecord { link: LinkKind::Matched, ..record };
    Ok(Some(compare_records(store, engine, who, actor, std::slice::from_ref(&linked), on).await?))
}
