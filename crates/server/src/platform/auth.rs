//! Who is asking: the session cookie, the extractor that turns it into an account, sign-in and
//! sign-out over JSON and forms, and CSRF checks for everything that changes state.

use crate::{AppError, AppState, RequestId};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_app::auth::{self, AuthError};
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Principal};
use minzheng_store::{Actor, Session};
use serde::Deserialize;
use std::net::SocketAddr;

pub const COOKIE: &str = "mz_session";
/// The sign-in form's CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "mz_login_csrf";

pub fn login_csrf_token() -> String {
    auth::random_hex(16)
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Limits failed sign-ins per client address (and per minute), on top of the per-account
/// lockout: one address guessing many accounts is stopped too. An attempt takes its place in
/// the address's count *before* the password is checked and gives it back when it succeeds, so
/// any number of concurrent guesses meets the same limit as guesses one after another.
pub struct LoginLimiter {
    per_minute: u32,
    windows: std::sync::Mutex<std::collections::HashMap<String, Window>>,
}

/// One address's minute: attempts counted and refusals since the limit was reached.
struct Window {
    start: std::time::Instant,
    attempts: u32,
    refused: u32,
}

/// A refusal of an address over its limit; `record` is set for the refusals written to the
/// audit log (the 1st, 10th, 100th ... of the minute, with the count), so that a flood of
/// refused requests writes a handful of records, not one each.
pub struct OverLimit {
    pub refused: u32,
    pub record: bool,
}

impl LoginLimiter {
    pub fn new(per_minute: u32) -> LoginLimiter {
        LoginLimiter { per_minute, windows: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }

    fn window<T>(&self, client: &str, f: impl FnOnce(&mut Window) -> T) -> T {
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, w| now.duration_since(w.start).as_secs() < 60);
        }
        let w = map.entry(client.to_string()).or_insert(Window { start: now, attempts: 0, refused: 0 });
        if now.duration_since(w.start).as_secs() >= 60 {
            *w = Window { start: now, attempts: 0, refused: 0 };
        }
        f(w)
    }

    /// Takes one attempt for this address, or refuses it when the minute's limit is used up.
    pub fn attempt(&self, client: &str) -> Result<(), OverLimit> {
        self.window(client, |w| {
            if w.attempts < self.per_minute {
                w.attempts += 1;
                Ok(())
            } else {
                w.refused = w.refused.saturating_add(1);
                let r = w.refused;
                let power_of_ten = std::iter::successors(Some(1u32), |p| p.checked_mul(10)).any(|p| p == r);
                Err(OverLimit { refused: r, record: power_of_ten })
            }
        })
    }

    /// Gives back an attempt that succeeded (or that failed for a reason other than a guess).
    pub fn succeeded(&self, client: &str) {
        self.window(client, |w| w.attempts = w.attempts.saturating_sub(1));
    }
}

fn too_many() -> AppError {
    AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "登录尝试过于频繁，请一分钟后再试",
        "too many sign-in attempts from this address; try again in a minute",
    )
}

/// Records a refusal of an address over its limit, when it is one of those recorded.
async fn record_over_limit(s: &AppState, actor: &Actor, name: &str, over: &OverLimit) -> Result<(), AppError> {
    if over.record {
        let entry = minzheng_store::AuditEntry {
            action: "login_rate_limited".into(),
            entity: "account".into(),
            entity_key: auth::logged_name(name),
            before: None,
            after: Some(serde_json::json!({ "refused_this_minute": over.refused })),
        };
        s.store.audit(actor, &[entry]).await?;
    }
    Ok(())
}

/// Signs in through the limiter: refused (and audited) when the address has failed too often.
async fn limited_login(s: &AppState, actor: &Actor, name: &str, password: &str) -> Result<auth::SignedIn, AppError> {
    let client = actor.client.clone().unwrap_or_else(|| "unknown".into());
    if let Err(over) = s.login_limiter.attempt(&client) {
        record_over_limit(s, actor, name, &over).await?;
        return Err(too_many());
    }
    match auth::login(s.store.as_ref(), name, password, actor).await {
        Ok(signed) => {
            s.login_limiter.succeeded(&client);
            Ok(signed)
        }
        Err(e) => {
            if !matches!(e, AuthError::BadCredentials | AuthError::Locked(_)) {
                s.login_limiter.succeeded(&client);
            }
            Err(auth_error(e))
        }
    }
}

/// The signed-in account of a request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub principal: Principal,
    pub session: Session,
    pub actor: Actor,
    /// The language of the pages.
    pub lang: crate::i18n::Lang,
    /// The name of the account's region (浑南区), for the page header.
    pub region_name: String,
    /// The person behind the account (王芳), or the login when none is recorded.
    pub display_name: String,
}

