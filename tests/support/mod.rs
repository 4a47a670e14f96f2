//! End-to-end harness: the release build of the page (`dist/`, after wasm-opt) served by the
//! real proxy, backed by the real simulators, driven in headless Chromium through
//! chromedriver, with the Pilot 2 emulator injected before the page's own scripts run.
//!
//! The stack and the browser come from `pilot-portal-testkit` (the same ones the proxy tests
//! and `cargo xtask bench` use); this file adds what only the e2e tests need.

#![allow(dead_code)]

use pilot_portal_proxy::config::Config;
use pilot_portal_sim::demo::{DemoOptions, MqttOptions, DEMO_PILOTS};
use pilot_portal_sim::mqtt::MqttBroker;
use pilot_portal_sim::{FlightHubSimServer, TokenApiSim, XagSimServer};
use pilot_portal_testkit::chromium::{self, BrowserProcess, ChromiumOptions};
use pilot_portal_testkit::StackOptions;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use thirtyfour::prelude::*;

pub const WAIT: Duration = Duration::from_secs(20);

/// The built page; `cargo xtask test` builds it first.
pub fn dist() -> PathBuf {
    let dir = std::env::var_os("PILOT_PORTAL_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dist"));
    assert!(
        dir.join("index.html").is_file() && dir.join("pilot2-emulator.js").is_file(),
        "no built page in {}: run `cargo xtask test`, which builds it with trunk first",
        dir.display()
    );
    dir
}

/// What the simulated Pilot 2 holds when the page opens.
#[derive(Default, Clone)]
pub struct Preset {
    /// Token in an already loaded `api` module.
    pub pilot_token: Option<String>,
    /// Token in the page's own storage only.
    pub page_token: Option<String>,
    pub bad_license: bool,
    /// Show the emulator's on-page call log.
    pub show_log: bool,
    /// Do not inject the emulator at all (the page is outside Pilot 2).
    pub no_bridge: bool,
    /// Serial number of the aircraft connected to the controller.
    pub aircraft_sn: Option<String>,
    /// The remote controller's serial number (default: the emulator's).
    pub rc_sn: Option<String>,
    /// Which of the behaviours DJI leaves open the simulated Pilot 2 shows.
    pub world: World,
}

/// The simulated Pilot 2's settings for what DJI does not document. The page must be right in
/// every one of them: the session journeys run under each.
#[derive(Default, Clone, Copy, Debug)]
pub struct World {
    /// `platformStopSelf` also calls `onStopPlatform` (documented: only Pilot's own exit does).
    pub stop_callback: bool,
    /// Closing the page unloads every module (documented: modules keep running).
    pub stop_unloads: bool,
    /// `apiSetToken("")` is accepted (undocumented either way; the page never relies on it).
    pub accept_empty_token: bool,
    /// `apiGetToken` with nothing stored answers `{}` instead of `""`.
    pub no_token_reply_object: bool,
    /// `window.djiBridge` appears only once the page is parsed (documented: nothing; Android
    /// injects it before the page's first script, which the loader relies on when it can).
    pub late_bridge: bool,
    /// While the page is parsed, `platformVerifyLicense` is refused; accepted a moment later
    /// (documented: nothing; the loader asks then, and a refusal it got is asked again).
    pub late_license: bool,
    /// `thingGetConfigs` leaves the MQTT password out (documented: nothing; DJI's demo reloads
    /// its modules from it). The cloud journeys run under it (`tests/cloud_e2e.rs`).
    pub configs_without_password: bool,
    /// The cloud module logs in again by itself a second after its link drops (documented:
    /// nothing). The cloud journeys run under it (`tests/cloud_e2e.rs`).
    pub self_reconnect: bool,
}

impl World {
    /// What DJI documents, and each plausible alternative of the session's start and end on
    /// its own (the cloud module's are the cloud journeys').
    pub fn all() -> [World; 7] {
        let d = World::default();
        [
            d,
            World {
                stop_callback: true,
                ..d
            },
            World {
                stop_unloads: true,
                ..d
            },
            World {
                accept_empty_token: true,
                ..d
            },
            World {
                no_token_reply_object: true,
                ..d
            },
            World {
                late_bridge: true,
                ..d
            },
            World {
                late_license: true,
                ..d
            },
        ]
    }

