//! 登录与账号: accounts, passwords (argon2id), sign-in with lockout, sessions.
//!
//! Sessions are random 256-bit tokens; only their SHA-256 is stored, so a copy of the database
//! does not let anyone sign in. Every sign-in, failure, lockout and sign-out is audited.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use minzheng_domain::access::{check_binding, Principal, Role};
use minzheng_domain::{Bilingual, Permission, RegionCode};
use minzheng_store::{Account, Actor, AuditEntry, LoginClaim, Session, Store, StoreError};
use sha2::{Digest, Sha256};

/// Failed sign-ins before the account is locked.
pub const MAX_FAILURES: i32 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_MINUTES: i64 = 15;
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong account name or password")]
    BadCredentials,
    #[error("the account is locked after repeated failures until {0}")]
    Locked(DateTime<Utc>),
    #[error("the password must have at least 10 characters with letters and digits")]
    WeakPassword,
    #[error("account name {0:?} must be 3 to 32 letters, digits, '.', '_' or '-'")]
    BadName(String),
    #[error("{0}")]
    Binding(#[from] minzheng_domain::access::BindingError),
    #[error("region {0} does not exist")]
    UnknownRegion(String),
    #[error("account {0} already exists")]
    Exists(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> AuthError {
        match e {
            StoreError::Conflict(name) => AuthError::Exists(name),
            other => AuthError::Store(other),
        }
    }
}

impl Bilingual for AuthError {
    fn zh(&self) -> String {
        match self {
            AuthError::BadCredentials => "账号或密码错误".into(),
            AuthError::Locked(t) => {
                // Beijing time, as the clerk's clock shows it.
                let local = chrono::FixedOffset::east_opt(8 * 3600)
                    .map(|tz| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| t.to_string());
                format!("连续登录失败，账号已锁定至{local}")
            }
            AuthError::WeakPassword => "密码至少10位，且须同时包含字母和数字".into(),
            AuthError::BadName(n) => format!("账号名“{n}”应为3到32位字母、数字或 . _ -"),
            AuthError::Binding(e) => e.zh(),
            AuthError::UnknownRegion(c) => format!("区划{c}不存在"),
            AuthError::Exists(n) => format!("账号{n}已存在"),
            AuthError::Forbidden(w) => format!("无权操作：{w}"),
            AuthError::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// `bytes` random bytes from the OS, as hex.
/// Fills `buf` from the operating system's random source.
#[allow(clippy::panic, reason = "without the OS random source no token or salt can be made safely; nothing can continue")]
fn os_random(buf: &mut [u8]) {
    getrandom::fill(buf).unwrap_or_else(|e| panic!("no OS randomness: {e}"));
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    os_random(&mut buf);
    hex::encode(buf)
}

/// A new random password for generated accounts (demo): 16 characters, letters and digits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 16];
    os_random(&mut buf);
    let mut p: String = buf.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    // Guarantee both kinds.
    p.replace_range(0..1, "k");
    p.replace_range(15..16, "7");
    p
}

/// The stored form of a session token (SHA-256, hex).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks the password rules.
pub fn check_password(p: &str) -> Result<(), AuthError> {
    let long = p.chars().count() >= 10;
    let letters = p.chars().any(|c| c.is_alphabetic());
    let digits = p.chars().any(|c| c.is_ascii_digit());
    if long && letters && digits && p.len() <= 256 {
        Ok(())
    } else {
        Err(AuthError::WeakPassword)
    }
}

/// argon2id with the crate's recommended parameters (19 MiB, 2 passes).
pub fn hash_password(p: &str) -> String {
    let mut salt = [0u8; 16];
    os_random(&mut salt);
    match Argon2::default().hash_password_with_salt(p.as_bytes(), &salt) {
        Ok(h) => h.to_string(),
        #[allow(clippy::panic, reason = "argon2 refuses only salts and outputs of the wrong size, fixed here")]
        Err(e) => panic!("argon2 refused a checked password: {e}"),
    }
}

fn verify_password(p: &str, hash: &str) -> bool {
    Argon2::default().verify_password(p.as_bytes(), hash).is_ok()
}

/// Password checks running at once, at most: each takes 19 MiB and a core for ~50 ms, so a burst
/// of sign-ins waits its turn here instead of taking the async workers and the memory.
const HASHING_AT_ONCE: usize = 4;

fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHING_AT_ONCE);
    &PERMITS
}

/// [`verify_password`] on the blocking pool, at most [`HASHING_AT_ONCE`] at a time.
async fn verify_password_bounded(p: &str, hash: &str) -> bool {
    let Ok(permit) = hashing_permits().acquire().await else { return false };
    let (p, hash) = (p.to_string(), hash.to_string());
    // The permit goes with the work: a request that gives up waiting does not free it early.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        verify_password(&p, &hash)
    })
    .await
    .unwrap_or(false)
}

