//! Every sentence a pilot reads, in one place: screens and panels only choose which one.
//! (The field-readiness work plugs the other languages in here.)

use crate::bridge::BridgeError;
use crate::error::AppError;
use crate::session::plan::LoginReason;
use crate::state::{Conn, Failure};
use crate::time;
use pilot_portal_shared::unlock::{LicenseChange, LicenseKind, RidLevel, Validity};
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
    let device_code = upstream_code
        .map(|c| format!(" (code {c})"))
        .unwrap_or_default();
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
        ErrorCode::UpstreamError
        | ErrorCode::Internal
        | ErrorCode::MethodNotAllowed
        | ErrorCode::RequestTimeout
        | ErrorCode::Unknown => {
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
        ErrorCode::WorkspaceForbidden => "This project is not one of yours on this platform. \
             Choose another project, or ask your platform administrator for access."
            .into(),
        ErrorCode::RateLimited => format!(
            "FlightHub 2 asks to slow down. Try again in {}.",
            wait(retry_after_secs.unwrap_or(30))
        ),
        ErrorCode::Forbidden => "The platform does not allow this with your account. Ask your \
             platform administrator."
            .into(),
        ErrorCode::TokenScopeMissing => TOKENS_NO_PERMISSION.into(),
        ErrorCode::TokenRequestRefused => TOKENS_REQUEST_REFUSED.into(),
        ErrorCode::RenewalInProgress => {
            "Your session is being renewed on another screen. Try again in a moment.".into()
        }
        ErrorCode::UpstreamUnsupported => "The platform answered in a way this portal is not set \
             up for. Tell your platform administrator."
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
        LoginReason::Revoked => "This controller's access was revoked on the platform (for \
             example from another controller's Access tokens panel). Please log in again."
            .into(),
        LoginReason::RevokedHere => "You revoked this controller's access, so you are logged \
             out here. Log in again to use the platform from this controller."
            .into(),
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
        XagOutcome::Unsupported => (
            "warn",
            "Not linked: XAG answered in a way this platform is not set up for. Trying again \
             will not help: tell your platform administrator (the portal's log names the \
             setting to change).",
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

// ---------------------------------------------------------------------------------------------
// Access tokens (issue 9): every sentence of the Access tokens panel (`components::tokens`).
// Times are epoch milliseconds and `now` is passed in, so these are tested natively.
// ---------------------------------------------------------------------------------------------

pub const TOKENS_TITLE: &str = "Access tokens";
pub const TOKENS_INTRO: &str = "Every token that can use the platform in your project. Revoke the \
     ones you no longer trust; a token's value is shown only once, when it is issued.";
pub const TOKENS_LOADING: &str = "Reading the tokens…";
pub const TOKENS_NONE: &str = "No tokens.";
pub const TOKENS_THIS_CONTROLLER: &str = "this controller";
pub const TOKENS_EXPIRED_BADGE: &str = "expired";
pub const TOKENS_UNNAMED: &str = "Unnamed token";
pub const TOKENS_NO_EXPIRY: &str = "No expiry given";
pub const TOKENS_ALL_METHODS: &str = "All of the account's methods";
pub const TOKENS_FEWER_METHODS: &str = "fewer";
pub const TOKENS_REFRESH: &str = "Refresh";
pub const TOKENS_REVOKE: &str = "Revoke";
pub const TOKENS_KEEP: &str = "Keep";
pub const TOKENS_NEW: &str = "New token";
pub const TOKENS_NEW_TITLE: &str = "New token for another tool";
pub const TOKENS_NAME_LABEL: &str = "Name";
pub const TOKENS_NAME_PLACEHOLDER: &str = "e.g. Laptop ground station";
pub const TOKENS_LIFETIME_LABEL: &str = "Lifetime";
pub const TOKENS_CUSTOM: &str = "Custom…";
pub const TOKENS_CUSTOM_PLACEHOLDER: &str = "e.g. 90 days, 12 hours";
pub const TOKENS_METHODS_LABEL: &str = "Allowed methods";
pub const TOKENS_METHODS_LOADING: &str = "Reading the methods the platform offers…";
pub const TOKENS_PICK_ONE: &str = "Pick at least one method.";
pub const TOKENS_ISSUE: &str = "Issue token";
pub const TOKENS_ISSUING: &str = "Issuing…";
pub const TOKENS_CANCEL: &str = "Cancel";
pub const TOKENS_SHOWN_ONCE: &str = "Copy this token now. It will not be shown again: the \
     platform cannot give it back, and closing this box forgets it.";
pub const TOKENS_COPY: &str = "Copy";
pub const TOKENS_COPIED: &str = "Copied.";
pub const TOKENS_SELECTED: &str = "Selected: press Copy in the menu (or Ctrl+C) to copy it.";
pub const TOKENS_DONE: &str = "I have copied it";
pub const TOKENS_NO_PERMISSION: &str = "Your account has no permission to list, issue or revoke \
     tokens on the platform. Ask your platform administrator.";
pub const TOKENS_REQUEST_REFUSED: &str = "The platform refused this token: check its name, \
     lifetime and methods, then try again.";

/// The lifetimes offered for a new token: (label, the platform's `expiresIn`).
pub const TOKENS_LIFETIMES: [(&str, &str); 4] = [
    ("1 day", "1 day"),
    ("7 days", "7 days"),
    ("30 days", "30 days"),
    ("1 year", "1 year"),
];

/// "Revoke 'Pilot 2 · 5YSZL'?", and what revoking this controller's own token means.
pub fn tokens_revoke_question(name: &str, current: bool) -> String {
    if current {
        format!(
            "Revoke '{name}'? It is the token this controller uses: you will be logged out here."
        )
    } else {
        format!("Revoke '{name}'? Whatever uses it loses access to the platform at once.")
    }
}

/// "3 more methods" under a collapsed scope list.
pub fn tokens_more_methods(hidden: usize) -> String {
    match hidden {
        1 => "1 more method".into(),
        n => format!("{n} more methods"),
    }
}

/// A token's expiry relative to `now`: "in 3 h", "in 2 days", "expired 2 days ago".
pub fn tokens_relative(expires_at: i64, now: i64) -> String {
    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;
    const DAY: i64 = 24 * HOUR;
    let span = |ms: i64| -> String {
        if ms < HOUR {
            format!("{} min", (ms / MIN).max(1))
        } else if ms < 2 * DAY {
            format!("{} h", ms / HOUR)
        } else if ms < 365 * DAY {
            format!("{} days", ms / DAY)
        } else {
            let years = ms / (365 * DAY);
            if years == 1 {
                "1 year".into()
            } else {
                format!("{years} years")
            }
        }
    };
    if expires_at > now {
        format!("in {}", span(expires_at - now))
    } else {
        format!("expired {} ago", span(now - expires_at))
    }
}

#[cfg(test)]
mod tokens_tests {
    use super::*;

    #[test]
    fn expiry_in_words() {
        let now = 1_800_000_000_000;
        let h = 3_600_000;
        assert_eq!(tokens_relative(now + 3 * h + 5, now), "in 3 h");
        assert_eq!(tokens_relative(now + 30 * 60_000, now), "in 30 min");
        assert_eq!(tokens_relative(now + 10_000, now), "in 1 min");
        assert_eq!(tokens_relative(now + 3 * 24 * h, now), "in 3 days");
        assert_eq!(tokens_relative(now - 2 * 24 * h, now), "expired 2 days ago");
        assert_eq!(tokens_relative(now - 5 * h, now), "expired 5 h ago");
        assert_eq!(tokens_relative(now + 400 * 24 * h, now), "in 1 year");
        assert_eq!(tokens_relative(now + 5 * 366 * 24 * h, now), "in 5 years");
    }

    #[test]
    fn the_revoke_question_names_the_token_and_warns_about_this_controller() {
        assert_eq!(
            tokens_revoke_question("Pilot 2 · B", false),
            "Revoke 'Pilot 2 · B'? Whatever uses it loses access to the platform at once."
        );
        assert!(tokens_revoke_question("Pilot 2 · A", true).contains("logged out here"));
        assert_eq!(tokens_more_methods(1), "1 more method");
        assert_eq!(tokens_more_methods(4), "4 more methods");
    }

    #[test]
    fn revoked_reasons_say_whose_access_ended() {
        assert!(login_reason(&LoginReason::Revoked).contains("access was revoked"));
        assert!(login_reason(&LoginReason::RevokedHere).contains("You revoked"));
    }
}

// ---------------------------------------------------------------------------------------------
// Flight unlocking (issue 8): every sentence of the unlock panel (`components::unlock`).
// Dates are formatted by the caller's `date` (epoch milliseconds → text), so these are tested
// natively.
// ---------------------------------------------------------------------------------------------

pub const UNLOCK_TITLE: &str = "Flight unlocking";
pub const UNLOCK_TAB_AIRCRAFT: &str = "Aircraft";
pub const UNLOCK_TAB_DOCK: &str = "Dock";
pub const UNLOCK_INTRO_AIRCRAFT: &str = "The unlock licenses imported on the aircraft. Enable the \
     one your flight needs before take-off.";
pub const UNLOCK_INTRO_DOCK: &str = "The unlock licenses approved on DJI's Flysafe website. To \
     fly with one, update the aircraft's licenses, then enable it on the Aircraft tab.";
pub const UNLOCK_OFFLINE: &str = "This controller is not connected to the platform's cloud, so \
     its licenses cannot be read or changed. This panel looks again by itself once the \
     connection is back (see Cloud above).";
pub const UNLOCK_NO_AIRCRAFT: &str = "No aircraft is connected to this controller. Turn the \
     aircraft on and link it to the controller, then tap Refresh.";
pub const UNLOCK_NO_CONTROLLER: &str = "DJI Pilot 2 did not give this controller's serial \
     number, so its licenses cannot be read. Close this page and open it again.";
pub const UNLOCK_LOADING: &str = "Reading the licenses…";
pub const UNLOCK_NONE_AIRCRAFT: &str = "The aircraft carries no unlock licenses.";
pub const UNLOCK_NONE_DOCK: &str = "No unlock licenses are approved on Flysafe.";
pub const UNLOCK_INCONSISTENT: &str =
    "The aircraft's licenses differ from the ones approved — update them.";
pub const UNLOCK_REFRESH: &str = "Refresh";
pub const UNLOCK_UPDATE: &str = "Update from the platform's license file";
pub const UNLOCK_UPDATING: &str = "Updating…";
pub const UNLOCK_UPDATE_PROGRESS: &str = "Updating… the aircraft downloads the file and imports \
     its licenses. This can take a minute.";
pub const UNLOCK_UPDATED: &str =
    "Licenses updated. The list below is what the aircraft carries now.";
pub const UNLOCK_CANCEL: &str = "Cancel";

pub const UNLOCK_GROUP_AREA: &str = "Authorization zones";
pub const UNLOCK_GROUP_CIRCLE: &str = "Circular areas";
pub const UNLOCK_GROUP_COUNTRY: &str = "Countries and regions";
pub const UNLOCK_GROUP_ALTITUDE: &str = "Altitude limits";
pub const UNLOCK_GROUP_POLYGON: &str = "Polygon areas";
pub const UNLOCK_GROUP_POWER: &str = "Power";
pub const UNLOCK_GROUP_RID: &str = "Remote ID";
pub const UNLOCK_GROUP_OTHER: &str = "Other licenses";

/// A license's state: "Enabled" / "Disabled".
pub fn unlock_state(enabled: bool) -> &'static str {
    if enabled {
        "Enabled"
    } else {
        "Disabled"
    }
}

/// The switch's label: what tapping it asks for.
pub fn unlock_toggle(enable: bool) -> &'static str {
    if enable {
        "Enable"
    } else {
        "Disable"
    }
}

