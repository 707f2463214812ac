//! Social assistance from the departments' files to a sweep: departmental data imported once,
//! the shipped parameters recorded on first start, a county swept with the same result as the
//! engine gives on the city in memory, a household checked within scope, a standard rise costed,
//! a parameter changed by the city and used from its date.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use common::*;

use minzheng_app::policy as use_case;
use minzheng_app::RequestContext;
use minzheng_domain::Role;
use minzheng_policy::snapshot::from_city_where;
use minzheng_policy::{Area, Change, Engine, ParameterRecord, PolicySet};
use minzheng_store::{Actor, RegistryBatch, Store};
use std::sync::Arc;

const AS_OF: &str = "2026-07-01";
const ON: &str = "2026-08-01";

struct World {
    store: Arc<dyn Store>,
    city: minzheng_synth::City,
    engine: Engine,
    dir: std::path::PathBuf,
    _d: Dir,
}

async fn world(tag: &str) -> World {
    let dir = std::env::temp_dir().join(format!("minzheng-policy-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = minzheng_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await.expect("store");
    minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
    let city = minzheng_synth::generate(&minzheng_app::regions::liaoning(), &minzheng_synth::Config::new(3000, 11)).expect("city");
    let batch = RegistryBatch {
        households: city.households.clone(),
        persons: city.persons.clone(),
        source: "test".into(),
        checksum: String::new(),
    };
    store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("registry");
    minzheng_synth::files::write_city(&city, &dir.join("files"), minzheng_synth::files::Format::Csv).expect("files");
    let engine = Engine::new(PolicySet::shenyang(), 2).await.expect("engine");
    World { store, city, engine, dir: dir.join("files"), _d: Dir(dir) }
}

/// The county with the most households.
fn busiest_county(city: &minzheng_synth::City) -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for h in &city.households {
        *counts.entry(h.community.as_str()[..6].to_string()).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(c, _)| c).expect("a county")
}

#[tokio::test]
async fn a_county_sweep_from_the_store_equals_the_engine_on_the_city_in_memory() {
    let w = world("sweep").await;
    let staff = Actor::new("verify.centre");
    let reports = minzheng_app::economy::import_dir(&w.store, &w.dir, day(AS_OF), &staff).await.expect("economy");
    let datasets: Vec<&str> = reports.iter().map(|r| r.dataset.as_str()).collect();
    assert_eq!(
        datasets,
        [
            "business",
            "cremations",
            "deaths",
            "deposits",
            "disability",
            "hukou_moves",
            "income",
            "marriages",
            "medical",
            "property",
            "provident_fund",
            "residence",
            "social_insurance",
            "tax",
            "unemployment",
            "vehicles"
        ]
    );
    assert!(reports.iter().all(|r| r.stored));
    // Dirty ID numbers planted in the departmental files are linked back to their persons; no row is lost.
    let matched: usize = reports.iter().map(|r| r.linked.matched).sum();
    assert!(matched > 0, "the generated files carry planted invalid ID numbers, linked by the fuzzy linkage");
    for r in &reports {
        let l = r.linked;
        assert_eq!(l.exact + l.unregistered + l.matched + l.review + l.unlinked, r.rows, "{}: every row is linked or listed", r.dataset);
        assert_eq!(l.review + l.unlinked, r.refused.iter().filter(|(_, why)| why.en.starts_with("ID number")).count(), "{}", r.dataset);
    }
    let again = minzheng_app::economy::import_dir(&w.store, &w.dir, day(AS_OF), &staff).await.expect("again");
    assert!(again.iter().all(|r| !r.stored), "the same files again change nothing");

    assert!(use_case::ensure_parameters(w.store.as_ref(), &w.engine, &Actor::system()).await.expect("params") > 10);
    assert_eq!(use_case::ensure_parameters(w.store.as_ref(), &w.engine, &Actor::system()).await.expect("params"), 0);

    let county = busiest_county(&w.city);
    let approver = who(Role::CountyApprover, &county);
    let report = use_case::sweep(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&approver, &actor(&approver), day(ON)),
        &code(&county),
        day(ON),
        2,
        &|_| {},
    )
    .await
    .expect("sweep");
    assert!(report.rows.iter().all(|r| r.county == county));
    // The same county through the engine directly, from the city in memory.
    let keep: std::collections::HashSet<&str> =
        w.city.households.iter().filter(|h| h.community.as_str().starts_with(&county)).map(|h| h.household_no.as_str()).collect();
    let snapshot = from_city_where(&w.city, 2, |no| keep.contains(no));
    let features = w.engine.features(&snapshot, day(ON)).await.expect("features");
    let records = w.store.parameter_records().await.expect("records");
    let run = w.engine.evaluate(&features, &w.engine.params(&records, &features.counties, day(ON))).await.expect("run");
    let direct: Vec<(String, u64, i64)> = run.program_totals().into_iter().map(|(c, t)| (c, t.eligible, t.amount)).collect();
    let mut swept: Vec<(String, u64, i64)> = report.program_totals().into_iter().map(|(c, _, e, a)| (c, e, a)).collect();
    swept.sort();
    let mut direct = direct;
    direct.sort();
    assert_eq!(swept, direct);
    assert!(swept.iter().any(|(c, e, _)| c == "dibao" && *e > 0), "the county has 低保 households: {swept:?}");
    // The run is stored with its eligible households and persons.
    let stored = w.store.policy_run(report.run_id).await.expect("run").expect("stored");
    assert_eq!(stored.kind, "sweep");
    let dibao = w.store.policy_run_units(report.run_id, "dibao", None, 1000).await.expect("units");
    assert_eq!(dibao.len() as u64, swept.iter().find(|(c, _, _)| c == "dibao").map(|x| x.1).unwrap_or(0).min(1000));
    let workbook = use_case::sweep_xlsx(w.store.as_ref(), &report, false).await.expect("xlsx");
    assert!(workbook.starts_with(b"PK"), "an .xlsx file");
    // A community worker may not sweep; a county approver may not sweep another county.
    let worker = who(Role::CommunityWorker, w.city.households[0].community.as_str());
    assert!(use_case::sweep(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&worker, &actor(&worker), day(ON)),
        &code(&county),
        day(ON),
        2,
        &|_| {}
    )
    .await
    .is_err());
    let other = if county == "210112" { "210102" } else { "210112" };
    let err = use_case::sweep(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&approver, &actor(&approver), day(ON)),
        &code(other),
        day(ON),
        2,
        &|_| {},
    )
    .await;
    assert!(matches!(err, Err(use_case::PolicyFailure::Access(minzheng_app::registry::AccessError::OutOfScope))));
}

