//! Hostile `--against` dumps: too long, too wide, an enormous field, a footer claiming
//! trillions of rows, a problem on every row. Each run is under an address-space limit
//! (`ulimit -v`, as in tests/limits.rs) and a deadline: an abort, a panic or a hang fails, and
//! so does a message that is not one line naming the dump and the limit.

#![cfg(unix)]

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::craft::{boolean_file_with, boolean_page, Claims, TRUE_COUNT};
use common::{code, json, limited, run_within, stderr, temp_dir};

/// Address space allowed to the binary (as in tests/limits.rs).
const LIMIT_KIB: u64 = 1 << 20;

/// Seconds a run may take.
const DEADLINE: u64 = 60;

/// Rows of the crafted file.
const ROWS: usize = 100;

fn label(row: usize) -> bool {
    row.is_multiple_of(3)
}

/// A one-column file of `ROWS` labels whose footer makes `claims`.
fn parquet(dir: &Path, claims: &Claims) -> PathBuf {
    let labels: Vec<bool> = (0..ROWS).map(label).collect();
    let path = dir.join("labels.parquet");
    std::fs::write(
        &path,
        boolean_file_with(&[boolean_page(&labels)], claims, false),
    )
    .unwrap();
    path
}

/// Checks `file` against the dump `dump` under the limits, with `extra` flags.
fn check(file: &Path, dump: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "diff",
        file.to_str().unwrap(),
        "--against",
        dump.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let output = run_within(&mut limited(LIMIT_KIB, &args), None, DEADLINE);
    let log = stderr(&output);
    // `code` panics on a signal: an abort from a failed allocation fails here.
    assert!((0..=2).contains(&code(&output)), "{log}");
    assert!(
        !log.contains("memory allocation") && !log.contains("panicked"),
        "{log}"
    );
    output
}

/// stderr is exactly the expected lines, each naming the file.
fn assert_log(output: &Output, expect: &[&str]) {
    let log = stderr(output);
    assert!(log.len() < 4096, "{} bytes on stderr", log.len());
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), expect.len(), "{log}");
    for (line, text) in lines.iter().zip(expect) {
        assert!(line.starts_with("labelcheck: "), "{line}");
        assert!(line.contains(text), "{text:?} not in {line}");
    }
}

fn finding_messages(output: &Output) -> Vec<String> {
    common::finding_messages(&json(output))
}

#[test]
fn a_dump_longer_than_its_limit_is_not_read() {
    let dir = temp_dir();
    let file = parquet(dir.path(), &TRUE_COUNT);
    let dump = dir.path().join("long.csv");
    // A sparse file: gigabytes of NUL bytes on no disk.
    let long = std::fs::File::create(&dump).unwrap();
    long.set_len(5 << 30).unwrap();
    let output = check(&file, &dump, &[]);
    assert_eq!(code(&output), 1);
    assert_log(
        &output,
        &["long.csv: the dump is 5368709120 bytes, more than the 1073741824 --max-dump-bytes allows; it is not compared"],
    );

    // Within a raised limit, it is read, and its first field is too long.
    let output = check(&file, &dump, &["--max-dump-bytes", "6000000000"]);
    assert_log(
        &output,
        &["long.csv: line 1: a field is longer than 1048576 bytes"],
    );
}

#[test]
fn a_header_of_ten_million_columns_stops_at_the_limit() {
    let dir = temp_dir();
    let file = parquet(dir.path(), &TRUE_COUNT);
    let dump = dir.path().join("wide.csv");
    let mut header = String::with_capacity(90 << 20);
    for column in 0..10_000_000 {
        write!(header, "c{column},").unwrap();
    }
    header.push_str("label\n");
    std::fs::write(&dump, header).unwrap();
    let output = check(&file, &dump, &[]);
    assert_eq!(code(&output), 1);
    assert_log(
        &output,
        &["wide.csv: line 1: the record has more than 65536 fields, the most a dump may have; the dump is not compared"],
    );
}

