//! The key tasks' JSON API and pages. Handlers parse, call the use cases (`service.rs`) and
//! render; a refused or invalid report comes back as the page with the form as it was typed and
//! the message beside it.

use super::model::{parse_month, Judgement, KeyTask, Progress, TaskStatus};
use super::service::{self, Report, TaskFailure, TaskRow};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_app::registry::AccessError;
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;

impl From<TaskFailure> for AppError {
    fn from(e: TaskFailure) -> AppError {
        match e {
            TaskFailure::Access(a) => a.into(),
            TaskFailure::Invalid(ref i) => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", i.zh(), i.en()),
            TaskFailure::Store(s) => s.into(),
        }
    }
}

// ---- API ----

/// `?region=`: only the tasks of a region (and above or below it).
#[derive(Deserialize, Default)]
pub(super) struct RegionParam {
    region: Option<String>,
}

fn region_of(p: &RegionParam) -> Result<Option<RegionCode>, AppError> {
    p.region.as_deref().filter(|r| !r.trim().is_empty()).map(crate::platform::api::parse_region).transpose()
}

pub(super) async fn api_list(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Json<Vec<TaskRow>>, AppError> {
    Ok(Json(service::list(s.store.as_ref(), &who.principal, region_of(&q)?.as_ref(), s.clock.today()).await?))
}

#[derive(serde::Serialize)]
pub(super) struct TaskWithProgress {
    #[serde(flatten)]
    task: TaskRow,
    progress: Vec<Progress>,
}

pub(super) async fn api_one(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<TaskWithProgress>, AppError> {
    let (task, progress) = service::one(s.store.as_ref(), &who.principal, id, s.clock.today()).await?;
    Ok(Json(TaskWithProgress { task, progress }))
}

#[derive(Deserialize)]
pub(super) struct NewTask {
    number: i64,
    title: String,
    work: String,
    unit: String,
    #[serde(default)]
    responsible: String,
    /// Default: the account's region.
    region: Option<String>,
    deadline: Option<chrono::NaiveDate>,
}

fn task_of(who: &Authenticated, t: NewTask) -> Result<KeyTask, AppError> {
    let region = match t.region.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(r) => crate::platform::api::parse_region(r)?,
        None => who.principal.region.clone(),
    };
    Ok(KeyTask {
        id: 0,
        number: t.number,
        title: t.title,
        work: t.work,
        unit: t.unit,
        responsible: t.responsible,
        region,
        deadline: t.deadline,
    })
}

/// `POST /api/tasks` (needs `x-csrf-token`): enters one task; 201 when new, 200 when it was there.
pub(super) async fn api_add(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(t): Json<NewTask>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let task = task_of(&who, t)?;
    let added = service::add(s.store.as_ref(), &who.cx(s.clock.today()), std::slice::from_ref(&task), "api").await?;
    let status = if added > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(serde_json::json!({ "added": added }))).into_response())
}

#[derive(Deserialize)]
pub(super) struct ReportRequest {
    /// `2026-05` (or any day of the month).
    month: String,
    progress: String,
    judgement: Judgement,
    #[serde(default)]
    problems: String,
}

fn bad_month(text: &str) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "bad_month",
        format!("月份“{text}”无法识别，请写成 2026-05"),
        format!("month {text:?} not understood; write it as 2026-05"),
    )
}

/// `POST /api/tasks/{id}/progress` (needs `x-csrf-token`): a month's report.
pub(super) async fn api_report(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<ReportRequest>,
) -> Result<(StatusCode, Json<Progress>), AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let month = parse_month(&r.month).ok_or_else(|| bad_month(&r.month))?;
    let report = Report { month, progress: r.progress, judgement: r.judgement, problems: r.problems };
    let p = service::report(s.store.as_ref(), &who.cx(s.clock.today()), id, report).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

// ---- pages ----

/// The words of the key tasks' pages.
pub(super) struct TaskText {
    pub title: &'static str,
    pub hint: &'static str,
    pub number: &'static str,
    pub task: &'static str,
    pub work: &'static str,
    pub unit: &'static str,
    pub responsible: &'static str,
    pub deadline: &'static str,
    pub status: &'static str,
    pub latest: &'static str,
    pub month: &'static str,
    pub progress: &'static str,
    pub judgement: &'static str,
    pub problems: &'static str,
    pub recorded_by: &'static str,
    pub report: &'static str,
    pub submit: &'static str,
    pub none: &'static str,
    pub not_this_month: &'static str,
    pub history: &'static str,
    pub back: &'static str,
    pub add: &'static str,
    pub region: &'static str,
    pub closed: &'static str,
}

