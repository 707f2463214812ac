//! 婚姻登记 as a county's registry office uses it: a man of 21 is refused (the form kept, the
//! refusal recorded with its rule); 张伟 and 李娜 are registered, numbered, and with their consent
//! 李娜 joins his household, so her mother's 低保 household gets its change case and the
//! comparison's marriage rows hold the registration; he cannot marry again, nor can a man the
//! registry shows with a wife, nor two siblings of one household; their divorce application is
//! received, the certificate refused during the cooling-off period and issued in the window, the
//! marriage dissolved; a second couple withdraws, a third lets the window pass; the figures count
//! it all; the module's tables on each database.
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

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// Households of the inside community: 张伟 alone (MA0001); 王芳 and her daughter 李娜 on 低保
/// (MA0002); 赵强 and his wife 孙丽 (MA0003); the siblings 周明 and 周丽 (MA0004).
async fn households(f: &Fixture) -> Vec<Person> {
    let county = f.inside.community.ancestor(RegionLevel::County).expect("county");
    let c: u32 = county.as_str().parse().expect("county");
    let person = |serial: u16, name: &str, born: &str, sex: Sex, household: &str, relation: Relation| Person {
        id_number: IdNumber::from_parts(c, day(born), serial, sex),
        name: name.into(),
        sex,
        birth_date: day(born),
        hukou_region: f.inside.community.clone(),
        household_no: Some(household.into()),
        relation,
        status: PersonStatus::Alive,
        disability: None,
        phone: None,
        tags: vec![],
    };
    let people = vec![
        person(901, "张伟", "1998-03-01", Sex::Male, "MA0001", Relation::Head),
        person(912, "王芳", "1972-07-07", Sex::Female, "MA0002", Relation::Head),
        person(922, "李娜", "2000-09-09", Sex::Female, "MA0002", Relation::Child),
        person(931, "赵强", "1985-01-01", Sex::Male, "MA0003", Relation::Head),
        person(942, "孙丽", "1987-02-02", Sex::Female, "MA0003", Relation::Spouse),
        person(951, "周明", "1993-04-04", Sex::Male, "MA0004", Relation::Child),
        person(962, "周丽", "1995-05-05", Sex::Female, "MA0004", Relation::Child),
        person(973, "周父", "1965-06-06", Sex::Male, "MA0004", Relation::Head),
    ];
    let households = ["MA0001", "MA0002", "MA0003", "MA0004"]
        .iter()
        .map(|no| Household {
            household_no: (*no).into(),
            head: people.iter().find(|p| p.household_no.as_deref() == Some(*no) && p.relation == Relation::Head).map(|p| p.id_number),
            address: "浑南区白塔街2号".into(),
            community: f.inside.community.clone(),
            grid: None,
            building: None,
            kind: HouseholdKind::Urban,
        })
        .collect();
    let batch = RegistryBatch { households, persons: people.clone(), source: "test".into(), checksum: String::new() };
    f.store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    let dibao = Enrolment {
        id: 0,
        program: "dibao".into(),
        household_no: "MA0002".into(),
        county,
        members: vec![EnrolledMember::new(people[1].id_number, "王芳", None), EnrolledMember::new(people[2].id_number, "李娜", None)],
        monthly_amount: Fen(160_000),
        start: day("2026-01-01"),
        status: EnrolmentStatus::Active,
        end: None,
    };
    f.store.upsert_enrolments(&[dibao], "roster", &Actor::new("test")).await.expect("enrolment");
    people
}

