//! Effective-dated parameters (参数) per region, with inheritance city → county.
//!
//! A parameter's history is a list of records; a change is a new record (who, why, when), never
//! an edit. The value in force for a county, an area and a date is the one set for the most
//! specific region (county over city over province), then for the area over one set for both
//! areas, then with the latest effective date not after the date, then the latest recorded.

use crate::defs::{Area, PolicySet};
use chrono::{DateTime, NaiveDate, Utc};
pub use minzheng_domain::parameter::ParameterRecord;
use serde::{Deserialize, Serialize};

/// The records shipped in a policy folder, as the first history of a new database.
pub fn shipped_records(set: &PolicySet, at: DateTime<Utc>) -> Vec<ParameterRecord> {
    let mut out = Vec::new();
    for p in &set.parameters {
        for v in &p.values {
            out.push(ParameterRecord {
                name: p.name.clone(),
                region: v.region.clone(),
                area: v.area,
                effective_from: v.from,
                value: v.value,
                reason: v.reason.clone(),
                recorded_by: "system".into(),
                recorded_at: at,
                seq: out.len() as i64 + 1,
            });
        }
    }
    out
}

/// The record in force for a parameter, county, area and date.
pub fn in_force<'a>(records: &'a [ParameterRecord], name: &str, county: &str, area: Area, on: NaiveDate) -> Option<&'a ParameterRecord> {
    records
        .iter()
        .filter(|r| r.name == name && r.effective_from <= on && r.applies_to(county, area))
        .max_by_key(|r| (r.region.len(), r.area.is_some(), r.effective_from, r.seq))
}

/// A change to try in a what-if (提标测算): a parameter set to a value or raised by a share,
/// for a region (all its counties) and optionally one area, from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub name: String,
    pub region: String,
    pub area: Option<Area>,
    pub from: NaiveDate,
    pub how: ChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new value.
    Set(i64),
    /// A rise in per mille of the value in force (70 = +7%), rounded up to the yuan for money.
    RaisePermille(i64),
    /// An amount added to the value in force in each county and area (negative: taken off).
    Add(i64),
}

impl Change {
    /// Parses `dibao_standard:urban+7%`, `dibao_standard=85000`, `gaoling_80:2101=3000` (name, an
    /// optional `:area` and `:region`, then `=value` or `+n%`).
    pub fn parse(text: &str, default_region: &str, from: NaiveDate) -> Result<Change, String> {
        let (lhs, how) = if let Some((l, r)) = text.split_once('=') {
            let v: i64 = r.trim().parse().map_err(|_| format!("{r:?} is not a whole number (fen, per mille or count)"))?;
            (l, ChangeKind::Set(v))
        } else if let Some((l, r)) = text.split_once('+') {
            let pct = r.trim().trim_end_matches('%');
            let permille = parse_percent_permille(pct).ok_or_else(|| format!("{r:?} is not a percentage such as 7% or 6.2%"))?;
            (l, ChangeKind::RaisePermille(permille))
        } else {
            return Err(format!("{text:?}: write name=value or name+7%"));
        };
        let mut parts = lhs.trim().split(':');
        let name = parts.next().unwrap_or_default().trim().to_string();
        let mut area = None;
        let mut region = default_region.to_string();
        for part in parts {
            let part = part.trim();
            if let Some(a) = Area::parse(part) {
                area = Some(a);
            } else if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                region = part.to_string();
            } else {
                return Err(format!("{part:?} is neither urban/rural nor a division code"));
            }
        }
        Ok(Change { name, region, area, from, how })
    }
}

/// `7` or `6.2` (per cent, one decimal at most, digits only: a sign is the caller's) in per
/// mille: 70, 62.
pub fn parse_percent_permille(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 1 || int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let i: i64 = int.parse().ok()?;
    let f: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    Some(i * 10 + f)
}

