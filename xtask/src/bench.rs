//! `cargo xtask bench`: figures, not a test. Two paths, each in headless Chromium unthrottled,
//! at 4x CPU and at 4x CPU + "Fast 3G", the median of several runs, measured the way
//! shared/reference/performance-anchors.md measured DJI's demo page:
//!
//! - the first screen: a fake Pilot 2 with a valid license and no token, to a visible password
//!   field (cold cache); the bytes by file (raw, gzip -9, brotli -q 11);
//! - the returning pilot: a fake Pilot 2 holding a valid token (and the page's copy), to the
//!   main page, with a cold cache and with a warm one (same profile, second opening), and in a
//!   fresh profile where only Pilot 2 holds the token;
//! - with `--baseline PORT`, the first screen and the fresh-profile returning pilot of another
//!   build served on that port, in runs alternating with ours, and the ratio;
//! - with `--renderer-started`, each timed opening follows a page of the same site in the
//!   same tab, so the figures leave out chromedriver's hold on a new renderer.

use crate::page::{brotli_bytes, gzip_bytes};
use crate::stack::{self, Ports};
use crate::{page, tools};
use anyhow::Context;
use pilot_portal_testkit::chromium::{self, ChromiumOptions};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use thirtyfour::prelude::*;

/// A fake Pilot 2 like the anchor's: license valid, no token stored. Also records when the
/// password field becomes visible (index.html's form, drawn before any wasm), when the wasm's
/// login form is there, and when the wasm first calls the bridge (a call while the document
/// is still parsed is the loader's, `askPilot` in src/loader.js).
const FAKE_BRIDGE: &str = r#"(function () {
  if (!/^https?:/.test(location.protocol)) return;
  function reply(data) { if (window.__firstCall === undefined && document.readyState !== "loading") window.__firstCall = performance.now(); return JSON.stringify({code: 0, message: "", data: data}); }
  window.djiBridge = {
    platformVerifyLicense: function () { return reply(true); },
    platformIsVerified: function () { return reply(true); },
    platformIsComponentLoaded: function () { return reply(false); },
    platformUnloadComponent: function () { return reply(true); },
    platformSetInformation: function () { return reply({}); }
  };
  new MutationObserver(function () {
    var p = document.querySelector("input[type=password]");
    if (p && p.offsetParent !== null && window.__passwordAt === undefined) window.__passwordAt = performance.now();
    if (window.__loginAt === undefined && document.querySelector("[data-testid=login-form]")) window.__loginAt = performance.now();
  }).observe(document, {childList: true, subtree: true, attributes: true});
})();"#;

/// A fake Pilot 2 that holds `__TOKEN__` in a loaded `api` module (the page keeps its copy
/// too, as after any sign-in, unless `__COPY__` is false) and answers every other call with
/// success. Records when the main page shows.
const FAKE_SIGNED_IN: &str = r#"(function () {
  if (!/^https?:/.test(location.protocol)) return;
  var token = "__TOKEN__";
  if (__COPY__) localStorage.setItem("pilot-portal.token", token);
  function reply(data) { if (window.__firstCall === undefined && document.readyState !== "loading") window.__firstCall = performance.now(); return JSON.stringify({code: 0, message: "", data: data}); }
  var answers = {
    platformIsComponentLoaded: function (name) { return reply(name === "api"); },
    apiGetToken: function () { return reply(token); },
    apiGetHost: function () { return reply(location.origin); },
    platformGetRemoteControllerSN: function () { return reply("5YSZL260021E9W"); },
    platformGetAircraftSN: function () { return reply(""); },
    thingGetConnectState: function () { return reply(false); }
  };
  window.djiBridge = new Proxy({}, { get: function (target, name) {
    if (name in target) return target[name];
    return answers[name] || function () { return reply(true); };
  } });
  new MutationObserver(function () {
    if (window.__mainAt === undefined && document.querySelector("[data-testid=main-page]")) window.__mainAt = performance.now();
  }).observe(document, {childList: true, subtree: true});
})();"#;

/// A plain HTTP/1.0 GET (identity encoding): the bytes the proxy serves for `path`.
fn http_get(port: u16, path: &str) -> anyhow::Result<Vec<u8>> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n"
    )?;
    let mut all = Vec::new();
    s.read_to_end(&mut all)?;
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("HTTP header end")?;
    Ok(all[split + 4..].to_vec())
}

