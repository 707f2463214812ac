//! 全市通办 · 审核确认 / Case handling: accept an application at any community of the city,
//! route it to the county that owns it, take it through the statutory procedure on time, and
//! end it in an enrolment whose amount the policy engine computed and explained.
//!
//! Role and region are checked here (and in the pure state machine, [`minzheng_domain::case`]),
//! every step is audited by the store in the same transaction, and a step taken on a case that
//! moved on since the page was read is refused (`seen` version).

use crate::registry::AccessError;
use chrono::NaiveDate;
use minzheng_domain::calendar::{CalendarDay, DayKind, WorkCalendar};
use minzheng_domain::case::{self as procedure, Case, CaseAction, CaseError, CaseFile, CaseStatus, Service, ServiceKind, TimeLimits};
use minzheng_domain::temporary::{check_amount, TemporaryLimits};
use minzheng_domain::{
    Bilingual, EnrolledMember, Enrolment, EnrolmentStatus, Fen, IdNumber, Permission, PersonStatus, Principal, RegionLevel, Role,
};
use minzheng_policy::explain::ProgramCheck;
use minzheng_policy::{Area, Engine};
use minzheng_store::{Actor, AuditEntry, CaseDocument, CaseEvent, CaseQuery, EnrolmentWrite, Page, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::Digest;

// ---- the catalogue and the calendar, shipped as data ----

/// 服务事项目录: the services any community accepts, with their steps and documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "service")]
    pub services: Vec<Service>,
}

impl Catalogue {
    /// Reads a catalogue; a mistake is refused with its line.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let c: Catalogue = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::BTreeSet::new();
        for s in &c.services {
            if !seen.insert(s.code.as_str()) {
                return Err(format!("service {} is listed twice / 服务事项 {} 重复", s.code, s.code));
            }
            let mut docs = std::collections::BTreeSet::new();
            for d in &s.documents {
                if !docs.insert(d.code.as_str()) {
                    return Err(format!("service {}: document {} is listed twice / 要件 {} 重复", s.code, d.code, d.code));
                }
            }
        }
        Ok(c)
    }

    /// The catalogue shipped for 沈阳市 (`policies/2101/services.toml`).
    pub fn shenyang() -> Catalogue {
        // The shipped file is checked by a test; an error here is a build mistake.
        Catalogue::parse(include_str!("../../../policies/2101/services.toml")).unwrap_or(Catalogue { services: Vec::new() })
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }
}

#[derive(Deserialize)]
struct CalendarFile {
    year: Vec<CalendarYear>,
}

#[derive(Deserialize)]
struct CalendarYear {
    year: i32,
    notice: String,
    holidays: Vec<DayRange>,
    workdays: Vec<DayRange>,
}

#[derive(Deserialize)]
struct DayRange {
    days: String,
    note: String,
}

/// Reads a calendar file (`policies/calendar.toml`): per year, holidays and exchanged working
/// days, single days or ranges `FIRST..LAST`.
pub fn parse_calendar(text: &str) -> Result<Vec<CalendarDay>, String> {
    let file: CalendarFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for y in file.year {
        for (kind, ranges) in [(DayKind::Holiday, &y.holidays), (DayKind::Workday, &y.workdays)] {
            for r in ranges {
                let (a, b) = r.days.split_once("..").unwrap_or((&r.days, &r.days));
                let parse = |t: &str| {
                    NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| format!("{}: {t:?} is not a date / 不是日期", y.year))
                };
                let (mut d, last) = (parse(a)?, parse(b)?);
                if d > last || chrono::Datelike::year(&d) != y.year || chrono::Datelike::year(&last) != y.year {
                    return Err(format!("{}: {:?} is not a range of days of that year / 不是该年的日期范围", y.year, r.days));
                }
                while d <= last {
                    out.push(CalendarDay { day: d, kind, note: format!("{}（{}）", r.note, y.notice) });
                    d += chrono::Duration::days(1);
                }
            }
        }
    }
    out.sort_by_key(|d| d.day);
    if let Some(w) = out.windows(2).find(|w| w[0].day == w[1].day) {
        return Err(format!("{} is listed twice / {} 重复列出", w[0].day, w[0].day));
    }
    Ok(out)
}

/// The shipped calendar (2025 and 2026).
pub fn shipped_calendar() -> Vec<CalendarDay> {
    parse_calendar(include_str!("../../../policies/calendar.toml")).unwrap_or_default()
}

/// Records the shipped calendar on a first start (a store without any listed day).
pub async fn ensure_calendar(store: &dyn Store, actor: &Actor) -> Result<usize, StoreError> {
    if !store.calendar_days().await?.is_empty() {
        return Ok(0);
    }
    let days = shipped_calendar();
    store.set_calendar_days(&days, actor).await?;
    Ok(days.len())
}

pub async fn calendar(store: &dyn Store) -> Result<WorkCalendar, StoreError> {
    Ok(WorkCalendar::new(&store.calendar_days().await?))
}

// ---- failures ----

/// Why a case use case was refused.
#[derive(Debug, thiserror::Error)]
pub enum CaseFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Procedure(#[from] CaseError),
    #[error("the case has changed since you read it: reload it and try again")]
    Stale,
    #[error("{en}")]
    Invalid { zh: String, en: String },
}

impl From<StoreError> for CaseFailure {
    fn from(e: StoreError) -> CaseFailure {
        CaseFailure::Access(AccessError::Store(e))
    }
}

