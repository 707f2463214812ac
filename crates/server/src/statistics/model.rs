//! 民政统计月报: the monthly civil-affairs report of a county (or of the city, or of any region in
//! scope), worked out from the live records, pure. The lines are those of the Ministry's monthly
//! social-assistance report (《民政统计调查制度》, 社会救助月报): 低保 households and persons, urban
//! and rural; 特困 persons in concentrated and in dispersed support; orphans and children without
//! effective care; the two disability subsidies and the old-age allowance; 临时救助 cases and
//! amounts; spending by program; the 低保 standards (urban in yuan per person and month, rural in
//! yuan per person and year); the average monthly assistance per person. Money in fen.
//!
//! A month once closed (关账) keeps its figures: the store refuses any change to them, and a
//! later correction is a note beside the figure, with its reason and who made it.

use chrono::{Datelike, NaiveDate};
use minzheng_domain::Bilingual;
use std::collections::BTreeMap;

/// What a line counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Households,
    Persons,
    Cases,
    Fen,
    /// 元/人·月
    FenPerPersonMonth,
    /// 元/人·年
    FenPerPersonYear,
}

impl Unit {
    pub fn zh(self) -> &'static str {
        match self {
            Unit::Households => "户",
            Unit::Persons => "人",
            Unit::Cases => "人次",
            Unit::Fen => "元",
            Unit::FenPerPersonMonth => "元/人·月",
            Unit::FenPerPersonYear => "元/人·年",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Unit::Households => "households",
            Unit::Persons => "persons",
            Unit::Cases => "cases",
            Unit::Fen => "yuan",
            Unit::FenPerPersonMonth => "yuan per person and month",
            Unit::FenPerPersonYear => "yuan per person and year",
        }
    }

    /// Money, kept in fen and shown in yuan.
    pub fn is_money(self) -> bool {
        matches!(self, Unit::Fen | Unit::FenPerPersonMonth | Unit::FenPerPersonYear)
    }
}

/// 供养方式 of a 特困 person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    Any,
    /// 集中供养: living in an institution in concentrated support (the elderly-care module's
    /// residents marked so).
    Concentrated,
    /// 分散供养: every other 特困 person paid for the month.
    Dispersed,
}

/// Where a figure leads (指标溯源): the list of households or persons behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trace {
    /// Households enrolled in one of the programs and paid for the month, of an area (城乡).
    Households { programs: &'static [&'static str], area: Option<&'static str> },
    /// Members paid for the month under the programs, of an area, in a kind of support.
    Persons { programs: &'static [&'static str], area: Option<&'static str>, support: Support },
    /// 临时救助 cases approved in the month.
    TemporaryCases,
    /// The month's payment lists of the programs (the payments pages).
    Payrolls(&'static [&'static str]),
    /// A standard in force on the month's last day (the parameters' history).
    Standard,
    /// Worked out from other lines.
    Derived,
}

/// One line of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineDef {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub unit: Unit,
    pub trace: Trace,
}

/// 低保: the household program and 单人保 (a seriously ill or disabled member of a near-poor
/// household enrolled alone, counted as a 低保 household of one).
pub const DIBAO: &[&str] = &["dibao", "dibao_single"];

const fn line(code: &'static str, zh: &'static str, en: &'static str, unit: Unit, trace: Trace) -> LineDef {
    LineDef { code, zh, en, unit, trace }
}

