//! Old controllers (README, "Old controllers"): the shipped page runs on Android WebView
//! (Chrome) [`MIN_CHROME`] and newer.
//!
//! - WebAssembly: MVP only. Every wasm32 build leaves out reference types and multi-value
//!   (`.cargo/config.toml`: wasm-bindgen then keeps JS objects in its JS heap, not an externref
//!   table), and wasm-opt lowers what Rust's prebuilt std still carries (sign extension, bulk
//!   memory, non-trapping float-to-int) in every bundle (`data-wasm-opt-params` in `index.html`,
//!   `full.html` and `panels.html`).
//! - JavaScript: the wasm-bindgen glue is rewritten to ES2017 after Trunk ([`lower_glue`]); the
//!   loader (`src/loader.js`) is ES2017 with `import()`; the boot script in `index.html` is ES5,
//!   so that an older WebView still runs it and says what is missing.
//! - [`check`], run by `cargo xtask test` on the built page: each shipped `.wasm` validates with
//!   every post-MVP feature off (wabt's `wasm-validate`), and each script parses at its level
//!   (acorn, `es_level.js`).

use crate::tools::Tools;
use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The oldest WebView we support: Chrome 63, the first with `import()` (the loader), after ES
/// modules (61) and WebAssembly (57). The boot script in `index.html` says the same.
pub const MIN_CHROME: u32 = 63;

/// The ECMAScript version the page's scripts are held to (all of it is in Chrome 58).
const ES_LEVEL: u32 = 2017;

/// What the boot script may use: it must run on WebViews older than [`MIN_CHROME`] to say so.
const BOOT_ES_LEVEL: u32 = 5;

/// wasm-bindgen 0.2's glue, written for newer engines, and what replaces it (ES2017, same
/// behaviour). A wasm-bindgen upgrade that writes other new syntax fails [`check`], which names it.
const GLUE_REWRITES: &[(&str, &str)] = &[
    // optional chaining: Chrome 80
    (
        "/\\[object ([^\\]]+)\\]/.exec(toStringOutput)?.[1]",
        "(/\\[object ([^\\]]+)\\]/.exec(toStringOutput) || [])[1]",
    ),
    // `import.meta`: Chrome 64. Only the default wasm path (`init()` without one) reads it, and
    // the loader always passes the bundle's path.
    ("import.meta.url", "location.href"),
];

/// The wasm-bindgen glue of each bundle: a `.js` with a `_bg.wasm` beside it.
pub fn glue_files(dist: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in crate::page::bundle_dirs(dist) {
        for path in files(&dir, ".js")? {
            let stem = path.to_string_lossy().trim_end_matches(".js").to_owned();
            if Path::new(&format!("{stem}_bg.wasm")).is_file() {
                out.push(path);
            }
        }
    }
    Ok(out)
}

/// The files in `dir` (not below) whose names end with `suffix`, sorted.
fn files(dir: &Path, suffix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    Ok(out)
}

/// Rewrites every bundle's wasm-bindgen glue to ES2017 (before precompression).
pub fn lower_glue(dist: &Path) -> anyhow::Result<()> {
    let glue = glue_files(dist)?;
    anyhow::ensure!(
        !glue.is_empty(),
        "no wasm-bindgen glue in {}",
        dist.display()
    );
    for path in glue {
        let js = std::fs::read_to_string(&path)?;
        std::fs::write(&path, rewrite_glue(&js))?;
    }
    Ok(())
}

fn rewrite_glue(js: &str) -> String {
    GLUE_REWRITES
        .iter()
        .fold(js.to_owned(), |js, (from, to)| js.replace(from, to))
}

/// Fails unless the built page in `dist` runs on [`MIN_CHROME`]: the shipped WebAssembly
/// without post-MVP features, the scripts at their ECMAScript level.
pub fn check(dist: &Path, tools: &Tools) -> anyhow::Result<()> {
    check_wasm(dist, &crate::tools::wabt()?)?;
    check_scripts(dist, tools)?;
    eprintln!(
        "old controllers: the page's WebAssembly is MVP and its scripts parse on Chrome {MIN_CHROME}"
    );
    Ok(())
}

