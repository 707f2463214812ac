//! 部门数据: files of other departments' data (income, deposits, vehicles, deaths ...), their
//! economic items and their rows as evidence, with the links of rows to registry persons.

use crate::{Actor, AuditEntry, DeptRecord, EconomicItem, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::IdNumber;
use serde::Serialize;

/// A file of departmental data as stored (批次): where it came from and the day it describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EconomicBatch {
    /// SHA-256 of the file: the key, so the same file is stored once.
    pub checksum: String,
    /// The dataset (`income`, `deposits` ...).
    pub source: String,
    pub file_name: String,
    /// 数据截止日期.
    pub as_of: chrono::NaiveDate,
    pub items: i64,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// The months a file of monthly rows covers (`2026-01` ...), over which its amounts are
    /// averaged; empty for a file without months.
    pub months: Vec<String>,
}

pub(crate) fn economic_batch_audit(b: &EconomicBatch) -> AuditEntry {
    AuditEntry {
        action: "import".into(),
        entity: "economic_batch".into(),
        entity_key: b.checksum.clone(),
        before: None,
        after: Some(serde_json::json!({ "source": b.source, "file": b.file_name, "as_of": b.as_of, "items": b.items })),
    }
}

pub(crate) fn link_decision_audit(id: i64, accept: bool) -> AuditEntry {
    AuditEntry {
        action: if accept { "link_accepted" } else { "link_rejected" }.into(),
        entity: "dept_record".into(),
        entity_key: id.to_string(),
        before: Some(serde_json::json!({ "link": "review" })),
        after: Some(serde_json::json!({ "link": if accept { "matched" } else { "unlinked" } })),
    }
}

/// Departmental data (家庭经济状况数据 and the comparison's sources).
#[async_trait]
pub trait DepartmentalStore: Send + Sync {
    /// Stores a file of departmental data, its items and its rows (the evidence), all or none,
    /// audited. Returns false, changing nothing, when a file with the same checksum was stored before.
    async fn add_economic_batch(
        &self,
        batch: &EconomicBatch,
        items: &[EconomicItem],
        records: &[DeptRecord],
        actor: &Actor,
    ) -> Result<bool>;

    async fn economic_batches(&self) -> Result<Vec<EconomicBatch>>;

    /// The items of some persons, with the checksum of the batch each came from.
    async fn economic_items_of(&self, ids: &[IdNumber]) -> Result<Vec<(EconomicItem, String)>>;

    /// Items in storage order after an item id: (id, item, batch checksum).
    async fn scan_economic_items(&self, after: i64, limit: u32) -> Result<Vec<(i64, EconomicItem, String)>>;

    /// The departmental rows linked to some persons (any source), in storage order.
    async fn dept_records_of(&self, ids: &[IdNumber]) -> Result<Vec<DeptRecord>>;

    /// Rows of one source in storage order after a row id.
    async fn scan_dept_records(&self, source: &str, after: i64, limit: u32) -> Result<Vec<DeptRecord>>;

    /// Rows awaiting a person's decision on their link (待人工复核), in storage order after an id.
    async fn dept_records_in_review(&self, after: i64, limit: u32) -> Result<Vec<DeptRecord>>;

    async fn dept_record(&self, id: i64) -> Result<Option<DeptRecord>>;

    /// Decides a row in review: linked to its proposed person (storing the item it gives, if
    /// any) or to nobody; audited. Returns false, changing nothing, when it is no longer in review.
    async fn decide_link(&self, id: i64, accept: bool, item: Option<&EconomicItem>, actor: &Actor) -> Result<bool>;

    /// The rows of one stored file in row order, each with who decided its link in review
    /// (`None`: the linkage decided it).
    async fn dept_records_of_batch(&self, checksum: &str) -> Result<Vec<(DeptRecord, Option<String>)>>;

    /// A stored file linked again (重新关联: a new run of the linkage against the registry as it
    /// is now): each changed row (by its id) takes its new link, person, probability and cells,
    /// unless a person decided it in review; the file's items are replaced by `items`. All or
    /// none, audited with the rows of each kind of link before and after. `decided`: how many of
    /// the file's rows a person had decided when the new run read them; if a reviewer decided
    /// another since, nothing is written (`Conflict`: the run is made again). Returns the rows
    /// changed.
    async fn relink_economic_batch(
        &self,
        checksum: &str,
        items: &[EconomicItem],
        changed: &[DeptRecord],
        decided: usize,
        actor: &Actor,
    ) -> Result<usize>;
}

