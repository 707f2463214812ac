//! 社会组织's JSON API and pages, and the public register (no sign-in). Handlers parse, call the
//! use cases (`service.rs`) and render; a refused form comes back with what was typed and why.

use super::model::{Application, Inspection, ListReason, OrgKind, OrgStatus};
use super::service::{self, Desk, OrgAction, OrgFailure, OrgFile};
use super::store::{Org, PublicOrg};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{both, choices, day_of, pick, yuan, Choice};
use crate::platform::scope::shown;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;

impl From<OrgFailure> for AppError {
    fn from(e: OrgFailure) -> AppError {
        match e {
            OrgFailure::Access(a) => a.into(),
            OrgFailure::Store(s) => s.into(),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct RegionParam {
    region: Option<String>,
}

fn region_of(p: &RegionParam) -> Result<Option<RegionCode>, AppError> {
    crate::platform::api::region_of(p.region.as_deref())
}

// ---- API ----

/// `POST /api/socialorgs` (needs `x-csrf-token`): an application received; 201.
pub(super) async fn api_apply(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(a): Json<Application>,
) -> Result<(StatusCode, Json<Org>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    Ok((StatusCode::CREATED, Json(service::apply(s.store.as_ref(), &who.cx(s.clock.today()), a).await?)))
}

pub(super) async fn api_org(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<OrgFile>, AppError> {
    Ok(Json(service::org(s.store.as_ref(), &who.principal, id, s.clock.today()).await?))
}

/// `POST /api/socialorgs/{id}/actions` (needs `x-csrf-token`): register, refuse, change,
/// deregister, penalty, report, rate, list, unlist.
pub(super) async fn api_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(a): Json<OrgAction>,
) -> Result<Json<OrgFile>, AppError> {
    who.require_csrf_header(&s, &headers).await?;
    Ok(Json(service::act(s.store.as_ref(), &who.cx(s.clock.today()), id, a).await?))
}

#[derive(Deserialize, Default)]
pub(super) struct SearchParam {
    q: Option<String>,
}

/// An organisation as the public register shows it: no ID numbers, no staff notes.
#[derive(serde::Serialize)]
pub(super) struct PublicView {
    name: String,
    credit_code: Option<String>,
    kind: OrgKind,
    status: OrgStatus,
    /// The registry office's region code.
    region: String,
    registered_on: Option<chrono::NaiveDate>,
    deregistered_on: Option<chrono::NaiveDate>,
    legal_rep_name: String,
    /// A grade still valid (1 to 5 A) and its last valid day.
    rating: Option<u8>,
    rating_valid_until: Option<chrono::NaiveDate>,
    /// Open entries on the credit lists.
    listed: Vec<PublicEntry>,
}

#[derive(serde::Serialize)]
pub(super) struct PublicEntry {
    list: super::model::CreditList,
    reason: ListReason,
    listed_on: chrono::NaiveDate,
}

fn public_view(p: &PublicOrg, today: chrono::NaiveDate) -> PublicView {
    let o = &p.org;
    let until = o.rated_on.map(super::model::rating_valid_until).filter(|u| *u >= today);
    PublicView {
        name: o.name.clone(),
        credit_code: o.credit_code.clone(),
        kind: o.kind,
        status: o.status,
        region: o.region.clone(),
        registered_on: o.decided_on,
        deregistered_on: o.deregistered_on,
        legal_rep_name: o.legal_rep_name.clone(),
        rating: o.rating.filter(|_| until.is_some()),
        rating_valid_until: until,
        listed: p.listed.iter().map(|e| PublicEntry { list: e.list, reason: e.reason, listed_on: e.listed_on }).collect(),
    }
}

/// `GET /api/public/socialorgs?q=`: the public register, no sign-in.
pub(super) async fn api_public(State(s): State<AppState>, Query(q): Query<SearchParam>) -> Result<Json<Vec<PublicView>>, AppError> {
    let today = s.clock.today();
    let found = service::search(s.store.as_ref(), q.q.as_deref().unwrap_or("")).await?;
    Ok(Json(found.iter().map(|p| public_view(p, today)).collect()))
}

// ---- pages ----

pub(super) struct OrgRow {
    id: i64,
    name: String,
    kind: &'static str,
    code: String,
    date: String,
    note: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "socialorg.html")]
pub(super) struct DeskPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    region_name: String,
    d: Desk,
    pending: Vec<OrgRow>,
    missing: Vec<OrgRow>,
    promote: Vec<OrgRow>,
    may_manage: bool,
}

fn kind_label(k: OrgKind, lang: Lang) -> &'static str {
    pick(lang, k.zh(), k.en())
}

