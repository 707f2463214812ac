//! 养老服务's JSON API and pages. Handlers parse, call the use cases (`service.rs`) and render;
//! a refused form comes back as its page with what was typed and the message beside it.

use super::assessment::{AbilityLevel, Answers, Dimension, Reason, ITEMS, TEKUN_ACTIVITIES};
use super::model::{percent, Beds, Filing, Indicators, Inspection, InspectionResult, Institution, Ownership, Residency};
use super::service::{self, Admission, EldercareFailure, NewAssessment, Recorded};
use super::store::AssessmentRecord;
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{bad_date, both, day_of, pick};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::NaiveDate;
use minzheng_app::cases::ChangeOpened;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;
use std::collections::HashMap;

impl From<EldercareFailure> for AppError {
    fn from(e: EldercareFailure) -> AppError {
        match e {
            EldercareFailure::Access(a) => a.into(),
            EldercareFailure::Store(s) => s.into(),
            EldercareFailure::Case(c) => AppError::new(StatusCode::CONFLICT, "case", c.zh(), c.en()),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct RegionParam {
    region: Option<String>,
    date: Option<String>,
}

fn region_of(p: &RegionParam) -> Result<Option<RegionCode>, AppError> {
    p.region.as_deref().filter(|r| !r.trim().is_empty()).map(crate::platform::api::parse_region).transpose()
}

fn date_of(s: &AppState, p: &RegionParam) -> Result<NaiveDate, AppError> {
    match p.date.as_deref().filter(|d| !d.trim().is_empty()) {
        None => Ok(s.clock.today()),
        Some(d) => day_of(d).ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_date",
                format!("日期“{d}”无法识别，请写成 2026-12-01"),
                format!("date {d:?}: write it as 2026-12-01"),
            )
        }),
    }
}

// ---- pages ----

/// One row of the indicators table, as shown.
pub(super) struct IndicatorRow {
    county: String,
    elders: u64,
    institutions: u64,
    beds: i64,
    nursing: i64,
    residents: u64,
    per_thousand: String,
    occupancy: String,
    nursing_share: String,
    tekun: u64,
    dependent: u64,
    concentrated: u64,
    concentrated_share: String,
    assessed: Vec<u64>,
    total: bool,
}

pub(super) struct InstitutionRow {
    id: i64,
    name: String,
    region: String,
    receipt: String,
    beds: i64,
    nursing: i64,
    stars: String,
    ownership: &'static str,
    flags: String,
    status: &'static str,
    late: bool,
    /// Not inspected in the last 12 months (年检逾期).
    overdue: bool,
}

fn institution_row(s: &AppState, i: &Institution, lang: Lang) -> InstitutionRow {
    let mut flags = Vec::new();
    if i.filing.tekun_home {
        flags.push(pick(lang, "特困供养", "特困 support home"));
    }
    if i.filing.regional_centre {
        flags.push(pick(lang, "区域性中心", "regional centre"));
    }
    InstitutionRow {
        id: i.id,
        name: i.filing.name.clone(),
        region: region_label(s, &i.filing.region, lang),
        receipt: i.receipt.clone(),
        beds: i.filing.beds.total,
        nursing: i.filing.beds.nursing,
        stars: i.stars(),
        ownership: pick(lang, i.filing.ownership.zh(), i.filing.ownership.en()),
        flags: flags.join(pick(lang, "、", ", ")),
        status: pick(lang, i.status.zh(), i.status.en()),
        late: i.filed_late,
        overdue: false,
    }
}

#[derive(Template)]
#[template(path = "eldercare.html")]
pub(super) struct OverviewPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    day: String,
    levels: Vec<&'static str>,
    indicators: Vec<IndicatorRow>,
    institutions: Vec<InstitutionRow>,
    may_file: bool,
    may_assess: bool,
    /// The residents whose yearly re-assessment is due (the oldest first) and how many.
    due: Vec<DueRow>,
    due_count: u64,
}

