//! 低收入人口动态监测 / Low-income population monitoring as data: who is monitored (监测对象类别)
//! and what raises a warning (预警规则), each an SQL condition over the same features the
//! programs read (`person_features`), the monitoring's own event columns (`events`: departmental
//! events, enrolments, the programs' results) and the parameters (`p.name`), in the policy
//! folder's `warnings.toml`.
//!
//! A rule file is checked like a program file: an unknown feature or parameter, a missing legal
//! basis, a condition that is not true/false or an occurrence that is not a whole number is
//! refused at start with the file, the line and the reason.

use crate::engine::{column, ymd};
use crate::snapshot::{Snapshot, Table};
use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How urgent a warning is (预警等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// 红色: act at once.
    High,
    /// 橙色
    Medium,
    /// 黄色
    Low,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::High, Severity::Medium, Severity::Low].into_iter().find(|x| x.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Severity::High => "红色预警",
            Severity::Medium => "橙色预警",
            Severity::Low => "黄色预警",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Severity::High => "red",
            Severity::Medium => "orange",
            Severity::Low => "yellow",
        }
    }
}

/// Who must act on a warning first (责任主体): the household's grid worker, its community or
/// its street.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Responder {
    Grid,
    Community,
    Street,
}

impl Responder {
    pub fn as_str(self) -> &'static str {
        match self {
            Responder::Grid => "grid",
            Responder::Community => "community",
            Responder::Street => "street",
        }
    }
    pub fn parse(s: &str) -> Option<Responder> {
        [Responder::Grid, Responder::Community, Responder::Street].into_iter().find(|x| x.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Responder::Grid => "网格员",
            Responder::Community => "社区",
            Responder::Street => "街道",
        }
    }
}

/// A category of the monitored population (监测对象类别).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// 政策依据.
    pub basis: String,
    /// Who is in it: an SQL condition.
    pub condition: String,
}

/// A warning rule (预警规则).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRule {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub severity: Severity,
    /// 政策依据.
    pub basis: String,
    /// Who acts first.
    pub responder: Responder,
    /// The time limit from the warning to the decision, in working days.
    pub days: u32,
    /// One task per household (`household`) or per person (`person`).
    pub unit: crate::defs::Unit,
    /// The departmental sources whose arrival may raise it (an incremental run evaluates the
    /// rules of the file's source and the rules naming no source).
    #[serde(default)]
    pub sources: Vec<String>,
    /// When it is raised: an SQL condition.
    pub condition: String,
    /// What tells one occurrence from the next, an SQL whole number (the event's date as
    /// yyyymmdd, the age reached): a warning is raised once per person (household) and
    /// occurrence, never again once handled.
    pub occurrence: String,
    /// What the task asks of the responder, shown on it.
    pub action: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WarningsFile {
    #[serde(rename = "category", default)]
    pub categories: Vec<Category>,
    #[serde(rename = "rule", default)]
    pub rules: Vec<WarningRule>,
}

/// One event column of the `events` table: its name, meaning, unit and source.
pub struct EventColumn {
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub unit: &'static str,
    pub source: &'static str,
}

const fn ev(name: &'static str, zh: &'static str, en: &'static str, unit: &'static str, source: &'static str) -> EventColumn {
    EventColumn { name, zh, en, unit, source }
}

