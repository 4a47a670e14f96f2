//! `cargo xtask bench-proxy`: the proxy under load, beside nginx serving the same `dist/` in
//! the same run (figures, not a test). Release builds only.
//!
//! `wrk` (Debian's) with 2 threads, `--latency`, for each target at 50 and 200 connections:
//! requests per second, p50 and p99 latency. Targets: `index.html` (the proxy inlines the page
//! config; nginx sends the file), the first-screen wasm with `Accept-Encoding: br` (both send
//! the precompressed copy), `/api/config` and `/api/session` (a real session: a token API
//! round trip per request) — the API rows measured on the proxy directly and through nginx.
//! The proxy's resident memory (VmRSS from /proc) idle and after the load.
//!
//! Saturating runs measure the queue: with 200 connections each sending its next request the
//! moment an answer arrives, the median is 200 ÷ throughput for any server (Little's law). The
//! paced runs give the latency of `/api/config` at 200 open connections under a load below
//! saturation: each connection waits [`PACE_MS`] between an answer and its next request (wrk's
//! `delay()`; the wait is not counted as latency).

use crate::stack::{self, Ports};
use crate::{page, tools};
use anyhow::Context;
use pilot_portal_testkit::nginx::{Nginx, NginxOptions};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;

/// One wrk run's figures.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// wrk's latency (`1.23ms`, `456.00us`, `1.02s`) in ms.
fn ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn parse_wrk(out: &str) -> Figures {
    let mut f = Figures::default();
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", n] => f.rps = n.parse().unwrap_or(0.0),
            ["50%", v] => f.p50_ms = ms(v).unwrap_or(f64::NAN),
            ["99%", v] => f.p99_ms = ms(v).unwrap_or(f64::NAN),
            ["Non-2xx", "or", "3xx", "responses:", n] => f.errors += n.parse().unwrap_or(0),
            ["Socket", "errors:", rest @ ..] => {
                f.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    f
}

/// The paced runs' wait between an answer and a connection's next request: 200 connections
/// then ask about 200 × 1000 ÷ (`PACE_MS` + latency) times a second.
const PACE_MS: u32 = 50;

/// wrk's `delay()` hook: every connection waits `pace_ms` before each request.
fn pace_script(pace_ms: u32) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut script = tempfile::Builder::new().suffix(".lua").tempfile()?;
    writeln!(script, "function delay()\n  return {pace_ms}\nend")?;
    Ok(script)
}