#[tokio::test]
async fn a_household_is_checked_within_scope_and_the_check_is_audited() {
    let w = world("check").await;
    minzheng_app::economy::import_dir(&w.store, &w.dir, day(AS_OF), &Actor::new("verify.centre")).await.expect("economy");
    use_case::ensure_parameters(w.store.as_ref(), &w.engine, &Actor::system()).await.expect("params");
    let poor = w.city.households.iter().find(|h| w.city.poor_households.contains(&h.household_no)).expect("a poor household");
    let worker = who(Role::CommunityWorker, poor.community.as_str());
    let check = use_case::check(w.store.as_ref(), &w.engine, &caller(&worker).cx(), &poor.household_no, day(ON)).await.expect("check");
    assert_eq!(check.household_no, poor.household_no);
    assert_eq!(check.programs.len(), 9);
    // 特困 excludes 低保 for those supported as 特困, by the enrolment records, and the
    // explanation says so.
    let exclusion = check
        .programs
        .iter()
        .filter(|p| p.code == "dibao")
        .flat_map(|p| p.units.iter().flat_map(|u| u.steps.iter()))
        .find(|s| s.kind == minzheng_policy::explain::StepKind::NotExcludedBy)
        .expect("the exclusion step");
    assert!(exclusion.zh.contains("特困") && exclusion.zh.contains("看在保记录"), "{}", exclusion.zh);
    // The same household checked by the engine on the city in memory gives the same decisions.
    let one = from_city_where(&w.city, 1, |no| no == poor.household_no);
    let records = w.store.parameter_records().await.expect("records");
    let direct = w.engine.check(&one, &records, day(ON)).await.expect("check").expect("household");
    assert_eq!(check.programs, direct.programs);
    let audit = w.store.audit_of("household", &poor.household_no).await.expect("audit");
    assert!(audit.iter().any(|r| r.action == "policy_check" && r.actor == worker.name));
    // Another community's worker is refused (and that is audited); a grid worker may not check.
    let elsewhere = w.city.households.iter().find(|h| h.community != poor.community).expect("another community");
    let stranger = who(Role::CommunityWorker, elsewhere.community.as_str());
    assert!(matches!(
        use_case::check(w.store.as_ref(), &w.engine, &caller(&stranger).cx(), &poor.household_no, day(ON)).await,
        Err(use_case::PolicyFailure::Access(minzheng_app::registry::AccessError::OutOfScope))
    ));
    let grid = who(Role::GridWorker, poor.community.as_str());
    assert!(matches!(
        use_case::check(w.store.as_ref(), &w.engine, &caller(&grid).cx(), &poor.household_no, day(ON)).await,
        Err(use_case::PolicyFailure::Access(minzheng_app::registry::AccessError::Forbidden))
    ));
}

