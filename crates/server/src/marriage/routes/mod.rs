//! 婚姻登记's JSON API and pages. Handlers parse, call the use cases (`service.rs`) and render; a
//! refused form comes back as its page with what was typed and the message beside it.

use super::model::{Declared, DivorceApplication, DivorceStatus, HouseholdChange, MarriageApplication, Stage};
use super::service::{self, Divorced, MarriageFailure, Registered};
use super::store::{DivorceRecord, Marriage, MonthFigures};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{both, choices, day_of, pick, Choice};
use crate::platform::scope::shown;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::NaiveDate;
use minzheng_domain::{Bilingual, Permission, Principal, RegionCode};
use serde::Deserialize;

impl From<MarriageFailure> for AppError {
    fn from(e: MarriageFailure) -> AppError {
        match e {
            MarriageFailure::Access(a) => a.into(),
            MarriageFailure::Store(s) => s.into(),
            MarriageFailure::NotAnOffice => AppError::new(StatusCode::FORBIDDEN, "not_an_office", e.zh(), e.en()),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", other.zh(), other.en()),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct FiguresParam {
    region: Option<String>,
    year: Option<String>,
}

fn region_of(p: &FiguresParam) -> Result<Option<RegionCode>, AppError> {
    crate::platform::api::region_of(p.region.as_deref())
}

fn year_of(s: &AppState, p: &FiguresParam) -> Result<i32, AppError> {
    match p.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(service::year_of(s.clock.today())),
        Some(y) => y.parse::<i32>().ok().filter(|y| (1949..=2200).contains(y)).ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_year",
                format!("年份“{y}”无法识别，请写成 2026"),
                format!("year {y:?}: write it as 2026"),
            )
        }),
    }
}

// ---- pages ----

pub(super) struct FigureRow {
    label: String,
    marriages: u64,
    divorces: u64,
    applications: u64,
    withdrawn: u64,
    lapsed: u64,
    refusals: u64,
    total: bool,
}

fn figure_row(label: String, f: &MonthFigures, total: bool) -> FigureRow {
    FigureRow {
        label,
        marriages: f.marriages,
        divorces: f.divorces,
        applications: f.applications,
        withdrawn: f.withdrawn,
        lapsed: f.lapsed,
        refusals: f.refusals,
        total,
    }
}

/// The year per county (the region's total first when it holds more than one) and per month.
fn figure_tables(s: &AppState, rows: &[MonthFigures], here: &RegionCode, lang: Lang) -> (Vec<FigureRow>, Vec<FigureRow>) {
    let mut counties: Vec<&str> = rows.iter().map(|r| r.county.as_str()).collect();
    counties.dedup();
    let label = |c: &str| RegionCode::parse(c).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| c.to_string());
    let mut by_county = Vec::new();
    if counties.len() > 1 {
        let all: Vec<&MonthFigures> = rows.iter().collect();
        by_county.push(figure_row(
            format!("{}{}", region_label(s, here, lang), pick(lang, "（合计）", " (total)")),
            &service::total(&all, "", ""),
            true,
        ));
    }
    for c in &counties {
        let of: Vec<&MonthFigures> = rows.iter().filter(|r| r.county == *c).collect();
        by_county.push(figure_row(label(c), &service::total(&of, c, ""), false));
    }
    let mut months: Vec<&str> = rows.iter().map(|r| r.month.as_str()).collect();
    months.sort_unstable();
    months.dedup();
    let by_month = months
        .iter()
        .map(|m| {
            let of: Vec<&MonthFigures> = rows.iter().filter(|r| r.month == *m).collect();
            figure_row((*m).to_string(), &service::total(&of, "", m), false)
        })
        .collect();
    (by_county, by_month)
}

pub(super) struct MarriageRow {
    id: i64,
    certificate_no: String,
    couple: String,
    registered_on: String,
    office: String,
    dissolved: bool,
}

pub(super) struct DivorceRow {
    id: i64,
    couple: String,
    received_on: String,
    cooling_ends: String,
    window_ends: String,
    stage: String,
    ready: bool,
}

pub(super) struct RefusalRow {
    couple: String,
    refused_on: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "marriage.html")]
