//! 基层治理's JSON API and pages: the queues of a region, the grid worker's event form (phone
//! width), the dispatch desk's form for hotline orders and petitions, an order with its history
//! and the steps the account may take, the KPIs per community and street. A refused form comes
//! back with what was typed and why.

use super::model::{Kpi, Order, OrderKind, OrderStatus, Step, EVENT_CATEGORIES};
use super::service::{self, NewOrder, OrderFailure};
use super::store::{owner, Queue, StepRecord};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{both, day_of, pick};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::NaiveDate;
use minzheng_domain::{Bilingual, Permission, RegionCode, RegionLevel};
use serde::Deserialize;

impl From<OrderFailure> for AppError {
    fn from(e: OrderFailure) -> AppError {
        match e {
            OrderFailure::Access(a) => a.into(),
            OrderFailure::Store(s) => s.into(),
            OrderFailure::NotFound => AppError::new(StatusCode::NOT_FOUND, "not_found", e.zh(), e.en()),
            OrderFailure::Changed => AppError::new(StatusCode::CONFLICT, "conflict", e.zh(), e.en()),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct QueueParam {
    region: Option<String>,
    list: Option<String>,
    page: Option<u32>,
    from: Option<String>,
    to: Option<String>,
}

fn region_of(p: &QueueParam) -> Result<Option<RegionCode>, AppError> {
    crate::platform::api::region_of(p.region.as_deref())
}

fn queue_of(list: Option<&str>, today: NaiveDate) -> Queue {
    match list {
        Some("overdue") => Queue::Overdue(today),
        Some("closed") => Queue::Closed,
        Some("escalated") => Queue::Escalated,
        _ => Queue::Open,
    }
}

/// The page size of the queues.
const SIZE: u32 = 50;

pub(super) async fn api_queue(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<QueueParam>,
) -> Result<Json<Vec<Order>>, AppError> {
    let region = region_of(&q)?;
    let queue = queue_of(q.list.as_deref(), s.clock.today());
    Ok(Json(service::queue(s.store.as_ref(), &who.principal, region.as_ref(), queue, q.page.unwrap_or(1).max(1), SIZE).await?))
}

pub(super) async fn api_file(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(n): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    Ok((StatusCode::CREATED, Json(service::file(s.store.as_ref(), &who.cx(s.clock.today()), n).await?)))
}

#[derive(serde::Serialize)]
pub(super) struct WithSteps {
    #[serde(flatten)]
    order: Order,
    steps: Vec<StepRecord>,
}

pub(super) async fn api_order(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<WithSteps>, AppError> {
    let (order, steps) = service::get(s.store.as_ref(), &who.principal, id).await?;
    Ok(Json(WithSteps { order, steps }))
}

/// A step as the API takes it, with the order's status and rework count as the client saw them
/// (optional: a step on an order that moved on since is refused).
#[derive(Deserialize)]
pub(super) struct StepBody {
    #[serde(flatten)]
    step: Step,
    #[serde(default)]
    seen_status: Option<String>,
    #[serde(default)]
    seen_rework: Option<i64>,
}

fn seen_of(status: Option<&str>, rework: Option<i64>) -> Option<service::Seen> {
    Some(service::Seen { status: OrderStatus::parse(status?)?, rework: rework? })
}

pub(super) async fn api_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(b): Json<StepBody>,
) -> Result<Json<Order>, AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let seen = seen_of(b.seen_status.as_deref(), b.seen_rework);
    Ok(Json(service::act(s.store.as_ref(), &who.cx(s.clock.today()), id, b.step, seen).await?))
}

fn period(s: &AppState, q: &QueueParam) -> Result<(NaiveDate, NaiveDate), AppError> {
    let today = s.clock.today();
    let bad = |t: &str| {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("日期“{t}”无法识别，请写成 2026-12-01"),
            format!("the date {t:?} is not understood; write it as 2026-12-01"),
        )
    };
    let from = match q.from.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => day_of(t).ok_or_else(|| bad(t))?,
        None => today - chrono::Duration::days(30),
    };
    let to = match q.to.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => day_of(t).ok_or_else(|| bad(t))?,
        None => today,
    };
    Ok((from, to))
}

