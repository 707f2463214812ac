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
            let r = use_case::compare_region(store.as_ref(), &engine, &operator(&region)?, &actor(), &region, on)
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
            let r = use_case::tag_absent(store.as_ref(), &operator(&region)?, &actor(), &region, on)
                .await
                .map_err(|e| anyhow::anyhow!(e.both()))?;
            println!(
                "空挂户 {} 于 {on}：居住和参保记录 {} 条，涉及本区域在世居民 {} 人；新标注 {} 人，取消 {} 人，现有 {} 人",
                r.region, r.rows, r.persons, r.tagged, r.untagged, r.absent
            );
            println!("registered but absent in {} on {on}: {} residence and insurance rows naming {} living residents; {} tagged, {} untagged, {} now tagged", r.region, r.rows, r.persons, r.tagged, r.untagged, r.absent);
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
            let page = use_case::findings(store.as_ref(), &operator(&region)?, &actor(), q).await.map_err(|e| anyhow::anyhow!(e.both()))?;
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
