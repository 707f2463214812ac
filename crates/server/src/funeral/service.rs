//! 殡葬's use cases: who may record deaths and cremations and read them, in which region; what a
//! death sets going (the registry's status, per-person benefits stopped from the next month, the
//! household's change case: `minzheng_app::deaths`); the relief of a cremation under the groups
//! and dated standards in force on the day of death; the counties' cremation rates and the
//! deaths not cremated in time. Every change is audited by the store in its own transaction.

use super::model::{
    check_cremation, check_death, groups, groups_of, relief, CremationError, CremationReport, DeathError, DeathRecord, DeathReport,
    Standards,
};
use super::store::{funeral_store, CountyFigures, CremationRecord, Uncremated};
use crate::platform::scope::{need, shown, within};
use chrono::{Datelike, Duration, NaiveDate};
use minzheng_app::cases::Catalogue;
use minzheng_app::deaths::DeathEffect;
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::parameter::ParameterRecord;
use minzheng_domain::{Bilingual, IdNumber, Permission, PersonStatus, Principal, RegionCode};
use minzheng_store::{Store, StoreError};

/// Why a funeral use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum FuneralFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Death(#[from] DeathError),
    #[error(transparent)]
    Cremation(#[from] CremationError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl FuneralFailure {
    /// Whether the failure is about what was typed (the form comes back with the message).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            FuneralFailure::Death(_)
                | FuneralFailure::Cremation(_)
                | FuneralFailure::Access(AccessError::NotFound | AccessError::OutOfScope)
        )
    }
}

impl Bilingual for FuneralFailure {
    fn zh(&self) -> String {
        match self {
            FuneralFailure::Access(AccessError::NotFound) => "人口库中没有这个身份证号".into(),
            FuneralFailure::Access(e) => e.zh(),
            FuneralFailure::Death(e) => e.zh(),
            FuneralFailure::Cremation(e) => e.zh(),
            FuneralFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            FuneralFailure::Access(AccessError::NotFound) => "no resident with this ID number in the registry".into(),
            FuneralFailure::Access(e) => e.en(),
            FuneralFailure::Death(e) => e.en(),
            FuneralFailure::Cremation(e) => e.en(),
            FuneralFailure::Store(_) => "database error, please try again later".into(),
        }
    }
}

fn community_of(code: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(code).map_err(|_| StoreError::Corrupt(format!("community {code:?}")))
}

/// A death recorded and what it set going.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeathRecorded {
    pub death: DeathRecord,
    /// What the death did to the person's enrolments (stopped from the next month; the
    /// household's change case).
    pub effects: Vec<DeathEffect>,
    /// What the death ended in elderly care: the residence discharged, the home-care order ended.
    pub discharged: crate::eldercare::service::CareEnded,
    /// The death is stored but its effects could not all be taken (why): the next import or
    /// `minzheng deaths` run finishes them from the records.
    pub effects_failed: Option<String>,
}

