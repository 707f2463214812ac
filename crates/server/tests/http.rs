//! The server as a client sees it: the real router, a fresh SQLite store with the real region
//! tree, a small generated city and one account per role.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use minzheng_domain::Role;

#[tokio::test]
async fn a_person_is_found_by_id_number_and_bad_numbers_are_explained() {
    let f = fixture("person").await;
    let s = sign_in(&f.app, "community_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let p = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    let r = get(&f.app, &format!("/api/persons/{}", p.id_number), Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers.contains_key("x-request-id"));
    assert_eq!(r.json()["id_number"], p.id_number.as_str(), "a community worker sees the full number");
    assert_eq!(r.json()["name"], p.name.as_str());

    let r = get(&f.app, "/api/persons/360426199101010072", Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "bad_id_number");
    assert!(r.json()["error"]["message_zh"].as_str().unwrap_or("").contains("校验位"));
    assert!(r.json()["error"]["message_en"].as_str().unwrap_or("").contains("check character"));

    let r = get(&f.app, "/api/persons/11010519491231002X", Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["code"], "not_found");

    // The read is in the audit log with who, role, region and request id.
    let audit = f.store.audit_of("person", p.id_number.as_str()).await.expect("audit");
    let last = audit.last().expect("a read record");
    assert_eq!((last.action.as_str(), last.actor.as_str(), last.role.as_deref()), ("read", "community_worker", Some("community_worker")));
    assert!(last.request_id.is_some());
}

#[tokio::test]
async fn roles_that_do_not_need_them_see_masked_numbers() {
    let f = fixture("mask").await;
    let p = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    let s = sign_in(&f.app, "grid_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, &format!("/api/persons/{}", p.id_number), Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["id_number"], p.id_number.masked());
    assert_eq!(r.json()["masked"], true);
    if let Some(phone) = &p.phone {
        assert_eq!(r.json()["phone"], minzheng_app::registry::mask_phone(phone));
    }
}

#[tokio::test]
async fn the_region_tree_is_browsed_from_the_city_down() {
    let f = fixture("regions").await;
    let s = sign_in(&f.app, "auditor", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, "/api/regions/2101", Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["name"], "沈阳市");
    assert_eq!(r.json()["children"].as_array().map(Vec::len), Some(13));
    assert_eq!(get(&f.app, "/api/regions/21011", Some(&s.cookie)).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn persons_are_listed_page_by_page_within_the_accounts_region() {
    let f = fixture("pages").await;
    let s = sign_in(&f.app, "county_approver", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let county = &f.inside.community.as_str()[..6];
    let expected = f
        .city
        .persons
        .iter()
        .filter(|p| {
            p.household_no
                .as_ref()
                .and_then(|n| f.city.households.iter().find(|h| &h.household_no == n))
                .is_some_and(|h| h.community.as_str().starts_with(county))
        })
        .count();
    let mut seen = 0;
    let mut after = String::new();
    loop {
        // No region given: the account's own.
        let r = get(&f.app, &format!("/api/persons?limit=7&after={after}"), Some(&s.cookie)).await;
        assert_eq!(r.status, StatusCode::OK);
        let v = r.json();
        seen += v["items"].as_array().map(Vec::len).unwrap_or(0);
        match v["next"].as_str() {
            Some(n) => after = n.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    let r = get(&f.app, &format!("/api/households/{}", f.inside.household_no), Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["members"].as_array().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn the_residents_page_needs_a_sign_in_and_lists_the_accounts_community() {
    let f = fixture("page").await;
    let r = get(&f.app, "/residents", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get("location").and_then(|v| v.to_str().ok()), Some("/login?next=/residents"));
    // Sign in through the form, as a person would: the page first, then the form it holds.
    let forged = format!("name=community_worker&password={PASSWORD}&next=%2Fresidents&csrf=guess");
    let r = send(&f.app, Method::POST, "/login", None, &[], Some(("application/x-www-form-urlencoded", forged))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a form posted without the page's token is refused");
    let page = get(&f.app, "/login?next=/residents", None).await;
    let csrf_cookie =
        page.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().split(';').next().unwrap_or_default().to_string();
    let token = csrf_cookie.split_once('=').map(|(_, v)| v.to_string()).unwrap_or_default();
    assert!(page.body.contains(&token) && !token.is_empty());
    let form = format!("name=community_worker&password={PASSWORD}&next=%2Fresidents&csrf={token}");
    let r = send(&f.app, Method::POST, "/login", Some(&csrf_cookie), &[], Some(("application/x-www-form-urlencoded", form))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let cookie = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let cookie = cookie.split(';').next().expect("pair").to_string();
    let head = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    let r = get(&f.app, "/residents", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("居民查询") && r.body.contains(&head.name), "the account's own community by default");
    let r = get(&f.app, "/residents?region=abc", Some(&cookie)).await;
    assert!(r.body.contains("没有名为“abc”的区划"), "a name that is no region is explained on the page");
    let r = get(&f.app, "/residents?region=12345", Some(&cookie)).await;
    assert!(r.body.contains("应为2、4、6、9或12位"), "a bad code is explained on the page");
    let r = get(&f.app, &format!("/residents?region={}", f.outside.community), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("不在您的管辖区域内"));
    let r = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("家庭成员") && r.body.contains("暂无变更"));
    // A change to a member shows in the household's change history.
    let mut changed = head.clone();
    changed.phone = Some("02400000000".into());
    let batch =
        minzheng_store::RegistryBatch { households: vec![], persons: vec![changed], source: "fix.csv".into(), checksum: String::new() };
    f.store.apply_batch(&batch, &minzheng_store::Actor::new("clerk"), &|_| {}).await.expect("change");
    let r = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&cookie)).await;
    assert!(
        r.body.contains("变更记录") && r.body.contains("联系电话：") && r.body.contains("02400000000") && r.body.contains("clerk"),
        "the change is listed"
    );
    let grid = sign_in(&f.app, "grid_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&grid.cookie)).await;
    assert!(r.body.contains("024****0000") && !r.body.contains("02400000000"), "masked for a grid worker");
}

#[tokio::test]
async fn wrong_passwords_tampered_cookies_and_missing_csrf_tokens_are_refused() {
    let f = fixture("refusals").await;
    let r = sign_in(&f.app, "auditor", "Wrong2026pass").await.err().expect("refused");
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "bad_credentials");
    assert!(r.json()["error"]["message_zh"].as_str().unwrap_or("").contains("密码"));
    let tampered = "mz_session=ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    assert_eq!(get(&f.app, "/api/persons", Some(tampered)).await.status, StatusCode::UNAUTHORIZED);
    let s = sign_in(&f.app, "auditor", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = send(&f.app, Method::DELETE, "/api/session", Some(&s.cookie), &[], None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token, no sign-out");
    let r = send(&f.app, Method::DELETE, "/api/session", Some(&s.cookie), &[("x-csrf-token", "forged")], None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&f.app, Method::DELETE, "/api/session", Some(&s.cookie), &[("x-csrf-token", s.csrf.as_str())], None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(get(&f.app, "/api/persons", Some(&s.cookie)).await.status, StatusCode::UNAUTHORIZED, "the session ended");
    let _ = Role::Auditor;
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    let f = fixture("openapi").await;
    let r = get(&f.app, "/api/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let spec = r.json();
    // Every API path of every module's route table, and nothing else.
    let table = minzheng_server::route_table();
    let mut api: Vec<&str> = table.iter().map(|r| r.path).filter(|p| p.starts_with("/api/") && *p != "/api/openapi.json").collect();
    api.sort_unstable();
    api.dedup();
    for path in &api {
        assert!(spec["paths"].get(*path).is_some(), "{path} is not documented");
    }
    assert_eq!(spec["paths"].as_object().map(|o| o.len()), Some(api.len()), "the document has paths no route answers");
    for r in table.iter().filter(|r| r.path.starts_with("/api/") && r.path != "/api/openapi.json") {
        assert!(spec["paths"][r.path].get(r.method.to_lowercase()).is_some(), "{} {} is not documented", r.method, r.path);
    }
}

#[tokio::test]
async fn a_masked_role_unmasks_one_person_with_a_reason_that_is_audited() {
    let f = fixture("unmask").await;
    let p = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    let s = sign_in(&f.app, "grid_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let uri = format!("/api/persons/{}/unmask", p.id_number);
    let json = |reason: &str| Some(("application/json", serde_json::json!({ "reason": reason }).to_string()));
    let csrf = [("x-csrf-token", s.csrf.as_str())];
    let r = send(&f.app, Method::POST, &uri, Some(&s.cookie), &csrf, json("看")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "reason_required");
    let r = send(&f.app, Method::POST, &uri, Some(&s.cookie), &[], json("入户走访核实身份")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    let r = send(&f.app, Method::POST, &uri, Some(&s.cookie), &csrf, json("入户走访核实身份")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["id_number"], p.id_number.as_str());
    assert_eq!(r.json()["masked"], false);
    let audit = f.store.audit_of("person", p.id_number.as_str()).await.expect("audit");
    let last = audit.last().expect("record");
    assert_eq!(last.action, "unmask");
    assert_eq!(last.after.as_ref().map(|a| a["reason"].clone()), Some(serde_json::json!("入户走访核实身份")));
    let outside = format!("/api/persons/{}/unmask", f.outside_person.id_number);
    let r = send(&f.app, Method::POST, &outside, Some(&s.cookie), &csrf, json("入户走访核实身份")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "out_of_scope");
}

#[tokio::test]
async fn responses_carry_security_headers_and_oversized_bodies_are_refused() {
    let f = fixture("headers").await;
    let r = get(&f.app, "/login", None).await;
    let csp = r.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(r.headers.get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"));
    assert_eq!(r.headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    assert!(r.headers.get("strict-transport-security").is_none(), "no HSTS without TLS");
    assert_eq!(r.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "pages are not kept by browsers");
    let huge = format!(r#"{{"name":"x","password":"{}"}}"#, "a".repeat(minzheng_server::MAX_BODY + 10));
    let r = send(&f.app, Method::POST, "/api/session", None, &[], Some(("application/json", huge))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn auditors_search_and_export_the_audit_log_of_their_region() {
    let f = fixture("auditlog").await;
    let worker = sign_in(&f.app, "community_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let p = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    assert_eq!(get(&f.app, &format!("/api/persons/{}", p.id_number), Some(&worker.cookie)).await.status, StatusCode::OK);
    let auditor = sign_in(&f.app, "auditor", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, &format!("/api/audit?actor=community_worker&entity=person&key={}", p.id_number), Some(&auditor.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["items"][0]["action"], "read");
    assert_eq!(r.json()["items"][0]["actor"], "community_worker");
    assert_eq!(get(&f.app, "/api/audit", Some(&worker.cookie)).await.status, StatusCode::FORBIDDEN, "only auditors read the log");
    // The page as an auditor reads it: operations and objects chosen by name, a date range in
    // Beijing days, the content as words.
    let today = minzheng_domain::calendar::today_in_beijing();
    let r = get(&f.app, &format!("/audit?entity=person&action=read&from={today}&to={today}"), Some(&auditor.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(r#"<option value="read" selected>查询</option>"#) && r.body.contains("<td>人员</td>"), "{}", r.body);
    assert!(r.body.contains(&p.id_number.to_string()) || r.body.contains(&p.id_number.masked()), "today's read is listed");
    let yesterday = today.pred_opt().expect("yesterday");
    let r = get(&f.app, &format!("/audit?entity=person&action=read&to={yesterday}"), Some(&auditor.cookie)).await;
    assert!(r.body.contains("没有符合条件的记录"), "nothing read before today: {}", r.body);
    let r = get(&f.app, "/audit?from=yesterday", Some(&auditor.cookie)).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::BAD_REQUEST, "bad_date"));
    let r = get(&f.app, "/audit/export.xlsx?actor=community_worker", Some(&auditor.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("spreadsheetml"));
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_slowed_down() {
    let mut f = fixture("ratelimit").await;
    let mut state = minzheng_server::AppState::new(f.store.clone(), &minzheng_app::config::Config::default()).await.expect("state");
    state.login_limiter = std::sync::Arc::new(minzheng_server::auth::LoginLimiter::new(3));
    f.app = minzheng_server::router(state);
    for name in ["a1", "a2", "a3"] {
        let r = sign_in(&f.app, name, "Wrong2026pass").await.err().expect("refused");
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in(&f.app, "auditor", PASSWORD).await.err().expect("limited even with the right password");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"]["code"], "rate_limited");
    let audit = f.store.audit_of("account", "auditor").await.expect("audit");
    assert!(audit.iter().any(|r| r.action == "login_rate_limited"), "recorded as a security event");
}

#[tokio::test]
async fn each_role_lands_on_a_home_page_with_its_sub_platforms() {
    let f = fixture("home").await;
    let worker = sign_in(&f.app, "community_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, "/", Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("工作台") && r.body.contains("社区工作者") && r.body.contains("儿童福利（建设中）"));
    // A built sub-platform the role does not use is not shown as one to come.
    assert!(!r.body.contains("养老服务（建设中）"), "built sub-platforms are never 建设中");
    assert!(!r.body.contains("社会救助（建设中）") && r.body.contains(r#"href="/cases""#), "built sub-platforms are links, not 建设中");
    assert!(!r.body.contains("href=\"/audit\""), "no audit log for a community worker");
    let auditor = sign_in(&f.app, "auditor", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, "/", Some(&auditor.cookie)).await;
    assert!(r.body.contains("href=\"/audit\""), "the auditor's home links the audit log");
    // The street reviewer's work: the fixture's 高龄补贴 application waits for its first review.
    let street = sign_in(&f.app, "street_reviewer", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, "/", Some(&street.cookie)).await;
    assert!(r.body.contains("待我办理的办件 1 件") && r.body.contains("href=\"/cases?list=queue\""), "{}", r.body);

    // A finding assigned to the street reviewer reaches the street reviewer's desk and queue.
    let county = sign_in(&f.app, "county_approver", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, "/", Some(&county.cookie)).await;
    assert!(r.body.contains("待分派的新疑点 1 条") && r.body.contains("已核实待处理的疑点 0 条"), "{}", r.body);
    let form =
        format!("csrf={}&ids={}&to=street_reviewer&comment=%E8%AF%B7%E5%85%A5%E6%88%B7%E6%A0%B8%E5%AE%9E", county.csrf, f.inside_finding);
    let r =
        send(&f.app, Method::POST, "/findings/assign", Some(&county.cookie), &[], Some(("application/x-www-form-urlencoded", form))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, "/", Some(&street.cookie)).await;
    assert!(r.body.contains("指派给我待核实的疑点 1 条") && r.body.contains("/findings?mine=1&"), "{}", r.body);
    let r = get(&f.app, "/findings?mine=1&status=assigned", Some(&street.cookie)).await;
    assert!(r.body.contains(&format!("/findings/{}", f.inside_finding)), "{}", r.body);
    let r = get(&f.app, "/findings?mine=1", Some(&county.cookie)).await;
    assert!(!r.body.contains(&format!("/findings/{}\"", f.inside_finding)), "not in the county's own queue");
}

#[tokio::test]
async fn the_pages_switch_to_english_and_back() {
    let f = fixture("english").await;
    let r = get(&f.app, "/lang/en", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let lang =
        r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().split(';').next().unwrap_or_default().to_string();
    assert_eq!(lang, "mz_lang=en");
    let r = get(&f.app, "/login", Some(&lang)).await;
    assert!(r.body.contains("<html lang=\"en\">") && r.body.contains("Sign in") && r.body.contains("Password"));
    let s = sign_in(&f.app, "community_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let both = format!("{}; {lang}", s.cookie);
    let r = get(&f.app, "/residents", Some(&both)).await;
    assert!(r.body.contains("Residents") && r.body.contains("Relation to head") && r.body.contains("community_worker"), "{}", r.body);
    assert!(!r.body.contains("居民查询"), "no Chinese labels left on the English page");
    let r = get(&f.app, "/", Some(&both)).await;
    assert!(r.body.contains("Children in difficulty (coming)") || r.body.contains("Children in difficulty（coming）"), "{}", r.body);
    let r = get(&f.app, "/residents", Some(&s.cookie)).await;
    assert!(r.body.contains("居民查询"), "Chinese without the cookie");
}

#[tokio::test]
async fn the_household_page_unmasks_a_member_for_a_reason() {
    let f = fixture("unmaskpage").await;
    let s = sign_in(&f.app, "grid_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&s.cookie)).await;
    assert!(r.body.contains("查看完整号码"), "a masked role is offered the form");
    let members = f.store.household_members(&f.inside.household_no).await.expect("members");
    let form = format!("csrf={}&member=0&reason=%E5%85%A5%E6%88%B7%E6%A0%B8%E5%AE%9E", s.csrf);
    let r = send(
        &f.app,
        Method::POST,
        &format!("/households/{}/unmask", f.inside.household_no),
        Some(&s.cookie),
        &[],
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(members[0].id_number.as_str()), "the full number is shown");
    let audit = f.store.audit_of("person", members[0].id_number.as_str()).await.expect("audit");
    assert!(audit.iter().any(|a| a.action == "unmask" && a.after.as_ref().is_some_and(|x| x["reason"] == "入户核实")));
    let worker = sign_in(&f.app, "community_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&worker.cookie)).await;
    assert!(!r.body.contains("查看完整号码"), "a role that sees full numbers is not offered the form");
}

/// 入户调查: the case worker records, on the household page, the legal supporters living
/// elsewhere whom the survey found able; a value that cannot be read comes back on the page as
/// typed, with the reason; the recorded value is shown and the rules read it.
#[tokio::test]
async fn the_household_page_records_supporters_living_elsewhere() {
    let f = fixture("supporters").await;
    let elder = lone_resident(f.store.as_ref(), &f.inside.community, 901, chrono::NaiveDate::from_ymd_opt(1950, 2, 2).expect("date")).await;
    let no = elder.household_no.clone().expect("household");
    let worker = sign_in(&f.app, "community_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let page = get(&f.app, &format!("/households/{no}"), Some(&worker.cookie)).await;
    assert!(page.body.contains("不在本户的法定义务人") && page.body.contains("未记录"), "{}", page.body);
    assert!(
        page.body.contains("action=\"/households/{no}/supporters\"".replace("{no}", &no).as_str()),
        "the case worker is offered the form"
    );
    let post = |form: String| {
        let app = f.app.clone();
        let cookie = worker.cookie.clone();
        let no = no.clone();
        async move {
            send(
                &app,
                Method::POST,
                &format!("/households/{no}/supporters"),
                Some(&cookie),
                &[],
                Some(("application/x-www-form-urlencoded", form)),
            )
            .await
        }
    };
    // 二 is not a number: the page comes back with the reason and the source as typed.
    let r =
        post(format!("csrf={}&member=0&able=%E4%BA%8C&since=2026-08-01&source=%E5%84%BF%E5%AD%90%E5%9C%A8%E5%A4%A7%E8%BF%9E", worker.csrf))
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("人数应为 0 到 20 的整数") && r.body.contains("value=\"二\"") && r.body.contains("儿子在大连"), "{}", r.body);
    // A form for a member no longer at that place in the household records nothing.
    let r = post(format!("csrf={}&member=0&name=%E7%8E%8B%E4%BA%94&able=1&since=2026-08-01&source=x", worker.csrf)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("该户成员已有变动"), "{}", r.body);
    let r = post(format!(
        "csrf={}&member=0&name=%E7%8B%AC%E5%B1%85901&able=1&since=2026-08-01&source=%E5%84%BF%E5%AD%90%E5%9C%A8%E5%A4%A7%E8%BF%9E",
        worker.csrf
    ))
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // An earlier survey's finding, sent after, changes nothing and says so.
    let r = post(format!("csrf={}&member=0&name=%E7%8B%AC%E5%B1%85901&able=0&since=2026-07-01&source=x", worker.csrf)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("已有日期更晚的入户调查记录"), "{}", r.body);
    // Both are in the audit log, the second with the value it found held.
    let audit = f.store.audit_of("person", elder.id_number.as_str()).await.expect("audit");
    let older = audit.iter().find(|a| a.action == "fact_older").expect("the older finding audited");
    assert_eq!(older.before.as_ref().map(|b| b["value"].clone()), Some(serde_json::json!(1)), "{older:?}");
    let page = get(&f.app, &format!("/households/{no}"), Some(&worker.cookie)).await;
    assert!(page.body.contains("有履行能力的 1 人 · 2026-08-01 起 · 儿子在大连"), "{}", page.body);
    let facts =
        f.store.person_facts(minzheng_domain::PersonFact::ABLE_SUPPORTERS_ELSEWHERE, Some(&[elder.id_number])).await.expect("facts");
    assert_eq!(facts.iter().map(|x| x.value).collect::<Vec<_>>(), [1]);
    // A role that does not handle cases is shown the record without the form, and refused.
    let admin = sign_in(&f.app, "city_admin", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let page = get(&f.app, &format!("/households/{no}"), Some(&admin.cookie)).await;
    assert!(page.body.contains("有履行能力的 1 人") && !page.body.contains("/supporters\""), "{}", page.body);
    let r = send(
        &f.app,
        Method::POST,
        &format!("/households/{no}/supporters"),
        Some(&admin.cookie),
        &[],
        Some(("application/x-www-form-urlencoded", format!("csrf={}&member=0&able=0&since=2026-08-01", admin.csrf))),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn metrics_count_responses_by_status_class() {
    let f = fixture("metrics").await;
    let _ = get(&f.app, "/login", None).await;
    let _ = get(&f.app, "/api/persons", None).await;
    let r = get(&f.app, "/metrics", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("minzheng_http_responses_total{class=\"2xx\"} 1"), "{}", r.body);
    assert!(r.body.contains("minzheng_http_responses_total{class=\"4xx\"} 1"), "{}", r.body);
}

#[tokio::test]
async fn the_home_page_charts_residents_per_region_below() {
    let f = fixture("stats").await;
    let s = sign_in(&f.app, "city_admin", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, "/api/stats/residents", Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = r.json();
    let total: u64 = rows.as_array().expect("rows").iter().map(|x| x["persons"].as_u64().unwrap_or(0)).sum();
    assert_eq!(total as usize, f.city.persons.len(), "every Shenyang resident is counted once");
    assert!(rows.as_array().expect("rows").iter().any(|x| x["name"] == "浑南区" || x["name"] == "和平区"));
    let r = get(&f.app, "/", Some(&s.cookie)).await;
    assert!(r.body.contains("id=\"chart\"") && r.body.contains("/static/vendor/echarts.min.js"));
    let js = get(&f.app, "/static/vendor/echarts.min.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(get(&f.app, "/static/../Cargo.toml", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_community_worker_finds_any_city_resident_by_full_id_to_accept_an_application() {
    let f = fixture("acceptance").await;
    let worker = sign_in(&f.app, "community_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    // A resident of another county of the city: outside the worker's community.
    let other =
        f.city.persons.iter().find(|p| !p.hukou_region.as_str().starts_with(&f.inside.community.as_str()[..6])).expect("someone elsewhere");
    assert_eq!(
        get(&f.app, &format!("/api/persons/{}", other.id_number), Some(&worker.cookie)).await.status,
        StatusCode::FORBIDDEN,
        "no browsing"
    );
    let r = get(&f.app, &format!("/api/acceptance/{}", other.id_number), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["name"], other.name.as_str());
    assert_eq!(r.json()["id_number"], other.id_number.masked());
    assert_eq!(r.json()["owning_county"], &other.hukou_region.as_str()[..6]);
    assert!(r.json().get("phone").is_none() && r.json().get("household_no").is_none(), "nothing more of the household");
    let r = get(&f.app, &format!("/api/acceptance/{}", f.outside_person.id_number), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another city's resident");
    let grid = sign_in(&f.app, "grid_worker", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    assert_eq!(get(&f.app, &format!("/api/acceptance/{}", other.id_number), Some(&grid.cookie)).await.status, StatusCode::FORBIDDEN);
    let audit = f.store.audit_of("person", other.id_number.as_str()).await.expect("audit");
    assert!(audit.iter().any(|a| a.action == "lookup_for_acceptance"));
}

#[tokio::test]
async fn a_password_is_changed_with_the_old_one_and_a_csrf_token() {
    let f = fixture("password").await;
    let s = sign_in(&f.app, "auditor", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let body = |old: &str, new: &str| Some(("application/json", serde_json::json!({ "old": old, "new": new }).to_string()));
    let r = send(&f.app, Method::POST, "/api/password", Some(&s.cookie), &[], body(PASSWORD, "Another2026x")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    let refused = f.store.audit_of("session", "auditor").await.expect("audit");
    assert!(refused.iter().any(|a| a.action == "csrf_refused"), "a forged request is a security event");
    let csrf = [("x-csrf-token", s.csrf.as_str())];
    let r = send(&f.app, Method::POST, "/api/password", Some(&s.cookie), &csrf, body("wrong-old-1", "Another2026x")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(&f.app, Method::POST, "/api/password", Some(&s.cookie), &csrf, body(PASSWORD, "weak")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap_or("").contains("密码"));
    let r = send(&f.app, Method::POST, "/api/password", Some(&s.cookie), &csrf, body(PASSWORD, "Another2026x")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(get(&f.app, "/api/persons", Some(&s.cookie)).await.status, StatusCode::UNAUTHORIZED, "sessions end");
    assert!(sign_in(&f.app, "auditor", "Another2026x").await.is_ok());
}

/// A router whose address limit is `per_minute` (every test request comes from one address).
async fn with_address_limit(f: &mut Fixture, per_minute: u32) {
    let mut state = minzheng_server::AppState::new(f.store.clone(), &minzheng_app::config::Config::default()).await.expect("state");
    state.login_limiter = std::sync::Arc::new(minzheng_server::auth::LoginLimiter::new(per_minute));
    f.app = minzheng_server::router(state);
}

/// Sends the same sign-in `n` times at once; the statuses as they came back.
async fn sign_ins_at_once(app: &axum::Router, attempts: Vec<(String, String)>) -> Vec<StatusCode> {
    let handles: Vec<_> = attempts
        .into_iter()
        .map(|(name, password)| {
            let app = app.clone();
            tokio::spawn(async move {
                match sign_in(&app, &name, &password).await {
                    Ok(_) => StatusCode::OK,
                    Err(r) => r.status,
                }
            })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_wrong_passwords_at_once_lock_the_account_and_the_right_one_among_them_gets_nowhere() {
    let mut f = fixture("concurrent-lockout").await;
    with_address_limit(&mut f, 1000).await;
    let mut attempts: Vec<(String, String)> = (0..59).map(|i| ("auditor".to_string(), format!("Wrong{i}pass2026"))).collect();
    attempts.push(("auditor".to_string(), PASSWORD.to_string()));
    let statuses = sign_ins_at_once(&f.app, attempts).await;
    let wrong = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert!(wrong <= 4, "at most four failures are answered as such before the lock: {statuses:?}");
    let account = f.store.account("auditor").await.expect("read").expect("exists");
    assert!(account.locked_until.is_some(), "the account is locked");
    // The right password is either among the first five (and signs in, clearing the count) or
    // refused with the rest; it never slips through the lock. Once locked, it is refused.
    if !statuses.contains(&StatusCode::OK) {
        let r = sign_in(&f.app, "auditor", PASSWORD).await.err().expect("locked");
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.json()["error"]["code"], "locked");
    }
    let audit = f.store.audit_of("account", "auditor").await.expect("audit");
    assert!(audit.iter().any(|a| a.action == "account_locked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_address_guessing_at_once_meets_the_same_limit_as_one_by_one() {
    let mut f = fixture("concurrent-address").await;
    with_address_limit(&mut f, 3).await;
    let attempts = (0..20).map(|i| (format!("nobody{i}"), "Wrong2026pass".to_string())).collect();
    let statuses = sign_ins_at_once(&f.app, attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 17);
}

#[tokio::test]
async fn guessing_the_old_password_with_a_session_counts_as_failed_sign_ins_and_locks() {
    let f = fixture("password-oracle").await;
    let s = sign_in(&f.app, "auditor", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let csrf = [("x-csrf-token", s.csrf.as_str())];
    let body = |old: &str| Some(("application/json", serde_json::json!({ "old": old, "new": "Another2026x" }).to_string()));
    let mut statuses = Vec::new();
    for i in 0..7 {
        statuses.push(send(&f.app, Method::POST, "/api/password", Some(&s.cookie), &csrf, body(&format!("guess{i}x2026"))).await.status);
    }
    assert_eq!(&statuses[..4], &[StatusCode::UNAUTHORIZED; 4]);
    assert_eq!(&statuses[4..], &[StatusCode::TOO_MANY_REQUESTS; 3], "the fifth wrong guess locks the account");
    let r = send(&f.app, Method::POST, "/api/password", Some(&s.cookie), &csrf, body(PASSWORD)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the right one too, while locked");
    let audit = f.store.audit_of("account", "auditor").await.expect("audit");
    assert_eq!(audit.iter().filter(|a| a.action == "password_change_failed").count(), 4, "each guess is audited");
    assert!(audit.iter().any(|a| a.action == "account_locked"));
    assert!(sign_in(&f.app, "auditor", PASSWORD).await.is_err(), "and signing in is locked too");
}

/// The sign-in form's CSRF cookie and token, as a browser gets them from `GET /login`.
async fn login_form(app: &axum::Router) -> String {
    let r = get(app, "/login", None).await;
    let set = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    set.split(';').next().unwrap_or_default().split_once('=').map(|(_, v)| v.to_string()).expect("login csrf cookie")
}

fn form(fields: &[(&str, &str)]) -> Option<(&'static str, String)> {
    let body: String = fields
        .iter()
        .map(|(k, v)| {
            let enc: String =
                v.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&");
    Some(("application/x-www-form-urlencoded", body))
}

#[tokio::test]
async fn after_signing_in_only_a_path_of_this_site_is_followed() {
    let f = fixture("redirects").await;
    for (next, expected) in [
        ("/households?q=1", "/households?q=1"),
        ("/\t/evil.example/", "/"),
        ("/\n/evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
    ] {
        let token = login_form(&f.app).await;
        let cookie = format!("mz_login_csrf={token}");
        let r = send(
            &f.app,
            Method::POST,
            "/login",
            Some(&cookie),
            &[],
            form(&[("name", "auditor"), ("password", PASSWORD), ("next", next), ("csrf", &token)]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
        assert_eq!(r.headers.get("location").and_then(|v| v.to_str().ok()), Some(expected), "{next:?}");
    }
    let r = get(&f.app, "/login?next=%2F%09%2Fevil.example%2F", None).await;
    assert!(!r.body.contains("evil.example"), "the form does not carry the foreign address either");
}

#[tokio::test]
async fn anonymous_refusals_write_a_bounded_trace_to_the_audit_log() {
    let mut f = fixture("audit-flood").await;
    with_address_limit(&mut f, 10).await;
    let all = minzheng_store::AuditQuery { include_unbound: true, limit: 1000, ..Default::default() };
    let newest = f.store.audit_search(&all).await.expect("audit").items.first().map(|r| r.id).unwrap_or(0);
    let long = "x".repeat(5000);
    for _ in 0..50 {
        let r = send(&f.app, Method::POST, "/login", None, &[], form(&[("name", &long), ("password", "p")])).await;
        assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::TOO_MANY_REQUESTS, "{}", r.status);
        assert!(r.body.len() < 20_000, "the page does not echo the whole name back");
    }
    let huge = "y".repeat(250_000);
    let r = send(&f.app, Method::POST, "/login", None, &[], form(&[("name", &huge), ("password", "p")])).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = send(
        &f.app,
        Method::POST,
        "/api/session",
        None,
        &[],
        Some(("application/json", serde_json::json!({ "name": huge, "password": "p" }).to_string())),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let records = f.store.audit_search(&all).await.expect("audit").items;
    let new: Vec<_> = records.iter().filter(|r| r.id > newest).collect();
    let actions: Vec<(&str, usize)> = new.iter().map(|r| (r.action.as_str(), r.entity_key.len())).collect();
    assert!(new.len() <= 14, "ten refusals, then the 1st and 10th over the limit: {} {actions:?}", new.len());
    let text: usize = new.iter().map(|r| r.entity_key.len() + r.actor.len()).sum();
    assert!(text < 4000, "names are cut in the log: {text} bytes");
}

#[tokio::test]
async fn a_date_out_of_any_sensible_range_is_refused_not_evaluated() {
    let f = fixture("far-dates").await;
    let s = sign_in(&f.app, "city_admin", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    for on in ["%2B262142-01-01", "1066-10-14", "9999-12-31"] {
        let r = get(&f.app, &format!("/api/households/{}/check?on={on}", f.inside.household_no), Some(&s.cookie)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{on}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_date");
    }
    let r = get(&f.app, &format!("/api/households/{}/check?on=2026-07-01", f.inside.household_no), Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[test]
fn request_logs_carry_no_id_numbers() {
    assert_eq!(minzheng_server::logged_path("/api/persons/21010219491231002X/unmask"), "/api/persons/210102************/unmask");
    assert_eq!(minzheng_server::logged_path("/households/2101020010010001"), "/households/2101020010010001");
}

#[tokio::test]
async fn a_masked_role_finds_no_full_number_in_lists_cursors_or_household_heads() {
    let f = fixture("masked-lists").await;
    let s = sign_in(&f.app, "city_admin", PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let county = &f.inside.community.as_str()[..6];
    let r = get(&f.app, &format!("/api/persons?region={county}&limit=1"), Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let shown = r.json()["items"][0]["id_number"].as_str().unwrap_or_default().to_string();
    assert!(shown.ends_with("************"), "{shown}");
    let full: Vec<String> = f.city.persons.iter().map(|p| p.id_number.to_string()).collect();
    let next = r.json()["next"].as_str().unwrap_or_default().to_string();
    assert!(!next.is_empty() && !full.iter().any(|id| next.contains(&id[..14])), "the cursor carries no number: {next}");
    let forged = get(&f.app, &format!("/api/persons?region={county}&limit=1&after={}", full[0]), Some(&s.cookie)).await;
    assert_eq!(forged.json()["error"]["code"], "stale_cursor", "a cursor made by the client is refused");
    let page2 = get(&f.app, &format!("/api/persons?region={county}&limit=1&after={next}"), Some(&s.cookie)).await;
    assert_eq!(page2.status, StatusCode::OK, "the sealed cursor pages on");
    for body in [
        get(&f.app, &format!("/api/households?region={}", f.inside.community), Some(&s.cookie)).await.body,
        get(&f.app, &format!("/api/households/{}", f.inside.household_no), Some(&s.cookie)).await.body,
    ] {
        assert!(!full.iter().any(|id| body.contains(id.as_str())), "no full number in {body}");
    }
    // On the residents page an expired page link asks, in the page, to start again.
    let r = get(&f.app, &format!("/residents?region={county}&after=00ff"), Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("<html") && r.body.contains("重新查询"), "{}", r.body);
    // The search's audit record says whom it showed.
    let records = f.store.audit_of("person_search", county).await.expect("audit");
    let persons = records.last().and_then(|r| r.after.clone()).unwrap_or_default()["persons"].clone();
    assert!(persons.as_array().is_some_and(|p| p.len() == 1 && full.iter().any(|id| Some(id.as_str()) == p[0].as_str())), "{persons}");
}

/// A household check's result is said, never assumed: a step without it is refused.
#[tokio::test]
async fn a_check_without_its_assets_decision_is_refused() {
    let f = fixture("payments-check").await;
    let officer = sign_in(&f.app, Role::VerificationOfficer.as_str(), PASSWORD).await.map_err(|r| r.body).expect("officer");
    let case = get(&f.app, &format!("/api/cases/{}", f.inside_case), Some(&officer.cookie)).await.json();
    let version = case["version"].as_i64().or(case["case"]["version"].as_i64()).expect("version");
    let body = format!(r#"{{"action":"record_check","per_capita_income":"0","comment":"核对无收入和财产","seen":{version}}}"#);
    let r = send(
        &f.app,
        Method::POST,
        &format!("/api/cases/{}/actions", f.inside_case),
        Some(&officer.cookie),
        &[("x-csrf-token", officer.csrf.as_str())],
        Some(("application/json", body)),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "no_assets_decision", "{}", r.body);
}

#[tokio::test]
async fn page_errors_come_back_as_pages_in_the_sites_frame_and_the_api_keeps_its_json() {
    let f = fixture("error-pages").await;
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let html = |r: &Reply| r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("text/html");

    // An address no page answers: a page with the menu, not the browser's own 404.
    let r = get(&f.app, "/cases/no/such/page", Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(html(&r) && r.body.contains("找不到该页面") && r.body.contains("全市通办") && r.body.contains("回到工作台"), "{}", r.body);
    let r = get(&f.app, "/api/no/such", Some(&worker.cookie)).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "the API keeps JSON");

    // A record outside the region, a page the role may not open.
    let r = get(&f.app, &format!("/households/{}", f.outside.household_no), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(html(&r) && r.body.contains("不在您的管辖区域内") && !r.body.contains("{\"error\""), "{}", r.body);
    let r = get(&f.app, "/audit", Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(html(&r) && r.body.contains("无权办理") && r.body.contains("您的角色无权使用此功能"), "{}", r.body);

    // An application whose ID number has a wrong check character, posted by a plain form: the
    // page says so and leads back to the form.
    let mut id = f.city.persons[0].id_number.to_string();
    let last = id.pop().expect("check character");
    id.push(if last == '0' { '1' } else { '0' });
    let form = format!("csrf={}&service=dibao&applicant={id}&documents=identity", worker.csrf);
    let r =
        send(&f.app, Method::POST, "/cases", Some(&worker.cookie), &[], Some(("application/x-www-form-urlencoded", form.clone()))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r) && r.body.contains("校验") && r.body.contains(r#"href="/cases/new""#), "{}", r.body);
    // The same form sent by the pages' script: the message and the field it is about, as JSON,
    // for the form to show beside the field with what was typed kept.
    let r = send(
        &f.app,
        Method::POST,
        "/cases",
        Some(&worker.cookie),
        &[("x-minzheng-form", "1")],
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["field"], "applicant", "{}", r.body);

    // A form field of the wrong kind (the framework's own refusal) is said in Chinese.
    let r = send(
        &f.app,
        Method::POST,
        &format!("/households/{}/unmask", f.inside.household_no),
        Some(&worker.cookie),
        &[],
        Some(("application/x-www-form-urlencoded", format!("csrf={}&member=abc&reason=x", worker.csrf))),
    )
    .await;
    assert!(r.status.is_client_error() && html(&r) && r.body.contains("表单中有内容填写不正确"), "{} {}", r.status, r.body);
}

/// 提标测算 in staff terms: the parameter from a list, the amount in yuan (30 means 30 yuan,
/// not 30 fen), a rate in per cent; words where a number belongs and an unconfirmed lowering are
/// refused beside the field they are about.
#[tokio::test]
async fn a_what_if_is_given_in_yuan_and_per_cent_and_a_lowering_must_be_confirmed() {
    let f = fixture("whatif-staff").await;
    let admin = sign_in(&f.app, Role::CityAdmin.as_str(), PASSWORD).await.map_err(|r| r.body).expect("admin");
    let page = get(&f.app, "/policy", Some(&admin.cookie)).await;
    assert!(page.body.contains(r#"<option value="gaoling_80">"#) && page.body.contains("现行 25.00 元/人/月"), "{}", page.body);
    let post = |fields: String| {
        let (app, cookie) = (f.app.clone(), admin.cookie.clone());
        async move {
            send(
                &app,
                Method::POST,
                "/policy/whatif",
                Some(&cookie),
                &[("x-minzheng-form", "1")],
                Some(("application/x-www-form-urlencoded", fields)),
            )
            .await
        }
    };
    let form = |parameter: &str, how: &str, amount: &str, extra: &str| {
        format!("csrf={}&region=2101&from=2026-08-01&parameter={parameter}&how={how}&amount={}{extra}", admin.csrf, url(amount))
    };
    let r = post(form("gaoling_80", "set", "三十", "")).await;
    assert_eq!((r.status, r.json()["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("amount")), "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap_or("").contains("以元计的金额"), "{}", r.body);
    let r = post(form("gaoling_80", "set", "20", "")).await;
    assert_eq!(r.json()["error"]["field"], "confirm_lower", "25 → 20 yuan lowers the allowance: {}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().unwrap_or("").contains("25.00 元/人/月"), "{}", r.body);
    // 30 yuan: a run whose change is 3000 fen.
    let r = post(form("gaoling_80", "set", "30", "")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let to = r.headers.get("x-minzheng-location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(to.starts_with("/policy/runs/"), "{to}");
    let run = get(&f.app, &to, Some(&admin.cookie)).await;
    assert!(run.body.contains("高龄补贴：80-89周岁（沈阳市）= 30.00 元/人/月"), "{}", run.body);
    let r = post(form("dibao_standard:urban", "percent", "7", "")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = post(form("dibao_standard:urban", "percent", "-5", "&confirm_lower=on")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "a confirmed lowering is costed: {}", r.body);
}

fn url(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// At the window: a receipt for an accepted application, and a one-time notice of what an
/// incomplete one lacks (worked out as acceptance would, nothing opened by asking).
#[tokio::test]
async fn the_window_prints_a_receipt_and_a_one_time_notice_of_missing_documents() {
    let f = fixture("receipt").await;
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let pdf = |r: &Reply| {
        r.status == StatusCode::OK && r.headers.get("content-type").is_some_and(|v| v == "application/pdf") && r.body.starts_with("%PDF")
    };
    let r = get(&f.app, &format!("/cases/{}/receipt.pdf", f.inside_case), Some(&worker.cookie)).await;
    assert!(pdf(&r), "{} {}", r.status, r.body.split("<main>").last().unwrap_or_default().chars().take(600).collect::<String>());
    let r = get(&f.app, &format!("/cases/{}/receipt.pdf", f.outside_case), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let head = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    let cases_before = f.store.count_cases(&minzheng_store::CaseQuery::default()).await.expect("count");
    let form = format!("csrf={}&service=apply_linshi&applicant={}&documents=application", worker.csrf, head.id_number);
    let r = send(
        &f.app,
        Method::POST,
        "/cases/missing-documents",
        Some(&worker.cookie),
        &[],
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await;
    assert!(pdf(&r), "{} {}", r.status, r.body.split("<main>").last().unwrap_or_default().chars().take(600).collect::<String>());
    let log = f.store.audit_of("person", &head.id_number.to_string()).await.expect("audit");
    let looked = log.iter().find(|e| e.action == "lookup_documents").expect("the look-up is audited");
    let missing = looked.after.as_ref().map(|a| a["missing"].clone()).unwrap_or_default();
    assert!(missing.as_array().is_some_and(|m| m.iter().any(|d| d == "medical_bills")), "{missing}");
    assert_eq!(f.store.count_cases(&minzheng_store::CaseQuery::default()).await.expect("count"), cases_before, "no case opened by asking");
}

/// 核对报告列表: the county's check reports, newest first with what the rules concluded; none of
/// another region's; a region outside is refused.
#[tokio::test]
async fn the_check_reports_of_the_region_are_listed() {
    let f = fixture("check-list").await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let home = get(&f.app, "/", Some(&county.cookie)).await;
    assert!(home.body.contains(r#"href="/verifications""#), "核对报告 in the menu");
    let r = get(&f.app, "/verifications", Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!(r#"href="/verifications/{}""#, f.inside_verification)), "{}", r.body);
    assert!(r.body.contains(r#"<span id="total">共 1 条</span>"#), "{}", r.body);
    assert!(!r.body.contains(&format!(r#"href="/verifications/{}""#, f.outside_verification)));
    let r = get(&f.app, "/verifications?region=2102", Some(&county.cookie)).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::FORBIDDEN, "out_of_scope"));
}

/// The resident search as staff use it: a region typed by its name, an ID number in the search
/// box, and "nothing found" said when nothing matches.
#[tokio::test]
async fn residents_are_found_by_region_name_and_by_id_number() {
    let f = fixture("search-names").await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let county_code = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let county_name = f.store.region(&county_code).await.expect("read").expect("known").name;
    let r = get(&f.app, &format!("/residents?region={}", url(&county_name)), Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("{county_name}（{county_code}）")), "the name is read as the district");
    let head = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    let r = get(&f.app, &format!("/residents?name={}", head.id_number), Some(&county.cookie)).await;
    assert!(r.body.contains(&head.name) && r.body.contains(&format!("/households/{}", f.inside.household_no)), "{}", r.body);
    let r = get(&f.app, &format!("/residents?name={}", f.outside_person.id_number), Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a resident outside the district is refused");
    let r = get(&f.app, &format!("/residents?name={}", url("查无此人")), Some(&county.cookie)).await;
    assert!(r.body.contains("未找到符合条件的记录"), "{}", r.body);
    let r = get(&f.app, &format!("/residents?region={}", url("不存在区")), Some(&county.cookie)).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("没有名为“不存在区”的区划"), "{}", r.body);
    let r = get(&f.app, &format!("/findings?region={}", url(&county_name)), Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "the findings filter takes the name too: {}", r.body);
}

/// Lists say how many they hold (共 N 条) and can be printed.
#[tokio::test]
async fn lists_say_how_many_they_hold() {
    let f = fixture("list-totals").await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let r = get(&f.app, "/cases?list=all", Some(&county.cookie)).await;
    assert!(r.body.contains(r#"<span id="total">共 1 条</span>"#) && r.body.contains("data-print"), "{}", r.body);
    let r = get(&f.app, "/findings", Some(&county.cookie)).await;
    assert!(r.body.contains(r#"<span id="total">共 1 条</span>"#), "{}", r.body);
    // And export to Excel with the same filters.
    for url in ["/cases/export.xlsx?list=all", "/findings/export.xlsx"] {
        let r = get(&f.app, url, Some(&county.cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("spreadsheetml"), "{url}");
        assert!(r.body.starts_with("PK"), "{url}: a workbook");
    }
}

/// Staff are named as people: the person behind an account in the page header and on the case's
/// timeline instead of the login.
#[tokio::test]
async fn staff_are_named_as_people_not_logins() {
    let f = fixture("display-names").await;
    minzheng_app::auth::name_account(f.store.as_ref(), &minzheng_store::Actor::new("test"), "street_reviewer", "王芳").await.expect("name");
    let street = sign_in(&f.app, Role::StreetReviewer.as_str(), PASSWORD).await.map_err(|r| r.body).expect("street");
    let r = get(&f.app, "/", Some(&street.cookie)).await;
    assert!(r.body.contains("王芳 street_reviewer"), "the header names the person: {}", r.body);
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let r = get(&f.app, "/audit", Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "the county approver reads no audit log");
    let auditor = sign_in(&f.app, Role::Auditor.as_str(), PASSWORD).await.map_err(|r| r.body).expect("auditor");
    let r = get(&f.app, "/audit?actor=street_reviewer", Some(&auditor.cookie)).await;
    assert!(r.body.contains("王芳（street_reviewer）"), "{}", r.body);
}

/// The case page lists each document the service asks for with its state: received at the window,
/// uploaded, replaced by shared data, or missing.
#[tokio::test]
async fn the_case_page_says_where_each_document_stands() {
    let f = fixture("checklist").await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let r = get(&f.app, &format!("/cases/{}", f.inside_case), Some(&county.cookie)).await;
    assert!(r.body.contains(r#"id="checklist""#), "{}", r.body);
    assert!(r.body.contains("由共享数据替代（公安人口信息）"), "the ID card is replaced by the police's data: {}", r.body);
    assert!(r.body.contains("窗口已收取") || r.body.contains("未收取"), "{}", r.body);
}

/// A due date counted into a year whose public holidays are not entered yet is marked
/// provisional on the case and in the list; one within entered years is not.
#[tokio::test]
async fn a_due_date_into_a_year_without_its_holidays_is_provisional() {
    let f = fixture("provisional").await;
    let member = f.store.household_members(&f.inside.household_no).await.expect("members").into_iter().next().expect("member");
    let late =
        case_about_on(f.store.as_ref(), &f.inside, &member, "apply_dibao", chrono::NaiveDate::from_ymd_opt(2026, 12, 21).expect("date"))
            .await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let r = get(&f.app, &format!("/cases/{late}"), Some(&county.cookie)).await;
    assert!(r.body.contains(r#"id="provisional""#) && r.body.contains("暂定"), "accepted 2026-12-21, due in 2027: {}", r.body);
    let r = get(&f.app, &format!("/cases/{}", f.inside_case), Some(&county.cookie)).await;
    assert!(!r.body.contains(r#"id="provisional""#), "accepted 2026-11-02, due within 2026");
    let r = get(&f.app, "/cases?list=all", Some(&county.cookie)).await;
    assert_eq!(r.body.matches(r#"class="provisional""#).count(), 1, "{}", r.body);
    // The city's administrator is asked for the year (from 1 November; the shipped calendar
    // ends with 2026).
    let admin = sign_in(&f.app, Role::CityAdmin.as_str(), PASSWORD).await.map_err(|r| r.body).expect("admin");
    let r = get(&f.app, "/", Some(&admin.cookie)).await;
    let today = minzheng_domain::calendar::today_in_beijing();
    let cal = minzheng_app::cases::calendar(f.store.as_ref()).await.expect("calendar");
    assert_eq!(r.body.contains(r#"id="calendar-warning""#), cal.year_to_enter(today).is_some(), "{}", r.body);
    let r = get(&f.app, "/", Some(&county.cookie)).await;
    assert!(!r.body.contains(r#"id="calendar-warning""#), "only the administrator is asked");
}

/// 政策找人: a sweep's eligible people of one community as a contact list, the ones not yet
/// covered first, the household already enrolled marked as covered; the read is audited.
#[tokio::test]
async fn a_sweep_gives_a_community_its_contact_list() {
    let f = fixture("contacts").await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let body = format!(r#"{{"region":"{}"}}"#, f.inside.community);
    let r = send(
        &f.app,
        Method::POST,
        "/api/policy/sweeps",
        Some(&county.cookie),
        &[("x-csrf-token", county.csrf.as_str())],
        Some(("application/json", body)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let run = r.json()["run_id"].as_i64().expect("run id");
    let r = get(&f.app, &format!("/policy/runs/{run}/contacts?community={}", f.inside.community), Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(r#"id="contacts""#), "{}", r.body);
    let row =
        r.body.split("<tr").find(|row| row.contains(&format!("/households/{}", f.inside.household_no)) && row.contains("最低生活保障"));
    assert!(row.is_some_and(|row| row.contains("已在保")), "the enrolled household is covered: {}", r.body);
    let log = f.store.audit_of("policy_run", &run.to_string()).await.expect("audit");
    assert!(log.iter().any(|e| e.action == "contacts"), "{log:?}");
    let r = get(&f.app, &format!("/policy/runs/{run}/contacts?community={}", f.outside.community), Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Exporting a list is an export of personal data: only roles that may export, and the workbook's
/// rows are in the audit log as an export.
#[tokio::test]
async fn exporting_a_list_needs_the_export_permission_and_is_recorded() {
    let f = fixture("export-audit").await;
    let grid = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("grid");
    assert_eq!(get(&f.app, "/cases/export.xlsx?list=all", Some(&grid.cookie)).await.status, StatusCode::FORBIDDEN);
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    assert_eq!(get(&f.app, "/cases/export.xlsx?list=all", Some(&county.cookie)).await.status, StatusCode::OK);
    let county_code = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let log = f.store.audit_of("case", county_code.as_str()).await.expect("audit");
    let export = log.iter().find(|e| e.action == "export").expect("an export record");
    assert_eq!(export.after.as_ref().map(|a| a["ids"].clone()), Some(serde_json::json!([f.inside_case])));
    // The audit page finds every code of a name (修改: update, change, set ...).
    let auditor = sign_in(&f.app, Role::Auditor.as_str(), PASSWORD).await.map_err(|r| r.body).expect("auditor");
    let r = get(&f.app, "/audit", Some(&auditor.cookie)).await;
    assert!(r.body.contains(r#"<option value="list,list_cases">列表查询</option>"#), "{}", r.body);
}

/// The resident list exports a community's or a street's residents to Excel for the roles that
/// may export, audited as the registry's export; a county is left to the command line.
#[tokio::test]
async fn a_communitys_residents_export_to_excel() {
    let f = fixture("residents-export").await;
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    let page = get(&f.app, "/residents", Some(&worker.cookie)).await;
    assert!(page.body.contains("/residents/export.xlsx"), "the export link for a role that may export");
    let r = get(&f.app, &format!("/residents/export.xlsx?region={}", f.inside.community), Some(&worker.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.starts_with("PK"), "a workbook");
    let log = f.store.audit_of("registry", f.inside.community.as_str()).await.expect("audit");
    assert!(log.iter().any(|e| e.action == "export"), "{log:?}");
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let county_code = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let r = get(&f.app, &format!("/residents/export.xlsx?region={county_code}"), Some(&county.cookie)).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::BAD_REQUEST, "too_large"));
    let grid = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("grid");
    let page = get(&f.app, "/residents", Some(&grid.cookie)).await;
    assert!(!page.body.contains("/residents/export.xlsx"), "no export for a grid worker");
}

/// Lists come in numbered pages of a chosen size, in the order of a column staff click; a page
/// past the end says nothing is there and leads back; a sort the list does not offer is ignored.
/// The resident list says how many residents the search holds.
#[tokio::test]
async fn lists_come_in_numbered_pages_sorted_by_a_column() {
    let f = fixture("list-pages").await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let r = get(&f.app, "/findings?sort=-found_on&size=20", Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("第 1 / 1 页") && r.body.contains("<strong>20</strong>"), "the page and its size: {}", r.body);
    assert!(r.body.contains("▼") && r.body.contains("size=20&#38;sort=found_on"), "by date, newest first; again: oldest first: {}", r.body);
    let r = get(&f.app, "/cases?list=all&page=2", Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(r#"id="no-cases""#) && r.body.contains(r#"href="/cases?list=all""#), "past the end: {}", r.body);
    let r = get(&f.app, "/verifications?sort=made", Some(&county.cookie)).await;
    assert!(r.body.contains("▲") && r.body.contains(&format!(r#"href="/verifications/{}""#, f.inside_verification)), "{}", r.body);
    let r = get(&f.app, &format!("/cases?list=all&sort={}", url("id; DROP TABLE cases")), Some(&county.cookie)).await;
    assert!(r.status == StatusCode::OK && r.body.contains(r#"<span id="total">共 1 条</span>"#), "{}", r.body);
    let r = get(&f.app, "/verifications/export.xlsx", Some(&county.cookie)).await;
    assert!(r.status == StatusCode::OK && r.body.starts_with("PK"), "the check reports export too");
    // The residents of the inside community: as many as the generated city put there.
    let households: std::collections::HashSet<&str> =
        f.city.households.iter().filter(|h| h.community == f.inside.community).map(|h| h.household_no.as_str()).collect();
    let there = f.city.persons.iter().filter(|p| p.household_no.as_deref().is_some_and(|h| households.contains(h))).count();
    let r = get(&f.app, &format!("/residents?region={}", f.inside.community), Some(&county.cookie)).await;
    assert!(r.body.contains(&format!(r#"<span id="total">共 {there} 条</span>"#)), "{there}: {}", r.body);
}

/// 导出Excel on the payment list (花名册), the recovery ledger and a sweep's contact list, each
/// export in the audit log; printing on every list.
#[tokio::test]
async fn the_payment_list_the_recovery_ledger_and_the_contact_list_export_to_excel() {
    let f = fixture("more-exports").await;
    let county = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("county");
    let county_code = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let page = get(&f.app, &format!("/payments/{}", f.inside_payroll), Some(&county.cookie)).await;
    assert!(
        page.body.contains(&format!("/payments/{}/roster.xlsx", f.inside_payroll)) && page.body.contains("data-print"),
        "{}",
        page.body
    );
    for url in [
        format!("/payments/{}/roster.xlsx", f.inside_payroll),
        format!("/payments/recoveries.xlsx?county={county_code}"),
        format!("/policy/runs/{}/contacts.xlsx?community={}", f.inside_run, f.inside.community),
    ] {
        let r = get(&f.app, &url, Some(&county.cookie)).await;
        assert!(
            r.status == StatusCode::OK && r.body.starts_with("PK"),
            "{url}: {} {}",
            r.status,
            r.body.chars().take(200).collect::<String>()
        );
    }
    let log = f.store.audit_of("payroll_line", county_code.as_str()).await.expect("audit");
    assert!(log.iter().any(|e| e.action == "export"), "the roster's export is recorded");
    // Another county's list is refused.
    let r = get(&f.app, &format!("/payments/{}/roster.xlsx", f.outside_payroll), Some(&county.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
