//! The demo's work orders in 浑南区 (210112), mostly in 文欣社区 (210112009001) where the demo's
//! community worker and grid worker sit: grid events reported over the last weeks and 12345
//! orders and a petition the county filed, carried through their steps on the days they were
//! taken (dispatched, signed, replied, one sent back, closed and evaluated), some still open
//! with the community, one 12345 complaint never signed and past its 13 working days, which the
//! county's daily sweep escalates with whatever else is past its limit by then (an event replied
//! but not yet closed, often). Synthetic and deterministic.

use super::model::Step;
use super::service::{self, NewOrder};
use chrono::{Duration, NaiveDate};
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Principal, RegionCode, Role};
use minzheng_store::{Actor, Store};

/// Loads the demo's work orders; returns the summary line.
pub async fn load(store: &dyn Store, today: NaiveDate) -> Result<String, String> {
    let code = |c: &str| RegionCode::parse(c).map_err(|e| e.to_string());
    let home = code("210112009001")?;
    let desk = Principal { name: "demo_county_approver".into(), role: Role::CountyApprover, region: code("210112")? };
    let worker = Principal { name: "demo_community_worker".into(), role: Role::CommunityWorker, region: home.clone() };
    let grid = Principal { name: "demo_grid_worker".into(), role: Role::GridWorker, region: home.clone() };
    let actor = |p: &Principal| Actor::new(&p.name);
    let fail = |e: service::OrderFailure| e.both();
    let ago = |days: i64| today - Duration::days(days);
    let order = |kind: &str, title: &str, category: &str, source_no: String, received_on: NaiveDate| NewOrder {
        kind: kind.into(),
        category: category.into(),
        title: title.into(),
        description: String::new(),
        contact: "居民".into(),
        phone: String::new(),
        community: home.to_string(),
        grid: String::new(),
        place: String::new(),
        source_no,
        received_on: Some(received_on),
    };
    // (kind, matter, category, days ago, how far it went).
    #[derive(Clone, Copy)]
    enum Upto {
        Filed,
        Dispatched,
        Signed,
        Replied,
        Evaluated,
        SentBackAndEvaluated,
    }
    let plan: [(&str, &str, &str, i64, Upto); 10] = [
        ("grid_event", "三单元楼道堆放杂物", "environment", 30, Upto::Evaluated),
        ("grid_event", "小区东门井盖松动", "safety", 21, Upto::SentBackAndEvaluated),
        ("grid_event", "独居老人王大爷多日未出门", "care", 9, Upto::Replied),
        ("grid_event", "垃圾桶满溢未清运", "environment", 4, Upto::Signed),
        ("grid_event", "楼顶违建疑似在施工", "building", 1, Upto::Filed),
        ("hotline_enquiry", "咨询高龄补贴申请条件", "policy", 12, Upto::Evaluated),
        ("hotline_request", "家中老人行动不便需上门办理证件", "service", 6, Upto::Dispatched),
        ("hotline_complaint", "小区路灯长期不亮", "facility", 40, Upto::Dispatched),
        ("hotline_complaint", "楼下餐馆油烟扰民", "environment", 3, Upto::Signed),
        ("petition", "反映低保审核时间过长", "assistance", 5, Upto::Filed),
    ];
    let mut filed = 0;
    for (i, (kind, title, category, days, upto)) in plan.into_iter().enumerate() {
        let on = ago(days);
        let who = if kind == "grid_event" { &grid } else { &desk };
        let source = if kind == "grid_event" { String::new() } else { format!("12345-{}-{:04}", on.format("%Y%m%d"), i + 1) };
        let o = service::file(store, &RequestContext::new(who, &actor(who), on), order(kind, title, category, source, on))
            .await
            .map_err(fail)?;
        filed += 1;
        let go = |p: &Principal, s: Step, day: NaiveDate| {
            let (p, a) = (p.clone(), actor(p));
            async move { service::act(store, &RequestContext::new(&p, &a, day), o.id, s, None).await.map(|_| ()) }
        };
        if matches!(upto, Upto::Filed) {
            continue;
        }
        if kind == "petition" {
            go(&desk, Step::Accept, on).await.map_err(fail)?;
        }
        go(&desk, Step::Dispatch { to: home.to_string() }, on).await.map_err(fail)?;
        if matches!(upto, Upto::Dispatched) {
            continue;
        }
        go(&grid, Step::Sign, on + Duration::days(1).min(today - on)).await.map_err(fail)?;
        if matches!(upto, Upto::Signed) {
            continue;
        }
        let replied = on + Duration::days((days / 3).max(1)).min(today - on);
        go(&worker, Step::Reply { text: "已到现场处理，情况已解决".into() }, replied).await.map_err(fail)?;
        if matches!(upto, Upto::Replied) {
            continue;
        }
        if matches!(upto, Upto::SentBackAndEvaluated) {
            go(&desk, Step::SendBack { reason: "现场复查仍未修复".into() }, replied).await.map_err(fail)?;
            go(&worker, Step::Reply { text: "已更换井盖并复查".into() }, replied + Duration::days(1)).await.map_err(fail)?;
        }
        let closed = replied + Duration::days(2);
        go(&desk, Step::Close, closed).await.map_err(fail)?;
        go(&desk, Step::Evaluate { satisfaction: "satisfied".into() }, closed).await.map_err(fail)?;
    }
    // The county's daily sweep: the complaint never signed is past its time limit.
    let escalated = service::escalate_overdue(store, &RequestContext::new(&desk, &actor(&desk), today), None).await.map_err(fail)?;
    Ok(format!(
        "文欣社区工单 {filed} 件（网格事件、12345 工单、信访各有），超期督办 {escalated} 件 / {filed} work orders in 文欣社区 \
         (grid events, 12345 orders, a petition), {escalated} overdue escalated by the daily sweep"
    ))
}
