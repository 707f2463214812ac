//! The platform's pages: home, sign-in, language, static files, the audit log.

use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use minzheng_app::registry::AccessError;
use minzheng_domain::Bilingual;
use serde::Deserialize;
/// The static files, served from the binary.
pub(crate) async fn static_file(Path(file): Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match file.as_str() {
        "app.css" => (include_bytes!("../../static/app.css"), "text/css; charset=utf-8"),
        "app.js" => (include_bytes!("../../static/app.js"), "text/javascript; charset=utf-8"),
        "vendor/htmx.min.js" => (include_bytes!("../../static/vendor/htmx.min.js"), "text/javascript; charset=utf-8"),
        "vendor/echarts.min.js" => (include_bytes!("../../static/vendor/echarts.min.js"), "text/javascript; charset=utf-8"),
        _ => return (axum::http::StatusCode::NOT_FOUND, "not found").into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

pub(crate) use super::frame::UserBar;

impl UserBar {
    pub(crate) fn of(who: &Authenticated) -> UserBar {
        UserBar {
            name: if who.display_name == who.principal.name {
                who.principal.name.clone()
            } else {
                format!("{} {}", who.display_name, who.principal.name)
            },
            role: match who.lang {
                Lang::Zh => who.principal.role.zh(),
                Lang::En => who.principal.role.en(),
            },
            region: who.region_name.clone(),
            csrf: who.session.csrf_token.clone(),
            menu: crate::module::menu_for(&who.principal, who.lang),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct LoginParams {
    next: Option<String>,
}

pub(crate) async fn login(headers: axum::http::HeaderMap, Query(p): Query<LoginParams>) -> Response {
    crate::auth::login_page(Lang::of(&headers), "", p.next.as_deref(), None)
}

/// `/lang/en`, `/lang/zh`: remembers the language of the pages and goes back home.
pub(crate) async fn set_lang(Path(code): Path<String>) -> Response {
    let value = if code == "en" { "en" } else { "zh" };
    let mut res = axum::response::Redirect::to("/").into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{}={value}; Path=/; SameSite=Lax; Max-Age=31536000", crate::i18n::COOKIE)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

pub(crate) fn render(t: &impl Template) -> Result<Html<String>, AppError> {
    t.render().map(Html).map_err(|e| {
        AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "render", "页面生成失败", format!("page rendering failed: {e}"))
    })
}

/// A time as clerks read it (Beijing time, UTC+8).
pub(crate) fn beijing_time(t: chrono::DateTime<chrono::Utc>) -> String {
    minzheng_domain::calendar::beijing_minutes(t)
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
pub(crate) struct AuditPage {
    t: &'static Text,
    user: Option<UserBar>,
    actor: String,
    from: String,
    to: String,
    /// The operations and objects to choose from: code, name, chosen.
    actions: Vec<(String, &'static str, bool)>,
    entities: Vec<(String, &'static str, bool)>,
    query: String,
    rows: Vec<AuditRow>,
    next: Option<String>,
    error: Option<String>,
}

/// 审计日志: auditors search the log of their region.
pub(crate) async fn audit(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<crate::platform::api::AuditParams>,
) -> Result<Response, AppError> {
    let (actor, entity, action) =
        (p.actor.clone().unwrap_or_default(), p.entity.clone().unwrap_or_default(), p.action.clone().unwrap_or_default());
    let (from, to) = (p.from.clone().unwrap_or_default(), p.to.clone().unwrap_or_default());
    let query = format!(
        "actor={}&entity={}&action={}&from={}&to={}",
        url_encode(&actor),
        url_encode(&entity),
        url_encode(&action),
        url_encode(&from),
        url_encode(&to)
    );
    let zh = who.lang == Lang::Zh;
    // One option per name, standing for every code of that name (修改: update, change, set ...).
    let choices = |list: &'static [(&'static str, &'static str, &'static str)], chosen: &str| {
        let mut by_label: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
        for (c, z, e) in list {
            let label = if zh { *z } else { *e };
            match by_label.iter_mut().find(|(l, _)| *l == label) {
                Some((_, codes)) => codes.push(c),
                None => by_label.push((label, vec![c])),
            }
        }
        by_label
            .into_iter()
            .map(|(label, codes)| {
                let value = codes.join(",");
                let selected = value == chosen;
                (value, label, selected)
            })
            .collect::<Vec<_>>()
    };
    let mut page = AuditPage {
        t: who.lang.text(),
        user: Some(UserBar::of(&who)),
        actions: choices(super::audit_words::ACTIONS, &action),
        entities: choices(super::audit_words::ENTITIES, &entity),
        actor,
        from,
        to,
        query,
        rows: vec![],
        next: None,
        error: None,
    };
    let q = crate::platform::api::audit_query(p)?;
    match minzheng_app::audit_log::search(s.store.as_ref(), &who.cx(s.clock.today()), q).await {
        Ok(result) => {
            page.rows = result
                .items
                .into_iter()
                .map(|r| AuditRow {
                    at: beijing_time(r.at),
                    actor: match s.people.of(&r.actor) {
                        n if n == r.actor => n,
                        n => format!("{n}（{}）", r.actor),
                    },
                    role: r
                        .role
                        .as_deref()
                        .and_then(minzheng_domain::Role::parse)
                        .map(|x| if who.lang == Lang::Zh { x.zh() } else { x.en() }.to_string())
                        .unwrap_or_default(),
                    region: r
                        .region
                        .as_deref()
                        .map(|c| minzheng_domain::RegionCode::parse(c).map_or_else(|_| c.to_string(), |c| region_name(&s, &c)))
                        .unwrap_or_default(),
                    action: super::audit_words::action(&r.action, who.lang == Lang::Zh),
                    entity: super::audit_words::entity(&r.entity, who.lang == Lang::Zh),
                    key: r.entity_key,
                    detail: r.after.as_ref().map(|a| super::audit_words::detail(a, who.lang == Lang::Zh)).unwrap_or_default(),
                })
                .collect();
            page.next = result.next;
            Ok(render(&page)?.into_response())
        }
        Err(e) => {
            page.error = Some(refusal(e, who.lang)?);
            Ok((axum::http::StatusCode::FORBIDDEN, render(&page)?).into_response())
        }
    }
}

pub(crate) fn url_encode(s: &str) -> String {
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

/// The sub-platforms of the city civil-affairs platform (seed 001) not built yet, in both
/// languages; those built are the modules' menu entries.
const COMING: &[(&str, &str)] = &[
    ("儿童福利", "Children in difficulty"),
    ("慈善和志愿服务", "Charity and volunteers"),
    ("流浪乞讨人员救助", "Assistance to people living rough"),
];

#[derive(Template)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    t: &'static Text,
    user: Option<UserBar>,
    role: &'static str,
    region_name: String,
    platforms: Vec<Platform>,
    /// Whether the account's region has regions below it to chart.
    chart: bool,
    /// 待办: the account's lists of work in every sub-platform, with their counts.
    work: Vec<crate::module::WorkLine>,
    /// For the city's administrators: a year whose public holidays must be entered now.
    calendar_warning: Option<String>,
}

/// 首页 · 工作台: the account's work from every sub-platform, its sub-platforms, and those to come.
pub(crate) async fn home(State(s): State<AppState>, who: Authenticated) -> Result<Response, AppError> {
    let region_name = s.store.region(&who.principal.region).await?.map(|r| r.name).unwrap_or_default();
    let zh = who.lang == Lang::Zh;
    let mut platforms: Vec<Platform> =
        crate::module::menu_for(&who.principal, who.lang).into_iter().map(|l| Platform { name: l.label, href: Some(l.href) }).collect();
    platforms.extend(COMING.iter().map(|(name_zh, name_en)| Platform { name: if zh { name_zh } else { name_en }, href: None }));
    let role = if zh { who.principal.role.zh() } else { who.principal.role.en() };
    let chart = who.principal.region.level().child().is_some();
    let work = crate::module::work_for(&s, &who).await?;
    let calendar_warning = if who.principal.role == minzheng_domain::Role::CityAdmin {
        let cal = minzheng_app::cases::calendar(s.store.as_ref()).await?;
        cal.year_to_enter(s.clock.today()).map(|y| {
            if zh {
                format!("{y} 年的节假日安排尚未录入工作日历：跨入该年的办理时限暂按周一至周五计算，均标为暂定。国务院办公厅通知发布后，请用 minzheng calendar set 录入。")
            } else {
                format!("The public holidays of {y} are not in the working-day calendar: limits running into that year are counted Monday to Friday and marked provisional. Enter the State Council's notice with minzheng calendar set once it is published.")
            }
        })
    } else {
        None
    };
    let page = HomePage { t: who.lang.text(), user: Some(UserBar::of(&who)), role, region_name, platforms, chart, work, calendar_warning };
    Ok(render(&page)?.into_response())
}

/// The message a page shows when the account is refused; other errors become the error response.
pub(crate) fn refusal(e: AccessError, lang: Lang) -> Result<String, AppError> {
    match e {
        AccessError::OutOfScope | AccessError::Forbidden | AccessError::StaleCursor => Ok(if lang == Lang::En { e.en() } else { e.zh() }),
        other => Err(other.into()),
    }
}

/// A member of staff by name (王芳), from the login an event or record keeps; the login itself
/// when no name is recorded.
pub(crate) fn person(s: &AppState, login: &str) -> String {
    s.people.of(login)
}

/// A region as staff read it: its name, or its code when the region tree does not know it.
pub(crate) fn region_name(s: &AppState, code: &minzheng_domain::RegionCode) -> String {
    s.communities.region_name(code).map_or_else(|| code.to_string(), str::to_string)
}

/// A region with its code, where staff use both: 浑南区（210112）.
pub(crate) fn region_label(s: &AppState, code: &minzheng_domain::RegionCode, lang: Lang) -> String {
    match s.communities.region_name(code) {
        Some(name) if lang == Lang::En => format!("{name} ({code})"),
        Some(name) => format!("{name}（{code}）"),
        None => code.to_string(),
    }
}

/// A program's name in the page's language, from the city's policy files (临时救助, which has no
/// policy file, by its own name); the code itself when unknown.
pub(crate) fn program_name(s: &AppState, code: &str, lang: Lang) -> String {
    if code == "linshi" {
        return if lang == Lang::Zh { "临时救助".into() } else { "temporary assistance".into() };
    }
    s.engine
        .policy
        .programs
        .iter()
        .find(|p| p.code == code)
        .map(|p| if lang == Lang::Zh { p.zh.clone() } else { p.en.clone() })
        .unwrap_or_else(|| code.to_string())
}

/// The text of the account's language.
pub(crate) fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A message in the account's language.
pub(crate) fn both(lang: Lang, e: &impl Bilingual) -> String {
    match lang {
        Lang::Zh => e.zh(),
        Lang::En => e.en(),
    }
}

/// A date typed in a form (`2026-12-01`).
pub(crate) fn day_of(text: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// The message for a date typed in a form that cannot be read.
pub(crate) fn bad_date(lang: Lang, what_zh: &str, what_en: &str, text: &str) -> String {
    match lang {
        Lang::Zh => format!("{what_zh}“{text}”无法识别，请写成 2026-12-01"),
        Lang::En => format!("{what_en} {text:?} not understood; write it as 2026-12-01"),
    }
}

/// Fen as yuan with two decimals, as on every page (`Fen`'s display).
pub(crate) fn yuan(fen: i64) -> String {
    minzheng_domain::Fen(fen).to_string()
}

/// One option of a `<select>`: its code, its label in the page's language, whether chosen.
pub(crate) struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The options of a `<select>` over all values of a kind, the one whose code is `selected` chosen.
pub(crate) fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter().map(|&x| Choice { code: code(x), label: label(x), selected: code(x) == selected }).collect()
}
