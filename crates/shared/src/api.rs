//! Requests and responses of the proxy's `/api` routes.

use serde::{Deserialize, Serialize};

/// Route paths, so the page and the proxy name them once.
pub mod paths {
    pub const CONFIG: &str = "/api/config";
    pub const LOGIN: &str = "/api/auth/login";
    pub const SESSION: &str = "/api/session";
    pub const SESSION_RENEW: &str = "/api/session/renew";
    pub const SESSION_LOGOUT: &str = "/api/session/logout";
    pub const XAG_LINK: &str = "/api/xag/link";
    pub const XAG_CALLBACK: &str = "/api/xag/callback";
    pub const XAG_AUTHORIZE: &str = "/api/xag/authorize";
    pub const PILOT_BOOTSTRAP: &str = "/api/pilot/bootstrap";
    pub const PILOT_WORKSPACE: &str = "/api/pilot/workspace";
    pub const FLIGHTHUB_STATUS: &str = "/api/flighthub/status";
    pub const FLIGHTHUB_PROJECTS: &str = "/api/flighthub/projects";
    pub const FLIGHTHUB_DEVICES: &str = "/api/flighthub/devices";
    /// The route pattern of one project's devices ([`flighthub_project_devices`] fills it).
    pub const FLIGHTHUB_PROJECT_DEVICES: &str = "/api/flighthub/projects/{uuid}/devices";

    /// `/api/flighthub/projects/{uuid}/devices`.
    pub fn flighthub_project_devices(uuid: &str) -> String {
        format!("/api/flighthub/projects/{uuid}/devices")
    }
}

/// The pages that name a bundle's files in their head, so the browser downloads it as the page
/// arrives, before any script runs: by the value of [`BUNDLE_COOKIE`], the page to answer
/// instead of `index.html` (which names none; the loader then asks). `cargo xtask build` writes
/// them; the proxy and `deploy/nginx.conf` choose.
pub const PRELOAD_PAGES: [(&str, &str); 2] =
    [("first", "index-first.html"), ("full", "index-full.html")];
/// The cookie the page's loader keeps with the bundle it started (`src/loader.js`): `full`
/// for the stored token's lifetime, `first` once the page holds no session. Only a download
/// hint: the loader still picks the bundle from the token itself.
pub const BUNDLE_COOKIE: &str = "pilot_portal_bundle";

/// DJI Cloud API app credentials for `platformVerifyLicense`. Not secrets: DJI binds them to
/// the app, and Pilot 2 needs them in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DjiAppLicense {
    pub app_id: String,
    pub app_key: String,
    pub license: String,
}

/// `GET /api/config`: what the page needs before it talks to Pilot 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageConfig {
    /// Shown in Pilot 2's top bar (`platformSetInformation`).
    pub platform_name: String,
    pub dji: DjiAppLicense,
    /// `host` of Pilot 2's `api` module: where Pilot 2 itself sends `X-Auth-Token` requests.
    pub api_module_host: String,
    /// Where the page sends its `/api` calls (`https://api.example.com`) when the proxy is on
    /// another origin than the page; empty (the default): the page's own origin.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_base: String,
    /// Renew a valid token once less than this fraction of its lifetime is left (0..1).
    pub renew_below_fraction: f64,
    /// The proxy's clock when it answered `GET /api/config` (epoch ms): the page decides the
    /// token states on the proxy's time, not on a controller clock that may be days off.
    /// `null` in the config inlined into `index.html`, whose answer carries the time in its
    /// `Server-Timing` header instead (the page itself stays the same, compressed once).
    #[serde(default)]
    pub server_time_ms: Option<i64>,
}

/// `POST /api/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The remote controller's serial number as Pilot 2 reports it: the proxy names the
    /// controller's token after it (`Pilot 2 · <SN>`). `None` outside Pilot 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_sn: Option<String>,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("controller_sn", &self.controller_sn)
            .finish()
    }
}

/// A platform user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
}

/// A token the platform issued: answer to login and renewal. Times are epoch milliseconds, as
/// the platform gives them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenGrant {
    pub token: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub user: User,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("token", &"<redacted>")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish()
    }
}

/// `GET /api/session`: the token is valid; who it belongs to and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: User,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// `GET /api/xag/link`: whether the pilot's XAG operator account is linked. The XAG access
/// token itself never leaves the proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XagLinkStatus {
    pub linked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_id: Option<String>,
    /// When XAG's authorization ends (epoch ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_at: Option<i64>,
}

/// `POST /api/xag/link` (optional body): where to bring the pilot back to afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XagLinkRequest {
    /// A path on the page's own origin, e.g. `/?emulator`: the proxy sends the browser back
    /// there with `xag=<outcome>` added to its query. `None`: `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
}

