//! The simulated gateway answers the remote unlocking services as `dji-remote-unlocking-mqtt.txt`
//! says, through the real embedded broker, with a raw MQTT client as the platform.

use axum::routing::get;
use axum::Router;
use md5::{Digest, Md5};
use pilot_portal_sim::gateway::{
    codes, GatewayBehaviour, GatewayConfig, Malformation, SimGateway, DEMO_AIRCRAFT_SN,
};
use pilot_portal_sim::mqtt;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const GATEWAY_USER: &str = "mqtt-pilot";
const GATEWAY_PASSWORD: &str = "mqtt-pilot-secret";
const PLATFORM_USER: &str = "platform";
const PLATFORM_PASSWORD: &str = "platform-secret";
const SN: &str = "5YSZL260021E9W";

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

fn config(broker: SocketAddr, sn: &str) -> GatewayConfig {
    let mut c = GatewayConfig::new(broker, GATEWAY_USER, GATEWAY_PASSWORD, sn);
    c.heartbeat = Duration::from_millis(200);
    c
}

async fn gateway(broker: SocketAddr) -> SimGateway {
    SimGateway::start(config(broker, SN))
        .await
        .expect("gateway starts")
}

/// The platform: a plain MQTT client subscribed to what the gateways publish.
struct Platform {
    client: AsyncClient,
    rx: mpsc::UnboundedReceiver<(String, Vec<u8>)>,
}

impl Platform {
    async fn connect(broker: SocketAddr) -> Platform {
        let mut options = MqttOptions::new(
            format!("platform-{}", uuid::Uuid::new_v4()),
            broker.ip().to_string(),
            broker.port(),
        );
        options
            .set_credentials(PLATFORM_USER, PLATFORM_PASSWORD)
            .set_max_packet_size(256 * 1024, 256 * 1024);
        let (client, mut event_loop) = AsyncClient::new(options, 32);
        for topic in [
            "thing/product/+/services_reply",
            "sys/product/+/status",
            "thing/product/+/osd",
        ] {
            client
                .subscribe(topic, QoS::AtLeastOnce)
                .await
                .expect("subscribe");
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let (acked_tx, mut acked_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                match event_loop.poll().await {
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let _ = tx.send((p.topic.clone(), p.payload.to_vec()));
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        let _ = acked_tx.send(());
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
        for _ in 0..3 {
            tokio::time::timeout(Duration::from_secs(5), acked_rx.recv())
                .await
                .expect("subscribed");
        }
        Platform { client, rx }
    }

    /// The next message on a topic ending with `suffix`, within `wait`.
    async fn next(&mut self, suffix: &str, wait: Duration) -> Option<(String, Vec<u8>)> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some((topic, payload))) if topic.ends_with(suffix) => {
                    return Some((topic, payload))
                }
                Ok(Some(_)) => {}
                _ => return None,
            }
        }
    }

    async fn publish(&self, sn: &str, method: &str, data: Value) -> (String, String) {
        let (tid, bid) = (
            uuid::Uuid::new_v4().to_string(),
            uuid::Uuid::new_v4().to_string(),
        );
        let request = json!({"bid": bid, "tid": tid, "timestamp": 1654070968655_i64,
                             "method": method, "data": data});
        self.client
            .publish(
                format!("thing/product/{sn}/services"),
                QoS::AtLeastOnce,
                false,
                request.to_string(),
            )
            .await
            .expect("publish");
        (tid, bid)
    }

    /// Publishes a service and waits for the reply with its `tid`; checks the envelope.
    async fn call(&mut self, method: &str, data: Value) -> Option<Value> {
        let (tid, bid) = self.publish(SN, method, data).await;
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let (topic, payload) = self.next("/services_reply", left).await?;
            let Ok(reply) = serde_json::from_slice::<Value>(&payload) else {
                continue;
            };
            if reply["tid"] == json!(tid) {
                assert_eq!(topic, format!("thing/product/{SN}/services_reply"));
                assert_eq!(reply["bid"], json!(bid));
                assert_eq!(reply["method"], json!(method));
                assert_eq!(reply["gateway"], json!(SN));
                assert!(reply["timestamp"].as_i64().unwrap_or(0) > 1_700_000_000_000);
                return Some(reply);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn announces_itself_with_update_topo_and_beats_on_osd() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let _gateway = gateway(broker).await;
    let (topic, payload) = platform
        .next("/status", Duration::from_secs(3))
        .await
        .expect("update_topo");
    assert_eq!(topic, format!("sys/product/{SN}/status"));
    let topo: Value = serde_json::from_slice(&payload).expect("json");
    assert_eq!(topo["method"], "update_topo");
    assert_eq!(topo["data"]["domain"], "2");
    assert_eq!(topo["data"]["type"], 174);
    assert_eq!(topo["data"]["thing_version"], "1.1.2");
    assert_eq!(topo["data"]["sub_devices"][0]["sn"], DEMO_AIRCRAFT_SN);
    assert_eq!(topo["data"]["sub_devices"][0]["type"], 91);
    let (topic, payload) = platform
        .next("/osd", Duration::from_secs(2))
        .await
        .expect("heartbeat");
    assert_eq!(topic, format!("thing/product/{SN}/osd"));
    let osd: Value = serde_json::from_slice(&payload).expect("json");
    assert!(osd["data"]["capacity_percent"].is_number());
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_the_licenses_of_the_aircraft_and_the_dock() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let _gateway = gateway(broker).await;

    let reply = platform
        .call("unlock_license_list", json!({"device_model_domain": 0}))
        .await
        .expect("a reply");
    let data = &reply["data"];
    assert_eq!(data["result"], 0);
    assert_eq!(data["device_model_domain"], 0);
    assert_eq!(data["consistence"], false);
    let types: Vec<i64> = data["licenses"]
        .as_array()
        .expect("licenses")
        .iter()
        .map(|l| l["common_fields"]["type"].as_i64().expect("type"))
        .collect();
    assert_eq!(types, [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(data["licenses"][2]["country_unlock"]["country_number"], 156);

    let reply = platform
        .call("unlock_license_list", json!({"device_model_domain": 3}))
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["device_model_domain"], 3);
    assert_eq!(reply["data"]["licenses"].as_array().map(Vec::len), Some(8));

    let reply = platform
        .call("unlock_license_list", json!({"device_model_domain": 1}))
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["result"], codes::INVALID_PARAMS);

    let reply = platform
        .call("flighttask_prepare", json!({}))
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["result"], codes::UNKNOWN_METHOD);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_switch_changes_the_license_and_persists() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let gateway = gateway(broker).await;
    assert_eq!(gateway.licenses.enabled(240332), Some(false));

    let reply = platform
        .call(
            "unlock_license_switch",
            json!({"license_id": 240332, "enable": true}),
        )
        .await
        .expect("a reply");
    assert_eq!(reply["data"], json!({"result": 0, "license_id": 240332}));
    assert_eq!(gateway.licenses.enabled(240332), Some(true));

    let list = platform
        .call("unlock_license_list", json!({"device_model_domain": 0}))
        .await
        .expect("a reply");
    let country = &list["data"]["licenses"][2]["common_fields"];
    assert_eq!(country["license_id"], 240332);
    assert_eq!(country["enabled"], true);

    let reply = platform
        .call(
            "unlock_license_switch",
            json!({"license_id": 240330, "enable": false}),
        )
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["result"], 0);
    assert_eq!(gateway.licenses.enabled(240330), Some(false));

    let reply = platform
        .call(
            "unlock_license_switch",
            json!({"license_id": 999999, "enable": true}),
        )
        .await
        .expect("a reply");
    assert_eq!(
        reply["data"],
        json!({"result": codes::UNKNOWN_LICENSE, "license_id": 999999})
    );
    let reply = platform
        .call("unlock_license_switch", json!({"license_id": "240330"}))
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["result"], codes::INVALID_PARAMS);
}