pub(super) struct DueRow {
    id: i64,
    name: String,
    assessed_on: String,
    level: &'static str,
}

pub(super) async fn overview(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let day = date_of(&s, &q)?;
    let region = region_of(&q)?;
    let figures = service::county_indicators(s.store.as_ref(), &who.principal, region.as_ref(), day).await?;
    let institutions = service::institutions(s.store.as_ref(), &who.principal, region.as_ref(), day).await?;
    let here = region.clone().unwrap_or_else(|| who.principal.region.clone());
    let overdue = service::overdue_inspections(s.store.as_ref(), &here, &institutions, day).await?;
    let (due, due_count) = service::due_assessments(s.store.as_ref(), &who.principal, s.clock.today(), 50).await?;
    let indicators = figures
        .iter()
        .map(|i| {
            let total = i.county == here.as_str() && figures.len() > 1;
            let county = match RegionCode::parse(&i.county) {
                Ok(c) if total => format!("{}{}", region_label(&s, &c, lang), pick(lang, "（合计）", " (total)")),
                Ok(c) => region_label(&s, &c, lang),
                Err(_) => i.county.clone(),
            };
            IndicatorRow {
                county,
                elders: i.elders,
                institutions: i.institutions,
                beds: i.beds.total,
                nursing: i.beds.nursing,
                residents: i.residents,
                per_thousand: i.beds_per_thousand.map_or_else(|| "—".into(), |x| format!("{x:.1}")),
                occupancy: percent(i.occupancy),
                nursing_share: percent(i.nursing_share),
                tekun: i.tekun,
                dependent: i.tekun_dependent,
                concentrated: i.tekun_dependent_concentrated,
                concentrated_share: percent(i.concentrated_share),
                assessed: i.assessed.to_vec(),
                total,
            }
        })
        .collect();
    let page = OverviewPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        day: day.to_string(),
        levels: AbilityLevel::ALL.iter().map(|l| pick(lang, l.zh(), l.en())).collect(),
        indicators,
        institutions: institutions
            .iter()
            .map(|i| InstitutionRow { overdue: overdue.contains(&i.id), ..institution_row(&s, i, lang) })
            .collect(),
        may_file: who.principal.may(Permission::ManageInstitutions),
        may_assess: who.principal.may(Permission::AssessAbility),
        due: due
            .iter()
            .map(|a| DueRow {
                id: a.id,
                name: a.name.clone(),
                assessed_on: a.assessed_on.to_string(),
                level: pick(lang, a.outcome.level.zh(), a.outcome.level.en()),
            })
            .collect(),
        due_count,
    };
    Ok(render(&page)?.into_response())
}

fn county_name(s: &AppState, code: &str, lang: Lang) -> String {
    RegionCode::parse(code).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| code.to_string())
}

