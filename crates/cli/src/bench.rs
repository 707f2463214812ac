//! `minzheng bench ...`: the hot paths measured the way BENCHMARKS.md reports them.
//! Each prints the machine, the command and the figures.

use crate::{actor, bar, open, redact};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use minzheng_app::import::{self, Mapping};
use minzheng_app::regions;
use minzheng_store::{PersonQuery, RegistryBatch};
use minzheng_synth::files::Format;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

#[derive(Subcommand)]
pub enum BenchWhat {
    /// Generate a city with its departmental data and write it as CSV.
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Where to write (default: a temporary folder, removed afterwards).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import persons.csv of a generated city into a fresh database (SQLite, or PostgreSQL with
    /// --database-url: a new database is created beside the one named and dropped afterwards).
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Import this persons file instead of generating one.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Latency of GET /api/persons/{id} on loopback against a database of N persons.
    Api {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 20_000)]
        requests: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: u64,
        /// SQLite file kept between runs (built if missing).
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// The policy engine over a generated city held in memory: snapshot, features (the warm
    /// snapshot), the 低保 + 高龄补贴 sweep, the sweep of every program, a what-if and checks.
    Policy {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Evaluation date.
        #[arg(long, default_value = "2026-08-01")]
        on: chrono::NaiveDate,
        /// Timed repetitions of each sweep (the median is reported).
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Single-household checks to time.
        #[arg(long, default_value_t = 50)]
        checks: usize,
        /// Also write the warm snapshot's features, the parameter table and the 低保 + 高龄补贴
        /// totals to DIR as NumPy arrays, for `bench/openfisca/compare.py DIR`.
        #[arg(long, value_name = "DIR")]
        export_openfisca: Option<PathBuf>,
    },
    /// Record linkage: departmental records with planted errors linked to the registry (exact
    /// and fuzzy), the model estimated by EM, precision and recall against the answer key.
    Link {
        /// Registry persons (a city of persons / registered share is generated).
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        /// Departmental records to link.
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
        /// Share of persons of the city in the registry (the others' records have nobody to link to).
        #[arg(long, default_value_t = 0.7)]
        registered: f64,
        /// Share of records with a planted error (0 to 0.2).
        #[arg(long, default_value_t = 0.05)]
        dirty: f64,
        /// Share of the clean records also linked as if written without an ID number (by name,
        /// birth date and sex; 0 to skip).
        #[arg(long, default_value_t = 0.05)]
        no_id: f64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long, default_value_t = 3)]
        repeat: usize,
    },
    /// Data comparison from the store: a city's departmental files in (every row linked), its
    /// roster, the city-wide comparison, then a new death file compared incrementally.
    Verify {
        #[arg(long, default_value_t = 200_000)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Share of persons behind a planted anomaly.
        #[arg(long, default_value_t = 0.02)]
        anomaly_share: f64,
        /// Enrolled members reported dead in the new death file (a tenth with a typed ID number).
        #[arg(long, default_value_t = 200)]
        new_deaths: usize,
    },
    /// 全市通办 cases: the queues of each role over N stored cases (keyset pages), and one step of
    /// the procedure taken by U users at once over HTTP on loopback (a bounded load test).
    Cases {
        /// Cases stored (a tenth open, spread over the city's communities).
        #[arg(long, default_value_t = 1_000_000)]
        stored: u64,
        /// Concurrent users taking steps.
        #[arg(long, default_value_t = 100)]
        users: u64,
        /// Steps each user takes.
        #[arg(long, default_value_t = 20)]
        steps: u64,
        /// Reads of each queue.
        #[arg(long, default_value_t = 300)]
        queries: u64,
        /// A user's think time between steps, milliseconds (each pause drawn from half to one
        /// and a half of it); 0 sends steps back to back (the saturation throughput).
        #[arg(long, default_value_t = 1000)]
        think_ms: u64,
    },
    /// Exact comparison (批量比对) of enrolled persons against departmental rows by ID number, in
    /// memory: the roster index is built and every row probed on all cores.
    Compare {
        /// Enrolled persons.
        #[arg(long, default_value_t = 1_000_000)]
        enrolled: usize,
        /// Departmental rows.
        #[arg(long, default_value_t = 10_000_000)]
        rows: usize,
        /// Share of rows that name an enrolled person.
        #[arg(long, default_value_t = 0.02)]
        hit_share: f64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0)))
        .unwrap_or(0);
    format!("{cpu}, {cores} cores, {:.0} GiB", mem as f64 / 1024.0 / 1024.0)
}

fn temp_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("minzheng-bench-{tag}-{}", std::process::id()))
}

