//! 数据比对 from the files to the settled finding: the bureau's roster and the departments'
//! files come in (dirty ID numbers linked back), every enrolment of the city is compared, each
//! planted anomaly is found with its evidence, a new death file is compared at once, and a
//! finding goes through its workflow within the region's staff only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use common::*;

use minzheng_app::verify as use_case;
use minzheng_app::RequestContext;
use minzheng_domain::economy::LinkKind;
use minzheng_domain::{FindingAction, FindingKind, FindingStatus, IdNumber, Principal, Resolution, Role};
use minzheng_policy::{Engine, PolicySet};
use minzheng_store::{Actor, FindingQuery, RegistryBatch, Store};
use minzheng_synth::AnomalyKind;
use std::collections::HashSet;
use std::sync::Arc;

const AS_OF: &str = "2026-07-01";

struct World {
    store: Arc<dyn Store>,
    city: minzheng_synth::City,
    engine: Engine,
    files: std::path::PathBuf,
    _d: Dir,
}

/// A city of 6,000 with 5% planted anomalies, its registry, departmental files and roster stored.
async fn world(tag: &str) -> World {
    let dir = std::env::temp_dir().join(format!("minzheng-verify-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = minzheng_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await.expect("store");
    minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
    let config = minzheng_synth::Config { anomaly_share: 0.05, ..minzheng_synth::Config::new(6000, 7) };
    let city = minzheng_synth::generate(&minzheng_app::regions::liaoning(), &config).expect("city");
    let batch = RegistryBatch {
        households: city.households.clone(),
        persons: city.persons.clone(),
        source: "test".into(),
        checksum: String::new(),
    };
    store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("registry");
    let files = dir.join("files");
    minzheng_synth::files::write_city(&city, &files, minzheng_synth::files::Format::Csv).expect("files");
    let engine = Engine::new(PolicySet::shenyang(), 2).await.expect("engine");
    minzheng_app::policy::ensure_parameters(store.as_ref(), &engine, &Actor::system()).await.expect("params");
    let centre = Actor::new("city.centre");
    minzheng_app::economy::import_dir(&store, &files, day(AS_OF), &centre).await.expect("departmental files");
    let roster =
        minzheng_app::enrolment::import_roster(store.as_ref(), &engine, &files.join("enrolments.csv"), &centre).await.expect("roster");
    assert!(roster.import.rejected.is_empty(), "the generated roster is clean: {:?}", roster.import.rejected.first());
    assert!(roster.enrolments > 50, "{} enrolments", roster.enrolments);
    World { store, city, engine, files, _d: Dir(dir) }
}

#[tokio::test]
async fn the_city_comparison_finds_every_planted_anomaly_on_the_roster_once() {
    let w = world("city").await;
    let admin = who(Role::CityAdmin, "2101");
    let report =
        use_case::compare_region(w.store.as_ref(), &w.engine, &caller(&admin).cx(), &code("2101"), day(AS_OF)).await.expect("compare");
    assert!(report.enrolments > 50 && report.added > 0, "{report:?}");
    let mut findings = Vec::new();
    let mut before = None;
    loop {
        let page = w
            .store
            .search_findings(&FindingQuery { region: Some(code("2101")), before, limit: 1000, ..Default::default() })
            .await
            .expect("list");
        findings.extend(page.items);
        match page.next {
            Some(n) => before = n.parse().ok(),
            None => break,
        }
    }
    assert_eq!(findings.len() as u64, report.added);
    let of = |kind: FindingKind| findings.iter().filter(move |f| f.kind == kind);

    // Everyone listed in two households' 低保 is found as enrolled twice.
    let twice: HashSet<IdNumber> = of(FindingKind::EnrolledTwice).filter_map(|f| f.id_number).collect();
    let planted: Vec<_> = w.city.anomalies.iter().filter(|a| a.kind == AnomalyKind::EnrolledTwice).collect();
    assert!(!planted.is_empty(), "the roster has planted double enrolments");
    for a in &planted {
        assert!(twice.contains(&a.true_id), "{} enrolled twice is found", a.true_id.masked());
    }

    // A funeral record of an enrolled member: found, with the death record as evidence.
    let enrolled: HashSet<String> = w.city.roster.rows.iter().map(|r| r[4].clone()).collect();
    let deceased: HashSet<IdNumber> = of(FindingKind::Deceased).filter_map(|f| f.id_number).collect();
    let planted_deaths: Vec<_> = w
        .city
        .anomalies
        .iter()
        .filter(|a| a.kind == AnomalyKind::DeceasedStillRegistered && enrolled.contains(&a.true_id.to_string()))
        .collect();
    assert!(!planted_deaths.is_empty(), "the roster has members reported dead");
    for a in &planted_deaths {
        assert!(deceased.contains(&a.true_id), "{} reported dead is found", a.true_id.masked());
    }
    let with_record =
        of(FindingKind::Deceased).find(|f| f.evidence.iter().any(|e| e.source == "deaths")).expect("a death record as evidence");
    assert!(with_record.evidence[1].batch.is_some(), "the departmental record names its batch");
    assert!(with_record.evidence[1].fields.iter().any(|(k, _)| k == "死亡日期"));
    // The roster's side in staff's words: the program and the paying county by name.
    let roster = &with_record.evidence[0].fields;
    let field = |name: &str| roster.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    assert!(!field("保障项目").is_empty() && field("保障项目").chars().all(|c| !c.is_ascii_lowercase()), "{roster:?}");
    assert!(field("发放区县").contains('（') && !field("发放区县").starts_with(|c: char| c.is_ascii_digit()), "{roster:?}");

    // A poor household with a car planted and on the 低保 roster: no longer eligible, the vehicle as evidence.
    let dibao_households: HashSet<&str> = w.city.roster.rows.iter().filter(|r| r[0] == "dibao").map(|r| r[1].as_str()).collect();
    let no_longer: HashSet<&str> = of(FindingKind::NoLongerEligible).map(|f| f.household_no.as_str()).collect();
    let cars: Vec<&str> = w
        .city
        .anomalies
        .iter()
        .filter(|a| a.kind == AnomalyKind::PoorHouseholdWithCar)
        .filter_map(|a| w.city.persons.iter().find(|p| p.id_number == a.true_id).and_then(|p| p.household_no.as_deref()))
        .filter(|h| dibao_households.contains(h))
        .collect();
    assert!(!cars.is_empty(), "poor households with a car are on the roster");
    for h in &cars {
        assert!(no_longer.contains(h), "{h} owns a car and is found no longer eligible");
    }
    let car = of(FindingKind::NoLongerEligible).find(|f| cars.contains(&f.household_no.as_str())).expect("a car finding");
    assert!(car.evidence.iter().any(|e| e.source == "policy"), "the failed rule is shown");
    assert!(car.evidence.iter().any(|e| e.source == "vehicles"), "the vehicle record is shown");
    assert!(car.summary_zh.contains("不符合条件"), "{}", car.summary_zh);

    // What the other departments' rows say of enrolled members: the hukou moved to another
    // province, living or insured in another city (空挂户; 人户分离 inside the city is not), income
    // the tax office sees, a marriage since the enrolment began.
    let planted_of = |kind: AnomalyKind| -> HashSet<IdNumber> {
        w.city.anomalies.iter().filter(|a| a.kind == kind && enrolled.contains(&a.true_id.to_string())).map(|a| a.true_id).collect()
    };
    let found_of = |kind: FindingKind, source: &str| -> HashSet<IdNumber> {
        of(kind).filter(|f| f.evidence.iter().any(|e| e.source == source)).filter_map(|f| f.id_number).collect()
    };
    let moved = planted_of(AnomalyKind::HukouMovedOut);
    assert!(!moved.is_empty(), "enrolled members with their hukou moved away are planted");
    assert_eq!(
        found_of(FindingKind::MovedOut, "hukou_moves"),
        moved,
        "every move out of the paying county is found, and no move within it"
    );
    let moves = w.city.datasets.iter().find(|t| t.name == "hukou_moves").expect("moves");
    assert!(
        moves.rows.iter().any(|r| enrolled.contains(&r[0]) && !moved.iter().any(|m| m.as_str() == r[0])),
        "enrolled members moving within their own district are in the data too"
    );
    let absent = planted_of(AnomalyKind::LivesElsewhere);
    assert!(!absent.is_empty(), "enrolled members living elsewhere are planted");
    let found_absent: HashSet<IdNumber> = of(FindingKind::Absent).filter_map(|f| f.id_number).collect();
    assert_eq!(found_absent, absent, "空挂户 found from residence and social insurance in other cities only");
    let taxed: HashSet<&str> = w
        .city
        .anomalies
        .iter()
        .filter(|a| a.kind == AnomalyKind::UndeclaredIncome)
        .filter_map(|a| w.city.persons.iter().find(|p| p.id_number == a.true_id).and_then(|p| p.household_no.as_deref()))
        .filter(|h| dibao_households.contains(h))
        .collect();
    assert!(!taxed.is_empty(), "income seen only by the tax office is planted in households on 低保");
    for h in &taxed {
        assert!(no_longer.contains(h), "{h} has income the tax office reports and is found no longer eligible");
    }
    let married = planted_of(AnomalyKind::MarriedSinceEnrolment);
    assert!(!married.is_empty(), "marriages since the enrolment are planted");
    let found_married = found_of(FindingKind::MembersMismatch, "marriages");
    for id in &married {
        assert!(found_married.contains(id), "{} married since the enrolment is found", id.masked());
    }
    let m = of(FindingKind::MembersMismatch).find(|f| f.evidence.iter().any(|e| e.source == "marriages")).expect("a marriage finding");
    assert!(m.summary_zh.contains("登记结婚"), "{}", m.summary_zh);

    // The comparison run again finds the same and stores nothing new.
    let again =
        use_case::compare_region(w.store.as_ref(), &w.engine, &caller(&admin).cx(), &code("2101"), day(AS_OF)).await.expect("again");
    assert_eq!((again.found, again.added), (report.found, 0));

    // Only those who may run comparisons, within their region.
    let worker = who(Role::CommunityWorker, w.city.households[0].community.as_str());
    assert!(use_case::compare_region(w.store.as_ref(), &w.engine, &caller(&worker).cx(), &code("2101"), day(AS_OF)).await.is_err());
    let officer = who(Role::VerificationOfficer, "210112");
    assert!(use_case::compare_region(w.store.as_ref(), &w.engine, &caller(&officer).cx(), &code("210102"), day(AS_OF)).await.is_err());
}

#[tokio::test]
async fn a_new_death_file_is_compared_at_once_and_a_typed_id_is_linked_back() {
    let w = world("incremental").await;
    // An enrolled member, alive, not reported dead so far.
    let planted: HashSet<IdNumber> = w.city.anomalies.iter().map(|a| a.true_id).collect();
    let row = w
        .city
        .roster
        .rows
        .iter()
        .find(|r| {
            let id = IdNumber::parse(&r[4]).expect("id");
            !planted.contains(&id) && w.city.persons.iter().any(|p| p.id_number == id && p.status == minzheng_domain::PersonStatus::Alive)
        })
        .expect("an enrolled member");
    let id = IdNumber::parse(&row[4]).expect("id");
    // The funeral service typed two adjacent digits of the birth date the wrong way round.
    let mut typed = id.as_str().as_bytes().to_vec();
    let pos = (6..16).find(|&i| typed[i] != typed[i + 1]).expect("two different digits");
    typed.swap(pos, pos + 1);
    let typed = String::from_utf8(typed).expect("digits");
    assert!(IdNumber::parse(&typed).is_err(), "the check character catches the swap");
    let path = w.files.join("deaths-2026-07.csv");
    std::fs::write(&path, format!("身份证号,姓名,死亡日期,数据来源\n{typed},{},2026-06-20,殡葬火化\n", row[3])).expect("file");

    let centre = Actor::new("city.centre");
    let report = minzheng_app::economy::import_file(w.store.as_ref(), &path, day(AS_OF), &centre).await.expect("import");
    assert_eq!((report.rows, report.linked.matched), (1, 1), "{:?}", report.refused);
    assert_eq!(report.records[0].id_number, Some(id));
    assert_eq!(report.records[0].link, LinkKind::Matched);
    let why =
        report.records[0].fields.iter().find(|(k, _)| k == "关联评分说明").map(|(_, v)| v.clone()).expect("the link's score explained");
    assert!(why.contains("相邻两位颠倒") && why.contains("bits") && why.contains("match probability"), "{why}");
    let admin = who(Role::CityAdmin, "2101");
    let compared = use_case::compare_records(
        w.store.as_ref(),
        &w.engine,
        &minzheng_app::RequestContext::new(&admin, &centre, day("2026-11-01")),
        &report.records,
        day(AS_OF),
    )
    .await
    .expect("compare");
    assert!(compared.by_kind.get("deceased").copied().unwrap_or(0) >= 1, "{compared:?}");
    assert!(compared.enrolments >= 1 && compared.enrolments <= 2, "only the member's enrolments are compared: {compared:?}");
    let found = w
        .store
        .search_findings(&FindingQuery { region: Some(code("2101")), kind: Some(FindingKind::Deceased), limit: 100, ..Default::default() })
        .await
        .expect("list");
    let f = found.items.iter().find(|f| f.id_number == Some(id)).expect("the death is a finding");
    assert!(f.confidence >= 900 && f.confidence < 1000, "a fuzzy link's probability: {}", f.confidence);
    assert!(f.evidence[1].fields.iter().any(|(_, v)| v == &typed), "the record as the department wrote it");
    // The same file again: nothing stored, nothing compared.
    let again = minzheng_app::economy::import_file(w.store.as_ref(), &path, day(AS_OF), &centre).await.expect("again");
    assert!(!again.stored && again.records.is_empty());
}

#[tokio::test]
async fn a_row_without_a_number_is_linked_by_name_and_birth_date_and_a_valid_number_of_nobody_is_linked_back() {
    let w = world("noid").await;
    let planted: HashSet<IdNumber> = w.city.anomalies.iter().map(|a| a.true_id).collect();
    let alive = |id: &IdNumber| {
        !planted.contains(id) && w.city.persons.iter().any(|p| &p.id_number == id && p.status == minzheng_domain::PersonStatus::Alive)
    };
    let unique =
        |p: &minzheng_domain::Person| w.city.persons.iter().filter(|q| q.name == p.name && q.birth_date == p.birth_date).count() == 1;
    // An enrolled member the funeral home wrote down without a number (name, birth date, sex).
    let member = w
        .city
        .roster
        .rows
        .iter()
        .filter_map(|r| IdNumber::parse(&r[4]).ok())
        .filter(|id| alive(id))
        .filter_map(|id| w.city.persons.iter().find(|p| p.id_number == id))
        .find(|p| unique(p))
        .expect("an enrolled member")
        .clone();
    // A registered person whose number with month and day swapped still passes its check: a
    // valid number that names nobody.
    let swapped = |id: &IdNumber| {
        let s = id.as_str();
        format!("{}{}{}{}", &s[..10], &s[12..14], &s[10..12], &s[14..])
    };
    let other = w
        .city
        .persons
        .iter()
        .filter(|p| p.status == minzheng_domain::PersonStatus::Alive && p.id_number != member.id_number)
        .find(|p| {
            IdNumber::parse(&swapped(&p.id_number)).is_ok_and(|n| n != p.id_number && !w.city.persons.iter().any(|q| q.id_number == n))
        })
        .expect("a number whose day-month swap keeps the check");
    let nobody = "110105194912310046";
    assert!(!w.city.persons.iter().any(|p| p.id_number.as_str() == nobody));
    let sex = if member.id_number.sex() == minzheng_domain::Sex::Male { "男" } else { "女" };
    let path = w.files.join("cremations-2026-07.csv");
    std::fs::write(
        &path,
        format!(
            "身份证号,姓名,出生日期,性别,死亡日期,火化日期,殡仪馆\n,{},{},{sex},2026-06-20,2026-06-22,沈阳市殡仪馆\n{},{},,,2026-06-21,2026-06-23,沈阳市殡仪馆\n{nobody},钱多多,,,2026-06-21,2026-06-23,沈阳市殡仪馆\n",
            member.name,
            member.birth_date,
            swapped(&other.id_number),
            other.name
        ),
    )
    .expect("file");
    let centre = Actor::new("city.centre");
    let report = minzheng_app::economy::import_file(w.store.as_ref(), &path, day(AS_OF), &centre).await.expect("import");
    assert_eq!(report.rows, 3);
    let r = &report.records[0];
    assert_eq!((r.id_number, r.link), (Some(member.id_number), LinkKind::Matched), "{:?}", r.fields);
    assert!(r.fields.iter().any(|(k, v)| k == "关联评分说明" && v.contains("唯一候选人")), "{:?}", r.fields);
    let r = &report.records[1];
    assert_eq!(r.id_number, Some(other.id_number), "the valid number of nobody is linked back to its person: {:?}", r.fields);
    assert_ne!(r.link, LinkKind::Exact);
    // A valid number of someone not registered here, with nobody likely behind it: kept as it is.
    let r = &report.records[2];
    assert_eq!((r.id_number.map(|i| i.to_string()), r.link), (Some(nobody.to_string()), LinkKind::Unregistered));
    assert_eq!((report.linked.exact, report.linked.unregistered), (0, 1), "registered and not registered counted apart");
    assert!(report.refused.iter().all(|(n, _)| *n != 4), "{:?}", report.refused);
    // The death of the enrolled member is found, from the row without a number.
    let admin = who(Role::CityAdmin, "2101");
    let compared = use_case::compare_records(
        w.store.as_ref(),
        &w.engine,
        &minzheng_app::RequestContext::new(&admin, &centre, day("2026-11-01")),
        &report.records,
        day(AS_OF),
    )
    .await
    .expect("compare");
    assert!(compared.by_kind.get("deceased").copied().unwrap_or(0) >= 1, "{compared:?}");
}

#[tokio::test]
async fn residents_the_data_puts_in_another_city_are_tagged_absent_in_the_registry_and_untagged_when_back() {
    let w = world("absent").await;
    let admin = who(Role::CityAdmin, "2101");
    let r = use_case::tag_absent(w.store.as_ref(), &caller(&admin).cx(), &code("2101"), day(AS_OF)).await.expect("tag");
    let planted: HashSet<IdNumber> = w.city.anomalies.iter().filter(|a| a.kind == AnomalyKind::LivesElsewhere).map(|a| a.true_id).collect();
    assert!(!planted.is_empty());
    assert_eq!((r.tagged, r.absent, r.untagged), (planted.len(), planted.len(), 0), "{r:?}");
    assert!(r.persons > r.tagged, "residents living in another district of the city are read and not tagged: {r:?}");
    let one = *planted.iter().next().expect("one");
    let p = w.store.person(&one).await.expect("read").expect("person");
    assert!(p.tags.iter().any(|t| t == use_case::ABSENT_TAG), "{:?}", p.tags);
    let listed = w
        .store
        .search_persons(&minzheng_store::PersonQuery { tag: Some(use_case::ABSENT_TAG.into()), limit: 1000, ..Default::default() })
        .await
        .expect("by tag");
    assert_eq!(listed.items.len(), planted.len(), "the registry lists them by tag");
    let audit = w.store.audit_of("person", one.as_str()).await.expect("audit");
    assert!(
        audit.iter().any(|a| a.after.as_ref().is_some_and(|x| x.to_string().contains("空挂户"))),
        "the tag is audited with before and after"
    );
    // Again: nothing changes.
    let again = use_case::tag_absent(w.store.as_ref(), &caller(&admin).cx(), &code("2101"), day(AS_OF)).await.expect("again");
    assert_eq!((again.tagged, again.untagged, again.absent), (0, 0, planted.len()));
    // A newer residence registration back in the city removes the tag.
    let path = w.files.join("residence-2026-08.csv");
    std::fs::write(&path, format!("身份证号,姓名,居住地区划,居住地址,登记日期\n{one},{},210102,沈阳市和平区某小区,2026-06-30\n", p.name))
        .expect("file");
    minzheng_app::economy::import_file(w.store.as_ref(), &path, day(AS_OF), &Actor::new("city.centre")).await.expect("import");
    let back = use_case::tag_absent(w.store.as_ref(), &caller(&admin).cx(), &code("2101"), day(AS_OF)).await.expect("back");
    assert_eq!((back.tagged, back.untagged, back.absent), (0, 1, planted.len() - 1));
    // Only the city's administrator, who may run comparisons and change the registry: not a
    // verification officer (who compares but does not write the registry), not a community worker.
    let worker = who(Role::CommunityWorker, w.city.households[0].community.as_str());
    assert!(use_case::tag_absent(w.store.as_ref(), &caller(&worker).cx(), &code("2101"), day(AS_OF)).await.is_err());
    let officer = who(Role::VerificationOfficer, "210112");
    assert!(use_case::tag_absent(w.store.as_ref(), &caller(&officer).cx(), &code("210112"), day(AS_OF)).await.is_err());
    let runs = w.store.audit_of("registry", "absent:2101").await.expect("audit");
    assert_eq!(runs.iter().filter(|a| a.action == "tag_absent").count(), 3, "every run is audited, also one that changed nothing");
}

#[tokio::test]
async fn a_finding_is_worked_by_its_county_staff_in_order_and_audited() {
    let w = world("workflow").await;
    let admin = who(Role::CityAdmin, "2101");
    use_case::compare_region(w.store.as_ref(), &w.engine, &caller(&admin).cx(), &code("2101"), day(AS_OF)).await.expect("compare");
    let page = w.store.search_findings(&FindingQuery { region: Some(code("2101")), limit: 100, ..Default::default() }).await.expect("list");
    let f = page.items.iter().find(|f| f.region.as_str().len() == 12).expect("a finding in a community").clone();
    let county = &f.region.as_str()[..6];
    let street = &f.region.as_str()[..9];
    let approver = who(Role::CountyApprover, county);
    let other = who(Role::CountyApprover, if county == "210112" { "210102" } else { "210112" });
    let worker = who(Role::CommunityWorker, f.region.as_str());
    let note = "请入户核实并拍照";
    // The street's reviewer, who goes to see, and an officer of the county; and one of another street.
    let password = "Zhe-shi-1-ge-mima!";
    let centre = Actor::new("city.admin");
    for (name, role, region) in [
        ("wang.street", Role::StreetReviewer, street),
        ("li.county", Role::VerificationOfficer, county),
        ("zhao.elsewhere", Role::StreetReviewer, &other.region.as_str()[..6]),
    ] {
        let region = if name == "zhao.elsewhere" {
            w.city.households.iter().map(|h| h.community.as_str()[..9].to_string()).find(|s| s.starts_with(region)).expect("a street")
        } else {
            region.to_string()
        };
        minzheng_app::auth::create_account(w.store.as_ref(), None, &centre, name, role, &code(&region), password).await.expect("account");
    }
    let street_reviewer = who(Role::StreetReviewer, street);
    let street_reviewer = Principal { name: "wang.street".into(), ..street_reviewer };

    // Read: the community sees it, another county does not (and the refusal is audited).
    assert!(use_case::finding(w.store.as_ref(), &caller(&worker).cx(), f.id).await.is_ok());
    assert!(use_case::finding(w.store.as_ref(), &caller(&other).cx(), f.id).await.is_err());
    let listed =
        use_case::findings(w.store.as_ref(), &caller(&other).cx(), FindingQuery { limit: 1000, ..Default::default() }).await.expect("list");
    assert!(listed.items.iter().all(|x| x.region.as_str().starts_with(&other.region.as_str()[..6])), "another county lists only its own");
    // An auditor reads it with every ID number masked, in the finding and in its evidence.
    let auditor = who(Role::Auditor, county);
    let (masked, _) = use_case::finding(w.store.as_ref(), &caller(&auditor).cx(), f.id).await.expect("auditor reads");
    assert!(masked.masked && masked.id_number.as_deref().is_none_or(|i| i.contains('*')));
    assert!(
        masked.evidence.iter().flat_map(|e| e.fields.iter()).all(|(_, v)| IdNumber::parse(v).is_err()),
        "no full ID number in the evidence: {:?}",
        masked.evidence
    );

    // Work: not the community worker, not another county; steps in order with a comment.
    let assign = FindingAction::Assign { to: "wang.street".into() };
    assert!(use_case::act(w.store.as_ref(), &RequestContext::new(&worker, &actor(&worker), day(AS_OF)), f.id, &assign, note, None)
        .await
        .is_err());
    assert!(use_case::act(w.store.as_ref(), &RequestContext::new(&other, &actor(&other), day(AS_OF)), f.id, &assign, note, None)
        .await
        .is_err());
    assert!(
        use_case::act(
            w.store.as_ref(),
            &RequestContext::new(&approver, &actor(&approver), day(AS_OF)),
            f.id,
            &FindingAction::Verify,
            note,
            None
        )
        .await
        .is_err(),
        "verify before assign"
    );
    assert!(
        use_case::act(w.store.as_ref(), &RequestContext::new(&approver, &actor(&approver), day(AS_OF)), f.id, &assign, "好", None)
            .await
            .is_err(),
        "a comment is required"
    );
    for nobody in ["no.such.account", "zhao.elsewhere"] {
        let e = use_case::act(
            w.store.as_ref(),
            &RequestContext::new(&approver, &actor(&approver), day(AS_OF)),
            f.id,
            &FindingAction::Assign { to: nobody.into() },
            note,
            None,
        )
        .await;
        assert!(matches!(e, Err(use_case::StepError::Assignee(_))), "{nobody}: {e:?}");
    }
    let stop = FindingAction::Resolve { resolution: Resolution::Stop };
    let a = use_case::act(
        w.store.as_ref(),
        &RequestContext::new(&approver, &actor(&approver), day(AS_OF)),
        f.id,
        &assign,
        note,
        Some(FindingStatus::New),
    )
    .await
    .expect("assign");
    assert_eq!((a.status, a.assigned_to.as_deref()), (FindingStatus::Assigned, Some("wang.street")));
    let stale = use_case::act(
        w.store.as_ref(),
        &RequestContext::new(&approver, &actor(&approver), day(AS_OF)),
        f.id,
        &assign,
        note,
        Some(FindingStatus::New),
    )
    .await;
    assert!(matches!(stale, Err(use_case::StepError::Stale)), "a page showing it as new is out of date: {stale:?}");
    assert!(
        use_case::act(w.store.as_ref(), &RequestContext::new(&approver, &actor(&approver), day(AS_OF)), f.id, &stop, note, None)
            .await
            .is_err(),
        "resolve before verify"
    );
    let e = use_case::act(
        w.store.as_ref(),
        &RequestContext::new(&approver, &actor(&approver), day(AS_OF)),
        f.id,
        &FindingAction::Verify,
        note,
        None,
    )
    .await;
    assert!(matches!(e, Err(use_case::StepError::NotAssignee(_))), "only the assigned worker verifies: {e:?}");
    use_case::act(
        w.store.as_ref(),
        &RequestContext::new(&street_reviewer, &actor(&street_reviewer), day(AS_OF)),
        f.id,
        &FindingAction::Verify,
        "入户核实，情况属实",
        None,
    )
    .await
    .expect("verify");
    let e = use_case::act(
        w.store.as_ref(),
        &RequestContext::new(&street_reviewer, &actor(&street_reviewer), day(AS_OF)),
        f.id,
        &stop,
        note,
        None,
    )
    .await;
    assert!(matches!(e, Err(use_case::StepError::CountyDecides)), "the county decides: {e:?}");
    let done = use_case::act(
        w.store.as_ref(),
        &RequestContext::new(&approver, &actor(&approver), day(AS_OF)),
        f.id,
        &stop,
        "经区民政局审批停保",
        None,
    )
    .await
    .expect("resolve");
    assert_eq!((done.status, done.resolution), (FindingStatus::Resolved, Some(Resolution::Stop)));
    // The 停保 took effect on the enrolment, in the same transaction: no month after the event
    // (or after the decision) is paid, and the change is on record with what decided it.
    let stored = w.store.finding(f.id).await.expect("read").expect("finding");
    let enrolment = w.store.enrolment(f.enrolment_id).await.expect("read").expect("enrolment");
    let stop = stored.stop(day(AS_OF));
    let still_paid = if f.id_number.is_some() && enrolment.members.len() > 1 && enrolment.members.iter().all(|m| m.amount.is_some()) {
        enrolment.members.iter().all(|m| Some(m.id_number) != f.id_number)
    } else {
        enrolment.status == minzheng_domain::EnrolmentStatus::Stopped && !enrolment.paid_for(stop.end) && enrolment.end == Some(stop.end)
    };
    assert!(still_paid, "the enrolment took the stop: {enrolment:?}, stop {stop:?}");
    let changes = w.store.audit_of("enrolment", &format!("{}:{}", enrolment.program, enrolment.household_no)).await.expect("audit");
    assert!(changes
        .iter()
        .any(|r| r.action == "change" && r.after.as_ref().is_some_and(|a| a["decided_by"] == format!("finding:{}", f.id))));
    let (_, events) = use_case::finding(w.store.as_ref(), &caller(&approver).cx(), f.id).await.expect("read");
    assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["assign", "verify", "resolve"]);
    assert_eq!((events[1].actor.as_str(), events[2].actor.as_str()), ("wang.street", approver.name.as_str()));
    let audit = w.store.audit_of("finding", &f.id.to_string()).await.expect("audit");
    assert!(audit.iter().filter(|r| ["assign", "verify", "resolve"].contains(&r.action.as_str())).count() == 3);
    assert!(audit.iter().any(|r| r.action == "refused"), "the other county's attempt is on record");

    // Bulk assignment: each finding on its own; those out of scope are refused, the rest done.
    let ids: Vec<i64> = w
        .store
        .search_findings(&FindingQuery { region: Some(code(county)), status: Some(FindingStatus::New), limit: 3, ..Default::default() })
        .await
        .expect("list")
        .items
        .iter()
        .map(|x| x.id)
        .collect();
    let foreign = w
        .store
        .search_findings(&FindingQuery { region: Some(other.region.clone()), limit: 1, ..Default::default() })
        .await
        .expect("list")
        .items
        .first()
        .map(|x| x.id);
    let mut all = ids.clone();
    all.extend(foreign);
    let (ok, refused) = use_case::act_on_many(
        w.store.as_ref(),
        &RequestContext::new(&approver, &actor(&approver), day(AS_OF)),
        &all,
        &FindingAction::Assign { to: "li.county".into() },
        note,
    )
    .await;
    assert_eq!(ok.len(), ids.len());
    assert_eq!(refused.len(), usize::from(foreign.is_some()));
}

#[tokio::test]
async fn a_roster_row_in_error_refuses_its_whole_enrolment_and_keeps_the_rest() {
    let w = world("roster").await;
    let p = &w.city.persons[0];
    let q = &w.city.persons[1];
    let path = w.files.join("roster-bad.csv");
    let text = format!(
        "保障项目,户编号,区县代码,姓名,身份证号,月保障金额,起始月份,保障状态\n\
         城乡居民最低生活保障,H-1,210112,{},{},800.00,2026-05,在保\n\
         dibao,H-1,210112,{},{},800.00,2026-05,在保\n\
         高龄津贴,H-2,210112,{},{},25.00,2026年5月,在保\n\
         救急难,H-3,210112,{},{},25.00,2026-05,在保\n",
        p.name,
        p.id_number,
        q.name,
        &q.id_number.as_str()[..16],
        p.name,
        p.id_number,
        q.name,
        q.id_number
    );
    std::fs::write(&path, text).expect("file");
    let r = minzheng_app::enrolment::import_roster(w.store.as_ref(), &w.engine, &path, &Actor::new("city.centre")).await.expect("import");
    assert_eq!(r.enrolments, 1, "only H-2 is whole: {:?}", r.import.rejected);
    let rows: Vec<usize> = r.import.rejected.iter().map(|x| x.row).collect();
    assert_eq!(rows, vec![2, 3, 5]);
    assert!(
        r.import.rejected[0].reasons.iter().any(|x| x.en.contains("another row"))
            || r.import.rejected[0].reasons.iter().any(|x| x.en.contains("program")),
        "{:?}",
        r.import.rejected[0]
    );
    assert!(r.import.rejected[2].reasons.iter().any(|x| x.zh.contains("救急难")), "{:?}", r.import.rejected[2]);
    // The refusal lists the names the roster may use, the short ones staff write included
    // (高龄津贴 above is read as 高龄补贴).
    assert!(
        r.import.rejected[2].reasons.iter().any(|x| x.zh.contains("可写") && x.zh.contains("低保") && x.zh.contains("特困")),
        "{:?}",
        r.import.rejected[2]
    );
    assert_eq!(w.store.enrolments_of(&[p.id_number]).await.expect("of").iter().filter(|e| e.household_no.starts_with("H-")).count(), 1);
}

#[tokio::test]
async fn a_household_check_needs_every_adult_signature_lists_each_record_with_its_batch_and_prints() {
    use minzheng_app::economic_check as check;
    use minzheng_domain::verification::Authorisation;
    let w = world("check").await;
    // A poor household with a planted car, and its living adults.
    let owner = w
        .city
        .anomalies
        .iter()
        .find(|a| a.kind == AnomalyKind::PoorHouseholdWithCar && IdNumber::parse(&a.recorded_id).is_ok())
        .expect("a planted car");
    let no = w.city.persons.iter().find(|p| p.id_number == owner.true_id).and_then(|p| p.household_no.clone()).expect("household");
    let h = w.city.households.iter().find(|h| h.household_no == no).expect("household");
    let on = day(AS_OF);
    let adults: Vec<IdNumber> = w
        .city
        .persons
        .iter()
        .filter(|p| {
            p.household_no.as_deref() == Some(no.as_str())
                && p.status == minzheng_domain::PersonStatus::Alive
                && p.id_number.age_on(on) >= 18
        })
        .map(|p| p.id_number)
        .collect();
    let officer = who(Role::VerificationOfficer, &h.community.as_str()[..6]);
    let signed = |by: Vec<IdNumber>| Authorisation {
        reference: "核字〔2026〕18号".into(),
        signed_on: on - chrono::Duration::days(3),
        signed_by: by,
    };

    // Not signed by every adult: refused, saying who is missing.
    let partial = check::check_household(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&officer, &actor(&officer), chrono::Local::now().date_naive()),
        &no,
        signed(vec![]),
        on,
    )
    .await;
    assert!(matches!(partial, Err(minzheng_app::policy::PolicyFailure::Invalid { ref zh, .. }) if zh.contains("尚未签署")), "{partial:?}");
    // Only the verification centre, only in its county.
    let worker = who(Role::CommunityWorker, h.community.as_str());
    assert!(check::check_household(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&worker, &actor(&worker), chrono::Local::now().date_naive()),
        &no,
        signed(adults.clone()),
        on
    )
    .await
    .is_err());
    let other = who(Role::VerificationOfficer, if officer.region.as_str() == "210112" { "210102" } else { "210112" });
    assert!(check::check_household(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&other, &actor(&other), chrono::Local::now().date_naive()),
        &no,
        signed(adults.clone()),
        on
    )
    .await
    .is_err());

    let r = check::check_household(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&officer, &actor(&officer), chrono::Local::now().date_naive()),
        &no,
        signed(adults.clone()),
        on,
    )
    .await
    .expect("report");
    assert!(r.id > 0);
    assert!(
        r.items.iter().any(|i| i.source == "vehicles"),
        "the car is in the report: {:?}",
        r.items.iter().map(|i| &i.source).collect::<Vec<_>>()
    );
    for i in &r.items {
        assert!(i.batch.len() == 64 && !i.file_name.is_empty() && i.as_of <= on && i.row_no >= 2, "{i:?}");
    }
    let dibao = r.programs.iter().find(|p| p.code == "dibao").expect("低保 decided");
    assert!(!dibao.eligible && !dibao.unmet.is_empty(), "{dibao:?}");
    assert!(!r.figures.is_empty());

    // On a date before the files describe: none of their records, and the rules see no car.
    let before = check::check_household(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&officer, &actor(&officer), chrono::Local::now().date_naive()),
        &no,
        signed(adults.clone()),
        on - chrono::Duration::days(1),
    )
    .await
    .expect("earlier report");
    assert!(before.items.is_empty(), "{:?}", before.items.first());
    let cars =
        |r: &minzheng_domain::verification::VerificationReport| r.figures.iter().find(|f| f.name == "hh_cars").map(|f| f.value.clone());
    assert_ne!(cars(&before), cars(&r), "the vehicle counts differ: {:?} / {:?}", cars(&before), cars(&r));
    assert_eq!(w.store.household_checks_of(&no).await.expect("list").len(), 2);

    // Kept, readable by the county's staff and not by another county's; printable.
    let approver = who(Role::CountyApprover, officer.region.as_str());
    let back = check::report(w.store.as_ref(), &caller(&approver).cx(), r.id).await.expect("read");
    assert_eq!(back, r);
    assert!(check::report(w.store.as_ref(), &caller(&other).cx(), r.id).await.is_err());
    assert!(w.store.audit_of("household", &no).await.expect("audit").iter().any(|a| a.action == "verify"));
    let json = check::report_json(&back, Role::Auditor).to_string();
    assert!(!json.contains(adults[0].as_str()) && json.contains(&adults[0].masked()), "the API masks ID numbers for auditors");
    assert!(check::report_json(&back, Role::VerificationOfficer).to_string().contains(adults[0].as_str()));
    let pdf = check::report_pdf(&back, "社区", false);
    assert!(pdf.starts_with(b"%PDF-1.7") && pdf.len() > 2000);
    let text = minzheng_app::pdf::text_lines(&pdf).join("\n");
    assert!(!text.contains(adults[0].as_str()), "ID numbers are masked for roles that do not see them");
    assert!(text.contains(&adults[0].masked()), "{text}");
}

