//! 数据比对 · 疑点: findings over HTTP. JSON API (list, one finding, a workflow step, a
//! comparison run) and the pages: the findings of a region with filters, bulk assignment and
//! charts by kind and county; one finding with both records side by side and its timeline.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::pages::{render, UserBar};
use crate::platform::list::{Column, Listing, PageParams, Pager};
use crate::policy::{chart_json, parse_date, parse_region, Chart};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minzheng_app::verify::{self as use_case, CompareReport, FindingView, StepError};
use minzheng_domain::{Bilingual, FindingAction, FindingKind, FindingStatus, Permission, Resolution};
use minzheng_store::{FindingEvent, FindingQuery, Page};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub(crate) fn routes() -> Router<AppState> {
    let listed = |path: &'static str, methods: &[&str]| crate::module::listed(super::ROUTES, path, methods);
    Router::new()
        .route(listed("/api/findings", &["GET"]), get(api_list))
        .route(listed("/api/findings/{id}", &["GET"]), get(api_one))
        .route(listed("/api/findings/{id}/actions", &["POST"]), post(api_act))
        .route(listed("/api/comparisons", &["POST"]), post(api_compare))
        .route(listed("/findings", &["GET"]), get(list_page))
        .route(listed("/findings/export.xlsx", &["GET"]), get(export))
        .route(listed("/findings/assign", &["POST"]), post(form_assign))
        .route(listed("/findings/compare", &["POST"]), post(form_compare))
        .route(listed("/findings/{id}", &["GET"]), get(finding_page))
        .route(listed("/findings/{id}/act", &["POST"]), post(form_act))
        .route(listed("/linkage/review", &["GET"]), get(review_page))
        .route(listed("/linkage/review/{id}", &["POST"]), post(form_decide))
}

impl From<StepError> for AppError {
    fn from(e: StepError) -> AppError {
        match e {
            StepError::Access(a) => a.into(),
            StepError::Workflow(ref w) => AppError::new(StatusCode::CONFLICT, "illegal_step", w.zh(), w.en()),
            StepError::Stale => AppError::new(StatusCode::CONFLICT, "stale", e.zh(), e.en()),
            StepError::NotAssignee(_) | StepError::CountyDecides => AppError::new(StatusCode::FORBIDDEN, "not_yours", e.zh(), e.en()),
            StepError::Assignee(_) => AppError::new(StatusCode::BAD_REQUEST, "bad_assignee", e.zh(), e.en()).on_field("to"),
        }
    }
}

#[derive(Deserialize, Default)]
struct ListParams {
    region: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

fn query_of(p: &ListParams) -> Result<FindingQuery, AppError> {
    let text = |o: &Option<String>| o.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    let kind = match text(&p.kind) {
        Some(k) => Some(FindingKind::parse(&k).ok_or_else(|| {
            AppError::new(StatusCode::BAD_REQUEST, "bad_kind", format!("疑点类型“{k}”不存在"), format!("no finding kind {k:?}"))
        })?),
        None => None,
    };
    let status = match text(&p.status) {
        Some(s) => Some(FindingStatus::parse(&s).ok_or_else(|| {
            AppError::new(StatusCode::BAD_REQUEST, "bad_status", format!("处理状态“{s}”不存在"), format!("no status {s:?}"))
        })?),
        None => None,
    };
    let region = match text(&p.region) {
        Some(r) => Some(parse_region(&r)?),
        None => None,
    };
    Ok(FindingQuery { region, kind, status, before: p.before, limit: p.limit.unwrap_or(50), ..Default::default() })
}

// ---- JSON API ----

async fn api_list(State(s): State<AppState>, who: Authenticated, Query(p): Query<ListParams>) -> Result<Json<Page<FindingView>>, AppError> {
    Ok(Json(use_case::findings(s.store.as_ref(), &who.cx(s.clock.today()), query_of(&p)?).await?))
}

#[derive(Serialize)]
struct FindingWithEvents {
    finding: FindingView,
    events: Vec<FindingEvent>,
}

async fn api_one(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<FindingWithEvents>, AppError> {
    let (finding, events) = use_case::finding(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    Ok(Json(FindingWithEvents { finding, events }))
}

/// A workflow step as the API and the forms give it.
#[derive(Deserialize)]
struct StepRequest {
    /// assign, verify or resolve
    action: String,
    /// For assign: the worker.
    to: Option<String>,
    /// For resolve: stop, recover_overpayment, correct_data, false_positive.
    resolution: Option<String>,
    comment: String,
    /// The status the worker saw (new, assigned, verified): the step is refused if it has changed since.
    seen: Option<String>,
}

fn seen_of(text: Option<&str>) -> Result<Option<FindingStatus>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => FindingStatus::parse(t).map(Some).ok_or_else(|| {
            AppError::new(StatusCode::BAD_REQUEST, "bad_status", format!("处理状态“{t}”不存在"), format!("no status {t:?}"))
        }),
    }
}

fn action_of(r: &StepRequest) -> Result<FindingAction, AppError> {
    match r.action.trim() {
        "assign" => Ok(FindingAction::Assign { to: r.to.clone().unwrap_or_default() }),
        "verify" => Ok(FindingAction::Verify),
        "resolve" => {
            let t = r.resolution.as_deref().unwrap_or_default();
            let resolution = Resolution::parse(t).ok_or_else(|| {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_resolution",
                    format!("处理结果“{t}”应为 stop、recover_overpayment、correct_data 或 false_positive"),
                    format!("resolution {t:?} must be stop, recover_overpayment, correct_data or false_positive"),
                )
            })?;
            Ok(FindingAction::Resolve { resolution })
        }
        other => Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_action",
            format!("操作“{other}”应为 assign、verify 或 resolve"),
            format!("action {other:?} must be assign, verify or resolve"),
        )),
    }
}

