//! `--against DUMP.csv`: the third witness. Each rule of the dump contract, good and
//! malformed dumps, written from the values handed to the writer.

mod common;

use std::fmt::Write as _;

use common::fixtures::{write_labels, Expected, Spec};
use common::{code, json, run, stderr, temp_dir};
use labelcheck::value::{ColumnSlice, Values};

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
        .map(|row| match &slice.lists {
            None => value_text(row),
            Some(shape) => shape.validity.get(row).then(|| {
                let items: Vec<String> = (shape.offsets[row]..shape.offsets[row + 1])
                    .map(|slot| value_text(slot).unwrap_or_else(|| "null".into()))
                    .collect();
                format!("[{}]", items.join(","))
            }),
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
    let dir = temp_dir();
    let path = dir.path().join("labels.parquet");
    let spec = Spec::default();
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
        let path = self._dir.path().join("dump.csv");
        std::fs::write(&path, dump).unwrap();
        let mut args = vec![
            "diff",
            &self.parquet,
            "--against",
            path.to_str().unwrap(),
            "--format",
            "json",
        ];
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
