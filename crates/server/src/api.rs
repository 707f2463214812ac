//! JSON API of the registry: regions, persons, households; sign-in and sign-out.

use crate::auth::{self, Authenticated};
use crate::{listed, AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use minzheng_app::registry::{self, PersonView};
use minzheng_domain::{Household, IdNumber, Region, RegionCode};
use minzheng_store::{HouseholdQuery, Page, PersonQuery};
use serde::{Deserialize, Serialize};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(listed("/api/health", &["GET"]), get(health))
        .route(listed("/api/session", &["POST", "DELETE"]), post(auth::api_login).delete(auth::api_logout))
        .route(listed("/api/regions/{code}", &["GET"]), get(region))
        .route(listed("/api/persons", &["GET"]), get(search_persons))
        .route(listed("/api/persons/{id}", &["GET"]), get(person))
        .route(listed("/api/persons/{id}/unmask", &["POST"]), post(unmask))
        .route(listed("/api/acceptance/{id}", &["GET"]), get(acceptance))
        .route(listed("/api/password", &["POST"]), post(change_password))
        .route(listed("/api/households", &["GET"]), get(search_households))
        .route(listed("/api/audit", &["GET"]), get(audit_search))
        .route(listed("/api/stats/residents", &["GET"]), get(residents_by_region))
        .route(listed("/audit/export.xlsx", &["GET"]), get(audit_export))
        .route(listed("/api/households/{no}", &["GET"]), get(household))
}

/// The API's paths, for the OpenAPI completeness test.
pub const PATHS: &[&str] = &[
    "/api/health",
    "/api/session",
    "/api/regions/{code}",
    "/api/persons",
    "/api/persons/{id}",
    "/api/persons/{id}/unmask",
    "/api/acceptance/{id}",
    "/api/password",
    "/api/households",
    "/api/households/{no}",
    "/api/audit",
    "/api/stats/residents",
];

#[derive(Serialize)]
struct Health {
    status: &'static str,
    backend: minzheng_store::Backend,
}

async fn health(State(s): State<AppState>) -> Json<Health> {
    Json(Health { status: "ok", backend: s.store.backend() })
}

fn parse_region(text: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(text).map_err(|e| AppError::bad_input("bad_region_code", &e))
}

#[derive(Serialize)]
struct RegionView {
    #[serde(flatten)]
    region: Region,
    children: Vec<Region>,
}

/// The division tree is public knowledge: any signed-in account may browse all of it.
async fn region(State(s): State<AppState>, _who: Authenticated, Path(code): Path<String>) -> Result<Json<RegionView>, AppError> {
    let code = parse_region(&code)?;
    let region = s.store.region(&code).await?.ok_or_else(|| AppError::not_found("区划", "region"))?;
    let children = s.store.region_children(&code).await?;
    Ok(Json(RegionView { region, children }))
}

async fn person(State(s): State<AppState>, who: Authenticated, Path(id): Path<String>) -> Result<Json<PersonView>, AppError> {
    let id = IdNumber::parse(&id).map_err(|e| AppError::bad_input("bad_id_number", &e))?;
    Ok(Json(registry::person(s.store.as_ref(), &who.principal, &who.actor, &id).await?))
}

#[derive(Deserialize)]
struct UnmaskRequest {
    reason: String,
}

/// Shows one person's full ID and phone numbers to a role that sees them masked, for a stated
/// reason (audited with the reason). Needs the `x-csrf-token` header.
async fn unmask(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<UnmaskRequest>,
) -> Result<Json<PersonView>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let id = IdNumber::parse(&id).map_err(|e| AppError::bad_input("bad_id_number", &e))?;
    Ok(Json(registry::unmask(s.store.as_ref(), &who.principal, &who.actor, &id, &body.reason).await?))
}

#[derive(Deserialize)]
pub(crate) struct SearchParams {
    region: Option<String>,
    name: Option<String>,
    tag: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

async fn search_persons(State(s): State<AppState>, who: Authenticated, Query(q): Query<SearchParams>) -> Result<Json<Page<PersonView>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    let query = PersonQuery {
        region,
        name: q.name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_string()),
        tag: q.tag.filter(|t| !t.is_empty()),
        after: q.after.filter(|a| !a.is_empty()),
        limit: q.limit.unwrap_or(50),
    };
    Ok(Json(registry::search_persons(s.store.as_ref(), &who.principal, &who.actor, query).await?))
}

