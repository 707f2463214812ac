//! The payments' JSON API and pages. Handlers parse, call the use cases (`service.rs`) and
//! render; a refused form comes back as the page with the form as typed and the message.

use super::model::{AccountKind, PaymentAccount, Payroll, PayrollStatus};
use super::service::{self, PaymentFailure, Step};
use super::store::PaymentResult;
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{program_name, render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_domain::{Bilingual, IdNumber, Permission, RegionCode};
use serde::Deserialize;

impl From<PaymentFailure> for AppError {
    fn from(e: PaymentFailure) -> AppError {
        match e {
            PaymentFailure::Access(a) => a.into(),
            PaymentFailure::Store(minzheng_store::StoreError::Conflict(_)) | PaymentFailure::Stale => {
                AppError::new(StatusCode::CONFLICT, "conflict", e.zh(), e.en())
            }
            PaymentFailure::Store(s) => s.into(),
            PaymentFailure::Return(_) => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "bank_return_refused", e.zh(), e.en()),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

fn csrf_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

pub(super) fn bad(code: &'static str, zh: String, en: String) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, code, zh, en)
}

fn parse_month(text: &str) -> Result<chrono::NaiveDate, AppError> {
    minzheng_domain::enrolment::parse_month(text).map_err(|_| {
        bad("bad_month", format!("月份“{text}”无法识别，请写成 2026-09"), format!("month {text:?} not understood; write it as 2026-09"))
    })
}

// ---- pages ----

/// The words of the payments' pages.
pub(super) struct PayText {
    pub title: &'static str,
    pub hint: &'static str,
    pub month: &'static str,
    pub program: &'static str,
    pub county: &'static str,
    pub status: &'static str,
    pub lines: &'static str,
    pub total: &'static str,
    pub prepared_by: &'static str,
    pub approved_by: &'static str,
    pub due: &'static str,
    pub late: &'static str,
    pub prepare: &'static str,
    pub none: &'static str,
    pub no: &'static str,
    pub household: &'static str,
    pub payee: &'static str,
    pub id_number: &'static str,
    pub bank: &'static str,
    pub account: &'static str,
    pub amount: &'static str,
    pub arrears: &'static str,
    pub deduction: &'static str,
    pub net: &'static str,
    pub note: &'static str,
    pub result: &'static str,
    pub paid: &'static str,
    pub failed: &'static str,
    pub held: &'static str,
    pub approve: &'static str,
    pub send_back: &'static str,
    pub lock: &'static str,
    pub bank_file: &'static str,
    pub layout: &'static str,
    pub relatives: &'static str,
    pub institutions: &'static str,
    pub supervision: &'static str,
    pub check_amounts: &'static str,
    pub check_amounts_hint: &'static str,
    pub download: &'static str,
    pub bank_return: &'static str,
    pub upload: &'static str,
    pub back: &'static str,
    pub four_eyes: &'static str,
    pub locked_note: &'static str,
    pub recoveries: &'static str,
    pub public: &'static str,
    pub budget: &'static str,
}

const ZH: PayText = PayText {
    title: "资金发放 · 花名册",
    hint: "每月按在保记录编制发放花名册：区县编制，另一人审核，锁定后生成银行发放文件，导入银行回盘。锁定的月份不能再更改，更正在以后月份中调整。",
    month: "发放月份",
    program: "保障项目",
    county: "区县",
    status: "状态",
    lines: "笔数",
    total: "送银行金额（元）",
    prepared_by: "编制人",
    approved_by: "审核人",
    due: "锁定发放截止",
    late: "逾期",
    prepare: "编制花名册",
    none: "暂无花名册",
    no: "序号",
    household: "户编号",
    payee: "收款人",
    id_number: "身份证号",
    bank: "开户银行",
    account: "账号",
    amount: "当月金额",
    arrears: "补发",
    deduction: "扣减",
    net: "实发",
    note: "说明",
    result: "银行结果",
    paid: "已入账",
    failed: "退票",
    held: "暂缓",
    approve: "审核通过",
    send_back: "退回重编",
    lock: "锁定并送银行",
    bank_file: "银行发放文件",
    layout: "银行文件格式",
    relatives: "工作人员近亲属备案",
    institutions: "供养机构账户",
    supervision: "资金监督汇总",
    check_amounts: "按规则核对金额",
    check_amounts_hint: "按现行规则和数据重新核算本区县每户（每人）本月应发金额，与花名册不符的列为监督疑点（渐退、停发中的不核对）。审核时自动核对一次。",
    download: "下载",
    bank_return: "导入银行回盘",
    upload: "导入",
    back: "返回花名册列表",
    four_eyes: "花名册须由编制人以外的人员审核。",
    locked_note: "本花名册已锁定：不能再更改，更正在以后月份中调整。",
    recoveries: "追回台账（停发后多发的资金）",
    public: "社区发放公示（社区代码）",
    budget: "资金项目：预算与执行",
};

const EN: PayText = PayText {
    title: "Payments · payment lists",
    hint: "Each month the county prepares the payment list from the enrolments in force; a second person approves it; once locked it gives the bank file and takes the bank's return. A locked month never changes: corrections go into a later month.",
    month: "Month",
    program: "Program",
    county: "County",
    status: "Status",
    lines: "Lines",
    total: "To the bank (yuan)",
    prepared_by: "Prepared by",
    approved_by: "Approved by",
    due: "Lock by",
    late: "late",
    prepare: "Prepare the list",
    none: "No payment lists yet",
    no: "No.",
    household: "Household",
    payee: "Payee",
    id_number: "ID number",
    bank: "Bank",
    account: "Account",
    amount: "Month",
    arrears: "Arrears",
    deduction: "Deducted",
    net: "Paid",
    note: "Explanation",
    result: "Bank result",
    paid: "credited",
    failed: "returned",
    held: "held",
    approve: "Approve",
    send_back: "Send back",
    lock: "Lock and send to the bank",
    bank_file: "Bank payment file",
    layout: "Bank layout",
    relatives: "Register of staff's relatives",
    institutions: "Institution accounts",
    supervision: "Fund supervision summary",
    check_amounts: "Check the amounts against the rules",
    check_amounts_hint: "Works out again, by the rules and the data in force, what each household (or person) of the county is due this month; each line that differs becomes a supervision finding (gradual exits and stops are not checked). Approving checks them once by itself.",
    download: "Download",
    bank_return: "Import the bank's return",
    upload: "Import",
    back: "Back to the payment lists",
    four_eyes: "A list is approved by someone other than the one who prepared it.",
    locked_note: "This list is locked: nothing in it changes; corrections go into a later month.",
    recoveries: "Recovery ledger (money paid after an enrolment ended)",
    public: "Community notice of payments (community code)",
    budget: "Budget and execution",
};

fn words(lang: Lang) -> &'static PayText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

fn status_label(s: PayrollStatus, lang: Lang) -> &'static str {
    match (lang, s) {
        (Lang::Zh, s) => s.zh(),
        (Lang::En, PayrollStatus::Prepared) => "prepared",
        (Lang::En, PayrollStatus::Approved) => "approved",
        (Lang::En, PayrollStatus::Locked) => "locked",
    }
}

pub(super) struct Choice {
    code: String,
    label: String,
    selected: bool,
}

pub(super) struct ListRow {
    id: i64,
    month: String,
    program: String,
    county: String,
    status: &'static str,
    lines: i64,
    total: String,
    prepared_by: String,
    approved_by: String,
    /// The day it must be locked by, and whether that day has passed unlocked.
    due: String,
    late: bool,
}

async fn county_name(s: &AppState, code: &RegionCode) -> String {
    s.store.region(code).await.ok().flatten().map(|r| r.name).unwrap_or_else(|| code.to_string())
}

#[derive(Template)]
#[template(path = "payrolls.html")]
pub(super) struct ListPage {
    t: &'static Text,
    w: &'static PayText,
    user: Option<UserBar>,
    rows: Vec<ListRow>,
    may_prepare: bool,
    programs: Vec<Choice>,
    csrf: String,
    county: String,
    month: String,
    error: Option<String>,
}

pub(super) async fn list_page(State(s): State<AppState>, who: Authenticated, Query(q): Query<CountyParam>) -> Result<Response, AppError> {
    let month = minzheng_domain::enrolment::first_of_month(s.clock.today()).format("%Y-%m").to_string();
    let county = county_param(&q)?;
    let form = PrepareForm {
        month,
        county: county.as_ref().unwrap_or(&who.principal.region).to_string(),
        program: "dibao".into(),
        ..Default::default()
    };
    list_response(&s, &who, county, form, None).await
}

async fn list_response(
    s: &AppState,
    who: &Authenticated,
    county: Option<RegionCode>,
    form: PrepareForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let payrolls = service::list(s.store.as_ref(), &who.principal, county.as_ref()).await?;
    let records = s.store.parameter_records().await?;
    let today = s.clock.today();
    let mut rows = Vec::with_capacity(payrolls.len());
    for p in &payrolls {
        let day = service::due_day(&records, &p.county, today);
        rows.push(ListRow {
            id: p.id,
            month: p.month.format("%Y-%m").to_string(),
            program: program_name(s, &p.program, lang),
            county: county_name(s, &p.county).await,
            status: status_label(p.status, lang),
            lines: p.lines,
            total: p.total.to_string(),
            prepared_by: crate::pages::person(s, &p.prepared_by),
            approved_by: p.approved_by.as_deref().map(|a| crate::pages::person(s, a)).unwrap_or_default(),
            due: super::model::due_on(p.month, day).to_string(),
            late: super::model::late(p.status, p.month, day, today),
        });
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ListPage {
        t: lang.text(),
        w: words(lang),
        user: Some(UserBar::of(who)),
        rows,
        may_prepare: who.principal.may(Permission::PreparePayroll),
        programs: s
            .engine
            .policy
            .programs
            .iter()
            .map(|p| Choice { code: p.code.clone(), label: program_name(s, &p.code, lang), selected: p.code == form.program })
            .collect(),
        csrf: who.session.csrf_token.clone(),
        county: form.county,
        month: form.month,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// The prepare form, as typed.
#[derive(Deserialize, Default)]
pub(super) struct PrepareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    program: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    month: String,
}

pub(super) async fn form_prepare(State(s): State<AppState>, who: Authenticated, Form(f): Form<PrepareForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let pick = |e: &AppError| if who.lang == Lang::En { e.en.clone() } else { e.zh.clone() };
    let (county, month) = match (county_or_own(&who, Some(&f.county)), parse_month(&f.month)) {
        (Ok(c), Ok(m)) => (c, m),
        (Err(e), _) | (_, Err(e)) => {
            let msg = pick(&e);
            return list_response(&s, &who, None, f, Some(msg)).await;
        }
    };
    match service::prepare(
        s.store.as_ref(),
        &s.engine,
        &who.cx(s.clock.today()),
        &service::ListFor { program: f.program.clone(), county: county.clone(), month },
    )
    .await
    {
        Ok((p, _)) => Ok(Redirect::to(&format!("/payments/{}", p.id)).into_response()),
        Err(e @ (PaymentFailure::Payroll(_) | PaymentFailure::Access(minzheng_app::registry::AccessError::OutOfScope))) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            list_response(&s, &who, None, f, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) struct LineRow {
    no: i64,
    household: String,
    payee: String,
    id_number: String,
    bank: String,
    account: String,
    amount: String,
    arrears: String,
    deduction: String,
    net: String,
    note: String,
    held: String,
    result: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "payroll.html")]
pub(super) struct PayrollPage {
    t: &'static Text,
    w: &'static PayText,
    user: Option<UserBar>,
    row: ListRow,
    code: &'static str,
    lines: Vec<LineRow>,
    csrf: String,
    may_approve: bool,
    may_send: bool,
    layouts: Vec<Choice>,
    paid: usize,
    failed: usize,
    /// Open 资金监督 findings of the county: (label, kind code, count).
    supervision: Vec<(&'static str, &'static str, u64)>,
    supervision_title: &'static str,
    row_county_code: String,
    error: Option<String>,
}

pub(super) async fn payroll_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    payroll_response(&s, &who, id, None).await
}

/// A payment list's lines as its page and its workbook show them.
fn line_rows(who: &Authenticated, lines: &[super::model::PayrollLine], results: &[PaymentResult]) -> Vec<LineRow> {
    let lang = who.lang;
    let w = words(lang);
    let by_line: std::collections::HashMap<i64, &PaymentResult> = results.iter().map(|r| (r.line_no, r)).collect();
    lines
        .iter()
        .map(|l| {
            let r = by_line.get(&l.line_no);
            LineRow {
                no: l.line_no,
                household: l.household_no.clone(),
                payee: l.payee_name.clone(),
                id_number: service::shown_payee(&who.principal, &l.payee),
                // An institution's account names its holder beside the bank.
                bank: if l.account_name.is_empty() { l.bank.clone() } else { format!("{}（{}）", l.bank, l.account_name) },
                account: l.account_no.clone(),
                amount: l.amount.to_string(),
                arrears: if l.arrears.0 == 0 { String::new() } else { l.arrears.to_string() },
                deduction: if l.deduction.0 == 0 { String::new() } else { l.deduction.to_string() },
                net: l.net.to_string(),
                note: if lang == Lang::En { super::model::note_en(&l.note) } else { l.note.clone() },
                held: l.held.map(|h| if lang == Lang::En { h.as_str().replace('_', " ") } else { h.zh().to_string() }).unwrap_or_default(),
                result: r.map(|r| if r.paid { w.paid.to_string() } else { format!("{}：{}", w.failed, r.reason) }).unwrap_or_default(),
                failed: r.is_some_and(|r| !r.paid),
            }
        })
        .collect()
}

async fn payroll_response(s: &AppState, who: &Authenticated, id: i64, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let w = words(lang);
    let (p, lines, results) = service::one(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let rows = line_rows(who, &lines, &results);
    let day = service::due_day(&s.store.parameter_records().await?, &p.county, s.clock.today());
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = PayrollPage {
        t: lang.text(),
        w,
        user: Some(UserBar::of(who)),
        code: p.status.as_str(),
        row: ListRow {
            id: p.id,
            month: p.month.format("%Y-%m").to_string(),
            program: program_name(s, &p.program, lang),
            county: county_name(s, &p.county).await,
            status: status_label(p.status, lang),
            lines: p.lines,
            total: p.total.to_string(),
            prepared_by: crate::pages::person(s, &p.prepared_by),
            approved_by: p.approved_by.as_deref().map(|a| crate::pages::person(s, a)).unwrap_or_default(),
            due: super::model::due_on(p.month, day).to_string(),
            late: super::model::late(p.status, p.month, day, s.clock.today()),
        },
        lines: rows,
        csrf: who.session.csrf_token.clone(),
        may_approve: who.principal.may(Permission::ApprovePayroll),
        may_send: who.principal.may(Permission::PreparePayroll),
        layouts: super::bank::SHIPPED
            .iter()
            .filter_map(|(c, _)| super::bank::BankLayout::shipped(c))
            .map(|l| Choice { code: l.code.clone(), label: l.name.clone(), selected: false })
            .collect(),
        paid: results.iter().filter(|r| r.paid).count(),
        failed: results.iter().filter(|r| !r.paid).count(),
        supervision: service::open_supervision(s.store.as_ref(), &p)
            .await?
            .into_iter()
            .map(|(k, n)| (if lang == Lang::En { k.en() } else { k.zh() }, k.as_str(), n))
            .collect(),
        supervision_title: if lang == Lang::En { "Supervision findings to settle" } else { "资金监督待处理疑点" },
        row_county_code: p.county.to_string(),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    step: String,
}

pub(super) async fn form_step(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let step = step_of(&f.step)?;
    match service::step(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, step).await {
        Ok(_) => Ok(Redirect::to(&format!("/payments/{id}")).into_response()),
        Err(e @ (PaymentFailure::Payroll(_) | PaymentFailure::Stale | PaymentFailure::Rules(..))) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            payroll_response(&s, &who, id, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /payments/{id}/amounts`: 金额与规则不符, run on demand; the list's page then shows the
/// findings with the other supervision checks'.
pub(super) async fn form_check_amounts(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    match service::check_amounts(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/payments/{id}")).into_response()),
        Err(e @ PaymentFailure::Rules(..)) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            payroll_response(&s, &who, id, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// 导出Excel: the payment list (发放花名册) as its page shows it, numbers masked as the role sees
/// them; for the roles that may export personal data, the export audited with its lines.
pub(super) async fn roster_xlsx(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let w = words(who.lang);
    let (p, lines, results) = service::one(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let rows: Vec<Vec<String>> = line_rows(&who, &lines, &results)
        .into_iter()
        .map(|r| {
            vec![
                r.no.to_string(),
                r.household,
                r.payee,
                r.id_number,
                r.bank,
                r.account,
                r.amount,
                r.arrears,
                r.deduction,
                r.net,
                r.note,
                if r.held.is_empty() { r.result } else { r.held },
            ]
        })
        .collect();
    let filters = serde_json::json!({ "payroll": id, "county": p.county.to_string(), "month": p.month.format("%Y-%m").to_string() });
    let ids: Vec<i64> = lines.iter().map(|l| l.line_no).collect();
    minzheng_app::export::record_list_export(s.store.as_ref(), &who.cx(s.clock.today()), "payroll_line", filters, &ids).await?;
    let headers = [w.no, w.household, w.payee, w.id_number, w.bank, w.account, w.amount, w.arrears, w.deduction, w.net, w.note, w.result];
    let sheet = if who.lang == Lang::En { "Payment list" } else { "发放花名册" };
    let bytes = crate::platform::sheet::workbook(sheet, &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, &format!("payroll-{id}-{}.xlsx", p.month.format("%Y-%m"))))
}

#[derive(Deserialize)]
pub(super) struct LayoutParam {
    #[serde(default)]
    layout: String,
}

pub(super) async fn bank_file(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<LayoutParam>,
) -> Result<Response, AppError> {
    let (name, bytes) = service::bank_file(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, q.layout.trim()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The bank's return file (multipart: csrf, layout, file): applied whole or refused with every
/// reason, on the payroll's page.
pub(super) async fn form_return(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut layout, mut file) = (None, String::new(), None);
    let unreadable = |_| {
        bad("bad_form", "上传的表单无法读取（文件是否超过上限？）".into(), "the upload cannot be read (is the file over the limit?)".into())
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            Some("layout") => layout = field.text().await.map_err(unreadable)?,
            Some("file") => file = Some(field.bytes().await.map_err(unreadable)?),
            _ => {}
        }
    }
    who.require_csrf(&s, csrf.as_deref()).await?;
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let msg =
            if who.lang == Lang::En { "choose the bank's return file".to_string() } else { "请选择银行回盘文件".to_string() };
        return payroll_response(&s, &who, id, Some(msg)).await;
    };
    match service::bank_return(s.store.as_ref(), &who.cx(s.clock.today()), id, layout.trim(), &bytes).await {
        Ok(_) => Ok(Redirect::to(&format!("/payments/{id}")).into_response()),
        Err(e @ (PaymentFailure::Return(_) | PaymentFailure::Payroll(_) | PaymentFailure::Layout(_))) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            payroll_response(&s, &who, id, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct CommunityParam {
    #[serde(default)]
    community: String,
}

/// `GET /payments/{id}/public.pdf?community=`: the community's notice of the month's payments.
pub(super) async fn public_pdf(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<CommunityParam>,
) -> Result<Response, AppError> {
    let community = crate::platform::api::parse_region(&q.community)?;
    let pdf = service::public_list(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, &community).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"public-{id}-{community}.pdf\"")),
        ],
        pdf,
    )
        .into_response())
}

mod api;
pub(in crate::payments) use api::*;
mod budget;
pub(in crate::payments) use budget::*;
