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

// ---------------------------------------------------------------------------------------------
// What the document implies (issue 9) and the switches for what it leaves open (issue 15.2).
// ---------------------------------------------------------------------------------------------

use pilot_portal_sim::token_api::behaviour::{
    ErrorBodies, IssueAnswer, ListScope, TokenApiBehaviour, TokenStyle,
};

fn token_of(v: &Value) -> String {
    v["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn expires_in_only_in_the_documents_forms() {
    let api = TokenApi::new(b"k");
    for bad in ["2h", "1500", "1.5 hours", "1 week", "30 seconds"] {
        let (status, v) = call(
            &api,
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"username":"pilot","password":"pilot123","expiresIn": bad})),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_ric_error(&v, status, "error_bad_request");
    }
    let v = login(&api, json!({"expiresIn": "5 years"})).await;
    assert_eq!(
        v["expiresAt"].as_i64().expect("ms") - v["issuedAt"].as_i64().expect("ms"),
        5 * 31_557_600_000
    );
    let t = token_of(&login(&api, json!({})).await);
    let (_, issued) = call(
        &api,
        "POST",
        "/api/v1/tokens",
        Some(&t),
        Some(json!({"name": "d"})),
    )
    .await;
    assert_eq!(
        issued["expiresAt"].as_i64().expect("ms") - issued["issuedAt"].as_i64().expect("ms"),
        86_400_000,
        "one day when expiresIn is absent"
    );
}

