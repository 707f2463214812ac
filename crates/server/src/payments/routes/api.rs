//! 资金发放's JSON API: thin handlers over the use cases.

#[allow(unused_imports)]
use super::*;

/// `?county=`: only one county's lists.
#[derive(Deserialize, Default)]
pub(in crate::payments) struct CountyParam {
    pub(in crate::payments) county: Option<String>,
}

pub(in crate::payments) fn county_param(q: &CountyParam) -> Result<Option<RegionCode>, AppError> {
    q.county.as_deref().filter(|c| !c.trim().is_empty()).map(crate::platform::api::parse_region).transpose()
}

pub(in crate::payments) async fn api_list(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Json<Vec<Payroll>>, AppError> {
    Ok(Json(service::list(s.store.as_ref(), &who.principal, county_param(&q)?.as_ref()).await?))
}

#[derive(Deserialize)]
pub(in crate::payments) struct PrepareRequest {
    program: String,
    /// 6-digit county; default: the account's region.
    county: Option<String>,
    /// `2026-09`.
    month: String,
}

#[derive(serde::Serialize)]
pub(in crate::payments) struct PayrollWithLines {
    #[serde(flatten)]
    payroll: Payroll,
    payroll_lines: Vec<serde_json::Value>,
    results: Vec<PaymentResult>,
}

/// Records as JSON, with the payee's ID number masked for the roles that see numbers masked.
pub(in crate::payments) fn shown<T: serde::Serialize>(
    who: &Authenticated,
    items: &[T],
    payee: impl Fn(&T) -> IdNumber,
) -> Result<Vec<serde_json::Value>, AppError> {
    items
        .iter()
        .map(|x| {
            let mut v = serde_json::to_value(x).map_err(|e| {
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "json", "数据转换失败", format!("serialising failed: {e}"))
            })?;
            v["payee"] = serde_json::Value::String(service::shown_payee(&who.principal, &payee(x)));
            Ok(v)
        })
        .collect()
}

pub(in crate::payments) fn county_or_own(who: &Authenticated, county: Option<&str>) -> Result<RegionCode, AppError> {
    match county.filter(|c| !c.trim().is_empty()) {
        Some(c) => crate::platform::api::parse_region(c),
        None => Ok(who.principal.region.clone()),
    }
}

/// `POST /api/payrolls` (needs `x-csrf-token`): prepares (or prepares again) a month's list.
pub(in crate::payments) async fn api_prepare(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<PrepareRequest>,
) -> Result<(StatusCode, Json<Payroll>), AppError> {
    who.require_csrf(&s, csrf_of(&headers)).await?;
    let county = county_or_own(&who, r.county.as_deref())?;
    let month = parse_month(&r.month)?;
    let (p, _) = service::prepare(
        s.store.as_ref(),
        &s.engine,
        &who.cx(s.clock.today()),
        &service::ListFor { program: r.program.clone(), county: county.clone(), month },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(p)))
}

pub(in crate::payments) async fn api_one(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<PayrollWithLines>, AppError> {
    let (payroll, lines, results) = service::one(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let payroll_lines = shown(&who, &lines, |l| l.payee)?;
    Ok(Json(PayrollWithLines { payroll, payroll_lines, results }))
}

#[derive(Deserialize)]
pub(in crate::payments) struct StepRequest {
    /// `approve`, `send_back` or `lock`.
    step: String,
}

pub(in crate::payments) fn step_of(text: &str) -> Result<Step, AppError> {
    Step::parse(text.trim()).ok_or_else(|| {
        bad("bad_step", format!("“{text}”不是花名册的操作（审核、退回、锁定）"), format!("{text:?} is not approve, send_back or lock"))
    })
}

/// `POST /api/payrolls/{id}/step` (needs `x-csrf-token`).
pub(in crate::payments) async fn api_step(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    Json(r): Json<StepRequest>,
) -> Result<Json<Payroll>, AppError> {
    who.require_csrf(&s, csrf_of(&headers)).await?;
    Ok(Json(service::step(s.store.as_ref(), &s.engine, &who.cx(s.clock.today()), id, step_of(&r.step)?).await?))
}

#[derive(Deserialize)]
pub(in crate::payments) struct AccountRequest {
    id_number: String,
    name: String,
    bank: String,
    #[serde(default)]
    kind: String,
    account_no: String,
}

pub(in crate::payments) fn account_of(a: &AccountRequest) -> Result<PaymentAccount, AppError> {
    let holder = IdNumber::parse(&a.id_number).map_err(|e| bad("bad_id_number", e.zh(), e.en()))?;
    let kind = AccountKind::parse(&a.kind).ok_or_else(|| {
        bad("bad_kind", format!("账户类型“{}”应为 银行卡 或 存折", a.kind), format!("kind {:?}: card or passbook", a.kind))
    })?;
    Ok(PaymentAccount {
        holder,
        holder_name: a.name.clone(),
        household_no: String::new(),
        bank: a.bank.clone(),
        kind,
        account_no: a.account_no.clone(),
    })
}

/// `POST /api/payment-accounts` (needs `x-csrf-token`): records accounts, all or none.
pub(in crate::payments) async fn api_accounts(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(list): Json<Vec<AccountRequest>>,
) -> Result<Json<serde_json::Value>, AppError> {
    who.require_csrf(&s, csrf_of(&headers)).await?;
    let accounts = list.iter().map(account_of).collect::<Result<Vec<_>, _>>()?;
    let changed = service::save_accounts(s.store.as_ref(), &who.cx(s.clock.today()), accounts, "api").await?;
    Ok(Json(serde_json::json!({ "changed": changed })))
}
