//! What the app's integration tests share: a temporary folder, region codes, accounts and dates.
#![allow(dead_code)]

use minzheng_domain::Principal;
use minzheng_store::Actor;

pub use minzheng_testkit::{code, day, who, TempDir as Dir};

pub fn actor(p: &Principal) -> Actor {
    minzheng_app::registry::actor_of(p, None, None)
}
