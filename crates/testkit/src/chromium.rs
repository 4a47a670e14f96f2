//! One headless Chromium, driven through chromedriver, for the e2e tests and the benchmark:
//! the same flags everywhere, a fresh profile each time, chromedriver in its own process group
//! (so Chromium dies with it).

use crate::{free_port, Guard};
use anyhow::Context;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;
use thirtyfour::{ChromiumLikeCapabilities, DesiredCapabilities, WebDriver};

/// Chromium's flags: headless, no sandbox (root in CI), and nothing that reaches for the
/// network on its own (the machine has none, and the tests must not wait on it).
pub const FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=960,600",
];

/// Which programs to run.
#[derive(Debug, Clone)]
pub struct ChromiumOptions {
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
}

impl Default for ChromiumOptions {
    /// `$CHROMEDRIVER` (else `chromedriver` on `PATH`) and `$CHROME_BIN` (else
    /// `/usr/bin/chromium`), as `cargo xtask test` sets them.
    fn default() -> Self {
        let var = |name: &str, or: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(or))
        };
        ChromiumOptions {
            chromedriver: var("CHROMEDRIVER", "chromedriver"),
            chromium: var("CHROME_BIN", "/usr/bin/chromium"),
        }
    }
}

/// A WebDriver session on a fresh headless Chromium.
#[derive(Debug)]
pub struct Browser {
    pub driver: WebDriver,
    /// chromedriver and the profile directory: gone when this is dropped.
    pub process: BrowserProcess,
}

/// What a [`Browser`] runs on; dropping it kills chromedriver's process group (Chromium with
/// it), then deletes the profile.
#[derive(Debug)]
pub struct BrowserProcess {
    _chromedriver: Guard,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Ends the WebDriver session, then stops everything.
    pub async fn quit(self) {
        let _ = self.driver.quit().await;
    }
}

/// Starts chromedriver on a free port and opens a session on a fresh Chromium profile.
pub async fn start(options: ChromiumOptions) -> anyhow::Result<Browser> {
    let port = free_port()?;
    let chromedriver = Guard::spawn(
        Command::new(&options.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .with_context(|| {
        format!(
            "cannot start {} (cargo xtask setup installs it)",
            options.chromedriver.display()
        )
    })?;
    let profile = tempfile::tempdir()?;
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(&options.chromium.to_string_lossy())?;
    for flag in FLAGS {
        caps.add_arg(flag)?;
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))?;
    let url = format!("http://127.0.0.1:{port}");
    // chromedriver takes a moment to listen
    let mut last_error = None;
    for _ in 0..100 {
        match WebDriver::new(&url, caps.clone()).await {
            Ok(driver) => {
                return Ok(Browser {
                    driver,
                    process: BrowserProcess {
                        _chromedriver: chromedriver,
                        _profile: profile,
                    },
                })
            }
            Err(e) => {
                last_error = Some(e);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    Err(anyhow::anyhow!(
        "no chromedriver session on {url}: {}",
        last_error.map(|e| e.to_string()).unwrap_or_default()
    ))
}
