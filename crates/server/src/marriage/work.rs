//! 待办 · 婚姻登记: divorce applications whose cooling-off period is over, waiting for both
//! parties to apply for the certificate, for the registrars.

use super::model::Stage;
use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        let p = &who.principal;
        if !p.may(Permission::RegisterMarriage) {
            return Ok(vec![]);
        }
        let today = s.clock.today();
        let open = super::store::marriage_store(s.store.as_ref()).open_divorces(&p.region, 1000).await?;
        let n = u64::try_from(open.iter().filter(|d| d.timeline.stage(today) == Stage::Window).count()).unwrap_or(0);
        let text = if who.lang == Lang::Zh {
            format!("冷静期已满、待双方申请发证的离婚申请 {n} 件")
        } else {
            format!("{n} divorce applications past the cooling-off period")
        };
        Ok(vec![WorkLine { href: "/marriage#divorces".into(), text, count: n, overdue: 0 }])
    })
}
