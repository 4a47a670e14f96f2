//! Reusable pieces of the screens. The signed-in panels are only in the `full` bundle, the
//! Flight unlocking and Access tokens panels only in the `panels` one (see `crate::panels`).

#[cfg(feature = "full")]
pub mod cloud;
pub mod error_view;
pub mod lang_switch;
pub mod net_status;
#[cfg(any(feature = "full", test))]
pub mod refresh_note;
pub mod stepper;
// Also compiled for the native unit tests of its pure helpers.
#[cfg(any(feature = "panels", test))]
pub mod token_words;
#[cfg(feature = "panels")]
pub mod tokens;
#[cfg(any(feature = "panels", test))]
pub mod unlock;
#[cfg(feature = "full")]
pub mod xag_card;
