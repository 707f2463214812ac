//! 网格底座: the grid base of a region read from the registry (communities → grids → buildings →
//! households → residents, counted per level), each grid of a community with its buildings,
//! households, residents and the residents the community watches (独居老人, 残疾人, 留守儿童,
//! 空挂户), and the grid workers assigned to each grid (`grid_assignments`, migration 9002),
//! kept by the community. Reads in numbers; the residents behind a grid's figure are listed by
//! the registry's pages.

use async_trait::async_trait;
use chrono::NaiveDate;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Permission, Principal, RegionCode, RegionLevel, Role};
use minzheng_store::{Actor, AuditEntry, Handle, Result, Store, StoreError};
use serde::Serialize;

/// The tags the community counts per grid (and the disabled, from the registry's disability).
pub const WATCHED: &[&str] = &["独居老人", "留守儿童", "空挂户"];

/// The grid base of a region, per level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub communities: i64,
    pub grids: i64,
    pub buildings: i64,
    pub households: i64,
    pub residents: i64,
}

/// A grid of a community (the households without a grid are the row with an empty name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GridRow {
    pub grid: String,
    pub buildings: i64,
    pub households: i64,
    pub residents: i64,
    /// Residents with a disability recorded.
    pub disabled: i64,
    /// (tag, residents) for the watched tags.
    pub watched: Vec<(String, i64)>,
    /// The grid workers assigned.
    pub workers: Vec<String>,
}

/// A grid worker assigned to a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub community: String,
    pub grid: String,
    pub account: String,
    pub assigned_by: String,
    pub assigned_on: NaiveDate,
}

#[async_trait]
pub trait GridBaseStore: Send + Sync {
    async fn level_counts(&self, region: &RegionCode) -> Result<LevelCounts>;
    /// The grids of a community (from its grids, buildings and households), with the workers.
    async fn grids_of(&self, community: &RegionCode) -> Result<Vec<GridRow>>;
    /// Assigns a grid worker to a grid, audited; `Conflict` when already assigned there.
    async fn assign(&self, a: &Assignment, actor: &Actor) -> Result<()>;
    /// Ends an assignment, audited; `false` when there was none.
    async fn unassign(&self, community: &str, grid: &str, account: &str, actor: &Actor) -> Result<bool>;
}

pub fn grid_base_store(store: &dyn Store) -> &dyn GridBaseStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

/// The column a count's statement bounds (the one before its last `>=`).
fn column_of(sql: &str) -> &str {
    sql.trim_end().trim_end_matches(">=").trim_end().rsplit(' ').next().unwrap_or("code")
}

fn range(region: &RegionCode) -> (String, String) {
    (region.to_string(), format!("{region}~"))
}

