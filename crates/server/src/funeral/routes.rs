//! 殡葬's JSON API and pages. Handlers parse, call the use cases (`service.rs`) and render; a
//! refused form comes back as its page with what was typed and the message beside it.

use super::model::{groups, percent, Ashes, Cause, Certifier, CremationReport, DeathPlace, DeathRecord, DeathReport};
use super::service::{self, DeathRecorded, Figures, FuneralFailure};
use super::store::CremationRecord;
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{region_label, render, UserBar};
use crate::platform::pages::{bad_date, both, choices, day_of, pick, yuan, Choice};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_domain::{Bilingual, IdNumber, Permission, RegionCode};
use serde::Deserialize;

impl From<FuneralFailure> for AppError {
    fn from(e: FuneralFailure) -> AppError {
        match e {
            FuneralFailure::Access(a) => a.into(),
            FuneralFailure::Store(s) => s.into(),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
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

// ---- API ----

pub(super) async fn api_figures(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<FiguresParam>,
) -> Result<Json<Vec<Figures>>, AppError> {
    let year = year_of(&s, &q)?;
    Ok(Json(service::figures(s.store.as_ref(), &who.principal, region_of(&q)?.as_ref(), year).await?))
}

/// `POST /api/funeral/deaths` (needs `x-csrf-token`): a death with its certificate; 201 with
/// what it set going.
pub(super) async fn api_record_death(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<DeathReport>,
) -> Result<(StatusCode, Json<DeathRecorded>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let d = service::record_death(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), r).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[derive(serde::Serialize)]
pub(super) struct DeathWithCremation {
    #[serde(flatten)]
    death: DeathRecord,
    cremation: Option<CremationRecord>,
}

pub(super) async fn api_death(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<DeathWithCremation>, AppError> {
    let (death, cremation, _) = service::death(s.store.as_ref(), &who.principal, id).await?;
    Ok(Json(DeathWithCremation { death, cremation }))
}

/// `POST /api/funeral/deaths/{id}/cremation` (needs `x-csrf-token`): the cremation; 201 with
/// its certificate number and relief.
pub(super) async fn api_record_cremation(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(c): Json<CremationReport>,
) -> Result<(StatusCode, Json<CremationRecord>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let c = service::record_cremation(s.store.as_ref(), &who.cx(s.clock.today()), id, c).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

// ---- pages ----

pub(super) struct FigureRow {
    county: String,
    deaths: u64,
    cremations: u64,
    rate: String,
    eco: u64,
    eco_share: String,
    relieved: u64,
    relief: String,
    reward: String,
    total: bool,
}

pub(super) struct UncrematedRow {
    name: String,
    community: String,
    died_on: String,
    days: i64,
    /// Where to go on: the death recorded (its page, to record the cremation), or the death
    /// form for the person.
    href: Option<String>,
    recorded: bool,
}

pub(super) struct DeathRow {
    id: i64,
    name: String,
    community: String,
    died_on: String,
    certifier: &'static str,
    cremation: Option<String>,
}

#[derive(Template)]
#[template(path = "funeral.html")]
pub(super) struct OverviewPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    year: i32,
    /// The region asked for (empty: the account's).
    region: String,
    figures: Vec<FigureRow>,
    uncremated: Vec<UncrematedRow>,
    uncremated_count: u64,
    deaths: Vec<DeathRow>,
    may_record: bool,
    csrf: String,
}

fn figure_rows(s: &AppState, figures: &[Figures], here: &RegionCode, lang: Lang) -> Vec<FigureRow> {
    figures
        .iter()
        .map(|f| {
            let total = f.counts.county == here.as_str() && figures.len() > 1;
            let county = match RegionCode::parse(&f.counts.county) {
                Ok(c) if total => format!("{}{}", region_label(s, &c, lang), pick(lang, "（合计）", " (total)")),
                Ok(c) => region_label(s, &c, lang),
                Err(_) => f.counts.county.clone(),
            };
            FigureRow {
                county,
                deaths: f.counts.deaths,
                cremations: f.counts.cremations,
                rate: percent(f.cremation_rate),
                eco: f.counts.eco,
                eco_share: percent(f.eco_share),
                relieved: f.counts.relieved,
                relief: yuan(f.counts.relief_fen),
                reward: yuan(f.counts.reward_fen),
                total,
            }
        })
        .collect()
}

fn community_label(s: &AppState, code: &str, lang: Lang) -> String {
    RegionCode::parse(code).map(|c| region_label(s, &c, lang)).unwrap_or_else(|_| code.to_string())
}

pub(super) async fn overview(State(s): State<AppState>, who: Authenticated, Query(q): Query<FiguresParam>) -> Result<Response, AppError> {
    let lang = who.lang;
    let year = year_of(&s, &q)?;
    let region = region_of(&q)?;
    let today = s.clock.today();
    let figures = service::figures(s.store.as_ref(), &who.principal, region.as_ref(), year).await?;
    let here = region.clone().unwrap_or_else(|| who.principal.region.clone());
    let (uncremated, uncremated_count) = service::uncremated(s.store.as_ref(), &who.principal, region.as_ref(), today, 50).await?;
    let deaths = service::recent_deaths(s.store.as_ref(), &who.principal, region.as_ref(), 30).await?;
    let may_death = who.principal.may(Permission::RecordDeath);
    let page = OverviewPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        year,
        region: region.as_ref().map(ToString::to_string).unwrap_or_default(),
        figures: figure_rows(&s, &figures, &here, lang),
        uncremated: uncremated
            .iter()
            .map(|u| UncrematedRow {
                name: u.name.clone(),
                community: community_label(&s, &u.community, lang),
                died_on: u.died_on.to_string(),
                days: (today - u.died_on).num_days(),
                href: match u.death_id {
                    Some(id) => Some(format!("/funeral/deaths/{id}")),
                    None if may_death => Some(format!("/funeral/deaths/new?person={}", u.id_number)),
                    None => None,
                },
                recorded: u.death_id.is_some(),
            })
            .collect(),
        uncremated_count,
        deaths: deaths
            .iter()
            .map(|(d, c)| DeathRow {
                id: d.id,
                name: d.name.clone(),
                community: community_label(&s, &d.community, lang),
                died_on: d.died_on.to_string(),
                certifier: pick(lang, d.certifier.zh(), d.certifier.en()),
                cremation: c.clone(),
            })
            .collect(),
        may_record: may_death,
        csrf: who.session.csrf_token.clone(),
    };
    Ok(render(&page)?.into_response())
}

/// `GET /funeral/figures.xlsx?year=&region=`: the counties' figures as a workbook (no personal
/// data), its export audited.
pub(super) async fn figures_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<FiguresParam>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let year = year_of(&s, &q)?;
    let region = region_of(&q)?;
    let figures = service::figures(s.store.as_ref(), &who.principal, region.as_ref(), year).await?;
    let filters = serde_json::json!({ "region": region.as_ref().map(ToString::to_string), "year": year });
    minzheng_app::export::record_export(s.store.as_ref(), &who.cx(s.clock.today()), "funeral_figures", filters, &[]).await?;
    let here = region.unwrap_or_else(|| who.principal.region.clone());
    let headers = [
        pick(lang, "区县", "County"),
        pick(lang, "死亡人数", "Deaths"),
        pick(lang, "火化数", "Cremations"),
        pick(lang, "火化率", "Cremation rate"),
        pick(lang, "节地生态安葬", "Eco burials"),
        pick(lang, "节地生态安葬率", "Eco-burial share"),
        pick(lang, "惠民殡葬减免（例）", "Relieved (cases)"),
        pick(lang, "减免金额（元）", "Relief (yuan)"),
        pick(lang, "生态安葬奖补（元）", "Eco-burial rewards (yuan)"),
    ];
    let rows: Vec<Vec<String>> = figure_rows(&s, &figures, &here, lang)
        .into_iter()
        .map(|r| {
            vec![
                r.county,
                r.deaths.to_string(),
                r.cremations.to_string(),
                r.rate,
                r.eco.to_string(),
                r.eco_share,
                r.relieved.to_string(),
                r.relief,
                r.reward,
            ]
        })
        .collect();
    let bytes = crate::platform::sheet::workbook(pick(lang, "殡葬服务统计", "Funeral figures"), &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, &format!("funeral-{year}.xlsx")))
}

/// The death form, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct DeathForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    died_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    certifier: String,
    #[serde(default)]
    certifier_org: String,
    #[serde(default)]
    certificate_no: String,
}

