//! One screen per module.

pub mod failed;
pub mod license;
pub mod login;
pub mod main_page;
pub mod not_in_pilot;
pub mod starting;
pub mod workspace;
