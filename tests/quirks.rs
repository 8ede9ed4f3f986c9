//! Where the pre-flight screen stops, and writer quirks: hand-made chunks with bytes after
//! their last page, PARQUET-816's short chunk size, a stray dictionary_page_offset, and
//! placeholder CRCs. Each is read by both decoders as parquet-cpp reads it, and said so.

mod common;

use common::craft::{
    boolean_file, boolean_page, crc_of, file_shaped, page, ChunkShape, Claims, Compact, Layout,
    PageKind, BOOLEAN_PLAIN, TRUE_COUNT,
};
use common::{assert_valid, code, json, run, stderr, temp_dir};
use labelcheck::decode::{ColumnDecoder, DecodeError, DecodedChunk};
use labelcheck::value::{Bitmap, Values};

fn labels(n: usize, seed: usize) -> Vec<bool> {
    (0..n).map(|i| (i * 7 + seed).is_multiple_of(5)).collect()
}

/// Writes `bytes` as `name` and checks it with `--format json` and `extra` flags.
fn check(name: &str, bytes: &[u8], extra: &[&str]) -> (std::process::Output, serde_json::Value) {
    let dir = temp_dir();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut args = vec!["diff", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let output = run(args);
    let report = json(&output);
    // Every report here follows the documented schema, its new finding kinds included.
    assert_valid(&report);
    (output, report)
}

/// The kinds of the file's findings, in order.
fn kinds(report: &serde_json::Value) -> Vec<String> {
    report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Both decoders checked the one column and agree.
fn assert_both_agree(report: &serde_json::Value, rows: u64) {
    let column = &report["files"][0]["columns"][0];
    assert_eq!(column["status"], "agree", "{report:#}");
    assert_eq!(column["rows"], rows, "{report:#}");
    assert!(column["digests"]["arrow"].is_string(), "{report:#}");
    assert_eq!(column["digests"]["arrow"], column["digests"]["raw"]);
}

/// A data page header declaring 2^31 − 1 bytes and no body: what the arrow reader would
/// allocate if it read it as a page.
fn huge_header() -> Vec<u8> {
    let mut header = Compact::default();
    header.begin();
    header.i32(1, 0); // DATA_PAGE
    header.i32(2, i32::MAX);
    header.i32(3, i32::MAX);
    header.struct_field(5);
    header.i32(1, 100);
    header.i32(2, 0);
    header.i32(3, 3);
    header.i32(4, 3);
    header.end();
    header.end();
    header.out
}

fn boolean_pages() -> Vec<common::craft::CraftedPage> {
    vec![boolean_page(&labels(13, 0)), boolean_page(&labels(20, 1))]
}

#[test]
fn bytes_after_the_last_page_are_read_by_neither_decoder() {
    // A SQL engine pads its chunks: the bytes after the last page are no page. The arrow
    // reader reads headers until the declared size is used up, so it is given the range the
    // screen found the pages in.
    let shape = ChunkShape {
        tail: vec![0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7],
        ..ChunkShape::default()
    };
    let file = file_shaped(&boolean_pages(), &TRUE_COUNT, BOOLEAN_PLAIN, &shape);
    let (output, report) = check("tail.parquet", &file, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_both_agree(&report, 33);
    // A writer habit worked around, said so: a note, not a failure.
    assert_eq!(kinds(&report), ["quirk"], "{report:#}");
    let message = report["files"][0]["findings"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains(
            "8 bytes of the column chunk follow this page; writer quirk bytes after the last page"
        ),
        "{message}"
    );
}

#[test]
fn the_screen_stops_where_the_chunks_values_end() {
    // After the pages holding the chunk's 33 values, a header declaring 2 GiB: no reader reads
    // it (parquet-cpp and parquet-java stop at num_values), so neither the screen nor the
    // arrow reader does.
    let shape = ChunkShape {
        tail: huge_header(),
        ..ChunkShape::default()
    };
    let file = file_shaped(&boolean_pages(), &TRUE_COUNT, BOOLEAN_PLAIN, &shape);
    let (output, report) = check("huge-tail.parquet", &file, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_both_agree(&report, 33);
    assert_eq!(kinds(&report), ["quirk"], "{report:#}");

    // The same header among the pages the values call for is still refused.
    let mut pages = boolean_pages();
    pages[1].declared_size = Some(i32::MAX);
    let (output, report) = check("huge-page.parquet", &boolean_file(&pages, &TRUE_COUNT), &[]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let error = report["files"][0]["columns"][0]["error"].as_str().unwrap();
    assert!(
        error.starts_with("refused by the pre-flight screen: page 1 at byte"),
        "{error}"
    );
}

#[test]
fn a_column_the_screen_refuses_is_reported_as_refused_by_the_screen() {
    // Two BYTE_ARRAY values, DELTA_LENGTH_BYTE_ARRAY: their lengths' DELTA_BINARY_PACKED
    // header declares 200 lengths (block size 128, 4 miniblocks, first length 1, then two
    // blocks of zero-width miniblocks). The raw path decodes the two it needs and walks over
    // the rest; the parquet crate sizes its buffers by the 200 (fuzz/arrow_setup found such
    // counts abort it), so the screen does not hand the chunk over.
    let mut body = vec![0x80, 0x01, 0x04, 0xc8, 0x01, 0x02];
    body.extend([0x00, 0, 0, 0, 0, 0x00, 0, 0, 0, 0]);
    body.extend(b"ab");
    let pages = [page(PageKind::Data { encoding: 6 }, 2, body)];
    let layout = Layout {
        physical_type: 6,
        codec: 0,
    };
    let file = file_shaped(&pages, &TRUE_COUNT, layout, &ChunkShape::default());
    let (output, report) = check("screened.parquet", &file, &[]);
    let column = &report["files"][0]["columns"][0];
    let error = column["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("refused by the pre-flight screen: page 0 at byte 4: its DELTA_LENGTH_BYTE_ARRAY lengths declare 200 values")
            && !error.contains("arrow path"),
        "{report:#}"
    );
    // The raw path decoded it alone: the finding is the screen's, not an arrow-path failure.
    assert!(column["digests"]["raw"].is_string(), "{report:#}");
    assert!(column["digests"]["arrow"].is_null(), "{report:#}");
    assert_eq!(kinds(&report), ["screen"], "{report:#}");
    let message = report["files"][0]["findings"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains(
            "the pre-flight screen refused column \"label\" before the arrow reader saw it"
        ),
        "{message}"
    );
    // Checked by one decoder only: not fully verified (exit 2), not a disagreement (1).
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_eq!(
        column["checked_by"],
        serde_json::json!(["raw"]),
        "{report:#}"
    );
}

/// An INT64 column with a dictionary of two entries and `pages` data pages of ten rows each.
fn dictionary_pages(pages: usize) -> Vec<common::craft::CraftedPage> {
    let mut dictionary = 7i64.to_le_bytes().to_vec();
    dictionary.extend(9i64.to_le_bytes());
    let mut all = vec![page(PageKind::Dictionary { entries: 2 }, 0, dictionary)];
    // Ten rows: bit width 1, one bit-packed group of 8 and a run of two 1s.
    all.extend((0..pages).map(|_| {
        page(
            PageKind::Data { encoding: 8 },
            10,
            vec![1, 0x03, 0b0101_0110, 4, 1],
        )
    }));
    all
}

const INT64_PLAIN: Layout = Layout {
    physical_type: 2,
    codec: 0,
};

fn parquet_816_file(created_by: &'static str, understated: i64, pages: usize) -> Vec<u8> {
    let claims = Claims {
        created_by: Some(created_by),
        ..TRUE_COUNT
    };
    let shape = ChunkShape {
        understated,
        ..ChunkShape::default()
    };
    file_shaped(&dictionary_pages(pages), &claims, INT64_PLAIN, &shape)
}

#[test]
fn parquet_816_chunks_are_padded_for_parquet_mr_before_1_2_9() {
    // parquet-mr before 1.2.9 left the dictionary page header out of total_compressed_size:
    // the last page runs past the declared range. parquet-cpp reads up to 100 more bytes for
    // such writers, "parquet-mr" without a version among them; both decoders do the same.
    for writer in ["parquet-mr", "parquet-mr version 1.2.8 (build 1)"] {
        let (output, report) = check("816.parquet", &parquet_816_file(writer, 20, 3), &[]);
        assert_eq!(code(&output), 0, "{writer}: {}", stderr(&output));
        assert_both_agree(&report, 30);
        assert_eq!(kinds(&report), ["quirk"], "{report:#}");
        let message = report["files"][0]["findings"][0]["message"]
            .as_str()
            .unwrap();
        assert!(message.contains("PARQUET-816"), "{message}");
        // A quirk never fails the run, not even when every finding is asked to.
        let (strict, _) = check(
            "816.parquet",
            &parquet_816_file(writer, 20, 3),
            &["--fail-on", "finding"],
        );
        assert_eq!(code(&strict), 0, "{}", stderr(&strict));
    }
}

#[test]
fn parquet_816_padding_is_for_affected_writers_and_bounded() {
    // A fixed writer's short chunk is not padded: both decoders refuse the page that runs
    // past it.
    let (output, report) = check(
        "816-fixed.parquet",
        &parquet_816_file("parquet-mr version 1.2.9", 20, 3),
        &[],
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_eq!(report["files"][0]["columns"][0]["status"], "unreadable");
    // Nor by more than parquet-cpp's 100 bytes.
    let (output, report) = check(
        "816-far.parquet",
        &parquet_816_file("parquet-mr", 150, 20),
        &[],
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert_eq!(report["files"][0]["columns"][0]["status"], "unreadable");
}

#[test]
fn a_dictionary_page_offset_of_zero_is_read_from_the_data_pages() {
    // A writer stores dictionary_page_offset 0 for a chunk without a dictionary: the parquet
    // crate would read from byte 0 ("PAR1"); parquet-cpp reads from data_page_offset, and so
    // do both decoders here.
    let shape = ChunkShape {
        dictionary_offset: Some(0),
        ..ChunkShape::default()
    };
    let file = file_shaped(&boolean_pages(), &TRUE_COUNT, BOOLEAN_PLAIN, &shape);
    let (output, report) = check("dictionary-offset-zero.parquet", &file, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_both_agree(&report, 33);
    assert_eq!(kinds(&report), ["quirk"], "{report:#}");
}

#[test]
fn a_crc_of_zero_on_every_page_is_a_placeholder() {
    // Parquet.jl stores crc = 0 on every page: a placeholder, not a checksum.
    let mut pages = boolean_pages();
    for page in &mut pages {
        page.crc = Some(0);
    }
    let (output, report) = check(
        "crc-placeholder.parquet",
        &boolean_file(&pages, &TRUE_COUNT),
        &[],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_both_agree(&report, 33);
    assert_eq!(kinds(&report), ["quirk"], "{report:#}");
    let message = report["files"][0]["findings"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("CRC placeholder"), "{message}");
}

#[test]
fn a_zero_crc_among_real_ones_is_a_changed_page() {
    let mut pages = boolean_pages();
    pages[0].crc = Some(crc_of(&pages[0].body));
    pages[1].crc = Some(0);
    let (output, report) = check(
        "crc-zero-among-real.parquet",
        &boolean_file(&pages, &TRUE_COUNT),
        &[],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(kinds(&report), ["crc"], "{report:#}");
    assert_eq!(report["files"][0]["findings"][0]["page"], 1);
}

/// The raw decoder with the first row of every chunk flipped: a mismatch on page 0.
struct FlipFirstRow(labelcheck::raw::RawFile);

impl ColumnDecoder for FlipFirstRow {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        let mut chunk = self.0.decode(row_group, leaf)?;
        if let Values::Boolean(bits) = &chunk.slice.values {
            let mut flipped = Bitmap::new();
            for i in 0..bits.len() {
                flipped.push(bits.get(i) ^ (i == 0));
            }
            chunk.slice.values = Values::Boolean(flipped);
        }
        Ok(chunk)
    }
}

/// The fault the diagnosis gives the one mismatch of a file whose pages store `crcs`.
fn fault_of_mismatch_with_crcs(crcs: [Option<i32>; 2]) -> labelcheck::diagnosis::Fault {
    let mut pages = boolean_pages();
    for (page, crc) in pages.iter_mut().zip(crcs) {
        page.crc = crc;
    }
    let dir = temp_dir();
    let path = dir.path().join("crc-mismatch.parquet");
    std::fs::write(&path, boolean_file(&pages, &TRUE_COUNT)).unwrap();
    let report = common::check_with_raw(&path, "label", 10, FlipFirstRow);
    let mismatches = &report.files[0].mismatches;
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    mismatches[0].fault
}

#[test]
fn a_mismatch_on_a_placeholder_crc_page_is_not_blamed_on_bytes_at_rest() {
    use labelcheck::diagnosis::Fault;
    // A checksum that really fails points at the bytes.
    let bad = crc_of(&boolean_pages()[0].body) ^ 1;
    assert_eq!(
        fault_of_mismatch_with_crcs([Some(bad), None]),
        Fault::AtRest
    );
    // A placeholder says nothing about them: the decoders disagree.
    assert_eq!(
        fault_of_mismatch_with_crcs([Some(0), Some(0)]),
        Fault::Reader
    );
}
