//! 居民家庭经济状况核对 / The household economic check: with the members' signed authorisation
//! (授权书), the verification centre gathers every member's records across the departments as
//! of a date and reports each item with its source and batch (核对报告), with the income and
//! assets as the policy rules count them (MZ/T 072-2024 process, MZ/T 073-2024 data elements;
//! 《社会救助暂行办法》第十一条: the county verifies the household's income and property).

use crate::{Bilingual, IdNumber, RegionCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// 授权书: who signed the authorisation to query their data, when, and its reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorisation {
    /// 授权书编号 (the paper or electronic document).
    pub reference: String,
    pub signed_on: NaiveDate,
    /// ID numbers of the members who signed.
    pub signed_by: Vec<IdNumber>,
}

/// Why an authorisation does not allow the check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorisationError {
    #[error("give the reference of the signed authorisation")]
    NoReference,
    #[error("the authorisation is dated after the check ({0})")]
    AfterCheck(NaiveDate),
    #[error("the authorisation is older than a year")]
    Expired,
    #[error("adult members have not signed: {0}")]
    Unsigned(String),
}

impl Bilingual for AuthorisationError {
    fn zh(&self) -> String {
        match self {
            AuthorisationError::NoReference => "请填写授权书编号".into(),
            AuthorisationError::AfterCheck(d) => format!("授权书签署日期晚于核对日期（{d}）"),
            AuthorisationError::Expired => "授权书签署已超过一年，请重新签署".into(),
            AuthorisationError::Unsigned(names) => format!("以下成年家庭成员尚未签署授权书：{names}"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

impl Authorisation {
    /// Whether the authorisation allows a check on `on` of a household whose adult members are
    /// `adults` (ID number, name): a reference, signed on or before the date and within a year,
    /// by every adult member.
    pub fn allows(&self, on: NaiveDate, adults: &[(IdNumber, String)]) -> Result<(), AuthorisationError> {
        if self.reference.trim().is_empty() {
            return Err(AuthorisationError::NoReference);
        }
        if self.signed_on > on {
            return Err(AuthorisationError::AfterCheck(on));
        }
        if (on - self.signed_on).num_days() > 365 {
            return Err(AuthorisationError::Expired);
        }
        let missing: Vec<&str> = adults.iter().filter(|(id, _)| !self.signed_by.contains(id)).map(|(_, name)| name.as_str()).collect();
        if !missing.is_empty() {
            return Err(AuthorisationError::Unsigned(missing.join("、")));
        }
        Ok(())
    }
}

/// One departmental record in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportItem {
    pub member: String,
    pub id_number: IdNumber,
    /// The dataset (`income`, `vehicles` ...).
    pub source: String,
    /// The batch: the file's checksum, name and the day its data describes.
    pub batch: String,
    pub file_name: String,
    pub as_of: NaiveDate,
    pub row_no: i64,
    /// How the row was tied to the member (证号一致, 模糊匹配 with its probability).
    pub link: String,
    pub fields: Vec<(String, String)>,
}

/// A figure of the report as the rules count it (计入收入, 人均存款 ...), with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFigure {
    pub name: String,
    pub zh: String,
    pub en: String,
    pub value: String,
    pub unit: Option<String>,
    pub source: String,
}

/// The decision of one program on the checked data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportProgram {
    pub code: String,
    pub zh: String,
    pub eligible: bool,
    /// Monthly amount, fen.
    pub amount: i64,
    /// Conditions not met (zh).
    pub unmet: Vec<String>,
}

/// 核对报告.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationReport {
    /// Store key; 0 before it is stored.
    pub id: i64,
    pub household_no: String,
    pub community: RegionCode,
    /// The date the data is gathered as of (核对基准日).
    pub on: NaiveDate,
    pub authorisation: Authorisation,
    /// (name, ID number, relation to the head) of the living members.
    pub members: Vec<(String, IdNumber, String)>,
    pub items: Vec<ReportItem>,
    pub figures: Vec<ReportFigure>,
    pub programs: Vec<ReportProgram>,
    /// Sources with no record of any member (queried, nothing found).
    pub empty_sources: Vec<String>,
    pub made_by: String,
    pub made_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> IdNumber {
        IdNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn every_adult_must_have_signed_within_the_year_before_the_check() {
        let head = (id("210102195001011239"), "王建国".to_string());
        let wife = (id("210102198001010029"), "李秀英".to_string());
        let on = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        let mut a = Authorisation {
            reference: "浑南核字〔2026〕12号".into(),
            signed_on: NaiveDate::from_ymd_opt(2026, 6, 20).unwrap_or_default(),
            signed_by: vec![head.0],
        };
        assert_eq!(a.allows(on, &[head.clone(), wife.clone()]), Err(AuthorisationError::Unsigned("李秀英".into())));
        a.signed_by.push(wife.0);
        assert_eq!(a.allows(on, &[head.clone(), wife.clone()]), Ok(()));
        assert!(matches!(
            a.allows(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default(), std::slice::from_ref(&head)),
            Err(AuthorisationError::AfterCheck(_))
        ));
        assert_eq!(
            a.allows(NaiveDate::from_ymd_opt(2027, 7, 1).unwrap_or_default(), std::slice::from_ref(&head)),
            Err(AuthorisationError::Expired)
        );
        a.reference = " ".into();
        assert_eq!(a.allows(on, &[head]), Err(AuthorisationError::NoReference));
    }
}