async fn api_act(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<StepRequest>,
) -> Result<Json<FindingView>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let action = action_of(&r)?;
    let seen = seen_of(r.seen.as_deref())?;
    Ok(Json(use_case::act(s.store.as_ref(), &who.cx(s.clock.today()), id, &action, &r.comment, seen).await?))
}

#[derive(Deserialize)]
struct CompareRequest {
    region: String,
    on: Option<String>,
}

async fn api_compare(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<CompareRequest>,
) -> Result<Json<CompareReport>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let region = parse_region(&r.region)?;
    let on = parse_date(r.on.as_deref(), s.clock.today())?;
    Ok(Json(use_case::compare_region(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &region, on).await?))
}

// ---- pages ----

struct Row {
    id: i64,
    kind: String,
    summary: String,
    household_no: String,
    region: String,
    confidence: String,
    status: String,
    assigned_to: String,
    found_on: String,
}

struct Choice {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct ListPage {
    t: &'static crate::i18n::Text,
    f: &'static FindingText,
    user: Option<UserBar>,
    csrf: String,
    region: String,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<Row>,
    pager: Pager,
    columns: Vec<Column>,
    /// The filters as a query string (the export's link).
    next_query: String,
    /// Only the account's own queue is shown.
    mine: bool,
    /// How many findings the filters hold (共 N 条).
    total: u64,
    /// Who the ticked findings may be assigned to.
    assignees: Vec<(String, String)>,
    can_work: bool,
    can_compare: bool,
    today: String,
    charts: Vec<String>,
    message: Option<String>,
}

fn kind_label(k: FindingKind, lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        k.zh()
    } else {
        k.en()
    }
}

fn status_label(s: FindingStatus, lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        s.zh()
    } else {
        s.as_str()
    }
}

fn row_of(s: &AppState, f: &FindingView, lang: Lang) -> Row {
    Row {
        id: f.id,
        kind: kind_label(f.kind, lang).to_string(),
        summary: if lang == Lang::Zh { f.summary_zh.clone() } else { f.summary_en.clone() },
        household_no: f.household_no.clone(),
        region: crate::pages::region_name(s, &f.region),
        confidence: format!("{:.1}%", f64::from(f.confidence) / 10.0),
        status: status_label(f.status, lang).to_string(),
        assigned_to: f.assigned_to.as_deref().map(|a| crate::pages::person(s, a)).unwrap_or_default(),
        found_on: f.found_on.to_string(),
    }
}

#[derive(Deserialize, Default)]
pub(in crate::comparison) struct ListPageParams {
    region: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    before: Option<i64>,
    done: Option<String>,
    /// Only the findings assigned to the account (its queue).
    mine: Option<String>,
}

