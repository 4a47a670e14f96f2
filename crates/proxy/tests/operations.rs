//! Operating the proxy (issue 10): `/healthz`, `/readyz`, `/metrics`, graceful shutdown,
//! upstream tokens encrypted at rest, and several instances on one database behaving as one.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::db::{Db, XagLink};
use pilot_portal_proxy::{app, AppState};
use pilot_portal_sim::faults::Fault;
use serde_json::json;
use std::time::{Duration, Instant};

/// Another instance of the proxy on `config` (same database), listening on a free port:
/// its base URL and the trigger of its shutdown.
async fn instance(
    config: Config,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(config).await.expect("instance");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        pilot_portal_proxy::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .expect("serve");
    });
    (base, stop, served)
}

#[tokio::test(flavor = "multi_thread")]
async fn health_readiness_and_metrics() {
    let h = harness().await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{}{path}", h.base)).send();
    let r = get("/healthz").await.expect("healthz");
    assert_eq!(r.status(), 200);
    let r = get("/readyz").await.expect("readyz");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(
        body,
        json!({"ready": true, "database": true, "token_api": true, "shutting_down": false})
    );

    // something to count: a failed login, a refused one, an upstream call
    for _ in 0..6 {
        h.post_json(
            "/api/auth/login",
            None,
            json!({"username": "metrics-user", "password": "wrong"}),
        )
        .await;
    }
    get("/api/config").await.expect("config");
    // methods a client invents are counted as `other`, never one series each
    for invented in ["XFOO1", "XFOO2"] {
        let method = reqwest::Method::from_bytes(invented.as_bytes()).expect("method");
        http.request(method, format!("{}/api/session", h.base))
            .send()
            .await
            .expect("invented method");
    }
    // a file held in memory is counted too (it skips the other layers)
    get("/pilot-portal-0123456789abcdef_bg.wasm")
        .await
        .expect("held file");
    let metrics = get("/metrics")
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for needle in [
        "http_requests_total{",
        "route=\"/api/config\"",
        "route=\"static\"",
        "status=\"200\"",
        "http_request_duration_seconds_bucket{",
        "upstream_requests_total{upstream=\"platform\"}",
        "login_failures_total{reason=\"invalid_credentials\"}",
        "rate_limit_refusals_total{limit=\"username\"}",
    ] {
        assert!(metrics.contains(needle), "{needle} missing:\n{metrics}");
    }
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(!metrics.contains("XFOO"), "{metrics}");

    // readiness follows the token API
    let down = harness_with(|c| c.token_api_url = "http://127.0.0.1:9".into()).await;
    let r = http
        .get(format!("{}/readyz", down.base))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["token_api"], false);
    assert_eq!(body["database"], true);

    // /metrics only for METRICS_ALLOW
    let closed = harness_with(|c| c.metrics_allow = vec!["10.0.0.0/8".into()]).await;
    let r = http
        .get(format!("{}/metrics", closed.base))
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_turns_readiness_off_and_lets_in_flight_requests_finish() {
    let h = harness().await;
    let token = h.login().await;
    let mut config = h.config.clone();
    config.shutdown_drain_secs = 2;
    config.shutdown_grace_secs = 10;
    config.upstream_timeout_secs = 5;
    let (base, stop, served) = instance(config).await;
    let http = reqwest::Client::new();

    // a request in flight: the platform answers after 1.5 s
    h.token_api
        .faults
        .set(Some(Fault::Delay(Duration::from_millis(1500))));
    let in_flight = {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        tokio::spawn(async move {
            http.get(format!("{base}/api/session"))
                .bearer_auth(token)
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let signalled = Instant::now();
    let _ = stop.send(());
    tokio::time::sleep(Duration::from_millis(100)).await;
    // readiness is off at once, while requests are still served
    let ready = http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz during the drain");
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["shutting_down"], true);

    let done = in_flight
        .await
        .expect("join")
        .expect("the in-flight request finished");
    assert_eq!(done.status(), 200, "{:?}", done.text().await);
    h.token_api.faults.set(None);

    // after the drain the listener is closed, and serve returns
    tokio::time::timeout(Duration::from_secs(10), served)
        .await
        .expect("serve returned")
        .expect("join");
    assert!(
        signalled.elapsed() >= Duration::from_secs(2),
        "drained first"
    );
    let refused = http
        .get(format!("{base}/healthz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(refused.is_err(), "still listening after shutdown");
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_xag_tokens_are_encrypted_migrated_and_refused_with_another_key() {
    let h = harness().await;
    // a row from before STORAGE_KEY: plaintext
    let plain = Db::connect(&h.config.database_url).await.expect("db");
    let link = XagLink {
        union_id: "u-1".into(),
        access_token: "plaintext-xag-token".into(),
        expires_at: Some(now_ms() + 3_600_000),
        linked_at: now_ms(),
    };
    plain.upsert_link("old-pilot", &link).await.expect("insert");
    assert_eq!(
        plain
            .link("old-pilot")
            .await
            .expect("q")
            .expect("row")
            .access_token,
        "plaintext-xag-token"
    );

    // the next start encrypts it
    AppState::new(h.config.clone()).await.expect("restart");
    let raw = plain
        .link("old-pilot")
        .await
        .expect("q")
        .expect("row")
        .access_token;
    assert!(
        raw.starts_with("v1:") && !raw.contains("plaintext-xag-token"),
        "{raw}"
    );
    let key = pilot_portal_proxy::storage_key::StorageKey::from_setting(&h.config.storage_key)
        .expect("key");
    let opened = plain
        .clone()
        .with_storage_key(key)
        .link("old-pilot")
        .await
        .expect("q")
        .expect("row");
    assert_eq!(opened.access_token, "plaintext-xag-token");

    // another key: a clear start error naming the setting, never the key
    let mut wrong = h.config.clone();
    wrong.storage_key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=".into();
    let e = AppState::new(wrong)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(e.starts_with("STORAGE_KEY"), "{e}");
    assert!(!e.contains("QUJDREVG"), "{e}");
    // no key at all while XAG is configured
    let mut none = h.config.clone();
    none.storage_key.clear();
    let e = AppState::new(none)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(e.starts_with("STORAGE_KEY"), "{e}");
}

/// Two instances on `h`'s database: login limits counted once, a revoked token refused by
/// both, an XAG link started on one completed on the other.
pub async fn two_instances_behave_as_one(h: &Harness) {
    let a = &h.router;
    let b = app(AppState::new(h.config.clone())
        .await
        .expect("second instance"));
    // a name of its own: the database may hold attempts of earlier runs
    let name = format!("limit-{}", uuid::Uuid::new_v4().simple());
    let login = |password: &str| {
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": name, "password": password}).to_string(),
            ))
            .expect("request")
    };
    // LOGIN_ATTEMPTS_PER_USERNAME = 3, attempts alternating between the instances
    let limit = h.config.login_attempts_per_username;
    assert_eq!(limit, 3);
    for i in 0..limit {
        let on = if i % 2 == 0 { a } else { &b };
        assert_eq!(
            call_on(on, login("wrong")).await.error_code(),
            "invalid_credentials"
        );
    }
    let r = call_on(&b, login("wrong")).await;
    assert_eq!(
        r.error_code(),
        "too_many_attempts",
        "counted across instances: {}",
        r.text
    );

    // a token revoked through one instance is refused by the other at once
    let token = h.login().await;
    let session = |t: &str| {
        Request::get("/api/session")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(call_on(&b, session(&token)).await.status, StatusCode::OK);
    let logout = Request::post("/api/session/logout")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(call_on(a, logout).await.status, StatusCode::NO_CONTENT);
    let r = call_on(&b, session(&token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);

    // an XAG link started on A completes on B
    let token = h.login().await;
    let (path, code, _) = authorize(&start_link(h, &token).await, "approve").await;
    let callback = Request::post(path.as_str())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("authorization_code={code}")))
        .expect("request");
    let r = call_on(&b, callback).await;
    assert_eq!(location(&r), "/?xag=linked");
    let status = h.get("/api/xag/link", Some(&token)).await;
    assert_eq!(status.json()["linked"], true, "{}", status.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_one_sqlite_file_behave_as_one() {
    let h = harness_with(|c| c.login_attempts_per_username = 3).await;
    two_instances_behave_as_one(&h).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs PostgreSQL: cargo xtask test starts one and runs this"]
async fn two_instances_on_postgres_behave_as_one() {
    let url = std::env::var("PILOT_PORTAL_TEST_POSTGRES_URL")
        .expect("PILOT_PORTAL_TEST_POSTGRES_URL: run `cargo xtask test`, which starts PostgreSQL");
    let h = harness_with(|c| {
        c.database_url = url.clone();
        c.login_attempts_per_username = 3;
    })
    .await;
    two_instances_behave_as_one(&h).await;
}
