//! 政府购买居家养老服务: government-purchased home care, pure. Who qualifies and for how many
//! hours a month (`policies/homecare.toml`), what a service record must hold, which records are
//! sampled for verification (visited or called), and the monthly settlement with each provider:
//! the minutes served and not rejected, up to each elder's monthly entitlement, at the hourly
//! price in force (parameter `homecare_hour_fen`).

use chrono::{Datelike, NaiveDate};
use minzheng_domain::Bilingual;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 服务对象类别: a group of elders entitled to purchased home care.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Group {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// Aged at least this on the first day of the order's month.
    pub min_age: u32,
    /// Supported under one of these programs in the month (none: any).
    #[serde(default)]
    pub programs: Vec<String>,
    /// Unable to do at least this many of the six daily activities by their newest ability
    /// assessment (0: any).
    #[serde(default)]
    pub self_care_failed: u32,
    /// A disability of this grade or worse (1 is the most severe; none: any).
    #[serde(default)]
    pub disability_grade: Option<u8>,
    /// Hours of service a month.
    pub hours: u32,
}

#[derive(Deserialize)]
struct GroupsFile {
    group: Vec<Group>,
}

/// The shipped groups' file.
pub const GROUPS_FILE: &str = include_str!("../../../../policies/homecare.toml");

/// Parses a groups file: codes unique, hours between 1 and 744 (a month's hours).
pub fn parse_groups(text: &str) -> Result<Vec<Group>, String> {
    let f: GroupsFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    for g in &f.group {
        if !seen.insert(g.code.as_str()) {
            return Err(format!("group code {:?} is used twice", g.code));
        }
        if !(1..=744).contains(&g.hours) {
            return Err(format!("group {:?}: {} hours a month", g.code, g.hours));
        }
    }
    Ok(f.group)
}

/// The shipped groups.
pub fn groups() -> &'static [Group] {
    static GROUPS: std::sync::OnceLock<Vec<Group>> = std::sync::OnceLock::new();
    GROUPS.get_or_init(|| parse_groups(GROUPS_FILE).unwrap_or_default())
}

/// What the platform knows of an elder for the entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ElderFacts {
    pub age: u32,
    /// Programs paid for the month.
    pub programs: Vec<String>,
    /// Daily activities the newest assessment finds they cannot do.
    pub self_care_failed: u32,
    /// Disability grade (1 most severe), if any.
    pub disability_grade: Option<u8>,
}

/// The group giving the most hours among those the elder belongs to, if any.
pub fn entitlement<'a>(groups: &'a [Group], e: &ElderFacts) -> Option<&'a Group> {
    groups
        .iter()
        .filter(|g| {
            e.age >= g.min_age
                && (g.programs.is_empty() || g.programs.iter().any(|p| e.programs.contains(p)))
                && e.self_care_failed >= g.self_care_failed
                && g.disability_grade.is_none_or(|max| e.disability_grade.is_some_and(|d| d <= max))
        })
        .max_by_key(|g| (g.hours, std::cmp::Reverse(g.code.clone())))
}

/// 服务项目.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Meals,
    Cleaning,
    Bathing,
    MedicalEscort,
    Rehabilitation,
    Visit,
}

impl Service {
    pub const ALL: &'static [Service] =
        &[Service::Meals, Service::Cleaning, Service::Bathing, Service::MedicalEscort, Service::Rehabilitation, Service::Visit];
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Meals => "meals",
            Service::Cleaning => "cleaning",
            Service::Bathing => "bathing",
            Service::MedicalEscort => "medical_escort",
            Service::Rehabilitation => "rehabilitation",
            Service::Visit => "visit",
        }
    }
    pub fn parse(s: &str) -> Option<Service> {
        Service::ALL.iter().copied().find(|x| x.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Service::Meals => "助餐",
            Service::Cleaning => "助洁",
            Service::Bathing => "助浴",
            Service::MedicalEscort => "助医",
            Service::Rehabilitation => "康复护理",
            Service::Visit => "探访关爱",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Service::Meals => "meals",
            Service::Cleaning => "cleaning",
            Service::Bathing => "bathing",
            Service::MedicalEscort => "medical escort",
            Service::Rehabilitation => "rehabilitation care",
            Service::Visit => "visiting",
        }
    }
}

