//! 地名: the counties' registers of standard place names (《地名管理条例》, 2022): applications
//! with reasons, expert review, public consultation, approval or refusal, filing and
//! announcement within 15 days each; names that may not repeat within a county refused with the
//! one they repeat; renames keep the former name as history.
//!
//! The module has the shape of every sub-platform: the pure rules (`model.rs`), its table and
//! store (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its
//! routes and pages (`routes.rs`, `templates/placename*.html`), its OpenAPI part and menu entry
//! (here), its tests (`tests/placename.rs`).

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
    Route::new("GET", "/placenames", Access::Needs(Permission::ReadPlaceNames)),
    Route::new("POST", "/placenames", Access::Needs(Permission::ManagePlaceNames)),
    Route::new("GET", "/placenames/new", Access::Needs(Permission::ManagePlaceNames)),
    Route::new("GET", "/placenames/plates", Access::Needs(Permission::ReadPlaceNames)),
    Route::new("POST", "/placenames/plates", Access::Needs(Permission::ManagePlaceNames)),
    Route::new("GET", "/placenames/{id}", Access::Needs(Permission::ReadPlaceNames)),
    Route::new("POST", "/placenames/{id}/act", Access::Needs(Permission::ManagePlaceNames)),
    Route::new("POST", "/api/placenames", Access::Needs(Permission::ManagePlaceNames)),
    Route::new("GET", "/api/placenames/{id}", Access::Needs(Permission::ReadPlaceNames)),
    Route::new("POST", "/api/placenames/{id}/actions", Access::Needs(Permission::ManagePlaceNames)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/placenames", zh: "地名", en: "Place names", needs: Some(Permission::ReadPlaceNames) }];

pub const MODULE: Module = Module {
    name: "placename",
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
        .route(l("/placenames", &["GET", "POST"]), get(routes::register).post(routes::form_propose))
        .route(l("/placenames/new", &["GET"]), get(routes::new_form))
        .route(l("/placenames/plates", &["GET", "POST"]), get(routes::plates).post(routes::form_plate))
        .route(l("/placenames/{id}", &["GET"]), get(routes::view))
        .route(l("/placenames/{id}/act", &["POST"]), post(routes::form_act))
        .route(l("/api/placenames", &["POST"]), post(routes::api_propose))
        .route(l("/api/placenames/{id}", &["GET"]), get(routes::api_get))
        .route(l("/api/placenames/{id}/actions", &["POST"]), post(routes::api_act))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    let date = serde_json::json!({ "type": "string", "format": "date" });
    serde_json::json!({
        "paths": {
            "/api/placenames": { "post": {
                "summary": "地名命名、更名申报（需 x-csrf-token）/ apply for a name or a rename at the account's county (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "category": { "type": "string", "enum": ["settlement", "street", "building", "natural", "transport", "utility", "memorial"] },
                    "specific": { "type": "string" }, "generic": { "type": "string" }, "location": { "type": "string" }, "reason": { "type": "string" },
                    "renames": { "type": "integer" } },
                    "required": ["category", "specific", "generic", "location", "reason"] } } } },
                "responses": { "201": { "description": "the application" }, "403": error_response(), "422": error_response() } } },
            "/api/placenames/{id}": { "get": {
                "summary": "一个地名及其曾用名 / a name with its procedure and former names",
                "parameters": [param("id", "path", "name id")],
                "responses": { "200": { "description": "the name" }, "403": error_response(), "404": error_response() } } },
            "/api/placenames/{id}/actions": { "post": {
                "summary": "专家论证、征求意见、批准、不予批准、备案、公告（需 x-csrf-token）/ review, consult, approve, refuse, file, announce (needs x-csrf-token)",
                "parameters": [param("id", "path", "name id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["review", "consult", "approve", "refuse", "file", "announce"] },
                    "opinion": { "type": "string" }, "from": date, "to": date, "note": { "type": "string" },
                    "approver": { "type": "string" }, "number": { "type": "string" }, "reason": { "type": "string" }, "on": date },
                    "required": ["action"] } } } },
                "responses": { "200": { "description": "the name after the step" }, "403": error_response(), "404": error_response(), "422": error_response() } } }
        }
    })
}
