//! 地名's use cases: the county's civil affairs bureau takes applications for names (with
//! reasons), records the expert review and the public consultation, the approval by the
//! competent government or its refusal, and the filing and announcement within 15 days each; a
//! rename keeps the former name as history. Every step is audited by the store.

use super::model::{check_proposal, filing_due, NameError, Proposal, Status};
use super::store::{placename_store, PlaceName, Step};
use crate::platform::scope::{need, within};
use chrono::NaiveDate;
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Permission, Principal, RegionCode, RegionLevel};
use minzheng_store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum NameFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Rule(#[from] NameError),
    /// Names are registered by a county's bureau.
    #[error("not a county")]
    NotACounty,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl NameFailure {
    pub fn is_input(&self) -> bool {
        matches!(self, NameFailure::Rule(_) | NameFailure::NotACounty)
    }
}

impl Bilingual for NameFailure {
    fn zh(&self) -> String {
        match self {
            NameFailure::Access(AccessError::NotFound) => "没有这个地名".into(),
            NameFailure::Access(e) => e.zh(),
            NameFailure::Rule(e) => e.zh(),
            NameFailure::NotACounty => "地名由区县民政部门受理，本账号不属于区县".into(),
            NameFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            NameFailure::Access(AccessError::NotFound) => "no such place name".into(),
            NameFailure::Access(e) => e.en(),
            NameFailure::Rule(e) => e.en(),
            NameFailure::NotACounty => "place names are taken by a county's bureau; this account is not a county's".into(),
            NameFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

fn county_of(p: &PlaceName) -> Result<RegionCode, StoreError> {
    RegionCode::parse(&p.county).map_err(|_| StoreError::Corrupt(format!("county {:?}", p.county)))
}

/// Takes an application for a name (or a rename) at the account's county.
pub async fn propose(store: &dyn Store, cx: &RequestContext<'_>, p: Proposal) -> Result<PlaceName, NameFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManagePlaceNames)?;
    if who.region.level() != RegionLevel::County {
        return Err(NameFailure::NotACounty);
    }
    let name = check_proposal(&p)?;
    let s = placename_store(store);
    if let Some(old) = p.renames {
        let o = s.get(old).await?.ok_or(NameError::NotRenamable)?;
        if o.status != Status::Approved || o.county != who.region.as_str() {
            return Err(NameError::NotRenamable.into());
        }
    }
    let mut n = PlaceName {
        id: 0,
        county: who.region.to_string(),
        category: p.category,
        specific: p.specific.trim().into(),
        generic: p.generic.trim().into(),
        name: name.clone(),
        location: p.location.trim().into(),
        reason: p.reason.trim().into(),
        renames_id: p.renames,
        status: Status::Applied,
        applied_on: today,
        review: String::new(),
        reviewed_on: None,
        consult_from: None,
        consult_to: None,
        consult_note: String::new(),
        decided_on: None,
        approver: String::new(),
        approval_no: String::new(),
        refused_reason: String::new(),
        filed_on: None,
        announced_on: None,
        recorded_by: actor.name.clone(),
    };
    n.id = match s.add(&n, actor).await {
        Err(StoreError::Conflict(why)) if why.starts_with("rename_open:") => {
            let open = match why.strip_prefix("rename_open:").and_then(|x| x.parse::<i64>().ok()) {
                Some(id) => s.get(id).await?.map(|o| o.name).unwrap_or_default(),
                None => String::new(),
            };
            return Err(NameError::RenameOpen(open).into());
        }
        Err(StoreError::Conflict(why)) => {
            let holder = match why.strip_prefix("duplicate:").and_then(|x| x.parse::<i64>().ok()) {
                Some(id) => s.get(id).await?,
                None => None,
            };
            let (existing, status) =
                holder.map_or((name.clone(), Status::Approved), |h| (format!("{}（{}）", h.name, h.location), h.status));
            return Err(NameError::Duplicate { name, existing, status }.into());
        }
        other => other?,
    };
    Ok(n)
}

/// A name with its former names, when within the account's region.
pub async fn get(store: &dyn Store, who: &Principal, id: i64) -> Result<(PlaceName, Vec<PlaceName>), NameFailure> {
    need(who, Permission::ReadPlaceNames)?;
    let s = placename_store(store);
    let n = s.get(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&county_of(&n)?) {
        return Err(AccessError::OutOfScope.into());
    }
    let former = s.former_names(id).await?;
    Ok((n, former))
}

/// A step of the procedure as asked for.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum NameAction {
    /// 专家论证: the experts' opinion.
    Review {
        opinion: String,
    },
    /// 征求社会公众意见: its period and what was heard.
    Consult {
        from: NaiveDate,
        to: NaiveDate,
        #[serde(default)]
        note: String,
    },
    /// 批准: by whom, with the document's number.
    Approve {
        approver: String,
        number: String,
    },
    Refuse {
        reason: String,
    },
    /// 备案 with the next level up.
    File {
        on: NaiveDate,
    },
    /// 公告
    Announce {
        on: NaiveDate,
    },
}

/// Takes a step on a name of the account's county.
pub async fn act(store: &dyn Store, cx: &RequestContext<'_>, id: i64, action: NameAction) -> Result<PlaceName, NameFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManagePlaceNames)?;
    let (n, _) = get(store, who, id).await?;
    // The county's own register only (as it takes its applications).
    if n.county != who.region.as_str() {
        return Err(AccessError::OutOfScope.into());
    }
    let not_future = |d: NaiveDate| if d > today { Err(NameError::Future(d)) } else { Ok(()) };
    let step = match action {
        NameAction::Review { opinion } => {
            if opinion.trim().is_empty() {
                return Err(NameError::Missing("专家论证意见").into());
            }
            Step::Review { opinion: opinion.trim().into(), on: today }
        }
        NameAction::Consult { from, to, note } => {
            not_future(from)?;
            if to < from {
                return Err(NameError::ConsultationPeriod(from, to).into());
            }
            Step::Consult { from, to, note: note.trim().into() }
        }
        NameAction::Approve { approver, number } => {
            if approver.trim().is_empty() {
                return Err(NameError::Missing("批准机关").into());
            }
            if number.trim().is_empty() {
                return Err(NameError::Missing("批准文号").into());
            }
            if let Some(to) = n.consult_to.filter(|to| today <= *to) {
                return Err(NameError::ConsultationOpen(to).into());
            }
            Step::Approve { on: today, approver: approver.trim().into(), number: number.trim().into() }
        }
        NameAction::Refuse { reason } => {
            if reason.trim().is_empty() {
                return Err(NameError::Missing("不予批准的理由").into());
            }
            Step::Refuse { on: today, reason: reason.trim().into() }
        }
        NameAction::File { on } | NameAction::Announce { on } if n.decided_on.is_some_and(|a| on < a) => {
            return Err(NameError::BeforeApproval(on, n.decided_on.unwrap_or(on)).into());
        }
        NameAction::File { on } => {
            not_future(on)?;
            Step::File { on }
        }
        NameAction::Announce { on } => {
            not_future(on)?;
            Step::Announce { on }
        }
    };
    if !placename_store(store).step(id, &step, actor).await? {
        let zh = match step {
            Step::Review { .. } => "专家论证",
            Step::Consult { .. } => "征求意见",
            Step::Approve { .. } => "批准",
            Step::Refuse { .. } => "不予批准",
            Step::File { .. } => "备案",
            Step::Announce { .. } => "公告",
        };
        return Err(NameError::OutOfOrder { step: zh, status: n.status }.into());
    }
    Ok(get(store, who, id).await?.0)
}

/// The county's register and the approved names still to file or announce (with their 15-day
/// limits).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Register {
    pub names: Vec<PlaceName>,
    pub unpublished: Vec<(PlaceName, NaiveDate)>,
}

pub async fn register(store: &dyn Store, who: &Principal, region: Option<&RegionCode>) -> Result<Register, NameFailure> {
    need(who, Permission::ReadPlaceNames)?;
    let region = within(who, region)?;
    let s = placename_store(store);
    let unpublished = s
        .unpublished(region, 100)
        .await?
        .into_iter()
        .map(|n| (filing_due(n.decided_on.unwrap_or(n.applied_on)), n))
        .map(|(d, n)| (n, d))
        .collect();
    Ok(Register { names: s.names_in(region, 200).await?, unpublished })
}

/// Why a door plate is not given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    #[error("the number {0:?} is not a door number")]
    BadNumber(String),
    #[error("the name is not a standard street or settlement name of the county")]
    NotAStreet,
    #[error("the community is not in the county")]
    NotInCounty,
    #[error("no building {0} in the community")]
    NoBuilding(String),
    #[error("the building has a plate already ({0})")]
    BuildingPlated(String),
    #[error("number {0} is given to {1}")]
    NumberTaken(String, String),
    #[error("date {0} after today")]
    Future(NaiveDate),
}

impl Bilingual for PlateError {
    fn zh(&self) -> String {
        match self {
            PlateError::BadNumber(n) => format!("门牌号“{n}”不规范，应为数字，可带分号，如 12 或 12-1"),
            PlateError::NotAStreet => "门牌须编在本区县已批准的街路巷或居民点标准地名上".into(),
            PlateError::NotInCounty => "该社区不在本区县".into(),
            PlateError::NoBuilding(b) => format!("人口库中该社区没有“{b}”"),
            PlateError::BuildingPlated(a) => format!("该楼栋已编门牌（{a}号）"),
            PlateError::NumberTaken(n, b) => format!("{n}号已编给“{b}”，同一地名上门牌号不得重复"),
            PlateError::Future(d) => format!("日期{d}晚于今天"),
        }
    }
    fn en(&self) -> String {
        match self {
            PlateError::BadNumber(n) => format!("door number {n:?}: digits, with a sub-number if any, as 12 or 12-1"),
            PlateError::NotAStreet => "a door plate is on an approved street or settlement name of the county".into(),
            PlateError::NotInCounty => "the community is not in the county".into(),
            PlateError::NoBuilding(b) => format!("no building {b:?} in the community's registry"),
            PlateError::BuildingPlated(a) => format!("the building has its plate already (number {a})"),
            PlateError::NumberTaken(n, b) => format!("number {n} is given to {b:?} already"),
            PlateError::Future(d) => format!("date {d} is after today"),
        }
    }
}

/// A door plate as asked for.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PlateRequest {
    pub street_id: i64,
    pub number: String,
    pub community: String,
    pub building: String,
    pub applied_on: NaiveDate,
}

