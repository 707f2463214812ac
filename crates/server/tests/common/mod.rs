//! The test city and its accounts, served by the real router on a fresh SQLite store.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use minzheng_domain::{Household, HouseholdKind, IdNumber, Person, PersonStatus, RegionCode, Relation, Role, Sex};
use minzheng_server::{router, AppState};
use minzheng_store::{Actor, RegistryBatch, Store};
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "Test2026pass";

pub struct Fixture {
    pub app: axum::Router,
    pub store: Arc<dyn Store>,
    pub city: minzheng_synth::City,
    /// A household (and its community) every account's region contains.
    pub inside: Household,
    /// A household in 大连市, outside every account's region.
    pub outside: Household,
    pub outside_person: Person,
    /// Stored policy runs over the inside community and over the outside one.
    pub inside_run: i64,
    pub outside_run: i64,
    /// A finding about the inside household and one about the outside one.
    pub inside_finding: i64,
    pub outside_finding: i64,
    /// A household check report of each.
    pub inside_verification: i64,
    pub outside_verification: i64,
    pub inside_case: i64,
    pub outside_case: i64,
    /// Key tasks of the accounts' community and of Dalian.
    pub inside_task: i64,
    pub outside_task: i64,
    /// Payment lists of the accounts' county and of Dalian's.
    pub inside_payroll: i64,
    pub outside_payroll: i64,
    /// Recoveries (追回) of the accounts' county and of Dalian's.
    pub inside_recovery: i64,
    pub outside_recovery: i64,
    /// Care institutions of the accounts' county and of Dalian's, and an ability assessment of a
    /// resident of each.
    pub inside_institution: i64,
    pub outside_institution: i64,
    pub inside_assessment: i64,
    pub outside_assessment: i64,
    /// Deaths recorded of a resident (alone in a household of their own) of the accounts'
    /// community and of Dalian's.
    pub inside_death: i64,
    pub outside_death: i64,
    /// Marriages registered by the accounts' county and by a Dalian county, each with a divorce
    /// application received.
    pub inside_marriage: i64,
    pub outside_marriage: i64,
    pub inside_divorce: i64,
    pub outside_divorce: i64,
    /// Social organisations registered by the accounts' county and by a Dalian county.
    pub inside_org: i64,
    pub outside_org: i64,
    /// Place names applied for in the accounts' county and in a Dalian county.
    pub inside_name: i64,
    pub outside_name: i64,
    /// Grid events of the accounts' community and of a Dalian community.
    pub inside_order: i64,
    pub outside_order: i64,
    /// Monitoring warnings (a death in the household) of the inside and the outside household.
    pub inside_warning: i64,
    pub outside_warning: i64,
    /// Where the server keeps uploaded documents.
    pub documents: std::path::PathBuf,
    _dir: minzheng_testkit::TempDir,
}

pub use minzheng_testkit::code;

/// The region each role's test account is bound to, around `community`.
pub fn region_for(role: Role, community: &RegionCode) -> RegionCode {
    match role {
        Role::CommunityWorker | Role::GridWorker => community.clone(),
        Role::StreetReviewer => community.parent().expect("street"),
        Role::CountyApprover | Role::VerificationOfficer | Role::Auditor => {
            community.ancestor(minzheng_domain::RegionLevel::County).expect("county")
        }
        Role::CityAdmin => code("2101"),
    }
}

