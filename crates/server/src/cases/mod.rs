//! 全市通办 · 审核确认: cases over HTTP. JSON API (the catalogue, accepting, lists, one case, a
//! step) and the pages: each role's queue with the due and overdue lists, the acceptance form,
//! the case page with its timeline and the steps the account may take, the catalogue with its
//! documents report, the printable public notice and the decision letters.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::pages::{render, UserBar};
use crate::policy::{parse_date, parse_region};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minzheng_app::cases::{self as use_case, Application, CaseFailure, CaseList, CaseView};
use minzheng_domain::case::{CaseAction, CaseStatus, DocumentsLine};
use minzheng_domain::{Bilingual, Fen, IdNumber, Permission, Role};
use minzheng_store::{CaseEvent, Page};
use serde::{Deserialize, Serialize};

pub(crate) fn routes() -> Router<AppState> {
    let listed = |path: &'static str, methods: &[&str]| crate::module::listed(ROUTES, path, methods);
    Router::new()
        .route(listed("/api/services", &["GET"]), get(api_services))
        .route(listed("/api/cases", &["GET", "POST"]), get(api_list).post(api_accept))
        .route(listed("/api/cases/{id}", &["GET"]), get(api_one))
        .route(listed("/api/cases/{id}/actions", &["POST"]), post(api_act))
        .route(listed("/services", &["GET"]), get(services_page))
        .route(listed("/cases", &["GET", "POST"]), get(list_page).post(form_accept))
        .route(listed("/cases/new", &["GET"]), get(new_page))
        .route(listed("/cases/{id}", &["GET"]), get(case_page))
        .route(listed("/cases/{id}/act", &["POST"]), post(form_act))
        .route(listed("/cases/{id}/letter.pdf", &["GET"]), get(letter_pdf))
        .route(listed("/notices/{community}", &["GET"]), get(notice_pdf))
        .route(
            listed("/cases/{id}/documents", &["POST"]),
            post(form_upload).layer(axum::extract::DefaultBodyLimit::max(use_case::MAX_DOCUMENT_BYTES + 64 * 1024)),
        )
        .route(listed("/cases/{id}/documents/{doc}", &["GET"]), get(download))
}

impl From<CaseFailure> for AppError {
    fn from(e: CaseFailure) -> AppError {
        match e {
            CaseFailure::Access(a) => a.into(),
            CaseFailure::Procedure(ref p) => {
                let status = match p {
                    minzheng_domain::CaseError::NotYours { .. } => StatusCode::FORBIDDEN,
                    minzheng_domain::CaseError::Illegal { .. }
                    | minzheng_domain::CaseError::NoticeRunning(_)
                    | minzheng_domain::CaseError::NoticeOver(_)
                    | minzheng_domain::CaseError::AlreadyDone => StatusCode::CONFLICT,
                    _ => StatusCode::BAD_REQUEST,
                };
                AppError::new(status, "illegal_step", p.zh(), p.en())
            }
            CaseFailure::Stale => AppError::new(StatusCode::CONFLICT, "stale", e.zh(), e.en()),
            CaseFailure::Invalid { zh, en } => AppError::new(StatusCode::BAD_REQUEST, "invalid", zh, en),
        }
    }
}

fn bad(code: &'static str, zh: String, en: String) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, code, zh, en)
}

fn parse_id(text: &str) -> Result<IdNumber, AppError> {
    IdNumber::parse(text.trim()).map_err(|e| AppError::bad_input("bad_id_number", &e))
}

// ---- JSON API ----

#[derive(Serialize)]
struct ServicesReply {
    services: Vec<minzheng_domain::Service>,
    report: Vec<DocumentsLine>,
}

#[derive(Deserialize, Default)]
struct ReportParams {
    since: Option<String>,
    on: Option<String>,
}

fn report_of(s: &AppState, p: &ReportParams) -> Result<(chrono::NaiveDate, chrono::NaiveDate, Vec<DocumentsLine>), AppError> {
    let since = match p.since.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_date(Some(t), s.clock.today())?,
        None => chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or_default(),
    };
    let on = parse_date(p.on.as_deref(), s.clock.today())?;
    Ok((since, on, minzheng_domain::case::documents_report(&s.catalogue.services, since, on)))
}

async fn api_services(
    State(s): State<AppState>,
    _who: Authenticated,
    Query(p): Query<ReportParams>,
) -> Result<Json<ServicesReply>, AppError> {
    let (_, _, report) = report_of(&s, &p)?;
    Ok(Json(ServicesReply { services: s.catalogue.services.clone(), report }))
}

#[derive(Deserialize)]
struct ListParams {
    list: Option<String>,
    region: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

fn region_of(text: Option<&str>) -> Result<Option<minzheng_domain::RegionCode>, AppError> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(parse_region).transpose()
}

fn list_of(text: Option<&str>) -> Result<CaseList, AppError> {
    let t = text.unwrap_or_default();
    CaseList::parse(t).ok_or_else(|| {
        bad("bad_list", format!("列表“{t}”应为 queue、accepted、due 或 all"), format!("list {t:?} must be queue, accepted, due or all"))
    })
}

