//! 政策参数与测算: effective-dated policy parameters, and the stored sweeps and what-ifs.

use crate::{Actor, AuditEntry, ParameterRecord, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A stored sweep or what-if run (its summary as JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyRun {
    pub id: i64,
    /// `sweep` or `whatif`.
    pub kind: String,
    pub region: String,
    pub on: chrono::NaiveDate,
    pub summary: serde_json::Value,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One eligible unit of a run: a household number or an ID number, with its monthly amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunUnit {
    pub program: String,
    pub unit_key: String,
    pub county: String,
    pub amount: i64,
}

pub(crate) fn parameter_audit(r: &ParameterRecord) -> AuditEntry {
    AuditEntry {
        action: "set".into(),
        entity: "parameter".into(),
        entity_key: format!(
            "{}@{}{}/{}",
            r.name,
            r.region,
            r.area.map(|a| format!("/{}", a.as_str())).unwrap_or_default(),
            r.effective_from
        ),
        before: None,
        after: Some(serde_json::json!({ "value": r.value, "reason": r.reason, "seq": r.seq })),
    }
}

pub(crate) fn run_audit(id: i64, run: &PolicyRun, units: usize) -> AuditEntry {
    AuditEntry {
        action: run.kind.clone(),
        entity: "policy_run".into(),
        entity_key: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "region": run.region, "on": run.on, "units": units })),
    }
}

/// Policy parameters and policy runs (普查、测算).
#[async_trait]
pub trait ParameterStore: Send + Sync {
    /// The whole history of policy parameters, in recording order.
    async fn parameter_records(&self) -> Result<Vec<ParameterRecord>>;

    /// Records new parameter values, all or none, each with an audit record; `recorded_by`,
    /// `recorded_at` and `seq` are set here. Returns the records as stored.
    async fn add_parameter_records(&self, records: &[ParameterRecord], actor: &Actor) -> Result<Vec<ParameterRecord>>;

    /// Stores a run and its eligible units, audited; returns its id.
    async fn add_policy_run(&self, run: &PolicyRun, units: &[RunUnit], actor: &Actor) -> Result<i64>;

    async fn policy_run(&self, id: i64) -> Result<Option<PolicyRun>>;

    /// The newest runs first.
    async fn policy_runs(&self, limit: u32) -> Result<Vec<PolicyRun>>;

    /// A run's units of one program, by unit key, after a key.
    async fn policy_run_units(&self, id: i64, program: &str, after: Option<&str>, limit: u32) -> Result<Vec<RunUnit>>;
}

/// The one implementation of [`ParameterStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_parameters {
    ($store:ty, $db:ty) => {
        const _: () = {
            #[allow(unused_imports)]
            use crate::dialect::Dialect as _;
            #[allow(unused_imports)]
            use crate::sql::{self, cases, rows, verification as verify};
            #[allow(unused_imports)]
            use crate::*;
            #[allow(unused_imports)]
            use chrono::{DateTime, Utc};
            #[allow(unused_imports)]
            use minzheng_domain::{Household, IdNumber, Person, Region, RegionCode, RegionLevel};
            #[allow(unused_imports)]
            use sqlx::{AssertSqlSafe, QueryBuilder, Row};

            #[async_trait::async_trait]
            impl crate::ParameterStore for $store {
                async fn parameter_records(&self) -> Result<Vec<crate::ParameterRecord>> {
                    let rows = sql::parameters::<$db>().build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::parameter_from_row).collect()
                }

                async fn add_parameter_records(
                    &self,
                    records: &[crate::ParameterRecord],
                    actor: &Actor,
                ) -> Result<Vec<crate::ParameterRecord>> {
                    let mut tx = self.begin_write().await?;
                    let now = chain::now();
                    let mut stored = Vec::with_capacity(records.len());
                    for r in records {
                        let seq: i64 =
                            sql::insert_parameter::<$db>(r, &actor.name, now).build().fetch_one(&mut *tx).await?.try_get("seq")?;
                        stored.push(crate::ParameterRecord { seq, recorded_by: actor.name.clone(), recorded_at: now, ..r.clone() });
                    }
                    let entries: Vec<AuditEntry> = stored.iter().map(crate::parameter_audit).collect();
                    Self::write_audit(&mut tx, actor, &entries).await?;
                    tx.commit().await?;
                    Ok(stored)
                }

                async fn add_policy_run(&self, run: &crate::PolicyRun, units: &[crate::RunUnit], actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let id: i64 =
                        sql::insert_policy_run::<$db>(run, &actor.name, chain::now()).build().fetch_one(&mut *tx).await?.try_get("id")?;
                    for chunk in units.chunks(4000) {
                        sql::insert_run_units::<$db>(id, chunk).build().execute(&mut *tx).await?;
                    }
                    Self::write_audit(&mut tx, actor, &[crate::run_audit(id, run, units.len())]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn policy_run(&self, id: i64) -> Result<Option<crate::PolicyRun>> {
                    let row = sql::policy_run::<$db>(Some(id), 1).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(rows::policy_run_from_row).transpose()
                }

                async fn policy_runs(&self, limit: u32) -> Result<Vec<crate::PolicyRun>> {
                    let rows = sql::policy_run::<$db>(None, limit).build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::policy_run_from_row).collect()
                }

                async fn policy_run_units(&self, id: i64, program: &str, after: Option<&str>, limit: u32) -> Result<Vec<crate::RunUnit>> {
                    let rows = sql::policy_run_units::<$db>(id, program, after, limit).build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::run_unit_from_row).collect()
                }
            }
        };
    };
}
pub(crate) use impl_parameters;
