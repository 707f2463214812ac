//! The dashboard page (数据驾驶舱) and its JSON.

use super::model::{by_area, by_program, flows_by_month, last_months, per_month};
use super::service::{figures, Figures};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{program_name, region_name, render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minzheng_domain::{Fen, FindingKind, FindingStatus, RegionCode};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub(super) struct RegionParam {
    region: Option<String>,
}

fn asked(p: &RegionParam) -> Result<Option<RegionCode>, AppError> {
    match p.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Ok(Some(crate::platform::api::parse_region(r)?)),
        None => Ok(None),
    }
}

/// A chart as `app.js` draws it: a title, categories, named series, the kind (bar or line),
/// stacked or not, and the axes' names with their units.
#[derive(Serialize)]
pub(super) struct Chart {
    title: String,
    categories: Vec<String>,
    series: Vec<(String, Vec<f64>)>,
    kind: &'static str,
    stack: bool,
    x_name: String,
    y_name: String,
}

pub(super) struct Card {
    label: &'static str,
    value: String,
    id: &'static str,
}

pub(super) struct Area {
    code: String,
    name: String,
    persons: Vec<i64>,
    total: i64,
    monthly: String,
    drill: bool,
}

pub(super) struct ProgramLine {
    name: String,
    households: i64,
    persons: i64,
    monthly: String,
}

pub(super) struct Words {
    title: &'static str,
    month: &'static str,
    up: &'static str,
    covered: &'static str,
    households: &'static str,
    monthly: &'static str,
    started: &'static str,
    ended: &'static str,
    open_findings: &'static str,
    open_cases: &'static str,
    overdue: &'static str,
    program: &'static str,
    persons: &'static str,
    region: &'static str,
    by_program: &'static str,
    by_area: &'static str,
    drill_hint: &'static str,
    findings: &'static str,
    kind: &'static str,
    open: &'static str,
    resolved: &'static str,
    cases: &'static str,
    status: &'static str,
    count: &'static str,
    none: &'static str,
    spending_title: &'static str,
    flows_title: &'static str,
    persons_title: &'static str,
    yuan: &'static str,
    people: &'static str,
    items: &'static str,
    month_axis: &'static str,
    total: &'static str,
}

const ZH: Words = Words {
    title: "数据驾驶舱",
    month: "统计月份",
    up: "返回上级",
    covered: "在保人数",
    households: "在保户数",
    monthly: "月保障金额",
    started: "本月新增",
    ended: "本月停保",
    open_findings: "待处理疑点",
    open_cases: "办理中办件",
    overdue: "其中超期",
    program: "保障项目",
    persons: "人数",
    region: "区划",
    by_program: "分项目保障情况",
    by_area: "分区划保障人数",
    drill_hint: "点击区划名称查看下一级。",
    findings: "比对疑点",
    kind: "疑点类型",
    open: "待处理",
    resolved: "已办结",
    cases: "全市通办办件",
    status: "状态",
    count: "件数",
    none: "暂无数据",
    spending_title: "近12个月资金发放（已锁定名册）",
    flows_title: "近12个月新增与停保（户）",
    persons_title: "分区划分项目保障人数",
    yuan: "元",
    people: "人",
    items: "户",
    month_axis: "月份",
    total: "合计",
};

