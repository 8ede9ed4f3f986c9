//! `--against DUMP.csv`: the third witness. Each rule of the dump contract, good and
//! malformed dumps, written from the values handed to the writer.

mod common;

use std::fmt::Write as _;

use common::fixtures::{write_labels, Expected, Layout, Spec};
use common::{assert_valid, code, json, run, stderr, temp_dir};
use labelcheck::value::{Bitmap, ByteArrays, ColumnSlice, Values};

/// Columns a dump can hold (FIXED_LEN_BYTE_ARRAY has no text form in the contract).
const DUMP_COLUMNS: &[&str] = &[
    "label",
    "label_i32",
    "label_i64",
    "label_str",
    "target_f32",
    "target_f64",
    "label_u16",
    "meta.label",
    "labels_multi",
];

/// How the test writes one dump.
struct Style<'a> {
    row_column: bool,
    null: &'a str,
    booleans: [&'a str; 2],
    /// Write this (column, row) null as `""` instead.
    quoted_empty_at: Option<(&'a str, usize)>,
}

const PLAIN: Style<'static> = Style {
    row_column: true,
    null: "",
    booleans: ["false", "true"],
    quoted_empty_at: None,
};

fn text_of(values: &Values, index: usize, column: &str) -> String {
    match values {
        Values::Boolean(b) => b.get(index).to_string(),
        Values::Int32(v) => v[index].to_string(),
        Values::Int64(v) => v[index].to_string(),
        // Floats as the contract writes them: float32 widened exactly to float64 text.
        Values::Float(v) => f64::from(v[index]).to_string(),
        Values::Double(v) => v[index].to_string(),
        Values::ByteArray(v) => String::from_utf8(v.get(index).to_vec()).unwrap(),
        other => panic!("{column}: no dump text for {:?}", other.physical_type()),
    }
}

