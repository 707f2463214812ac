//! 数据驾驶舱: the figures a city head reads, on both databases, and the page as each role meets it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::*;
use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus, Fen, Role};
use minzheng_server::dashboard::store::dashboard_store;
use minzheng_store::Actor;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Enrolments paid this month are counted by program and by the region below (people and money);
/// a stop from next month still counts this month, one that ended does not; starts and ends are
/// counted by month. The same on SQLite and PostgreSQL.
#[tokio::test]
async fn the_dashboard_counts_who_is_paid_this_month_by_program_and_region_on_each_database() {
    let (dir, stores) = each_database("dashboard-store").await;
    for (store, pg) in stores {
        minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
        let city = minzheng_synth::generate(&minzheng_app::regions::liaoning(), &minzheng_synth::Config::new(200, 5)).expect("city");
        let batch = minzheng_store::RegistryBatch {
            households: city.households.clone(),
            persons: city.persons.clone(),
            source: "test".into(),
            checksum: String::new(),
        };
        store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("registry");
        // Three households of 沈阳: two 低保 (one stopped from next month), one that ended.
        let shenyang: Vec<_> = city.households.iter().filter(|h| h.community.as_str().starts_with("2101")).take(3).collect();
        assert_eq!(shenyang.len(), 3);
        let enrol = |h: &minzheng_domain::Household, amount: i64, status: EnrolmentStatus, end: Option<&str>| {
            let members: Vec<EnrolledMember> = city
                .persons
                .iter()
                .filter(|p| p.household_no.as_deref() == Some(h.household_no.as_str()))
                .map(|p| EnrolledMember { id_number: p.id_number, name: p.name.clone(), amount: None, end: None })
                .collect();
            Enrolment {
                id: 0,
                program: "dibao".into(),
                household_no: h.household_no.clone(),
                county: h.community.ancestor(minzheng_domain::RegionLevel::County).expect("county"),
                members,
                monthly_amount: Fen(amount),
                start: day("2026-03-01"),
                status,
                end: end.map(day),
            }
        };
        let paid = enrol(shenyang[0], 104_100, EnrolmentStatus::Active, None);
        let stopping = enrol(shenyang[1], 50_000, EnrolmentStatus::Stopped, Some("2027-01-01"));
        let ended = enrol(shenyang[2], 70_000, EnrolmentStatus::Stopped, Some("2026-10-01"));
        store.upsert_enrolments(&[paid.clone(), stopping.clone(), ended], "test", &Actor::new("test")).await.expect("enrol");

        let dash = dashboard_store(store.as_ref());
        let city_code = minzheng_domain::RegionCode::parse("2101").expect("city");
        let rows = dash.coverage(&city_code, 6, day("2026-12-01")).await.expect("coverage");
        let households: i64 = rows.iter().map(|r| r.households).sum();
        let monthly: i64 = rows.iter().map(|r| r.monthly).sum();
        let persons: i64 = rows.iter().map(|r| r.persons).sum();
        assert_eq!((households, monthly), (2, 154_100), "{:?}: {rows:?}", store.backend());
        assert_eq!(persons as usize, paid.members.len() + stopping.members.len());
        assert!(rows.iter().all(|r| r.area.len() == 6 && r.program == "dibao"), "{rows:?}");
        let flows = dash.flows(&city_code, day("2026-01-01")).await.expect("flows");
        let started: i64 = flows.iter().filter(|f| f.month == day("2026-03-01")).map(|f| f.started).sum();
        let ended: i64 = flows.iter().filter(|f| f.month == day("2026-10-01")).map(|f| f.ended).sum();
        assert_eq!((started, ended), (3, 1), "{flows:?}");
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The city head opens the dashboard from the menu, drills down to a district and back; a role
/// without it is refused; a region outside is refused.
#[tokio::test]
async fn the_city_head_reads_the_dashboard_and_drills_down() {
    let f = fixture("dashboard").await;
    let admin = sign_in(&f.app, Role::CityAdmin.as_str(), PASSWORD).await.map_err(|r| r.body).expect("admin");
    let home = get(&f.app, "/", Some(&admin.cookie)).await;
    assert!(home.body.contains(r#"href="/dashboard""#), "in the menu");
    let r = get(&f.app, "/dashboard", Some(&admin.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("数据驾驶舱") && r.body.contains("沈阳市") && r.body.contains("最低生活保障"), "{}", r.body);
    let county = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    assert!(r.body.contains(&format!(r#"href="/dashboard?region={county}""#)), "drill-down to the district");
    let r = get(&f.app, &format!("/dashboard?region={county}"), Some(&admin.cookie)).await;
    assert!(r.status == StatusCode::OK && r.body.contains(r#"id="up""#), "{}", r.body);
    let api = get(&f.app, "/api/dashboard", Some(&admin.cookie)).await.json();
    assert!(
        api["programs"].as_array().is_some_and(|p| p.iter().any(|x| x["program"] == "dibao" && x["persons"].as_i64() > Some(0))),
        "{api}"
    );
    let r = get(&f.app, "/dashboard?region=2102", Some(&admin.cookie)).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::FORBIDDEN, "out_of_scope"));
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let r = get(&f.app, "/dashboard", Some(&worker.cookie)).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::FORBIDDEN, "forbidden"));
}
