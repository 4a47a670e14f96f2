//! The pilot-portal proxy: serves the page and forwards its `/api` calls upstream, adding the
//! secrets only it holds.

pub mod assets;
pub mod check;
pub mod clock;
pub mod config;
pub mod db;
pub mod device_counts;
pub mod devices;
pub mod error;
pub mod extract;
pub mod guard;
pub mod health;
pub mod identity;
pub mod license_files;
pub mod logging;
pub mod mosquitto;
pub mod net;
pub mod project_access;
pub mod random;
pub mod rate_limit;
mod routes;
pub mod security;
pub mod server;
pub mod settings;
pub mod sliding;
pub mod static_files;
pub mod storage_key;
pub mod support;
pub mod upstream;

use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::Request;
use axum::middleware;
use axum::routing::get;
use axum::Router;
use config::Config;
use db::Db;
use devices::DeviceLink;
use error::ApiError;
use rate_limit::LoginLimits;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;
use upstream::flighthub::FlightHub;
use upstream::token_api::TokenApi;
use upstream::xag::XagClient;

/// What every handler can reach: one shared [`Services`]. axum clones the state for every
/// request and every extractor; cloned field by field (the upstream clients' settings, the
/// config's strings), that was half the CPU of answering `/api/config`.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

// A clone is one reference count: a field added to the state goes into `Services`.
const _: () = assert!(std::mem::size_of::<AppState>() == std::mem::size_of::<usize>());

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The proxy's configuration, upstream clients, database and caches, made once at start.
pub struct Services {
    pub config: Arc<Config>,
    pub token_api: TokenApi,
    /// `None` when XAG is not configured.
    pub xag: Option<XagClient>,
    /// `None` when FlightHub 2 is not configured.
    pub flighthub: Option<FlightHub>,
    pub db: Db,
    pub login_limits: LoginLimits,
    /// Verifies platform JWTs when `TOKEN_JWT_HS256_SECRET` is set; `None`: only tokens this
    /// proxy obtained (bound) are accepted.
    pub verifier: Option<identity::Verifier>,
    /// The MQTT link to the pilots' gateways; `None` when `DEVICE_MQTT_BROKER` is empty.
    pub devices: Option<DeviceLink>,
    /// Which FlightHub 2 projects each pilot may use (`FLIGHTHUB_PROJECT_ACCESS`).
    pub project_access: Arc<project_access::ProjectAccess>,
    /// The upstream HTTP client (readiness probes; the upstream clients hold clones).
    pub http: reqwest::Client,
    /// Set on SIGTERM: `/readyz` answers 503.
    pub shutting_down: Arc<AtomicBool>,
    /// `index.html` as served, and the page's CSP.
    pub page: Arc<static_files::PageCache>,
    /// The hops of `X-Forwarded-For` that are our own proxies.
    pub trusted_proxies: Arc<net::TrustedProxies>,
    /// Who may read `/metrics`.
    pub metrics_allow: Arc<Vec<net::Cidr>>,
    /// The workspace list's device counts.
    pub device_counts: Arc<device_counts::DeviceCounts>,
}

impl AppState {
    /// Builds the HTTP client, connects and migrates the database.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.upstream_timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pilot-portal-proxy/", env!("CARGO_PKG_VERSION")))
            .build()?;
        // A typo in a setting fails here, naming it, not at every login.
        let settings::Checked {
            project_access,
            storage_key,
            trusted_proxies,
            metrics_allow,
        } = settings::check(&config)?;
        for warning in settings::warnings(&config) {
            tracing::warn!("{warning}");
        }
        health::recorder();
        upstream::set_max_body_bytes(config.upstream_max_body_bytes);
        let db = Db::connect(&config.database_url)
            .await?
            .with_storage_key(storage_key);
        let encrypted = db.encrypt_stored_tokens().await?;
        if encrypted > 0 {
            tracing::info!(
                rows = encrypted,
                "stored XAG tokens encrypted with STORAGE_KEY"
            );
        }
        let page = static_files::PageCache::default();
        page.warm(&config);
        // Connects in the background and keeps retrying: a broker that is down now does not
        // stop the proxy; an address it cannot use does.
        let devices = match config.device_link() {
            Some(link) => {
                tracing::info!(
                    broker = %crate::settings::without_credentials(&link.broker),
                    "remote unlocking: MQTT link starting"
                );
                Some(DeviceLink::start(link)?)
            }
            None => None,
        };
        if devices.is_some() && !config.flighthub_org_key.is_empty() && project_access.is_open() {
            tracing::warn!(
                "remote unlocking: FLIGHTHUB_PROJECT_ACCESS is empty, so every signed-in pilot may \
                 choose any project and manage the unlock licenses of every controller and dock \
                 in it; narrow it to who flies where"
            );
        }
        Ok(AppState(Arc::new(Services {
            devices,
            project_access: Arc::new(project_access),
            verifier: identity::Verifier::from_config(&config),
            xag: XagClient::new(client.clone(), &config),
            flighthub: FlightHub::new(client.clone(), &config),
            login_limits: LoginLimits::new(
                db.clone(),
                config.login_attempts_per_address,
                config.login_attempts_per_username,
            ),
            db,
            token_api: TokenApi::new(client.clone(), &config),
            http: client,
            shutting_down: Arc::default(),
            page: Arc::new(page),
            trusted_proxies: Arc::new(trusted_proxies),
            metrics_allow: Arc::new(metrics_allow),
            device_counts: Arc::new(device_counts::DeviceCounts::new(
                Duration::from_secs(config.flighthub_count_cache_secs),
                config.flighthub_max_counts,
            )),
            config: Arc::new(config),
        })))
    }
}

