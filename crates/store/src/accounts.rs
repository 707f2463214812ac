//! 账号与会话: accounts (the password only as a hash) and signed-in sessions.

use crate::{Actor, AuditEntry, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use minzheng_domain::RegionCode;

/// 账号 as stored: the password only as an argon2id hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub region: RegionCode,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("password_hash", &"[redacted]")
            .field("role", &self.role)
            .field("region", &self.region)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

/// 会话: a signed-in browser. Only the hash of the cookie's token is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_name: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The audit entry of a new account (never its password hash).
pub(crate) fn account_audit(a: &Account) -> AuditEntry {
    AuditEntry {
        action: "create".into(),
        entity: "account".into(),
        entity_key: a.name.clone(),
        before: None,
        after: Some(serde_json::json!({ "role": a.role, "region": a.region })),
    }
}

pub(crate) fn password_audit(name: &str) -> AuditEntry {
    AuditEntry { action: "set_password".into(), entity: "account".into(), entity_key: name.to_string(), before: None, after: None }
}

/// What counting one sign-in attempt found ([`AccountStore::claim_login_attempt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginClaim {
    /// No such account.
    Unknown,
    /// The account is locked until then: the attempt is refused without checking the password.
    Locked(DateTime<Utc>),
    /// The attempt is counted as the `failed`-th failure in a row until the password proves
    /// right; `locks` is set when this attempt reached the limit (the lock is already stored).
    Counted { failed: i32, locks: Option<DateTime<Utc>> },
}

/// Accounts and sessions.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account (audited, without its hash); `Conflict` if the name is taken.
    async fn create_account(&self, account: &Account, actor: &Actor) -> Result<()>;

    async fn account(&self, name: &str) -> Result<Option<Account>>;

    /// Records the name of the person behind an account (audited); false when no such account.
    async fn set_display_name(&self, name: &str, display_name: &str, actor: &Actor) -> Result<bool>;

    /// Every account that has a display name: (login, display name).
    async fn display_names(&self) -> Result<Vec<(String, String)>>;

    /// The accounts of these roles bound within a region (its own and below): (login, role,
    /// region), by region and login; at most 1000.
    async fn accounts_within(&self, region: &RegionCode, roles: &[&str]) -> Result<Vec<(String, String, String)>>;

    /// Counts one sign-in (or password) attempt before its password is checked, atomically: the
    /// account's failures go up by one and, at `max_failures`, the account is locked until
    /// `lock_until`, all under the row's write lock, so that concurrent attempts each see the
    /// count of those before them. A locked account (`locked_until` after `now`) is not counted.
    /// A lock that has run out starts a new count. A right password then clears the count
    /// ([`AccountStore::set_login_state`]).
    async fn claim_login_attempt(&self, name: &str, now: DateTime<Utc>, max_failures: i32, lock_until: DateTime<Utc>)
        -> Result<LoginClaim>;

    /// Clears the count after a right password, unless failures were counted after this
    /// attempt's own (`claimed`): concurrent wrong guesses, and a lock they set, stay.
    async fn clear_login_failures(&self, name: &str, claimed: i32) -> Result<()>;

    /// Records failed sign-ins and any lockout.
    async fn set_login_state(&self, name: &str, failed_logins: i32, locked_until: Option<DateTime<Utc>>) -> Result<()>;

    /// Replaces the password hash, clears failures and ends every session of the account (audited).
    async fn set_password(&self, name: &str, password_hash: &str, actor: &Actor) -> Result<()>;

    async fn create_session(&self, session: &Session) -> Result<()>;

    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;

    async fn delete_session(&self, token_hash: &str) -> Result<()>;
}

