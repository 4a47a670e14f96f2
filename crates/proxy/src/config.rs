//! Every setting of the proxy, from flags or environment variables (`--help` lists them).
//!
//! Secrets are marked `hide_env_values` so `--help` never prints them, and `Config`'s `Debug`
//! is hand-written so a log line cannot leak them.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Clone)]
#[command(
    name = "pilot-portal-proxy",
    version,
    about = "Serves the pilot-portal page and forwards its /api calls to the platform, keeping secrets server-side."
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "PROXY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory of the built page (Trunk's `dist`). Served with an index.html fallback.
    #[arg(long, env = "PROXY_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Platform name shown in Pilot 2's top bar.
    #[arg(long, env = "PLATFORM_NAME", default_value = "Pilot Portal")]
    pub platform_name: String,

    /// DJI Cloud API app id (developer.dji.com). Sent to the page for platformVerifyLicense.
    #[arg(long, env = "DJI_APP_ID", default_value = "125034")]
    pub dji_app_id: String,

    /// DJI Cloud API app key. Sent to the page for platformVerifyLicense.
    #[arg(long, env = "DJI_APP_KEY", default_value = "demo-app-key")]
    pub dji_app_key: String,

    /// DJI Cloud API app license. Sent to the page for platformVerifyLicense.
    #[arg(long, env = "DJI_APP_LICENSE", default_value = "demo-app-license")]
    pub dji_license: String,

    /// `host` given to Pilot 2's `api` module (where Pilot 2 sends its own X-Auth-Token
    /// requests). Empty: the page uses its own origin.
    #[arg(long, env = "API_MODULE_HOST", default_value = "")]
    pub api_module_host: String,

    /// Base URL of the platform token API.
    #[arg(long, env = "TOKEN_API_URL", default_value = "http://127.0.0.1:8091")]
    pub token_api_url: String,

    /// Path of "issue a token with username and password" (confirmed by the reference).
    #[arg(
        long,
        env = "TOKEN_API_LOGIN_PATH",
        default_value = "/api/v1/auth/token"
    )]
    pub token_api_login_path: String,

    /// Path of the token collection: GET lists (used to check a token), POST issues with a
    /// token, DELETE {path}/{id} revokes. Unconfirmed by the reference: configurable.
    #[arg(long, env = "TOKEN_API_TOKENS_PATH", default_value = "/api/v1/tokens")]
    pub token_api_tokens_path: String,

    /// `expiresIn` asked for pilot tokens ("30 minutes", "12 hours", "8 days", …).
    #[arg(long, env = "TOKEN_EXPIRES_IN", default_value = "12 hours")]
    pub token_expires_in: String,

    /// `scopes` asked for pilot tokens, comma separated ("METHOD /path"). Empty: unrestricted.
    /// The proxy itself needs GET, POST and DELETE on the tokens path.
    #[arg(
        long,
        env = "TOKEN_SCOPES",
        value_delimiter = ',',
        default_value = "GET /tokens,POST /tokens,DELETE /tokens/:id"
    )]
    pub token_scopes: Vec<String>,

    /// Renew a valid token once less than this fraction of its lifetime is left.
    #[arg(long, env = "RENEW_BELOW_FRACTION", default_value_t = 0.2)]
    pub renew_below_fraction: f64,

    /// Seconds to wait for an upstream before answering 504.
    #[arg(long, env = "UPSTREAM_TIMEOUT_SECS", default_value_t = 10)]
    pub upstream_timeout_secs: u64,

    /// Login attempts allowed per client address per minute.
    #[arg(long, env = "LOGIN_ATTEMPTS_PER_ADDRESS", default_value_t = 20)]
    pub login_attempts_per_address: u32,

    /// Login attempts allowed per username per minute.
    #[arg(long, env = "LOGIN_ATTEMPTS_PER_USERNAME", default_value_t = 5)]
    pub login_attempts_per_username: u32,

    /// Take the client address from X-Forwarded-For (only behind a trusted reverse proxy).
    #[arg(long, env = "TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 16 * 1024)]
    pub max_body_bytes: usize,

    /// Database for XAG links and link attempts: `sqlite://path?mode=rwc` (created and migrated
    /// on start) or `postgres://…` for several proxy instances behind a load balancer.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://pilot-portal.db?mode=rwc",
        hide_env_values = true
    )]
    pub database_url: String,

    /// XAG open platform base URL (unconfirmed: the host may have moved to open.xa.com).
    #[arg(long, env = "XAG_BASE_URL", default_value = "https://open.xag.cn")]
    pub xag_base_url: String,

    /// XAG `component_appid` of this third-party platform. Empty: XAG linking is off.
    #[arg(long, env = "XAG_COMPONENT_APPID", default_value = "")]
    pub xag_component_appid: String,

    /// XAG `app_secret` (signs every call; never sent anywhere).
    #[arg(
        long,
        env = "XAG_APP_SECRET",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub xag_app_secret: String,

    /// XAG `component_access_token`.
    #[arg(
        long,
        env = "XAG_COMPONENT_ACCESS_TOKEN",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub xag_component_access_token: String,

    /// Public URL of this proxy's XAG callback, registered with XAG. Empty:
    /// `http://{listen}/api/xag/callback`.
    #[arg(long, env = "XAG_CALLBACK_URL", default_value = "")]
    pub xag_callback_url: String,

    /// Unit of the signature timestamp (unconfirmed by the reference).
    #[arg(long, env = "XAG_TIMESTAMP_UNIT", value_enum, default_value_t = TimestampUnit::Seconds)]
    pub xag_timestamp_unit: TimestampUnit,

    /// FlightHub 2 OpenAPI host of the organization's region (China:
    /// es-flight-api-cn.djigate.com, Europe: es-flight-api-eu.djigate.com, on-premises:
    /// http://host:30812). A key works only in the region that issued it.
    #[arg(
        long,
        env = "FLIGHTHUB_URL",
        default_value = "https://es-flight-api-us.djigate.com"
    )]
    pub flighthub_url: String,

    /// FlightHub 2 organization key (`X-User-Token`). Empty: FlightHub is off.
    #[arg(
        long,
        env = "FLIGHTHUB_ORG_KEY",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub flighthub_org_key: String,

    /// Page size when listing FlightHub projects (paged until a short page).
    #[arg(long, env = "FLIGHTHUB_PAGE_SIZE", default_value_t = 100)]
    pub flighthub_page_size: usize,

    /// MQTT broker address given to Pilot 2's `thing` module (`tcp://host:1883`,
    /// `ws://host:8083/mqtt`, `wss://…`). Empty: no cloud module.
    #[arg(long, env = "MQTT_BROKER", default_value = "")]
    pub mqtt_broker: String,

    /// MQTT credentials per platform user, comma separated `platform_user=mqtt_user:password`.
    /// A pilot only ever receives their own.
    #[arg(
        long,
        env = "MQTT_CREDENTIALS",
        value_delimiter = ',',
        hide_env_values = true,
        hide_default_value = true,
        default_value = ""
    )]
    pub mqtt_credentials: Vec<String>,

    /// How long a started XAG link stays valid, in seconds (the pre-auth code lives 600 s).
    #[arg(long, env = "XAG_LINK_TTL_SECS", default_value_t = 600)]
    pub xag_link_ttl_secs: i64,
}

