//! Builds the page with Trunk (release profile `wasm-release`, wasm-opt -Oz, lowered to the
//! WebAssembly MVP; the glue rewritten to ES2017 by `compat.rs`) and writes brotli and gzip
//! copies next to the assets for the proxy to serve.

use crate::run::{cargo, run};
use crate::tools::Tools;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const DIST: &str = "dist";

/// The page's bundles, as built below: the directory under `dist/` (and URL path) of each,
/// and the Trunk page it is built from. The first screen, the signed-in pages (feature
/// `full`), and the main page's later panels (feature `panels`, see `src/panels.rs`).
pub const BUNDLES: [(&str, &str); 3] = [
    ("", "index.html"),
    ("full", "full.html"),
    ("panels", "panels.html"),
];

/// Each bundle's directory in `dist`.
pub fn bundle_dirs(dist: &Path) -> Vec<PathBuf> {
    BUNDLES.iter().map(|(dir, _)| dist.join(dir)).collect()
}

/// Where the page is built: `dist/`, or `PILOT_PORTAL_BUILD_DIR` (a relative path) so that a
/// second checkout's work does not overwrite a build under test.
pub fn dist_dir() -> String {
    std::env::var("PILOT_PORTAL_BUILD_DIR")
        .ok()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| DIST.to_owned())
}

pub fn build(tools: &Tools) -> anyhow::Result<PathBuf> {
    // Trunk builds with `cargo --offline` (Trunk.toml): fetch crates first.
    run(cargo().args(["fetch", "--locked"]))?;
    // Each bundle of `BUNDLES`: the first screen into dist/, the others below it (Trunk
    // empties its --dist first, so the first one goes first).
    for (dir, page) in BUNDLES {
        let mut trunk = Command::new("trunk");
        trunk.args(["build", page, "--release", "--dist"]);
        if dir.is_empty() {
            trunk.arg(dist_dir());
        } else {
            trunk
                .arg(format!("{}/{dir}", dist_dir()))
                .args(["--public-url", &format!("/{dir}/")]);
        }
        run(trunk
            .env("PATH", tools.path_env())
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env("NO_COLOR", "true"))?;
    }
    let dist = std::env::current_dir()?.join(dist_dir());
    crate::compat::lower_glue(&dist)?;
    crate::imports::shorten(&dist)?;
    crate::minify::glue(&dist, tools)?;
    crate::minify::stylesheets(&dist)?;
    crate::fingerprint::rename_stylesheets(&dist)?;
    crate::fingerprint::rename_bundles(&dist)?;
    write_build_id(&dist)?;
    let (first, full) = inline_loader(&dist)?;
    minify_boot_script(&dist)?;
    crate::minify::inline_scripts(&dist, tools)?;
    write_preload_pages(&dist, &first, &full)?;
    drop_bundle_pages(&dist)?;
    write_nginx_csp(&dist)?;
    write_service_worker(&dist)?;
    for dir in bundle_dirs(&dist) {
        precompress(&dir)?;
    }
    Ok(dist)
}

/// A bundle's files, as Trunk wrote them into its `index.html`.
#[derive(Debug, PartialEq, Eq)]
struct Bundle {
    js: String,
    wasm: String,
    /// Its own stylesheet, for the loader to link (the signed-in pages' `style/signed-in.css`);
    /// `None` for the first screen's, which `index.html` links itself.
    css: Option<String>,
}

/// Reads the JS glue and wasm paths from the module script Trunk wrote, and its stylesheet.
fn bundle_of(html: &str) -> anyhow::Result<Bundle> {
    let js = between(html, "import init, * as bindings from '", "'")
        .context("Trunk's module script (import init …) not found")?;
    let wasm = between(html, "module_or_path: '", "'").context("Trunk's wasm path not found")?;
    Ok(Bundle {
        js: js.to_owned(),
        wasm: wasm.to_owned(),
        css: between(html, "<link rel=\"stylesheet\" href=\"", "\"").map(str::to_owned),
    })
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let to = from + s[from..].find(end)?;
    Some(&s[from..to])
}

