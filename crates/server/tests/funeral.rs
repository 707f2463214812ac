//! 殡葬 as a community and its county use it: a 低保 husband dies at home; the community records
//! his death from the certificate (a certificate from the wrong body is refused, the form kept);
//! the registry shows him deceased, his 高龄补贴 stops from the next month and the household's
//! 低保 change case is opened; the county records his cremation (dates out of order refused, the
//! form kept), the basic services are free within the limits for a 低保 recipient and settled
//! with the funeral home, and the certificate is numbered; a second death or cremation is
//! refused; a death with no cremation after the due days is listed; the county's cremation rate
//! counts it all; the module's tables on each database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate};
use common::*;
use minzheng_domain::{
    EnrolledMember, Enrolment, EnrolmentStatus, Fen, Household, HouseholdKind, IdNumber, Person, PersonStatus, RegionLevel, Relation, Role,
    Sex,
};
use minzheng_store::{Actor, RegistryBatch};

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

fn today() -> NaiveDate {
    minzheng_domain::calendar::today_in_beijing()
}

/// A couple of the inside community: 王守仁 (born 1940, 高龄补贴) and 刘桂芝 (born 1944), on 低保
/// together since January.
async fn couple(f: &Fixture) -> (Person, Person) {
    let county = f.inside.community.ancestor(RegionLevel::County).expect("county");
    let c: u32 = county.as_str().parse().expect("county");
    let person = |serial: u16, name: &str, born: NaiveDate, sex: Sex, relation: Relation| Person {
        id_number: IdNumber::from_parts(c, born, serial, sex),
        name: name.into(),
        sex,
        birth_date: born,
        hukou_region: f.inside.community.clone(),
        household_no: Some("FN0001".into()),
        relation,
        status: PersonStatus::Alive,
        disability: None,
        phone: None,
        tags: vec![],
    };
    let wang = person(931, "王守仁", NaiveDate::from_ymd_opt(1940, 4, 4).unwrap(), Sex::Male, Relation::Head);
    let liu = person(932, "刘桂芝", NaiveDate::from_ymd_opt(1944, 5, 5).unwrap(), Sex::Female, Relation::Spouse);
    let h = Household {
        household_no: "FN0001".into(),
        head: Some(wang.id_number),
        address: "浑南区白塔街1号".into(),
        community: f.inside.community.clone(),
        grid: None,
        building: None,
        kind: HouseholdKind::Urban,
    };
    let batch =
        RegistryBatch { households: vec![h], persons: vec![wang.clone(), liu.clone()], source: "test".into(), checksum: String::new() };
    f.store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    let january = NaiveDate::from_ymd_opt(today().year(), 1, 1).unwrap();
    let dibao = Enrolment {
        id: 0,
        program: "dibao".into(),
        household_no: "FN0001".into(),
        county: county.clone(),
        members: vec![
            EnrolledMember::new(wang.id_number, wang.name.clone(), None),
            EnrolledMember::new(liu.id_number, liu.name.clone(), None),
        ],
        monthly_amount: Fen(160_000),
        start: january,
        status: EnrolmentStatus::Active,
        end: None,
    };
    let gaoling = Enrolment {
        program: "gaoling".into(),
        members: vec![EnrolledMember::new(wang.id_number, wang.name.clone(), Some(Fen(10_000)))],
        monthly_amount: Fen(10_000),
        ..dibao.clone()
    };
    f.store.upsert_enrolments(&[dibao, gaoling], "roster", &Actor::new("test")).await.expect("enrolments");
    (wang, liu)
}

