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
    /// The form field the error is about, when it is about one (the pages show the message
    /// beside it).
    pub field: Option<&'static str>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError { status, code, zh: zh.into(), en: en.into(), field: None }
    }
    pub fn bad_input(code: &'static str, e: &dyn Bilingual) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, code, e.zh(), e.en())
    }
    /// The same error, about the form field `name`.
    pub fn on_field(mut self, name: &'static str) -> AppError {
        self.field = Some(name);
        self
    }
    pub fn not_found(what_zh: &str, what_en: &str) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", format!("{what_zh}不存在"), format!("{what_en} not found"))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        // The driver's text goes to the server log with the request id, not to the client.
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", "数据库错误，请稍后重试", format!("storage: {e}"))
    }
}

impl From<minzheng_app::registry::AccessError> for AppError {
    fn from(e: minzheng_app::registry::AccessError) -> AppError {
        use minzheng_app::registry::AccessError as E;
        let (status, code) = match &e {
            E::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            E::OutOfScope => (StatusCode::FORBIDDEN, "out_of_scope"),
            E::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            E::NoReason => (StatusCode::BAD_REQUEST, "reason_required"),
            E::StaleCursor => (StatusCode::BAD_REQUEST, "stale_cursor"),
            E::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "storage"),
        };
        let out = AppError::new(status, code, e.zh(), e.en());
        if code == "reason_required" {
            out.on_field("reason")
        } else {
            out
        }
    }
}

/// What went wrong inside the server, kept from the client: the request-id middleware writes it
/// to the server log with the request's id and takes it off the response.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub String);

impl AppError {
    /// The messages a client is given: an error of the server (5xx) says only that it happened
    /// and its stable code; its own text (a driver's or the query engine's, with table and
    /// column names) is for the log. Client errors keep their explanation.
    pub(crate) fn public_messages(&self) -> (String, String) {
        if self.status.is_server_error() {
            (
                format!("服务器内部错误（{}），请稍后重试；如需协助，请提供响应头 x-request-id 中的请求编号", self.code),
                format!(
                    "internal error ({}); please try again later, and quote the request id of the x-request-id header if it persists",
                    self.code
                ),
            )
        } else {
            (self.zh.clone(), self.en.clone())
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (zh, en) = self.public_messages();
        let mut error = serde_json::json!({ "code": self.code, "message_zh": zh, "message_en": en });
        if let Some(field) = self.field {
            error["field"] = field.into();
        }
        let body = serde_json::json!({ "error": error });
        let mut res = (self.status, Json(body)).into_response();
        if self.status.is_server_error() {
            res.extensions_mut().insert(InternalDetail(format!("{}: {} / {}", self.code, self.zh, self.en)));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_server_error_answers_with_its_code_and_keeps_the_engines_text_for_the_log() {
        let e = AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "engine",
            "计算失败：Schema error",
            "DataFusion error: Schema error: No field named persons.id_no",
        );
        let res = e.into_response();
        let detail = res.extensions().get::<InternalDetail>().map(|d| d.0.clone()).unwrap_or_default();
        assert!(detail.contains("persons.id_no"), "the log gets the detail");
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("\"engine\"") && !text.contains("DataFusion") && !text.contains("id_no"), "{text}");
    }

    #[tokio::test]
    async fn a_client_error_keeps_its_explanation() {
        let res = AppError::new(StatusCode::BAD_REQUEST, "invalid", "身份证号校验位错误", "wrong check character").into_response();
        assert!(res.extensions().get::<InternalDetail>().is_none());
        let body = axum::body::to_bytes(res.into_body(), 10_000).await.unwrap_or_default();
        assert!(String::from_utf8_lossy(&body).contains("校验位"));
    }
}
