//! Each program checked against cases written from its rule text (docs/policy.md), with the
//! shipped 沈阳市 example parameters: urban 低保 standard 798.10 yuan until 2026-06-30 and 847.60
//! from 2026-07-01; rural 593.90 then 651.00; top-up 142 urban / 104 rural.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use common::*;
use minzheng_domain::registry::DisabilityCategory::*;
use minzheng_domain::registry::HouseholdKind::{Rural, Urban};
use minzheng_domain::registry::Relation::{Child, ChildInLaw, Grandchild, Grandparent, Parent, Spouse};

const URBAN: i64 = 84760;
const URBAN_BEFORE_JULY: i64 = 79810;
const RURAL: i64 = 65100;

/// Rounded up to the yuan.
fn up(fen: i64) -> i64 {
    (fen + 99) / 100 * 100
}

fn adult() -> Member {
    born("1986-03-15")
}

// ---- 低保: income below the standard, 补差 rounded up to the yuan, 分类施保 top-ups ----

#[tokio::test]
async fn dibao_income_one_fen_below_the_standard_is_eligible_and_paid_one_yuan() {
    let members = [adult().wage(URBAN * 2 - 1), adult()];
    let c = check(Urban, &members, "2026-08-01").await;
    assert!(condition(&c, "dibao", "income_below_standard"));
    // 补差 = 847.60 × 2 − 1695.19 = 0.01 yuan, rounded up to 1 yuan.
    assert_eq!(decision(&c, "dibao"), (true, 100));
}

#[tokio::test]
async fn dibao_income_equal_to_the_standard_is_not_eligible() {
    let members = [adult().wage(URBAN * 2), adult()];
    let c = check(Urban, &members, "2026-08-01").await;
    assert!(!condition(&c, "dibao", "income_below_standard"));
    assert_eq!(decision(&c, "dibao"), (false, 0));
}

#[tokio::test]
async fn dibao_amount_tops_up_to_the_standard_and_adds_top_ups_for_the_old_and_the_young() {
    // Three members: a worker, a 65-year-old parent and a 10-year-old child.
    let members = [adult().wage(100_000), born("1961-01-01").pension(20_000), born("2016-05-05")];
    let c = check(Urban, &members, "2026-08-01").await;
    // 847.60 × 3 − 1200 = 1342.80 yuan → 1343 yuan, plus two top-ups.
    assert_eq!(decision(&c, "dibao"), (true, 134_300 + 2 * 14_200));
    let unit = &program(&c, "dibao").units[0];
    let used: Vec<&str> = unit.amount_rule.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(used, ["dibao_standard", "dibao_topup"]);
    let standard = unit.amount_rule.parameters[0].record.as_ref().map(|r| (r.value, r.effective_from.to_string(), r.region.clone()));
    assert_eq!(standard, Some((URBAN, "2026-07-01".into(), "2101".into())), "the standard in force, with its date and region");
    let members_feature = unit.amount_rule.features.iter().find(|f| f.name == "members").map(|f| f.value.clone());
    assert_eq!(members_feature.as_deref(), Some("3"));
}

#[tokio::test]
async fn dibao_rural_households_use_the_rural_standard_and_top_up() {
    let members = [born("1950-02-02").pension(10_000)];
    let c = check(Rural, &members, "2026-08-01").await;
    // A lone 76-year-old with no supporter qualifies for 特困, and for 低保 until 特困 is granted.
    assert!(decision(&c, "tekun").0);
    assert_eq!(decision(&c, "dibao"), (true, RURAL - 10_000 + 10_400));
    // Once supported as 特困 (enrolled), 低保 is excluded for the same person.
    let members = [born("1950-02-02").pension(10_000).enrolled("tekun", 90_000)];
    let c = check(Rural, &members, "2026-08-01").await;
    assert_eq!(decision(&c, "dibao"), (false, 0));
    let step = program(&c, "dibao").units[0].steps.iter().find(|s| s.name == "tekun").map(|s| (s.met, s.zh.clone()));
    assert_eq!(
        step,
        Some((false, "并非全部成员已纳入特困人员救助供养（看在保记录；两者不得重复享受）".to_string())),
        "the exclusion is shown as a failed step, saying by what"
    );
    // With an able son at home, the household is on rural 低保 instead.
    let members = [born("1950-02-02").pension(10_000), born("1980-02-02").wage(50_000).as_(Child)];
    let c = check(Rural, &members, "2026-08-01").await;
    assert!(!decision(&c, "tekun").0);
    assert_eq!(decision(&c, "dibao"), (true, RURAL * 2 - 60_000 + 10_400));
}

