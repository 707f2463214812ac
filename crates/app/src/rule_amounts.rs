//! What the rules give, unit by unit: the monthly amount of one program for every household (or
//! person) of a region on a date, worked out by the policy engine from the registry and the
//! departmental data with the parameters in force on that date. The payments' supervision
//! compares it with what a payment list pays (金额与规则不符).

use crate::policy::PolicyFailure;
use chrono::NaiveDate;
use minzheng_domain::RegionCode;
use minzheng_policy::Engine;
use minzheng_store::Store;
use std::collections::HashMap;

/// The amounts (fen a month) the rules give under `program` in `region` on `on`: by household
/// number for a household program, by ID number for a program granted to persons. A unit the
/// rules find not eligible is absent.
pub async fn rule_amounts(
    store: &dyn Store,
    engine: &Engine,
    region: &RegionCode,
    program: &str,
    on: NaiveDate,
) -> Result<HashMap<String, i64>, PolicyFailure> {
    let (snapshot, features, _) = crate::policy::warm(store, engine, region, on, 2, &|_| {}).await?;
    let records = store.parameter_records().await?;
    let params = engine.params(&records, &features.counties, on);
    let run = engine.evaluate(&features, &params).await?;
    Ok(crate::policy::run_units(&run, &snapshot).into_iter().filter(|u| u.program == program).map(|u| (u.unit_key, u.amount)).collect())
}
