//! The shape of a sub-platform's HTTP part, and the one place where who may call a route is
//! enforced.
//!
//! Each sub-platform (registry, cases, policy ...) exports one [`Module`]: its routes with the
//! access each needs, its router, its part of the OpenAPI document and its entries in the
//! navigation. `crate::MODULES` lists them; the server composes the router, the route table, the
//! API document and the menu from that list, so a new sub-platform is one more line there.
//!
//! The declared access is enforced at run time ([`enforce_access`]), before any handler runs:
//! a route without a sign-in answers 401 (API) or sends to the sign-in page; a role without the
//! route's permission is refused with 403 and the refusal is audited. Handlers and the app's use
//! cases still check the region of every record they touch.

use crate::auth::Authenticated;
use crate::{AppError, AppState};
use axum::extract::{FromRequestParts, MatchedPath, State};
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use minzheng_domain::Permission;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (sign-in, static files, the API document).
    Public,
    /// Any signed-in account.
    SignedIn,
    /// A signed-in account whose role has the permission, on records within its region.
    Needs(Permission),
}

/// One route a module answers, and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

impl Route {
    pub const fn new(method: &'static str, path: &'static str, access: Access) -> Route {
        Route { method, path, access }
    }
}

/// A link of the top navigation, shown to the roles that have `needs` (every signed-in account
/// when `None`).
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub needs: Option<Permission>,
}

/// A sub-platform's HTTP part.
pub struct Module {
    /// Short name, as in the source folder (`registry`, `cases` ...).
    pub name: &'static str,
    /// Every route of the module with who may call it. The router refuses to build with a
    /// route missing here, and `tests/access.rs` calls every route with every role.
    pub routes: &'static [Route],
    /// The module's router.
    pub router: fn() -> Router<AppState>,
    /// The module's part of the OpenAPI document: `{"paths": {...}, "schemas": {...}}`.
    pub openapi: fn() -> serde_json::Value,
    /// The module's links in the navigation, in order.
    pub menu: &'static [MenuEntry],
    /// The module's own tables, when it keeps any (applied at start after the store's own).
    pub migrations: Option<&'static minzheng_store::ModuleMigrations>,
    /// The account's work in this sub-platform (待办), for its home page: each list with its
    /// count. Called for every signed-in account; a module answers only for the roles that work
    /// in it (an empty list otherwise).
    pub work: Option<Work>,
}

/// One list of an account's work on its home page (待办): what it is, how many, how many overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkLine {
    pub href: String,
    pub text: String,
    pub count: u64,
    /// Of `count`, how many are past their time limit.
    pub overdue: u64,
}

pub type WorkFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<WorkLine>, AppError>> + Send + 'a>>;

/// A module's work lists for one account (see [`Module::work`]).
pub type Work = for<'a> fn(&'a AppState, &'a Authenticated) -> WorkFuture<'a>;

/// Every module's work lists for the account, in the order of the navigation.
pub(crate) async fn work_for(state: &AppState, who: &Authenticated) -> Result<Vec<WorkLine>, AppError> {
    let mut lines = Vec::new();
    for work in crate::MODULES.iter().filter_map(|m| m.work) {
        lines.extend(work(state, who).await?);
    }
    Ok(lines)
}

/// Applies every module's migrations (after the store's own, which `connect` applies).
pub async fn migrate_modules(store: &dyn minzheng_store::Store) -> minzheng_store::Result<()> {
    for m in crate::MODULES.iter().filter_map(|m| m.migrations) {
        store.migrate_module(m).await?;
    }
    Ok(())
}

/// Every route of every module.
pub fn route_table() -> Vec<Route> {
    crate::MODULES.iter().flat_map(|m| m.routes.iter().copied()).collect()
}

/// The declared access of a route (`HEAD` is answered by the `GET` route).
pub fn access_of(method: &str, path: &str) -> Option<Access> {
    // Built once from every module's table: every request asks.
    static TABLE: std::sync::OnceLock<std::collections::HashMap<(&'static str, &'static str), Access>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| crate::MODULES.iter().flat_map(|m| m.routes.iter()).map(|r| ((r.method, r.path), r.access)).collect());
    let method = if method == "HEAD" { "GET" } else { method };
    table.get(&(method, path)).copied()
}

/// A path for `Router::route`, after checking that `module`'s table lists it with these methods.
pub(crate) fn listed<'a>(routes: &[Route], path: &'a str, methods: &[&str]) -> &'a str {
    for m in methods {
        assert!(
            routes.iter().any(|r| r.method == *m && r.path == path),
            "{m} {path} is not in its module's route table: add it with who may call it"
        );
    }
    path
}

/// The navigation links a signed-in account sees, in the language of the page.
pub(crate) fn menu_for(principal: &minzheng_domain::Principal, lang: crate::i18n::Lang) -> Vec<NavLink> {
    crate::MODULES
        .iter()
        .flat_map(|m| m.menu.iter())
        .filter(|e| e.needs.is_none_or(|p| principal.may(p)))
        .map(|e| NavLink { href: e.href, label: if lang == crate::i18n::Lang::En { e.en } else { e.zh } })
        .collect()
}

pub(crate) use crate::platform::frame::NavLink;

/// Enforces the route table before the handler: sign-in where needed, the role's permission
/// where one is named. The signed-in account is handed on to the handler's extractor.
pub(crate) async fn enforce_access(State(state): State<AppState>, req: Request<axum::body::Body>, next: Next) -> Response {
    let path = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let Some(path) = path else { return next.run(req).await };
    let access = match access_of(req.method().as_str(), &path) {
        Some(a) => a,
        None => {
            return AppError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "不支持该请求方法",
                "method not allowed for this address",
            )
            .into_response();
        }
    };
    if access == Access::Public {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let who = match Authenticated::from_request_parts(&mut parts, &state).await {
        Ok(who) => who,
        Err(refused) => return refused,
    };
    if let Access::Needs(permission) = access {
        if !who.principal.may(permission) {
            let entry = minzheng_store::AuditEntry {
                action: "access_refused".into(),
                entity: "route".into(),
                entity_key: format!("{} {path}", parts.method),
                before: None,
                after: Some(serde_json::json!({ "needs": permission })),
            };
            if let Err(e) = state.store.audit(&who.actor, &[entry]).await {
                return AppError::from(e).into_response();
            }
            return AppError::new(StatusCode::FORBIDDEN, "forbidden", "您的角色无权使用此功能", "your role may not use this function")
                .into_response();
        }
    }
    parts.extensions.insert(who);
    next.run(Request::from_parts(parts, body)).await
}
