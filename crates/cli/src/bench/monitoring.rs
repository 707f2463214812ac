//! `minzheng bench monitoring`: the low-income monitoring of a generated city of N persons in a
//! fresh database (SQLite, or PostgreSQL with `--database-url`): its registry, departmental files
//! (with the monitoring's medical, disability and unemployment sources) and roster loaded (timed
//! on their own); then the nightly run of every warning rule over the city (twice: the second
//! raises nothing new), an incremental run for a file of F medical settlements (stored through
//! the import's path, then the run over the persons it names), and the warning queues with T open
//! warnings stored: Q pages of a community's, a street's and a county's open and overdue warnings.

use super::*;
use minzheng_domain::{Principal, RegionCode, RegionLevel, Role};
use minzheng_server::monitoring::model::{Warning, WarningStatus};
use minzheng_server::monitoring::service;
use minzheng_server::monitoring::store::{monitoring_store, Queue, RunRecord};
use minzheng_store::Actor;

pub(crate) async fn monitoring(
    persons: u64,
    seed: u64,
    file_rows: u64,
    tasks: u64,
    queries: u64,
    database_url: Option<&str>,
) -> Result<()> {
    let shown = database_url.map_or_else(String::new, |u| format!(" --database-url {}", redact(u)));
    println!(
        "command: minzheng bench monitoring --persons {persons} --seed {seed} --file-rows {file_rows} --tasks {tasks} --queries {queries}{shown}"
    );
    println!("machine: {}", machine());
    let dir = temp_dir("monitoring");
    std::fs::create_dir_all(&dir)?;
    let fresh = fresh_database(database_url, &dir, "monitoring").await?;
    let store = open(&fresh.url).await?;
    println!("  store: {:?}", store.backend());
    let t = Instant::now();
    let config = minzheng_synth::Config::new(persons, seed);
    let city = minzheng_synth::generate(&regions::liaoning(), &config)?;
    let batch = minzheng_store::RegistryBatch {
        households: city.households.clone(),
        persons: city.persons.clone(),
        source: "bench".into(),
        checksum: String::new(),
    };
    store.apply_batch(&batch, &actor(), &|_| {}).await?;
    drop(batch);
    let ids: Vec<(String, String)> = city.persons.iter().map(|p| (p.id_number.to_string(), p.name.clone())).collect();
    let city = minzheng_synth::City { datasets: city.datasets, roster: city.roster, ..Default::default() };
    let rows = crate::demo_economy(store.as_ref(), &city, config.as_of).await?;
    let enrolments = crate::demo_roster(store.as_ref(), &city, &dir).await?;
    drop(city);
    minzheng_app::cases::ensure_calendar(store.as_ref(), &actor()).await?;
    let engine = crate::policy::engine().await?;
    println!("set-up: {} persons, {rows} departmental rows, {enrolments} enrolments in {:.1} s", ids.len(), t.elapsed().as_secs_f64());
    let city_code = RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let admin = Principal { name: "bench".into(), role: Role::CityAdmin, region: city_code.clone() };
    let on = config.as_of;
    for round in ["first", "second"] {
        reset_peak_rss();
        let t = Instant::now();
        let r = service::run_region(
            store.as_ref(),
            &engine,
            &minzheng_app::RequestContext::new(&admin, &Actor::new("bench"), minzheng_domain::calendar::today_in_beijing()),
            Some(&city_code),
            on,
        )
        .await
        .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?;
        println!(
            "nightly run ({round}) over {} persons: {:.2} s wall, peak RSS {:.0} MiB; {} hits, {} new warnings {:?}; population {:?}",
            r.run.persons,
            t.elapsed().as_secs_f64(),
            peak_rss_mib(),
            r.run.hits,
            r.run.raised,
            r.by_rule,
            r.population
        );
    }
    // A medical file of `file_rows` settlements of persons spread over the city.
    let n = ids.len().max(1);
    let rows: Vec<(usize, Vec<String>)> = (0..usize::try_from(file_rows).unwrap_or(0))
        .map(|i| {
            let (id, name) = &ids[(i * 7919) % n];
            let total = 2_000 + (i % 97) * 1_000;
            (
                i + 2,
                vec![
                    id.clone(),
                    name.clone(),
                    "2026-06-20".into(),
                    format!("{total}.00"),
                    format!("{}.00", total / 2),
                    "沈阳市第一人民医院".into(),
                ],
            )
        })
        .collect();
    let source = minzheng_app::economy::catalogue().get("medical").ok_or_else(|| anyhow::anyhow!("no medical source"))?.clone();
    let t = Instant::now();
    let report = minzheng_app::economy::ingest(
        store.as_ref(),
        minzheng_app::economy::DeptFile {
            source: &source,
            file_name: "medical-bench.csv",
            checksum: &"be".repeat(32),
            headers: &source.headers,
            rows: &rows,
        },
        on,
        &actor(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?;
    let stored = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = service::run_records(
        store.as_ref(),
        &engine,
        &minzheng_app::RequestContext::new(&admin, &Actor::new("bench"), on),
        &report.records,
        on,
    )
    .await
    .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?;
    println!(
        "incremental run for a file of {} medical rows (stored in {stored:.2} s): {:.3} s over {} persons, {} new warnings",
        rows.len(),
        t.elapsed().as_secs_f64(),
        r.run.persons,
        r.run.raised
    );
    // The queues with `tasks` open warnings.
    let communities: Vec<RegionCode> = regions::liaoning()
        .into_iter()
        .filter(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("2101"))
        .map(|r| r.code)
        .collect();
    let t = Instant::now();
    let total = usize::try_from(tasks).unwrap_or(0);
    let m = monitoring_store(store.as_ref());
    let mut chunk = Vec::with_capacity(20_000);
    for i in 0..total {
        let community = communities[(i * 7919) % communities.len()].to_string();
        let raised = on - chrono::Duration::days((i % 60) as i64);
        chunk.push(Warning {
            id: 0,
            rule: "medical_burden".into(),
            severity: minzheng_policy::warnings::Severity::High,
            responder: minzheng_policy::warnings::Responder::Grid,
            id_number: format!("BENCH{i:013}"),
            name: "某某".into(),
            household_no: format!("BH{i:010}"),
            community,
            grid: String::new(),
            occurrence: 2026,
            subject: format!("BH{i:010}"),
            detail: String::new(),
            raised_on: raised,
            due_on: raised + chrono::Duration::days(14),
            assignee: String::new(),
            status: if i % 3 == 0 { WarningStatus::Visited } else { WarningStatus::Open },
            escalated: false,
            visited_on: None,
            findings: String::new(),
            outcome: None,
            target: String::new(),
            decided_on: None,
            closed_on: None,
            report: String::new(),
            run_id: 0,
        });
        if chunk.len() == 20_000 || i + 1 == total {
            let run = RunRecord {
                id: 0,
                kind: "bench".into(),
                region: "2101".into(),
                source: String::new(),
                on_day: on,
                persons: 0,
                hits: chunk.len() as i64,
                raised: 0,
                unknown: 0,
                millis: 0,
                started_by: "bench".into(),
            };
            m.record_run(&run, &chunk, &Actor::new("bench")).await?;
            chunk.clear();
        }
    }
    println!("set-up: {total} open warnings over {} communities in {:.1} s", communities.len(), t.elapsed().as_secs_f64());
    let streets: Vec<RegionCode> = {
        let mut s: Vec<RegionCode> = communities.iter().filter_map(|c| c.parent()).collect();
        s.sort();
        s.dedup();
        s
    };
    let counties: Vec<RegionCode> = {
        let mut s: Vec<RegionCode> = communities.iter().filter_map(|c| c.ancestor(RegionLevel::County)).collect();
        s.sort();
        s.dedup();
        s
    };
    let mut times = Vec::new();
    let mut rows = 0;
    for q in 0..queries {
        let k = usize::try_from(q).unwrap_or(0);
        let (region, queue) = match k % 6 {
            0 => (&communities[(k * 31) % communities.len()], Queue::Open),
            1 => (&streets[(k * 17) % streets.len()], Queue::Open),
            2 => (&counties[k % counties.len()], Queue::Open),
            3 => (&communities[(k * 13) % communities.len()], Queue::Overdue(on)),
            4 => (&streets[(k * 7) % streets.len()], Queue::Overdue(on)),
            _ => (&counties[(k * 5) % counties.len()], Queue::Overdue(on)),
        };
        let t = Instant::now();
        rows += service::queue(store.as_ref(), &admin, Some(region), queue, false, 1, 50)
            .await
            .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?
            .len();
        times.push(t.elapsed());
    }
    println!("warning queue pages of 50 with {total} open warnings: {} pages ({rows} rows)", latencies(times));
    drop(store);
    drop_fresh(fresh).await?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