impl Services {
    /// Readiness off (`/readyz` 503): the first step of a graceful shutdown.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    /// The FlightHub 2 client, or `flighthub_not_configured`.
    pub fn flighthub(&self) -> Result<&FlightHub, ApiError> {
        self.flighthub
            .as_ref()
            .ok_or(ApiError::FlightHubNotConfigured)
    }

    /// The MQTT link to the gateways, or `device_not_configured`.
    pub fn devices(&self) -> Result<&DeviceLink, ApiError> {
        self.devices.as_ref().ok_or(ApiError::DeviceNotConfigured)
    }

    /// The XAG client, or `xag_not_configured`.
    pub fn xag(&self) -> Result<&XagClient, ApiError> {
        self.xag.as_ref().ok_or(ApiError::XagNotConfigured)
    }
}

/// CORS for pages on the `ALLOWED_ORIGINS` (credentials off: the page sends its token as a
/// header, never a cookie); `None` when the list is empty (same origin only).
fn cors(config: &config::Config) -> Option<CorsLayer> {
    use axum::http::{header, HeaderValue, Method};
    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT_LANGUAGE,
                header::HeaderName::from_static(extract::Lang::HEADER),
            ])
            // Date: the page keeps the controller's clock offset from it
            .expose_headers([header::RETRY_AFTER, header::DATE])
            .allow_credentials(false)
            .max_age(Duration::from_secs(600)),
    )
}

/// The whole service: `/api`, the health routes and the page, behind the request guards
/// ([`guard`], [`security`]) and the trace.
pub fn app(state: AppState) -> Router {
    let page = static_files::page_service(state.clone());
    let max_body = state.config.max_body_bytes;
    let mut api = routes::api_routes()
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(guard::api_no_store));
    if let Some(cors) = cors(&state.config) {
        api = api.layer(cors);
    }
    api.route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state.clone())
        .fallback_service(page)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::body_limit,
        ))
        .layer(middleware::from_fn(guard::json_errors))
        .layer(middleware::from_fn_with_state(state, security::headers))
        .layer(middleware::from_fn(guard::observe))
        .layer(
            // Only method, matched route, path and status are recorded: queries and headers
            // can carry tokens. Every value is escaped on output (`logging`).
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("static");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        route,
                        path = ?req.uri().path(),
                        status = tracing::field::Empty,
                    )
                })
                .on_request(())
                // Each 5xx is logged once, by `ApiError` (at the level its cause deserves),
                // not again as tower-http's ERROR "response failed".
                .on_failure(())
                .on_response(
                    |response: &axum::http::Response<_>,
                     latency: Duration,
                     span: &tracing::Span| {
                        let status = response.status().as_u16();
                        span.record("status", status);
                        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
                        // Failures at INFO; successes at DEBUG (`RUST_LOG=…=debug` shows
                        // them): a line per served file cost a third of the proxy's
                        // throughput (README, "Figures"); nginx keeps the access log.
                        if status >= 400 {
                            tracing::info!(status, latency_ms, "response");
                        } else {
                            tracing::debug!(status, latency_ms, "response");
                        }
                    },
                ),
        )
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Binds `config.listen` with `LISTEN_BACKLOG` ([`server::bind`]).
pub fn bind(config: &config::Config) -> std::io::Result<tokio::net::TcpListener> {
    server::bind(config.listen, config.listen_backlog)
}

/// Serves [`app`] on `listener` until `shutdown` completes, then drains ([`server::serve`]:
/// timeouts, the connection bound, graceful shutdown).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve(listener, state, shutdown).await
}
