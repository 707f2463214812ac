//! 审计: the audit log, one hash chain of records of who did what, read back and searched.

use crate::{Page, Result, Store};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::RegionCode;
use serde::{Deserialize, Serialize};

/// Who does something, from where: recorded in every audit record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Account name (or `system`, `cli:<user>`).
    pub name: String,
    pub role: Option<String>,
    /// The region the account is bound to.
    pub region: Option<String>,
    pub request_id: Option<String>,
    /// Client address.
    pub client: Option<String>,
}

impl Actor {
    pub fn new(name: impl Into<String>) -> Actor {
        Actor { name: name.into(), ..Default::default() }
    }
    pub fn system() -> Actor {
        Actor::new("system")
    }
}

/// 审计记录: who did what to which record, with the values before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub role: Option<String>,
    pub region: Option<String>,
    pub request_id: Option<String>,
    pub client: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// An audit record about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// How auditors search the audit log. Results are newest first, paginated by `before` (an id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    pub action: Option<String>,
    /// Only records made by accounts bound within this region.
    pub region: Option<RegionCode>,
    /// Also records made by no account's region (the system, the command line).
    pub include_unbound: bool,
    /// Only records made at or after this instant.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only records made before this instant.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    pub before: Option<i64>,
    pub limit: u32,
}

/// Checks the whole audit chain of a store.
pub async fn verify_audit(store: &dyn Store) -> Result<crate::chain::Verification> {
    let mut v = crate::chain::Verifier::default();
    let mut after = 0;
    loop {
        let page = store.audit_after(after, 1000).await?;
        for r in &page {
            v.feed(r);
            after = r.id;
        }
        if page.len() < 1000 {
            return Ok(v.finish());
        }
    }
}

pub(crate) const AUDIT_COLUMNS: &str =
    "id, at, actor, action, entity, entity_key, before, after, role, region, request_id, client, prev_hash, hash";

pub(crate) fn paginate_audit(items: &mut Vec<AuditRecord>, limit: u32) -> Page<AuditRecord> {
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|r| r.id.to_string()).unwrap_or_default()
    });
    Page { items: std::mem::take(items), next }
}

/// What a module records in the audit log, named as a type of its own (one enum per module,
/// each variant one kind of event) rather than as free strings at each call.
pub trait AuditEvent {
    /// The record as stored.
    fn entry(&self) -> AuditEntry;
}

/// The audit log. Every change writes its records in its own transaction (see [`crate::dialect::Dialect::write_audit`]); reads and sign-ins hand theirs to [`AuditStore::audit`].
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Audit records about one entity, oldest first.
    async fn audit_of(&self, entity: &str, entity_key: &str) -> Result<Vec<AuditRecord>>;

    /// The newest audit records, newest first.
    async fn audit_recent(&self, limit: u32) -> Result<Vec<AuditRecord>>;

    /// Audit records with an id above `after_id`, oldest first (for verification and export).
    async fn audit_after(&self, after_id: i64, limit: u32) -> Result<Vec<AuditRecord>>;

    /// Searches the audit log (newest first).
    async fn audit_search(&self, q: &AuditQuery) -> Result<Page<AuditRecord>>;

    /// Writes audit records on their own (reads of personal data, sign-ins, refusals).
    async fn audit(&self, actor: &Actor, entries: &[AuditEntry]) -> Result<()>;
}

