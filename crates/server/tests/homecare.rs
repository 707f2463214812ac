//! 政府购买居家养老服务 as a county and its communities use it: the county contracts a provider
//! (a provider without its registration code is refused, the form kept), opens a service order
//! for a 低保 elder (an elder in no group is refused with the reason), the provider hands in last
//! month's visits (a visit before the order refuses the whole batch, naming its row), the month
//! cannot be settled while drawn records are unverified, the community verifies them (one not
//! confirmed, with what was found), the county settles: 15 hours within the entitlement at
//! 30 yuan, nothing twice, no record added to a settled month; the tables on each database.
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

/// The first of last month.
fn last_month() -> NaiveDate {
    let first = today().with_day(1).unwrap();
    (first - Duration::days(1)).with_day(1).unwrap()
}

/// An elder of the inside community aged 70 (in a household of their own), on 低保 since
/// January last year when `dibao`.
async fn elder(f: &Fixture, serial: u16, name: &str, dibao: bool) -> Person {
    let county = f.inside.community.ancestor(RegionLevel::County).expect("county");
    let c: u32 = county.as_str().parse().expect("county");
    let born = NaiveDate::from_ymd_opt(today().year() - 70, 1, 15).unwrap();
    let p = Person {
        id_number: IdNumber::from_parts(c, born, serial, Sex::Female),
        name: name.into(),
        sex: Sex::Female,
        birth_date: born,
        hukou_region: f.inside.community.clone(),
        household_no: Some(format!("HC{serial:04}")),
        relation: Relation::Head,
        status: PersonStatus::Alive,
        disability: None,
        phone: None,
        tags: vec![],
    };
    let h = Household {
        household_no: format!("HC{serial:04}"),
        head: Some(p.id_number),
        address: "浑南区长青街1号".into(),
        community: f.inside.community.clone(),
        grid: None,
        building: None,
        kind: HouseholdKind::Urban,
    };
    let batch = RegistryBatch { households: vec![h], persons: vec![p.clone()], source: "test".into(), checksum: String::new() };
    f.store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    if !dibao {
        return p;
    }
    let dibao = Enrolment {
        id: 0,
        program: "dibao".into(),
        household_no: format!("HC{serial:04}"),
        county,
        members: vec![EnrolledMember::new(p.id_number, p.name.clone(), None)],
        monthly_amount: Fen(84_760),
        start: NaiveDate::from_ymd_opt(today().year() - 1, 1, 1).unwrap(),
        status: EnrolmentStatus::Active,
        end: None,
    };
    f.store.upsert_enrolments(&[dibao], "roster", &Actor::new("test")).await.expect("enrolment");
    p
}