pub async fn fixture(tag: &str) -> Fixture {
    let minzheng_testkit::TestStore { store, dir, .. } = minzheng_testkit::sqlite(&format!("http-{tag}")).await;
    let dir = dir.expect("the SQLite store's folder");
    minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
    let city = minzheng_synth::generate(&minzheng_app::regions::liaoning(), &minzheng_synth::Config::new(500, 3)).expect("city");
    let mut batch = RegistryBatch {
        households: city.households.clone(),
        persons: city.persons.clone(),
        source: "test".into(),
        checksum: String::new(),
    };
    // One household in 大连市 (2102), outside Shenyang.
    let dalian = minzheng_app::regions::liaoning()
        .into_iter()
        .find(|r| r.level == minzheng_domain::RegionLevel::Community && r.code.as_str().starts_with("2102"))
        .expect("a Dalian community");
    let birth = chrono::NaiveDate::from_ymd_opt(1960, 5, 5).expect("date");
    let outside_person = Person {
        id_number: IdNumber::from_parts(210202, birth, 77, Sex::Male),
        name: "大连人".into(),
        sex: Sex::Male,
        birth_date: birth,
        hukou_region: dalian.code.clone(),
        household_no: Some("DL0001".into()),
        relation: Relation::Head,
        status: PersonStatus::Alive,
        disability: None,
        phone: Some("13700000000".into()),
        tags: vec![],
    };
    let outside = Household {
        household_no: "DL0001".into(),
        head: Some(outside_person.id_number),
        address: "大连".into(),
        community: dalian.code,
        grid: None,
        building: None,
        kind: HouseholdKind::Urban,
    };
    batch.households.push(outside.clone());
    batch.persons.push(outside_person.clone());
    store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    let inside = city.households[0].clone();
    for role in Role::ALL {
        let region = region_for(role, &inside.community);
        minzheng_app::auth::create_account(store.as_ref(), None, &Actor::new("test"), role.as_str(), role, &region, PASSWORD)
            .await
            .expect("account");
    }
    let mut state = AppState::new(store.clone(), &minzheng_app::config::Config::default()).await.expect("state");
    // The walk of every route signs in and fails many times from one address.
    state.login_limiter = Arc::new(minzheng_server::auth::LoginLimiter::new(10_000));
    state.documents = dir.path().join("documents");
    // A key task of the account's community and one of Dalian's.
    let key_task = |region: &RegionCode, work: &str| minzheng_server::tasks::model::KeyTask {
        id: 0,
        number: 176,
        title: "进一步发挥社区基础作用".into(),
        work: work.into(),
        unit: "基层政权建设处".into(),
        responsible: String::new(),
        region: region.clone(),
        deadline: None,
    };
    let tasks = minzheng_server::tasks::store::task_store(store.as_ref());
    tasks
        .add_tasks(&[key_task(&inside.community, "inside"), key_task(&outside.community, "outside")], "test", &Actor::new("test"))
        .await
        .expect("tasks");
    let stored = tasks.tasks().await.expect("tasks");
    let task_id = |work: &str| stored.iter().find(|t| t.work == work).map(|t| t.id).expect("task");
    let (inside_task, outside_task) = (task_id("inside"), task_id("outside"));
    let run = |region: &RegionCode| minzheng_store::PolicyRun {
        id: 0,
        kind: "sweep".into(),
        region: region.to_string(),
        on: chrono::NaiveDate::from_ymd_opt(2026, 8, 1).expect("date"),
        summary: serde_json::json!({ "rows": [] }),
        created_by: "test".into(),
        created_at: chrono::Utc::now(),
    };
    let inside_run = store.add_policy_run(&run(&inside.community), &[], &Actor::new("test")).await.expect("run");
    let outside_run = store.add_policy_run(&run(&outside.community), &[], &Actor::new("test")).await.expect("run");
    let inside_finding = finding_about(
        store.as_ref(),
        &inside,
        city.persons.iter().find(|p| p.household_no.as_deref() == Some(&inside.household_no)).expect("member"),
    )
    .await;
    let outside_finding = finding_about(store.as_ref(), &outside, &outside_person).await;
    let inside_verification = report_about(store.as_ref(), &inside).await;
    let outside_verification = report_about(store.as_ref(), &outside).await;
    let inside_member = city.persons.iter().find(|p| p.household_no.as_deref() == Some(&inside.household_no)).expect("member").clone();
    let inside_case = case_about(store.as_ref(), &inside, &inside_member).await;
    // (特困, so that the stories' 低保 months are not held up behind an open January.)
    let payroll = |county: &RegionCode| minzheng_server::payments::model::Payroll {
        id: 0,
        program: "tekun".into(),
        county: county.clone(),
        month: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        status: minzheng_server::payments::model::PayrollStatus::Prepared,
        prepared_by: "test".into(),
        approved_by: None,
        lines: 0,
        total: minzheng_domain::Fen(0),
    };
    let payments = minzheng_server::payments::store::payment_store(store.as_ref());
    let county_of = |c: &RegionCode| c.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let inside_payroll = payments.save_payroll(&payroll(&county_of(&inside.community)), &[], &Actor::new("test")).await.expect("payroll");
    let outside_payroll = payments.save_payroll(&payroll(&county_of(&outside.community)), &[], &Actor::new("test")).await.expect("payroll");
    let overpaid = |county: RegionCode, household: &Household, p: &Person| minzheng_server::payments::recovery::Overpayment {
        id: 0,
        enrolment_id: 1,
        program: "dibao".into(),
        county,
        household_no: household.household_no.clone(),
        payee: p.id_number,
        payee_name: p.name.clone(),
        months: vec![chrono::NaiveDate::from_ymd_opt(2026, 8, 1).expect("date")],
        amount: minzheng_domain::Fen(104_100),
        repaid: minzheng_domain::Fen(0),
        status: minzheng_server::payments::recovery::RecoveryStatus::Open,
        reason: "test".into(),
        instalment: minzheng_domain::Fen(0),
    };
    let ledger = minzheng_server::payments::recovery_store::recovery_store(store.as_ref());
    let inside_head = city.persons.iter().find(|p| p.household_no.as_deref() == Some(&inside.household_no)).expect("member");
    ledger
        .open_recoveries(
            &[
                overpaid(county_of(&inside.community), &inside, inside_head),
                overpaid(county_of(&outside.community), &outside, &outside_person),
            ],
            &Actor::new("test"),
        )
        .await
        .expect("recoveries");
    let all = ledger.recoveries(&RegionCode::parse("21").expect("province")).await.expect("recoveries");
    let recovery_in = |c: &RegionCode| all.iter().find(|o| c.contains(&o.county) || o.county.contains(c)).map(|o| o.id).expect("recovery");
    let (inside_recovery, outside_recovery) = (recovery_in(&inside.community), recovery_in(&outside.community));
    let outside_case = case_about(store.as_ref(), &outside, &outside_person).await;
    let (inside_institution, inside_assessment) = eldercare_about(store.as_ref(), &inside.community, inside_head).await;
    let (outside_institution, outside_assessment) = eldercare_about(store.as_ref(), &outside.community, &outside_person).await;
    let inside_death = death_about(store.as_ref(), &inside.community, inside_head).await;
    let outside_death = death_about(store.as_ref(), &outside.community, &outside_person).await;
    let (inside_marriage, inside_divorce) = marriage_about(store.as_ref(), &inside.community).await;
    let (outside_marriage, outside_divorce) = marriage_about(store.as_ref(), &outside.community).await;
    let inside_org = org_about(store.as_ref(), &inside.community, 0).await;
    let outside_org = org_about(store.as_ref(), &outside.community, 1).await;
    let inside_name = name_about(store.as_ref(), &inside.community).await;
    let outside_name = name_about(store.as_ref(), &outside.community).await;
    let inside_order = order_about(store.as_ref(), &inside.community).await;
    let outside_order = order_about(store.as_ref(), &outside.community).await;
    let inside_warning = warning_about(store.as_ref(), &inside, inside_head).await;
    let outside_warning = warning_about(store.as_ref(), &outside, &outside_person).await;
    Fixture {
        app: router(state),
        store,
        city,
        inside,
        outside,
        outside_person,
        inside_run,
        outside_run,
        inside_finding,
        outside_finding,
        inside_verification,
        outside_verification,
        inside_case,
        outside_case,
        inside_task,
        outside_task,
        inside_payroll,
        outside_payroll,
        inside_recovery,
        outside_recovery,
        inside_institution,
        outside_institution,
        inside_assessment,
        outside_assessment,
        inside_death,
        outside_death,
        inside_marriage,
        outside_marriage,
        inside_divorce,
        outside_divorce,
        inside_org,
        outside_org,
        inside_name,
        outside_name,
        inside_order,
        outside_order,
        inside_warning,
        outside_warning,
        documents: dir.path().join("documents"),
        _dir: dir,
    }
}