pub(super) struct OverviewPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    year: i32,
    region: String,
    by_county: Vec<FigureRow>,
    by_month: Vec<FigureRow>,
    marriages: Vec<MarriageRow>,
    divorces: Vec<DivorceRow>,
    refusals: Vec<RefusalRow>,
    may_register: bool,
}

fn stage_text(d: &DivorceRecord, today: NaiveDate, lang: Lang) -> (String, bool) {
    match (d.status, d.timeline.stage(today)) {
        (DivorceStatus::Received, Stage::CoolingOff) => {
            let left = (d.timeline.cooling_ends - today).num_days();
            (
                match lang {
                    Lang::Zh => format!("冷静期内（还剩{left}天）"),
                    Lang::En => format!("cooling off ({left} days left)"),
                },
                false,
            )
        }
        (DivorceStatus::Received, Stage::Window) => {
            let left = (d.timeline.window_ends - today).num_days();
            (
                match lang {
                    Lang::Zh => format!("可申请发证（{left}天后期满）"),
                    Lang::En => format!("may apply for the certificate (ends in {left} days)"),
                },
                true,
            )
        }
        (DivorceStatus::Received, Stage::Lapsed) => (pick(lang, DivorceStatus::Lapsed.zh(), DivorceStatus::Lapsed.en()).to_string(), false),
        (status, _) => (pick(lang, status.zh(), status.en()).to_string(), false),
    }
}

fn couple(who: &Principal, lang: Lang, a_name: &str, a_id: &str, b_name: &str, b_id: &str) -> String {
    let (lp, rp) = if lang == Lang::Zh { ("（", "）") } else { (" (", ")") };
    format!("{a_name}{lp}{}{rp} · {b_name}{lp}{}{rp}", shown(who, a_id), shown(who, b_id))
}