#[tokio::test]
async fn a_department_with_its_own_headers_is_read_through_a_column_mapping() {
    use minzheng_app::economy::{self, ColumnMap};
    let w = world("mapping").await;
    let p = w.city.persons.iter().find(|p| p.status == minzheng_domain::PersonStatus::Alive).expect("a person");
    let path = w.files.join("deaths-funeral-2026-07.csv");
    std::fs::write(&path, format!("公民身份号码,死者姓名,火化日期,来源\n{},{},2026-06-30,殡葬\n", p.id_number, p.name)).expect("file");
    let mapping = w.files.join("funeral.toml");
    std::fs::write(
        &mapping,
        "[columns]\n\"公民身份号码\" = \"身份证号\"\n\"死者姓名\" = \"姓名\"\n\"火化日期\" = \"死亡日期\"\n\"来源\" = \"数据来源\"\n",
    )
    .expect("mapping");
    let map = ColumnMap::load(&mapping, "deaths").expect("mapping");
    let r = economy::import_file_mapped(w.store.as_ref(), &path, day(AS_OF), &map, &Actor::new("centre")).await.expect("import");
    assert_eq!((r.rows, r.linked.exact), (1, 1));
    assert_eq!(r.records[0].event_date, Some(day("2026-06-30")), "the date read from the mapped column");
    assert!(r.records[0].fields.iter().any(|(k, _)| k == "死亡日期"));
    // A mapping onto a column the dataset does not have is refused, naming the columns it has.
    std::fs::write(&mapping, "[columns]\n\"火化日期\" = \"火化时间\"\n").expect("mapping");
    let e = ColumnMap::load(&mapping, "deaths").expect_err("unknown target");
    assert!(e.to_string().contains("死亡日期"), "{e}");
    // Without the mapping the file has no ID column: refused as a whole, nothing stored.
    let unmapped = economy::import_file(w.store.as_ref(), &path, day(AS_OF), &Actor::new("centre")).await;
    assert!(unmapped.is_err() || unmapped.as_ref().is_ok_and(|r| !r.stored));
}

