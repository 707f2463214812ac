//! Errors as pages: a person using the pages never sees the API's JSON. Every refusal, bad value,
//! missing record, unknown address or server error of a page route is drawn in the site's frame
//! (header, menu, language), in the page's language, with what to do next. The JSON API keeps its
//! JSON errors.
//!
//! Forms keep what was typed: the pages' script (`static/app.js`) sends a form in the background
//! with the `x-minzheng-form` header; an error then comes back as JSON and is shown beside the
//! form (beside the field it names), the form untouched. Without the script the form posts as
//! usual and the error comes back as this page, with a link back to the form.

use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::{header, HeaderMap, Method, Request, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The header the pages' script sends with a form it submits in the background: errors then
/// stay JSON, for the script to show beside the form.
pub const FORM_HEADER: &str = "x-minzheng-form";

/// Where a form sent in the background goes next (the `Location` of its redirect).
pub const LOCATION_HEADER: &str = "x-minzheng-location";

/// Largest error body read back to draw the page (errors are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Addresses whose errors stay as they are: the JSON API, files, metrics.
fn machine_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path.starts_with("/static/") || path == "/metrics"
}

struct Words {
    title: &'static str,
    back: &'static str,
    home: &'static str,
    request_id: &'static str,
}

fn words(lang: Lang, status: StatusCode) -> Words {
    let zh = lang == Lang::Zh;
    let title = match (status.as_u16(), zh) {
        (400 | 422, true) => "填写有误",
        (400 | 422, false) => "Please check what was entered",
        (401, true) => "请先登录",
        (401, false) => "Please sign in",
        (403, true) => "无权办理",
        (403, false) => "Not allowed",
        (404, true) => "找不到该页面或记录",
        (404, false) => "Page or record not found",
        (405, true) => "不支持该操作",
        (405, false) => "Not supported",
        (409, true) => "操作冲突",
        (409, false) => "Conflict",
        (413, true) => "提交的内容过大",
        (413, false) => "Too large",
        (429, true) => "操作过于频繁",
        (429, false) => "Too many attempts",
        (_, true) if status.is_server_error() => "服务器内部错误",
        (_, false) if status.is_server_error() => "Server error",
        (_, true) => "无法办理",
        (_, false) => "Could not be done",
    };
    if zh {
        Words { title, back: "返回上一页修改", home: "回到工作台", request_id: "请求编号" }
    } else {
        Words { title, back: "Back to the form", home: "Back to my desk", request_id: "Request id" }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: &'static Text,
    user: Option<UserBar>,
    title: &'static str,
    message: String,
    code: String,
    status: u16,
    back: Option<String>,
    back_label: &'static str,
    home_label: &'static str,
    request_id_label: &'static str,
    request_id: String,
}

/// What an error response says, read back from its JSON (or axum's plain-text rejection).
fn message_of(status: StatusCode, body: &[u8], json: bool, lang: Lang) -> (String, String) {
    if json {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            let e = &v["error"];
            let code = e["code"].as_str().unwrap_or("error").to_string();
            let key = if lang == Lang::En { "message_en" } else { "message_zh" };
            if let Some(m) = e[key].as_str() {
                return (m.to_string(), code);
            }
        }
    }
    // A rejection of the framework (a form field of the wrong kind, a body too large ...): its
    // text is English and technical; say what to do and keep the detail after it.
    let detail = String::from_utf8_lossy(body).chars().take(300).collect::<String>();
    let (zh, en) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("提交的内容过大，请缩小文件或分批提交", "what was sent is too large; send a smaller file or fewer rows")
        }
        s if s.is_server_error() => ("服务器内部错误，请稍后重试", "internal error; please try again later"),
        _ => ("表单中有内容填写不正确，请检查后重新提交", "something in the form is not filled in correctly; check it and send it again"),
    };
    let text = if lang == Lang::En { en } else { zh };
    let message = if detail.trim().is_empty() || status.is_server_error() { text.to_string() } else { format!("{text}（{detail}）") };
    (message, "invalid_form".to_string())
}

/// Where "back" goes: the page the form was on. Actions are posted to `<record>/<action>`; other
/// forms post to the address of their own page.
fn back_of(method: &Method, uri: &Uri) -> Option<String> {
    let path = uri.path();
    // Only a path of this site: never `//host/...` or `/\host` (another site to a browser).
    if method != Method::POST || !path.starts_with('/') || path.starts_with("//") || path.starts_with("/\\") {
        return None;
    }
    for action in ["/act", "/step", "/return", "/documents", "/progress", "/unmask", "/assign", "/compare"] {
        if let Some(record) = path.strip_suffix(action) {
            return Some(if record.is_empty() { "/".into() } else { record.to_string() });
        }
    }
    let parent = |prefix: &str, to: &str| path.starts_with(prefix).then(|| to.to_string());
    parent("/policy/", "/policy")
        .or_else(|| parent("/payments/recoveries/", "/payments/recoveries"))
        .or_else(|| parent("/linkage/review/", "/linkage/review"))
        .or_else(|| match path {
            "/cases" | "/cases/missing-documents" => Some("/cases/new".to_string()),
            "/logout" => Some("/".to_string()),
            _ => None,
        })
        .or_else(|| Some(path.to_string()))
}

