//! The demo stack: every simulator and the MQTT broker in this process, with the demo
//! accounts, and the proxy settings that point at them.
//!
//! One place for what `pilot-portal-sim` runs, what `cargo xtask serve` and `bench` pass to
//! the proxy (through `--proxy-env-file`) and what the tests start (`pilot-portal-testkit`):
//! the settings are built from the simulators' own constants, never re-typed.
//!
//! Remote unlocking: the broker also knows the platform's own MQTT account (the proxy's link to
//! the gateways), and the stack owns a temporary license directory holding one demo offline
//! license file. No gateway runs here by default: in the browser demo and the e2e tests the
//! gateway is the simulated Pilot 2 in the page (`public/pilot2-emulator.js` answers the
//! services on its own MQTT connection, as Pilot 2 does). [`DemoOptions::gateway`] starts the
//! Rust [`SimGateway`] instead, for tests without a browser.

use crate::flighthub::{FlightHubSim, DEMO_ORG_KEY};
use crate::gateway::{GatewayConfig, SimGateway, DEMO_GATEWAY_SN};
use crate::mqtt::MqttBroker;
use crate::xag::XagConfig;
use crate::{FlightHubSimServer, TokenApiSim, XagSimServer};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

/// A demo pilot: a platform account (token API simulator) and its own MQTT account (broker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPilot {
    pub username: &'static str,
    pub password: &'static str,
    pub mqtt_username: &'static str,
    pub mqtt_password: &'static str,
}

/// The demo pilots, each with a platform login and an MQTT account. The first is the one the
/// README and the tests sign in with.
pub const DEMO_PILOTS: &[DemoPilot] = &[
    DemoPilot {
        username: "pilot",
        password: "pilot123",
        mqtt_username: "mqtt-pilot",
        mqtt_password: "mqtt-pilot-secret",
    },
    DemoPilot {
        username: "copilot",
        password: "copilot123",
        mqtt_username: "mqtt-copilot",
        mqtt_password: "mqtt-copilot-secret",
    },
];

/// The platform's own MQTT account on the demo broker: the proxy's link to the gateways
/// (`DEVICE_MQTT_USERNAME` / `DEVICE_MQTT_PASSWORD`), not a pilot's.
pub const DEMO_PLATFORM_MQTT_USERNAME: &str = "mqtt-platform";
pub const DEMO_PLATFORM_MQTT_PASSWORD: &str = "mqtt-platform-secret";

/// The demo offline license file, written into the stack's license directory at start.
pub const DEMO_LICENSE_FILE_NAME: &str = "demo-offline-license.bin";
pub const DEMO_LICENSE_FILE: &[u8] =
    b"DJI offline unlock license (pilot-portal demo) for aircraft 1581F6Q8D243D00D3E9\n";

/// The HS256 secret the simulated platform signs its tokens with, unless told otherwise.
pub const DEMO_JWT_SECRET: &str = "sim-platform-secret";

/// The demo proxy's `STORAGE_KEY` (32 bytes, base64): encrypts stored XAG tokens. Public, so
/// for the demo and the tests only.
pub const DEMO_STORAGE_KEY: &str = "cGlsb3QtcG9ydGFsLWRlbW8tc3RvcmFnZS1rZXktMzI=";

/// What to start, and where. `Default`: every listener on `127.0.0.1:0` (free ports), the
/// demo secret, XAG's demo registration and the demo pilots' MQTT accounts.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub jwt_secret: String,
    pub token_api_addr: SocketAddr,
    pub xag_addr: SocketAddr,
    pub flighthub_addr: SocketAddr,
    /// `None`: no MQTT broker (and no MQTT settings for the proxy).
    pub mqtt: Option<MqttOptions>,
    /// What the XAG simulator knows about the proxy (appid, secret, redirect hosts, …).
    pub xag: XagConfig,
    /// Start the Rust simulated gateway ([`SimGateway`]) as [`DEMO_GATEWAY_SN`], connected
    /// with the first demo pilot's MQTT account as Pilot 2 connects with the pilot's. Needs
    /// `mqtt`. Off by default: the browser's simulated Pilot 2 is the gateway.
    pub gateway: bool,
}

/// The MQTT broker's listeners and accounts.
#[derive(Debug, Clone)]
pub struct MqttOptions {
    pub tcp_addr: SocketAddr,
    pub ws_addr: SocketAddr,
    /// `(username, password)` pairs the broker accepts.
    pub users: Vec<(String, String)>,
}

fn any_port() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

