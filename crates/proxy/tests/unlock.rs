//! `/api/unlock/*` end to end through the proxy's routes: the real broker, the simulated
//! gateway (`DemoOptions::gateway`, connected with the pilot's MQTT account as Pilot 2 is), the
//! FlightHub 2 simulator deciding whose gateway it is, the audit in the proxy's database and the
//! license file URL the gateway downloads from the proxy's real listener.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::db::unlock::AuditRow;
use pilot_portal_proxy::db::Db;
use pilot_portal_proxy::license_files::md5_hex;
use pilot_portal_shared::unlock::{UnlockLicensesResponse, UnlockSwitchResponse};
use pilot_portal_sim::demo::{
    DemoOptions, DEMO_LICENSE_FILE, DEMO_LICENSE_FILE_NAME, DEMO_PILOTS,
    DEMO_PLATFORM_MQTT_PASSWORD, DEMO_PLATFORM_MQTT_USERNAME,
};
use pilot_portal_sim::flighthub::MAIN_PROJECT;
use pilot_portal_sim::gateway::{codes, GatewayBehaviour, SimGateway, DEMO_GATEWAY_SN};
use pilot_portal_testkit::StackOptions;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};

const SN: &str = DEMO_GATEWAY_SN;
/// In the pilot's workspace, never connected.
const OTHER_RC_IN_WORKSPACE: &str = "5YSZL260021F1K";
/// A dock of another project.
const OTHER_PROJECT_DOCK: &str = "8UUXN4P00A0XYZ";
const OTHER_PROJECT: &str = "a1c4e7b0-2d5f-4a8c-b3e6-9f0a1d2c3b4e";
const ALTITUDE_LICENSE: i64 = 240333;
const ADMIN_TOKEN: &str = "admin-token-for-the-tests";

/// The stack with the broker and the simulated gateway; the proxy answers a silent gateway
/// after 2 s unless `tweak` says otherwise.
async fn unlock_stack(tweak: impl FnOnce(&mut Config)) -> Harness {
    let options = StackOptions {
        demo: DemoOptions {
            gateway: true,
            ..DemoOptions::default()
        },
    };
    harness_on(options, |c| {
        c.device_call_timeout_secs = 2;
        tweak(c);
    })
    .await
}

fn gateway(h: &Harness) -> &SimGateway {
    h.demo.gateway.as_ref().expect("the simulated gateway runs")
}

