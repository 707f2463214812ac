//! 待办 · 比对疑点: findings assigned to the account to verify on the spot; for streets and
//! counties the new ones to assign, and for counties the verified ones to resolve.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::module::{WorkFuture, WorkLine};
use crate::AppState;
use minzheng_domain::{Permission, RegionLevel};

pub(crate) fn lines<'a>(s: &'a AppState, who: &'a Authenticated) -> WorkFuture<'a> {
    Box::pin(async move {
        if !who.principal.may(Permission::WorkFindings) {
            return Ok(vec![]);
        }
        let n = minzheng_app::verify::finding_work(s.store.as_ref(), &who.principal).await?;
        let zh = who.lang == Lang::Zh;
        let level = who.principal.region.level();
        let line = |href: &str, text: String, count: u64| WorkLine { href: href.into(), text, count, overdue: 0 };
        let mut lines = vec![line(
            "/findings?mine=1&status=assigned",
            if zh {
                format!("指派给我待核实的疑点 {} 条", n.assigned_to_me)
            } else {
                format!("{} findings assigned to you to verify", n.assigned_to_me)
            },
            n.assigned_to_me,
        )];
        if level <= RegionLevel::Street {
            lines.push(line(
                "/findings?status=new",
                if zh { format!("待分派的新疑点 {} 条", n.new) } else { format!("{} new findings to assign", n.new) },
                n.new,
            ));
        }
        if level <= RegionLevel::County {
            lines.push(line(
                "/findings?status=verified",
                if zh {
                    format!("已核实待处理的疑点 {} 条", n.verified)
                } else {
                    format!("{} verified findings to resolve", n.verified)
                },
                n.verified,
            ));
        }
        Ok(lines)
    })
}
