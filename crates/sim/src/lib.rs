//! Simulators of the upstream systems, each written from its reference document: they verify
//! what the document says the real system verifies and fail the way it says it fails; where
//! the document is silent, a run-time switch picks among the plausible answers (README:
//! "Confirmed and assumed"). Used by `cargo xtask serve` and
//! by the tests ([`demo::DemoStack`] starts them all); the proxy and the page never link this
//! crate.

pub mod demo;
pub mod faults;
pub mod flighthub;
pub mod gateway;
pub mod mqtt;
pub mod ric_error;
pub mod token_api;
pub mod xag;

use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Binds `addr` and serves `router` in the background; returns the bound address.
pub async fn spawn(router: Router, addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!("simulator on {bound} stopped: {e}");
        }
    });
    Ok(bound)
}

/// The token API simulator with its fault switch, on `addr`. Clones are handles to the same
/// running simulator.
#[derive(Clone)]
pub struct TokenApiSim {
    pub api: token_api::TokenApi,
    pub faults: faults::Faults,
    pub addr: SocketAddr,
}

impl TokenApiSim {
    pub async fn start(secret: &[u8], addr: SocketAddr) -> std::io::Result<Self> {
        let api = token_api::TokenApi::new(secret);
        let faults = faults::Faults::default();
        let addr = spawn(faults.wrap(api.clone().router()), addr).await?;
        Ok(TokenApiSim { api, faults, addr })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// The XAG authorization simulator with its fault switch, on `addr` (clones: handles).
#[derive(Clone)]
pub struct XagSimServer {
    pub sim: xag::XagSim,
    pub faults: faults::Faults,
    pub addr: SocketAddr,
}

impl XagSimServer {
    pub async fn start(config: xag::XagConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let sim = xag::XagSim::new(config);
        let faults = faults::Faults::default();
        let addr = spawn(faults.wrap(sim.clone().router()), addr).await?;
        Ok(XagSimServer { sim, faults, addr })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// The FlightHub 2 OpenAPI simulator with its fault switch, on `addr` (clones: handles).
#[derive(Clone)]
pub struct FlightHubSimServer {
    pub sim: flighthub::FlightHubSim,
    pub faults: faults::Faults,
    pub addr: SocketAddr,
}

impl FlightHubSimServer {
    pub async fn start(sim: flighthub::FlightHubSim, addr: SocketAddr) -> std::io::Result<Self> {
        let faults = faults::Faults::default();
        let addr = spawn(faults.wrap(sim.clone().router()), addr).await?;
        Ok(FlightHubSimServer { sim, faults, addr })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
