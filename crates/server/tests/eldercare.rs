//! 养老服务 as a county and its communities use it: an institution files (an incomplete filing is
//! told everything missing at once), a 特困 elder is assessed, the assessment sets the care
//! allowance the rules compute and opens the 特困 change case in the community's queue, the
//! elder moves into the institution in concentrated support, and the county's indicators count
//! all of it; the module's tables on each database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::*;
use minzheng_domain::{
    EnrolledMember, Enrolment, EnrolmentStatus, Fen, Household, HouseholdKind, IdNumber, Person, PersonStatus, RegionLevel, Relation, Role,
    Sex,
};
use minzheng_server::eldercare::assessment::ITEMS;
use minzheng_store::{Actor, RegistryBatch};

fn pairs<'a>(t: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    t.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

/// An elder living alone in the community: born 1948, no income.
async fn elder(f: &Fixture, serial: u16, name: &str) -> Person {
    let birth = NaiveDate::from_ymd_opt(1948, 3, 3).expect("date");
    let county: u32 = f.inside.community.as_str()[..6].parse().expect("county");
    let p = Person {
        id_number: IdNumber::from_parts(county, birth, serial, Sex::Female),
        name: name.into(),
        sex: Sex::Female,
        birth_date: birth,
        hukou_region: f.inside.community.clone(),
        household_no: Some(format!("EC{serial:04}")),
        relation: Relation::Head,
        status: PersonStatus::Alive,
        disability: None,
        phone: None,
        tags: vec![],
    };
    let h = Household {
        household_no: format!("EC{serial:04}"),
        head: Some(p.id_number),
        address: "浑南区养老路1号".into(),
        community: f.inside.community.clone(),
        grid: None,
        building: None,
        kind: HouseholdKind::Urban,
    };
    let batch = RegistryBatch { households: vec![h], persons: vec![p.clone()], source: "test".into(), checksum: String::new() };
    f.store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    p
}

/// Supports a person as 特困 from July.
async fn tekun(f: &Fixture, p: &Person) {
    let county = f.inside.community.ancestor(RegionLevel::County).expect("county");
    let e = Enrolment {
        id: 0,
        program: "tekun".into(),
        household_no: p.household_no.clone().expect("household"),
        county,
        members: vec![EnrolledMember::new(p.id_number, p.name.clone(), None)],
        monthly_amount: Fen(135_400),
        start: NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"),
        status: EnrolmentStatus::Active,
        end: None,
    };
    f.store.upsert_enrolments(&[e], "roster", &Actor::new("test")).await.expect("enrolment");
}

