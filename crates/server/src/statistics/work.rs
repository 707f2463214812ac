//! 待办 · 统计月报: last month's report of the account's county, while it is not closed; past
//! the reporting day it is overdue.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use chrono::{Datelike, NaiveDate};
use minzheng_domain::{Permission, RegionLevel};

/// The day of the month by which a county closes the month before (月报报送时间, the 10th in
/// the Ministry's monthly social-assistance report).
pub const REPORTING_DAY: u32 = 10;

/// Whether last month's report is late on `today` (past the reporting day).
pub fn late(today: NaiveDate) -> bool {
    today.day() > REPORTING_DAY
}

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        let p = &who.principal;
        if !p.may(Permission::CloseStatistics) || p.region.level() != RegionLevel::County {
            return Ok(vec![]);
        }
        let today = s.clock.today();
        let month = super::model::previous_month(super::model::month_of(today));
        if super::store::statistics_store(s.store.as_ref()).closed_month(p.region.as_str(), month).await?.is_some() {
            return Ok(vec![]);
        }
        let overdue = u64::from(late(today));
        let text = if who.lang == Lang::Zh {
            format!("{}年{}月社会救助月报待关账上报（每月{REPORTING_DAY}日前）", month.year(), month.month())
        } else {
            format!("The social assistance report of {} to close (by the {REPORTING_DAY}th)", month.format("%B %Y"))
        };
        Ok(vec![WorkLine { href: format!("/statistics?region={}&month={}", p.region, month.format("%Y-%m")), text, count: 1, overdue }])
    })
}