fn quote(text: &str) -> String {
    if text.is_empty() || text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Each row's field for one column, before CSV quoting (`None` for null).
fn fields(slice: &ColumnSlice, column: &str, style: &Style<'_>) -> Vec<Option<String>> {
    let mut next = 0;
    let mut value_text = |slot: usize| {
        slice.validity.get(slot).then(|| {
            next += 1;
            let text = text_of(&slice.values, next - 1, column);
            match &slice.values {
                Values::Boolean(_) => style.booleans[usize::from(text == "true")].to_owned(),
                _ => text,
            }
        })
    };
    (0..slice.rows)
        .map(|row| match slice.lists.as_slice() {
            [] => value_text(row),
            [shape] => shape.validity.get(row).then(|| {
                let items: Vec<String> = (shape.offsets[row]..shape.offsets[row + 1])
                    .map(|slot| value_text(slot).unwrap_or_else(|| "null".into()))
                    .collect();
                format!("[{}]", items.join(","))
            }),
            _ => unreachable!("these fixtures nest one list deep at most"),
        })
        .collect()
}

fn write_dump(
    expected: &[Expected],
    columns: &[&str],
    style: &Style<'_>,
    order: &[usize],
) -> String {
    let per_column: Vec<Vec<Option<String>>> = columns
        .iter()
        .map(|name| {
            let e = expected.iter().find(|e| e.column == *name).unwrap();
            fields(&e.slice, name, style)
        })
        .collect();
    let mut out = String::new();
    let mut header: Vec<&str> = columns.to_vec();
    if style.row_column {
        header.insert(0, "row");
    }
    writeln!(out, "{}", header.join(",")).unwrap();
    for &row in order {
        let mut line: Vec<String> = per_column
            .iter()
            .zip(columns)
            .map(|(f, name)| match f[row].as_deref() {
                Some(text) => quote(text),
                None if style.quoted_empty_at == Some((*name, row)) => "\"\"".into(),
                None => style.null.to_owned(),
            })
            .collect();
        if style.row_column {
            line.insert(0, row.to_string());
        }
        writeln!(out, "{}", line.join(",")).unwrap();
    }
    out
}

struct Case {
    _dir: tempfile::TempDir,
    parquet: String,
    expected: Vec<Expected>,
    rows: usize,
}

fn case() -> Case {
    case_with(Spec::default())
}

fn case_with(spec: Spec) -> Case {
    let dir = temp_dir();
    let path = dir.path().join("labels.parquet");
    let expected = write_labels(&path, &spec);
    Case {
        parquet: path.to_str().unwrap().to_owned(),
        _dir: dir,
        expected,
        rows: spec.rows,
    }
}

impl Case {
    fn dump(&self, style: &Style<'_>) -> String {
        write_dump(
            &self.expected,
            DUMP_COLUMNS,
            style,
            &(0..self.rows).collect::<Vec<_>>(),
        )
    }

    fn run(&self, dump: &str, extra: &[&str]) -> std::process::Output {
        self.run_as("--against", dump, &[&["--format", "json"], extra].concat())
    }

    /// Runs with `dump` given by `flag` (`--against`, `--against-source`, `--against-export`).
    fn run_as(&self, flag: &str, dump: &str, extra: &[&str]) -> std::process::Output {
        let path = self._dir.path().join("dump.csv");
        std::fs::write(&path, dump).unwrap();
        let mut args = vec!["diff", &self.parquet, flag, path.to_str().unwrap()];
        args.extend_from_slice(extra);
        run(args)
    }

    /// Runs and returns the report's findings' messages, asserting the exit code.
    fn findings(&self, dump: &str, extra: &[&str], exit: i32) -> Vec<String> {
        let output = self.run(dump, extra);
        assert_eq!(code(&output), exit, "{}", stderr(&output));
        json(&output)["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[test]
fn a_faithful_dump_agrees_and_is_fingerprinted() {
    let case = case();
    let output = case.run(&case.dump(&PLAIN), &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let columns = report["files"][0]["columns"].as_array().unwrap();
    // Without --columns, the dump's columns are the ones checked.
    let names: Vec<&str> = columns
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(names, DUMP_COLUMNS);
    for column in columns {
        assert_eq!(
            column["digests"]["against"], column["digests"]["raw"],
            "{column}"
        );
    }
    assert_eq!(report["files"][0]["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn rows_may_come_in_any_order_or_without_a_row_column() {
    let case = case();
    let shuffled: Vec<usize> = (0..case.rows).rev().collect();
    let dump = write_dump(&case.expected, DUMP_COLUMNS, &PLAIN, &shuffled);
    assert!(case.findings(&dump, &[], 0).is_empty());
    let no_row = Style {
        row_column: false,
        ..PLAIN
    };
    assert!(case.findings(&case.dump(&no_row), &[], 0).is_empty());
}

#[test]
fn null_tokens_and_boolean_spellings() {
    let case = case();
    let nulls = Style {
        null: "NULL",
        ..PLAIN
    };
    assert!(case
        .findings(&case.dump(&nulls), &["--null-token", "NULL"], 0)
        .is_empty());
    // Without the flag, NULL is not an integer: the column is not compared, and the run fails.
    let findings = case.findings(&case.dump(&nulls), &[], 1);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("cannot read \"NULL\" as a 32-bit integer")),
        "{findings:?}"
    );
    for booleans in [["False", "True"], ["0", "1"], ["FALSE", "TRUE"]] {
        let style = Style { booleans, ..PLAIN };
        assert!(
            case.findings(&case.dump(&style), &[], 0).is_empty(),
            "{booleans:?}"
        );
    }
}

#[test]
fn an_empty_quoted_field_is_the_empty_string_not_null() {
    let case = case();
    let strings = case
        .expected
        .iter()
        .find(|e| e.column == "label_str")
        .unwrap();
    let null_row = (0..case.rows)
        .find(|&r| !strings.slice.validity.get(r))
        .unwrap();
    let style = Style {
        quoted_empty_at: Some(("label_str", null_row)),
        ..PLAIN
    };
    let output = case.run(&case.dump(&style), &[]);
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let mismatches = report["files"][0]["mismatches"].as_array().unwrap();
    assert_eq!(mismatches.len(), 1, "{report}");
    let m = &mismatches[0];
    assert_eq!(
        (m["kind"].as_str(), m["row"].as_u64()),
        (Some("against"), Some(null_row as u64))
    );
    assert_eq!(m["values"]["raw"], serde_json::Value::Null);
    assert_eq!(m["values"]["against"], "");
}

#[test]
fn a_changed_label_is_an_against_mismatch_with_three_values() {
    let case = case();
    let labels = case
        .expected
        .iter()
        .find(|e| e.column == "label_i32")
        .unwrap();
    let row = (0..case.rows)
        .find(|&r| labels.slice.validity.get(r))
        .unwrap();
    let mut expected = case
        .expected
        .iter()
        .map(|e| Expected {
            column: e.column,
            slice: e.slice.clone(),
        })
        .collect::<Vec<_>>();
    let target = expected
        .iter_mut()
        .find(|e| e.column == "label_i32")
        .unwrap();
    let Values::Int32(values) = &mut target.slice.values else {
        unreachable!()
    };
    values[0] += 100;
    let dump = write_dump(
        &expected,
        DUMP_COLUMNS,
        &PLAIN,
        &(0..case.rows).collect::<Vec<_>>(),
    );
    let output = case.run(&dump, &[]);
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let m = &report["files"][0]["mismatches"][0];
    assert_eq!(m["kind"], "against");
    assert_eq!(m["row"], row as u64);
    assert_eq!(m["values"]["arrow"], m["values"]["raw"]);
    assert_eq!(
        m["values"]["against"].as_i64().unwrap() - m["values"]["raw"].as_i64().unwrap(),
        100
    );
    let column = report["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "label_i32")
        .unwrap()
        .clone();
    assert_eq!(column["mismatch_kinds"]["against"], 1);
    // A gate that only reports.
    assert_eq!(code(&case.run(&dump, &["--fail-on", "never"])), 0);
    assert_ne!(column["digests"]["against"], column["digests"]["raw"]);
}

#[test]
fn malformed_dumps_are_findings_naming_the_line() {
    let case = case();
    let good = case.dump(&PLAIN);
    let lines: Vec<&str> = good.lines().collect();
    let join = |lines: &[String]| lines.join("\n") + "\n";
    let mut owned: Vec<String> = lines.iter().map(|l| l.to_string()).collect();

    // A missing row: line 3 (row 1) dropped.
    let mut missing = owned.clone();
    missing.remove(2);
    let findings = case.findings(&join(&missing), &[], 1);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("1 of the file's rows are not in the dump, the first row 1")),
        "{findings:?}"
    );

    // A repeated row.
    let mut repeated = owned.clone();
    repeated.push(owned[5].clone());
    let findings = case.findings(&join(&repeated), &[], 1);
    let last_line = repeated.len();
    assert!(
        findings.iter().any(|f| f.contains(&format!(
            "line {last_line}: row 4 was already given on line 6"
        ))),
        "{findings:?}"
    );

    // A row beyond the file.
    let mut extra = owned.clone();
    extra.push(owned[1].replacen("0,", &format!("{},", case.rows), 1));
    let findings = case.findings(&join(&extra), &[], 1);
    assert!(
        findings.iter().any(|f| f.contains(&format!(
            "row {} is beyond the file's {} rows",
            case.rows, case.rows
        ))),
        "{findings:?}"
    );

    // A column the file does not have.
    owned[0] = owned[0].replacen("label_i64", "label_i65", 1);
    let findings = case.findings(&join(&owned), &[], 1);
    assert!(
        findings
            .iter()
            .any(|f| f
                .contains("line 1: column \"label_i65\" is not among the file's checked columns")),
        "{findings:?}"
    );

    // A field that does not parse, and a record with too few fields.
    let mut bad = lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    bad[3] = bad[3].replacen(',', ",x", 1);
    let findings = case.findings(&join(&bad), &[], 1);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("line 4, column \"label\"") && f.contains("as a boolean")),
        "{findings:?}"
    );
    let mut short = lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    short[7] = "6,true".into();
    let findings = case.findings(&join(&short), &[], 1);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("line 8: 2 fields where the header has 10")),
        "{findings:?}"
    );

    // Not CSV at all.
    let findings = case.findings("row,label\n0,\"open", &[], 1);
    assert!(
        findings
            .iter()
            .any(|f| f.contains("line 2: a quoted field is never closed")),
        "{findings:?}"
    );
}