/// The page version the diagnostics page shows (`public/diagnostics.html`): the first 8 hex
/// digits of each bundle's content hash (its file names, `fingerprint.rs`), and the commit when built from
/// git: `6a193622.1f0e9c2d c9ade88`. Read out over the phone, the first part is enough.
fn build_id(first: &Bundle, full: &Bundle) -> String {
    let hash = |b: &Bundle| {
        let stem =
            b.js.rsplit('/')
                .next()
                .unwrap_or("")
                .trim_end_matches(".js");
        let hex = stem.rsplit('-').next().unwrap_or("");
        hex.get(..8).unwrap_or(hex).to_owned()
    };
    format!("{}.{}", hash(first), hash(full))
}

/// Writes the build id (and `git describe`, when there is a repository) into the diagnostics
/// page's `<meta name="pilot-portal-build">` (an attribute: no inline script hash changes).
fn write_build_id(dist: &Path) -> anyhow::Result<()> {
    let first = bundle_of(&std::fs::read_to_string(dist.join("index.html"))?)?;
    let full = bundle_of(&std::fs::read_to_string(dist.join("full/index.html"))?)?;
    let git = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let id = match git {
        Some(git) => format!("{} {git}", build_id(&first, &full)),
        None => build_id(&first, &full),
    };
    let page = dist.join("diagnostics.html");
    let html = std::fs::read_to_string(&page).context("diagnostics.html (copied by Trunk)")?;
    let slot = r#"<meta name="pilot-portal-build" content="dev" />"#;
    anyhow::ensure!(html.contains(slot), "the build id slot in diagnostics.html");
    std::fs::write(
        &page,
        html.replace(
            slot,
            &format!(r#"<meta name="pilot-portal-build" content="{id}" />"#),
        ),
    )?;
    Ok(())
}

/// Removes Trunk's module script and its preload links for the first bundle, and puts the
/// loader (`src/loader.js`) after the page config: it picks the first-screen or the signed-in
/// bundle from the stored session before anything is downloaded, and knows every bundle's
/// hashed names, so nothing is fetched to discover them.
fn inline_loader(dist: &Path) -> anyhow::Result<(Bundle, Bundle)> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    let full = bundle_of(&std::fs::read_to_string(dist.join("full/index.html"))?)?;
    let panels = bundle_of(&std::fs::read_to_string(dist.join("panels/index.html"))?)?;
    let first = Bundle {
        css: None,
        ..bundle_of(&html)?
    };
    let mut out = html.clone();
    let script_start = out
        .find("<script type=\"module\">")
        .context("Trunk's module script")?;
    let script_end = script_start
        + out[script_start..]
            .find("</script>")
            .context("end of Trunk's module script")?
        + "</script>".len();
    out.replace_range(script_start..script_end, "");
    for tag in ["<link rel=\"modulepreload\"", "<link rel=\"preload\""] {
        while let Some(at) = out.find(tag) {
            let end = at + out[at..].find('>').context("end of a preload link")? + 1;
            out.replace_range(at..end, "");
        }
    }
    let json = |b: &Bundle| {
        let mut files = serde_json::json!({ "js": b.js, "wasm": b.wasm });
        if let Some(css) = &b.css {
            files["css"] = css.as_str().into();
        }
        files.to_string()
    };
    let loader = minify(include_str!("../../src/loader.js"))
        .replace("__FIRST__", &json(&first))
        .replace("__FULL__", &json(&full))
        .replace("__PANELS__", &json(&panels));
    let slot = "<script id=\"pilot-portal-config\" type=\"application/json\"></script>";
    let at = out
        .find(slot)
        .context("the page config slot in index.html")?
        + slot.len();
    out.insert_str(
        at,
        &format!("\n    <script id=\"pilot-portal-loader\">\n{loader}    </script>"),
    );
    std::fs::write(&index, out)?;
    Ok((first, full))
}

/// Removes the `index.html` Trunk wrote for each bundle but the first: read above for its
/// file names, and no page of ours. Served, it was a blank page whose preload's integrity no
/// longer matched the rewritten glue, and Chromium then refused that glue's address to the
/// real page's `import()` until another site was opened.
fn drop_bundle_pages(dist: &Path) -> anyhow::Result<()> {
    for (dir, _) in BUNDLES.iter().filter(|(dir, _)| !dir.is_empty()) {
        let page = dist.join(dir).join("index.html");
        if page.is_file() {
            std::fs::remove_file(&page).with_context(|| page.display().to_string())?;
        }
    }
    Ok(())
}

