//! Hostile clients and resource limits (issue 10): body caps and timeouts on every route,
//! slow and idle connections, JSON errors everywhere, caching of credentials, the page's
//! security headers, client addresses behind proxies, CORS, upstream answer caps and the
//! workspace list's fan-out. Real sockets where the behaviour is the server's.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::json;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Sends `raw` on a fresh connection and reads the answer until the server closes or `wait`
/// passes: (the answer, how long it took).
fn raw_exchange(addr: SocketAddr, raw: &[u8], wait: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(wait)).expect("timeout");
    s.write_all(raw).expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                // one answer with its whole (small) body is enough
                let text = String::from_utf8_lossy(&out);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let len = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .and_then(|v| v.trim().parse::<usize>().ok())
                        })
                        .unwrap_or(0);
                    if out.len() >= head_end + 4 + len {
                        break;
                    }
                }
            }
            Err(_) => break,
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn body_of(answer: &str) -> serde_json::Value {
    answer
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_length_over_the_cap_is_refused_before_reading_on_every_route() {
    let h = harness().await;
    let addr = h.addr;
    for (method, path) in [
        ("POST", "/api/auth/login"),
        ("POST", "/api/no-such-route"),
        ("PUT", "/api/pilot/workspace"),
        ("POST", "/"),
        ("GET", "/index.html"),
        ("PUT", "/pilot-portal-0123456789abcdef_bg.wasm"),
        // a file held in memory, answered before the other layers only without a body
        ("GET", "/pilot-portal-0123456789abcdef_bg.wasm"),
        ("PUT", "/api/unlock/files/big.bin"),
    ] {
        // 100 MB declared, nothing sent: an answer now means nothing was waited for
        let raw = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
        );
        let (answer, took) = tokio::task::spawn_blocking(move || {
            raw_exchange(addr, raw.as_bytes(), Duration::from_secs(5))
        })
        .await
        .expect("join");
        assert_eq!(status_of(&answer), 413, "{method} {path}: {answer}");
        assert_eq!(
            body_of(&answer)["error"]["code"],
            "payload_too_large",
            "{answer}"
        );
        assert!(
            took < Duration::from_secs(2),
            "{method} {path} waited {took:?}"
        );
    }
    // a body without a declared length is cut at the cap too
    let big = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(vec![b' '; h.config.max_body_bytes + 1]))
        .expect("request");
    let r = h.call(big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.error_code(), "payload_too_large");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    let h = harness_with(|c| c.client_body_timeout_secs = 1).await;
    let addr = h.addr;
    let raw = "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"user";
    let (answer, took) = tokio::task::spawn_blocking(move || {
        raw_exchange(addr, raw.as_bytes(), Duration::from_secs(5))
    })
    .await
    .expect("join");
    assert_eq!(status_of(&answer), 408, "{answer}");
    assert_eq!(body_of(&answer)["error"]["code"], "request_timeout");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// Opens a connection that sends a request's head one byte every 200 ms, never finishing.
