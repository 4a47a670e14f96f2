//! `/api/pilot/*`: the one-round-trip bootstrap and the remembered workspace.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_sim::flighthub::{FORBIDDEN_PROJECT, MAIN_PROJECT};
use serde_json::json;

fn with_mqtt(c: &mut pilot_portal_proxy::config::Config) {
    c.mqtt_broker = "ws://127.0.0.1:18083/mqtt".into();
    c.mqtt_credentials = vec![
        "pilot=mqtt-pilot:pilot-mqtt-pw".into(),
        "other=mqtt-other:other-mqtt-pw".into(),
    ];
}

async fn put_workspace(h: &Harness, token: &str, uuid: &str) -> Reply {
    let req = Request::put("/api/pilot/workspace")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "uuid": uuid }).to_string()))
        .expect("request");
    h.call(req).await
}

#[tokio::test]
async fn bootstrap_carries_session_thing_params_and_only_this_pilots_password() {
    let h = harness_with(with_mqtt).await;
    assert_eq!(
        h.get("/api/pilot/bootstrap", None).await.error_code(),
        "token_missing"
    );
    let token = h.login().await;
    let r = h.get("/api/pilot/bootstrap", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = r.json();
    assert_eq!(b["session"]["user"]["name"], "pilot");
    assert_eq!(b["platform_name"], "Pilot Portal");
    assert_eq!(
        b["thing"],
        json!({"host": "ws://127.0.0.1:18083/mqtt", "username": "mqtt-pilot", "password": "pilot-mqtt-pw"})
    );
    assert!(b["workspace"].is_null());
    assert!(
        !r.text.contains("other-mqtt-pw"),
        "never another user's MQTT password"
    );
}

#[tokio::test]
async fn bootstrap_without_a_broker_has_no_thing_params() {
    let h = harness().await;
    let token = h.login().await;
    assert!(h.get("/api/pilot/bootstrap", Some(&token)).await.json()["thing"].is_null());
}

#[tokio::test]
async fn the_chosen_workspace_is_checked_remembered_and_forgotten() {
    let h = harness_with(with_mqtt).await;
    let token = h.login().await;
    let r = put_workspace(&h, &token, "not-a-uuid").await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let r = put_workspace(&h, &token, "00000000-0000-4000-8000-000000000000").await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let r = put_workspace(&h, &token, FORBIDDEN_PROJECT).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "flighthub_forbidden")
    );

    let r = put_workspace(&h, &token, MAIN_PROJECT).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["name"], "Shenzhen Bay Bridge Inspection");
    let b = h.get("/api/pilot/bootstrap", Some(&token)).await.json();
    assert_eq!(b["workspace"]["uuid"], MAIN_PROJECT);
    assert_eq!(
        b["workspace"]["introduction"],
        "Monthly cable and deck inspection"
    );

    let del = Request::delete("/api/pilot/workspace")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(h.call(del).await.status, StatusCode::NO_CONTENT);
    assert!(h.get("/api/pilot/bootstrap", Some(&token)).await.json()["workspace"].is_null());
}

#[tokio::test]
async fn without_flighthub_the_bootstrap_carries_the_configured_default_workspace() {
    const DEFAULT: &str = "3f6f3b8e-5a4c-4f57-9d0e-1b2c3d4e5f60";
    let h = harness_with(|c| {
        c.flighthub_org_key.clear();
        c.default_workspace_id = DEFAULT.into();
        c.default_workspace_name = "Field team".into();
    })
    .await;
    let token = h.login().await;
    let b = h.get("/api/pilot/bootstrap", Some(&token)).await.json();
    assert_eq!(b["workspaces_enabled"], false);
    assert_eq!(b["workspace"]["uuid"], DEFAULT);
    assert_eq!(b["workspace"]["name"], "Field team");
}

#[test]
fn a_default_workspace_that_is_not_a_uuid_stops_the_proxy_at_start() {
    let bad = pilot_portal_proxy::config::Config::from_env_pairs([(
        "DEFAULT_WORKSPACE_ID",
        "field-team".to_owned(),
    )]);
    let message = bad.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("not a UUID"), "{message}");
}
