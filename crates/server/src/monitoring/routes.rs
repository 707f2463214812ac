//! 低收入人口动态监测's JSON API and pages: the warning queues of a region (to visit, overdue,
//! escalated, to report back, closed, the account's own), a warning with what the data said and
//! the steps the account may take, the monitored population and the outcomes per county, and a
//! run of the rules started by hand. A refused form comes back with what was typed and why.

use super::model::{Outcome, Step, Warning, WarningStatus, DEPARTMENTS};
use super::service::{self, MonitoringFailure, RunReport};
use super::store::{Queue, QueueCounts, StepRecord};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{both, pick};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::NaiveDate;
use minzheng_domain::{Bilingual, Permission, RegionCode, RegionLevel};
use serde::Deserialize;

impl From<MonitoringFailure> for AppError {
    fn from(e: MonitoringFailure) -> AppError {
        match e {
            MonitoringFailure::Access(a) => a.into(),
            MonitoringFailure::Store(s) => s.into(),
            MonitoringFailure::NotFound => AppError::new(StatusCode::NOT_FOUND, "not_found", e.zh(), e.en()),
            MonitoringFailure::Changed => AppError::new(StatusCode::CONFLICT, "conflict", e.zh(), e.en()),
            MonitoringFailure::Engine(_) => AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "engine", e.zh(), e.en()),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct QueueParam {
    region: Option<String>,
    list: Option<String>,
    page: Option<u32>,
}

const SIZE: u32 = 50;

/// Text in the page's language, from owned words (the policy files').
fn tr(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

fn region_of(p: &QueueParam) -> Result<Option<RegionCode>, AppError> {
    crate::platform::api::region_of(p.region.as_deref())
}

/// The list asked for: its name and queue, and whether it keeps the account's own warnings.
fn list_of(list: Option<&str>, today: NaiveDate) -> (&'static str, Queue, bool) {
    match list {
        Some("overdue") => ("overdue", Queue::Overdue(today), false),
        Some("escalated") => ("escalated", Queue::Escalated, false),
        Some("report") => ("report", Queue::ToReport, false),
        Some("closed") => ("closed", Queue::Closed, false),
        Some("mine") => ("mine", Queue::Open, true),
        _ => ("open", Queue::Open, false),
    }
}

/// The rule's name in the page's language.
fn rule_name(s: &AppState, code: &str, lang: Lang) -> String {
    s.engine.policy.warnings.iter().find(|w| w.code == code).map(|w| tr(lang, &w.zh, &w.en)).unwrap_or_else(|| code.to_string())
}

pub(super) async fn api_queue(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<QueueParam>,
) -> Result<Json<Vec<Warning>>, AppError> {
    let region = region_of(&q)?;
    let (_, queue, mine) = list_of(q.list.as_deref(), s.clock.today());
    Ok(Json(service::queue(s.store.as_ref(), &who.principal, region.as_ref(), queue, mine, q.page.unwrap_or(1).max(1), SIZE).await?))
}

#[derive(serde::Serialize)]
pub(super) struct WithSteps {
    #[serde(flatten)]
    warning: Warning,
    steps: Vec<StepRecord>,
}

pub(super) async fn api_warning(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<WithSteps>, AppError> {
    let (warning, steps) = service::get(s.store.as_ref(), &who.principal, id).await?;
    Ok(Json(WithSteps { warning, steps }))
}

/// A step as the API takes it.
#[derive(Deserialize)]
pub(super) struct StepBody {
    action: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    note: String,
    /// The warning's status as the client saw it (a step on one that moved on is refused).
    #[serde(default)]
    seen_status: Option<String>,
}

fn step_of(action: &str, findings: &str, outcome: &str, target: &str, note: &str) -> Result<Step, AppError> {
    let invalid = |zh: &str, en: &str| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", zh.to_string(), en.to_string());
    Ok(match action {
        "visit" => Step::Visit { findings: findings.into() },
        "handle" => Step::Handle {
            outcome: Outcome::parse(outcome).ok_or_else(|| invalid("请选择处置结果", "choose the outcome"))?,
            target: target.into(),
            note: note.into(),
        },
        "report" => Step::Report { note: note.into() },
        "escalate" => Step::Escalate { note: note.into() },
        _ => return Err(invalid("请选择办理操作（入户核实、处置、反馈办结、督办）", "choose a step: visit, handle, report, escalate")),
    })
}

pub(super) async fn api_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(b): Json<StepBody>,
) -> Result<Json<Warning>, AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let step = step_of(&b.action, &b.findings, &b.outcome, &b.target, &b.note)?;
    let seen = b.seen_status.as_deref().and_then(WarningStatus::parse);
    Ok(Json(service::act(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, step, seen).await?))
}

#[derive(Deserialize, Default)]
pub(super) struct RunBody {
    #[serde(default)]
    region: Option<String>,
}

pub(super) async fn api_run(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(b): Json<RunBody>,
) -> Result<(StatusCode, Json<RunReport>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let region = crate::platform::api::region_of(b.region.as_deref())?;
    let r = service::run_region(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), region.as_ref(), s.clock.today()).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(serde::Serialize)]
pub(super) struct PopulationBody {
    region: String,
    /// (area, category, persons)
    population: Vec<super::store::AreaCount>,
    /// (county, rule/outcome, warnings)
    outcomes: Vec<super::store::AreaCount>,
}

pub(super) async fn api_population(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<QueueParam>,
) -> Result<Json<PopulationBody>, AppError> {
    let region = region_of(&q)?;
    let (region, population, outcomes) = service::population(s.store.as_ref(), &who.principal, region.as_ref()).await?;
    Ok(Json(PopulationBody { region: region.to_string(), population, outcomes }))
}

/// A row of a queue as the page shows it.
pub(super) struct Row {
    id: i64,
    rule: String,
    severity: &'static str,
    severity_class: &'static str,
    who: String,
    place: String,
    status: &'static str,
    due: String,
    overdue: bool,
    flags: String,
}

fn place_of(s: &AppState, w: &Warning, lang: Lang) -> String {
    let community = RegionCode::parse(&w.community).map(|c| crate::pages::region_name(s, &c)).unwrap_or_else(|_| w.community.clone());
    [community, w.grid.clone()].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(pick(lang, "·", " · "))
}

fn row(s: &AppState, w: &Warning, lang: Lang, today: NaiveDate) -> Row {
    let mut flags = Vec::new();
    if w.escalated {
        flags.push(pick(lang, "已督办", "escalated").to_string());
    }
    if !w.assignee.is_empty() {
        flags.push(format!("{}{}", pick(lang, "网格员：", "grid worker: "), crate::pages::person(s, &w.assignee)));
    }
    Row {
        id: w.id,
        rule: rule_name(s, &w.rule, lang),
        severity: pick(lang, w.severity.zh(), w.severity.en()),
        severity_class: w.severity.as_str(),
        who: format!("{}（{}）", w.name, w.id_number),
        place: place_of(s, w, lang),
        status: pick(lang, w.status.zh(), w.status.en()),
        due: w.due_on.to_string(),
        overdue: w.overdue(today),
        flags: flags.join(pick(lang, "；", "; ")),
    }
}

#[derive(Template)]
#[template(path = "monitoring.html")]
pub(super) struct QueuePage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    region: String,
    region_name: String,
    list: &'static str,
    counts: QueueCounts,
    rows: Vec<Row>,
    page: u32,
    next: Option<String>,
    previous: Option<String>,
    may_run: bool,
    may_escalate: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn queue_page(
    s: &AppState,
    who: &Authenticated,
    q: &QueueParam,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let today = s.clock.today();
    let region = region_of(q)?;
    let (list, queue, mine) = list_of(q.list.as_deref(), today);
    let page = q.page.unwrap_or(1).max(1);
    let rows = service::queue(s.store.as_ref(), &who.principal, region.as_ref(), queue, mine, page, SIZE).await?;
    let counts = service::counts(s.store.as_ref(), &who.principal, region.as_ref(), false, today).await?;
    let here = region.unwrap_or_else(|| who.principal.region.clone());
    let link = |p: u32| format!("/monitoring?region={here}&list={list}&page={p}");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = QueuePage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        region: here.to_string(),
        region_name: region_label(s, &here, lang),
        list,
        counts,
        next: (rows.len() as u32 == SIZE).then(|| link(page + 1)),
        previous: (page > 1).then(|| link(page - 1)),
        rows: rows.iter().map(|w| row(s, w, lang, today)).collect(),
        page,
        may_run: who.principal.may(Permission::RunMonitoring),
        may_escalate: who.principal.may(Permission::HandleWarnings) && who.principal.region.level() <= RegionLevel::Street,
        notice,
        error,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /monitoring?region=&list=open|overdue|escalated|report|closed|mine&page=`.
pub(super) async fn queue(State(s): State<AppState>, who: Authenticated, Query(q): Query<QueueParam>) -> Result<Response, AppError> {
    queue_page(&s, &who, &q, None, None).await
}

#[derive(Deserialize, Default)]
pub(super) struct RunForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    region: String,
}

/// `POST /monitoring/run`: runs every rule over the account's region (or a region of it) now.
pub(super) async fn form_run(State(s): State<AppState>, who: Authenticated, Form(f): Form<RunForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let region = crate::platform::api::region_of(Some(f.region.as_str()).filter(|r| !r.trim().is_empty()))?;
    let q = QueueParam { region: region.as_ref().map(|r| r.to_string()), ..QueueParam::default() };
    match service::run_region(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), region.as_ref(), s.clock.today()).await {
        Ok(r) => {
            let notice = match lang {
                Lang::Zh => format!(
                    "监测完成：{} 人，规则命中 {} 条，新增预警 {} 条，用时 {:.1} 秒",
                    r.run.persons,
                    r.run.hits,
                    r.run.raised,
                    r.run.millis as f64 / 1000.0
                ),
                Lang::En => format!(
                    "Run done: {} persons, {} hits, {} new warnings, {:.1} s",
                    r.run.persons,
                    r.run.hits,
                    r.run.raised,
                    r.run.millis as f64 / 1000.0
                ),
            };
            queue_page(&s, &who, &q, Some(notice), None).await
        }
        Err(e) if e.is_input() => queue_page(&s, &who, &q, None, Some(both(lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /monitoring/escalate`: 超期督办 of the region's overdue warnings (the street, county).
pub(super) async fn form_escalate(State(s): State<AppState>, who: Authenticated, Form(f): Form<RunForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    if who.principal.region.level() > RegionLevel::Street {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    let region = crate::platform::api::region_of(Some(f.region.as_str()).filter(|r| !r.trim().is_empty()))?;
    let n = service::escalate_overdue(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), region.as_ref()).await?;
    let q = QueueParam { region: region.as_ref().map(|r| r.to_string()), list: Some("escalated".into()), page: None };
    let notice = match lang {
        Lang::Zh => format!("已督办超期预警 {n} 条"),
        Lang::En => format!("{n} overdue warnings escalated"),
    };
    queue_page(&s, &who, &q, Some(notice), None).await
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
    findings: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    seen_status: String,
}

pub(super) struct Opt {
    code: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "monitoring_warning.html")]
pub(super) struct WarningPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    w: Warning,
    rule: String,
    basis: String,
    action: String,
    severity: &'static str,
    status: &'static str,
    place: String,
    assignee: String,
    outcome: String,
    target: String,
    overdue: bool,
    steps: Vec<StepRow>,
    may_visit: bool,
    may_handle: bool,
    may_report: bool,
    may_escalate: bool,
    outcomes: Vec<Opt>,
    programs: Vec<Opt>,
    departments: Vec<Opt>,
    /// Where the application form opens prefilled (全市通办).
    apply_href: String,
    typed: ActForm,
    error: Option<String>,
}

