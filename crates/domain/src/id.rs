//! 居民身份证号码 (resident identity number), GB 11643-1999.
//!
//! 18 characters: a 6-digit area code of first registration, an 8-digit birth date, a 3-digit
//! sequence (odd for men, even for women) and a check character computed over the first 17
//! digits (ISO 7064 MOD 11-2). Legacy 15-digit numbers (before 1999) have a 2-digit birth year
//! and no check character; they convert to 18 digits by inserting `19` and computing the check.

use crate::message::Bilingual;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Weights of the first 17 digits in the check sum (ISO 7064 MOD 11-2: 2^(17-i) mod 11).
pub const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each value of the weighted sum modulo 11.
pub const CHECK: [u8; 11] = *b"10X98765432";

/// 性别. Sex as recorded in the identity number (odd sequence = male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    /// Accepts 男/女, male/female, M/F, 1/2 (the GB/T 2261.1 codes).
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim() {
            "男" | "男性" | "male" | "Male" | "MALE" | "M" | "m" | "1" => Some(Sex::Male),
            "女" | "女性" | "female" | "Female" | "FEMALE" | "F" | "f" | "2" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// Why a text is not a valid identity number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("empty identity number")]
    Empty,
    #[error("identity number has {0} characters; it must have 18 (or 15 for legacy numbers)")]
    Length(usize),
    #[error("identity number contains a character that is not a digit: {0:?}")]
    NotDigit(char),
    #[error("identity number looks like a spreadsheet number rounded by Excel ({0}); format the column as text")]
    Scientific(String),
    #[error("birth date {0} in the identity number does not exist")]
    BirthDate(String),
    #[error("check character is {found}, but the first 17 digits require {expected}")]
    Check { expected: char, found: char },
}

