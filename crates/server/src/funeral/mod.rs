//! 殡葬: funeral services. A death recorded from its medical death certificate marks the person
//! deceased in the registry and takes effect on their benefits (stopped from the next month; the
//! household's change case); a cremation recorded against the death with its relief of the basic
//! services for the listed groups (惠民殡葬) and the eco-burial reward; the counties' cremation
//! rates and the deaths not cremated in time in cremation areas.
//!
//! The module has the shape of every sub-platform: the pure rules (`model.rs`), its tables and
//! store (`store.rs`, `migrations/`), its use cases with access and audit (`service.rs`), its
//! routes and pages (`routes.rs`, `templates/funeral*.html`), its OpenAPI part and menu entry
//! (here), its tests (`tests/funeral.rs`).

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
    Route::new("GET", "/funeral", Access::Needs(Permission::ReadFuneral)),
    Route::new("GET", "/funeral/figures.xlsx", Access::Needs(Permission::ReadFuneral)),
    Route::new("POST", "/funeral/check", Access::Needs(Permission::ReadFuneral)),
    Route::new("GET", "/funeral/deaths/new", Access::Needs(Permission::RecordDeath)),
    Route::new("POST", "/funeral/deaths", Access::Needs(Permission::RecordDeath)),
    Route::new("GET", "/funeral/deaths/{id}", Access::Needs(Permission::ReadFuneral)),
    Route::new("POST", "/funeral/deaths/{id}/cremation", Access::Needs(Permission::RecordCremation)),
    Route::new("GET", "/api/funeral/figures", Access::Needs(Permission::ReadFuneral)),
    Route::new("POST", "/api/funeral/deaths", Access::Needs(Permission::RecordDeath)),
    Route::new("GET", "/api/funeral/deaths/{id}", Access::Needs(Permission::ReadFuneral)),
    Route::new("POST", "/api/funeral/deaths/{id}/cremation", Access::Needs(Permission::RecordCremation)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/funeral", zh: "殡葬服务", en: "Funeral", needs: Some(Permission::ReadFuneral) }];

pub const MODULE: Module =
    Module { name: "funeral", routes: ROUTES, router, openapi, menu: MENU, migrations: Some(&store::MIGRATIONS), work: Some(work::lines) };

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/funeral", &["GET"]), get(routes::overview))
        .route(l("/funeral/figures.xlsx", &["GET"]), get(routes::figures_xlsx))
        .route(l("/funeral/check", &["POST"]), post(routes::form_check))
        .route(l("/funeral/deaths/new", &["GET"]), get(routes::death_form))
        .route(l("/funeral/deaths", &["POST"]), post(routes::form_record_death))
        .route(l("/funeral/deaths/{id}", &["GET"]), get(routes::death_view))
        .route(l("/funeral/deaths/{id}/cremation", &["POST"]), post(routes::form_record_cremation))
        .route(l("/api/funeral/figures", &["GET"]), get(routes::api_figures))
        .route(l("/api/funeral/deaths", &["POST"]), post(routes::api_record_death))
        .route(l("/api/funeral/deaths/{id}", &["GET"]), get(routes::api_death))
        .route(l("/api/funeral/deaths/{id}/cremation", &["POST"]), post(routes::api_record_cremation))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    let region = serde_json::json!({ "name": "region", "in": "query", "required": false, "schema": { "type": "string" }, "description": "区划代码 (default: the account's)" });
    let year = serde_json::json!({ "name": "year", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1949, "maximum": 2200 } });
    let date = serde_json::json!({ "type": "string", "format": "date" });
    serde_json::json!({
        "paths": {
            "/api/funeral/figures": { "get": {
                "summary": "殡葬统计（每区县及合计）/ deaths, cremations, cremation rate, eco burials and relief per county",
                "parameters": [region, year],
                "responses": { "200": { "description": "per county (the region's total first): deaths, cremations, cremation_rate (‰), eco, eco_share (‰), relieved, relief_fen, reward_fen" },
                    "400": error_response(), "403": error_response() } } },
            "/api/funeral/deaths": { "post": {
                "summary": "死亡登记（凭医学死亡证明，需 x-csrf-token）/ record a death from its certificate (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "id_number": { "type": "string" }, "died_on": date,
                    "place": { "type": "string", "enum": ["hospital", "home", "elsewhere"] },
                    "cause": { "type": "string", "enum": ["disease", "unnatural"] },
                    "certifier": { "type": "string", "enum": ["hospital", "community_health", "police"] },
                    "certifier_org": { "type": "string" }, "certificate_no": { "type": "string" } },
                    "required": ["id_number", "died_on", "place", "cause", "certifier", "certifier_org", "certificate_no"] } } } },
                "responses": { "201": { "description": "the death recorded and what it did to the person's benefits" },
                    "403": error_response(), "404": error_response(), "409": error_response(), "422": error_response() } } },
            "/api/funeral/deaths/{id}": { "get": {
                "summary": "一条死亡登记及其火化 / a death with its cremation",
                "parameters": [param("id", "path", "death record id")],
                "responses": { "200": { "description": "death and cremation (null when not cremated)" }, "403": error_response(), "404": error_response() } } },
            "/api/funeral/deaths/{id}/cremation": { "post": {
                "summary": "火化登记（需 x-csrf-token）/ record the cremation of a death (needs x-csrf-token)",
                "parameters": [param("id", "path", "death record id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "funeral_home": { "type": "string" }, "received_on": date, "transport_km": { "type": "integer", "minimum": 0 },
                    "cremated_on": date, "coffin": { "type": "boolean" }, "urn": { "type": "boolean" },
                    "ashes": { "type": "string", "enum": ["cemetery", "columbarium", "sea", "tree", "lawn", "taken_home"] },
                    "storage_years": { "type": "integer", "minimum": 0 },
                    "declared": { "type": "array", "items": { "type": "string", "enum": ["hero", "donor"] } },
                    "declared_proof": { "type": "string" } },
                    "required": ["funeral_home", "received_on", "transport_km", "cremated_on", "ashes"] } } } },
                "responses": { "201": { "description": "the cremation with its certificate number and relief" },
                    "403": error_response(), "404": error_response(), "409": error_response(), "422": error_response() } } }
        }
    })
}
