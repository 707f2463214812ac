//! 养老服务's use cases: who may assess, file, admit and read, in which region; what an
//! assessment sets going (the person's self-care for the rules; a 特困 change case when the care
//! band changes); the indicators of the counties. Every change is audited by the store in its
//! own transaction.

use super::assessment::{assess, self_care_band, self_care_zh, Answers, AssessmentError, Reason};
use super::model::{
    check_closure, check_filing, check_inspection, indicators, inspection_overdue, Beds, CountyFacts, Filing, Indicators, Inspection,
    InspectionError, Institution, InstitutionError, InstitutionStatus, Residency, FILING_WORKING_DAYS,
};
use super::store::{eldercare_store, AssessmentRecord};
use crate::platform::scope::{need, shown, within};
use chrono::{Months, NaiveDate};
use minzheng_app::cases::{calendar, open_change_case, CaseFailure, Catalogue, ChangeOpened};
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, IdNumber, Permission, PersonStatus, Principal, RegionCode};
use minzheng_store::{Actor, Store, StoreError};
use std::collections::BTreeMap;

/// The program whose care allowance follows the self-care band (特困人员救助供养).
pub const TEKUN: &str = "tekun";

/// Why a resident cannot be admitted or discharged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentError {
    /// The person (named when they live within the account's region).
    #[error("{0:?} is recorded as deceased or moved out")]
    NotLiving(Option<String>),
    /// The person and the institution they live in (each named when within the account's
    /// region).
    #[error("{name:?} already lives in {institution:?}")]
    Elsewhere { name: Option<String>, institution: Option<String> },
    #[error("{residents} residents live there now: not fewer beds than that")]
    BedsBelowResidents { residents: usize },
    #[error("all {0} beds are taken")]
    Full(i64),
    #[error("{0:?} is not supported as 特困 now")]
    NotTekun(Option<String>),
    #[error("date {0} is after today")]
    Future(NaiveDate),
    #[error("discharge {discharge} before admission {admitted}")]
    BeforeAdmission { admitted: NaiveDate, discharge: NaiveDate },
    #[error("the residence has ended")]
    Ended,
}

impl Bilingual for ResidentError {
    fn zh(&self) -> String {
        match self {
            ResidentError::NotLiving(n) => format!("{}在人口库中登记为死亡或迁出，不能办理入住", n.as_deref().unwrap_or("该居民")),
            ResidentError::Elsewhere { name, institution } => {
                format!("{}正入住{}，请先办理离院", name.as_deref().unwrap_or("该居民"), institution.as_deref().unwrap_or("其他养老机构"))
            }
            ResidentError::BedsBelowResidents { residents } => format!("现有入住老人{residents}人，床位总数不能少于入住人数"),
            ResidentError::Full(n) => format!("床位已满（共{n}张），不能再收住"),
            ResidentError::NotTekun(n) => format!("{}当前不在特困供养中，不能登记为集中供养", n.as_deref().unwrap_or("该居民")),
            ResidentError::Future(d) => format!("日期{d}晚于今天"),
            ResidentError::BeforeAdmission { admitted, discharge } => format!("离院日期{discharge}早于入住日期{admitted}"),
            ResidentError::Ended => "该入住记录已办理离院".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            ResidentError::NotLiving(n) => {
                format!("{} is recorded as deceased or moved out and cannot be admitted", n.as_deref().unwrap_or("this resident"))
            }
            ResidentError::Elsewhere { name, institution } => format!(
                "{} lives in {}; discharge them there first",
                name.as_deref().unwrap_or("this resident"),
                institution.as_deref().unwrap_or("another institution")
            ),
            ResidentError::BedsBelowResidents { residents } => format!("{residents} residents live there now: not fewer beds than that"),
            ResidentError::Full(n) => format!("all {n} beds are taken"),
            ResidentError::NotTekun(n) => {
                format!("{} is not supported as 特困 now, so cannot be in concentrated support", n.as_deref().unwrap_or("this resident"))
            }
            ResidentError::Future(d) => format!("date {d} is after today"),
            ResidentError::BeforeAdmission { admitted, discharge } => format!("discharge {discharge} is before admission {admitted}"),
            ResidentError::Ended => "the residence has already ended".into(),
        }
    }
}

