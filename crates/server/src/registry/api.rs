//! The registry's JSON API: persons, households, counts, city-wide acceptance look-up.

use crate::auth::Authenticated;
use crate::platform::api::parse_region;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::Json;
use minzheng_app::registry::{self, PersonView};
use minzheng_domain::IdNumber;
use minzheng_store::{HouseholdQuery, Page, PersonQuery};
use serde::{Deserialize, Serialize};
pub(crate) async fn person(State(s): State<AppState>, who: Authenticated, Path(id): Path<String>) -> Result<Json<PersonView>, AppError> {
    let id = IdNumber::parse(&id).map_err(|e| AppError::bad_input("bad_id_number", &e))?;
    Ok(Json(registry::person(s.store.as_ref(), &who.cx(s.clock.today()), &id).await?))
}

#[derive(Deserialize)]
pub(crate) struct UnmaskRequest {
    reason: String,
}

/// Shows one person's full ID and phone numbers to a role that sees them masked, for a stated
/// reason (audited with the reason). Needs the `x-csrf-token` header.
pub(crate) async fn unmask(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<UnmaskRequest>,
) -> Result<Json<PersonView>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let id = IdNumber::parse(&id).map_err(|e| AppError::bad_input("bad_id_number", &e))?;
    Ok(Json(registry::unmask(s.store.as_ref(), &who.cx(s.clock.today()), &id, &body.reason).await?))
}

#[derive(Deserialize)]
pub(crate) struct SearchParams {
    region: Option<String>,
    name: Option<String>,
    tag: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

pub(crate) async fn search_persons(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<SearchParams>,
) -> Result<Json<Page<PersonView>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    let query = PersonQuery {
        region,
        name: q.name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_string()),
        tag: q.tag.filter(|t| !t.is_empty()),
        after: q.after.filter(|a| !a.is_empty()),
        limit: q.limit.unwrap_or(50),
    };
    Ok(Json(registry::search_persons(s.store.as_ref(), &who.cx(s.clock.today()), query).await?))
}

#[derive(Serialize)]
pub(crate) struct HouseholdView {
    #[serde(flatten)]
    household: registry::HouseholdView,
    community_name: Option<String>,
    members: Vec<PersonView>,
}

pub(crate) async fn household(
    State(s): State<AppState>,
    who: Authenticated,
    Path(no): Path<String>,
) -> Result<Json<HouseholdView>, AppError> {
    let (household, members) = registry::household(s.store.as_ref(), &who.cx(s.clock.today()), &no).await?;
    let community_name = s.communities.name(&household.community).map(str::to_string);
    Ok(Json(HouseholdView { household: registry::HouseholdView::of(&household, who.principal.role), community_name, members }))
}

pub(crate) async fn search_households(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<SearchParams>,
) -> Result<Json<Page<registry::HouseholdView>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    let query = HouseholdQuery { region, after: q.after.filter(|a| !a.is_empty()), limit: q.limit.unwrap_or(50) };
    Ok(Json(registry::search_households(s.store.as_ref(), &who.cx(s.clock.today()), query).await?))
}

#[derive(Deserialize)]
pub(crate) struct RegionParam {
    region: Option<String>,
}

/// Residents per region one level below the account's (the home page chart).
pub(crate) async fn residents_by_region(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Json<Vec<minzheng_app::registry::RegionCount>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    Ok(Json(registry::residents_by_region(s.store.as_ref(), &who.principal, region).await?))
}

/// 全市通办: a community worker finds any city resident by full ID number to accept an
/// application (name, masked number, owning county only).
pub(crate) async fn acceptance(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<registry::AcceptanceView>, AppError> {
    let id = IdNumber::parse(&id).map_err(|e| AppError::bad_input("bad_id_number", &e))?;
    Ok(Json(registry::find_for_acceptance(s.store.as_ref(), &who.cx(s.clock.today()), &id).await?))
}
pub(crate) fn openapi() -> serde_json::Value {
    #[allow(unused_imports)]
    use crate::platform::openapi::{error_response, page, param};
    serde_json::json!({
        "paths": {
            "/api/persons": { "get": {
                "summary": "查询人员 / search persons (keyset pagination)",
                "parameters": [param("region", "query", "region code (any level)"), param("name", "query", "name prefix"), param("tag", "query", "tag"), param("after", "query", "cursor"), param("limit", "query", "1-1000, default 50")],
                "responses": { "200": { "description": "page", "content": { "application/json": { "schema": page("Person") } } }, "400": error_response() } } },
            "/api/persons/{id}": { "get": {
                "summary": "按身份证号取人员 / a person by ID number",
                "parameters": [param("id", "path", "18-digit ID number (15-digit legacy accepted)")],
                "responses": { "200": { "description": "person", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } }, "400": error_response(), "404": error_response() } } },
            "/api/persons/{id}/unmask": { "post": {
                "summary": "查看完整身份证号和电话（须说明理由，记入审计）/ show the full ID and phone numbers, with a reason (audited)",
                "parameters": [param("id", "path", "ID number"), { "name": "x-csrf-token", "in": "header", "required": true, "schema": { "type": "string" } }],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "reason": { "type": "string", "minLength": 4 } }, "required": ["reason"] } } } },
                "responses": { "200": { "description": "person, unmasked", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Person" } } } }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/acceptance/{id}": { "get": {
                "summary": "全市通办：按完整身份证号查找本市居民（仅姓名、脱敏号码、户籍区县）/ city-wide acceptance: find any city resident by full ID number",
                "parameters": [param("id", "path", "full ID number")],
                "responses": { "200": { "description": "name, masked number, owning county" }, "403": error_response(), "404": error_response() } } },
            "/api/households": { "get": {
                "summary": "查询户 / list households",
                "parameters": [param("region", "query", "region code"), param("after", "query", "cursor"), param("limit", "query", "1-1000")],
                "responses": { "200": { "description": "page", "content": { "application/json": { "schema": page("Household") } } }, "400": error_response() } } },
            "/api/stats/residents": { "get": {
                "summary": "居民分布（下一级区划的人数）/ residents per region one level below",
                "parameters": [param("region", "query", "region within the account's (default: the account's)")],
                "responses": { "200": { "description": "[{code, name, persons}]" }, "403": error_response() } } },
            "/api/households/{no}": { "get": {
                "summary": "户及成员 / a household with its members",
                "parameters": [param("no", "path", "户号 household number")],
                "responses": { "200": { "description": "household" }, "404": error_response() } } },
        },
        "schemas": {
            "Person": { "type": "object", "properties": {
                "id_number": { "type": "string" }, "name": { "type": "string" }, "sex": { "type": "string", "enum": ["male", "female"] },
                "birth_date": { "type": "string", "format": "date" }, "hukou_region": { "type": "string" }, "household_no": { "type": ["string", "null"] },
                "relation": { "type": "string" }, "status": { "type": "object" }, "disability": { "type": ["object", "null"] },
                "phone": { "type": ["string", "null"] }, "tags": { "type": "array", "items": { "type": "string" } } } },
            "Household": { "type": "object", "properties": {
                "household_no": { "type": "string" }, "head": { "type": ["string", "null"] }, "address": { "type": "string" },
                "community": { "type": "string" }, "grid": { "type": ["string", "null"] }, "building": { "type": ["string", "null"] },
                "kind": { "type": "string", "enum": ["urban", "rural"] } } }
        },
    })
}