/// The report's lines, in the report's order.
pub const LINES: &[LineDef] = &[
    line(
        "dibao_urban_households",
        "城市低保户数",
        "Urban 低保 households",
        Unit::Households,
        Trace::Households { programs: DIBAO, area: Some("urban") },
    ),
    line(
        "dibao_urban_persons",
        "城市低保人数",
        "Urban 低保 persons",
        Unit::Persons,
        Trace::Persons { programs: DIBAO, area: Some("urban"), support: Support::Any },
    ),
    line(
        "dibao_rural_households",
        "农村低保户数",
        "Rural 低保 households",
        Unit::Households,
        Trace::Households { programs: DIBAO, area: Some("rural") },
    ),
    line(
        "dibao_rural_persons",
        "农村低保人数",
        "Rural 低保 persons",
        Unit::Persons,
        Trace::Persons { programs: DIBAO, area: Some("rural"), support: Support::Any },
    ),
    line(
        "tekun_concentrated",
        "特困人员集中供养人数",
        "特困 persons in concentrated support",
        Unit::Persons,
        Trace::Persons { programs: &["tekun"], area: None, support: Support::Concentrated },
    ),
    line(
        "tekun_dispersed",
        "特困人员分散供养人数",
        "特困 persons in dispersed support",
        Unit::Persons,
        Trace::Persons { programs: &["tekun"], area: None, support: Support::Dispersed },
    ),
    line("orphans", "孤儿人数", "Orphans", Unit::Persons, Trace::Persons { programs: &["orphan"], area: None, support: Support::Any }),
    line(
        "unsupported_children",
        "事实无人抚养儿童人数",
        "Children without effective care",
        Unit::Persons,
        Trace::Persons { programs: &["unsupported_child"], area: None, support: Support::Any },
    ),
    line(
        "gaoling_persons",
        "高龄补贴人数",
        "Old-age allowance recipients",
        Unit::Persons,
        Trace::Persons { programs: &["gaoling"], area: None, support: Support::Any },
    ),
    line(
        "disability_living_persons",
        "困难残疾人生活补贴人数",
        "Living subsidy for poor disabled persons: recipients",
        Unit::Persons,
        Trace::Persons { programs: &["disability_living"], area: None, support: Support::Any },
    ),
    line(
        "disability_care_persons",
        "重度残疾人护理补贴人数",
        "Care subsidy for severely disabled persons: recipients",
        Unit::Persons,
        Trace::Persons { programs: &["disability_care"], area: None, support: Support::Any },
    ),
    line("temporary_cases", "临时救助人次", "Temporary assistance: cases approved", Unit::Cases, Trace::TemporaryCases),
    line("temporary_amount", "临时救助支出", "Temporary assistance: amount approved", Unit::Fen, Trace::TemporaryCases),
    line("spending_dibao", "低保资金支出", "低保 spending", Unit::Fen, Trace::Payrolls(DIBAO)),
    line("spending_tekun", "特困人员救助供养资金支出", "特困 support spending", Unit::Fen, Trace::Payrolls(&["tekun"])),
    line("spending_orphan", "孤儿基本生活费支出", "Orphans' allowance spending", Unit::Fen, Trace::Payrolls(&["orphan"])),
    line(
        "spending_unsupported_child",
        "事实无人抚养儿童生活补贴支出",
        "Unsupported children's allowance spending",
        Unit::Fen,
        Trace::Payrolls(&["unsupported_child"]),
    ),
    line("spending_gaoling", "高龄补贴支出", "Old-age allowance spending", Unit::Fen, Trace::Payrolls(&["gaoling"])),
    line(
        "spending_disability_living",
        "困难残疾人生活补贴支出",
        "Disability living subsidy spending",
        Unit::Fen,
        Trace::Payrolls(&["disability_living"]),
    ),
    line(
        "spending_disability_care",
        "重度残疾人护理补贴支出",
        "Disability care subsidy spending",
        Unit::Fen,
        Trace::Payrolls(&["disability_care"]),
    ),
    line("standard_urban", "城市低保标准", "Urban 低保 standard", Unit::FenPerPersonMonth, Trace::Standard),
    line("standard_rural", "农村低保标准", "Rural 低保 standard", Unit::FenPerPersonYear, Trace::Standard),
    line(
        "average_urban",
        "城市低保月人均补助水平",
        "Urban 低保: average monthly assistance per person",
        Unit::FenPerPersonMonth,
        Trace::Derived,
    ),
    line(
        "average_rural",
        "农村低保月人均补助水平",
        "Rural 低保: average monthly assistance per person",
        Unit::FenPerPersonMonth,
        Trace::Derived,
    ),
];

