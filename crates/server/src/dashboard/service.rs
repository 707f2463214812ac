//! The dashboard's use case: the permission, the region in scope, the figures gathered.

use super::model::{CoverageRow, FlowRow};
use super::store::dashboard_store;
use chrono::NaiveDate;
use minzheng_app::registry::AccessError;
use minzheng_domain::{CaseStatus, Permission, Principal, RegionCode, RegionLevel};
use minzheng_store::{CaseQuery, FindingCount, Store};

/// The figures of a region on a day.
pub struct Figures {
    pub region: RegionCode,
    /// The first day of the month the figures are for.
    pub month: NaiveDate,
    /// The length of the codes of the regions one level below (the drill-down).
    pub area_len: usize,
    pub coverage: Vec<CoverageRow>,
    pub flows: Vec<FlowRow>,
    /// Paid (locked) payment lists: month and total, fen.
    pub spending: Vec<(NaiveDate, i64)>,
    pub findings: Vec<FindingCount>,
    pub cases: Vec<(CaseStatus, u64)>,
    pub open_cases: u64,
    pub overdue_cases: u64,
}

/// The code length of a level (省 2, 市 4, 区县 6, 街道 9, 社区 12).
pub fn code_len(level: RegionLevel) -> usize {
    match level {
        RegionLevel::Province => 2,
        RegionLevel::City => 4,
        RegionLevel::County => 6,
        RegionLevel::Street => 9,
        RegionLevel::Community => 12,
    }
}

/// 数据驾驶舱 of `region` (the account's own when none), which must be within the account's.
pub async fn figures(store: &dyn Store, who: &Principal, region: Option<&RegionCode>, today: NaiveDate) -> Result<Figures, AccessError> {
    if !who.may(Permission::ViewDashboard) {
        return Err(AccessError::Forbidden);
    }
    let region = region.cloned().unwrap_or_else(|| who.region.clone());
    if !who.in_scope(&region) {
        return Err(AccessError::OutOfScope);
    }
    let month = minzheng_domain::enrolment::first_of_month(today);
    let area_len = code_len(region.level().child().unwrap_or(RegionLevel::Community));
    let from = super::model::last_months(month, 12).first().copied().unwrap_or(month);
    let dash = dashboard_store(store);
    let coverage = dash.coverage(&region, area_len, month).await?;
    let flows = dash.flows(&region, from).await?;
    let spending = crate::payments::store::payment_store(store)
        .payrolls(&region)
        .await?
        .into_iter()
        .filter(|p| p.status == crate::payments::model::PayrollStatus::Locked && p.month >= from)
        .map(|p| (p.month, p.total.fen()))
        .collect();
    let findings = store.finding_counts(&region).await?;
    let mut cases = Vec::new();
    for status in CaseStatus::ALL {
        let n = store.count_cases(&CaseQuery { community: Some(region.clone()), status: Some(status), ..CaseQuery::default() }).await?;
        cases.push((status, n));
    }
    let open = CaseQuery { community: Some(region.clone()), open_only: true, ..CaseQuery::default() };
    let open_cases = store.count_cases(&open).await?;
    let overdue_cases = store.count_cases(&CaseQuery { due_by: today.pred_opt(), ..open }).await?;
    Ok(Figures { region, month, area_len, coverage, flows, spending, findings, cases, open_cases, overdue_cases })
}