/// Which opening is measured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    /// No token: to the visible password field.
    FirstScreen,
    /// The same for a pilot who logged out before (the loader's cookie says `first`: the page
    /// names the first screen's files in its head).
    FirstScreenAgain,
    /// A stored valid token, cold cache: to the main page.
    ReturningCold,
    /// The same in a fresh profile: Pilot 2 holds the token, the page has no copy and no cookie.
    ReturningFresh,
    /// The same, second opening in the same profile (the WebView keeps its HTTP cache).
    ReturningWarm,
}

impl Path {
    fn label(self) -> &'static str {
        match self {
            Path::FirstScreen => "first screen (no token → login)",
            Path::FirstScreenAgain => "first screen, logged out before",
            Path::ReturningCold => "stored valid token → main page, cold",
            Path::ReturningFresh => "the same, Pilot 2's token only",
            Path::ReturningWarm => "stored valid token → main page, warm",
        }
    }
}

#[derive(Clone, Copy)]
enum Setting {
    Unthrottled,
    Cpu4,
    Cpu4Fast3g,
}

impl Setting {
    fn label(self) -> &'static str {
        match self {
            Setting::Unthrottled => "no throttling",
            Setting::Cpu4 => "4x CPU",
            Setting::Cpu4Fast3g => "4x CPU + Fast 3G",
        }
    }
}

pub fn bench(runs: usize, baseline: Option<u16>, renderer_started: bool) -> anyhow::Result<()> {
    let tools = tools::setup(tools::Need::All)?;
    let dist = page::build(&tools)?;
    let ports = Ports::free()?;
    let proxy_port = ports.proxy;
    // its database under target/ (which CARGO_TARGET_DIR elsewhere leaves uncreated)
    std::fs::create_dir_all("target")?;
    let _stack = stack::start(&dist, &ports, "sqlite://target/bench.db?mode=rwc", false)?;
    let chromedriver = tools.chromedriver.clone().context("chromedriver")?;
    let chromium = tools.chromium.clone().context("chromium")?;

    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(async move {
            let url = format!("http://127.0.0.1:{proxy_port}/");
            // same site (127.0.0.1), another origin: nothing of the page's is cached or kept
            let same_site = format!("http://127.0.0.1:{}/", ports.token_api);
            let browser = Browser {
                chromedriver: &chromedriver,
                chromium: &chromium,
                url: &url,
                renderer_started: renderer_started.then_some(same_site.as_str()),
            };
            if renderer_started {
                println!("Each timed opening follows {same_site} in the same tab: its renderer is running and chromedriver attached to it (--renderer-started).");
            }
            let token = signed_in_pilot(proxy_port)?;
            let first = browser.measure(Path::FirstScreen, Setting::Unthrottled, "").await?;
            print_bytes(proxy_port, &first.resources, "First screen: what the browser downloads before the wasm's login form (bytes)", true)?;
            let cold = browser.measure(Path::ReturningCold, Setting::Unthrottled, &token).await?;
            println!();
            print_bytes(proxy_port, &cold.resources, "Returning pilot: what the browser downloads before the main page, cold cache (bytes)", false)?;
            println!();
            println!("Time to the first useful screen (median of {runs} runs, headless Chromium; bytes and requests as the browser counted them, requests including the document)");
            println!(
                "{:<40} {:>20} {:>9} {:>9} {:>11}",
                "path", "setting", "ms", "requests", "bytes"
            );
            let mut phases = Vec::new();
            for path in [
                Path::FirstScreen,
                Path::FirstScreenAgain,
                Path::ReturningCold,
                Path::ReturningFresh,
                Path::ReturningWarm,
            ] {
                for setting in [Setting::Unthrottled, Setting::Cpu4, Setting::Cpu4Fast3g] {
                    let mut samples = Vec::new();
                    for _ in 0..runs {
                        samples.push(browser.measure(path, setting, &token).await?);
                    }
                    let med = |f: &dyn Fn(&Sample) -> f64| {
                        median(samples.iter().map(f).collect()).unwrap_or(f64::NAN)
                    };
                    println!(
                        "{:<40} {:>20} {:>9.0} {:>9.0} {:>11.0}",
                        path.label(),
                        setting.label(),
                        med(&|s| s.shown_ms),
                        med(&|s| s.requests as f64),
                        med(&|s| s.transferred as f64)
                    );
                    phases.push((path, setting, PHASES.iter().enumerate().map(|(i, _)| {
                        median(samples.iter().filter_map(|s| s.phases[i]).collect())
                    }).collect::<Vec<_>>()));
                }
            }
            println!();
            println!("Where the time goes: each step's end, ms from navigation start (median; '-' where the step did not happen before the screen showed)");
            print!("{:<40} {:>20}", "path", "setting");
            for (_, label) in PHASES {
                print!(" {label:>15}");
            }
            println!();
            for (path, setting, ends) in &phases {
                print!("{:<40} {:>20}", path.label(), setting.label());
                for end in ends {
                    match end {
                        Some(ms) => print!(" {ms:>15.0}"),
                        None => print!(" {:>15}", "-"),
                    }
                }
                println!();
            }
            println!();
            println!("DJI's demo /pilot-login (performance-anchors.md): 994,099 B brotli over 11 files; password field after 2,051 ms unthrottled, 6,196 ms at 4x CPU, 12,514 ms at 4x CPU + Fast 3G (gzip).");
            println!("Targets: first screen ≤ 120 KB brotli and ≤ 1.1 s throttled; returning pilot ≤ 200 ms unthrottled and ≤ 1.6 s at 4x CPU + Fast 3G (stretch 1.3 s), cold; warm: the bootstrap and the index.html revalidation only.");
            if let Some(port) = baseline {
                println!();
                beside_baseline(&browser, &token, port, runs).await?;
            }
            anyhow::Ok(())
        })?;
    Ok(())
}