const EN: Words = Words {
    title: "Dashboard",
    month: "Month",
    up: "Up one level",
    covered: "Persons covered",
    households: "Households covered",
    monthly: "Monthly amount",
    started: "New this month",
    ended: "Stopped this month",
    open_findings: "Open findings",
    open_cases: "Open cases",
    overdue: "overdue",
    program: "Program",
    persons: "Persons",
    region: "Region",
    by_program: "By program",
    by_area: "Persons covered by region",
    drill_hint: "Click a region to see the level below.",
    findings: "Findings",
    kind: "Kind",
    open: "Open",
    resolved: "Resolved",
    cases: "Cases",
    status: "Status",
    count: "Count",
    none: "No data yet",
    spending_title: "Paid in the last 12 months (locked payment lists)",
    flows_title: "New and stopped in the last 12 months (households)",
    persons_title: "Persons covered by region and program",
    yuan: "yuan",
    people: "persons",
    items: "households",
    month_axis: "month",
    total: "Total",
};

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(super) struct DashboardPage {
    t: &'static Text,
    w: &'static Words,
    user: Option<UserBar>,
    region_name: String,
    month: String,
    up: Option<String>,
    cards: Vec<Card>,
    programs: Vec<ProgramLine>,
    program_names: Vec<String>,
    areas: Vec<Area>,
    charts: Vec<String>,
    findings: Vec<(String, u64, u64)>,
    cases: Vec<(String, u64)>,
    total_persons: i64,
    total_households: i64,
    total_monthly: String,
}

fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
}

pub(super) async fn page(State(s): State<AppState>, who: Authenticated, Query(p): Query<RegionParam>) -> Result<Response, AppError> {
    let f = figures(s.store.as_ref(), &who.principal, asked(&p)?.as_ref(), s.clock.today()).await?;
    let lang = who.lang;
    let w = if lang == Lang::Zh { &ZH } else { &EN };
    let order: Vec<String> = s.engine.policy.programs.iter().map(|p| p.code.clone()).collect();
    let totals = by_program(&f.coverage, &order);
    let codes: Vec<String> = totals.iter().map(|t| t.program.clone()).collect();
    let program_names: Vec<String> = codes.iter().map(|c| program_name(&s, c, lang)).collect();
    let areas: Vec<Area> = by_area(&f.coverage, &codes)
        .into_iter()
        .map(|(code, persons, monthly)| {
            let name = RegionCode::parse(&code).map_or_else(|_| code.clone(), |c| region_name(&s, &c));
            Area { total: persons.iter().sum(), drill: code.len() < 12, code, name, persons, monthly: yuan(monthly) }
        })
        .collect();
    let months = last_months(f.month, 12);
    let month_labels: Vec<String> = months.iter().map(|m| m.format("%Y-%m").to_string()).collect();
    let (started, ended) = flows_by_month(&f.flows, &months);
    let spending = per_month(&f.spending, &months);
    let chart = |c: Chart| serde_json::to_string(&c).unwrap_or_default();
    let charts: Vec<String> = [
        Some(chart(Chart {
            title: w.persons_title.into(),
            categories: areas.iter().map(|a| a.name.clone()).collect(),
            series: program_names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), areas.iter().map(|a| a.persons[i] as f64).collect()))
                .collect(),
            kind: "bar",
            stack: true,
            x_name: w.region.into(),
            y_name: format!("{}{}{}{}", w.persons, lang.text().lp, w.people, lang.text().rp),
        })),
        // Payment lists are the counties': below a county there is no list to add up.
        (f.region.level() <= minzheng_domain::RegionLevel::County).then(|| {
            chart(Chart {
                title: w.spending_title.into(),
                categories: month_labels.clone(),
                series: vec![(w.monthly.into(), spending.iter().map(|v| *v as f64 / 100.0).collect())],
                kind: "line",
                stack: false,
                x_name: w.month_axis.into(),
                y_name: w.yuan.into(),
            })
        }),
        Some(chart(Chart {
            title: w.flows_title.into(),
            categories: month_labels,
            series: vec![
                (w.started.into(), started.iter().map(|v| *v as f64).collect()),
                (w.ended.into(), ended.iter().map(|v| *v as f64).collect()),
            ],
            kind: "bar",
            stack: false,
            x_name: w.month_axis.into(),
            y_name: w.items.into(),
        })),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (open_findings, findings) = finding_rows(&f, lang);
    let this = months.len().saturating_sub(1);
    let cards = vec![
        Card { label: w.covered, value: format!("{} {}", totals.iter().map(|t| t.persons).sum::<i64>(), w.people), id: "covered" },
        Card { label: w.households, value: format!("{} {}", totals.iter().map(|t| t.households).sum::<i64>(), w.items), id: "households" },
        Card { label: w.monthly, value: format!("{} {}", yuan(totals.iter().map(|t| t.monthly).sum()), w.yuan), id: "monthly" },
        Card { label: w.started, value: started.get(this).copied().unwrap_or(0).to_string(), id: "started" },
        Card { label: w.ended, value: ended.get(this).copied().unwrap_or(0).to_string(), id: "ended" },
        Card { label: w.open_findings, value: open_findings.to_string(), id: "open-findings" },
        Card {
            label: w.open_cases,
            value: format!("{}{}{} {}{}", f.open_cases, lang.text().lp, w.overdue, f.overdue_cases, lang.text().rp),
            id: "open-cases",
        },
    ];
    let up = f.region.parent().filter(|p| who.principal.in_scope(p)).map(|p| p.to_string());
    let page = DashboardPage {
        t: lang.text(),
        w,
        user: Some(UserBar::of(&who)),
        region_name: crate::pages::region_label(&s, &f.region, lang),
        month: f.month.format("%Y-%m").to_string(),
        up,
        cards,
        total_persons: totals.iter().map(|t| t.persons).sum(),
        total_households: totals.iter().map(|t| t.households).sum(),
        total_monthly: yuan(totals.iter().map(|t| t.monthly).sum()),
        programs: totals
            .iter()
            .zip(&program_names)
            .map(|(t, name)| ProgramLine { name: name.clone(), households: t.households, persons: t.persons, monthly: yuan(t.monthly) })
            .collect(),
        program_names,
        areas,
        charts,
        findings,
        cases: f.cases.iter().filter(|(_, n)| *n > 0).map(|(st, n)| (crate::cases::status_label(*st, lang).to_string(), *n)).collect(),
    };
    Ok(render(&page)?.into_response())
}

