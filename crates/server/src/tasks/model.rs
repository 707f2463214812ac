//! The key tasks and their monthly progress, pure: what a task is, what a month's report says,
//! which status follows, and what may not be recorded.

use chrono::{Datelike, NaiveDate};
use minzheng_domain::{Bilingual, RegionCode};
use serde::{Deserialize, Serialize};

/// 重点工作: one task of the year's work plan (the government work report's numbered tasks, as
/// the bureau's progress table lists them), with who answers for it and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyTask {
    /// Store key; 0 before it is stored.
    pub id: i64,
    /// 第 X 项: the task's number in the work report.
    pub number: i64,
    /// 重点工作: the task as the report words it.
    pub title: String,
    /// 具体工作: what the bureau does for it.
    pub work: String,
    /// 责任单位 (a division of the bureau, a district office ...).
    pub unit: String,
    /// 责任人.
    pub responsible: String,
    /// The region whose offices answer for the task (the city, or a county or street).
    pub region: RegionCode,
    /// 完成时限.
    pub deadline: Option<NaiveDate>,
}

/// 目标完成情况判断: the owner's own judgement in a month's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// 正常推进
    OnTrack,
    /// 滞后
    Late,
    /// 已完成
    Done,
}

impl Judgement {
    pub const ALL: [Judgement; 3] = [Judgement::OnTrack, Judgement::Late, Judgement::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            Judgement::OnTrack => "on_track",
            Judgement::Late => "late",
            Judgement::Done => "done",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Judgement::OnTrack => "正常推进",
            Judgement::Late => "滞后",
            Judgement::Done => "已完成",
        }
    }

    /// The code or the words a progress table uses (正常推进, 进度滞后, 已完成, 完成 ...).
    pub fn parse(text: &str) -> Option<Judgement> {
        let t = text.trim();
        Judgement::ALL.iter().copied().find(|j| j.as_str() == t || j.zh() == t).or(match t {
            "按进度推进" | "正常" | "推进中" => Some(Judgement::OnTrack),
            "进度滞后" | "未按期推进" => Some(Judgement::Late),
            "完成" | "已完成目标" | "全面完成" => Some(Judgement::Done),
            _ => None,
        })
    }
}

/// 月度进展: what the owner reported for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub task_id: i64,
    /// The month reported (its first day).
    pub month: NaiveDate,
    /// 进展情况.
    pub progress: String,
    pub judgement: Judgement,
    /// 存在问题及原因.
    pub problems: String,
    pub recorded_by: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// Where a task stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// 未填报: no month reported yet.
    NotReported,
    /// 正常推进
    OnTrack,
    /// 滞后: the owner's last report says so.
    Late,
    /// 逾期: past its deadline and not done.
    Overdue,
    /// 已完成
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] =
        [TaskStatus::NotReported, TaskStatus::OnTrack, TaskStatus::Late, TaskStatus::Overdue, TaskStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotReported => "not_reported",
            TaskStatus::OnTrack => "on_track",
            TaskStatus::Late => "late",
            TaskStatus::Overdue => "overdue",
            TaskStatus::Done => "done",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            TaskStatus::NotReported => "未填报",
            TaskStatus::OnTrack => "正常推进",
            TaskStatus::Late => "滞后",
            TaskStatus::Overdue => "逾期",
            TaskStatus::Done => "已完成",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            TaskStatus::NotReported => "not reported",
            TaskStatus::OnTrack => "on track",
            TaskStatus::Late => "late",
            TaskStatus::Overdue => "overdue",
            TaskStatus::Done => "done",
        }
    }
}

/// The status of a task on `today`, from its latest report: done once reported done; overdue
/// past its deadline; else the latest judgement.
pub fn status(task: &KeyTask, latest: Option<&Progress>, today: NaiveDate) -> TaskStatus {
    match latest.map(|p| p.judgement) {
        Some(Judgement::Done) => TaskStatus::Done,
        _ if task.deadline.is_some_and(|d| d < today) => TaskStatus::Overdue,
        Some(Judgement::Late) => TaskStatus::Late,
        Some(Judgement::OnTrack) => TaskStatus::OnTrack,
        None => TaskStatus::NotReported,
    }
}

/// The first day of the month of `day`.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// A month as typed: `2026-05`, `2026-5`, `2026年5月` or a date in it.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let t = text.trim().trim_end_matches('月').replace(['年', '/', '.'], "-");
    let mut parts = t.split('-');
    let year: i32 = parts.next()?.trim().parse().ok()?;
    let month: u32 = parts.next()?.trim().parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// A report or a task that cannot be recorded, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error("the task needs {0}")]
    Missing(&'static str),
    #[error("the month {} has not begun", .0.format("%Y-%m"))]
    FutureMonth(NaiveDate),
    #[error("the progress needs at least 4 characters")]
    ShortProgress,
    #[error("the task was reported done; it takes no further progress")]
    Closed,
    #[error("the month {} is already reported", .0.format("%Y-%m"))]
    MonthReported(NaiveDate),
    #[error("a task number is a positive whole number")]
    BadNumber,
}