/// Our page beside another build of it served on `port`, in alternating runs (this machine's
/// pace drifts over minutes; alternating gives both the same): the first screen and the
/// returning pilot in a fresh profile, paths every build has. A figure measured for the
/// baseline on another machine scales ours by the ratio.
async fn beside_baseline(
    ours: &Browser<'_>,
    token: &str,
    port: u16,
    runs: usize,
) -> anyhow::Result<()> {
    let url = format!("http://127.0.0.1:{port}/");
    let baseline = Browser { url: &url, ..*ours };
    let baseline_token = signed_in_pilot(port)
        .with_context(|| format!("signing the demo pilot in on the baseline at port {port}"))?;
    println!("Beside the baseline at {url} (median of {runs} runs each, alternating; ratio: ours ÷ baseline)");
    println!(
        "{:<40} {:>20} {:>9} {:>9} {:>7}",
        "path", "setting", "ours ms", "base ms", "ratio"
    );
    for path in [Path::FirstScreen, Path::ReturningFresh] {
        for setting in [Setting::Unthrottled, Setting::Cpu4Fast3g] {
            let (mut ours_ms, mut base_ms) = (Vec::new(), Vec::new());
            for _ in 0..runs {
                ours_ms.push(ours.measure(path, setting, token).await?.shown_ms);
                base_ms.push(
                    baseline
                        .measure(path, setting, &baseline_token)
                        .await?
                        .shown_ms,
                );
            }
            let ours_ms = median(ours_ms).unwrap_or(f64::NAN);
            let base_ms = median(base_ms).unwrap_or(f64::NAN);
            println!(
                "{:<40} {:>20} {:>9.0} {:>9.0} {:>7.2}",
                path.label(),
                setting.label(),
                ours_ms,
                base_ms,
                ours_ms / base_ms
            );
        }
    }
    Ok(())
}

/// Logs the first demo pilot in through the proxy and remembers a workspace, so that its
/// token opens straight onto the main page.
fn signed_in_pilot(port: u16) -> anyhow::Result<String> {
    let login = http_json(
        port,
        "POST",
        "/api/auth/login",
        None,
        &json!({"username": "pilot", "password": "pilot123"}),
    )?;
    let token = login["token"]
        .as_str()
        .context("the demo login gave no token")?
        .to_owned();
    // the first project the organization key may use
    let projects = http_json(
        port,
        "GET",
        "/api/flighthub/projects",
        Some(&token),
        &Value::Null,
    )?;
    let project = projects
        .as_array()
        .and_then(|list| list.iter().find(|p| !p["device_count"].is_null()))
        .and_then(|p| p["uuid"].as_str())
        .context("no FlightHub 2 project to choose")?
        .to_owned();
    http_json(
        port,
        "PUT",
        "/api/pilot/workspace",
        Some(&token),
        &json!({ "uuid": project }),
    )?;
    Ok(token)
}