#[tokio::test]
async fn a_standard_rise_is_costed_and_a_parameter_change_applies_from_its_date() {
    let w = world("whatif").await;
    minzheng_app::economy::import_dir(&w.store, &w.dir, day(AS_OF), &Actor::new("verify.centre")).await.expect("economy");
    use_case::ensure_parameters(w.store.as_ref(), &w.engine, &Actor::system()).await.expect("params");
    let city = who(Role::CityAdmin, "2101");
    let from = day("2027-01-01");
    let rise = vec![Change::parse("dibao_standard+10%", "2101", from).expect("change")];
    let report = use_case::whatif(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&city, &actor(&city), day(ON)),
        &code("2101"),
        &rise,
        2,
        &|_| {},
    )
    .await
    .expect("what-if");
    let total = report.total();
    let dibao: Vec<_> = report.rows.iter().filter(|r| r.program == "dibao").collect();
    assert!(dibao.iter().map(|r| r.monthly_change()).sum::<i64>() > 0, "a higher standard costs more");
    assert!(dibao.iter().map(|r| r.newly_eligible).sum::<u64>() > 0, "and reaches households just above the old line");
    // A household leaves 低保 only to 特困 (1.3 × the same standard), which excludes it.
    let left_dibao: u64 = dibao.iter().map(|r| r.no_longer_eligible).sum();
    let new_tekun: u64 = report.rows.iter().filter(|r| r.program == "tekun").map(|r| r.newly_eligible).sum();
    assert!(left_dibao <= new_tekun, "{left_dibao} households left 低保 but only {new_tekun} persons joined 特困");
    assert_eq!(total.annual_change(), total.monthly_change() * 12);
    assert!(use_case::whatif_xlsx(&report, |name| w.engine.policy.parameter(name).map(|d| d.unit.clone()).unwrap_or_default())
        .expect("xlsx")
        .starts_with(b"PK"));
    // Setting a parameter to the value in force changes nothing.
    let same = vec![Change::parse("gaoling_80=2500", "2101", from).expect("change")];
    let report = use_case::whatif(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&city, &actor(&city), day(ON)),
        &code("2101"),
        &same,
        2,
        &|_| {},
    )
    .await
    .expect("what-if");
    assert_eq!((report.total().monthly_change(), report.total().newly_eligible, report.total().no_longer_eligible), (0, 0, 0));
    let unknown = vec![Change::parse("dibao_standardd+10%", "2101", from).expect("change")];
    assert!(matches!(
        use_case::whatif(
            w.store.as_ref(),
            &w.engine,
            &RequestContext::new(&city, &actor(&city), day(ON)),
            &code("2101"),
            &unknown,
            2,
            &|_| {}
        )
        .await,
        Err(use_case::PolicyFailure::Invalid { .. })
    ));

    // The city raises the 80-89 old-age allowance from 2027; the check uses it from that day.
    let record = |reason: &str| ParameterRecord {
        name: "gaoling_80".into(),
        region: "2101".into(),
        area: None,
        effective_from: from,
        value: 5000,
        reason: reason.into(),
        recorded_by: String::new(),
        recorded_at: chrono::Utc::now(),
        seq: 0,
    };
    let approver = who(Role::CountyApprover, "210112");
    assert!(matches!(
        use_case::set_parameter(w.store.as_ref(), &w.engine, &caller(&approver).cx(), record("沈政办发〔2026〕1号")).await,
        Err(use_case::PolicyFailure::Access(minzheng_app::registry::AccessError::Forbidden))
    ));
    assert!(matches!(
        use_case::set_parameter(w.store.as_ref(), &w.engine, &caller(&city).cx(), record("涨")).await,
        Err(use_case::PolicyFailure::Invalid { .. })
    ));
    // A value past any standard, and a county code that does not exist, are refused.
    let huge = ParameterRecord { value: i64::MAX, ..record("沈政办发〔2026〕1号") };
    assert!(matches!(
        use_case::set_parameter(w.store.as_ref(), &w.engine, &caller(&city).cx(), huge).await,
        Err(use_case::PolicyFailure::Invalid { .. })
    ));
    let nowhere = ParameterRecord { region: "210199".into(), ..record("沈政办发〔2026〕1号") };
    assert!(matches!(
        use_case::set_parameter(w.store.as_ref(), &w.engine, &caller(&city).cx(), nowhere).await,
        Err(use_case::PolicyFailure::Invalid { .. })
    ));
    let stored =
        use_case::set_parameter(w.store.as_ref(), &w.engine, &caller(&city).cx(), record("沈政办发〔2026〕1号")).await.expect("set");
    assert_eq!(stored.recorded_by, city.name);
    // A city unifying its urban and rural 低保 standards with one value for both areas: the
    // areas' own values would outrank it, so it is refused with the reason; set per area, it
    // takes effect.
    // (From 2030, so that the checks below, in 2027, are not moved by it.)
    let unified = ParameterRecord {
        name: "dibao_standard".into(),
        value: 90_000,
        effective_from: day("2030-01-01"),
        ..record("沈政办发〔2026〕9号")
    };
    match use_case::set_parameter(w.store.as_ref(), &w.engine, &caller(&city).cx(), unified.clone()).await {
        Err(use_case::PolicyFailure::Invalid { zh, en }) => {
            assert!(zh.contains("不会生效") && zh.contains("--area"), "{zh}");
            assert!(en.contains("would not take effect"), "{en}");
        }
        other => panic!("a value outranked from its first day must be refused: {other:?}"),
    }
    for area in [Area::Urban, Area::Rural] {
        let per_area = ParameterRecord { area: Some(area), ..unified.clone() };
        use_case::set_parameter(w.store.as_ref(), &w.engine, &caller(&city).cx(), per_area).await.expect("per area");
    }
    let records = w.store.parameter_records().await.expect("records");
    for area in [Area::Urban, Area::Rural] {
        let v = minzheng_policy::params::in_force(&records, "dibao_standard", "210112", area, unified.effective_from).map(|r| r.value);
        assert_eq!(v, Some(90_000), "{area:?}");
    }
    let elder = w
        .city
        .persons
        .iter()
        .find(|p| {
            p.status == minzheng_domain::PersonStatus::Alive
                && (80..90).contains(&p.id_number.age_on(day("2027-01-01")))
                && p.id_number.age_on(day("2026-12-31")) >= 80
        })
        .expect("an elder in their eighties");
    let no = elder.household_no.clone().expect("household");
    // Checked by the household's county approver, who sees person units in full.
    let community = w.city.households.iter().find(|h| h.household_no == no).map(|h| h.community.clone()).expect("household");
    let approver = who(Role::CountyApprover, &community.as_str()[..6]);
    let check = |on: &'static str| {
        let (store, engine, approver, no) = (w.store.clone(), w.engine.clone(), approver.clone(), no.clone());
        async move { use_case::check(store.as_ref(), &engine, &caller(&approver).cx(), &no, day(on)).await.expect("check") }
    };
    let amount = |c: &minzheng_policy::explain::Check| {
        c.programs
            .iter()
            .find(|p| p.code == "gaoling")
            .and_then(|p| p.units.iter().find(|u| u.unit == elder.id_number.to_string()))
            .map(|u| u.amount)
    };
    // The city administrator sees the same check with person units masked.
    let by_city = use_case::check(w.store.as_ref(), &w.engine, &caller(&city).cx(), &no, day("2026-12-31")).await.expect("check");
    let units: Vec<&str> = by_city.programs.iter().flat_map(|p| p.units.iter().map(|u| u.unit.as_str())).collect();
    assert!(units.contains(&elder.id_number.masked().as_str()) && !units.contains(&elder.id_number.as_str()), "{units:?}");
    // Each person unit is explained under its member's name (masked for the city's view).
    let unit_name = |c: &minzheng_policy::explain::Check, unit: &str| {
        c.programs.iter().flat_map(|p| p.units.iter()).find(|u| u.unit == unit).and_then(|u| u.name.clone())
    };
    assert_eq!(unit_name(&check("2026-12-31").await, elder.id_number.as_str()), Some(elder.name.clone()));
    let masked = unit_name(&by_city, &elder.id_number.masked()).unwrap_or_default();
    assert!(masked.ends_with('*') && masked.starts_with(elder.name.chars().next().unwrap_or('?')), "{masked}");
    let before = amount(&check("2026-12-31").await);
    let after = amount(&check("2027-01-01").await);
    assert!(before == Some(2500) || before == Some(10000), "{before:?}");
    if before == Some(2500) {
        assert_eq!(after, Some(5000));
    }
}

