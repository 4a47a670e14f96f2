//! Every sentence a pilot reads, in one place: screens and panels only choose which one.
//! (The field-readiness work plugs the other languages in here.)

use crate::bridge::BridgeError;
use crate::error::AppError;
use crate::session::plan::LoginReason;
use crate::state::{Conn, Failure};
use crate::time;
use pilot_portal_shared::{ErrorCode, XagOutcome};

/// What the pilot reads for a failure: what happened and what to do.
pub fn error(e: &AppError) -> String {
    match e {
        AppError::Bridge(BridgeError::Missing) => {
            "Open this page in DJI Pilot 2 → Cloud Service → Open Platforms.".into()
        }
        AppError::Bridge(e) => format!("DJI Pilot 2 reported a problem: {}", bridge(e)),
        AppError::Network(_) => "No connection to the platform. Check the controller's network \
             (Wi-Fi or 4G dongle) and try again."
            .into(),
        AppError::Decode(_) => "The platform sent an answer this page does not understand. Try \
             again; if it persists, tell your platform administrator."
            .into(),
        AppError::NoSession => "You are not signed in. Log in again.".into(),
        AppError::InvalidWorkspaceId(id) => format!(
            "The project id \"{id}\" is not one DJI Pilot 2 accepts as a workspace. Choose \
             another project or tell your platform administrator."
        ),
        AppError::Page(what) => format!(
            "This page could not finish loading ({what}). Close it and open it again; if it \
             persists, update DJI Pilot 2."
        ),
        AppError::Api {
            code,
            retry_after_secs,
            message,
            upstream_code,
            ..
        } => api(*code, *retry_after_secs, *upstream_code, message),
    }
}

fn api(
    code: ErrorCode,
    retry_after_secs: Option<u64>,
    upstream_code: Option<i64>,
    message: &str,
) -> String {
    let device_code = upstream_code.map(|c| format!(" (code {c})")).unwrap_or_default();
    match code {
        ErrorCode::DeviceOffline => "This controller is not online on the platform's cloud. \
             Check the cloud connection above, then try again."
            .into(),
        ErrorCode::DeviceTimeout => "This controller did not answer in time. Try again; if it \
             keeps happening, restart DJI Pilot 2's cloud connection."
            .into(),
        ErrorCode::DeviceError => {
            format!("The aircraft refused the request{device_code}. Check the aircraft, then try again.")
        }
        ErrorCode::DeviceForbidden => "You can only manage the controller you are signed in on, \
             in your workspace."
            .into(),
        ErrorCode::DeviceNotConfigured => "Flight unlocking is not set up on this platform. Ask \
             your platform administrator."
            .into(),
        ErrorCode::FingerprintMismatch => "The aircraft rejected the license file: its checksum \
             did not match. Ask your platform administrator to upload the file again."
            .into(),
        ErrorCode::InvalidCredentials => {
            "Wrong username or password. Check them and try again.".into()
        }
        ErrorCode::TooManyAttempts => format!(
            "Too many login attempts. Wait {} and try again.",
            wait(retry_after_secs.unwrap_or(60))
        ),
        ErrorCode::UpstreamUnreachable => {
            "The platform cannot be reached right now. Try again in a moment.".into()
        }
        ErrorCode::UpstreamTimeout => {
            "The platform is not answering. Try again in a moment.".into()
        }
        ErrorCode::UpstreamError | ErrorCode::Internal | ErrorCode::Unknown => {
            "The platform had a problem. Try again; if it persists, tell your platform \
             administrator."
                .into()
        }
        ErrorCode::TokenExpired => "Your session has expired. Please log in again.".into(),
        ErrorCode::TokenRevoked => {
            "This controller's access was revoked on the platform. Please log in again.".into()
        }
        ErrorCode::TokenInvalid | ErrorCode::TokenMissing => {
            "Your session is no longer valid. Please log in again.".into()
        }
        ErrorCode::XagNotConfigured => {
            "XAG linking is not set up on this platform. Ask your platform administrator.".into()
        }
        ErrorCode::XagRefused => "XAG refused the platform's request. Ask your platform \
             administrator to check the XAG credentials."
            .into(),
        ErrorCode::LinkStateInvalid => "The XAG link request expired. Try again.".into(),
        ErrorCode::FlightHubNotConfigured => {
            "FlightHub 2 is not set up on this platform. Ask your platform administrator.".into()
        }
        ErrorCode::FlightHubKeyInvalid => "FlightHub 2 rejected the platform's organization key. \
             Ask your platform administrator."
            .into(),
        ErrorCode::FlightHubForbidden => "The platform has no FlightHub 2 permission on this \
             project. Choose another project or ask your platform administrator."
            .into(),
        ErrorCode::RateLimited => format!(
            "FlightHub 2 asks to slow down. Try again in {}.",
            wait(retry_after_secs.unwrap_or(30))
        ),
        ErrorCode::Forbidden => "The platform does not allow this with your account. Ask your \
             platform administrator."
            .into(),
        ErrorCode::NotFound => "The platform does not know this request. Update the page (close \
             and reopen it); if it persists, tell your platform administrator."
            .into(),
        ErrorCode::PayloadTooLarge => "That is more than the platform accepts. Shorten it and try \
             again."
            .into(),
        // The proxy names the field it refused; its words are specific to the request.
        ErrorCode::BadRequest => message.to_owned(),
    }
}