/// A value as staff write it, in the parameter's unit: yuan for money (`30.5`, stored as 3050
/// fen), a percentage for per mille (`15.5` → 155), 是/否 for a flag, else a whole number. The
/// refusal says, in both languages, how to write it.
pub fn parse_value(unit: &str, text: &str) -> Result<i64, (String, String)> {
    let t = text.trim();
    let refused = |what_zh: &str, what_en: &str| {
        (format!("“{t}”不是{what_zh}：请按{what_zh}填写"), format!("{t:?} is not {what_en}: write it as {what_en}"))
    };
    if unit.starts_with("fen") {
        minzheng_domain::Fen::parse_yuan(t.trim_end_matches('元').trim())
            .map(|v| v.fen())
            .map_err(|_| refused("以元计的金额（如 1100 或 1100.50）", "an amount in yuan (1100 or 1100.50)"))
    } else if unit == "permille" {
        let t = t.trim_end_matches(['%', '％']).trim();
        let (negative, t) = match t.strip_prefix(['-', '－']) {
            Some(rest) => (true, rest.trim()),
            None => (false, t.strip_prefix('+').unwrap_or(t).trim()),
        };
        parse_percent_permille(t)
            .map(|p| if negative { -p } else { p })
            .ok_or_else(|| refused("百分比（如 15 或 15.5）", "a percentage (15 or 15.5)"))
    } else if unit == "flag" {
        match t {
            "是" | "1" | "yes" => Ok(1),
            "否" | "0" | "no" => Ok(0),
            _ => Err(refused("“是”或“否”", "yes or no")),
        }
    } else {
        t.parse::<i64>().map_err(|_| refused("整数", "a whole number"))
    }
}