pub(super) async fn overview(State(s): State<AppState>, who: Authenticated, Query(q): Query<FiguresParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let year = year_of(&s, &q)?;
    let region = region_of(&q)?;
    let today = s.clock.today();
    let p = &who.principal;
    let desk = service::desk(s.store.as_ref(), p, region.as_ref(), today, 30).await?;
    let figures = service::figures(s.store.as_ref(), p, region.as_ref(), year, today).await?;
    let here = region.clone().unwrap_or_else(|| p.region.clone());
    let (by_county, by_month) = figure_tables(&s, &figures, &here, lang);
    let office = |code: &str| RegionCode::parse(code).map(|c| region_label(&s, &c, lang)).unwrap_or_else(|_| code.to_string());
    let page = OverviewPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        year,
        region: region.as_ref().map(ToString::to_string).unwrap_or_default(),
        by_county,
        by_month,
        marriages: desk
            .marriages
            .iter()
            .map(|m| MarriageRow {
                id: m.id,
                certificate_no: m.certificate_no.clone(),
                couple: couple(p, lang, &m.first.name, &m.first.id_number, &m.second.name, &m.second.id_number),
                registered_on: m.registered_on.to_string(),
                office: office(&m.office),
                dissolved: m.dissolved_on.is_some(),
            })
            .collect(),
        divorces: desk
            .open_divorces
            .iter()
            .map(|d| {
                let (stage, ready) = stage_text(d, today, lang);
                DivorceRow {
                    id: d.id,
                    couple: couple(p, lang, &d.first_name, &d.first_id, &d.second_name, &d.second_id),
                    received_on: d.timeline.received_on.to_string(),
                    cooling_ends: d.timeline.cooling_ends.to_string(),
                    window_ends: d.timeline.window_ends.to_string(),
                    stage,
                    ready,
                }
            })
            .collect(),
        refusals: desk
            .refusals
            .iter()
            .map(|r| RefusalRow {
                couple: couple(p, lang, &r.first_name, &r.first_id, &r.second_name, &r.second_id),
                refused_on: r.refused_on.to_string(),
                reason: if lang == Lang::Zh { r.reason_zh.clone() } else { r.reason_en.clone() },
            })
            .collect(),
        may_register: p.may(Permission::RegisterMarriage),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /marriage/figures.xlsx?year=&region=`: registrations per county and month (no personal
/// data), its export audited.
pub(super) async fn figures_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<FiguresParam>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let year = year_of(&s, &q)?;
    let region = region_of(&q)?;
    let figures = service::figures(s.store.as_ref(), &who.principal, region.as_ref(), year, s.clock.today()).await?;
    let filters = serde_json::json!({ "region": region.as_ref().map(ToString::to_string), "year": year });
    minzheng_app::export::record_export(s.store.as_ref(), &who.cx(s.clock.today()), "marriage_figures", filters, &[]).await?;
    let headers = [
        pick(lang, "区县", "County"),
        pick(lang, "月份", "Month"),
        pick(lang, "结婚登记（对）", "Marriages"),
        pick(lang, "离婚登记（对）", "Divorces"),
        pick(lang, "受理离婚申请", "Divorce applications"),
        pick(lang, "冷静期内撤回", "Withdrawn"),
        pick(lang, "期满视为撤回", "Lapsed"),
        pick(lang, "不予登记", "Refused"),
    ];
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            vec![
                RegionCode::parse(&f.county).map(|c| region_label(&s, &c, lang)).unwrap_or_else(|_| f.county.clone()),
                f.month.clone(),
                f.marriages.to_string(),
                f.divorces.to_string(),
                f.applications.to_string(),
                f.withdrawn.to_string(),
                f.lapsed.to_string(),
                f.refusals.to_string(),
            ]
        })
        .collect();
    let bytes = crate::platform::sheet::workbook(pick(lang, "婚姻登记统计", "Marriage registrations"), &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, &format!("marriage-{year}.xlsx")))
}

/// The marriage form, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct MarriageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_id: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    first_declared: String,
    #[serde(default)]
    second_id: String,
    #[serde(default)]
    second_name: String,
    #[serde(default)]
    second_declared: String,
    #[serde(default)]
    both_present: Option<String>,
    #[serde(default)]
    declarations_signed: Option<String>,
    #[serde(default)]
    household_change: String,
    #[serde(default)]
    kinship_note: String,
    /// The appointment the couple came on.
    #[serde(default)]
    appointment: String,
}

#[derive(Template)]
#[template(path = "marriage_form.html")]
pub(super) struct MarriageFormPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    form: MarriageForm,
    first_declared: Vec<Choice>,
    second_declared: Vec<Choice>,
    changes: Vec<Choice>,
    error: Option<String>,
}

fn marriage_form_page(who: &Authenticated, form: MarriageForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = MarriageFormPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        first_declared: choices(Declared::ALL, Declared::as_str, |x| pick(lang, x.zh(), x.en()), &form.first_declared),
        second_declared: choices(Declared::ALL, Declared::as_str, |x| pick(lang, x.zh(), x.en()), &form.second_declared),
        changes: choices(HouseholdChange::ALL, HouseholdChange::as_str, |x| pick(lang, x.zh(), x.en()), &form.household_change),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct OfficeParam {
    region: Option<String>,
    certificate: Option<String>,
    appointment: Option<String>,
}

/// The office asked for (`?region=`), when within the account's region.
fn office_param(who: &Authenticated, q: &OfficeParam) -> Result<(), AppError> {
    if let Some(r) = q.region.as_deref().filter(|r| !r.trim().is_empty()) {
        let r = crate::platform::api::parse_region(r)?;
        crate::platform::scope::within(&who.principal, Some(&r)).map_err(MarriageFailure::from)?;
    }
    Ok(())
}

/// `GET /marriage/new`: the marriage form.
pub(super) async fn marriage_form(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<OfficeParam>,
) -> Result<Response, AppError> {
    office_param(&who, &q)?;
    let mut form = MarriageForm {
        first_declared: "single".into(),
        second_declared: "single".into(),
        household_change: "none".into(),
        ..Default::default()
    };
    // Filled in from the couple's appointment.
    if let Some(id) = q.appointment.as_deref().and_then(|a| a.trim().parse::<i64>().ok()) {
        let a = service::appointment(s.store.as_ref(), &who.principal, id).await?;
        form.first_id = a.first_id;
        form.first_name = a.first_name;
        form.second_id = a.second_id;
        form.second_name = a.second_name;
        form.appointment = id.to_string();
    }
    marriage_form_page(&who, form, None)
}

pub(super) async fn form_register(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<MarriageForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let (Some(first_declared), Some(second_declared)) = (Declared::parse(&f.first_declared), Declared::parse(&f.second_declared)) else {
        let msg = pick(lang, "请选择双方声明的婚姻状况", "choose each party's declared marital status").to_string();
        return marriage_form_page(&who, f, Some(msg));
    };
    let app = MarriageApplication {
        first_id: f.first_id.clone(),
        first_name: f.first_name.clone(),
        first_declared,
        second_id: f.second_id.clone(),
        second_name: f.second_name.clone(),
        second_declared,
        both_present: f.both_present.is_some(),
        declarations_signed: f.declarations_signed.is_some(),
        household_change: HouseholdChange::parse(&f.household_change).unwrap_or_default(),
        kinship_note: f.kinship_note.clone(),
        appointment: f.appointment.trim().parse().ok(),
    };
    match service::register_marriage(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), app).await {
        Ok(r) if r.effects_failed.is_some() => {
            Ok(Redirect::to(&format!("/marriage/registrations/{}?effects=failed", r.marriage.id)).into_response())
        }
        Ok(r) => Ok(Redirect::to(&format!("/marriage/registrations/{}", r.marriage.id)).into_response()),
        Err(e) if e.is_input() => marriage_form_page(&who, f, Some(both(lang, &e))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "marriage_view.html")]
pub(super) struct MarriagePage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    m: Marriage,
    first_id: String,
    second_id: String,
    first_declared: &'static str,
    second_declared: &'static str,
    office: String,
    household_change: &'static str,
    divorces: Vec<DivorceRow>,
    may_register: bool,
    warning: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct EffectsParam {
    effects: Option<String>,
}

fn effects_warning(lang: Lang, q: &EffectsParam) -> Option<String> {
    (q.effects.as_deref() == Some("failed")).then(|| {
        pick(
            lang,
            "登记已完成，但送比对数据或为在保家庭发起变更未能全部完成，请联系管理员处理",
            "registered, but the comparison's row or a household's change case could not be made: ask the administrator",
        )
        .to_string()
    })
}

pub(super) async fn marriage_view(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<EffectsParam>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let p = &who.principal;
    let today = s.clock.today();
    let (m, divorces) = service::marriage(s.store.as_ref(), p, id).await?;
    let page = MarriagePage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        first_id: shown(p, &m.first.id_number),
        second_id: shown(p, &m.second.id_number),
        first_declared: pick(lang, m.first.declared.zh(), m.first.declared.en()),
        second_declared: pick(lang, m.second.declared.zh(), m.second.declared.en()),
        office: RegionCode::parse(&m.office).map(|c| region_label(&s, &c, lang)).unwrap_or_else(|_| m.office.clone()),
        household_change: pick(lang, m.household_change.zh(), m.household_change.en()),
        divorces: divorces.iter().map(|d| divorce_row(p, d, today, lang)).collect(),
        may_register: p.may(Permission::RegisterMarriage) && m.dissolved_on.is_none(),
        warning: effects_warning(lang, &q),
        m,
    };
    Ok(render(&page)?.into_response())
}

fn divorce_row(p: &Principal, d: &DivorceRecord, today: NaiveDate, lang: Lang) -> DivorceRow {
    let (stage, ready) = stage_text(d, today, lang);
    DivorceRow {
        id: d.id,
        couple: couple(p, lang, &d.first_name, &d.first_id, &d.second_name, &d.second_id),
        received_on: d.timeline.received_on.to_string(),
        cooling_ends: d.timeline.cooling_ends.to_string(),
        window_ends: d.timeline.window_ends.to_string(),
        stage,
        ready,
    }
}

/// The divorce form, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct DivorceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_id: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    second_id: String,
    #[serde(default)]
    second_name: String,
    #[serde(default)]
    marriage_certificate_no: String,
    #[serde(default)]
    both_present: Option<String>,
    #[serde(default)]
    agreement_signed: Option<String>,
}

#[derive(Template)]
#[template(path = "marriage_divorce_form.html")]
pub(super) struct DivorceFormPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    form: DivorceForm,
    error: Option<String>,
}

fn divorce_form_page(who: &Authenticated, form: DivorceForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DivorceFormPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /marriage/divorces/new?certificate=`: the divorce form, filled from a marriage
/// registered here when named.
pub(super) async fn divorce_form(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<OfficeParam>,
) -> Result<Response, AppError> {
    office_param(&who, &q)?;
    let mut form = DivorceForm::default();
    if let Some(no) = q.certificate.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        form.marriage_certificate_no = no.to_string();
        // Filled in from a marriage registered by an office the account reads; another
        // county's certificate is taken as shown (the parties type their own).
        if let Some(m) = super::store::marriage_store(s.store.as_ref()).marriage_by_certificate(no).await? {
            if let Ok((m, _)) = service::marriage(s.store.as_ref(), &who.principal, m.id).await {
                form.first_id = m.first.id_number;
                form.first_name = m.first.name;
                form.second_id = m.second.id_number;
                form.second_name = m.second.name;
            }
        }
    }
    divorce_form_page(&who, form, None)
}