/// Why an elderly-care use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum EldercareFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Assessment(#[from] AssessmentError),
    #[error(transparent)]
    Institution(#[from] InstitutionError),
    #[error(transparent)]
    Resident(#[from] ResidentError),
    #[error(transparent)]
    Inspection(#[from] InspectionError),
    #[error("person {0} is recorded as deceased")]
    Deceased(String),
    #[error(transparent)]
    Case(#[from] CaseFailure),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EldercareFailure {
    /// Whether the failure is about what was typed (the form comes back with the message).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            EldercareFailure::Assessment(_)
                | EldercareFailure::Institution(_)
                | EldercareFailure::Resident(_)
                | EldercareFailure::Inspection(_)
                | EldercareFailure::Deceased(_)
                | EldercareFailure::Access(AccessError::NotFound | AccessError::OutOfScope)
        )
    }
}

impl Bilingual for EldercareFailure {
    fn zh(&self) -> String {
        match self {
            EldercareFailure::Access(AccessError::NotFound) => "人口库中没有这个身份证号".into(),
            EldercareFailure::Access(e) => e.zh(),
            EldercareFailure::Assessment(e) => e.zh(),
            EldercareFailure::Institution(e) => e.zh(),
            EldercareFailure::Resident(e) => e.zh(),
            EldercareFailure::Inspection(e) => e.zh(),
            EldercareFailure::Deceased(n) => format!("{n}在人口库中登记为死亡，不能评估"),
            EldercareFailure::Case(e) => e.zh(),
            EldercareFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            EldercareFailure::Access(AccessError::NotFound) => "no resident with this ID number in the registry".into(),
            EldercareFailure::Access(e) => e.en(),
            EldercareFailure::Assessment(e) => e.en(),
            EldercareFailure::Institution(e) => e.en(),
            EldercareFailure::Resident(e) => e.en(),
            EldercareFailure::Inspection(e) => e.en(),
            EldercareFailure::Deceased(n) => format!("{n} is recorded as deceased and cannot be assessed"),
            EldercareFailure::Case(e) => e.en(),
            EldercareFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

/// A person found in the registry with the community they live in, within the account's region.
async fn placed(store: &dyn Store, who: &Principal, id_number: &str) -> Result<(minzheng_domain::Person, RegionCode), EldercareFailure> {
    let id = IdNumber::parse(id_number.trim()).map_err(|_| AccessError::NotFound)?;
    let (person, community) = store.person_placed(&id).await?.ok_or(AccessError::NotFound)?;
    let community = community.ok_or(AccessError::OutOfScope)?;
    if !who.in_scope(&community) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok((person, community))
}

/// An assessment as the assessor hands it in.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub id_number: String,
    pub assessed_on: NaiveDate,
    pub reason: Reason,
    pub assessor: String,
    pub organisation: String,
    pub answers: Answers,
}

/// An assessment stored, and what it set going.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recorded {
    pub assessment: AssessmentRecord,
    /// The person's 特困 care band changed: the change case (特困供养变更) opened for it.
    pub change: Option<ChangeOpened>,
    /// The band changed but the change case could not be opened (the assessment is stored all
    /// the same): why, for staff to open it by hand.
    pub change_failed: Option<String>,
}

/// Records an ability assessment of a resident of the account's region. The newest assessment
/// sets the person's self-care for the rules (the 特困 care allowance); when the person is
/// supported as 特困 and the care band changes (自理 / 部分丧失 / 完全丧失), a change case is
/// opened at the household's community so that the amount is decided again
/// (《特困人员认定办法》第二十二条: 生活自理能力发生变化的，及时调整).
pub async fn record_assessment(
    store: &dyn Store,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    a: NewAssessment,
) -> Result<Recorded, EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::AssessAbility)?;
    let (person, community) = placed(store, who, &a.id_number).await?;
    if matches!(person.status, PersonStatus::Deceased(_)) {
        return Err(EldercareFailure::Deceased(person.name));
    }
    if a.assessor.trim().is_empty() {
        return Err(AssessmentError::NoAssessor.into());
    }
    if a.assessed_on > today {
        return Err(AssessmentError::Future(a.assessed_on).into());
    }
    let outcome = assess(&a.answers)?;
    let elder = eldercare_store(store);
    let before = elder.assessments_of(person.id_number.as_str()).await?;
    let newest = before.first().is_none_or(|b| a.assessed_on >= b.assessed_on);
    let old_failed = before.first().map_or(0, |b| b.outcome.self_care_failed);
    let mut record = AssessmentRecord {
        id: 0,
        id_number: person.id_number.to_string(),
        name: person.name.clone(),
        community: community.to_string(),
        assessed_on: a.assessed_on,
        reason: a.reason,
        assessor: a.assessor.trim().to_string(),
        organisation: a.organisation.trim().to_string(),
        answers: a.answers,
        outcome,
        recorded_by: actor.name.clone(),
        recorded_at: chrono::Utc::now(),
    };
    record.id = elder.add_assessment(&record, actor).await?;
    let new_failed = record.outcome.self_care_failed;
    let mut change = None;
    let mut change_failed = None;
    if newest && self_care_band(new_failed) != self_care_band(old_failed) {
        let month = today;
        let tekun: Vec<_> = match store.enrolments_of(&[person.id_number]).await {
            Ok(v) => v
                .into_iter()
                .filter(|e| {
                    e.program == TEKUN
                        && e.paid_for(month)
                        && e.members.iter().any(|m| m.id_number == person.id_number && m.paid_for(month))
                })
                .collect(),
            Err(e) => {
                change_failed = Some(e.to_string());
                Vec::new()
            }
        };
        if let Some(e) = tekun.first() {
            let comment = format!(
                "{}能力评估（{}，评估#{}）：{}生活自理能力由“{}”变为“{}”，照料护理标准需重新核定（系统自动发起）",
                record.assessed_on.format("%Y年%-m月%-d日"),
                record.reason.zh(),
                record.id,
                person.name,
                self_care_zh(old_failed),
                self_care_zh(new_failed),
            );
            // The assessment is stored: a failure here is reported, not thrown, so that the
            // form is not sent again (a second assessment of the same band opens nothing).
            let opened = match calendar(store).await {
                Ok(cal) => open_change_case(store, catalogue, actor, e, comment, today, &cal).await.map_err(|e| e.zh()),
                Err(e) => Err(e.to_string()),
            };
            match opened {
                Ok(o) => change = Some(o),
                Err(why) => change_failed = Some(why),
            }
        }
    }
    Ok(Recorded { assessment: record, change, change_failed })
}

