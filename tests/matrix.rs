//! Every supported encoding × page version × codec, written by the parquet crate's writer:
//! both paths must agree on every row, and their fingerprints must equal the fingerprint of
//! the values handed to the writer.

mod common;

use common::fixtures::{codecs, write_labels, Layout, PageVersion, Spec};
use common::{code, json, run, stderr, temp_dir};
use labelcheck::fingerprint::{hash_slice, FingerprintBuilder};
use parquet::basic::Compression;

fn expected_digest(slice: &labelcheck::value::ColumnSlice) -> String {
    let mut builder = FingerprintBuilder::new();
    builder.add(hash_slice(slice, 0), slice.rows as u64);
    builder.finish().hex()
}

fn check(spec: Spec, name: &str) {
    let dir = temp_dir();
    let path = dir.path().join(format!("{name}.parquet"));
    let expected = write_labels(&path, &spec);
    let output = run([
        "diff",
        path.to_str().unwrap(),
        "--all",
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(code(&output), 0, "{name}: {}", stderr(&output));
    let report = json(&output);
    let columns = report["files"][0]["columns"].as_array().unwrap();
    for want in &expected {
        let got = columns
            .iter()
            .find(|c| c["column"] == want.column)
            .unwrap_or_else(|| panic!("{name}: column {} not reported", want.column));
        let digest = expected_digest(&want.slice);
        assert_eq!(got["status"], "agree", "{name} {}: {got}", want.column);
        assert_eq!(
            got["digests"]["arrow"], digest,
            "{name} {}: arrow digest",
            want.column
        );
        assert_eq!(
            got["digests"]["raw"], digest,
            "{name} {}: raw digest",
            want.column
        );
        assert_eq!(got["rows"], spec.rows as u64);
        assert_eq!(
            got["nulls"],
            want.slice.null_rows() as u64,
            "{name} {}",
            want.column
        );
    }
}

/// Checks every combination of `layouts`, both page versions and `codecs`.
fn check_combinations(layouts: &[Layout], codecs: &[(&str, Compression)]) {
    for &layout in layouts {
        for version in [PageVersion::V1, PageVersion::V2] {
            for &(codec_name, compression) in codecs {
                let spec = Spec {
                    layout,
                    version,
                    compression,
                    ..Spec::default()
                };
                check(spec, &format!("{layout:?}-{version:?}-{codec_name}"));
            }
        }
    }
}

#[test]
fn plain_and_dictionary_v1_and_v2_every_codec() {
    check_combinations(&[Layout::Plain, Layout::Dictionary], &codecs());
}

#[test]
fn rle_booleans_in_v1_and_v2_pages() {
    check_combinations(&[Layout::RleBooleans], &codecs()[1..2]);
}

#[test]
fn delta_and_byte_stream_split_in_v1_and_v2_pages() {
    let layouts = [Layout::Delta, Layout::DeltaLength, Layout::ByteStreamSplit];
    check_combinations(&layouts, &[codecs()[0], codecs()[5]]);
}

#[test]
fn dictionary_that_falls_back_to_plain_within_a_chunk() {
    check_combinations(&[Layout::DictionaryFallback], &codecs()[1..2]);
}

#[test]
fn page_and_row_group_sizes_that_are_not_multiples_of_eight() {
    for (row_group_rows, page_rows) in [(1000, 1000), (333, 13), (7, 3), (1, 1)] {
        let spec = Spec {
            row_group_rows,
            page_rows,
            rows: 700,
            ..Spec::default()
        };
        check(spec, &format!("rg{row_group_rows}-page{page_rows}"));
    }
}

#[test]
fn fingerprint_blocks_span_row_groups() {
    // 150,000 rows in row groups of 50,000: blocks of 65,536 rows cross row-group edges.
    let spec = Spec {
        rows: 150_000,
        row_group_rows: 50_000,
        page_rows: 9_999,
        ..Spec::default()
    };
    check(spec, "blocks");
}
