//! `minzheng bench statistics`: the monthly civil-affairs report (民政统计月报) of a city of N
//! persons from a fresh database (SQLite, or PostgreSQL with `--database-url`): the generated
//! city's registry and its roster of enrolments, a month's approved 低保 and 特困 payment list
//! for every county and a thousand 临时救助 decisions of that month, then the report asked as the
//! pages ask it: the city's (every county, with last month and the same month a year before:
//! three months worked out) and each county's. Set-up is timed on its own.

use super::*;
use minzheng_domain::case::{Case, CaseStatus, Decision, TimeLimits};
use minzheng_domain::{Fen, Principal, RegionCode, RegionLevel, Role};
use minzheng_server::payments::model::{Payroll, PayrollStatus};
use minzheng_server::statistics::service;
use minzheng_store::Actor;

pub(crate) async fn statistics(persons: u64, rounds: u32, seed: u64, database_url: Option<&str>) -> Result<()> {
    let shown = database_url.map_or_else(String::new, |u| format!(" --database-url {}", redact(u)));
    println!("command: minzheng bench statistics --persons {persons} --rounds {rounds} --seed {seed}{shown}");
    println!("machine: {}", machine());
    let dir = temp_dir("statistics");
    std::fs::create_dir_all(&dir)?;
    let fresh = fresh_database(database_url, &dir, "statistics").await?;
    let store = open(&fresh.url).await?;
    println!("  store: {:?}", store.backend());
    let t = Instant::now();
    let mut city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, seed))?;
    // Only the registry and the roster are stored: the departmental data is let go at once.
    drop(std::mem::take(&mut city.datasets));
    let generated = t.elapsed();
    let batch = RegistryBatch {
        households: std::mem::take(&mut city.households),
        persons: std::mem::take(&mut city.persons),
        source: "bench".into(),
        checksum: String::new(),
    };
    let (households, people) = (batch.households.len(), batch.persons.len());
    // A thousand households spread over the city, whose heads get 临时救助.
    let picked: Vec<&minzheng_domain::Household> =
        batch.households.iter().filter(|h| h.head.is_some()).step_by((households / 2_000).max(1)).take(1_000).collect();
    let wanted: std::collections::HashSet<minzheng_domain::IdNumber> = picked.iter().filter_map(|h| h.head).collect();
    let names: std::collections::HashMap<minzheng_domain::IdNumber, String> =
        batch.persons.iter().filter(|p| wanted.contains(&p.id_number)).map(|p| (p.id_number, p.name.clone())).collect();
    let heads: Vec<(String, minzheng_domain::IdNumber, String, RegionCode)> = picked
        .iter()
        .filter_map(|h| {
            let head = h.head?;
            Some((h.household_no.clone(), head, names.get(&head)?.clone(), h.community.clone()))
        })
        .collect();
    store.apply_batch(&batch, &Actor::new("bench"), &|_| {}).await?;
    drop(batch);
    let enrolments = crate::demo_roster(store.as_ref(), &city, &dir).await?;
    drop(city);
    println!(
        "set-up: {people} persons in {households} households (generated in {:.1} s) and {enrolments} enrolments loaded in {:.1} s",
        generated.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );

    // The month reported: the one the roster pays (the generator's day is 2026-07-01).
    let month = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
    let t = Instant::now();
    let counties: Vec<RegionCode> = regions::liaoning()
        .into_iter()
        .filter(|r| r.level == RegionLevel::County && r.code.as_str().starts_with("2101"))
        .map(|r| r.code)
        .collect();
    let payments = minzheng_server::payments::store::payment_store(store.as_ref());
    let actor = Actor::new("bench");
    for county in &counties {
        let live = service::live(store.as_ref(), county, month).await?;
        for (program, total) in [("dibao", live.get("dibao_urban_persons").copied().unwrap_or(0) * 70_000), ("tekun", 1_000_000)] {
            let p = Payroll {
                id: 0,
                program: program.into(),
                county: county.clone(),
                month,
                status: PayrollStatus::Prepared,
                prepared_by: "bench".into(),
                approved_by: None,
                lines: 0,
                total: Fen(total),
            };
            let id = payments.save_payroll(&p, &[], &actor).await?;
            payments.move_payroll(id, PayrollStatus::Prepared, PayrollStatus::Approved, &Actor::new("bench_approver")).await?;
        }
    }
    let catalogue = minzheng_app::cases::Catalogue::shenyang();
    let linshi = catalogue.service("apply_linshi").context("the catalogue has 临时救助")?;
    for (i, (household_no, head, name, community)) in heads.iter().enumerate() {
        let applicant = minzheng_domain::case::Applicant {
            id_number: *head,
            name: name.clone(),
            household_no: household_no.clone(),
            household_size: 1,
            community: community.clone(),
            owner: community.ancestor(RegionLevel::County).context("county")?,
        };
        let on = month + chrono::Duration::days((i % 28) as i64);
        let mut c =
            Case::accepted(linshi, applicant, community.clone(), on, &minzheng_domain::WorkCalendar::default(), &TimeLimits::default());
        c.status = CaseStatus::Approved;
        c.file.decision = Some(Decision {
            on,
            by: "bench".into(),
            approved: true,
            reason: String::new(),
            amount: Some(Fen(50_000 + (i as i64 % 10) * 10_000)),
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
            to: CaseStatus::Approved,
            comment: String::new(),
            actor: "bench".into(),
            role: "county_approver".into(),
            at: chrono::Utc::now(),
        };
        store.add_case(&c, None, &e, &actor).await?;
    }
    println!(
        "set-up: {} payment lists approved and {} 临时救助 decisions in {:.1} s",
        counties.len() * 2,
        heads.len(),
        t.elapsed().as_secs_f64()
    );

    let city_code = RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let admin = Principal { name: "bench".into(), role: Role::CityAdmin, region: city_code.clone() };
    let mut city_times = Vec::new();
    let mut month_times = Vec::new();
    let mut county_times = Vec::new();
    for round in 0..rounds.max(1) {
        let t = Instant::now();
        let r = service::report(store.as_ref(), &admin, None, month)
            .await
            .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?;
        city_times.push(t.elapsed());
        if round == 0 {
            let f = |k: &str| r.figures.get(k).copied().unwrap_or(0);
            println!(
                "city, {}: 低保 {} households / {} persons urban, {} / {} rural; 特困 {} + {}; 孤儿 {}; 高龄 {}; 临时救助 {} cases {} yuan; 低保 spending {} yuan",
                month.format("%Y-%m"),
                f("dibao_urban_households"),
                f("dibao_urban_persons"),
                f("dibao_rural_households"),
                f("dibao_rural_persons"),
                f("tekun_concentrated"),
                f("tekun_dispersed"),
                f("orphans"),
                f("gaoling_persons"),
                f("temporary_cases"),
                f("temporary_amount") / 100,
                f("spending_dibao") / 100
            );
        }
        let t = Instant::now();
        service::live(store.as_ref(), &city_code, month).await?;
        month_times.push(t.elapsed());
        for county in &counties {
            let t = Instant::now();
            service::report(store.as_ref(), &admin, Some(county), month)
                .await
                .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?;
            county_times.push(t.elapsed());
        }
    }
    let line = |what: &str, times: Vec<Duration>| println!("{what}: {}", latencies(times));
    line("the city's report (three months worked out: this, last, a year before)", city_times);
    line("one month of the city worked out", month_times);
    line("a county's report (three months)", county_times);
    drop(store);
    drop_fresh(fresh).await?;
    if std::env::var_os("MINZHENG_BENCH_KEEP").is_some() {
        println!("kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}