/// A person's assessments, newest first, for an account that may read elderly care in the
/// person's region now.
pub async fn assessments_of(store: &dyn Store, who: &Principal, id_number: &str) -> Result<Vec<AssessmentRecord>, EldercareFailure> {
    need(who, Permission::ReadElderCare)?;
    let (person, _) = placed(store, who, id_number).await?;
    let mut all = eldercare_store(store).assessments_of(person.id_number.as_str()).await?;
    for a in &mut all {
        a.id_number = shown(who, &a.id_number);
    }
    Ok(all)
}

fn community_of(a: &AssessmentRecord) -> Result<RegionCode, StoreError> {
    RegionCode::parse(&a.community).map_err(|_| StoreError::Corrupt(format!("community {:?}", a.community)))
}

/// One assessment, when its community (where the person lived when assessed) is within the
/// account's region, with the person's other assessments the account may read (newest first):
/// a person who moved keeps their history in the region that made it.
pub async fn assessment(
    store: &dyn Store,
    who: &Principal,
    id: i64,
) -> Result<(AssessmentRecord, Vec<AssessmentRecord>), EldercareFailure> {
    need(who, Permission::ReadElderCare)?;
    let elder = eldercare_store(store);
    let mut a = elder.assessment(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&community_of(&a)?) {
        return Err(AccessError::OutOfScope.into());
    }
    let mut history = Vec::new();
    for mut h in elder.assessments_of(&a.id_number).await? {
        if who.in_scope(&community_of(&h)?) {
            h.id_number = shown(who, &h.id_number);
            history.push(h);
        }
    }
    a.id_number = shown(who, &a.id_number);
    Ok((a, history))
}

/// The residents of the account's region whose routine re-assessment is due by `today` (their
/// newest assessment 12 months old or more), oldest first (at most `limit`), and how many.
pub async fn due_assessments(
    store: &dyn Store,
    who: &Principal,
    today: NaiveDate,
    limit: u32,
) -> Result<(Vec<AssessmentRecord>, u64), EldercareFailure> {
    need(who, Permission::ReadElderCare)?;
    let before = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let (mut list, n) = eldercare_store(store).due_assessments(&who.region, before, limit).await?;
    for a in &mut list {
        a.id_number = shown(who, &a.id_number);
    }
    Ok((list, n))
}

