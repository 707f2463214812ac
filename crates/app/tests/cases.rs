//! 全市通办 case handling, as the procedure runs: an application accepted in 和平区 for a
//! household of 浑南区, surveyed, checked, reviewed, noticed and approved there, ending in an
//! enrolment whose amount is the rules'; refusals, illegal steps and stale pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use common::*;
use minzheng_app::cases::{self as use_case, Application, CaseFailure, CaseList, Catalogue, Step, Upload};
use minzheng_app::RequestContext;
use minzheng_domain::case::{CaseAction, CaseStatus};
use minzheng_domain::{Fen, Household, HouseholdKind, IdNumber, Person, PersonStatus, Relation, Role, Sex};
use minzheng_policy::{Engine, PolicySet};
use minzheng_store::{Actor, RegistryBatch, Store};
use std::sync::Arc;

struct World {
    store: Arc<dyn Store>,
    engine: Engine,
    catalogue: Catalogue,
    _d: Dir,
}

fn person(seq: u16, name: &str, birth: &str, sex: Sex, household: &str, relation: Relation, hukou: &str) -> Person {
    let birth = day(birth);
    Person {
        id_number: IdNumber::from_parts(210112, birth, seq, sex),
        name: name.into(),
        sex,
        birth_date: birth,
        hukou_region: code(hukou),
        household_no: Some(household.into()),
        relation,
        status: PersonStatus::Alive,
        disability: None,
        phone: None,
        tags: vec![],
    }
}