/// Serves `/license.bin` on 127.0.0.1 (as the proxy will); other paths are 404.
async fn license_server(body: &'static [u8]) -> String {
    let app = Router::new().route("/license.bin", get(move || async move { body }));
    let addr = pilot_portal_sim::spawn(app, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("file server");
    format!("http://{addr}")
}

fn md5_hex(body: &[u8]) -> String {
    Md5::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_downloads_the_file_and_checks_its_md5() {
    const FILE: &[u8] = b"DJI offline unlock license file (simulated)\x00\x01\x02";
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let gateway = gateway(broker).await;
    let base = license_server(FILE).await;
    let update = |url: String, fingerprint: String| json!({"file": {"url": url, "fingerprint": fingerprint}});

    let wrong = md5_hex(b"another file");
    let reply = platform
        .call(
            "unlock_license_update",
            update(format!("{base}/license.bin"), wrong),
        )
        .await
        .expect("a reply");
    assert_eq!(
        reply["data"],
        json!({"result": codes::FINGERPRINT_MISMATCH})
    );
    assert!(!gateway.licenses.consistence());

    let reply = platform
        .call(
            "unlock_license_update",
            update(format!("{base}/missing.bin"), md5_hex(FILE)),
        )
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["result"], codes::DOWNLOAD_FAILED);

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let reply = platform
        .call(
            "unlock_license_update",
            update(format!("http://{closed}/license.bin"), md5_hex(FILE)),
        )
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["result"], codes::DOWNLOAD_FAILED);

    // The fingerprint is compared case-insensitively.
    let reply = platform
        .call(
            "unlock_license_update",
            update(
                format!("{base}/license.bin"),
                md5_hex(FILE).to_ascii_uppercase(),
            ),
        )
        .await
        .expect("a reply");
    assert_eq!(reply["data"], json!({"result": 0}));
    assert!(gateway.licenses.consistence());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_without_a_file_refreshes_from_flysafe() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let gateway = gateway(broker).await;
    assert!(!gateway.licenses.consistence());
    let reply = platform
        .call("unlock_license_update", json!({}))
        .await
        .expect("a reply");
    assert_eq!(reply["data"], json!({"result": 0}));
    assert!(gateway.licenses.consistence());
    let list = platform
        .call("unlock_license_list", json!({"device_model_domain": 0}))
        .await
        .expect("a reply");
    assert_eq!(list["data"]["consistence"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_never_answers_but_hears() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let gateway = gateway(broker).await;
    gateway.behaviour.set(GatewayBehaviour::Silent);
    platform
        .publish(
            SN,
            "unlock_license_switch",
            json!({"license_id": 240332, "enable": true}),
        )
        .await;
    assert!(platform
        .next("/services_reply", Duration::from_millis(1500))
        .await
        .is_none());
    assert_eq!(gateway.received(), ["unlock_license_switch"]);
    assert_eq!(gateway.licenses.enabled(240332), Some(false));

    gateway.behaviour.set(GatewayBehaviour::Normal);
    assert!(platform
        .call("unlock_license_list", json!({"device_model_domain": 0}))
        .await
        .is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn refuse_answers_non_zero_and_changes_nothing() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let gateway = gateway(broker).await;
    gateway.behaviour.set(GatewayBehaviour::Refuse(321_000));
    let reply = platform
        .call(
            "unlock_license_switch",
            json!({"license_id": 240332, "enable": true}),
        )
        .await
        .expect("a reply");
    assert_eq!(
        reply["data"],
        json!({"result": 321_000, "license_id": 240332})
    );
    assert_eq!(gateway.licenses.enabled(240332), Some(false));
    let reply = platform
        .call("unlock_license_update", json!({}))
        .await
        .expect("a reply");
    assert_eq!(reply["data"], json!({"result": 321_000}));
    assert!(!gateway.licenses.consistence());
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_answers_after_the_delay() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let gateway = gateway(broker).await;
    gateway
        .behaviour
        .set(GatewayBehaviour::Slow(Duration::from_millis(600)));
    let started = Instant::now();
    let reply = platform
        .call("unlock_license_list", json!({"device_model_domain": 0}))
        .await
        .expect("a reply");
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(reply["data"]["result"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_replies_in_each_way() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;
    let gateway = gateway(broker).await;
    let list = json!({"device_model_domain": 0});

    gateway.behaviour.set(GatewayBehaviour::Malformed(
        Malformation::UnknownLicenseType,
    ));
    let reply = platform
        .call("unlock_license_list", list.clone())
        .await
        .expect("a reply");
    let licenses = reply["data"]["licenses"].as_array().expect("licenses");
    assert_eq!(licenses.len(), 9);
    assert_eq!(licenses[7]["common_fields"]["type"], 9);
    assert_eq!(licenses[8]["circle_unlock"]["radius"], "1.5 km");

    gateway
        .behaviour
        .set(GatewayBehaviour::Malformed(Malformation::WrongTypes));
    let reply = platform
        .call("unlock_license_list", list.clone())
        .await
        .expect("a reply");
    assert!(reply["data"]["licenses"].is_object());
    let reply = platform
        .call(
            "unlock_license_switch",
            json!({"license_id": 240332, "enable": true}),
        )
        .await
        .expect("a reply");
    assert_eq!(reply["data"]["result"], "0");

    gateway
        .behaviour
        .set(GatewayBehaviour::Malformed(Malformation::MissingResult));
    let reply = platform
        .call("unlock_license_list", list.clone())
        .await
        .expect("a reply");
    assert!(reply["data"].get("result").is_none());

    gateway
        .behaviour
        .set(GatewayBehaviour::Malformed(Malformation::NotJson));
    platform
        .publish(SN, "unlock_license_list", list.clone())
        .await;
    let (_, payload) = platform
        .next("/services_reply", Duration::from_secs(3))
        .await
        .expect("a reply");
    assert!(serde_json::from_slice::<Value>(&payload).is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_will_fires_on_an_abrupt_disconnect_and_not_on_a_clean_one() {
    let broker = broker();
    let mut platform = Platform::connect(broker).await;

    let clean = SimGateway::start(config(broker, "5YSZL260021F1K"))
        .await
        .expect("gateway starts");
    assert!(platform
        .next("/status", Duration::from_secs(3))
        .await
        .is_some());
    clean.stop().await;
    assert!(
        platform
            .next("/status", Duration::from_millis(1500))
            .await
            .is_none(),
        "a clean disconnect publishes no will"
    );

    let abrupt = gateway(broker).await;
    assert!(platform
        .next("/status", Duration::from_secs(3))
        .await
        .is_some());
    abrupt.kill();
    let (topic, payload) = platform
        .next("/status", Duration::from_secs(5))
        .await
        .expect("the will");
    assert_eq!(topic, format!("sys/product/{SN}/status"));
    let will: Value = serde_json::from_slice(&payload).expect("json");
    assert_eq!(will["method"], "update_topo");
    assert_eq!(will["data"], json!({"online": false}));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_credentials_fail_to_start() {
    let broker = broker();
    let mut c = config(broker, SN);
    c.password = "wrong".into();
    assert!(SimGateway::start(c).await.is_err());
}
