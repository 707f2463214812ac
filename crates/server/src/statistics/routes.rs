//! 民政统计's JSON API and pages: the monthly report with its month-on-month and year-on-year
//! columns, the list behind each figure, the report as the bureau submits it (Excel), closing a
//! county's month and noting corrections. Handlers parse, call the use cases (`service.rs`) and
//! render; a refused form comes back with what was typed and why.

use super::model::{change_percent_of, line_of, month_of, parse_month, LineDef, Trace, Unit, LINES};
use super::service::{self, Report, StatFailure, Units, PAGE};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{program_name, region_label, render, UserBar};
use crate::platform::pages::{both, choices, pick, yuan, Choice};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{Datelike, NaiveDate};
use minzheng_domain::{Bilingual, Permission, RegionCode, RegionLevel};
use serde::Deserialize;

impl From<StatFailure> for AppError {
    fn from(e: StatFailure) -> AppError {
        match e {
            StatFailure::Access(a) => a.into(),
            StatFailure::Store(s) => s.into(),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ReportParam {
    region: Option<String>,
    month: Option<String>,
    line: Option<String>,
    page: Option<u32>,
}

fn region_of(p: &ReportParam) -> Result<Option<RegionCode>, AppError> {
    crate::platform::api::region_of(p.region.as_deref())
}

/// The month asked for; the last month by default (the one a bureau reports on).
fn month_in(s: &AppState, text: Option<&str>) -> Result<NaiveDate, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Ok(parse_month(t).map_err(StatFailure::from)?),
        None => Ok(super::model::previous_month(month_of(s.clock.today()))),
    }
}

/// A figure as the report shows it: counts as they are, money in yuan.
fn shown(unit: Unit, v: Option<i64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if unit.is_money() => yuan(v),
        Some(v) => v.to_string(),
    }
}

/// The day of a moment in Beijing time.
fn beijing_day(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}

fn month_label(lang: Lang, m: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月", m.year(), m.month()),
        Lang::En => m.format("%B %Y").to_string(),
    }
}

pub(super) async fn api_report(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<ReportParam>,
) -> Result<Json<Report>, AppError> {
    let region = region_of(&q)?;
    let month = month_in(&s, q.month.as_deref())?;
    Ok(Json(service::report(s.store.as_ref(), &who.principal, region.as_ref(), month).await?))
}

pub(super) async fn api_units(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<ReportParam>,
) -> Result<Json<service::Listed>, AppError> {
    let region = region_of(&q)?;
    let month = month_in(&s, q.month.as_deref())?;
    let line = q.line.clone().unwrap_or_default();
    Ok(Json(service::units(s.store.as_ref(), &who.cx(s.clock.today()), region.as_ref(), month, &line, q.page.unwrap_or(1).max(1)).await?))
}

#[derive(Deserialize)]
pub(super) struct CloseBody {
    region: String,
    month: String,
}

pub(super) async fn api_close(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(b): Json<CloseBody>,
) -> Result<(StatusCode, Json<super::model::ClosedMonth>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let county = crate::platform::api::parse_region(&b.region)?;
    let month = parse_month(&b.month).map_err(StatFailure::from)?;
    let closed = service::close(s.store.as_ref(), &who.cx(s.clock.today()), &county, month, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(closed)))
}

#[derive(Deserialize)]
pub(super) struct CorrectionBody {
    region: String,
    month: String,
    line: String,
    /// fen for money lines, a count for the others.
    value: i64,
    reason: String,
}

