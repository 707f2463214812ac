//! 全市通办 · 审核确认: cases over HTTP. JSON API (the catalogue, accepting, lists, one case, a
//! step) and the pages: each role's queue with the due and overdue lists, the acceptance form,
//! the case page with its timeline and the steps the account may take, the catalogue with its
//! documents report, the printable public notice and the decision letters.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::pages::{render, UserBar};
use crate::policy::{parse_date, parse_region};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minzheng_app::cases::{self as use_case, Application, CaseFailure, CaseList, CaseView, Step, Upload};
use minzheng_domain::case::{CaseAction, CaseStatus, DocumentsLine};
use minzheng_domain::{Bilingual, Fen, IdNumber, Permission, Role};
use minzheng_store::{CaseEvent, Page};
use serde::{Deserialize, Serialize};

mod api;
mod letters;
mod pages;
mod text;
mod work;
pub(crate) use api::*;
pub(crate) use letters::*;
pub(crate) use pages::*;
pub(crate) use text::*;

pub(crate) fn routes() -> Router<AppState> {
    let listed = |path: &'static str, methods: &[&str]| crate::module::listed(ROUTES, path, methods);
    Router::new()
        .route(listed("/api/services", &["GET"]), get(api_services))
        .route(listed("/api/cases", &["GET", "POST"]), get(api_list).post(api_accept))
        .route(listed("/api/cases/{id}", &["GET"]), get(api_one))
        .route(listed("/api/cases/{id}/actions", &["POST"]), post(api_act))
        .route(listed("/services", &["GET"]), get(services_page))
        .route(listed("/cases", &["GET", "POST"]), get(list_page).post(form_accept))
        .route(listed("/cases/new", &["GET"]), get(new_page))
        .route(listed("/cases/export.xlsx", &["GET"]), get(export_list))
        .route(listed("/cases/{id}", &["GET"]), get(case_page))
        .route(listed("/cases/{id}/act", &["POST"]), post(form_act))
        .route(listed("/cases/{id}/letter.pdf", &["GET"]), get(letter_pdf))
        .route(listed("/cases/{id}/receipt.pdf", &["GET"]), get(receipt_pdf))
        .route(listed("/cases/missing-documents", &["POST"]), post(missing_documents_pdf))
        .route(listed("/notices/{community}", &["GET"]), get(notice_pdf))
        .route(
            listed("/cases/{id}/documents", &["POST"]),
            post(form_upload).layer(axum::extract::DefaultBodyLimit::max(use_case::MAX_DOCUMENT_BYTES + 64 * 1024)),
        )
        .route(listed("/cases/{id}/documents/{doc}", &["GET"]), get(download))
}

impl From<CaseFailure> for AppError {
    fn from(e: CaseFailure) -> AppError {
        match e {
            CaseFailure::Access(a) => a.into(),
            CaseFailure::Procedure(ref p) => {
                let status = match p {
                    minzheng_domain::CaseError::NotYours { .. } => StatusCode::FORBIDDEN,
                    minzheng_domain::CaseError::Illegal { .. }
                    | minzheng_domain::CaseError::NoticeRunning(_)
                    | minzheng_domain::CaseError::NoticeOver(_)
                    | minzheng_domain::CaseError::AlreadyDone => StatusCode::CONFLICT,
                    _ => StatusCode::BAD_REQUEST,
                };
                use minzheng_domain::CaseError as E;
                let field = match p {
                    E::NoComment => Some("comment"),
                    E::TooFewStaff => Some("staff"),
                    E::HomeVisitRequired => Some("home_visit"),
                    E::NoReason => Some("reason"),
                    E::NoAmount => Some("amount"),
                    _ => None,
                };
                let e = AppError::new(status, "illegal_step", p.zh(), p.en());
                match field {
                    Some(f) => e.on_field(f),
                    None => e,
                }
            }
            CaseFailure::Stale => AppError::new(StatusCode::CONFLICT, "stale", e.zh(), e.en()),
            CaseFailure::Invalid { zh, en } => AppError::new(StatusCode::BAD_REQUEST, "invalid", zh, en),
            CaseFailure::Missing { zh, en, .. } => {
                AppError::new(StatusCode::BAD_REQUEST, "documents_missing", zh, en).on_field("documents")
            }
        }
    }
}

pub(crate) fn bad(code: &'static str, zh: String, en: String) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, code, zh, en)
}

pub(crate) fn parse_id(text: &str) -> Result<IdNumber, AppError> {
    IdNumber::parse(text.trim()).map_err(|e| AppError::bad_input("bad_id_number", &e).on_field("applicant"))
}

pub const MODULE: crate::module::Module =
    crate::module::Module { name: "cases", routes: ROUTES, router: routes, openapi, menu: MENU, migrations: None, work: Some(work::lines) };

pub(crate) const MENU: &[crate::module::MenuEntry] =
    &[crate::module::MenuEntry { href: "/cases", zh: "全市通办", en: "Cases", needs: None }];

