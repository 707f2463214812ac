//! The HTTP face of Minzheng: a JSON API (documented at `/api/openapi.json`) and the caseworker
//! pages in Chinese. Handlers are thin: they parse, call the store or app services, and render.

pub mod api;
mod error;
pub mod openapi;
mod pages;

use axum::http::{HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use minzheng_app::import::Communities;
use minzheng_store::Store;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use error::AppError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub communities: Arc<Communities>,
}

impl AppState {
    pub async fn new(store: Arc<dyn Store>) -> Result<AppState, minzheng_store::StoreError> {
        let communities = Arc::new(Communities::load(store.as_ref()).await?);
        Ok(AppState { store, communities })
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .route("/api/openapi.json", axum::routing::get(openapi::document))
        .layer(axum::middleware::from_fn(request_id))
        .with_state(state)
}

static REQUEST_SEQ: AtomicU64 = AtomicU64::new(1);

/// Gives every response an `x-request-id` (the caller's, or a new one).
async fn request_id(req: Request<axum::body::Body>, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{:x}-{:x}", std::process::id(), REQUEST_SEQ.fetch_add(1, Ordering::Relaxed)));
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Serves on `addr` until the process ends.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
