//! Short names for the JavaScript imports and the closure exports of each bundle's wasm.
//!
//! wasm-bindgen names every import `__wbg_<name>_<16 hex digits>`, and every closure adapter
//! it exports `wasm_bindgen__convert__closures_____invoke__h<16 hex digits>`, and writes each
//! name twice: in the wasm and in the glue (an import object key, a `wasm.` property). The hex
//! digits are noise to brotli: on the first screen they cost about 3.5 KB of the 120 KB budget
//! (README, "Figures"). After Trunk, both copies of each such name become `_0`, `_1`, … (the
//! wasm's import and export sections are re-encoded, every other section is kept byte for
//! byte), so the wasm and its glue still agree; anything unexpected (a name not found exactly
//! once in the glue, a clash) stops the build instead of shipping a page that cannot link.

use anyhow::Context;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};

/// Renames the hashed imports of every bundle in `dist` (before precompression).
pub fn shorten(dist: &Path) -> anyhow::Result<()> {
    for glue in crate::compat::glue_files(dist)? {
        let stem = glue.to_string_lossy().trim_end_matches(".js").to_owned();
        let wasm_path = format!("{stem}_bg.wasm");
        let js = std::fs::read_to_string(&glue)?;
        let wasm = std::fs::read(&wasm_path)?;
        let (js, wasm) =
            rename(&js, &wasm).with_context(|| format!("short import names for {stem}"))?;
        std::fs::write(&glue, js)?;
        std::fs::write(&wasm_path, wasm)?;
    }
    Ok(())
}