pub(super) async fn api_kpi(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<QueueParam>,
) -> Result<Json<Vec<Kpi>>, AppError> {
    let region = region_of(&q)?;
    let (from, to) = period(&s, &q)?;
    Ok(Json(service::kpis(s.store.as_ref(), &who.principal, region.as_ref(), from, to, s.clock.today()).await?))
}

/// A row of a queue as the page shows it.
pub(super) struct Row {
    id: i64,
    kind: &'static str,
    title: String,
    place: String,
    status: &'static str,
    due: String,
    overdue: bool,
    flags: String,
}

fn place_of(s: &AppState, o: &Order, lang: Lang) -> String {
    let community = RegionCode::parse(&o.community).map(|c| crate::pages::region_name(s, &c)).unwrap_or_else(|_| o.community.clone());
    [community, o.grid.clone(), o.place.clone()].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(pick(lang, "·", " · "))
}

fn row(s: &AppState, o: &Order, lang: Lang, today: NaiveDate) -> Row {
    let mut flags = Vec::new();
    if o.escalated {
        flags.push(pick(lang, "已督办", "escalated").to_string());
    }
    if o.rework > 0 {
        flags.push(match lang {
            Lang::Zh => format!("退回重办{}次", o.rework),
            Lang::En => format!("sent back {}×", o.rework),
        });
    }
    if o.acceptance_overdue(today) {
        flags.push(pick(lang, "超过15日未受理", "not accepted within 15 days").to_string());
    }
    Row {
        id: o.id,
        kind: pick(lang, o.kind.zh(), o.kind.en()),
        title: o.title.clone(),
        place: place_of(s, o, lang),
        status: pick(lang, o.status.zh(), o.status.en()),
        due: o.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        overdue: o.overdue(today) || o.acceptance_overdue(today),
        flags: flags.join(pick(lang, "；", "; ")),
    }
}

/// The dispatch desk's form for a hotline order or a petition, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct FileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    source_no: String,
    #[serde(default)]
    received_on: String,
}

pub(super) struct Opt {
    code: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "grid.html")]
pub(super) struct QueuePage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    region: String,
    region_name: String,
    list: &'static str,
    rows: Vec<Row>,
    page: u32,
    next: Option<String>,
    previous: Option<String>,
    may_dispatch: bool,
    may_report: bool,
    kinds: Vec<Opt>,
    typed: FileForm,
    error: Option<String>,
}