impl Default for MqttOptions {
    fn default() -> Self {
        MqttOptions {
            tcp_addr: any_port(),
            ws_addr: any_port(),
            users: DEMO_PILOTS
                .iter()
                .map(|p| (p.mqtt_username.to_owned(), p.mqtt_password.to_owned()))
                .collect(),
        }
    }
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            jwt_secret: DEMO_JWT_SECRET.to_owned(),
            token_api_addr: any_port(),
            xag_addr: any_port(),
            flighthub_addr: any_port(),
            mqtt: Some(MqttOptions::default()),
            xag: XagConfig::demo(),
            gateway: false,
        }
    }
}

/// The running simulators (and broker). They stop with the process (the HTTP simulators also
/// with the tokio runtime that started them).
pub struct DemoStack {
    pub token_api: TokenApiSim,
    pub xag: XagSimServer,
    pub flighthub: FlightHubSimServer,
    pub broker: Option<MqttBroker>,
    /// The simulated gateway ([`DemoOptions::gateway`]).
    pub gateway: Option<SimGateway>,
    /// With the broker: the offline license directory (removed when the stack is dropped).
    license_dir: Option<tempfile::TempDir>,
    xag_config: XagConfig,
}

impl DemoStack {
    /// Starts the token API, XAG and FlightHub 2 simulators and, unless `options.mqtt` is
    /// `None`, the MQTT broker (with the platform's account added) and the license directory;
    /// then the simulated gateway if asked for. Returns once all of them listen.
    pub async fn start(options: DemoOptions) -> anyhow::Result<DemoStack> {
        let token_api =
            TokenApiSim::start(options.jwt_secret.as_bytes(), options.token_api_addr).await?;
        let xag = XagSimServer::start(options.xag.clone(), options.xag_addr).await?;
        let flighthub =
            FlightHubSimServer::start(FlightHubSim::demo(), options.flighthub_addr).await?;
        let broker = match options.mqtt {
            Some(mqtt) => {
                let mut users: std::collections::HashMap<_, _> = mqtt.users.into_iter().collect();
                users.insert(
                    DEMO_PLATFORM_MQTT_USERNAME.to_owned(),
                    DEMO_PLATFORM_MQTT_PASSWORD.to_owned(),
                );
                Some(crate::mqtt::start(users, mqtt.tcp_addr, mqtt.ws_addr)?)
            }
            None => None,
        };
        let license_dir = match &broker {
            Some(_) => {
                let dir = tempfile::Builder::new()
                    .prefix("pilot-portal-licenses-")
                    .tempdir()?;
                std::fs::write(dir.path().join(DEMO_LICENSE_FILE_NAME), DEMO_LICENSE_FILE)?;
                Some(dir)
            }
            None => None,
        };
        let gateway = match (&broker, options.gateway) {
            (_, false) => None,
            (None, true) => anyhow::bail!("the simulated gateway needs the MQTT broker"),
            (Some(broker), true) => {
                let pilot = DEMO_PILOTS[0];
                let config = GatewayConfig::new(
                    broker.tcp,
                    pilot.mqtt_username,
                    pilot.mqtt_password,
                    DEMO_GATEWAY_SN,
                );
                Some(SimGateway::start(config).await?)
            }
        };
        Ok(DemoStack {
            token_api,
            xag,
            flighthub,
            broker,
            gateway,
            license_dir,
            xag_config: options.xag,
        })
    }

    /// The offline license directory (`UNLOCK_LICENSE_DIR`), with the broker.
    pub fn license_dir(&self) -> Option<&Path> {
        self.license_dir.as_ref().map(tempfile::TempDir::path)
    }

    /// The proxy's settings for this stack, as `(environment variable, value)` pairs: the
    /// upstream addresses and the demo credentials. Pilot 2's `thing` module is given the
    /// broker's WebSocket listener, the one the browser emulator can reach; the proxy's own
    /// link to the gateways uses the TCP listener and the platform's account.
    /// `PUBLIC_BASE_URL` is left to the proxy's default (`http://{listen}`).
    pub fn proxy_env(&self) -> Vec<(&'static str, String)> {
        let xag = &self.xag_config;
        let mut env = vec![
            ("TOKEN_API_URL", self.token_api.base_url()),
            ("XAG_BASE_URL", self.xag.base_url()),
            ("XAG_COMPONENT_APPID", xag.component_appid.clone()),
            ("XAG_APP_SECRET", xag.app_secret.clone()),
            (
                "XAG_COMPONENT_ACCESS_TOKEN",
                xag.component_access_token.clone(),
            ),
            (
                "XAG_TIMESTAMP_UNIT",
                if xag.millis {
                    "milliseconds"
                } else {
                    "seconds"
                }
                .to_owned(),
            ),
            ("FLIGHTHUB_URL", self.flighthub.base_url()),
            ("FLIGHTHUB_ORG_KEY", DEMO_ORG_KEY.to_owned()),
            // encrypts the stored XAG tokens (the demo's key: never use it elsewhere)
            ("STORAGE_KEY", DEMO_STORAGE_KEY.to_owned()),
        ];
        if let Some(broker) = &self.broker {
            env.push(("MQTT_BROKER", broker.ws_url()));
            env.push(("MQTT_CREDENTIALS", mqtt_credentials(DEMO_PILOTS)));
            env.push(("DEVICE_MQTT_BROKER", broker.tcp_url()));
            env.push((
                "DEVICE_MQTT_USERNAME",
                DEMO_PLATFORM_MQTT_USERNAME.to_owned(),
            ));
            env.push((
                "DEVICE_MQTT_PASSWORD",
                DEMO_PLATFORM_MQTT_PASSWORD.to_owned(),
            ));
        }
        if let Some(dir) = self.license_dir() {
            env.push(("UNLOCK_LICENSE_DIR", dir.display().to_string()));
        }
        env
    }
}

