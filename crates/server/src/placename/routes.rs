//! 地名's JSON API and pages. Handlers parse, call the use cases (`service.rs`) and render; a
//! refused form comes back with what was typed and why.

use super::model::{filing_due, Category, Proposal, Status};
use super::service::{self, NameAction, NameFailure};
use super::store::PlaceName;
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{bad_date, both, choices, day_of, pick, Choice};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;

impl From<NameFailure> for AppError {
    fn from(e: NameFailure) -> AppError {
        match e {
            NameFailure::Access(a) => a.into(),
            NameFailure::Store(s) => s.into(),
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

pub(super) async fn api_propose(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(p): Json<Proposal>,
) -> Result<(StatusCode, Json<PlaceName>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    Ok((StatusCode::CREATED, Json(service::propose(s.store.as_ref(), &who.cx(s.clock.today()), p).await?)))
}

#[derive(serde::Serialize)]
pub(super) struct WithFormer {
    #[serde(flatten)]
    name: PlaceName,
    former_names: Vec<PlaceName>,
}

pub(super) async fn api_get(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<WithFormer>, AppError> {
    let (name, former_names) = service::get(s.store.as_ref(), &who.principal, id).await?;
    Ok(Json(WithFormer { name, former_names }))
}

pub(super) async fn api_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(a): Json<NameAction>,
) -> Result<Json<PlaceName>, AppError> {
    who.require_csrf_header(&s, &headers).await?;
    Ok(Json(service::act(s.store.as_ref(), &who.cx(s.clock.today()), id, a).await?))
}

pub(super) struct Row {
    id: i64,
    name: String,
    county: String,
    category: &'static str,
    location: String,
    status: &'static str,
    date: String,
    note: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "placename.html")]
pub(super) struct RegisterPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    region_name: String,
    names: Vec<Row>,
    unpublished: Vec<Row>,
    may_manage: bool,
}

fn row(s: &AppState, n: &PlaceName, lang: Lang, date: String, note: String, overdue: bool) -> Row {
    Row {
        id: n.id,
        name: n.name.clone(),
        county: RegionCode::parse(&n.county).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| n.county.clone()),
        category: pick(lang, n.category.zh(), n.category.en()),
        location: n.location.clone(),
        status: pick(lang, n.status.zh(), n.status.en()),
        date,
        note,
        overdue,
    }
}

pub(super) async fn register(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let region = region_of(&q)?;
    let today = s.clock.today();
    let r = service::register(s.store.as_ref(), &who.principal, region.as_ref()).await?;
    let here = region.unwrap_or_else(|| who.principal.region.clone());
    let page = RegisterPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        region_name: region_label(&s, &here, lang),
        names: r.names.iter().map(|n| row(&s, n, lang, n.applied_on.to_string(), String::new(), false)).collect(),
        unpublished: r
            .unpublished
            .iter()
            .map(|(n, due)| {
                let missing = match (n.filed_on.is_none(), n.announced_on.is_none(), lang) {
                    (true, true, Lang::Zh) => "未备案、未公告",
                    (true, false, Lang::Zh) => "未备案",
                    (false, _, Lang::Zh) => "未公告",
                    (true, true, Lang::En) => "not filed, not announced",
                    (true, false, Lang::En) => "not filed",
                    (false, _, Lang::En) => "not announced",
                };
                row(&s, n, lang, due.to_string(), missing.into(), *due < today)
            })
            .collect(),
        may_manage: who.principal.may(Permission::ManagePlaceNames),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ProposalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    specific: String,
    #[serde(default)]
    generic: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    renames: String,
}

#[derive(Template)]
#[template(path = "placename_form.html")]
pub(super) struct FormPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    form: ProposalForm,
    categories: Vec<Choice>,
    /// The standard name being renamed, as the page names it.
    renaming: Option<String>,
    error: Option<String>,
}

/// The standard name a rename form is for, when the account reads it.
async fn renaming_of(s: &AppState, who: &Authenticated, renames: &str) -> Option<PlaceName> {
    let id = renames.trim().parse::<i64>().ok()?;
    service::get(s.store.as_ref(), &who.principal, id).await.ok().map(|(n, _)| n)
}