/// When the next routine assessment is due (常规评估: at least every 12 months).
pub fn next_routine(a: &AssessmentRecord) -> NaiveDate {
    a.assessed_on.checked_add_months(Months::new(12)).unwrap_or(a.assessed_on)
}

/// Files an institution of the account's region: complete → stored with its receipt number;
/// incomplete → refused with every missing particular named (nothing stored). A filing later
/// than 10 working days after the first admission is taken and marked late.
pub async fn file(store: &dyn Store, cx: &RequestContext<'_>, f: Filing) -> Result<Institution, EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManageInstitutions)?;
    if !who.in_scope(&f.region) {
        return Err(AccessError::OutOfScope.into());
    }
    check_filing(&f, today)?;
    let elder = eldercare_store(store);
    let filed = elder.institution_by_registration(f.registration.trim()).await?.map(|i| as_of(i, today));
    if let Some(there) = filed.filter(|i| i.status != InstitutionStatus::Closed) {
        return Err(InstitutionError::AlreadyFiled(there.receipt).into());
    }
    let cal = calendar(store).await?;
    let due = f.first_admission.map(|d| cal.add_working_days(d, FILING_WORKING_DAYS));
    let filed_late = due.is_some_and(|due| today > due);
    let institution = Institution {
        id: 0,
        filing: f,
        filed_on: today,
        receipt: String::new(),
        filed_late,
        grade: None,
        status: InstitutionStatus::Open,
        closes_on: None,
        resettlement_plan: String::new(),
    };
    Ok(elder.add_institution(&institution, actor).await?)
}

/// The institutions of the account's region (or of `region` within it).
pub async fn institutions(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    today: NaiveDate,
) -> Result<Vec<Institution>, EldercareFailure> {
    need(who, Permission::ReadElderCare)?;
    let region = within(who, region)?;
    Ok(eldercare_store(store).institutions(region).await?.into_iter().map(|i| as_of(i, today)).collect())
}

/// An institution as it stands on `day`: one closing on or before it is closed.
fn as_of(mut i: Institution, day: NaiveDate) -> Institution {
    if i.status == InstitutionStatus::Closing && i.closes_on.is_some_and(|c| c <= day) {
        i.status = InstitutionStatus::Closed;
    }
    i
}

/// An institution within the account's region, for a role with `p`, as it stands on `today`.
async fn found(store: &dyn Store, who: &Principal, id: i64, p: Permission, today: NaiveDate) -> Result<Institution, EldercareFailure> {
    need(who, p)?;
    let i = eldercare_store(store).institution(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&i.filing.region) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok(as_of(i, today))
}

/// One institution with its residents and its inspections (newest first), when within the
/// account's region.
pub async fn institution(
    store: &dyn Store,
    who: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<(Institution, Vec<Residency>, Vec<Inspection>), EldercareFailure> {
    let i = found(store, who, id, Permission::ReadElderCare, today).await?;
    let elder = eldercare_store(store);
    let mut residents = elder.residents(id).await?;
    for r in &mut residents {
        r.id_number = shown(who, &r.id_number);
    }
    Ok((i, residents, elder.inspections(id).await?))
}

async fn managed(store: &dyn Store, who: &Principal, id: i64, today: NaiveDate) -> Result<Institution, EldercareFailure> {
    found(store, who, id, Permission::ManageInstitutions, today).await
}

/// Records an inspection of an institution of the account's region.
pub async fn inspect(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: i64,
    mut inspection: Inspection,
) -> Result<Inspection, EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    let i = managed(store, who, id, today).await?;
    inspection.institution_id = id;
    inspection.inspector = inspection.inspector.trim().to_string();
    inspection.findings = inspection.findings.trim().to_string();
    check_inspection(&inspection, today)?;
    inspection.id = eldercare_store(store).add_inspection(&inspection, &i.receipt, actor).await?;
    Ok(inspection)
}

