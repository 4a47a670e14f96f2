//! FlightHub 2 through the proxy when FlightHub 2 disagrees with the third-party notes the
//! proxy was written from (`upstream-apis.md` §A.4, §A.6): other error codes, empty lists as
//! `[]` or absent, paging ignored, rate limits on a burst. And the per-pilot project
//! allow-list (`FLIGHTHUB_PROJECT_ACCESS`).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::config::Codes;
use pilot_portal_proxy::{app, AppState};
use pilot_portal_sim::flighthub::behaviour::{
    EmptyList, FlightHubBehaviour, LimitStyle, RateLimit,
};
use pilot_portal_sim::flighthub::{FORBIDDEN_PROJECT, MAIN_PROJECT};
use serde_json::json;
use std::time::Duration;

/// A permitted demo project other than the main one.
const OTHER_PROJECT: &str = "a1c4e7b0-2d5f-4a8c-b3e6-9f0a1d2c3b4e";

async fn put_workspace(h: &Harness, token: &str, uuid: &str) -> Reply {
    let req = Request::put("/api/pilot/workspace")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "uuid": uuid }).to_string()))
        .expect("request");
    h.call(req).await
}

fn uuids(r: &Reply) -> Vec<String> {
    r.json()
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|p| p["uuid"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn unknown_codes_are_passed_on_and_configured_codes_are_understood() {
    let other_codes = FlightHubBehaviour {
        key_invalid_code: 401_001,
        forbidden_code: 403_001,
        ..FlightHubBehaviour::default()
    };
    // with the notes' codes configured, FlightHub's other codes reach the page as they are
    let h = harness_with(|c| c.flighthub_org_key = "revoked-key".into()).await;
    h.flighthub.sim.behaviour().set(other_codes);
    let token = h.login().await;
    let r = h.get("/api/flighthub/status", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_GATEWAY, "upstream_error")
    );
    assert_eq!(r.json()["error"]["upstream_code"], 401_001);

    // configured, they map as the notes' codes did
    let h = harness_with(|c| {
        c.flighthub_org_key = "revoked-key".into();
        c.flighthub_key_invalid_codes = Codes(vec![401_001]);
    })
    .await;
    h.flighthub.sim.behaviour().set(other_codes);
    let token = h.login().await;
    let r = h.get("/api/flighthub/status", Some(&token)).await;
    assert_eq!(r.error_code(), "flighthub_key_invalid");

    let h = harness_with(|c| c.flighthub_forbidden_codes = Codes(vec![403_001])).await;
    h.flighthub.sim.behaviour().set(other_codes);
    let token = h.login().await;
    let path = format!("/api/flighthub/projects/{FORBIDDEN_PROJECT}/devices");
    let r = h.get(&path, Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "flighthub_forbidden")
    );
    // the project list still counts what it may, leaving the forbidden one unknown
    let r = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // HTTP 401 is an invalid key whatever the code
    let h = harness_with(|c| c.flighthub_org_key = "revoked-key".into()).await;
    h.flighthub.sim.behaviour().set(FlightHubBehaviour {
        key_invalid_status: 401,
        key_invalid_code: 999,
        ..FlightHubBehaviour::default()
    });
    let token = h.login().await;
    let r = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(r.error_code(), "flighthub_key_invalid");
}

#[tokio::test]
async fn empty_lists_as_null_empty_or_absent_are_all_empty() {
    for empty_list in [EmptyList::Null, EmptyList::Array, EmptyList::Missing] {
        let h = harness().await;
        h.flighthub.sim.behaviour().set(FlightHubBehaviour {
            empty_list,
            ..FlightHubBehaviour::default()
        });
        let token = h.login().await;
        let r = h.get("/api/flighthub/projects", Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{empty_list:?}: {}", r.text);
        let projects = r.json().as_array().cloned().unwrap_or_default();
        assert_eq!(projects.len(), 12, "{empty_list:?}");
        let empty = projects
            .iter()
            .find(|p| p["name"] == "Forest Fire Watch")
            .expect("project");
        assert_eq!(empty["device_count"], 0, "{empty_list:?}");
    }
}

#[tokio::test]
async fn a_project_list_that_ignores_paging_is_read_once() {
    let h = harness().await;
    h.flighthub.sim.behaviour().set(FlightHubBehaviour {
        paging: false,
        ..FlightHubBehaviour::default()
    });
    let token = h.login().await;
    let r = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = uuids(&r);
    assert_eq!(list.len(), 12, "no project twice");
    let pages = h
        .flighthub
        .sim
        .seen()
        .iter()
        .filter(|s| s.project.is_none())
        .count();
    assert_eq!(pages, 2, "page 2 repeats page 1, so reading stops there");
}

#[tokio::test]
async fn a_burst_is_bounded_and_a_rate_limit_is_waited_out_without_asking() {
    for style in [
        LimitStyle::Code(210_429),
        LimitStyle::Http429(210_429),
        LimitStyle::Http429(429),
    ] {
        let h = harness().await;
        h.flighthub.sim.behaviour().set(FlightHubBehaviour {
            rate_limit: Some(RateLimit {
                burst: 6,
                window: Duration::from_secs(60),
                style,
                retry_after_secs: 7,
            }),
            ..FlightHubBehaviour::default()
        });
        let token = h.login().await;
        // three pages and twelve device counts: the counts past the limit are left unknown,
        // the list itself answers
        let r = h.get("/api/flighthub/projects", Some(&token)).await;
        assert_eq!(r.status, StatusCode::OK, "{style:?}: {}", r.text);
        let projects = r.json().as_array().cloned().unwrap_or_default();
        assert_eq!(projects.len(), 12, "{style:?}");
        assert!(
            projects.iter().any(|p| p["device_count"].is_null()),
            "{style:?}: some counts unknown"
        );
        let asked = h.flighthub.sim.seen().len();
        assert!(
            asked <= 6,
            "{style:?}: FlightHub 2 saw {asked} accepted calls"
        );
        // the limit is waited out: the next call is answered without asking FlightHub 2
        let r = h
            .get(
                &format!("/api/flighthub/projects/{MAIN_PROJECT}/devices"),
                Some(&token),
            )
            .await;
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            "{style:?}"
        );
        let wait = r.json()["error"]["retry_after_secs"].as_u64().unwrap_or(0);
        assert!((1..=7).contains(&wait), "{style:?}: {wait}");
        assert!(r.headers.contains_key(header::RETRY_AFTER));
    }
}

