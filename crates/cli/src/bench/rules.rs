//! `bench policy`: the policy engine's sweeps, what-ifs and checks, and the data for the OpenFisca comparison.

#[allow(unused_imports)]
use super::*;

pub(crate) async fn policy(
    persons: u64,
    seed: u64,
    on: chrono::NaiveDate,
    repeat: usize,
    checks: usize,
    export: Option<PathBuf>,
) -> Result<()> {
    use minzheng_policy::params::shipped_records;
    use minzheng_policy::snapshot::{from_city, from_city_where};
    let engine = crate::policy::engine().await?;
    let parts = crate::policy::partitions();
    println!("command: minzheng bench policy --persons {persons} --seed {seed} --on {on} (partitions {parts})");
    let t = Instant::now();
    let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, seed))?;
    println!("generate city: {} persons, {} households, {:.2} s", city.persons.len(), city.households.len(), t.elapsed().as_secs_f64());
    // Households for the single-household checks, each as a small city of its own (so that the
    // big one can be dropped before the features are built).
    let step = (city.households.len() / checks.max(1)).max(1);
    let sample: Vec<minzheng_domain::Household> = city.households.iter().step_by(step).take(checks).cloned().collect();
    let wanted: std::collections::HashSet<&str> = sample.iter().map(|h| h.household_no.as_str()).collect();
    let members: Vec<minzheng_domain::Person> =
        city.persons.iter().filter(|p| p.household_no.as_deref().is_some_and(|h| wanted.contains(h))).cloned().collect();
    let ids: std::collections::HashSet<String> = members.iter().map(|p| p.id_number.to_string()).collect();
    let datasets: Vec<minzheng_synth::Table> = city
        .datasets
        .iter()
        .map(|t| minzheng_synth::Table {
            rows: t.rows.iter().filter(|r| r.first().is_some_and(|id| ids.contains(id))).cloned().collect(),
            ..t.clone_empty()
        })
        .collect();
    let small = minzheng_synth::City { households: sample.clone(), persons: members, datasets, ..Default::default() };
    let t = Instant::now();
    let snapshot = from_city(&city, parts);
    println!("snapshot (Arrow tables from records in memory): {:.2} s", t.elapsed().as_secs_f64());
    drop(city);
    let generator_peak = peak_rss_mib();
    let reset = reset_peak_rss();
    let records = shipped_records(&engine.policy, chrono::Utc::now());
    let t = Instant::now();
    let features = engine.features(&snapshot, on).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("features (warm snapshot for {on}): {:.2} s", t.elapsed().as_secs_f64());
    let params = engine.params(&records, &features.counties, on);
    let two = engine.with_programs(&["dibao", "gaoling"]).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (label, e) in [("低保 + 高龄补贴", &two), ("all programs", &engine)] {
        let mut times = Vec::new();
        let mut totals = Default::default();
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            let run = e.evaluate(&features, &params).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed().as_secs_f64());
            totals = run.program_totals();
        }
        println!(
            "sweep {label}: median {:.3} s of {} (min {:.3}, max {:.3})",
            median(times.clone()),
            times.len(),
            times.iter().cloned().fold(f64::MAX, f64::min),
            times.iter().cloned().fold(0.0, f64::max)
        );
        for (code, t) in &totals {
            println!(
                "  {code:<20} considered {:>9}  eligible {:>9}  monthly {:>16} yuan",
                t.considered,
                t.eligible,
                minzheng_domain::Fen(t.amount)
            );
        }
        if let (Some(dir), true) = (&export, label.starts_with('低')) {
            export_openfisca(dir, &features, &params, &totals, on)?;
        }
    }
    let from = on;
    let changes = vec![minzheng_policy::Change::parse("dibao_standard:urban+7%", "2101", from).map_err(|e| anyhow::anyhow!(e))?];
    let t = Instant::now();
    let unit_of = |n: &str| engine.policy.parameter(n).map(|p| p.unit.clone()).unwrap_or_default();
    let changed = minzheng_policy::params::apply_changes(&records, &changes, &features.counties, unit_of);
    let base = engine.evaluate(&features, &params).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let scen = engine.evaluate(&features, &engine.params(&changed, &features.counties, on)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows = minzheng_app::policy::compare(&engine, &base, &scen, &Default::default());
    let newly: u64 = rows.iter().map(|r| r.newly_eligible).sum();
    let change: i64 = rows.iter().map(|r| r.monthly_change()).sum();
    println!(
        "what-if urban 低保 standard +7% (from the warm snapshot): {:.2} s; {newly} units newly eligible, monthly change {} yuan",
        t.elapsed().as_secs_f64(),
        minzheng_domain::Fen(change)
    );
    let mut times = Vec::new();
    for h in &sample {
        let one = from_city_where(&small, 1, |no| no == h.household_no);
        let t = Instant::now();
        engine.check(&one, &records, on).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| times.get(((times.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    println!(
        "explained check of one household ({} checks, snapshot of one household given): p50 {:.1} ms, p99 {:.1} ms",
        times.len(),
        p(0.5),
        p(0.99)
    );
    if reset {
        println!(
            "peak memory (VmHWM): {generator_peak:.0} MiB while the city was generated and its snapshot built; \
             {:.0} MiB from the snapshot on (the generated city dropped: features, sweeps, what-if, checks)",
            peak_rss_mib()
        );
    } else {
        println!("peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
    }
    Ok(())
}

/// The two programs' inputs and totals for the OpenFisca side of the comparison
/// (`bench/openfisca/compare.py`).
pub(crate) fn export_openfisca(
    dir: &std::path::Path,
    features: &minzheng_policy::Features,
    params: &minzheng_policy::ParamSet,
    totals: &std::collections::BTreeMap<String, minzheng_policy::Totals>,
    on: chrono::NaiveDate,
) -> Result<()> {
    use minzheng_policy::npy::write_columns;
    std::fs::create_dir_all(dir)?;
    let t = Instant::now();
    let households = features.view("household_features").context("no household_features view")?;
    let persons = features.view("person_features").context("no person_features view")?;
    let h = [
        "hid",
        "county",
        "rural",
        "members",
        "hh_income",
        "hh_deposits",
        "hh_cars",
        "hh_cars_unvalued",
        "hh_car_max_value",
        "hh_properties",
        "hh_businesses",
        "topup_members",
        "severe_disabled",
    ];
    let households = write_columns(households, &h, dir, "household")?;
    let persons = write_columns(persons, &["hid", "age"], dir, "person")?;
    // The same persons before the household aggregates, for OpenFisca to aggregate itself.
    let base = features.view("person_base").context("no person_base view")?;
    let b = [
        "hid",
        "county",
        "rural",
        "counted",
        "age",
        "income",
        "medical_costs",
        "deposits",
        "cars",
        "cars_unvalued",
        "car_value",
        "properties",
        "businesses",
        "seriously_ill",
        "disability_grade",
    ];
    write_columns(base, &b, dir, "base")?;
    let p = [
        "p_county",
        "p_rural",
        "dibao_standard",
        "dibao_topup",
        "dibao_deposit_months",
        "vehicle_value_limit",
        "gaoling_80",
        "gaoling_80_poor",
        "gaoling_90",
        "gaoling_100",
    ];
    write_columns(&params.table, &p, dir, "params")?;
    let totals: serde_json::Map<String, serde_json::Value> =
        totals.iter().map(|(code, t)| (code.clone(), serde_json::json!({ "eligible": t.eligible, "amount": t.amount }))).collect();
    let meta = serde_json::json!({ "on": on.to_string(), "households": households, "persons": persons, "totals": totals });
    std::fs::write(dir.join("minzheng.json"), serde_json::to_string_pretty(&meta)?)?;
    println!(
        "exported for OpenFisca to {} ({households} households, {persons} persons): {:.2} s; run python3 bench/openfisca/compare.py {}",
        dir.display(),
        t.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
