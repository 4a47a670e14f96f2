//! The page's error type, and the words a pilot reads for each failure.

use crate::bridge::BridgeError;
use pilot_portal_shared::ErrorCode;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
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
    },
    /// The proxy answered something the page cannot read.
    #[error("unexpected answer: {0}")]
    Decode(String),
}

impl AppError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            AppError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The token is dead: the pilot has to log in again.
    pub fn is_session_over(&self) -> bool {
        self.code().is_some_and(ErrorCode::is_session_over)
    }

    /// A message for the pilot: what happened and what to do.
    pub fn pilot_message(&self) -> String {
        match self {
            AppError::Bridge(BridgeError::Missing) => {
                "Open this page in DJI Pilot 2 → Cloud Service → Open Platforms.".into()
            }
            AppError::Bridge(e) => format!("DJI Pilot 2 reported a problem: {}", e.pilot_message()),
            AppError::Network(_) => {
                "No connection to the platform. Check the controller's network (Wi-Fi or 4G dongle) and try again.".into()
            }
            AppError::Decode(_) => {
                "The platform sent an answer this page does not understand. Try again; if it persists, tell your platform administrator.".into()
            }
            AppError::Api { code, retry_after_secs, message, .. } => match code {
                ErrorCode::InvalidCredentials => {
                    "Wrong username or password. Check them and try again.".into()
                }
                ErrorCode::TooManyAttempts => format!(
                    "Too many login attempts. Wait {} and try again.",
                    wait_text(retry_after_secs.unwrap_or(60))
                ),
                ErrorCode::UpstreamUnreachable => {
                    "The platform cannot be reached right now. Try again in a moment.".into()
                }
                ErrorCode::UpstreamTimeout => {
                    "The platform is not answering. Try again in a moment.".into()
                }
                ErrorCode::UpstreamError | ErrorCode::Internal | ErrorCode::Unknown => {
                    "The platform had a problem. Try again; if it persists, tell your platform administrator.".into()
                }
                ErrorCode::TokenExpired => "Your session has expired. Please log in again.".into(),
                ErrorCode::TokenRevoked => {
                    "Your session was ended on the platform. Please log in again.".into()
                }
                ErrorCode::TokenInvalid | ErrorCode::TokenMissing => {
                    "Your session is no longer valid. Please log in again.".into()
                }
                ErrorCode::XagNotConfigured => {
                    "XAG linking is not set up on this platform. Ask your platform administrator.".into()
                }
                ErrorCode::XagRefused => {
                    "XAG refused the platform's request. Ask your platform administrator to check the XAG credentials.".into()
                }
                ErrorCode::LinkStateInvalid => "The XAG link request expired. Try again.".into(),
                ErrorCode::FlightHubNotConfigured => {
                    "FlightHub 2 is not set up on this platform. Ask your platform administrator.".into()
                }
                ErrorCode::FlightHubKeyInvalid => {
                    "FlightHub 2 rejected the platform's organization key. Ask your platform administrator.".into()
                }
                ErrorCode::FlightHubForbidden => {
                    "The platform has no FlightHub 2 permission on this project. Choose another project or ask your platform administrator.".into()
                }
                ErrorCode::RateLimited => format!(
                    "FlightHub 2 asks to slow down. Try again in {}.",
                    wait_text(retry_after_secs.unwrap_or(30))
                ),
                ErrorCode::BadRequest | ErrorCode::Forbidden | ErrorCode::PayloadTooLarge | ErrorCode::NotFound => {
                    message.clone()
                }
            },
        }
    }
}

fn wait_text(secs: u64) -> String {
    if secs < 90 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: ErrorCode) -> AppError {
        AppError::Api {
            status: 400,
            code,
            message: "m".into(),
            retry_after_secs: Some(42),
        }
    }

    #[test]
    fn messages_are_specific() {
        assert!(api(ErrorCode::InvalidCredentials)
            .pilot_message()
            .contains("Wrong username or password"));
        assert!(api(ErrorCode::TooManyAttempts)
            .pilot_message()
            .contains("42 seconds"));
        assert!(api(ErrorCode::UpstreamUnreachable)
            .pilot_message()
            .contains("cannot be reached"));
        assert!(AppError::Network("x".into())
            .pilot_message()
            .contains("network"));
        assert!(AppError::Bridge(BridgeError::Missing)
            .pilot_message()
            .contains("Open Platforms"));
    }

    #[test]
    fn session_over_codes() {
        assert!(api(ErrorCode::TokenExpired).is_session_over());
        assert!(api(ErrorCode::TokenRevoked).is_session_over());
        assert!(!api(ErrorCode::UpstreamTimeout).is_session_over());
        assert!(!AppError::Network("x".into()).is_session_over());
    }
}
