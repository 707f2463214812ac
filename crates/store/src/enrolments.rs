//! 在保对象: who receives which benefit, per program and household, with its members.

use crate::{Actor, AuditEntry, Result};
use async_trait::async_trait;
use minzheng_domain::{Enrolment, IdNumber, RegionCode};

pub(crate) fn enrolments_audit(source: &str, enrolments: &[Enrolment]) -> AuditEntry {
    AuditEntry {
        action: "upsert".into(),
        entity: "enrolments".into(),
        entity_key: source.to_string(),
        before: None,
        after: Some(
            serde_json::json!({ "enrolments": enrolments.len(), "members": enrolments.iter().map(|e| e.members.len()).sum::<usize>() }),
        ),
    }
}

/// One enrolment changed by a decision (a finding resolved as 停保, a case): what it is now.
pub(crate) fn enrolment_change_audit(e: &Enrolment, source: &str) -> AuditEntry {
    AuditEntry {
        action: "change".into(),
        entity: "enrolment".into(),
        entity_key: format!("{}:{}", e.program, e.household_no),
        before: None,
        after: Some(serde_json::json!({
            "decided_by": source, "status": e.status.as_str(), "end_month": e.end, "monthly_amount": e.monthly_amount.0,
            "members": e.members.len(),
        })),
    }
}

/// Enrolments (在保对象).
#[async_trait]
pub trait EnrolmentStore: Send + Sync {
    /// Stores enrolments, each new or replacing the one of the same program and household
    /// (members included), all or none, audited as one change of `source`. Returns their ids.
    async fn upsert_enrolments(&self, enrolments: &[Enrolment], source: &str, actor: &Actor) -> Result<Vec<i64>>;

    async fn enrolment(&self, id: i64) -> Result<Option<Enrolment>>;

    /// Enrolments owned by a county (or all, for a 2- or 4-digit region), by id after `after`.
    async fn scan_enrolments(&self, region: &RegionCode, after: i64, limit: u32) -> Result<Vec<Enrolment>>;

    /// The enrolments some persons are members of.
    async fn enrolments_of(&self, ids: &[IdNumber]) -> Result<Vec<Enrolment>>;

    /// Enrolments changed by decisions, each written with its own audit record naming what
    /// decided it (`registry:death:…`, `finding:12` ...), all in one transaction.
    async fn change_enrolments(&self, changes: &[(Enrolment, String)], actor: &Actor) -> Result<()>;

    /// 死亡联动 still to do: members still paid (no end of their own) of enrolments not stopped
    /// whom the registry records as deceased, with the date of death where known.
    async fn deceased_members_in_force(&self) -> Result<Vec<(IdNumber, Option<chrono::NaiveDate>)>>;
}

