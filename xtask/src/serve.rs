//! `cargo xtask serve`: the whole demo on one origin. Ctrl-C stops everything it started.

use crate::stack::{self, Ports};
use crate::{page, tools};

pub fn serve(port: u16) -> anyhow::Result<()> {
    let tools = tools::setup(tools::Need::Build)?;
    let dist = page::build(&tools)?;
    std::fs::create_dir_all("target/demo")?;
    let p = Ports::from_proxy(port);
    let _stack = stack::start(
        &dist,
        &p,
        "sqlite://target/demo/pilot-portal.db?mode=rwc",
        true,
    )?;
    println!();
    println!("  pilot-portal:        http://127.0.0.1:{port}/");
    println!("  in a browser:        http://127.0.0.1:{port}/?emulator   (simulated Pilot 2)");
    println!("  demo login:          pilot / pilot123");
    println!("  token API simulator: http://127.0.0.1:{}", p.token_api);
    println!(
        "  XAG simulator:       http://127.0.0.1:{}   (operator xag-operator / xag12345)",
        p.xag
    );
    println!("  FlightHub 2 sim:     http://127.0.0.1:{}", p.flighthub);
    println!(
        "  MQTT broker:         tcp://127.0.0.1:{}  ws://127.0.0.1:{}/mqtt",
        p.mqtt_tcp, p.mqtt_ws
    );
    println!("  Ctrl-C stops everything.");
    println!();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
