//! 资金监督汇总: per county, what the supervision checks found (open and settled, by kind), the
//! money at risk in what is still open (the lines the findings are about), and the recovery
//! ledger's totals (overpaid, recovered, still owed, written off) — the figures an audit asks
//! for first ("核查疑点多少条、涉及资金多少、追回多少").
//!
//! Pure summary over the findings and recoveries, and the use case that reads them.

use super::recovery::{Overpayment, RecoveryStatus};
use minzheng_app::registry::AccessError;
use minzheng_domain::{Fen, Finding, FindingKind, FindingStatus, Permission, Principal, RegionCode, RegionLevel};
use minzheng_store::{FindingCount, FindingQuery, Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// One kind of supervision finding in a county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindLine {
    pub kind: FindingKind,
    pub open: u64,
    pub settled: u64,
    /// The money of the lines the open findings are about.
    pub at_risk: Fen,
}

/// A county's supervision figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountySupervision {
    pub county: String,
    pub county_name: String,
    pub kinds: Vec<KindLine>,
    pub open: u64,
    pub at_risk: Fen,
    pub overpaid: Fen,
    pub recovered: Fen,
    pub owed: Fen,
    pub written_off: Fen,
}

/// The amount a supervision finding is about: the line's net (实发) its first evidence records.
pub fn amount_of(f: &Finding) -> Fen {
    f.evidence
        .first()
        .and_then(|e| e.fields.iter().find(|(k, _)| k == "实发"))
        .and_then(|(_, v)| Fen::parse_yuan(v.trim_end_matches('元').trim()).ok())
        .unwrap_or(Fen(0))
}

/// The line a supervision finding is about: its list and sequence number (the finding's own key
/// when its evidence does not say).
fn line_of(f: &Finding) -> String {
    let e = f.evidence.first();
    let seq = e.and_then(|e| e.fields.iter().find(|(k, _)| k == "花名册序号")).map(|(_, v)| v.as_str());
    match (e.and_then(|e| e.batch.as_deref()), seq) {
        (Some(b), Some(n)) => format!("{b}:{n}"),
        _ => f.key.clone(),
    }
}

fn county_of(region: &str) -> String {
    region.chars().take(6).collect()
}

/// Sums it up per county: counts by kind and status, the open findings' amounts, the recoveries.
pub fn summarise(
    kinds: &[FindingKind],
    counts: &[FindingCount],
    open: &[Finding],
    recoveries: &[Overpayment],
    names: &BTreeMap<String, String>,
) -> Vec<CountySupervision> {
    let mut by: BTreeMap<String, CountySupervision> = BTreeMap::new();
    let entry = |by: &mut BTreeMap<String, CountySupervision>, county: String| {
        by.entry(county.clone()).or_insert_with(|| CountySupervision {
            county_name: names.get(&county).cloned().unwrap_or_else(|| county.clone()),
            county,
            kinds: kinds.iter().map(|k| KindLine { kind: *k, open: 0, settled: 0, at_risk: Fen(0) }).collect(),
            open: 0,
            at_risk: Fen(0),
            overpaid: Fen(0),
            recovered: Fen(0),
            owed: Fen(0),
            written_off: Fen(0),
        });
    };
    for c in counts {
        let Some(i) = kinds.iter().position(|k| k.as_str() == c.kind) else { continue };
        let county = county_of(&c.county);
        entry(&mut by, county.clone());
        if let Some(s) = by.get_mut(&county) {
            if c.status == FindingStatus::Resolved.as_str() {
                s.kinds[i].settled += c.count;
            } else {
                s.kinds[i].open += c.count;
                s.open += c.count;
            }
        }
    }
    // A line with two open findings (a relative of staff whose amount also differs) is at risk
    // once in the county's total.
    let mut counted = std::collections::HashSet::new();
    for f in open {
        let Some(i) = kinds.iter().position(|k| *k == f.kind) else { continue };
        let county = county_of(f.region.as_str());
        entry(&mut by, county.clone());
        if let Some(s) = by.get_mut(&county) {
            let a = amount_of(f);
            s.kinds[i].at_risk += a;
            if counted.insert(line_of(f)) {
                s.at_risk += a;
            }
        }
    }
    for o in recoveries {
        let county = county_of(o.county.as_str());
        entry(&mut by, county.clone());
        if let Some(s) = by.get_mut(&county) {
            s.overpaid += o.amount;
            s.recovered += o.repaid;
            match o.status {
                RecoveryStatus::WrittenOff => s.written_off += o.amount - o.repaid,
                _ => s.owed += o.amount - o.repaid,
            }
        }
    }
    by.into_values().collect()
}