pub const ROUTES: &[crate::module::Route] = &[
    crate::module::Route::new("GET", "/api/services", crate::module::Access::SignedIn),
    crate::module::Route::new("GET", "/api/cases", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/api/cases", crate::module::Access::Needs(minzheng_domain::Permission::AcceptApplications)),
    crate::module::Route::new("GET", "/api/cases/{id}", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/api/cases/{id}/actions", crate::module::Access::Needs(minzheng_domain::Permission::HandleCases)),
    crate::module::Route::new("GET", "/services", crate::module::Access::SignedIn),
    crate::module::Route::new("GET", "/cases", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/cases", crate::module::Access::Needs(minzheng_domain::Permission::AcceptApplications)),
    crate::module::Route::new("GET", "/cases/new", crate::module::Access::Needs(minzheng_domain::Permission::AcceptApplications)),
    crate::module::Route::new("GET", "/cases/export.xlsx", crate::module::Access::Needs(minzheng_domain::Permission::ExportRegistry)),
    crate::module::Route::new("GET", "/cases/{id}", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/cases/{id}/act", crate::module::Access::Needs(minzheng_domain::Permission::HandleCases)),
    crate::module::Route::new("GET", "/cases/{id}/letter.pdf", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("GET", "/cases/{id}/receipt.pdf", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new(
        "POST",
        "/cases/missing-documents",
        crate::module::Access::Needs(minzheng_domain::Permission::AcceptApplications),
    ),
    crate::module::Route::new("GET", "/notices/{community}", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/cases/{id}/documents", crate::module::Access::Needs(minzheng_domain::Permission::HandleCases)),
    crate::module::Route::new(
        "GET",
        "/cases/{id}/documents/{doc}",
        crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry),
    ),
];

pub(crate) fn openapi() -> serde_json::Value {
    #[allow(unused_imports)]
    use crate::platform::openapi::{error_response, page, param};
    serde_json::json!({
        "paths": {
            "/api/services": { "get": {
                "summary": "全市通办服务事项目录及要件精减情况 / the service catalogue and the documents report",
                "parameters": [param("since", "query", "base date of the report, default 2022-01-01"), param("on", "query", "report date, default today")],
                "responses": { "200": { "description": "services and, per service, documents still required and replaced by data" }, "400": error_response() } } },
            "/api/cases": {
                "get": { "summary": "办件列表：待办、即将到期和超期、本社区受理、全部 / cases: the role's queue, due and overdue, accepted here, all",
                    "parameters": [param("list", "query", "queue (default), due, accepted, all"), param("before", "query", "cursor: cases with a smaller id"), param("limit", "query", "1-1000, default 50")],
                    "responses": { "200": { "description": "page of cases (ID numbers masked by role)" }, "400": error_response() } },
                "post": { "summary": "受理申请（全市通办，需 x-csrf-token）/ accept an application at the account's community",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "service": { "type": "string", "description": "service code of the catalogue, e.g. apply_dibao" }, "applicant": { "type": "string", "description": "full ID number" },
                        "documents": { "type": "array", "items": { "type": "string" }, "description": "codes of the documents handed in" }, "staff_relative": { "type": "boolean" }, "comment": { "type": "string", "minLength": 4 } },
                        "required": ["service", "applicant", "comment"] } } } },
                    "responses": { "201": { "description": "the case, owned by the applicant's hukou county" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/cases/{id}": { "get": {
                "summary": "办件及办理记录 / a case with its steps (the accepting community outside the household's region sees the status only)",
                "parameters": [param("id", "path", "case id")],
                "responses": { "200": { "description": "case and events" }, "403": error_response(), "404": error_response() } } },
            "/api/cases/{id}/actions": { "post": {
                "summary": "办理一个环节（需 x-csrf-token）/ take a step of the procedure",
                "parameters": [param("id", "path", "case id")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["survey", "record_check", "review", "return", "publish_notice", "object", "democratic_review", "approve", "refuse", "withdraw", "pay_first", "extend", "refer"] },
                    "comment": { "type": "string", "minLength": 4 }, "seen": { "type": "integer", "description": "the case version shown; refused with 409 if it changed" },
                    "staff": { "type": "string", "description": "survey: two or more staff, comma separated" }, "home_visit": { "type": "boolean" }, "findings": { "type": "string" },
                    "per_capita_income": { "type": "string", "description": "record_check: yuan per person and month" }, "assets_within_limits": { "type": "boolean" }, "report": { "type": "integer", "description": "a stored household check" },
                    "objection": { "type": "string" }, "amount": { "type": "string", "description": "yuan: pay_first, and approve for temporary assistance" }, "reason": { "type": "string", "description": "refuse: the written reason (the decider refuses a case the street has reviewed, or during its notice)" } },
                    "required": ["action", "comment", "seen"] } } } },
                "responses": { "200": { "description": "the case after the step" }, "400": error_response(), "403": error_response(), "404": error_response(), "409": error_response() } } },
        },
    })
}
