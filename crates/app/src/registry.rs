//! 人口信息 use cases with access control: every read goes through here, checks the account's
//! role and region, masks what the role does not need, and leaves an audit record.

use crate::RequestContext;
use minzheng_domain::{Household, IdNumber, Permission, Person, Principal, RegionCode, Role};
use minzheng_store::{Actor, AuditEntry, AuditEvent as _, HouseholdQuery, Page, PersonQuery, Store, StoreError};
use serde::Serialize;

/// Why a use case was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("your role may not do this")]
    Forbidden,
    #[error("this record is outside your region")]
    OutOfScope,
    #[error("not found")]
    NotFound,
    #[error("give a reason of at least 4 characters")]
    NoReason,
    #[error("this page link has expired; start the list again")]
    StaleCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl minzheng_domain::Bilingual for AccessError {
    fn zh(&self) -> String {
        match self {
            AccessError::Forbidden => "您的角色无权进行此操作".into(),
            AccessError::OutOfScope => "该记录不在您的管辖区域内".into(),
            AccessError::NotFound => "记录不存在".into(),
            AccessError::NoReason => "请说明查看理由（至少4个字）".into(),
            AccessError::StaleCursor => "翻页链接已失效，请从第一页重新查询".into(),
            AccessError::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// A person as shown to an account: ID and phone numbers masked for roles that do not need them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonView {
    pub id_number: String,
    pub masked: bool,
    pub name: String,
    pub sex: minzheng_domain::Sex,
    pub birth_date: chrono::NaiveDate,
    pub hukou_region: RegionCode,
    pub household_no: Option<String>,
    pub relation: minzheng_domain::Relation,
    pub status: minzheng_domain::PersonStatus,
    pub disability: Option<minzheng_domain::Disability>,
    pub phone: Option<String>,
    pub tags: Vec<String>,
}

/// Masks a phone number: 138****0000.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

impl PersonView {
    /// As `role` sees it.
    pub fn of(p: &Person, role: Role) -> PersonView {
        PersonView::shown(p, !role.sees_full_identity())
    }

    fn shown(p: &Person, masked: bool) -> PersonView {
        PersonView {
            id_number: if masked { p.id_number.masked() } else { p.id_number.to_string() },
            masked,
            name: p.name.clone(),
            sex: p.sex,
            birth_date: p.birth_date,
            hukou_region: p.hukou_region.clone(),
            household_no: p.household_no.clone(),
            relation: p.relation,
            status: p.status,
            disability: p.disability,
            phone: p.phone.as_deref().map(|ph| if masked { mask_phone(ph) } else { ph.to_string() }),
            tags: p.tags.clone(),
        }
    }
}

/// The actor of an audit record for an account acting through a request.
pub fn actor_of(who: &Principal, request_id: Option<&str>, client: Option<&str>) -> Actor {
    Actor {
        name: who.name.clone(),
        role: Some(who.role.as_str().to_string()),
        region: Some(who.region.to_string()),
        request_id: request_id.map(str::to_string),
        client: client.map(str::to_string),
    }
}

/// 人口信息审计记录: what the registry's use cases record, each read of personal data and each
/// refusal, one variant per kind (the action and entity names of the audit log are here only).
pub enum RegistryAudit<'a> {
    /// A person's record read.
    PersonRead(&'a IdNumber),
    /// A person's record asked for outside the account's region.
    PersonRefused(&'a IdNumber),
    /// A person's full ID number and telephone shown, for a reason.
    Unmasked { id: &'a IdNumber, reason: &'a str },
    /// A person looked up at acceptance (全市通办), from anywhere in the city.
    LookedUpForAcceptance(&'a IdNumber),
    /// A search of persons, with who was shown.
    PersonsSearched { region: &'a RegionCode, detail: serde_json::Value },
    /// A household and its members read.
    HouseholdRead(&'a str),
    /// A household asked for outside the account's region.
    HouseholdRefused(&'a str),
    /// A search of households, with which were shown.
    HouseholdsSearched { region: &'a RegionCode, detail: serde_json::Value },
}

impl minzheng_store::AuditEvent for RegistryAudit<'_> {
    fn entry(&self) -> AuditEntry {
        let record = |action: &str, entity: &str, key: &str, after: Option<serde_json::Value>| AuditEntry {
            action: action.into(),
            entity: entity.into(),
            entity_key: key.into(),
            before: None,
            after,
        };
        match self {
            RegistryAudit::PersonRead(id) => record("read", "person", id.as_str(), None),
            RegistryAudit::PersonRefused(id) => record("refused", "person", id.as_str(), None),
            RegistryAudit::Unmasked { id, reason } => {
                record("unmask", "person", id.as_str(), Some(serde_json::json!({ "reason": reason })))
            }
            RegistryAudit::LookedUpForAcceptance(id) => record("lookup_for_acceptance", "person", id.as_str(), None),
            RegistryAudit::PersonsSearched { region, detail } => record("read", "person_search", region.as_str(), Some(detail.clone())),
            RegistryAudit::HouseholdRead(no) => record("read", "household", no, None),
            RegistryAudit::HouseholdRefused(no) => record("refused", "household", no, None),
            RegistryAudit::HouseholdsSearched { region, detail } => {
                record("read", "household_search", region.as_str(), Some(detail.clone()))
            }
        }
    }
}

/// A person the account may read, or the refusal (audited as such).
async fn readable_person(store: &dyn Store, cx: &RequestContext<'_>, id: &IdNumber) -> Result<Person, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden);
    }
    let (p, household_community) = store.person_placed(id).await?.ok_or(AccessError::NotFound)?;
    // Where a person belongs for access control: the community of the household, else the hukou.
    if !who.in_scope(household_community.as_ref().unwrap_or(&p.hukou_region)) {
        store.audit(actor, &[RegistryAudit::PersonRefused(id).entry()]).await?;
        return Err(AccessError::OutOfScope);
    }
    Ok(p)
}

/// One person by ID number, if in scope (audited).
pub async fn person(store: &dyn Store, cx: &RequestContext<'_>, id: &IdNumber) -> Result<PersonView, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    let p = readable_person(store, cx, id).await?;
    store.audit(actor, &[RegistryAudit::PersonRead(id).entry()]).await?;
    Ok(PersonView::of(&p, who.role))
}

/// Shows a person's full numbers to an account that sees them masked, for a stated reason
/// (个人信息保护法: access beyond the job's need is justified and recorded).
pub async fn unmask(store: &dyn Store, cx: &RequestContext<'_>, id: &IdNumber, reason: &str) -> Result<PersonView, AccessError> {
    let actor = cx.actor;
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(AccessError::NoReason);
    }
    let p = readable_person(store, cx, id).await?;
    store.audit(actor, &[RegistryAudit::Unmasked { id, reason }.entry()]).await?;
    Ok(PersonView::shown(&p, false))
}

/// The household page's "show full numbers": the member at `index` of the household (in the
/// order the page lists them), for a reason. The household is checked and its read audited as
/// [`household`] does, then the member is unmasked as [`unmask`] does.
pub async fn unmask_member(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    no: &str,
    index: usize,
    reason: &str,
) -> Result<PersonView, AccessError> {
    let (_, members) = household(store, cx, no).await?;
    if index >= members.len() {
        return Err(AccessError::NotFound);
    }
    // The views are masked: the member's full number from the store, by position.
    let stored = store.household_members(no).await?;
    let person = stored.get(index).ok_or(AccessError::NotFound)?;
    unmask(store, cx, &person.id_number, reason).await
}

/// The region a search may cover: the account's own if none is asked, refused if outside.
fn scoped(who: &Principal, asked: Option<RegionCode>) -> Result<RegionCode, AccessError> {
    match asked {
        None => Ok(who.region.clone()),
        Some(r) if who.in_scope(&r) => Ok(r),
        Some(_) => Err(AccessError::OutOfScope),
    }
}

/// Searches persons within the account's region (audited: the query and how many were shown).
pub async fn search_persons(store: &dyn Store, cx: &RequestContext<'_>, mut q: PersonQuery) -> Result<Page<PersonView>, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden);
    }
    let region = scoped(who, q.region.take())?;
    q.region = Some(region.clone());
    // The cursor the client hands back is sealed ([`crate::cursor`]): it carries an ID number.
    q.after = match q.after.take() {
        Some(sealed) => Some(crate::cursor::open(&sealed).ok_or(AccessError::StaleCursor)?),
        None => None,
    };
    let page = store.search_persons(&q).await?;
    // Which persons were shown, not only how many (auditors read them masked: `audit_log`).
    let shown: Vec<&str> = page.items.iter().map(|p| p.id_number.as_str()).collect();
    let detail = serde_json::json!({ "region": region, "name": q.name, "tag": q.tag, "shown": page.items.len(), "persons": shown });
    store.audit(actor, &[RegistryAudit::PersonsSearched { region: &region, detail }.entry()]).await?;
    Ok(Page {
        items: page.items.iter().map(|p| PersonView::of(p, who.role)).collect(),
        next: page.next.as_deref().map(crate::cursor::seal),
    })
}

/// How many residents a search within the account's region holds (a number only).
pub async fn count_persons(store: &dyn Store, who: &Principal, mut q: PersonQuery) -> Result<u64, AccessError> {
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden);
    }
    q.region = Some(scoped(who, q.region.take())?);
    q.after = None;
    Ok(store.count_persons(&q).await?)
}

/// A household with its members, if in scope (audited).
pub async fn household(store: &dyn Store, cx: &RequestContext<'_>, no: &str) -> Result<(Household, Vec<PersonView>), AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden);
    }
    let h = store.household(no).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&h.community) {
        store.audit(actor, &[RegistryAudit::HouseholdRefused(no).entry()]).await?;
        return Err(AccessError::OutOfScope);
    }
    let members = store.household_members(no).await?;
    store.audit(actor, &[RegistryAudit::HouseholdRead(no).entry()]).await?;
    Ok((h, members.iter().map(|p| PersonView::of(p, who.role)).collect()))
}

