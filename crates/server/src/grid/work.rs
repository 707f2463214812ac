//! 待办 · 工单: for the handling community, the orders dispatched to it and not yet replied;
//! for the dispatch desk, the orders to dispatch or verify; past their time limit, overdue.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

/// How many open orders the work line looks at (the soonest due first).
const LOOK: u32 = 500;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        let p = &who.principal;
        let handles = p.may(Permission::HandleWorkOrders);
        let dispatches = p.may(Permission::DispatchWorkOrders);
        if !handles && !dispatches {
            return Ok(vec![]);
        }
        let today = s.clock.today();
        let open = super::store::grid_store(s.store.as_ref()).queue(&p.region, super::store::Queue::Open, 0, LOOK).await?;
        use super::model::OrderStatus::*;
        let mine: Vec<_> = open
            .iter()
            .filter(|o| {
                (handles && matches!(o.status, Dispatched | Handling)) || (dispatches && matches!(o.status, Received | Accepted | Replied))
            })
            .collect();
        if mine.is_empty() {
            return Ok(vec![]);
        }
        let count = mine.len() as u64;
        let overdue = mine.iter().filter(|o| o.overdue(today) || o.acceptance_overdue(today)).count() as u64;
        let text = if who.lang == Lang::Zh {
            format!("待办工单 {count} 件（其中已超期 {overdue} 件）")
        } else {
            format!("{count} work orders to take on ({overdue} past their time limit)")
        };
        Ok(vec![WorkLine { href: format!("/grid?region={}", p.region), text, count, overdue }])
    })
}
