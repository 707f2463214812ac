//! 婚姻登记's use cases: who may register and read, at which office (the registrar's county; the
//! parties may live anywhere: 全国通办); the parties as the records know them (the registry's
//! household and relation, marriages not dissolved, a marriage recorded before); what a
//! registration sets going: the registry's household change the couple agreed to, the row the
//! comparison reads (source `marriages`), the change case of a household whose assistance the
//! marriage or divorce changes. Every change is audited by the store in its own transaction.

use super::model::{
    check_divorce, check_marriage, joining_relation, may_certify, may_withdraw, Declared, DivorceApplication, DivorceError, DivorceStatus,
    DivorceTimeline, ExistingSpouse, HouseholdChange, MarriageApplication, Party, Refusal, RegistryFacts,
};
use super::store::{marriage_store, DivorceRecord, Joining, Marriage, MonthFigures, PartyRecord, RefusalRecord};
use crate::platform::scope::{need, shown, within};
use chrono::{Datelike, NaiveDate};
use minzheng_app::cases::{open_change_case, Catalogue, ChangeOpened};
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::economy::{DeptRecord, LinkKind};
use minzheng_domain::{Bilingual, EnrolmentStatus, IdNumber, Permission, PersonStatus, Principal, RegionCode, RegionLevel, Relation};
use minzheng_store::{Actor, EconomicBatch, Store, StoreError};