/// The supervision summary of the account's region (or a county within it), for those who read
/// payments.
pub async fn summary(store: &dyn Store, who: &Principal, county: Option<&RegionCode>) -> Result<Vec<CountySupervision>, AccessError> {
    if !who.may(Permission::ReadPayments) {
        return Err(AccessError::Forbidden);
    }
    let region = county.unwrap_or(&who.region);
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope);
    }
    let kinds = super::service::SUPERVISION_KINDS;
    let counts = store.finding_counts(region).await?;
    let mut open = Vec::new();
    for kind in kinds {
        for status in [FindingStatus::New, FindingStatus::Assigned, FindingStatus::Verified] {
            let mut before = None;
            loop {
                let page = store
                    .search_findings(&FindingQuery {
                        region: Some(region.clone()),
                        kind: Some(kind),
                        status: Some(status),
                        before,
                        limit: 1000,
                        ..Default::default()
                    })
                    .await?;
                open.extend(page.items);
                match page.next.and_then(|n| n.parse::<i64>().ok()) {
                    Some(n) => before = Some(n),
                    None => break,
                }
            }
        }
    }
    let recoveries = super::recovery_store::recovery_store(store).recoveries(region).await?;
    let within = if matches!(region.level(), RegionLevel::Province | RegionLevel::City) {
        region.clone()
    } else {
        region.ancestor(RegionLevel::City).unwrap_or_else(|| region.clone())
    };
    let names: BTreeMap<String, String> = store
        .regions_within(&within, RegionLevel::County)
        .await
        .map_err(|e: StoreError| AccessError::Store(e))?
        .into_iter()
        .map(|r| (r.code.to_string(), r.name))
        .collect();
    Ok(summarise(&kinds, &counts, &open, &recoveries, &names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minzheng_domain::{Evidence, IdNumber};

    fn finding(kind: FindingKind, region: &str, net: &str, status: FindingStatus, line: u32) -> Finding {
        Finding {
            id: 1,
            kind,
            enrolment_id: 1,
            program: "dibao".into(),
            household_no: "H1".into(),
            id_number: None,
            region: RegionCode::parse(region).expect("region"),
            confidence: 1000,
            summary_zh: String::new(),
            summary_en: String::new(),
            evidence: vec![Evidence {
                source: "payroll".into(),
                batch: Some("payroll:1".into()),
                fields: vec![("花名册序号".into(), line.to_string()), ("实发".into(), format!("{net} 元"))],
            }],
            key: String::new(),
            found_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("day"),
            status,
            assigned_to: None,
            resolution: None,
        }
    }

    #[test]
    fn a_county_sees_its_findings_by_kind_the_money_at_risk_and_what_was_recovered() {
        let kinds = [FindingKind::PaidAfterDeath, FindingKind::SharedAccount];
        let count = |kind: &str, status: &str, count: u64| FindingCount {
            kind: kind.into(),
            county: "210112".into(),
            status: status.into(),
            count,
        };
        let counts = [
            count("paid_after_death", "new", 2),
            count("paid_after_death", "resolved", 5),
            count("shared_account", "assigned", 1),
            count("shared_account", "new", 1),
            count("deceased", "new", 9),
        ];
        let open = [
            finding(FindingKind::PaidAfterDeath, "210112009001", "1041.00", FindingStatus::New, 1),
            finding(FindingKind::PaidAfterDeath, "210112009002", "520.50", FindingStatus::New, 2),
            finding(FindingKind::SharedAccount, "210112009001", "300.00", FindingStatus::Assigned, 3),
            // The first line also paid to a shared account: at risk once in the total.
            finding(FindingKind::SharedAccount, "210112009001", "1041.00", FindingStatus::New, 1),
        ];
        let o = |amount: i64, repaid: i64, status: RecoveryStatus| Overpayment {
            id: 1,
            enrolment_id: 1,
            program: "dibao".into(),
            county: RegionCode::parse("210112").expect("c"),
            household_no: "H1".into(),
            payee: IdNumber::parse("11010519491231002X").expect("id"),
            payee_name: "王秀英".into(),
            months: vec![],
            amount: Fen(amount),
            repaid: Fen(repaid),
            status,
            reason: String::new(),
            instalment: Fen(0),
        };
        let recoveries = [o(104_100, 30_000, RecoveryStatus::Repaying), o(50_000, 10_000, RecoveryStatus::WrittenOff)];
        let names = BTreeMap::from([("210112".to_string(), "浑南区".to_string())]);
        let s = summarise(&kinds, &counts, &open, &recoveries, &names);
        assert_eq!(s.len(), 1);
        let h = &s[0];
        assert_eq!((h.county_name.as_str(), h.open, h.at_risk), ("浑南区", 4, Fen(186_150)), "the first line once");
        assert_eq!((h.kinds[0].open, h.kinds[0].settled, h.kinds[0].at_risk), (2, 5, Fen(156_150)));
        assert_eq!((h.kinds[1].open, h.kinds[1].at_risk), (2, Fen(134_100)));
        assert_eq!((h.overpaid, h.recovered, h.owed, h.written_off), (Fen(154_100), Fen(40_000), Fen(74_100), Fen(40_000)));
    }
}
