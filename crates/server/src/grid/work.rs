//! 待办 · 工单: for the handling community, the orders dispatched to it and not yet replied;
//! for the dispatch desk, the orders to dispatch or verify; past their time limit, overdue.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        let p = &who.principal;
        let handles = p.may(Permission::HandleWorkOrders);
        let dispatches = p.may(Permission::DispatchWorkOrders);
        if !handles && !dispatches {
            return Ok(vec![]);
        }
        let today = s.clock.today();
        let counts = super::service::work_counts(s.store.as_ref(), p, today).await?;
        use super::model::OrderStatus::*;
        let mine: Vec<_> = counts
            .iter()
            .filter(|c| {
                (handles && matches!(c.status, Dispatched | Handling)) || (dispatches && matches!(c.status, Received | Accepted | Replied))
            })
            .collect();
        let count = mine.iter().map(|c| c.orders).sum::<i64>().max(0) as u64;
        if count == 0 {
            return Ok(vec![]);
        }
        let overdue = mine.iter().map(|c| c.overdue).sum::<i64>().max(0) as u64;
        let text = if who.lang == Lang::Zh {
            format!("待办工单 {count} 件（其中已超期 {overdue} 件）")
        } else {
            format!("{count} work orders to take on ({overdue} past their time limit)")
        };
        Ok(vec![WorkLine { href: format!("/grid?region={}", p.region), text, count, overdue }])
    })
}
