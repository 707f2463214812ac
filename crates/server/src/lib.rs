#![recursion_limit = "512"]
//! The HTTP face of Minzheng: a JSON API (documented at `/api/openapi.json`) and the caseworker
//! pages in Chinese. Handlers are thin: they parse, call the app services (which check role,
//! region and write the audit), and render.

mod cases;
mod comparison;
pub mod dashboard;
pub mod eldercare;
pub mod funeral;
pub mod grid;
pub mod marriage;
pub mod module;
pub mod monitoring;
pub mod payments;
pub mod placename;
mod platform;
mod policy;
mod registry;
pub mod socialorg;
pub mod statistics;
pub mod tasks;

pub use module::{route_table, Access, MenuEntry, Module, Route};
pub use platform::error::AppError;
pub(crate) use platform::pages;
pub use platform::{auth, i18n, openapi};

/// The sub-platforms, in the order of the navigation. A new one is one more line here.
pub const MODULES: &[&Module] = &[
    &registry::MODULE,
    &cases::MODULE,
    &policy::MODULE,
    &comparison::MODULE,
    &tasks::MODULE,
    &grid::MODULE,
    &monitoring::MODULE,
    &eldercare::MODULE,
    &funeral::MODULE,
    &marriage::MODULE,
    &socialorg::MODULE,
    &placename::MODULE,
    &payments::MODULE,
    &dashboard::MODULE,
    &statistics::MODULE,
    &platform::MODULE,
];

use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use minzheng_app::import::Communities;
use minzheng_store::Store;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub communities: Arc<Communities>,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// One log line per request.
    pub log_requests: bool,
    /// Failed sign-ins allowed per client address and minute (beyond: 429).
    pub login_limiter: Arc<auth::LoginLimiter>,
    pub metrics: Arc<Metrics>,
    /// The compiled policies (社会救助 programs) of the city.
    pub engine: Arc<minzheng_policy::Engine>,
    /// The 全市通办 service catalogue.
    pub catalogue: Arc<minzheng_app::cases::Catalogue>,
    /// The working date of case handling.
    pub clock: Arc<Clock>,
    /// Where uploaded case documents are kept (by checksum).
    pub documents: std::path::PathBuf,
    /// Signed-in sessions held for a moment (`minzheng_app::auth::SessionCache`).
    pub sessions: Arc<minzheng_app::auth::SessionCache>,
    /// The people behind the accounts, to name staff on pages (`pages::person`).
    pub people: Arc<minzheng_app::auth::DisplayNames>,
}

/// The date case handling works on: today, or some days later where a test lets a notice
/// period pass.
#[derive(Debug, Default)]
pub struct Clock {
    offset_days: std::sync::atomic::AtomicI64,
}

impl Clock {
    pub fn today(&self) -> chrono::NaiveDate {
        minzheng_domain::calendar::today_in_beijing() + chrono::Duration::days(self.offset_days.load(Ordering::Relaxed))
    }

    /// Moves the working date on by `days`.
    pub fn advance(&self, days: i64) {
        self.offset_days.fetch_add(days, Ordering::Relaxed);
    }
}

/// Request counters for `/metrics` (Prometheus text format).
#[derive(Default)]
pub struct Metrics {
    /// Responses by status class: 1xx..5xx.
    by_class: [AtomicU64; 5],
    /// Sum of request durations, microseconds.
    micros: AtomicU64,
}

impl Metrics {
    fn record(&self, status: u16, micros: u64) {
        let class = usize::from((status / 100).clamp(1, 5)) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        self.micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out =
            String::from("# HELP minzheng_http_responses_total Responses by status class.\n# TYPE minzheng_http_responses_total counter\n");
        for (i, c) in self.by_class.iter().enumerate() {
            out.push_str(&format!("minzheng_http_responses_total{{class=\"{}xx\"}} {}\n", i + 1, c.load(Ordering::Relaxed)));
        }
        out.push_str("# HELP minzheng_http_request_seconds_total Time spent answering requests.\n# TYPE minzheng_http_request_seconds_total counter\n");
        out.push_str(&format!("minzheng_http_request_seconds_total {:.6}\n", self.micros.load(Ordering::Relaxed) as f64 / 1e6));
        out
    }
}

