//! 待办 · 养老服务: the residents whose yearly re-assessment is due (for those who assess) and the
//! institutions not inspected for 12 months (for those who manage them).

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        let p = &who.principal;
        let today = s.clock.today();
        let zh = who.lang == Lang::Zh;
        let mut out = Vec::new();
        if p.may(Permission::AssessAbility) {
            let (_, due) = super::service::due_assessments(s.store.as_ref(), p, today, 0).await?;
            let text =
                if zh { format!("常规评估到期的老人 {due} 人") } else { format!("{due} elders due their yearly re-assessment") };
            out.push(WorkLine { href: "/eldercare#due".into(), text, count: due, overdue: due });
        }
        if p.may(Permission::ManageInstitutions) {
            let list = super::service::institutions(s.store.as_ref(), p, None, today).await?;
            let overdue = super::service::overdue_inspections(s.store.as_ref(), &p.region, &list, today).await?.len() as u64;
            let text = if zh {
                format!("年检逾期的养老机构 {overdue} 家")
            } else {
                format!("{overdue} institutions not inspected for 12 months")
            };
            out.push(WorkLine { href: "/eldercare#institutions".into(), text, count: overdue, overdue });
        }
        Ok(out)
    })
}
