//! XAG linking through the proxy, against the XAG simulator.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::db::Db;
use pilot_portal_proxy::{app, AppState};
use pilot_portal_sim::faults::Fault;
use pilot_portal_sim::xag::DEMO_UNION_ID;
use serde_json::json;

#[tokio::test]
async fn link_approve_status_unlink() {
    let h = harness().await;
    let token = h.login().await;
    let url = start_link(&h, &token).await;
    assert!(
        url.starts_with(&format!("{}/v1/auth/user_auth?", h.xag.base_url())),
        "{url}"
    );
    // XAG comes back to this proxy's callback (by default on its own address)
    let callback = format!("http://{}/api/xag/callback?state=", h.addr);
    let redirect_uri: String = url::form_urlencoded::byte_serialize(callback.as_bytes()).collect();
    assert!(
        url.contains("pre_auth_code=") && url.contains(&format!("redirect_uri={redirect_uri}")),
        "{url}"
    );

    let (path, code, _) = authorize(&url, "approve").await;
    assert!(!code.is_empty());
    let r = callback_form(
        &h,
        &path,
        &format!("authorization_code={code}&expire_in=3600"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/?xag=linked");

    let s = h.get("/api/xag/link", Some(&token)).await;
    assert_eq!(s.status, StatusCode::OK);
    assert_eq!(s.json()["linked"], true);
    assert_eq!(s.json()["union_id"], DEMO_UNION_ID);
    assert!(s.json()["expires_at"].as_i64().expect("ms") > now_ms());
    // the XAG access token stays in the proxy, encrypted at rest, and XAG accepts it
    let db = Db::connect(&h.config.database_url).await.expect("db");
    let raw = db.link("pilot").await.expect("q").expect("link");
    let key = pilot_portal_proxy::storage_key::StorageKey::from_setting(&h.config.storage_key)
        .expect("key")
        .expect("STORAGE_KEY set");
    let stored = db
        .with_storage_key(Some(key))
        .link("pilot")
        .await
        .expect("q")
        .expect("link");
    assert!(raw.access_token.starts_with("v1:"), "{}", raw.access_token);
    assert!(!raw.access_token.contains(&stored.access_token));
    assert!(!s.text.contains(&stored.access_token));
    assert_eq!(
        h.xag.sim.token_owner(&stored.access_token).as_deref(),
        Some(DEMO_UNION_ID)
    );

    let del = h
        .call(
            Request::delete("/api/xag/link")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get("/api/xag/link", Some(&token)).await.json()["linked"],
        false
    );
}

#[tokio::test]
async fn a_json_callback_is_accepted_too() {
    let h = harness().await;
    let token = h.login().await;
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;
    let r = h
        .post_json(
            &path,
            None,
            json!({"authorization_code": code, "expire_in": 3600}),
        )
        .await;
    assert_eq!(location(&r), "/?xag=linked");
}

#[tokio::test]
async fn callbacks_with_missing_forged_replayed_or_expired_state_store_nothing() {
    let h = harness_with(|c| c.xag_link_ttl_secs = 1).await;
    let token = h.login().await;
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;

    for bad in [
        "/api/xag/callback?state=",
        "/api/xag/callback?state=forged0123456789",
    ] {
        let r = callback_form(&h, bad, &format!("authorization_code={code}")).await;
        assert_eq!(location(&r), "/?xag=state_invalid", "{bad}");
    }
    // no state at all: XAG dropped it, which these settings do not handle (the log names
    // XAG_STATE_FALLBACK; tests/xag_alternatives.rs covers the fallbacks)
    let r = callback_form(
        &h,
        "/api/xag/callback",
        &format!("authorization_code={code}"),
    )
    .await;
    assert_eq!(location(&r), "/?xag=unsupported");
    assert_eq!(count_links(&h).await, 0);

    // expired: the attempt lived 1 s
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(location(&r), "/?xag=state_invalid");
    assert_eq!(count_links(&h).await, 0);
    assert_eq!(
        h.get("/api/xag/link", Some(&token)).await.json()["linked"],
        false
    );
}

/// A log-out ends the pilot's link attempts: an authorization page left open on a shared
/// controller (or in its history) links no one to the pilot who left, by either way in.
#[tokio::test]
async fn a_log_out_ends_the_link_attempts_of_the_session() {
    let h = harness().await;
    let token = h.login().await;
    let r = h.post_json("/api/xag/link", Some(&token), json!({})).await;
    let own = r.json()["authorize_url"].as_str().expect("url").to_owned();
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;
    let r = h
        .post_json("/api/session/logout", Some(&token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = h.get(&own, None).await;
    assert_eq!(r.error_code(), "link_state_invalid", "{}", r.text);
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(location(&r), "/?xag=state_invalid");
    assert_eq!(count_links(&h).await, 0);

    // revoking this controller's own token ends them too; another pilot's attempts stay
    let token = h.login().await;
    let other = h.login_with("copilot", "copilot123").await;
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;
    let (theirs, their_code, _) = authorize(&start_link(&h, &other).await, "approve").await;
    let id = h
        .get("/api/tokens", Some(&token))
        .await
        .json()
        .as_array()
        .and_then(|list| list.iter().find(|t| t["current"] == true).cloned())
        .expect("own token listed")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = h
        .call(
            Request::delete(format!("/api/tokens/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(location(&r), "/?xag=state_invalid");
    let r = callback_form(&h, &theirs, &format!("authorization_code={their_code}")).await;
    assert_eq!(location(&r), "/?xag=linked");
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let h = harness().await;
    let token = h.login().await;
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;
    assert_eq!(
        location(&callback_form(&h, &path, &format!("authorization_code={code}")).await),
        "/?xag=linked"
    );
    let r = callback_form(&h, &path, "authorization_code=another-code").await;
    assert_eq!(location(&r), "/?xag=state_invalid");
}

#[tokio::test]
async fn denial_on_xags_page_links_nothing() {
    let h = harness().await;
    let token = h.login().await;
    let (path, code, error) = authorize(&start_link(&h, &token).await, "deny").await;
    assert!(code.is_empty());
    assert_eq!(error, "access_denied");
    let r = callback_form(&h, &path, "error=access_denied").await;
    assert_eq!(location(&r), "/?xag=denied");
    assert_eq!(count_links(&h).await, 0);
}

#[tokio::test]
async fn xag_errors_map_to_clear_outcomes() {
    let h = harness().await;
    let token = h.login().await;
    // a code XAG no longer accepts
    let (path, _, _) = authorize(&start_link(&h, &token).await, "approve").await;
    let r = callback_form(&h, &path, "authorization_code=unknown-code").await;
    assert_eq!(location(&r), "/?xag=code_rejected");
    // XAG down during the exchange
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;
    h.xag.faults.set(Some(Fault::ServerError));
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(location(&r), "/?xag=xag_error");
    // a token answer that links to nobody, or cannot call XAG, links nothing
    for body in [
        r#"{"union_id":"","access_token":"tok","expire_in":3600}"#,
        r#"{"union_id":"u-1","access_token":"","expire_in":3600}"#,
    ] {
        h.xag.faults.set(None);
        let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;
        h.xag.faults.set(Some(Fault::Body {
            status: 200,
            content_type: "application/json",
            body,
        }));
        let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
        assert_eq!(location(&r), "/?xag=xag_error", "{body}");
    }
    h.xag.faults.set(Some(Fault::ServerError));
    // XAG down when starting
    let r = h.post_json("/api/xag/link", Some(&token), json!({})).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    h.xag.faults.set(None);
    assert_eq!(count_links(&h).await, 0);
}

#[tokio::test]
async fn a_wrong_app_secret_is_an_operator_error_without_the_secret() {
    let h = harness_with(|c| c.xag_app_secret = "not-the-registered-secret".into()).await;
    let token = h.login().await;
    let r = h.post_json("/api/xag/link", Some(&token), json!({})).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "xag_refused")
    );
    assert!(
        !r.text.contains("not-the-registered-secret")
            && !r.text.contains("xag-demo-component-token")
    );
}

#[tokio::test]
async fn the_authorize_redirect_needs_a_live_attempt() {
    let h = harness().await;
    for path in ["/api/xag/authorize", "/api/xag/authorize?state=forged"] {
        let r = h.get(path, None).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::BAD_REQUEST, "link_state_invalid"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn linking_needs_a_session_and_a_configuration() {
    let h = harness().await;
    assert_eq!(
        h.post_json("/api/xag/link", None, json!({}))
            .await
            .error_code(),
        "token_missing"
    );
    assert_eq!(
        h.get("/api/xag/link", Some("garbage")).await.error_code(),
        "token_invalid"
    );
    let off = harness_with(|c| {
        c.xag_component_appid.clear();
        c.xag_app_secret.clear();
        c.xag_component_access_token.clear();
    })
    .await;
    let token = off.login().await;
    let r = off
        .post_json("/api/xag/link", Some(&token), json!({}))
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "xag_not_configured")
    );
}

#[tokio::test]
async fn links_survive_a_proxy_restart() {
    let h = harness().await;
    let token = h.login().await;
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;
    assert_eq!(
        location(&callback_form(&h, &path, &format!("authorization_code={code}")).await),
        "/?xag=linked"
    );
    // a new proxy process on the same database file
    let restarted = app(AppState::new(h.config.clone()).await.expect("state"));
    let r = tower::ServiceExt::oneshot(
        restarted,
        Request::get("/api/xag/link")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("req"),
    )
    .await
    .expect("infallible");
    let body = http_body_util::BodyExt::collect(r.into_body())
        .await
        .expect("body")
        .to_bytes();
    let status: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(status["linked"], true);
    assert_eq!(status["union_id"], DEMO_UNION_ID);
}

#[tokio::test]
async fn the_pilot_goes_back_to_the_page_they_started_from() {
    let h = harness().await;
    let token = h.login().await;
    let url = start_link_with(&h, &token, json!({"return_to": "/?emulator&x=1"})).await;
    let (path, code, _) = authorize(&url, "approve").await;
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/?emulator&x=1&xag=linked");

    // every outcome goes there; an old outcome in the address is replaced
    let url = start_link_with(&h, &token, json!({"return_to": "/?xag=linked&emulator"})).await;
    let (path, _, _) = authorize(&url, "deny").await;
    let r = callback_form(&h, &path, "error=access_denied").await;
    assert_eq!(location(&r), "/?emulator&xag=denied");

    // a state nobody issued still goes to the root
    let r = callback_form(
        &h,
        "/api/xag/callback?state=0badc0de",
        "authorization_code=x",
    )
    .await;
    assert_eq!(location(&r), "/?xag=state_invalid");

    // no body, as the page sent it before: back to the root
    let req = Request::post("/api/xag/link")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let r = h.call(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let own = r.json()["authorize_url"].as_str().expect("url").to_owned();
    let xag_page = location(&h.get(&own, None).await).to_owned();
    let (path, code, _) = authorize(&xag_page, "approve").await;
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(location(&r), "/?xag=linked");
}

#[tokio::test]
async fn return_to_must_stay_on_this_site() {
    let h = harness().await;
    let token = h.login().await;
    for evil in [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "evil.com/",
        "/\t/evil.com",
        "",
    ] {
        let r = h
            .post_json("/api/xag/link", Some(&token), json!({ "return_to": evil }))
            .await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{evil:?}"
        );
    }
    let long = format!("/?{}", "a".repeat(511));
    let r = h
        .post_json("/api/xag/link", Some(&token), json!({ "return_to": long }))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // not JSON at all
    let req = Request::post("/api/xag/link")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("return_to=//evil.com"))
        .expect("request");
    assert_eq!(h.call(req).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(count_links(&h).await, 0);
}

/// Each start asks XAG for a pre-auth code with the platform's signature: one pilot may not
/// use up the platform's XAG quota. Another pilot is not held back.
#[tokio::test]
async fn a_pilot_starting_links_over_and_over_is_held_back_alone() {
    let h = harness().await;
    let token = h.login().await;
    // LINK_STARTS in routes/xag.rs: 10 in 10 minutes
    for _ in 0..10 {
        start_link(&h, &token).await;
    }
    let r = h.post_json("/api/xag/link", Some(&token), json!({})).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "{}",
        r.text
    );
    let wait: u64 = r
        .headers
        .get(axum::http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=660).contains(&wait), "{wait}");
    let theirs = h.login_demo(1).await;
    start_link(&h, &theirs).await;
}
