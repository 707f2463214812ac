//! 政府购买居家养老服务's pages and API: the month's providers and settlement, the forms that open
//! orders and record visits, the verification sample, the settlement workbook.

use super::homecare::{month_of, Service, Verification, VisitReport};
use super::homecare_service::{self as service, HomecareFailure};
use super::homecare_store::{homecare_store, Provider, Visit};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{both, day_of, pick, yuan};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::NaiveDate;
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;
use std::collections::HashMap;

impl From<HomecareFailure> for AppError {
    fn from(e: HomecareFailure) -> AppError {
        match e {
            HomecareFailure::Access(a) => a.into(),
            HomecareFailure::Store(s) => s.into(),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

fn hours(minutes: u64) -> String {
    format!("{}.{}", minutes / 60, (minutes % 60) * 10 / 60)
}

#[derive(Deserialize, Default)]
pub(super) struct MonthParam {
    month: Option<String>,
    region: Option<String>,
}

fn region_of(q: &MonthParam) -> Result<Option<RegionCode>, AppError> {
    q.region.as_deref().filter(|r| !r.trim().is_empty()).map(crate::platform::api::parse_region).transpose()
}

/// `2026-11` (or a whole date) → the first of that month; none → last month.
fn month_param(s: &AppState, text: Option<&str>) -> Result<NaiveDate, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(service::last_month(s.clock.today())),
        Some(t) => NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
            .map(month_of)
            .map_err(|_| {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_month",
                    format!("月份“{t}”无法识别，请写成 2026-11"),
                    format!("month {t:?}: write it as 2026-11"),
                )
            }),
    }
}

// ---- API ----

/// `POST /api/eldercare/homecare/visits` (needs `x-csrf-token`): a provider's service records;
/// all stored or none.
pub(super) async fn api_visits(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(rows): Json<Vec<serde_json::Value>>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    // Each row read on its own, so that one that cannot be read is named (nothing stored).
    let mut v = Vec::with_capacity(rows.len());
    for (n, row) in rows.into_iter().enumerate() {
        match serde_json::from_value::<VisitReport>(row) {
            Ok(r) => v.push(r),
            Err(e) => {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    format!("第{}条服务记录无法读取：{e}（应有 order_id、served_on、service、minutes、worker；全部未保存）", n + 1),
                    format!(
                        "record {} cannot be read: {e} (order_id, served_on, service, minutes, worker expected; nothing stored)",
                        n + 1
                    ),
                ))
            }
        }
    }
    // Which records were drawn for verification is not told to whoever hands them in.
    let (stored, _) = service::record_visits(s.store.as_ref(), &who.cx(s.clock.today()), &v).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "stored": stored }))))
}

/// `GET /api/eldercare/homecare/settlements?month=`: the month's settlement per provider as it
/// stands (`preview`) and as stored (`settled`).
pub(super) async fn api_settlements(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<MonthParam>,
) -> Result<Json<serde_json::Value>, AppError> {
    let month = month_param(&s, q.month.as_deref())?;
    let region = region_of(&q)?;
    let preview = service::preview(s.store.as_ref(), &who.principal, region.as_ref(), month).await?;
    let settled = service::settlements(s.store.as_ref(), &who.principal, region.as_ref(), month).await?;
    Ok(Json(serde_json::json!({ "month": month, "preview": preview, "settled": settled })))
}

// ---- pages ----

pub(super) struct ProviderRow {
    id: i64,
    name: String,
    county: String,
    registration: String,
    orders: u64,
    visits: u64,
    served: String,
    paid: String,
    amount: String,
    settled: bool,
}

pub(super) struct Choice {
    code: String,
    label: String,
    selected: bool,
}

/// The forms of the page, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct HomecareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    provider_id: String,
    #[serde(default)]
    start_on: String,
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    served_on: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    worker: String,
    #[serde(default)]
    end_on: String,
}

pub(super) struct OrderRow {
    id: i64,
    name: String,
    provider: String,
    group: String,
    hours: u32,
    start_on: String,
}

#[derive(Template)]
#[template(path = "eldercare_homecare.html")]
pub(super) struct HomecarePage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    month: String,
    month_label: String,
    providers: Vec<ProviderRow>,
    orders: Vec<OrderRow>,
    total_amount: String,
    unverified: u64,
    may_manage: bool,
    provider_choices: Vec<Choice>,
    services: Vec<Choice>,
    form: HomecareForm,
    /// Which form the message is about, and the message.
    error: Option<(String, String)>,
    notice: Option<String>,
}