async fn api_list(State(s): State<AppState>, who: Authenticated, Query(p): Query<ListParams>) -> Result<Json<Page<CaseView>>, AppError> {
    let list = list_of(p.list.as_deref())?;
    let region = region_of(p.region.as_deref())?;
    Ok(Json(
        use_case::cases(
            s.store.as_ref(),
            &who.principal,
            &who.actor,
            list,
            region.as_ref(),
            p.before,
            p.limit.unwrap_or(50),
            s.clock.today(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
struct AcceptRequest {
    service: String,
    applicant: String,
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    staff_relative: bool,
    comment: String,
}

async fn api_accept(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<AcceptRequest>,
) -> Result<(StatusCode, Json<CaseView>), AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let app = Application {
        service: r.service,
        applicant: parse_id(&r.applicant)?,
        documents: r.documents,
        staff_relative: r.staff_relative,
        comment: r.comment,
    };
    let c = use_case::accept(s.store.as_ref(), &s.catalogue, &who.principal, &who.actor, &app, s.clock.today()).await?;
    Ok((StatusCode::CREATED, Json(CaseView::of(c, &who.principal))))
}

#[derive(Serialize)]
struct CaseWithEvents {
    case: CaseView,
    events: Vec<CaseEvent>,
}

async fn api_one(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<CaseWithEvents>, AppError> {
    let (case, events) = use_case::case(s.store.as_ref(), &who.principal, &who.actor, id).await?;
    Ok(Json(CaseWithEvents { case, events }))
}

/// A step as the API and the forms give it.
#[derive(Deserialize, Default)]
struct StepRequest {
    /// survey, record_check, review, return, publish_notice, object, democratic_review,
    /// approve, refuse, withdraw, pay_first, extend, refer
    action: String,
    comment: String,
    /// The version of the case the account saw: the step is refused if it has changed since.
    seen: Option<i64>,
    /// survey: the staff (two or more), comma separated in forms.
    staff: Option<String>,
    home_visit: Option<bool>,
    findings: Option<String>,
    /// record_check: monthly income per person in yuan, assets within limits, and the stored check.
    per_capita_income: Option<String>,
    assets_within_limits: Option<bool>,
    report: Option<i64>,
    objection: Option<String>,
    /// approve (临时救助) and pay_first: yuan.
    amount: Option<String>,
    reason: Option<String>,
}

fn yuan(text: Option<&str>, what: &str) -> Result<Option<Fen>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Fen::parse_yuan(t).map(Some).map_err(|_| {
            bad(
                "bad_amount",
                format!("{what}“{t}”应为金额（元），如 800 或 800.50"),
                format!("{what} {t:?} must be an amount in yuan such as 800 or 800.50"),
            )
        }),
    }
}

fn action_of(r: &StepRequest) -> Result<CaseAction, AppError> {
    Ok(match r.action.trim() {
        "survey" => CaseAction::Survey {
            staff: r
                .staff
                .as_deref()
                .unwrap_or_default()
                .split([',', '，', '、', ' '])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            home_visit: r.home_visit.unwrap_or(false),
            findings: r.findings.clone().unwrap_or_default(),
        },
        "record_check" => CaseAction::RecordCheck {
            per_capita_income: yuan(r.per_capita_income.as_deref(), "人均收入")?.ok_or_else(|| {
                bad("bad_amount", "请填写家庭月人均收入（元）".into(), "give the monthly income per person (yuan)".into())
            })?,
            assets_within_limits: r.assets_within_limits.unwrap_or(false),
            report: r.report,
        },
        "review" => CaseAction::Review,
        "return" => CaseAction::Return,
        "publish_notice" => CaseAction::PublishNotice,
        "object" => CaseAction::Object { objection: r.objection.clone().unwrap_or_default() },
        "democratic_review" => CaseAction::DemocraticReview,
        "approve" => CaseAction::Approve { amount: yuan(r.amount.as_deref(), "金额")? },
        "refuse" => CaseAction::Refuse { reason: r.reason.clone().unwrap_or_default() },
        "withdraw" => CaseAction::Withdraw,
        "pay_first" => CaseAction::PayFirst { amount: yuan(r.amount.as_deref(), "金额")?.unwrap_or(Fen(0)) },
        "extend" => CaseAction::Extend,
        "refer" => CaseAction::Refer,
        other => return Err(bad("bad_action", format!("操作“{other}”不存在"), format!("no step {other:?}"))),
    })
}

async fn api_act(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<StepRequest>,
) -> Result<Json<CaseView>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    if r.seen.is_none() {
        return Err(bad(
            "no_seen",
            "请提供所见办件的版本号（seen），以免覆盖他人刚办理的环节".into(),
            "give the version of the case you saw (seen), so that nobody's step is overwritten".into(),
        ));
    }
    let action = action_of(&r)?;
    let c = use_case::act(
        s.store.as_ref(),
        &s.engine,
        &s.catalogue,
        &who.principal,
        &who.actor,
        id,
        &action,
        &r.comment,
        r.seen,
        s.clock.today(),
    )
    .await?;
    Ok(Json(CaseView::of(c, &who.principal)))
}

// ---- pages ----

fn program_name(s: &AppState, code: &str, lang: Lang) -> String {
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

fn service_name(s: &AppState, code: &str, lang: Lang) -> String {
    s.catalogue.service(code).map(|x| if lang == Lang::Zh { x.zh.clone() } else { x.en.clone() }).unwrap_or_else(|| code.to_string())
}

fn status_label(st: CaseStatus, lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        st.zh()
    } else {
        st.en()
    }
}

struct Row {
    id: i64,
    service: String,
    applicant: String,
    status: String,
    accepted_on: String,
    step_due: String,
    due: String,
    overdue: bool,
    flags: String,
}

fn row_of(s: &AppState, c: &CaseView, lang: Lang, today: chrono::NaiveDate) -> Row {
    let mut flags = Vec::new();
    if c.staff_relative {
        flags.push(if lang == Lang::Zh { "工作人员近亲属" } else { "staff relative" });
    }
    if c.delegated {
        flags.push(if lang == Lang::Zh { "街道审批" } else { "street decides" });
    }
    if c.extended {
        flags.push(if lang == Lang::Zh { "已延期" } else { "extended" });
    }
    Row {
        id: c.id,
        service: service_name(s, &c.service, lang),
        applicant: format!("{} {}", c.applicant_name, c.applicant_id),
        status: status_label(c.status, lang).to_string(),
        accepted_on: c.accepted_on.to_string(),
        step_due: if c.status.is_open() { c.step_due.to_string() } else { String::new() },
        due: c.due.to_string(),
        overdue: c.status.is_open() && c.step_due < today,
        flags: flags.join(" · "),
    }
}

struct Tab {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    t: &'static crate::i18n::Text,
    c: &'static CaseText,
    user: Option<UserBar>,
    tabs: Vec<Tab>,
    list: &'static str,
    rows: Vec<Row>,
    next: Option<String>,
    can_accept: bool,
    community: String,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListPageParams {
    list: Option<String>,
    region: Option<String>,
    before: Option<i64>,
    done: Option<String>,
}

async fn list_page(State(s): State<AppState>, who: Authenticated, Query(p): Query<ListPageParams>) -> Result<Response, AppError> {
    let lang = who.lang;
    let c = CaseText::of(lang);
    let list = list_of(p.list.as_deref())?;
    let today = s.clock.today();
    let region = region_of(p.region.as_deref())?;
    let page = use_case::cases(s.store.as_ref(), &who.principal, &who.actor, list, region.as_ref(), p.before, 50, today).await?;
    let code = |l: CaseList| match l {
        CaseList::Queue => "queue",
        CaseList::Accepted => "accepted",
        CaseList::Due => "due",
        CaseList::All => "all",
    };
    let page = ListPage {
        t: lang.text(),
        c,
        user: Some(UserBar::of(&who)),
        tabs: [(CaseList::Queue, c.queue), (CaseList::Due, c.due_list), (CaseList::Accepted, c.accepted_here), (CaseList::All, c.all)]
            .into_iter()
            .map(|(l, label)| Tab { code: code(l), label, selected: l == list })
            .collect(),
        list: code(list),
        rows: page.items.iter().map(|x| row_of(&s, x, lang, today)).collect(),
        next: page.next,
        can_accept: who.principal.may(Permission::AcceptApplications),
        community: if who.principal.region.as_str().len() == 12 { who.principal.region.to_string() } else { String::new() },
        message: p.done.filter(|d| d.len() <= 200),
    };
    Ok(render(&page)?.into_response())
}

struct DocChoice {
    code: String,
    label: String,
    replaced: String,
}

struct ServiceChoice {
    code: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    t: &'static crate::i18n::Text,
    c: &'static CaseText,
    user: Option<UserBar>,
    csrf: String,
    services: Vec<ServiceChoice>,
    service: String,
    documents: Vec<DocChoice>,
    applicant: String,
    /// The applicant found by the number: name, masked number, owning county.
    found: Option<String>,
}

#[derive(Deserialize, Default)]
struct NewParams {
    service: Option<String>,
    applicant: Option<String>,
}

async fn new_page(State(s): State<AppState>, who: Authenticated, Query(p): Query<NewParams>) -> Result<Response, AppError> {
    if !who.principal.may(Permission::AcceptApplications) {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    let lang = who.lang;
    // The applicant, looked up by the full number (全市通办: any resident of the city; audited).
    let applicant_text: String = p.applicant.unwrap_or_default().trim().chars().take(18).collect();
    let found = match applicant_text.is_empty() {
        true => None,
        false => {
            let id = parse_id(&applicant_text)?;
            let v = minzheng_app::registry::find_for_acceptance(s.store.as_ref(), &who.principal, &who.actor, &id).await?;
            Some(format!("{} {} · {} {}", v.name, v.id_number, CaseText::of(lang).owner, v.owning_county))
        }
    };
    let chosen = p.service.as_deref().and_then(|c| s.catalogue.service(c)).or_else(|| s.catalogue.services.first());
    let today = s.clock.today();
    let documents = chosen
        .map(|svc| {
            svc.documents
                .iter()
                .map(|d| DocChoice {
                    code: d.code.clone(),
                    label: if lang == Lang::Zh { d.zh.clone() } else { d.en.clone() },
                    replaced: if d.replaced(today) { d.replaced_by.clone().unwrap_or_default() } else { String::new() },
                })
                .collect()
        })
        .unwrap_or_default();
    let page = NewPage {
        t: lang.text(),
        c: CaseText::of(lang),
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        services: s
            .catalogue
            .services
            .iter()
            .map(|x| ServiceChoice {
                code: x.code.clone(),
                label: if lang == Lang::Zh { x.zh.clone() } else { x.en.clone() },
                selected: chosen.is_some_and(|c| c.code == x.code),
            })
            .collect(),
        service: chosen.map(|c| c.code.clone()).unwrap_or_default(),
        documents,
        applicant: applicant_text,
        found,
    };
    Ok(render(&page)?.into_response())
}

async fn form_accept(State(s): State<AppState>, who: Authenticated, body: String) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_str(&body).map_err(|_| bad("bad_form", "表单无法读取".into(), "the form cannot be read".into()))?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    who.require_csrf(&s, get("csrf").as_deref()).await?;
    let app = Application {
        service: get("service").unwrap_or_default(),
        applicant: parse_id(&get("applicant").unwrap_or_default())?,
        documents: fields.iter().filter(|(n, _)| n == "documents").map(|(_, v)| v.clone()).collect(),
        staff_relative: get("staff_relative").is_some_and(|v| v == "on" || v == "true"),
        comment: get("comment").unwrap_or_default(),
    };
    let c = use_case::accept(s.store.as_ref(), &s.catalogue, &who.principal, &who.actor, &app, s.clock.today()).await?;
    Ok(Redirect::to(&format!("/cases/{}", c.id)).into_response())
}

struct EventView {
    at: String,
    actor: String,
    step: String,
    status: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    t: &'static crate::i18n::Text,
    c: &'static CaseText,
    user: Option<UserBar>,
    csrf: String,
    row: Row,
    version: i64,
    program: String,
    limited: bool,
    household_no: String,
    household_size: String,
    owner: String,
    accepted_at: String,
    waiting: String,
    notice: String,
    facts: Vec<(String, String)>,
    events: Vec<EventView>,
    /// The step forms the account may use, by action code.
    steps: Vec<&'static str>,
    amount_given: bool,
    letter: bool,
    documents: Vec<DocRow>,
    /// The service's documents, for the upload form (empty when the account may not upload).
    uploadable: Vec<(String, String)>,
}

struct DocRow {
    id: i64,
    label: String,
    file_name: String,
    size: String,
    uploaded: String,
}

impl CasePage {
    fn can(&self, step: &str) -> bool {
        self.steps.contains(&step)
    }
}

async fn case_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let lang = who.lang;
    let c = CaseText::of(lang);
    let today = s.clock.today();
    let (view, events) = use_case::case(s.store.as_ref(), &who.principal, &who.actor, id).await?;
    let service = s.catalogue.service(&view.service);
    // The steps this account may take now, asked of the state machine itself (one read of the case).
    let full = if view.limited { None } else { s.store.case(id).await? };
    let steps: Vec<&'static str> = match (service, &full) {
        (Some(svc), Some(full)) => minzheng_domain::case::available_steps(full, svc, &who.principal, today),
        _ if view.limited && view.status.is_open() && who.principal.role == Role::CommunityWorker => vec!["withdraw"],
        _ => Vec::new(),
    };
    let mut facts = Vec::new();
    if let Some(f) = &view.file {
        if let Some(sv) = &f.survey {
            facts.push((
                c.survey.to_string(),
                format!(
                    "{} · {} · {}{}",
                    sv.on,
                    sv.staff.join("、"),
                    if sv.home_visit { c.home_visit } else { "" },
                    if sv.findings.is_empty() { String::new() } else { format!(" · {}", sv.findings) }
                ),
            ));
        }
        if let Some(ch) = &f.check {
            facts.push((
                c.check.to_string(),
                format!(
                    "{} · {} {} · {}{}{}",
                    ch.on,
                    c.per_capita,
                    ch.per_capita_income,
                    if ch.assets_within_limits { c.assets_ok } else { c.assets_over },
                    ch.report.map(|r| format!(" · HC-{r:06}")).unwrap_or_default(),
                    ch.report_decision.as_deref().map(|t| format!(" · {t}")).unwrap_or_default()
                ),
            ));
        }
        for o in &f.objections {
            facts.push((c.objection.to_string(), o.clone()));
        }
        if let Some(p) = f.paid_first {
            facts.push((c.pay_first.to_string(), format!("{p}")));
        }
        if let Some(p) = f.proposed {
            facts.push((c.proposed.to_string(), format!("{p}")));
        }
        if let Some(d) = &f.decision {
            let text = if d.approved {
                let mut parts = vec![format!("{} · {}", d.on, d.by)];
                if let Some(a) = d.amount {
                    parts.push(format!("{} {a}", c.amount));
                }
                if let Some(st) = d.start {
                    parts.push(format!("{} {}", c.start, st.format("%Y-%m")));
                }
                if let Some(r) = d.review_on {
                    parts.push(format!("{} {r}", c.review_on));
                }
                if let Some(e) = d.enrolment {
                    parts.push(format!("{} #{e}", c.enrolment));
                }
                if let Some(x) = d.exit_until {
                    parts.push(format!("{} {}", c.exit_until, x.format("%Y-%m")));
                }
                if let Some(b) = d.band {
                    parts.push(if lang == Lang::Zh { b.zh() } else { b.en() }.to_string());
                }
                parts.join(" · ")
            } else {
                format!("{} · {} · {}", d.on, d.by, d.reason)
            };
            facts.push((c.decision.to_string(), text));
        }
    }
    let docs = use_case::documents(s.store.as_ref(), &who.principal, &view).await?;
    let label_of = |code: &str| {
        service
            .and_then(|x| x.documents.iter().find(|d| d.code == code))
            .map(|d| if lang == Lang::Zh { d.zh.clone() } else { d.en.clone() })
            .unwrap_or_else(|| code.to_string())
    };
    let documents = docs
        .iter()
        .map(|d| DocRow {
            id: d.id,
            label: label_of(&d.code),
            file_name: d.file_name.clone(),
            size: if d.size < 1024 { format!("{} B", d.size) } else { format!("{:.0} KB", d.size as f64 / 1024.0) },
            uploaded: format!("{} {}", d.uploaded_by, d.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")),
        })
        .collect();
    let may_upload = view.status.is_open()
        && who.principal.may(Permission::HandleCases)
        && (view.community.as_ref().is_some_and(|c| who.principal.in_scope(c)) || who.principal.region == view.accepted_at);
    let uploadable = match (may_upload, service) {
        (true, Some(svc)) => {
            svc.documents.iter().map(|d| (d.code.clone(), if lang == Lang::Zh { d.zh.clone() } else { d.en.clone() })).collect()
        }
        _ => Vec::new(),
    };
    let waiting = match (service, &full) {
        (Some(svc), Some(full)) => {
            full.waiting_for(svc).map(|r| if lang == Lang::Zh { r.zh() } else { r.as_str() }).unwrap_or_default().to_string()
        }
        _ => String::new(),
    };
    let page = CasePage {
        t: lang.text(),
        c,
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        row: row_of(&s, &view, lang, today),
        version: view.version,
        program: program_name(&s, &view.program, lang),
        limited: view.limited,
        household_no: view.household_no.clone().unwrap_or_default(),
        household_size: view.household_size.map(|n| n.to_string()).unwrap_or_default(),
        owner: view.owner.to_string(),
        accepted_at: view.accepted_at.to_string(),
        waiting,
        notice: match (view.notice_from, view.notice_until) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => String::new(),
        },
        facts,
        events: events
            .iter()
            .map(|e| EventView {
                at: e.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string(),
                actor: format!(
                    "{}（{}）",
                    e.actor,
                    Role::parse(&e.role).map(|r| if lang == Lang::Zh { r.zh() } else { r.as_str() }).unwrap_or_default()
                ),
                step: if lang == Lang::Zh { CaseAction::zh_of(&e.action).to_string() } else { e.action.replace('_', " ") },
                status: status_label(e.to, lang).to_string(),
                comment: e.comment.clone(),
            })
            .collect(),
        steps,
        amount_given: service.is_some_and(|x| x.amount_given),
        letter: matches!(view.status, CaseStatus::Approved | CaseStatus::Refused) && !view.limited,
        documents,
        uploadable,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct StepForm {
    csrf: Option<String>,
    action: String,
    comment: String,
    seen: Option<i64>,
    staff: Option<String>,
    home_visit: Option<String>,
    findings: Option<String>,
    per_capita_income: Option<String>,
    assets_within_limits: Option<String>,
    report: Option<String>,
    objection: Option<String>,
    amount: Option<String>,
    reason: Option<String>,
}

async fn form_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<StepForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let ticked = |v: &Option<String>| v.as_deref().is_some_and(|x| x == "on" || x == "true");
    let report = match f.report.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(t.trim_start_matches("HC-").parse::<i64>().map_err(|_| {
            bad("bad_report", format!("核对报告编号“{t}”无法识别"), format!("household check {t:?} is not a report number"))
        })?),
        None => None,
    };
    let r = StepRequest {
        action: f.action.clone(),
        comment: f.comment.clone(),
        seen: f.seen,
        staff: f.staff.clone(),
        home_visit: Some(ticked(&f.home_visit)),
        findings: f.findings.clone(),
        per_capita_income: f.per_capita_income.clone(),
        assets_within_limits: Some(ticked(&f.assets_within_limits)),
        report,
        objection: f.objection.clone(),
        amount: f.amount.clone(),
        reason: f.reason.clone(),
    };
    let action = action_of(&r)?;
    if f.seen.is_none() {
        return Err(bad(
            "no_seen",
            "页面缺少办件版本号，请刷新后重试".into(),
            "the page gave no case version: reload it and try again".into(),
        ));
    }
    use_case::act(s.store.as_ref(), &s.engine, &s.catalogue, &who.principal, &who.actor, id, &action, &f.comment, f.seen, s.clock.today())
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// A document uploaded from the case page (multipart: csrf, code, file).
async fn form_upload(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut code, mut file) = (None, None, None);
    let unreadable = |_| {
        bad("bad_form", "上传的表单无法读取（文件是否超过上限？）".into(), "the upload cannot be read (is the file over the limit?)".into())
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            Some("code") => code = Some(field.text().await.map_err(unreadable)?),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    who.require_csrf(&s, csrf.as_deref()).await?;
    let (name, bytes) = file.ok_or_else(|| bad("no_file", "请选择要上传的文件".into(), "choose a file to upload".into()))?;
    let d = use_case::upload(
        s.store.as_ref(),
        &s.documents,
        &s.catalogue,
        &who.principal,
        &who.actor,
        id,
        code.as_deref().unwrap_or_default(),
        &name,
        &bytes,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{id}#document-{}", d.id)).into_response())
}

async fn download(State(s): State<AppState>, who: Authenticated, Path((id, doc)): Path<(i64, i64)>) -> Result<Response, AppError> {
    let (d, bytes) = use_case::document(s.store.as_ref(), &s.documents, &who.principal, &who.actor, id, doc).await?;
    let ascii: String = d.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    // RFC 6266: the ASCII fallback and the name itself, UTF-8 percent-encoded.
    let encoded: String = d
        .file_name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, d.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\""))], bytes)
        .into_response()
}

