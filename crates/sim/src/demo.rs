//! The demo stack: every simulator and the MQTT broker in this process, with the demo
//! accounts, and the proxy settings that point at them.
//!
//! One place for what `pilot-portal-sim` runs, what `cargo xtask serve` and `bench` pass to
//! the proxy (through `--proxy-env-file`) and what the tests start (`pilot-portal-testkit`):
//! the settings are built from the simulators' own constants, never re-typed.

use crate::flighthub::{FlightHubSim, DEMO_ORG_KEY};
use crate::mqtt::MqttBroker;
use crate::xag::XagConfig;
use crate::{FlightHubSimServer, TokenApiSim, XagSimServer};
use std::net::{Ipv4Addr, SocketAddr};

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

/// The HS256 secret the simulated platform signs its tokens with, unless told otherwise.
pub const DEMO_JWT_SECRET: &str = "sim-platform-secret";

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
    xag_config: XagConfig,
}

impl DemoStack {
    /// Starts the token API, XAG and FlightHub 2 simulators and, unless `options.mqtt` is
    /// `None`, the MQTT broker; returns once all of them listen.
    pub async fn start(options: DemoOptions) -> anyhow::Result<DemoStack> {
        let token_api =
            TokenApiSim::start(options.jwt_secret.as_bytes(), options.token_api_addr).await?;
        let xag = XagSimServer::start(options.xag.clone(), options.xag_addr).await?;
        let flighthub =
            FlightHubSimServer::start(FlightHubSim::demo(), options.flighthub_addr).await?;
        let broker = match options.mqtt {
            Some(mqtt) => Some(crate::mqtt::start(
                mqtt.users.into_iter().collect(),
                mqtt.tcp_addr,
                mqtt.ws_addr,
            )?),
            None => None,
        };
        Ok(DemoStack {
            token_api,
            xag,
            flighthub,
            broker,
            xag_config: options.xag,
        })
    }

    /// The proxy's settings for this stack, as `(environment variable, value)` pairs: the
    /// upstream addresses and the demo credentials. Pilot 2's `thing` module is given the
    /// broker's WebSocket listener, the one the browser emulator can reach.
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
        ];
        if let Some(broker) = &self.broker {
            env.push(("MQTT_BROKER", broker.ws_url()));
            env.push(("MQTT_CREDENTIALS", mqtt_credentials(DEMO_PILOTS)));
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
        assert!(demo
            .proxy_env()
            .iter()
            .all(|(name, _)| !name.starts_with("MQTT_")));
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
