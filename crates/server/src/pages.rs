//! Caseworker pages (server-rendered, Chinese): sign-in, the residents of a region, a household.

use crate::auth::{self, Authenticated};
use crate::i18n::{Lang, Text};
use crate::{listed, AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minzheng_app::registry::{self, AccessError, PersonView};
use minzheng_domain::{Bilingual, Household, RegionCode};
use minzheng_store::PersonQuery;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(listed("/", &["GET"]), get(home))
        .route(listed("/login", &["GET", "POST"]), get(login).post(auth::form_login))
        .route(listed("/logout", &["POST"]), post(auth::form_logout))
        .route(listed("/residents", &["GET"]), get(residents))
        .route(listed("/households/{no}", &["GET"]), get(household))
        .route(listed("/households/{no}/unmask", &["POST"]), post(unmask_member))
        .route(listed("/static/{*file}", &["GET"]), get(static_file))
        .route(listed("/audit", &["GET"]), get(audit))
        .route(listed("/lang/{code}", &["GET"]), get(set_lang))
}

/// The static files, served from the binary.
async fn static_file(Path(file): Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match file.as_str() {
        "app.css" => (include_bytes!("../static/app.css"), "text/css; charset=utf-8"),
        "app.js" => (include_bytes!("../static/app.js"), "text/javascript; charset=utf-8"),
        "vendor/htmx.min.js" => (include_bytes!("../static/vendor/htmx.min.js"), "text/javascript; charset=utf-8"),
        "vendor/echarts.simple.min.js" => (include_bytes!("../static/vendor/echarts.simple.min.js"), "text/javascript; charset=utf-8"),
        _ => return (axum::http::StatusCode::NOT_FOUND, "not found").into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// The signed-in account, shown in the page header with the sign-out button.
pub(crate) struct UserBar {
    pub name: String,
    pub role: &'static str,
    pub region: String,
    pub csrf: String,
    /// Shows the audit log in the navigation.
    pub can_audit: bool,
    /// Shows the policy desk (sweeps, what-if) in the navigation.
    pub can_sweep: bool,
    /// Shows the findings of the data comparison in the navigation.
    pub can_findings: bool,
}

impl UserBar {
    pub(crate) fn of(who: &Authenticated) -> UserBar {
        UserBar {
            name: who.principal.name.clone(),
            role: match who.lang {
                Lang::Zh => who.principal.role.zh(),
                Lang::En => who.principal.role.as_str(),
            },
            region: who.principal.region.to_string(),
            csrf: who.session.csrf_token.clone(),
            can_audit: who.principal.may(minzheng_domain::Permission::ReadAudit),
            can_sweep: who.principal.may(minzheng_domain::Permission::RunSweeps),
            can_findings: who.principal.may(minzheng_domain::Permission::ReadFindings),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static Text,
    user: Option<UserBar>,
    name: String,
    next: String,
    error: Option<String>,
    csrf: String,
}

/// The sign-in page, with a fresh CSRF token in the form and in a cookie (double submit: a
/// form posted from another site cannot know it).
pub(crate) fn login_page(lang: Lang, name: &str, next: Option<&str>, error: Option<&str>) -> Response {
    let csrf = crate::auth::login_csrf_token();
    let page = LoginPage { t: lang.text(), user: None, name: name.to_string(), next: next.unwrap_or("/").to_string(), error: error.map(str::to_string), csrf: csrf.clone() };
    let mut res = Html(page.render().unwrap_or_else(|e| format!("<p>页面生成失败 / rendering failed: {e}</p>"))).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600", crate::auth::LOGIN_CSRF_COOKIE)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
struct LoginParams {
    next: Option<String>,
}

async fn login(headers: axum::http::HeaderMap, Query(p): Query<LoginParams>) -> Response {
    login_page(Lang::of(&headers), "", p.next.as_deref(), None)
}

/// `/lang/en`, `/lang/zh`: remembers the language of the pages and goes back home.
async fn set_lang(Path(code): Path<String>) -> Response {
    let value = if code == "en" { "en" } else { "zh" };
    let mut res = axum::response::Redirect::to("/").into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{}={value}; Path=/; SameSite=Lax; Max-Age=31536000", crate::i18n::COOKIE)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// A person as a row of the list.
pub(crate) struct Row {
    pub name: String,
    pub id: String,
    pub sex: &'static str,
    pub birth: String,
    pub relation: &'static str,
    pub status: &'static str,
    pub household_no: String,
    pub tags: String,
}

impl Row {
    fn of(p: &PersonView, lang: Lang) -> Row {
        let zh = lang == Lang::Zh;
        Row {
            name: p.name.clone(),
            id: p.id_number.clone(),
            sex: if zh { p.sex.zh() } else { p.sex.as_str() },
            birth: p.birth_date.to_string(),
            relation: if zh { p.relation.zh() } else { p.relation.as_str() },
            status: if zh { p.status.zh() } else { p.status.code() },
            household_no: p.household_no.clone().unwrap_or_default(),
            tags: p.tags.join("、"),
        }
    }
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ResidentsPage {
    t: &'static Text,
    user: Option<UserBar>,
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

/// The message a page shows when the account is refused; other errors become the error response.
fn refusal(e: AccessError) -> Result<String, AppError> {
    match e {
        AccessError::OutOfScope | AccessError::Forbidden => Ok(e.both()),
        other => Err(other.into()),
    }
}

pub(crate) fn render(t: &impl Template) -> Result<Html<String>, AppError> {
    t.render().map(Html).map_err(|e| {
        AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "render", "页面生成失败", format!("page rendering failed: {e}"))
    })
}

async fn residents(State(s): State<AppState>, who: Authenticated, Query(p): Query<Params>) -> Result<Response, AppError> {
    let region_text = p.region.unwrap_or_default().trim().to_string();
    let region_text = if region_text.is_empty() { who.principal.region.to_string() } else { region_text };
    let name = p.name.unwrap_or_default().trim().to_string();
    let mut page = ResidentsPage { t: who.lang.text(), user: Some(UserBar::of(&who)), region: region_text.clone(), region_name: String::new(), name: name.clone(), rows: vec![], next: None, error: None };
    let region = match RegionCode::parse(&region_text) {
        Ok(c) => c,
        Err(e) => {
            page.error = Some(e.both());
            return Ok(render(&page)?.into_response());
        }
    };
    match s.store.region(&region).await? {
        Some(r) => page.region_name = r.name,
        None => {
            page.error = Some(format!("区划{region}不存在 / region {region} not found"));
            return Ok(render(&page)?.into_response());
        }
    }
    let query = PersonQuery { region: Some(region), name: (!name.is_empty()).then_some(name), tag: None, after: p.after, limit: 50 };
    match registry::search_persons(s.store.as_ref(), &who.principal, &who.actor, query).await {
        Ok(result) => {
            page.rows = result.items.iter().map(|p| Row::of(p, who.lang)).collect();
            page.next = result.next;
            Ok(render(&page)?.into_response())
        }
        Err(e) => {
            page.error = Some(refusal(e)?);
            Ok((axum::http::StatusCode::FORBIDDEN, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    t: &'static Text,
    user: Option<UserBar>,
    household: Household,
    community_name: String,
    kind: &'static str,
    rows: Vec<Row>,
    changes: Vec<ChangeRow>,
    /// The account sees numbers masked and may ask for them with a reason.
    may_unmask: bool,
    /// The account may check the household against the assistance programs.
    may_check: bool,
    may_verify: bool,
}

/// A time as clerks read it (Beijing time, UTC+8).
pub(crate) fn beijing_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

pub(crate) struct ChangeRow {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub fields: String,
}

async fn household(State(s): State<AppState>, who: Authenticated, Path(no): Path<String>) -> Result<Response, AppError> {
    let (household, members) = registry::household(s.store.as_ref(), &who.principal, &who.actor, &no).await?;
    let community_name = s.communities.name(&household.community).unwrap_or("").to_string();
    let kind = if who.lang == Lang::Zh { household.kind.zh() } else { household.kind.as_str() };
    let changes = registry::household_changes(s.store.as_ref(), &who.principal, &household)
        .await?
        .into_iter()
        .map(|c| ChangeRow {
            at: beijing_time(c.at),
            actor: c.actor,
            what: c.what,
            fields: c.fields.iter().map(|(k, b, a)| format!("{k}: {b} → {a}")).collect::<Vec<_>>().join("；"),
        })
        .collect();
    let rows = members.iter().map(|p| Row::of(p, who.lang)).collect();
    let may_unmask = !who.principal.role.sees_full_identity();
    let may_check = who.principal.may(minzheng_domain::Permission::CheckEligibility);
    let may_verify = who.principal.may(minzheng_domain::Permission::VerifyHouseholds);
    Ok(render(&HouseholdPage { t: who.lang.text(), user: Some(UserBar::of(&who)), household, community_name, kind, rows, changes, may_unmask, may_check, may_verify })?.into_response())
}

pub(crate) struct AuditRow {
    pub at: String,
    pub actor: String,
    pub role: String,
    pub region: String,
    pub action: String,
    pub entity: String,
    pub key: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: &'static Text,
    user: Option<UserBar>,
    actor: String,
    entity: String,
    action: String,
    query: String,
    rows: Vec<AuditRow>,
    next: Option<String>,
    error: Option<String>,
}

/// 审计日志: auditors search the log of their region.
async fn audit(State(s): State<AppState>, who: Authenticated, Query(p): Query<crate::api::AuditParams>) -> Result<Response, AppError> {
    let (actor, entity, action) = (p.actor.clone().unwrap_or_default(), p.entity.clone().unwrap_or_default(), p.action.clone().unwrap_or_default());
    let query = format!("actor={}&entity={}&action={}", url_encode(&actor), url_encode(&entity), url_encode(&action));
    let mut page = AuditPage { t: who.lang.text(), user: Some(UserBar::of(&who)), actor, entity, action, query, rows: vec![], next: None, error: None };
    let q = crate::api::audit_query(p)?;
    match minzheng_app::audit_log::search(s.store.as_ref(), &who.principal, &who.actor, q).await {
        Ok(result) => {
            page.rows = result
                .items
                .into_iter()
                .map(|r| AuditRow {
                    at: beijing_time(r.at),
                    actor: r.actor,
                    role: r.role.as_deref().and_then(minzheng_domain::Role::parse).map(|x| if who.lang == Lang::Zh { x.zh() } else { x.as_str() }.to_string()).unwrap_or_default(),
                    region: r.region.unwrap_or_default(),
                    action: r.action,
                    entity: r.entity,
                    key: r.entity_key,
                    detail: r.after.map(|a| a.to_string()).unwrap_or_default().chars().take(120).collect(),
                })
                .collect();
            page.next = result.next;
            Ok(render(&page)?.into_response())
        }
        Err(e) => {
            page.error = Some(refusal(e)?);
            Ok((axum::http::StatusCode::FORBIDDEN, render(&page)?).into_response())
        }
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A sub-platform on the home page: its name, and its address once it exists.
pub(crate) struct Platform {
    pub name: &'static str,
    pub href: Option<&'static str>,
}

/// The sub-platforms of the city civil-affairs platform (seed 001), in both languages.
const PLATFORMS: &[(&str, &str)] = &[
    ("社会救助", "Social assistance"),
    ("全市通办", "City-wide services"),
    ("家庭经济状况核对", "Household economic checks"),
    ("资金发放与监管", "Payments and fund supervision"),
    ("养老服务", "Elderly care"),
    ("殡葬管理", "Funeral services"),
    ("社会组织", "Social organisations"),
    ("区划地名", "Divisions and place names"),
    ("婚姻登记", "Marriage registration"),
    ("重点工作", "Key tasks"),
];

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: &'static Text,
    user: Option<UserBar>,
    role: &'static str,
    region_name: String,
    platforms: Vec<Platform>,
    /// Whether the account's region has regions below it to chart.
    chart: bool,
    /// 待办: the account's lists of work, with their counts.
    work: Vec<WorkLine>,
}

struct WorkLine {
    href: &'static str,
    text: String,
}

/// 首页: what the account can do, and the sub-platforms to come.
async fn home(State(s): State<AppState>, who: Authenticated) -> Result<Response, AppError> {
    let region_name = s.store.region(&who.principal.region).await?.map(|r| r.name).unwrap_or_default();
    let zh = who.lang == Lang::Zh;
    let t = who.lang.text();
    let mut platforms = vec![Platform { name: if zh { "基层治理 · 居民查询" } else { "Grassroots governance · residents" }, href: Some("/residents") }];
    if who.principal.may(minzheng_domain::Permission::ReadAudit) {
        platforms.push(Platform { name: t.audit_log, href: Some("/audit") });
    }
    for (name_zh, name_en) in PLATFORMS {
        // 社会救助: the policy desk, for the roles that sweep and cost.
        let href = match *name_en {
            "Social assistance" if who.principal.may(minzheng_domain::Permission::RunSweeps) => Some("/policy"),
            "City-wide services" if who.principal.may(minzheng_domain::Permission::ReadRegistry) => Some("/cases"),
            "Household economic checks" if who.principal.may(minzheng_domain::Permission::ReadFindings) => Some("/findings"),
            _ => None,
        };
        platforms.push(Platform { name: if zh { name_zh } else { name_en }, href });
    }
    let role = if zh { who.principal.role.zh() } else { who.principal.role.as_str() };
    let chart = who.principal.region.level().child().is_some();
    // The account's work: cases waiting for its role, and those due soon or overdue (first pages).
    let today = s.clock.today();
    let mut work = Vec::new();
    if who.principal.may(minzheng_domain::Permission::HandleCases) {
        let n = minzheng_app::cases::work_counts(s.store.as_ref(), &who.principal, &who.actor, today).await?;
        work.push(WorkLine { href: "/cases?list=queue", text: if zh { format!("待我办理的办件 {} 件", n.queue) } else { format!("{} cases waiting for you", n.queue) } });
        work.push(WorkLine { href: "/cases?list=due", text: if zh { format!("即将到期或已超期 {} 件（其中已超期 {} 件）", n.due, n.overdue) } else { format!("{} due soon or overdue ({} overdue)", n.due, n.overdue) } });
    }
    let page = HomePage { t, user: Some(UserBar::of(&who)), role, region_name, platforms, chart, work };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct UnmaskForm {
    csrf: Option<String>,
    member: usize,
    reason: String,
}

#[derive(Template)]
#[template(path = "unmasked.html")]
struct UnmaskedPage {
    t: &'static Text,
    user: Option<UserBar>,
    household_no: String,
    name: String,
    id_number: String,
    phone: String,
}

/// The household page's "show full numbers" form: one member, with a reason (audited).
async fn unmask_member(State(s): State<AppState>, who: Authenticated, Path(no): Path<String>, axum::Form(f): axum::Form<UnmaskForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let (_, members) = registry::household(s.store.as_ref(), &who.principal, &who.actor, &no).await?;
    let _ = members.get(f.member).ok_or_else(|| AppError::not_found("成员", "member"))?;
    // The views are masked: find the member's full number from the store, by position.
    let stored = s.store.household_members(&no).await?;
    let person = stored.get(f.member).ok_or_else(|| AppError::not_found("成员", "member"))?;
    let shown = registry::unmask(s.store.as_ref(), &who.principal, &who.actor, &person.id_number, &f.reason).await?;
    let page = UnmaskedPage {
        t: who.lang.text(),
        user: Some(UserBar::of(&who)),
        household_no: no,
        name: shown.name,
        id_number: shown.id_number,
        phone: shown.phone.unwrap_or_default(),
    };
    Ok(render(&page)?.into_response())
}
