//! The hash chain of the audit log (审计日志防篡改): every record carries the hash of the one
//! before it and its own hash over its content, so removing or editing a record breaks the
//! chain at that record. Both backends write with [`link`]; [`Verifier`] checks a log read in
//! order.

use crate::{Actor, AuditEntry, AuditRecord};
use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Audit timestamps are kept to the microsecond (what PostgreSQL stores), so that the hashed
/// text and the stored value agree on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The fields of a record as hashed, in a fixed order.
#[allow(clippy::too_many_arguments)]
fn digest(
    prev: &str,
    at: &DateTime<Utc>,
    actor: &str,
    role: Option<&str>,
    region: Option<&str>,
    request_id: Option<&str>,
    client: Option<&str>,
    action: &str,
    entity: &str,
    entity_key: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> String {
    let mut h = Sha256::new();
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let before = before.map(|v| v.to_string()).unwrap_or_default();
    let after = after.map(|v| v.to_string()).unwrap_or_default();
    for field in [
        prev,
        &at,
        actor,
        role.unwrap_or(""),
        region.unwrap_or(""),
        request_id.unwrap_or(""),
        client.unwrap_or(""),
        action,
        entity,
        entity_key,
        &before,
        &after,
    ] {
        h.update(field.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// The hash of a new record following `prev`.
pub(crate) fn link(prev: &str, at: &DateTime<Utc>, actor: &Actor, e: &AuditEntry) -> String {
    digest(
        prev,
        at,
        &actor.name,
        actor.role.as_deref(),
        actor.region.as_deref(),
        actor.request_id.as_deref(),
        actor.client.as_deref(),
        &e.action,
        &e.entity,
        &e.entity_key,
        e.before.as_ref(),
        e.after.as_ref(),
    )
}

/// The hash a stored record should have.
pub fn expected_hash(r: &AuditRecord, prev: &str) -> String {
    digest(
        prev,
        &r.at,
        &r.actor,
        r.role.as_deref(),
        r.region.as_deref(),
        r.request_id.as_deref(),
        r.client.as_deref(),
        &r.action,
        &r.entity,
        &r.entity_key,
        r.before.as_ref(),
        r.after.as_ref(),
    )
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    pub records: u64,
    /// The first record at which the chain is broken, and why.
    pub first_broken: Option<(i64, String)>,
    /// The newest record, as the chain ends: its id and hash (for the checkpoints kept outside
    /// the database, which a chain cut short or written anew does not match).
    pub tail: Option<(i64, String)>,
}

/// Checks records fed in id order. Every record must carry its hashes: a record without them is
/// a break, wherever it is (clearing the hashes is a way to hide an edit, not an old record).
pub struct Verifier {
    prev: String,
    report: Verification,
}

impl Default for Verifier {
    fn default() -> Verifier {
        Verifier { prev: GENESIS.to_string(), report: Verification { records: 0, first_broken: None, tail: None } }
    }
}

impl Verifier {
    pub fn feed(&mut self, r: &AuditRecord) {
        self.report.records += 1;
        self.report.tail = Some((r.id, r.hash.clone().unwrap_or_default()));
        if self.report.first_broken.is_some() {
            return;
        }
        let (Some(prev), Some(hash)) = (&r.prev_hash, &r.hash) else {
            self.report.first_broken = Some((r.id, "record has no hash (the chain's hashes were removed)".into()));
            return;
        };
        if *prev != self.prev {
            self.report.first_broken =
                Some((r.id, "prev_hash does not match the record before (a record was removed or reordered)".into()));
        } else if expected_hash(r, prev) != *hash {
            self.report.first_broken = Some((r.id, "content does not match its hash (the record was edited)".into()));
        } else {
            self.prev = hash.clone();
        }
    }

    pub fn finish(self) -> Verification {
        self.report
    }
}
