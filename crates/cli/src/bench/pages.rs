//! `bench pages`: the pages staff open all day, timed as each role opens them, on the demo city
//! (`minzheng demo --no-serve` first): the home page with its work lists, residents, a
//! household, a case list, the acceptance form, the eligibility check, findings, check reports,
//! payment lists, the dashboard, the policy desk, the key tasks and the audit log. Every page is
//! fetched over loopback HTTP from the real server with a signed-in session, `rounds` times;
//! p50, p95 and the largest response are printed per page.

#[allow(unused_imports)]
use super::*;
use minzheng_domain::{RegionCode, Role};

/// One GET over a fresh loopback connection: status, body size, time.
async fn fetch(addr: std::net::SocketAddr, path: &str, cookie: &str) -> Result<(u16, usize, Duration)> {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.context("connect")?;
    stream.set_nodelay(true)?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut body = Vec::new();
    stream.read_to_end(&mut body).await?;
    let took = started.elapsed();
    let head = String::from_utf8_lossy(&body[..body.len().min(64)]).to_string();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok((status, body.len(), took))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) async fn pages(database_url: &str, rounds: u32) -> Result<()> {
    let store = open(database_url).await?;
    let counts = store.counts().await?;
    if counts.persons == 0 {
        bail!("the database is empty: run `minzheng demo --no-serve` first (or give --database-url of a loaded city)");
    }
    // A household and a case of 浑南区 文欣社区, where the demo accounts work.
    let community = RegionCode::parse("210112009001").map_err(|e| anyhow::anyhow!("{e}"))?;
    let person = store
        .search_persons(&PersonQuery { region: Some(community.clone()), limit: 1, ..Default::default() })
        .await?
        .items
        .into_iter()
        .next()
        .context("no resident in 210112009001")?;
    let household = person.household_no.clone().context("a household")?;
    let case = store
        .search_cases(&minzheng_store::CaseQuery { owner: RegionCode::parse("210112").ok(), limit: 1, ..Default::default() })
        .await?
        .items
        .first()
        .map(|c| c.id);
    // One account per role, made for the run.
    let mut sessions = Vec::new();
    for (role, region) in [
        (Role::CommunityWorker, "210112009001"),
        (Role::StreetReviewer, "210112009"),
        (Role::CountyApprover, "210112"),
        (Role::CityAdmin, "2101"),
        (Role::Auditor, "210112"),
    ] {
        let name = format!("bench_{}_{}", role.as_str(), std::process::id());
        let password = minzheng_app::auth::generate_password();
        let region = RegionCode::parse(region).map_err(|e| anyhow::anyhow!("{e}"))?;
        minzheng_app::auth::create_account(store.as_ref(), None, &actor(), &name, role, &region, &password)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let token = minzheng_app::auth::login(store.as_ref(), &name, &password, &actor()).await.map_err(|e| anyhow::anyhow!("{e}"))?.token;
        sessions.push((role, format!("mz_session={token}")));
    }
    let mut state =
        minzheng_server::AppState::new(store, &minzheng_app::config::Config::default()).await.map_err(|e| anyhow::anyhow!(e))?;
    state.log_requests = false;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = minzheng_server::serve(state, listener).await;
    });
    let mut pages: Vec<(Role, String)> = vec![
        (Role::CommunityWorker, "/".into()),
        (Role::CommunityWorker, "/residents".into()),
        (Role::CommunityWorker, format!("/residents?name={}", person.name.chars().next().unwrap_or('王'))),
        (Role::CommunityWorker, format!("/households/{household}")),
        (Role::CommunityWorker, format!("/households/{household}/check")),
        (Role::CommunityWorker, "/cases?list=queue".into()),
        (Role::CommunityWorker, "/cases/new".into()),
        (Role::StreetReviewer, "/".into()),
        (Role::StreetReviewer, "/cases?list=queue".into()),
        (Role::StreetReviewer, "/findings?mine=1".into()),
        (Role::CountyApprover, "/".into()),
        (Role::CountyApprover, "/cases?list=all".into()),
        (Role::CountyApprover, "/findings".into()),
        // A later page in a column's order (numbered pages and sorting, issue 21).
        (Role::CountyApprover, "/findings?sort=-found_on&page=3&size=100".into()),
        (Role::CountyApprover, "/cases?list=all&sort=due&page=2&size=20".into()),
        (Role::CountyApprover, "/verifications".into()),
        (Role::CountyApprover, "/residents".into()),
        (Role::CountyApprover, "/payments".into()),
        (Role::CountyApprover, "/dashboard".into()),
        (Role::CountyApprover, "/eldercare".into()),
        (Role::CountyApprover, "/eldercare/homecare".into()),
        (Role::CountyApprover, "/funeral".into()),
        (Role::CountyApprover, "/marriage".into()),
        (Role::CountyApprover, "/socialorgs".into()),
        (Role::CountyApprover, "/placenames".into()),
        (Role::CountyApprover, "/public/socialorgs?q=%E4%B9%A6%E6%B3%95".into()),
        (Role::CityAdmin, "/".into()),
        (Role::CityAdmin, "/eldercare".into()),
        (Role::CityAdmin, "/dashboard".into()),
        (Role::CityAdmin, "/policy".into()),
        (Role::CityAdmin, "/tasks".into()),
        (Role::Auditor, "/audit".into()),
    ];
    if let Some(id) = case {
        pages.push((Role::CountyApprover, format!("/cases/{id}")));
    }
    println!("command: minzheng bench pages --database-url {} --rounds {rounds}", redact(database_url));
    println!("city: {} persons in {} households", counts.persons, counts.households);
    println!("{:<16} {:<52} {:>9} {:>9} {:>9}", "role", "page", "p50 ms", "p95 ms", "KiB");
    let mut worst = Duration::ZERO;
    let mut all = Vec::new();
    for (role, path) in &pages {
        let cookie = &sessions.iter().find(|(r, _)| r == role).context("session")?.1;
        // One warm-up (caches, the session), then the rounds.
        fetch(addr, path, cookie).await?;
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..rounds {
            let (status, bytes, took) = fetch(addr, path, cookie).await?;
            if status != 200 {
                bail!("{} {path}: status {status}", role.as_str());
            }
            size = size.max(bytes);
            times.push(took);
        }
        times.sort();
        let (p50, p95) = (percentile(&times, 0.5), percentile(&times, 0.95));
        worst = worst.max(p95);
        all.extend(times);
        println!(
            "{:<16} {:<52} {:>9.1} {:>9.1} {:>9.1}",
            role.as_str(),
            path.chars().take(52).collect::<String>(),
            p50.as_secs_f64() * 1e3,
            p95.as_secs_f64() * 1e3,
            size as f64 / 1024.0
        );
    }
    all.sort();
    println!(
        "all pages: {} requests, p50 {:.1} ms, p95 {:.1} ms; slowest page's p95 {:.1} ms (target: every page under 300 ms p95)",
        all.len(),
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.95).as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
    Ok(())
}