/// A mother without income and her son in 浑南区 文欣社区 (no departmental data: income 0), and
/// a single man in 铁西区, where approval is delegated to the street.
async fn world(tag: &str) -> (World, Person, Person) {
    let dir = std::env::temp_dir().join(format!("minzheng-cases-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = minzheng_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await.expect("store");
    minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
    let mother = person(12, "刘秀梅", "1986-03-04", Sex::Female, "HN-0001", Relation::Head, "210112009001");
    let son = person(21, "刘子涵", "2016-09-10", Sex::Male, "HN-0001", Relation::Child, "210112009001");
    let single = person(31, "赵建国", "1980-01-20", Sex::Male, "TX-0001", Relation::Head, "210106001017");
    let elder = person(41, "王淑兰", "1940-05-06", Sex::Female, "HN-0003", Relation::Head, "210112009001");
    let older = person(51, "王德顺", "1935-02-03", Sex::Male, "HN-0003", Relation::Spouse, "210112009001");
    let households = vec![
        Household {
            household_no: "HN-0001".into(),
            head: Some(mother.id_number),
            address: "浑南区文欣社区".into(),
            community: code("210112009001"),
            grid: None,
            building: None,
            kind: HouseholdKind::Urban,
        },
        Household {
            household_no: "TX-0001".into(),
            head: Some(single.id_number),
            address: "铁西区建农社区".into(),
            community: code("210106001017"),
            grid: None,
            building: None,
            kind: HouseholdKind::Urban,
        },
        Household {
            household_no: "HN-0003".into(),
            head: Some(elder.id_number),
            address: "浑南区文欣社区".into(),
            community: code("210112009001"),
            grid: None,
            building: None,
            kind: HouseholdKind::Urban,
        },
    ];
    let batch = RegistryBatch {
        households,
        persons: vec![mother.clone(), son, single.clone(), elder, older],
        source: "test".into(),
        checksum: String::new(),
    };
    store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("registry");
    let engine = Engine::new(PolicySet::shenyang(), 2).await.expect("engine");
    minzheng_app::policy::ensure_parameters(store.as_ref(), &engine, &Actor::system()).await.expect("parameters");
    use_case::ensure_calendar(store.as_ref(), &Actor::system()).await.expect("calendar");
    let catalogue = Catalogue::shenyang().name_programs(&engine);
    (World { store, engine, catalogue, _d: Dir(dir) }, mother, single)
}

const NOTE: &str = "按程序办理，情况属实";

fn dibao_application(applicant: IdNumber) -> Application {
    Application {
        service: "apply_dibao".into(),
        applicant,
        documents: vec!["application".into(), "asset_statement".into(), "authorisation".into()],
        staff_relative: false,
        comment: "申请人到社区窗口申请".into(),
    }
}

impl World {
    /// The account's own queue (待办) on a day, its first page.
    async fn queue(&self, who: &minzheng_domain::Principal, on: &str) -> minzheng_store::Page<use_case::CaseView> {
        use_case::cases(
            self.store.as_ref(),
            &RequestContext::new(who, &actor(who), day(on)),
            CaseList::Queue,
            None,
            None,
            50,
            &Default::default(),
        )
        .await
        .expect("queue")
    }

    async fn step(
        &self,
        who: &minzheng_domain::Principal,
        id: i64,
        action: CaseAction,
        on: &str,
    ) -> Result<minzheng_domain::Case, CaseFailure> {
        use_case::act(
            self.store.as_ref(),
            &self.engine,
            &self.catalogue,
            &RequestContext::new(who, &actor(who), day(on)),
            id,
            Step { action: &action, comment: NOTE, seen: None },
        )
        .await
    }
}

#[tokio::test]
async fn an_application_accepted_in_heping_is_approved_in_hunnan_and_enrolled_at_the_rules_amount() {
    let (w, mother, _) = world("whole").await;
    let heping = who(Role::CommunityWorker, "210102001002");
    let hunnan_worker = who(Role::CommunityWorker, "210112009001");
    let officer = who(Role::VerificationOfficer, "210112");
    let street = who(Role::StreetReviewer, "210112009");
    let county = who(Role::CountyApprover, "210112");

    // Accepted in 和平区 (Monday 2026-11-02), owned by 浑南区, surveyed where the household lives.
    let c = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
        &dibao_application(mother.id_number),
    )
    .await
    .expect("accepted");
    assert_eq!((c.owner.as_str(), c.community.as_str(), c.accepted_at.as_str()), ("210112", "210112009001", "210102001002"));
    assert_eq!(c.household_size, 2);
    assert_eq!(c.step_due, day("2026-11-05"), "survey within 3 working days");
    assert_eq!(c.due, day("2026-12-14"), "whole case within 30 working days");
    let queue = w.queue(&hunnan_worker, "2026-11-02").await;
    assert_eq!(queue.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![c.id], "in the 浑南 community's queue");
    let theirs = w.queue(&heping, "2026-11-02").await;
    assert!(theirs.items.is_empty(), "not in the accepting community's queue");

    // The accepting community follows the status, nothing more.
    let (view, events) = use_case::case(w.store.as_ref(), &caller(&heping).cx(), c.id).await.expect("follows");
    assert!(view.limited && view.household_no.is_none() && view.file.is_none() && events.is_empty());
    assert_eq!(view.applicant_name, "刘**");
    assert!(view.applicant_id.contains('*'));
    assert!(matches!(
        w.step(
            &heping,
            c.id,
            CaseAction::Survey { staff: vec!["甲".into(), "乙".into()], home_visit: true, findings: String::new() },
            "2026-11-03"
        )
        .await,
        Err(CaseFailure::Procedure(_))
    ));

    let survey = CaseAction::Survey {
        staff: vec!["李明".into(), "王芳".into()], home_visit: true, findings: "母子二人，母亲无业".into()
    };
    let c = w.step(&hunnan_worker, c.id, survey, "2026-11-03").await.expect("surveyed");
    let c = w
        .step(&officer, c.id, CaseAction::RecordCheck { per_capita_income: Fen(0), assets_within_limits: true, report: None }, "2026-11-04")
        .await
        .expect("checked");
    let c = w.step(&street, c.id, CaseAction::Review, "2026-11-05").await.expect("reviewed");
    let c = w.step(&hunnan_worker, c.id, CaseAction::PublishNotice, "2026-11-06").await.expect("notice");
    let rules =
        minzheng_app::policy::check(w.store.as_ref(), &w.engine, &caller(&county).cx(), "HN-0001", day("2026-11-16")).await.expect("check");
    let dibao = rules.programs.iter().find(|p| p.code == "dibao").expect("dibao");
    assert!(dibao.eligible(), "a household without income is eligible");
    assert_eq!(c.file.proposed, Some(Fen(dibao.amount())), "the notice shows the rules' amount");
    let notice = use_case::notice_list(w.store.as_ref(), &caller(&hunnan_worker).cx(), &code("210112009001")).await.expect("notice");
    assert_eq!(notice.iter().map(|c| c.applicant_name.as_str()).collect::<Vec<_>>(), vec!["刘秀梅"]);
    assert!(use_case::notice_pdf("文欣社区", &notice, |p| p.to_string()).starts_with(b"%PDF-"));

    assert_eq!(c.notice_until, Some(day("2026-11-13")), "7 days after the day of publication");
    assert!(matches!(
        w.step(&county, c.id, CaseAction::Approve { amount: None }, "2026-11-13").await,
        Err(CaseFailure::Procedure(minzheng_domain::CaseError::NoticeRunning(_)))
    ));
    let c = w.step(&county, c.id, CaseAction::Approve { amount: None }, "2026-11-16").await.expect("approved");
    assert_eq!(c.status, CaseStatus::Approved);
    let d = c.file.decision.clone().expect("decision");
    assert_eq!(d.amount, Some(Fen(dibao.amount())), "enrolled at the amount the rules compute");
    assert_eq!(d.start, Some(day("2026-12-01")), "paid from the next month");
    assert_eq!(d.review_on, Some(day("2027-06-01")), "a mother of working age: reviewed every 6 months");
    assert!(d.explanation.as_deref().is_some_and(|e| e.contains("dibao")));
    let enrolment = w.store.enrolment(d.enrolment.expect("enrolment made")).await.expect("read").expect("stored");
    assert_eq!((enrolment.program.as_str(), enrolment.county.as_str(), enrolment.members.len()), ("dibao", "210112", 2));
    assert_eq!(enrolment.monthly_amount, Fen(dibao.amount()));
    let svc = w.catalogue.service("apply_dibao").expect("service");
    assert!(use_case::decision_pdf(&c, svc, "浑南区").is_some_and(|pdf| pdf.starts_with(b"%PDF-")));

    // Every step is in the timeline with who took it; the refused early approval is in the audit log.
    let refusals = w.store.audit_of("case", &c.id.to_string()).await.expect("audit");
    assert!(refusals.iter().any(|a| a.action == "refused"), "a refused step leaves a record");
    let (_, events) = use_case::case(w.store.as_ref(), &caller(&county).cx(), c.id).await.expect("read");
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["accept", "survey", "record_check", "review", "publish_notice", "approve"]
    );
    assert_eq!(events[0].role, "community_worker");

    // Enrolled now: a new application is refused; a change is accepted.
    let again = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-16")),
        &dibao_application(mother.id_number),
    )
    .await;
    assert!(matches!(again, Err(CaseFailure::Invalid { .. })), "{again:?}");
}