/// A database in use before a release that ships new parameters (a new sub-platform's) gets
/// their shipped values on its next start; a parameter it already has keeps its history.
#[tokio::test]
async fn parameters_new_in_a_release_reach_a_database_in_use_and_changed_ones_stay() {
    let dir = std::env::temp_dir().join(format!("minzheng-params-upgrade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = minzheng_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await.expect("store");
    let engine = Engine::new(PolicySet::shenyang(), 2).await.expect("engine");
    let set_locally = minzheng_domain::parameter::ParameterRecord {
        name: "dibao_standard".into(),
        region: "2101".into(),
        area: None,
        effective_from: day("2020-01-01"),
        value: 70_000,
        reason: "本地设定".into(),
        recorded_by: "city".into(),
        recorded_at: chrono::Utc::now(),
        seq: 0,
    };
    store.add_parameter_records(&[set_locally], &Actor::new("city")).await.expect("record");
    let added = use_case::ensure_parameters(store.as_ref(), &engine, &Actor::system()).await.expect("params");
    assert!(added > 10, "the other parameters arrive: {added}");
    let records = store.parameter_records().await.expect("records");
    assert_eq!(records.iter().filter(|r| r.name == "dibao_standard").count(), 1, "its history is left as it is");
    assert!(records.iter().any(|r| r.name == "homecare_hour_fen") && records.iter().any(|r| r.name == "funeral_cremation_fen"));
    assert_eq!(use_case::ensure_parameters(store.as_ref(), &engine, &Actor::system()).await.expect("params"), 0);
    let _ = std::fs::remove_dir_all(dir);
}

/// 《特困人员认定办法》第十条 and the 低保/特困 exclusion on the store's records: the enrolments
/// of the roster reach the rules, and a supporter living elsewhere that the home survey records
/// through the household page's use case changes the decision from its date (audited).
#[tokio::test]
async fn enrolments_and_supporters_recorded_by_the_survey_reach_the_rules() {
    let w = world("supporters").await;
    minzheng_app::economy::import_dir(&w.store, &w.dir, day(AS_OF), &Actor::new("verify.centre")).await.expect("economy");
    minzheng_app::enrolment::import_roster(w.store.as_ref(), &w.engine, &w.dir.join("enrolments.csv"), &Actor::new("city.centre"))
        .await
        .expect("roster");
    use_case::ensure_parameters(w.store.as_ref(), &w.engine, &Actor::system()).await.expect("params");
    // A household whose members are all on 特困 by the roster: its 低保 is excluded, by enrolment.
    let enrolments = w.store.scan_enrolments(&code("2101"), 0, 10_000).await.expect("enrolments");
    let tekun = enrolments
        .iter()
        .find(|e| e.program == "tekun" && e.is_active() && e.members.len() == 1)
        .expect("the roster has 特困 persons living alone");
    let household = w.store.household(&tekun.household_no).await.expect("read").expect("household");
    let worker = who(Role::CommunityWorker, household.community.as_str());
    let check = use_case::check(w.store.as_ref(), &w.engine, &caller(&worker).cx(), &household.household_no, day(ON)).await.expect("check");
    let dibao = check.programs.iter().find(|p| p.code == "dibao").expect("dibao");
    let step = dibao.units.iter().flat_map(|u| u.steps.iter()).find(|s| s.name == "tekun").expect("exclusion step");
    assert!(!step.met, "the member supported as 特困 receives no 低保: {}", step.zh);
    assert!(!dibao.eligible());
    assert!(step.zh.starts_with("并非全部成员已纳入特困"), "{}", step.zh);
    // A lone elder the rules find without any supporter, until the survey records a son
    // elsewhere able to support.
    let mut candidate = None;
    for h in &w.city.households {
        let c = use_case::check(
            w.store.as_ref(),
            &w.engine,
            &minzheng_app::RequestContext::new(&who(Role::CommunityWorker, h.community.as_str()), &Actor::new("t"), day(ON)),
            &h.household_no,
            day(ON),
        )
        .await;
        let Ok(c) = c else { continue };
        let unit = c.programs.iter().find(|p| p.code == "tekun").and_then(|p| p.units.iter().find(|u| u.eligible).cloned());
        if let Some(u) = unit {
            candidate = Some((h.clone(), u.unit.clone()));
            break;
        }
    }
    let (h, id) = candidate.expect("someone qualifies for 特困");
    let worker = who(Role::CommunityWorker, h.community.as_str());
    let members = w.store.household_members(&h.household_no).await.expect("members");
    let person = members.iter().find(|p| p.id_number.as_str() == id || p.id_number.masked() == id).expect("the member");
    let index = members.iter().position(|p| p.id_number == person.id_number).expect("index");
    // The city administrator does not record survey findings, nor another community's worker;
    // the community's case worker does.
    let admin = who(Role::CityAdmin, "2101");
    let shown = members[index].name.clone();
    let refused = minzheng_app::registry::record_member_supporters_elsewhere(
        w.store.as_ref(),
        &caller(&admin).cx(),
        &h.household_no,
        index,
        &shown,
        1,
        day(ON),
        "入户调查",
    )
    .await;
    assert!(matches!(refused, Err(minzheng_app::registry::AccessError::Forbidden)));
    let elsewhere = w.city.households.iter().find(|o| o.community != h.community).expect("another community");
    let stranger = who(Role::CommunityWorker, elsewhere.community.as_str());
    let refused = minzheng_app::registry::record_member_supporters_elsewhere(
        w.store.as_ref(),
        &caller(&stranger).cx(),
        &h.household_no,
        index,
        &shown,
        1,
        day(ON),
        "入户调查",
    )
    .await;
    assert!(matches!(refused, Err(minzheng_app::registry::AccessError::OutOfScope)));
    let recorded = minzheng_app::registry::record_member_supporters_elsewhere(
        w.store.as_ref(),
        &caller(&worker).cx(),
        &h.household_no,
        index,
        &shown,
        1,
        day(ON),
        "入户调查：儿子在大连工作，有赡养能力",
    )
    .await
    .expect("recorded");
    assert_eq!(recorded, minzheng_app::registry::SurveyRecorded::Held);
    let after = use_case::check(w.store.as_ref(), &w.engine, &caller(&worker).cx(), &h.household_no, day(ON)).await.expect("check");
    let unit = after.programs.iter().find(|p| p.code == "tekun").and_then(|p| p.units.iter().find(|u| u.unit == id)).expect("considered");
    assert!(!unit.eligible, "a supporter elsewhere able to support");
    let step = unit.steps.iter().find(|s| s.name == "no_able_supporter").expect("step");
    assert!(!step.met);
    // A check of a day before the survey's date does not know it yet.
    let before =
        use_case::check(w.store.as_ref(), &w.engine, &caller(&worker).cx(), &h.household_no, day("2026-07-31")).await.expect("check");
    assert!(before.programs.iter().find(|p| p.code == "tekun").is_some_and(|p| p.units.iter().any(|u| u.unit == id && u.eligible)));
    let audit = w.store.audit_of("person", person.id_number.as_str()).await.expect("audit");
    assert!(audit.iter().any(|r| r.action == "fact" && r.actor == worker.name), "{audit:?}");
}

/// A household's vehicles are judged by type and value, and the explanation names them: the
/// plate, type and value from the traffic police's file, beside the highest value and the limit.
#[tokio::test]
async fn a_check_names_the_vehicles_it_judged() {
    let w = world("vehicles").await;
    minzheng_app::economy::import_dir(&w.store, &w.dir, day(AS_OF), &Actor::new("verify.centre")).await.expect("economy");
    use_case::ensure_parameters(w.store.as_ref(), &w.engine, &Actor::system()).await.expect("params");
    let table = w.city.datasets.iter().find(|t| t.name == "vehicles").expect("vehicles");
    let col = |h: &str| table.headers.iter().position(|x| *x == h).expect(h);
    let (id_col, plate_col, value_col) = (col("身份证号"), col("号牌号码"), col("车辆价值"));
    // A household with exactly one vehicle in the file, of a registered living member.
    let household_of = |id: &str| w.city.persons.iter().find(|p| p.id_number.as_str() == id).and_then(|p| p.household_no.clone());
    let mut per_household: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for r in &table.rows {
        if let Some(h) = household_of(&r[id_col]) {
            *per_household.entry(h).or_default() += 1;
        }
    }
    let (owner, plate, value) = table
        .rows
        .iter()
        .find_map(|r| {
            let p =
                w.city.persons.iter().find(|p| p.id_number.as_str() == r[id_col] && p.status == minzheng_domain::PersonStatus::Alive)?;
            (per_household.get(p.household_no.as_deref()?) == Some(&1)).then(|| (p.clone(), r[plate_col].clone(), r[value_col].clone()))
        })
        .expect("a registered person with the household's only car");
    let no = owner.household_no.clone().expect("household");
    let community = w.city.households.iter().find(|h| h.household_no == no).expect("household").community.clone();
    let worker = who(Role::CommunityWorker, community.as_str());
    let check = use_case::check(w.store.as_ref(), &w.engine, &caller(&worker).cx(), &no, day(ON)).await.expect("check");
    let step = check
        .programs
        .iter()
        .filter(|p| p.code == "dibao")
        .flat_map(|p| p.units.iter().flat_map(|u| u.steps.iter()))
        .find(|s| s.name == "no_vehicle")
        .expect("the vehicle rule");
    let named = step.features.iter().find(|f| f.name == "vehicle_records").map(|f| f.value.clone()).unwrap_or_default();
    assert!(named.contains(&format!("号牌号码 {plate}")) && named.contains(&format!("车辆价值 {value}")), "{named}");
    let highest = step.features.iter().find(|f| f.name == "hh_car_max_value").map(|f| f.value.clone()).unwrap_or_default();
    assert_eq!(highest.parse::<i64>().expect("fen"), value.parse::<i64>().expect("yuan") * 100, "the one car's value");
    // One car over the example limit of 30,000 yuan fails the rule, unless a severely disabled
    // member needs it.
    let over = value.parse::<i64>().expect("yuan") > 30_000;
    let severe = step.features.iter().find(|f| f.name == "severe_disabled").is_some_and(|f| f.value != "0");
    let cars = step.features.iter().find(|f| f.name == "hh_cars").map(|f| f.value.clone()).unwrap_or_default();
    assert_eq!(!step.met, over && !(severe && cars == "1"), "{named} {:?}", step.features);
}