#[tokio::test]
async fn a_standard_that_changes_mid_year_applies_from_its_first_day() {
    let members = [adult().wage(160_000), adult()];
    let june = check(Urban, &members, "2026-06-30").await;
    let july = check(Urban, &members, "2026-07-01").await;
    assert_eq!(decision(&june, "dibao"), (false, 0), "1600 yuan is above 2 × 798.10");
    assert_eq!(decision(&july, "dibao"), (true, up(URBAN * 2 - 160_000)));
    // The premise: 1,600 yuan was above the June standard for two.
    const { assert!(URBAN_BEFORE_JULY * 2 < 160_000) };
}

#[tokio::test]
async fn dibao_assets_vehicles_property_and_business_are_checked() {
    let limit = 24 * URBAN * 2;
    let at_limit = [adult().asset("deposit", limit), adult()];
    assert!(decision(&check(Urban, &at_limit, "2026-08-01").await, "dibao").0, "deposits equal to the limit are allowed");
    let over = [adult().asset("deposit", limit + 1), adult()];
    let c = check(Urban, &over, "2026-08-01").await;
    assert!(!condition(&c, "dibao", "deposits_within_limit"));
    assert!(!decision(&c, "dibao").0);
}

// ---- 低保: vehicles by type and value (《最低生活保障审核确认办法》第十三条, the local limits) ----

#[tokio::test]
async fn dibao_vehicles_are_judged_by_type_and_value() {
    let on = "2026-08-01";
    // A car worth 85,000 yuan: over the example limit of 30,000.
    let car = [adult().asset("car", 8_500_000), adult()];
    let c = check(Urban, &car, on).await;
    assert!(!condition(&c, "dibao", "no_vehicle"));
    let step = program(&c, "dibao").units[0].steps.iter().find(|s| s.name == "no_vehicle").expect("step");
    let shown: Vec<(&str, &str)> = step.features.iter().map(|f| (f.name.as_str(), f.value.as_str())).collect();
    assert!(shown.contains(&("hh_car_max_value", "8500000")) && shown.contains(&("hh_cars", "1")), "{shown:?}");
    assert_eq!(
        step.parameters.iter().find(|p| p.name == "vehicle_value_limit").and_then(|p| p.record.as_ref()).map(|r| r.value),
        Some(3_000_000)
    );
    // A car worth 30,000 yuan or less is allowed.
    let cheap = [adult().asset("car", 3_000_000), adult()];
    assert!(decision(&check(Urban, &cheap, on).await, "dibao").0);
    // Two cheap cars are judged each by its value.
    let two = [adult().asset("car", 1_500_000).asset("car", 2_800_000), adult()];
    assert!(decision(&check(Urban, &two, on).await, "dibao").0);
    // A car whose value the file does not give is not taken for a cheap one.
    let unknown = [adult().asset("car", minzheng_domain::economy::UNKNOWN_VALUE), adult()];
    assert!(!decision(&check(Urban, &unknown, on).await, "dibao").0);
    // A motor tricycle for work (专用车辆) is not counted, whatever it is worth.
    let tricycle = [adult().asset("special_vehicle", 4_000_000), adult()];
    assert!(decision(&check(Urban, &tricycle, on).await, "dibao").0);
    // One vehicle needed by a severely disabled member is allowed, whatever its value.
    let car = [adult().asset("car", 8_500_000), adult().disabled(Physical, 2)];
    assert!(decision(&check(Urban, &car, on).await, "dibao").0);
}

