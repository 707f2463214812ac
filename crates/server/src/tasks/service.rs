//! The key tasks' use cases: who may read, report and enter tasks, in which region, and the
//! audit of every change (written by the store in the change's transaction).

use super::model::{check_progress, check_task, month_of, status, Judgement, KeyTask, Progress, TaskError, TaskStatus};
use super::store::task_store;
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Permission, Principal, RegionCode};
use minzheng_store::{Store, StoreError};

/// A task with where it stands.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskRow {
    #[serde(flatten)]
    pub task: KeyTask,
    pub latest: Option<Progress>,
    pub status: TaskStatus,
    /// Whether the month of `today` is reported (or the task is done).
    pub reported_this_month: bool,
}

/// Why a key-task use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum TaskFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Invalid(#[from] TaskError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Bilingual for TaskFailure {
    fn zh(&self) -> String {
        match self {
            TaskFailure::Access(e) => e.zh(),
            TaskFailure::Invalid(e) => e.zh(),
            TaskFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            TaskFailure::Access(e) => e.en(),
            TaskFailure::Invalid(e) => e.en(),
            TaskFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

/// A task is seen by the accounts of its region and above (who answer for it or oversee it), and
/// by those below, whose offices contribute to it.
fn visible(who: &Principal, task: &KeyTask) -> bool {
    who.in_scope(&task.region) || task.region.contains(&who.region)
}

fn row(task: KeyTask, latest: Option<Progress>, today: chrono::NaiveDate) -> TaskRow {
    let status = status(&task, latest.as_ref(), today);
    let reported_this_month = status == TaskStatus::Done || latest.as_ref().is_some_and(|p| p.month == month_of(today));
    TaskRow { task, latest, status, reported_this_month }
}

/// The tasks the account may see (those of `region` and above or below it, when named), with
/// their status on `today`, by region and number.
pub async fn list(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    today: chrono::NaiveDate,
) -> Result<Vec<TaskRow>, TaskFailure> {
    if !who.may(Permission::ReadTasks) {
        return Err(AccessError::Forbidden.into());
    }
    if let Some(r) = region {
        if !who.in_scope(r) && !r.contains(&who.region) {
            return Err(AccessError::OutOfScope.into());
        }
    }
    let related = |t: &KeyTask| region.is_none_or(|r| r.contains(&t.region) || t.region.contains(r));
    let tasks = task_store(store);
    let mut latest: std::collections::HashMap<i64, Progress> = tasks.latest_progress().await?.into_iter().map(|p| (p.task_id, p)).collect();
    Ok(tasks
        .tasks()
        .await?
        .into_iter()
        .filter(|t| visible(who, t) && related(t))
        .map(|t| {
            let l = latest.remove(&t.id);
            row(t, l, today)
        })
        .collect())
}

/// One task with its reports, oldest first.
pub async fn one(store: &dyn Store, who: &Principal, id: i64, today: chrono::NaiveDate) -> Result<(TaskRow, Vec<Progress>), TaskFailure> {
    if !who.may(Permission::ReadTasks) {
        return Err(AccessError::Forbidden.into());
    }
    let tasks = task_store(store);
    let task = tasks.task(id).await?.ok_or(AccessError::NotFound)?;
    if !visible(who, &task) {
        return Err(AccessError::OutOfScope.into());
    }
    let history = tasks.progress_of(id).await?;
    Ok((row(task, history.last().cloned(), today), history))
}

/// What a month's report says.
#[derive(Debug, Clone)]
pub struct Report {
    pub month: chrono::NaiveDate,
    pub progress: String,
    pub judgement: Judgement,
    pub problems: String,
}

/// Records a month's progress of a task the account answers for (its region within the
/// account's), checked against the reports so far.
pub async fn report(store: &dyn Store, cx: &RequestContext<'_>, id: i64, r: Report) -> Result<Progress, TaskFailure> {
    let RequestContext { who, actor, today } = *cx;
    if !who.may(Permission::ReportProgress) {
        return Err(AccessError::Forbidden.into());
    }
    let tasks = task_store(store);
    let task = tasks.task(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&task.region) {
        return Err(AccessError::OutOfScope.into());
    }
    let earlier = tasks.progress_of(id).await?;
    let p = Progress {
        task_id: id,
        month: month_of(r.month),
        progress: r.progress.trim().to_string(),
        judgement: r.judgement,
        problems: r.problems.trim().to_string(),
        recorded_by: actor.name.clone(),
        recorded_at: chrono::Utc::now(),
    };
    check_progress(&p, &earlier, today)?;
    match tasks.add_progress(&p, actor).await {
        // Another report of the same month got in first.
        Err(StoreError::Conflict(_)) => Err(TaskError::MonthReported(p.month).into()),
        other => other.map(|()| p).map_err(Into::into),
    }
}

/// Enters tasks of the account's region (or below); returns how many were new.
pub async fn add(store: &dyn Store, cx: &RequestContext<'_>, tasks: &[KeyTask], source: &str) -> Result<u64, TaskFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ManageTasks) {
        return Err(AccessError::Forbidden.into());
    }
    for t in tasks {
        check_task(t)?;
        if !who.in_scope(&t.region) {
            return Err(AccessError::OutOfScope.into());
        }
    }
    Ok(task_store(store).add_tasks(tasks, source, actor).await?)
}
