//! 无证号记录: a departmental record without an ID number (old funeral books, paper forms
//! typed in), linked by name and birth date, the blocking key it still has.
//!
//! The registry persons born on the recorded day whose name is the recorded one (exactly or
//! written another way) and whose sex, where recorded, agrees, are the candidates. With one
//! candidate the question is whether the record's person is in the registry at all: if so, they
//! are that candidate; if not, a namesake born the same day would be there by chance. So
//!
//!   P(match) = p₀ / (p₀ + (1 − p₀)·q),   q = 1 − (1 − d)ⁿ
//!
//! where p₀ is the share of the batch's rows with a valid number that name a registered person
//! (how often this department's people are ours), n the registry's namesakes of the record
//! (any birth date) and d the share of persons born on any one day (one in 365.25 × 80: births
//! spread over 80 years). Two or more candidates go to review (人工复核); none, to nobody.

use crate::names::{compare, NameLevel};
use crate::{Band, Person, Thresholds};
use minzheng_domain::{IdNumber, Sex};

/// Share of the registry born on any one day.
const DAILY_SHARE: f64 = 1.0 / (365.25 * 80.0);

/// The link proposed for a record without an ID number.
#[derive(Debug, Clone, PartialEq)]
pub struct NoIdLink {
    /// The candidate (the first of several for an ambiguous record).
    pub person: Option<IdNumber>,
    pub probability: f64,
    pub band: Band,
    /// How the probability came about, zh / en.
    pub explanation: String,
}

/// What a record's own number said, for the explanation: none, or one that names nobody (not
/// repeated: a wrong number is one or two characters from the person's own, and the explanation
/// is shown to roles that see numbers masked).
fn number_said(recorded_id: &str) -> (String, String) {
    if recorded_id.trim().is_empty() {
        ("无身份证号".into(), "no ID number".into())
    } else {
        ("身份证号有误且找不到对应的人".into(), "the ID number is wrong and names nobody".into())
    }
}

