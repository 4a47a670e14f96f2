//! The platform's MQTT link against the real embedded broker and the simulated gateway: the
//! three unlock services, tid matching, timeout, offline gateways, refusals and sloppy replies.

use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use md5::{Digest, Md5};
use pilot_portal_proxy::devices::{DeviceError, DeviceLink, DeviceLinkConfig};
use pilot_portal_proxy::error::ApiError;
use pilot_portal_shared::unlock::{DeviceModelDomain, LicenseFile, LicenseKind};
use pilot_portal_sim::gateway::{codes, GatewayBehaviour, GatewayConfig, Malformation, SimGateway};
use pilot_portal_sim::mqtt;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const GATEWAY_USER: &str = "mqtt-pilot";
const GATEWAY_PASSWORD: &str = "mqtt-pilot-secret";
const PLATFORM_USER: &str = "pilot-portal-platform";
const PLATFORM_PASSWORD: &str = "platform-secret";
const SN: &str = "5YSZL260021E9W";
const WAIT: Duration = Duration::from_secs(3);
const MISMATCH: &[i64] = &[codes::FINGERPRINT_MISMATCH];

fn broker() -> SocketAddr {
    let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    mqtt::start(
        HashMap::from([
            (GATEWAY_USER.into(), GATEWAY_PASSWORD.into()),
            (PLATFORM_USER.into(), PLATFORM_PASSWORD.into()),
        ]),
        any,
        any,
    )
    .expect("broker starts")
    .tcp
}

async fn link_with(broker: SocketAddr, tweak: impl FnOnce(&mut DeviceLinkConfig)) -> DeviceLink {
    let mut config =
        DeviceLinkConfig::new(&format!("tcp://{broker}"), PLATFORM_USER, PLATFORM_PASSWORD);
    tweak(&mut config);
    let link = DeviceLink::start(config).expect("valid broker address");
    assert!(link.wait_ready(Duration::from_secs(5)).await, "link ready");
    link
}

async fn gateway_with(broker: SocketAddr, sn: &str, heartbeat: Duration) -> SimGateway {
    let mut config = GatewayConfig::new(broker, GATEWAY_USER, GATEWAY_PASSWORD, sn);
    config.heartbeat = heartbeat;
    SimGateway::start(config).await.expect("gateway starts")
}

async fn until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Broker, link, and an online gateway.
async fn setup() -> (SocketAddr, DeviceLink, SimGateway) {
    let broker = broker();
    let link = link_with(broker, |_| {}).await;
    let gateway = gateway_with(broker, SN, Duration::from_millis(500)).await;
    until("gateway online", || link.is_online(SN)).await;
    (broker, link, gateway)
}