impl From<crate::policy::PolicyFailure> for CaseFailure {
    fn from(e: crate::policy::PolicyFailure) -> CaseFailure {
        match e {
            crate::policy::PolicyFailure::Access(a) => CaseFailure::Access(a),
            other => CaseFailure::Invalid { zh: other.zh(), en: other.en() },
        }
    }
}

impl Bilingual for CaseFailure {
    fn zh(&self) -> String {
        match self {
            CaseFailure::Access(e) => e.zh(),
            CaseFailure::Procedure(e) => e.zh(),
            CaseFailure::Stale => "办件已被他人更新，请刷新后重试".into(),
            CaseFailure::Invalid { zh, .. } => zh.clone(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> CaseFailure {
    CaseFailure::Invalid { zh: zh.into(), en: en.into() }
}

fn refused_entry(id: &str, what: &str) -> AuditEntry {
    AuditEntry {
        action: "refused".into(),
        entity: "case".into(),
        entity_key: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "use": what })),
    }
}

// ---- accepting ----

/// An application as the accepting worker takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub service: String,
    pub applicant: IdNumber,
    /// Codes of the documents handed in.
    #[serde(default)]
    pub documents: Vec<String>,
    /// 工作人员近亲属 (declared by the applicant or known to the worker).
    #[serde(default)]
    pub staff_relative: bool,
    pub comment: String,
}

/// The documents an applicant must still bring: those the catalogue requires on the day, and
/// those whose shared data has nothing for this household (for the disability subsidies, a
/// disability certificate is replaced only where the registry records the disability; a 低保
/// certificate only where the household is enrolled).
pub fn documents_due(service: &Service, day: NaiveDate, has_disability: bool, has_dibao: bool) -> Vec<&minzheng_domain::case::Document> {
    service
        .documents
        .iter()
        .filter(|d| {
            !d.replaced(day)
                || match d.replaced_by.as_deref() {
                    // For the disability subsidies the certificate is the ground of the claim;
                    // elsewhere it is asked only of members who have one.
                    Some("disability") => !has_disability && service.program.starts_with("disability"),
                    Some("enrolment") => !has_dibao,
                    _ => false,
                }
        })
        .collect()
}

/// Accepts an application at the worker's community for any resident of the city (全市通办):
/// the case is owned by the applicant's hukou county and surveyed where the household lives.
/// Refused: a service that does not exist, documents missing, a second open case of the program
/// for the household, a new application for an enrolled household (or a change for one that
/// is not enrolled).
pub async fn accept(
    store: &dyn Store,
    catalogue: &Catalogue,
    who: &Principal,
    actor: &Actor,
    app: &Application,
    today: NaiveDate,
) -> Result<Case, CaseFailure> {
    let result = accept_unaudited(store, catalogue, who, actor, app, today).await;
    // Every refusal is recorded with its reason: what a refusal tells (enrolled, documents)
    // is personal data, and trying one number against each service must leave a trace.
    if let Err(e) = &result {
        if !matches!(e, CaseFailure::Access(AccessError::Store(_))) {
            store
                .audit(
                    actor,
                    &[AuditEntry {
                        action: "refused".into(),
                        entity: "person".into(),
                        entity_key: app.applicant.to_string(),
                        before: None,
                        after: Some(serde_json::json!({ "use": "accept", "service": app.service, "reason": e.en() })),
                    }],
                )
                .await?;
        }
    }
    result
}