/// The one implementation of [`EnrolmentStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_enrolments {
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

            impl $store {
                /// Writes enrolments with their members (one per program and household) inside a
                /// transaction; the case workflow's approvals write theirs with it too.
                pub(crate) async fn write_enrolments(
                    tx: &mut sqlx::Transaction<'_, $db>,
                    enrolments: &[minzheng_domain::Enrolment],
                    source: &str,
                ) -> Result<Vec<i64>> {
                    let now = chain::now();
                    let mut ids = Vec::with_capacity(enrolments.len());
                    for chunk in enrolments.chunks(1000) {
                        let rows = verify::upsert_enrolments::<$db>(chunk, source, now).build().fetch_all(&mut **tx).await?;
                        let mut by_key = std::collections::HashMap::with_capacity(rows.len());
                        for r in &rows {
                            by_key.insert(
                                (r.try_get::<String, _>("program")?, r.try_get::<String, _>("household_no")?),
                                r.try_get::<i64, _>("id")?,
                            );
                        }
                        let chunk_ids: Vec<i64> = chunk
                            .iter()
                            .map(|e| {
                                by_key
                                    .get(&(e.program.clone(), e.household_no.clone()))
                                    .copied()
                                    .ok_or_else(|| StoreError::Corrupt(format!("enrolment {} {} not returned", e.program, e.household_no)))
                            })
                            .collect::<Result<_>>()?;
                        verify::delete_members::<$db>(&chunk_ids).build().execute(&mut **tx).await?;
                        let members: Vec<(i64, &minzheng_domain::EnrolledMember)> =
                            chunk.iter().zip(&chunk_ids).flat_map(|(e, id)| e.members.iter().map(move |m| (*id, m))).collect();
                        for part in members.chunks(5000) {
                            verify::insert_members::<$db>(part).build().execute(&mut **tx).await?;
                        }
                        ids.extend(chunk_ids);
                    }
                    Ok(ids)
                }

                /// Enrolments with their members, by id.
                async fn enrolments_by_ids(&self, ids: &[i64]) -> Result<Vec<minzheng_domain::Enrolment>> {
                    let mut out = Vec::with_capacity(ids.len());
                    for chunk in ids.chunks(2000) {
                        let rows = verify::enrolments_by_id::<$db>(chunk).build().fetch_all(&self.pool).await?;
                        let members = verify::members_of::<$db>(chunk).build().fetch_all(&self.pool).await?;
                        out.extend(verify::enrolments_from_rows(&rows, &members)?);
                    }
                    Ok(out)
                }
            }

            #[async_trait::async_trait]
            impl crate::EnrolmentStore for $store {
                async fn upsert_enrolments(
                    &self,
                    enrolments: &[minzheng_domain::Enrolment],
                    source: &str,
                    actor: &Actor,
                ) -> Result<Vec<i64>> {
                    let mut tx = self.begin_write().await?;
                    let ids = Self::write_enrolments(&mut tx, enrolments, source).await?;
                    Self::write_audit(&mut tx, actor, &[crate::enrolments_audit(source, enrolments)]).await?;
                    tx.commit().await?;
                    Ok(ids)
                }

                async fn enrolment(&self, id: i64) -> Result<Option<minzheng_domain::Enrolment>> {
                    Ok(self.enrolments_by_ids(&[id]).await?.pop())
                }

                async fn scan_enrolments(&self, region: &RegionCode, after: i64, limit: u32) -> Result<Vec<minzheng_domain::Enrolment>> {
                    let rows = verify::scan_enrolments::<$db>(region, after, limit).build().fetch_all(&self.pool).await?;
                    let ids: Vec<i64> = rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<std::result::Result<_, _>>()?;
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let members = verify::members_of::<$db>(&ids).build().fetch_all(&self.pool).await?;
                    verify::enrolments_from_rows(&rows, &members)
                }

                async fn enrolments_of(&self, ids: &[IdNumber]) -> Result<Vec<minzheng_domain::Enrolment>> {
                    let mut found = Vec::new();
                    for chunk in ids.chunks(2000) {
                        for r in verify::enrolment_ids_of::<$db>(chunk).build().fetch_all(&self.pool).await? {
                            found.push(r.try_get::<i64, _>("enrolment_id")?);
                        }
                    }
                    found.sort_unstable();
                    found.dedup();
                    self.enrolments_by_ids(&found).await
                }

                async fn change_enrolments(&self, changes: &[(minzheng_domain::Enrolment, String)], actor: &Actor) -> Result<()> {
                    if changes.is_empty() {
                        return Ok(());
                    }
                    let mut tx = self.begin_write().await?;
                    let enrolments: Vec<minzheng_domain::Enrolment> = changes.iter().map(|(e, _)| e.clone()).collect();
                    Self::write_enrolments(&mut tx, &enrolments, "decision").await?;
                    let entries: Vec<AuditEntry> = changes.iter().map(|(e, by)| crate::enrolments::enrolment_change_audit(e, by)).collect();
                    Self::write_audit(&mut tx, actor, &entries).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn deceased_members_in_force(&self) -> Result<Vec<(IdNumber, Option<chrono::NaiveDate>)>> {
                    let rows = sqlx::query(
                        "SELECT DISTINCT m.id_number AS id_number, p.status_date AS status_date FROM enrolment_members m \
                         JOIN enrolments e ON e.id = m.enrolment_id JOIN persons p ON p.id_number = m.id_number \
                         WHERE m.end_month IS NULL AND e.status <> 'stopped' AND p.status = 'deceased' ORDER BY m.id_number",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let id: String = r.try_get("id_number")?;
                            let id = IdNumber::parse(&id).map_err(|_| StoreError::Corrupt(format!("enrolment member {id}")))?;
                            Ok((id, r.try_get::<Option<chrono::NaiveDate>, _>("status_date")?))
                        })
                        .collect()
                }
            }
        };
    };
}
pub(crate) use impl_enrolments;
