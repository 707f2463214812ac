//! Signing in as the regulations ask: accounts bound to a region of their role's level, strong
//! passwords, lockout after repeated failures, sessions that end, everything audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use minzheng_app::auth::{self, AuthError};
use minzheng_domain::Role;
use minzheng_store::{Actor, Store};
use minzheng_testkit::{code, TempDir, TestStore};
use std::sync::Arc;

async fn store(tag: &str) -> (Arc<dyn Store>, TempDir) {
    let TestStore { store, dir, .. } = minzheng_testkit::sqlite(&format!("auth-{tag}")).await;
    minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
    (store, dir.expect("the store's folder"))
}

fn client() -> Actor {
    Actor { name: "wang".into(), client: Some("127.0.0.1".into()), ..Default::default() }
}

#[tokio::test]
async fn accounts_are_bound_to_a_region_of_their_level_with_a_strong_password() {
    let (s, _d) = store("create").await;
    let admin = Actor::new("cli:root");
    let ok = auth::create_account(s.as_ref(), None, &admin, "wang", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok").await;
    assert!(ok.is_ok(), "{ok:?}");
    let weak = auth::create_account(s.as_ref(), None, &admin, "lisi", Role::CommunityWorker, &code("210112009001"), "short1").await;
    assert!(matches!(weak, Err(AuthError::WeakPassword)));
    let level = auth::create_account(s.as_ref(), None, &admin, "lisi", Role::CountyApprover, &code("210112009"), "Hunnan2026ok").await;
    assert!(matches!(level, Err(AuthError::Binding(_))), "a county approver is bound to a county");
    let nowhere = auth::create_account(s.as_ref(), None, &admin, "lisi", Role::CountyApprover, &code("210199"), "Hunnan2026ok").await;
    assert!(matches!(nowhere, Err(AuthError::UnknownRegion(_))));
    let again = auth::create_account(s.as_ref(), None, &admin, "wang", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok").await;
    assert!(matches!(again, Err(AuthError::Exists(_))));
    // A city administrator creates accounts in the city; a street reviewer creates none.
    let city = minzheng_domain::Principal { name: "city".into(), role: Role::CityAdmin, region: code("2101") };
    let street = minzheng_domain::Principal { name: "street".into(), role: Role::StreetReviewer, region: code("210112009") };
    assert!(auth::create_account(s.as_ref(), Some(&city), &admin, "zhao", Role::StreetReviewer, &code("210112009"), "Donghu2026ok")
        .await
        .is_ok());
    assert!(matches!(
        auth::create_account(s.as_ref(), Some(&street), &admin, "qian", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok").await,
        Err(AuthError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_session_opens_with_the_right_password_and_ends_at_sign_out() {
    let (s, _d) = store("login").await;
    auth::create_account(s.as_ref(), None, &Actor::new("cli:root"), "wang", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok")
        .await
        .expect("account");
    let signed = auth::login(s.as_ref(), "wang", "Wenxin2026ok", &client()).await.expect("signs in");
    assert_eq!(signed.principal.role, Role::CommunityWorker);
    let (who, _) = auth::authenticate(s.as_ref(), &signed.token).await.expect("lookup").expect("a live session");
    assert_eq!(who.region, code("210112009001"));
    assert!(auth::authenticate(s.as_ref(), "forged").await.expect("lookup").is_none());
    assert!(auth::authenticate(s.as_ref(), &"0".repeat(64)).await.expect("lookup").is_none());
    auth::logout(s.as_ref(), &signed.token, &client()).await.expect("logout");
    assert!(auth::authenticate(s.as_ref(), &signed.token).await.expect("lookup").is_none(), "the session ended");
    let actions: Vec<String> = s.audit_of("account", "wang").await.expect("audit").into_iter().map(|r| r.action).collect();
    assert_eq!(actions, ["create", "login", "logout"]);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let (s, _d) = store("lockout").await;
    auth::create_account(s.as_ref(), None, &Actor::new("cli:root"), "wang", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok")
        .await
        .expect("account");
    for i in 1..auth::MAX_FAILURES {
        let e = auth::login(s.as_ref(), "wang", "guess-123456", &client()).await.expect_err("wrong password");
        assert!(matches!(e, AuthError::BadCredentials), "attempt {i}");
    }
    let e = auth::login(s.as_ref(), "wang", "guess-123456", &client()).await.expect_err("fifth failure");
    assert!(matches!(e, AuthError::Locked(_)));
    let e = auth::login(s.as_ref(), "wang", "Wenxin2026ok", &client()).await.expect_err("locked");
    use minzheng_domain::Bilingual;
    assert!(matches!(e, AuthError::Locked(_)) && e.zh().contains("锁定"), "{e}");
    // An unknown account is told apart from a wrong password in the audit log only.
    let e = auth::login(s.as_ref(), "nobody", "whatever-1234", &client()).await.expect_err("unknown");
    assert!(matches!(e, AuthError::BadCredentials));
    let actions: Vec<String> = s.audit_of("account", "wang").await.expect("audit").into_iter().map(|r| r.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "login_failed").count(), 4);
    assert!(actions.contains(&"account_locked".to_string()) && actions.contains(&"login_refused".to_string()));
    assert_eq!(minzheng_store::verify_audit(s.as_ref()).await.expect("verify").first_broken, None);
}

#[tokio::test]
async fn a_new_password_needs_the_old_one_and_ends_every_session() {
    let (s, _d) = store("password").await;
    auth::create_account(s.as_ref(), None, &Actor::new("cli:root"), "wang", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok")
        .await
        .expect("account");
    let signed = auth::login(s.as_ref(), "wang", "Wenxin2026ok", &client()).await.expect("signs in");
    let who = signed.principal.clone();
    assert!(matches!(
        auth::change_password(
            s.as_ref(),
            &minzheng_app::RequestContext::new(&who, &client(), minzheng_testkit::day("2026-11-01")),
            "wrong-old-1",
            "Newpass2026x"
        )
        .await,
        Err(AuthError::BadCredentials)
    ));
    assert!(matches!(
        auth::change_password(
            s.as_ref(),
            &minzheng_app::RequestContext::new(&who, &client(), minzheng_testkit::day("2026-11-01")),
            "Wenxin2026ok",
            "weak"
        )
        .await,
        Err(AuthError::WeakPassword)
    ));
    auth::change_password(
        s.as_ref(),
        &minzheng_app::RequestContext::new(&who, &client(), minzheng_testkit::day("2026-11-01")),
        "Wenxin2026ok",
        "Newpass2026x",
    )
    .await
    .expect("changed");
    assert!(auth::authenticate(s.as_ref(), &signed.token).await.expect("lookup").is_none());
    assert!(auth::login(s.as_ref(), "wang", "Newpass2026x", &client()).await.is_ok());
}

#[tokio::test]
async fn an_expired_session_no_longer_signs_anyone_in() {
    let (s, _d) = store("expired").await;
    auth::create_account(s.as_ref(), None, &Actor::new("cli:root"), "wang", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok")
        .await
        .expect("account");
    let signed = auth::login(s.as_ref(), "wang", "Wenxin2026ok", &client()).await.expect("signs in");
    // The same session, expired: stored again with a past expiry under a fresh token.
    let token = "ab".repeat(32);
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    };
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    s.create_session(&minzheng_store::Session { token_hash: hash.clone(), expires_at: past, ..signed.session.clone() })
        .await
        .expect("session");
    assert!(auth::authenticate(s.as_ref(), &token).await.expect("lookup").is_none());
    assert!(s.session(&hash).await.expect("get").is_none(), "the expired session is removed");
}

#[tokio::test]
async fn the_session_cache_answers_a_burst_and_forgets_at_sign_out_and_password_change() {
    let (s, _d) = store("cache").await;
    auth::create_account(s.as_ref(), None, &Actor::new("cli:root"), "wang", Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok")
        .await
        .expect("account");
    let cache = auth::SessionCache::new();
    let signed = auth::login(s.as_ref(), "wang", "Wenxin2026ok", &client()).await.expect("signs in");
    let (who, _) = cache.authenticate(s.as_ref(), &signed.token).await.expect("lookup").expect("a live session");
    assert_eq!(who.name, "wang");
    assert!(cache.authenticate(s.as_ref(), "forged").await.expect("lookup").is_none());
    // Signing out ends it at once, though the cache held it.
    auth::logout(s.as_ref(), &signed.token, &client()).await.expect("logout");
    cache.forget(&signed.token);
    assert!(cache.authenticate(s.as_ref(), &signed.token).await.expect("lookup").is_none(), "signed out");
    // A password change drops every session of the account at once.
    let a = auth::login(s.as_ref(), "wang", "Wenxin2026ok", &client()).await.expect("signs in");
    assert!(cache.authenticate(s.as_ref(), &a.token).await.expect("lookup").is_some());
    auth::change_password(
        s.as_ref(),
        &minzheng_app::RequestContext::new(&a.principal, &client(), minzheng_testkit::day("2026-11-01")),
        "Wenxin2026ok",
        "Newpass2026x",
    )
    .await
    .expect("changed");
    cache.forget_account("wang");
    assert!(cache.authenticate(s.as_ref(), &a.token).await.expect("lookup").is_none(), "password changed");
}

/// Runs SQL on the database behind the application's back, as someone who can write it would.
async fn tamper(dir: &std::path::Path, sql: &str) {
    let raw = minzheng_store::SqliteStore::open(&dir.join("db.sqlite")).await.expect("open");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(raw.pool()).await.expect("tamper");
}

/// Rewrites every record's hashes with the chain's public formula, as a script would after edits.
async fn recompute_chain(dir: &std::path::Path, s: &dyn Store) {
    let records = s.audit_after(0, 1_000_000).await.expect("records");
    let mut prev = minzheng_store::chain::GENESIS.to_string();
    let mut sql = String::new();
    for r in records {
        let hash = minzheng_store::chain::expected_hash(&r, &prev);
        sql.push_str(&format!("UPDATE audit_log SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {};\n", r.id));
        prev = hash;
    }
    tamper(dir, &sql).await;
}

#[tokio::test]
async fn a_log_cut_short_or_rewritten_without_the_key_fails_against_the_signed_checkpoints() {
    use minzheng_app::audit_anchor::Anchor;
    let (s, d) = store("anchor").await;
    let anchor = Anchor::open(&d.0.join("data")).expect("anchor");
    for name in ["wang", "lina", "zhao"] {
        auth::create_account(s.as_ref(), None, &Actor::new("cli:root"), name, Role::CommunityWorker, &code("210112009001"), "Wenxin2026ok")
            .await
            .expect("account");
    }
    let first = anchor.checkpoint(s.as_ref()).await.expect("checkpoint").expect("written");
    assert!(anchor.checkpoint(s.as_ref()).await.expect("checkpoint").is_none(), "nothing new, no new line");
    auth::login(s.as_ref(), "wang", "Wenxin2026ok", &client()).await.expect("signs in");
    let second = anchor.checkpoint(s.as_ref()).await.expect("checkpoint").expect("written");
    assert_eq!((first.seq, second.seq), (1, 2));
    let v = anchor.verify(s.as_ref(), None).await.expect("verify");
    assert_eq!((v.problem.as_deref(), v.checkpoints, v.unanchored), (None, 2, 0));
    assert_eq!(v.latest.as_ref().map(|c| c.id), Some(second.id));

    // The newest records deleted: the chain alone still holds, the checkpoint does not.
    tamper(&d.0, &format!("DELETE FROM audit_log WHERE id >= {}", second.id)).await;
    assert_eq!(minzheng_store::verify_audit(s.as_ref()).await.expect("chain").first_broken, None, "the chain cannot see a cut tail");
    let v = anchor.verify(s.as_ref(), None).await.expect("verify");
    assert!(v.problem.as_deref().is_some_and(|p| p.contains("removed")), "{v:?}");

    // An edit, then the whole chain recomputed with the public formula: the chain verifies, the
    // signed checkpoint of the older record does not.
    tamper(&d.0, "UPDATE audit_log SET actor = 'nobody'").await;
    recompute_chain(&d.0, s.as_ref()).await;
    assert_eq!(minzheng_store::verify_audit(s.as_ref()).await.expect("chain").first_broken, None);
    let v = anchor.verify(s.as_ref(), None).await.expect("verify");
    assert!(v.problem.as_deref().is_some_and(|p| p.contains("written anew") || p.contains("removed")), "{v:?}");

    // The file cut back to the first line and written on anew: the note of the second fails.
    let note = second.note();
    let file = d.0.join("data").join(minzheng_app::audit_anchor::CHECKPOINT_FILE);
    let text = std::fs::read_to_string(&file).expect("read");
    let first_line: String = text.lines().next().map(|l| format!("{l}\n")).unwrap_or_default();
    std::fs::write(&file, &first_line).expect("cut back");
    assert!(anchor.checkpoint(s.as_ref()).await.is_err(), "a process that saw the longer file does not write on a cut one");
    let fresh = Anchor::open(&d.0.join("data")).expect("another process");
    fresh.checkpoint(s.as_ref()).await.expect("appended anew");
    let v = fresh.verify(s.as_ref(), Some(&note)).await.expect("verify");
    assert!(v.problem.as_deref().is_some_and(|p| p.contains("noted")), "{v:?}");
    std::fs::write(&file, &text).expect("restore");

    // A checkpoint line forged without the key is refused.
    let forged = text.replacen(&first.hash, &"0".repeat(64), 1);
    std::fs::write(&file, forged).expect("write");
    let v = anchor.verify(s.as_ref(), None).await.expect("verify");
    assert!(v.problem.as_deref().is_some_and(|p| p.contains("not signed")), "{v:?}");
}
