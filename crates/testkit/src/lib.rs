//! What the crates' integration tests share, in one place instead of a copy in each crate:
//! a fresh store on each database the tests run on (SQLite always, PostgreSQL when
//! `MINZHENG_TEST_DATABASE_URL` names a server: a database of its own per test, dropped after),
//! a temporary folder removed when the test ends, and the parsers of test literals (region
//! codes, dates, accounts). A dev-dependency only: nothing of the program links it.
#![allow(clippy::expect_used, clippy::panic, reason = "test support states a broken test machine by panicking")]

use chrono::NaiveDate;
use minzheng_domain::{Principal, RegionCode, Role};
use minzheng_store::{Backend, Store};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// The environment variable naming the PostgreSQL server the tests may use.
pub const DATABASE_URL: &str = "MINZHENG_TEST_DATABASE_URL";

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A name no other test of this run, or of a run at the same time, takes: the process, a
/// counter and the time, with the caller's tag (only ASCII letters, digits and `_` kept).
pub fn unique(tag: &str) -> String {
    let tag: String = tag.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    format!("{tag}_{}_{n}_{}", std::process::id(), chrono::Utc::now().timestamp_micros())
}

/// A folder of its own under the system's temporary folder, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("minzheng-{}", unique(tag)));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Gives the folder up to the caller, who removes it (it is no longer removed on drop).
    pub fn keep(self) -> PathBuf {
        let this = std::mem::ManuallyDrop::new(self);
        this.0.clone()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PostgreSQL database made for one test: the server's URL and the database's name.
#[derive(Debug, Clone)]
pub struct PgDatabase {
    pub base: String,
    pub name: String,
}

impl PgDatabase {
    /// Creates a database of its own on the server at `base`.
    pub async fn create(base: &str, tag: &str) -> PgDatabase {
        let name = format!("mzt_{}", unique(tag)).to_lowercase();
        let admin = minzheng_store::PgStore::connect(base).await.expect("the test PostgreSQL server reachable");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(minzheng_store::Dialect::pool(&admin))
            .await
            .expect("a test database created");
        PgDatabase { base: base.to_string(), name }
    }

    /// The URL of the database itself.
    pub fn url(&self) -> String {
        minzheng_store::postgres::with_database(&self.base, &self.name)
    }

    /// Drops the database (its connections closed by force).
    pub async fn drop_database(self) {
        let admin = minzheng_store::PgStore::connect(&self.base).await.expect("the test PostgreSQL server reachable");
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)))
            .execute(minzheng_store::Dialect::pool(&admin))
            .await;
    }
}

/// A fresh, migrated store for one test, with where it lives.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    /// The URL it was opened with (`sqlite://PATH` or `postgres://...`).
    pub url: String,
    /// The PostgreSQL database to drop after the test; none on SQLite.
    pub pg: Option<PgDatabase>,
    /// The SQLite file's folder, removed when the store is dropped.
    pub dir: Option<TempDir>,
}

impl TestStore {
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Ends the test's use of the store: a PostgreSQL database is dropped (a SQLite folder goes
    /// with the value).
    pub async fn done(self) {
        let TestStore { store, pg, .. } = self;
        drop(store);
        if let Some(pg) = pg {
            pg.drop_database().await;
        }
    }
}

/// A fresh store on SQLite, in a folder of its own.
pub async fn sqlite(tag: &str) -> TestStore {
    let dir = TempDir::new(tag);
    let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let store = minzheng_store::connect(&url).await.expect("a SQLite store");
    TestStore { store, url, pg: None, dir: Some(dir) }
}

/// A fresh store on each database the tests run on: SQLite, then PostgreSQL when
/// [`DATABASE_URL`] is set.
pub async fn each_database(tag: &str) -> Vec<TestStore> {
    let mut out = vec![sqlite(tag).await];
    if let Ok(base) = std::env::var(DATABASE_URL) {
        let pg = PgDatabase::create(&base, tag).await;
        let url = pg.url();
        let store = minzheng_store::connect(&url).await.expect("a PostgreSQL store");
        out.push(TestStore { store, url, pg: Some(pg), dir: None });
    }
    out
}

/// A region code written in a test.
pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap_or_else(|e| panic!("region code {s:?}: {e}"))
}

/// A date written in a test (`2026-11-03`).
pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("date {s:?}: {e}"))
}

/// An account of `role` bound to `region`, named after its role.
pub fn who(role: Role, region: &str) -> Principal {
    Principal { name: format!("{}-test", role.as_str()), role, region: code(region) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_made_at_once_differ_and_keep_to_safe_characters() {
        let (a, b) = (unique("a-b c"), unique("a-b c"));
        assert_ne!(a, b);
        assert!(a.starts_with("a_b_c_") && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{a}");
    }

    #[test]
    fn a_temporary_folder_goes_when_dropped() {
        let dir = TempDir::new("gone");
        let path = dir.path().to_path_buf();
        assert!(path.is_dir());
        drop(dir);
        assert!(!path.exists());
    }
}