#[derive(Serialize)]
struct HouseholdView {
    #[serde(flatten)]
    household: Household,
    community_name: Option<String>,
    members: Vec<PersonView>,
}

async fn household(State(s): State<AppState>, who: Authenticated, Path(no): Path<String>) -> Result<Json<HouseholdView>, AppError> {
    let (household, members) = registry::household(s.store.as_ref(), &who.principal, &who.actor, &no).await?;
    let community_name = s.communities.name(&household.community).map(str::to_string);
    Ok(Json(HouseholdView { household, community_name, members }))
}

async fn search_households(State(s): State<AppState>, who: Authenticated, Query(q): Query<SearchParams>) -> Result<Json<Page<Household>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    let query = HouseholdQuery { region, after: q.after.filter(|a| !a.is_empty()), limit: q.limit.unwrap_or(50) };
    Ok(Json(registry::search_households(s.store.as_ref(), &who.principal, &who.actor, query).await?))
}

#[derive(Deserialize, Default)]
pub(crate) struct AuditParams {
    pub region: Option<String>,
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub key: Option<String>,
    pub action: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

pub(crate) fn audit_query(p: AuditParams) -> Result<minzheng_store::AuditQuery, AppError> {
    let region = minzheng_app::audit_log::region_param(p.region.as_deref()).map_err(|e| AppError::bad_input("bad_region_code", &e))?;
    let some = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    Ok(minzheng_store::AuditQuery {
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
async fn audit_search(State(s): State<AppState>, who: Authenticated, Query(p): Query<AuditParams>) -> Result<Json<Page<minzheng_store::AuditRecord>>, AppError> {
    let q = audit_query(p)?;
    Ok(Json(minzheng_app::audit_log::search(s.store.as_ref(), &who.principal, &who.actor, q).await?))
}

/// The same search as an .xlsx file (at most 1,000 records a file; page with `before`).
async fn audit_export(State(s): State<AppState>, who: Authenticated, Query(p): Query<AuditParams>) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let mut q = audit_query(p)?;
    q.limit = q.limit.max(1000);
    let page = minzheng_app::audit_log::search(s.store.as_ref(), &who.principal, &who.actor, q).await?;
    let bytes = minzheng_app::audit_log::to_xlsx(&page.items)
        .map_err(|e| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败", format!("export failed: {e}")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"audit.xlsx\""),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct RegionParam {
    region: Option<String>,
}

/// Residents per region one level below the account's (the home page chart).
async fn residents_by_region(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Json<Vec<minzheng_app::registry::RegionCount>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    Ok(Json(registry::residents_by_region(s.store.as_ref(), &who.principal, region).await?))
}

/// 全市通办: a community worker finds any city resident by full ID number to accept an
/// application (name, masked number, owning county only).
async fn acceptance(State(s): State<AppState>, who: Authenticated, Path(id): Path<String>) -> Result<Json<registry::AcceptanceView>, AppError> {
    let id = IdNumber::parse(&id).map_err(|e| AppError::bad_input("bad_id_number", &e))?;
    Ok(Json(registry::find_for_acceptance(s.store.as_ref(), &who.principal, &who.actor, &id).await?))
}

#[derive(Deserialize)]
struct PasswordChange {
    old: String,
    new: String,
}

/// Changes one's own password (needs `x-csrf-token`); every session ends, this one too.
async fn change_password(State(s): State<AppState>, who: Authenticated, headers: axum::http::HeaderMap, Json(p): Json<PasswordChange>) -> Result<axum::http::StatusCode, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    minzheng_app::auth::change_password(s.store.as_ref(), &who.principal, &p.old, &p.new, &who.actor).await.map_err(auth::auth_error)?;
    s.sessions.forget_account(&who.principal.name);
    Ok(axum::http::StatusCode::NO_CONTENT)
}