#[tokio::test]
async fn dibao_real_estate_beyond_the_home_and_businesses_disqualify() {
    let house = [adult().asset("real_estate", 2), adult()];
    let home = [adult().asset("real_estate", 1), adult()];
    assert!(decision(&check(Urban, &home, "2026-08-01").await, "dibao").0, "the one home is not an asset");
    assert!(!decision(&check(Urban, &house, "2026-08-01").await, "dibao").0);
    let shop = [adult().asset("enterprise", 1), adult()];
    assert!(!decision(&check(Urban, &shop, "2026-08-01").await, "dibao").0);
}

#[tokio::test]
async fn excluded_income_and_members_not_living_together_are_not_counted() {
    // The basic residents' pension and assistance payments are not income; rigid medical costs
    // are deducted; a member serving a sentence is not counted.
    let members = [
        adult().wage(150_000).income("residents_pension", 20_000).income("assistance", 30_000).income("medical", 10_000),
        adult().tag("服刑"),
    ];
    let c = check(Urban, &members, "2026-08-01").await;
    let unit = &program(&c, "dibao").units[0];
    let feature = |n: &str| unit.amount_rule.features.iter().find(|f| f.name == n).map(|f| f.value.clone()).unwrap_or_default();
    assert_eq!(feature("members"), "1");
    assert_eq!(feature("hh_income"), "140000");
    assert_eq!(decision(&c, "dibao"), (false, 0), "1400 yuan for one member is above the standard");
}

// ---- 单人保 and the near-低保 band ----

#[tokio::test]
async fn a_severely_disabled_member_of_a_near_poor_household_gets_single_person_dibao() {
    // Income per member between the standard and 1.5 × the standard.
    let members = [adult().wage(URBAN * 3 + 30_000), adult(), adult().disabled(Intellectual, 1)];
    let c = check(Urban, &members, "2026-08-01").await;
    assert_eq!(decision(&c, "dibao"), (false, 0));
    assert_eq!(decision(&c, "dibao_edge"), (true, 0), "a near-低保 household");
    assert_eq!(member_decision(&c, "dibao_single", 2, &members), (true, up(URBAN) + 14_200));
    // Above 1.5 × the standard: neither.
    let members = [adult().wage(URBAN * 5), adult(), adult().disabled(Intellectual, 1)];
    let c = check(Urban, &members, "2026-08-01").await;
    assert_eq!(decision(&c, "dibao_edge"), (false, 0));
    assert_eq!(decision(&c, "dibao_single"), (false, 0));
}

// ---- 特困 ----

#[tokio::test]
async fn tekun_is_1_3_times_the_standard_rounded_up_plus_care_by_self_care_level() {
    let on = "2026-08-01";
    // 847.60 × 1.3 = 1101.88 → 1102 yuan; care allowances 191 / 319 / 478.
    let base = 110_200;
    let alone = |failed| [born("1940-01-01").pension(30_000).self_care(failed)];
    assert_eq!(decision(&check(Urban, &alone(0), on).await, "tekun"), (true, base + 19_100));
    assert_eq!(decision(&check(Urban, &alone(3), on).await, "tekun"), (true, base + 31_900));
    assert_eq!(decision(&check(Urban, &alone(4), on).await, "tekun"), (true, base + 47_800));
}

