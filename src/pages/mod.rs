//! One screen per module. The signed-in pages are only in the `full` bundle.

pub mod failed;
pub mod license;
pub mod login;
#[cfg(feature = "full")]
pub mod main_page;
pub mod not_in_pilot;
pub mod starting;
#[cfg(feature = "full")]
pub mod workspace;