/// Pilot 2's own words when it refused, else what failed.
pub fn bridge(e: &BridgeError) -> String {
    match e {
        BridgeError::Refused { message, code, .. } if !message.is_empty() => {
            format!("{message} (code {code})")
        }
        other => other.to_string(),
    }
}

fn wait(secs: u64) -> String {
    if secs < 90 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

/// Why the pilot is on the login page.
pub fn login_reason(reason: &LoginReason) -> String {
    match reason {
        LoginReason::Expired { at_ms: Some(at) } => format!(
            "Your session expired on {}. Please log in again.",
            time::format_ms(*at)
        ),
        LoginReason::Expired { at_ms: None } => {
            "Your session has expired. Please log in again.".into()
        }
        LoginReason::Revoked => {
            "This controller's access was revoked on the platform. Please log in again.".into()
        }
        LoginReason::Invalid => "Your session is no longer valid. Please log in again.".into(),
        LoginReason::LoggedOut => "You have logged out.".into(),
    }
}

/// The title of a failure screen: what could not be done.
pub fn failure_title(what: Failure) -> &'static str {
    match what {
        Failure::Config => "Cannot load the platform settings",
        Failure::ReadSession => "Cannot read the stored session",
        Failure::CheckSession => "Cannot check your session",
        Failure::StoreSession => "Cannot store the new session",
        Failure::Bootstrap => "Cannot load your pilot settings",
        Failure::StartCloud => "Cannot start the cloud connection",
        Failure::CheckCloud => "Cannot check the cloud connection",
        Failure::SetWorkspace => "Cannot set the workspace in Pilot 2",
        Failure::LoadFull => "Cannot load the rest of the page",
    }
}

/// DJI refused the license: the title, and what to check.
pub const LICENSE_TITLE: &str = "DJI app license not verified";
pub const LICENSE_CHECKS: [&str; 3] = [
    "The App ID, App Key and License configured on the platform match the Cloud API app on \
     developer.dji.com (ask your platform administrator).",
    "The controller is online: DJI checks the license over the network.",
    "DJI Pilot 2 is up to date.",
];
pub const LICENSE_NOT_ACCEPTED: &str = "DJI Pilot 2 did not accept the app license.";
pub const LICENSE_NOT_VERIFIED: &str = "DJI Pilot 2 reports the license as not verified.";

pub const STEP_LICENSE: &str = "Verifying the DJI app license…";
pub const STEP_SESSION: &str = "Checking your session…";
pub const LOADING: &str = "Loading…";

pub const NOT_IN_PILOT_TITLE: &str = "Open this page in DJI Pilot 2";
pub const NOT_IN_PILOT_HOW: &str = "In DJI Pilot 2 go to Cloud Service → Open Platforms, enter \
     this page's address and tap Connect.";
