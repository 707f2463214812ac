//! Cases as each role sees them: one case, the lists and queues, the counts of work due.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// A case as an account may see it. ID numbers are masked for roles that see masked
/// identities; the accepting community outside the household's region (全市通办) sees the status,
/// the dates and the family name only: it follows the case, nothing more of the household.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    pub id: i64,
    pub service: String,
    pub program: String,
    pub status: CaseStatus,
    pub version: i64,
    pub applicant_id: String,
    pub applicant_name: String,
    pub accepted_at: minzheng_domain::RegionCode,
    pub owner: minzheng_domain::RegionCode,
    pub accepted_on: NaiveDate,
    pub step_due: NaiveDate,
    pub due: NaiveDate,
    pub delegated: bool,
    pub extended: bool,
    /// Only the status is shown.
    pub limited: bool,
    pub household_no: Option<String>,
    pub community: Option<minzheng_domain::RegionCode>,
    pub household_size: Option<u32>,
    pub staff_relative: bool,
    pub child: bool,
    pub notice_from: Option<NaiveDate>,
    pub notice_until: Option<NaiveDate>,
    pub file: Option<CaseFile>,
}

impl CaseView {
    pub fn of(c: Case, who: &Principal) -> CaseView {
        let full = who.in_scope(&c.owner) || who.in_scope(&c.community);
        let applicant_id = if full && who.role.sees_full_identity() { c.applicant.to_string() } else { c.applicant.masked() };
        CaseView {
            id: c.id,
            service: c.service,
            program: c.program,
            status: c.status,
            version: c.version,
            applicant_id,
            applicant_name: if full { c.applicant_name } else { mask_name(&c.applicant_name) },
            accepted_at: c.accepted_at,
            owner: c.owner,
            accepted_on: c.accepted_on,
            step_due: c.step_due,
            due: c.due,
            delegated: c.delegated,
            extended: c.extended,
            limited: !full,
            household_no: full.then_some(c.household_no),
            community: full.then_some(c.community),
            household_size: full.then_some(c.household_size),
            staff_relative: full && c.staff_relative,
            child: full && c.child,
            notice_from: c.notice_from,
            notice_until: c.notice_until,
            file: full.then(|| {
                let mut f = c.file;
                // The rules' explanation names every member by ID number: kept for the roles that see them.
                if !who.role.sees_full_identity() {
                    if let Some(d) = f.decision.as_mut() {
                        d.explanation = None;
                    }
                }
                f
            }),
        }
    }
}

/// 张* : the family name only.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// One case with its steps (audited read).
pub async fn case(store: &dyn Store, cx: &RequestContext<'_>, id: i64) -> Result<(CaseView, Vec<CaseEvent>), CaseFailure> {
    let (view, events, _) = case_whole(store, cx, id).await?;
    Ok((view, events))
}