/// The switch's label while the device is asked.
pub fn unlock_switching(enable: bool) -> &'static str {
    if enable {
        "Enabling…"
    } else {
        "Disabling…"
    }
}

/// A license's name as shown: its own, else its id.
pub fn unlock_name(name: &str, license_id: Option<i64>) -> String {
    match (name.trim(), license_id) {
        ("", Some(id)) => format!("License {id}"),
        ("", None) => "Unnamed license".into(),
        (name, _) => name.to_owned(),
    }
}

/// "Enable 'Nanshan Science Park inspection circle'?"
pub fn unlock_confirm(enable: bool, name: &str) -> String {
    format!("{} '{name}'?", unlock_toggle(enable))
}

/// What a license unlocks, in a sentence.
pub fn unlock_what(kind: &LicenseKind) -> String {
    match kind {
        LicenseKind::Area(a) => {
            let ids: Vec<String> = a.area_ids.iter().map(i64::to_string).collect();
            match ids.len() {
                0 => "Unlocks authorization zones (none listed).".into(),
                1 => format!("Unlocks authorization zone {}.", ids[0]),
                _ => format!("Unlocks authorization zones {}.", ids.join(", ")),
            }
        }
        LicenseKind::Circle(c) => format!(
            "Unlocks a circle of radius {} m around {}{}.",
            metres(c.radius),
            coordinates(c.latitude, c.longitude),
            up_to(c.height)
        ),
        LicenseKind::Country(c) => format!(
            "Unlocks {}{}.",
            pilot_portal_shared::unlock::country_label(c.country_number),
            up_to(c.height)
        ),
        LicenseKind::Altitude(h) => format!("Raises the altitude limit to {} m.", h.height),
        LicenseKind::Polygon(p) => {
            let vertices = match p.vertex_count() {
                1 => "1 vertex".to_owned(),
                n => format!("{n} vertices"),
            };
            match p.extent() {
                Some(e) => format!(
                    "Unlocks a polygon area with {vertices}, latitude {:.5} to {:.5}, longitude \
                     {:.5} to {:.5}.",
                    e.min_latitude, e.max_latitude, e.min_longitude, e.max_longitude
                ),
                None => "Unlocks a polygon area without vertices.".into(),
            }
        }
        LicenseKind::Power(_) => "Unlocks higher power output.".into(),
        LicenseKind::Rid(r) => match r.level {
            RidLevel::Eu => "Remote ID unlocking: EU.".into(),
            RidLevel::China => "Remote ID unlocking: China.".into(),
            RidLevel::Unknown(level) => format!("Remote ID unlocking, level {level}."),
        },
        LicenseKind::Other { type_code, .. } => match type_code {
            -1 => "A license this page cannot read.".into(),
            0..=6 => format!(
                "A license of type {type_code} ({}) in a form this page cannot read.",
                pilot_portal_shared::unlock::type_name(*type_code)
            ),
            _ => {
                format!("Unknown license type {type_code}: this page cannot show what it unlocks.")
            }
        },
    }
}

