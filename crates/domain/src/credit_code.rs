//! 统一社会信用代码 (GB 32100-2015): the 18-character code of a legal person or other body.
//! Character 1 is the registering department (5 = civil affairs), 2 the kind within it (for
//! civil affairs: 1 social group, 2 social service organisation, 3 foundation, 9 other), 3–8 the
//! registering region (six digits), 9–17 the body's identifying code, 18 the check character
//! over the alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z) with the weights
//! 3^(i−1) mod 31: check = alphabet[(31 − Σ value×weight mod 31) mod 31]. Every weight is prime
//! to 31, so a single wrong character is always caught.

use serde::{Serialize, Serializer};

/// The code's alphabet, each character's value its position.
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the first 17 characters.
pub const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A valid code, upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode([u8; 18]);

/// Why a text is not a valid code: each names the position and character (1-based, as printed
/// on a certificate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("a code has 18 characters, not {0}")]
    Length(usize),
    #[error("character {position} ({found:?}) is not in the code's alphabet")]
    Character { position: usize, found: char },
    #[error("character 1 is {0:?}: a body registered by civil affairs starts with 5")]
    Department(char),
    #[error("character 2 is {0:?}: civil affairs' kinds are 1, 2, 3 and 9")]
    Kind(char),
    #[error("characters 3-8 ({0}) are not a region code")]
    Region(String),
    #[error("the check character is {found:?}, the code's characters give {expected:?}")]
    Check { found: char, expected: char },
}

impl crate::Bilingual for CreditCodeError {
    fn zh(&self) -> String {
        match self {
            CreditCodeError::Length(n) => format!("统一社会信用代码应为18位，现为{n}位"),
            CreditCodeError::Character { position, found } => {
                format!("第{position}位“{found}”不是统一社会信用代码使用的字符（不使用I、O、S、V、Z）")
            }
            CreditCodeError::Department(c) => format!("第1位为“{c}”，民政部门登记的社会组织应为5（GB 32100-2015）"),
            CreditCodeError::Kind(c) => {
                format!("第2位为“{c}”，民政部门登记的机构类别应为1（社会团体）、2（民办非企业单位）、3（基金会）或9（其他）")
            }
            CreditCodeError::Region(r) => format!("第3至8位“{r}”不是行政区划代码"),
            CreditCodeError::Check { found, expected } => {
                format!("校验码（第18位）为“{found}”，按前17位计算应为“{expected}”，代码中有字符填写错误")
            }
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).and_then(|p| u32::try_from(p).ok())
}

/// The check character of the first 17 characters (each in the alphabet).
pub fn check_char(first17: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    ALPHABET.get(usize::try_from(v).ok()?).copied()
}

impl CreditCode {
    /// Reads a code (spaces around it and lower case forgiven).
    pub fn parse(text: &str) -> Result<CreditCode, CreditCodeError> {
        let t = text.trim().to_ascii_uppercase();
        let chars: Vec<char> = t.chars().collect();
        if chars.len() != 18 {
            return Err(CreditCodeError::Length(chars.len()));
        }
        for (i, c) in chars.iter().enumerate() {
            if !c.is_ascii() || value(*c as u8).is_none() {
                return Err(CreditCodeError::Character { position: i + 1, found: *c });
            }
        }
        let b = t.as_bytes();
        let expected = check_char(&b[..17]).unwrap_or(b'0');
        if b[17] != expected {
            return Err(CreditCodeError::Check { found: char::from(b[17]), expected: char::from(expected) });
        }
        if b[0] != b'5' {
            return Err(CreditCodeError::Department(char::from(b[0])));
        }
        if !matches!(b[1], b'1' | b'2' | b'3' | b'9') {
            return Err(CreditCodeError::Kind(char::from(b[1])));
        }
        if !b[2..8].iter().all(u8::is_ascii_digit) || b[2] == b'0' {
            return Err(CreditCodeError::Region(t[2..8].to_string()));
        }
        let mut out = [0u8; 18];
        out.copy_from_slice(b);
        Ok(CreditCode(out))
    }

