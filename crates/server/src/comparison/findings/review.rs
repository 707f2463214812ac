//! 待人工复核: the linkage's review band, row by row, decided by the verification officer.

#[allow(unused_imports)]
use super::*;

pub(in crate::comparison) struct ReviewRow {
    id: i64,
    source: String,
    row_no: i64,
    recorded_id: String,
    recorded_name: String,
    proposed: String,
    probability: String,
    explanation: String,
}

#[derive(Template)]
#[template(path = "linkage_review.html")]
pub(in crate::comparison) struct ReviewPage {
    t: &'static crate::i18n::Text,
    user: Option<UserBar>,
    csrf: String,
    rows: Vec<ReviewRow>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub(in crate::comparison) struct ReviewParams {
    done: Option<String>,
    region: Option<String>,
}

pub(in crate::comparison) async fn review_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<ReviewParams>,
) -> Result<Response, AppError> {
    let region = match p.region.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(parse_region(t)?),
        None => None,
    };
    let items = use_case::review_queue(s.store.as_ref(), &who.cx(s.clock.today()), region.as_ref(), 200).await?;
    let masked = !who.principal.role.sees_full_identity();
    let rows = items
        .into_iter()
        .map(|i| ReviewRow {
            id: i.record.id,
            source: i.record.source.clone(),
            row_no: i.record.row_no,
            recorded_id: if masked { "****".into() } else { i.record.recorded_id.clone() },
            recorded_name: i.record.recorded_name.clone(),
            proposed: format!("{} {}", i.proposed_name, i.proposed_id),
            probability: format!("{:.1}%", f64::from(i.record.probability) / 10.0),
            explanation: i
                .record
                .fields
                .iter()
                .find(|(k, _)| k == minzheng_app::economy::EXPLANATION)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        })
        .collect();
    let page = ReviewPage {
        t: who.lang.text(),
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        rows,
        message: p.done.filter(|d| d.len() <= 200),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub(in crate::comparison) struct DecideForm {
    csrf: Option<String>,
    /// accept or reject
    decision: String,
}

pub(in crate::comparison) async fn form_decide(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<DecideForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let accept = match f.decision.as_str() {
        "accept" => true,
        "reject" => false,
        other => {
            return Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_decision",
                format!("处理“{other}”应为 accept 或 reject"),
                format!("decision {other:?} must be accept or reject"),
            ))
        }
    };
    let report = use_case::decide_link(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, accept).await?;
    let en = who.lang == Lang::En;
    let message = match report {
        Some(r) if en => format!("linked; {} new findings", r.added),
        Some(r) => format!("已确认关联，比对新增疑点 {} 条", r.added),
        None if en => "marked as nobody".to_string(),
        None => "已确认不关联".to_string(),
    };
    let back = serde_urlencoded::to_string([("done", message.as_str())]).unwrap_or_default();
    Ok(Redirect::to(&format!("/linkage/review?{back}")).into_response())
}

/// The accounts a finding may be assigned to, as the form lists them: (login, 王芳（街道审核）).
pub(in crate::comparison) async fn assignee_choices(s: &AppState, who: &Authenticated) -> Result<Vec<(String, String)>, AppError> {
    if !who.principal.may(Permission::WorkFindings) {
        return Ok(Vec::new());
    }
    let zh = who.lang == Lang::Zh;
    Ok(use_case::assignees(s.store.as_ref(), &who.principal)
        .await?
        .into_iter()
        .map(|(login, role)| {
            let person = crate::pages::person(s, &login);
            let role = if zh { role.zh() } else { role.en() };
            let t = who.lang.text();
            let label = if person == login {
                format!("{login}{}{role}{}", t.lp, t.rp)
            } else {
                format!("{person}{}{role}{}{login}{}", t.lp, t.comma, t.rp)
            };
            (login, label)
        })
        .collect())
}

/// 导出Excel: the findings list with the page's filters (region, kind, status, mine), up to
/// `sheet::MAX_ROWS` rows; each page read is audited as the list is.
pub(in crate::comparison) async fn export(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<ListPageParams>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let f = FindingText::of(lang);
    let (mut q, _) = page_query(&s, &who, &p, 1000)?;
    q.before = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    loop {
        let page = use_case::findings(s.store.as_ref(), &who.cx(s.clock.today()), q.clone()).await?;
        rows.extend(page.items.iter().map(|x| {
            let r = row_of(&s, x, lang);
            vec![r.id.to_string(), r.kind, r.summary, r.household_no, r.region, r.confidence, r.status, r.assigned_to, r.found_on]
        }));
        match page.next.and_then(|n| n.parse().ok()) {
            Some(n) if rows.len() < crate::platform::sheet::MAX_ROWS => q.before = Some(n),
            _ => break,
        }
    }
    rows.truncate(crate::platform::sheet::MAX_ROWS);
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.first().and_then(|id| id.parse().ok())).collect();
    let filters = serde_json::json!({ "region": p.region, "kind": p.kind, "status": p.status, "mine": p.mine });
    minzheng_app::export::record_list_export(s.store.as_ref(), &who.cx(s.clock.today()), "finding", filters, &ids).await?;
    let headers = ["#", f.kind, f.summary, f.household, f.region, f.confidence, f.status, f.assigned_to, f.found_on];
    let bytes = crate::platform::sheet::workbook(if lang == Lang::Zh { "比对疑点" } else { "Findings" }, &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, "findings.xlsx"))
}

/// A field of a finding's evidence in the page's language: the comparison's own labels and
/// status words are stored in Chinese (as the evidence is printed and kept); the departmental
/// file's own column names and values are data and stay as the file has them.
pub(in crate::comparison) fn evidence_field(label: &str, value: &str, lang: Lang) -> (String, String) {
    if lang == Lang::Zh {
        return (label.to_string(), value.to_string());
    }
    let en = match label {
        "身份证号" => "ID number",
        "姓名" => "Name",
        "户编号" => "Household",
        "起始月份" => "First month",
        "状态" => "Status",
        "月保障金额" => "Monthly amount",
        "文件行号" => "Row in the file",
        "户籍地" => "Hukou region",
        "对象范围" => "Who the program is for",
        "关联方式" => "How the row was linked",
        "保障项目" => "Program",
        "保障成员" => "Members covered",
        "依据" => "Legal basis",
        "人口库状态" => "Registry status",
        "花名册序号" => "Line of the payment list",
        "收款人" => "Payee",
        "发放月份" => "Months paid",
        "实发" => "Paid",
        "账号" => "Account",
        other => other,
    };
    let value = match value {
        "在册" => "living",
        "死亡" => "deceased",
        "迁出" => "moved out",
        "在保" => "active",
        "暂停" => "suspended",
        "停保" => "stopped",
        other => other,
    };
    (en.to_string(), value.to_string())
}
