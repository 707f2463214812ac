//! The platform's JSON API: health, regions, password, the audit log.

use crate::auth::{self, Authenticated};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::Json;
use minzheng_domain::{Region, RegionCode};
use minzheng_store::Page;
use serde::{Deserialize, Serialize};
#[derive(Serialize)]
pub(crate) struct Health {
    status: &'static str,
    backend: minzheng_store::Backend,
}

pub(crate) async fn health(State(s): State<AppState>) -> Json<Health> {
    Json(Health { status: "ok", backend: s.store.backend() })
}

/// A region code as typed (spaces around it ignored), or the error in both languages.
/// A `?region=` as sent: none when absent or blank, else the code (a clear 400 when it is not one).
pub(crate) fn region_of(text: Option<&str>) -> Result<Option<RegionCode>, AppError> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(parse_region).transpose()
}

pub(crate) fn parse_region(text: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(text.trim()).map_err(|e| AppError::bad_input("bad_region_code", &e))
}

/// A region as staff type it in a search: its code, or its name (浑南区, 文欣社区). A name shared
/// by several regions is narrowed to those within the account's region; still several, the
/// choices are listed.
pub(crate) fn region_named(s: &crate::AppState, who: &minzheng_domain::Principal, text: &str) -> Result<RegionCode, AppError> {
    let text = text.trim();
    if text.is_empty() || text.bytes().all(|b| b.is_ascii_digit()) {
        return parse_region(text);
    }
    let all = s.communities.codes_named(text);
    let within: Vec<RegionCode> = all.iter().filter(|c| who.in_scope(c)).cloned().collect();
    let found = if within.is_empty() { all } else { within };
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(AppError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "bad_region_name",
            format!("没有名为“{text}”的区划：请填写区划全称或代码"),
            format!("no region is called {text:?}: give its full name or its code"),
        )
        .on_field("region")),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|c| format!("{}{text}（{c}）", c.parent().map(|p| crate::pages::region_name(s, &p)).unwrap_or_default()))
                .collect();
            Err(AppError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "ambiguous_region_name",
                format!("名为“{text}”的区划有 {} 个，请填写代码：{}", many.len(), list.join("、")),
                format!("{} regions are called {text:?}; give the code: {}", many.len(), list.join(", ")),
            )
            .on_field("region"))
        }
    }
}

#[derive(Serialize)]
pub(crate) struct RegionView {
    #[serde(flatten)]
    region: Region,
    children: Vec<Region>,
}

/// The division tree is public knowledge: any signed-in account may browse all of it.
pub(crate) async fn region(State(s): State<AppState>, _who: Authenticated, Path(code): Path<String>) -> Result<Json<RegionView>, AppError> {
    let code = parse_region(&code)?;
    let region = s.store.region(&code).await?.ok_or_else(|| AppError::not_found("区划", "region"))?;
    let children = s.store.region_children(&code).await?;
    Ok(Json(RegionView { region, children }))
}

#[derive(Deserialize, Default)]
pub(crate) struct AuditParams {
    pub region: Option<String>,
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub key: Option<String>,
    pub action: Option<String>,
    /// First and last day (Beijing time, inclusive): `2026-12-01`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

/// The instant a Beijing day begins.
fn beijing_midnight(day: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::hours(8)
}

pub(crate) fn audit_query(p: AuditParams) -> Result<minzheng_store::AuditQuery, AppError> {
    let region = minzheng_app::audit_log::region_param(p.region.as_deref()).map_err(|e| AppError::bad_input("bad_region_code", &e))?;
    let some = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let day = |v: &Option<String>, field: &'static str| -> Result<Option<chrono::NaiveDate>, AppError> {
        match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| {
                AppError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "bad_date",
                    format!("日期“{t}”应写成 2026-12-01"),
                    format!("date {t:?}: write it as 2026-12-01"),
                )
                .on_field(field)
            }),
        }
    };
    let from = day(&p.from, "from")?.map(beijing_midnight);
    let until = day(&p.to, "to")?.and_then(|d| d.succ_opt()).map(beijing_midnight);
    Ok(minzheng_store::AuditQuery {
        from,
        until,
        actor: some(p.actor),
        entity: some(p.entity),
        entity_key: some(p.key),
        action: some(p.action),
        region,
        include_unbound: false,
        before: p.before,
        limit: p.limit.unwrap_or(100),
    })
}

