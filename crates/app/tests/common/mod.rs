//! What the app's integration tests share: a temporary folder, region codes, accounts and dates.
#![allow(dead_code)]

use chrono::NaiveDate;
use minzheng_domain::{Principal, RegionCode, Role};
use minzheng_store::Actor;

/// A folder removed when the test ends.
pub struct Dir(pub std::path::PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("code")
}

/// An account of `role` bound to `region`.
pub fn who(role: Role, region: &str) -> Principal {
    Principal { name: format!("{}-test", role.as_str()), role, region: code(region) }
}

pub fn actor(p: &Principal) -> Actor {
    minzheng_app::registry::actor_of(p, None, None)
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}