/// The whole-number event columns, every one NULL where nothing is known. Besides these, the
/// table has per program `enrolled_<code>` (the person is a member of an enrolment in force),
/// `eligible_<code>` (the rules find the person's unit eligible today) and `amount_<code>` (fen a
/// month, the unit's amount by the rules).
pub const EVENT_COLUMNS: &[EventColumn] = &[
    ev("run_on", "本次监测日期（yyyymmdd）", "The date of the run (yyyymmdd)", "yyyymmdd", "监测运行"),
    ev(
        "birthday_days",
        "距最近一次生日的天数（生日当天为 0）",
        "Days since the last birthday (0 on the day)",
        "days",
        "户籍登记（出生日期）",
    ),
    ev("medical_oop", "近12个月医疗费用个人自付", "Out-of-pocket medical costs in the last 12 months", "fen", "医保 medical"),
    ev(
        "hh_medical_oop",
        "全家近12个月医疗费用个人自付",
        "The household's out-of-pocket medical costs, last 12 months",
        "fen",
        "医保 medical",
    ),
    ev(
        "medical_on",
        "最近一笔医疗费用结算日期（yyyymmdd）",
        "Date of the newest medical settlement (yyyymmdd)",
        "yyyymmdd",
        "医保 medical",
    ),
    ev("disability_rated_days", "距最近一次残疾评定的天数", "Days since the newest disability rating", "days", "残联 disability"),
    ev("disability_rated_grade", "最近一次评定的残疾等级", "Grade of the newest disability rating", "grade", "残联 disability"),
    ev(
        "disability_rated_on",
        "最近一次残疾评定日期（yyyymmdd）",
        "Date of the newest disability rating (yyyymmdd)",
        "yyyymmdd",
        "残联 disability",
    ),
    ev("unemployed_days", "距失业登记的天数", "Days since the unemployment registration", "days", "人社 unemployment"),
    ev("unemployed_on", "失业登记日期（yyyymmdd）", "Date of the unemployment registration (yyyymmdd)", "yyyymmdd", "人社 unemployment"),
    ev("hh_death_days", "距家庭成员死亡的天数", "Days since a member of the household died", "days", "公安/殡葬 deaths, cremations"),
    ev(
        "hh_death_on",
        "家庭成员死亡日期（yyyymmdd）",
        "Date a member of the household died (yyyymmdd)",
        "yyyymmdd",
        "公安/殡葬 deaths, cremations",
    ),
    ev("hh_newborn_days", "距家庭最小成员出生的天数", "Days since the youngest member was born", "days", "户籍登记（出生日期）"),
    ev(
        "hh_newborn_on",
        "家庭最小成员出生日期（yyyymmdd）",
        "Birth date of the youngest member (yyyymmdd)",
        "yyyymmdd",
        "户籍登记（出生日期）",
    ),
    ev("left_days", "距退出低保、特困的天数", "Days since the household's 低保 or 特困 ended", "days", "在保对象（停保）"),
    ev("review_due_days", "距下次定期核查的天数", "Days until the next periodic review", "days", "在保对象（复核周期）"),
    ev("review_due_on", "下次定期核查日期（yyyymmdd）", "Date of the next periodic review (yyyymmdd)", "yyyymmdd", "在保对象（复核周期）"),
    ev("exit_days", "距渐退期满的天数", "Days until the gradual exit (渐退) ends", "days", "在保对象（渐退）"),
    ev("exit_on", "渐退期满日期（yyyymmdd）", "Date the gradual exit ends (yyyymmdd)", "yyyymmdd", "在保对象（渐退）"),
    ev(
        "hh_medical_on",
        "全家最近一笔医疗费用结算日期（yyyymmdd）",
        "Date of the household's newest medical settlement (yyyymmdd)",
        "yyyymmdd",
        "医保 medical",
    ),
];

/// The positions of [`EVENT_COLUMNS`], by name (checked by a test).
mod col {
    pub const RUN_ON: usize = 0;
    pub const BIRTHDAY_DAYS: usize = 1;
    pub const MEDICAL_OOP: usize = 2;
    pub const HH_MEDICAL_OOP: usize = 3;
    pub const MEDICAL_ON: usize = 4;
    pub const DISABILITY_RATED_DAYS: usize = 5;
    pub const DISABILITY_RATED_GRADE: usize = 6;
    pub const DISABILITY_RATED_ON: usize = 7;
    pub const UNEMPLOYED_DAYS: usize = 8;
    pub const UNEMPLOYED_ON: usize = 9;
    pub const HH_DEATH_DAYS: usize = 10;
    pub const HH_DEATH_ON: usize = 11;
    pub const HH_NEWBORN_DAYS: usize = 12;
    pub const HH_NEWBORN_ON: usize = 13;
    pub const LEFT_DAYS: usize = 14;
    pub const REVIEW_DUE_DAYS: usize = 15;
    pub const REVIEW_DUE_ON: usize = 16;
    pub const EXIT_DAYS: usize = 17;
    pub const EXIT_ON: usize = 18;
    pub const HH_MEDICAL_ON: usize = 19;
}

