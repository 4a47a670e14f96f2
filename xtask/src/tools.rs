//! Installs what the build and the tests need, reusing what is already there at the right
//! version, so a second run starts in seconds. Measured recipe: shared/reference/toolchain.md.
//!
//! - wasm32 target (rustup);
//! - Trunk 0.21.14 (`cargo install --locked`; 0.22 needs a newer rustc);
//! - wasm-bindgen-cli at exactly the version in Cargo.lock (without `--locked`: its lock
//!   pins a crate this registry lacks);
//! - wasm-opt from npm `binaryen@132` into `.tools/` (Debian's binaryen 108 writes a module
//!   that crashes at load; Trunk.toml pins version_132 so it is refused);
//! - Debian's chromium and chromium-driver, for the browser tests;
//! - terser from npm into `.tools/`: the page's JavaScript minifier (`minify.rs`);
//! - for the old-controller checks (`compat.rs`): acorn from npm into `.tools/`, Debian's wabt.

use crate::run::{cargo, output, run};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_NPM: &str = "binaryen@132";
pub const WASM_OPT_VERSION: &str = "version_132";
/// The JavaScript parser that checks the page's ECMAScript level (`es_level.js`).
pub const ACORN_VERSION: &str = "8.19.0";
/// The minifier of the glue and the inline scripts (`minify.rs`).
pub const TERSER_VERSION: &str = "5.51.4";
const TOOLS_DIR: &str = ".tools";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Build the page.
    Build,
    /// Build and run browser tests.
    All,
}

/// Where the installed tools are.
pub struct Tools {
    /// Prepend to PATH so Trunk finds the pinned wasm-opt.
    pub bin_dir: PathBuf,
    pub chromedriver: Option<PathBuf>,
    pub chromium: Option<PathBuf>,
}

impl Tools {
    /// terser's command-line script (run with `node`).
    pub fn terser(&self) -> PathBuf {
        self.bin_dir.join("../terser/bin/terser")
    }

    /// PATH with `.tools` first.
    pub fn path_env(&self) -> std::ffi::OsString {
        let mut paths = vec![self.bin_dir.clone()];
        if let Some(home) = std::env::var_os("HOME") {
            paths.push(PathBuf::from(home).join(".cargo/bin"));
        }
        if let Some(path) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(paths).unwrap_or_default()
    }
}

fn which(name: &str) -> Option<PathBuf> {
    output(Command::new("sh").args(["-c", &format!("command -v {name}")])).map(PathBuf::from)
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

fn is_debian() -> bool {
    Path::new("/etc/debian_version").exists()
}

/// The wasm-bindgen version Cargo.lock resolved; the CLI must match it exactly.
pub fn wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("wasm-bindgen not found in Cargo.lock")
}

/// npm's `name` at exactly `version` in `tools_dir/node_modules`, installed if it is not there.
fn npm_package(tools_dir: &Path, name: &str, version: &str) -> anyhow::Result<()> {
    let installed = std::fs::read_to_string(
        tools_dir
            .join("node_modules")
            .join(name)
            .join("package.json"),
    )
    .unwrap_or_default();
    if installed.contains(&format!("\"version\": \"{version}\"")) {
        return Ok(());
    }
    if which("npm").is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    step(&format!("{name} {version} (npm)"), || {
        std::fs::create_dir_all(tools_dir)?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(tools_dir)
            .arg(format!("{name}@{version}")))
    })
}

fn step(what: &str, f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    let start = Instant::now();
    eprintln!("\x1b[1m==> installing {what}\x1b[0m");
    f()?;
    eprintln!("    {what}: {:.0} s", start.elapsed().as_secs_f64());
    Ok(())
}

