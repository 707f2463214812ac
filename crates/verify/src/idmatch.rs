//! 身份证号比对: candidate registry numbers for an ID number as a department recorded it.
//!
//! The check character (GB 11643, ISO 7064 MOD 11-2) is what makes this cheap and exact. Every
//! weight is non-zero modulo 11 and each weight is twice the next one, so a single wrong digit or
//! a swap of two adjacent different digits always breaks the check. Read backwards: when a
//! recorded number fails its check and its check character is right, then for each of the 17
//! positions exactly one digit value (or none) restores the check, and each adjacent swap either
//! restores it or not. A dirty number therefore has at most 17 + 16 candidate bodies, not the 153
//! + 16 a string-distance search would try, and none of them needs a name or a date to be found.
//!
//! Two more are tried whatever the check says: the 17th digit swapped with the check character
//! (an X written 17th included) and the month swapped with the day.
//!
//! The candidates are looked up in the registry's index of bodies (本体码, the first 17 digits);
//! whether a candidate is the same person is for the scoring ([`crate::linkage`]) to decide.

use minzheng_domain::id::{check_char, CHECK, WEIGHTS};
use minzheng_domain::IdNumber;

/// The first 17 digits of an ID number (本体码) as an integer, the key both sides are indexed by.
pub type Body = u64;

pub fn body_of(id: &IdNumber) -> Body {
    body_from_digits(&id.as_str().as_bytes()[..17])
}

fn body_from_digits(d: &[u8]) -> Body {
    d.iter().fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'))
}

/// How a recorded number relates to a registry number (证号关系). Ordered from the strongest
/// evidence to the weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdRelation {
    /// 完全一致: the same 18 characters.
    Same,
    /// 15 位旧号: a legacy 15-digit number that converts to this one.
    Legacy15,
    /// 校验码不同: the 17 digits agree, the check character does not (or is missing).
    CheckChar,
    /// 相邻两位颠倒: two adjacent digits swapped.
    Transposition,
    /// 一位错误: one digit wrong.
    OneDigit,
    /// 月日颠倒: month and day of the birth date swapped.
    DayMonthSwapped,
}

impl IdRelation {
    pub const ALL: [IdRelation; 6] = [
        IdRelation::Same,
        IdRelation::Legacy15,
        IdRelation::CheckChar,
        IdRelation::Transposition,
        IdRelation::OneDigit,
        IdRelation::DayMonthSwapped,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn code(self) -> &'static str {
        match self {
            IdRelation::Same => "same",
            IdRelation::Legacy15 => "legacy_15",
            IdRelation::CheckChar => "check_char",
            IdRelation::Transposition => "transposition",
            IdRelation::OneDigit => "one_digit",
            IdRelation::DayMonthSwapped => "day_month_swapped",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            IdRelation::Same => "身份证号完全一致",
            IdRelation::Legacy15 => "15 位旧号升位后一致",
            IdRelation::CheckChar => "前 17 位一致，校验码不同",
            IdRelation::Transposition => "相邻两位颠倒",
            IdRelation::OneDigit => "一位数字错误",
            IdRelation::DayMonthSwapped => "出生月日颠倒",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            IdRelation::Same => "the same ID number",
            IdRelation::Legacy15 => "the legacy 15-digit form of the number",
            IdRelation::CheckChar => "the 17 digits agree, the check character differs",
            IdRelation::Transposition => "two adjacent digits swapped",
            IdRelation::OneDigit => "one digit wrong",
            IdRelation::DayMonthSwapped => "month and day of birth swapped",
        }
    }
}

/// What could be read of a recorded ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// 17 digits and, when present, the recorded check character (upper case).
    Digits { body: [u8; 17], check: Option<u8> },
    /// A 15-digit legacy number.
    Legacy([u8; 15]),
    /// 18 characters with the X in 17th place and a digit last: the check character X swapped
    /// with the 17th digit. `body` is the first 16 digits and the last one.
    XSwapped { body: [u8; 17] },
    /// Nothing an ID number could be read from (wrong length, letters, empty).
    Unreadable,
}

