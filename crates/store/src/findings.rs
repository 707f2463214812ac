//! 比对疑点: findings of the data comparison and their workflow steps.

use crate::{Actor, AuditEntry, Page, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::{Enrolment, Finding, FindingKind, FindingStatus, RegionCode};
use serde::Serialize;

/// How findings are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingQuery {
    /// Only findings whose region (the household's community) is within this one.
    pub region: Option<RegionCode>,
    pub kind: Option<FindingKind>,
    pub status: Option<FindingStatus>,
    pub program: Option<String>,
    pub assigned_to: Option<String>,
    /// Only the findings about one household (户编号).
    pub household_no: Option<String>,
    /// Cursor: findings with a smaller id.
    pub before: Option<i64>,
    pub limit: u32,
    /// A numbered page and its order (the list page's); the cursor still applies.
    pub paging: crate::Paging,
}

/// A count of findings by kind, county and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingCount {
    pub kind: String,
    pub county: String,
    pub status: String,
    pub count: u64,
}

/// 处理记录: one step of a finding's workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEvent {
    pub finding_id: i64,
    pub action: String,
    pub from: FindingStatus,
    pub to: FindingStatus,
    /// The assignee or the resolution.
    pub detail: String,
    pub comment: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

pub(crate) fn findings_audit(findings: &[Finding], added: u64) -> AuditEntry {
    AuditEntry {
        action: "add".into(),
        entity: "findings".into(),
        entity_key: findings.first().map(|f| f.found_on.to_string()).unwrap_or_default(),
        before: None,
        after: Some(serde_json::json!({ "offered": findings.len(), "added": added })),
    }
}

pub(crate) fn finding_step_audit(updated: &Finding, event: &FindingEvent) -> AuditEntry {
    AuditEntry {
        action: event.action.clone(),
        entity: "finding".into(),
        entity_key: updated.id.to_string(),
        before: Some(serde_json::json!({ "status": event.from })),
        after: Some(serde_json::json!({ "status": event.to, "detail": event.detail, "comment": event.comment })),
    }
}

/// Findings (比对疑点) and their events.
#[async_trait]
pub trait FindingStore: Send + Sync {
    /// Stores findings not stored before (by key), audited; returns how many were new.
    async fn add_findings(&self, findings: &[Finding], actor: &Actor) -> Result<u64>;

    async fn finding(&self, id: i64) -> Result<Option<Finding>>;

    /// Findings in a region by id (newest first), filtered; keyset-paginated.
    async fn search_findings(&self, q: &FindingQuery) -> Result<Page<Finding>>;

    /// How many findings the query's filters hold (cursor and limit aside).
    async fn count_findings(&self, q: &FindingQuery) -> Result<u64>;

    /// Numbers of findings in a region by kind, county (6 digits) and status.
    async fn finding_counts(&self, region: &RegionCode) -> Result<Vec<FindingCount>>;

    /// Applies a workflow step when the finding is still in `event.from`: updates it, records
    /// the event and the audit, all or none. Returns false, changing nothing, when it was not.
    /// Records a workflow step if the finding is still in `event.from` (else `false`, nothing
    /// written). A step that decides the enrolment (停保, 追回) brings the enrolment as it is to be
    /// (`effect`), written in the same transaction with its audit record: the finding is never
    /// resolved without the stop, nor the stop made without the finding.
    async fn act_on_finding(&self, updated: &Finding, event: &FindingEvent, effect: Option<&Enrolment>, actor: &Actor) -> Result<bool>;

    async fn finding_events(&self, id: i64) -> Result<Vec<FindingEvent>>;
}

/// The one implementation of [`FindingStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_findings {
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
            impl crate::FindingStore for $store {
                async fn add_findings(&self, findings: &[minzheng_domain::Finding], actor: &Actor) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let now = chain::now();
                    let mut added = 0;
                    for chunk in findings.chunks(500) {
                        added += verify::insert_findings::<$db>(chunk, now)?.build().execute(&mut *tx).await?.rows_affected();
                    }
                    if added > 0 {
                        Self::write_audit(&mut tx, actor, &[crate::findings_audit(findings, added)]).await?;
                    }
                    tx.commit().await?;
                    Ok(added)
                }

                async fn finding(&self, id: i64) -> Result<Option<minzheng_domain::Finding>> {
                    let row = verify::finding_by_id::<$db>(id).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(verify::finding_from_row).transpose()
                }

                async fn search_findings(&self, q: &crate::FindingQuery) -> Result<Page<minzheng_domain::Finding>> {
                    let rows = verify::search_findings::<$db>(q).build().fetch_all(&self.pool).await?;
                    let items = rows.iter().map(verify::finding_from_row).collect::<Result<Vec<_>>>()?;
                    Ok(verify::paginate_findings(items, q.limit))
                }

                async fn count_findings(&self, q: &crate::FindingQuery) -> Result<u64> {
                    let n: i64 = verify::count_findings::<$db>(q).build().fetch_one(&self.pool).await?.try_get("n")?;
                    Ok(u64::try_from(n).unwrap_or(0))
                }

                async fn finding_counts(&self, region: &RegionCode) -> Result<Vec<crate::FindingCount>> {
                    let rows = verify::finding_counts::<$db>(region).build().fetch_all(&self.pool).await?;
                    rows.iter().map(verify::count_from_row).collect()
                }

                async fn act_on_finding(
                    &self,
                    updated: &minzheng_domain::Finding,
                    event: &crate::FindingEvent,
                    effect: Option<&minzheng_domain::Enrolment>,
                    actor: &Actor,
                ) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let changed = verify::update_finding::<$db>(updated, event.from).build().execute(&mut *tx).await?.rows_affected();
                    if changed == 0 {
                        return Ok(false);
                    }
                    verify::insert_event::<$db>(event).build().execute(&mut *tx).await?;
                    let mut audit = vec![crate::finding_step_audit(updated, event)];
                    if let Some(e) = effect {
                        let source = format!("finding:{}", updated.id);
                        Self::write_enrolments(&mut tx, std::slice::from_ref(e), &source).await?;
                        audit.push(crate::enrolment_change_audit(e, &source));
                    }
                    Self::write_audit(&mut tx, actor, &audit).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn finding_events(&self, id: i64) -> Result<Vec<crate::FindingEvent>> {
                    let rows = verify::events_of::<$db>(id).build().fetch_all(&self.pool).await?;
                    rows.iter().map(verify::event_from_row).collect()
                }
            }
        };
    };
}
pub(crate) use impl_findings;