async fn homecare_page(
    s: &AppState,
    who: &Authenticated,
    region: Option<&RegionCode>,
    month: NaiveDate,
    form: Option<HomecareForm>,
    error: Option<(String, String)>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let store = s.store.as_ref();
    let providers = service::providers(store, &who.principal, region).await?;
    let preview: HashMap<i64, _> =
        service::preview(store, &who.principal, region, month).await?.into_iter().map(|p| (p.provider_id, p)).collect();
    let settled: HashMap<i64, _> =
        service::settlements(store, &who.principal, region, month).await?.into_iter().map(|r| (r.settlement.provider_id, r)).collect();
    let (_, unverified) = service::samples(store, &who.principal, region, month, 0).await?;
    let names: HashMap<i64, String> = providers.iter().map(|p| (p.id, p.name.clone())).collect();
    let orders = service::open_orders(store, &who.principal, region, 200)
        .await?
        .into_iter()
        .map(|o| OrderRow {
            id: o.id,
            provider: names.get(&o.provider_id).cloned().unwrap_or_default(),
            group: super::homecare::groups()
                .iter()
                .find(|g| g.code == o.group)
                .map_or_else(|| o.group.clone(), |g| if lang == Lang::Zh { g.zh.clone() } else { g.en.clone() }),
            hours: o.monthly_minutes / 60,
            start_on: o.start_on.to_string(),
            name: o.name,
        })
        .collect();
    let mut total = 0;
    let rows: Vec<ProviderRow> = providers
        .iter()
        .map(|p| {
            let stored = settled.get(&p.id).map(|r| r.settlement);
            let figures = stored.or_else(|| preview.get(&p.id).copied()).unwrap_or_default();
            total += figures.amount_fen;
            ProviderRow {
                id: p.id,
                name: p.name.clone(),
                county: RegionCode::parse(&p.county).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| p.county.clone()),
                registration: p.registration.clone(),
                orders: figures.orders,
                visits: figures.visits,
                served: hours(figures.minutes_served),
                paid: hours(figures.minutes_paid),
                amount: yuan(figures.amount_fen),
                settled: stored.is_some(),
            }
        })
        .collect();
    let form = form.unwrap_or_else(|| HomecareForm {
        county: who.principal.region.as_str().chars().take(6).collect(),
        start_on: s.clock.today().to_string(),
        served_on: s.clock.today().to_string(),
        service: "cleaning".into(),
        minutes: "60".into(),
        ..Default::default()
    });
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = HomecarePage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        month: month.format("%Y-%m").to_string(),
        month_label: match lang {
            Lang::Zh => month.format("%Y年%-m月").to_string(),
            Lang::En => month.format("%Y-%m").to_string(),
        },
        providers: rows,
        orders,
        total_amount: yuan(total),
        unverified,
        may_manage: who.principal.may(Permission::ManageInstitutions),
        provider_choices: providers
            .iter()
            .map(|p: &Provider| Choice { code: p.id.to_string(), label: p.name.clone(), selected: form.provider_id == p.id.to_string() })
            .collect(),
        services: Service::ALL
            .iter()
            .map(|x| Choice { code: x.as_str().into(), label: pick(lang, x.zh(), x.en()).into(), selected: form.service == x.as_str() })
            .collect(),
        form,
        error,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /eldercare/homecare?month=2026-11` (last month by default).
pub(super) async fn overview(State(s): State<AppState>, who: Authenticated, Query(q): Query<MonthParam>) -> Result<Response, AppError> {
    let month = month_param(&s, q.month.as_deref())?;
    homecare_page(&s, &who, region_of(&q)?.as_ref(), month, None, None, None).await
}

/// `POST /eldercare/homecare/{action}`: `providers`, `orders`, `visits` or `settle`; a refused
/// form comes back with what was typed and the message beside it.
pub(super) async fn form_action(
    State(s): State<AppState>,
    who: Authenticated,
    Path(action): Path<String>,
    Form(f): Form<HomecareForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let month = month_param(&s, Some(&f.month)).unwrap_or_else(|_| service::last_month(s.clock.today()));
    let store = s.store.as_ref();
    let today = s.clock.today();
    let bad = |msg: String| Some((action.clone(), msg));
    let outcome: Result<String, HomecareFailure> = match action.as_str() {
        "providers" => {
            let p = Provider {
                id: 0,
                name: f.name.clone(),
                county: f.county.clone(),
                registration: f.registration.clone(),
                contact: f.contact.clone(),
            };
            service::add_provider(store, &who.cx(s.clock.today()), p)
                .await
                .map(|_| pick(lang, "已添加服务机构", "provider added").to_string())
        }
        "orders" => {
            let (Some(start), Ok(provider)) = (day_of(&f.start_on), f.provider_id.trim().parse::<i64>()) else {
                let msg = pick(lang, "请选择服务机构并填写开始日期（如 2026-12-01）", "choose a provider and a start date (2026-12-01)")
                    .to_string();
                return homecare_page(&s, &who, None, month, Some(f), bad(msg), None).await;
            };
            service::open_order(store, &who.cx(s.clock.today()), &f.id_number, provider, start).await.map(|(o, g)| match lang {
                Lang::Zh => format!("已为{}开具服务工单 #{}（{}，每月{}小时）", o.name, o.id, g.zh, g.hours),
                Lang::En => format!("order #{} opened for {} ({}, {} hours a month)", o.id, o.name, g.en, g.hours),
            })
        }
        "visits" => {
            let (Ok(order_id), Some(served_on), Some(service_kind), Ok(minutes)) =
                (f.order_id.trim().parse::<i64>(), day_of(&f.served_on), Service::parse(&f.service), f.minutes.trim().parse::<u32>())
            else {
                let msg = pick(
                    lang,
                    "请填写工单号、服务日期（如 2026-11-03）、服务项目和服务时长（分钟）",
                    "enter the order, date (2026-11-03), service and minutes",
                )
                .to_string();
                return homecare_page(&s, &who, None, month, Some(f), bad(msg), None).await;
            };
            let v = VisitReport { order_id, served_on, service: service_kind, minutes, worker: f.worker.clone() };
            service::record_visits(store, &who.cx(today), &[v]).await.map(|(_, sampled)| match (lang, sampled) {
                (Lang::Zh, 0) => "已记录服务".to_string(),
                (Lang::Zh, _) => "已记录服务（抽中回访核验）".to_string(),
                (Lang::En, 0) => "visit recorded".to_string(),
                (Lang::En, _) => "visit recorded (drawn for verification)".to_string(),
            })
        }
        "end" => {
            let (Ok(order_id), Some(on)) = (f.order_id.trim().parse::<i64>(), day_of(&f.end_on)) else {
                let msg =
                    pick(lang, "请填写工单号和终止日期（如 2026-12-01）", "enter the order and the end date (2026-12-01)").to_string();
                return homecare_page(&s, &who, None, month, Some(f), bad(msg), None).await;
            };
            service::end_order(store, &who.cx(s.clock.today()), order_id, on).await.map(|o| match lang {
                Lang::Zh => format!("{}的服务工单 #{} 自{}终止", o.name, o.id, on),
                Lang::En => format!("order #{} of {} ended on {}", o.id, o.name, on),
            })
        }
        "settle" => service::settle_month(store, &who.cx(today), month).await.map(|list| match lang {
            Lang::Zh => format!("已结算 {} 家服务机构，共 {} 元", list.len(), yuan(list.iter().map(|x| x.amount_fen).sum())),
            Lang::En => format!("{} providers settled, {} yuan in all", list.len(), yuan(list.iter().map(|x| x.amount_fen).sum())),
        }),
        _ => return Err(minzheng_app::registry::AccessError::NotFound.into()),
    };
    match outcome {
        Ok(notice) => homecare_page(&s, &who, None, month, None, None, Some(notice)).await,
        Err(e) if e.is_input() => homecare_page(&s, &who, None, month, Some(f), bad(both(lang, &e)), None).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) struct SampleRow {
    id: i64,
    elder: String,
    provider: String,
    served_on: String,
    service: &'static str,
    minutes: u32,
    worker: String,
    result: Option<&'static str>,
    note: String,
}

#[derive(Template)]
#[template(path = "eldercare_homecare_samples.html")]
pub(super) struct SamplesPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    month: String,
    rows: Vec<SampleRow>,
    unverified: u64,
    may_verify: bool,
    error: Option<String>,
}

async fn samples_page(
    s: &AppState,
    who: &Authenticated,
    region: Option<&RegionCode>,
    month: NaiveDate,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let store = s.store.as_ref();
    let (list, unverified) = service::samples(store, &who.principal, region, month, 200).await?;
    let hc = homecare_store(store);
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut providers: HashMap<i64, String> = HashMap::new();
    let mut rows = Vec::new();
    for v in &list {
        let Visit { id, order_id, provider_id, served_on, service: kind, minutes, worker, verification, note, .. } = v;
        if !names.contains_key(order_id) {
            names.insert(*order_id, hc.order(*order_id).await?.map(|o| o.name).unwrap_or_default());
        }
        if !providers.contains_key(provider_id) {
            providers.insert(*provider_id, hc.provider(*provider_id).await?.map(|p| p.name).unwrap_or_default());
        }
        rows.push(SampleRow {
            id: *id,
            elder: names[order_id].clone(),
            provider: providers[provider_id].clone(),
            served_on: served_on.to_string(),
            service: pick(lang, kind.zh(), kind.en()),
            minutes: *minutes,
            worker: worker.clone(),
            result: verification.map(|r| pick(lang, r.zh(), r.en())),
            note: note.clone(),
        });
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = SamplesPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        month: month.format("%Y-%m").to_string(),
        rows,
        unverified,
        may_verify: who.principal.may(Permission::AssessAbility),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /eldercare/homecare/samples?month=`: the month's records drawn for verification.
