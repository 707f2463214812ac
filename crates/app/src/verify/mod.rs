//! 数据比对 use cases: departmental rows linked to the registry, everyone enrolled compared
//! against the registry and the latest departmental data, findings stored and worked through
//! their workflow. Every use case checks the account's role and region and is audited.
//!
//! Findings come from four places:
//! - departmental rows naming an enrolled member, exactly or through the fuzzy linkage, as their
//!   source's signal says (`policies/sources.toml`): a death (公安, 殡葬), the hukou moved out of
//!   the paying county, residence or social insurance in another city (空挂户), a marriage or
//!   divorce since the enrolment began;
//! - the registry: a member deceased, moved out of the owning county, or not (or no longer) in
//!   the enrolled household, and registry members missing from a household enrolment;
//! - the roster itself: a person in two enrolments of one program, or of programs that exclude
//!   each other (the policy files' `excluded_by`);
//! - the policy engine: an enrolled unit no longer eligible on the date (vehicles, property,
//!   business, deposits or income beyond the rules), with the conditions it fails.

use crate::policy::{household_snapshot, invalid, run_units, warm, PolicyFailure};
use crate::registry::AccessError;
use chrono::NaiveDate;
use minzheng_domain::economy::{DeptRecord, LinkKind};
use minzheng_domain::hash::FastMap;
use minzheng_domain::source::Signal;
use minzheng_domain::{
    Enrolment, Evidence, Finding, FindingAction, FindingKind, FindingStatus, Household, IdNumber, Permission, Person, PersonStatus,
    Principal, RegionCode,
};
use minzheng_policy::Engine;
use minzheng_store::{Actor, AuditEntry, AuditEvent as _, FindingCount, FindingEvent, FindingQuery, Page, Store, StoreError};
use minzheng_verify::idmatch::candidate_ids;
use minzheng_verify::{candidate_pairs, link, Band, Index, Model, Recorded, Roster, Thresholds};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

mod absent;
mod comparison;
mod findings;
mod linkage;
pub use absent::*;
pub use comparison::*;
pub use findings::*;
pub use linkage::*;
