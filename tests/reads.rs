//! What a check reads: the footer's bytes once for both paths, each path asking for them once
//! (and so parsing them once), and the byte and request counts `--timings` reports.

mod common;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use common::{assert_valid, code, json, run, stderr, temp_dir};
use labelcheck::arrow_path::ArrowFile;
use labelcheck::check::{check_file, CheckOptions, Progress};
use labelcheck::columns::ColumnChoice;
use labelcheck::decode::DecodeOptions;
use labelcheck::raw::RawFile;
use labelcheck::source::{ByteSource, FooterPrefetch, LocalFile};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// Columns besides `label`.
const FEATURES: usize = 50;
const ROWS: usize = 20_000;

/// A wide file: `label` and [`FEATURES`] INT64 columns, `rows_per_group` rows a row group,
/// with the page index the writer writes by default and a bloom filter on every column.
fn wide_file(dir: &Path, rows_per_group: usize) -> PathBuf {
    let mut fields = vec![Field::new("label", DataType::Int32, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(Int32Array::from_iter_values(
        (0..ROWS as i32).map(|i| i % 7),
    ))];
    for f in 0..FEATURES {
        fields.push(Field::new(format!("f{f:02}"), DataType::Int64, false));
        columns.push(Arc::new(Int64Array::from_iter_values(
            (0..ROWS as i64).map(|i| i * (f as i64 + 1)),
        )));
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    let path = dir.join(format!("wide-{rows_per_group}.parquet"));
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group))
        .set_bloom_filter_enabled(true)
        .build();
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

/// Where the footer's Thrift lies: before its 4-byte length and the magic.
fn footer_range(path: &Path) -> Range<u64> {
    let bytes = std::fs::read(path).unwrap();
    let len = bytes.len();
    let footer_len = u32::from_le_bytes(bytes[len - 8..len - 4].try_into().unwrap()) as u64;
    let end = len as u64 - 8;
    end - footer_len..end
}

/// A source that records every range asked of it.
struct Recording {
    inner: Arc<dyn ByteSource>,
    asked: Mutex<Vec<Range<u64>>>,
}

impl Recording {
    fn new(inner: Arc<dyn ByteSource>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            asked: Mutex::new(Vec::new()),
        })
    }

    /// The ranges asked for that share bytes with `range`.
    fn touching(&self, range: &Range<u64>) -> Vec<Range<u64>> {
        let asked = self.asked.lock().unwrap();
        asked
            .iter()
            .filter(|r| r.start < range.end && range.start < r.end)
            .cloned()
            .collect()
    }
}

impl ByteSource for Recording {
    fn len(&self) -> u64 {
        self.inner.len()
    }

    fn read_ranges(&self, ranges: &[Range<u64>]) -> std::io::Result<Vec<Bytes>> {
        self.asked.lock().unwrap().extend_from_slice(ranges);
        self.inner.read_ranges(ranges)
    }

    fn display_name(&self) -> &str {
        self.inner.display_name()
    }

    fn coalesce_gap(&self) -> u64 {
        self.inner.coalesce_gap()
    }
}

/// Bytes of `range` that the ranges in `asked` cover, counted once per range.
fn covered(asked: &[Range<u64>], range: &Range<u64>) -> u64 {
    asked
        .iter()
        .map(|r| {
            r.end
                .min(range.end)
                .saturating_sub(r.start.max(range.start))
        })
        .sum()
}