impl AppState {
    /// Loads what the pages need and compiles the city's policies (as the configuration names
    /// them); stores the shipped parameter values on a first start.
    pub async fn new(
        store: Arc<dyn Store>,
        config: &minzheng_app::config::Config,
    ) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
        module::migrate_modules(store.as_ref()).await?;
        let communities = Arc::new(Communities::load(store.as_ref()).await?);
        let partitions = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let policies = config.policies().map_err(|e| minzheng_domain::Bilingual::both(&e))?;
        let engine = Arc::new(minzheng_policy::Engine::new(policies, partitions).await?);
        minzheng_app::policy::ensure_parameters(store.as_ref(), &engine, &minzheng_store::Actor::system()).await?;
        minzheng_app::cases::ensure_calendar(store.as_ref(), &minzheng_store::Actor::system()).await?;
        if let Some(y) = minzheng_app::cases::calendar(store.as_ref()).await?.year_to_enter(minzheng_domain::calendar::today_in_beijing()) {
            eprintln!("{y} 年的节假日安排尚未录入工作日历，跨入该年的时限为暂定 / the public holidays of {y} are not in the working-day calendar: limits running into it are provisional");
        }
        let catalogue = Arc::new(minzheng_app::cases::Catalogue::shenyang().name_programs(&engine));
        Ok(AppState {
            store,
            communities,
            secure_cookies: config.secure_cookies,
            log_requests: config.log_requests,
            login_limiter: Arc::new(auth::LoginLimiter::new(10)),
            metrics: Arc::new(Metrics::default()),
            engine,
            catalogue,
            clock: Arc::new(Clock::default()),
            documents: config.documents_dir(),
            sessions: Arc::new(minzheng_app::auth::SessionCache::new()),
            people: Arc::new(minzheng_app::auth::DisplayNames::default()),
        })
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new();
    for m in MODULES {
        app = app.merge((m.router)());
    }
    app.fallback(platform::error_page::not_found)
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), module::enforce_access))
        .layer(axum::middleware::from_fn_with_state(state.clone(), platform::error_page::error_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(state.clone(), request_id))
        .with_state(state)
}

/// Largest request body accepted (forms and JSON); uploads will have their own limit.
pub const MAX_BODY: usize = 256 * 1024;

/// Counts the response for `/metrics`, and sets the security headers on every response: no inline scripts or styles, no framing, no sniffing,
/// no referrer; HSTS when served behind TLS.
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let static_file = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    state.metrics.record(res.status().as_u16(), started.elapsed().as_micros() as u64);
    let h = res.headers_mut();
    // Pages, API answers and downloads carry personal data: no copy is kept by the browser or
    // a proxy. Only the style sheets and scripts are cached.
    if !static_file {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    );
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if state.secure_cookies {
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// The request id, available to handlers and written into audit records.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

static REQUEST_SEQ: AtomicU64 = AtomicU64::new(1);

/// Gives every request an id (the caller's `x-request-id`, or a new one), returned in the
/// response header.
async fn request_id(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{:x}-{:x}", std::process::id(), REQUEST_SEQ.fetch_add(1, Ordering::Relaxed)));
    req.extensions_mut().insert(RequestId(id.clone()));
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let started = std::time::Instant::now();
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    let path = logged_path(&path);
    // What failed inside, always logged (the client was given only the code).
    if let Some(detail) = res.extensions_mut().remove::<platform::error::InternalDetail>() {
        eprintln!("request_id={id} method={method} path={path} error={}", detail.0.replace('\n', " "));
    }
    // One line per request, with its id (the query is left out: it can hold personal data).
    if state.log_requests {
        eprintln!(
            "request_id={id} method={method} path={path} status={} ms={:.1}",
            res.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    res
}

/// A path as the request log writes it: a segment that is an ID number (a person's page, an
/// unmasking) keeps its first six characters only, so that the log holds no ID numbers.
pub fn logged_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            let b = seg.as_bytes();
            let id_like =
                b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x');
            if id_like {
                format!("{}************", &seg[..6])
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes a signed checkpoint of the audit chain every `every` while the log grows (see
/// [`minzheng_app::audit_anchor`]); a failure is logged and tried again at the next tick.
pub fn spawn_checkpoints(store: Arc<dyn Store>, anchor: minzheng_app::audit_anchor::Anchor, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = anchor.checkpoint(store.as_ref()).await {
                eprintln!("audit checkpoint failed: {e}");
            }
        }
    });
}

/// Serves until the process ends; client addresses reach the audit log.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).await
}