/// The proxy's `MQTT_CREDENTIALS` for `pilots`: `platform_user=mqtt_user:password,…`.
pub fn mqtt_credentials(pilots: &[DemoPilot]) -> String {
    pilots
        .iter()
        .map(|p| format!("{}={}:{}", p.username, p.mqtt_username, p.mqtt_password))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn proxy_env_points_at_the_running_simulators_with_their_credentials() {
        let demo = DemoStack::start(DemoOptions::default())
            .await
            .expect("demo stack");
        let env: std::collections::HashMap<_, _> = demo.proxy_env().into_iter().collect();
        assert_eq!(env["TOKEN_API_URL"], demo.token_api.base_url());
        assert_eq!(
            env["XAG_COMPONENT_APPID"],
            XagConfig::demo().component_appid
        );
        assert_eq!(env["FLIGHTHUB_ORG_KEY"], DEMO_ORG_KEY);
        let broker = demo.broker.as_ref().expect("broker");
        assert_eq!(env["MQTT_BROKER"], broker.ws_url());
        assert_eq!(
            env["MQTT_CREDENTIALS"],
            "pilot=mqtt-pilot:mqtt-pilot-secret,copilot=mqtt-copilot:mqtt-copilot-secret"
        );
        assert_eq!(env["DEVICE_MQTT_BROKER"], broker.tcp_url());
        assert_eq!(env["DEVICE_MQTT_USERNAME"], DEMO_PLATFORM_MQTT_USERNAME);
        assert!(!env.contains_key("PUBLIC_BASE_URL"));
        let dir = std::path::PathBuf::from(&env["UNLOCK_LICENSE_DIR"]);
        assert_eq!(
            std::fs::read(dir.join(DEMO_LICENSE_FILE_NAME)).expect("demo license"),
            DEMO_LICENSE_FILE
        );
        assert!(
            demo.gateway.is_none(),
            "the page's simulated Pilot 2 is the gateway"
        );
        // both pilots can sign in to the simulated platform
        for pilot in DEMO_PILOTS {
            let status = login_status(&demo, pilot.username, pilot.password).await;
            assert_eq!(status, 200, "{pilot:?}");
        }
        assert_eq!(login_status(&demo, "copilot", "wrong").await, 401);
    }

    #[tokio::test]
    async fn without_a_broker_there_are_no_mqtt_settings() {
        let demo = DemoStack::start(DemoOptions {
            mqtt: None,
            ..DemoOptions::default()
        })
        .await
        .expect("demo stack");
        assert!(demo.broker.is_none());
        assert!(demo.proxy_env().iter().all(|(name, _)| {
            !name.starts_with("MQTT_")
                && !name.starts_with("DEVICE_")
                && !name.starts_with("UNLOCK_")
        }));
        assert!(DemoStack::start(DemoOptions {
            mqtt: None,
            gateway: true,
            ..DemoOptions::default()
        })
        .await
        .is_err());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_simulated_gateway_connects_as_a_pilot() {
        let demo = DemoStack::start(DemoOptions {
            gateway: true,
            ..DemoOptions::default()
        })
        .await
        .expect("demo stack");
        let gateway = demo.gateway.as_ref().expect("gateway");
        assert_eq!(gateway.sn, DEMO_GATEWAY_SN);
        let dir = demo.license_dir().expect("license dir").to_owned();
        drop(demo);
        assert!(!dir.exists(), "the license directory goes with the stack");
    }

    /// `POST /api/v1/auth/token` on the simulated platform: the HTTP status.
    async fn login_status(demo: &DemoStack, user: &str, password: &str) -> u16 {
        use tower::ServiceExt;
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let request = axum::http::Request::post("/api/v1/auth/token")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .expect("request");
        let router = demo.token_api.api.clone().router();
        router
            .oneshot(request)
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}