/// Why a marriage use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum MarriageFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    /// 不予登记 (recorded as a refusal when it is one of the law's).
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Divorce(#[from] DivorceError),
    /// The household change the couple asked for cannot be made (why, zh and en).
    #[error("{1}")]
    Household(String, String),
    /// Registration is the county's (婚姻登记机关): the account is not bound to a county.
    #[error("not a county office")]
    NotAnOffice,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MarriageFailure {
    /// Whether the failure is about what was typed (the form comes back with the message).
    pub fn is_input(&self) -> bool {
        !matches!(self, MarriageFailure::Store(_) | MarriageFailure::Access(AccessError::Forbidden))
    }
}

impl Bilingual for MarriageFailure {
    fn zh(&self) -> String {
        match self {
            MarriageFailure::Access(AccessError::NotFound) => "没有这条记录".into(),
            MarriageFailure::Access(e) => e.zh(),
            MarriageFailure::Refused(e) => e.zh(),
            MarriageFailure::Divorce(e) => e.zh(),
            MarriageFailure::Household(zh, _) => zh.clone(),
            MarriageFailure::NotAnOffice => "婚姻登记由区县婚姻登记机关办理，本账号不属于区县".into(),
            MarriageFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            MarriageFailure::Access(AccessError::NotFound) => "no such record".into(),
            MarriageFailure::Access(e) => e.en(),
            MarriageFailure::Refused(e) => e.en(),
            MarriageFailure::Divorce(e) => e.en(),
            MarriageFailure::Household(_, en) => en.clone(),
            MarriageFailure::NotAnOffice => "marriages are registered by a county's registry office; this account is not a county's".into(),
            MarriageFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

/// The registering office: the account's county.
fn office_of(who: &Principal) -> Result<String, MarriageFailure> {
    if who.region.level() != RegionLevel::County {
        return Err(MarriageFailure::NotAnOffice);
    }
    Ok(who.region.to_string())
}

fn office_code(office: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(office).map_err(|_| StoreError::Corrupt(format!("office {office:?}")))
}

/// A party as the records know them: the registry's household and relation, a marriage not
/// dissolved (here, or the registry's head and spouse), a marriage recorded before.
async fn party(
    store: &dyn Store,
    id_text: &str,
    name: &str,
    declared: Declared,
    other: Option<IdNumber>,
    first: bool,
) -> Result<Party, MarriageFailure> {
    let id = IdNumber::parse(id_text.trim()).map_err(|_| Refusal::BadId(id_text.trim().to_string()))?;
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(Refusal::NoName(if first { "甲方" } else { "乙方" }).into());
    }
    let person = store.person(&id).await?;
    let registry = person.as_ref().map(|p| RegistryFacts {
        household_no: p.household_no.clone(),
        relation: p.relation,
        deceased: matches!(p.status, PersonStatus::Deceased(_)),
    });
    let marriages = marriage_store(store).marriages_of(&[id.to_string()]).await?;
    // Divorces registered here (of marriages registered here or anywhere else).
    let divorces: Vec<DivorceRecord> =
        marriage_store(store).divorces_of(&[id.to_string()]).await?.into_iter().filter(|d| d.status == DivorceStatus::Certified).collect();
    let mut spouse = None;
    let mut married_before = divorces.iter().map(|d| d.timeline.received_on).min();
    for m in &marriages {
        let o = m.other(id.as_str());
        married_before = Some(married_before.map_or(m.registered_on, |b: NaiveDate| b.min(m.registered_on)));
        if m.dissolved_on.is_some() {
            continue;
        }
        // A marriage not dissolved here ends with the spouse's death.
        let spouse_id = IdNumber::parse(&o.id_number).ok();
        let widowed = match spouse_id {
            Some(s) => store.person(&s).await?.is_some_and(|p| matches!(p.status, PersonStatus::Deceased(_))),
            None => false,
        };
        if !widowed {
            spouse = Some(ExistingSpouse {
                spouse: spouse_id.map(|s| s.masked()).unwrap_or_else(|| o.id_number.clone()),
                certificate_no: Some(m.certificate_no.clone()),
            });
        }
    }
    // The registry: the head and the spouse of one household are married to each other.
    if spouse.is_none() {
        if let Some(p) = person.as_ref().filter(|p| matches!(p.relation, Relation::Head | Relation::Spouse)) {
            if let Some(h) = &p.household_no {
                let partner = if p.relation == Relation::Head { Relation::Spouse } else { Relation::Head };
                let members = store.household_members(h).await?;
                // A spouse of the registry whose marriage to them was dissolved here (the
                // household register not yet changed) is not a spouse.
                let divorced = |s: &IdNumber| {
                    marriages
                        .iter()
                        .any(|m| m.dissolved_on.is_some() && (m.first.id_number == s.as_str() || m.second.id_number == s.as_str()))
                        || divorces.iter().any(|d| d.first_id == s.as_str() || d.second_id == s.as_str())
                };
                if let Some(s) = members.iter().find(|m| {
                    m.relation == partner
                        && m.status == PersonStatus::Alive
                        && Some(m.id_number) != other
                        && m.id_number != id
                        && !divorced(&m.id_number)
                }) {
                    spouse = Some(ExistingSpouse { spouse: s.id_number.masked(), certificate_no: None });
                }
            }
        }
    }
    Ok(Party { id, name, declared, registry, spouse, married_before })
}

/// A marriage registered and what it set going.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Registered {
    pub marriage: Marriage,
    /// The change cases opened for households whose assistance the marriage changes.
    pub change_cases: Vec<(String, ChangeOpened)>,
    /// What could not be set going (the record stands; the comparison's row or a change case
    /// is to be taken up by hand).
    pub effects_failed: Option<String>,
}

/// The household change the couple agreed to, checked against the registry.
async fn joining_of(store: &dyn Store, change: HouseholdChange, first: &Party, second: &Party) -> Result<Option<Joining>, MarriageFailure> {
    let (joiner, host) = match change {
        HouseholdChange::None => return Ok(None),
        HouseholdChange::SecondJoinsFirst => (second, first),
        HouseholdChange::FirstJoinsSecond => (first, second),
    };
    let not_in = |p: &Party| {
        MarriageFailure::Household(
            format!("{}不在本市人口库或没有所在户，不能办理迁入；请选择“各自保留原户”", p.name),
            format!("{} is not in the city's registry with a household: choose to keep each household", p.name),
        )
    };
    let host_facts = host.registry.as_ref().filter(|r| !r.deceased).ok_or_else(|| not_in(host))?;
    let host_household = host_facts.household_no.clone().ok_or_else(|| not_in(host))?;
    let joiner_facts = joiner.registry.as_ref().filter(|r| !r.deceased).ok_or_else(|| not_in(joiner))?;
    if joiner_facts.household_no.as_deref() == Some(host_household.as_str()) {
        return Ok(None);
    }
    // A head leaving a household with others in it leaves it without a head.
    if joiner_facts.relation == Relation::Head {
        if let Some(h) = &joiner_facts.household_no {
            let others = store
                .household_members(h)
                .await?
                .into_iter()
                .filter(|m| m.id_number != joiner.id && m.status == PersonStatus::Alive)
                .count();
            if others > 0 {
                return Err(MarriageFailure::Household(
                    format!("{}是原户户主，户内还有{}人，请先办理户主变更再迁入", joiner.name, others),
                    format!("{} heads a household of {} others: change its head first", joiner.name, others),
                ));
            }
        }
    }
    Ok(Some(Joining { id_number: joiner.id.to_string(), household_no: host_household, relation: joining_relation(host_facts.relation) }))
}

/// Registers a marriage at the account's office, or refuses it with the rule (the refusal is
/// recorded when it is one of the law's: age, spouse, kinship, same sex, death, declaration).
pub async fn register_marriage(
    store: &dyn Store,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    app: MarriageApplication,
) -> Result<Registered, MarriageFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::RegisterMarriage)?;
    let office = office_of(who)?;
    let second_id = IdNumber::parse(app.second_id.trim()).ok();
    let first = party(store, &app.first_id, &app.first_name, app.first_declared, second_id, true).await?;
    let second = party(store, &app.second_id, &app.second_name, app.second_declared, Some(first.id), false).await?;
    if let Err(r) = check_marriage(&app, &first, &second, today) {
        let statutory = matches!(
            r,
            Refusal::UnderAge { .. }
                | Refusal::SameSex
                | Refusal::HasSpouse { .. }
                | Refusal::DeclaredSingle { .. }
                | Refusal::Kinship { .. }
                | Refusal::Deceased { .. }
        );
        if statutory {
            let record = RefusalRecord {
                id: 0,
                office: office.clone(),
                kind: "marriage".into(),
                first_id: first.id.to_string(),
                first_name: first.name.clone(),
                second_id: second.id.to_string(),
                second_name: second.name.clone(),
                reason_zh: r.zh(),
                reason_en: r.en(),
                refused_on: today,
                recorded_by: actor.name.clone(),
            };
            marriage_store(store).add_refusal(&record, actor).await?;
        }
        return Err(r.into());
    }
    let joining = joining_of(store, app.household_change, &first, &second).await?;
    let record = |p: &Party| PartyRecord { id_number: p.id.to_string(), name: p.name.clone(), declared: p.declared };
    let m = Marriage {
        id: 0,
        office,
        first: record(&first),
        second: record(&second),
        registered_on: today,
        certificate_no: String::new(),
        household_change: if joining.is_some() { app.household_change } else { HouseholdChange::None },
        kinship_note: app.kinship_note.trim().to_string(),
        dissolved_on: None,
        dissolved_by: None,
        recorded_by: actor.name.clone(),
        recorded_at: chrono::Utc::now(),
    };
    let marriage = match marriage_store(store).add_marriage(&m, joining.as_ref(), actor).await {
        // Married meanwhile at another desk: told as a spouse.
        Err(StoreError::Conflict(why)) if why.starts_with("spouse:") => {
            return Err(Refusal::HasSpouse {
                name: format!("{} / {}", first.name, second.name),
                spouse: "另一窗口刚办理的登记 / registered at another desk just now".into(),
                certificate_no: why.strip_prefix("spouse:").map(str::to_string),
            }
            .into())
        }
        Err(StoreError::Conflict(why)) => {
            return Err(MarriageFailure::Household(
                format!("户籍变更未能办理：{why}"),
                format!("the household change could not be made: {why}"),
            ))
        }
        other => other?,
    };
    // The registration stands: what it sets going is reported, not thrown.
    let mut failed = Vec::new();
    if let Err(e) = feed_comparison(store, actor, "结婚", &marriage.certificate_no, today, [&marriage.first, &marriage.second]).await {
        failed.push(format!("比对数据 / comparison row: {e}"));
    }
    let why = format!(
        "{}与{}于{}登记结婚（结婚证{}），家庭人口和收入应重新核定",
        marriage.first.name, marriage.second.name, today, marriage.certificate_no
    );
    let change_cases = match household_changes(store, catalogue, actor, &[first.id, second.id], why, today).await {
        Ok(c) => c,
        Err(e) => {
            failed.push(format!("变更 / change case: {e}"));
            Vec::new()
        }
    };
    // The couple came on their appointment: kept.
    if let Some(a) = app.appointment {
        if let Err(e) = marriage_store(store).close_appointment(a, "kept", actor).await {
            failed.push(format!("预约 / appointment: {e}"));
        }
    }
    Ok(Registered { marriage, change_cases, effects_failed: (!failed.is_empty()).then(|| failed.join("; ")) })
}

