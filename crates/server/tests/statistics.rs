//! 民政统计 as a county's statistics office uses it: October's report is worked out from what the
//! records say was paid (a member whose part ended is not counted; 特困 persons in the county
//! home are in concentrated support; only approved lists are spending; 临时救助 decided in the
//! month); September and the October before are beside it; the county closes October and it
//! never changes again, by the pages or by SQL, while a correction is noted beside a figure;
//! each figure opens the people behind it, masked for the city. On each database, then as the
//! staff meet it in the pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::*;
use minzheng_domain::case::{Case, CaseStatus, Decision, TimeLimits};
use minzheng_domain::{
    EnrolledMember, Enrolment, EnrolmentStatus, Fen, Household, HouseholdKind, IdNumber, Person, PersonStatus, Principal, RegionCode,
    RegionLevel, Relation, Role, Sex,
};
use minzheng_server::statistics::{service, store::statistics_store};
use minzheng_store::{Actor, RegistryBatch, Store};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, String)> {
    Some(("application/x-www-form-urlencoded", serde_urlencoded::to_string(pairs).expect("form")))
}

/// A household of `community` with its members (the first the head), stored.
async fn household(store: &dyn Store, community: &RegionCode, no: &str, kind: HouseholdKind, members: &[(u16, &str, &str)]) -> Vec<Person> {
    let county: u32 = community.ancestor(RegionLevel::County).expect("county").as_str().parse().expect("county");
    let persons: Vec<Person> = members
        .iter()
        .enumerate()
        .map(|(i, (serial, name, born))| {
            let born = day(born);
            Person {
                id_number: IdNumber::from_parts(county, born, *serial, if serial % 2 == 1 { Sex::Male } else { Sex::Female }),
                name: (*name).into(),
                sex: if serial % 2 == 1 { Sex::Male } else { Sex::Female },
                birth_date: born,
                hukou_region: community.clone(),
                household_no: Some(no.into()),
                relation: if i == 0 { Relation::Head } else { Relation::Child },
                status: PersonStatus::Alive,
                disability: None,
                phone: None,
                tags: vec![],
            }
        })
        .collect();
    let h = Household {
        household_no: no.into(),
        head: Some(persons[0].id_number),
        address: format!("{no}号楼"),
        community: community.clone(),
        grid: None,
        building: None,
        kind,
    };
    let batch = RegistryBatch { households: vec![h], persons: persons.clone(), source: "test".into(), checksum: String::new() };
    store.apply_batch(&batch, &Actor::system(), &|_| {}).await.expect("household");
    persons
}

fn enrolment(program: &str, no: &str, county: &RegionCode, members: &[&Person], amount: i64, start: &str) -> Enrolment {
    Enrolment {
        id: 0,
        program: program.into(),
        household_no: no.into(),
        county: county.clone(),
        members: members.iter().map(|p| EnrolledMember::new(p.id_number, p.name.clone(), None)).collect(),
        monthly_amount: Fen(amount),
        start: day(start),
        status: EnrolmentStatus::Active,
        end: None,
    }
}

/// A 临时救助 case of the person decided on `on` (approved or refused) with `amount`.
async fn temporary(store: &dyn Store, community: &RegionCode, p: &Person, on: &str, approved: bool, amount: i64) {
    let catalogue = minzheng_app::cases::Catalogue::shenyang();
    let service = catalogue.service("apply_linshi").expect("service");
    let applicant = minzheng_domain::case::Applicant {
        id_number: p.id_number,
        name: p.name.clone(),
        household_no: p.household_no.clone().expect("household"),
        household_size: 1,
        community: community.clone(),
        owner: community.ancestor(RegionLevel::County).expect("county"),
    };
    let mut c =
        Case::accepted(service, applicant, community.clone(), day(on), &minzheng_domain::WorkCalendar::default(), &TimeLimits::default());
    c.status = if approved { CaseStatus::Approved } else { CaseStatus::Refused };
    c.file.decision = Some(Decision {
        on: day(on),
        by: "county_approver".into(),
        approved,
        reason: if approved { String::new() } else { "不符合条件".into() },
        amount: Some(Fen(amount)),
        start: None,
        review_on: None,
        enrolment: None,
        explanation: None,
        exit_until: None,
        band: None,
    });
    let e = minzheng_store::CaseEvent {
        case_id: 0,
        action: "decide".into(),
        from: String::new(),
        to: c.status,
        comment: "测试".into(),
        actor: "test".into(),
        role: "county_approver".into(),
        at: chrono::Utc::now(),
    };
    store.add_case(&c, None, &e, &Actor::new("test")).await.expect("case");
}

