//! 在保对象 / Enrolments: who receives which program, for how much, since when.
//!
//! An enrolment is made by an approved case (审核确认, issue of case handling) or carried over
//! from the bureau's existing roster (在保名册) when Minzheng is introduced. It names the
//! program, the household and the members it covers, the owning region (the hukou county that
//! approved it and pays it) and the monthly amount in fen.

use crate::{Bilingual, Fen, IdNumber, RegionCode};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// 保障状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// 在保: paid every month.
    Active,
    /// 暂停: payment held while something is checked.
    Suspended,
    /// 停保: ended.
    Stopped,
}

impl EnrolmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Active => "active",
            EnrolmentStatus::Suspended => "suspended",
            EnrolmentStatus::Stopped => "stopped",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            EnrolmentStatus::Active => "在保",
            EnrolmentStatus::Suspended => "暂停",
            EnrolmentStatus::Stopped => "停保",
        }
    }
    /// From the stored code or the words of a roster (保障状态).
    pub fn parse(s: &str) -> Option<EnrolmentStatus> {
        match s.trim() {
            "active" | "在保" | "正常" | "" => Some(EnrolmentStatus::Active),
            "suspended" | "暂停" => Some(EnrolmentStatus::Suspended),
            "stopped" | "停保" | "终止" => Some(EnrolmentStatus::Stopped),
            _ => None,
        }
    }
}

/// A member covered by an enrolment (保障成员), with the name as the roster gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolledMember {
    pub id_number: IdNumber,
    pub name: String,
    /// The member's own monthly amount, for programs granted to persons (高龄补贴, the two
    /// disability subsidies ...), paid to the member's own card; `None` for household programs
    /// (paid to the head's card) and for rosters that give only the household's total.
    #[serde(default)]
    pub amount: Option<Fen>,
    /// First month no longer paid to this member (their part stopped: a death, a move, a
    /// decision) while the enrolment goes on for the others; the months before it stay theirs,
    /// and what was paid to them from it on is an overpayment.
    #[serde(default)]
    pub end: Option<NaiveDate>,
}

impl EnrolledMember {
    /// A member from a roster or a decision: paid from the enrolment's start, no end of their own.
    pub fn new(id_number: IdNumber, name: impl Into<String>, amount: Option<Fen>) -> EnrolledMember {
        EnrolledMember { id_number, name: name.into(), amount, end: None }
    }

    /// Whether the member's own part is still paid for `month` (the enrolment's own months
    /// aside: [`Enrolment::paid_for`]).
    pub fn paid_for(&self, month: NaiveDate) -> bool {
        self.end.is_none_or(|e| first_of_month(month) < e)
    }
}

/// 在保记录.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Store key; 0 before it is stored.
    pub id: i64,
    /// Program code of the policy files (`dibao`, `gaoling` ...).
    pub program: String,
    /// 户编号 of the registry household.
    pub household_no: String,
    /// The owning county (6 digits): it approved the enrolment and pays it.
    pub county: RegionCode,
    pub members: Vec<EnrolledMember>,
    /// 月保障金额.
    pub monthly_amount: Fen,
    /// First month paid (the first day of that month).
    pub start: NaiveDate,
    pub status: EnrolmentStatus,
    /// First month no longer paid (停发月份), when a stop or a gradual exit (渐退) has set one:
    /// the months from `start` up to, not including, `end` are paid.
    #[serde(default)]
    pub end: Option<NaiveDate>,
}

/// A decision that ends an enrolment, or one member's part of it (停保): from which month, and
/// why (the case or finding that decided it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentStop {
    /// First month not paid (the first day of that month).
    pub end: NaiveDate,
    /// The member leaving a program granted to persons; `None`: the whole enrolment stops.
    pub leaving: Option<IdNumber>,
    /// `finding:12`, `case:34`: what decided it.
    pub decided_by: String,
}

impl Enrolment {
    /// Whether the enrolment is paid for `month` (any day of it): in force from its start, not
    /// suspended, and before its end. A stopped enrolment without an end month (carried over
    /// from a roster that said only 停保) is paid for no month.
    pub fn paid_for(&self, month: NaiveDate) -> bool {
        let m = first_of_month(month);
        let in_force = match self.status {
            EnrolmentStatus::Active => true,
            EnrolmentStatus::Suspended => false,
            EnrolmentStatus::Stopped => self.end.is_some(),
        };
        in_force && self.start <= m && self.end.is_none_or(|e| m < e)
    }

