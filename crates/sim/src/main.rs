//! `pilot-portal-sim`: runs the upstream simulators for the demo.

use clap::Parser;
use pilot_portal_sim::TokenApiSim;
use std::net::SocketAddr;

#[derive(Parser)]
#[command(
    version,
    about = "Simulators of pilot-portal's upstream systems (demo and tests only)"
)]
struct Args {
    /// Address of the platform token API simulator.
    #[arg(long, env = "SIM_TOKEN_API_ADDR", default_value = "127.0.0.1:8091")]
    token_api_addr: SocketAddr,
    /// HS256 secret the simulated platform signs its tokens with.
    #[arg(
        long,
        env = "SIM_JWT_SECRET",
        default_value = "sim-platform-secret",
        hide_env_values = true
    )]
    jwt_secret: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "pilot_portal_sim=info".into()),
        )
        .init();
    let args = Args::parse();
    let token_api = TokenApiSim::start(args.jwt_secret.as_bytes(), args.token_api_addr).await?;
    println!("token API simulator on {}", token_api.base_url());
    println!(
        "demo user: {} / {}",
        pilot_portal_sim::token_api::DEMO_USER,
        pilot_portal_sim::token_api::DEMO_PASSWORD
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