#[derive(Template)]
#[template(path = "funeral_death_form.html")]
pub(super) struct DeathFormPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    form: DeathForm,
    places: Vec<Choice>,
    causes: Vec<Choice>,
    certifiers: Vec<Choice>,
    error: Option<String>,
}

fn death_form_page(who: &Authenticated, form: DeathForm, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DeathFormPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        places: choices(DeathPlace::ALL, DeathPlace::as_str, |x| pick(lang, x.zh(), x.en()), &form.place),
        causes: choices(Cause::ALL, Cause::as_str, |x| pick(lang, x.zh(), x.en()), &form.cause),
        certifiers: choices(Certifier::ALL, Certifier::as_str, |x| pick(lang, x.zh(), x.en()), &form.certifier),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct PersonParam {
    person: Option<String>,
}

/// `GET /funeral/deaths/new?person=`: the death form, for a person of the account's region
/// when named.
pub(super) async fn death_form(State(s): State<AppState>, who: Authenticated, Query(q): Query<PersonParam>) -> Result<Response, AppError> {
    if let Some(id) = q.person.as_deref().and_then(|p| IdNumber::parse(p.trim()).ok()) {
        if let Some((_, Some(community))) = s.store.person_placed(&id).await? {
            if !who.principal.in_scope(&community) {
                return Err(minzheng_app::registry::AccessError::OutOfScope.into());
            }
        }
    }
    let form = DeathForm {
        id_number: q.person.unwrap_or_default(),
        place: "home".into(),
        cause: "disease".into(),
        certifier: "community_health".into(),
        ..Default::default()
    };
    death_form_page(&who, form, None)
}

pub(super) async fn form_record_death(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<DeathForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let Some(died_on) = day_of(&f.died_on) else {
        let msg = bad_date(lang, "死亡日期", "date of death", &f.died_on);
        return death_form_page(&who, f, Some(msg));
    };
    let (Some(place), Some(cause), Some(certifier)) = (DeathPlace::parse(&f.place), Cause::parse(&f.cause), Certifier::parse(&f.certifier))
    else {
        let msg = pick(lang, "请选择死亡地点、死亡原因类别和签发单位", "choose the place, the cause and the certifier").to_string();
        return death_form_page(&who, f, Some(msg));
    };
    let report = DeathReport {
        id_number: f.id_number.trim().to_string(),
        died_on,
        place,
        cause,
        certifier,
        certifier_org: f.certifier_org.clone(),
        certificate_no: f.certificate_no.clone(),
    };
    match service::record_death(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), report).await {
        // What the death could not set going is said on its page (the records finish it later).
        Ok(d) if d.effects_failed.is_some() => Ok(Redirect::to(&format!("/funeral/deaths/{}?effects=failed", d.death.id)).into_response()),
        Ok(d) => Ok(Redirect::to(&format!("/funeral/deaths/{}", d.death.id)).into_response()),
        Err(e) if e.is_input() => death_form_page(&who, f, Some(both(lang, &e))),
        Err(e) => Err(e.into()),
    }
}

