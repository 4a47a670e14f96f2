//! Debian's nginx running `deploy/nginx.conf` exactly as shipped, with only its placeholders
//! filled (ports, paths, the demo's extra `connect-src`): for the end-to-end test through
//! nginx and for `cargo xtask bench-proxy`. `cargo xtask test` installs nginx.

use crate::{free_port, wait_port, Guard};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The shipped configuration.
pub fn conf_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nginx.conf")
}

/// The nginx binary: `NGINX`, else `/usr/sbin/nginx`, else `nginx` on PATH.
pub fn binary() -> PathBuf {
    std::env::var_os("NGINX")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/sbin/nginx")).filter(|p| p.is_file()))
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

/// What to put in the placeholders.
#[derive(Debug, Clone)]
pub struct NginxOptions {
    /// The built page (with `nginx-csp.conf`, written by `cargo xtask build`).
    pub dist: PathBuf,
    /// The proxy instances.
    pub upstreams: Vec<SocketAddr>,
    /// Extra `connect-src` origins (the demo broker's `ws://…`).
    pub connect_extra: String,
}

/// A running nginx; stopped (its process group killed) when dropped.
pub struct Nginx {
    pub port: u16,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The filled-in configuration, as nginx read it.
    pub conf: PathBuf,
    _guard: Guard,
    _dir: tempfile::TempDir,
}

/// `deploy/nginx.conf` with its placeholders filled.
pub fn render(options: &NginxOptions, prefix: &Path, port: u16) -> anyhow::Result<String> {
    let template = std::fs::read_to_string(conf_path()).context("deploy/nginx.conf")?;
    let upstreams: String = options
        .upstreams
        .iter()
        .map(|a| format!("server {a};"))
        .collect::<Vec<_>>()
        .join("\n        ");
    let dist = options
        .dist
        .canonicalize()
        .with_context(|| format!("{}", options.dist.display()))?;
    // comments keep their placeholders (they document them)
    Ok(template
        .lines()
        .map(|line| {
            if line.trim_start().starts_with('#') {
                return format!("{line}\n");
            }
            let filled = line
                .replace("__PREFIX__", &prefix.display().to_string())
                .replace("__DIST__", &dist.display().to_string())
                .replace("__LISTEN__", &format!("127.0.0.1:{port}"))
                .replace("__UPSTREAMS__", &upstreams)
                .replace("__CONNECT_EXTRA__", options.connect_extra.trim());
            format!("{filled}\n")
        })
        .collect())
}

impl Nginx {
    pub fn start(options: &NginxOptions) -> anyhow::Result<Nginx> {
        anyhow::ensure!(
            options.dist.join("nginx-csp.conf").is_file(),
            "{} has no nginx-csp.conf: build the page with `cargo xtask build`",
            options.dist.display()
        );
        let dir = tempfile::Builder::new()
            .prefix("pilot-portal-nginx")
            .tempdir()?;
        // nginx's workers run as `nobody` when started as root: they write temp files here
        set_mode(dir.path(), 0o777)?;
        let port = free_port()?;
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, render(options, dir.path(), port)?)?;
        let nginx = binary();
        // `NGINX` names the binary here; nginx itself reads it as inherited sockets
        let check = Command::new(&nginx)
            .env_remove("NGINX")
            .arg("-t")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .output()
            .with_context(|| {
                format!(
                    "{} not found: cargo xtask test installs nginx (Debian: apt-get install nginx \
                     libnginx-mod-http-brotli-static)",
                    nginx.display()
                )
            })?;
        anyhow::ensure!(
            check.status.success(),
            "nginx -t refused the configuration:\n{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let guard = Guard::spawn(
            Command::new(&nginx)
                .env_remove("NGINX")
                .arg("-p")
                .arg(dir.path())
                .arg("-c")
                .arg(&conf)
                .args(["-g", "daemon off;"])
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        )?;
        wait_port(port, Duration::from_secs(10))?;
        Ok(Nginx {
            port,
            base: format!("http://127.0.0.1:{port}"),
            conf,
            _guard: guard,
            _dir: dir,
        })
    }

    /// nginx's error log so far (for a failing test's message).
    pub fn error_log(&self) -> String {
        self.conf
            .parent()
            .map(|d| std::fs::read_to_string(d.join("error.log")).unwrap_or_default())
            .unwrap_or_default()
    }
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}
