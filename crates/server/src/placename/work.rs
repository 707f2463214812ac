//! 待办 · 地名: approved names still to file with the level above and to announce, past their 15
//! days overdue.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        if !who.principal.may(Permission::ManagePlaceNames) {
            return Ok(vec![]);
        }
        let today = s.clock.today();
        let register = super::service::register(s.store.as_ref(), &who.principal, None).await?;
        let count = register.unpublished.len() as u64;
        if count == 0 {
            return Ok(vec![]);
        }
        let overdue = register.unpublished.iter().filter(|(_, due)| *due < today).count() as u64;
        let text = if who.lang == Lang::Zh {
            format!("已批准待备案、公告的地名 {count} 个（其中超过15日 {overdue} 个）")
        } else {
            format!("{count} approved place names to file and announce ({overdue} past their 15 days)")
        };
        Ok(vec![WorkLine { href: "/placenames#unpublished".into(), text, count, overdue }])
    })
}