    /// A code from its parts: kind digit, six-digit region, nine-character body (in the
    /// alphabet); the check character computed.
    pub fn from_parts(kind: char, region: &str, body: &str) -> Result<CreditCode, CreditCodeError> {
        let mut first = format!("5{kind}{region}{body}");
        first.truncate(17);
        let check = check_char(first.as_bytes()).map_or('0', char::from);
        CreditCode::parse(&format!("{first}{check}"))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Character 2: 1 social group, 2 social service organisation, 3 foundation, 9 other.
    pub fn kind(&self) -> char {
        char::from(self.0[1])
    }

    /// The registering region's six digits.
    pub fn region(&self) -> &str {
        &self.as_str()[2..8]
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bilingual;
    use proptest::prelude::*;

    #[test]
    fn a_foundation_of_shenyang_checks() {
        let c = CreditCode::from_parts('3', "210100", "MJ0012345").expect("valid");
        assert_eq!(c.kind(), '3');
        assert_eq!(c.region(), "210100");
        assert_eq!(CreditCode::parse(&c.as_str().to_lowercase()), Ok(c), "lower case read");
        assert_eq!(CreditCode::parse(&format!(" {c} ")), Ok(c), "spaces around it forgiven");
    }

    #[test]
    fn each_failure_names_its_character() {
        let c = CreditCode::from_parts('1', "210112", "MJ5000001").expect("valid").to_string();
        assert_eq!(CreditCode::parse(&c[..17]), Err(CreditCodeError::Length(17)));
        let with_o = format!("{}O{}", &c[..9], &c[10..]);
        assert_eq!(CreditCode::parse(&with_o), Err(CreditCodeError::Character { position: 10, found: 'O' }));
        let e = CreditCode::parse(&format!("{}{}", &c[..17], if c.ends_with('0') { '1' } else { '0' })).unwrap_err();
        assert!(matches!(e, CreditCodeError::Check { .. }), "{e:?}");
        assert!(e.zh().contains("校验码"));
        let mut first = format!("9121011{}", &c[7..17]);
        first.truncate(17);
        let check = check_char(first.as_bytes()).map(char::from).expect("check");
        assert_eq!(CreditCode::parse(&format!("{first}{check}")), Err(CreditCodeError::Department('9')));
        assert!(matches!(CreditCode::from_parts('4', "210112", "MJ5000001"), Err(CreditCodeError::Kind('4'))));
    }

    fn alphabet_char() -> impl Strategy<Value = u8> {
        (0usize..31).prop_map(|i| ALPHABET[i])
    }

    proptest! {
        /// Every code built from valid parts is read back; every single wrong character of it
        /// is caught.
        #[test]
        fn any_single_wrong_character_is_caught(
            kind in prop::sample::select(vec!['1', '2', '3', '9']),
            region in 110000u32..660000,
            body in prop::collection::vec(alphabet_char(), 9),
            position in 0usize..18,
            replacement in alphabet_char(),
        ) {
            let body = String::from_utf8(body).expect("ascii");
            let code = CreditCode::from_parts(kind, &region.to_string(), &body).expect("valid");
            prop_assert_eq!(CreditCode::parse(code.as_str()), Ok(code));
            let mut wrong = code.as_str().as_bytes().to_vec();
            prop_assume!(wrong[position] != replacement);
            wrong[position] = replacement;
            let wrong = String::from_utf8(wrong).expect("ascii");
            prop_assert!(CreditCode::parse(&wrong).is_err(), "{} accepted", wrong);
        }

        /// Any text at all is read without panicking.
        #[test]
        fn any_text_is_read_without_panic(text in ".{0,30}") {
            let _ = CreditCode::parse(&text);
        }
    }
}
