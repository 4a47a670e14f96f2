//! Every setting of the proxy, from flags or environment variables (`--help` lists them).
//!
//! Secrets are marked `hide_env_values` so `--help` never prints them, and `Config`'s `Debug`
//! is hand-written so a log line cannot leak them.

use crate::settings::without_credentials;
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser};
use pilot_portal_shared::{DjiAppLicense, PageConfig};
use std::ffi::{OsStr, OsString};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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

    /// After a password login, issue Pilot 2 its own named token (`Pilot 2 · <SN>`) with
    /// `POST {TOKEN_API_TOKENS_PATH}` and revoke the login token. `false`: Pilot 2 gets the
    /// login token itself (for a platform whose `POST` answer this proxy cannot use).
    #[arg(
        long,
        env = "TOKEN_ISSUE_NAMED",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub token_issue_named: bool,

    /// HS256 key the platform signs its JWTs with, if the operator has it. Empty (the
    /// default): a token is accepted only if this proxy obtained it (its binding names the
    /// user). Set: a token the proxy did not obtain is also accepted when its signature
    /// verifies and it carries TOKEN_SUBJECT_CLAIM.
    #[arg(
        long,
        env = "TOKEN_JWT_HS256_SECRET",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub token_jwt_hs256_secret: String,

    /// The claim naming the user in a verified JWT (only with TOKEN_JWT_HS256_SECRET).
    #[arg(long, env = "TOKEN_SUBJECT_CLAIM", default_value = "sub")]
    pub token_subject_claim: String,

    /// Path of the platform's list of methods a token may be given (the document says the
    /// API has one but not where). Empty: TOKEN_SCOPE_CHOICES is offered.
    #[arg(long, env = "TOKEN_API_METHODS_PATH", default_value = "")]
    pub token_api_methods_path: String,

    /// Methods offered for a new token when the platform's list is not configured or not
    /// reachable, comma separated ("METHOD /path").
    #[arg(
        long,
        env = "TOKEN_SCOPE_CHOICES",
        value_delimiter = ',',
        default_value = "GET /objects,GET /objects/:id,PATCH /objects/:id,GET /objects/:id/packets,\
POST /objects/:id/commands/:command,GET /objects/:id/events,GET /geofences,POST /geofences,\
PATCH /geofences/:id,DELETE /geofences/:id,GET /models,GET /tokens,POST /tokens,DELETE /tokens/:id"
    )]
    pub token_scope_choices: Vec<String>,

    /// Renew a valid token once less than this fraction of its lifetime is left.
    #[arg(long, env = "RENEW_BELOW_FRACTION", default_value_t = 0.2)]
    pub renew_below_fraction: f64,

    /// Seconds to wait for an upstream before answering 504.
    #[arg(long, env = "UPSTREAM_TIMEOUT_SECS", default_value_t = 10)]
    pub upstream_timeout_secs: u64,

    /// Login attempts allowed per client address per minute.
    #[arg(long, env = "LOGIN_ATTEMPTS_PER_ADDRESS", default_value_t = 20)]
    pub login_attempts_per_address: u32,

    /// Refused passwords allowed per username and client address per minute (ten times
    /// this from all addresses together).
    #[arg(long, env = "LOGIN_ATTEMPTS_PER_USERNAME", default_value_t = 5)]
    pub login_attempts_per_username: u32,

    /// Take the client address from X-Forwarded-For (only behind a trusted reverse proxy;
    /// see TRUSTED_PROXY_HOPS and TRUSTED_PROXIES).
    #[arg(long, env = "TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 16 * 1024)]
    pub max_body_bytes: usize,

    /// With TRUST_FORWARDED_FOR: reverse proxies whose X-Forwarded-For entries are trusted,
    /// comma separated CIDRs (`10.0.0.0/8,::1/128`). The client is the right-most address
    /// that is neither one of these nor within TRUSTED_PROXY_HOPS of the socket peer.
    #[arg(
        long,
        env = "TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = ""
    )]
    pub trusted_proxies: Vec<String>,

    /// With TRUST_FORWARDED_FOR: how many hops from the right are trusted proxies, the socket
    /// peer included (1: one nginx in front; the client is the last X-Forwarded-For entry).
    #[arg(long, env = "TRUSTED_PROXY_HOPS", default_value_t = 1)]
    pub trusted_proxy_hops: usize,

    /// Listen backlog: connections the kernel queues before they are accepted (capped by
    /// net.core.somaxconn).
    #[arg(long, env = "LISTEN_BACKLOG", default_value_t = 1024)]
    pub listen_backlog: u32,

    /// Client connections served at once by this process; more wait in the listen backlog.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Seconds a client has to send a request's headers; also how long an idle keep-alive
    /// connection waits for its next request before it is closed.
    #[arg(long, env = "CLIENT_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub client_header_timeout_secs: u64,

    /// Seconds a client has to send a whole request body (408 `request_timeout` after).
    #[arg(long, env = "CLIENT_BODY_TIMEOUT_SECS", default_value_t = 30)]
    pub client_body_timeout_secs: u64,

    /// Largest upstream answer read, in bytes (more: `upstream_error`).
    #[arg(long, env = "UPSTREAM_MAX_BODY_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub upstream_max_body_bytes: usize,

    /// On SIGTERM: seconds `/readyz` answers 503 while requests are still served, so a load
    /// balancer stops sending new ones before the listener closes.
    #[arg(long, env = "SHUTDOWN_DRAIN_SECS", default_value_t = 5)]
    pub shutdown_drain_secs: u64,

    /// On SIGTERM, after the drain: seconds in-flight requests get to finish.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,

    /// Origins (`https://portal.example.com`) whose pages may call `/api` from another origin
    /// (CORS, without credentials). Empty: same origin only.
    #[arg(
        long,
        env = "ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub allowed_origins: Vec<String>,

    /// Where the page sends its `/api` calls when it is served from another origin
    /// (`https://api.example.com`; put in the page config). Empty: the page's own origin.
    #[arg(long, env = "PUBLIC_API_BASE", default_value = "")]
    pub public_api_base: String,

    /// The page's Content-Security-Policy `frame-ancestors` (who may frame it).
    #[arg(long, env = "CSP_FRAME_ANCESTORS", default_value = "'none'")]
    pub csp_frame_ancestors: String,

    /// Key that encrypts stored upstream tokens (XAG `access_token`): 32 bytes, base64.
    /// Required when XAG linking is configured. `openssl rand -base64 32` makes one.
    #[arg(
        long,
        env = "STORAGE_KEY",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub storage_key: String,

    /// Socket peers allowed to read `/metrics`, comma separated CIDRs.
    #[arg(
        long,
        env = "METRICS_ALLOW",
        value_delimiter = ',',
        default_value = "127.0.0.0/8,::1/128"
    )]
    pub metrics_allow: Vec<String>,

    /// Seconds a FlightHub 2 project's device count is reused by the project list.
    #[arg(long, env = "FLIGHTHUB_COUNT_CACHE_SECS", default_value_t = 60)]
    pub flighthub_count_cache_secs: u64,

    /// Device counts asked of FlightHub 2 by one project list at most (the rest: no count).
    #[arg(long, env = "FLIGHTHUB_MAX_COUNTS", default_value_t = 50)]
    pub flighthub_max_counts: usize,

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

    /// How `POST /v1/auth/token` is given `authorization_code`: a JSON body, a form body, or
    /// the query string (the reference does not say). `check` shows which one XAG reads.
    #[arg(long, env = "XAG_TOKEN_CODE_IN", value_enum, default_value_t = CodeIn::Json)]
    pub xag_token_code_in: CodeIn,

    /// What to do when XAG's callback arrives without the `?state=` of the redirect URI
    /// (the reference does not say XAG keeps it): `none` refuses it (the log names this
    /// setting); `cookie` reads the state from a cookie set when the browser left for XAG
    /// (browser callbacks over HTTPS only); `sole-pending` gives it to the one live attempt
    /// that went to XAG's page, and refuses it when there are several.
    #[arg(long, env = "XAG_STATE_FALLBACK", value_enum, default_value_t = StateFallback::None)]
    pub xag_state_fallback: StateFallback,

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

    /// FlightHub 2 codes meaning "organization key invalid", comma separated (third-party
    /// notes: 200401; HTTP 401 always counts).
    #[arg(long, env = "FLIGHTHUB_KEY_INVALID_CODES", default_value = "200401", value_parser = parse_codes)]
    pub flighthub_key_invalid_codes: Codes,

    /// FlightHub 2 codes meaning "no permission on the project" (notes: 200403; HTTP 403
    /// always counts).
    #[arg(long, env = "FLIGHTHUB_FORBIDDEN_CODES", default_value = "200403", value_parser = parse_codes)]
    pub flighthub_forbidden_codes: Codes,

    /// FlightHub 2 codes meaning "too many requests" (notes: 210429; HTTP 429 always counts).
    #[arg(long, env = "FLIGHTHUB_RATE_LIMIT_CODES", default_value = "210429", value_parser = parse_codes)]
    pub flighthub_rate_limit_codes: Codes,

    /// FlightHub 2 calls in flight at once from this instance (a project list asks for every
    /// project's devices); after a rate limit, calls wait out Retry-After without asking.
    #[arg(long, env = "FLIGHTHUB_MAX_CONCURRENT", default_value_t = 4)]
    pub flighthub_max_concurrent: usize,

    /// Which FlightHub 2 projects each platform user may see and choose, comma separated
    /// rules `WHO=UUID|UUID…`: WHO is a user name or a `prefix*`; `*` instead of the UUIDs
    /// allows every project. A user gets the projects of every rule that matches them, and
    /// none when no rule does. Empty (and no FLIGHTHUB_PROJECT_ACCESS_FILE): every signed-in
    /// pilot may use every project the organization key sees.
    #[arg(
        long,
        env = "FLIGHTHUB_PROJECT_ACCESS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub flighthub_project_access: Vec<String>,

    /// A file of FLIGHTHUB_PROJECT_ACCESS rules, one per line (`#` starts a comment), read at
    /// start and added to the setting's.
    #[arg(long, env = "FLIGHTHUB_PROJECT_ACCESS_FILE", default_value = "")]
    pub flighthub_project_access_file: String,

    /// Workspace (a UUID) set in Pilot 2 for every pilot when FlightHub 2 is not configured
    /// (`platformSetWorkspaceId`). Empty: none; the main page says so.
    #[arg(long, env = "DEFAULT_WORKSPACE_ID", default_value = "", value_parser = workspace_id)]
    pub default_workspace_id: String,

    /// Name of the default workspace (Pilot 2's cloud entry).
    #[arg(long, env = "DEFAULT_WORKSPACE_NAME", default_value = "")]
    pub default_workspace_name: String,

    /// Description of the default workspace.
    #[arg(long, env = "DEFAULT_WORKSPACE_DESCRIPTION", default_value = "")]
    pub default_workspace_description: String,

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

    /// Remote unlocking: the MQTT broker the proxy itself connects to, to call services on the
    /// pilots' gateways (`tcp://host:1883`, `mqtt://host:1883` or `host:1883`). Plain TCP only:
    /// the MQTT client here is built without TLS and WebSocket support, so `ssl://`, `ws://`
    /// and `wss://` are refused at start. Empty: remote unlocking is off
    /// (`device_not_configured`).
    #[arg(long, env = "DEVICE_MQTT_BROKER", default_value = "")]
    pub device_mqtt_broker: String,

    /// The platform's own MQTT username on that broker (not a pilot's account).
    #[arg(long, env = "DEVICE_MQTT_USERNAME", default_value = "")]
    pub device_mqtt_username: String,

    /// The platform's own MQTT password.
    #[arg(
        long,
        env = "DEVICE_MQTT_PASSWORD",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub device_mqtt_password: String,

    /// Seconds to wait for a gateway's reply to a service before answering 504
    /// `device_timeout`.
    #[arg(long, env = "DEVICE_CALL_TIMEOUT_SECS", default_value_t = 10)]
    pub device_call_timeout_secs: u64,

    /// A gateway nothing was heard from (update_topo, osd heartbeat, a reply) for this many
    /// seconds is offline: services to it fail at once with 409 `device_offline`.
    #[arg(long, env = "DEVICE_OFFLINE_AFTER_SECS", default_value_t = 30)]
    pub device_offline_after_secs: u64,

    /// `unlock_license_update` result codes that mean "the file's MD5 is not the fingerprint",
    /// comma separated (answered as `fingerprint_mismatch`). DJI documents no codes: the
    /// default is the simulator's choice. Empty: none.
    #[arg(
        long,
        env = "DEVICE_FINGERPRINT_MISMATCH_CODES",
        default_value = "314003",
        value_parser = parse_codes
    )]
    pub device_fingerprint_mismatch_codes: Codes,

    /// Who may manage a gateway when FlightHub 2 is not configured, comma separated
    /// `platform_user=GATEWAY_SN`. With FlightHub 2 configured this is not used: the gateway
    /// must be among the devices of the pilot's workspace. Empty (and FlightHub off): nobody.
    #[arg(long, env = "DEVICE_OWNERS", value_delimiter = ',', default_value = "")]
    pub device_owners: Vec<String>,

    /// Directory where the operator places offline unlock license files; an update sends the
    /// newest (regular files named `[A-Za-z0-9._-]`, no leading dot). Empty: none.
    #[arg(long, env = "UNLOCK_LICENSE_DIR", default_value = "")]
    pub unlock_license_dir: String,

    /// How long a license file download URL given to a gateway stays valid, in seconds.
    #[arg(long, env = "UNLOCK_FILE_URL_TTL_SECS", default_value_t = 600)]
    pub unlock_file_url_ttl_secs: u64,

    /// Largest license file the admin upload accepts, in bytes (separate from
    /// MAX_BODY_BYTES).
    #[arg(long, env = "UNLOCK_MAX_FILE_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub unlock_max_file_bytes: usize,

    /// Bearer token of the admin upload route `PUT /api/unlock/files/{name}`. Empty: no
    /// upload route.
    #[arg(
        long,
        env = "UNLOCK_ADMIN_TOKEN",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub unlock_admin_token: String,

    /// How gateways reach this proxy to download license files, e.g.
    /// `https://portal.example.com`. Empty: `http://{listen}`.
    #[arg(long, env = "PUBLIC_BASE_URL", default_value = "")]
    pub public_base_url: String,

    /// Largest support report the diagnostics page may send (`POST /api/support/reports`), in
    /// bytes (separate from MAX_BODY_BYTES).
    #[arg(long, env = "SUPPORT_REPORT_MAX_BYTES", default_value_t = 64 * 1024)]
    pub support_report_max_bytes: usize,

    /// Support reports one client address may send per hour (refused ones count too).
    #[arg(long, env = "SUPPORT_REPORTS_PER_ADDRESS", default_value_t = 10)]
    pub support_reports_per_address: u32,

    /// Support reports all clients together may send per hour: a bound on what anonymous
    /// senders can store.
    #[arg(long, env = "SUPPORT_REPORTS_PER_HOUR", default_value_t = 200)]
    pub support_reports_per_hour: u32,

    /// Days a support report is kept.
    #[arg(long, env = "SUPPORT_REPORT_RETENTION_DAYS", default_value_t = 30)]
    pub support_report_retention_days: u32,

    /// Bearer token of the operator's route `GET /api/support/reports/{id}`. Empty: no such
    /// route (`pilot-portal-proxy report <ID>` reads reports on the server).
    #[arg(
        long,
        env = "SUPPORT_ADMIN_TOKEN",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub support_admin_token: String,
}

