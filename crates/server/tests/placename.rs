//! 地名 as a county's civil affairs bureau uses it: a street name with a Latin specific part is
//! refused with the rule and the form kept; 智慧四街 is applied for, a second application of the
//! same name in the county is refused naming the first; the steps go in their order (an approval
//! before the consultation ends is refused), the name is approved, filed and announced within
//! 15 days; renamed, the former name is kept as history; another county may use the same name;
//! the module's table on each database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};
use common::*;
use minzheng_domain::Role;
use minzheng_store::Actor;

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

fn today() -> NaiveDate {
    minzheng_domain::calendar::today_in_beijing()
}

#[tokio::test]
async fn a_street_is_named_through_its_procedure_and_renamed_with_history() {
    let f = fixture("placename").await;
    let bureau = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("bureau");
    let mut typed = vec![
        ("csrf", bureau.csrf.as_str()),
        ("category", "street"),
        ("specific", "Smart"),
        ("generic", "四街"),
        ("location", "东起创新路，西至浑南中路"),
        ("reason", "新建城市道路，按片区“智慧”系列命名"),
    ];
    let r = send(&f.app, Method::POST, "/placenames", Some(&bureau.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("《地名管理条例》第十条") && r.body.contains("value=\"东起创新路，西至浑南中路\""), "{}", r.body);
    typed[2] = ("specific", "智慧");
    let r = send(&f.app, Method::POST, "/placenames", Some(&bureau.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    let id: i64 = page.rsplit('/').next().unwrap().parse().expect("id");
    // The same street name again in the county: refused, naming the first.
    let r = send(&f.app, Method::POST, "/placenames", Some(&bureau.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("重名") && r.body.contains("智慧四街（东起创新路"), "{}", r.body);

    let api = format!("/api/placenames/{id}/actions");
    let csrf = [("x-csrf-token", bureau.csrf.as_str())];
    let post = |body: serde_json::Value| {
        let (app, cookie, api) = (&f.app, bureau.cookie.clone(), api.clone());
        async move { send(app, Method::POST, &api, Some(&cookie), &csrf, Some(("application/json", body.to_string()))).await }
    };
    // Out of order: no approval before the review and the consultation.
    let r = post(serde_json::json!({ "action": "approve", "approver": "沈阳市人民政府", "number": "沈政〔2026〕1号" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("不能批准"), "{}", r.body);
    assert_eq!(post(serde_json::json!({ "action": "review", "opinion": "名称符合片区命名规划，用字规范" })).await.status, StatusCode::OK);
    // The consultation still open: the approval waits for its end.
    let r = post(
        serde_json::json!({ "action": "consult", "from": today() - Duration::days(5), "to": today() + Duration::days(5), "note": "" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = post(serde_json::json!({ "action": "approve", "approver": "沈阳市人民政府", "number": "沈政〔2026〕1号" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("期满后方可批准"), "{}", r.body);

    // A name whose consultation ended: approved; on the list to file and announce by its 15th day.
    typed[2] = ("specific", "科创");
    let r = send(&f.app, Method::POST, "/placenames", Some(&bureau.cookie), &[], form(&typed)).await;
    let second: i64 =
        r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").rsplit('/').next().unwrap().parse().unwrap();
    let api2 = format!("/api/placenames/{second}/actions");
    for body in [
        serde_json::json!({ "action": "review", "opinion": "同意" }),
        serde_json::json!({ "action": "consult", "from": today() - Duration::days(30), "to": today() - Duration::days(1), "note": "未收到反对意见" }),
        serde_json::json!({ "action": "approve", "approver": "沈阳市人民政府", "number": "沈政〔2026〕2号" }),
    ] {
        let r = send(&f.app, Method::POST, &api2, Some(&bureau.cookie), &csrf, Some(("application/json", body.to_string()))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let home = get(&f.app, "/", Some(&bureau.cookie)).await;
    assert!(home.body.contains("已批准待备案、公告的地名 1 个（其中超过15日 0 个）"), "{}", home.body);
    let r = get(&f.app, "/placenames", Some(&bureau.cookie)).await;
    let list = r.body.split("id=\"unpublished-list\"").nth(1).unwrap_or_else(|| panic!("{}", r.body));
    assert!(
        list.contains("科创四街") && list.contains(&(today() + Duration::days(15)).to_string()) && list.contains("未备案、未公告"),
        "{list}"
    );
    // Filed before its approval: refused; filed and announced today: off the list.
    let r = send(
        &f.app,
        Method::POST,
        &api2,
        Some(&bureau.cookie),
        &csrf,
        Some(("application/json", serde_json::json!({ "action": "file", "on": today() - Duration::days(3) }).to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for action in ["file", "announce"] {
        let r = send(
            &f.app,
            Method::POST,
            &api2,
            Some(&bureau.cookie),
            &csrf,
            Some(("application/json", serde_json::json!({ "action": action, "on": today() }).to_string())),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = get(&f.app, "/placenames", Some(&bureau.cookie)).await;
    assert!(!r.body.contains("id=\"unpublished-list\""), "nothing left to publish");

    // Renamed: the new name is approved, the former one kept as history.
    let rename = serde_json::json!({ "category": "street", "specific": "科学", "generic": "四街", "location": "同科创四街", "reason": "与相邻片区名称近似，易混淆", "renames": second });
    let r =
        send(&f.app, Method::POST, "/api/placenames", Some(&bureau.cookie), &csrf, Some(("application/json", rename.to_string()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let third = r.json()["id"].as_i64().unwrap();
    // One rename of a name at a time.
    let other = serde_json::json!({ "category": "street", "specific": "科技", "generic": "四街", "location": "同科创四街", "reason": "另议", "renames": second });
    let r = send(&f.app, Method::POST, "/api/placenames", Some(&bureau.cookie), &csrf, Some(("application/json", other.to_string()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap().contains("科学四街"), "{}", r.body);
    let api3 = format!("/api/placenames/{third}/actions");
    for body in [
        serde_json::json!({ "action": "review", "opinion": "同意" }),
        serde_json::json!({ "action": "consult", "from": today() - Duration::days(20), "to": today() - Duration::days(1), "note": "" }),
        serde_json::json!({ "action": "approve", "approver": "沈阳市人民政府", "number": "沈政〔2026〕3号" }),
    ] {
        let r = send(&f.app, Method::POST, &api3, Some(&bureau.cookie), &csrf, Some(("application/json", body.to_string()))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = get(&f.app, &format!("/api/placenames/{second}"), Some(&bureau.cookie)).await;
    assert_eq!(r.json()["status"], "renamed");
    let r = get(&f.app, &format!("/placenames/{third}"), Some(&bureau.cookie)).await;
    let former = r.body.split("id=\"former\"").nth(1).and_then(|x| x.split("</dd>").next()).unwrap_or_else(|| panic!("{}", r.body));
    assert!(former.contains("科创四街"), "{former}");
    let log = f.store.audit_of("place_name", &second.to_string()).await.unwrap();
    assert!(log.iter().any(|a| a.action == "rename"), "the former name's own record says it was renamed");
    // 科创四街 is free again in the county.
    let r = send(&f.app, Method::POST, "/placenames", Some(&bureau.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The community worker does not keep names; another county's name is not this bureau's.
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    assert_eq!(get(&f.app, "/placenames", Some(&worker.cookie)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(get(&f.app, &format!("/placenames/{}", f.outside_name), Some(&bureau.cookie)).await.status, StatusCode::FORBIDDEN);
    let r = send(
        &f.app,
        Method::POST,
        &format!("/api/placenames/{}/actions", f.outside_name),
        Some(&bureau.cookie),
        &csrf,
        Some(("application/json", r#"{"action":"review","opinion":"x"}"#.into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let log = f.store.audit_of("place_name", &second.to_string()).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    for a in ["apply_name", "review_name", "consult_name", "approve_name", "file_name", "announce_name"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn the_placename_table_keeps_the_register_on_each_database() {
    use minzheng_server::placename::model::{Category, Status};
    use minzheng_server::placename::store::{placename_store, PlaceName, Step, MIGRATIONS};

    let (dir, stores) = each_database("placename-store").await;
    let day = |s: &str| -> NaiveDate { s.parse().expect("date") };
    for (store, pg) in stores {
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let actor = Actor::new("bureau");
        let s = placename_store(store.as_ref());
        let name = |county: &str, category: Category, specific: &str| PlaceName {
            id: 0,
            county: county.into(),
            category,
            specific: specific.into(),
            generic: "路".into(),
            name: format!("{specific}路"),
            location: "x".into(),
            reason: "y".into(),
            renames_id: None,
            status: Status::Applied,
            applied_on: day("2026-03-01"),
            review: String::new(),
            reviewed_on: None,
            consult_from: None,
            consult_to: None,
            consult_note: String::new(),
            decided_on: None,
            approver: String::new(),
            approval_no: String::new(),
            refused_reason: String::new(),
            filed_on: None,
            announced_on: None,
            recorded_by: "bureau".into(),
        };
        let a = s.add(&name("210112", Category::Street, "白塔"), &actor).await.expect("applied");
        let again = s.add(&name("210112", Category::Street, "白塔"), &actor).await;
        assert!(matches!(&again, Err(minzheng_store::StoreError::Conflict(why)) if *why == format!("duplicate:{a}")), "{again:?}");
        s.add(&name("210113", Category::Street, "白塔"), &actor).await.expect("another county may");
        s.add(&name("210112", Category::Natural, "白塔"), &actor).await.expect("a natural feature may repeat");
        assert!(
            !s.step(a, &Step::Approve { on: day("2026-04-01"), approver: "x".into(), number: "1".into() }, &actor).await.unwrap(),
            "out of order"
        );
        assert!(s.step(a, &Step::Review { opinion: "同意".into(), on: day("2026-03-05") }, &actor).await.unwrap());
        assert!(s.step(a, &Step::Consult { from: day("2026-03-06"), to: day("2026-03-20"), note: String::new() }, &actor).await.unwrap());
        assert!(s
            .step(a, &Step::Approve { on: day("2026-04-01"), approver: "沈阳市人民政府".into(), number: "1".into() }, &actor)
            .await
            .unwrap());
        assert_eq!(s.unpublished(&code("2101"), 10).await.unwrap().iter().map(|n| n.id).collect::<Vec<_>>(), vec![a]);
        assert!(s.step(a, &Step::File { on: day("2026-04-10") }, &actor).await.unwrap());
        assert!(s.step(a, &Step::Announce { on: day("2026-04-12") }, &actor).await.unwrap());
        assert!(s.unpublished(&code("2101"), 10).await.unwrap().is_empty());
        let got = s.get(a).await.unwrap().unwrap();
        assert_eq!(
            (got.status, got.decided_on, got.filed_on, got.announced_on),
            (Status::Approved, Some(day("2026-04-01")), Some(day("2026-04-10")), Some(day("2026-04-12"))),
            "{:?}",
            store.backend()
        );
        // A rename: the former name kept.
        let b = s.add(&PlaceName { renames_id: Some(a), ..name("210112", Category::Street, "科学") }, &actor).await.expect("rename");
        for step in [
            Step::Review { opinion: "同意".into(), on: day("2026-05-01") },
            Step::Consult { from: day("2026-05-02"), to: day("2026-05-10"), note: String::new() },
            Step::Approve { on: day("2026-05-20"), approver: "沈阳市人民政府".into(), number: "2".into() },
        ] {
            assert!(s.step(b, &step, &actor).await.unwrap());
        }
        assert_eq!(s.get(a).await.unwrap().map(|n| n.status), Some(Status::Renamed));
        assert_eq!(s.former_names(b).await.unwrap().iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), vec!["白塔路"]);
        assert_eq!(s.names_in(&code("210112"), 10).await.unwrap().len(), 3);
        // A rename refused leaves the name standard and no former name.
        let c = s.add(&PlaceName { renames_id: Some(b), ..name("210112", Category::Street, "文博") }, &actor).await.expect("rename");
        let again = s.add(&PlaceName { renames_id: Some(b), ..name("210112", Category::Street, "文华") }, &actor).await;
        assert!(matches!(&again, Err(minzheng_store::StoreError::Conflict(why)) if *why == format!("rename_open:{c}")), "{again:?}");
        assert!(s.step(c, &Step::Refuse { on: day("2026-06-01"), reason: "理由不充分".into() }, &actor).await.unwrap());
        assert_eq!(s.get(b).await.unwrap().map(|n| n.status), Some(Status::Approved));
        assert!(s.former_names(c).await.unwrap().is_empty());
        // Filed once.
        assert!(s.step(b, &Step::File { on: day("2026-05-25") }, &actor).await.unwrap());
        assert!(!s.step(b, &Step::File { on: day("2026-06-25") }, &actor).await.unwrap(), "filed once");

        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// 门牌: a number on an approved street given to a building of the registry; the building's
/// households then have their standard address; a number twice, a building twice, a building the
/// registry does not have, a number that is not one: refused with the form kept.
#[tokio::test]
async fn a_building_gets_its_door_plate_and_its_households_their_standard_address() {
    use minzheng_server::placename::model::{Category, Status};
    use minzheng_server::placename::store::{placename_store, PlaceName, Step};
    let f = fixture("placename-plates").await;
    let bureau = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("bureau");
    let county = &f.inside.community.as_str()[..6];
    let s = placename_store(f.store.as_ref());
    let actor = Actor::new("test");
    let street = PlaceName {
        id: 0,
        county: county.into(),
        category: Category::Street,
        specific: "文溯".into(),
        generic: "街".into(),
        name: "文溯街".into(),
        location: "x".into(),
        reason: "y".into(),
        renames_id: None,
        status: Status::Applied,
        applied_on: today() - Duration::days(60),
        review: String::new(),
        reviewed_on: None,
        consult_from: None,
        consult_to: None,
        consult_note: String::new(),
        decided_on: None,
        approver: String::new(),
        approval_no: String::new(),
        refused_reason: String::new(),
        filed_on: None,
        announced_on: None,
        recorded_by: String::new(),
    };
    let id = s.add(&street, &actor).await.expect("applied");
    for step in [
        Step::Review { opinion: "同意".into(), on: today() - Duration::days(50) },
        Step::Consult { from: today() - Duration::days(45), to: today() - Duration::days(20), note: String::new() },
        Step::Approve { on: today() - Duration::days(10), approver: "沈阳市人民政府".into(), number: "1".into() },
    ] {
        assert!(s.step(id, &step, &actor).await.unwrap());
    }
    // A community of the county with two buildings of households.
    let mut by_community: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for h in f.city.households.iter().filter(|h| h.community.as_str().starts_with(county)) {
        if let Some(b) = &h.building {
            by_community.entry(h.community.to_string()).or_default().push(b.clone());
        }
    }
    let (community, mut buildings) = by_community
        .into_iter()
        .map(|(c, mut b)| {
            b.sort();
            b.dedup();
            (c, b)
        })
        .find(|(_, b)| b.len() >= 2)
        .expect("a community of the county with two buildings");
    buildings.truncate(2);
    let in_first = f
        .city
        .households
        .iter()
        .filter(|h| h.community.as_str() == community && h.building.as_deref() == Some(buildings[0].as_str()))
        .count() as u64;
    let id_text = id.to_string();
    let applied = today().to_string();
    let mut typed = vec![
        ("csrf", bureau.csrf.as_str()),
        ("street_id", id_text.as_str()),
        ("number", "十二"),
        ("community", community.as_str()),
        ("building", buildings[0].as_str()),
        ("applied_on", applied.as_str()),
    ];
    let r = send(&f.app, Method::POST, "/placenames/plates", Some(&bureau.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不规范") && r.body.contains(&format!("value=\"{}\"", buildings[0])), "{}", r.body);
    typed[2] = ("number", "12");
    let r = send(&f.app, Method::POST, "/placenames/plates", Some(&bureau.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, "/placenames/plates", Some(&bureau.cookie)).await;
    assert!(r.body.contains("文溯街12号"), "{}", r.body);
    let report = r.body.split("id=\"address-report\"").nth(1).unwrap_or_default();
    assert!(report.contains(&format!("所在楼栋已编门牌 {in_first} 户")), "{report}");
    // The same building again; the same number on another building; a building not in the registry.
    let r = send(&f.app, Method::POST, "/placenames/plates", Some(&bureau.cookie), &[], form(&typed)).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("该楼栋已编门牌（12号）"), "{}", r.body);
    typed[4] = ("building", buildings[1].as_str());
    let r = send(&f.app, Method::POST, "/placenames/plates", Some(&bureau.cookie), &[], form(&typed)).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("12号已编给"), "{}", r.body);
    typed[2] = ("number", "14");
    typed[4] = ("building", "999号楼");
    let r = send(&f.app, Method::POST, "/placenames/plates", Some(&bureau.cookie), &[], form(&typed)).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("没有“999号楼”"), "{}", r.body);
    let log = f
        .store
        .audit_search(&minzheng_store::AuditQuery { action: Some("assign_door_plate".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(log.items.len(), 1, "one plate given, audited");
}
