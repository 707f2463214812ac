//! 基层治理 · 网格事件与工单: grid events reported by grid workers from their phones, 12345
//! hotline orders and petitions (信访) entered by the street's or county's dispatch desk, each
//! placed in the grid tree, dispatched to a community with its time limit on the working-day
//! calendar, signed, handled, verified and closed or sent back, evaluated; overdue orders
//! escalated; KPIs per community and street.
//!
//! The module has the shape of every sub-platform: the pure rules (`model.rs`), its tables and
//! store (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its
//! routes and pages (`routes.rs`, `templates/grid*.html`), its OpenAPI part, menu entry and work
//! line (here, `work.rs`), its tests (`tests/grid.rs`).

pub mod base;
pub mod cli;
pub mod demo;
pub mod import;
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
    Route::new("GET", "/grid", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("GET", "/grid/report", Access::Needs(Permission::ReportEvents)),
    Route::new("POST", "/grid/report", Access::Needs(Permission::ReportEvents)),
    Route::new("POST", "/grid/orders", Access::Needs(Permission::DispatchWorkOrders)),
    Route::new("POST", "/grid/import", Access::Needs(Permission::DispatchWorkOrders)),
    Route::new("GET", "/grid/orders/{id}", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("POST", "/grid/orders/{id}/act", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("GET", "/grid/kpi", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("GET", "/api/grid/orders", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("POST", "/api/grid/orders", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("GET", "/api/grid/orders/{id}", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("POST", "/api/grid/orders/{id}/actions", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("GET", "/api/grid/kpi", Access::Needs(Permission::ReadWorkOrders)),
    Route::new("GET", "/grid/base", Access::Needs(Permission::ReadRegistry)),
    Route::new("POST", "/grid/base/assign", Access::Needs(Permission::ManageGrids)),
    Route::new("POST", "/grid/base/unassign", Access::Needs(Permission::ManageGrids)),
    Route::new("GET", "/api/grid/base", Access::Needs(Permission::ReadRegistry)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/grid", zh: "网格工单", en: "Work orders", needs: Some(Permission::ReadWorkOrders) }];

pub const MODULE: Module =
    Module { name: "grid", routes: ROUTES, router, openapi, menu: MENU, migrations: Some(&store::MIGRATIONS), work: Some(work::lines) };

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/grid", &["GET"]), get(routes::queue))
        .route(l("/grid/report", &["GET", "POST"]), get(routes::report_form).post(routes::form_report))
        .route(l("/grid/orders", &["POST"]), post(routes::form_file))
        .route(l("/grid/import", &["POST"]), post(import::form_import))
        .route(l("/grid/orders/{id}", &["GET"]), get(routes::order))
        .route(l("/grid/orders/{id}/act", &["POST"]), post(routes::form_act))
        .route(l("/grid/kpi", &["GET"]), get(routes::kpi))
        .route(l("/api/grid/orders", &["GET", "POST"]), get(routes::api_queue).post(routes::api_file))
        .route(l("/api/grid/orders/{id}", &["GET"]), get(routes::api_order))
        .route(l("/api/grid/orders/{id}/actions", &["POST"]), post(routes::api_act))
        .route(l("/api/grid/kpi", &["GET"]), get(routes::api_kpi))
        .route(l("/grid/base", &["GET"]), get(routes::base))
        .route(l("/grid/base/assign", &["POST"]), post(routes::form_assign))
        .route(l("/grid/base/unassign", &["POST"]), post(routes::form_unassign))
        .route(l("/api/grid/base", &["GET"]), get(routes::api_base))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    serde_json::json!({
        "paths": {
            "/api/grid/orders": {
                "get": { "summary": "工单队列（办理中、已超期、已督办、已办结）/ a queue of work orders (open, overdue, escalated, closed)",
                    "parameters": [param("region", "query", "region code"), param("list", "query", "open | overdue | escalated | closed"), param("page", "query", "page of 50")],
                    "responses": { "200": { "description": "orders" }, "403": error_response() } },
                "post": { "summary": "登记网格事件、12345工单或信访事项（需 x-csrf-token）/ file a grid event, a 12345 order or a petition (needs x-csrf-token)",
                    "parameters": [csrf],
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "kind": { "type": "string", "enum": ["grid_event", "hotline_urgent", "hotline_enquiry", "hotline_request", "hotline_complaint", "petition"] },
                        "title": { "type": "string", "minLength": 4 }, "community": { "type": "string", "description": "12-digit community code" },
                        "grid": { "type": "string" }, "place": { "type": "string" }, "category": { "type": "string" }, "description": { "type": "string" },
                        "contact": { "type": "string" }, "phone": { "type": "string" }, "source_no": { "type": "string" },
                        "received_on": { "type": "string", "format": "date" } },
                        "required": ["kind", "title", "community"] } } } },
                    "responses": { "201": { "description": "filed" }, "400": error_response(), "403": error_response(), "422": error_response() } } },
            "/api/grid/orders/{id}": { "get": {
                "summary": "一张工单及办理经过 / an order with its history",
                "parameters": [param("id", "path", "order id")],
                "responses": { "200": { "description": "order with steps" }, "403": error_response(), "404": error_response() } } },
            "/api/grid/orders/{id}/actions": { "post": {
                "summary": "办理一步（需 x-csrf-token）：受理、转送、派单、签收、回复、退回、办结、评价、延期、督办 / take a step (needs x-csrf-token)",
                "parameters": [param("id", "path", "order id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["accept", "refer", "dispatch", "sign", "reply", "send_back", "close", "evaluate", "extend", "escalate"] },
                    "to": { "type": "string" }, "text": { "type": "string" }, "reason": { "type": "string" }, "satisfaction": { "type": "string" }, "note": { "type": "string" } },
                    "required": ["action"] } } } },
                "responses": { "200": { "description": "the order after the step" }, "400": error_response(), "403": error_response(), "404": error_response(), "409": error_response(), "422": error_response() } } },
            "/api/grid/base": { "get": {
                "summary": "网格底座：社区、网格、楼栋、户、居民数，社区各网格的重点人群和网格员 / the grid base: counts per level; a community's grids with watched residents and grid workers",
                "parameters": [param("region", "query", "region code")],
                "responses": { "200": { "description": "region, counts, grids" }, "403": error_response() } } },
            "/api/grid/kpi": { "get": {
                "summary": "工单考核指标（按时签收、按时办结、满意率、返工率）/ KPIs per community and street",
                "parameters": [param("region", "query", "region code"), param("from", "query", "dispatched from (date)"), param("to", "query", "dispatched to (date)")],
                "responses": { "200": { "description": "one row per community and street, the region's total last" }, "403": error_response(), "422": error_response() } } }
        }
    })
}
