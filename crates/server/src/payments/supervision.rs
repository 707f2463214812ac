//! 资金监督: the checks run on a payment list before it is approved (and on demand), each hit a
//! finding in the comparison module's workflow (assigned, verified, resolved by the county),
//! found once per enrolment and person however often the list is prepared again.
//!
//! Pure: the list's lines and what the registry and the accounts say in, findings out.

use super::model::PayrollLine;
use chrono::NaiveDate;
use minzheng_domain::enrolment::next_month;
use minzheng_domain::{Evidence, Finding, FindingKind, FindingStatus, IdNumber, Person, PersonStatus, RegionCode};
use std::collections::HashMap;

/// The look-up tables of the checks: millions of look-ups a run, with a fast hasher.
pub type Map<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// What the checks know besides the lines.
pub struct Facts<'a> {
    pub payroll_id: i64,
    pub program: &'a str,
    pub program_zh: &'a str,
    pub county: &'a RegionCode,
    pub on: NaiveDate,
    /// The payees (and members) as the registry has them.
    pub persons: &'a Map<IdNumber, Person>,
    /// Each household's community.
    pub communities: &'a Map<String, RegionCode>,
    /// Account number → the households whose members hold it (all of the accounts table).
    pub account_households: &'a Map<String, Vec<String>>,
    /// Payee → (program, household) of the other lists of the same month that pay them.
    pub paid_elsewhere: &'a Map<IdNumber, Vec<(String, String)>>,
    /// Whether two programs exclude each other for one person.
    pub excludes: &'a (dyn Fn(&str, &str) -> bool + Sync),
    /// A program's Chinese name by its code (for the findings' summaries).
    pub name_of: &'a (dyn Fn(&str) -> String + Sync),
    /// The filings in force of staff's close relatives, by the relative.
    pub relatives: &'a Map<IdNumber, Vec<super::relatives::StaffRelative>>,
}

fn ym(m: &NaiveDate) -> String {
    m.format("%Y-%m").to_string()
}

fn line_evidence(l: &PayrollLine, f: &Facts<'_>) -> Evidence {
    let n = l.account_no.len();
    Evidence {
        source: "payroll".into(),
        batch: Some(format!("payroll:{}", f.payroll_id)),
        fields: vec![
            ("保障项目".into(), f.program_zh.to_string()),
            ("花名册序号".into(), l.line_no.to_string()),
            ("收款人".into(), l.payee_name.clone()),
            ("身份证号".into(), l.payee.to_string()),
            ("发放月份".into(), l.months.iter().map(ym).collect::<Vec<_>>().join("、")),
            ("实发".into(), format!("{} 元", l.net)),
            ("账号".into(), if n > 4 { format!("**** {}", &l.account_no[n - 4..]) } else { String::new() }),
        ],
    }
}

fn finding(kind: FindingKind, l: &PayrollLine, f: &Facts<'_>, key: String, zh: String, en: String, mut evidence: Vec<Evidence>) -> Finding {
    evidence.insert(0, line_evidence(l, f));
    Finding {
        id: 0,
        kind,
        enrolment_id: l.enrolment_id,
        program: f.program.to_string(),
        household_no: l.household_no.clone(),
        id_number: Some(l.payee),
        // Settled by the paying county's staff: the household's community when it is within the
        // county, else the county itself (a household elsewhere is not another county's to settle).
        region: f.communities.get(&l.household_no).filter(|c| f.county.contains(c)).cloned().unwrap_or_else(|| f.county.clone()),
        confidence: 1000,
        summary_zh: zh,
        summary_en: en,
        evidence,
        key,
        found_on: f.on,
        status: FindingStatus::New,
        assigned_to: None,
        resolution: None,
    }
}

