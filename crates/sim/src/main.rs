//! `pilot-portal-sim`: runs the upstream simulators for the demo, until Ctrl-C or SIGTERM.
//!
//! With `--proxy-env-file PATH` it writes, once everything listens, the proxy settings that
//! point at it (`NAME=value` per line): `cargo xtask serve` passes them to the proxy, so no demo
//! credential is typed twice.

use clap::Parser;
use pilot_portal_sim::demo::{DemoOptions, DemoStack, MqttOptions, DEMO_JWT_SECRET, DEMO_PILOTS};
use pilot_portal_sim::flighthub::DEMO_ORG_KEY;
use pilot_portal_sim::xag::{XagConfig, DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
        default_value = DEMO_JWT_SECRET,
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
    /// MQTT accounts the broker accepts, comma separated `user:password`. Default: the demo
    /// pilots' accounts.
    #[arg(
        long,
        env = "SIM_MQTT_USERS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    mqtt_users: Vec<String>,
    /// Write the proxy's settings for these simulators to this file (`NAME=value` per line)
    /// once they all listen.
    #[arg(long, env = "SIM_PROXY_ENV_FILE")]
    proxy_env_file: Option<PathBuf>,
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
    let mut mqtt = MqttOptions {
        tcp_addr: args.mqtt_tcp_addr,
        ws_addr: args.mqtt_ws_addr,
        ..MqttOptions::default()
    };
    if !args.mqtt_users.is_empty() {
        mqtt.users = args
            .mqtt_users
            .iter()
            .filter_map(|u| u.split_once(':'))
            .map(|(u, p)| (u.to_owned(), p.to_owned()))
            .collect();
    }
    let xag = XagConfig {
        redirect_hosts: args.xag_redirect_hosts,
        millis: args.xag_millis,
        ..XagConfig::demo()
    };
    let demo = DemoStack::start(DemoOptions {
        jwt_secret: args.jwt_secret,
        token_api_addr: args.token_api_addr,
        xag_addr: args.xag_addr,
        flighthub_addr: args.flighthub_addr,
        mqtt: Some(mqtt),
        xag: xag.clone(),
        // the gateway is the simulated Pilot 2 in the page
        gateway: false,
    })
    .await?;

    println!("token API simulator on {}", demo.token_api.base_url());
    for pilot in DEMO_PILOTS {
        println!("demo user: {} / {}", pilot.username, pilot.password);
    }
    println!(
        "XAG simulator on {} (component_appid {}, operator {} / {})",
        demo.xag.base_url(),
        xag.component_appid,
        DEMO_OPERATOR,
        DEMO_OPERATOR_PASSWORD
    );
    println!(
        "FlightHub 2 simulator on {} (organization key {DEMO_ORG_KEY})",
        demo.flighthub.base_url()
    );
    if let Some(broker) = &demo.broker {
        println!(
            "MQTT broker on {} and {}",
            broker.tcp_url(),
            broker.ws_url()
        );
    }
    if let Some(dir) = demo.license_dir() {
        println!("offline unlock license files in {}", dir.display());
    }
    if let Some(path) = &args.proxy_env_file {
        write_env_file(path, &demo.proxy_env())?;
    }
    shutdown().await;
    Ok(())
}

/// Writes `NAME=value` lines to `path` all at once (a reader never sees half a file).
fn write_env_file(path: &Path, env: &[(&str, String)]) -> anyhow::Result<()> {
    let text: String = env
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, path)?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
