//! A throwaway PostgreSQL server for the storage tests: a fresh cluster in a temp directory,
//! on a free loopback port, stopped and deleted on drop. Debian's `postgresql` package is
//! installed if missing.

use crate::run::{output, run};
use crate::tools::apt_install;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct TempPostgres {
    bin: PathBuf,
    data: PathBuf,
    as_root: bool,
    _dir: tempfile::TempDir,
    pub url: String,
}

fn find_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

/// Runs a PostgreSQL tool; as root through `runuser -u postgres`, since PostgreSQL refuses
/// to run as root.
fn pg(as_root: bool, tool: &Path) -> Command {
    if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(tool);
        c
    } else {
        Command::new(tool)
    }
}

impl TempPostgres {
    pub fn start() -> anyhow::Result<TempPostgres> {
        let bin = match find_bin() {
            Some(b) => b,
            None => {
                apt_install(&["postgresql"])?;
                find_bin().context("PostgreSQL installed but initdb not found")?
            }
        };
        let as_root = output(Command::new("id").arg("-u")).as_deref() == Some("0");
        let dir = tempfile::Builder::new()
            .prefix("pilot-portal-pg")
            .tempdir()?;
        if as_root {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path()))?;
        }
        let data = dir.path().join("data");
        run(pg(as_root, &bin.join("initdb"))
            .args([
                "--auth=trust",
                "--username=postgres",
                "--no-sync",
                "--encoding=UTF8",
                "-D",
            ])
            .arg(&data)
            .stdout(std::process::Stdio::null()))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
            dir.path().display()
        );
        run(pg(as_root, &bin.join("pg_ctl"))
            .args(["-w", "-D"])
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.path().join("postgres.log"))
            .arg("start"))?;
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        if data.join("postmaster.pid").is_file() {
            Ok(TempPostgres {
                bin,
                data,
                as_root,
                _dir: dir,
                url,
            })
        } else {
            bail!("PostgreSQL did not start")
        }
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = pg(self.as_root, &self.bin.join("pg_ctl"))
            .args(["-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .stdout(std::process::Stdio::null())
            .status();
    }
}