#[tokio::test]
async fn a_row_the_linkage_could_not_decide_is_decided_by_a_person_and_then_compared() {
    use minzheng_domain::economy::{DeptRecord, LinkKind};
    let w = world("review").await;
    // An enrolled member, alive: a funeral record whose number the linkage could not decide.
    let row = w
        .city
        .roster
        .rows
        .iter()
        .find(|r| w.city.persons.iter().any(|p| p.id_number.as_str() == r[4] && p.status == minzheng_domain::PersonStatus::Alive))
        .expect("enrolled");
    let id = IdNumber::parse(&row[4]).expect("id");
    let person = w.city.persons.iter().find(|p| p.id_number == id).expect("person");
    let community = w
        .city
        .households
        .iter()
        .find(|h| Some(&h.household_no) == person.household_no.as_ref())
        .map(|h| h.community.clone())
        .expect("household");
    let batch = minzheng_store::EconomicBatch {
        checksum: "12".repeat(32),
        source: "deaths".into(),
        file_name: "deaths-2026-07.csv".into(),
        as_of: day(AS_OF),
        items: 0,
        recorded_by: "centre".into(),
        recorded_at: chrono::Utc::now(),
        months: Vec::new(),
    };
    let record = DeptRecord {
        id: 0,
        source: "deaths".into(),
        batch: "12".repeat(32),
        row_no: 2,
        recorded_id: "2101xxxxxxxxxxxxxx".into(),
        recorded_name: row[3].clone(),
        id_number: Some(id),
        link: LinkKind::Review,
        probability: 640,
        event_date: Some(day("2026-06-20")),
        fields: vec![
            ("身份证号".into(), "2101xxxxxxxxxxxxxx".into()),
            ("姓名".into(), row[3].clone()),
            ("死亡日期".into(), "2026-06-20".into()),
        ],
    };
    w.store.add_economic_batch(&batch, &[], &[record], &Actor::new("centre")).await.expect("store");
    let county = &community.as_str()[..6];
    let officer = who(Role::VerificationOfficer, county);
    let other = who(Role::VerificationOfficer, if county == "210112" { "210102" } else { "210112" });
    let queue = use_case::review_queue(w.store.as_ref(), &caller(&officer).cx(), None, 100).await.expect("queue");
    assert_eq!(queue.len(), 1);
    assert!(
        use_case::review_queue(w.store.as_ref(), &caller(&other).cx(), None, 100).await.expect("queue").is_empty(),
        "another county sees none"
    );
    let rid = queue[0].record.id;
    assert!(
        use_case::decide_link(
            w.store.as_ref(),
            &w.engine,
            &minzheng_app::RequestContext::new(&other, &actor(&other), day("2026-07-01")),
            rid,
            true
        )
        .await
        .is_err(),
        "not another county's"
    );
    let report = use_case::decide_link(
        w.store.as_ref(),
        &w.engine,
        &minzheng_app::RequestContext::new(&officer, &actor(&officer), day("2026-07-01")),
        rid,
        true,
    )
    .await
    .expect("decide")
    .expect("compared");
    assert!(report.by_kind.get("deceased").copied().unwrap_or(0) >= 1, "{report:?}");
    assert!(
        use_case::decide_link(
            w.store.as_ref(),
            &w.engine,
            &minzheng_app::RequestContext::new(&officer, &actor(&officer), day("2026-07-01")),
            rid,
            false
        )
        .await
        .is_err(),
        "decided once"
    );
    assert!(use_case::review_queue(w.store.as_ref(), &caller(&officer).cx(), None, 100).await.expect("queue").is_empty());
}

