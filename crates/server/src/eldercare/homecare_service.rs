//! 政府购买居家养老服务's use cases: the county contracts providers and opens service orders for
//! entitled elders of its region; providers' service records are checked against the orders and
//! stored in bulk; a sample of them is verified by the community (visited or called); the month
//! is settled with each provider once the month is over and its sample verified. Access, region
//! scope and audit as everywhere.

use super::homecare::{
    check_visit, entitlement, groups, month_of, sampled, settle, ElderFacts, Group, Settlement, Verification, VisitError, VisitReport,
};
use super::homecare_store::{homecare_store, Order, Provider, SettlementRecord, Visit};
use crate::platform::scope::{need, within};
use chrono::{Datelike, NaiveDate};
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, IdNumber, Permission, PersonFact, PersonStatus, Principal, RegionCode, RegionLevel};
use minzheng_store::{Store, StoreError};
use std::collections::HashMap;

/// Why a home-care use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum HomecareFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("not entitled")]
    NotEntitled { name: String, age: u32, programs: Vec<String>, self_care_failed: u32 },
    #[error("already has an open order with provider {0}")]
    OpenOrder(String),
    #[error("deceased or moved out")]
    NotLiving(String),
    #[error("no name, county or registration")]
    Provider,
    /// A record refused, with its row (from 1) in what was handed in.
    #[error("row {row}: {error}")]
    Visit { row: usize, error: VisitError },
    #[error("order {0} not found")]
    NoOrder(i64),
    #[error("the month is not over")]
    MonthNotOver(NaiveDate),
    #[error("{0} sampled records not verified")]
    Unverified(u64),
    #[error("nothing to settle")]
    Nothing,
    #[error("the record is verified already or not in the sample")]
    NotVerifiable,
    #[error("no provider {0}")]
    NoProvider(i64),
    #[error("lives in a care home")]
    InCareHome { name: String, institution: String },
    #[error("no hourly price in force")]
    NoPrice,
    #[error("settled already")]
    AlreadySettled,
    #[error("end {end} before the start {start}")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn month_zh(m: NaiveDate) -> String {
    m.format("%Y年%-m月").to_string()
}

impl HomecareFailure {
    /// Whether the failure is about what was typed (the form comes back with the message).
    pub fn is_input(&self) -> bool {
        !matches!(self, HomecareFailure::Store(_) | HomecareFailure::Access(AccessError::Forbidden))
    }
}