fn step_label(step: &str, lang: Lang) -> &'static str {
    let (zh, en) = match step {
        "visit" => ("入户核实", "visited"),
        "handle" => ("处置", "decided"),
        "report" => ("反馈办结", "reported back"),
        "escalate" => ("超期督办", "escalated"),
        _ => ("其他", "other"),
    };
    pick(lang, zh, en)
}

async fn warning_page(s: &AppState, who: &Authenticated, id: i64, typed: ActForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let today = s.clock.today();
    let (w, steps) = service::get(s.store.as_ref(), &who.principal, id).await?;
    let p = &who.principal;
    let handles = p.may(Permission::HandleWarnings);
    let rule = s.engine.policy.warnings.iter().find(|r| r.code == w.rule);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let program_name = |code: &str| match code {
        "linshi" => pick(lang, "临时救助", "temporary assistance").to_string(),
        c => s.engine.policy.program(c).map(|p| tr(lang, &p.zh, &p.en)).unwrap_or_else(|| c.to_string()),
    };
    let mut programs: Vec<String> = s.engine.program_codes();
    programs.push("linshi".into());
    let view = WarningPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        rule: rule.map(|r| tr(lang, &r.zh, &r.en)).unwrap_or_else(|| w.rule.clone()),
        basis: rule.map(|r| r.basis.clone()).unwrap_or_default(),
        action: rule.map(|r| r.action.clone()).unwrap_or_default(),
        severity: pick(lang, w.severity.zh(), w.severity.en()),
        status: pick(lang, w.status.zh(), w.status.en()),
        place: place_of(s, &w, lang),
        assignee: if w.assignee.is_empty() {
            pick(lang, "社区（网格未指定网格员）", "the community (no grid worker for the grid)").into()
        } else {
            crate::pages::person(s, &w.assignee)
        },
        outcome: w.outcome.map(|o| pick(lang, o.zh(), o.en()).to_string()).unwrap_or_default(),
        target: match w.outcome {
            Some(Outcome::Referred) => super::model::department_zh(&w.target).unwrap_or_default().to_string(),
            Some(Outcome::Applied) => program_name(&w.target),
            _ => String::new(),
        },
        overdue: w.overdue(today),
        steps: steps
            .iter()
            .map(|st| StepRow {
                step: step_label(&st.step, lang).into(),
                note: st.note.clone(),
                by: crate::pages::person(s, &st.by_name),
                on: st.on_day.to_string(),
            })
            .collect(),
        may_visit: handles && w.status.undecided(),
        may_handle: handles && w.status.undecided(),
        may_report: handles && w.status == WarningStatus::Handled,
        may_escalate: handles && p.region.level() <= RegionLevel::Street && !w.escalated && w.overdue(today),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Opt { code: o.as_str().into(), label: pick(lang, o.zh(), o.en()).into(), selected: typed.outcome == o.as_str() })
            .collect(),
        programs: programs.iter().map(|c| Opt { selected: typed.target == *c, label: program_name(c), code: c.clone() }).collect(),
        departments: DEPARTMENTS
            .iter()
            .map(|(c, zh)| Opt { code: (*c).into(), label: (*zh).into(), selected: typed.target == *c })
            .collect(),
        apply_href: if p.role.sees_full_identity() { format!("/cases/new?applicant={}", w.id_number) } else { "/cases/new".into() },
        w,
        typed,
        error,
    };
    Ok((status, render(&view)?).into_response())
}