/// Runs every check on the lines that go to the bank.
pub fn check(lines: &[PayrollLine], f: &Facts<'_>) -> Vec<Finding> {
    let mut sent: Vec<&PayrollLine> = lines.iter().filter(|l| l.held.is_none()).collect();
    // Each line's own checks in runs on every core; the findings joined in the lines' order.
    let mut out: Vec<Finding> = super::parallel::in_runs(&sent, 50_000, |run| {
        let mut found = Vec::new();
        for l in run.iter().copied() {
            line_checks(l, f, &mut found);
        }
        found
    })
    .into_iter()
    .flatten()
    .collect();
    // 重复发放 within the list: one person paid the same month under two enrolments (the lines
    // sorted by payee: only a payee with two lines or more is looked at).
    sent.sort_unstable_by_key(|l| l.payee);
    for ls in sent.chunk_by(|a, b| a.payee == b.payee).filter(|g| g.len() > 1) {
        let payee = ls[0].payee;
        let mut seen: HashMap<NaiveDate, i64> = HashMap::new();
        for l in ls {
            for m in &l.months {
                if let Some(other) = seen.insert(*m, l.enrolment_id).filter(|e| *e != l.enrolment_id) {
                    out.push(finding(
                        FindingKind::PaidTwice,
                        l,
                        f,
                        format!("paid_twice:{}:{}:{other}", l.enrolment_id, payee),
                        format!("收款人{}的{}在本花名册中被两条在保记录重复发放", l.payee_name, ym(m)),
                        format!("payee {} is paid {} twice in this list (two enrolments)", payee.masked(), ym(m)),
                        vec![],
                    ));
                }
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out.dedup_by(|a, b| a.key == b.key);
    out
}

/// The checks on one line by itself: death, region, account, other lists, relatives of staff.
fn line_checks(l: &PayrollLine, f: &Facts<'_>, out: &mut Vec<Finding>) {
    let person = f.persons.get(&l.payee);
    // 死亡后仍发放: a month paid after the month of death.
    if let Some(Person { status: PersonStatus::Deceased(Some(died)), .. }) = person {
        let after: Vec<&NaiveDate> = l.months.iter().filter(|m| **m >= next_month(*died)).collect();
        if !after.is_empty() {
            let months = after.iter().map(|m| ym(m)).collect::<Vec<_>>().join("、");
            out.push(finding(
                FindingKind::PaidAfterDeath,
                l,
                f,
                format!("paid_after_death:{}:{}", l.enrolment_id, l.payee),
                format!("{}的收款人{}已于{}死亡，花名册仍发放{}", f.program_zh, l.payee_name, died, months),
                format!("payee {} died on {died}; the list still pays {months}", l.payee.masked()),
                vec![Evidence {
                    source: "registry".into(),
                    batch: None,
                    fields: vec![
                        ("姓名".into(), l.payee_name.clone()),
                        ("身份证号".into(), l.payee.to_string()),
                        ("状态".into(), format!("死亡 {died}")),
                    ],
                }],
            ));
        }
    }
    // 区域外发放: the payee's household is outside the paying county.
    if let Some(c) = f.communities.get(&l.household_no) {
        if !f.county.contains(c) {
            out.push(finding(
                FindingKind::PaidOutsideRegion,
                l,
                f,
                format!("paid_outside_region:{}:{}", l.enrolment_id, l.payee),
                format!("收款人{}的户在{}，不在发放区县{}", l.payee_name, c, f.county),
                format!("payee {}'s household is in {c}, outside the paying county {}", l.payee.masked(), f.county),
                vec![],
            ));
        }
    }
    // 一号多人: the account receives for persons of other households too.
    if let Some(hs) = f.account_households.get(&l.account_no) {
        let others: Vec<&String> = hs.iter().filter(|h| **h != l.household_no).collect();
        if !others.is_empty() {
            out.push(finding(
                FindingKind::SharedAccount,
                l,
                f,
                format!("shared_account:{}:{}", l.enrolment_id, l.payee),
                format!("收款人{}的账号也是其他 {} 户的发放账号（疑似代领、冒领）", l.payee_name, others.len()),
                format!("payee {}'s account also receives for {} other households (cards held by others?)", l.payee.masked(), others.len()),
                vec![Evidence {
                    source: "payment_accounts".into(),
                    batch: None,
                    fields: others.iter().map(|h| ("同账号的户".to_string(), (*h).clone())).collect(),
                }],
            ));
        }
    }
    // 工作人员近亲属: a filed relative of staff is paid: the household is visited.
    if let Some(filed) = f.relatives.get(&l.payee).filter(|v| !v.is_empty()) {
        let whose =
            filed.iter().map(|r| format!("{}（{}）的{}", r.staff_name, r.staff_unit, r.relation.zh())).collect::<Vec<_>>().join("、");
        let whose_en = filed.iter().map(|r| format!("{}'s {}", r.staff_name, r.relation.en())).collect::<Vec<_>>().join(", ");
        out.push(finding(
            FindingKind::StaffRelative,
            l,
            f,
            format!("staff_relative:{}:{}", l.enrolment_id, l.payee),
            format!("收款人{}是工作人员{}（已备案），{}须入户核查", l.payee_name, whose, f.program_zh),
            format!("payee {} is {} (filed): the household is to be visited", l.payee.masked(), whose_en),
            filed
                .iter()
                .map(|r| Evidence {
                    source: "staff_relatives".into(),
                    batch: Some(format!("staff_relative:{}", r.id)),
                    fields: vec![
                        ("工作人员".into(), r.staff_name.clone()),
                        ("所在单位".into(), r.staff_unit.clone()),
                        ("亲属关系".into(), r.relation.zh().to_string()),
                        ("备案日期".into(), r.filed_on.to_string()),
                    ],
                })
                .collect(),
        ));
    }
    // 重复发放 across lists: another list of the same month pays them under a program that
    // excludes this one, or the same program for another household.
    if let Some(elsewhere) = f.paid_elsewhere.get(&l.payee) {
        for (program, household) in elsewhere {
            let twice = (program == f.program && household != &l.household_no) || (f.excludes)(program, f.program);
            if twice {
                out.push(finding(
                    FindingKind::PaidTwice,
                    l,
                    f,
                    format!("paid_twice:{}:{}:{program}:{household}", l.enrolment_id, l.payee),
                    format!("收款人{}本月另在{}（户 {household}）领取，与{}重复或互斥", l.payee_name, (f.name_of)(program), f.program_zh),
                    format!("payee {} is also paid {program} this month (household {household}), twice or excluded", l.payee.masked()),
                    vec![],
                ));
            }
        }
    }
}

/// 金额与规则不符: the lines whose month's amount differs from what the rules give the unit
/// that month (`by_rules`: household number, or ID number for a program granted to persons, to
/// fen a month; a unit missing is one the rules find not eligible). Enrolments in a gradual
/// exit or stopping (`ending`) are left out: they are paid on by a decision, not by the rules.
/// One finding per enrolment, payee and amount the rules give.
pub fn amounts(
    lines: &[PayrollLine],
    f: &Facts<'_>,
    per_person: bool,
    by_rules: &Map<String, i64>,
    ending: &dyn Fn(i64) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for l in lines.iter().filter(|l| l.held.is_none() && l.amount.0 > 0 && !ending(l.enrolment_id)) {
        let unit = if per_person { l.payee.to_string() } else { l.household_no.clone() };
        let rules = by_rules.get(&unit).copied().unwrap_or(0);
        if rules == l.amount.0 {
            continue;
        }
        let given = minzheng_domain::Fen(rules);
        let (zh, en) = if rules == 0 {
            (
                format!("{}本月发放 {} 元，但按现行规则和数据该{}不符合条件", f.program_zh, l.amount, if per_person { "人" } else { "户" }),
                format!("the list pays {} yuan, but by the rules and the data in force the unit is not eligible", l.amount),
            )
        } else {
            (
                format!("{}本月发放 {} 元，按现行规则和数据应为 {} 元", f.program_zh, l.amount, given),
                format!("the list pays {} yuan; the rules give {} yuan", l.amount, given),
            )
        };
        out.push(finding(
            FindingKind::AmountDiffers,
            l,
            f,
            format!("amount_differs:{}:{}:{}", l.enrolment_id, l.payee, rules),
            zh,
            en,
            vec![Evidence {
                source: "policy".into(),
                batch: None,
                fields: vec![
                    ("规则核定".into(), if rules == 0 { "不符合条件".into() } else { format!("{given} 元") }),
                    ("花名册".into(), format!("{} 元", l.amount)),
                    ("核定日期".into(), f.on.to_string()),
                ],
            }],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use minzheng_domain::{Fen, Relation, Sex};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn id(seq: u16) -> IdNumber {
        IdNumber::from_parts(210112, d(1950, 1, 1), seq * 2, Sex::Female)
    }

    fn line(no: i64, enrolment: i64, payee: IdNumber, household: &str, account: &str, months: Vec<NaiveDate>) -> PayrollLine {
        PayrollLine {
            line_no: no,
            enrolment_id: enrolment,
            household_no: household.into(),
            payee,
            payee_name: "王秀英".into(),
            account_name: String::new(),
            bank: "盛京银行".into(),
            account_no: account.into(),
            months,
            amount: Fen(104_100),
            arrears: Fen(0),
            deduction: Fen(0),
            net: Fen(104_100),
            note: String::new(),
            held: None,
            reissue_of: None,
        }
    }

    fn person(id: IdNumber, status: PersonStatus) -> Person {
        Person {
            id_number: id,
            name: "王秀英".into(),
            sex: Sex::Female,
            birth_date: d(1950, 1, 1),
            hukou_region: RegionCode::parse("210112").expect("r"),
            household_no: None,
            relation: Relation::Head,
            status,
            disability: None,
            phone: None,
            tags: vec![],
        }
    }

    #[test]
    fn each_check_finds_its_case_and_nothing_else() {
        let county = RegionCode::parse("210112").expect("county");
        let sept = d(2026, 9, 1);
        let lines = vec![
            line(1, 1, id(1), "H1", "A1", vec![sept]),     // died in August
            line(2, 2, id(2), "H2", "A2", vec![sept]),     // dies in September: September is due
            line(3, 3, id(3), "H3", "SHARED", vec![sept]), // one account, two households
            line(4, 4, id(4), "H4", "SHARED", vec![sept]),
            line(5, 5, id(5), "H5", "A5", vec![sept]), // lives in 和平区
            line(6, 6, id(6), "H6", "A6", vec![sept]), // two enrolments in this list
            line(7, 7, id(6), "H7", "A6", vec![sept]),
            line(8, 8, id(8), "H8", "A8", vec![sept]),      // also 特困 this month elsewhere
            line(9, 9, id(9), "H9", "A9", vec![sept]),      // nothing wrong
            line(10, 10, id(10), "H10", "A10", vec![sept]), // a filed relative of staff
        ];
        let persons: Map<IdNumber, Person> = Map::from_iter([
            (id(1), person(id(1), PersonStatus::Deceased(Some(d(2026, 8, 20))))),
            (id(2), person(id(2), PersonStatus::Deceased(Some(d(2026, 9, 2))))),
        ]);
        let community = RegionCode::parse("210112009001").expect("c");
        let mut communities: Map<String, RegionCode> = (1..=10).map(|i| (format!("H{i}"), community.clone())).collect();
        communities.insert("H5".into(), RegionCode::parse("210102001001").expect("c"));
        let account_households: Map<String, Vec<String>> = Map::from_iter([
            ("SHARED".to_string(), vec!["H3".to_string(), "H4".to_string()]),
            ("A6".to_string(), vec!["H6".to_string(), "H7".to_string()]),
        ]);
        let paid_elsewhere: Map<IdNumber, Vec<(String, String)>> = Map::from_iter([(id(8), vec![("tekun".to_string(), "H8".to_string())])]);
        let ex = |a: &str, b: &str| (a == "tekun" && b == "dibao") || (a == "dibao" && b == "tekun");
        let filed = super::super::relatives::StaffRelative {
            id: 3,
            county: county.clone(),
            staff_name: "李梅".into(),
            staff_unit: "五三街道办事处".into(),
            relative: id(10),
            relative_name: "王秀英".into(),
            relation: super::super::relatives::Relation::Parent,
            filed_on: d(2026, 3, 1),
            filed_by: "clerk".into(),
            removed_on: None,
        };
        let relatives: Map<IdNumber, Vec<super::super::relatives::StaffRelative>> = Map::from_iter([(id(10), vec![filed])]);
        let f = Facts {
            payroll_id: 12,
            program: "dibao",
            program_zh: "城乡低保",
            county: &county,
            on: d(2026, 9, 5),
            persons: &persons,
            communities: &communities,
            account_households: &account_households,
            paid_elsewhere: &paid_elsewhere,
            excludes: &ex,
            name_of: &|c: &str| if c == "tekun" { "特困人员救助供养".to_string() } else { c.to_string() },
            relatives: &relatives,
        };
        let found = check(&lines, &f);
        let elsewhere =
            found.iter().filter(|x| x.kind == FindingKind::PaidTwice).find(|x| x.summary_zh.contains("另在")).expect("paid elsewhere");
        assert!(elsewhere.summary_zh.contains("另在特困人员救助供养"), "the other program by its name: {}", elsewhere.summary_zh);
        let by = |k: FindingKind| {
            let mut v: Vec<i64> = found.iter().filter(|x| x.kind == k).map(|x| x.enrolment_id).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        assert_eq!(by(FindingKind::PaidAfterDeath), vec![1]);
        assert_eq!(by(FindingKind::PaidOutsideRegion), vec![5]);
        assert_eq!(by(FindingKind::SharedAccount), vec![3, 4, 6, 7]);
        assert_eq!(by(FindingKind::PaidTwice), vec![7, 8]);
        assert_eq!(by(FindingKind::StaffRelative), vec![10]);
        let relative = found.iter().find(|x| x.kind == FindingKind::StaffRelative).expect("relative");
        assert_eq!(relative.summary_zh, "收款人王秀英是工作人员李梅（五三街道办事处）的父母（已备案），城乡低保须入户核查");
        assert!(found.iter().all(|x| x.enrolment_id != 9 && x.enrolment_id != 2), "{found:?}");
        let death = found.iter().find(|x| x.kind == FindingKind::PaidAfterDeath).expect("death");
        assert_eq!(death.summary_zh, "城乡低保的收款人王秀英已于2026-08-20死亡，花名册仍发放2026-09");
        assert_eq!(death.region, community, "settled where the household is");
        // Found again when the list is prepared again: the same keys, stored once.
        let again = check(&lines, &f);
        assert_eq!(found.iter().map(|x| &x.key).collect::<Vec<_>>(), again.iter().map(|x| &x.key).collect::<Vec<_>>());
        // 金额与规则不符: H1 as the rules give, H2 given less by the rules, H3 not eligible by
        // them; H4 is in its gradual exit (paid by a decision) and not looked at.
        let by_rules: Map<String, i64> = Map::from_iter([("H1".to_string(), 104_100), ("H2".to_string(), 94_100), ("H4".to_string(), 0)]);
        let differ = amounts(&lines[..4], &f, false, &by_rules, &|e| e == 4);
        assert_eq!(differ.iter().map(|x| x.enrolment_id).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(differ[0].summary_zh, "城乡低保本月发放 1041.00 元，按现行规则和数据应为 941.00 元");
        assert!(differ[1].summary_zh.ends_with("该户不符合条件"), "{}", differ[1].summary_zh);
    }
}
