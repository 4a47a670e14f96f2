//! Builds the page with Trunk (release profile `wasm-release`, wasm-opt -Oz) and writes
//! brotli and gzip copies next to the assets for the proxy to serve.

use crate::run::{cargo, run};
use crate::tools::Tools;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const DIST: &str = "dist";

pub fn build(tools: &Tools) -> anyhow::Result<PathBuf> {
    // Trunk builds with `cargo --offline` (Trunk.toml): fetch crates first.
    run(cargo().args(["fetch", "--locked"]))?;
    // The first-screen bundle (index.html), then the signed-in pages (full.html, feature
    // `full`) into dist/full/, which the first one loads when it needs them.
    run(Command::new("trunk")
        .args(["build", "--release", "--dist", DIST])
        .env("PATH", tools.path_env())
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .env("NO_COLOR", "true"))?;
    run(Command::new("trunk")
        .args(["build", "full.html", "--release", "--dist"])
        .arg(format!("{DIST}/full"))
        .args(["--public-url", "/full/"])
        .env("PATH", tools.path_env())
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .env("NO_COLOR", "true"))?;
    let dist = std::env::current_dir()?.join(DIST);
    precompress(&dist)?;
    precompress(&dist.join("full"))?;
    Ok(dist)
}

/// `.br` (quality 11) and `.gz` (level 9) beside each asset; not index.html, which the proxy
/// renders per request.
fn precompress(dist: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let compressible = [".js", ".wasm", ".css"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if !compressible {
            continue;
        }
        let raw = std::fs::read(&path)?;
        std::fs::write(append_ext(&path, "br"), brotli_bytes(&raw)?)?;
        std::fs::write(append_ext(&path, "gz"), gzip_bytes(&raw)?)?;
    }
    Ok(())
}

fn append_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

pub fn brotli_bytes(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(raw).context("brotli")?;
    }
    Ok(out)
}

pub fn gzip_bytes(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(raw)?;
    Ok(w.finish()?)
}
