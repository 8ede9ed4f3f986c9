//! Degrading per column, never per file: a decoder that cannot open a file or return a whole
//! value leaves the column checked by the other, reported as such, and the run incomplete
//! (exit 2) rather than passed (0) or failed as a disagreement (1).

mod common;

use common::craft::{
    file_with, file_with_leaf, page, CraftedPage, Layout, LeafSchema, PageKind, TRUE_COUNT,
};
use common::{code, json, run, stderr, temp_dir};
use serde_json::Value;

const INT32: Layout = Layout {
    physical_type: 1,
    codec: 0,
};
const FLBA: Layout = Layout {
    physical_type: 7,
    codec: 0,
};
/// parquet.thrift `ConvertedType`: INTERVAL, and 24, which parquet-cpp 1.x wrote for NULL
/// columns and the parquet crate refuses ("Unexpected ConvertedType 24").
const INTERVAL: i32 = 21;
const PARQUET_CPP_1_NULL: i32 = 24;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

/// One PLAIN data page of `values`.
fn int32_pages(values: &[i32]) -> [CraftedPage; 1] {
    let body = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    [page(
        PageKind::Data { encoding: 0 },
        values.len() as i32,
        body,
    )]
}

/// An INT32 column of `values` whose footer the parquet crate refuses and the raw path reads.
fn refused_int32(dir: &tempfile::TempDir, values: &[i32]) -> String {
    let leaf = LeafSchema {
        converted_type: Some(PARQUET_CPP_1_NULL),
        ..LeafSchema::default()
    };
    let bytes = file_with_leaf(&int32_pages(values), &TRUE_COUNT, INT32, leaf);
    write(dir, "refused.parquet", &bytes)
}

fn diff_json(path: &str) -> (i32, Value, String) {
    let output = run(["diff", path, "--all", "--format", "json"]);
    (code(&output), json(&output), stderr(&output))
}

fn only_column(report: &Value) -> &Value {
    let columns = report["files"][0]["columns"].as_array().expect("columns");
    assert_eq!(columns.len(), 1, "{report:#}");
    &columns[0]
}

