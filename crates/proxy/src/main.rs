//! `pilot-portal-proxy`: parse config, bind, serve until Ctrl-C or SIGTERM.
//!
//! With no subcommand it serves (as systemd, xtask and the tests run it). `check` probes the
//! configured upstreams and exits non-zero on a contradiction; `mosquitto-config` writes the
//! broker's password and ACL files from the same settings; `report` prints a pilot's support
//! report from the database. Settings come from the environment (or their flags, before the
//! subcommand).

use anyhow::Context;
use clap::{Parser, Subcommand};
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::{check, mosquitto, serve, settings, static_files, support, AppState};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "pilot-portal-proxy",
    version,
    about = "Serves the pilot-portal page and forwards its /api calls to the platform, keeping secrets server-side."
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Probe every configured upstream with harmless calls and print one line per assumption:
    /// confirmed, contradicted (with the setting to change) or not checkable. Exit status 1 on
    /// any contradiction.
    Check {
        /// A test account of the platform: log in, read the token, issue and revoke one.
        #[arg(long, requires = "password")]
        username: Option<String>,
        /// The test account's password (or CHECK_PASSWORD, kept out of the process list).
        #[arg(long, env = "CHECK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Accept the emulator's DJI app id, key and license (the demo stack).
        #[arg(long)]
        allow_demo_dji: bool,
    },
    /// Write mosquitto's `passwd` (PBKDF2-SHA512) and `acl` for these settings into DIR:
    /// one account per pilot (MQTT_CREDENTIALS) reaching only its controllers' topics
    /// (DEVICE_OWNERS), and the platform's account (DEVICE_MQTT_USERNAME).
    MosquittoConfig {
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the index pages as this proxy serves them (the settings' page config inlined),
    /// with their `.br` and `.gz` copies, into DIR (may be DIST itself): for nginx or a CDN
    /// serving the page, so the loader can ask Pilot 2 before any wasm. Again after each
    /// deploy and each change of the settings.
    WritePages {
        #[arg(long)]
        out: PathBuf,
    },
    /// Print a support report from DATABASE_URL: the id the pilot read out (K7M2-QX4P, any
    /// case, with or without the dash). Without an id: the latest reports' ids.
    Report {
        id: Option<String>,
        /// How many reports to list without an id.
        #[arg(long, default_value_t = 20)]
        last: u32,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The subcommands print a report on stdout: their own log goes to stderr, warnings only.
    let (default_filter, to_stderr) = match cli.command {
        None => ("pilot_portal_proxy=info,tower_http=info", false),
        Some(_) => ("pilot_portal_proxy=warn", true),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| default_filter.into());
    // Colours only for a terminal: under systemd they would be escaped into the text.
    if to_stderr {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(pilot_portal_proxy::logging::Escaping(std::io::stderr))
            .init();
    } else {
        // every value escaped: a request cannot forge a log line
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stdout().is_terminal())
            .with_writer(pilot_portal_proxy::logging::Escaping(std::io::stdout))
            .init();
    }
    // Before any value is logged or used: one may hold the rest of an env file's line.
    settings::env_file_mistakes(std::env::vars()).map_err(anyhow::Error::msg)?;
    let config = cli.config;
    match cli.command {
        None => {}
        Some(Command::Check {
            username,
            password,
            allow_demo_dji,
        }) => {
            let options = check::Options {
                account: username.zip(password),
                allow_demo_dji,
            };
            let report = check::run(&config, &options).await?;
            println!("{report}");
            std::process::exit(report.exit_code());
        }
        Some(Command::MosquittoConfig { out }) => {
            let written = mosquitto::write_files(&config, &out)?;
            for path in &written {
                println!("wrote {}", path.display());
            }
            // mode 0640: readable by the broker only through its group
            println!(
                "the broker must read them: chgrp mosquitto {} (Debian's mosquitto runs as \
                 the mosquitto user)",
                written
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            return Ok(());
        }
        Some(Command::WritePages { out }) => {
            let written = static_files::write_pages(&config, &out).with_context(|| {
                format!(
                    "write-pages: the pages of {} into {}",
                    config.dist.display(),
                    out.display()
                )
            })?;
            for path in written {
                println!("wrote {}", path.display());
            }
            return Ok(());
        }
        Some(Command::Report { id, last }) => {
            print!(
                "{}",
                support::operator_report(&config, id.as_deref(), last).await?
            );
            return Ok(());
        }
    }
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(dist = %config.dist.display(), "no index.html: build the page first (cargo xtask serve does)");
    }
    tracing::info!(?config, "starting");
    let listen = config.listen;
    // Everything a start refuses is refused before it says it listens.
    let state = AppState::new(config).await?;
    // LISTEN_BACKLOG sized for bursts of connects
    let listener = pilot_portal_proxy::bind(&state.config)
        .with_context(|| format!("PROXY_LISTEN {listen}: cannot listen there"))?;
    println!(
        "pilot-portal proxy listening on http://{}",
        listener.local_addr()?
    );
    serve(listener, state, shutdown()).await?;
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
