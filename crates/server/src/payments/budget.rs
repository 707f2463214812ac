//! 资金项目监督: the year's budget lines per program and county, and their execution (执行) by
//! month from what the locked payment lists sent and the bank did not return. The pure part
//! (the table, the rate), the store (`budgets`, the spending query) written once for both
//! databases, and the Excel export.

use super::store::range;
use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use minzheng_domain::{Fen, RegionCode};
use minzheng_store::{Actor, AuditEntry, Handle, Result, Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// One budget line with its execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Execution {
    pub program: String,
    pub county: RegionCode,
    pub year: i32,
    /// `None`: spent without a budget line.
    pub budget: Option<Fen>,
    /// Spent by month, January first (12 entries).
    pub by_month: Vec<Fen>,
    pub spent: Fen,
    /// 执行率 in per mille of the budget (None without a budget or with a zero one).
    pub rate_per_mille: Option<i64>,
}

/// The execution table from the budget lines and the spending (program, county, month, amount).
pub fn execution(year: i32, budgets: &[(String, RegionCode, Fen)], spending: &[(String, RegionCode, NaiveDate, Fen)]) -> Vec<Execution> {
    let mut rows: BTreeMap<(String, String), Execution> = BTreeMap::new();
    let mut row = |program: &str, county: &RegionCode| -> (String, String) {
        let key = (county.to_string(), program.to_string());
        rows.entry(key.clone()).or_insert_with(|| Execution {
            program: program.to_string(),
            county: county.clone(),
            year,
            budget: None,
            by_month: vec![Fen(0); 12],
            spent: Fen(0),
            rate_per_mille: None,
        });
        key
    };
    let mut keys = Vec::new();
    for (p, c, _) in budgets {
        keys.push(row(p, c));
    }
    for (p, c, _, _) in spending {
        keys.push(row(p, c));
    }
    for (p, c, amount) in budgets {
        if let Some(r) = rows.get_mut(&(c.to_string(), p.clone())) {
            r.budget = Some(*amount);
        }
    }
    for (p, c, month, amount) in spending.iter().filter(|s| s.2.year() == year) {
        if let Some(r) = rows.get_mut(&(c.to_string(), p.clone())) {
            let m = usize::try_from(month.month0()).unwrap_or(0).min(11);
            r.by_month[m] += *amount;
            r.spent += *amount;
        }
    }
    for r in rows.values_mut() {
        r.rate_per_mille = r.budget.filter(|b| b.0 > 0).map(|b| r.spent.0 * 1000 / b.0);
    }
    rows.into_values().collect()
}

/// The budget lines and the spending as stored.
#[async_trait]
pub trait BudgetStore: Send + Sync {
    /// Sets (or replaces) a budget line, with its audit record.
    async fn set_budget(&self, program: &str, county: &RegionCode, year: i32, amount: Fen, actor: &Actor) -> Result<()>;
    /// The budget lines of counties within `region` for a year.
    async fn budgets(&self, region: &RegionCode, year: i32) -> Result<Vec<(String, RegionCode, Fen)>>;
    /// What locked lists of counties within `region` sent in a year and the bank did not
    /// return: (program, county, month, amount).
    async fn spending(&self, region: &RegionCode, year: i32) -> Result<Vec<(String, RegionCode, NaiveDate, Fen)>>;
}

/// The budget store on whichever database the platform's store runs.
pub fn budget_store(store: &dyn Store) -> &dyn BudgetStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn county_of(s: &str) -> Result<RegionCode> {
    RegionCode::parse(s).map_err(|_| StoreError::Corrupt(format!("county {s:?}")))
}

