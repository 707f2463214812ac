//! 政策参数 / Policy parameters as stored: effective-dated values per region (and urban/rural
//! area), each change a new record with who and why.

use crate::registry::HouseholdKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One dated value of a parameter, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterRecord {
    pub name: String,
    /// Division code the value is set for (2, 4 or 6 digits).
    pub region: String,
    pub area: Option<HouseholdKind>,
    /// 生效日期.
    pub effective_from: NaiveDate,
    pub value: i64,
    /// Why: the document or decision (文件依据).
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// Order of recording (a later record for the same region, area and date supersedes).
    pub seq: i64,
}

impl ParameterRecord {
    /// Whether this record applies to a county and area at all.
    pub fn applies_to(&self, county: &str, area: HouseholdKind) -> bool {
        county.starts_with(&self.region) && self.area.is_none_or(|a| a == area)
    }
}
