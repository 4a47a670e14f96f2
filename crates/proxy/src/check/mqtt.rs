//! The MQTT broker: reachable at the addresses the proxy gives out and uses, anonymous login
//! refused (the seed: "pre-configure the login password … remove the anonymous login"), the
//! pilots' accounts and the platform's own account accepted.
//!
//! `tcp://` and `ssl://` are probed with rumqttc; `ws://` and `wss://` (what the browser demo
//! and some Pilot 2 set-ups use) with a minimal WebSocket MQTT CONNECT written here, since the
//! MQTT client is built without its WebSocket transport.

use super::{Report, Status};
use crate::config::Config;
use rumqttc::tokio_rustls::rustls::pki_types::ServerName;
use rumqttc::tokio_rustls::rustls::{ClientConfig, RootCertStore};
use rumqttc::tokio_rustls::TlsConnector;
use rumqttc::{
    AsyncClient, ConnectReturnCode, Event, MqttOptions, Packet, TlsConfiguration, Transport,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

const AREA: &str = "MQTT broker";
const WAIT: Duration = Duration::from_secs(5);

/// How a broker address is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Tcp,
    Tls,
    Ws,
    Wss,
}

/// A broker address as the settings give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
    /// The WebSocket path (`/mqtt`).
    pub path: String,
}

impl Broker {
    /// `tcp://`, `mqtt://`, bare `host:port` (1883); `ssl://`, `mqtts://`, `tls://` (8883);
    /// `ws://` (80), `wss://` (443) with their path.
    pub fn parse(raw: &str) -> Result<Broker, String> {
        let raw = raw.trim();
        // quoted in errors without `user:password@`
        let shown = crate::settings::without_credentials(raw);
        let with_scheme = if raw.contains("://") {
            raw.to_owned()
        } else {
            format!("tcp://{raw}")
        };
        let url = url::Url::parse(&with_scheme).map_err(|e| format!("{shown:?}: {e}"))?;
        let (scheme, default_port) = match url.scheme() {
            "tcp" | "mqtt" => (Scheme::Tcp, 1883),
            "ssl" | "mqtts" | "tls" => (Scheme::Tls, 8883),
            "ws" => (Scheme::Ws, 80),
            "wss" => (Scheme::Wss, 443),
            other => return Err(format!("{shown:?}: unknown scheme {other}")),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "{shown:?}: no user:password@ in a broker address (the accounts have their own \
                 settings)"
            ));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("{shown:?}: no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        Ok(Broker {
            scheme,
            host,
            port: url.port().unwrap_or(default_port),
            path: if url.path().is_empty() {
                "/".into()
            } else {
                url.path().to_owned()
            },
        })
    }
}

/// A connection closed without a CONNACK.
const HUNG_UP: &str = "the broker hung up";

/// What a CONNECT got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connect {
    Accepted,
    /// The broker answered with a CONNACK refusing the login.
    Refused(String),
    /// The connection closed without a CONNACK: how some brokers (rumqttd) refuse a login,
    /// and also what a TLS listener does to a plain CONNECT.
    HungUp(String),
    /// Something answered, but no CONNACK came: not MQTT, a TLS failure, a hang-up, silence.
    Failed(String),
    /// No TCP connection.
    Unreachable(String),
}

