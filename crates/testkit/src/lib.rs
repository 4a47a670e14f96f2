//! What the tests and `cargo xtask` share, so each exists once: child processes in their own
//! process group that die with their guard, free and awaited ports, one headless Chromium
//! (`chromium`), Debian's nginx on `deploy/nginx.conf` (`nginx`), and, with the `stack` feature, the demo stack with the real proxy (`stack`).

pub mod chromium;
pub mod nginx;
mod process;
#[cfg(feature = "stack")]
pub mod stack;

pub use process::{free_port, wait_port, Guard};
#[cfg(feature = "stack")]
pub use stack::{Stack, StackOptions};
