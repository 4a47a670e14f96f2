//! The page's error type: what really went wrong, one variant per kind of failure. The words a
//! pilot reads for each are in [`crate::text`].

use crate::bridge::BridgeError;
use pilot_portal_shared::ErrorCode;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// Pilot 2's bridge refused or failed a call.
    #[error(transparent)]
    Bridge(#[from] BridgeError),
    /// The request never got an HTTP answer (offline, proxy down).
    #[error("network: {0}")]
    Network(String),
    /// The proxy answered with its error body.
    #[error("{message} ({})", code.as_str())]
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
        retry_after_secs: Option<u64>,
        /// The upstream's or the device's own code, when it gave one.
        upstream_code: Option<i64>,
    },
    /// The answer is not what the proxy sends (a captive portal, a gateway's error page).
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// Nobody is signed in on this page: there is no token to send.
    #[error("no session")]
    NoSession,
    /// A workspace id that Pilot 2 would refuse (`platformSetWorkspaceId` needs a UUID).
    #[error("workspace id {0:?} is not a UUID")]
    InvalidWorkspaceId(String),
    /// The page itself could not do something (the document, a script element).
    #[error("page: {0}")]
    Page(String),
}

impl AppError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            AppError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Seconds the proxy asked to wait, if any.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::Api {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }
}