impl Bilingual for HomecareFailure {
    fn zh(&self) -> String {
        match self {
            HomecareFailure::Access(AccessError::NotFound) => "人口库中没有这个身份证号".into(),
            HomecareFailure::Access(e) => e.zh(),
            HomecareFailure::NotEntitled { name, age, programs, self_care_failed } => format!(
                "{name}不属于政府购买居家养老服务对象（{age}周岁；{}；{self_care_failed}项日常活动不能自理）：服务对象见 policies/homecare.toml",
                if programs.is_empty() { "未享受特困、低保、低保边缘".to_string() } else { format!("享受{}", programs.join("、")) }
            ),
            HomecareFailure::OpenOrder(p) => format!("该老人已有服务机构“{p}”的服务工单，请先终止"),
            HomecareFailure::NotLiving(n) => format!("{n}在人口库中登记为死亡或迁出"),
            HomecareFailure::Provider => "请填写服务机构名称、所属区县和统一社会信用代码".into(),
            HomecareFailure::Visit { row, error } => format!("第{row}条服务记录：{}（全部未保存）", error.zh()),
            HomecareFailure::NoOrder(id) => format!("没有编号为{id}的服务工单（或不在本区划）"),
            HomecareFailure::MonthNotOver(m) => format!("{}尚未结束，月末之后才能结算", month_zh(*m)),
            HomecareFailure::Unverified(n) => format!("还有{n}条抽查的服务记录未回访核验，核验完毕后才能结算"),
            HomecareFailure::Nothing => "该月没有待结算的服务记录".into(),
            HomecareFailure::NotVerifiable => "该服务记录已核验或不在抽查范围内".into(),
            HomecareFailure::NoProvider(id) => format!("没有编号为{id}的服务机构（或不在本区划）"),
            HomecareFailure::InCareHome { name, institution } => format!("{name}正入住{institution}，由机构照护，不再购买居家养老服务"),
            HomecareFailure::NoPrice => "该月没有有效的服务单价（参数“政府购买居家养老服务单价”），请先在参数页设定".into(),
            HomecareFailure::AlreadySettled => "该月已结算".into(),
            HomecareFailure::EndBeforeStart { start, end } => format!("终止日期{end}早于工单开始日期{start}"),
            HomecareFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            HomecareFailure::Access(AccessError::NotFound) => "no resident with this ID number in the registry".into(),
            HomecareFailure::Access(e) => e.en(),
            HomecareFailure::NotEntitled { name, age, programs, self_care_failed } => format!(
                "{name} is not entitled to purchased home care (aged {age}; programs: {}; {self_care_failed} daily activities they cannot do): see policies/homecare.toml",
                if programs.is_empty() { "none".to_string() } else { programs.join(", ") }
            ),
            HomecareFailure::OpenOrder(p) => format!("the elder has an open order with {p}: end it first"),
            HomecareFailure::NotLiving(n) => format!("{n} is recorded as deceased or moved out"),
            HomecareFailure::Provider => "enter the provider's name, county and registration code".into(),
            HomecareFailure::Visit { row, error } => format!("record {row}: {} (nothing stored)", error.en()),
            HomecareFailure::NoOrder(id) => format!("no order {id} (or not in your region)"),
            HomecareFailure::MonthNotOver(m) => format!("{} is not over: settle it after the month ends", m.format("%Y-%m")),
            HomecareFailure::Unverified(n) => format!("{n} sampled records are not verified yet: verify them first"),
            HomecareFailure::Nothing => "no service records to settle for the month".into(),
            HomecareFailure::NotVerifiable => "the record is verified already or not in the sample".into(),
            HomecareFailure::NoProvider(id) => format!("no provider {id} (or not in your region)"),
            HomecareFailure::InCareHome { name, institution } => {
                format!("{name} lives in {institution}, cared for there: no home care is bought for them")
            }
            HomecareFailure::NoPrice => "no hourly price in force for the month (parameter homecare_hour_fen): set it first".into(),
            HomecareFailure::AlreadySettled => "the month is settled already".into(),
            HomecareFailure::EndBeforeStart { start, end } => format!("end {end} is before the order's start {start}"),
            HomecareFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

fn county_of(code: &RegionCode) -> RegionCode {
    code.ancestor(RegionLevel::County).unwrap_or_else(|| code.clone())
}

/// A provider the account may see: its county within the account's region, or the account's
/// region within its county (a community sees its county's providers).
fn provider_visible(who: &Principal, p: &Provider) -> bool {
    RegionCode::parse(&p.county).is_ok_and(|c| who.in_scope(&c) || c.contains(&who.region))
}

/// Adds a provider of a county within the account's region.
pub async fn add_provider(store: &dyn Store, cx: &RequestContext<'_>, p: Provider) -> Result<i64, HomecareFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::ManageInstitutions)?;
    let county = RegionCode::parse(p.county.trim()).map_err(|_| HomecareFailure::Provider)?;
    if county.level() != RegionLevel::County || p.name.trim().is_empty() || p.registration.trim().is_empty() {
        return Err(HomecareFailure::Provider);
    }
    if !who.in_scope(&county) {
        return Err(AccessError::OutOfScope.into());
    }
    let p = Provider {
        id: 0,
        name: p.name.trim().into(),
        county: county.to_string(),
        registration: p.registration.trim().into(),
        contact: p.contact.trim().into(),
    };
    Ok(homecare_store(store).add_provider(&p, actor).await?)
}

/// The providers the region (the account's own when none) uses: a county's or, for a street or
/// community, its county's.
pub async fn providers(store: &dyn Store, who: &Principal, region: Option<&RegionCode>) -> Result<Vec<Provider>, HomecareFailure> {
    need(who, Permission::ReadElderCare)?;
    let region = within(who, region)?;
    Ok(homecare_store(store).providers(region).await?)
}

async fn provider_in_scope(store: &dyn Store, who: &Principal, id: i64) -> Result<Provider, HomecareFailure> {
    let p = homecare_store(store).provider(id).await?.ok_or(HomecareFailure::NoProvider(id))?;
    if !provider_visible(who, &p) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok(p)
}

/// What the platform knows of an elder on the first of `month` for the entitlement.
pub async fn elder_facts(store: &dyn Store, p: &minzheng_domain::Person, month: NaiveDate) -> Result<ElderFacts, StoreError> {
    let programs: Vec<String> = store
        .enrolments_of(&[p.id_number])
        .await?
        .into_iter()
        .filter(|e| e.paid_for(month) && e.members.iter().any(|m| m.id_number == p.id_number && m.paid_for(month)))
        .map(|e| e.program)
        .collect();
    let self_care_failed = store
        .person_facts(PersonFact::SELF_CARE_FAILED, Some(&[p.id_number]))
        .await?
        .first()
        .map_or(0, |f| u32::try_from(f.value).unwrap_or(0));
    Ok(ElderFacts {
        age: minzheng_domain::id::age_on(p.birth_date, month),
        programs,
        self_care_failed,
        disability_grade: p.disability.map(|d| d.grade),
    })
}

/// Opens a service order for an entitled elder of the account's region with a provider of the
/// elder's county, from `start_on`: the entitlement (group and hours) is the one in force on the
/// first of that month.
pub async fn open_order(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id_number: &str,
    provider_id: i64,
    start_on: NaiveDate,
) -> Result<(Order, &'static Group), HomecareFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::ManageInstitutions)?;
    let id = IdNumber::parse(id_number.trim()).map_err(|_| AccessError::NotFound)?;
    let (person, community) = store.person_placed(&id).await?.ok_or(AccessError::NotFound)?;
    let community = community.ok_or(AccessError::OutOfScope)?;
    if !who.in_scope(&community) {
        return Err(AccessError::OutOfScope.into());
    }
    if person.status != PersonStatus::Alive {
        return Err(HomecareFailure::NotLiving(person.name));
    }
    let provider = provider_in_scope(store, who, provider_id).await?;
    if !county_of(&community).as_str().starts_with(&provider.county) {
        return Err(AccessError::OutOfScope.into());
    }
    let hc = homecare_store(store);
    if let Some(o) = hc.open_order_of(id.as_str()).await? {
        let name = hc.provider(o.provider_id).await?.map_or_else(|| o.provider_id.to_string(), |p| p.name);
        return Err(HomecareFailure::OpenOrder(name));
    }
    let elder = super::store::eldercare_store(store);
    if let Some(r) = elder.residency_of(id.as_str()).await? {
        let institution = elder.institution(r.institution_id).await?.map_or_else(|| r.institution_id.to_string(), |i| i.filing.name);
        return Err(HomecareFailure::InCareHome { name: person.name, institution });
    }
    let facts = elder_facts(store, &person, month_of(start_on)).await?;
    let Some(group) = entitlement(groups(), &facts) else {
        return Err(HomecareFailure::NotEntitled {
            name: person.name,
            age: facts.age,
            programs: facts.programs,
            self_care_failed: facts.self_care_failed,
        });
    };
    let mut o = Order {
        id: 0,
        id_number: id.to_string(),
        name: person.name.clone(),
        community: community.to_string(),
        provider_id,
        group: group.code.clone(),
        monthly_minutes: group.hours * 60,
        start_on,
        end_on: None,
    };
    o.id = match hc.add_order(&o, actor).await {
        // Opened meanwhile (a form sent twice).
        Err(StoreError::Conflict(_)) => {
            let name = hc.provider(provider_id).await?.map_or_else(|| provider_id.to_string(), |p| p.name);
            return Err(HomecareFailure::OpenOrder(name));
        }
        other => other?,
    };
    Ok((o, group))
}

/// Ends an open order of an elder of the account's region on a day (moved, no longer entitled,
/// another provider): nothing served after it is paid.
pub async fn end_order(store: &dyn Store, cx: &RequestContext<'_>, order_id: i64, on: NaiveDate) -> Result<Order, HomecareFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::ManageInstitutions)?;
    let hc = homecare_store(store);
    let o = hc.order(order_id).await?.ok_or(HomecareFailure::NoOrder(order_id))?;
    let community = RegionCode::parse(&o.community).map_err(|_| StoreError::Corrupt(o.community.clone()))?;
    if !who.in_scope(&community) || o.end_on.is_some() {
        return Err(HomecareFailure::NoOrder(order_id));
    }
    if on < o.start_on {
        return Err(HomecareFailure::EndBeforeStart { start: o.start_on, end: on });
    }
    match hc.end_order(&o, on, actor).await {
        Err(StoreError::Conflict(_)) => return Err(HomecareFailure::NoOrder(order_id)),
        other => other?,
    }
    Ok(Order { end_on: Some(on), ..o })
}

/// The open orders of the elders of the region (the account's own when none), at most `limit`.
pub async fn open_orders(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    limit: u32,
) -> Result<Vec<Order>, HomecareFailure> {
    need(who, Permission::ReadElderCare)?;
    let region = within(who, region)?;
    Ok(homecare_store(store).open_orders(region, limit).await?)
}

/// The key a record is sampled by: what it says and the moment it is stored.
fn sample_key(v: &VisitReport, row: usize, nanos: i64) -> u64 {
    let text = format!("{}|{}|{}|{}|{}|{row}|{nanos}", v.order_id, v.served_on, v.minutes, v.worker, v.service.as_str());
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Stores a provider's service records (a month's sheet or a day's visits): each checked
/// against its order (of a provider within the account's region), none for a month the provider
/// has settled; one refused refuses all, naming its row. Returns how many, and how many of them
/// were drawn for verification.
pub async fn record_visits(store: &dyn Store, cx: &RequestContext<'_>, reports: &[VisitReport]) -> Result<(u64, u64), HomecareFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManageInstitutions)?;
    let hc = homecare_store(store);
    let records = store.parameter_records().await?;
    let mut orders: HashMap<i64, Order> = HashMap::new();
    let mut settled: HashMap<(i64, NaiveDate), bool> = HashMap::new();
    let mut visits = Vec::with_capacity(reports.len());
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
    let mut drawn = 0;
    for (n, v) in reports.iter().enumerate() {
        let row = n + 1;
        if let std::collections::hash_map::Entry::Vacant(slot) = orders.entry(v.order_id) {
            let o = hc.order(v.order_id).await?.ok_or(HomecareFailure::NoOrder(v.order_id))?;
            let community = RegionCode::parse(&o.community).map_err(|_| StoreError::Corrupt(o.community.clone()))?;
            let p = hc.provider(o.provider_id).await?.ok_or(HomecareFailure::NoOrder(v.order_id))?;
            if !who.in_scope(&community) && !provider_visible(who, &p) {
                return Err(HomecareFailure::NoOrder(v.order_id));
            }
            slot.insert(o);
        }
        let o = &orders[&v.order_id];
        check_visit(v, o.start_on, o.end_on, today).map_err(|error| HomecareFailure::Visit { row, error })?;
        let month = month_of(v.served_on);
        let county = county_of(&RegionCode::parse(&o.community).map_err(|_| StoreError::Corrupt(o.community.clone()))?);
        let is_settled = match settled.entry((o.provider_id, month)) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let done = hc.settlements(&county, month).await?;
                *slot.insert(done.iter().any(|s| s.settlement.provider_id == o.provider_id))
            }
        };
        if is_settled {
            return Err(HomecareFailure::Visit { row, error: VisitError::Settled(month_zh(month)) });
        }
        let permille = minzheng_policy::params::in_force(
            &records,
            "homecare_sample_permille",
            county.as_str(),
            minzheng_policy::Area::Urban,
            v.served_on,
        )
        .map_or(50, |r| u32::try_from(r.value).unwrap_or(50));
        let in_sample = sampled(sample_key(v, row, nanos), month, permille);
        drawn += u64::from(in_sample);
        visits.push(Visit {
            id: 0,
            order_id: v.order_id,
            provider_id: o.provider_id,
            served_on: v.served_on,
            service: v.service,
            minutes: v.minutes,
            worker: v.worker.trim().to_string(),
            sampled: in_sample,
            verification: None,
            verified_by: None,
            note: String::new(),
        });
    }
    let n = hc.add_visits(&visits, actor).await?;
    Ok((n, drawn))
}

/// The month's sampled records of the account's region (the ones to verify first) and how many
/// are not verified.
pub async fn samples(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    month: NaiveDate,
    limit: u32,
) -> Result<(Vec<Visit>, u64), HomecareFailure> {
    need(who, Permission::ReadElderCare)?;
    let region = within(who, region)?;
    Ok(homecare_store(store).samples(region, month_of(month), limit).await?)
}

/// Records the verification of a sampled record of an order of the account's region: visited or
/// called, confirmed or not (a record not confirmed is not paid).
pub async fn verify(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    visit_id: i64,
    result: Verification,
    note: &str,
) -> Result<(), HomecareFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::AssessAbility)?;
    let hc = homecare_store(store);
    let v = hc.visit(visit_id).await?.ok_or(HomecareFailure::NotVerifiable)?;
    let o = hc.order(v.order_id).await?.ok_or(HomecareFailure::NotVerifiable)?;
    let community = RegionCode::parse(&o.community).map_err(|_| StoreError::Corrupt(o.community.clone()))?;
    if !who.in_scope(&community) {
        return Err(AccessError::OutOfScope.into());
    }
    match hc.verify(visit_id, result, note.trim(), actor).await {
        Err(StoreError::Conflict(_)) => Err(HomecareFailure::NotVerifiable),
        other => Ok(other?),
    }
}

