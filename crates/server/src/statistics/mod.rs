//! 民政统计: the monthly civil-affairs report (社会救助月报) of each county and of the city,
//! worked out from the live records (enrolments paid for the month, the month's payment lists,
//! 临时救助 decisions, 特困 persons in concentrated support, the standards in force); month on
//! month and year on year; exported as the bureau submits it; closed per county (关账), after
//! which its figures never change and corrections are noted beside them; every figure opens the
//! households, persons or cases behind it, as the role may see them.
//!
//! The module has the shape of every sub-platform: the pure report (`model.rs`), its tables and
//! store (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its
//! routes and pages (`routes.rs`, `templates/statistics*.html`), its OpenAPI part, menu entry
//! and work line (here, `work.rs`), its tests (`tests/statistics.rs`).

pub mod model;
mod routes;
pub mod service;
pub mod store;
pub mod work;

use crate::module::{listed, Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use minzheng_domain::Permission;

pub const ROUTES: &[Route] = &[
    Route::new("GET", "/statistics", Access::Needs(Permission::ReadStatistics)),
    Route::new("GET", "/statistics/units", Access::Needs(Permission::ReadStatistics)),
    Route::new("GET", "/statistics/report.xlsx", Access::Needs(Permission::ReadStatistics)),
    Route::new("POST", "/statistics/close", Access::Needs(Permission::CloseStatistics)),
    Route::new("POST", "/statistics/corrections", Access::Needs(Permission::CloseStatistics)),
    Route::new("GET", "/api/statistics", Access::Needs(Permission::ReadStatistics)),
    Route::new("GET", "/api/statistics/units", Access::Needs(Permission::ReadStatistics)),
    Route::new("POST", "/api/statistics/close", Access::Needs(Permission::CloseStatistics)),
    Route::new("POST", "/api/statistics/corrections", Access::Needs(Permission::CloseStatistics)),
];

const MENU: &[MenuEntry] =
    &[MenuEntry { href: "/statistics", zh: "统计月报", en: "Monthly report", needs: Some(Permission::ReadStatistics) }];

pub const MODULE: Module = Module {
    name: "statistics",
    routes: ROUTES,
    router,
    openapi,
    menu: MENU,
    migrations: Some(&store::MIGRATIONS),
    work: Some(work::lines),
};

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/statistics", &["GET"]), get(routes::report))
        .route(l("/statistics/units", &["GET"]), get(routes::units))
        .route(l("/statistics/report.xlsx", &["GET"]), get(routes::report_xlsx))
        .route(l("/statistics/close", &["POST"]), post(routes::form_close))
        .route(l("/statistics/corrections", &["POST"]), post(routes::form_correct))
        .route(l("/api/statistics", &["GET"]), get(routes::api_report))
        .route(l("/api/statistics/units", &["GET"]), get(routes::api_units))
        .route(l("/api/statistics/close", &["POST"]), post(routes::api_close))
        .route(l("/api/statistics/corrections", &["POST"]), post(routes::api_correct))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    let region = param("region", "query", "region code (the account's own when omitted)");
    let month = param("month", "query", "month, 2026-11 (last month when omitted)");
    serde_json::json!({
        "paths": {
            "/api/statistics": { "get": {
                "summary": "社会救助月报：本月、上月、去年同月及关账状态 / the monthly report with last month, the same month a year before and whether closed",
                "parameters": [region, month],
                "responses": { "200": { "description": "region, month, figures {line: value} (fen for money), closed (with corrections), previous, year_before, counties" },
                    "403": error_response(), "422": error_response() } } },
            "/api/statistics/units": { "get": {
                "summary": "指标溯源：数字背后的户、人或案件（按角色脱敏）/ the households, persons or cases behind a figure (masked as the role requires)",
                "parameters": [region, month, param("line", "query", "line code, e.g. dibao_urban_persons"), param("page", "query", "page of 100")],
                "responses": { "200": { "description": "kind (households, persons, cases, elsewhere) and rows" }, "403": error_response(), "422": error_response() } } },
            "/api/statistics/close": { "post": {
                "summary": "区县关账（需 x-csrf-token）：冻结该月数字 / close a county's month (needs x-csrf-token): its figures are frozen",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "region": { "type": "string", "description": "county code" }, "month": { "type": "string", "description": "2026-11" } },
                    "required": ["region", "month"] } } } },
                "responses": { "201": { "description": "closed" }, "400": error_response(), "403": error_response(), "422": error_response() } } },
            "/api/statistics/corrections": { "post": {
                "summary": "更正说明（需 x-csrf-token）：附注于已关账月份的数字旁，不改原数 / note a correction beside a closed month's figure (needs x-csrf-token); the figure itself stays",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "region": { "type": "string" }, "month": { "type": "string" }, "line": { "type": "string" },
                    "value": { "type": "integer", "minimum": 0, "description": "fen for money lines" }, "reason": { "type": "string", "minLength": 4 } },
                    "required": ["region", "month", "line", "value", "reason"] } } } },
                "responses": { "201": { "description": "noted" }, "400": error_response(), "403": error_response(), "422": error_response() } } }
        }
    })
}
