//! 追回 by instalments and the supervision checks added to the payment list, as the county
//! bureau works them: a relative of staff filed (a form with mistakes comes back with every
//! reason and the form kept), an overpayment recovered by a monthly deduction agreed with the
//! household, the deduction taken on the next list and booked as repaid when the list is locked
//! (and a lock refused when the recovery was repaid by hand in between), the payment to the
//! filed relative raised as a finding, and the amounts checked against the rules on demand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus, Fen, FindingKind, IdNumber, RegionCode, Role};
use minzheng_server::payments::model::{luhn_ok, Payroll, PayrollLine, PayrollStatus};
use minzheng_server::payments::recovery::{Overpayment, RecoveryStatus};
use minzheng_server::payments::recovery_store::{recovery_store, RecoveryEvent};
use minzheng_server::payments::relatives::{relative_store, Relation, StaffRelative};
use minzheng_server::payments::store::{payment_store, MIGRATIONS};
use minzheng_store::{Actor, StoreError};

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

fn card(seed: u32) -> String {
    let body = format!("62220200{seed:010}");
    (0..10).map(|c| format!("{body}{c}")).find(|n| luhn_ok(n)).expect("check digit")
}

fn month(m: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, m, 1).expect("month")
}

fn owed(enrolment_id: i64, payee: IdNumber, amount: i64) -> Overpayment {
    Overpayment {
        id: 0,
        enrolment_id,
        program: "dibao".into(),
        county: RegionCode::parse("210112").expect("county"),
        household_no: "H9".into(),
        payee,
        payee_name: "王秀英".into(),
        months: vec![month(6)],
        amount: Fen(amount),
        repaid: Fen(0),
        status: RecoveryStatus::Open,
        reason: "停发月份 2026-06 之后仍已发放".into(),
        instalment: Fen(0),
    }
}

