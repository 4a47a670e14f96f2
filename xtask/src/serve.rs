//! `cargo xtask serve`: the whole demo on one origin. Ctrl-C stops everything it started.

use crate::run::{cargo, run, spawn_group_loud};
use crate::{page, tools};
use std::process::Command;

pub fn serve(port: u16) -> anyhow::Result<()> {
    let tools = tools::setup(tools::Need::Build)?;
    let dist = page::build(&tools)?;
    run(cargo().args([
        "build",
        "--locked",
        "-p",
        "pilot-portal-proxy",
        "-p",
        "pilot-portal-sim",
    ]))?;
    let bin = std::env::current_dir()?.join("target/debug");
    let token_api = format!("127.0.0.1:{}", port.wrapping_add(11).max(1024));
    let xag = format!("127.0.0.1:{}", port.wrapping_add(12).max(1024));
    let flighthub = format!("127.0.0.1:{}", port.wrapping_add(13).max(1024));
    let mqtt_tcp = format!("127.0.0.1:{}", port.wrapping_add(14).max(1024));
    let mqtt_ws = format!("127.0.0.1:{}", port.wrapping_add(15).max(1024));
    std::fs::create_dir_all("target/demo")?;

    let _sim = spawn_group_loud(
        Command::new(bin.join("pilot-portal-sim"))
            .env("SIM_TOKEN_API_ADDR", &token_api)
            .env("SIM_XAG_ADDR", &xag)
            .env("SIM_FLIGHTHUB_ADDR", &flighthub)
            .env("SIM_MQTT_TCP_ADDR", &mqtt_tcp)
            .env("SIM_MQTT_WS_ADDR", &mqtt_ws)
            .env("SIM_MQTT_USERS", "mqtt-pilot:mqtt-pilot-secret"),
    )?;
    let _proxy = spawn_group_loud(
        Command::new(bin.join("pilot-portal-proxy"))
            .env("PROXY_LISTEN", format!("127.0.0.1:{port}"))
            .env("PROXY_DIST", &dist)
            .env("TOKEN_API_URL", format!("http://{token_api}"))
            .env(
                "DATABASE_URL",
                "sqlite://target/demo/pilot-portal.db?mode=rwc",
            )
            // the XAG simulator's demo credentials (pilot-portal-sim prints them)
            .env("XAG_BASE_URL", format!("http://{xag}"))
            .env("XAG_COMPONENT_APPID", "xag-demo-app")
            .env("XAG_APP_SECRET", "xag-demo-secret")
            .env("XAG_COMPONENT_ACCESS_TOKEN", "xag-demo-component-token")
            // the FlightHub simulator's organization key and the broker's demo account
            .env("FLIGHTHUB_URL", format!("http://{flighthub}"))
            .env("FLIGHTHUB_ORG_KEY", "fh2-demo-organization-key")
            .env("MQTT_BROKER", format!("ws://{mqtt_ws}/mqtt"))
            .env("MQTT_CREDENTIALS", "pilot=mqtt-pilot:mqtt-pilot-secret"),
    )?;
    println!();
    println!("  pilot-portal:        http://127.0.0.1:{port}/");
    println!("  in a browser:        http://127.0.0.1:{port}/?emulator   (simulated Pilot 2)");
    println!("  demo login:          pilot / pilot123");
    println!("  token API simulator: http://{token_api}");
    println!("  XAG simulator:       http://{xag}   (operator xag-operator / xag12345)");
    println!("  FlightHub 2 sim:     http://{flighthub}");
    println!("  MQTT broker:         tcp://{mqtt_tcp}  ws://{mqtt_ws}/mqtt");
    println!("  Ctrl-C stops everything.");
    println!();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
