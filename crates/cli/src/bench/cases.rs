//! `bench cases`: case lists and queues over many cases.

#[allow(unused_imports)]
use super::*;

/// A 低保 application accepted at a community on a day, as the bench stores it.
pub(crate) fn bench_case(
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

pub(crate) async fn cases(stored: u64, users: u64, steps: u64, queries: u64, think_ms: u64, database_url: Option<&str>) -> Result<()> {
    use minzheng_app::cases::CaseList;
    use minzheng_domain::{Principal, RegionLevel, Role};
    println!("command: minzheng bench cases --stored {stored} --users {users} --steps {steps} --queries {queries} --think-ms {think_ms}");
    println!("machine: {}", machine());
    let dir = temp_dir("cases");
    std::fs::create_dir_all(&dir)?;
    let fresh = super::fresh_database(database_url, &dir, "cases").await?;
    let url = fresh.url.clone();
    let store = open(&url).await?;
    println!("  store: {:?}", store.backend());
    regions::ensure_loaded(store.as_ref(), &actor()).await?;
    minzheng_app::cases::ensure_calendar(store.as_ref(), &actor()).await?;
    let communities: Vec<minzheng_domain::RegionCode> = regions::liaoning()
        .into_iter()
        .filter(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("2101"))
        .map(|r| r.code)
        .collect();
    let on = minzheng_domain::calendar::today_in_beijing();

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
            let page = minzheng_app::cases::cases(
                store.as_ref(),
                &minzheng_app::RequestContext::new(&who, &actor(), on),
                *list,
                None,
                None,
                50,
                &Default::default(),
            )
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
    super::drop_fresh(fresh).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