/// A month's payment list of a program for the county, with a line per household, moved to
/// `status`.
async fn payroll(store: &dyn Store, program: &str, county: &RegionCode, month: &str, lines: &[(&str, &Person, i64)], approved: bool) {
    use minzheng_server::payments::model::{Payroll, PayrollLine, PayrollStatus};
    let lines: Vec<PayrollLine> = lines
        .iter()
        .enumerate()
        .map(|(i, (no, p, net))| PayrollLine {
            line_no: i as i64 + 1,
            enrolment_id: 0,
            household_no: (*no).into(),
            payee: p.id_number,
            payee_name: p.name.clone(),
            account_name: String::new(),
            bank: "沈阳农商银行".into(),
            account_no: format!("62210000000000{i}"),
            months: vec![day(month)],
            amount: Fen(*net),
            arrears: Fen(0),
            deduction: Fen(0),
            net: Fen(*net),
            note: String::new(),
            held: None,
            reissue_of: None,
        })
        .collect();
    let p = Payroll {
        id: 0,
        program: program.into(),
        county: county.clone(),
        month: day(month),
        status: PayrollStatus::Prepared,
        prepared_by: "test".into(),
        approved_by: None,
        lines: lines.len() as i64,
        total: Fen(lines.iter().map(|l| l.net.0).sum()),
    };
    let payments = minzheng_server::payments::store::payment_store(store);
    let id = payments.save_payroll(&p, &lines, &Actor::new("test")).await.expect("payroll");
    if approved {
        assert!(payments
            .move_payroll(id, PayrollStatus::Prepared, PayrollStatus::Approved, &Actor::new("approver"))
            .await
            .expect("approve"));
    }
}

/// The county of 浑南区 and a community of it; a community of another county.
fn places() -> (RegionCode, RegionCode, RegionCode) {
    let regions = minzheng_app::regions::liaoning();
    let community = |county: &str| {
        regions
            .iter()
            .find(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with(county))
            .map(|r| r.code.clone())
            .expect("community")
    };
    (code("210112"), community("210112"), community("210102"))
}

