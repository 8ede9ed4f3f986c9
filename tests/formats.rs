//! The machine formats: NDJSON lines validate against docs/report.schema.json, CSV has its
//! fixed header and one row per mismatch or finding, JUnit XML parses with one test case per
//! column.

mod common;

use common::craft::{boolean_file, boolean_page, crc_of, Claims};
use common::{code, report_schema, run, stderr, temp_dir};

/// A file with a bad page checksum and, through a dump, one label that differs: one
/// mismatch and one finding.
fn setup() -> (tempfile::TempDir, String, String) {
    let dir = temp_dir();
    let labels: Vec<bool> = (0..30).map(|i| i % 4 == 0).collect();
    let mut pages = vec![boolean_page(&labels[..13]), boolean_page(&labels[13..])];
    pages[0].crc = Some(crc_of(&pages[0].body) ^ 1);
    let parquet = dir.path().join("f.parquet");
    std::fs::write(
        &parquet,
        boolean_file(
            &pages,
            &Claims {
                file_rows: None,
                statistics: None,
                created_by: None,
                row_group_rows: None,
                legacy_statistics: None,
            },
        ),
    )
    .unwrap();
    let mut dump = String::from("label\n");
    for (row, label) in labels.iter().enumerate() {
        dump.push_str(&format!("{}\n", if row == 17 { !label } else { *label }));
    }
    let csv = dir.path().join("f.csv");
    std::fs::write(&csv, dump).unwrap();
    let (p, c) = (
        parquet.to_str().unwrap().to_owned(),
        csv.to_str().unwrap().to_owned(),
    );
    (dir, p, c)
}

fn output(format: &str) -> String {
    let (_dir, parquet, csv) = setup();
    let out = run(["diff", &parquet, "--against", &csv, "--format", format]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn ndjson_lines_follow_the_schema_and_end_with_the_summary() {
    let mut schema = report_schema();
    // Validate each line against the documented line type, with the shared definitions.
    let object = schema.as_object_mut().unwrap();
    object.retain(|key, _| key.starts_with('$'));
    object.insert("$ref".into(), "#/$defs/ndjson_line".into());
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = output("ndjson");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in &lines {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line}: {errors:?}");
    }
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["mismatch", "finding", "file", "summary"]);
    assert_eq!(lines[0]["kind"], "against");
    assert_eq!(lines[0]["row"], 17);
    assert_eq!(lines[1]["kind"], "crc");
    assert_eq!(lines[3]["exit_code"], 1);
}

#[test]
fn csv_has_a_fixed_header_and_a_row_per_record() {
    let text = output("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, labelcheck::report::csv::HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let fields = |row: &csv::StringRecord, range: std::ops::Range<usize>| -> Vec<String> {
        range.map(|i| row[i].to_owned()).collect()
    };
    assert_eq!(
        fields(&rows[0], 1..5),
        ["mismatch", "against", "label", "17"]
    );
    assert_eq!(
        (&rows[0][9], &rows[0][10], &rows[0][11]),
        ("false", "false", "true")
    );
    assert_eq!(&rows[0][14], "", "a flat column's mismatch has no position");
    assert_eq!(fields(&rows[1], 1..3), ["finding", "crc"]);
    assert_eq!(
        &rows[1][13], "true",
        "a checksum that fails is a failure: the bytes changed at rest"
    );
}

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_column_and_finding() {
    let text = output("junit");
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(
        (root.attribute("tests"), root.attribute("failures")),
        (Some("2"), Some("2"))
    );
    let cases: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases[0].attribute("name"), Some("label"));
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("the column fails");
    assert!(failure.text().unwrap().contains("row 17"), "{text}");
    assert!(cases[1].attribute("name").unwrap().contains("crc"));
    assert!(
        cases[1].children().any(|n| n.has_tag_name("failure")),
        "a checksum that fails is a failure"
    );
}

#[test]
fn junit_escapes_what_xml_cannot_hold() {
    let dir = temp_dir();
    let path = dir.path().join("a&b<c>\"q\".parquet");
    let out = run(["diff", path.to_str().unwrap(), "--format", "junit"]);
    assert_eq!(code(&out), 2);
    let text = String::from_utf8(out.stdout).unwrap();
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let suite = document.root_element().first_element_child().unwrap();
    assert_eq!(suite.attribute("name"), path.to_str());
}

#[test]
fn csv_and_junit_say_what_fails_under_the_runs_fail_on() {
    // With `--fail-on never` nothing fails the run, so no row and no test case says it does.
    let (_dir, parquet, _csv) = setup();
    for format in ["csv", "junit"] {
        let out = run(["diff", &parquet, "--fail-on", "never", "--format", format]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let text = String::from_utf8(out.stdout).unwrap();
        match format {
            "csv" => {
                let mut reader = csv::Reader::from_reader(text.as_bytes());
                let crc = reader
                    .records()
                    .map(Result::unwrap)
                    .find(|row| &row[2] == "crc")
                    .expect("a crc row");
                assert_eq!(&crc[13], "false", "{text}");
            }
            _ => {
                assert!(text.contains(r#"failures="0""#), "{text}");
                assert!(!text.contains("<failure"), "{text}");
            }
        }
    }
}