/// A comma separated list of integer codes (`DEVICE_FINGERPRINT_MISMATCH_CODES`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Codes(pub Vec<i64>);

fn parse_codes(raw: &str) -> Result<Codes, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse()
                .map_err(|_| format!("{c:?} is not an integer code"))
        })
        .collect::<Result<_, _>>()
        .map(Codes)
}

/// A canonical UUID or nothing: Pilot 2 refuses any other workspace id.
fn workspace_id(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    uuid::Uuid::parse_str(raw)
        .ok()
        .filter(|_| raw.len() == 36)
        .map(|u| u.to_string())
        .ok_or_else(|| format!("{raw:?} is not a UUID (8-4-4-4-12 hex)"))
}

/// Unit of the XAG signature timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TimestampUnit {
    Seconds,
    Milliseconds,
}

/// Where XAG's `/v1/auth/token` reads `authorization_code` (`XAG_TOKEN_CODE_IN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CodeIn {
    Json,
    Form,
    Query,
}

impl CodeIn {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeIn::Json => "json",
            CodeIn::Form => "form",
            CodeIn::Query => "query",
        }
    }
}

/// What a stateless XAG callback is matched to (`XAG_STATE_FALLBACK`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StateFallback {
    None,
    Cookie,
    SolePending,
}