/// The registration as a row of the comparison's source `marriages` (婚姻登记): a batch of its
/// own, keyed by the certificate, so that feeding it twice stores it once.
async fn feed_comparison(
    store: &dyn Store,
    actor: &Actor,
    kind: &str,
    certificate_no: &str,
    on: NaiveDate,
    parties: [&PartyRecord; 2],
) -> Result<(), StoreError> {
    let checksum = format!("marriage-registration:{certificate_no}");
    let batch = EconomicBatch {
        checksum: checksum.clone(),
        source: "marriages".into(),
        file_name: format!("婚姻登记 {certificate_no}"),
        as_of: on,
        items: 0,
        recorded_by: actor.name.clone(),
        recorded_at: chrono::Utc::now(),
        months: Vec::new(),
    };
    // A party's valid number is 证号一致 when registered here, and kept as unregistered otherwise
    // (a spouse from elsewhere), as an imported file's rows are.
    let ids: Vec<IdNumber> = parties.iter().filter_map(|p| IdNumber::parse(&p.id_number).ok()).collect();
    let registered: std::collections::HashSet<IdNumber> = store.persons_by_id(&ids).await?.into_iter().map(|p| p.id_number).collect();
    let rows: Vec<DeptRecord> = [(parties[0], parties[1]), (parties[1], parties[0])]
        .iter()
        .enumerate()
        .map(|(i, (p, o))| {
            let id = IdNumber::parse(&p.id_number).ok();
            DeptRecord {
                id: 0,
                source: "marriages".into(),
                batch: checksum.clone(),
                row_no: i64::try_from(i).unwrap_or(0) + 2,
                recorded_id: p.id_number.clone(),
                recorded_name: p.name.clone(),
                id_number: id,
                link: match id {
                    Some(i) if registered.contains(&i) => LinkKind::Exact,
                    Some(_) => LinkKind::Unregistered,
                    None => LinkKind::Unlinked,
                },
                probability: if id.is_some() { 1000 } else { 0 },
                event_date: Some(on),
                fields: vec![
                    ("身份证号".into(), p.id_number.clone()),
                    ("姓名".into(), p.name.clone()),
                    ("登记类型".into(), kind.to_string()),
                    ("登记日期".into(), on.to_string()),
                    ("配偶身份证号".into(), o.id_number.clone()),
                    ("配偶姓名".into(), o.name.clone()),
                ],
            }
        })
        .collect();
    store.add_economic_batch(&batch, &[], &rows, actor).await?;
    Ok(())
}