pub(super) async fn samples(State(s): State<AppState>, who: Authenticated, Query(q): Query<MonthParam>) -> Result<Response, AppError> {
    let month = month_param(&s, q.month.as_deref())?;
    samples_page(&s, &who, region_of(&q)?.as_ref(), month, None).await
}

#[derive(Deserialize, Default)]
pub(super) struct VerifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    note: String,
}

/// `POST /eldercare/homecare/samples/{id}`: the verification of a sampled record.
pub(super) async fn form_verify(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<VerifyForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let month = month_param(&s, Some(&f.month)).unwrap_or_else(|_| service::last_month(s.clock.today()));
    let Some(result) = Verification::parse(&f.result) else {
        let msg = pick(who.lang, "请选择回访结果", "choose the result").to_string();
        return samples_page(&s, &who, None, month, Some(msg)).await;
    };
    if result == Verification::Rejected && f.note.trim().is_empty() {
        let msg = pick(who.lang, "回访不实的，请写明情况（如：老人称当日未上门）", "say what was found when not confirmed").to_string();
        return samples_page(&s, &who, None, month, Some(msg)).await;
    }
    match service::verify(s.store.as_ref(), &who.cx(s.clock.today()), id, result, &f.note).await {
        Ok(()) => Ok(Redirect::to(&format!("/eldercare/homecare/samples?month={}", month.format("%Y-%m"))).into_response()),
        Err(e) if e.is_input() => samples_page(&s, &who, None, month, Some(both(who.lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

/// `GET /eldercare/homecare/settlement.xlsx?month=`: the month's settlement per provider (as
/// stored, or as it would be), its export audited.
pub(super) async fn settlement_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<MonthParam>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let month = month_param(&s, q.month.as_deref())?;
    let region = region_of(&q)?;
    let region = region.as_ref();
    let store = s.store.as_ref();
    let providers = service::providers(store, &who.principal, region).await?;
    let preview: HashMap<i64, _> =
        service::preview(store, &who.principal, region, month).await?.into_iter().map(|p| (p.provider_id, p)).collect();
    let settled: HashMap<i64, _> =
        service::settlements(store, &who.principal, region, month).await?.into_iter().map(|r| (r.settlement.provider_id, r)).collect();
    let filters = serde_json::json!({ "month": month });
    minzheng_app::export::record_export(store, &who.cx(s.clock.today()), "homecare_settlement", filters, &[]).await?;
    let headers = [
        pick(lang, "服务机构", "Provider"),
        pick(lang, "统一社会信用代码", "Registration"),
        pick(lang, "服务对象（人）", "Elders"),
        pick(lang, "服务记录（条）", "Records"),
        pick(lang, "服务时长（小时）", "Hours served"),
        pick(lang, "核验不实（小时）", "Hours rejected"),
        pick(lang, "结算时长（小时）", "Hours paid"),
        pick(lang, "结算金额（元）", "Amount (yuan)"),
        pick(lang, "状态", "Status"),
    ];
    let rows: Vec<Vec<String>> = providers
        .iter()
        .map(|p| {
            let stored = settled.get(&p.id).map(|r| r.settlement);
            let x = stored.or_else(|| preview.get(&p.id).copied()).unwrap_or_default();
            vec![
                p.name.clone(),
                p.registration.clone(),
                x.orders.to_string(),
                x.visits.to_string(),
                hours(x.minutes_served),
                hours(x.minutes_rejected),
                hours(x.minutes_paid),
                yuan(x.amount_fen),
                if stored.is_some() { pick(lang, "已结算", "settled") } else { pick(lang, "待结算", "to settle") }.to_string(),
            ]
        })
        .collect();
    let bytes = crate::platform::sheet::workbook(pick(lang, "居家养老服务结算", "Home-care settlement"), &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, &format!("homecare-{}.xlsx", month.format("%Y-%m"))))
}

/// `POST /eldercare/homecare/import` (multipart: csrf, month, file): a provider's month of service
/// records as an Excel or CSV sheet (工单号, 服务日期, 服务项目, 服务时长（分钟）, 服务人员); stored
/// whole, or refused with every row that cannot be read named by its row in Excel.
pub(super) async fn form_import(
    State(s): State<AppState>,
    who: Authenticated,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut month, mut file) = (None, String::new(), None);
    let unreadable = |_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_form",
            "上传的表单无法读取（文件是否超过上限？）".to_string(),
            "the upload cannot be read (is the file over the limit?)".to_string(),
        )
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            Some("month") => month = field.text().await.map_err(unreadable)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.xlsx").to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    who.require_csrf(&s, csrf.as_deref()).await?;
    let lang = who.lang;
    let month = month_param(&s, Some(&month)).unwrap_or_else(|_| service::last_month(s.clock.today()));
    let refuse = |msg: String| Some(("import".to_string(), msg));
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let msg = pick(lang, "请选择服务记录表（Excel 或 CSV）", "choose the sheet of service records (Excel or CSV)").to_string();
        return homecare_page(&s, &who, None, month, None, refuse(msg), None).await;
    };
    let known = |h: &str| super::homecare::SHEET_COLUMNS.contains(&h);
    let sheet = match minzheng_app::sheet::read_bytes(&name, bytes.to_vec(), known) {
        Ok(sheet) => sheet,
        Err(e) => return homecare_page(&s, &who, None, month, None, refuse(both(lang, &e)), None).await,
    };
    let rows = match super::homecare::visits_from_sheet(&sheet) {
        Ok(rows) => rows,
        Err(errors) => {
            let msg = errors
                .iter()
                .take(20)
                .map(|e| match lang {
                    Lang::Zh => format!("第{}行：{}", e.row, e.zh),
                    Lang::En => format!("row {}: {}", e.row, e.en),
                })
                .collect::<Vec<_>>()
                .join(pick(lang, "；", "; "));
            let head = match lang {
                Lang::Zh => format!("{}行无法读取，全部未保存：", errors.len()),
                Lang::En => format!("{} rows cannot be read, nothing stored: ", errors.len()),
            };
            return homecare_page(&s, &who, None, month, None, refuse(format!("{head}{msg}")), None).await;
        }
    };
    let reports: Vec<VisitReport> = rows.iter().map(|(_, v)| v.clone()).collect();
    match service::record_visits(s.store.as_ref(), &who.cx(s.clock.today()), &reports).await {
        Ok((n, _)) => {
            let notice = match lang {
                Lang::Zh => format!("已导入服务记录 {n} 条（{name}）"),
                Lang::En => format!("{n} service records imported ({name})"),
            };
            homecare_page(&s, &who, None, month, None, None, Some(notice)).await
        }
        // The row as Excel numbers it.
        Err(HomecareFailure::Visit { row, error }) => {
            let excel = rows.get(row.saturating_sub(1)).map_or(row, |(n, _)| *n);
            let msg = match lang {
                Lang::Zh => format!("第{excel}行：{}（全部未保存）", error.zh()),
                Lang::En => format!("row {excel}: {} (nothing stored)", error.en()),
            };
            homecare_page(&s, &who, None, month, None, refuse(msg), None).await
        }
        Err(e) if e.is_input() => homecare_page(&s, &who, None, month, None, refuse(both(lang, &e)), None).await,
        Err(e) => Err(e.into()),
    }
}