/// A stored (empty) household check report of the household.
/// A 高龄补贴 application of the household, accepted at its own community.
/// An institution of a community's county and an ability assessment of a person there.
pub async fn eldercare_about(store: &dyn Store, community: &RegionCode, p: &Person) -> (i64, i64) {
    use minzheng_server::eldercare::{assessment, model, store as elder};
    let county = community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let filing = model::Filing {
        name: format!("{}养老院", county),
        region: community.clone(),
        address: "地址".into(),
        legal_representative: "负责人".into(),
        premises: "自有".into(),
        beds: model::Beds { total: 10, nursing: 5, day_care: 0, home: 0 },
        floor_area: 800,
        contact: "024-1".into(),
        registration: "52210100MJY000000X".into(),
        pledge: true,
        first_admission: Some(chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")),
        ownership: model::Ownership::Public,
        tekun_home: true,
        regional_centre: false,
    };
    let i = model::Institution {
        id: 0,
        filing,
        filed_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 5).expect("date"),
        receipt: String::new(),
        filed_late: false,
        grade: None,
        status: model::InstitutionStatus::Open,
        closes_on: None,
        resettlement_plan: String::new(),
    };
    let s = elder::eldercare_store(store);
    let institution = s.add_institution(&i, &Actor::new("test")).await.expect("institution").id;
    let answers = assessment::Answers {
        scores: assessment::ITEMS.iter().map(|i| i.max()).collect(),
        coma: false,
        dementia: false,
        mental_disorder: false,
        risk_events: 0,
    };
    let a = elder::AssessmentRecord {
        id: 0,
        id_number: p.id_number.to_string(),
        name: p.name.clone(),
        community: community.to_string(),
        assessed_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 5).expect("date"),
        reason: assessment::Reason::First,
        assessor: "评估员".into(),
        organisation: String::new(),
        outcome: assessment::assess(&answers).expect("assessed"),
        answers,
        recorded_by: "test".into(),
        recorded_at: chrono::Utc::now(),
    };
    (institution, s.add_assessment(&a, &Actor::new("test")).await.expect("assessment"))
}

