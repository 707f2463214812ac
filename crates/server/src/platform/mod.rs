//! The platform every sub-platform stands on: the home page, sign-in and sessions, the page
//! language, static files, the API document, metrics, the region tree and the audit log.

pub mod api;
pub(crate) mod audit_words;
pub mod auth;
pub(crate) mod error;
pub(crate) mod error_page;
pub(crate) mod frame;
pub mod i18n;
pub(crate) mod list;
pub mod openapi;
pub(crate) mod pages;
pub(crate) mod scope;
pub(crate) mod sheet;

use crate::module::{listed, Access, MenuEntry, Module, Route};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use axum::Router;
use minzheng_domain::Permission;

pub const ROUTES: &[Route] = &[
    Route::new("GET", "/", Access::SignedIn),
    Route::new("GET", "/login", Access::Public),
    Route::new("POST", "/login", Access::Public),
    Route::new("POST", "/logout", Access::SignedIn),
    Route::new("GET", "/static/{*file}", Access::Public),
    Route::new("GET", "/lang/{code}", Access::Public),
    Route::new("GET", "/api/health", Access::Public),
    Route::new("GET", "/api/openapi.json", Access::Public),
    Route::new("GET", "/metrics", Access::Public),
    Route::new("POST", "/api/session", Access::Public),
    Route::new("DELETE", "/api/session", Access::SignedIn),
    Route::new("GET", "/api/regions/{code}", Access::SignedIn),
    Route::new("POST", "/api/password", Access::SignedIn),
    Route::new("GET", "/api/audit", Access::Needs(Permission::ReadAudit)),
    Route::new("GET", "/audit/export.xlsx", Access::Needs(Permission::ReadAudit)),
    Route::new("GET", "/audit", Access::Needs(Permission::ReadAudit)),
];

const MENU: &[MenuEntry] = &[MenuEntry { href: "/audit", zh: "审计日志", en: "Audit log", needs: Some(Permission::ReadAudit) }];

pub const MODULE: Module =
    Module { name: "platform", routes: ROUTES, router, openapi: api::openapi, menu: MENU, migrations: None, work: None };

/// The largest sign-in request body: a name, a password, a path and a token fit in far less;
/// an anonymous request has no reason to send more.
const SIGN_IN_BODY: usize = 8 * 1024;

fn router() -> Router<AppState> {
    let l = |path: &'static str, methods: &[&str]| listed(ROUTES, path, methods);
    Router::new()
        .route(l("/", &["GET"]), get(pages::home))
        .route(l("/login", &["GET", "POST"]), get(pages::login).post(auth::form_login).layer(DefaultBodyLimit::max(SIGN_IN_BODY)))
        .route(l("/logout", &["POST"]), post(auth::form_logout))
        .route(l("/static/{*file}", &["GET"]), get(pages::static_file))
        .route(l("/lang/{code}", &["GET"]), get(pages::set_lang))
        .route(l("/audit", &["GET"]), get(pages::audit))
        .route(l("/api/health", &["GET"]), get(api::health))
        .route(l("/api/openapi.json", &["GET"]), get(openapi::document))
        .route(l("/metrics", &["GET"]), get(|State(s): State<AppState>| async move { s.metrics.render() }))
        .route(
            l("/api/session", &["POST", "DELETE"]),
            post(auth::api_login).delete(auth::api_logout).layer(DefaultBodyLimit::max(SIGN_IN_BODY)),
        )
        .route(l("/api/regions/{code}", &["GET"]), get(api::region))
        .route(l("/api/password", &["POST"]), post(api::change_password))
        .route(l("/api/audit", &["GET"]), get(api::audit_search))
        .route(l("/audit/export.xlsx", &["GET"]), get(api::audit_export))
}