impl Recorded {
    /// Reads a number as departments write it: spaces, Excel's leading apostrophe, full-width
    /// digits and a lower-case x are tolerated.
    pub fn read(raw: &str) -> Recorded {
        let mut buf = [0u8; 18];
        let mut n = 0usize;
        for c in raw.trim().trim_start_matches('\'').chars() {
            let b = match c {
                '0'..='9' => c as u8,
                '０'..='９' => b'0' + (c as u32 - '０' as u32) as u8,
                'x' | 'X' | 'ｘ' | 'Ｘ' => b'X',
                ' ' | '\u{3000}' | '-' => continue,
                _ => return Recorded::Unreadable,
            };
            if n == 18 {
                return Recorded::Unreadable;
            }
            buf[n] = b;
            n += 1;
        }
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        match n {
            18 | 17 if digits(&buf[..17]) => {
                let mut body = [0u8; 17];
                body.copy_from_slice(&buf[..17]);
                Recorded::Digits { body, check: (n == 18).then_some(buf[17]) }
            }
            18 if digits(&buf[..16]) && buf[16] == b'X' && buf[17].is_ascii_digit() => {
                let mut body = [0u8; 17];
                body[..16].copy_from_slice(&buf[..16]);
                body[16] = buf[17];
                Recorded::XSwapped { body }
            }
            15 if digits(&buf[..15]) => {
                let mut d = [0u8; 15];
                d.copy_from_slice(&buf[..15]);
                Recorded::Legacy(d)
            }
            _ => Recorded::Unreadable,
        }
    }
}

/// The registry entries a recorded number can be, each with its relation: `find` looks a body
/// up in the registry. A body is looked up at most once; the strongest relation wins.
pub fn candidates<T>(recorded: &Recorded, mut find: impl FnMut(Body) -> Option<T>) -> Vec<(T, IdRelation)> {
    let mut out: Vec<(T, IdRelation)> = Vec::new();
    let mut tried: Vec<Body> = Vec::new();
    let mut push = |body: Body, relation: IdRelation, out: &mut Vec<(T, IdRelation)>| {
        if tried.contains(&body) {
            return;
        }
        tried.push(body);
        if let Some(found) = find(body) {
            out.push((found, relation));
        }
    };
    match *recorded {
        Recorded::Unreadable => {}
        Recorded::Legacy(d) => {
            let mut body = [0u8; 17];
            body[..6].copy_from_slice(&d[..6]);
            body[6] = b'1';
            body[7] = b'9';
            body[8..].copy_from_slice(&d[6..]);
            push(body_from_digits(&body), IdRelation::Legacy15, &mut out);
        }
        Recorded::XSwapped { body } => {
            if check_char(&body) == b'X' {
                push(body_from_digits(&body), IdRelation::Transposition, &mut out);
            }
        }
        Recorded::Digits { body, check } => {
            let valid = check == Some(check_char(&body));
            if valid {
                push(body_from_digits(&body), IdRelation::Same, &mut out);
                if !out.is_empty() {
                    return out;
                }
            } else {
                push(body_from_digits(&body), IdRelation::CheckChar, &mut out);
            }
            // The errors that keep the recorded check character: only bodies whose check
            // character is the recorded one can be the true number.
            let Some(check) = check else { return out };
            let Some(target) = CHECK.iter().position(|&c| c == check) else { return out };
            let sum: u32 = body.iter().zip(WEIGHTS.iter()).map(|(d, w)| u32::from(d - b'0') * w).sum();
            if !valid {
                // One digit: at position i, digit d becomes d + k where k·w_i ≡ target − sum (mod 11).
                let need = (target as u32 + 11 - sum % 11) % 11;
                for (i, &w) in WEIGHTS.iter().enumerate() {
                    let k = (need * inverse_mod11(w % 11)) % 11;
                    let d = u32::from(body[i] - b'0');
                    let new = if d + k <= 9 {
                        d + k
                    } else if d + k >= 11 {
                        d + k - 11
                    } else {
                        continue;
                    };
                    let mut b = body;
                    b[i] = b'0' + new as u8;
                    push(body_from_digits(&b), IdRelation::OneDigit, &mut out);
                }
                for i in 0..16 {
                    if body[i] == body[i + 1] {
                        continue;
                    }
                    let mut b = body;
                    b.swap(i, i + 1);
                    if check_char(&b) == check {
                        push(body_from_digits(&b), IdRelation::Transposition, &mut out);
                    }
                }
            }
            // The 17th digit swapped with the check character (末两位颠倒): the recorded check
            // character is the true 17th digit, and the true check character is recorded 17th.
            // The swap may leave the check valid by chance, so it is tried either way.
            if check.is_ascii_digit() && check != body[16] {
                let mut b = body;
                b[16] = check;
                if check_char(&b) == body[16] {
                    push(body_from_digits(&b), IdRelation::Transposition, &mut out);
                }
            }
            // Month and day swapped: the check may or may not still hold (one time in eleven).
            let mut b = body;
            b.swap(10, 12);
            b.swap(11, 13);
            if b != body && check_char(&b) == check && birth_date_valid(&b[6..14]) {
                push(body_from_digits(&b), IdRelation::DayMonthSwapped, &mut out);
            }
        }
    }
    out
}

