//! 待办 · 社会组织: the registry office's applications to decide (past their 60 days, overdue)
//! and the organisations whose annual report is missing after its due day.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        if !who.principal.may(Permission::ManageSocialOrgs) {
            return Ok(vec![]);
        }
        let today = s.clock.today();
        let desk = super::service::desk(s.store.as_ref(), &who.principal, None, today).await?;
        let mut out = Vec::new();
        let pending = desk.pending.len() as u64;
        if pending > 0 {
            let overdue = desk.pending.iter().filter(|(_, due)| *due < today).count() as u64;
            let text = if who.lang == Lang::Zh {
                format!("待决定的社会组织成立登记申请 {pending} 件（其中超过60日 {overdue} 件）")
            } else {
                format!("{pending} social organisation applications to decide ({overdue} past their 60 days)")
            };
            out.push(WorkLine { href: "/socialorgs#pending".into(), text, count: pending, overdue });
        }
        if desk.reports_missing_count > 0 {
            let n = desk.reports_missing_count;
            let text = if who.lang == Lang::Zh {
                format!("未报送{}年度工作报告的社会组织 {n} 家", desk.report_year)
            } else {
                format!("{n} organisations without their {} annual report", desk.report_year)
            };
            out.push(WorkLine { href: "/socialorgs#reports".into(), text, count: n, overdue: n });
        }
        Ok(out)
    })
}
