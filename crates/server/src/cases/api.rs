//! The cases' JSON API: the catalogue, lists, acceptance, one case, a step.

#[allow(unused_imports)]
use super::*;

#[derive(Serialize)]
pub(crate) struct ServicesReply {
    pub(crate) services: Vec<minzheng_domain::Service>,
    pub(crate) report: Vec<DocumentsLine>,
}

#[derive(Deserialize, Default)]
pub(crate) struct ReportParams {
    pub(crate) since: Option<String>,
    pub(crate) on: Option<String>,
}

pub(crate) fn report_of(s: &AppState, p: &ReportParams) -> Result<(chrono::NaiveDate, chrono::NaiveDate, Vec<DocumentsLine>), AppError> {
    let since = match p.since.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => parse_date(Some(t), s.clock.today())?,
        None => chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or_default(),
    };
    let on = parse_date(p.on.as_deref(), s.clock.today())?;
    Ok((since, on, minzheng_domain::case::documents_report(&s.catalogue.services, since, on)))
}

pub(crate) async fn api_services(
    State(s): State<AppState>,
    _who: Authenticated,
    Query(p): Query<ReportParams>,
) -> Result<Json<ServicesReply>, AppError> {
    let (_, _, report) = report_of(&s, &p)?;
    Ok(Json(ServicesReply { services: s.catalogue.services.clone(), report }))
}

#[derive(Deserialize)]
pub(crate) struct ListParams {
    pub(crate) list: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) before: Option<i64>,
    pub(crate) limit: Option<u32>,
}

pub(crate) use crate::platform::api::region_of;

pub(crate) fn list_of(text: Option<&str>) -> Result<CaseList, AppError> {
    let t = text.unwrap_or_default();
    CaseList::parse(t).ok_or_else(|| {
        bad("bad_list", format!("列表“{t}”应为 queue、accepted、due 或 all"), format!("list {t:?} must be queue, accepted, due or all"))
    })
}

pub(crate) async fn api_list(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<ListParams>,
) -> Result<Json<Page<CaseView>>, AppError> {
    let list = list_of(p.list.as_deref())?;
    let region = region_of(p.region.as_deref())?;
    Ok(Json(
        use_case::cases(
            s.store.as_ref(),
            &who.cx(s.clock.today()),
            list,
            region.as_ref(),
            p.before,
            p.limit.unwrap_or(50),
            &Default::default(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
pub(crate) struct AcceptRequest {
    pub(crate) service: String,
    pub(crate) applicant: String,
    #[serde(default)]
    pub(crate) documents: Vec<String>,
    #[serde(default)]
    pub(crate) staff_relative: bool,
    pub(crate) comment: String,
}

pub(crate) async fn api_accept(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<AcceptRequest>,
) -> Result<(StatusCode, Json<CaseView>), AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let app = Application {
        service: r.service,
        applicant: parse_id(&r.applicant)?,
        documents: r.documents,
        staff_relative: r.staff_relative,
        comment: r.comment,
    };
    let c = use_case::accept(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), &app).await?;
    Ok((StatusCode::CREATED, Json(CaseView::of(c, &who.principal))))
}

#[derive(Serialize)]
pub(crate) struct CaseWithEvents {
    pub(crate) case: CaseView,
    pub(crate) events: Vec<CaseEvent>,
}

pub(crate) async fn api_one(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Json<CaseWithEvents>, AppError> {
    let (case, events) = use_case::case(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    Ok(Json(CaseWithEvents { case, events }))
}

/// A step as the API and the forms give it.
#[derive(Deserialize, Default)]
pub(crate) struct StepRequest {
    /// survey, record_check, review, return, publish_notice, object, democratic_review,
    /// approve, refuse, withdraw, pay_first, extend, refer
    pub(crate) action: String,
    pub(crate) comment: String,
    /// The version of the case the account saw: the step is refused if it has changed since.
    pub(crate) seen: Option<i64>,
    /// survey: the staff (two or more), comma separated in forms.
    pub(crate) staff: Option<String>,
    pub(crate) home_visit: Option<bool>,
    pub(crate) findings: Option<String>,
    /// record_check: monthly income per person in yuan, assets within limits, and the stored check.
    pub(crate) per_capita_income: Option<String>,
    pub(crate) assets_within_limits: Option<bool>,
    pub(crate) report: Option<i64>,
    pub(crate) objection: Option<String>,
    /// approve (临时救助) and pay_first: yuan.
    pub(crate) amount: Option<String>,
    pub(crate) reason: Option<String>,
}

pub(crate) fn yuan(text: Option<&str>, what: &str) -> Result<Option<Fen>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Fen::parse_yuan(t).map(Some).map_err(|_| {
            bad(
                "bad_amount",
                format!("{what}“{t}”应为金额（元），如 800 或 800.50"),
                format!("{what} {t:?} must be an amount in yuan such as 800 or 800.50"),
            )
        }),
    }
}

pub(crate) fn action_of(r: &StepRequest) -> Result<CaseAction, AppError> {
    Ok(match r.action.trim() {
        "survey" => CaseAction::Survey {
            staff: r
                .staff
                .as_deref()
                .unwrap_or_default()
                .split([',', '，', '、', ' '])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            home_visit: r.home_visit.unwrap_or(false),
            findings: r.findings.clone().unwrap_or_default(),
        },
        "record_check" => CaseAction::RecordCheck {
            per_capita_income: yuan(r.per_capita_income.as_deref(), "人均收入")?.ok_or_else(|| {
                bad("bad_amount", "请填写家庭月人均收入（元）".into(), "give the monthly income per person (yuan)".into())
            })?,
            // Never a default: the worker says which.
            assets_within_limits: r.assets_within_limits.ok_or_else(|| {
                bad(
                    "no_assets_decision",
                    "请选择核对结果：财产未超标或财产超标".into(),
                    "say whether the assets are within the limits or over them (assets_within_limits)".into(),
                )
            })?,
            report: r.report,
        },
        "review" => CaseAction::Review,
        "return" => CaseAction::Return,
        "publish_notice" => CaseAction::PublishNotice,
        "object" => CaseAction::Object { objection: r.objection.clone().unwrap_or_default() },
        "democratic_review" => CaseAction::DemocraticReview,
        "approve" => CaseAction::Approve { amount: yuan(r.amount.as_deref(), "金额")? },
        "refuse" => CaseAction::Refuse { reason: r.reason.clone().unwrap_or_default() },
        "withdraw" => CaseAction::Withdraw,
        "pay_first" => CaseAction::PayFirst { amount: yuan(r.amount.as_deref(), "金额")?.unwrap_or(Fen(0)) },
        "extend" => CaseAction::Extend,
        "refer" => CaseAction::Refer,
        other => return Err(bad("bad_action", format!("操作“{other}”不存在"), format!("no step {other:?}"))),
    })
}

pub(crate) async fn api_act(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<StepRequest>,
) -> Result<Json<CaseView>, AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    if r.seen.is_none() {
        return Err(bad(
            "no_seen",
            "请提供所见办件的版本号（seen），以免覆盖他人刚办理的环节".into(),
            "give the version of the case you saw (seen), so that nobody's step is overwritten".into(),
        ));
    }
    let action = action_of(&r)?;
    let c = use_case::act(
        s.store.as_ref(),
        &s.engine,
        &s.catalogue,
        &who.cx(s.clock.today()),
        id,
        Step { action: &action, comment: &r.comment, seen: r.seen },
    )
    .await?;
    Ok(Json(CaseView::of(c, &who.principal)))
}
