//! Resource limits: files whose headers claim huge sizes must end in a clean error under an
//! address-space limit (`ulimit -v`), never an abort from a failed allocation.

mod common;

use std::process::{Command, Output};

use common::craft::{boolean_file, boolean_file_with, boolean_page, Claims, Compact, TRUE_COUNT};
use common::hostile::{
    amplified_file, bomb_files, deep_schema_file, dictionary_claim_file, labels,
};
use common::{bin, code, json, stderr, temp_dir};

/// Address space allowed to the binary: room for its code, threads and a normal check, far
/// less than the sizes the files claim.
const LIMIT_KIB: u64 = 1 << 20;

/// Runs `labelcheck ARGS` under `ulimit -v LIMIT_KIB`.
fn run_limited(args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args)
        .output()
        .expect("sh runs")
}

/// Writes `bytes` as `name` in `dir` and checks it under the limit, with `extra` flags.
fn check_limited(dir: &tempfile::TempDir, name: &str, bytes: &[u8], extra: &[&str]) -> Output {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut args = vec!["diff", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let output = run_limited(&args);
    // `code` panics on a signal: an abort from a failed allocation fails here.
    let exit = code(&output);
    let log = stderr(&output);
    assert!(
        !log.contains("memory allocation") && !log.contains("panicked"),
        "{name}: {log}"
    );
    assert!((0..=2).contains(&exit), "{name}: exit {exit}: {log}");
    output
}

/// Every line on stderr names the file: the one-line errors of the standards.
fn assert_one_line_errors(output: &Output, name: &str, expect: &[&str]) {
    let log = stderr(output);
    assert!(!log.is_empty(), "{name}: no message");
    for line in log.lines() {
        assert!(
            line.starts_with("labelcheck: ") && line.contains(name),
            "{line}"
        );
    }
    for text in expect {
        assert!(log.contains(text), "{name}: {text:?} not in {log}");
    }
}

#[test]
fn a_normal_check_fits_in_the_limit() {
    let output = run_limited(&["diff", common::demo_file().to_str().unwrap(), "-q"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn a_page_claiming_gigabytes_is_refused_by_both_paths_before_allocating() {
    let dir = temp_dir();
    let mut page = boolean_page(&labels(100));
    page.declared_size = Some(i32::MAX);
    // The second page lies, so the screen must walk past the first header.
    let file = boolean_file_with(&[boolean_page(&labels(50)), page], &TRUE_COUNT, true);

    // Above --max-page-bytes: neither path allocates.
    let output = check_limited(&dir, "huge-page.parquet", &file, &[]);
    assert_eq!(code(&output), 2);
    assert_one_line_errors(
        &output,
        "huge-page.parquet",
        &[
            "refused by the pre-flight screen",
            "declares 2147483647 bytes, more than --max-page-bytes (536870912)",
            "raw path: page 1 at byte",
        ],
    );
    assert_eq!(
        json(&output)["files"][0]["columns"][0]["status"],
        "unreadable"
    );

    // Within a raised --max-page-bytes but beyond the address space: the arrow reader would
    // abort on the failed allocation, so it is not asked; the raw path checks what the
    // compressed stream itself declares before reserving.
    let output = check_limited(
        &dir,
        "huge-page-raised-limit.parquet",
        &file,
        &["--max-page-bytes", "4000000000"],
    );
    assert_eq!(code(&output), 2);
    assert_one_line_errors(
        &output,
        "huge-page-raised-limit.parquet",
        &[
            "more than this process can allocate",
            "header declares 2147483647",
        ],
    );
}

#[test]
fn a_page_claiming_billions_of_values_is_an_error() {
    let dir = temp_dir();
    let mut page = boolean_page(&labels(100));
    page.num_values = i32::MAX;
    let output = check_limited(
        &dir,
        "page-values.parquet",
        &boolean_file_with(&[page], &TRUE_COUNT, true),
        &[],
    );
    assert_eq!(code(&output), 2);
    assert_one_line_errors(
        &output,
        "page-values.parquet",
        &["page declares 2147483647 values, more than the 16777216 a page may hold"],
    );
}

#[test]
fn row_counts_in_the_quintillions_are_findings_not_allocations() {
    let dir = temp_dir();
    let claims = Claims {
        file_rows: Some(i64::MAX / 2),
        row_group_rows: Some(i64::MAX / 2),
        ..TRUE_COUNT
    };
    let output = check_limited(
        &dir,
        "rows.parquet",
        &boolean_file_with(&[boolean_page(&labels(100))], &claims, true),
        &[],
    );
    let report = json(&output);
    let findings = report["files"][0]["findings"].to_string();
    assert!(
        findings.contains("declares num_rows 4611686018427387903, its column chunk holds 100 rows"),
        "{report:#}"
    );
    // Both paths read the 100 rows the chunk holds and agree on them.
    assert_eq!(
        report["files"][0]["columns"][0]["status"], "agree",
        "{report:#}"
    );
}

#[test]
fn thrift_lists_claiming_billions_of_elements_are_refused_before_allocating() {
    let dir = temp_dir();
    for (name, size) in [
        ("list-2g.parquet", i32::MAX as usize),
        ("list-256m.parquet", 1 << 28),
    ] {
        let mut meta = Compact::default();
        meta.begin();
        meta.i32(1, 1);
        meta.list_structs(2, size);
        meta.begin();
        meta.string(4, "schema");
        meta.end();
        meta.end();
        let mut file = b"PAR1".to_vec();
        file.extend_from_slice(&meta.out);
        file.extend_from_slice(&(meta.out.len() as u32).to_le_bytes());
        file.extend_from_slice(b"PAR1");
        let output = check_limited(&dir, name, &file, &[]);
        assert_eq!(code(&output), 2);
        assert_one_line_errors(
            &output,
            name,
            &[&format!(
                "FileMetaData.schema: list of {size} elements cannot fit"
            )],
        );
    }
}

/// A Thrift field 100 holding a list of 2^31 − 1 booleans in nine bytes. The parquet crate's
/// Thrift reader (60.1) skips each boolean of an unknown list as zero bytes, so it loops for
/// about ten seconds per such list without reading anything; found by `whole_check` fuzzing.
const SPINNING_LIST: [u8; 9] = [0x09, 0xc8, 0x01, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x07];

/// Runs the binary on `bytes` and checks it answers with exit 2 well before the lists could
/// have been skipped (six of them take the arrow reader about a minute).
fn refused_quickly(dir: &tempfile::TempDir, name: &str, bytes: &[u8], expect: &str) {
    let started = std::time::Instant::now();
    let output = check_limited(dir, name, bytes, &[]);
    let seconds = started.elapsed().as_secs_f64();
    assert!(seconds < 20.0, "{name} took {seconds:.1} s");
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_one_line_errors(&output, name, &[expect]);
}

#[test]
fn malformed_thrift_is_not_handed_to_the_parquet_crate_whose_reader_spins_on_it() {
    let dir = temp_dir();
    // In a page header: the raw path refuses the list, and the chunk is not given to the arrow
    // reader.
    let mut page = boolean_page(&labels(100));
    page.header_extra = SPINNING_LIST.repeat(6);
    let file = boolean_file_with(&[page], &TRUE_COUNT, false);
    refused_quickly(
        &dir,
        "page-header-lists.parquet",
        &file,
        "refused by the pre-flight screen",
    );

    // In the footer, before its final stop byte: the arrow reader is not tried on it.
    let file = boolean_file_with(&[boolean_page(&labels(100))], &TRUE_COUNT, false);
    let footer_len = u32::from_le_bytes(file[file.len() - 8..file.len() - 4].try_into().unwrap());
    let footer_start = file.len() - 8 - footer_len as usize;
    let mut footer = file[footer_start..file.len() - 9].to_vec();
    footer.extend_from_slice(&SPINNING_LIST.repeat(6));
    footer.push(0); // FileMetaData's stop
    let mut patched = file[..footer_start].to_vec();
    patched.extend_from_slice(&footer);
    patched.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    patched.extend_from_slice(b"PAR1");
    refused_quickly(
        &dir,
        "footer-lists.parquet",
        &patched,
        "not tried: the footer's Thrift is malformed",
    );
}

#[test]
fn pages_that_inflate_past_their_declared_size_are_inflated_by_neither_path() {
    let dir = temp_dir();
    for (codec, file) in bomb_files() {
        let name = format!("{codec}-bomb.parquet");
        assert!(file.len() < 16 << 20, "{name}: {} bytes", file.len());
        let output = check_limited(&dir, &name, &file, &[]);
        assert_eq!(code(&output), 2, "{name}: {}", stderr(&output));
        assert_one_line_errors(
            &output,
            &name,
            &[
                "refused by the pre-flight screen: page 0 at byte 4",
                "inflates to more than 13 bytes, beyond the 13 its header declares",
                "raw path: page 0 at byte 4",
            ],
        );
    }
}

#[test]
fn a_dictionary_claiming_billions_of_entries_is_refused_before_allocating() {
    let dir = temp_dir();
    let file = dictionary_claim_file(i32::MAX);
    let output = check_limited(&dir, "dictionary-2g.parquet", &file, &[]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_one_line_errors(
        &output,
        "dictionary-2g.parquet",
        &["the dictionary declares 2147483647 entries, but its 8 bytes hold at most 1"],
    );
}

#[test]
fn a_schema_nested_thousands_deep_is_not_handed_to_the_parquet_crate() {
    let dir = temp_dir();
    let output = check_limited(&dir, "deep-schema.parquet", &deep_schema_file(5000), &[]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_one_line_errors(
        &output,
        "deep-schema.parquet",
        &["groups nested deeper than 64 levels"],
    );
}

#[test]
fn a_footer_larger_than_the_limit_is_read_by_neither_path() {
    let dir = temp_dir();
    let file = boolean_file(&[boolean_page(&labels(100))], &TRUE_COUNT);
    let output = check_limited(&dir, "footer.parquet", &file, &["--max-footer-bytes", "16"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_one_line_errors(
        &output,
        "footer.parquet",
        &["more than --max-footer-bytes (16)", "not tried"],
    );
}

#[test]
fn memory_follows_the_window_not_a_row_group_of_a_hundred_million_rows() {
    // 134,217,728 INT64 rows in eight pages of one row group, a few hundred bytes in all:
    // held whole, the column takes a gigabyte on each path, beyond the address space given.
    let dir = temp_dir();
    let file = amplified_file(8);
    assert!(file.len() < 1024, "{} bytes", file.len());
    let output = check_limited(&dir, "amplified.parquet", &file, &["--threads", "2"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let column = &report["files"][0]["columns"][0];
    assert_eq!(column["rows"], 134_217_728u64, "{report:#}");
    assert_eq!(column["status"], "agree", "{report:#}");
    assert_eq!(column["digests"]["arrow"], column["digests"]["raw"]);
}

/// Checks the fuzz finding `fixtures/fuzz/NAME` under the limit and expects `message` on stderr.
fn fuzz_finding_is_refused(name: &str, message: &str) {
    let dir = temp_dir();
    let file = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/fuzz")
            .join(name),
    )
    .unwrap();
    // `check_limited` fails on an abort's signal.
    let output = check_limited(&dir, name, &file, &["--all"]);
    let log = stderr(&output);
    assert!(log.contains(message), "{name}: {log}");
}

/// Found by `fuzz/arrow_setup`: a chunk whose pages hold fewer values than its row group's
/// rows, followed by bytes whose "header" lists 164,835,295 elements. The arrow reader reads on
/// past the values the chunk declares until its batch is full or the chunk's bytes end, so it
/// reached that header and spent seconds (minutes under AddressSanitizer) skipping it. The
/// screen reads the pages the chunk's num_values call for, and the arrow reader is given the
/// bytes where they end: it never reaches that header.
#[test]
fn the_arrow_reader_reads_no_further_than_the_screen() {
    let dir = temp_dir();
    let name = "arrow-setup-trailing-header.parquet";
    let file = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/fuzz")
            .join(name),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let output = check_limited(&dir, name, &file, &["--all"]);
    let seconds = started.elapsed().as_secs_f64();
    assert!(seconds < 20.0, "{name} took {seconds:.1} s");
    let report = json(&output);
    let column = &report["files"][0]["columns"][1];
    assert_eq!(column["column"], "b", "{report:#}");
    // Its chunk declares no values: both decoders read no page, and say the same.
    assert_eq!(column["status"], "agree", "{report:#}");
    assert_eq!(column["digests"]["arrow"], column["digests"]["raw"]);
    assert!(!stderr(&output).contains(r#"column "b""#));
}

/// Found by `fuzz/arrow_setup`: a DELTA_BYTE_ARRAY page whose prefix lengths' own header
/// declares 2^54 values. The parquet crate sized its lengths buffer by that count and aborted
/// the process ("memory allocation of 72057594037927932 bytes failed"); the screen now checks
/// the counts inside DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY values against the page's.
#[test]
fn delta_length_counts_inside_a_page_are_screened() {
    fuzz_finding_is_refused(
        "arrow-setup-delta-count.parquet",
        "its DELTA_BYTE_ARRAY prefix lengths declare 18014398509481983 values, more than the 100 the page may hold",
    );
}
