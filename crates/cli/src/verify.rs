//! `minzheng verify ...`: data comparison and findings from the command line.

use crate::{actor, open};
use anyhow::{bail, Result};
use chrono::NaiveDate;
use clap::Subcommand;
use minzheng_app::verify as use_case;
use minzheng_domain::{Bilingual, FindingKind, FindingStatus, Principal, RegionCode};
use minzheng_policy::Engine;
use minzheng_store::FindingQuery;

#[derive(Subcommand)]
pub enum VerifyWhat {
    /// Compare every active enrolment of a region against the registry, the stored death records
    /// and the rules on a date (批量比对); new findings are stored.
    Compare {
        #[arg(long, default_value = "2101")]
        region: String,
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// Tag 空挂户 every living resident of a region whom the newest residence or social-insurance
    /// row puts in another city (and untag those back in their city); audited.
    Absent {
        #[arg(long, default_value = "2101")]
        region: String,
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// The registered departmental sources and the batches received from each (provenance).
    Sources,
    /// Link a file's rows to the registry as an import would, storing nothing (an analyst's
    /// look at a department's file): each row's outcome, person, probability and explanation.
    /// The file needs a 身份证号 column and 姓名; 出生日期 and 性别 help rows without a number.
    Link {
        file: std::path::PathBuf,
        /// Link against the persons of this file (身份证号 and 姓名 columns) instead of the
        /// registry: two departments' files to each other.
        #[arg(long)]
        against: Option<std::path::PathBuf>,
        /// Where the pairs go (.csv, UTF-8 with BOM).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// List findings of a region (newest first).
    Findings {
        #[arg(long, default_value = "2101")]
        region: String,
        /// deceased, enrolled_twice, incompatible_programs, moved_out, members_mismatch, no_longer_eligible, absent
        #[arg(long)]
        kind: Option<String>,
        /// new, assigned, verified, resolved
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

/// The command line acts as the city's administrator.
/// The command line acts as the city administrator of the configured city
/// ([`crate::cli_principal`]), whatever region it is given: a region outside the city is out of
/// its scope, as it would be for the city's administrator on the web.
fn operator(_region: &RegionCode) -> Result<Principal> {
    crate::cli_principal(crate::config())
}

pub async fn run(url: &str, what: VerifyWhat) -> Result<()> {
    let store = open(url).await?;
    match what {
        VerifyWhat::Compare { region, on } => {
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let on = on.unwrap_or_else(minzheng_domain::calendar::today_in_beijing);
            let engine = Engine::new(
                crate::config().policies().map_err(|e| anyhow::anyhow!(e.both()))?,
                std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            )
            .await?;
            minzheng_app::policy::ensure_parameters(store.as_ref(), &engine, &actor()).await?;
            let r = use_case::compare_region(
                store.as_ref(),
                &engine,
                &minzheng_app::RequestContext::new(&operator(&region)?, &actor(), minzheng_domain::calendar::today_in_beijing()),
                &region,
                on,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.both()))?;
            println!(
                "比对 {} 于 {on}：在保 {} 户次 {} 人，部门数据（死亡、迁出、居住、婚姻）{} 条，按规则复核 {} 户次；疑点 {} 条，新增 {} 条，用时 {:.1} 秒",
                r.region, r.enrolments, r.persons, r.rows, r.rechecked, r.found, r.added, r.seconds
            );
            println!(
                "compared {} on {on}: {} enrolments, {} persons, {} departmental rows (deaths, moves, residence, marriages), {} re-checked by the rules; {} findings, {} new, {:.1} s",
                r.region, r.enrolments, r.persons, r.rows, r.rechecked, r.found, r.added, r.seconds
            );
            for (kind, n) in &r.by_kind {
                let (zh, en) = FindingKind::parse(kind).map_or((kind.as_str(), kind.as_str()), |k| (k.zh(), k.en()));
                println!("  {zh} / {en}: {n}");
            }
        }
        VerifyWhat::Absent { region, on } => {
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let on = on.unwrap_or_else(minzheng_domain::calendar::today_in_beijing);
            let r = use_case::tag_absent(
                store.as_ref(),
                &minzheng_app::RequestContext::new(&operator(&region)?, &actor(), minzheng_domain::calendar::today_in_beijing()),
                &region,
                on,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.both()))?;
            println!(
                "空挂户 {} 于 {on}：居住和参保记录 {} 条，涉及本区域在世居民 {} 人；新标注 {} 人，取消 {} 人，现有 {} 人",
                r.region, r.rows, r.persons, r.tagged, r.untagged, r.absent
            );
            println!("registered but absent in {} on {on}: {} residence and insurance rows naming {} living residents; {} tagged, {} untagged, {} now tagged", r.region, r.rows, r.persons, r.tagged, r.untagged, r.absent);
        }
        VerifyWhat::Link { file, against, out } => {
            let started = std::time::Instant::now();
            let read_rows = |path: &std::path::Path| -> Result<(minzheng_app::sheet::Sheet, Vec<minzheng_app::verify::RecordedRow>)> {
                let known = |h: &str| matches!(h, "身份证号" | "姓名" | "出生日期" | "性别");
                let sheet = minzheng_app::sheet::read(path, known).map_err(|e| anyhow::anyhow!(e.to_string()))?;
                let cells: Vec<(usize, Vec<String>)> =
                    sheet.rows.iter().map(|r| (r.number, r.cells.iter().map(|c| c.text()).collect())).collect();
                let Some(rows) = minzheng_app::economy::recorded_rows(&sheet.headers, &cells) else {
                    bail!("{} 没有“身份证号”列 / has no 身份证号 column", path.display())
                };
                Ok((sheet, rows))
            };
            let (sheet, rows) = read_rows(&file)?;
            let other = against.as_deref().map(read_rows).transpose()?;
            let read = started.elapsed().as_secs_f64();
            let against_name = against.as_ref().map(|a| a.display().to_string());
            let linkage = use_case::link_file(
                store.as_ref(),
                &minzheng_app::RequestContext::new(
                    &operator(&RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?)?,
                    &actor(),
                    minzheng_domain::calendar::today_in_beijing(),
                ),
                &file.display().to_string(),
                &rows,
                against_name.as_deref().zip(other.as_ref().map(|(_, r)| r.as_slice())),
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.both()))?;
            let links = &linkage.links;
            let linked = started.elapsed().as_secs_f64() - read;
            let quoted = crate::csv_cell;
            let mut csv = String::from("\u{feff}行号,记录的身份证号,记录的姓名,关联结果,关联人员身份证号,匹配概率,评分说明\n");
            for ((r, row), l) in sheet.rows.iter().zip(&rows).zip(links) {
                csv.push_str(&format!(
                    "{},{},{},{},{},{:.3},{}\n",
                    r.number,
                    quoted(&row.id),
                    quoted(&row.name),
                    l.link.zh(),
                    // A candidate awaiting review is not yet the row's person: masked, as the import's list shows it.
                    l.id_number
                        .map(|i| if l.link == minzheng_domain::economy::LinkKind::Review { i.masked() } else { i.to_string() })
                        .unwrap_or_default(),
                    f64::from(l.probability) / 1000.0,
                    quoted(l.explanation.as_deref().unwrap_or_default())
                ));
            }
            std::fs::write(&out, csv)?;
            let count = |k: minzheng_domain::economy::LinkKind| links.iter().filter(|l| l.link == k).count();
            use minzheng_domain::economy::LinkKind as K;
            println!(
                "{} 行：证号一致且在册 {}，证号有效但人口库无此人 {}，模糊匹配 {}，待人工复核 {}，未匹配 {}；读取 {read:.2} 秒，关联 {linked:.2} 秒",
                rows.len(), count(K::Exact), count(K::Unregistered), count(K::Matched), count(K::Review), count(K::Unlinked)
            );
            println!(
                "{} rows: {} registered by their number, {} with a valid number of nobody registered, {} repaired by the linkage, {} for review, {} to nobody; read {read:.2} s, linked {linked:.2} s",
                rows.len(), count(K::Exact), count(K::Unregistered), count(K::Matched), count(K::Review), count(K::Unlinked)
            );
            if let Some(a) = &against_name {
                println!(
                    "（对照文件 / against the persons of: {a}，{} 人 / persons）",
                    other.as_ref().map_or(0, |(_, r)| minzheng_app::verify::FilePopulation::of(r).len())
                );
            }
            let phases: Vec<String> = linkage.phases.iter().map(|(name, s)| format!("{name} {s:.2} s")).collect();
            println!("各阶段 / phases: {}", phases.join(", "));
            if let Some(m) = &linkage.model {
                println!("模型参数 / model ({} 对候选 / candidate pairs): 先验 prior λ = {:.6}", linkage.candidate_pairs, m.prior);
                for (level, l) in minzheng_verify::IdRelation::ALL.iter().zip(m.id.iter()) {
                    println!("  证号 {:<28} m = {:.6}  u = {:.6}  权重 weight {:+.2} bits", level.zh(), l.m, l.u, l.weight());
                }
                for (level, l) in minzheng_verify::NameLevel::ALL.iter().zip(m.name.iter()) {
                    println!("  姓名 {:<28} m = {:.6}  u = {:.6}  权重 weight {:+.2} bits", level.zh(), l.m, l.u, l.weight());
                }
            }
            println!("已写入 / written: {}", out.display());
        }
        VerifyWhat::Sources => {
            let batches = store.economic_batches().await?;
            for s in &minzheng_app::economy::catalogue().sources {
                println!("{}: {}", s.code, s.title());
                println!("  列 columns: {}", s.headers.join(", "));
                let mine: Vec<_> = batches.iter().filter(|b| b.source == s.code).collect();
                if mine.is_empty() {
                    println!("  尚未收到数据 / no batch received");
                }
                for b in mine {
                    println!(
                        "  {}  数据日期 as of {}  {} 条 items  {} {}  sha256:{}",
                        b.file_name,
                        b.as_of,
                        b.items,
                        b.recorded_by,
                        b.recorded_at.format("%Y-%m-%d %H:%M"),
                        &b.checksum[..12.min(b.checksum.len())]
                    );
                }
            }
        }
        VerifyWhat::Findings { region, kind, status, limit } => {
            let region = RegionCode::parse(&region).map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let kind = match kind {
                Some(k) => Some(FindingKind::parse(&k).ok_or_else(|| anyhow::anyhow!("疑点类型“{k}”不存在 / no finding kind {k:?}"))?),
                None => None,
            };
            let status = match status {
                Some(s) => Some(FindingStatus::parse(&s).ok_or_else(|| anyhow::anyhow!("状态“{s}”不存在 / no status {s:?}"))?),
                None => None,
            };
            let q = FindingQuery { region: Some(region.clone()), kind, status, limit, ..Default::default() };
            let page = use_case::findings(
                store.as_ref(),
                &minzheng_app::RequestContext::new(&operator(&region)?, &actor(), minzheng_domain::calendar::today_in_beijing()),
                q,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e.both()))?;
            if page.items.is_empty() {
                bail!("没有符合条件的疑点 / no findings match");
            }
            for f in &page.items {
                println!("#{} [{}] {} {} {}‰ {}", f.id, f.status.zh(), f.kind.zh(), f.household_no, f.confidence, f.summary_zh);
            }
        }
    }
    Ok(())
}
