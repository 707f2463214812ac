//! 数据驾驶舱: the bureau's dashboard for the city, county and street heads: people covered by
//! program and region with drill-down, monthly spending and its trend, new and stopped
//! enrolments, findings open and resolved, cases by stage with the overdue ones. Built on the
//! module shape (`tasks/`): `model.rs` (pure sums), `store.rs` (its queries, once for both
//! databases), `service.rs` (permission and region), `routes.rs` (page and JSON).

pub mod model;
mod routes;
pub mod service;
pub mod store;

use crate::module::{listed, Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::routing::get;
use axum::Router;
use minzheng_domain::Permission;

pub const ROUTES: &[Route] = &[
    Route::new("GET", "/dashboard", Access::Needs(Permission::ViewDashboard)),
    Route::new("GET", "/api/dashboard", Access::Needs(Permission::ViewDashboard)),
];

const MENU: &[MenuEntry] =
    &[MenuEntry { href: "/dashboard", zh: "数据驾驶舱", en: "Dashboard", needs: Some(Permission::ViewDashboard) }];

pub const MODULE: Module = Module { name: "dashboard", routes: ROUTES, router, openapi, menu: MENU, migrations: None, work: None };

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new().route(l("/dashboard", &["GET"]), get(routes::page)).route(l("/api/dashboard", &["GET"]), get(routes::api))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    serde_json::json!({
        "paths": {
            "/api/dashboard": { "get": {
                "summary": "数据驾驶舱：区划的保障人数、办件和疑点（仅数字）/ people covered, cases and findings of a region (numbers only)",
                "parameters": [param("region", "query", "region code within the account's (its own when absent)")],
                "responses": { "200": { "description": "the figures: programs, areas below, cases by status, findings by kind" },
                    "400": error_response(), "403": error_response() } } }
        }
    })
}