pub(super) async fn api_correct(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(b): Json<CorrectionBody>,
) -> Result<(StatusCode, Json<super::model::Correction>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let county = crate::platform::api::parse_region(&b.region)?;
    let month = parse_month(&b.month).map_err(StatFailure::from)?;
    let c = service::correct(s.store.as_ref(), &who.cx(s.clock.today()), &county, month, &b.line, b.value, &b.reason, chrono::Utc::now())
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// A line of the report as the page shows it.
pub(super) struct LineRow {
    code: &'static str,
    label: &'static str,
    unit: &'static str,
    value: String,
    previous: String,
    mom: String,
    last_year: String,
    yoy: String,
    corrections: Vec<String>,
    /// The list behind the figure, or where it comes from.
    drill: Option<String>,
}

pub(super) struct CountyRow {
    name: String,
    href: String,
    closed: bool,
}

#[derive(Template)]
#[template(path = "statistics.html")]
pub(super) struct ReportPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    region: String,
    region_name: String,
    month: String,
    month_label: String,
    previous_label: String,
    year_before_label: String,
    status: String,
    closed: bool,
    may_close: bool,
    rows: Vec<LineRow>,
    counties: Vec<CountyRow>,
    lines: Vec<Choice>,
    typed: CorrectionForm,
    error: Option<String>,
}

/// Where a line's figure leads from the report of `region` and `month`.
/// (Spending and standards lead to the payments and the parameters' pages, for the roles that
/// may open them.)
fn drill_of(who: &Authenticated, l: &LineDef, region: &str, month: &str) -> Option<String> {
    let p = &who.principal;
    match l.trace {
        Trace::Households { .. } | Trace::Persons { .. } | Trace::TemporaryCases => {
            Some(format!("/statistics/units?region={region}&month={month}&line={}", l.code))
        }
        Trace::Payrolls(_) if p.may(Permission::ReadPayments) => Some(format!("/payments?region={region}")),
        Trace::Standard if p.may(Permission::RunSweeps) => Some(format!("/policy?region={region}")),
        Trace::Payrolls(_) | Trace::Standard | Trace::Derived => None,
    }
}

fn rows_of(who: &Authenticated, r: &Report, lang: Lang) -> Vec<LineRow> {
    let region = r.region.to_string();
    let month = r.month.format("%Y-%m").to_string();
    LINES
        .iter()
        .map(|l| {
            let now = r.figures.get(l.code).copied();
            let before = r.previous.get(l.code).copied();
            let last_year = r.year_before.get(l.code).copied();
            let change = |b: Option<i64>| change_percent_of(now, b).unwrap_or_else(|| "—".into());
            LineRow {
                code: l.code,
                label: pick(lang, l.zh, l.en),
                unit: pick(lang, l.unit.zh(), l.unit.en()),
                value: shown(l.unit, now),
                previous: shown(l.unit, before),
                mom: change(before),
                last_year: shown(l.unit, last_year),
                yoy: change(last_year),
                corrections: r
                    .closed
                    .iter()
                    .flat_map(|c| c.corrections.iter())
                    .filter(|c| c.line == l.code)
                    .map(|c| match lang {
                        Lang::Zh => format!(
                            "更正为 {}：{}（{}，{}）",
                            shown(l.unit, Some(c.value)),
                            c.reason,
                            c.corrected_by,
                            beijing_day(c.corrected_at)
                        ),
                        Lang::En => format!(
                            "corrected to {}: {} ({}, {})",
                            shown(l.unit, Some(c.value)),
                            c.reason,
                            c.corrected_by,
                            beijing_day(c.corrected_at)
                        ),
                    })
                    .collect(),
                drill: drill_of(who, l, &region, &month),
            }
        })
        .collect()
}

