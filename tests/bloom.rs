//! Bloom filters as a witness: every decoded value must probe positive in its row group's
//! filter. Filters written by the parquet crate pass; the same file with a filter emptied is
//! a finding naming the values the filter would hide.

mod common;

use common::fixtures::{write_labels, Spec};
use common::{code, json, run, stderr, temp_dir};

#[test]
fn honest_filters_pass_and_an_emptied_filter_is_a_finding() {
    let dir = temp_dir();
    let path = dir.path().join("bloom.parquet");
    write_labels(
        &path,
        &Spec {
            bloom_filters: true,
            ..Spec::default()
        },
    );
    let output = run([
        "diff",
        path.to_str().unwrap(),
        "--columns",
        "label_str,label_i32",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(common::finding_messages(&json(&output)).is_empty());

    // Empty label_str's filter in row group 1: its bitset follows the header at the offset.
    let meta = common::column_chunk(&path, "label_str", 1)
        .meta_data
        .unwrap();
    let offset = meta
        .bloom_filter_offset
        .expect("the writer wrote a bloom filter") as usize;
    let mut bytes = std::fs::read(&path).unwrap();
    let header = labelcheck::raw::bloom::parse_header(&bytes[offset..]).unwrap();
    let bitset = offset + header.header_len..offset + header.header_len + header.num_bytes;
    bytes[bitset].fill(0);
    let lying = dir.path().join("lying.parquet");
    std::fs::write(&lying, &bytes).unwrap();

    let output = run([
        "diff",
        lying.to_str().unwrap(),
        "--columns",
        "label_str,label_i32",
        "--format",
        "json",
    ]);
    assert_eq!(
        code(&output),
        0,
        "a bloom filter finding is a warning: {}",
        stderr(&output)
    );
    let report = json(&output);
    let findings = report["files"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let finding = &findings[0];
    assert_eq!(
        (finding["kind"].as_str(), finding["row_group"].as_u64()),
        (Some("stats"), Some(1))
    );
    let message = finding["message"].as_str().unwrap();
    assert!(
        message
            .contains("column \"label_str\", row group 1: the bloom filter says 5 distinct values"),
        "{message}"
    );
    assert!(message.contains("would miss their rows"), "{message}");
}
