//! What the page shows and knows, as one `Copy` context of signals the whole app reads.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::session::plan::LoginReason;
use leptos::prelude::*;
use pilot_portal_shared::{PageConfig, Workspace};
use serde::{Deserialize, Serialize};

/// A step of the start sequence, shown in the stepper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    License,
    Session,
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub user: String,
    pub expires_at: i64,
}

/// Pilot 2's cloud (MQTT) connection, as the `thing` module reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conn {
    /// No broker configured for this pilot.
    Off,
    Connecting,
    Connected,
    /// Was connected, now is not (Pilot 2 reconnects by itself).
    Disconnected,
    /// Never connected: the broker is unreachable or refused the account (Pilot 2's callback
    /// cannot tell which).
    Failed,
}

impl Conn {
    pub fn as_str(self) -> &'static str {
        match self {
            Conn::Off => "off",
            Conn::Connecting => "connecting",
            Conn::Connected => "connected",
            Conn::Disconnected => "disconnected",
            Conn::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Conn {
        match s {
            "connecting" => Conn::Connecting,
            "connected" => Conn::Connected,
            "disconnected" => Conn::Disconnected,
            "failed" => Conn::Failed,
            _ => Conn::Off,
        }
    }
}

/// What could not be done, for the title of a failure screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Config,
    ReadSession,
    CheckSession,
    StoreSession,
    Bootstrap,
    StartCloud,
    CheckCloud,
    SetWorkspace,
    LoadFull,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Starting(Step),
    /// No `window.djiBridge`.
    NotInPilot,
    /// DJI refused the app license; DJI's message.
    LicenseFailed {
        message: String,
    },
    /// Something failed that a retry may fix; the stored token is kept.
    Failed {
        what: Failure,
        error: AppError,
    },
    Login {
        reason: Option<LoginReason>,
    },
    /// Choose a FlightHub 2 project as the workspace.
    Workspace,
    /// The full bundle has taken over (see `handoff`).
    HandedOff,
    Main,
}

/// App-wide context: `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub screen: RwSignal<Screen>,
    /// The page config (platform name, DJI license, …), once loaded.
    pub config: StoredValue<Option<PageConfig>>,
    /// Who is signed in; `None` on the first screens.
    pub signed: RwSignal<Option<Signed>>,
    pub conn: RwSignal<Conn>,
    /// The workspace set in Pilot 2.
    pub workspace: RwSignal<Option<Workspace>>,
    /// The page's language; the screen is rebuilt when it changes.
    pub lang: RwSignal<Lang>,
}

impl Ctx {
    pub fn new() -> Self {
        Ctx {
            screen: RwSignal::new(Screen::Starting(Step::License)),
            config: StoredValue::new(None),
            signed: RwSignal::new(None),
            conn: RwSignal::new(Conn::Off),
            workspace: RwSignal::new(None),
            lang: RwSignal::new(crate::i18n::current()),
        }
    }

    /// The platform's name (Pilot 2's tab bar, the login page).
    pub fn platform_name(&self) -> String {
        self.config
            .with_value(|c| c.as_ref().map(|c| c.platform_name.clone()))
            .unwrap_or_default()
    }

    /// Shows a failure a retry may fix.
    pub fn fail(&self, what: Failure, error: AppError) {
        self.screen.set(Screen::Failed { what, error });
    }
}

impl Default for Ctx {
    fn default() -> Self {
        Self::new()
    }
}
