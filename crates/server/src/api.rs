//! JSON API of the registry: regions, persons, households.

use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use minzheng_domain::{Household, IdNumber, Person, Region, RegionCode};
use minzheng_store::{HouseholdQuery, Page, PersonQuery};
use serde::{Deserialize, Serialize};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/regions/{code}", get(region))
        .route("/api/persons", get(search_persons))
        .route("/api/persons/{id}", get(person))
        .route("/api/households", get(search_households))
        .route("/api/households/{no}", get(household))
}

/// The routes this module serves, for the OpenAPI completeness test.
pub const PATHS: &[&str] = &[
    "/api/health",
    "/api/regions/{code}",
    "/api/persons",
    "/api/persons/{id}",
    "/api/households",
    "/api/households/{no}",
];

#[derive(Serialize)]
struct Health {
    status: &'static str,
    backend: minzheng_store::Backend,
    counts: minzheng_store::Counts,
}

async fn health(State(s): State<AppState>) -> Result<Json<Health>, AppError> {
    Ok(Json(Health { status: "ok", backend: s.store.backend(), counts: s.store.counts().await? }))
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

async fn region(State(s): State<AppState>, Path(code): Path<String>) -> Result<Json<RegionView>, AppError> {
    let code = parse_region(&code)?;
    let region = s.store.region(&code).await?.ok_or_else(|| AppError::not_found("区划", "region"))?;
    let children = s.store.region_children(&code).await?;
    Ok(Json(RegionView { region, children }))
}

async fn person(State(s): State<AppState>, Path(id): Path<String>) -> Result<Json<Person>, AppError> {
    let id = IdNumber::parse(&id).map_err(|e| AppError::bad_input("bad_id_number", &e))?;
    let p = s.store.person(&id).await?.ok_or_else(|| AppError::not_found("人员", "person"))?;
    Ok(Json(p))
}

#[derive(Deserialize)]
pub(crate) struct SearchParams {
    region: Option<String>,
    name: Option<String>,
    tag: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

async fn search_persons(State(s): State<AppState>, Query(q): Query<SearchParams>) -> Result<Json<Page<Person>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    let query = PersonQuery {
        region,
        name: q.name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_string()),
        tag: q.tag.filter(|t| !t.is_empty()),
        after: q.after.filter(|a| !a.is_empty()),
        limit: q.limit.unwrap_or(50),
    };
    Ok(Json(s.store.search_persons(&query).await?))
}

#[derive(Serialize)]
struct HouseholdView {
    #[serde(flatten)]
    household: Household,
    community_name: Option<String>,
    members: Vec<Person>,
}

async fn household(State(s): State<AppState>, Path(no): Path<String>) -> Result<Json<HouseholdView>, AppError> {
    let household = s.store.household(&no).await?.ok_or_else(|| AppError::not_found("户", "household"))?;
    let members = s.store.household_members(&no).await?;
    let community_name = s.communities.name(&household.community).map(str::to_string);
    Ok(Json(HouseholdView { household, community_name, members }))
}

async fn search_households(State(s): State<AppState>, Query(q): Query<SearchParams>) -> Result<Json<Page<Household>>, AppError> {
    let region = q.region.as_deref().filter(|r| !r.is_empty()).map(parse_region).transpose()?;
    let query = HouseholdQuery { region, after: q.after.filter(|a| !a.is_empty()), limit: q.limit.unwrap_or(50) };
    Ok(Json(s.store.search_households(&query).await?))
}