    /// Every alternative at once.
    pub fn contrary() -> World {
        World {
            stop_callback: true,
            stop_unloads: true,
            accept_empty_token: true,
            no_token_reply_object: true,
            late_bridge: true,
            late_license: true,
            configs_without_password: true,
            self_reconnect: true,
        }
    }
}

/// A browser on a [`Stack`]. Derefs to the stack, so `e.sim`, `e.xag`, `e.base`, … read as
/// the stack's.
pub struct E2e {
    pub driver: WebDriver,
    _browser: BrowserProcess,
    /// Dropped last: the servers outlive the browser. Shared by the browsers of
    /// [`E2e::another`] (other controllers on the same servers).
    pub stack: std::sync::Arc<Stack>,
}

impl std::ops::Deref for E2e {
    type Target = Stack;

    fn deref(&self) -> &Stack {
        &self.stack
    }
}

/// What a [`Stack`] runs besides the token API and XAG simulators.
#[derive(Default, Clone)]
pub struct Options {
    /// Where the proxy sends token API calls (e.g. a dead port) instead of the simulator.
    pub token_api_url: Option<String>,
    /// FlightHub 2 and an MQTT broker for the proxy: the pilot gets connected and chooses a
    /// workspace.
    pub cloud: bool,
    /// The organization key the proxy uses (default: the simulator's).
    pub org_key: Option<String>,
    /// MQTT password configured for the pilot (default: the broker's).
    pub mqtt_password: Option<String>,
    /// `DEFAULT_WORKSPACE_ID` and `DEFAULT_WORKSPACE_NAME` (used without FlightHub 2).
    pub default_workspace: Option<(String, String)>,
    /// `DEVICE_CALL_TIMEOUT_SECS`: how long the proxy waits for a gateway's answer.
    pub device_timeout_secs: Option<u64>,
    /// The `expire_in` of the XAG simulator's access tokens (default: its demo hour).
    pub xag_token_ttl_secs: Option<i64>,
    /// The page from Debian's nginx on `deploy/nginx.conf` (the static files of the build,
    /// `/api` proxied), in front of two proxy instances sharing the database, as deployed.
    pub nginx: bool,
    /// nginx serves the index pages `pilot-portal-proxy write-pages` wrote (the config
    /// inlined, README, Deploy) into a copy of the build, not the files as built.
    pub nginx_pages: bool,
}

/// The first demo pilot's MQTT account, as the broker knows it.
pub const MQTT_USER: &str = DEMO_PILOTS[0].mqtt_username;
pub const MQTT_PASSWORD: &str = DEMO_PILOTS[0].mqtt_password;

/// The servers: the testkit's stack (simulators, and the proxy serving the built page), with
/// handles to what these tests look at.
pub struct Stack {
    pub kit: pilot_portal_testkit::Stack,
    /// The token API simulator.
    pub sim: TokenApiSim,
    pub xag: XagSimServer,
    /// The FlightHub 2 simulator, when the proxy uses it ([`Options::cloud`]).
    pub flighthub: Option<FlightHubSimServer>,
    /// The MQTT broker ([`Options::cloud`]).
    pub broker: Option<MqttBroker>,
    /// Where the browser opens the page: the proxy, or nginx ([`Options::nginx`]).
    pub base: String,
    /// nginx in front ([`Options::nginx`]).
    pub nginx: Option<pilot_portal_testkit::nginx::Nginx>,
    /// The second proxy instance behind nginx: stops when dropped.
    _second: Option<tokio::sync::oneshot::Sender<()>>,
    /// The copy of the build nginx serves ([`Options::nginx_pages`]): removed when dropped.
    _pages: Option<tempfile::TempDir>,
}

impl Stack {
    /// `token_api_url` overrides where the proxy sends token API calls (e.g. a dead port).
    pub async fn start(token_api_url: Option<String>) -> Stack {
        Self::with(Options {
            token_api_url,
            ..Options::default()
        })
        .await
    }