/// x such that w·x ≡ 1 (mod 11), for w in 1..=10.
fn inverse_mod11(w: u32) -> u32 {
    (1..11).find(|x| (w * x) % 11 == 1).unwrap_or(0)
}

fn birth_date_valid(d: &[u8]) -> bool {
    let num = |r: std::ops::Range<usize>| d[r].iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    let (m, day) = (num(4..6), num(6..8));
    (1..=12).contains(&m) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    const ID: &str = "210102198003150017";

    fn candidates_in(raw: &str, registry: &[&str]) -> Vec<(String, IdRelation)> {
        let set: HashSet<Body> = registry.iter().map(|s| body_of(&IdNumber::parse(s).expect("valid"))).collect();
        candidates(&Recorded::read(raw), |b| set.contains(&b).then_some(b)).into_iter().map(|(b, r)| (format!("{b:017}"), r)).collect()
    }

    #[test]
    fn a_clean_number_is_found_as_itself_and_nothing_else() {
        let c = candidates_in(ID, &[ID]);
        assert_eq!(c, vec![("21010219800315001".to_string(), IdRelation::Same)]);
    }

    #[test]
    fn the_legacy_form_and_excel_habits_are_read() {
        assert_eq!(candidates_in("210102800315001", &[ID]).first().map(|c| c.1), Some(IdRelation::Legacy15));
        assert_eq!(candidates_in("'２１０１０２１９８００３１５００１７ ", &[ID]).first().map(|c| c.1), Some(IdRelation::Same));
        assert_eq!(Recorded::read("21010219800315001Y"), Recorded::Unreadable);
        assert_eq!(Recorded::read(""), Recorded::Unreadable);
    }

    #[test]
    fn a_wrong_check_character_points_at_the_body() {
        let c = candidates_in("210102198003150013", &[ID]);
        assert_eq!(c.first().map(|c| c.1), Some(IdRelation::CheckChar));
    }

    #[test]
    fn at_most_one_digit_value_per_position_restores_the_check() {
        let Recorded::Digits { body, check: Some(check) } = Recorded::read("210102198003150112") else { panic!("readable") };
        let mut tried = 0;
        candidates(&Recorded::Digits { body, check: Some(check) }, |_| {
            tried += 1;
            None::<Body>
        });
        // The body itself, at most 17 one-digit bodies, at most 16 swaps, one month-day swap.
        assert!(tried <= 1 + 17 + 16 + 1 + 1, "{tried} lookups");
    }

    fn arb_id() -> impl Strategy<Value = IdNumber> {
        (0u32..1_000_000, 0i64..40_000, 0u16..1000, any::<bool>()).prop_map(|(area, days, seq, male)| {
            let birth = chrono::NaiveDate::from_ymd_opt(1920, 1, 1).expect("date") + chrono::Duration::days(days);
            IdNumber::from_parts(
                110_000 + area % 800_000,
                birth,
                seq,
                if male { minzheng_domain::Sex::Male } else { minzheng_domain::Sex::Female },
            )
        })
    }

    proptest! {
        /// Any one wrong digit among the 17 is found back, as a one-digit error.
        #[test]
        fn one_wrong_digit_is_always_found(id in arb_id(), pos in 0usize..17, delta in 1u8..10) {
            let mut s = id.as_str().as_bytes().to_vec();
            s[pos] = b'0' + (s[pos] - b'0' + delta) % 10;
            let raw = String::from_utf8(s).expect("ascii");
            let want = body_of(&id);
            let found = candidates(&Recorded::read(&raw), |b| (b == want).then_some(b));
            prop_assert_eq!(found, vec![(want, IdRelation::OneDigit)]);
        }

        /// Any swap of two adjacent different digits is found back.
        #[test]
        fn an_adjacent_swap_is_always_found(id in arb_id(), pos in 0usize..16) {
            let mut s = id.as_str().as_bytes().to_vec();
            prop_assume!(s[pos] != s[pos + 1]);
            s.swap(pos, pos + 1);
            let raw = String::from_utf8(s).expect("ascii");
            let want = body_of(&id);
            let found = candidates(&Recorded::read(&raw), |b| (b == want).then_some(b));
            prop_assert_eq!(found, vec![(want, IdRelation::Transposition)]);
        }

        /// The 17th digit swapped with the check character, X included, is found back.
        #[test]
        fn the_last_two_characters_swapped_are_found(id in arb_id()) {
            let mut s = id.as_str().as_bytes().to_vec();
            prop_assume!(s[16] != s[17]);
            s.swap(16, 17);
            let raw = String::from_utf8(s).expect("ascii");
            let want = body_of(&id);
            let found = candidates(&Recorded::read(&raw), |b| (b == want).then_some(b));
            prop_assert_eq!(found, vec![(want, IdRelation::Transposition)]);
        }

        /// No input makes the reader or the candidates panic.
        #[test]
        fn any_text_is_read_without_panic(raw in "\\PC{0,24}") {
            let _ = candidates(&Recorded::read(&raw), Some);
        }
    }
}