/// The line of a code.
pub fn line_of(code: &str) -> Option<&'static LineDef> {
    LINES.iter().find(|l| l.code == code)
}

/// Enrolments paid for the month of one program and one area (from the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub program: String,
    /// `urban` or `rural` (the household's 城乡属性).
    pub area: String,
    pub households: i64,
    /// Members paid for the month.
    pub persons: i64,
    /// The monthly amounts in force, fen.
    pub monthly: i64,
}

/// What the report is worked out from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub coverage: Vec<Coverage>,
    /// 特困 members paid for the month who live in an institution in concentrated support on its
    /// last day.
    pub concentrated: i64,
    /// Approved and locked payment lists of the month: (program, total paid, fen).
    pub spending: Vec<(String, i64)>,
    /// 临时救助 approved in the month: cases and amount (fen).
    pub temporary_cases: i64,
    pub temporary_amount: i64,
    /// The 低保 standards in force on the month's last day, fen per person and month.
    pub standard_urban: Option<i64>,
    pub standard_rural: Option<i64>,
}

/// The figures of a report: line code → value (fen for money). A line without a value (no
/// standard in force, no one to average over) is absent.
pub type Figures = BTreeMap<String, i64>;

/// Rounded division, half away from zero, of non-negative figures.
fn per(total: i64, n: i64) -> Option<i64> {
    (n > 0).then(|| (total * 2 + n) / (2 * n))
}

/// The report worked out from its inputs.
pub fn compute(i: &Inputs) -> Figures {
    let mut f = Figures::new();
    for l in LINES {
        let value = match l.trace {
            Trace::Households { programs, area } => Some(sum(&i.coverage, programs, area, |c| c.households)),
            Trace::Persons { programs, area, support } => {
                let all = sum(&i.coverage, programs, area, |c| c.persons);
                Some(match support {
                    Support::Any => all,
                    Support::Concentrated => i.concentrated.min(all),
                    Support::Dispersed => (all - i.concentrated).max(0),
                })
            }
            Trace::TemporaryCases if l.unit == Unit::Cases => Some(i.temporary_cases),
            Trace::TemporaryCases => Some(i.temporary_amount),
            Trace::Payrolls(programs) => Some(i.spending.iter().filter(|(p, _)| programs.contains(&p.as_str())).map(|(_, t)| t).sum()),
            Trace::Standard if l.code == "standard_urban" => i.standard_urban,
            // The rural standard is reported per year (元/人·年).
            Trace::Standard => i.standard_rural.map(|s| s * 12),
            Trace::Derived => {
                let area = if l.code == "average_urban" { "urban" } else { "rural" };
                per(sum(&i.coverage, DIBAO, Some(area), |c| c.monthly), sum(&i.coverage, DIBAO, Some(area), |c| c.persons))
            }
        };
        if let Some(v) = value {
            f.insert(l.code.to_string(), v);
        }
    }
    // What the averages are worked out from, kept with the figures (not lines of the report) so
    // that a city adds up its counties' closed months.
    for area in ["urban", "rural"] {
        f.insert(format!("{AMOUNT}{area}"), sum(&i.coverage, DIBAO, Some(area), |c| c.monthly));
    }
    f
}

/// The key of the 低保 monthly amounts in force of an area, kept beside the lines.
pub const AMOUNT: &str = "amount_dibao_";

