//! 社会救助 · 资格核算: the policy engine over HTTP. JSON API (check, sweep, what-if, parameters)
//! and the pages: a household's check with its explanation, the policy desk (parameters in
//! force, sweeps, what-if), and a run's results with charts.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use minzheng_app::policy::{self as use_case, PolicyFailure, SummaryRow, SweepReport, WhatIfReport, WhatIfRow};
use minzheng_domain::{Bilingual, Fen, RegionCode};
use minzheng_policy::explain::Check;
use minzheng_policy::{Area, Change, ChangeKind, ParameterRecord};
use minzheng_store::PolicyRun;
use serde::{Deserialize, Serialize};

mod pages;
mod text;
pub(crate) use pages::*;
pub(crate) use text::*;

pub(crate) fn routes() -> Router<AppState> {
    let listed = |path: &'static str, methods: &[&str]| crate::module::listed(ROUTES, path, methods);
    Router::new()
        .route(listed("/api/households/{no}/check", &["GET"]), get(api_check))
        .route(listed("/api/policy/sweeps", &["POST"]), post(api_sweep))
        .route(listed("/api/policy/whatif", &["POST"]), post(api_whatif))
        .route(listed("/api/policy/runs/{id}", &["GET"]), get(api_run))
        .route(listed("/api/policy/parameters", &["GET", "POST"]), get(api_parameters).post(api_set_parameter))
        .route(listed("/households/{no}/check", &["GET"]), get(check_page))
        .route(listed("/policy", &["GET"]), get(desk))
        .route(listed("/policy/sweep", &["POST"]), post(form_sweep))
        .route(listed("/policy/whatif", &["POST"]), post(form_whatif))
        .route(listed("/policy/runs/{id}", &["GET"]), get(run_page))
        .route(listed("/policy/runs/{id}/export.xlsx", &["GET"]), get(run_export))
        .route(listed("/policy/runs/{id}/contacts", &["GET"]), get(contacts_page))
        .route(listed("/policy/runs/{id}/contacts.xlsx", &["GET"]), get(contacts_xlsx))
}

impl From<PolicyFailure> for AppError {
    fn from(e: PolicyFailure) -> AppError {
        match e {
            PolicyFailure::Access(a) => a.into(),
            PolicyFailure::Engine(ref inner) => {
                eprintln!("policy engine error: {inner}");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "engine", e.zh(), e.en())
            }
            PolicyFailure::Invalid { zh, en } => AppError::new(StatusCode::BAD_REQUEST, "invalid", zh, en),
        }
    }
}

pub(crate) fn parse_date(text: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today),
        // Years 1900 to 2200: a date outside them is a typing error, and ages computed from
        // it would be absurd (`+262142-01-01` parses as a date).
        Some(t) => t.parse::<NaiveDate>().ok().filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d))).ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_date",
                format!("日期“{t}”应写作 2026-07-01（1900年至2200年）"),
                format!("date {t:?} must be written 2026-07-01 (years 1900 to 2200)"),
            )
        }),
    }
}

pub(crate) use crate::platform::api::parse_region;

pub(crate) fn parse_changes(lines: &[String], region: &str, from: NaiveDate) -> Result<Vec<Change>, AppError> {
    let mut out = Vec::new();
    for line in lines.iter().flat_map(|l| l.lines()).map(str::trim).filter(|l| !l.is_empty()) {
        out.push(Change::parse(line, region, from).map_err(|e| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_change",
                format!("调整“{line}”无法识别：{e}（示例：dibao_standard:urban+7%）"),
                format!("change {line:?}: {e} (e.g. dibao_standard:urban+7%)"),
            )
        })?);
    }
    if out.is_empty() {
        return Err(AppError::new(StatusCode::BAD_REQUEST, "bad_change", "请至少给出一项参数调整", "give at least one parameter change"));
    }
    Ok(out)
}

pub(crate) fn partitions() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

#[derive(Deserialize)]
pub(crate) struct OnParam {
    pub(crate) on: Option<String>,
}

