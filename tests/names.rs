//! Column names that plain dotted paths cannot tell apart — two top-level columns of one
//! name, a top-level name holding a dot beside a struct whose field spells the same, a name
//! ending in a dot, a name holding a comma — spelled apart in every report, selected by
//! `--columns` and named in a dump's header.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema};
use common::{code, json, run, schema_validator, stderr, temp_dir};
use parquet::arrow::ArrowWriter;

/// The leaves in schema order: report name, schema path, first value (each leaf holds
/// `first..first + ROWS`, so a leaf read in another's place cannot go unnoticed).
const LEAVES: &[(&str, &[&str], i32)] = &[
    ("label#1", &["label"], 0),
    ("label#2", &["label"], 10),
    ("\"a.b\"", &["a.b"], 20),
    ("a.b", &["a", "b"], 30),
    ("\"Preorder FP equi.\"", &["Preorder FP equi."], 40),
    ("\"x,y\"", &["x,y"], 50),
];
const ROWS: i32 = 5;

fn values(first: i32) -> ArrayRef {
    Arc::new(Int32Array::from_iter_values(first..first + ROWS))
}

/// Writes the file of [`LEAVES`] into `dir`.
fn write_file(dir: &Path) -> PathBuf {
    let int = |name: &str| Field::new(name, DataType::Int32, true);
    let struct_a = StructArray::new(Fields::from(vec![int("b")]), vec![values(30)], None);
    let schema = Schema::new(vec![
        int("label"),
        int("label"),
        int("a.b"),
        Field::new("a", struct_a.data_type().clone(), true),
        int("Preorder FP equi."),
        int("x,y"),
    ]);
    let columns: Vec<ArrayRef> = vec![
        values(0),
        values(10),
        values(20),
        Arc::new(struct_a),
        values(40),
        values(50),
    ];
    let batch = RecordBatch::try_new(Arc::new(schema), columns).unwrap();
    let path = dir.join("names.parquet");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

fn diff(file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["diff", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(args)
}

fn column_names(report: &serde_json::Value) -> Vec<String> {
    report["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_leaf_has_its_own_spelling_and_path() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    let output = diff(&file, &["--all", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert!(schema_validator().is_valid(&report), "{report}");
    let columns = report["files"][0]["columns"].as_array().unwrap();
    let got: Vec<(&str, Vec<&str>)> = columns
        .iter()
        .map(|c| {
            let path = c["path"].as_array().unwrap();
            (
                c["column"].as_str().unwrap(),
                path.iter().map(|s| s.as_str().unwrap()).collect(),
            )
        })
        .collect();
    let expected: Vec<(&str, Vec<&str>)> = LEAVES
        .iter()
        .map(|(name, path, _)| (*name, path.to_vec()))
        .collect();
    assert_eq!(got, expected);

    let output = diff(&file, &["--all"]);
    let text = String::from_utf8(output.stdout).unwrap();
    for (name, _, _) in LEAVES {
        assert!(
            text.lines().any(|line| line.trim_start().starts_with(name)),
            "{name} in\n{text}"
        );
    }
}

#[test]
fn columns_selects_each_leaf_by_its_spelling_or_a_plain_name_that_fits_one() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    for (asked, chosen) in [
        ("label#2", vec!["label#2"]),
        ("\"a.b\"", vec!["\"a.b\""]),
        // The spelling `a.b` is the struct's field; the struct's name selects it too.
        ("a.b", vec!["a.b"]),
        ("a", vec!["a.b"]),
        ("\"a\".\"b\"", vec!["a.b"]),
        ("Preorder FP equi.", vec!["\"Preorder FP equi.\""]),
        ("\"Preorder FP equi.\"", vec!["\"Preorder FP equi.\""]),
        // A comma inside quotes does not split the list.
        ("\"x,y\",label#1", vec!["\"x,y\"", "label#1"]),
        ("x,y", vec![]),
    ] {
        let output = diff(&file, &["--columns", asked, "--format", "json"]);
        if chosen.is_empty() {
            // Split at the comma: `x` and `y` name nothing.
            assert_eq!(code(&output), 2, "{asked}");
            assert!(stderr(&output).contains("no column named \"x\""), "{asked}");
            continue;
        }
        assert_eq!(code(&output), 0, "{asked}: {}", stderr(&output));
        assert_eq!(column_names(&json(&output)), chosen, "{asked}");
    }
    // The same leaf named twice is checked once.
    let output = diff(&file, &["--columns", "a,a.b", "--format", "json"]);
    assert_eq!(column_names(&json(&output)), ["a.b"]);
}

#[test]
fn a_name_that_fits_several_leaves_is_a_usage_error_listing_their_spellings() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    let output = diff(&file, &["--columns", "label"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("names.parquet")
            && err.contains("\"label\" names 2 columns: label#1, label#2"),
        "{err}"
    );
    let output = diff(&file, &["--columns", "\"a.b"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("a quote in \"\\\"a.b\" is never closed"),
        "{}",
        stderr(&output)
    );
}

/// A dump's header field for `name`, CSV-quoted when it holds a quote or a comma.
fn header_field(name: &str) -> String {
    if name.contains(['"', ',']) {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_owned()
    }
}

fn dump(header: &[&str], firsts: &[i32]) -> String {
    let mut out = header
        .iter()
        .map(|name| header_field(name))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for row in 0..ROWS {
        let fields: Vec<String> = firsts.iter().map(|f| (f + row).to_string()).collect();
        out += &(fields.join(",") + "\n");
    }
    out
}

#[test]
fn a_dump_header_names_columns_as_reports_spell_them() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    let dump_path = dir.path().join("dump.csv");
    let against = |header: &[&str], firsts: &[i32]| {
        std::fs::write(&dump_path, dump(header, firsts)).unwrap();
        diff(
            &file,
            &["--against", dump_path.to_str().unwrap(), "--format", "json"],
        )
    };
    // Every spelling, and a plain name that fits one leaf; a wrong leaf would differ.
    let output = against(
        &[
            "label#2",
            "\"a.b\"",
            "a.b",
            "Preorder FP equi.",
            "\"x,y\"",
            "label#1",
        ],
        &[10, 20, 30, 40, 50, 0],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    // In the dump's order, as without names to tell apart.
    assert_eq!(
        column_names(&report),
        [
            "label#2",
            "\"a.b\"",
            "a.b",
            "\"Preorder FP equi.\"",
            "\"x,y\"",
            "label#1"
        ]
    );
    for column in report["files"][0]["columns"].as_array().unwrap() {
        assert_eq!(column["digests"]["against"], column["digests"]["raw"]);
    }

    // A differing value is reported under the column's spelling.
    let output = against(&["\"a.b\"", "a.b"], &[20, 31]);
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let mismatches = report["files"][0]["mismatches"].as_array().unwrap();
    assert_eq!(mismatches.len(), ROWS as usize);
    assert!(mismatches.iter().all(|m| m["column"] == "a.b"), "{report}");

    // An ambiguous header name is a finding naming the spellings; the rest is compared.
    let output = against(&["label", "a.b"], &[0, 30]);
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let findings = common::finding_messages(&report);
    assert!(
        findings.iter().any(|f| f.contains(
            "line 1: column \"label\" names 2 of the file's columns (\"label#1, label#2\")"
        )),
        "{findings:?}"
    );
    assert_eq!(column_names(&report), ["a.b"]);
}
