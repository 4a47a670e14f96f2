//! Each bundle's files named after what they hold.
//!
//! Trunk names a bundle's glue and wasm after wasm-bindgen's output, before wasm-opt and before
//! this task rewrites the glue and the import names: two builds that differ only there would
//! ship different files under one name, and with `immutable` caching a WebView could pair the
//! glue of one build with the wasm of the other, which cannot link. After every rewrite, both
//! files of a bundle are renamed after a hash of both, and the bundle's `index.html` (which the
//! loader and the build id read) follows. The stylesheet likewise: it is minified after Trunk
//! named it.

use sha2::{Digest, Sha256};
use std::path::Path;

/// Renames the glue and wasm of every bundle in `dist` after their content.
pub fn rename_bundles(dist: &Path) -> anyhow::Result<()> {
    for glue in crate::compat::glue_files(dist)? {
        let dir = glue.parent().unwrap_or(dist);
        let name = glue
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let stem = name.trim_end_matches(".js");
        let wasm = dir.join(format!("{stem}_bg.wasm"));
        let new_stem = content_stem(stem, &std::fs::read(&glue)?, &std::fs::read(&wasm)?)?;
        if new_stem == stem {
            continue;
        }
        std::fs::rename(&glue, dir.join(format!("{new_stem}.js")))?;
        std::fs::rename(&wasm, dir.join(format!("{new_stem}_bg.wasm")))?;
        let index = dir.join("index.html");
        let html = std::fs::read_to_string(&index)?;
        anyhow::ensure!(
            html.contains(stem),
            "{} does not name {stem}",
            index.display()
        );
        std::fs::write(&index, html.replace(stem, &new_stem))?;
    }
    Ok(())
}

/// Renames every bundle's stylesheets after their content; its `index.html` follows.
pub fn rename_stylesheets(dist: &Path) -> anyhow::Result<()> {
    for dir in crate::page::bundle_dirs(dist).iter().filter(|d| d.is_dir()) {
        rename_stylesheets_in(dir)?;
    }
    Ok(())
}

fn rename_stylesheets_in(dist: &Path) -> anyhow::Result<()> {
    let index = dist.join("index.html");
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".css"))
            .map(str::to_owned)
        else {
            continue;
        };
        let new_stem = content_stem(&stem, &std::fs::read(&path)?, b"")?;
        if new_stem == stem {
            continue;
        }
        let html = std::fs::read_to_string(&index)?;
        let (old, new) = (format!("/{stem}.css"), format!("/{new_stem}.css"));
        anyhow::ensure!(
            html.contains(&old),
            "{} does not link {old}",
            index.display()
        );
        std::fs::rename(&path, dist.join(format!("{new_stem}.css")))?;
        std::fs::write(&index, html.replace(&old, &new))?;
    }
    Ok(())
}

/// `name-<16 hex digits of SHA-256 over the glue and the wasm>` for Trunk's `name-<hash>` (a
/// stylesheet: its bytes as the glue, no wasm).
fn content_stem(stem: &str, js: &[u8], wasm: &[u8]) -> anyhow::Result<String> {
    let (name, _) = stem
        .rsplit_once('-')
        .ok_or_else(|| anyhow::anyhow!("{stem} is not Trunk's name-<hash>"))?;
    let mut hash = Sha256::new();
    hash.update((js.len() as u64).to_le_bytes());
    hash.update(js);
    hash.update(wasm);
    let hex: String = hash
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("{name}-{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_is_renamed_after_its_content_and_its_page_follows() {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        std::fs::write(d.join("pilot-portal-0123456789abcdef.js"), "glue").expect("js");
        std::fs::write(d.join("pilot-portal-0123456789abcdef_bg.wasm"), b"\0asm").expect("wasm");
        std::fs::write(
            d.join("index.html"),
            "import init from '/pilot-portal-0123456789abcdef.js'; \
             init('/pilot-portal-0123456789abcdef_bg.wasm')",
        )
        .expect("html");
        for dir in crate::page::bundle_dirs(d) {
            std::fs::create_dir_all(dir).expect("bundle dir");
        }
        rename_bundles(d).expect("renamed");
        let stem = content_stem("pilot-portal-0123456789abcdef", b"glue", b"\0asm").expect("stem");
        assert_ne!(stem, "pilot-portal-0123456789abcdef");
        assert!(d.join(format!("{stem}.js")).is_file());
        assert!(d.join(format!("{stem}_bg.wasm")).is_file());
        assert!(!d.join("pilot-portal-0123456789abcdef.js").exists());
        let html = std::fs::read_to_string(d.join("index.html")).expect("html");
        assert_eq!(
            html,
            format!("import init from '/{stem}.js'; init('/{stem}_bg.wasm')")
        );
        // a second pass finds the names already right
        rename_bundles(d).expect("again");
        assert!(d.join(format!("{stem}.js")).is_file());
    }

    #[test]
    fn a_stylesheet_is_renamed_after_its_content_and_index_html_follows() {
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path();
        std::fs::write(d.join("main-e9b6b0eb2e62de28.css"), "a{b:c}").expect("css");
        std::fs::write(
            d.join("index.html"),
            r#"<link rel="stylesheet" href="/main-e9b6b0eb2e62de28.css"/>"#,
        )
        .expect("html");
        rename_stylesheets(d).expect("renamed");
        let stem = content_stem("main-e9b6b0eb2e62de28", b"a{b:c}", b"").expect("stem");
        assert!(d.join(format!("{stem}.css")).is_file());
        assert!(!d.join("main-e9b6b0eb2e62de28.css").exists());
        assert_eq!(
            std::fs::read_to_string(d.join("index.html")).expect("html"),
            format!(r#"<link rel="stylesheet" href="/{stem}.css"/>"#)
        );
    }

    #[test]
    fn another_wasm_or_glue_is_another_name() {
        let a = content_stem("p-00", b"glue", b"wasm").expect("a");
        assert_ne!(a, content_stem("p-00", b"glue", b"wasm2").expect("b"));
        assert_ne!(a, content_stem("p-00", b"glue2", b"wasm").expect("c"));
        assert_ne!(
            content_stem("p-00", b"ab", b"c").expect("d"),
            content_stem("p-00", b"a", b"bc").expect("e"),
            "the boundary between the files counts"
        );
        assert!(a.starts_with("p-") && a.len() == 2 + 16);
    }
}