impl Bilingual for IdNumberError {
    fn zh(&self) -> String {
        match self {
            IdNumberError::Empty => "身份证号为空".into(),
            IdNumberError::Length(n) => format!("身份证号长度为{n}位，应为18位（旧证15位）"),
            IdNumberError::NotDigit(c) => format!("身份证号含有非数字字符“{c}”"),
            IdNumberError::Scientific(s) => {
                format!("身份证号被Excel按数字保存并四舍五入（{s}），请将该列设为文本格式")
            }
            IdNumberError::BirthDate(d) => format!("身份证号中的出生日期{d}不存在"),
            IdNumberError::Check { expected, found } => {
                format!("身份证号校验位错误：应为{expected}，实为{found}")
            }
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// 公民身份号码: an 18-character resident identity number with a valid check character.
///
/// Stored in canonical form: 17 digits and an upper-case check character.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber([u8; 18]);

impl IdNumber {
    /// Parses an 18-digit number (lower-case `x` accepted) or converts a legacy 15-digit one.
    /// Surrounding white space, a leading apostrophe (Excel's text marker) and full-width digits
    /// are tolerated; anything else is an error with its reason.
    pub fn parse(input: &str) -> Result<IdNumber, IdNumberError> {
        let trimmed = input.trim().trim_start_matches('\'').trim();
        if trimmed.is_empty() {
            return Err(IdNumberError::Empty);
        }
        if trimmed.contains(['E', 'e']) && trimmed.contains('+') {
            return Err(IdNumberError::Scientific(trimmed.to_string()));
        }
        let mut chars: Vec<u8> = Vec::with_capacity(18);
        for c in trimmed.chars() {
            let c = match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                'Ｘ' | 'ｘ' => 'X',
                c => c,
            };
            if chars.len() >= 18 {
                return Err(IdNumberError::Length(trimmed.chars().count()));
            }
            match c {
                '0'..='9' => chars.push(c as u8),
                'x' | 'X' => chars.push(b'X'),
                other => return Err(IdNumberError::NotDigit(other)),
            }
        }
        match chars.len() {
            18 => {
                if let Some(pos) = chars[..17].iter().position(|&b| b == b'X') {
                    let _ = pos;
                    return Err(IdNumberError::NotDigit('X'));
                }
                let mut digits = [0u8; 18];
                digits.copy_from_slice(&chars);
                birth_date_of(&digits[6..14])?;
                let expected = check_char(&digits[..17]);
                if digits[17] != expected {
                    return Err(IdNumberError::Check { expected: expected as char, found: digits[17] as char });
                }
                Ok(IdNumber(digits))
            }
            15 => {
                if chars.contains(&b'X') {
                    return Err(IdNumberError::NotDigit('X'));
                }
                Ok(Self::from_legacy(&chars)?)
            }
            n => Err(IdNumberError::Length(n)),
        }
    }

    fn from_legacy(d15: &[u8]) -> Result<IdNumber, IdNumberError> {
        let mut digits = [0u8; 18];
        digits[..6].copy_from_slice(&d15[..6]);
        digits[6] = b'1';
        digits[7] = b'9';
        digits[8..17].copy_from_slice(&d15[6..15]);
        birth_date_of(&digits[6..14])?;
        digits[17] = check_char(&digits[..17]);
        Ok(IdNumber(digits))
    }

    /// Builds a valid number from its parts, computing the check character.
    /// `sequence` is 0..=999; its parity must match `sex` or it is adjusted by one.
    pub fn from_parts(area: u32, birth: NaiveDate, sequence: u16, sex: Sex) -> IdNumber {
        use chrono::Datelike;
        let mut seq = sequence % 1000;
        let want_odd = sex == Sex::Male;
        if (seq % 2 == 1) != want_odd {
            seq = if seq == 999 { 998 } else { seq + 1 };
            if (seq % 2 == 1) != want_odd {
                seq -= 1;
            }
        }
        let mut digits = [0u8; 18];
        let mut put = |at: usize, width: usize, mut v: u32| {
            for i in (0..width).rev() {
                digits[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 6, area % 1_000_000);
        put(6, 4, birth.year().clamp(0, 9999) as u32);
        put(10, 2, birth.month());
        put(12, 2, birth.day());
        put(14, 3, u32::from(seq));
        digits[17] = check_char(&digits[..17]);
        IdNumber(digits)
    }

    pub fn as_str(&self) -> &str {
        // The bytes are ASCII digits or 'X' by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// 出生日期.
    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0[6..14]).unwrap_or_default()
    }

    /// 性别: odd sequence digit = male.
    pub fn sex(&self) -> Sex {
        if (self.0[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// 6-digit area code of first registration (not necessarily a current division).
    pub fn area_code(&self) -> &str {
        &self.as_str()[..6]
    }

    /// Age in completed years on `on`: the birthday itself counts (a person born on
    /// 1946-03-01 is 80 on 2026-03-01).
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        age_on(self.birth_date(), on)
    }

    /// Masked for roles that do not need the full number: `210105************`, the area of
    /// first registration only.
    ///
    /// What a masked view shows beside the number decides what may stay: it shows the birth
    /// date (digits 7–14), the sex (the parity of digit 17) and the hukou region (most often
    /// digits 1–6). Keeping the sequence and check character as well (the common
    /// `2101**********123X`) lets anyone rebuild the whole number from one list; hiding digits
    /// 7–18 leaves 500 numbers consistent with everything shown (the three sequence digits of
    /// one sex; the check character follows from them).
    pub fn masked(&self) -> String {
        let s = self.as_str();
        format!("{}************", &s[..6])
    }
}

/// `text` with every valid 18-character ID number inside it masked ([`IdNumber::masked`]):
/// for free text and recorded values (a spouse's number in a check figure, a departmental row
/// quoted in a finding) shown to roles that see numbers masked.
pub fn mask_ids_in(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    if b.len() < 18 {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i + 18 <= b.len() {
        let window = &b[i..i + 18];
        let digit_before = i > 0 && b[i - 1].is_ascii_digit();
        let digit_after = b.get(i + 18).is_some_and(u8::is_ascii_digit);
        let shaped =
            window[..17].iter().all(u8::is_ascii_digit) && (window[17].is_ascii_digit() || window[17] == b'X' || window[17] == b'x');
        if shaped && !digit_before && !digit_after {
            if let Ok(id) = IdNumber::parse(&text[i..i + 18]) {
                out.push_str(&text[copied..i]);
                out.push_str(&id.masked());
                i += 18;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Completed years from `birth` to `on` (0 if `on` is before `birth`).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    use chrono::Datelike;
    if on < birth {
        return 0;
    }
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// 校验码: the check character of 17 ASCII digits.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS.iter()).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

fn birth_date_of(d: &[u8]) -> Result<NaiveDate, IdNumberError> {
    let text = std::str::from_utf8(d).unwrap_or("");
    let num = |r: std::ops::Range<usize>| -> u32 { d[r].iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')) };
    let (y, m, day) = (num(0..4) as i32, num(4..6), num(6..8));
    match NaiveDate::from_ymd_opt(y, m, day) {
        Some(date) if (1880..=2100).contains(&y) => Ok(date),
        _ => Err(IdNumberError::BirthDate(text.to_string())),
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(s)
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl Serialize for IdNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        IdNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_documented_examples_are_valid() {
        for s in ["11010519491231002X", "360426199101010071", "120103198806018241"] {
            assert_eq!(IdNumber::parse(s).map(|i| i.to_string()), Ok(s.to_string()));
        }
    }

    #[test]
    fn a_wrong_check_character_is_refused_with_the_expected_one() {
        assert_eq!(IdNumber::parse("360426199101010072"), Err(IdNumberError::Check { expected: '1', found: '2' }));
    }

    #[test]
    fn lower_case_x_is_the_same_as_upper_case() {
        let id = IdNumber::parse("11010519491231002x").expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn birth_date_sex_and_area_are_read_from_the_number() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).expect("date"));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.area_code(), "110105");
        let man = IdNumber::parse("360426199101010071").expect("valid");
        assert_eq!(man.sex(), Sex::Male);
    }

    #[test]
    fn a_legacy_15_digit_number_converts_to_18_digits() {
        // 110105491231002 is the 15-digit form of 11010519491231002X.
        let id = IdNumber::parse("110105491231002").expect("valid legacy");
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn impossible_birth_dates_are_refused() {
        let bad = IdNumber::from_parts(210102, NaiveDate::from_ymd_opt(1990, 2, 28).expect("d"), 11, Sex::Male);
        let s = bad.as_str().replace("19900228", "19900230");
        assert!(matches!(IdNumber::parse(&s), Err(IdNumberError::BirthDate(_))));
    }

    #[test]
    fn excel_scientific_notation_is_recognised() {
        assert!(matches!(IdNumber::parse("2.10102E+17"), Err(IdNumberError::Scientific(_))));
    }

    #[test]
    fn errors_are_explained_in_both_languages() {
        let e = IdNumber::parse("360426199101010072").expect_err("invalid");
        assert!(e.zh().contains("校验位"));
        assert!(e.en().contains("check character"));
    }

    #[test]
    fn masking_keeps_the_area_of_first_registration_only() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(id.masked(), "110105************");
    }

    /// The numbers an onlooker of a masked view could take the person's to be: every valid
    /// number agreeing with the masked form and with what the view shows beside it (birth date,
    /// sex, hukou region).
    fn candidates(masked: &str, birth: NaiveDate, sex: Sex, hukou: &str) -> usize {
        let known: Vec<Option<char>> = masked.chars().map(|c| (c != '*').then_some(c)).collect();
        let birth_text = birth.format("%Y%m%d").to_string();
        let mut n = 0;
        // The area: shown in the mask, or else the hukou region's.
        let area: String = (0..6).map(|i| known[i].unwrap_or_else(|| hukou.chars().nth(i).unwrap_or('0'))).collect();
        for seq in 0..1000u32 {
            let body = format!("{area}{birth_text}{seq:03}");
            let agrees = body.chars().zip(&known).all(|(c, k)| k.is_none_or(|k| k == c));
            let parity_ok = (seq % 10) % 2 == u32::from(sex == Sex::Male);
            if agrees && parity_ok {
                if let Ok(id) = IdNumber::parse(&format!("{body}{}", check_char(&body))) {
                    if known[17].is_none_or(|k| id.as_str().ends_with(k)) {
                        n += 1;
                    }
                }
            }
        }
        n
    }

    fn check_char(body: &str) -> char {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const C: &[u8; 11] = b"10X98765432";
        let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
        C[(sum % 11) as usize] as char
    }

    #[test]
    fn numbers_inside_text_are_masked_and_other_digits_left_alone() {
        assert_eq!(mask_ids_in("配偶身份证号：11010519491231002X，电话13912345678"), "配偶身份证号：110105************，电话13912345678");
        assert_eq!(mask_ids_in("1234567890123456789012"), "1234567890123456789012", "a longer run of digits is not a number");
        assert_eq!(mask_ids_in("户号2101020010010001"), "户号2101020010010001");
    }

    proptest! {
        #[test]
        fn masking_inside_text_never_panics_and_leaves_no_valid_number(text in "[0-9X张：, ]{0,60}") {
            let masked = mask_ids_in(&text);
            let b = masked.as_bytes();
            for i in 0..b.len().saturating_sub(17) {
                if let Some(w) = masked.get(i..i + 18) {
                    let isolated = (i == 0 || !b[i - 1].is_ascii_digit()) && !b.get(i + 18).is_some_and(u8::is_ascii_digit);
                    prop_assert!(!isolated || IdNumber::parse(w).is_err(), "{} left in {}", w, masked);
                }
            }
        }
    }

    #[test]
    fn the_old_mask_beside_the_birth_date_gave_the_number_away() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        let s = id.as_str();
        let old = format!("{}**********{}", &s[..4], &s[14..]);
        assert_eq!(candidates(&old, id.birth_date(), id.sex(), "110105"), 1, "rebuilt exactly");
    }

    proptest! {
        #[test]
        fn a_masked_number_with_what_is_shown_beside_it_cannot_be_rebuilt(
            area in 110000u32..660000, birth in arb_date(), seq in 0u16..1000, male in any::<bool>()
        ) {
            let sex = if male { Sex::Male } else { Sex::Female };
            let id = IdNumber::from_parts(area, birth, seq, sex);
            let n = candidates(&id.masked(), id.birth_date(), id.sex(), id.area_code());
            prop_assert!(n >= 400, "{} candidates for {}", n, id.masked());
        }
    }

    #[test]
    fn age_counts_the_birthday_itself() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        assert_eq!(id.age_on(d(2029, 12, 30)), 79);
        assert_eq!(id.age_on(d(2029, 12, 31)), 80);
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        (1900i32..2030, 1u32..=12, 1u32..=31).prop_filter_map("real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
    }

    proptest! {
        #[test]
        fn every_number_built_from_parts_parses_back(area in 110000u32..660000, birth in arb_date(), seq in 0u16..1000, male in any::<bool>()) {
            let sex = if male { Sex::Male } else { Sex::Female };
            let id = IdNumber::from_parts(area, birth, seq, sex);
            let parsed = IdNumber::parse(id.as_str()).expect("valid by construction");
            prop_assert_eq!(parsed, id);
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(parsed.sex(), sex);
        }

        #[test]
        fn one_wrong_digit_is_always_detected(area in 110000u32..660000, birth in arb_date(), seq in 0u16..1000, pos in 0usize..17, delta in 1u8..10) {
            let id = IdNumber::from_parts(area, birth, seq, Sex::Male);
            let mut bytes = id.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(bytes).expect("ascii");
            prop_assert!(IdNumber::parse(&s).is_err());
        }

        #[test]
        fn adjacent_transpositions_of_different_digits_are_detected(area in 110000u32..660000, birth in arb_date(), seq in 0u16..1000, pos in 0usize..16) {
            let id = IdNumber::from_parts(area, birth, seq, Sex::Female);
            let mut bytes = id.as_str().as_bytes().to_vec();
            prop_assume!(bytes[pos] != bytes[pos + 1]);
            bytes.swap(pos, pos + 1);
            let s = String::from_utf8(bytes).expect("ascii");
            prop_assert!(IdNumber::parse(&s).is_err());
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,30}") {
            let _ = IdNumber::parse(&s);
        }
    }
}