/// [`hash_password`] on the blocking pool, at most [`HASHING_AT_ONCE`] at a time.
async fn hash_password_bounded(p: &str) -> Result<String, AuthError> {
    let permit = hashing_permits().acquire().await.map_err(|_| AuthError::Store(StoreError::Corrupt("password hashing closed".into())))?;
    let p = p.to_string();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        hash_password(&p)
    })
    .await
    .map_err(|e| AuthError::Store(StoreError::Corrupt(format!("password hashing failed: {e}"))))
}

/// The longest account name written to the audit log as given; a longer one is cut there (a
/// real name has at most 32 characters).
const LOGGED_NAME_CHARS: usize = 64;

/// A sign-in name as the audit log records it: control characters (a NUL that PostgreSQL
/// refuses, line breaks) replaced and anything past [`LOGGED_NAME_CHARS`] cut with its length
/// noted, so that an anonymous request cannot write more than a line.
pub fn logged_name(name: &str) -> String {
    let mut out: String = name.chars().take(LOGGED_NAME_CHARS).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    let total = name.chars().count();
    if total > LOGGED_NAME_CHARS {
        out.push_str(&format!("…({total} chars)"));
    }
    out
}

/// A hash to verify against when the account does not exist, so that a missing account and a
/// wrong password take the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("dummy-password-0"))
}

/// Creates an account. `by` is the account creating it (None: the local administrator on the
/// command line); it needs `ManageUsers` and the new account's region must be in its scope.
pub async fn create_account(
    store: &dyn Store,
    by: Option<&Principal>,
    actor: &Actor,
    name: &str,
    role: Role,
    region: &RegionCode,
    password: &str,
) -> Result<(), AuthError> {
    let valid_name = (3..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid_name {
        return Err(AuthError::BadName(name.to_string()));
    }
    if let Some(p) = by {
        if !p.may_on(Permission::ManageUsers, region) {
            return Err(AuthError::Forbidden(format!("{} may not create accounts in {region}", p.name)));
        }
    }
    check_binding(role, region)?;
    if store.region(region).await?.is_none() {
        return Err(AuthError::UnknownRegion(region.to_string()));
    }
    check_password(password)?;
    let account = Account {
        name: name.to_string(),
        password_hash: hash_password(password),
        role: role.as_str().to_string(),
        region: region.clone(),
        failed_logins: 0,
        locked_until: None,
    };
    store.create_account(&account, actor).await?;
    Ok(())
}

/// A successful sign-in: the cookie token (shown once, never stored) and the session.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub principal: Principal,
}

fn principal_of(a: &Account) -> Result<Principal, AuthError> {
    let role = Role::parse(&a.role).ok_or_else(|| AuthError::Store(StoreError::Corrupt(format!("role {:?}", a.role))))?;
    Ok(Principal { name: a.name.clone(), role, region: a.region.clone() })
}

fn entry(action: &str, name: &str, after: Option<serde_json::Value>) -> AuditEntry {
    AuditEntry { action: action.into(), entity: "account".into(), entity_key: name.into(), before: None, after }
}

/// Counts one attempt on `name` before its password is checked ([`Store::claim_login_attempt`]):
/// the lock is checked first and concurrent wrong guesses each count, so the limit holds however
/// many arrive at once.
async fn claim(store: &dyn Store, name: &str) -> Result<LoginClaim, AuthError> {
    let now = Utc::now();
    Ok(store.claim_login_attempt(name, now, MAX_FAILURES, now + Duration::minutes(LOCKOUT_MINUTES)).await?)
}

/// After a wrong password: audited, slowed down, and the error to give.
async fn wrong_password(
    store: &dyn Store,
    actor: &Actor,
    name: &str,
    action: &str,
    failed: i32,
    locks: Option<DateTime<Utc>>,
) -> AuthError {
    let action = if locks.is_some() { "account_locked" } else { action };
    if let Err(e) = store.audit(actor, &[entry(action, name, Some(serde_json::json!({ "failed_logins": failed })))]).await {
        return e.into();
    }
    // Each further failure waits longer (at most two seconds).
    tokio::time::sleep(std::time::Duration::from_millis((200 * failed.max(0) as u64).min(2000))).await;
    match locks {
        Some(until) => AuthError::Locked(until),
        None => AuthError::BadCredentials,
    }
}

