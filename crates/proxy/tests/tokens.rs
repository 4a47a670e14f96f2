//! Access tokens (issue 9) and identity from what the platform said (issues 15.1 and 10):
//! named least-privilege tokens for Pilot 2, the `/api/tokens` routes, fail-closed sessions,
//! one renewal per token, and every journey under each of the simulator's switches.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::{app, AppState};
use pilot_portal_sim::demo::DEMO_JWT_SECRET;
use pilot_portal_sim::faults::Fault;
use pilot_portal_sim::token_api::behaviour::{
    ErrorBodies, IssueAnswer, ListScope, TokenApiBehaviour, TokenStyle,
};
use serde_json::{json, Value};

/// Signs `user` in from a controller with this serial number: the grant.
async fn login_as(h: &Harness, user: &str, sn: Option<&str>) -> Value {
    let password = format!("{user}123");
    let mut body = json!({"username": user, "password": password});
    if let Some(sn) = sn {
        body["controller_sn"] = json!(sn);
    }
    let r = h.post_json("/api/auth/login", None, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

fn token(grant: &Value) -> String {
    grant["token"].as_str().expect("token").to_owned()
}

async fn login_sn(h: &Harness, sn: &str) -> String {
    token(&login_as(h, "pilot", Some(sn)).await)
}

async fn delete(h: &Harness, path: &str, token: &str) -> Reply {
    h.call(
        Request::delete(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

async fn renew(h: &Harness, token: &str) -> Reply {
    h.post_json("/api/session/renew", Some(token), json!({}))
        .await
}

/// The proxy's `GET /api/tokens` for `token`.
async fn tokens(h: &Harness, token: &str) -> Vec<Value> {
    let r = h.get("/api/tokens", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json().as_array().expect("array").clone()
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no token named {name}: {list:?}"))
}

/// A direct call to the simulated platform with `token`: the HTTP status.
async fn on_platform(h: &Harness, method: &str, path: &str, token: &str) -> u16 {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", h.token_api.base_url());
    let request = match method {
        "GET" => client.get(url),
        "POST" => client
            .post(url)
            .json(&json!({"name": "x", "expiresIn": "1 day"})),
        _ => client.delete(url),
    };
    request
        .bearer_auth(token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Least privilege for Pilot 2
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_issues_a_token_named_after_the_controller_and_revokes_the_login_token() {
    let h = harness().await;
    let grant = login_as(&h, "pilot", Some("5YSZL260021E9W")).await;
    assert_eq!(grant["user"]["name"], "pilot");
    let live = h.token_api.api.live_tokens("pilot");
    assert_eq!(live.len(), 1, "the login token was revoked: {live:?}");
    assert_eq!(live[0].name.as_deref(), Some("Pilot 2 · 5YSZL260021E9W"));
    assert_eq!(
        live[0].scopes, h.config.token_scopes,
        "only the configured scopes"
    );
    assert_eq!(
        live[0].expires_at_ms - live[0].issued_at_ms,
        12 * 3_600_000,
        "the configured lifetime"
    );
    // the login token: issued, unnamed, revoked
    let t = token(&grant);
    let r = h.get("/api/session", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["user"]["name"], "pilot");

    // outside Pilot 2
    login_as(&h, "pilot", None).await;
    let names: Vec<_> = h
        .token_api
        .api
        .live_tokens("pilot")
        .into_iter()
        .filter_map(|t| t.name)
        .collect();
    assert!(names.contains(&"Pilot 2 · browser".to_owned()), "{names:?}");
}

#[tokio::test]
async fn renewal_issues_the_same_name_and_revokes_the_old_token() {
    let h = harness().await;
    let old = login_sn(&h, "RC-A").await;
    let r = renew(&h, &old).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new = token(&r.json());
    assert_ne!(new, old);
    let live = h.token_api.api.live_tokens("pilot");
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0].name.as_deref(), Some("Pilot 2 · RC-A"));
    assert_eq!(
        h.get("/api/session", Some(&new)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.get("/api/session", Some(&old)).await.error_code(),
        "token_revoked"
    );
    assert_eq!(on_platform(&h, "GET", "/api/v1/tokens", &old).await, 401);
}

/// The old token of a renewal hands out its successor for a short while (a renewal repeated
/// after a lost answer), but not once the successor was revoked.
#[tokio::test(flavor = "multi_thread")]
async fn a_repeated_renewal_does_not_hand_out_a_revoked_successor() {
    let h = harness().await;
    let old = login_sn(&h, "RC-A").await;
    let r = renew(&h, &old).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new = token(&r.json());
    let again = renew(&h, &old).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(token(&again.json()), new, "the same successor, repeated");

    let other = login_sn(&h, "RC-B").await;
    let list = tokens(&h, &other).await;
    let id = named(&list, "Pilot 2 · RC-A")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = delete(&h, &format!("/api/tokens/{id}"), &other).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = renew(&h, &old).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    assert_eq!(r.error_code(), "token_revoked");
    assert!(
        !r.text.contains(&new),
        "the dead successor is not handed out"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn without_permission_to_issue_the_login_token_goes_to_pilot_and_the_log_says_why() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let h = harness().await;
    h.token_api.api.set_behaviour(TokenApiBehaviour {
        issue_forbidden: true,
        ..TokenApiBehaviour::default()
    });
    let t = login_sn(&h, "RC-A").await;
    let live = h.token_api.api.live_tokens("pilot");
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0].name, None, "the (unnamed) login token itself");
    let r = h.get("/api/session", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = tokens(&h, &t).await;
    assert!(list.iter().any(|e| e["current"] == true), "{list:?}");
    let logs = captured.text();
    assert!(logs.contains("configuration problem"), "{logs}");
    assert!(logs.contains("WARN"), "{logs}");
    assert!(!logs.contains(&t), "no token in the log");
}

#[tokio::test]
async fn with_issue_named_off_pilot_gets_the_login_token() {
    let h = harness_with(|c| c.token_issue_named = false).await;
    let t = login_sn(&h, "RC-A").await;
    let live = h.token_api.api.live_tokens("pilot");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].name, None);
    assert_eq!(h.get("/api/session", Some(&t)).await.status, StatusCode::OK);
    let r = h
        .post_json("/api/session/logout", Some(&t), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(h.token_api.api.live_token_ids("pilot").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Validation, before anything goes upstream
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_bad_value_is_a_400_naming_it_before_the_platform_is_asked() {
    let h = harness().await;
    let t = login_sn(&h, "RC-A").await;
    // From here on any upstream call would fail with 502: a 400 proves nothing went there.
    h.token_api.faults.set(Some(Fault::ServerError));
    let good = json!({"name": "laptop", "expires_in": "7 days", "scopes": ["GET /tokens"]});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    for (body, says) in [
        (with("expires_in", json!("2h")), "\"2h\""),
        (with("expires_in", json!("0 days")), "\"0 days\""),
        (with("expires_in", json!("11 years")), "\"11 years\""),
        (
            with("expires_in", json!("3 fortnights")),
            "\"3 fortnights\"",
        ),
        (
            with("scopes", json!(["GET /tokens", "FETCH /x"])),
            "\"FETCH /x\"",
        ),
        (with("scopes", json!(["GET tokens"])), "\"GET tokens\""),
        (with("scopes", json!(["GET /a/*/b"])), "\"GET /a/*/b\""),
        (with("scopes", json!([])), "at least one method"),
        (with("name", json!("  ")), "name"),
        (with("name", json!("x".repeat(101))), "100 characters"),
    ] {
        let r = h.post_json("/api/tokens", Some(&t), body.clone()).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{body}: {}",
            r.text
        );
        let message = r.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(message.contains(says), "{body}: {message}");
    }
    for id in [
        "xyz",
        "66a66b2207dfcec6494cd61",
        "66a66b2207dfcec6494cd61g",
        "..%2F..%2Fetc",
    ] {
        let r = delete(&h, &format!("/api/tokens/{id}"), &t).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{id}: {}",
            r.text
        );
    }
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username": "pilot", "password": "pilot123", "controller_sn": "RC A/../x"}),
        )
        .await;
    assert_eq!(r.error_code(), "bad_request", "{}", r.text);
    assert!(r.text.contains("serial number"), "{}", r.text);
}

#[tokio::test]
async fn bad_token_settings_stop_the_proxy_at_start_naming_the_setting() {
    for (name, value) in [
        ("TOKEN_EXPIRES_IN", "12h"),
        ("TOKEN_SCOPES", "GET /tokens,READ /objects"),
        ("TOKEN_SCOPE_CHOICES", "GET objects"),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let mut config = Config::from_env_pairs([(name, value.to_owned())]).expect("parses");
        config.database_url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("db.sqlite").display()
        );
        let e = AppState::new(config).await.err().expect("refused at start");
        assert!(e.to_string().starts_with(name), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// The routes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_list_marks_this_controller_and_puts_the_soonest_to_expire_first() {
    let h = harness().await;
    let a = login_sn(&h, "RC-A").await;
    let _b = login_sn(&h, "RC-B").await;
    let now = now_ms();
    let (soon, _) = h.token_api.api.mint("pilot", now, now + 3_600_000);
    let list = tokens(&h, &a).await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(list[0]["id"], soon.as_str(), "soonest first: {list:?}");
    let expiries: Vec<i64> = list
        .iter()
        .map(|t| t["expires_at"].as_i64().unwrap_or(0))
        .collect();
    assert!(expiries.windows(2).all(|w| w[0] <= w[1]), "{expiries:?}");
    assert_eq!(named(&list, "Pilot 2 · RC-A")["current"], true);
    assert_eq!(named(&list, "Pilot 2 · RC-B")["current"], false);
    assert_eq!(list.iter().filter(|t| t["current"] == true).count(), 1);
    assert!(
        list.iter().all(|t| t.get("token").is_none()),
        "values are never listed"
    );
    assert_eq!(
        named(&list, "Pilot 2 · RC-A")["scopes"],
        json!(h.config.token_scopes)
    );
}

#[tokio::test]
async fn a_token_for_another_tool_is_shown_once_and_works_only_within_its_scopes() {
    let h = harness().await;
    let a = login_sn(&h, "RC-A").await;
    let r = h
        .post_json(
            "/api/tokens",
            Some(&a),
            json!({"name": " Laptop GS ", "expires_in": "7  days", "scopes": ["GET /tokens"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    let issued = r.json();
    assert_eq!(issued["name"], "Laptop GS");
    assert_eq!(issued["scopes"], json!(["GET /tokens"]));
    let value = token(&issued);
    let id = issued["id"].as_str().expect("id").to_owned();
    let record = h.token_api.api.record(&id).expect("on the platform");
    assert_eq!(record.expires_at_ms - record.issued_at_ms, 7 * 86_400_000);
    assert_eq!(on_platform(&h, "GET", "/api/v1/tokens", &value).await, 200);
    assert_eq!(on_platform(&h, "POST", "/api/v1/tokens", &value).await, 403);
    // The platform's to honour within its scopes, never a Pilot 2 session here: not even
    // with the `GET /tokens` the session check asks the platform for (the pilot's MQTT
    // account, the workspace, XAG, renewing, issuing more).
    for (method, path) in [
        ("GET", "/api/pilot/bootstrap"),
        ("GET", "/api/session"),
        ("GET", "/api/tokens"),
        ("POST", "/api/tokens"),
        ("POST", "/api/session/renew"),
        ("GET", "/api/xag/link"),
        ("GET", "/api/flighthub/projects"),
    ] {
        let r = if method == "GET" {
            h.get(path, Some(&value)).await
        } else {
            h.post_json(
                path,
                Some(&value),
                json!({"name": "more", "expires_in": "1 day", "scopes": ["GET /tokens"]}),
            )
            .await
        };
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::UNAUTHORIZED, "token_invalid"),
            "{method} {path}: {}",
            r.text
        );
        assert!(
            r.text.contains("another tool"),
            "{method} {path}: {}",
            r.text
        );
    }
    assert_eq!(on_platform(&h, "GET", "/api/v1/tokens", &value).await, 200);
    assert_eq!(h.get("/api/session", Some(&a)).await.status, StatusCode::OK);
    let list = tokens(&h, &a).await;
    let entry = named(&list, "Laptop GS");
    assert_eq!(entry["current"], false);
    assert!(!serde_json::to_string(&list)
        .unwrap_or_default()
        .contains(&value));
    // more than the caller's token may do: the platform refuses, and the page is told why
    let r = h
        .post_json(
            "/api/tokens",
            Some(&a),
            json!({"name": "wide", "expires_in": "1 day", "scopes": ["GET /objects"]}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "token_scope_missing"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn revoking_another_controller_logs_it_out_as_revoked() {
    let h = harness().await;
    let a = login_sn(&h, "RC-A").await;
    let b = login_sn(&h, "RC-B").await;
    let list = tokens(&h, &a).await;
    let b_id = named(&list, "Pilot 2 · RC-B")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = delete(&h, &format!("/api/tokens/{b_id}"), &a).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        h.get("/api/session", Some(&b)).await.error_code(),
        "token_revoked"
    );
    assert_eq!(h.get("/api/session", Some(&a)).await.status, StatusCode::OK);
    assert_eq!(on_platform(&h, "GET", "/api/v1/tokens", &b).await, 401);
    let list = tokens(&h, &a).await;
    assert!(list.iter().all(|t| t["id"] != b_id.as_str()), "{list:?}");
}

#[tokio::test]
async fn revoking_its_own_token_ends_the_callers_session() {
    let h = harness().await;
    let a = login_sn(&h, "RC-A").await;
    let list = tokens(&h, &a).await;
    let own = list
        .iter()
        .find(|t| t["current"] == true)
        .and_then(|t| t["id"].as_str())
        .expect("current")
        .to_owned();
    let r = delete(&h, &format!("/api/tokens/{own}"), &a).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = h.get("/api/session", Some(&a)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    // said as a revocation, as for a token revoked from another controller
    assert_eq!(r.error_code(), "token_revoked");
    assert!(h.token_api.api.live_token_ids("pilot").is_empty());
}

#[tokio::test]
async fn another_users_token_id_is_not_found_and_stays_live() {
    let h = harness().await;
    let mine = login_sn(&h, "RC-A").await;
    login_as(&h, "copilot", Some("RC-C")).await;
    let theirs = h.token_api.api.live_token_ids("copilot");
    assert_eq!(theirs.len(), 1);
    let r = delete(&h, &format!("/api/tokens/{}", theirs[0]), &mine).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::NOT_FOUND, "not_found"),
        "{}",
        r.text
    );
    assert_eq!(h.token_api.api.live_token_ids("copilot"), theirs);
    // an id nobody has
    let r = delete(&h, "/api/tokens/0123456789abcdef01234567", &mine).await;
    assert_eq!(r.error_code(), "not_found");
}

#[tokio::test]
async fn without_permission_to_list_tokens_the_code_says_so() {
    let h = harness_with(|c| {
        c.token_scopes = vec!["POST /tokens".into(), "DELETE /tokens/:id".into()];
    })
    .await;
    let t = login_sn(&h, "RC-A").await;
    let r = h.get("/api/tokens", Some(&t)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "token_scope_missing"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn scope_choices_from_the_platform_or_the_configuration() {
    let h = harness().await;
    let t = login_sn(&h, "RC-A").await;
    let r = h.get("/api/tokens/scopes", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["source"], "configured");
    assert_eq!(r.json()["methods"], json!(h.config.token_scope_choices));

    let h = harness_with(|c| {
        c.token_api_methods_path = "/api/v1/methods".into();
        c.token_scopes.push("GET /methods".into());
    })
    .await;
    let t = login_sn(&h, "RC-A").await;
    let r = h.get("/api/tokens/scopes", Some(&t)).await;
    assert_eq!(r.json()["source"], "platform", "{}", r.text);
    assert!(r.json()["methods"]
        .as_array()
        .expect("array")
        .iter()
        .any(|m| m == "GET /objects/:id"));
    // the platform refusing its list: the configured one, not a failure
    let h = harness_with(|c| c.token_api_methods_path = "/api/v1/methods".into()).await;
    let t = login_sn(&h, "RC-A").await;
    let r = h.get("/api/tokens/scopes", Some(&t)).await;
    assert_eq!(r.json()["source"], "configured", "{}", r.text);
}

#[tokio::test]
async fn the_token_api_down_is_502_unreachable() {
    let (h, _) = harness_with_token_api_down().await;
    let now = now_ms();
    let (_, t) = h.token_api.api.mint("pilot", now, now + 3_600_000);
    for r in [
        h.get("/api/tokens", Some(&t)).await,
        h.get("/api/tokens/scopes", Some(&t)).await,
        delete(&h, "/api/tokens/0123456789abcdef01234567", &t).await,
        h.post_json(
            "/api/tokens",
            Some(&t),
            json!({"name": "x", "expires_in": "1 day", "scopes": ["GET /tokens"]}),
        )
        .await,
    ] {
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::BAD_GATEWAY, "upstream_unreachable"),
            "{}",
            r.text
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Fail closed on identity
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn only_a_json_array_of_tokens_is_a_session() {
    let h = harness().await;
    let t = login_sn(&h, "RC-A").await;
    for (content_type, body) in [
        (
            "text/html",
            "<html><body>Welcome to the hotel Wi-Fi</body></html>",
        ),
        ("application/json", ""),
        ("application/json", "{}"),
        ("application/json", r#"{"items":[]}"#),
        ("application/json", r#"{"success":true}"#),
        ("application/json", r#"[{"name":"no id"}]"#),
        ("application/json", "null"),
    ] {
        h.token_api.faults.set(Some(Fault::Body {
            status: 200,
            content_type,
            body,
        }));
        for path in ["/api/session", "/api/pilot/bootstrap", "/api/tokens"] {
            let r = h.get(path, Some(&t)).await;
            assert_eq!(
                (r.status, r.error_code().as_str()),
                (StatusCode::BAD_GATEWAY, "upstream_error"),
                "{path} with {body:?}: {}",
                r.text
            );
        }
    }
    h.token_api.faults.set(None);
    assert_eq!(h.get("/api/session", Some(&t)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_token_the_proxy_did_not_obtain_is_refused_unless_its_signature_verifies() {
    let h = harness().await;
    let now = now_ms();
    let (_, unbound) = h.token_api.api.mint_unbound("pilot", now, now + 3_600_000);
    assert_eq!(
        on_platform(&h, "GET", "/api/v1/tokens", &unbound).await,
        200
    );
    let r = h.get("/api/session", Some(&unbound)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::UNAUTHORIZED, "token_invalid")
    );
    assert_eq!(
        renew(&h, &unbound).await.error_code(),
        "token_invalid",
        "nor renewed"
    );

    // with the platform's key configured, its verified subject names the user
    let h = harness_with(|c| c.token_jwt_hs256_secret = DEMO_JWT_SECRET.into()).await;
    let (_, unbound) = h
        .token_api
        .api
        .mint_unbound("copilot", now, now + 3_600_000);
    let r = h.get("/api/session", Some(&unbound)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["user"]["name"], "copilot");
    // ...and nowhere else: a claim the key did not sign is not trusted
    let forger =
        pilot_portal_sim::TokenApiSim::start(b"other-key", "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("sim");
    let (_, forged) = forger.api.mint_unbound("pilot", now, now + 3_600_000);
    assert_eq!(
        h.get("/api/session", Some(&forged)).await.error_code(),
        "token_invalid"
    );
    // a verified token without the subject claim: refused (no shared empty identity)
    h.token_api.api.set_behaviour(TokenApiBehaviour {
        tokens: TokenStyle::JwtMinimal,
        ..TokenApiBehaviour::default()
    });
    let (_, anonymous) = h.token_api.api.mint_unbound("pilot", now, now + 3_600_000);
    assert_eq!(
        on_platform(&h, "GET", "/api/v1/tokens", &anonymous).await,
        200
    );
    assert_eq!(
        h.get("/api/session", Some(&anonymous)).await.error_code(),
        "token_invalid"
    );
    // a configured claim name is read instead of `sub`
    let h = harness_with(|c| {
        c.token_jwt_hs256_secret = DEMO_JWT_SECRET.into();
        c.token_subject_claim = "user_name".into();
    })
    .await;
    let (_, unbound) = h.token_api.api.mint_unbound("pilot", now, now + 3_600_000);
    assert_eq!(
        h.get("/api/session", Some(&unbound)).await.error_code(),
        "token_invalid",
        "the simulator's tokens have no user_name claim"
    );
}

#[tokio::test]
async fn a_forged_token_is_refused_whatever_it_claims() {
    let h = harness().await;
    let real = login_sn(&h, "RC-A").await;
    // same claims, another key
    let forger =
        pilot_portal_sim::TokenApiSim::start(b"other-key", "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("sim");
    let now = now_ms();
    let (_, forged) = forger.api.mint_unbound("pilot", now, now + 3_600_000);
    // a real token with its signature changed
    let dot = real.rfind('.').expect("jwt") + 1;
    let first = &real[dot..=dot];
    let altered = format!(
        "{}{}{}",
        &real[..dot],
        if first == "A" { "B" } else { "A" },
        &real[dot + 1..]
    );
    for t in [forged, altered, "garbage".to_owned()] {
        for path in ["/api/session", "/api/tokens", "/api/pilot/bootstrap"] {
            let r = h.get(path, Some(&t)).await;
            assert_eq!(
                (r.status, r.error_code().as_str()),
                (StatusCode::UNAUTHORIZED, "token_invalid"),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn concurrent_renewals_of_one_token_yield_one_new_token() {
    let h = harness().await;
    let old = login_sn(&h, "RC-A").await;
    // a second instance on the same database
    let second = app(AppState::new(h.config.clone())
        .await
        .expect("second instance"));
    let request = || {
        Request::post("/api/session/renew")
            .header(header::AUTHORIZATION, format!("Bearer {old}"))
            .body(Body::empty())
            .expect("request")
    };
    let (a, b, c) = tokio::join!(
        h.call(request()),
        call_on(&second, request()),
        h.call(request())
    );
    let mut new = Vec::new();
    for r in [&a, &b, &c] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        new.push(token(&r.json()));
    }
    assert!(new.iter().all(|t| *t == new[0]), "one successor for all");
    let live = h.token_api.api.live_tokens("pilot");
    assert_eq!(live.len(), 1, "one live token: {live:?}");
    assert_eq!(
        h.get("/api/session", Some(&new[0])).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.get("/api/session", Some(&old)).await.error_code(),
        "token_revoked"
    );
    // a late retry with the old token still gets the successor, not a second one
    let r = renew(&h, &old).await;
    assert_eq!(token(&r.json()), new[0]);
    assert_eq!(h.token_api.api.live_tokens("pilot").len(), 1);
}

#[tokio::test]
async fn a_renewal_held_elsewhere_for_too_long_is_a_409_and_nothing_is_issued() {
    let h = harness().await;
    let old = login_sn(&h, "RC-A").await;
    // another instance took the lease and is stuck (its lease outlives our wait)
    let db = pilot_portal_proxy::db::Db::connect(&h.config.database_url)
        .await
        .expect("db");
    let hash = pilot_portal_proxy::identity::token_hash(&old);
    let now = now_ms();
    assert!(db
        .claim_renewal(&hash, now, now + 600_000)
        .await
        .expect("claim"));
    assert!(
        !db.claim_renewal(&hash, now, now + 600_000)
            .await
            .expect("claim"),
        "one lease"
    );
    let r = renew(&h, &old).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::CONFLICT, "renewal_in_progress"),
        "{}",
        r.text
    );
    assert_eq!(
        h.token_api.api.live_tokens("pilot").len(),
        1,
        "no second token"
    );
    assert_eq!(
        h.get("/api/session", Some(&old)).await.status,
        StatusCode::OK
    );
    // the lease given back, renewal works again
    db.release_renewal(&hash).await.expect("release");
    assert_eq!(renew(&h, &old).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_platform_429_passes_its_retry_after_on_rounded_up() {
    let h = harness().await;
    let t = login_sn(&h, "RC-A").await;
    h.token_api.api.set_behaviour(TokenApiBehaviour {
        rate_limited: Some("2.5".into()),
        ..TokenApiBehaviour::default()
    });
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username": "pilot", "password": "pilot123"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
    );
    assert_eq!(r.headers[header::RETRY_AFTER], "3");
    assert_eq!(r.json()["error"]["retry_after_secs"], 3);
    h.token_api.api.set_behaviour(TokenApiBehaviour {
        rate_limited: Some("17".into()),
        ..TokenApiBehaviour::default()
    });
    for path in ["/api/session", "/api/pilot/bootstrap"] {
        let r = h.get(path, Some(&t)).await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            "{path}: {}",
            r.text
        );
        assert_eq!(r.headers[header::RETRY_AFTER], "17");
    }
}

// ---------------------------------------------------------------------------------------------
// The switch matrix (issue 15.2): the journeys under every plausible platform
// ---------------------------------------------------------------------------------------------

/// Login on two controllers, the list, a token for another tool, revoking the other
/// controller, renewal, logout: under `behaviour`.
async fn journey(behaviour: TokenApiBehaviour) {
    let what = format!("{behaviour:?}");
    let h = harness().await;
    h.token_api.api.set_behaviour(behaviour.clone());
    let a = login_sn(&h, "RC-A").await;
    let b = login_sn(&h, "RC-B").await;
    if behaviour.tokens == TokenStyle::Opaque {
        assert!(!a.contains('.'), "{what}");
    }
    let r = h.get("/api/session", Some(&a)).await;
    assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text);
    assert_eq!(r.json()["user"]["name"], "pilot", "{what}");
    assert_eq!(h.token_api.api.live_tokens("pilot").len(), 2, "{what}");

    // the list, this controller marked, names from the platform
    let list = tokens(&h, &a).await;
    assert_eq!(named(&list, "Pilot 2 · RC-A")["current"], true, "{what}");
    let b_id = named(&list, "Pilot 2 · RC-B")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // a token for another tool: name and scopes from the proxy's own record when the
    // platform's answer leaves them out
    let r = h
        .post_json(
            "/api/tokens",
            Some(&a),
            json!({"name": "script", "expires_in": "30 days", "scopes": ["GET /tokens"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{what}: {}", r.text);
    assert_eq!(r.json()["name"], "script", "{what}");
    assert_eq!(r.json()["scopes"], json!(["GET /tokens"]), "{what}");
    let tool = token(&r.json());
    assert_eq!(
        on_platform(&h, "GET", "/api/v1/tokens", &tool).await,
        200,
        "{what}"
    );

    // revoke the other controller: it is told "revoked", whatever the error bodies say
    let r = delete(&h, &format!("/api/tokens/{b_id}"), &a).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{what}: {}", r.text);
    assert_eq!(
        h.get("/api/session", Some(&b)).await.error_code(),
        "token_revoked",
        "{what}"
    );

    // renewal: same name, old one revoked by its _id
    let r = renew(&h, &a).await;
    assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text);
    assert_eq!(r.json()["user"]["name"], "pilot", "{what}");
    let renewed = token(&r.json());
    assert_eq!(
        on_platform(&h, "GET", "/api/v1/tokens", &a).await,
        401,
        "{what}"
    );
    let names: Vec<_> = h
        .token_api
        .api
        .live_tokens("pilot")
        .into_iter()
        .filter_map(|t| t.name)
        .collect();
    assert!(
        names.contains(&"Pilot 2 · RC-A".to_owned()),
        "{what}: {names:?}"
    );
    assert_eq!(
        h.get("/api/session", Some(&a)).await.error_code(),
        "token_revoked",
        "{what}"
    );
    // a token revoked on the platform's admin page, not here: revoked (or, without the
    // error codes, inferred from the binding: issued here, not expired)
    let now = now_ms();
    let (admin_id, admin_revoked) = h.token_api.api.mint("pilot", now, now + 3_600_000);
    assert!(h.token_api.api.revoke("pilot", &admin_id));
    assert_eq!(
        h.get("/api/session", Some(&admin_revoked))
            .await
            .error_code(),
        "token_revoked",
        "{what}"
    );

    // logout revokes by _id
    let r = h
        .post_json("/api/session/logout", Some(&renewed), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{what}: {}", r.text);
    assert_eq!(
        on_platform(&h, "GET", "/api/v1/tokens", &renewed).await,
        401,
        "{what}"
    );
    // the list scope does not matter to anyone but the page: the tool's token is live
    let left = h.token_api.api.live_tokens("pilot");
    assert_eq!(left.len(), 1, "{what}: only the tool's token: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_journey_works_under_every_switch() {
    let matrix = TokenApiBehaviour::matrix();
    assert_eq!(matrix.len(), 24);
    assert!(matrix.iter().any(|b| b.list == ListScope::Caller
        && b.issue_answer == IssueAnswer::Minimal
        && b.errors == ErrorBodies::Generic
        && b.tokens == TokenStyle::Opaque));
    for behaviour in matrix {
        journey(behaviour).await;
    }
}

#[tokio::test]
async fn a_platform_whose_issue_answer_has_no_id_is_refused_naming_the_setting() {
    let h = harness().await;
    h.token_api.api.set_behaviour(TokenApiBehaviour {
        issue_answer: IssueAnswer::TokenOnly,
        ..TokenApiBehaviour::default()
    });
    let r = h
        .post_json(
            "/api/auth/login",
            None,
            json!({"username": "pilot", "password": "pilot123", "controller_sn": "RC-A"}),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_unsupported"),
        "{}",
        r.text
    );
    assert!(r.text.contains("TOKEN_ISSUE_NAMED=false"), "{}", r.text);
    // the login token did not outlive the failed login
    assert!(h
        .token_api
        .api
        .live_tokens("pilot")
        .iter()
        .all(|t| t.name.is_some()));

    // the setting it names makes login work; renewal says which setting turns it off
    let h = harness_with(|c| c.token_issue_named = false).await;
    h.token_api.api.set_behaviour(TokenApiBehaviour {
        issue_answer: IssueAnswer::TokenOnly,
        ..TokenApiBehaviour::default()
    });
    let t = login_sn(&h, "RC-A").await;
    assert_eq!(h.get("/api/session", Some(&t)).await.status, StatusCode::OK);
    let r = renew(&h, &t).await;
    assert_eq!(r.error_code(), "upstream_unsupported", "{}", r.text);
    assert!(r.text.contains("RENEW_BELOW_FRACTION=0"), "{}", r.text);
    assert_eq!(
        h.get("/api/session", Some(&t)).await.status,
        StatusCode::OK,
        "a failed renewal leaves the token usable"
    );
}
