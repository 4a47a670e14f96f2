//! The platform's MQTT link to DJI gateways (the remote controllers running Pilot 2): the
//! platform side of DJI Cloud API services, over the broker the pilots' `thing` modules use.
//!
//! One MQTT connection with the platform's own account, subscribed once to
//! - `thing/product/+/services_reply`: replies, dispatched to the waiting request by `tid`;
//! - `sys/product/+/status`: `update_topo` (the gateway came online; answered on
//!   `sys/product/{sn}/status_reply` with `{"result":0}` as DJI's cloud does) and the
//!   gateway's Last Will (`update_topo` with `data.online == false`: our convention, see
//!   `pilot_portal_sim::gateway::offline_will`);
//! - `thing/product/+/osd`: the heartbeat.
//!
//! A gateway is online once anything was heard from it (update_topo, status, osd, a reply) and
//! until its will arrives or nothing was heard for [`DeviceLinkConfig::offline_after`]. A
//! call to a gateway that is not online fails at once, without publishing.
//!
//! Logs carry method, `tid` and SN only: never credentials or payload contents.

mod unlock;

use crate::error::ApiError;
use pilot_portal_shared::unlock::MqttEnvelope;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS, SubscribeFilter};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};
use tokio::task::AbortHandle;

/// How the platform reaches the broker.
#[derive(Clone)]
pub struct DeviceLinkConfig {
    /// `tcp://host:port`, `mqtt://host:port` or `host:port` (no TLS or WebSocket here).
    pub broker: String,
    pub username: String,
    pub password: String,
    /// Client id prefix; a random suffix is added so several proxy instances can share one
    /// account (each hears every reply and keeps those whose `tid` it is waiting for).
    pub client_id_prefix: String,
    /// A gateway nothing was heard from for this long is offline.
    pub offline_after: Duration,
    /// MQTT keep-alive (whole seconds, at least 1).
    pub keep_alive: Duration,
}

impl DeviceLinkConfig {
    pub fn new(broker: &str, username: &str, password: &str) -> Self {
        DeviceLinkConfig {
            broker: broker.to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
            client_id_prefix: "pilot-portal-proxy".to_owned(),
            offline_after: Duration::from_secs(30),
            keep_alive: Duration::from_secs(30),
        }
    }
}

impl fmt::Debug for DeviceLinkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceLinkConfig")
            .field("broker", &self.broker)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("offline_after", &self.offline_after)
            .finish_non_exhaustive()
    }
}

/// Why a service call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// The gateway is not connected (never seen, its will arrived, or silent too long).
    #[error("gateway offline")]
    Offline,
    /// No reply within the timeout.
    #[error("gateway did not answer in time")]
    Timeout,
    /// The gateway answered `result != 0`.
    #[error("gateway answered result {code}")]
    Refused { code: i64 },
    /// `unlock_license_update` refused with a code configured as "fingerprint mismatch".
    #[error("gateway rejected the license file's fingerprint (result {code})")]
    FingerprintMismatch { code: i64 },
    /// The reply is not the documented shape. The reason never quotes the payload.
    #[error("malformed reply: {0}")]
    Malformed(String),
    /// The gateway SN cannot be a topic level.
    #[error("invalid gateway serial number")]
    InvalidSn,
    /// The platform's own MQTT connection is down.
    #[error("MQTT broker unavailable: {0}")]
    BrokerUnavailable(String),
}

impl From<DeviceError> for ApiError {
    fn from(e: DeviceError) -> Self {
        match e {
            DeviceError::Offline => ApiError::DeviceOffline,
            DeviceError::Timeout => ApiError::DeviceTimeout,
            DeviceError::Refused { code } => ApiError::DeviceRefused { code },
            DeviceError::FingerprintMismatch { code } => ApiError::FingerprintMismatch { code },
            DeviceError::Malformed(detail) => ApiError::DeviceMalformed { detail },
            DeviceError::InvalidSn => {
                ApiError::BadRequest("The remote controller serial number is not valid.".into())
            }
            DeviceError::BrokerUnavailable(detail) => ApiError::UpstreamUnreachable {
                what: "MQTT broker",
                detail,
            },
        }
    }
}