/// 核验结果 of a sampled service record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// 回访属实.
    Confirmed,
    /// 回访不实: the record is not paid.
    Rejected,
}

impl Verification {
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Confirmed => "confirmed",
            Verification::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Verification> {
        match s {
            "confirmed" => Some(Verification::Confirmed),
            "rejected" => Some(Verification::Rejected),
            _ => None,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Verification::Confirmed => "回访属实",
            Verification::Rejected => "回访不实（不予结算）",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Verification::Confirmed => "confirmed",
            Verification::Rejected => "not confirmed (not paid)",
        }
    }
}

/// A service record as the provider hands it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitReport {
    pub order_id: i64,
    pub served_on: NaiveDate,
    pub service: Service,
    pub minutes: u32,
    /// 服务人员.
    pub worker: String,
}

/// Why a service record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    #[error("{0} minutes")]
    Minutes(u32),
    #[error("no worker")]
    NoWorker,
    #[error("date {0} is after today")]
    Future(NaiveDate),
    #[error("{served} is outside the order ({from} to {to:?})")]
    OutsideOrder { served: NaiveDate, from: NaiveDate, to: Option<NaiveDate> },
    #[error("the month {0} is settled")]
    Settled(String),
}

/// The longest visit a record may show.
pub const MAX_VISIT_MINUTES: u32 = 480;

impl Bilingual for VisitError {
    fn zh(&self) -> String {
        match self {
            VisitError::Minutes(m) => format!("服务时长{m}分钟不合理：应为1至{MAX_VISIT_MINUTES}分钟"),
            VisitError::NoWorker => "请填写服务人员".into(),
            VisitError::Future(d) => format!("服务日期{d}晚于今天"),
            VisitError::OutsideOrder { served, from, to } => match to {
                Some(to) => format!("服务日期{served}不在服务期限（{from}至{to}）内"),
                None => format!("服务日期{served}早于服务开始日期{from}"),
            },
            VisitError::Settled(m) => format!("{m}已结算，不能再补录该月的服务记录"),
        }
    }
    fn en(&self) -> String {
        match self {
            VisitError::Minutes(m) => format!("{m} minutes: a visit lasts 1 to {MAX_VISIT_MINUTES} minutes"),
            VisitError::NoWorker => "enter who served".into(),
            VisitError::Future(d) => format!("date {d} is after today"),
            VisitError::OutsideOrder { served, from, to } => match to {
                Some(to) => format!("{served} is outside the order ({from} to {to})"),
                None => format!("{served} is before the order starts ({from})"),
            },
            VisitError::Settled(m) => format!("{m} is settled: no more records for that month"),
        }
    }
}

/// Checks a service record against its order.
pub fn check_visit(v: &VisitReport, from: NaiveDate, to: Option<NaiveDate>, today: NaiveDate) -> Result<(), VisitError> {
    if v.minutes == 0 || v.minutes > MAX_VISIT_MINUTES {
        return Err(VisitError::Minutes(v.minutes));
    }
    if v.worker.trim().is_empty() {
        return Err(VisitError::NoWorker);
    }
    if v.served_on > today {
        return Err(VisitError::Future(v.served_on));
    }
    if v.served_on < from || to.is_some_and(|t| v.served_on > t) {
        return Err(VisitError::OutsideOrder { served: v.served_on, from, to });
    }
    Ok(())
}

/// Whether a record is in the verification sample: about `permille` in a thousand, chosen when
/// it is stored by a hash of a key the provider does not choose (the record with the moment it
/// was stored), so that a provider cannot tell beforehand which records will be checked.
pub fn sampled(key: u64, month: NaiveDate, permille: u32) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ ((month.year() as u64) << 8) ^ u64::from(month.month());
    for b in key.to_le_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 29;
    (h % 1000) < u64::from(permille)
}

