//! Money in integer 分 (fen). Never floating point: 1 yuan = 100 fen.

use crate::message::Bilingual;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FenError {
    #[error("amount {0:?} is not a number of yuan with at most 2 decimals")]
    Format(String),
    #[error("amount {0:?} is too large")]
    Overflow(String),
}

impl Bilingual for FenError {
    fn zh(&self) -> String {
        match self {
            FenError::Format(s) => format!("金额“{s}”不是最多两位小数的元数"),
            FenError::Overflow(s) => format!("金额“{s}”过大"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// An amount of money in fen (分).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    /// Parses yuan as written by people and spreadsheets: `640`, `640.5`, `-12.34`,
    /// `1,234.00`, `¥640`, `640元`. More than two decimals is an error, not a rounding.
    pub fn parse_yuan(input: &str) -> Result<Fen, FenError> {
        let err = || FenError::Format(input.to_string());
        let s: String =
            input.trim().trim_start_matches(['¥', '￥']).trim_end_matches('元').chars().filter(|c| *c != ',' && *c != '，').collect();
        let s = s.trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(err());
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        if frac.len() > 2 {
            return Err(err());
        }
        let overflow = || FenError::Overflow(input.to_string());
        let yuan: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| overflow())? };
        let mut cents: i64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| err())? };
        if frac.len() == 1 {
            cents *= 10;
        }
        let total = yuan.checked_mul(100).and_then(|v| v.checked_add(cents)).ok_or_else(overflow)?;
        Ok(Fen(if neg { -total } else { total }))
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// Rounds up to a whole yuan (低保补差 is paid in whole yuan, rounded up).
    pub fn ceil_yuan(self) -> Fen {
        Fen(self.0.div_euclid(100) * 100 + if self.0.rem_euclid(100) > 0 { 100 } else { 0 })
    }
}

impl fmt::Display for Fen {
    /// Yuan with two decimals: `640.00`, `-0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}
impl AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 += o.0;
    }
}
impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}
impl SubAssign for Fen {
    fn sub_assign(&mut self, o: Fen) {
        self.0 -= o.0;
    }
}
impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}
impl Mul<i64> for Fen {
    type Output = Fen;
    fn mul(self, k: i64) -> Fen {
        Fen(self.0 * k)
    }
}
impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_are_parsed_exactly() {
        assert_eq!(Fen::parse_yuan("640"), Ok(Fen(64000)));
        assert_eq!(Fen::parse_yuan("640.5"), Ok(Fen(64050)));
        assert_eq!(Fen::parse_yuan("0.05"), Ok(Fen(5)));
        assert_eq!(Fen::parse_yuan("-12.34"), Ok(Fen(-1234)));
        assert_eq!(Fen::parse_yuan("¥1,234.00"), Ok(Fen(123400)));
        assert_eq!(Fen::parse_yuan("798.1元"), Ok(Fen(79810)));
    }

    #[test]
    fn more_than_two_decimals_is_refused_not_rounded() {
        assert!(Fen::parse_yuan("1.005").is_err());
        assert!(Fen::parse_yuan("abc").is_err());
        assert!(Fen::parse_yuan("").is_err());
        assert!(Fen::parse_yuan("1.2.3").is_err());
        assert!(matches!(Fen::parse_yuan("99999999999999999999"), Err(FenError::Overflow(_))));
    }

    #[test]
    fn shown_as_yuan_with_two_decimals() {
        assert_eq!(Fen(64000).to_string(), "640.00");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(7).to_string(), "0.07");
    }

    #[test]
    fn rounding_up_to_the_yuan() {
        assert_eq!(Fen(64001).ceil_yuan(), Fen(64100));
        assert_eq!(Fen(64000).ceil_yuan(), Fen(64000));
        assert_eq!(Fen(-50).ceil_yuan(), Fen(0));
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(f in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(f).to_string()), Ok(Fen(f)));
        }

        #[test]
        fn ceil_is_the_smallest_whole_yuan_not_below(f in -1_000_000_000i64..1_000_000_000) {
            let c = Fen(f).ceil_yuan();
            prop_assert!(c.0 >= f && c.0 - f < 100 && c.0 % 100 == 0);
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,24}") {
            let _ = Fen::parse_yuan(&s);
        }
    }
}