#[tokio::test]
async fn bad_applications_and_steps_are_refused_and_change_nothing() {
    let (w, mother, _) = world("refusals").await;
    let heping = who(Role::CommunityWorker, "210102001002");
    let hunnan_worker = who(Role::CommunityWorker, "210112009001");
    let county = who(Role::CountyApprover, "210112");
    // Missing documents are named.
    let mut app = dibao_application(mother.id_number);
    app.documents.retain(|d| d != "authorisation");
    match use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
        &app,
    )
    .await
    {
        Err(CaseFailure::Missing { zh, codes, .. }) => {
            assert!(zh.contains("家庭经济状况核对授权书"), "{zh}");
            assert_eq!(codes, vec!["authorisation".to_string()]);
        }
        other => panic!("missing documents must be refused: {other:?}"),
    }
    // The one-time notice (一次性告知书) lists the same, worked out the same way, and stores nothing.
    let (missing, name) = use_case::missing_documents(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
        &app,
    )
    .await
    .expect("notice");
    assert_eq!((missing, name.as_str()), (vec!["authorisation".to_string()], mother.name.as_str()));
    let complete = dibao_application(mother.id_number);
    let (none, _) = use_case::missing_documents(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
        &complete,
    )
    .await
    .expect("complete");
    assert!(none.is_empty(), "nothing missing, and no case opened by looking");
    // Only a community accepts; an unknown service is refused.
    let street = who(Role::StreetReviewer, "210102001");
    assert!(use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&street, &actor(&street), day("2026-11-02")),
        &dibao_application(mother.id_number)
    )
    .await
    .is_err());
    let mut unknown = dibao_application(mother.id_number);
    unknown.service = "apply_moon".into();
    assert!(matches!(
        use_case::accept(
            w.store.as_ref(),
            &w.catalogue,
            &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
            &unknown
        )
        .await,
        Err(CaseFailure::Invalid { .. })
    ));

    let c = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
        &dibao_application(mother.id_number),
    )
    .await
    .expect("accepted");
    // A second open application of the same program and household.
    let second = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&hunnan_worker, &actor(&hunnan_worker), day("2026-11-02")),
        &dibao_application(mother.id_number),
    )
    .await;
    match second {
        Err(CaseFailure::Invalid { zh, .. }) => assert!(zh.contains("办理中"), "{zh}"),
        other => panic!("a second open application must be refused: {other:?}"),
    }
    // A worker of another county probing the same number is told only what the acceptance
    // lookup shows: the owning county must look at it (the audit record keeps the reason).
    let probe = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
        &dibao_application(mother.id_number),
    )
    .await;
    match probe {
        Err(CaseFailure::Invalid { zh, en }) => {
            assert!(!zh.contains("办理中") && !en.contains("open case") && zh.contains("浑南区"), "{zh}")
        }
        other => panic!("refused: {other:?}"),
    }
    let recorded = w.store.audit_of("person", mother.id_number.as_str()).await.expect("audit");
    // The probe's own record keeps the real reason beside what the worker was told.
    let probe_record = recorded.iter().rev().find(|r| r.action == "refused" && r.actor == heping.name).expect("the probe recorded");
    let after = probe_record.after.clone().unwrap_or_default();
    assert!(after["reason"].as_str().is_some_and(|r| r.contains("open case")), "{after}");
    assert!(after["told"].as_str().is_some_and(|t| !t.contains("open case")), "{after}");
    // Out of order, out of role, stale: refused, the case unchanged.
    assert!(matches!(w.step(&county, c.id, CaseAction::Approve { amount: None }, "2026-11-03").await, Err(CaseFailure::Procedure(_))));
    let one_staff = CaseAction::Survey { staff: vec!["李明".into()], home_visit: true, findings: String::new() };
    assert!(matches!(
        w.step(&hunnan_worker, c.id, one_staff, "2026-11-03").await,
        Err(CaseFailure::Procedure(minzheng_domain::CaseError::TooFewStaff))
    ));
    let stale = use_case::act(
        w.store.as_ref(),
        &w.engine,
        &w.catalogue,
        &RequestContext::new(&county, &actor(&county), day("2026-11-03")),
        c.id,
        Step { action: &CaseAction::Refuse { reason: "家庭人均收入高于标准".into() }, comment: NOTE, seen: Some(c.version + 1) },
    )
    .await;
    assert!(matches!(stale, Err(CaseFailure::Stale)));
    let outsider = who(Role::CountyApprover, "210102");
    assert!(matches!(
        w.step(&outsider, c.id, CaseAction::Refuse { reason: "不符合条件".into() }, "2026-11-03").await,
        Err(CaseFailure::Access(_))
    ));
    let unchanged = w.store.case(c.id).await.expect("read").expect("case");
    assert_eq!(unchanged, c, "nothing changed");

    // The county refuses on the street's first review, not before it (审核确认办法第二十二条).
    assert!(matches!(
        w.step(&county, c.id, CaseAction::Refuse { reason: "家庭人均收入高于标准".into() }, "2026-11-03").await,
        Err(CaseFailure::Procedure(minzheng_domain::CaseError::Illegal { .. }))
    ));
    let officer = who(Role::VerificationOfficer, "210112");
    let street = who(Role::StreetReviewer, "210112009");
    let survey =
        CaseAction::Survey { staff: vec!["李明".into(), "王芳".into()], home_visit: true, findings: "名下有营运车辆".into() };
    let c = w.step(&hunnan_worker, c.id, survey, "2026-11-03").await.expect("surveyed");
    let check = CaseAction::RecordCheck { per_capita_income: Fen(0), assets_within_limits: false, report: None };
    let c = w.step(&officer, c.id, check, "2026-11-03").await.expect("checked");
    let c = w.step(&street, c.id, CaseAction::Review, "2026-11-03").await.expect("reviewed");

    // A refusal with its written reason closes the case and frees the household for a new one.
    let refused = w
        .step(&county, c.id, CaseAction::Refuse { reason: "申请人名下有营运车辆，家庭财产超过规定".into() }, "2026-11-03")
        .await
        .expect("refused");
    assert_eq!(refused.status, CaseStatus::Refused);
    let letter = use_case::decision_pdf(&refused, w.catalogue.service("apply_dibao").expect("svc"), "浑南区").expect("letter");
    assert!(letter.starts_with(b"%PDF-"));
    assert!(use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-04")),
        &dibao_application(mother.id_number)
    )
    .await
    .is_ok());
}