/// The institutions among `list` not inspected in the 12 months before `today` (年检逾期).
pub async fn overdue_inspections(
    store: &dyn Store,
    region: &RegionCode,
    list: &[Institution],
    today: NaiveDate,
) -> Result<std::collections::HashSet<i64>, EldercareFailure> {
    let last: std::collections::HashMap<i64, NaiveDate> =
        eldercare_store(store).last_inspections(region, today).await?.into_iter().collect();
    Ok(list.iter().filter(|i| inspection_overdue(i, last.get(&i.id).copied(), today)).map(|i| i.id).collect())
}

/// Records the grade of an institution (GB/T 37276-2018: 1 to 5; none to clear it).
pub async fn grade(store: &dyn Store, cx: &RequestContext<'_>, id: i64, grade: Option<u8>) -> Result<Institution, EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    let before = managed(store, who, id, today).await?;
    if before.status == InstitutionStatus::Closed {
        return Err(InstitutionError::Closed.into());
    }
    let mut i = before.clone();
    if let Some(g) = grade.filter(|g| !(1..=5).contains(g)) {
        return Err(InstitutionError::Grade(g).into());
    }
    i.grade = grade;
    eldercare_store(store).update_institution(&before, &i, "grade_institution", actor).await?;
    Ok(i)
}

/// Records the beds after a change (beds added, converted to nursing-type): never fewer than the
/// residents living there.
pub async fn change_beds(store: &dyn Store, cx: &RequestContext<'_>, id: i64, beds: Beds) -> Result<Institution, EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    let before = managed(store, who, id, today).await?;
    if before.status == InstitutionStatus::Closed {
        return Err(InstitutionError::Closed.into());
    }
    let mut i = before.clone();
    let mut f = i.filing.clone();
    f.beds = beds;
    check_filing(&f, i.filed_on.max(f.first_admission.unwrap_or(i.filed_on)))?;
    let residents = eldercare_store(store).residents(id).await?.iter().filter(|r| r.discharged_on.is_none()).count();
    if beds.total < i64::try_from(residents).unwrap_or(i64::MAX) {
        return Err(ResidentError::BedsBelowResidents { residents }.into());
    }
    i.filing = f;
    eldercare_store(store).update_institution(&before, &i, "change_beds", actor).await?;
    Ok(i)
}

/// Announces a closure with the residents' resettlement plan, at least 60 days ahead
/// (《养老机构管理办法》第四十五条); on the day, the institution is closed when nobody lives
/// there any more.
pub async fn announce_closure(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: i64,
    closes_on: NaiveDate,
    plan: &str,
) -> Result<Institution, EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    let before = managed(store, who, id, today).await?;
    if before.status == InstitutionStatus::Closed {
        return Err(InstitutionError::Closed.into());
    }
    check_closure(today, closes_on, plan)?;
    let mut i = before.clone();
    i.status = InstitutionStatus::Closing;
    i.closes_on = Some(closes_on);
    i.resettlement_plan = plan.trim().to_string();
    eldercare_store(store).update_institution(&before, &i, "announce_closure", actor).await?;
    Ok(i)
}

/// An admission as typed.
#[derive(Debug, Clone)]
pub struct Admission {
    pub id_number: String,
    pub admitted_on: NaiveDate,
    /// 特困集中供养.
    pub concentrated: bool,
}