async fn letter_pdf(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (view, _) = use_case::case(s.store.as_ref(), &who.principal, &who.actor, id).await?;
    if view.limited {
        return Err(minzheng_app::registry::AccessError::OutOfScope.into());
    }
    let full = s.store.case(id).await?.ok_or(minzheng_app::registry::AccessError::NotFound)?;
    let service = s.catalogue.service(&full.service).ok_or(minzheng_app::registry::AccessError::NotFound)?;
    let owner_name = s.store.region(&full.owner).await?.map(|r| r.name).unwrap_or_else(|| full.owner.to_string());
    let bytes = use_case::decision_pdf(&full, service, &owner_name)
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "no_decision", "该办件尚未作出决定", "the case has no decision yet"))?;
    Ok(pdf(bytes, &format!("case-{id}.pdf")))
}

async fn notice_pdf(State(s): State<AppState>, who: Authenticated, Path(community): Path<String>) -> Result<Response, AppError> {
    let code = parse_region(community.trim_end_matches(".pdf"))?;
    let cases = use_case::notice_list(s.store.as_ref(), &who.principal, &who.actor, &code).await?;
    let name = s.store.region(&code).await?.map(|r| r.name).unwrap_or_else(|| code.to_string());
    let bytes = use_case::notice_pdf(&name, &cases, |p| program_name(&s, p, Lang::Zh));
    Ok(pdf(bytes, &format!("notice-{code}.pdf")))
}

