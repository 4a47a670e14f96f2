//! The FlightHub 2 simulator answers as `upstream-apis.md` §A documents.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use pilot_portal_sim::flighthub::{FlightHubSim, DEMO_ORG_KEY, FORBIDDEN_PROJECT, MAIN_PROJECT};
use serde_json::Value;
use tower::ServiceExt;

async fn get(path: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = FlightHubSim::demo()
        .router()
        .oneshot(req.body(Body::empty()).expect("req"))
        .await
        .expect("infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

const KEY: (&str, &str) = ("X-User-Token", DEMO_ORG_KEY);
const RID: (&str, &str) = ("X-Request-Id", "0b7a4e36-8b1f-4c0e-9d2a-3f5e6a7b8c9d");

#[tokio::test]
async fn key_failures_are_http_200_with_code_200401() {
    let (status, v) = get("/openapi/v0.1/system_status", &[RID]).await;
    assert_eq!((status, v["code"].as_i64()), (StatusCode::OK, Some(200401)));
    assert_eq!(v["message"], "X-User-Token not found or empty");
    let (status, v) = get("/openapi/v0.1/project", &[("X-User-Token", "other"), RID]).await;
    assert_eq!((status, v["code"].as_i64()), (StatusCode::OK, Some(200401)));
}

#[tokio::test]
async fn request_id_is_required() {
    let (_, v) = get("/openapi/v0.1/system_status", &[KEY]).await;
    assert_eq!(v["code"], 200400);
    let (_, v) = get("/openapi/v0.1/system_status", &[KEY, RID]).await;
    assert_eq!(v["code"], 0);
}

#[tokio::test]
async fn project_routes_need_the_project_and_permission_on_it() {
    let (_, v) = get("/openapi/v0.1/project/device", &[KEY, RID]).await;
    assert_eq!(v["code"], 200400, "X-Project-Uuid required");
    let (_, v) = get(
        "/openapi/v0.1/project/device",
        &[KEY, RID, ("X-Project-Uuid", FORBIDDEN_PROJECT)],
    )
    .await;
    assert_eq!(
        (v["code"].as_i64(), v["message"].as_str()),
        (Some(200403), Some("No permission for the project"))
    );
    let (_, v) = get(
        "/openapi/v0.1/project/device",
        &[KEY, RID, ("X-Project-Uuid", MAIN_PROJECT)],
    )
    .await;
    assert_eq!(v["code"], 0);
    assert_eq!(v["data"]["list"][0]["gateway"]["sn"], "5YSZL260021E9W");
    assert_eq!(
        v["data"]["list"][0]["gateway"]["device_model"]["name"],
        "DJI RC Plus 2"
    );
}

#[tokio::test]
async fn pages_and_null_lists() {
    let (_, v) = get("/openapi/v0.1/project?page=1&page_size=5", &[KEY, RID]).await;
    assert_eq!(v["data"]["list"].as_array().map(Vec::len), Some(5));
    assert!(
        v["data"]["list"][0]["uuid"].is_string()
            && v["data"]["list"][0]["introduction"].is_string()
    );
    let (_, v) = get("/openapi/v0.1/project?page=9&page_size=5", &[KEY, RID]).await;
    assert!(v["data"]["list"].is_null(), "an empty page is list: null");
}
