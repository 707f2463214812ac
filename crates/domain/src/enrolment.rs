//! 在保对象 / Enrolments: who receives which program, for how much, since when.
//!
//! An enrolment is made by an approved case (审核确认, issue of case handling) or carried over
//! from the bureau's existing roster (在保名册) when Minzheng is introduced. It names the
//! program, the household and the members it covers, the owning region (the hukou county that
//! approved it and pays it) and the monthly amount in fen.

use crate::{Bilingual, Fen, IdNumber, RegionCode};
use chrono::NaiveDate;
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
}

impl Enrolment {
    /// The stable identity of an enrolment in a roster: one per program and household.
    pub fn key(&self) -> (&str, &str) {
        (&self.program, &self.household_no)
    }
    pub fn is_active(&self) -> bool {
        self.status == EnrolmentStatus::Active
    }
}

/// Why a roster row gave no enrolment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentError {
    #[error("program {0:?} is not one of the city's programs")]
    Program(String),
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
            EnrolmentError::Program(p) => format!("保障项目“{p}”不是本市的项目"),
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