fn slowloris(addr: SocketAddr) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let started = Instant::now();
        let Ok(mut s) = TcpStream::connect(addr) else {
            return started.elapsed();
        };
        let head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for b in head.iter().cycle().take(400) {
            if s.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        started.elapsed()
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_and_idle_clients_do_not_starve_the_proxy() {
    const SLOTS: usize = 16;
    let h = harness_with(|c| {
        c.max_connections = SLOTS;
        c.client_header_timeout_secs = 1;
    })
    .await;
    let addr = h.addr;
    // every slot taken: half idle (connected, silent), half slowloris
    let idle: Vec<TcpStream> = (0..SLOTS / 2)
        .map(|_| TcpStream::connect(addr).expect("connect"))
        .collect();
    let slow: Vec<_> = (0..SLOTS / 2).map(|_| slowloris(addr)).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // a normal request still gets through: the header timeout frees the slots
    let started = Instant::now();
    let r = reqwest::Client::new()
        .get(format!("{}/healthz", h.base))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("a normal request is served");
    assert_eq!(r.status(), 200);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "waited {took:?}");

    // the server itself closed the idle connections and cut the slow ones
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(3)))
            .expect("timeout");
        let mut buf = [0u8; 64];
        let closed =
            matches!(s.read(&mut buf), Ok(0)) || matches!(s.read(&mut buf), Ok(0) | Err(_));
        assert!(closed, "an idle connection stays open");
    }
    for t in slow {
        let lasted = tokio::task::spawn_blocking(move || t.join().expect("thread"))
            .await
            .expect("join");
        assert!(
            lasted < Duration::from_secs(10),
            "a slowloris connection lasted {lasted:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_error_is_the_json_body_with_a_stable_code() {
    let h = harness().await;
    let token = h.login().await;
    let send = |method: &str, path: &str| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    };
    for (method, path, status, code) in [
        ("GET", "/api/no-such-route", 404, "not_found"),
        ("GET", "/api", 404, "not_found"),
        ("GET", "/api/", 404, "not_found"),
        ("PATCH", "/api/session", 405, "method_not_allowed"),
        ("PATCH", "/api/no-such-route", 405, "method_not_allowed"),
        ("POST", "/", 405, "method_not_allowed"),
        (
            "DELETE",
            "/pilot-portal-0123456789abcdef_bg.wasm",
            405,
            "method_not_allowed",
        ),
        ("GET", "/missing-0123456789abcdef.js", 404, "not_found"),
        // a Path rejection (invalid UTF-8 after percent-decoding)
        ("DELETE", "/api/tokens/%FF%FE", 400, "bad_request"),
        (
            "GET",
            "/api/flighthub/projects/%FF/devices",
            400,
            "bad_request",
        ),
        // Query rejections (bad percent-encoding, a missing parameter)
        (
            "GET",
            "/api/xag/authorize?state=%FF%FE",
            400,
            "link_state_invalid",
        ),
        ("GET", "/api/unlock/files/a.bin?t=%ZZ", 404, "not_found"),
    ] {
        let r = h.call(send(method, path)).await;
        assert_eq!(r.status.as_u16(), status, "{method} {path}: {}", r.text);
        assert_eq!(r.error_code(), code, "{method} {path}: {}", r.text);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap_or("")
                .starts_with("application/json"),
            "{method} {path}"
        );
    }
    // a JSON body of the wrong shape on a route that reads one
    let r = h
        .post_json("/api/auth/login", None, json!({"username": 5}))
        .await;
    assert_eq!(r.error_code(), "bad_request", "{}", r.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_with_credentials_are_no_store_and_precompressed_files_vary() {
    let h = harness().await;
    let login = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username": "pilot", "password": "pilot123"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    let token = login.json()["token"].as_str().expect("token").to_owned();
    let no_store = |r: &Reply, what: &str| {
        assert_eq!(
            r.headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{what}"
        );
    };
    no_store(&login, "login");
    no_store(
        &h.get("/api/pilot/bootstrap", Some(&token)).await,
        "bootstrap",
    );
    no_store(&h.get("/api/session", Some(&token)).await, "session");
    let issued = h
        .post_json(
            "/api/tokens",
            Some(&token),
            json!({"name": "tool", "expires_in": "1 hour", "scopes": ["GET /tokens"]}),
        )
        .await;
    no_store(&issued, "tokens POST");
    let renewed = h
        .post_json("/api/session/renew", Some(&token), json!({}))
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text);
    no_store(&renewed, "renew");

    let wasm = Request::get("/pilot-portal-0123456789abcdef_bg.wasm")
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .expect("request");
    let r = h.call(wasm).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get(header::VARY).and_then(|v| v.to_str().ok()),
        Some("accept-encoding")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_has_its_security_headers_and_a_policy_with_its_inline_scripts() {
    let h = harness_with(|c| c.mqtt_broker = "ws://127.0.0.1:8095/mqtt".into()).await;
    let loader = "\n(function () { window.x = 1; })();\n";
    std::fs::write(
        h.dist.path().join("index.html"),
        format!(
            "<!doctype html><title>portal</title><script id=\"pilot-portal-config\" type=\"application/json\"></script>\n<script id=\"pilot-portal-loader\">{loader}</script>"
        ),
    )
    .expect("write");
    let r = h.get("/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.contains("\"platform_name\""),
        "config inlined: {}",
        r.text
    );
    let csp = r.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp")
        .to_owned();
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert_eq!(
        csp.matches("'sha256-").count(),
        1,
        "the config (JSON, not executed) is not hashed: {csp}"
    );
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(
        csp.contains("connect-src 'self' ws://127.0.0.1:8095"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        assert_eq!(r.headers[&name], value);
        assert_eq!(h.get("/api/config", None).await.headers[&name], value);
    }
    // the SPA fallback is the same document
    let page = h.get("/login", None).await;
    assert_eq!(page.headers[header::CONTENT_SECURITY_POLICY], csp.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_proxies_the_client_is_the_right_most_untrusted_hop() {
    let h = harness_with(|c| {
        c.trust_forwarded_for = true;
        c.trusted_proxy_hops = 1;
        c.login_attempts_per_address = 2;
        c.login_attempts_per_username = 100;
    })
    .await;
    // one attacker behind our nginx, making up a new left-most address every time
    let attempt = |forged: usize| {
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", format!("10.0.0.{forged}, 203.0.113.7"))
            .body(Body::from(
                json!({"username": format!("user{forged}"), "password": "x"}).to_string(),
            ))
            .expect("request")
    };
    for i in 0..2 {
        assert_eq!(h.call(attempt(i)).await.error_code(), "invalid_credentials");
    }
    let r = h.call(attempt(9)).await;
    assert_eq!(r.error_code(), "too_many_attempts", "{}", r.text);
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .expect("retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=66).contains(&retry), "{retry}");
    assert_eq!(r.json()["error"]["retry_after_secs"], retry);
    // another client behind the same nginx is not affected
    let other = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", "203.0.113.8")
        .body(Body::from(
            json!({"username": "x", "password": "y"}).to_string(),
        ))
        .expect("request");
    assert_eq!(h.call(other).await.error_code(), "invalid_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_allows_the_listed_origins_without_credentials() {
    let h = harness_with(|c| c.allowed_origins = vec!["https://cdn.example.com".into()]).await;
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/session")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .body(Body::empty())
            .expect("request")
    };
    let ok = h.call(preflight("https://cdn.example.com")).await;
    assert!(ok.status.is_success(), "{}", ok.status);
    assert_eq!(
        ok.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://cdn.example.com"
    );
    let allowed = ok.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .expect("headers")
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    assert!(!ok
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS));
    let evil = h.call(preflight("https://evil.example.com")).await;
    assert!(!evil
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));

    let get = |origin: &str| {
        Request::get("/api/config")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .expect("request")
    };
    let r = h.call(get("https://cdn.example.com")).await;
    assert_eq!(
        r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://cdn.example.com"
    );
    assert!(!h
        .call(get("https://evil.example.com"))
        .await
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));

    // without the setting: same origin only
    let plain = harness().await;
    assert!(!plain
        .call(get("https://cdn.example.com"))
        .await
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_upstream_answer_is_refused_not_buffered() {
    let h = harness().await;
    // 5 MiB, over the default UPSTREAM_MAX_BODY_BYTES (4 MiB)
    let huge: &'static str = Box::leak("x".repeat(5 * 1024 * 1024).into_boxed_str());
    h.token_api
        .faults
        .set(Some(pilot_portal_sim::faults::Fault::Body {
            status: 200,
            content_type: "application/json",
            body: huge,
        }));
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username": "pilot", "password": "pilot123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text);
    assert_eq!(r.error_code(), "upstream_error");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workspace_list_asks_a_bounded_number_of_device_counts_and_reuses_them() {
    let h = harness().await;
    let token = h.login().await;
    let device_calls = || {
        h.flighthub
            .sim
            .seen()
            .iter()
            .filter(|s| s.project.is_some())
            .count()
    };
    let r = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let projects = r.json().as_array().cloned().unwrap_or_default();
    assert!(
        projects.len() >= 10,
        "the demo organization: {}",
        projects.len()
    );
    assert_eq!(device_calls(), projects.len(), "one count per project");
    assert!(projects.iter().any(|p| p["device_count"].is_u64()));
    // a second list within FLIGHTHUB_COUNT_CACHE_SECS asks for no count again
    let again = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(again.json(), r.json());
    assert_eq!(device_calls(), projects.len(), "counts reused");

    // at most FLIGHTHUB_MAX_COUNTS per request, whatever the number of projects
    let capped = harness_with(|c| {
        c.flighthub_max_counts = 3;
        c.flighthub_count_cache_secs = 0;
    })
    .await;
    let token = capped.login().await;
    let r = capped.get("/api/flighthub/projects", Some(&token)).await;
    let counted = r
        .json()
        .as_array()
        .map(|a| a.iter().filter(|p| p["device_count"].is_u64()).count())
        .unwrap_or(0);
    let calls = capped
        .flighthub
        .sim
        .seen()
        .iter()
        .filter(|s| s.project.is_some())
        .count();
    assert_eq!((counted, calls), (3, 3));
}

/// The figures behind the device-count choice (README): the project list with FlightHub 2
/// answering each call after 20 ms, by strategy. `cargo test -p pilot-portal-proxy --test
/// hardening -- --ignored --nocapture measure`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement, not a test"]
async fn measure_device_count_strategies() {
    for (label, concurrent, cache_secs) in [
        ("one at a time, no cache", 1, 0),
        ("4 at a time, no cache", 4, 0),
        ("16 at a time, no cache", 16, 0),
        ("4 at a time, cache warm", 4, 60),
    ] {
        let h = harness_with(|c| {
            c.flighthub_max_concurrent = concurrent;
            c.flighthub_count_cache_secs = cache_secs;
            c.flighthub_page_size = 100;
            c.upstream_timeout_secs = 10;
        })
        .await;
        let token = h.login().await;
        if cache_secs > 0 {
            h.get("/api/flighthub/projects", Some(&token)).await;
        }
        h.flighthub
            .faults
            .set(Some(pilot_portal_sim::faults::Fault::Delay(
                Duration::from_millis(20),
            )));
        let before = h.flighthub.sim.seen().len();
        let started = Instant::now();
        let r = h.get("/api/flighthub/projects", Some(&token)).await;
        let took = started.elapsed();
        assert_eq!(r.status, StatusCode::OK);
        let projects = r.json().as_array().map(Vec::len).unwrap_or(0);
        let calls = h.flighthub.sim.seen().len() - before;
        println!(
            "{label:<26} {projects} projects: {calls:>3} FlightHub calls, {:>4} ms",
            took.as_millis()
        );
    }
}

/// Two `Authorization` headers are two credentials: neither is taken.
#[tokio::test]
async fn two_authorization_headers_are_refused() {
    let h = harness().await;
    let token = h.login().await;
    let alone = h.get("/api/session", Some(&token)).await;
    assert_eq!(alone.status, StatusCode::OK, "{}", alone.text);
    let req = Request::get("/api/session")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::AUTHORIZATION, "Bearer someone-else")
        .body(Body::empty())
        .expect("request");
    let doubled = h.call(req).await;
    assert_eq!(doubled.status, StatusCode::UNAUTHORIZED, "{}", doubled.text);
    assert_eq!(doubled.error_code(), "token_invalid");
}
