//! Spreadsheets of sweeps and what-ifs, in yuan and staff's words.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

fn yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

fn write_rows(sheet: &mut rust_xlsxwriter::Worksheet, headers: &[&str], rows: &[Vec<Cell>]) -> Result<(), rust_xlsxwriter::XlsxError> {
    let money = rust_xlsxwriter::Format::new().set_num_format("#,##0.00");
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) => sheet.write_string(r, c as u16, t)?,
                Cell::Count(n) => sheet.write_number(r, c as u16, *n as f64)?,
                Cell::Fen(f) => sheet.write_number_with_format(r, c as u16, yuan(*f), &money)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A spreadsheet cell of a report.
pub enum Cell {
    Text(String),
    Count(u64),
    /// Written in yuan with two decimals.
    Fen(i64),
}

/// A unit as a role sees it: a household number as it is, a person's ID number masked for
/// roles that see numbers masked.
pub fn shown_unit(unit: &str, masked: bool) -> String {
    match minzheng_domain::IdNumber::parse(unit) {
        Ok(id) if masked => id.masked(),
        _ => unit.to_string(),
    }
}

/// A stored run's workbook, for an account that may read the run: person units masked for roles
/// that see numbers masked, and the download audited with what it held.
pub async fn run_workbook(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    id: i64,
) -> Result<(PolicyRun, Vec<u8>), PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
    let run = readable_run(store, who, id).await?;
    let masked = !who.role.sees_full_identity();
    let bytes = if run.kind == "sweep" {
        sweep_xlsx(store, &SweepReport::from_run(&run), masked).await?
    } else {
        whatif_xlsx(&WhatIfReport::from_run(&run), |name| engine.policy.parameter(name).map(|d| d.unit.clone()).unwrap_or_default())?
    };
    let detail = serde_json::json!({ "kind": run.kind, "region": run.region, "masked": masked, "bytes": bytes.len() });
    store.audit(actor, &[audit("policy_run", &id.to_string(), "export", detail)]).await?;
    Ok((run, bytes))
}

/// The sweep as a workbook: the summary, then one sheet of eligible units per program.
pub async fn sweep_xlsx(store: &dyn Store, report: &SweepReport, masked: bool) -> Result<Vec<u8>, PolicyFailure> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let xe = |e: rust_xlsxwriter::XlsxError| invalid(format!("无法生成表格：{e}"), format!("cannot write the workbook: {e}"));
    let rows: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.program_zh.clone()),
                Cell::Text(r.program.clone()),
                Cell::Text(r.county.clone()),
                Cell::Text(r.county_name.clone()),
                Cell::Text(r.area.zh().into()),
                Cell::Count(r.considered),
                Cell::Count(r.eligible),
                Cell::Fen(r.amount),
                Cell::Fen(r.amount * 12),
            ]
        })
        .collect();
    let sheet = book.add_worksheet().set_name("汇总").map_err(xe)?;
    write_rows(sheet, &["项目", "代码", "区县代码", "区县", "城乡", "测算对象数", "符合条件数", "月金额（元）", "年金额（元）"], &rows)
        .map_err(xe)?;
    for (code, zh, _, _) in report.program_totals() {
        let mut rows = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = store.policy_run_units(report.run_id, &code, after.as_deref(), 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.unit_key.clone());
            rows.extend(
                page.into_iter().map(|u| vec![Cell::Text(shown_unit(&u.unit_key, masked)), Cell::Text(u.county), Cell::Fen(u.amount)]),
            );
            if rows.len() >= 1_000_000 {
                break;
            }
        }
        let name: String = zh.chars().take(28).collect();
        let sheet = book.add_worksheet().set_name(name).map_err(xe)?;
        write_rows(sheet, &["户号或身份证号", "区县代码", "月金额（元）"], &rows).map_err(xe)?;
    }
    book.save_to_buffer().map_err(xe)
}

/// The what-if as a workbook: changes, then the comparison per program and county.
/// A change as staff read it: 设为 30.00 元/人/月, 提高 7.0%, 下调 5.5%, 增加 50.00 元/人/月.
pub fn change_text(c: &minzheng_policy::Change, unit: &str) -> String {
    let shown = |v: i64| minzheng_domain::units::with_unit(&v.to_string(), unit, true);
    match c.how {
        minzheng_policy::ChangeKind::Set(v) => format!("设为 {}", shown(v)),
        minzheng_policy::ChangeKind::RaisePermille(pm) => {
            format!("{} {}.{}%", if pm < 0 { "下调" } else { "提高" }, pm.abs() / 10, pm.abs() % 10)
        }
        minzheng_policy::ChangeKind::Add(v) => format!("{} {}", if v < 0 { "减少" } else { "增加" }, shown(v.abs())),
    }
}

/// The what-if's workbook: the results by program and county, and the changes costed, each
/// with its unit (`unit_of` a parameter's name).
pub fn whatif_xlsx(report: &WhatIfReport, unit_of: impl Fn(&str) -> String) -> Result<Vec<u8>, PolicyFailure> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let xe = |e: rust_xlsxwriter::XlsxError| invalid(format!("无法生成表格：{e}"), format!("cannot write the workbook: {e}"));
    let mut rows: Vec<Vec<Cell>> = report
        .rows
        .iter()
        .chain(std::iter::once(&report.total()))
        .map(|r| {
            vec![
                Cell::Text(r.program_zh.clone()),
                Cell::Text(r.county.clone()),
                Cell::Text(r.county_name.clone()),
                Cell::Count(r.baseline_eligible),
                Cell::Count(r.scenario_eligible),
                Cell::Count(r.newly_eligible),
                Cell::Count(r.no_longer_eligible),
                Cell::Fen(r.baseline_amount),
                Cell::Fen(r.scenario_amount),
                Cell::Fen(r.monthly_change()),
                Cell::Fen(r.annual_change()),
            ]
        })
        .collect();
    let sheet = book.add_worksheet().set_name("测算结果").map_err(xe)?;
    write_rows(
        sheet,
        &[
            "项目",
            "区县代码",
            "区县",
            "现行对象数",
            "调整后对象数",
            "新增对象",
            "退出对象",
            "现行月支出（元）",
            "调整后月支出（元）",
            "月增支（元）",
            "年增支（元）",
        ],
        &rows,
    )
    .map_err(xe)?;
    rows = report
        .changes
        .iter()
        .map(|c| {
            vec![
                Cell::Text(c.name.clone()),
                Cell::Text(c.region.clone()),
                Cell::Text(c.area.map(|a| a.zh().to_string()).unwrap_or_else(|| "城乡".into())),
                Cell::Text(c.from.to_string()),
                Cell::Text(change_text(c, unit_of(&c.name).as_str())),
            ]
        })
        .collect();
    let sheet = book.add_worksheet().set_name("调整方案").map_err(xe)?;
    write_rows(sheet, &["参数", "区划", "城乡", "起始日期", "调整"], &rows).map_err(xe)?;
    book.save_to_buffer().map_err(xe)
}
