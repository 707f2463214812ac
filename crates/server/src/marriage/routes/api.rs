//! 婚姻登记's JSON API: thin handlers over the use cases, JSON in and out.

#[allow(unused_imports)]
use super::*;

pub(in crate::marriage) async fn api_figures(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<FiguresParam>,
) -> Result<Json<Vec<MonthFigures>>, AppError> {
    let year = year_of(&s, &q)?;
    Ok(Json(service::figures(s.store.as_ref(), &who.principal, region_of(&q)?.as_ref(), year, s.clock.today()).await?))
}

/// `POST /api/marriage/registrations` (needs `x-csrf-token`): 201 with the marriage and what it
/// set going, or 422 with the refusal and its rule.
pub(in crate::marriage) async fn api_register(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(app): Json<MarriageApplication>,
) -> Result<(StatusCode, Json<Registered>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let r = service::register_marriage(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), app).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(serde::Serialize)]
pub(in crate::marriage) struct MarriageWithDivorces {
    #[serde(flatten)]
    marriage: Marriage,
    divorces: Vec<DivorceRecord>,
}

pub(in crate::marriage) async fn api_marriage(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<MarriageWithDivorces>, AppError> {
    let (marriage, divorces) = service::marriage(s.store.as_ref(), &who.principal, id).await?;
    Ok(Json(MarriageWithDivorces { marriage, divorces }))
}

/// `POST /api/marriage/divorces` (needs `x-csrf-token`): 201 with the application and its
/// cooling-off period and window.
pub(in crate::marriage) async fn api_apply_divorce(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(app): Json<DivorceApplication>,
) -> Result<(StatusCode, Json<DivorceRecord>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let d = service::apply_divorce(s.store.as_ref(), &who.cx(s.clock.today()), app).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

pub(in crate::marriage) async fn api_divorce(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<DivorceRecord>, AppError> {
    Ok(Json(service::divorce_shown(s.store.as_ref(), &who.principal, id).await?))
}

#[derive(Deserialize)]
pub(in crate::marriage) struct WithdrawBody {
    /// `first`, `second`, or the party's ID number.
    party: String,
}

pub(in crate::marriage) async fn api_withdraw(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(b): Json<WithdrawBody>,
) -> Result<Json<DivorceRecord>, AppError> {
    who.require_csrf_header(&s, &headers).await?;
    Ok(Json(service::withdraw_divorce(s.store.as_ref(), &who.cx(s.clock.today()), id, b.party.trim()).await?))
}

#[derive(Deserialize)]
pub(in crate::marriage) struct CertificateBody {
    both_present: bool,
}

pub(in crate::marriage) async fn api_certify(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    Json(b): Json<CertificateBody>,
) -> Result<(StatusCode, Json<Divorced>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    let d = service::certify_divorce(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), id, b.both_present).await?;
    Ok((StatusCode::CREATED, Json(d)))
}