    /// The enrolment after a stop: a member leaving a program granted to persons (while others
    /// are still paid) keeps their place with their own end month, and the monthly amount is the
    /// others'; otherwise the enrolment is stopped from `stop.end` (an earlier end already set is
    /// kept: a stop never pays months an earlier decision ended).
    pub fn stopped(&self, stop: &EnrolmentStop) -> Enrolment {
        let mut e = self.clone();
        if let Some(id) = stop.leaving {
            let own = e.members.iter().find(|m| m.id_number == id).and_then(|m| m.amount);
            let others_paid = e.members.iter().any(|m| m.id_number != id && m.end.is_none());
            if others_paid && own.is_some() {
                for m in e.members.iter_mut().filter(|m| m.id_number == id) {
                    m.end = Some(m.end.map_or(stop.end, |earlier| earlier.min(stop.end)));
                }
                e.monthly_amount = Fen(e.members.iter().filter(|m| m.end.is_none()).filter_map(|m| m.amount).map(|a| a.0).sum());
                return e;
            }
        }
        e.status = EnrolmentStatus::Stopped;
        e.end = Some(self.end.map_or(stop.end, |earlier| earlier.min(stop.end)));
        e
    }
}

/// The first day of `day`'s month.
pub fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the month after `day`'s.
pub fn next_month(day: NaiveDate) -> NaiveDate {
    first_of_month(day).checked_add_months(chrono::Months::new(1)).unwrap_or(day)
}

impl Enrolment {
    /// The stable identity of an enrolment in a roster: one per program and household.
    pub fn key(&self) -> (&str, &str) {
        (&self.program, &self.household_no)
    }
    pub fn is_active(&self) -> bool {
        self.status == EnrolmentStatus::Active
    }
    /// The enrolment with only the members still paid (those whose own part stopped left out):
    /// what comparisons look at.
    pub fn with_current_members(mut self) -> Enrolment {
        self.members.retain(|m| m.end.is_none());
        self
    }
}

/// What a member's death does to an enrolment (死亡联动), decided from the registry's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterDeath {
    /// Not a member, or the enrolment already ends by then: nothing.
    Nothing,
    /// Stopped (or the member's part of it, for a program granted to persons) from the month
    /// after the death: 次月起停发.
    Stop(EnrolmentStop),
    /// A household program with members still living: the household's situation changed and
    /// its amount is decided again by a change case (复核: under the dynamic management of
    /// 《最低生活保障审核确认办法》 a death in the household is re-checked within three months).
    Review,
}

/// What the death of `person` on `died` does to `e`: for a program granted to persons, the
/// member's part stops from the next month (the whole enrolment when no one else is in it); for
/// a household program, the enrolment stops when no member is left living (`others_living`),
/// else the household is reviewed. `decided_by` names the record (`registry:death:…`).
pub fn after_death(
    e: &Enrolment,
    person: IdNumber,
    died: NaiveDate,
    per_person: bool,
    others_living: usize,
    decided_by: &str,
) -> AfterDeath {
    let from = next_month(died);
    let own_amount = match e.members.iter().find(|m| m.id_number == person) {
        None => return AfterDeath::Nothing,
        // The member's own part already ends by then.
        Some(m) if m.end.is_some_and(|end| end <= from) => return AfterDeath::Nothing,
        Some(m) => m.amount,
    };
    let ended = match e.status {
        EnrolmentStatus::Stopped => e.end.is_none_or(|end| end <= from),
        _ => e.end.is_some_and(|end| end <= from),
    };
    if ended {
        return AfterDeath::Nothing;
    }
    let stop = |leaving| AfterDeath::Stop(EnrolmentStop { end: from, leaving, decided_by: decided_by.to_string() });
    match (per_person, others_living) {
        // A roster that gave only the household's total: the others' amounts are not known, so
        // the enrolment is reviewed rather than the whole of it stopped.
        (true, n) if own_amount.is_none() && n > 0 => AfterDeath::Review,
        (true, _) => stop(Some(person)),
        (false, 0) => stop(None),
        (false, _) => AfterDeath::Review,
    }
}

/// Why a roster row gave no enrolment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentError {
    #[error("program {0:?} is not one of the city's programs ({1})")]
    Program(String, String),
    #[error("status {0:?} is not one of 在保, 暂停, 停保")]
    Status(String),
    #[error("start month {0:?} is not a month (2026-07 or 2026年7月)")]
    Month(String),
    #[error("the same program and household has different amounts, start months or statuses in the file")]
    Inconsistent,
}

