//! Hand-made files for what no writer at hand produces: page CRCs, good and bad, and a footer
//! whose row count lies.

mod common;

use common::craft::{boolean_file, boolean_page, crc_of, Claims, TRUE_COUNT};
use common::{code, json, run, stderr, temp_dir};

fn labels(n: usize, seed: usize) -> Vec<bool> {
    (0..n).map(|i| (i * 7 + seed).is_multiple_of(5)).collect()
}

fn write(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = temp_dir();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (dir, path)
}

#[test]
fn pages_with_correct_crcs_agree_with_no_findings() {
    let mut pages = vec![boolean_page(&labels(13, 0)), boolean_page(&labels(20, 1))];
    for page in &mut pages {
        page.crc = Some(crc_of(&page.body));
    }
    let (_dir, path) = write("crc-good.parquet", &boolean_file(&pages, &TRUE_COUNT));
    let output = run(["diff", &path, "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        report["files"][0]["findings"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    assert_eq!(report["files"][0]["columns"][0]["rows"], 33);
}

#[test]
fn a_bad_crc_is_a_finding_naming_the_page_and_offset() {
    let mut pages = vec![boolean_page(&labels(13, 0)), boolean_page(&labels(20, 1))];
    pages[0].crc = Some(crc_of(&pages[0].body));
    pages[1].crc = Some(crc_of(&pages[1].body) ^ 1);
    let bytes = boolean_file(&pages, &TRUE_COUNT);
    let (_dir, path) = write("crc-bad.parquet", &bytes);
    let output = run(["diff", &path, "--format", "json"]);
    // Both paths still read the same labels, but the bytes changed after they were written:
    // the fault at rest this tool exists to catch fails the run.
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let report = json(&output);
    let findings = report["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let finding = &findings[0];
    assert_eq!(finding["kind"], "crc");
    assert_eq!(finding["page"], 1);
    let offset = finding["page_offset"].as_u64().unwrap() as usize;
    // The offset is where the second page header starts: right after the first page's body.
    assert!(offset > 4 && offset < bytes.len());
    assert_eq!(
        bytes[offset], 0x15,
        "a page header's first field (type, i32) starts there"
    );

    let lenient = run(["diff", &path, "--fail-on", "never"]);
    assert_eq!(code(&lenient), 0, "{}", stderr(&lenient));

    let unchecked = json(&run(["diff", &path, "--format", "json", "--no-crc"]));
    assert_eq!(
        unchecked["files"][0]["findings"].as_array().unwrap().len(),
        0
    );
}

#[test]
fn a_footer_that_undercounts_its_rows_is_a_stats_finding() {
    let pages = vec![boolean_page(&labels(10, 0))];
    let (_dir, path) = write(
        "rows-lie.parquet",
        &boolean_file(
            &pages,
            &Claims {
                file_rows: Some(0),
                statistics: None,
                created_by: None,
                row_group_rows: None,
                legacy_statistics: None,
            },
        ),
    );
    let output = run(["diff", &path, "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let file = &report["files"][0];
    assert_eq!(
        file["columns"][0]["status"], "agree",
        "both paths read the row group's 10 rows"
    );
    assert_eq!(file["columns"][0]["rows"], 10);
    assert_eq!(file["findings"][0]["kind"], "stats");
    assert!(file["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("num_rows is 0"));
}

#[test]
fn statistics_that_leave_out_values_are_a_pruning_finding() {
    // 20 labels, some true; the statistics claim every value is false, and 3 nulls.
    let pages = vec![boolean_page(&labels(20, 0))];
    let claims = Claims {
        file_rows: None,
        statistics: Some((3, vec![0], vec![0])),
        created_by: None,
        row_group_rows: None,
        legacy_statistics: None,
    };
    let (_dir, path) = write("stats-lie.parquet", &boolean_file(&pages, &claims));
    let output = run(["diff", &path, "--format", "json"]);
    assert_eq!(
        code(&output),
        0,
        "a statistics finding is a warning: {}",
        stderr(&output)
    );
    let report = json(&output);
    let messages = common::finding_messages(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("statistics claim 3 nulls, the chunk holds 0")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(
            |m| m.contains("claim max false, but the values include true")
                && m.contains("would skip rows")
        ),
        "{messages:?}"
    );
    assert_eq!(code(&run(["diff", &path, "--fail-on", "finding"])), 1);

    // Honest statistics: no finding.
    let claims = Claims {
        file_rows: None,
        statistics: Some((0, vec![0], vec![1])),
        created_by: None,
        row_group_rows: None,
        legacy_statistics: None,
    };
    let (_dir, path) = write("stats-true.parquet", &boolean_file(&pages, &claims));
    let report = json(&run(["diff", &path, "--format", "json"]));
    assert_eq!(
        report["files"][0]["findings"].as_array().unwrap().len(),
        0,
        "{report}"
    );
}

#[test]
fn a_writer_with_a_published_bug_is_named() {
    let pages = vec![boolean_page(&labels(16, 0))];
    let affected = Claims {
        file_rows: None,
        statistics: None,
        created_by: Some("parquet-cpp version 0.9.0"),
        row_group_rows: None,
        legacy_statistics: None,
    };
    let (_dir, path) = write("old-writer.parquet", &boolean_file(&pages, &affected));
    let output = run(["diff", &path, "--format", "json"]);
    assert_eq!(
        code(&output),
        0,
        "an advisory is a warning: {}",
        stderr(&output)
    );
    let report = json(&output);
    let finding = &report["files"][0]["findings"][0];
    assert_eq!(finding["kind"], "advisory");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.starts_with("apache/parquet-java#2009")
            && message.contains("affected columns: label"),
        "{message}"
    );

    let fixed = Claims {
        file_rows: None,
        statistics: None,
        created_by: Some("parquet-cpp version 1.5.1"),
        row_group_rows: None,
        legacy_statistics: None,
    };
    let (_dir, path) = write("new-writer.parquet", &boolean_file(&pages, &fixed));
    let report = json(&run(["diff", &path, "--format", "json"]));
    assert_eq!(report["files"][0]["findings"].as_array().unwrap().len(), 0);
}

/// A column index whose per-page minimum leaves out values: written by the parquet crate,
/// then one `min_values` entry raised in place.
#[test]
fn a_column_index_that_leaves_out_values_is_a_pruning_finding() {
    use common::fixtures::{write_labels, Layout, Spec};
    use labelcheck::raw::metadata::parse_column_index;

    let dir = temp_dir();
    let path = dir.path().join("indexed.parquet");
    write_labels(
        &path,
        &Spec {
            layout: Layout::Plain,
            ..Spec::default()
        },
    );
    let honest = run([
        "diff",
        path.to_str().unwrap(),
        "--columns",
        "label_i32",
        "--format",
        "json",
    ]);
    assert!(common::finding_messages(&json(&honest)).is_empty());

    let chunk = common::column_chunk(&path, "label_i32", 0);
    let (at, len) = (
        chunk.column_index_offset.unwrap() as usize,
        chunk.column_index_length.unwrap() as usize,
    );
    let mut bytes = std::fs::read(&path).unwrap();
    let index = parse_column_index(&bytes[at..at + len]).unwrap();
    assert!(
        index.min_values.iter().any(|m| m == &0i32.to_le_bytes()),
        "a page whose min is 0"
    );
    // min_values (field 2) come before max_values: the first 4-byte binary holding 0 is a
    // page minimum. Raise it to 2 in place.
    let region = &bytes[at..at + len];
    let place = region
        .windows(5)
        .position(|w| w == [4u8, 0, 0, 0, 0])
        .unwrap();
    bytes[at + place + 1] = 2; // min 0 -> min 2
    let lying = dir.path().join("lying-index.parquet");
    std::fs::write(&lying, &bytes).unwrap();

    let output = run([
        "diff",
        lying.to_str().unwrap(),
        "--columns",
        "label_i32",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let messages = common::finding_messages(&report);
    assert!(
        messages.iter().any(|m| m.contains("row group 0, page")
            && m.contains("the column index claim min 2, but the values include 0")
            && m.contains("would skip rows")),
        "{messages:?}"
    );
}

#[test]
fn a_row_group_that_claims_more_rows_than_its_chunk_holds_is_a_finding() {
    let pages = vec![boolean_page(&labels(20, 0))];
    let claims = Claims {
        file_rows: None,
        statistics: None,
        created_by: None,
        row_group_rows: Some(25),
        legacy_statistics: None,
    };
    let (_dir, path) = write("rg-rows-lie.parquet", &boolean_file(&pages, &claims));
    let output = run(["diff", &path, "--format", "json"]);
    common::assert_no_panic(&output);
    let report = json(&output);
    let messages = common::finding_messages(&report);
    assert!(
        messages.iter().any(|m| m.contains(
            "row group 0: the row group declares num_rows 25, its column chunk holds 20 rows"
        )),
        "{messages:?}"
    );
}

#[test]
fn legacy_statistics_are_checked_as_bounds_where_their_order_holds() {
    let pages = vec![boolean_page(&labels(20, 0))];
    let claims = Claims {
        file_rows: None,
        statistics: None,
        created_by: None,
        row_group_rows: None,
        legacy_statistics: Some((vec![0], vec![0])),
    };
    let (_dir, path) = write("legacy-lie.parquet", &boolean_file(&pages, &claims));
    let report = json(&run(["diff", &path, "--format", "json"]));
    let message = report["files"][0]["findings"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message
            .contains("legacy statistics (min/max) claim max false, but the values include true"),
        "{report}"
    );
}

/// `file` with `from` replaced by `to` in its footer (once, and it must be there), and the
/// footer length after it updated.
fn with_footer_edit(file: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let tail = file.len() - 8;
    let footer_len = u32::from_le_bytes(file[tail..tail + 4].try_into().unwrap()) as usize;
    let footer_start = tail - footer_len;
    let footer = &file[footer_start..tail];
    let at = footer
        .windows(from.len())
        .position(|w| w == from)
        .expect("the bytes to replace are in the footer");
    let mut edited = footer[..at].to_vec();
    edited.extend_from_slice(to);
    edited.extend_from_slice(&footer[at + from.len()..]);
    let mut out = file[..footer_start].to_vec();
    out.extend_from_slice(&edited);
    out.extend_from_slice(&(edited.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    out
}

#[test]
fn a_root_with_a_physical_type_is_read_as_the_group_it_is() {
    // A Go writer sets `type` on the root element; parquet-cpp, parquet-java and pyarrow read
    // the file, the root being a group since it has children.
    let file = boolean_file(&[boolean_page(&labels(9, 0))], &TRUE_COUNT);
    let file = with_footer_edit(
        &file,
        b"\x48\x06schema",         // 4: name "schema"
        b"\x15\x02\x38\x06schema", // 1: type INT32, then 4: name (delta 3)
    );
    let (_dir, path) = write("typed-root.parquet", &file);
    let output = run(["diff", &path, "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["files"][0]["columns"][0]["rows"], 9, "{report}");
    assert_eq!(
        report["files"][0]["findings"].as_array().unwrap().len(),
        0,
        "{report}"
    );
}