/// `POST /api/xag/link`: where to send the webview to authorize (a proxy URL that redirects
/// to XAG's page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XagLinkStart {
    pub authorize_url: String,
}

/// Params of Pilot 2's `thing` (cloud, MQTT) module, minus the callback name the page adds.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThingParams {
    /// `tcp://host:1883`, `ws://host:8083/mqtt`, `wss://…`
    pub host: String,
    pub username: String,
    /// This pilot's own MQTT password (Pilot 2 needs it); never another user's.
    pub password: String,
}

impl std::fmt::Debug for ThingParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThingParams")
            .field("host", &self.host)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `PUT /api/pilot/workspace`: the project the pilot chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceChoice {
    pub uuid: String,
}

/// A workspace: the FlightHub 2 project a pilot works in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// The project UUID, also Pilot 2's workspace id.
    pub uuid: String,
    pub name: String,
    pub introduction: String,
}

/// `GET /api/pilot/bootstrap`: everything the page needs to connect a pilot whose token is
/// valid, in one round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotBootstrap {
    pub session: SessionInfo,
    pub platform_name: String,
    /// `None` when no MQTT broker is configured for this pilot.
    pub thing: Option<ThingParams>,
    /// The workspace the pilot chose before, if any.
    pub workspace: Option<Workspace>,
    /// Whether FlightHub 2 projects can be chosen as workspaces (FlightHub configured).
    pub workspaces_enabled: bool,
}

/// `GET /api/flighthub/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlightHubStatus {
    pub ok: bool,
}

/// A FlightHub 2 project: a workspace a pilot can choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlightHubProject {
    pub uuid: String,
    pub name: String,
    pub introduction: String,
    /// Devices in the project, each dock, controller and aircraft one (as the device list
    /// shows them); `None` when the organization key may not list them.
    pub device_count: Option<u32>,
}

/// A FlightHub 2 device (remote controller, dock or aircraft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlightHubDevice {
    pub sn: String,
    pub callsign: String,
    pub model: String,
    pub online: bool,
}

/// One topology entry: a gateway (remote controller or dock) and its aircraft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlightHubDeviceEntry {
    pub gateway: Option<FlightHubDevice>,
    pub drone: Option<FlightHubDevice>,
}

/// How an XAG link attempt ended; the proxy's callback sends the browser back to the page
/// with `?xag=<outcome>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XagOutcome {
    Linked,
    /// The operator cancelled on XAG's page.
    Denied,
    /// Unknown, used or expired link attempt (also a forged callback).
    StateInvalid,
    /// XAG refused the authorization code (expired or used).
    CodeRejected,
    /// XAG could not be reached or refused the proxy.
    XagError,
    /// XAG's callback came in a form these settings cannot use (no `state`: the proxy's log
    /// names `XAG_STATE_FALLBACK`): an administrator problem, not worth retrying.
    Unsupported,
}

impl XagOutcome {
    pub const QUERY_KEY: &'static str = "xag";

    pub fn as_str(self) -> &'static str {
        match self {
            XagOutcome::Linked => "linked",
            XagOutcome::Denied => "denied",
            XagOutcome::StateInvalid => "state_invalid",
            XagOutcome::CodeRejected => "code_rejected",
            XagOutcome::XagError => "xag_error",
            XagOutcome::Unsupported => "unsupported",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Linked,
            Self::Denied,
            Self::StateInvalid,
            Self::CodeRejected,
            Self::XagError,
            Self::Unsupported,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn xag_outcomes_round_trip() {
        use super::XagOutcome;
        for o in [
            "linked",
            "denied",
            "state_invalid",
            "code_rejected",
            "xag_error",
            "unsupported",
        ] {
            assert_eq!(XagOutcome::parse(o).map(XagOutcome::as_str), Some(o));
        }
        assert_eq!(XagOutcome::parse("other"), None);
    }

    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let req = LoginRequest {
            username: "pilot".into(),
            password: "hunter2".into(),
            controller_sn: None,
        };
        assert!(!format!("{req:?}").contains("hunter2"));
        let grant = TokenGrant {
            token: "eyJsecret".into(),
            issued_at: 1,
            expires_at: 2,
            user: User {
                name: "pilot".into(),
            },
        };
        assert!(!format!("{grant:?}").contains("eyJsecret"));
    }

    #[test]
    fn token_grant_wire_names() {
        let json =
            serde_json::json!({"token":"t","issued_at":1,"expires_at":2,"user":{"name":"p"}});
        let grant: TokenGrant = serde_json::from_value(json).expect("parses");
        assert_eq!(grant.expires_at, 2);
    }
}
