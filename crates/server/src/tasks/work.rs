//! 待办 · 重点工作: the key tasks of the account's region with no progress reported this month,
//! and of them those past their deadline.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::tasks::model::TaskStatus;
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        if !who.principal.may(Permission::ReportProgress) {
            return Ok(vec![]);
        }
        let rows = super::service::list(s.store.as_ref(), &who.principal, None, s.clock.today()).await?;
        let to_report: Vec<_> = rows.iter().filter(|r| who.principal.in_scope(&r.task.region) && !r.reported_this_month).collect();
        let (count, overdue) = (to_report.len() as u64, to_report.iter().filter(|r| r.status == TaskStatus::Overdue).count() as u64);
        let text = if who.lang == Lang::Zh {
            format!("本月待报进度的重点工作 {count} 项（其中已逾期 {overdue} 项）")
        } else {
            format!("{count} key tasks to report this month ({overdue} past their deadline)")
        };
        Ok(vec![WorkLine { href: "/tasks".into(), text, count, overdue }])
    })
}