fn form_page(who: &Authenticated, form: ProposalForm, renaming: Option<&PlaceName>, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = FormPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        categories: choices(Category::ALL, Category::as_str, |c| pick(lang, c.zh(), c.en()), &form.category),
        renaming: renaming.map(|n| match lang {
            Lang::Zh => format!("{}（{}，{}）", n.name, n.category.zh(), n.location),
            Lang::En => format!("{} ({}, {})", n.name, n.category.en(), n.location),
        }),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct NewParam {
    region: Option<String>,
    renames: Option<String>,
}

/// `GET /placenames/new?region=&renames=`: the application form (a rename of a standard name
/// when `renames` names it).
pub(super) async fn new_form(State(s): State<AppState>, who: Authenticated, Query(q): Query<NewParam>) -> Result<Response, AppError> {
    if let Some(r) = q.region.as_deref().filter(|r| !r.trim().is_empty()) {
        let r = crate::platform::api::parse_region(r)?;
        crate::platform::scope::within(&who.principal, Some(&r)).map_err(NameFailure::from)?;
    }
    let renames = q.renames.unwrap_or_default();
    let old = renaming_of(&s, &who, &renames).await;
    // A rename keeps the category and the place of the name it renames.
    let form = ProposalForm {
        category: old.as_ref().map_or("street", |o| o.category.as_str()).into(),
        location: old.as_ref().map(|o| o.location.clone()).unwrap_or_default(),
        renames: if old.is_some() { renames } else { String::new() },
        ..Default::default()
    };
    form_page(&who, form, old.as_ref(), None)
}

pub(super) async fn form_propose(State(s): State<AppState>, who: Authenticated, Form(f): Form<ProposalForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let old = renaming_of(&s, &who, &f.renames).await;
    let Some(category) = Category::parse(&f.category) else {
        return form_page(&who, f, old.as_ref(), Some(pick(lang, "请选择地名类别", "choose the category").into()));
    };
    let renames = match f.renames.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                return form_page(&who, f, old.as_ref(), Some(pick(lang, "被更名的地名无法识别", "the name renamed is not known").into()))
            }
        },
    };
    let p = Proposal {
        category,
        specific: f.specific.clone(),
        generic: f.generic.clone(),
        location: f.location.clone(),
        reason: f.reason.clone(),
        renames,
    };
    match service::propose(s.store.as_ref(), &who.cx(s.clock.today()), p).await {
        Ok(n) => Ok(Redirect::to(&format!("/placenames/{}", n.id)).into_response()),
        Err(e) if e.is_input() => form_page(&who, f, old.as_ref(), Some(both(lang, &e))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    on: String,
}

#[derive(Template)]
#[template(path = "placename_view.html")]
pub(super) struct NamePage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    n: PlaceName,
    category: &'static str,
    status: &'static str,
    county: String,
    former: Vec<String>,
    due: String,
    late: bool,
    may_manage: bool,
    next: &'static str,
    typed: ActForm,
    error: Option<String>,
}

async fn name_page(s: &AppState, who: &Authenticated, id: i64, error: Option<String>, typed: ActForm) -> Result<Response, AppError> {
    let lang = who.lang;
    let (n, former) = service::get(s.store.as_ref(), &who.principal, id).await?;
    let due = n.decided_on.filter(|_| n.status == Status::Approved).map(filing_due);
    // Past the 15 days: filed or announced after them, or still not by today.
    let today = s.clock.today();
    let past = |done: Option<chrono::NaiveDate>, d: chrono::NaiveDate| done.map_or(today > d, |x| x > d);
    let late = due.is_some_and(|d| past(n.filed_on, d) || past(n.announced_on, d));
    let next = match n.status {
        Status::Applied => "review",
        Status::Reviewed => "consult",
        Status::Consulted => "decide",
        Status::Approved if n.filed_on.is_none() || n.announced_on.is_none() => "publish",
        _ => "",
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = NamePage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        category: pick(lang, n.category.zh(), n.category.en()),
        status: pick(lang, n.status.zh(), n.status.en()),
        county: RegionCode::parse(&n.county).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| n.county.clone()),
        former: former
            .iter()
            .map(|f| {
                let d = f.decided_on.map(|d| d.to_string()).unwrap_or_default();
                if lang == Lang::Zh {
                    format!("{}（{d}）", f.name)
                } else {
                    format!("{} ({d})", f.name)
                }
            })
            .collect(),
        due: due.map(|d| d.to_string()).unwrap_or_default(),
        late,
        may_manage: who.principal.may(Permission::ManagePlaceNames),
        next,
        typed,
        error,
        n,
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn view(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    name_page(&s, &who, id, None, ActForm::default()).await
}

pub(super) async fn form_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let day = |t: &str, zh: &str, en: &str| day_of(t).ok_or_else(|| bad_date(lang, zh, en, t));
    let action = (|| -> Result<NameAction, String> {
        Ok(match f.action.as_str() {
            "review" => NameAction::Review { opinion: f.text.clone() },
            "consult" => NameAction::Consult {
                from: day(&f.from, "征求意见起始日", "consultation from")?,
                to: day(&f.to, "征求意见截止日", "consultation to")?,
                note: f.text.clone(),
            },
            "approve" => NameAction::Approve { approver: f.text.clone(), number: f.number.clone() },
            "refuse" => NameAction::Refuse { reason: f.text.clone() },
            "file" => NameAction::File { on: day(&f.on, "备案日期", "date filed")? },
            "announce" => NameAction::Announce { on: day(&f.on, "公告日期", "date announced")? },
            _ => return Err(pick(lang, "未知的操作", "unknown action").into()),
        })
    })();
    let action = match action {
        Ok(a) => a,
        Err(msg) => return name_page(&s, &who, id, Some(msg), f).await,
    };
    match service::act(s.store.as_ref(), &who.cx(s.clock.today()), id, action).await {
        Ok(_) => Ok(Redirect::to(&format!("/placenames/{id}")).into_response()),
        Err(e) if e.is_input() => name_page(&s, &who, id, Some(both(lang, &e)), f).await,
        Err(e) => Err(e.into()),
    }
}

