//! 提标测算: a parameter change costed against the baseline, county by county.

#[allow(unused_imports)]
use super::*;

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
pub async fn whatif(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    region: &RegionCode,
    changes: &[Change],
    partitions: usize,
    progress: Progress<'_>,
) -> Result<WhatIfReport, PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
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