/// Opens the change case of each household program the parties are paid under (家庭人口变化):
/// per-person programs (高龄补贴 ...) are not changed by a marriage.
async fn household_changes(
    store: &dyn Store,
    catalogue: &Catalogue,
    actor: &Actor,
    ids: &[IdNumber],
    why: String,
    today: NaiveDate,
) -> Result<Vec<(String, ChangeOpened)>, minzheng_app::cases::CaseFailure> {
    let per_person = |program: &str| catalogue.services.iter().any(|s| s.program == program && s.per_person);
    let enrolments = store.enrolments_of(ids).await?;
    let open: Vec<_> = enrolments
        .iter()
        .filter(|e| e.status == EnrolmentStatus::Active && e.end.is_none_or(|end| end > today) && !per_person(&e.program))
        .collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let cal = minzheng_app::cases::calendar(store).await?;
    let mut out = Vec::new();
    for e in open {
        let opened = open_change_case(store, catalogue, actor, e, why.clone(), today, &cal).await?;
        out.push((e.program.clone(), opened));
    }
    Ok(out)
}

/// The marriage, when the account may read it (its office within the account's region).
pub async fn marriage(store: &dyn Store, who: &Principal, id: i64) -> Result<(Marriage, Vec<DivorceRecord>), MarriageFailure> {
    need(who, Permission::ReadMarriage)?;
    let m = marriage_store(store).marriage(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&office_code(&m.office)?) {
        return Err(AccessError::OutOfScope.into());
    }
    let divorces = marriage_store(store)
        .divorces_of(std::slice::from_ref(&m.first.id_number))
        .await?
        .into_iter()
        .filter(|d| d.marriage_id == Some(m.id) || d.marriage_certificate_no == m.certificate_no)
        .map(|d| masked_divorce(who, d))
        .collect();
    let mask = |p: PartyRecord| PartyRecord { id_number: shown(who, &p.id_number), ..p };
    Ok((Marriage { first: mask(m.first.clone()), second: mask(m.second.clone()), ..m }, divorces))
}