pub(super) async fn desk(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let region = region_of(&q)?;
    let today = s.clock.today();
    let d = service::desk(s.store.as_ref(), &who.principal, region.as_ref(), today).await?;
    let here = region.clone().unwrap_or_else(|| who.principal.region.clone());
    let row = |o: &Org, date: String, note: String, overdue: bool| OrgRow {
        id: o.id,
        name: o.name.clone(),
        kind: kind_label(o.kind, lang),
        code: o.credit_code.clone().unwrap_or_default(),
        date,
        note,
        overdue,
    };
    let page = DeskPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        region_name: region_label(&s, &here, lang),
        pending: d
            .pending
            .iter()
            .map(|(o, due)| {
                let days = (*due - today).num_days();
                let note = match lang {
                    Lang::Zh if days < 0 => format!("已超过60日期限{}天", -days),
                    Lang::Zh => format!("还剩{days}天"),
                    Lang::En if days < 0 => format!("{} days past the 60-day limit", -days),
                    Lang::En => format!("{days} days left"),
                };
                row(o, due.to_string(), note, days < 0)
            })
            .collect(),
        missing: d
            .reports_missing
            .iter()
            .map(|o| row(o, o.decided_on.map(|x| x.to_string()).unwrap_or_default(), String::new(), true))
            .collect(),
        promote: d
            .to_promote
            .iter()
            .map(|(e, o)| row(o, e.listed_on.to_string(), pick(lang, e.reason.zh(), e.reason.en()).to_string(), true))
            .collect(),
        may_manage: who.principal.may(Permission::ManageSocialOrgs),
        d,
    };
    Ok(render(&page)?.into_response())
}

/// The application form, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ApplicationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    legal_rep_id: String,
    #[serde(default)]
    legal_rep_name: String,
    #[serde(default)]
    supervisor: String,
    #[serde(default)]
    capital: String,
    #[serde(default)]
    individual_members: String,
    #[serde(default)]
    unit_members: String,
    #[serde(default)]
    public_raising: Option<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    scope: String,
}

#[derive(Template)]
#[template(path = "socialorg_form.html")]
pub(super) struct FormPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    form: ApplicationForm,
    kinds: Vec<Choice>,
    error: Option<String>,
}