/// `GET /eldercare/indicators.xlsx?region=&date=`: the indicators table as a workbook (figures
/// only, no personal data), its export audited.
pub(super) async fn indicators_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let day = date_of(&s, &q)?;
    let region = region_of(&q)?;
    let figures = service::county_indicators(s.store.as_ref(), &who.principal, region.as_ref(), day).await?;
    let filters = serde_json::json!({ "region": region.as_ref().map(ToString::to_string), "date": day });
    minzheng_app::export::record_export(s.store.as_ref(), &who.cx(s.clock.today()), "care_indicators", filters, &[]).await?;
    let mut headers = vec![
        pick(lang, "区县", "County"),
        pick(lang, "老年人口", "Elders"),
        pick(lang, "机构", "Institutions"),
        pick(lang, "床位", "Beds"),
        pick(lang, "护理型床位", "Nursing-type"),
        pick(lang, "家庭养老床位", "Home beds"),
        pick(lang, "入住", "Residents"),
        pick(lang, "每千名老人床位", "Beds per 1,000 elders"),
        pick(lang, "入住率", "Occupancy"),
        pick(lang, "护理型床位占比", "Nursing-bed share"),
        pick(lang, "特困人员", "特困 persons"),
        pick(lang, "其中失能半失能", "Dependent"),
        pick(lang, "其中集中供养", "In institutions"),
        pick(lang, "失能半失能特困人员集中供养率", "Concentrated support of dependent 特困 persons"),
    ];
    headers.extend(AbilityLevel::ALL.iter().map(|l| pick(lang, l.zh(), l.en())));
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|i| {
            let mut r = vec![
                county_name(&s, &i.county, lang),
                i.elders.to_string(),
                i.institutions.to_string(),
                i.beds.total.to_string(),
                i.beds.nursing.to_string(),
                i.beds.home.to_string(),
                i.residents.to_string(),
                i.beds_per_thousand.map_or_else(String::new, |x| format!("{x:.1}")),
                percent(i.occupancy),
                percent(i.nursing_share),
                i.tekun.to_string(),
                i.tekun_dependent.to_string(),
                i.tekun_dependent_concentrated.to_string(),
                percent(i.concentrated_share),
            ];
            r.extend(i.assessed.iter().map(u64::to_string));
            r
        })
        .collect();
    let bytes = crate::platform::sheet::workbook(pick(lang, "养老服务指标", "Elderly-care indicators"), &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, "eldercare-indicators.xlsx"))
}

/// `GET /eldercare/institutions.xlsx?region=`: the institutions as filed, as a workbook, its
/// export audited with the institutions' ids.
pub(super) async fn institutions_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let today = s.clock.today();
    let region = region_of(&q)?;
    let list = service::institutions(s.store.as_ref(), &who.principal, region.as_ref(), today).await?;
    let here = region.clone().unwrap_or_else(|| who.principal.region.clone());
    let overdue = service::overdue_inspections(s.store.as_ref(), &here, &list, today).await?;
    let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
    let filters = serde_json::json!({ "region": region.as_ref().map(ToString::to_string) });
    minzheng_app::export::record_export(s.store.as_ref(), &who.cx(s.clock.today()), "care_institution", filters, &ids).await?;
    let headers = [
        pick(lang, "机构名称", "Name"),
        pick(lang, "所在区划", "Region"),
        pick(lang, "住所", "Address"),
        pick(lang, "备案回执", "Receipt"),
        pick(lang, "备案日期", "Filed on"),
        pick(lang, "床位", "Beds"),
        pick(lang, "护理型", "Nursing-type"),
        pick(lang, "日间照料", "Day care"),
        pick(lang, "家庭养老床位", "Home beds"),
        pick(lang, "等级", "Grade"),
        pick(lang, "性质", "Ownership"),
        pick(lang, "类型", "Kind"),
        pick(lang, "状态", "Status"),
        pick(lang, "年检", "Inspection"),
        pick(lang, "联系电话", "Telephone"),
    ];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|i| {
            let row = institution_row(&s, i, lang);
            vec![
                row.name,
                row.region,
                i.filing.address.clone(),
                row.receipt,
                i.filed_on.to_string(),
                row.beds.to_string(),
                row.nursing.to_string(),
                i.filing.beds.day_care.to_string(),
                i.filing.beds.home.to_string(),
                i.grade.map(|g| g.to_string()).unwrap_or_default(),
                row.ownership.to_string(),
                row.flags,
                row.status.to_string(),
                if overdue.contains(&i.id) { pick(lang, "逾期", "overdue").to_string() } else { String::new() },
                i.filing.contact.clone(),
            ]
        })
        .collect();
    let bytes = crate::platform::sheet::workbook(pick(lang, "养老机构", "Institutions"), &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, "eldercare-institutions.xlsx"))
}

/// The filing form, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct FilingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    legal_representative: String,
    #[serde(default)]
    premises: String,
    #[serde(default)]
    beds_total: String,
    #[serde(default)]
    beds_nursing: String,
    #[serde(default)]
    beds_day_care: String,
    #[serde(default)]
    beds_home: String,
    #[serde(default)]
    floor_area: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    pledge: Option<String>,
    #[serde(default)]
    first_admission: String,
    #[serde(default)]
    ownership: String,
    #[serde(default)]
    tekun_home: Option<String>,
    #[serde(default)]
    regional_centre: Option<String>,
}