/// Whether a rule may read `name` as an event column (given the programs' codes).
pub fn is_event_column(name: &str, programs: &[String]) -> bool {
    EVENT_COLUMNS.iter().any(|c| c.name == name)
        || ["enrolled_", "eligible_", "amount_"]
            .iter()
            .filter_map(|prefix| name.strip_prefix(prefix))
            .any(|code| programs.iter().any(|p| p == code))
}

/// The `events` table's schema for these programs.
pub fn events_schema(programs: &[String]) -> SchemaRef {
    let mut fields = vec![Field::new("pid", DataType::Int64, false)];
    fields.extend(EVENT_COLUMNS.iter().map(|c| Field::new(c.name, DataType::Int64, true)));
    for p in programs {
        fields.push(Field::new(format!("enrolled_{p}"), DataType::Boolean, false));
        fields.push(Field::new(format!("eligible_{p}"), DataType::Boolean, false));
        fields.push(Field::new(format!("amount_{p}"), DataType::Int64, true));
    }
    Arc::new(Schema::new(fields))
}

/// The events of every person of a snapshot on a date, filled by the monitoring module from the
/// departmental records and the enrolments, then made into the `events` table.
#[derive(Debug, Clone)]
pub struct Events {
    on: NaiveDate,
    hid: Vec<i64>,
    /// One column per [`EVENT_COLUMNS`] entry, by pid.
    values: Vec<Vec<Option<i64>>>,
    /// Program code → by pid, whether the person is a member of an enrolment in force.
    enrolled: std::collections::HashMap<String, Vec<bool>>,
    /// Per household: death, newest birth, enrolment ended, review due, gradual exit's end.
    households: Vec<HouseholdEvents>,
}

#[derive(Debug, Clone, Copy, Default)]
struct HouseholdEvents {
    death: Option<NaiveDate>,
    newborn: Option<NaiveDate>,
    left: Option<NaiveDate>,
    review: Option<NaiveDate>,
    exit: Option<NaiveDate>,
}

fn date_of(yyyymmdd: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(yyyymmdd / 10000, (yyyymmdd / 100 % 100) as u32, (yyyymmdd % 100) as u32)
}

impl Events {
    /// Every person of the snapshot with nothing known yet, and what the registry itself says:
    /// the days since the last birthday, the household's newest birth.
    pub fn new(snapshot: &Snapshot, on: NaiveDate) -> Events {
        let n = snapshot.persons();
        let mut hid = vec![0i64; n];
        let mut birth = vec![0i32; n];
        for b in snapshot.table("person").map(|t| t.partitions.iter().flatten().collect::<Vec<_>>()).unwrap_or_default() {
            let (Some(p), Some(h), Some(d)) =
                (column::<Int64Type>(b, "pid"), column::<Int64Type>(b, "hid"), column::<Int32Type>(b, "birth"))
            else {
                continue;
            };
            for i in 0..b.num_rows() {
                if let Some(slot) = usize::try_from(p.value(i)).ok().filter(|x| *x < n) {
                    hid[slot] = h.value(i);
                    birth[slot] = d.value(i);
                }
            }
        }
        let mut households = vec![HouseholdEvents::default(); snapshot.households()];
        let mut values = vec![vec![None; n]; EVENT_COLUMNS.len()];
        for (pid, (&h, &b)) in hid.iter().zip(&birth).enumerate() {
            let Some(born) = date_of(b) else { continue };
            values[col::BIRTHDAY_DAYS][pid] = last_birthday(born, on).map(|d| (on - d).num_days());
            if let Some(hh) = households.get_mut(h as usize) {
                if born <= on && hh.newborn.is_none_or(|n| born > n) {
                    hh.newborn = Some(born);
                }
            }
        }
        values[col::RUN_ON] = vec![Some(ymd(on) as i64); n];
        Events { on, hid, values, enrolled: Default::default(), households }
    }

    pub fn on(&self) -> NaiveDate {
        self.on
    }

    /// The household (hid) of a person (pid).
    pub fn hid_of(&self, pid: i64) -> Option<i64> {
        self.hid.get(pid as usize).copied()
    }

    fn days(&self, d: NaiveDate) -> i64 {
        (self.on - d).num_days()
    }

    fn set(&mut self, column: usize, pid: i64, value: i64) {
        if let Some(slot) = self.values.get_mut(column).and_then(|c| c.get_mut(pid as usize)) {
            *slot = Some(value);
        }
    }

