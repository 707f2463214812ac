//! 核对报告: the reports of household economic checks.

use crate::{Actor, AuditEntry, Result};
use async_trait::async_trait;

pub(crate) fn household_check_audit(id: i64, r: &minzheng_domain::verification::VerificationReport) -> AuditEntry {
    AuditEntry {
        action: "verify".into(),
        entity: "household".into(),
        entity_key: r.household_no.clone(),
        before: None,
        after: Some(serde_json::json!({ "check": id, "on": r.on, "authorisation": r.authorisation.reference, "items": r.items.len() })),
    }
}

/// Household economic checks (家庭经济状况核对).
#[async_trait]
pub trait HouseholdCheckStore: Send + Sync {
    /// Stores a check's report (audited); returns its id.
    async fn add_household_check(&self, report: &minzheng_domain::verification::VerificationReport, actor: &Actor) -> Result<i64>;

    async fn household_check(&self, id: i64) -> Result<Option<minzheng_domain::verification::VerificationReport>>;

    /// The reports of a household, newest first.
    async fn household_checks_of(&self, household_no: &str) -> Result<Vec<minzheng_domain::verification::VerificationReport>>;

    /// How many reports the households within a region have.
    async fn count_household_checks_in(&self, region: &minzheng_domain::RegionCode) -> Result<u64>;

    /// 核对报告列表: the reports of households within a region, newest first; keyset-paginated
    /// (`before` an id), or a numbered page in a column's order (`paging`).
    async fn household_checks_in(
        &self,
        region: &minzheng_domain::RegionCode,
        before: Option<i64>,
        limit: u32,
        paging: &crate::Paging,
    ) -> Result<crate::Page<minzheng_domain::verification::VerificationReport>>;
}

/// The one implementation of [`HouseholdCheckStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_checks {
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
            impl crate::HouseholdCheckStore for $store {
                async fn add_household_check(
                    &self,
                    report: &minzheng_domain::verification::VerificationReport,
                    actor: &Actor,
                ) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let id: i64 = verify::insert_household_check::<$db>(report)?.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    Self::write_audit(&mut tx, actor, &[crate::household_check_audit(id, report)]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn household_check(&self, id: i64) -> Result<Option<minzheng_domain::verification::VerificationReport>> {
                    let row = verify::household_checks::<$db>(Some(id), None).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(verify::household_check_from_row).transpose()
                }

                async fn household_checks_of(&self, household_no: &str) -> Result<Vec<minzheng_domain::verification::VerificationReport>> {
                    let rows = verify::household_checks::<$db>(None, Some(household_no)).build().fetch_all(&self.pool).await?;
                    rows.iter().map(verify::household_check_from_row).collect()
                }

                async fn count_household_checks_in(&self, region: &RegionCode) -> Result<u64> {
                    let (lo, hi) = crate::prefix_range(region.as_str());
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM household_checks WHERE community >= ");
                    qb.push_bind(lo).push(" AND community < ").push_bind(hi);
                    let n: i64 = qb.build().fetch_one(&self.pool).await?.try_get("n")?;
                    Ok(u64::try_from(n).unwrap_or(0))
                }

                async fn household_checks_in(
                    &self,
                    region: &RegionCode,
                    before: Option<i64>,
                    limit: u32,
                    paging: &crate::Paging,
                ) -> Result<Page<minzheng_domain::verification::VerificationReport>> {
                    let rows = verify::household_checks_in::<$db>(region, before, limit, paging).build().fetch_all(&self.pool).await?;
                    let items = rows.iter().map(verify::household_check_from_row).collect::<Result<Vec<_>>>()?;
                    Ok(verify::paginate_checks(items, limit))
                }
            }
        };
    };
}
pub(crate) use impl_checks;