/// The registry number with this body (its check character computed), when the body is one.
pub fn id_of_body(body: Body) -> Option<IdNumber> {
    let digits = format!("{body:017}");
    if digits.len() != 17 {
        return None;
    }
    let mut text = digits.into_bytes();
    text.push(check_char(&text));
    IdNumber::parse(std::str::from_utf8(&text).ok()?).ok()
}

/// Every registry number a recorded number could be (the bodies [`candidates`] would look up),
/// for fetching those persons from a store before linking.
pub fn candidate_ids(recorded: &Recorded) -> Vec<IdNumber> {
    let mut bodies = Vec::new();
    let _ = candidates::<()>(recorded, |b| {
        bodies.push(b);
        None
    });
    bodies.into_iter().filter_map(id_of_body).collect()
}

#[cfg(test)]
mod body_tests {
    use super::*;

    #[test]
    fn a_body_gives_back_its_number() {
        let id = IdNumber::parse("210102195001011239").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id_of_body(body_of(&id)), Some(id));
    }

    #[test]
    fn a_dirty_number_lists_the_true_one_among_its_candidates() {
        // 210102195001011239 with its 8th and 9th digits swapped.
        let ids = candidate_ids(&Recorded::read("210102159001011239"));
        assert!(ids.iter().any(|i| i.as_str() == "210102195001011239"), "{ids:?}");
        assert!(ids.len() <= 40);
    }
}
