//! 人口、户: the registry's pages and JSON API: the residents of a region, a household with its
//! members and changes, numbers shown in full with a reason, counts per region, and the
//! city-wide look-up by full ID number for acceptance (全市通办).

mod api;
mod pages;

use crate::module::{listed, Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use minzheng_domain::Permission;

pub const ROUTES: &[Route] = &[
    Route::new("GET", "/residents", Access::Needs(Permission::ReadRegistry)),
    Route::new("GET", "/residents/export.xlsx", Access::Needs(Permission::ExportRegistry)),
    Route::new("GET", "/households/{no}", Access::Needs(Permission::ReadRegistry)),
    Route::new("POST", "/households/{no}/unmask", Access::Needs(Permission::ReadRegistry)),
    Route::new("POST", "/households/{no}/supporters", Access::Needs(Permission::HandleCases)),
    Route::new("GET", "/api/persons", Access::Needs(Permission::ReadRegistry)),
    Route::new("GET", "/api/persons/{id}", Access::Needs(Permission::ReadRegistry)),
    Route::new("POST", "/api/persons/{id}/unmask", Access::Needs(Permission::ReadRegistry)),
    Route::new("GET", "/api/acceptance/{id}", Access::Needs(Permission::AcceptApplications)),
    Route::new("GET", "/api/households", Access::Needs(Permission::ReadRegistry)),
    Route::new("GET", "/api/households/{no}", Access::Needs(Permission::ReadRegistry)),
    Route::new("GET", "/api/stats/residents", Access::Needs(Permission::ReadRegistry)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/residents", zh: "居民查询", en: "Residents", needs: None }];

pub const MODULE: Module =
    Module { name: "registry", routes: ROUTES, router, openapi: api::openapi, menu: MENU, migrations: None, work: None };

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/residents", &["GET"]), get(pages::residents))
        .route(l("/residents/export.xlsx", &["GET"]), get(pages::export_residents))
        .route(l("/households/{no}", &["GET"]), get(pages::household))
        .route(l("/households/{no}/unmask", &["POST"]), post(pages::unmask_member))
        .route(l("/households/{no}/supporters", &["POST"]), post(pages::record_supporters))
        .route(l("/api/persons", &["GET"]), get(api::search_persons))
        .route(l("/api/persons/{id}", &["GET"]), get(api::person))
        .route(l("/api/persons/{id}/unmask", &["POST"]), post(api::unmask))
        .route(l("/api/acceptance/{id}", &["GET"]), get(api::acceptance))
        .route(l("/api/households", &["GET"]), get(api::search_households))
        .route(l("/api/households/{no}", &["GET"]), get(api::household))
        .route(l("/api/stats/residents", &["GET"]), get(api::residents_by_region))
}