/// 变更记录: the changes made to a household and its members (not the reads), oldest first.
/// Called after [`household`] has checked the scope.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub what: String,
    /// The fields that changed: (field, before, after).
    pub fields: Vec<(String, String, String)>,
}

fn changed_fields(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let b = before.and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(k.as_str()) != a.get(k.as_str()))
        .map(|k| {
            let show = |v: Option<&serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_default();
            (k.clone(), show(b.get(k.as_str())), show(a.get(k.as_str())))
        })
        .collect()
}

pub async fn household_changes(store: &dyn Store, who: &Principal, household: &Household) -> Result<Vec<Change>, AccessError> {
    let masked = !who.role.sees_full_identity();
    let mut records = store.audit_of("household", &household.household_no).await?;
    // Members' records are keyed by their full ID numbers, which masked views do not carry.
    for m in store.household_members(&household.household_no).await? {
        records.extend(store.audit_of("person", m.id_number.as_str()).await?);
    }
    records.retain(|r| r.action == "update" || r.action == "create");
    records.sort_by_key(|r| r.id);
    Ok(records
        .into_iter()
        .map(|r| Change {
            at: r.at,
            actor: r.actor,
            action: r.action,
            what: if r.entity == "household" {
                "户".into()
            } else {
                format!("人员 {}", r.after.as_ref().and_then(|a| a["name"].as_str()).unwrap_or(""))
            },
            fields: changed_fields(r.before.as_ref(), r.after.as_ref())
                .into_iter()
                .map(|(k, b, a)| {
                    // Roles that see numbers masked see them masked in the history too.
                    let hide = |v: String| match k.as_str() {
                        "phone" if masked && !v.is_empty() && v != "null" => mask_phone(v.trim_matches('"')),
                        "id_number" | "head" if masked && !v.is_empty() && v != "null" => {
                            IdNumber::parse(v.trim_matches('"')).map(|i| i.masked()).unwrap_or_else(|_| "****".into())
                        }
                        _ => v,
                    };
                    (k.clone(), hide(b), hide(a))
                })
                .collect(),
        })
        .collect())
}

