//! The demo servers — simulators and proxy — as `serve` and `bench` run them: built, started
//! in their own process groups, stopped when dropped.

use crate::run::{cargo, run, spawn_group, spawn_group_loud, Guard};
use anyhow::bail;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The ports of every listener.
pub struct Ports {
    pub proxy: u16,
    pub token_api: u16,
    pub xag: u16,
    pub flighthub: u16,
    pub mqtt_tcp: u16,
    pub mqtt_ws: u16,
}

impl Ports {
    /// `proxy`, and the simulators on `proxy + 11` … `proxy + 15`.
    pub fn from_proxy(proxy: u16) -> Ports {
        let at = |n: u16| proxy.wrapping_add(n).max(1024);
        Ports {
            proxy,
            token_api: at(11),
            xag: at(12),
            flighthub: at(13),
            mqtt_tcp: at(14),
            mqtt_ws: at(15),
        }
    }

    /// Free ports for all, so a benchmark never clashes with a running demo.
    pub fn free() -> anyhow::Result<Ports> {
        let free = free_port;
        Ok(Ports {
            proxy: free()?,
            token_api: free()?,
            xag: free()?,
            flighthub: free()?,
            mqtt_tcp: free()?,
            mqtt_ws: free()?,
        })
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub struct Stack {
    _sim: Guard,
    _proxy: Guard,
}

/// Builds and starts the simulators and the proxy (serving `dist`, storing in `database_url`)
/// with the simulators' demo credentials; waits until the proxy listens. `loud`: their output
/// on ours.
pub fn start(dist: &Path, ports: &Ports, database_url: &str, loud: bool) -> anyhow::Result<Stack> {
    run(cargo().args([
        "build",
        "--locked",
        "-p",
        "pilot-portal-proxy",
        "-p",
        "pilot-portal-sim",
    ]))?;
    let bin = std::env::current_dir()?.join("target/debug");
    let spawn = if loud { spawn_group_loud } else { spawn_group };
    let local = |port: u16| format!("127.0.0.1:{port}");
    let sim = spawn(
        Command::new(bin.join("pilot-portal-sim"))
            .env("SIM_TOKEN_API_ADDR", local(ports.token_api))
            .env("SIM_XAG_ADDR", local(ports.xag))
            .env("SIM_FLIGHTHUB_ADDR", local(ports.flighthub))
            .env("SIM_MQTT_TCP_ADDR", local(ports.mqtt_tcp))
            .env("SIM_MQTT_WS_ADDR", local(ports.mqtt_ws))
            .env("SIM_MQTT_USERS", "mqtt-pilot:mqtt-pilot-secret"),
    )?;
    let proxy = spawn(
        Command::new(bin.join("pilot-portal-proxy"))
            .env("PROXY_LISTEN", local(ports.proxy))
            .env("PROXY_DIST", dist)
            .env(
                "TOKEN_API_URL",
                format!("http://{}", local(ports.token_api)),
            )
            .env("DATABASE_URL", database_url)
            // the XAG simulator's demo credentials (pilot-portal-sim prints them)
            .env("XAG_BASE_URL", format!("http://{}", local(ports.xag)))
            .env("XAG_COMPONENT_APPID", "xag-demo-app")
            .env("XAG_APP_SECRET", "xag-demo-secret")
            .env("XAG_COMPONENT_ACCESS_TOKEN", "xag-demo-component-token")
            // the FlightHub simulator's organization key and the broker's demo account
            .env(
                "FLIGHTHUB_URL",
                format!("http://{}", local(ports.flighthub)),
            )
            .env("FLIGHTHUB_ORG_KEY", "fh2-demo-organization-key")
            .env("MQTT_BROKER", format!("ws://{}/mqtt", local(ports.mqtt_ws)))
            .env("MQTT_CREDENTIALS", "pilot=mqtt-pilot:mqtt-pilot-secret"),
    )?;
    wait_port(ports.proxy)?;
    Ok(Stack {
        _sim: sim,
        _proxy: proxy,
    })
}

fn wait_port(port: u16) -> anyhow::Result<()> {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listens on {port}")
}