#[tokio::test]
async fn tekun_needs_inability_to_work_low_own_income_and_no_able_supporter() {
    let on = "2026-08-01";
    // 45 years old without disability: able to work.
    assert!(!decision(&check(Urban, &[adult()], on).await, "tekun").0);
    // Grade 2 intellectual disability: unable to work; grade 4: able.
    assert!(decision(&check(Urban, &[adult().disabled(Intellectual, 2)], on).await, "tekun").0);
    assert!(!decision(&check(Urban, &[adult().disabled(Intellectual, 4)], on).await, "tekun").0);
    // Grade 2 visual is not enough (grade 1 only).
    assert!(!decision(&check(Urban, &[adult().disabled(Visual, 2)], on).await, "tekun").0);
    // Own income at the standard.
    assert!(!decision(&check(Urban, &[born("1940-01-01").pension(URBAN)], on).await, "tekun").0);
    // An able adult child at home.
    let c = check(Urban, &[born("1940-01-01"), adult().as_(Child)], on).await;
    assert!(!condition(&c, "tekun", "no_able_supporter"));
}

// ---- 特困: the legal supporters of 《特困人员认定办法》第九条、第十条 ----

#[tokio::test]
async fn a_spouse_of_65_with_a_pension_is_an_able_supporter() {
    // 第十条 lists who cannot support; a husband of 65 with a 5,000 yuan pension is none of them.
    let couple = [born("1961-03-01").pension(500_000), born("1961-05-01").as_(Spouse)];
    let c = check(Urban, &couple, "2026-08-01").await;
    assert!(!member_condition(&c, "tekun", 1, &couple, "no_able_supporter"));
    assert_eq!(member_decision(&c, "tekun", 1, &couple), (false, 0));
}

#[tokio::test]
async fn a_rural_couple_of_65_without_income_is_on_dibao_not_tekun() {
    // Each is the other's supporter and neither is 70, enrolled or disabled: both able.
    let couple = [born("1961-03-01"), born("1961-05-01").as_(Spouse)];
    let c = check(Rural, &couple, "2026-08-01").await;
    assert_eq!(decision(&c, "tekun"), (false, 0));
    assert_eq!(decision(&c, "dibao"), (true, RURAL * 2 + 2 * 10_400));
}

#[tokio::test]
async fn spouses_of_70_with_low_income_cannot_support_each_other() {
    // 第十条（三）: 70 or older, own income below last year's per-capita disposable income
    // (urban example 4,515.67 yuan a month), assets within the low-income limit.
    let couple = [born("1954-03-01").pension(30_000), born("1954-05-01").as_(Spouse)];
    let c = check(Urban, &couple, "2026-08-01").await;
    assert!(member_decision(&c, "tekun", 0, &couple).0);
    assert!(member_decision(&c, "tekun", 1, &couple).0);
    // A husband of 72 with a 5,000 yuan pension can: his wife is not 特困.
    let couple = [born("1954-03-01").pension(500_000), born("1954-05-01").as_(Spouse)];
    let c = check(Urban, &couple, "2026-08-01").await;
    assert_eq!(member_decision(&c, "tekun", 1, &couple), (false, 0));
    // Nor when his deposits pass 36 months of the standard.
    let couple = [born("1954-03-01").pension(30_000).asset("deposit", 36 * URBAN + 1), born("1954-05-01").as_(Spouse)];
    let c = check(Urban, &couple, "2026-08-01").await;
    assert_eq!(member_decision(&c, "tekun", 1, &couple), (false, 0));
}

#[tokio::test]
async fn a_supporter_on_tekun_or_on_dibao_at_60_cannot_support() {
    // 第十条（一）特困人员 and（二）60周岁以上的低保对象, by the enrolment records.
    let on = "2026-08-01";
    let wife = || born("1960-05-01").as_(Spouse);
    let couple = [born("1962-03-01").enrolled("tekun", 129_300), wife()];
    assert!(member_decision(&check(Urban, &couple, on).await, "tekun", 1, &couple).0);
    let couple = [born("1962-03-01").enrolled("dibao", 40_000), wife()];
    assert!(member_decision(&check(Urban, &couple, on).await, "tekun", 1, &couple).0);
    // A 低保 recipient of 59 can.
    let couple = [born("1967-03-01").enrolled("dibao", 40_000), wife()];
    assert!(!member_decision(&check(Urban, &couple, on).await, "tekun", 1, &couple).0);
}