/// A death record of a person in the community, written straight into the funeral table so
/// that the registry (which the other tests count) is left as it is; returns its id.
pub async fn death_about(store: &dyn Store, community: &RegionCode, p: &Person) -> i64 {
    let minzheng_store::Handle::Sqlite(db) = store.handle() else { panic!("the fixture runs on SQLite") };
    let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    sqlx::query(
        "INSERT INTO death_records (id_number, name, community, died_on, place, cause, certifier, certifier_org, certificate_no, \
         programs, recorded_by, recorded_on, recorded_at) VALUES (?, ?, ?, ?, 'hospital', 'disease', 'hospital', '医院', 'T1', '', 'test', ?, ?) \
         RETURNING id",
    )
    .bind(p.id_number.to_string())
    .bind(p.name.clone())
    .bind(community.to_string())
    .bind(day)
    .bind(day)
    .bind(chrono::Utc::now())
    .fetch_one(db.pool())
    .await
    .map(|r| sqlx::Row::get::<i64, _>(&r, "id"))
    .expect("death")
}

/// A marriage registered by the community's county (two parties not in the registry) and a
/// divorce application of theirs received there.
pub async fn marriage_about(store: &dyn Store, community: &RegionCode) -> (i64, i64) {
    use minzheng_server::marriage::model::{Declared, DivorceStatus, DivorceTimeline, HouseholdChange};
    use minzheng_server::marriage::store::{marriage_store, DivorceRecord, Marriage, PartyRecord};
    let county = &community.as_str()[..6];
    let area: u32 = county.parse().expect("county");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 5, 20).expect("date");
    let a = IdNumber::from_parts(area, chrono::NaiveDate::from_ymd_opt(1995, 1, 1).expect("date"), 810, Sex::Male);
    let b = IdNumber::from_parts(area, chrono::NaiveDate::from_ymd_opt(1996, 2, 2).expect("date"), 820, Sex::Female);
    let m = Marriage {
        id: 0,
        office: county.to_string(),
        first: PartyRecord { id_number: a.to_string(), name: "新郎".into(), declared: Declared::Single },
        second: PartyRecord { id_number: b.to_string(), name: "新娘".into(), declared: Declared::Single },
        registered_on: day,
        certificate_no: String::new(),
        household_change: HouseholdChange::None,
        kinship_note: String::new(),
        dissolved_on: None,
        dissolved_by: None,
        recorded_by: "test".into(),
        recorded_at: chrono::Utc::now(),
    };
    let ms = marriage_store(store);
    let m = ms.add_marriage(&m, None, &Actor::new("test")).await.expect("marriage");
    // Received a month ago: in its window for the certificate, whatever today is.
    let received = minzheng_domain::calendar::today_in_beijing() - chrono::Duration::days(40);
    let d = DivorceRecord {
        id: 0,
        office: county.to_string(),
        first_id: a.to_string(),
        first_name: "新郎".into(),
        second_id: b.to_string(),
        second_name: "新娘".into(),
        marriage_certificate_no: m.certificate_no.clone(),
        marriage_id: Some(m.id),
        timeline: DivorceTimeline::of(received, &minzheng_domain::calendar::WorkCalendar::new(&[])),
        status: DivorceStatus::Received,
        withdrawn_by: String::new(),
        closed_on: None,
        certificate_no: None,
        recorded_by: "test".into(),
        recorded_at: chrono::Utc::now(),
    };
    let d = ms.add_divorce(&d, &Actor::new("test")).await.expect("divorce");
    (m.id, d)
}