macro_rules! impl_grid_base_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            async fn count(pool: &sqlx::Pool<$db>, sql: &str, region: &RegionCode) -> Result<i64> {
                let (lo, hi) = range(region);
                let mut qb = QueryBuilder::<$db>::new(sql);
                qb.push_bind(lo).push(" AND ").push(column_of(sql)).push(" < ").push_bind(hi);
                Ok(qb.build().fetch_one(pool).await?.try_get::<i64, _>(0)?)
            }

            #[async_trait]
            impl GridBaseStore for $store {
                async fn level_counts(&self, region: &RegionCode) -> Result<LevelCounts> {
                    let p = self.pool();
                    Ok(LevelCounts {
                        communities: count(p, "SELECT COUNT(*) FROM regions WHERE level = 'community' AND code >= ", region).await?,
                        grids: count(p, "SELECT COUNT(*) FROM grids WHERE community_code >= ", region).await?,
                        buildings: count(p, "SELECT COUNT(*) FROM buildings WHERE community_code >= ", region).await?,
                        households: count(p, "SELECT COUNT(*) FROM households WHERE community_code >= ", region).await?,
                        residents: count(p, "SELECT COUNT(*) FROM persons WHERE status = 'alive' AND community_code >= ", region).await?,
                    })
                }

                async fn grids_of(&self, community: &RegionCode) -> Result<Vec<GridRow>> {
                    let p = self.pool();
                    let c = community.to_string();
                    let mut rows: std::collections::BTreeMap<String, GridRow> = std::collections::BTreeMap::new();
                    let row = |g: Option<String>| -> String { g.unwrap_or_default() };
                    let mut qb = QueryBuilder::<$db>::new("SELECT name FROM grids WHERE community_code = ");
                    qb.push_bind(c.clone());
                    for r in qb.build().fetch_all(p).await? {
                        let g: String = r.try_get("name")?;
                        rows.entry(g.clone()).or_insert_with(|| GridRow { grid: g, ..GridRow::default() });
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT grid_name, COUNT(*) AS n FROM buildings WHERE community_code = ");
                    qb.push_bind(c.clone()).push(" GROUP BY grid_name");
                    for r in qb.build().fetch_all(p).await? {
                        let g = row(r.try_get("grid_name")?);
                        rows.entry(g.clone()).or_insert_with(|| GridRow { grid: g, ..GridRow::default() }).buildings = r.try_get("n")?;
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT h.grid_name AS grid_name, COUNT(DISTINCT h.household_no) AS households, \
                         COUNT(p.id_number) AS residents, \
                         CAST(SUM(CASE WHEN p.disability_grade > 0 THEN 1 ELSE 0 END) AS BIGINT) AS disabled \
                         FROM households h LEFT JOIN persons p ON p.household_no = h.household_no AND p.status = 'alive' \
                         WHERE h.community_code = ",
                    );
                    qb.push_bind(c.clone()).push(" GROUP BY h.grid_name");
                    for r in qb.build().fetch_all(p).await? {
                        let g = row(r.try_get("grid_name")?);
                        let e = rows.entry(g.clone()).or_insert_with(|| GridRow { grid: g, ..GridRow::default() });
                        e.households = r.try_get("households")?;
                        e.residents = r.try_get("residents")?;
                        e.disabled = r.try_get::<Option<i64>, _>("disabled")?.unwrap_or(0);
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT h.grid_name AS grid_name, t.tag AS tag, COUNT(*) AS n FROM households h \
                         JOIN persons p ON p.household_no = h.household_no AND p.status = 'alive' \
                         JOIN person_tags t ON t.id_number = p.id_number WHERE h.community_code = ",
                    );
                    qb.push_bind(c.clone()).push(" AND t.tag IN (");
                    let mut sep = qb.separated(", ");
                    for t in WATCHED {
                        sep.push_bind(t.to_string());
                    }
                    qb.push(") GROUP BY h.grid_name, t.tag");
                    for r in qb.build().fetch_all(p).await? {
                        let g = row(r.try_get("grid_name")?);
                        let e = rows.entry(g.clone()).or_insert_with(|| GridRow { grid: g, ..GridRow::default() });
                        e.watched.push((r.try_get("tag")?, r.try_get("n")?));
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT grid, account FROM grid_assignments WHERE community = ");
                    qb.push_bind(c).push(" ORDER BY grid, account");
                    for r in qb.build().fetch_all(p).await? {
                        let g: String = r.try_get("grid")?;
                        rows.entry(g.clone())
                            .or_insert_with(|| GridRow { grid: g, ..GridRow::default() })
                            .workers
                            .push(r.try_get("account")?);
                    }
                    // Named grids first, in name order; the households without a grid last.
                    let mut out: Vec<GridRow> = rows.into_values().collect();
                    out.sort_by(|a, b| (a.grid.is_empty(), &a.grid).cmp(&(b.grid.is_empty(), &b.grid)));
                    Ok(out)
                }

                async fn assign(&self, a: &Assignment, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO grid_assignments (community, grid, account, assigned_by, assigned_on) VALUES (",
                    );
                    let mut sep = qb.separated(", ");
                    sep.push_bind(a.community.clone())
                        .push_bind(a.grid.clone())
                        .push_bind(a.account.clone())
                        .push_bind(a.assigned_by.clone())
                        .push_bind(a.assigned_on);
                    qb.push(") ON CONFLICT (community, grid, account) DO NOTHING");
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!("{} already in {}", a.account, a.grid)));
                    }
                    let entry = AuditEntry {
                        action: "assign_grid_worker".into(),
                        entity: "grid".into(),
                        entity_key: format!("{}/{}", a.community, a.grid),
                        before: None,
                        after: Some(serde_json::json!({ "account": a.account })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn unassign(&self, community: &str, grid: &str, account: &str, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("DELETE FROM grid_assignments WHERE community = ");
                    qb.push_bind(community.to_string()).push(" AND grid = ").push_bind(grid.to_string());
                    qb.push(" AND account = ").push_bind(account.to_string());
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let entry = AuditEntry {
                        action: "unassign_grid_worker".into(),
                        entity: "grid".into(),
                        entity_key: format!("{community}/{grid}"),
                        before: Some(serde_json::json!({ "account": account })),
                        after: None,
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(true)
                }
            }
        };
    };
}