pub fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    if !(is_root() && is_debian()) {
        bail!(
            "missing system packages; install them and rerun: {} (Debian: apt-get install {})",
            packages.join(", "),
            packages.join(" ")
        );
    }
    run(Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Debian's mosquitto broker (and openssl, which the broker test makes its certificates with),
/// installed if missing: the mosquitto binary.
pub fn mosquitto() -> anyhow::Result<PathBuf> {
    let find = || {
        ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .or_else(|| which("mosquitto"))
    };
    let mut missing = Vec::new();
    if find().is_none() {
        missing.push("mosquitto");
    }
    if which("openssl").is_none() {
        missing.push("openssl");
    }
    if !missing.is_empty() {
        step(&missing.join(" and "), || apt_install(&missing))?;
    }
    find().context("mosquitto installed but not found in /usr/sbin or on PATH")
}

/// Debian's nginx with the brotli_static module (`deploy/nginx.conf` loads it), installed if
/// missing: the nginx binary. The nginx end-to-end test and `cargo xtask bench-proxy` run it.
pub fn nginx() -> anyhow::Result<PathBuf> {
    const MODULE: &str = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so";
    let find = || {
        ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .or_else(|| which("nginx"))
    };
    let mut missing = Vec::new();
    if find().is_none() {
        missing.push("nginx");
    }
    if !Path::new(MODULE).is_file() {
        missing.push("libnginx-mod-http-brotli-static");
    }
    if !missing.is_empty() {
        step(&missing.join(" and "), || apt_install(&missing))?;
    }
    find().context("nginx installed but not found in /usr/sbin or on PATH")
}

/// Debian's wabt (`wasm-validate`, the WebAssembly feature check), installed if missing.
pub fn wabt() -> anyhow::Result<PathBuf> {
    if which("wasm-validate").is_none() {
        step("wabt", || apt_install(&["wabt"]))?;
    }
    which("wasm-validate").context("wabt installed but wasm-validate is not on PATH")
}

/// Debian's `wrk` (the load generator of `cargo xtask bench-proxy`), installed if missing.
pub fn wrk() -> anyhow::Result<PathBuf> {
    if which("wrk").is_none() {
        step("wrk", || apt_install(&["wrk"]))?;
    }
    which("wrk").context("wrk installed but not on PATH")
}

pub fn setup(need: Need) -> anyhow::Result<Tools> {
    let root = std::env::current_dir()?;
    let tools_dir = root.join(TOOLS_DIR);
    let bin_dir = tools_dir.join("node_modules/.bin");

    let targets =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        step("the wasm32-unknown-unknown target", || {
            run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
        })?;
    }

    let trunk = output(Command::new("trunk").arg("--version")).unwrap_or_default();
    if trunk != format!("trunk {TRUNK_VERSION}") {
        step(
            &format!("trunk {TRUNK_VERSION} (about 13 minutes on 2 cores)"),
            || run(cargo().args(["install", "--locked", "trunk", "--version", TRUNK_VERSION])),
        )?;
    }

    let wbg = wasm_bindgen_version()?;
    let installed = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner =
        output(Command::new("wasm-bindgen-test-runner").arg("--version")).unwrap_or_default();
    if installed != format!("wasm-bindgen {wbg}") || !runner.contains(&wbg) {
        step(&format!("wasm-bindgen-cli {wbg} (about 5 minutes)"), || {
            run(cargo().args(["install", "--force", "wasm-bindgen-cli", "--version", &wbg]))
        })?;
    }

    let wasm_opt =
        output(Command::new(bin_dir.join("wasm-opt")).arg("--version")).unwrap_or_default();
    if !wasm_opt.contains(WASM_OPT_VERSION) {
        if which("npm").is_none() {
            apt_install(&["nodejs", "npm"])?;
        }
        step(&format!("wasm-opt ({BINARYEN_NPM} from npm)"), || {
            std::fs::create_dir_all(&tools_dir)?;
            run(Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&tools_dir)
                .arg(BINARYEN_NPM))
        })?;
    }

    npm_package(&tools_dir, "terser", TERSER_VERSION)?;
    if need == Need::All {
        npm_package(&tools_dir, "acorn", ACORN_VERSION)?;
    }

    let (mut chromium, mut chromedriver) = (which("chromium"), which("chromedriver"));
    if need == Need::All && (chromium.is_none() || chromedriver.is_none()) {
        step("chromium and chromium-driver (Debian)", || {
            apt_install(&["chromium", "chromium-driver"])
        })?;
        chromium = which("chromium");
        chromedriver = which("chromedriver");
        if chromium.is_none() || chromedriver.is_none() {
            bail!("chromium / chromedriver still not on PATH after installing them");
        }
    }
    Ok(Tools {
        bin_dir,
        chromedriver,
        chromium,
    })
}
