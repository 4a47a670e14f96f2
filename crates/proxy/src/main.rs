//! `pilot-portal-proxy`: parse config, bind, serve until Ctrl-C or SIGTERM.

use clap::Parser;
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::{serve, AppState};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // every value escaped: a request cannot forge a log line
    pilot_portal_proxy::logging::init();
    let config = Config::parse();
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(dist = %config.dist.display(), "no index.html: build the page first (cargo xtask serve does)");
    }
    tracing::info!(?config, "starting");
    // LISTEN_BACKLOG sized for bursts of connects
    let listener = pilot_portal_proxy::bind(&config)?;
    println!(
        "pilot-portal proxy listening on http://{}",
        listener.local_addr()?
    );
    serve(listener, AppState::new(config).await?, shutdown()).await?;
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