    fn get(&self, column: usize, pid: i64) -> Option<i64> {
        self.values.get(column).and_then(|c| c.get(pid as usize)).copied().flatten()
    }

    /// 医保: an out-of-pocket amount settled on `date` (counted when within the 12 months up to
    /// the run's date).
    pub fn medical(&mut self, pid: i64, date: NaiveDate, fen: i64) {
        if date > self.on || self.days(date) >= 365 {
            return;
        }
        let total = self.get(col::MEDICAL_OOP, pid).unwrap_or(0) + fen;
        self.set(col::MEDICAL_OOP, pid, total);
        if self.get(col::MEDICAL_ON, pid).is_none_or(|d| ymd(date) as i64 > d) {
            self.set(col::MEDICAL_ON, pid, ymd(date) as i64);
        }
    }

    /// 残联: a disability rating of `grade` on `date` (the newest counts).
    pub fn disability_rating(&mut self, pid: i64, date: NaiveDate, grade: i64) {
        if date > self.on || self.get(col::DISABILITY_RATED_ON, pid).is_some_and(|d| d >= ymd(date) as i64) {
            return;
        }
        self.set(col::DISABILITY_RATED_ON, pid, ymd(date) as i64);
        self.set(col::DISABILITY_RATED_DAYS, pid, self.days(date));
        self.set(col::DISABILITY_RATED_GRADE, pid, grade);
    }

    /// 人社: registered unemployed on `date` (the newest counts).
    pub fn unemployment(&mut self, pid: i64, date: NaiveDate) {
        if date > self.on || self.get(col::UNEMPLOYED_ON, pid).is_some_and(|d| d >= ymd(date) as i64) {
            return;
        }
        self.set(col::UNEMPLOYED_ON, pid, ymd(date) as i64);
        self.set(col::UNEMPLOYED_DAYS, pid, self.days(date));
    }

    /// A person died on `date`: an event of every member of their household (the newest).
    pub fn death(&mut self, pid: i64, date: NaiveDate) {
        if date > self.on {
            return;
        }
        if let Some(h) = self.hid_of(pid).and_then(|h| self.households.get_mut(h as usize)) {
            if h.death.is_none_or(|d| date > d) {
                h.death = Some(date);
            }
        }
    }

    /// A person (pid) is a member of an enrolment in force of `program`.
    pub fn enrolled(&mut self, pid: i64, program: &str) {
        let n = self.hid.len();
        if let Some(slot) = self.enrolled.entry(program.to_string()).or_insert_with(|| vec![false; n]).get_mut(pid as usize) {
            *slot = true;
        }
    }

    /// The household's (hid) 低保 or 特困 enrolment ended on `ended` (退出).
    pub fn left(&mut self, hid: i64, ended: NaiveDate) {
        if let Some(h) = self.households.get_mut(hid as usize) {
            if ended <= self.on && h.left.is_none_or(|l| ended > l) {
                h.left = Some(ended);
            }
        }
    }

    /// An enrolment of the household (hid) in force: its next periodic review and the end of
    /// its gradual exit (渐退), when known (the earliest counts).
    pub fn dates(&mut self, hid: i64, review: Option<NaiveDate>, exit: Option<NaiveDate>) {
        let Some(h) = self.households.get_mut(hid as usize) else { return };
        if review.is_some() && (h.review.is_none() || review < h.review) {
            h.review = review;
        }
        if exit.is_some() && (h.exit.is_none() || exit < h.exit) {
            h.exit = exit;
        }
    }

