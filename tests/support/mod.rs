//! End-to-end harness: the release build of the page (`dist/`, after wasm-opt) served by the
//! real proxy, backed by the real token API simulator, driven in headless Chromium through
//! chromedriver, with the Pilot 2 emulator injected before the page's own scripts run.

#![allow(dead_code)]

use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::{serve, AppState};
use pilot_portal_sim::flighthub::{FlightHubSim, DEMO_ORG_KEY};
use pilot_portal_sim::mqtt::MqttBroker;
use pilot_portal_sim::xag::XagConfig;
use pilot_portal_sim::{FlightHubSimServer, TokenApiSim, XagSimServer};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use thirtyfour::prelude::*;
use thirtyfour::ChromiumLikeCapabilities;

pub const SIM_SECRET: &[u8] = b"e2e-platform-secret";
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

/// Kills chromedriver's whole process group (and so Chromium) even when a test panics.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
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
}

pub struct E2e {
    pub sim: TokenApiSim,
    pub xag: XagSimServer,
    pub flighthub: Option<FlightHubSimServer>,
    pub broker: Option<MqttBroker>,
    pub base: String,
    _db_dir: tempfile::TempDir,
    pub driver: WebDriver,
    _chromedriver: KillOnDrop,
    _profile: tempfile::TempDir,
}

/// What a [`Stack`] runs besides the token API and XAG simulators.
#[derive(Default, Clone)]
pub struct Options {
    /// Where the proxy sends token API calls (e.g. a dead port) instead of the simulator.
    pub token_api_url: Option<String>,
    /// FlightHub 2 simulator and an MQTT broker: the pilot gets connected and chooses a
    /// workspace.
    pub cloud: bool,
    /// The organization key the proxy uses (default: the simulator's).
    pub org_key: Option<String>,
    /// MQTT password configured for the pilot (default: the broker's).
    pub mqtt_password: Option<String>,
}

pub const MQTT_USER: &str = "mqtt-pilot";
pub const MQTT_PASSWORD: &str = "mqtt-pilot-secret";

async fn start_proxy(
    token_api_url: String,
    xag_url: String,
    db_dir: &std::path::Path,
    cloud: Option<(&FlightHubSimServer, &MqttBroker)>,
    options: &Options,
) -> SocketAddr {
    let mut config = Config::for_token_api(&token_api_url);
    if let Some((fh, broker)) = cloud {
        config.flighthub_url = fh.base_url();
        config.flighthub_org_key = options
            .org_key
            .clone()
            .unwrap_or_else(|| DEMO_ORG_KEY.into());
        config.mqtt_broker = broker.ws_url();
        let password = options
            .mqtt_password
            .clone()
            .unwrap_or_else(|| MQTT_PASSWORD.into());
        config.mqtt_credentials = vec![format!("pilot={MQTT_USER}:{password}")];
    }
    config.dist = dist();
    config.upstream_timeout_secs = 5;
    config.database_url = format!("sqlite://{}?mode=rwc", db_dir.join("proxy.db").display());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind proxy");
    let addr = listener.local_addr().expect("addr");
    let demo = XagConfig::demo();
    config.xag_base_url = xag_url;
    config.xag_component_appid = demo.component_appid;
    config.xag_app_secret = demo.app_secret;
    config.xag_component_access_token = demo.component_access_token;
    config.xag_callback_url = format!("http://{addr}/api/xag/callback");
    let state = AppState::new(config).await.expect("proxy state");
    tokio::spawn(serve(listener, state, std::future::pending()));
    addr
}

/// The servers: token API simulator and the proxy serving the built page.
pub struct Stack {
    pub sim: TokenApiSim,
    pub xag: XagSimServer,
    pub flighthub: Option<FlightHubSimServer>,
    pub broker: Option<MqttBroker>,
    pub base: String,
    pub db_dir: tempfile::TempDir,
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
        let token_api_url = options.token_api_url.clone();
        let sim = TokenApiSim::start(SIM_SECRET, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("simulator");
        let xag = XagSimServer::start(XagConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("xag simulator");
        let db_dir = tempfile::tempdir().expect("db dir");
        let token_api = token_api_url.unwrap_or_else(|| sim.base_url());
        let (flighthub, broker) = if options.cloud {
            let fh = FlightHubSimServer::start(
                FlightHubSim::demo(),
                "127.0.0.1:0".parse().expect("addr"),
            )
            .await
            .expect("flighthub simulator");
            let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
            let credentials =
                std::collections::HashMap::from([(MQTT_USER.to_owned(), MQTT_PASSWORD.to_owned())]);
            let broker = pilot_portal_sim::mqtt::start(credentials, any, any).expect("mqtt broker");
            (Some(fh), Some(broker))
        } else {
            (None, None)
        };
        let cloud = flighthub.as_ref().zip(broker.as_ref());
        let proxy = start_proxy(token_api, xag.base_url(), db_dir.path(), cloud, &options).await;
        Stack {
            sim,
            xag,
            flighthub,
            broker,
            base: format!("http://{proxy}"),
            db_dir,
        }
    }
}

impl E2e {
    pub async fn start(preset: Preset) -> E2e {
        Self::on(Stack::start(None).await, preset).await
    }