/// A divorce application with its parties' numbers as the account may see them.
fn masked_divorce(who: &Principal, d: DivorceRecord) -> DivorceRecord {
    DivorceRecord { first_id: shown(who, &d.first_id), second_id: shown(who, &d.second_id), ..d }
}

/// Receives a divorce application at the account's office: the cooling-off period and the
/// window for the certificate are set from the calendar.
pub async fn apply_divorce(store: &dyn Store, cx: &RequestContext<'_>, app: DivorceApplication) -> Result<DivorceRecord, MarriageFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::RegisterMarriage)?;
    let office = office_of(who)?;
    let (first, second) = check_divorce(&app)?;
    let ms = marriage_store(store);
    ms.lapse_divorces(today, &Actor::system()).await?;
    let certificate = app.marriage_certificate_no.trim().to_string();
    // A marriage registered here names its parties; one registered elsewhere in the country is
    // taken from the certificate shown.
    let marriage = ms.marriage_by_certificate(&certificate).await?;
    if let Some(m) = &marriage {
        let pair = [m.first.id_number.as_str(), m.second.id_number.as_str()];
        if !(pair.contains(&first.as_str()) && pair.contains(&second.as_str())) || first == second {
            return Err(DivorceError::NotTheirMarriage(certificate).into());
        }
        if m.dissolved_on.is_some() {
            return Err(DivorceError::Dissolved(certificate).into());
        }
    }
    let name = |typed: &str, id: &str| {
        let typed = typed.trim();
        if typed.is_empty() {
            marriage
                .as_ref()
                .map(|m| if m.first.id_number == id { m.first.name.clone() } else { m.second.name.clone() })
                .unwrap_or_default()
        } else {
            typed.to_string()
        }
    };
    let cal = minzheng_app::cases::calendar(store).await?;
    let mut d = DivorceRecord {
        id: 0,
        office,
        first_id: first.to_string(),
        first_name: name(&app.first_name, first.as_str()),
        second_id: second.to_string(),
        second_name: name(&app.second_name, second.as_str()),
        marriage_certificate_no: certificate,
        marriage_id: marriage.as_ref().map(|m| m.id),
        timeline: DivorceTimeline::of(today, &cal),
        status: DivorceStatus::Received,
        withdrawn_by: String::new(),
        closed_on: None,
        certificate_no: None,
        recorded_by: actor.name.clone(),
        recorded_at: chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
    };
    if d.first_name.is_empty() || d.second_name.is_empty() {
        return Err(Refusal::NoName(if d.first_name.is_empty() { "甲方" } else { "乙方" }).into());
    }
    d.id = match ms.add_divorce(&d, actor).await {
        Err(StoreError::Conflict(_)) => {
            let open = ms.divorces_of(&[d.first_id.clone(), d.second_id.clone()]).await?;
            let id = open.iter().find(|x| x.status == DivorceStatus::Received).map(|x| x.id).unwrap_or(0);
            return Err(DivorceError::AlreadyOpen(id).into());
        }
        other => other?,
    };
    Ok(d)
}

