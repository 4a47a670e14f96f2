//! The production broker (`deploy/mosquitto/mosquitto.conf`, Debian's mosquitto 2) with the
//! password and ACL files `pilot-portal-proxy mosquitto-config` writes, on free loopback ports
//! with a test CA made here with `openssl`. The cloud journey goes through it: a pilot's
//! gateway connects over TLS and answers a service the platform's link (the proxy's
//! `DeviceLink`, plain TCP on loopback) calls. A pilot's account cannot send services, to
//! another controller or its own, nor read another controller's topics; anonymous and wrong
//! passwords are refused.
//!
//! Needs the mosquitto binary: `PILOT_PORTAL_TEST_MOSQUITTO=/usr/sbin/mosquitto cargo test
//! -p pilot-portal-proxy --test mosquitto -- --ignored` (`cargo xtask test` installs Debian's
//! `mosquitto` and runs it so).

use pilot_portal_proxy::check::mqtt::{connect_rumqttc, Broker, Connect, Scheme};
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::devices::{DeviceLink, DeviceLinkConfig};
use pilot_portal_proxy::mosquitto;
use pilot_portal_shared::unlock::DeviceModelDomain;
use rumqttc::{
    AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS, TlsConfiguration, Transport,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PILOT_SN: &str = "5YSZL260021E9W";
const COPILOT_SN: &str = "4GHRK990011B2X";
const PLATFORM: (&str, &str) = ("mqtt-platform", "platform-secret-1");
const PILOT: (&str, &str) = ("mqtt-pilot", "pilot-secret-1");
const COPILOT: (&str, &str) = ("mqtt-copilot", "copilot-secret-1");

/// mosquitto, stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA and a server certificate for 127.0.0.1 signed by it.
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=pilot-portal test CA",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

/// The shipped configuration with this test's ports and files: every line replaced must be
/// there, so a change to the shipped file that the test does not follow fails here.
fn test_conf(dir: &Path, plain: u16, tls: u16) -> PathBuf {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/mosquitto/mosquitto.conf"),
    )
    .expect("deploy/mosquitto/mosquitto.conf");
    let files = dir.display().to_string();
    let mut conf = shipped.clone();
    for (from, to) in [
        (
            "listener 1883 127.0.0.1",
            format!("listener {plain} 127.0.0.1"),
        ),
        ("listener 8883\n", format!("listener {tls} 127.0.0.1\n")),
        ("/etc/mosquitto/pilot-portal/", format!("{files}/")),
        (
            "/etc/mosquitto/certs/pilot-portal.crt",
            format!("{files}/server.crt"),
        ),
        (
            "/etc/mosquitto/certs/pilot-portal.key",
            format!("{files}/server.key"),
        ),
    ] {
        assert!(
            conf.contains(from),
            "the shipped mosquitto.conf has no {from:?}"
        );
        conf = conf.replace(from, &to);
    }
    // as root mosquitto would switch to its own user, who cannot read this temp directory
    conf.push_str("\nuser root\nlog_dest stderr\n");
    let path = dir.join("mosquitto.conf");
    std::fs::write(&path, conf).expect("conf");
    path
}

fn start(bin: &str, conf: &Path, ports: [u16; 2], log: &Path) -> Running {
    let log = std::fs::File::create(log).expect("log");
    let child = Command::new(bin)
        .arg("-c")
        .arg(conf)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("mosquitto starts");
    let running = Running(child);
    for port in ports {
        let up = (0..200).any(|_| {
            let ok = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
            if !ok {
                std::thread::sleep(Duration::from_millis(50));
            }
            ok
        });
        assert!(up, "mosquitto is not listening on {port}");
    }
    running
}

fn tls(dir: &Path) -> TlsConfiguration {
    TlsConfiguration::Simple {
        ca: std::fs::read(dir.join("ca.crt")).expect("ca"),
        alpn: None,
        client_auth: None,
    }
}

/// An MQTT client (over TLS when `tls` is given), connected (CONNACK seen) with its event loop
/// running.
async fn client(
    port: u16,
    tls: Option<TlsConfiguration>,
    account: (&str, &str),
    id: &str,
) -> (AsyncClient, tokio::sync::mpsc::UnboundedReceiver<Packet>) {
    let mut options = MqttOptions::new(id, "127.0.0.1", port);
    options
        .set_credentials(account.0, account.1)
        .set_keep_alive(Duration::from_secs(5));
    if let Some(tls) = tls {
        options.set_transport(Transport::tls_with_config(tls));
    }
    let (client, events) = AsyncClient::new(options, 32);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(pump(events, tx));
    let connack = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("CONNACK in time");
    assert!(matches!(connack, Some(Packet::ConnAck(_))), "{connack:?}");
    (client, rx)
}

