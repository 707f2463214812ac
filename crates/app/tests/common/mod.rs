//! What the app's integration tests share: a temporary folder, region codes, accounts and dates.
#![allow(dead_code)]

use minzheng_domain::Principal;
use minzheng_store::Actor;

pub use minzheng_testkit::{code, day, who, TempDir as Dir};

pub fn actor(p: &Principal) -> Actor {
    minzheng_app::registry::actor_of(p, None, None)
}

/// An account with the actor its audit records name, for use cases that do not read the day.
pub struct Caller {
    pub who: Principal,
    pub actor: Actor,
}

pub fn caller(who: &Principal) -> Caller {
    Caller { who: who.clone(), actor: actor(who) }
}

impl Caller {
    /// The request context, on the day these tests' requests are made (1 November 2026).
    pub fn cx(&self) -> minzheng_app::RequestContext<'_> {
        minzheng_app::RequestContext::new(&self.who, &self.actor, day("2026-11-01"))
    }
}
