//! A real MQTT broker (rumqttd) for the demo and the tests, accepting exactly the configured
//! username/password pairs, on TCP (`tcp://`, as DJI Pilot 2 connects) and WebSocket
//! (`ws://`, which the browser emulator of Pilot 2 can reach).

use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};
use std::collections::HashMap;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub struct MqttBroker {
    pub tcp: SocketAddr,
    pub ws: SocketAddr,
}

impl MqttBroker {
    pub fn tcp_url(&self) -> String {
        format!("tcp://{}", self.tcp)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/mqtt", self.ws)
    }
}

fn server(name: &str, listen: SocketAddr, credentials: &HashMap<String, String>) -> ServerSettings {
    ServerSettings {
        name: name.to_owned(),
        listen,
        tls: None,
        next_connection_delay_ms: 1,
        connections: ConnectionSettings {
            connection_timeout_ms: 5000,
            max_payload_size: 256 * 1024,
            max_inflight_count: 100,
            auth: Some(credentials.clone()),
            external_auth: None,
            dynamic_filters: true,
        },
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts the broker on a background thread (rumqttd runs its own runtime) and waits until
/// both listeners accept. Port 0 picks free ports.
pub fn start(
    credentials: HashMap<String, String>,
    tcp: SocketAddr,
    ws: SocketAddr,
) -> std::io::Result<MqttBroker> {
    let pick = |a: SocketAddr| -> std::io::Result<SocketAddr> {
        Ok(if a.port() == 0 {
            SocketAddr::new(a.ip(), free_port()?)
        } else {
            a
        })
    };
    let (tcp, ws) = (pick(tcp)?, pick(ws)?);
    let config = Config {
        id: 0,
        router: RouterConfig {
            max_connections: 1000,
            max_outgoing_packet_count: 200,
            max_segment_size: 104_857_600,
            max_segment_count: 10,
            ..RouterConfig::default()
        },
        v4: Some(HashMap::from([(
            "tcp".to_owned(),
            server("tcp", tcp, &credentials),
        )])),
        ws: Some(HashMap::from([(
            "ws".to_owned(),
            server("ws", ws, &credentials),
        )])),
        ..Config::default()
    };
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            if let Err(e) = Broker::new(config).start() {
                tracing::error!("MQTT broker stopped: {e}");
            }
        })?;
    for addr in [tcp, ws] {
        let mut up = false;
        for _ in 0..200 {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                up = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        if !up {
            return Err(std::io::Error::other(format!(
                "MQTT broker not listening on {addr}"
            )));
        }
    }
    Ok(MqttBroker { tcp, ws })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// An MQTT 3.1.1 CONNECT with username and password.
    fn connect_packet(user: &str, pass: &str) -> Vec<u8> {
        let s = |v: &str| {
            let mut b = (v.len() as u16).to_be_bytes().to_vec();
            b.extend_from_slice(v.as_bytes());
            b
        };
        let mut body = s("MQTT");
        body.extend_from_slice(&[4, 0xC2, 0, 60]);
        body.extend(s("test-client"));
        body.extend(s(user));
        body.extend(s(pass));
        let mut packet = vec![0x10, body.len() as u8];
        packet.extend(body);
        packet
    }

    fn try_connect(addr: SocketAddr, user: &str, pass: &str) -> bool {
        let Ok(mut s) = TcpStream::connect(addr) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
        if s.write_all(&connect_packet(user, pass)).is_err() {
            return false;
        }
        let mut ack = [0u8; 4];
        s.read_exact(&mut ack).is_ok() && ack[0] == 0x20 && ack[3] == 0
    }

    #[test]
    fn accepts_exactly_the_configured_credentials() {
        let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let broker = start(
            HashMap::from([("mqtt-pilot".into(), "secret".into())]),
            any,
            any,
        )
        .expect("broker");
        assert!(try_connect(broker.tcp, "mqtt-pilot", "secret"));
        assert!(!try_connect(broker.tcp, "mqtt-pilot", "wrong"));
        assert!(!try_connect(broker.tcp, "nobody", "secret"));
    }
}