async fn pump(mut events: EventLoop, tx: tokio::sync::mpsc::UnboundedSender<Packet>) {
    loop {
        match events.poll().await {
            Ok(Event::Incoming(packet)) => {
                if tx.send(packet).is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

/// The next packet matching `want` within `wait`.
async fn next(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Packet>,
    wait: Duration,
    want: impl Fn(&Packet) -> bool,
) -> Option<Packet> {
    tokio::time::timeout(wait, async {
        while let Some(p) = rx.recv().await {
            if want(&p) {
                return Some(p);
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
}

fn publish_on(topic: &str) -> impl Fn(&Packet) -> bool + '_ {
    move |p| matches!(p, Packet::Publish(m) if m.topic == topic)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs mosquitto: PILOT_PORTAL_TEST_MOSQUITTO=/usr/sbin/mosquitto"]
async fn the_cloud_journey_through_the_production_broker() {
    let bin = std::env::var("PILOT_PORTAL_TEST_MOSQUITTO")
        .expect("PILOT_PORTAL_TEST_MOSQUITTO: the mosquitto binary");
    let dir = tempfile::tempdir().expect("dir");
    let (plain, tls_port) = (free_port(), free_port());
    certificates(dir.path());
    // the proxy's own settings, as an operator writes them
    let config = Config::from_env_pairs([
        (
            "MQTT_CREDENTIALS",
            format!(
                "pilot={}:{},copilot={}:{}",
                PILOT.0, PILOT.1, COPILOT.0, COPILOT.1
            ),
        ),
        (
            "DEVICE_OWNERS",
            format!("pilot={PILOT_SN},copilot={COPILOT_SN}"),
        ),
        ("MQTT_BROKER", format!("ssl://127.0.0.1:{tls_port}")),
        ("DEVICE_MQTT_BROKER", format!("tcp://127.0.0.1:{plain}")),
        ("DEVICE_MQTT_USERNAME", PLATFORM.0.to_owned()),
        ("DEVICE_MQTT_PASSWORD", PLATFORM.1.to_owned()),
    ])
    .expect("config");
    let written = mosquitto::write_files(&config, dir.path()).expect("passwd and acl");
    assert_eq!(written.len(), 2);
    let conf = test_conf(dir.path(), plain, tls_port);
    let log = dir.path().join("mosquitto.log");
    let _broker = start(&bin, &conf, [plain, tls_port], &log);
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();

    // anonymous and wrong passwords are refused on both listeners
    let tls_broker = Broker {
        scheme: Scheme::Tls,
        host: "127.0.0.1".into(),
        port: tls_port,
        path: "/".into(),
    };
    let plain_broker = Broker {
        scheme: Scheme::Tcp,
        port: plain,
        ..tls_broker.clone()
    };
    for (account, what) in [
        (None, "anonymous"),
        (Some((PILOT.0, "wrong")), "a wrong password"),
    ] {
        let over_tls =
            connect_rumqttc(&tls_broker, "probe-tls", account, Some(tls(dir.path()))).await;
        assert!(
            matches!(over_tls, Connect::Refused(_) | Connect::HungUp(_)),
            "{what} over TLS: {over_tls:?}"
        );
        let over_tcp = connect_rumqttc(&plain_broker, "probe-tcp", account, None).await;
        assert!(
            matches!(over_tcp, Connect::Refused(_) | Connect::HungUp(_)),
            "{what} over TCP: {over_tcp:?}"
        );
    }
    assert_eq!(
        connect_rumqttc(&tls_broker, "probe-ok", Some(PILOT), Some(tls(dir.path()))).await,
        Connect::Accepted
    );

    // the platform's link, as the proxy runs it
    let link = DeviceLink::start(DeviceLinkConfig::new(
        &config.device_mqtt_broker,
        PLATFORM.0,
        PLATFORM.1,
    ))
    .expect("link");
    assert!(
        link.wait_ready(Duration::from_secs(5)).await,
        "{}",
        log_text()
    );

    // the pilot's controller (Pilot 2's cloud module) over TLS: comes online, answers services
    let (gateway, mut gateway_rx) =
        client(tls_port, Some(tls(dir.path())), PILOT, "pilot2-gateway").await;
    let services = format!("thing/product/{PILOT_SN}/services");
    gateway
        .subscribe(&services, QoS::AtLeastOnce)
        .await
        .expect("subscribe");
    let suback = next(&mut gateway_rx, Duration::from_secs(5), |p| {
        matches!(p, Packet::SubAck(_))
    })
    .await;
    assert!(
        matches!(&suback, Some(Packet::SubAck(s)) if s.return_codes.iter().all(|c| matches!(c, rumqttc::SubscribeReasonCode::Success(_)))),
        "the pilot may read its own services: {suback:?}"
    );
    let topo = pilot_portal_sim::gateway::update_topo(PILOT_SN, None);
    gateway
        .publish(
            format!("sys/product/{PILOT_SN}/status"),
            QoS::AtLeastOnce,
            false,
            topo.to_string(),
        )
        .await
        .expect("update_topo");
    let online = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        link.is_online(PILOT_SN)
    });
    assert!(
        online,
        "the platform hears the pilot's update_topo\n{}",
        log_text()
    );

    let answering = tokio::spawn({
        let gateway = gateway.clone();
        let services = services.clone();
        async move {
            let request = next(
                &mut gateway_rx,
                Duration::from_secs(10),
                publish_on(&services),
            )
            .await;
            let Some(Packet::Publish(request)) = request else {
                return (false, gateway_rx);
            };
            let request: Value = serde_json::from_slice(&request.payload).unwrap_or(Value::Null);
            let reply = json!({
                "bid": request["bid"], "tid": request["tid"], "timestamp": 0,
                "method": request["method"],
                "data": {"result": 0, "device_model_domain": 0, "consistence": true, "licenses": []}
            });
            let sent = gateway
                .publish(
                    format!("thing/product/{PILOT_SN}/services_reply"),
                    QoS::AtLeastOnce,
                    false,
                    reply.to_string(),
                )
                .await;
            (sent.is_ok(), gateway_rx)
        }
    });
    let reply = link
        .list_licenses(
            PILOT_SN,
            DeviceModelDomain::Aircraft,
            Duration::from_secs(10),
        )
        .await;
    let (answered, mut gateway_rx) = answering.await.expect("gateway task");
    assert!(answered, "the service reached the pilot's controller");
    let reply = reply.expect("the platform got the controller's reply");
    assert_eq!(reply.result, 0);

    // another pilot's account cannot send services: not to another controller, and the
    // pilot's own account not even to its own
    let (copilot, mut copilot_rx) =
        client(tls_port, Some(tls(dir.path())), COPILOT, "copilot-gateway").await;
    copilot
        .publish(
            &services,
            QoS::AtLeastOnce,
            false,
            r#"{"method":"unlock_license_switch"}"#,
        )
        .await
        .expect("publish (dropped by the broker)");
    gateway
        .publish(
            &services,
            QoS::AtLeastOnce,
            false,
            r#"{"method":"unlock_license_update"}"#,
        )
        .await
        .expect("publish (dropped by the broker)");
    assert!(
        next(
            &mut gateway_rx,
            Duration::from_millis(1500),
            publish_on(&services)
        )
        .await
        .is_none(),
        "no service from a pilot's account was delivered"
    );
    // nor read another controller's topics (mosquitto grants the subscription and delivers
    // nothing the ACL does not allow), while its own services reach it
    let copilot_services = format!("thing/product/{COPILOT_SN}/services");
    for filter in [
        format!("thing/product/{PILOT_SN}/#"),
        copilot_services.clone(),
    ] {
        copilot
            .subscribe(filter, QoS::AtLeastOnce)
            .await
            .expect("subscribe");
        next(&mut copilot_rx, Duration::from_secs(5), |p| {
            matches!(p, Packet::SubAck(_))
        })
        .await
        .expect("SUBACK");
    }
    let (platform, _platform_rx) = client(plain, None, PLATFORM, "platform-probe").await;
    platform
        .publish(
            &copilot_services,
            QoS::AtLeastOnce,
            false,
            r#"{"method":"unlock_license_list"}"#,
        )
        .await
        .expect("platform publishes");
    gateway
        .publish(
            format!("thing/product/{PILOT_SN}/osd"),
            QoS::AtLeastOnce,
            false,
            "{}",
        )
        .await
        .expect("osd");
    let seen = next(&mut copilot_rx, Duration::from_secs(5), |p| {
        matches!(p, Packet::Publish(_))
    })
    .await;
    assert!(
        matches!(&seen, Some(Packet::Publish(m)) if m.topic == copilot_services),
        "the platform's service reaches the copilot's controller: {seen:?}"
    );
    assert!(
        next(&mut copilot_rx, Duration::from_millis(1500), |p| matches!(
            p,
            Packet::Publish(_)
        ))
        .await
        .is_none(),
        "another controller's osd is not delivered"
    );
    // the platform still reaches the controller afterwards
    assert!(link.is_online(PILOT_SN));
}