    /// The `events` table, with the programs' results of `run` (eligibility and amount per unit).
    pub fn finish(mut self, programs: &[String], run: Option<&crate::Run>) -> Table {
        let n = self.hid.len();
        // Household events onto every member.
        let mut hh_medical = vec![0i64; self.households.len()];
        let mut hh_medical_on = vec![None::<i64>; self.households.len()];
        for pid in 0..n {
            let Some(h) = self.hid.get(pid).map(|h| *h as usize) else { continue };
            if let (Some(m), Some(s)) = (self.get(col::MEDICAL_OOP, pid as i64), hh_medical.get_mut(h)) {
                *s += m;
            }
            if let (Some(d), Some(s)) = (self.get(col::MEDICAL_ON, pid as i64), hh_medical_on.get_mut(h)) {
                if s.is_none_or(|x| d > x) {
                    *s = Some(d);
                }
            }
        }
        for pid in 0..n {
            let h = self.hid[pid];
            let Some(hh) = self.households.get(h as usize).copied() else { continue };
            let pid = pid as i64;
            if hh_medical[h as usize] > 0 {
                self.set(col::HH_MEDICAL_OOP, pid, hh_medical[h as usize]);
            }
            if let Some(d) = hh_medical_on[h as usize] {
                self.set(col::HH_MEDICAL_ON, pid, d);
            }
            let today = self.on;
            let dated = |d: Option<NaiveDate>| d.map(|d| ((today - d).num_days(), ymd(d) as i64));
            if let Some((days, on)) = dated(hh.death) {
                self.set(col::HH_DEATH_DAYS, pid, days);
                self.set(col::HH_DEATH_ON, pid, on);
            }
            if let Some((days, on)) = dated(hh.newborn) {
                self.set(col::HH_NEWBORN_DAYS, pid, days);
                self.set(col::HH_NEWBORN_ON, pid, on);
            }
            if let Some((days, _)) = dated(hh.left) {
                self.set(col::LEFT_DAYS, pid, days);
            }
            if let Some((days, on)) = dated(hh.review) {
                self.set(col::REVIEW_DUE_DAYS, pid, -days);
                self.set(col::REVIEW_DUE_ON, pid, on);
            }
            if let Some((days, on)) = dated(hh.exit) {
                self.set(col::EXIT_DAYS, pid, -days);
                self.set(col::EXIT_ON, pid, on);
            }
        }
        let mut columns: Vec<ArrayRef> = vec![Arc::new(Int64Array::from_iter_values(0..n as i64))];
        columns.extend(self.values.into_iter().map(|v| Arc::new(Int64Array::from(v)) as ArrayRef));
        for code in programs {
            let enrolled = self.enrolled.remove(code).unwrap_or_else(|| vec![false; n]);
            columns.push(Arc::new(BooleanArray::from(enrolled)));
            let (mut eligible, mut amount) = (vec![false; n], vec![None; n]);
            if let Some(p) = run.and_then(|r| r.program(code)) {
                let by_household = p.unit == crate::Unit::Household;
                let mut by_unit: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
                for u in p.units().filter(|u| u.eligible) {
                    by_unit.insert(u.unit, u.amount);
                }
                for pid in 0..n {
                    let key = if by_household { self.hid[pid] } else { pid as i64 };
                    if let Some(a) = by_unit.get(&key) {
                        eligible[pid] = true;
                        amount[pid] = Some(*a);
                    }
                }
            }
            columns.push(Arc::new(BooleanArray::from(eligible)));
            columns.push(Arc::new(Int64Array::from(amount)));
        }
        let schema = events_schema(programs);
        let batch = match RecordBatch::try_new(schema.clone(), columns) {
            Ok(b) => b,
            // One column per field of the schema above, each of n rows: a mismatch is a bug here.
            #[allow(clippy::panic, reason = "the columns are built to the schema; a mismatch is a bug here")]
            Err(e) => panic!("events table: {e}"),
        };
        Table::from_batches("events", schema, vec![batch], 1)
    }
}

/// The person's last birthday on or before `on` (29 February counts on 28 February in other
/// years), None before birth.
pub fn last_birthday(born: NaiveDate, on: NaiveDate) -> Option<NaiveDate> {
    if born > on {
        return None;
    }
    let in_year = |y: i32| NaiveDate::from_ymd_opt(y, born.month(), born.day()).or_else(|| NaiveDate::from_ymd_opt(y, 2, 28));
    let this = in_year(on.year())?;
    if this <= on {
        Some(this)
    } else {
        in_year(on.year() - 1)
    }
}

/// One warning raised by a run: the rule (its index in the policy's rules), the person and
/// household (pid, hid in the snapshot) and the occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    pub pid: i64,
    pub hid: i64,
    pub occurrence: i64,
}

/// A monitoring run's results: the warnings and each category's members (pids).
#[derive(Debug, Clone, Default)]
pub struct Monitoring {
    pub hits: Vec<Hit>,
    /// (category index, pid), one per member of a category.
    pub members: Vec<(usize, i64)>,
}