#[tokio::test]
async fn a_household_check_lists_the_newest_file_of_each_source_as_the_rules_count_it() {
    use minzheng_app::economic_check as check;
    use minzheng_domain::verification::Authorisation;
    let w = world("newest").await;
    let earner = w
        .city
        .persons
        .iter()
        .zip(&w.city.economy)
        .find(|(p, e)| e.wage > 0 && p.status == minzheng_domain::PersonStatus::Alive)
        .map(|(p, _)| p)
        .expect("a wage earner");
    let no = earner.household_no.clone().expect("household");
    let h = w.city.households.iter().find(|h| h.household_no == no).expect("household");
    // Next month's wage file: a new amount for the same person.
    let path = w.files.join("income-2026-08.csv");
    std::fs::write(&path, format!("身份证号,姓名,收入类型,所属月份,金额\n{},{},工资,2026-08,4321.00\n", earner.id_number, earner.name))
        .expect("file");
    minzheng_app::economy::import_file(w.store.as_ref(), &path, day("2026-08-01"), &Actor::new("centre")).await.expect("import");
    let adults: Vec<IdNumber> = w
        .city
        .persons
        .iter()
        .filter(|p| {
            p.household_no.as_deref() == Some(no.as_str())
                && p.status == minzheng_domain::PersonStatus::Alive
                && p.id_number.age_on(day("2026-08-01")) >= 18
        })
        .map(|p| p.id_number)
        .collect();
    let officer = who(Role::VerificationOfficer, &h.community.as_str()[..6]);
    let auth = Authorisation { reference: "核字〔2026〕30号".into(), signed_on: day("2026-08-01"), signed_by: adults };
    let r = check::check_household(
        w.store.as_ref(),
        &w.engine,
        &RequestContext::new(&officer, &actor(&officer), chrono::Local::now().date_naive()),
        &no,
        auth,
        day("2026-08-01"),
    )
    .await
    .expect("report");
    let wages: Vec<&str> = r
        .items
        .iter()
        .filter(|i| i.source == "income" && i.id_number == earner.id_number)
        .flat_map(|i| i.fields.iter().filter(|(k, _)| k == "金额").map(|(_, v)| v.as_str()))
        .collect();
    assert_eq!(wages, vec!["4321.00"], "only the August file's wage: {wages:?}");
    // The city's snapshot (the sweeps' bulk read) counts the same: the earner's wage is the
    // August one, and the earner's other sources are still there.
    use minzheng_domain::economy::ItemKind;
    let snapshot = minzheng_app::policy::snapshot(
        w.store.as_ref(),
        &minzheng_domain::RegionCode::parse(&h.community.as_str()[..4]).expect("city"),
        1,
        &|_| {},
    )
    .await
    .expect("snapshot");
    let (_, ids) = snapshot.keys();
    let pid = ids.iter().position(|i| i == earner.id_number.as_str()).expect("in the snapshot") as i64;
    let mut wage = Vec::new();
    for b in snapshot.table("income").expect("income").partitions.iter().flatten() {
        use minzheng_policy::arrow::array::AsArray;
        use minzheng_policy::arrow::datatypes::Int64Type;
        let (p, k, m) = (b.column(0).as_primitive::<Int64Type>(), b.column(1).as_string::<i32>(), b.column(2).as_primitive::<Int64Type>());
        wage.extend((0..b.num_rows()).filter(|&r| p.value(r) == pid && k.value(r) == ItemKind::Wage.as_str()).map(|r| m.value(r)));
    }
    assert_eq!(wage, vec![432_100], "only the August file's wage in the city snapshot");
}