/// The system's trusted roots (`SSL_CERT_FILE` is honoured).
fn client_tls() -> ClientConfig {
    let mut roots = RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// One MQTT 3.1.1 CONNECT to `broker` (anonymous when `account` is `None`), then gone.
pub async fn connect(broker: &Broker, account: Option<(&str, &str)>) -> Connect {
    let addr = (broker.host.as_str(), broker.port);
    let tcp = match tokio::time::timeout(WAIT, TcpStream::connect(addr)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => return Connect::Unreachable(e.to_string()),
        Err(_) => return Connect::Unreachable("no TCP connection within 5 s".into()),
    };
    let client_id = format!(
        "pilot-portal-check-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    match broker.scheme {
        Scheme::Tcp | Scheme::Tls => {
            drop(tcp);
            let tls = (broker.scheme == Scheme::Tls)
                .then(|| TlsConfiguration::Rustls(Arc::new(client_tls())));
            connect_rumqttc(broker, &client_id, account, tls).await
        }
        Scheme::Ws => {
            let packet = connect_packet(&client_id, account);
            classify(ws_connect(tcp, broker, &packet).await)
        }
        Scheme::Wss => {
            let Ok(name) = ServerName::try_from(broker.host.clone()) else {
                return Connect::Failed(format!("{:?} is not a TLS server name", broker.host));
            };
            let connector = TlsConnector::from(Arc::new(client_tls()));
            let tls = match tokio::time::timeout(WAIT, connector.connect(name, tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => return Connect::Failed(format!("TLS: {e}")),
                Err(_) => return Connect::Failed("TLS: no handshake within 5 s".into()),
            };
            let packet = connect_packet(&client_id, account);
            classify(ws_connect(tls, broker, &packet).await)
        }
    }
}

/// Whether a TLS server answers at the broker's address (a handshake that gets as far as the
/// server's certificate, trusted or not).
async fn speaks_tls(broker: &Broker) -> bool {
    let Ok(Ok(tcp)) = tokio::time::timeout(
        WAIT,
        TcpStream::connect((broker.host.as_str(), broker.port)),
    )
    .await
    else {
        return false;
    };
    let Ok(name) = ServerName::try_from(broker.host.clone()) else {
        return false;
    };
    let connector = TlsConnector::from(Arc::new(client_tls()));
    match tokio::time::timeout(WAIT, connector.connect(name, tcp)).await {
        Ok(Ok(_)) => true,
        Ok(Err(e)) => e.to_string().contains("certificate"),
        Err(_) => false,
    }
}

/// rumqttc's CONNECT over TCP or TLS (`tls`: its configuration, e.g. a test CA).
pub async fn connect_rumqttc(
    broker: &Broker,
    client_id: &str,
    account: Option<(&str, &str)>,
    tls: Option<TlsConfiguration>,
) -> Connect {
    let mut options = MqttOptions::new(client_id, broker.host.clone(), broker.port);
    options
        .set_keep_alive(Duration::from_secs(5))
        .set_clean_session(true);
    if let Some((user, password)) = account {
        options.set_credentials(user, password);
    }
    if let Some(tls) = tls {
        options.set_transport(Transport::tls_with_config(tls));
    }
    let (client, mut events) = AsyncClient::new(options, 10);
    let first = tokio::time::timeout(WAIT, async {
        loop {
            match events.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(ack))) => return Ok(ack.code),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    })
    .await;
    let outcome = match first {
        Ok(Ok(ConnectReturnCode::Success)) => Connect::Accepted,
        Ok(Ok(code)) => Connect::Refused(format!("CONNACK {code:?}")),
        Ok(Err(rumqttc::ConnectionError::ConnectionRefused(code))) => {
            Connect::Refused(format!("CONNACK {code:?}"))
        }
        // bytes that are not MQTT, a TLS failure or silence are no broker at that address
        Ok(Err(
            e @ (rumqttc::ConnectionError::MqttState(
                rumqttc::StateError::ConnectionAborted | rumqttc::StateError::Io(_),
            )
            | rumqttc::ConnectionError::Io(_)),
        )) => Connect::HungUp(e.to_string()),
        // something answered, but not as a broker answers a CONNECT
        Ok(Err(
            rumqttc::ConnectionError::NotConnAck(_)
            | rumqttc::ConnectionError::MqttState(rumqttc::StateError::Deserialization(_)),
        )) => Connect::Failed("what answered is not an MQTT broker (no CONNACK)".into()),
        Ok(Err(e)) => Connect::Failed(e.to_string()),
        Err(_) => Connect::Failed("no CONNACK within 5 s".into()),
    };
    if outcome == Connect::Accepted {
        let _ = client.try_disconnect();
        let _ = tokio::time::timeout(Duration::from_millis(200), events.poll()).await;
    }
    outcome
}

/// An MQTT 3.1.1 CONNECT packet (clean session, 30 s keep-alive).
fn connect_packet(client_id: &str, account: Option<(&str, &str)>) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, value: &[u8]) {
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&value[..usize::from(len)]);
    }
    let mut body = Vec::new();
    field(&mut body, b"MQTT");
    let flags = 0x02 | account.map_or(0, |_| 0xC0);
    body.extend_from_slice(&[4, flags, 0, 30]);
    field(&mut body, client_id.as_bytes());
    if let Some((user, password)) = account {
        field(&mut body, user.as_bytes());
        field(&mut body, password.as_bytes());
    }
    let mut packet = vec![0x10];
    let mut len = body.len();
    loop {
        let mut byte = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            byte |= 0x80;
        }
        packet.push(byte);
        if len == 0 {
            break;
        }
    }
    packet.extend(body);
    packet
}