/// The query of one warning rule or category over the features, events and parameters.
pub(crate) fn rule_sql(condition: &str, occurrence: Option<&str>) -> String {
    let occ = occurrence.map(|o| format!("CAST(({o}) AS BIGINT)")).unwrap_or_else(|| "CAST(0 AS BIGINT)".into());
    format!(
        "SELECT f.pid AS w_pid, f.hid AS w_hid, {occ} AS w_occurrence FROM person_features f \
         JOIN events e ON e.pid = f.pid JOIN params p ON f.county = p.p_county AND f.rural = p.p_rural \
         WHERE COALESCE(({condition}), false)"
    )
}

/// Reads a rule's result batches into hits.
pub(crate) fn hits_of(rule: usize, batches: &[RecordBatch], out: &mut Vec<Hit>) {
    for b in batches {
        let (Some(p), Some(h)) = (column::<Int64Type>(b, "w_pid"), column::<Int64Type>(b, "w_hid")) else { continue };
        let o = b.column_by_name("w_occurrence").map(|c| c.as_primitive::<Int64Type>());
        for i in 0..b.num_rows() {
            // A rule whose occurrence is unknown for the person (NULL) raises nothing: it could
            // not tell this event from the next.
            let occurrence = match o {
                Some(o) if o.is_null(i) => continue,
                Some(o) => o.value(i),
                None => 0,
            };
            out.push(Hit { rule, pid: p.value(i), hid: h.value(i), occurrence });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_last_birthday_is_this_years_once_it_has_passed() {
        assert_eq!(last_birthday(d("1966-12-07"), d("2026-12-07")), Some(d("2026-12-07")));
        assert_eq!(last_birthday(d("1966-12-08"), d("2026-12-07")), Some(d("2025-12-08")));
        assert_eq!(last_birthday(d("1964-02-29"), d("2026-03-01")), Some(d("2026-02-28")));
        assert_eq!(last_birthday(d("2027-01-01"), d("2026-12-07")), None);
    }

    #[test]
    fn the_column_positions_are_the_columns_names() {
        let at = |name: &str| EVENT_COLUMNS.iter().position(|c| c.name == name).unwrap();
        assert_eq!(
            [col::RUN_ON, col::BIRTHDAY_DAYS, col::MEDICAL_OOP, col::HH_MEDICAL_OOP, col::MEDICAL_ON, col::DISABILITY_RATED_DAYS],
            [at("run_on"), at("birthday_days"), at("medical_oop"), at("hh_medical_oop"), at("medical_on"), at("disability_rated_days")]
        );
        assert_eq!(
            [
                col::DISABILITY_RATED_GRADE,
                col::DISABILITY_RATED_ON,
                col::UNEMPLOYED_DAYS,
                col::UNEMPLOYED_ON,
                col::HH_DEATH_DAYS,
                col::HH_DEATH_ON
            ],
            [
                at("disability_rated_grade"),
                at("disability_rated_on"),
                at("unemployed_days"),
                at("unemployed_on"),
                at("hh_death_days"),
                at("hh_death_on")
            ]
        );
        assert_eq!(
            [
                col::HH_NEWBORN_DAYS,
                col::HH_NEWBORN_ON,
                col::LEFT_DAYS,
                col::REVIEW_DUE_DAYS,
                col::REVIEW_DUE_ON,
                col::EXIT_DAYS,
                col::EXIT_ON,
                col::HH_MEDICAL_ON
            ],
            [
                at("hh_newborn_days"),
                at("hh_newborn_on"),
                at("left_days"),
                at("review_due_days"),
                at("review_due_on"),
                at("exit_days"),
                at("exit_on"),
                at("hh_medical_on")
            ]
        );
        assert_eq!(EVENT_COLUMNS.len(), 20);
    }

    #[test]
    fn event_columns_are_known_by_name_and_by_program() {
        let programs = vec!["dibao".to_string()];
        assert!(is_event_column("medical_oop", &programs));
        assert!(is_event_column("enrolled_dibao", &programs));
        assert!(!is_event_column("enrolled_tekun", &programs));
        assert!(is_event_column("eligible_dibao", &programs));
        assert!(is_event_column("amount_dibao", &programs));
        assert!(!is_event_column("eligible_tekun", &programs));
        assert!(!is_event_column("hospital_bill", &programs));
    }
}