/// `wasm-validate` with every feature it can switch off, on each shipped `.wasm`.
fn check_wasm(dist: &Path, wasm_validate: &Path) -> anyhow::Result<()> {
    let help = Command::new(wasm_validate)
        .arg("--help")
        .output()
        .with_context(|| format!("running {} --help", wasm_validate.display()))?;
    let disable = disable_flags(&String::from_utf8_lossy(&help.stdout));
    anyhow::ensure!(
        disable.iter().any(|f| f == "--disable-reference-types"),
        "{} offers no --disable-reference-types: too old a wabt",
        wasm_validate.display()
    );
    let mut wasm = Vec::new();
    for dir in crate::page::bundle_dirs(dist) {
        wasm.extend(files(&dir, ".wasm")?);
    }
    anyhow::ensure!(
        wasm.len() >= crate::page::BUNDLES.len(),
        "every bundle's .wasm in {}",
        dist.display()
    );
    for path in wasm {
        let out = Command::new(wasm_validate)
            .args(&disable)
            .arg(&path)
            .output()
            .with_context(|| format!("running {}", wasm_validate.display()))?;
        if !out.status.success() {
            bail!(
                "{} uses WebAssembly newer than the MVP, which Chrome {MIN_CHROME} lacks (README, \
                 \"Old controllers\"):\n{}{}",
                path.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        eprintln!("ok     WebAssembly MVP {}", shown(dist, &path));
    }
    Ok(())
}

/// `--disable-…` flags listed by `wasm-validate --help`: every post-MVP feature wabt knows.
fn disable_flags(help: &str) -> Vec<String> {
    let mut flags: Vec<String> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--disable-"))
        .map(str::to_owned)
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

/// One script for `es_level.js`.
#[derive(Debug, PartialEq, Eq)]
struct Script {
    name: String,
    source: String,
    level: u32,
    module: bool,
    /// `import()` allowed (the loader).
    dynamic_import: bool,
}

impl Script {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "source": self.source,
            "level": self.level,
            "module": self.module,
            "dynamicImport": self.dynamic_import,
        })
    }
}

/// The page's scripts, each at its level: the glue (modules), the inline scripts of every page
/// a pilot can open, any other script. Not the simulated Pilot 2 (`pilot2-emulator*`), which
/// only tests and browsers outside Pilot 2 load.
fn scripts(dist: &Path) -> anyhow::Result<Vec<Script>> {
    let glue = glue_files(dist)?;
    let emulator = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("pilot2-emulator"))
    };
    let mut out = Vec::new();
    for page in files(dist, ".html")? {
        if emulator(&page) {
            continue;
        }
        let html = std::fs::read_to_string(&page)?;
        // index.html's boot script and the page it sends old WebViews to run on those too
        let boot = page
            .file_name()
            .is_some_and(|n| n == "index.html" || n == "old-webview.html");
        for (i, (attributes, source)) in inline_scripts(&html).into_iter().enumerate() {
            let loader = attributes.contains("id=\"pilot-portal-loader\"");
            out.push(Script {
                name: format!(
                    "{} inline script {}{}",
                    shown(dist, &page),
                    i + 1,
                    if loader { " (the loader)" } else { "" }
                ),
                source,
                level: if boot && !loader {
                    BOOT_ES_LEVEL
                } else {
                    ES_LEVEL
                },
                module: attributes.contains("type=\"module\""),
                dynamic_import: loader,
            });
        }
    }
    for dir in crate::page::bundle_dirs(dist) {
        for path in files(&dir, ".js")? {
            if emulator(&path) {
                continue;
            }
            out.push(Script {
                name: shown(dist, &path),
                source: std::fs::read_to_string(&path)?,
                level: ES_LEVEL,
                module: glue.contains(&path),
                dynamic_import: false,
            });
        }
    }
    Ok(out)
}

