//! Caseworker pages (server-rendered, Chinese): the residents of a community, and a household.

use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use minzheng_domain::{Household, Person, RegionCode};
use minzheng_store::PersonQuery;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/residents") }))
        .route("/residents", get(residents))
        .route("/households/{no}", get(household))
        .route("/static/app.css", get(css))
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../static/app.css")).into_response()
}

/// A person as a row of the list.
pub(crate) struct Row {
    pub name: String,
    pub id_masked: String,
    pub sex: &'static str,
    pub birth: String,
    pub relation: &'static str,
    pub status: &'static str,
    pub household_no: String,
    pub tags: String,
}

impl Row {
    fn of(p: &Person) -> Row {
        Row {
            name: p.name.clone(),
            id_masked: p.id_number.masked(),
            sex: p.sex.zh(),
            birth: p.birth_date.to_string(),
            relation: p.relation.zh(),
            status: p.status.zh(),
            household_no: p.household_no.clone().unwrap_or_default(),
            tags: p.tags.join("、"),
        }
    }
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ResidentsPage {
    region: String,
    region_name: String,
    name: String,
    rows: Vec<Row>,
    next: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Params {
    region: Option<String>,
    name: Option<String>,
    after: Option<String>,
}

fn render(t: &impl Template) -> Result<Html<String>, AppError> {
    t.render().map(Html).map_err(|e| {
        AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "render", "页面生成失败", format!("page rendering failed: {e}"))
    })
}

async fn residents(State(s): State<AppState>, Query(p): Query<Params>) -> Result<Html<String>, AppError> {
    let region_text = p.region.unwrap_or_default().trim().to_string();
    let name = p.name.unwrap_or_default().trim().to_string();
    let mut page = ResidentsPage { region: region_text.clone(), region_name: String::new(), name: name.clone(), rows: vec![], next: None, error: None };
    let region = if region_text.is_empty() {
        None
    } else {
        match RegionCode::parse(&region_text) {
            Ok(c) => Some(c),
            Err(e) => {
                use minzheng_domain::Bilingual;
                page.error = Some(e.both());
                return render(&page);
            }
        }
    };
    if let Some(code) = &region {
        match s.store.region(code).await? {
            Some(r) => page.region_name = r.name,
            None => {
                page.error = Some(format!("区划{code}不存在 / region {code} not found"));
                return render(&page);
            }
        }
    }
    if region.is_some() || !name.is_empty() {
        let result = s
            .store
            .search_persons(&PersonQuery { region, name: (!name.is_empty()).then_some(name), tag: None, after: p.after, limit: 50 })
            .await?;
        page.rows = result.items.iter().map(Row::of).collect();
        page.next = result.next;
    }
    render(&page)
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    household: Household,
    community_name: String,
    kind: &'static str,
    rows: Vec<Row>,
}

async fn household(State(s): State<AppState>, Path(no): Path<String>) -> Result<Response, AppError> {
    let Some(household) = s.store.household(&no).await? else {
        return Ok((axum::http::StatusCode::NOT_FOUND, Html("<p>户不存在 / household not found</p>".to_string())).into_response());
    };
    let members = s.store.household_members(&no).await?;
    let community_name = s.communities.name(&household.community).unwrap_or("").to_string();
    let kind = household.kind.zh();
    Ok(render(&HouseholdPage { household, community_name, kind, rows: members.iter().map(Row::of).collect() })?.into_response())
}
