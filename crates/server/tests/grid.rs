//! 基层治理 as a community, its street and its county use it: a grid worker reports a pile of
//! rubbish in a stairwell (a grid that is not the community's refused, a place outside the
//! tree refused); the street dispatches it with five working days, the grid worker signs, the
//! community replies, the street sends it back once, then closes and records the resident's
//! evaluation; a 12345 complaint never signed becomes overdue and the county escalates it; a
//! petition is accepted within 15 days, answered within 60 and extended once; an order changed
//! meanwhile is refused; the KPIs count it all. On each database, then in the pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::*;
use minzheng_app::RequestContext;
use minzheng_domain::{Household, HouseholdKind, Principal, RegionCode, RegionLevel, Role};
use minzheng_server::grid::model::{OrderError, OrderStatus, Step};
use minzheng_server::grid::service::{self, NewOrder, OrderFailure};
use minzheng_server::grid::store::{grid_store, Queue};
use minzheng_store::{Actor, RegistryBatch};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

fn event(community: &str, grid: &str) -> NewOrder {
    NewOrder {
        kind: "grid_event".into(),
        category: "environment".into(),
        title: "三单元楼道堆放杂物".into(),
        community: community.into(),
        grid: grid.into(),
        place: "12号楼3单元".into(),
        ..NewOrder::default()
    }
}