/// Auditors search the audit log of their region (newest first).
pub(crate) async fn audit_search(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<AuditParams>,
) -> Result<Json<Page<minzheng_store::AuditRecord>>, AppError> {
    let q = audit_query(p)?;
    Ok(Json(minzheng_app::audit_log::search(s.store.as_ref(), &who.cx(s.clock.today()), q).await?))
}

/// The same search as an .xlsx file (at most 1,000 records a file; page with `before`).
pub(crate) async fn audit_export(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<AuditParams>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let mut q = audit_query(p)?;
    q.limit = q.limit.max(1000);
    let page = minzheng_app::audit_log::search(s.store.as_ref(), &who.cx(s.clock.today()), q).await?;
    let bytes = minzheng_app::audit_log::to_xlsx(&page.items)
        .map_err(|e| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败", format!("export failed: {e}")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"audit.xlsx\""),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct PasswordChange {
    old: String,
    new: String,
}

/// Changes one's own password (needs `x-csrf-token`); every session ends, this one too.
pub(crate) async fn change_password(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(p): Json<PasswordChange>,
) -> Result<axum::http::StatusCode, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    minzheng_app::auth::change_password(s.store.as_ref(), &who.cx(s.clock.today()), &p.old, &p.new).await.map_err(auth::auth_error)?;
    s.sessions.forget_account(&who.principal.name);
    Ok(axum::http::StatusCode::NO_CONTENT)
}
pub(crate) fn openapi() -> serde_json::Value {
    #[allow(unused_imports)]
    use crate::platform::openapi::{error_response, page, param};
    serde_json::json!({
        "paths": {
            "/api/health": { "get": { "summary": "服务状态 / service status", "responses": { "200": { "description": "ok" } } } },
            "/api/session": {
                "post": { "summary": "登录 / sign in (sets the session cookie; returns the CSRF token)",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "name": { "type": "string" }, "password": { "type": "string" } }, "required": ["name", "password"] } } } },
                    "responses": { "200": { "description": "signed in" }, "401": error_response(), "429": error_response() } },
                "delete": { "summary": "退出 / sign out (needs the x-csrf-token header)", "responses": { "204": { "description": "signed out" }, "401": error_response(), "403": error_response() } } },
            "/api/regions/{code}": { "get": {
                "summary": "区划及其下级 / a region and its children",
                "parameters": [param("code", "path", "2/4/6/9/12-digit division code")],
                "responses": { "200": { "description": "region", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Region" } } } }, "400": error_response(), "404": error_response() } } },
            "/api/password": { "post": {
                "summary": "修改本人密码（需 x-csrf-token）/ change one's own password (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "old": { "type": "string" }, "new": { "type": "string" } }, "required": ["old", "new"] } } } },
                "responses": { "204": { "description": "changed; every session ended" }, "400": error_response(), "401": error_response(), "403": error_response() } } },
            "/api/audit": { "get": {
                "summary": "审计日志查询（审计角色，本区划）/ search the audit log (auditors, own region), newest first",
                "parameters": [param("region", "query", "region within the auditor's"), param("actor", "query", "account"), param("entity", "query", "person, household, account ..."), param("key", "query", "entity key"), param("action", "query", "read, update, login ..."), param("from", "query", "first day, Beijing time (2026-12-01)"), param("to", "query", "last day, Beijing time, inclusive"), param("before", "query", "id cursor"), param("limit", "query", "1-1000")],
                "responses": { "200": { "description": "page of audit records" }, "403": error_response() } } },
        },
        "schemas": {
            "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                "code": { "type": "string" }, "message_zh": { "type": "string" }, "message_en": { "type": "string" },
                "field": { "type": "string", "description": "the form field the error is about, when it is about one" } } } } },
            "Region": { "type": "object", "properties": { "code": { "type": "string" }, "name": { "type": "string" }, "level": { "type": "string", "enum": ["province", "city", "county", "street", "community"] }, "parent": { "type": ["string", "null"] } } }
        },
    })
}
