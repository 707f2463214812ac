//! The datasets that tell the comparison about people rather than money: cremations (民政殡葬),
//! hukou moved out (公安户籍), residence registrations (居住证), social insurance (人社), income
//! tax (税务) and marriage registrations (民政婚姻登记). Most rows describe ordinary lives (a
//! wage earner insured where they live, 人户分离 inside the city, a couple married long ago);
//! a planted share of the poor households' members, who are on the roster, is what the
//! comparison must find, each recorded in the answer key:
//! - the hukou moved to another province, city or district this year (户籍迁出; a move within
//!   the own district is written too, and is nothing to find);
//! - living or insured in another city (户在人不在, 空挂户);
//! - income the tax office sees and human resources do not (劳务报酬);
//! - a marriage registered after the enrolment began, the spouse in another household.
//!
//! Written from their own random stream (after the roster), so the earlier datasets and the
//! roster of a seed stay as they were.

use crate::rng::Rng;
use crate::{Anomaly, AnomalyKind, City, Config, Table};
use chrono::Duration;
use minzheng_domain::registry::date_text;
use minzheng_domain::{PersonStatus, Relation, Sex};
use std::collections::HashMap;

/// Hukou and residence elsewhere: other provinces' districts and other Liaoning cities (大连, 鞍山).
const ELSEWHERE: &[&str] = &["110105", "370102", "230102", "220102", "130102", "210202", "210302", "310115"];

/// Districts of the city for moves and residence inside it.
const CITY_COUNTIES: &[&str] = &["210102", "210103", "210104", "210105", "210106", "210111", "210112", "210113", "210114"];

const FUNERAL_HOMES: &[&str] = &["沈阳市殡仪馆", "沈阳市回龙岗殡仪馆", "沈阳市苏家屯区殡仪馆", "新民市殡仪馆"];

