//! The pilot-portal proxy: serves the page and forwards its `/api` calls upstream, adding the
//! secrets only it holds.

pub mod clock;
pub mod config;
pub mod db;
pub mod devices;
pub mod error;
pub mod extract;
pub mod identity;
pub mod license_files;
pub mod project_access;
pub mod random;
pub mod rate_limit;
mod routes;
pub mod static_files;
pub mod upstream;

use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::Request;
use axum::Router;
use config::Config;
use db::Db;
use devices::DeviceLink;
use error::ApiError;
use rate_limit::LoginLimits;
use std::sync::Arc;
use std::time::Duration;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use upstream::flighthub::FlightHub;
use upstream::token_api::TokenApi;
use upstream::xag::XagClient;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
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
        // A typo in a token setting fails here, naming the setting, not at every login.
        config.check_token_settings().map_err(anyhow::Error::msg)?;
        let project_access =
            project_access::ProjectAccess::from_config(&config).map_err(anyhow::Error::msg)?;
        let db = Db::connect(&config.database_url).await?;
        // Connects in the background and keeps retrying: a broker that is down now does not
        // stop the proxy; an address it cannot use does.
        let devices = match config.device_link() {
            Some(link) => {
                tracing::info!(broker = %link.broker, "remote unlocking: MQTT link starting");
                Some(DeviceLink::start(link)?)
            }
            None => None,
        };
        if let Some(dir) = config.license_dir().filter(|d| !d.is_dir()) {
            tracing::warn!(dir = %dir.display(), "UNLOCK_LICENSE_DIR is not a directory (yet)");
        }
        Ok(AppState {
            devices,
            project_access: Arc::new(project_access),
            verifier: identity::Verifier::from_config(&config),
            xag: XagClient::new(client.clone(), &config),
            flighthub: FlightHub::new(client.clone(), &config),
            db,
            token_api: TokenApi::new(client, &config),
            login_limits: LoginLimits::new(
                config.login_attempts_per_address,
                config.login_attempts_per_username,
            ),
            config: Arc::new(config),
        })
    }
}

impl AppState {
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

/// The whole service: `/api` plus the page.
pub fn app(state: AppState) -> Router {
    let page = static_files::page_service(state.clone());
    let max_body = state.config.max_body_bytes;
    routes::api_routes()
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
        .fallback_service(page)
        .layer(
            // Only method, path and route are recorded: queries and headers can carry tokens.
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), route)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Serves [`app`] on `listener` (with client addresses for the login limits) until
/// `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