/// Admits a registry person to an institution of the account's region: living, not living in
/// another institution, a free bed; concentrated support only for a person supported as 特困.
pub async fn admit(store: &dyn Store, cx: &RequestContext<'_>, institution_id: i64, a: Admission) -> Result<Residency, EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    let i = managed(store, who, institution_id, today).await?;
    match i.status {
        InstitutionStatus::Open => {}
        InstitutionStatus::Closing => return Err(InstitutionError::Closing(i.closes_on).into()),
        InstitutionStatus::Closed => return Err(InstitutionError::Closed.into()),
    }
    let id = IdNumber::parse(a.id_number.trim()).map_err(|_| AccessError::NotFound)?;
    // The person may come from anywhere in the city: the registry record is what counts. What
    // the refusals say of a person or institution outside the account's region is not named.
    let (person, community) = store.person_placed(&id).await?.ok_or(AccessError::NotFound)?;
    let ours = community.as_ref().is_some_and(|c| who.in_scope(c));
    let named = |n: &str| ours.then(|| n.to_string());
    if person.status != PersonStatus::Alive {
        return Err(ResidentError::NotLiving(named(&person.name)).into());
    }
    if a.admitted_on > today {
        return Err(ResidentError::Future(a.admitted_on).into());
    }
    let elder = eldercare_store(store);
    if let Some(r) = elder.residency_of(id.as_str()).await? {
        let there = elder.institution(r.institution_id).await?.filter(|i| who.in_scope(&i.filing.region)).map(|i| i.filing.name);
        return Err(ResidentError::Elsewhere { name: named(&person.name), institution: there }.into());
    }
    let present = elder.residents(institution_id).await?.iter().filter(|r| r.discharged_on.is_none()).count();
    if i64::try_from(present).unwrap_or(i64::MAX) >= i.filing.beds.total {
        return Err(ResidentError::Full(i.filing.beds.total).into());
    }
    if a.concentrated {
        let tekun = store
            .enrolments_of(&[id])
            .await?
            .into_iter()
            .any(|e| e.program == TEKUN && e.paid_for(today) && e.members.iter().any(|m| m.id_number == id && m.paid_for(today)));
        if !tekun {
            return Err(ResidentError::NotTekun(named(&person.name)).into());
        }
    }
    let r = Residency {
        id: 0,
        institution_id,
        id_number: id.to_string(),
        name: person.name.clone(),
        admitted_on: a.admitted_on,
        discharged_on: None,
        concentrated: a.concentrated,
    };
    match elder.admit(&r, actor).await {
        Ok(rid) => {
            // Home care bought for them at home ends the day they move in.
            let hc = super::homecare_store::homecare_store(store);
            if let Some(o) = hc.open_order_of(id.as_str()).await? {
                match hc.end_order(&o, a.admitted_on.max(o.start_on), actor).await {
                    Ok(()) | Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(Residency { id: rid, ..r })
        }
        // Admitted elsewhere a moment ago.
        Err(StoreError::Conflict(_)) => Err(ResidentError::Elsewhere { name: named(&person.name), institution: None }.into()),
        Err(e) => Err(e.into()),
    }
}

/// Discharges a resident (leaving, moving, death) on a date.
pub async fn discharge(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    institution_id: i64,
    residency_id: i64,
    on: NaiveDate,
) -> Result<(), EldercareFailure> {
    let RequestContext { who, actor, today } = *cx;
    managed(store, who, institution_id, today).await?;
    let elder = eldercare_store(store);
    let r = elder.residents(institution_id).await?.into_iter().find(|r| r.id == residency_id).ok_or(AccessError::NotFound)?;
    if r.discharged_on.is_some() {
        return Err(ResidentError::Ended.into());
    }
    if on > today {
        return Err(ResidentError::Future(on).into());
    }
    if on < r.admitted_on {
        return Err(ResidentError::BeforeAdmission { admitted: r.admitted_on, discharge: on }.into());
    }
    match elder.discharge(&r, on, actor).await {
        Err(StoreError::Conflict(_)) => Err(ResidentError::Ended.into()),
        other => Ok(other?),
    }
}

/// The indicators of every county within the account's region (or `region` within it) on
/// `day`, with the region's own sum last.
pub async fn county_indicators(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    day: NaiveDate,
) -> Result<Vec<Indicators>, EldercareFailure> {
    need(who, Permission::ReadElderCare)?;
    let region = within(who, region)?;
    let born_by = day.checked_sub_months(Months::new(60 * 12)).unwrap_or(day);
    let c = eldercare_store(store).county_counts(region, day, born_by).await?;
    let mut by: BTreeMap<String, CountyFacts> = BTreeMap::new();
    fn at<'m>(by: &'m mut BTreeMap<String, CountyFacts>, county: &str) -> &'m mut CountyFacts {
        by.entry(county.to_string()).or_insert_with(|| CountyFacts { county: county.to_string(), ..Default::default() })
    }
    for (county, n) in &c.elders {
        at(&mut by, county).elders = *n;
    }
    for (county, beds, n) in &c.beds {
        let f = at(&mut by, county);
        f.beds = *beds;
        f.institutions = *n;
    }
    for (county, n) in &c.residents {
        at(&mut by, county).residents = *n;
    }
    for (county, all, dependent, concentrated) in &c.tekun {
        let f = at(&mut by, county);
        f.tekun = *all;
        f.tekun_dependent = *dependent;
        f.tekun_dependent_concentrated = *concentrated;
    }
    for (county, level, n) in &c.assessed {
        let i = super::assessment::AbilityLevel::ALL.iter().position(|l| l == level).unwrap_or(0);
        at(&mut by, county).assessed[i] += n;
    }
    let mut sum = CountyFacts { county: region.to_string(), ..Default::default() };
    for f in by.values() {
        sum.elders += f.elders;
        sum.beds.total += f.beds.total;
        sum.beds.nursing += f.beds.nursing;
        sum.beds.day_care += f.beds.day_care;
        sum.beds.home += f.beds.home;
        sum.institutions += f.institutions;
        sum.residents += f.residents;
        sum.tekun += f.tekun;
        sum.tekun_dependent += f.tekun_dependent;
        sum.tekun_dependent_concentrated += f.tekun_dependent_concentrated;
        for (s, n) in sum.assessed.iter_mut().zip(f.assessed) {
            *s += n;
        }
    }
    // Below a county (a street, a community) the region's own figures are the one row.
    if region.as_str().len() > 6 {
        return Ok(vec![indicators(&sum)]);
    }
    let mut out: Vec<Indicators> = by.values().map(indicators).collect();
    if out.len() != 1 || out[0].county != sum.county {
        out.push(indicators(&sum));
    }
    Ok(out)
}

