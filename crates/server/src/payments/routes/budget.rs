//! 资金项目: budget lines and their execution, pages and forms.

#[allow(unused_imports)]
use super::*;

#[derive(Deserialize, Default)]
pub(in crate::payments) struct BudgetParam {
    county: Option<String>,
    year: Option<i32>,
}

pub(in crate::payments) fn budget_params(s: &AppState, q: &BudgetParam) -> Result<(Option<RegionCode>, i32), AppError> {
    use chrono::Datelike;
    let county = county_param(&CountyParam { county: q.county.clone() })?;
    let year = q.year.unwrap_or_else(|| s.clock.today().year());
    if !(2000..=2100).contains(&year) {
        return Err(bad("bad_year", format!("年份 {year} 不在 2000 至 2100 之间"), format!("year {year} is not between 2000 and 2100")));
    }
    Ok((county, year))
}

pub(in crate::payments) async fn api_budget(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<BudgetParam>,
) -> Result<Json<Vec<crate::payments::budget::Execution>>, AppError> {
    let (county, year) = budget_params(&s, &q)?;
    Ok(Json(service::budget_table(s.store.as_ref(), &who.principal, county.as_ref(), year).await?))
}

pub(in crate::payments) struct BudgetRow {
    county: String,
    program: String,
    budget: String,
    spent: String,
    rate: String,
    over: bool,
}

#[derive(Template)]
#[template(path = "budget.html")]
pub(in crate::payments) struct BudgetPage {
    t: &'static Text,
    en: bool,
    user: Option<UserBar>,
    year: i32,
    county: String,
    rows: Vec<BudgetRow>,
    chart: String,
    may_set: bool,
    programs: Vec<Choice>,
    csrf: String,
    amount: String,
    error: Option<String>,
}

pub(in crate::payments) async fn budget_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<BudgetParam>,
) -> Result<Response, AppError> {
    let (county, year) = budget_params(&s, &q)?;
    budget_response(&s, &who, county, year, BudgetForm::default(), None).await
}

pub(in crate::payments) async fn budget_response(
    s: &AppState,
    who: &Authenticated,
    county: Option<RegionCode>,
    year: i32,
    form: BudgetForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let en = lang == Lang::En;
    let table = service::budget_table(s.store.as_ref(), &who.principal, county.as_ref(), year).await?;
    let mut rows = Vec::with_capacity(table.len());
    for r in &table {
        rows.push(BudgetRow {
            county: county_name(s, &r.county).await,
            program: program_name(s, &r.program, lang),
            budget: r.budget.map(|b| b.to_string()).unwrap_or_else(|| if en { "no budget line".into() } else { "未编列预算".into() }),
            spent: r.spent.to_string(),
            rate: r.rate_per_mille.map(|x| format!("{:.1}%", x as f64 / 10.0)).unwrap_or_default(),
            over: r.rate_per_mille.is_some_and(|x| x > 1000),
        });
    }
    // Spending by month, in 万元, one series per program (all counties of the view together).
    let mut series: std::collections::BTreeMap<String, Vec<f64>> = std::collections::BTreeMap::new();
    for r in &table {
        let e = series.entry(program_name(s, &r.program, lang)).or_insert_with(|| vec![0.0; 12]);
        for (m, v) in r.by_month.iter().enumerate() {
            e[m] += v.0 as f64 / 1_000_000.0;
        }
    }
    let chart = serde_json::json!({
        "title": if en { format!("Spending by month, {year}") } else { format!("{year} 年各月发放资金") },
        "x_name": if en { "month" } else { "月份" },
        "y_name": if en { "10,000 yuan" } else { "万元" },
        "categories": (1..=12).map(|m| if en { format!("{m}") } else { format!("{m}月") }).collect::<Vec<_>>(),
        "series": series.into_iter().map(|(k, v)| serde_json::json!([k, v.iter().map(|x| (x * 100.0).round() / 100.0).collect::<Vec<_>>()])).collect::<Vec<_>>(),
    })
    .to_string();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = BudgetPage {
        t: lang.text(),
        en,
        user: Some(UserBar::of(who)),
        year,
        county: county.as_ref().unwrap_or(&who.principal.region).to_string(),
        rows,
        chart,
        may_set: who.principal.may(Permission::ApprovePayroll),
        programs: s
            .engine
            .policy
            .programs
            .iter()
            .map(|p| Choice {
                code: p.code.clone(),
                label: program_name(s, &p.code, lang),
                selected: p.code == form.program || (form.program.is_empty() && p.code == "dibao"),
            })
            .collect(),
        csrf: who.session.csrf_token.clone(),
        amount: form.amount,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub(in crate::payments) struct BudgetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    program: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    amount: String,
}

pub(in crate::payments) async fn form_budget(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<BudgetForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let say = |zh: String, en: String| if who.lang == Lang::En { en } else { zh };
    let county = county_or_own(&who, Some(&f.county))?;
    let year: i32 = match f.year.trim().parse() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => {
            let msg = say(format!("年份“{}”应为 2000 至 2100 之间的年份", f.year), format!("year {:?}: a year from 2000 to 2100", f.year));
            return budget_response(&s, &who, Some(county), chrono::Datelike::year(&s.clock.today()), f, Some(msg)).await;
        }
    };
    let Ok(amount) = minzheng_domain::Fen::parse_yuan(&f.amount) else {
        let msg = say(format!("预算金额“{}”应写成元，如 12000000.00", f.amount), format!("amount {:?}: write it in yuan", f.amount));
        return budget_response(&s, &who, Some(county), year, f, Some(msg)).await;
    };
    let month = chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| bad("bad_year", "年份无效".into(), "bad year".into()))?;
    let which = service::ListFor { program: f.program.clone(), county: county.clone(), month };
    match service::set_budget(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), &which, amount).await {
        Ok(()) => Ok(Redirect::to(&format!("/payments/budget?county={county}&year={year}")).into_response()),
        Err(
            e @ (PaymentFailure::Payroll(_)
            | PaymentFailure::Recovery(_)
            | PaymentFailure::Access(minzheng_app::registry::AccessError::OutOfScope)),
        ) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            budget_response(&s, &who, None, year, f, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(in crate::payments) async fn budget_xlsx(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<BudgetParam>,
) -> Result<Response, AppError> {
    let (county, year) = budget_params(&s, &q)?;
    let table = service::budget_table(s.store.as_ref(), &who.principal, county.as_ref(), year).await?;
    let mut names = std::collections::HashMap::new();
    for r in &table {
        if !names.contains_key(&r.county) {
            names.insert(r.county.clone(), county_name(&s, &r.county).await);
        }
    }
    let bytes = crate::payments::budget::workbook(
        &table,
        |p| program_name(&s, p, Lang::Zh),
        |c| names.get(c).cloned().unwrap_or_else(|| c.to_string()),
    )
    .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "xlsx", "表格生成失败", format!("the workbook failed: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"budget-{year}.xlsx\"")),
        ],
        bytes,
    )
        .into_response())
}
