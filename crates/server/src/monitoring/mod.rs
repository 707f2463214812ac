//! 低收入人口动态监测 · 政策找人: the monitored population (低保, 特困, 低保边缘, those who left
//! within two years), warnings from departmental data and from the rules (a large medical bill, a
//! new disability rating, a job lost, a death or a birth in the household, a birthday that
//! brings a benefit, a review or a gradual exit due, a household the rules find eligible and not
//! covered), each a task for the household's grid worker or community with its time limit,
//! handled to an outcome (an application taken, a referral, or the reason) and reported back;
//! overdue ones escalated to the street. The rules are data (`policies/2101/warnings.toml`,
//! checked at start); a run is nightly over a region or incremental when a departmental file
//! arrives.
//!
//! The module has the shape of every sub-platform: the pure rules of the handling (`model.rs`;
//! the rule language itself is the policy engine's, `minzheng_policy::warnings`), its tables and
//! store (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its
//! routes and pages (`routes.rs`, `templates/monitoring*.html`), its OpenAPI part, menu entry and
//! work line (here, `work.rs`), its command line (`cli.rs`), its tests (`tests/monitoring.rs`).

pub mod cli;
pub mod model;
mod routes;
pub mod service;
pub mod store;
mod work;

use crate::module::{listed, Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use minzheng_domain::Permission;

pub const ROUTES: &[Route] = &[
    Route::new("GET", "/monitoring", Access::Needs(Permission::ReadMonitoring)),
    Route::new("POST", "/monitoring/run", Access::Needs(Permission::RunMonitoring)),
    Route::new("POST", "/monitoring/escalate", Access::Needs(Permission::HandleWarnings)),
    Route::new("GET", "/monitoring/population", Access::Needs(Permission::ReadMonitoring)),
    Route::new("GET", "/monitoring/warnings/{id}", Access::Needs(Permission::ReadMonitoring)),
    Route::new("POST", "/monitoring/warnings/{id}/act", Access::Needs(Permission::HandleWarnings)),
    Route::new("GET", "/api/monitoring/warnings", Access::Needs(Permission::ReadMonitoring)),
    Route::new("GET", "/api/monitoring/warnings/{id}", Access::Needs(Permission::ReadMonitoring)),
    Route::new("POST", "/api/monitoring/warnings/{id}/actions", Access::Needs(Permission::HandleWarnings)),
    Route::new("POST", "/api/monitoring/runs", Access::Needs(Permission::RunMonitoring)),
    Route::new("GET", "/api/monitoring/population", Access::Needs(Permission::ReadMonitoring)),
];

const MENU: &[MenuEntry] =
    &[MenuEntry { href: "/monitoring", zh: "动态监测", en: "Monitoring", needs: Some(Permission::ReadMonitoring) }];

pub const MODULE: Module = Module {
    name: "monitoring",
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
        .route(l("/monitoring", &["GET"]), get(routes::queue))
        .route(l("/monitoring/run", &["POST"]), post(routes::form_run))
        .route(l("/monitoring/escalate", &["POST"]), post(routes::form_escalate))
        .route(l("/monitoring/population", &["GET"]), get(routes::population))
        .route(l("/monitoring/warnings/{id}", &["GET"]), get(routes::warning))
        .route(l("/monitoring/warnings/{id}/act", &["POST"]), post(routes::form_act))
        .route(l("/api/monitoring/warnings", &["GET"]), get(routes::api_queue))
        .route(l("/api/monitoring/warnings/{id}", &["GET"]), get(routes::api_warning))
        .route(l("/api/monitoring/warnings/{id}/actions", &["POST"]), post(routes::api_act))
        .route(l("/api/monitoring/runs", &["POST"]), post(routes::api_run))
        .route(l("/api/monitoring/population", &["GET"]), get(routes::api_population))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    serde_json::json!({
        "paths": {
            "/api/monitoring/warnings": { "get": {
                "summary": "预警队列（待处置、已超期、已督办、待反馈、已办结、派给我的）/ a queue of warnings",
                "parameters": [param("region", "query", "region code"), param("list", "query", "open | overdue | escalated | report | closed | mine"), param("page", "query", "page of 50")],
                "responses": { "200": { "description": "warnings" }, "403": error_response() } } },
            "/api/monitoring/warnings/{id}": { "get": {
                "summary": "一条预警及办理经过 / a warning with its history",
                "parameters": [param("id", "path", "warning id")],
                "responses": { "200": { "description": "warning with steps" }, "403": error_response(), "404": error_response() } } },
            "/api/monitoring/warnings/{id}/actions": { "post": {
                "summary": "办理一步（需 x-csrf-token）：入户核实、处置、反馈办结、督办 / take a step (needs x-csrf-token)",
                "parameters": [param("id", "path", "warning id"), csrf.clone()],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["visit", "handle", "report", "escalate"] },
                    "findings": { "type": "string" },
                    "outcome": { "type": "string", "enum": ["applied", "referred", "declined", "unreachable", "not_eligible", "no_need"] },
                    "target": { "type": "string", "description": "program code applied for, or department referred to (medical, education, housing, employment, disability, charity)" },
                    "note": { "type": "string" }, "seen_status": { "type": "string" } },
                    "required": ["action"] } } } },
                "responses": { "200": { "description": "the warning after the step" }, "403": error_response(), "404": error_response(), "409": error_response(), "422": error_response() } } },
            "/api/monitoring/runs": { "post": {
                "summary": "对区域运行全部监测规则（需 x-csrf-token）/ run every rule over a region (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "region": { "type": "string" } } } } } },
                "responses": { "201": { "description": "the run: persons, hits, new warnings by rule, the population's change" }, "403": error_response(), "422": error_response() } } },
            "/api/monitoring/population": { "get": {
                "summary": "监测对象（按地区、类别）和预警处置成效（按区县、预警、结果）/ the monitored population and the outcomes",
                "parameters": [param("region", "query", "region code")],
                "responses": { "200": { "description": "population and outcomes" }, "403": error_response() } } }
        }
    })
}