const ZH: TaskText = TaskText {
    title: "重点工作推进表",
    hint: "各项重点工作的责任单位、完成时限和每月进展；逾期和本月未填报的任务标出。",
    number: "序号",
    task: "重点工作",
    work: "具体工作",
    unit: "责任单位",
    responsible: "责任人",
    deadline: "完成时限",
    status: "状态",
    latest: "最近进展",
    month: "月份",
    progress: "进展情况",
    judgement: "目标完成情况判断",
    problems: "存在问题及原因",
    recorded_by: "填报人",
    report: "填报本月进展",
    submit: "提交",
    none: "暂无任务",
    not_this_month: "本月未填报",
    history: "历次进展",
    back: "返回推进表",
    add: "新增任务",
    region: "责任区划",
    closed: "该任务已完成，不再填报进展。",
};

const EN: TaskText = TaskText {
    title: "Key-task progress",
    hint: "Each key task with its owner, deadline and monthly progress; overdue tasks and tasks not reported this month are marked.",
    number: "No.",
    task: "Key task",
    work: "Work",
    unit: "Owner",
    responsible: "Responsible",
    deadline: "Deadline",
    status: "Status",
    latest: "Latest progress",
    month: "Month",
    progress: "Progress",
    judgement: "Judgement",
    problems: "Problems and causes",
    recorded_by: "Reported by",
    report: "Report this month's progress",
    submit: "Submit",
    none: "No tasks yet",
    not_this_month: "not reported this month",
    history: "Progress so far",
    back: "Back to the table",
    add: "Add a task",
    region: "Region",
    closed: "The task is done; it takes no more progress.",
};

fn words(lang: Lang) -> &'static TaskText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

fn status_label(s: TaskStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.zh(),
        Lang::En => s.en(),
    }
}

fn judgement_label(j: Judgement, lang: Lang) -> &'static str {
    match (lang, j) {
        (Lang::Zh, j) => j.zh(),
        (Lang::En, Judgement::OnTrack) => "on track",
        (Lang::En, Judgement::Late) => "late",
        (Lang::En, Judgement::Done) => "done",
    }
}

pub(super) struct Row {
    id: i64,
    number: i64,
    title: String,
    work: String,
    unit: String,
    responsible: String,
    deadline: String,
    status: &'static str,
    status_code: &'static str,
    latest: String,
    not_this_month: bool,
}

fn row_of(r: &TaskRow, lang: Lang) -> Row {
    Row {
        id: r.task.id,
        number: r.task.number,
        title: r.task.title.clone(),
        work: r.task.work.clone(),
        unit: r.task.unit.clone(),
        responsible: r.task.responsible.clone(),
        deadline: r.task.deadline.map(|d| d.to_string()).unwrap_or_default(),
        status: status_label(r.status, lang),
        status_code: r.status.as_str(),
        latest: r.latest.as_ref().map(|p| format!("{}：{}", p.month.format("%Y-%m"), p.progress)).unwrap_or_default(),
        not_this_month: !r.reported_this_month,
    }
}

pub(super) struct Count {
    label: &'static str,
    n: usize,
}

#[derive(Template)]
#[template(path = "tasks.html")]
pub(super) struct ListPage {
    t: &'static Text,
    w: &'static TaskText,
    user: Option<UserBar>,
    rows: Vec<Row>,
    counts: Vec<Count>,
    may_add: bool,
    csrf: String,
    form: AddForm,
    error: Option<String>,
}

pub(super) async fn list_page(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    list_response(&s, &who, region_of(&q)?, AddForm::default(), None).await
}

