//! 在保名册: the roster a bureau keeps of who receives what, one row per member, written from
//! the generated city: the poor households on 低保 (urban or rural by the community; an elder
//! living alone without income on 特困 instead), and
//! every elder of 80 or more on 高龄补贴. A share of it is planted wrong the way audits find
//! rosters wrong: a member who died (reported by the funeral service), a person listed in two
//! households' 低保, a member the registry already records as dead.

use crate::rng::Rng;
use crate::{Anomaly, AnomalyKind, City, Config, Table};
use chrono::{Datelike, Duration, NaiveDate};
use minzheng_domain::{HouseholdKind, Person, PersonStatus};
use std::collections::HashMap;

/// Headers of the roster sheet.
pub const HEADERS: &[&str] = &["保障项目", "户编号", "区县代码", "姓名", "身份证号", "月保障金额", "起始月份", "保障状态"];

/// Illustrative monthly standards (yuan) for the roster's amounts: the synthetic data does not
/// read the policy files; the policy engine computes the real amounts.
const URBAN_STANDARD: i64 = 848;
const RURAL_STANDARD: i64 = 651;

/// Writes the roster of `city` (its `roster` table), planting anomalies at `config.anomaly_share`.
pub(crate) fn roster(city: &mut City, config: &Config, rng: &mut Rng) {
    let as_of = config.as_of;
    let share = config.anomaly_share.clamp(0.0, 0.2);
    let mut by_household: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in city.persons.iter().enumerate() {
        if let Some(h) = &p.household_no {
            by_household.entry(h.as_str()).or_default().push(i);
        }
    }
    let kinds: HashMap<&str, (HouseholdKind, String)> =
        city.households.iter().map(|h| (h.household_no.as_str(), (h.kind, h.community.as_str()[..6].to_string()))).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut anomalies: Vec<Anomaly> = Vec::new();
    let mut deaths: Vec<Vec<String>> = Vec::new();
    let month = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
    let mut poor: Vec<&String> = city.poor_households.iter().collect();
    poor.sort();
    let mut previous_member: Option<usize> = None;

    for no in poor {
        let Some(members) = by_household.get(no.as_str()) else { continue };
        let Some((kind, county)) = kinds.get(no.as_str()) else { continue };
        let mut listed: Vec<usize> = members.iter().copied().filter(|&i| city.persons[i].status == PersonStatus::Alive).collect();
        // A member the registry records as dead, still on the roster.
        if let Some(&dead) = members.iter().find(|&&i| matches!(city.persons[i].status, PersonStatus::Deceased(_))) {
            if rng.chance(share * 5.0) {
                listed.push(dead);
            }
        }
        // Someone of the previous poor household listed here too (重复享受).
        if let Some(other) = previous_member {
            if rng.chance(share) && !listed.contains(&other) {
                listed.push(other);
                let p = &city.persons[other];
                anomalies.push(Anomaly {
                    kind: AnomalyKind::EnrolledTwice,
                    dataset: "enrolments",
                    true_id: p.id_number,
                    recorded_id: p.id_number.to_string(),
                    true_name: p.name.clone(),
                    recorded_name: p.name.clone(),
                });
            }
        }
        if listed.is_empty() {
            continue;
        }
        let income: i64 = listed.iter().map(|&i| (city.economy[i].wage + city.economy[i].pension) / 100).sum();
        let standard = if *kind == HouseholdKind::Urban { URBAN_STANDARD } else { RURAL_STANDARD };
        let n = listed.len() as i64;
        // An elder of 60 or more living alone with an income below the standard, nobody else
        // listed: supported as 特困 (too little income, unable to work, no supporter) rather
        // than on 低保.
        let alone = listed.len() == 1
            && members.len() == 1
            && income < standard
            && city.persons[listed[0]].status == PersonStatus::Alive
            && city.persons[listed[0]].id_number.age_on(as_of) >= 60;
        let (program, amount) = if alone { ("tekun", standard * 13 / 10) } else { ("dibao", (standard * n - income).max(60 * n)) };
        // (Only a 低保 member is the one a next household's roster lists again.)
        if !alone {
            previous_member = listed.first().copied();
        }
        let start = as_of - Duration::days(rng.range(40, 1800));
        for &i in &listed {
            let p = &city.persons[i];
            rows.push(row(program, no, county, p, amount, &month(start)));
            // A member who died (reported by the funeral service), still on the roster.
            if p.status == PersonStatus::Alive && p.id_number.age_on(as_of) >= 50 && rng.chance(share) {
                deaths.push(death_row(p, as_of - Duration::days(rng.range(20, 150))));
                anomalies.push(Anomaly {
                    kind: AnomalyKind::DeceasedStillRegistered,
                    dataset: "deaths",
                    true_id: p.id_number,
                    recorded_id: p.id_number.to_string(),
                    true_name: p.name.clone(),
                    recorded_name: p.name.clone(),
                });
            }
        }
    }

    // 高龄补贴: one enrolment per household, listing its elders of 80 or more.
    let mut elders: Vec<(&str, Vec<usize>)> = by_household
        .iter()
        .map(|(no, members)| {
            (
                *no,
                members
                    .iter()
                    .copied()
                    .filter(|&i| city.persons[i].status == PersonStatus::Alive && city.persons[i].id_number.age_on(as_of) >= 80)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, e)| !e.is_empty())
        .collect();
    elders.sort();
    for (no, listed) in elders {
        let Some((_, county)) = kinds.get(no) else { continue };
        let amount: i64 = listed.iter().map(|&i| if city.persons[i].id_number.age_on(as_of) >= 90 { 100 } else { 25 }).sum();
        let start = as_of - Duration::days(rng.range(40, 3000));
        for &i in &listed {
            rows.push(row("gaoling", no, county, &city.persons[i], amount, &month(start)));
        }
    }

    if let Some(t) = city.datasets.iter_mut().find(|t| t.name == "deaths") {
        t.rows.extend(deaths);
    }
    city.anomalies.extend(anomalies);
    city.roster =
        Table { name: "enrolments", title: "民政 在保名册 / Civil affairs: roster of enrolments", headers: HEADERS.to_vec(), rows };
}

fn row(program: &str, no: &str, county: &str, p: &Person, amount_yuan: i64, start: &str) -> Vec<String> {
    vec![
        program.into(),
        no.into(),
        county.into(),
        p.name.clone(),
        p.id_number.to_string(),
        format!("{amount_yuan}.00"),
        start.into(),
        "在保".into(),
    ]
}

fn death_row(p: &Person, d: NaiveDate) -> Vec<String> {
    vec![p.id_number.to_string(), p.name.clone(), minzheng_domain::registry::date_text(d), "殡葬火化".into()]
}
