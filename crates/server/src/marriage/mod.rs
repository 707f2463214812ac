//! 婚姻登记: marriage registration at the county's registry office for anyone in the country
//! (2025 regulation: identity card and signed declaration), checked against the law and the
//! records (age, an existing spouse, the kinship the registry shows); refusals with their rule;
//! divorce by agreement through the 30-day cooling-off period and the 30-day window for the
//! certificate on the working-day calendar; certificates numbered per county and year; the
//! registry's household change the couple agreed to, the comparison's marriage rows and the
//! change cases of the households whose assistance a marriage or divorce changes; figures per
//! county and month.
//!
//! The module has the shape of every sub-platform: the pure rules (`model.rs`), its tables and
//! store (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its
//! routes and pages (`routes.rs`, `templates/marriage*.html`), its OpenAPI part and menu entry
//! (here), its tests (`tests/marriage.rs`).

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
    Route::new("GET", "/marriage", Access::Needs(Permission::ReadMarriage)),
    Route::new("GET", "/marriage/figures.xlsx", Access::Needs(Permission::ReadMarriage)),
    Route::new("GET", "/marriage/new", Access::Needs(Permission::RegisterMarriage)),
    Route::new("POST", "/marriage/registrations", Access::Needs(Permission::RegisterMarriage)),
    Route::new("GET", "/marriage/registrations/{id}", Access::Needs(Permission::ReadMarriage)),
    Route::new("GET", "/marriage/divorces/new", Access::Needs(Permission::RegisterMarriage)),
    Route::new("POST", "/marriage/divorces", Access::Needs(Permission::RegisterMarriage)),
    Route::new("GET", "/marriage/divorces/{id}", Access::Needs(Permission::ReadMarriage)),
    Route::new("POST", "/marriage/divorces/{id}/withdraw", Access::Needs(Permission::RegisterMarriage)),
    Route::new("POST", "/marriage/divorces/{id}/certificate", Access::Needs(Permission::RegisterMarriage)),
    Route::new("GET", "/marriage/appointments", Access::Needs(Permission::RegisterMarriage)),
    Route::new("POST", "/marriage/appointments", Access::Needs(Permission::RegisterMarriage)),
    Route::new("POST", "/marriage/appointments/{id}/cancel", Access::Needs(Permission::RegisterMarriage)),
    Route::new("POST", "/api/marriage/appointments", Access::Needs(Permission::RegisterMarriage)),
    Route::new("GET", "/api/marriage/figures", Access::Needs(Permission::ReadMarriage)),
    Route::new("POST", "/api/marriage/registrations", Access::Needs(Permission::RegisterMarriage)),
    Route::new("GET", "/api/marriage/registrations/{id}", Access::Needs(Permission::ReadMarriage)),
    Route::new("POST", "/api/marriage/divorces", Access::Needs(Permission::RegisterMarriage)),
    Route::new("GET", "/api/marriage/divorces/{id}", Access::Needs(Permission::ReadMarriage)),
    Route::new("POST", "/api/marriage/divorces/{id}/withdraw", Access::Needs(Permission::RegisterMarriage)),
    Route::new("POST", "/api/marriage/divorces/{id}/certificate", Access::Needs(Permission::RegisterMarriage)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/marriage", zh: "婚姻登记", en: "Marriage", needs: Some(Permission::ReadMarriage) }];

pub const MODULE: Module =
    Module { name: "marriage", routes: ROUTES, router, openapi, menu: MENU, migrations: Some(&store::MIGRATIONS), work: Some(work::lines) };

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/marriage", &["GET"]), get(routes::overview))
        .route(l("/marriage/figures.xlsx", &["GET"]), get(routes::figures_xlsx))
        .route(l("/marriage/new", &["GET"]), get(routes::marriage_form))
        .route(l("/marriage/registrations", &["POST"]), post(routes::form_register))
        .route(l("/marriage/registrations/{id}", &["GET"]), get(routes::marriage_view))
        .route(l("/marriage/divorces/new", &["GET"]), get(routes::divorce_form))
        .route(l("/marriage/divorces", &["POST"]), post(routes::form_apply_divorce))
        .route(l("/marriage/divorces/{id}", &["GET"]), get(routes::divorce_view))
        .route(l("/marriage/divorces/{id}/withdraw", &["POST"]), post(routes::form_withdraw))
        .route(l("/marriage/divorces/{id}/certificate", &["POST"]), post(routes::form_certify))
        .route(l("/marriage/appointments", &["GET", "POST"]), get(routes::appointments).post(routes::form_book))
        .route(l("/marriage/appointments/{id}/cancel", &["POST"]), post(routes::form_cancel))
        .route(l("/api/marriage/appointments", &["POST"]), post(routes::api_book))
        .route(l("/api/marriage/figures", &["GET"]), get(routes::api_figures))
        .route(l("/api/marriage/registrations", &["POST"]), post(routes::api_register))
        .route(l("/api/marriage/registrations/{id}", &["GET"]), get(routes::api_marriage))
        .route(l("/api/marriage/divorces", &["POST"]), post(routes::api_apply_divorce))
        .route(l("/api/marriage/divorces/{id}", &["GET"]), get(routes::api_divorce))
        .route(l("/api/marriage/divorces/{id}/withdraw", &["POST"]), post(routes::api_withdraw))
        .route(l("/api/marriage/divorces/{id}/certificate", &["POST"]), post(routes::api_certify))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    let region = serde_json::json!({ "name": "region", "in": "query", "required": false, "schema": { "type": "string" }, "description": "区划代码 (default: the account's)" });
    let year = serde_json::json!({ "name": "year", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1949, "maximum": 2200 } });
    let declared = serde_json::json!({ "type": "string", "enum": ["single", "divorced", "widowed"] });
    let refused = serde_json::json!({ "description": "不予登记 / refused, with the rule (error.message_zh, error.message_en)" });
    serde_json::json!({
        "paths": {
            "/api/marriage/appointments": { "post": {
                "summary": "婚姻登记预约（需 x-csrf-token）/ book a half-day at the account's office: a working day within 30 days; the divorce certificate within its window (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "kind": { "type": "string", "enum": ["marriage", "divorce", "certificate"] }, "divorce_id": { "type": "integer" },
                    "first_id": { "type": "string" }, "first_name": { "type": "string" }, "second_id": { "type": "string" }, "second_name": { "type": "string" },
                    "phone": { "type": "string" }, "day": { "type": "string", "format": "date" }, "slot": { "type": "string", "enum": ["am", "pm"] } },
                    "required": ["kind", "phone", "day", "slot"] } } } },
                "responses": { "201": { "description": "the booking" }, "403": error_response(), "404": error_response(), "422": refused } } },
            "/api/marriage/figures": { "get": {
                "summary": "婚姻登记统计（每区县每月）/ marriages, divorces, applications, withdrawals, lapses and refusals per county and month",
                "parameters": [region, year],
                "responses": { "200": { "description": "per county and month" }, "400": error_response(), "403": error_response() } } },
            "/api/marriage/registrations": { "post": {
                "summary": "结婚登记（需 x-csrf-token）/ register a marriage at the account's county office (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "first_id": { "type": "string" }, "first_name": { "type": "string" }, "first_declared": declared,
                    "second_id": { "type": "string" }, "second_name": { "type": "string" }, "second_declared": declared,
                    "both_present": { "type": "boolean" }, "declarations_signed": { "type": "boolean" },
                    "household_change": { "type": "string", "enum": ["none", "second_joins_first", "first_joins_second"] },
                    "kinship_note": { "type": "string" } },
                    "required": ["first_id", "first_name", "first_declared", "second_id", "second_name", "second_declared", "both_present", "declarations_signed"] } } } },
                "responses": { "201": { "description": "the marriage with its certificate number and the change cases it opened" },
                    "403": error_response(), "422": refused } } },
            "/api/marriage/registrations/{id}": { "get": {
                "summary": "一条结婚登记及其离婚申请 / a marriage with its divorce applications",
                "parameters": [param("id", "path", "marriage id")],
                "responses": { "200": { "description": "the marriage" }, "403": error_response(), "404": error_response() } } },
            "/api/marriage/divorces": { "post": {
                "summary": "受理离婚登记申请（需 x-csrf-token）/ receive a divorce application: the cooling-off period starts (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "first_id": { "type": "string" }, "first_name": { "type": "string" },
                    "second_id": { "type": "string" }, "second_name": { "type": "string" },
                    "marriage_certificate_no": { "type": "string" }, "both_present": { "type": "boolean" }, "agreement_signed": { "type": "boolean" } },
                    "required": ["first_id", "first_name", "second_id", "second_name", "marriage_certificate_no", "both_present", "agreement_signed"] } } } },
                "responses": { "201": { "description": "the application with its cooling-off period and window" },
                    "403": error_response(), "422": refused } } },
            "/api/marriage/divorces/{id}": { "get": {
                "summary": "一件离婚登记申请 / a divorce application",
                "parameters": [param("id", "path", "application id")],
                "responses": { "200": { "description": "the application" }, "403": error_response(), "404": error_response() } } },
            "/api/marriage/divorces/{id}/withdraw": { "post": {
                "summary": "冷静期内撤回（需 x-csrf-token）/ one party withdraws within the cooling-off period (needs x-csrf-token)",
                "parameters": [param("id", "path", "application id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "party": { "type": "string", "description": "first, second, or the party's ID number" } }, "required": ["party"] } } } },
                "responses": { "200": { "description": "the application, withdrawn" }, "403": error_response(), "404": error_response(), "422": refused } } },
            "/api/marriage/divorces/{id}/certificate": { "post": {
                "summary": "发给离婚证（需 x-csrf-token）/ issue the divorce certificate when both apply within the window (needs x-csrf-token)",
                "parameters": [param("id", "path", "application id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "both_present": { "type": "boolean" } }, "required": ["both_present"] } } } },
                "responses": { "201": { "description": "the application with its certificate number and the change cases opened" },
                    "403": error_response(), "404": error_response(), "422": refused } } }
        }
    })
}
