//! 低收入人口动态监测 as a county, its street and a community use it: the funeral service's file
//! says the husband of a 低保 household died; the warning goes to the grid worker of the
//! household's grid, once however often the file or the rules run; the grid worker visits,
//! refers the widow to medical assistance and reports back. A large hospital bill, a new
//! disability rating, an unemployment registration and a row naming nobody come in other files:
//! each rule raises what it should, the unknown row is counted. A warning nobody visits goes past
//! its limit and the street escalates it, once. The nightly run over the county keeps the
//! monitored population. A grid worker of another community cannot touch the warning. On each
//! database, then in the pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::*;
use minzheng_app::RequestContext;
use minzheng_domain::{
    EnrolledMember, Enrolment, EnrolmentStatus, Fen, Household, HouseholdKind, IdNumber, Person, PersonStatus, Principal, RegionCode,
    RegionLevel, Relation, Role, Sex,
};
use minzheng_server::monitoring::model::{Outcome, Step, WarningError, WarningStatus};
use minzheng_server::monitoring::service::{self, MonitoringFailure};
use minzheng_server::monitoring::store::{monitoring_store, Queue};
use minzheng_store::{Actor, RegistryBatch, Store};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[allow(clippy::too_many_arguments)]
fn person(
    county: u32,
    birth: &str,
    serial: u16,
    sex: Sex,
    name: &str,
    household: &str,
    relation: Relation,
    community: &RegionCode,
) -> Person {
    let birth = day(birth);
    Person {
        id_number: IdNumber::from_parts(county, birth, serial, sex),
        name: name.into(),
        sex,
        birth_date: birth,
        hukou_region: community.clone(),
        household_no: Some(household.into()),
        relation,
        status: PersonStatus::Alive,
        disability: None,
        phone: None,
        tags: vec![],
    }
}

fn household(no: &str, community: &RegionCode, head: &Person) -> Household {
    Household {
        household_no: no.into(),
        head: Some(head.id_number),
        address: "浑南路1号".into(),
        community: community.clone(),
        grid: Some("第一网格".into()),
        building: Some("1号楼".into()),
        kind: HouseholdKind::Urban,
    }
}

/// Stores a departmental file of `source` through the import's own path; returns its rows as
/// stored.
async fn file(store: &dyn Store, source: &str, rows: Vec<Vec<String>>, on: NaiveDate) -> Vec<minzheng_domain::economy::DeptRecord> {
    let src = minzheng_app::economy::catalogue().get(source).expect("source").clone();
    let headers: Vec<String> = src.headers.clone();
    let numbered: Vec<(usize, Vec<String>)> = rows.into_iter().enumerate().map(|(i, r)| (i + 2, r)).collect();
    let checksum = format!("{source}-{}", numbered.len()).repeat(4);
    let r = minzheng_app::economy::ingest(
        store,
        minzheng_app::economy::DeptFile {
            source: &src,
            file_name: &format!("{source}.csv"),
            checksum: &checksum,
            headers: &headers,
            rows: &numbered,
        },
        on,
        &Actor::new("test"),
    )
    .await
    .expect("ingest");
    assert!(r.stored, "{source} stored");
    r.records
}

