//! Login, session check, renewal and logout against the token API simulator.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_sim::faults::Fault;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn config_has_license_and_nothing_secret() {
    let h = harness().await;
    let r = h.get("/api/config", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let c = r.json();
    assert_eq!(c["dji"]["app_id"], "125034");
    assert_eq!(c["renew_below_fraction"], 0.2);
    assert!(!r.text.contains("scopes") && !r.text.contains("token_api"));
}

#[tokio::test]
async fn login_issues_a_platform_token_with_configured_lifetime_and_scopes() {
    let h = harness().await;
    let before = now_ms();
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let g = r.json();
    assert_eq!(g["user"]["name"], "pilot");
    let lifetime = g["expires_at"].as_i64().expect("ms") - g["issued_at"].as_i64().expect("ms");
    assert_eq!(
        lifetime,
        12 * 3600 * 1000,
        "TOKEN_EXPIRES_IN default 12 hours"
    );
    assert!(g["issued_at"].as_i64().expect("ms") >= before - 1000);
    // the platform knows the token
    assert_eq!(h.token_api.api.live_token_ids("pilot").len(), 1);
}

#[tokio::test]
async fn wrong_credentials_are_401_invalid_credentials_without_echo() {
    let h = harness().await;
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"s3cret-wrong"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "invalid_credentials");
    assert!(!r.text.contains("s3cret-wrong"));
}

