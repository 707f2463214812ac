//! Sweep and check are the same rules: for every household of a generated city, checking it
//! alone gives exactly what the city-wide sweep gave it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use common::*;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use minzheng_domain::region::tree;
use minzheng_policy::snapshot::{from_city, from_city_where, Snapshot};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// pid or hid → ID number or household number, read from a snapshot's tables.
fn labels(snapshot: &Snapshot, table: &str, key: &str, label: &str) -> BTreeMap<i64, String> {
    let mut out = BTreeMap::new();
    for b in snapshot.table(table).map(|t| t.partitions.concat()).unwrap_or_default() {
        let (Some(k), Some(l)) = (b.column_by_name(key), b.column_by_name(label)) else { continue };
        let (k, l) = (k.as_primitive::<Int64Type>(), l.as_string::<i32>());
        for i in 0..b.num_rows() {
            out.insert(k.value(i), l.value(i).to_string());
        }
    }
    out
}

async fn agree(persons: u64, seed: u64, on: &str) {
    let regions = tree::liaoning();
    let city = minzheng_synth::generate(&regions, &minzheng_synth::Config::new(persons, seed)).unwrap_or_else(|e| panic!("{e}"));
    let engine = engine();
    let records = records();
    let on = day(on);
    let snapshot = from_city(&city, 2);
    let features = engine.features(&snapshot, on).await.unwrap_or_else(|e| panic!("{e}"));
    let params = engine.params(&records, &features.counties, on);
    let run = engine.evaluate(&features, &params).await.unwrap_or_else(|e| panic!("{e}"));
    let households = labels(&snapshot, "household", "hid", "household_no");
    let persons = labels(&snapshot, "person", "pid", "id_number");
    let mut swept: BTreeMap<(String, String), i64> = BTreeMap::new();
    for ((code, unit), amount) in run.eligible_units() {
        let is_household = engine.policy.program(&code).map(|p| p.unit) == Some(minzheng_policy::Unit::Household);
        let label = if is_household { households.get(&unit) } else { persons.get(&unit) };
        swept.insert((code, label.cloned().unwrap_or_default()), amount);
    }
    let mut checked: BTreeMap<(String, String), i64> = BTreeMap::new();
    // The explanation of any household from the city-wide run is the one its own check gives.
    let explainer = minzheng_policy::explain::Explainer::new(&engine.policy, &features, &params, &run).named(&snapshot);
    let hids: BTreeMap<&str, i64> = households.iter().map(|(hid, no)| (no.as_str(), *hid)).collect();
    for h in &city.households {
        let one = from_city_where(&city, 1, |no| no == h.household_no);
        let Some(check) = engine.check(&one, &records, on).await.unwrap_or_else(|e| panic!("{e}")) else { continue };
        let from_city_run = hids.get(h.household_no.as_str()).and_then(|&hid| explainer.check(hid, h.household_no.clone()));
        assert_eq!(from_city_run.as_ref(), Some(&check), "{}", h.household_no);
        for p in &check.programs {
            for u in p.units.iter().filter(|u| u.eligible) {
                checked.insert((p.code.clone(), u.unit.clone()), u.amount);
            }
        }
    }
    assert!(!swept.is_empty(), "the city has people in programs");
    assert_eq!(swept, checked);
}

#[tokio::test]
async fn sweep_and_check_agree_on_every_household_of_a_city() {
    agree(600, 7, "2026-08-01").await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, .. ProptestConfig::default() })]
    #[test]
    fn sweep_and_check_agree_for_any_seed_and_date(seed in 0u64..1_000_000, day_offset in 0i64..730) {
        let on = (day("2025-06-01") + chrono::Duration::days(day_offset)).to_string();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap_or_else(|e| panic!("{e}"));
        rt.block_on(agree(250, seed, &on));
    }
}

/// A check runs physical plans made once for the engine; checks of different households at the
/// same time must not see each other's rows (each has its own tables and a fresh copy of the
/// plans' run-time state).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_at_the_same_time_give_what_each_gives_alone() {
    let city = minzheng_synth::generate(&tree::liaoning(), &minzheng_synth::Config::new(400, 11)).unwrap_or_else(|e| panic!("{e}"));
    let engine = std::sync::Arc::new(engine());
    let records = std::sync::Arc::new(records());
    let on = day("2026-08-01");
    let mut alone = Vec::new();
    for h in &city.households {
        let one = from_city_where(&city, 1, |no| no == h.household_no);
        alone.push(engine.check(&one, &records, on).await.unwrap_or_else(|e| panic!("{e}")));
    }
    let mut tasks = Vec::new();
    for h in &city.households {
        let one = from_city_where(&city, 1, |no| no == h.household_no);
        let (engine, records) = (engine.clone(), records.clone());
        tasks.push(tokio::spawn(async move { engine.check(&one, &records, on).await.unwrap_or_else(|e| panic!("{e}")) }));
    }
    let mut together = Vec::new();
    for t in tasks {
        together.push(t.await.unwrap_or_else(|e| panic!("{e}")));
    }
    assert!(alone.iter().flatten().any(|c| c.programs.iter().any(|p| p.units.iter().any(|u| u.eligible))), "someone is eligible");
    assert_eq!(alone, together);
}