#[tokio::test]
async fn a_rate_limit_on_the_list_itself_is_429() {
    let h = harness().await;
    h.flighthub.sim.behaviour().set(FlightHubBehaviour {
        rate_limit: Some(RateLimit {
            burst: 1,
            window: Duration::from_secs(60),
            style: LimitStyle::Code(210_429),
            retry_after_secs: 3,
        }),
        ..FlightHubBehaviour::default()
    });
    let token = h.login().await;
    let r = h.get("/api/flighthub/projects", Some(&token)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert_eq!(r.json()["error"]["retry_after_secs"], 3);
}

#[tokio::test]
async fn by_default_every_pilot_sees_every_project() {
    let h = harness().await;
    assert!(h
        .config
        .flighthub_project_access
        .iter()
        .all(|r| r.is_empty()));
    for (user, password) in [("pilot", "pilot123"), ("copilot", "copilot123")] {
        let token = h.login_with(user, password).await;
        let r = h.get("/api/flighthub/projects", Some(&token)).await;
        assert_eq!(uuids(&r).len(), 12, "{user}");
    }
}

#[tokio::test]
async fn the_allow_list_limits_the_list_the_choice_and_the_devices() {
    let rules = vec![
        format!("pilot={MAIN_PROJECT}|{FORBIDDEN_PROJECT}"),
        format!("co*={OTHER_PROJECT}"),
    ];
    let h = harness_with(|c| c.flighthub_project_access = rules).await;
    let pilot = h.login().await;
    let copilot = h.login_with("copilot", "copilot123").await;

    let r = h.get("/api/flighthub/projects", Some(&pilot)).await;
    let mut seen = uuids(&r);
    seen.sort();
    let mut expected = vec![MAIN_PROJECT.to_owned(), FORBIDDEN_PROJECT.to_owned()];
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(
        uuids(&h.get("/api/flighthub/projects", Some(&copilot)).await),
        vec![OTHER_PROJECT.to_owned()],
        "a prefix rule"
    );

    // choosing a project not given: 403 before FlightHub 2 is asked
    let asked = h.flighthub.sim.seen().len();
    let r = put_workspace(&h, &copilot, MAIN_PROJECT).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "workspace_forbidden")
    );
    assert_eq!(h.flighthub.sim.seen().len(), asked, "FlightHub 2 not asked");
    let r = h
        .get(
            &format!("/api/flighthub/projects/{MAIN_PROJECT}/devices"),
            Some(&copilot),
        )
        .await;
    assert_eq!(r.error_code(), "workspace_forbidden");
    assert_eq!(
        h.get("/api/flighthub/devices", Some(&copilot))
            .await
            .error_code(),
        "workspace_forbidden",
        "the whole organization's devices only for a pilot given every project"
    );
    // a project given is chosen as before
    let r = put_workspace(&h, &copilot, OTHER_PROJECT).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = put_workspace(&h, &pilot, MAIN_PROJECT).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // the rules change (a restart): a remembered project no longer given is forgotten
    let mut config = h.config.clone();
    config.flighthub_project_access = vec![format!("pilot={FORBIDDEN_PROJECT}")];
    let restarted = app(AppState::new(config).await.expect("state"));
    let req = Request::get("/api/pilot/bootstrap")
        .header(header::AUTHORIZATION, format!("Bearer {pilot}"))
        .body(Body::empty())
        .expect("request");
    let r = call_on(&restarted, req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json()["workspace"].is_null(), "{}", r.text);
}

#[tokio::test]
async fn rules_from_a_file_and_every_project_for_a_star() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("projects.conf");
    std::fs::write(
        &file,
        format!("# the bridge team\npilot = {MAIN_PROJECT}\ncopilot = *\n"),
    )
    .expect("write");
    let path = file.display().to_string();
    let h = harness_with(|c| c.flighthub_project_access_file = path).await;
    let pilot = h.login().await;
    let copilot = h.login_with("copilot", "copilot123").await;
    assert_eq!(
        uuids(&h.get("/api/flighthub/projects", Some(&pilot)).await),
        vec![MAIN_PROJECT.to_owned()]
    );
    assert_eq!(
        uuids(&h.get("/api/flighthub/projects", Some(&copilot)).await).len(),
        12
    );
    assert_eq!(
        h.get("/api/flighthub/devices", Some(&copilot)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_mistaken_rule_stops_the_proxy_naming_the_setting() {
    let h = harness().await;
    let mut config = h.config.clone();
    config.flighthub_project_access = vec!["pilot=not-a-uuid".into()];
    let e = AppState::new(config).await.err().expect("refused");
    assert!(
        e.to_string().starts_with("FLIGHTHUB_PROJECT_ACCESS:"),
        "{e}"
    );
    let mut config = h.config.clone();
    config.flighthub_project_access_file = "/nonexistent/projects.conf".into();
    let e = AppState::new(config).await.err().expect("refused");
    assert!(
        e.to_string().starts_with("FLIGHTHUB_PROJECT_ACCESS_FILE:"),
        "{e}"
    );
}
