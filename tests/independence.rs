//! The independence rule: nothing under src/raw uses the `parquet` crate.

use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/raw exists") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

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

#[test]
fn the_rule_is_written_in_the_module_doc() {
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/raw/mod.rs")).unwrap();
    assert!(doc.contains("Independence rule"));
}