#[test]
fn a_footer_the_arrow_reader_refuses_is_checked_by_the_raw_path_alone() {
    let dir = temp_dir();
    let values = [3, 1, 4, 1, 5, 9, 2, 6];
    let refused = refused_int32(&dir, &values);
    let plain = write(
        &dir,
        "plain.parquet",
        &file_with(&int32_pages(&values), &TRUE_COUNT, INT32),
    );

    let (exit, report, log) = diff_json(&refused);
    assert_eq!(exit, 2, "incomplete, not passed nor failed: {log}");
    let column = only_column(&report);
    assert_eq!(column["status"], "path_failed");
    assert_eq!(column["checked_by"], serde_json::json!(["raw"]));
    assert_eq!(column["digests"]["arrow"], Value::Null);
    assert_eq!(column["rows"], 8);
    assert!(
        column["error"]
            .as_str()
            .unwrap()
            .contains("arrow path: could not open the file"),
        "{column:#}"
    );
    // The raw path's digest is the one the same values give when both paths read them.
    let (plain_exit, plain_report, _) = diff_json(&plain);
    assert_eq!(plain_exit, 0);
    let both = only_column(&plain_report);
    assert_eq!(both["checked_by"], serde_json::json!(["arrow", "raw"]));
    assert_eq!(column["digests"]["raw"], both["digests"]["raw"]);
    // One finding about the file says so, not one per column.
    let findings = report["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["kind"], "path_failure");
    assert_eq!(findings[0]["column"], Value::Null);
    assert!(findings[0]["errors"]["arrow"]
        .as_str()
        .unwrap()
        .contains("ConvertedType 24"));
    assert_eq!(report["summary"]["single_decoder"], 1);
    assert_eq!(report["summary"]["exit_code"], 2);

    // The text report says who checked it, and gives that decoder's digest.
    let text = run(["diff", &refused, "--all"]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("raw only"), "{out}");
    assert!(out.contains("checked by one decoder only"), "{out}");
}

#[test]
fn a_failing_finding_still_makes_a_single_decoder_run_exit_1() {
    // A run that is both incomplete and contradicted is a disagreement: exit 1 wins.
    let dir = temp_dir();
    let refused = refused_int32(&dir, &[1, 2, 3]);
    let dump = write(&dir, "dump.csv", b"row,label\n0,1\n1,2\n2,7\n");
    let output = run(["diff", &refused, "--against", &dump, "--format", "json"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    // `--fail-on never`: nothing fails, but the run is still not fully verified.
    let output = run(["diff", &refused, "--fail-on", "never"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    // `--fail-on finding`: warnings fail, but a decoder that could not open the file is still
    // "not verified", not "disagree".
    let output = run(["diff", &refused, "--fail-on", "finding"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
}

/// INTERVAL values: months, days, milliseconds, each a little-endian u32.
fn interval_body(values: &[(u32, u32, u32)]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&(months, days, millis)| {
            [months, days, millis]
                .into_iter()
                .flat_map(u32::to_le_bytes)
        })
        .collect()
}

#[test]
fn interval_months_are_checked_by_the_raw_path_alone() {
    let dir = temp_dir();
    let values = [(0, 3, 500), (14, 1, 2), (2, 0, 86_399_999), (0, 0, 0)];
    let pages = [page(
        PageKind::Data { encoding: 0 },
        values.len() as i32,
        interval_body(&values),
    )];
    let twelve = LeafSchema {
        type_length: Some(12),
        ..LeafSchema::default()
    };
    let interval = write(
        &dir,
        "interval.parquet",
        &file_with_leaf(
            &pages,
            &TRUE_COUNT,
            FLBA,
            LeafSchema {
                converted_type: Some(INTERVAL),
                ..twelve
            },
        ),
    );
    let bytes = write(
        &dir,
        "bytes.parquet",
        &file_with_leaf(&pages, &TRUE_COUNT, FLBA, twelve),
    );

    let (exit, report, log) = diff_json(&interval);
    assert_eq!(exit, 2, "{log}");
    let column = only_column(&report);
    assert_eq!(column["status"], "partial", "{column:#}");
    assert_eq!(column["checked_by"], serde_json::json!(["arrow", "raw"]));
    assert_eq!(column["mismatches"], 0);
    assert_eq!(column["digests"]["arrow"], Value::Null);
    let error = column["error"].as_str().unwrap();
    assert!(error.contains("without their months"), "{error}");
    assert!(error.contains("2 values have non-zero months"), "{error}");
    // The digest is of the stored values, months included: the same bytes without the
    // annotation, which both paths read whole, give the same one.
    let (bytes_exit, bytes_report, _) = diff_json(&bytes);
    assert_eq!(bytes_exit, 0);
    assert_eq!(
        column["digests"]["raw"],
        only_column(&bytes_report)["digests"]["raw"]
    );
    let kinds: Vec<&str> = report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["lossy"]);
}

#[test]
fn an_empty_time_unit_fails_its_column_not_the_footer() {
    // TIMESTAMP { isAdjustedToUTC: true, unit: {} }: parquet-cpp reads the empty union as an
    // unknown unit, which only the column using it can trip on; the footer is read.
    const TIMESTAMP_EMPTY_UNIT: &[u8] = &[0x8c, 0x11, 0x1c, 0x00, 0x00, 0x00];
    let dir = temp_dir();
    let body = [5i64, 7, 11].iter().flat_map(|v| v.to_le_bytes()).collect();
    let pages = [page(PageKind::Data { encoding: 0 }, 3, body)];
    let leaf = LeafSchema {
        logical_type: Some(TIMESTAMP_EMPTY_UNIT),
        ..LeafSchema::default()
    };
    let int64 = Layout {
        physical_type: 2,
        codec: 0,
    };
    let path = write(
        &dir,
        "empty-unit.parquet",
        &file_with_leaf(&pages, &TRUE_COUNT, int64, leaf),
    );
    let (exit, report, log) = diff_json(&path);
    assert!(report["files"][0]["error"].is_null(), "{report:#}");
    let column = only_column(&report);
    assert_eq!(column["rows"], 3, "{column:#}");
    assert!(column["digests"]["raw"].is_string(), "{column:#}");
    // The parquet crate refuses the footer ("Received empty union from remote TimeUnit"):
    // the raw path checks the column alone.
    assert_eq!(exit, 2, "{log}");
    assert_eq!(column["status"], "path_failed");
    assert_eq!(column["logical_type"], "TIMESTAMP(UNKNOWN(0),utc)");
}
