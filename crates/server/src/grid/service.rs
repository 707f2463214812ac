//! The work orders' use cases: who files, dispatches, handles and closes which orders, where;
//! the places checked against the grid tree; every change audited in its transaction.

use super::model::{apply, Kpi, Order, OrderError, OrderKind, OrderStatus, Step};
use super::store::{grid_store, owner, Queue, StepRecord};
use crate::platform::scope::{need, within};
use chrono::{NaiveDate, Utc};
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Permission, Principal, RegionCode, RegionLevel};
use minzheng_store::{Store, StoreError};
use serde::Deserialize;

/// Why a work-order use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum OrderFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Invalid(#[from] OrderError),
    #[error("the order was changed by someone else meanwhile")]
    Changed,
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OrderFailure {
    pub fn is_input(&self) -> bool {
        matches!(self, OrderFailure::Invalid(_) | OrderFailure::Changed)
    }
}

impl Bilingual for OrderFailure {
    fn zh(&self) -> String {
        match self {
            OrderFailure::Access(e) => e.zh(),
            OrderFailure::Invalid(e) => e.zh(),
            OrderFailure::Changed => "工单已被他人处理，请刷新后再办理".into(),
            OrderFailure::NotFound => "没有这张工单".into(),
            OrderFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            OrderFailure::Access(e) => e.en(),
            OrderFailure::Invalid(e) => e.en(),
            OrderFailure::Store(_) => "database error, please try again later".into(),
            other => other.to_string(),
        }
    }
}

/// An order as filed (a grid worker's event, a hotline order, a petition).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewOrder {
    pub kind: String,
    #[serde(default)]
    pub category: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
    /// The community where it happened (12 digits).
    pub community: String,
    #[serde(default)]
    pub grid: String,
    #[serde(default)]
    pub place: String,
    /// The hotline's or the petition office's number.
    #[serde(default)]
    pub source_no: String,
    /// The day received, when entered later (not after today); today when absent.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
}

/// A community of the region tree, as typed.
async fn community_of(store: &dyn Store, text: &str) -> Result<RegionCode, OrderFailure> {
    let code = RegionCode::parse(text.trim()).map_err(|_| OrderError::Place(text.trim().to_string()))?;
    match store.region(&code).await? {
        Some(r) if r.level == RegionLevel::Community => Ok(code),
        _ => Err(OrderError::Place(text.trim().to_string()).into()),
    }
}

fn step_record(who: &Principal, step: &str, note: String, today: NaiveDate) -> StepRecord {
    StepRecord { step: step.into(), note, by_name: who.name.clone(), by_role: who.role.as_str().into(), on_day: today, at: Utc::now() }
}

/// Files an order: a grid event by the community's grid worker or community worker; a hotline
/// order or a petition by the street's or county's dispatch desk. The place must be a community
/// of the tree within the account's region, and a grid named must be one of its grids.
pub async fn file(store: &dyn Store, cx: &RequestContext<'_>, n: NewOrder) -> Result<Order, OrderFailure> {
    let RequestContext { who, actor, today } = *cx;
    let kind = OrderKind::parse(&n.kind).ok_or_else(|| OrderError::Kind(n.kind.clone()))?;
    need(who, if kind == OrderKind::GridEvent { Permission::ReportEvents } else { Permission::DispatchWorkOrders })?;
    if n.title.trim().chars().count() < 4 {
        return Err(OrderError::NoTitle.into());
    }
    if n.community.trim().is_empty() {
        return Err(OrderError::Place(String::new()).into());
    }
    let community = community_of(store, &n.community).await?;
    within(who, Some(&community))?;
    let grid = n.grid.trim().to_string();
    if !grid.is_empty() && !store.grids(&community).await?.contains(&grid) {
        return Err(OrderError::Grid(grid).into());
    }
    let received_on = n.received_on.unwrap_or(today);
    if received_on > today {
        return Err(OrderError::Future(received_on).into());
    }
    let o = Order {
        id: 0,
        kind,
        category: n.category.trim().to_string(),
        title: n.title.trim().to_string(),
        description: n.description.trim().to_string(),
        contact: n.contact.trim().to_string(),
        phone: n.phone.trim().to_string(),
        community: community.to_string(),
        grid,
        place: n.place.trim().to_string(),
        source_no: n.source_no.trim().to_string(),
        status: OrderStatus::Received,
        received_on,
        accepted_on: None,
        dispatched_on: None,
        assigned_to: String::new(),
        due: None,
        signed_on: None,
        replied_on: None,
        reply: String::new(),
        closed_on: None,
        satisfaction: None,
        rework: 0,
        extended: false,
        escalated: false,
        reported_by: who.name.clone(),
    };
    let id = grid_store(store).add_order(&o, &step_record(who, "file", String::new(), today), actor).await?;
    Ok(Order { id, ..o })
}