/// Signs in: counts the attempt (refusing a locked account before any password check), checks
/// the password off the async workers, locks after [`MAX_FAILURES`] failures in a row and slows
/// repeated failures down; on success clears the count and opens a session.
pub async fn login(store: &dyn Store, name: &str, password: &str, actor: &Actor) -> Result<SignedIn, AuthError> {
    let logged = logged_name(name);
    let valid_name = (3..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    let account = if valid_name { store.account(name).await? } else { None };
    let Some(account) = account else {
        let _ = verify_password_bounded(password, dummy_hash()).await;
        store.audit(actor, &[entry("login_failed", &logged, Some(serde_json::json!({ "reason": "unknown account" })))]).await?;
        return Err(AuthError::BadCredentials);
    };
    let (failed, locks) = match claim(store, name).await? {
        LoginClaim::Unknown => return Err(AuthError::BadCredentials),
        LoginClaim::Locked(until) => {
            store.audit(actor, &[entry("login_refused", name, Some(serde_json::json!({ "reason": "locked" })))]).await?;
            return Err(AuthError::Locked(until));
        }
        LoginClaim::Counted { failed, locks } => (failed, locks),
    };
    if !verify_password_bounded(password, &account.password_hash).await {
        return Err(wrong_password(store, actor, name, "login_failed", failed, locks).await);
    }
    store.clear_login_failures(name, failed).await?;
    let token = random_hex(32);
    let session = Session {
        token_hash: token_hash(&token),
        user_name: account.name.clone(),
        csrf_token: random_hex(16),
        created_at: minzheng_store::chain::now(),
        expires_at: minzheng_store::chain::now() + Duration::hours(SESSION_HOURS),
    };
    store.create_session(&session).await?;
    store.audit(actor, &[entry("login", name, None)]).await?;
    Ok(SignedIn { token, session, principal: principal_of(&account)? })
}

/// The account behind a session token, if the session exists and has not expired.
pub async fn authenticate(store: &dyn Store, token: &str) -> Result<Option<(Principal, Session)>, AuthError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(session) = store.session(&hash).await? else { return Ok(None) };
    if session.expires_at <= Utc::now() {
        store.delete_session(&hash).await?;
        return Ok(None);
    }
    let Some(account) = store.account(&session.user_name).await? else { return Ok(None) };
    Ok(Some((principal_of(&account)?, session)))
}

/// How long a session read from the store is trusted without reading it again.
pub const SESSION_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Signed-in sessions held for a moment, so that a burst of requests of one browser does not
/// read the session and the account for each (two of the five store round trips of a read).
/// An entry is trusted for [`SESSION_CACHE_TTL`], and never past the session's expiry; logging
/// out drops it and changing the password drops every entry of the account at once. A session
/// ended by another process (the command line, another server) stops working within the TTL.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Principal, Session, std::time::Instant)>>,
    /// Raised by every forgetting: a store read that began before it is not cached (it may have
    /// seen a session being ended).
    generation: std::sync::atomic::AtomicU64,
}

impl SessionCache {
    /// At most this many entries; a full cache is emptied (it refills from the store).
    const CAPACITY: usize = 10_000;

    pub fn new() -> SessionCache {
        SessionCache::default()
    }

    /// [`authenticate`], through the cache.
    pub async fn authenticate(&self, store: &dyn Store, token: &str) -> Result<Option<(Principal, Session)>, AuthError> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = token_hash(token);
        if let Ok(entries) = self.entries.lock() {
            if let Some((p, s, at)) = entries.get(&hash) {
                if at.elapsed() < SESSION_CACHE_TTL && s.expires_at > Utc::now() {
                    return Ok(Some((p.clone(), s.clone())));
                }
            }
        }
        let began = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let found = authenticate(store, token).await?;
        if let Ok(mut entries) = self.entries.lock() {
            match &found {
                // Checked under the lock that forgetting takes too.
                Some(_) if self.generation.load(std::sync::atomic::Ordering::SeqCst) != began => {}
                Some((p, s)) => {
                    if entries.len() >= Self::CAPACITY {
                        entries.clear();
                    }
                    entries.insert(hash, (p.clone(), s.clone(), std::time::Instant::now()));
                }
                None => {
                    entries.remove(&hash);
                }
            }
        }
        Ok(found)
    }

    /// Drops a session (logged out): call it before and after the session is deleted.
    pub fn forget(&self, token: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            entries.remove(&token_hash(token));
        }
    }

    /// Drops every session of an account (password changed): call it after the change.
    pub fn forget_account(&self, name: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            entries.retain(|_, (p, _, _)| p.name != name);
        }
    }
}

