//! `bench link`, `bench compare`, `bench verify`: linkage, the comparison, household checks.

#[allow(unused_imports)]
use super::*;

pub(crate) fn link(persons: u64, records: usize, registered: f64, dirty: f64, no_id: f64, seed: u64, repeat: usize) -> Result<()> {
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

/// `bench link --through-import`: the linkage measured where a bureau meets it. A city of
/// persons / registered is generated with planted errors in the departmental rows of a share of
/// its persons (registered or not, so that rows with nobody to link to carry errors too); the
/// registered share is stored as the registry; every departmental file is written and imported
/// as `minzheng import economy` does (valid numbers, the fuzzy linkage of dirty ones, name and
/// birth date where a number leads nowhere); each stored row is measured against the answer key.
pub(crate) async fn link_through_import(persons: u64, registered: f64, dirty: f64, seed: u64, database_url: Option<&str>) -> Result<()> {
    use minzheng_domain::economy::LinkKind;
    use minzheng_domain::IdNumber;
    println!("command: minzheng bench link --through-import --persons {persons} --registered {registered} --dirty {dirty} --seed {seed}");
    let registered = registered.clamp(0.01, 1.0);
    let dir = temp_dir("link-import");
    std::fs::create_dir_all(&dir)?;
    let fresh = super::fresh_database(database_url, &dir, "link").await?;
    let store = open(&fresh.url).await?;
    println!("  store: {:?}", store.backend());
    let mut config = minzheng_synth::Config::new((persons as f64 / registered).ceil() as u64, seed);
    config.anomaly_share = dirty;
    let t = Instant::now();
    let city = minzheng_synth::generate(&regions::liaoning(), &config)?;
    let keep = (registered * 1000.0).round() as usize;
    let kept: Vec<minzheng_domain::Person> =
        city.persons.iter().enumerate().filter(|(i, _)| (i * 7919) % 1000 < keep).map(|(_, p)| p.clone()).collect();
    let in_registry: minzheng_domain::hash::FastSet<IdNumber> = kept.iter().map(|p| p.id_number).collect();
    let batch = RegistryBatch { households: city.households.clone(), persons: kept, source: "bench".into(), checksum: String::new() };
    store.apply_batch(&batch, &actor(), &|_| {}).await?;
    drop(batch);
    let files = dir.join("files");
    minzheng_synth::files::write_city(&city, &files, Format::Csv)?;
    println!(
        "  generate: {} city persons, {} in the registry, stored and files written in {:.1} s",
        city.persons.len(),
        in_registry.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let reports = minzheng_app::economy::import_dir(&store, &files, config.as_of, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = t.elapsed().as_secs_f64();
    let rows: usize = reports.iter().map(|r| r.rows).sum();
    println!("  import economy: {rows} rows of {} files in {seconds:.2} s", reports.len());
    let mut phases: Vec<(&str, f64)> = Vec::new();
    for (name, t) in reports.iter().flat_map(|r| r.phases.iter()) {
        match phases.iter_mut().find(|(n, _)| n == name) {
            Some(p) => p.1 += t,
            None => phases.push((name, *t)),
        }
    }
    println!("    phases (all files): {}", phases.iter().map(|(n, t)| format!("{n} {t:.2} s")).collect::<Vec<_>>().join(", "));
    // The answer key: a planted row's true person, else the number as written.
    let planted: std::collections::HashMap<(&str, &str, &str), (IdNumber, &str)> = city
        .anomalies
        .iter()
        .map(|a| ((a.dataset, a.recorded_id.as_str(), a.recorded_name.as_str()), (a.true_id, a.true_name.as_str())))
        .collect();
    #[derive(Default)]
    struct Tally {
        rows: usize,
        linkable: usize,
        linked: usize,
        correct: usize,
        review: usize,
    }
    let (mut all, mut on_dirty) = (Tally::default(), Tally::default());
    let mut no_truth = 0usize;
    let mut datasets: Vec<&str> = reports.iter().map(|r| r.dataset.as_str()).collect();
    datasets.sort_unstable();
    datasets.dedup();
    for dataset in datasets {
        let mut after = 0;
        loop {
            let page = store.scan_dept_records(dataset, after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for d in &page {
                let known = planted.get(&(dataset, d.recorded_id.as_str(), d.recorded_name.as_str())).copied();
                let Some(truth) = known.map(|k| k.0).or_else(|| IdNumber::parse(&d.recorded_id).ok()) else {
                    no_truth += 1;
                    continue;
                };
                let is_dirty = known.is_some_and(|(id, name)| id.as_str() != d.recorded_id || name != d.recorded_name);
                let linkable = in_registry.contains(&truth);
                let linked = matches!(d.link, LinkKind::Exact | LinkKind::Matched);
                for t in std::iter::once(&mut all).chain(is_dirty.then_some(&mut on_dirty)) {
                    t.rows += 1;
                    t.linkable += usize::from(linkable);
                    t.linked += usize::from(linked);
                    t.correct += usize::from(linked && d.id_number == Some(truth));
                    t.review += usize::from(d.link == LinkKind::Review);
                }
            }
        }
    }
    for (label, q) in [("all rows", &all), ("rows with a planted error", &on_dirty)] {
        println!(
            "  {label}: {} rows, {} linkable, {} linked (correct {}), {} for review: precision {:.5}, recall {:.5}",
            q.rows,
            q.linkable,
            q.linked,
            q.correct,
            q.review,
            q.correct as f64 / q.linked.max(1) as f64,
            q.correct as f64 / q.linkable.max(1) as f64
        );
    }
    if no_truth > 0 {
        println!("  {no_truth} rows without a readable number and no planted answer (not measured)");
    }
    println!("  peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
    drop(store);
    super::drop_fresh(fresh).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A share of the clean records linked as if their ID number were missing: by name (the
/// registry's namesakes from an index of names written the one way), birth date and sex, as
/// `minzheng_verify::noid` does for such rows. Precision and recall against the answer key.
pub(crate) fn link_without_ids(
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
        let l = link_without_id("", &r.name, id.birth_date(), Some(id.sex()), &namesakes, p0, Thresholds::default());
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
pub(crate) fn id_numbers(n: usize, seed: u64) -> Vec<minzheng_domain::IdNumber> {
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

pub(crate) fn compare(enrolled: usize, rows: usize, hit_share: f64, seed: u64, repeat: usize) -> Result<()> {
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

pub(crate) async fn verify(persons: u64, seed: u64, anomaly_share: f64, new_deaths: usize, database_url: Option<&str>) -> Result<()> {
    use minzheng_domain::{Principal, RegionCode, Role};
    println!("command: minzheng bench verify --persons {persons} --seed {seed} --anomaly-share {anomaly_share} --new-deaths {new_deaths}");
    let dir = temp_dir("verify");
    std::fs::create_dir_all(&dir)?;
    let fresh = super::fresh_database(database_url, &dir, "verify").await?;
    let url = fresh.url.clone();
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
    let reports = minzheng_app::economy::import_dir(&store, &files, as_of, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
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
    let r = minzheng_app::verify::compare_region(
        store.as_ref(),
        &engine,
        &minzheng_app::RequestContext::new(&admin, &actor(), minzheng_domain::calendar::today_in_beijing()),
        &city_code,
        as_of,
    )
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
    let a = minzheng_app::verify::tag_absent(
        store.as_ref(),
        &minzheng_app::RequestContext::new(&admin, &actor(), minzheng_domain::calendar::today_in_beijing()),
        &city_code,
        as_of,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
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
    super::drop_fresh(fresh).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A departmental file in and compared at once: the reports, the seconds to store it and the
/// seconds from file to findings.
pub(crate) async fn file_to_findings(
    store: &dyn minzheng_store::Store,
    engine: &minzheng_policy::Engine,
    who: &minzheng_domain::Principal,
    path: &Path,
    as_of: chrono::NaiveDate,
) -> Result<(minzheng_app::economy::EconomyReport, minzheng_app::verify::CompareReport, f64, f64)> {
    let t = Instant::now();
    let report = minzheng_app::economy::import_file(store, path, as_of, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let t_import = t.elapsed().as_secs_f64();
    let c = minzheng_app::verify::compare_records(
        store,
        engine,
        &minzheng_app::RequestContext::new(who, &actor(), minzheng_domain::calendar::today_in_beijing()),
        &report.records,
        as_of,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((report, c, t_import, t.elapsed().as_secs_f64()))
}
