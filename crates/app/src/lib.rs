//! Use cases of Minzheng: what the CLI and the server do, in one place, so that neither can
//! bypass the rules (parsing at the edge, region scope, audit through the store).
//!
//! - [`regions`]: the real region tree shipped with the program, loaded on first start;
//! - [`sheet`]: the spreadsheets bureaus have, in and out (the `minzheng-sheet` crate);
//! - [`import`]: the registry import with its per-row reasons and error file;
//! - [`export`]: persons and households to .xlsx or .csv;
//! - [`economy`]: departmental economic data (income, deposits, vehicles ...) in;
//! - [`policy`]: eligibility check, sweeps and what-if costing on the policy engine;
//! - [`enrolment`]: the bureau's roster of enrolments (在保名册) in;
//! - [`verify`]: linking departmental rows, comparing enrolments, findings and their workflow;
//! - [`cases`]: 全市通办 case handling: the catalogue, acceptance anywhere in the city, the
//!   procedure with its time limits in working days, enrolment on approval, notices and letters;
//! - [`audit_anchor`]: signed checkpoints of the audit chain, kept outside the database;
//! - [`config`]: the one configuration (`minzheng.toml`, then the environment);
//! - [`context`]: the request context every use case takes (account, audit actor, day);
//! - [`economic_check`]: the household economic check (核对) and its report, also as PDF ([`pdf`]).

pub mod audit_anchor;
pub mod audit_log;
pub mod auth;
pub mod cases;
pub mod config;
pub mod context;
pub mod cursor;
pub mod deaths;
pub mod economic_check;
pub mod economy;
pub mod enrolment;
pub mod export;
pub mod import;
pub mod pdf;
pub mod policy;
pub mod regions;
pub mod registry;
pub mod rule_amounts;
pub mod sources;
pub mod verify;

pub use context::RequestContext;
pub use minzheng_policy as engine;
pub use minzheng_sheet as sheet;
pub use minzheng_store as store;