#[tokio::test]
async fn scopes_with_or_without_the_prefix_params_and_tails() {
    let api = TokenApi::new(b"k");
    let t = token_of(
        &login(
            &api,
            json!({"scopes": ["GET /api/v1/tokens", "DELETE /tokens/:id", "GET /models/*"]}),
        )
        .await,
    );
    assert_eq!(
        call(&api, "GET", "/api/v1/tokens", Some(&t), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&api, "GET", "/api/v1/methods", Some(&t), None).await.0,
        StatusCode::FORBIDDEN
    );
    // `:id` is one segment: revoking an unknown id gets past the scope check (404)
    let (status, _) = call(
        &api,
        "DELETE",
        "/api/v1/tokens/aaaaaaaaaaaaaaaaaaaaaaaa",
        Some(&t),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&api, "POST", "/api/v1/tokens", Some(&t), Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no POST /tokens, no issuing");
    let lister = token_of(&login(&api, json!({"scopes": ["POST /tokens"]})).await);
    let (status, _) = call(&api, "GET", "/api/v1/tokens", Some(&lister), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no GET /tokens, no listing");
}

#[tokio::test]
async fn a_revoked_token_is_refused_everywhere() {
    let api = TokenApi::new(b"k");
    let first = login(&api, json!({})).await;
    let t = token_of(&first);
    let other = token_of(&login(&api, json!({})).await);
    let id = first["_id"].as_str().expect("id");
    let (status, _) = call(
        &api,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for (method, path, body) in [
        ("GET", "/api/v1/tokens".to_owned(), None),
        ("POST", "/api/v1/tokens".to_owned(), Some(json!({}))),
        ("DELETE", format!("/api/v1/tokens/{id}"), None),
        ("GET", "/api/v1/methods".to_owned(), None),
    ] {
        let (status, v) = call(&api, method, &path, Some(&t), body).await;
        assert_ric_error(&v, status, "error_token_revoked");
    }
}

#[tokio::test]
async fn the_list_is_the_projects_or_the_callers() {
    let api = TokenApi::new(b"k");
    let mine = token_of(&login(&api, json!({})).await);
    let (status, v) = call(
        &api,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(json!({"username":"copilot","password":"copilot123"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let theirs = v["_id"].as_str().expect("id").to_owned();
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|e| e["_id"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let (_, project) = call(&api, "GET", "/api/v1/tokens", Some(&mine), None).await;
    assert!(
        ids(&project).contains(&theirs),
        "the project's tokens: {project}"
    );
    api.set_behaviour(TokenApiBehaviour {
        list: ListScope::Caller,
        ..TokenApiBehaviour::default()
    });
    let (_, own) = call(&api, "GET", "/api/v1/tokens", Some(&mine), None).await;
    assert_eq!(ids(&own).len(), 1, "only the caller's: {own}");
    // and nobody revokes another user's token
    let (status, _) = call(
        &api,
        "DELETE",
        &format!("/api/v1/tokens/{theirs}"),
        Some(&mine),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn token_styles_minimal_jwt_and_opaque() {
    use base64::Engine;
    let api = TokenApi::new(b"k");
    api.set_behaviour(TokenApiBehaviour {
        tokens: TokenStyle::JwtMinimal,
        ..TokenApiBehaviour::default()
    });
    let jwt = token_of(&login(&api, json!({})).await);
    let payload = jwt.split('.').nth(1).expect("payload");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64"),
    )
    .expect("json");
    // (serde_json keeps insertion order when a crate of the workspace enables it)
    let mut keys: Vec<&String> = claims.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["exp", "iat"], "only the times: {claims}");
    assert_eq!(
        call(&api, "GET", "/api/v1/tokens", Some(&jwt), None)
            .await
            .0,
        StatusCode::OK
    );

    api.set_behaviour(TokenApiBehaviour {
        tokens: TokenStyle::Opaque,
        ..TokenApiBehaviour::default()
    });
    let opaque = token_of(&login(&api, json!({})).await);
    assert!(!opaque.contains('.'), "{opaque}");
    assert_eq!(
        call(&api, "GET", "/api/v1/tokens", Some(&opaque), None)
            .await
            .0,
        StatusCode::OK
    );
    let (status, v) = call(&api, "GET", "/api/v1/tokens", Some("ric_forged"), None).await;
    assert_ric_error(&v, status, "error_token_invalid");
}

#[tokio::test]
async fn issue_answers_with_or_without_the_login_fields() {
    let api = TokenApi::new(b"k");
    let t = token_of(&login(&api, json!({})).await);
    api.set_behaviour(TokenApiBehaviour {
        issue_answer: IssueAnswer::Minimal,
        ..TokenApiBehaviour::default()
    });
    let (_, v) = call(
        &api,
        "POST",
        "/api/v1/tokens",
        Some(&t),
        Some(json!({"name": "m"})),
    )
    .await;
    let mut keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["_id", "expiresAt", "token"]);
    api.set_behaviour(TokenApiBehaviour {
        issue_answer: IssueAnswer::TokenOnly,
        ..TokenApiBehaviour::default()
    });
    let (_, v) = call(
        &api,
        "POST",
        "/api/v1/tokens",
        Some(&t),
        Some(json!({"name": "o"})),
    )
    .await;
    assert_eq!(
        v.as_object().expect("object").keys().collect::<Vec<_>>(),
        ["token"]
    );
}

#[tokio::test]
async fn generic_error_bodies_have_no_token_codes() {
    let api = TokenApi::new(b"k");
    api.set_behaviour(TokenApiBehaviour {
        errors: ErrorBodies::Generic,
        ..TokenApiBehaviour::default()
    });
    let first = login(&api, json!({})).await;
    let t = token_of(&first);
    let id = first["_id"].as_str().expect("id");
    call(
        &api,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        Some(&t),
        None,
    )
    .await;
    let (status, v) = call(&api, "GET", "/api/v1/tokens", Some(&t), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["codes"], json!(["error_unauthorized"]), "{v}");
}

#[tokio::test]
async fn a_role_without_post_tokens_and_rate_limiting() {
    let api = TokenApi::new(b"k");
    let t = token_of(&login(&api, json!({})).await);
    api.set_behaviour(TokenApiBehaviour {
        issue_forbidden: true,
        ..TokenApiBehaviour::default()
    });
    let (status, v) = call(&api, "POST", "/api/v1/tokens", Some(&t), Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_ric_error(&v, status, "error_forbidden");
    api.set_behaviour(TokenApiBehaviour {
        rate_limited: Some("7".into()),
        ..TokenApiBehaviour::default()
    });
    let resp = api
        .clone()
        .router()
        .oneshot(
            Request::get("/api/v1/tokens")
                .header(header::AUTHORIZATION, format!("Bearer {t}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()[header::RETRY_AFTER], "7");
}

#[tokio::test]
async fn methods_list_and_object_ids() {
    let api = TokenApi::new(b"k");
    let v = login(&api, json!({})).await;
    let id = v["_id"].as_str().expect("id");
    assert!(
        id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    let (status, methods) = call(&api, "GET", "/api/v1/methods", Some(&token_of(&v)), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(methods
        .as_array()
        .expect("array")
        .iter()
        .any(|m| m == "GET /objects/:id"));
}
