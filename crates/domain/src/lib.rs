//! Minzheng domain: pure types and rules of civil affairs, no I/O.
//!
//! Everything that enters the system from outside (files, forms, API bodies) is parsed into
//! these types at the edge (`parse()`), so the rest of the code never sees an invalid resident
//! ID, region code or amount of money.

pub mod access;
pub mod calendar;
pub mod case;
pub mod credit_code;
pub mod economy;
pub mod enrolment;
pub mod finding;
pub mod hash;
pub mod id;
pub mod message;
pub mod money;
pub mod parameter;
pub mod region;
pub mod registry;
pub mod source;
pub mod temporary;
pub mod units;
pub mod verification;

pub use access::{Permission, Principal, Role};
pub use calendar::{CalendarDay, DayKind, WorkCalendar};
pub use case::{Case, CaseAction, CaseError, CaseStatus, Service, ServiceKind};
pub use credit_code::{CreditCode, CreditCodeError};
pub use enrolment::{EnrolledMember, Enrolment, EnrolmentStatus, EnrolmentStop};
pub use finding::{Evidence, Finding, FindingAction, FindingKind, FindingStatus, Resolution};
pub use id::{IdNumber, IdNumberError, Sex};
pub use message::Bilingual;
pub use money::{Fen, FenError};
pub use region::{Region, RegionCode, RegionCodeError, RegionLevel};
pub use registry::{Disability, DisabilityCategory, Household, HouseholdKind, Person, PersonFact, PersonStatus, PersonView, Relation};