#[tokio::test]
async fn a_lock_books_the_deductions_to_the_plans_in_its_transaction_on_each_database() {
    let (dir, stores) = each_database("payments-instalments").await;
    for (store, pg) in stores {
        store.migrate_module(&MIGRATIONS).await.expect("migrate");
        let (payments, ledger) = (payment_store(store.as_ref()), recovery_store(store.as_ref()));
        let actor = Actor::new("county");
        let payee = IdNumber::parse("11010519491231002X").expect("id");
        ledger.open_recoveries(&[owed(9, payee, 104_100)], &actor).await.expect("open");
        let o = ledger.recoveries(&RegionCode::parse("210112").expect("c")).await.expect("list").remove(0);
        // The plan: 300 yuan a month.
        let plan = RecoveryEvent {
            recovery_id: o.id,
            action: "plan".into(),
            amount: Fen(30_000),
            on: month(9),
            comment: "每月从发放中扣减 300.00 元".into(),
            actor: "county".into(),
        };
        assert!(ledger
            .record_recovery_step(&Overpayment { instalment: Fen(30_000), ..o.clone() }, o.repaid, &plan, &actor)
            .await
            .expect("plan"));
        let list = |m: u32, deduction: i64| {
            let p = Payroll {
                id: 0,
                program: "dibao".into(),
                county: RegionCode::parse("210112").expect("county"),
                month: month(m),
                status: PayrollStatus::Prepared,
                prepared_by: "county".into(),
                approved_by: None,
                lines: 1,
                total: Fen(104_100 - deduction),
            };
            let line = PayrollLine {
                line_no: 1,
                enrolment_id: 9,
                household_no: "H9".into(),
                payee,
                payee_name: "王秀英".into(),
                account_name: String::new(),
                bank: "盛京银行".into(),
                account_no: card(3),
                months: vec![month(m)],
                amount: Fen(104_100),
                arrears: Fen(0),
                deduction: Fen(deduction),
                net: Fen(104_100 - deduction),
                note: String::new(),
                held: None,
                reissue_of: None,
            };
            (p, line)
        };
        let head = Actor::new("head");
        // September deducts 300: locked, and booked as repaid in the same transaction. (A held
        // line, not sent to the bank, deducts nothing that is booked.)
        let (p, line) = list(9, 30_000);
        let held = PayrollLine { line_no: 2, held: Some(minzheng_server::payments::model::Held::NoAccount), ..line.clone() };
        let sept = payments.save_payroll(&p, &[line, held], &actor).await.expect("save");
        assert!(payments.move_payroll(sept, PayrollStatus::Prepared, PayrollStatus::Approved, &head).await.expect("approve"));
        assert!(payments.move_payroll(sept, PayrollStatus::Approved, PayrollStatus::Locked, &head).await.expect("lock"));
        let o = ledger.recovery(o.id).await.expect("read").expect("recovery");
        assert_eq!((o.repaid, o.status, o.instalment), (Fen(30_000), RecoveryStatus::Repaying, Fen(30_000)));
        let events = ledger.recovery_events(o.id).await.expect("events");
        assert!(
            events.iter().any(|e| e.action == "deduct" && e.amount == Fen(30_000) && e.comment == format!("从花名册 #{sept} 扣减")),
            "{events:?}"
        );
        // The household repays 500 yuan in cash: 241 yuan is still owed. October's list deducts
        // its 300 all the same (prepared before): the lock is refused whole.
        let repay = RecoveryEvent { action: "repay".into(), amount: Fen(50_000), comment: "现金".into(), ..plan.clone() };
        let paid = Overpayment { repaid: Fen(80_000), ..o.clone() };
        assert!(ledger.record_recovery_step(&paid, o.repaid, &repay, &actor).await.expect("repay"));
        let (p, line) = list(10, 30_000);
        let oct = payments.save_payroll(&p, &[line], &actor).await.expect("save");
        assert!(payments.move_payroll(oct, PayrollStatus::Prepared, PayrollStatus::Approved, &head).await.expect("approve"));
        let refused = payments.move_payroll(oct, PayrollStatus::Approved, PayrollStatus::Locked, &head).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
        assert_eq!(payments.payroll(oct).await.expect("read").expect("oct").status, PayrollStatus::Approved, "not locked");
        assert_eq!(ledger.recovery(o.id).await.expect("read").expect("recovery").repaid, Fen(80_000), "nothing booked");

        // The register of staff's relatives: filed once, found among payees, withdrawn.
        let relatives = relative_store(store.as_ref());
        let filing = StaffRelative {
            id: 0,
            county: RegionCode::parse("210112").expect("county"),
            staff_name: "李梅".into(),
            staff_unit: "五三街道办事处".into(),
            relative: payee,
            relative_name: "王秀英".into(),
            relation: Relation::Parent,
            filed_on: month(3),
            filed_by: "county".into(),
            removed_on: None,
        };
        let rid = relatives.file_relative(&filing, &actor).await.expect("file");
        assert!(matches!(relatives.file_relative(&filing, &actor).await, Err(StoreError::Conflict(_))), "filed once");
        assert_eq!(relatives.relatives_among(&[payee]).await.expect("among").len(), 1);
        assert!(relatives.withdraw_relative(rid, month(11), &actor).await.expect("withdraw"));
        assert!(!relatives.withdraw_relative(rid, month(11), &actor).await.expect("twice"));
        assert!(relatives.relatives_among(&[payee]).await.expect("among").is_empty(), "a withdrawn filing is not checked");
        assert_eq!(relatives.staff_relative(rid).await.expect("read").expect("kept").removed_on, Some(month(11)));
        let again = relatives.file_relative(&filing, &actor).await.expect("filed again after the withdrawal");
        assert_ne!(again, rid, "a new filing; the withdrawn one is kept");
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_recovery_is_deducted_from_the_next_lists_and_a_relative_of_staff_and_a_wrong_amount_are_raised() {
    let f = fixture("payments-supervision").await;
    let county = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
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

    // The household on 低保 from July at an amount the rules would never give.
    let head = f.city.persons.iter().find(|p| Some(p.id_number) == f.inside.head).expect("head").clone();
    let enrolment = Enrolment {
        id: 0,
        program: "dibao".into(),
        household_no: f.inside.household_no.clone(),
        county: county.clone(),
        members: vec![EnrolledMember { id_number: head.id_number, name: head.name.clone(), amount: None, end: None }],
        monthly_amount: Fen(1_234_567),
        start: month(7),
        status: EnrolmentStatus::Active,
        end: None,
    };
    let eid = f.store.upsert_enrolments(&[enrolment], "roster", &Actor::new("test")).await.expect("enrolment")[0];
    let r = send(
        &f.app,
        Method::POST,
        "/api/payment-accounts",
        Some(&first.cookie),
        &[("x-csrf-token", first.csrf.as_str())],
        Some((
            "application/json",
            format!(
                r#"[{{"id_number":"{}","name":"{}","bank":"盛京银行","kind":"card","account_no":"{}"}}]"#,
                head.id_number,
                head.name,
                card(5)
            ),
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The head is the mother of a street officer. A filing with mistakes comes back with every
    // reason and what was typed; the corrected one is filed.
    let r = send(
        &f.app,
        Method::POST,
        "/payments/relatives",
        Some(&first.cookie),
        &[],
        form(&[
            ("csrf", &first.csrf),
            ("county", county.as_str()),
            ("staff_name", "李梅"),
            ("relative", "2101"),
            ("relative_name", &head.name),
            ("relation", "parent"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("请填写工作人员姓名和所在单位") && r.body.contains("不是有效的身份证号码"), "{}", r.body);
    assert!(r.body.contains("value=\"李梅\""), "the form is kept: {}", r.body);
    let id_text = head.id_number.to_string();
    let r = send(
        &f.app,
        Method::POST,
        "/payments/relatives",
        Some(&first.cookie),
        &[],
        form(&[
            ("csrf", &first.csrf),
            ("county", county.as_str()),
            ("staff_name", "李梅"),
            ("staff_unit", "五三街道办事处"),
            ("relative", &id_text),
            ("relative_name", &head.name),
            ("relation", "parent"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&f.app, &format!("/payments/relatives?county={county}"), Some(&first.cookie)).await;
    assert!(page.body.contains("李梅") && page.body.contains("五三街道办事处") && page.body.contains("父母"), "{}", page.body);

    // 1,041 yuan was overpaid in June; the household agrees to 300 yuan a month from its payments.
    let ledger = recovery_store(f.store.as_ref());
    let mut o = owed(eid, head.id_number, 104_100);
    (o.county, o.household_no) = (county.clone(), f.inside.household_no.clone());
    ledger.open_recoveries(&[o], &Actor::new("test")).await.expect("open");
    let rid = ledger.recoveries_of(&f.inside.household_no).await.expect("list").iter().find(|x| x.enrolment_id == eid).expect("ours").id;
    let plan = |amount: &'static str| {
        let (app, cookie, csrf) = (f.app.clone(), first.cookie.clone(), first.csrf.clone());
        async move {
            send(
                &app,
                Method::POST,
                &format!("/payments/recoveries/{rid}"),
                Some(&cookie),
                &[],
                form(&[("csrf", &csrf), ("action", "plan"), ("amount", amount)]),
            )
            .await
        }
    };
    let r = plan("2000.00").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不超过尚欠的 1041.00 元"), "{}", r.body);
    assert_eq!(plan("300.00").await.status, StatusCode::SEE_OTHER);
    let page = get(&f.app, &format!("/payments/recoveries?county={county}"), Some(&first.cookie)).await;
    assert!(page.body.contains("value=\"300.00\""), "the plan on the ledger: {}", page.body);

    // August: the deduction is on the line, explained; the payment to the relative is a finding.
    let prepare = |m: &'static str| {
        let (app, cookie, csrf, county) = (f.app.clone(), first.cookie.clone(), first.csrf.clone(), county.to_string());
        async move {
            send(
                &app,
                Method::POST,
                "/payments",
                Some(&cookie),
                &[],
                form(&[("csrf", &csrf), ("program", "dibao"), ("county", &county), ("month", m)]),
            )
            .await
        }
    };
    let step = |id: i64, s: &'static str| {
        let (app, cookie, csrf) = (f.app.clone(), second.cookie.clone(), second.csrf.clone());
        async move { send(&app, Method::POST, &format!("/payments/{id}/step"), Some(&cookie), &[], form(&[("csrf", &csrf), ("step", s)])).await }
    };
    assert_eq!(prepare("2026-08").await.status, StatusCode::SEE_OTHER);
    let aug = payment_store(f.store.as_ref()).payroll_for("dibao", &county, month(8)).await.expect("read").expect("august");
    let ours = |id: i64| {
        let store = f.store.clone();
        let no = f.inside.household_no.clone();
        async move { payment_store(store.as_ref()).lines(id).await.expect("lines").into_iter().find(|l| l.household_no == no).expect("line") }
    };
    let line = ours(aug.id).await;
    assert_eq!((line.deduction, line.net), (Fen(30_000), Fen(1_234_567 - 30_000)));
    assert!(line.note.contains("扣减追回款 300.00 元"), "{}", line.note);
    let findings = |kind: FindingKind| {
        let store = f.store.clone();
        let county = county.clone();
        async move {
            store
                .search_findings(&minzheng_store::FindingQuery { kind: Some(kind), region: Some(county), limit: 100, ..Default::default() })
                .await
                .expect("findings")
                .items
        }
    };
    let relative = findings(FindingKind::StaffRelative).await;
    assert!(relative.iter().any(|x| x.enrolment_id == eid && x.summary_zh.contains("李梅（五三街道办事处）的父母")), "{relative:?}");

    // The amounts against the rules, on demand from the list's page.
    let r = send(&f.app, Method::POST, &format!("/payments/{}/amounts", aug.id), Some(&first.cookie), &[], form(&[("csrf", &first.csrf)]))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let differ = findings(FindingKind::AmountDiffers).await;
    assert!(differ.iter().any(|x| x.enrolment_id == eid && x.summary_zh.contains("最低生活保障本月发放 12345.67 元")), "{differ:?}");
    let page = get(&f.app, &format!("/payments/{}", aug.id), Some(&first.cookie)).await;
    assert!(page.body.contains("发放金额与规则不符") && page.body.contains("工作人员近亲属享受"), "{}", page.body);

    // Approved and locked: the deduction is booked as repaid.
    assert_eq!(step(aug.id, "approve").await.status, StatusCode::SEE_OTHER);
    assert_eq!(step(aug.id, "lock").await.status, StatusCode::SEE_OTHER);
    let o = ledger.recovery(rid).await.expect("read").expect("recovery");
    assert_eq!((o.repaid, o.status), (Fen(30_000), RecoveryStatus::Repaying));

    // The county's supervision summary: the findings by kind with the money they are about, and
    // the ledger's totals (the fixture's own recovery of 1,041 yuan and ours).
    let page = get(&f.app, &format!("/payments/supervision?county={county}"), Some(&first.cookie)).await;
    assert!(page.body.contains("工作人员近亲属享受") && page.body.contains("发放金额与规则不符"), "{}", page.body);
    let api = get(&f.app, &format!("/api/supervision?county={county}"), Some(&first.cookie)).await.json();
    let hunnan = &api.as_array().expect("counties")[0];
    assert_eq!(
        (hunnan["overpaid"].as_i64(), hunnan["recovered"].as_i64(), hunnan["owed"].as_i64()),
        (Some(208_200), Some(30_000), Some(178_200)),
        "{hunnan}"
    );
    let relative = hunnan["kinds"].as_array().expect("kinds").iter().find(|k| k["kind"] == "staff_relative").expect("relative").clone();
    assert_eq!((relative["open"].as_u64(), relative["at_risk"].as_i64()), (Some(1), Some(1_234_567 - 30_000)), "{relative}");

    // September deducts again; the household then repays the rest in cash before the lock: the
    // lock is refused with the way out, and the list prepared again deducts nothing.
    assert_eq!(prepare("2026-09").await.status, StatusCode::SEE_OTHER);
    let sept = payment_store(f.store.as_ref()).payroll_for("dibao", &county, month(9)).await.expect("read").expect("september");
    assert_eq!(ours(sept.id).await.deduction, Fen(30_000));
    assert_eq!(step(sept.id, "approve").await.status, StatusCode::SEE_OTHER);
    let r = send(
        &f.app,
        Method::POST,
        &format!("/payments/recoveries/{rid}"),
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("action", "repay"), ("amount", "741.00")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = step(sept.id, "lock").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("请退回并重新编制"), "{}", r.body);
    assert_eq!(step(sept.id, "send_back").await.status, StatusCode::SEE_OTHER);
    assert_eq!(prepare("2026-09").await.status, StatusCode::SEE_OTHER);
    let line = ours(sept.id).await;
    assert_eq!((line.deduction, line.net), (Fen(0), Fen(1_234_567)), "settled: nothing more deducted");
    let o = ledger.recovery(rid).await.expect("read").expect("recovery");
    assert_eq!((o.repaid, o.status), (Fen(104_100), RecoveryStatus::Settled));
    // Every step is on record.
    let log = f.store.audit_of("recovery", &rid.to_string()).await.expect("audit");
    for action in ["plan", "deduct", "repay"] {
        assert!(log.iter().any(|r| r.action == action), "{action} missing: {log:?}");
    }
}

#[tokio::test]
async fn the_support_of_a_person_in_concentrated_support_goes_to_the_institutions_account() {
    let f = fixture("payments-institutions").await;
    let county = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let first = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("approver");
    // The fixture's January list of 特困 is locked first: the months are locked in order.
    let payments = payment_store(f.store.as_ref());
    assert!(payments
        .move_payroll(f.inside_payroll, PayrollStatus::Prepared, PayrollStatus::Approved, &Actor::new("head"))
        .await
        .expect("approve"));
    assert!(payments
        .move_payroll(f.inside_payroll, PayrollStatus::Approved, PayrollStatus::Locked, &Actor::new("head"))
        .await
        .expect("lock"));

    // The head lives in the county's 特困 support home in concentrated support since June.
    let head = f.city.persons.iter().find(|p| Some(p.id_number) == f.inside.head).expect("head").clone();
    let elder = minzheng_server::eldercare::store::eldercare_store(f.store.as_ref());
    let home = elder.institution(f.inside_institution).await.expect("read").expect("institution");
    let stay = minzheng_server::eldercare::model::Residency {
        id: 0,
        institution_id: home.id,
        id_number: head.id_number.to_string(),
        name: head.name.clone(),
        admitted_on: month(6),
        discharged_on: None,
        concentrated: true,
    };
    elder.admit(&stay, &Actor::new("test")).await.expect("admit");
    let enrolment = Enrolment {
        id: 0,
        program: "tekun".into(),
        household_no: f.inside.household_no.clone(),
        county: county.clone(),
        members: vec![EnrolledMember { id_number: head.id_number, name: head.name.clone(), amount: Some(Fen(129_300)), end: None }],
        monthly_amount: Fen(129_300),
        start: month(8),
        status: EnrolmentStatus::Active,
        end: None,
    };
    f.store.upsert_enrolments(&[enrolment], "roster", &Actor::new("test")).await.expect("enrolment");
    let prepare = || {
        let (app, cookie, csrf, county) = (f.app.clone(), first.cookie.clone(), first.csrf.clone(), county.to_string());
        async move {
            send(
                &app,
                Method::POST,
                "/payments",
                Some(&cookie),
                &[],
                form(&[("csrf", &csrf), ("program", "tekun"), ("county", &county), ("month", "2026-08")]),
            )
            .await
        }
    };
    let ours = || {
        let store = f.store.clone();
        let county = county.clone();
        async move {
            let p = payment_store(store.as_ref()).payroll_for("tekun", &county, month(8)).await.expect("read").expect("august");
            payment_store(store.as_ref()).lines(p.id).await.expect("lines").into_iter().find(|l| l.payee == head.id_number).expect("line")
        }
    };
    // Before the institution's account is recorded, the line is held and says why.
    assert_eq!(prepare().await.status, StatusCode::SEE_OTHER);
    let line = ours().await;
    assert_eq!(
        (line.payee_name.as_str(), line.account_holder(), line.held.map(|h| h.as_str())),
        (head.name.as_str(), home.filing.name.as_str(), Some("no_account")),
        "{line:?}"
    );
    assert!(line.note.contains("供养机构尚未登记账户"), "{}", line.note);

    // The county records the account: a wrong one comes back with every reason and what was typed.
    let r = send(
        &f.app,
        Method::POST,
        &format!("/payments/institutions/{}", home.id),
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("bank", " "), ("account_no", "12-34")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("请填写开户银行") && r.body.contains("8 至 32 位数字") && r.body.contains("value=\"12-34\""), "{}", r.body);
    let r = send(
        &f.app,
        Method::POST,
        &format!("/payments/institutions/{}", home.id),
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("bank", "盛京银行"), ("account_no", "0112 0100 0000 123456")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = get(&f.app, &format!("/payments/institutions?county={county}"), Some(&first.cookie)).await;
    assert!(page.body.contains("011201000000123456") && page.body.contains(&home.filing.name), "{}", page.body);

    // Prepared again: the support goes to the institution's account, the line naming whose it is.
    assert_eq!(prepare().await.status, StatusCode::SEE_OTHER);
    let line = ours().await;
    assert_eq!((line.account_no.as_str(), line.bank.as_str(), line.held, line.net), ("011201000000123456", "盛京银行", None, Fen(129_300)));
    assert_eq!(
        (line.payee_name.as_str(), line.account_holder()),
        (head.name.as_str(), home.filing.name.as_str()),
        "the person paid, the institution's account"
    );
    assert!(line.note.contains(&format!("集中供养：{}的供养金发至", head.name)), "{}", line.note);
    assert!(f
        .store
        .audit_of("institution_account", &home.id.to_string())
        .await
        .expect("audit")
        .iter()
        .any(|r| r.action == "save_institution_account"));

    // A person's card is not taken as an institution's account.
    let r = send(
        &f.app,
        Method::POST,
        "/api/payment-accounts",
        Some(&first.cookie),
        &[("x-csrf-token", first.csrf.as_str())],
        Some((
            "application/json",
            format!(
                r#"[{{"id_number":"{}","name":"{}","bank":"盛京银行","kind":"card","account_no":"{}"}}]"#,
                head.id_number,
                head.name,
                card(9)
            ),
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = send(
        &f.app,
        Method::POST,
        &format!("/payments/institutions/{}", home.id),
        Some(&first.cookie),
        &[],
        form(&[("csrf", &first.csrf), ("bank", "盛京银行"), ("account_no", &card(9))]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("已登记为个人的发放账户"), "{}", r.body);

    // The discharge, recorded after the list was prepared, was on 31 July: August is not the
    // home's to receive, and the lock refuses the list as prepared.
    let stay = elder.residency_of(&head.id_number.to_string()).await.expect("read").expect("resident");
    elder.discharge(&stay, chrono::NaiveDate::from_ymd_opt(2026, 7, 31).expect("day"), &Actor::new("test")).await.expect("discharge");
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
    let second = sign_in(&f.app, "second.approver", PASSWORD).await.map_err(|r| r.body).expect("second");
    let aug = payment_store(f.store.as_ref()).payroll_for("tekun", &county, month(8)).await.expect("read").expect("august");
    let step = |s: &'static str| {
        let (app, cookie, csrf) = (f.app.clone(), second.cookie.clone(), second.csrf.clone());
        async move {
            send(&app, Method::POST, &format!("/payments/{}/step", aug.id), Some(&cookie), &[], form(&[("csrf", &csrf), ("step", s)])).await
        }
    };
    assert_eq!(step("approve").await.status, StatusCode::SEE_OTHER);
    let r = step("lock").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("入住或离院情况有变化") && r.body.contains("请退回并重新编制"), "{}", r.body);
}
