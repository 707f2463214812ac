//! Findings as each role sees them, and their workflow steps (assign, verify, resolve).

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// A finding as shown to an account: ID numbers masked (in the finding and in its evidence)
/// for roles that do not see full identities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingView {
    pub id: i64,
    pub kind: FindingKind,
    pub enrolment_id: i64,
    pub program: String,
    pub household_no: String,
    pub id_number: Option<String>,
    pub masked: bool,
    pub region: RegionCode,
    pub confidence: u16,
    pub summary_zh: String,
    pub summary_en: String,
    pub evidence: Vec<Evidence>,
    pub found_on: NaiveDate,
    pub status: FindingStatus,
    pub assigned_to: Option<String>,
    pub resolution: Option<minzheng_domain::Resolution>,
}

/// An ID number as recorded, masked: the first four and the last four characters kept.
pub(crate) fn mask_recorded(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

impl FindingView {
    pub fn of(f: &Finding, role: minzheng_domain::Role) -> FindingView {
        let masked = !role.sees_full_identity();
        let evidence = f
            .evidence
            .iter()
            .map(|e| Evidence {
                source: e.source.clone(),
                batch: e.batch.clone(),
                fields: e
                    .fields
                    .iter()
                    .map(|(k, v)| {
                        let is_id = k.contains("身份证") || IdNumber::parse(v).is_ok();
                        (k.clone(), if masked && is_id { mask_recorded(v) } else { v.clone() })
                    })
                    .collect(),
            })
            .collect();
        FindingView {
            id: f.id,
            kind: f.kind,
            enrolment_id: f.enrolment_id,
            program: f.program.clone(),
            household_no: f.household_no.clone(),
            id_number: f.id_number.map(|i| if masked { i.masked() } else { i.to_string() }),
            masked,
            region: f.region.clone(),
            confidence: f.confidence,
            summary_zh: f.summary_zh.clone(),
            summary_en: f.summary_en.clone(),
            evidence,
            found_on: f.found_on,
            status: f.status,
            assigned_to: f.assigned_to.clone(),
            resolution: f.resolution,
        }
    }
}

/// 疑点审计记录: the reads and refusals the findings' use cases record (the steps are recorded
/// by the store with each change), one variant per kind.
pub enum FindingAudit<'a> {
    /// Findings of a region listed, with the ids shown and the filters.
    Listed { region: &'a str, ids: &'a [i64], kind: Option<minzheng_domain::FindingKind>, status: Option<FindingStatus> },
    /// A finding read with its steps.
    Read { id: i64, kind: minzheng_domain::FindingKind },
    /// A finding asked for, or a step on it, outside the account's region.
    Refused { id: i64, what: &'a str },
    /// A household's findings shown on its page.
    HouseholdListed { household_no: &'a str, ids: &'a [i64] },
}

impl minzheng_store::AuditEvent for FindingAudit<'_> {
    fn entry(&self) -> AuditEntry {
        let record = |action: &str, key: String, after: serde_json::Value| AuditEntry {
            action: action.into(),
            entity: "finding".into(),
            entity_key: key,
            before: None,
            after: Some(after),
        };
        match self {
            FindingAudit::Listed { region, ids, kind, status } => {
                record("list", region.to_string(), serde_json::json!({ "findings": ids, "kind": kind, "status": status }))
            }
            FindingAudit::Read { id, kind } => record("read", id.to_string(), serde_json::json!({ "kind": kind })),
            FindingAudit::Refused { id, what } => record("refused", id.to_string(), serde_json::json!({ "use": what })),
            FindingAudit::HouseholdListed { household_no, ids } => {
                record("list_household", household_no.to_string(), serde_json::json!({ "ids": ids }))
            }
        }
    }
}

/// 待办 · 疑点: what waits for the account in the findings' workflow (its home page's counts;
/// numbers only, so not audited as a read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingWork {
    /// Assigned to the account, to be verified on the spot.
    pub assigned_to_me: u64,
    /// New in the account's region, to be assigned.
    pub new: u64,
    /// Verified in the account's region, to be resolved (a county's decision).
    pub verified: u64,
}

pub async fn finding_work(store: &dyn Store, who: &Principal) -> Result<FindingWork, AccessError> {
    if !who.may(Permission::WorkFindings) {
        return Err(AccessError::Forbidden);
    }
    let count = |status: FindingStatus, assigned_to: Option<String>| {
        let q = FindingQuery { region: Some(who.region.clone()), status: Some(status), assigned_to, ..Default::default() };
        async move { store.count_findings(&q).await }
    };
    Ok(FindingWork {
        assigned_to_me: count(FindingStatus::Assigned, Some(who.name.clone())).await?,
        new: count(FindingStatus::New, None).await?,
        verified: count(FindingStatus::Verified, None).await?,
    })
}