#[tokio::test]
async fn a_provider_is_paid_for_the_verified_hours_within_each_elders_entitlement() {
    let f = fixture("homecare").await;
    let approver = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("approver");
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let county = f.inside.community.ancestor(RegionLevel::County).unwrap().to_string();
    let zhao = elder(&f, 950, "赵凤兰", true).await;
    let qian = elder(&f, 960, "钱秀英", false).await;
    let month = last_month();
    let month_text = month.format("%Y-%m").to_string();
    // Every record drawn for verification, so that the story does not depend on the draw.
    let every = minzheng_domain::parameter::ParameterRecord {
        name: "homecare_sample_permille".into(),
        region: county.clone(),
        area: None,
        effective_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        value: 1000,
        reason: "测试：全部回访".into(),
        recorded_by: "test".into(),
        recorded_at: chrono::Utc::now(),
        seq: 0,
    };
    f.store.add_parameter_records(&[every], &Actor::new("test")).await.expect("parameter");

    // The county adds a provider: without its registration code it is refused, the name kept.
    let mut provider = vec![
        ("csrf", approver.csrf.as_str()),
        ("month", month_text.as_str()),
        ("name", "浑南区乐龄居家养老服务中心"),
        ("county", county.as_str()),
        ("registration", ""),
        ("contact", "024-31230000"),
    ];
    let r = send(&f.app, Method::POST, "/eldercare/homecare/providers", Some(&approver.cookie), &[], form(&provider)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("统一社会信用代码") && r.body.contains("value=\"浑南区乐龄居家养老服务中心\""), "{}", r.body);
    provider[4] = ("registration", "52210112MJY112233K");
    let r = send(&f.app, Method::POST, "/eldercare/homecare/providers", Some(&approver.cookie), &[], form(&provider)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let providers =
        minzheng_server::eldercare::homecare_store::homecare_store(f.store.as_ref()).providers(&f.inside.community).await.unwrap();
    let provider_id = providers.iter().find(|p| p.name == "浑南区乐龄居家养老服务中心").expect("provider").id.to_string();

    // An order for someone in no group (钱秀英, 70, no assistance) is refused with the reason;
    // for 赵凤兰 (70, 低保) it gives 15 hours a month.
    let start = month.to_string();
    let head_id = qian.id_number.to_string();
    let mut order = vec![
        ("csrf", approver.csrf.as_str()),
        ("month", month_text.as_str()),
        ("id_number", head_id.as_str()),
        ("provider_id", provider_id.as_str()),
        ("start_on", start.as_str()),
    ];
    let r = send(&f.app, Method::POST, "/eldercare/homecare/orders", Some(&approver.cookie), &[], form(&order)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不属于政府购买居家养老服务对象"), "{}", r.body);
    let zhao_id = zhao.id_number.to_string();
    order[2] = ("id_number", zhao_id.as_str());
    let r = send(&f.app, Method::POST, "/eldercare/homecare/orders", Some(&approver.cookie), &[], form(&order)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("每月15小时"), "{}", r.body);
    let hc = minzheng_server::eldercare::homecare_store::homecare_store(f.store.as_ref());
    let o = hc.open_order_of(&zhao_id).await.unwrap().expect("order");
    assert_eq!((o.group.as_str(), o.monthly_minutes), ("low_income", 900));
    let r = send(&f.app, Method::POST, "/eldercare/homecare/orders", Some(&approver.cookie), &[], form(&order)).await;
    assert!(r.body.contains("已有服务机构"), "one open order per elder: {}", r.body);

    // The provider's month: twelve visits of 90 minutes; one dated before the order refuses
    // them all, naming its row.
    let visit = |day: NaiveDate| serde_json::json!({ "order_id": o.id, "served_on": day, "service": "cleaning", "minutes": 90, "worker": "孙阿姨" });
    let mut batch: Vec<serde_json::Value> = (0..12).map(|n| visit(month + Duration::days(n * 2))).collect();
    batch[4] = visit(month - Duration::days(3));
    let send_visits = |body: String| {
        let (app, cookie, csrf) = (f.app.clone(), approver.cookie.clone(), approver.csrf.clone());
        async move {
            send(
                &app,
                Method::POST,
                "/api/eldercare/homecare/visits",
                Some(&cookie),
                &[("x-csrf-token", csrf.as_str())],
                Some(("application/json", body)),
            )
            .await
        }
    };
    let r = send_visits(serde_json::to_string(&batch).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第5条服务记录") && r.body.contains("全部未保存"), "{}", r.body);
    // A row the provider's system wrote wrong (a service not offered) is named too.
    let mut wrong = batch.clone();
    wrong[2]["service"] = serde_json::json!("haircut");
    let r = send_visits(serde_json::to_string(&wrong).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第3条服务记录无法读取"), "{}", r.body);
    // Handed in as the provider's sheet: a service it does not offer is named by its row in
    // Excel (a title row above the header counted), nothing stored.
    let sheet = |rows: &str| {
        let body = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"month\"\r\n\r\n{month_text}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"november.csv\"\r\nContent-Type: text/csv\r\n\r\n居家养老服务记录表\n工单号,服务日期,服务项目,服务时长（分钟）,服务人员\n{rows}\r\n--XyZ--\r\n",
            approver.csrf
        );
        Some(("multipart/form-data; boundary=XyZ", body))
    };
    let day = |n: i64| (month + Duration::days(n)).to_string();
    let r = send(
        &f.app,
        Method::POST,
        "/eldercare/homecare/import",
        Some(&approver.cookie),
        &[],
        sheet(&format!("{},{},助洁,90,孙阿姨\n{},{},理发,30,孙阿姨", o.id, day(1), o.id, day(2))),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第4行") && r.body.contains("服务项目“理发”"), "{}", r.body);
    assert!(hc.samples(&f.inside.community, month, 10).await.unwrap().0.is_empty(), "nothing stored");
    batch[4] = visit(month + Duration::days(9));
    let r = send_visits(serde_json::to_string(&batch).unwrap()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json(), serde_json::json!({ "stored": 12 }), "which records are drawn is not told to whoever hands them in");

    // Not settled while drawn records wait for their visit or call.
    let settle = [("csrf", approver.csrf.as_str()), ("month", month_text.as_str())];
    let r = send(&f.app, Method::POST, "/eldercare/homecare/settle", Some(&approver.cookie), &[], form(&settle)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("还有12条抽查的服务记录未回访核验"), "{}", r.body);

    // The community calls 赵凤兰: one visit did not happen (refused without saying what was
    // found), the others did.
    let (samples, n) = hc.samples(&f.inside.community, month, 100).await.unwrap();
    assert_eq!((samples.len(), n), (12, 12));
    let verify = |id: i64, result: &'static str, note: &'static str| {
        let (app, cookie, csrf, m) = (f.app.clone(), worker.cookie.clone(), worker.csrf.clone(), month_text.clone());
        async move {
            let body = form(&[("csrf", csrf.as_str()), ("month", m.as_str()), ("result", result), ("note", note)]);
            send(&app, Method::POST, &format!("/eldercare/homecare/samples/{id}"), Some(&cookie), &[], body).await
        }
    };
    let r = verify(samples[0].id, "rejected", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请写明情况"), "{}", r.body);
    let r = verify(samples[0].id, "rejected", "老人称当日无人上门").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for s in &samples[1..] {
        assert_eq!(verify(s.id, "confirmed", "").await.status, StatusCode::SEE_OTHER);
    }
    let r = verify(samples[1].id, "confirmed", "").await;
    assert!(r.body.contains("已核验"), "verified once: {}", r.body);

    // Settled: 11 visits × 90 minutes = 16.5 hours served, 15 within the entitlement, at
    // 30 yuan an hour: 450 yuan.
    let r = send(&f.app, Method::POST, "/eldercare/homecare/settle", Some(&approver.cookie), &[], form(&settle)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = r.body;
    let r = get(&f.app, &format!("/api/eldercare/homecare/settlements?month={month_text}"), Some(&approver.cookie)).await;
    let j = r.json();
    assert!(page.contains("已结算 1 家服务机构，共 450.00 元"), "{j}");
    let s = &j["settled"][0];
    assert_eq!(
        (s["minutes_served"].as_u64(), s["minutes_rejected"].as_u64(), s["minutes_paid"].as_u64(), s["amount_fen"].as_i64()),
        (Some(990), Some(90), Some(900), Some(45_000)),
        "{j}"
    );
    let r = send(&f.app, Method::POST, "/eldercare/homecare/settle", Some(&approver.cookie), &[], form(&settle)).await;
    assert!(r.body.contains("没有待结算的服务记录"), "nothing settled twice: {}", r.body);
    let r = send_visits(serde_json::to_string(&[visit(month + Duration::days(25))]).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("已结算"), "no record added to a settled month: {}", r.body);
    let this_month = today().format("%Y-%m").to_string();
    let now = [("csrf", approver.csrf.as_str()), ("month", this_month.as_str())];
    let r = send(&f.app, Method::POST, "/eldercare/homecare/settle", Some(&approver.cookie), &[], form(&now)).await;
    assert!(r.body.contains("尚未结束"), "{}", r.body);

    // She moves to her daughter's in another city: the order ends, nothing after it is paid.
    let order_text = o.id.to_string();
    let end_on = today().to_string();
    let end =
        [("csrf", approver.csrf.as_str()), ("month", month_text.as_str()), ("order_id", order_text.as_str()), ("end_on", end_on.as_str())];
    let r = send(&f.app, Method::POST, "/eldercare/homecare/end", Some(&approver.cookie), &[], form(&end)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("终止"), "{}", r.body);
    assert_eq!(hc.open_order_of(&zhao_id).await.unwrap(), None);

    // The page and the workbook show it; the community sees its county's providers.
    let r = get(&f.app, &format!("/eldercare/homecare?month={month_text}"), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("浑南区乐龄居家养老服务中心") && r.body.contains("450.00") && r.body.contains("已结算"), "{}", r.body);
    let r = get(&f.app, &format!("/eldercare/homecare/settlement.xlsx?month={month_text}"), Some(&approver.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let log = f.store.audit_of("care_provider", &provider_id).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert!(
        actions.contains(&"add_care_provider") && actions.contains(&"record_homecare_visits") && actions.contains(&"settle_homecare"),
        "{actions:?}"
    );
}

/// The tables on SQLite and, when configured, PostgreSQL: the same story on each.
#[tokio::test]
async fn the_homecare_tables_keep_orders_visits_and_settlements_on_each_database() {
    use minzheng_server::eldercare::homecare::{Service, Settlement, Verification};
    use minzheng_server::eldercare::homecare_store::{homecare_store, Order, Provider, Visit};
    use minzheng_server::eldercare::store::MIGRATIONS;

    let (dir, stores) = each_database("homecare-store").await;
    let day = |s: &str| -> NaiveDate { s.parse().expect("date") };
    for (store, pg) in stores {
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let actor = Actor::new("county");
        let hc = homecare_store(store.as_ref());
        let p = Provider { id: 0, name: "乐龄".into(), county: "210112".into(), registration: "x".into(), contact: "y".into() };
        let pid = hc.add_provider(&p, &actor).await.expect("provider");
        let other = hc.add_provider(&Provider { county: "210113".into(), ..p.clone() }, &actor).await.expect("provider");
        assert_eq!(hc.providers(&code("210112009001")).await.expect("list").iter().map(|p| p.id).collect::<Vec<_>>(), vec![pid]);
        assert_eq!(hc.providers(&code("2101")).await.expect("list").len(), 2);
        let order = |id: &str, provider: i64| Order {
            id: 0,
            id_number: id.into(),
            name: "老人".into(),
            community: "210112009001".into(),
            provider_id: provider,
            group: "low_income".into(),
            monthly_minutes: 600,
            start_on: day("2026-10-01"),
            end_on: None,
        };
        let a = hc.add_order(&order("A", pid), &actor).await.expect("order");
        let again = hc.add_order(&order("A", pid), &actor).await;
        assert!(matches!(again, Err(minzheng_store::StoreError::Conflict(_))), "{again:?}");
        let b = hc.add_order(&order("B", other), &actor).await.expect("order");
        assert_eq!(hc.open_order_of("A").await.expect("read").map(|o| o.id), Some(a));
        let visit = |order: i64, provider: i64, on: &str, minutes: u32, sampled: bool| Visit {
            id: 0,
            order_id: order,
            provider_id: provider,
            served_on: day(on),
            service: Service::Meals,
            minutes,
            worker: "w".into(),
            sampled,
            verification: None,
            verified_by: None,
            note: String::new(),
        };
        let n = hc
            .add_visits(
                &[
                    visit(a, pid, "2026-10-02", 400, true),
                    visit(a, pid, "2026-10-09", 400, false),
                    visit(b, other, "2026-10-03", 60, false),
                    visit(a, pid, "2026-11-01", 30, true),
                ],
                &actor,
            )
            .await
            .expect("visits");
        assert_eq!(n, 4);
        let (samples, unverified) = hc.samples(&code("210112"), day("2026-10-01"), 10).await.expect("samples");
        assert_eq!((samples.len(), unverified), (1, 1));
        hc.verify(samples[0].id, Verification::Rejected, "未上门", &actor).await.expect("verified");
        assert!(matches!(
            hc.verify(samples[0].id, Verification::Confirmed, "", &actor).await,
            Err(minzheng_store::StoreError::Conflict(_))
        ));
        assert_eq!(hc.visit(samples[0].id).await.expect("read").expect("there").verification, Some(Verification::Rejected));
        let months = hc.month_orders(&code("210112"), day("2026-10-01")).await.expect("month");
        assert_eq!(months.len(), 1, "the other county's order is not read");
        assert_eq!((months[0].served, months[0].rejected, months[0].visits, months[0].entitled), (400, 400, 2, 600));
        let s = minzheng_server::eldercare::homecare::settle(&months, 3000);
        assert_eq!(
            s,
            vec![Settlement {
                provider_id: pid,
                orders: 1,
                visits: 2,
                minutes_served: 400,
                minutes_rejected: 400,
                minutes_paid: 400,
                amount_fen: 20_000
            }]
        );
        hc.add_settlements(day("2026-10-01"), &s, 3000, &actor).await.expect("settled");
        assert!(matches!(hc.add_settlements(day("2026-10-01"), &s, 3000, &actor).await, Err(minzheng_store::StoreError::Conflict(_))));
        let stored = hc.settlements(&code("210112"), day("2026-10-01")).await.expect("read");
        assert_eq!((stored.len(), stored[0].settlement, stored[0].hour_fen), (1, s[0], 3000), "{:?}", store.backend());
        hc.end_order(&hc.order(a).await.expect("read").expect("there"), day("2026-11-30"), &actor).await.expect("ended");
        assert_eq!(hc.open_order_of("A").await.expect("read"), None);
        assert_eq!(minzheng_store::verify_audit(store.as_ref()).await.expect("verify").first_broken, None);
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
