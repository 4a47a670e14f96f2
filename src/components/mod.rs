//! Reusable pieces of the screens.

pub mod cloud;
pub mod stepper;
pub mod xag_card;
