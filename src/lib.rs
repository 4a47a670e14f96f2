//! pilot-portal: the page DJI Pilot 2 opens under Cloud Service → Open Platforms.
//!
//! `main.rs` only boots; everything lives here so browser tests can use it.

pub mod api;
pub mod app;
pub mod bridge;
pub mod components;
pub mod error;
pub mod flow;
pub mod handoff;
pub mod load;
pub mod pages;
pub mod session;
pub mod state;
pub mod storage;
pub mod time;

pub use app::App;