/// Records a death of a resident of the account's region with its medical death certificate:
/// the registry marks the person deceased on its date, and the death takes effect on what the
/// person received (per-person benefits stop from the next month; a household program's change
/// case is opened at the household's community).
pub async fn record_death(
    store: &dyn Store,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    report: DeathReport,
) -> Result<DeathRecorded, FuneralFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::RecordDeath)?;
    let id = IdNumber::parse(report.id_number.trim()).map_err(|_| AccessError::NotFound)?;
    let (person, community) = store.person_placed(&id).await?.ok_or(AccessError::NotFound)?;
    let community = community.ok_or(AccessError::OutOfScope)?;
    if !who.in_scope(&community) {
        return Err(AccessError::OutOfScope.into());
    }
    if matches!(person.status, PersonStatus::MovedOut(_)) {
        return Err(DeathError::MovedOut(person.name).into());
    }
    let funeral = funeral_store(store);
    if let Some(d) = funeral.death_of(id.as_str()).await? {
        return Err(DeathError::AlreadyRecorded(d.certificate_no).into());
    }
    check_death(&report, today)?;
    if report.died_on < person.birth_date {
        return Err(DeathError::BeforeBirth { died: report.died_on, born: person.birth_date }.into());
    }
    let programs = paid_in(store, id, report.died_on).await?;
    let mut death = DeathRecord {
        id: 0,
        id_number: id.to_string(),
        name: person.name.clone(),
        community: community.to_string(),
        died_on: report.died_on,
        place: report.place,
        cause: report.cause,
        certifier: report.certifier,
        certifier_org: report.certifier_org.trim().to_string(),
        certificate_no: report.certificate_no.trim().to_string(),
        programs,
        recorded_by: actor.name.clone(),
        recorded_on: today,
    };
    death.id = match funeral.add_death(&death, actor).await {
        // Recorded meanwhile (a form sent twice): told as such.
        Err(StoreError::Conflict(_)) => {
            let no = funeral.death_of(id.as_str()).await?.map(|d| d.certificate_no).unwrap_or_default();
            return Err(DeathError::AlreadyRecorded(no).into());
        }
        other => other?,
    };
    // The death is stored: what it sets going is reported, not thrown, so that the form is not
    // sent again; `minzheng_app::deaths::pending` finishes it from the records.
    let (effects, mut effects_failed) =
        match minzheng_app::deaths::take_effect(store, catalogue, actor, &[(id, Some(death.died_on))], today).await {
            Ok(e) => (e, None),
            Err(e) => (Vec::new(), Some(format!("{} / {}", e.zh(), e.en()))),
        };
    // A resident of a care home leaves it on the day of death; home care bought for them ends.
    let discharged = match crate::eldercare::service::end_care_of_deceased(store, actor, Some(&id), today).await {
        Ok(ended) => ended,
        Err(e) => {
            effects_failed = Some(effects_failed.map_or_else(|| e.to_string(), |f| format!("{f}; {e}")));
            Default::default()
        }
    };
    Ok(DeathRecorded { death, effects, discharged, effects_failed })
}

/// The programs a person is paid under in the month of `day`.
async fn paid_in(store: &dyn Store, id: IdNumber, day: NaiveDate) -> Result<Vec<String>, StoreError> {
    let mut programs: Vec<String> = store
        .enrolments_of(&[id])
        .await?
        .into_iter()
        .filter(|e| e.paid_for(day) && e.members.iter().any(|m| m.id_number == id && m.paid_for(day)))
        .map(|e| e.program)
        .collect();
    programs.sort();
    programs.dedup();
    Ok(programs)
}

/// A death recorded within the account's region, with its cremation and the person's ID
/// number in full (for the look-ups behind the page; the record's own is as the account may
/// see it).
pub async fn death(
    store: &dyn Store,
    who: &Principal,
    id: i64,
) -> Result<(DeathRecord, Option<CremationRecord>, IdNumber), FuneralFailure> {
    need(who, Permission::ReadFuneral)?;
    let funeral = funeral_store(store);
    let mut d = funeral.death(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&community_of(&d.community)?) {
        return Err(AccessError::OutOfScope.into());
    }
    let mut c = funeral.cremation_of(&d.id_number).await?;
    let full = IdNumber::parse(&d.id_number).map_err(|_| StoreError::Corrupt(format!("id number {:?}", d.id_number)))?;
    d.id_number = shown(who, &d.id_number);
    if let Some(c) = &mut c {
        c.id_number = d.id_number.clone();
    }
    Ok((d, c, full))
}

