//! `minzheng`: the command line of the platform.

mod bench;
mod demo;
mod imports;
mod policy;
mod verify;
use demo::*;
use imports::*;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use minzheng_app::audit_anchor::Anchor;
use minzheng_app::config::Config;
use minzheng_app::export::{self, What};
use minzheng_app::import::{self, Mapping};
use minzheng_app::regions;
use minzheng_domain::{Bilingual, RegionCode};
use minzheng_store::{Actor, RegistryBatch, Store};
use minzheng_synth::files::Format;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Bulk paths (generate, import) allocate many small strings; mimalloc halves their cost. It is
/// built without transparent huge pages (feature `no_thp`): with them the kernel zeroes whole
/// 2 MiB pages for allocations that touch a little of each, which cost a fifth of a snapshot's
/// build and of the feature views (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "minzheng", version, about = "民政服务管理平台 Minzheng: civil-affairs service and management platform")]
struct Cli {
    /// Configuration file (default: ./minzheng.toml when present, or MINZHENG_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database: sqlite://PATH (default: ./minzheng-data/minzheng.db) or postgres://...; over
    /// the configuration's `database_url` and MINZHENG_DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the demo: load the Shenyang region tree and a synthetic city, then serve the web UI.
    Demo {
        /// Persons in the synthetic city.
        #[arg(long, default_value_t = 200_000)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Address to serve on (default: the configuration's `bind`, 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Prepare the data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web UI and the JSON API.
    Serve {
        /// Address to serve on (default: the configuration's `bind`, 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Write a synthetic city as the files bureaus and departments deliver.
    Generate {
        #[arg(long)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
        format: FileFormat,
        /// Share of persons behind a planted anomaly in the departmental data.
        #[arg(long, default_value_t = 0.01)]
        anomaly_share: f64,
    },
    /// Import a sheet into the registry.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export the registry to a sheet.
    Export {
        #[arg(value_enum)]
        what: ExportWhat,
        #[arg(long, value_enum, default_value_t = FileFormat::Xlsx)]
        format: FileFormat,
        #[arg(long)]
        out: PathBuf,
        /// Only this region (any level).
        #[arg(long)]
        region: Option<String>,
    },
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        what: DbWhat,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        what: UserWhat,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// The policy engine: check a household, sweep a region, cost a change, keep the parameters.
    Policy {
        #[command(subcommand)]
        what: policy::PolicyWhat,
    },
    /// Data comparison (数据比对): compare enrolments against the registry, departmental data and rules; list findings.
    Verify {
        #[command(subcommand)]
        what: verify::VerifyWhat,
    },
    /// 重点工作推进表: the key tasks and their monthly progress.
    Tasks {
        #[command(subcommand)]
        what: minzheng_server::tasks::cli::TasksWhat,
    },
    /// 资金发放: payment accounts, monthly payment lists, bank files and returns.
    Payments {
        #[command(subcommand)]
        what: minzheng_server::payments::cli::PaymentsWhat,
    },
    /// 基层治理: the work orders' daily escalation of what is overdue.
    Grid {
        #[command(subcommand)]
        what: minzheng_server::grid::cli::GridWhat,
    },
    /// 低收入人口动态监测: the nightly run of the warning rules, the daily escalation.
    Monitoring {
        #[command(subcommand)]
        what: minzheng_server::monitoring::cli::MonitoringWhat,
    },
    /// The working-day calendar that case time limits are counted in (holidays, 调休).
    Calendar {
        #[command(subcommand)]
        what: CalendarWhat,
    },
    /// Measure the hot paths (figures for BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: bench::BenchWhat,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Persons (and their households) from .xlsx or .csv.
    Persons {
        file: PathBuf,
        /// Where the rejected rows go, with their reasons (.xlsx or .csv).
        #[arg(long)]
        errors: Option<PathBuf>,
        /// A TOML column mapping for other layouts ([columns] "证件号" = "身份证号").
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
    /// Departmental data of a registered source (policies/sources.toml or MINZHENG_SOURCES:
    /// deaths, cremations, hukou_moves, residence, vehicles, property, business, income,
    /// social_insurance, tax, provident_fund, deposits, marriages, medical, disability,
    /// unemployment): a file, or every such file of a folder; the file name says the source
    /// (deaths.csv, tax-2026-06.xlsx ...). Rows with a wrong ID number are linked to the registry
    /// by the fuzzy linkage, rows without one by name and birth date; the enrolments the rows name
    /// are compared at once, and the monitoring's rules run over the households they name.
    Economy {
        path: PathBuf,
        /// The day the data describes (数据截止日期); with --relink, the day stored with the file is kept.
        #[arg(long, required_unless_present = "relink")]
        as_of: Option<chrono::NaiveDate>,
        /// 重新关联: a file (or folder of files) stored before is linked again against the registry
        /// as it is now, a new run of the linkage without a fresh database: rows take their new
        /// links and the file's items follow; rows a person decided in review keep the decision.
        #[arg(long)]
        relink: bool,
        /// A TOML column mapping for a department's own headers ([columns] "公民身份号码" = "身份证号"); for one file.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Where the rows given no item go, with their file, row number and reason (.xlsx or .csv).
        #[arg(long)]
        errors: Option<PathBuf>,
    },
    /// The roster of enrolments (在保名册: 保障项目, 户编号, 区县代码, 姓名, 身份证号, 月保障金额,
    /// 起始月份, 保障状态), one row per member, .xlsx or .csv.
    Enrolments {
        file: PathBuf,
        /// Where the refused rows go, with their reasons (.xlsx or .csv).
        #[arg(long)]
        errors: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserWhat {
    /// Create an account bound to a region. The password is read from MINZHENG_PASSWORD or,
    /// if that is not set, from the first line of standard input.
    Add {
        name: String,
        /// community_worker, grid_worker, street_reviewer, county_approver,
        /// verification_officer, city_admin or auditor (or the Chinese name).
        #[arg(long)]
        role: String,
        /// The region the account works in (its level must fit the role).
        #[arg(long)]
        region: String,
        /// The name of the person behind the account (王芳), shown on pages and letters.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Record the name of the person behind an account (shown instead of the login).
    Name { name: String, display_name: String },
}

#[derive(Subcommand)]
enum CalendarWhat {
    /// The listed days of a year (holidays and weekend days worked in exchange).
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Record days as holidays or working days (a day recorded again takes the new kind), e.g.
    /// `minzheng calendar set 2027-01-01 holiday --note 元旦`; a range is FIRST..LAST.
    Set {
        days: String,
        /// holiday (放假) or workday (调休上班).
        kind: String,
        #[arg(long)]
        note: String,
    },
}

#[derive(Subcommand)]
enum AuditWhat {
    /// Check the hash chain of the audit log and the signed checkpoints kept outside the database
    /// (`audit-checkpoints.log` in the data folder), and print the newest checkpoint to note.
    Verify {
        /// The checkpoint noted at the last verification (`SEQ:HASH`, as printed): it must still
        /// be in the checkpoint file unchanged.
        #[arg(long)]
        expect: Option<String>,
    },
    /// Write a signed checkpoint of the chain's newest record now.
    Checkpoint,
}

#[derive(Subcommand)]
enum DbWhat {
    /// Apply the migrations and load the region tree.
    Migrate,
    /// Back the database up while it is in use: SQLite into a new file (`VACUUM INTO`, one
    /// consistent copy), PostgreSQL with `pg_dump --format=custom`. The copy's audit chain is
    /// verified. The audit key and checkpoints (`audit.key`, `audit-checkpoints.log` in the data
    /// folder) are files: back them up apart, the key kept away from the database copies.
    Backup {
        /// The file to write (must not exist).
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FileFormat {
    Csv,
    Xlsx,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Format {
        match f {
            FileFormat::Csv => Format::Csv,
            FileFormat::Xlsx => Format::Xlsx,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportWhat {
    Persons,
    Households,
}

static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();

/// The configuration of this run (read once at start).
pub(crate) fn config() -> &'static Config {
    CONFIG.get_or_init(Config::default)
}

pub(crate) fn actor() -> Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "admin".into());
    Actor::new(format!("cli:{user}"))
}

/// Who the command line acts as: the operator of the installation, with the city administrator's
/// permissions over the configured city (audited as `cli:<user>`).
pub(crate) fn cli_principal(config: &Config) -> Result<minzheng_domain::Principal> {
    let region = RegionCode::parse(&config.city).map_err(|e| anyhow::anyhow!(e.both()))?;
    Ok(minzheng_domain::Principal { name: actor().name, role: minzheng_domain::Role::CityAdmin, region })
}

pub(crate) async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let store = minzheng_store::connect(url).await.with_context(|| format!("cannot open the database {}", redact(url)))?;
    // Every module's own tables too.
    minzheng_server::module::migrate_modules(store.as_ref()).await?;
    let added = regions::ensure_loaded(store.as_ref(), &Actor::system()).await?;
    if added > 0 {
        eprintln!("已载入区划 {added} 条 / loaded {added} divisions of the region tree");
    }
    Ok(store)
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    minzheng_app::config::redact_url(url)
}

pub(crate) fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    // A listing piped into `head` ends quietly when the reader stops, as other command-line
    // tools do (exit status 141, as if by SIGPIPE), instead of a panic message. SIGPIPE itself
    // stays ignored, so that a socket closed under the process never ends it silently.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
    if let Err(e) = run(cli).await {
        eprintln!("错误 / error: {e:#}");
        std::process::exit(1);
    }
    // An import that stored what it could and refused some rows ends with exit status 2, so
    // that a script notices without reading the error file.
    let refused = REFUSED_ROWS.load(std::sync::atomic::Ordering::Relaxed);
    if refused > 0 {
        eprintln!("有 {refused} 行被拒绝，其余已存储 / {refused} rows were refused; the rest is stored");
        std::process::exit(2);
    }
}

/// A cell of a CSV file for Excel: quoted when it holds a separator, a quote or a line break,
/// and a text a department wrote that Excel would take for a formula (=, +, -, @, tab, CR at
/// its start) kept as text by a leading apostrophe.
pub(crate) fn csv_cell(t: &str) -> String {
    let t = if t.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{t}") } else { t.to_string() };
    if t.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

/// Rows an import refused in this run (the exit status is 2 when any were).
static REFUSED_ROWS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn refused_rows(n: usize) {
    REFUSED_ROWS.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
}

async fn run(cli: Cli) -> Result<()> {
    let mut config = Config::load(cli.config.as_deref()).map_err(|e| anyhow::anyhow!(e.both()))?;
    // An empty --database-url means "not given".
    if let Some(url) = cli.database_url.clone().filter(|u| !u.trim().is_empty()) {
        config.database_url = Some(url);
    }
    // A bureau's own source catalogue is checked before anything runs.
    minzheng_app::economy::use_catalogue(config.sources.as_deref()).map_err(|e| anyhow::anyhow!(e.both()))?;
    // So is the font PDFs embed, when one is configured (else the first found, when first needed).
    if let Some(font) = config.pdf_font.as_deref() {
        minzheng_app::pdf::font::configure(Some(font)).map_err(|e| anyhow::anyhow!("PDF 字体不可用 / the PDF font cannot be used: {e}"))?;
    }
    let config = CONFIG.get_or_init(|| config);
    let url = config.database_url();
    let anchors_after =
        !matches!(cli.command, Command::Bench { .. } | Command::Serve { .. } | Command::Demo { .. } | Command::Audit { .. });
    let done = command(cli.command, config, &url).await;
    // What the command wrote to the audit log is anchored outside the database at once.
    if anchors_after && done.is_ok() {
        if let Err(e) = checkpoint(config, &url).await {
            eprintln!("警告 / warning: no audit checkpoint written: {e:#}");
        }
    }
    done
}

/// Writes a signed checkpoint of the audit chain (see `minzheng_app::audit_anchor`).
async fn checkpoint(config: &Config, url: &str) -> Result<()> {
    let store = minzheng_store::connect(url).await?;
    let anchor = Anchor::open(&config.data_dir()).map_err(|e| anyhow::anyhow!(e.both()))?;
    anchor.checkpoint(store.as_ref()).await.map_err(|e| anyhow::anyhow!(e.both()))?;
    Ok(())
}

async fn command(command: Command, config: &'static Config, url: &str) -> Result<()> {
    let url = url.to_string();
    match command {
        Command::Demo { persons, seed, bind, no_serve } => {
            demo(config, persons, seed, bind.as_deref().unwrap_or(&config.bind), no_serve).await
        }
        Command::Serve { bind } => serve(open(&url).await?, config, bind.as_deref().unwrap_or(&config.bind)).await,
        Command::Generate { persons, seed, out, format, anomaly_share } => generate(persons, seed, &out, format.into(), anomaly_share),
        Command::Import { what: ImportWhat::Persons { file, errors, mapping } } => {
            import_persons(&url, &file, errors.as_deref(), mapping.as_deref()).await
        }
        Command::Export { what, format, out, region } => {
            let store = open(&url).await?;
            let region = region.map(|r| RegionCode::parse(&r).map_err(|e| anyhow::anyhow!(e.both()))).transpose()?;
            let what = match what {
                ExportWhat::Persons => What::Persons,
                ExportWhat::Households => What::Households,
            };
            let pb = bar(store.counts().await?.persons, "导出 export");
            let (who, actor) = (cli_principal(config)?, actor());
            let cx = minzheng_app::RequestContext::new(&who, &actor, minzheng_domain::calendar::today_in_beijing());
            let n = export::export(store.as_ref(), &cx, what, region, &out, format.into(), &|n| pb.set_position(n))
                .await
                .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?;
            pb.finish_and_clear();
            println!("已导出 {n} 行到 {} / exported {n} rows to {}", out.display(), out.display());
            Ok(())
        }
        Command::Db { what: DbWhat::Backup { out } } => backup(&url, &out).await,
        Command::Db { what: DbWhat::Migrate } => {
            let store = open(&url).await?;
            let c = store.counts().await?;
            println!(
                "数据库已就绪 / database ready: {} ({:?}), {} regions, {} persons",
                redact(&url),
                store.backend(),
                c.regions,
                c.persons
            );
            Ok(())
        }
        Command::User { what: UserWhat::Name { name, display_name } } => {
            let store = open(&url).await?;
            minzheng_app::auth::name_account(store.as_ref(), &actor(), &name, &display_name)
                .await
                .map_err(|e| anyhow::anyhow!(e.both()))?;
            println!("账号 {name} 的姓名：{display_name} / account {name} is {display_name}");
            Ok(())
        }
        Command::User { what: UserWhat::Add { name, role, region, display_name } } => {
            let store = open(&url).await?;
            let role = minzheng_domain::Role::parse(&role).ok_or_else(|| anyhow::anyhow!("未知角色 / unknown role {role:?}"))?;
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!(e.both()))?;
            let password = match std::env::var("MINZHENG_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            minzheng_app::auth::create_account(store.as_ref(), None, &actor(), &name, role, &region, &password)
                .await
                .map_err(|e| anyhow::anyhow!(e.both()))?;
            if let Some(d) = display_name {
                minzheng_app::auth::name_account(store.as_ref(), &actor(), &name, &d).await.map_err(|e| anyhow::anyhow!(e.both()))?;
            }
            println!("已创建账号 {name}（{}，{region}）/ account {name} created ({}, {region})", role.zh(), role.as_str());
            Ok(())
        }
        Command::Audit { what: AuditWhat::Verify { expect } } => {
            let store = open(&url).await?;
            let Some(anchor) = Anchor::open_existing(&config.data_dir()).map_err(|e| anyhow::anyhow!(e.both()))? else {
                // A fresh installation: no key made yet, no checkpoint to check.
                let v = minzheng_store::verify_audit(store.as_ref()).await?;
                println!(
                    "审计记录 {} 条，尚无审计密钥和检查点 / {} audit records; no audit key and no checkpoint yet",
                    v.records, v.records
                );
                return match v.first_broken {
                    None => {
                        println!("审计日志完整 / the audit log is intact");
                        Ok(())
                    }
                    Some((id, why)) => bail!("审计日志已被篡改 / the audit log was tampered with at record {id}: {why}"),
                };
            };
            let v = anchor.verify(store.as_ref(), expect.as_deref()).await.map_err(|e| anyhow::anyhow!(e.both()))?;
            println!(
                "审计记录 {} 条，签名检查点 {} 个 / {} audit records, {} signed checkpoints",
                v.records, v.checkpoints, v.records, v.checkpoints
            );
            match &v.latest {
                Some(c) => println!(
                    "最新检查点（请记下，下次核验时以 --expect {} 给出）/ newest checkpoint (note it and give it to the next verification as --expect {}):\n  {}\n其后未锚定的记录 / records after it: {}",
                    c.note(),
                    c.note(),
                    c.summary(),
                    v.unanchored
                ),
                None => println!("尚无检查点 / no checkpoint yet: run `minzheng audit checkpoint`"),
            }
            match v.problem {
                None => {
                    println!("审计日志完整 / the audit log is intact");
                    Ok(())
                }
                Some(p) => bail!("审计日志已被篡改 / the audit log was tampered with: {p}"),
            }
        }
        Command::Audit { what: AuditWhat::Checkpoint } => {
            let store = open(&url).await?;
            let anchor = Anchor::open(&config.data_dir()).map_err(|e| anyhow::anyhow!(e.both()))?;
            match anchor.checkpoint(store.as_ref()).await.map_err(|e| anyhow::anyhow!(e.both()))? {
                Some(c) => println!("已写入检查点 / checkpoint written: {}", c.summary()),
                None => println!("最新记录已有检查点 / the newest record is checkpointed already"),
            }
            Ok(())
        }
        Command::Import { what: ImportWhat::Economy { path, as_of, relink, mapping, errors } } => {
            let run = if relink { minzheng_app::economy::Run::Again } else { minzheng_app::economy::Run::First };
            import_economy(&url, &path, as_of, run, mapping.as_deref(), errors.as_deref()).await
        }
        Command::Import { what: ImportWhat::Enrolments { file, errors } } => import_enrolments(&url, &file, errors.as_deref()).await,
        Command::Policy { what } => policy::run(what, &url).await,
        Command::Verify { what } => verify::run(&url, what).await,
        Command::Calendar { what } => calendar(&url, what).await,
        Command::Tasks { what } => minzheng_server::tasks::cli::run(
            what,
            open(&url).await?.as_ref(),
            &minzheng_app::RequestContext::new(&cli_principal(config)?, &actor(), minzheng_domain::calendar::today_in_beijing()),
        )
        .await
        .map_err(anyhow::Error::msg),
        Command::Grid { what } => {
            minzheng_server::grid::cli::run(what, open(&url).await?.as_ref(), &actor()).await.map_err(anyhow::Error::msg)
        }
        Command::Monitoring { what } => {
            let city = cli_principal(config)?.region;
            minzheng_server::monitoring::cli::run(what, open(&url).await?.as_ref(), &policy::engine().await?, &city, &actor())
                .await
                .map_err(anyhow::Error::msg)
        }
        Command::Payments { what } => {
            minzheng_server::payments::cli::run(what, open(&url).await?.as_ref(), &policy::engine().await?, &actor())
                .await
                .map_err(anyhow::Error::msg)
        }
        // The pages are timed on the configured database (the demo's), not on a scratch one.
        Command::Bench { what: bench::BenchWhat::Pages { rounds } } => bench::pages_on(&config.database_url(), rounds).await,
        Command::Bench { what } => bench::run(what, config.database_url.as_deref()).await,
    }
}

async fn backup(url: &str, out: &Path) -> Result<()> {
    if out.exists() {
        bail!("{} 已存在，不覆盖 / exists already: not overwritten", out.display());
    }
    // The checkpoints as of the backup go with it: restored together, they verify together.
    checkpoint(config(), url).await?;
    let anchor = Anchor::open(&config().data_dir()).map_err(|e| anyhow::anyhow!(e.both()))?;
    let mut checkpoints = out.as_os_str().to_owned();
    checkpoints.push(".checkpoints.log");
    let checkpoints = PathBuf::from(checkpoints);
    if anchor.file().exists() {
        std::fs::copy(anchor.file(), &checkpoints).with_context(|| format!("cannot copy {}", anchor.file().display()))?;
    }
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let store = minzheng_store::SqliteStore::open(Path::new(path)).await?;
        store.backup_into(out).await?;
        // The copy is checked as a restore would find it.
        let copy = minzheng_store::connect(&format!("sqlite://{}", out.display())).await?;
        let v = minzheng_store::verify_audit(copy.as_ref()).await?;
        if let Some((id, why)) = v.first_broken {
            bail!("备份的审计链在第 {id} 条断开 / the backup's audit chain is broken at record {id}: {why}");
        }
        let c = copy.counts().await?;
        println!(
            "已备份到 {} / backed up to {}: {} persons, {} households, {} audit records, audit chain intact",
            out.display(),
            out.display(),
            c.persons,
            c.households,
            v.records
        );
        println!(
            "恢复 / to restore: stop the server, put this copy in place of the database file and {} in place of audit-checkpoints.log, start it again",
            checkpoints.display()
        );
    } else {
        // The password goes in the environment, not on the command line (where `ps` shows it).
        let (url_without, password) = split_password(url);
        let mut dump = std::process::Command::new("pg_dump");
        dump.args(["--format=custom", "--no-owner", "--file"]).arg(out).arg(&url_without);
        if let Some(p) = password {
            dump.env("PGPASSWORD", p);
        }
        let status = dump.status().context("pg_dump is needed to back up PostgreSQL (Debian: apt install postgresql-client)")?;
        if !status.success() {
            bail!("pg_dump 失败 / pg_dump failed: {status}");
        }
        println!("已备份到 {} / backed up to {} (pg_dump custom format)", out.display(), out.display());
        println!(
            "恢复 / to restore: createdb NEW && pg_restore --no-owner --dbname NEW {}; put {} in place of audit-checkpoints.log; then `minzheng --database-url postgres://.../NEW audit verify`",
            out.display(),
            checkpoints.display()
        );
    }
    Ok(())
}

/// A PostgreSQL URL without its password, and the password (percent-decoding is left to libpq's
/// own rules: a password with `@` or `:` should be given in `~/.pgpass`).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_string(), None) };
    let Some((userinfo, host)) = rest.split_once('@') else { return (url.to_string(), None) };
    match userinfo.split_once(':') {
        Some((user, password)) => (format!("{scheme}://{user}@{host}"), Some(password.to_string())),
        None => (url.to_string(), None),
    }
}

async fn calendar(url: &str, what: CalendarWhat) -> Result<()> {
    use minzheng_domain::calendar::{CalendarDay, DayKind};
    let store = open(url).await?;
    minzheng_app::cases::ensure_calendar(store.as_ref(), &actor()).await?;
    match what {
        CalendarWhat::List { year } => {
            let days = store.calendar_days().await?;
            let cal = minzheng_domain::calendar::WorkCalendar::new(&days);
            for d in days.iter().filter(|d| year.is_none_or(|y| chrono::Datelike::year(&d.day) == y)) {
                println!("{}  {}  {}", d.day, if d.kind == DayKind::Holiday { "放假 holiday" } else { "上班 workday" }, d.note);
            }
            if let Some(y) = year.filter(|y| !cal.has_year(*y)) {
                println!(
                    "{y} 年的节假日安排尚未录入：该年的办理时限按周一至周五计算，标为暂定 / the public holidays of {y} are not entered: limits in that year are counted Monday to Friday and marked provisional"
                );
            }
            if let Some(y) = cal.year_to_enter(minzheng_domain::calendar::today_in_beijing()).filter(|y| year.is_none_or(|x| x != *y)) {
                eprintln!("注意：{y} 年的节假日安排尚未录入 / note: the public holidays of {y} are not entered yet");
            }
        }
        CalendarWhat::Set { days, kind, note } => {
            let kind = DayKind::parse(&kind)
                .ok_or_else(|| anyhow::anyhow!("类型应为 holiday 或 workday / the kind must be holiday or workday, not {kind:?}"))?;
            let (a, b) = days.split_once("..").unwrap_or((&days, &days));
            let parse = |t: &str| {
                chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| anyhow::anyhow!("日期“{t}”应写作 2027-01-01 / {t:?} is not a date such as 2027-01-01"))
            };
            let (mut d, last) = (parse(a)?, parse(b)?);
            if d > last || (last - d).num_days() > 366 {
                bail!("日期范围无效 / {days:?} is not a range of at most a year");
            }
            let mut list = Vec::new();
            while d <= last {
                list.push(CalendarDay { day: d, kind, note: note.clone() });
                d += chrono::Duration::days(1);
            }
            store.set_calendar_days(&list, &actor()).await?;
            println!("已记录 {} 天 / {} days recorded", list.len(), list.len());
            // The open cases' time limits follow the calendar as it now is.
            let r = minzheng_app::cases::recount_due_dates(store.as_ref(), &minzheng_app::cases::Catalogue::shenyang(), &actor())
                .await
                .map_err(|e| anyhow::anyhow!(e.both()))?;
            println!(
                "在办案件 {} 件，期限重算后改变 {} 件 / {} open cases, {} with their due dates counted again{}",
                r.open,
                r.changed.len(),
                r.open,
                r.changed.len(),
                if r.stale > 0 { format!("; {} moved on meanwhile (counted at the next change)", r.stale) } else { String::new() }
            );
            for c in r.changed.iter().take(20) {
                println!("  #{}：办结期限 {} → {}，当前环节 {} → {}", c.case_id, c.due.0, c.due.1, c.step_due.0, c.step_due.1);
            }
        }
    }
    Ok(())
}

fn generate(persons: u64, seed: u64, out: &Path, format: Format, anomaly_share: f64) -> Result<()> {
    if !(0.0..=0.2).contains(&anomaly_share) {
        bail!("--anomaly-share 应在0到0.2之间 / must be between 0 and 0.2");
    }
    let started = Instant::now();
    let mut config = minzheng_synth::Config::new(persons, seed);
    config.anomaly_share = anomaly_share;
    let city = minzheng_synth::generate(&regions::liaoning(), &config)?;
    let files = minzheng_synth::files::write_city(&city, out, format)?;
    println!(
        "已生成 {} 人、{} 户，{} 个文件，用时 {:.1} 秒 / generated {} persons in {} households, {} files, {:.1} s:",
        city.persons.len(),
        city.households.len(),
        files.len(),
        started.elapsed().as_secs_f64(),
        city.persons.len(),
        city.households.len(),
        files.len(),
        started.elapsed().as_secs_f64()
    );
    for f in files {
        println!("  {}", f.display());
    }
    Ok(())
}

async fn serve(store: Arc<dyn Store>, config: &Config, bind: &str) -> Result<()> {
    let anchor = Anchor::open(&config.data_dir()).map_err(|e| anyhow::anyhow!(e.both()))?;
    minzheng_server::spawn_checkpoints(store.clone(), anchor, std::time::Duration::from_secs(60));
    let state = minzheng_server::AppState::new(store, config).await.map_err(|e| anyhow::anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    minzheng_server::serve(state, listener).await?;
    Ok(())
}
