//! 行政区划代码 (division codes): 2 digits province, 4 city, 6 county (GB/T 2260),
//! 9 street/town, 12 community/village (统计用区划代码).
//!
//! Codes are kept in their significant (short) form: `2101` is 沈阳市, `210112` 浑南区,
//! `210112009` 东湖街道. The 12-digit padded form (`210112009000`) is accepted on input and
//! produced by [`RegionCode::padded`].

use crate::message::Bilingual;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Level of a division in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    /// 省
    Province,
    /// 市
    City,
    /// 区县
    County,
    /// 街道/乡镇
    Street,
    /// 社区/村
    Community,
}

impl RegionLevel {
    pub fn digits(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Street => 9,
            RegionLevel::Community => 12,
        }
    }
    fn from_digits(n: usize) -> Option<RegionLevel> {
        Some(match n {
            2 => RegionLevel::Province,
            4 => RegionLevel::City,
            6 => RegionLevel::County,
            9 => RegionLevel::Street,
            12 => RegionLevel::Community,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Street => "street",
            RegionLevel::Community => "community",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省",
            RegionLevel::City => "市",
            RegionLevel::County => "区县",
            RegionLevel::Street => "街道乡镇",
            RegionLevel::Community => "社区村",
        }
    }
    pub fn parse(s: &str) -> Option<RegionLevel> {
        Some(match s {
            "province" => RegionLevel::Province,
            "city" => RegionLevel::City,
            "county" => RegionLevel::County,
            "street" => RegionLevel::Street,
            "community" => RegionLevel::Community,
            _ => return None,
        })
    }
    /// The level below this one, if any.
    pub fn child(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::Province => Some(RegionLevel::City),
            RegionLevel::City => Some(RegionLevel::County),
            RegionLevel::County => Some(RegionLevel::Street),
            RegionLevel::Street => Some(RegionLevel::Community),
            RegionLevel::Community => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("region code {0:?} must be digits only")]
    NotDigits(String),
    #[error("region code {0:?} must have 2, 4, 6, 9 or 12 digits")]
    Length(String),
}

