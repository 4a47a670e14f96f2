//! Running commands loudly: each is printed before it runs, and a failure names it.

use anyhow::{bail, Context};
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(PathBuf::from)
        .context("xtask lives in the workspace root")
}

/// Where cargo puts the binaries of `profile` (`debug`, `release`): under `CARGO_TARGET_DIR`
/// when it is set (relative to the workspace root, as cargo reads it), else `target/`.
pub fn target_dir(profile: &str) -> anyhow::Result<PathBuf> {
    let root = workspace_root()?;
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map(|d| root.join(d))
        .unwrap_or_else(|| root.join("target"));
    Ok(base.join(profile))
}

/// Runs `cmd` to completion; an error if it fails.
pub fn run(cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("\x1b[1m$ {}\x1b[0m", describe(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {}", describe(cmd)))?;
    if !status.success() {
        bail!("failed ({status}): {}", describe(cmd));
    }
    Ok(())
}

/// The trimmed stdout of `cmd`, or `None` if it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// A child process in its own process group, killed with its children when dropped.
pub use pilot_portal_testkit::Guard;

/// Starts `cmd` in a new process group; output goes to the null device.
pub fn spawn_group(cmd: &mut Command) -> anyhow::Result<Guard> {
    spawn_group_loud(cmd.stdout(Stdio::null()).stderr(Stdio::null()))
}

/// Starts `cmd` in a new process group with its output on ours.
pub fn spawn_group_loud(cmd: &mut Command) -> anyhow::Result<Guard> {
    Guard::spawn(cmd).with_context(|| format!("cannot start {}", describe(cmd)))
}
