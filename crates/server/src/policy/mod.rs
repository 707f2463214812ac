//! 社会救助 · 资格核算: the policy engine over HTTP. JSON API (check, sweep, what-if, parameters)
//! and the pages: a household's check with its explanation, the policy desk (parameters in
//! force, sweeps, what-if), and a run's results with charts.

use crate::auth::Authenticated;
use crate::i18n::Lang;
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use minzheng_app::policy::{self as use_case, PolicyFailure, SummaryRow, SweepReport, WhatIfReport, WhatIfRow};
use minzheng_domain::{Bilingual, Fen, RegionCode};
use minzheng_policy::explain::Check;
use minzheng_policy::{Area, Change, ParameterRecord};
use minzheng_store::PolicyRun;
use serde::{Deserialize, Serialize};

pub(crate) fn routes() -> Router<AppState> {
    let listed = |path: &'static str, methods: &[&str]| crate::module::listed(ROUTES, path, methods);
    Router::new()
        .route(listed("/api/households/{no}/check", &["GET"]), get(api_check))
        .route(listed("/api/policy/sweeps", &["POST"]), post(api_sweep))
        .route(listed("/api/policy/whatif", &["POST"]), post(api_whatif))
        .route(listed("/api/policy/runs/{id}", &["GET"]), get(api_run))
        .route(listed("/api/policy/parameters", &["GET", "POST"]), get(api_parameters).post(api_set_parameter))
        .route(listed("/households/{no}/check", &["GET"]), get(check_page))
        .route(listed("/policy", &["GET"]), get(desk))
        .route(listed("/policy/sweep", &["POST"]), post(form_sweep))
        .route(listed("/policy/whatif", &["POST"]), post(form_whatif))
        .route(listed("/policy/runs/{id}", &["GET"]), get(run_page))
        .route(listed("/policy/runs/{id}/export.xlsx", &["GET"]), get(run_export))
}

impl From<PolicyFailure> for AppError {
    fn from(e: PolicyFailure) -> AppError {
        match e {
            PolicyFailure::Access(a) => a.into(),
            PolicyFailure::Engine(ref inner) => {
                eprintln!("policy engine error: {inner}");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "engine", e.zh(), e.en())
            }
            PolicyFailure::Invalid { zh, en } => AppError::new(StatusCode::BAD_REQUEST, "invalid", zh, en),
        }
    }
}

pub(crate) fn parse_date(text: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today),
        Some(t) => t.parse().map_err(|_| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_date",
                format!("日期“{t}”应写作 2026-07-01"),
                format!("date {t:?} must be written 2026-07-01"),
            )
        }),
    }
}

pub(crate) fn parse_region(text: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(text.trim()).map_err(|e| AppError::bad_input("bad_region_code", &e))
}

fn parse_changes(lines: &[String], region: &str, from: NaiveDate) -> Result<Vec<Change>, AppError> {
    let mut out = Vec::new();
    for line in lines.iter().flat_map(|l| l.lines()).map(str::trim).filter(|l| !l.is_empty()) {
        out.push(Change::parse(line, region, from).map_err(|e| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_change",
                format!("调整“{line}”无法识别：{e}（示例：dibao_standard:urban+7%）"),
                format!("change {line:?}: {e} (e.g. dibao_standard:urban+7%)"),
            )
        })?);
    }
    if out.is_empty() {
        return Err(AppError::new(StatusCode::BAD_REQUEST, "bad_change", "请至少给出一项参数调整", "give at least one parameter change"));
    }
    Ok(out)
}

fn partitions() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

// ---- JSON API ----

#[derive(Deserialize)]
struct OnParam {
    on: Option<String>,
}

async fn api_check(
    State(s): State<AppState>,
    who: Authenticated,
    Path(no): Path<String>,
    Query(q): Query<OnParam>,
) -> Result<Json<Check>, AppError> {
    let on = parse_date(q.on.as_deref(), s.clock.today())?;
    Ok(Json(use_case::check(s.store.as_ref(), &s.engine, &who.principal, &who.actor, &no, on).await?))
}