struct ServiceRow {
    code: String,
    name: String,
    kind: String,
    steps: String,
    total: usize,
    required: String,
    replaced: String,
    required_then: usize,
}

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    t: &'static crate::i18n::Text,
    c: &'static CaseText,
    user: Option<UserBar>,
    since: String,
    on: String,
    rows: Vec<ServiceRow>,
    total_then: usize,
    total_now: usize,
    cut: usize,
    share: String,
}

async fn services_page(State(s): State<AppState>, who: Authenticated, Query(p): Query<ReportParams>) -> Result<Response, AppError> {
    let lang = who.lang;
    let c = CaseText::of(lang);
    let (since, on, report) = report_of(&s, &p)?;
    let rows: Vec<ServiceRow> = report
        .iter()
        .filter_map(|l| {
            let svc = s.catalogue.service(&l.service)?;
            let mut steps = vec![c.accept];
            if svc.survey {
                steps.push(c.survey);
            }
            if svc.economic_check {
                steps.push(c.check);
            }
            steps.push(c.review);
            if svc.notice {
                steps.push(c.notice);
            }
            steps.push(c.decision);
            Some(ServiceRow {
                code: l.service.clone(),
                name: if lang == Lang::Zh { svc.zh.clone() } else { svc.en.clone() },
                kind: if lang == Lang::Zh { svc.kind.zh().to_string() } else { format!("{:?}", svc.kind).to_lowercase() },
                steps: steps.join(" → "),
                total: l.total,
                required: l.required.join("、"),
                replaced: l.replaced.iter().map(|(d, by)| format!("{d}（{by}）")).collect::<Vec<_>>().join("、"),
                required_then: l.required_then,
            })
        })
        .collect();
    let total_then: usize = report.iter().map(|l| l.required_then).sum();
    let total_now: usize = report.iter().map(|l| l.required.len()).sum();
    let cut = total_then.saturating_sub(total_now);
    let share = if total_then == 0 { "0.0%".into() } else { format!("{:.1}%", cut as f64 * 100.0 / total_then as f64) };
    let page = ServicesPage {
        t: lang.text(),
        c,
        user: Some(UserBar::of(&who)),
        since: since.to_string(),
        on: on.to_string(),
        rows,
        total_then,
        total_now,
        cut,
        share,
    };
    Ok(render(&page)?.into_response())
}