/// Polls `check` until it holds (10 s at most).
async fn eventually<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn put(h: &Harness, path: &str, token: Option<&str>, body: Body) -> Reply {
    let mut req = Request::put(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    h.call(req.body(body).expect("request")).await
}

async fn choose_workspace(h: &Harness, token: &str, uuid: &str) {
    let body = Body::from(json!({ "uuid": uuid }).to_string());
    let req = Request::put("/api/pilot/workspace")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .expect("request");
    let r = h.call(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

fn list_path(domain: &str, sn: &str) -> String {
    format!("/api/unlock/licenses?domain={domain}&gateway_sn={sn}")
}

async fn list(h: &Harness, token: &str, domain: &str, sn: &str) -> Reply {
    h.get(&list_path(domain, sn), Some(token)).await
}

async fn switch(h: &Harness, token: &str, sn: &str, license_id: i64, enable: bool) -> Reply {
    h.post_json(
        &format!("/api/unlock/licenses/{license_id}/switch"),
        Some(token),
        json!({"gateway_sn": sn, "enable": enable}),
    )
    .await
}

async fn update(h: &Harness, token: &str, body: Value) -> Reply {
    h.post_json("/api/unlock/update", Some(token), body).await
}

/// The first pilot, signed in, with the demo project as workspace, once the proxy has heard
/// the gateway (its heartbeat: the gateway connected before the proxy did).
async fn pilot_ready(h: &Harness) -> String {
    let token = h.login().await;
    choose_workspace(h, &token, MAIN_PROJECT).await;
    let t = token.as_str();
    eventually("the proxy hears the gateway", move || async move {
        list(h, t, "aircraft", SN).await.status != StatusCode::CONFLICT
    })
    .await;
    token
}

async fn audit(h: &Harness) -> Vec<AuditRow> {
    Db::connect(&h.config.database_url)
        .await
        .expect("db")
        .audit_of(SN, 100)
        .await
        .expect("audit")
}

fn licenses(r: &Reply) -> UnlockLicensesResponse {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    serde_json::from_str(&r.text).expect("an UnlockLicensesResponse")
}

/// An MQTT client (the copilot's account) collecting what is published on `filter`.
async fn observe(h: &Harness, filter: &str) -> tokio::sync::mpsc::UnboundedReceiver<Value> {
    let broker = h.demo.broker.as_ref().expect("broker").tcp;
    let mut options = MqttOptions::new(
        format!("observer-{}", uuid::Uuid::new_v4().simple()),
        broker.ip().to_string(),
        broker.port(),
    );
    let copilot = DEMO_PILOTS[1];
    options.set_credentials(copilot.mqtt_username, copilot.mqtt_password);
    let (client, mut event_loop) = AsyncClient::new(options, 16);
    client
        .subscribe(filter, QoS::AtLeastOnce)
        .await
        .expect("subscribe");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (acked_tx, acked_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _client = client;
        let mut acked = Some(acked_tx);
        loop {
            match event_loop.poll().await {
                Ok(Event::Incoming(Packet::SubAck(_))) => {
                    if let Some(a) = acked.take() {
                        let _ = a.send(());
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let _ = tx.send(serde_json::from_slice(&p.payload).unwrap_or(Value::Null));
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(5), acked_rx)
        .await
        .expect("observer subscribed")
        .expect("ack");
    rx
}

/// The `file` of the next `unlock_license_update` request seen.
async fn next_update_file(
    requests: &mut tokio::sync::mpsc::UnboundedReceiver<Value>,
) -> (String, String) {
    loop {
        let request = tokio::time::timeout(Duration::from_secs(5), requests.recv())
            .await
            .expect("an update request")
            .expect("message");
        if request["method"] == "unlock_license_update" {
            let file = &request["data"]["file"];
            return (
                file["url"].as_str().expect("url").to_owned(),
                file["fingerprint"]
                    .as_str()
                    .expect("fingerprint")
                    .to_owned(),
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_the_aircraft_and_the_dock_licenses() {
    let h = unlock_stack(|_| {}).await;
    let token = pilot_ready(&h).await;

    let aircraft = licenses(&list(&h, &token, "aircraft", SN).await);
    assert_eq!(aircraft.gateway_sn, SN);
    assert_eq!(aircraft.domain.as_query(), "aircraft");
    assert_eq!(aircraft.consistence, Some(false));
    let types: Vec<i64> = aircraft
        .licenses
        .iter()
        .map(|l| l.license.type_code())
        .collect();
    assert_eq!(types, [0, 1, 2, 3, 4, 5, 6]);
    assert!(aircraft
        .licenses
        .iter()
        .all(|l| !l.license.kind.is_other() && l.last_change.is_none()));

    let dock = licenses(&list(&h, &token, "dock", SN).await);
    assert_eq!(dock.domain.as_query(), "dock");
    assert_eq!(dock.licenses.len(), 8);
    assert_eq!(
        gateway(&h).received(),
        vec!["unlock_license_list"; gateway(&h).received().len()]
    );
    assert!(audit(&h).await.is_empty(), "lists are not audited");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_switch_is_applied_by_the_gateway_audited_and_shown_on_the_next_list() {
    let h = unlock_stack(|_| {}).await;
    let token = pilot_ready(&h).await;
    assert_eq!(gateway(&h).licenses.enabled(ALTITUDE_LICENSE), Some(false));

    let before = now_ms();
    let r = switch(&h, &token, SN, ALTITUDE_LICENSE, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let answer: UnlockSwitchResponse = serde_json::from_str(&r.text).expect("switch response");
    assert_eq!(answer.license_id, ALTITUDE_LICENSE);
    assert!(answer.enabled);
    let change = answer.last_change.expect("the change just made");
    assert_eq!(change.by, "pilot");
    assert_eq!(
        (change.old_enabled, change.new_enabled),
        (Some(false), true)
    );
    assert!(change.at_ms >= before);
    assert_eq!(gateway(&h).licenses.enabled(ALTITUDE_LICENSE), Some(true));
    // the state before came from the device itself
    assert_eq!(
        gateway(&h).received().last().map(String::as_str),
        Some("unlock_license_switch")
    );

    let rows = audit(&h).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(
        (
            row.action.as_str(),
            row.platform_user.as_str(),
            row.outcome.as_str()
        ),
        ("switch", "pilot", "ok")
    );
    assert_eq!(row.gateway_sn, SN);
    assert_eq!(row.license_id, Some(ALTITUDE_LICENSE));
    assert_eq!(
        (row.old_enabled, row.new_enabled),
        (Some(false), Some(true))
    );
    assert_eq!(row.result_code, Some(0));
    assert_eq!(row.at_ms, change.at_ms);

    let after = licenses(&list(&h, &token, "aircraft", SN).await);
    let altitude = after
        .licenses
        .iter()
        .find(|l| l.license.id() == Some(ALTITUDE_LICENSE))
        .expect("listed");
    assert!(altitude.license.common.enabled, "the device's state");
    assert_eq!(altitude.last_change.as_ref(), Some(&change));
    assert!(after
        .licenses
        .iter()
        .filter(|l| l.license.id() != Some(ALTITUDE_LICENSE))
        .all(|l| l.last_change.is_none()));

    // and back: the newest switch is the one shown
    let r = switch(&h, &token, SN, ALTITUDE_LICENSE, false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["enabled"], false);
    assert_eq!(gateway(&h).licenses.enabled(ALTITUDE_LICENSE), Some(false));
    let again = licenses(&list(&h, &token, "aircraft", SN).await);
    let shown = again
        .licenses
        .iter()
        .find(|l| l.license.id() == Some(ALTITUDE_LICENSE))
        .and_then(|l| l.last_change.clone())
        .expect("last change");
    assert_eq!((shown.old_enabled, shown.new_enabled), (Some(true), false));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_sends_the_offline_file_which_the_gateway_downloads_and_checks() {
    let h = unlock_stack(|_| {}).await;
    let token = pilot_ready(&h).await;
    let mut requests = observe(&h, &format!("thing/product/{SN}/services")).await;
    assert!(!gateway(&h).licenses.consistence());

    // no source: the offline file, since the operator placed one
    let r = update(&h, &token, json!({"gateway_sn": SN})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"source": "offline_file"}));
    assert!(gateway(&h).licenses.consistence(), "the gateway took it");
    let (url, fingerprint) = next_update_file(&mut requests).await;
    assert_eq!(fingerprint, md5_hex(DEMO_LICENSE_FILE));
    assert!(
        url.starts_with(&format!(
            "{}/api/unlock/files/{DEMO_LICENSE_FILE_NAME}?t=",
            h.base
        )),
        "PUBLIC_BASE_URL defaults to the listen address: {url}"
    );

    let r = update(&h, &token, json!({"gateway_sn": SN, "source": "flysafe"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"source": "flysafe"}));

    let rows = audit(&h).await;
    let offline = rows
        .iter()
        .find(|r| r.source.as_deref() == Some("offline_file"))
        .expect("offline update audited");
    assert_eq!(offline.action, "update");
    assert_eq!(offline.file_name.as_deref(), Some(DEMO_LICENSE_FILE_NAME));
    assert_eq!(
        (offline.outcome.as_str(), offline.result_code),
        ("ok", Some(0))
    );
    assert_eq!(offline.license_id, None);
    let flysafe = rows
        .iter()
        .find(|r| r.source.as_deref() == Some("flysafe"))
        .expect("flysafe update audited");
    assert_eq!(flysafe.file_name, None);
    assert_eq!(flysafe.outcome, "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_changed_after_its_url_was_issued_fails_the_fingerprint() {
    let h = unlock_stack(|_| {}).await;
    let token = pilot_ready(&h).await;
    let gw = gateway(&h);
    // The gateway takes a moment before it downloads: the file changes meanwhile.
    gw.behaviour
        .set(GatewayBehaviour::Slow(Duration::from_millis(700)));
    let file = h
        .demo
        .license_dir()
        .expect("license dir")
        .join(DEMO_LICENSE_FILE_NAME);
    let (r, ()) = tokio::join!(
        update(
            &h,
            &token,
            json!({"gateway_sn": SN, "source": "offline_file"})
        ),
        async {
            eventually(
                "the update request reached the gateway",
                move || async move { gw.received().iter().any(|m| m == "unlock_license_update") },
            )
            .await;
            std::fs::write(&file, b"a different license file").expect("replace");
        }
    );
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text);
    assert_eq!(r.error_code(), "fingerprint_mismatch");
    assert_eq!(
        r.json()["error"]["upstream_code"],
        codes::FINGERPRINT_MISMATCH
    );
    assert!(!gw.licenses.consistence());
    let rows = audit(&h).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].outcome, "fingerprint_mismatch");
    assert_eq!(rows[0].result_code, Some(codes::FINGERPRINT_MISMATCH));

    // the next update fingerprints the file as it is now
    gw.behaviour.set(GatewayBehaviour::Normal);
    let r = update(
        &h,
        &token,
        json!({"gateway_sn": SN, "source": "offline_file"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_gateway_is_a_timeout_and_audited() {
    let h = unlock_stack(|c| c.device_call_timeout_secs = 1).await;
    let token = pilot_ready(&h).await;
    gateway(&h).behaviour.set(GatewayBehaviour::Silent);
    let started = Instant::now();
    let r = switch(&h, &token, SN, ALTITUDE_LICENSE, true).await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT, "{}", r.text);
    assert_eq!(r.error_code(), "device_timeout");
    assert!(
        started.elapsed() < Duration::from_millis(1900),
        "one timeout, not one per call"
    );
    assert_eq!(gateway(&h).licenses.enabled(ALTITUDE_LICENSE), Some(false));

    let r = update(&h, &token, json!({"gateway_sn": SN, "source": "flysafe"})).await;
    assert_eq!(r.status, StatusCode::GATEWAY_TIMEOUT, "{}", r.text);

    let rows = audit(&h).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r.outcome == "device_timeout" && r.result_code.is_none()));
    let switched = rows.iter().find(|r| r.action == "switch").expect("switch");
    assert_eq!(switched.old_enabled, None, "the device never said");
    assert_eq!(switched.new_enabled, Some(true));

    // the gateway answers again: so does the proxy
    gateway(&h).behaviour.set(GatewayBehaviour::Normal);
    assert_eq!(
        switch(&h, &token, SN, ALTITUDE_LICENSE, true).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_gateway_is_409_at_once() {
    let mut h = unlock_stack(|c| c.device_call_timeout_secs = 5).await;
    let token = pilot_ready(&h).await;

    // in the workspace, never connected
    let started = Instant::now();
    let r = switch(&h, &token, OTHER_RC_IN_WORKSPACE, ALTITUDE_LICENSE, true).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.error_code(), "device_offline");
    assert!(started.elapsed() < Duration::from_secs(2), "no waiting");
    let rows = Db::connect(&h.config.database_url)
        .await
        .expect("db")
        .audit_of(OTHER_RC_IN_WORKSPACE, 10)
        .await
        .expect("audit");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "device_offline");
    let r = list(&h, &token, "aircraft", OTHER_RC_IN_WORKSPACE).await;
    assert_eq!(r.error_code(), "device_offline");

    // the connected one drops off the network: its will arrives
    h.stack.demo.gateway.take().expect("gateway").kill();
    let (hr, t) = (&h, token.as_str());
    eventually("the will is heard", move || async move {
        list(hr, t, "aircraft", SN).await.status == StatusCode::CONFLICT
    })
    .await;
    let r = update(&h, &token, json!({"gateway_sn": SN})).await;
    assert_eq!(r.error_code(), "device_offline");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_is_502_with_the_devices_code() {
    let h = unlock_stack(|_| {}).await;
    let token = pilot_ready(&h).await;
    gateway(&h).behaviour.set(GatewayBehaviour::Refuse(321_007));
    let r = switch(&h, &token, SN, ALTITUDE_LICENSE, true).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text);
    assert_eq!(r.error_code(), "device_error");
    assert_eq!(r.json()["error"]["upstream_code"], 321_007);
    assert_eq!(gateway(&h).licenses.enabled(ALTITUDE_LICENSE), Some(false));
    // the list before was refused too; the switch was still asked for
    assert_eq!(
        gateway(&h).received().last().map(String::as_str),
        Some("unlock_license_switch")
    );
    let r = list(&h, &token, "aircraft", SN).await;
    assert_eq!(r.json()["error"]["upstream_code"], 321_007);

    let rows = audit(&h).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].outcome.as_str(), rows[0].result_code),
        ("device_error", Some(321_007))
    );

    // an unknown license is the gateway's own refusal
    gateway(&h).behaviour.set(GatewayBehaviour::Normal);
    let r = switch(&h, &token, SN, 424_242, true).await;
    assert_eq!(r.json()["error"]["upstream_code"], codes::UNKNOWN_LICENSE);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_gateway_of_the_pilots_workspace_can_be_managed() {
    let h = unlock_stack(|_| {}).await;
    let mut requests = observe(&h, "thing/product/+/services").await;

    // no workspace chosen yet
    let pilot = h.login().await;
    let r = list(&h, &pilot, "aircraft", SN).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.error_code(), "device_forbidden");
    assert!(r.json()["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("workspace")));

    // a device of another project
    choose_workspace(&h, &pilot, MAIN_PROJECT).await;
    let r = list(&h, &pilot, "aircraft", OTHER_PROJECT_DOCK).await;
    assert_eq!(r.error_code(), "device_forbidden");

    // another pilot, whose workspace does not hold this controller
    let copilot = h.login_demo(1).await;
    choose_workspace(&h, &copilot, OTHER_PROJECT).await;
    for r in [
        list(&h, &copilot, "aircraft", SN).await,
        switch(&h, &copilot, SN, ALTITUDE_LICENSE, true).await,
        update(&h, &copilot, json!({"gateway_sn": SN})).await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert_eq!(r.error_code(), "device_forbidden");
    }
    assert_eq!(gateway(&h).licenses.enabled(ALTITUDE_LICENSE), Some(false));
    assert!(gateway(&h).received().is_empty(), "nothing reached it");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), requests.recv())
            .await
            .is_err(),
        "nothing was published"
    );
    // refused attempts are audited too
    let rows = audit(&h).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r.platform_user == "copilot" && r.outcome == "device_forbidden"));

    // no session at all
    let r = h.get(&list_path("aircraft", SN), None).await;
    assert_eq!(r.error_code(), "token_missing");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_flighthub_device_owners_assign_gateways() {
    let h = unlock_stack(|c| {
        c.flighthub_org_key.clear();
        c.device_owners = vec![format!("pilot={SN}")];
    })
    .await;
    let pilot = h.login().await;
    let (hr, t) = (&h, pilot.as_str());
    eventually("the proxy hears the gateway", move || async move {
        list(hr, t, "aircraft", SN).await.status == StatusCode::OK
    })
    .await;
    let copilot = h.login_demo(1).await;
    let r = list(&h, &copilot, "aircraft", SN).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.error_code(), "device_forbidden");

    let nobody = unlock_stack(|c| c.flighthub_org_key.clear()).await;
    let token = nobody.login().await;
    let r = list(&nobody, &token, "aircraft", SN).await;
    assert_eq!(
        r.error_code(),
        "device_forbidden",
        "empty DEVICE_OWNERS: nobody"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_are_400_and_not_audited() {
    let h = unlock_stack(|_| {}).await;
    let token = pilot_ready(&h).await;
    let long = "A".repeat(33);
    for sn in [
        "5yszl260021e9w",
        "5YSZL%2F26",
        "5YSZL-260",
        "",
        long.as_str(),
    ] {
        let r = list(&h, &token, "aircraft", sn).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{sn}: {}", r.text);
    }
    // a license id below 0 is no license the device can have
    let r = switch(&h, &token, SN, -1, true).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // nor another spelling of one (a sign, a leading space, more digits than an i64 holds)
    for id in [
        format!("+{ALTITUDE_LICENSE}"),
        format!("%20{ALTITUDE_LICENSE}"),
        "9".repeat(19),
    ] {
        let r = h
            .post_json(
                &format!("/api/unlock/licenses/{id}/switch"),
                Some(&token),
                json!({"gateway_sn": SN, "enable": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{id}: {}", r.text);
    }
    for sn in ["5YSZL/26", "+", "#", "5YSZL 26", long.as_str()] {
        let r = switch(&h, &token, sn, ALTITUDE_LICENSE, true).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{sn}: {}", r.text);
        let r = update(&h, &token, json!({"gateway_sn": sn})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{sn}: {}", r.text);
    }
    let r = h
        .get(
            &format!("/api/unlock/licenses?domain=plane&gateway_sn={SN}"),
            Some(&token),
        )
        .await;
    assert_eq!(r.error_code(), "bad_request");
    let r = h
        .post_json(
            "/api/unlock/licenses/altitude/switch",
            Some(&token),
            json!({"gateway_sn": SN, "enable": true}),
        )
        .await;
    assert_eq!(r.error_code(), "bad_request");
    let r = update(&h, &token, json!({"gateway_sn": SN, "source": "usb"})).await;
    assert_eq!(r.error_code(), "bad_request");
    assert!(audit(&h).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_device_broker_unlocking_is_503() {
    // the stack's default: no broker, so no DEVICE_MQTT_BROKER
    let h = harness().await;
    let token = h.login().await;
    for r in [
        list(&h, &token, "aircraft", SN).await,
        switch(&h, &token, SN, ALTITUDE_LICENSE, true).await,
        update(&h, &token, json!({"gateway_sn": SN})).await,
    ] {
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
        assert_eq!(r.error_code(), "device_not_configured");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broker_down_at_start_does_not_stop_the_proxy() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let h = harness_with(|c| {
        c.device_mqtt_broker = format!("tcp://{dead}");
        c.device_mqtt_username = DEMO_PLATFORM_MQTT_USERNAME.into();
        c.device_mqtt_password = DEMO_PLATFORM_MQTT_PASSWORD.into();
        c.device_owners = vec![format!("pilot={SN}")];
        c.flighthub_org_key.clear();
    })
    .await;
    let token = h.login().await;
    let r = list(&h, &token, "aircraft", SN).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text);
    assert_eq!(r.error_code(), "upstream_unreachable");
    assert!(
        !r.text.contains(&dead.to_string()),
        "no address to the page"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_offline_file_is_a_clear_404_and_flysafe_is_the_default() {
    let empty = tempfile::tempdir().expect("tempdir");
    let dir = empty.path().to_owned();
    let h = unlock_stack(move |c| c.unlock_license_dir = dir.display().to_string()).await;
    let token = pilot_ready(&h).await;
    let r = update(
        &h,
        &token,
        json!({"gateway_sn": SN, "source": "offline_file"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(r.error_code(), "not_found");
    assert!(r.text.contains("UNLOCK_LICENSE_DIR"), "{}", r.text);
    assert!(gateway(&h)
        .received()
        .iter()
        .all(|m| m != "unlock_license_update"));
    let r = update(&h, &token, json!({"gateway_sn": SN})).await;
    assert_eq!(r.json(), json!({"source": "flysafe"}), "{}", r.text);
    let rows = audit(&h).await;
    assert!(rows.iter().any(|r| r.outcome == "not_found"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn file_urls_are_bound_to_their_file_and_expire() {
    let h = unlock_stack(|_| {}).await;
    let token = pilot_ready(&h).await;
    let mut requests = observe(&h, &format!("thing/product/{SN}/services")).await;
    let r = update(
        &h,
        &token,
        json!({"gateway_sn": SN, "source": "offline_file"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (url, _) = next_update_file(&mut requests).await;
    let t = url.split_once("?t=").expect("token").1.to_owned();
    assert!(t.len() >= 32, "at least 128 random bits: {t}");

    // the gateway's own download, again (the token lives until it expires)
    let got = reqwest::get(&url).await.expect("download");
    assert_eq!(got.status(), 200);
    assert_eq!(
        got.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/octet-stream")
    );
    assert_eq!(
        got.bytes().await.expect("bytes").as_ref(),
        DEMO_LICENSE_FILE
    );

    let forged = format!("{}{}", if t.starts_with('0') { "1" } else { "0" }, &t[1..]);
    let files = "/api/unlock/files";
    std::fs::write(
        h.demo.license_dir().expect("dir").join("other.lic"),
        b"other",
    )
    .expect("write");
    for path in [
        format!("{files}/{DEMO_LICENSE_FILE_NAME}?t={forged}"),
        format!("{files}/{DEMO_LICENSE_FILE_NAME}"),
        format!("{files}/{DEMO_LICENSE_FILE_NAME}?t="),
        format!("{files}/other.lic?t={t}"),
        format!("{files}/..%2F{DEMO_LICENSE_FILE_NAME}?t={t}"),
        format!("{files}/..%2F..%2Fetc%2Fpasswd?t={t}"),
        format!("{files}/%2E%2E?t={t}"),
        format!("{files}/.%2Fother.lic?t={t}"),
    ] {
        let r = h.get(&path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        assert_eq!(r.error_code(), "not_found", "{path}");
    }

    // a URL that has expired: the gateway cannot download it, and says so
    let expiring = unlock_stack(|c| c.unlock_file_url_ttl_secs = 0).await;
    let token = pilot_ready(&expiring).await;
    let mut requests = observe(&expiring, &format!("thing/product/{SN}/services")).await;
    let r = update(
        &expiring,
        &token,
        json!({"gateway_sn": SN, "source": "offline_file"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.text);
    assert_eq!(r.json()["error"]["upstream_code"], codes::DOWNLOAD_FAILED);
    let (url, _) = next_update_file(&mut requests).await;
    let got = reqwest::get(&url).await.expect("download");
    assert_eq!(got.status(), 404);
    let body: Value = got.json().await.expect("a JSON error");
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_uploads_license_files() {
    let h = unlock_stack(|c| {
        c.unlock_admin_token = ADMIN_TOKEN.into();
        c.unlock_max_file_bytes = 64 * 1024;
    })
    .await;
    let path = "/api/unlock/files/uploaded-2026.lic";
    // bigger than MAX_BODY_BYTES (16 KiB), within the upload cap
    let file: Vec<u8> = (0..20 * 1024).map(|i| (i % 251) as u8).collect();

    let r = put(&h, path, None, Body::from(file.clone())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = put(&h, path, Some("wrong-token"), Body::from(file.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let pilot = h.login().await;
    let r = put(&h, path, Some(&pilot), Body::from(file.clone())).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a pilot is no administrator"
    );

    let r = put(&h, path, Some(ADMIN_TOKEN), Body::from(file.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"name": "uploaded-2026.lic", "size": file.len(), "fingerprint": md5_hex(&file)})
    );
    let dir = h.demo.license_dir().expect("dir");
    assert_eq!(
        std::fs::read(dir.join("uploaded-2026.lic")).expect("stored"),
        file
    );

    let r = put(
        &h,
        path,
        Some(ADMIN_TOKEN),
        Body::from(vec![0u8; 64 * 1024 + 1]),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    for bad in [
        "/api/unlock/files/.hidden",
        "/api/unlock/files/..%2Fescape.lic",
    ] {
        let r = put(&h, bad, Some(ADMIN_TOKEN), Body::from("x")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text);
    }
    assert!(!dir.parent().expect("parent").join("escape.lic").exists());
    let r = put(&h, path, Some(ADMIN_TOKEN), Body::empty()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // the newest file is the one an update sends
    let token = pilot_ready(&h).await;
    let r = update(&h, &token, json!({"gateway_sn": SN})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(gateway(&h).licenses.consistence());
    let rows = audit(&h).await;
    assert_eq!(rows[0].file_name.as_deref(), Some("uploaded-2026.lic"));

    // without an admin token there is no upload route
    let off = unlock_stack(|_| {}).await;
    let r = put(&off, path, Some(""), Body::from("x")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}

/// A workspace remembered before `FLIGHTHUB_PROJECT_ACCESS` took its project away (an earlier
/// start's rules, or another instance's) manages nothing, whether or not the page asked for
/// the bootstrap since.
#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_the_project_rules_took_away_manages_nothing() {
    let h = unlock_stack(|c| {
        c.flighthub_project_access = vec![format!("pilot={OTHER_PROJECT}")];
    })
    .await;
    let main = pilot_portal_shared::Workspace {
        uuid: MAIN_PROJECT.into(),
        name: "Shenzhen Bay Bridge Inspection".into(),
        introduction: String::new(),
    };
    Db::connect(&h.config.database_url)
        .await
        .expect("db")
        .set_workspace("pilot", &main, now_ms())
        .await
        .expect("remembered");
    let pilot = h.login().await;
    for r in [
        list(&h, &pilot, "aircraft", SN).await,
        switch(&h, &pilot, SN, ALTITUDE_LICENSE, true).await,
        update(&h, &pilot, json!({"gateway_sn": SN})).await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert_eq!(r.error_code(), "device_forbidden");
        assert!(r.text.contains("no longer one of yours"), "{}", r.text);
    }
    assert!(gateway(&h).received().is_empty(), "nothing reached it");
}
