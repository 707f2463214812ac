//! The monthly report's use cases: who may read it, close a county's month and note corrections,
//! in which region; the report worked out live or read as closed; the units behind a figure,
//! shown as the account may see them and their reading audited.

use super::model::{
    self, check_close, check_correction, compute, last_day, line_of, month_of, previous_month, ClosedMonth, Correction, Figures, Inputs,
    StatError, Support, Trace,
};
use super::store::{statistics_store, HouseholdUnit, PersonUnit, UnitQuery};
use crate::platform::scope::{need, shown, within};
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, HouseholdKind, Permission, Principal, RegionCode, RegionLevel};
use minzheng_store::{AuditEntry, Store, StoreError};
use std::collections::BTreeMap;

/// Why a statistics use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum StatFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Invalid(#[from] StatError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl StatFailure {
    /// A failure of what was typed (the form comes back with it), not of the system.
    pub fn is_input(&self) -> bool {
        matches!(self, StatFailure::Invalid(_))
    }
}

impl Bilingual for StatFailure {
    fn zh(&self) -> String {
        match self {
            StatFailure::Access(e) => e.zh(),
            StatFailure::Invalid(e) => e.zh(),
            StatFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            StatFailure::Access(e) => e.en(),
            StatFailure::Invalid(e) => e.en(),
            StatFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

/// A report of a region and month, with the months it is compared with.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub region: RegionCode,
    pub month: NaiveDate,
    /// The figures: as closed where the region is a county whose month is closed, else live.
    pub figures: Figures,
    /// The county's closed month (with its corrections), when closed.
    pub closed: Option<ClosedMonth>,
    /// The month before (环比) and the same month a year before (同比), each as closed or live.
    pub previous: Figures,
    pub year_before: Figures,
    /// Above a county: each county within the region and whether it closed the month.
    pub counties: Vec<CountyState>,
}

/// A county of the region and whether its month is closed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CountyState {
    pub code: String,
    pub name: String,
    pub closed: bool,
}

/// The live figures of each owning county within `region` (below a county: of the region's own
/// households) for each of `months`: one pass over the enrolments for all of them.
async fn live_parts(
    store: &dyn Store,
    region: &RegionCode,
    months: &[NaiveDate],
    records: &[minzheng_domain::parameter::ParameterRecord],
) -> Result<Vec<BTreeMap<String, Figures>>, StoreError> {
    let st = statistics_store(store);
    let coverage = st.coverage_months(region, months).await?;
    let concentrated = st.concentrated_months(region, months).await?;
    let spending = st.spending_months(region, months).await?;
    let mut out = Vec::new();
    for (i, month) in months.iter().enumerate() {
        let last = last_day(*month);
        let mut inputs: BTreeMap<String, Inputs> = BTreeMap::new();
        for c in coverage.iter().filter(|c| c.month == i) {
            inputs.entry(c.county.clone()).or_default().coverage.push(c.coverage.clone());
        }
        for (county, _, n) in concentrated.iter().filter(|c| c.1 == i) {
            inputs.entry(county.clone()).or_default().concentrated = *n;
        }
        for (county, _, program, paid) in spending.iter().filter(|c| c.1 == i) {
            inputs.entry(county.clone()).or_default().spending.push((program.clone(), *paid));
        }
        for case in temporary_cases(store, region, *month).await? {
            let t = inputs.entry(case.county.clone()).or_default();
            t.temporary_cases += 1;
            t.temporary_amount += case.amount;
        }
        let figures = inputs
            .into_iter()
            .map(|(county, mut i)| {
                let standard = |area| minzheng_policy::params::in_force(records, "dibao_standard", &county, area, last).map(|r| r.value);
                i.standard_urban = standard(HouseholdKind::Urban);
                i.standard_rural = standard(HouseholdKind::Rural);
                (county, compute(&i))
            })
            .collect();
        out.push(figures);
    }
    Ok(out)
}

/// The figures of `region` for each of `months`: a county's as closed (with its closed month)
/// when `closed` says so and it is, else live; above a county its counties added up (each as
/// closed or live), the standards the region's own.
async fn figures_for(
    store: &dyn Store,
    region: &RegionCode,
    months: &[NaiveDate],
    closed: bool,
) -> Result<Vec<(Figures, Option<ClosedMonth>)>, StoreError> {
    let st = statistics_store(store);
    let records = store.parameter_records().await?;
    let parts = live_parts(store, region, months, &records).await?;
    let mut out = Vec::new();
    for (i, month) in months.iter().enumerate() {
        let last = last_day(*month);
        let standard = |area| minzheng_policy::params::in_force(&records, "dibao_standard", region.as_str(), area, last).map(|r| r.value);
        let (standard_urban, standard_rural) = (standard(HouseholdKind::Urban), standard(HouseholdKind::Rural));
        if region.level() == RegionLevel::County {
            if closed {
                if let Some(c) = st.closed_month(region.as_str(), *month).await? {
                    out.push((c.figures.clone(), Some(c)));
                    continue;
                }
            }
            let f = parts[i]
                .get(region.as_str())
                .cloned()
                .unwrap_or_else(|| compute(&Inputs { standard_urban, standard_rural, ..Inputs::default() }));
            out.push((f, None));
            continue;
        }
        let shut: BTreeMap<String, Figures> = if closed && region.level() < RegionLevel::County {
            st.closed_in(region, *month).await?.into_iter().map(|c| (c.county, c.figures)).collect()
        } else {
            BTreeMap::new()
        };
        let mut all: Vec<Figures> = shut.values().cloned().collect();
        all.extend(parts[i].iter().filter(|(c, _)| !shut.contains_key(c.as_str())).map(|(_, f)| f.clone()));
        out.push((model::consolidate(&all, standard_urban, standard_rural), None));
    }
    Ok(out)
}

/// The report worked out from the records, whatever is closed.
pub async fn live(store: &dyn Store, region: &RegionCode, month: NaiveDate) -> Result<Figures, StoreError> {
    Ok(figures_for(store, region, &[month_of(month)], false).await?.into_iter().next().map(|(f, _)| f).unwrap_or_default())
}

/// 临时救助 approved in the month: the cases (with id, applicant, name, day, amount).
async fn temporary_cases(store: &dyn Store, region: &RegionCode, month: NaiveDate) -> Result<Vec<TemporaryUnit>, StoreError> {
    let first = month_of(month);
    let last = last_day(month);
    let mut out = Vec::new();
    for body in statistics_store(store).temporary_bodies(region, first, last).await? {
        let case: minzheng_domain::case::Case = serde_json::from_str(&body)
            .map_err(|_| StoreError::Corrupt(format!("case body {:?}", body.chars().take(80).collect::<String>())))?;
        if let Some(d) = case.file.decision.as_ref().filter(|d| d.approved && d.on >= first && d.on <= last) {
            out.push(TemporaryUnit {
                case_id: case.id,
                county: case.owner.to_string(),
                id_number: case.applicant.to_string(),
                name: case.applicant_name.clone(),
                household_no: case.household_no.clone(),
                decided_on: d.on,
                amount: d.amount.map_or(0, |a| a.0),
            });
        }
    }
    Ok(out)
}

/// The report of `region` (the account's own when none) for `month`.
pub async fn report(store: &dyn Store, who: &Principal, region: Option<&RegionCode>, month: NaiveDate) -> Result<Report, StatFailure> {
    need(who, Permission::ReadStatistics)?;
    let region = within(who, region)?.clone();
    let month = month_of(month);
    let mut three = figures_for(store, &region, &[month, previous_month(month), model::year_before(month)], true).await?.into_iter();
    let (figures, closed) = three.next().unwrap_or_default();
    let (previous, _) = three.next().unwrap_or_default();
    let (year_before, _) = three.next().unwrap_or_default();
    let counties = if region.level() < RegionLevel::County {
        let done: std::collections::BTreeSet<String> =
            statistics_store(store).closed_in(&region, month).await?.into_iter().map(|c| c.county).collect();
        store
            .regions_within(&region, RegionLevel::County)
            .await?
            .into_iter()
            .map(|r| CountyState { closed: done.contains(r.code.as_str()), code: r.code.to_string(), name: r.name })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Report { region, month, figures, closed, previous, year_before, counties })
}

/// Closes a county's month (关账): its live figures are kept as they are now, audited.
pub async fn close(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    county: &RegionCode,
    month: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ClosedMonth, StatFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::CloseStatistics)?;
    within(who, Some(county))?;
    if county.level() != RegionLevel::County {
        return Err(StatError::NotCounty(county.to_string()).into());
    }
    let month = month_of(month);
    check_close(month, today)?;
    let st = statistics_store(store);
    if st.closed_month(county.as_str(), month).await?.is_some() {
        return Err(StatError::AlreadyClosed.into());
    }
    let figures = live(store, county, month).await?;
    match st.close_month(county.as_str(), month, &figures, now, actor).await {
        Err(StoreError::Conflict(_)) => Err(StatError::AlreadyClosed.into()),
        other => Ok(other?),
    }
}