/// "1581 m" (a fractional radius keeps one decimal).
fn metres(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.1}")
    }
}

/// "22.60309, 113.94782": latitude, longitude to 5 decimals (about a metre).
fn coordinates(latitude: f64, longitude: f64) -> String {
    format!("{latitude:.5}, {longitude:.5}")
}

/// ", up to 500 m altitude", or nothing without a limit.
fn up_to(height: Option<i64>) -> String {
    height
        .map(|h| format!(", up to {h} m altitude"))
        .unwrap_or_default()
}

/// Whether a license applies now. `date` formats epoch milliseconds.
pub fn unlock_validity(v: Validity, date: impl Fn(i64) -> String) -> String {
    let at = |secs: i64| date(secs.saturating_mul(1000));
    match v {
        Validity::NotYetValid { from } => format!("Not yet valid (from {}).", at(from)),
        Validity::Valid { until: Some(until) } => format!("Valid until {}.", at(until)),
        Validity::Valid { until: None } => "Valid, without end date.".into(),
        Validity::Expired { at: ended } => format!("Expired on {}.", at(ended)),
    }
}

/// "Last changed by pilot at … (enabled)." `date` formats epoch milliseconds.
pub fn unlock_last_change(change: &LicenseChange, date: impl Fn(i64) -> String) -> String {
    let state = if change.new_enabled {
        "enabled"
    } else {
        "disabled"
    };
    format!(
        "Last changed by {} at {} ({state}).",
        change.by,
        date(change.at_ms)
    )
}

