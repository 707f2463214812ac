//! 家庭经济状况核对 over HTTP: the check form on a household (authorisation and date), the
//! report page (printable) and its PDF, and the JSON API.

use crate::auth::Authenticated;
use crate::pages::{render, UserBar};
use crate::platform::list::{Column, Listing, PageParams, Pager};
use crate::policy::parse_date;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minzheng_app::economic_check::{self as use_case, figure_text, source_zh};
use minzheng_domain::verification::{Authorisation, VerificationReport};
use minzheng_domain::{Fen, IdNumber, Permission, PersonStatus};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    let listed = |path: &'static str, methods: &[&str]| crate::module::listed(super::ROUTES, path, methods);
    Router::new()
        .route(listed("/api/households/{no}/verifications", &["POST"]), post(api_check))
        .route(listed("/api/verifications/{id}", &["GET"]), get(api_report))
        .route(listed("/households/{no}/verification", &["GET", "POST"]), get(form_page).post(form_check))
        .route(listed("/verifications", &["GET"]), get(list_page))
        .route(listed("/verifications/export.xlsx", &["GET"]), get(export_list))
        .route(listed("/verifications/{id}", &["GET"]), get(report_page))
        .route(listed("/verifications/{id}/report.pdf", &["GET"]), get(report_pdf))
}

fn bad_id(text: &str) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "bad_id_number",
        format!("签署人身份证号“{text}”有误"),
        format!("signatory ID number {text:?} is not valid"),
    )
}

#[derive(Deserialize)]
struct CheckRequest {
    /// 授权书编号
    reference: String,
    signed_on: String,
    /// ID numbers of the members who signed.
    signed_by: Vec<String>,
    /// 核对基准日 (default today).
    on: Option<String>,
}

async fn api_check(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(no): Path<String>,
    Json(r): Json<CheckRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let signed_by = r.signed_by.iter().map(|t| IdNumber::parse(t).map_err(|_| bad_id(t))).collect::<Result<Vec<_>, _>>()?;
    let authorisation = Authorisation { reference: r.reference, signed_on: parse_date(Some(&r.signed_on), s.clock.today())?, signed_by };
    let on = parse_date(r.on.as_deref(), s.clock.today())?;
    let r = use_case::check_household(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &no, authorisation, on).await?;
    Ok(Json(use_case::report_json(&r, who.principal.role)))
}

async fn api_report(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<serde_json::Value>, AppError> {
    let r = use_case::report(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    Ok(Json(use_case::report_json(&r, who.principal.role)))
}

struct MemberRow {
    id: String,
    name: String,
    relation: String,
    adult: bool,
}

struct PastRow {
    id: i64,
    on: String,
    by: String,
}

#[derive(Template)]
#[template(path = "verification_form.html")]
struct FormPage {
    t: &'static crate::i18n::Text,
    user: Option<UserBar>,
    csrf: String,
    household_no: String,
    members: Vec<MemberRow>,
    today: String,
    past: Vec<PastRow>,
}

async fn form_page(State(s): State<AppState>, who: Authenticated, Path(no): Path<String>) -> Result<Response, AppError> {
    if !who.principal.may(Permission::VerifyHouseholds) {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    // The household through the registry's use case: scope checked, the read audited.
    let (_, members) = minzheng_app::registry::household(s.store.as_ref(), &who.cx(s.clock.today()), &no).await?;
    let today = s.clock.today();
    let members = members
        .iter()
        .filter(|m| m.status == PersonStatus::Alive)
        .map(|m| MemberRow {
            id: m.id_number.clone(),
            name: m.name.clone(),
            relation: m.relation.zh().to_string(),
            adult: minzheng_domain::id::age_on(m.birth_date, today) >= 18,
        })
        .collect();
    let past = minzheng_app::economic_check::checks_of(s.store.as_ref(), &who.principal, &no)
        .await?
        .iter()
        .map(|r| PastRow { id: r.id, on: r.on.to_string(), by: crate::pages::person(&s, &r.made_by) })
        .collect();
    let page = FormPage {
        t: who.lang.text(),
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        household_no: no,
        members,
        today: today.to_string(),
        past,
    };
    Ok(render(&page)?.into_response())
}

async fn form_check(State(s): State<AppState>, who: Authenticated, Path(no): Path<String>, body: String) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "bad_form", "表单无法读取", "the form cannot be read"))?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    who.require_csrf(&s, get("csrf").as_deref()).await?;
    let signed_by = fields
        .iter()
        .filter(|(n, _)| n == "signed")
        .map(|(_, v)| IdNumber::parse(v).map_err(|_| bad_id(v)))
        .collect::<Result<Vec<_>, _>>()?;
    let authorisation = Authorisation {
        reference: get("reference").unwrap_or_default(),
        signed_on: parse_date(get("signed_on").as_deref(), s.clock.today())?,
        signed_by,
    };
    let on = parse_date(get("on").as_deref(), s.clock.today())?;
    let r = use_case::check_household(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &no, authorisation, on).await?;
    Ok(Redirect::to(&format!("/verifications/{}", r.id)).into_response())
}