/// The texts of the case pages, in both languages.
pub(crate) struct CaseText {
    pub title: &'static str,
    pub hint: &'static str,
    pub queue: &'static str,
    pub due_list: &'static str,
    pub accepted_here: &'static str,
    pub all: &'static str,
    pub new_case: &'static str,
    pub notice_pdf: &'static str,
    pub service: &'static str,
    pub applicant: &'static str,
    pub status: &'static str,
    pub accepted_on: &'static str,
    pub step_due: &'static str,
    pub due: &'static str,
    pub flags: &'static str,
    pub more: &'static str,
    pub none: &'static str,
    pub overdue: &'static str,
    pub accept: &'static str,
    pub accept_hint: &'static str,
    pub documents: &'static str,
    pub replaced_by: &'static str,
    pub staff_relative: &'static str,
    pub comment: &'static str,
    pub choose: &'static str,
    pub program: &'static str,
    pub household: &'static str,
    pub household_size: &'static str,
    pub owner: &'static str,
    pub accepted_at: &'static str,
    pub waiting: &'static str,
    pub limited: &'static str,
    pub timeline: &'static str,
    pub survey: &'static str,
    pub staff: &'static str,
    pub home_visit: &'static str,
    pub findings: &'static str,
    pub check: &'static str,
    pub per_capita: &'static str,
    pub assets_ok: &'static str,
    pub assets_over: &'static str,
    pub report: &'static str,
    pub review: &'static str,
    pub return_: &'static str,
    pub notice: &'static str,
    pub publish: &'static str,
    pub objection: &'static str,
    pub object: &'static str,
    pub democratic: &'static str,
    pub decision: &'static str,
    pub approve: &'static str,
    pub approve_hint: &'static str,
    pub refuse: &'static str,
    pub reason: &'static str,
    pub withdraw: &'static str,
    pub pay_first: &'static str,
    pub extend: &'static str,
    pub refer: &'static str,
    pub amount: &'static str,
    pub proposed: &'static str,
    pub start: &'static str,
    pub review_on: &'static str,
    pub enrolment: &'static str,
    pub exit_until: &'static str,
    pub letter: &'static str,
    pub upload: &'static str,
    pub upload_hint: &'static str,
    pub file: &'static str,
    pub catalogue: &'static str,
    pub catalogue_hint: &'static str,
    pub steps: &'static str,
    pub kind: &'static str,
    pub total: &'static str,
    pub required: &'static str,
    pub replaced: &'static str,
    pub required_then: &'static str,
    pub since: &'static str,
    pub on: &'static str,
    pub show: &'static str,
    pub back: &'static str,
}

