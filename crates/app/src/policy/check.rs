//! 检查一户: one household checked on a date, explained with the records the rules read.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// Checks one household in the account's scope on a date (audited).
pub async fn check(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    household_no: &str,
    on: NaiveDate,
) -> Result<Check, PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::CheckEligibility) {
        return Err(AccessError::Forbidden.into());
    }
    let h = store.household(household_no).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&h.community) {
        store.audit(actor, &[audit("household", household_no, "refused", serde_json::json!({ "use": "policy_check" }))]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    // The situation on that date: departmental files describing a later one are not read (as
    // the household economic check report stops at its date).
    let snapshot = household_snapshot_until(store, &h, Some(on)).await?;
    let records = store.parameter_records().await?;
    let check = engine
        .check(&snapshot, &records, on)
        .await?
        .ok_or_else(|| invalid("该户没有在册成员，无法核算", "the household has no living members to check"))?;
    let eligible: Vec<&str> = check.programs.iter().filter(|p| p.eligible()).map(|p| p.code.as_str()).collect();
    store.audit(actor, &[audit("household", household_no, "policy_check", serde_json::json!({ "on": on, "eligible": eligible }))]).await?;
    let mut check = check;
    let full = who.role.sees_full_identity();
    for unit in check.programs.iter_mut().flat_map(|p| p.units.iter_mut()) {
        if !full {
            unit.unit = shown_unit(&unit.unit, true);
            unit.name = unit.name.as_deref().map(crate::cases::mask_name);
        }
    }
    name_vehicles(store, &mut check, &h, on, full).await?;
    name_income_months(store, &mut check, &h, on).await?;
    Ok(check)
}

/// The explanation of a rule that reads income says over which months each file of monthly
/// rows (所属月份) was averaged: per dataset, the newest file on or before `on` that gave the
/// members an item, with its months.
async fn name_income_months(store: &dyn Store, check: &mut Check, h: &Household, on: NaiveDate) -> Result<(), StoreError> {
    const INCOME: &[&str] = &["income", "hh_income", "income_per_capita"];
    if !reads_any(check, INCOME) {
        return Ok(());
    }
    let batches: FastMap<String, minzheng_store::EconomicBatch> =
        store.economic_batches().await?.into_iter().filter(|b| b.as_of <= on).map(|b| (b.checksum.clone(), b)).collect();
    if batches.values().all(|b| b.months.is_empty()) {
        return Ok(());
    }
    let ids: Vec<minzheng_domain::IdNumber> = store.household_members(&h.household_no).await?.iter().map(|p| p.id_number).collect();
    // As the snapshot reads them: each member's newest file per dataset; of those, the ones of
    // monthly rows.
    let mut read: Vec<(minzheng_domain::IdNumber, &minzheng_store::EconomicBatch)> = store
        .economic_items_of(&ids)
        .await?
        .into_iter()
        .filter_map(|(item, checksum)| batches.get(&checksum).map(|b| (item.id_number, b)))
        .collect();
    crate::economy::keep_newest(&mut read, |(id, b)| ((*id, b.source.clone()), b.as_of));
    let mut used: Vec<&minzheng_store::EconomicBatch> = read.into_iter().map(|(_, b)| b).filter(|b| !b.months.is_empty()).collect();
    used.sort_by(|a, b| (&a.source, &a.file_name).cmp(&(&b.source, &b.file_name)));
    used.dedup_by(|a, b| a.checksum == b.checksum);
    if used.is_empty() {
        return Ok(());
    }
    let mut zh = Vec::new();
    for b in used {
        let short = crate::sources::catalogue().get(&b.source).map_or(b.source.clone(), |s| s.short.clone());
        let (first, last, n) =
            (b.months.first().cloned().unwrap_or_default(), b.months.last().cloned().unwrap_or_default(), b.months.len());
        zh.push(format!("{short}（{}）：{first} 至 {last}，按 {n} 个月平均", b.file_name));
    }
    let months = minzheng_policy::explain::FeatureValue {
        name: "income_months".into(),
        zh: "收入所属月份".into(),
        en: "Months the income is for".into(),
        unit: None,
        source: "部门数据 所属月份".into(),
        value: zh.join("；"),
    };
    show_beside(check, INCOME, months);
    Ok(())
}

/// Whether any step of a check shows one of the features named.
fn reads_any(check: &Check, features: &[&str]) -> bool {
    check
        .programs
        .iter()
        .flat_map(|p| p.units.iter())
        .flat_map(|u| u.steps.iter())
        .any(|s| s.features.iter().any(|f| features.contains(&f.name.as_str())))
}

/// Adds `shown` to every step of a check that shows one of the features named.
fn show_beside(check: &mut Check, features: &[&str], shown: minzheng_policy::explain::FeatureValue) {
    let steps = check.programs.iter_mut().flat_map(|p| p.units.iter_mut()).flat_map(|u| u.steps.iter_mut());
    for step in steps.filter(|s| s.features.iter().any(|f| features.contains(&f.name.as_str()))) {
        step.features.push(shown.clone());
    }
}

/// The explanation of a rule that reads vehicles names them: the household members' vehicle
/// records (the rows of the sources that value vehicles, from files describing the situation on
/// or before `on`), each as the file gave it (plate, type, value), beside the counts and the
/// highest value the rule compared with its limit.
async fn name_vehicles(store: &dyn Store, check: &mut Check, h: &Household, on: NaiveDate, full: bool) -> Result<(), StoreError> {
    use minzheng_domain::source::ItemRule;
    let vehicle_sources: Vec<&str> = crate::sources::catalogue()
        .sources
        .iter()
        .filter(|s| matches!(s.item, Some(ItemRule::Valued { .. })))
        .map(|s| s.code.as_str())
        .collect();
    const VEHICLES: &[&str] = &["hh_cars", "hh_special_vehicles"];
    if vehicle_sources.is_empty() || !reads_any(check, VEHICLES) {
        return Ok(());
    }
    let members = store.household_members(&h.household_no).await?;
    let ids: Vec<minzheng_domain::IdNumber> = members.iter().map(|p| p.id_number).collect();
    let as_of: FastMap<String, NaiveDate> = store.economic_batches().await?.into_iter().map(|b| (b.checksum, b.as_of)).collect();
    // The records the rules read: linked to a member by number, of files on or before `on`, of
    // each member's newest file per source.
    let mut records: Vec<(minzheng_domain::economy::DeptRecord, minzheng_domain::IdNumber, NaiveDate)> = store
        .dept_records_of(&ids)
        .await?
        .into_iter()
        .filter(|r| vehicle_sources.contains(&r.source.as_str()) && r.link.carries_number())
        .filter_map(|r| {
            let (id, date) = (r.id_number?, as_of.get(&r.batch).copied().filter(|d| *d <= on)?);
            Some((r, id, date))
        })
        .collect();
    crate::economy::keep_newest(&mut records, |(r, id, d)| ((*id, r.source.clone()), *d));
    let mut lines = Vec::new();
    for (r, _, _) in records {
        let name = members.iter().find(|p| Some(p.id_number) == r.id_number).map(|p| p.name.clone()).unwrap_or(r.recorded_name.clone());
        let name = if full { name } else { crate::cases::mask_name(&name) };
        let cells: Vec<String> = r
            .fields
            .iter()
            .filter(|(k, v)| !v.trim().is_empty() && !matches!(k.as_str(), "身份证号" | "姓名" | crate::economy::EXPLANATION))
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        lines.push(format!("{name}：{}", cells.join("，")));
    }
    if lines.is_empty() {
        return Ok(());
    }
    let records = minzheng_policy::explain::FeatureValue {
        name: "vehicle_records".into(),
        zh: "车辆记录".into(),
        en: "Vehicle records".into(),
        unit: None,
        source: "公安交管 机动车登记".into(),
        value: lines.join("；"),
    };
    show_beside(check, VEHICLES, records);
    Ok(())
}