/// The errors clerks make in the last two characters (the 17th digit and the check character
/// swapped, an X written 17th), and a number too wrong to repair: each row still finds its
/// person, by the number's candidates or else by name and the birth date the number carries;
/// a wrong number of someone unknown finds nobody.
#[tokio::test]
async fn the_last_two_characters_swapped_or_a_number_past_repair_still_find_their_person() {
    let w = world("lasttwo").await;
    let planted: HashSet<IdNumber> = w.city.anomalies.iter().map(|a| a.true_id).collect();
    let usable = |p: &&minzheng_domain::Person| {
        p.status == minzheng_domain::PersonStatus::Alive
            && !planted.contains(&p.id_number)
            && w.city.persons.iter().filter(|q| q.name == p.name && q.birth_date == p.birth_date).count() == 1
    };
    let last_two = |p: &&minzheng_domain::Person, x: bool| {
        let s = p.id_number.as_str().as_bytes();
        s[16] != s[17] && (s[17] == b'X') == x
    };
    let swap = |id: &IdNumber| {
        let mut s = id.as_str().as_bytes().to_vec();
        s.swap(16, 17);
        String::from_utf8(s).expect("ascii")
    };
    let digit = w.city.persons.iter().filter(usable).find(|p| last_two(p, false)).expect("a number ending in a digit").clone();
    let x = w.city.persons.iter().filter(usable).find(|p| last_two(p, true)).expect("a number ending in X").clone();
    // Two digits of the sequence code wrong: the check fails and no one-error repair is registered.
    let past_repair = w
        .city
        .persons
        .iter()
        .filter(usable)
        .filter(|p| p.id_number != digit.id_number && p.id_number != x.id_number)
        .find_map(|p| {
            let s = p.id_number.as_str();
            let b = s.as_bytes();
            let wrong = format!("{}{}{}{}", &s[..14], (b[14] - b'0' + 3) % 10, (b[15] - b'0' + 5) % 10, &s[16..]);
            let reachable = minzheng_verify::idmatch::candidate_ids(&minzheng_verify::Recorded::read(&wrong))
                .iter()
                .any(|c| w.city.persons.iter().any(|q| q.id_number == *c));
            (IdNumber::parse(&wrong).is_err() && !reachable).then(|| (p.clone(), wrong))
        })
        .expect("a number two digits off");
    // Someone of elsewhere, with a wrong number too: found by nothing.
    let stranger = "11010519491231004X";
    let path = w.files.join("cremations-2026-08.csv");
    std::fs::write(
        &path,
        format!(
            "身份证号,姓名,死亡日期,火化日期,殡仪馆\n{},{},2026-07-20,2026-07-22,沈阳市殡仪馆\n{},{},2026-07-20,2026-07-22,沈阳市殡仪馆\n{},{},2026-07-21,2026-07-23,沈阳市殡仪馆\n{stranger},钱多多,2026-07-21,2026-07-23,沈阳市殡仪馆\n",
            swap(&digit.id_number),
            digit.name,
            swap(&x.id_number),
            x.name,
            past_repair.1,
            past_repair.0.name
        ),
    )
    .expect("file");
    let report = minzheng_app::economy::import_file(w.store.as_ref(), &path, day(AS_OF), &Actor::new("city.centre")).await.expect("import");
    let linked: Vec<(Option<IdNumber>, LinkKind)> = report.records.iter().map(|r| (r.id_number, r.link)).collect();
    assert_eq!(
        linked[0],
        (Some(digit.id_number), LinkKind::Matched),
        "the 17th digit and the check swapped: {:?}",
        report.records[0].fields
    );
    assert_eq!(linked[1], (Some(x.id_number), LinkKind::Matched), "an X written 17th: {:?}", report.records[1].fields);
    assert_eq!(linked[2], (Some(past_repair.0.id_number), LinkKind::Matched), "by name and birth date: {:?}", report.records[2].fields);
    let why = report.records[2].fields.iter().find(|(k, _)| k == "关联评分说明").map(|(_, v)| v.clone()).unwrap_or_default();
    assert!(why.contains("有误且找不到对应的人") && !why.contains("无身份证号"), "{why}");
    assert_eq!(linked[3], (None, LinkKind::Unlinked), "a wrong number of nobody links to nobody");
}

