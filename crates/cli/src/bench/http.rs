//! `bench api`: the API's reads under load, with their audit records.

#[allow(unused_imports)]
use super::*;

pub(crate) async fn api(persons: u64, requests: u64, concurrency: u64, db: Option<PathBuf>) -> Result<()> {
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
