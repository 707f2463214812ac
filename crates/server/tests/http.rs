//! The server as a client sees it: the real router on a fresh SQLite store with the real region
//! tree and a small generated city.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use minzheng_server::{router, AppState};
use minzheng_store::{Actor, RegistryBatch};
use tower::ServiceExt;

struct Fixture {
    app: axum::Router,
    city: minzheng_synth::City,
    _dir: Dir,
}

struct Dir(std::path::PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn fixture(tag: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!("minzheng-http-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = minzheng_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await.expect("store");
    minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
    let city = minzheng_synth::generate(&minzheng_app::regions::liaoning(), &minzheng_synth::Config::new(500, 3)).expect("city");
    let batch = RegistryBatch { households: city.households.clone(), persons: city.persons.clone(), source: "test".into(), checksum: String::new() };
    store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    let state = AppState::new(store).await.expect("state");
    Fixture { app: router(state), city, _dir: Dir(dir) }
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(Request::get(uri).body(Body::empty()).expect("request")).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).to_string())
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).expect("json")
}

#[tokio::test]
async fn a_person_is_found_by_id_number_and_bad_numbers_are_explained() {
    let f = fixture("person").await;
    let p = &f.city.persons[10];
    let (status, headers, body) = get(&f.app, &format!("/api/persons/{}", p.id_number)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.contains_key("x-request-id"));
    assert_eq!(serde_json::from_str::<minzheng_domain::Person>(&body).expect("person"), *p);

    let (status, _, body) = get(&f.app, "/api/persons/360426199101010072").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let e = json(&body);
    assert_eq!(e["error"]["code"], "bad_id_number");
    assert!(e["error"]["message_zh"].as_str().unwrap_or("").contains("校验位"));
    assert!(e["error"]["message_en"].as_str().unwrap_or("").contains("check character"));

    let (status, _, body) = get(&f.app, "/api/persons/11010519491231002X").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_region_tree_is_browsed_from_the_city_down() {
    let f = fixture("regions").await;
    let (status, _, body) = get(&f.app, "/api/regions/2101").await;
    assert_eq!(status, StatusCode::OK);
    let v = json(&body);
    assert_eq!(v["name"], "沈阳市");
    assert_eq!(v["children"].as_array().map(Vec::len), Some(13));
    let (status, _, _) = get(&f.app, "/api/regions/21011").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn persons_are_listed_page_by_page_within_a_region() {
    let f = fixture("pages").await;
    let h = &f.city.households[0];
    let county = &h.community.as_str()[..6];
    let expected = f.city.persons.iter().filter(|p| {
        p.household_no.as_ref().and_then(|n| f.city.households.iter().find(|h| &h.household_no == n)).is_some_and(|h| h.community.as_str().starts_with(county))
    }).count();
    let mut seen = 0;
    let mut after = String::new();
    loop {
        let (status, _, body) = get(&f.app, &format!("/api/persons?region={county}&limit=7&after={after}")).await;
        assert_eq!(status, StatusCode::OK);
        let v = json(&body);
        seen += v["items"].as_array().map(Vec::len).unwrap_or(0);
        match v["next"].as_str() {
            Some(n) => after = n.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    let (status, _, body) = get(&f.app, &format!("/api/households/{}", h.household_no)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json(&body)["members"].as_array().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn the_residents_page_lists_a_community_in_chinese() {
    let f = fixture("page").await;
    let h = &f.city.households[0];
    let head = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&h.household_no)).expect("member");
    let (status, _, body) = get(&f.app, &format!("/residents?region={}", h.community)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("居民查询"));
    assert!(body.contains(&head.name));
    assert!(body.contains(&head.id_number.masked()), "ID numbers are masked on the list");
    assert!(!body.contains(head.id_number.as_str()));
    let (status, _, body) = get(&f.app, "/residents?region=abc").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("区划代码") && body.contains("digits"), "a bad code is explained on the page");
    let (status, _, body) = get(&f.app, &format!("/households/{}", h.household_no)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("家庭成员"));
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    let f = fixture("openapi").await;
    let (status, _, body) = get(&f.app, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let spec = json(&body);
    for path in minzheng_server::api::PATHS {
        assert!(spec["paths"].get(*path).is_some(), "{path} is not documented");
    }
    assert_eq!(spec["paths"].as_object().map(|o| o.len()), Some(minzheng_server::api::PATHS.len()));
}