async fn list_response(
    s: &AppState,
    who: &Authenticated,
    region: Option<RegionCode>,
    form: AddForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tasks = service::list(s.store.as_ref(), &who.principal, region.as_ref(), s.clock.today()).await?;
    let counts = TaskStatus::ALL
        .iter()
        .map(|st| Count { label: status_label(*st, who.lang), n: tasks.iter().filter(|r| r.status == *st).count() })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ListPage {
        t: who.lang.text(),
        w: words(who.lang),
        user: Some(UserBar::of(who)),
        rows: tasks.iter().map(|r| row_of(r, who.lang)).collect(),
        counts,
        may_add: who.principal.may(Permission::ManageTasks),
        csrf: who.session.csrf_token.clone(),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// The add-a-task form, as typed.
#[derive(Deserialize, Default)]
pub(super) struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    work: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    deadline: String,
}

pub(super) async fn form_add(State(s): State<AppState>, who: Authenticated, Form(f): Form<AddForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let both = |zh: String, en: String| if who.lang == Lang::En { en } else { zh };
    let number: Result<i64, _> = f.number.trim().parse();
    let deadline = match f.deadline.trim() {
        "" => Ok(None),
        d => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map(Some),
    };
    let (number, deadline) = match (number, deadline) {
        (Ok(n), Ok(d)) => (n, d),
        (Err(_), _) => {
            let e = both("任务序号应为正整数".into(), "the task number is a positive whole number".into());
            return list_response(&s, &who, None, f, Some(e)).await;
        }
        (_, Err(_)) => {
            let e =
                both(format!("完成时限“{}”应写成 2026-12-31", f.deadline), format!("deadline {:?}: write it as 2026-12-31", f.deadline));
            return list_response(&s, &who, None, f, Some(e)).await;
        }
    };
    let new = NewTask {
        number,
        title: f.title.trim().to_string(),
        work: f.work.trim().to_string(),
        unit: f.unit.trim().to_string(),
        responsible: f.responsible.trim().to_string(),
        region: Some(f.region.clone()),
        deadline,
    };
    let task = match task_of(&who, new) {
        Ok(t) => t,
        Err(e) => return list_response(&s, &who, None, f, Some(both(e.zh, e.en))).await,
    };
    match service::add(s.store.as_ref(), &who.cx(s.clock.today()), std::slice::from_ref(&task), "form").await {
        Ok(_) => Ok(Redirect::to("/tasks").into_response()),
        Err(e @ (TaskFailure::Invalid(_) | TaskFailure::Access(AccessError::OutOfScope))) => {
            list_response(&s, &who, None, f, Some(both(e.zh(), e.en()))).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) struct HistoryRow {
    month: String,
    progress: String,
    judgement: &'static str,
    problems: String,
    recorded_by: String,
}

pub(super) struct Choice {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "task.html")]
pub(super) struct TaskPage {
    t: &'static Text,
    w: &'static TaskText,
    user: Option<UserBar>,
    row: Row,
    history: Vec<HistoryRow>,
    may_report: bool,
    done: bool,
    csrf: String,
    month: String,
    progress: String,
    problems: String,
    judgements: Vec<Choice>,
    error: Option<String>,
}

pub(super) async fn task_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let form = ReportForm { month: s.clock.today().format("%Y-%m").to_string(), judgement: "on_track".into(), ..Default::default() };
    task_response(&s, &who, id, form, None).await
}

async fn task_response(s: &AppState, who: &Authenticated, id: i64, form: ReportForm, error: Option<String>) -> Result<Response, AppError> {
    let (row, history) = service::one(s.store.as_ref(), &who.principal, id, s.clock.today()).await?;
    let lang = who.lang;
    let done = row.status == TaskStatus::Done;
    let may_report = who.principal.may(Permission::ReportProgress) && who.principal.in_scope(&row.task.region) && !done;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = TaskPage {
        t: lang.text(),
        w: words(lang),
        user: Some(UserBar::of(who)),
        row: row_of(&row, lang),
        history: history
            .iter()
            .rev()
            .map(|p| HistoryRow {
                month: p.month.format("%Y-%m").to_string(),
                progress: p.progress.clone(),
                judgement: judgement_label(p.judgement, lang),
                problems: p.problems.clone(),
                recorded_by: crate::pages::person(s, &p.recorded_by),
            })
            .collect(),
        may_report,
        done,
        csrf: who.session.csrf_token.clone(),
        judgements: Judgement::ALL
            .iter()
            .map(|j| Choice { code: j.as_str(), label: judgement_label(*j, lang), selected: j.as_str() == form.judgement })
            .collect(),
        month: form.month,
        progress: form.progress,
        problems: form.problems,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// The report form, as typed.
#[derive(Deserialize, Default)]
pub(super) struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    progress: String,
    #[serde(default)]
    judgement: String,
    #[serde(default)]
    problems: String,
}

pub(super) async fn form_report(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let both = |zh: String, en: String| if who.lang == Lang::En { en } else { zh };
    let Some(month) = parse_month(&f.month) else {
        let e = bad_month(&f.month);
        return task_response(&s, &who, id, f, Some(both(e.zh, e.en))).await;
    };
    let Some(judgement) = Judgement::parse(&f.judgement) else {
        let e = both("请选择目标完成情况判断".into(), "choose a judgement".into());
        return task_response(&s, &who, id, f, Some(e)).await;
    };
    let report = Report { month, progress: f.progress.clone(), judgement, problems: f.problems.clone() };
    match service::report(s.store.as_ref(), &who.cx(s.clock.today()), id, report).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e @ TaskFailure::Invalid(_)) => task_response(&s, &who, id, f, Some(both(e.zh(), e.en()))).await,
        Err(e) => Err(e.into()),
    }
}