#[tokio::test]
async fn the_monthly_report_counts_what_was_paid_and_a_closed_month_never_changes_on_each_database() {
    let (dir, stores) = each_database("statistics").await;
    for (store, pg) in stores {
        let backend = store.backend();
        minzheng_app::regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
        // The standards of the policy files (城市 847.60 元 from July 2026, 农村 651 元).
        let _state = minzheng_server::AppState::new(store.clone(), &minzheng_app::config::Config::default()).await.expect("state");
        let (county, community, elsewhere) = places();
        let s = store.as_ref();
        // 城市低保: 赵家 of two since September; the daughter's part ended from October.
        let zhao =
            household(s, &community, "TJ001", HouseholdKind::Urban, &[(11, "赵立新", "1970-03-01"), (12, "赵小红", "2000-05-01")]).await;
        let mut e = enrolment("dibao", "TJ001", &county, &[&zhao[0], &zhao[1]], 120_000, "2026-09-01");
        e.members[1].end = Some(day("2026-10-01"));
        // 农村低保: 钱家 of three since June 2025.
        let qian = household(
            s,
            &community,
            "TJ002",
            HouseholdKind::Rural,
            &[(21, "钱大山", "1965-01-01"), (22, "钱秀兰", "1967-01-01"), (23, "钱小山", "1995-01-01")],
        )
        .await;
        let qian_dibao = enrolment("dibao", "TJ002", &county, &[&qian[0], &qian[1], &qian[2]], 150_000, "2025-06-01");
        // 特困: 孙老汉 in the county home (concentrated) since August, 李老太 at home.
        let sun = household(s, &community, "TJ003", HouseholdKind::Urban, &[(31, "孙老汉", "1940-01-01")]).await;
        let li = household(s, &community, "TJ004", HouseholdKind::Rural, &[(42, "李老太", "1938-01-01")]).await;
        // 孤儿: 周小宝.
        let zhou = household(s, &community, "TJ005", HouseholdKind::Urban, &[(51, "周小宝", "2015-01-01")]).await;
        // A 低保 household of another county, not in 浑南区's report.
        let wu = household(s, &elsewhere, "TJ006", HouseholdKind::Urban, &[(61, "吴某", "1960-01-01")]).await;
        let other_county = elsewhere.ancestor(RegionLevel::County).expect("county");
        store
            .upsert_enrolments(
                &[
                    e,
                    qian_dibao,
                    enrolment("tekun", "TJ003", &county, &[&sun[0]], 110_000, "2026-01-01"),
                    enrolment("tekun", "TJ004", &county, &[&li[0]], 90_000, "2026-01-01"),
                    enrolment("orphan", "TJ005", &county, &[&zhou[0]], 150_000, "2026-01-01"),
                    enrolment("dibao", "TJ006", &other_county, &[&wu[0]], 80_000, "2026-01-01"),
                ],
                "roster",
                &Actor::new("test"),
            )
            .await
            .expect("enrolments");
        let (institution, _) = eldercare_about(s, &community, &sun[0]).await;
        let elder = minzheng_server::eldercare::store::eldercare_store(s);
        let stay = minzheng_server::eldercare::model::Residency {
            id: 0,
            institution_id: institution,
            id_number: sun[0].id_number.to_string(),
            name: sun[0].name.clone(),
            admitted_on: day("2026-08-01"),
            discharged_on: None,
            concentrated: true,
        };
        elder.admit(&stay, &Actor::new("test")).await.expect("admitted");
        // October's 低保 list approved (2,700 yuan); September's still only prepared.
        payroll(s, "dibao", &county, "2026-10-01", &[("TJ001", &zhao[0], 120_000), ("TJ002", &qian[0], 150_000)], true).await;
        payroll(s, "dibao", &county, "2026-09-01", &[("TJ002", &qian[0], 150_000)], false).await;
        // 临时救助: 800 yuan approved on 15 October, 500 in September, one refused in October.
        temporary(s, &community, &qian[0], "2026-10-15", true, 80_000).await;
        temporary(s, &community, &zhao[0], "2026-09-20", true, 50_000).await;
        temporary(s, &community, &li[0], "2026-10-20", false, 30_000).await;

        let approver = Principal { name: "county_approver".into(), role: Role::CountyApprover, region: county.clone() };
        let october = day("2026-10-01");
        let r = service::report(s, &approver, Some(&county), october).await.expect("report");
        let f = &r.figures;
        let expect = [
            ("dibao_urban_households", 1),
            ("dibao_urban_persons", 1),
            ("dibao_rural_households", 1),
            ("dibao_rural_persons", 3),
            ("tekun_concentrated", 1),
            ("tekun_dispersed", 1),
            ("orphans", 1),
            ("temporary_cases", 1),
            ("temporary_amount", 80_000),
            ("spending_dibao", 270_000),
            ("spending_tekun", 0),
            ("standard_urban", 84_760),
            ("standard_rural", 65_100 * 12),
            ("average_urban", 120_000),
            ("average_rural", 50_000),
        ];
        for (line, value) in expect {
            assert_eq!(f.get(line), Some(&value), "{backend:?} October {line}: {f:?}");
        }
        // September: 赵家 both counted, no approved list, 500 yuan of 临时救助.
        assert_eq!(r.previous.get("dibao_urban_persons"), Some(&2), "{backend:?} {:?}", r.previous);
        assert_eq!(r.previous.get("spending_dibao"), Some(&0), "a prepared list is not spending");
        assert_eq!(r.previous.get("temporary_amount"), Some(&50_000));
        // October 2025: only 钱家; the standards then.
        assert_eq!(r.year_before.get("dibao_urban_households"), Some(&0));
        assert_eq!(r.year_before.get("dibao_rural_persons"), Some(&3));
        assert_eq!(r.year_before.get("standard_urban"), Some(&79_810));
        assert!(r.closed.is_none());

        // The city's report adds up its counties (吴某 counted); a community's only its own.
        let admin = Principal { name: "city_admin".into(), role: Role::CityAdmin, region: code("2101") };
        let city = service::report(s, &admin, None, october).await.expect("city");
        assert_eq!(city.figures.get("dibao_urban_households"), Some(&2), "{backend:?}");
        assert!(city.counties.iter().any(|c| c.code == "210112" && !c.closed), "{:?}", city.counties);
        let here = service::report(s, &admin, Some(&community), october).await.expect("community");
        assert_eq!(here.figures.get("dibao_urban_households"), Some(&1));
        assert_eq!(here.figures.get("spending_dibao"), Some(&270_000), "below a county, the lines of its households");

        // The persons behind a figure: in full for the county, masked for the city.
        let actor = Actor::new("county_approver");
        let units = service::units(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            october,
            "dibao_rural_persons",
            1,
        )
        .await
        .expect("units");
        let service::Units::Persons { rows } = units.units else { panic!("persons") };
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].id_number, qian[0].id_number.to_string());
        assert_eq!(rows[0].name, "钱大山");
        let units = service::units(
            s,
            &minzheng_app::RequestContext::new(&admin, &Actor::new("city_admin"), minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            october,
            "tekun_concentrated",
            1,
        )
        .await
        .expect("units");
        let service::Units::Persons { rows } = units.units else { panic!("persons") };
        assert_eq!(rows.len(), 1);
        assert!(rows[0].concentrated);
        assert_eq!(rows[0].name, "孙**", "the city sees names masked");
        assert!(rows[0].id_number.contains('*'), "{}", rows[0].id_number);
        let amount = service::units(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            october,
            "temporary_amount",
            1,
        )
        .await
        .expect("units");
        assert_eq!(amount.total, 1, "the list behind an amount counts its cases");
        let units = service::units(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            october,
            "temporary_cases",
            1,
        )
        .await
        .expect("units");
        let service::Units::Cases { rows } = units.units else { panic!("cases") };
        assert_eq!((rows.len(), rows[0].amount), (1, 80_000));
        let units = service::units(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            october,
            "dibao_urban_households",
            1,
        )
        .await
        .expect("units");
        let service::Units::Households { rows } = units.units else { panic!("households") };
        assert_eq!((rows[0].household_no.as_str(), rows[0].head_name.as_str(), rows[0].persons), ("TJ001", "赵立新", 1));
        // Outside the account's region: refused.
        let outside = service::report(s, &approver, Some(&other_county), october).await;
        assert!(matches!(outside, Err(service::StatFailure::Access(_))), "{outside:?}");

        // The county closes October. A street account cannot; the current month cannot be.
        let street = Principal { name: "street_reviewer".into(), role: Role::StreetReviewer, region: community.parent().expect("street") };
        let now = chrono::Utc::now();
        let today = day("2026-12-07");
        assert!(matches!(
            service::close(s, &minzheng_app::RequestContext::new(&street, &actor, today), &county, october, now).await,
            Err(service::StatFailure::Access(_))
        ));
        let not_over =
            service::close(s, &minzheng_app::RequestContext::new(&approver, &actor, today), &county, day("2026-12-01"), now).await;
        assert!(
            matches!(not_over, Err(service::StatFailure::Invalid(minzheng_server::statistics::model::StatError::NotOver(_)))),
            "{not_over:?}"
        );
        let not_county = service::close(s, &minzheng_app::RequestContext::new(&approver, &actor, today), &community, october, now).await;
        assert!(matches!(not_county, Err(service::StatFailure::Invalid(_))), "{not_county:?}");
        let closed =
            service::close(s, &minzheng_app::RequestContext::new(&approver, &actor, today), &county, october, now).await.expect("closed");
        assert_eq!(closed.figures, r.figures);
        let city = service::report(s, &admin, None, october).await.expect("city");
        assert!(city.counties.iter().any(|c| c.code == "210112" && c.closed), "{backend:?}: {:?}", city.counties);
        let again = service::close(s, &minzheng_app::RequestContext::new(&approver, &actor, today), &county, october, now).await;
        assert!(
            matches!(again, Err(service::StatFailure::Invalid(minzheng_server::statistics::model::StatError::AlreadyClosed))),
            "{again:?}"
        );

        // A late roster adds a household to October: the live figure moves, the closed one not.
        let zheng = household(s, &community, "TJ007", HouseholdKind::Urban, &[(71, "郑某", "1962-01-01")]).await;
        store
            .upsert_enrolments(&[enrolment("dibao", "TJ007", &county, &[&zheng[0]], 60_000, "2026-10-01")], "roster", &actor)
            .await
            .expect("late");
        let live = service::live(s, &county, october).await.expect("live");
        assert_eq!(live.get("dibao_urban_households"), Some(&2));
        let r = service::report(s, &approver, Some(&county), october).await.expect("report");
        assert_eq!(r.figures.get("dibao_urban_households"), Some(&1), "{backend:?}: the closed figure");
        // The city adds up what its counties reported: 浑南区's closed figure and 吴某's county live.
        let city = service::report(s, &admin, None, october).await.expect("city");
        assert_eq!(city.figures.get("dibao_urban_households"), Some(&2), "{backend:?}: {:?}", city.figures);
        assert_eq!(city.figures.get("average_urban"), Some(&100_000), "(1,200 + 800) / 2 persons");
        let listed = service::units(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            Some(&county),
            october,
            "dibao_urban_households",
            1,
        )
        .await
        .expect("units");
        assert_eq!((listed.total, listed.closed), (2, Some(1)), "the list now, the figure as closed beside it");
        assert!(r.closed.is_some());
        // November compares with the closed October.
        let november = service::report(s, &approver, Some(&county), day("2026-11-01")).await.expect("november");
        assert_eq!(november.previous.get("dibao_urban_households"), Some(&1));
        assert_eq!(november.figures.get("dibao_urban_households"), Some(&2));

        // The error is noted beside the figure; the figure stays.
        let bad = service::correct(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            &county,
            october,
            "dibao_urban_households",
            2,
            "漏",
            now,
        )
        .await;
        assert!(matches!(bad, Err(service::StatFailure::Invalid(_))), "{bad:?}");
        let not_closed = service::correct(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            &county,
            day("2026-09-01"),
            "orphans",
            1,
            "漏报一户",
            now,
        )
        .await;
        assert!(matches!(not_closed, Err(service::StatFailure::Invalid(minzheng_server::statistics::model::StatError::NotClosed))));
        service::correct(
            s,
            &minzheng_app::RequestContext::new(&approver, &actor, minzheng_domain::calendar::today_in_beijing()),
            &county,
            october,
            "dibao_urban_households",
            2,
            "郑某10月起纳入，花名册晚报",
            now,
        )
        .await
        .expect("noted");
        let r = service::report(s, &approver, Some(&county), october).await.expect("report");
        assert_eq!(r.figures.get("dibao_urban_households"), Some(&1));
        let c = &r.closed.as_ref().expect("closed").corrections;
        assert_eq!((c.len(), c[0].value, c[0].line.as_str()), (1, 2, "dibao_urban_households"));

        // No path changes a closed month: not even SQL.
        let sql = [
            "UPDATE stat_months SET figures = '{}'",
            "DELETE FROM stat_months",
            "DELETE FROM stat_corrections",
            "UPDATE stat_corrections SET value = 9",
        ];
        for statement in sql {
            let failed = match store.handle() {
                minzheng_store::Handle::Sqlite(x) => {
                    sqlx::query(sqlx::AssertSqlSafe(statement)).execute(minzheng_store::Dialect::pool(x)).await.is_err()
                }
                minzheng_store::Handle::Postgres(x) => {
                    sqlx::query(sqlx::AssertSqlSafe(statement)).execute(minzheng_store::Dialect::pool(x)).await.is_err()
                }
            };
            assert!(failed, "{backend:?}: {statement} must be refused");
        }
        assert_eq!(statistics_store(s).closed_month("210112", october).await.unwrap().unwrap().figures, closed.figures);

        // Who closed and corrected is in the audit log.
        let log = store.audit_of("statistics_month", "210112/2026-10").await.expect("audit");
        let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, vec!["close_statistics_month", "correct_statistics_figure"], "{backend:?}");
        drop_database(pg).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Fetches a download's bytes.