#[tokio::test]
async fn a_severely_disabled_or_imprisoned_supporter_cannot_support() {
    let on = "2026-08-01";
    // 第十条（四）: grade 1 physical disability, low income.
    let couple = [born("1975-03-01").disabled(Physical, 1).wage(100_000), born("1960-05-01").as_(Spouse)];
    assert!(member_decision(&check(Urban, &couple, on).await, "tekun", 1, &couple).0);
    // Grade 3 physical is not severe: able.
    let couple = [born("1975-03-01").disabled(Physical, 3).wage(100_000), born("1960-05-01").as_(Spouse)];
    assert!(!member_decision(&check(Urban, &couple, on).await, "tekun", 1, &couple).0);
    // 第十条（五）: in prison, with assets within the limit; income does not matter.
    let couple = [born("1975-03-01").tag("服刑").wage(900_000), born("1960-05-01").as_(Spouse)];
    assert!(member_decision(&check(Urban, &couple, on).await, "tekun", 1, &couple).0);
}

#[tokio::test]
async fn supporters_living_elsewhere_count_as_the_survey_recorded_them() {
    let on = "2026-08-01";
    // A widow of 76 alone: no supporter at home; a son in another city whom the survey found
    // able to support her.
    let alone = [born("1950-02-02").pension(10_000).supporters_elsewhere(1)];
    let c = check(Urban, &alone, on).await;
    assert!(!condition(&c, "tekun", "no_able_supporter"));
    let elsewhere = |c: &minzheng_policy::explain::Check| {
        program(c, "tekun").units[0]
            .steps
            .iter()
            .find(|s| s.name == "no_able_supporter")
            .and_then(|s| s.features.iter().find(|f| f.name == "supporters_elsewhere").map(|f| f.value.clone()))
    };
    assert_eq!(elsewhere(&c).as_deref(), Some("1"), "the explanation shows the recorded supporter");
    let alone = [born("1950-02-02").pension(10_000).supporters_elsewhere(0)];
    assert!(decision(&check(Urban, &alone, on).await, "tekun").0);
    // Not surveyed yet: 特困 by the registry alone, and the explanation says no survey is recorded.
    let c = check(Urban, &[born("1950-02-02").pension(10_000)], on).await;
    assert!(decision(&c, "tekun").0);
    assert_eq!(elsewhere(&c).as_deref(), Some("-1"));
}

