//! The token API simulator against `platform-token-api.ru.txt` and `upstream-apis.md` §C.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use pilot_portal_sim::token_api::{now_ms, TokenApi};
use serde_json::{json, Value};
use tower::ServiceExt;

async fn call(
    api: &TokenApi,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let resp = api
        .clone()
        .router()
        .oneshot(req.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn login(api: &TokenApi, extra: Value) -> Value {
    let mut body = json!({"username": "pilot", "password": "pilot123"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (status, v) = call(api, "POST", "/api/v1/auth/token", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

fn assert_ric_error(v: &Value, status: StatusCode, code: &str) {
    assert_eq!(v["success"], false);
    assert_eq!(v["name"], "RicError");
    assert_eq!(v["code"], status.as_u16().to_string(), "code is a string");
    assert!(
        v["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .any(|c| c == code),
        "{v}"
    );
    assert!(v["message"].is_string());
}

#[tokio::test]
async fn auth_token_response_shape_and_default_lifetime_of_one_day() {
    let api = TokenApi::new(b"k");
    let before = now_ms();
    let v = login(&api, json!({})).await;
    assert_eq!(v["_id"].as_str().expect("_id").len(), 24, "ObjectId-like");
    assert_eq!(v["user"]["name"], "pilot");
    let issued = v["issuedAt"].as_i64().expect("ms");
    assert!(issued >= before && issued <= now_ms(), "milliseconds");
    assert_eq!(v["expiresAt"].as_i64().expect("ms") - issued, 86_400_000);
    assert!(
        v["token"].as_str().expect("jwt").starts_with("eyJ"),
        "a JWT"
    );
}

#[tokio::test]
async fn expires_in_vocabulary_and_errors() {
    let api = TokenApi::new(b"k");
    for (text, ms) in [
        ("30 minutes", 1_800_000),
        ("12 hours", 43_200_000),
        ("8 days", 691_200_000),
    ] {
        let v = login(&api, json!({"expiresIn": text})).await;
        assert_eq!(
            v["expiresAt"].as_i64().expect("ms") - v["issuedAt"].as_i64().expect("ms"),
            ms,
            "{text}"
        );
    }
    let (status, v) = call(
        &api,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(json!({"username":"pilot","password":"pilot123","expiresIn":"3 fortnights"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_ric_error(&v, status, "error_bad_request");
}

#[tokio::test]
async fn wrong_credentials_are_401_ric_error() {
    let api = TokenApi::new(b"k");
    let (status, v) = call(
        &api,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(json!({"username":"pilot","password":"x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_ric_error(&v, status, "error_unauthorized");
}

#[tokio::test]
async fn bearer_is_required_and_checked() {
    let api = TokenApi::new(b"k");
    let (status, v) = call(&api, "GET", "/api/v1/tokens", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_ric_error(&v, status, "error_token_missing");
    let (status, v) = call(&api, "GET", "/api/v1/tokens", Some("not.a.jwt"), None).await;
    assert_ric_error(&v, status, "error_token_invalid");
    let now = now_ms();
    let (_, expired) = api.mint("pilot", now - 10_000, now - 1);
    let (status, v) = call(&api, "GET", "/api/v1/tokens", Some(&expired), None).await;
    assert_ric_error(&v, status, "error_token_expired");
}

#[tokio::test]
async fn scoped_tokens_do_only_what_their_scopes_allow() {
    let api = TokenApi::new(b"k");
    let t = login(&api, json!({"scopes": ["GET /tokens"]})).await["token"]
        .as_str()
        .expect("t")
        .to_owned();
    assert_eq!(
        call(&api, "GET", "/api/v1/tokens", Some(&t), None).await.0,
        StatusCode::OK
    );
    let (status, v) = call(&api, "POST", "/api/v1/tokens", Some(&t), Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_ric_error(&v, status, "error_forbidden");
    // and cannot mint wider rights
    let t2 = login(&api, json!({"scopes": ["GET /tokens", "POST /tokens"]})).await["token"]
        .as_str()
        .expect("t")
        .to_owned();
    let (status, _) = call(
        &api,
        "POST",
        "/api/v1/tokens",
        Some(&t2),
        Some(json!({"scopes": ["GET /objects"]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = call(
        &api,
        "POST",
        "/api/v1/tokens",
        Some(&t2),
        Some(json!({"name": "child", "expiresIn": "7 days"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v["scopes"],
        json!(["GET /tokens", "POST /tokens"]),
        "inherits the parent's scopes"
    );
    assert_eq!(v["name"], "child");
}

#[tokio::test]
async fn list_issue_and_revoke() {
    let api = TokenApi::new(b"k");
    let first = login(&api, json!({})).await;
    let t = first["token"].as_str().expect("t").to_owned();
    let (status, issued) = call(
        &api,
        "POST",
        "/api/v1/tokens",
        Some(&t),
        Some(json!({"name": "test-token-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = call(&api, "GET", "/api/v1/tokens", Some(&t), None).await;
    let list = list.as_array().expect("array").clone();
    assert_eq!(list.len(), 2);
    assert!(list
        .iter()
        .all(|e| e["_id"].is_string() && e["expiresAt"].is_i64() && e["scopes"].is_array()));

    let id = issued["_id"].as_str().expect("id");
    let (status, v) = call(
        &api,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!((status, v), (StatusCode::OK, json!({"success": true})));
    let child = issued["token"].as_str().expect("child token");
    let (status, v) = call(&api, "GET", "/api/v1/tokens", Some(child), None).await;
    assert_ric_error(&v, status, "error_token_revoked");
    let (status, v) = call(
        &api,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already revoked");
    assert_ric_error(&v, status, "error_not_found");
}

#[tokio::test]
async fn unknown_routes_are_404_ric_error() {
    let api = TokenApi::new(b"k");
    let (status, v) = call(&api, "GET", "/api/v1/nothing", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ric_error(&v, status, "error_not_found");
}
