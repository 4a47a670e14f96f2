//! Reusable pieces of the screens.

pub mod stepper;
pub mod xag_card;
