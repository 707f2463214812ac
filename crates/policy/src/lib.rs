//! 政策引擎 / The policy engine: social assistance programs as rules (policy files), parameters as
//! effective-dated data, features as SQL over a snapshot of the records, and three uses of the
//! same compiled rules: *check* one household with an explanation, *sweep* a whole city, and
//! *what-if* costing of a parameter change (提标测算). Runs on Apache DataFusion.

pub mod defs;
pub mod engine;
pub mod explain;
pub mod npy;
pub mod params;
mod slots;
pub mod snapshot;
pub mod warnings;

/// The Arrow of the snapshot's tables (their batches are public).
pub use datafusion::arrow;
pub use defs::{Area, LinkWhen, PolicyError, PolicySet, Program, ProgramLink, Unit};
pub use engine::{Engine, EngineError, Features, ParamSet, Run, Totals};
pub use params::{Change, ChangeKind, ParameterRecord};
pub use snapshot::{Snapshot, SnapshotBuilder};
