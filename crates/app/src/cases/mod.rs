//! 全市通办 · 审核确认 / Case handling: accept an application at any community of the city,
//! route it to the county that owns it, take it through the statutory procedure on time, and
//! end it in an enrolment whose amount the policy engine computed and explained.
//!
//! Role and region are checked here (and in the pure state machine, [`minzheng_domain::case`]),
//! every step is audited by the store in the same transaction, and a step taken on a case that
//! moved on since the page was read is refused (`seen` version).

use crate::registry::AccessError;
use crate::RequestContext;
use chrono::NaiveDate;
use minzheng_domain::calendar::{CalendarDay, DayKind, WorkCalendar};
use minzheng_domain::case::{self as procedure, Case, CaseAction, CaseError, CaseFile, CaseStatus, Service, ServiceKind, TimeLimits};
use minzheng_domain::temporary::{check_amount, TemporaryLimits};
use minzheng_domain::{
    Bilingual, EnrolledMember, Enrolment, EnrolmentStatus, Fen, IdNumber, Permission, PersonStatus, Principal, RegionLevel, Role,
};
use minzheng_policy::explain::ProgramCheck;
use minzheng_policy::{Area, Engine};
use minzheng_store::{Actor, AuditEntry, AuditEvent as _, CaseDocument, CaseEvent, CaseQuery, EnrolmentWrite, Page, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::Digest;

mod accept;
mod audit;
mod catalogue;
mod change;
mod documents;
mod notices;
mod steps;
mod views;
pub use accept::*;
pub use audit::CaseAudit;
pub use catalogue::*;
pub use change::*;
pub use documents::*;
pub use notices::*;
pub use steps::*;
pub use views::*;

/// Why a case use case was refused.
#[derive(Debug, thiserror::Error)]
pub enum CaseFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Procedure(#[from] CaseError),
    #[error("the case has changed since you read it: reload it and try again")]
    Stale,
    #[error("{en}")]
    Invalid { zh: String, en: String },
    /// 缺少要件: the application lacks documents (their catalogue codes), for the one-time
    /// notice (一次性告知书).
    #[error("{en}")]
    Missing { codes: Vec<String>, zh: String, en: String },
}

impl From<StoreError> for CaseFailure {
    fn from(e: StoreError) -> CaseFailure {
        CaseFailure::Access(AccessError::Store(e))
    }
}

impl From<crate::policy::PolicyFailure> for CaseFailure {
    fn from(e: crate::policy::PolicyFailure) -> CaseFailure {
        match e {
            crate::policy::PolicyFailure::Access(a) => CaseFailure::Access(a),
            other => CaseFailure::Invalid { zh: other.zh(), en: other.en() },
        }
    }
}

impl Bilingual for CaseFailure {
    fn zh(&self) -> String {
        match self {
            CaseFailure::Access(e) => e.zh(),
            CaseFailure::Procedure(e) => e.zh(),
            CaseFailure::Stale => "办件已被他人更新，请刷新后重试".into(),
            CaseFailure::Invalid { zh, .. } | CaseFailure::Missing { zh, .. } => zh.clone(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> CaseFailure {
    CaseFailure::Invalid { zh: zh.into(), en: en.into() }
}

fn refused_entry(id: &str, what: &str) -> AuditEntry {
    minzheng_store::AuditEvent::entry(&CaseAudit::Refused { case: id, what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_has_the_seeds_pilot_figures() {
        let c = Catalogue::parse(include_str!("../../../../policies/2101/services.toml"));
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.services, Catalogue::shenyang().services);
        let since = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or_default();
        let on = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        let lines = minzheng_domain::case::documents_report(&c.services, since, on);
        let then: usize = lines.iter().map(|l| l.required_then).sum();
        let now: usize = lines.iter().map(|l| l.required.len()).sum();
        assert_eq!((then, then - now), (53, 27), "53 documents cut by 27 (50.9%), as seed 000 reports");
    }

    #[test]
    fn the_shipped_calendar_reads_and_a_bad_range_is_refused() {
        let days = shipped_calendar();
        let cal = WorkCalendar::new(&days);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        assert!(!cal.is_working(d("2026-02-16")), "春节");
        assert!(cal.is_working(d("2026-02-28")), "a Saturday worked in exchange");
        assert_eq!(cal.years(), vec![2025, 2026]);
        let bad =
            "[[year]]\nyear = 2026\nnotice = \"x\"\nholidays = [{ days = \"2026-10-07..2026-10-01\", note = \"国庆\" }]\nworkdays = []\n";
        assert!(parse_calendar(bad).is_err());
    }

    #[test]
    fn documents_replaced_by_data_are_asked_for_when_the_data_has_nothing() {
        let c = Catalogue::shenyang();
        let s = c.service("apply_disability_living").expect("service");
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        let with: Vec<&str> = documents_due(s, day, true, true).iter().map(|d| d.code.as_str()).collect();
        assert_eq!(with, vec!["application", "bank_account"]);
        let without: Vec<&str> = documents_due(s, day, false, false).iter().map(|d| d.code.as_str()).collect();
        assert!(without.contains(&"disability_certificate") && without.contains(&"dibao_certificate"), "{without:?}");
    }

    #[test]
    fn names_are_masked_to_the_family_name() {
        assert_eq!(mask_name("张秀英"), "张**");
        assert_eq!(mask_name("李"), "李*");
    }
}