/// The divorce application, when the account may read it.
pub async fn divorce(store: &dyn Store, who: &Principal, id: i64) -> Result<DivorceRecord, MarriageFailure> {
    need(who, Permission::ReadMarriage)?;
    let d = marriage_store(store).divorce(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&office_code(&d.office)?) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok(d)
}

/// The divorce application as the account may see it (numbers masked for the roles that see
/// them masked).
pub async fn divorce_shown(store: &dyn Store, who: &Principal, id: i64) -> Result<DivorceRecord, MarriageFailure> {
    Ok(masked_divorce(who, divorce(store, who, id).await?))
}

/// One party withdraws the application within the cooling-off period.
pub async fn withdraw_divorce(store: &dyn Store, cx: &RequestContext<'_>, id: i64, party: &str) -> Result<DivorceRecord, MarriageFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::RegisterMarriage)?;
    let d = divorce(store, who, id).await?;
    may_withdraw(&d.timeline, d.status, today)?;
    let by = if party == "first" || party == d.first_id {
        d.first_id.clone()
    } else if party == "second" || party == d.second_id {
        d.second_id.clone()
    } else {
        return Err(DivorceError::NotAParty.into());
    };
    if !marriage_store(store).withdraw_divorce(id, &by, today, actor).await? {
        return Err(DivorceError::Closed(DivorceStatus::Withdrawn).into());
    }
    Ok(DivorceRecord { status: DivorceStatus::Withdrawn, withdrawn_by: by, closed_on: Some(today), ..d })
}

/// A divorce certificate issued and what it set going.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Divorced {
    pub divorce: DivorceRecord,
    pub change_cases: Vec<(String, ChangeOpened)>,
    pub effects_failed: Option<String>,
}

/// Both parties apply in person within the window: the certificate is issued, the marriage
/// dissolved, the comparison's row stored and the households' change cases opened.
pub async fn certify_divorce(
    store: &dyn Store,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    id: i64,
    both_present: bool,
) -> Result<Divorced, MarriageFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::RegisterMarriage)?;
    let d = divorce(store, who, id).await?;
    may_certify(&d.timeline, d.status, today)?;
    if !both_present {
        return Err(DivorceError::NotPresent.into());
    }
    let closed = match marriage_store(store).certify_divorce(id, today, actor).await {
        Err(StoreError::Conflict(_)) => return Err(DivorceError::Closed(DivorceStatus::Certified).into()),
        other => other?,
    };
    let number = closed.certificate_no.clone().unwrap_or_default();
    let mut failed = Vec::new();
    let parties = [
        PartyRecord { id_number: closed.first_id.clone(), name: closed.first_name.clone(), declared: Declared::Single },
        PartyRecord { id_number: closed.second_id.clone(), name: closed.second_name.clone(), declared: Declared::Single },
    ];
    if let Err(e) = feed_comparison(store, actor, "离婚", &number, today, [&parties[0], &parties[1]]).await {
        failed.push(format!("比对数据 / comparison row: {e}"));
    }
    let ids: Vec<IdNumber> = parties.iter().filter_map(|p| IdNumber::parse(&p.id_number).ok()).collect();
    let why = format!("{}与{}于{}登记离婚（离婚证{}），家庭人口和收入应重新核定", closed.first_name, closed.second_name, today, number);
    let change_cases = match household_changes(store, catalogue, actor, &ids, why, today).await {
        Ok(c) => c,
        Err(e) => {
            failed.push(format!("变更 / change case: {e}"));
            Vec::new()
        }
    };
    Ok(Divorced { divorce: closed, change_cases, effects_failed: (!failed.is_empty()).then(|| failed.join("; ")) })
}