#[test]
fn each_path_reads_the_footer_once_from_one_fetch() {
    let dir = temp_dir();
    // 500 rows a group: a footer of 40 row groups, larger than the first tail fetched.
    for rows_per_group in [ROWS, 500] {
        let path = wide_file(dir.path(), rows_per_group);
        let footer = footer_range(&path);
        if rows_per_group == 500 {
            assert!(footer.end - footer.start > 64 << 10, "{footer:?}");
        }
        let file = Recording::new(Arc::new(LocalFile::open(&path).unwrap()));
        let shared: Arc<dyn ByteSource> = Arc::new(FooterPrefetch::open(file.clone(), 1 << 30));
        let raw_reads = Recording::new(shared.clone());
        let arrow_reads = Recording::new(shared);
        let raw = RawFile::open(raw_reads.clone(), DecodeOptions::default()).unwrap();
        let arrow = ArrowFile::open(arrow_reads.clone()).unwrap();
        assert_eq!(raw.metadata().row_groups.len(), arrow.num_row_groups());
        assert_eq!(arrow.num_row_groups(), ROWS.div_ceil(rows_per_group));

        // Every byte of the footer was fetched from the file once, for both paths.
        let fetched = file.touching(&footer);
        assert_eq!(
            covered(&fetched, &footer),
            footer.end - footer.start,
            "{fetched:?}"
        );
        // Each path asked for the footer in one range, so parsed it once: its own parser
        // over its own read (src/raw/metadata.rs; the parquet crate's).
        for (path, reads) in [("raw", &raw_reads), ("arrow", &arrow_reads)] {
            let asked = reads.touching(&footer);
            assert_eq!(asked.len(), 1, "the {path} path asked for {asked:?}");
            assert!(asked[0].start <= footer.start && asked[0].end >= footer.end);
        }
    }
}

fn no_progress(_: u64) -> Box<dyn Progress> {
    Box::new(())
}

#[test]
fn a_whole_check_fetches_the_footer_once() {
    let dir = temp_dir();
    for rows_per_group in [ROWS, 500] {
        let path = wide_file(dir.path(), rows_per_group);
        let footer = footer_range(&path);
        let file = Recording::new(Arc::new(LocalFile::open(&path).unwrap()));
        let options = CheckOptions {
            columns: ColumnChoice::All,
            max_listed: 10,
            decode: DecodeOptions::default(),
            window: 4,
            window_rows: 1 << 20,
            against: None,
            old: None,
            timings: true,
        };
        let report = check_file("wide.parquet", file.clone(), &options, &no_progress);
        assert_eq!(report.error, None);
        assert_eq!(report.columns.len(), FEATURES + 1);
        let fetched = file.touching(&footer);
        assert_eq!(
            covered(&fetched, &footer),
            footer.end - footer.start,
            "{rows_per_group} rows a group: {fetched:?}"
        );
        // The counts are those of the requests the file saw.
        let reads = report.timings.unwrap().reads;
        let asked = file.asked.lock().unwrap();
        assert_eq!(reads.requests, asked.len() as u64);
        assert_eq!(
            reads.bytes,
            asked.iter().map(|r| r.end - r.start).sum::<u64>()
        );
        assert_eq!(
            reads.file_bytes,
            Some(std::fs::metadata(&path).unwrap().len())
        );
    }
}

