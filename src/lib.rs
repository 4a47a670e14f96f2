//! pilot-portal: the page DJI Pilot 2 opens under Cloud Service → Open Platforms.
//!
//! `main.rs` only boots; everything lives here so browser tests can use it. Who owns what:
//!
//! - [`bridge`]: the typed calls to `window.djiBridge` (bindings only, no rules);
//! - [`token`]: the pilot's token (Pilot 2's `api` module, the page's copy, memory);
//! - [`cloud`]: Pilot 2's cloud module, workspace id and platform information;
//! - [`session`]: sign in, enter the signed-in pages, end; [`session::plan`] decides;
//! - [`flow`]: the start sequence; [`config`]: the page config; [`emulator`]: the simulated
//!   Pilot 2 outside it; [`handoff`]: from the first-screen bundle to the full one;
//! - [`api`]: every proxy call; [`load`]: how panels read; [`error`] and [`text`]: what went
//!   wrong and every sentence a pilot reads, in the language [`i18n`] picks;
//! - [`diagnostics`]: the last bridge and proxy calls, secrets redacted, kept for the
//!   diagnostics page (`public/diagnostics.html`, plain JS);
//! - [`net`]: online or not, slow calls, timeouts and retries; [`clock`]: the offset between
//!   the controller's clock and the proxy's (a controller in a field often has no network
//!   time); `public/sw.js`: the service worker that keeps the app for a start without network;
//! - [`app`], [`pages`], [`components`]: the screens; [`panels`]: the link to the third
//!   bundle, which brings the main page's Flight unlocking and Access tokens panels.

pub mod api;
pub mod app;
pub mod bridge;
pub mod clock;
pub mod cloud;
pub mod components;
pub mod config;
pub mod diagnostics;
pub mod emulator;
pub mod error;
pub mod flow;
pub mod handoff;
pub mod i18n;
pub mod load;
pub mod net;
pub mod pages;
#[cfg(feature = "full")]
pub mod panels;
pub mod session;
pub mod state;
pub mod text;
pub mod time;
pub mod token;

pub use app::App;