    pub async fn with(options: Options) -> Stack {
        let mut demo = DemoOptions {
            mqtt: options.cloud.then(MqttOptions::default),
            ..DemoOptions::default()
        };
        if let Some(secs) = options.xag_token_ttl_secs {
            demo.xag.token_ttl_secs = secs;
        }
        let tweak = |config: &mut Config| {
            config.dist = dist();
            config.upstream_timeout_secs = 5;
            // behind nginx: the client is the hop nginx appends
            config.trust_forwarded_for = options.nginx;
            if let Some(url) = &options.token_api_url {
                config.token_api_url = url.clone();
            }
            if let Some(secs) = options.device_timeout_secs {
                config.device_call_timeout_secs = secs;
            }
            if let Some((id, name)) = &options.default_workspace {
                config.default_workspace_id = id.clone();
                config.default_workspace_name = name.clone();
            }
            if options.cloud {
                if let Some(key) = &options.org_key {
                    config.flighthub_org_key = key.clone();
                }
                if let Some(password) = &options.mqtt_password {
                    let pilot = DEMO_PILOTS[0];
                    config.mqtt_credentials =
                        vec![format!("{}={MQTT_USER}:{password}", pilot.username)];
                }
            } else {
                // no workspace step, no cloud module
                config.flighthub_org_key.clear();
            }
        };
        let kit = pilot_portal_testkit::Stack::start_with(StackOptions { demo }, tweak)
            .await
            .expect("stack");
        let pages = options.nginx_pages.then(|| written_pages(&kit.config));
        let (nginx, second) = if options.nginx {
            let dist = pages.as_ref().map_or_else(dist, |p| p.path().to_owned());
            let (nginx, second) = behind_nginx(&kit, dist).await;
            (Some(nginx), Some(second))
        } else {
            (None, None)
        };
        let demo = &kit.demo;
        Stack {
            sim: demo.token_api.clone(),
            xag: demo.xag.clone(),
            flighthub: options.cloud.then(|| demo.flighthub.clone()),
            broker: demo.broker.as_ref().map(|b| MqttBroker {
                tcp: b.tcp,
                ws: b.ws,
            }),
            base: nginx
                .as_ref()
                .map(|n| n.base.clone())
                .unwrap_or_else(|| kit.base.clone()),
            nginx,
            _second: second,
            _pages: pages,
            kit,
        }
    }
}