#[tokio::test]
async fn where_approval_is_delegated_the_street_decides_and_temporary_assistance_keeps_its_limits() {
    let (w, _, single) = world("delegated").await;
    let worker = who(Role::CommunityWorker, "210106001017");
    let street = who(Role::StreetReviewer, "210106001");
    let county = who(Role::CountyApprover, "210106");
    let app = Application {
        service: "apply_linshi".into(),
        applicant: single.id_number,
        documents: vec!["application".into(), "hardship_statement".into(), "medical_bills".into()],
        staff_relative: true,
        comment: "突发重病，申请临时救助".into(),
    };
    let c = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-11-02")),
        &app,
    )
    .await
    .expect("accepted");
    assert!(c.delegated && c.staff_relative);
    assert_eq!(c.due, day("2026-11-30"), "20 working days where the street decides");
    // 先行救助 is held to the street's ceiling (4 × the standard) like its decisions.
    match w.step(&street, c.id, CaseAction::PayFirst { amount: Fen(9_999_999_900) }, "2026-11-02").await {
        Err(CaseFailure::Invalid { zh, .. }) => assert!(zh.contains("街道直接审批上限"), "{zh}"),
        other => panic!("99,999,999 yuan paid first: {other:?}"),
    }
    // 先行救助 first; the staff relative's survey must be a home visit.
    let c = w.step(&street, c.id, CaseAction::PayFirst { amount: Fen(50_000) }, "2026-11-02").await.expect("paid first");
    assert_eq!(c.file.paid_first, Some(Fen(50_000)));
    let phone = CaseAction::Survey { staff: vec!["李明".into(), "王芳".into()], home_visit: false, findings: String::new() };
    assert!(matches!(
        w.step(&worker, c.id, phone, "2026-11-03").await,
        Err(CaseFailure::Procedure(minzheng_domain::CaseError::HomeVisitRequired))
    ));
    let visit = CaseAction::Survey { staff: vec!["李明".into(), "王芳".into()], home_visit: true, findings: "住院治疗".into() };
    let c = w.step(&worker, c.id, visit, "2026-11-03").await.expect("surveyed");
    let c = w.step(&street, c.id, CaseAction::Review, "2026-11-04").await.expect("reviewed");
    // Below the smallest payment, above the street's ceiling: refused with the figure.
    assert!(matches!(
        w.step(&street, c.id, CaseAction::Approve { amount: Some(Fen(60_000)) }, "2026-11-05").await,
        Err(CaseFailure::Invalid { .. })
    ));
    match w.step(&street, c.id, CaseAction::Approve { amount: Some(Fen(10_000_000)) }, "2026-11-05").await {
        Err(CaseFailure::Invalid { zh, .. }) => assert!(zh.contains("报区县审批"), "{zh}"),
        other => panic!("above the street's ceiling: {other:?}"),
    }
    assert!(
        matches!(
            w.step(&county, c.id, CaseAction::Approve { amount: Some(Fen(300_000)) }, "2026-11-05").await,
            Err(CaseFailure::Procedure(_))
        ),
        "the street decides"
    );
    let c = w.step(&street, c.id, CaseAction::Refer, "2026-11-05").await.expect("referred");
    assert!(!c.delegated);
    // The county approves up to its own ceiling (12 × the standard); beyond it the city decides
    // case by case (一事一议).
    match w.step(&county, c.id, CaseAction::Approve { amount: Some(Fen(10_000_000)) }, "2026-11-06").await {
        Err(CaseFailure::Invalid { zh, .. }) => assert!(zh.contains("一事一议"), "{zh}"),
        other => panic!("above the county's ceiling: {other:?}"),
    }
    let c = w
        .step(&county, c.id, CaseAction::Approve { amount: Some(Fen(400_000)) }, "2026-11-06")
        .await
        .expect("the county approves a larger amount");
    let d = c.file.decision.clone().expect("decided");
    assert_eq!((d.amount, d.band), (Some(Fen(400_000)), Some(minzheng_domain::temporary::Band::County)));
    let letter = use_case::decision_pdf(&c, w.catalogue.service("apply_linshi").expect("service"), "铁西区").expect("letter");
    assert!(letter.starts_with(b"%PDF-"));
}