/// The standards in force for a county on a day (parameters `funeral_*`).
pub fn standards(records: &[ParameterRecord], county: &RegionCode, on: NaiveDate) -> Standards {
    let v = |name: &str| {
        minzheng_policy::params::in_force(records, name, county.as_str(), minzheng_policy::Area::Urban, on).map_or(0, |r| r.value)
    };
    let n = |name: &str| u32::try_from(v(name)).unwrap_or(0);
    Standards {
        universal: v("funeral_universal") == 1,
        transport_fen: v("funeral_transport_fen"),
        transport_km: n("funeral_transport_km"),
        storage_fen_per_day: v("funeral_storage_fen_per_day"),
        storage_days: n("funeral_storage_days"),
        cremation_fen: v("funeral_cremation_fen"),
        ash_storage_fen_per_year: v("funeral_ash_storage_fen_per_year"),
        ash_storage_years: n("funeral_ash_storage_years"),
        coffin_fen: v("funeral_coffin_fen"),
        urn_fen: v("funeral_urn_fen"),
        eco_sea_fen: v("funeral_eco_sea_fen"),
        eco_tree_fen: v("funeral_eco_tree_fen"),
        eco_lawn_fen: v("funeral_eco_lawn_fen"),
    }
}

/// Records the cremation of a death recorded within the account's region: checked against the
/// death and the registry (a person not deceased there, or cremated already, is refused), its
/// relief worked out from the groups the deceased belonged to in the month of death and the
/// standards in force on that day, numbered with the county's next cremation certificate.
pub async fn record_cremation(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    death_id: i64,
    report: CremationReport,
) -> Result<CremationRecord, FuneralFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::RecordCremation)?;
    let funeral = funeral_store(store);
    let death = funeral.death(death_id).await?.ok_or(AccessError::NotFound)?;
    let community = community_of(&death.community)?;
    if !who.in_scope(&community) {
        return Err(AccessError::OutOfScope.into());
    }
    let id = IdNumber::parse(&death.id_number).map_err(|_| StoreError::Corrupt(format!("id number {:?}", death.id_number)))?;
    let person = store.person(&id).await?.ok_or(AccessError::NotFound)?;
    if !matches!(person.status, PersonStatus::Deceased(_)) {
        return Err(CremationError::NotDeceased(person.name).into());
    }
    if let Some(c) = funeral.cremation_of(id.as_str()).await? {
        return Err(CremationError::AlreadyCremated(c.certificate_no).into());
    }
    let report = CremationReport {
        funeral_home: report.funeral_home.trim().to_string(),
        declared_proof: report.declared_proof.trim().to_string(),
        ..report
    };
    check_cremation(&report, death.died_on, today)?;
    if !report.declared.is_empty() && report.declared_proof.is_empty() {
        return Err(CremationError::NoProof.into());
    }
    // The programs the person was paid under in the month of death, as recorded with the death.
    let in_groups = groups_of(groups(), &death.programs, &person.tags, &report.declared)?;
    let records = store.parameter_records().await?;
    let county = community.ancestor(minzheng_domain::RegionLevel::County).unwrap_or(community.clone());
    let relief = relief(&standards(&records, &county, death.died_on), &report, in_groups);
    let record = CremationRecord {
        id: 0,
        id_number: death.id_number.clone(),
        death_id: Some(death.id),
        name: death.name.clone(),
        community: death.community.clone(),
        died_on: death.died_on,
        report,
        relief,
        certificate_no: String::new(),
        recorded_by: actor.name.clone(),
        recorded_at: chrono::Utc::now(),
    };
    let mut stored = match funeral.add_cremation(&record, actor).await {
        // Cremated meanwhile (a form sent twice): told as such.
        Err(StoreError::Conflict(_)) => {
            let no = funeral.cremation_of(id.as_str()).await?.map(|c| c.certificate_no).unwrap_or_default();
            return Err(CremationError::AlreadyCremated(no).into());
        }
        other => other?,
    };
    stored.id_number = shown(who, &stored.id_number);
    Ok(stored)
}