/// Notes a correction beside a figure of a county's closed month, audited.
#[allow(clippy::too_many_arguments, reason = "the correction's own fields with who and when")]
pub async fn correct(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    county: &RegionCode,
    month: NaiveDate,
    line: &str,
    value: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Correction, StatFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::CloseStatistics)?;
    within(who, Some(county))?;
    if county.level() != RegionLevel::County {
        return Err(StatError::NotCounty(county.to_string()).into());
    }
    let def = check_correction(line, value, reason)?;
    let c = Correction {
        id: 0,
        county: county.to_string(),
        month: month_of(month),
        line: def.code.to_string(),
        value,
        reason: reason.trim().to_string(),
        corrected_by: actor.name.clone(),
        corrected_at: now,
    };
    match statistics_store(store).add_correction(&c, actor).await {
        Err(StoreError::NotFound(_)) => Err(StatError::NotClosed.into()),
        other => Ok(other?),
    }
}

/// A 临时救助 case behind the figure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TemporaryUnit {
    pub case_id: i64,
    /// The owning county.
    pub county: String,
    pub id_number: String,
    pub name: String,
    pub household_no: String,
    pub decided_on: NaiveDate,
    pub amount: i64,
}

/// The units behind a figure, as the account may see them.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Units {
    Households {
        rows: Vec<HouseholdUnit>,
    },
    Persons {
        rows: Vec<PersonUnit>,
    },
    Cases {
        rows: Vec<TemporaryUnit>,
    },
    /// The figure is not a count of units (spending, standards, averages): where it comes from.
    Elsewhere,
}