pub async fn run(what: BenchWhat, database_url: Option<&str>) -> Result<()> {
    println!("machine: {}", machine());
    match what {
        BenchWhat::Policy { persons, seed, on, repeat, checks, export_openfisca } => {
            policy(persons, seed, on, repeat, checks, export_openfisca).await?
        }
        BenchWhat::Link { persons, records, registered, dirty, no_id, seed, repeat } => {
            link(persons, records, registered, dirty, no_id, seed, repeat)?
        }
        BenchWhat::Compare { enrolled, rows, hit_share, seed, repeat } => compare(enrolled, rows, hit_share, seed, repeat)?,
        BenchWhat::Verify { persons, seed, anomaly_share, new_deaths } => {
            verify(persons, seed, anomaly_share, new_deaths, database_url).await?
        }
        BenchWhat::Generate { persons, seed, out } => {
            let dir = out.clone().unwrap_or_else(|| temp_dir("generate"));
            let t0 = Instant::now();
            let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, seed))?;
            let t1 = Instant::now();
            minzheng_synth::files::write_city(&city, &dir, Format::Csv)?;
            let t2 = Instant::now();
            let rows: usize = city.datasets.iter().map(|d| d.rows.len()).sum();
            println!(
                "generate {} persons, {} households, {} departmental rows, {} planted anomalies",
                city.persons.len(),
                city.households.len(),
                rows,
                city.anomalies.len()
            );
            println!("  build in memory: {:.2} s", (t1 - t0).as_secs_f64());
            println!("  write CSV files: {:.2} s", (t2 - t1).as_secs_f64());
            println!("  total:           {:.2} s", (t2 - t0).as_secs_f64());
            if out.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
        BenchWhat::Import { persons, seed, file } => {
            let dir = temp_dir("import");
            std::fs::create_dir_all(&dir)?;
            let file = match file {
                Some(f) => f,
                None => {
                    let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, seed))?;
                    let file = dir.join("persons.csv");
                    let rows = minzheng_synth::files::persons_rows(&city);
                    minzheng_synth::files::write_table(&file, minzheng_domain::registry::columns::PERSONS, &rows, Format::Csv)?;
                    file
                }
            };
            let (url, cleanup) = match database_url {
                Some(base) if base.starts_with("postgres") => {
                    let name = format!("mzbench_{}", std::process::id());
                    let admin = minzheng_store::PgStore::connect(base).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await?;
                    (minzheng_store::postgres::with_database(base, &name), Some((admin, name)))
                }
                Some(other) => {
                    bail!("bench import makes its own SQLite file; --database-url is for PostgreSQL only (got {})", redact(other))
                }
                None => (format!("sqlite://{}", dir.join("bench.db").display()), None),
            };
            let store = open(&url).await?;
            let t0 = Instant::now();
            let pb = bar(persons, "import");
            let report = import::import_persons(store.as_ref(), &file, &Mapping::default(), &actor(), &|n| pb.set_position(n))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            pb.finish_and_clear();
            let secs = t0.elapsed().as_secs_f64();
            println!(
                "import {} rows from CSV into {:?}: {} accepted, {} rejected in {:.2} s ({:.0} rows/s)",
                report.rows,
                store.backend(),
                report.accepted,
                report.rejected.len(),
                secs,
                report.rows as f64 / secs
            );
            println!("  read {:.2} s, check {:.2} s, store {:.2} s", report.seconds.read, report.seconds.check, report.seconds.store);
            drop(store);
            if let Some((admin, name)) = cleanup {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(admin.pool()).await?;
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        BenchWhat::Api { persons, requests, concurrency, db } => api(persons, requests, concurrency, db).await?,
        BenchWhat::Cases { stored, users, steps, queries, think_ms } => {
            cases(stored, users, steps, queries, think_ms, database_url).await?
        }
    }
    Ok(())
}

async fn api(persons: u64, requests: u64, concurrency: u64, db: Option<PathBuf>) -> Result<()> {
    let path = db.unwrap_or_else(|| PathBuf::from(format!("minzheng-data/bench-api-{persons}.db")));
    let store = open(&format!("sqlite://{}", path.display())).await?;
    let have = store.counts().await?.persons;
    if have < persons {
        let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, 2026))?;
        let batch = RegistryBatch { households: city.households, persons: city.persons, source: "bench".into(), checksum: String::new() };
        let pb = bar(batch.persons.len() as u64, "load");
        store.apply_batch(&batch, &actor(), &|n| pb.set_position(n)).await?;
        pb.finish_and_clear();
    }
    let count = store.counts().await?.persons;
    // Sample ID numbers spread over the key space: any text is a valid cursor.
    let mut ids = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while ids.len() < 2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let cursor = format!("{}", 110_000 + x % 550_000);
        let page = store.search_persons(&PersonQuery { after: Some(cursor), limit: 1, ..Default::default() }).await?;
        if let Some(p) = page.items.first() {
            ids.push(p.id_number.to_string());
        }
    }
    // Sign in as a city administrator (created on first use) to get a session cookie.
    let password = minzheng_app::auth::generate_password();
    let city = minzheng_domain::RegionCode::parse("2101").map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = format!("bench_{}", std::process::id());
    minzheng_app::auth::create_account(store.as_ref(), None, &actor(), &name, minzheng_domain::Role::CityAdmin, &city, &password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let token = minzheng_app::auth::login(store.as_ref(), &name, &password, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?.token;
    let token = std::sync::Arc::new(token);
    let state = minzheng_server::AppState::new(store, &minzheng_app::config::Config::default()).await.map_err(|e| anyhow::anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = minzheng_server::serve(state, listener).await;
    });
    let ids = std::sync::Arc::new(ids);
    let per = requests / concurrency.max(1);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..concurrency {
        let ids = ids.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.context("connect")?;
            stream.set_nodelay(true)?;
            let (r, mut w) = stream.into_split();
            let mut r = BufReader::new(r);
            let mut lat = Vec::with_capacity(per as usize);
            for i in 0..per {
                let id = &ids[((c * 7919 + i * 104_729) % ids.len() as u64) as usize];
                let t = Instant::now();
                w.write_all(format!("GET /api/persons/{id} HTTP/1.1\r\nHost: bench\r\nCookie: mz_session={token}\r\n\r\n").as_bytes())
                    .await?;
                let mut line = String::new();
                r.read_line(&mut line).await?;
                if !line.contains(" 200 ") {
                    bail!("unexpected response {line:?}");
                }
                let mut len = 0usize;
                loop {
                    line.clear();
                    r.read_line(&mut line).await?;
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; len];
                r.read_exact(&mut body).await?;
                lat.push(t.elapsed());
            }
            Ok::<Vec<Duration>, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let wall = started.elapsed().as_secs_f64();
    all.sort();
    let q = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "GET /api/persons/{{id}} on {count} persons (SQLite), {} requests, {concurrency} connections on loopback: \
         p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms, {:.0} requests/s \
         (signed in; each read checks the session and the region and writes its audit record)",
        all.len(),
        q(0.5),
        q(0.9),
        q(0.99),
        q(0.999),
        q(1.0),
        all.len() as f64 / wall
    );
    Ok(())
}

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// A memory figure of this process from /proc/self/status, in MiB (0 where there is none).
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Starts the peak (VmHWM) again from the present resident size (Linux: `clear_refs` 5), so that
/// a phase's peak can be told apart from the generator's before it. False where not supported.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