/// One order's month as the settlement reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderMonth {
    pub order_id: i64,
    pub provider_id: i64,
    /// Entitled minutes a month.
    pub entitled: u32,
    /// Minutes served, rejected records excluded.
    pub served: u64,
    /// Minutes of rejected records.
    pub rejected: u64,
    pub visits: u64,
}

/// A provider's settlement of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settlement {
    pub provider_id: i64,
    pub orders: u64,
    pub visits: u64,
    pub minutes_served: u64,
    pub minutes_rejected: u64,
    /// Served minutes within each elder's entitlement.
    pub minutes_paid: u64,
    pub amount_fen: i64,
}

/// The month's settlement per provider: each order paid for its minutes served and not
/// rejected, up to its entitlement, at `hour_fen` an hour (rounded down to the fen per order).
pub fn settle(orders: &[OrderMonth], hour_fen: i64) -> Vec<Settlement> {
    let mut by: BTreeMap<i64, Settlement> = BTreeMap::new();
    for o in orders {
        let s = by.entry(o.provider_id).or_insert(Settlement { provider_id: o.provider_id, ..Default::default() });
        let paid = o.served.min(u64::from(o.entitled));
        s.orders += 1;
        s.visits += o.visits;
        s.minutes_served += o.served;
        s.minutes_rejected += o.rejected;
        s.minutes_paid += paid;
        s.amount_fen += i64::try_from(paid).unwrap_or(i64::MAX) * hour_fen / 60;
    }
    by.into_values().collect()
}

/// The columns of a provider's monthly sheet of service records (服务记录表), as headed
/// (units in brackets are ignored: 服务时长（分钟）).
pub const SHEET_COLUMNS: [&str; 5] = ["工单号", "服务日期", "服务项目", "服务时长", "服务人员"];

/// A row of a sheet that cannot be read: its row number in Excel and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub zh: String,
    pub en: String,
}