/// Findings in the account's region (narrowed by the query's), audited as a read.
pub async fn findings(store: &dyn Store, cx: &RequestContext<'_>, mut q: FindingQuery) -> Result<Page<FindingView>, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    within_scope(who, &mut q)?;
    let page = store.search_findings(&q).await?;
    let region = q.region.as_ref().map(ToString::to_string).unwrap_or_default();
    let ids: Vec<i64> = page.items.iter().map(|f| f.id).collect();
    store.audit(actor, &[FindingAudit::Listed { region: &region, ids: &ids, kind: q.kind, status: q.status }.entry()]).await?;
    Ok(Page { items: page.items.iter().map(|f| FindingView::of(f, who.role)).collect(), next: page.next })
}

/// Who a finding of the account's region may be assigned to: the accounts within the region
/// whose role works findings (login, role), by region. The step still checks each finding.
pub async fn assignees(store: &dyn Store, who: &Principal) -> Result<Vec<(String, minzheng_domain::Role)>, AccessError> {
    if !who.may(Permission::WorkFindings) {
        return Err(AccessError::Forbidden);
    }
    let roles: Vec<&str> = minzheng_domain::Role::ALL.iter().filter(|r| r.allows(Permission::WorkFindings)).map(|r| r.as_str()).collect();
    Ok(store
        .accounts_within(&who.region, &roles)
        .await?
        .into_iter()
        .filter_map(|(name, role, _)| minzheng_domain::Role::parse(&role).filter(|r| r.allows(Permission::WorkFindings)).map(|r| (name, r)))
        .collect())
}

/// How many findings a list holds (its filters, within the account's region): numbers only.
pub async fn count_findings(store: &dyn Store, who: &Principal, mut q: FindingQuery) -> Result<u64, AccessError> {
    within_scope(who, &mut q)?;
    Ok(store.count_findings(&q).await?)
}

/// A findings query of an account that reads findings, narrowed to its region (its own when the
/// query names none; refused when it names one outside).
fn within_scope(who: &Principal, q: &mut FindingQuery) -> Result<(), AccessError> {
    if !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    match &q.region {
        Some(r) if !who.in_scope(r) => Err(AccessError::OutOfScope),
        Some(_) => Ok(()),
        None => {
            q.region = Some(who.region.clone());
            Ok(())
        }
    }
}

/// Counts by kind, county and status in the account's region.
pub async fn finding_counts(store: &dyn Store, who: &Principal) -> Result<Vec<FindingCount>, AccessError> {
    if !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    Ok(store.finding_counts(&who.region).await?)
}

/// One finding with its workflow steps, when in the account's region (audited either way).
pub async fn finding(store: &dyn Store, cx: &RequestContext<'_>, id: i64) -> Result<(FindingView, Vec<FindingEvent>), AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    let f = store.finding(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&f.region) {
        store.audit(actor, &[FindingAudit::Refused { id, what: "finding" }.entry()]).await?;
        return Err(AccessError::OutOfScope);
    }
    let events = store.finding_events(id).await?;
    store.audit(actor, &[FindingAudit::Read { id, kind: f.kind }.entry()]).await?;
    Ok((FindingView::of(&f, who.role), events))
}

/// Why a workflow step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Workflow(#[from] minzheng_domain::finding::WorkflowError),
    #[error("the finding was changed by someone else meanwhile; reload it")]
    Stale,
    #[error("only the worker it is assigned to ({0}) may do this")]
    NotAssignee(String),
    #[error("{0} is not an account that may work findings of this region")]
    Assignee(String),
    #[error("the county decides how a verified finding is resolved")]
    CountyDecides,
}

impl From<StoreError> for StepError {
    fn from(e: StoreError) -> StepError {
        StepError::Access(AccessError::Store(e))
    }
}

