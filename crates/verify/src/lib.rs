//! 数据比对 (data comparison): linking other departments' records to the registry.
//!
//! - [`idmatch`]: candidate registry numbers for an ID number as recorded, from the structure of
//!   the number (check character, legacy form, birth date);
//! - [`names`]: name comparison (traditional characters, spacing, separators, one character off);
//! - [`linkage`]: Fellegi–Sunter scoring with weights estimated from the data (EM), links, a
//!   review band and an explanation of every score; precision and recall against a truth;
//! - [`noid`]: a record without an ID number, by name and birth date;
//! - [`compare`]: everyone enrolled against departmental rows by ID number; persons enrolled twice.

pub mod compare;
pub mod idmatch;
pub mod linkage;
pub mod names;
pub mod noid;

pub use compare::{Hit, Overlap, Roster};
pub use idmatch::{IdRelation, Recorded};
pub use linkage::{candidate_pairs, link, Band, Explanation, Index, Link, Model, Pair, Person, Quality, Record, Thresholds, Training};
pub use names::NameLevel;

/// Maps `f` over `items` split into one chunk per core, keeping the order: `f` receives the
/// index of its chunk's first item and the chunk, and returns that chunk's outputs.
pub(crate) fn on_all_cores<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).max(1);
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).enumerate().map(|(c, part)| s.spawn(move || f(c * chunk, part))).collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().unwrap_or_default());
        }
        all
    })
}
