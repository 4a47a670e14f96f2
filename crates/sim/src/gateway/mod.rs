//! A simulated DJI gateway: the remote controller running DJI Pilot 2, as an MQTT client of the
//! broker, answering the remote unlocking services of `dji-remote-unlocking-mqtt.txt`.
//!
//! What it does on the wire (DJI Cloud API device topics):
//! - connects with a Last Will on `sys/product/{sn}/status` (see [`offline_will`]);
//! - on every (re)connection subscribes to `thing/product/{sn}/services`, then publishes
//!   `update_topo` on `sys/product/{sn}/status` (the device-online message), aircraft included
//!   as a sub-device when one is connected;
//! - publishes a heartbeat on `thing/product/{sn}/osd` every [`GatewayConfig::heartbeat`];
//! - answers `unlock_license_list`, `unlock_license_switch` and `unlock_license_update` on
//!   `thing/product/{sn}/services_reply` with the request's `bid`, `tid` and `method`.
//!
//! [`GatewayBehaviour`] makes it slow, silent, refusing or sloppy at runtime, for the
//! platform's tests. Result codes other than 0 are the simulator's own choice ([`codes`]):
//! the document only says "non-zero represents an error".

mod licenses;
mod services;

pub use licenses::{LicenseStore, LICENSES_JSON};

use rumqttc::{AsyncClient, ConnectionError, Event, LastWill, MqttOptions, Outgoing, Packet, QoS};
use serde_json::{json, Value};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The simulator's `result` codes (DJI documents none).
pub mod codes {
    /// A service this gateway does not implement.
    pub const UNKNOWN_METHOD: i64 = 314000;
    /// `unlock_license_switch` for a license the aircraft does not hold.
    pub const UNKNOWN_LICENSE: i64 = 314001;
    /// `unlock_license_update`: the file could not be downloaded.
    pub const DOWNLOAD_FAILED: i64 = 314002;
    /// `unlock_license_update`: the file's MD5 is not `fingerprint`.
    pub const FINGERPRINT_MISMATCH: i64 = 314003;
    /// The request's `data` is not the documented shape.
    pub const INVALID_PARAMS: i64 = 314004;
}

/// The topics of one gateway.
pub mod topics {
    pub fn services(sn: &str) -> String {
        format!("thing/product/{sn}/services")
    }
    pub fn services_reply(sn: &str) -> String {
        format!("thing/product/{sn}/services_reply")
    }
    pub fn status(sn: &str) -> String {
        format!("sys/product/{sn}/status")
    }
    pub fn status_reply(sn: &str) -> String {
        format!("sys/product/{sn}/status_reply")
    }
    pub fn osd(sn: &str) -> String {
        format!("thing/product/{sn}/osd")
    }
}

/// The emulator's remote controller and its aircraft (`public/pilot2-emulator.js`, the
/// FlightHub simulator's demo project).
pub const DEMO_GATEWAY_SN: &str = "5YSZL260021E9W";
pub const DEMO_AIRCRAFT_SN: &str = "1581F6Q8D243D00D3E9";

/// How to reach the broker, and who this gateway is.
#[derive(Clone)]
pub struct GatewayConfig {
    /// The broker's TCP listener.
    pub broker: SocketAddr,
    pub username: String,
    pub password: String,
    pub gateway_sn: String,
    /// The connected aircraft, reported as a sub-device in `update_topo`; `None`: none.
    pub aircraft_sn: Option<String>,
    /// Period of the `osd` heartbeat.
    pub heartbeat: Duration,
    /// MQTT keep-alive (whole seconds, at least 1).
    pub keep_alive: Duration,
}

impl GatewayConfig {
    /// The demo controller with its aircraft, a 2 s heartbeat.
    pub fn new(broker: SocketAddr, username: &str, password: &str, gateway_sn: &str) -> Self {
        GatewayConfig {
            broker,
            username: username.to_owned(),
            password: password.to_owned(),
            gateway_sn: gateway_sn.to_owned(),
            aircraft_sn: Some(DEMO_AIRCRAFT_SN.to_owned()),
            heartbeat: Duration::from_secs(2),
            keep_alive: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("broker", &self.broker)
            .field("username", &self.username)
            .field("gateway_sn", &self.gateway_sn)
            .field("aircraft_sn", &self.aircraft_sn)
            .field("heartbeat", &self.heartbeat)
            .finish_non_exhaustive()
    }
}

/// How the gateway answers services.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GatewayBehaviour {
    /// As the document says.
    #[default]
    Normal,
    /// Answers correctly after this delay (each request independently, so replies can
    /// overlap).
    Slow(Duration),
    /// Never answers (the platform's timeout).
    Silent,
    /// Every reply carries this non-zero `result`, and nothing changes.
    Refuse(i64),
    /// Answers, but not in the documented shape.
    Malformed(Malformation),
}