fn client_of(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

fn request_id_of(parts: &Parts) -> Option<String> {
    parts.extensions.get::<RequestId>().map(|r| r.0.clone())
}

/// The session token in the request's cookies.
pub fn token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

/// An actor for requests made before signing in.
pub fn anonymous(parts: &Parts, name: &str) -> Actor {
    Actor { name: auth::logged_name(name), request_id: request_id_of(parts), client: client_of(parts), ..Default::default() }
}

/// Refusal for requests without a valid session: JSON 401 under /api, a redirect to the
/// sign-in page elsewhere.
pub struct NeedSignIn {
    api: bool,
    next: String,
}

impl IntoResponse for NeedSignIn {
    fn into_response(self) -> Response {
        if self.api {
            AppError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录", "sign in first").into_response()
        } else {
            let next: String = form_urlencoded_encode(&self.next);
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
    }
}

fn form_urlencoded_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Already signed in by the route table's check (`crate::module::enforce_access`).
        if let Some(who) = parts.extensions.get::<Authenticated>() {
            return Ok(who.clone());
        }
        let api = parts.uri.path().starts_with("/api/");
        let refuse =
            || NeedSignIn { api, next: parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default() }.into_response();
        let Some(token) = token(&parts.headers) else { return Err(refuse()) };
        match state.sessions.authenticate(state.store.as_ref(), &token).await {
            Ok(Some((principal, session))) => {
                let actor = minzheng_app::registry::actor_of(&principal, request_id_of(parts).as_deref(), client_of(parts).as_deref());
                let region_name = state.communities.region_name(&principal.region).unwrap_or(principal.region.as_str()).to_string();
                state.people.refresh(state.store.as_ref()).await;
                let display_name = state.people.of(&principal.name);
                Ok(Authenticated { principal, session, actor, lang: crate::i18n::Lang::of(&parts.headers), region_name, display_name })
            }
            Ok(None) => Err(refuse()),
            Err(e) => Err(auth_error(e).into_response()),
        }
    }
}

impl Authenticated {
    /// The request context the use cases take: this account, its audit actor, and the day on
    /// the server's clock (`AppState::clock`, the one clock of every handler).
    pub fn cx(&self, today: chrono::NaiveDate) -> RequestContext<'_> {
        RequestContext::new(&self.principal, &self.actor, today)
    }

    /// Checks the CSRF token a form or header sent against the session's.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), AppError> {
        match sent {
            Some(t) if constant_time_eq(t.as_bytes(), self.session.csrf_token.as_bytes()) => Ok(()),
            _ => Err(AppError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "表单已失效或来源不明，请刷新页面后重试",
                "missing or wrong CSRF token; reload the page and try again",
            )),
        }
    }

    /// The same check, with a refusal recorded as a security event.
    /// [`Self::require_csrf`] with the token an API client sends in `x-csrf-token`.
    pub async fn require_csrf_header(&self, state: &AppState, headers: &axum::http::HeaderMap) -> Result<(), AppError> {
        self.require_csrf(state, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await
    }

    pub async fn require_csrf(&self, state: &AppState, sent: Option<&str>) -> Result<(), AppError> {
        let checked = self.check_csrf(sent);
        if checked.is_err() {
            let entry = minzheng_store::AuditEntry {
                action: "csrf_refused".into(),
                entity: "session".into(),
                entity_key: self.principal.name.clone(),
                before: None,
                after: None,
            };
            state.store.audit(&self.actor, &[entry]).await?;
        }
        checked
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn auth_error(e: AuthError) -> AppError {
    let status = match e {
        AuthError::BadCredentials => StatusCode::UNAUTHORIZED,
        AuthError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
        AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
        AuthError::Exists(_) => StatusCode::CONFLICT,
        AuthError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let code = match e {
        AuthError::BadCredentials => "bad_credentials",
        AuthError::Locked(_) => "locked",
        AuthError::Store(_) => "storage",
        _ => "bad_request",
    };
    AppError::new(status, code, e.zh(), e.en())
}

fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("mz_session=; Path=/; Max-Age=0"))
}

#[derive(Deserialize)]
pub struct Credentials {
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
    /// The sign-in form's CSRF token (forms only).
    #[serde(default)]
    pub csrf: Option<String>,
}

/// Anonymous request context (client address and request id) for sign-in.
pub struct Anonymous(pub Parts);

impl FromRequestParts<AppState> for Anonymous {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Anonymous(parts.clone()))
    }
}

/// `POST /api/session`: sign in with JSON; sets the cookie and returns the account and the
/// CSRF token to send as `x-csrf-token` with changes.
pub async fn api_login(State(s): State<AppState>, Anonymous(parts): Anonymous, Json(c): Json<Credentials>) -> Result<Response, AppError> {
    let actor = anonymous(&parts, &c.name);
    let signed = limited_login(&s, &actor, &c.name, &c.password).await?;
    let body = serde_json::json!({
        "name": signed.principal.name,
        "role": signed.principal.role,
        "region": signed.principal.region,
        "csrf_token": signed.session.csrf_token,
        "expires_at": signed.session.expires_at,
    });
    let mut res = Json(body).into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&s, &signed.token, auth::SESSION_HOURS * 3600));
    Ok(res)
}

