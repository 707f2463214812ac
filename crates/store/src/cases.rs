//! 全市通办 · 审核确认: applications accepted anywhere in the city and their steps, documents and
//! the enrolments their approvals make.

use crate::{Actor, Page, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::{Enrolment, IdNumber, RegionCode};
use serde::Serialize;

/// 办理记录: one step of a case (accepting is the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    pub case_id: i64,
    /// `accept`, `survey`, `review` ... ([`minzheng_domain::CaseAction::as_str`]).
    pub action: String,
    /// The status before (`""` for the acceptance).
    pub from: String,
    pub to: minzheng_domain::CaseStatus,
    pub comment: String,
    pub actor: String,
    pub role: String,
    pub at: DateTime<Utc>,
}

/// 申请材料: a document uploaded to a case; the file itself is kept by the app under its checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDocument {
    /// Store key; 0 before it is stored.
    pub id: i64,
    pub case_id: i64,
    /// The catalogue's document code (`application`, `medical_bills` ...).
    pub code: String,
    pub file_name: String,
    /// Sniffed from the content: application/pdf, image/jpeg or image/png.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub at: DateTime<Utc>,
}

/// The enrolment an approved step makes or changes, and what the step saw of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentWrite {
    pub enrolment: Enrolment,
    /// The members of the program's current (not stopped) enrolment of the household when the
    /// step was computed; if another step changed them since, nothing is written (the step is
    /// stale). None: the enrolment is replaced whatever it holds.
    pub seen_members: Option<Vec<IdNumber>>,
}

/// How cases are listed: a role's queue, a region's cases, those due by a date, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// Only open cases waiting for this role (`community_worker` ...).
    pub waiting_for: Option<String>,
    /// Only open cases (any role).
    pub open_only: bool,
    /// Cases of households within this region.
    pub community: Option<RegionCode>,
    /// Cases owned by a county within this region.
    pub owner: Option<RegionCode>,
    /// Cases accepted at this community.
    pub accepted_at: Option<RegionCode>,
    pub household_no: Option<String>,
    pub status: Option<minzheng_domain::CaseStatus>,
    /// Open cases whose current step is due on or before this day.
    pub due_by: Option<chrono::NaiveDate>,
    /// Cursor: cases with a smaller id.
    pub before: Option<i64>,
    pub limit: u32,
    /// A numbered page and its order (the list page's); the cursor still applies.
    pub paging: crate::Paging,
}

/// Cases, their events and documents. An approval's enrolment is written in the same
/// transaction as the step ([`CaseStore::act_on_case`]).
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Stores a newly accepted case with its first step (audited); refuses (`Conflict`) a
    /// second open case of the same program and household. Returns its id.
    async fn add_case(&self, case: &minzheng_domain::Case, waiting_for: Option<&str>, event: &CaseEvent, actor: &Actor) -> Result<i64>;

    /// Cases carried over from an earlier system, each with the role it waits for, in one
    /// transaction with one audit record (all or nothing; `Conflict` on a second open case).
    async fn import_cases(&self, cases: &[(minzheng_domain::Case, Option<String>)], source: &str, actor: &Actor) -> Result<u64>;

    async fn case(&self, id: i64) -> Result<Option<minzheng_domain::Case>>;

    /// Writes a step if the case is still at `seen_version`, with its event and audit record,
    /// and the enrolment an approval makes, all in one transaction. None when the case has
    /// moved on since (nothing written).
    async fn act_on_case(
        &self,
        updated: &minzheng_domain::Case,
        waiting_for: Option<&str>,
        seen_version: i64,
        event: &CaseEvent,
        enrolment: Option<&EnrolmentWrite>,
        actor: &Actor,
    ) -> Result<Option<minzheng_domain::Case>>;

    async fn case_events(&self, id: i64) -> Result<Vec<CaseEvent>>;

    async fn search_cases(&self, q: &CaseQuery) -> Result<Page<minzheng_domain::Case>>;

    /// How many cases a query matches (its cursor and limit aside).
    async fn count_cases(&self, q: &CaseQuery) -> Result<u64>;

    /// Records an uploaded document of a case (audited); returns its id.
    async fn add_case_document(&self, doc: &CaseDocument, actor: &Actor) -> Result<i64>;

    /// A case's documents, in the order uploaded.
    async fn case_documents(&self, case_id: i64) -> Result<Vec<CaseDocument>>;

    async fn case_document(&self, id: i64) -> Result<Option<CaseDocument>>;
}

