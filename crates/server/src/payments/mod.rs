//! 资金发放 · 资金监督: the money loop from the enrolments in force to the bank and back.
//! Payment accounts ("一卡通") checked as the bank does; the month's payment list (发放花名册)
//! worked out from the enrolments (arrears, returned payments paid again, lines held without an
//! account), prepared by the county, approved by a second person and locked (the database
//! refuses any later change); the bank's payment file and return file as data (`layouts/`);
//! every change and every read of account numbers audited. Built on the module shape of
//! `tasks/`: `model.rs` and `bank.rs` (pure), `store.rs` and `migrations/` (its tables, written
//! once for both databases), `service.rs` (access and audit), `routes.rs` (API and pages).

pub mod bank;
pub mod budget;
pub mod cli;
pub mod demo;
pub mod institution_accounts;
mod institution_routes;
pub mod model;
pub mod oversight;
mod oversight_routes;
pub mod parallel;
pub mod recovery;
mod recovery_routes;
pub mod recovery_store;
pub mod relatives;
mod relatives_routes;
mod routes;
pub mod service;
pub mod store;
pub mod supervision;
mod work;

use crate::module::{listed, Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use minzheng_domain::Permission;

pub const ROUTES: &[Route] = &[
    Route::new("GET", "/payments", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/payments", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/payments/{id}", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/payments/{id}/step", Access::Needs(Permission::ApprovePayroll)),
    Route::new("GET", "/payments/{id}/bank-file", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/payments/{id}/roster.xlsx", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/payments/{id}/public.pdf", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/payments/{id}/return", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/api/payrolls", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/api/payrolls", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/api/payrolls/{id}", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/api/payrolls/{id}/step", Access::Needs(Permission::ApprovePayroll)),
    Route::new("POST", "/api/payment-accounts", Access::Needs(Permission::ManagePaymentAccounts)),
    Route::new("GET", "/payments/recoveries", Access::Needs(Permission::ReadPayments)),
    Route::new("GET", "/payments/recoveries.xlsx", Access::Needs(Permission::PreparePayroll)),
    Route::new("POST", "/payments/recoveries", Access::Needs(Permission::PreparePayroll)),
    Route::new("POST", "/payments/recoveries/{id}", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/api/recoveries", Access::Needs(Permission::ReadPayments)),
    Route::new("GET", "/payments/budget", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/payments/budget", Access::Needs(Permission::ApprovePayroll)),
    Route::new("GET", "/payments/budget.xlsx", Access::Needs(Permission::ReadPayments)),
    Route::new("GET", "/api/budget", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/payments/{id}/amounts", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/payments/relatives", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/payments/relatives", Access::Needs(Permission::PreparePayroll)),
    Route::new("POST", "/payments/relatives/{id}/withdraw", Access::Needs(Permission::PreparePayroll)),
    Route::new("GET", "/api/staff-relatives", Access::Needs(Permission::ReadPayments)),
    Route::new("GET", "/payments/institutions", Access::Needs(Permission::ReadPayments)),
    Route::new("GET", "/payments/supervision", Access::Needs(Permission::ReadPayments)),
    Route::new("GET", "/api/supervision", Access::Needs(Permission::ReadPayments)),
    Route::new("POST", "/payments/institutions/{id}", Access::Needs(Permission::PreparePayroll)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/payments", zh: "资金发放", en: "Payments", needs: Some(Permission::ReadPayments) }];

pub const MODULE: Module =
    Module { name: "payments", routes: ROUTES, router, openapi, menu: MENU, migrations: Some(&store::MIGRATIONS), work: Some(work::lines) };

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/payments", &["GET", "POST"]), get(routes::list_page).post(routes::form_prepare))
        .route(l("/payments/{id}", &["GET"]), get(routes::payroll_page))
        .route(l("/payments/{id}/step", &["POST"]), post(routes::form_step))
        .route(l("/payments/{id}/bank-file", &["GET"]), get(routes::bank_file))
        .route(l("/payments/{id}/roster.xlsx", &["GET"]), get(routes::roster_xlsx))
        .route(l("/payments/{id}/public.pdf", &["GET"]), get(routes::public_pdf))
        .route(l("/payments/{id}/return", &["POST"]), post(routes::form_return))
        .route(l("/api/payrolls", &["GET", "POST"]), get(routes::api_list).post(routes::api_prepare))
        .route(l("/api/payrolls/{id}", &["GET"]), get(routes::api_one))
        .route(l("/api/payrolls/{id}/step", &["POST"]), post(routes::api_step))
        .route(l("/api/payment-accounts", &["POST"]), post(routes::api_accounts))
        .route(l("/payments/recoveries", &["GET", "POST"]), get(recovery_routes::recoveries_page).post(recovery_routes::form_find))
        .route(l("/payments/recoveries.xlsx", &["GET"]), get(recovery_routes::recoveries_xlsx))
        .route(l("/payments/recoveries/{id}", &["POST"]), post(recovery_routes::form_recovery))
        .route(l("/api/recoveries", &["GET"]), get(recovery_routes::api_recoveries))
        .route(l("/payments/budget", &["GET", "POST"]), get(routes::budget_page).post(routes::form_budget))
        .route(l("/payments/budget.xlsx", &["GET"]), get(routes::budget_xlsx))
        .route(l("/api/budget", &["GET"]), get(routes::api_budget))
        .route(l("/payments/{id}/amounts", &["POST"]), post(routes::form_check_amounts))
        .route(l("/payments/relatives", &["GET", "POST"]), get(relatives_routes::relatives_page).post(relatives_routes::form_file))
        .route(l("/payments/relatives/{id}/withdraw", &["POST"]), post(relatives_routes::form_withdraw))
        .route(l("/api/staff-relatives", &["GET"]), get(relatives_routes::api_relatives))
        .route(l("/payments/institutions", &["GET"]), get(institution_routes::institutions_page))
        .route(l("/payments/supervision", &["GET"]), get(oversight_routes::summary_page))
        .route(l("/api/supervision", &["GET"]), get(oversight_routes::api_summary))
        .route(l("/payments/institutions/{id}", &["POST"]), post(institution_routes::form_account))
}

fn openapi() -> serde_json::Value {
    use crate::platform::openapi::{error_response, param};
    let csrf = serde_json::json!({ "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } });
    serde_json::json!({
        "paths": {
            "/api/payrolls": {
                "get": { "summary": "发放花名册列表 / the payment lists of the account's region",
                    "responses": { "200": { "description": "payrolls: program, county, month, status (prepared, approved, locked), lines, total in fen" }, "403": error_response() } },
                "post": { "summary": "编制（或重新编制）月度花名册（需 x-csrf-token）/ prepare a month's payment list (needs x-csrf-token)",
                    "parameters": [csrf],
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "program": { "type": "string", "description": "dibao, gaoling ..." },
                        "county": { "type": "string", "description": "6-digit county; default: the account's region" },
                        "month": { "type": "string", "description": "2026-09" } },
                        "required": ["program", "month"] } } } },
                    "responses": { "201": { "description": "prepared" }, "400": error_response(), "403": error_response(), "409": error_response(), "422": error_response() } } },
            "/api/payrolls/{id}": { "get": {
                "summary": "一份花名册及其明细和银行结果 / a payment list with its lines and the bank's results",
                "parameters": [param("id", "path", "payroll id")],
                "responses": { "200": { "description": "payroll with payroll_lines and results" }, "403": error_response(), "404": error_response() } } },
            "/api/payrolls/{id}/step": { "post": {
                "summary": "审核、退回或锁定（需 x-csrf-token；审核须由编制人以外的人员）/ approve (a second person), send back or lock (needs x-csrf-token)",
                "parameters": [param("id", "path", "payroll id"), csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "step": { "type": "string", "enum": ["approve", "send_back", "lock"] } }, "required": ["step"] } } } },
                "responses": { "200": { "description": "moved" }, "400": error_response(), "403": error_response(), "404": error_response(), "409": error_response(), "422": error_response() } } },
            "/api/recoveries": { "get": {
                "summary": "追回台账 / the recovery ledger: months paid after an enrolment's end, per payee",
                "parameters": [param("county", "query", "6-digit county (default: the account's region)")],
                "responses": { "200": { "description": "recoveries: payee, months, amount, repaid (fen), status (open, repaying, settled, written_off)" }, "403": error_response() } } },
            "/api/supervision": { "get": {
                "summary": "资金监督汇总 / per county: supervision findings by kind (open, settled), the money at risk in the open ones, the recovery totals",
                "parameters": [param("county", "query", "6-digit county (default: the account's region)")],
                "responses": { "200": { "description": "counties: kinds (kind, open, settled, at_risk), open, at_risk, overpaid, recovered, owed, written_off (fen)" }, "403": error_response() } } },
            "/api/staff-relatives": { "get": {
                "summary": "工作人员近亲属备案 / the register of staff's close relatives (ID numbers masked for the roles that see them masked)",
                "parameters": [param("county", "query", "6-digit county (default: the account's region)")],
                "responses": { "200": { "description": "filings: staff_name, staff_unit, relative, relative_name, relation, filed_on, removed_on" }, "403": error_response() } } },
            "/api/budget": { "get": {
                "summary": "资金项目：预算及执行 / budget lines and their execution by month",
                "parameters": [param("county", "query", "6-digit county (default: the account's region)"), param("year", "query", "2026 (default: this year)")],
                "responses": { "200": { "description": "per program and county: budget, by_month (12, fen), spent, rate_per_mille" }, "403": error_response() } } },
            "/api/payment-accounts": { "post": {
                "summary": "登记发放账户（一卡通），全部成功或全部不变（需 x-csrf-token）/ record payment accounts, all or none (needs x-csrf-token)",
                "parameters": [csrf],
                "requestBody": { "content": { "application/json": { "schema": { "type": "array", "items": { "type": "object", "properties": {
                    "id_number": { "type": "string" }, "name": { "type": "string" }, "bank": { "type": "string" },
                    "kind": { "type": "string", "enum": ["card", "passbook"] }, "account_no": { "type": "string" } },
                    "required": ["id_number", "name", "bank", "account_no"] } } } } },
                "responses": { "200": { "description": "recorded" }, "400": error_response(), "403": error_response(), "422": error_response() } } }
        }
    })
}