/// Applies what-if changes on top of the stored records: each becomes a record for its region,
/// area and date whose value is computed from the value in force there at that date.
pub fn apply_changes(
    records: &[ParameterRecord],
    changes: &[Change],
    counties: &[(String, Area)],
    unit_of: impl Fn(&str) -> String,
) -> Vec<ParameterRecord> {
    let mut out = records.to_vec();
    let mut seq = out.iter().map(|r| r.seq).max().unwrap_or(0);
    for c in changes {
        // A rise applies to the value in force in each county and area under the region.
        let mut targets: Vec<(String, Area)> =
            counties.iter().filter(|(county, area)| county.starts_with(&c.region) && c.area.is_none_or(|a| a == *area)).cloned().collect();
        targets.sort();
        targets.dedup();
        for (county, area) in targets {
            let base = in_force(&out, &c.name, &county, area, c.from).map(|r| r.value).unwrap_or(0);
            let value = match c.how {
                ChangeKind::Set(v) => v,
                ChangeKind::Add(v) => base + v,
                ChangeKind::RaisePermille(pm) => {
                    let raised = base * (1000 + pm);
                    if unit_of(&c.name).starts_with("fen") {
                        // Money: rounded up to the yuan.
                        (raised + 99_999) / 100_000 * 100
                    } else {
                        (raised + 999) / 1000
                    }
                }
            };
            seq += 1;
            out.push(ParameterRecord {
                name: c.name.clone(),
                region: county,
                area: Some(area),
                effective_from: c.from,
                value,
                reason: "what-if".into(),
                recorded_by: "what-if".into(),
                recorded_at: Utc::now(),
                seq,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(region: &str, area: Option<Area>, from: &str, value: i64, seq: i64) -> ParameterRecord {
        ParameterRecord {
            name: "dibao_standard".into(),
            region: region.into(),
            area,
            effective_from: from.parse().unwrap_or_default(),
            value,
            reason: String::new(),
            recorded_by: "t".into(),
            recorded_at: DateTime::<Utc>::default(),
            seq,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn value_in_force_follows_dates_regions_areas_and_corrections() {
        let records = vec![
            rec("2101", Some(Area::Urban), "2025-01-01", 79810, 1),
            rec("2101", Some(Area::Urban), "2026-07-01", 84760, 2),
            rec("2101", None, "2025-01-01", 50000, 3),
            rec("210112", Some(Area::Urban), "2026-03-01", 86000, 4),
            // A correction of the city's July value, recorded later.
            rec("2101", Some(Area::Urban), "2026-07-01", 84800, 5),
        ];
        let v = |county: &str, area, on: &str| in_force(&records, "dibao_standard", county, area, day(on)).map(|r| r.value);
        assert_eq!(v("210102", Area::Urban, "2024-12-31"), None, "nothing before the first record");
        assert_eq!(v("210102", Area::Urban, "2025-01-01"), Some(79810));
        assert_eq!(v("210102", Area::Urban, "2026-06-30"), Some(79810), "the day before the rise");
        assert_eq!(v("210102", Area::Urban, "2026-07-01"), Some(84800), "the rise, as corrected");
        assert_eq!(v("210102", Area::Rural, "2026-07-01"), Some(50000), "area-less value for rural");
        assert_eq!(v("210112", Area::Urban, "2026-02-28"), Some(79810), "county inherits the city before its own");
        assert_eq!(v("210112", Area::Urban, "2026-03-01"), Some(86000));
        assert_eq!(v("210112", Area::Urban, "2026-12-01"), Some(86000), "the county's own value overrides the city's rise");
        assert_eq!(v("220102", Area::Urban, "2026-12-01"), None, "another city");
    }

    #[test]
    fn values_are_read_in_the_units_staff_use() {
        assert_eq!(parse_value("fen/person/month", "30.5"), Ok(3050));
        assert_eq!(parse_value("fen/person/month", "854"), Ok(85400), "854 is yuan, not 8.54");
        assert_eq!(parse_value("fen/person/month", "854元"), Ok(85400));
        assert_eq!(parse_value("permille", "15.5"), Ok(155));
        assert_eq!(parse_value("flag", "是"), Ok(1));
        assert_eq!(parse_value("months", "6"), Ok(6));
        let e = parse_value("fen/person/month", "三十").err().unwrap_or_default();
        assert!(e.0.contains("以元计") && e.1.contains("in yuan"), "{e:?}");
    }

    #[test]
    fn changes_parse_and_raise_money_to_the_yuan() {
        let from = day("2027-01-01");
        let c = Change::parse("dibao_standard:urban+7%", "2101", from).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.how, ChangeKind::RaisePermille(70));
        assert_eq!(c.area, Some(Area::Urban));
        assert_eq!(
            Change::parse("gaoling_80:210112=3000", "2101", from).map(|c| (c.region, c.how)),
            Ok(("210112".into(), ChangeKind::Set(3000)))
        );
        assert_eq!(Change::parse("x+6.2%", "2101", from).map(|c| c.how), Ok(ChangeKind::RaisePermille(62)));
        assert!(Change::parse("x+-6.5%", "2101", from).is_err(), "a sign inside the number is refused, not misread");
        assert_eq!(parse_percent_permille("-6.5"), None);
        assert_eq!(parse_percent_permille("6.5"), Some(65));
        assert!(Change::parse("x+abc", "2101", from).is_err());
        assert!(Change::parse("x", "2101", from).is_err());
        let records = vec![rec("2101", Some(Area::Urban), "2025-01-01", 79810, 1)];
        let counties = vec![("210102".to_string(), Area::Urban), ("210102".to_string(), Area::Rural)];
        let out = apply_changes(&records, &[c], &counties, |_| "fen/person/month".into());
        let v = in_force(&out, "dibao_standard", "210102", Area::Urban, from).map(|r| r.value);
        // 798.10 × 1.07 = 853.967 → 854 yuan.
        assert_eq!(v, Some(85400));
        assert_eq!(in_force(&out, "dibao_standard", "210102", Area::Urban, day("2026-12-31")).map(|r| r.value), Some(79810));
    }
}