struct ItemRow {
    member: String,
    source: String,
    content: String,
    batch: String,
}

struct FigureRow {
    name: String,
    value: String,
    source: String,
}

struct ProgramRow {
    name: String,
    eligible: bool,
    amount: String,
    unmet: String,
}

#[derive(Template)]
#[template(path = "verification.html")]
struct ReportPage {
    t: &'static crate::i18n::Text,
    user: Option<UserBar>,
    id: i64,
    household_no: String,
    community: String,
    on: String,
    reference: String,
    signed: String,
    made: String,
    members: Vec<(String, String, String)>,
    items: Vec<ItemRow>,
    empty: String,
    figures: Vec<FigureRow>,
    programs: Vec<ProgramRow>,
}

async fn community_name(s: &AppState, r: &VerificationReport) -> String {
    s.store.region(&r.community).await.ok().flatten().map(|x| x.name).unwrap_or_default()
}

async fn report_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let r = use_case::report(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let unmask = who.principal.role.sees_full_identity();
    let page = ReportPage {
        t: who.lang.text(),
        user: Some(UserBar::of(&who)),
        id: r.id,
        household_no: r.household_no.clone(),
        community: format!("{} {}", r.community, community_name(&s, &r).await),
        on: r.on.to_string(),
        reference: r.authorisation.reference.clone(),
        signed: format!("{}（{} 人）", r.authorisation.signed_on, r.authorisation.signed_by.len()),
        made: format!("{}，{}", crate::pages::person(&s, &r.made_by), minzheng_domain::calendar::beijing_minutes(r.made_at)),
        members: r.members.iter().map(|(n, id, rel)| (n.clone(), if unmask { id.to_string() } else { id.masked() }, rel.clone())).collect(),
        items: r
            .items
            .iter()
            .map(|i| ItemRow {
                member: i.member.clone(),
                source: source_zh(&i.source).to_string(),
                content: i
                    .fields
                    .iter()
                    .filter(|(k, _)| k != "身份证号" && k != "姓名")
                    .map(|(k, v)| format!("{k}：{v}"))
                    .collect::<Vec<_>>()
                    .join("；"),
                batch: format!("{}（{}）第{}行 · {} · #{}", i.file_name, i.as_of, i.row_no, i.link, &i.batch[..i.batch.len().min(8)]),
            })
            .collect(),
        empty: r.empty_sources.iter().map(|x| source_zh(x)).collect::<Vec<_>>().join("、"),
        figures: r.figures.iter().map(|f| FigureRow { name: f.zh.clone(), value: figure_text(f), source: f.source.clone() }).collect(),
        programs: r
            .programs
            .iter()
            .map(|p| ProgramRow { name: p.zh.clone(), eligible: p.eligible, amount: Fen(p.amount).to_string(), unmet: p.unmet.join("；") })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

async fn report_pdf(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let r = use_case::report(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let name = community_name(&s, &r).await;
    // The report names the officer as a person, not by login.
    let r = VerificationReport { made_by: crate::pages::person(&s, &r.made_by), ..r };
    let pdf = use_case::report_pdf(&r, &name, who.principal.role.sees_full_identity());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"HC-{:06}.pdf\"", r.id)),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Deserialize)]
struct ListParams {
    region: Option<String>,
}

struct ListRow {
    id: i64,
    household_no: String,
    community: String,
    on: String,
    conclusion: String,
    made: String,
}

#[derive(Template)]
#[template(path = "verifications.html")]
struct ListPage {
    t: &'static crate::i18n::Text,
    zh: bool,
    user: Option<UserBar>,
    region: String,
    region_name: String,
    rows: Vec<ListRow>,
    columns: Vec<Column>,
    pager: Pager,
    /// The filters as a query string (the export's link).
    filters: String,
    can_export: bool,
}

/// The check-report list's columns, sortable ones by the store's keys (the export's headers are
/// the first six).
fn list_columns(zh: bool) -> [(&'static str, &'static str); 7] {
    let label = |z: &'static str, e: &'static str| if zh { z } else { e };
    [
        ("", label("报告编号", "Report")),
        ("household", label("户编号", "Household")),
        ("community", label("社区", "Community")),
        ("on", label("核对基准日", "As of")),
        ("", label("核算结论", "What the rules give")),
        ("made", label("核对人、时间", "Made by, at")),
        ("", "PDF"),
    ]
}