pub(crate) async fn api_check(
    State(s): State<AppState>,
    who: Authenticated,
    Path(no): Path<String>,
    Query(q): Query<OnParam>,
) -> Result<Json<Check>, AppError> {
    let on = parse_date(q.on.as_deref(), s.clock.today())?;
    Ok(Json(use_case::check(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &no, on).await?))
}

#[derive(Deserialize)]
pub(crate) struct SweepRequest {
    pub(crate) region: String,
    pub(crate) on: Option<String>,
}

pub(crate) async fn api_sweep(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<SweepRequest>,
) -> Result<Json<SweepReport>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let region = parse_region(&r.region)?;
    let on = parse_date(r.on.as_deref(), s.clock.today())?;
    Ok(Json(use_case::sweep(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &region, on, partitions(), &|_| {}).await?))
}

#[derive(Deserialize)]
pub(crate) struct WhatIfRequest {
    pub(crate) region: String,
    pub(crate) from: String,
    /// `dibao_standard:urban+7%`, `gaoling_80=3000` ...
    pub(crate) changes: Vec<String>,
}

pub(crate) async fn api_whatif(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<WhatIfRequest>,
) -> Result<Json<WhatIfReport>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let region = parse_region(&r.region)?;
    let from = parse_date(Some(&r.from), s.clock.today())?;
    let changes = parse_changes(&r.changes, region.as_str(), from)?;
    Ok(Json(use_case::whatif(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &region, &changes, partitions(), &|_| {}).await?))
}

/// A stored run, if the account may run sweeps over its region.
pub(crate) async fn readable_run(s: &AppState, who: &Authenticated, id: i64) -> Result<PolicyRun, AppError> {
    match use_case::readable_run(s.store.as_ref(), &who.principal, id).await {
        Err(minzheng_app::registry::AccessError::NotFound) => Err(AppError::not_found("测算记录", "run")),
        other => Ok(other?),
    }
}

pub(crate) async fn api_run(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<PolicyRun>, AppError> {
    Ok(Json(readable_run(&s, &who, id).await?))
}

#[derive(Deserialize)]
pub(crate) struct RegionParam {
    pub(crate) region: Option<String>,
}

/// The region a page or list is asked for: the account's by default, refused outside it.
pub(crate) fn asked_region(who: &Authenticated, text: Option<&str>, needs: minzheng_domain::Permission) -> Result<RegionCode, AppError> {
    if !who.principal.may(needs) {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    let region = match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_region(t)?,
        None => who.principal.region.clone(),
    };
    if !who.principal.in_scope(&region) {
        return Err(minzheng_app::registry::AccessError::OutOfScope.into());
    }
    Ok(region)
}

/// The parameter history that applies in a region: values set for it, above it or below it.
pub(crate) async fn api_parameters(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Json<Vec<ParameterRecord>>, AppError> {
    let region = asked_region(&who, q.region.as_deref(), minzheng_domain::Permission::CheckEligibility)?;
    let r = region.as_str();
    Ok(Json(s.store.parameter_records().await?.into_iter().filter(|p| r.starts_with(&p.region) || p.region.starts_with(r)).collect()))
}

#[derive(Deserialize)]
pub(crate) struct SetParameter {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) area: Option<String>,
    pub(crate) from: String,
    pub(crate) value: i64,
    pub(crate) reason: String,
}

pub(crate) async fn api_set_parameter(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<SetParameter>,
) -> Result<Json<ParameterRecord>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let area =
        match r.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(Area::parse(a).ok_or_else(|| {
                AppError::new(StatusCode::BAD_REQUEST, "bad_area", "城乡应为 urban 或 rural", "area must be urban or rural")
            })?),
        };
    let record = ParameterRecord {
        name: r.name,
        region: r.region.trim().to_string(),
        area,
        effective_from: parse_date(Some(&r.from), s.clock.today())?,
        value: r.value,
        reason: r.reason,
        recorded_by: String::new(),
        recorded_at: chrono::Utc::now(),
        seq: 0,
    };
    Ok(Json(use_case::set_parameter(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), record).await?))
}

pub const MODULE: crate::module::Module =
    crate::module::Module { name: "policy", routes: ROUTES, router: routes, openapi, menu: MENU, migrations: None, work: None };