/// A region's report from its counties' (each as closed, or live): counts and money added up,
/// the averages worked out again from the added amounts and persons, the standards the region's
/// own (in force on the month's last day, fen per person and month).
pub fn consolidate(parts: &[Figures], standard_urban: Option<i64>, standard_rural: Option<i64>) -> Figures {
    let mut f = Figures::new();
    for part in parts {
        for (k, v) in part {
            let line = line_of(k);
            if matches!(line.map(|l| l.trace), Some(Trace::Standard | Trace::Derived)) {
                continue;
            }
            *f.entry(k.clone()).or_insert(0) += v;
        }
    }
    if let Some(s) = standard_urban {
        f.insert("standard_urban".into(), s);
    }
    if let Some(s) = standard_rural {
        f.insert("standard_rural".into(), s * 12);
    }
    for (line, area) in [("average_urban", "urban"), ("average_rural", "rural")] {
        let amount = f.get(&format!("{AMOUNT}{area}")).copied().unwrap_or(0);
        let persons = f.get(&format!("dibao_{area}_persons")).copied().unwrap_or(0);
        if let Some(a) = per(amount, persons) {
            f.insert(line.into(), a);
        }
    }
    f
}

fn sum(rows: &[Coverage], programs: &[&str], area: Option<&str>, of: impl Fn(&Coverage) -> i64) -> i64 {
    rows.iter().filter(|c| programs.contains(&c.program.as_str()) && area.is_none_or(|a| c.area == a)).map(of).sum()
}

/// The change from `before` to `now`, in per mille (‰, rounded half away from zero); none
/// when there was nothing before.
pub fn change_permille(now: i64, before: i64) -> Option<i64> {
    if before == 0 {
        return None;
    }
    let d = (now - before) * 1000;
    let half = before.abs() / 2;
    Some(if d >= 0 { (d + half) / before.abs() } else { (d - half) / before.abs() })
}

/// A change in per mille as a percentage with one decimal: `+6.2%`, `-0.4%`.
pub fn percent(permille: i64) -> String {
    let sign = if permille < 0 { "-" } else { "+" };
    let p = permille.abs();
    format!("{sign}{}.{}%", p / 10, p % 10)
}

/// The change between two figures as the report shows it (`+6.2%`), when both are there and the
/// earlier is not zero.
pub fn change_percent_of(now: Option<i64>, before: Option<i64>) -> Option<String> {
    change_permille(now?, before?).map(percent)
}

/// The first day of the month of `day`.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The month before (环比).
pub fn previous_month(month: NaiveDate) -> NaiveDate {
    month_of(month).checked_sub_months(chrono::Months::new(1)).unwrap_or(month)
}

/// The same month a year before (同比).
pub fn year_before(month: NaiveDate) -> NaiveDate {
    month_of(month).checked_sub_months(chrono::Months::new(12)).unwrap_or(month)
}

/// The month's last day.
pub fn last_day(month: NaiveDate) -> NaiveDate {
    month_of(month).checked_add_months(chrono::Months::new(1)).and_then(|m| m.pred_opt()).unwrap_or(month)
}

/// A month as typed: `2026-11`, `2026年11月`, `202611`.
pub fn parse_month(text: &str) -> Result<NaiveDate, StatError> {
    minzheng_domain::enrolment::parse_month(text).map_err(|_| StatError::BadMonth(text.to_string()))
}

/// 更正说明: a change to a closed month's figure, recorded beside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    pub id: i64,
    pub county: String,
    pub month: NaiveDate,
    pub line: String,
    /// The figure as it should have been.
    pub value: i64,
    pub reason: String,
    pub corrected_by: String,
    pub corrected_at: chrono::DateTime<chrono::Utc>,
}

/// A closed month of a county: its figures as closed, and the corrections noted since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClosedMonth {
    pub county: String,
    pub month: NaiveDate,
    pub figures: Figures,
    pub closed_by: String,
    pub closed_at: chrono::DateTime<chrono::Utc>,
    pub corrections: Vec<Correction>,
}

/// The month may be closed on `today`: it is over.
pub fn check_close(month: NaiveDate, today: NaiveDate) -> Result<(), StatError> {
    if month_of(month) >= month_of(today) {
        return Err(StatError::NotOver(month_of(month)));
    }
    Ok(())
}

/// A correction as typed, checked: a line of the report, a figure not below zero, a reason.
pub fn check_correction(line: &str, value: i64, reason: &str) -> Result<&'static LineDef, StatError> {
    let def = line_of(line).ok_or_else(|| StatError::UnknownLine(line.to_string()))?;
    if value < 0 {
        return Err(StatError::Negative);
    }
    if reason.trim().chars().count() < 4 {
        return Err(StatError::NoReason);
    }
    Ok(def)
}

