//! The independence rule: nothing under src/raw uses the `parquet` crate, and neither decoder
//! imports the other; what they share lives outside both (src/decode.rs).

mod common;

use std::fs;
use std::path::Path;

use common::rust_files;

#[test]
fn raw_decoder_does_not_use_the_parquet_crate() {
    let raw = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/raw");
    let mut files = Vec::new();
    rust_files(&raw, &mut files);
    assert!(
        files.len() > 10,
        "expected the raw decoder's modules under {}",
        raw.display()
    );
    let mut offences = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("readable source");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // Any path into the crate, however it is spelled: `parquet::`, `::parquet`,
            // `use parquet`, or `extern crate parquet`.
            let uses = code.contains("parquet::")
                || code.contains("::parquet")
                || code.trim_start().starts_with("use parquet")
                || code.contains("extern crate parquet");
            if uses {
                offences.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the raw decoder uses the parquet crate:\n{}",
        offences.join("\n")
    );
}

/// The lines of `files` whose code (comments left out) names `module` of this crate,
/// however the path is spelled: `crate::raw`, `use crate::{raw, ..}` or `labelcheck::raw`.
fn imports_of(files: &[std::path::PathBuf], module: &str) -> Vec<String> {
    let mut offences = Vec::new();
    for file in files {
        let text = fs::read_to_string(file).expect("readable source");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let named = |prefix: &str| {
                code.match_indices(prefix).any(|(at, _)| {
                    let rest = &code[at + prefix.len()..];
                    rest.starts_with(module)
                        && !rest[module.len()..]
                            .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            };
            let grouped = code.contains("crate::{")
                && code
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|word| word == module);
            if named("crate::") || named("labelcheck::") || grouped {
                offences.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    offences
}

#[test]
fn neither_decoder_imports_the_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut raw = Vec::new();
    rust_files(&root.join("src/raw"), &mut raw);
    let arrow = vec![root.join("src/arrow_path.rs")];
    let offences: Vec<String> = imports_of(&arrow, "raw")
        .into_iter()
        .chain(imports_of(&raw, "arrow_path"))
        .collect();
    assert!(
        offences.is_empty(),
        "a decoder imports the other; what both need belongs in src/decode.rs:\n{}",
        offences.join("\n")
    );
    // The check itself can fail: the screen, which is not a decoder, reads pages with the
    // raw path's page reader.
    let screen = vec![root.join("src/preflight.rs")];
    assert!(!imports_of(&screen, "raw").is_empty());
}

#[test]
fn the_rule_is_written_in_the_module_doc() {
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/raw/mod.rs")).unwrap();
    assert!(doc.contains("Independence rule"));
}