pub(crate) const MENU: &[crate::module::MenuEntry] = &[crate::module::MenuEntry {
    href: "/policy",
    zh: "社会救助",
    en: "Social assistance",
    needs: Some(minzheng_domain::Permission::RunSweeps),
}];

pub const ROUTES: &[crate::module::Route] = &[
    crate::module::Route::new(
        "GET",
        "/api/households/{no}/check",
        crate::module::Access::Needs(minzheng_domain::Permission::CheckEligibility),
    ),
    crate::module::Route::new("POST", "/api/policy/sweeps", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("POST", "/api/policy/whatif", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/api/policy/runs/{id}", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/api/policy/parameters", crate::module::Access::Needs(minzheng_domain::Permission::CheckEligibility)),
    crate::module::Route::new("POST", "/api/policy/parameters", crate::module::Access::Needs(minzheng_domain::Permission::SetParameters)),
    crate::module::Route::new("GET", "/households/{no}/check", crate::module::Access::Needs(minzheng_domain::Permission::CheckEligibility)),
    crate::module::Route::new("GET", "/policy", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("POST", "/policy/sweep", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("POST", "/policy/whatif", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/policy/runs/{id}", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/policy/runs/{id}/export.xlsx", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/policy/runs/{id}/contacts", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new(
        "GET",
        "/policy/runs/{id}/contacts.xlsx",
        crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps),
    ),
];

pub(crate) fn openapi() -> serde_json::Value {
    #[allow(unused_imports)]
    use crate::platform::openapi::{error_response, page, param};
    serde_json::json!({
        "paths": {
            "/api/households/{no}/check": { "get": {
                "summary": "资格核算：逐项目是否符合、金额及解释（条件、特征值、参数、依据）/ check a household against every program, with the explanation",
                "parameters": [param("no", "path", "户号 household number"), param("on", "query", "date, default today (2026-07-01)")],
                "responses": { "200": { "description": "check: programs, units, steps with features, parameters and legal basis" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/policy/sweeps": { "post": {
                "summary": "政策找人：对区划全量核算并保存为一次普查 / sweep a region on a date, stored as a run (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "region": { "type": "string" }, "on": { "type": "string", "format": "date" } }, "required": ["region"] } } } },
                "responses": { "200": { "description": "run id, counts and amounts per program, county and area" }, "400": error_response(), "403": error_response() } } },
            "/api/policy/whatif": { "post": {
                "summary": "提标测算：参数调整后新增、退出对象和增支 / cost parameter changes against the current values (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "region": { "type": "string" }, "from": { "type": "string", "format": "date" },
                    "changes": { "type": "array", "items": { "type": "string", "description": "dibao_standard:urban+7% | gaoling_80=3000 | name:region:area+n%" } } }, "required": ["region", "from", "changes"] } } } },
                "responses": { "200": { "description": "per program and county: baseline and scenario counts, new and leaving units, monthly amounts" }, "400": error_response(), "403": error_response() } } },
            "/api/policy/runs/{id}": { "get": {
                "summary": "一次普查或测算的结果 / a stored sweep or what-if",
                "parameters": [param("id", "path", "run id")],
                "responses": { "200": { "description": "run with its summary" }, "403": error_response(), "404": error_response() } } },
            "/api/policy/parameters": {
                "get": { "summary": "政策参数的全部历史 / the whole parameter history", "responses": { "200": { "description": "records: name, region, area, effective_from, value, reason, recorded_by, recorded_at, seq" }, "403": error_response() } },
                "post": { "summary": "记录参数新值（自某日起，写明依据；需 x-csrf-token）/ record a new parameter value from a date, with its basis",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "name": { "type": "string" }, "region": { "type": "string" }, "area": { "type": ["string", "null"], "enum": ["urban", "rural", null] },
                        "from": { "type": "string", "format": "date" }, "value": { "type": "integer", "description": "fen, per mille or count" }, "reason": { "type": "string", "minLength": 4 } },
                        "required": ["name", "region", "from", "value", "reason"] } } } },
                    "responses": { "200": { "description": "the stored record" }, "400": error_response(), "403": error_response() } } },
        },
    })
}