/// The page size of a list behind a figure.
pub const PAGE: u32 = 100;

/// A page of the units behind a figure, with how many there are now and, for a county's closed
/// month, the figure as closed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub units: Units,
    /// The units behind the figure now (the live figure of a count; the cases of an amount).
    pub total: i64,
    pub closed: Option<i64>,
}

/// The units behind a line's figure for a region and month, a page at a time; IDs and names
/// shown as the role may see them; the reading audited.
pub async fn units(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    region: Option<&RegionCode>,
    month: NaiveDate,
    line: &str,
    page: u32,
) -> Result<Listed, StatFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::ReadStatistics)?;
    let region = within(who, region)?.clone();
    let def = line_of(line).ok_or_else(|| StatError::UnknownLine(line.to_string()))?;
    let month = month_of(month);
    let offset = page.saturating_sub(1).saturating_mul(PAGE);
    let q = |programs, area| UnitQuery { region: &region, month, programs, area, offset, limit: PAGE };
    let masked = !who.role.sees_full_identity();
    let name = |n: &str| if masked { minzheng_app::cases::mask_name(n) } else { n.to_string() };
    let st = statistics_store(store);
    let mut total = 0;
    let units = match def.trace {
        Trace::Households { programs, area } => {
            let mut rows = st.households(q(programs, area)).await?;
            for r in &mut rows {
                r.head_name = name(&r.head_name);
            }
            Units::Households { rows }
        }
        Trace::Persons { programs, area, support } => {
            let mut rows = st.persons(q(programs, area), support, last_day(month)).await?;
            for r in &mut rows {
                r.id_number = shown(who, &r.id_number);
                r.name = name(&r.name);
            }
            Units::Persons { rows }
        }
        Trace::TemporaryCases => {
            let all = temporary_cases(store, &region, month).await?;
            total = all.len() as i64;
            let mut rows: Vec<TemporaryUnit> = all.into_iter().skip(offset as usize).take(PAGE as usize).collect();
            for r in &mut rows {
                r.id_number = shown(who, &r.id_number);
                r.name = name(&r.name);
            }
            Units::Cases { rows }
        }
        Trace::Payrolls(_) | Trace::Standard | Trace::Derived => Units::Elsewhere,
    };
    let shown_rows = match &units {
        Units::Households { rows } => rows.len(),
        Units::Persons { rows } => rows.len(),
        Units::Cases { rows } => rows.len(),
        Units::Elsewhere => 0,
    };
    if shown_rows > 0 {
        let entry = AuditEntry {
            action: "read_statistics_units".into(),
            entity: "statistics_line".into(),
            entity_key: format!("{region}/{}/{}", month.format("%Y-%m"), def.code),
            before: None,
            after: Some(serde_json::json!({ "page": page, "rows": shown_rows })),
        };
        store.audit(actor, &[entry]).await?;
    }
    if matches!(def.trace, Trace::Households { .. } | Trace::Persons { .. }) {
        // The count of the list is the live figure of the line (the same conditions).
        total = live(store, &region, month).await?.get(def.code).copied().unwrap_or(0);
    }
    let closed = if region.level() == RegionLevel::County && !matches!(units, Units::Elsewhere) {
        st.closed_month(region.as_str(), month).await?.and_then(|c| c.figures.get(def.code).copied())
    } else {
        None
    };
    Ok(Listed { units, total, closed })
}

/// Whether a person line counts a kind of support (for the page's note).
pub fn support_of(line: &str) -> Support {
    match line_of(line).map(|l| l.trace) {
        Some(Trace::Persons { support, .. }) => support,
        _ => Support::Any,
    }
}
