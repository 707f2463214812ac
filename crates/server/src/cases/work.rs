//! 待办 · 全市通办: the cases waiting for the account's role, and those due soon or overdue.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        if !who.principal.may(Permission::HandleCases) {
            return Ok(vec![]);
        }
        let n = minzheng_app::cases::work_counts(s.store.as_ref(), &who.cx(s.clock.today())).await?;
        let zh = who.lang == Lang::Zh;
        Ok(vec![
            WorkLine {
                href: "/cases?list=queue".into(),
                text: if zh { format!("待我办理的办件 {} 件", n.queue) } else { format!("{} cases waiting for you", n.queue) },
                count: n.queue,
                overdue: 0,
            },
            WorkLine {
                href: "/cases?list=due".into(),
                text: if zh {
                    format!("即将到期或已超期的办件 {} 件（其中已超期 {} 件）", n.due, n.overdue)
                } else {
                    format!("{} cases due soon or overdue ({} overdue)", n.due, n.overdue)
                },
                count: n.due,
                overdue: n.overdue,
            },
        ])
    })
}