#[derive(Deserialize)]
struct SweepRequest {
    region: String,
    on: Option<String>,
}

async fn api_sweep(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<SweepRequest>,
) -> Result<Json<SweepReport>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let region = parse_region(&r.region)?;
    let on = parse_date(r.on.as_deref(), s.clock.today())?;
    Ok(Json(use_case::sweep(s.store.as_ref(), &s.engine, &who.principal, &who.actor, &region, on, partitions(), &|_| {}).await?))
}

#[derive(Deserialize)]
struct WhatIfRequest {
    region: String,
    from: String,
    /// `dibao_standard:urban+7%`, `gaoling_80=3000` ...
    changes: Vec<String>,
}

async fn api_whatif(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<WhatIfRequest>,
) -> Result<Json<WhatIfReport>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let region = parse_region(&r.region)?;
    let from = parse_date(Some(&r.from), s.clock.today())?;
    let changes = parse_changes(&r.changes, region.as_str(), from)?;
    Ok(Json(use_case::whatif(s.store.as_ref(), &s.engine, &who.principal, &who.actor, &region, &changes, partitions(), &|_| {}).await?))
}

/// A stored run, if the account may run sweeps over its region.
async fn readable_run(s: &AppState, who: &Authenticated, id: i64) -> Result<PolicyRun, AppError> {
    use minzheng_domain::Permission;
    if !who.principal.may(Permission::RunSweeps) {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    let run = s.store.policy_run(id).await?.ok_or_else(|| AppError::not_found("测算记录", "run"))?;
    let region = RegionCode::parse(&run.region).map_err(|e| AppError::bad_input("bad_region_code", &e))?;
    if !who.principal.in_scope(&region) {
        return Err(minzheng_app::registry::AccessError::OutOfScope.into());
    }
    Ok(run)
}

async fn api_run(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<PolicyRun>, AppError> {
    Ok(Json(readable_run(&s, &who, id).await?))
}

#[derive(Deserialize)]
struct RegionParam {
    region: Option<String>,
}

/// The region a page or list is asked for: the account's by default, refused outside it.
fn asked_region(who: &Authenticated, text: Option<&str>, needs: minzheng_domain::Permission) -> Result<RegionCode, AppError> {
    if !who.principal.may(needs) {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    let region = match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_region(t)?,
        None => who.principal.region.clone(),
    };
    if !who.principal.in_scope(&region) {
        return Err(minzheng_app::registry::AccessError::OutOfScope.into());
    }
    Ok(region)
}

/// The parameter history that applies in a region: values set for it, above it or below it.
async fn api_parameters(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Json<Vec<ParameterRecord>>, AppError> {
    let region = asked_region(&who, q.region.as_deref(), minzheng_domain::Permission::CheckEligibility)?;
    let r = region.as_str();
    Ok(Json(s.store.parameter_records().await?.into_iter().filter(|p| r.starts_with(&p.region) || p.region.starts_with(r)).collect()))
}

#[derive(Deserialize)]
struct SetParameter {
    name: String,
    region: String,
    area: Option<String>,
    from: String,
    value: i64,
    reason: String,
}

async fn api_set_parameter(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<SetParameter>,
) -> Result<Json<ParameterRecord>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let area =
        match r.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => Some(Area::parse(a).ok_or_else(|| {
                AppError::new(StatusCode::BAD_REQUEST, "bad_area", "城乡应为 urban 或 rural", "area must be urban or rural")
            })?),
        };
    let record = ParameterRecord {
        name: r.name,
        region: r.region.trim().to_string(),
        area,
        effective_from: parse_date(Some(&r.from), s.clock.today())?,
        value: r.value,
        reason: r.reason,
        recorded_by: String::new(),
        recorded_at: chrono::Utc::now(),
        seq: 0,
    };
    Ok(Json(use_case::set_parameter(s.store.as_ref(), &s.engine, &who.principal, &who.actor, record).await?))
}

// ---- pages ----

fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
}

struct StepRow {
    met: bool,
    text: String,
    values: String,
    basis: String,
}

