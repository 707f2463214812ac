//! 养老服务: elderly care. Institutions filed with the county (备案) with their beds, grades and
//! residents (registry persons: 特困 concentrated support among them); ability assessments by
//! GB/T 42195-2022, whose newest result sets the person's self-care for the rules (the 特困
//! care allowance) and opens a 特困 change case when the care band changes; the indicators of
//! each county computed from all of it (beds per 1,000 elders, occupancy, nursing-bed share,
//! concentrated support of dependent 特困 persons, assessed elders by level).
//!
//! The module's shape is that of every sub-platform: the pure rules (`assessment.rs`,
//! `model.rs`), its tables and store (`store.rs`, `migrations/`), its use cases with access and
//! audit (`service.rs`), its routes and pages (`routes.rs`, `templates/eldercare*.html`), its
//! OpenAPI part and menu entry (here), its tests (`tests/eldercare.rs`).

pub mod assessment;
pub mod demo;
pub mod homecare;
mod homecare_routes;
pub mod homecare_service;
pub mod homecare_store;
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
    Route::new("GET", "/eldercare", Access::Needs(Permission::ReadElderCare)),
    Route::new("GET", "/eldercare/indicators.xlsx", Access::Needs(Permission::ReadElderCare)),
    Route::new("GET", "/eldercare/institutions.xlsx", Access::Needs(Permission::ReadElderCare)),
    Route::new("GET", "/eldercare/institutions/new", Access::Needs(Permission::ManageInstitutions)),
    Route::new("POST", "/eldercare/institutions", Access::Needs(Permission::ManageInstitutions)),
    Route::new("GET", "/eldercare/institutions/{id}", Access::Needs(Permission::ReadElderCare)),
    Route::new("POST", "/eldercare/institutions/{id}/{action}", Access::Needs(Permission::ManageInstitutions)),
    Route::new("GET", "/eldercare/assessments", Access::Needs(Permission::ReadElderCare)),
    Route::new("GET", "/eldercare/assessments/new", Access::Needs(Permission::AssessAbility)),
    Route::new("POST", "/eldercare/assessments", Access::Needs(Permission::AssessAbility)),
    Route::new("GET", "/eldercare/assessments/{id}", Access::Needs(Permission::ReadElderCare)),
    Route::new("GET", "/api/eldercare/indicators", Access::Needs(Permission::ReadElderCare)),
    Route::new("GET", "/api/eldercare/institutions", Access::Needs(Permission::ReadElderCare)),
    Route::new("POST", "/api/eldercare/institutions", Access::Needs(Permission::ManageInstitutions)),
    Route::new("GET", "/api/eldercare/institutions/{id}", Access::Needs(Permission::ReadElderCare)),
    Route::new("POST", "/api/eldercare/assessments", Access::Needs(Permission::AssessAbility)),
    Route::new("GET", "/api/eldercare/assessments/{id}", Access::Needs(Permission::ReadElderCare)),
    Route::new("GET", "/eldercare/homecare", Access::Needs(Permission::ReadElderCare)),
    Route::new("POST", "/eldercare/homecare/{action}", Access::Needs(Permission::ManageInstitutions)),
    Route::new("POST", "/eldercare/homecare/import", Access::Needs(Permission::ManageInstitutions)),
    Route::new("GET", "/eldercare/homecare/samples", Access::Needs(Permission::ReadElderCare)),
    Route::new("POST", "/eldercare/homecare/samples/{id}", Access::Needs(Permission::AssessAbility)),
    Route::new("GET", "/eldercare/homecare/settlement.xlsx", Access::Needs(Permission::ReadElderCare)),
    Route::new("POST", "/api/eldercare/homecare/visits", Access::Needs(Permission::ManageInstitutions)),
    Route::new("GET", "/api/eldercare/homecare/settlements", Access::Needs(Permission::ReadElderCare)),
];

const MENU: &[MenuEntry] =
    &[MenuEntry { href: "/eldercare", zh: "养老服务", en: "Elderly care", needs: Some(Permission::ReadElderCare) }];

