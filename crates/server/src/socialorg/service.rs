//! 社会组织's use cases: the registry office of a county or the city (the account's region)
//! receives and decides applications within 60 days, records changes (30 days), penalties and
//! deregistrations (15 days after liquidation), annual reports and inspections, ratings and the
//! credit lists; a penalty lists the organisation by its size; anyone may search the public
//! register. Every change is audited by the store in its own transaction.

use super::model::{
    change_due, check_application, decision_due, deregistration_due, grade, promotion_due, rating_bar, removable_from, report_due,
    Application, CreditList, Inspection, ListReason, Minimums, OrgError, OrgStatus,
};
use super::store::{socialorg_store, Counts, ListEntry, Org, OrgEvent, PublicOrg, Report};
use crate::platform::scope::{need, within};
use chrono::{Datelike, Duration, NaiveDate};
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::parameter::ParameterRecord;
use minzheng_domain::{Bilingual, IdNumber, Permission, Principal, RegionCode, RegionLevel};
use minzheng_store::{Store, StoreError};

/// Why a use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum OrgFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Rule(#[from] OrgError),
    /// The legal representative's ID number is not valid.
    #[error("bad ID number")]
    BadId(String),
    /// The account is not a registry office (a county's or the city's).
    #[error("not a registry office")]
    NotAnOffice,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl OrgFailure {
    pub fn is_input(&self) -> bool {
        matches!(self, OrgFailure::Rule(_) | OrgFailure::BadId(_) | OrgFailure::NotAnOffice)
    }
}