impl minzheng_domain::Bilingual for StepError {
    fn zh(&self) -> String {
        match self {
            StepError::Access(e) => e.zh(),
            StepError::Workflow(e) => e.zh(),
            StepError::Stale => "该疑点已被他人处理，请刷新后重试".into(),
            StepError::NotAssignee(n) => format!("只有承办人（{n}）可以进行此操作"),
            StepError::Assignee(n) => format!("“{n}”不是可以处理本区划疑点的账号"),
            StepError::CountyDecides => "已核实的疑点由区县作出处理决定".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Applies a workflow step to one finding in the account's region. `seen` is the status the
/// worker saw (the step is refused as stale if the finding has moved on since). Verifying and
/// closing as a false positive are for the assigned worker; resolving a verified finding is for
/// county staff; a finding is assigned only to an account that may work findings of its region.
///
/// Resolving as 停保 or 追回 stops the enrolment in the same transaction (`Finding::stop`: from
/// the month after the event the evidence dates, else after `today`), so the payroll of that
/// month and after no longer pays it and what was paid for those months is an overpayment.
pub async fn act(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: i64,
    action: &FindingAction,
    comment: &str,
    seen: Option<FindingStatus>,
) -> Result<FindingView, StepError> {
    let RequestContext { who, actor, today } = *cx;
    if !who.may(Permission::WorkFindings) {
        return Err(AccessError::Forbidden.into());
    }
    let f = store.finding(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&f.region) {
        store.audit(actor, &[FindingAudit::Refused { id, what: action.as_str() }.entry()]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    if seen.is_some_and(|s| s != f.status) {
        return Err(StepError::Stale);
    }
    let to = minzheng_domain::finding::next_status(f.status, action, comment)?;
    let assignee = f.assigned_to.clone().unwrap_or_default();
    match action {
        FindingAction::Assign { to } => {
            let account = store.account(to.trim()).await?;
            let fit = account.is_some_and(|a| {
                minzheng_domain::Role::parse(&a.role).is_some_and(|r| r.allows(Permission::WorkFindings)) && a.region.contains(&f.region)
            });
            if !fit {
                return Err(StepError::Assignee(to.trim().to_string()));
            }
        }
        FindingAction::Verify | FindingAction::Resolve { resolution: minzheng_domain::Resolution::FalsePositive }
            if f.status == FindingStatus::Assigned =>
        {
            if who.name != assignee {
                return Err(StepError::NotAssignee(assignee));
            }
        }
        FindingAction::Resolve { .. } => {
            if who.region.as_str().len() > 6 {
                return Err(StepError::CountyDecides);
            }
        }
        FindingAction::Verify => {}
    }
    let mut updated = f.clone();
    updated.status = to;
    let detail = match action {
        FindingAction::Assign { to } => {
            updated.assigned_to = Some(to.trim().to_string());
            to.trim().to_string()
        }
        FindingAction::Verify => String::new(),
        FindingAction::Resolve { resolution } => {
            updated.resolution = Some(*resolution);
            resolution.as_str().to_string()
        }
    };
    let event = FindingEvent {
        finding_id: id,
        action: action.as_str().to_string(),
        from: f.status,
        to,
        detail,
        comment: comment.trim().to_string(),
        actor: who.name.clone(),
        at: chrono::Utc::now(),
    };
    let effect = match action {
        FindingAction::Resolve { resolution } if resolution.stops_enrolment() => {
            let e = store.enrolment(f.enrolment_id).await?.ok_or(AccessError::NotFound)?;
            Some(e.stopped(&f.stop(today)))
        }
        _ => None,
    };
    if !store.act_on_finding(&updated, &event, effect.as_ref(), actor).await? {
        return Err(StepError::Stale);
    }
    Ok(FindingView::of(&updated, who.role))
}

/// The same step on several findings (bulk assignment): each is checked and applied on its own;
/// returns the ones done and the refusals with their ids.
pub async fn act_on_many(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    ids: &[i64],
    action: &FindingAction,
    comment: &str,
) -> (Vec<FindingView>, Vec<(i64, StepError)>) {
    let mut done = Vec::new();
    let mut refused = Vec::new();
    for &id in ids {
        match act(store, cx, id, action, comment, None).await {
            Ok(f) => done.push(f),
            Err(e) => refused.push((id, e)),
        }
    }
    (done, refused)
}

/// The findings about one household (its page's assistance chain), newest first; the household's
/// community must be within the account's region. Audited like every findings list.
pub async fn household_findings(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    household: &minzheng_domain::Household,
) -> Result<Vec<FindingView>, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    if !who.in_scope(&household.community) {
        return Err(AccessError::OutOfScope);
    }
    let q = FindingQuery { household_no: Some(household.household_no.clone()), limit: 100, ..Default::default() };
    let page = store.search_findings(&q).await?;
    let ids: Vec<i64> = page.items.iter().map(|f| f.id).collect();
    store.audit(actor, &[FindingAudit::HouseholdListed { household_no: &household.household_no, ids: &ids }.entry()]).await?;
    Ok(page.items.iter().map(|f| FindingView::of(f, who.role)).collect())
}