/// A JSON request over plain HTTP/1.0.
fn http_json(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut all = Vec::new();
    s.read_to_end(&mut all)?;
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("HTTP header end")?;
    let status = String::from_utf8_lossy(&all[..split]);
    anyhow::ensure!(
        status.starts_with("HTTP/1.1 2") || status.starts_with("HTTP/1.0 2"),
        "{method} {path}: {}",
        status.lines().next().unwrap_or("")
    );
    Ok(serde_json::from_slice(&all[split + 4..]).unwrap_or(Value::Null))
}

/// The middle of the runs' figures (the upper one of an even count); `None` without any.
fn median(mut figures: Vec<f64>) -> Option<f64> {
    figures.sort_by(|a, b| a.total_cmp(b));
    figures.get(figures.len() / 2).copied()
}

struct Sample {
    /// Navigation start to the password field (first screen) or the main page.
    shown_ms: f64,
    /// Bytes over the network (document included; 0 for what came from the cache), up to the
    /// screen, or the first screen's wasm form if later: the whole first screen is counted.
    transferred: u64,
    /// Requests up to the same point, the document included; from the cache or not.
    requests: u64,
    resources: Vec<String>,
    /// When each step ended, ms from navigation start (`PHASES`); `None` where it did not happen.
    phases: Vec<Option<f64>>,
}

/// Where the time goes: the document, the bundle's glue and wasm downloaded, the wasm running
/// (the fake Pilot 2's first bridge call), the session check answered; on the first screen,
/// the wasm's own login form (index.html's shows earlier).
const PHASES: [(&str, &str); 6] = [
    ("document", "index.html"),
    ("js", "glue"),
    ("wasm", "wasm"),
    ("bridge", "1st bridge call"),
    ("bootstrap", "bootstrap"),
    ("form", "wasm's form"),
];

struct Browser<'a> {
    chromedriver: &'a std::path::Path,
    chromium: &'a std::path::Path,
    url: &'a str,
    /// A page of the same site opened before each timed opening (`--renderer-started`).
    renderer_started: Option<&'a str>,
}