/// Turns the error answers of page routes into pages in the site's frame (see the module's
/// comment). Placed inside the request-id layer so that what a server error logs still reaches
/// the log.
pub(crate) async fn error_pages(State(state): State<AppState>, req: Request<axum::body::Body>, next: Next) -> Response {
    let path = req.uri().path();
    let background_form = req.headers().get(FORM_HEADER).is_some();
    if machine_path(path) {
        return next.run(req).await;
    }
    if background_form {
        // The script follows a success itself: the address (with its #fragment, which a
        // followed redirect loses) in a header, and no page fetched twice.
        let res = next.run(req).await;
        let to_sign_in = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).is_some_and(|l| l.starts_with("/login"));
        if res.status().is_redirection() && to_sign_in {
            // The session ended while the form was being filled in: say so and keep the form.
            return AppError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "登录已过期：请在新窗口重新登录，再回到本页提交，已填写的内容不会丢失",
                "your session has ended: sign in again in a new window, then send this form again; nothing typed is lost",
            )
            .into_response();
        }
        let kind = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        if (res.status().is_client_error() || res.status().is_server_error()) && !kind.contains("json") && !kind.starts_with("text/html") {
            // A refusal of the framework (a field of the wrong kind, too large ...): as the
            // script reads every other refusal, in the page's language.
            let status = res.status();
            let (parts, body) = res.into_parts();
            let body = axum::body::to_bytes(body, MAX_ERROR_BODY).await.unwrap_or_default();
            let (message, _) = message_of(status, &body, false, Lang::Zh);
            let (message_en, _) = message_of(status, &body, false, Lang::En);
            let mut out = AppError::new(status, "invalid_form", message, message_en).into_response();
            if let Some(d) = parts.extensions.get::<super::error::InternalDetail>() {
                out.extensions_mut().insert(d.clone());
            }
            return out;
        }
        if res.status().is_redirection() {
            if let Some(to) = res.headers().get(header::LOCATION).cloned() {
                let mut out = StatusCode::NO_CONTENT.into_response();
                out.headers_mut().insert(LOCATION_HEADER, to);
                for (name, value) in res.headers().iter().filter(|(n, _)| *n == header::SET_COOKIE) {
                    out.headers_mut().append(name.clone(), value.clone());
                }
                return out;
            }
        }
        return res;
    }
    let (method, uri, headers) = (req.method().clone(), req.uri().clone(), req.headers().clone());
    let request_id = req.extensions().get::<crate::RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let html = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if html {
        return res; // a page that already shows its error (a form drawn again with its message)
    }
    let json = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let (parts, body) = res.into_parts();
    let body = axum::body::to_bytes(body, MAX_ERROR_BODY).await.unwrap_or_default();
    let lang = Lang::of(&headers);
    let (message, code) = message_of(status, &body, json, lang);
    let who = signed_in(&state, &method, &uri, &headers).await;
    let w = words(lang, status);
    let page = ErrorPage {
        t: lang.text(),
        user: who.as_ref().map(UserBar::of),
        title: w.title,
        message,
        code,
        status: status.as_u16(),
        // No way "back" to an address that answers nothing (404/405).
        back: if matches!(status, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED) { None } else { back_of(&method, &uri) },
        back_label: w.back,
        home_label: w.home,
        request_id_label: w.request_id,
        request_id,
    };
    let mut out = match render(&page) {
        Ok(html) => (status, html).into_response(),
        Err(e) => e.into_response(),
    };
    // What the server logs about the failure travels on with the page.
    if let Some(d) = parts.extensions.get::<super::error::InternalDetail>() {
        out.extensions_mut().insert(d.clone());
    }
    for (name, value) in parts.headers.iter().filter(|(n, _)| *n == header::SET_COOKIE || *n == header::RETRY_AFTER) {
        out.headers_mut().append(name.clone(), value.clone());
    }
    out
}

/// The account of the request, to draw its menu on the error page (only looked up when a page
/// fails).
async fn signed_in(state: &AppState, method: &Method, uri: &Uri, headers: &HeaderMap) -> Option<Authenticated> {
    let mut req = Request::builder().method(method.clone()).uri(uri.clone()).body(()).ok()?;
    *req.headers_mut() = headers.clone();
    let (mut parts, ()) = req.into_parts();
    Authenticated::from_request_parts(&mut parts, state).await.ok()
}

/// An address no module answers.
pub(crate) async fn not_found() -> AppError {
    AppError::new(StatusCode::NOT_FOUND, "not_found", "找不到该页面：地址可能有误，或该记录已不存在", "there is no page at this address")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_goes_to_the_page_the_form_was_on() {
        let b = |p: &str| back_of(&Method::POST, &p.parse().unwrap_or_default());
        assert_eq!(b("/cases/12/act").as_deref(), Some("/cases/12"));
        assert_eq!(b("/payments/3/return").as_deref(), Some("/payments/3"));
        assert_eq!(b("/households/210112/verification").as_deref(), Some("/households/210112/verification"));
        assert_eq!(b("/policy/whatif").as_deref(), Some("/policy"));
        assert_eq!(b("/cases").as_deref(), Some("/cases/new"));
        assert_eq!(b("/linkage/review/7").as_deref(), Some("/linkage/review"));
        assert_eq!(back_of(&Method::GET, &"/cases/1".parse().unwrap_or_default()), None);
        assert_eq!(b("//evil.example/x"), None, "never another site");
    }

    #[test]
    fn a_framework_rejection_is_said_in_the_pages_language() {
        let (zh, code) =
            message_of(StatusCode::UNPROCESSABLE_ENTITY, b"Failed to deserialize form body: amount: invalid digit", false, Lang::Zh);
        assert!(zh.starts_with("表单中有内容填写不正确") && zh.contains("invalid digit"), "{zh}");
        assert_eq!(code, "invalid_form");
        let body = r#"{"error":{"code":"bad_id","message_zh":"身份证号校验位错误","message_en":"wrong check character"}}"#;
        assert_eq!(
            message_of(StatusCode::BAD_REQUEST, body.as_bytes(), true, Lang::En),
            ("wrong check character".to_string(), "bad_id".to_string())
        );
    }
}