/// A copy of the build with the index pages as `pilot-portal-proxy write-pages` writes them.
fn written_pages(config: &Config) -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("dir");
        for entry in std::fs::read_dir(from).expect("dist").flatten() {
            let path = entry.path();
            if path.is_dir() {
                copy(&path, &to.join(entry.file_name()));
            } else {
                std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // nginx's workers (another user when it starts as root) read it
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("mode");
    copy(&config.dist, dir.path());
    pilot_portal_proxy::static_files::write_pages(config, dir.path()).expect("write-pages");
    dir
}

/// A second proxy instance on the kit's configuration (same database), and nginx on
/// `deploy/nginx.conf` in front of both.
async fn behind_nginx(
    kit: &pilot_portal_testkit::Stack,
    dist: std::path::PathBuf,
) -> (
    pilot_portal_testkit::nginx::Nginx,
    tokio::sync::oneshot::Sender<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let second = listener.local_addr().expect("addr");
    let state = pilot_portal_proxy::AppState::new(kit.config.clone())
        .await
        .expect("second instance");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(pilot_portal_proxy::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let broker = kit.config.mqtt_broker.trim();
    let connect_extra = if broker.starts_with("ws://") || broker.starts_with("wss://") {
        url_origin(broker)
    } else {
        String::new()
    };
    let nginx =
        pilot_portal_testkit::nginx::Nginx::start(&pilot_portal_testkit::nginx::NginxOptions {
            dist,
            upstreams: vec![kit.addr, second],
            connect_extra,
        })
        .unwrap_or_else(|e| panic!("{e:#}"));
    (nginx, stop)
}

/// `scheme://host:port` of a URL.
fn url_origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split('/').next().unwrap_or("");
    format!("{scheme}://{host}")
}

impl E2e {
    pub async fn start(preset: Preset) -> E2e {
        Self::on(Stack::start(None).await, preset).await
    }

    /// A fresh headless Chromium with the emulator preset, on `stack`.
    pub async fn on(stack: impl Into<std::sync::Arc<Stack>>, preset: Preset) -> E2e {
        let stack = stack.into();
        let browser = chromium::start(ChromiumOptions::default())
            .await
            .unwrap_or_else(|e| {
                panic!("{e:#} (cargo xtask test installs chromium and chromedriver)")
            });
        let source = if preset.no_bridge {
            LOGIN_WATCH.to_owned()
        } else {
            let emulator =
                std::fs::read_to_string(dist().join("pilot2-emulator.js")).expect("emulator");
            format!("{}\n{}\n{}", prelude(&preset), LOGIN_WATCH, emulator)
        };
        let e = E2e {
            driver: browser.driver,
            _browser: browser.process,
            stack,
        };
        e.before_every_page(&source).await;
        e
    }

    /// Another browser with its own profile (another controller: its own Pilot 2, storage
    /// and preset) on the same servers.
    pub async fn another(&self, preset: Preset) -> E2e {
        Self::on(self.stack.clone(), preset).await
    }

    pub async fn open(&self) {
        self.driver.goto(&self.base).await.expect("navigate");
    }

    /// Waits for an element, and on timeout fails with the page's errors and bridge calls.
    pub async fn wait_for(&self, css: &str) -> WebElement {
        match self
            .driver
            .query(By::Css(css))
            .wait(WAIT, Duration::from_millis(50))
            .first()
            .await
        {
            Ok(e) => e,
            Err(e) => {
                let errors = self.js("return window.__errors || []").await;
                let calls = self.calls().await;
                let body = self
                    .js("return document.body ? document.body.innerText : ''")
                    .await;
                panic!("{css} did not appear: {e}\npage errors: {errors}\nbridge calls: {calls:#?}\npage text: {body}");
            }
        }
    }

    /// Waits for an element and clicks it.
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.expect("text")
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> usize {
        self.driver
            .find_all(By::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"))
            .len()
    }

    pub async fn js(&self, script: &str) -> Value {
        self.driver
            .execute(script, Vec::new())
            .await
            .map(|r| r.json().clone())
            .unwrap_or(Value::Null)
    }

    /// Bridge calls of the current page load: `[{method, args, reply}]`.
    pub async fn calls(&self) -> Vec<Call> {
        let raw = self
            .js("return window.__pilot2Emulator ? window.__pilot2Emulator.calls : []")
            .await;
        Call::list(&raw)
    }

    /// The emulator's Pilot 2 state (modules, workspace).
    pub async fn pilot_state(&self) -> Value {
        self.js("return window.__pilot2Emulator ? window.__pilot2Emulator.state() : null")
            .await
    }

    pub async fn page_token(&self) -> Option<String> {
        self.js("return localStorage.getItem('pilot-portal.token')")
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// The loader's cookie for the next opening's preload (`src/loader.js`), if set.
    pub async fn bundle_cookie(&self) -> Option<String> {
        self.js(
            "var m = /(?:^|; )pilot_portal_bundle=([^;]*)/.exec(document.cookie); return m && m[1]",
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// The wasm files this page load downloaded (paths, Resource Timing).
    pub async fn wasm_downloads(&self) -> Vec<String> {
        self.js_strings("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.endsWith('.wasm'))")
            .await
    }

    /// `/api/...` requests this page load made (Resource Timing).
    pub async fn api_requests(&self) -> Vec<String> {
        self.js_strings("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/'))")
            .await
    }

    /// The strings of the array `script` returns (none if it returns something else).
    async fn js_strings(&self, script: &str) -> Vec<String> {
        self.js(script)
            .await
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The start sequence's `/api` round trips: every request of this page load except the
    /// main page's own panels (FlightHub status and devices, XAG link, access tokens, flight
    /// unlocking), which load after it
    /// shows. (Timing cannot separate them: on loopback a panel's response can land before the
    /// page's own mutation observer runs.)
    pub async fn api_requests_before_main(&self) -> Vec<String> {
        self.api_requests()
            .await
            .into_iter()
            .filter(|u| {
                !u.contains("/api/flighthub/status")
                    && !u.contains("/api/flighthub/projects/")
                    && !u.contains("/api/xag/")
                    && !u.contains("/api/tokens")
                    && !u.contains("/api/unlock/")
            })
            .collect()
    }

    /// Chromium's network emulation for the page: offline (the page gets `offline`), or online
    /// (`online`) with `latency_ms`.
    pub async fn emulate_network(&self, offline: bool, latency_ms: u64) {
        let cdp = self.driver.cdp();
        cdp.send_raw("Network.enable", json!({}))
            .await
            .expect("Network.enable");
        cdp.send_raw(
            "Network.emulateNetworkConditions",
            json!({
                "offline": offline,
                "latency": latency_ms,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            }),
        )
        .await
        .expect("network emulation");
    }

    /// What the page's Content Security Policy blocked during this page load.
    pub async fn csp_violations(&self) -> Vec<String> {
        self.js("return window.__cspViolations || []")
            .await
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn saw_login_form(&self) -> bool {
        self.js("return !!window.__sawLogin")
            .await
            .as_bool()
            .unwrap_or(false)
    }

    /// Whether index.html's login form (drawn before any wasm) was ever on screen.
    pub async fn saw_early_login_form(&self) -> bool {
        self.js("return !!window.__sawEarlyLogin")
            .await
            .as_bool()
            .unwrap_or(false)
    }

    /// Reopens with a stored session: the main page, connected, on the signed-in bundle alone
    /// (the panels come after it), the first screen's never.
    pub async fn reopen_on_the_signed_in_bundle(&self) {
        self.open().await;
        self.wait_for("[data-testid=cloud-state][data-state=connected]")
            .await;
        assert!(!self.saw_login_form().await);
        let downloads = self.wasm_downloads().await;
        assert!(
            downloads.iter().filter(|w| w.starts_with("/full/")).count() == 1
                && downloads
                    .iter()
                    .all(|w| w.starts_with("/full/") || w.starts_with("/panels/")),
            "the signed-in bundle once, the first screen's never (the panels come after): {downloads:?}"
        );
    }

    /// Chromium refuses requests to these URL patterns from now on (`urls` empty: none), as a
    /// field network that drops them.
    pub async fn block_urls(&self, urls: &[&str]) {
        let cdp = self.driver.cdp();
        cdp.send_raw("Network.enable", json!({}))
            .await
            .expect("Network.enable");
        cdp.send_raw("Network.setBlockedURLs", json!({ "urls": urls }))
            .await
            .expect("Network.setBlockedURLs");
    }

    /// Whether the wasm's start screen was ever put in the page during this load.
    pub async fn saw_start_screen(&self) -> bool {
        self.js("return !!window.__sawStartScreen")
            .await
            .as_bool()
            .unwrap_or(false)
    }

    /// From the next page load on, the session check (`GET /api/pilot/bootstrap`) waits for
    /// [`E2e::release_the_session_check`] before it goes out, whoever sends it.
    pub async fn hold_the_session_check(&self) {
        const HOLD: &str = r#"(function () {
  var f = window.fetch, release, held = new Promise(function (r) { release = r; });
  window.__releaseTheSessionCheck = function () { release(); };
  window.fetch = function (input) {
    var self = this, args = arguments;
    if (String(input && input.url || input).indexOf("/api/pilot/bootstrap") < 0) return f.apply(self, args);
    return held.then(function () { return f.apply(self, args); });
  };
})();"#;
        self.before_every_page(HOLD).await;
    }

    pub async fn release_the_session_check(&self) {
        self.js("window.__releaseTheSessionCheck(); return true")
            .await;
    }

    /// From the next page load on, the loader's start of its bundle (`__pilotPortalStart` in
    /// src/loader.js) waits for [`E2e::release_the_wasm`]: the downloads go out as always, but
    /// no wasm runs until the test says so, however fast this machine is.
    pub async fn hold_the_wasm(&self) {
        const HOLD: &str = r#"(function () {
  var start, release, held = new Promise(function (r) { release = r; });
  window.__releaseTheWasm = function () { release(); };
  Object.defineProperty(window, "__pilotPortalStart", {
    configurable: true,
    set: function (f) { start = f; },
    get: function () { return function (b) { return held.then(function () { return start(b); }); }; }
  });
})();"#;
        self.before_every_page(HOLD).await;
    }

    /// Runs `source` in every page this browser opens from now on, before the page's scripts.
    pub async fn before_every_page(&self, source: &str) {
        self.driver
            .cdp()
            .send_raw(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": source }),
            )
            .await
            .expect("a script before every page");
    }

    pub async fn release_the_wasm(&self) {
        self.js("window.__releaseTheWasm(); return true").await;
    }

    /// Logs `user` in and chooses FlightHub 2's main demo project on the workspace page (a
    /// stack with [`Options::cloud`]); what follows is the caller's to wait for.
    pub async fn log_in_to_the_main_project(&self, user: &str, password: &str) {
        self.login(user, password).await;
        self.wait_for("[data-testid=workspace-list]").await;
        self.click(&format!(
            "[data-testid=workspace-item][data-uuid='{}']",
            pilot_portal_sim::flighthub::MAIN_PROJECT
        ))
        .await;
    }

    pub async fn login(&self, user: &str, password: &str) {
        let u = self.wait_for("[data-testid=username]").await;
        u.clear().await.expect("clear");
        u.send_keys(user).await.expect("type");
        let p = self.wait_for("[data-testid=password]").await;
        p.send_keys(password).await.expect("type");
        p.send_keys(Key::Enter).await.expect("enter");
    }

    /// Waits until `check` holds (polling), or fails naming `what`.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = std::time::Instant::now() + WAIT;
        while !check().await {
            assert!(
                std::time::Instant::now() < deadline,
                "never happened: {what}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// [`E2e::eventually`] of a script that returns `true` once `what` happened.
    pub async fn eventually_true(&self, what: &str, script: &str) {
        self.eventually(what, || async {
            self.js(script).await.as_bool().unwrap_or(false)
        })
        .await;
    }

    /// The simulated Pilot 2 closed the page (it navigates to its "closed" page).
    pub async fn wait_closed(&self) {
        self.wait_for("#pilot2-emulator-stopped").await;
    }

    /// The modules Pilot 2 runs now (names), read from the emulator's state.
    pub async fn modules(&self) -> Vec<String> {
        let state = self.pilot_state().await;
        state["modules"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The `thing` module's MQTT username, if it is loaded.
    pub async fn cloud_account(&self) -> Option<String> {
        self.pilot_state().await["modules"]["thing"]["username"]
            .as_str()
            .map(str::to_owned)
    }

    pub async fn quit(self) {
        let _ = self.driver.quit().await;
    }
}

/// Sets the emulator's options for the first page load only, so a reload sees what Pilot 2
/// kept rather than the preset again.
fn prelude(preset: &Preset) -> String {
    let mut config = json!({ "showLog": preset.show_log });
    if preset.bad_license {
        config["badLicense"] = json!(true);
    }
    if let Some(t) = &preset.pilot_token {
        config["token"] = json!(t);
    }
    if let Some(sn) = &preset.aircraft_sn {
        config["aircraftSn"] = json!(sn);
    }
    if let Some(sn) = &preset.rc_sn {
        config["rcSn"] = json!(sn);
    }
    let w = preset.world;
    config["stopCallback"] = json!(w.stop_callback);
    config["stopUnloads"] = json!(w.stop_unloads);
    config["acceptEmptyToken"] = json!(w.accept_empty_token);
    config["noTokenReply"] = json!(if w.no_token_reply_object { "{}" } else { "" });
    config["lateBridge"] = json!(w.late_bridge);
    config["lateLicense"] = json!(w.late_license);
    config["configsPassword"] = json!(!w.configs_without_password);
    config["selfReconnect"] = json!(w.self_reconnect);
    let page_token = preset
        .page_token
        .clone()
        .map(Value::String)
        .unwrap_or(Value::Null);
    format!(
        r#"(function () {{
  if (!/^https?:/.test(location.protocol)) return;
  var first = !sessionStorage.getItem("e2e-preset");
  sessionStorage.setItem("e2e-preset", "1");
  var config = {config};
  if (!first) delete config.token;
  window.__PILOT2_EMULATOR_CONFIG = config;
  var pageToken = {page_token};
  if (first && pageToken) localStorage.setItem("pilot-portal.token", pageToken);
}})();"#
    )
}

/// Records whether the login form was ever on screen during this page load.
const LOGIN_WATCH: &str = r#"(function () {
  if (!/^https?:/.test(location.protocol)) return;
  window.__sawLogin = false;
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
  });
  new MutationObserver(function (records) {
    // the start screen, even if gone again before this ran
    records.forEach(function (r) {
      [].forEach.call(r.addedNodes, function (n) {
        if (n.nodeType == 1 && (n.matches('[data-testid=starting]') || n.querySelector('[data-testid=starting]'))) window.__sawStartScreen = true;
      });
    });
    if (document.querySelector('[data-testid=login-form]')) window.__sawLogin = true;
    if (document.querySelector('[data-testid=early-login]')) window.__sawEarlyLogin = true;
    if (window.__mainAt === undefined && document.querySelector('[data-testid=main-page]')) window.__mainAt = performance.now();
  }).observe(document, { childList: true, subtree: true });
})();"#;

