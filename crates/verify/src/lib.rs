//! 数据比对 (data comparison): linking other departments' records to the registry.
//!
//! - [`idmatch`]: candidate registry numbers for an ID number as recorded, from the structure of
//!   the number (check character, legacy form, birth date);
//! - [`names`]: name comparison (traditional characters, spacing, separators, one character off);
//! - [`linkage`]: Fellegi–Sunter scoring with weights estimated from the data (EM), links, a
//!   review band and an explanation of every score; precision and recall against a truth;
//! - [`compare`]: everyone enrolled against departmental rows by ID number; persons enrolled twice.

pub mod compare;
pub mod idmatch;
pub mod linkage;
pub mod names;

pub use compare::{Hit, Overlap, Roster};
pub use idmatch::{IdRelation, Recorded};
pub use linkage::{candidate_pairs, link, Band, Explanation, Index, Link, Model, Pair, Person, Quality, Record, Thresholds, Training};
pub use names::NameLevel;