struct UnitRow {
    who: String,
    eligible: bool,
    amount: String,
    formula: String,
    steps: Vec<StepRow>,
}

struct ProgramRow {
    name: String,
    code: String,
    basis: String,
    eligible: bool,
    amount: String,
    units: Vec<UnitRow>,
}

#[derive(Template)]
#[template(path = "policy_check.html")]
struct CheckPage {
    t: &'static crate::i18n::Text,
    p: &'static PolicyText,
    user: Option<UserBar>,
    household_no: String,
    on: String,
    area: String,
    programs: Vec<ProgramRow>,
    total: String,
}

fn step_row(s: &minzheng_policy::explain::Step, lang: Lang) -> StepRow {
    let zh = lang == Lang::Zh;
    let mut values: Vec<String> = s
        .features
        .iter()
        .map(|f| {
            let unit = f.unit.as_deref().unwrap_or("");
            let v = if unit == "fen" {
                format!("{} 元", f.value.parse::<i64>().map(yuan).unwrap_or(f.value.clone()))
            } else {
                f.value.clone()
            };
            format!("{}：{}（{}）", if zh { &f.zh } else { &f.en }, v, f.source)
        })
        .collect();
    values.extend(s.parameters.iter().map(|p| match &p.record {
        Some(r) => {
            let v = if p.unit.starts_with("fen") { format!("{} 元", yuan(r.value)) } else { format!("{} {}", r.value, p.unit) };
            format!(
                "{}：{}（{} {} 自 {} 起；{}）",
                if zh { &p.zh } else { &p.en },
                v,
                r.region,
                r.area.map(|a| a.zh()).unwrap_or(""),
                r.effective_from,
                r.reason
            )
        }
        None => format!("{}：{}", if zh { &p.zh } else { &p.en }, if zh { "无生效值" } else { "no value in force" }),
    }));
    if let Some(v) = s.value.filter(|_| s.kind == minzheng_policy::explain::StepKind::OffsetBy) {
        values.push(format!("{} {} 元", if zh { "扣减" } else { "minus" }, yuan(v)));
    }
    StepRow { met: s.met, text: if zh { s.zh.clone() } else { s.en.clone() }, values: values.join("；"), basis: s.basis.clone() }
}

fn program_rows(check: &Check, lang: Lang) -> Vec<ProgramRow> {
    let zh = lang == Lang::Zh;
    check
        .programs
        .iter()
        .map(|p| ProgramRow {
            name: if zh { p.zh.clone() } else { p.en.clone() },
            code: p.code.clone(),
            basis: p.basis.clone(),
            eligible: p.eligible(),
            amount: yuan(p.amount()),
            units: p
                .units
                .iter()
                .map(|u| UnitRow {
                    who: u.name.clone().unwrap_or_else(|| if zh { "全户".into() } else { "household".into() }),
                    eligible: u.eligible,
                    amount: yuan(u.amount),
                    formula: format!("{}：{} 元", if zh { &u.amount_rule.zh } else { &u.amount_rule.en }, yuan(u.formula_amount)),
                    steps: u.steps.iter().map(|s| step_row(s, lang)).chain(std::iter::once(step_row(&u.amount_rule, lang))).collect(),
                })
                .collect(),
        })
        .collect()
}

async fn check_page(
    State(s): State<AppState>,
    who: Authenticated,
    Path(no): Path<String>,
    Query(q): Query<OnParam>,
) -> Result<Response, AppError> {
    let on = parse_date(q.on.as_deref(), s.clock.today())?;
    let check = use_case::check(s.store.as_ref(), &s.engine, &who.principal, &who.actor, &no, on).await?;
    let total: i64 = check.programs.iter().map(|p| p.amount()).sum();
    let page = CheckPage {
        t: who.lang.text(),
        p: PolicyText::of(who.lang),
        user: Some(UserBar::of(&who)),
        household_no: no,
        on: on.to_string(),
        area: check.area.zh().to_string(),
        programs: program_rows(&check, who.lang),
        total: yuan(total),
    };
    Ok(render(&page)?.into_response())
}