fn classify(connack: Result<Vec<u8>, String>) -> Connect {
    match connack {
        Ok(p) if p.len() >= 4 && p[0] == 0x20 && p[3] == 0 => Connect::Accepted,
        Ok(p) if p.len() >= 4 && p[0] == 0x20 => Connect::Refused(format!("CONNACK code {}", p[3])),
        Ok(_) => Connect::Failed("not a CONNACK".into()),
        // as over TCP: a hang-up is a refusal
        Err(e) if e == HUNG_UP => Connect::HungUp(e),
        Err(e) => Connect::Failed(e),
    }
}

/// WebSocket handshake (subprotocol `mqtt`), one binary frame with `packet`, the first frame
/// back. Enough to see a CONNACK; not a general client.
async fn ws_connect<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    broker: &Broker,
    packet: &[u8],
) -> Result<Vec<u8>, String> {
    let io = |e: std::io::Error| e.to_string();
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}:{}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: mqtt\r\n\r\n",
        broker.path, broker.host, broker.port
    );
    let exchange = async {
        stream.write_all(request.as_bytes()).await.map_err(io)?;
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 8192 || stream.read(&mut byte).await.map_err(io)? == 0 {
                return Err("the WebSocket handshake was not answered".to_owned());
            }
            head.push(byte[0]);
        }
        let status = String::from_utf8_lossy(&head);
        if !status.starts_with("HTTP/1.1 101") {
            let line = status.lines().next().unwrap_or("").to_owned();
            return Err(format!("WebSocket upgrade refused: {line}"));
        }
        // one masked binary frame (clients must mask)
        let mask = [0x5a, 0x17, 0xc3, 0x81];
        let mut frame = vec![0x82];
        match packet.len() {
            n @ 0..=125 => frame.push(0x80 | n as u8),
            n => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(packet.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        stream.write_all(&frame).await.map_err(io)?;
        let mut header = [0u8; 2];
        stream
            .read_exact(&mut header)
            .await
            .map_err(|_| HUNG_UP.to_owned())?;
        if header[0] & 0x0f == 0x8 {
            return Err("the broker closed the WebSocket".into());
        }
        let len = match header[1] & 0x7f {
            126 => {
                let mut l = [0u8; 2];
                stream.read_exact(&mut l).await.map_err(io)?;
                usize::from(u16::from_be_bytes(l))
            }
            127 => return Err("a frame too long for a CONNACK".into()),
            n => usize::from(n),
        };
        let mut payload = vec![0u8; len.min(1024)];
        stream
            .read_exact(&mut payload)
            .await
            .map_err(|_| HUNG_UP.to_owned())?;
        Ok(payload)
    };
    tokio::time::timeout(WAIT, exchange)
        .await
        .unwrap_or_else(|_| Err("no answer within 5 s".into()))
}

