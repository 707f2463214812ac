//! 资金发放 as the county bureau works it: a card recorded for the head, the month's list
//! prepared, approved by a second person and locked, the bank file sent, the bank's return read
//! (a payment returned), a 停保 decided on a finding taking the household off the next list,
//! the returned payment paid again once the card is corrected; and the locked month refused by
//! the database itself, on each database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus, Fen, RegionCode, Role};
use minzheng_server::payments::bank::{self, BankLayout};
use minzheng_server::payments::model::{luhn_ok, Payroll, PayrollStatus};
use minzheng_server::payments::store::{payment_store, MIGRATIONS};
use minzheng_store::Actor;
use std::collections::HashMap;

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

fn card(seed: u32) -> String {
    let body = format!("62220200{seed:010}");
    (0..10).map(|c| format!("{body}{c}")).find(|n| luhn_ok(n)).expect("check digit")
}

fn multipart(csrf: &str, layout: &str, file: &str) -> Option<(&'static str, String)> {
    Some((
        "multipart/form-data; boundary=XyZ",
        format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"layout\"\r\n\r\n{layout}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"return.txt\"\r\nContent-Type: text/plain\r\n\r\n{file}\r\n--XyZ--\r\n"
        ),
    ))
}

#[tokio::test]
async fn a_month_is_prepared_approved_locked_paid_and_a_stop_takes_the_household_off_the_next_list() {
    let f = fixture("payments").await;
    let county = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    // A second officer of the county, who approves what the first prepares.
    minzheng_app::auth::create_account(
        f.store.as_ref(),
        None,
        &Actor::new("test"),
        "second.approver",
        Role::CountyApprover,
        &county,
        PASSWORD,
    )
    .await
    .expect("account");
    let first = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("approver");
    let second = sign_in(&f.app, "second.approver", PASSWORD).await.map_err(|r| r.body).expect("second");
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");

    // The household is on 低保 from July, at 1,041 yuan.
    let head = f.city.persons.iter().find(|p| Some(p.id_number) == f.inside.head).expect("head").clone();
    let enrolment = Enrolment {
        id: 0,
        program: "dibao".into(),
        household_no: f.inside.household_no.clone(),
        county: county.clone(),
        members: vec![EnrolledMember { id_number: head.id_number, name: head.name.clone(), amount: None, end: None }],
        monthly_amount: Fen(104_100),
        start: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"),
        status: EnrolmentStatus::Active,
        end: None,
    };
    let eid = f.store.upsert_enrolments(&[enrolment], "roster", &Actor::new("test")).await.expect("enrolment")[0];

    // The community worker records the head's card; a mistyped digit is refused in both languages.
    let mut wrong = card(1).into_bytes();
    wrong[10] = if wrong[10] == b'9' { b'0' } else { wrong[10] + 1 };
    let wrong = String::from_utf8(wrong).expect("digits");
    let account = |no: &str| {
        format!(r#"[{{"id_number":"{}","name":"{}","bank":"盛京银行","kind":"card","account_no":"{no}"}}]"#, head.id_number, head.name)
    };
    let csrf = [("x-csrf-token", worker.csrf.as_str())];
    let r =
        send(&f.app, Method::POST, "/api/payment-accounts", Some(&worker.cookie), &csrf, Some(("application/json", account(&wrong)))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["error"]["message_zh"].as_str().is_some_and(|m| m.contains("校验位不符")), "{}", r.body);
    let r = send(&f.app, Method::POST, "/api/payment-accounts", Some(&worker.cookie), &csrf, Some(("application/json", account(&card(1)))))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Someone of another household of the county gives the same card (cards held by others);
    // the county records it.
    let stranger = f
        .city
        .persons
        .iter()
        .find(|p| {
            p.household_no.as_deref() != Some(f.inside.household_no.as_str())
                && f.city.households.iter().any(|h| Some(&h.household_no) == p.household_no.as_ref() && county.contains(&h.community))
        })
        .expect("another household of the county")
        .clone();
    let theirs = format!(
        r#"[{{"id_number":"{}","name":"{}","bank":"盛京银行","kind":"card","account_no":"{}"}}]"#,
        stranger.id_number,
        stranger.name,
        card(1)
    );
    let county_csrf = [("x-csrf-token", first.csrf.as_str())];
    let r =
        send(&f.app, Method::POST, "/api/payment-accounts", Some(&first.cookie), &county_csrf, Some(("application/json", theirs))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // August is prepared: one line to the head's card.
    let r = send(
        &f.app,
        Method::POST,
        "/payments",
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("program", "dibao"), ("county", county.as_str()), ("month", "2026-08")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = get(&f.app, &format!("/api/payrolls?county={county}"), Some(&first.cookie)).await.json();
    let august = list
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["month"] == "2026-08-01" && p["program"] == "dibao" && p["id"] != f.inside_payroll)
        .expect("august")
        .clone();
    let id = august["id"].as_i64().expect("id");
    let one = get(&f.app, &format!("/api/payrolls/{id}"), Some(&first.cookie)).await.json();
    let line = one["payroll_lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["household_no"] == f.inside.household_no.as_str())
        .expect("line")
        .clone();
    assert_eq!((line["net"].as_i64(), line["account_no"].as_str()), (Some(104_100), Some(card(1).as_str())), "{line}");

    // The supervision checks ran on it: the shared card is a finding in the county's queue,
    // shown on the list's page.
    let shared = f
        .store
        .search_findings(&minzheng_store::FindingQuery {
            kind: Some(minzheng_domain::FindingKind::SharedAccount),
            region: Some(county.clone()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("findings");
    assert!(shared.items.iter().any(|x| x.household_no == f.inside.household_no && x.enrolment_id == eid), "{:?}", shared.items);
    let page = get(&f.app, &format!("/payments/{id}"), Some(&first.cookie)).await;
    assert!(page.body.contains("资金监督待处理疑点") && page.body.contains("一号多人"), "{}", page.body);

    // September waits until August is locked: no month is on two open lists.
    let r = send(
        &f.app,
        Method::POST,
        "/payments",
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("program", "dibao"), ("county", county.as_str()), ("month", "2026-09")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("2026-08 的花名册尚未锁定"), "{}", r.body);

    // The one who prepared it may not approve it; the page says so and nothing moves.
    let r = send(
        &f.app,
        Method::POST,
        &format!("/payments/{id}/step"),
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("step", "approve")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("须由编制人") && r.body.contains("已编制"), "{}", r.body);
    for step in ["approve", "lock"] {
        let r = send(
            &f.app,
            Method::POST,
            &format!("/payments/{id}/step"),
            Some(&second.cookie),
            &[],
            form(&[("csrf", &second.csrf), ("step", step)]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    // Locked: preparing August again is refused, on the page with the form kept.
    let r = send(
        &f.app,
        Method::POST,
        "/payments",
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("program", "dibao"), ("county", county.as_str()), ("month", "2026-08")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("已锁定") && r.body.contains("value=\"2026-08\""), "{}", r.body);
    // And the database refuses any change to its lines, whatever the path.
    let store = f.store.clone();
    let frozen = match store.handle() {
        minzheng_store::Handle::Sqlite(s) => {
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE payroll_lines SET net = 1 WHERE payroll_id = {id}")))
                .execute(s.pool())
                .await
                .err()
        }
        minzheng_store::Handle::Postgres(p) => {
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE payroll_lines SET net = 1 WHERE payroll_id = {id}")))
                .execute(p.pool())
                .await
                .err()
        }
    };
    assert!(frozen.is_some_and(|e| e.to_string().contains("payroll_frozen")), "a locked month's lines do not change");

    // The bank file, in the delimited layout: the line with the card, audited.
    let file = get(&f.app, &format!("/payments/{id}/bank-file?layout=psbc"), Some(&first.cookie)).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(file.body.contains(&card(1)) && file.body.contains("1041.00"), "{}", file.body);
    assert!(f.store.audit_of("payroll", &id.to_string()).await.expect("audit").iter().any(|r| r.action == "bank_file"));

    // The community's notice of the month's payments: a PDF, its read on record.
    let notice = get(&f.app, &format!("/payments/{id}/public.pdf?community={}", f.inside.community), Some(&first.cookie)).await;
    assert_eq!(notice.status, StatusCode::OK);
    assert!(notice.body.starts_with("%PDF") && !notice.body.contains(&head.id_number.to_string()) && !notice.body.contains(&card(1)));
    assert!(f
        .store
        .audit_of("payroll", &format!("{id}:{}", f.inside.community))
        .await
        .expect("audit")
        .iter()
        .any(|r| r.action == "public_list"));

    // The bank returns the head's payment: card frozen. A return with a wrong amount is refused
    // whole, on the page; the right one is applied.
    let layout = BankLayout::shipped("psbc").expect("layout");
    let lines = payment_store(f.store.as_ref()).lines(id).await.expect("lines");
    let no = lines.iter().find(|l| l.household_no == f.inside.household_no).expect("line").line_no;
    let back =
        String::from_utf8(bank::return_file(&layout.returns, &lines, &HashMap::from([(no, ("3001".to_string(), "账户冻结".to_string()))])))
            .expect("utf-8");
    let bad = back.replacen("1041.00", "1014.00", 1);
    let r =
        send(&f.app, Method::POST, &format!("/payments/{id}/return"), Some(&first.cookie), &[], multipart(&first.csrf, "psbc", &bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("未作任何更改") && r.body.contains("1014.00"), "{}", r.body);
    assert!(payment_store(f.store.as_ref()).results(id).await.expect("results").is_empty(), "nothing applied");
    let r = send(&f.app, Method::POST, &format!("/payments/{id}/return"), Some(&first.cookie), &[], multipart(&first.csrf, "psbc", &back))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&first.cookie)).await;
    assert!(page.body.contains("退票：账户冻结"), "the household page shows the returned payment: {}", page.body);

    // The head died on 20 August; the county's 停保 (a finding resolved, see tests in the app
    // crate for the workflow) stops the enrolment from September.
    let before = f.store.enrolment(eid).await.expect("read").expect("enrolment");
    let stopped = before.stopped(&minzheng_domain::EnrolmentStop {
        end: minzheng_domain::enrolment::next_month(chrono::NaiveDate::from_ymd_opt(2026, 8, 20).expect("date")),
        leaving: None,
        decided_by: "finding:1".into(),
    });
    assert_eq!(stopped.end, chrono::NaiveDate::from_ymd_opt(2026, 9, 1));
    f.store.upsert_enrolments(&[stopped], "finding:1", &Actor::new("test")).await.expect("stop");
    let page = get(&f.app, &format!("/households/{}", f.inside.household_no), Some(&first.cookie)).await;
    assert!(page.body.contains("停保") && page.body.contains("2026-09"), "the household page shows the stop: {}", page.body);
    assert!(
        page.body.contains("id=\"household-findings\"") && page.body.contains("一号多人"),
        "and the supervision finding about the household: {}",
        page.body
    );

    // September: the household is not paid; the returned August payment is held until the card
    // is corrected, then paid again.
    let prepare = |month: &'static str| {
        let (app, cookie, csrf, county) = (f.app.clone(), first.cookie.clone(), first.csrf.clone(), county.to_string());
        async move {
            send(
                &app,
                Method::POST,
                "/payments",
                Some(&cookie),
                &[],
                form(&[("csrf", &csrf), ("program", "dibao"), ("county", &county), ("month", month)]),
            )
            .await
        }
    };
    assert_eq!(prepare("2026-09").await.status, StatusCode::SEE_OTHER);
    let sept = payment_store(f.store.as_ref())
        .payroll_for("dibao", &county, chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("d"))
        .await
        .expect("read")
        .expect("september");
    let ours: Vec<_> = payment_store(f.store.as_ref())
        .lines(sept.id)
        .await
        .expect("lines")
        .into_iter()
        .filter(|l| l.household_no == f.inside.household_no)
        .collect();
    assert_eq!(ours.len(), 1, "only the returned payment: {ours:?}");
    assert_eq!((ours[0].reissue_of, ours[0].held.map(|h| h.as_str())), (Some((id, no)), Some("account_not_corrected")));
    let r = send(&f.app, Method::POST, "/api/payment-accounts", Some(&worker.cookie), &csrf, Some(("application/json", account(&card(2)))))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(prepare("2026-09").await.status, StatusCode::SEE_OTHER, "prepared again while not approved");
    let ours: Vec<_> = payment_store(f.store.as_ref())
        .lines(sept.id)
        .await
        .expect("lines")
        .into_iter()
        .filter(|l| l.household_no == f.inside.household_no)
        .collect();
    assert_eq!((ours.len(), ours[0].held, ours[0].net, ours[0].account_no.clone()), (1, None, Fen(104_100), card(2)));
    assert!(ours[0].note.contains("补发退票（账户冻结）"), "{}", ours[0].note);
    // Every step is on record.
    let log = f.store.audit_of("payroll", &id.to_string()).await.expect("audit");
    // (Approving ran the amounts against the rules: `check_amounts`.)
    for action in ["check_amounts", "approve", "lock", "bank_file", "bank_return"] {
        assert!(log.iter().any(|r| r.action == action), "{action} missing: {log:?}");
    }
    assert_eq!(minzheng_store::verify_audit(f.store.as_ref()).await.expect("verify").first_broken, None);
}

/// The module's tables on SQLite and, when configured, PostgreSQL: a locked month refuses every
/// change (lines, the payroll, a second bank return), on each database.
#[tokio::test]
async fn a_locked_month_is_refused_by_each_database() {
    let (dir, stores) = each_database("payments-store").await;
    for (store, pg) in stores {
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        store.migrate_module(&MIGRATIONS).await.expect("migrating twice changes nothing");
        let payments = payment_store(store.as_ref());
        let actor = Actor::new("county");
        let county = RegionCode::parse("210112").expect("county");
        let month = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("month");
        let p = Payroll {
            id: 0,
            program: "dibao".into(),
            county: county.clone(),
            month,
            status: PayrollStatus::Prepared,
            prepared_by: "county".into(),
            approved_by: None,
            lines: 1,
            total: Fen(104_100),
        };
        let line = minzheng_server::payments::model::PayrollLine {
            line_no: 1,
            enrolment_id: 9,
            household_no: "H9".into(),
            payee: minzheng_domain::IdNumber::parse("11010519491231002X").expect("id"),
            payee_name: "王秀英".into(),
            account_name: String::new(),
            bank: "盛京银行".into(),
            account_no: card(3),
            months: vec![month],
            amount: Fen(104_100),
            arrears: Fen(0),
            deduction: Fen(0),
            net: Fen(104_100),
            note: "2026年9月保障金".into(),
            held: None,
            reissue_of: None,
        };
        let id = payments.save_payroll(&p, std::slice::from_ref(&line), &actor).await.expect("save");
        assert_eq!(payments.save_payroll(&p, std::slice::from_ref(&line), &actor).await.expect("again"), id, "prepared again in place");
        assert_eq!(payments.lines(id).await.expect("lines"), vec![line.clone()]);
        let head = Actor::new("head");
        assert!(
            !payments.move_payroll(id, PayrollStatus::Prepared, PayrollStatus::Approved, &actor).await.expect("own"),
            "the one who prepared it does not approve it, checked in the statement itself"
        );
        assert!(payments.move_payroll(id, PayrollStatus::Prepared, PayrollStatus::Approved, &head).await.expect("approve"));
        assert!(!payments.move_payroll(id, PayrollStatus::Prepared, PayrollStatus::Approved, &head).await.expect("stale"));
        let again = payments.save_payroll(&p, std::slice::from_ref(&line), &actor).await;
        assert!(matches!(again, Err(minzheng_store::StoreError::Conflict(_))), "an approved list is not prepared again: {again:?}");
        assert!(payments.move_payroll(id, PayrollStatus::Approved, PayrollStatus::Locked, &actor).await.expect("lock"));
        let back = payments.move_payroll(id, PayrollStatus::Locked, PayrollStatus::Prepared, &actor).await;
        assert!(matches!(back, Err(minzheng_store::StoreError::Conflict(_)) | Ok(false)), "{back:?}");
        let sql = |q: String| {
            let store = store.clone();
            async move {
                match store.handle() {
                    minzheng_store::Handle::Sqlite(s) => sqlx::query(sqlx::AssertSqlSafe(q)).execute(s.pool()).await.map(|_| ()),
                    minzheng_store::Handle::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(q)).execute(p.pool()).await.map(|_| ()),
                }
            }
        };
        for q in [
            format!("UPDATE payroll_lines SET net = 1 WHERE payroll_id = {id}"),
            format!("DELETE FROM payroll_lines WHERE payroll_id = {id}"),
            format!("UPDATE payrolls SET total = 1 WHERE id = {id}"),
            format!("UPDATE payrolls SET status = 'prepared' WHERE id = {id}"),
            format!("DELETE FROM payrolls WHERE id = {id}"),
        ] {
            assert!(sql(q.clone()).await.is_err(), "{q} on {:?}", store.backend());
        }
        // A result for a line the list never had is refused (a foreign key on SQLite, a check once
        // a statement on PostgreSQL); then the real one is recorded.
        let stray = [minzheng_server::payments::store::PaymentResult { line_no: 7, paid: true, reason: String::new() }];
        assert!(payments.record_results(id, &stray, "sha", &actor).await.is_err(), "no such line on {:?}", store.backend());
        let results = [minzheng_server::payments::store::PaymentResult { line_no: 1, paid: true, reason: String::new() }];
        payments.record_results(id, &results, "sha", &actor).await.expect("results");
        assert!(matches!(payments.record_results(id, &results, "sha", &actor).await, Err(minzheng_store::StoreError::Conflict(_))));
        assert!(sql(format!("UPDATE payment_results SET outcome = 'failed' WHERE payroll_id = {id}")).await.is_err(), "a result is kept");
        let before =
            payments.paid_before("dibao", &county, chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("oct")).await.expect("before");
        assert_eq!(before.first_month, Some(month));
        assert!(before.covered.get(&(9, line.payee)).is_some_and(|m| m.contains(&month)));

        // 资金项目: the credited September payment counts against the year's budget line.
        use minzheng_server::payments::budget::{budget_store, execution};
        let budgets = budget_store(store.as_ref());
        budgets.set_budget("dibao", &county, 2026, Fen(1_041_000), &actor).await.expect("budget");
        budgets.set_budget("dibao", &county, 2026, Fen(1_041_000), &actor).await.expect("set again");
        let spent = budgets.spending(&county, 2026).await.expect("spending");
        assert_eq!(spent, vec![("dibao".to_string(), county.clone(), month, Fen(104_100))], "{:?}", store.backend());
        let table = execution(2026, &budgets.budgets(&county, 2026).await.expect("budgets"), &spent);
        assert_eq!((table.len(), table[0].spent, table[0].rate_per_mille), (1, Fen(104_100), Some(100)));
        assert!(budgets.spending(&county, 2025).await.expect("2025").is_empty());

        // 追回: the enrolment is found to have ended in September: September was paid (and
        // credited), so it is owed back; found again, it is kept once; repaid in part, then
        // written off with a reason; a step from a stale page changes nothing.
        use minzheng_server::payments::recovery::{overpayments, RecoveryStatus};
        use minzheng_server::payments::recovery_store::{recovery_store, RecoveryEvent};
        let ledger = recovery_store(store.as_ref());
        let ended = minzheng_domain::Enrolment {
            id: 9,
            program: "dibao".into(),
            household_no: "H9".into(),
            county: county.clone(),
            members: vec![],
            monthly_amount: Fen(104_100),
            start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("jan"),
            status: minzheng_domain::EnrolmentStatus::Stopped,
            end: Some(month),
        };
        let sent = ledger.sent_lines(&[9]).await.expect("sent");
        assert_eq!(sent.len(), 1);
        let found = overpayments(&ended, &sent.iter().map(|(l, c)| (l, *c)).collect::<Vec<_>>());
        assert_eq!((found.len(), found[0].amount, found[0].months.clone()), (1, Fen(104_100), vec![month]));
        assert_eq!(ledger.open_recoveries(&found, &actor).await.expect("open"), 1);
        assert_eq!(ledger.open_recoveries(&found, &actor).await.expect("again"), 0, "found again, kept once");
        let o = ledger.recoveries(&county).await.expect("list").pop().expect("one");
        let repay = RecoveryEvent {
            recovery_id: o.id,
            action: "repay".into(),
            amount: Fen(40_000),
            on: month,
            comment: "银行追回".into(),
            actor: "county".into(),
        };
        let part = minzheng_server::payments::recovery::Overpayment { repaid: Fen(40_000), status: RecoveryStatus::Repaying, ..o.clone() };
        assert!(ledger.record_recovery_step(&part, Fen(0), &repay, &actor).await.expect("repay"));
        assert!(!ledger.record_recovery_step(&part, Fen(0), &repay, &actor).await.expect("stale"), "a stale page repays nothing twice");
        let off = minzheng_server::payments::recovery::Overpayment { status: RecoveryStatus::WrittenOff, ..part.clone() };
        let write_off =
            RecoveryEvent {
                action: "write_off".into(), amount: Fen(64_100), comment: "本人已死亡且无遗产".into(), ..repay.clone()
            };
        assert!(ledger.record_recovery_step(&off, Fen(40_000), &write_off, &actor).await.expect("write off"));
        assert!(
            !ledger.record_recovery_step(&off, Fen(40_000), &write_off, &actor).await.expect("closed"),
            "a written-off recovery takes no more steps"
        );
        let back = ledger.recovery(o.id).await.expect("read").expect("recovery");
        assert_eq!((back.repaid, back.status), (Fen(40_000), RecoveryStatus::WrittenOff));
        assert_eq!(
            ledger.recovery_events(o.id).await.expect("events").iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            vec!["repay", "write_off"]
        );
        assert_eq!(minzheng_store::verify_audit(store.as_ref()).await.expect("verify").first_broken, None, "{:?}", store.backend());
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}
