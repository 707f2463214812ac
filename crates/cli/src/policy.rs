//! `minzheng policy ...`: the policy engine from the command line.

use crate::{actor, bar, open};
use anyhow::{bail, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use minzheng_app::policy as use_case;
use minzheng_domain::{Bilingual, Fen, Principal, RegionCode};
use minzheng_policy::{Change, Engine, ParameterRecord, PolicySet};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PolicyWhat {
    /// The programs, their conditions and the SQL they compile to.
    Show {
        /// Only this program (code, e.g. dibao).
        program: Option<String>,
        /// A policy folder to check instead of the shipped one (refused with file and line).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The parameter history (every recorded value, who and why).
    Params {
        /// Only this parameter.
        name: Option<String>,
    },
    /// Record a new value of a parameter from a date.
    Set {
        name: String,
        /// In the parameter's unit as staff write it: yuan for money (854 or 30.5), per cent for
        /// rates (15 or 15.5), 是/否 for flags, else a whole number.
        value: String,
        /// Record a value less than half or more than twice the one in force (asked otherwise).
        #[arg(long)]
        yes: bool,
        #[arg(long, default_value = "2101")]
        region: String,
        /// urban or rural, for parameters that differ.
        #[arg(long)]
        area: Option<String>,
        #[arg(long)]
        from: NaiveDate,
        /// The document or decision (at least 4 characters).
        #[arg(long)]
        reason: String,
    },
    /// Check one household on a date, with the explanation.
    Check {
        household_no: String,
        /// The date checked (2026-08-01): the parameters in force and the departmental files
        /// describing the situation on it; today when not given (and said so).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// Print the whole explanation as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sweep a region on a date (政策找人): eligible units per program, stored as a run.
    Sweep {
        #[arg(long, default_value = "2101")]
        region: String,
        #[arg(long)]
        on: Option<NaiveDate>,
        /// Write the summary and the eligible lists to this .xlsx file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only these programs (codes, comma separated: dibao,gaoling); the programs they refer
        /// to (requires, excluded_by, offset_by) are run too, so each answers as in a full run.
        #[arg(long, value_delimiter = ',')]
        programs: Vec<String>,
        /// A policy folder to run instead of the configured one (checked as `policy show --dir`).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Do not store the run (an analyst's trial; still audited). Needs no --out.
        #[arg(long)]
        no_store: bool,
        /// Write every unit considered, eligible or not, with the conditions it failed, to this
        /// .csv file (UTF-8 with BOM, for Excel).
        #[arg(long)]
        units: Option<PathBuf>,
    },
    /// Cost parameter changes (提标测算) against the current values.
    Whatif {
        /// A change: `dibao_standard:urban+7%`, `gaoling_80=3000`, `dibao_standard:210112:rural+10%`.
        #[arg(long = "change", required = true)]
        changes: Vec<String>,
        /// The date the changes start.
        #[arg(long)]
        from: NaiveDate,
        #[arg(long, default_value = "2101")]
        region: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The command line acts for the operator of the machine as a city administrator of the city it
/// names (whoever runs it has the database file anyway); everything is audited as `cli:<user>`.
/// The command line acts as the city administrator of the configured city
/// ([`crate::cli_principal`]), whatever region it is given: a region outside the city is out of
/// its scope, as it would be for the city's administrator on the web.
fn operator(_region: &RegionCode) -> Result<Principal> {
    crate::cli_principal(crate::config())
}

fn region(text: &str) -> Result<RegionCode> {
    RegionCode::parse(text).map_err(|e| anyhow::anyhow!(e.both()))
}

fn today() -> NaiveDate {
    minzheng_domain::calendar::today_in_beijing()
}

fn money(fen: i64) -> String {
    Fen(fen).to_string()
}

pub async fn engine() -> Result<Engine> {
    let policies = crate::config().policies().map_err(|e| anyhow::anyhow!(e.both()))?;
    Engine::new(policies, partitions()).await.map_err(|e| anyhow::anyhow!(e.both()))
}

/// Every unit of a sweep as CSV (UTF-8 with a BOM so that Excel reads the Chinese).
fn write_units(path: &std::path::Path, lines: &[use_case::UnitLine]) -> Result<()> {
    use std::io::Write;
    let quoted = crate::csv_cell;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all("\u{feff}项目代码,项目,区县,单位（户号或身份证号）,是否符合,月金额（元）,未满足的条件\n".as_bytes())?;
    for l in lines {
        writeln!(
            w,
            "{},{},{},{},{},{},{}",
            l.program,
            quoted(&l.program_zh),
            l.county,
            l.unit,
            if l.eligible { "是" } else { "否" },
            money(l.amount),
            quoted(&l.unmet.join("；"))
        )?;
    }
    w.flush()?;
    Ok(())
}

pub fn partitions() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

pub async fn run(what: PolicyWhat, url: &str) -> Result<()> {
    if let PolicyWhat::Show { program, dir } = &what {
        let set = match dir {
            Some(d) => PolicySet::load_dir(d).map_err(|e| anyhow::anyhow!(e.both()))?,
            None => crate::config().policies().map_err(|e| anyhow::anyhow!(e.both()))?,
        };
        let engine = Engine::new(set, 1).await.map_err(|e| anyhow::anyhow!(e.both()))?;
        for p in engine.policy.programs.iter().filter(|p| program.as_ref().is_none_or(|c| *c == p.code)) {
            println!("{} {}（{}，以{}为单位）/ {}", p.code, p.zh, p.basis, p.unit.zh(), p.en);
            for c in &p.conditions {
                println!("  条件 {}: {}\n      {}\n      依据 {}", c.name, c.zh, c.sql, c.basis);
            }
            println!("  金额: {}\n      {}", p.amount.zh, p.amount.sql);
            if program.is_some() {
                println!("\n编译后的查询 / compiled query:\n{}", engine.query(&p.code).unwrap_or_default());
            }
        }
        return Ok(());
    }
    let store = open(url).await?;
    let engine = engine().await?;
    use_case::ensure_parameters(store.as_ref(), &engine, &actor()).await?;
    let who = operator(&RegionCode::parse(&crate::config().city).map_err(|e| anyhow::anyhow!(e.both()))?)?;
    let who_for = |_: &RegionCode| who.clone();
    match what {
        PolicyWhat::Show { .. } => Ok(()),
        PolicyWhat::Params { name } => {
            for r in store.parameter_records().await?.iter().filter(|r| name.as_ref().is_none_or(|n| *n == r.name)) {
                let def = engine.policy.parameter(&r.name);
                println!(
                    "#{:<4} {:<28} {:<8} {:<6} 自 {} 起 = {:>16}  {}（{} {}）",
                    r.seq,
                    r.name,
                    r.region,
                    r.area.map(|a| a.zh()).unwrap_or("城乡"),
                    r.effective_from,
                    minzheng_domain::units::with_unit(&r.value.to_string(), def.map(|d| d.unit.as_str()).unwrap_or(""), true),
                    r.reason,
                    r.recorded_by,
                    r.recorded_at.format("%Y-%m-%d %H:%M")
                );
            }
            Ok(())
        }
        PolicyWhat::Set { name, value, yes, region: r, area, from, reason } => {
            let area = match area.as_deref() {
                None => None,
                Some(a) => Some(
                    minzheng_policy::Area::parse(a)
                        .ok_or_else(|| anyhow::anyhow!("--area 应为 urban 或 rural / must be urban or rural"))?,
                ),
            };
            let code = region(&r)?;
            let def = engine
                .policy
                .parameter(&name)
                .ok_or_else(|| anyhow::anyhow!("没有参数“{name}”（minzheng policy params 列出全部）/ no parameter {name:?}"))?
                .clone();
            let value = minzheng_policy::params::parse_value(&def.unit, &value).map_err(|(zh, en)| anyhow::anyhow!("{zh} / {en}"))?;
            let shown = |v: i64, zh: bool| minzheng_domain::units::with_unit(&v.to_string(), &def.unit, zh);
            // The value in force there on that day, for the confirmation and the question.
            let records = store.parameter_records().await?;
            let before: Vec<(minzheng_policy::Area, Option<i64>)> = match area {
                Some(a) => vec![a],
                None => vec![minzheng_policy::Area::Urban, minzheng_policy::Area::Rural],
            }
            .into_iter()
            .map(|a| (a, minzheng_policy::params::in_force(&records, &name, &r, a, from).map(|x| x.value)))
            .collect();
            // Less than half or more than twice the value in force (a unit mistake, most often);
            // not asked of flags, whose values are 0 and 1.
            let far = |old: i64| {
                let (v, o) = (i128::from(value), i128::from(old));
                def.unit != "flag" && o > 0 && (v * 2 < o || v > o * 2)
            };
            if !yes {
                if let Some((a, Some(old))) = before.iter().find(|(_, v)| v.is_some_and(far)) {
                    bail!(
                        "{} 新值 {} 与 {} 起{}现行值 {} 相差一倍以上，请核对单位（金额以元计）；确认无误请加 --yes / the new value {} is less than half or more than twice the value in force for {} from {}, {}: check the unit (money is in yuan) and add --yes if it is right",
                        def.zh,
                        shown(value, true),
                        from,
                        a.zh(),
                        shown(*old, true),
                        shown(value, false),
                        a.as_str(),
                        from,
                        shown(*old, false)
                    );
                }
            }
            let record = ParameterRecord {
                name,
                region: r,
                area,
                effective_from: from,
                value,
                reason,
                recorded_by: String::new(),
                recorded_at: chrono::Utc::now(),
                seq: 0,
            };
            let stored = use_case::set_parameter(
                store.as_ref(),
                &engine,
                &minzheng_app::RequestContext::new(&who_for(&code), &actor(), minzheng_domain::calendar::today_in_beijing()),
                record,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.both()))?;
            let area_zh = stored.area.map_or("城乡", |a| a.zh());
            let area_en = stored.area.map_or("urban and rural", |a| a.as_str());
            let was = |zh: bool| {
                before
                    .iter()
                    .map(|(a, v)| {
                        let v = v.map_or_else(|| if zh { "无".to_string() } else { "none".to_string() }, |v| shown(v, zh));
                        if zh {
                            format!("{} {v}", a.zh())
                        } else {
                            format!("{} {v}", a.as_str())
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(if zh { "，" } else { ", " })
            };
            println!(
                "已记录 #{}：{}（{}）{} {} 自 {} 起 = {}（此前：{}）",
                stored.seq,
                def.zh,
                stored.name,
                stored.region,
                area_zh,
                stored.effective_from,
                shown(stored.value, true),
                was(true)
            );
            println!(
                "recorded #{}: {} ({}) for {} {} from {} = {} (before: {})",
                stored.seq,
                def.en,
                stored.name,
                stored.region,
                area_en,
                stored.effective_from,
                shown(stored.value, false),
                was(false)
            );
            Ok(())
        }
        PolicyWhat::Check { household_no, on, json } => {
            let given = on.is_some();
            let on = on.unwrap_or_else(today);
            let found = match store.household(&household_no).await? {
                None => Err((format!("没有户号 {household_no}"), format!("no household {household_no}"))),
                Some(h) => use_case::check(
                    store.as_ref(),
                    &engine,
                    &minzheng_app::RequestContext::new(&who_for(&h.community), &actor(), minzheng_domain::calendar::today_in_beijing()),
                    &household_no,
                    on,
                )
                .await
                .map_err(|e| (e.zh(), e.en())),
            };
            let check = match found {
                Ok(c) => c,
                // A script reading JSON gets its error as JSON too, on the same stream.
                Err((zh, en)) if json => {
                    println!(
                        "{}",
                        serde_json::json!({ "error": { "household_no": household_no, "on": on, "message_zh": zh, "message_en": en } })
                    );
                    bail!("{zh} / {en}");
                }
                Err((zh, en)) => bail!("{zh} / {en}"),
            };
            if !given && !json {
                println!("未指定 --on，按今天 {on} 核算 / no --on given: checked as of today, {on}");
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&check)?);
                return Ok(());
            }
            println!("户 {} 于 {} 的核算结果 / check on {}:", check.household_no, on, on);
            for p in &check.programs {
                for u in &p.units {
                    let who = if p.unit == minzheng_policy::Unit::Household {
                        String::new()
                    } else {
                        format!(" {}", u.name.clone().unwrap_or_default())
                    };
                    println!(
                        "  {} {}{}: {}",
                        if u.eligible { "✔" } else { "✘" },
                        p.zh,
                        who,
                        if u.eligible { format!("{} 元/月", money(u.amount)) } else { "不符合".into() }
                    );
                    for s in &u.steps {
                        let values: Vec<String> = s
                            .features
                            .iter()
                            .map(|f| {
                                format!("{}={}", f.zh, minzheng_domain::units::with_unit(&f.value, f.unit.as_deref().unwrap_or(""), true))
                            })
                            .chain(s.parameters.iter().map(|p| {
                                format!(
                                    "{}={}",
                                    p.zh,
                                    p.record
                                        .as_ref()
                                        .map(|r| minzheng_domain::units::with_unit(&r.value.to_string(), &p.unit, true))
                                        .unwrap_or("无".into())
                                )
                            }))
                            .collect();
                        println!("      {} {} [{}]", if s.met { "是" } else { "否" }, s.zh, values.join(", "));
                    }
                }
                if p.units.is_empty() {
                    println!("  – {}: 无人在适用范围内 / nobody in scope", p.zh);
                }
            }
            Ok(())
        }
        PolicyWhat::Sweep { region: r, on, out, programs, dir, no_store, units } => {
            let on = on.unwrap_or_else(today);
            let code = region(&r)?;
            // The analyst's rules: another folder, some programs only.
            let mut engine = match &dir {
                Some(d) => Engine::new(PolicySet::load_dir(d).map_err(|e| anyhow::anyhow!(e.both()))?, partitions())
                    .await
                    .map_err(|e| anyhow::anyhow!(e.both()))?,
                None => engine,
            };
            if !programs.is_empty() {
                for p in &programs {
                    if engine.policy.program(p).is_none() {
                        let known: Vec<&str> = engine.policy.programs.iter().map(|p| p.code.as_str()).collect();
                        bail!("没有项目“{p}”（可选：{}）/ no program {p:?} (known: {})", known.join(", "), known.join(", "));
                    }
                }
                // The programs whose results these read (requires, and links decided by
                // eligibility) run too, so that each gives the same answer as in the full run;
                // a link to who is enrolled reads the enrolments.
                let mut wanted: Vec<String> = programs.clone();
                let mut i = 0;
                while i < wanted.len() {
                    if let Some(p) = engine.policy.program(&wanted[i]) {
                        let by_eligibility = p
                            .excluded_by
                            .iter()
                            .chain(&p.offset_by)
                            .filter(|l| l.when == minzheng_policy::LinkWhen::Eligible)
                            .map(|l| &l.program);
                        for r in p.requires.iter().chain(by_eligibility) {
                            if !wanted.contains(r) {
                                wanted.push(r.clone());
                            }
                        }
                    }
                    i += 1;
                }
                if wanted.len() > programs.len() {
                    let also = wanted[programs.len()..].join(", ");
                    println!("另行运行所引用的项目 / also run, as the programs refer to them: {also}");
                }
                let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
                engine = engine.with_programs(&wanted).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            // An analyst's rules or a part of the programs is a trial, never the bureau's stored sweep.
            if (dir.is_some() || !programs.is_empty()) && !no_store {
                bail!("--dir 或 --programs 的试算不作为正式普查存储，请加 --no-store / a trial with --dir or --programs is not stored as the bureau's sweep: add --no-store");
            }
            if no_store && out.is_some() {
                bail!("--out 写入已存储的普查；与 --no-store 同用请改用 --units / --out lists a stored run: with --no-store use --units");
            }
            let pb = bar(0, "快照 snapshot");
            let options = use_case::SweepOptions {
                store_run: !no_store,
                units: units.is_some(),
                rules: dir.as_ref().map(|d| d.display().to_string()),
                partitions: partitions(),
            };
            let (who, actor) = (who_for(&code), actor());
            let cx = minzheng_app::RequestContext::new(&who, &actor, minzheng_domain::calendar::today_in_beijing());
            let (report, lines) = use_case::sweep_with(store.as_ref(), &engine, &cx, &code, on, &|n| pb.set_position(n), options)
                .await
                .map_err(|e| anyhow::anyhow!(e.both()))?;
            pb.finish_and_clear();
            if no_store {
                println!(
                    "普查（未存储）：{} 于 {}，{} 户 {} 人 / sweep (not stored)",
                    report.region, on, report.households, report.persons
                );
            } else {
                println!(
                    "普查 #{}：{} 于 {}，{} 户 {} 人 / sweep run {}",
                    report.run_id, report.region, on, report.households, report.persons, report.run_id
                );
            }
            if let Some(path) = &units {
                write_units(path, &lines)?;
                println!(
                    "{} 个单位的结果及未满足的条件已写入 / {} units with their unmet conditions written to {}",
                    lines.len(),
                    lines.len(),
                    path.display()
                );
            }
            for (code, zh, eligible, amount) in report.program_totals() {
                println!("  {:<20} {:<24} {:>9} 个  {:>16} 元/月", code, zh, eligible, money(amount));
            }
            let t = report.timings;
            println!(
                "用时 / took: snapshot {} ms, features {} ms, rules {} ms, store {} ms",
                t.snapshot_ms, t.features_ms, t.evaluate_ms, t.store_ms
            );
            if let Some(path) = out {
                std::fs::write(&path, use_case::sweep_xlsx(store.as_ref(), &report, false).await.map_err(|e| anyhow::anyhow!(e.both()))?)?;
                println!("已写入 / written: {}", path.display());
            }
            Ok(())
        }
        PolicyWhat::Whatif { changes, from, region: r, out } => {
            let code = region(&r)?;
            let mut parsed = Vec::new();
            for c in &changes {
                match Change::parse(c, &r, from) {
                    Ok(c) => parsed.push(c),
                    Err(e) => bail!("--change {c:?}: {e}"),
                }
            }
            let pb = bar(0, "快照 snapshot");
            let (who, actor) = (who_for(&code), actor());
            let cx = minzheng_app::RequestContext::new(&who, &actor, minzheng_domain::calendar::today_in_beijing());
            let report = use_case::whatif(store.as_ref(), &engine, &cx, &code, &parsed, partitions(), &|n| pb.set_position(n))
                .await
                .map_err(|e| anyhow::anyhow!(e.both()))?;
            pb.finish_and_clear();
            println!("测算 #{}：{} 自 {} 起 / what-if run {}", report.run_id, report.region, from, report.run_id);
            println!(
                "  {:<24} {:>8} {:>8} {:>8} {:>8} {:>16} {:>16}",
                "项目", "现行", "调整后", "新增", "退出", "月增支(元)", "年增支(元)"
            );
            let mut by_program = report.by_program();
            by_program.push(report.total());
            for t in &by_program {
                println!(
                    "  {:<24} {:>8} {:>8} {:>8} {:>8} {:>16} {:>16}",
                    t.program_zh,
                    t.baseline_eligible,
                    t.scenario_eligible,
                    t.newly_eligible,
                    t.no_longer_eligible,
                    money(t.monthly_change()),
                    money(t.annual_change())
                );
            }
            if let Some(path) = out {
                std::fs::write(
                    &path,
                    use_case::whatif_xlsx(&report, |name| engine.policy.parameter(name).map(|d| d.unit.clone()).unwrap_or_default())
                        .map_err(|e| anyhow::anyhow!(e.both()))?,
                )?;
                println!("已写入 / written: {}", path.display());
            }
            Ok(())
        }
    }
}