// ---- door plates ----

pub(super) struct PlateRow {
    address: String,
    community: String,
    building: String,
    applied_on: String,
    assigned_on: String,
    late: bool,
}

pub(super) struct UnplatedRow {
    community: String,
    building: String,
    households: u64,
}

pub(super) struct StreetChoice {
    id: i64,
    name: String,
    selected: bool,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct PlateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    street_id: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    building: String,
    #[serde(default)]
    applied_on: String,
}

#[derive(Template)]
#[template(path = "placename_plates.html")]
pub(super) struct PlatesPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    region_name: String,
    plates: Vec<PlateRow>,
    households: u64,
    with_plate: u64,
    recorded_standard: u64,
    unplated: Vec<UnplatedRow>,
    streets: Vec<StreetChoice>,
    may_manage: bool,
    form: PlateForm,
    error: Option<String>,
}

async fn plates_page(
    s: &AppState,
    who: &Authenticated,
    region: Option<RegionCode>,
    form: PlateForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let (plates, report) = service::plates(s.store.as_ref(), &who.principal, region.as_ref()).await?;
    let cal = minzheng_app::cases::calendar(s.store.as_ref()).await?;
    let here = region.unwrap_or_else(|| who.principal.region.clone());
    let label = |code: &str| RegionCode::parse(code).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| code.to_string());
    let names = service::register(s.store.as_ref(), &who.principal, None).await?.names;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = PlatesPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        region_name: region_label(s, &here, lang),
        plates: plates
            .iter()
            .map(|p| PlateRow {
                address: p.address(),
                community: label(&p.community_code),
                building: p.building_name.clone(),
                applied_on: p.applied_on.to_string(),
                assigned_on: p.assigned_on.to_string(),
                late: service::plate_late(p, &cal),
            })
            .collect(),
        households: report.households,
        with_plate: report.with_plate,
        recorded_standard: report.recorded_standard,
        unplated: report
            .unplated
            .iter()
            .map(|(c, b, n)| UnplatedRow { community: label(c), building: b.clone(), households: *n })
            .collect(),
        streets: names
            .iter()
            .filter(|n| n.status == Status::Approved && matches!(n.category, Category::Street | Category::Settlement))
            .map(|n| StreetChoice { id: n.id, name: n.name.clone(), selected: n.id.to_string() == form.street_id })
            .collect(),
        may_manage: who.principal.may(Permission::ManagePlaceNames),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /placenames/plates?region=`: the door plates, the registry's buildings without one and
/// how its households' addresses stand.
pub(super) async fn plates(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    let region = region_of(&q)?;
    let today = s.clock.today();
    plates_page(&s, &who, region, PlateForm { applied_on: today.to_string(), ..Default::default() }, None).await
}

pub(super) async fn form_plate(State(s): State<AppState>, who: Authenticated, Form(f): Form<PlateForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let Some(applied_on) = day_of(&f.applied_on) else {
        let msg = bad_date(lang, "申请日期", "date applied", &f.applied_on);
        return plates_page(&s, &who, None, f, Some(msg)).await;
    };
    let Ok(street_id) = f.street_id.trim().parse::<i64>() else {
        return plates_page(&s, &who, None, f, Some(pick(lang, "请选择标准地名", "choose the standard name").into())).await;
    };
    let r = service::PlateRequest {
        street_id,
        number: f.number.clone(),
        community: f.community.clone(),
        building: f.building.clone(),
        applied_on,
    };
    match service::assign_plate(s.store.as_ref(), &who.cx(s.clock.today()), r).await {
        Ok(_) => Ok(Redirect::to("/placenames/plates").into_response()),
        Err(service::PlateFailure::Name(e)) if !e.is_input() => Err(e.into()),
        Err(e) => plates_page(&s, &who, None, f, Some(both(lang, &e))).await,
    }
}