/// A bundle's files as `<link>`s the browser fetches before any script runs: the same requests
/// the loader's `__pilotPortalPreload` and `import()` make (same `as`, same CORS mode), so each
/// file is downloaded once.
fn preload_links(b: &Bundle) -> String {
    let css = b.css.as_ref().map_or(String::new(), |css| {
        format!(r#"<link rel="preload" href="{css}" as="style" />"#)
    });
    format!(
        r#"<link rel="preload" href="{}" as="fetch" type="application/wasm" crossorigin="anonymous" /><link rel="modulepreload" href="{}" crossorigin="anonymous" />{css}"#,
        b.wasm, b.js
    )
}

/// Writes the pages of [`pilot_portal_shared::PRELOAD_PAGES`]: the finished `index.html` with a
/// bundle's preload links at the top of its head. The proxy and nginx answer one of them when
/// the loader's cookie says which bundle it started last time; without the cookie (a new
/// pilot, cookies off) `index.html`, which names none: a wrong guess would download both.
fn write_preload_pages(dist: &Path, first: &Bundle, full: &Bundle) -> anyhow::Result<()> {
    let html = std::fs::read_to_string(dist.join("index.html"))?;
    let at = html.find("</title>").context("<title> in index.html")? + "</title>".len();
    for (cookie, page) in pilot_portal_shared::PRELOAD_PAGES {
        let bundle = match cookie {
            "first" => first,
            "full" => full,
            other => anyhow::bail!("no bundle for the cookie value {other:?}"),
        };
        let mut preloading = html.clone();
        preloading.insert_str(at, &preload_links(bundle));
        std::fs::write(dist.join(page), preloading)?;
    }
    Ok(())
}

/// Drops whole-line comments and indentation: every byte of index.html is on the first
/// screen's budget.
fn minify(js: &str) -> String {
    js.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Minifies index.html's plain `<script>`s (the boot script) like the loader. They are ES5
/// (`compat.rs` checks it): no template literal, so no line of a string is touched.
fn minify_boot_script(dist: &Path) -> anyhow::Result<()> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    std::fs::write(&index, minify_markup(&minify_plain_scripts(&html)))?;
    Ok(())
}

/// Drops HTML comments, indentation and empty lines (after the scripts are minified, so no
/// line of a script changes: they keep no indentation and no template literal).
fn minify_markup(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        rest = rest[at..]
            .find("-->")
            .map_or("", |end| &rest[at + end + 3..]);
    }
    out.push_str(rest);
    minify(&out)
}

fn minify_plain_scripts(html: &str) -> String {
    const OPEN: &str = "<script>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        let body = at + OPEN.len();
        let Some(len) = rest[body..].find("</script>") else {
            break;
        };
        out.push_str(&rest[..body]);
        out.push('\n');
        out.push_str(&minify(&rest[body..body + len]));
        rest = &rest[body + len..];
    }
    out.push_str(rest);
    out
}

/// The generated nginx snippet with this build's CSP sources (`deploy/nginx.conf` includes
/// it): the proxy computes the same policy from the same files at start
/// (`crates/proxy/src/security.rs`).
pub const NGINX_CSP: &str = "nginx-csp.conf";

/// `'sha256-…'` of each inline `<tag>` that runs: not scripts with `src` or a data `type`
/// (the page config is `application/json`, never executed). The same rule as the proxy's.
fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        if !after.starts_with(['>', ' ', '\n', '\t', '\r']) {
            rest = after;
            continue;
        }
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let attributes = after[..tag_end].to_ascii_lowercase();
        let body_and_rest = &after[tag_end + 1..];
        let Some(end) = body_and_rest.find(&close) else {
            break;
        };
        let data_type = attributes
            .split_once("type=")
            .map(|(_, t)| t.trim_matches(|c| c == '"' || c == '\''))
            .map(|t| t.split(['"', '\'', ' ']).next().unwrap_or(""))
            .is_some_and(|t| {
                !matches!(
                    t,
                    "" | "module" | "text/javascript" | "application/javascript"
                )
            });
        if tag != "script" || !(attributes.contains("src=") || data_type) {
            let digest = sha2::Sha256::digest(&body_and_rest.as_bytes()[..end]);
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_rest[end + close.len()..];
    }
    out
}