static CASES_ZH: CaseText = CaseText {
    title: "全市通办 · 审核确认",
    hint: "任何社区均可受理本市居民的申请，办件自动转至户籍所在区县，按受理、入户调查、核对、初审、公示、审批的法定程序和工作日时限办理。",
    queue: "我的待办",
    due_list: "即将到期和已超期",
    accepted_here: "本社区受理",
    all: "全部办件",
    new_case: "受理申请",
    notice_pdf: "打印本社区公示名单",
    service: "服务事项",
    applicant: "申请人",
    status: "办理状态",
    accepted_on: "受理日期",
    step_due: "本环节时限",
    due: "办结时限",
    flags: "标记",
    more: "下一页",
    none: "没有办件。",
    overdue: "已超期",
    accept: "受理",
    accept_hint: "输入申请人的完整身份证号（本市任何居民均可在本社区通办），勾选已收取的要件。由共享数据替代的要件无需收取。",
    documents: "办理要件",
    replaced_by: "由共享数据替代",
    staff_relative: "申请人为工作人员近亲属（单独登记，必须入户调查）",
    comment: "办理意见",
    choose: "选择事项",
    program: "保障项目",
    household: "户编号",
    household_size: "家庭人口",
    owner: "所属区县",
    accepted_at: "受理社区",
    waiting: "待办理角色",
    limited: "本办件由其他区县办理，受理社区只能查看办理进度。",
    timeline: "办理记录",
    survey: "入户调查",
    staff: "调查人员（两人以上，用逗号分隔）",
    home_visit: "已入户",
    findings: "调查情况",
    check: "家庭经济状况核对",
    per_capita: "月人均收入",
    assets_ok: "财产未超标",
    assets_over: "财产超标",
    report: "核对报告编号（可选，如 HC-000001）",
    review: "初审",
    return_: "退回重新调查",
    notice: "公示",
    publish: "张榜公示（7天）",
    objection: "异议",
    object: "登记异议",
    democratic: "民主评议后维持初审意见",
    decision: "审批",
    approve: "批准",
    approve_hint: "批准后由政策规则核算保障金额，次月起发放，并生成在保记录。",
    refuse: "不予批准",
    reason: "理由（书面告知申请人）",
    withdraw: "撤回申请",
    pay_first: "先行救助",
    extend: "延长办理时限至45个工作日",
    refer: "报区县审批",
    amount: "金额（元）",
    proposed: "公示金额（元/月）",
    start: "发放起始月",
    review_on: "下次复核",
    enrolment: "在保记录",
    exit_until: "渐退期至",
    letter: "打印决定书",
    upload: "上传材料",
    upload_hint: "PDF、JPG 或 PNG，不超过 10 MB（按文件内容判断类型）。",
    file: "文件",
    catalogue: "服务事项与办理要件",
    catalogue_hint: "“全市通办”服务事项、各事项的办理环节，以及由共享数据替代（零要件）的办理要件。",
    steps: "办理环节",
    kind: "类型",
    total: "要件数",
    required: "仍需提交",
    replaced: "共享数据替代",
    required_then: "基准日需提交",
    since: "基准日",
    on: "统计日",
    show: "统计",
    back: "返回办件列表",
};

