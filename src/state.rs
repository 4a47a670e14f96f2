//! What the page shows, as one signal the whole app reads.

use crate::session::LoginReason;
use leptos::prelude::*;
use pilot_portal_shared::{PageConfig, Workspace};

/// A step of the start sequence, shown in the stepper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    License,
    Session,
}

/// Who is logged in, for the main page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub user: String,
    pub expires_at: i64,
}

/// Pilot 2's cloud (MQTT) connection, as the `thing` module reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conn {
    /// No broker configured for this pilot.
    Off,
    Connecting,
    Connected,
    /// Was connected, now is not (Pilot 2 reconnects by itself).
    Disconnected,
    /// The broker never accepted the connection.
    Refused,
}

impl Conn {
    pub fn as_str(self) -> &'static str {
        match self {
            Conn::Off => "off",
            Conn::Connecting => "connecting",
            Conn::Connected => "connected",
            Conn::Disconnected => "disconnected",
            Conn::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Conn {
        match s {
            "connecting" => Conn::Connecting,
            "connected" => Conn::Connected,
            "disconnected" => Conn::Disconnected,
            "refused" => Conn::Refused,
            _ => Conn::Off,
        }
    }
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
        title: String,
        message: String,
    },
    Login {
        reason: Option<LoginReason>,
    },
    /// Choose a FlightHub 2 project as the workspace.
    Workspace(Signed),
    /// The full bundle has taken over (see `handoff`).
    HandedOff,
    Main(Signed),
}

/// App-wide context: `Copy`, so closures take it freely.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub screen: RwSignal<Screen>,
    pub config: StoredValue<Option<PageConfig>>,
    pub conn: RwSignal<Conn>,
    /// The workspace set in Pilot 2.
    pub workspace: RwSignal<Option<Workspace>>,
    pub platform_name: StoredValue<String>,
}

impl Ctx {
    pub fn new() -> Self {
        Ctx {
            screen: RwSignal::new(Screen::Starting(Step::License)),
            config: StoredValue::new(None),
            conn: RwSignal::new(Conn::Off),
            workspace: RwSignal::new(None),
            platform_name: StoredValue::new(String::new()),
        }
    }
}

impl Default for Ctx {
    fn default() -> Self {
        Self::new()
    }
}