/// A raw MQTT client subscribed to `filter`, collecting (topic, payload).
async fn observer(
    broker: SocketAddr,
    filter: &str,
) -> tokio::sync::mpsc::UnboundedReceiver<(String, Value)> {
    let mut options = MqttOptions::new(
        format!("observer-{}", uuid::Uuid::new_v4()),
        broker.ip().to_string(),
        broker.port(),
    );
    options.set_credentials(PLATFORM_USER, PLATFORM_PASSWORD);
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
                    let v = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                    let _ = tx.send((p.topic.clone(), v));
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    tokio::time::timeout(WAIT, acked_rx)
        .await
        .expect("observer subscribed")
        .expect("ack");
    rx
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_the_licenses_of_the_aircraft_and_the_dock() {
    let (_broker, link, _gateway) = setup().await;
    let aircraft = link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await
        .expect("list");
    assert_eq!(aircraft.result, 0);
    assert_eq!(
        aircraft.device_model_domain,
        Some(DeviceModelDomain::Aircraft)
    );
    assert_eq!(aircraft.consistence, Some(false));
    let types: Vec<i64> = aircraft.licenses.iter().map(|l| l.type_code()).collect();
    assert_eq!(types, [0, 1, 2, 3, 4, 5, 6]);
    assert!(aircraft.licenses.iter().all(|l| !l.kind.is_other()));
    assert!(matches!(
        &aircraft.licenses[2].kind,
        LicenseKind::Country(c) if c.country_number == 156
    ));

    let dock = link
        .list_licenses(SN, DeviceModelDomain::Dock, WAIT)
        .await
        .expect("list");
    assert_eq!(dock.device_model_domain, Some(DeviceModelDomain::Dock));
    assert_eq!(dock.licenses.len(), 8);
    assert_eq!(link.pending_count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_switch_round_trip_changes_the_gateway() {
    let (_broker, link, gateway) = setup().await;
    let reply = link
        .switch_license(SN, 240333, true, WAIT)
        .await
        .expect("switch");
    assert_eq!(reply.result, 0);
    assert_eq!(reply.license_id, Some(240333));
    assert_eq!(gateway.licenses.enabled(240333), Some(true));
    let list = link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await
        .expect("list");
    let altitude = list
        .licenses
        .iter()
        .find(|l| l.id() == Some(240333))
        .expect("present");
    assert!(altitude.common.enabled);

    assert_eq!(
        link.switch_license(SN, 424242, true, WAIT).await,
        Err(DeviceError::Refused {
            code: codes::UNKNOWN_LICENSE
        })
    );
}

async fn file_server(body: &'static [u8]) -> String {
    let app = Router::new().route("/unlock/license.bin", get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/unlock/license.bin")
}

fn md5_hex(body: &[u8]) -> String {
    Md5::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_with_a_good_and_a_bad_fingerprint() {
    const FILE: &[u8] = b"offline unlock license for 1581F6Q8D243D00D3E9";
    let (_broker, link, gateway) = setup().await;
    let url = file_server(FILE).await;
    let file = |fingerprint: String| {
        Some(LicenseFile {
            url: url.clone(),
            fingerprint,
        })
    };

    assert_eq!(
        link.update_licenses(SN, file(md5_hex(b"something else")), WAIT, MISMATCH)
            .await,
        Err(DeviceError::FingerprintMismatch {
            code: codes::FINGERPRINT_MISMATCH
        })
    );
    assert!(!gateway.licenses.consistence());
    // Without the code configured, a mismatch is a plain refusal.
    assert_eq!(
        link.update_licenses(SN, file(md5_hex(b"something else")), WAIT, &[])
            .await,
        Err(DeviceError::Refused {
            code: codes::FINGERPRINT_MISMATCH
        })
    );
    link.update_licenses(SN, file(md5_hex(FILE)), WAIT, MISMATCH)
        .await
        .expect("update");
    assert!(gateway.licenses.consistence());

    let missing = Some(LicenseFile {
        url: url.replace("license.bin", "gone.bin"),
        fingerprint: md5_hex(FILE),
    });
    assert_eq!(
        link.update_licenses(SN, missing, WAIT, MISMATCH).await,
        Err(DeviceError::Refused {
            code: codes::DOWNLOAD_FAILED
        })
    );
    // From the Flysafe server: no file.
    link.update_licenses(SN, None, WAIT, MISMATCH)
        .await
        .expect("update");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_requests_in_flight_get_their_own_replies() {
    let (_broker, link, gateway) = setup().await;
    gateway
        .behaviour
        .set(GatewayBehaviour::Slow(Duration::from_millis(1000)));
    let started = Instant::now();
    let (aircraft, dock, switch) = tokio::join!(
        link.list_licenses(SN, DeviceModelDomain::Aircraft, WAIT),
        link.list_licenses(SN, DeviceModelDomain::Dock, WAIT),
        link.switch_license(SN, 240336, true, WAIT),
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1000) && elapsed < Duration::from_millis(2000),
        "the three overlapped (one after the other would take 3 s): {elapsed:?}"
    );
    let aircraft = aircraft.expect("aircraft");
    let dock = dock.expect("dock");
    assert_eq!(
        aircraft.device_model_domain,
        Some(DeviceModelDomain::Aircraft)
    );
    assert_eq!(aircraft.licenses.len(), 7);
    assert_eq!(dock.device_model_domain, Some(DeviceModelDomain::Dock));
    assert_eq!(dock.licenses.len(), 8);
    assert_eq!(switch.expect("switch").license_id, Some(240336));
    assert_eq!(link.pending_count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_gateway_times_out_and_leaves_no_waiter() {
    let (_broker, link, gateway) = setup().await;
    gateway.behaviour.set(GatewayBehaviour::Silent);
    let started = Instant::now();
    assert_eq!(
        link.switch_license(SN, 240332, true, Duration::from_millis(600))
            .await,
        Err(DeviceError::Timeout)
    );
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(link.pending_count(), 0);
    assert_eq!(gateway.received(), ["unlock_license_switch"]);

    // A caller that gives up early leaves no waiter either.
    let abandoned = tokio::time::timeout(
        Duration::from_millis(100),
        link.list_licenses(SN, DeviceModelDomain::Aircraft, WAIT),
    )
    .await;
    assert!(abandoned.is_err());
    assert_eq!(link.pending_count(), 0);

    // And it works again once the gateway answers.
    gateway.behaviour.set(GatewayBehaviour::Normal);
    assert!(link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await
        .is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_never_seen_is_offline_at_once_and_nothing_is_published() {
    let broker = broker();
    let link = link_with(broker, |_| {}).await;
    let mut services = observer(broker, "thing/product/+/services").await;
    let started = Instant::now();
    assert_eq!(
        link.list_licenses("5YSZL260021F1K", DeviceModelDomain::Aircraft, WAIT)
            .await
            .map(|_| ()),
        Err(DeviceError::Offline)
    );
    assert!(started.elapsed() < Duration::from_millis(500), "no waiting");
    assert!(
        tokio::time::timeout(Duration::from_millis(500), services.recv())
            .await
            .is_err(),
        "nothing was published"
    );
    assert_eq!(
        link.list_licenses("a/b", DeviceModelDomain::Aircraft, WAIT)
            .await
            .map(|_| ()),
        Err(DeviceError::InvalidSn)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_that_drops_off_is_offline_after_its_will() {
    let (_broker, link, gateway) = setup().await;
    gateway.kill();
    until("will received", || !link.is_online(SN)).await;
    assert_eq!(
        link.switch_license(SN, 240332, true, WAIT).await,
        Err(DeviceError::Offline)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_heard_of_too_long_ago_is_offline() {
    let broker = broker();
    let link = link_with(broker, |c| c.offline_after = Duration::from_millis(800)).await;
    // One heartbeat at start, the next in a minute: silence after update_topo.
    let _gateway = gateway_with(broker, SN, Duration::from_secs(60)).await;
    until("gateway online", || link.is_online(SN)).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(!link.is_online(SN));
    assert_eq!(
        link.switch_license(SN, 240332, true, WAIT).await,
        Err(DeviceError::Offline)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn update_topo_is_answered_on_status_reply() {
    let broker = broker();
    let _link = link_with(broker, |_| {}).await;
    let mut replies = observer(broker, "sys/product/+/status_reply").await;
    let mut statuses = observer(broker, "sys/product/+/status").await;
    let _gateway = gateway_with(broker, SN, Duration::from_secs(60)).await;
    let (_, topo) = tokio::time::timeout(WAIT, statuses.recv())
        .await
        .expect("update_topo")
        .expect("message");
    let (topic, reply) = tokio::time::timeout(WAIT, replies.recv())
        .await
        .expect("status_reply")
        .expect("message");
    assert_eq!(topic, format!("sys/product/{SN}/status_reply"));
    assert_eq!(reply["method"], "update_topo");
    assert_eq!(reply["tid"], topo["tid"]);
    assert_eq!(reply["bid"], topo["bid"]);
    assert_eq!(reply["data"], json!({"result": 0}));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_carries_the_devices_code_to_the_page() {
    let (_broker, link, gateway) = setup().await;
    gateway.behaviour.set(GatewayBehaviour::Refuse(321_007));
    let err = link
        .switch_license(SN, 240332, true, WAIT)
        .await
        .expect_err("refused");
    assert_eq!(err, DeviceError::Refused { code: 321_007 });
    assert_eq!(gateway.licenses.enabled(240332), Some(false));
    let (status, body) = response(ApiError::from(err)).await;
    assert_eq!(status, 502);
    assert_eq!(body["error"]["code"], "device_error");
    assert_eq!(body["error"]["upstream_code"], 321_007);
    let list = link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await;
    assert_eq!(
        list.map(|_| ()),
        Err(DeviceError::Refused { code: 321_007 })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_replies_are_clear_errors_or_other_licenses() {
    let (_broker, link, gateway) = setup().await;
    let malformed = |m| gateway.behaviour.set(GatewayBehaviour::Malformed(m));

    malformed(Malformation::UnknownLicenseType);
    let list = link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await
        .expect("still a list");
    assert_eq!(list.licenses.len(), 9);
    let others: Vec<_> = list.licenses.iter().filter(|l| l.kind.is_other()).collect();
    assert_eq!(others.len(), 2);
    assert_eq!(others[0].type_code(), 9);
    assert_eq!(others[0].id(), Some(240390));
    assert_eq!(others[1].type_code(), 1, "the circle with a text radius");

    malformed(Malformation::WrongTypes);
    for result in [
        link.list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
            .await
            .map(|_| ()),
        link.switch_license(SN, 240332, true, WAIT)
            .await
            .map(|_| ()),
        link.update_licenses(SN, None, WAIT, MISMATCH).await,
    ] {
        assert!(
            matches!(result, Err(DeviceError::Malformed(_))),
            "{result:?}"
        );
    }

    malformed(Malformation::MissingResult);
    assert_eq!(
        link.switch_license(SN, 240332, true, WAIT).await,
        Err(DeviceError::Malformed("reply without result".into()))
    );

    // Not JSON: the one waiting request is told at once, not after the timeout.
    malformed(Malformation::NotJson);
    let started = Instant::now();
    let result = link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await;
    assert!(
        matches!(result, Err(DeviceError::Malformed(_))),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(link.pending_count(), 0);

    // The error the page gets, and no payload in it.
    let Err(err) = link.switch_license(SN, 240332, true, WAIT).await else {
        panic!("malformed");
    };
    let (status, body) = response(ApiError::from(err)).await;
    assert_eq!(status, 502);
    assert_eq!(body["error"]["code"], "device_error");
    assert!(body["error"].get("upstream_code").is_none());
    assert!(!body.to_string().contains("Bad Gateway"));
}

async fn response(e: ApiError) -> (u16, Value) {
    let response = e.into_response();
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, serde_json::from_slice(&bytes).expect("json"))
}

#[tokio::test]
async fn device_errors_map_to_their_codes_and_statuses() {
    let cases = [
        (DeviceError::Offline, 409, "device_offline"),
        (DeviceError::Timeout, 504, "device_timeout"),
        (DeviceError::Refused { code: 5 }, 502, "device_error"),
        (
            DeviceError::FingerprintMismatch { code: 314003 },
            502,
            "fingerprint_mismatch",
        ),
        (DeviceError::Malformed("x".into()), 502, "device_error"),
        (DeviceError::InvalidSn, 400, "bad_request"),
        (
            DeviceError::BrokerUnavailable("down".into()),
            502,
            "upstream_unreachable",
        ),
    ];
    for (err, status, code) in cases {
        let (s, body) = response(ApiError::from(err)).await;
        assert_eq!((s, body["error"]["code"].as_str()), (status, Some(code)));
    }
    let (_, body) = response(ApiError::FingerprintMismatch { code: 314003 }).await;
    assert_eq!(body["error"]["upstream_code"], 314003);
    let (s, body) = response(ApiError::DeviceForbidden).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("device_forbidden"))
    );
    let (s, body) = response(ApiError::DeviceNotConfigured).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (503, Some("device_not_configured"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_platform_credentials_never_become_ready() {
    let broker = broker();
    let link = DeviceLink::start(DeviceLinkConfig::new(
        &format!("tcp://{broker}"),
        PLATFORM_USER,
        "wrong",
    ))
    .expect("valid address");
    assert!(!link.wait_ready(Duration::from_millis(800)).await);
    assert_eq!(
        link.list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
            .await
            .map(|_| ()),
        Err(DeviceError::BrokerUnavailable("not connected".into()))
    );
    assert!(DeviceLink::start(DeviceLinkConfig::new("ws://h:1/mqtt", "u", "p")).is_err());
}

/// A TCP relay to the broker whose connections can be cut, to lose the broker on purpose.
struct Relay {
    addr: SocketAddr,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let relay = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                kept.lock().expect("lock").push(relay);
            }
        });
        Relay { addr, connections }
    }

    fn cut(&self) {
        for c in self.connections.lock().expect("lock").drain(..) {
            c.abort();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_link_reconnects_and_resubscribes_after_losing_the_broker() {
    let broker = broker();
    let relay = Relay::start(broker).await;
    let link = link_with(relay.addr, |_| {}).await;
    let _gateway = gateway_with(broker, SN, Duration::from_millis(300)).await;
    until("gateway online", || link.is_online(SN)).await;
    assert!(link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await
        .is_ok());

    relay.cut();
    until("link notices", || !link.is_ready()).await;
    assert!(matches!(
        link.list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
            .await,
        Err(DeviceError::BrokerUnavailable(_))
    ));
    assert!(link.wait_ready(Duration::from_secs(5)).await, "reconnected");
    let list = link
        .list_licenses(SN, DeviceModelDomain::Aircraft, WAIT)
        .await
        .expect("replies arrive again: subscribed anew");
    assert_eq!(list.licenses.len(), 7);
}
