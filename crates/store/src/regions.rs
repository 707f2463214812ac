//! 行政区划: the division tree (province → city → county → street → community).

use crate::{Actor, AuditEntry, Result};
use async_trait::async_trait;
use minzheng_domain::{Region, RegionCode, RegionLevel};

/// The audit record of a region load.
pub(crate) fn regions_audit(added: u64, offered: usize) -> AuditEntry {
    AuditEntry {
        action: "load".into(),
        entity: "regions".into(),
        entity_key: "*".into(),
        before: None,
        after: Some(serde_json::json!({ "added": added, "offered": offered })),
    }
}

/// The region tree as stored.
#[async_trait]
pub trait RegionStore: Send + Sync {
    /// Loads divisions, keeping those already present. Returns how many were added.
    async fn load_regions(&self, regions: &[Region], actor: &Actor) -> Result<u64>;

    async fn region(&self, code: &RegionCode) -> Result<Option<Region>>;

    async fn region_children(&self, code: &RegionCode) -> Result<Vec<Region>>;

    /// All divisions at `level` within `within` (inclusive), ordered by code.
    async fn regions_within(&self, within: &RegionCode, level: RegionLevel) -> Result<Vec<Region>>;
}

/// The one implementation of [`RegionStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_regions {
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
            impl crate::RegionStore for $store {
                async fn load_regions(&self, regions: &[Region], actor: &Actor) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let mut added = 0;
                    for chunk in regions.chunks(CHUNK) {
                        let mut qb = QueryBuilder::<$db>::new("INSERT INTO regions (code, level, name, parent_code) ");
                        qb.push_values(chunk, |mut b, r| {
                            b.push_bind(r.code.as_str())
                                .push_bind(r.level.as_str())
                                .push_bind(&r.name)
                                .push_bind(r.parent.as_ref().map(|p| p.to_string()));
                        });
                        qb.push(" ON CONFLICT (code) DO NOTHING");
                        added += qb.build().execute(&mut *tx).await?.rows_affected();
                    }
                    if added > 0 {
                        Self::write_audit(&mut tx, actor, &[crate::regions_audit(added, regions.len())]).await?;
                    }
                    tx.commit().await?;
                    Ok(added)
                }

                async fn region(&self, code: &RegionCode) -> Result<Option<Region>> {
                    let row = sql::region::<$db>(code.as_str()).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(rows::region_from_row).transpose()
                }

                async fn region_children(&self, code: &RegionCode) -> Result<Vec<Region>> {
                    let rows = sql::region_children::<$db>(code.as_str()).build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::region_from_row).collect()
                }

                async fn regions_within(&self, within: &RegionCode, level: RegionLevel) -> Result<Vec<Region>> {
                    let rows = sql::regions_within::<$db>(within.as_str(), level.as_str()).build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::region_from_row).collect()
                }
            }
        };
    };
}
pub(crate) use impl_regions;