/// The findings list's query as its page and its export read it: the region by its code or its
/// name (浑南区), kind, status, the cursor, and only the account's own when `mine`.
fn page_query(s: &AppState, who: &Authenticated, p: &ListPageParams, limit: u32) -> Result<(FindingQuery, bool), AppError> {
    let region = match p.region.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(crate::platform::api::region_named(s, &who.principal, t)?.to_string()),
        None => None,
    };
    let params = ListParams { region, kind: p.kind.clone(), status: p.status.clone(), before: p.before, limit: Some(limit) };
    let mut q = query_of(&params)?;
    let mine = p.mine.as_deref().is_some_and(|m| matches!(m, "1" | "on" | "true"));
    if mine {
        q.assigned_to = Some(who.principal.name.clone());
    }
    Ok((q, mine))
}

async fn list_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<ListPageParams>,
    Query(pp): Query<PageParams>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let f = FindingText::of(lang);
    // The list's columns, sortable ones by the store's keys; the tick box only for those who
    // assign.
    let all_cols = [
        ("", ""),
        ("", "#"),
        ("kind", f.kind),
        ("", f.summary),
        ("household", f.household),
        ("region", f.region),
        ("confidence", f.confidence),
        ("status", f.status),
        ("assigned_to", f.assigned_to),
        ("found_on", f.found_on),
    ];
    let cols = &all_cols[usize::from(!who.principal.may(Permission::WorkFindings))..];
    let listing = Listing::of(&pp, cols);
    let (mut q, mine) = page_query(&s, &who, &p, listing.size)?;
    // Numbered pages only: an old "next page" link's cursor is not mixed with a page number.
    q.before = None;
    q.paging = listing.paging();
    let page = use_case::findings(s.store.as_ref(), &who.cx(s.clock.today()), q.clone()).await?;
    let total = use_case::count_findings(s.store.as_ref(), &who.principal, FindingQuery { before: None, ..q.clone() }).await?;
    let counts = use_case::finding_counts(s.store.as_ref(), &who.principal).await?;
    // Charts: by kind (open and resolved), and open findings by county.
    let mut by_kind: BTreeMap<&'static str, (f64, f64)> = BTreeMap::new();
    let mut by_county: BTreeMap<String, f64> = BTreeMap::new();
    for c in &counts {
        let Some(k) = FindingKind::parse(&c.kind) else { continue };
        let e = by_kind.entry(kind_label(k, lang)).or_default();
        if c.status == FindingStatus::Resolved.as_str() {
            e.1 += c.count as f64;
        } else {
            e.0 += c.count as f64;
            *by_county.entry(c.county.clone()).or_default() += c.count as f64;
        }
    }
    let names: BTreeMap<String, String> = s
        .store
        .regions_within(
            &who.principal.region.ancestor(minzheng_domain::RegionLevel::City).unwrap_or(who.principal.region.clone()),
            minzheng_domain::RegionLevel::County,
        )
        .await?
        .into_iter()
        .map(|r| (r.code.to_string(), r.name))
        .collect();
    let charts = if counts.is_empty() {
        Vec::new()
    } else {
        vec![
            chart_json(&Chart {
                title: f.by_kind.into(),
                categories: by_kind.keys().map(|k| k.to_string()).collect(),
                series: vec![
                    (f.open.into(), by_kind.values().map(|v| v.0).collect()),
                    (f.resolved.into(), by_kind.values().map(|v| v.1).collect()),
                ],
            }),
            chart_json(&Chart {
                title: f.by_county.into(),
                categories: by_county.keys().map(|c| names.get(c).cloned().unwrap_or_else(|| c.clone())).collect(),
                series: vec![(f.open.into(), by_county.values().copied().collect())],
            }),
        ]
    };
    let region = q.region.as_ref().map(ToString::to_string).unwrap_or_else(|| who.principal.region.to_string());
    let next_query = {
        let mut parts = vec![format!("region={region}")];
        if let Some(k) = q.kind {
            parts.push(format!("kind={}", k.as_str()));
        }
        if let Some(st) = q.status {
            parts.push(format!("status={}", st.as_str()));
        }
        if mine {
            parts.push("mine=1".into());
        }
        parts.join("&")
    };
    let page = ListPage {
        t: lang.text(),
        f,
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        region,
        kinds: FindingKind::ALL
            .iter()
            .map(|k| Choice { code: k.as_str(), label: kind_label(*k, lang), selected: q.kind == Some(*k) })
            .collect(),
        statuses: FindingStatus::ALL
            .iter()
            .map(|st| Choice { code: st.as_str(), label: status_label(*st, lang), selected: q.status == Some(*st) })
            .collect(),
        rows: page.items.iter().map(|x| row_of(&s, x, lang)).collect(),
        pager: listing.pager("/findings", &next_query, total, lang),
        columns: listing.columns("/findings", &next_query, cols),
        next_query,
        can_work: who.principal.may(Permission::WorkFindings),
        can_compare: who.principal.may(Permission::RunComparisons),
        today: s.clock.today().to_string(),
        charts,
        message: p.done.filter(|d| d.len() <= 200),
        mine,
        total,
        assignees: assignee_choices(&s, &who).await?,
    };
    Ok(render(&page)?.into_response())
}

