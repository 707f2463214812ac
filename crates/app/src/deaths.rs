//! 死亡联动 / A death recorded in the registry takes effect on what the person received.
//!
//! When the registry records a resident as deceased, every enrolment the person is still paid
//! under is looked at (after each `import persons`, by [`pending`]: the records decide, so a
//! run that stopped halfway is finished by the next) ([`minzheng_domain::enrolment::after_death`]): a benefit
//! granted to the person (高龄补贴, the two disability subsidies, the children's allowances)
//! stops from the month after the death (次月起停发), so the next payroll no longer pays it; a
//! household program (低保) of a household where others still live is reviewed: a change case
//! (低保家庭成员或收入变更) is opened for the household at its community, in the community
//! worker's queue, so that the amount is decided again (a death in the household is re-checked
//! within three months); where no covered member is left, the enrolment stops. Each stopped
//! enrolment is written with its own audit record naming the death; the household page shows
//! the member's end month and the case. What was already paid for months after the death is
//! found by the payments module's overpayment run (追回) from the end months.
//!
//! Deaths reported by other departments (the death and cremation sources) become findings
//! instead, verified by staff before they stop anything (`crate::verify`).

use crate::cases::{calendar, Catalogue, ChangeOpened};
use chrono::NaiveDate;
use minzheng_domain::enrolment::{after_death, AfterDeath};
use minzheng_domain::{Enrolment, IdNumber, PersonStatus};
use minzheng_store::{Actor, Store, StoreError};
use std::collections::{BTreeMap, HashSet};

/// What one death did to one enrolment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeathEffect {
    pub person: IdNumber,
    pub enrolment_id: i64,
    pub program: String,
    pub household_no: String,
    pub outcome: DeathOutcome,
}

/// The outcome for one enrolment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeathOutcome {
    /// The person's part, or the whole enrolment, is no longer paid from this month.
    Stopped { from: NaiveDate, whole: bool },
    /// A change case was opened for the household.
    ChangeCase { case_id: i64 },
    /// The household already has an open case of the program: it is reviewed there.
    AlreadyOpen,
    /// The program has no change service in the catalogue: for the county to review.
    NoChangeService,
}

impl DeathOutcome {
    /// In staff's words.
    pub fn zh(&self) -> String {
        match self {
            DeathOutcome::Stopped { from, whole: true } => format!("自{}起停发", from.format("%Y年%-m月")),
            DeathOutcome::Stopped { from, whole: false } => format!("本人部分自{}起停发", from.format("%Y年%-m月")),
            DeathOutcome::ChangeCase { case_id } => format!("已为该户发起变更办件 #{case_id}，重新核定保障金额"),
            DeathOutcome::AlreadyOpen => "该户已有办理中的同项目办件，在该办件中复核".into(),
            DeathOutcome::NoChangeService => "该项目无变更事项，请区县复核".into(),
        }
    }
}

