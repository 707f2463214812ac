//! `minzheng monitoring ...`: the nightly run of the warning rules and the daily escalation of
//! what is overdue, under the operator's name.

use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Principal, RegionCode, RegionLevel, Role};
use minzheng_policy::Engine;
use minzheng_store::{Actor, Store};

/// 低收入人口动态监测.
#[derive(Debug, clap::Subcommand)]
pub enum MonitoringWhat {
    /// 夜间监测: run every warning rule over a region (the city or a county) and keep the
    /// monitored population (run nightly).
    Run {
        /// The region (city 2101 or a county); the city when absent.
        #[arg(long)]
        region: Option<String>,
        /// The date to run on (yyyy-mm-dd); today when absent.
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// 超期督办: escalate every undecided warning of a county past its time limit (run daily).
    Escalate {
        #[arg(long)]
        county: String,
    },
}

pub async fn run(what: MonitoringWhat, store: &dyn Store, engine: &Engine, city: &RegionCode, operator: &Actor) -> Result<(), String> {
    let today = minzheng_domain::calendar::today_in_beijing();
    match what {
        MonitoringWhat::Run { region, on } => {
            let region = match region {
                Some(r) => RegionCode::parse(&r).map_err(|e| e.both())?,
                None => city.clone(),
            };
            let known = store.region(&region).await.map_err(|e| e.to_string())?.is_some();
            if !known || region.level() > RegionLevel::County {
                return Err(format!("{region} 不是区划中的市或区县 / {region} is not a city or county of the region tree"));
            }
            let who = Principal { name: operator.name.clone(), role: Role::CityAdmin, region: city.clone() };
            let r =
                super::service::run_region(store, engine, &RequestContext::new(&who, operator, today), Some(&region), on.unwrap_or(today))
                    .await
                    .map_err(|e| e.both())?;
            println!(
                "监测 {}：{} 人，命中 {} 条，新增预警 {} 条，用时 {:.2} 秒 / run {}: {} persons, {} hits, {} new warnings, {:.2} s",
                r.run.region,
                r.run.persons,
                r.run.hits,
                r.run.raised,
                r.run.millis as f64 / 1000.0,
                r.run.region,
                r.run.persons,
                r.run.hits,
                r.run.raised,
                r.run.millis as f64 / 1000.0
            );
            for (rule, n) in &r.by_rule {
                println!("  {rule}: {n}");
            }
            if let Some((added, removed)) = r.population {
                println!("监测对象 新增 {added} 人次，移出 {removed} 人次 / monitored population: {added} added, {removed} removed");
            }
        }
        MonitoringWhat::Escalate { county } => {
            let region = RegionCode::parse(&county).map_err(|e| e.both())?;
            let known = store.region(&region).await.map_err(|e| e.to_string())?.is_some();
            if region.level() != RegionLevel::County || !known {
                return Err(format!("{county} 不是区划中的区县 / {county} is not a county of the region tree"));
            }
            let who = Principal { name: operator.name.clone(), role: Role::CountyApprover, region };
            let n = super::service::escalate_overdue(store, engine, &RequestContext::new(&who, operator, today), None)
                .await
                .map_err(|e| e.both())?;
            println!("超期督办预警 {n} 条 / {n} overdue warnings escalated");
        }
    }
    Ok(())
}