/// A household as shown to an account: the head's ID number masked for roles that see numbers
/// masked, as the members' are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdView {
    pub household_no: String,
    /// 户主 identity number, masked or full by role.
    pub head: Option<String>,
    pub masked: bool,
    pub address: String,
    pub community: RegionCode,
    pub grid: Option<String>,
    pub building: Option<String>,
    pub kind: minzheng_domain::HouseholdKind,
}

impl HouseholdView {
    pub fn of(h: &Household, role: Role) -> HouseholdView {
        let masked = !role.sees_full_identity();
        HouseholdView {
            household_no: h.household_no.clone(),
            head: h.head.as_ref().map(|i| if masked { i.masked() } else { i.to_string() }),
            masked,
            address: h.address.clone(),
            community: h.community.clone(),
            grid: h.grid.clone(),
            building: h.building.clone(),
            kind: h.kind,
        }
    }
}

/// Households within the account's region.
pub async fn search_households(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    mut q: HouseholdQuery,
) -> Result<Page<HouseholdView>, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden);
    }
    let region = scoped(who, q.region.take())?;
    q.region = Some(region.clone());
    let page = store.search_households(&q).await?;
    let shown: Vec<&str> = page.items.iter().map(|h| h.household_no.as_str()).collect();
    let detail = serde_json::json!({ "region": region, "shown": page.items.len(), "households": shown });
    store.audit(actor, &[RegistryAudit::HouseholdsSearched { region: &region, detail }.entry()]).await?;
    Ok(Page { items: page.items.iter().map(|h| HouseholdView::of(h, who.role)).collect(), next: page.next })
}

/// Residents of one region below the account's (or the asked one, if in scope).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionCount {
    pub code: String,
    pub name: String,
    pub persons: u64,
}