macro_rules! impl_budget_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            #[async_trait]
            impl BudgetStore for $store {
                async fn set_budget(&self, program: &str, county: &RegionCode, year: i32, amount: Fen, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO budgets (program, county, year, amount, set_by, set_at) VALUES (");
                    qb.push_bind(program.to_string())
                        .push(", ")
                        .push_bind(county.to_string())
                        .push(", ")
                        .push_bind(i64::from(year))
                        .push(", ")
                        .push_bind(amount.0)
                        .push(", ")
                        .push_bind(actor.name.clone())
                        .push(", ")
                        .push_bind(chrono::Utc::now())
                        .push(
                            ") ON CONFLICT (program, county, year) DO UPDATE SET amount = excluded.amount, set_by = excluded.set_by, \
                             set_at = excluded.set_at",
                        );
                    qb.build().execute(&mut *tx).await?;
                    let entry = AuditEntry {
                        action: "set_budget".into(),
                        entity: "budget".into(),
                        entity_key: format!("{program}:{county}:{year}"),
                        before: None,
                        after: Some(serde_json::json!({ "amount": amount.0 })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn budgets(&self, region: &RegionCode, year: i32) -> Result<Vec<(String, RegionCode, Fen)>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new("SELECT program, county, amount FROM budgets WHERE year = ");
                    qb.push_bind(i64::from(year)).push(" AND county >= ").push_bind(lo).push(" AND county < ").push_bind(hi);
                    let mut out = Vec::new();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        out.push((r.try_get("program")?, county_of(&r.try_get::<String, _>("county")?)?, Fen(r.try_get("amount")?)));
                    }
                    Ok(out)
                }

                async fn spending(&self, region: &RegionCode, year: i32) -> Result<Vec<(String, RegionCode, NaiveDate, Fen)>> {
                    let (lo, hi) = range(region);
                    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| StoreError::Corrupt(format!("year {year}")))?;
                    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or_else(|| StoreError::Corrupt(format!("year {year}")))?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT p.program, p.county, p.month, CAST(SUM(l.net) AS BIGINT) AS spent FROM payrolls p JOIN payroll_lines l ON l.payroll_id = p.id \
                         LEFT JOIN payment_results r ON r.payroll_id = l.payroll_id AND r.line_no = l.line_no \
                         WHERE p.status = 'locked' AND l.held IS NULL AND (r.outcome IS NULL OR r.outcome = 'paid') AND p.county >= ",
                    );
                    qb.push_bind(lo)
                        .push(" AND p.county < ")
                        .push_bind(hi)
                        .push(" AND p.month >= ")
                        .push_bind(from)
                        .push(" AND p.month < ")
                        .push_bind(to)
                        .push(" GROUP BY p.program, p.county, p.month ORDER BY p.county, p.program, p.month");
                    let mut out = Vec::new();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        out.push((
                            r.try_get("program")?,
                            county_of(&r.try_get::<String, _>("county")?)?,
                            r.try_get("month")?,
                            Fen(r.try_get::<Option<i64>, _>("spent")?.unwrap_or(0)),
                        ));
                    }
                    Ok(out)
                }
            }
        };
    };
}

impl_budget_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_budget_store!(minzheng_store::PgStore, sqlx::Postgres);

/// The execution table as an Excel workbook (.xlsx): one row per program and county, the
/// twelve months, the total, the budget and the rate.
pub fn workbook(
    rows: &[Execution],
    program_name: impl Fn(&str) -> String,
    county_name: impl Fn(&RegionCode) -> String,
) -> std::result::Result<Vec<u8>, String> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let mut header = vec!["区县".to_string(), "保障项目".to_string()];
    header.extend((1..=12).map(|m| format!("{m}月（元）")));
    header.extend(["合计（元）".to_string(), "预算（元）".to_string(), "执行率".to_string()]);
    let e = |x: rust_xlsxwriter::XlsxError| x.to_string();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, u16::try_from(c).map_err(|x| x.to_string())?, h).map_err(e)?;
    }
    let yuan = |f: Fen| f.0 as f64 / 100.0;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|x| x.to_string())?;
        sheet.write_string(row, 0, county_name(&r.county)).map_err(e)?;
        sheet.write_string(row, 1, program_name(&r.program)).map_err(e)?;
        for (m, v) in r.by_month.iter().enumerate() {
            sheet.write_number(row, u16::try_from(m + 2).map_err(|x| x.to_string())?, yuan(*v)).map_err(e)?;
        }
        sheet.write_number(row, 14, yuan(r.spent)).map_err(e)?;
        if let Some(b) = r.budget {
            sheet.write_number(row, 15, yuan(b)).map_err(e)?;
        }
        if let Some(rate) = r.rate_per_mille {
            sheet.write_string(row, 16, format!("{:.1}%", rate as f64 / 10.0)).map_err(e)?;
        }
    }
    wb.save_to_buffer().map_err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spending_is_counted_against_the_year_s_budget_line() {
        let hn = RegionCode::parse("210112").expect("c");
        let d = |m: u32| NaiveDate::from_ymd_opt(2026, m, 1).expect("d");
        let budgets = [("dibao".to_string(), hn.clone(), Fen(100_000_000))];
        let spending = [
            ("dibao".to_string(), hn.clone(), d(1), Fen(8_000_000)),
            ("dibao".to_string(), hn.clone(), d(2), Fen(8_500_000)),
            ("gaoling".to_string(), hn.clone(), d(2), Fen(300_000)),
            ("dibao".to_string(), hn.clone(), NaiveDate::from_ymd_opt(2025, 12, 1).expect("d"), Fen(9_999_999)),
        ];
        let t = execution(2026, &budgets, &spending);
        assert_eq!(t.len(), 2);
        let dibao = &t[0];
        assert_eq!((dibao.spent, dibao.by_month[1], dibao.rate_per_mille), (Fen(16_500_000), Fen(8_500_000), Some(165)));
        let gaoling = &t[1];
        assert_eq!((gaoling.budget, gaoling.rate_per_mille), (None, None), "spent without a budget line is shown, with no rate");
        let xlsx = workbook(&t, |p| p.to_string(), |c| c.to_string()).expect("xlsx");
        assert!(xlsx.starts_with(b"PK"), "an .xlsx is a zip");
    }
}
