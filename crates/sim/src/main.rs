//! `pilot-portal-sim`: runs the upstream simulators for the demo.

use clap::Parser;
use pilot_portal_sim::flighthub::{FlightHubSim, DEMO_ORG_KEY};
use pilot_portal_sim::xag::{XagConfig, DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD};
use pilot_portal_sim::{FlightHubSimServer, TokenApiSim, XagSimServer};
use std::net::SocketAddr;

#[derive(Parser)]
#[command(
    version,
    about = "Simulators of pilot-portal's upstream systems (demo and tests only)"
)]
struct Args {
    /// Address of the platform token API simulator.
    #[arg(long, env = "SIM_TOKEN_API_ADDR", default_value = "127.0.0.1:8091")]
    token_api_addr: SocketAddr,
    /// HS256 secret the simulated platform signs its tokens with.
    #[arg(
        long,
        env = "SIM_JWT_SECRET",
        default_value = "sim-platform-secret",
        hide_env_values = true
    )]
    jwt_secret: String,
    /// Address of the XAG authorization simulator.
    #[arg(long, env = "SIM_XAG_ADDR", default_value = "127.0.0.1:8092")]
    xag_addr: SocketAddr,
    /// Hosts a `redirect_uri` may point at, comma separated (XAG's registered hosts).
    #[arg(
        long,
        env = "SIM_XAG_REDIRECT_HOSTS",
        value_delimiter = ',',
        default_value = "127.0.0.1,localhost"
    )]
    xag_redirect_hosts: Vec<String>,
    /// Expect millisecond signature timestamps instead of seconds.
    #[arg(long, env = "SIM_XAG_MILLIS", default_value_t = false)]
    xag_millis: bool,
    /// Address of the FlightHub 2 OpenAPI simulator.
    #[arg(long, env = "SIM_FLIGHTHUB_ADDR", default_value = "127.0.0.1:8093")]
    flighthub_addr: SocketAddr,
    /// MQTT broker: TCP listener (how DJI Pilot 2 connects).
    #[arg(long, env = "SIM_MQTT_TCP_ADDR", default_value = "127.0.0.1:1883")]
    mqtt_tcp_addr: SocketAddr,
    /// MQTT broker: WebSocket listener (how the browser emulator of Pilot 2 connects).
    #[arg(long, env = "SIM_MQTT_WS_ADDR", default_value = "127.0.0.1:8083")]
    mqtt_ws_addr: SocketAddr,
    /// MQTT accounts the broker accepts, comma separated `user:password`.
    #[arg(
        long,
        env = "SIM_MQTT_USERS",
        value_delimiter = ',',
        default_value = "mqtt-pilot:mqtt-pilot-secret",
        hide_env_values = true
    )]
    mqtt_users: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "pilot_portal_sim=info".into()),
        )
        .init();
    let args = Args::parse();
    let token_api = TokenApiSim::start(args.jwt_secret.as_bytes(), args.token_api_addr).await?;
    println!("token API simulator on {}", token_api.base_url());
    println!(
        "demo user: {} / {}",
        pilot_portal_sim::token_api::DEMO_USER,
        pilot_portal_sim::token_api::DEMO_PASSWORD
    );
    let mut xag_config = XagConfig::demo();
    xag_config.redirect_hosts = args.xag_redirect_hosts;
    xag_config.millis = args.xag_millis;
    let xag = XagSimServer::start(xag_config.clone(), args.xag_addr).await?;
    println!(
        "XAG simulator on {} (component_appid {}, operator {} / {})",
        xag.base_url(),
        xag_config.component_appid,
        DEMO_OPERATOR,
        DEMO_OPERATOR_PASSWORD
    );
    let flighthub = FlightHubSimServer::start(FlightHubSim::demo(), args.flighthub_addr).await?;
    println!(
        "FlightHub 2 simulator on {} (organization key {DEMO_ORG_KEY})",
        flighthub.base_url()
    );
    let users = args
        .mqtt_users
        .iter()
        .filter_map(|u| u.split_once(':'))
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
        .collect();
    let broker = pilot_portal_sim::mqtt::start(users, args.mqtt_tcp_addr, args.mqtt_ws_addr)?;
    println!(
        "MQTT broker on {} and {}",
        broker.tcp_url(),
        broker.ws_url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