pub(super) async fn form_apply_divorce(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<DivorceForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let app = DivorceApplication {
        first_id: f.first_id.clone(),
        first_name: f.first_name.clone(),
        second_id: f.second_id.clone(),
        second_name: f.second_name.clone(),
        marriage_certificate_no: f.marriage_certificate_no.clone(),
        both_present: f.both_present.is_some(),
        agreement_signed: f.agreement_signed.is_some(),
    };
    match service::apply_divorce(s.store.as_ref(), &who.cx(s.clock.today()), app).await {
        Ok(d) => Ok(Redirect::to(&format!("/marriage/divorces/{}", d.id)).into_response()),
        Err(e) if e.is_input() => divorce_form_page(&who, f, Some(both(lang, &e))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "marriage_divorce.html")]
pub(super) struct DivorcePage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    d: DivorceRecord,
    first_id: String,
    second_id: String,
    stage: String,
    withdrawn_by: String,
    marriage_id: Option<i64>,
    may_withdraw: bool,
    may_certify: bool,
    error: Option<String>,
    warning: Option<String>,
}

async fn divorce_page(
    s: &AppState,
    who: &Authenticated,
    id: i64,
    error: Option<String>,
    warning: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let p = &who.principal;
    let today = s.clock.today();
    let d = service::divorce(s.store.as_ref(), p, id).await?;
    let (stage, ready) = stage_text(&d, today, lang);
    let open = d.status == DivorceStatus::Received;
    let registrar = p.may(Permission::RegisterMarriage);
    let withdrawn_by = if d.withdrawn_by == d.first_id {
        d.first_name.clone()
    } else if d.withdrawn_by == d.second_id {
        d.second_name.clone()
    } else {
        String::new()
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DivorcePage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        first_id: shown(p, &d.first_id),
        second_id: shown(p, &d.second_id),
        stage,
        withdrawn_by,
        marriage_id: d.marriage_id,
        may_withdraw: registrar && open && d.timeline.stage(today) == Stage::CoolingOff,
        may_certify: registrar && open && ready,
        error,
        warning,
        d,
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn divorce_view(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<EffectsParam>,
) -> Result<Response, AppError> {
    let warning = effects_warning(who.lang, &q);
    divorce_page(&s, &who, id, None, warning).await
}

#[derive(Deserialize, Default)]
pub(super) struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    party: String,
}

pub(super) async fn form_withdraw(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    match service::withdraw_divorce(s.store.as_ref(), &who.cx(s.clock.today()), id, f.party.trim()).await {
        Ok(_) => Ok(Redirect::to(&format!("/marriage/divorces/{id}")).into_response()),
        Err(e) if e.is_input() && !matches!(e, MarriageFailure::Access(_)) => {
            divorce_page(&s, &who, id, Some(both(who.lang, &e)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct CertificateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    both_present: Option<String>,
}

pub(super) async fn form_certify(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<CertificateForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    match service::certify_divorce(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), id, f.both_present.is_some()).await {
        Ok(d) if d.effects_failed.is_some() => Ok(Redirect::to(&format!("/marriage/divorces/{id}?effects=failed")).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/marriage/divorces/{id}")).into_response()),
        Err(e) if e.is_input() && !matches!(e, MarriageFailure::Access(_)) => {
            divorce_page(&s, &who, id, Some(both(who.lang, &e)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

mod appointments;
pub(in crate::marriage) use appointments::*;

mod api;
pub(in crate::marriage) use api::*;