static CASES_EN: CaseText = CaseText {
    title: "City-wide services · cases",
    hint: "Any community accepts an application from any resident of the city; the case goes to the hukou county and through the statutory steps (accept, home survey, economic check, first review, public notice, decision) within limits in working days.",
    queue: "My queue",
    due_list: "Due soon and overdue",
    accepted_here: "Accepted here",
    all: "All cases",
    new_case: "Accept an application",
    notice_pdf: "Print this community's notice list",
    service: "Service",
    applicant: "Applicant",
    status: "Status",
    accepted_on: "Accepted on",
    step_due: "Step due",
    due: "Case due",
    flags: "Flags",
    more: "Next page",
    none: "No cases.",
    overdue: "overdue",
    accept: "Accept",
    accept_hint: "Enter the applicant's full ID number (any resident of the city may apply here) and tick the documents received. Documents replaced by shared data are not asked for.",
    documents: "Documents",
    replaced_by: "replaced by shared data",
    staff_relative: "The applicant is a relative of staff (registered apart; a home visit is required)",
    comment: "Comment",
    choose: "Choose",
    program: "Program",
    household: "Household",
    household_size: "Household size",
    owner: "Owning county",
    accepted_at: "Accepted at",
    waiting: "Waiting for",
    limited: "Another county handles this case: the accepting community follows its status only.",
    timeline: "Timeline",
    survey: "Home survey",
    staff: "Staff (two or more, comma separated)",
    home_visit: "visited at home",
    findings: "What was found",
    check: "Economic check",
    per_capita: "monthly income per person",
    assets_ok: "assets within limits",
    assets_over: "assets over the limits",
    report: "Household check number (optional, e.g. HC-000001)",
    review: "First review",
    return_: "Return for a new survey",
    notice: "Public notice",
    publish: "Publish the notice (7 days)",
    objection: "Objection",
    object: "Record an objection",
    democratic: "Democratic review upholds the first review",
    decision: "Decision",
    approve: "Approve",
    approve_hint: "On approval the rules compute the amount, paid from the next month, and the enrolment is made.",
    refuse: "Refuse",
    reason: "Reason (given to the applicant in writing)",
    withdraw: "Withdraw the application",
    pay_first: "Pay first (先行救助)",
    extend: "Extend the limit to 45 working days",
    refer: "Refer to the county",
    amount: "Amount (yuan)",
    proposed: "Amount in the notice (yuan/month)",
    start: "Paid from",
    review_on: "Next review",
    enrolment: "Enrolment",
    exit_until: "Gradual exit until",
    letter: "Print the decision letter",
    upload: "Upload a document",
    upload_hint: "PDF, JPEG or PNG, at most 10 MB (the type is judged by the content).",
    file: "File",
    catalogue: "Services and documents",
    catalogue_hint: "The city-wide services, the steps of each, and the documents shared data replaces (zero-document services).",
    steps: "Steps",
    kind: "Kind",
    total: "Documents",
    required: "Still required",
    replaced: "Replaced by data",
    required_then: "Required on the base date",
    since: "Base date",
    on: "Report date",
    show: "Show",
    back: "Back to the cases",
};