/// The one implementation of [`AuditStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_audit {
    ($store:ty, $db:ty) => {
        const _: () = {
            #[allow(unused_imports)]
            use crate::dialect::Dialect as _;
            #[allow(unused_imports)]
            use crate::sql::{self, cases, rows, verification as verify};
            #[allow(unused_imports)]
            use crate::*;
            #[allow(unused_imports)]
            use chrono::{DateTime, Utc};
            #[allow(unused_imports)]
            use minzheng_domain::{Household, IdNumber, Person, Region, RegionCode, RegionLevel};
            #[allow(unused_imports)]
            use sqlx::{AssertSqlSafe, QueryBuilder, Row};

            #[async_trait::async_trait]
            impl crate::AuditStore for $store {
                async fn audit_of(&self, entity: &str, entity_key: &str) -> Result<Vec<AuditRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE entity = "));
                    qb.push_bind(entity.to_string()).push(" AND entity_key = ").push_bind(entity_key.to_string()).push(" ORDER BY id");
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    rows.iter().map(Self::audit_from_row).collect()
                }

                async fn audit_recent(&self, limit: u32) -> Result<Vec<AuditRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT "));
                    qb.push_bind(i64::from(page_limit(limit)));
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    rows.iter().map(Self::audit_from_row).collect()
                }

                async fn audit_after(&self, after_id: i64, limit: u32) -> Result<Vec<AuditRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id > "));
                    qb.push_bind(after_id).push(" ORDER BY id LIMIT ").push_bind(i64::from(page_limit(limit)));
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    rows.iter().map(Self::audit_from_row).collect()
                }

                async fn audit_search(&self, q: &crate::AuditQuery) -> Result<Page<AuditRecord>> {
                    let rows = sql::audit_search::<$db>(q).build().fetch_all(&self.pool).await?;
                    let mut items: Vec<AuditRecord> = rows.iter().map(Self::audit_from_row).collect::<Result<_>>()?;
                    Ok(crate::paginate_audit(&mut items, page_limit(q.limit)))
                }

                async fn audit(&self, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
                    self.audit_queue.submit(actor, entries).await
                }
            }
        };
    };
}
pub(crate) use impl_audit;

/// Whether a text can be stored as it is by both databases (PostgreSQL refuses NUL in `text`
/// and `\u0000` in `jsonb`).
fn storable(s: &str) -> bool {
    !s.contains('\0')
}

fn json_storable(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => storable(s),
        serde_json::Value::Array(a) => a.iter().all(json_storable),
        serde_json::Value::Object(o) => o.iter().all(|(k, v)| storable(k) && json_storable(v)),
        _ => true,
    }
}

fn clean_text(s: &mut String) {
    if !storable(s) {
        *s = s.replace('\0', "\u{fffd}");
    }
}

fn clean_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => clean_text(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean_json),
        serde_json::Value::Object(o) => {
            if o.keys().any(|k| !storable(k)) {
                let taken = std::mem::take(o);
                *o = taken.into_iter().map(|(k, v)| (k.replace('\0', "\u{fffd}"), v)).collect();
            }
            o.values_mut().for_each(clean_json);
        }
        _ => {}
    }
}

/// Audit records as both databases can store them: a NUL anywhere (a sign-in name typed by an
/// attacker, a cell of an imported file) becomes U+FFFD, so that one odd byte neither fails the
/// request that brought it nor, in a group commit, the requests written with it. `None` when
/// nothing needs changing (the usual case, which costs one scan).
pub(crate) fn storable_records(actor: &Actor, entries: &[AuditEntry]) -> Option<(Actor, Vec<AuditEntry>)> {
    let actor_ok = [Some(&actor.name), actor.role.as_ref(), actor.region.as_ref(), actor.request_id.as_ref(), actor.client.as_ref()]
        .into_iter()
        .flatten()
        .all(|s| storable(s));
    let entries_ok = entries.iter().all(|e| {
        storable(&e.action)
            && storable(&e.entity)
            && storable(&e.entity_key)
            && e.before.as_ref().is_none_or(json_storable)
            && e.after.as_ref().is_none_or(json_storable)
    });
    if actor_ok && entries_ok {
        return None;
    }
    let mut actor = actor.clone();
    for s in [Some(&mut actor.name), actor.role.as_mut(), actor.region.as_mut(), actor.request_id.as_mut(), actor.client.as_mut()]
        .into_iter()
        .flatten()
    {
        clean_text(s);
    }
    let entries = entries
        .iter()
        .cloned()
        .map(|mut e| {
            clean_text(&mut e.action);
            clean_text(&mut e.entity);
            clean_text(&mut e.entity_key);
            e.before.iter_mut().for_each(clean_json);
            e.after.iter_mut().for_each(clean_json);
            e
        })
        .collect();
    Some((actor, entries))
}