#[tokio::test]
async fn warnings_become_tasks_handled_to_an_outcome_on_each_database() {
    let (dir, stores) = each_database("monitoring").await;
    let engine = minzheng_policy::Engine::new(minzheng_policy::PolicySet::shenyang(), 1).await.expect("engine");
    for (store, pg) in stores {
        let backend = store.backend();
        minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
        minzheng_server::module::migrate_modules(store.as_ref()).await.expect("migrations");
        minzheng_app::cases::ensure_calendar(store.as_ref(), &Actor::system()).await.expect("calendar");
        let s = store.as_ref();
        let communities: Vec<RegionCode> = minzheng_app::regions::liaoning()
            .iter()
            .filter(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("210112"))
            .map(|r| r.code.clone())
            .take(2)
            .collect();
        let (community, neighbour) = (communities[0].clone(), communities[1].clone());
        let street = community.parent().expect("street");
        let county = community.ancestor(RegionLevel::County).expect("county");
        let c: u32 = county.as_str().parse().expect("county");
        // 王家: a 低保 couple; the husband dies. 李家: a son out of work, the mother in hospital.
        let wang = person(c, "1950-03-01", 11, Sex::Male, "王建国", "JC0001", Relation::Head, &community);
        let wang_wife = person(c, "1952-06-01", 12, Sex::Female, "刘桂兰", "JC0001", Relation::Spouse, &community);
        let li_mother = person(c, "1960-01-15", 21, Sex::Female, "李秀英", "JC0002", Relation::Head, &community);
        let li_son = person(c, "1990-09-09", 22, Sex::Male, "李强", "JC0002", Relation::Child, &community);
        // 赵: turned 80 a week ago. 孙: rated disabled a month ago.
        let zhao = person(c, "1946-11-30", 31, Sex::Male, "赵德明", "JC0003", Relation::Head, &community);
        let sun = person(c, "1985-04-04", 41, Sex::Male, "孙海", "JC0004", Relation::Head, &community);
        let persons = vec![wang.clone(), wang_wife.clone(), li_mother.clone(), li_son.clone(), zhao.clone(), sun.clone()];
        let households = vec![
            household("JC0001", &community, &wang),
            household("JC0002", &community, &li_mother),
            household("JC0003", &community, &zhao),
            household("JC0004", &community, &sun),
        ];
        s.apply_batch(&RegistryBatch { households, persons, source: "test".into(), checksum: String::new() }, &Actor::system(), &|_| {})
            .await
            .expect("registry");
        let dibao = Enrolment {
            id: 0,
            program: "dibao".into(),
            household_no: "JC0001".into(),
            county: county.clone(),
            members: vec![
                EnrolledMember::new(wang.id_number, wang.name.clone(), None),
                EnrolledMember::new(wang_wife.id_number, wang_wife.name.clone(), None),
            ],
            monthly_amount: Fen(160_000),
            start: day("2026-01-01"),
            status: EnrolmentStatus::Active,
            end: None,
        };
        s.upsert_enrolments(&[dibao], "test roster", &Actor::new("test")).await.expect("enrolment");
        // The grid's worker.
        let grid_worker = Principal { name: "gw_wang".into(), role: Role::GridWorker, region: community.clone() };
        minzheng_server::grid::base::grid_base_store(s)
            .assign(
                &minzheng_server::grid::base::Assignment {
                    community: community.to_string(),
                    grid: "第一网格".into(),
                    account: grid_worker.name.clone(),
                    assigned_by: "test".into(),
                    assigned_on: day("2026-11-01"),
                },
                &Actor::new("test"),
            )
            .await
            .expect("assign");
        let county_desk = Principal { name: "county".into(), role: Role::CountyApprover, region: county.clone() };
        let street_desk = Principal { name: "street".into(), role: Role::StreetReviewer, region: street.clone() };
        let actor = |p: &Principal| Actor::new(p.name.clone());
        let today = day("2026-12-07");

        // The funeral service's file: 王建国 died on 1 December; one row names nobody.
        let nobody = IdNumber::from_parts(c, day("1940-01-01"), 99, Sex::Male);
        let deaths = file(
            s,
            "deaths",
            vec![
                vec![wang.id_number.to_string(), wang.name.clone(), "2026-12-01".into(), "殡葬火化".into()],
                vec![nobody.to_string(), "查无此人".into(), "2026-12-02".into(), "殡葬火化".into()],
            ],
            today,
        )
        .await;
        let r = service::run_records(s, &engine, &RequestContext::new(&county_desk, &actor(&county_desk), today), &deaths, today)
            .await
            .expect("run");
        assert_eq!(r.run.unknown, 1, "{backend:?}: the row naming nobody is counted");
        assert!(r.by_rule.contains(&("death_in_household".to_string(), 1)), "{backend:?}: one warning for the household: {:?}", r.by_rule);
        // The rules that need no file run for the household too: its yearly review is due on 1 January.
        assert!(r.by_rule.contains(&("review_due".to_string(), 1)), "{backend:?}: {:?}", r.by_rule);
        let m = monitoring_store(s);
        let open = m.queue(&community, Queue::Open, None, 0, 50).await.expect("queue");
        let death = open.iter().find(|w| w.rule == "death_in_household").expect("the death warning").clone();
        assert_eq!(death.household_no, "JC0001");
        assert_eq!(death.assignee, grid_worker.name, "{backend:?}: the grid's worker has it");
        assert_eq!(death.grid, "第一网格");
        assert!(death.detail.contains("2026-12-01"), "{backend:?}: the explanation says the date: {}", death.detail);
        assert!(death.due_on > today, "a time limit in working days");
        // The same file again, and the rules again: nothing twice.
        let again = service::run_records(s, &engine, &RequestContext::new(&county_desk, &actor(&county_desk), today), &deaths, today)
            .await
            .expect("run");
        assert_eq!(again.run.raised, 0, "{backend:?}: a warning already raised is not raised twice");
        assert!(again.run.hits >= 1, "the rule still finds it");

        // The other departments' files.
        let medical = file(
            s,
            "medical",
            vec![vec![
                li_mother.id_number.to_string(),
                li_mother.name.clone(),
                "2026-11-20".into(),
                "120000.00".into(),
                "48000.00".into(),
                "辽宁省人民医院".into(),
            ]],
            today,
        )
        .await;
        let unemployed = file(
            s,
            "unemployment",
            vec![vec![li_son.id_number.to_string(), li_son.name.clone(), "2026-11-25".into(), "浑南区就业服务中心".into()]],
            today,
        )
        .await;
        let rated = file(
            s,
            "disability",
            vec![vec![sun.id_number.to_string(), sun.name.clone(), "肢体".into(), "二级".into(), "2026-11-05".into()]],
            today,
        )
        .await;
        let mut all = medical.clone();
        all.extend(unemployed);
        all.extend(rated);
        let r = service::run_records(s, &engine, &RequestContext::new(&county_desk, &actor(&county_desk), today), &all, today)
            .await
            .expect("run");
        let rules: Vec<&str> = r.by_rule.iter().map(|(r, _)| r.as_str()).collect();
        assert!(rules.contains(&"medical_burden"), "{backend:?}: 48,000 out of pocket against no income: {rules:?}");
        assert!(rules.contains(&"unemployed"), "{backend:?}: out of work in a household below the line: {rules:?}");
        assert!(rules.contains(&"new_disability"), "{backend:?}: rated a month ago: {rules:?}");
        assert!(!rules.contains(&"death_in_household"), "{backend:?}: raised before");

        // The nightly run over the county: 赵 turned 80 a week ago; the population is kept.
        let nightly = service::run_region(
            s,
            &engine,
            &minzheng_app::RequestContext::new(&county_desk, &actor(&county_desk), minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            today,
        )
        .await
        .expect("nightly");
        assert!(nightly.by_rule.iter().any(|(r, _)| r == "age_milestone"), "{backend:?}: {:?}", nightly.by_rule);
        assert!(nightly.population.is_some_and(|(added, _)| added >= 1), "{backend:?}: {:?}", nightly.population);
        let (_, population, _) = service::population(s, &county_desk, Some(&county)).await.expect("population");
        assert!(population.iter().any(|p| p.key == "dibao" && p.count >= 1), "{backend:?}: the widow is in 低保: {population:?}");
        let again = service::run_region(
            s,
            &engine,
            &minzheng_app::RequestContext::new(&county_desk, &actor(&county_desk), minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            today,
        )
        .await
        .expect("nightly");
        assert_eq!(again.run.raised, 0, "{backend:?}: the second night raises nothing new");
        assert_eq!(again.population, Some((0, 0)), "{backend:?}: nor changes the population");

        // The grid worker visits, refers the widow to medical assistance, reports back.
        let gw = actor(&grid_worker);
        let e = service::act(
            s,
            &engine,
            &RequestContext::new(&grid_worker, &gw, today),
            death.id,
            Step::Handle { outcome: Outcome::NoNeed, target: String::new(), note: "不需要".into() },
            None,
        )
        .await;
        assert!(matches!(e, Err(MonitoringFailure::Invalid(WarningError::Order { .. }))), "{backend:?}: decided before a visit: {e:?}");
        let w = service::act(
            s,
            &engine,
            &RequestContext::new(&grid_worker, &gw, today),
            death.id,
            Step::Visit { findings: "户主已去世，配偶独居，有慢性病".into() },
            Some(WarningStatus::Open),
        )
        .await
        .expect("visit");
        assert_eq!(w.status, WarningStatus::Visited);
        let stale = service::act(
            s,
            &engine,
            &RequestContext::new(&grid_worker, &gw, today),
            death.id,
            Step::Visit { findings: "再次入户".into() },
            Some(WarningStatus::Open),
        )
        .await;
        assert!(matches!(stale, Err(MonitoringFailure::Changed)), "{backend:?}: a page that saw it open is refused");
        let other = Principal { name: "gw_other".into(), role: Role::GridWorker, region: neighbour.clone() };
        let refused = service::act(
            s,
            &engine,
            &RequestContext::new(&other, &actor(&other), today),
            death.id,
            Step::Visit { findings: "越界入户核实".into() },
            None,
        )
        .await;
        assert!(matches!(refused, Err(MonitoringFailure::Access(_))), "{backend:?}: another community's grid worker: {refused:?}");
        let w = service::act(
            s,
            &engine,
            &RequestContext::new(&grid_worker, &gw, today),
            death.id,
            Step::Handle { outcome: Outcome::Referred, target: "medical".into(), note: "申请医疗救助".into() },
            Some(WarningStatus::Visited),
        )
        .await
        .expect("handle");
        assert_eq!((w.status, w.outcome, w.target.as_str()), (WarningStatus::Handled, Some(Outcome::Referred), "medical"));
        let w = service::act(
            s,
            &engine,
            &RequestContext::new(&grid_worker, &gw, day("2026-12-08")),
            death.id,
            Step::Report { note: "医保部门已受理".into() },
            None,
        )
        .await
        .expect("report");
        assert_eq!(w.status, WarningStatus::Closed);
        let steps = m.steps(death.id).await.expect("steps");
        assert_eq!(steps.iter().map(|s| s.step.as_str()).collect::<Vec<_>>(), vec!["visit", "handle", "report"]);
        let log = s.audit_of("warning", &death.id.to_string()).await.expect("audit");
        assert_eq!(log.len(), 3, "{backend:?}: each step audited");

        // Nobody visits the medical warning: past its limit the street escalates it, once.
        let late = day("2027-01-15");
        let n = service::escalate_overdue(s, &engine, &minzheng_app::RequestContext::new(&street_desk, &actor(&street_desk), late), None)
            .await
            .expect("escalate");
        assert!(n >= 1, "{backend:?}: overdue warnings escalated");
        let again =
            service::escalate_overdue(s, &engine, &minzheng_app::RequestContext::new(&street_desk, &actor(&street_desk), late), None)
                .await
                .expect("escalate");
        assert_eq!(again, 0, "{backend:?}: nothing twice");
        let escalated = m.queue(&street, Queue::Escalated, None, 0, 50).await.expect("queue");
        assert!(escalated.iter().any(|w| w.rule == "medical_burden"), "{backend:?}: on the street's list");
        let counts = m.counts(&street, None, late).await.expect("counts");
        assert_eq!(counts.escalated as usize, escalated.len());
        assert!(counts.overdue >= counts.escalated);
        // The household's chain.
        let chain = service::of_household(s, &street_desk, "JC0001", community.as_str()).await.expect("chain");
        assert!(chain.iter().any(|w| w.rule == "death_in_household" && w.status == WarningStatus::Closed), "{backend:?}: {chain:?}");
        let refused = service::of_household(s, &other, "JC0001", community.as_str()).await;
        assert!(matches!(refused, Err(MonitoringFailure::Access(_))), "{backend:?}: not another community's");
        drop(store);
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A rule file with a mistake is refused at start with the file, the line and the reason.
#[tokio::test]
async fn a_rule_file_with_a_mistake_is_refused_with_its_line() {
    let shipped = minzheng_policy::defs::SHENYANG;
    let with = |warnings: &str| {
        shipped
            .iter()
            .map(|(f, t)| (f.to_string(), if *f == "warnings.toml" { warnings.to_string() } else { t.to_string() }))
            .collect::<Vec<_>>()
    };
    let rule = |condition: &str, basis: &str, occurrence: &str| {
        format!(
            "\n[[rule]]\ncode = \"x\"\nzh = \"x\"\nen = \"x\"\nseverity = \"low\"\nbasis = \"{basis}\"\nresponder = \"grid\"\ndays = 5\nunit = \"person\"\ncondition = \"{condition}\"\noccurrence = \"{occurrence}\"\naction = \"x\"\n"
        )
    };
    let unknown =
        minzheng_policy::PolicySet::from_files("2101", with(&rule("hospital_bill > 0", "《办法》", "age"))).expect_err("unknown feature");
    assert_eq!((unknown.file.as_str(), unknown.line), ("warnings.toml", 11), "{unknown}");
    assert!(unknown.reason.contains("hospital_bill"), "{unknown}");
    let no_basis = minzheng_policy::PolicySet::from_files("2101", with(&rule("age > 60", " ", "age"))).expect_err("no basis");
    assert!(no_basis.reason.contains("basis"), "{no_basis}");
    let missing = minzheng_policy::PolicySet::from_files("2101", with("[[rule]]\ncode = \"x\"\n")).expect_err("fields missing");
    assert_eq!(missing.file, "warnings.toml");
    let set = minzheng_policy::PolicySet::from_files("2101", with(&rule("age + 1", "《办法》", "age"))).expect("names are known");
    let not_boolean = minzheng_policy::Engine::new(set, 1).await.expect_err("not a condition");
    assert!(not_boolean.reason.contains("not a condition"), "{not_boolean}");
    assert_eq!(not_boolean.line, 11, "{not_boolean}");
    let set = minzheng_policy::PolicySet::from_files("2101", with(&rule("age > 60", "《办法》", "age > 1"))).expect("names are known");
    let not_number = minzheng_policy::Engine::new(set, 1).await.expect_err("not a number");
    assert!(not_number.reason.contains("whole number"), "{not_number}");
}

/// The pages: the grid worker finds the warning on the home page and in the queue, visits and
/// decides from its page (a decision without a reason comes back with what was typed); the
/// household page shows its chain.
#[tokio::test]
async fn the_grid_worker_handles_a_warning_from_its_page() {
    let f = fixture("monitoring-pages").await;
    let gw = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let home = get(&f.app, "/", Some(&gw.cookie)).await;
    assert!(home.body.contains("待处置预警"), "the work line: {}", home.body);
    let queue = get(&f.app, &format!("/monitoring?region={}", f.inside.community), Some(&gw.cookie)).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("在保家庭成员死亡"), "the rule by name, not its code");
    let page = get(&f.app, &format!("/monitoring/warnings/{}", f.inside_warning), Some(&gw.cookie)).await;
    assert!(page.body.contains("入户核实") && page.body.contains("《社会救助暂行办法》第十三条"), "{}", page.body);
    let form = |pairs: &[(&str, &str)]| Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")));
    let uri = format!("/monitoring/warnings/{}/act", f.inside_warning);
    let r = send(
        &f.app,
        Method::POST,
        &uri,
        Some(&gw.cookie),
        &[],
        form(&[("csrf", &gw.csrf), ("action", "visit"), ("findings", "入户，家中无人应答后电话联系上配偶"), ("seen_status", "open")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(
        &f.app,
        Method::POST,
        &uri,
        Some(&gw.cookie),
        &[],
        form(&[("csrf", &gw.csrf), ("action", "handle"), ("outcome", "no_need"), ("note", "无"), ("seen_status", "visited")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("请填写理由"), "the reason asked for: {}", r.body);
    assert!(r.body.contains(r#"value="无""#), "what was typed is kept");
    let r = send(
        &f.app,
        Method::POST,
        &uri,
        Some(&gw.cookie),
        &[],
        form(&[
            ("csrf", &gw.csrf),
            ("action", "handle"),
            ("outcome", "no_need"),
            ("note", "子女已接回同住，收入稳定"),
            ("seen_status", "visited"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&f.app, &format!("/monitoring/warnings/{}", f.inside_warning), Some(&gw.cookie)).await;
    assert!(page.body.contains("无需救助") && page.body.contains("子女已接回同住"), "{}", page.body);
    let household = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&gw.cookie)).await;
    assert!(
        household.body.contains("在保家庭成员死亡") && household.body.contains("已处置待反馈"),
        "the household's chain: {}",
        household.body
    );
    let outside = get(&f.app, &format!("/monitoring/warnings/{}", f.outside_warning), Some(&gw.cookie)).await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
}