/// `path` from `dist`.
fn shown(dist: &Path, path: &Path) -> String {
    path.strip_prefix(dist)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `(attributes, body)` of each inline `<script>` that runs (not `src=`, not a data type such
/// as the page config's `application/json`).
fn inline_scripts(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let _ = crate::minify::map_inline_scripts(html, |attributes, body| {
        out.push((attributes.to_owned(), body.to_owned()));
        Ok(body.to_owned())
    });
    out
}

/// Runs `es_level.js` (acorn) on the page's scripts.
fn check_scripts(dist: &Path, tools: &Tools) -> anyhow::Result<()> {
    let scripts = scripts(dist)?;
    anyhow::ensure!(
        scripts.iter().any(|s| s.dynamic_import)
            && scripts.iter().filter(|s| s.module).count() >= crate::page::BUNDLES.len(),
        "the loader and every bundle's glue in {}",
        dist.display()
    );
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/es_level.js");
    let node_modules = tools.bin_dir.parent().context("the tools' node_modules")?;
    let mut cmd = Command::new("node");
    cmd.arg(&checker)
        .env("NODE_PATH", node_modules)
        .stdin(Stdio::piped());
    eprintln!(
        "\x1b[1m$ node {} < the page's scripts\x1b[0m",
        checker.display()
    );
    let mut child = cmd
        .spawn()
        .context("running node (cargo xtask installs it)")?;
    child.stdin.take().context("node's stdin")?.write_all(
        serde_json::Value::Array(scripts.iter().map(Script::json).collect())
            .to_string()
            .as_bytes(),
    )?;
    let status = child.wait()?;
    if !status.success() {
        bail!(
            "a script of the page does not parse on Chrome {MIN_CHROME} (ES{ES_LEVEL}; the boot \
             script ES{BOOT_ES_LEVEL}): see the FAILED lines above and README, \"Old controllers\""
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glue_loses_its_newer_syntax() {
        let js = "const className = /\\[object ([^\\]]+)\\]/.exec(toStringOutput)?.[1];\n\
                  module_or_path = new URL('pilot-portal_bg.wasm', import.meta.url);";
        let out = rewrite_glue(js);
        assert!(!out.contains("?.") && !out.contains("import.meta"), "{out}");
        assert!(out.contains("(/\\[object ([^\\]]+)\\]/.exec(toStringOutput) || [])[1]"));
    }

    #[test]
    fn every_feature_wabt_offers_is_switched_off() {
        let help = "  --disable-mutable-globals  Disable Import/export mutable globals\n\
                    \x20 --enable-threads  Enable Threading support\n\
                    \x20 --disable-reference-types  Disable Reference types (externref)\n";
        assert_eq!(
            disable_flags(help),
            ["--disable-mutable-globals", "--disable-reference-types"]
        );
    }

    #[test]
    fn inline_scripts_that_run_are_found_and_data_is_not() {
        let html = "<script id=\"pilot-portal-config\" type=\"application/json\">{}</script>\
                    <script>var a;</script><script src=\"/x.js\"></script>\
                    <script id=\"pilot-portal-loader\">import(b)</script>";
        let found = inline_scripts(html);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1, "var a;");
        assert!(found[1].0.contains("pilot-portal-loader"));
    }

    #[test]
    fn both_bundles_are_lowered_to_the_mvp_alike() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let params = |page: &str| {
            let html = std::fs::read_to_string(root.join(page)).unwrap_or_default();
            html.split_once("data-wasm-opt-params=\"")
                .and_then(|(_, p)| p.split('"').next())
                .map(str::to_owned)
        };
        let first = params("index.html");
        assert!(
            first
                .as_deref()
                .is_some_and(|p| p.contains("--mvp-features")
                    && p.contains("--signext-lowering")
                    && p.contains("--llvm-memory-copy-fill-lowering")
                    && p.contains("--llvm-nontrapping-fptoint-lowering")),
            "{first:?}"
        );
        for (_, page) in crate::page::BUNDLES {
            assert_eq!(first, params(page), "{page}");
        }
    }

    #[test]
    fn the_boot_script_names_the_same_minimum() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let html = std::fs::read_to_string(root.join("index.html")).unwrap_or_default();
        assert!(html.contains(&format!("MIN = {MIN_CHROME}")));
    }
}