/// [`case`], with the stored case itself when the account may see it whole (not a limited
/// view): the case page asks the state machine which steps the account may take, and the
/// decision letter prints it. One read of the case, checked and audited as [`case`] is.
pub async fn case_whole(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: i64,
) -> Result<(CaseView, Vec<CaseEvent>, Option<Case>), CaseFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    let c = store.case(id).await?.ok_or(AccessError::NotFound)?;
    if !(who.in_scope(&c.owner) || who.in_scope(&c.community) || who.region == c.accepted_at) {
        store.audit(actor, &[refused_entry(&id.to_string(), "read")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    store.audit(actor, &[CaseAudit::CaseRead(id).entry()]).await?;
    let whole = c.clone();
    let view = CaseView::of(c, who);
    if view.limited {
        return Ok((view, Vec::new(), None));
    }
    let events = store.case_events(id).await?;
    Ok((view, events, Some(whole)))
}

/// Which list of cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseList {
    /// 待办: open cases in scope waiting for the account's role.
    Queue,
    /// 本社区受理: cases the account's community accepted (any county).
    Accepted,
    /// 即将到期和已超期: open cases in scope whose current step is due within 3 working days or overdue.
    Due,
    /// 全部: every case in scope.
    All,
}

impl CaseList {
    pub fn parse(s: &str) -> Option<CaseList> {
        match s.trim() {
            "queue" | "" => Some(CaseList::Queue),
            "accepted" => Some(CaseList::Accepted),
            "due" => Some(CaseList::Due),
            "all" => Some(CaseList::All),
            _ => None,
        }
    }
}

/// The account's lists, keyset-paginated (`before`) or a numbered page in a column's order
/// (`paging`), audited with the ids shown. `region` narrows the list to a region within the
/// account's.
pub async fn cases(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    list: CaseList,
    region: Option<&minzheng_domain::RegionCode>,
    before: Option<i64>,
    limit: u32,
    paging: &minzheng_store::Paging,
) -> Result<Page<CaseView>, CaseFailure> {
    let RequestContext { who, actor, today } = *cx;
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    if let Some(r) = region.filter(|r| !who.in_scope(r)) {
        store.audit(actor, &[refused_entry(r.as_str(), "list")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    let Some(mut q) = list_query(store, who, list, region, today).await? else {
        return Ok(Page { items: Vec::new(), next: None });
    };
    q.before = before;
    q.limit = limit;
    q.paging = paging.clone();
    let page = store.search_cases(&q).await?;
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    store.audit(actor, &[CaseAudit::Listed { list, ids: &ids }.entry()]).await?;
    Ok(Page { items: page.items.into_iter().map(|c| CaseView::of(c, who)).collect(), next: page.next })
}

/// How many cases one of the account's lists holds (numbers only).
pub async fn count_list(
    store: &dyn Store,
    who: &Principal,
    list: CaseList,
    region: Option<&minzheng_domain::RegionCode>,
    today: NaiveDate,
) -> Result<u64, CaseFailure> {
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    if region.is_some_and(|r| !who.in_scope(r)) {
        return Err(AccessError::OutOfScope.into());
    }
    match list_query(store, who, list, region, today).await? {
        Some(q) => Ok(store.count_cases(&q).await?),
        None => Ok(0),
    }
}

/// The query of a list for an account (None: the role has no queue).
pub(crate) async fn list_query(
    store: &dyn Store,
    who: &Principal,
    list: CaseList,
    region: Option<&minzheng_domain::RegionCode>,
    today: NaiveDate,
) -> Result<Option<CaseQuery>, CaseFailure> {
    let within = region.cloned().unwrap_or_else(|| who.region.clone());
    // County-level roles work the cases their county owns; street and community staff those of
    // the households they serve.
    let county_level = matches!(who.role, Role::CountyApprover | Role::VerificationOfficer | Role::CityAdmin | Role::Auditor)
        && who.region.as_str().len() <= 6;
    let mut q = CaseQuery::default();
    if county_level && within.as_str().len() <= 6 {
        q.owner = Some(within);
    } else {
        q.community = Some(within);
    }
    match list {
        CaseList::Queue => {
            if !who.may(Permission::HandleCases) {
                return Ok(None);
            }
            q.waiting_for = Some(if who.role == Role::GridWorker { Role::CommunityWorker } else { who.role }.as_str().to_string());
        }
        CaseList::Accepted => q = CaseQuery { accepted_at: Some(who.region.clone()), ..CaseQuery::default() },
        CaseList::Due => q.due_by = Some(calendar(store).await?.add_working_days(today, 3)),
        CaseList::All => {}
    }
    Ok(Some(q))
}

/// The account's work in figures, for its home page: cases waiting for its role, due within
/// three working days or overdue, and overdue (one audit record, no case shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkCounts {
    pub queue: u64,
    pub due: u64,
    pub overdue: u64,
}

pub async fn work_counts(store: &dyn Store, cx: &RequestContext<'_>) -> Result<WorkCounts, CaseFailure> {
    let RequestContext { who, actor, today } = *cx;
    if !who.may(Permission::HandleCases) {
        return Err(AccessError::Forbidden.into());
    }
    let count = |q: Option<CaseQuery>| async move {
        Ok::<u64, CaseFailure>(match q {
            Some(q) => store.count_cases(&q).await?,
            None => 0,
        })
    };
    let queue = count(list_query(store, who, CaseList::Queue, None, today).await?).await?;
    let due_q = list_query(store, who, CaseList::Due, None, today).await?;
    let overdue_q = due_q.clone().map(|q| CaseQuery { due_by: today.pred_opt(), ..q });
    let counts = WorkCounts { queue, due: count(due_q).await?, overdue: count(overdue_q).await? };
    store.audit(actor, &[CaseAudit::Counted { region: &who.region, counts: &counts }.entry()]).await?;
    Ok(counts)
}

/// The cases of one household (its page's assistance chain), newest first; the household's
/// community must be within the account's region. Audited with the ids shown.
pub async fn household_cases(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    household: &minzheng_domain::Household,
) -> Result<Vec<CaseView>, CaseFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    if !who.in_scope(&household.community) {
        return Err(AccessError::OutOfScope.into());
    }
    let q = CaseQuery { household_no: Some(household.household_no.clone()), limit: 100, ..Default::default() };
    let page = store.search_cases(&q).await?;
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    store.audit(actor, &[CaseAudit::HouseholdListed { household_no: &household.household_no, ids: &ids }.entry()]).await?;
    Ok(page.items.into_iter().map(|c| CaseView::of(c, who)).collect())
}