/// Door plates are compiled within 10 working days of the application (local practice).
pub const PLATE_WORKING_DAYS: u32 = 10;

/// Gives a door plate on a standard name of the account's county to a building of the registry.
pub async fn assign_plate(store: &dyn Store, cx: &RequestContext<'_>, r: PlateRequest) -> Result<super::store::DoorPlate, PlateFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManagePlaceNames)?;
    if who.region.level() != RegionLevel::County {
        return Err(NameFailure::NotACounty.into());
    }
    let number = r.number.trim().to_string();
    let ok = {
        let mut parts = number.splitn(2, '-');
        let main = parts.next().unwrap_or("");
        let sub = parts.next();
        !main.is_empty()
            && main.len() <= 5
            && main.chars().all(|c| c.is_ascii_digit())
            && sub.is_none_or(|s| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
    };
    if !ok {
        return Err(PlateError::BadNumber(number).into());
    }
    if r.applied_on > today {
        return Err(PlateError::Future(r.applied_on).into());
    }
    let s = placename_store(store);
    let street = s.get(r.street_id).await?.ok_or(PlateError::NotAStreet)?;
    if street.status != Status::Approved
        || street.county != who.region.as_str()
        || !matches!(street.category, super::model::Category::Street | super::model::Category::Settlement)
    {
        return Err(PlateError::NotAStreet.into());
    }
    let community = RegionCode::parse(r.community.trim()).map_err(|_| PlateError::NotInCounty)?;
    if !who.region.contains(&community) || community.level() != RegionLevel::Community {
        return Err(PlateError::NotInCounty.into());
    }
    let plate = super::store::DoorPlate {
        id: 0,
        county: who.region.to_string(),
        street_id: street.id,
        street: street.name.clone(),
        number: number.clone(),
        community_code: community.to_string(),
        building_name: r.building.trim().to_string(),
        applied_on: r.applied_on,
        assigned_on: today,
    };
    match s.add_plate(&plate, actor).await {
        Ok(id) => Ok(super::store::DoorPlate { id, ..plate }),
        Err(StoreError::Conflict(why)) => Err(match why.split_once(':') {
            Some(("building_plated", n)) => PlateError::BuildingPlated(n.to_string()),
            Some(("number_taken", b)) => PlateError::NumberTaken(number, b.to_string()),
            _ => PlateError::NoBuilding(plate.building_name),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// Whether a plate was given later than 10 working days after its application.
pub fn plate_late(p: &super::store::DoorPlate, cal: &minzheng_domain::calendar::WorkCalendar) -> bool {
    p.assigned_on > cal.add_working_days(p.applied_on, PLATE_WORKING_DAYS)
}

#[derive(Debug, thiserror::Error)]
pub enum PlateFailure {
    #[error(transparent)]
    Name(#[from] NameFailure),
    #[error(transparent)]
    Plate(#[from] PlateError),
}

impl From<AccessError> for PlateFailure {
    fn from(e: AccessError) -> PlateFailure {
        PlateFailure::Name(e.into())
    }
}

impl From<StoreError> for PlateFailure {
    fn from(e: StoreError) -> PlateFailure {
        PlateFailure::Name(e.into())
    }
}

impl Bilingual for PlateFailure {
    fn zh(&self) -> String {
        match self {
            PlateFailure::Name(e) => e.zh(),
            PlateFailure::Plate(e) => e.zh(),
        }
    }
    fn en(&self) -> String {
        match self {
            PlateFailure::Name(e) => e.en(),
            PlateFailure::Plate(e) => e.en(),
        }
    }
}

/// The door plates and the address report of a region.
pub async fn plates(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
) -> Result<(Vec<super::store::DoorPlate>, super::store::AddressReport), NameFailure> {
    need(who, Permission::ReadPlaceNames)?;
    let region = within(who, region)?;
    let s = placename_store(store);
    Ok((s.plates_in(region, 200).await?, s.address_report(region, 50).await?))
}
