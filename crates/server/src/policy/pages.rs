//! The social-assistance pages: a household's check explained, the policy desk (sweeps, what-if, parameters), a run with its charts and export.

#[allow(unused_imports)]
use super::*;

pub(crate) fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
}

pub(crate) struct StepRow {
    pub(crate) met: bool,
    pub(crate) text: String,
    pub(crate) values: String,
    pub(crate) basis: String,
}

pub(crate) struct UnitRow {
    pub(crate) who: String,
    pub(crate) eligible: bool,
    pub(crate) amount: String,
    pub(crate) formula: String,
    pub(crate) steps: Vec<StepRow>,
}

pub(crate) struct ProgramRow {
    pub(crate) name: String,
    pub(crate) code: String,
    pub(crate) basis: String,
    pub(crate) eligible: bool,
    pub(crate) amount: String,
    pub(crate) units: Vec<UnitRow>,
}

#[derive(Template)]
#[template(path = "policy_check.html")]
pub(crate) struct CheckPage {
    pub(crate) t: &'static crate::i18n::Text,
    pub(crate) p: &'static PolicyText,
    pub(crate) user: Option<UserBar>,
    pub(crate) household_no: String,
    pub(crate) on: String,
    pub(crate) area: String,
    pub(crate) programs: Vec<ProgramRow>,
    pub(crate) total: String,
}

pub(crate) fn step_row(st: &AppState, s: &minzheng_policy::explain::Step, lang: Lang) -> StepRow {
    let zh = lang == Lang::Zh;
    let mut values: Vec<String> = s
        .features
        .iter()
        .map(|f| {
            let v = minzheng_domain::units::with_unit(&f.value, f.unit.as_deref().unwrap_or(""), zh);
            format!("{}：{}（{}）", if zh { &f.zh } else { &f.en }, v, f.source)
        })
        .collect();
    values.extend(s.parameters.iter().map(|p| match &p.record {
        Some(r) => {
            let v = minzheng_domain::units::with_unit(&r.value.to_string(), &p.unit, zh);
            let region =
                minzheng_domain::RegionCode::parse(&r.region).map_or_else(|_| r.region.clone(), |c| crate::pages::region_name(st, &c));
            if zh {
                format!("{}：{}（{}{} 自 {} 起；{}）", p.zh, v, region, r.area.map(|a| a.zh()).unwrap_or(""), r.effective_from, r.reason)
            } else {
                format!("{}: {} ({} from {}; {})", p.en, v, region, r.effective_from, r.reason)
            }
        }
        None => format!("{}：{}", if zh { &p.zh } else { &p.en }, if zh { "无生效值" } else { "no value in force" }),
    }));
    if let Some(v) = s.value.filter(|_| s.kind == minzheng_policy::explain::StepKind::OffsetBy) {
        values.push(format!("{} {} 元", if zh { "扣减" } else { "minus" }, yuan(v)));
    }
    StepRow { met: s.met, text: if zh { s.zh.clone() } else { s.en.clone() }, values: values.join("；"), basis: s.basis.clone() }
}

pub(crate) fn program_rows(st: &AppState, check: &Check, lang: Lang) -> Vec<ProgramRow> {
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
                    steps: u
                        .steps
                        .iter()
                        .map(|s| step_row(st, s, lang))
                        .chain(std::iter::once(step_row(st, &u.amount_rule, lang)))
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

pub(crate) async fn check_page(
    State(s): State<AppState>,
    who: Authenticated,
    Path(no): Path<String>,
    Query(q): Query<OnParam>,
) -> Result<Response, AppError> {
    let on = parse_date(q.on.as_deref(), s.clock.today())?;
    let check = use_case::check(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &no, on).await?;
    let total: i64 = check.programs.iter().map(|p| p.amount()).sum();
    let page = CheckPage {
        t: who.lang.text(),
        p: PolicyText::of(who.lang),
        user: Some(UserBar::of(&who)),
        household_no: no,
        on: on.to_string(),
        area: check.area.label(who.lang == Lang::Zh).to_string(),
        programs: program_rows(&s, &check, who.lang),
        total: yuan(total),
    };
    Ok(render(&page)?.into_response())
}

pub(crate) struct ParamRow {
    pub(crate) name: String,
    pub(crate) zh: String,
    pub(crate) area: String,
    pub(crate) value: String,
    pub(crate) from: String,
    pub(crate) region: String,
    pub(crate) reason: String,
}

pub(crate) struct RunRow {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) region: String,
    pub(crate) on: String,
    pub(crate) by: String,
    pub(crate) at: String,
}