/// The deaths recorded in the account's region, newest first, with their cremation
/// certificates.
pub async fn recent_deaths(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    limit: u32,
) -> Result<Vec<(DeathRecord, Option<String>)>, FuneralFailure> {
    need(who, Permission::ReadFuneral)?;
    let region = within(who, region)?;
    let mut list = funeral_store(store).recent_deaths(region, limit).await?;
    for (d, _) in &mut list {
        d.id_number = shown(who, &d.id_number);
    }
    Ok(list)
}

/// How far back the uncremated list looks (older deaths are the registry's history).
pub const UNCREMATED_LOOKBACK_DAYS: i64 = 90;

/// The deceased of the account's region not cremated within the county's due days
/// (`funeral_cremation_due_days`) after death, in the counties that are cremation areas
/// (`funeral_cremation_area`), of the last 90 days: the oldest first (at most `limit`) and how
/// many.
pub async fn uncremated(
    store: &dyn Store,
    who: &Principal,
    region: Option<&RegionCode>,
    today: NaiveDate,
    limit: u32,
) -> Result<(Vec<Uncremated>, u64), FuneralFailure> {
    need(who, Permission::ReadFuneral)?;
    let region = within(who, region)?;
    let records = store.parameter_records().await?;
    let flag = |name: &str, county: &RegionCode| {
        minzheng_policy::params::in_force(&records, name, county.as_str(), minzheng_policy::Area::Urban, today).map(|r| r.value)
    };
    // A county's own due days and area; the account's region read as a whole when it is a
    // county or below, county by county when above.
    let counties: Vec<RegionCode> = if region.as_str().len() >= 6 {
        vec![region.clone()]
    } else {
        let mut seen: Vec<String> = funeral_store(store)
            .county_figures(region, today - Duration::days(UNCREMATED_LOOKBACK_DAYS), today)
            .await?
            .into_iter()
            .map(|f| f.county)
            .collect();
        seen.dedup();
        seen.iter().filter_map(|c| RegionCode::parse(c).ok()).collect()
    };
    let mut list = Vec::new();
    let mut n = 0;
    for region in counties {
        let county = region.ancestor(minzheng_domain::RegionLevel::County).unwrap_or(region.clone());
        if flag("funeral_cremation_area", &county).unwrap_or(1) != 1 {
            continue;
        }
        let due = flag("funeral_cremation_due_days", &county).unwrap_or(7);
        let (mut some, count) = funeral_store(store)
            // More than the due days: died on or before today − (due + 1).
            .uncremated(&region, today - Duration::days(UNCREMATED_LOOKBACK_DAYS), today - Duration::days(due + 1), limit)
            .await?;
        list.append(&mut some);
        n += count;
    }
    list.sort_by(|a, b| (a.died_on, &a.id_number).cmp(&(b.died_on, &b.id_number)));
    list.truncate(limit as usize);
    for u in &mut list {
        u.id_number = shown(who, &u.id_number);
    }
    Ok((list, n))
}

/// A county's figures of a year as shown: the cremation rate and the eco-burial share.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    #[serde(flatten)]
    pub counts: CountyFigures,
    /// 火化率 (‰): cremations over deaths.
    pub cremation_rate: Option<u64>,
    /// 节地生态安葬率 (‰): eco burials over cremations.
    pub eco_share: Option<u64>,
}

/// The deaths, cremations, eco burials and relief of each county within the region (the
/// account's own when none) in `year`, and the region's total first when it holds more than
/// one county.
pub async fn figures(store: &dyn Store, who: &Principal, region: Option<&RegionCode>, year: i32) -> Result<Vec<Figures>, FuneralFailure> {
    need(who, Permission::ReadFuneral)?;
    let region = within(who, region)?;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AccessError::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AccessError::NotFound)?;
    let counties = funeral_store(store).county_figures(region, from, to).await?;
    let shown = |c: CountyFigures| Figures {
        cremation_rate: super::model::rate_permille(c.cremations, c.deaths),
        eco_share: super::model::rate_permille(c.eco, c.cremations),
        counts: c,
    };
    let mut out = Vec::new();
    if counties.len() > 1 {
        let mut total = CountyFigures { county: region.to_string(), ..Default::default() };
        for c in &counties {
            total.deaths += c.deaths;
            total.cremations += c.cremations;
            total.eco += c.eco;
            total.relieved += c.relieved;
            total.relief_fen += c.relief_fen;
            total.reward_fen += c.reward_fen;
        }
        out.push(shown(total));
    }
    out.extend(counties.into_iter().map(shown));
    Ok(out)
}

