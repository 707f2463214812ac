//! 工作日历: the working-day calendar's listed days (holidays and exchanged working days).

use crate::{Actor, Result};
use async_trait::async_trait;

/// The working-day calendar.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The working-day calendar's listed days (holidays and exchanged working days).
    async fn calendar_days(&self) -> Result<Vec<minzheng_domain::CalendarDay>>;

    /// Records listed days (a day recorded again takes the new kind), audited.
    async fn set_calendar_days(&self, days: &[minzheng_domain::CalendarDay], actor: &Actor) -> Result<()>;
}

/// The one implementation of [`CalendarStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_calendar {
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
            impl crate::CalendarStore for $store {
                async fn calendar_days(&self) -> Result<Vec<minzheng_domain::CalendarDay>> {
                    let rows = sqlx::query("SELECT day, kind, note FROM calendar_days ORDER BY day").fetch_all(&self.pool).await?;
                    rows.iter().map(cases::day_from_row).collect()
                }

                async fn set_calendar_days(&self, days: &[minzheng_domain::CalendarDay], actor: &Actor) -> Result<()> {
                    if days.is_empty() {
                        return Ok(());
                    }
                    let mut tx = self.begin_write().await?;
                    let now = chain::now();
                    // A day listed twice keeps its last word (PostgreSQL refuses to update a row twice in one statement).
                    let mut last: std::collections::BTreeMap<chrono::NaiveDate, &minzheng_domain::CalendarDay> =
                        std::collections::BTreeMap::new();
                    for d in days {
                        last.insert(d.day, d);
                    }
                    let days: Vec<minzheng_domain::CalendarDay> = last.into_values().cloned().collect();
                    for chunk in days.chunks(500) {
                        cases::upsert_days::<$db>(chunk, &actor.name, now).build().execute(&mut *tx).await?;
                    }
                    Self::write_audit(&mut tx, actor, &[cases::calendar_audit(&days)]).await?;
                    tx.commit().await?;
                    Ok(())
                }
            }
        };
    };
}
pub(crate) use impl_calendar;
