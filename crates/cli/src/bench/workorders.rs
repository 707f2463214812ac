//! `minzheng bench workorders`: the work-order queues of a city holding N orders (grid events,
//! 12345 orders and petitions; nineteen in twenty closed) in a fresh database (SQLite, or
//! PostgreSQL with `--database-url`): Q queue pages as the pages ask them, in turn a community's
//! open orders, a street's, a county's overdue ones, a community's, a county's and a street's
//! closed ones, and the city's open ones (one open order in five not yet dispatched). Set-up (the
//! orders loaded in bulk) is timed on its own; each page from the call to its answer.

use super::*;
use minzheng_domain::{Principal, RegionCode, RegionLevel, Role};
use minzheng_server::grid::model::{Order, OrderKind, OrderStatus, Satisfaction};
use minzheng_server::grid::service;
use minzheng_server::grid::store::{grid_store, Queue};
use minzheng_store::Actor;

pub(crate) async fn workorders(orders: u64, queries: u64, database_url: Option<&str>) -> Result<()> {
    let shown = database_url.map_or_else(String::new, |u| format!(" --database-url {}", redact(u)));
    println!("command: minzheng bench workorders --orders {orders} --queries {queries}{shown}");
    println!("machine: {}", machine());
    let dir = temp_dir("workorders");
    std::fs::create_dir_all(&dir)?;
    let fresh = fresh_database(database_url, &dir, "workorders").await?;
    let store = open(&fresh.url).await?;
    println!("  store: {:?}", store.backend());
    regions::ensure_loaded(store.as_ref(), &actor()).await?;
    let communities: Vec<RegionCode> = regions::liaoning()
        .into_iter()
        .filter(|r| r.level == RegionLevel::Community && r.code.as_str().starts_with("2101"))
        .map(|r| r.code)
        .collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
    let t = Instant::now();
    let n = usize::try_from(orders).unwrap_or(0);
    let mut batch = Vec::with_capacity(50_000);
    let mut loaded = 0;
    for i in 0..n {
        let kind = OrderKind::ALL[i % OrderKind::ALL.len()];
        let community = communities[(i * 7919) % communities.len()].to_string();
        let received = today - chrono::Duration::days((i % 400) as i64);
        let open = i % 20 == 0;
        // One open order in five not yet dispatched (no due day).
        let waiting = open && i % 100 == 0;
        let due = received + chrono::Duration::days(5 + (i % 13) as i64);
        batch.push(Order {
            id: 0,
            kind,
            category: "environment".into(),
            title: format!("工单{i}"),
            description: String::new(),
            contact: String::new(),
            phone: String::new(),
            community: community.clone(),
            grid: String::new(),
            place: String::new(),
            source_no: format!("12345-{i:08}"),
            status: if waiting {
                OrderStatus::Received
            } else if open {
                OrderStatus::Handling
            } else {
                OrderStatus::Closed
            },
            received_on: received,
            accepted_on: None,
            dispatched_on: (!waiting).then_some(received),
            assigned_to: if waiting { String::new() } else { community.clone() },
            due: (!waiting).then_some(due),
            signed_on: (!waiting).then_some(received),
            replied_on: (!open).then_some(due),
            reply: String::new(),
            closed_on: (!open).then_some(due),
            satisfaction: (!open).then_some(Satisfaction::Satisfied),
            rework: i64::from(i % 17 == 0),
            extended: false,
            escalated: false,
            reported_by: "bench".into(),
        });
        if batch.len() == 50_000 || i + 1 == n {
            loaded += grid_store(store.as_ref()).load_orders(&batch, &Actor::new("bench")).await?;
            batch.clear();
        }
    }
    println!("set-up: {loaded} orders over {} communities in {:.1} s", communities.len(), t.elapsed().as_secs_f64());
    let streets: Vec<RegionCode> = {
        let mut s: Vec<RegionCode> = communities.iter().filter_map(|c| c.parent()).collect();
        s.sort();
        s.dedup();
        s
    };
    let counties: Vec<RegionCode> = {
        let mut s: Vec<RegionCode> = communities.iter().filter_map(|c| c.ancestor(RegionLevel::County)).collect();
        s.sort();
        s.dedup();
        s
    };
    let city = RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let admin = Principal { name: "bench".into(), role: Role::CityAdmin, region: city };
    let mut times = Vec::new();
    let mut rows = 0;
    for q in 0..queries {
        let k = usize::try_from(q).unwrap_or(0);
        let (region, queue) = match k % 7 {
            0 => (&communities[(k * 31) % communities.len()], Queue::Open),
            1 => (&streets[(k * 17) % streets.len()], Queue::Open),
            2 => (&counties[k % counties.len()], Queue::Overdue(today)),
            3 => (&communities[(k * 13) % communities.len()], Queue::Closed),
            4 => (&counties[(k * 5) % counties.len()], Queue::Closed),
            5 => (&streets[(k * 7) % streets.len()], Queue::Closed),
            _ => (&admin.region, Queue::Open),
        };
        let t = Instant::now();
        rows += service::queue(store.as_ref(), &admin, Some(region), queue, 1, 50)
            .await
            .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?
            .len();
        times.push(t.elapsed());
    }
    println!("queue pages of 50 over {loaded} orders: {} pages ({rows} rows)", latencies(times));
    drop(store);
    drop_fresh(fresh).await?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