#[tokio::test]
async fn documents_are_kept_by_checksum_sniffed_by_content_and_a_stored_household_check_is_handed_over() {
    let (w, mother, _) = world("documents").await;
    let heping = who(Role::CommunityWorker, "210102001002");
    let hunnan_worker = who(Role::CommunityWorker, "210112009001");
    let officer = who(Role::VerificationOfficer, "210112");
    let docs = w._d.0.join("documents");
    let c = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&heping, &actor(&heping), day("2026-11-02")),
        &dibao_application(mother.id_number),
    )
    .await
    .expect("accepted");

    // The accepting community uploads the signed form; the type comes from the content.
    let pdf = b"%PDF-1.4\n% signed application\n%%EOF\n".to_vec();
    let d = use_case::upload(
        w.store.as_ref(),
        &docs,
        &w.catalogue,
        &RequestContext::new(&heping, &actor(&heping), day("2026-11-03")),
        c.id,
        Upload { code: "application", file_name: "申请书.pdf", bytes: &pdf },
    )
    .await
    .expect("uploaded");
    assert_eq!((d.content_type.as_str(), d.size), ("application/pdf", pdf.len() as i64));
    let refused = |r: Result<minzheng_store::CaseDocument, CaseFailure>| matches!(r, Err(CaseFailure::Invalid { .. }));
    assert!(
        refused(
            use_case::upload(
                w.store.as_ref(),
                &docs,
                &w.catalogue,
                &RequestContext::new(&heping, &actor(&heping), day("2026-11-03")),
                c.id,
                Upload { code: "application", file_name: "photo.pdf", bytes: b"GIF89a not a pdf" }
            )
            .await
        ),
        "a GIF named .pdf"
    );
    let big = [b"%PDF-".as_slice(), &vec![b' '; use_case::MAX_DOCUMENT_BYTES]].concat();
    assert!(
        refused(
            use_case::upload(
                w.store.as_ref(),
                &docs,
                &w.catalogue,
                &RequestContext::new(&heping, &actor(&heping), day("2026-11-03")),
                c.id,
                Upload { code: "application", file_name: "big.pdf", bytes: &big }
            )
            .await
        ),
        "over the size limit"
    );
    assert!(
        refused(
            use_case::upload(
                w.store.as_ref(),
                &docs,
                &w.catalogue,
                &RequestContext::new(&heping, &actor(&heping), day("2026-11-03")),
                c.id,
                Upload { code: "passport", file_name: "p.pdf", bytes: &pdf }
            )
            .await
        ),
        "not a document of the service"
    );
    let elsewhere = who(Role::CommunityWorker, "210102001003");
    assert!(matches!(
        use_case::upload(
            w.store.as_ref(),
            &docs,
            &w.catalogue,
            &RequestContext::new(&elsewhere, &actor(&elsewhere), day("2026-11-03")),
            c.id,
            Upload { code: "application", file_name: "a.pdf", bytes: &pdf }
        )
        .await,
        Err(CaseFailure::Access(_))
    ));
    assert_eq!(w.store.case_documents(c.id).await.expect("list").len(), 1, "nothing refused was kept");

    // Read back by the household's community, checked against its checksum; a changed file is refused.
    let (_, bytes) = use_case::document(w.store.as_ref(), &docs, &caller(&hunnan_worker).cx(), c.id, d.id).await.expect("read");
    assert_eq!(bytes, pdf);
    assert!(
        use_case::document(w.store.as_ref(), &docs, &caller(&heping).cx(), c.id, d.id).await.is_err(),
        "the accepting community sees the status only"
    );
    let grid = who(Role::GridWorker, "210112009001");
    assert!(
        matches!(use_case::document(w.store.as_ref(), &docs, &caller(&grid).cx(), c.id, d.id).await, Err(CaseFailure::Access(_))),
        "scans are for the roles that see full identities"
    );
    std::fs::write(docs.join(&d.sha256[..2]).join(&d.sha256), b"%PDF-1.4 altered").expect("tamper");
    assert!(matches!(
        use_case::document(w.store.as_ref(), &docs, &caller(&hunnan_worker).cx(), c.id, d.id).await,
        Err(CaseFailure::Invalid { .. })
    ));

    // A household check stored by the verification centre is handed over to the case.
    let survey = CaseAction::Survey { staff: vec!["李明".into(), "王芳".into()], home_visit: true, findings: String::new() };
    let c = w.step(&hunnan_worker, c.id, survey, "2026-11-03").await.expect("surveyed");
    let report = |household: &str| minzheng_domain::verification::VerificationReport {
        id: 0,
        household_no: household.into(),
        community: code("210112009001"),
        on: day("2026-11-03"),
        authorisation: minzheng_domain::verification::Authorisation {
            reference: "浑南核字1号".into(),
            signed_on: day("2026-11-02"),
            signed_by: vec![mother.id_number],
        },
        members: vec![],
        items: vec![],
        figures: vec![minzheng_domain::verification::ReportFigure {
            name: "income_per_capita".into(),
            zh: "家庭月人均收入".into(),
            en: "income per member".into(),
            value: "12500".into(),
            unit: Some("fen".into()),
            source: "income".into(),
        }],
        programs: vec![minzheng_domain::verification::ReportProgram {
            code: "dibao".into(),
            zh: "最低生活保障".into(),
            eligible: true,
            amount: 150_000,
            unmet: vec![],
        }],
        empty_sources: vec![],
        made_by: "hn_check".into(),
        made_at: chrono::Utc::now(),
    };
    let other = w.store.add_household_check(&report("TX-0001"), &Actor::new("test")).await.expect("report");
    let ours = w.store.add_household_check(&report("HN-0001"), &Actor::new("test")).await.expect("report");
    let check = |r: i64| CaseAction::RecordCheck { per_capita_income: Fen(99_999), assets_within_limits: true, report: Some(r) };
    assert!(
        matches!(w.step(&officer, c.id, check(other), "2026-11-04").await, Err(CaseFailure::Invalid { .. })),
        "another household's report"
    );
    let c = w.step(&officer, c.id, check(ours), "2026-11-04").await.expect("checked");
    let recorded = c.file.check.expect("check");
    assert_eq!(recorded.per_capita_income, Fen(12_500), "the income as the report's rules counted it");
    assert!(recorded.report_decision.is_some_and(|t| t.contains("符合最低生活保障")));
}

