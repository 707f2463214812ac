//! What the dashboard reads: people covered by program and region, and the monthly flows in
//! and out, written once for both databases (a `macro_rules!` expanded per backend, as in
//! `tasks/store.rs`). Numbers only: no person leaves the database.

use super::model::{CoverageRow, FlowRow};
use async_trait::async_trait;
use chrono::NaiveDate;
use minzheng_domain::RegionCode;
use minzheng_store::{Handle, Result, Store};

#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// Enrolments paid for `month` within `region`, by program and by the region one level
    /// below it (the first `area_len` digits of the household's community): households,
    /// persons and the monthly amount.
    async fn coverage(&self, region: &RegionCode, area_len: usize, month: NaiveDate) -> Result<Vec<CoverageRow>>;

    /// Enrolments started and ended (first month not paid) per month from `from` on, within
    /// `region`, by program.
    async fn flows(&self, region: &RegionCode, from: NaiveDate) -> Result<Vec<FlowRow>>;
}

pub fn dashboard_store(store: &dyn Store) -> &dyn DashboardStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

/// The `[lo, hi)` range of codes within a region (a prefix).
fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}~"))
}

macro_rules! impl_dashboard_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use sqlx::{QueryBuilder, Row};

            #[async_trait]
            impl DashboardStore for $store {
                async fn coverage(&self, region: &RegionCode, area_len: usize, month: NaiveDate) -> Result<Vec<CoverageRow>> {
                    let (lo, hi) = prefix_range(region.as_str());
                    // The length is ours (a region level), written into the statement so that
                    // the grouping and the selection are the same expression on PostgreSQL.
                    let area = format!("substr(h.community_code, 1, {})", area_len.min(12));
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT e.program AS program, {area} AS area, COUNT(*) AS households, \
                         CAST(SUM((SELECT COUNT(*) FROM enrolment_members m WHERE m.enrolment_id = e.id AND m.end_month IS NULL)) AS BIGINT) AS persons, \
                         CAST(SUM(e.monthly_amount) AS BIGINT) AS monthly \
                         FROM enrolments e JOIN households h ON h.household_no = e.household_no \
                         WHERE h.community_code >= "
                    ));
                    qb.push_bind(lo)
                        .push(" AND h.community_code < ")
                        .push_bind(hi)
                        // Paid for the month as `Enrolment::paid_for` says: active, or stopped
                        // from a later month; started; not yet ended.
                        .push(" AND (e.status = 'active' OR (e.status = 'stopped' AND e.end_month IS NOT NULL)) AND e.start_month <= ")
                        .push_bind(month)
                        .push(" AND (e.end_month IS NULL OR e.end_month > ")
                        .push_bind(month)
                        .push(format!(") GROUP BY e.program, {area}"));
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter()
                        .map(|r| {
                            Ok(CoverageRow {
                                program: r.try_get("program")?,
                                area: r.try_get("area")?,
                                households: r.try_get::<i64, _>("households")?,
                                persons: r.try_get::<Option<i64>, _>("persons")?.unwrap_or(0),
                                monthly: r.try_get::<Option<i64>, _>("monthly")?.unwrap_or(0),
                            })
                        })
                        .collect()
                }

                async fn flows(&self, region: &RegionCode, from: NaiveDate) -> Result<Vec<FlowRow>> {
                    let mut out = Vec::new();
                    for (column, started) in [("start_month", true), ("end_month", false)] {
                        let (lo, hi) = prefix_range(region.as_str());
                        let mut qb = QueryBuilder::<$db>::new(format!(
                            "SELECT e.{column} AS month, e.program AS program, COUNT(*) AS n \
                             FROM enrolments e JOIN households h ON h.household_no = e.household_no WHERE h.community_code >= "
                        ));
                        qb.push_bind(lo.clone())
                            .push(" AND h.community_code < ")
                            .push_bind(hi.clone())
                            .push(format!(" AND e.{column} IS NOT NULL AND e.{column} >= "))
                            .push_bind(from)
                            .push(format!(" GROUP BY e.{column}, e.program"));
                        for r in qb.build().fetch_all(self.pool()).await? {
                            let month: NaiveDate = r.try_get("month")?;
                            let n: i64 = r.try_get("n")?;
                            out.push(FlowRow {
                                month,
                                program: r.try_get("program")?,
                                started: if started { n } else { 0 },
                                ended: if started { 0 } else { n },
                            });
                        }
                    }
                    Ok(out)
                }
            }
        };
    };
}

impl_dashboard_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_dashboard_store!(minzheng_store::PgStore, sqlx::Postgres);