async fn policy(persons: u64, seed: u64, on: chrono::NaiveDate, repeat: usize, checks: usize, export: Option<PathBuf>) -> Result<()> {
    use minzheng_policy::params::shipped_records;
    use minzheng_policy::snapshot::{from_city, from_city_where};
    let engine = crate::policy::engine().await?;
    let parts = crate::policy::partitions();
    println!("command: minzheng bench policy --persons {persons} --seed {seed} --on {on} (partitions {parts})");
    let t = Instant::now();
    let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, seed))?;
    println!("generate city: {} persons, {} households, {:.2} s", city.persons.len(), city.households.len(), t.elapsed().as_secs_f64());
    // Households for the single-household checks, each as a small city of its own (so that the
    // big one can be dropped before the features are built).
    let step = (city.households.len() / checks.max(1)).max(1);
    let sample: Vec<minzheng_domain::Household> = city.households.iter().step_by(step).take(checks).cloned().collect();
    let wanted: std::collections::HashSet<&str> = sample.iter().map(|h| h.household_no.as_str()).collect();
    let members: Vec<minzheng_domain::Person> =
        city.persons.iter().filter(|p| p.household_no.as_deref().is_some_and(|h| wanted.contains(h))).cloned().collect();
    let ids: std::collections::HashSet<String> = members.iter().map(|p| p.id_number.to_string()).collect();
    let datasets: Vec<minzheng_synth::Table> = city
        .datasets
        .iter()
        .map(|t| minzheng_synth::Table {
            rows: t.rows.iter().filter(|r| r.first().is_some_and(|id| ids.contains(id))).cloned().collect(),
            ..t.clone_empty()
        })
        .collect();
    let small = minzheng_synth::City { households: sample.clone(), persons: members, datasets, ..Default::default() };
    let t = Instant::now();
    let snapshot = from_city(&city, parts);
    println!("snapshot (Arrow tables from records in memory): {:.2} s", t.elapsed().as_secs_f64());
    drop(city);
    let generator_peak = peak_rss_mib();
    let reset = reset_peak_rss();
    let records = shipped_records(&engine.policy, chrono::Utc::now());
    let t = Instant::now();
    let features = engine.features(&snapshot, on).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("features (warm snapshot for {on}): {:.2} s", t.elapsed().as_secs_f64());
    let params = engine.params(&records, &features.counties, on);
    let two = engine.with_programs(&["dibao", "gaoling"]).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (label, e) in [("低保 + 高龄补贴", &two), ("all programs", &engine)] {
        let mut times = Vec::new();
        let mut totals = Default::default();
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            let run = e.evaluate(&features, &params).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed().as_secs_f64());
            totals = run.program_totals();
        }
        println!(
            "sweep {label}: median {:.3} s of {} (min {:.3}, max {:.3})",
            median(times.clone()),
            times.len(),
            times.iter().cloned().fold(f64::MAX, f64::min),
            times.iter().cloned().fold(0.0, f64::max)
        );
        for (code, t) in &totals {
            println!(
                "  {code:<20} considered {:>9}  eligible {:>9}  monthly {:>16} yuan",
                t.considered,
                t.eligible,
                minzheng_domain::Fen(t.amount)
            );
        }
        if let (Some(dir), true) = (&export, label.starts_with('低')) {
            export_openfisca(dir, &features, &params, &totals, on)?;
        }
    }
    let from = on;
    let changes = vec![minzheng_policy::Change::parse("dibao_standard:urban+7%", "2101", from).map_err(|e| anyhow::anyhow!(e))?];
    let t = Instant::now();
    let unit_of = |n: &str| engine.policy.parameter(n).map(|p| p.unit.clone()).unwrap_or_default();
    let changed = minzheng_policy::params::apply_changes(&records, &changes, &features.counties, unit_of);
    let base = engine.evaluate(&features, &params).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let scen = engine.evaluate(&features, &engine.params(&changed, &features.counties, on)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows = minzheng_app::policy::compare(&engine, &base, &scen, &Default::default());
    let newly: u64 = rows.iter().map(|r| r.newly_eligible).sum();
    let change: i64 = rows.iter().map(|r| r.monthly_change()).sum();
    println!(
        "what-if urban 低保 standard +7% (from the warm snapshot): {:.2} s; {newly} units newly eligible, monthly change {} yuan",
        t.elapsed().as_secs_f64(),
        minzheng_domain::Fen(change)
    );
    let mut times = Vec::new();
    for h in &sample {
        let one = from_city_where(&small, 1, |no| no == h.household_no);
        let t = Instant::now();
        engine.check(&one, &records, on).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| times.get(((times.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    println!(
        "explained check of one household ({} checks, snapshot of one household given): p50 {:.1} ms, p99 {:.1} ms",
        times.len(),
        p(0.5),
        p(0.99)
    );
    if reset {
        println!(
            "peak memory (VmHWM): {generator_peak:.0} MiB while the city was generated and its snapshot built; \
             {:.0} MiB from the snapshot on (the generated city dropped: features, sweeps, what-if, checks)",
            peak_rss_mib()
        );
    } else {
        println!("peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
    }
    Ok(())
}

/// The two programs' inputs and totals for the OpenFisca side of the comparison
/// (`bench/openfisca/compare.py`).
fn export_openfisca(
    dir: &std::path::Path,
    features: &minzheng_policy::Features,
    params: &minzheng_policy::ParamSet,
    totals: &std::collections::BTreeMap<String, minzheng_policy::Totals>,
    on: chrono::NaiveDate,
) -> Result<()> {
    use minzheng_policy::npy::write_columns;
    std::fs::create_dir_all(dir)?;
    let t = Instant::now();
    let households = features.view("household_features").context("no household_features view")?;
    let persons = features.view("person_features").context("no person_features view")?;
    let h = [
        "hid",
        "county",
        "rural",
        "members",
        "hh_income",
        "hh_deposits",
        "hh_cars",
        "hh_properties",
        "hh_businesses",
        "topup_members",
        "severe_disabled",
    ];
    let households = write_columns(households, &h, dir, "household")?;
    let persons = write_columns(persons, &["hid", "age"], dir, "person")?;
    // The same persons before the household aggregates, for OpenFisca to aggregate itself.
    let base = features.view("person_base").context("no person_base view")?;
    let b = [
        "hid",
        "county",
        "rural",
        "counted",
        "age",
        "income",
        "medical_costs",
        "deposits",
        "cars",
        "properties",
        "businesses",
        "seriously_ill",
        "disability_grade",
    ];
    write_columns(base, &b, dir, "base")?;
    let p = [
        "p_county",
        "p_rural",
        "dibao_standard",
        "dibao_topup",
        "dibao_deposit_months",
        "gaoling_80",
        "gaoling_80_poor",
        "gaoling_90",
        "gaoling_100",
    ];
    write_columns(&params.table, &p, dir, "params")?;
    let totals: serde_json::Map<String, serde_json::Value> =
        totals.iter().map(|(code, t)| (code.clone(), serde_json::json!({ "eligible": t.eligible, "amount": t.amount }))).collect();
    let meta = serde_json::json!({ "on": on.to_string(), "households": households, "persons": persons, "totals": totals });
    std::fs::write(dir.join("minzheng.json"), serde_json::to_string_pretty(&meta)?)?;
    println!(
        "exported for OpenFisca to {} ({households} households, {persons} persons): {:.2} s; run python3 bench/openfisca/compare.py {}",
        dir.display(),
        t.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}

fn link(persons: u64, records: usize, registered: f64, dirty: f64, no_id: f64, seed: u64, repeat: usize) -> Result<()> {
    use minzheng_verify::{candidate_pairs, link, Band, IdRelation, Index, Model, NameLevel, Person, Quality, Record, Thresholds};
    println!("command: minzheng bench link --persons {persons} --records {records} --registered {registered} --dirty {dirty} --no-id {no_id} --seed {seed}");
    let registered = registered.clamp(0.01, 1.0);
    let city_persons = (persons as f64 / registered).ceil() as u64;
    let mut config = minzheng_synth::Config::new(city_persons, seed);
    config.anomaly_share = dirty;
    let t = Instant::now();
    let city = minzheng_synth::generate(&regions::liaoning(), &config)?;
    let keep = (registered * 1000.0).round() as usize;
    let case = city.linkage_case(|i| (i * 7919) % 1000 < keep, records);
    drop(city);
    let people: Vec<Person> = case.persons.into_iter().map(|(id, name)| Person { id, name }).collect();
    let recs: Vec<Record> = case.records.into_iter().map(|(id, name)| Record { id, name }).collect();
    let planted = case.dirty.iter().filter(|d| **d).count();
    println!(
        "generate: {} registry persons, {} departmental records ({planted} with a planted error, {} whose person is not registered), {:.1} s",
        people.len(), recs.len(), case.truth.iter().filter(|t| t.is_none()).count(), t.elapsed().as_secs_f64()
    );
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let index = Index::new(&people);
        let t1 = Instant::now();
        let pairs = candidate_pairs(&index, &people, &recs);
        let t2 = Instant::now();
        let training = Model::estimate(&people, &recs, &pairs, 1_000_000, seed);
        let t3 = Instant::now();
        let links = link(&pairs, &training.model, Thresholds::default());
        let t4 = Instant::now();
        runs.push([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0].map(|d| d.as_secs_f64()));
        last = Some((training, links, pairs.len()));
    }
    let Some((training, links, pair_count)) = last else { bail!("no run") };
    let col = |i: usize| median(runs.iter().map(|r| r[i]).collect());
    println!(
        "link (median of {}): total {:.2} s = index {:.2} + candidates and comparisons {:.2} + training {:.2} + decisions {:.2}; runs {:?}",
        runs.len(),
        col(4),
        col(0),
        col(1),
        col(2),
        col(3),
        runs.iter().map(|r| format!("{:.2}", r[4])).collect::<Vec<_>>()
    );
    println!(
        "candidate pairs: {pair_count} ({:.3} per record); random pairs for u: {}; EM iterations: {}",
        pair_count as f64 / recs.len().max(1) as f64,
        training.random_pairs,
        training.em_iterations
    );
    let m = &training.model;
    println!("model: prior λ = {:.6}", m.prior);
    for r in IdRelation::ALL {
        let l = m.id[r.index()];
        println!("  id   {:<18} m {:.6}  u {:.6}  {:+7.2} bits", r.code(), l.m, l.u, l.weight());
    }
    for n in NameLevel::ALL {
        let l = m.name[n.index()];
        println!("  name {:<18} m {:.6}  u {:.6}  {:+7.2} bits", n.code(), l.m, l.u, l.weight());
    }
    let all = Quality::measure(&links, recs.len(), |r| case.truth[r as usize]);
    let dirty_links: Vec<_> = links.iter().copied().filter(|l| case.dirty[l.pair.record as usize]).collect();
    let on_dirty = Quality::measure(&dirty_links, recs.len(), |r| if case.dirty[r as usize] { case.truth[r as usize] } else { None });
    for (label, q) in [("all records", all), ("records with a planted error", on_dirty)] {
        println!(
            "{label}: linkable {}, linked {} (correct {}), review {}: precision {:.4}, recall {:.4} at match probability >= 0.9",
            q.linkable,
            q.linked,
            q.correct,
            q.review,
            q.precision(),
            q.recall()
        );
    }
    let review = links.iter().filter(|l| l.band == Band::Review).count();
    println!("review band (0.5 <= p < 0.9 or two candidates >= 0.9): {review} records");
    if no_id > 0.0 {
        link_without_ids(&people, &recs, &case.truth, &case.dirty, no_id);
    }
    println!("peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
    Ok(())
}

/// A share of the clean records linked as if their ID number were missing: by name (the
/// registry's namesakes from an index of names written the one way), birth date and sex, as
/// `minzheng_verify::noid` does for such rows. Precision and recall against the answer key.
fn link_without_ids(
    people: &[minzheng_verify::Person],
    recs: &[minzheng_verify::Record],
    truth: &[Option<u32>],
    dirty: &[bool],
    share: f64,
) {
    use minzheng_verify::{names::simplified, noid::link_without_id, Band, Thresholds};
    let t = Instant::now();
    let mut by_name: std::collections::HashMap<String, Vec<u32>> = std::collections::HashMap::new();
    for (i, p) in people.iter().enumerate() {
        by_name.entry(simplified(&p.name)).or_default().push(i as u32);
    }
    let registered: minzheng_domain::hash::FastSet<minzheng_domain::IdNumber> = people.iter().map(|p| p.id).collect();
    let valid: Vec<minzheng_domain::IdNumber> = recs.iter().filter_map(|r| minzheng_domain::IdNumber::parse(&r.id).ok()).collect();
    let p0 = valid.iter().filter(|id| registered.contains(id)).count() as f64 / valid.len().max(1) as f64;
    let t_index = t.elapsed().as_secs_f64();
    let keep = (share.clamp(0.0, 1.0) * 1000.0).round() as usize;
    let (mut rows, mut linkable, mut linked, mut correct, mut review) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for (k, r) in recs.iter().enumerate() {
        if dirty[k] || (k * 7919 + 13) % 1000 >= keep {
            continue;
        }
        let Ok(id) = minzheng_domain::IdNumber::parse(&r.id) else { continue };
        rows += 1;
        let namesakes: Vec<minzheng_verify::Person> =
            by_name.get(&simplified(&r.name)).map(|v| v.iter().map(|&i| people[i as usize].clone()).collect()).unwrap_or_default();
        let l = link_without_id(&r.name, id.birth_date(), Some(id.sex()), &namesakes, p0, Thresholds::default());
        let truth = truth[k].map(|i| people[i as usize].id);
        linkable += usize::from(truth.is_some());
        match l.band {
            Band::Match => {
                linked += 1;
                correct += usize::from(l.person.is_some() && l.person == truth);
            }
            Band::Review => review += 1,
            Band::NonMatch => {}
        }
    }
    println!(
        "records without an ID number (name, birth date, sex): {rows} records, {linkable} linkable, {linked} linked (correct {correct}), review {review}: precision {:.4}, recall {:.4}; p0 {p0:.3}; {:.2} s (name index {t_index:.2} s)",
        correct as f64 / linked.max(1) as f64,
        correct as f64 / linkable.max(1) as f64,
        t.elapsed().as_secs_f64()
    );
}

/// Distinct valid ID numbers of Shenyang residents, deterministic from the seed.
fn id_numbers(n: usize, seed: u64) -> Vec<minzheng_domain::IdNumber> {
    use minzheng_domain::hash::FastSet;
    const AREAS: [u32; 13] = [210102, 210103, 210104, 210105, 210106, 210111, 210112, 210113, 210114, 210115, 210123, 210124, 210181];
    let mut rng = minzheng_synth::rng::Rng::new(seed);
    let mut seen: FastSet<minzheng_domain::IdNumber> = FastSet::with_capacity_and_hasher(n, Default::default());
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let area = AREAS[rng.below(AREAS.len() as u64) as usize];
        let day = chrono::NaiveDate::from_ymd_opt(1930, 1, 1).unwrap_or_default() + chrono::Duration::days(rng.below(33_000) as i64);
        let body = format!("{area}{}{:03}", day.format("%Y%m%d"), rng.below(1000));
        let check = minzheng_domain::id::check_char(body.as_bytes()) as char;
        if let Ok(id) = minzheng_domain::IdNumber::parse(&format!("{body}{check}")) {
            if seen.insert(id) {
                out.push(id);
            }
        }
    }
    out
}

fn compare(enrolled: usize, rows: usize, hit_share: f64, seed: u64, repeat: usize) -> Result<()> {
    use minzheng_verify::Roster;
    println!("command: minzheng bench compare --enrolled {enrolled} --rows {rows} --hit-share {hit_share} --seed {seed} --repeat {repeat}");
    let t = Instant::now();
    // One population: the first `enrolled` are on the roster (two members per enrolment); rows
    // name an enrolled person with probability hit_share, someone else otherwise.
    let others = rows.min(4_000_000);
    let people = id_numbers(enrolled + others, seed);
    let mut rng = minzheng_synth::rng::Rng::new(seed ^ 0x5eed);
    let mut expected = 0usize;
    let data: Vec<minzheng_domain::IdNumber> = (0..rows)
        .map(|_| {
            if rng.chance(hit_share) {
                expected += 1;
                people[rng.below(enrolled as u64) as usize]
            } else {
                people[enrolled + rng.below(others as u64) as usize]
            }
        })
        .collect();
    println!(
        "  data: {} enrolled persons, {} rows ({} naming an enrolled person), made in {:.1} s",
        enrolled,
        rows,
        expected,
        t.elapsed().as_secs_f64()
    );
    let mut build = Vec::new();
    let mut probe = Vec::new();
    let mut total = Vec::new();
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let roster = Roster::new(people[..enrolled].iter().enumerate().map(|(i, id)| (*id, (i / 2) as u32)));
        let t1 = Instant::now();
        let hits = roster.hits(&data);
        let t2 = Instant::now();
        if hits.len() != expected {
            bail!("the comparison found {} hits, {} were planted", hits.len(), expected);
        }
        build.push((t1 - t0).as_secs_f64());
        probe.push((t2 - t1).as_secs_f64());
        total.push((t2 - t0).as_secs_f64());
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("  roster index of {enrolled} persons: {:.3} s (median of {})", median(&mut build), build.len());
    println!("  {rows} rows probed:            {:.3} s", median(&mut probe));
    println!("  exact comparison in all:       {:.3} s (target 2 s); every planted hit found, no other", median(&mut total));
    Ok(())
}

async fn verify(persons: u64, seed: u64, anomaly_share: f64, new_deaths: usize, database_url: Option<&str>) -> Result<()> {
    use minzheng_domain::{Principal, RegionCode, Role};
    println!("command: minzheng bench verify --persons {persons} --seed {seed} --anomaly-share {anomaly_share} --new-deaths {new_deaths}");
    let dir = temp_dir("verify");
    std::fs::create_dir_all(&dir)?;
    let (url, cleanup) = match database_url {
        Some(base) if base.starts_with("postgres") => {
            let name = format!("mzbench_verify_{}", std::process::id());
            let admin = minzheng_store::PgStore::connect(base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await?;
            (minzheng_store::postgres::with_database(base, &name), Some((admin, name)))
        }
        Some(other) => bail!("bench verify makes its own SQLite file; --database-url is for PostgreSQL only (got {})", redact(other)),
        None => (format!("sqlite://{}", dir.join("bench.db").display()), None),
    };
    let store = open(&url).await?;
    println!("  store: {:?}", store.backend());
    let config = minzheng_synth::Config { anomaly_share, ..minzheng_synth::Config::new(persons, seed) };
    let city = minzheng_synth::generate(&regions::liaoning(), &config)?;
    let batch = RegistryBatch {
        households: city.households.clone(),
        persons: city.persons.clone(),
        source: "bench".into(),
        checksum: String::new(),
    };
    store.apply_batch(&batch, &actor(), &|_| {}).await?;
    let files = dir.join("files");
    minzheng_synth::files::write_city(&city, &files, Format::Csv)?;
    let engine = minzheng_policy::Engine::new(
        minzheng_policy::PolicySet::shenyang(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
    )
    .await?;
    minzheng_app::policy::ensure_parameters(store.as_ref(), &engine, &actor()).await?;
    let as_of = config.as_of;

    let t = Instant::now();
    let reports = minzheng_app::economy::import_dir(store.as_ref(), &files, as_of, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows: usize = reports.iter().map(|r| r.rows).sum();
    let matched: usize = reports.iter().map(|r| r.linked.matched).sum();
    let review: usize = reports.iter().map(|r| r.linked.review + r.linked.unlinked).sum();
    println!("  departmental files in: {rows} rows ({matched} dirty rows linked by the fuzzy linkage, {review} in review or unlinked) in {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let roster = minzheng_app::enrolment::import_roster(store.as_ref(), &engine, &files.join("enrolments.csv"), &actor())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("  roster in: {} enrolments of {} members in {:.2} s", roster.enrolments, roster.members, t.elapsed().as_secs_f64());

    let city_code = RegionCode::parse("2101").map_err(|e| anyhow::anyhow!("{e}"))?;
    let admin = Principal { name: actor().name, role: Role::CityAdmin, region: city_code.clone() };
    let r = minzheng_app::verify::compare_region(store.as_ref(), &engine, &admin, &actor(), &city_code, as_of)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("  city-wide comparison: {} enrolments, {} persons, {} departmental rows (deaths, moves, residence, marriages), {} units re-checked by the rules; {} findings in {:.2} s", r.enrolments, r.persons, r.rows, r.rechecked, r.added, r.seconds);
    for (kind, n) in &r.by_kind {
        println!("    {kind}: {n}");
    }
    // Planted anomalies found.
    let twice: Vec<_> = city.anomalies.iter().filter(|a| a.kind == minzheng_synth::AnomalyKind::EnrolledTwice).collect();
    let mut hit = 0;
    for a in &twice {
        if store.enrolments_of(&[a.true_id]).await?.len() >= 2 {
            hit += 1;
        }
    }
    println!("    planted double enrolments on the roster: {} ({} stored as two enrolments)", twice.len(), hit);
    let t = Instant::now();
    let a =
        minzheng_app::verify::tag_absent(store.as_ref(), &admin, &actor(), &city_code, as_of).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let planted_absent = city.anomalies.iter().filter(|a| a.kind == minzheng_synth::AnomalyKind::LivesElsewhere).count();
    println!(
        "  空挂户 in the registry: {} residence and insurance rows, {} residents named, {} tagged ({} planted) in {:.2} s",
        a.rows,
        a.persons,
        a.tagged,
        planted_absent,
        t.elapsed().as_secs_f64()
    );

    // A new month's death file: enrolled members, a tenth of them with two digits swapped.
    let mut lines = String::from("身份证号,姓名,死亡日期,数据来源\n");
    let planted: std::collections::HashSet<String> = city.anomalies.iter().map(|a| a.true_id.to_string()).collect();
    let mut n = 0;
    for row in city.roster.rows.iter().filter(|r| !planted.contains(&r[4])) {
        if n == new_deaths {
            break;
        }
        let mut id = row[4].clone().into_bytes();
        if n % 10 == 0 {
            if let Some(pos) = (6..16).find(|&i| id[i] != id[i + 1]) {
                id.swap(pos, pos + 1);
            }
        }
        lines.push_str(&format!("{},{},2026-06-15,殡葬火化\n", String::from_utf8_lossy(&id), row[3]));
        n += 1;
    }
    let path = dir.join("deaths-2026-07.csv");
    std::fs::write(&path, lines)?;
    let (report, c, t_import, total) = file_to_findings(store.as_ref(), &engine, &admin, &path, as_of).await?;
    println!(
        "  new death file of {} rows ({} linked exactly, {} by the fuzzy linkage): stored in {:.2} s, compared in {:.2} s: {} enrolments named, {} new findings ({} deceased); {:.2} s from file to findings",
        report.rows, report.linked.exact, report.linked.matched, t_import, c.seconds, c.enrolments, c.added, c.by_kind.get("deceased").copied().unwrap_or(0), total
    );
    // A month's residence registrations: other enrolled members now living in another city.
    let mut lines = String::from("身份证号,姓名,居住地区划,居住地址,登记日期\n");
    for row in city.roster.rows.iter().filter(|r| !planted.contains(&r[4])).skip(n).take(new_deaths) {
        lines.push_str(&format!("{},{},110105,北京市朝阳区某小区,2026-06-20\n", row[4], row[3]));
    }
    let path = dir.join("residence-2026-07.csv");
    std::fs::write(&path, lines)?;
    let (report, c, t_import, total) = file_to_findings(store.as_ref(), &engine, &admin, &path, as_of).await?;
    println!(
        "  new residence file of {} rows: stored in {:.2} s, compared in {:.2} s: {} enrolments named, {} new findings ({} registered but absent); {:.2} s from file to findings",
        report.rows, t_import, c.seconds, c.enrolments, c.added, c.by_kind.get("absent").copied().unwrap_or(0), total
    );
    drop(store);
    if let Some((admin, name)) = cleanup {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(admin.pool()).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A departmental file in and compared at once: the reports, the seconds to store it and the
/// seconds from file to findings.
async fn file_to_findings(
    store: &dyn minzheng_store::Store,
    engine: &minzheng_policy::Engine,
    who: &minzheng_domain::Principal,
    path: &Path,
    as_of: chrono::NaiveDate,
) -> Result<(minzheng_app::economy::EconomyReport, minzheng_app::verify::CompareReport, f64, f64)> {
    let t = Instant::now();
    let report = minzheng_app::economy::import_file(store, path, as_of, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let t_import = t.elapsed().as_secs_f64();
    let c = minzheng_app::verify::compare_records(store, engine, who, &actor(), &report.records, as_of)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((report, c, t_import, t.elapsed().as_secs_f64()))
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let q = |p: f64| v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    (q(0.5), q(0.99), q(1.0))
}

/// A 低保 application accepted at a community on a day, as the bench stores it.
fn bench_case(
    n: u64,
    community: &minzheng_domain::RegionCode,
    on: chrono::NaiveDate,
    open: bool,
) -> (minzheng_domain::Case, Option<String>) {
    use minzheng_domain::case::{Case, CaseStatus, TimeLimits};
    let catalogue = minzheng_app::cases::Catalogue::shenyang();
    #[allow(clippy::expect_used, reason = "the shipped catalogue has apply_dibao (its tests say so)")]
    let service = catalogue.service("apply_dibao").cloned().expect("the shipped catalogue has apply_dibao");
    let owner = community.ancestor(minzheng_domain::RegionLevel::County).unwrap_or_else(|| community.clone());
    let applicant = minzheng_domain::IdNumber::from_parts(
        owner.as_str().parse().unwrap_or(210112),
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(on) + chrono::Duration::days((n % 12000) as i64),
        (n % 900) as u16 + 10,
        minzheng_domain::Sex::Female,
    );
    // Open cases wait at each step in turn; closed ones were approved.
    let status = if open {
        [CaseStatus::Accepted, CaseStatus::Surveyed, CaseStatus::Checked, CaseStatus::Reviewed, CaseStatus::Notice][(n / 10 % 5) as usize]
    } else {
        CaseStatus::Approved
    };
    let applicant = minzheng_domain::case::Applicant {
        id_number: applicant,
        name: "张秀英".into(),
        household_no: format!("BENCH-{n:08}"),
        household_size: 2,
        community: community.clone(),
        owner,
    };
    let mut c =
        Case::accepted(&service, applicant, community.clone(), on, &minzheng_domain::WorkCalendar::default(), &TimeLimits::default());
    c.status = status;
    if status == CaseStatus::Notice {
        c.notice_from = Some(on);
        c.notice_until = Some(on + chrono::Duration::days(7));
    }
    c.set_due(&service, on, &minzheng_domain::WorkCalendar::default(), &TimeLimits::default());
    let waiting = c.waiting_for(&service).map(|r| r.as_str().to_string());
    (c, waiting)
}

async fn cases(stored: u64, users: u64, steps: u64, queries: u64, think_ms: u64, database_url: Option<&str>) -> Result<()> {
    use minzheng_app::cases::CaseList;
    use minzheng_domain::{Principal, RegionLevel, Role};
    println!("command: minzheng bench cases --stored {stored} --users {users} --steps {steps} --queries {queries} --think-ms {think_ms}");
    println!("machine: {}", machine());
    let dir = temp_dir("cases");
    std::fs::create_dir_all(&dir)?;
    let (url, cleanup) = match database_url {
        Some(base) if base.starts_with("postgres") => {
            let name = format!("mzbench_cases_{}", std::process::id());
            let admin = minzheng_store::PgStore::connect(base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await?;
            (minzheng_store::postgres::with_database(base, &name), Some((admin, name)))
        }
        Some(other) => bail!("bench cases makes its own SQLite file; --database-url is for PostgreSQL only (got {})", redact(other)),
        None => (format!("sqlite://{}", dir.join("bench.db").display()), None),
    };
    let store = open(&url).await?;
    println!("  store: {:?}", store.backend());
    regions::ensure_loaded(store.as_ref(), &actor()).await?;
    minzheng_app::cases::ensure_calendar(store.as_ref(), &actor()).await?;
    let communities: Vec<minzheng_domain::RegionCode> = regions::liaoning()
        .into_iter()
        .filter(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("2101"))
        .map(|r| r.code)
        .collect();
    let on = chrono::Local::now().date_naive();

    // The stored cases: one in ten open, spread over the city's communities, in batches.
    let t = Instant::now();
    let pb = bar(stored, "cases");
    let mut n = 0u64;
    while n < stored {
        let batch: Vec<_> = (n..(n + 50_000).min(stored))
            .map(|i| {
                bench_case(
                    i,
                    &communities[(i as usize * 7919) % communities.len()],
                    on - chrono::Duration::days((i % 40) as i64),
                    i % 10 == 0,
                )
            })
            .collect();
        n += store.import_cases(&batch, "bench", &actor()).await? as u64;
        pb.set_position(n);
    }
    pb.finish_and_clear();
    println!("  {stored} cases stored in {:.1} s", t.elapsed().as_secs_f64());

    // Each role's queue, first pages, as the pages and the API read them (audited).
    let street_of = |c: &minzheng_domain::RegionCode| c.parent().unwrap_or_else(|| c.clone());
    let county_of = |c: &minzheng_domain::RegionCode| c.ancestor(RegionLevel::County).unwrap_or_else(|| c.clone());
    let city = minzheng_domain::RegionCode::parse("2101").map_err(|e| anyhow::anyhow!("{e}"))?;
    type RegionOf = Box<dyn Fn(&minzheng_domain::RegionCode) -> minzheng_domain::RegionCode>;
    let lists: Vec<(&str, Role, CaseList, RegionOf)> = vec![
        ("community worker, queue", Role::CommunityWorker, CaseList::Queue, Box::new(|c: &minzheng_domain::RegionCode| c.clone())),
        ("street reviewer, queue", Role::StreetReviewer, CaseList::Queue, Box::new(street_of)),
        ("verification officer, queue", Role::VerificationOfficer, CaseList::Queue, Box::new(county_of)),
        ("county approver, queue", Role::CountyApprover, CaseList::Queue, Box::new(county_of)),
        ("county approver, due and overdue", Role::CountyApprover, CaseList::Due, Box::new(county_of)),
        (
            "community worker, accepted here",
            Role::CommunityWorker,
            CaseList::Accepted,
            Box::new(|c: &minzheng_domain::RegionCode| c.clone()),
        ),
        ("city administrator, all cases", Role::CityAdmin, CaseList::All, Box::new(move |_: &minzheng_domain::RegionCode| city.clone())),
    ];
    for (label, role, list, region_of) in &lists {
        let mut lat = Vec::with_capacity(queries as usize);
        let mut shown = 0usize;
        for q in 0..queries {
            let who = Principal {
                name: "bench".into(),
                role: *role,
                region: region_of(&communities[(q as usize * 104_729) % communities.len()]),
            };
            let t = Instant::now();
            let page = minzheng_app::cases::cases(store.as_ref(), &who, &actor(), *list, None, None, 50, on)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            lat.push(t.elapsed());
            shown += page.items.len();
        }
        let (p50, p99, max) = percentiles(lat);
        println!(
            "  queue {label}: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms ({:.1} cases a page on average)",
            shown as f64 / queries as f64
        );
    }

    // The load test: U community workers of one community each survey their own cases, at once.
    let community = minzheng_domain::RegionCode::parse("210112009001").map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut own: Vec<Vec<i64>> = Vec::new();
    for u in 0..users {
        let mut ids = Vec::new();
        for k in 0..steps {
            let (c, waiting) = bench_case(stored + u * steps + k, &community, on, true);
            let c = minzheng_domain::Case { status: minzheng_domain::CaseStatus::Accepted, ..c };
            let e = minzheng_store::CaseEvent {
                case_id: 0,
                action: "accept".into(),
                from: String::new(),
                to: c.status,
                comment: "受理".into(),
                actor: "bench".into(),
                role: "community_worker".into(),
                at: chrono::Utc::now(),
            };
            ids.push(store.add_case(&c, waiting.as_deref().or(Some("community_worker")), &e, &actor()).await?);
        }
        own.push(ids);
    }
    let mut sessions = Vec::new();
    for u in 0..users {
        let name = format!("bench_worker_{u}_{}", std::process::id());
        let password = minzheng_app::auth::generate_password();
        minzheng_app::auth::create_account(store.as_ref(), None, &actor(), &name, Role::CommunityWorker, &community, &password)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let signed = minzheng_app::auth::login(store.as_ref(), &name, &password, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        sessions.push((signed.token, signed.session.csrf_token));
    }
    let state =
        minzheng_server::AppState::new(store.clone(), &minzheng_app::config::Config::default()).await.map_err(|e| anyhow::anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = minzheng_server::serve(state, listener).await;
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (u, ((token, csrf), ids)) in sessions.into_iter().zip(own).enumerate() {
        tasks.push(tokio::spawn(async move {
            // Users start spread over one think time and pause between steps.
            let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (u as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let mut pause = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                Duration::from_millis(if think_ms == 0 { 0 } else { think_ms / 2 + x % think_ms.max(1) })
            };
            tokio::time::sleep(pause() / 2).await;
            let stream = tokio::net::TcpStream::connect(addr).await.context("connect")?;
            stream.set_nodelay(true)?;
            let (r, mut w) = stream.into_split();
            let mut r = BufReader::new(r);
            let mut lat = Vec::with_capacity(ids.len());
            for id in ids {
                let body = r#"{"action":"survey","staff":"李明,王芳","home_visit":true,"findings":"入户调查","comment":"入户调查属实","seen":1}"#;
                let t = Instant::now();
                w.write_all(format!("POST /api/cases/{id}/actions HTTP/1.1\r\nHost: bench\r\nCookie: mz_session={token}\r\nx-csrf-token: {csrf}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await?;
                let mut line = String::new();
                r.read_line(&mut line).await?;
                let ok = line.contains(" 200 ");
                let mut len = 0usize;
                loop {
                    let mut h = String::new();
                    r.read_line(&mut h).await?;
                    if h == "\r\n" {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; len];
                r.read_exact(&mut body).await?;
                if !ok {
                    bail!("unexpected response {line:?}: {}", String::from_utf8_lossy(&body));
                }
                lat.push(t.elapsed());
                tokio::time::sleep(pause()).await;
            }
            Ok::<Vec<Duration>, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let wall = started.elapsed().as_secs_f64();
    let count = all.len();
    println!("  users think {think_ms} ms between steps (0: back to back)");
    let (p50, p99, max) = percentiles(all);
    println!("  one step (survey) by {users} users at once over HTTP: {count} steps, p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms, {:.0} steps/s (each checked, written with its event and audit record)", count as f64 / wall);
    println!("  peak memory {:.0} MiB", peak_rss_mib());
    drop(store);
    if let Some((admin, name)) = cleanup {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(admin.pool()).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