fn form_page(who: &Authenticated, form: ApplicationForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = FormPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        kinds: choices(OrgKind::ALL, OrgKind::as_str, |k| kind_label(k, lang), &form.kind),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /socialorgs/new?region=`: the application form (the office is the account's).
pub(super) async fn new_form(who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    if let Some(r) = region_of(&q)? {
        crate::platform::scope::within(&who.principal, Some(&r)).map_err(OrgFailure::from)?;
    }
    form_page(&who, ApplicationForm { kind: "group".into(), ..Default::default() }, None)
}

/// Yuan as typed (`30000`, `30,000.00`) in fen.
fn fen_of(text: &str) -> Option<i64> {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Some(0);
    }
    minzheng_domain::Fen::parse_yuan(&t).ok().map(|f| f.0)
}

pub(super) async fn form_apply(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<ApplicationForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let Some(kind) = OrgKind::parse(&f.kind) else {
        return form_page(&who, f, Some(pick(lang, "请选择社会组织类别", "choose the kind").into()));
    };
    let Some(capital_fen) = fen_of(&f.capital) else {
        let msg = match lang {
            Lang::Zh => format!("资金“{}”无法识别，请填写元，如 30000 或 30000.00", f.capital),
            Lang::En => format!("capital {:?}: write yuan, as 30000 or 30000.00", f.capital),
        };
        return form_page(&who, f, Some(msg));
    };
    let count = |t: &str| t.trim().parse::<u32>().ok().or(t.trim().is_empty().then_some(0));
    let (Some(individual_members), Some(unit_members)) = (count(&f.individual_members), count(&f.unit_members)) else {
        return form_page(&who, f, Some(pick(lang, "会员数请填写整数", "members: write whole numbers").into()));
    };
    let a = Application {
        name: f.name.clone(),
        kind,
        legal_rep_id: f.legal_rep_id.clone(),
        legal_rep_name: f.legal_rep_name.clone(),
        supervisor: f.supervisor.clone(),
        capital_fen,
        individual_members,
        unit_members,
        public_raising: f.public_raising.is_some(),
        address: f.address.clone(),
        scope: f.scope.clone(),
    };
    match service::apply(s.store.as_ref(), &who.cx(s.clock.today()), a).await {
        Ok(o) => Ok(Redirect::to(&format!("/socialorgs/{}", o.id)).into_response()),
        Err(e) if e.is_input() => form_page(&who, f, Some(both(lang, &e))),
        Err(e) => Err(e.into()),
    }
}

pub(super) struct Line {
    text: String,
    late: bool,
}

pub(super) struct EntryRow {
    id: i64,
    list: &'static str,
    reason: &'static str,
    listed_on: String,
    basis: String,
    removed: String,
    open: bool,
}

pub(super) struct ReasonChoice {
    code: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "socialorg_view.html")]
pub(super) struct OrgPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    o: Org,
    kind: &'static str,
    status: &'static str,
    region_name: String,
    legal_rep: String,
    capital: String,
    decision_due: String,
    rating: String,
    rating_bar: String,
    events: Vec<Line>,
    reports: Vec<Line>,
    entries: Vec<EntryRow>,
    reasons: Vec<ReasonChoice>,
    inspections: Vec<Choice>,
    applied: bool,
    active: bool,
    may_manage: bool,
    last_year: i32,
    error: Option<String>,
    typed: ActForm,
}

async fn org_page(s: &AppState, who: &Authenticated, id: i64, error: Option<String>, typed: ActForm) -> Result<Response, AppError> {
    let lang = who.lang;
    let today = s.clock.today();
    let f = service::org(s.store.as_ref(), &who.principal, id, today).await?;
    let o = f.org.clone();
    let region_name = RegionCode::parse(&o.region).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| o.region.clone());
    let event_text = |e: &super::store::OrgEvent| {
        let kind = match (e.kind.as_str(), lang) {
            ("change", Lang::Zh) => "变更登记",
            ("deregister", Lang::Zh) => "注销登记（清算结束）",
            ("penalty", Lang::Zh) => "行政处罚",
            ("change", Lang::En) => "change",
            ("deregister", Lang::En) => "deregistration (liquidated)",
            (_, Lang::En) => "penalty",
            _ => "",
        };
        let late = match (e.late, lang) {
            (true, Lang::Zh) => "，逾期办理",
            (true, Lang::En) => ", filed late",
            _ => "",
        };
        let fine = if e.fine_fen > 0 { format!(" · {}{}", yuan(e.fine_fen), pick(lang, "元", " yuan")) } else { String::new() };
        Line {
            text: format!("{} {kind}：{}{fine}（{}{}）", e.happened_on, e.detail, pick(lang, "登记于", "filed "), e.filed_on) + late,
            late: e.late,
        }
    };
    let report_text = |r: &super::store::Report| {
        let d = |x: Option<chrono::NaiveDate>| x.map_or_else(|| pick(lang, "未报送", "not filed").to_string(), |d| d.to_string());
        let (to_sup, to_reg) = super::model::report_due(r.year);
        let late = r.to_registry_on.is_none_or(|d| d > to_reg) || r.to_supervisor_on.is_some_and(|d| d > to_sup);
        let inspection = r.inspection.map_or("", |i| pick(lang, i.zh(), i.en()));
        Line {
            text: match lang {
                Lang::Zh => format!(
                    "{}年度：报业务主管单位 {}，报登记管理机关 {}，年检 {inspection}",
                    r.year,
                    d(r.to_supervisor_on),
                    d(r.to_registry_on)
                ),
                Lang::En => format!(
                    "{}: to the supervising unit {}, to the registry {}, inspection {inspection}",
                    r.year,
                    d(r.to_supervisor_on),
                    d(r.to_registry_on)
                ),
            },
            late,
        }
    };
    let page = OrgPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        kind: kind_label(o.kind, lang),
        status: pick(lang, o.status.zh(), o.status.en()),
        region_name,
        legal_rep: match lang {
            Lang::Zh => format!("{}（{}）", o.legal_rep_name, shown(&who.principal, &o.legal_rep_id)),
            Lang::En => format!("{} ({})", o.legal_rep_name, shown(&who.principal, &o.legal_rep_id)),
        },
        capital: format!("{}{}", yuan(o.capital_fen), pick(lang, " 元", " yuan")),
        decision_due: f.decision_due.map(|d| d.to_string()).unwrap_or_default(),
        rating: match (o.rating, f.rating_valid_until) {
            (Some(g), Some(until)) if until >= today => match lang {
                Lang::Zh => format!("{g}A（{}分，有效期至{until}）", o.rating_score.unwrap_or(0)),
                Lang::En => format!("{g}A ({} points, valid until {until})", o.rating_score.unwrap_or(0)),
            },
            (Some(g), Some(until)) => match lang {
                Lang::Zh => format!("{g}A（已于{until}失效）"),
                Lang::En => format!("{g}A (expired {until})"),
            },
            _ => String::new(),
        },
        rating_bar: f.rating_bar.map(|b| if lang == Lang::Zh { b.zh() } else { b.en() }).unwrap_or_default(),
        events: f.events.iter().map(event_text).collect(),
        reports: f.reports.iter().map(report_text).collect(),
        entries: f
            .entries
            .iter()
            .map(|e| EntryRow {
                id: e.id,
                list: pick(lang, e.list.zh(), e.list.en()),
                reason: pick(lang, e.reason.zh(), e.reason.en()),
                listed_on: e.listed_on.to_string(),
                basis: e.basis.clone(),
                removed: e.removed_on.map(|d| format!("{d} {}", e.removal_note)).unwrap_or_default(),
                open: e.removed_on.is_none(),
            })
            .collect(),
        reasons: ListReason::ALL
            .iter()
            .map(|r| ReasonChoice {
                code: r.as_str(),
                label: format!("{}：{}", pick(lang, r.list().zh(), r.list().en()), pick(lang, r.zh(), r.en())),
            })
            .collect(),
        inspections: choices(Inspection::ALL, Inspection::as_str, |i| pick(lang, i.zh(), i.en()), &typed.inspection),
        applied: o.status == OrgStatus::Applied,
        active: o.status == OrgStatus::Active,
        may_manage: who.principal.may(Permission::ManageSocialOrgs),
        last_year: chrono::Datelike::year(&today) - 1,
        error,
        typed,
        o,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn view(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    org_page(&s, &who, id, None, ActForm::default()).await
}

/// One form for every action on the organisation's page (the fields the action needs).
#[derive(Deserialize, Default, Clone)]
pub(super) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    fine: String,
    #[serde(default)]
    licence_revoked: Option<String>,
    #[serde(default)]
    year: String,
    #[serde(default)]
    to_supervisor_on: String,
    #[serde(default)]
    to_registry_on: String,
    #[serde(default)]
    inspection: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    entry: String,
}

fn action_of(f: &ActForm, lang: Lang) -> Result<OrgAction, String> {
    let day = |t: &str, zh: &str, en: &str| day_of(t).ok_or_else(|| crate::platform::pages::bad_date(lang, zh, en, t));
    let optional_day = |t: &str, zh: &str, en: &str| if t.trim().is_empty() { Ok(None) } else { day(t, zh, en).map(Some) };
    Ok(match f.action.as_str() {
        "register" => OrgAction::Register { note: Some(f.note.clone()) },
        "refuse" => OrgAction::Refuse { reason: f.note.clone() },
        "change" => OrgAction::Change { happened_on: day(&f.on, "变更日期", "date of the change")?, detail: f.detail.clone() },
        "deregister" => {
            OrgAction::Deregister { liquidated_on: day(&f.on, "清算结束日期", "end of the liquidation")?, detail: f.detail.clone() }
        }
        "penalty" => OrgAction::Penalty {
            happened_on: day(&f.on, "处罚日期", "date of the penalty")?,
            detail: f.detail.clone(),
            fine_fen: fen_of(&f.fine).ok_or_else(|| pick(lang, "罚款金额无法识别，请填写元", "the fine: write yuan").to_string())?,
            licence_revoked: f.licence_revoked.is_some(),
        },
        "report" => OrgAction::Report {
            year: f.year.trim().parse().map_err(|_| pick(lang, "请填写年度，如 2025", "enter the year, as 2025").to_string())?,
            to_supervisor_on: optional_day(&f.to_supervisor_on, "报业务主管单位日期", "date to the supervising unit")?,
            to_registry_on: optional_day(&f.to_registry_on, "报登记管理机关日期", "date to the registry")?,
            inspection: Inspection::parse(&f.inspection),
        },
        "rate" => OrgAction::Rate {
            score: f
                .score
                .trim()
                .parse()
                .map_err(|_| pick(lang, "评估得分请填写0至1000的整数", "score: a whole number 0 to 1,000").to_string())?,
        },
        "list" => OrgAction::List {
            reason: ListReason::parse(&f.reason).ok_or_else(|| pick(lang, "请选择列入事由", "choose the reason").to_string())?,
            listed_on: day(&f.on, "列入日期", "date listed")?,
            basis: f.detail.clone(),
        },
        "unlist" => OrgAction::Unlist {
            entry: f.entry.trim().parse().map_err(|_| pick(lang, "没有这条记录", "no such entry").to_string())?,
            rectified_on: optional_day(&f.on, "整改核实日期", "date the rectification was verified")?,
            note: f.note.clone(),
        },
        _ => return Err(pick(lang, "未知的操作", "unknown action").into()),
    })
}

pub(super) async fn form_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let action = match action_of(&f, lang) {
        Ok(a) => a,
        Err(msg) => return org_page(&s, &who, id, Some(msg), f).await,
    };
    match service::act(s.store.as_ref(), &who.cx(s.clock.today()), id, action).await {
        Ok(_) => Ok(Redirect::to(&format!("/socialorgs/{id}")).into_response()),
        Err(e) if e.is_input() => org_page(&s, &who, id, Some(both(lang, &e)), f).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) struct PublicRow {
    name: String,
    code: String,
    kind: &'static str,
    status: &'static str,
    region: String,
    registered_on: String,
    legal_rep: String,
    rating: String,
    listed: Vec<String>,
}

#[derive(Template)]
#[template(path = "socialorg_public.html")]
pub(super) struct PublicPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    q: String,
    searched: bool,
    rows: Vec<PublicRow>,
}

/// `GET /public/socialorgs?q=`: the public register of social organisations (no sign-in):
/// status, rating and credit list entries.
pub(super) async fn public(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<SearchParam>,
) -> Result<Response, AppError> {
    let lang = Lang::of(&headers);
    let today = s.clock.today();
    let text = q.q.clone().unwrap_or_default();
    let found = service::search(s.store.as_ref(), &text).await?;
    let rows = found
        .iter()
        .map(|p| {
            let o = &p.org;
            let valid = o.rated_on.map(super::model::rating_valid_until).is_some_and(|u| u >= today);
            PublicRow {
                name: o.name.clone(),
                code: o.credit_code.clone().unwrap_or_default(),
                kind: kind_label(o.kind, lang),
                status: pick(lang, o.status.zh(), o.status.en()),
                region: RegionCode::parse(&o.region).map(|c| region_label(&s, &c, lang)).unwrap_or_else(|_| o.region.clone()),
                registered_on: o.decided_on.map(|d| d.to_string()).unwrap_or_default(),
                legal_rep: o.legal_rep_name.clone(),
                rating: match (o.rating, valid) {
                    (Some(g), true) => format!("{g}A"),
                    _ => String::new(),
                },
                listed: p
                    .listed
                    .iter()
                    .map(|e| {
                        format!("{}（{}，{}）", pick(lang, e.list.zh(), e.list.en()), e.listed_on, pick(lang, e.reason.zh(), e.reason.en()))
                    })
                    .collect(),
            }
        })
        .collect();
    let page = PublicPage { t: lang.text(), zh: lang == Lang::Zh, user: None, searched: text.trim().chars().count() >= 2, q: text, rows };
    Ok(render(&page)?.into_response())
}
