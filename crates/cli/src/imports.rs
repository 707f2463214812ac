//! `minzheng import persons|economy|enrolments`: the registry, departmental files and the roster in, with the refused rows and the comparisons that follow.

#[allow(unused_imports)]
use super::*;

pub(super) async fn import_persons(url: &str, file: &Path, errors: Option<&Path>, mapping: Option<&Path>) -> Result<()> {
    let store = open(url).await?;
    let mapping = match mapping {
        Some(m) => Mapping::load(m).map_err(|e| anyhow::anyhow!(e.both()))?,
        None => Mapping::default(),
    };
    let started = Instant::now();
    let pb = bar(0, "导入 import");
    let report = import::import_persons(store.as_ref(), file, &mapping, &actor(), &|n| {
        if pb.length() == Some(0) {
            pb.set_length(n.max(1));
        }
        pb.set_position(n);
    })
    .await;
    pb.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!(e.both()))?;
    let o = report.outcome;
    println!(
        "共 {} 行：接收 {}，拒绝 {}（新增 {} 人，更新 {} 人，未变 {} 人；新增 {} 户，更新 {} 户），用时 {:.1} 秒",
        report.rows,
        report.accepted,
        report.rejected.len(),
        o.persons_inserted,
        o.persons_updated,
        o.persons_unchanged,
        o.households_inserted,
        o.households_updated,
        started.elapsed().as_secs_f64()
    );
    println!(
        "{} rows: {} accepted, {} rejected ({} persons added, {} updated, {} unchanged; {} households added, {} updated)",
        report.rows,
        report.accepted,
        report.rejected.len(),
        o.persons_inserted,
        o.persons_updated,
        o.persons_unchanged,
        o.households_inserted,
        o.households_updated
    );
    if !report.questioned.is_empty() {
        println!("{} 行已按所填导入，请核对 / {} rows stored as written, please check:", report.questioned.len(), report.questioned.len());
        for q in report.questioned.iter().take(5) {
            println!("  第{}行 row {}: {}", q.row, q.row, q.reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
        }
    }
    if !report.rejected.is_empty() {
        refused_rows(report.rejected.len());
        let path = errors.map(Path::to_path_buf).unwrap_or_else(|| {
            let stem = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "import".into());
            file.with_file_name(format!("{stem}.errors.xlsx"))
        });
        import::write_errors(&path, &report)?;
        println!("被拒绝的行及原因见 {} / rejected rows and reasons: {}", path.display(), path.display());
        for r in report.rejected.iter().take(5) {
            println!("  第{}行 row {}: {}", r.row, r.row, r.reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
        }
    }
    // 死亡联动: the deaths the registry records and no decision has taken into effect yet (those
    // of this import, and any an interrupted earlier run left) stop the persons' benefits.
    let pending = minzheng_app::deaths::pending(store.as_ref()).await?;
    let effects = minzheng_app::deaths::take_effect(
        store.as_ref(),
        &minzheng_app::cases::Catalogue::shenyang(),
        &actor(),
        &pending,
        minzheng_domain::calendar::today_in_beijing(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.both()))?;
    let care = minzheng_server::eldercare::service::end_care_of_deceased(
        store.as_ref(),
        &actor(),
        None,
        minzheng_domain::calendar::today_in_beijing(),
    )
    .await?;
    if care.discharged + care.orders_ended > 0 {
        println!(
            "死亡联动：养老机构离院 {} 人，居家养老服务工单终止 {} 张 / {} care-home residents discharged and {} home-care orders ended by the registry's deaths",
            care.discharged, care.orders_ended, care.discharged, care.orders_ended
        );
    }
    if !effects.is_empty() {
        println!(
            "死亡联动：{} 人的在保记录 {} 条随人口库登记的死亡变更 / {} enrolments of {} deceased members changed by the registry's deaths",
            pending.len(),
            effects.len(),
            effects.len(),
            pending.len()
        );
        for e in effects.iter().take(20) {
            println!("  {} {} {}：{}", e.household_no, e.program, e.person.masked(), e.outcome.zh());
        }
    }
    Ok(())
}

