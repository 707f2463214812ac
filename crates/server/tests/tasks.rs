//! 重点工作推进表 as the bureau uses it: the city enters a task for a district, the district
//! reports its months, a mistake comes back as the page with the form kept, a task reported
//! done takes no more progress; and the module's own tables on each database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use minzheng_domain::{RegionCode, Role};
use minzheng_server::tasks::model::{Judgement, KeyTask, Progress};
use minzheng_server::tasks::store::{task_store, MIGRATIONS};
use minzheng_store::Actor;

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

fn months() -> (String, String) {
    let today = minzheng_domain::calendar::today_in_beijing();
    let this = minzheng_server::tasks::model::month_of(today);
    let last = minzheng_server::tasks::model::month_of(this - chrono::Duration::days(1));
    (last.format("%Y-%m").to_string(), this.format("%Y-%m").to_string())
}

#[tokio::test]
async fn the_city_enters_a_task_and_the_district_reports_its_months_until_done() {
    let f = fixture("tasks").await;
    let county = f.inside.community.as_str()[..6].to_string();
    let admin = sign_in(&f.app, Role::CityAdmin.as_str(), PASSWORD).await.map_err(|r| r.body).expect("admin");
    let approver = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("approver");
    let grid = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("grid worker");

    // The city enters task 177 for the district; a bad deadline comes back with the form kept.
    let typed = [
        ("csrf", admin.csrf.as_str()),
        ("number", "177"),
        ("title", "推进基层治理平台建设"),
        ("work", "完成网格绘制"),
        ("unit", "区民政局"),
        ("responsible", "李科长"),
        ("region", county.as_str()),
        ("deadline", "明年"),
    ];
    let r = send(&f.app, Method::POST, "/tasks", Some(&admin.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("完成时限“明年”应写成 2026-12-31") && r.body.contains("value=\"完成网格绘制\""), "{}", r.body);
    let mut typed = typed;
    typed[7] = ("deadline", "2099-12-31");
    let r = send(&f.app, Method::POST, "/tasks", Some(&admin.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = get(&f.app, &format!("/api/tasks?region={county}"), Some(&approver.cookie)).await.json();
    let task = list.as_array().expect("tasks").iter().find(|t| t["number"] == 177).expect("task 177").clone();
    assert_eq!((task["status"].as_str(), task["unit"].as_str()), (Some("not_reported"), Some("区民政局")));
    let id = task["id"].as_i64().expect("id");

    // The district reports last month; the same month again is refused, the form kept.
    let (last, this) = months();
    let report = |month: &'static str, judgement: &'static str, progress: &'static str, s: &Signed| {
        let body = form(&[("csrf", s.csrf.as_str()), ("month", month), ("judgement", judgement), ("progress", progress), ("problems", "")]);
        let cookie = s.cookie.clone();
        let app = f.app.clone();
        async move { send(&app, Method::POST, &format!("/tasks/{id}/progress"), Some(&cookie), &[], body).await }
    };
    let last: &'static str = Box::leak(last.into_boxed_str());
    let this: &'static str = Box::leak(this.into_boxed_str());
    let r = report(last, "on_track", "已完成 833 个社区的网格绘制", &approver).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = report(last, "late", "再报一次同一个月", &approver).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("的进展已填报") && r.body.contains("再报一次同一个月"), "the message and the text as typed: {}", r.body);
    // A grid worker may not report (the route table refuses before the handler).
    assert_eq!(report(this, "on_track", "网格员填报进展", &grid).await.status, StatusCode::FORBIDDEN);

    // This month: done. Then nothing more is taken, and the page says so.
    assert_eq!(report(this, "done", "全部完成并通过验收", &approver).await.status, StatusCode::SEE_OTHER);
    let one = get(&f.app, &format!("/api/tasks/{id}"), Some(&approver.cookie)).await.json();
    assert_eq!(one["status"], "done");
    assert_eq!(one["progress"].as_array().map(Vec::len), Some(2));
    let r = send(
        &f.app,
        Method::POST,
        &format!("/api/tasks/{id}/progress"),
        Some(&approver.cookie),
        &[("x-csrf-token", approver.csrf.as_str())],
        Some(("application/json", format!(r#"{{"month":"{this}","judgement":"on_track","progress":"完成后又报"}}"#))),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"]["message_zh"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("该任务已填报完成，不再接受进展"))
    );
    let page = get(&f.app, &format!("/tasks/{id}"), Some(&approver.cookie)).await;
    assert!(page.body.contains("该任务已完成，不再填报进展") && !page.body.contains("id=\"report\""), "{}", page.body);

    // The table: the status counts, the menu entry, and every change in the audit log.
    let table = get(&f.app, "/tasks", Some(&approver.cookie)).await;
    assert!(table.body.contains("href=\"/tasks\">重点工作</a>") && table.body.contains("已完成 <strong>1</strong>"), "{}", table.body);
    let log = f.store.audit_of("key_task", &id.to_string()).await.expect("audit");
    assert_eq!(log.iter().filter(|r| r.action == "report_progress").count(), 2, "{log:?}");
}

/// The module's tables on SQLite and, when configured, PostgreSQL: the same story on each.
#[tokio::test]
async fn the_tasks_tables_keep_tasks_and_one_report_a_month_on_each_database() {
    let (dir, stores) = each_database("tasks-store").await;
    for (store, drop) in stores {
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let tasks = task_store(store.as_ref());
        let actor = Actor::new("city");
        let task = KeyTask {
            id: 0,
            number: 176,
            title: "进一步发挥社区基础作用".into(),
            work: "修订社区工作者管理办法".into(),
            unit: "基层政权建设处".into(),
            responsible: "张处长".into(),
            region: RegionCode::parse("2101").expect("city"),
            deadline: chrono::NaiveDate::from_ymd_opt(2021, 12, 31),
        };
        assert_eq!(tasks.add_tasks(std::slice::from_ref(&task), "test", &actor).await.expect("add"), 1);
        assert_eq!(tasks.add_tasks(std::slice::from_ref(&task), "test", &actor).await.expect("again"), 0, "the same task is kept once");
        let stored = tasks.tasks().await.expect("tasks");
        assert_eq!(stored.len(), 1, "{:?}", store.backend());
        let id = stored[0].id;
        assert_eq!(stored[0], KeyTask { id, ..task });
        let may = Progress {
            task_id: id,
            month: chrono::NaiveDate::from_ymd_opt(2021, 5, 1).expect("may"),
            progress: "已形成星级社区评价指标框架".into(),
            judgement: Judgement::OnTrack,
            problems: "待征求各地区意见".into(),
            recorded_by: "city".into(),
            recorded_at: chrono::Utc::now(),
        };
        tasks.add_progress(&may, &actor).await.expect("May");
        let again = tasks.add_progress(&Progress { judgement: Judgement::Late, ..may.clone() }, &actor).await;
        assert!(matches!(again, Err(minzheng_store::StoreError::Conflict(_))), "one report a month: {again:?}");
        let june =
            Progress { month: chrono::NaiveDate::from_ymd_opt(2021, 6, 1).expect("june"), judgement: Judgement::Done, ..may.clone() };
        tasks.add_progress(&june, &actor).await.expect("June");
        let history = tasks.progress_of(id).await.expect("history");
        assert_eq!(
            history.iter().map(|p| (p.month, p.judgement)).collect::<Vec<_>>(),
            vec![(may.month, Judgement::OnTrack), (june.month, Judgement::Done)]
        );
        assert_eq!(tasks.latest_progress().await.expect("latest").iter().map(|p| p.month).collect::<Vec<_>>(), vec![june.month]);
        assert_eq!(store.audit_of("key_task", &id.to_string()).await.expect("audit").len(), 2, "{:?}", store.backend());
        assert_eq!(minzheng_store::verify_audit(store.as_ref()).await.expect("verify").first_broken, None);
        drop_database(drop).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