impl Bilingual for EnrolmentError {
    fn zh(&self) -> String {
        match self {
            EnrolmentError::Program(p, names) => format!("保障项目“{p}”不是本市的项目（可写：{names}）"),
            EnrolmentError::Status(s) => format!("保障状态“{s}”应为 在保、暂停 或 停保"),
            EnrolmentError::Month(s) => format!("起始月份“{s}”不是月份（如 2026-07 或 2026年7月）"),
            EnrolmentError::Inconsistent => "同一户同一项目在文件中的金额、起始月份或状态不一致".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Reads a month as rosters write it: `2026-07`, `2026/7`, `202607`, `2026年7月`, or a full date
/// (its month is taken). Gives the first day of the month.
pub fn parse_month(text: &str) -> Result<NaiveDate, EnrolmentError> {
    let bad = || EnrolmentError::Month(text.to_string());
    let t = text.trim().trim_end_matches('月').replace(['年', '/', '.'], "-");
    let (y, m) = if let Some((y, rest)) = t.split_once('-') {
        let m = rest.split('-').next().unwrap_or_default();
        (y.to_string(), m.to_string())
    } else if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        (t[..4].to_string(), t[4..].to_string())
    } else {
        return Err(bad());
    };
    let y: i32 = y.trim().parse().map_err(|_| bad())?;
    let m: u32 = m.trim().parse().map_err(|_| bad())?;
    if !(1900..=2200).contains(&y) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn months_as_rosters_write_them() {
        let july = NaiveDate::from_ymd_opt(2026, 7, 1);
        for t in ["2026-07", "2026/7", "202607", "2026年7月", "2026-07-15", "2026.7"] {
            assert_eq!(parse_month(t).ok(), july, "{t}");
        }
        for t in ["", "七月", "2026-13", "26-07", "2026"] {
            assert!(parse_month(t).is_err(), "{t}");
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn member(id: &str, amount: Option<i64>) -> EnrolledMember {
        EnrolledMember::new(IdNumber::parse(id).expect("id"), "成员", amount.map(Fen))
    }

    fn enrolment(members: Vec<EnrolledMember>, amount: i64) -> Enrolment {
        Enrolment {
            id: 1,
            program: "gaoling".into(),
            household_no: "H1".into(),
            county: RegionCode::parse("210112").expect("county"),
            members,
            monthly_amount: Fen(amount),
            start: d(2026, 3, 1),
            status: EnrolmentStatus::Active,
            end: None,
        }
    }

    #[test]
    fn an_enrolment_is_paid_from_its_start_until_its_end() {
        let mut e = enrolment(vec![member("11010519491231002X", None)], 104_100);
        assert!(!e.paid_for(d(2026, 2, 28)), "before the start");
        assert!(e.paid_for(d(2026, 3, 15)));
        let stopped = e.stopped(&EnrolmentStop { end: d(2026, 8, 1), leaving: None, decided_by: "finding:1".into() });
        assert_eq!(stopped.status, EnrolmentStatus::Stopped);
        assert!(stopped.paid_for(d(2026, 7, 1)), "July was still due");
        assert!(!stopped.paid_for(d(2026, 8, 1)), "stopped from August");
        let again = stopped.stopped(&EnrolmentStop { end: d(2026, 10, 1), leaving: None, decided_by: "case:2".into() });
        assert_eq!(again.end, Some(d(2026, 8, 1)), "a later stop does not pay months an earlier one ended");
        e.status = EnrolmentStatus::Suspended;
        assert!(!e.paid_for(d(2026, 4, 1)), "a suspended enrolment is held");
        e.status = EnrolmentStatus::Stopped;
        assert!(!e.paid_for(d(2026, 4, 1)), "a roster's 停保 without a month pays nothing");
    }

    #[test]
    fn a_death_stops_a_persons_benefit_from_the_next_month_and_has_a_household_reviewed() {
        let (wang, li) = (IdNumber::parse("11010519491231002X").expect("id"), IdNumber::parse("110105194912310038").expect("id"));
        let couple = enrolment(vec![member(wang.as_str(), Some(20_000)), member(li.as_str(), Some(10_000))], 30_000);
        let died = d(2026, 9, 17);
        // 高龄补贴 of two: Wang's part stops from October, Li's goes on.
        let AfterDeath::Stop(stop) = after_death(&couple, wang, died, true, 1, "registry:death:1") else { panic!("a stop") };
        assert_eq!((stop.end, stop.leaving), (d(2026, 10, 1), Some(wang)));
        let after = couple.stopped(&stop);
        assert_eq!((after.status, after.monthly_amount), (EnrolmentStatus::Active, Fen(10_000)));
        let wang_part = after.members.iter().find(|m| m.id_number == wang).expect("kept with an end");
        assert!(wang_part.paid_for(d(2026, 9, 1)) && !wang_part.paid_for(d(2026, 10, 1)));
        assert_eq!(after_death(&after, wang, died, true, 1, "registry:death:1"), AfterDeath::Nothing, "once only");
        // Alone in it: the whole enrolment stops, September still paid.
        let alone = enrolment(vec![member(wang.as_str(), Some(20_000))], 20_000);
        let AfterDeath::Stop(stop) = after_death(&alone, wang, died, true, 0, "registry:death:1") else { panic!("a stop") };
        let after = alone.stopped(&stop);
        assert!(after.paid_for(d(2026, 9, 1)) && !after.paid_for(d(2026, 10, 1)));
        // 低保 of a household: reviewed while others live, stopped when no one is left.
        let mut dibao = couple.clone();
        dibao.program = "dibao".into();
        assert_eq!(after_death(&dibao, wang, died, false, 1, "x"), AfterDeath::Review);
        assert!(matches!(after_death(&dibao, wang, died, false, 0, "x"), AfterDeath::Stop(EnrolmentStop { leaving: None, .. })));
        // A roster without each member's amount: reviewed, not stopped for the living spouse too.
        let totals_only = enrolment(vec![member(wang.as_str(), None), member(li.as_str(), None)], 30_000);
        assert_eq!(after_death(&totals_only, wang, died, true, 1, "x"), AfterDeath::Review);
        // Not a member, or already ended by then: nothing.
        let other = IdNumber::parse("110105195001010020").expect("id");
        assert_eq!(after_death(&dibao, other, died, false, 1, "x"), AfterDeath::Nothing);
        let ended = dibao.stopped(&EnrolmentStop { end: d(2026, 8, 1), leaving: None, decided_by: "case:9".into() });
        assert_eq!(after_death(&ended, wang, died, false, 1, "x"), AfterDeath::Nothing);
    }

    #[test]
    fn one_member_leaves_a_program_granted_to_persons() {
        let e = enrolment(vec![member("11010519491231002X", Some(20_000)), member("110105194912310038", Some(10_000))], 30_000);
        let leaving = IdNumber::parse("11010519491231002X").ok();
        let after = e.stopped(&EnrolmentStop { end: d(2026, 9, 1), leaving, decided_by: "finding:3".into() });
        assert_eq!((after.status, after.members.len(), after.monthly_amount), (EnrolmentStatus::Active, 2, Fen(10_000)));
        assert_eq!(after.members[0].end, Some(d(2026, 9, 1)), "the member keeps their place with their own end month");
        // The last member still paid leaving stops the enrolment.
        let last = after.stopped(&EnrolmentStop {
            end: d(2026, 9, 1),
            leaving: IdNumber::parse("110105194912310038").ok(),
            decided_by: "x".into(),
        });
        assert_eq!(last.status, EnrolmentStatus::Stopped);
    }

    #[test]
    fn statuses_in_words_and_codes() {
        assert_eq!(EnrolmentStatus::parse("在保"), Some(EnrolmentStatus::Active));
        assert_eq!(EnrolmentStatus::parse("stopped"), Some(EnrolmentStatus::Stopped));
        assert_eq!(EnrolmentStatus::parse("退保"), None);
    }

    proptest! {
        #[test]
        fn month_parsing_never_panics(s in ".{0,20}") {
            let _ = parse_month(&s);
        }

        #[test]
        fn every_month_round_trips(y in 1900i32..2200, m in 1u32..=12) {
            prop_assert_eq!(parse_month(&format!("{y}-{m:02}")).ok(), NaiveDate::from_ymd_opt(y, m, 1));
            prop_assert_eq!(parse_month(&format!("{y}年{m}月")).ok(), NaiveDate::from_ymd_opt(y, m, 1));
        }
    }
}