/// Links one record: `namesakes` are the registry persons whose name starts with the recorded
/// name written the one way (any birth date); `registered_share` is p₀. `recorded_id` is the
/// number as written when the row has one that names nobody (empty when it has none).
pub fn link_without_id(
    recorded_id: &str,
    name: &str,
    birth: chrono::NaiveDate,
    sex: Option<Sex>,
    namesakes: &[Person],
    registered_share: f64,
    thresholds: Thresholds,
) -> NoIdLink {
    let same_name: Vec<&Person> =
        namesakes.iter().filter(|p| matches!(compare(&p.name, name), NameLevel::Exact | NameLevel::Variant)).collect();
    let candidates: Vec<&&Person> =
        same_name.iter().filter(|p| p.id.birth_date() == birth && sex.is_none_or(|s| p.id.sex() == s)).collect();
    let n = same_name.len();
    let p0 = registered_share.clamp(0.5, 0.999);
    let (said_zh, said_en) = number_said(recorded_id);
    // The batch's measured share, and the floor or ceiling used when it is outside 0.5..0.999.
    let share_zh = if (p0 - registered_share).abs() > 1e-9 {
        format!("本批有效证号在册比例 {registered_share:.3}（按 {p0:.3} 计）")
    } else {
        format!("本批有效证号在册比例 {p0:.3}")
    };
    let share_en = if (p0 - registered_share).abs() > 1e-9 {
        format!("share of this batch registered {registered_share:.3} (taken as {p0:.3})")
    } else {
        format!("share of this batch registered {p0:.3}")
    };
    let q = 1.0 - (1.0 - DAILY_SHARE).powi(n as i32);
    match candidates.as_slice() {
        [] => NoIdLink {
            person: None,
            probability: 0.0,
            band: Band::NonMatch,
            explanation: format!("{said_zh}；人口库中没有{birth}出生、名为“{name}”的人 / {said_en}; nobody named {name} born on {birth} is registered"),
        },
        [one] => {
            let p = p0 / (p0 + (1.0 - p0) * q);
            let band = if p >= thresholds.match_at {
                Band::Match
            } else if p >= thresholds.review_at {
                Band::Review
            } else {
                Band::NonMatch
            };
            NoIdLink {
                person: Some(one.id),
                probability: p,
                band,
                explanation: format!(
                    "{} {said_zh}，按姓名和出生日期找到唯一候选人：同名 {n} 人，同日出生的同名者偶然出现的概率 {:.4}；{share_zh}；匹配概率 {:.1}% / {said_en}; the only registered {name} born on {birth}: {n} namesakes, chance of one born that day {:.4}, {share_en}, match probability {:.1}%",
                    one.id.masked(),
                    q,
                    p * 100.0,
                    q,
                    p * 100.0
                ),
            }
        }
        [first, ..] => NoIdLink {
            person: Some(first.id),
            probability: thresholds.review_at,
            band: Band::Review,
            explanation: format!(
                "{said_zh}；{birth}出生、名为“{name}”的有 {} 人，须人工确认 / {said_en}; {} registered persons named {name} were born on {birth}: a person decides",
                candidates.len(),
                candidates.len()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, name: &str) -> Person {
        Person { id: IdNumber::parse(id).expect("valid"), name: name.into() }
    }

    fn day(s: &str) -> chrono::NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn the_only_namesake_born_that_day_is_linked() {
        let registry = [person("11010519491231002X", "王秀兰"), person("210102198003150017", "王秀兰")];
        let l = link_without_id("", "王秀蘭", day("1949-12-31"), Some(Sex::Female), &registry, 0.95, Thresholds::default());
        assert_eq!(l.person, Some(registry[0].id));
        assert_eq!(l.band, Band::Match);
        assert!(l.probability > 0.99, "{l:?}");
        assert!(l.explanation.contains("唯一候选人"), "{}", l.explanation);
    }

    #[test]
    fn sex_and_birth_date_must_agree() {
        let registry = [person("11010519491231002X", "王秀兰")];
        assert_eq!(link_without_id("", "王秀兰", day("1949-12-30"), None, &registry, 0.95, Thresholds::default()).band, Band::NonMatch);
        assert_eq!(
            link_without_id("", "王秀兰", day("1949-12-31"), Some(Sex::Male), &registry, 0.95, Thresholds::default()).band,
            Band::NonMatch
        );
    }

    #[test]
    fn a_common_name_from_a_department_that_sees_outsiders_is_less_sure() {
        // 30,000 namesakes (a very common name in a big city) and a batch of which half are ours.
        let mut registry: Vec<Person> = vec![person("11010519491231002X", "张伟")];
        let others: Vec<Person> = (0..30_000).map(|_| person("210102198003150017", "张伟")).collect();
        registry.extend(others);
        let sure = link_without_id("", "张伟", day("1949-12-31"), None, &registry[..1], 0.95, Thresholds::default());
        let unsure = link_without_id("", "张伟", day("1949-12-31"), None, &registry, 0.5, Thresholds::default());
        assert!(unsure.probability < sure.probability);
        assert_eq!(unsure.band, Band::Review, "{unsure:?}");
    }

    #[test]
    fn a_wrong_number_that_names_nobody_is_said_and_the_real_share_shown() {
        let registry = [person("11010519491231002X", "王秀兰")];
        let l = link_without_id("110105194912310021", "王秀兰", day("1949-12-31"), None, &registry, 0.031, Thresholds::default());
        assert!(l.explanation.contains("有误且找不到对应的人") && !l.explanation.contains("无身份证号"), "{}", l.explanation);
        assert!(!l.explanation.contains("110105194912310021"), "the wrong number is not repeated: {}", l.explanation);
        assert!(l.explanation.contains("0.031（按 0.500 计）"), "{}", l.explanation);
    }

    #[test]
    fn two_candidates_go_to_review() {
        let registry = [person("11010519491231002X", "王秀兰"), person("110105194912310046", "王秀兰")];
        let l = link_without_id("", "王秀兰", day("1949-12-31"), None, &registry, 0.99, Thresholds::default());
        assert_eq!(l.band, Band::Review);
        assert!(l.explanation.contains("2 人"), "{}", l.explanation);
    }
}
