//! FlightHub 2 through the proxy, against the FlightHub simulator: every mapping, the headers
//! the proxy adds, session required, UUID validation.

mod common;

use axum::http::{header, StatusCode};
use common::*;
use pilot_portal_sim::faults::Fault;
use pilot_portal_sim::flighthub::{DEMO_ORG_KEY, FORBIDDEN_PROJECT, MAIN_PROJECT};

#[tokio::test]
async fn every_route_needs_a_platform_session() {
    let h = harness().await;
    let project_devices = format!("/api/flighthub/projects/{MAIN_PROJECT}/devices");
    for path in [
        "/api/flighthub/status",
        "/api/flighthub/projects",
        "/api/flighthub/devices",
        project_devices.as_str(),
    ] {
        assert_eq!(
            h.get(path, None).await.error_code(),
            "token_missing",
            "{path}"
        );
        let now = now_ms();
        let (_, expired) = h.token_api.api.mint("pilot", now - 7_200_000, now - 1);
        assert_eq!(
            h.get(path, Some(&expired)).await.error_code(),
            "token_expired",
            "{path}"
        );
    }
}

#[tokio::test]
async fn status_projects_with_paging_and_device_counts() {
    let h = harness().await;
    let token = h.login().await;
    let r = h.get("/api/flighthub/status", Some(&token)).await;
    assert_eq!(
        (r.status, r.json()["ok"].as_bool()),
        (StatusCode::OK, Some(true))
    );

    let r = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let projects = r.json().as_array().expect("list").clone();
    assert_eq!(
        projects.len(),
        12,
        "all pages of 5 read, the last one short"
    );
    let main = projects
        .iter()
        .find(|p| p["uuid"] == MAIN_PROJECT)
        .expect("main project");
    assert_eq!(main["name"], "Shenzhen Bay Bridge Inspection");
    assert_eq!(
        main["device_count"], 6,
        "gateways and aircraft, as the list shows them"
    );
    let empty = projects
        .iter()
        .find(|p| p["name"] == "Forest Fire Watch")
        .expect("project");
    assert_eq!(empty["device_count"], 0, "list: null is an empty list");
    let forbidden = projects
        .iter()
        .find(|p| p["uuid"] == FORBIDDEN_PROJECT)
        .expect("project");
    assert!(
        forbidden["device_count"].is_null(),
        "no permission: count unknown"
    );
    assert!(
        !r.text.contains(DEMO_ORG_KEY),
        "the key never reaches the client"
    );
}

#[tokio::test]
async fn devices_of_a_project_and_of_the_organization() {
    let h = harness().await;
    let token = h.login().await;
    let r = h
        .get(
            &format!("/api/flighthub/projects/{MAIN_PROJECT}/devices"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.json().as_array().expect("list").clone();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["gateway"]["sn"], "5YSZL260021E9W");
    assert_eq!(list[0]["gateway"]["model"], "DJI RC Plus 2");
    assert_eq!(list[0]["drone"]["model"], "Matrice 3D");
    assert_eq!(list[0]["drone"]["online"], true);
    let org = h.get("/api/flighthub/devices", Some(&token)).await;
    assert_eq!(org.json().as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn project_uuid_is_validated_before_any_upstream_call() {
    let h = harness().await;
    let token = h.login().await;
    let r = h
        .get("/api/flighthub/projects/not-a-uuid/devices", Some(&token))
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
}

#[tokio::test]
async fn no_permission_on_a_project_is_403() {
    let h = harness().await;
    let token = h.login().await;
    let r = h
        .get(
            &format!("/api/flighthub/projects/{FORBIDDEN_PROJECT}/devices"),
            Some(&token),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "flighthub_forbidden")
    );
}

#[tokio::test]
async fn a_wrong_organization_key_is_an_operator_error() {
    let h = harness_with(|c| c.flighthub_org_key = "revoked-key".into()).await;
    let token = h.login().await;
    let r = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "flighthub_key_invalid")
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("administrator"));
    assert!(!r.text.contains("revoked-key"));
}

#[tokio::test]
async fn rate_limits_become_429_with_retry_after() {
    let h = harness().await;
    let token = h.login().await;
    h.flighthub.faults.set(Some(Fault::Envelope {
        status: 200,
        code: 210429,
    }));
    let r = h.get("/api/flighthub/status", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    h.flighthub.faults.set(Some(Fault::Envelope {
        status: 429,
        code: 429,
    }));
    let r = h.get("/api/flighthub/status", Some(&token)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn other_codes_are_502_carrying_the_upstream_code() {
    let h = harness().await;
    let token = h.login().await;
    h.flighthub.faults.set(Some(Fault::Envelope {
        status: 200,
        code: 210500,
    }));
    let r = h.get("/api/flighthub/devices", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    assert_eq!(r.json()["error"]["upstream_code"], 210500);
    h.flighthub.faults.set(Some(Fault::ServerError));
    let r = h.get("/api/flighthub/devices", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
}

#[tokio::test]
async fn flighthub_down_then_back() {
    let h = harness().await;
    let token = h.login().await;
    h.flighthub
        .faults
        .set(Some(Fault::Delay(std::time::Duration::from_secs(3))));
    let r = h.get("/api/flighthub/status", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout")
    );
    h.flighthub.faults.set(None);
    assert_eq!(
        h.get("/api/flighthub/status", Some(&token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn not_configured_is_said_so() {
    let h = harness_with(|c| c.flighthub_org_key.clear()).await;
    let token = h.login().await;
    let r = h.get("/api/flighthub/status", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "flighthub_not_configured")
    );
}

#[tokio::test]
async fn the_proxy_adds_a_fresh_request_id_the_language_and_the_project_only_where_needed() {
    let h = harness().await;
    let token = h.login().await;
    let req = axum::http::Request::get(format!("/api/flighthub/projects/{MAIN_PROJECT}/devices"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")
        .body(axum::body::Body::empty())
        .expect("request");
    assert_eq!(h.call(req).await.status, StatusCode::OK);
    h.get("/api/flighthub/status", Some(&token)).await;
    let seen = h.flighthub.sim.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].project.as_deref(), Some(MAIN_PROJECT));
    assert_eq!(seen[0].language.as_deref(), Some("zh"));
    assert_eq!(
        seen[1].project, None,
        "no X-Project-Uuid on organization routes"
    );
    assert_eq!(seen[1].language.as_deref(), Some("en"));
    assert_ne!(seen[0].request_id, seen[1].request_id);
    for s in &seen {
        assert!(uuid_like(&s.request_id), "{}", s.request_id);
    }
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}