/// The year of a day (for the figures' default).
pub fn year_of(day: NaiveDate) -> i32 {
    day.year()
}

/// The deaths recorded of a household's members with their cremations, for an account that may
/// read funeral records (the household page's part); none for the others.
pub async fn household_deaths(
    store: &dyn Store,
    who: &Principal,
    members: &[minzheng_domain::Person],
) -> Result<Option<Vec<(DeathRecord, Option<CremationRecord>)>>, FuneralFailure> {
    if !who.may(Permission::ReadFuneral) {
        return Ok(None);
    }
    let funeral = funeral_store(store);
    let mut out = Vec::new();
    for p in members.iter().filter(|p| matches!(p.status, PersonStatus::Deceased(_))) {
        if let Some(d) = funeral.death_of(p.id_number.as_str()).await? {
            let c = funeral.cremation_of(p.id_number.as_str()).await?;
            out.push((d, c));
        }
    }
    Ok(Some(out))
}

/// One row of a funeral home's cremation list as the check reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListedCremation {
    /// Its row in the sheet (as Excel numbers it).
    pub row: usize,
    /// As the account may see it.
    pub id_number: String,
    pub name: String,
    pub cremated_on: Option<NaiveDate>,
    pub funeral_home: String,
    /// The death recorded with its certificate, if it is.
    pub death_id: Option<i64>,
}

/// What a funeral home's cremation list says against the platform's records, for the account's
/// region: cremated persons the registry still shows alive (their death to record, and what they
/// are paid to stop), deceased persons with no cremation recorded (to record), rows already
/// recorded, and rows that are not residents of the region (not shown).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CremationListCheck {
    pub alive: Vec<ListedCremation>,
    pub not_recorded: Vec<ListedCremation>,
    pub recorded: usize,
    /// Rows whose ID number is not a resident of the account's region (or not valid).
    pub elsewhere: usize,
}

/// Checks a funeral home's cremation list (rows: row, ID number, name, cremation date, funeral
/// home) against the registry and the cremations recorded.
pub async fn check_cremation_list(
    store: &dyn Store,
    who: &Principal,
    rows: &[(usize, String, String, Option<NaiveDate>, String)],
) -> Result<CremationListCheck, FuneralFailure> {
    need(who, Permission::ReadFuneral)?;
    let funeral = funeral_store(store);
    let mut out = CremationListCheck::default();
    for (row, id_text, name, cremated_on, home) in rows {
        let Ok(id) = IdNumber::parse(id_text.trim()) else {
            out.elsewhere += 1;
            continue;
        };
        let Some((person, Some(community))) = store.person_placed(&id).await? else {
            out.elsewhere += 1;
            continue;
        };
        if !who.in_scope(&community) {
            out.elsewhere += 1;
            continue;
        }
        let listed = |death_id: Option<i64>| ListedCremation {
            row: *row,
            id_number: shown(who, id.as_str()),
            name: if name.trim().is_empty() { person.name.clone() } else { name.trim().to_string() },
            cremated_on: *cremated_on,
            funeral_home: home.trim().to_string(),
            death_id,
        };
        match person.status {
            PersonStatus::Alive => out.alive.push(listed(None)),
            _ if funeral.cremation_of(id.as_str()).await?.is_some() => out.recorded += 1,
            _ => {
                let death = funeral.death_of(id.as_str()).await?.map(|d| d.id);
                out.not_recorded.push(listed(death));
            }
        }
    }
    Ok(out)
}
