//! 社会救助资格核算 / Social assistance use cases on the policy engine, with access control and
//! audit: check one household, sweep a region, cost a parameter change (提标测算), and keep the
//! parameter history.

use crate::registry::AccessError;
use crate::RequestContext;
use chrono::NaiveDate;
use minzheng_domain::economy::ItemKind;
use minzheng_domain::hash::FastMap;
use minzheng_domain::{Bilingual, Household, Permission, Principal, RegionCode, RegionLevel};
use minzheng_policy::engine::Run;
use minzheng_policy::explain::Check;
use minzheng_policy::params::{apply_changes, shipped_records};
use minzheng_policy::{Area, Change, Engine, EngineError, ParameterRecord, Snapshot, SnapshotBuilder};
use minzheng_store::{Actor, AuditEntry, PersonQuery, PolicyRun, Progress, RunUnit, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::time::Instant;

/// Why a policy use case failed.
#[derive(Debug, thiserror::Error)]
pub enum PolicyFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{en}")]
    Invalid { zh: String, en: String },
}

impl From<StoreError> for PolicyFailure {
    fn from(e: StoreError) -> PolicyFailure {
        PolicyFailure::Access(AccessError::Store(e))
    }
}

impl Bilingual for PolicyFailure {
    fn zh(&self) -> String {
        match self {
            PolicyFailure::Access(e) => e.zh(),
            PolicyFailure::Engine(e) => format!("核算引擎错误：{e}"),
            PolicyFailure::Invalid { zh, .. } => zh.clone(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

pub(crate) fn invalid(zh: impl Into<String>, en: impl Into<String>) -> PolicyFailure {
    PolicyFailure::Invalid { zh: zh.into(), en: en.into() }
}

/// Stores the shipped values of every parameter with no history yet: all of them on first start,
/// and on a database that has been in use, the parameters new in this release (a sub-platform
/// added since) — a parameter with a history, changed by staff or not, is left as it is.
pub async fn ensure_parameters(store: &dyn Store, engine: &Engine, actor: &Actor) -> Result<usize, StoreError> {
    let existing = store.parameter_records().await?;
    let known: std::collections::HashSet<&str> = existing.iter().map(|r| r.name.as_str()).collect();
    let records: Vec<_> =
        shipped_records(&engine.policy, chrono::Utc::now()).into_iter().filter(|r| !known.contains(r.name.as_str())).collect();
    if records.is_empty() {
        return Ok(0);
    }
    Ok(store.add_parameter_records(&records, actor).await?.len())
}

mod check;
mod parameters;
mod snapshot;
mod sweep;
mod whatif;
mod workbook;
pub use check::*;
pub use parameters::*;
pub use snapshot::*;
pub use sweep::*;
pub use whatif::*;
pub use workbook::*;

fn audit(entity: &str, key: &str, action: &str, after: serde_json::Value) -> AuditEntry {
    AuditEntry { action: action.into(), entity: entity.into(), entity_key: key.into(), before: None, after: Some(after) }
}

/// A stored sweep or what-if, if the account may run sweeps over its region (`NotFound` when
/// there is no such run).
pub async fn readable_run(store: &dyn Store, who: &Principal, id: i64) -> Result<PolicyRun, AccessError> {
    if !who.may(Permission::RunSweeps) {
        return Err(AccessError::Forbidden);
    }
    let run = store.policy_run(id).await?.ok_or(AccessError::NotFound)?;
    let region = RegionCode::parse(&run.region).map_err(|_| StoreError::Corrupt(format!("run {id} region {:?}", run.region)))?;
    if !who.in_scope(&region) {
        return Err(AccessError::OutOfScope);
    }
    Ok(run)
}

/// One person or household a sweep found eligible, as a community's contact list shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub program: String,
    pub program_zh: String,
    pub name: String,
    /// Masked for roles that see numbers masked.
    pub id_number: String,
    pub household_no: String,
    pub grid: Option<String>,
    pub phone: String,
    /// Monthly amount the rules give, fen.
    pub amount: i64,
    /// Already enrolled in the program (应保已保); otherwise someone to visit (政策找人).
    pub covered: bool,
}

/// 政策找人: the people and households of one community that a stored sweep found eligible, as
/// a list to contact: name, household, grid, phone, the program and amount, and whether the
/// household is already covered; uncovered first. For the accounts that read the run, within
/// their region; the read is audited with the households shown.
pub async fn contact_list(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    run_id: i64,
    community: &RegionCode,
) -> Result<Vec<Contact>, PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
    let run = readable_run(store, who, run_id).await?;
    if run.kind != "sweep" {
        return Err(invalid("只有政策找人（普查）有联系名单", "only a sweep has a contact list"));
    }
    if community.level() != minzheng_domain::RegionLevel::Community
        || !who.in_scope(community)
        || !community.as_str().starts_with(&run.region)
    {
        return Err(AccessError::OutOfScope.into());
    }
    // The community's residents and households.
    let mut persons: Vec<minzheng_domain::Person> = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .search_persons(&PersonQuery { region: Some(community.clone()), after: after.clone(), limit: 1000, ..Default::default() })
            .await?;
        persons.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let by_id: HashMap<String, &minzheng_domain::Person> = persons.iter().map(|p| (p.id_number.to_string(), p)).collect();
    // The community's households in one read, and each household's first member.
    let mut nos: Vec<String> = persons.iter().filter_map(|p| p.household_no.clone()).collect();
    nos.sort();
    nos.dedup();
    let mut households: HashMap<String, Option<minzheng_domain::Household>> = nos.iter().map(|n| (n.clone(), None)).collect();
    for h in store.households(&nos).await? {
        households.insert(h.household_no.clone(), Some(h));
    }
    let mut first_member: HashMap<&str, &minzheng_domain::Person> = HashMap::new();
    for p in &persons {
        if let Some(no) = p.household_no.as_deref() {
            first_member.entry(no).or_insert(p);
        }
    }
    // Units are kept with their county: only this community's county can hold its people.
    let county = community.as_str().get(..6).unwrap_or_default().to_string();
    let enrolments = store.enrolments_of(&persons.iter().map(|p| p.id_number).collect::<Vec<_>>()).await?;
    let covered = |program: &str, household: &str, id: Option<&str>| {
        enrolments.iter().any(|e| {
            e.program == program
                && e.status != minzheng_domain::EnrolmentStatus::Stopped
                && (e.household_no == household || id.is_some_and(|i| e.members.iter().any(|m| m.id_number.as_str() == i)))
        })
    };
    let masked = !who.role.sees_full_identity();
    let report = SweepReport::from_run(&run);
    let mut out = Vec::new();
    for (code, _, _, _) in report.program_totals() {
        let program_zh = engine.policy.program(&code).map(|p| p.zh.clone()).unwrap_or_else(|| code.clone());
        let mut after: Option<String> = None;
        loop {
            let page = store.policy_run_units(run.id, &code, after.as_deref(), 1000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.unit_key.clone());
            for u in page.into_iter().filter(|u| u.county == county) {
                // A household's unit is keyed by its number, a person's by the ID number.
                let (person, household_no) = match households.get(&u.unit_key) {
                    Some(h) => {
                        let head = h
                            .as_ref()
                            .and_then(|h| h.head)
                            .and_then(|id| by_id.get(id.as_str()).copied())
                            .or_else(|| first_member.get(u.unit_key.as_str()).copied());
                        (head, u.unit_key.clone())
                    }
                    None => match by_id.get(&u.unit_key) {
                        Some(p) => (Some(*p), p.household_no.clone().unwrap_or_default()),
                        None => continue,
                    },
                };
                let Some(p) = person else { continue };
                let grid = households.get(&household_no).and_then(|h| h.as_ref()).and_then(|h| h.grid.clone());
                let phone = p.phone.clone().unwrap_or_default();
                out.push(Contact {
                    program: code.clone(),
                    program_zh: program_zh.clone(),
                    name: p.name.clone(),
                    id_number: if masked { p.id_number.masked() } else { p.id_number.to_string() },
                    covered: covered(&code, &household_no, Some(p.id_number.as_str())),
                    household_no,
                    grid,
                    phone: if masked && !phone.is_empty() { crate::registry::mask_phone(&phone) } else { phone },
                    amount: u.amount,
                });
            }
        }
    }
    out.sort_by(|a, b| a.covered.cmp(&b.covered).then(a.household_no.cmp(&b.household_no)).then(a.program.cmp(&b.program)));
    // Who was shown: program, household and (masked or full, as shown) ID number of each row.
    let shown: Vec<String> = out.iter().map(|c| format!("{}:{}:{}", c.program, c.household_no, c.id_number)).collect();
    store
        .audit(
            actor,
            &[audit("policy_run", &run.id.to_string(), "contacts", serde_json::json!({ "community": community, "households": shown }))],
        )
        .await?;
    Ok(out)
}