/// The broker address cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("MQTT broker address {0:?}: expected tcp://host:port (no user:password@: the account has its own settings)")]
pub struct BrokerAddressError(String);

/// The link: cheap to clone, one connection for all clones. The connection ends when the last
/// clone is dropped.
#[derive(Clone)]
pub struct DeviceLink {
    inner: Arc<Inner>,
}

struct Inner {
    client: AsyncClient,
    state: Mutex<State>,
    offline_after: Duration,
    /// True between the subscription's acknowledgement and the next connection error.
    ready: watch::Sender<bool>,
    task: Mutex<Option<AbortHandle>>,
}

#[derive(Default)]
struct State {
    pending: HashMap<String, Pending>,
    gateways: HashMap<String, Gateway>,
}

/// A request waiting for its reply.
struct Pending {
    sn: String,
    bid: String,
    method: String,
    reply: oneshot::Sender<Result<Value, DeviceError>>,
}

struct Gateway {
    online: bool,
    last_heard: Instant,
}

/// Beyond this many known gateways, those not heard from within the window are forgotten.
const MAX_GATEWAYS: usize = 10_000;

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = lock(&self.task).take() {
            task.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code panics while holding these locks; a poisoned one still holds valid data.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `host` and `port` of `tcp://host:port`, `mqtt://host:port` or `host:port`.
pub fn broker_address(broker: &str) -> Result<(String, u16), BrokerAddressError> {
    let err = || BrokerAddressError(crate::settings::without_credentials(broker));
    let rest = match broker.split_once("://") {
        Some(("tcp" | "mqtt", rest)) => rest,
        Some(_) => return Err(err()),
        None => broker,
    };
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':').ok_or_else(err)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = port.parse().map_err(|_| err())?;
    if host.is_empty() || host.contains(['/', '@']) {
        return Err(err());
    }
    Ok((host.to_owned(), port))
}

/// A DJI serial number usable as one topic level (no `/`, `+`, `#`).
pub fn valid_sn(sn: &str) -> bool {
    (1..=64).contains(&sn.len())
        && sn
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// What a message's topic is about.
enum Topic<'a> {
    Reply(&'a str),
    Status(&'a str),
    Osd(&'a str),
}

fn topic(t: &str) -> Option<Topic<'_>> {
    let mut parts = t.split('/');
    let parts = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    );
    match parts {
        (Some("thing"), Some("product"), Some(sn), Some("services_reply"), None) => {
            Some(Topic::Reply(sn))
        }
        (Some("sys"), Some("product"), Some(sn), Some("status"), None) => Some(Topic::Status(sn)),
        (Some("thing"), Some("product"), Some(sn), Some("osd"), None) => Some(Topic::Osd(sn)),
        _ => None,
    }
}

/// The `result` of a reply's `data`: `Ok(0)`, the code, or why it cannot be read.
fn result_of(data: &Value) -> Result<i64, DeviceError> {
    match data.get("result") {
        None | Some(Value::Null) => Err(DeviceError::Malformed("reply without result".into())),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| DeviceError::Malformed("result is not an integer".into())),
    }
}

impl DeviceLink {
    /// Starts connecting in the background (needs a Tokio runtime) and returns at once; the
    /// connection is retried for as long as the link lives.
    pub fn start(config: DeviceLinkConfig) -> Result<DeviceLink, BrokerAddressError> {
        let (host, port) = broker_address(&config.broker)?;
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let mut options = MqttOptions::new(
            format!("{}-{}", config.client_id_prefix, &suffix[..12]),
            host,
            port,
        );
        options
            .set_credentials(config.username.clone(), config.password.clone())
            .set_keep_alive(config.keep_alive.max(Duration::from_secs(1)))
            // License lists are a few KB; leave room for large ones.
            .set_max_packet_size(1024 * 1024, 64 * 1024)
            .set_clean_session(true);
        let (client, event_loop) = AsyncClient::new(options, 128);
        let inner = Arc::new(Inner {
            client,
            state: Mutex::new(State::default()),
            offline_after: config.offline_after,
            ready: watch::Sender::new(false),
            task: Mutex::new(None),
        });
        let task = tokio::spawn(run(event_loop, Arc::downgrade(&inner)));
        *lock(&inner.task) = Some(task.abort_handle());
        Ok(DeviceLink { inner })
    }

