//! `minzheng bench homecare`: the monthly settlement of purchased home care for a whole city
//! from a fresh SQLite database holding N service orders with their providers across the 13
//! counties and V visits per order last month (one in twenty drawn and verified, a tenth of
//! those not confirmed). Set-up is timed on its own; each round times the settlement as the
//! county's page computes it (the month's orders read, settled per provider) and, once, the
//! whole use case that stores it.

use super::*;
use minzheng_domain::{Principal, RegionCode, Role};
use minzheng_server::eldercare::homecare::{month_of, Service};
use minzheng_server::eldercare::homecare_service as service;
use minzheng_server::eldercare::homecare_store::{homecare_store, Provider, Visit};
use minzheng_store::Actor;

pub(crate) async fn homecare(orders: u64, visits: u64, providers: u64, rounds: u32) -> Result<()> {
    println!("command: minzheng bench homecare --orders {orders} --visits {visits} --providers {providers} --rounds {rounds}");
    println!("machine: {}", machine());
    let dir = temp_dir("homecare");
    std::fs::create_dir_all(&dir)?;
    let store = open(&format!("sqlite://{}", dir.join("bench.db").display())).await?;
    let t = Instant::now();
    let actor = Actor::new("bench");
    // The shipped standards (the hourly price, the sample share) as on a new database.
    let shipped = minzheng_policy::params::shipped_records(&minzheng_policy::PolicySet::shenyang(), chrono::Utc::now());
    store.add_parameter_records(&shipped, &actor).await?;
    let hc = homecare_store(store.as_ref());
    let counties: Vec<String> = regions::liaoning()
        .into_iter()
        .filter(|r| r.level == minzheng_domain::RegionLevel::County && r.code.as_str().starts_with("2101"))
        .map(|r| r.code.to_string())
        .collect();
    let mut ids = Vec::new();
    for n in 0..providers {
        let county = counties[n as usize % counties.len()].clone();
        let p = Provider {
            id: 0,
            name: format!("居家养老服务中心{n:03}"),
            county,
            registration: format!("52210100MJY{n:06}X"),
            contact: "024".into(),
        };
        ids.push((hc.add_provider(&p, &actor).await?, p.county));
    }
    let today = minzheng_domain::calendar::today_in_beijing();
    let month = service::last_month(today);
    // The orders, written in bulk (what the county's order form writes one at a time).
    let minzheng_store::Handle::Sqlite(db) = store.handle() else { anyhow::bail!("the bench runs on SQLite") };
    let now = chrono::Utc::now();
    for chunk in (0..orders).collect::<Vec<_>>().chunks(2_000) {
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO homecare_orders (id_number, name, community, provider_id, group_code, monthly_minutes, start_on, end_on, recorded_by, recorded_at) ",
        );
        qb.push_values(chunk, |mut b, &n| {
            let (provider, county) = &ids[n as usize % ids.len()];
            b.push_bind(format!("{county}{n:012}"))
                .push_bind(format!("老人{n}"))
                .push_bind(format!("{county}001001"))
                .push_bind(*provider)
                .push_bind(if n % 3 == 0 { "low_income_dependent" } else { "low_income" })
                .push_bind(if n % 3 == 0 { 1800 } else { 900 })
                .push_bind(month)
                .push_bind(Option::<chrono::NaiveDate>::None)
                .push_bind("bench")
                .push_bind(now);
        });
        qb.build().execute(db.pool()).await?;
    }
    // Last month's visits, handed in as providers do (in batches), one in twenty drawn.
    let first_id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM homecare_orders").fetch_one(db.pool()).await?;
    let mut batch = Vec::with_capacity(50_000);
    let mut stored = 0;
    for n in 0..orders {
        let (provider, _) = &ids[n as usize % ids.len()];
        for k in 0..visits {
            batch.push(Visit {
                id: 0,
                order_id: first_id + n as i64,
                provider_id: *provider,
                served_on: month + chrono::Duration::days(((k * 3) % 28) as i64),
                service: Service::ALL[(k % 6) as usize],
                minutes: 60 + ((n + k) % 4) as u32 * 30,
                worker: "服务员".into(),
                sampled: (n * visits + k).is_multiple_of(20),
                verification: None,
                verified_by: None,
                note: String::new(),
            });
        }
        if batch.len() >= 50_000 {
            stored += hc.add_visits(&batch, &actor).await?;
            batch.clear();
        }
    }
    stored += hc.add_visits(&batch, &actor).await?;
    // The community's verification of the drawn records: a tenth not confirmed.
    sqlx::query("UPDATE homecare_visits SET verification = CASE WHEN (id / 20) % 10 = 0 THEN 'rejected' ELSE 'confirmed' END, verified_by = 'bench' WHERE sampled")
        .execute(db.pool())
        .await?;
    println!(
        "set-up: {providers} providers in {} counties, {orders} orders, {stored} visits in {} in {:.1} s",
        counties.len(),
        month.format("%Y-%m"),
        t.elapsed().as_secs_f64()
    );

    // The city's month as a county approver of the city sees and settles it.
    let city = RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let who = Principal { name: "bench".into(), role: Role::CountyApprover, region: city };
    let fail = |e: service::HomecareFailure| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e));
    let mut times = Vec::new();
    let mut amount = 0;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let s = service::preview(store.as_ref(), &who, None, month).await.map_err(fail)?;
        times.push(t.elapsed());
        amount = s.iter().map(|x| x.amount_fen).sum::<i64>();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "settlement of {orders} orders ({} yuan): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms over {} rounds",
        amount / 100,
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)]),
        ms(times[times.len() - 1]),
        times.len()
    );
    let t = Instant::now();
    let settled =
        service::settle_month(store.as_ref(), &minzheng_app::RequestContext::new(&who, &actor, today), month).await.map_err(fail)?;
    println!(
        "settle and store: {} providers, {} minutes paid, {} yuan in {:.0} ms",
        settled.len(),
        settled.iter().map(|s| s.minutes_paid).sum::<u64>(),
        settled.iter().map(|s| s.amount_fen).sum::<i64>() / 100,
        t.elapsed().as_secs_f64() * 1000.0
    );
    debug_assert_eq!(month_of(month), month);
    drop(store);
    if std::env::var_os("MINZHENG_BENCH_KEEP").is_some() {
        println!("kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}