impl Bilingual for OrgFailure {
    fn zh(&self) -> String {
        match self {
            OrgFailure::Access(AccessError::NotFound) => "没有这个社会组织".into(),
            OrgFailure::Access(e) => e.zh(),
            OrgFailure::Rule(e) => e.zh(),
            OrgFailure::BadId(s) => format!("法定代表人身份证号“{s}”无效"),
            OrgFailure::NotAnOffice => "社会组织由区县或市级登记管理机关登记，本账号不是登记管理机关".into(),
            OrgFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            OrgFailure::Access(AccessError::NotFound) => "no such organisation".into(),
            OrgFailure::Access(e) => e.en(),
            OrgFailure::Rule(e) => e.en(),
            OrgFailure::BadId(s) => format!("the legal representative's ID number {s:?} is not valid"),
            OrgFailure::NotAnOffice => "organisations are registered by a county's or the city's registry office".into(),
            OrgFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

fn value(records: &[ParameterRecord], name: &str, region: &str, on: NaiveDate) -> Option<i64> {
    minzheng_policy::params::in_force(records, name, region, minzheng_policy::Area::Urban, on).map(|r| r.value)
}

/// The minimums in force in a region on a day (parameters `socialorg_*`; where none is in force,
/// the regulations' own figures for local bodies).
pub fn minimums(records: &[ParameterRecord], region: &str, on: NaiveDate) -> Minimums {
    let v = |n: &str, statutory: i64| value(records, n, region, on).unwrap_or(statutory);
    Minimums {
        individual_members: u32::try_from(v("socialorg_group_individual_members", 50)).unwrap_or(50),
        unit_members: u32::try_from(v("socialorg_group_unit_members", 30)).unwrap_or(30),
        group_capital_fen: v("socialorg_group_capital_fen", 3_000_000),
        service_capital_fen: v("socialorg_service_capital_fen", 0),
        foundation_public_fen: v("socialorg_foundation_public_fen", 400_000_000),
        foundation_private_fen: v("socialorg_foundation_private_fen", 200_000_000),
    }
}

/// The rating's cut-offs (5A first) in force.
pub fn cutoffs(records: &[ParameterRecord], region: &str, on: NaiveDate) -> [u32; 5] {
    let v = |n: &str| u32::try_from(value(records, n, region, on).unwrap_or(0)).unwrap_or(0);
    [v("socialorg_rating_5a"), v("socialorg_rating_4a"), v("socialorg_rating_3a"), v("socialorg_rating_2a"), v("socialorg_rating_1a")]
}

/// The registry office: the account's county or city.
fn office(who: &Principal) -> Result<RegionCode, OrgFailure> {
    match who.region.level() {
        RegionLevel::County | RegionLevel::City => Ok(who.region.clone()),
        _ => Err(OrgFailure::NotAnOffice),
    }
}

/// Receives an application at the account's office.
pub async fn apply(store: &dyn Store, cx: &RequestContext<'_>, a: Application) -> Result<Org, OrgFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManageSocialOrgs)?;
    let region = office(who)?;
    let records = store.parameter_records().await?;
    check_application(&a, &minimums(&records, region.as_str(), today))?;
    let rep = IdNumber::parse(a.legal_rep_id.trim()).map_err(|_| OrgFailure::BadId(a.legal_rep_id.trim().to_string()))?;
    let mut o = Org {
        id: 0,
        name: a.name.trim().to_string(),
        kind: a.kind,
        region: region.to_string(),
        credit_code: None,
        legal_rep_id: rep.to_string(),
        legal_rep_name: a.legal_rep_name.trim().to_string(),
        supervisor: a.supervisor.trim().to_string(),
        capital_fen: a.capital_fen,
        individual_members: a.individual_members,
        unit_members: a.unit_members,
        public_raising: a.public_raising,
        address: a.address.trim().to_string(),
        scope: a.scope.trim().to_string(),
        status: OrgStatus::Applied,
        received_on: today,
        decided_on: None,
        decision_note: String::new(),
        deregistered_on: None,
        rating: None,
        rating_score: None,
        rated_on: None,
        recorded_by: actor.name.clone(),
    };
    o.id = match socialorg_store(store).add_application(&o, actor).await {
        Err(StoreError::Conflict(_)) => return Err(OrgError::NameTaken(o.name).into()),
        other => other?,
    };
    Ok(o)
}

/// An organisation with what is recorded of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrgFile {
    pub org: Org,
    /// 60 days from receipt, while applied.
    pub decision_due: Option<NaiveDate>,
    pub events: Vec<OrgEvent>,
    pub reports: Vec<Report>,
    pub entries: Vec<ListEntry>,
    /// Why it may not be rated now (none: it may).
    pub rating_bar: Option<super::model::RatingBar>,
    /// The rating's last valid day.
    pub rating_valid_until: Option<NaiveDate>,
}

/// The organisation, when within the account's region.
pub async fn org(store: &dyn Store, who: &Principal, id: i64, today: NaiveDate) -> Result<OrgFile, OrgFailure> {
    need(who, Permission::ReadSocialOrgs)?;
    let s = socialorg_store(store);
    let o = s.org(id).await?.ok_or(AccessError::NotFound)?;
    let region = RegionCode::parse(&o.region).map_err(|_| StoreError::Corrupt(format!("region {:?}", o.region)))?;
    if !who.in_scope(&region) {
        return Err(AccessError::OutOfScope.into());
    }
    let events = s.events_of(id).await?;
    let reports = s.reports_of(id).await?;
    let entries = s.entries_of(id).await?;
    let bar = bar_of(&o, &events, &reports, &entries, today);
    let o = Org { legal_rep_id: crate::platform::scope::shown(who, &o.legal_rep_id), ..o };
    Ok(OrgFile {
        decision_due: (o.status == OrgStatus::Applied).then(|| decision_due(o.received_on)),
        rating_valid_until: o.rated_on.map(super::model::rating_valid_until),
        org: o,
        events,
        reports,
        entries,
        rating_bar: bar,
    })
}

fn bar_of(o: &Org, events: &[OrgEvent], reports: &[Report], entries: &[ListEntry], today: NaiveDate) -> Option<super::model::RatingBar> {
    let registered = o.decided_on.filter(|_| o.status == OrgStatus::Active)?;
    let inspections: Vec<(i32, Inspection)> = reports.iter().filter_map(|r| r.inspection.map(|i| (r.year, i))).collect();
    let listed = entries.iter().any(|e| e.removed_on.is_none());
    let penalised = events.iter().any(|e| e.kind == "penalty" && e.happened_on.year() >= today.year() - 1);
    let rated_until = o.rated_on.map(super::model::rating_valid_until);
    rating_bar(registered, rated_until, &inspections, listed, penalised, today)
}

/// What the registry office does to an organisation.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OrgAction {
    /// 准予登记
    Register { note: Option<String> },
    /// 不予登记, with the reason.
    Refuse { reason: String },
    /// 变更登记: what changed and when (approved by the supervising unit).
    Change { happened_on: NaiveDate, detail: String },
    /// 注销登记 after the liquidation.
    Deregister { liquidated_on: NaiveDate, detail: String },
    /// 行政处罚 (warning, fine ...), which lists the organisation.
    Penalty {
        happened_on: NaiveDate,
        detail: String,
        fine_fen: i64,
        #[serde(default)]
        licence_revoked: bool,
    },
    /// 年度报告 and 年检结论 of a year.
    Report { year: i32, to_supervisor_on: Option<NaiveDate>, to_registry_on: Option<NaiveDate>, inspection: Option<Inspection> },
    /// 等级评估: the score out of 1,000.
    Rate { score: u32 },
    /// 列入 a credit list for a statutory reason.
    List { reason: ListReason, listed_on: NaiveDate, basis: String },
    /// 移出 an entry: after its rectification verified, or with time.
    Unlist { entry: i64, rectified_on: Option<NaiveDate>, note: String },
}

fn not_future(d: NaiveDate, today: NaiveDate) -> Result<(), OrgError> {
    if d > today {
        Err(OrgError::Future(d))
    } else {
        Ok(())
    }
}

/// Takes an action on an organisation of the account's region.
pub async fn act(store: &dyn Store, cx: &RequestContext<'_>, id: i64, action: OrgAction) -> Result<OrgFile, OrgFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManageSocialOrgs)?;
    let file = org(store, who, id, today).await?;
    let s = socialorg_store(store);
    let o = &file.org;
    let active = || if o.status == OrgStatus::Active { Ok(()) } else { Err(OrgError::NotActive) };
    let event = |kind: &str, happened_on: NaiveDate, late: bool, detail: String, fine_fen: i64| OrgEvent {
        id: 0,
        org_id: id,
        kind: kind.into(),
        happened_on,
        filed_on: today,
        late,
        detail,
        fine_fen,
        recorded_by: actor.name.clone(),
    };
    match action {
        OrgAction::Register { note } => {
            if s.decide(id, true, today, note.as_deref().unwrap_or("").trim(), actor).await?.is_none() {
                return Err(OrgError::AlreadyDecided(o.status.zh().into()).into());
            }
        }
        OrgAction::Refuse { reason } => {
            if reason.trim().is_empty() {
                return Err(OrgError::Missing("不予登记的理由").into());
            }
            if s.decide(id, false, today, reason.trim(), actor).await?.is_none() {
                return Err(OrgError::AlreadyDecided(o.status.zh().into()).into());
            }
        }
        OrgAction::Change { happened_on, detail } => {
            active()?;
            not_future(happened_on, today)?;
            if detail.trim().is_empty() {
                return Err(OrgError::Missing("变更事项").into());
            }
            s.add_event(&event("change", happened_on, today > change_due(happened_on), detail.trim().into(), 0), actor).await?;
        }
        OrgAction::Deregister { liquidated_on, detail } => {
            active()?;
            not_future(liquidated_on, today)?;
            s.add_event(&event("deregister", liquidated_on, today > deregistration_due(liquidated_on), detail.trim().into(), 0), actor)
                .await?;
        }
        OrgAction::Penalty { happened_on, detail, fine_fen, licence_revoked } => {
            active()?;
            not_future(happened_on, today)?;
            if detail.trim().is_empty() {
                return Err(OrgError::Missing("处罚决定").into());
            }
            // The penalty lists the organisation (民政部令第60号): a revocation, a fine of 50,000
            // yuan or more, or two penalties within three years on the serious list; otherwise on
            // the abnormal list. One transaction with the penalty; a revocation ends the
            // registration.
            let earlier =
                file.events.iter().filter(|e| e.kind == "penalty" && e.happened_on > happened_on - Duration::days(3 * 365)).count();
            let reason = if licence_revoked {
                ListReason::LicenceRevoked
            } else if fine_fen >= 5_000_000 {
                ListReason::MajorFine
            } else if earlier >= 1 {
                ListReason::RepeatedPenalties
            } else {
                ListReason::MinorPenalty
            };
            let entry = ListEntry {
                id: 0,
                org_id: id,
                list: reason.list(),
                reason,
                listed_on: today,
                basis: detail.trim().into(),
                rectified_on: None,
                removed_on: None,
                removal_note: String::new(),
                recorded_by: actor.name.clone(),
            };
            let penalty = event("penalty", happened_on, false, detail.trim().into(), fine_fen.max(0));
            s.penalise(&penalty, &entry, licence_revoked, actor).await?;
        }
        OrgAction::Report { year, to_supervisor_on, to_registry_on, inspection } => {
            if year >= today.year() {
                return Err(OrgError::ReportTooEarly { year }.into());
            }
            for d in [to_supervisor_on, to_registry_on].into_iter().flatten() {
                not_future(d, today)?;
            }
            let r = Report { org_id: id, year, to_supervisor_on, to_registry_on, inspection };
            match s.add_report(&r, actor).await {
                Err(StoreError::Conflict(_)) => return Err(OrgError::ReportTwice(year).into()),
                other => other?,
            }
        }
        OrgAction::Rate { score } => {
            active()?;
            if score > 1000 {
                return Err(OrgError::BadScore(score).into());
            }
            if let Some(bar) = bar_of(o, &file.events, &file.reports, &file.entries, today) {
                return Err(OrgError::NotEligible(bar).into());
            }
            let records = store.parameter_records().await?;
            let cut = cutoffs(&records, &o.region, today);
            let Some(g) = grade(score, &cut) else { return Err(OrgError::BelowCutoff { score, lowest: cut[4] }.into()) };
            s.set_rating(id, g, score, today, actor).await?;
        }
        OrgAction::List { reason, listed_on, basis } => {
            not_future(listed_on, today)?;
            if basis.trim().is_empty() {
                return Err(OrgError::Missing("列入依据").into());
            }
            let entry = ListEntry {
                id: 0,
                org_id: id,
                list: reason.list(),
                reason,
                listed_on,
                basis: basis.trim().into(),
                rectified_on: None,
                removed_on: None,
                removal_note: String::new(),
                recorded_by: actor.name.clone(),
            };
            match s.add_entry(&entry, actor).await {
                Err(StoreError::Conflict(_)) => {
                    let since =
                        file.entries.iter().find(|e| e.list == entry.list && e.removed_on.is_none()).map_or(listed_on, |e| e.listed_on);
                    return Err(OrgError::AlreadyListed(since).into());
                }
                other => {
                    other?;
                }
            }
        }
        OrgAction::Unlist { entry, rectified_on, note } => {
            let e = file.entries.iter().find(|e| e.id == entry).ok_or(AccessError::NotFound)?;
            if e.removed_on.is_some() {
                return Err(OrgError::AlreadyRemoved.into());
            }
            if let Some(r) = rectified_on {
                not_future(r, today)?;
            }
            let clean = !file.events.iter().any(|x| x.kind == "penalty" && x.happened_on > e.listed_on);
            let from = removable_from(e.reason, e.listed_on, rectified_on, clean)?;
            if today < from {
                return Err(OrgError::NotYetRemovable(from).into());
            }
            if !s.remove_entry(entry, rectified_on, today, note.trim(), actor).await? {
                return Err(OrgError::AlreadyRemoved.into());
            }
        }
    }
    org(store, who, id, today).await
}

/// The registry office's desk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Desk {
    pub counts: Counts,
    /// Applications not decided, with their 60-day limits.
    pub pending: Vec<(Org, NaiveDate)>,
    /// The year whose reports are overdue, the organisations missing theirs and how many.
    pub report_year: i32,
    pub reports_missing: Vec<Org>,
    pub reports_missing_count: u64,
    /// Abnormal entries two years old or more: to go on the serious list.
    pub to_promote: Vec<(ListEntry, Org)>,
}

