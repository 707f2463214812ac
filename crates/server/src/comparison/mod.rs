//! 数据比对 · 家庭经济状况核对: the data comparison (departmental files against the registry and
//! the rosters), its findings and their workflow, the review of uncertain links, and household
//! economic checks with their reports.

pub mod findings;
pub mod verification;
mod work;

use crate::module::{Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::Router;
use minzheng_domain::Permission;

pub const MODULE: Module =
    Module { name: "comparison", routes: ROUTES, router, openapi, menu: MENU, migrations: None, work: Some(work::lines) };

const MENU: &[MenuEntry] = &[
    MenuEntry { href: "/findings", zh: "比对疑点", en: "Findings", needs: Some(Permission::ReadFindings) },
    MenuEntry { href: "/verifications", zh: "核对报告", en: "Check reports", needs: Some(Permission::ReadFindings) },
];

/// Both parts' routes.
pub const ROUTES: &[Route] = &[
    Route::new("GET", "/api/findings", Access::Needs(Permission::ReadFindings)),
    Route::new("GET", "/api/findings/{id}", Access::Needs(Permission::ReadFindings)),
    Route::new("POST", "/api/findings/{id}/actions", Access::Needs(Permission::WorkFindings)),
    Route::new("POST", "/api/comparisons", Access::Needs(Permission::RunComparisons)),
    Route::new("GET", "/findings", Access::Needs(Permission::ReadFindings)),
    Route::new("GET", "/findings/export.xlsx", Access::Needs(Permission::ExportRegistry)),
    Route::new("POST", "/findings/assign", Access::Needs(Permission::WorkFindings)),
    Route::new("POST", "/findings/compare", Access::Needs(Permission::RunComparisons)),
    Route::new("GET", "/findings/{id}", Access::Needs(Permission::ReadFindings)),
    Route::new("POST", "/findings/{id}/act", Access::Needs(Permission::WorkFindings)),
    Route::new("GET", "/linkage/review", Access::Needs(Permission::RunComparisons)),
    Route::new("POST", "/linkage/review/{id}", Access::Needs(Permission::RunComparisons)),
    Route::new("POST", "/api/households/{no}/verifications", Access::Needs(Permission::VerifyHouseholds)),
    Route::new("GET", "/api/verifications/{id}", Access::Needs(Permission::ReadFindings)),
    Route::new("GET", "/households/{no}/verification", Access::Needs(Permission::VerifyHouseholds)),
    Route::new("POST", "/households/{no}/verification", Access::Needs(Permission::VerifyHouseholds)),
    Route::new("GET", "/verifications", Access::Needs(Permission::ReadFindings)),
    Route::new("GET", "/verifications/export.xlsx", Access::Needs(Permission::ExportRegistry)),
    Route::new("GET", "/verifications/{id}", Access::Needs(Permission::ReadFindings)),
    Route::new("GET", "/verifications/{id}/report.pdf", Access::Needs(Permission::ReadFindings)),
];

fn router() -> Router<AppState> {
    findings::routes().merge(verification::routes())
}

pub(crate) fn openapi() -> serde_json::Value {
    #[allow(unused_imports)]
    use crate::platform::openapi::{error_response, page, param};
    serde_json::json!({
        "paths": {
            "/api/findings": { "get": {
                "summary": "比对疑点（本区划，新的在前）/ findings of the data comparison in the account's region, newest first",
                "parameters": [param("region", "query", "region within the account's"), param("kind", "query", "deceased | enrolled_twice | incompatible_programs | moved_out | members_mismatch | no_longer_eligible | absent"),
                    param("status", "query", "new | assigned | verified | resolved"), param("before", "query", "cursor: the next field of the previous page"), param("limit", "query", "1 to 1000, default 50")],
                "responses": { "200": { "description": "{items: findings with evidence, next}" }, "400": error_response(), "403": error_response() } } },
            "/api/findings/{id}": { "get": {
                "summary": "一条疑点及其证据和处理记录 / one finding with its evidence and workflow steps",
                "parameters": [param("id", "path", "finding id")],
                "responses": { "200": { "description": "{finding, events}" }, "403": error_response(), "404": error_response() } } },
            "/api/findings/{id}/actions": { "post": {
                "summary": "疑点处理：分派、核实、办结（需 x-csrf-token）/ a workflow step: assign, verify, resolve",
                "parameters": [param("id", "path", "finding id")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["assign", "verify", "resolve"] }, "to": { "type": "string" },
                    "resolution": { "type": "string", "enum": ["stop", "recover_overpayment", "correct_data", "false_positive"] }, "comment": { "type": "string", "minLength": 4 }, "seen": { "type": "string", "enum": ["new", "assigned", "verified"], "description": "the status the worker saw; refused with 409 if it changed" } },
                    "required": ["action", "comment"] } } } },
                "responses": { "200": { "description": "the finding after the step" }, "400": error_response(), "403": error_response(), "404": error_response(), "409": error_response() } } },
            "/api/comparisons": { "post": {
                "summary": "批量比对：区划内全部在保对象与人口库、死亡数据和政策规则比对（需 x-csrf-token）/ compare every active enrolment of a region",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "region": { "type": "string" }, "on": { "type": "string", "format": "date" } }, "required": ["region"] } } } },
                "responses": { "200": { "description": "enrolments, persons, rows, re-checked, found, added, by kind, seconds" }, "400": error_response(), "403": error_response() } } },
            "/api/households/{no}/verifications": { "post": {
                "summary": "家庭经济状况核对：凭授权书查询各部门数据，生成核对报告（需 x-csrf-token）/ check a household's income and assets with its signed authorisation",
                "parameters": [param("no", "path", "户号 household number")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "reference": { "type": "string", "description": "授权书编号" }, "signed_on": { "type": "string", "format": "date" },
                    "signed_by": { "type": "array", "items": { "type": "string", "description": "ID numbers of the members who signed (every adult)" } },
                    "on": { "type": "string", "format": "date", "description": "核对基准日, default today" } }, "required": ["reference", "signed_on", "signed_by"] } } } },
                "responses": { "200": { "description": "the report: members, each departmental record with source and batch, figures as the rules count them, each program's decision" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/verifications/{id}": { "get": {
                "summary": "一份核对报告（PDF 见 /verifications/{id}/report.pdf）/ a stored household check report",
                "parameters": [param("id", "path", "report id")],
                "responses": { "200": { "description": "the report" }, "403": error_response(), "404": error_response() } } },
        },
    })
}