/// A wage file of several months (所属月份) is read as the monthly wage over the months the file
/// covers, not as one month of all its wages; a row whose month cannot be read is refused with
/// its reason and the rest is stored.
#[tokio::test]
async fn monthly_income_rows_are_read_per_month() {
    let w = world("months").await;
    let p = w.city.persons.iter().find(|p| p.status == minzheng_domain::PersonStatus::Alive).expect("a person");
    let path = w.files.join("income-2026-q2.csv");
    let mut text = String::from("身份证号,姓名,收入类型,所属月份,金额\n");
    for month in ["2026-04", "2026年5月", "202606"] {
        text.push_str(&format!("{},{},工资,{month},300.00\n", p.id_number, p.name));
    }
    text.push_str(&format!("{},{},工资,上个月,300.00\n", p.id_number, p.name));
    // Someone of elsewhere paid in July: the file covers four months, whoever its rows are about.
    text.push_str("11010519491231004X,钱多多,工资,2026-07,5000.00\n");
    std::fs::write(&path, text).expect("file");
    let r = minzheng_app::economy::import_file(w.store.as_ref(), &path, day("2026-07-01"), &Actor::new("centre")).await.expect("import");
    assert_eq!(r.refused.len(), 2, "{:?}", r.refused);
    assert!(r.refused[0].1.zh.contains("所属月份“上个月”"), "{:?}", r.refused);
    let batch = w.store.economic_batches().await.expect("batches").into_iter().find(|b| b.file_name.contains("2026-q2")).expect("batch");
    let wages: Vec<i64> = w
        .store
        .economic_items_of(&[p.id_number])
        .await
        .expect("items")
        .into_iter()
        .filter(|(i, b)| *b == batch.checksum && i.kind == minzheng_domain::economy::ItemKind::Wage)
        .map(|(i, _)| i.amount)
        .collect();
    assert_eq!(wages, vec![22_500], "900 yuan over the four months April to July");
    assert_eq!(batch.months, ["2026-04", "2026-05", "2026-06", "2026-07"]);
    // The household's check says over which months the income was averaged.
    minzheng_app::policy::ensure_parameters(w.store.as_ref(), &w.engine, &Actor::system()).await.expect("params");
    let no = p.household_no.clone().expect("household");
    let community = w.city.households.iter().find(|h| h.household_no == no).expect("household").community.clone();
    let worker = who(Role::CommunityWorker, community.as_str());
    let check =
        minzheng_app::policy::check(w.store.as_ref(), &w.engine, &caller(&worker).cx(), &no, day("2026-08-01")).await.expect("check");
    let months: Vec<String> = check
        .programs
        .iter()
        .flat_map(|p| p.units.iter().flat_map(|u| u.steps.iter().flat_map(|s| s.features.iter())))
        .filter(|f| f.name == "income_months")
        .map(|f| f.value.clone())
        .collect();
    assert!(
        !months.is_empty() && months.iter().all(|m| m.contains("income-2026-q2.csv）：2026-04 至 2026-07，按 4 个月平均")),
        "{months:?}"
    );
    // A file of that source without its month column is refused whole, saying why.
    let bare = w.files.join("income-2026-bare.csv");
    std::fs::write(&bare, format!("身份证号,姓名,收入类型,金额\n{},{},工资,300.00\n", p.id_number, p.name)).expect("file");
    let e =
        minzheng_app::economy::import_file(w.store.as_ref(), &bare, day("2026-07-01"), &Actor::new("centre")).await.expect_err("refused");
    assert!(minzheng_domain::Bilingual::zh(&e).contains("所属月份"), "{e}");
}

