//! `minzheng bench socialorgs`: the public register's search over N registered organisations
//! of the city's registry offices from a fresh database (SQLite, or PostgreSQL with
//! `--database-url`): a query of Q searches as the public page sends them: a two-character
//! field of a name, a longer fragment, a full credit code and a name not registered, in turn.
//! Set-up (the register loaded in bulk) is timed on its own; each search is timed from the call
//! to its answer with the open list entries.

use super::*;
use minzheng_server::socialorg::{demo, service, store::socialorg_store};
use minzheng_store::Actor;

pub(crate) async fn socialorgs(orgs: u64, queries: u64, database_url: Option<&str>) -> Result<()> {
    let shown = database_url.map_or_else(String::new, |u| format!(" --database-url {}", redact(u)));
    println!("command: minzheng bench socialorgs --orgs {orgs} --queries {queries}{shown}");
    println!("machine: {}", machine());
    let dir = temp_dir("socialorgs");
    std::fs::create_dir_all(&dir)?;
    let url = database_url.map_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()), ToString::to_string);
    let store = open(&url).await?;
    let actor = Actor::new("bench");
    let today = minzheng_domain::calendar::today_in_beijing();
    let t = Instant::now();
    let s = socialorg_store(store.as_ref());
    let counties: Vec<String> = regions::liaoning()
        .into_iter()
        .filter(|r| r.level == minzheng_domain::RegionLevel::County && r.code.as_str().starts_with("2101"))
        .map(|r| r.code.to_string())
        .collect();
    let n = usize::try_from(orgs).unwrap_or(0);
    let per = n.div_ceil(counties.len() + 1);
    let mut codes = Vec::new();
    let mut loaded = 0;
    for (k, region) in std::iter::once("2101".to_string()).chain(counties.iter().cloned()).enumerate() {
        let count = per.min(n.saturating_sub(loaded));
        if count == 0 {
            break;
        }
        let batch = demo::orgs(&region, count, loaded, 1, today);
        codes.extend(batch.iter().step_by(97).filter_map(|o| o.credit_code.clone()));
        s.load_orgs(&batch, &actor).await?;
        loaded += count;
        debug_assert!(k <= counties.len());
    }
    println!("set-up: {loaded} organisations in {} registry offices in {:.1} s", counties.len() + 1, t.elapsed().as_secs_f64());
    let fields = ["书法", "养老服务中心", "浑南区阳光", "不存在的名称"];
    let mut times = Vec::new();
    let mut found = 0;
    for q in 0..queries {
        let text = match q % 4 {
            2 => codes[usize::try_from(q).unwrap_or(0) % codes.len()].clone(),
            k => fields[usize::try_from(k).unwrap_or(0)].to_string(),
        };
        let t = Instant::now();
        found += service::search(store.as_ref(), &text).await?.len();
        times.push(t.elapsed());
    }
    println!("public search over {loaded} organisations: {} searches ({found} rows shown, at most 50 each)", latencies(times));
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