/// Why a statistics request cannot be done, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatError {
    #[error("{0:?} is not a month (2026-11, 2026年11月)")]
    BadMonth(String),
    #[error("the month {0} is not over: it can be closed from the first day of the next")]
    NotOver(NaiveDate),
    #[error("the monthly report is closed per county; {0} is not a county")]
    NotCounty(String),
    #[error("the month is already closed: its figures do not change; note a correction instead")]
    AlreadyClosed,
    #[error("the month is not closed: its figures are still the live ones, nothing to correct")]
    NotClosed,
    #[error("{0:?} is not a line of the monthly report")]
    UnknownLine(String),
    #[error("a figure cannot be below zero")]
    Negative,
    #[error("give the reason of the correction (at least four characters)")]
    NoReason,
}

impl Bilingual for StatError {
    fn zh(&self) -> String {
        match self {
            StatError::BadMonth(t) => format!("“{t}”不是月份（如 2026-11 或 2026年11月）"),
            StatError::NotOver(m) => format!("{} 年 {} 月尚未结束，次月起方可关账", m.year(), m.month()),
            StatError::NotCounty(r) => format!("统计月报按区县关账，{r} 不是区县"),
            StatError::AlreadyClosed => "该月已关账，数字不再改变；如有差错请录入更正说明".into(),
            StatError::NotClosed => "该月尚未关账，报表数字即实时数字，无需更正".into(),
            StatError::UnknownLine(l) => format!("“{l}”不是月报的指标"),
            StatError::Negative => "数字不能小于零".into(),
            StatError::NoReason => "请填写更正原因（至少四个字）".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    fn cov(program: &str, area: &str, households: i64, persons: i64, monthly: i64) -> Coverage {
        Coverage { program: program.into(), area: area.into(), households, persons, monthly }
    }

    #[test]
    fn the_report_of_a_county_from_its_enrolments_payments_and_standards() {
        let i = Inputs {
            coverage: vec![
                cov("dibao", "urban", 100, 180, 100 * 60_000),
                cov("dibao_single", "urban", 5, 5, 5 * 40_000),
                cov("dibao", "rural", 40, 90, 40 * 50_000),
                cov("tekun", "urban", 12, 12, 12 * 110_000),
                cov("tekun", "rural", 8, 8, 8 * 90_000),
                cov("orphan", "urban", 3, 3, 3 * 150_000),
                cov("gaoling", "urban", 200, 210, 210 * 5_000),
            ],
            concentrated: 7,
            spending: vec![("dibao".into(), 6_000_000), ("dibao_single".into(), 200_000), ("tekun".into(), 2_040_000)],
            temporary_cases: 4,
            temporary_amount: 520_000,
            standard_urban: Some(84_760),
            standard_rural: Some(65_100),
        };
        let f = compute(&i);
        assert_eq!(f["dibao_urban_households"], 105, "单人保 counts as a 低保 household of one");
        assert_eq!(f["dibao_urban_persons"], 185);
        assert_eq!(f["dibao_rural_households"], 40);
        assert_eq!(f["dibao_rural_persons"], 90);
        assert_eq!(f["tekun_concentrated"], 7);
        assert_eq!(f["tekun_dispersed"], 13);
        assert_eq!(f["orphans"], 3);
        assert_eq!(f["unsupported_children"], 0);
        assert_eq!(f["gaoling_persons"], 210);
        assert_eq!(f["temporary_cases"], 4);
        assert_eq!(f["temporary_amount"], 520_000);
        assert_eq!(f["spending_dibao"], 6_200_000, "低保 spending includes 单人保's lists");
        assert_eq!(f["spending_tekun"], 2_040_000);
        assert_eq!(f["spending_orphan"], 0);
        assert_eq!(f["standard_urban"], 84_760);
        assert_eq!(f["standard_rural"], 65_100 * 12, "the rural standard is reported per year");
        // (100 × 600 + 5 × 400) / 185 = 335.135… yuan
        assert_eq!(f["average_urban"], 33_514);
        assert_eq!(f["average_rural"], 22_222);
    }

    #[test]
    fn a_city_adds_up_its_counties_and_works_out_its_averages_again() {
        let a = compute(&Inputs {
            coverage: vec![cov("dibao", "urban", 10, 20, 20 * 50_000)],
            standard_urban: Some(84_760),
            ..Inputs::default()
        });
        let b =
            compute(&Inputs { coverage: vec![cov("dibao", "urban", 5, 5, 5 * 80_000)], standard_urban: Some(90_000), ..Inputs::default() });
        let city = consolidate(&[a, b], Some(84_760), None);
        assert_eq!(city["dibao_urban_households"], 15);
        assert_eq!(city["dibao_urban_persons"], 25);
        assert_eq!(city["average_urban"], 56_000, "(20 × 500 + 5 × 800) / 25 yuan");
        assert_eq!(city["standard_urban"], 84_760, "the city's own standard, not a sum");
        assert!(!city.contains_key("standard_rural"));
        assert!(!city.contains_key("average_rural"));
    }

    #[test]
    fn lines_without_a_value_are_left_out_not_shown_as_zero() {
        let f = compute(&Inputs::default());
        assert!(!f.contains_key("standard_urban"));
        assert!(!f.contains_key("average_rural"), "no one to average over");
        assert_eq!(f["dibao_urban_persons"], 0);
    }

    #[test]
    fn month_on_month_and_year_on_year_changes() {
        assert_eq!(change_permille(1062, 1000), Some(62));
        assert_eq!(percent(62), "+6.2%");
        assert_eq!(change_permille(996, 1000), Some(-4));
        assert_eq!(percent(-4), "-0.4%");
        assert_eq!(change_permille(5, 0), None);
        let m = NaiveDate::from_ymd_opt(2026, 3, 17).unwrap();
        assert_eq!(previous_month(m), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(year_before(m), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert_eq!(last_day(m), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    }

    #[test]
    fn a_month_closes_once_it_is_over_and_corrections_need_a_line_and_a_reason() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(check_close(d(2026, 11, 1), d(2026, 11, 30)), Err(StatError::NotOver(d(2026, 11, 1))));
        assert_eq!(check_close(d(2026, 11, 1), d(2026, 12, 1)), Ok(()));
        assert!(check_correction("orphans", 4, "漏报一名孤儿").is_ok());
        assert_eq!(check_correction("orphan", 4, "漏报一名孤儿"), Err(StatError::UnknownLine("orphan".into())));
        assert_eq!(check_correction("orphans", -1, "漏报一名孤儿"), Err(StatError::Negative));
        assert_eq!(check_correction("orphans", 4, "漏报"), Err(StatError::NoReason));
        assert!(parse_month("2026年11月").is_ok());
        assert!(matches!(parse_month("十一月"), Err(StatError::BadMonth(_))));
    }

    proptest! {
        /// Concentrated and dispersed support always add up to the 特困 persons paid.
        #[test]
        fn support_kinds_add_up(persons in 0i64..10_000, concentrated in 0i64..20_000) {
            let i = Inputs { coverage: vec![cov("tekun", "urban", persons, persons, 0)], concentrated, ..Inputs::default() };
            let f = compute(&i);
            prop_assert_eq!(f["tekun_concentrated"] + f["tekun_dispersed"], persons);
        }

        /// A change applied to the figure before gives back the figure within rounding.
        #[test]
        fn change_is_within_half_a_permille(before in 1i64..10_000_000, now in 0i64..10_000_000) {
            let p = change_permille(now, before).unwrap();
            let exact = (now - before) as f64 * 1000.0 / before as f64;
            prop_assert!((p as f64 - exact).abs() <= 0.5 + 1e-9);
        }
    }
}
