//! The page's JavaScript minified with terser (npm, pinned in `tools.rs`): the wasm-bindgen
//! glue of every bundle and the inline scripts of `index.html`; and its stylesheet with
//! lightningcss. Every byte of the first screen is on its 120 KB budget, and terser takes the
//! glue from 5.8 to 4.1 KB brotli (README, "Figures").
//!
//! Nothing newer than what was there comes out: the inline scripts are minified at ES5 (the
//! boot script must parse on any WebView), the glue at ES2017 (`compat.rs` lowered it there),
//! and `compat.rs` parses the results at those levels in CI.

use crate::tools::Tools;
use anyhow::Context;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// How a script is minified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An inline classic script (ES5 syntax out).
    Inline,
    /// A bundle's glue: an ES module, top-level names mangled (ES2017 out).
    Glue,
}

/// `js` through terser.
pub fn minify(tools: &Tools, js: &str, kind: Kind) -> anyhow::Result<String> {
    let mut cmd = Command::new("node");
    cmd.arg(tools.terser())
        .args(["--compress", "passes=2", "--mangle", "--comments", "false"]);
    match kind {
        Kind::Inline => cmd.args(["--ecma", "5"]),
        Kind::Glue => cmd.args(["--ecma", "2017", "--module"]),
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting terser (node)")?;
    let mut stdin = child.stdin.take().context("terser's stdin")?;
    let input = js.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writing to terser"))??;
    anyhow::ensure!(
        out.status.success(),
        "terser failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let min = String::from_utf8(out.stdout).context("terser's output")?;
    anyhow::ensure!(!min.trim().is_empty(), "terser wrote nothing");
    Ok(min.trim_end().to_owned())
}

/// `html` with the body of every inline `<script>` that runs (no `src`, no data `type` such
/// as the page config's `application/json`) replaced by `f(body)`.
pub fn map_inline_scripts(
    html: &str,
    mut f: impl FnMut(&str, &str) -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<script") {
        let after = &rest[at + "<script".len()..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let attributes = after[..tag_end].to_ascii_lowercase();
        let body = &after[tag_end + 1..];
        let Some(end) = body.find("</script>") else {
            break;
        };
        let kind = attributes
            .split_once("type=\"")
            .and_then(|(_, t)| t.split('"').next())
            .unwrap_or("");
        let runs = matches!(kind, "" | "module" | "text/javascript");
        out.push_str(&rest[..at + "<script".len() + tag_end + 1]);
        if runs && !attributes.contains("src=") {
            out.push_str(&f(&attributes, &body[..end])?);
        } else {
            out.push_str(&body[..end]);
        }
        out.push_str("</script>");
        rest = &body[end + "</script>".len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Minifies the inline scripts of `dist/index.html`.
pub fn inline_scripts(dist: &Path, tools: &Tools) -> anyhow::Result<()> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    let html = map_inline_scripts(&html, |_, body| {
        if body.trim().is_empty() {
            Ok(body.to_owned())
        } else {
            minify(tools, body, Kind::Inline)
        }
    })?;
    std::fs::write(&index, html)?;
    Ok(())
}

/// Minifies every bundle's glue.
pub fn glue(dist: &Path, tools: &Tools) -> anyhow::Result<()> {
    for glue in crate::compat::glue_files(dist)? {
        let js = std::fs::read_to_string(&glue)?;
        let min = minify(tools, &js, Kind::Glue).with_context(|| format!("{}", glue.display()))?;
        std::fs::write(&glue, min)?;
    }
    Ok(())
}

/// The oldest Chrome the page runs on, as lightningcss counts versions (major << 16).
const CSS_CHROME: u32 = crate::compat::MIN_CHROME << 16;

/// `css` minified for Chrome [`crate::compat::MIN_CHROME`] and newer.
pub fn css(css: &str) -> anyhow::Result<String> {
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
    use lightningcss::targets::{Browsers, Features, Targets};
    // Targets, so that nothing newer than Chrome 63 comes out of the minifier (no media range
    // syntax, no `inset`); but neither a `system-ui` fallback list (Chrome has had it since
    // 56) nor `light-dark()` variables for `color-scheme` (the page is dark only).
    let targets = Targets {
        browsers: Some(Browsers {
            chrome: Some(CSS_CHROME),
            android: Some(CSS_CHROME),
            ..Browsers::default()
        }),
        include: Features::empty(),
        exclude: Features::FontFamilySystemUi | Features::LightDark,
    };
    let mut sheet = StyleSheet::parse(css, ParserOptions::default())
        .map_err(|e| anyhow::anyhow!("the stylesheet does not parse: {e}"))?;
    sheet
        .minify(MinifyOptions {
            targets,
            ..MinifyOptions::default()
        })
        .map_err(|e| anyhow::anyhow!("minifying the stylesheet: {e}"))?;
    let out = sheet
        .to_css(PrinterOptions {
            minify: true,
            targets,
            ..PrinterOptions::default()
        })
        .map_err(|e| anyhow::anyhow!("writing the stylesheet: {e}"))?;
    Ok(out.code)
}

/// Minifies every bundle's stylesheets in place (the first screen's `style/main.css`, the
/// signed-in pages' `style/signed-in.css`). Their `<link>` carries no `integrity` digest
/// (`data-integrity="none"` in the Trunk page, dropped here: a same-origin digest guards nothing
/// the page's own origin does not), which would no longer match.
pub fn stylesheets(dist: &Path) -> anyhow::Result<()> {
    for dir in crate::page::bundle_dirs(dist).iter().filter(|d| d.is_dir()) {
        stylesheets_in(dir)?;
    }
    Ok(())
}

fn stylesheets_in(dist: &Path) -> anyhow::Result<()> {
    const NO_DIGEST: &str = " data-integrity=\"none\"";
    let index_path = dist.join("index.html");
    let mut index = std::fs::read_to_string(&index_path)?;
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.ends_with(".css") {
            continue;
        }
        let (start, end) = index
            .find(name)
            .and_then(|at| Some((index[..at].rfind('<')?, at + index[at..].find('>')?)))
            .with_context(|| format!("index.html links {name}"))?;
        let link = index[start..end].to_owned();
        anyhow::ensure!(
            !link.contains(" integrity="),
            "{name} is linked with an integrity digest, which minifying would break: {link}"
        );
        index.replace_range(start..end, &link.replace(NO_DIGEST, ""));
        let source = std::fs::read_to_string(&path)?;
        std::fs::write(&path, css(&source).with_context(|| name.to_owned())?)?;
    }
    std::fs::write(index_path, index)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_loses_its_comments_and_spaces_but_no_string() {
        let min = css("/* why */\nhtml, body {\n  margin: 0;\n  font: 17px/1.45 system-ui, \"Segoe UI\", sans-serif;\n}\n.a::after { content: \"a  b\"; }\n")
            .expect("minified");
        assert_eq!(
            min,
            "html,body{margin:0;font:17px/1.45 system-ui,Segoe UI,sans-serif}.a:after{content:\"a  b\"}"
        );
    }

    #[test]
    fn the_shipped_stylesheet_minifies() {
        let source = include_str!("../../style/main.css");
        let min = css(source).expect("minified");
        assert!(
            min.len() < source.len() * 9 / 10,
            "{} of {}",
            min.len(),
            source.len()
        );
        assert!(!min.contains("/*"));
        assert!(
            !min.contains("lightningcss") && !min.contains("-webkit-box"),
            "{min}"
        );
        // nothing Chrome 63 cannot read
        assert!(
            min.contains("@media (min-width:900px)") && !min.contains(">="),
            "{min}"
        );
    }

    #[test]
    fn only_scripts_that_run_are_mapped() {
        let html = r#"<head><script id="c" type="application/json">{"a":1}</script>
<script id="l">var a = 1;</script><script src="/x.js"></script><script type="module">b()</script></head>"#;
        let out = map_inline_scripts(html, |attributes, body| {
            Ok(format!("[{}|{body}]", attributes.trim()))
        })
        .expect("mapped");
        assert_eq!(
            out,
            r#"<head><script id="c" type="application/json">{"a":1}</script>
<script id="l">[id="l"|var a = 1;]</script><script src="/x.js"></script><script type="module">[type="module"|b()]</script></head>"#
        );
    }

    #[test]
    fn a_page_without_scripts_is_unchanged() {
        let html = "<p>no script</p><script";
        let out = map_inline_scripts(html, |_, _| anyhow::bail!("not called")).expect("ok");
        assert_eq!(out, html);
    }
}
