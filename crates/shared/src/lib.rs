//! Types shared by the page (wasm32) and the proxy (native), so the two cannot drift.
//!
//! serde only: no tokio, axum or web-sys here, so this builds for both targets.

pub mod api;
pub mod envelope;
pub mod error;
pub mod jwt;
pub mod support;
pub mod tokens;
pub mod unlock;

pub use api::*;
pub use envelope::{BridgeEnvelope, EnvelopeError};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
