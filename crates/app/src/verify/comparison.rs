//! The comparison: enrolments against the registry, departmental data and the rules, each finding with its evidence.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

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
pub(crate) enum Recheck<'a> {
    /// Every unit not eligible in a sweep of the region (the full comparison).
    Sweep(&'a RegionCode),
    /// The enrolments of these households (a batch named their members).
    Households(HashSet<String>),
}

pub(crate) fn comparison_allowed(who: &Principal, region: &RegionCode) -> Result<(), AccessError> {
    if !who.may(Permission::RunComparisons) {
        return Err(AccessError::Forbidden);
    }
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope);
    }
    Ok(())
}

/// Enrolments are owned by counties: a comparison covers a county, a city or the province.
pub(crate) fn owning_region(region: &RegionCode) -> Result<(), PolicyFailure> {
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
    cx: &RequestContext<'_>,
    region: &RegionCode,
    on: NaiveDate,
) -> Result<CompareReport, PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
    comparison_allowed(who, region)?;
    owning_region(region)?;
    let started = Instant::now();
    let mut enrolments = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(region, after, 5000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        enrolments.extend(page.into_iter().filter(Enrolment::is_active).map(Enrolment::with_current_members));
    }
    // The stored rows of every source that says something to the comparison (deaths, moves ...),
    // of the enrolled members only (a residence file covers the whole city).
    let enrolled: HashSet<IdNumber> = enrolments.iter().flat_map(|e| e.members.iter().map(|m| m.id_number)).collect();
    let mut signals = Vec::new();
    let mut read = 0;
    for source in crate::sources::catalogue().sources.iter().filter(|s| s.signal.is_some()) {
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

/// 增量比对: after a batch arrives, only the enrolments its rows name are compared (deaths,
/// registry, roster), and those a row of assets or income names are re-checked by the rules.
pub async fn compare_records(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    records: &[DeptRecord],
    on: NaiveDate,
) -> Result<CompareReport, PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
    comparison_allowed(who, &who.region)?;
    let started = Instant::now();
    let mut ids: Vec<IdNumber> = records.iter().filter(|r| linked(r)).filter_map(|r| r.id_number).collect();
    ids.sort_unstable();
    ids.dedup();
    let enrolments: Vec<Enrolment> = store
        .enrolments_of(&ids)
        .await?
        .into_iter()
        .filter(|e| e.is_active() && who.in_scope(&e.county))
        .map(Enrolment::with_current_members)
        .collect();
    let catalogue = crate::sources::catalogue();
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
pub(crate) async fn scan_records(store: &dyn Store, source: &str, mut each: impl FnMut(Vec<DeptRecord>)) -> Result<(), StoreError> {
    let mut after = 0;
    loop {
        let page = store.scan_dept_records(source, after, 50_000).await?;
        let Some(last) = page.last() else { return Ok(()) };
        after = last.id;
        each(page);
    }
}

/// Whether only the newest row of a person counts (hukou moves, residence), not each row.
pub(crate) fn newest_counts(catalogue: &minzheng_domain::source::SourceCatalogue, r: &DeptRecord) -> bool {
    matches!(catalogue.signal_of(&r.source), Some(Signal::MoveOut { .. } | Signal::Residence { .. }))
}

/// Whether a place is in another city than `home` (人户分离 inside the city is lawful: 全市通办).
pub fn in_another_city(at: &RegionCode, home: &RegionCode) -> bool {
    at.as_str().get(..4) != home.as_str().get(..4)
}

pub(crate) fn linked(r: &DeptRecord) -> bool {
    r.link.carries_number()
}

pub(crate) async fn finish(
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
pub(crate) async fn compare(
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
    // Names for the evidence: programs and the paying counties, as staff read them.
    let programs: HashMap<String, String> = engine.policy.programs.iter().map(|p| (p.code.clone(), p.zh.clone())).collect();
    let mut counties: HashMap<String, String> = HashMap::new();
    for e in enrolments {
        if !counties.contains_key(e.county.as_str()) {
            let name = store.region(&e.county).await?.map(|r| r.name).unwrap_or_else(|| e.county.to_string());
            counties.insert(e.county.to_string(), name);
        }
    }
    let ctx = Context { persons: &persons, households: &households, on, programs: &programs, counties: &counties };
    let mut findings = Vec::new();

    // Departmental rows naming an enrolled member: deaths, moves, residence elsewhere, marriages
    // (what each source says is registered with it: `policies/sources.toml`).
    let program_units: HashMap<&str, minzheng_policy::Unit> = engine.policy.programs.iter().map(|p| (p.code.as_str(), p.unit)).collect();
    let catalogue = crate::sources::catalogue();
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
        store
            .enrolments_of(&member_ids)
            .await?
            .into_iter()
            .filter(|e| e.is_active() && !known.contains(&e.id))
            .map(Enrolment::with_current_members)
            .collect()
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
        } else if engine.policy.excludes(&a.program, &b.program) {
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
                    fields.push((f.zh.clone(), minzheng_domain::units::with_unit(&f.value, f.unit.as_deref().unwrap_or(""), true)));
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
                use minzheng_domain::source::ItemRule;
                linked(r) && catalogue.get(&r.source).is_some_and(|s| matches!(s.item, Some(ItemRule::Count(_) | ItemRule::Valued { .. })))
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
pub(crate) struct Context<'a> {
    pub(crate) persons: &'a FastMap<IdNumber, Person>,
    pub(crate) households: &'a HashMap<String, Household>,
    pub(crate) on: NaiveDate,
    /// Program code → name (最低生活保障), county code → name (浑南区), for the evidence.
    pub(crate) programs: &'a HashMap<String, String>,
    pub(crate) counties: &'a HashMap<String, String>,
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
                ("保障项目".into(), self.programs.get(&e.program).cloned().unwrap_or_else(|| e.program.clone())),
                ("户编号".into(), e.household_no.clone()),
                (
                    "发放区县".into(),
                    match self.counties.get(e.county.as_str()) {
                        Some(name) => format!("{name}（{}）", e.county),
                        None => e.county.to_string(),
                    },
                ),
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
            ev.fields.push(("人口库状态".into(), p.status.zh().to_string()));
        }
        ev
    }
}

pub(crate) fn registry_evidence(p: &Person) -> Evidence {
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

pub(crate) fn record_evidence(r: &DeptRecord) -> Evidence {
    let mut fields = r.fields.clone();
    if let Some(d) = r.event_date {
        fields.push((minzheng_domain::finding::EVENT_DATE.into(), d.to_string()));
    }
    fields.push(("关联方式".into(), format!("{}（{:.1}%）", r.link.zh(), f64::from(r.probability) / 10.0)));
    fields.push(("文件行号".into(), r.row_no.to_string()));
    Evidence { source: r.source.clone(), batch: Some(r.batch.clone()), fields }
}

pub(crate) fn name_of(e: &Enrolment, id: &IdNumber) -> String {
    e.members.iter().find(|m| &m.id_number == id).map(|m| m.name.clone()).unwrap_or_else(|| id.masked())
}

pub(crate) fn program_zh(engine: &Engine, code: &str) -> String {
    engine.policy.programs.iter().find(|p| p.code == code).map(|p| p.zh.clone()).unwrap_or_else(|| code.to_string())
}

pub(crate) fn source_zh(source: &str) -> &'static str {
    crate::sources::catalogue().get(source).map(|s| s.short.as_str()).unwrap_or("部门")
}