impl CaseText {
    pub(crate) fn of(lang: Lang) -> &'static CaseText {
        match lang {
            Lang::Zh => &CASES_ZH,
            Lang::En => &CASES_EN,
        }
    }
}

pub const MODULE: crate::module::Module = crate::module::Module { name: "cases", routes: ROUTES, router: routes, openapi, menu: MENU };

const MENU: &[crate::module::MenuEntry] = &[crate::module::MenuEntry { href: "/cases", zh: "全市通办", en: "Cases", needs: None }];

pub const ROUTES: &[crate::module::Route] = &[
    crate::module::Route::new("GET", "/api/services", crate::module::Access::SignedIn),
    crate::module::Route::new("GET", "/api/cases", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/api/cases", crate::module::Access::Needs(minzheng_domain::Permission::AcceptApplications)),
    crate::module::Route::new("GET", "/api/cases/{id}", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/api/cases/{id}/actions", crate::module::Access::Needs(minzheng_domain::Permission::HandleCases)),
    crate::module::Route::new("GET", "/services", crate::module::Access::SignedIn),
    crate::module::Route::new("GET", "/cases", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/cases", crate::module::Access::Needs(minzheng_domain::Permission::AcceptApplications)),
    crate::module::Route::new("GET", "/cases/new", crate::module::Access::Needs(minzheng_domain::Permission::AcceptApplications)),
    crate::module::Route::new("GET", "/cases/{id}", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/cases/{id}/act", crate::module::Access::Needs(minzheng_domain::Permission::HandleCases)),
    crate::module::Route::new("GET", "/cases/{id}/letter.pdf", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("GET", "/notices/{community}", crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry)),
    crate::module::Route::new("POST", "/cases/{id}/documents", crate::module::Access::Needs(minzheng_domain::Permission::HandleCases)),
    crate::module::Route::new(
        "GET",
        "/cases/{id}/documents/{doc}",
        crate::module::Access::Needs(minzheng_domain::Permission::ReadRegistry),
    ),
];

pub(crate) fn openapi() -> serde_json::Value {
    #[allow(unused_imports)]
    use crate::platform::openapi::{error_response, page, param};
    serde_json::json!({
        "paths": {
            "/api/services": { "get": {
                "summary": "全市通办服务事项目录及要件精减情况 / the service catalogue and the documents report",
                "parameters": [param("since", "query", "base date of the report, default 2022-01-01"), param("on", "query", "report date, default today")],
                "responses": { "200": { "description": "services and, per service, documents still required and replaced by data" }, "400": error_response() } } },
            "/api/cases": {
                "get": { "summary": "办件列表：待办、即将到期和超期、本社区受理、全部 / cases: the role's queue, due and overdue, accepted here, all",
                    "parameters": [param("list", "query", "queue (default), due, accepted, all"), param("before", "query", "cursor: cases with a smaller id"), param("limit", "query", "1-1000, default 50")],
                    "responses": { "200": { "description": "page of cases (ID numbers masked by role)" }, "400": error_response() } },
                "post": { "summary": "受理申请（全市通办，需 x-csrf-token）/ accept an application at the account's community",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "service": { "type": "string", "description": "service code of the catalogue, e.g. apply_dibao" }, "applicant": { "type": "string", "description": "full ID number" },
                        "documents": { "type": "array", "items": { "type": "string" }, "description": "codes of the documents handed in" }, "staff_relative": { "type": "boolean" }, "comment": { "type": "string", "minLength": 4 } },
                        "required": ["service", "applicant", "comment"] } } } },
                    "responses": { "201": { "description": "the case, owned by the applicant's hukou county" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/cases/{id}": { "get": {
                "summary": "办件及办理记录 / a case with its steps (the accepting community outside the household's region sees the status only)",
                "parameters": [param("id", "path", "case id")],
                "responses": { "200": { "description": "case and events" }, "403": error_response(), "404": error_response() } } },
            "/api/cases/{id}/actions": { "post": {
                "summary": "办理一个环节（需 x-csrf-token）/ take a step of the procedure",
                "parameters": [param("id", "path", "case id")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "action": { "type": "string", "enum": ["survey", "record_check", "review", "return", "publish_notice", "object", "democratic_review", "approve", "refuse", "withdraw", "pay_first", "extend", "refer"] },
                    "comment": { "type": "string", "minLength": 4 }, "seen": { "type": "integer", "description": "the case version shown; refused with 409 if it changed" },
                    "staff": { "type": "string", "description": "survey: two or more staff, comma separated" }, "home_visit": { "type": "boolean" }, "findings": { "type": "string" },
                    "per_capita_income": { "type": "string", "description": "record_check: yuan per person and month" }, "assets_within_limits": { "type": "boolean" }, "report": { "type": "integer", "description": "a stored household check" },
                    "objection": { "type": "string" }, "amount": { "type": "string", "description": "yuan: pay_first, and approve for temporary assistance" }, "reason": { "type": "string", "description": "refuse: the written reason" } },
                    "required": ["action", "comment", "seen"] } } } },
                "responses": { "200": { "description": "the case after the step" }, "400": error_response(), "403": error_response(), "404": error_response(), "409": error_response() } } },
        },
    })
}