/// One recorded bridge call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub args: Vec<Value>,
    pub code: i64,
}

impl Call {
    fn list(raw: &Value) -> Vec<Call> {
        raw.as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        let reply: Value = c["reply"]
                            .as_str()
                            .and_then(|r| serde_json::from_str(r).ok())
                            .unwrap_or(Value::Null);
                        Call {
                            method: c["method"].as_str().unwrap_or("").to_owned(),
                            args: c["args"].as_array().cloned().unwrap_or_default(),
                            code: reply["code"].as_i64().unwrap_or(i64::MIN),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn arg(&self, i: usize) -> &str {
        self.args.get(i).and_then(Value::as_str).unwrap_or("")
    }

    /// The `param` of a `platformLoadComponent` call, parsed.
    pub fn param(&self) -> Value {
        serde_json::from_str(self.arg(1)).unwrap_or(Value::Null)
    }
}

pub fn methods(calls: &[Call]) -> Vec<&str> {
    calls.iter().map(|c| c.method.as_str()).collect()
}

/// The contract's ordering rules, checked on every test's calls:
/// license first; `apiGetToken`/`apiSetToken` only while `api` is loaded; a token is never
/// "cleared" with `apiSetToken("")`; no failed calls.
pub fn assert_contract_order(calls: &[Call], api_loaded_at_start: bool) {
    // A license refused while the page was parsed (`World::late_license`) is asked again: the
    // contract's sequence starts at the accepted one.
    let refused_early = calls
        .iter()
        .take_while(|c| c.method == "platformVerifyLicense" && c.code != 0)
        .count();
    let calls = &calls[refused_early..];
    let m = methods(calls);
    assert!(m.len() >= 2, "at least the license calls: {m:?}");
    assert_eq!(
        &m[..2],
        &["platformVerifyLicense", "platformIsVerified"],
        "license first: {m:?}"
    );
    let mut api_loaded = api_loaded_at_start;
    for c in calls {
        match c.method.as_str() {
            "platformLoadComponent" if c.arg(0) == "api" => {
                assert_ne!(
                    c.param()["token"].as_str().unwrap_or(""),
                    "",
                    "api module loaded without a token"
                );
                assert!(!api_loaded, "api module reloaded over a loaded one: {m:?}");
                api_loaded = true;
            }
            "platformUnloadComponent" if c.arg(0) == "api" => api_loaded = false,
            "apiGetToken" | "apiSetToken" => {
                assert!(
                    api_loaded,
                    "{} while the api module is not loaded: {m:?}",
                    c.method
                );
                assert!(
                    c.method != "apiSetToken" || !c.arg(0).is_empty(),
                    "apiSetToken(\"\") is not documented: unload the module: {m:?}"
                );
            }
            _ => {}
        }
        assert_eq!(c.code, 0, "{} failed in the emulator: {calls:?}", c.method);
    }
}

/// A token of the first demo pilot issued `age_ms` ago and valid for `left_ms` more, signed by
/// the simulator: `(id, jwt)`.
pub fn mint(sim: &TokenApiSim, age_ms: i64, left_ms: i64) -> (String, String) {
    let now = pilot_portal_sim::token_api::now_ms();
    sim.api
        .mint(DEMO_PILOTS[0].username, now - age_ms, now + left_ms)
}

pub const HOUR: i64 = 3_600_000;