/// The amount the rules give a household's 特困 program on a date, in fen.
async fn tekun_amount(f: &Fixture, s: &Signed, household: &str) -> i64 {
    let r = get(&f.app, &format!("/api/households/{household}/check"), Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    let programs = j["programs"].as_array().unwrap_or_else(|| panic!("programs in {j}"));
    let t = programs.iter().find(|p| p["code"] == "tekun").unwrap_or_else(|| panic!("特困 in {j}"));
    t["units"].as_array().unwrap_or_else(|| panic!("units in {t}")).iter().filter_map(|u| u["amount"].as_i64()).sum()
}

/// Scores a person who cannot eat, dress, get out of bed, use the toilet or walk unaided
/// (five of the six activities), climb stairs or go out by herself, and is otherwise well:
/// total 63, moderately impaired.
fn dependent_scores() -> Vec<u8> {
    let mut s: Vec<u8> = ITEMS.iter().map(|i| i.max()).collect();
    for i in [0, 3, 4, 7, 8, 9, 10] {
        s[i] = 1;
    }
    s[11] = 0;
    s[24] = 0;
    s
}

#[tokio::test]
async fn a_filing_an_assessment_and_an_admission_take_effect_on_the_allowance_the_queue_and_the_indicators() {
    let f = fixture("eldercare").await;
    let approver = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("approver");
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let county = f.inside.community.ancestor(RegionLevel::County).expect("county").to_string();
    let zhang = elder(&f, 910, "张桂兰").await;
    tekun(&f, &zhang).await;
    let household = zhang.household_no.clone().expect("household");

    // The county takes a filing: without a legal representative or pledge it is told both at
    // once, the form kept; complete, it gets its receipt.
    let mut filing = vec![
        ("csrf", approver.csrf.clone()),
        ("name", "浑南区颐养园".to_string()),
        ("region", county.clone()),
        ("address", "创新路100号".into()),
        ("legal_representative", "".into()),
        ("premises", "自有产权".into()),
        ("beds_total", "2".into()),
        ("beds_nursing", "1".into()),
        ("floor_area", "5600".into()),
        ("contact", "024-12345678".into()),
        ("registration", "52210112MJY123456X".into()),
        ("first_admission", "2026-07-01".into()),
        ("ownership", "private".into()),
    ];
    let r = send(&f.app, Method::POST, "/eldercare/institutions", Some(&approver.cookie), &[], form(&pairs(&filing))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("备案材料不齐全，请补正以下内容：法定代表人（主要负责人）、承诺书"), "{}", r.body);
    assert!(r.body.contains("value=\"浑南区颐养园\""), "the form as filing");
    filing[4].1 = "王敏".into();
    filing.push(("pledge", "on".into()));
    let r = send(&f.app, Method::POST, "/eldercare/institutions", Some(&approver.cookie), &[], form(&pairs(&filing))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    let page = get(&f.app, &at, Some(&approver.cookie)).await;
    // (The county's second filing of the year: the fixture filed one.)
    assert!(page.body.contains(&format!("养老备字〔{}〕{county}-0002", chrono::Utc::now().format("%Y"))), "{}", page.body);
    assert!(page.body.contains("逾期备案"), "filed months after the first admission: {}", page.body);
    let institution: i64 = at.rsplit('/').next().and_then(|s| s.parse().ok()).expect("id");

    // Before any assessment the rules take her as self-caring.
    let before = tekun_amount(&f, &worker, &household).await;

    // The community worker records her assessment; a score above an item's maximum is refused
    // naming the item, nothing stored.
    let csrf = [("x-csrf-token", worker.csrf.as_str())];
    let mut scores = dependent_scores();
    scores[11] = 4;
    let body = |scores: &[u8]| {
        Some((
            "application/json",
            serde_json::json!({
                "id_number": zhang.id_number.to_string(), "assessed_on": "2026-11-02", "reason": "first",
                "assessor": "李评估、赵评估", "organisation": "浑南区老年人能力评估中心", "scores": scores,
            })
            .to_string(),
        ))
    };
    let r = send(&f.app, Method::POST, "/api/eldercare/assessments", Some(&worker.cookie), &csrf, body(&scores)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().is_some_and(|m| m.contains("B.2.4“上下楼梯”评分4超出范围（0–3分）")), "{}", r.body);
    assert_eq!(tekun_amount(&f, &worker, &household).await, before, "nothing stored");

    // On the form: five activities she cannot do unaided → wholly unable to care for herself.
    let scores = dependent_scores();
    let mut typed: Vec<(String, String)> = vec![
        ("csrf".into(), worker.csrf.clone()),
        ("id_number".into(), zhang.id_number.to_string()),
        ("assessed_on".into(), "2026-11-02".into()),
        ("reason".into(), "first".into()),
        ("assessor".into(), "李评估、赵评估".into()),
        ("organisation".into(), "浑南区老年人能力评估中心".into()),
    ];
    for (n, s) in scores.iter().enumerate() {
        typed.push((format!("s{n}"), s.to_string()));
    }
    let body = serde_urlencoded::to_string(&typed).expect("form");
    let r =
        send(&f.app, Method::POST, "/eldercare/assessments", Some(&worker.cookie), &[], Some(("application/x-www-form-urlencoded", body)))
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    assert!(at.contains("?case="), "a change case was opened: {at}");
    let page = get(&f.app, &at, Some(&worker.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("中度失能") && page.body.contains("总分63/90"), "{}", page.body);
    assert!(page.body.contains("完全丧失生活自理能力") && page.body.contains("5项不能自理"), "{}", page.body);
    assert!(page.body.contains("已自动发起特困供养变更业务"), "{}", page.body);

    // The allowance the rules compute is now the full-care one; the case waits in the queue.
    let after = tekun_amount(&f, &worker, &household).await;
    let params = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/2101/parameters.toml")).expect("parameters");
    let value = |name: &str| -> i64 {
        let doc: toml::Table = toml::from_str(&params).expect("toml");
        let p = doc["parameter"].as_array().expect("parameters").iter().find(|p| p["name"].as_str() == Some(name)).expect(name).clone();
        p["values"].as_array().and_then(|v| v.last()).and_then(|v| v["value"].as_integer()).expect("value")
    };
    assert_eq!(after - before, value("tekun_care_full") - value("tekun_care_self"), "before {before}, after {after}");
    let case_id: i64 = at.rsplit("case=").next().and_then(|s| s.parse().ok()).expect("case");
    let case = get(&f.app, &format!("/api/cases/{case_id}"), Some(&worker.cookie)).await.json();
    assert_eq!(case["case"]["service"], "change_tekun", "{case}");
    assert!(case.to_string().contains("生活自理能力由“具备生活自理能力”变为“完全丧失生活自理能力”"), "{case}");

    // The same band again opens nothing more.
    let r = send(
        &f.app,
        Method::POST,
        "/api/eldercare/assessments",
        Some(&worker.cookie),
        &csrf,
        Some((
            "application/json",
            serde_json::json!({ "id_number": zhang.id_number.to_string(), "assessed_on": "2026-11-20", "reason": "immediate",
                "assessor": "李评估", "scores": scores, "risk_events": 2 })
            .to_string(),
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["change"], serde_json::Value::Null, "{}", r.body);
    assert_eq!(r.json()["assessment"]["outcome"]["level"], "severe", "two risk events: one level worse: {}", r.body);

    // She moves into the institution in concentrated support; someone not on 特困 cannot be
    // recorded so; a third admission finds the two beds taken.
    let admit = |id: String, concentrated: bool| {
        let mut p = vec![("csrf", approver.csrf.clone()), ("id_number", id), ("admitted_on", "2026-11-25".to_string())];
        if concentrated {
            p.push(("concentrated", "on".into()));
        }
        let app = f.app.clone();
        let cookie = approver.cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(&app, Method::POST, &format!("/eldercare/institutions/{institution}/admit"), Some(&cookie), &[], form(&pairs)).await
        }
    };
    let wang = elder(&f, 920, "王淑珍").await;
    let r = admit(wang.id_number.to_string(), true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?} {}", r.headers.get("location"), r.body);
    assert!(r.body.contains("王淑珍当前不在特困供养中，不能登记为集中供养"), "{}", r.body);
    assert_eq!(admit(zhang.id_number.to_string(), true).await.status, StatusCode::SEE_OTHER);
    let r = admit(zhang.id_number.to_string(), false).await;
    assert!(r.body.contains("张桂兰正入住浑南区颐养园，请先办理离院"), "{}", r.body);
    assert_eq!(admit(wang.id_number.to_string(), false).await.status, StatusCode::SEE_OTHER);
    // Her household page shows what elderly care knows of her.
    let page = get(&f.app, &format!("/households/{household}"), Some(&worker.cookie)).await;
    assert!(page.body.contains("重度失能") && page.body.contains("完全丧失生活自理能力"), "{}", page.body);
    assert!(page.body.contains("浑南区颐养园，2026-11-25入住（特困集中供养）"), "{}", page.body);
    let li = elder(&f, 930, "李秀英").await;
    assert!(admit(li.id_number.to_string(), false).await.body.contains("床位已满（共2张）"));

    // The county's indicators (with the fixture's home of 10 beds, 5 nursing-type, and its one
    // intact elder): 12 beds, 6 nursing-type, 2 residents; the one 特困 person is dependent and
    // in concentrated support.
    let r = get(&f.app, &format!("/api/eldercare/indicators?region={county}&date=2026-11-30"), Some(&approver.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.json();
    let c = rows.as_array().expect("rows").iter().find(|x| x["county"] == county.as_str()).expect("county").clone();
    assert_eq!((c["beds"]["total"].as_i64(), c["beds"]["nursing"].as_i64(), c["residents"].as_u64()), (Some(12), Some(6), Some(2)), "{c}");
    assert_eq!(
        (c["tekun"].as_u64(), c["tekun_dependent"].as_u64(), c["tekun_dependent_concentrated"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(
        (c["occupancy"].as_f64(), c["nursing_share"].as_f64(), c["concentrated_share"].as_f64()),
        (Some(2.0 / 12.0), Some(0.5), Some(1.0))
    );
    assert_eq!(c["assessed"], serde_json::json!([1, 0, 0, 1, 0]), "by each one's newest assessment: {c}");
    let elders = c["elders"].as_u64().expect("elders");
    assert!(c["beds_per_thousand"].as_f64().is_some_and(|x| (x - 12_000.0 / elders as f64).abs() < 1e-9), "{c}");
    let page = get(&f.app, "/eldercare?date=2026-11-30", Some(&approver.cookie)).await;
    assert!(page.body.contains("100.0%") && page.body.contains("浑南区颐养园"), "{}", page.body);

    // The city's administrator reads the residents with their numbers masked.
    let admin = sign_in(&f.app, Role::CityAdmin.as_str(), PASSWORD).await.map_err(|r| r.body).expect("admin");
    let one = get(&f.app, &format!("/api/eldercare/institutions/{institution}"), Some(&admin.cookie)).await.json();
    let shown: Vec<&str> = one["residents"].as_array().expect("residents").iter().filter_map(|r| r["id_number"].as_str()).collect();
    assert!(!shown.is_empty() && shown.iter().all(|n| n.ends_with("************")), "{shown:?}");

    // The same registration certificate is not filed twice; the beds cannot fall below the
    // residents living there.
    let r = send(&f.app, Method::POST, "/eldercare/institutions", Some(&approver.cookie), &[], form(&pairs(&filing))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("该登记证书的机构已备案"), "{}", r.body);
    let beds = [("csrf", approver.csrf.as_str()), ("beds_total", "1"), ("beds_nursing", "0"), ("beds_day_care", "0"), ("beds_home", "0")];
    let r =
        send(&f.app, Method::POST, &format!("/eldercare/institutions/{institution}/beds"), Some(&approver.cookie), &[], form(&beds)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("现有入住老人2人，床位总数不能少于入住人数") && r.body.contains("value=\"1\""),
        "the message, the form as typed"
    );

    // An inspection to put right by a date needs the problems written; the form comes back kept.
    let inspect = |findings: &'static str| {
        let body = form(&[
            ("csrf", approver.csrf.as_str()),
            ("inspected_on", "2026-12-01"),
            ("result", "rectify"),
            ("findings", findings),
            ("rectify_by", "2026-12-31"),
            ("inspector", "周科长、吴科员"),
        ]);
        let (app, cookie) = (f.app.clone(), approver.cookie.clone());
        async move { send(&app, Method::POST, &format!("/eldercare/institutions/{institution}/inspection"), Some(&cookie), &[], body).await }
    };
    let r = inspect("").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("请写明检查发现的问题") && r.body.contains("value=\"周科长、吴科员\""), "{}", r.body);
    assert_eq!(inspect("消防通道堆放杂物").await.status, StatusCode::SEE_OTHER);
    let page = get(&f.app, &format!("/eldercare/institutions/{institution}"), Some(&approver.cookie)).await;
    assert!(page.body.contains("消防通道堆放杂物") && page.body.contains("限期整改"), "{}", page.body);

    // Both tables as workbooks, each export audited.
    for url in
        [format!("/eldercare/indicators.xlsx?region={county}&date=2026-11-30"), format!("/eldercare/institutions.xlsx?region={county}")]
    {
        let r = get(&f.app, &url, Some(&approver.cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(r.body.starts_with("PK"), "{url}: a workbook");
    }
    let log = f.store.audit_of("care_institution", &county).await.expect("audit");
    assert!(log.iter().any(|e| e.action == "export"), "{log:?}");

    // The institution page's forms are its actions; another is not found.
    let r = send(
        &f.app,
        Method::POST,
        &format!("/eldercare/institutions/{institution}/demolish"),
        Some(&approver.cookie),
        &[],
        form(&[("csrf", approver.csrf.as_str())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // The home pages count the work waiting: re-assessments due for the community, inspections
    // overdue for the county (none yet: everything here is recent).
    assert!(get(&f.app, "/", Some(&worker.cookie)).await.body.contains("常规评估到期的老人 0 人"));
    assert!(get(&f.app, "/", Some(&approver.cookie)).await.body.contains("年检逾期的养老机构 0 家"));

    // A grid worker reads no elderly care; an account of another county sees nothing of it.
    let grid = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("grid");
    assert_eq!(get(&f.app, "/eldercare", Some(&grid.cookie)).await.status, StatusCode::FORBIDDEN);

    // The audit log has each step with who took it.
    let log = f.store.audit_of("person", zhang.id_number.as_str()).await.expect("audit");
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"assess_ability") && actions.contains(&"admit_resident"), "{actions:?}");
}

/// The module's tables on SQLite and, when configured, PostgreSQL: the same story on each.
#[tokio::test]
async fn the_eldercare_tables_keep_assessments_institutions_and_residents_on_each_database() {
    use minzheng_server::eldercare::assessment::{assess, Answers, Reason};
    use minzheng_server::eldercare::model::{Beds, Filing, Institution, InstitutionStatus, Ownership, Residency};
    use minzheng_server::eldercare::store::{eldercare_store, AssessmentRecord, MIGRATIONS};

    let (dir, stores) = each_database("eldercare-store").await;
    let community = minzheng_app::regions::liaoning()
        .into_iter()
        .find(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("210112"))
        .expect("a community of 浑南区")
        .code;
    let day = |s: &str| -> NaiveDate { s.parse().expect("date") };
    for (store, pg) in stores {
        minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let actor = Actor::new("county");
        let person = |serial: u16, born: &str, household: &str| Person {
            id_number: IdNumber::from_parts(210112, day(born), serial, Sex::Male),
            name: format!("老人{serial}"),
            sex: Sex::Male,
            birth_date: day(born),
            hukou_region: community.clone(),
            household_no: Some(household.into()),
            relation: Relation::Head,
            status: PersonStatus::Alive,
            disability: None,
            phone: None,
            tags: vec![],
        };
        let (old, young) = (person(11, "1940-01-01", "H1"), person(21, "1990-01-01", "H2"));
        let household = |no: &str, head: &Person| Household {
            household_no: no.into(),
            head: Some(head.id_number),
            address: "x".into(),
            community: community.clone(),
            grid: None,
            building: None,
            kind: HouseholdKind::Rural,
        };
        let batch = RegistryBatch {
            households: vec![household("H1", &old), household("H2", &young)],
            persons: vec![old.clone(), young.clone()],
            source: "test".into(),
            checksum: String::new(),
        };
        store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
        let e = Enrolment {
            id: 0,
            program: "tekun".into(),
            household_no: "H1".into(),
            county: code("210112"),
            members: vec![EnrolledMember::new(old.id_number, old.name.clone(), None)],
            monthly_amount: Fen(135_400),
            start: day("2026-01-01"),
            status: EnrolmentStatus::Active,
            end: None,
        };
        store.upsert_enrolments(&[e], "roster", &actor).await.expect("enrolment");

        let elder = eldercare_store(store.as_ref());
        let filing = Filing {
            name: "浑南区中心敬老院".into(),
            region: community.clone(),
            address: "x".into(),
            legal_representative: "x".into(),
            premises: "自有".into(),
            beds: Beds { total: 200, nursing: 120, day_care: 20, home: 30 },
            floor_area: 35_000,
            contact: "x".into(),
            registration: "x".into(),
            pledge: true,
            first_admission: Some(day("2026-03-01")),
            ownership: Ownership::Public,
            tekun_home: true,
            regional_centre: true,
        };
        let filed = Institution {
            id: 0,
            filing,
            filed_on: day("2026-03-10"),
            receipt: String::new(),
            filed_late: false,
            grade: Some(4),
            status: InstitutionStatus::Open,
            closes_on: None,
            resettlement_plan: String::new(),
        };
        let first = elder.add_institution(&filed, &actor).await.expect("filed");
        let second = elder.add_institution(&filed, &actor).await.expect("filed again");
        assert_eq!((first.receipt.as_str(), second.receipt.as_str()), ("养老备字〔2026〕210112-0001", "养老备字〔2026〕210112-0002"));
        assert_eq!(elder.institution(first.id).await.expect("read").expect("there"), first, "{:?}", store.backend());
        assert_eq!(elder.institutions(&code("210112")).await.expect("list").len(), 2);
        assert!(elder.institutions(&code("210113")).await.expect("list").is_empty());

        // Inspections, the newest per institution.
        use minzheng_server::eldercare::model::{Inspection, InspectionResult};
        let inspection = |on: &str| Inspection {
            id: 0,
            institution_id: first.id,
            inspected_on: day(on),
            result: InspectionResult::Passed,
            findings: String::new(),
            inspector: "周科长".into(),
            rectify_by: None,
        };
        elder.add_inspection(&inspection("2026-04-01"), &first.receipt, &actor).await.expect("inspected");
        elder.add_inspection(&inspection("2026-10-01"), &first.receipt, &actor).await.expect("inspected");
        assert_eq!(
            elder.inspections(first.id).await.expect("read").iter().map(|i| i.inspected_on).collect::<Vec<_>>(),
            vec![day("2026-10-01"), day("2026-04-01")]
        );
        assert_eq!(
            elder.last_inspections(&code("2101"), day("2026-12-01")).await.expect("last"),
            vec![(first.id, day("2026-10-01"))],
            "{:?}",
            store.backend()
        );
        assert_eq!(elder.last_inspections(&code("2101"), day("2026-05-01")).await.expect("last"), vec![(first.id, day("2026-04-01"))]);

        // Two assessments; the later-dated sets the fact even when recorded first.
        let record = |on: &str, scores: Vec<u8>| {
            let answers = Answers { scores, coma: false, dementia: false, mental_disorder: false, risk_events: 0 };
            AssessmentRecord {
                id: 0,
                id_number: old.id_number.to_string(),
                name: old.name.clone(),
                community: community.to_string(),
                assessed_on: day(on),
                reason: Reason::First,
                assessor: "评估员".into(),
                organisation: String::new(),
                outcome: assess(&answers).expect("assessed"),
                answers,
                recorded_by: "county".into(),
                recorded_at: chrono::Utc::now(),
            }
        };
        let mut dependent = dependent_scores();
        dependent[2] = 0; // 洗澡 as well: six activities
        let newer = elder.add_assessment(&record("2026-11-01", dependent.clone()), &actor).await.expect("newer");
        let full: Vec<u8> = ITEMS.iter().map(|i| i.max()).collect();
        elder.add_assessment(&record("2026-05-01", full), &actor).await.expect("older, entered late");
        let facts = store.person_facts(minzheng_domain::PersonFact::SELF_CARE_FAILED, None).await.expect("facts");
        assert_eq!(facts.iter().map(|f| (f.value, f.source.clone())).collect::<Vec<_>>(), vec![(6, format!("能力评估 #{newer}"))]);
        // Only the newest assessment of a living person is due its re-assessment.
        let (due, n) = elder.due_assessments(&code("2101"), day("2026-12-01"), 10).await.expect("due");
        assert_eq!((n, due.iter().map(|a| a.id).collect::<Vec<_>>()), (1, vec![newer]), "{:?}", store.backend());
        assert_eq!(elder.due_assessments(&code("2101"), day("2026-10-01"), 10).await.expect("due").1, 0);
        let history = elder.assessments_of(old.id_number.as_str()).await.expect("history");
        assert_eq!(history.iter().map(|a| a.assessed_on).collect::<Vec<_>>(), vec![day("2026-11-01"), day("2026-05-01")]);
        assert_eq!(history[0].answers.scores, dependent);

        // One residence at a time.
        let stay = Residency {
            id: 0,
            institution_id: first.id,
            id_number: old.id_number.to_string(),
            name: old.name.clone(),
            admitted_on: day("2026-11-05"),
            discharged_on: None,
            concentrated: true,
        };
        let rid = elder.admit(&stay, &actor).await.expect("admitted");
        let twice = elder.admit(&Residency { institution_id: second.id, ..stay.clone() }, &actor).await;
        assert!(matches!(twice, Err(minzheng_store::StoreError::Conflict(_))), "{twice:?}");
        assert_eq!(elder.residency_of(old.id_number.as_str()).await.expect("where").map(|r| r.id), Some(rid));

        let c = elder.county_counts(&code("2101"), day("2026-11-30"), day("1966-11-30")).await.expect("counts");
        assert_eq!(c.elders, vec![("210112".to_string(), 1)], "{:?}", store.backend());
        assert_eq!(c.beds, vec![("210112".to_string(), Beds { total: 400, nursing: 240, day_care: 40, home: 60 }, 2)]);
        assert_eq!(c.residents, vec![("210112".to_string(), 1)]);
        assert_eq!(c.tekun, vec![("210112".to_string(), 1, 1, 1)]);
        assert_eq!(c.assessed, vec![("210112".to_string(), minzheng_server::eldercare::assessment::AbilityLevel::Moderate, 1)]);
        // Before the admission the residents' count has no one.
        let before = elder.county_counts(&code("2101"), day("2026-11-01"), day("1966-11-01")).await.expect("counts");
        assert!(before.residents.is_empty(), "{:?}", before.residents);

        let stayed = Residency { id: rid, ..stay.clone() };
        elder.discharge(&stayed, day("2026-11-30"), &actor).await.expect("discharged");
        let again = elder.discharge(&stayed, day("2026-11-30"), &actor).await;
        assert!(matches!(again, Err(minzheng_store::StoreError::Conflict(_))), "{again:?}");
        assert_eq!(elder.residency_of(old.id_number.as_str()).await.expect("where"), None);
        let log = store.audit_of("person", old.id_number.as_str()).await.expect("audit");
        assert_eq!(log.len(), 4, "two assessments, the admission and the discharge: {log:?}");
        assert_eq!(minzheng_store::verify_audit(store.as_ref()).await.expect("verify").first_broken, None);
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
