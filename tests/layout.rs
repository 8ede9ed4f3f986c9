//! The layout a newcomer reads top to bottom: every module opens with a doc comment saying
//! what it owns, and the crate's top-level modules import one another in one direction only,
//! so that no module needs another that needs it back (an import circle).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::rust_files;

fn sources() -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 30, "expected the crate's modules under src/");
    (src, files)
}

#[test]
fn every_module_opens_with_a_doc_comment() {
    let (src, files) = sources();
    let undocumented: Vec<String> = files
        .iter()
        .filter(|file| {
            let text = fs::read_to_string(file).expect("readable source");
            !text.trim_start().starts_with("//!")
        })
        .map(|file| file.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "modules without a `//!` doc comment saying what they own: {undocumented:?}"
    );
}

/// The top-level module a file belongs to: `check` for src/check/plan.rs, `compare` for
/// src/compare.rs; `None` for the crate roots.
fn top_level(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// The top-level modules a file's code names through `crate::`, grouped imports
/// (`crate::{a::X, b}`) included. Comments are left out.
fn named_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = code[at + "crate::".len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // Each entry at the group's own depth names a module (or an item of the root).
            let mut depth = 0usize;
            let mut entry_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => entry_start = true,
                    c if entry_start && !c.is_whitespace() => {
                        entry_start = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() {
                            names.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn top_level_modules_import_one_another_in_one_direction() {
    let (src, files) = sources();
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_level(&src, f)).collect();
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = top_level(&src, file) else {
            continue;
        };
        let text = fs::read_to_string(file).expect("readable source");
        let entry = imports.entry(module.clone()).or_default();
        for name in named_modules(&text) {
            if name != module && modules.contains(&name) {
                entry.insert(name);
            }
        }
    }
    assert!(
        imports.values().map(BTreeSet::len).sum::<usize>() > 50,
        "expected the modules to import one another: {imports:?}"
    );

    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit<'a>(
        module: &'a str,
        imports: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        circles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|&m| m == module) {
            let mut circle = path[at..].to_vec();
            circle.push(module);
            circles.push(circle.join(" -> "));
            return;
        }
        if !done.insert(module) {
            return;
        }
        path.push(module);
        for next in imports.get(module).into_iter().flatten() {
            visit(next, imports, path, done, circles);
        }
        path.pop();
    }
    let mut circles = Vec::new();
    let mut done = BTreeSet::new();
    for module in imports.keys() {
        visit(module, &imports, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(
        circles.is_empty(),
        "import circles among the top-level modules:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_modules_a_file_names_are_found() {
    // The parser finds the modules the test above builds its graph from.
    let names = named_modules(
        "use crate::report::{Finding, FindingKind};\nuse crate::{columns::X, decode};\n// crate::commented\nfn f() { crate::value::Bitmap::new(); }",
    );
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["columns", "decode", "report", "value"]
    );
}