/// The cremation form, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct CremationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    funeral_home: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    transport_km: String,
    #[serde(default)]
    cremated_on: String,
    #[serde(default)]
    coffin: Option<String>,
    #[serde(default)]
    urn: Option<String>,
    #[serde(default)]
    ashes: String,
    #[serde(default)]
    storage_years: String,
    /// The declared groups' codes, space- or comma-separated (one checkbox each on the page).
    #[serde(default)]
    hero: Option<String>,
    #[serde(default)]
    donor: Option<String>,
    #[serde(default)]
    declared_proof: String,
}

pub(super) struct BenefitRow {
    program: String,
    status: String,
}

pub(super) struct ReliefRow {
    service: &'static str,
    used: String,
    amount: String,
}

pub(super) struct DeclaredBox {
    code: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "funeral_death.html")]
pub(super) struct DeathPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    d: DeathRecord,
    community: String,
    place: &'static str,
    cause: &'static str,
    certifier: &'static str,
    household_no: Option<String>,
    benefits: Vec<BenefitRow>,
    cremation: Option<CremationRecord>,
    ashes_label: &'static str,
    groups: String,
    relief: Vec<ReliefRow>,
    relief_total: String,
    reward: String,
    may_cremate: bool,
    form: CremationForm,
    ashes: Vec<Choice>,
    declared: Vec<DeclaredBox>,
    error: Option<String>,
    /// What the death could not set going (the records finish it later).
    warning: Option<String>,
}

