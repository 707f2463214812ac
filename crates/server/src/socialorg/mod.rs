//! 社会组织: the register of social groups, social service organisations and foundations kept by
//! the county's and the city's registry offices: applications decided within 60 days with the
//! kind's minimums (dated parameters) and the credit code given on registration (GB 32100-2015,
//! checked in `minzheng_domain::credit_code`); changes, penalties and deregistrations with their
//! limits; annual reports and inspections with the overdue list; ratings 1A-5A with their
//! eligibility; the two credit lists with their statutory reasons and removal; a public register
//! anyone may search without signing in.
//!
//! The module has the shape of every sub-platform: the pure rules (`model.rs`), its tables and
//! store (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its
//! routes and pages (`routes.rs`, `templates/socialorg*.html`), its OpenAPI part and menu entry
//! (here), its tests (`tests/socialorg.rs`).

pub mod demo;
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
    Route::new("GET", "/socialorgs", Access::Needs(Permission::ReadSocialOrgs)),
    Route::new("GET", "/socialorgs/new", Access::Needs(Permission::ManageSocialOrgs)),
    Route::new("POST", "/socialorgs", Access::Needs(Permission::ManageSocialOrgs)),
    Route::new("GET", "/socialorgs/{id}", Access::Needs(Permission::ReadSocialOrgs)),
    Route::new("POST", "/socialorgs/{id}/act", Access::Needs(Permission::ManageSocialOrgs)),
    Route::new("GET", "/public/socialorgs", Access::Public),
    Route::new("POST", "/api/socialorgs", Access::Needs(Permission::ManageSocialOrgs)),
    Route::new("GET", "/api/socialorgs/{id}", Access::Needs(Permission::ReadSocialOrgs)),
    Route::new("POST", "/api/socialorgs/{id}/actions", Access::Needs(Permission::ManageSocialOrgs)),
    Route::new("GET", "/api/public/socialorgs", Access::Public),
];

const MENU: &[MenuEntry] =
    &[MenuEntry { href: "/socialorgs", zh: "社会组织", en: "Social organisations", needs: Some(Permission::ReadSocialOrgs) }];

pub const MODULE: Module = Module {
    name: "socialorg",
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
        .route(l("/socialorgs", &["GET", "POST"]), get(routes::desk).post(routes::form_apply))
        .route(l("/socialorgs/new", &["GET"]), get(routes::new_form))
        .route(l("/socialorgs/{id}", &["GET"]), get(routes::view))
        .route(l("/socialorgs/{id}/act", &["POST"]), post(routes::form_act))
        .route(l("/public/socialorgs", &["GET"]), get(routes::public))
        .route(l("/api/socialorgs", &["POST"]), post(routes::api_apply))
        .route(l("/api/socialorgs/{id}", &["GET"]), get(routes::api_org))
        .route(l("/api/socialorgs/{id}/actions", &["POST"]), post(routes::api_act))
        .route(l("/api/public/socialorgs", &["GET"]), get(routes::api_public))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    let date = serde_json::json!({ "type": "string", "format": "date" });
    let kind = serde_json::json!({ "type": "string", "enum": ["group", "service", "foundation"] });
    serde_json::json!({
        "paths": {
            "/api/socialorgs": { "post": {
                "summary": "受理社会组织成立登记申请（需 x-csrf-token）/ receive an application to register a social organisation (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "name": { "type": "string" }, "kind": kind, "legal_rep_id": { "type": "string" }, "legal_rep_name": { "type": "string" },
                    "supervisor": { "type": "string" }, "capital_fen": { "type": "integer", "minimum": 0 },
                    "individual_members": { "type": "integer", "minimum": 0 }, "unit_members": { "type": "integer", "minimum": 0 },
                    "public_raising": { "type": "boolean" }, "address": { "type": "string" }, "scope": { "type": "string" } },
                    "required": ["name", "kind", "legal_rep_id", "legal_rep_name", "capital_fen", "address", "scope"] } } } },
                "responses": { "201": { "description": "the application received" }, "403": error_response(), "422": error_response() } } },
            "/api/socialorgs/{id}": { "get": {
                "summary": "社会组织档案 / an organisation with its events, reports, list entries and rating eligibility",
                "parameters": [param("id", "path", "organisation id")],
                "responses": { "200": { "description": "the organisation" }, "403": error_response(), "404": error_response() } } },
            "/api/socialorgs/{id}/actions": { "post": {
                "summary": "登记管理（需 x-csrf-token）/ register, refuse, change, deregister, penalty, report, rate, list, unlist (needs x-csrf-token)",
                "parameters": [param("id", "path", "organisation id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["register", "refuse", "change", "deregister", "penalty", "report", "rate", "list", "unlist"] },
                    "note": { "type": "string" }, "reason": { "type": "string" }, "happened_on": date, "liquidated_on": date, "detail": { "type": "string" },
                    "fine_fen": { "type": "integer" }, "licence_revoked": { "type": "boolean" }, "year": { "type": "integer" },
                    "to_supervisor_on": date, "to_registry_on": date, "inspection": { "type": "string", "enum": ["pass", "basic", "fail"] },
                    "score": { "type": "integer", "minimum": 0, "maximum": 1000 }, "listed_on": date, "basis": { "type": "string" },
                    "entry": { "type": "integer" }, "rectified_on": date },
                    "required": ["action"] } } } },
                "responses": { "200": { "description": "the organisation after the action" }, "403": error_response(), "404": error_response(), "422": error_response() } } },
            "/api/public/socialorgs": { "get": {
                "summary": "社会组织公开查询（无需登录）/ the public register: by credit code or name, with status, rating and list entries (no sign-in)",
                "security": [],
                "parameters": [{ "name": "q", "in": "query", "required": true, "schema": { "type": "string" }, "description": "统一社会信用代码或名称中的文字（至少2个字）" }],
                "responses": { "200": { "description": "up to 50 organisations" } } } }
        }
    })
}
