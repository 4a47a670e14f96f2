//! `cargo xtask serve`: the whole demo on one origin. Ctrl-C (or SIGTERM, SIGHUP) stops
//! everything it started.

use crate::stack::{self, Ports};
use crate::{page, tools};
use pilot_portal_sim::demo::DEMO_PILOTS;
use pilot_portal_sim::xag::{DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD};
use tokio::signal::unix::{signal, Signal, SignalKind};

pub fn serve(port: u16) -> anyhow::Result<()> {
    let tools = tools::setup(tools::Need::Build)?;
    let dist = page::build(&tools)?;
    std::fs::create_dir_all("target/demo")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Before anything starts: from here on a signal stops what was started (the guards are
    // dropped on the way out) instead of killing this process and leaving the children.
    let stop = {
        let _runtime = runtime.enter();
        Stop::register()?
    };
    let p = Ports::from_proxy(port);
    let _stack = stack::start(
        &dist,
        &p,
        "sqlite://target/demo/pilot-portal.db?mode=rwc",
        true,
    )?;
    let logins = DEMO_PILOTS
        .iter()
        .map(|pilot| format!("{} / {}", pilot.username, pilot.password))
        .collect::<Vec<_>>()
        .join(", ");
    println!();
    println!("  pilot-portal:        http://127.0.0.1:{port}/");
    println!("  in a browser:        http://127.0.0.1:{port}/?emulator   (simulated Pilot 2)");
    println!("  demo login:          {logins}");
    println!("  token API simulator: http://127.0.0.1:{}", p.token_api);
    println!(
        "  XAG simulator:       http://127.0.0.1:{}   (operator {DEMO_OPERATOR} / {DEMO_OPERATOR_PASSWORD})",
        p.xag
    );
    println!("  FlightHub 2 sim:     http://127.0.0.1:{}", p.flighthub);
    println!(
        "  MQTT broker:         tcp://127.0.0.1:{}  ws://127.0.0.1:{}/mqtt",
        p.mqtt_tcp, p.mqtt_ws
    );
    println!("  Ctrl-C stops everything.");
    println!();
    let name = runtime.block_on(stop.wait());
    eprintln!("{name}: stopping the proxy and the simulators");
    Ok(())
}

/// The signals that end `serve`.
struct Stop {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Stop {
    /// Installs the handlers (inside a tokio runtime).
    fn register() -> std::io::Result<Stop> {
        Ok(Stop {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    /// The first of them to arrive.
    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.hangup.recv() => "SIGHUP",
        }
    }
}