pub(super) async fn import_economy(
    url: &str,
    path: &Path,
    as_of: Option<chrono::NaiveDate>,
    run: minzheng_app::economy::Run,
    mapping: Option<&Path>,
    errors: Option<&Path>,
) -> Result<()> {
    use minzheng_app::economy;
    let store = open(url).await?;
    let reports = if path.is_dir() {
        if mapping.is_some() {
            bail!("--mapping 只用于单个文件 / --mapping is for one file, not a folder");
        }
        economy::import_dir_run(&store, path, as_of, run, &actor()).await
    } else {
        let map = match mapping {
            Some(m) => {
                let dataset = economy::dataset_of(path).ok_or_else(|| {
                    anyhow::anyhow!(economy::EconomyError::Dataset(path.display().to_string(), economy::catalogue().codes()).both())
                })?;
                economy::ColumnMap::load(m, &dataset.code).map_err(|e| anyhow::anyhow!(e.both()))?
            }
            None => economy::ColumnMap::default(),
        };
        economy::import_file_on(store.as_ref(), path, as_of, &map, run, &actor()).await.map(|r| vec![r])
    }
    .map_err(|e| anyhow::anyhow!(e.both()))?;
    if reports.is_empty() {
        bail!("{} 中没有部门数据文件（{}）/ no departmental files", path.display(), economy::catalogue().codes());
    }
    for r in &reports {
        let again;
        let state = match (&r.relinked, r.stored) {
            (Some(x), _) => {
                again = format!(
                    "重新关联（数据截止 {}）：{} 行的关联改变，{} 行保留人工复核结论 / linked again (data as of {}): {} rows changed, {} rows keep the reviewer's decision{}",
                    x.as_of,
                    x.changed,
                    x.kept_decisions,
                    x.as_of,
                    x.changed,
                    x.kept_decisions,
                    if x.moved_away > 0 {
                        format!("\n  其中 {} 行不再指向原来的人员：原人员因这些行产生的疑点和预警不会自动撤销，请复核 / {} rows no longer name the person they named: the findings and warnings they raised for that person are not withdrawn; review them", x.moved_away, x.moved_away)
                    } else {
                        String::new()
                    }
                );
                again.as_str()
            }
            (None, true) => "已存储 stored",
            (None, false) => "此文件已导入过，未改变（重新关联用 --relink）/ already stored, nothing changed (--relink links it again)",
        };
        let l = r.linked;
        println!("{}（{}）：{} 行，{} 条经济项目，拒绝 {} 行 — {}", r.file, r.dataset, r.rows, r.items, r.refused.len(), state);
        println!(
            "  {} rows, {} items, {} rows refused; {} registered by their number, {} with a valid number of nobody registered here, {} repaired by the linkage, {} for review, {} to nobody",
            r.rows,
            r.items,
            r.refused.len(),
            l.exact,
            l.unregistered,
            l.matched,
            l.review,
            l.unlinked
        );
        for (row, reason) in r.refused.iter().take(3) {
            println!("  第{row}行 row {row}: {reason}");
        }
    }
    if let Some(out) = errors {
        let rows: Vec<Vec<String>> = reports
            .iter()
            .flat_map(|r| r.refused.iter().map(move |(row, why)| vec![r.file.clone(), row.to_string(), why.zh.clone(), why.en.clone()]))
            .collect();
        let format = if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) { Format::Csv } else { Format::Xlsx };
        minzheng_synth::files::write_table(out, &["文件", "行号", "原因", "Reason"], &rows, format)?;
        println!("{} 行及原因已写入 / {} rows with their reasons written to {}", rows.len(), rows.len(), out.display());
    }
    // Each file's rows are compared as of the day that file describes (a file linked again keeps
    // the date stored with it).
    let mut by_date: std::collections::BTreeMap<chrono::NaiveDate, Vec<minzheng_domain::economy::DeptRecord>> = Default::default();
    for r in reports {
        let Some(on) = r.relinked.map(|x| x.as_of).or(as_of) else { continue };
        by_date.entry(on).or_default().extend(r.records);
    }
    for (as_of, records) in by_date.into_iter().filter(|(_, r)| !r.is_empty()) {
        let engine = minzheng_policy::Engine::new(config().policies().map_err(|e| anyhow::anyhow!(e.both()))?, 2).await?;
        minzheng_app::policy::ensure_parameters(store.as_ref(), &engine, &actor()).await?;
        let operator = minzheng_domain::Principal {
            name: actor().name,
            role: minzheng_domain::Role::CityAdmin,
            region: RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?,
        };
        let c = minzheng_app::verify::compare_records(
            store.as_ref(),
            &engine,
            &minzheng_app::RequestContext::new(&operator, &actor(), minzheng_domain::calendar::today_in_beijing()),
            &records,
            as_of,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.both()))?;
        println!("增量比对：涉及在保 {} 户次，疑点 {} 条，新增 {} 条，用时 {:.2} 秒 / incremental comparison: {} enrolments named, {} findings, {} new, {:.2} s", c.enrolments, c.found, c.added, c.seconds, c.enrolments, c.found, c.added, c.seconds);
        let m = minzheng_server::monitoring::service::run_records(
            store.as_ref(),
            &engine,
            &minzheng_app::RequestContext::new(&operator, &actor(), minzheng_domain::calendar::today_in_beijing()),
            &records,
            as_of,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.both()))?;
        println!(
            "增量监测：{} 人，新增预警 {} 条，未知人员 {} 行，用时 {:.2} 秒 / incremental monitoring: {} persons, {} new warnings, {} rows naming nobody, {:.2} s",
            m.run.persons,
            m.run.raised,
            m.run.unknown,
            m.run.millis as f64 / 1000.0,
            m.run.persons,
            m.run.raised,
            m.run.unknown,
            m.run.millis as f64 / 1000.0
        );
    }
    Ok(())
}

pub(super) async fn import_enrolments(url: &str, file: &Path, errors: Option<&Path>) -> Result<()> {
    let store = open(url).await?;
    let engine = minzheng_policy::Engine::new(config().policies().map_err(|e| anyhow::anyhow!(e.both()))?, 1).await?;
    let r = minzheng_app::enrolment::import_roster(store.as_ref(), &engine, file, &actor()).await.map_err(|e| anyhow::anyhow!(e.both()))?;
    println!(
        "{}：{} 行，在保 {} 户次 {} 人，拒绝 {} 行 / {} rows, {} enrolments of {} members stored, {} rows refused",
        r.file,
        r.rows,
        r.enrolments,
        r.members,
        r.import.rejected.len(),
        r.rows,
        r.enrolments,
        r.members,
        r.import.rejected.len()
    );
    refused_rows(r.import.rejected.len());
    if r.import.rejected.is_empty() {
    } else if let Some(path) = errors {
        import::write_errors(path, &r.import)?;
        println!("被拒绝的行及原因已写入 / refused rows and reasons written to {}", path.display());
    } else {
        for x in r.import.rejected.iter().take(5) {
            println!("  第{}行 row {}: {}", x.row, x.row, x.reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
        }
    }
    Ok(())
}