/// The order, when the account may read it: its answering community or where it happened is
/// within the account's region. Phones masked for the roles that see numbers masked.
pub async fn get(store: &dyn Store, who: &Principal, id: i64) -> Result<(Order, Vec<StepRecord>), OrderFailure> {
    need(who, Permission::ReadWorkOrders)?;
    let g = grid_store(store);
    let mut o = g.order(id).await?.ok_or(OrderFailure::NotFound)?;
    if !readable(who, &o) {
        return Err(AccessError::OutOfScope.into());
    }
    masked(who, &mut o);
    Ok((o, g.steps(id).await?))
}

fn in_scope(who: &Principal, code: &str) -> bool {
    RegionCode::parse(code).is_ok_and(|c| who.in_scope(&c))
}

/// The phone as the account may see it.
fn masked(who: &Principal, o: &mut Order) {
    if !who.role.sees_full_identity() && !o.phone.is_empty() {
        o.phone = minzheng_app::registry::mask_phone(&o.phone);
    }
}

/// The dispatch desks read the orders answered or happening in their region; the handling
/// communities those they answer for, and a petition only once it is dispatched to them
/// (《信访工作条例》: a petitioner's material is not handed to those it is about).
fn readable(who: &Principal, o: &Order) -> bool {
    if who.may(Permission::DispatchWorkOrders) || who.role == minzheng_domain::Role::Auditor || who.role == minzheng_domain::Role::CityAdmin
    {
        return in_scope(who, owner(o)) || in_scope(who, &o.community);
    }
    let undispatched_petition = o.kind == OrderKind::Petition && matches!(o.status, OrderStatus::Received | OrderStatus::Accepted);
    in_scope(who, owner(o)) && !undispatched_petition
}

/// Whether the account's queues leave undispatched petitions out.
fn hides_petitions(who: &Principal) -> bool {
    !(who.may(Permission::DispatchWorkOrders) || who.role == minzheng_domain::Role::Auditor || who.role == minzheng_domain::Role::CityAdmin)
}

/// The order as the page that asks for a step showed it: its status and how often it was sent
/// back. A step asked for on an order that has moved on since is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub status: OrderStatus,
    pub rework: i64,
}

/// Takes a step: signing and replying by the handling community (its community worker or grid
/// worker), the others by the dispatch desk of a street or county where the order happened or
/// is answered; 督办 by a county desk or above.
pub async fn act(store: &dyn Store, cx: &RequestContext<'_>, id: i64, step: Step, seen: Option<Seen>) -> Result<Order, OrderFailure> {
    let RequestContext { who, actor, today } = *cx;
    let g = grid_store(store);
    let before = g.order(id).await?.ok_or(OrderFailure::NotFound)?;
    if step.by_handler() {
        need(who, Permission::HandleWorkOrders)?;
        if !in_scope(who, owner(&before)) {
            return Err(AccessError::OutOfScope.into());
        }
    } else {
        need(who, Permission::DispatchWorkOrders)?;
        if !(in_scope(who, owner(&before)) || in_scope(who, &before.community)) {
            return Err(AccessError::OutOfScope.into());
        }
        if matches!(step, Step::Escalate { .. }) && who.region.level() > RegionLevel::County {
            return Err(AccessError::Forbidden.into());
        }
    }
    if seen.is_some_and(|v| v.status != before.status || v.rework != before.rework) {
        return Err(OrderFailure::Changed);
    }
    let step = match step {
        Step::Dispatch { to } => {
            let to = community_of(store, &to).await?;
            within(who, Some(&to))?;
            Step::Dispatch { to: to.to_string() }
        }
        other => other,
    };
    let cal = minzheng_app::cases::calendar(store).await?;
    let after = apply(&before, &step, today, &cal)?;
    let note = match &step {
        Step::Refer { to } => to.clone(),
        Step::Dispatch { to } => to.clone(),
        Step::Reply { text } => text.clone(),
        Step::SendBack { reason } | Step::Extend { reason } => reason.clone(),
        Step::Evaluate { satisfaction } => satisfaction.clone(),
        Step::Escalate { note } => note.clone(),
        Step::Accept | Step::Sign | Step::Close => String::new(),
    };
    if !g.save_step(&before, &after, &step_record(who, step.name(), note, today), actor).await? {
        return Err(OrderFailure::Changed);
    }
    let mut after = after;
    masked(who, &mut after);
    Ok(after)
}

