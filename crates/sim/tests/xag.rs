//! The XAG simulator refuses what XAG refuses (`xag-third-party-authorization.zh.txt`).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use md5::{Digest, Md5};
use pilot_portal_sim::token_api::now_ms;
use pilot_portal_sim::xag::{
    XagConfig, XagSim, DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD, DEMO_UNION_ID,
};
use serde_json::{json, Value};
use tower::ServiceExt;

fn signed(ts_secs: i64, nonce: &str, secret: &str) -> String {
    let c = XagConfig::demo();
    let ts = ts_secs.to_string();
    let sig: String =
        Md5::digest(format!("{}{}{}{}", c.component_appid, secret, ts, nonce).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
    format!("xag:{}:{ts}:{nonce}:{sig}", c.component_appid)
}

fn now() -> i64 {
    now_ms() / 1000
}

async fn send(sim: &XagSim, req: Request<Body>) -> (StatusCode, String) {
    let resp = sim.clone().router().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn preauth(sim: &XagSim, auth: &str) -> (StatusCode, Value) {
    let c = XagConfig::demo();
    let req = Request::post(format!(
        "/v1/auth/create_preauthcode?component_access_token={}",
        c.component_access_token
    ))
    .header(header::AUTHORIZATION, auth)
    .header(header::CONTENT_TYPE, "application/json")
    .body(Body::from(
        json!({"component_appid": c.component_appid}).to_string(),
    ))
    .expect("request");
    let (s, body) = send(sim, req).await;
    (s, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Approves `code` on the operator page; the HTML that posts back to the redirect_uri.
async fn approve(sim: &XagSim, code: &str, redirect: &str) -> (StatusCode, String) {
    let c = XagConfig::demo();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("component_access_token", &c.component_access_token)
        .append_pair("pre_auth_code", code)
        .append_pair("redirect_uri", redirect)
        .append_pair("username", DEMO_OPERATOR)
        .append_pair("password", DEMO_OPERATOR_PASSWORD)
        .append_pair("action", "approve")
        .finish();
    let req = Request::post("/v1/auth/user_auth")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .expect("request");
    send(sim, req).await
}

fn field(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find('"')?].to_owned())
}

async fn exchange(sim: &XagSim, code: &str, nonce: &str) -> (StatusCode, Value) {
    let req = Request::post("/v1/auth/token")
        .header(
            header::AUTHORIZATION,
            signed(now(), nonce, &XagConfig::demo().app_secret),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"authorization_code": code}).to_string()))
        .expect("request");
    let (s, body) = send(sim, req).await;
    (s, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_whole_flow_and_single_use_codes() {
    let sim = XagSim::new(XagConfig::demo());
    let secret = XagConfig::demo().app_secret;
    let (status, pre) = preauth(&sim, &signed(now(), "n-1", &secret)).await;
    assert_eq!(status, StatusCode::OK, "{pre}");
    assert_eq!(pre["expires_in"], 600);
    let code = pre["pre_auth_code"].as_str().expect("code").to_owned();

    let redirect = "http://127.0.0.1:9/api/xag/callback?state=abc";
    let c = XagConfig::demo();
    let page = Request::get(format!(
        "/v1/auth/user_auth?component_access_token={}&pre_auth_code={code}&redirect_uri={}",
        c.component_access_token,
        url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
    ))
    .body(Body::empty())
    .expect("request");
    let (status, html) = send(&sim, page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("xag-password"), "an operator login form");

    let (status, html) = approve(&sim, &code, redirect).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"action="http://127.0.0.1:9/api/xag/callback?state=abc""#),
        "posts back from the browser"
    );
    let auth_code = field(&html, "authorization_code").expect("authorization_code");
    assert_eq!(field(&html, "expire_in").as_deref(), Some("3600"));

    // the pre-auth code is single-use
    let (status, html) = approve(&sim, &code, redirect).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("already used"));

    let (status, token) = exchange(&sim, &auth_code, "n-2").await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_eq!(token["union_id"], DEMO_UNION_ID);
    let access = token["access_token"].as_str().expect("token");
    assert_eq!(sim.token_owner(access).as_deref(), Some(DEMO_UNION_ID));

    // the authorization code is single-use
    let (status, err) = exchange(&sim, &auth_code, "n-3").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["code"], 40003);
}

#[tokio::test]
async fn signature_faults_are_refused() {
    let sim = XagSim::new(XagConfig::demo());
    let secret = XagConfig::demo().app_secret;
    let (status, err) = preauth(&sim, &signed(now(), "a", "not-the-secret")).await;
    assert_eq!(
        (status, err["code"].as_i64()),
        (StatusCode::UNAUTHORIZED, Some(40101)),
        "wrong signature"
    );
    let (status, err) = preauth(&sim, &signed(now() - 11 * 60, "b", &secret)).await;
    assert_eq!(
        (status, err["code"].as_i64()),
        (StatusCode::UNAUTHORIZED, Some(40102)),
        "11 minutes old"
    );
    assert_eq!(
        preauth(&sim, &signed(now(), "c", &secret)).await.0,
        StatusCode::OK
    );
    let (status, err) = preauth(&sim, &signed(now(), "c", &secret)).await;
    assert_eq!(
        (status, err["code"].as_i64()),
        (StatusCode::UNAUTHORIZED, Some(40103)),
        "replayed nonce"
    );
}

#[tokio::test]
async fn unregistered_redirect_hosts_and_expired_codes_are_refused() {
    let sim = XagSim::new(XagConfig::demo());
    let secret = XagConfig::demo().app_secret;
    let (_, pre) = preauth(&sim, &signed(now(), "x", &secret)).await;
    let code = pre["pre_auth_code"].as_str().expect("code").to_owned();
    let (status, html) = approve(&sim, &code, "https://evil.example/steal").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("not registered"));
    sim.advance_clock(601);
    let (status, html) = approve(&sim, &code, "http://127.0.0.1/cb").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("expired"));
}