#[test]
fn against_flags_are_checked_before_any_work() {
    let case = case();
    let output = run(["diff", &case.parquet, "--null-token", "NULL"]);
    assert_eq!(code(&output), 2);
    let output = run(["diff", &case.parquet, &case.parquet, "--against", "x.csv"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("exactly one FILE"),
        "{}",
        stderr(&output)
    );
    let output = run(["diff", &case.parquet, "--against", "/no/such/dump.csv"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("/no/such/dump.csv: cannot read the dump"),
        "{}",
        stderr(&output)
    );
}

/// The expected values with `change` applied to column `name`.
fn changed(case: &Case, name: &str, change: impl FnOnce(&mut ColumnSlice)) -> Vec<Expected> {
    let mut expected: Vec<Expected> = case
        .expected
        .iter()
        .map(|e| Expected {
            column: e.column,
            slice: e.slice.clone(),
        })
        .collect();
    change(
        &mut expected
            .iter_mut()
            .find(|e| e.column == name)
            .unwrap()
            .slice,
    );
    expected
}

/// The `diagnosis` messages of column `name`.
fn diagnosis(report: &serde_json::Value, name: &str) -> Vec<String> {
    report["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == name)
        .unwrap()["diagnosis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn what_the_dump_is_decides_the_blame() {
    let case = case();
    let expected = changed(&case, "label_i32", |slice| {
        let Values::Int32(values) = &mut slice.values else {
            unreachable!()
        };
        values[0] += 100;
        values[5] += 100;
    });
    let dump = write_dump(
        &expected,
        DUMP_COLUMNS,
        &PLAIN,
        &(0..case.rows).collect::<Vec<_>>(),
    );
    for (flag, fault, says) in [
        (
            "--against",
            "writer_or_dump_reader",
            "2 of 2 mismatches: both decoders agree and the dump differs: if it holds the labels as handed to the writer, the writer or the pipeline before it stored wrong values; if another reader exported it from this file, that reader misread the file (say which with --against-source or --against-export).",
        ),
        (
            "--against-source",
            "writer",
            "2 of 2 mismatches: both decoders agree and the labels as handed to the writer (--against-source) differ: the writer or the pipeline before it stored wrong values.",
        ),
        (
            "--against-export",
            "dump_reader",
            "2 of 2 mismatches: both decoders agree and the export another reader made of this file (--against-export) differs: that reader misread the file, which holds what both decoders read.",
        ),
    ] {
        let output = case.run_as(flag, &dump, &["--format", "json"]);
        assert_eq!(code(&output), 1, "{flag}: {}", stderr(&output));
        let report = json(&output);
        assert_valid(&report);
        let mismatches = report["files"][0]["mismatches"].as_array().unwrap();
        assert_eq!(mismatches.len(), 2, "{flag}");
        assert!(
            mismatches
                .iter()
                .all(|m| m["kind"] == "against" && m["fault"] == fault),
            "{flag}: {report}"
        );
        assert!(
            diagnosis(&report, "label_i32").iter().any(|d| d == says),
            "{flag}: {:?}",
            diagnosis(&report, "label_i32")
        );
        let text = String::from_utf8(case.run_as(flag, &dump, &[]).stdout).unwrap();
        assert!(text.contains(says), "{flag}: {text}");
        let html = String::from_utf8(case.run_as(flag, &dump, &["--format", "html"]).stdout)
            .unwrap();
        assert!(
            html.contains(says) && html.contains(&format!("<td>{}</td>", fault.replace('_', " "))),
            "{flag}"
        );
    }
    // One dump, one flag: the three are exclusive, and every dump option applies to each.
    let output = run([
        "diff",
        &case.parquet,
        "--against-source",
        "a.csv",
        "--against-export",
        "b.csv",
    ]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("cannot be used with"));
    let nulls = Style {
        null: "NULL",
        ..PLAIN
    };
    for flag in ["--against-source", "--against-export"] {
        let output = case.run_as(
            flag,
            &case.dump(&nulls),
            &["--null-token", "NULL", "--format", "json"],
        );
        assert_eq!(code(&output), 0, "{flag}: {}", stderr(&output));
        let output = run(["diff", &case.parquet, &case.parquet, flag, "x.csv"]);
        assert!(
            stderr(&output).contains(&format!("{flag} compares one file with its dump")),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn an_export_that_nulls_every_value_after_a_row_blames_the_reader_that_made_it() {
    // The case met in the wild: another reader, past a dictionary fallback, returned null for
    // every value from then on, without an error.
    let case = case_with(Spec {
        layout: Layout::DictionaryFallback,
        ..Spec::default()
    });
    let from = case.rows / 3;
    let mut lost = 0;
    let expected = changed(&case, "label_str", |slice| {
        let mut kept = slice.clone();
        kept.validity = Bitmap::new();
        let Values::ByteArray(values) = &slice.values else {
            unreachable!()
        };
        let mut kept_values = ByteArrays::default();
        let mut next = 0;
        for row in 0..slice.rows {
            let valid = slice.validity.get(row);
            if valid {
                if row < from {
                    kept_values.push(values.get(next));
                } else {
                    lost += 1;
                }
                next += 1;
            }
            kept.validity.push(valid && row < from);
        }
        kept.values = Values::ByteArray(kept_values);
        *slice = kept;
    });
    let dump = write_dump(
        &expected,
        DUMP_COLUMNS,
        &PLAIN,
        &(0..case.rows).collect::<Vec<_>>(),
    );
    assert!(lost > 10, "{lost}");
    let output = case.run_as("--against-export", &dump, &["--format", "json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let report = json(&output);
    let column = report["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "label_str")
        .unwrap();
    assert_eq!(column["mismatch_kinds"]["against"], lost, "{column}");
    assert_eq!(column["mismatches"], lost);
    let mismatches = report["files"][0]["mismatches"].as_array().unwrap();
    assert!(mismatches.iter().all(|m| m["fault"] == "dump_reader"
        && m["values"]["against"].is_null()
        && m["values"]["raw"].is_string()
        && m["row"].as_u64().unwrap() >= from as u64));
    let blame = format!(
        "{lost} of {lost} mismatches: both decoders agree and the export another reader made of this file (--against-export) differs: that reader misread the file"
    );
    assert!(
        diagnosis(&report, "label_str")
            .iter()
            .any(|d| d.starts_with(&blame)),
        "{:?}",
        diagnosis(&report, "label_str")
    );
    // The other columns agree.
    assert_eq!(
        report["summary"]["mismatches"], lost,
        "{}",
        report["summary"]
    );
}