async fn queue_page(
    s: &AppState,
    who: &Authenticated,
    q: &QueueParam,
    typed: FileForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let today = s.clock.today();
    let region = region_of(q)?;
    let list = match q.list.as_deref() {
        Some("overdue") => "overdue",
        Some("closed") => "closed",
        Some("escalated") => "escalated",
        _ => "open",
    };
    let page = q.page.unwrap_or(1).max(1);
    let rows = service::queue(s.store.as_ref(), &who.principal, region.as_ref(), queue_of(Some(list), today), page, SIZE).await?;
    let here = region.unwrap_or_else(|| who.principal.region.clone());
    let link = |p: u32| format!("/grid?region={here}&list={list}&page={p}");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = QueuePage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        region: here.to_string(),
        region_name: region_label(s, &here, lang),
        list,
        next: (rows.len() as u32 == SIZE).then(|| link(page + 1)),
        previous: (page > 1).then(|| link(page - 1)),
        rows: rows.iter().map(|o| row(s, o, lang, today)).collect(),
        page,
        may_dispatch: who.principal.may(Permission::DispatchWorkOrders),
        may_report: who.principal.may(Permission::ReportEvents),
        kinds: OrderKind::ALL
            .iter()
            .filter(|k| **k != OrderKind::GridEvent)
            .map(|k| Opt { code: k.as_str().into(), label: pick(lang, k.zh(), k.en()).into(), selected: typed.kind == k.as_str() })
            .collect(),
        typed,
        error,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /grid?region=&list=open|overdue|escalated|closed&page=`: a queue of the region.
pub(super) async fn queue(State(s): State<AppState>, who: Authenticated, Query(q): Query<QueueParam>) -> Result<Response, AppError> {
    queue_page(&s, &who, &q, FileForm::default(), None).await
}

fn new_order(f: &FileForm, kind: &str) -> Result<NewOrder, String> {
    let received_on = match f.received_on.trim() {
        "" => None,
        t => Some(day_of(t).ok_or_else(|| t.to_string())?),
    };
    Ok(NewOrder {
        kind: kind.into(),
        category: f.category.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        contact: f.contact.clone(),
        phone: f.phone.clone(),
        community: f.community.clone(),
        grid: f.grid.clone(),
        place: f.place.clone(),
        source_no: f.source_no.clone(),
        received_on,
    })
}

/// A community as staff type it: its code or its name (narrowed to the account's region); the
/// message in the account's language when it cannot be told.
fn community_named(s: &AppState, who: &Authenticated, text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    crate::platform::api::region_named(s, &who.principal, text).map(|c| c.to_string()).map_err(|e| match who.lang {
        Lang::Zh => e.zh,
        Lang::En => e.en,
    })
}

/// A place outside the account's region typed in a form: said beside the form, not a page of
/// its own.
fn out_of_scope(e: &OrderFailure) -> bool {
    matches!(e, OrderFailure::Access(minzheng_app::registry::AccessError::OutOfScope))
}

/// `POST /grid/orders`: the dispatch desk files a hotline order or a petition.
pub(super) async fn form_file(State(s): State<AppState>, who: Authenticated, Form(f): Form<FileForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let q = QueueParam::default();
    let n = match new_order(&f, &f.kind) {
        Ok(n) => n,
        Err(t) => {
            return queue_page(&s, &who, &q, f, Some(crate::platform::pages::bad_date(lang, "登记日期", "The day received", &t))).await
        }
    };
    match service::file(s.store.as_ref(), &who.cx(s.clock.today()), n).await {
        Ok(o) => Ok(Redirect::to(&format!("/grid/orders/{}", o.id)).into_response()),
        Err(e) if e.is_input() => queue_page(&s, &who, &q, f, Some(both(lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "grid_report.html")]
pub(super) struct ReportPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    community: String,
    community_name: String,
    grids: Vec<Opt>,
    categories: Vec<Opt>,
    typed: FileForm,
    error: Option<String>,
}

async fn report_page(s: &AppState, who: &Authenticated, typed: FileForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let p = &who.principal;
    if !p.may(Permission::ReportEvents) {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    // The account's community (a grid worker's, a community worker's).
    let community = if p.region.level() == RegionLevel::Community {
        p.region.clone()
    } else {
        RegionCode::parse(&typed.community).unwrap_or_else(|_| p.region.clone())
    };
    let grids = if community.level() == RegionLevel::Community { s.store.grids(&community).await? } else { Vec::new() };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = ReportPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        community_name: region_label(s, &community, lang),
        community: community.to_string(),
        grids: grids.into_iter().map(|g| Opt { selected: typed.grid == g, label: g.clone(), code: g }).collect(),
        categories: EVENT_CATEGORIES
            .iter()
            .map(|(c, zh, en)| Opt { code: (*c).into(), label: pick(lang, zh, en).into(), selected: typed.category == *c })
            .collect(),
        typed,
        error,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /grid/report?region=`: the grid worker's event form (phone width), for the account's
/// community or a community of its region named.
pub(super) async fn report_form(State(s): State<AppState>, who: Authenticated, Query(q): Query<QueueParam>) -> Result<Response, AppError> {
    let mut typed = FileForm::default();
    if let Some(r) = region_of(&q)? {
        crate::platform::scope::within(&who.principal, Some(&r)).map_err(OrderFailure::from)?;
        typed.community = r.to_string();
    }
    report_page(&s, &who, typed, None).await
}

/// `POST /grid/report`: a grid event filed.
pub(super) async fn form_report(State(s): State<AppState>, who: Authenticated, Form(mut f): Form<FileForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    if f.community.trim().is_empty() && who.principal.region.level() == RegionLevel::Community {
        f.community = who.principal.region.to_string();
    }
    let n = match new_order(&f, OrderKind::GridEvent.as_str()) {
        Ok(n) => n,
        Err(t) => return report_page(&s, &who, f, Some(crate::platform::pages::bad_date(lang, "日期", "The day", &t))).await,
    };
    match service::file(s.store.as_ref(), &who.cx(s.clock.today()), n).await {
        Ok(o) => Ok(Redirect::to(&format!("/grid/orders/{}", o.id)).into_response()),
        Err(e) if e.is_input() || out_of_scope(&e) => report_page(&s, &who, f, Some(both(lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) struct StepRow {
    step: String,
    note: String,
    by: String,
    on: String,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    seen_status: String,
    #[serde(default)]
    seen_rework: String,
}

#[derive(Template)]
#[template(path = "grid_order.html")]
pub(super) struct OrderPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    o: Order,
    /// The community where it happened, by name (what the dispatch form starts from).
    community_name: String,
    kind: &'static str,
    status: &'static str,
    place: String,
    assigned: String,
    satisfaction: String,
    overdue: bool,
    steps: Vec<StepRow>,
    /// The steps the account may take now: (action, label, needs: "to" | "text" | "satisfaction" | "").
    actions: Vec<(&'static str, &'static str, &'static str)>,
    typed: ActForm,
    error: Option<String>,
}

fn step_label(step: &str, lang: Lang) -> &'static str {
    let (zh, en) = match step {
        "file" => ("登记", "filed"),
        "accept" => ("受理", "accepted"),
        "refer" => ("转送", "referred"),
        "dispatch" => ("派单", "dispatched"),
        "sign" => ("签收", "signed"),
        "reply" => ("办结回复", "replied"),
        "send_back" => ("退回重办", "sent back"),
        "close" => ("核实办结", "closed"),
        "evaluate" => ("回访评价", "evaluated"),
        "extend" => ("延期", "extended"),
        "escalate" => ("督办", "escalated"),
        _ => ("其他", "other"),
    };
    pick(lang, zh, en)
}

async fn order_page(s: &AppState, who: &Authenticated, id: i64, typed: ActForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let today = s.clock.today();
    let (o, steps) = service::get(s.store.as_ref(), &who.principal, id).await?;
    let p = &who.principal;
    let handles = p.may(Permission::HandleWorkOrders) && RegionCode::parse(owner(&o)).is_ok_and(|c| p.in_scope(&c));
    let dispatches = p.may(Permission::DispatchWorkOrders)
        && [o.community.as_str(), owner(&o)].iter().any(|c| RegionCode::parse(c).is_ok_and(|c| p.in_scope(&c)));
    let petition = o.kind == OrderKind::Petition;
    let mut actions: Vec<(&'static str, &'static str, &'static str)> = Vec::new();
    let mut offer = |ok: bool, action: &'static str, zh: &'static str, en: &'static str, needs: &'static str| {
        if ok {
            actions.push((action, pick(lang, zh, en), needs));
        }
    };
    use OrderStatus::*;
    offer(dispatches && petition && o.status == Received, "accept", "受理", "Accept", "");
    offer(dispatches && petition && o.status == Received, "refer", "转送有权机关", "Refer to the competent body", "text");
    offer(dispatches && ((petition && o.status == Accepted) || (!petition && o.status == Received)), "dispatch", "派单", "Dispatch", "to");
    offer(handles && o.status == Dispatched, "sign", "签收", "Sign", "");
    offer(handles && o.status == Handling, "reply", "办结回复", "Reply", "text");
    offer(dispatches && o.status == Replied, "close", "核实办结", "Verify and close", "");
    offer(dispatches && o.status == Replied, "send_back", "退回重办", "Send back", "text");
    offer(dispatches && o.status == Closed && o.satisfaction.is_none(), "evaluate", "回访评价", "Record the evaluation", "satisfaction");
    offer(
        dispatches && petition && !o.extended && matches!(o.status, Accepted | Dispatched | Handling),
        "extend",
        "延期30日",
        "Extend by 30 days",
        "text",
    );
    offer(
        dispatches && p.region.level() <= RegionLevel::County && !o.escalated && (o.overdue(today) || o.acceptance_overdue(today)),
        "escalate",
        "督办",
        "Escalate",
        "text",
    );
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = OrderPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        community_name: RegionCode::parse(&o.community).map(|c| crate::pages::region_name(s, &c)).unwrap_or_else(|_| o.community.clone()),
        kind: pick(lang, o.kind.zh(), o.kind.en()),
        status: pick(lang, o.status.zh(), o.status.en()),
        place: place_of(s, &o, lang),
        assigned: RegionCode::parse(&o.assigned_to).map(|c| region_label(s, &c, lang)).unwrap_or_default(),
        satisfaction: o.satisfaction.map(|x| pick(lang, x.zh(), x.en()).to_string()).unwrap_or_default(),
        overdue: o.overdue(today) || o.acceptance_overdue(today),
        steps: steps
            .iter()
            .map(|st| StepRow {
                step: step_label(&st.step, lang).into(),
                note: match st.step.as_str() {
                    "dispatch" => RegionCode::parse(&st.note).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| st.note.clone()),
                    "evaluate" => super::model::Satisfaction::parse(&st.note)
                        .map(|x| pick(lang, x.zh(), x.en()).to_string())
                        .unwrap_or_else(|| st.note.clone()),
                    _ => st.note.clone(),
                },
                by: st.by_name.clone(),
                on: st.on_day.to_string(),
            })
            .collect(),
        actions,
        o,
        typed,
        error,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /grid/orders/{id}`: the order, its history, the steps the account may take.
pub(super) async fn order(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    order_page(&s, &who, id, ActForm::default(), None).await
}

/// `POST /grid/orders/{id}/act`: a step from the order's page.
pub(super) async fn form_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let step = match f.action.as_str() {
        "accept" => Step::Accept,
        "refer" => Step::Refer { to: f.text.clone() },
        "dispatch" => match community_named(&s, &who, &f.to) {
            Ok(to) => Step::Dispatch { to },
            Err(e) => return order_page(&s, &who, id, f, Some(e)).await,
        },
        "sign" => Step::Sign,
        "reply" => Step::Reply { text: f.text.clone() },
        "send_back" => Step::SendBack { reason: f.text.clone() },
        "close" => Step::Close,
        "evaluate" => Step::Evaluate { satisfaction: f.satisfaction.clone() },
        "extend" => Step::Extend { reason: f.text.clone() },
        "escalate" => Step::Escalate { note: f.text.clone() },
        _ => return order_page(&s, &who, id, f, Some(pick(lang, "请选择办理操作", "choose a step").into())).await,
    };
    let seen = seen_of(Some(&f.seen_status), f.seen_rework.parse().ok());
    match service::act(s.store.as_ref(), &who.cx(s.clock.today()), id, step, seen).await {
        Ok(_) => Ok(Redirect::to(&format!("/grid/orders/{id}")).into_response()),
        Err(e) if e.is_input() || out_of_scope(&e) => order_page(&s, &who, id, f, Some(both(lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) struct KpiRow {
    area: String,
    street: bool,
    dispatched: i64,
    signed: String,
    closed: String,
    satisfied: String,
    reworked: String,
    overdue: i64,
}

#[derive(Template)]
#[template(path = "grid_kpi.html")]
pub(super) struct KpiPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    region: String,
    region_name: String,
    from: String,
    to: String,
    nothing: bool,
    rows: Vec<KpiRow>,
}

fn share(part: i64, of: i64) -> String {
    Kpi::permille(part, of).map(|p| format!("{}.{}%", p / 10, p % 10)).unwrap_or_else(|| "—".into())
}

/// `GET /grid/kpi?region=&from=&to=`: on-time signing and closing, satisfaction and rework per
/// community and street of the orders dispatched in the period.
pub(super) async fn kpi(State(s): State<AppState>, who: Authenticated, Query(q): Query<QueueParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let region = region_of(&q)?;
    let (from, to) = period(&s, &q)?;
    let kpis = service::kpis(s.store.as_ref(), &who.principal, region.as_ref(), from, to, s.clock.today()).await?;
    let here = region.unwrap_or_else(|| who.principal.region.clone());
    let view = KpiPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        region: here.to_string(),
        region_name: region_label(&s, &here, lang),
        from: from.to_string(),
        to: to.to_string(),
        nothing: kpis.iter().all(|k| k.dispatched == 0),
        rows: kpis
            .iter()
            .map(|k| KpiRow {
                area: RegionCode::parse(&k.area).map(|c| crate::pages::region_name(&s, &c)).unwrap_or_else(|_| k.area.clone()),
                street: k.area.len() < 12,
                dispatched: k.dispatched,
                signed: share(k.signed_on_time, k.dispatched),
                closed: share(k.closed_on_time, k.closed),
                satisfied: share(k.satisfied, k.evaluated),
                reworked: share(k.reworked, k.dispatched),
                overdue: k.overdue,
            })
            .collect(),
    };
    Ok(render(&view)?.into_response())
}

impl From<super::base::BaseFailure> for AppError {
    fn from(e: super::base::BaseFailure) -> AppError {
        use super::base::BaseFailure;
        match e {
            BaseFailure::Access(a) => a.into(),
            BaseFailure::Store(s) => s.into(),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

pub(super) struct BaseRow {
    grid: String,
    buildings: i64,
    households: i64,
    residents: i64,
    disabled: i64,
    watched: Vec<i64>,
    workers: Vec<String>,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    account: String,
}

#[derive(Template)]
#[template(path = "grid_base.html")]
pub(super) struct BasePage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    region: String,
    region_name: String,
    is_community: bool,
    counts: super::base::LevelCounts,
    watched: Vec<&'static str>,
    rows: Vec<BaseRow>,
    may_manage: bool,
    typed: AssignForm,
    error: Option<String>,
}

async fn base_page(
    s: &AppState,
    who: &Authenticated,
    region: Option<RegionCode>,
    typed: AssignForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let (region, counts, grids) = super::base::base(s.store.as_ref(), &who.principal, region.as_ref()).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = BasePage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        region: region.to_string(),
        region_name: region_label(s, &region, lang),
        is_community: region.level() == RegionLevel::Community,
        counts,
        watched: super::base::WATCHED.to_vec(),
        rows: grids
            .into_iter()
            .map(|g| BaseRow {
                grid: if g.grid.is_empty() { pick(lang, "（未划入网格）", "(no grid)").into() } else { g.grid.clone() },
                buildings: g.buildings,
                households: g.households,
                residents: g.residents,
                disabled: g.disabled,
                watched: super::base::WATCHED.iter().map(|t| g.watched.iter().find(|(k, _)| k == t).map_or(0, |(_, n)| *n)).collect(),
                workers: g.workers,
            })
            .collect(),
        may_manage: who.principal.may(Permission::ManageGrids) && region.level() == RegionLevel::Community,
        typed,
        error,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /grid/base?region=`: the grid base of a region (counts per level) and, for a community,
/// its grids with their buildings, households, residents, watched residents and grid workers.
pub(super) async fn base(State(s): State<AppState>, who: Authenticated, Query(q): Query<QueueParam>) -> Result<Response, AppError> {
    let region = region_of(&q)?;
    base_page(&s, &who, region, AssignForm::default(), None).await
}

pub(super) async fn api_base(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<QueueParam>,
) -> Result<Json<serde_json::Value>, AppError> {
    let region = region_of(&q)?;
    let (region, counts, grids) = super::base::base(s.store.as_ref(), &who.principal, region.as_ref()).await?;
    Ok(Json(serde_json::json!({ "region": region, "counts": counts, "grids": grids })))
}

/// `POST /grid/base/assign` and `/grid/base/unassign`: a grid worker to a grid, or off it.
pub(super) async fn form_assign(State(s): State<AppState>, who: Authenticated, Form(f): Form<AssignForm>) -> Result<Response, AppError> {
    assign_or_not(s, who, f, true).await
}

pub(super) async fn form_unassign(State(s): State<AppState>, who: Authenticated, Form(f): Form<AssignForm>) -> Result<Response, AppError> {
    assign_or_not(s, who, f, false).await
}

async fn assign_or_not(s: AppState, who: Authenticated, f: AssignForm, assign: bool) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let community = crate::platform::api::parse_region(&f.community)?;
    let done = if assign {
        super::base::assign(s.store.as_ref(), &who.cx(s.clock.today()), &community, &f.grid, &f.account).await.map(|_| ())
    } else {
        super::base::unassign(s.store.as_ref(), &who.cx(s.clock.today()), &community, &f.grid, &f.account).await.map(|_| ())
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/grid/base?region={community}")).into_response()),
        Err(e) if e.is_input() => base_page(&s, &who, Some(community), f, Some(both(who.lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}