impl Bilingual for RegionCodeError {
    fn zh(&self) -> String {
        match self {
            RegionCodeError::NotDigits(s) => format!("区划代码“{s}”只能包含数字"),
            RegionCodeError::Length(s) => format!("区划代码“{s}”应为2、4、6、9或12位"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// 区划代码 in significant form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses a code of 2/4/6/9/12 digits. A 12-digit code padded with zeros is shortened to
    /// its significant level (`210112000000` → `210112`).
    pub fn parse(input: &str) -> Result<RegionCode, RegionCodeError> {
        let s = input.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigits(s.to_string()));
        }
        match s.len() {
            2 | 4 | 6 | 9 => Ok(RegionCode(s.to_string())),
            12 => {
                let significant = if &s[9..] != "000" {
                    12
                } else if &s[6..9] != "000" {
                    9
                } else if &s[4..6] != "00" {
                    6
                } else if &s[2..4] != "00" {
                    4
                } else {
                    2
                };
                Ok(RegionCode(s[..significant].to_string()))
            }
            _ => Err(RegionCodeError::Length(s.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        RegionLevel::from_digits(self.0.len()).unwrap_or(RegionLevel::Community)
    }

    /// The division one level up (none for a province).
    pub fn parent(&self) -> Option<RegionCode> {
        let n = match self.0.len() {
            4 => 2,
            6 => 4,
            9 => 6,
            12 => 9,
            _ => return None,
        };
        Some(RegionCode(self.0[..n].to_string()))
    }

    /// The ancestor at `level`, or itself if it is at that level; none if it is above it.
    pub fn ancestor(&self, level: RegionLevel) -> Option<RegionCode> {
        let n = level.digits();
        (self.0.len() >= n).then(|| RegionCode(self.0[..n].to_string()))
    }

    /// 12-digit padded form: `2101` → `210100000000`.
    pub fn padded(&self) -> String {
        format!("{:0<12}", self.0)
    }

    /// Whether `other` is this region or lies below it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.0)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A division of the real region tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
}

/// 行政区划树: the real division tree of Liaoning (18,248 divisions down to community and
/// village), shipped inside the binary from `data/liaoning-regions.csv`.
pub mod tree {
    use super::{Region, RegionCode, RegionLevel};

    /// The shipped CSV: `code,level,name,parent_code`.
    pub const LIAONING_CSV: &str = include_str!("../../../data/liaoning-regions.csv");

    /// Why a region file line was refused.
    #[derive(Debug, thiserror::Error)]
    #[error("region file line {line}: {reason}")]
    pub struct RegionFileError {
        pub line: usize,
        pub reason: String,
    }

    /// Parses a region file (`code,level,name,parent_code`, header first).
    pub fn parse_csv(text: &str) -> Result<Vec<Region>, RegionFileError> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let err = |reason: String| RegionFileError { line: line_no, reason };
            let mut parts = line.split(',');
            let (code, level, name, parent) = (parts.next(), parts.next(), parts.next(), parts.next());
            let code = RegionCode::parse(code.unwrap_or("")).map_err(|e| err(e.to_string()))?;
            let level = RegionLevel::parse(level.unwrap_or("")).ok_or_else(|| err("unknown level".into()))?;
            if level != code.level() {
                return Err(err(format!("level {} does not match code {code}", level.as_str())));
            }
            let name = name.unwrap_or("").trim().to_string();
            if name.is_empty() {
                return Err(err("empty name".into()));
            }
            let parent = match parent.map(str::trim) {
                Some(p) if !p.is_empty() => Some(RegionCode::parse(p).map_err(|e| err(e.to_string()))?),
                _ => None,
            };
            out.push(Region { code, name, level, parent });
        }
        Ok(out)
    }

    /// The shipped tree.
    pub fn liaoning() -> Vec<Region> {
        // The shipped file is checked by a test; a failure here is a build defect.
        parse_csv(LIAONING_CSV).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_follow_the_number_of_digits() {
        let code = |s| RegionCode::parse(s).expect("valid");
        assert_eq!(code("21").level(), RegionLevel::Province);
        assert_eq!(code("2101").level(), RegionLevel::City);
        assert_eq!(code("210112").level(), RegionLevel::County);
        assert_eq!(code("210112009").level(), RegionLevel::Street);
        assert_eq!(code("210112009001").level(), RegionLevel::Community);
    }

    #[test]
    fn a_padded_code_is_shortened_to_its_level() {
        assert_eq!(RegionCode::parse("210112000000").expect("ok").as_str(), "210112");
        assert_eq!(RegionCode::parse("210112009000").expect("ok").as_str(), "210112009");
        assert_eq!(RegionCode::parse("210100000000").expect("ok").as_str(), "2101");
        assert_eq!(RegionCode::parse("210112").expect("ok").padded(), "210112000000");
    }

    #[test]
    fn parents_and_containment() {
        let hunnan = RegionCode::parse("210112").expect("ok");
        let donghu = RegionCode::parse("210112009").expect("ok");
        assert_eq!(donghu.parent(), Some(hunnan.clone()));
        assert!(hunnan.contains(&donghu));
        assert!(!donghu.contains(&hunnan));
        assert_eq!(donghu.ancestor(RegionLevel::City).expect("city").as_str(), "2101");
    }

    #[test]
    fn bad_codes_are_refused() {
        assert!(matches!(RegionCode::parse("21011"), Err(RegionCodeError::Length(_))));
        assert!(matches!(RegionCode::parse("2101a2"), Err(RegionCodeError::NotDigits(_))));
        assert!(RegionCode::parse("").is_err());
    }

    proptest! {
        #[test]
        fn padded_form_parses_back(digits in "[1-6][0-9]([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?") {
            let code = RegionCode::parse(&digits).expect("valid length");
            let back = RegionCode::parse(&code.padded()).expect("padded valid");
            // A code whose tail is all zeros shortens; its padded form never changes.
            prop_assert_eq!(back.padded(), code.padded());
        }
    }
}