impl_grid_base_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_grid_base_store!(minzheng_store::PgStore, sqlx::Postgres);

/// Why a grid-base use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum BaseFailure {
    #[error(transparent)]
    Access(#[from] minzheng_app::registry::AccessError),
    #[error("{0:?} is not a grid of this community")]
    NoGrid(String),
    #[error("{0:?} is not a grid worker's account of this community")]
    NotWorker(String),
    #[error("{0} is already assigned to this grid")]
    Already(String),
    #[error("the grid base is kept per community: choose a community")]
    NotCommunity,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BaseFailure {
    pub fn is_input(&self) -> bool {
        matches!(self, BaseFailure::NoGrid(_) | BaseFailure::NotWorker(_) | BaseFailure::Already(_) | BaseFailure::NotCommunity)
    }
}

impl Bilingual for BaseFailure {
    fn zh(&self) -> String {
        match self {
            BaseFailure::Access(e) => e.zh(),
            BaseFailure::NoGrid(g) => format!("“{g}”不是本社区的网格"),
            BaseFailure::NotWorker(a) => format!("“{a}”不是本社区网格员的账号"),
            BaseFailure::Already(a) => format!("{a} 已在该网格"),
            BaseFailure::NotCommunity => "网格按社区管理，请选择社区".into(),
            BaseFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            BaseFailure::Access(e) => e.en(),
            BaseFailure::Store(_) => "database error, please try again later".into(),
            other => other.to_string(),
        }
    }
}

/// The grid base of a region (the account's own when none): counts per level, and for a
/// community its grids.
pub async fn base(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
) -> Result<(RegionCode, LevelCounts, Vec<GridRow>), BaseFailure> {
    crate::platform::scope::need(who, Permission::ReadRegistry)?;
    let region = crate::platform::scope::within(who, region)?.clone();
    let g = grid_base_store(store);
    let counts = g.level_counts(&region).await?;
    let grids = if region.level() == RegionLevel::Community { g.grids_of(&region).await? } else { Vec::new() };
    Ok((region, counts, grids))
}

/// Assigns a grid worker (an account of the role bound to the community) to one of the
/// community's grids: the community's own staff, or its street.
pub async fn assign(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    community: &RegionCode,
    grid: &str,
    account: &str,
) -> Result<Assignment, BaseFailure> {
    let RequestContext { who, actor, today } = *cx;
    crate::platform::scope::need(who, Permission::ManageGrids)?;
    crate::platform::scope::within(who, Some(community))?;
    if community.level() != RegionLevel::Community {
        return Err(BaseFailure::NotCommunity);
    }
    let grid = grid.trim();
    if !store.grids(community).await?.iter().any(|g| g == grid) {
        return Err(BaseFailure::NoGrid(grid.to_string()));
    }
    let account = account.trim();
    match store.account(account).await? {
        Some(a) if a.role == Role::GridWorker.as_str() && a.region == *community => {}
        _ => return Err(BaseFailure::NotWorker(account.to_string())),
    }
    let a = Assignment {
        community: community.to_string(),
        grid: grid.to_string(),
        account: account.to_string(),
        assigned_by: who.name.clone(),
        assigned_on: today,
    };
    match grid_base_store(store).assign(&a, actor).await {
        Err(StoreError::Conflict(_)) => Err(BaseFailure::Already(account.to_string())),
        other => other.map(|()| a).map_err(Into::into),
    }
}

/// Ends a grid worker's assignment to a grid.
pub async fn unassign(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    community: &RegionCode,
    grid: &str,
    account: &str,
) -> Result<bool, BaseFailure> {
    let (who, actor) = (cx.who, cx.actor);
    crate::platform::scope::need(who, Permission::ManageGrids)?;
    crate::platform::scope::within(who, Some(community))?;
    Ok(grid_base_store(store).unassign(community.as_str(), grid.trim(), account.trim(), actor).await?)
}
