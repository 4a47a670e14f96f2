//! `cargo xtask test`: what CI runs (`.ci/run`). Stops at the first failing step.

use crate::run::{cargo, run};
use crate::{compat, page, postgres, tools};
use std::time::Instant;

pub fn test() -> anyhow::Result<()> {
    let started = Instant::now();
    let tools = tools::setup(tools::Need::All)?;
    let path = tools.path_env();

    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--locked",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // the page on wasm32, as each bundle: the first screen, the signed-in pages, the panels
    for features in [
        &[][..],
        &["--features", "full"][..],
        &["--features", "panels"][..],
    ] {
        run(cargo()
            .args([
                "clippy",
                "--locked",
                "-p",
                "pilot-portal",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .args(features)
            .args(["--all-targets", "--", "-D", "warnings"]))?;
    }

    // The end-to-end tests drive the release build users get.
    let dist = page::build(&tools)?;
    // what the oldest WebView we support can run (README, "Old controllers")
    compat::check(&dist, &tools)?;
    let chromedriver = tools
        .chromedriver
        .clone()
        .unwrap_or_else(|| "chromedriver".into());
    let chromium = tools.chromium.clone().unwrap_or_else(|| "chromium".into());

    // the page through nginx on deploy/nginx.conf (tests/nginx_e2e.rs)
    let nginx = tools::nginx()?;
    run(cargo()
        .args(["test", "--locked", "--workspace"])
        .env("NGINX", &nginx)
        .env("PATH", &path)
        .env("PILOT_PORTAL_DIST", &dist)
        .env("CHROMEDRIVER", &chromedriver)
        .env("CHROME_BIN", &chromium))?;
    // The page's unit tests again with every bundle's code (`panels` includes `full`): the
    // signed-in pages' words and rules are not compiled above.
    run(cargo().args([
        "test",
        "--locked",
        "-p",
        "pilot-portal",
        "--lib",
        "--features",
        "panels",
    ]))?;

    // The proxy's storage on PostgreSQL (SQLite is covered above).
    let postgres = postgres::TempPostgres::start()?;
    run(cargo()
        .args([
            "test",
            "--locked",
            "-p",
            "pilot-portal-proxy",
            "--test",
            "postgres",
            // two instances on one database behave as one
            "--test",
            "operations",
            "--",
            "--ignored",
        ])
        .env("PILOT_PORTAL_TEST_POSTGRES_URL", &postgres.url))?;
    drop(postgres);

    // The production broker (deploy/mosquitto) on Debian's mosquitto, with the files
    // `pilot-portal-proxy mosquitto-config` writes (the test starts it on free ports).
    let mosquitto = tools::mosquitto()?;
    run(cargo()
        .args([
            "test",
            "--locked",
            "-p",
            "pilot-portal-proxy",
            "--test",
            "mosquitto",
            "--",
            "--ignored",
        ])
        .env("PILOT_PORTAL_TEST_MOSQUITTO", &mosquitto))?;

    // The bridge module in a real browser (wasm-bindgen-test-runner drives chromedriver).
    run(cargo()
        .args([
            "test",
            "--locked",
            "-p",
            "pilot-portal",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "bridge",
        ])
        .env("PATH", &path)
        .env("CHROMEDRIVER", &chromedriver))?;

    eprintln!(
        "\x1b[1;32mcargo xtask test: fmt, clippy, native, PostgreSQL, mosquitto, browser and end-to-end tests passed in {:.0} s\x1b[0m",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