pub async fn desk(store: &dyn Store, who: &Principal, region: Option<&RegionCode>, today: NaiveDate) -> Result<Desk, OrgFailure> {
    need(who, Permission::ReadSocialOrgs)?;
    let region = within(who, region)?;
    let s = socialorg_store(store);
    let mut pending: Vec<(Org, NaiveDate)> = s
        .orgs_in(region, OrgStatus::Applied, 200)
        .await?
        .into_iter()
        .map(|o| (decision_due(o.received_on), o))
        .map(|(d, o)| (o, d))
        .collect();
    pending.sort_by_key(|(o, due)| (*due, o.id));
    // Last year's reports are overdue from 1 June; before that, the year before's.
    let year = if today > report_due(today.year() - 1).1 { today.year() - 1 } else { today.year() - 2 };
    let registered_by = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let (reports_missing, reports_missing_count) = s.reports_missing(region, year, registered_by, 50).await?;
    let two_years_ago = today.checked_sub_months(chrono::Months::new(24)).unwrap_or(today);
    let to_promote = s.open_entries(region, CreditList::Abnormal, two_years_ago, 50).await?;
    debug_assert!(to_promote.iter().all(|(e, _)| promotion_due(e.listed_on) <= today));
    Ok(Desk { counts: s.counts(region).await?, pending, report_year: year, reports_missing, reports_missing_count, to_promote })
}

/// The public register (no sign-in): by credit code or name.
pub async fn search(store: &dyn Store, q: &str) -> Result<Vec<PublicOrg>, StoreError> {
    if q.trim().chars().count() < 2 {
        return Ok(Vec::new());
    }
    socialorg_store(store).search_public(q, 50).await
}