/// wasm-bindgen's hashed import name: `__wbg_` … `_` and 16 lowercase hex digits.
fn is_hashed(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("__wbg_") else {
        return false;
    };
    let Some((_, hash)) = rest.rsplit_once('_') else {
        return false;
    };
    hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A closure adapter's export: `…__h` and 16 lowercase hex digits, maybe `_<n>` after them.
fn is_hashed_export(name: &str) -> bool {
    let Some((_, tail)) = name.rsplit_once("__h") else {
        return false;
    };
    let (hash, n) = tail.split_at_checked(16).unwrap_or((tail, "x"));
    hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (n.is_empty()
            || n.strip_prefix('_')
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// `js` with the identifier `old` (not part of a longer one) replaced by `new`: an import is
/// one key of the import object, so it must be there once; an export may be called from
/// several places, but at least once.
fn replace_ident(js: &str, old: &str, new: &str, once: bool) -> anyhow::Result<String> {
    let bytes = js.as_bytes();
    let found: Vec<usize> = js
        .match_indices(old)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
            let after = bytes.get(at + old.len()).copied();
            !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
        })
        .collect();
    anyhow::ensure!(
        if once {
            found.len() == 1
        } else {
            !found.is_empty()
        },
        "the glue names {old} {} times, not {}",
        found.len(),
        if once { "once" } else { "at least once" }
    );
    anyhow::ensure!(
        !js.contains(&format!("{new}:")) && !js.contains(&format!(".{new}(")),
        "the glue already has a {new}"
    );
    let mut out = String::with_capacity(js.len());
    let mut from = 0;
    for at in found {
        out.push_str(&js[from..at]);
        out.push_str(new);
        from = at + old.len();
    }
    out.push_str(&js[from..]);
    Ok(out)
}

/// `old`'s short name when it is `hashed` (`_0`, `_1`, …, the same for every mention of it,
/// recorded in `names` with whether it is an import), else `old` itself.
fn short_name(
    names: &mut HashMap<String, (String, bool)>,
    old: &str,
    hashed: bool,
    import: bool,
) -> String {
    if !hashed {
        return old.to_owned();
    }
    let next = format!("_{}", names.len());
    names
        .entry(old.to_owned())
        .or_insert((next, import))
        .0
        .clone()
}

/// The glue and wasm with every hashed import and closure export renamed alike.
pub fn rename(js: &str, wasm: &[u8]) -> anyhow::Result<(String, Vec<u8>)> {
    // old name -> (new name, whether it is an import)
    let mut names: HashMap<String, (String, bool)> = HashMap::new();
    let mut module = wasm_encoder::Module::new();
    let mut seen_imports = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        if let wasmparser::Payload::ExportSection(reader) = &payload {
            let mut section = wasm_encoder::ExportSection::new();
            let mut taken = HashSet::new();
            for export in reader.clone() {
                let export = export?;
                let name = short_name(
                    &mut names,
                    export.name,
                    is_hashed_export(export.name),
                    false,
                );
                anyhow::ensure!(taken.insert(name.clone()), "two exports would be {name}");
                let kind = RoundtripReencoder.export_kind(export.kind)?;
                section.export(&name, kind, export.index);
            }
            module.section(&section);
        } else if let wasmparser::Payload::ImportSection(reader) = &payload {
            let mut section = wasm_encoder::ImportSection::new();
            let mut taken = HashSet::new();
            for import in reader.clone().into_imports() {
                let import = import?;
                seen_imports += 1;
                let name = short_name(&mut names, import.name, is_hashed(import.name), true);
                anyhow::ensure!(
                    taken.insert((import.module.to_owned(), name.clone())),
                    "two imports would be called {}.{name}",
                    import.module
                );
                let ty = RoundtripReencoder.entity_type(import.ty)?;
                section.import(import.module, &name, ty);
            }
            module.section(&section);
        } else if let Some((id, range)) = payload.as_section() {
            let data = usize::try_from(range.start)
                .ok()
                .zip(usize::try_from(range.end).ok())
                .and_then(|(start, end)| wasm.get(start..end))
                .context("a section outside the module")?;
            module.section(&wasm_encoder::RawSection { id, data });
        }
    }
    anyhow::ensure!(
        seen_imports > 0,
        "no import section: not a wasm-bindgen module"
    );
    let mut js = js.to_owned();
    for (old, (new, import)) in &names {
        js = replace_ident(&js, old, new, *import)?;
    }
    let out = module.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&out)
        .context("the renamed module does not validate")?;
    Ok((js, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
        ImportSection, Instruction, Module, TypeSection,
    };

    const A: &str = "__wbg_now_0123456789abcdef";
    const B: &str = "__wbg___wbindgen_throw_fedcba9876543210";
    const C: &str = "wasm_bindgen__convert__closures_____invoke__h0123456789abcdef";
    const D: &str = "wasm_bindgen__convert__closures_____invoke__h0123456789abcdef_13";

    /// A module importing two hashed functions and one plain one, calling the first.
    fn module() -> Vec<u8> {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut imports = ImportSection::new();
        for name in [A, B, "__wbindgen_object_drop_ref"] {
            imports.import("./p_bg.js", name, EntityType::Function(0));
        }
        m.section(&imports);
        let mut functions = FunctionSection::new();
        functions.function(0);
        m.section(&functions);
        let mut exports = ExportSection::new();
        exports.export("run", ExportKind::Func, 3);
        exports.export(C, ExportKind::Func, 3);
        exports.export(D, ExportKind::Func, 3);
        m.section(&exports);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::Call(0));
        f.instruction(&Instruction::End);
        code.function(&f);
        m.section(&code);
        m.finish()
    }

    fn glue() -> String {
        format!(
            "const import0 = {{ {A}: function() {{}}, {B}: function() {{}}, \
             __wbindgen_object_drop_ref: function() {{}} }}; w.{C}(); w.{D}(); w.run();"
        )
    }

    /// The module's import names, then its export names.
    fn names(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
        let (mut imports, mut exports) = (Vec::new(), Vec::new());
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            match payload {
                Ok(wasmparser::Payload::ImportSection(r)) => {
                    for i in r.into_imports() {
                        imports.push(i.expect("import").name.to_owned());
                    }
                }
                Ok(wasmparser::Payload::ExportSection(r)) => {
                    for e in r {
                        exports.push(e.expect("export").name.to_owned());
                    }
                }
                _ => {}
            }
        }
        (imports, exports)
    }

    #[test]
    fn hashed_names_get_the_same_short_name_in_wasm_and_glue() {
        let (js, wasm) = rename(&glue(), &module()).expect("renamed");
        let (imports, exports) = names(&wasm);
        assert_eq!(imports, ["_0", "_1", "__wbindgen_object_drop_ref"]);
        assert_eq!(exports, ["run", "_2", "_3"]);
        assert_eq!(
            js,
            "const import0 = { _0: function() {}, _1: function() {}, \
             __wbindgen_object_drop_ref: function() {} }; w._2(); w._3(); w.run();"
        );
        assert!(wasm.len() < module().len());
    }

    #[test]
    fn a_glue_that_does_not_name_an_import_once_stops_the_build() {
        let twice = format!("{} /* {A} */", glue());
        let e = rename(&twice, &module()).expect_err("two mentions");
        assert!(e.to_string().contains("2 times"), "{e}");
        let never = glue().replace(A, "__wbg_other_0000000000000000");
        let e = rename(&never, &module()).expect_err("no mention");
        assert!(e.to_string().contains("0 times"), "{e}");
    }

    #[test]
    fn an_export_is_replaced_only_where_it_is_the_whole_name() {
        let js = format!("w.{D}(); w.{C}x(); w.{C}(); f(w.{C})");
        let out = replace_ident(&js, C, "_9", false).expect("replaced");
        assert!(replace_ident(&js, C, "_9", true).is_err(), "twice");
        assert!(replace_ident("w.run()", C, "_9", false).is_err(), "never");
        assert_eq!(out, format!("w.{D}(); w.{C}x(); w._9(); f(w._9)"));
    }

    #[test]
    fn only_wasm_bindgen_hashes_count() {
        assert!(is_hashed_export(C) && is_hashed_export(D));
        assert!(!is_hashed_export("intounderlyingsource_pull"));
        assert!(!is_hashed_export(&format!("{C}_")));
        assert!(!is_hashed_export(&format!("{C}x")));
        assert!(!is_hashed_export("__wbindgen_malloc"));
        assert!(is_hashed(A) && is_hashed(B));
        assert!(!is_hashed("__wbindgen_object_drop_ref"));
        assert!(!is_hashed("__wbg_now_0123456789ABCDEF"));
        assert!(!is_hashed("__wbg_now_0123456789abcde"));
        assert!(!is_hashed("now_0123456789abcdef"));
    }
}