fn table(name: &'static str, title: &'static str, headers: &[&'static str]) -> Table {
    Table { name, title, headers: headers.to_vec(), rows: Vec::new() }
}

/// Appends the six datasets to `city.datasets` and their planted anomalies to the answer key.
pub(crate) fn signals(city: &mut City, config: &Config, rng: &mut Rng) {
    let as_of = config.as_of;
    let month = format!("{:04}-{:02}", chrono::Datelike::year(&as_of), chrono::Datelike::month(&as_of));
    let share = config.anomaly_share.clamp(0.0, 0.2);
    let mut cremations =
        table("cremations", "民政殡葬 火化记录 / Civil affairs: cremations", &["身份证号", "姓名", "死亡日期", "火化日期", "殡仪馆"]);
    let mut moves = table(
        "hukou_moves",
        "公安户籍 户籍迁出 / Public security: hukou moved out",
        &["身份证号", "姓名", "迁出日期", "迁往地区划", "迁往地址"],
    );
    let mut residence = table(
        "residence",
        "公安 居住登记 / Public security: residence registrations",
        &["身份证号", "姓名", "居住地区划", "居住地址", "登记日期"],
    );
    let mut insurance = table(
        "social_insurance",
        "人社 社会保险参保 / Human resources: social insurance",
        &["身份证号", "姓名", "险种", "参保地区划", "参保单位", "缴费基数", "参保日期"],
    );
    let mut tax = table("tax", "税务 个人所得税收入 / Tax: income tax returns", &["身份证号", "姓名", "所得项目", "所属月份", "收入额"]);
    let mut marriages = table(
        "marriages",
        "民政 婚姻登记 / Civil affairs: marriage registrations",
        &["身份证号", "姓名", "登记类型", "登记日期", "配偶身份证号", "配偶姓名"],
    );
    let mut anomalies: Vec<Anomaly> = Vec::new();
    // Households with a married couple in them.
    let mut couples: HashMap<&str, bool> = HashMap::new();
    for p in &city.persons {
        if let Some(h) = &p.household_no {
            *couples.entry(h.as_str()).or_default() |= p.relation == Relation::Spouse;
        }
    }
    // The last adult of each sex seen in another household: a spouse for a planted marriage.
    let mut last_adult: [Option<usize>; 2] = [None, None];
    for (i, (p, e)) in city.persons.iter().zip(city.economy.iter()).enumerate() {
        let id = p.id_number.to_string();
        let age = p.id_number.age_on(as_of);
        let no = p.household_no.as_deref().unwrap_or_default();
        let poor = city.poor_households.contains(no);
        let alive = p.status == PersonStatus::Alive;
        let county = p.hukou_region.as_str().get(..6).unwrap_or("210102").to_string();
        let plant = |kind: AnomalyKind, dataset: &'static str, anomalies: &mut Vec<Anomaly>| {
            anomalies.push(Anomaly {
                kind,
                dataset,
                true_id: p.id_number,
                recorded_id: id.clone(),
                true_name: p.name.clone(),
                recorded_name: p.name.clone(),
            });
        };
        // Most deaths are followed by a cremation within days.
        if let PersonStatus::Deceased(Some(d)) = p.status {
            if rng.chance(0.7) {
                cremations.rows.push(vec![
                    id.clone(),
                    p.name.clone(),
                    date_text(d),
                    date_text(d + Duration::days(rng.range(1, 5))),
                    (*rng.pick(FUNERAL_HOMES)).into(),
                ]);
            }
        }
        if !alive {
            continue;
        }
        // Hukou moves: within the city now and then; planted out of the city for the poor.
        if poor && age >= 18 && rng.chance(share * 0.7) {
            // Half to another province or city, a quarter to another district of the city (both
            // leave the paying county), a quarter within the own district (nothing to find).
            let x = rng.below(4);
            let to = match x {
                0 | 1 => (*rng.pick(ELSEWHERE)).to_string(),
                2 => CITY_COUNTIES.iter().find(|c| **c != county.as_str()).copied().unwrap_or("210102").to_string(),
                _ => county.clone(),
            };
            moves.rows.push(vec![
                id.clone(),
                p.name.clone(),
                date_text(as_of - Duration::days(rng.range(10, 300))),
                to.clone(),
                format!("{to}某街道某号"),
            ]);
            if x < 3 {
                plant(AnomalyKind::HukouMovedOut, "hukou_moves", &mut anomalies);
            }
        } else if !poor && rng.chance(0.002) {
            let to = *rng.pick(CITY_COUNTIES);
            moves.rows.push(vec![
                id.clone(),
                p.name.clone(),
                date_text(as_of - Duration::days(rng.range(10, 900))),
                to.into(),
                format!("沈阳市{to}某街道某号"),
            ]);
        }
        // Residence and social insurance: 人户分离 inside the city is common and lawful; planted:
        // a poor household's member living or insured in another city (空挂户).
        let elsewhere = poor && age >= 18 && rng.chance(share * 0.5);
        if elsewhere {
            let at = *rng.pick(ELSEWHERE);
            let since = as_of - Duration::days(rng.range(60, 900));
            if rng.chance(0.5) {
                residence.rows.push(vec![id.clone(), p.name.clone(), at.into(), format!("{at}某小区某号楼"), date_text(since)]);
                plant(AnomalyKind::LivesElsewhere, "residence", &mut anomalies);
            } else {
                insurance.rows.push(vec![
                    id.clone(),
                    p.name.clone(),
                    "企业职工基本养老保险".into(),
                    at.into(),
                    format!("{at}某公司"),
                    "4200.00".into(),
                    date_text(since),
                ]);
                plant(AnomalyKind::LivesElsewhere, "social_insurance", &mut anomalies);
            }
        } else if age >= 18 && rng.chance(0.01) {
            let at = *rng.pick(CITY_COUNTIES);
            residence.rows.push(vec![
                id.clone(),
                p.name.clone(),
                at.into(),
                format!("沈阳市{at}某小区某号楼"),
                date_text(as_of - Duration::days(rng.range(60, 3000))),
            ]);
        }
        // Wage earners are insured where they work: in the city (those living elsewhere are insured there).
        if e.wage > 0 && !elsewhere {
            let since = as_of - Duration::days(rng.range(100, 5000));
            insurance.rows.push(vec![
                id.clone(),
                p.name.clone(),
                "企业职工基本养老保险".into(),
                county.clone(),
                "沈阳某公司".into(),
                crate::yuan(e.wage),
                date_text(since),
            ]);
            if e.wage >= 500_000 {
                tax.rows.push(vec![id.clone(), p.name.clone(), "工资薪金所得".into(), month.clone(), crate::yuan(e.wage)]);
            }
        }
        // Income the tax office sees and human resources do not.
        if poor && (18..60).contains(&age) && rng.chance(share * 0.5) {
            tax.rows.push(vec![id.clone(), p.name.clone(), "劳务报酬所得".into(), month.clone(), crate::yuan(rng.range(6000, 9000) * 100)]);
            plant(AnomalyKind::UndeclaredIncome, "tax", &mut anomalies);
        }
        // Marriages: some spouses' registrations from long ago; planted: a poor household's
        // unmarried head married this year to someone of another household.
        let slot = usize::from(p.sex == Sex::Female);
        if p.relation == Relation::Spouse && rng.chance(0.05) {
            marriages.rows.push(vec![
                id.clone(),
                p.name.clone(),
                "结婚".into(),
                date_text(as_of - Duration::days(rng.range(2000, 12000))),
                String::new(),
                String::new(),
            ]);
        }
        if poor && p.relation == Relation::Head && couples.get(no) == Some(&false) && (22..70).contains(&age) && rng.chance(share * 4.0) {
            if let Some(s) = last_adult[1 - slot] {
                let spouse = &city.persons[s];
                let on = date_text(as_of - Duration::days(rng.range(10, 35)));
                marriages.rows.push(vec![
                    id.clone(),
                    p.name.clone(),
                    "结婚".into(),
                    on.clone(),
                    spouse.id_number.to_string(),
                    spouse.name.clone(),
                ]);
                marriages.rows.push(vec![spouse.id_number.to_string(), spouse.name.clone(), "结婚".into(), on, id.clone(), p.name.clone()]);
                plant(AnomalyKind::MarriedSinceEnrolment, "marriages", &mut anomalies);
            }
        }
        if age >= 22 && !poor {
            last_adult[slot] = Some(i);
        }
    }
    city.datasets.extend([cremations, moves, residence, insurance, tax, marriages]);
    city.anomalies.extend(anomalies);
}