/// Ends a session.
pub async fn logout(store: &dyn Store, token: &str, actor: &Actor) -> Result<(), AuthError> {
    store.delete_session(&token_hash(token)).await?;
    store.audit(actor, &[entry("logout", &actor.name, None)]).await?;
    Ok(())
}

/// Changes one's own password (the old one must be given); ends every session. A wrong old
/// password counts as a failed sign-in (audited, slowed, and locking the account at the same
/// limit), so a stolen session is no way to guess the password.
pub async fn change_password(store: &dyn Store, cx: &crate::RequestContext<'_>, old: &str, new: &str) -> Result<(), AuthError> {
    let (who, actor) = (cx.who, cx.actor);
    let account = store.account(&who.name).await?.ok_or(AuthError::BadCredentials)?;
    let (failed, locks) = match claim(store, &who.name).await? {
        LoginClaim::Unknown => return Err(AuthError::BadCredentials),
        LoginClaim::Locked(until) => {
            store.audit(actor, &[entry("password_change_refused", &who.name, Some(serde_json::json!({ "reason": "locked" })))]).await?;
            return Err(AuthError::Locked(until));
        }
        LoginClaim::Counted { failed, locks } => (failed, locks),
    };
    if !verify_password_bounded(old, &account.password_hash).await {
        return Err(wrong_password(store, actor, &who.name, "password_change_failed", failed, locks).await);
    }
    store.clear_login_failures(&who.name, failed).await?;
    check_password(new)?;
    store.set_password(&who.name, &hash_password_bounded(new).await?, actor).await?;
    Ok(())
}

/// Records the name of the person behind an account (王芳), shown on pages, letters and
/// reports instead of the login name: 1 to 20 characters, no control characters. Audited.
pub async fn name_account(store: &dyn Store, actor: &Actor, name: &str, display_name: &str) -> Result<(), AuthError> {
    let display = display_name.trim();
    let count = display.chars().count();
    if count == 0 || count > 20 || display.chars().any(char::is_control) {
        return Err(AuthError::BadName(display.to_string()));
    }
    if store.set_display_name(name, display, actor).await? {
        Ok(())
    } else {
        Err(AuthError::Forbidden(format!("no account {name}")))
    }
}

/// The people behind the accounts (login → display name), read from the store at most once a
/// minute: pages name staff as people, not as logins.
#[derive(Default)]
pub struct DisplayNames {
    names: std::sync::RwLock<(Option<std::time::Instant>, NameMap)>,
    /// One refresh at a time: the other requests use the names they have.
    refreshing: std::sync::atomic::AtomicBool,
}

/// Login → display name.
type NameMap = std::sync::Arc<std::collections::HashMap<String, String>>;

impl DisplayNames {
    const TTL: std::time::Duration = std::time::Duration::from_secs(60);

    /// Reads the names again when they are older than a minute (a failure keeps the old ones).
    pub async fn refresh(&self, store: &dyn Store) {
        use std::sync::atomic::Ordering;
        let stale = self.names.read().map(|g| g.0.is_none_or(|t| t.elapsed() > Self::TTL)).unwrap_or(true);
        if !stale || self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let read = store.display_names().await;
        if let Ok(mut g) = self.names.write() {
            // A failed read keeps the old names until the next minute (no query on every request).
            let names = match read {
                Ok(list) => std::sync::Arc::new(list.into_iter().collect()),
                Err(_) => g.1.clone(),
            };
            *g = (Some(std::time::Instant::now()), names);
        }
        self.refreshing.store(false, Ordering::Release);
    }

    /// The person's name for a login, or the login itself when none is recorded.
    pub fn of(&self, login: &str) -> String {
        self.names.read().ok().and_then(|g| g.1.get(login).cloned()).unwrap_or_else(|| login.to_string())
    }
}
