//! 待办 · 预警处置: the warnings to decide in the account's region (the community's, for its grid
//! workers; those assigned to one are also on its list "派给我的"), past their time limit, and
//! those decided and not yet reported back.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        let p = &who.principal;
        if !p.may(Permission::HandleWarnings) {
            return Ok(vec![]);
        }
        let today = s.clock.today();
        let c = super::service::counts(s.store.as_ref(), p, None, false, today).await?;
        let mut lines = Vec::new();
        if c.open > 0 {
            let (count, overdue) = (c.open.max(0) as u64, c.overdue.max(0) as u64);
            let text = if who.lang == Lang::Zh {
                format!("待处置预警 {count} 条（其中已超期 {overdue} 条）")
            } else {
                format!("{count} warnings to visit and decide ({overdue} past their time limit)")
            };
            lines.push(WorkLine { href: format!("/monitoring?region={}&list=open", p.region), text, count, overdue });
        }
        if c.to_report > 0 {
            let count = c.to_report.max(0) as u64;
            let text =
                if who.lang == Lang::Zh { format!("待反馈预警 {count} 条") } else { format!("{count} warnings to report back") };
            lines.push(WorkLine { href: format!("/monitoring?region={}&list=report", p.region), text, count, overdue: 0 });
        }
        Ok(lines)
    })
}