/// The one implementation of [`CaseStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_cases {
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
            impl crate::CaseStore for $store {
                async fn add_case(
                    &self,
                    case: &minzheng_domain::Case,
                    waiting_for: Option<&str>,
                    event: &crate::CaseEvent,
                    actor: &Actor,
                ) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let now = chain::now();
                    let id: i64 = cases::insert_case::<$db>(case, waiting_for, now)?
                        .build()
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|e| crate::conflict(e, &format!("an open case of {} for household {}", case.program, case.household_no)))?
                        .try_get("id")?;
                    let stored = minzheng_domain::Case { id, ..case.clone() };
                    cases::insert_event::<$db>(&crate::CaseEvent { case_id: id, ..event.clone() }).build().execute(&mut *tx).await?;
                    Self::write_audit(&mut tx, actor, &[cases::case_audit(&stored, event)]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn import_cases(
                    &self,
                    cases: &[(minzheng_domain::Case, Option<String>)],
                    source: &str,
                    actor: &Actor,
                ) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let now = chain::now();
                    let mut added = 0;
                    for chunk in cases.chunks(2000) {
                        added += cases::insert_cases::<$db>(chunk, now)?
                            .build()
                            .execute(&mut *tx)
                            .await
                            .map_err(|e| crate::conflict(e, "an open case of the same program and household"))?
                            .rows_affected();
                    }
                    Self::write_audit(&mut tx, actor, &[cases::cases_import_audit(source, cases.len())]).await?;
                    tx.commit().await?;
                    Ok(added)
                }

                async fn case(&self, id: i64) -> Result<Option<minzheng_domain::Case>> {
                    let row = cases::case_by_id::<$db>(id).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(cases::case_from_row).transpose()
                }

                async fn act_on_case(
                    &self,
                    updated: &minzheng_domain::Case,
                    waiting_for: Option<&str>,
                    seen_version: i64,
                    event: &crate::CaseEvent,
                    enrolment: Option<&crate::EnrolmentWrite>,
                    actor: &Actor,
                ) -> Result<Option<minzheng_domain::Case>> {
                    let mut tx = self.begin_write().await?;
                    let mut stored = updated.clone();
                    if let Some(w) = enrolment {
                        let e = &w.enrolment;
                        if let Some(seen) = &w.seen_members {
                            let found: Vec<String> = cases::current_members::<$db>(&e.program, &e.household_no, Self::LOCKS_ROWS)
                                .build()
                                .fetch_all(&mut *tx)
                                .await?
                                .iter()
                                .map(|r| r.try_get::<String, _>("id_number"))
                                .collect::<std::result::Result<_, _>>()?;
                            if !cases::same_members(&found, seen) {
                                return Ok(None);
                            }
                        }
                        let source = format!("case:{}", updated.id);
                        let ids = Self::write_enrolments(&mut tx, std::slice::from_ref(e), &source).await?;
                        if let Some(d) = stored.file.decision.as_mut() {
                            d.enrolment = ids.first().copied();
                        }
                        Self::write_audit(&mut tx, actor, &[crate::enrolments_audit(&source, std::slice::from_ref(e))]).await?;
                    }
                    let now = chain::now();
                    let changed = cases::update_case::<$db>(&stored, waiting_for, seen_version, now)?
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| {
                            crate::conflict(e, &format!("an open case of {} for household {}", stored.program, stored.household_no))
                        })?
                        .rows_affected();
                    if changed == 0 {
                        return Ok(None);
                    }
                    cases::insert_event::<$db>(event).build().execute(&mut *tx).await?;
                    Self::write_audit(&mut tx, actor, &[cases::case_audit(&stored, event)]).await?;
                    tx.commit().await?;
                    Ok(Some(stored))
                }

                async fn case_events(&self, id: i64) -> Result<Vec<crate::CaseEvent>> {
                    let rows = cases::events_of::<$db>(id).build().fetch_all(&self.pool).await?;
                    rows.iter().map(cases::event_from_row).collect()
                }

                async fn search_cases(&self, q: &crate::CaseQuery) -> Result<Page<minzheng_domain::Case>> {
                    let rows = cases::search_cases::<$db>(q).build().fetch_all(&self.pool).await?;
                    let items = rows.iter().map(cases::case_from_row).collect::<Result<Vec<_>>>()?;
                    Ok(cases::paginate_cases(items, q.limit))
                }

                async fn count_cases(&self, q: &crate::CaseQuery) -> Result<u64> {
                    let n: i64 = cases::count_cases::<$db>(q).build().fetch_one(&self.pool).await?.try_get("n")?;
                    Ok(u64::try_from(n).unwrap_or(0))
                }

                async fn add_case_document(&self, doc: &crate::CaseDocument, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let id: i64 = cases::insert_document::<$db>(doc).build().fetch_one(&mut *tx).await?.try_get("id")?;
                    Self::write_audit(&mut tx, actor, &[cases::document_audit(id, doc)]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn case_documents(&self, case_id: i64) -> Result<Vec<crate::CaseDocument>> {
                    let rows = cases::documents::<$db>(Some(case_id), None).build().fetch_all(&self.pool).await?;
                    rows.iter().map(cases::document_from_row).collect()
                }

                async fn case_document(&self, id: i64) -> Result<Option<crate::CaseDocument>> {
                    let row = cases::documents::<$db>(None, Some(id)).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(cases::document_from_row).transpose()
                }
            }
        };
    };
}
pub(crate) use impl_cases;