/// 居民分布: residents per region one level below, for the home page chart. Counts only, so no
/// personal data is read and nothing is audited.
pub async fn residents_by_region(store: &dyn Store, who: &Principal, asked: Option<RegionCode>) -> Result<Vec<RegionCount>, AccessError> {
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden);
    }
    let region = scoped(who, asked)?;
    let Some(child) = region.level().child() else { return Ok(Vec::new()) };
    let names: std::collections::HashMap<String, String> =
        store.region_children(&region).await?.into_iter().map(|r| (r.code.to_string(), r.name)).collect();
    let counts = store.count_persons_by(&region, child.digits()).await?;
    Ok(counts
        .into_iter()
        .map(|(code, persons)| RegionCount { name: names.get(&code).cloned().unwrap_or_else(|| code.clone()), code, persons })
        .collect())
}

/// What a community worker learns of any city resident when accepting an application there
/// (全市通办): the name, the masked number and the county that owns the case. Found only by the
/// full ID number; nothing else of the household is shown. Audited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcceptanceView {
    pub name: String,
    pub id_number: String,
    /// 户籍地所在区县: the county that will own the case.
    pub owning_county: RegionCode,
}

pub async fn find_for_acceptance(store: &dyn Store, cx: &RequestContext<'_>, id: &IdNumber) -> Result<AcceptanceView, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::AcceptApplications) {
        return Err(AccessError::Forbidden);
    }
    let p = store.person(id).await?.ok_or(AccessError::NotFound)?;
    let city = who.region.ancestor(minzheng_domain::RegionLevel::City).ok_or(AccessError::Forbidden)?;
    if !city.contains(&p.hukou_region) {
        store.audit(actor, &[RegistryAudit::PersonRefused(id).entry()]).await?;
        return Err(AccessError::OutOfScope);
    }
    let owning_county = p.hukou_region.ancestor(minzheng_domain::RegionLevel::County).ok_or(AccessError::NotFound)?;
    store.audit(actor, &[RegistryAudit::LookedUpForAcceptance(id).entry()]).await?;
    Ok(AcceptanceView { name: p.name, id_number: p.id_number.masked(), owning_county })
}

/// 入户调查 / the home survey's finding on legal supporters living outside the household (a
/// son in another city ...), whom the registry's household does not show: how many of them it
/// found able to support the person (《特困人员认定办法》第十条 lists who is not), dated, with
/// where it came from. Recorded by staff who handle cases, for a person in scope, audited;
/// the rules read it as part of the person's able supporters. Returns whether it is now the
/// value held (an older date than the one held changes nothing).
pub async fn record_supporters_elsewhere(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: &IdNumber,
    able: u32,
    since: chrono::NaiveDate,
    source: &str,
) -> Result<bool, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::HandleCases) {
        return Err(AccessError::Forbidden);
    }
    // In scope as a read of the person is (a refusal audited).
    readable_person(store, cx, id).await?;
    let source = match source.trim() {
        "" => "入户调查".to_string(),
        s => s.chars().take(200).collect(),
    };
    let fact = minzheng_domain::PersonFact {
        id_number: *id,
        fact: minzheng_domain::PersonFact::ABLE_SUPPORTERS_ELSEWHERE.into(),
        value: i64::from(able),
        since,
        source,
    };
    Ok(store.record_person_fact(&fact, actor).await?)
}

/// What became of a survey finding sent from the household page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyRecorded {
    /// Recorded: the value held from its date.
    Held,
    /// Recorded in the audit log only: a finding of a later date is already held.
    Older,
    /// Not recorded: the member at that place in the list is no longer the one the page showed
    /// (the household changed since it was shown).
    MemberChanged,
}

/// The household page's supporters form: [`record_supporters_elsewhere`] for the member at
/// `index` of the household (in the order the page lists them), who must still be the one the
/// page showed under `shown_name`, after the household's own checks ([`household`]).
#[allow(clippy::too_many_arguments, reason = "the form's fields, each needed")]
pub async fn record_member_supporters_elsewhere(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    no: &str,
    index: usize,
    shown_name: &str,
    able: u32,
    since: chrono::NaiveDate,
    source: &str,
) -> Result<SurveyRecorded, AccessError> {
    let who = cx.who;
    if !who.may(Permission::HandleCases) {
        return Err(AccessError::Forbidden);
    }
    let (_, members) = household(store, cx, no).await?;
    let Some(shown) = members.get(index) else { return Ok(SurveyRecorded::MemberChanged) };
    if shown.name != shown_name {
        return Ok(SurveyRecorded::MemberChanged);
    }
    let stored = store.household_members(no).await?;
    let person = stored.get(index).ok_or(AccessError::NotFound)?;
    let held = record_supporters_elsewhere(store, cx, &person.id_number, able, since, source).await?;
    Ok(if held { SurveyRecorded::Held } else { SurveyRecorded::Older })
}
