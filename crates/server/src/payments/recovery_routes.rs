//! The recovery ledger's pages and API (追回台账): the list with its totals, its workbook, looking
//! for overpayments, and the steps on one recovery (repayment, instalment plan, write-off).

use super::routes::{bad, county_or_own, county_param, shown, CountyParam};
use super::service::{self, PaymentFailure};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{program_name, render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;

pub(super) async fn api_recoveries(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Json<Vec<serde_json::Value>>, AppError> {
    let list = service::recoveries(s.store.as_ref(), &who.principal, county_param(&q)?.as_ref()).await?;
    Ok(Json(shown(&who, &list, |o| o.payee)?))
}

pub(super) struct RecoveryRow {
    id: i64,
    household: String,
    payee: String,
    program: String,
    months: String,
    amount: String,
    repaid: String,
    status: &'static str,
    open: bool,
    reason: String,
    /// 每月扣减, empty without a plan.
    instalment: String,
}

pub(super) struct RecoveryWords {
    title: &'static str,
    hint: &'static str,
    find: &'static str,
    household: &'static str,
    payee: &'static str,
    program: &'static str,
    months: &'static str,
    amount: &'static str,
    repaid: &'static str,
    outstanding: &'static str,
    written_off: &'static str,
    status: &'static str,
    reason: &'static str,
    repay: &'static str,
    on: &'static str,
    write_off: &'static str,
    instalment: &'static str,
    plan: &'static str,
    none: &'static str,
    back: &'static str,
}

const RZH: RecoveryWords = RecoveryWords {
    title: "追回台账",
    hint: "停发月份之后仍已发放（银行已入账）的金额，按人按户列出；登记还款直至追回，或约定每月从该户以后的发放中分期扣减（花名册锁定时记为还款），或写明原因核销。编制花名册时自动查找。",
    find: "查找多发资金",
    household: "户编号",
    payee: "收款人",
    program: "保障项目",
    months: "多发月份",
    amount: "多发金额（元）",
    repaid: "已追回（元）",
    outstanding: "尚欠（元）",
    written_off: "已核销（元）",
    status: "状态",
    reason: "原因",
    repay: "登记还款",
    on: "日期",
    write_off: "核销",
    instalment: "每月扣减（元）",
    plan: "分期扣减",
    none: "暂无追回记录",
    back: "返回花名册列表",
};

const REN: RecoveryWords = RecoveryWords {
    title: "Recovery ledger",
    hint: "What was paid (and credited) for months after an enrolment's end, per payee; repayments are recorded until settled, or a monthly instalment is deducted from the household's later payments (booked when the list is locked), or the rest is written off with its reason. Looked for whenever a list is prepared.",
    find: "Look for overpayments",
    household: "Household",
    payee: "Payee",
    program: "Program",
    months: "Months overpaid",
    amount: "Overpaid (yuan)",
    repaid: "Recovered (yuan)",
    outstanding: "Owed (yuan)",
    written_off: "Written off (yuan)",
    status: "Status",
    reason: "Reason",
    repay: "Record a repayment",
    on: "Date",
    write_off: "Write off",
    instalment: "Deducted monthly (yuan)",
    plan: "Deduct monthly",
    none: "No recoveries",
    back: "Back to the payment lists",
};

#[derive(Template)]
#[template(path = "recoveries.html")]
pub(super) struct RecoveriesPage {
    t: &'static Text,
    w: &'static RecoveryWords,
    user: Option<UserBar>,
    rows: Vec<RecoveryRow>,
    totals: [String; 4],
    csrf: String,
    county: String,
    may_find: bool,
    may_write_off: bool,
    today: String,
    error: Option<String>,
}

pub(super) async fn recoveries_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Response, AppError> {
    recoveries_response(&s, &who, county_param(&q)?, None).await
}

async fn recoveries_response(
    s: &AppState,
    who: &Authenticated,
    county: Option<RegionCode>,
    error: Option<String>,
) -> Result<Response, AppError> {
    use super::recovery::RecoveryStatus;
    let lang = who.lang;
    let list = service::recoveries(s.store.as_ref(), &who.principal, county.as_ref()).await?;
    let sum = |f: &dyn Fn(&super::recovery::Overpayment) -> i64| minzheng_domain::Fen(list.iter().map(f).sum()).to_string();
    let totals = [
        sum(&|o| o.amount.0),
        sum(&|o| o.repaid.0),
        sum(&|o| if o.status == RecoveryStatus::WrittenOff { 0 } else { o.amount.0 - o.repaid.0 }),
        sum(&|o| if o.status == RecoveryStatus::WrittenOff { o.amount.0 - o.repaid.0 } else { 0 }),
    ];
    let rows = recovery_rows(s, &list, lang);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = RecoveriesPage {
        t: lang.text(),
        w: if lang == Lang::En { &REN } else { &RZH },
        user: Some(UserBar::of(who)),
        rows,
        totals,
        csrf: who.session.csrf_token.clone(),
        county: county.as_ref().unwrap_or(&who.principal.region).to_string(),
        may_find: who.principal.may(Permission::PreparePayroll),
        may_write_off: who.principal.may(Permission::ApprovePayroll),
        today: s.clock.today().to_string(),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// The recoveries as the ledger's page and its workbook show them.
fn recovery_rows(s: &AppState, list: &[super::recovery::Overpayment], lang: Lang) -> Vec<RecoveryRow> {
    use super::recovery::RecoveryStatus;
    list.iter()
        .map(|o| RecoveryRow {
            id: o.id,
            household: o.household_no.clone(),
            payee: o.payee_name.clone(),
            program: program_name(s, &o.program, lang),
            months: o.months.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>().join("、"),
            amount: o.amount.to_string(),
            repaid: o.repaid.to_string(),
            status: if lang == Lang::En { o.status.as_str() } else { o.status.zh() },
            open: matches!(o.status, RecoveryStatus::Open | RecoveryStatus::Repaying),
            // "停发月份 2026-09 之后仍已发放", as the overpayment run writes it.
            reason: match (lang, o.reason.strip_prefix("停发月份 ").and_then(|r| r.strip_suffix(" 之后仍已发放"))) {
                (Lang::En, Some(month)) => format!("paid after the end month {month}"),
                _ => o.reason.clone(),
            },
            instalment: if o.instalment.0 > 0 { o.instalment.to_string() } else { String::new() },
        })
        .collect()
}

/// 导出Excel: the recovery ledger of the county (or the account's region), audited.
pub(super) async fn recoveries_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Response, AppError> {
    let county = county_param(&q)?;
    let w = if who.lang == Lang::En { &REN } else { &RZH };
    let list = service::recoveries(s.store.as_ref(), &who.principal, county.as_ref()).await?;
    let ids: Vec<i64> = list.iter().map(|o| o.id).collect();
    let filters = serde_json::json!({ "county": county.as_ref().map(ToString::to_string) });
    minzheng_app::export::record_list_export(s.store.as_ref(), &who.cx(s.clock.today()), "recovery", filters, &ids).await?;
    let rows: Vec<Vec<String>> = recovery_rows(&s, &list, who.lang)
        .into_iter()
        .map(|r| vec![r.household, r.payee, r.program, r.months, r.amount, r.repaid, r.instalment, r.status.to_string(), r.reason])
        .collect();
    let headers = [w.household, w.payee, w.program, w.months, w.amount, w.repaid, w.instalment, w.status, w.reason];
    let bytes = crate::platform::sheet::workbook(w.title, &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, "recoveries.xlsx"))
}

#[derive(Deserialize, Default)]
pub(super) struct FindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    county: String,
}

pub(super) async fn form_find(State(s): State<AppState>, who: Authenticated, Form(f): Form<FindForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let county = county_or_own(&who, Some(&f.county))?;
    service::find_overpayments(s.store.as_ref(), &who.cx(s.clock.today()), &county).await?;
    Ok(Redirect::to(&format!("/payments/recoveries?county={county}")).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct RecoveryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    comment: String,
}

pub(super) async fn form_recovery(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<RecoveryForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let say = |zh: String, en: String| if who.lang == Lang::En { en } else { zh };
    let step = match f.action.as_str() {
        "repay" => {
            let Ok(amount) = minzheng_domain::Fen::parse_yuan(&f.amount) else {
                let msg = say(
                    format!("还款金额“{}”应写成元，如 1041.00", f.amount),
                    format!("amount {:?}: write it in yuan, like 1041.00", f.amount),
                );
                return recoveries_response(&s, &who, None, Some(msg)).await;
            };
            let on = match f.on.trim() {
                "" => s.clock.today(),
                d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                    Ok(d) => d,
                    Err(_) => {
                        let msg = say(format!("日期“{d}”应写成 2026-09-30"), format!("date {d:?}: write it as 2026-09-30"));
                        return recoveries_response(&s, &who, None, Some(msg)).await;
                    }
                },
            };
            service::RecoveryStep::Repay { amount, on, comment: f.comment.clone() }
        }
        "write_off" => service::RecoveryStep::WriteOff { reason: f.comment.clone() },
        "plan" => {
            let written = if f.amount.trim().is_empty() { "0" } else { f.amount.as_str() };
            let Ok(instalment) = minzheng_domain::Fen::parse_yuan(written) else {
                let msg = say(
                    format!("每月扣减金额“{}”应写成元，如 200.00（0 为取消扣减）", f.amount),
                    format!("monthly instalment {:?}: write it in yuan, like 200.00 (0 cancels the plan)", f.amount),
                );
                return recoveries_response(&s, &who, None, Some(msg)).await;
            };
            service::RecoveryStep::Plan { instalment }
        }
        other => return Err(bad("bad_step", format!("“{other}”不是追回的操作"), format!("{other:?} is not repay, plan or write_off"))),
    };
    match service::recovery_step(s.store.as_ref(), &who.cx(s.clock.today()), id, step).await {
        Ok(o) => Ok(Redirect::to(&format!("/payments/recoveries?county={}", o.county)).into_response()),
        Err(e @ (PaymentFailure::Recovery(_) | PaymentFailure::Stale)) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            recoveries_response(&s, &who, None, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}