pub const MODULE: Module = Module {
    name: "eldercare",
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
        .route(l("/eldercare", &["GET"]), get(routes::overview))
        .route(l("/eldercare/indicators.xlsx", &["GET"]), get(routes::indicators_xlsx))
        .route(l("/eldercare/institutions.xlsx", &["GET"]), get(routes::institutions_xlsx))
        .route(l("/eldercare/institutions/new", &["GET"]), get(routes::filing_form))
        .route(l("/eldercare/institutions", &["POST"]), post(routes::form_file))
        .route(l("/eldercare/institutions/{id}", &["GET"]), get(routes::institution))
        .route(l("/eldercare/institutions/{id}/{action}", &["POST"]), post(routes::form_step))
        .route(l("/eldercare/assessments", &["GET", "POST"]), get(routes::assessments).post(routes::form_assess))
        .route(l("/eldercare/assessments/new", &["GET"]), get(routes::assess_form))
        .route(l("/eldercare/assessments/{id}", &["GET"]), get(routes::assessment_page))
        .route(l("/api/eldercare/indicators", &["GET"]), get(routes::api_indicators))
        .route(l("/api/eldercare/institutions", &["GET", "POST"]), get(routes::api_institutions).post(routes::api_file))
        .route(l("/api/eldercare/institutions/{id}", &["GET"]), get(routes::api_institution))
        .route(l("/api/eldercare/assessments", &["POST"]), post(routes::api_assess))
        .route(l("/api/eldercare/assessments/{id}", &["GET"]), get(routes::api_assessment))
        .route(l("/eldercare/homecare", &["GET"]), get(homecare_routes::overview))
        .route(l("/eldercare/homecare/{action}", &["POST"]), post(homecare_routes::form_action))
        .route(l("/eldercare/homecare/import", &["POST"]), post(homecare_routes::form_import))
        .route(l("/eldercare/homecare/samples", &["GET"]), get(homecare_routes::samples))
        .route(l("/eldercare/homecare/samples/{id}", &["POST"]), post(homecare_routes::form_verify))
        .route(l("/eldercare/homecare/settlement.xlsx", &["GET"]), get(homecare_routes::settlement_xlsx))
        .route(l("/api/eldercare/homecare/visits", &["POST"]), post(homecare_routes::api_visits))
        .route(l("/api/eldercare/homecare/settlements", &["GET"]), get(homecare_routes::api_settlements))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    let region = serde_json::json!({ "name": "region", "in": "query", "required": false, "schema": { "type": "string" }, "description": "区划代码 (default: the account's)" });
    let date = serde_json::json!({ "name": "date", "in": "query", "required": false, "schema": { "type": "string", "format": "date" } });
    serde_json::json!({
        "paths": {
            "/api/eldercare/indicators": { "get": {
                "summary": "养老服务指标（每区县及合计）/ elderly-care indicators per county and in all",
                "parameters": [region, date],
                "responses": { "200": { "description": "per county: elders, institutions, beds, residents, beds per 1,000 elders, occupancy, nursing-bed share, 特困 dependent and in concentrated support, assessed by level" },
                    "400": error_response(), "403": error_response() } } },
            "/api/eldercare/institutions": {
                "get": { "summary": "养老机构 / the institutions of the region", "parameters": [region],
                    "responses": { "200": { "description": "institutions as filed, with receipt, grade and status" }, "403": error_response() } },
                "post": { "summary": "机构备案（需 x-csrf-token）/ file an institution (needs x-csrf-token)",
                    "parameters": [csrf],
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "name": { "type": "string" }, "region": { "type": "string" }, "address": { "type": "string" },
                        "legal_representative": { "type": "string" }, "premises": { "type": "string" },
                        "beds": { "type": "object", "properties": { "total": { "type": "integer" }, "nursing": { "type": "integer" }, "day_care": { "type": "integer" }, "home": { "type": "integer" } }, "required": ["total", "nursing", "day_care", "home"] },
                        "floor_area": { "type": "integer" }, "contact": { "type": "string" }, "registration": { "type": "string" },
                        "pledge": { "type": "boolean" }, "first_admission": { "type": "string", "format": "date" },
                        "ownership": { "type": "string", "enum": ["public", "public_built_private_run", "private"] },
                        "tekun_home": { "type": "boolean" }, "regional_centre": { "type": "boolean" } },
                        "required": ["name", "region", "address", "legal_representative", "premises", "beds", "floor_area", "contact", "registration", "pledge", "ownership", "tekun_home", "regional_centre"] } } } },
                    "responses": { "201": { "description": "filed, with its receipt number" }, "403": error_response(), "422": error_response() } } },
            "/api/eldercare/institutions/{id}": { "get": {
                "summary": "一家养老机构及其入住老人 / an institution with its residents",
                "parameters": [param("id", "path", "institution id")],
                "responses": { "200": { "description": "institution and residents" }, "403": error_response(), "404": error_response() } } },
            "/api/eldercare/assessments": { "post": {
                "summary": "老年人能力评估（GB/T 42195-2022，需 x-csrf-token）/ record an ability assessment (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "id_number": { "type": "string" }, "assessed_on": { "type": "string", "format": "date" },
                    "reason": { "type": "string", "enum": ["first", "routine", "immediate", "reassessment"] },
                    "assessor": { "type": "string" }, "organisation": { "type": "string" },
                    "scores": { "type": "array", "items": { "type": "integer", "minimum": 0, "maximum": 4 }, "minItems": 26, "maxItems": 26 },
                    "coma": { "type": "boolean" }, "dementia": { "type": "boolean" }, "mental_disorder": { "type": "boolean" },
                    "risk_events": { "type": "integer", "minimum": 0 } },
                    "required": ["id_number", "assessed_on", "reason", "assessor", "scores"] } } } },
                "responses": { "201": { "description": "the assessment with its result (total, level, adjustments, self-care) and the 特困 change case it opened" },
                    "403": error_response(), "404": error_response(), "422": error_response() } } },
            "/api/eldercare/homecare/visits": { "post": {
                "summary": "报送居家养老服务记录（需 x-csrf-token；有一条不合格则全部不保存）/ hand in home-care service records (needs x-csrf-token; one refused refuses all)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object", "properties": {
                    "order_id": { "type": "integer" }, "served_on": { "type": "string", "format": "date" },
                    "service": { "type": "string", "enum": ["meals", "cleaning", "bathing", "medical_escort", "rehabilitation", "visit"] },
                    "minutes": { "type": "integer", "minimum": 1, "maximum": 480 }, "worker": { "type": "string" } },
                    "required": ["order_id", "served_on", "service", "minutes", "worker"] } } } } },
                "responses": { "201": { "description": "how many stored and how many drawn for verification" },
                    "403": error_response(), "422": error_response() } } },
            "/api/eldercare/homecare/settlements": { "get": {
                "summary": "居家养老服务月度结算（按服务机构）/ the month's home-care settlement per provider",
                "parameters": [{ "name": "month", "in": "query", "required": false, "schema": { "type": "string" }, "description": "2026-11 (default: last month)" }],
                "responses": { "200": { "description": "preview (as it stands) and settled (as stored)" }, "400": error_response(), "403": error_response() } } },
            "/api/eldercare/assessments/{id}": { "get": {
                "summary": "一次能力评估及结果 / an assessment with its result",
                "parameters": [param("id", "path", "assessment id")],
                "responses": { "200": { "description": "assessment" }, "403": error_response(), "404": error_response() } } }
        }
    })
}