/// The start's log line of the settings: no secret, and no URL's `user:password@`.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("dist", &self.dist)
            .field("platform_name", &self.platform_name)
            .field("token_api_url", &without_credentials(&self.token_api_url))
            .field("token_expires_in", &self.token_expires_in)
            .field("token_scopes", &self.token_scopes)
            .field("token_issue_named", &self.token_issue_named)
            .field(
                "token_jwt_hs256_secret",
                &(!self.token_jwt_hs256_secret.is_empty()).then_some("<set>"),
            )
            .field("token_subject_claim", &self.token_subject_claim)
            .field("token_api_methods_path", &self.token_api_methods_path)
            .field("xag_base_url", &without_credentials(&self.xag_base_url))
            .field("xag_component_appid", &self.xag_component_appid)
            .field("xag_timestamp_unit", &self.xag_timestamp_unit)
            .field("xag_token_code_in", &self.xag_token_code_in)
            .field("xag_state_fallback", &self.xag_state_fallback)
            .field("flighthub_url", &without_credentials(&self.flighthub_url))
            .field(
                "flighthub_project_access",
                &(
                    self.flighthub_project_access.len(),
                    &self.flighthub_project_access_file,
                ),
            )
            .field(
                "device_mqtt_broker",
                &without_credentials(&self.device_mqtt_broker),
            )
            .field("unlock_license_dir", &self.unlock_license_dir)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The config these environment variables would give (`("TOKEN_API_URL", url)`, …), the
    /// rest at their defaults, without reading or changing the process environment: for
    /// embedding (the tests' stack, the demo). Each name is mapped to its flag through clap's
    /// own table, so a name works here exactly when the binary reads it; a later pair for the
    /// same name wins. Switches take `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
    pub fn from_env_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Result<Config, clap::Error> {
        let mut table = Config::command();
        let mut flags: Vec<(String, Option<String>)> = Vec::new();
        for (name, value) in pairs {
            let Some(arg) = table
                .get_arguments()
                .find(|a| a.get_env() == Some(OsStr::new(name)))
            else {
                return Err(table.error(
                    ErrorKind::UnknownArgument,
                    format!("no setting is read from {name}"),
                ));
            };
            let Some(long) = arg.get_long().map(str::to_owned) else {
                return Err(table.error(ErrorKind::UnknownArgument, format!("{name} has no flag")));
            };
            flags.retain(|(l, _)| *l != long);
            if arg.get_action().takes_values() {
                flags.push((long, Some(value)));
            } else {
                match switch(&value) {
                    Some(true) => flags.push((long, None)),
                    Some(false) => {}
                    None => {
                        return Err(table.error(
                            ErrorKind::ValueValidation,
                            format!("{name}={value:?} is neither true nor false"),
                        ))
                    }
                }
            }
        }
        let mut argv: Vec<OsString> = vec![table.get_name().into()];
        argv.extend(flags.into_iter().map(|(long, value)| match value {
            Some(v) => format!("--{long}={v}").into(),
            None => format!("--{long}").into(),
        }));
        // Without `env`, clap reads only the given pairs and the defaults.
        let matches = Config::command()
            .mut_args(|arg| arg.env(clap::builder::Resettable::Reset))
            .try_get_matches_from(argv)?;
        Config::from_arg_matches(&matches)
    }

    /// The page config: what the page needs before it talks to Pilot 2 (`GET /api/config`,
    /// also inlined into `index.html`). Nothing secret goes in here.
    /// The workspace every pilot gets when FlightHub 2 is off, if one is configured.
    pub fn default_workspace(&self) -> Option<pilot_portal_shared::Workspace> {
        (!self.default_workspace_id.is_empty()).then(|| pilot_portal_shared::Workspace {
            uuid: self.default_workspace_id.clone(),
            name: self.default_workspace_name.clone(),
            introduction: self.default_workspace_description.clone(),
        })
    }

    pub fn page_config(&self) -> PageConfig {
        PageConfig {
            platform_name: self.platform_name.clone(),
            dji: DjiAppLicense {
                app_id: self.dji_app_id.clone(),
                app_key: self.dji_app_key.clone(),
                license: self.dji_license.clone(),
            },
            api_module_host: self.api_module_host.clone(),
            api_base: self.public_api_base.trim().trim_end_matches('/').to_owned(),
            renew_below_fraction: self.renew_below_fraction.clamp(0.0, 1.0),
            server_time_ms: Some(crate::clock::now_ms()),
        }
    }

    /// The MQTT username and password configured for `user`.
    pub fn mqtt_credentials_of(&self, user: &str) -> Option<(String, String)> {
        self.mqtt_credentials.iter().find_map(|entry| {
            let (who, cred) = entry.trim().split_once('=')?;
            let (name, password) = cred.split_once(':')?;
            (who == user).then(|| (name.to_owned(), password.to_owned()))
        })
    }

    /// Remote unlocking's MQTT link settings; `None` when `DEVICE_MQTT_BROKER` is empty.
    pub fn device_link(&self) -> Option<crate::devices::DeviceLinkConfig> {
        let broker = self.device_mqtt_broker.trim();
        (!broker.is_empty()).then(|| {
            let mut link = crate::devices::DeviceLinkConfig::new(
                broker,
                &self.device_mqtt_username,
                &self.device_mqtt_password,
            );
            link.offline_after = Duration::from_secs(self.device_offline_after_secs.max(1));
            link
        })
    }

    /// How long to wait for a gateway's reply.
    pub fn device_call_timeout(&self) -> Duration {
        Duration::from_secs(self.device_call_timeout_secs.max(1))
    }

    /// Whether `DEVICE_OWNERS` lets `user` manage `gateway_sn`.
    pub fn owns_device(&self, user: &str, gateway_sn: &str) -> bool {
        self.device_owners.iter().any(|entry| {
            entry
                .trim()
                .split_once('=')
                .is_some_and(|(who, sn)| who.trim() == user && sn.trim() == gateway_sn)
        })
    }

    /// The offline license directory, when configured.
    pub fn license_dir(&self) -> Option<PathBuf> {
        let dir = self.unlock_license_dir.trim();
        (!dir.is_empty()).then(|| PathBuf::from(dir))
    }

    /// Where gateways download from: `PUBLIC_BASE_URL` without its trailing `/`, or
    /// `http://{listen}`.
    pub fn public_base(&self) -> String {
        let base = self.public_base_url.trim().trim_end_matches('/');
        if base.is_empty() {
            format!("http://{}", self.listen)
        } else {
            base.to_owned()
        }
    }

    /// Checks the token settings a pilot's login depends on, so a typo fails at start with
    /// the setting's name rather than as a platform error at every login.
    pub fn check_token_settings(&self) -> Result<(), String> {
        use pilot_portal_shared::tokens::{check_scope, parse_expires_in};
        parse_expires_in(&self.token_expires_in).map_err(|e| format!("TOKEN_EXPIRES_IN: {e}"))?;
        for scope in self.token_scopes.iter().filter(|s| !s.trim().is_empty()) {
            check_scope(scope.trim()).map_err(|e| format!("TOKEN_SCOPES: {e}"))?;
        }
        for scope in self
            .token_scope_choices
            .iter()
            .filter(|s| !s.trim().is_empty())
        {
            check_scope(scope.trim()).map_err(|e| format!("TOKEN_SCOPE_CHOICES: {e}"))?;
        }
        if self.token_subject_claim.trim().is_empty() {
            return Err("TOKEN_SUBJECT_CLAIM: name the claim that holds the user".into());
        }
        for (name, path) in [
            ("TOKEN_API_LOGIN_PATH", &self.token_api_login_path),
            ("TOKEN_API_TOKENS_PATH", &self.token_api_tokens_path),
        ] {
            if !path.starts_with('/') {
                return Err(format!("{name}: {path:?} must start with /"));
            }
        }
        let methods = &self.token_api_methods_path;
        if !methods.is_empty() && !methods.starts_with('/') {
            return Err(format!(
                "TOKEN_API_METHODS_PATH: {methods:?} must start with /"
            ));
        }
        Ok(())
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

/// A switch's value as an environment variable gives it.
fn switch(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "" | "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_log_line_shows_no_credentials_of_a_url() {
        let config = Config::from_env_pairs([
            (
                "TOKEN_API_URL",
                "https://user:TOKPW@platform.example.com/".to_owned(),
            ),
            ("XAG_BASE_URL", "https://app:XAGPW@open.xag.cn".to_owned()),
            (
                "FLIGHTHUB_URL",
                "https://k:FHPW@es-flight-api-cn.djigate.com".to_owned(),
            ),
            (
                "DEVICE_MQTT_BROKER",
                "tcp://dev:MQPW@127.0.0.1:1883".to_owned(),
            ),
        ])
        .expect("config");
        let line = format!("{config:?}");
        for secret in ["TOKPW", "XAGPW", "FHPW", "MQPW"] {
            assert!(!line.contains(secret), "{line}");
        }
        assert!(line.contains("https://***@platform.example.com/"), "{line}");
    }

    #[test]
    fn env_pairs_set_their_settings_and_leave_the_rest_at_defaults() {
        let config = Config::from_env_pairs([
            ("TOKEN_API_URL", "http://127.0.0.1:1234".to_owned()),
            ("MQTT_CREDENTIALS", "pilot=m1:p1,copilot=m2:p2".to_owned()),
            ("TRUST_FORWARDED_FOR", "true".to_owned()),
            ("XAG_TIMESTAMP_UNIT", "milliseconds".to_owned()),
            ("UPSTREAM_TIMEOUT_SECS", "3".to_owned()),
            ("FLIGHTHUB_ORG_KEY", "first".to_owned()),
            ("FLIGHTHUB_ORG_KEY", "second".to_owned()),
        ])
        .expect("config");
        assert_eq!(config.token_api_url, "http://127.0.0.1:1234");
        assert_eq!(
            config.mqtt_credentials_of("copilot"),
            Some(("m2".to_owned(), "p2".to_owned()))
        );
        assert!(config.trust_forwarded_for);
        assert_eq!(config.xag_timestamp_unit, TimestampUnit::Milliseconds);
        assert_eq!(config.upstream_timeout_secs, 3);
        assert_eq!(config.flighthub_org_key, "second", "the later pair wins");
        // untouched: the defaults, whatever the process environment holds
        let defaults = Config::from_env_pairs([]).expect("defaults");
        assert_eq!(config.listen, defaults.listen);
        assert_eq!(defaults.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(defaults.token_api_login_path, "/api/v1/auth/token");
        assert!(!defaults.trust_forwarded_for);
        assert!(defaults.flighthub_org_key.is_empty());
    }

    #[test]
    fn token_settings_are_checked_naming_the_setting() {
        let defaults = Config::from_env_pairs([]).expect("defaults");
        assert_eq!(defaults.check_token_settings(), Ok(()));
        assert!(defaults.token_issue_named);
        assert!(defaults.token_jwt_hs256_secret.is_empty());
        assert_eq!(defaults.token_subject_claim, "sub");
        assert!(defaults
            .token_scope_choices
            .contains(&"GET /objects/:id".to_owned()));
        let off =
            Config::from_env_pairs([("TOKEN_ISSUE_NAMED", "false".to_owned())]).expect("config");
        assert!(!off.token_issue_named);
        for (name, value) in [
            ("TOKEN_EXPIRES_IN", "12h"),
            ("TOKEN_SCOPES", "GET /tokens,FETCH /tokens"),
            ("TOKEN_SCOPE_CHOICES", "GET objects"),
            ("TOKEN_SUBJECT_CLAIM", " "),
            ("TOKEN_API_TOKENS_PATH", "api/v1/tokens"),
            ("TOKEN_API_METHODS_PATH", "methods"),
        ] {
            let config = Config::from_env_pairs([(name, value.to_owned())]).expect("parses");
            let e = config.check_token_settings().expect_err(name);
            assert!(e.starts_with(name), "{e}");
        }
        let secret =
            Config::from_env_pairs([("TOKEN_JWT_HS256_SECRET", "hs256-secret-value".to_owned())])
                .expect("config");
        assert!(!format!("{secret:?}").contains("hs256-secret-value"));
    }

    #[test]
    fn a_switch_can_be_turned_off_again() {
        let config = Config::from_env_pairs([
            ("TRUST_FORWARDED_FOR", "1".to_owned()),
            ("TRUST_FORWARDED_FOR", "off".to_owned()),
        ])
        .expect("config");
        assert!(!config.trust_forwarded_for);
    }

    #[test]
    fn unknown_names_and_bad_values_are_errors() {
        assert!(Config::from_env_pairs([("NO_SUCH_SETTING", "x".to_owned())]).is_err());
        assert!(Config::from_env_pairs([("UPSTREAM_TIMEOUT_SECS", "soon".to_owned())]).is_err());
        assert!(Config::from_env_pairs([("TRUST_FORWARDED_FOR", "maybe".to_owned())]).is_err());
    }

    #[test]
    fn remote_unlocking_settings() {
        let defaults = Config::from_env_pairs([]).expect("defaults");
        assert!(defaults.device_link().is_none(), "off without a broker");
        assert_eq!(
            defaults.device_fingerprint_mismatch_codes,
            Codes(vec![314003])
        );
        assert_eq!(defaults.device_call_timeout(), Duration::from_secs(10));
        assert_eq!(defaults.unlock_file_url_ttl_secs, 600);
        assert!(defaults.license_dir().is_none());
        assert!(defaults.unlock_admin_token.is_empty());
        assert_eq!(defaults.public_base(), "http://127.0.0.1:8080");

        let config = Config::from_env_pairs([
            ("DEVICE_MQTT_BROKER", "tcp://127.0.0.1:1883".to_owned()),
            ("DEVICE_MQTT_USERNAME", "platform".to_owned()),
            ("DEVICE_MQTT_PASSWORD", "mqtt-secret-value".to_owned()),
            ("DEVICE_OFFLINE_AFTER_SECS", "12".to_owned()),
            ("DEVICE_FINGERPRINT_MISMATCH_CODES", "7, 314003".to_owned()),
            (
                "DEVICE_OWNERS",
                "pilot=5YSZL260021E9W,copilot=X1".to_owned(),
            ),
            ("UNLOCK_LICENSE_DIR", "/srv/licenses".to_owned()),
            ("UNLOCK_ADMIN_TOKEN", "admin-secret-value".to_owned()),
            ("PUBLIC_BASE_URL", "https://portal.example.com/".to_owned()),
        ])
        .expect("config");
        let link = config.device_link().expect("on");
        assert_eq!(link.broker, "tcp://127.0.0.1:1883");
        assert_eq!(link.username, "platform");
        assert_eq!(link.offline_after, Duration::from_secs(12));
        assert_eq!(
            config.device_fingerprint_mismatch_codes,
            Codes(vec![7, 314003])
        );
        assert!(config.owns_device("pilot", "5YSZL260021E9W"));
        assert!(!config.owns_device("copilot", "5YSZL260021E9W"));
        assert_eq!(config.license_dir(), Some(PathBuf::from("/srv/licenses")));
        assert_eq!(config.public_base(), "https://portal.example.com");
        let debug = format!("{config:?} {link:?}");
        assert!(!debug.contains("mqtt-secret-value"), "{debug}");
        assert!(!debug.contains("admin-secret-value"), "{debug}");

        let none = Config::from_env_pairs([("DEVICE_FINGERPRINT_MISMATCH_CODES", String::new())])
            .expect("empty list");
        assert_eq!(none.device_fingerprint_mismatch_codes, Codes(vec![]));
        assert!(
            Config::from_env_pairs([("DEVICE_FINGERPRINT_MISMATCH_CODES", "x".to_owned())])
                .is_err()
        );
    }

    #[test]
    fn the_page_config_carries_the_license_and_a_sane_fraction() {
        let mut config =
            Config::from_env_pairs([("PLATFORM_NAME", "Acme".to_owned())]).expect("config");
        config.renew_below_fraction = 3.0;
        let page = config.page_config();
        assert_eq!(page.platform_name, "Acme");
        assert_eq!(page.dji.app_id, config.dji_app_id);
        assert_eq!(page.renew_below_fraction, 1.0);
        let now = crate::clock::now_ms();
        assert!(page
            .server_time_ms
            .is_some_and(|t| (now - t).abs() < 60_000));
    }
}