/// The registry office's desk: recent marriages, open divorce applications, refusals.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Desk {
    pub marriages: Vec<Marriage>,
    pub open_divorces: Vec<DivorceRecord>,
    pub refusals: Vec<RefusalRecord>,
}

pub async fn desk(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    today: NaiveDate,
    limit: u32,
) -> Result<Desk, MarriageFailure> {
    need(who, Permission::ReadMarriage)?;
    let region = within(who, region)?;
    let ms = marriage_store(store);
    // Applications whose window has passed count as withdrawn: recorded by the platform.
    ms.lapse_divorces(today, &Actor::system()).await?;
    Ok(Desk {
        marriages: ms.recent_marriages(region, limit).await?,
        open_divorces: ms.open_divorces(region, limit).await?,
        refusals: ms.recent_refusals(region, limit).await?,
    })
}

/// Registrations per county and month of a year within the region, with the region's total
/// per month first when it holds more than one county.
pub async fn figures(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<MonthFigures>, MarriageFailure> {
    need(who, Permission::ReadMarriage)?;
    let region = within(who, region)?;
    let ms = marriage_store(store);
    ms.lapse_divorces(today, &Actor::system()).await?;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let rows = ms.month_figures(region, from, to).await?;
    Ok(rows)
}

/// Adds up figures (a county's year, or the region's month).
pub fn total(rows: &[&MonthFigures], county: &str, month: &str) -> MonthFigures {
    let mut t = MonthFigures { county: county.into(), month: month.into(), ..Default::default() };
    for r in rows {
        t.marriages += r.marriages;
        t.divorces += r.divorces;
        t.applications += r.applications;
        t.withdrawn += r.withdrawn;
        t.lapsed += r.lapsed;
        t.refusals += r.refusals;
    }
    t
}

/// The year of a day (the figures' default).
pub fn year_of(day: NaiveDate) -> i32 {
    day.year()
}

/// A household's members' marriages and divorce applications, for the household page: none
/// when the account may not read marriage records.
pub async fn household_marriages(
    store: &dyn Store,
    who: &Principal,
    members: &[minzheng_domain::Person],
) -> Result<Option<(Vec<Marriage>, Vec<DivorceRecord>)>, MarriageFailure> {
    if !who.may(Permission::ReadMarriage) {
        return Ok(None);
    }
    let ids: Vec<String> = members.iter().map(|p| p.id_number.to_string()).collect();
    let ms = marriage_store(store);
    Ok(Some((ms.marriages_of(&ids).await?, ms.divorces_of(&ids).await?)))
}

/// A booking as asked for at the office (by phone or at the window).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct BookingRequest {
    pub kind: super::model::AppointmentKind,
    /// For the divorce certificate: the application.
    #[serde(default)]
    pub divorce_id: Option<i64>,
    #[serde(default)]
    pub first_id: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub second_id: String,
    #[serde(default)]
    pub second_name: String,
    pub phone: String,
    pub day: NaiveDate,
    pub slot: super::model::Slot,
}