async fn death_page(
    s: &AppState,
    who: &Authenticated,
    id: i64,
    form: Option<CremationForm>,
    error: Option<String>,
    warning: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let (d, cremation, idn) = service::death(s.store.as_ref(), &who.principal, id).await?;
    // The programs paid in the month of death and where each stands now: stopped from a month,
    // the member taken off by the household's change case, or still paid (to be checked).
    let household_no = s.store.person(&idn).await?.and_then(|p| p.household_no);
    let now = s.store.enrolments_of(&[idn]).await?;
    let benefits = d
        .programs
        .iter()
        .map(|program| {
            let member = now
                .iter()
                .filter(|e| &e.program == program)
                .find_map(|e| e.members.iter().find(|m| m.id_number == idn).map(|m| m.end.or(e.end)));
            let status = match (member, lang) {
                (Some(Some(end)), Lang::Zh) => format!("自{}起停发", end.format("%Y年%-m月")),
                (Some(Some(end)), Lang::En) => format!("not paid from {}", end.format("%Y-%m")),
                (None, Lang::Zh) => "已由家庭变更核减，不再发放".into(),
                (None, Lang::En) => "taken off by the household's change, no longer paid".into(),
                (Some(None), Lang::Zh) => "仍在发放：请核查".into(),
                (Some(None), Lang::En) => "still paid: to be checked".into(),
            };
            BenefitRow { program: crate::platform::pages::program_name(s, program, lang), status }
        })
        .collect();
    let group_names = |codes: &[String]| {
        codes
            .iter()
            .map(|c| {
                groups().iter().find(|g| &g.code == c).map_or(c.clone(), |g| if lang == Lang::Zh { g.zh.clone() } else { g.en.clone() })
            })
            .collect::<Vec<_>>()
            .join(pick(lang, "、", ", "))
    };
    let (groups_text, relief, relief_total, reward, ashes_label) = match &cremation {
        Some(c) => (
            if c.relief.groups.is_empty() && c.relief.universal {
                pick(lang, "全体居民（普惠）", "every resident (universal)").to_string()
            } else {
                group_names(&c.relief.groups)
            },
            c.relief
                .lines
                .iter()
                .map(|l| ReliefRow {
                    service: pick(lang, l.service.zh(), l.service.en()),
                    used: if l.used == l.covered { l.used.to_string() } else { format!("{} / {}", l.covered, l.used) },
                    amount: yuan(l.fen),
                })
                .collect(),
            yuan(c.relief.funeral_home_fen),
            yuan(c.relief.family_fen),
            pick(lang, c.report.ashes.zh(), c.report.ashes.en()),
        ),
        None => (String::new(), Vec::new(), String::new(), String::new(), ""),
    };
    let form = form.unwrap_or_else(|| CremationForm {
        received_on: d.died_on.to_string(),
        cremated_on: d.died_on.succ_opt().unwrap_or(d.died_on).to_string(),
        transport_km: "0".into(),
        storage_years: "0".into(),
        ashes: "cemetery".into(),
        ..Default::default()
    });
    let declared = groups()
        .iter()
        .filter(|g| g.declared)
        .map(|g| DeclaredBox {
            code: g.code.clone(),
            label: if lang == Lang::Zh { g.zh.clone() } else { g.en.clone() },
            checked: match g.code.as_str() {
                "hero" => form.hero.is_some(),
                "donor" => form.donor.is_some(),
                _ => false,
            },
        })
        .collect();
    let page = DeathPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        community: community_label(s, &d.community, lang),
        place: pick(lang, d.place.zh(), d.place.en()),
        cause: pick(lang, d.cause.zh(), d.cause.en()),
        certifier: pick(lang, d.certifier.zh(), d.certifier.en()),
        household_no: household_no.filter(|_| who.principal.may(Permission::ReadRegistry)),
        benefits,
        ashes_label,
        groups: groups_text,
        relief,
        relief_total,
        reward,
        may_cremate: who.principal.may(Permission::RecordCremation),
        ashes: choices(Ashes::ALL, Ashes::as_str, |x| pick(lang, x.zh(), x.en()), &form.ashes),
        declared,
        form,
        error: error.clone(),
        warning,
        cremation,
        d,
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct DeathParam {
    effects: Option<String>,
}

pub(super) async fn death_view(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<DeathParam>,
) -> Result<Response, AppError> {
    let warning = (q.effects.as_deref() == Some("failed")).then(|| {
        pick(
            who.lang,
            "死亡已登记，但停发补贴或发起家庭变更办件未能全部完成：系统将在下次人口导入时按记录补做，请稍后查看本页",
            "the death is recorded, but stopping the benefits or opening the household's change case did not all go through: the next registry import finishes it from the records; look at this page again later",
        )
        .to_string()
    });
    death_page(&s, &who, id, None, None, warning).await
}

/// A whole number typed in a form: blank is 0; anything else unreadable is refused.
fn number(text: &str) -> Option<u32> {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
}

pub(super) async fn form_record_cremation(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<CremationForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let (Some(received_on), Some(cremated_on)) = (day_of(&f.received_on), day_of(&f.cremated_on)) else {
        let bad = if day_of(&f.received_on).is_none() { &f.received_on } else { &f.cremated_on };
        let msg = bad_date(lang, "日期", "date", bad);
        return death_page(&s, &who, id, Some(f.clone()), Some(msg), None).await;
    };
    let (Some(transport_km), Some(storage_years)) = (number(&f.transport_km), number(&f.storage_years)) else {
        let msg = pick(lang, "接运里程和寄存年限应为整数", "transport distance and storage years are whole numbers").to_string();
        return death_page(&s, &who, id, Some(f.clone()), Some(msg), None).await;
    };
    let Some(ashes) = Ashes::parse(&f.ashes) else {
        let msg = pick(lang, "请选择骨灰去向", "choose where the ashes go").to_string();
        return death_page(&s, &who, id, Some(f.clone()), Some(msg), None).await;
    };
    let mut declared = Vec::new();
    if f.hero.is_some() {
        declared.push("hero".to_string());
    }
    if f.donor.is_some() {
        declared.push("donor".to_string());
    }
    let report = CremationReport {
        funeral_home: f.funeral_home.clone(),
        received_on,
        transport_km,
        cremated_on,
        coffin: f.coffin.is_some(),
        urn: f.urn.is_some(),
        ashes,
        storage_years,
        declared,
        declared_proof: f.declared_proof.clone(),
    };
    match service::record_cremation(s.store.as_ref(), &who.cx(s.clock.today()), id, report).await {
        Ok(_) => Ok(Redirect::to(&format!("/funeral/deaths/{id}#cremation")).into_response()),
        Err(e) if e.is_input() => death_page(&s, &who, id, Some(f), Some(both(lang, &e)), None).await,
        Err(e) => Err(e.into()),
    }
}

/// The columns of a funeral home's cremation list, as headed.
const LIST_COLUMNS: [&str; 4] = ["身份证号", "姓名", "火化日期", "殡仪馆"];

#[derive(Template)]
#[template(path = "funeral_check.html")]
pub(super) struct CheckPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    file: String,
    check: service::CremationListCheck,
    may_death: bool,
    error: Option<String>,
}