/// The note of an escalation made by the daily sweep.
pub const SWEEP_NOTE: &str = "超期未办结，系统每日督办";

/// 超期督办 by the daily sweep of a county desk (`minzheng grid escalate`): every open order of
/// the region past its time limit, or a petition not accepted within its 15 days, not yet
/// escalated, is escalated, each a step of its own by the sweep's account, audited. Returns how
/// many. Running it again escalates nothing twice.
pub async fn escalate_overdue(store: &dyn Store, cx: &RequestContext<'_>, region: Option<&RegionCode>) -> Result<u64, OrderFailure> {
    let (who, today) = (cx.who, cx.today);
    need(who, Permission::DispatchWorkOrders)?;
    if who.region.level() > RegionLevel::County {
        return Err(AccessError::Forbidden.into());
    }
    let region = within(who, region)?.clone();
    let (mut escalated, mut offset) = (0, 0);
    loop {
        let rows = grid_store(store).queue(&region, Queue::Open, false, offset, 1000).await?;
        if rows.is_empty() {
            break;
        }
        offset += u32::try_from(rows.len()).unwrap_or(u32::MAX);
        for o in rows.iter().filter(|o| !o.escalated && (o.overdue(today) || o.acceptance_overdue(today))) {
            let seen = Some(Seen { status: o.status, rework: o.rework });
            match act(store, cx, o.id, Step::Escalate { note: SWEEP_NOTE.into() }, seen).await {
                Ok(_) => escalated += 1,
                // Moved on meanwhile (signed, replied, escalated by hand): tomorrow's sweep sees it
                // as it is.
                Err(OrderFailure::Changed | OrderFailure::Invalid(OrderError::EscalatedAlready | OrderError::NotOverdue)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(escalated)
}

/// A page of a queue of the region (the account's own when none).
pub async fn queue(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    queue: Queue,
    page: u32,
    size: u32,
) -> Result<Vec<Order>, OrderFailure> {
    need(who, Permission::ReadWorkOrders)?;
    let region = within(who, region)?;
    let mut rows = grid_store(store).queue(region, queue, hides_petitions(who), page.saturating_sub(1).saturating_mul(size), size).await?;
    for o in &mut rows {
        masked(who, o);
    }
    Ok(rows)
}

/// The open orders of the account's region by status, with the overdue (for the work lines).
pub async fn work_counts(store: &dyn Store, who: &Principal, today: NaiveDate) -> Result<Vec<super::store::StatusCount>, OrderFailure> {
    need(who, Permission::ReadWorkOrders)?;
    Ok(grid_store(store).work_counts(&who.region, hides_petitions(who), today).await?)
}

/// The KPIs of the orders dispatched from `from` to `to` within the region: one row per
/// answering community, one per street, and the region's total (last).
pub async fn kpis(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Kpi>, OrderFailure> {
    need(who, Permission::ReadWorkOrders)?;
    let region = within(who, region)?;
    if from > to || (to - from).num_days() > 366 {
        return Err(OrderError::Period.into());
    }
    let cal = minzheng_app::cases::calendar(store).await?;
    let orders = grid_store(store).dispatched_between(region, from, to).await?;
    let mut by: std::collections::BTreeMap<String, Kpi> = std::collections::BTreeMap::new();
    let mut total = Kpi { area: region.to_string(), ..Kpi::default() };
    for o in &orders {
        let community = owner(o).to_string();
        let street: String = community.chars().take(RegionLevel::Street.digits()).collect();
        for area in [community, street] {
            by.entry(area.clone()).or_insert_with(|| Kpi { area, ..Kpi::default() }).add(o, today, &cal);
        }
        total.add(o, today, &cal);
    }
    let mut out: Vec<Kpi> = by.into_values().filter(|k| k.area.len() > region.as_str().len()).collect();
    out.push(total);
    Ok(out)
}