#[tokio::test]
async fn only_relations_with_a_duty_to_support_count() {
    let on = "2026-08-01";
    // A boy of 10 with his father at home: supported.
    let family = [born("1985-01-01").wage(100_000), born("2016-01-01").as_(Child)];
    assert!(!member_decision(&check(Urban, &family, on).await, "tekun", 1, &family).0);
    // A grandson of 10 living with his grandfather (head) and his mother (the head's daughter).
    let family = [born("1950-01-01").pension(10_000), born("1990-01-01").wage(100_000).as_(Child), born("2016-01-01").as_(Grandchild)];
    assert!(!member_decision(&check(Urban, &family, on).await, "tekun", 2, &family).0);
    // A working lodger (其他) is no one's supporter: the elder alone in law qualifies.
    let shared = [born("1950-02-02").pension(10_000), adult().wage(300_000)];
    assert!(member_decision(&check(Urban, &shared, on).await, "tekun", 0, &shared).0);
    // An adult son supports his parent; a son of 17 does not.
    let family = [born("1960-01-01"), born("2009-01-01").as_(Child)];
    assert!(member_decision(&check(Urban, &family, on).await, "tekun", 0, &family).0);
    // Parents support an adult child who cannot live on their own (《民法典》第一千零六十七条).
    let family = [born("1970-01-01").wage(300_000), born("1996-01-01").disabled(Intellectual, 2).as_(Child)];
    assert!(!member_decision(&check(Urban, &family, on).await, "tekun", 1, &family).0);
    // A grandparent of 90 living with the head's able father.
    let family = [born("1985-01-01").wage(300_000), born("1962-01-01").wage(200_000).as_(Parent), born("1936-01-01").as_(Grandparent)];
    assert!(!member_decision(&check(Urban, &family, on).await, "tekun", 2, &family).0);
    // A widowed daughter-in-law of 40, grade 1 disabled, and the head's unmarried son: with two
    // children at home, the son is not taken for her husband.
    let family = [
        born("1956-01-01").pension(20_000),
        born("1958-01-01").as_(Spouse),
        born("1991-01-01").wage(300_000).as_(Child),
        born("1988-01-01").as_(Child),
        born("1986-01-01").disabled(Physical, 1).as_(ChildInLaw),
    ];
    assert!(member_decision(&check(Urban, &family, on).await, "tekun", 4, &family).0);
    // With one child and one child-in-law at home, they are a couple.
    let couple = [
        born("1956-01-01").pension(20_000),
        born("1988-01-01").wage(300_000).as_(Child),
        born("1986-01-01").disabled(Physical, 1).as_(ChildInLaw),
    ];
    assert!(!member_decision(&check(Urban, &couple, on).await, "tekun", 2, &couple).0);
}

// ---- 高龄补贴: birthday on the evaluation day ----

#[tokio::test]
async fn gaoling_starts_on_the_80th_birthday() {
    let members = [born("1946-08-01").pension(300_000)];
    assert_eq!(decision(&check(Urban, &members, "2026-07-31").await, "gaoling"), (false, 0));
    assert_eq!(decision(&check(Urban, &members, "2026-08-01").await, "gaoling"), (true, 2_500));
}

#[tokio::test]
async fn gaoling_bands_by_age_and_more_for_poor_elders() {
    let on = "2026-08-01";
    let rich = |birth: &str| [born(birth).pension(400_000)];
    assert_eq!(decision(&check(Urban, &rich("1941-01-01"), on).await, "gaoling"), (true, 2_500));
    assert_eq!(decision(&check(Urban, &rich("1936-08-01"), on).await, "gaoling"), (true, 10_000), "90 on the day");
    assert_eq!(decision(&check(Urban, &rich("1926-01-01"), on).await, "gaoling"), (true, 30_000));
    let poor = [born("1941-01-01").pension(20_000)];
    assert_eq!(decision(&check(Urban, &poor, on).await, "gaoling"), (true, 10_000));
}

// ---- the two disability subsidies ----

#[tokio::test]
async fn disability_subsidies_living_for_dibao_households_and_care_for_grades_1_and_2() {
    let on = "2026-08-01";
    let poor = [adult().wage(50_000), adult().disabled(Physical, 1), adult().disabled(Hearing, 3)];
    let c = check(Urban, &poor, on).await;
    assert!(decision(&c, "dibao").0);
    assert_eq!(member_decision(&c, "disability_living", 1, &poor), (true, 9_000));
    assert_eq!(member_decision(&c, "disability_living", 2, &poor), (true, 9_000));
    assert_eq!(member_decision(&c, "disability_care", 1, &poor), (true, 9_000), "both subsidies together");
    assert_eq!(member_decision(&c, "disability_care", 2, &poor), (false, 0), "grade 3 gets no care subsidy");
    let better_off = [adult().wage(600_000), adult().disabled(Physical, 1)];
    let c = check(Urban, &better_off, on).await;
    assert_eq!(member_decision(&c, "disability_living", 1, &better_off), (false, 0), "not a 低保 household");
    assert_eq!(member_decision(&c, "disability_care", 1, &better_off), (true, 9_000));
    // The standard before Liaoning's 2026 minimum.
    let c = check(Urban, &better_off, "2025-12-31").await;
    assert_eq!(member_decision(&c, "disability_care", 1, &better_off), (true, 8_000));
}

