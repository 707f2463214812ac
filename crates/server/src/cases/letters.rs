//! Decision letters and public notices (公示) as PDF.

#[allow(unused_imports)]
use super::*;

pub(crate) fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    ([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\""))], bytes)
        .into_response()
}

pub(crate) async fn letter_pdf(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (_, _, full) = use_case::case_whole(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    // A limited view (the accepting community follows the status only) gets no letter.
    let full = full.ok_or(minzheng_app::registry::AccessError::OutOfScope)?;
    let service = s.catalogue.service(&full.service).ok_or(minzheng_app::registry::AccessError::NotFound)?;
    let owner_name = s.store.region(&full.owner).await?.map(|r| r.name).unwrap_or_else(|| full.owner.to_string());
    let bytes = use_case::decision_pdf(&full, service, &owner_name)
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "no_decision", "该办件尚未作出决定", "the case has no decision yet"))?;
    Ok(pdf(bytes, &format!("case-{id}.pdf")))
}

pub(crate) async fn notice_pdf(State(s): State<AppState>, who: Authenticated, Path(community): Path<String>) -> Result<Response, AppError> {
    let code = parse_region(community.trim_end_matches(".pdf"))?;
    let cases = use_case::notice_list(s.store.as_ref(), &who.cx(s.clock.today()), &code).await?;
    let name = s.store.region(&code).await?.map(|r| r.name).unwrap_or_else(|| code.to_string());
    let bytes = use_case::notice_pdf(&name, &cases, |p| program_name(&s, p, Lang::Zh));
    Ok(pdf(bytes, &format!("notice-{code}.pdf")))
}

/// 受理回执 (PDF): for the applicant, from the window that accepted the application or the
/// county and community that handle it.
pub(crate) async fn receipt_pdf(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let case = use_case::for_receipt(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let service = s.catalogue.service(&case.service).ok_or(minzheng_app::registry::AccessError::NotFound)?;
    let bytes = use_case::receipt_pdf(
        &case,
        service,
        &crate::pages::region_name(&s, &case.accepted_at),
        &crate::pages::region_name(&s, &case.owner),
    );
    Ok(pdf(bytes, &format!("receipt-{id}.pdf")))
}

/// 一次性告知书 (PDF): the acceptance form sent to this address instead of `/cases` (its second
/// button): everything the application still lacks, in writing, so the applicant comes once.
pub(crate) async fn missing_documents_pdf(State(s): State<AppState>, who: Authenticated, body: String) -> Result<Response, AppError> {
    let app = application_of(&s, &who, &body).await?;
    let today = s.clock.today();
    let (missing, name) = use_case::missing_documents(s.store.as_ref(), &s.catalogue, &who.cx(today), &app).await?;
    let service = s.catalogue.service(app.service.trim()).ok_or(minzheng_app::registry::AccessError::NotFound)?;
    let docs: Vec<&minzheng_domain::case::Document> = service.documents.iter().filter(|d| missing.contains(&d.code)).collect();
    let bytes = use_case::missing_documents_pdf(service, &name, &docs, today, &crate::pages::region_name(&s, &who.principal.region));
    Ok(pdf(bytes, "missing-documents.pdf"))
}
