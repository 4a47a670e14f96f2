//! The proxy's HTTP server: hyper's HTTP/1.1 connection with the limits axum's `serve` does
//! not expose, and a graceful shutdown.
//!
//! - **Listen backlog** `LISTEN_BACKLOG` (a burst of connects queues in the kernel instead of
//!   being refused; the kernel caps it at `net.core.somaxconn`).
//! - **Connections** at most `MAX_CONNECTIONS` at once; the next ones wait in the backlog.
//! - **Headers** must arrive within `CLIENT_HEADER_TIMEOUT_SECS` (hyper's header read timeout),
//!   which also closes a keep-alive connection idle that long: a slowloris or idle client
//!   holds a connection slot for at most that long. Headers are capped at 64 KiB.
//! - **Bodies**: `CLIENT_BODY_TIMEOUT_SECS` and the size cap are [`crate::guard`]'s.
//! - **Shutdown** (SIGTERM): `/readyz` turns 503 at once, requests are still served for
//!   `SHUTDOWN_DRAIN_SECS` (the load balancer notices), then the listener closes, idle
//!   connections close, and in-flight requests get `SHUTDOWN_GRACE_SECS` to finish.

use crate::AppState;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Largest request head (request line and headers) read.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Binds `addr` with `backlog` (and `SO_REUSEADDR`, so a restart does not wait for old
/// connections in TIME_WAIT).
pub fn bind(addr: SocketAddr, backlog: u32) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(backlog.max(1))
}

/// The server's limits, from the config.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub drain: Duration,
    pub grace: Duration,
}

impl Limits {
    pub fn of(config: &crate::config::Config) -> Limits {
        Limits {
            max_connections: config.max_connections.max(1),
            header_timeout: Duration::from_secs(config.client_header_timeout_secs.max(1)),
            drain: Duration::from_secs(config.shutdown_drain_secs),
            grace: Duration::from_secs(config.shutdown_grace_secs),
        }
    }
}

/// Completes once the accept loop is told to stop.
async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Serves [`crate::app`] on `listener` until `shutdown` completes, then shuts down as the
/// module says.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = Limits::of(&state.config);
    let app = crate::app(state.clone());
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();

    // SIGTERM: readiness off now, stop accepting after the drain.
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    {
        let state = state.clone();
        tokio::spawn(async move {
            shutdown.await;
            state.begin_shutdown();
            tracing::info!(
                drain_secs = limits.drain.as_secs(),
                "shutting down: not ready"
            );
            tokio::time::sleep(limits.drain).await;
            let _ = stop_tx.send(true);
        });
    }

    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = stopped(&mut stop_rx) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: wait a little instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop_rx) => break,
        };
        let _ = stream.set_nodelay(true);
        let (app, state) = (app.clone(), state.clone());
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            // the page's files skip the router and its layers
            let first = crate::static_files::answer_first(&state, &req);
            let app: Router = app.clone();
            async move {
                match first {
                    Some(answer) => Ok(answer.await),
                    None => app.oneshot(req.map(axum::body::Body::new)).await,
                }
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Errors here are the client's (reset, header timeout): nothing to answer.
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("listener closed; waiting for in-flight requests");
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(limits.grace) => {
            tracing::warn!(grace_secs = limits.grace.as_secs(), "in-flight requests cut at the grace period");
        }
    }
    Ok(())
}