#[tokio::test]
async fn a_death_stops_the_benefits_and_the_cremation_is_relieved_numbered_and_counted() {
    let f = fixture("funeral").await;
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let approver = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("approver");
    let (wang, liu) = couple(&f).await;
    let died = today() - Duration::days(8);
    // He lives in the county's care home.
    let elder = minzheng_server::eldercare::store::eldercare_store(f.store.as_ref());
    let residency = minzheng_server::eldercare::model::Residency {
        id: 0,
        institution_id: f.inside_institution,
        id_number: wang.id_number.to_string(),
        name: wang.name.clone(),
        admitted_on: today() - Duration::days(100),
        discharged_on: None,
        concentrated: false,
    };
    elder.admit(&residency, &Actor::new("test")).await.expect("admitted");
    // And home care is bought for him (an order with a provider of the county).
    let hc = minzheng_server::eldercare::homecare_store::homecare_store(f.store.as_ref());
    let county_code = f.inside.community.ancestor(RegionLevel::County).unwrap().to_string();
    let provider = minzheng_server::eldercare::homecare_store::Provider {
        id: 0,
        name: "乐龄".into(),
        county: county_code,
        registration: "x".into(),
        contact: String::new(),
    };
    let provider = hc.add_provider(&provider, &Actor::new("test")).await.expect("provider");
    let order = minzheng_server::eldercare::homecare_store::Order {
        id: 0,
        id_number: wang.id_number.to_string(),
        name: wang.name.clone(),
        community: f.inside.community.to_string(),
        provider_id: provider,
        group: "low_income".into(),
        monthly_minutes: 900,
        start_on: today() - Duration::days(60),
        end_on: None,
    };
    let order = hc.add_order(&order, &Actor::new("test")).await.expect("order");
    let next_month = chrono::NaiveDate::from_ymd_opt(died.year(), died.month(), 1).unwrap() + chrono::Months::new(1);

    // The community worker records the death at home from the certificate: signed by the
    // hospital it is refused, the form kept with what was typed.
    let id = wang.id_number.to_string();
    let died_text = died.to_string();
    let mut typed = vec![
        ("csrf", worker.csrf.as_str()),
        ("id_number", id.as_str()),
        ("died_on", died_text.as_str()),
        ("place", "home"),
        ("cause", "disease"),
        ("certifier", "hospital"),
        ("certifier_org", "浑南区社区卫生服务中心"),
        ("certificate_no", "E2026A0012345"),
    ];
    let r = send(&f.app, Method::POST, "/funeral/deaths", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("社区卫生服务机构、乡镇卫生院签发"), "{}", r.body);
    assert!(r.body.contains("E2026A0012345"), "the form keeps what was typed");
    assert_eq!(f.store.person(&wang.id_number).await.unwrap().unwrap().status, PersonStatus::Alive, "nothing stored");

    typed[5] = ("certifier", "community_health");
    // A year typed wrong puts the death before the birth: refused.
    typed[2] = ("died_on", "1930-11-28");
    let r = send(&f.app, Method::POST, "/funeral/deaths", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("早于出生日期"), "{}", r.body);
    typed[2] = ("died_on", died_text.as_str());
    let r = send(&f.app, Method::POST, "/funeral/deaths", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    let death_id: i64 = page.rsplit('/').next().unwrap().parse().expect("id");

    // The registry shows him deceased on the certificate's date; his 高龄补贴 ends with the
    // month; the household's 低保 goes on for his wife and is decided again in a change case
    // at the community.
    assert_eq!(f.store.person(&wang.id_number).await.unwrap().unwrap().status, PersonStatus::Deceased(Some(died)));
    assert_eq!(elder.residency_of(wang.id_number.as_str()).await.unwrap(), None, "his bed is free from the day he died");
    let stay = elder.residents(f.inside_institution).await.unwrap().into_iter().find(|r| r.id_number == wang.id_number.as_str());
    assert_eq!(stay.and_then(|r| r.discharged_on), Some(died));
    assert_eq!(hc.order(order).await.unwrap().and_then(|o| o.end_on), Some(died), "his home care ends the day he died");
    let enrolments = f.store.enrolments_of(&[wang.id_number]).await.unwrap();
    let gaoling = enrolments.iter().find(|e| e.program == "gaoling").expect("高龄");
    assert_eq!(gaoling.members[0].end.or(gaoling.end), Some(next_month), "{gaoling:?}");
    let dibao = enrolments.iter().find(|e| e.program == "dibao").expect("低保");
    assert!(dibao.paid_for(next_month), "the 低保 goes on for 刘桂芝 until decided again: {dibao:?}");
    let r = get(&f.app, "/api/cases?list=queue", Some(&worker.cookie)).await;
    let queue = r.json();
    let case = queue["items"].as_array().unwrap_or_else(|| panic!("{queue}")).iter().find(|c| c["household_no"] == "FN0001");
    let case = case.unwrap_or_else(|| panic!("the household's change case in the community's queue: {queue}"));
    assert_eq!(case["program"], "dibao", "{case}");
    let r = get(&f.app, &page, Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("自{}起停发", next_month.format("%Y年%-m月"))), "{}", r.body);
    assert!(!r.body.contains("cremation-form"), "the community worker does not record cremations");

    // A second record of the same death is refused.
    let r = send(&f.app, Method::POST, "/funeral/deaths", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不能重复登记"), "{}", r.body);

    // The county records the cremation: a cremation before the death is refused, the form kept.
    let before = (died - Duration::days(1)).to_string();
    let received = died.to_string();
    let cremated = (died + Duration::days(3)).to_string();
    let mut cremation = vec![
        ("csrf", approver.csrf.as_str()),
        ("funeral_home", "沈阳市殡仪馆"),
        ("received_on", before.as_str()),
        ("transport_km", "12"),
        ("cremated_on", before.as_str()),
        ("coffin", "on"),
        ("urn", "on"),
        ("ashes", "columbarium"),
        ("storage_years", "5"),
    ];
    let action = format!("/funeral/deaths/{death_id}/cremation");
    let r = send(&f.app, Method::POST, &action, Some(&approver.cookie), &[], form(&cremation)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("早于死亡日期"), "{}", r.body);
    assert!(r.body.contains("沈阳市殡仪馆"), "the form keeps what was typed");
    cremation[2] = ("received_on", received.as_str());
    cremation[4] = ("cremated_on", cremated.as_str());
    let r = send(&f.app, Method::POST, &action, Some(&approver.cookie), &[], form(&cremation)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // As a 低保 recipient the six basic services are free within the limits: transport 300,
    // 3 days' storage 300, cremation 480, 3 of the 5 years of ash storage 300, coffin 150, urn
    // 200: 1,730 yuan settled with the funeral home.
    let r = get(&f.app, &format!("/api/funeral/deaths/{death_id}"), Some(&approver.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["programs"], serde_json::json!(["dibao", "gaoling"]), "the programs paid in the month of death, kept: {j}");
    let c = &j["cremation"];
    assert_eq!(c["relief"]["groups"], serde_json::json!(["dibao"]), "{j}");
    assert_eq!(c["relief"]["funeral_home_fen"], 173_000, "{j}");
    assert_eq!(c["relief"]["family_fen"], 0);
    let county = f.inside.community.ancestor(RegionLevel::County).unwrap();
    assert_eq!(c["certificate_no"], format!("火化〔{}〕{}-00001", (died + Duration::days(3)).year(), county));
    let r = get(&f.app, &page, Some(&approver.cookie)).await;
    assert!(r.body.contains("城乡低保对象") && r.body.contains("1730.00"), "{}", r.body);

    // The household page shows it with the household's other records.
    let r = get(&f.app, "/households/FN0001", Some(&worker.cookie)).await;
    let deaths = r.body.split("id=\"household-deaths\"").nth(1).unwrap_or_else(|| panic!("deaths on the household page: {}", r.body));
    assert!(deaths.contains("王守仁") && deaths.contains("火化〔") && deaths.contains("骨灰堂寄存"), "{deaths}");

    // A second cremation is refused.
    let r = send(&f.app, Method::POST, &action, Some(&approver.cookie), &[], form(&cremation)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("已火化"), "{}", r.body);

    // The year's figures count the death and the cremation.
    let r = get(&f.app, &format!("/api/funeral/figures?region={county}&year={}", died.year()), Some(&approver.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let figures = r.json();
    let row = figures.as_array().unwrap().iter().find(|x| x["county"] == county.as_str()).unwrap_or_else(|| panic!("{figures}"));
    assert!(row["deaths"].as_u64().unwrap() >= 1, "his death at least (the synthetic city's of the year besides): {row}");
    assert_eq!(row["cremations"], 1);
    assert_eq!(row["relief_fen"], 173_000);

    // His wife dies ten days ago in hospital; the registry learns of it from an import; with no
    // cremation after the due days she is on the county's list and in its queue, with the way
    // to record her death.
    let mut gone = liu.clone();
    gone.status = PersonStatus::Deceased(Some(today() - Duration::days(10)));
    let batch = RegistryBatch { households: vec![], persons: vec![gone], source: "import".into(), checksum: String::new() };
    f.store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    let r = get(&f.app, "/funeral", Some(&approver.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = r.body.split("id=\"uncremated-list\"").nth(1).unwrap_or_else(|| panic!("the list: {}", r.body));
    let list = list.split("</table>").next().unwrap_or_default();
    assert!(list.contains("刘桂芝") && list.contains(&format!("/funeral/deaths/new?person={}", liu.id_number)), "{list}");
    assert!(!list.contains("王守仁"), "cremated");
    let r = get(&f.app, "/", Some(&approver.cookie)).await;
    assert!(r.body.contains("逾期未火化的逝者"), "the county's queue: {}", r.body);

    // The city's funeral home sends its list: 王守仁 is recorded; 刘桂芝 has no cremation
    // recorded; the inside household's head is cremated but alive in the registry (a death to
    // record); a Dalian resident is not the county's and is not shown.
    let head = f.city.persons.iter().find(|p| Some(p.id_number) == f.inside.head).expect("head");
    let list = format!(
        "沈阳市殡仪馆火化名单\n身份证号,姓名,火化日期,殡仪馆\n{},王守仁,{cremated},沈阳市殡仪馆\n{},刘桂芝,{},沈阳市殡仪馆\n{},{},{},沈阳市殡仪馆\n{},大连人,{},沈阳市殡仪馆\n",
        wang.id_number, liu.id_number, today(), head.id_number, head.name, today(), f.outside_person.id_number, today()
    );
    let body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{list}\r\n--XyZ--\r\n",
        approver.csrf
    );
    let r =
        send(&f.app, Method::POST, "/funeral/check", Some(&approver.cookie), &[], Some(("multipart/form-data; boundary=XyZ", body))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let alive = r.body.split("id=\"alive-list\"").nth(1).and_then(|x| x.split("</table>").next()).unwrap_or_else(|| panic!("{}", r.body));
    assert!(alive.contains(&head.name) && alive.contains(&format!("/funeral/deaths/new?person={}", head.id_number)), "{alive}");
    let missing = r.body.split("id=\"not-recorded-list\"").nth(1).and_then(|x| x.split("</table>").next()).unwrap_or_default();
    assert!(missing.contains("刘桂芝") && !missing.contains("王守仁"), "{missing}");
    assert!(r.body.contains("已有火化登记 1 行") && r.body.contains("不在本区划或身份证号无效 1 行"), "{}", r.body);

    // A cremation for someone the registry shows alive is refused: an import has corrected the
    // record of the fixture's death back to alive.
    let r = get(&f.app, &format!("/api/funeral/deaths/{}", f.inside_death), Some(&approver.cookie)).await;
    let other: IdNumber = IdNumber::parse(r.json()["id_number"].as_str().unwrap()).unwrap();
    let mut alive = f.store.person(&other).await.unwrap().unwrap();
    alive.status = PersonStatus::Alive;
    let batch = RegistryBatch { households: vec![], persons: vec![alive], source: "correction".into(), checksum: String::new() };
    f.store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    let json = r#"{"funeral_home":"沈阳市殡仪馆","received_on":"2026-06-01","transport_km":0,"cremated_on":"2026-06-02","ashes":"sea"}"#;
    let r = send(
        &f.app,
        Method::POST,
        &format!("/api/funeral/deaths/{}/cremation", f.inside_death),
        Some(&approver.cookie),
        &[("x-csrf-token", approver.csrf.as_str())],
        Some(("application/json", json.into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未登记死亡"), "{}", r.body);

    // Who did what is in the audit log.
    let log = f.store.audit_of("person", wang.id_number.as_str()).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"record_death") && actions.contains(&"record_cremation"), "{actions:?}");
}

/// The module's tables on SQLite and, when configured, PostgreSQL: the same story on each.
#[tokio::test]
async fn the_funeral_tables_keep_deaths_and_cremations_on_each_database() {
    use minzheng_server::funeral::model::{relief, Ashes, Cause, Certifier, CremationReport, DeathPlace, DeathRecord, Standards};
    use minzheng_server::funeral::store::{funeral_store, CremationRecord, MIGRATIONS};

    let (dir, stores) = each_database("funeral-store").await;
    let day = |s: &str| -> NaiveDate { s.parse().expect("date") };
    for (store, pg) in stores {
        minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let community = minzheng_app::regions::liaoning()
            .into_iter()
            .find(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("210112"))
            .expect("a community of 浑南区")
            .code;
        let actor = Actor::new("county");
        let a = lone_resident(store.as_ref(), &community, 11, day("1940-01-01")).await;
        let b = lone_resident(store.as_ref(), &community, 12, day("1941-01-01")).await;
        let funeral = funeral_store(store.as_ref());
        let death = |p: &Person, on: &str| DeathRecord {
            id: 0,
            id_number: p.id_number.to_string(),
            name: p.name.clone(),
            community: community.to_string(),
            died_on: day(on),
            place: DeathPlace::Home,
            cause: Cause::Disease,
            certifier: Certifier::CommunityHealth,
            certifier_org: "x".into(),
            certificate_no: "N1".into(),
            programs: vec![],
            recorded_by: "county".into(),
            recorded_on: day(on),
        };
        let id = funeral.add_death(&death(&a, "2026-03-01"), &actor).await.expect("death");
        let again = funeral.add_death(&death(&a, "2026-03-01"), &actor).await;
        assert!(matches!(again, Err(minzheng_store::StoreError::Conflict(_))), "{again:?}");
        let stored = funeral.death(id).await.expect("read").expect("there");
        assert_eq!(stored, DeathRecord { id, ..death(&a, "2026-03-01") }, "{:?}", store.backend());
        assert_eq!(funeral.death_of(a.id_number.as_str()).await.expect("read"), Some(stored.clone()));
        assert_eq!(store.person(&a.id_number).await.expect("read").expect("there").status, PersonStatus::Deceased(Some(day("2026-03-01"))));
        funeral.add_death(&death(&b, "2026-03-20"), &actor).await.expect("death");

        // Uncremated in the window: both, oldest first; counted.
        let (list, n) = funeral.uncremated(&code("210112"), day("2026-01-01"), day("2026-03-31"), 10).await.expect("list");
        assert_eq!((list.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), n), (vec!["独居11", "独居12"], 2));
        assert_eq!(list[0].death_id, Some(id));
        assert_eq!(funeral.uncremated(&code("210113"), day("2026-01-01"), day("2026-03-31"), 10).await.expect("list").1, 0);

        let report = CremationReport {
            funeral_home: "沈阳市殡仪馆".into(),
            received_on: day("2026-03-01"),
            transport_km: 12,
            cremated_on: day("2026-03-04"),
            coffin: false,
            urn: true,
            ashes: Ashes::Tree,
            storage_years: 0,
            declared: vec!["donor".into()],
            declared_proof: "捐献证明 2026-1".into(),
        };
        let s = Standards {
            transport_fen: 30000,
            transport_km: 20,
            cremation_fen: 48000,
            urn_fen: 20000,
            eco_tree_fen: 200000,
            ..Default::default()
        };
        let record = CremationRecord {
            id: 0,
            id_number: a.id_number.to_string(),
            death_id: Some(id),
            name: a.name.clone(),
            community: community.to_string(),
            died_on: day("2026-03-01"),
            relief: relief(&s, &report, vec!["donor".into()]),
            report,
            certificate_no: String::new(),
            recorded_by: "county".into(),
            recorded_at: chrono::DateTime::from_timestamp(1_770_000_000, 0).expect("time"),
        };
        let first = funeral.add_cremation(&record, &actor).await.expect("cremated");
        assert_eq!(first.certificate_no, "火化〔2026〕210112-00001");
        let twice = funeral.add_cremation(&record, &actor).await;
        assert!(matches!(twice, Err(minzheng_store::StoreError::Conflict(_))), "{twice:?}");
        assert_eq!(funeral.cremation_of(a.id_number.as_str()).await.expect("read"), Some(first.clone()), "{:?}", store.backend());
        assert_eq!(
            funeral.recent_deaths(&community, 10).await.expect("list").iter().map(|(d, c)| (d.name.clone(), c.clone())).collect::<Vec<_>>(),
            vec![("独居12".to_string(), None), ("独居11".to_string(), Some(first.certificate_no.clone()))]
        );

        let figures = funeral.county_figures(&code("2101"), day("2026-01-01"), day("2026-12-31")).await.expect("figures");
        let f = figures.iter().find(|f| f.county == "210112").expect("浑南区");
        assert_eq!((f.deaths, f.cremations, f.eco, f.relieved, f.relief_fen, f.reward_fen), (2, 1, 1, 1, 30000 + 48000 + 20000, 200000));
        let log = store.audit_of("person", a.id_number.as_str()).await.expect("audit");
        assert_eq!(log.iter().filter(|r| r.action == "record_death" || r.action == "record_cremation").count(), 2, "{log:?}");
        assert_eq!(minzheng_store::verify_audit(store.as_ref()).await.expect("verify").first_broken, None);
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