/// The report page, with an error and what was typed when a form was refused.
async fn report_page(
    s: &AppState,
    who: &Authenticated,
    region: Option<RegionCode>,
    month: NaiveDate,
    typed: CorrectionForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let r = service::report(s.store.as_ref(), &who.principal, region.as_ref(), month).await?;
    let is_county = r.region.level() == RegionLevel::County;
    let over = month_of(r.month) < month_of(s.clock.today());
    let status = match (&r.closed, is_county, lang) {
        (Some(c), _, Lang::Zh) => format!("已关账（{}，{}），数字不再改变", c.closed_by, beijing_day(c.closed_at)),
        (Some(c), _, Lang::En) => format!("closed ({}, {}): the figures no longer change", c.closed_by, beijing_day(c.closed_at)),
        (None, true, Lang::Zh) => "未关账：以下为实时数字".into(),
        (None, true, Lang::En) => "not closed: the figures below are live".into(),
        (None, false, Lang::Zh) => "实时数字（各区县关账后以其上报数为准）".into(),
        (None, false, Lang::En) => "live figures (each county's closed month is what it reported)".into(),
    };
    let status_code = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let month_text = r.month.format("%Y-%m").to_string();
    let page = ReportPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        region: r.region.to_string(),
        region_name: region_label(s, &r.region, lang),
        month_label: month_label(lang, r.month),
        previous_label: month_label(lang, super::model::previous_month(r.month)),
        year_before_label: month_label(lang, super::model::year_before(r.month)),
        status,
        closed: r.closed.is_some(),
        may_close: is_county && over && who.principal.may(Permission::CloseStatistics),
        rows: rows_of(who, &r, lang),
        counties: r
            .counties
            .iter()
            .map(|c| CountyRow {
                name: c.name.clone(),
                href: format!("/statistics?region={}&month={month_text}", c.code),
                closed: c.closed,
            })
            .collect(),
        lines: choices(LINES, |l| l.code, |l| pick(lang, l.zh, l.en), &typed.line),
        month: month_text,
        typed,
        error,
    };
    Ok((status_code, render(&page)?).into_response())
}

/// `GET /statistics?region=&month=`: the monthly report.
pub(super) async fn report(State(s): State<AppState>, who: Authenticated, Query(q): Query<ReportParam>) -> Result<Response, AppError> {
    let region = region_of(&q)?;
    let month = month_in(&s, q.month.as_deref())?;
    report_page(&s, &who, region, month, CorrectionForm::default(), None).await
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    month: String,
}

