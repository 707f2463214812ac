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

mod cases;
mod comparison;
mod eldercare;
mod fuzz;
mod homecare;
mod http;
mod monitoring;
mod pages;
mod payments;
mod rules;
mod socialorg;
mod statistics;
mod workorders;
use cases::*;
use comparison::*;
use http::*;
use rules::*;

#[derive(Subcommand)]
pub enum BenchWhat {
    /// The elderly-care indicators of a city (every county) from a fresh database: a generated
    /// city of N persons with its roster, institutions with their beds, residents at 55%
    /// occupancy and assessments.
    Eldercare {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 500)]
        institutions: u64,
        #[arg(long, default_value_t = 60_000)]
        beds: i64,
        #[arg(long, default_value_t = 20)]
        rounds: u32,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// The monthly settlement of purchased home care for a city: N service orders with their
    /// providers across the counties and V visits per order last month, drawn and verified.
    Homecare {
        #[arg(long, default_value_t = 100_000)]
        orders: u64,
        #[arg(long, default_value_t = 8)]
        visits: u64,
        #[arg(long, default_value_t = 60)]
        providers: u64,
        #[arg(long, default_value_t = 10)]
        rounds: u32,
    },
    /// The public register of social organisations searched over N organisations of the city's
    /// registry offices: Q searches by name fragment and credit code (SQLite, or PostgreSQL with
    /// --database-url).
    Socialorgs {
        #[arg(long, default_value_t = 100_000)]
        orgs: u64,
        #[arg(long, default_value_t = 2_000)]
        queries: u64,
    },
    /// The monthly civil-affairs report of a city of N persons from a fresh database (SQLite, or
    /// PostgreSQL with --database-url): the registry and its roster, a month's approved lists
    /// and 临时救助 decisions; the city's and each county's report timed.
    Statistics {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 5)]
        rounds: u32,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// The work-order queues over N orders of a city (grid events, 12345 orders, petitions) in a
    /// fresh database (SQLite, or PostgreSQL with --database-url): Q queue pages timed.
    Workorders {
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        #[arg(long, default_value_t = 2_000)]
        queries: u64,
    },
    /// The low-income monitoring of a city of N persons from a fresh database (SQLite, or
    /// PostgreSQL with --database-url): the nightly run of every warning rule (twice), an
    /// incremental run for a medical file of F rows, and the warning queues with T open warnings.
    Monitoring {
        #[arg(long, default_value_t = 100_000)]
        persons: u64,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long, default_value_t = 10_000)]
        file_rows: u64,
        #[arg(long, default_value_t = 1_000_000)]
        tasks: u64,
        #[arg(long, default_value_t = 2_000)]
        queries: u64,
    },
    /// A month's payment list for N enrolments with both shipped bank files, the bank's return
    /// of N lines reconciled, and the list stored (SQLite).
    Payroll {
        #[arg(long, default_value_t = 1_000_000)]
        enrolments: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Fuzz the readers and parsers of what users and departments send (CSV, XLSX, ID numbers,
    /// region codes, amounts, dates) with mutated real inputs: no case may panic.
    Fuzz {
        /// Cases for each reader (valid workbooks written from mutated text: a thousandth as many).
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
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
    /// The pages staff open all day, as each role opens them, on the configured database (run
    /// `minzheng demo --no-serve` first): p50 and p95 per page. It adds one account per role
    /// (`bench_<role>_<pid>`) to that database, for the sessions it times.
    Pages {
        #[arg(long, default_value_t = 30)]
        rounds: u32,
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
        /// Link through the import instead, as a bureau would: the registry persons stored (in
        /// --database-url, or a new SQLite file), every departmental file of the city written as a
        /// department sends it and imported (`import economy`: numbers, the fuzzy linkage, name
        /// and birth date), each stored row's outcome measured against the answer key; once, no
        /// --records limit.
        #[arg(long)]
        through_import: bool,
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

/// `bench pages` on the configured database (the demo's unless the configuration names another).
pub async fn pages_on(database_url: &str, rounds: u32) -> Result<()> {
    println!("machine: {}", machine());
    pages::pages(database_url, rounds).await
}

pub async fn run(what: BenchWhat, database_url: Option<&str>) -> Result<()> {
    println!("machine: {}", machine());
    match what {
        BenchWhat::Policy { persons, seed, on, repeat, checks, export_openfisca } => {
            policy(persons, seed, on, repeat, checks, export_openfisca).await?
        }
        BenchWhat::Link { persons, registered, dirty, seed, through_import: true, .. } => {
            link_through_import(persons, registered, dirty, seed, database_url).await?
        }
        BenchWhat::Link { persons, records, registered, dirty, no_id, seed, repeat, through_import: false } => {
            link(persons, records, registered, dirty, no_id, seed, repeat)?
        }
        BenchWhat::Compare { enrolled, rows, hit_share, seed, repeat } => compare(enrolled, rows, hit_share, seed, repeat)?,
        BenchWhat::Fuzz { cases, seed } => fuzz::fuzz(cases, seed)?,
        BenchWhat::Payroll { enrolments, seed } => payments::payroll(enrolments, seed, database_url).await?,
        BenchWhat::Eldercare { persons, institutions, beds, rounds, seed } => {
            eldercare::eldercare(persons, institutions, beds, rounds, seed).await?
        }
        BenchWhat::Homecare { orders, visits, providers, rounds } => homecare::homecare(orders, visits, providers, rounds).await?,
        BenchWhat::Socialorgs { orgs, queries } => socialorg::socialorgs(orgs, queries, database_url).await?,
        BenchWhat::Workorders { orders, queries } => workorders::workorders(orders, queries, database_url).await?,
        BenchWhat::Monitoring { persons, seed, file_rows, tasks, queries } => {
            monitoring::monitoring(persons, seed, file_rows, tasks, queries, database_url).await?
        }
        BenchWhat::Statistics { persons, rounds, seed } => statistics::statistics(persons, rounds, seed, database_url).await?,
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
            let fresh = fresh_database(database_url, &dir, "import").await?;
            let url = fresh.url.clone();
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
            drop_fresh(fresh).await?;
            let _ = std::fs::remove_dir_all(&dir);
        }
        BenchWhat::Api { persons, requests, concurrency, db } => api(persons, requests, concurrency, db).await?,
        BenchWhat::Pages { rounds } => {
            let demo = minzheng_app::config::Config::default().database_url();
            pages::pages(database_url.unwrap_or(&demo), rounds).await?
        }
        BenchWhat::Cases { stored, users, steps, queries, think_ms } => {
            cases(stored, users, steps, queries, think_ms, database_url).await?
        }
    }
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

fn percentiles(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let q = |p: f64| v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1))).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    (q(0.5), q(0.99), q(1.0))
}

/// Timings as the benches report them: `p50 … ms, p95 … ms, p99 … ms, max … ms over N`.
pub(crate) fn latencies(mut times: Vec<Duration>) -> String {
    if times.is_empty() {
        return "no timings".into();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {}",
        ms(at(50)),
        ms(at(95)),
        ms(at(99)),
        ms(times[times.len() - 1]),
        times.len()
    )
}

/// A database of the bench's own: a new SQLite file in `dir`, or a new PostgreSQL database
/// beside the one `database_url` names (dropped by [`drop_fresh`]).
pub(crate) struct Fresh {
    pub url: String,
    pg: Option<(minzheng_store::PgStore, String)>,
}

pub(crate) async fn fresh_database(database_url: Option<&str>, dir: &Path, tag: &str) -> Result<Fresh> {
    match database_url {
        Some(base) if base.starts_with("postgres") => {
            let name = format!("mzbench_{tag}_{}", std::process::id());
            let admin = minzheng_store::PgStore::connect(base).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await?;
            Ok(Fresh { url: minzheng_store::postgres::with_database(base, &name), pg: Some((admin, name)) })
        }
        Some(other) => bail!("the bench makes its own SQLite file; --database-url is for PostgreSQL only (got {})", redact(other)),
        None => Ok(Fresh { url: format!("sqlite://{}", dir.join("bench.db").display()), pg: None }),
    }
}

/// Drops the bench's PostgreSQL database, if it made one.
pub(crate) async fn drop_fresh(fresh: Fresh) -> Result<()> {
    if let Some((admin, name)) = fresh.pg {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(admin.pool()).await?;
    }
    Ok(())
}