/// 重新关联: a department's vehicle file names two people the registry did not have yet (one
/// written correctly, one with a wrong digit). Once the registry has them, the same file linked
/// again (a new run, without a fresh database) links both; the rules' items follow the new links,
/// the rows that changed go on to the comparison, and the audit log has the run with its counts.
/// The same file imported again as a first run still changes nothing.
#[tokio::test]
async fn a_stored_file_linked_again_finds_the_people_the_registry_gained_since() {
    use minzheng_app::economy::{self, ColumnMap, Run};
    let w = world("relink").await;
    let known: HashSet<IdNumber> = w.city.persons.iter().map(|p| p.id_number).collect();
    let model = w.city.persons.iter().find(|p| p.status == minzheng_domain::PersonStatus::Alive).expect("a person").clone();
    // Two new numbers on the model's birth date and sex (sequence digits 98 and 99).
    let fresh = |seq: &str| {
        let body = format!("{}{seq}{}", &model.id_number.as_str()[..14], &model.id_number.as_str()[16..17]);
        let id = IdNumber::parse(&format!("{body}{}", minzheng_domain::id::check_char(body.as_bytes()) as char)).expect("valid");
        assert!(!known.contains(&id));
        id
    };
    let (a, b) = (fresh("98"), fresh("99"));
    let mut typed = b.as_str().as_bytes().to_vec();
    typed[9] = if typed[9] == b'0' { b'1' } else { b'0' };
    let typed = String::from_utf8(typed).expect("digits");
    assert!(IdNumber::parse(&typed).is_err(), "the check character catches the wrong digit");
    let path = w.files.join("vehicles-2026-07.csv");
    std::fs::write(
        &path,
        format!(
            "身份证号,姓名,号牌号码,车辆类型,车辆价值,初次登记日期\n{a},新登记甲,辽A12345,小型轿车,80000,2024-03-01\n{typed},新登记乙,辽A54321,小型轿车,90000,2025-05-01\n"
        ),
    )
    .expect("file");
    let centre = Actor::new("city.centre");
    let first = economy::import_file(w.store.as_ref(), &path, day(AS_OF), &centre).await.expect("import");
    assert_eq!((first.linked.unregistered, first.linked.unlinked), (1, 1), "{:?}", first.refused);

    // The registry gains the two people (a move into the city, entered by the registry office).
    let person = |id: IdNumber, name: &str| minzheng_domain::Person { id_number: id, name: name.into(), ..model.clone() };
    let batch = RegistryBatch {
        households: Vec::new(),
        persons: vec![person(a, "新登记甲"), person(b, "新登记乙")],
        source: "moved-in".into(),
        checksum: String::new(),
    };
    w.store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("registry");

    // A first run of the same file still changes nothing.
    let same = economy::import_file(w.store.as_ref(), &path, day(AS_OF), &centre).await.expect("again");
    assert!(!same.stored && same.relinked.is_none() && same.records.is_empty());

    // Linked again: both rows link, the date stored with the file is kept.
    let again = economy::import_file_on(w.store.as_ref(), &path, None, &ColumnMap::default(), Run::Again, &centre).await.expect("relink");
    let relinked = again.relinked.expect("a new run of a stored file");
    assert_eq!((relinked.changed, relinked.kept_decisions, relinked.as_of), (2, 0, day(AS_OF)));
    assert_eq!((again.linked.exact, again.linked.matched), (1, 1), "{:?}", again.refused);
    assert_eq!(
        again.records.iter().map(|r| (r.id_number, r.link)).collect::<Vec<_>>(),
        [(Some(a), LinkKind::Exact), (Some(b), LinkKind::Matched)]
    );
    assert!(again.records.iter().all(|r| r.id > 0), "the changed rows keep their stored ids");
    let stored = w.store.dept_records_of(&[a, b]).await.expect("rows");
    assert_eq!(stored.len(), 2, "the stored rows are updated, not added to");
    let items = w.store.economic_items_of(&[a, b]).await.expect("items");
    assert_eq!(items.len(), 2, "each new person's car is counted once: {items:?}");
    assert!(items.iter().any(|(i, _)| i.id_number == b && i.amount == 9_000_000), "{items:?}");
    let audit = w
        .store
        .audit_search(&minzheng_store::AuditQuery { action: Some("relink".into()), limit: 10, ..Default::default() })
        .await
        .expect("audit");
    assert_eq!(audit.items.len(), 1);
    // A file never stored cannot be linked again without its date.
    let other = w.files.join("vehicles-2026-08.csv");
    std::fs::write(&other, "身份证号,姓名,号牌号码,车辆类型,车辆价值,初次登记日期\n").expect("file");
    let refused = economy::import_file_on(w.store.as_ref(), &other, None, &ColumnMap::default(), Run::Again, &centre).await;
    assert!(matches!(refused, Err(economy::EconomyError::NoDate(_))), "{refused:?}");
}