// ---- orphans and children without care: only the difference ----

#[tokio::test]
async fn an_orphan_supported_as_tekun_receives_only_the_difference() {
    let on = "2026-08-01";
    // An orphan of 10 living with a grandmother of 70: qualifies for 特困 as well.
    let members = [born("1956-01-01").pension(20_000), born("2016-01-01").tag("孤儿")];
    let c = check(Urban, &members, on).await;
    let tekun = member_decision(&c, "tekun", 1, &members);
    assert_eq!(tekun, (true, 110_200 + 19_100));
    // Until 特困 is granted the allowance is whole; once granted, only the difference.
    assert_eq!(member_decision(&c, "orphan", 1, &members), (true, 144_500));
    let members = [born("1956-01-01").pension(20_000), born("2016-01-01").tag("孤儿").enrolled("tekun", 129_300)];
    let c = check(Urban, &members, on).await;
    assert_eq!(member_decision(&c, "orphan", 1, &members), (true, 144_500 - 129_300));
    let unit = program(&c, "orphan").units.iter().find(|u| u.eligible).expect("the orphan");
    let offset = unit.steps.iter().find(|s| s.name == "tekun").map(|s| (s.value, s.zh.clone()));
    assert_eq!(offset, Some((Some(129_300), "已纳入特困人员救助供养的（看在保记录），只发差额".to_string())));
    // Listed twice (two enrolments of one program), the difference is taken once.
    let twice = [born("1956-01-01").pension(20_000), born("2016-01-01").tag("孤儿").enrolled("tekun", 129_300).enrolled("tekun", 129_300)];
    assert_eq!(member_decision(&check(Urban, &twice, on).await, "orphan", 1, &twice), (true, 144_500 - 129_300));
    // A suspended 特困 enrolment pays nothing this month: the allowance is whole.
    let held = [born("1956-01-01").pension(20_000), born("2016-01-01").tag("孤儿").suspended("tekun", 129_300)];
    assert_eq!(member_decision(&check(Urban, &held, on).await, "orphan", 1, &held), (true, 144_500));
    // An orphan in an institution.
    let members = [born("2016-01-01").tag("孤儿").tag("集中供养").asset("deposit", 0), born("1990-01-01").wage(900_000)];
    let c = check(Urban, &members, on).await;
    assert_eq!(member_decision(&c, "orphan", 0, &members), (true, 184_800));
    // Eighteen on the day: no longer a child.
    let members = [born("2008-08-01").tag("孤儿"), born("1990-01-01").wage(900_000)];
    assert_eq!(decision(&check(Urban, &members, on).await, "orphan"), (false, 0));
}

#[tokio::test]
async fn a_child_without_care_on_dibao_receives_the_difference_to_the_orphan_standard() {
    let on = "2026-08-01";
    // The household's 低保 is 1,200 yuan a month for two counted members: the child's share 600.
    let members = [
        adult().wage(80_000).disabled(Mental, 3).enrolled("dibao", 60_000),
        born("2015-05-05").tag("事实无人抚养儿童").enrolled("dibao", 60_000),
        adult().tag("服刑"),
    ];
    let c = check(Urban, &members, on).await;
    assert_eq!(member_decision(&c, "unsupported_child", 1, &members), (true, 144_500 - 60_000));
}

#[tokio::test]
async fn the_deceased_are_not_counted() {
    let members = [adult().wage(100_000), adult().deceased()];
    let c = check(Urban, &members, "2026-08-01").await;
    let unit = &program(&c, "dibao").units[0];
    let members_value = unit.amount_rule.features.iter().find(|f| f.name == "members").map(|f| f.value.clone());
    assert_eq!(members_value.as_deref(), Some("1"));
    assert_eq!(decision(&c, "dibao"), (false, 0));
}