/// Ways a sloppy gateway gets a reply wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformation {
    /// The list carries an unknown license type 9 and a license with a wrong-typed field
    /// (the rest is correct; switch and update answer normally).
    UnknownLicenseType,
    /// `data` fields of the wrong JSON types (`licenses` an object, `result` a string, …).
    WrongTypes,
    /// `data` without `result`.
    MissingResult,
    /// A payload that is not JSON at all.
    NotJson,
}

/// The runtime switch of a gateway's [`GatewayBehaviour`]; clones share it.
#[derive(Debug, Clone, Default)]
pub struct BehaviourSwitch(Arc<Mutex<GatewayBehaviour>>);

impl BehaviourSwitch {
    pub fn set(&self, behaviour: GatewayBehaviour) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = behaviour;
    }

    pub fn get(&self) -> GatewayBehaviour {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// What the gateway's service handler needs.
pub(crate) struct Ctx {
    pub sn: String,
    pub client: AsyncClient,
    pub licenses: LicenseStore,
    pub behaviour: BehaviourSwitch,
    /// Methods of the service requests received, in order.
    pub received: Arc<Mutex<Vec<String>>>,
    pub http: reqwest::Client,
}

/// A running simulated gateway. Dropping it (or [`SimGateway::kill`]) cuts the connection
/// without an MQTT DISCONNECT, so the broker publishes the Last Will; [`SimGateway::stop`]
/// disconnects cleanly (no will).
pub struct SimGateway {
    pub sn: String,
    pub licenses: LicenseStore,
    pub behaviour: BehaviourSwitch,
    received: Arc<Mutex<Vec<String>>>,
    client: AsyncClient,
    event_loop: JoinHandle<()>,
    heartbeat: JoinHandle<()>,
}

/// The Last Will payload: `update_topo` with `data: {"online": false}` on the status topic.
///
/// This is OUR choice: DJI documents `update_topo` for the topology (sub-devices coming and
/// going) but not how a server learns that the gateway itself went offline; DJI's own stack
/// uses the broker's client-disconnected webhooks (EMQX), which a plain MQTT client cannot
/// see. The platform side also treats a gateway as offline when nothing was heard from it for
/// a while.
pub fn offline_will(sn: &str) -> Value {
    json!({
        "bid": uuid::Uuid::new_v4().to_string(),
        "tid": uuid::Uuid::new_v4().to_string(),
        "timestamp": 0,
        "method": "update_topo",
        "gateway": sn,
        "data": {"online": false},
    })
}

/// `update_topo`: the DJI Cloud API device-online message of a DJI RC Plus 2 (domain 2, type
/// 174, sub-type 0) with its Matrice 3D (0-91-0) when one is connected.
pub fn update_topo(sn: &str, aircraft_sn: Option<&str>) -> Value {
    let sub_devices: Vec<Value> = aircraft_sn
        .map(|a| {
            json!({
                "sn": a, "domain": "0", "type": 91, "sub_type": 0, "index": "A",
                "device_secret": "", "nonce": "", "thing_version": "1.1.2",
            })
        })
        .into_iter()
        .collect();
    json!({
        "bid": uuid::Uuid::new_v4().to_string(),
        "tid": uuid::Uuid::new_v4().to_string(),
        "timestamp": now_ms(),
        "method": "update_topo",
        "gateway": sn,
        "data": {
            "domain": "2", "type": 174, "sub_type": 0,
            "device_secret": "", "nonce": "", "thing_version": "1.1.2",
            "sub_devices": sub_devices,
        },
    })
}

/// The heartbeat: a remote controller `osd` message (no `method`, as DJI's osd pushes).
fn osd(sn: &str) -> Value {
    json!({
        "bid": uuid::Uuid::new_v4().to_string(),
        "tid": uuid::Uuid::new_v4().to_string(),
        "timestamp": now_ms(),
        "gateway": sn,
        "data": {"capacity_percent": 87, "latitude": 22.540461, "longitude": 113.934573, "height": 18.2},
    })
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SimGateway {
    /// Connects with the demo license set and waits until the gateway is subscribed to its
    /// services topic (so a request published after this returns is heard).
    pub async fn start(config: GatewayConfig) -> std::io::Result<SimGateway> {
        Self::start_with(config, LicenseStore::demo()).await
    }

    pub async fn start_with(
        config: GatewayConfig,
        licenses: LicenseStore,
    ) -> std::io::Result<SimGateway> {
        let sn = config.gateway_sn.clone();
        let mut options = MqttOptions::new(
            format!("sim-gateway-{sn}"),
            config.broker.ip().to_string(),
            config.broker.port(),
        );
        options
            .set_credentials(config.username.clone(), config.password.clone())
            .set_keep_alive(config.keep_alive.max(Duration::from_secs(1)))
            .set_max_packet_size(256 * 1024, 256 * 1024)
            .set_last_will(LastWill::new(
                topics::status(&sn),
                offline_will(&sn).to_string(),
                QoS::AtLeastOnce,
                false,
            ));
        let (client, event_loop) = AsyncClient::new(options, 64);
        let received = Arc::new(Mutex::new(Vec::new()));
        let ctx = Arc::new(Ctx {
            sn: sn.clone(),
            client: client.clone(),
            licenses: licenses.clone(),
            behaviour: BehaviourSwitch::default(),
            received: received.clone(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(std::io::Error::other)?,
        });
        let behaviour = ctx.behaviour.clone();
        let (ready_tx, ready_rx) = oneshot::channel();
        let event_loop = tokio::spawn(run(event_loop, ctx, config.aircraft_sn, ready_tx));
        let heartbeat = tokio::spawn(heartbeat(client.clone(), sn.clone(), config.heartbeat));
        let gateway = SimGateway {
            sn,
            licenses,
            behaviour,
            received,
            client,
            event_loop,
            heartbeat,
        };
        match tokio::time::timeout(Duration::from_secs(10), ready_rx).await {
            Ok(Ok(Ok(()))) => Ok(gateway),
            Ok(Ok(Err(e))) => Err(std::io::Error::other(format!(
                "simulated gateway cannot connect: {e}"
            ))),
            _ => Err(std::io::Error::other(
                "simulated gateway: no subscription acknowledgement from the broker",
            )),
        }
    }

    /// The methods of the service requests received so far.
    pub fn received(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Disconnects cleanly (MQTT DISCONNECT: the broker drops the will).
    pub async fn stop(mut self) {
        self.heartbeat.abort();
        if self.client.disconnect().await.is_ok() {
            // The event loop ends once DISCONNECT is written.
            let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.event_loop).await;
        }
    }

    /// Cuts the connection abruptly, as a controller losing its network: the broker publishes
    /// the Last Will.
    pub fn kill(self) {
        drop(self);
    }
}

impl Drop for SimGateway {
    fn drop(&mut self) {
        self.heartbeat.abort();
        self.event_loop.abort();
    }
}

async fn heartbeat(client: AsyncClient, sn: String, period: Duration) {
    let mut tick = tokio::time::interval(period.max(Duration::from_millis(50)));
    loop {
        tick.tick().await;
        // `try_`: while disconnected the request queue may be full; a lost beat is fine.
        let _ = client.try_publish(
            topics::osd(&sn),
            QoS::AtMostOnce,
            false,
            osd(&sn).to_string(),
        );
    }
}

/// Polls the connection (rumqttc reconnects on the next poll after an error) and dispatches
/// service requests, each in its own task so a slow one does not hold the others.
async fn run(
    mut event_loop: rumqttc::EventLoop,
    ctx: Arc<Ctx>,
    aircraft_sn: Option<String>,
    ready: oneshot::Sender<Result<(), String>>,
) {
    let mut ready = Some(ready);
    let services = topics::services(&ctx.sn);
    loop {
        match event_loop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                // Subscribe first: once the platform hears update_topo we must hear it.
                let subscribed = ctx.client.try_subscribe(services.clone(), QoS::AtLeastOnce);
                let online = ctx.client.try_publish(
                    topics::status(&ctx.sn),
                    QoS::AtLeastOnce,
                    false,
                    update_topo(&ctx.sn, aircraft_sn.as_deref()).to_string(),
                );
                if let Err(e) = subscribed.and(online) {
                    tracing::warn!(sn = %ctx.sn, "simulated gateway: {e}");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(_))) => {
                if let Some(tx) = ready.take() {
                    let _ = tx.send(Ok(()));
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) if p.topic == services => {
                let ctx = ctx.clone();
                tokio::spawn(async move { services::handle(&ctx, &p.payload).await });
            }
            // A clean stop: DISCONNECT is written and flushed; end here so we do not reconnect.
            Ok(Event::Outgoing(Outgoing::Disconnect)) => return,
            Ok(_) => {}
            Err(ConnectionError::RequestsDone) => return,
            Err(e) => {
                if let Some(tx) = ready.take() {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
                tracing::warn!(sn = %ctx.sn, "simulated gateway connection: {e}; reconnecting");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}
