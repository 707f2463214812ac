//! 变更: a change case opened by the platform itself when something recorded elsewhere changes
//! what a household receives (a member's death, a new self-care level from an ability
//! assessment): accepted at the household's community in the name of a living member, waiting
//! in the community worker's queue like any application.

use super::{CaseFailure, Catalogue};
use chrono::NaiveDate;
use minzheng_domain::case::{self as procedure, Case, CaseStatus, ServiceKind, TimeLimits};
use minzheng_domain::{Enrolment, PersonStatus, Role};
use minzheng_store::{Actor, CaseEvent, Store, StoreError};

/// What opening a change case came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChangeOpened {
    /// A change case was opened for the household.
    Opened { case_id: i64 },
    /// A change case of the household was already open.
    AlreadyOpen,
    /// The program has no change service in the catalogue (or no living member to apply in
    /// whose name): for the county to review.
    NoChangeService,
}

/// Opens the program's change case (变更) for the enrolment's household, in the name of a living
/// member (the head where living), accepted at the household's community with `comment` (why the
/// platform opened it) as its first step.
pub async fn open_change_case(
    store: &dyn Store,
    catalogue: &Catalogue,
    actor: &Actor,
    e: &Enrolment,
    comment: String,
    today: NaiveDate,
    cal: &minzheng_domain::calendar::WorkCalendar,
) -> Result<ChangeOpened, CaseFailure> {
    let Some(service) = catalogue.services.iter().find(|s| s.program == e.program && s.kind == ServiceKind::Change) else {
        return Ok(ChangeOpened::NoChangeService);
    };
    let Some(household) = store.household(&e.household_no).await? else { return Ok(ChangeOpened::NoChangeService) };
    let members = store.household_members(&e.household_no).await?;
    let living: Vec<_> = members.iter().filter(|m| m.status == PersonStatus::Alive).collect();
    let Some(applicant) = living.iter().find(|m| m.relation == minzheng_domain::Relation::Head).or(living.first()) else {
        return Ok(ChangeOpened::NoChangeService);
    };
    let case = Case::accepted(
        service,
        procedure::Applicant {
            id_number: applicant.id_number,
            name: applicant.name.clone(),
            household_no: e.household_no.clone(),
            household_size: u32::try_from(living.len()).unwrap_or(u32::MAX),
            community: household.community.clone(),
            owner: e.county.clone(),
        },
        household.community.clone(),
        today,
        cal,
        &TimeLimits::default(),
    );
    let event = CaseEvent {
        case_id: 0,
        action: "accept".into(),
        from: String::new(),
        to: CaseStatus::Accepted,
        comment,
        actor: actor.name.clone(),
        role: "system".into(),
        at: chrono::Utc::now(),
    };
    let waiting = case.waiting_for(service).map(Role::as_str);
    match store.add_case(&case, waiting, &event, actor).await {
        Ok(case_id) => Ok(ChangeOpened::Opened { case_id }),
        Err(StoreError::Conflict(_)) => Ok(ChangeOpened::AlreadyOpen),
        Err(e) => Err(e.into()),
    }
}
