//! `minzheng tasks ...`: the module's command line (the `minzheng` binary adds it with one line).

use super::import::{import, read_table, SHENYANG_2021_05};
use super::model::parse_month;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, RegionCode};
use minzheng_store::Store;
use std::path::PathBuf;

/// 重点工作推进表.
#[derive(Debug, clap::Subcommand)]
pub enum TasksWhat {
    /// Import a progress table (.xlsx or .csv: 第X项重点工作, 重点工作, 具体工作, 责任单位, 责任人,
    /// 完成时限, 进展情况, 目标完成情况判断, 存在问题及原因) with its reports for a month.
    Import {
        file: PathBuf,
        /// The month the table reports (2026-05).
        #[arg(long)]
        month: String,
        /// The region whose offices answer for the tasks (default: the configured city).
        #[arg(long)]
        region: Option<String>,
    },
    /// List the tasks with their status today.
    List,
}

/// Runs a `tasks` command as `who` (the command line's principal).
pub async fn run(what: TasksWhat, store: &dyn Store, cx: &RequestContext<'_>) -> Result<(), String> {
    let who = cx.who;
    let today = minzheng_domain::calendar::today_in_beijing();
    match what {
        TasksWhat::Import { file, month, region } => {
            let month = parse_month(&month)
                .ok_or_else(|| format!("月份“{month}”无法识别，请写成 2026-05 / month {month:?} not understood; write it as 2026-05"))?;
            let region = match region {
                Some(r) => RegionCode::parse(&r).map_err(|e| e.both())?,
                None => who.region.clone(),
            };
            let name = file.display().to_string();
            let bytes = std::fs::read(&file).map_err(|e| format!("无法读取 {name}：{e} / cannot read {name}: {e}"))?;
            let n = import_table(store, cx, &name, bytes, &region, month).await?;
            println!("{n}");
            Ok(())
        }
        TasksWhat::List => {
            for r in super::service::list(store, who, None, today).await.map_err(|e| e.both())? {
                println!(
                    "{:>4} {} | {} | {} | {}",
                    r.task.number,
                    r.task.work,
                    r.task.unit,
                    r.status.zh(),
                    r.latest.map(|p| p.month.format("%Y-%m").to_string()).unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

/// Reads and stores a table; the summary line, with every row in error named.
async fn import_table(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    name: &str,
    bytes: Vec<u8>,
    region: &RegionCode,
    month: chrono::NaiveDate,
) -> Result<String, String> {
    let (rows, errors) = read_table(name, bytes, region).map_err(|e| format!("{} / {}", e.zh, e.en))?;
    for e in &errors {
        eprintln!("第 {} 行：{} / row {}: {}", e.row, e.zh, e.row, e.en);
    }
    let out = import(store, cx, &rows, month, name).await.map_err(|e| e.both())?;
    for (row, reason) in &out.reports_refused {
        eprintln!("第 {row} 行的进展未记录：{reason} / row {row}: progress not recorded: {reason}");
    }
    Ok(format!(
        "新增任务 {} 项，记录进展 {} 条，有误 {} 行 / {} tasks added, {} reports recorded, {} rows in error",
        out.tasks_added,
        out.reports_added,
        errors.len() + out.reports_refused.len(),
        out.tasks_added,
        out.reports_added,
        errors.len() + out.reports_refused.len()
    ))
}

/// Loads the shipped 2021 table of the Shenyang bureau (the demo's key tasks).
pub async fn load_demo(store: &dyn Store, cx: &RequestContext<'_>) -> Result<String, String> {
    let who = cx.who;
    let month = chrono::NaiveDate::from_ymd_opt(2021, 5, 1).ok_or("2021-05")?;
    import_table(store, cx, "key-tasks-2021-05.csv", SHENYANG_2021_05.as_bytes().to_vec(), &who.region.clone(), month).await
}
