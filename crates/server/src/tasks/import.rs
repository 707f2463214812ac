//! The progress table as bureaus keep it (a sheet: 第X项重点工作, 重点工作, 具体工作, 责任单位,
//! 责任人, 完成时限, 进展情况, 目标完成情况判断, 存在问题及原因), read into tasks and a month's
//! reports. A task's number and title stand on its first row only (merged cells in Excel); the
//! rows below it carry them on. A row in error is reported with its number and reason, and the
//! others go in.

use super::model::{check_task, Judgement, KeyTask};
use super::service::{self, Report, TaskFailure};
use minzheng_app::sheet::{self, Cell, Row};
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, RegionCode};
use minzheng_store::Store;

/// The table shipped for the demo: the Shenyang bureau's progress table of the 2021 work
/// report's tasks, first five months (seed 000, as published).
pub const SHENYANG_2021_05: &str = include_str!("../../../../data/key-tasks-2021-05.csv");

/// A row of the table: a task and what it reports for the month.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub row: usize,
    pub task: KeyTask,
    pub report: Option<(String, Judgement, String)>,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub zh: String,
    pub en: String,
}

fn known(h: &str) -> bool {
    column(h).is_some()
}

/// The column a header names.
fn column(h: &str) -> Option<&'static str> {
    Some(match h {
        "第X项重点工作" | "第x项重点工作" | "序号" | "任务序号" | "项次" => "number",
        "重点工作" | "重点任务" | "工作任务" => "title",
        "具体工作" | "具体措施" => "work",
        "责任单位" | "牵头单位" | "责任处室" => "unit",
        "责任人" => "responsible",
        "完成时限" | "时限" => "deadline",
        "进展情况" | "前5个月进展情况" | "工作进展" | "推进情况" => "progress",
        "目标完成情况判断" | "完成情况判断" | "进度判断" => "judgement",
        "存在问题及原因" | "存在问题" => "problems",
        _ => return None,
    })
}

/// Reads a table (file name decides .csv or a workbook) into rows for tasks of `region`.
pub fn read_table(name: &str, bytes: Vec<u8>, region: &RegionCode) -> Result<(Vec<TableRow>, Vec<RowError>), RowError> {
    let sheet =
        sheet::read_bytes(name, bytes, known)
            .map_err(|e| RowError { row: 0, zh: format!("无法读取表格：{e}"), en: e.to_string() })?;
    let cols: Vec<Option<&'static str>> = sheet.headers.iter().map(|h| column(h)).collect();
    for needed in ["work", "unit"] {
        if !cols.contains(&Some(needed)) {
            let zh = if needed == "work" { "具体工作" } else { "责任单位" };
            return Err(RowError {
                row: 1, zh: format!("表格缺少“{zh}”列"), en: format!("the table has no {needed} column ({zh})")
            });
        }
    }
    let get = |r: &Row, c: &str| -> String {
        cols.iter().position(|x| *x == Some(c)).and_then(|i| r.cells.get(i)).map(Cell::text).unwrap_or_default().trim().to_string()
    };
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let (mut number, mut title) = (None::<i64>, String::new());
    for r in &sheet.rows {
        let n = get(r, "number");
        if !n.is_empty() {
            match n.trim_start_matches('第').trim_end_matches('项').trim().parse::<i64>() {
                Ok(v) => {
                    number = Some(v);
                    title = get(r, "title");
                }
                Err(_) => {
                    errors.push(RowError {
                        row: r.number,
                        zh: format!("任务序号“{n}”应为数字"),
                        en: format!("task number {n:?} is not a number"),
                    });
                    number = None;
                    continue;
                }
            }
        } else if !get(r, "title").is_empty() {
            title = get(r, "title");
        }
        let Some(number) = number else {
            errors.push(RowError {
                row: r.number, zh: "该行前没有任务序号".into(), en: "no task number on or above this row".into()
            });
            continue;
        };
        let deadline_text = get(r, "deadline");
        let deadline = match deadline_text.as_str() {
            "" => None,
            d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(RowError {
                        row: r.number,
                        zh: format!("完成时限“{d}”应写成 2026-12-31"),
                        en: format!("deadline {d:?}: write it as 2026-12-31"),
                    });
                    continue;
                }
            },
        };
        let task = KeyTask {
            id: 0,
            number,
            title: if title.is_empty() { get(r, "work") } else { title.clone() },
            work: get(r, "work"),
            unit: get(r, "unit"),
            responsible: get(r, "responsible"),
            region: region.clone(),
            deadline,
        };
        if let Err(e) = check_task(&task) {
            errors.push(RowError { row: r.number, zh: e.zh(), en: e.en() });
            continue;
        }
        let progress = get(r, "progress");
        let report = if progress.is_empty() {
            None
        } else {
            let j = get(r, "judgement");
            match Judgement::parse(&j) {
                Some(judgement) => Some((progress, judgement, get(r, "problems"))),
                None => {
                    errors.push(RowError {
                        row: r.number,
                        zh: format!("目标完成情况判断“{j}”应为 正常推进、滞后 或 已完成"),
                        en: format!("judgement {j:?} must be 正常推进, 滞后 or 已完成"),
                    });
                    continue;
                }
            }
        };
        rows.push(TableRow { row: r.number, task, report });
    }
    Ok((rows, errors))
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub tasks_added: u64,
    pub reports_added: usize,
    /// Rows whose month was reported before (or whose task was done): (row, reason).
    pub reports_refused: Vec<(usize, String)>,
}