/// Writes `nginx-csp.conf` into `dist`: `set` lines with the script and style sources of the
/// top-level HTML documents (`index.html`, the emulator's closed page, the diagnostics page).
fn write_nginx_csp(dist: &Path) -> anyhow::Result<()> {
    let mut scripts = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    let mut styles = vec!["'self'".to_owned()];
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    for page in pages {
        let html = std::fs::read_to_string(&page)?;
        for h in inline_hashes(&html, "script") {
            if !scripts.contains(&h) {
                scripts.push(h);
            }
        }
        for h in inline_hashes(&html, "style") {
            if !styles.contains(&h) {
                styles.push(h);
            }
        }
    }
    std::fs::write(
        dist.join(NGINX_CSP),
        format!(
            "# Generated by `cargo xtask build`: the Content Security Policy sources of this build's\n\
             # inline scripts and styles, for deploy/nginx.conf.\n\
             set $pilot_portal_script_src \"{}\";\n\
             set $pilot_portal_style_src \"{}\";\n",
            scripts.join(" "),
            styles.join(" ")
        ),
    )?;
    Ok(())
}

/// This build's files for the service worker (`sw.js`, from `public/`) to keep: every bundle's
/// hashed JS and wasm and the CSS (Trunk empties each bundle's directory before writing
/// them, so what is there is this build), and the diagnostics page. `index.html` is not
/// listed: the proxy renders it per request, and the worker keeps the last one it saw.
fn shell_files(dist: &Path) -> anyhow::Result<Vec<String>> {
    let mut files = Vec::new();
    for (sub, _) in BUNDLES {
        let dir = dist.join(sub);
        let prefix = if sub.is_empty() {
            "/".to_owned()
        } else {
            format!("/{sub}/")
        };
        for entry in std::fs::read_dir(&dir).with_context(|| dir.display().to_string())? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if is_hashed(&name) {
                files.push(format!("{prefix}{name}"));
            }
        }
    }
    files.sort();
    let count = |ext: &str| files.iter().filter(|f| f.ends_with(ext)).count();
    anyhow::ensure!(
        count(".js") == BUNDLES.len() && count(".wasm") == BUNDLES.len() && count(".css") >= 1,
        "expected every bundle (JS and wasm) and the CSS in {}: {files:?}",
        dist.display()
    );
    if dist.join("diagnostics.html").is_file() {
        files.push("/diagnostics.html".to_owned());
    }
    Ok(files)
}

