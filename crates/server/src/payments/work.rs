//! 待办 · 资金发放: payment lists waiting for a second person's approval, and approved ones
//! waiting to be locked and sent to the bank; a list not locked by the city's due day of its
//! month (`payroll_due_day`, the 10th in Shenyang) counts as overdue.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::payments::model::PayrollStatus;
use crate::AppState;
use minzheng_domain::Permission;

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        if !who.principal.may(Permission::ApprovePayroll) {
            return Ok(vec![]);
        }
        let payrolls = super::service::list(s.store.as_ref(), &who.principal, None).await?;
        let today = s.clock.today();
        let records = s.store.parameter_records().await?;
        // Each county's due day, as its parameter says on the day (a county may set its own).
        let due_day = |county: &minzheng_domain::RegionCode| super::service::due_day(&records, county, today);
        let waiting = |status: PayrollStatus| {
            let of: Vec<_> = payrolls
                .iter()
                .filter(|p| p.status == status && (status != PayrollStatus::Prepared || p.prepared_by != who.principal.name))
                .collect();
            (of.len() as u64, of.iter().filter(|p| super::model::late(p.status, p.month, due_day(&p.county), today)).count() as u64)
        };
        let zh = who.lang == Lang::Zh;
        let (to_approve, late_approve) = waiting(PayrollStatus::Prepared);
        let (to_lock, late_lock) = waiting(PayrollStatus::Approved);
        Ok(vec![
            WorkLine {
                href: "/payments".into(),
                text: if zh {
                    format!("待我审核的发放名册 {to_approve} 份（其中逾期 {late_approve} 份）")
                } else {
                    format!("{to_approve} payment lists to approve ({late_approve} late)")
                },
                count: to_approve,
                overdue: late_approve,
            },
            WorkLine {
                href: "/payments".into(),
                text: if zh {
                    format!("已审核待锁定送银行的名册 {to_lock} 份（其中逾期 {late_lock} 份）")
                } else {
                    format!("{to_lock} approved lists to lock and send to the bank ({late_lock} late)")
                },
                count: to_lock,
                overdue: late_lock,
            },
        ])
    })
}