    /// Whether the link is connected and subscribed.
    pub fn is_ready(&self) -> bool {
        *self.inner.ready.borrow()
    }

    /// Waits until the link is connected and subscribed; false after `within`.
    pub async fn wait_ready(&self, within: Duration) -> bool {
        let mut rx = self.inner.ready.subscribe();
        tokio::time::timeout(within, rx.wait_for(|ready| *ready))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Whether `gateway_sn` is online now.
    pub fn is_online(&self, gateway_sn: &str) -> bool {
        lock(&self.inner.state)
            .gateways
            .get(gateway_sn)
            .is_some_and(|g| g.online && g.last_heard.elapsed() < self.inner.offline_after)
    }

    /// Requests waiting for a reply (for tests: none may be left behind).
    pub fn pending_count(&self) -> usize {
        lock(&self.inner.state).pending.len()
    }

    /// Sends MQTT DISCONNECT; the link stays usable and reconnects on its own.
    pub fn disconnect(&self) {
        let _ = self.inner.client.try_disconnect();
    }

    /// Calls `method` on the gateway: publishes `{bid, tid, timestamp, method, data}` on
    /// `thing/product/{gateway_sn}/services` and waits up to `timeout` for the reply with the
    /// same `tid` (and `bid`, and `method` when the reply names one). `result != 0` is
    /// [`DeviceError::Refused`]; `data` is then read as `Rep`.
    pub async fn call<Req: Serialize, Rep: DeserializeOwned>(
        &self,
        gateway_sn: &str,
        method: &str,
        data: &Req,
        timeout: Duration,
    ) -> Result<Rep, DeviceError> {
        if !valid_sn(gateway_sn) {
            return Err(DeviceError::InvalidSn);
        }
        if !self.is_ready() {
            return Err(DeviceError::BrokerUnavailable("not connected".into()));
        }
        if !self.is_online(gateway_sn) {
            return Err(DeviceError::Offline);
        }
        let tid = uuid::Uuid::new_v4().to_string();
        let bid = uuid::Uuid::new_v4().to_string();
        let payload = serde_json::to_vec(&MqttEnvelope {
            bid: bid.clone(),
            tid: tid.clone(),
            timestamp: now_ms(),
            method: method.to_owned(),
            data,
            gateway: None,
        })
        .map_err(|e| DeviceError::Malformed(format!("request not serializable: {e}")))?;
        let (tx, rx) = oneshot::channel();
        lock(&self.inner.state).pending.insert(
            tid.clone(),
            Pending {
                sn: gateway_sn.to_owned(),
                bid,
                method: method.to_owned(),
                reply: tx,
            },
        );
        // Removes the waiter however this future ends (reply, timeout, caller gone).
        let _guard = PendingGuard {
            inner: &self.inner,
            tid: &tid,
        };
        let deadline = tokio::time::Instant::now() + timeout;
        let publish = self.inner.client.publish(
            format!("thing/product/{gateway_sn}/services"),
            QoS::AtLeastOnce,
            false,
            payload,
        );
        match tokio::time::timeout_at(deadline, publish).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(DeviceError::BrokerUnavailable(e.to_string())),
            Err(_) => return Err(DeviceError::BrokerUnavailable("publish queue full".into())),
        }
        tracing::debug!(sn = gateway_sn, method, tid = %tid, "service sent");
        let data = match tokio::time::timeout_at(deadline, rx).await {
            Err(_) => {
                tracing::info!(sn = gateway_sn, method, tid = %tid, "service timed out");
                return Err(DeviceError::Timeout);
            }
            Ok(Err(_)) => return Err(DeviceError::BrokerUnavailable("link stopped".into())),
            Ok(Ok(reply)) => reply?,
        };
        serde_json::from_value(data).map_err(|e| {
            // serde's message can quote values: keep only its category and place.
            DeviceError::Malformed(format!(
                "data is not a {method} reply ({:?} error at column {})",
                e.classify(),
                e.column()
            ))
        })
    }
}

struct PendingGuard<'a> {
    inner: &'a Inner,
    tid: &'a str,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        lock(&self.inner.state).pending.remove(self.tid);
    }
}

