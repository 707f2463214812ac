//! 临时救助 / Temporary assistance: what a one-off payment may be and who approves it, in bands
//! tied to the local 低保 standard (《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）;
//! 《关于进一步加强和改进临时救助工作的意见》（民发〔2018〕23号）: the street (乡镇、街道) may
//! approve small amounts directly, larger ones go to the county; above the county's ceiling the
//! case is settled 一事一议 (one by one) by the city. The shipped figures are the examples of
//! the seeds: at least 800 yuan a payment, the street up to 4 × the standard (seed 002), the
//! county up to 12 × (`policies/2101/parameters.toml`).

use crate::money::Fen;
use serde::{Deserialize, Serialize};

/// The limits in force for a household on a day (all in fen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemporaryLimits {
    /// 低保标准 (monthly, per person) of the household's area.
    pub standard: i64,
    /// 单次最低救助金额.
    pub minimum: Option<i64>,
    /// Street ceiling in per mille of the standard (4000 = 4 ×).
    pub street_permille: Option<i64>,
    /// County ceiling in per mille of the standard.
    pub county_permille: Option<i64>,
}

/// 审批档次: who may approve a payment of this size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// 小额：乡镇（街道）可直接审批.
    Street,
    /// 较大金额：区县民政部门审批.
    County,
    /// 超过区县审批上限：报市级一事一议.
    City,
}

impl Band {
    pub fn zh(self) -> &'static str {
        match self {
            Band::Street => "小额（街道可直接审批）",
            Band::County => "较大金额（区县审批）",
            Band::City => "大额（报市级一事一议）",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Band::Street => "small (the street may approve)",
            Band::County => "larger (the county approves)",
            Band::City => "large (the city decides case by case)",
        }
    }
}

/// Why an amount cannot be paid as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemporaryError {
    #[error("temporary assistance is at least {0} per payment")]
    BelowMinimum(Fen),
    #[error("{amount} is above what the street may approve ({}): refer it to the county", ceiling.map(|c| format!("up to {c}")).unwrap_or_else(|| "no direct approval set".into()))]
    AboveStreet { amount: Fen, ceiling: Option<Fen> },
    #[error("{amount} is above the county's approval ceiling of {ceiling}: the city decides it case by case (一事一议)")]
    AboveCounty { amount: Fen, ceiling: Fen },
}

impl crate::Bilingual for TemporaryError {
    fn zh(&self) -> String {
        match self {
            TemporaryError::BelowMinimum(m) => format!("临时救助金额不得低于单次最低救助金额 {m} 元"),
            TemporaryError::AboveStreet { amount, ceiling: Some(ceiling) } => {
                format!("金额 {amount} 元超过街道直接审批上限 {ceiling} 元，请“报区县审批”")
            }
            TemporaryError::AboveStreet { amount, ceiling: None } => format!("本区未设街道直接审批额度，金额 {amount} 元请“报区县审批”"),
            TemporaryError::AboveCounty { amount, ceiling } => format!("金额 {amount} 元超过区县审批上限 {ceiling} 元，应报市级一事一议"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// `p` per mille of `standard`, without overflow (a ceiling past `i64` is as good as none).
fn per_mille(standard: i64, p: i64) -> i64 {
    (i128::from(standard) * i128::from(p) / 1000).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// The band an amount falls in, with the multiple of the standard it is (per mille).
pub fn band_of(amount: i64, limits: &TemporaryLimits) -> (Band, i64) {
    let multiple = if limits.standard > 0 {
        (i128::from(amount) * 1000 / i128::from(limits.standard)).clamp(0, i128::from(i64::MAX)) as i64
    } else {
        0
    };
    let ceiling = |p: Option<i64>| p.map(|p| per_mille(limits.standard, p));
    // No street ceiling set: the street approves nothing directly.
    let band = if ceiling(limits.street_permille).is_some_and(|c| amount <= c) {
        Band::Street
    } else if ceiling(limits.county_permille).is_none_or(|c| amount <= c) {
        Band::County
    } else {
        Band::City
    };
    (band, multiple)
}

/// Checks an amount a decider gives: at least the minimum; the street (deciding where approval is
/// delegated) within its ceiling, the county within its own.
pub fn check_amount(amount: i64, limits: &TemporaryLimits, street_decides: bool) -> Result<Band, TemporaryError> {
    if let Some(m) = limits.minimum.filter(|m| amount < *m) {
        return Err(TemporaryError::BelowMinimum(Fen(m)));
    }
    let ceiling = |p: Option<i64>| p.map(|p| Fen(per_mille(limits.standard, p)));
    match band_of(amount, limits).0 {
        Band::Street => Ok(Band::Street),
        Band::County | Band::City if street_decides => {
            Err(TemporaryError::AboveStreet { amount: Fen(amount), ceiling: ceiling(limits.street_permille) })
        }
        Band::County => Ok(Band::County),
        Band::City => Err(TemporaryError::AboveCounty { amount: Fen(amount), ceiling: ceiling(limits.county_permille).unwrap_or(Fen(0)) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 沈阳 urban 低保 standard 848 yuan; 800 yuan minimum; street 4 ×, county 12 ×.
    const LIMITS: TemporaryLimits =
        TemporaryLimits { standard: 84_800, minimum: Some(80_000), street_permille: Some(4000), county_permille: Some(12_000) };

    #[test]
    fn bands_follow_the_standard() {
        assert_eq!(band_of(80_000, &LIMITS), (Band::Street, 943));
        assert_eq!(band_of(339_200, &LIMITS), (Band::Street, 4000), "4 × the standard is still the street's");
        assert_eq!(band_of(339_201, &LIMITS).0, Band::County);
        assert_eq!(band_of(1_017_600, &LIMITS).0, Band::County);
        assert_eq!(band_of(1_017_601, &LIMITS).0, Band::City);
    }

    #[test]
    fn the_minimum_and_the_ceilings_are_enforced_for_whoever_decides() {
        assert_eq!(check_amount(79_999, &LIMITS, false), Err(TemporaryError::BelowMinimum(Fen(80_000))));
        assert_eq!(check_amount(300_000, &LIMITS, true), Ok(Band::Street));
        assert_eq!(
            check_amount(400_000, &LIMITS, true),
            Err(TemporaryError::AboveStreet { amount: Fen(400_000), ceiling: Some(Fen(339_200)) })
        );
        assert_eq!(check_amount(400_000, &LIMITS, false), Ok(Band::County));
        assert_eq!(
            check_amount(2_000_000, &LIMITS, false),
            Err(TemporaryError::AboveCounty { amount: Fen(2_000_000), ceiling: Fen(1_017_600) })
        );
        assert!(
            matches!(check_amount(2_000_000, &LIMITS, true), Err(TemporaryError::AboveStreet { .. })),
            "the street refers it to the county first"
        );
    }

    #[test]
    fn a_band_without_its_ceiling_has_no_upper_limit() {
        let open = TemporaryLimits { county_permille: None, ..LIMITS };
        assert_eq!(check_amount(5_000_000, &open, false), Ok(Band::County));
        // No street ceiling set: the street approves nothing directly, and says so.
        let none = TemporaryLimits { street_permille: None, ..LIMITS };
        let e = check_amount(80_000, &none, true).expect_err("referred");
        assert!(crate::Bilingual::zh(&e).contains("未设街道直接审批额度"), "{e}");
        // An absurd amount does not overflow.
        assert_eq!(band_of(i64::MAX, &LIMITS).0, Band::City);
    }
}