/// `DELETE /api/session`: sign out (needs the `x-csrf-token` header).
pub async fn api_logout(State(s): State<AppState>, who: Authenticated, headers: HeaderMap) -> Result<Response, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let token = token(&headers).unwrap_or_default();
    s.sessions.forget(&token);
    auth::logout(s.store.as_ref(), &token, &who.actor).await.map_err(auth_error)?;
    s.sessions.forget(&token);
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(res)
}

/// Only local paths are followed after signing in.
/// Only a path of this site is followed after signing in: it begins with one `/`, and holds only
/// visible ASCII without `\\`, since browsers drop tabs and line breaks from addresses (so that
/// `/\t/evil.example` would become `//evil.example`, another site) and a line break cannot go
/// into a `Location` header at all.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && n.len() <= 2048 && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// `POST /login`: the sign-in form.
pub async fn form_login(State(s): State<AppState>, Anonymous(parts): Anonymous, Form(c): Form<Credentials>) -> Response {
    let actor = anonymous(&parts, &c.name);
    let expected = cookie(&parts.headers, LOGIN_CSRF_COOKIE);
    let sent_ok = matches!((&expected, &c.csrf), (Some(e), Some(sent)) if !e.is_empty() && constant_time_eq(e.as_bytes(), sent.as_bytes()));
    if !sent_ok {
        // A refused form counts against the address like a wrong password: a flood of forged
        // sign-ins is refused and written to the audit log a handful of times, not once each.
        let client = actor.client.clone().unwrap_or_else(|| "unknown".into());
        let recorded = match s.login_limiter.attempt(&client) {
            Ok(()) => {
                let entry = minzheng_store::AuditEntry {
                    action: "csrf_refused".into(),
                    entity: "account".into(),
                    entity_key: auth::logged_name(&c.name),
                    before: None,
                    after: None,
                };
                s.store.audit(&actor, &[entry]).await.map_err(AppError::from)
            }
            Err(over) => record_over_limit(&s, &actor, &c.name, &over).await,
        };
        if let Err(e) = recorded {
            return e.into_response();
        }
        let lang = crate::i18n::Lang::of(&parts.headers);
        let message = if lang == crate::i18n::Lang::En {
            "the sign-in form expired; please sign in again"
        } else {
            "登录表单已失效，请重新登录"
        };
        let mut res = login_page(lang, &c.name, c.next.as_deref(), Some(message));
        *res.status_mut() = StatusCode::FORBIDDEN;
        return res;
    }
    match limited_login(&s, &actor, &c.name, &c.password).await {
        Ok(signed) => {
            let mut res = Redirect::to(&safe_next(c.next.as_deref())).into_response();
            res.headers_mut().insert(header::SET_COOKIE, session_cookie(&s, &signed.token, auth::SESSION_HOURS * 3600));
            res
        }
        Err(e) => {
            // A failure of the server shows its code only; the detail goes to the log.
            if e.status.is_server_error() {
                let id = parts.extensions.get::<RequestId>().map(|r| r.0.as_str()).unwrap_or("-");
                eprintln!("request_id={id} path=/login error={}: {}", e.code, e.en.replace('\n', " "));
            }
            let (zh, en) = e.public_messages();
            let lang = crate::i18n::Lang::of(&parts.headers);
            let message = if lang == crate::i18n::Lang::En { en } else { zh };
            let mut res = login_page(lang, &c.name, c.next.as_deref(), Some(&message));
            *res.status_mut() = e.status;
            res
        }
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

/// `POST /logout`: the sign-out button (a form with the CSRF token).
pub async fn form_logout(
    State(s): State<AppState>,
    who: Authenticated,
    headers: HeaderMap,
    Form(f): Form<LogoutForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let token = token(&headers).unwrap_or_default();
    s.sessions.forget(&token);
    auth::logout(s.store.as_ref(), &token, &who.actor).await.map_err(auth_error)?;
    s.sessions.forget(&token);
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(res)
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    t: &'static crate::i18n::Text,
    user: Option<super::frame::UserBar>,
    name: String,
    next: String,
    error: Option<String>,
    csrf: String,
}

/// The sign-in page, with a fresh CSRF token in the form and in a cookie (double submit: a
/// form posted from another site cannot know it).
pub(crate) fn login_page(lang: crate::i18n::Lang, name: &str, next: Option<&str>, error: Option<&str>) -> Response {
    let csrf = login_csrf_token();
    let page = LoginPage {
        t: lang.text(),
        user: None,
        // What was typed comes back, but no more than a name can be.
        name: name.chars().take(64).collect(),
        next: safe_next(next),
        error: error.map(str::to_string),
        csrf: csrf.clone(),
    };
    let mut res = Html(page.render().unwrap_or_else(|e| format!("<p>页面生成失败 / rendering failed: {e}</p>"))).into_response();
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&format!("{}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600", LOGIN_CSRF_COOKIE))
    {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