fn timings(path: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec![
        "diff",
        path.to_str().unwrap(),
        "--timings",
        "--format",
        "json",
        "-q",
    ];
    args.extend_from_slice(extra);
    let output = run(args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    assert_valid(&report);
    (report["files"][0]["timings"].clone(), stderr(&output))
}

#[test]
fn timings_count_bytes_and_requests_against_the_file_size() {
    let dir = temp_dir();
    let path = wide_file(dir.path(), 5_000);
    let size = std::fs::metadata(&path).unwrap().len();

    let (one, log) = timings(&path, &["--columns", "label"]);
    let reads = &one["reads"];
    assert_eq!(reads["file_bytes"], size);
    let (bytes, requests) = (
        reads["bytes"].as_u64().unwrap(),
        reads["requests"].as_u64().unwrap(),
    );
    assert!(bytes > 0 && requests > 0, "{reads}");
    // One column of 51: its chunks (read by each path and the screen), the footer and the
    // page index; nothing near the whole file.
    assert!(
        bytes * 5 < size,
        "{bytes} bytes of {size} read for one column"
    );
    assert_eq!(one["dump_reads"], serde_json::Value::Null);
    assert!(
        log.contains(&format!("read {bytes} of {size} bytes")),
        "{log}"
    );

    let (all, _) = timings(&path, &["--all"]);
    assert!(all["reads"]["requests"].as_u64().unwrap() > requests);
}

#[test]
fn every_chunk_is_fetched_once_for_all_its_readers() {
    // The screen, the raw decoder and the arrow decoder each read every chunk: fetched by
    // each, `--all` read about three times the file's chunks. The plan fetches a chunk once
    // and the three read it from memory.
    let dir = temp_dir();
    let path = wide_file(dir.path(), 5_000);
    let size = std::fs::metadata(&path).unwrap().len();
    let chunks = ROWS.div_ceil(5_000) as u64 * (FEATURES as u64 + 1);
    let (all, _) = timings(&path, &["--all"]);
    let (bytes, requests) = (
        all["reads"]["bytes"].as_u64().unwrap(),
        all["reads"]["requests"].as_u64().unwrap(),
    );
    // The file is its chunks, their page index and bloom filters, and the footer: each read
    // once, give or take the bytes between ranges fetched together.
    assert!(
        bytes * 10 <= size * 11,
        "{bytes} bytes read of a file of {size}"
    );
    // A chunk is one request, its page index and bloom filter (at the file's end) another;
    // read by each reader, it was about four.
    assert!(
        requests < 3 * chunks,
        "{requests} requests for {chunks} chunks"
    );
}

#[test]
fn timings_count_what_is_read_of_the_dump() {
    let dir = temp_dir();
    let path = wide_file(dir.path(), ROWS);
    let dump = dir.path().join("labels.csv");
    let mut text = String::from("row,label\n");
    for row in 0..ROWS {
        text.push_str(&format!("{row},{}\n", row % 7));
    }
    std::fs::write(&dump, &text).unwrap();
    let (timings, log) = timings(&path, &["--against", dump.to_str().unwrap()]);
    let reads = &timings["dump_reads"];
    assert_eq!(reads["file_bytes"], text.len() as u64);
    assert_eq!(reads["bytes"], text.len() as u64);
    assert!(reads["requests"].as_u64().unwrap() >= 1, "{reads}");
    assert!(
        log.contains(&format!("dump read {} of {} bytes", text.len(), text.len())),
        "{log}"
    );
}

#[test]
fn small_pages_cost_a_few_requests_per_chunk_not_a_few_per_page() {
    // One chunk of pages of about 100 rows each. Read a header and a body at a time, by the
    // screen and the arrow reader, it cost about three requests a page; read a block at a
    // time by each reader, a handful in all.
    let dir = temp_dir();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new(
            "label",
            DataType::Int32,
            false,
        )])),
        vec![Arc::new(Int32Array::from_iter_values(
            (0..ROWS as i32).map(|i| i.wrapping_mul(2_654_435_761u32 as i32)),
        ))],
    )
    .unwrap();
    let path = dir.path().join("small-pages.parquet");
    let properties = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_data_page_row_count_limit(100)
        .set_write_batch_size(100)
        .build();
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let chunk = common::column_chunk(&path, "label", 0);
    let (offset, length) = (
        chunk.offset_index_offset.unwrap() as usize,
        chunk.offset_index_length.unwrap() as usize,
    );
    let bytes = std::fs::read(&path).unwrap();
    let index =
        labelcheck::raw::metadata::parse_offset_index(&bytes[offset..offset + length]).unwrap();
    let pages = index.page_locations.len();
    assert!(pages >= 100, "{pages} pages");

    let (timings, _) = timings(&path, &["--columns", "label"]);
    let requests = timings["reads"]["requests"].as_u64().unwrap();
    assert!(
        requests <= 10,
        "{requests} requests for one chunk of {pages} pages"
    );
}
