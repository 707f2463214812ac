//! 数据驾驶舱: the figures of a region put together, pure: people covered by program and by the
//! regions below, the monthly flows in and out, spending by month. Amounts in fen.

use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// Enrolments in force of one program in one region below (from the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    pub program: String,
    /// The region below the dashboard's (its code prefix).
    pub area: String,
    pub households: i64,
    pub persons: i64,
    /// Monthly amount in force, fen.
    pub monthly: i64,
}

/// Enrolments started (first month paid) or ended (first month not paid) in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRow {
    pub month: NaiveDate,
    pub program: String,
    pub started: i64,
    pub ended: i64,
}

/// One program's totals over the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramTotal {
    pub program: String,
    pub households: i64,
    pub persons: i64,
    pub monthly: i64,
}

/// Totals by program, in the order given (the policy files' order), programs with nobody left
/// out.
pub fn by_program(rows: &[CoverageRow], order: &[String]) -> Vec<ProgramTotal> {
    let mut sums: BTreeMap<&str, ProgramTotal> = BTreeMap::new();
    for r in rows {
        let t = sums.entry(r.program.as_str()).or_insert_with(|| ProgramTotal {
            program: r.program.clone(),
            households: 0,
            persons: 0,
            monthly: 0,
        });
        t.households += r.households;
        t.persons += r.persons;
        t.monthly += r.monthly;
    }
    let mut out: Vec<ProgramTotal> = order.iter().filter_map(|p| sums.remove(p.as_str())).collect();
    out.extend(sums.into_values());
    out
}

/// Persons covered in each region below, one column per program of `programs`, regions in
/// code order; and each region's monthly amount.
pub fn by_area(rows: &[CoverageRow], programs: &[String]) -> Vec<(String, Vec<i64>, i64)> {
    let mut areas: BTreeMap<&str, (Vec<i64>, i64)> = BTreeMap::new();
    for r in rows {
        let e = areas.entry(r.area.as_str()).or_insert_with(|| (vec![0; programs.len()], 0));
        if let Some(i) = programs.iter().position(|p| p == &r.program) {
            e.0[i] += r.persons;
        }
        e.1 += r.monthly;
    }
    areas.into_iter().map(|(a, (v, m))| (a.to_string(), v, m)).collect()
}

/// The `n` months up to and including `month`'s, oldest first (first days).
pub fn last_months(month: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).unwrap_or(month);
    (0..n).rev().filter_map(|back| first.checked_sub_months(chrono::Months::new(back))).collect()
}

/// Started and ended per month of `months` (all programs).
pub fn flows_by_month(rows: &[FlowRow], months: &[NaiveDate]) -> (Vec<i64>, Vec<i64>) {
    let mut started = vec![0; months.len()];
    let mut ended = vec![0; months.len()];
    for r in rows {
        if let Some(i) = months.iter().position(|m| *m == r.month) {
            started[i] += r.started;
            ended[i] += r.ended;
        }
    }
    (started, ended)
}

/// A total per month of `months` from (month, amount) pairs.
pub fn per_month(amounts: &[(NaiveDate, i64)], months: &[NaiveDate]) -> Vec<i64> {
    months.iter().map(|m| amounts.iter().filter(|(d, _)| d == m).map(|(_, a)| a).sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn row(program: &str, area: &str, persons: i64, monthly: i64) -> CoverageRow {
        CoverageRow { program: program.into(), area: area.into(), households: 1, persons, monthly }
    }

    #[test]
    fn coverage_adds_up_by_program_in_the_policy_order_and_by_region_below() {
        let rows = vec![row("gaoling", "210112", 1, 2_500), row("dibao", "210112", 3, 312_300), row("dibao", "210102", 2, 208_200)];
        let order = vec!["dibao".to_string(), "tekun".to_string(), "gaoling".to_string()];
        let p = by_program(&rows, &order);
        assert_eq!(
            p.iter().map(|t| (t.program.as_str(), t.persons, t.households)).collect::<Vec<_>>(),
            vec![("dibao", 5, 2), ("gaoling", 1, 1)]
        );
        let programs = vec!["dibao".to_string(), "gaoling".to_string()];
        let a = by_area(&rows, &programs);
        assert_eq!(a, vec![("210102".to_string(), vec![2, 0], 208_200), ("210112".to_string(), vec![3, 1], 314_800)]);
    }

    #[test]
    fn months_and_flows_line_up() {
        let months = last_months(day("2026-12-06"), 3);
        assert_eq!(months, vec![day("2026-10-01"), day("2026-11-01"), day("2026-12-01")]);
        let flows = vec![
            FlowRow { month: day("2026-11-01"), program: "dibao".into(), started: 4, ended: 0 },
            FlowRow { month: day("2026-11-01"), program: "gaoling".into(), started: 1, ended: 0 },
            FlowRow { month: day("2026-12-01"), program: "dibao".into(), started: 0, ended: 2 },
            FlowRow { month: day("2025-01-01"), program: "dibao".into(), started: 9, ended: 0 },
        ];
        assert_eq!(flows_by_month(&flows, &months), (vec![0, 5, 0], vec![0, 0, 2]));
        assert_eq!(per_month(&[(day("2026-10-01"), 100), (day("2026-10-01"), 50)], &months), vec![150, 0, 0]);
    }
}