    /// A fresh headless Chromium with the emulator preset, on `stack`.
    pub async fn on(stack: Stack, preset: Preset) -> E2e {
        let Stack {
            sim,
            xag,
            flighthub,
            broker,
            base,
            db_dir,
        } = stack;
        let port = free_port();
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let child = std::os::unix::process::CommandExt::process_group(
            Command::new(&chromedriver).arg(format!("--port={port}")),
            0,
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {chromedriver}: {e} (cargo xtask test installs it)")
        });
        let chromedriver = KillOnDrop(child);

        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = DesiredCapabilities::chrome();
        let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        caps.set_binary(&chrome).expect("binary");
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--window-size=960,600",
        ] {
            caps.add_arg(arg).expect("arg");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .expect("arg");

        let url = format!("http://127.0.0.1:{port}");
        let mut driver = None;
        for _ in 0..100 {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(d) => {
                    driver = Some(d);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let driver = driver.expect("chromedriver session");
        if !preset.no_bridge {
            let emulator =
                std::fs::read_to_string(dist().join("pilot2-emulator.js")).expect("emulator");
            let source = format!("{}\n{}\n{}", prelude(&preset), LOGIN_WATCH, emulator);
            driver
                .cdp()
                .send_raw(
                    "Page.addScriptToEvaluateOnNewDocument",
                    json!({ "source": source }),
                )
                .await
                .expect("inject emulator");
        } else {
            driver
                .cdp()
                .send_raw(
                    "Page.addScriptToEvaluateOnNewDocument",
                    json!({ "source": LOGIN_WATCH }),
                )
                .await
                .expect("inject watcher");
        }
        E2e {
            sim,
            xag,
            flighthub,
            broker,
            base,
            _db_dir: db_dir,
            driver,
            _chromedriver: chromedriver,
            _profile: profile,
        }
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

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.expect("text")
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

    /// `/api/...` requests this page load made (Resource Timing).
    pub async fn api_requests(&self) -> Vec<String> {
        let v = self
            .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/'))")
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The start sequence's `/api` round trips: every request of this page load except the
    /// main page's own panels (FlightHub status and devices, XAG link), which load after it
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
            })
            .collect()
    }

    pub async fn saw_login_form(&self) -> bool {
        self.js("return !!window.__sawLogin")
            .await
            .as_bool()
            .unwrap_or(false)
    }

    pub async fn login(&self, user: &str, password: &str) {
        let u = self.wait_for("[data-testid=username]").await;
        u.clear().await.expect("clear");
        u.send_keys(user).await.expect("type");
        let p = self.wait_for("[data-testid=password]").await;
        p.send_keys(password).await.expect("type");
        p.send_keys(Key::Enter).await.expect("enter");
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
  new MutationObserver(function () {
    if (document.querySelector('[data-testid=login-form]')) window.__sawLogin = true;
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
/// license first; `apiGetToken`/`apiSetToken` only while `api` is loaded; no failed calls.
pub fn assert_contract_order(calls: &[Call], api_loaded_at_start: bool) {
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
                )
            }
            _ => {}
        }
        assert_eq!(c.code, 0, "{} failed in the emulator: {calls:?}", c.method);
    }
}

/// A token of `user` issued `age_ms` ago and valid for `left_ms` more, signed by the simulator.
pub fn mint(sim: &TokenApiSim, age_ms: i64, left_ms: i64) -> (String, String) {
    let now = pilot_portal_sim::token_api::now_ms();
    sim.api.mint("pilot", now - age_ms, now + left_ms)
}

pub const HOUR: i64 = 3_600_000;