/// Unit of the XAG signature timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TimestampUnit {
    Seconds,
    Milliseconds,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("dist", &self.dist)
            .field("platform_name", &self.platform_name)
            .field("token_api_url", &self.token_api_url)
            .field("token_expires_in", &self.token_expires_in)
            .field("token_scopes", &self.token_scopes)
            .field("xag_base_url", &self.xag_base_url)
            .field("xag_component_appid", &self.xag_component_appid)
            .field("xag_timestamp_unit", &self.xag_timestamp_unit)
            .field("flighthub_url", &self.flighthub_url)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults with the given token API, for tests and embedding.
    pub fn for_token_api(token_api_url: &str) -> Self {
        let mut config = Config::parse_from(["pilot-portal-proxy"]);
        config.token_api_url = token_api_url.to_owned();
        config
    }

    /// The MQTT username and password configured for `user`.
    pub fn mqtt_credentials_of(&self, user: &str) -> Option<(String, String)> {
        self.mqtt_credentials.iter().find_map(|entry| {
            let (who, cred) = entry.trim().split_once('=')?;
            let (name, password) = cred.split_once(':')?;
            (who == user).then(|| (name.to_owned(), password.to_owned()))
        })
    }

    /// The callback URL XAG posts the authorization code to.
    pub fn xag_callback(&self) -> String {
        if self.xag_callback_url.is_empty() {
            format!("http://{}/api/xag/callback", self.listen)
        } else {
            self.xag_callback_url.clone()
        }
    }
}