#[tokio::test]
async fn orders_go_from_report_to_evaluation_within_their_limits_on_each_database() {
    let (dir, stores) = each_database("grid").await;
    for (store, pg) in stores {
        let backend = store.backend();
        minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
        minzheng_server::module::migrate_modules(store.as_ref()).await.expect("migrations");
        minzheng_app::cases::ensure_calendar(store.as_ref(), &Actor::system()).await.expect("calendar");
        let s = store.as_ref();
        let regions = minzheng_app::regions::liaoning();
        let communities: Vec<RegionCode> = regions
            .iter()
            .filter(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("210112"))
            .map(|r| r.code.clone())
            .take(2)
            .collect();
        let (community, neighbour) = (communities[0].clone(), communities[1].clone());
        let street = community.parent().expect("street");
        let county = community.ancestor(RegionLevel::County).expect("county");
        // The community's grid, as the registry knows it from its households.
        let h = Household {
            household_no: "WG0001".into(),
            head: None,
            address: "12号楼3单元".into(),
            community: community.clone(),
            grid: Some("第一网格".into()),
            building: Some("12号楼".into()),
            kind: HouseholdKind::Urban,
        };
        store
            .apply_batch(
                &RegistryBatch { households: vec![h], persons: vec![], source: "test".into(), checksum: String::new() },
                &Actor::system(),
                &|_| {},
            )
            .await
            .expect("grid");
        let who = |role: Role, region: &RegionCode| Principal { name: role.as_str().into(), role, region: region.clone() };
        let grid_worker = who(Role::GridWorker, &community);
        let worker = who(Role::CommunityWorker, &community);
        let street_desk = who(Role::StreetReviewer, &street);
        let county_desk = who(Role::CountyApprover, &county);
        let actor = |p: &Principal| Actor::new(&p.name);
        let tue = day("2026-12-01");

        // The grid worker reports: a grid of another community, a place outside the tree, a
        // community of another street are refused; nothing stored.
        let e = service::file(
            s,
            &minzheng_app::RequestContext::new(&grid_worker, &actor(&grid_worker), tue),
            event(community.as_str(), "第九网格"),
        )
        .await;
        assert!(matches!(e, Err(OrderFailure::Invalid(OrderError::Grid(_)))), "{e:?}");
        let e =
            service::file(s, &minzheng_app::RequestContext::new(&grid_worker, &actor(&grid_worker), tue), event("210112999999", "")).await;
        assert!(matches!(e, Err(OrderFailure::Invalid(OrderError::Place(_)))), "{e:?}");
        let e = service::file(s, &minzheng_app::RequestContext::new(&grid_worker, &actor(&grid_worker), tue), event("", "")).await;
        assert!(matches!(e, Err(OrderFailure::Invalid(OrderError::Place(_)))), "{e:?}");
        let e =
            service::file(s, &minzheng_app::RequestContext::new(&grid_worker, &actor(&grid_worker), tue), event(neighbour.as_str(), ""))
                .await;
        assert!(matches!(e, Err(OrderFailure::Access(_))), "{e:?}");
        let e = service::file(
            s,
            &minzheng_app::RequestContext::new(&grid_worker, &actor(&grid_worker), tue),
            NewOrder { kind: "petition".into(), ..event(community.as_str(), "") },
        )
        .await;
        assert!(matches!(e, Err(OrderFailure::Access(_))), "a grid worker does not file petitions: {e:?}");
        assert!(grid_store(s).queue(&county, Queue::Open, false, 0, 50).await.unwrap().is_empty(), "{backend:?}: nothing stored");
        let o = service::file(
            s,
            &minzheng_app::RequestContext::new(&grid_worker, &actor(&grid_worker), tue),
            event(community.as_str(), "第一网格"),
        )
        .await
        .expect("filed");

        // The street dispatches it (five working days); the community signs and replies; the
        // street sends it back once, then closes it and records the evaluation.
        let oid = o.id;
        let step = |p: &Principal, st: Step, on: &str| {
            let (p, st, on) = (p.clone(), st, day(on));
            let store = store.clone();
            async move { service::act(store.as_ref(), &RequestContext::new(&p, &Actor::new(&p.name), on), oid, st, None).await }
        };
        let e = step(&grid_worker, Step::Dispatch { to: community.to_string() }, "2026-12-01").await;
        assert!(matches!(e, Err(OrderFailure::Access(_))), "{e:?}");
        let d = step(&street_desk, Step::Dispatch { to: community.to_string() }, "2026-12-01").await.expect("dispatched");
        assert_eq!((d.status, d.due), (OrderStatus::Dispatched, Some(day("2026-12-08"))));
        let e = step(&street_desk, Step::Sign, "2026-12-02").await;
        assert!(matches!(e, Err(OrderFailure::Access(_))), "the street does not sign for the community: {e:?}");
        step(&grid_worker, Step::Sign, "2026-12-02").await.expect("signed");
        step(&worker, Step::Reply { text: "已清理".into() }, "2026-12-03").await.expect_err("too short");
        step(&worker, Step::Reply { text: "已清理楼道杂物".into() }, "2026-12-03").await.expect("replied");
        step(&street_desk, Step::SendBack { reason: "现场仍有杂物".into() }, "2026-12-04").await.expect("sent back");
        step(&worker, Step::Reply { text: "已全部清理并拍照留存".into() }, "2026-12-07").await.expect("replied again");
        step(&street_desk, Step::Close, "2026-12-08").await.expect("closed");
        let done = step(&street_desk, Step::Evaluate { satisfaction: "satisfied".into() }, "2026-12-09").await.expect("evaluated");
        assert_eq!((done.status, done.rework), (OrderStatus::Closed, 1));
        let (_, steps) = service::get(s, &county_desk, o.id).await.expect("order");
        let names: Vec<&str> = steps.iter().map(|x| x.step.as_str()).collect();
        assert_eq!(names, ["file", "dispatch", "sign", "reply", "send_back", "reply", "close", "evaluate"], "{backend:?}");

        // A 12345 complaint the county files and dispatches, never signed: overdue after 13
        // working days, escalated.
        let complaint = NewOrder {
            kind: "hotline_complaint".into(),
            title: "小区路灯长期不亮".into(),
            community: community.to_string(),
            contact: "张先生".into(),
            phone: "13912345678".into(),
            source_no: "12345-20261201-0007".into(),
            ..NewOrder::default()
        };
        let c = service::file(s, &minzheng_app::RequestContext::new(&county_desk, &actor(&county_desk), tue), complaint)
            .await
            .expect("complaint");
        let c = service::act(
            s,
            &RequestContext::new(&county_desk, &actor(&county_desk), tue),
            c.id,
            Step::Dispatch { to: community.to_string() },
            None,
        )
        .await
        .expect("dispatched");
        assert_eq!(c.due, Some(day("2026-12-18")));
        let e = service::act(
            s,
            &RequestContext::new(&county_desk, &actor(&county_desk), day("2026-12-18")),
            c.id,
            Step::Escalate { note: "督促办理".into() },
            None,
        )
        .await;
        assert!(matches!(e, Err(OrderFailure::Invalid(OrderError::NotOverdue))), "{e:?}");
        let overdue = service::queue(s, &street_desk, None, Queue::Overdue(day("2026-12-21")), 1, 50).await.expect("overdue");
        assert_eq!(overdue.iter().map(|o| o.id).collect::<Vec<_>>(), vec![c.id], "{backend:?}");
        // The county's daily sweep escalates it, once: the next day's sweep finds nothing new.
        let n =
            service::escalate_overdue(s, &minzheng_app::RequestContext::new(&county_desk, &actor(&county_desk), day("2026-12-21")), None)
                .await
                .expect("sweep");
        assert_eq!(n, 1, "{backend:?}");
        let n =
            service::escalate_overdue(s, &minzheng_app::RequestContext::new(&county_desk, &actor(&county_desk), day("2026-12-22")), None)
                .await
                .expect("again");
        assert_eq!(n, 0, "escalated once: {backend:?}");
        let (escalated, steps) = service::get(s, &county_desk, c.id).await.expect("order");
        assert!(escalated.escalated && steps.iter().any(|x| x.step == "escalate" && x.note == service::SWEEP_NOTE), "{steps:?}");
        let followed = service::queue(s, &county_desk, None, Queue::Escalated, 1, 50).await.expect("escalated");
        assert_eq!(followed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![c.id], "the county's list to follow up: {backend:?}");
        // A street's desk does not run the county's sweep.
        let by_street =
            service::escalate_overdue(s, &minzheng_app::RequestContext::new(&street_desk, &actor(&street_desk), day("2026-12-22")), None)
                .await;
        assert!(matches!(by_street, Err(OrderFailure::Access(_))), "{by_street:?}");
        // The city reads the phone masked.
        let admin = who(Role::CityAdmin, &RegionCode::parse("2101").unwrap());
        let (seen, _) = service::get(s, &admin, c.id).await.expect("read");
        assert!(seen.phone.contains('*'), "{}", seen.phone);

        // A petition received on 1 November: 15 days to accept, 60 days to answer, once +30.
        let petition = NewOrder {
            kind: "petition".into(),
            title: "反映低保审核时间过长".into(),
            community: community.to_string(),
            received_on: Some(day("2026-11-01")),
            ..NewOrder::default()
        };
        let p = service::file(s, &minzheng_app::RequestContext::new(&county_desk, &actor(&county_desk), day("2026-11-02")), petition)
            .await
            .expect("petition");
        assert!(p.acceptance_overdue(day("2026-11-17")));
        let e = service::act(
            s,
            &RequestContext::new(&county_desk, &actor(&county_desk), day("2026-11-10")),
            p.id,
            Step::Dispatch { to: community.to_string() },
            None,
        )
        .await;
        assert!(matches!(e, Err(OrderFailure::Invalid(OrderError::NotNow { .. }))), "accepted first: {e:?}");
        let p = service::act(s, &RequestContext::new(&county_desk, &actor(&county_desk), day("2026-11-10")), p.id, Step::Accept, None)
            .await
            .expect("accepted");
        assert_eq!(p.due, Some(day("2027-01-09")));
        let p = service::act(
            s,
            &RequestContext::new(&county_desk, &actor(&county_desk), day("2026-12-20")),
            p.id,
            Step::Extend { reason: "需会同卫健部门核实".into() },
            None,
        )
        .await
        .expect("extended");
        assert_eq!(p.due, Some(day("2027-02-08")));

        // A step asked for from a page showing the order as it was before is refused.
        let seen = service::Seen { status: OrderStatus::Replied, rework: 0 };
        let e = service::act(s, &RequestContext::new(&street_desk, &actor(&street_desk), day("2026-12-10")), o.id, Step::Close, Some(seen))
            .await;
        assert!(matches!(e, Err(OrderFailure::Changed)), "{e:?}");
        // The petition is not shown to the community's staff before it is dispatched to them.
        let theirs = service::queue(s, &worker, None, Queue::Open, 1, 50).await.expect("queue");
        assert!(theirs.iter().all(|x| x.id != p.id), "{backend:?}: an undispatched petition in the community's queue");
        assert!(matches!(service::get(s, &worker, p.id).await, Err(OrderFailure::Access(_))));
        assert!(service::queue(s, &county_desk, None, Queue::Open, 1, 50).await.expect("queue").iter().any(|x| x.id == p.id));
        // A street desk does not escalate; the county does.
        let e = service::act(
            s,
            &RequestContext::new(&street_desk, &actor(&street_desk), day("2026-12-22")),
            c.id,
            Step::Escalate { note: "督促办理".into() },
            None,
        )
        .await;
        assert!(matches!(e, Err(OrderFailure::Access(_))), "{e:?}");

        // Two desks at once: the step on the order as it was is refused, nothing lost.
        let stale = grid_store(s).order(o.id).await.unwrap().unwrap();
        let first = grid_store(s).order(c.id).await.unwrap().unwrap();
        let rec = |step: &str| minzheng_server::grid::store::StepRecord {
            step: step.into(),
            note: String::new(),
            by_name: "x".into(),
            by_role: "x".into(),
            on_day: day("2026-12-21"),
            at: chrono::Utc::now(),
        };
        let signed =
            minzheng_server::grid::model::Order { status: OrderStatus::Handling, signed_on: Some(day("2026-12-21")), ..first.clone() };
        assert!(grid_store(s).save_step(&first, &signed, &rec("sign"), &Actor::new("a")).await.unwrap());
        assert!(
            !grid_store(s).save_step(&first, &signed, &rec("sign"), &Actor::new("b")).await.unwrap(),
            "{backend:?}: the second desk's step is refused"
        );
        assert_eq!(stale.status, OrderStatus::Closed);

        // KPIs of December's dispatches: the event signed and closed on time, satisfied, reworked;
        // the complaint signed late (on the 21st), open.
        let kpis = service::kpis(s, &county_desk, None, day("2026-12-01"), day("2026-12-31"), day("2026-12-21")).await.expect("kpis");
        let total = kpis.last().unwrap();
        assert_eq!(
            (total.dispatched, total.signed_on_time, total.closed, total.closed_on_time, total.satisfied, total.reworked),
            (2, 1, 1, 1, 1, 1),
            "{backend:?}: {total:?}"
        );
        assert!(kpis.iter().any(|k| k.area == community.as_str() && k.dispatched == 2), "{kpis:?}");
        assert!(kpis.iter().any(|k| k.area == street.as_str()), "a street row: {kpis:?}");

        // Who did what is in the audit log.
        let log = store.audit_of("work_order", &o.id.to_string()).await.unwrap();
        assert_eq!(log.first().map(|a| a.action.as_str()), Some("file_work_order"), "{backend:?}");
        assert!(log.iter().any(|a| a.action == "work_order_send_back"), "{log:?}");
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The grid worker reports from the phone page (an empty matter refused with the place kept);
/// the street dispatches from the order's page; the grid worker signs; the queue and the KPIs
/// show it; the work line counts it.
#[tokio::test]
async fn a_grid_worker_reports_from_the_phone_page_and_the_street_dispatches_it() {
    let f = fixture("grid-pages").await;
    let gw = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("grid worker");
    let home = get(&f.app, "/", Some(&gw.cookie)).await;
    assert!(home.body.contains(r#"href="/grid""#), "in the menu");
    let r = get(&f.app, "/grid/report", Some(&gw.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("report-event") && r.body.contains("环境卫生"), "{}", r.body);
    let r = send(
        &f.app,
        Method::POST,
        "/grid/report",
        Some(&gw.cookie),
        &[],
        form(&[("csrf", &gw.csrf), ("category", "safety"), ("place", "5号楼东侧"), ("title", "井盖")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("至少四个字") && r.body.contains("5号楼东侧"), "{}", r.body);
    let r = send(
        &f.app,
        Method::POST,
        "/grid/report",
        Some(&gw.cookie),
        &[],
        form(&[("csrf", &gw.csrf), ("category", "safety"), ("place", "5号楼东侧"), ("title", "井盖缺失有坠落危险")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.headers.get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
    let r = get(&f.app, &page, Some(&gw.cookie)).await;
    assert!(r.body.contains("井盖缺失有坠落危险") && r.body.contains("待派单"), "{}", r.body);
    assert!(!r.body.contains("step-dispatch"), "the grid worker does not dispatch");

    let desk = sign_in(&f.app, Role::StreetReviewer.as_str(), PASSWORD).await.map_err(|r| r.body).expect("street");
    let home = get(&f.app, "/", Some(&desk.cookie)).await;
    assert!(home.body.contains("待办工单"), "the street's work line: {}", home.body);
    let r = get(&f.app, &page, Some(&desk.cookie)).await;
    assert!(r.body.contains("step-dispatch"), "{}", r.body);
    let act = format!("{page}/act");
    let r = send(
        &f.app,
        Method::POST,
        &act,
        Some(&desk.cookie),
        &[],
        form(&[("csrf", &desk.csrf), ("action", "dispatch"), ("to", "210112999999")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不在网格体系内") && r.body.contains("210112999999"), "{}", r.body);
    let community = f.inside.community.to_string();
    let r = send(
        &f.app,
        Method::POST,
        &act,
        Some(&desk.cookie),
        &[],
        form(&[("csrf", &desk.csrf), ("action", "dispatch"), ("to", &community)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(&f.app, Method::POST, &act, Some(&gw.cookie), &[], form(&[("csrf", &gw.csrf), ("action", "sign")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &page, Some(&gw.cookie)).await;
    assert!(r.body.contains("处理中") && r.body.contains("step-reply"), "{}", r.body);
    let r = get(&f.app, "/grid", Some(&desk.cookie)).await;
    assert!(r.body.contains("井盖缺失有坠落危险"), "{}", r.body);
    let r = get(&f.app, "/grid?list=escalated", Some(&desk.cookie)).await;
    assert!(r.status == StatusCode::OK && r.body.contains("已督办</a> ●") && r.body.contains("id=\"no-orders\""), "{}", r.body);
    let r = get(&f.app, "/grid/kpi", Some(&desk.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("按时签收率") && r.body.contains("100.0%"), "{}", r.body);
    // A community worker cannot file a 12345 order.
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let r = send(
        &f.app,
        Method::POST,
        "/grid/orders",
        Some(&worker.cookie),
        &[],
        form(&[("csrf", &worker.csrf), ("kind", "hotline_enquiry"), ("title", "咨询低保政策"), ("community", &community)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The street's desk imports the hotline's export: the orders are filed in its queue, a row with
/// a kind the desk does not know and one outside its region are named with their reasons, and the
/// same export read again files nothing twice.
#[tokio::test]
async fn the_street_desk_imports_the_hotlines_export_and_reading_it_again_files_nothing_twice() {
    let f = fixture("grid-import").await;
    let desk = sign_in(&f.app, Role::StreetReviewer.as_str(), PASSWORD).await.map_err(|r| r.body).expect("street");
    let inside = f.inside.community.to_string();
    let outside = f.outside.community.to_string();
    let csv = format!(
        "沈阳市12345热线工单导出\r\n工单编号,受理时间,诉求类型,诉求标题,诉求内容,来电人,来电号码,社区代码,事发地址\r\n\
         SY-0001,2026-11-30 09:12,投诉,楼道堆物影响通行,三单元楼道长期堆放杂物,王女士,13800000001,{inside},12号楼3单元\r\n\
         SY-0002,2026-11-30 10:40,咨询,咨询高龄补贴申请,八十岁老人如何申请高龄补贴,李先生,13800000002,{inside},\r\n\
         SY-0003,2026-11-30 11:05,表扬,表扬社区工作人员,,赵女士,13800000003,{inside},\r\n\
         SY-0004,2026-11-30 11:30,求助,独居老人家中断电,,孙女士,13800000004,{outside},\r\n"
    );
    let upload = |body: String| {
        Some((
            "multipart/form-data; boundary=XyZ",
            format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"12345.csv\"\r\nContent-Type: text/csv\r\n\r\n{body}\r\n--XyZ--\r\n",
                desk.csrf
            ),
        ))
    };
    let r = send(&f.app, Method::POST, "/grid/import", Some(&desk.cookie), &[], upload(csv.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"filed\">2<") && r.body.contains("id=\"refused\">2<"), "{}", r.body);
    assert!(r.body.contains("诉求类型“表扬”无法识别"), "{}", r.body);
    assert!(r.body.contains(">6<"), "the refused rows by their number in the sheet: {}", r.body);
    let queue = get(&f.app, "/grid", Some(&desk.cookie)).await;
    assert!(queue.body.contains("楼道堆物影响通行") && queue.body.contains("咨询高龄补贴申请"), "{}", queue.body);
    // Read again: nothing filed twice.
    let r = send(&f.app, Method::POST, "/grid/import", Some(&desk.cookie), &[], upload(csv)).await;
    assert!(r.body.contains("id=\"filed\">0<") && r.body.contains("id=\"already\">2<"), "{}", r.body);
    // A file with no recognisable columns is said so, on the page.
    let r = send(&f.app, Method::POST, "/grid/import", Some(&desk.cookie), &[], upload("甲,乙\r\n1,2\r\n".into())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
}

/// The grid base as the community keeps it: the counts per level for the street, the
/// community's grids with their households, residents and the residents it watches, a grid
/// worker assigned to a grid (an account that is not the community's grid worker refused, the
/// form kept), and taken off it again; on each database the counts agree with the registry.
#[tokio::test]
async fn the_community_keeps_its_grids_and_assigns_its_grid_worker() {
    let f = fixture("grid-base").await;
    let community = f.inside.community.to_string();
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let r = get(&f.app, &format!("/api/grid/base?region={community}"), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    let households = f.city.households.iter().filter(|h| h.community == f.inside.community).count() as i64;
    let residents = f
        .city
        .persons
        .iter()
        .filter(|p| {
            p.status == minzheng_domain::PersonStatus::Alive
                && p.household_no
                    .as_ref()
                    .is_some_and(|n| f.city.households.iter().any(|h| &h.household_no == n && h.community == f.inside.community))
        })
        .count() as i64;
    assert_eq!(v["counts"]["households"], households, "{v}");
    assert_eq!(v["counts"]["communities"], 1, "{v}");
    let grid_households: i64 = v["grids"].as_array().expect("grids").iter().map(|g| g["households"].as_i64().unwrap_or(0)).sum();
    assert_eq!(grid_households, households, "every household in one grid row: {v}");
    let grid_residents: i64 = v["grids"].as_array().expect("grids").iter().map(|g| g["residents"].as_i64().unwrap_or(0)).sum();
    assert!(grid_residents <= residents + 1, "{grid_residents} of {residents}");
    let grid = v["grids"].as_array().expect("grids").iter().find_map(|g| g["grid"].as_str().filter(|s| !s.is_empty())).map(str::to_string);
    let Some(grid) = grid else { panic!("the synthetic community has grids: {v}") };

    let r = get(&f.app, &format!("/grid/base?region={community}"), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("独居老人") && r.body.contains(&grid) && r.body.contains("assign-worker"), "{}", r.body);
    // The community worker's own account is not a grid worker's: refused, what was typed kept.
    let typed = [("csrf", worker.csrf.as_str()), ("community", &community), ("grid", &grid), ("account", "community_worker")];
    let r = send(&f.app, Method::POST, "/grid/base/assign", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不是本社区网格员的账号") && r.body.contains("value=\"community_worker\""), "{}", r.body);
    let typed = [("csrf", worker.csrf.as_str()), ("community", &community), ("grid", "不存在的网格"), ("account", "grid_worker")];
    let r = send(&f.app, Method::POST, "/grid/base/assign", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let typed = [("csrf", worker.csrf.as_str()), ("community", &community), ("grid", &grid), ("account", "grid_worker")];
    let r = send(&f.app, Method::POST, "/grid/base/assign", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = get(&f.app, &format!("/api/grid/base?region={community}"), Some(&worker.cookie)).await.json();
    let row = v["grids"].as_array().expect("grids").iter().find(|g| g["grid"] == grid.as_str()).expect("grid");
    assert_eq!(row["workers"], serde_json::json!(["grid_worker"]), "{v}");
    let r = send(&f.app, Method::POST, "/grid/base/assign", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a second time: {}", r.body);
    let r = send(&f.app, Method::POST, "/grid/base/unassign", Some(&worker.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let log = f.store.audit_of("grid", &format!("{community}/{grid}")).await.expect("audit");
    assert_eq!(log.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["assign_grid_worker", "unassign_grid_worker"]);
    // The street reads its counts; the grid worker may not assign.
    let street = sign_in(&f.app, Role::StreetReviewer.as_str(), PASSWORD).await.map_err(|r| r.body).expect("street");
    let v = get(&f.app, "/api/grid/base", Some(&street.cookie)).await.json();
    assert!(v["counts"]["communities"].as_i64().unwrap_or(0) >= 1 && v["grids"] == serde_json::json!([]), "{v}");
    let gw = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("grid worker");
    let typed = [("csrf", gw.csrf.as_str()), ("community", &community), ("grid", &grid), ("account", "grid_worker")];
    assert_eq!(send(&f.app, Method::POST, "/grid/base/assign", Some(&gw.cookie), &[], form(&typed)).await.status, StatusCode::FORBIDDEN);
}