/// A social organisation registered by the community's county.
pub async fn org_about(store: &dyn Store, community: &RegionCode, k: usize) -> i64 {
    use minzheng_server::socialorg::store::socialorg_store;
    let today = minzheng_domain::calendar::today_in_beijing();
    let orgs = minzheng_server::socialorg::demo::orgs(&community.as_str()[..6], 1, 100_000 + k, 1, today);
    let s = socialorg_store(store);
    s.load_orgs(&orgs, &Actor::new("test")).await.expect("org");
    let county = RegionCode::parse(&community.as_str()[..6]).expect("county");
    s.orgs_in(&county, minzheng_server::socialorg::model::OrgStatus::Active, 1).await.expect("orgs")[0].id
}

/// A street name applied for in the community's county.
pub async fn name_about(store: &dyn Store, community: &RegionCode) -> i64 {
    use minzheng_server::placename::model::{Category, Status};
    use minzheng_server::placename::store::{placename_store, PlaceName};
    let p = PlaceName {
        id: 0,
        county: community.as_str()[..6].to_string(),
        category: Category::Street,
        specific: "测试".into(),
        generic: "路".into(),
        name: "测试路".into(),
        location: "x".into(),
        reason: "y".into(),
        renames_id: None,
        status: Status::Applied,
        applied_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).expect("date"),
        review: String::new(),
        reviewed_on: None,
        consult_from: None,
        consult_to: None,
        consult_note: String::new(),
        decided_on: None,
        approver: String::new(),
        approval_no: String::new(),
        refused_reason: String::new(),
        filed_on: None,
        announced_on: None,
        recorded_by: "test".into(),
    };
    placename_store(store).add(&p, &Actor::new("test")).await.expect("name")
}

/// A resident living alone in a household of their own (`LR` and the serial) in the community.
pub async fn lone_resident(store: &dyn Store, community: &RegionCode, serial: u16, birth: chrono::NaiveDate) -> Person {
    let county: u32 = community.as_str()[..6].parse().expect("county");
    let p = Person {
        id_number: IdNumber::from_parts(county, birth, serial, Sex::Male),
        name: format!("独居{serial}"),
        sex: Sex::Male,
        birth_date: birth,
        hukou_region: community.clone(),
        household_no: Some(format!("LR{serial:04}")),
        relation: Relation::Head,
        status: PersonStatus::Alive,
        disability: None,
        phone: None,
        tags: vec![],
    };
    let h = Household {
        household_no: format!("LR{serial:04}"),
        head: Some(p.id_number),
        address: "独居路1号".into(),
        community: community.clone(),
        grid: None,
        building: None,
        kind: HouseholdKind::Urban,
    };
    let batch = RegistryBatch { households: vec![h], persons: vec![p.clone()], source: "test".into(), checksum: String::new() };
    store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("batch");
    p
}