/// Linking an analyst's file against the registry reads and names persons anywhere in the city,
/// so a county's officer may not (the city's may); two files of one's own are linked by either.
#[tokio::test]
async fn only_the_city_links_a_file_against_the_whole_registry() {
    use minzheng_app::verify::RecordedRow;
    let w = world("linkscope").await;
    let p = &w.city.persons[0];
    let rows = vec![RecordedRow { id: p.id_number.to_string(), name: p.name.clone(), birth: None, sex: None }];
    let county = who(Role::VerificationOfficer, "210112");
    let city = who(Role::VerificationOfficer, "2101");
    let refused = use_case::link_file(w.store.as_ref(), &caller(&county).cx(), "mine.csv", &rows, None).await;
    assert!(matches!(refused, Err(minzheng_app::registry::AccessError::OutOfScope)), "{refused:?}");
    let linked = use_case::link_file(w.store.as_ref(), &caller(&city).cx(), "mine.csv", &rows, None).await.expect("the city may");
    assert_eq!(linked.links[0].link, LinkKind::Exact);
    let own = use_case::link_file(w.store.as_ref(), &caller(&county).cx(), "mine.csv", &rows, Some(("other.csv", &rows)))
        .await
        .expect("two files of one's own");
    assert_eq!(own.links[0].id_number, Some(p.id_number));
}

/// A row a reviewer decided in review keeps the decision when its file is linked again: the
/// new run alone would link the row to nobody (its number is unreadable and carries no birth
/// date), yet the row stays with the person the reviewer accepted and still gives the car.
#[tokio::test]
async fn a_reviewers_decision_survives_a_new_run_of_its_file() {
    use minzheng_app::economy::{self, Run};
    use minzheng_domain::economy::{DeptRecord, EconomicItem, ItemKind};
    let w = world("relinkreview").await;
    let p = w.city.persons.iter().find(|p| p.status == minzheng_domain::PersonStatus::Alive).expect("a person").clone();
    let checksum = "cd".repeat(32);
    let headers: Vec<String> = ["身份证号", "姓名", "号牌号码", "车辆类型", "车辆价值", "初次登记日期"].map(String::from).to_vec();
    let cells: Vec<String> =
        ["2101xxxxxxxxxxxxxx", p.name.as_str(), "辽A11111", "小型轿车", "80000", "2024-03-01"].map(String::from).to_vec();
    let batch = minzheng_store::EconomicBatch {
        checksum: checksum.clone(),
        source: "vehicles".into(),
        file_name: "vehicles-2026-07.csv".into(),
        as_of: day(AS_OF),
        items: 0,
        recorded_by: "centre".into(),
        recorded_at: chrono::Utc::now(),
        months: Vec::new(),
    };
    let record = DeptRecord {
        id: 0,
        source: "vehicles".into(),
        batch: checksum.clone(),
        row_no: 2,
        recorded_id: cells[0].clone(),
        recorded_name: p.name.clone(),
        id_number: Some(p.id_number),
        link: LinkKind::Review,
        probability: 700,
        event_date: None,
        fields: headers.iter().cloned().zip(cells.iter().cloned()).collect(),
    };
    let centre = Actor::new("centre");
    assert!(w.store.add_economic_batch(&batch, &[], &[record], &centre).await.expect("stored"));
    let id = w.store.dept_records_in_review(0, 10).await.expect("review").iter().find(|r| r.batch == checksum).expect("in review").id;
    let car = EconomicItem { id_number: p.id_number, kind: ItemKind::Car, amount: 8_000_000, source: "vehicles".into() };
    assert!(w.store.decide_link(id, true, Some(&car), &Actor::new("officer")).await.expect("accepted"));

    let source = economy::catalogue().get("vehicles").expect("source").clone();
    let again = economy::ingest_run(
        w.store.as_ref(),
        economy::DeptFile {
            source: &source,
            file_name: "vehicles-2026-07.csv",
            checksum: &checksum,
            headers: &headers,
            rows: &[(2, cells)],
        },
        None,
        Run::Again,
        &centre,
    )
    .await
    .expect("linked again");
    let r = again.relinked.expect("a new run");
    assert_eq!((r.changed, r.kept_decisions), (0, 1));
    assert_eq!(again.linked.matched, 1, "{:?}", again.refused);
    let row = w.store.dept_record(id).await.expect("read").expect("present");
    assert_eq!((row.link, row.id_number), (LinkKind::Matched, Some(p.id_number)));
    let items = w.store.economic_items_of(&[p.id_number]).await.expect("items");
    assert!(items.iter().any(|(i, b)| b == &checksum && i.kind == ItemKind::Car && i.amount == 8_000_000), "{items:?}");
}
