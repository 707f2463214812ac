//! `minzheng grid ...`: the module's command line, acting as the county's dispatch desk under
//! the operator's name.

use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Principal, RegionCode, Role};
use minzheng_store::{Actor, Store};

/// 基层治理.
#[derive(Debug, clap::Subcommand)]
pub enum GridWhat {
    /// 超期督办: escalate every open order of the county past its time limit (run daily).
    Escalate {
        #[arg(long)]
        county: String,
    },
}

pub async fn run(what: GridWhat, store: &dyn Store, operator: &Actor) -> Result<(), String> {
    let today = minzheng_domain::calendar::today_in_beijing();
    match what {
        GridWhat::Escalate { county } => {
            let region = RegionCode::parse(&county).map_err(|e| e.both())?;
            // A county of the region tree: a city code or a typo would sweep the wrong desk's orders.
            let known = store.region(&region).await.map_err(|e| e.to_string())?.is_some();
            if region.level() != minzheng_domain::RegionLevel::County || !known {
                return Err(format!("{county} 不是区划中的区县 / {county} is not a county of the region tree"));
            }
            let who = Principal { name: operator.name.clone(), role: Role::CountyApprover, region };
            let n =
                super::service::escalate_overdue(store, &RequestContext::new(&who, operator, today), None).await.map_err(|e| e.both())?;
            println!("超期督办 {n} 件 / {n} overdue orders escalated");
        }
    }
    Ok(())
}