/// The service records of a provider's sheet, each with its row number in Excel; every row that
/// cannot be read is named (nothing is taken from a sheet with one).
pub fn visits_from_sheet(sheet: &minzheng_app::sheet::Sheet) -> Result<Vec<(usize, VisitReport)>, Vec<RowError>> {
    let col = |name: &str| sheet.headers.iter().position(|h| h == name);
    let missing: Vec<&str> = SHEET_COLUMNS.iter().copied().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(vec![RowError {
            row: 1,
            zh: format!("表头缺少：{}（应有 {}）", missing.join("、"), SHEET_COLUMNS.join("、")),
            en: format!("the header lacks {} (expected {})", missing.join(", "), SHEET_COLUMNS.join(", ")),
        }]);
    }
    let [order, date, service, minutes, worker] = SHEET_COLUMNS.map(|c| col(c).unwrap_or(0));
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for r in &sheet.rows {
        let cell = |i: usize| r.cells.get(i).cloned().unwrap_or(minzheng_app::sheet::Cell::Empty);
        let mut why: Vec<(String, String)> = Vec::new();
        let order_id = cell(order).text().trim_start_matches('#').parse::<i64>().ok();
        if order_id.is_none() {
            why.push((format!("工单号“{}”应为数字", cell(order).text()), format!("order {:?} is not a number", cell(order).text())));
        }
        let served_on = match cell(date) {
            minzheng_app::sheet::Cell::Date(d) => Some(d),
            c => {
                let t = c.text();
                NaiveDate::parse_from_str(&t, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(&t, "%Y/%m/%d")).ok()
            }
        };
        if served_on.is_none() {
            why.push((
                format!("服务日期“{}”无法识别，请写成 2026-11-03", cell(date).text()),
                format!("date {:?}: write it as 2026-11-03", cell(date).text()),
            ));
        }
        let kind = {
            let t = cell(service).text();
            Service::ALL.iter().copied().find(|s| s.zh() == t || s.as_str() == t || s.en() == t)
        };
        if kind.is_none() {
            let names: Vec<&str> = Service::ALL.iter().map(|s| s.zh()).collect();
            why.push((
                format!("服务项目“{}”应为{}之一", cell(service).text(), names.join("、")),
                format!(
                    "service {:?} is not one of {}",
                    cell(service).text(),
                    Service::ALL.iter().map(|s| s.en()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let mins = cell(minutes).text().parse::<u32>().ok();
        if mins.is_none() {
            why.push((
                format!("服务时长“{}”应为分钟数", cell(minutes).text()),
                format!("minutes {:?} is not a number", cell(minutes).text()),
            ));
        }
        match (order_id, served_on, kind, mins) {
            (Some(order_id), Some(served_on), Some(service), Some(minutes)) if why.is_empty() => {
                out.push((r.number, VisitReport { order_id, served_on, service, minutes, worker: cell(worker).text() }));
            }
            _ => errors.push(RowError {
                row: r.number,
                zh: why.iter().map(|w| w.0.clone()).collect::<Vec<_>>().join("；"),
                en: why.iter().map(|w| w.1.clone()).collect::<Vec<_>>().join("; "),
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The first of a month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_shipped_groups_give_the_most_hours_of_those_an_elder_belongs_to() {
        let g = parse_groups(GROUPS_FILE).expect("shipped");
        assert_eq!(groups().len(), g.len());
        let tekun_dependent = ElderFacts { age: 72, programs: vec!["tekun".into()], self_care_failed: 2, disability_grade: None };
        assert_eq!(entitlement(&g, &tekun_dependent).map(|g| g.code.as_str()), Some("tekun_dependent"));
        let dibao = ElderFacts { age: 66, programs: vec!["dibao".into()], ..Default::default() };
        assert_eq!(entitlement(&g, &dibao).map(|g| g.code.as_str()), Some("low_income"));
        let old = ElderFacts { age: 85, ..Default::default() };
        assert_eq!(entitlement(&g, &old).map(|g| g.code.as_str()), Some("very_old"));
        let disabled = ElderFacts { age: 61, disability_grade: Some(2), ..Default::default() };
        assert_eq!(entitlement(&g, &disabled).map(|g| g.code.as_str()), Some("disabled"));
        assert_eq!(entitlement(&g, &ElderFacts { age: 61, disability_grade: Some(3), ..Default::default() }), None);
        assert_eq!(entitlement(&g, &ElderFacts { age: 59, programs: vec!["dibao".into()], ..Default::default() }), None);
        assert!(parse_groups("[[group]]\ncode = \"a\"\nzh = \"甲\"\nen = \"A\"\nmin_age = 60\nhours = 0\n").is_err());
    }

    #[test]
    fn a_record_is_within_its_order_and_plausible() {
        let v = VisitReport { order_id: 1, served_on: d(2026, 11, 3), service: Service::Cleaning, minutes: 90, worker: "王阿姨".into() };
        let today = d(2026, 12, 6);
        assert_eq!(check_visit(&v, d(2026, 11, 1), None, today), Ok(()));
        assert_eq!(check_visit(&VisitReport { minutes: 0, ..v.clone() }, d(2026, 11, 1), None, today), Err(VisitError::Minutes(0)));
        assert_eq!(check_visit(&VisitReport { worker: " ".into(), ..v.clone() }, d(2026, 11, 1), None, today), Err(VisitError::NoWorker));
        assert!(matches!(check_visit(&v, d(2026, 11, 5), None, today), Err(VisitError::OutsideOrder { .. })));
        assert!(matches!(check_visit(&v, d(2026, 10, 1), Some(d(2026, 10, 31)), today), Err(VisitError::OutsideOrder { .. })));
        assert!(VisitError::Settled("2026年11月".into()).zh().contains("已结算"));
    }

    #[test]
    fn a_month_is_settled_within_each_entitlement_at_the_hourly_price() {
        let orders = [
            // 20 hours entitled, 25 served: 20 paid.
            OrderMonth { order_id: 1, provider_id: 7, entitled: 1200, served: 1500, rejected: 0, visits: 10 },
            // 10 hours entitled, 6 served after one 90-minute visit rejected.
            OrderMonth { order_id: 2, provider_id: 7, entitled: 600, served: 360, rejected: 90, visits: 5 },
            OrderMonth { order_id: 3, provider_id: 9, entitled: 600, served: 45, rejected: 0, visits: 1 },
        ];
        let s = settle(&orders, 3000);
        assert_eq!(
            s[0],
            Settlement {
                provider_id: 7,
                orders: 2,
                visits: 15,
                minutes_served: 1860,
                minutes_rejected: 90,
                minutes_paid: 1560,
                amount_fen: 78_000
            }
        );
        assert_eq!((s[1].provider_id, s[1].amount_fen), (9, 2250));
    }

    #[test]
    fn the_sample_is_stable_and_near_its_rate() {
        let m = d(2026, 11, 1);
        let n = (1..=20_000u64).filter(|&id| sampled(id, m, 50)).count();
        assert!((800..=1200).contains(&n), "{n} of 20,000 at 5%");
        assert_eq!(sampled(12345, m, 50), sampled(12345, m, 50));
        assert!((1..=100u64).all(|id| sampled(id, m, 1000)));
        assert!((1..=100u64).all(|id| !sampled(id, m, 0)));
    }

    #[test]
    fn a_providers_sheet_is_read_row_by_row_and_every_bad_row_named() {
        let text = "居家养老服务记录表\n工单号,服务日期,服务项目,服务时长（分钟）,服务人员\n7,2026-11-03,助洁,90,孙阿姨\n#7,2026/11/05,meals,60,孙阿姨\n";
        let sheet = minzheng_app::sheet::read_bytes("m.csv", text.as_bytes().to_vec(), |h| SHEET_COLUMNS.contains(&h)).expect("sheet");
        let v = visits_from_sheet(&sheet).expect("rows");
        assert_eq!(
            v.iter().map(|(n, r)| (*n, r.order_id, r.service, r.minutes)).collect::<Vec<_>>(),
            vec![(3, 7, Service::Cleaning, 90), (4, 7, Service::Meals, 60)]
        );
        let bad = "工单号,服务日期,服务项目,服务时长（分钟）,服务人员\n7,2026-11-03,打扫,90,孙阿姨\nx,11月3日,助洁,一小时,孙阿姨\n";
        let sheet = minzheng_app::sheet::read_bytes("m.csv", bad.as_bytes().to_vec(), |h| SHEET_COLUMNS.contains(&h)).expect("sheet");
        let e = visits_from_sheet(&sheet).expect_err("bad rows");
        assert_eq!(e.iter().map(|e| e.row).collect::<Vec<_>>(), vec![2, 3]);
        assert!(e[0].zh.contains("服务项目“打扫”应为助餐"), "{}", e[0].zh);
        assert!(e[1].zh.contains("工单号") && e[1].zh.contains("服务日期") && e[1].zh.contains("服务时长"), "{}", e[1].zh);
        let headless = "工单号,服务日期,服务人员\n7,2026-11-03,孙阿姨\n";
        let sheet = minzheng_app::sheet::read_bytes("m.csv", headless.as_bytes().to_vec(), |h| SHEET_COLUMNS.contains(&h)).expect("sheet");
        assert!(visits_from_sheet(&sheet).expect_err("no column")[0].zh.contains("服务项目、服务时长"));
    }

    proptest! {
        #[test]
        fn nothing_is_paid_beyond_the_entitlement_or_the_service(orders in proptest::collection::vec((0i64..5, 0u32..3000, 0u64..5000), 0..50), hour in 0i64..10_000) {
            let orders: Vec<OrderMonth> = orders.iter().enumerate().map(|(i, &(p, e, s))| OrderMonth {
                order_id: i as i64, provider_id: p, entitled: e, served: s, rejected: 0, visits: 1 }).collect();
            let s = settle(&orders, hour);
            let paid: u64 = s.iter().map(|x| x.minutes_paid).sum();
            let bound: u64 = orders.iter().map(|o| o.served.min(u64::from(o.entitled))).sum();
            prop_assert_eq!(paid, bound);
            prop_assert!(s.iter().all(|x| x.minutes_paid <= x.minutes_served));
            prop_assert!(s.iter().all(|x| x.amount_fen <= i64::try_from(x.minutes_paid).unwrap_or(0) * hour / 60 + 1));
            prop_assert_eq!(s.iter().map(|x| x.orders).sum::<u64>(), orders.len() as u64);
        }
    }
}