/// Bulk assignment: the ticked findings to one worker, each checked and applied on its own.
async fn form_assign(State(s): State<AppState>, who: Authenticated, body: String) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "bad_form", "表单无法读取", "the form cannot be read"))?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    who.require_csrf(&s, get("csrf").as_deref()).await?;
    let ids: Vec<i64> = fields.iter().filter(|(n, _)| n == "ids").filter_map(|(_, v)| v.parse().ok()).collect();
    if ids.is_empty() {
        return Err(
            AppError::new(StatusCode::BAD_REQUEST, "nothing_selected", "请勾选要分派的疑点", "tick the findings to assign").on_field("ids")
        );
    }
    let action = FindingAction::Assign { to: get("to").unwrap_or_default() };
    let (done, refused) =
        use_case::act_on_many(s.store.as_ref(), &who.cx(s.clock.today()), &ids, &action, &get("comment").unwrap_or_default()).await;
    let refused_count = refused.len();
    if done.is_empty() {
        if let Some((_, e)) = refused.into_iter().next() {
            return Err(e.into());
        }
    }
    let message = if who.lang == Lang::En {
        format!("{} assigned, {refused_count} refused", done.len())
    } else {
        format!("已分派 {} 条，未分派 {refused_count} 条", done.len())
    };
    let region = get("region").unwrap_or_default();
    let back = serde_urlencoded::to_string([("region", region.as_str()), ("done", message.as_str())]).unwrap_or_default();
    Ok(Redirect::to(&format!("/findings?{back}")).into_response())
}

#[derive(Deserialize)]
struct CompareForm {
    csrf: Option<String>,
    region: String,
    on: Option<String>,
}

async fn form_compare(State(s): State<AppState>, who: Authenticated, axum::Form(f): axum::Form<CompareForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let region = parse_region(&f.region)?;
    let on = parse_date(f.on.as_deref(), s.clock.today())?;
    let r = use_case::compare_region(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &region, on).await?;
    let message = if who.lang == Lang::En {
        format!("compared {} enrolments: {} findings, {} new", r.enrolments, r.found, r.added)
    } else {
        format!("比对完成：在保 {} 户次，疑点 {} 条，新增 {} 条", r.enrolments, r.found, r.added)
    };
    let back = serde_urlencoded::to_string([("region", region.as_str()), ("done", message.as_str())]).unwrap_or_default();
    Ok(Redirect::to(&format!("/findings?{back}")).into_response())
}

struct EvidenceView {
    source: String,
    batch: String,
    fields: Vec<(String, String)>,
}

struct EventView {
    at: String,
    actor: String,
    step: String,
    detail: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    t: &'static crate::i18n::Text,
    f: &'static FindingText,
    user: Option<UserBar>,
    csrf: String,
    row: Row,
    seen: &'static str,
    program: String,
    evidence: Vec<EvidenceView>,
    events: Vec<EventView>,
    resolution: String,
    can_assign: bool,
    assignees: Vec<(String, String)>,
    can_verify: bool,
    can_resolve: bool,
    can_false_positive: bool,
    resolutions: Vec<Choice>,
}