fn wrk(
    wrk: &Path,
    url: &str,
    connections: u32,
    secs: u32,
    headers: &[String],
    script: Option<&Path>,
) -> anyhow::Result<Figures> {
    let mut cmd = Command::new(wrk);
    cmd.args(["-t2", "--latency"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{secs}s"));
    for h in headers {
        cmd.arg("-H").arg(h);
    }
    if let Some(script) = script {
        cmd.arg("-s").arg(script);
    }
    let out = cmd.arg(url).output().context("wrk")?;
    anyhow::ensure!(
        out.status.success(),
        "wrk failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(parse_wrk(&String::from_utf8_lossy(&out.stdout)))
}

/// VmRSS of `pid`, in MB.
fn rss_mb(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("VmRSS")?;
    Ok(kb / 1024.0)
}

/// One HTTP/1.0 request: the status and body.
fn http(addr: SocketAddr, request: &str) -> anyhow::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.write_all(request.as_bytes())?;
    let mut all = String::new();
    s.read_to_string(&mut all)?;
    let status = all
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = all
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// A demo pilot's token, for `/api/session`.
fn login(proxy: SocketAddr) -> anyhow::Result<String> {
    let body = r#"{"username":"pilot","password":"pilot123"}"#;
    let (status, answer) = http(
        proxy,
        &format!(
            "POST /api/auth/login HTTP/1.0\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )?;
    anyhow::ensure!(status == 200, "demo login: HTTP {status}: {answer}");
    let v: serde_json::Value = serde_json::from_str(&answer)?;
    v["token"]
        .as_str()
        .map(str::to_owned)
        .context("no token in the login answer")
}

/// The first-screen wasm's path, from the built `index.html`.
fn wasm_path(dist: &Path) -> anyhow::Result<String> {
    let html = std::fs::read_to_string(dist.join("index.html"))?;
    html.split('"')
        .find(|s| s.starts_with('/') && s.ends_with("_bg.wasm"))
        .map(str::to_owned)
        .context("no wasm path in index.html")
}

/// `dist`: a page already built by `cargo xtask build` (else it is built now).
pub fn bench_proxy(secs: u32, dist: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let nginx_bin = tools::nginx()?;
    let wrk_bin = tools::wrk()?;
    // Nginx::start finds the same binary (/usr/sbin/nginx)
    let dist = match dist {
        Some(d) => std::fs::canonicalize(&d).with_context(|| format!("{}", d.display()))?,
        None => page::build(&tools::setup(tools::Need::Build)?)?,
    };
    let ports = Ports::free()?;
    std::fs::create_dir_all("target")?;
    let stack = stack::start_built(
        &dist,
        &ports,
        "sqlite://target/bench-proxy.db?mode=rwc",
        false,
        true,
    )?;
    let proxy: SocketAddr = ([127, 0, 0, 1], ports.proxy).into();
    let nginx = Nginx::start(&NginxOptions {
        dist: dist.clone(),
        upstreams: vec![proxy],
        connect_extra: String::new(),
    })?;
    std::thread::sleep(std::time::Duration::from_secs(1));
    let pid = stack.proxy_pid();
    let idle = rss_mb(pid)?;
    let token = login(proxy)?;
    let wasm = wasm_path(&dist)?;
    let proxy_base = format!("http://{proxy}");

    struct Target {
        name: &'static str,
        path: String,
        headers: Vec<String>,
        /// compared with nginx (the static files)
        static_file: bool,
    }
    let targets = [
        Target {
            name: "index.html",
            path: "/".into(),
            headers: vec![],
            static_file: true,
        },
        Target {
            name: "wasm (br)",
            path: wasm,
            headers: vec!["Accept-Encoding: br".into()],
            static_file: true,
        },
        Target {
            name: "/api/config",
            path: "/api/config".into(),
            headers: vec![],
            static_file: false,
        },
        Target {
            name: "/api/session",
            path: "/api/session".into(),
            headers: vec![format!("Authorization: Bearer {token}")],
            static_file: false,
        },
    ];
    println!(
        "Proxy (release) and nginx {} on the same dist/, wrk -t2 -d{secs}s --latency, this machine",
        nginx_version(&nginx_bin)
    );
    println!(
        "{:<14} {:>5} | {:>9} {:>8} {:>8} | {:>9} {:>8} {:>8} | {:>6}",
        "target",
        "conns",
        "proxy r/s",
        "p50 ms",
        "p99 ms",
        "nginx r/s",
        "p50 ms",
        "p99 ms",
        "ratio"
    );
    let mut errors = 0;
    for target in &targets {
        for connections in [50, 200] {
            let direct = wrk(
                &wrk_bin,
                &format!("{proxy_base}{}", target.path),
                connections,
                secs,
                &target.headers,
                None,
            )?;
            let through = wrk(
                &wrk_bin,
                &format!("{}{}", nginx.base, target.path),
                connections,
                secs,
                &target.headers,
                None,
            )?;
            errors += direct.errors + through.errors;
            let ratio = if target.static_file {
                format!("{:.2}x", direct.rps / through.rps.max(1.0))
            } else {
                "via".into()
            };
            println!(
                "{:<14} {:>5} | {:>9.0} {:>8.2} {:>8.2} | {:>9.0} {:>8.2} {:>8.2} | {:>6}",
                target.name,
                connections,
                direct.rps,
                direct.p50_ms,
                direct.p99_ms,
                through.rps,
                through.p50_ms,
                through.p99_ms,
                ratio
            );
        }
    }
    let script = pace_script(PACE_MS)?;
    println!();
    println!(
        "/api/config, 200 connections, each waiting {PACE_MS} ms between an answer and its next request:"
    );
    let paced = wrk(
        &wrk_bin,
        &format!("{proxy_base}/api/config"),
        200,
        secs,
        &[],
        Some(script.path()),
    )?;
    let paced_nginx = wrk(
        &wrk_bin,
        &format!("{}/api/config", nginx.base),
        200,
        secs,
        &[],
        Some(script.path()),
    )?;
    errors += paced.errors + paced_nginx.errors;
    for (name, f) in [("proxy", paced), ("via nginx", paced_nginx)] {
        println!(
            "  {name:<9} {:>7.0} r/s  p50 {:>6.2} ms  p99 {:>6.2} ms",
            f.rps, f.p50_ms, f.p99_ms
        );
    }
    let loaded = rss_mb(pid)?;
    println!();
    println!("ratio: proxy ÷ nginx requests per second (static files); \"via\": the API through nginx to the proxy");
    println!("proxy memory (VmRSS): {idle:.1} MB idle, {loaded:.1} MB after the load");
    println!("non-2xx answers and socket errors in all runs: {errors}");
    println!(
        "goals: static files ≥ 0.8x nginx; /api/config p99 < 5 ms at 200 connections; < 30 MB idle"
    );
    println!(
        "(saturating, the p99 at 200 connections is the queue: the median alone is 200 ÷ r/s)"
    );
    Ok(())
}

fn nginx_version(bin: &Path) -> String {
    Command::new(bin)
        .arg("-v")
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stderr)
                .trim()
                .replace("nginx version: ", "")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_output_is_read() {
        let out = "Running 5s test @ http://127.0.0.1:1/\n  2 threads and 50 connections\n  Latency Distribution\n     50%  452.00us\n     75%    1.10ms\n     90%    2.00ms\n     99%    1.20s\n  100 requests in 5.00s, 1.00MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 3\nRequests/sec:  12345.67\nTransfer/sec:      1.00MB\n";
        let f = parse_wrk(out);
        assert!((f.rps - 12345.67).abs() < 0.01);
        assert!((f.p50_ms - 0.452).abs() < 1e-9);
        assert!((f.p99_ms - 1200.0).abs() < 1e-9);
        assert_eq!(f.errors, 6);
    }
}
