//! Support reports (issue 11) through the routes: stored and read back (admin route and the
//! `report` subcommand), the id a pilot reads out, the size cap above `MAX_BODY_BYTES`, the
//! hourly limits per address and in all (refused reports counted), and every kind of secret
//! redacted before it is stored, with the same answer as for a report without one.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::db::tokens::{NewBinding, Purpose};
use serde_json::json;

const ADMIN: &str = "support-admin-token-for-tests";

fn report_request(report: &str, from: &str) -> Request<Body> {
    Request::post("/api/support/reports")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", from)
        .body(Body::from(json!({ "report": report }).to_string()))
        .expect("request")
}

async fn send(h: &Harness, report: &str) -> Reply {
    h.call(report_request(report, "203.0.113.7")).await
}

async fn read(h: &Harness, id: &str, admin: Option<&str>) -> Reply {
    let mut req = Request::get(format!("/api/support/reports/{id}"));
    if let Some(token) = admin {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    h.call(req.body(Body::empty()).expect("request")).await
}

/// Sends `report` and reads back what was stored (the harness has [`ADMIN`]).
async fn stored_text(h: &Harness, report: &str) -> String {
    let r = send(h, report).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    let back = read(h, &id, Some(ADMIN)).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    back.json()["report"].as_str().expect("report").to_owned()
}

async fn stored(h: &Harness) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&h.config.database_url)
        .await
        .expect("db");
    sqlx::query_scalar("SELECT COUNT(*) FROM support_reports")
        .fetch_one(&pool)
        .await
        .expect("count")
}

fn is_report_id(id: &str) -> bool {
    let alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
    id.len() == 9
        && id.as_bytes()[4] == b'-'
        && id
            .chars()
            .enumerate()
            .all(|(i, c)| i == 4 || alphabet.contains(c))
}

async fn reports_harness() -> Harness {
    harness_with(|c| {
        c.trust_forwarded_for = true;
        c.support_admin_token = ADMIN.into();
    })
    .await
}