/// The list's region: typed as a code or a name, else the account's own.
fn list_region(s: &AppState, who: &Authenticated, p: &ListParams) -> Result<minzheng_domain::RegionCode, AppError> {
    match p.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Ok(crate::platform::api::region_named(s, &who.principal, r)?),
        None => Ok(who.principal.region.clone()),
    }
}

/// One report as a row of the list (and of its export): what the rules concluded, who made it.
fn list_row(s: &AppState, who: &Authenticated, r: &VerificationReport) -> ListRow {
    let zh = who.lang == crate::i18n::Lang::Zh;
    let eligible: Vec<String> = r
        .programs
        .iter()
        .filter(|p| p.eligible)
        .map(|p| format!("{} {} {}", crate::pages::program_name(s, &p.code, who.lang), Fen(p.amount), if zh { "元" } else { "yuan" }))
        .collect();
    ListRow {
        id: r.id,
        household_no: r.household_no.clone(),
        community: crate::pages::region_name(s, &r.community),
        on: r.on.to_string(),
        conclusion: if eligible.is_empty() {
            if zh {
                "均不符合".into()
            } else {
                "eligible for none".into()
            }
        } else {
            eligible.join(if zh { "；" } else { "; " })
        },
        made: format!("{}，{}", crate::pages::person(s, &r.made_by), minzheng_domain::calendar::beijing_minutes(r.made_at)),
    }
}

/// 核对报告列表: the check reports of the region, newest first or in a column's order, each with
/// what the rules concluded, who made it and when; numbered pages.
async fn list_page(
    State(s): State<AppState>,
    who: Authenticated,
    axum::extract::Query(p): axum::extract::Query<ListParams>,
    axum::extract::Query(pp): axum::extract::Query<PageParams>,
) -> Result<Response, AppError> {
    let region = list_region(&s, &who, &p)?;
    let zh = who.lang == crate::i18n::Lang::Zh;
    let cols = list_columns(zh);
    let listing = Listing::of(&pp, &cols);
    let page =
        use_case::reports_in(s.store.as_ref(), &who.cx(s.clock.today()), Some(&region), None, listing.size, &listing.paging()).await?;
    let total = use_case::count_reports_in(s.store.as_ref(), &who.principal, Some(&region)).await?;
    let filters = crate::platform::list::filters(&[("region", Some(region.as_str()))]);
    let columns = listing.columns("/verifications", &filters, &cols);
    let list = ListPage {
        t: who.lang.text(),
        zh,
        user: Some(UserBar::of(&who)),
        region_name: crate::pages::region_label(&s, &region, who.lang),
        region: region.to_string(),
        rows: page.items.iter().map(|r| list_row(&s, &who, r)).collect(),
        pager: listing.pager("/verifications", &filters, total, who.lang),
        columns,
        filters,
        can_export: who.principal.may(Permission::ExportRegistry),
    };
    Ok(render(&list)?.into_response())
}

/// 导出Excel: the region's check reports as the list shows them, newest first, up to
/// `sheet::MAX_ROWS`; the reads and the export are audited.
async fn export_list(
    State(s): State<AppState>,
    who: Authenticated,
    axum::extract::Query(p): axum::extract::Query<ListParams>,
) -> Result<Response, AppError> {
    let region = list_region(&s, &who, &p)?;
    let zh = who.lang == crate::i18n::Lang::Zh;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut before = None;
    loop {
        let page = use_case::reports_in(
            s.store.as_ref(),
            &who.cx(s.clock.today()),
            Some(&region),
            before,
            1000,
            &minzheng_store::Paging::default(),
        )
        .await?;
        rows.extend(page.items.iter().map(|r| {
            let r = list_row(&s, &who, r);
            vec![format!("HC-{}", r.id), r.household_no, r.community, r.on, r.conclusion, r.made]
        }));
        match page.next.and_then(|n| n.parse().ok()) {
            Some(n) if rows.len() < crate::platform::sheet::MAX_ROWS => before = Some(n),
            _ => break,
        }
    }
    rows.truncate(crate::platform::sheet::MAX_ROWS);
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.first().and_then(|id| id.trim_start_matches("HC-").parse().ok())).collect();
    let filters = serde_json::json!({ "region": region.to_string() });
    minzheng_app::export::record_list_export(s.store.as_ref(), &who.cx(s.clock.today()), "household_check", filters, &ids).await?;
    let headers: Vec<&str> = list_columns(zh)[..6].iter().map(|(_, label)| *label).collect();
    let bytes = crate::platform::sheet::workbook(if zh { "核对报告" } else { "Check reports" }, &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, "check-reports.xlsx"))
}