/// `POST /statistics/close`: closes the county's month, back to the report.
pub(super) async fn form_close(State(s): State<AppState>, who: Authenticated, Form(f): Form<CloseForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let county = crate::platform::api::parse_region(&f.region)?;
    let month = month_in(&s, Some(&f.month))?;
    match service::close(s.store.as_ref(), &who.cx(s.clock.today()), &county, month, chrono::Utc::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/statistics?region={county}&month={}", month.format("%Y-%m"))).into_response()),
        Err(e) if e.is_input() => report_page(&s, &who, Some(county), month, CorrectionForm::default(), Some(both(who.lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct CorrectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// `POST /statistics/corrections`: notes a correction beside a closed month's figure (money in
/// yuan as typed).
pub(super) async fn form_correct(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<CorrectionForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let county = crate::platform::api::parse_region(&f.region)?;
    let month = month_in(&s, Some(&f.month))?;
    let back = |f: CorrectionForm, e: String| report_page(&s, &who, Some(county.clone()), month, f, Some(e));
    let Some(def) = line_of(&f.line) else {
        return back(f, pick(lang, "请选择要更正的指标", "choose the line to correct").into()).await;
    };
    let value =
        if def.unit.is_money() { minzheng_domain::Fen::parse_yuan(&f.value).map(|v| v.0).ok() } else { f.value.trim().parse::<i64>().ok() };
    let Some(value) = value else {
        let e = match lang {
            Lang::Zh => format!("更正数“{}”无法识别（{}）", f.value, def.unit.zh()),
            Lang::En => format!("the corrected figure {:?} is not understood ({})", f.value, def.unit.en()),
        };
        return back(f, e).await;
    };
    match service::correct(s.store.as_ref(), &who.cx(s.clock.today()), &county, month, def.code, value, &f.reason, chrono::Utc::now()).await
    {
        Ok(_) => Ok(Redirect::to(&format!("/statistics?region={county}&month={}", month.format("%Y-%m"))).into_response()),
        Err(e) if e.is_input() => back(f, both(lang, &e)).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) struct UnitRow {
    cells: Vec<String>,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "statistics_units.html")]
pub(super) struct UnitsPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    title: String,
    figure: String,
    back: String,
    headers: Vec<&'static str>,
    rows: Vec<UnitRow>,
    page: u32,
    pages: u32,
    previous: Option<String>,
    next: Option<String>,
    elsewhere: Option<(String, String)>,
}

/// `GET /statistics/units?region=&month=&line=&page=`: the households, persons or cases behind a
/// figure, as the role may see them.
pub(super) async fn units(State(s): State<AppState>, who: Authenticated, Query(q): Query<ReportParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let region = region_of(&q)?;
    let month = month_in(&s, q.month.as_deref())?;
    let line = q.line.clone().unwrap_or_default();
    let page = q.page.unwrap_or(1).max(1);
    let listed = service::units(s.store.as_ref(), &who.cx(s.clock.today()), region.as_ref(), month, &line, page).await?;
    let units = listed.units;
    let def = line_of(&line).ok_or_else(|| StatFailure::from(super::model::StatError::UnknownLine(line.clone())))?;
    let here = region.unwrap_or_else(|| who.principal.region.clone());
    // How many units the list holds now; a closed month's figure beside it when it differs.
    let total = listed.total;
    let month_text = month.format("%Y-%m").to_string();
    let area_name = |a: &str| match (a, lang) {
        ("urban", Lang::Zh) => "城镇",
        ("rural", Lang::Zh) => "农村",
        ("urban", Lang::En) => "urban",
        _ => pick(lang, "农村", "rural"),
    };
    let community = |c: &str| RegionCode::parse(c).map(|c| crate::pages::region_name(&s, &c)).unwrap_or_else(|_| c.to_string());
    let (headers, rows): (Vec<&'static str>, Vec<UnitRow>) = match &units {
        Units::Households { rows } => (
            vec![
                pick(lang, "户编号", "Household"),
                pick(lang, "户主", "Head"),
                pick(lang, "社区", "Community"),
                pick(lang, "地址", "Address"),
                pick(lang, "项目", "Program"),
                pick(lang, "城乡", "Area"),
                pick(lang, "保障人数", "Persons"),
                pick(lang, "月保障金（元）", "Monthly (yuan)"),
            ],
            rows.iter()
                .map(|h| UnitRow {
                    href: Some(format!("/households/{}", h.household_no)),
                    cells: vec![
                        h.household_no.clone(),
                        h.head_name.clone(),
                        community(&h.community),
                        h.address.clone(),
                        program_name(&s, &h.program, lang),
                        area_name(&h.area).into(),
                        h.persons.to_string(),
                        yuan(h.monthly),
                    ],
                })
                .collect(),
        ),
        Units::Persons { rows } => (
            vec![
                pick(lang, "身份证号", "ID number"),
                pick(lang, "姓名", "Name"),
                pick(lang, "户编号", "Household"),
                pick(lang, "社区", "Community"),
                pick(lang, "项目", "Program"),
                pick(lang, "城乡", "Area"),
                pick(lang, "本人金额（元）", "Own amount (yuan)"),
                pick(lang, "供养方式", "Support"),
            ],
            rows.iter()
                .map(|p| UnitRow {
                    href: Some(format!("/households/{}", p.household_no)),
                    cells: vec![
                        p.id_number.clone(),
                        p.name.clone(),
                        p.household_no.clone(),
                        community(&p.community),
                        program_name(&s, &p.program, lang),
                        area_name(&p.area).into(),
                        p.amount.map(yuan).unwrap_or_else(|| "—".into()),
                        if p.program != "tekun" {
                            "—".into()
                        } else if p.concentrated {
                            pick(lang, "集中供养", "concentrated").into()
                        } else {
                            pick(lang, "分散供养", "dispersed").into()
                        },
                    ],
                })
                .collect(),
        ),
        Units::Cases { rows } => (
            vec![
                pick(lang, "案件", "Case"),
                pick(lang, "身份证号", "ID number"),
                pick(lang, "姓名", "Name"),
                pick(lang, "户编号", "Household"),
                pick(lang, "审批日期", "Decided"),
                pick(lang, "救助金额（元）", "Amount (yuan)"),
            ],
            rows.iter()
                .map(|c| UnitRow {
                    href: Some(format!("/cases/{}", c.case_id)),
                    cells: vec![
                        c.case_id.to_string(),
                        c.id_number.clone(),
                        c.name.clone(),
                        c.household_no.clone(),
                        c.decided_on.to_string(),
                        yuan(c.amount),
                    ],
                })
                .collect(),
        ),
        Units::Elsewhere => (Vec::new(), Vec::new()),
    };
    let elsewhere = matches!(units, Units::Elsewhere).then(|| {
        let href =
            drill_of(&who, def, here.as_str(), &month_text).unwrap_or_else(|| format!("/statistics?region={here}&month={month_text}"));
        let text = match def.trace {
            Trace::Payrolls(_) => pick(
                lang,
                "该数字为本月已审核、已锁定发放名册的合计，明细见资金发放",
                "the sum of the month's approved and locked payment lists: see the payments",
            ),
            Trace::Standard => pick(
                lang,
                "该数字为月末生效的低保标准，调整记录见政策参数",
                "the 低保 standard in force on the month's last day: see the parameters' history",
            ),
            _ => pick(lang, "该数字由在保月保障金合计除以保障人数得出", "the monthly amounts in force divided by the persons covered"),
        };
        (text.to_string(), href)
    });
    let pages = u32::try_from((total.max(0) as u64).div_ceil(u64::from(PAGE))).unwrap_or(u32::MAX).max(1);
    let page = page.min(pages);
    let link = |p: u32| format!("/statistics/units?region={here}&month={month_text}&line={}&page={p}", def.code);
    let count_unit = if def.trace == Trace::TemporaryCases { Unit::Cases } else { def.unit };
    let mut figure = match lang {
        Lang::Zh => format!("{}：{} {}", month_label(lang, month), shown(count_unit, Some(total)), count_unit.zh()),
        Lang::En => format!("{}: {} {}", month_label(lang, month), shown(count_unit, Some(total)), count_unit.en()),
    };
    if let Some(c) = listed.closed.filter(|c| *c != total && def.unit == count_unit) {
        figure.push_str(&match lang {
            Lang::Zh => format!("（关账时为 {}，此后记录有变化）", shown(def.unit, Some(c))),
            Lang::En => format!(" (closed at {}; the records changed since)", shown(def.unit, Some(c))),
        });
    }
    let view = UnitsPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        title: format!("{} · {}", pick(lang, def.zh, def.en), region_label(&s, &here, lang)),
        figure,
        back: format!("/statistics?region={here}&month={month_text}"),
        headers,
        rows,
        page,
        pages,
        previous: (page > 1).then(|| link(page - 1)),
        next: (page < pages && !matches!(units, Units::Elsewhere)).then(|| link(page + 1)),
        elsewhere,
    };
    Ok(render(&view)?.into_response())
}

/// `GET /statistics/report.xlsx?region=&month=`: the report as the bureau submits it (社会救助
/// 月报表: title, reporting unit and period, the lines with this month, last month, the same
/// month last year and the changes, the corrections, the signatures), its export audited.
pub(super) async fn report_xlsx(State(s): State<AppState>, who: Authenticated, Query(q): Query<ReportParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let region = region_of(&q)?;
    let month = month_in(&s, q.month.as_deref())?;
    let r = service::report(s.store.as_ref(), &who.principal, region.as_ref(), month).await?;
    let filters = serde_json::json!({ "region": r.region.to_string(), "month": r.month.format("%Y-%m").to_string() });
    minzheng_app::export::record_export(s.store.as_ref(), &who.cx(s.clock.today()), "statistics_report", filters, &[]).await?;
    let bytes = workbook(&s, &r, lang)
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败", format!("cannot write the workbook: {e}")))?;
    Ok(crate::platform::sheet::download(bytes, &format!("statistics-{}-{}.xlsx", r.region, r.month.format("%Y-%m"))))
}

fn workbook(s: &AppState, r: &Report, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name(pick(lang, "社会救助月报表", "Monthly report"))?;
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0");
    let money = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0.00");
    let headers = [
        pick(lang, "指标名称", "Line"),
        pick(lang, "代码", "No."),
        pick(lang, "计量单位", "Unit"),
        pick(lang, "本月", "This month"),
        pick(lang, "上月", "Last month"),
        pick(lang, "环比", "Month on month"),
        pick(lang, "去年同月", "Same month last year"),
        pick(lang, "同比", "Year on year"),
        pick(lang, "更正说明", "Corrections"),
    ];
    ws.merge_range(0, 0, 0, headers.len() as u16 - 1, pick(lang, "社会救助月报表", "Social assistance: monthly report"), &title)?;
    let status = match (&r.closed, lang) {
        (Some(c), Lang::Zh) => format!("已关账（{}）", beijing_day(c.closed_at)),
        (Some(c), Lang::En) => format!("closed ({})", beijing_day(c.closed_at)),
        (None, Lang::Zh) => "未关账（实时数字）".into(),
        (None, Lang::En) => "not closed (live figures)".into(),
    };
    ws.write_string(1, 0, format!("{}{}", pick(lang, "填报单位：", "Reporting unit: "), region_label(s, &r.region, lang)))?;
    ws.write_string(1, 3, format!("{}{}", pick(lang, "报告期：", "Period: "), month_label(lang, r.month)))?;
    ws.write_string(1, 6, status)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &head)?;
    }
    for (i, l) in LINES.iter().enumerate() {
        let row = 3 + i as u32;
        ws.write_string_with_format(row, 0, pick(lang, l.zh, l.en), &cell)?;
        ws.write_number_with_format(row, 1, (i + 1) as f64, &cell)?;
        ws.write_string_with_format(row, 2, pick(lang, l.unit.zh(), l.unit.en()), &cell)?;
        let put = |ws: &mut rust_xlsxwriter::Worksheet, col: u16, v: Option<i64>| -> Result<(), rust_xlsxwriter::XlsxError> {
            match v {
                Some(v) if l.unit.is_money() => ws.write_number_with_format(row, col, v as f64 / 100.0, &money).map(|_| ()),
                Some(v) => ws.write_number_with_format(row, col, v as f64, &number).map(|_| ()),
                None => ws.write_string_with_format(row, col, "—", &cell).map(|_| ()),
            }
        };
        let now = r.figures.get(l.code).copied();
        let before = r.previous.get(l.code).copied();
        let last_year = r.year_before.get(l.code).copied();
        put(ws, 3, now)?;
        put(ws, 4, before)?;
        ws.write_string_with_format(row, 5, change_percent_of(now, before).unwrap_or_else(|| "—".into()), &cell)?;
        put(ws, 6, last_year)?;
        ws.write_string_with_format(row, 7, change_percent_of(now, last_year).unwrap_or_else(|| "—".into()), &cell)?;
        let notes: Vec<String> = r
            .closed
            .iter()
            .flat_map(|c| c.corrections.iter())
            .filter(|c| c.line == l.code)
            .map(|c| format!("{} {}：{}", pick(lang, "更正为", "corrected to"), shown(l.unit, Some(c.value)), c.reason))
            .collect();
        ws.write_string_with_format(row, 8, notes.join("；"), &cell)?;
    }
    let foot = 4 + LINES.len() as u32;
    ws.write_string(foot, 0, pick(lang, "单位负责人：", "Head of unit:"))?;
    ws.write_string(foot, 3, pick(lang, "填表人：", "Prepared by:"))?;
    ws.write_string(foot, 6, format!("{}{}", pick(lang, "报出日期：", "Date: "), s.clock.today()))?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(2, 12)?;
    for c in 3..8 {
        ws.set_column_width(c, 14)?;
    }
    ws.set_column_width(8, 40)?;
    book.save_to_buffer()
}