/// Trunk's hashed names: `name-<10 to 16 hex>.js|.css`, `name-<hex>_bg.wasm`.
fn is_hashed(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    matches!(ext, "js" | "wasm" | "css")
        && stem.rsplit_once('-').is_some_and(|(_, hex)| {
            (10..=16).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// Writes this build's version and files into `sw.js`: a new build is a new worker, whose
/// install keeps its files and whose activation deletes the other builds' (`public/sw.js`).
fn write_service_worker(dist: &Path) -> anyhow::Result<()> {
    use sha2::Digest;
    let files = shell_files(dist)?;
    let digest = sha2::Sha256::digest(files.join("\n").as_bytes());
    let version: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let path = dist.join("sw.js");
    let js = std::fs::read_to_string(&path).context("sw.js (copied by Trunk)")?;
    let (version_slot, files_slot) = ("var VERSION = \"dev\";", "var FILES = [];");
    anyhow::ensure!(
        js.contains(version_slot) && js.contains(files_slot),
        "the version and file slots in sw.js"
    );
    let js = js
        .replace(version_slot, &format!("var VERSION = \"{version}\";"))
        .replace(
            files_slot,
            &format!("var FILES = {};", serde_json::to_string(&files)?),
        );
    std::fs::write(path, js)?;
    Ok(())
}

/// `.br` (quality 11) and `.gz` (level 9) beside each asset and HTML document, for nginx's
/// `brotli_static`/`gzip_static` and the proxy's held files (the proxy compresses the
/// `index.html` it renders itself).
fn precompress(dist: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let compressible = [".js", ".wasm", ".css", ".html"]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_paths_are_read_from_trunks_module_script() {
        let html = "<script type=\"module\">\nimport init, * as bindings from '/full/p-1.js';\nconst wasm = await init({ module_or_path: '/full/p-1_bg.wasm' });\n</script>";
        assert_eq!(
            bundle_of(html).ok(),
            Some(Bundle {
                js: "/full/p-1.js".into(),
                wasm: "/full/p-1_bg.wasm".into(),
                css: None,
            })
        );
        let styled = format!("<link rel=\"stylesheet\" href=\"/full/s-2.css\"/>{html}");
        assert_eq!(
            bundle_of(&styled).ok().and_then(|b| b.css).as_deref(),
            Some("/full/s-2.css")
        );
        assert!(bundle_of("<html></html>").is_err());
    }

    #[test]
    fn executed_inline_scripts_are_hashed_and_the_config_is_not() {
        let html = "<script id=\"pilot-portal-config\" type=\"application/json\">{}</script>\
            <script id=\"pilot-portal-loader\">1</script><script src=\"/a.js\"></script>\
            <style>p{}</style>";
        // printf 1 | openssl dgst -sha256 -binary | base64
        assert_eq!(
            inline_hashes(html, "script"),
            vec!["'sha256-a4ayc/80/OGda4BO/1o/V0etpOqiLx1JwB5S3beHW0s='".to_owned()]
        );
        assert_eq!(inline_hashes(html, "style").len(), 1);
    }

    #[test]
    fn the_build_id_is_both_bundles_hashes() {
        let first = Bundle {
            js: "/pilot-portal-6a193622679fada8.js".into(),
            wasm: "/pilot-portal-6a193622679fada8_bg.wasm".into(),
            css: None,
        };
        let full = Bundle {
            js: "/full/pilot-portal-1f0e9c2d00aa11bb.js".into(),
            wasm: "/full/pilot-portal-1f0e9c2d00aa11bb_bg.wasm".into(),
            css: None,
        };
        assert_eq!(build_id(&first, &full), "6a193622.1f0e9c2d");
    }

    #[test]
    fn the_service_worker_keeps_exactly_this_builds_files() {
        assert!(is_hashed("pilot-portal-6a193622679fada8.js"));
        assert!(is_hashed("pilot-portal-6a193622679fada8_bg.wasm"));
        assert!(is_hashed("main-84f85343ae50d31.css"));
        assert!(!is_hashed("pilot-portal-6a193622679fada8_bg.wasm.br"));
        assert!(!is_hashed("pilot2-emulator.js"));
        assert!(!is_hashed("sw.js"));
        let dir = tempfile::tempdir().expect("temp dir");
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(dist.join("full")).expect("dirs");
        std::fs::create_dir_all(dist.join("panels")).expect("dirs");
        for f in [
            "pilot-portal-6a193622679fada8.js",
            "pilot-portal-6a193622679fada8_bg.wasm",
            "main-84f85343ae50d31.css",
            "pilot2-emulator.js",
            "index.html",
            "full/pilot-portal-1f0e9c2d00aa11bb.js",
            "full/pilot-portal-1f0e9c2d00aa11bb_bg.wasm",
            "panels/pilot-portal-2ec36e641e2d2902.js",
            "panels/pilot-portal-2ec36e641e2d2902_bg.wasm",
        ] {
            std::fs::write(dist.join(f), "x").expect("write");
        }
        std::fs::write(dist.join("sw.js"), include_str!("../../public/sw.js")).expect("sw.js");
        write_service_worker(&dist).expect("written");
        let js = std::fs::read_to_string(dist.join("sw.js")).expect("read");
        assert!(js.contains(r#"var FILES = ["/full/pilot-portal-1f0e9c2d00aa11bb.js","/full/pilot-portal-1f0e9c2d00aa11bb_bg.wasm","/main-84f85343ae50d31.css","/panels/pilot-portal-2ec36e641e2d2902.js","/panels/pilot-portal-2ec36e641e2d2902_bg.wasm","/pilot-portal-6a193622679fada8.js","/pilot-portal-6a193622679fada8_bg.wasm"];"#), "{js}");
        assert!(!js.contains(r#"var VERSION = "dev";"#));
    }

    #[test]
    fn markup_loses_comments_and_indentation_but_no_script_line() {
        let html = "<head>\n    <!-- why\n   more -->\n    <script>\nvar a = \"  x  \";\n</script>\n\n  <title>T</title>\n</head>";
        assert_eq!(
            minify_markup(html),
            "<head>\n<script>\nvar a = \"  x  \";\n</script>\n<title>T</title>\n</head>\n"
        );
    }

    #[test]
    fn the_boot_script_is_minified_and_the_others_are_left_alone() {
        let html = "<script id=\"c\" type=\"application/json\">\n  // {}\n</script>\n\
            <script>\n      // why\n      var a = 1;\n\n      f(a);\n    </script></head>";
        assert_eq!(
            minify_plain_scripts(html),
            "<script id=\"c\" type=\"application/json\">\n  // {}\n</script>\n\
             <script>\nvar a = 1;\nf(a);\n</script></head>"
        );
    }

    #[test]
    fn the_loader_keeps_its_code_and_loses_its_comments() {
        let js = minify(include_str!("../../src/loader.js"));
        assert!(!js.contains("// "), "{js}");
        assert!(js.contains("__pilotPortalStart"));
        assert!(js.contains("__FIRST__") && js.contains("__FULL__") && js.contains("__PANELS__"));
    }

    #[test]
    fn the_preloading_pages_are_the_page_with_one_bundles_links() {
        let dist = tempfile::tempdir().expect("dir");
        let bundle = |dir: &str, hash: &str| Bundle {
            js: format!("{dir}/pilot-portal-{hash}.js"),
            wasm: format!("{dir}/pilot-portal-{hash}_bg.wasm"),
            css: None,
        };
        let first = bundle("", "0123456789");
        let full = Bundle {
            css: Some("/full/signed-in-abcdef0123.css".into()),
            ..bundle("/full", "abcdef0123")
        };
        let page = "<head><title>P</title><script>x</script></head>";
        std::fs::write(dist.path().join("index.html"), page).expect("write");
        write_preload_pages(dist.path(), &first, &full).expect("pages");
        let read = |name: &str| std::fs::read_to_string(dist.path().join(name)).expect("read");
        assert_eq!(read("index.html"), page, "index.html names no bundle");
        for (name, bundle) in [("index-first.html", &first), ("index-full.html", &full)] {
            assert_eq!(
                read(name),
                page.replace("</title>", &format!("</title>{}", preload_links(bundle))),
                "{name}"
            );
        }
        assert!(read("index-full.html").contains(
            r#"<link rel="preload" href="/full/pilot-portal-abcdef0123_bg.wasm" as="fetch""#
        ));
        // the signed-in pages' stylesheet with their bundle, not on the first screen
        let css = r#"<link rel="preload" href="/full/signed-in-abcdef0123.css" as="style" />"#;
        assert!(read("index-full.html").contains(css));
        assert!(!read("index-first.html").contains("signed-in"));
        // a page without a title (a build step lost it) is an error, not a silent copy
        std::fs::write(dist.path().join("index.html"), "<head></head>").expect("write");
        assert!(write_preload_pages(dist.path(), &first, &full).is_err());
    }

    #[test]
    fn the_loader_and_nginx_name_the_cookie_and_page_the_proxy_serves() {
        use pilot_portal_shared::{BUNDLE_COOKIE, PRELOAD_PAGES};
        let loader = include_str!("../../src/loader.js");
        assert!(
            loader.contains(&format!("\"{BUNDLE_COOKIE}=\"")),
            "loader.js"
        );
        let nginx = include_str!("../../deploy/nginx.conf");
        assert!(
            nginx.contains(&format!("map $cookie_{BUNDLE_COOKIE} ")),
            "nginx.conf"
        );
        for (cookie, page) in PRELOAD_PAGES {
            assert!(
                nginx.contains(&format!("{cookie:<8}/{page};")),
                "nginx.conf: {page}"
            );
        }
        assert!(nginx.contains("default /index.html;"), "nginx.conf");
    }
}
