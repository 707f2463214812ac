//! 待办 · 殡葬: the deceased of cremation areas not cremated in time, for those who record
//! cremations.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        let p = &who.principal;
        if !p.may(Permission::RecordCremation) {
            return Ok(vec![]);
        }
        let (_, n) = super::service::uncremated(s.store.as_ref(), p, None, s.clock.today(), 0).await?;
        let text =
            if who.lang == Lang::Zh { format!("逾期未火化的逝者 {n} 人") } else { format!("{n} deceased not cremated in time") };
        Ok(vec![WorkLine { href: "/funeral#uncremated".into(), text, count: n, overdue: n }])
    })
}
