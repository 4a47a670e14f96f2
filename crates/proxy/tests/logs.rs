//! Request tracing never carries passwords or tokens.

mod common;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "current_thread")]
async fn logs_carry_method_path_status_but_no_secrets() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = harness().await;
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"Wr0ng-Secret-Pass"}),
        )
        .await;
    assert_eq!(r.error_code(), "invalid_credentials");
    let token = h.login().await;
    h.get("/api/session?token=also-secret", Some(&token)).await;
    let renewed = h
        .post_json("/api/session/renew", Some(&token), json!({}))
        .await
        .json();
    let new = renewed["token"].as_str().expect("new token").to_owned();
    h.post_json("/api/session/logout", Some(&new), json!({}))
        .await;

    let logs = captured.text();
    assert!(
        logs.contains("/api/auth/login") && logs.contains("/api/session"),
        "requests are traced:\n{logs}"
    );
    assert!(
        logs.contains("invalid_credentials"),
        "failures are traced with their code"
    );
    for secret in [
        "Wr0ng-Secret-Pass",
        "pilot123",
        token.as_str(),
        new.as_str(),
        "also-secret",
    ] {
        assert!(
            !logs.contains(secret),
            "a secret reached the log: {secret}\n{logs}"
        );
    }
    // the JWT's payload part alone is not in there either
    let payload = token.split('.').nth(1).expect("payload");
    assert!(!logs.contains(payload));
}

#[tokio::test(flavor = "current_thread")]
async fn a_request_cannot_forge_a_log_line() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        // the proxy's own writer (`logging::init`)
        .with_writer(pilot_portal_proxy::logging::Escaping(captured.clone()))
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = harness().await;
    let token = h.login().await;
    // CR/LF (and an ANSI escape) percent-encoded in a path segment that an error quotes
    let r = h
        .get(
            "/api/flighthub/projects/x%0D%0AINFO%20FORGED%20admin%20logged%20in%1B%5B2J/devices",
            Some(&token),
        )
        .await;
    assert_eq!(r.error_code(), "bad_request", "{}", r.text);
    let logs = captured.text();
    assert!(logs.contains("FORGED"), "the request was logged:\n{logs}");
    for line in logs.lines() {
        assert!(
            !line.trim_start().starts_with("INFO FORGED"),
            "forged line:\n{logs}"
        );
    }
    assert!(
        !logs.contains('\u{1b}'),
        "a raw escape reached the log:\n{logs}"
    );
    // the span: method, matched route, status
    let line = logs
        .lines()
        .find(|l| l.contains("/api/flighthub/projects/{uuid}/devices") && l.contains("response"))
        .unwrap_or_else(|| panic!("no response line with the matched route:\n{logs}"));
    assert!(
        line.contains("method=GET") && line.contains("status=400"),
        "{line}"
    );
}

/// A callback without `?state=` is advice for the operator only when a pilot is at XAG's page:
/// anyone can post one, and it must not fill the log with errors steering to a weaker setting.
#[tokio::test(flavor = "current_thread")]
async fn a_stray_xag_callback_is_not_an_error_for_the_operator() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let logs = || captured.text();

    let h = harness().await;
    let r = callback_form(&h, "/api/xag/callback", "authorization_code=made-up").await;
    assert_eq!(location(&r), "/?xag=unsupported", "{}", r.text);
    let stray = logs();
    assert!(
        stray.contains("no link attempt is at XAG's page"),
        "{stray}"
    );
    assert!(!stray.contains("ERROR"), "{stray}");

    // a pilot at XAG's page, and XAG drops the state: now it is the operator's business
    let token = h.login().await;
    start_link(&h, &token).await;
    let r = callback_form(&h, "/api/xag/callback", "authorization_code=made-up").await;
    assert_eq!(location(&r), "/?xag=unsupported", "{}", r.text);
    let advised = logs();
    assert!(
        advised.contains("ERROR") && advised.contains("XAG_STATE_FALLBACK=cookie"),
        "{advised}"
    );
}

/// A 5xx is logged once, at the level its cause deserves: a failure of the proxy or an
/// upstream at ERROR, a device refusing what a pilot asked (which any pilot can cause) at
/// WARN, and never again as tower-http's "response failed".
#[tokio::test(flavor = "current_thread")]
async fn a_failure_is_logged_once_and_a_devices_refusal_is_no_error() {
    use axum::response::IntoResponse;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let text = || captured.text();

    let (h, _) = harness_with_token_api_down().await;
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"}),
        )
        .await;
    assert_eq!(r.error_code(), "upstream_unreachable");
    let logs = text();
    assert_eq!(logs.matches("ERROR").count(), 1, "{logs}");
    assert!(!logs.contains("response failed"), "{logs}");

    let before = logs.len();
    let response =
        pilot_portal_proxy::error::ApiError::DeviceRefused { code: 314_001 }.into_response();
    assert_eq!(response.status(), axum::http::StatusCode::BAD_GATEWAY);
    let logs = text();
    let said = &logs[before..];
    assert!(
        said.contains("WARN") && said.contains("device_error"),
        "{said}"
    );
    assert!(!said.contains("ERROR"), "{said}");
}