#[cfg(test)]
mod unlock_tests {
    use super::*;
    use pilot_portal_shared::unlock::{
        AreaUnlock, CircleUnlock, CountryUnlock, GeoPoint, HeightUnlock, JsonMap, PolygonUnlock,
        PowerUnlock, RidUnlock,
    };

    fn date(ms: i64) -> String {
        format!("<{ms}>")
    }

    #[test]
    fn each_kind_says_what_it_unlocks() {
        let area = LicenseKind::Area(AreaUnlock {
            area_ids: vec![115001769, 8724],
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&area),
            "Unlocks authorization zones 115001769, 8724."
        );
        let circle = LicenseKind::Circle(CircleUnlock {
            radius: 1581.0,
            latitude: 22.60309,
            longitude: 113.947815,
            height: Some(500),
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&circle),
            "Unlocks a circle of radius 1581 m around 22.60309, 113.94782, up to 500 m altitude."
        );
        let country = LicenseKind::Country(CountryUnlock {
            country_number: 156,
            height: None,
            ..Default::default()
        });
        assert_eq!(unlock_what(&country), "Unlocks China.");
        let unknown_country = LicenseKind::Country(CountryUnlock {
            country_number: 999,
            height: Some(120),
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&unknown_country),
            "Unlocks country code 999, up to 120 m altitude."
        );
        let altitude = LicenseKind::Altitude(HeightUnlock {
            height: 500,
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&altitude),
            "Raises the altitude limit to 500 m."
        );
        let point = |latitude, longitude| GeoPoint {
            latitude,
            longitude,
        };
        let polygon = LicenseKind::Polygon(PolygonUnlock {
            points: vec![
                point(22.54, 113.93),
                point(22.55, 113.95),
                point(22.545, 113.94),
            ],
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&polygon),
            "Unlocks a polygon area with 3 vertices, latitude 22.54000 to 22.55000, longitude \
             113.93000 to 113.95000."
        );
        assert_eq!(
            unlock_what(&LicenseKind::Power(PowerUnlock::default())),
            "Unlocks higher power output."
        );
        let rid = |level| {
            unlock_what(&LicenseKind::Rid(RidUnlock {
                level,
                extra: JsonMap::new(),
            }))
        };
        assert!(rid(RidLevel::Eu).contains("EU"));
        assert!(rid(RidLevel::China).contains("China"));
        assert!(rid(RidLevel::Unknown(7)).contains("level 7"));
    }