/// The audit record of a file linked again: the rows of each kind of link before and after.
pub(crate) fn relink_audit(
    checksum: &str,
    before: &std::collections::BTreeMap<String, i64>,
    after: &std::collections::BTreeMap<String, i64>,
    items: usize,
    changed: usize,
) -> AuditEntry {
    AuditEntry {
        action: "relink".into(),
        entity: "economic_batch".into(),
        entity_key: checksum.to_string(),
        before: Some(serde_json::json!({ "links": before })),
        after: Some(serde_json::json!({ "links": after, "items": items, "rows_changed": changed })),
    }
}

/// The one implementation of [`DepartmentalStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_departmental {
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
            impl crate::DepartmentalStore for $store {
                async fn add_economic_batch(
                    &self,
                    batch: &crate::EconomicBatch,
                    items: &[crate::EconomicItem],
                    records: &[crate::DeptRecord],
                    actor: &Actor,
                ) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let inserted = sql::insert_economic_batch::<$db>(batch).build().execute(&mut *tx).await?.rows_affected();
                    if inserted == 0 {
                        return Ok(false);
                    }
                    for chunk in items.chunks(4000) {
                        sql::insert_economic_items::<$db>(chunk, &batch.checksum).build().execute(&mut *tx).await?;
                    }
                    for chunk in records.chunks(3000) {
                        verify::insert_dept_records::<$db>(chunk, &batch.checksum)?.build().execute(&mut *tx).await?;
                    }
                    if items.len() + records.len() >= BULK_THRESHOLD {
                        // A large file changes the tables' statistics (see `BulkStore::apply_batch`).
                        Self::after_bulk_load(&mut tx, "economic_items, dept_records").await?;
                    }
                    Self::write_audit(&mut tx, actor, &[crate::economic_batch_audit(batch)]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn economic_batches(&self) -> Result<Vec<crate::EconomicBatch>> {
                    let rows = sql::economic_batches::<$db>().build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::economic_batch_from_row).collect()
                }

                async fn economic_items_of(&self, ids: &[IdNumber]) -> Result<Vec<(crate::EconomicItem, String)>> {
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let rows =
                        sql::select_in::<$db, _>(sql::ITEM_COLUMNS, "economic_items", "id_number", ids.iter().map(|i| i.to_string()))
                            .build()
                            .fetch_all(&self.pool)
                            .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let (_, item, batch) = rows::economic_item_from_row(r)?;
                        out.push((item, batch));
                    }
                    Ok(out)
                }

                async fn scan_economic_items(&self, after: i64, limit: u32) -> Result<Vec<(i64, crate::EconomicItem, String)>> {
                    let rows = sql::scan_economic_items::<$db>(after, limit).build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::economic_item_from_row).collect()
                }

                async fn dept_records_of(&self, ids: &[IdNumber]) -> Result<Vec<crate::DeptRecord>> {
                    let mut out = Vec::new();
                    for chunk in ids.chunks(2000) {
                        let rows = sql::select_in::<$db, _>(
                            verify::DEPT_COLUMNS,
                            "dept_records",
                            "id_number",
                            chunk.iter().map(|i| i.to_string()),
                        )
                        .build()
                        .fetch_all(&self.pool)
                        .await?;
                        for r in &rows {
                            out.push(verify::dept_record_from_row(r)?);
                        }
                    }
                    out.sort_by_key(|r| r.id);
                    Ok(out)
                }

                async fn scan_dept_records(&self, source: &str, after: i64, limit: u32) -> Result<Vec<crate::DeptRecord>> {
                    let rows = verify::scan_dept_records::<$db>(source, after, limit).build().fetch_all(&self.pool).await?;
                    rows.iter().map(verify::dept_record_from_row).collect()
                }

                async fn dept_records_in_review(&self, after: i64, limit: u32) -> Result<Vec<crate::DeptRecord>> {
                    let rows = verify::dept_records_where::<$db>(verify::DeptFilter::InReview { after }, limit)
                        .build()
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter().map(verify::dept_record_from_row).collect()
                }

                async fn dept_record(&self, id: i64) -> Result<Option<crate::DeptRecord>> {
                    let row = verify::dept_records_where::<$db>(verify::DeptFilter::Id(id), 1).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(verify::dept_record_from_row).transpose()
                }

                async fn decide_link(&self, id: i64, accept: bool, item: Option<&crate::EconomicItem>, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let batch: Option<String> = verify::dept_records_where::<$db>(verify::DeptFilter::Id(id), 1)
                        .build()
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|r| r.try_get("batch"))
                        .transpose()?;
                    let changed = verify::decide_link::<$db>(id, accept, &actor.name).build().execute(&mut *tx).await?.rows_affected();
                    if changed == 0 {
                        return Ok(false);
                    }
                    if let (true, Some(item), Some(batch)) = (accept, item, batch) {
                        sql::insert_economic_items::<$db>(std::slice::from_ref(item), &batch).build().execute(&mut *tx).await?;
                    }
                    Self::write_audit(&mut tx, actor, &[crate::link_decision_audit(id, accept)]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn dept_records_of_batch(&self, checksum: &str) -> Result<Vec<(crate::DeptRecord, Option<String>)>> {
                    let rows = verify::dept_records_of_batch::<$db>(checksum).build().fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok((verify::dept_record_from_row(r)?, r.try_get::<Option<String>, _>("decided_by")?))).collect()
                }

                async fn relink_economic_batch(
                    &self,
                    checksum: &str,
                    items: &[crate::EconomicItem],
                    changed: &[crate::DeptRecord],
                    decided: usize,
                    actor: &Actor,
                ) -> Result<usize> {
                    async fn tally(tx: &mut sqlx::Transaction<'_, $db>, checksum: &str) -> Result<std::collections::BTreeMap<String, i64>> {
                        let mut qb = QueryBuilder::<$db>::new("SELECT link, COUNT(*) AS n FROM dept_records WHERE batch = ");
                        qb.push_bind(checksum.to_string()).push(" GROUP BY link");
                        let rows = qb.build().fetch_all(&mut **tx).await?;
                        rows.iter().map(|r| Ok((r.try_get::<String, _>("link")?, r.try_get::<i64, _>("n")?))).collect()
                    }
                    let mut tx = self.begin_write().await?;
                    let mut qb =
                        QueryBuilder::<$db>::new("SELECT COUNT(*) AS n FROM dept_records WHERE decided_by IS NOT NULL AND batch = ");
                    qb.push_bind(checksum.to_string());
                    let now: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("n")?;
                    if now != decided as i64 {
                        return Err(StoreError::Conflict(format!(
                            "a reviewer decided rows of this file while it was linked again ({decided} then, {now} now): link it again"
                        )));
                    }
                    let before = tally(&mut tx, checksum).await?;
                    let mut n = 0;
                    for r in changed {
                        n += verify::relink_dept_record::<$db>(r)?.build().execute(&mut *tx).await?.rows_affected() as usize;
                    }
                    let mut qb = QueryBuilder::<$db>::new("DELETE FROM economic_items WHERE batch = ");
                    qb.push_bind(checksum.to_string()).build().execute(&mut *tx).await?;
                    for chunk in items.chunks(4000) {
                        sql::insert_economic_items::<$db>(chunk, checksum).build().execute(&mut *tx).await?;
                    }
                    let mut qb = QueryBuilder::<$db>::new("UPDATE economic_batches SET items = ");
                    qb.push_bind(items.len() as i64).push(" WHERE checksum = ").push_bind(checksum.to_string());
                    qb.build().execute(&mut *tx).await?;
                    let after = tally(&mut tx, checksum).await?;
                    Self::write_audit(&mut tx, actor, &[crate::departmental::relink_audit(checksum, &before, &after, items.len(), n)])
                        .await?;
                    tx.commit().await?;
                    Ok(n)
                }
            }
        };
    };
}
pub(crate) use impl_departmental;