struct ParamRow {
    name: String,
    zh: String,
    area: String,
    value: String,
    from: String,
    region: String,
    reason: String,
}

struct RunRow {
    id: i64,
    kind: String,
    region: String,
    on: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "policy_desk.html")]
struct DeskPage {
    t: &'static crate::i18n::Text,
    p: &'static PolicyText,
    user: Option<UserBar>,
    region: String,
    today: String,
    params: Vec<ParamRow>,
    runs: Vec<RunRow>,
    csrf: String,
}

async fn desk(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
    let region = asked_region(&who, q.region.as_deref(), minzheng_domain::Permission::RunSweeps)?;
    let today = s.clock.today();
    let records = s.store.parameter_records().await?;
    // The values in force are shown for the region's first county (a city shows its own values
    // through its first district unless a district has its own).
    let county = match region.as_str().get(..6) {
        Some(c) => c.to_string(),
        None => s
            .store
            .regions_within(&region, minzheng_domain::RegionLevel::County)
            .await?
            .first()
            .map(|r| r.code.to_string())
            .unwrap_or_default(),
    };
    let mut params = Vec::new();
    for def in &s.engine.policy.parameters {
        let areas: Vec<Option<Area>> = if records.iter().any(|r| r.name == def.name && r.area.is_some()) {
            vec![Some(Area::Urban), Some(Area::Rural)]
        } else {
            vec![None]
        };
        for area in areas {
            let r = minzheng_policy::params::in_force(&records, &def.name, &county, area.unwrap_or(Area::Urban), today);
            params.push(ParamRow {
                name: def.name.clone(),
                zh: if who.lang == Lang::Zh { def.zh.clone() } else { def.en.clone() },
                area: area.map(|a| a.zh().to_string()).unwrap_or_default(),
                value: r
                    .map(
                        |r| {
                            if def.unit.starts_with("fen") {
                                format!("{} 元", yuan(r.value))
                            } else {
                                format!("{} {}", r.value, def.unit)
                            }
                        },
                    )
                    .unwrap_or_default(),
                from: r.map(|r| r.effective_from.to_string()).unwrap_or_default(),
                region: r.map(|r| r.region.clone()).unwrap_or_default(),
                reason: r.map(|r| r.reason.clone()).unwrap_or_default(),
            });
        }
    }
    let runs = s
        .store
        .policy_runs(20)
        .await?
        .into_iter()
        .filter(|r| RegionCode::parse(&r.region).is_ok_and(|c| region.contains(&c)))
        .map(|r| RunRow {
            id: r.id,
            kind: if r.kind == "sweep" { PolicyText::of(who.lang).sweep.to_string() } else { PolicyText::of(who.lang).whatif.to_string() },
            region: r.region,
            on: r.on.to_string(),
            by: r.created_by,
            at: crate::pages::beijing_time(r.created_at),
        })
        .collect();
    let page = DeskPage {
        t: who.lang.text(),
        p: PolicyText::of(who.lang),
        user: Some(UserBar::of(&who)),
        region: region.to_string(),
        today: today.to_string(),
        params,
        runs,
        csrf: who.session.csrf_token.clone(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct SweepForm {
    csrf: Option<String>,
    region: String,
    on: Option<String>,
}

async fn form_sweep(State(s): State<AppState>, who: Authenticated, axum::Form(f): axum::Form<SweepForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let region = parse_region(&f.region)?;
    let on = parse_date(f.on.as_deref(), s.clock.today())?;
    let report = use_case::sweep(s.store.as_ref(), &s.engine, &who.principal, &who.actor, &region, on, partitions(), &|_| {}).await?;
    Ok(Redirect::to(&format!("/policy/runs/{}", report.run_id)).into_response())
}

#[derive(Deserialize)]
struct WhatIfForm {
    csrf: Option<String>,
    region: String,
    from: String,
    changes: String,
}

async fn form_whatif(State(s): State<AppState>, who: Authenticated, axum::Form(f): axum::Form<WhatIfForm>) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let region = parse_region(&f.region)?;
    let from = parse_date(Some(&f.from), s.clock.today())?;
    let changes = parse_changes(&[f.changes], region.as_str(), from)?;
    let report =
        use_case::whatif(s.store.as_ref(), &s.engine, &who.principal, &who.actor, &region, &changes, partitions(), &|_| {}).await?;
    Ok(Redirect::to(&format!("/policy/runs/{}", report.run_id)).into_response())
}

struct ResultRow {
    program: String,
    county: String,
    cells: Vec<String>,
}

/// Chart data: categories and one or two series, as JSON in a data attribute (no inline script).
#[derive(Serialize)]
pub(crate) struct Chart {
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<(String, Vec<f64>)>,
}

#[derive(Template)]
#[template(path = "policy_run.html")]
struct RunPage {
    t: &'static crate::i18n::Text,
    p: &'static PolicyText,
    user: Option<UserBar>,
    id: i64,
    kind: String,
    region: String,
    on: String,
    by: String,
    changes: Vec<String>,
    headers: Vec<&'static str>,
    rows: Vec<ResultRow>,
    charts: Vec<String>,
}

pub(crate) fn chart_json(c: &Chart) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

async fn run_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let run = readable_run(&s, &who, id).await?;
    let p = PolicyText::of(who.lang);
    let zh = who.lang == Lang::Zh;
    let (headers, rows, charts, changes) = if run.kind == "sweep" {
        let rows: Vec<SummaryRow> = SweepReport::from_run(&run).rows;
        let mut by_program: Vec<(String, u64, i64)> = Vec::new();
        for r in &rows {
            match by_program.iter_mut().find(|x| x.0 == r.program_zh) {
                Some(x) => {
                    x.1 += r.eligible;
                    x.2 += r.amount;
                }
                None => by_program.push((r.program_zh.clone(), r.eligible, r.amount)),
            }
        }
        let chart = Chart {
            title: p.eligible_by_program.into(),
            categories: by_program.iter().map(|x| x.0.clone()).collect(),
            series: vec![(p.eligible.into(), by_program.iter().map(|x| x.1 as f64).collect())],
        };
        let table = rows
            .iter()
            .map(|r| ResultRow {
                program: r.program_zh.clone(),
                county: format!("{}（{}）", r.county_name, r.county),
                cells: vec![r.area.zh().to_string(), r.considered.to_string(), r.eligible.to_string(), yuan(r.amount), yuan(r.amount * 12)],
            })
            .collect();
        (p.sweep_headers.to_vec(), table, vec![chart_json(&chart)], Vec::new())
    } else {
        let report = WhatIfReport::from_run(&run);
        let (rows, changes): (Vec<WhatIfRow>, Vec<Change>) = (report.rows.clone(), report.changes.clone());
        let mut counties: Vec<(String, f64)> = Vec::new();
        let mut programs: Vec<(String, f64, f64)> = Vec::new();
        for r in &rows {
            let label = if r.county_name.is_empty() { r.county.clone() } else { r.county_name.clone() };
            match counties.iter_mut().find(|x| x.0 == label) {
                Some(x) => x.1 += r.monthly_change() as f64 / 100.0,
                None => counties.push((label, r.monthly_change() as f64 / 100.0)),
            }
            match programs.iter_mut().find(|x| x.0 == r.program_zh) {
                Some(x) => {
                    x.1 += r.newly_eligible as f64;
                    x.2 += r.no_longer_eligible as f64;
                }
                None => programs.push((r.program_zh.clone(), r.newly_eligible as f64, r.no_longer_eligible as f64)),
            }
        }
        let cost = Chart {
            title: p.cost_by_county.into(),
            categories: counties.iter().map(|x| x.0.clone()).collect(),
            series: vec![(p.monthly_change.into(), counties.iter().map(|x| x.1).collect())],
        };
        let coverage = Chart {
            title: p.coverage_by_program.into(),
            categories: programs.iter().map(|x| x.0.clone()).collect(),
            series: vec![
                (p.newly.into(), programs.iter().map(|x| x.1).collect()),
                (p.no_longer.into(), programs.iter().map(|x| x.2).collect()),
            ],
        };
        let total = report.total();
        let table = rows
            .iter()
            .chain(std::iter::once(&total))
            .map(|r| ResultRow {
                program: r.program_zh.clone(),
                county: if r.county_name.is_empty() { r.county.clone() } else { format!("{}（{}）", r.county_name, r.county) },
                cells: vec![
                    r.baseline_eligible.to_string(),
                    r.scenario_eligible.to_string(),
                    r.newly_eligible.to_string(),
                    r.no_longer_eligible.to_string(),
                    yuan(r.baseline_amount),
                    yuan(r.scenario_amount),
                    yuan(r.monthly_change()),
                    yuan(r.annual_change()),
                ],
            })
            .collect();
        let changes = changes
            .iter()
            .map(|c| {
                let how = match c.how {
                    minzheng_policy::ChangeKind::Set(v) => format!("= {v}"),
                    minzheng_policy::ChangeKind::RaisePermille(pm) => format!("+{}.{}%", pm / 10, pm % 10),
                };
                let name =
                    s.engine.policy.parameter(&c.name).map(|d| if zh { d.zh.clone() } else { d.en.clone() }).unwrap_or(c.name.clone());
                format!("{name}（{}{}）{how}，{} {}", c.region, c.area.map(|a| format!(" {}", a.zh())).unwrap_or_default(), p.from, c.from)
            })
            .collect();
        (p.whatif_headers.to_vec(), table, vec![chart_json(&cost), chart_json(&coverage)], changes)
    };
    let page = RunPage {
        t: who.lang.text(),
        p,
        user: Some(UserBar::of(&who)),
        id,
        kind: if run.kind == "sweep" { p.sweep.into() } else { p.whatif.into() },
        region: run.region.clone(),
        on: run.on.to_string(),
        by: run.created_by.clone(),
        changes,
        headers,
        rows,
        charts,
    };
    Ok(render(&page)?.into_response())
}

async fn run_export(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let run = readable_run(&s, &who, id).await?;
    let bytes = if run.kind == "sweep" {
        use_case::sweep_xlsx(s.store.as_ref(), &SweepReport::from_run(&run)).await?
    } else {
        use_case::whatif_xlsx(&WhatIfReport::from_run(&run))?
    };
    let name = format!("attachment; filename=\"minzheng-{}-{}.xlsx\"", run.kind, run.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response())
}

/// The texts of the policy pages, in both languages.
pub(crate) struct PolicyText {
    pub desk: &'static str,
    pub check: &'static str,
    pub on_date: &'static str,
    pub recheck: &'static str,
    pub eligible: &'static str,
    pub not_eligible: &'static str,
    pub nobody: &'static str,
    pub per_month: &'static str,
    pub total: &'static str,
    pub basis: &'static str,
    pub params: &'static str,
    pub param: &'static str,
    pub area: &'static str,
    pub value: &'static str,
    pub from: &'static str,
    pub region: &'static str,
    pub reason: &'static str,
    pub sweep: &'static str,
    pub sweep_hint: &'static str,
    pub run_sweep: &'static str,
    pub whatif: &'static str,
    pub whatif_hint: &'static str,
    pub changes: &'static str,
    pub run_whatif: &'static str,
    pub runs: &'static str,
    pub run: &'static str,
    pub kind: &'static str,
    pub by: &'static str,
    pub at: &'static str,
    pub download: &'static str,
    pub program: &'static str,
    pub county: &'static str,
    pub sweep_headers: [&'static str; 5],
    pub whatif_headers: [&'static str; 8],
    pub eligible_by_program: &'static str,
    pub cost_by_county: &'static str,
    pub monthly_change: &'static str,
    pub coverage_by_program: &'static str,
    pub newly: &'static str,
    pub no_longer: &'static str,
    pub working: &'static str,
}

static POLICY_ZH: PolicyText = PolicyText {
    desk: "社会救助 · 政策测算",
    check: "资格核算",
    on_date: "核算日期",
    recheck: "重新核算",
    eligible: "符合",
    not_eligible: "不符合",
    nobody: "家庭成员均不在本项目适用范围内",
    per_month: "元/月",
    total: "合计",
    basis: "依据",
    params: "现行参数（本区划）",
    param: "参数",
    area: "城乡",
    value: "数值",
    from: "生效日期",
    region: "区划",
    reason: "依据",
    sweep: "政策找人（全量普查）",
    sweep_hint: "按核算日期对区划内全部家庭逐项核算，结果保存为一次普查记录，可导出 Excel。",
    run_sweep: "开始普查",
    whatif: "提标测算",
    whatif_hint: "每行一项调整，例如 dibao_standard:urban+7%（城市低保标准提高7%）、gaoling_80=3000（80-89岁高龄补贴设为30元）。",
    changes: "参数调整",
    run_whatif: "开始测算",
    runs: "最近的普查和测算",
    run: "记录",
    kind: "类别",
    by: "操作人",
    at: "时间",
    download: "导出 Excel",
    program: "项目",
    county: "区县",
    sweep_headers: ["城乡", "测算对象", "符合条件", "月金额（元）", "年金额（元）"],
    whatif_headers: ["现行对象", "调整后对象", "新增", "退出", "现行月支出（元）", "调整后月支出（元）", "月增支（元）", "年增支（元）"],
    eligible_by_program: "各项目符合条件人数（户数）",
    cost_by_county: "各区县月增支（元）",
    monthly_change: "月增支",
    coverage_by_program: "各项目新增与退出对象",
    newly: "新增",
    no_longer: "退出",
    working: "正在核算，城市规模较大时需要几十秒……",
};

static POLICY_EN: PolicyText = PolicyText {
    desk: "Social assistance · policy desk",
    check: "Eligibility check",
    on_date: "Date",
    recheck: "Check again",
    eligible: "eligible",
    not_eligible: "not eligible",
    nobody: "No member is in this program's scope",
    per_month: "yuan/month",
    total: "Total",
    basis: "Basis",
    params: "Parameters in force (your region)",
    param: "Parameter",
    area: "Area",
    value: "Value",
    from: "From",
    region: "Region",
    reason: "Basis",
    sweep: "Sweep (find everyone eligible)",
    sweep_hint: "Checks every household of the region on the date against every program; the result is kept as a run and can be exported to Excel.",
    run_sweep: "Run the sweep",
    whatif: "What-if costing",
    whatif_hint: "One change per line, e.g. dibao_standard:urban+7% (urban 低保 standard +7%), gaoling_80=3000 (old-age allowance 80-89 set to 30 yuan).",
    changes: "Changes",
    run_whatif: "Cost it",
    runs: "Recent sweeps and what-ifs",
    run: "Run",
    kind: "Kind",
    by: "By",
    at: "At",
    download: "Export to Excel",
    program: "Program",
    county: "County",
    sweep_headers: ["Area", "Considered", "Eligible", "Monthly (yuan)", "Yearly (yuan)"],
    whatif_headers: ["Now eligible", "Then eligible", "New", "Leaving", "Monthly now (yuan)", "Monthly then (yuan)", "Monthly change", "Yearly change"],
    eligible_by_program: "Eligible units per program",
    cost_by_county: "Monthly cost change per county (yuan)",
    monthly_change: "Monthly change",
    coverage_by_program: "New and leaving units per program",
    newly: "New",
    no_longer: "Leaving",
    working: "Working: a large city takes some seconds...",
};

impl PolicyText {
    pub(crate) fn of(lang: Lang) -> &'static PolicyText {
        match lang {
            Lang::Zh => &POLICY_ZH,
            Lang::En => &POLICY_EN,
        }
    }
}

pub const MODULE: crate::module::Module = crate::module::Module { name: "policy", routes: ROUTES, router: routes, openapi, menu: MENU };

const MENU: &[crate::module::MenuEntry] = &[crate::module::MenuEntry {
    href: "/policy",
    zh: "社会救助",
    en: "Social assistance",
    needs: Some(minzheng_domain::Permission::RunSweeps),
}];

pub const ROUTES: &[crate::module::Route] = &[
    crate::module::Route::new(
        "GET",
        "/api/households/{no}/check",
        crate::module::Access::Needs(minzheng_domain::Permission::CheckEligibility),
    ),
    crate::module::Route::new("POST", "/api/policy/sweeps", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("POST", "/api/policy/whatif", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/api/policy/runs/{id}", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/api/policy/parameters", crate::module::Access::Needs(minzheng_domain::Permission::CheckEligibility)),
    crate::module::Route::new("POST", "/api/policy/parameters", crate::module::Access::Needs(minzheng_domain::Permission::SetParameters)),
    crate::module::Route::new("GET", "/households/{no}/check", crate::module::Access::Needs(minzheng_domain::Permission::CheckEligibility)),
    crate::module::Route::new("GET", "/policy", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("POST", "/policy/sweep", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("POST", "/policy/whatif", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/policy/runs/{id}", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
    crate::module::Route::new("GET", "/policy/runs/{id}/export.xlsx", crate::module::Access::Needs(minzheng_domain::Permission::RunSweeps)),
];

pub(crate) fn openapi() -> serde_json::Value {
    #[allow(unused_imports)]
    use crate::platform::openapi::{error_response, page, param};
    serde_json::json!({
        "paths": {
            "/api/households/{no}/check": { "get": {
                "summary": "资格核算：逐项目是否符合、金额及解释（条件、特征值、参数、依据）/ check a household against every program, with the explanation",
                "parameters": [param("no", "path", "户号 household number"), param("on", "query", "date, default today (2026-07-01)")],
                "responses": { "200": { "description": "check: programs, units, steps with features, parameters and legal basis" }, "400": error_response(), "403": error_response(), "404": error_response() } } },
            "/api/policy/sweeps": { "post": {
                "summary": "政策找人：对区划全量核算并保存为一次普查 / sweep a region on a date, stored as a run (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "region": { "type": "string" }, "on": { "type": "string", "format": "date" } }, "required": ["region"] } } } },
                "responses": { "200": { "description": "run id, counts and amounts per program, county and area" }, "400": error_response(), "403": error_response() } } },
            "/api/policy/whatif": { "post": {
                "summary": "提标测算：参数调整后新增、退出对象和增支 / cost parameter changes against the current values (needs x-csrf-token)",
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                    "region": { "type": "string" }, "from": { "type": "string", "format": "date" },
                    "changes": { "type": "array", "items": { "type": "string", "description": "dibao_standard:urban+7% | gaoling_80=3000 | name:region:area+n%" } } }, "required": ["region", "from", "changes"] } } } },
                "responses": { "200": { "description": "per program and county: baseline and scenario counts, new and leaving units, monthly amounts" }, "400": error_response(), "403": error_response() } } },
            "/api/policy/runs/{id}": { "get": {
                "summary": "一次普查或测算的结果 / a stored sweep or what-if",
                "parameters": [param("id", "path", "run id")],
                "responses": { "200": { "description": "run with its summary" }, "403": error_response(), "404": error_response() } } },
            "/api/policy/parameters": {
                "get": { "summary": "政策参数的全部历史 / the whole parameter history", "responses": { "200": { "description": "records: name, region, area, effective_from, value, reason, recorded_by, recorded_at, seq" }, "403": error_response() } },
                "post": { "summary": "记录参数新值（自某日起，写明依据；需 x-csrf-token）/ record a new parameter value from a date, with its basis",
                    "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": {
                        "name": { "type": "string" }, "region": { "type": "string" }, "area": { "type": ["string", "null"], "enum": ["urban", "rural", null] },
                        "from": { "type": "string", "format": "date" }, "value": { "type": "integer", "description": "fen, per mille or count" }, "reason": { "type": "string", "minLength": 4 } },
                        "required": ["name", "region", "from", "value", "reason"] } } } },
                    "responses": { "200": { "description": "the stored record" }, "400": error_response(), "403": error_response() } } },
        },
    })
}