/// The hourly price in force for a county on a day.
pub fn hour_fen(records: &[minzheng_domain::parameter::ParameterRecord], county: &RegionCode, on: NaiveDate) -> i64 {
    minzheng_policy::params::in_force(records, "homecare_hour_fen", county.as_str(), minzheng_policy::Area::Urban, on)
        .map_or(0, |r| r.value)
}

/// The month's orders settled per provider, each at its county's hourly price (refused when a
/// county has none).
async fn settle_priced(
    store: &dyn Store,
    region: &RegionCode,
    month: NaiveDate,
) -> Result<(Vec<Settlement>, HashMap<i64, i64>), HomecareFailure> {
    let hc = homecare_store(store);
    let records = store.parameter_records().await?;
    let county_of_provider: HashMap<i64, String> = hc.providers(region).await?.into_iter().map(|p| (p.id, p.county)).collect();
    let mut by_county: std::collections::BTreeMap<String, Vec<super::homecare::OrderMonth>> = Default::default();
    for o in hc.month_orders(region, month).await? {
        let county = county_of_provider.get(&o.provider_id).cloned().unwrap_or_else(|| county_of(region).to_string());
        by_county.entry(county).or_default().push(o);
    }
    let mut out = Vec::new();
    let mut prices = HashMap::new();
    for (county, orders) in by_county {
        let code = RegionCode::parse(&county).map_err(|_| StoreError::Corrupt(county.clone()))?;
        let price = hour_fen(&records, &code, month);
        if price <= 0 {
            return Err(HomecareFailure::NoPrice);
        }
        for s in settle(&orders, price) {
            prices.insert(s.provider_id, price);
            out.push(s);
        }
    }
    out.sort_by_key(|s| s.provider_id);
    Ok((out, prices))
}