/// What the diagnostics page sends: redacted values and all.
const REPORT: &str = "Pilot Portal diagnostics report\n\
    Build: 0.1.0+3f2a9c0d.91be07aa\n\
    djiBridge: present\n\
    Bridge calls (last 50, oldest first):\n\
    2026-12-05 10:14:01 UTC  platformVerifyLicense(\"125034\", \"«redacted»\", \"«redacted …6789»\") → {\"code\":0}\n\
    2026-12-05 10:14:02 UTC  apiSetToken(\"«redacted …x9Qz»\") → {\"code\":0}\n\
    Proxy calls (last 50, oldest first):\n\
    2026-12-05 10:14:02 UTC  GET /api/pilot/bootstrap → 200 in 35 ms\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_report_is_stored_under_a_short_id_and_read_back_by_the_operator() {
    let h = reports_harness().await;
    let r = send(&h, REPORT).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    assert!(is_report_id(&id), "{id}");
    let created_at = r.json()["created_at"].as_i64().expect("created_at");
    assert!((now_ms() - created_at).abs() < 60_000);
    // no session was needed, and the answer is not cached on the way
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");

    // the admin route, with the id as a pilot reads it out (lower case, no dash)
    let spoken = id.replace('-', " ").to_lowercase();
    let back = read(&h, &spoken.replace(' ', ""), Some(ADMIN)).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    let body = back.json();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["report"], REPORT);
    assert_eq!(body["client_addr"], "203.0.113.7");
    assert_eq!(body["created_at"], created_at);

    // the subcommand, from the same database
    let printed = pilot_portal_proxy::support::operator_report(&h.config, Some(&spoken), 20)
        .await
        .expect("report");
    assert!(
        printed.starts_with(&format!("support report {id}\nreceived ")),
        "{printed}"
    );
    assert!(printed.contains(" UTC from 203.0.113.7\n"), "{printed}");
    assert!(
        printed.contains("GET /api/pilot/bootstrap → 200 in 35 ms"),
        "{printed}"
    );
    let list = pilot_portal_proxy::support::operator_report(&h.config, None, 20)
        .await
        .expect("list");
    assert!(list.starts_with(&id), "{list}");
    let missing = pilot_portal_proxy::support::operator_report(&h.config, Some("2222-2222"), 20)
        .await
        .expect_err("no such report");
    assert!(
        missing.to_string().contains("no support report 2222-2222"),
        "{missing}"
    );
    assert!(
        pilot_portal_proxy::support::operator_report(&h.config, Some("../etc"), 20)
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_route_needs_the_admin_token_and_is_absent_without_one() {
    let h = reports_harness().await;
    let id = send(&h, REPORT).await.json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(read(&h, &id, None).await.error_code(), "token_missing");
    let wrong = read(&h, &id, Some("support-admin-token-for-test")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text);
    assert_eq!(wrong.error_code(), "forbidden");
    assert_eq!(
        read(&h, "2222-2222", Some(ADMIN)).await.error_code(),
        "not_found"
    );
    assert_eq!(
        read(&h, "nope", Some(ADMIN)).await.error_code(),
        "bad_request"
    );

    let off = harness_with(|_| {}).await;
    let r = read(&off, &id, Some("")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = read(&off, &id, Some(ADMIN)).await;
    assert_eq!(r.error_code(), "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_may_exceed_the_usual_body_cap_up_to_its_own() {
    let h = harness_with(|c| {
        c.max_body_bytes = 16 * 1024;
        c.support_report_max_bytes = 64 * 1024;
    })
    .await;
    let large = format!("{REPORT}{}", "x".repeat(40 * 1024));
    let r = send(&h, &large).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let too_large = format!("{REPORT}{}", "x".repeat(64 * 1024));
    let r = send(&h, &too_large).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert_eq!(r.error_code(), "payload_too_large");
    // other routes keep MAX_BODY_BYTES
    let login = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": "x".repeat(20 * 1024), "password": "y"}).to_string(),
        ))
        .expect("request");
    assert_eq!(h.call(login).await.error_code(), "payload_too_large");
    // empty, or not JSON
    assert_eq!(send(&h, "  \n").await.error_code(), "bad_request");
    let form = Request::post("/api/support/reports")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("report"))
        .expect("request");
    assert_eq!(h.call(form).await.error_code(), "bad_request");
    assert_eq!(stored(&h).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_are_limited_per_address_and_in_all_refused_ones_counted() {
    let h = harness_with(|c| {
        c.trust_forwarded_for = true;
        c.support_reports_per_address = 3;
        c.support_reports_per_hour = 5;
    })
    .await;
    let from = |address: &str, report: &str| report_request(report, address);
    assert_eq!(
        h.call(from("203.0.113.7", REPORT)).await.status,
        StatusCode::CREATED
    );
    // a report with a secret (stored redacted) counts like any other
    let redacted = h
        .call(from(
            "203.0.113.7",
            "Authorization: Bearer abcdefgh12345678",
        ))
        .await;
    assert_eq!(redacted.status, StatusCode::CREATED, "{}", redacted.text);
    assert_eq!(
        h.call(from("203.0.113.7", REPORT)).await.status,
        StatusCode::CREATED
    );
    let r = h.call(from("203.0.113.7", REPORT)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.error_code(), "rate_limited");
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .expect("retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=3960).contains(&retry), "{retry}");
    assert_eq!(r.json()["error"]["retry_after_secs"], retry);

    // other controllers are not held up by this one (its refused fourth attempt is not
    // counted in all), until everyone's hour is used up
    assert_eq!(
        h.call(from("203.0.113.8", REPORT)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        h.call(from("203.0.113.9", REPORT)).await.status,
        StatusCode::CREATED
    );
    let r = h.call(from("203.0.113.10", REPORT)).await;
    assert_eq!(
        r.error_code(),
        "rate_limited",
        "the sixth attempt in all: {}",
        r.text
    );
    assert_eq!(stored(&h).await, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_in_a_report_are_redacted_before_it_is_stored() {
    let h = harness_with(|c| {
        c.support_reports_per_address = 100;
        c.support_reports_per_hour = 100;
        c.support_admin_token = ADMIN.into();
    })
    .await;
    let token = h.login().await;
    // an opaque token this proxy obtained (bound in the database) is recognised by its hash
    let opaque = "ric_0123456789abcdef0123456789abcdef0123456789abcdef";
    pilot_portal_proxy::db::Db::connect(&h.config.database_url)
        .await
        .expect("db")
        .bind_token(
            &NewBinding {
                token_hash: &pilot_portal_proxy::identity::token_hash(opaque),
                token_id: "0123456789abcdef01234567",
                user: "pilot",
                name: "Pilot 2 · test",
                controller_sn: None,
                issued_at: now_ms(),
                expires_at: now_ms() + 3_600_000,
                purpose: Purpose::Session,
            },
            now_ms(),
        )
        .await
        .expect("bind");
    let secrets: Vec<(&str, String)> = vec![
        (
            "the pilot's platform token (a JWT)",
            format!("apiSetToken(\"{token}\")"),
        ),
        (
            "a JWT-shaped string",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.".into(),
        ),
        (
            "a Bearer credential",
            "Authorization: Bearer 0123456789abcdef".into(),
        ),
        (
            "a bearer in lower case",
            "authorization: bearer 0123456789abcdef".into(),
        ),
        ("an opaque platform token", format!("data: {opaque}")),
        (
            "the FlightHub 2 key",
            format!("key={}", h.config.flighthub_org_key),
        ),
        (
            "the XAG app secret",
            format!("s {} s", h.config.xag_app_secret),
        ),
        (
            "the XAG component token",
            h.config.xag_component_access_token.clone(),
        ),
        ("the DJI app key", format!("\"{}\"", h.config.dji_app_key)),
        ("the DJI license", h.config.dji_license.clone()),
        ("the storage key", h.config.storage_key.clone()),
    ];
    for (what, secret) in &secrets {
        assert!(
            !secret.trim().is_empty(),
            "{what} is configured in the demo"
        );
        let kept = stored_text(&h, &format!("{REPORT}{secret}\n")).await;
        assert!(
            !kept.contains(secret.as_str()),
            "{what} is not kept: {kept}"
        );
        assert!(kept.starts_with(REPORT), "the rest is kept as sent: {kept}");
        assert!(kept.contains("«redacted»"), "{what}: {kept}");
    }
    assert_eq!(stored(&h).await, i64::try_from(secrets.len()).expect("few"));

    // the answer does not tell a guesser whether a list of guesses held a secret
    let guesses: String = (0..2000).map(|i| format!("guess-{i:08} ")).collect();
    let without = send(&h, &guesses).await;
    let with = send(&h, &format!("{guesses}{}", h.config.xag_app_secret)).await;
    assert_eq!(without.status, StatusCode::CREATED, "{}", without.text);
    assert_eq!(with.status, without.status, "{}", with.text);
    let keys = |r: &Reply| {
        let mut keys: Vec<String> = r
            .json()
            .as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&with), keys(&without));

    // MQTT passwords (a proxy configured with them)
    let m = harness_with(|c| {
        c.mqtt_credentials = vec![
            "pilot=mqtt-pilot:mqtt-pilot-secret".into(),
            "copilot=mqtt-copilot:copilot-mqtt-password".into(),
        ];
        c.device_mqtt_password = "platform-mqtt-password".into();
        c.support_admin_token = ADMIN.into();
    })
    .await;
    for secret in [
        "mqtt-pilot-secret",
        "copilot-mqtt-password",
        "platform-mqtt-password",
    ] {
        let kept = stored_text(&m, &format!("password {secret}")).await;
        assert_eq!(kept, "password «redacted»", "{secret}");
    }
    // what the page keeps instead is fine
    let r = send(
        &m,
        "thing: {\"username\":\"mqtt-pilot\",\"password\":\"«redacted»\"}",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