pub(super) struct Choice {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "eldercare_filing.html")]
pub(super) struct FilingPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    form: FilingForm,
    ownerships: Vec<Choice>,
    error: Option<String>,
}

fn filing_page(who: &Authenticated, form: FilingForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = FilingPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        ownerships: Ownership::ALL
            .iter()
            .map(|o| Choice { code: o.as_str(), label: pick(lang, o.zh(), o.en()), selected: o.as_str() == form.ownership })
            .collect(),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /eldercare/institutions/new?region=`: the filing form, for the account's region or one
/// within it.
pub(super) async fn filing_form(who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    let region = region_of(&q)?.unwrap_or_else(|| who.principal.region.clone());
    if !who.principal.in_scope(&region) {
        return Err(minzheng_app::registry::AccessError::OutOfScope.into());
    }
    let form = FilingForm { region: region.to_string(), ownership: "private".into(), ..Default::default() };
    filing_page(&who, form, None)
}

/// A whole number typed in a form: blank is 0; anything else unreadable is refused.
fn number(text: &str) -> Option<i64> {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
}

pub(super) async fn form_file(State(s): State<AppState>, who: Authenticated, Form(f): Form<FilingForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let region = match crate::platform::api::parse_region(f.region.trim()) {
        Ok(r) => r,
        Err(e) => {
            let msg = if lang == Lang::En { e.en } else { e.zh };
            return filing_page(&who, f, Some(msg));
        }
    };
    let numbers = [&f.beds_total, &f.beds_nursing, &f.beds_day_care, &f.beds_home, &f.floor_area].map(|t| number(t));
    let [Some(total), Some(nursing), Some(day_care), Some(home), Some(floor_area)] = numbers else {
        let msg = pick(lang, "床位数和建筑面积应为整数", "beds and floor area are whole numbers").to_string();
        return filing_page(&who, f, Some(msg));
    };
    let first_admission = match f.first_admission.trim() {
        "" => None,
        d => match day_of(d) {
            Some(d) => Some(d),
            None => return filing_page(&who, f.clone(), Some(bad_date(lang, "收住第一位老年人的日期", "first admission", d))),
        },
    };
    let filing = Filing {
        name: f.name.trim().to_string(),
        region,
        address: f.address.trim().to_string(),
        legal_representative: f.legal_representative.trim().to_string(),
        premises: f.premises.trim().to_string(),
        beds: Beds { total, nursing, day_care, home },
        floor_area,
        contact: f.contact.trim().to_string(),
        registration: f.registration.trim().to_string(),
        pledge: f.pledge.is_some(),
        first_admission,
        ownership: Ownership::parse(&f.ownership).unwrap_or(Ownership::Private),
        tekun_home: f.tekun_home.is_some(),
        regional_centre: f.regional_centre.is_some(),
    };
    match service::file(s.store.as_ref(), &who.cx(s.clock.today()), filing).await {
        Ok(i) => Ok(Redirect::to(&format!("/eldercare/institutions/{}", i.id)).into_response()),
        Err(e) if e.is_input() => filing_page(&who, f, Some(both(lang, &e))),
        Err(e) => Err(e.into()),
    }
}

pub(super) struct InspectionRow {
    inspected_on: String,
    result: &'static str,
    findings: String,
    inspector: String,
    rectify_by: String,
}

pub(super) struct ResidentRow {
    id: i64,
    name: String,
    id_number: String,
    admitted_on: String,
    discharged_on: String,
    present: bool,
    concentrated: bool,
}

#[derive(Template)]
#[template(path = "eldercare_institution.html")]
pub(super) struct InstitutionPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    i: Institution,
    row: InstitutionRow,
    first_admission: String,
    closes_on: String,
    residents: Vec<ResidentRow>,
    present: usize,
    may_manage: bool,
    today: String,
    grades: Vec<(u8, bool)>,
    inspections: Vec<InspectionRow>,
    results: Vec<Choice>,
    /// The form as typed, when it comes back with a message.
    form: ManageForm,
    error: Option<String>,
}

async fn institution_page(
    s: &AppState,
    who: &Authenticated,
    id: i64,
    form: ManageForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let (i, residents, inspections) = service::institution(s.store.as_ref(), &who.principal, id, s.clock.today()).await?;
    let rows: Vec<ResidentRow> = residents
        .iter()
        .map(|r| ResidentRow {
            id: r.id,
            name: r.name.clone(),
            // (Masked by the use case for the roles that see numbers masked.)
            id_number: r.id_number.clone(),
            admitted_on: r.admitted_on.to_string(),
            discharged_on: r.discharged_on.map(|d| d.to_string()).unwrap_or_default(),
            present: r.discharged_on.is_none(),
            concentrated: r.concentrated,
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = InstitutionPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        row: institution_row(s, &i, lang),
        first_admission: i.filing.first_admission.map(|d| d.to_string()).unwrap_or_default(),
        closes_on: i.closes_on.map(|d| d.to_string()).unwrap_or_default(),
        present: rows.iter().filter(|r| r.present).count(),
        residents: rows,
        may_manage: who.principal.may(Permission::ManageInstitutions) && who.principal.in_scope(&i.filing.region),
        today: s.clock.today().to_string(),
        grades: (1..=5).map(|g| (g, i.grade == Some(g))).collect(),
        inspections: inspections
            .into_iter()
            .map(|x| InspectionRow {
                inspected_on: x.inspected_on.to_string(),
                result: pick(lang, x.result.zh(), x.result.en()),
                findings: x.findings,
                inspector: x.inspector,
                rectify_by: x.rectify_by.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
        results: InspectionResult::ALL
            .iter()
            .map(|r| Choice { code: r.as_str(), label: pick(lang, r.zh(), r.en()), selected: r.as_str() == form.result })
            .collect(),
        i,
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn institution(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    institution_page(&s, &who, id, ManageForm::default(), None).await
}

/// The forms of the institution page, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ManageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id_number: String,
    /// The form's date: admitted on, discharged on, inspected on or closing on (each form names
    /// its own field; `date` is what the one sent carried).
    #[serde(default)]
    date: String,
    #[serde(default)]
    admitted_on: String,
    #[serde(default)]
    discharged_on: String,
    #[serde(default)]
    inspected_on: String,
    #[serde(default)]
    closes_on: String,
    #[serde(default)]
    concentrated: Option<String>,
    #[serde(default)]
    residency: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    beds_total: String,
    #[serde(default)]
    beds_nursing: String,
    #[serde(default)]
    beds_day_care: String,
    #[serde(default)]
    beds_home: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    inspector: String,
    #[serde(default)]
    rectify_by: String,
}

/// What a form of the institution page does.
enum Step {
    Inspect,
    Admit,
    Discharge,
    Grade,
    Beds,
    Closure,
}

impl Step {
    /// The step a form's address names (`/eldercare/institutions/{id}/admit` ...).
    fn parse(action: &str) -> Option<Step> {
        Some(match action {
            "admit" => Step::Admit,
            "discharge" => Step::Discharge,
            "grade" => Step::Grade,
            "beds" => Step::Beds,
            "inspection" => Step::Inspect,
            "closure" => Step::Closure,
            _ => return None,
        })
    }
}

async fn manage(s: AppState, who: Authenticated, id: i64, mut f: ManageForm, step: Step) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let today = s.clock.today();
    f.date = match step {
        Step::Admit => f.admitted_on.clone(),
        Step::Discharge => f.discharged_on.clone(),
        Step::Inspect => f.inspected_on.clone(),
        Step::Closure => f.closes_on.clone(),
        Step::Grade | Step::Beds => String::new(),
    };
    let date = match f.date.trim() {
        "" => Ok(today),
        d => day_of(d).ok_or_else(|| bad_date(lang, "日期", "date", d)),
    };
    let date = match date {
        Ok(d) => d,
        Err(msg) => return institution_page(&s, &who, id, f, Some(msg)).await,
    };
    let store = s.store.as_ref();
    let (p, a) = (&who.principal, &who.actor);
    let refuse = |zh: &'static str, en: &'static str| pick(lang, zh, en).to_string();
    let done = match step {
        Step::Admit => {
            let admission = Admission { id_number: f.id_number.clone(), admitted_on: date, concentrated: f.concentrated.is_some() };
            service::admit(store, &RequestContext::new(p, a, today), id, admission).await.map(|_| ())
        }
        Step::Discharge => match f.residency.trim().parse() {
            Ok(r) => service::discharge(store, &RequestContext::new(p, a, today), id, r, date).await,
            Err(_) => {
                return institution_page(&s, &who, id, f, Some(refuse("请选择要办理离院的入住记录", "choose the residence to end"))).await
            }
        },
        Step::Grade => {
            let grade = match f.grade.trim() {
                "" | "0" => Ok(None),
                g => g.parse::<u8>().map(Some),
            };
            match grade {
                Ok(g) => service::grade(store, &RequestContext::new(p, a, today), id, g).await.map(|_| ()),
                Err(_) => return institution_page(&s, &who, id, f, Some(refuse("请选择等级", "choose a grade"))).await,
            }
        }
        Step::Beds => {
            let n = [&f.beds_total, &f.beds_nursing, &f.beds_day_care, &f.beds_home].map(|t| number(t));
            match n {
                [Some(total), Some(nursing), Some(day_care), Some(home)] => {
                    service::change_beds(store, &RequestContext::new(p, a, today), id, Beds { total, nursing, day_care, home })
                        .await
                        .map(|_| ())
                }
                _ => return institution_page(&s, &who, id, f, Some(refuse("床位数应为整数", "beds are whole numbers"))).await,
            }
        }
        Step::Inspect => {
            let Some(result) = InspectionResult::parse(&f.result) else {
                return institution_page(&s, &who, id, f, Some(refuse("请选择检查结果", "choose the result"))).await;
            };
            let rectify_by = match f.rectify_by.trim() {
                "" => None,
                d => match day_of(d) {
                    Some(d) => Some(d),
                    None => {
                        let msg = bad_date(lang, "整改期限", "date to put it right by", d);
                        return institution_page(&s, &who, id, f, Some(msg)).await;
                    }
                },
            };
            let inspection = Inspection {
                id: 0,
                institution_id: id,
                inspected_on: date,
                result,
                findings: f.findings.clone(),
                inspector: f.inspector.clone(),
                rectify_by,
            };
            service::inspect(store, &RequestContext::new(p, a, today), id, inspection).await.map(|_| ())
        }
        Step::Closure => {
            if f.date.trim().is_empty() {
                return institution_page(&s, &who, id, f, Some(refuse("请填写停业日期", "give the closing date"))).await;
            }
            service::announce_closure(store, &RequestContext::new(p, a, today), id, date, &f.plan).await.map(|_| ())
        }
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/eldercare/institutions/{id}")).into_response()),
        Err(e) if e.is_input() => institution_page(&s, &who, id, f, Some(both(lang, &e))).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /eldercare/institutions/{id}/{action}`: one of the institution page's forms (admit,
/// discharge, grade, beds, inspection, closure); another action is not found.
pub(super) async fn form_step(
    State(s): State<AppState>,
    who: Authenticated,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ManageForm>,
) -> Result<Response, AppError> {
    let step = Step::parse(&action).ok_or(minzheng_app::registry::AccessError::NotFound)?;
    manage(s, who, id, f, step).await
}

mod assessments;
pub(in crate::eldercare) use assessments::*;

mod api;
pub(in crate::eldercare) use api::*;