/// The month's settlement of the providers the region (the account's own when none) uses, as it
/// would be now (not stored): per provider, at its county's price.
pub async fn preview(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    month: NaiveDate,
) -> Result<Vec<Settlement>, HomecareFailure> {
    need(who, Permission::ReadElderCare)?;
    let region = within(who, region)?;
    Ok(settle_priced(store, region, month_of(month)).await?.0)
}

/// Settles a month that is over with every provider of the account's region not settled yet
/// (a county's; a city's every county), each at its county's price: refused while sampled
/// records are not verified or a county has no price. Returns the settlements stored.
pub async fn settle_month(store: &dyn Store, cx: &RequestContext<'_>, month: NaiveDate) -> Result<Vec<Settlement>, HomecareFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ManageInstitutions)?;
    let month = month_of(month);
    if month >= month_of(today) {
        return Err(HomecareFailure::MonthNotOver(month));
    }
    let region = &who.region;
    let hc = homecare_store(store);
    let (_, unverified) = hc.samples(region, month, 0).await?;
    if unverified > 0 {
        return Err(HomecareFailure::Unverified(unverified));
    }
    let done: Vec<i64> = hc.settlements(region, month).await?.iter().map(|s| s.settlement.provider_id).collect();
    let (all, prices) = settle_priced(store, region, month).await?;
    let list: Vec<Settlement> = all.into_iter().filter(|s| !done.contains(&s.provider_id)).collect();
    if list.is_empty() {
        return Err(HomecareFailure::Nothing);
    }
    // One price per stored batch: the counties' settlements stored county by county.
    let mut by_price: std::collections::BTreeMap<i64, Vec<Settlement>> = Default::default();
    for s in &list {
        by_price.entry(prices.get(&s.provider_id).copied().unwrap_or_default()).or_default().push(*s);
    }
    for (price, group) in by_price {
        match hc.add_settlements(month, &group, price, actor).await {
            // Settled meanwhile by another clerk.
            Err(StoreError::Conflict(_)) => return Err(HomecareFailure::AlreadySettled),
            other => other?,
        }
    }
    Ok(list)
}

/// The month's settlements stored for the account's region.
pub async fn settlements(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    month: NaiveDate,
) -> Result<Vec<SettlementRecord>, HomecareFailure> {
    need(who, Permission::ReadElderCare)?;
    let region = within(who, region)?;
    Ok(homecare_store(store).settlements(region, month_of(month)).await?)
}

/// The first of the month before `day`'s.
pub fn last_month(day: NaiveDate) -> NaiveDate {
    month_of(day).checked_sub_months(chrono::Months::new(1)).unwrap_or(day).with_day(1).unwrap_or(day)
}
