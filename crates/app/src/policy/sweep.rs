//! 普查: a region swept by the rules, summarised per program, county and area, stored as a run.

#[allow(unused_imports)]
use super::*;

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

pub(super) async fn county_names(store: &dyn Store, region: &RegionCode) -> Result<BTreeMap<String, String>, StoreError> {
    let within = if region.level() == RegionLevel::Province || region.level() == RegionLevel::City {
        region.clone()
    } else {
        region.ancestor(RegionLevel::City).unwrap_or(region.clone())
    };
    Ok(store.regions_within(&within, RegionLevel::County).await?.into_iter().map(|r| (r.code.to_string(), r.name)).collect())
}

pub(super) fn may_sweep(who: &Principal, region: &RegionCode) -> Result<(), AccessError> {
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
pub async fn sweep(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    region: &RegionCode,
    on: NaiveDate,
    partitions: usize,
    progress: Progress<'_>,
) -> Result<SweepReport, PolicyFailure> {
    let options = SweepOptions { store_run: true, partitions, ..SweepOptions::default() };
    Ok(sweep_with(store, engine, cx, region, on, progress, options).await?.0)
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
    /// How many partitions the engine reads the snapshot in (at least one).
    pub partitions: usize,
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
pub async fn sweep_with(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    region: &RegionCode,
    on: NaiveDate,
    progress: Progress<'_>,
    options: SweepOptions,
) -> Result<(SweepReport, Vec<UnitLine>), PolicyFailure> {
    let (who, actor, partitions) = (cx.who, cx.actor, options.partitions.max(1));
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