/// What elderly care knows of one member of a household (for the household page).
#[derive(Debug, Clone)]
pub struct CareLine {
    pub person: minzheng_domain::Person,
    /// The newest assessment.
    pub assessment: Option<AssessmentRecord>,
    /// Where the person lives now, with the institution's name.
    pub residence: Option<(Residency, String)>,
}

/// The members of a household (already read with the account's access checked) who are 60 or
/// over or have an assessment or a residence, with what elderly care knows of them; `None` for an
/// account that does not read elderly care.
pub async fn household_care(
    store: &dyn Store,
    who: &Principal,
    members: &[minzheng_domain::Person],
    today: NaiveDate,
) -> Result<Option<Vec<CareLine>>, EldercareFailure> {
    if !who.may(Permission::ReadElderCare) {
        return Ok(None);
    }
    let elder = eldercare_store(store);
    let sixty = today.checked_sub_months(Months::new(60 * 12)).unwrap_or(today);
    let mut out = Vec::new();
    for p in members {
        let assessment = elder.assessments_of(p.id_number.as_str()).await?.into_iter().next();
        let residence = match elder.residency_of(p.id_number.as_str()).await? {
            Some(r) => {
                let name = elder.institution(r.institution_id).await?.map(|i| i.filing.name).unwrap_or_default();
                Some((r, name))
            }
            None => None,
        };
        if p.birth_date <= sixty || assessment.is_some() || residence.is_some() {
            out.push(CareLine { person: p.clone(), assessment, residence });
        }
    }
    Ok(Some(out))
}

/// What the registry's deaths ended in elderly care.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CareEnded {
    /// Residents discharged from their care homes on the day of death.
    pub discharged: u64,
    /// Home-care orders ended on the day of death.
    pub orders_ended: u64,
}

/// Takes the registry's deaths into effect on elderly care, by the records (after an import of
/// persons and after a death recorded by the funeral administration): a resident of a care home
/// is discharged on the day of death (the bed counts free from it), and home care bought for
/// them ends on the day (nothing after it is settled). A date of death not recorded counts as
/// `today`; nothing is ended before it began. `only`: one person's (a death just recorded),
/// instead of reading every open residence and order.
pub async fn end_care_of_deceased(
    store: &dyn Store,
    actor: &Actor,
    only: Option<&IdNumber>,
    today: NaiveDate,
) -> Result<CareEnded, StoreError> {
    let only = only.map(IdNumber::as_str);
    let elder = eldercare_store(store);
    let mut out = CareEnded::default();
    for (r, died) in elder.residents_deceased(only).await? {
        let on = died.unwrap_or(today).max(r.admitted_on);
        match elder.discharge(&r, on, actor).await {
            Ok(()) => out.discharged += 1,
            // Ended meanwhile by another run.
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let hc = super::homecare_store::homecare_store(store);
    for (o, died) in hc.orders_of_deceased(only).await? {
        let on = died.unwrap_or(today).max(o.start_on);
        match hc.end_order(&o, on, actor).await {
            Ok(()) => out.orders_ended += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
