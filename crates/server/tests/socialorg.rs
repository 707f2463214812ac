//! 社会组织 as a county's registry office uses it: an application with too few members is
//! refused with the rule and the form kept; a valid one is received, its name then taken, and
//! registered with a credit code that checks; the public finds it without signing in; a report
//! for a year not over, a rating too early, an entry removed too early are refused; a penalty
//! lists it and the public sees the entry; a verified rectification removes it; a change filed
//! after 30 days is marked late; an older organisation with its reports is rated 4A; a
//! deregistration ends it; the desk shows an application past its 60 days; the module's tables
//! on each database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate};
use common::*;
use minzheng_domain::{CreditCode, IdNumber, RegionLevel, Role, Sex};
use minzheng_store::Actor;

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

fn today() -> NaiveDate {
    minzheng_domain::calendar::today_in_beijing()
}

#[tokio::test]
async fn a_registry_office_registers_lists_rates_and_deregisters_and_the_public_sees_it() {
    let f = fixture("socialorg").await;
    let office = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("office");
    let county = f.inside.community.ancestor(RegionLevel::County).unwrap();
    let rep =
        IdNumber::from_parts(county.as_str().parse().unwrap(), NaiveDate::from_ymd_opt(1970, 3, 3).unwrap(), 930, Sex::Male).to_string();
    let mut typed = vec![
        ("csrf", office.csrf.as_str()),
        ("name", "浑南区银龄书画研究会"),
        ("kind", "group"),
        ("legal_rep_name", "王守义"),
        ("legal_rep_id", rep.as_str()),
        ("supervisor", ""),
        ("capital", "30000"),
        ("individual_members", "30"),
        ("unit_members", "0"),
        ("address", "浑南区白塔街1号"),
        ("scope", "书画交流、展览、培训"),
    ];
    let r = send(&f.app, Method::POST, "/socialorgs", Some(&office.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("《社会团体登记管理条例》第十条") && r.body.contains("现个人会员30个"), "{}", r.body);
    assert!(r.body.contains("value=\"书画交流、展览、培训\""), "the form as typed");
    typed[7] = ("individual_members", "56");
    let r = send(&f.app, Method::POST, "/socialorgs", Some(&office.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    let id: i64 = page.rsplit('/').next().unwrap().parse().expect("id");
    let r = get(&f.app, &page, Some(&office.cookie)).await;
    assert!(r.body.contains("申请中") && r.body.contains(&format!("应于{}前决定", today() + Duration::days(60))), "{}", r.body);
    // The office's work list shows it to decide.
    let home = get(&f.app, "/", Some(&office.cookie)).await;
    assert!(home.body.contains("待决定的社会组织成立登记申请 1 件（其中超过60日 0 件）"), "{}", home.body);
    // The name is taken while applied for.
    let r = send(&f.app, Method::POST, "/socialorgs", Some(&office.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("已被登记或正在申请"), "{}", r.body);

    // Registered: its code checks, names the county and the kind.
    let act = |pairs: Vec<(&'static str, String)>| {
        let mut p: Vec<(String, String)> = vec![("csrf".into(), office.csrf.clone())];
        p.extend(pairs.into_iter().map(|(k, v)| (k.to_string(), v)));
        Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(&p).expect("form")))
    };
    let action = format!("/socialorgs/{id}/act");
    let r = send(&f.app, Method::POST, &action, Some(&office.cookie), &[], act(vec![("action", "register".into())])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &format!("/api/socialorgs/{id}"), Some(&office.cookie)).await;
    let org = r.json();
    let code = CreditCode::parse(org["org"]["credit_code"].as_str().unwrap_or_else(|| panic!("{org}"))).expect("a valid code");
    assert_eq!((code.kind(), code.region()), ('1', county.as_str()));
    assert_eq!(org["org"]["status"], "active");

    // The public finds it by a piece of its name and by its code, without signing in; the
    // legal representative's number is not shown.
    let r = get(&f.app, "/public/socialorgs?q=%E9%93%B6%E9%BE%84%E4%B9%A6%E7%94%BB", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("浑南区银龄书画研究会") && r.body.contains(code.as_str()) && r.body.contains("正常"), "{}", r.body);
    let r = get(&f.app, &format!("/api/public/socialorgs?q={code}"), None).await;
    let found = r.json();
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!(found[0]["credit_code"], code.as_str());
    assert!(found[0].get("legal_rep_id").is_none() && found[0].get("recorded_by").is_none(), "no ID numbers, no staff: {found}");

    // Too early: last year's report is fine, this year's is not over; it is too new to rate.
    let year = today().year().to_string();
    let r = send(&f.app, Method::POST, &action, Some(&office.cookie), &[], act(vec![("action", "report".into()), ("year", year)])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("尚未结束"), "{}", r.body);
    let r =
        send(&f.app, Method::POST, &action, Some(&office.cookie), &[], act(vec![("action", "rate".into()), ("score", "880".into())])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("登记未满两个年度"), "{}", r.body);

    // A fine of 10,000 yuan puts it on the abnormal list; the public sees the entry.
    let r = send(
        &f.app,
        Method::POST,
        &action,
        Some(&office.cookie),
        &[],
        act(vec![
            ("action", "penalty".into()),
            ("on", today().to_string()),
            ("detail", "浑民罚〔2026〕3号 超出业务范围活动".into()),
            ("fine", "10000".into()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &format!("/api/public/socialorgs?q={code}"), None).await;
    let listed = &r.json()[0]["listed"];
    assert_eq!((listed[0]["list"].as_str(), listed[0]["reason"].as_str()), (Some("abnormal"), Some("minor_penalty")), "{listed}");
    let r = get(&f.app, &format!("/api/socialorgs/{id}"), Some(&office.cookie)).await;
    let entry = r.json()["entries"][0]["id"].as_i64().unwrap_or_else(|| panic!("{}", r.body)).to_string();
    // Not removable yet without a verified rectification; with it, removed.
    let r = send(
        &f.app,
        Method::POST,
        &action,
        Some(&office.cookie),
        &[],
        act(vec![("action", "unlist".into()), ("entry", entry.clone()), ("note", "x".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("起方可移出"), "{}", r.body);
    let r = send(
        &f.app,
        Method::POST,
        &action,
        Some(&office.cookie),
        &[],
        act(vec![("action", "unlist".into()), ("entry", entry), ("on", today().to_string()), ("note", "整改到位".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &format!("/api/public/socialorgs?q={code}"), None).await;
    assert_eq!(r.json()[0]["listed"].as_array().map(Vec::len), Some(0));

    // A change 40 days ago filed today: past its 30 days.
    let r = send(
        &f.app,
        Method::POST,
        &action,
        Some(&office.cookie),
        &[],
        act(vec![
            ("action", "change".into()),
            ("on", (today() - Duration::days(40)).to_string()),
            ("detail", "住所变更为浑南区文溯街5号".into()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &page, Some(&office.cookie)).await;
    assert!(r.body.contains("逾期办理"), "{}", r.body);

    // The fixture's organisation is four years old: with its last two years' reports it is rated.
    let older = f.inside_org;
    let api = format!("/api/socialorgs/{older}/actions");
    let csrf = [("x-csrf-token", office.csrf.as_str())];
    let last = today().year() - 1;
    for (year, inspection) in [(last - 1, "basic"), (last, "pass")] {
        let (sup, reg) = minzheng_server::socialorg::model::report_due(year);
        let body = serde_json::json!({ "action": "report", "year": year, "to_supervisor_on": sup.min(today()), "to_registry_on": reg.min(today()), "inspection": inspection });
        let r = send(&f.app, Method::POST, &api, Some(&office.cookie), &csrf, Some(("application/json", body.to_string()))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = send(
        &f.app,
        Method::POST,
        &api,
        Some(&office.cookie),
        &csrf,
        Some(("application/json", r#"{"action":"rate","score":850}"#.into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rated = r.json();
    assert_eq!(
        (rated["org"]["rating"].as_u64(), rated["rating_valid_until"].as_str()),
        (Some(4), Some(minzheng_server::socialorg::model::rating_valid_until(today()).to_string().as_str()))
    );

    // Deregistered after its liquidation: the public sees it so.
    let r = send(
        &f.app,
        Method::POST,
        &action,
        Some(&office.cookie),
        &[],
        act(vec![("action", "deregister".into()), ("on", (today() - Duration::days(5)).to_string()), ("detail", "清算完毕".into())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &format!("/public/socialorgs?q={code}"), None).await;
    assert!(r.body.contains("已注销"), "{}", r.body);

    // An application received 70 days ago is past its limit on the desk.
    let mut late = minzheng_server::socialorg::demo::orgs(county.as_str(), 1, 150_000, 0, today()).remove(0);
    late.status = minzheng_server::socialorg::model::OrgStatus::Applied;
    late.credit_code = None;
    late.decided_on = None;
    late.received_on = today() - Duration::days(70);
    minzheng_server::socialorg::store::socialorg_store(f.store.as_ref())
        .add_application(&late, &Actor::new("test"))
        .await
        .expect("applied");
    let r = get(&f.app, "/socialorgs", Some(&office.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&late.name) && r.body.contains("已超过60日期限10天"), "{}", r.body);

    // The community worker may not see the register; an outside organisation is refused.
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    assert_eq!(get(&f.app, "/socialorgs", Some(&worker.cookie)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(get(&f.app, &format!("/socialorgs/{}", f.outside_org), Some(&office.cookie)).await.status, StatusCode::FORBIDDEN);

    // Who did what is in the audit log.
    let log = f.store.audit_of("social_org", &id.to_string()).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    for a in ["receive_application", "register", "record_penalty", "list", "unlist", "record_change", "record_deregister"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn the_socialorg_tables_keep_the_register_on_each_database() {
    use minzheng_server::socialorg::model::{CreditList, ListReason, OrgStatus};
    use minzheng_server::socialorg::store::{socialorg_store, ListEntry, Report, MIGRATIONS};

    let (dir, stores) = each_database("socialorg-store").await;
    let day = |s: &str| -> NaiveDate { s.parse().expect("date") };
    for (store, pg) in stores {
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let actor = Actor::new("registrar");
        let s = socialorg_store(store.as_ref());
        let today = day("2026-06-15");
        let loaded = minzheng_server::socialorg::demo::orgs("210112", 30, 0, 1, today);
        assert_eq!(s.load_orgs(&loaded, &actor).await.expect("loaded"), 30);
        // Two applications decided: the region's next codes, one refused.
        let mut a = minzheng_server::socialorg::demo::orgs("210112", 2, 1000, 0, today);
        for o in &mut a {
            o.status = OrgStatus::Applied;
            o.credit_code = None;
            o.decided_on = None;
        }
        let first = s.add_application(&a[0], &actor).await.expect("applied");
        let second = s.add_application(&a[1], &actor).await.expect("applied");
        assert!(matches!(s.add_application(&a[0], &actor).await, Err(minzheng_store::StoreError::Conflict(_))), "the name is taken");
        let registered = s.decide(first, true, today, "", &actor).await.expect("decided").expect("was open");
        let code = CreditCode::parse(registered.credit_code.as_deref().expect("a code")).expect("valid");
        assert_eq!(code.region(), "210112");
        assert_eq!(code.as_str()[8..16], *"MJ000031", "the region's 31st code: {code}");
        assert!(s.decide(first, false, today, "again", &actor).await.expect("read").is_none(), "decided once");
        let refused = s.decide(second, false, today, "业务范围不明确", &actor).await.expect("decided").expect("was open");
        assert_eq!((refused.status, refused.credit_code), (OrgStatus::Refused, None));
        assert_eq!(s.org(first).await.unwrap(), Some(registered.clone()), "{:?}", store.backend());

        // The public search: a name's piece, a code, nothing for a refused one.
        let piece: String = loaded[3].name.chars().skip(3).take(4).collect();
        let hits = s.search_public(&piece, 50).await.expect("search");
        assert!(hits.iter().any(|h| h.org.name == loaded[3].name), "{piece}: {hits:?}");
        assert!(hits.iter().all(|h| h.org.name.contains(&piece)));
        assert_eq!(s.search_public(code.as_str(), 50).await.expect("search").len(), 1);
        assert!(s.search_public(&refused.name, 50).await.expect("search").is_empty(), "refused are not public");

        // Lists: one open entry per list; removed once.
        let entry = ListEntry {
            id: 0,
            org_id: first,
            list: CreditList::Abnormal,
            reason: ListReason::Unreachable,
            listed_on: day("2026-01-05"),
            basis: "x".into(),
            rectified_on: None,
            removed_on: None,
            removal_note: String::new(),
            recorded_by: String::new(),
        };
        let e = s.add_entry(&entry, &actor).await.expect("listed");
        assert!(matches!(s.add_entry(&entry, &actor).await, Err(minzheng_store::StoreError::Conflict(_))));
        assert_eq!(s.search_public(code.as_str(), 50).await.unwrap()[0].listed.len(), 1);
        assert_eq!(s.open_entries(&code_of("2101"), CreditList::Abnormal, today, 10).await.unwrap().len(), 1);
        assert!(s.remove_entry(e, Some(day("2026-02-01")), today, "整改", &actor).await.unwrap());
        assert!(!s.remove_entry(e, None, today, "again", &actor).await.unwrap());
        assert_eq!(s.entry(e).await.unwrap().map(|x| (x.rectified_on, x.removed_on)), Some((Some(day("2026-02-01")), Some(today))));

        // Reports: missing for every registered organisation but the one that filed.
        s.add_report(
            &Report {
                org_id: first,
                year: 2025,
                to_supervisor_on: Some(day("2026-03-01")),
                to_registry_on: Some(day("2026-05-01")),
                inspection: None,
            },
            &actor,
        )
        .await
        .expect("report");
        assert!(matches!(
            s.add_report(&Report { org_id: first, year: 2025, to_supervisor_on: None, to_registry_on: None, inspection: None }, &actor)
                .await,
            Err(minzheng_store::StoreError::Conflict(_))
        ));
        let (missing, n) = s.reports_missing(&code_of("210112"), 2025, day("2026-12-31"), 100).await.unwrap();
        assert_eq!(n, 30, "the loaded 30 have not filed; the registered one has");
        assert!(missing.iter().all(|o| o.id != first));
        let c = s.counts(&code_of("2101")).await.unwrap();
        assert_eq!((c.active, c.applied, c.abnormal), (31, 0, 0));

        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn code_of(s: &str) -> minzheng_domain::RegionCode {
    code(s)
}