impl Inner {
    fn heard(&self, sn: &str, online: bool) {
        let mut state = lock(&self.state);
        if state.gateways.len() >= MAX_GATEWAYS && !state.gateways.contains_key(sn) {
            let window = self.offline_after;
            state
                .gateways
                .retain(|_, g| g.online && g.last_heard.elapsed() < window);
        }
        state.gateways.insert(
            sn.to_owned(),
            Gateway {
                online,
                last_heard: Instant::now(),
            },
        );
    }

    fn dispatch(&self, topic_name: &str, payload: &[u8]) {
        match topic(topic_name) {
            Some(Topic::Reply(sn)) if valid_sn(sn) => {
                self.heard(sn, true);
                self.on_reply(sn, payload);
            }
            Some(Topic::Status(sn)) if valid_sn(sn) => self.on_status(sn, payload),
            Some(Topic::Osd(sn)) if valid_sn(sn) => self.heard(sn, true),
            _ => tracing::debug!("MQTT message on an unexpected topic ignored"),
        }
    }

    fn on_status(&self, sn: &str, payload: &[u8]) {
        let Ok(message) = serde_json::from_slice::<Value>(payload) else {
            self.heard(sn, true);
            return;
        };
        let method = message["method"].as_str().unwrap_or_default();
        if method == "update_topo" && message["data"]["online"] == json!(false) {
            tracing::info!(sn, "gateway offline (will)");
            self.heard(sn, false);
            return;
        }
        self.heard(sn, true);
        if method == "update_topo" {
            tracing::info!(sn, "gateway online (update_topo)");
            let reply = json!({
                "tid": message["tid"],
                "bid": message["bid"],
                "timestamp": now_ms(),
                "method": "update_topo",
                "data": {"result": 0},
            });
            if let Err(e) = self.client.try_publish(
                format!("sys/product/{sn}/status_reply"),
                QoS::AtLeastOnce,
                false,
                reply.to_string(),
            ) {
                tracing::warn!(sn, "cannot answer update_topo: {e}");
            }
        }
    }

    fn on_reply(&self, sn: &str, payload: &[u8]) {
        let message = serde_json::from_slice::<Value>(payload).ok();
        let tid = message
            .as_ref()
            .and_then(|m| m["tid"].as_str())
            .filter(|t| !t.is_empty());
        let mut state = lock(&self.state);
        let Some((message, tid)) = message.as_ref().zip(tid) else {
            // Unreadable: it can only be routed when one request to this gateway is waiting.
            let mut waiting = state.pending.iter().filter(|(_, p)| p.sn == sn);
            let only = match (waiting.next(), waiting.next()) {
                (Some((tid, _)), None) => Some(tid.clone()),
                _ => None,
            };
            tracing::warn!(sn, "unreadable service reply");
            if let Some(p) = only.and_then(|tid| state.pending.remove(&tid)) {
                let _ = p.reply.send(Err(DeviceError::Malformed(
                    "reply is not a JSON envelope with a tid".into(),
                )));
            }
            return;
        };
        match state.pending.get(tid) {
            None => {
                // Late (timed out) or another proxy instance's request.
                tracing::debug!(sn, tid, "reply for no waiting request");
                return;
            }
            Some(p) if p.sn != sn => {
                tracing::warn!(sn, tid, "reply with our tid from another gateway ignored");
                return;
            }
            Some(_) => {}
        }
        let Some(p) = state.pending.remove(tid) else {
            return;
        };
        drop(state);
        let method = message["method"].as_str().unwrap_or_default();
        let outcome = if message["bid"].as_str() != Some(p.bid.as_str()) {
            Err(DeviceError::Malformed("reply bid does not match".into()))
        } else if !method.is_empty() && method != p.method {
            Err(DeviceError::Malformed("reply method does not match".into()))
        } else {
            match message.get("data") {
                Some(data) if data.is_object() => match result_of(data) {
                    Ok(0) => Ok(data.clone()),
                    Ok(code) => Err(DeviceError::Refused { code }),
                    Err(e) => Err(e),
                },
                _ => Err(DeviceError::Malformed("reply without data".into())),
            }
        };
        tracing::debug!(sn, method = %p.method, tid, ok = outcome.is_ok(), "service reply");
        let _ = p.reply.send(outcome);
    }
}

