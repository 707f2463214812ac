//! 资金监督汇总: the page and the API of the counties' supervision figures.

use super::oversight::{self, CountySupervision};
use super::routes::{county_param, CountyParam};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

pub(super) struct Words {
    title: &'static str,
    hint: &'static str,
    county: &'static str,
    kind: &'static str,
    open: &'static str,
    settled: &'static str,
    at_risk: &'static str,
    total: &'static str,
    recoveries: &'static str,
    overpaid: &'static str,
    recovered: &'static str,
    owed: &'static str,
    written_off: &'static str,
    none: &'static str,
    back: &'static str,
}

const ZH: Words = Words {
    title: "资金监督汇总",
    hint: "各区县资金监督疑点（待处理、已处理）及待处理疑点涉及的发放金额，追回台账的多发、已追回、尚欠、已核销金额。点击疑点类型查看疑点清单。",
    county: "区县",
    kind: "疑点类型",
    open: "待处理",
    settled: "已处理",
    at_risk: "涉及金额（元）",
    total: "合计",
    recoveries: "追回",
    overpaid: "多发（元）",
    recovered: "已追回（元）",
    owed: "尚欠（元）",
    written_off: "已核销（元）",
    none: "暂无资金监督疑点和追回记录",
    back: "返回花名册列表",
};

const EN: Words = Words {
    title: "Fund supervision summary",
    hint: "Per county: the supervision findings (open, settled) and the money of the payments the open ones are about; the recovery ledger's overpaid, recovered, owed and written-off amounts. A kind opens its findings.",
    county: "County",
    kind: "Kind",
    open: "Open",
    settled: "Settled",
    at_risk: "At risk (yuan)",
    total: "Total",
    recoveries: "Recoveries",
    overpaid: "Overpaid (yuan)",
    recovered: "Recovered (yuan)",
    owed: "Owed (yuan)",
    written_off: "Written off (yuan)",
    none: "No supervision finding and no recovery",
    back: "Back to the payment lists",
};

pub(super) struct KindRow {
    label: &'static str,
    code: &'static str,
    open: u64,
    settled: u64,
    at_risk: String,
}

pub(super) struct CountyRow {
    code: String,
    name: String,
    kinds: Vec<KindRow>,
    open: u64,
    at_risk: String,
    overpaid: String,
    recovered: String,
    owed: String,
    written_off: String,
}

#[derive(Template)]
#[template(path = "supervision_summary.html")]
pub(super) struct SummaryPage {
    t: &'static Text,
    w: &'static Words,
    user: Option<UserBar>,
    rows: Vec<CountyRow>,
}

fn rows(list: Vec<CountySupervision>, lang: Lang) -> Vec<CountyRow> {
    list.into_iter()
        .map(|c| CountyRow {
            code: c.county,
            name: c.county_name,
            kinds: c
                .kinds
                .iter()
                .filter(|k| k.open + k.settled > 0)
                .map(|k| KindRow {
                    label: if lang == Lang::En { k.kind.en() } else { k.kind.zh() },
                    code: k.kind.as_str(),
                    open: k.open,
                    settled: k.settled,
                    at_risk: k.at_risk.to_string(),
                })
                .collect(),
            open: c.open,
            at_risk: c.at_risk.to_string(),
            overpaid: c.overpaid.to_string(),
            recovered: c.recovered.to_string(),
            owed: c.owed.to_string(),
            written_off: c.written_off.to_string(),
        })
        .collect()
}

/// `GET /payments/supervision?county=`.
pub(super) async fn summary_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Response, AppError> {
    let list = oversight::summary(s.store.as_ref(), &who.principal, county_param(&q)?.as_ref()).await?;
    let page = SummaryPage {
        t: who.lang.text(),
        w: if who.lang == Lang::En { &EN } else { &ZH },
        user: Some(UserBar::of(&who)),
        rows: rows(list, who.lang),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /api/supervision?county=`: the same figures, amounts in fen.
pub(super) async fn api_summary(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Json<Vec<CountySupervision>>, AppError> {
    Ok(Json(oversight::summary(s.store.as_ref(), &who.principal, county_param(&q)?.as_ref()).await?))
}