#[derive(Template)]
#[template(path = "policy_desk.html")]
pub(crate) struct DeskPage {
    pub(crate) t: &'static crate::i18n::Text,
    pub(crate) p: &'static PolicyText,
    pub(crate) user: Option<UserBar>,
    pub(crate) region: String,
    pub(crate) today: String,
    pub(crate) params: Vec<ParamRow>,
    pub(crate) runs: Vec<RunRow>,
    pub(crate) csrf: String,
    /// The what-if form's lists: parameters (`code[:area]`, name with the value in force) and
    /// regions (the account's and its counties, by name).
    pub(crate) choices: Vec<(String, String)>,
    pub(crate) regions: Vec<(String, String)>,
}

pub(crate) async fn desk(State(s): State<AppState>, who: Authenticated, Query(q): Query<RegionParam>) -> Result<Response, AppError> {
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
    let mut choices = Vec::new();
    for def in &s.engine.policy.parameters {
        let areas: Vec<Option<Area>> = if records.iter().any(|r| r.name == def.name && r.area.is_some()) {
            vec![Some(Area::Urban), Some(Area::Rural)]
        } else {
            vec![None]
        };
        for area in areas {
            let r = minzheng_policy::params::in_force(&records, &def.name, &county, area.unwrap_or(Area::Urban), today);
            let zh = who.lang == Lang::Zh;
            let code = match area {
                Some(a) => format!("{}:{}", def.name, if a == Area::Urban { "urban" } else { "rural" }),
                None => def.name.clone(),
            };
            let area_name = area.map(|a| {
                if zh {
                    a.zh()
                } else if a == Area::Urban {
                    "urban"
                } else {
                    "rural"
                }
            });
            let now = r.map(|r| minzheng_domain::units::with_unit(&r.value.to_string(), &def.unit, zh));
            choices.push((
                code,
                format!(
                    "{}{}{}",
                    if zh { &def.zh } else { &def.en },
                    area_name.map(|a| format!("（{a}）")).unwrap_or_default(),
                    now.map(|v| format!(" — {} {v}", PolicyText::of(who.lang).in_force)).unwrap_or_default()
                ),
            ));
            params.push(ParamRow {
                name: def.name.clone(),
                zh: if who.lang == Lang::Zh { def.zh.clone() } else { def.en.clone() },
                area: area.map(|a| a.label(who.lang == Lang::Zh).to_string()).unwrap_or_default(),
                value: r
                    .map(|r| minzheng_domain::units::with_unit(&r.value.to_string(), &def.unit, who.lang == Lang::Zh))
                    .unwrap_or_default(),
                from: r.map(|r| r.effective_from.to_string()).unwrap_or_default(),
                region: r.map(|r| named_region(&s, &r.region)).unwrap_or_default(),
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
            region: named_region(&s, &r.region),
            on: r.on.to_string(),
            by: crate::pages::person(&s, &r.created_by),
            at: crate::pages::beijing_time(r.created_at),
        })
        .collect();
    // The what-if's regions: the account's own and the counties within it.
    let mut regions = vec![(region.to_string(), crate::pages::region_label(&s, &region, who.lang))];
    if region.level() < minzheng_domain::RegionLevel::County {
        for c in s.store.regions_within(&region, minzheng_domain::RegionLevel::County).await? {
            regions.push((c.code.to_string(), format!("{}（{}）", c.name, c.code)));
        }
    }
    let page = DeskPage {
        t: who.lang.text(),
        p: PolicyText::of(who.lang),
        user: Some(UserBar::of(&who)),
        region: region.to_string(),
        today: today.to_string(),
        params,
        runs,
        csrf: who.session.csrf_token.clone(),
        choices,
        regions,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub(crate) struct SweepForm {
    pub(crate) csrf: Option<String>,
    pub(crate) region: String,
    pub(crate) on: Option<String>,
}

pub(crate) async fn form_sweep(
    State(s): State<AppState>,
    who: Authenticated,
    axum::Form(f): axum::Form<SweepForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let region = parse_region(&f.region)?;
    let on = parse_date(f.on.as_deref(), s.clock.today())?;
    let report = use_case::sweep(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &region, on, partitions(), &|_| {}).await?;
    Ok(Redirect::to(&format!("/policy/runs/{}", report.run_id)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct WhatIfForm {
    pub(crate) csrf: Option<String>,
    pub(crate) region: String,
    pub(crate) from: String,
    /// Several changes by parameter code (the analysts' form); when given, used instead of
    /// the one change chosen from the lists.
    #[serde(default)]
    pub(crate) changes: String,
    /// The parameter chosen (`dibao_standard:urban`), how it changes and by how much, as staff
    /// say it: yuan for money, per cent for rates.
    #[serde(default)]
    pub(crate) parameter: String,
    #[serde(default)]
    pub(crate) how: String,
    #[serde(default)]
    pub(crate) amount: String,
    #[serde(default)]
    pub(crate) confirm_lower: Option<String>,
}

pub(crate) async fn form_whatif(
    State(s): State<AppState>,
    who: Authenticated,
    axum::Form(f): axum::Form<WhatIfForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let region = parse_region(&f.region)?;
    let from = parse_date(Some(&f.from), s.clock.today())?;
    let changes = if f.changes.trim().is_empty() {
        let records = s.store.parameter_records().await?;
        vec![staff_change(&s, &records, &f, &region, from).await?]
    } else {
        parse_changes(&[f.changes], region.as_str(), from)?
    };
    let report = use_case::whatif(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &region, &changes, partitions(), &|_| {}).await?;
    Ok(Redirect::to(&format!("/policy/runs/{}", report.run_id)).into_response())
}

/// The change the what-if form's lists describe: the parameter (and its area) in the region,
/// raised by a percentage, increased by an amount, or set to a value, read in the parameter's
/// own terms (yuan for money, per cent for rates, 是/否 for flags). The result is worked out for
/// every county and area it reaches, from each one's own value in force: below zero anywhere is
/// refused, below the value in force anywhere needs the lowering confirmed.
async fn staff_change(
    s: &AppState,
    records: &[ParameterRecord],
    f: &WhatIfForm,
    region: &RegionCode,
    from: NaiveDate,
) -> Result<Change, AppError> {
    let bad = |field: &'static str, zh: String, en: String| AppError::new(StatusCode::BAD_REQUEST, "bad_change", zh, en).on_field(field);
    let (name, area) = match f.parameter.split_once(':') {
        Some((n, a)) => (n.trim(), Area::parse(a.trim())),
        None => (f.parameter.trim(), None),
    };
    let Some(def) = s.engine.policy.parameters.iter().find(|d| d.name == name) else {
        return Err(bad("parameter", "请选择要调整的参数".into(), "choose the parameter to change".into()));
    };
    let amount = f.amount.trim();
    if amount.is_empty() {
        return Err(bad("amount", "请填写调整的数额".into(), "give the amount of the change".into()));
    }
    let percent_of = |text: &str| -> Option<i64> {
        let t = text.trim().trim_end_matches(['%', '％']).trim();
        let (negative, t) = match t.strip_prefix(['-', '－']) {
            Some(rest) => (true, rest.trim()),
            None => (false, t.strip_prefix('+').unwrap_or(t).trim()),
        };
        minzheng_policy::params::parse_percent_permille(t).map(|p| if negative { -p } else { p })
    };
    let value_of = |text: &str| -> Result<i64, AppError> {
        minzheng_policy::params::parse_value(&def.unit, text).map_err(|(zh, en)| bad("amount", zh, en))
    };
    let how = match f.how.as_str() {
        "percent" => ChangeKind::RaisePermille(percent_of(amount).ok_or_else(|| {
            bad("amount", format!("“{amount}”不是百分比：请填写如 7 或 6.5"), format!("{amount:?} is not a percentage: write 7 or 6.5"))
        })?),
        "add" => ChangeKind::Add(value_of(amount)?),
        _ => ChangeKind::Set(value_of(amount)?),
    };
    // Every county and area the change reaches, each from its own value in force.
    let mut counties: Vec<String> = if region.level() <= minzheng_domain::RegionLevel::County {
        s.store.regions_within(region, minzheng_domain::RegionLevel::County).await?.into_iter().map(|r| r.code.to_string()).collect()
    } else {
        Vec::new()
    };
    if region.level() == minzheng_domain::RegionLevel::County && counties.is_empty() {
        counties.push(region.to_string());
    }
    let areas: Vec<Area> = match area {
        Some(a) => vec![a],
        None => vec![Area::Urban, Area::Rural],
    };
    let shown = |v: i64, zh: bool| minzheng_domain::units::with_unit(&v.to_string(), &def.unit, zh);
    for county in &counties {
        for a in &areas {
            let Some(current) = minzheng_policy::params::in_force(records, &def.name, county, *a, from).map(|r| r.value) else {
                continue;
            };
            let after = match how {
                ChangeKind::Set(v) => v,
                ChangeKind::Add(v) => current + v,
                ChangeKind::RaisePermille(p) => current + current * p / 1000,
            };
            let place = minzheng_domain::RegionCode::parse(county).map_or_else(|_| county.clone(), |c| crate::pages::region_name(s, &c));
            if after < 0 {
                return Err(bad(
                    "amount",
                    format!("{place}{}调整后为 {}，不能为负数", a.zh(), shown(after, true)),
                    format!("{place}: the result would be {}, below zero", shown(after, false)),
                ));
            }
            if after < current && f.confirm_lower.is_none() {
                return Err(bad(
                    "confirm_lower",
                    format!(
                        "这项调整将把{place}{}的{}从现行的 {} 下调为 {}；确需下调的，请勾选“确认下调”后再提交",
                        a.zh(),
                        def.zh,
                        shown(current, true),
                        shown(after, true)
                    ),
                    format!(
                        "this lowers {} in {place} from {} in force to {}; tick the confirmation if that is meant",
                        def.en,
                        shown(current, false),
                        shown(after, false)
                    ),
                ));
            }
        }
    }
    Ok(Change { name: def.name.clone(), region: region.to_string(), area, from, how })
}

pub(crate) struct ResultRow {
    pub(crate) program: String,
    pub(crate) county: String,
    pub(crate) cells: Vec<String>,
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
pub(crate) struct RunPage {
    pub(crate) t: &'static crate::i18n::Text,
    pub(crate) p: &'static PolicyText,
    pub(crate) user: Option<UserBar>,
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) region: String,
    pub(crate) on: String,
    pub(crate) by: String,
    pub(crate) changes: Vec<String>,
    pub(crate) headers: Vec<&'static str>,
    pub(crate) rows: Vec<ResultRow>,
    pub(crate) charts: Vec<String>,
}

pub(crate) fn chart_json(c: &Chart) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

pub(crate) async fn run_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let run = readable_run(&s, &who, id).await?;
    let p = PolicyText::of(who.lang);
    let zh = who.lang == Lang::Zh;
    let (headers, rows, charts, changes) = if run.kind == "sweep" {
        let rows: Vec<SummaryRow> = SweepReport::from_run(&run).rows;
        let mut by_program: Vec<(String, u64, i64)> = Vec::new();
        for r in &rows {
            match by_program.iter_mut().find(|x| x.0 == crate::pages::program_name(&s, &r.program, who.lang)) {
                Some(x) => {
                    x.1 += r.eligible;
                    x.2 += r.amount;
                }
                None => by_program.push((crate::pages::program_name(&s, &r.program, who.lang), r.eligible, r.amount)),
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
                program: crate::pages::program_name(&s, &r.program, who.lang),
                county: if zh { format!("{}（{}）", r.county_name, r.county) } else { format!("{} ({})", r.county_name, r.county) },
                cells: vec![
                    r.area.label(zh).to_string(),
                    r.considered.to_string(),
                    r.eligible.to_string(),
                    yuan(r.amount),
                    yuan(r.amount * 12),
                ],
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
            match programs.iter_mut().find(|x| x.0 == crate::pages::program_name(&s, &r.program, who.lang)) {
                Some(x) => {
                    x.1 += r.newly_eligible as f64;
                    x.2 += r.no_longer_eligible as f64;
                }
                None => programs.push((
                    crate::pages::program_name(&s, &r.program, who.lang),
                    r.newly_eligible as f64,
                    r.no_longer_eligible as f64,
                )),
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
                program: match (r.program.as_str(), zh) {
                    ("all", true) => "合计".into(),
                    ("all", false) => "Total".into(),
                    (code, _) => crate::pages::program_name(&s, code, who.lang),
                },
                county: match (r.county_name.is_empty(), zh) {
                    (true, _) => r.county.clone(),
                    (false, true) => format!("{}（{}）", r.county_name, r.county),
                    (false, false) => format!("{} ({})", r.county_name, r.county),
                },
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
                let def = s.engine.policy.parameter(&c.name);
                let how = match c.how {
                    minzheng_policy::ChangeKind::Set(v) => {
                        format!("= {}", minzheng_domain::units::with_unit(&v.to_string(), def.map_or("", |d| d.unit.as_str()), zh))
                    }
                    minzheng_policy::ChangeKind::RaisePermille(pm) => {
                        format!("{}{}.{}%", if pm < 0 { "-" } else { "+" }, pm.abs() / 10, pm.abs() % 10)
                    }
                    minzheng_policy::ChangeKind::Add(v) => format!(
                        "{}{}",
                        if v < 0 { "-" } else { "+" },
                        minzheng_domain::units::with_unit(&v.abs().to_string(), def.map_or("", |d| d.unit.as_str()), zh)
                    ),
                };
                let name = def.map(|d| if zh { d.zh.clone() } else { d.en.clone() }).unwrap_or(c.name.clone());
                let region = named_region(&s, &c.region);
                let area = c.area.map(|a| format!(" {}", a.label(zh))).unwrap_or_default();
                if zh {
                    format!("{name}（{region}{area}）{how}，{} {}", p.from, c.from)
                } else {
                    format!("{name} ({region}{area}) {how}, {} {}", p.from, c.from)
                }
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
        by: crate::pages::person(&s, &run.created_by),
        changes,
        headers,
        rows,
        charts,
    };
    Ok(render(&page)?.into_response())
}

pub(crate) async fn run_export(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (run, bytes) = use_case::run_workbook(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id).await?;
    let name = format!("attachment; filename=\"minzheng-{}-{}.xlsx\"", run.kind, run.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// A region code as stored in text (parameters, runs), by its name.
fn named_region(s: &AppState, code: &str) -> String {
    RegionCode::parse(code).map_or_else(|_| code.to_string(), |c| crate::pages::region_name(s, &c))
}

#[derive(Deserialize)]
pub(crate) struct CommunityParam {
    community: Option<String>,
}

pub(crate) struct ContactRow {
    program: String,
    name: String,
    id_number: String,
    household_no: String,
    grid: String,
    phone: String,
    amount: String,
    covered: bool,
}

#[derive(Template)]
#[template(path = "policy_contacts.html")]
pub(crate) struct ContactsPage {
    t: &'static crate::i18n::Text,
    zh: bool,
    user: Option<UserBar>,
    id: i64,
    community: String,
    community_name: String,
    rows: Vec<ContactRow>,
    uncovered: usize,
    /// The list may be saved as a workbook (those who run sweeps).
    can_export: bool,
}

/// 政策找人 · 联系名单: a sweep's eligible people of one community, to visit (uncovered first).
pub(crate) async fn contacts_page(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<CommunityParam>,
) -> Result<Response, AppError> {
    let zh = who.lang == Lang::Zh;
    let text = q.community.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let mut page = ContactsPage {
        t: who.lang.text(),
        zh,
        user: Some(UserBar::of(&who)),
        id,
        community: text.unwrap_or_default().to_string(),
        community_name: String::new(),
        rows: Vec::new(),
        uncovered: 0,
        can_export: who.principal.may(minzheng_domain::Permission::RunSweeps),
    };
    if let Some(t) = text {
        let community = crate::platform::api::region_named(&s, &who.principal, t)?;
        let contacts = use_case::contact_list(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, &community).await?;
        page.community = community.to_string();
        page.community_name = crate::pages::region_label(&s, &community, who.lang);
        page.uncovered = contacts.iter().filter(|c| !c.covered).count();
        page.rows = contacts.into_iter().map(|c| contact_row(&s, c, who.lang)).collect();
    }
    Ok(render(&page)?.into_response())
}

/// One person of the contact list as its page and its workbook show them.
fn contact_row(s: &AppState, c: use_case::Contact, lang: Lang) -> ContactRow {
    ContactRow {
        program: crate::pages::program_name(s, &c.program, lang),
        name: c.name,
        id_number: c.id_number,
        household_no: c.household_no,
        grid: c.grid.unwrap_or_default(),
        phone: c.phone,
        amount: Fen(c.amount).to_string(),
        covered: c.covered,
    }
}

/// 导出Excel: a community's contact list (政策找人) as its page shows it, for those who run sweeps
/// (who see the list); the export is audited with the rows listed.
pub(crate) async fn contacts_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<CommunityParam>,
) -> Result<Response, AppError> {
    let zh = who.lang == Lang::Zh;
    let text = q.community.as_deref().map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
        AppError::new(axum::http::StatusCode::BAD_REQUEST, "invalid", "请先选择社区", "choose the community first").on_field("community")
    })?;
    let community = crate::platform::api::region_named(&s, &who.principal, text)?;
    let contacts = use_case::contact_list(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, &community).await?;
    let filters = serde_json::json!({ "run": id, "community": community.to_string() });
    // The rows' numbers in the list (the persons are named by the run and the community).
    let rows_listed: Vec<i64> = (1..=contacts.len()).map(|i| i64::try_from(i).unwrap_or(i64::MAX)).collect();
    minzheng_app::export::record_export(s.store.as_ref(), &who.cx(s.clock.today()), "policy_contact", filters, &rows_listed).await?;
    let status = |covered: bool| match (covered, zh) {
        (true, true) => "已在保",
        (false, true) => "未在保，待走访",
        (true, false) => "covered",
        (false, false) => "not covered: visit",
    };
    let rows: Vec<Vec<String>> = contacts
        .into_iter()
        .map(|c| {
            let r = contact_row(&s, c, who.lang);
            vec![r.program, r.name, r.id_number, r.household_no, r.grid, r.phone, r.amount, status(r.covered).to_string()]
        })
        .collect();
    let t = who.lang.text();
    let headers = if zh {
        ["保障项目", t.name, t.id_number, t.household_no, "网格", t.phone, "月金额（元）", "状态"]
    } else {
        ["Program", t.name, t.id_number, t.household_no, "Grid", t.phone, "Monthly (yuan)", "Status"]
    };
    let bytes = crate::platform::sheet::workbook(if zh { "联系名单" } else { "Contact list" }, &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, &format!("contacts-{id}-{community}.xlsx")))
}
