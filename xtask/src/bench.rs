//! `cargo xtask bench`: figures, not a test. Prints the bytes of the first screen (raw, gzip
//! -9, brotli -q 11, by file) and the time from navigation to a visible password field in
//! headless Chromium: unthrottled, 4x CPU, and 4x CPU + "Fast 3G", each the median of cold
//! runs. Measured the way shared/reference/performance-anchors.md measured DJI's demo page.

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
/// password field becomes visible and when the bridge is first called.
const FAKE_BRIDGE: &str = r#"(function () {
  if (!/^https?:/.test(location.protocol)) return;
  function reply(data) { if (window.__firstCall === undefined) window.__firstCall = performance.now(); return JSON.stringify({code: 0, message: "", data: data}); }
  window.djiBridge = {
    platformVerifyLicense: function () { return reply(true); },
    platformIsVerified: function () { return reply(true); },
    platformIsComponentLoaded: function () { return reply(false); },
    platformSetInformation: function () { return reply({}); }
  };
  new MutationObserver(function () {
    var p = document.querySelector("input[type=password]");
    if (p && p.offsetParent !== null && window.__passwordAt === undefined) window.__passwordAt = performance.now();
  }).observe(document, {childList: true, subtree: true, attributes: true});
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

pub fn bench(runs: usize) -> anyhow::Result<()> {
    let tools = tools::setup(tools::Need::All)?;
    let dist = page::build(&tools)?;
    let ports = Ports::free()?;
    let proxy_port = ports.proxy;
    let _stack = stack::start(&dist, &ports, "sqlite://target/bench.db?mode=rwc", false)?;
    let chromedriver = tools.chromedriver.clone().context("chromedriver")?;
    let chromium = tools.chromium.clone().context("chromium")?;

    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(async move {
            let url = format!("http://127.0.0.1:{proxy_port}/");
            let first = measure(&chromedriver, &chromium, &url, Setting::Unthrottled).await?;
            print_bytes(proxy_port, &first.resources)?;
            println!();
            println!("Time from navigation to a visible password field (median of {runs} cold runs, headless Chromium)");
            println!("{:<20} {:>12} {:>16} {:>12}", "setting", "password ms", "first bridge ms", "bytes moved");
            for setting in [Setting::Unthrottled, Setting::Cpu4, Setting::Cpu4Fast3g] {
                let mut samples = Vec::new();
                for _ in 0..runs {
                    samples.push(measure(&chromedriver, &chromium, &url, setting).await?);
                }
                let med = |f: &dyn Fn(&Sample) -> f64| {
                    let mut v: Vec<f64> = samples.iter().map(f).collect();
                    v.sort_by(|a, b| a.total_cmp(b));
                    v[v.len() / 2]
                };
                println!(
                    "{:<20} {:>12.0} {:>16.0} {:>12.0}",
                    setting.label(),
                    med(&|s| s.password_ms),
                    med(&|s| s.first_call_ms),
                    med(&|s| s.transferred as f64)
                );
            }
            anyhow::Ok(())
        })?;
    Ok(())
}

struct Sample {
    password_ms: f64,
    first_call_ms: f64,
    transferred: u64,
    resources: Vec<String>,
}

async fn measure(
    chromedriver: &std::path::Path,
    chromium: &std::path::Path,
    url: &str,
    setting: Setting,
) -> anyhow::Result<Sample> {
    let browser = chromium::start(ChromiumOptions {
        chromedriver: chromedriver.to_owned(),
        chromium: chromium.to_owned(),
    })
    .await?;
    let driver = &browser.driver;
    let cdp = driver.cdp();
    cdp.send_raw(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": FAKE_BRIDGE}),
    )
    .await?;
    cdp.send_raw("Network.enable", json!({})).await?;
    cdp.send_raw("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await?;
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
    driver.goto(url).await?;
    driver
        .query(By::Css("input[type=password]"))
        .wait(Duration::from_secs(120), Duration::from_millis(20))
        .first()
        .await?;
    let mut got = Value::Null;
    for _ in 0..100 {
        got = driver
            .execute(
                "return {p: window.__passwordAt, f: window.__firstCall, \
                 t: performance.getEntries().reduce((n, e) => n + (e.transferSize || 0), 0), \
                 r: performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)}",
                Vec::new(),
            )
            .await?
            .json()
            .clone();
        if got["p"].is_number() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    browser.quit().await;
    Ok(Sample {
        password_ms: got["p"].as_f64().context("password time")?,
        first_call_ms: got["f"].as_f64().unwrap_or(f64::NAN),
        transferred: got["t"].as_u64().unwrap_or(0),
        resources: got["r"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn print_bytes(port: u16, resources: &[String]) -> anyhow::Result<()> {
    let mut paths = vec!["/".to_owned()];
    paths.extend(
        resources
            .iter()
            .filter(|p| !p.starts_with("/api/"))
            .cloned(),
    );
    println!("First screen: what the browser downloads before the login form (bytes)");
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
    println!(
        "target: first screen under 120 KB brotli: {} ({:.1} KB)",
        if br_sum < 120_000 { "met" } else { "NOT MET" },
        br_sum as f64 / 1000.0
    );
    Ok(())
}