pub async fn case_about(store: &dyn Store, h: &Household, p: &Person) -> i64 {
    case_about_on(store, h, p, "apply_gaoling", chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date")).await
}

/// An application for `service` of `p` accepted on `on`.
pub async fn case_about_on(store: &dyn Store, h: &Household, p: &Person, service: &str, on: chrono::NaiveDate) -> i64 {
    use minzheng_domain::case::{Case, CaseStatus, TimeLimits};
    let catalogue = minzheng_app::cases::Catalogue::shenyang();
    let service = catalogue.service(service).expect("service");
    let applicant = minzheng_domain::case::Applicant {
        id_number: p.id_number,
        name: p.name.clone(),
        household_no: h.household_no.clone(),
        household_size: 1,
        community: h.community.clone(),
        owner: h.community.ancestor(minzheng_domain::RegionLevel::County).expect("county"),
    };
    let c = Case::accepted(service, applicant, h.community.clone(), on, &minzheng_domain::WorkCalendar::default(), &TimeLimits::default());
    let e = minzheng_store::CaseEvent {
        case_id: 0,
        action: "accept".into(),
        from: String::new(),
        to: CaseStatus::Accepted,
        comment: "测试受理".into(),
        actor: "test".into(),
        role: "community_worker".into(),
        at: chrono::Utc::now(),
    };
    store.add_case(&c, c.waiting_for(service).map(Role::as_str), &e, &Actor::new("test")).await.expect("case")
}

pub async fn report_about(store: &dyn Store, h: &Household) -> i64 {
    use minzheng_domain::verification::{Authorisation, VerificationReport};
    let on = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
    let r = VerificationReport {
        id: 0,
        household_no: h.household_no.clone(),
        community: h.community.clone(),
        on,
        authorisation: Authorisation { reference: "核字1号".into(), signed_on: on, signed_by: vec![] },
        members: vec![],
        items: vec![],
        figures: vec![],
        programs: vec![],
        empty_sources: vec!["deaths".into()],
        made_by: "test".into(),
        made_at: chrono::Utc::now(),
    };
    store.add_household_check(&r, &Actor::new("test")).await.expect("report")
}

/// A 低保 enrolment of the household and a finding that its member died.
pub async fn finding_about(store: &dyn Store, h: &Household, p: &Person) -> i64 {
    use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus, Evidence, Fen, Finding, FindingKind, FindingStatus};
    let county = h.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let e = Enrolment {
        id: 0,
        program: "dibao".into(),
        household_no: h.household_no.clone(),
        county,
        members: vec![EnrolledMember { id_number: p.id_number, name: p.name.clone(), amount: None, end: None }],
        monthly_amount: Fen(60_000),
        start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        status: EnrolmentStatus::Active,
        end: None,
    };
    let ids = store.upsert_enrolments(&[e], "test roster", &Actor::new("test")).await.expect("enrolment");
    let f = Finding {
        id: 0,
        kind: FindingKind::Deceased,
        enrolment_id: ids[0],
        program: "dibao".into(),
        household_no: h.household_no.clone(),
        id_number: Some(p.id_number),
        region: h.community.clone(),
        confidence: 1000,
        summary_zh: format!("{}据殡葬数据已死亡，仍在保", p.name),
        summary_en: "deceased according to the funeral service, still enrolled".into(),
        evidence: vec![
            Evidence {
                source: "enrolments".into(),
                batch: None,
                fields: vec![
                    ("姓名".into(), p.name.clone()),
                    ("保障项目".into(), "dibao".into()),
                    ("月保障金额".into(), "600.00 元".into()),
                ],
            },
            Evidence {
                source: "deaths".into(),
                batch: Some("ab".repeat(32)),
                fields: vec![("姓名".into(), p.name.clone()), ("死亡日期".into(), "2026-06-20".into())],
            },
        ],
        key: format!("deceased:{}:{}", ids[0], p.id_number),
        found_on: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"),
        status: FindingStatus::New,
        assigned_to: None,
        resolution: None,
    };
    store.add_findings(std::slice::from_ref(&f), &Actor::new("test")).await.expect("finding");
    store
        .search_findings(&minzheng_store::FindingQuery { region: Some(h.community.clone()), limit: 1, ..Default::default() })
        .await
        .expect("list")
        .items[0]
        .id
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The error's stable code: the API's JSON `error.code`, or the `data-code` of the error
    /// page a page route answers with.
    pub fn error_code(&self) -> String {
        if let Some(c) = self.json()["error"]["code"].as_str() {
            return c.to_string();
        }
        self.body
            .split_once("class=\"error-page\"")
            .and_then(|(_, rest)| rest.split_once("data-code=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(code, _)| code.to_string())
            .unwrap_or_default()
    }
}

/// Sends a request, with a session cookie and extra headers if given.
pub async fn send(
    app: &axum::Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some((content_type, b)) => req.header("content-type", content_type).body(Body::from(b)),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).to_string() }
}

pub async fn get(app: &axum::Router, uri: &str, cookie: Option<&str>) -> Reply {
    send(app, Method::GET, uri, cookie, &[], None).await
}

/// A session: the cookie to send and the CSRF token.
pub struct Signed {
    pub cookie: String,
    pub csrf: String,
}