#[tokio::test]
async fn each_elder_of_a_household_applies_for_the_old_age_allowance_on_their_own_and_leaves_it_alone() {
    let (w, _, _) = world("per-person").await;
    let worker = who(Role::CommunityWorker, "210112009001");
    let street = who(Role::StreetReviewer, "210112009");
    let county = who(Role::CountyApprover, "210112");
    let members = w.store.household_members("HN-0003").await.expect("members");
    let (wife, husband) = (
        members.iter().find(|m| m.name == "王淑兰").expect("wife").id_number,
        members.iter().find(|m| m.name == "王德顺").expect("husband").id_number,
    );
    let apply = |id: IdNumber| Application {
        service: "apply_gaoling".into(),
        applicant: id,
        documents: vec!["application".into(), "photo".into()],
        staff_relative: false,
        comment: "申请高龄补贴".into(),
    };
    let rules =
        minzheng_app::policy::check(w.store.as_ref(), &w.engine, &caller(&county).cx(), "HN-0003", day("2026-11-03")).await.expect("check");
    let band = |id: IdNumber| {
        rules
            .programs
            .iter()
            .find(|p| p.code == "gaoling")
            .and_then(|p| p.units.iter().find(|u| u.unit == id.as_str()))
            .map(|u| u.amount)
            .expect("a unit")
    };
    // Both may have an application open at once: one per applicant.
    let a = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-11-02")),
        &apply(wife),
    )
    .await
    .expect("wife");
    let b = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-11-02")),
        &apply(husband),
    )
    .await
    .expect("husband");
    assert!(
        use_case::accept(
            w.store.as_ref(),
            &w.catalogue,
            &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-11-02")),
            &apply(wife)
        )
        .await
        .is_err(),
        "but not two for the same person"
    );
    for c in [&a, &b] {
        w.step(&street, c.id, CaseAction::Review, "2026-11-03").await.expect("reviewed");
    }
    let a = w.step(&county, a.id, CaseAction::Approve { amount: None }, "2026-11-03").await.expect("approved");
    let e = w.store.enrolment(a.file.decision.and_then(|d| d.enrolment).expect("enrolment")).await.expect("read").expect("stored");
    assert_eq!(e.members.iter().map(|m| m.id_number).collect::<Vec<_>>(), vec![wife], "only the applicant is enrolled");
    assert_eq!(e.monthly_amount, Fen(band(wife)));
    w.step(&county, b.id, CaseAction::Approve { amount: None }, "2026-11-03").await.expect("approved");
    let e = w.store.enrolment(e.id).await.expect("read").expect("stored");
    assert_eq!(e.members.len(), 2);
    assert_eq!(e.monthly_amount, Fen(band(wife) + band(husband)), "each at their own band");
    // The husband leaves; the wife stays paid.
    let stop = Application {
        service: "stop_gaoling".into(),
        applicant: husband,
        documents: vec![],
        staff_relative: false,
        comment: "户籍迁出本市".into(),
    };
    let s = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-11-04")),
        &stop,
    )
    .await
    .expect("stop accepted");
    w.step(&street, s.id, CaseAction::Review, "2026-11-04").await.expect("reviewed");
    w.step(&county, s.id, CaseAction::Approve { amount: None }, "2026-11-04").await.expect("stopped");
    let e = w.store.enrolment(e.id).await.expect("read").expect("stored");
    assert_eq!(
        (e.members.iter().filter(|m| m.end.is_none()).map(|m| m.id_number).collect::<Vec<_>>(), e.monthly_amount, e.status),
        (vec![wife], Fen(band(wife)), minzheng_domain::EnrolmentStatus::Active)
    );
    let his = e.members.iter().find(|m| m.id_number == husband).and_then(|m| m.end);
    assert_eq!(his, Some(day("2026-12-01")), "his part stops from the next month, kept with its month");
    // The last member stops: the enrolment ends. A new application starts afresh, not from it.
    let stop = Application {
        service: "stop_gaoling".into(),
        applicant: wife,
        documents: vec![],
        staff_relative: false,
        comment: "享受对象去世".into(),
    };
    let s = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-11-05")),
        &stop,
    )
    .await
    .expect("stop accepted");
    w.step(&street, s.id, CaseAction::Review, "2026-11-05").await.expect("reviewed");
    w.step(&county, s.id, CaseAction::Approve { amount: None }, "2026-11-05").await.expect("stopped");
    assert_eq!(w.store.enrolment(e.id).await.expect("read").map(|e| e.status), Some(minzheng_domain::EnrolmentStatus::Stopped));
    let again = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-12-07")),
        &apply(husband),
    )
    .await
    .expect("applies again");
    w.step(&street, again.id, CaseAction::Review, "2026-12-07").await.expect("reviewed");
    let approved = w.step(&county, again.id, CaseAction::Approve { amount: None }, "2026-12-08").await.expect("approved");
    assert_eq!(
        approved.file.decision.as_ref().and_then(|d| d.amount),
        Some(Fen(band(husband))),
        "the letter shows the applicant's own amount"
    );
    let e = w.store.enrolment(e.id).await.expect("read").expect("stored");
    assert_eq!(
        (e.members.iter().map(|m| m.id_number).collect::<Vec<_>>(), e.status, e.start),
        (vec![husband], minzheng_domain::EnrolmentStatus::Active, day("2027-01-01")),
        "not the stopped members, not the old start"
    );
}

