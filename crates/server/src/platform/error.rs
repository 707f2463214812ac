//! One error type for every route: an HTTP status, a stable code, and the message in Chinese
//! and English.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use minzheng_domain::Bilingual;
use minzheng_store::StoreError;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError { status, code, zh: zh.into(), en: en.into() }
    }
    pub fn bad_input(code: &'static str, e: &dyn Bilingual) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, code, e.zh(), e.en())
    }
    pub fn not_found(what_zh: &str, what_en: &str) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", format!("{what_zh}不存在"), format!("{what_en} not found"))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        tracing_error(&e);
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", "数据库错误，请稍后重试", "database error, please try again later")
    }
}

fn tracing_error(e: &StoreError) {
    eprintln!("storage error: {e}");
}

impl From<minzheng_app::registry::AccessError> for AppError {
    fn from(e: minzheng_app::registry::AccessError) -> AppError {
        use minzheng_app::registry::AccessError as E;
        let (status, code) = match &e {
            E::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            E::OutOfScope => (StatusCode::FORBIDDEN, "out_of_scope"),
            E::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            E::NoReason => (StatusCode::BAD_REQUEST, "reason_required"),
            E::Store(s) => {
                eprintln!("storage error: {s}");
                (StatusCode::INTERNAL_SERVER_ERROR, "storage")
            }
        };
        AppError::new(status, code, e.zh(), e.en())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message_zh": self.zh, "message_en": self.en } });
        (self.status, Json(body)).into_response()
    }
}