/// `POST /funeral/check` (multipart: csrf, file): a funeral home's cremation list (身份证号, 姓名,
/// 火化日期, 殡仪馆; Excel or CSV) checked against the registry and the cremations recorded:
/// cremated persons still alive in the registry, deaths with no cremation recorded.
pub(super) async fn form_check(
    State(s): State<AppState>,
    who: Authenticated,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut file) = (None, None);
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
            Some("file") => {
                let name = field.file_name().unwrap_or("list.xlsx").to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    who.require_csrf(&s, csrf.as_deref()).await?;
    let lang = who.lang;
    let page = |file: String, check: service::CremationListCheck, error: Option<String>| -> Result<Response, AppError> {
        let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
        let p = CheckPage {
            t: lang.text(),
            zh: lang == Lang::Zh,
            user: Some(UserBar::of(&who)),
            file,
            check,
            may_death: who.principal.may(Permission::RecordDeath),
            error,
        };
        Ok((status, render(&p)?).into_response())
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let msg =
            pick(lang, "请选择殡仪馆的火化名单（Excel 或 CSV）", "choose the funeral home's cremation list (Excel or CSV)").to_string();
        return page(String::new(), Default::default(), Some(msg));
    };
    let sheet = match minzheng_app::sheet::read_bytes(&name, bytes.to_vec(), |h| LIST_COLUMNS.contains(&h)) {
        Ok(sheet) => sheet,
        Err(e) => return page(name, Default::default(), Some(both(lang, &e))),
    };
    let col = |c: &str| sheet.headers.iter().position(|h| h == c);
    let (Some(id), Some(cremated)) = (col("身份证号"), col("火化日期")) else {
        let msg = pick(lang, "表头应有“身份证号”和“火化日期”", "the header needs 身份证号 and 火化日期").to_string();
        return page(name, Default::default(), Some(msg));
    };
    let (named, home) = (col("姓名"), col("殡仪馆"));
    let text = |r: &minzheng_app::sheet::Row, i: Option<usize>| i.and_then(|i| r.cells.get(i)).map(|c| c.text()).unwrap_or_default();
    let rows: Vec<_> = sheet
        .rows
        .iter()
        .map(|r| {
            let date = match r.cells.get(cremated) {
                Some(minzheng_app::sheet::Cell::Date(d)) => Some(*d),
                Some(c) => day_of(&c.text()),
                None => None,
            };
            (r.number, text(r, Some(id)), text(r, named), date, text(r, home))
        })
        .collect();
    let check = service::check_cremation_list(s.store.as_ref(), &who.principal, &rows).await?;
    page(name, check, None)
}