async fn download(app: &axum::Router, uri: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::builder().uri(uri).header("cookie", cookie).body(axum::body::Body::empty()).expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    (status, res.into_body().collect().await.expect("body").to_bytes().to_vec())
}

/// The county's statistics office opens October's report from the menu, follows a figure to the
/// households behind it, exports the report, closes the month and notes a correction (a bad
/// figure refused with the form kept); the city reads the counties' closing.
#[tokio::test]
async fn the_county_closes_its_month_in_the_pages_and_follows_a_figure_to_the_households() {
    let f = fixture("statistics-pages").await;
    let county = f.inside.community.ancestor(RegionLevel::County).expect("county");
    let members: Vec<&Person> = f.city.persons.iter().filter(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).collect();
    let mut e = enrolment("dibao", &f.inside.household_no, &county, &members, 104_100, "2026-06-01");
    e.members.truncate(1);
    f.store.upsert_enrolments(&[e], "roster", &Actor::new("test")).await.expect("enrolment");
    let approver = sign_in(&f.app, Role::CountyApprover.as_str(), PASSWORD).await.map_err(|r| r.body).expect("approver");
    let home = get(&f.app, "/", Some(&approver.cookie)).await;
    assert!(home.body.contains(r#"href="/statistics""#), "in the menu");
    let area = if f.inside.kind == HouseholdKind::Urban { "urban" } else { "rural" };
    let uri = format!("/statistics?region={county}&month=2026-10");
    let r = get(&f.app, &uri, Some(&approver.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("社会救助月报") && r.body.contains("2026年10月") && r.body.contains("未关账"), "{}", r.body);
    let link = format!("/statistics/units?region={county}&#38;month=2026-10&#38;line=dibao_{area}_households");
    assert!(r.body.contains(&link), "the figure opens its households: {}", r.body);
    let r = get(&f.app, &link.replace("&#38;", "&"), Some(&approver.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&f.inside.household_no) && r.body.contains("1041.00"), "{}", r.body);
    assert!(r.body.contains("最低生活保障"), "the program by its name: {}", r.body);

    // The report as the bureau submits it.
    let (status, bytes) = download(&f.app, &format!("/statistics/report.xlsx?region={county}&month=2026-10"), &approver.cookie).await;
    assert_eq!(status, StatusCode::OK);
    let rows = minzheng_app::sheet::workbook_rows("report.xlsx", bytes).expect("workbook");
    let text: Vec<String> = rows.iter().map(|r| r.cells.iter().map(|c| c.text()).collect::<Vec<_>>().join("|")).collect();
    let line = if area == "urban" { "城市低保户数" } else { "农村低保户数" };
    assert!(text.iter().any(|t| t.starts_with(&format!("{line}|")) && t.contains("|户|1|")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("填报单位")), "{text:?}");

    // Closing the current month is refused on the page.
    let this_month = minzheng_domain::calendar::today_in_beijing().format("%Y-%m").to_string();
    let county_text = county.to_string();
    let r = send(
        &f.app,
        Method::POST,
        "/statistics/close",
        Some(&approver.cookie),
        &[],
        form(&[("csrf", &approver.csrf), ("region", &county_text), ("month", &this_month)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("尚未结束"), "{}", r.body);
    let r = send(
        &f.app,
        Method::POST,
        "/statistics/close",
        Some(&approver.cookie),
        &[],
        form(&[("csrf", &approver.csrf), ("region", &county_text), ("month", "2026-10")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &uri, Some(&approver.cookie)).await;
    assert!(r.body.contains("已关账") && r.body.contains("correct-figure"), "{}", r.body);
    // A figure that is not a number comes back with the form kept.
    let typed = [
        ("csrf", approver.csrf.as_str()),
        ("region", &county_text),
        ("month", "2026-10"),
        ("line", "spending_dibao"),
        ("value", "一千"),
        ("reason", "补录名册"),
    ];
    let r = send(&f.app, Method::POST, "/statistics/corrections", Some(&approver.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("无法识别") && r.body.contains("补录名册"), "{}", r.body);
    let typed = [
        ("csrf", approver.csrf.as_str()),
        ("region", &county_text),
        ("month", "2026-10"),
        ("line", "spending_dibao"),
        ("value", "1041.00"),
        ("reason", "补录名册"),
    ];
    let r = send(&f.app, Method::POST, "/statistics/corrections", Some(&approver.cookie), &[], form(&typed)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = get(&f.app, &uri, Some(&approver.cookie)).await;
    assert!(r.body.contains("更正为 1041.00：补录名册"), "{}", r.body);

    // The city reads which counties closed; it may not close.
    let admin = sign_in(&f.app, Role::CityAdmin.as_str(), PASSWORD).await.map_err(|r| r.body).expect("admin");
    let r = get(&f.app, "/statistics?month=2026-10", Some(&admin.cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("各区县关账情况") && r.body.contains("浑南区"), "{}", r.body);
    assert!(!r.body.contains("close-month"));
    let r = send(
        &f.app,
        Method::POST,
        "/statistics/close",
        Some(&admin.cookie),
        &[],
        form(&[("csrf", &admin.csrf), ("region", &county_text), ("month", "2026-09")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A community worker has no statistics.
    let worker = sign_in(&f.app, Role::CommunityWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("worker");
    assert_eq!(get(&f.app, "/statistics", Some(&worker.cookie)).await.status, StatusCode::FORBIDDEN);
}