impl Bilingual for TaskError {
    fn zh(&self) -> String {
        match self {
            TaskError::Missing(what) => format!("请填写{}", field_zh(what)),
            TaskError::FutureMonth(m) => format!("{} 年 {} 月尚未开始，不能填报", m.year(), m.month()),
            TaskError::ShortProgress => "进展情况至少写 4 个字".into(),
            TaskError::Closed => "该任务已填报完成，不再接受进展".into(),
            TaskError::MonthReported(m) => format!("{} 年 {} 月的进展已填报", m.year(), m.month()),
            TaskError::BadNumber => "任务序号应为正整数".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

fn field_zh(what: &str) -> &'static str {
    match what {
        "a title" => "重点工作",
        "a unit" => "责任单位",
        _ => "具体工作",
    }
}

/// Checks a task before it is stored.
pub fn check_task(t: &KeyTask) -> Result<(), TaskError> {
    if t.number <= 0 {
        return Err(TaskError::BadNumber);
    }
    if t.title.trim().is_empty() {
        return Err(TaskError::Missing("a title"));
    }
    if t.work.trim().is_empty() {
        return Err(TaskError::Missing("the work"));
    }
    if t.unit.trim().is_empty() {
        return Err(TaskError::Missing("a unit"));
    }
    Ok(())
}

/// Checks a month's report against the task's reports so far (newest last) on `today`.
pub fn check_progress(p: &Progress, earlier: &[Progress], today: NaiveDate) -> Result<(), TaskError> {
    if p.month > month_of(today) {
        return Err(TaskError::FutureMonth(p.month));
    }
    if p.progress.trim().chars().count() < 4 {
        return Err(TaskError::ShortProgress);
    }
    if earlier.iter().any(|e| e.judgement == Judgement::Done) {
        return Err(TaskError::Closed);
    }
    if earlier.iter().any(|e| e.month == p.month) {
        return Err(TaskError::MonthReported(p.month));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn task(deadline: Option<&str>) -> KeyTask {
        KeyTask {
            id: 1,
            number: 176,
            title: "进一步发挥社区基础作用".into(),
            work: "修订社区工作者管理办法".into(),
            unit: "基层政权建设处".into(),
            responsible: "张处长".into(),
            region: RegionCode::parse("2101").expect("沈阳市"),
            deadline: deadline.map(day),
        }
    }

    fn report(month: &str, judgement: Judgement) -> Progress {
        Progress {
            task_id: 1,
            month: day(month),
            progress: "已形成星级社区评价指标框架".into(),
            judgement,
            problems: String::new(),
            recorded_by: "city".into(),
            recorded_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_status_follows_the_latest_report_and_the_deadline() {
        let today = day("2026-06-15");
        assert_eq!(status(&task(None), None, today), TaskStatus::NotReported);
        assert_eq!(status(&task(None), Some(&report("2026-05-01", Judgement::OnTrack)), today), TaskStatus::OnTrack);
        assert_eq!(status(&task(None), Some(&report("2026-05-01", Judgement::Late)), today), TaskStatus::Late);
        assert_eq!(status(&task(Some("2026-05-31")), Some(&report("2026-05-01", Judgement::OnTrack)), today), TaskStatus::Overdue);
        assert_eq!(status(&task(Some("2026-05-31")), Some(&report("2026-05-01", Judgement::Done)), today), TaskStatus::Done);
    }

    #[test]
    fn a_done_task_a_future_month_and_a_second_report_of_a_month_are_refused() {
        let today = day("2026-06-15");
        let may = report("2026-05-01", Judgement::OnTrack);
        assert_eq!(check_progress(&report("2026-07-01", Judgement::OnTrack), &[], today), Err(TaskError::FutureMonth(day("2026-07-01"))));
        assert_eq!(
            check_progress(&report("2026-05-01", Judgement::Late), std::slice::from_ref(&may), today),
            Err(TaskError::MonthReported(day("2026-05-01")))
        );
        assert_eq!(
            check_progress(&report("2026-06-01", Judgement::OnTrack), &[report("2026-05-01", Judgement::Done)], today),
            Err(TaskError::Closed)
        );
        let short = Progress { progress: "推进".into(), ..report("2026-06-01", Judgement::OnTrack) };
        assert_eq!(check_progress(&short, std::slice::from_ref(&may), today), Err(TaskError::ShortProgress));
        assert_eq!(check_progress(&report("2026-06-01", Judgement::Done), &[may], today), Ok(()));
        assert!(TaskError::Closed.zh().contains("已填报完成"));
    }

    #[test]
    fn months_and_judgements_are_read_as_tables_write_them() {
        for t in ["2021-05", "2021-5", "2021年5月", "2021/05", "2021-05-31"] {
            assert_eq!(parse_month(t), Some(day("2021-05-01")), "{t}");
        }
        assert_eq!(parse_month("五月"), None);
        assert_eq!(Judgement::parse("正常推进"), Some(Judgement::OnTrack));
        assert_eq!(Judgement::parse(" 进度滞后 "), Some(Judgement::Late));
        assert_eq!(Judgement::parse("已完成"), Some(Judgement::Done));
        assert_eq!(Judgement::parse("很好"), None);
        assert_eq!(check_task(&KeyTask { unit: " ".into(), ..task(None) }), Err(TaskError::Missing("a unit")));
        assert_eq!(check_task(&KeyTask { number: 0, ..task(None) }), Err(TaskError::BadNumber));
    }
}