fn source_label(source: &str, lang: Lang) -> String {
    let zh = match source {
        "registry" => "人口库".to_string(),
        "enrolments" => "在保名册".to_string(),
        "policy" => "政策规则核算".to_string(),
        "staff_relatives" => "工作人员近亲属备案".to_string(),
        "payroll" => "发放花名册".to_string(),
        "payment_accounts" => "发放账户".to_string(),
        other => minzheng_app::economic_check::source_zh(other),
    };
    if lang == Lang::Zh {
        zh.to_string()
    } else {
        source.to_string()
    }
}

async fn finding_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let lang = who.lang;
    let (finding, events) = use_case::finding(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let work = who.principal.may(Permission::WorkFindings);
    let program = s
        .engine
        .policy
        .programs
        .iter()
        .find(|p| p.code == finding.program)
        .map(|p| if lang == Lang::Zh { p.zh.clone() } else { p.en.clone() })
        .unwrap_or(finding.program.clone());
    let step_label = |a: &str| match (a, lang) {
        ("assign", Lang::Zh) => "分派",
        ("verify", Lang::Zh) => "核实",
        ("resolve", Lang::Zh) => "办结",
        ("assign", _) => "assigned",
        ("verify", _) => "verified",
        _ => "resolved",
    };
    let page = FindingPage {
        t: lang.text(),
        f: FindingText::of(lang),
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        row: row_of(&s, &finding, lang),
        seen: finding.status.as_str(),
        program,
        evidence: finding
            .evidence
            .iter()
            .map(|e| EvidenceView {
                source: source_label(&e.source, lang),
                batch: e.batch.as_deref().map(|b| b.chars().take(12).collect()).unwrap_or_default(),
                fields: e.fields.iter().map(|(k, v)| evidence_field(k, v, lang)).collect(),
            })
            .collect(),
        events: events
            .iter()
            .map(|e| EventView {
                at: crate::pages::beijing_time(e.at),
                actor: crate::pages::person(&s, &e.actor),
                step: step_label(&e.action).to_string(),
                detail: Resolution::parse(&e.detail)
                    .map(|r| if lang == Lang::Zh { r.zh().to_string() } else { r.as_str().to_string() })
                    .unwrap_or(e.detail.clone()),
                comment: e.comment.clone(),
            })
            .collect(),
        resolution: finding.resolution.map(|r| if lang == Lang::Zh { r.zh() } else { r.en() }).unwrap_or_default().to_string(),
        can_assign: work && matches!(finding.status, FindingStatus::New | FindingStatus::Assigned),
        assignees: assignee_choices(&s, &who).await?,
        can_verify: work
            && finding.status == FindingStatus::Assigned
            && finding.assigned_to.as_deref() == Some(who.principal.name.as_str()),
        can_resolve: work && finding.status == FindingStatus::Verified && who.principal.region.as_str().len() <= 6,
        can_false_positive: work
            && finding.status == FindingStatus::Assigned
            && finding.assigned_to.as_deref() == Some(who.principal.name.as_str()),
        resolutions: Resolution::ALL
            .iter()
            .map(|r| Choice { code: r.as_str(), label: if lang == Lang::Zh { r.zh() } else { r.as_str() }, selected: false })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct StepForm {
    csrf: Option<String>,
    action: String,
    to: Option<String>,
    resolution: Option<String>,
    comment: String,
    seen: Option<String>,
}

async fn form_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<StepForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let seen = seen_of(f.seen.as_deref())?;
    let action = action_of(&StepRequest { action: f.action, to: f.to, resolution: f.resolution, comment: f.comment.clone(), seen: None })?;
    use_case::act(s.store.as_ref(), &who.cx(s.clock.today()), id, &action, &f.comment, seen).await?;
    Ok(Redirect::to(&format!("/findings/{id}")).into_response())
}

/// The texts of the findings pages, in both languages.
pub(crate) struct FindingText {
    pub title: &'static str,
    pub hint: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub all: &'static str,
    pub region: &'static str,
    pub filter: &'static str,
    pub summary: &'static str,
    pub household: &'static str,
    pub confidence: &'static str,
    pub assigned_to: &'static str,
    pub mine: &'static str,
    pub found_on: &'static str,
    pub none: &'static str,
    pub assign: &'static str,
    pub assign_hint: &'static str,
    pub comment: &'static str,
    pub compare: &'static str,
    pub compare_hint: &'static str,
    pub on_date: &'static str,
    pub run_compare: &'static str,
    pub working: &'static str,
    pub by_kind: &'static str,
    pub by_county: &'static str,
    pub open: &'static str,
    pub resolved: &'static str,
    pub program: &'static str,
    pub evidence: &'static str,
    pub batch: &'static str,
    pub timeline: &'static str,
    pub verify: &'static str,
    pub resolve: &'static str,
    pub false_positive: &'static str,
    pub resolution: &'static str,
    pub back: &'static str,
}

static FINDINGS_ZH: FindingText = FindingText {
    title: "数据比对 · 疑点",
    hint: "在保对象与人口库、部门数据和政策规则比对发现的疑点。每条疑点列明证据来源和批次，分派给承办人核实后办结（停保、追回、更正数据或误报）。",
    kind: "疑点类型",
    status: "处理状态",
    all: "全部",
    region: "区划",
    filter: "筛选",
    summary: "疑点",
    household: "户编号",
    confidence: "可信度",
    assigned_to: "承办人",
    mine: "只看指派给我的",
    found_on: "发现日期",
    none: "没有符合条件的疑点。",
    assign: "分派所选疑点",
    assign_hint: "勾选疑点，填写承办人和意见后分派。",
    comment: "意见",
    compare: "批量比对",
    compare_hint: "将本区划全部在保对象与人口库、已导入的死亡数据及政策规则比对，新发现的疑点加入列表（已有的不重复）。",
    on_date: "比对日期",
    run_compare: "开始比对",
    working: "正在比对……",
    by_kind: "各类疑点（未办结/已办结）",
    by_county: "各区县未办结疑点",
    open: "未办结",
    resolved: "已办结",
    program: "保障项目",
    evidence: "证据",
    batch: "批次",
    timeline: "处理记录",
    verify: "核实",
    resolve: "办结",
    false_positive: "认定为误报并办结",
    resolution: "处理结果",
    back: "返回疑点列表",
};

static FINDINGS_EN: FindingText = FindingText {
    title: "Data comparison · findings",
    hint: "What comparing the enrolled against the registry, departmental data and the rules found. Each finding names the source and batch of its evidence; it is assigned, verified on the spot and resolved (stop, recover, correct the data, or false positive).",
    kind: "Kind",
    status: "Status",
    all: "all",
    region: "Region",
    filter: "Filter",
    summary: "Finding",
    household: "Household",
    confidence: "Confidence",
    assigned_to: "Assigned to",
    mine: "Assigned to me only",
    found_on: "Found on",
    none: "No findings match.",
    assign: "Assign the ticked findings",
    assign_hint: "Tick findings, name the worker and give a comment.",
    comment: "Comment",
    compare: "Batch comparison",
    compare_hint: "Compares every active enrolment of the region with the registry, the stored death records and the rules; new findings join the list (known ones are not repeated).",
    on_date: "Date",
    run_compare: "Compare",
    working: "Comparing...",
    by_kind: "Findings by kind (open / resolved)",
    by_county: "Open findings by county",
    open: "open",
    resolved: "resolved",
    program: "Program",
    evidence: "Evidence",
    batch: "Batch",
    timeline: "Timeline",
    verify: "Verify",
    resolve: "Resolve",
    false_positive: "Close as a false positive",
    resolution: "Resolution",
    back: "Back to the findings",
};

impl FindingText {
    pub(crate) fn of(lang: Lang) -> &'static FindingText {
        match lang {
            Lang::Zh => &FINDINGS_ZH,
            Lang::En => &FINDINGS_EN,
        }
    }
}

mod review;
pub(in crate::comparison) use review::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_reads_in_english_and_stays_as_stored_in_chinese() {
        assert_eq!(evidence_field("人口库状态", "死亡", Lang::En), ("Registry status".into(), "deceased".into()));
        assert_eq!(evidence_field("人口库状态", "死亡", Lang::Zh), ("人口库状态".into(), "死亡".into()));
        // A departmental file's own column is data: as the file has it.
        assert_eq!(evidence_field("火化日期", "2026-05-02", Lang::En), ("火化日期".into(), "2026-05-02".into()));
    }
}