#[tokio::test]
async fn malformed_login_bodies_are_400_with_a_reason() {
    let h = harness().await;
    let r = h
        .post_json("/api/auth/login", None, json!({"username":"pilot"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "bad_request");
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":" ","password":"x"}),
        )
        .await;
    assert_eq!(r.error_code(), "bad_request");
    let raw = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .expect("request");
    let r = h.call(raw).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let no_type = Request::post("/api/auth/login")
        .body(Body::from("{}"))
        .expect("request");
    assert_eq!(h.call(no_type).await.error_code(), "bad_request");
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let h = harness().await;
    let big = "x".repeat(64 * 1024);
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password": big}),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.error_code(), "payload_too_large");
}

/// A guesser at another address cannot keep a pilot out of their account, and logins that
/// went through do not use up anyone's minute.
#[tokio::test(flavor = "multi_thread")]
async fn only_refused_passwords_count_and_per_address() {
    let h = harness_with(|c| {
        c.trust_forwarded_for = true;
        c.login_attempts_per_username = 3;
    })
    .await;
    let login = |from: &str, password: &str| {
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", from)
            .body(Body::from(
                json!({"username": "pilot", "password": password}).to_string(),
            ))
            .expect("request")
    };
    let pilot = "203.0.113.7";
    let guesser = "198.51.100.9";
    for _ in 0..5 {
        let r = h.call(login(pilot, "pilot123")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    for _ in 0..3 {
        assert_eq!(
            h.call(login(guesser, "bad")).await.error_code(),
            "invalid_credentials"
        );
    }
    let r = h.call(login(guesser, "bad")).await;
    assert_eq!(r.error_code(), "too_many_attempts", "{}", r.text);
    let r = h.call(login(pilot, "pilot123")).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the pilot still logs in: {}",
        r.text
    );
}

#[tokio::test]
async fn login_attempts_are_limited_per_username_with_retry_after() {
    let h = harness_with(|c| c.login_attempts_per_username = 3).await;
    for _ in 0..3 {
        let r = h
            .post_json(
                "/api/auth/login",
                None,
                json!({"username":"pilot","password":"bad"}),
            )
            .await;
        assert_eq!(r.error_code(), "invalid_credentials");
    }
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.error_code(), "too_many_attempts");
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number");
    assert!((1..=66).contains(&retry), "{retry}");
    assert_eq!(r.json()["error"]["retry_after_secs"], retry);
}

#[tokio::test]
async fn login_attempts_are_limited_per_client_address() {
    let h = harness_with(|c| {
        c.login_attempts_per_address = 2;
        c.trust_forwarded_for = true;
    })
    .await;
    let attempt = |user: &'static str, ip: &'static str| {
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", ip)
            .body(Body::from(
                json!({"username": user, "password":"bad"}).to_string(),
            ))
            .expect("request")
    };
    assert_eq!(
        h.call(attempt("a", "10.1.1.1")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.call(attempt("b", "10.1.1.1")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.call(attempt("c", "10.1.1.1")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        h.call(attempt("d", "10.2.2.2")).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn session_of_a_valid_token() {
    let h = harness().await;
    let token = h.login().await;
    let r = h.get("/api/session", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["user"]["name"], "pilot");
    assert!(r.json()["expires_at"].as_i64().expect("ms") > now_ms());
}

#[tokio::test]
async fn session_refusals_say_why() {
    let h = harness().await;
    assert_eq!(
        h.get("/api/session", None).await.error_code(),
        "token_missing"
    );
    assert_eq!(
        h.get("/api/session", Some("garbage")).await.error_code(),
        "token_invalid"
    );

    let now = now_ms();
    let (_, expired) = h
        .token_api
        .api
        .mint("pilot", now - 7_200_000, now - 3_600_000);
    let r = h.get("/api/session", Some(&expired)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::UNAUTHORIZED, "token_expired")
    );

    let (id, revoked) = h.token_api.api.mint("pilot", now, now + 3_600_000);
    assert!(h.token_api.api.revoke("pilot", &id));
    assert_eq!(
        h.get("/api/session", Some(&revoked)).await.error_code(),
        "token_revoked"
    );

    // Same claims, signed with a key the platform does not have.
    let other =
        pilot_portal_sim::TokenApiSim::start(b"other-key", "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("sim");
    let (_, forged) = other.api.mint("pilot", now, now + 3_600_000);
    assert_eq!(
        h.get("/api/session", Some(&forged)).await.error_code(),
        "token_invalid"
    );
}

#[tokio::test]
async fn renew_issues_a_new_token_and_revokes_the_old() {
    let h = harness().await;
    let old = h.login().await;
    let r = h
        .post_json("/api/session/renew", Some(&old), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new = r.json()["token"].as_str().expect("token").to_owned();
    assert_ne!(new, old);
    assert_eq!(r.json()["user"]["name"], "pilot");
    assert_eq!(
        h.get("/api/session", Some(&new)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.get("/api/session", Some(&old)).await.error_code(),
        "token_revoked"
    );
}

#[tokio::test]
async fn renew_refuses_dead_tokens() {
    let h = harness().await;
    let now = now_ms();
    let (_, expired) = h.token_api.api.mint("pilot", now - 7_200_000, now - 1);
    let r = h
        .post_json("/api/session/renew", Some(&expired), json!({}))
        .await;
    assert_eq!(r.error_code(), "token_expired");
    let (id, revoked) = h.token_api.api.mint("pilot", now, now + 60_000);
    h.token_api.api.revoke("pilot", &id);
    let r = h
        .post_json("/api/session/renew", Some(&revoked), json!({}))
        .await;
    assert_eq!(r.error_code(), "token_revoked");
}

#[tokio::test]
async fn logout_revokes_on_the_platform() {
    let h = harness().await;
    let token = h.login().await;
    let r = h
        .post_json("/api/session/logout", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get("/api/session", Some(&token)).await.error_code(),
        "token_revoked"
    );
    assert!(h.token_api.api.live_token_ids("pilot").is_empty());
}

/// A platform that will not let the token revoke itself (TOKEN_SCOPES without DELETE): the
/// pilot is told why, and this proxy takes the token no more, though the platform keeps it.
#[tokio::test]
async fn a_logout_the_platform_refuses_still_ends_the_session_here() {
    let h = harness_with(|c| {
        c.token_scopes = vec!["GET /tokens".into(), "POST /tokens".into()];
    })
    .await;
    let token = h.login().await;
    let r = h
        .post_json("/api/session/logout", Some(&token), json!({}))
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "token_scope_missing"),
        "{}",
        r.text
    );
    assert_eq!(
        h.get("/api/pilot/bootstrap", Some(&token))
            .await
            .error_code(),
        "token_revoked"
    );
    assert_eq!(
        h.get("/api/session", Some(&token)).await.error_code(),
        "token_revoked"
    );
}

#[tokio::test]
async fn upstream_down_is_502_unreachable() {
    let (h, port) = harness_with_token_api_down().await;
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_unreachable")
    );
    assert!(
        !r.text.contains(&port.to_string()),
        "no upstream address in the error"
    );
}

#[tokio::test]
async fn slow_upstream_is_504_timeout() {
    let h = harness().await;
    h.token_api
        .faults
        .set(Some(Fault::Delay(Duration::from_secs(3))));
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
    );
}

#[tokio::test]
async fn garbage_and_5xx_from_upstream_are_502() {
    let h = harness().await;
    h.token_api.faults.set(Some(Fault::Garbage));
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    h.token_api.faults.set(Some(Fault::ServerError));
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    assert!(
        !r.text.contains("nginx"),
        "upstream bodies are not passed through"
    );
    h.token_api.faults.set(None);
    assert_eq!(
        h.post_json(
            "/api/auth/login",
            None,
            json!({"username":"pilot","password":"pilot123"})
        )
        .await
        .status,
        StatusCode::OK
    );
}