/// `GET /monitoring/warnings/{id}`: the warning, what the data said, its history, the steps.
pub(super) async fn warning(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    warning_page(&s, &who, id, ActForm::default(), None).await
}

/// `POST /monitoring/warnings/{id}/act`: a step from the warning's page.
pub(super) async fn form_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<ActForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let step = match step_of(&f.action, &f.findings, &f.outcome, &f.target, &f.note) {
        Ok(step) => step,
        Err(e) => {
            let message = tr(lang, &e.zh, &e.en);
            return warning_page(&s, &who, id, f, Some(message)).await;
        }
    };
    let seen = WarningStatus::parse(&f.seen_status);
    match service::act(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, step, seen).await {
        Ok(_) => Ok(Redirect::to(&format!("/monitoring/warnings/{id}")).into_response()),
        Err(e) if e.is_input() => warning_page(&s, &who, id, f, Some(both(lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) struct PopulationRow {
    area: String,
    counts: Vec<i64>,
    total: i64,
}

pub(super) struct OutcomeRow {
    county: String,
    rule: String,
    raised: i64,
    open: i64,
    applied: i64,
    referred: i64,
    other: i64,
    conversion: String,
}

#[derive(Template)]
#[template(path = "monitoring_population.html")]
pub(super) struct PopulationPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    region: String,
    region_name: String,
    categories: Vec<String>,
    rows: Vec<PopulationRow>,
    outcomes: Vec<OutcomeRow>,
}

/// `GET /monitoring/population?region=`: the monitored population per area and category, and
/// what became of the warnings (conversion to applications) per county and rule.
pub(super) async fn population(State(s): State<AppState>, who: Authenticated, Query(q): Query<QueueParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let region = region_of(&q)?;
    let (region, counts, outcomes) = service::population(s.store.as_ref(), &who.principal, region.as_ref()).await?;
    let categories = &s.engine.policy.categories;
    let mut by_area: std::collections::BTreeMap<String, Vec<i64>> = std::collections::BTreeMap::new();
    for c in &counts {
        let row = by_area.entry(c.area.clone()).or_insert_with(|| vec![0; categories.len()]);
        if let Some(i) = categories.iter().position(|k| k.code == c.key) {
            row[i] += c.count;
        }
    }
    let name = |code: &str| RegionCode::parse(code).map(|c| region_label(&s, &c, lang)).unwrap_or_else(|_| code.to_string());
    let mut by_rule: std::collections::BTreeMap<(String, String), [i64; 4]> = std::collections::BTreeMap::new();
    for o in &outcomes {
        let (rule, outcome) = o.key.split_once('/').unwrap_or((o.key.as_str(), ""));
        let slot = by_rule.entry((o.area.clone(), rule.to_string())).or_default();
        let i = match outcome {
            "open" => 0,
            "applied" => 1,
            "referred" => 2,
            _ => 3,
        };
        slot[i] += o.count;
    }
    let view = PopulationPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        region_name: region_label(&s, &region, lang),
        region: region.to_string(),
        categories: categories.iter().map(|c| tr(lang, &c.zh, &c.en)).collect(),
        rows: by_area.into_iter().map(|(area, counts)| PopulationRow { area: name(&area), total: counts.iter().sum(), counts }).collect(),
        outcomes: by_rule
            .into_iter()
            .map(|((county, rule), [open, applied, referred, other])| {
                let raised = open + applied + referred + other;
                let decided = applied + referred + other;
                OutcomeRow {
                    county: name(&county),
                    rule: rule_name(&s, &rule, lang),
                    raised,
                    open,
                    applied,
                    referred,
                    other,
                    conversion: if decided > 0 { format!("{:.1}%", applied as f64 * 100.0 / decided as f64) } else { "—".into() },
                }
            })
            .collect(),
    };
    Ok(render(&view)?.into_response())
}