/// A survey that records 家中有轿车一辆 and a check that records 财产超标 are not approved at the
/// full amount without a word: the approver is told both and must answer them in writing.
#[tokio::test]
async fn what_the_survey_and_check_record_against_granting_is_answered_in_writing() {
    let (w, mother, _) = world("against").await;
    let hunnan_worker = who(Role::CommunityWorker, "210112009001");
    let officer = who(Role::VerificationOfficer, "210112");
    let street = who(Role::StreetReviewer, "210112009");
    let county = who(Role::CountyApprover, "210112");
    let c = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&hunnan_worker, &actor(&hunnan_worker), day("2026-11-02")),
        &dibao_application(mother.id_number),
    )
    .await
    .expect("accepted");
    let survey =
        CaseAction::Survey {
            staff: vec!["李明".into(), "王芳".into()], home_visit: true, findings: "母子二人，家中有轿车一辆".into()
        };
    let c = w.step(&hunnan_worker, c.id, survey, "2026-11-03").await.expect("surveyed");
    let check = CaseAction::RecordCheck { per_capita_income: Fen(0), assets_within_limits: false, report: None };
    let c = w.step(&officer, c.id, check, "2026-11-04").await.expect("checked");
    let c = w.step(&street, c.id, CaseAction::Review, "2026-11-05").await.expect("reviewed");
    let c = w.step(&hunnan_worker, c.id, CaseAction::PublishNotice, "2026-11-06").await.expect("notice");
    let short = w.step(&county, c.id, CaseAction::Approve { amount: None }, "2026-11-16").await;
    let Err(CaseFailure::Invalid { zh, .. }) = &short else { panic!("refused without a written answer: {short:?}") };
    assert!(zh.contains("核对结果为财产超标") && zh.contains("家中有轿车一辆") && zh.contains("书面说明"), "{zh}");
    let answer = "轿车为亲属借用停放，已核实车辆登记在他人名下；财产超标系误录，核对中心已更正";
    let done = use_case::act(
        w.store.as_ref(),
        &w.engine,
        &w.catalogue,
        &RequestContext::new(&county, &actor(&county), day("2026-11-16")),
        c.id,
        Step { action: &CaseAction::Approve { amount: None }, comment: answer, seen: None },
    )
    .await
    .expect("approved with the answer");
    assert_eq!(done.status, CaseStatus::Approved);
    let (_, events) = use_case::case(w.store.as_ref(), &caller(&county).cx(), c.id).await.expect("read");
    assert!(events.iter().any(|e| e.action == "approve" && e.comment == answer), "the answer is on the file");
}

