//! The demo servers — simulators and proxy — as `serve` and `bench` run them: built, started
//! in their own process groups, stopped when dropped.
//!
//! The proxy's settings come from the simulator itself (`pilot-portal-sim --proxy-env-file`),
//! so no demo credential is typed here.

use crate::run::{cargo, run, spawn_group, spawn_group_loud, Guard};
use anyhow::{bail, Context};
use pilot_portal_testkit::{free_port, wait_port};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

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
        Ok(Ports {
            proxy: free_port()?,
            token_api: free_port()?,
            xag: free_port()?,
            flighthub: free_port()?,
            mqtt_tcp: free_port()?,
            mqtt_ws: free_port()?,
        })
    }
}

impl Stack {
    /// The proxy's process id (its memory is read from /proc).
    pub fn proxy_pid(&self) -> u32 {
        self._proxy.id()
    }
}

/// The running servers; dropping it stops the proxy, then the simulators.
pub struct Stack {
    /// The proxy's settings for these simulators (`NAME`, value), as the simulator wrote them.
    pub proxy_env: Vec<(String, String)>,
    _proxy: Guard,
    _sim: Guard,
    _env_dir: tempfile::TempDir,
}

/// Builds and starts the simulators and the proxy (serving `dist`, storing in `database_url`)
/// with the simulators' demo settings; waits until the proxy listens. `loud`: their output
/// on ours.
pub fn start(dist: &Path, ports: &Ports, database_url: &str, loud: bool) -> anyhow::Result<Stack> {
    start_built(dist, ports, database_url, loud, false)
}

/// [`start`], with release builds when `release` (`cargo xtask bench-proxy`).
pub fn start_built(
    dist: &Path,
    ports: &Ports,
    database_url: &str,
    loud: bool,
    release: bool,
) -> anyhow::Result<Stack> {
    let mut build = cargo();
    build.args([
        "build",
        "--locked",
        "-p",
        "pilot-portal-proxy",
        "-p",
        "pilot-portal-sim",
    ]);
    if release {
        build.arg("--release");
    }
    run(&mut build)?;
    let bin = crate::run::target_dir(if release { "release" } else { "debug" })?;
    let spawn = if loud { spawn_group_loud } else { spawn_group };
    let local = |port: u16| format!("127.0.0.1:{port}");
    let env_dir = tempfile::tempdir()?;
    let env_file = env_dir.path().join("proxy.env");
    let mut sim = spawn(
        Command::new(bin.join("pilot-portal-sim"))
            .env("SIM_TOKEN_API_ADDR", local(ports.token_api))
            .env("SIM_XAG_ADDR", local(ports.xag))
            .env("SIM_FLIGHTHUB_ADDR", local(ports.flighthub))
            .env("SIM_MQTT_TCP_ADDR", local(ports.mqtt_tcp))
            .env("SIM_MQTT_WS_ADDR", local(ports.mqtt_ws))
            .arg("--proxy-env-file")
            .arg(&env_file),
    )?;
    let proxy_env = read_proxy_env(&env_file, &mut sim, Duration::from_secs(60))?;
    let proxy = spawn(
        Command::new(bin.join("pilot-portal-proxy"))
            .envs(proxy_env.iter().cloned())
            .env("PROXY_LISTEN", local(ports.proxy))
            .env("PROXY_DIST", dist)
            .env("DATABASE_URL", database_url),
    )?;
    wait_port(ports.proxy, Duration::from_secs(20))
        .context("the proxy did not start (its output says why)")?;
    Ok(Stack {
        proxy_env,
        _proxy: proxy,
        _sim: sim,
        _env_dir: env_dir,
    })
}

/// The `NAME=value` lines the simulator writes to `path` once everything listens.
fn read_proxy_env(
    path: &Path,
    sim: &mut Guard,
    timeout: Duration,
) -> anyhow::Result<Vec<(String, String)>> {
    let start = Instant::now();
    let text = loop {
        // written in one rename, so present means complete
        if let Ok(text) = std::fs::read_to_string(path) {
            break text;
        }
        if let Some(status) = sim.try_wait()? {
            bail!("pilot-portal-sim stopped ({status}) before its simulators listened");
        }
        if start.elapsed() > timeout {
            bail!("pilot-portal-sim did not start in {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            line.split_once('=')
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .with_context(|| format!("not NAME=value in {}: {line}", path.display()))
        })
        .collect()
}