/// Polls the connection for as long as the link lives. rumqttc reconnects on the next poll
/// after an error; the subscriptions are (re)made on every ConnAck (clean session).
async fn run(mut event_loop: rumqttc::EventLoop, link: Weak<Inner>) {
    let mut backoff = Duration::from_millis(200);
    loop {
        let event = event_loop.poll().await;
        let Some(inner) = link.upgrade() else {
            return;
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!("MQTT link connected");
                backoff = Duration::from_millis(200);
                let filters = [
                    "thing/product/+/services_reply",
                    "sys/product/+/status",
                    "thing/product/+/osd",
                ]
                .map(|f| SubscribeFilter::new(f.to_owned(), QoS::AtLeastOnce));
                if let Err(e) = inner.client.try_subscribe_many(filters) {
                    tracing::warn!("MQTT link cannot subscribe: {e}");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(ack))) => {
                let refused = ack
                    .return_codes
                    .iter()
                    .any(|c| matches!(c, rumqttc::SubscribeReasonCode::Failure));
                if refused {
                    tracing::error!("the broker refused the MQTT link's subscriptions");
                } else {
                    inner.ready.send_replace(true);
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => inner.dispatch(&p.topic, &p.payload),
            Ok(_) => {}
            Err(e) => {
                inner.ready.send_replace(false);
                drop(inner);
                let why = match &e {
                    rumqttc::ConnectionError::NotConnAck(_)
                    | rumqttc::ConnectionError::MqttState(rumqttc::StateError::Deserialization(
                        _,
                    )) => "what answers at DEVICE_MQTT_BROKER is not an MQTT broker".to_owned(),
                    e => e.to_string(),
                };
                tracing::warn!("MQTT link: {why}; reconnecting in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_addresses() {
        assert_eq!(
            broker_address("tcp://127.0.0.1:1883").ok(),
            Some(("127.0.0.1".into(), 1883))
        );
        assert_eq!(
            broker_address("mqtt://broker.example:8883/").ok(),
            Some(("broker.example".into(), 8883))
        );
        assert_eq!(
            broker_address("localhost:1").ok(),
            Some(("localhost".into(), 1))
        );
        assert_eq!(
            broker_address("tcp://[::1]:1883").ok(),
            Some(("::1".into(), 1883))
        );
        for bad in ["ws://h:1/mqtt", "tcp://h", "h:x", "tcp://:1", "wss://h:1"] {
            assert!(broker_address(bad).is_err(), "{bad}");
        }
        // credentials belong to DEVICE_MQTT_USERNAME/_PASSWORD, and are never quoted
        let said = broker_address("tcp://u:MQPW@127.0.0.1:1883")
            .expect_err("credentials")
            .to_string();
        assert!(!said.contains("MQPW"), "{said}");
    }

    #[test]
    fn topics_and_serial_numbers() {
        assert!(matches!(
            topic("thing/product/5YSZL260021E9W/services_reply"),
            Some(Topic::Reply("5YSZL260021E9W"))
        ));
        assert!(matches!(
            topic("sys/product/X/status"),
            Some(Topic::Status("X"))
        ));
        assert!(matches!(
            topic("thing/product/X/osd"),
            Some(Topic::Osd("X"))
        ));
        assert!(topic("thing/product/X/osd/more").is_none());
        assert!(topic("sys/product/X/status_reply").is_none());
        assert!(valid_sn("5YSZL260021E9W"));
        for bad in ["", "a/b", "+", "#", "a b", &"x".repeat(65)] {
            assert!(!valid_sn(bad), "{bad}");
        }
    }

    #[test]
    fn results() {
        assert_eq!(result_of(&json!({"result": 0})), Ok(0));
        assert_eq!(result_of(&json!({"result": 314001})), Ok(314001));
        assert!(matches!(
            result_of(&json!({"result": "0"})),
            Err(DeviceError::Malformed(_))
        ));
        assert!(matches!(
            result_of(&json!({})),
            Err(DeviceError::Malformed(_))
        ));
    }
}