#[test]
fn an_enormous_field_is_refused_and_a_long_one_is_quoted_short() {
    let dir = temp_dir();
    let file = parquet(dir.path(), &TRUE_COUNT);
    let dump_with = |name: &str, field: &str| {
        let mut dump = String::from("row,label\n");
        for row in 0..ROWS {
            let text = if row == 2 {
                field.to_owned()
            } else {
                label(row).to_string()
            };
            writeln!(dump, "{row},{text}").unwrap();
        }
        let path = dir.path().join(name);
        std::fs::write(&path, dump).unwrap();
        path
    };

    let output = check(
        &file,
        &dump_with("enormous.csv", &"x".repeat(50 << 20)),
        &[],
    );
    assert_eq!(code(&output), 1);
    assert_log(
        &output,
        &["enormous.csv: line 4: a field is longer than 1048576 bytes, the most a dump field may hold; the dump is not compared"],
    );
    assert!(output.stdout.len() < 16 << 10, "{}", output.stdout.len());

    // Within the limit, a field that does not parse is named by its first characters.
    let output = check(&file, &dump_with("long.csv", &"x".repeat(500_000)), &[]);
    assert_eq!(code(&output), 1);
    let expect = format!(
        "long.csv: line 4, column \"label\": cannot read \"{}\"… (500000 bytes) as a boolean; column \"label\" is not compared",
        "x".repeat(40)
    );
    assert_log(&output, &[&expect]);
    assert!(output.stdout.len() < 16 << 10, "{}", output.stdout.len());
}

#[test]
fn footers_claiming_trillions_of_rows_against_a_small_dump_are_findings() {
    let dir = temp_dir();
    for (claim, rows) in [
        (1i64 << 40, "1099511627776"),
        (1 << 62, "4611686018427387904"),
    ] {
        let claims = Claims {
            file_rows: Some(claim),
            row_group_rows: Some(claim),
            ..TRUE_COUNT
        };
        let file = parquet(dir.path(), &claims);
        for row_column in [true, false] {
            let mut dump = String::from(if row_column { "row,label\n" } else { "label\n" });
            for row in 0..ROWS {
                if row_column {
                    write!(dump, "{row},").unwrap();
                }
                writeln!(dump, "{}", label(row)).unwrap();
            }
            let path = dir.path().join("dump.csv");
            std::fs::write(&path, dump).unwrap();
            let output = check(&file, &path, &[]);
            assert_eq!(code(&output), 1, "{}", stderr(&output));
            let expect = if row_column {
                let missing = claim as u64 - ROWS as u64;
                format!("dump.csv: {missing} of the file's rows are not in the dump, the first row 100; the dump is not compared")
            } else {
                format!(
                    "dump.csv: the dump has 100 rows, the file {rows}; the dump is not compared"
                )
            };
            let findings = finding_messages(&output);
            assert!(
                findings.iter().any(|f| f.ends_with(&expect)),
                "{expect} not in {findings:?}"
            );
            // Both paths still read the 100 rows the chunk holds, and agree.
            let report = json(&output);
            assert_eq!(report["files"][0]["columns"][0]["status"], "agree");
        }
    }
}

#[test]
fn a_problem_on_every_row_is_a_hundred_findings_and_a_count() {
    let dir = temp_dir();
    let file = parquet(dir.path(), &TRUE_COUNT);
    // A million records, each naming a row beyond the file's 100.
    let records = 1_000_000u64;
    let mut dump = String::from("row,label\n");
    for row in 0..records {
        writeln!(dump, "{},true", row + ROWS as u64).unwrap();
    }
    let path = dir.path().join("beyond.csv");
    std::fs::write(&path, dump).unwrap();
    let output = check(&file, &path, &[]);
    assert_eq!(code(&output), 1);
    let report = json(&output);
    let findings = report["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 101, "{findings:#?}");
    assert_eq!(
        findings[0]["message"],
        format!("{}: 1000000 of the dump's records cannot be placed on the file's rows; the dump is not compared", path.display())
    );
    assert_eq!(
        findings[1]["message"],
        format!(
            "{}: line 2: row 100 is beyond the file's 100 rows",
            path.display()
        )
    );
    let count = &findings[100];
    assert_eq!(count["kind"], "against");
    assert_eq!(count["omitted"], 999_901);
    assert_eq!(
        count["message"],
        "999901 more against findings are not listed; only the first 100 are"
    );
    // Every record's finding is counted, and the conclusion.
    assert_eq!(report["summary"]["findings"], records + 1);
    assert_eq!(stderr(&output).lines().count(), 101);
}