async fn accept_unaudited(
    store: &dyn Store,
    catalogue: &Catalogue,
    who: &Principal,
    actor: &Actor,
    app: &Application,
    today: NaiveDate,
) -> Result<Case, CaseFailure> {
    if !who.may(Permission::AcceptApplications) || who.region.level() != RegionLevel::Community {
        return Err(AccessError::Forbidden.into());
    }
    let service = catalogue
        .service(app.service.trim())
        .ok_or_else(|| invalid(format!("服务事项“{}”不存在", app.service.trim()), format!("no service {:?}", app.service.trim())))?;
    if app.comment.trim().chars().count() < 4 {
        return Err(CaseError::NoComment.into());
    }
    let person = store.person(&app.applicant).await?.ok_or(AccessError::NotFound)?;
    let city = who.region.ancestor(RegionLevel::City).ok_or(AccessError::Forbidden)?;
    if !city.contains(&person.hukou_region) {
        return Err(invalid(
            "申请人户籍不在本市，不能通办受理",
            "the applicant's hukou is not in this city: the application cannot be accepted here",
        ));
    }
    if person.status != PersonStatus::Alive {
        return Err(invalid(
            "申请人在人口库中不是在册状态（死亡或迁出）",
            "the applicant is not living in the registry (deceased or moved out)",
        ));
    }
    let household_no = person
        .household_no
        .clone()
        .ok_or_else(|| invalid("申请人没有所属家庭户，请先在人口库登记", "the applicant belongs to no household: register it first"))?;
    let household = store.household(&household_no).await?.ok_or(AccessError::NotFound)?;
    let owner = person
        .hukou_region
        .ancestor(RegionLevel::County)
        .or_else(|| household.community.ancestor(RegionLevel::County))
        .ok_or(AccessError::NotFound)?;
    let members = store.household_members(&household_no).await?;
    let living: Vec<_> = members.iter().filter(|m| m.status == PersonStatus::Alive).collect();
    let enrolments = store.enrolments_of(&living.iter().map(|m| m.id_number).collect::<Vec<_>>()).await?;
    let enrolled = |program: &str| {
        enrolments.iter().any(|e| e.program == program && e.household_no == household_no && e.status != EnrolmentStatus::Stopped)
    };
    // A program granted to persons: is the applicant one of the enrolled members?
    let enrolled_self = |program: &str| {
        enrolments
            .iter()
            .any(|e| e.program == program && e.status != EnrolmentStatus::Stopped && e.members.iter().any(|m| m.id_number == app.applicant))
    };
    let is_enrolled = |program: &str| if service.per_person { enrolled_self(program) } else { enrolled(program) };
    match service.kind {
        ServiceKind::Apply if is_enrolled(&service.program) => {
            return Err(invalid(
                format!("该户已享受{}，请办理变更而不是新申请", service.program),
                format!("the household already receives {}: apply for a change instead", service.program),
            ));
        }
        ServiceKind::Change | ServiceKind::Suspend | ServiceKind::Stop | ServiceKind::Exit if !is_enrolled(&service.program) => {
            return Err(invalid(
                format!("该户没有在保的{}，不能办理{}", service.program, service.kind.zh()),
                format!("the household has no {} enrolment to {:?}", service.program, service.kind),
            ));
        }
        _ => {}
    }
    let has_disability = person.disability.is_some() || living.iter().any(|m| m.disability.is_some());
    let missing: Vec<_> = documents_due(service, today, has_disability, enrolled("dibao"))
        .into_iter()
        .filter(|d| !app.documents.iter().any(|c| c.trim() == d.code))
        .collect();
    if !missing.is_empty() {
        let names = |f: fn(&minzheng_domain::case::Document) -> &str, sep: &str| missing.iter().map(|d| f(d)).collect::<Vec<_>>().join(sep);
        return Err(invalid(format!("缺少办理要件：{}", names(|d| &d.zh, "、")), format!("documents missing: {}", names(|d| &d.en, ", "))));
    }
    let records = store.parameter_records().await?;
    let area = household.kind;
    let flag =
        minzheng_policy::params::in_force(&records, "case_approval_delegated", owner.as_str(), area, today).map(|r| r.value).unwrap_or(0);
    let calendar = calendar(store).await?;
    let child = app.applicant.age_on(today) < 18 || matches!(service.program.as_str(), "orphan" | "unsupported_child");
    let applicant = procedure::Applicant {
        id_number: app.applicant,
        name: person.name.clone(),
        household_no: household_no.clone(),
        household_size: u32::try_from(living.len()).unwrap_or(u32::MAX),
        community: household.community.clone(),
        owner,
    };
    let mut case = Case::accepted(service, applicant, who.region.clone(), today, &calendar, &TimeLimits::default());
    case.staff_relative = app.staff_relative;
    // 临时救助: the street approves directly up to its ceiling (seed 002).
    case.delegated = flag == 1 || service.amount_given;
    case.child = child;
    case.file.documents = app.documents.iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect();
    // The whole case's limit is shorter where the street decides.
    case.set_due(service, today, &calendar, &TimeLimits::default());
    let event = CaseEvent {
        case_id: 0,
        action: "accept".into(),
        from: String::new(),
        to: CaseStatus::Accepted,
        comment: app.comment.trim().to_string(),
        actor: who.name.clone(),
        role: who.role.as_str().into(),
        at: chrono::Utc::now(),
    };
    let waiting = case.waiting_for(service).map(Role::as_str);
    case.id = match store.add_case(&case, waiting, &event, actor).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(invalid(
                format!("该户已有办理中的{}申请，不能重复申请", service.zh),
                format!("the household already has an open case of {}", service.en),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(case)
}

// ---- steps ----

/// What the policy engine says of the case's program for the household on a day.
async fn rules_amount(store: &dyn Store, engine: &Engine, case: &Case, on: NaiveDate) -> Result<ProgramCheck, CaseFailure> {
    let household = store.household(&case.household_no).await?.ok_or(AccessError::NotFound)?;
    let snapshot = crate::policy::household_snapshot(store, &household).await?;
    let records = store.parameter_records().await?;
    let check = engine
        .check(&snapshot, &records, on)
        .await
        .map_err(|e| invalid(format!("核算引擎错误：{e}"), format!("policy engine error: {e}")))?
        .ok_or_else(|| invalid("该户没有在册成员，无法核算", "the household has no living members to check"))?;
    check.programs.into_iter().find(|p| p.code == case.program).ok_or_else(|| {
        invalid(format!("政策文件中没有项目“{}”", case.program), format!("no program {:?} in the policy files", case.program))
    })
}

fn unmet(check: &ProgramCheck) -> String {
    let mut out: Vec<String> = check.units.iter().flat_map(|u| u.steps.iter().filter(|s| !s.met).map(|s| s.zh.clone())).collect();
    out.dedup();
    out.join("；")
}

/// The limits of 临时救助 for a case on a day: the household's 低保 standard, the smallest single
/// payment and the street's and county's ceilings (`minzheng_domain::temporary`).
async fn temporary_limits(store: &dyn Store, case: &Case, on: NaiveDate) -> Result<TemporaryLimits, CaseFailure> {
    let records = store.parameter_records().await?;
    let area: Area = store.household(&case.household_no).await?.map(|h| h.kind).unwrap_or(Area::Urban);
    let county = case.owner.as_str();
    let value = |name: &str| minzheng_policy::params::in_force(&records, name, county, area, on).map(|r| r.value);
    // The bands are multiples of the standard: without one in force nothing can be placed.
    let standard = value("dibao_standard").filter(|s| *s > 0).ok_or_else(|| {
        invalid(
            format!("{} 在 {on} 没有生效的低保标准，无法确定临时救助的审批档次", case.owner),
            format!("no 低保 standard is in force in {} on {on}: the bands of temporary assistance cannot be placed", case.owner),
        )
    })?;
    Ok(TemporaryLimits {
        standard,
        minimum: value("linshi_minimum"),
        street_permille: value("linshi_street_ceiling_permille"),
        county_permille: value("linshi_county_ceiling_permille"),
    })
}

/// Takes a step of the procedure on a case. The account's role and region, the case's state
/// and what the step needs are checked by the state machine; an approval is computed by the
/// policy engine (the household must be eligible by the rules on the day of the decision) and
/// makes or changes the enrolment in the same transaction. `seen` is the version of the case
/// the account was shown.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    store: &dyn Store,
    engine: &Engine,
    catalogue: &Catalogue,
    who: &Principal,
    actor: &Actor,
    id: i64,
    action: &CaseAction,
    comment: &str,
    seen: Option<i64>,
    today: NaiveDate,
) -> Result<Case, CaseFailure> {
    let result = act_unaudited(store, engine, catalogue, who, actor, id, action, comment, seen, today).await;
    // Refused steps leave a record too (out of scope is recorded where it is found).
    if let Err(e @ (CaseFailure::Procedure(_) | CaseFailure::Stale | CaseFailure::Invalid { .. })) = &result {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "case".into(),
                    entity_key: id.to_string(),
                    before: None,
                    after: Some(serde_json::json!({ "use": action.as_str(), "reason": e.en() })),
                }],
            )
            .await?;
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn act_unaudited(
    store: &dyn Store,
    engine: &Engine,
    catalogue: &Catalogue,
    who: &Principal,
    actor: &Actor,
    id: i64,
    action: &CaseAction,
    comment: &str,
    seen: Option<i64>,
    today: NaiveDate,
) -> Result<Case, CaseFailure> {
    if !who.may(Permission::HandleCases) {
        return Err(AccessError::Forbidden.into());
    }
    let case = store.case(id).await?.ok_or(AccessError::NotFound)?;
    if !(who.in_scope(&case.owner) || who.in_scope(&case.community) || who.region == case.accepted_at) {
        store.audit(actor, &[refused_entry(&id.to_string(), action.as_str())]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    if seen.is_some_and(|v| v != case.version) {
        return Err(CaseFailure::Stale);
    }
    let service = catalogue.service(&case.service).ok_or_else(|| {
        invalid(format!("服务事项“{}”已不在目录中", case.service), format!("service {:?} is no longer in the catalogue", case.service))
    })?;
    // The state machine first: a step that is not allowed costs no computation.
    procedure::next_status(&case, service, who, action, comment, today)?;
    let calendar = calendar(store).await?;
    let limits = TimeLimits::default();
    let mut action = action.clone();
    let mut enrolment = None;
    // For programs granted to persons: the members of the household's enrolment the step was
    // computed from (another member's step in between makes this one stale).
    let mut seen_members: Option<Vec<IdNumber>> = None;
    let mut explanation = None;
    let mut review_months = 12;
    let mut proposed = None;
    let mut report_decision = None;
    // For a program granted to persons, the applicant's own amount (the enrolment holds the others' too).
    let mut own_amount: Option<Fen> = None;
    let mut temporary_band = None;
    match (&mut action, service.kind) {
        (CaseAction::Approve { amount }, _) if service.amount_given => {
            let given = amount.map(|a| a.0).unwrap_or(0);
            let limits = temporary_limits(store, &case, today).await?;
            let band = check_amount(given, &limits, case.delegated).map_err(|e| invalid(e.zh(), e.en()))?;
            temporary_band = Some(band);
        }
        (CaseAction::Approve { amount }, ServiceKind::Apply | ServiceKind::Change) => {
            let check = rules_amount(store, engine, &case, today).await?;
            // A program granted to persons is decided on the applicant's own unit.
            let own = check.units.iter().find(|u| u.unit == case.applicant.as_str());
            let eligible = if service.per_person { own.is_some_and(|u| u.eligible) } else { check.eligible() };
            if !eligible {
                return Err(invalid(
                    format!(
                        "按政策规则核算，{}不符合{}条件：{}。应作出不予批准决定并说明理由",
                        if service.per_person { "申请人" } else { "该户" },
                        check.zh,
                        unmet(&check)
                    ),
                    format!(
                        "by the rules the {} is not eligible for {}: refuse it with the reason",
                        if service.per_person { "applicant" } else { "household" },
                        check.en
                    ),
                ));
            }
            let members = store.household_members(&case.household_no).await?;
            review_months = check.review_months.max(1);
            if case.program == "dibao" {
                let counted: Vec<(u32, bool)> = members
                    .iter()
                    .filter(|m| m.status == PersonStatus::Alive)
                    .map(|m| (m.id_number.age_on(today), m.disability.is_some()))
                    .collect();
                review_months = procedure::review_months(review_months, &counted);
            }
            // A stopped enrolment is not carried on: the applicant starts a new one.
            let existing = if service.per_person {
                current_enrolment(store, &case).await.ok().filter(|e| e.status != EnrolmentStatus::Stopped)
            } else {
                None
            };
            let start = existing.as_ref().map_or_else(|| procedure::first_of_next_month(today), |e| e.start);
            if service.per_person {
                seen_members = Some(existing.as_ref().map(|e| e.members.iter().map(|m| m.id_number).collect()).unwrap_or_default());
            }
            let covered: Vec<EnrolledMember> = if service.per_person {
                // The members already enrolled stay; the applicant joins them.
                let mut c = existing.map(|e| e.members).unwrap_or_default();
                c.retain(|m| {
                    m.id_number != case.applicant && members.iter().any(|p| p.id_number == m.id_number && p.status == PersonStatus::Alive)
                });
                c.push(EnrolledMember { id_number: case.applicant, name: case.applicant_name.clone() });
                c
            } else {
                members
                    .iter()
                    .filter(|m| m.status == PersonStatus::Alive)
                    .filter(|m| {
                        check.unit == minzheng_policy::defs::Unit::Household
                            || check.units.iter().any(|u| u.eligible && u.unit == m.id_number.as_str())
                    })
                    .map(|m| EnrolledMember { id_number: m.id_number, name: m.name.clone() })
                    .collect()
            };
            own_amount = own.filter(|_| service.per_person).map(|u| Fen(u.amount));
            let monthly = if service.per_person {
                covered.iter().filter_map(|m| check.units.iter().find(|u| u.unit == m.id_number.as_str())).map(|u| u.amount).sum()
            } else {
                check.amount()
            };
            *amount = Some(Fen(monthly));
            enrolment = Some(Enrolment {
                id: 0,
                program: case.program.clone(),
                household_no: case.household_no.clone(),
                county: case.owner.clone(),
                members: covered,
                monthly_amount: Fen(monthly),
                start,
                status: EnrolmentStatus::Active,
            });
            explanation = serde_json::to_string(&check).ok();
        }
        (CaseAction::Approve { .. }, ServiceKind::Suspend | ServiceKind::Stop | ServiceKind::Exit) => {
            let mut current = current_enrolment(store, &case).await?;
            if service.per_person && service.kind == ServiceKind::Stop && current.members.len() > 1 {
                // A program granted to persons: only the applicant leaves it; the others stay paid.
                seen_members = Some(current.members.iter().map(|m| m.id_number).collect());
                let leaving = current
                    .members
                    .iter()
                    .position(|m| m.id_number == case.applicant)
                    .ok_or_else(|| invalid("申请人不是该在保记录的成员", "the applicant is not a member of the enrolment"))?;
                current.members.remove(leaving);
                // The others' amounts, as the rules give each of them today.
                let check = rules_amount(store, engine, &case, today).await?;
                current.monthly_amount = Fen(current
                    .members
                    .iter()
                    .filter_map(|m| check.units.iter().find(|u| u.unit == m.id_number.as_str()))
                    .map(|u| u.amount)
                    .sum());
                enrolment = Some(current);
            } else {
                let status = match service.kind {
                    ServiceKind::Suspend => EnrolmentStatus::Suspended,
                    ServiceKind::Stop => EnrolmentStatus::Stopped,
                    _ => EnrolmentStatus::Active,
                };
                enrolment = Some(Enrolment { status, ..current });
            }
        }
        (CaseAction::RecordCheck { per_capita_income, report: Some(rid), .. }, _) => {
            // The hand-over of a stored household check (核对报告): it must be this household's,
            // made for this application (its base date from 60 days before acceptance to today);
            // its income figure is taken as the rules counted it, and its decision is kept.
            let rid = *rid;
            let r = store
                .household_check(rid)
                .await?
                .ok_or_else(|| invalid(format!("核对报告 HC-{rid:06} 不存在"), format!("household check HC-{rid:06} does not exist")))?;
            if r.household_no != case.household_no {
                return Err(invalid(
                    format!("核对报告 HC-{rid:06} 不是本户的"),
                    format!("household check HC-{rid:06} is of another household"),
                ));
            }
            if r.on > today || r.on < case.accepted_on - chrono::Duration::days(60) {
                return Err(invalid(
                    format!("核对报告 HC-{rid:06} 的基准日 {} 不在本次申请的核对期内（受理前60天至今）", r.on),
                    format!("household check HC-{rid:06} is as of {}, outside this application (60 days before acceptance to today)", r.on),
                ));
            }
            if let Some(v) = r.figures.iter().find(|f| f.name == "income_per_capita").and_then(|f| f.value.trim().parse::<i64>().ok()) {
                *per_capita_income = Fen(v);
            }
            report_decision = r.programs.iter().find(|p| p.code == case.program).map(|p| {
                if p.eligible {
                    format!("核对报告 HC-{rid:06}：按规则符合{}", p.zh)
                } else {
                    format!("核对报告 HC-{rid:06}：按规则不符合{}（{}）", p.zh, p.unmet.join("；"))
                }
            });
        }
        (CaseAction::PublishNotice, _) if !service.amount_given => {
            // The notice shows the amount the rules give (公示金额).
            proposed = Some(Fen(rules_amount(store, engine, &case, today).await?.amount()));
        }
        _ => {}
    }
    let mut updated = procedure::apply(&case, service, who, &action, comment, today, &calendar, &limits)?;
    if proposed.is_some() {
        updated.file.proposed = proposed;
    }
    if let Some(c) = updated.file.check.as_mut().filter(|_| report_decision.is_some()) {
        c.report_decision = report_decision;
    }
    if let Some(d) = updated.file.decision.as_mut().filter(|d| d.approved) {
        d.explanation = explanation;
        d.band = temporary_band;
        match service.kind {
            ServiceKind::Apply | ServiceKind::Change if !service.amount_given => {
                d.review_on = d.start.map(|s| procedure::add_months(s, review_months))
            }
            // 渐退: paid on for at most 6 months (《最低生活保障审核确认办法》第三十三条), then ended.
            ServiceKind::Exit => d.exit_until = d.start.map(|s| procedure::add_months(s, 6)),
            _ => {}
        }
        if let Some(e) = &enrolment {
            d.amount = Some(own_amount.unwrap_or(e.monthly_amount));
        }
    }
    let event = CaseEvent {
        case_id: case.id,
        action: action.as_str().into(),
        from: case.status.as_str().into(),
        to: updated.status,
        comment: comment.trim().to_string(),
        actor: who.name.clone(),
        role: who.role.as_str().into(),
        at: chrono::Utc::now(),
    };
    let waiting = updated.waiting_for(service).map(Role::as_str);
    let write = enrolment.map(|enrolment| EnrolmentWrite { enrolment, seen_members });
    match store.act_on_case(&updated, waiting, case.version, &event, write.as_ref(), actor).await? {
        Some(stored) => Ok(stored),
        None => Err(CaseFailure::Stale),
    }
}

async fn current_enrolment(store: &dyn Store, case: &Case) -> Result<Enrolment, CaseFailure> {
    let members = store.household_members(&case.household_no).await?;
    let ids: Vec<IdNumber> = members.iter().map(|m| m.id_number).collect();
    store
        .enrolments_of(&ids)
        .await?
        .into_iter()
        .find(|e| e.program == case.program && e.household_no == case.household_no)
        .ok_or_else(|| invalid("该户没有可变更的在保记录", "the household has no enrolment to change"))
}

// ---- documents (申请材料) ----

/// The largest document accepted (a scanned certificate or a few pages of bills).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The type of a document, from its first bytes (the name and the browser's claim are not
/// trusted): PDF, JPEG or PNG; anything else is refused.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

fn document_path(dir: &std::path::Path, sha: &str) -> std::path::PathBuf {
    dir.join(&sha[..2]).join(sha)
}

/// Uploads a document of a case: by the staff serving the household or the accepting community,
/// while the case is open; one of the service's documents; PDF, JPEG or PNG by content; at most
/// [`MAX_DOCUMENT_BYTES`]. The file is written under `dir` by its SHA-256 (written whole, then
/// renamed into place), and recorded with its checksum (audited).
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    store: &dyn Store,
    dir: &std::path::Path,
    catalogue: &Catalogue,
    who: &Principal,
    actor: &Actor,
    case_id: i64,
    code: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<CaseDocument, CaseFailure> {
    let result = upload_unaudited(store, dir, catalogue, who, actor, case_id, code, file_name, bytes).await;
    if let Err(e @ CaseFailure::Invalid { .. }) = &result {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "case".into(),
                    entity_key: case_id.to_string(),
                    before: None,
                    after: Some(serde_json::json!({ "use": "upload_document", "code": code, "size": bytes.len(), "reason": e.en() })),
                }],
            )
            .await?;
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn upload_unaudited(
    store: &dyn Store,
    dir: &std::path::Path,
    catalogue: &Catalogue,
    who: &Principal,
    actor: &Actor,
    case_id: i64,
    code: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<CaseDocument, CaseFailure> {
    if !who.may(Permission::HandleCases) {
        return Err(AccessError::Forbidden.into());
    }
    let case = store.case(case_id).await?.ok_or(AccessError::NotFound)?;
    if !(who.in_scope(&case.community) || who.region == case.accepted_at) {
        store.audit(actor, &[refused_entry(&case_id.to_string(), "upload_document")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    if !case.status.is_open() {
        return Err(invalid("办件已办结，不能再上传材料", "the case is closed: no more documents"));
    }
    let service = catalogue.service(&case.service).ok_or(AccessError::NotFound)?;
    let doc = service.documents.iter().find(|d| d.code == code.trim()).ok_or_else(|| {
        invalid(format!("“{}”不是本事项的办理要件", code.trim()), format!("{:?} is not a document of this service", code.trim()))
    })?;
    if bytes.is_empty() {
        return Err(invalid("文件为空", "the file is empty"));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(invalid(
            format!("文件 {:.1} MB，超过 {} MB 的上限", bytes.len() as f64 / 1048576.0, MAX_DOCUMENT_BYTES / 1048576),
            format!("the file is {:.1} MB, over the limit of {} MB", bytes.len() as f64 / 1048576.0, MAX_DOCUMENT_BYTES / 1048576),
        ));
    }
    let content_type = sniff(bytes).ok_or_else(|| {
        invalid(
            "只接受 PDF、JPG、PNG 文件（按文件内容判断，不看扩展名）",
            "only PDF, JPEG and PNG files are accepted (judged by the content, not the name)",
        )
    })?;
    let sha = hex::encode(sha2::Sha256::digest(bytes));
    let path = document_path(dir, &sha);
    // Written whole and synced under a unique name, then renamed into place; a file already
    // there is kept only if it still has its checksum.
    let intact = std::fs::read(&path).is_ok_and(|b| hex::encode(sha2::Sha256::digest(&b)) == sha);
    if !intact {
        use std::io::Write;
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let io = |e: std::io::Error| invalid(format!("材料保存失败：{e}"), format!("the document could not be stored: {e}"));
        let parent = path.parent().ok_or_else(|| invalid("材料目录无效", "bad documents directory"))?;
        std::fs::create_dir_all(parent).map_err(io)?;
        let tmp = parent.join(format!(".{sha}.{}.{}", std::process::id(), SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).and_then(|_| f.sync_all()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
    }
    let name: String = file_name.trim().chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(120).collect();
    let mut d = CaseDocument {
        id: 0,
        case_id,
        code: doc.code.clone(),
        file_name: if name.is_empty() { doc.zh.clone() } else { name },
        content_type: content_type.into(),
        size: bytes.len() as i64,
        sha256: sha,
        uploaded_by: who.name.clone(),
        at: chrono::Utc::now(),
    };
    d.id = store.add_case_document(&d, actor).await?;
    Ok(d)
}

/// A case's documents, for those who see the whole case.
pub async fn documents(store: &dyn Store, who: &Principal, case: &CaseView) -> Result<Vec<CaseDocument>, CaseFailure> {
    if case.limited || !who.may(Permission::ReadRegistry) {
        return Ok(Vec::new());
    }
    Ok(store.case_documents(case.id).await?)
}

/// One document's bytes (audited), checked against its stored checksum.
pub async fn document(
    store: &dyn Store,
    dir: &std::path::Path,
    who: &Principal,
    actor: &Actor,
    case_id: i64,
    id: i64,
) -> Result<(CaseDocument, Vec<u8>), CaseFailure> {
    let (view, _) = case(store, who, actor, case_id).await?;
    if view.limited {
        store.audit(actor, &[refused_entry(&case_id.to_string(), "read_document")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    let d = store.case_document(id).await?.filter(|d| d.case_id == case_id).ok_or(AccessError::NotFound)?;
    // Scans of ID cards and household registers: for the roles that see full identities.
    if !who.role.sees_full_identity() {
        store.audit(actor, &[refused_entry(&case_id.to_string(), "read_document")]).await?;
        return Err(AccessError::Forbidden.into());
    }
    let bytes = std::fs::read(document_path(dir, &d.sha256))
        .map_err(|e| invalid(format!("材料文件缺失：{e}"), format!("the document's file is missing: {e}")))?;
    if hex::encode(sha2::Sha256::digest(&bytes)) != d.sha256 {
        return Err(invalid(
            "材料文件与登记的校验值不符（可能被改动）",
            "the document's file does not match its recorded checksum (it may have been altered)",
        ));
    }
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "read_document".into(),
                entity: "case".into(),
                entity_key: case_id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "document": id })),
            }],
        )
        .await?;
    Ok((d, bytes))
}

// ---- reading ----

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

fn read_entry(id: &str, action: &str) -> AuditEntry {
    AuditEntry { action: action.into(), entity: "case".into(), entity_key: id.to_string(), before: None, after: None }
}

/// One case with its steps (audited read).
pub async fn case(store: &dyn Store, who: &Principal, actor: &Actor, id: i64) -> Result<(CaseView, Vec<CaseEvent>), CaseFailure> {
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    let c = store.case(id).await?.ok_or(AccessError::NotFound)?;
    if !(who.in_scope(&c.owner) || who.in_scope(&c.community) || who.region == c.accepted_at) {
        store.audit(actor, &[refused_entry(&id.to_string(), "read")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    store.audit(actor, &[read_entry(&id.to_string(), "read_case")]).await?;
    let view = CaseView::of(c, who);
    let events = if view.limited { Vec::new() } else { store.case_events(id).await? };
    Ok((view, events))
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

/// The account's lists, keyset-paginated (audited with the ids shown).
/// `region` narrows the list to a region within the account's.
#[allow(clippy::too_many_arguments)]
pub async fn cases(
    store: &dyn Store,
    who: &Principal,
    actor: &Actor,
    list: CaseList,
    region: Option<&minzheng_domain::RegionCode>,
    before: Option<i64>,
    limit: u32,
    today: NaiveDate,
) -> Result<Page<CaseView>, CaseFailure> {
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
    let page = store.search_cases(&q).await?;
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "list_cases".into(),
                entity: "case".into(),
                entity_key: format!("{list:?}"),
                before: None,
                after: Some(serde_json::json!({ "ids": ids })),
            }],
        )
        .await?;
    Ok(Page { items: page.items.into_iter().map(|c| CaseView::of(c, who)).collect(), next: page.next })
}

/// The query of a list for an account (None: the role has no queue).
async fn list_query(
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

pub async fn work_counts(store: &dyn Store, who: &Principal, actor: &Actor, today: NaiveDate) -> Result<WorkCounts, CaseFailure> {
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
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "count_cases".into(),
                entity: "case".into(),
                entity_key: who.region.to_string(),
                before: None,
                after: Some(serde_json::to_value(counts).unwrap_or_default()),
            }],
        )
        .await?;
    Ok(counts)
}

/// The public notice list (公示名单) of a community: cases in notice there, with the name,
/// household size and amount only (children are never noticed).
pub async fn notice_list(
    store: &dyn Store,
    who: &Principal,
    actor: &Actor,
    community: &minzheng_domain::RegionCode,
) -> Result<Vec<Case>, CaseFailure> {
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    if !who.in_scope(community) {
        store.audit(actor, &[refused_entry(community.as_str(), "notice_list")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .search_cases(&CaseQuery {
                community: Some(community.clone()),
                status: Some(CaseStatus::Notice),
                before,
                limit: 500,
                ..CaseQuery::default()
            })
            .await?;
        out.extend(page.items.into_iter().filter(|c| !c.child));
        match page.next.and_then(|n| n.parse().ok()) {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    store.audit(actor, &[read_entry(community.as_str(), "notice_list")]).await?;
    Ok(out)
}

/// 公示名单 as PDF.
pub fn notice_pdf(community_name: &str, cases: &[Case], program_name: impl Fn(&str) -> String) -> Vec<u8> {
    use crate::pdf::Block;
    let mut blocks = vec![
        Block::Title(format!("{community_name}社会救助审核确认公示")),
        Block::Paragraph("根据《社会救助暂行办法》和《最低生活保障审核确认办法》，现将以下申请对象予以公示，公示期 7 天。对公示对象有异议的，请在公示期内向社区（村）或街道（乡镇）反映。".into()),
    ];
    blocks.push(Block::Table {
        widths: vec![1.0, 2.0, 2.6, 1.4, 1.8, 2.4],
        header: vec!["序号".into(), "申请人".into(), "项目".into(), "家庭人口".into(), "拟保障金额（元/月）".into(), "公示期".into()],
        rows: cases
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    (i + 1).to_string(),
                    c.applicant_name.clone(),
                    program_name(&c.program),
                    c.household_size.to_string(),
                    c.file.proposed.map(|f| f.to_string()).unwrap_or_default(),
                    format!(
                        "{} 至 {}",
                        c.notice_from.map(|d| d.to_string()).unwrap_or_default(),
                        c.notice_until.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ]
            })
            .collect(),
    });
    if cases.is_empty() {
        blocks.push(Block::Paragraph("本社区目前没有公示中的申请。".into()));
    }
    crate::pdf::render("社会救助审核确认公示", &blocks)
}

/// The decision letter (批准通知书) or the refusal letter with its reason (不予批准决定书).
pub fn decision_pdf(case: &Case, service: &Service, owner_name: &str) -> Option<Vec<u8>> {
    use crate::pdf::Block;
    let d = case.file.decision.as_ref()?;
    let title = if d.approved { "社会救助审批通知书" } else { "不予批准社会救助决定书" };
    let mut fields = vec![
        ("办件编号".to_string(), format!("QSTB-{:08}", case.id)),
        ("申请人".into(), format!("{}（{}）", case.applicant_name, case.applicant.masked())),
        ("申请事项".into(), service.zh.clone()),
        ("受理日期".into(), case.accepted_on.to_string()),
        ("决定日期".into(), d.on.to_string()),
        ("决定机关".into(), if case.delegated { format!("{owner_name}（审批权限下放，街道审批）") } else { format!("{owner_name}民政局") }),
    ];
    let mut blocks = vec![Block::Title(title.into())];
    if d.approved {
        match (d.amount, service.amount_given) {
            (Some(a), true) => fields.push(("救助金额（一次性）".into(), format!("{a} 元"))),
            (Some(a), false) => fields.push(("月保障金额".into(), format!("{a} 元"))),
            (None, _) => {}
        }
        if let Some(b) = d.band {
            fields.push(("审批档次".into(), b.zh().to_string()));
        }
        if let Some(s) = d.start {
            fields.push(("发放起始月份".into(), s.format("%Y年%m月").to_string()));
        }
        if let Some(r) = d.review_on {
            fields.push(("下次复核日期".into(), r.to_string()));
        }
        if let Some(e) = d.exit_until {
            fields.push(("渐退期至".into(), e.format("%Y年%m月").to_string()));
        }
        blocks.push(Block::Fields(fields));
        blocks.push(Block::Paragraph(format!("经审核，您的申请符合条件，决定予以批准。依据：{}。", service.basis)));
    } else {
        blocks.push(Block::Fields(fields));
        blocks.push(Block::Heading("不予批准的理由".into()));
        blocks.push(Block::Paragraph(d.reason.clone()));
        blocks.push(Block::Paragraph(format!(
            "依据：{}。如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
            service.basis
        )));
    }
    Some(crate::pdf::render(title, &blocks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_has_the_seeds_pilot_figures() {
        let c = Catalogue::parse(include_str!("../../../policies/2101/services.toml"));
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.services, Catalogue::shenyang().services);
        let since = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or_default();
        let on = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        let lines = minzheng_domain::case::documents_report(&c.services, since, on);
        let then: usize = lines.iter().map(|l| l.required_then).sum();
        let now: usize = lines.iter().map(|l| l.required.len()).sum();
        assert_eq!((then, then - now), (53, 27), "53 documents cut by 27 (50.9%), as seed 000 reports");
    }

    #[test]
    fn the_shipped_calendar_reads_and_a_bad_range_is_refused() {
        let days = shipped_calendar();
        let cal = WorkCalendar::new(&days);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        assert!(!cal.is_working(d("2026-02-16")), "春节");
        assert!(cal.is_working(d("2026-02-28")), "a Saturday worked in exchange");
        assert_eq!(cal.years(), vec![2025, 2026]);
        let bad =
            "[[year]]\nyear = 2026\nnotice = \"x\"\nholidays = [{ days = \"2026-10-07..2026-10-01\", note = \"国庆\" }]\nworkdays = []\n";
        assert!(parse_calendar(bad).is_err());
    }

    #[test]
    fn documents_replaced_by_data_are_asked_for_when_the_data_has_nothing() {
        let c = Catalogue::shenyang();
        let s = c.service("apply_disability_living").expect("service");
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        let with: Vec<&str> = documents_due(s, day, true, true).iter().map(|d| d.code.as_str()).collect();
        assert_eq!(with, vec!["application", "bank_account"]);
        let without: Vec<&str> = documents_due(s, day, false, false).iter().map(|d| d.code.as_str()).collect();
        assert!(without.contains(&"disability_certificate") && without.contains(&"dibao_certificate"), "{without:?}");
    }

    #[test]
    fn names_are_masked_to_the_family_name() {
        assert_eq!(mask_name("张秀英"), "张**");
        assert_eq!(mask_name("李"), "李*");
    }
}