/// Stores the table's tasks and its reports for `month` (as `who`, checked as every entry is).
pub async fn import(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    rows: &[TableRow],
    month: chrono::NaiveDate,
    source: &str,
) -> Result<ImportOutcome, TaskFailure> {
    let tasks: Vec<KeyTask> = rows.iter().map(|r| r.task.clone()).collect();
    let mut out = ImportOutcome { tasks_added: service::add(store, cx, &tasks, source).await?, ..Default::default() };
    let stored = super::store::task_store(store).tasks().await?;
    for r in rows {
        let Some((progress, judgement, problems)) = &r.report else { continue };
        let Some(id) =
            stored.iter().find(|t| t.region == r.task.region && t.number == r.task.number && t.work == r.task.work).map(|t| t.id)
        else {
            continue;
        };
        let report = Report { month, progress: progress.clone(), judgement: *judgement, problems: problems.clone() };
        match service::report(store, cx, id, report).await {
            Ok(_) => out.reports_added += 1,
            Err(TaskFailure::Invalid(e)) => out.reports_refused.push((r.row, e.both())),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_reads_whole_with_numbers_carried_down_merged_cells() {
        let city = RegionCode::parse("2101").expect("city");
        let (rows, errors) = read_table("key-tasks.csv", SHENYANG_2021_05.as_bytes().to_vec(), &city).expect("table");
        assert_eq!(errors, vec![]);
        assert_eq!(rows.len(), 11);
        let t176: Vec<_> = rows.iter().filter(|r| r.task.number == 176).collect();
        assert_eq!(t176.len(), 4, "176's four works, its number on the first row only");
        assert!(t176.iter().all(|r| r.task.title.starts_with("进一步发挥社区基础作用")));
        assert!(rows[1].report.as_ref().is_some_and(|(p, j, _)| p.contains("精减比例为50.9%") && *j == Judgement::OnTrack));
    }

    #[test]
    fn bad_rows_are_named_and_the_rest_read() {
        let city = RegionCode::parse("2101").expect("city");
        let csv = "第X项重点工作,重点工作,具体工作,责任单位,完成时限,进展情况,目标完成情况判断\n\
                   ,,没有序号的行,社会救助处,,已开展,正常推进\n\
                   7,提高标准,测算资金,社会救助处,年底,已测算,正常推进\n\
                   8,关爱儿童,提高养育标准,儿童福利处,2026-12-31,已完成测算,很好\n\
                   9,保障权益,数据比对,,2026-12-31,,\n\
                   10,适老化改造,改造670户,养老服务处,2026-12-31,收尾,滞后\n";
        let (rows, errors) = read_table("t.csv", csv.as_bytes().to_vec(), &city).expect("table");
        assert_eq!(errors.iter().map(|e| e.row).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
        assert!(errors[1].zh.contains("年底") && errors[2].zh.contains("很好") && errors[3].zh.contains("责任单位"));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].report.as_ref().map(|r| r.1), Some(Judgement::Late));
        let missing = read_table("t.csv", "重点工作,进展情况\n甲,乙\n".as_bytes().to_vec(), &city);
        assert!(missing.is_err());
    }
}