/// Open findings in all, and per kind open and resolved.
fn finding_rows(f: &Figures, lang: Lang) -> (u64, Vec<(String, u64, u64)>) {
    let mut rows: Vec<(String, u64, u64)> = Vec::new();
    let mut open = 0;
    for kind in FindingKind::ALL {
        let of = |resolved: bool| {
            f.findings
                .iter()
                .filter(|c| c.kind == kind.as_str() && (c.status == FindingStatus::Resolved.as_str()) == resolved)
                .map(|c| c.count)
                .sum::<u64>()
        };
        let (o, r) = (of(false), of(true));
        open += o;
        if o + r > 0 {
            rows.push((if lang == Lang::Zh { kind.zh() } else { kind.en() }.to_string(), o, r));
        }
    }
    (open, rows)
}

/// The same figures as JSON, for other tools (numbers only).
pub(super) async fn api(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<RegionParam>,
) -> Result<Json<serde_json::Value>, AppError> {
    let f = figures(s.store.as_ref(), &who.principal, asked(&p)?.as_ref(), s.clock.today()).await?;
    let order: Vec<String> = s.engine.policy.programs.iter().map(|p| p.code.clone()).collect();
    let programs: Vec<serde_json::Value> = by_program(&f.coverage, &order)
        .iter()
        .map(|t| serde_json::json!({ "program": t.program, "households": t.households, "persons": t.persons, "monthly_fen": t.monthly }))
        .collect();
    let areas: Vec<serde_json::Value> = f
        .coverage
        .iter()
        .map(|r| serde_json::json!({ "region": r.area, "program": r.program, "households": r.households, "persons": r.persons, "monthly_fen": r.monthly }))
        .collect();
    Ok(Json(serde_json::json!({
        "region": f.region.to_string(),
        "month": f.month,
        "programs": programs,
        "areas": areas,
        "open_cases": f.open_cases,
        "overdue_cases": f.overdue_cases,
        "cases": f.cases.iter().map(|(st, n)| serde_json::json!({ "status": st.as_str(), "count": n })).collect::<Vec<_>>(),
        "findings": f.findings,
    })))
}