/// The checks of one broker address: reachable, anonymous refused, these accounts accepted.
async fn check_broker(
    report: &mut Report,
    setting: &'static str,
    raw: &str,
    accounts: &[(String, String, &'static str)],
) {
    let shown = crate::settings::without_credentials(raw);
    let raw = shown.as_str();
    let broker = match Broker::parse(raw) {
        Ok(b) => b,
        Err(e) => {
            report.push(
                AREA,
                Status::Contradicted {
                    setting: Some(setting.into()),
                },
                "the broker address can be used",
                e,
            );
            return;
        }
    };
    let anonymous = connect(&broker, None).await;
    // A TLS listener given as tcp:// hangs up on a CONNECT (as rumqttd refusing one does) or
    // answers with an alert: a handshake tells. A TLS failure or a server that is not MQTT
    // proves nothing about logins.
    let not_a_broker = match &anonymous {
        Connect::HungUp(_) | Connect::Failed(_)
            if broker.scheme == Scheme::Tcp && speaks_tls(&broker).await =>
        {
            Some("TLS answers there, not plain MQTT: use ssl://".to_owned())
        }
        Connect::Unreachable(e) | Connect::Failed(e) => Some(e.clone()),
        _ => None,
    };
    if let Some(why) = not_a_broker {
        report.push(
            AREA,
            Status::Contradicted {
                setting: Some(setting.into()),
            },
            "the broker is reachable",
            format!("{setting} {raw}: {why}"),
        );
        return;
    }
    let mut logins = Vec::new();
    for (user, password, account_setting) in accounts {
        logins.push((
            user,
            *account_setting,
            connect(&broker, Some((user, password))).await,
        ));
    }
    report.push(
        AREA,
        Status::Confirmed,
        "the broker is reachable",
        format!("{setting} {raw}"),
    );
    let (status, seen) = match &anonymous {
        Connect::Accepted => (
            Status::Contradicted {
                setting: Some("the broker's allow_anonymous (deploy/mosquitto)".into()),
            },
            "an anonymous CONNECT was accepted".to_owned(),
        ),
        Connect::Refused(why)
        | Connect::HungUp(why)
        | Connect::Failed(why)
        | Connect::Unreachable(why) => (Status::Confirmed, why.clone()),
    };
    report.push(
        AREA,
        status,
        "anonymous login is refused",
        format!("{setting}: {seen}"),
    );
    for (user, account_setting, login) in logins {
        let (status, seen) = match login {
            Connect::Accepted => (Status::Confirmed, String::new()),
            Connect::HungUp(_) => (
                Status::Contradicted {
                    setting: Some(account_setting.into()),
                },
                " (hung up without a CONNACK: a wrong password to some brokers, or no MQTT \
                 broker at this address)"
                    .to_owned(),
            ),
            Connect::Refused(why) | Connect::Failed(why) | Connect::Unreachable(why) => (
                Status::Contradicted {
                    setting: Some(account_setting.into()),
                },
                format!(" ({why})"),
            ),
        };
        report.push(
            AREA,
            status,
            "the account is accepted",
            format!("{user} on {setting}{seen}"),
        );
    }
}

pub(super) async fn check(config: &Config, report: &mut Report) {
    if config.mqtt_broker.trim().is_empty() {
        report.push(
            AREA,
            Status::Off,
            "Pilot 2's cloud module",
            "MQTT_BROKER is empty".into(),
        );
    } else {
        let pilots: Vec<(String, String, &'static str)> = config
            .mqtt_credentials
            .iter()
            .filter_map(|entry| {
                let (_, cred) = entry.trim().split_once('=')?;
                let (user, password) = cred.split_once(':')?;
                Some((user.to_owned(), password.to_owned(), "MQTT_CREDENTIALS"))
            })
            .collect();
        check_broker(report, "MQTT_BROKER", &config.mqtt_broker, &pilots).await;
    }
    if config.device_mqtt_broker.trim().is_empty() {
        report.push(
            AREA,
            Status::Off,
            "the platform's own MQTT account",
            "DEVICE_MQTT_BROKER is empty".into(),
        );
    } else if let Err(e) = crate::devices::broker_address(config.device_mqtt_broker.trim()) {
        // what the proxy's own client can use, as a start parses it
        report.push(
            AREA,
            Status::Contradicted {
                setting: Some("DEVICE_MQTT_BROKER".into()),
            },
            "the broker address can be used",
            e.to_string(),
        );
    } else {
        let platform = [(
            config.device_mqtt_username.clone(),
            config.device_mqtt_password.clone(),
            "DEVICE_MQTT_USERNAME / DEVICE_MQTT_PASSWORD",
        )];
        check_broker(
            report,
            "DEVICE_MQTT_BROKER",
            &config.device_mqtt_broker,
            &platform,
        )
        .await;
    }
    report.push(
        AREA,
        Status::NotCheckable {
            needs: "a second controller (the broker test of deploy/mosquitto shows the rules)",
        },
        "a pilot's account reaches only its own controller's topics",
        "the ACL is generated from MQTT_CREDENTIALS and DEVICE_OWNERS".into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_addresses() {
        let b = Broker::parse("ws://127.0.0.1:8095/mqtt").expect("ws");
        assert_eq!(
            (b.scheme, b.port, b.path.as_str()),
            (Scheme::Ws, 8095, "/mqtt")
        );
        assert_eq!(
            Broker::parse("broker.example:1884").expect("bare").scheme,
            Scheme::Tcp
        );
        assert_eq!(Broker::parse("mqtts://b.example").expect("tls").port, 8883);
        assert_eq!(
            Broker::parse("wss://b.example/mqtt").expect("wss").port,
            443
        );
        assert!(Broker::parse("http://b.example").is_err());
    }

    #[test]
    fn connect_packets_are_mqtt_3_1_1() {
        let p = connect_packet("id", Some(("u", "p")));
        assert_eq!(p[0], 0x10);
        assert_eq!(usize::from(p[1]), p.len() - 2);
        assert_eq!(&p[2..8], b"\0\x04MQTT");
        assert_eq!(p[9], 0xC2, "clean session, username, password");
        assert_eq!(connect_packet("id", None)[9], 0x02);
    }
}