pub const NOT_IN_PILOT_TESTING: &str = "Testing in a browser? Continue with a simulated Pilot 2.";

/// The cloud (MQTT) connection: a style class and the sentence.
pub fn conn(c: Conn) -> (&'static str, &'static str) {
    match c {
        Conn::Off => ("off", "Not configured for this pilot"),
        Conn::Connecting => ("pending", "Connecting…"),
        Conn::Connected => ("ok", "Connected"),
        Conn::Disconnected => (
            "warn",
            "Disconnected — Pilot 2 keeps retrying. Check the controller's network.",
        ),
        Conn::Failed => (
            "bad",
            "Cannot connect to the platform's MQTT broker: it cannot be reached from this \
             controller, or it refused your MQTT account. Check the controller's network; if \
             the network is fine, ask your platform administrator to check your MQTT account.",
        ),
    }
}

/// How an XAG link attempt ended: a style class and the sentence.
pub fn xag_outcome(outcome: XagOutcome) -> (&'static str, &'static str) {
    match outcome {
        XagOutcome::Linked => ("ok", "XAG account linked."),
        XagOutcome::Denied => (
            "warn",
            "Not linked: the authorization was cancelled on XAG's page.",
        ),
        XagOutcome::StateInvalid => (
            "warn",
            "Not linked: the link request expired or was already used. Tap Link XAG account to \
             try again.",
        ),
        XagOutcome::CodeRejected => (
            "warn",
            "Not linked: XAG's authorization code expired. Tap Link XAG account to try again.",
        ),
        XagOutcome::XagError => (
            "warn",
            "Not linked: XAG could not be reached or refused the platform. Try again in a moment.",
        ),
    }
}

pub const XAG_NOT_LINKED: &str = "Not linked. Link your XAG operator account so the platform can \
     read your XAG data and assign you work.";
pub const XAG_UNLINK_QUESTION: &str =
    "Unlink this XAG account? The platform will no longer see its data.";
pub const WORKSPACE_INTRO: &str =
    "Your FlightHub 2 projects. The one you choose is shown in Pilot 2's cloud entry.";
pub const NO_AIRCRAFT: &str = "No aircraft connected";
pub const NO_WORKSPACE: &str = "No workspace is set in Pilot 2. Ask your platform administrator \
     to set a default workspace (DEFAULT_WORKSPACE_ID) or to connect FlightHub 2.";

/// "Pilot 2 did not close the page: …"
pub fn exit_failed(e: &BridgeError) -> String {
    format!("Pilot 2 did not close the page: {}", bridge(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(code: ErrorCode) -> AppError {
        AppError::Api {
            status: 400,
            code,
            message: "m".into(),
            retry_after_secs: Some(42),
            upstream_code: None,
        }
    }

    #[test]
    fn messages_are_specific() {
        assert!(
            error(&api_error(ErrorCode::InvalidCredentials)).contains("Wrong username or password")
        );
        assert!(error(&api_error(ErrorCode::TooManyAttempts)).contains("42 seconds"));
        assert!(error(&api_error(ErrorCode::UpstreamUnreachable)).contains("cannot be reached"));
        assert!(error(&AppError::Network("x".into())).contains("network"));
        assert!(error(&AppError::Bridge(BridgeError::Missing)).contains("Open Platforms"));
    }

    #[test]
    fn a_missing_session_or_a_bad_id_is_not_blamed_on_the_network() {
        let no_session = error(&AppError::NoSession);
        assert!(no_session.contains("not signed in"), "{no_session}");
        assert!(!no_session.contains("network"));
        let bad_id = error(&AppError::InvalidWorkspaceId("42".into()));
        assert!(bad_id.contains("\"42\""), "{bad_id}");
        assert!(!bad_id.contains("does not understand"));
        let page = error(&AppError::Page("no document".into()));
        assert!(!page.contains("does not understand"), "{page}");
    }

    #[test]
    fn long_waits_are_in_minutes() {
        assert_eq!(wait(30), "30 seconds");
        assert_eq!(wait(600), "10 minutes");
    }
}