#[tokio::test]
async fn a_marriage_is_checked_registered_and_takes_effect_and_a_divorce_keeps_its_cooling_off() {
    let f = fixture("marriage").await;
    // The fixture's app with a clock the test can move on.
    let mut state = minzheng_server::AppState::new(f.store.clone(), &minzheng_app::config::Config::default()).await.expect("state");
    state.login_limiter = std::sync::Arc::new(minzheng_server::auth::LoginLimiter::new(1000));
    let clock = state.clock.clone();
    let app = minzheng_server::router(state);
    let registrar = sign_in(&app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("registrar");
    let worker = sign_in(&app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let people = households(&f).await;
    let id = |name: &str| people.iter().find(|p| p.name == name).expect(name).id_number.to_string();
    let today = clock.today();
    let county = f.inside.community.ancestor(RegionLevel::County).unwrap();

    // A man of 21 is refused: the form comes back with what was typed, the rule named, and the
    // refusal is recorded.
    let c: u32 = county.as_str().parse().unwrap();
    let young = IdNumber::from_parts(c, today - Duration::days(21 * 366), 991, Sex::Male).to_string();
    let li = id("李娜");
    let mut typed = vec![
        ("csrf", registrar.csrf.as_str()),
        ("first_id", young.as_str()),
        ("first_name", "小刘"),
        ("first_declared", "single"),
        ("second_id", li.as_str()),
        ("second_name", "李娜"),
        ("second_declared", "single"),
        ("both_present", "1"),
        ("declarations_signed", "1"),
        ("household_change", "none"),
    ];
    let r = send(&app, Method::POST, "/marriage/registrations", Some(&registrar.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未到法定婚龄22周岁") && r.body.contains("第一千零四十七条"), "{}", r.body);
    assert!(r.body.contains(&young), "the form keeps what was typed");

    // Not both present: refused, not recorded as a refusal of the law's.
    let zhang = id("张伟");
    typed[1] = ("first_id", zhang.as_str());
    typed[2] = ("first_name", "张伟");
    typed.retain(|(k, _)| *k != "both_present");
    let r = send(&app, Method::POST, "/marriage/registrations", Some(&registrar.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("亲自到婚姻登记机关"), "{}", r.body);

    // 张伟 and 李娜 are registered; with their consent she joins his household.
    typed.push(("both_present", "1"));
    for field in typed.iter_mut().filter(|(k, _)| *k == "household_change") {
        field.1 = "second_joins_first";
    }
    let r = send(&app, Method::POST, "/marriage/registrations", Some(&registrar.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    assert!(!page.contains("effects=failed"), "{page}");
    let marriage_id: i64 = page.rsplit('/').next().unwrap().parse().expect("id");
    let r = get(&app, &format!("/api/marriage/registrations/{marriage_id}"), Some(&registrar.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = r.json();
    // The fixture registered one marriage in the county in May 2026.
    let serial = if today.year() == 2026 { 2 } else { 1 };
    let certificate = format!("J{county}-{}-{serial:06}", today.year());
    assert_eq!(m["certificate_no"], certificate.as_str(), "{m}");
    let r = get(&app, &page, Some(&registrar.cookie)).await;
    assert!(r.body.contains(&certificate) && r.body.contains("乙方迁入甲方户"), "{}", r.body);

    // The registry: 李娜 is in 张伟's household as his spouse.
    let li_now = f.store.person(&IdNumber::parse(&li).unwrap()).await.unwrap().unwrap();
    assert_eq!((li_now.household_no.as_deref(), li_now.relation), (Some("MA0001"), Relation::Spouse));
    // Her mother's 低保 household is decided again: its change case waits at the community.
    let r = get(&app, "/api/cases?list=queue", Some(&worker.cookie)).await;
    let queue = r.json();
    let case = queue["items"].as_array().unwrap_or_else(|| panic!("{queue}")).iter().find(|c| c["household_no"] == "MA0002");
    let case = case.unwrap_or_else(|| panic!("the 低保 household's change case: {queue}"));
    assert_eq!(case["program"], "dibao", "{case}");
    // The comparison reads the registration among its marriage rows.
    let rows = f.store.dept_records_of(&[IdNumber::parse(&li).unwrap()]).await.unwrap();
    let row = rows.iter().find(|r| r.source == "marriages").expect("a marriage row");
    assert_eq!((row.field("登记类型"), row.field("配偶身份证号"), row.event_date), (Some("结婚"), Some(zhang.as_str()), Some(today)));
    assert_eq!(row.link, minzheng_domain::economy::LinkKind::Exact, "a registered party, by her number");
    // Both households' pages show it to the county.
    let r = get(&app, "/households/MA0001", Some(&registrar.cookie)).await;
    let shown = r.body.split("id=\"household-marriages\"").nth(1).unwrap_or_else(|| panic!("{}", r.body));
    assert!(shown.contains("张伟与李娜") && shown.contains(&certificate), "{shown}");

    // He cannot marry again; nor can 赵强, whom the registry shows with a wife; nor may the
    // siblings 周明 and 周丽 marry each other.
    let (zhao, zhou_ming, zhou_li, sun) = (id("赵强"), id("周明"), id("周丽"), id("孙丽"));
    let json = |a: &str, an: &str, b: &str, bn: &str| {
        serde_json::json!({
            "first_id": a, "first_name": an, "first_declared": "single", "second_id": b, "second_name": bn, "second_declared": "single",
            "both_present": true, "declarations_signed": true
        })
        .to_string()
    };
    let post = |body: String| {
        let (app, cookie, csrf) = (&app, registrar.cookie.clone(), registrar.csrf.clone());
        async move {
            send(
                app,
                Method::POST,
                "/api/marriage/registrations",
                Some(&cookie),
                &[("x-csrf-token", csrf.as_str())],
                Some(("application/json", body)),
            )
            .await
        }
    };
    let r = post(json(&zhang, "张伟", &zhou_li, "周丽")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains(&format!("结婚证{certificate}")), "{}", r.body);
    let r = post(json(&zhao, "赵强", &zhou_li, "周丽")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("人口库户内记载"), "{}", r.body);
    let r = post(json(&zhou_ming, "周明", &zhou_li, "周丽")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("兄弟姐妹"), "{}", r.body);
    // An ID number that is not valid: refused, nothing recorded.
    let r = post(json("11010119900101123", "某", &sun, "孙丽")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = get(&app, "/marriage", Some(&registrar.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let refusals =
        r.body.split("id=\"refusal-list\"").nth(1).and_then(|x| x.split("</table>").next()).unwrap_or_else(|| panic!("{}", r.body));
    assert!(refusals.contains("小刘") && refusals.contains("周明") && refusals.contains("赵强"), "{refusals}");
    assert!(!refusals.contains("某"), "an invalid number is not a refusal of the law's");

    // Their divorce: received today; the cooling-off period runs 30 days from tomorrow.
    let divorce = [
        ("csrf", registrar.csrf.as_str()),
        ("marriage_certificate_no", certificate.as_str()),
        ("first_id", zhang.as_str()),
        ("first_name", "张伟"),
        ("second_id", li.as_str()),
        ("second_name", "李娜"),
        ("both_present", "1"),
        ("agreement_signed", "1"),
    ];
    let r = send(&app, Method::POST, "/marriage/divorces", Some(&registrar.cookie), &[], form(&divorce)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let divorce_page = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    let divorce_id: i64 = divorce_page.rsplit('/').next().unwrap().parse().expect("id");
    let r = get(&app, &format!("/api/marriage/divorces/{divorce_id}"), Some(&registrar.cookie)).await;
    let d = r.json();
    let cal = minzheng_app::cases::calendar(f.store.as_ref()).await.unwrap();
    let timeline = minzheng_server::marriage::model::DivorceTimeline::of(today, &cal);
    assert_eq!(d["timeline"]["cooling_ends"], timeline.cooling_ends.to_string(), "{d}");
    assert_eq!(d["timeline"]["window_ends"], timeline.window_ends.to_string(), "{d}");
    // A second application of theirs is refused while this one is open.
    let r = send(&app, Method::POST, "/marriage/divorces", Some(&registrar.cookie), &[], form(&divorce)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不能重复受理"), "{}", r.body);

    // The certificate asked for during the cooling-off period is refused, naming its end.
    let certify = [("csrf", registrar.csrf.as_str()), ("both_present", "1")];
    let action = format!("/marriage/divorces/{divorce_id}/certificate");
    let r = send(&app, Method::POST, &action, Some(&registrar.cookie), &[], form(&certify)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains(&format!("离婚冷静期至{}届满", timeline.cooling_ends)), "{}", r.body);

    // The day after the cooling-off period both come: the certificate is issued, the marriage
    // dissolved, the comparison's row stored.
    clock.advance((timeline.window_opens - today).num_days());
    let r = send(&app, Method::POST, &action, Some(&registrar.cookie), &[], form(&certify)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&app, &divorce_page, Some(&registrar.cookie)).await;
    let issued = format!("L{county}-{}-000001", timeline.window_opens.year());
    assert!(r.body.contains(&issued), "{}", r.body);
    let r = get(&app, &page, Some(&registrar.cookie)).await;
    assert!(r.body.contains("id=\"dissolved\"") && r.body.contains(&issued), "{}", r.body);
    let rows = f.store.dept_records_of(&[IdNumber::parse(&zhang).unwrap()]).await.unwrap();
    assert!(rows.iter().any(|r| r.source == "marriages" && r.field("登记类型") == Some("离婚")), "{rows:?}");
    // Divorced, he may marry again (declaring it).
    let mut again: serde_json::Value = serde_json::from_str(&json(&zhang, "张伟", &zhou_li, "周丽")).unwrap();
    let r = post(again.to_string()).await;
    assert!(r.json()["error"]["message_zh"].as_str().unwrap_or_default().contains("声明未婚"), "{}", r.body);
    again["first_declared"] = "divorced".into();
    let r = post(again.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let second = r.json()["marriage"]["certificate_no"].as_str().unwrap().to_string();

    // 周丽 and 张伟 apply to divorce; 周丽 withdraws within the cooling-off period.
    let app_json = serde_json::json!({
        "first_id": zhang, "first_name": "张伟", "second_id": zhou_li, "second_name": "周丽",
        "marriage_certificate_no": second, "both_present": true, "agreement_signed": true
    });
    let csrf = [("x-csrf-token", registrar.csrf.as_str())];
    let r = send(
        &app,
        Method::POST,
        "/api/marriage/divorces",
        Some(&registrar.cookie),
        &csrf,
        Some(("application/json", app_json.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let second_divorce = r.json()["id"].as_i64().unwrap();
    let r = send(
        &app,
        Method::POST,
        &format!("/api/marriage/divorces/{second_divorce}/withdraw"),
        Some(&registrar.cookie),
        &csrf,
        Some(("application/json", r#"{"party":"second"}"#.into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["status"].as_str(), r.json()["withdrawn_by"].as_str()), (Some("withdrawn"), Some(zhou_li.as_str())));

    // They apply again and let the window pass: the certificate is refused and the application
    // counts as withdrawn.
    let r = send(
        &app,
        Method::POST,
        "/api/marriage/divorces",
        Some(&registrar.cookie),
        &csrf,
        Some(("application/json", app_json.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let third = r.json();
    let third_id = third["id"].as_i64().unwrap();
    let window_ends: NaiveDate = third["timeline"]["window_ends"].as_str().unwrap().parse().unwrap();
    clock.advance((window_ends - clock.today()).num_days() + 1);
    let r = send(
        &app,
        Method::POST,
        &format!("/api/marriage/divorces/{third_id}/certificate"),
        Some(&registrar.cookie),
        &csrf,
        Some(("application/json", r#"{"both_present":true}"#.into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("视为撤回"), "{}", r.body);
    let r = get(&app, "/marriage", Some(&registrar.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get(&app, &format!("/api/marriage/divorces/{third_id}"), Some(&registrar.cookie)).await;
    assert_eq!((r.json()["status"].as_str(), r.json()["closed_on"].as_str()), (Some("lapsed"), Some(window_ends.to_string().as_str())));

    // The figures: the county's year counts the marriages, the divorce, the withdrawal, the
    // lapse and the refusals.
    let r = get(&app, &format!("/api/marriage/figures?region={county}&year={}", today.year()), Some(&registrar.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.json();
    let sum =
        |k: &str| rows.as_array().unwrap().iter().filter(|x| x["county"] == county.as_str()).map(|x| x[k].as_u64().unwrap()).sum::<u64>();
    let year_of = |d: NaiveDate| d.year() == today.year();
    // Four refusals today, and the false declaration after the cooling-off period.
    assert_eq!(sum("refusals"), if year_of(timeline.window_opens) { 5 } else { 4 }, "{rows}");
    // 张伟 and 李娜 today; the fixture's couple in May 2026; 张伟 and 周丽 after the divorce.
    let expected = 1 + u64::from(today.year() == 2026) + u64::from(year_of(timeline.window_opens));
    assert_eq!(sum("marriages"), expected, "{rows}");
    assert_eq!(sum("divorces"), u64::from(year_of(timeline.window_opens)), "{rows}");
    // The figures as a workbook.
    let r = get(&app, &format!("/marriage/figures.xlsx?region={county}"), Some(&registrar.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);

    // The community worker does not register marriages; an auditor reads the page.
    let r = get(&app, "/marriage/new", Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Who did what is in the audit log.
    let log = f.store.audit_of("marriage", &certificate).await.unwrap();
    assert_eq!(log.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), vec!["register_marriage"], "{log:?}");
    assert_eq!(log[0].actor, Role::CountyApprover.as_str());
}

/// The module's tables on SQLite and, when configured, PostgreSQL: the same story on each.
#[tokio::test]
async fn the_marriage_tables_keep_registrations_and_divorces_on_each_database() {
    use minzheng_domain::calendar::WorkCalendar;
    use minzheng_server::marriage::model::{Declared, DivorceStatus, DivorceTimeline, HouseholdChange};
    use minzheng_server::marriage::store::{marriage_store, DivorceRecord, Joining, Marriage, PartyRecord, RefusalRecord, MIGRATIONS};

    let (dir, stores) = each_database("marriage-store").await;
    for (store, pg) in stores {
        minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let community = minzheng_app::regions::liaoning()
            .into_iter()
            .find(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("210112"))
            .expect("a community of 浑南区")
            .code;
        let actor = Actor::new("registrar");
        let a = lone_resident(store.as_ref(), &community, 21, day("1990-01-01")).await;
        let b = lone_resident(store.as_ref(), &community, 22, day("1991-01-01")).await;
        let ms = marriage_store(store.as_ref());
        let m = Marriage {
            id: 0,
            office: "210112".into(),
            first: PartyRecord { id_number: a.id_number.to_string(), name: a.name.clone(), declared: Declared::Single },
            second: PartyRecord { id_number: b.id_number.to_string(), name: b.name.clone(), declared: Declared::Widowed },
            registered_on: day("2026-03-08"),
            certificate_no: String::new(),
            household_change: HouseholdChange::SecondJoinsFirst,
            kinship_note: String::new(),
            dissolved_on: None,
            dissolved_by: None,
            recorded_by: String::new(),
            recorded_at: chrono::Utc::now(),
        };
        let joining = Joining { id_number: b.id_number.to_string(), household_no: "LR0021".into(), relation: Relation::Spouse };
        let first = ms.add_marriage(&m, Some(&joining), &actor).await.expect("registered");
        assert_eq!(first.certificate_no, "J210112-2026-000001", "{:?}", store.backend());
        let moved = store.person(&b.id_number).await.unwrap().unwrap();
        assert_eq!((moved.household_no.as_deref(), moved.relation), (Some("LR0021"), Relation::Spouse));
        // Either of them again, while married: refused under the numbering lock.
        let again = ms.add_marriage(&Marriage { registered_on: day("2026-04-01"), ..m.clone() }, None, &actor).await;
        assert!(matches!(&again, Err(minzheng_store::StoreError::Conflict(why)) if why == "spouse:J210112-2026-000001"), "{again:?}");
        let c = lone_resident(store.as_ref(), &community, 23, day("1992-01-01")).await;
        let d = lone_resident(store.as_ref(), &community, 24, day("1993-01-01")).await;
        let e = lone_resident(store.as_ref(), &community, 25, day("1994-01-01")).await;
        let g = lone_resident(store.as_ref(), &community, 26, day("1995-01-01")).await;
        let couple = |x: &Person, y: &Person, on: &str| Marriage {
            first: PartyRecord { id_number: x.id_number.to_string(), name: x.name.clone(), declared: Declared::Single },
            second: PartyRecord { id_number: y.id_number.to_string(), name: y.name.clone(), declared: Declared::Single },
            registered_on: day(on),
            household_change: HouseholdChange::None,
            ..m.clone()
        };
        let second = ms.add_marriage(&couple(&c, &d, "2026-04-01"), None, &actor).await.expect("another");
        assert_eq!(second.certificate_no, "J210112-2026-000002");
        let next_year = ms.add_marriage(&couple(&e, &g, "2027-01-04"), None, &actor).await.expect("next year");
        assert_eq!(next_year.certificate_no, "J210112-2027-000001");
        assert_eq!(ms.marriage(first.id).await.unwrap().as_ref(), Some(&first));
        assert_eq!(ms.marriage_by_certificate("J210112-2026-000001").await.unwrap().map(|m| m.id), Some(first.id));
        assert_eq!(ms.marriages_of(&[b.id_number.to_string(), c.id_number.to_string()]).await.unwrap().len(), 2);
        // Joining a household not in the registry: nothing stored.
        let nowhere = Joining { household_no: "NOPE".into(), ..joining.clone() };
        let r = ms.add_marriage(&m, Some(&nowhere), &actor).await;
        assert!(matches!(r, Err(minzheng_store::StoreError::Conflict(_))), "{r:?}");
        assert_eq!(ms.marriages_of(&[b.id_number.to_string()]).await.unwrap().len(), 1, "rolled back");

        let cal = WorkCalendar::new(&[]);
        let d = DivorceRecord {
            id: 0,
            office: "210112".into(),
            first_id: a.id_number.to_string(),
            first_name: a.name.clone(),
            second_id: b.id_number.to_string(),
            second_name: b.name.clone(),
            marriage_certificate_no: first.certificate_no.clone(),
            marriage_id: Some(first.id),
            timeline: DivorceTimeline::of(day("2026-03-02"), &cal),
            status: DivorceStatus::Received,
            withdrawn_by: String::new(),
            closed_on: None,
            certificate_no: None,
            recorded_by: "registrar".into(),
            recorded_at: chrono::DateTime::from_timestamp(1_770_000_000, 0).expect("time"),
        };
        let id = ms.add_divorce(&d, &actor).await.expect("received");
        let again = ms.add_divorce(&d, &actor).await;
        assert!(matches!(again, Err(minzheng_store::StoreError::Conflict(_))), "one open application: {again:?}");
        assert_eq!(ms.divorce(id).await.unwrap(), Some(DivorceRecord { id, ..d.clone() }), "{:?}", store.backend());
        let closed = ms.certify_divorce(id, day("2026-04-10"), &actor).await.expect("certified");
        assert_eq!(closed.certificate_no.as_deref(), Some("L210112-2026-000001"));
        assert!(matches!(ms.certify_divorce(id, day("2026-04-10"), &actor).await, Err(minzheng_store::StoreError::Conflict(_))));
        let dissolved = ms.marriage(first.id).await.unwrap().unwrap();
        assert_eq!((dissolved.dissolved_on, dissolved.dissolved_by.as_deref()), (Some(day("2026-04-10")), Some("L210112-2026-000001")));

        // Another: withdrawn; another: lapsed after its window.
        let w = ms.add_divorce(&DivorceRecord { marriage_id: Some(second.id), ..d.clone() }, &actor).await.expect("received");
        assert!(ms.withdraw_divorce(w, a.id_number.as_str(), day("2026-03-10"), &actor).await.unwrap());
        assert!(!ms.withdraw_divorce(w, a.id_number.as_str(), day("2026-03-11"), &actor).await.unwrap(), "once");
        let l = ms.add_divorce(&DivorceRecord { marriage_id: Some(second.id), ..d.clone() }, &actor).await.expect("received");
        assert_eq!(ms.open_divorces(&code("210112"), 10).await.unwrap().iter().map(|x| x.id).collect::<Vec<_>>(), vec![l]);
        assert_eq!(ms.lapse_divorces(d.timeline.window_ends, &actor).await.unwrap(), Vec::<i64>::new(), "its last day is still open");
        assert_eq!(ms.lapse_divorces(d.timeline.window_ends + Duration::days(1), &actor).await.unwrap(), vec![l]);
        assert_eq!(
            ms.divorce(l).await.unwrap().map(|x| (x.status, x.closed_on)),
            Some((DivorceStatus::Lapsed, Some(d.timeline.window_ends)))
        );
        assert!(ms.open_divorces(&code("210112"), 10).await.unwrap().is_empty());
        assert_eq!(ms.divorces_of(&[a.id_number.to_string()]).await.unwrap().len(), 3);

        ms.add_refusal(
            &RefusalRecord {
                id: 0,
                office: "210112".into(),
                kind: "marriage".into(),
                first_id: a.id_number.to_string(),
                first_name: a.name.clone(),
                second_id: b.id_number.to_string(),
                second_name: b.name.clone(),
                reason_zh: "未到法定婚龄".into(),
                reason_en: "under age".into(),
                refused_on: day("2026-03-20"),
                recorded_by: String::new(),
            },
            &actor,
        )
        .await
        .expect("refusal");
        assert_eq!(ms.recent_refusals(&code("2101"), 10).await.unwrap().len(), 1);
        assert!(ms.recent_refusals(&code("210113"), 10).await.unwrap().is_empty(), "another county's office");

        // The figures per county and month.
        let figures = ms.month_figures(&code("2101"), day("2026-01-01"), day("2026-12-31")).await.unwrap();
        let month = |m: &str| figures.iter().find(|f| f.month == m).cloned().unwrap_or_default();
        assert_eq!(
            (month("2026-03").marriages, month("2026-03").applications, month("2026-03").withdrawn, month("2026-03").refusals),
            (1, 3, 1, 1)
        );
        assert_eq!((month("2026-04").marriages, month("2026-04").divorces), (1, 1));
        assert_eq!(month("2026-05").lapsed, 1, "counted in the month its window ended");
        assert!(figures.iter().all(|f| f.county == "210112"));
        assert_eq!(recent(ms, "2101").await, vec![next_year.id, second.id, first.id]);

        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

async fn recent(ms: &dyn minzheng_server::marriage::store::MarriageStore, region: &str) -> Vec<i64> {
    ms.recent_marriages(&code(region), 10).await.unwrap().iter().map(|m| m.id).collect()
}

/// 预约: a couple books a working day (a Saturday and a day too far refused), the registrar opens
/// the form filled from the booking and the registration keeps it; a half-day holds as many
/// couples as the office takes; the divorce certificate is booked only within its window.
#[tokio::test]
async fn a_couple_books_a_day_and_the_registration_keeps_the_appointment() {
    let f = fixture("marriage-booking").await;
    let registrar = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("registrar");
    let people = households(&f).await;
    let id = |name: &str| people.iter().find(|p| p.name == name).expect(name).id_number.to_string();
    let today = minzheng_domain::calendar::today_in_beijing();
    let cal = minzheng_app::cases::calendar(f.store.as_ref()).await.unwrap();
    let mut working = today + Duration::days(1);
    while !cal.is_working(working) {
        working += Duration::days(1);
    }
    let mut rest = today + Duration::days(1);
    while cal.is_working(rest) {
        rest += Duration::days(1);
    }
    let (zhang, li) = (id("张伟"), id("李娜"));
    let book = |day: NaiveDate| {
        let (app, cookie, csrf, zhang, li) = (&f.app, registrar.cookie.clone(), registrar.csrf.clone(), zhang.clone(), li.clone());
        async move {
            let body = serde_json::json!({ "kind": "marriage", "first_id": zhang, "first_name": "张伟", "second_id": li, "second_name": "李娜", "phone": "13800000000", "day": day, "slot": "am" });
            send(
                app,
                Method::POST,
                "/api/marriage/appointments",
                Some(&cookie),
                &[("x-csrf-token", csrf.as_str())],
                Some(("application/json", body.to_string())),
            )
            .await
        }
    };
    let r = book(rest).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("不办公"), "{}", r.body);
    let r = book(today + Duration::days(45)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = book(working).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let appointment = r.json()["id"].as_i64().unwrap();
    let r = get(&f.app, &format!("/marriage/appointments?day={working}"), Some(&registrar.cookie)).await;
    assert!(
        r.body.contains("张伟") && r.body.contains(&format!("/marriage/new?appointment={appointment}")) && r.body.contains("上午 1/20"),
        "{}",
        r.body
    );
    // The form filled in from the booking; registered, the booking is kept.
    let r = get(&f.app, &format!("/marriage/new?appointment={appointment}"), Some(&registrar.cookie)).await;
    assert!(
        r.body.contains(&format!("value=\"{zhang}\"")) && r.body.contains(&format!("name=\"appointment\" value=\"{appointment}\"")),
        "{}",
        r.body
    );
    let body = serde_json::json!({
        "first_id": zhang, "first_name": "张伟", "first_declared": "single", "second_id": li, "second_name": "李娜", "second_declared": "single",
        "both_present": true, "declarations_signed": true, "appointment": appointment
    });
    let r = send(
        &f.app,
        Method::POST,
        "/api/marriage/registrations",
        Some(&registrar.cookie),
        &[("x-csrf-token", registrar.csrf.as_str())],
        Some(("application/json", body.to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let kept = minzheng_server::marriage::store::marriage_store(f.store.as_ref()).appointment(appointment).await.unwrap().unwrap();
    assert_eq!(kept.status, "kept");

    // A half-day holds 20 couples.
    for _ in 0..19 {
        assert_eq!(book(working).await.status, StatusCode::CREATED);
    }
    let r = book(working).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("已约满"), "{}", r.body);

    // The fixture's divorce application is in its window: its certificate is booked inside it,
    // not after.
    let d = f.inside_divorce;
    let r = get(&f.app, &format!("/api/marriage/divorces/{d}"), Some(&registrar.cookie)).await;
    let ends: NaiveDate = r.json()["timeline"]["window_ends"].as_str().unwrap().parse().unwrap();
    let mut after = ends + Duration::days(1);
    while !cal.is_working(after) {
        after += Duration::days(1);
    }
    let certificate =
        |day: NaiveDate| serde_json::json!({ "kind": "certificate", "divorce_id": d, "phone": "1", "day": day, "slot": "pm" }).to_string();
    let csrf = [("x-csrf-token", registrar.csrf.as_str())];
    if after <= today + Duration::days(30) {
        let r = send(
            &f.app,
            Method::POST,
            "/api/marriage/appointments",
            Some(&registrar.cookie),
            &csrf,
            Some(("application/json", certificate(after))),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("冷静期届满后三十日内"), "{}", r.body);
    }
    let r = send(
        &f.app,
        Method::POST,
        "/api/marriage/appointments",
        Some(&registrar.cookie),
        &csrf,
        Some(("application/json", certificate(working))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["first_name"], "新郎", "the parties taken from the application");
}
