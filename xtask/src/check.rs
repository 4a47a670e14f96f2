//! `cargo xtask check`: the operator's preflight (`pilot-portal-proxy check`) against the demo
//! stack, started as `serve` starts it (on free ports), with the first demo pilot as the test
//! account. The demo's DJI values are the emulator's, so `--allow-demo-dji`.

use crate::run::run;
use crate::stack::{self, Ports};
use pilot_portal_sim::demo::DEMO_PILOTS;
use std::process::Command;

pub fn check() -> anyhow::Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("pilot-portal-check-")
        .tempdir()?;
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist)?;
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("pilot-portal.db").display()
    );
    let ports = Ports::free()?;
    let stack = stack::start(&dist, &ports, &database, false)?;
    let pilot = DEMO_PILOTS[0];
    let bin = crate::run::target_dir("debug")?.join("pilot-portal-proxy");
    run(Command::new(bin)
        .envs(stack.proxy_env.iter().cloned())
        .env("DATABASE_URL", &database)
        .env("PROXY_LISTEN", format!("127.0.0.1:{}", ports.proxy))
        .env("CHECK_PASSWORD", pilot.password)
        .args(["check", "--username", pilot.username, "--allow-demo-dji"]))
}
