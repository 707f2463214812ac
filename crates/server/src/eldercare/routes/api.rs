//! 养老服务's JSON API: thin handlers over the use cases, JSON in and out.

#[allow(unused_imports)]
use super::*;

pub(in crate::eldercare) async fn api_indicators(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Json<Vec<Indicators>>, AppError> {
    let day = date_of(&s, &q)?;
    Ok(Json(service::county_indicators(s.store.as_ref(), &who.principal, region_of(&q)?.as_ref(), day).await?))
}

pub(in crate::eldercare) async fn api_institutions(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<RegionParam>,
) -> Result<Json<Vec<Institution>>, AppError> {
    Ok(Json(service::institutions(s.store.as_ref(), &who.principal, region_of(&q)?.as_ref(), s.clock.today()).await?))
}

#[derive(serde::Serialize)]
pub(in crate::eldercare) struct InstitutionWithResidents {
    #[serde(flatten)]
    institution: Institution,
    residents: Vec<Residency>,
    inspections: Vec<Inspection>,
}

pub(in crate::eldercare) async fn api_institution(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<InstitutionWithResidents>, AppError> {
    let (institution, residents, inspections) = service::institution(s.store.as_ref(), &who.principal, id, s.clock.today()).await?;
    Ok(Json(InstitutionWithResidents { institution, residents, inspections }))
}

/// `POST /api/eldercare/institutions` (needs `x-csrf-token`): a filing; 201 with the receipt.
pub(in crate::eldercare) async fn api_file(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(f): Json<Filing>,
) -> Result<(StatusCode, Json<Institution>), AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let i = service::file(s.store.as_ref(), &who.cx(s.clock.today()), f).await?;
    Ok((StatusCode::CREATED, Json(i)))
}

#[derive(Deserialize)]
pub(in crate::eldercare) struct AssessmentRequest {
    id_number: String,
    assessed_on: NaiveDate,
    reason: Reason,
    assessor: String,
    #[serde(default)]
    organisation: String,
    /// One score per item, in the form's order (26).
    scores: Vec<u8>,
    #[serde(default)]
    coma: bool,
    #[serde(default)]
    dementia: bool,
    #[serde(default)]
    mental_disorder: bool,
    #[serde(default)]
    risk_events: u8,
}

/// `POST /api/eldercare/assessments` (needs `x-csrf-token`): an assessment; 201 with its result
/// and the change case it opened, if any.
pub(in crate::eldercare) async fn api_assess(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(a): Json<AssessmentRequest>,
) -> Result<(StatusCode, Json<Recorded>), AppError> {
    who.require_csrf(&s, headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).await?;
    let new = NewAssessment {
        id_number: a.id_number,
        assessed_on: a.assessed_on,
        reason: a.reason,
        assessor: a.assessor,
        organisation: a.organisation,
        answers: Answers {
            scores: a.scores,
            coma: a.coma,
            dementia: a.dementia,
            mental_disorder: a.mental_disorder,
            risk_events: a.risk_events,
        },
    };
    let r = service::record_assessment(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), new).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

pub(in crate::eldercare) async fn api_assessment(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<AssessmentRecord>, AppError> {
    Ok(Json(service::assessment(s.store.as_ref(), &who.principal, id).await?.0))
}