    #[test]
    fn other_licenses_say_what_is_unknown() {
        let other = |type_code| {
            unlock_what(&LicenseKind::Other {
                type_code,
                fields: JsonMap::new(),
            })
        };
        assert!(other(9).contains("Unknown license type 9"), "{}", other(9));
        assert!(other(1).contains("type 1 (Custom circular area unlocking)"));
        assert_eq!(other(-1), "A license this page cannot read.");
    }

    #[test]
    fn odd_shapes_are_still_said() {
        let empty_area = LicenseKind::Area(AreaUnlock::default());
        assert!(unlock_what(&empty_area).contains("none listed"));
        let one_zone = LicenseKind::Area(AreaUnlock {
            area_ids: vec![8724],
            ..Default::default()
        });
        assert_eq!(unlock_what(&one_zone), "Unlocks authorization zone 8724.");
        let empty_polygon = LicenseKind::Polygon(PolygonUnlock::default());
        assert!(unlock_what(&empty_polygon).contains("without vertices"));
        let fractional = LicenseKind::Circle(CircleUnlock {
            radius: 12.25,
            latitude: -33.5,
            longitude: -70.25,
            height: None,
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&fractional),
            "Unlocks a circle of radius 12.2 m around -33.50000, -70.25000."
        );
    }

    #[test]
    fn validity_in_words() {
        assert_eq!(
            unlock_validity(Validity::NotYetValid { from: 10 }, date),
            "Not yet valid (from <10000>)."
        );
        assert_eq!(
            unlock_validity(Validity::Valid { until: Some(20) }, date),
            "Valid until <20000>."
        );
        assert_eq!(
            unlock_validity(Validity::Valid { until: None }, date),
            "Valid, without end date."
        );
        assert_eq!(
            unlock_validity(Validity::Expired { at: 30 }, date),
            "Expired on <30000>."
        );
    }

    #[test]
    fn the_question_names_the_license() {
        assert_eq!(
            unlock_confirm(true, "Nanshan Science Park inspection circle"),
            "Enable 'Nanshan Science Park inspection circle'?"
        );
        assert_eq!(unlock_confirm(false, "X"), "Disable 'X'?");
        assert_eq!(unlock_name("  ", Some(240330)), "License 240330");
        assert_eq!(unlock_name("", None), "Unnamed license");
        assert_eq!(unlock_name("Zone", Some(1)), "Zone");
        assert_eq!(unlock_switching(true), "Enabling…");
        assert_eq!(unlock_switching(false), "Disabling…");
    }

    #[test]
    fn last_change_names_who_and_when() {
        let change = LicenseChange {
            by: "pilot".into(),
            at_ms: 5,
            old_enabled: Some(false),
            new_enabled: true,
        };
        assert_eq!(
            unlock_last_change(&change, date),
            "Last changed by pilot at <5> (enabled)."
        );
    }
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