/// Takes the deaths (`(person, date of death)`; no date: `today`) into effect on the persons'
/// enrolments; returns what was done, enrolment by enrolment. Run after the deaths are stored
/// in the registry; running it again changes nothing already changed (an ended enrolment is
/// left alone; a second change case is not opened while one is open).
pub async fn take_effect(
    store: &dyn Store,
    catalogue: &Catalogue,
    actor: &Actor,
    deaths: &[(IdNumber, Option<NaiveDate>)],
    today: NaiveDate,
) -> Result<Vec<DeathEffect>, crate::cases::CaseFailure> {
    if deaths.is_empty() {
        return Ok(Vec::new());
    }
    let died: BTreeMap<IdNumber, NaiveDate> = deaths.iter().map(|(id, d)| (*id, d.unwrap_or(today))).collect();
    let ids: Vec<IdNumber> = died.keys().copied().collect();
    let enrolments = store.enrolments_of(&ids).await?;
    // Who of the enrolments' members is no longer living, by the registry (the deaths just
    // stored among them).
    let member_ids: Vec<IdNumber> = enrolments.iter().flat_map(|e| e.members.iter().map(|m| m.id_number)).collect();
    let gone: HashSet<IdNumber> =
        store.persons_by_id(&member_ids).await?.into_iter().filter(|p| p.status != PersonStatus::Alive).map(|p| p.id_number).collect();
    let per_person = |program: &str| catalogue.services.iter().any(|s| s.program == program && s.per_person);
    let mut effects = Vec::new();
    let mut stopped: Vec<(Enrolment, String)> = Vec::new();
    let mut review: Vec<(Enrolment, IdNumber, NaiveDate)> = Vec::new();
    for e in &enrolments {
        let mut current = e.clone();
        let mut deciders: Vec<String> = Vec::new();
        for m in e.members.iter().filter(|m| died.contains_key(&m.id_number)) {
            let on = died[&m.id_number];
            let living = current.members.iter().filter(|x| x.end.is_none() && !gone.contains(&x.id_number)).count();
            let decided_by = format!("registry:death:{}", m.id_number);
            match after_death(&current, m.id_number, on, per_person(&e.program), living, &decided_by) {
                AfterDeath::Nothing => {}
                AfterDeath::Stop(stop) => {
                    current = current.stopped(&stop);
                    deciders.push(stop.decided_by.clone());
                    let whole = current.status == minzheng_domain::EnrolmentStatus::Stopped;
                    effects.push(effect(e, m.id_number, DeathOutcome::Stopped { from: stop.end, whole }));
                }
                AfterDeath::Review => review.push((current.clone(), m.id_number, on)),
            }
        }
        if !deciders.is_empty() {
            stopped.push((current, deciders.join(",")));
        }
    }
    // Each stopped enrolment with its own audit record naming the death that decided it.
    store.change_enrolments(&stopped, actor).await?;
    if review.is_empty() {
        return Ok(effects);
    }
    let cal = calendar(store).await?;
    for (e, person, on) in review {
        let outcome = open_change_case(store, catalogue, actor, &e, person, on, today, &cal).await?;
        effects.push(effect(&e, person, outcome));
    }
    Ok(effects)
}

/// The deaths still to take into effect, by the records themselves (so that a run that
/// stopped halfway is finished by the next): members still paid, of enrolments not stopped,
/// whom the registry records as deceased.
pub async fn pending(store: &dyn Store) -> Result<Vec<(IdNumber, Option<NaiveDate>)>, StoreError> {
    store.deceased_members_in_force().await
}

fn effect(e: &Enrolment, person: IdNumber, outcome: DeathOutcome) -> DeathEffect {
    DeathEffect { person, enrolment_id: e.id, program: e.program.clone(), household_no: e.household_no.clone(), outcome }
}

/// Opens the program's change case for the household of a member who died.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site, run as the system (no account, so no request context): the enrolment, the death and the days"
)]
async fn open_change_case(
    store: &dyn Store,
    catalogue: &Catalogue,
    actor: &Actor,
    e: &Enrolment,
    person: IdNumber,
    on: NaiveDate,
    today: NaiveDate,
    cal: &minzheng_domain::calendar::WorkCalendar,
) -> Result<DeathOutcome, crate::cases::CaseFailure> {
    let deceased = e.members.iter().find(|m| m.id_number == person).map(|m| m.name.clone()).unwrap_or_default();
    let comment = format!(
        "人口库登记家庭成员{deceased}于{}死亡，家庭人口发生变化，依规三个月内复核并重新核定保障金额（系统自动发起）",
        on.format("%Y年%-m月%-d日")
    );
    Ok(match crate::cases::open_change_case(store, catalogue, actor, e, comment, today, cal).await? {
        ChangeOpened::Opened { case_id } => DeathOutcome::ChangeCase { case_id },
        ChangeOpened::AlreadyOpen => DeathOutcome::AlreadyOpen,
        ChangeOpened::NoChangeService => DeathOutcome::NoChangeService,
    })
}