/// The one implementation of [`AccountStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_accounts {
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
            impl crate::AccountStore for $store {
                async fn create_account(&self, account: &Account, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    sql::insert_account::<$db>(account, chain::now())
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| crate::conflict(e, &account.name))?;
                    Self::write_audit(&mut tx, actor, &[crate::account_audit(account)]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn set_display_name(&self, name: &str, display_name: &str, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut old = QueryBuilder::<$db>::new("SELECT display_name FROM users WHERE name = ");
                    old.push_bind(name.to_string());
                    let before: Option<String> = match old.build().fetch_optional(&mut *tx).await? {
                        Some(r) => r.try_get("display_name")?,
                        None => None,
                    };
                    let mut qb = QueryBuilder::<$db>::new("UPDATE users SET display_name = ");
                    qb.push_bind(display_name.to_string()).push(" WHERE name = ").push_bind(name.to_string());
                    let changed = qb.build().execute(&mut *tx).await?.rows_affected();
                    if changed == 0 {
                        return Ok(false);
                    }
                    let entry = AuditEntry {
                        action: "set_display_name".into(),
                        entity: "account".into(),
                        entity_key: name.to_string(),
                        before: Some(serde_json::json!({ "display_name": before })),
                        after: Some(serde_json::json!({ "display_name": display_name })),
                    };
                    Self::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn display_names(&self) -> Result<Vec<(String, String)>> {
                    let rows =
                        QueryBuilder::<$db>::new("SELECT name, display_name FROM users WHERE display_name IS NOT NULL ORDER BY name")
                            .build()
                            .fetch_all(&self.pool)
                            .await?;
                    rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("display_name")?))).collect()
                }

                async fn accounts_within(&self, region: &RegionCode, roles: &[&str]) -> Result<Vec<(String, String, String)>> {
                    if roles.is_empty() {
                        return Ok(Vec::new());
                    }
                    let (lo, hi) = crate::prefix_range(region.as_str());
                    let mut qb = QueryBuilder::<$db>::new("SELECT name, role, region_code FROM users WHERE region_code >= ");
                    qb.push_bind(lo).push(" AND region_code < ").push_bind(hi).push(" AND role IN (");
                    let mut sep = qb.separated(", ");
                    for r in roles {
                        sep.push_bind(r.to_string());
                    }
                    sep.push_unseparated(") ORDER BY region_code, name LIMIT 1000");
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok((r.try_get("name")?, r.try_get("role")?, r.try_get("region_code")?))).collect()
                }

                async fn account(&self, name: &str) -> Result<Option<Account>> {
                    let row = sql::account::<$db>(name).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(rows::account_from_row).transpose()
                }

                async fn claim_login_attempt(
                    &self,
                    name: &str,
                    now: DateTime<Utc>,
                    max_failures: i32,
                    lock_until: DateTime<Utc>,
                ) -> Result<crate::LoginClaim> {
                    let mut tx = self.begin_write().await?;
                    let row = sql::account_for_update::<$db>(name, Self::LOCKS_ROWS).build().fetch_optional(&mut *tx).await?;
                    let Some(account) = row.as_ref().map(rows::account_from_row).transpose()? else {
                        return Ok(crate::LoginClaim::Unknown);
                    };
                    if let Some(until) = account.locked_until.filter(|u| *u > now) {
                        return Ok(crate::LoginClaim::Locked(until));
                    }
                    // A lock that has run out starts a new count.
                    let before = if account.locked_until.is_some() { 0 } else { account.failed_logins };
                    let failed = before.saturating_add(1);
                    let locks = (failed >= max_failures).then_some(lock_until);
                    sql::set_login_state::<$db>(name, failed, locks).build().execute(&mut *tx).await?;
                    tx.commit().await?;
                    Ok(crate::LoginClaim::Counted { failed, locks })
                }

                async fn clear_login_failures(&self, name: &str, claimed: i32) -> Result<()> {
                    sql::clear_login_failures::<$db>(name, claimed).build().execute(&self.pool).await?;
                    Ok(())
                }

                async fn set_login_state(&self, name: &str, failed_logins: i32, locked_until: Option<DateTime<Utc>>) -> Result<()> {
                    sql::set_login_state::<$db>(name, failed_logins, locked_until).build().execute(&self.pool).await?;
                    Ok(())
                }

                async fn set_password(&self, name: &str, password_hash: &str, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let changed = sql::set_password::<$db>(name, password_hash).build().execute(&mut *tx).await?.rows_affected();
                    if changed == 0 {
                        return Err(StoreError::NotFound(name.to_string()));
                    }
                    sql::delete_sessions::<$db>("user_name", name).build().execute(&mut *tx).await?;
                    Self::write_audit(&mut tx, actor, &[crate::password_audit(name)]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn create_session(&self, session: &Session) -> Result<()> {
                    sql::insert_session::<$db>(session).build().execute(&self.pool).await?;
                    Ok(())
                }

                async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
                    let row = sql::session::<$db>(token_hash).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(rows::session_from_row).transpose()
                }

                async fn delete_session(&self, token_hash: &str) -> Result<()> {
                    sql::delete_sessions::<$db>("token_hash", token_hash).build().execute(&self.pool).await?;
                    Ok(())
                }
            }
        };
    };
}
pub(crate) use impl_accounts;