impl Browser<'_> {
    async fn measure(&self, path: Path, setting: Setting, token: &str) -> anyhow::Result<Sample> {
        let browser = chromium::start(ChromiumOptions {
            chromedriver: self.chromedriver.to_owned(),
            chromium: self.chromium.to_owned(),
        })
        .await?;
        let driver = &browser.driver;
        let cdp = driver.cdp();
        let fake = match path {
            Path::FirstScreen | Path::FirstScreenAgain => FAKE_BRIDGE.to_owned(),
            _ => FAKE_SIGNED_IN
                .replace("__TOKEN__", token)
                .replace("__COPY__", &(path != Path::ReturningFresh).to_string()),
        };
        cdp.send_raw(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": fake }),
        )
        .await?;
        cdp.send_raw("Network.enable", json!({})).await?;
        // What the pilot's last opening left besides the token copy (the fake puts that in
        // localStorage): the loader's cookie, which picks the page that names the bundle.
        let cookie = match path {
            Path::FirstScreen | Path::ReturningFresh => None,
            Path::FirstScreenAgain => Some("first"),
            Path::ReturningCold | Path::ReturningWarm => Some("full"),
        };
        if let Some(value) = cookie {
            cdp.send_raw(
                "Network.setCookie",
                json!({"name": pilot_portal_shared::BUNDLE_COOKIE, "value": value, "url": self.url, "path": "/"}),
            )
            .await?;
        }
        // What is timed (`key`), and what else the wait ends on: on the first screen the
        // wasm's form (`__loginAt`), though index.html's shows earlier: both are measured.
        let (target, key, shown_key) = match path {
            Path::FirstScreen | Path::FirstScreenAgain => {
                ("[data-testid=login-form]", "__passwordAt", "__loginAt")
            }
            _ => ("[data-testid=main-page]", "__mainAt", "__mainAt"),
        };
        if path == Path::ReturningWarm {
            // The first opening fills the HTTP cache, unthrottled.
            driver.goto(self.url).await?;
            driver
                .query(By::Css(target))
                .wait(Duration::from_secs(120), Duration::from_millis(20))
                .first()
                .await?;
            driver
                .goto(self.renderer_started.unwrap_or("about:blank"))
                .await?;
        } else {
            if let Some(same_site) = self.renderer_started {
                driver.goto(same_site).await?;
            }
            cdp.send_raw("Network.setCacheDisabled", json!({"cacheDisabled": true}))
                .await?;
        }
        if matches!(setting, Setting::Cpu4 | Setting::Cpu4Fast3g) {
            cdp.send_raw("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
                .await?;
        }
        if matches!(setting, Setting::Cpu4Fast3g) {
            cdp.send_raw(
                "Network.emulateNetworkConditions",
                json!({"offline": false, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}),
            )
            .await?;
        }
        driver.goto(self.url).await?;
        // Waited for without running chromedriver's scripts in the page: a WebDriver element
        // query does, every 20 ms, on the main thread the page starts on. The fake Pilot 2
        // records the times; CDP reads one variable. (Two runs, one each way, did not tell
        // them apart on this noisy machine: README, *Figures*.)
        let shown = format!("window.{key} !== undefined && window.{shown_key} !== undefined");
        let mut waited = Duration::ZERO;
        loop {
            let got = cdp
                .send_raw(
                    "Runtime.evaluate",
                    json!({ "expression": shown, "returnByValue": true }),
                )
                .await?;
            if got["result"]["value"].as_bool() == Some(true) {
                break;
            }
            anyhow::ensure!(
                waited < Duration::from_secs(120),
                "{} did not show in 2 minutes",
                path.label()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += Duration::from_millis(20);
        }
        let script = format!(
            "var at = window.{key}; if (at === undefined) return null; \
             var upto = Math.max(at, window.__loginAt || 0); \
             var before = performance.getEntriesByType('resource').filter(e => e.startTime <= upto); \
             var nav = performance.getEntriesByType('navigation')[0]; \
             return {{at: at, \
               t: before.reduce((n, e) => n + (e.transferSize || 0), nav ? nav.transferSize : 0), \
               n: before.length + 1, \
               r: before.map(e => new URL(e.name).pathname), \
               p: {{document: nav ? nav.responseEnd : null, \
                 js: end(before, /\\.js$/), wasm: end(before, /_bg\\.wasm$/), \
                 bridge: window.__firstCall === undefined ? null : window.__firstCall, \
                 bootstrap: end(before, /^\\/api\\/pilot\\/bootstrap$/), \
                 form: window.__loginAt === undefined ? null : window.__loginAt}}}}; \
             function end(list, re) {{ \
               var e = list.filter(e => re.test(new URL(e.name).pathname)); \
               return e.length ? Math.max.apply(null, e.map(e => e.responseEnd)) : null; }}"
        );
        let got = driver.execute(&script, Vec::new()).await?.json().clone();
        browser.quit().await;
        Ok(Sample {
            shown_ms: got["at"].as_f64().context("the screen's time")?,
            transferred: got["t"].as_u64().unwrap_or(0),
            requests: got["n"].as_u64().unwrap_or(0),
            resources: got["r"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            phases: PHASES
                .iter()
                .map(|(key, _)| got["p"][key].as_f64())
                .collect(),
        })
    }
}

fn print_bytes(port: u16, resources: &[String], title: &str, budget: bool) -> anyhow::Result<()> {
    let mut paths = vec!["/".to_owned()];
    paths.extend(
        resources
            .iter()
            .filter(|p| !p.starts_with("/api/"))
            .cloned(),
    );
    println!("{title}");
    println!(
        "{:<48} {:>9} {:>9} {:>9}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    let (mut raw_sum, mut gz_sum, mut br_sum) = (0, 0, 0);
    for path in &paths {
        let body = http_get(port, path)?;
        let (raw, gz, br) = (
            body.len(),
            gzip_bytes(&body)?.len(),
            brotli_bytes(&body)?.len(),
        );
        raw_sum += raw;
        gz_sum += gz;
        br_sum += br;
        let name = if path == "/" {
            "/ (index.html, config inlined)"
        } else {
            path.as_str()
        };
        println!("{name:<48} {raw:>9} {gz:>9} {br:>9}");
    }
    println!(
        "{:<48} {raw_sum:>9} {gz_sum:>9} {br_sum:>9}",
        format!("total ({} files)", paths.len())
    );
    if budget {
        println!(
            "target: first screen under 120 KB brotli: {} ({:.1} KB)",
            if br_sum < 120_000 { "met" } else { "NOT MET" },
            br_sum as f64 / 1000.0
        );
    }
    Ok(())
}