/// 死亡联动: an import that records deaths stops the deceased's own benefit from the next month
/// and opens a change case for a 低保 household where others still live, in the community
/// worker's queue; taking the same deaths into effect again changes nothing more, and importing
/// the same sheet again leaves nothing new to do.
#[tokio::test]
async fn a_death_recorded_in_the_registry_stops_the_persons_benefit_and_has_the_household_reviewed() {
    use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus};
    let (w, mother, _) = world("deaths").await;
    let members = w.store.household_members("HN-0003").await.expect("members");
    let (elder, older) =
        (members.iter().find(|p| p.name == "王淑兰").expect("elder"), members.iter().find(|p| p.name == "王德顺").expect("older"));
    let son = w.store.household_members("HN-0001").await.expect("members").into_iter().find(|p| p.name == "刘子涵").expect("son");
    let member = |p: &Person, amount: Option<i64>| EnrolledMember {
        id_number: p.id_number,
        name: p.name.clone(),
        amount: amount.map(Fen),
        end: None,
    };
    let enrolment = |program: &str, household: &str, members: Vec<EnrolledMember>, amount: i64| Enrolment {
        id: 0,
        program: program.into(),
        household_no: household.into(),
        county: code("210112"),
        members,
        monthly_amount: Fen(amount),
        start: day("2025-01-01"),
        status: EnrolmentStatus::Active,
        end: None,
    };
    let roster = vec![
        enrolment("gaoling", "HN-0003", vec![member(elder, Some(20_000)), member(older, Some(30_000))], 50_000),
        enrolment("dibao", "HN-0001", vec![member(&mother, None), member(&son, None)], 208_200),
    ];
    w.store.upsert_enrolments(&roster, "roster", &Actor::system()).await.expect("roster");

    // The registry's monthly file records 王德顺 and 刘秀梅 as deceased.
    let dir = std::env::temp_dir().join(format!("minzheng-deaths-sheet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("死亡登记.csv");
    let row = |p: &Person, relation: &str, died: &str| {
        format!(
            "{},{},{},{},{},{},{},死亡,{died}",
            p.household_no.clone().unwrap_or_default(),
            p.name,
            p.id_number,
            p.sex.zh(),
            p.birth_date,
            relation,
            "210112009001"
        )
    };
    std::fs::write(
        &path,
        format!(
            "户号,姓名,身份证号,性别,出生日期,与户主关系,社区代码,人员状态,状态日期\n{}\n{}\n",
            row(older, "配偶", "2026-09-17"),
            row(&mother, "户主", "2026-10-03")
        ),
    )
    .expect("sheet");
    let clerk = Actor::new("registry.clerk");
    let mapping = minzheng_app::import::Mapping::default();
    let report = minzheng_app::import::import_persons(w.store.as_ref(), &path, &mapping, &clerk, &|_| {}).await.expect("import");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let today = day("2026-11-02");
    // The records decide what is still to do: both are members still paid.
    let pending = minzheng_app::deaths::pending(w.store.as_ref()).await.expect("pending");
    assert_eq!(pending.len(), 2);
    assert!(pending.contains(&(older.id_number, Some(day("2026-09-17")))), "{pending:?}");
    let effects = minzheng_app::deaths::take_effect(w.store.as_ref(), &w.catalogue, &clerk, &pending, today).await.expect("effects");
    assert_eq!(effects.len(), 2, "{effects:?}");

    // 王德顺's 高龄补贴 is no longer paid from October; 王淑兰's goes on.
    let enrolments = w.store.enrolments_of(&[elder.id_number]).await.expect("enrolments");
    let gaoling = enrolments.iter().find(|e| e.program == "gaoling").expect("gaoling");
    assert_eq!((gaoling.monthly_amount, gaoling.status), (Fen(20_000), EnrolmentStatus::Active));
    let ended: std::collections::BTreeMap<&str, _> = gaoling.members.iter().map(|m| (m.name.as_str(), m.end)).collect();
    assert_eq!(ended, [("王淑兰", None), ("王德顺", Some(day("2026-10-01")))].into(), "his part ends, kept with its month");
    let stop = effects.iter().find(|e| e.program == "gaoling").expect("the stop");
    assert_eq!(stop.outcome, minzheng_app::deaths::DeathOutcome::Stopped { from: day("2026-10-01"), whole: false });

    // 刘秀梅's household is reviewed: a change case in the community worker's queue, in the son's name.
    let Some(minzheng_app::deaths::DeathOutcome::ChangeCase { case_id }) =
        effects.iter().find(|e| e.program == "dibao").map(|e| e.outcome.clone())
    else {
        panic!("a change case: {effects:?}")
    };
    let worker = who(Role::CommunityWorker, "210112009001");
    let queue = w.queue(&worker, "2026-11-02").await;
    let case = queue.items.iter().find(|c| c.id == case_id).expect("in the worker's queue");
    assert_eq!((case.service.as_str(), case.applicant_name.as_str()), ("change_dibao", "刘子涵"));
    assert!(w.store.enrolments_of(&[son.id_number]).await.expect("dibao")[0].is_active(), "paid on until the amount is decided again");

    // Each stop has its own audit record naming the death.
    let log = w.store.audit_of("enrolment", "gaoling:HN-0003").await.expect("audit");
    assert!(
        log.iter().any(|a| a.after.as_ref().is_some_and(|x| x["decided_by"] == format!("registry:death:{}", older.id_number))),
        "{log:?}"
    );
    // Again: only the household under review is still to do, and its case is open already.
    let pending = minzheng_app::deaths::pending(w.store.as_ref()).await.expect("pending");
    assert_eq!(pending, vec![(mother.id_number, Some(day("2026-10-03")))]);
    let again = minzheng_app::deaths::take_effect(w.store.as_ref(), &w.catalogue, &clerk, &pending, today).await.expect("again");
    assert_eq!(again.iter().map(|e| e.outcome.clone()).collect::<Vec<_>>(), vec![minzheng_app::deaths::DeathOutcome::AlreadyOpen]);
    minzheng_app::import::import_persons(w.store.as_ref(), &path, &mapping, &clerk, &|_| {}).await.expect("import");
    let pending = minzheng_app::deaths::pending(w.store.as_ref()).await.expect("pending");
    assert_eq!(pending, vec![(mother.id_number, Some(day("2026-10-03")))], "the same sheet again: nothing new to do");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The calendar ships without 2027's holidays: a case accepted on 2026-12-14 counts 2027-01-01
/// (元旦) as a working day, so its 30 working days end a day early and the date is provisional.
/// When the State Council's arrangement is entered, the open case is counted again: the whole
/// case's due date moves a working day later, the survey's (in 2026) stays, the history says so,
/// and counting again changes nothing more.
#[tokio::test]
async fn entering_a_years_holidays_recounts_the_open_cases_due_dates() {
    use minzheng_domain::calendar::{CalendarDay, DayKind};
    let (w, mother, _) = world("recount").await;
    let worker = who(Role::CommunityWorker, "210112009001");
    let c = use_case::accept(
        w.store.as_ref(),
        &w.catalogue,
        &minzheng_app::RequestContext::new(&worker, &actor(&worker), day("2026-12-14")),
        &dibao_application(mother.id_number),
    )
    .await
    .expect("accepted");
    let (due, step_due) = (c.due, c.step_due);
    assert_eq!(step_due, day("2026-12-17"), "the survey within 3 working days");
    let cal = use_case::calendar(w.store.as_ref()).await.expect("calendar");
    assert!(!cal.settled(c.accepted_on, due), "counted over 2027 without its holidays");

    let admin = Actor::new("city.admin");
    let holidays = |days: &[&str], note: &str| {
        days.iter().map(|d| CalendarDay { day: day(d), kind: DayKind::Holiday, note: note.into() }).collect::<Vec<_>>()
    };
    w.store.set_calendar_days(&holidays(&["2027-01-01"], "元旦"), &admin).await.expect("set");
    let r = use_case::recount_due_dates(w.store.as_ref(), &w.catalogue, &admin).await.expect("recount");
    assert_eq!(r.open, 1);
    assert_eq!(r.changed.len(), 1, "{r:?}");
    let now = w.store.case(c.id).await.expect("read").expect("present");
    assert_eq!(now.due, use_case::calendar(w.store.as_ref()).await.expect("calendar").add_working_days(day("2026-12-14"), 30));
    assert!(now.due > due, "a working day later: {} → {}", due, now.due);
    assert_eq!(now.step_due, step_due, "the survey's limit lies in 2026");
    let events = w.store.case_events(c.id).await.expect("events");
    let last = events.last().expect("history");
    assert_eq!((last.action.as_str(), last.to), (use_case::RECOUNT, CaseStatus::Accepted));
    assert!(last.comment.contains(&due.to_string()) && last.comment.contains(&now.due.to_string()), "{}", last.comment);
    let again = use_case::recount_due_dates(w.store.as_ref(), &w.catalogue, &admin).await.expect("recount");
    assert!(again.changed.is_empty(), "{again:?}");
    // A page read before the recount is stale; one read after takes the next step.
    let survey = CaseAction::Survey { staff: vec!["张敏".into(), "李强".into()], home_visit: true, findings: NOTE.into() };
    let worker_actor = actor(&worker);
    let cx = RequestContext::new(&worker, &worker_actor, day("2026-12-16"));
    let act = |seen: i64| {
        use_case::act(w.store.as_ref(), &w.engine, &w.catalogue, &cx, c.id, Step { action: &survey, comment: NOTE, seen: Some(seen) })
    };
    assert!(matches!(act(c.version).await, Err(CaseFailure::Stale)), "the recount moved the case on");
    act(now.version).await.expect("surveyed");
}