pub async fn sign_in(app: &axum::Router, name: &str, password: &str) -> Result<Signed, Reply> {
    let body = serde_json::json!({ "name": name, "password": password }).to_string();
    let r = send(app, Method::POST, "/api/session", None, &[], Some(("application/json", body))).await;
    if r.status != StatusCode::OK {
        return Err(r);
    }
    let set = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let cookie = set.split(';').next().unwrap_or_default().to_string();
    let csrf = r.json()["csrf_token"].as_str().unwrap_or_default().to_string();
    Ok(Signed { cookie, csrf })
}

/// A grid event of the community, as its grid worker reports it (not yet dispatched).
pub async fn order_about(store: &dyn Store, community: &RegionCode) -> i64 {
    use minzheng_server::grid::model::{Order, OrderKind, OrderStatus};
    let o = Order {
        id: 0,
        kind: OrderKind::GridEvent,
        category: "environment".into(),
        title: "楼道堆放杂物".into(),
        description: String::new(),
        contact: String::new(),
        phone: "13800000000".into(),
        community: community.to_string(),
        grid: String::new(),
        place: String::new(),
        source_no: String::new(),
        status: OrderStatus::Received,
        received_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        accepted_on: None,
        dispatched_on: None,
        assigned_to: String::new(),
        due: None,
        signed_on: None,
        replied_on: None,
        reply: String::new(),
        closed_on: None,
        satisfaction: None,
        rework: 0,
        extended: false,
        escalated: false,
        reported_by: "test".into(),
    };
    let first = minzheng_server::grid::store::StepRecord {
        step: "file".into(),
        note: String::new(),
        by_name: "test".into(),
        by_role: "grid_worker".into(),
        on_day: o.received_on,
        at: chrono::Utc::now(),
    };
    minzheng_server::grid::store::grid_store(store).add_order(&o, &first, &Actor::new("test")).await.expect("order")
}

/// The server URL and the name of a PostgreSQL test database, to drop at the end.
/// A monitoring warning (a death in the household) about a member of the household, stored as
/// a run's.
pub async fn warning_about(store: &dyn Store, h: &Household, p: &Person) -> i64 {
    use minzheng_server::monitoring::model::{Warning, WarningStatus};
    use minzheng_server::monitoring::store::{monitoring_store, RunRecord};
    let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
    let m = monitoring_store(store);
    let w = Warning {
        id: 0,
        rule: "death_in_household".into(),
        severity: minzheng_policy::warnings::Severity::High,
        responder: minzheng_policy::warnings::Responder::Grid,
        id_number: p.id_number.to_string(),
        name: p.name.clone(),
        household_no: h.household_no.clone(),
        community: h.community.to_string(),
        grid: String::new(),
        occurrence: 20261101,
        subject: h.household_no.clone(),
        detail: "家庭成员死亡日期：2026-11-01".into(),
        raised_on: on,
        due_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 9).expect("date"),
        assignee: String::new(),
        status: WarningStatus::Open,
        escalated: false,
        visited_on: None,
        findings: String::new(),
        outcome: None,
        target: String::new(),
        decided_on: None,
        closed_on: None,
        report: String::new(),
        run_id: 0,
    };
    let run = RunRecord {
        id: 0,
        kind: "nightly".into(),
        region: h.community.to_string(),
        source: String::new(),
        on_day: on,
        persons: 1,
        hits: 1,
        raised: 0,
        unknown: 0,
        millis: 0,
        started_by: "test".into(),
    };
    let run = m.record_run(&run, &[w], &Actor::new("test")).await.expect("run");
    m.queue(&h.community, minzheng_server::monitoring::store::Queue::Open, None, 0, 10)
        .await
        .expect("queue")
        .iter()
        .find(|w| w.run_id == run.id)
        .expect("warning")
        .id
}

pub type PgDatabase = Option<minzheng_testkit::PgDatabase>;

/// A fresh store on each database the tests run on (`minzheng_testkit::each_database`): the
/// SQLite store's folder, which the test removes, and each store with its PostgreSQL database.
pub async fn each_database(tag: &str) -> (std::path::PathBuf, Vec<(Arc<dyn Store>, PgDatabase)>) {
    let mut dir = std::path::PathBuf::new();
    let mut stores = Vec::new();
    for t in minzheng_testkit::each_database(tag).await {
        if let Some(d) = t.dir {
            dir = d.keep();
        }
        stores.push((t.store, t.pg));
    }
    (dir, stores)
}

/// Drops a PostgreSQL test database made by [`each_database`].
pub async fn drop_database(pg: PgDatabase) {
    if let Some(pg) = pg {
        pg.drop_database().await;
    }
}