/// Why a booking did not go through.
#[derive(Debug, thiserror::Error)]
pub enum BookingFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Booking(#[from] super::model::BookingError),
    #[error(transparent)]
    Marriage(#[from] MarriageFailure),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Bilingual for BookingFailure {
    fn zh(&self) -> String {
        match self {
            BookingFailure::Access(e) => e.zh(),
            BookingFailure::Booking(e) => e.zh(),
            BookingFailure::Marriage(e) => e.zh(),
            BookingFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            BookingFailure::Access(e) => e.en(),
            BookingFailure::Booking(e) => e.en(),
            BookingFailure::Marriage(e) => e.en(),
            BookingFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

/// Couples a half-day the office takes (parameter `marriage_slot_capacity`, 20 where none).
pub async fn capacity(store: &dyn Store, office: &str, on: NaiveDate) -> Result<i64, StoreError> {
    let records = store.parameter_records().await?;
    Ok(minzheng_policy::params::in_force(&records, "marriage_slot_capacity", office, minzheng_policy::Area::Urban, on)
        .map_or(20, |r| r.value))
}

/// Books a half-day at the account's office: a working day within the booking horizon; for the
/// divorce certificate, within the application's window (the parties taken from it).
pub async fn book(store: &dyn Store, cx: &RequestContext<'_>, r: BookingRequest) -> Result<super::store::Appointment, BookingFailure> {
    let RequestContext { who, actor, today } = *cx;
    use super::model::{check_booking_day, AppointmentKind, BookingError};
    need(who, Permission::RegisterMarriage)?;
    let office = office_of(who)?;
    if r.phone.trim().is_empty() {
        return Err(BookingError::Missing("联系电话").into());
    }
    let cal = minzheng_app::cases::calendar(store).await?;
    let mut a = super::store::Appointment {
        id: 0,
        office: office.clone(),
        kind: r.kind,
        divorce_id: None,
        first_id: r.first_id.trim().to_string(),
        first_name: r.first_name.trim().to_string(),
        second_id: r.second_id.trim().to_string(),
        second_name: r.second_name.trim().to_string(),
        phone: r.phone.trim().to_string(),
        day: r.day,
        slot: r.slot,
        status: "booked".into(),
        booked_by: actor.name.clone(),
    };
    if r.kind == AppointmentKind::Certificate {
        let d = divorce(store, who, r.divorce_id.ok_or(AccessError::NotFound)?).await?;
        if d.status != DivorceStatus::Received {
            return Err(BookingError::NotOpen.into());
        }
        check_booking_day(r.day, today, &cal, Some(&d.timeline))?;
        a.divorce_id = Some(d.id);
        a.first_id = d.first_id;
        a.first_name = d.first_name;
        a.second_id = d.second_id;
        a.second_name = d.second_name;
    } else {
        check_booking_day(r.day, today, &cal, None)?;
        if a.first_name.is_empty() || a.second_name.is_empty() {
            return Err(BookingError::Missing("双方姓名").into());
        }
        for id in [&a.first_id, &a.second_id] {
            if IdNumber::parse(id).is_err() {
                return Err(MarriageFailure::Refused(Refusal::BadId(id.clone())).into());
            }
        }
    }
    let capacity = capacity(store, &office, r.day).await?;
    a.id = match marriage_store(store).book(&a, capacity, actor).await {
        Err(StoreError::Conflict(_)) => return Err(BookingError::Full { day: r.day, slot: r.slot, capacity }.into()),
        other => other?,
    };
    Ok(a)
}

/// The office's bookings of a day (the account's county).
pub async fn day_book(store: &dyn Store, who: &Principal, day: NaiveDate) -> Result<Vec<super::store::Appointment>, MarriageFailure> {
    need(who, Permission::RegisterMarriage)?;
    let office = office_of(who)?;
    let list = marriage_store(store).appointments_on(&office, day).await?;
    Ok(list
        .into_iter()
        .map(|a| super::store::Appointment { first_id: shown(who, &a.first_id), second_id: shown(who, &a.second_id), ..a })
        .collect())
}

/// Cancels a booking of the account's office.
pub async fn cancel(store: &dyn Store, cx: &RequestContext<'_>, id: i64) -> Result<(), MarriageFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::RegisterMarriage)?;
    let a = marriage_store(store).appointment(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&office_code(&a.office)?) {
        return Err(AccessError::OutOfScope.into());
    }
    marriage_store(store).close_appointment(id, "cancelled", actor).await?;
    Ok(())
}

/// A booking of the account's office, to fill the registration form from.
pub async fn appointment(store: &dyn Store, who: &Principal, id: i64) -> Result<super::store::Appointment, MarriageFailure> {
    need(who, Permission::RegisterMarriage)?;
    let a = marriage_store(store).appointment(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&office_code(&a.office)?) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok(a)
}
