//! The metadata witness on repeated columns: level histograms (SizeStatistics in the footer,
//! the column index's per-page histograms) must agree with the levels the pages hold, and a
//! repeated column's null counts are checked where writers agree on what they count.
//!
//! The files are written by the parquet crate, which writes SizeStatistics and the page index
//! by default; the wrong ones are copies with one count of one histogram changed in place
//! (a zigzag varint of the same length, so nothing else moves).

mod common;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::{Array, ArrayRef, Int32Array, Int64Array, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, Fields, Schema};
use common::{assert_valid, code, json, run, stderr, temp_dir};
use parquet::file::properties::WriterProperties;

const ROWS: i32 = 100;

/// Writes `labels: list<int32>`, `meta: struct<tags: list<int32>>` and a flat `label`, 100 rows
/// in pages of 32 rows, no dictionary. Every 4 rows of `labels` are `[null]`, null, `[]`,
/// `[i, i+1]`: 125 level entries whose definition levels are 0 (null list) 25 times, 1 (empty)
/// 25, 2 (null element) 25 and 3 (value) 50; repetition levels 0 100 times, 1 25 times.
/// `meta.tags` holds the same rows reversed.
fn write_file(dir: &Path) -> PathBuf {
    let mut lists: Vec<Option<Vec<Option<i32>>>> = Vec::new();
    for i in 0..ROWS / 4 {
        lists.push(Some(vec![None]));
        lists.push(None);
        lists.push(Some(vec![]));
        // Last in every page of 32 rows: the row the raw path holds back for the next window
        // (a list may continue on the next page) has values.
        lists.push(Some(vec![Some(i), Some(i + 1)]));
    }
    let labels = ListArray::from_iter_primitive::<Int32Type, _, _>(lists.clone());
    let tags = ListArray::from_iter_primitive::<Int32Type, _, _>(lists.into_iter().rev());
    let meta = StructArray::new(
        Fields::from(vec![Field::new("tags", tags.data_type().clone(), true)]),
        vec![Arc::new(tags) as ArrayRef],
        None,
    );
    let label = Int32Array::from_iter((0..ROWS).map(|i| (i % 3 != 0).then_some(i)));
    let schema = Schema::new(vec![
        Field::new("labels", labels.data_type().clone(), true),
        Field::new("meta", meta.data_type().clone(), true),
        Field::new("label", DataType::Int32, true),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![Arc::new(labels), Arc::new(meta), Arc::new(label)],
    )
    .unwrap();
    let props = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_data_page_row_count_limit(20)
        .set_write_batch_size(20)
        .build();
    let path = dir.join("histograms.parquet");
    common::write_batch(&path, &batch, Some(props));
    path
}

/// The footer's bytes within the file.
fn footer(bytes: &[u8]) -> Range<usize> {
    let len = bytes.len();
    let footer_len = u32::from_le_bytes(bytes[len - 8..len - 4].try_into().unwrap()) as usize;
    len - 8 - footer_len..len - 8
}

/// Where `pattern` occurs in `bytes[region]`, which it must do exactly once.
fn find_once(bytes: &[u8], region: Range<usize>, pattern: &[u8]) -> usize {
    let found: Vec<usize> = (region.start..region.end - pattern.len())
        .filter(|&i| bytes[i..].starts_with(pattern))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{pattern:02x?} occurs {} times",
        found.len()
    );
    found[0]
}

/// A copy of `file`, named `name`, with the bytes from `at` bytes into the one occurrence of
/// `pattern` within `region` replaced by `with` (as many bytes: nothing else moves).
fn patched(
    file: &Path,
    name: &str,
    region: impl Fn(&[u8]) -> Range<usize>,
    pattern: &[u8],
    at: usize,
    with: &[u8],
) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    let start = find_once(&bytes, region(&bytes), pattern) + at;
    bytes[start..start + with.len()].copy_from_slice(with);
    let out = file.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// `labelcheck diff FILE --all --format json`: the report, checked against the schema.
fn diff(file: &Path) -> serde_json::Value {
    diff_with(file, &["--all"])
}

/// `labelcheck diff FILE --format json` with more arguments, as [`diff`].
fn diff_with(file: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["diff", file.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let output = run(args);
    assert_ne!(code(&output), 2, "{}", stderr(&output));
    let report = json(&output);
    assert_valid(&report);
    for column in report["files"][0]["columns"].as_array().unwrap() {
        assert_eq!(column["status"], "agree", "{report}");
    }
    report
}

/// The findings of the report's first file, as (column, row group, page, message).
fn findings(report: &serde_json::Value) -> Vec<(String, u64, Option<u64>, String)> {
    report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["kind"], "stats", "{f}");
            (
                f["column"].as_str().unwrap().to_owned(),
                f["row_group"].as_u64().unwrap(),
                f["page"].as_u64(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `labels`' chunk definition level histogram in the footer: a list<i64> of 4 (`0x46`), the
/// zigzag counts 25, 25, 25, 50.
const LABELS_CHUNK_DEFINITION: &[u8] = &[0x46, 0x32, 0x32, 0x32, 0x64];

/// `labels`' column index definition level histograms: a list<i64> of 16 (`0xf6 0x10`), pages
/// of 32, 32, 32 and 4 rows: 8, 8, 8, 16 three times, then 1, 1, 1, 2.
const LABELS_PAGE_DEFINITIONS: &[u8] = &[
    0xf6, 0x10, 0x10, 0x10, 0x10, 0x20, 0x10, 0x10, 0x10, 0x20, 0x10, 0x10, 0x10, 0x20, 0x02, 0x02,
    0x02, 0x04,
];

#[test]
fn histograms_and_null_counts_that_agree_raise_no_finding() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    let report = diff(&file);
    assert_eq!(findings(&report), []);
    // The histograms are there to check: the patterns the other tests change are in place.
    let bytes = std::fs::read(&file).unwrap();
    let holds = |pattern: &[u8]| bytes.windows(pattern.len()).any(|w| w == pattern);
    assert!(holds(LABELS_CHUNK_DEFINITION) && holds(LABELS_PAGE_DEFINITIONS));
}

#[test]
fn a_chunk_histogram_that_disagrees_is_a_finding_naming_row_group_and_level() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    // 50 entries at definition level 3 claimed as 51.
    let file = patched(
        &file,
        "chunk.parquet",
        footer,
        LABELS_CHUNK_DEFINITION,
        4,
        &[0x66],
    );
    let report = diff(&file);
    assert_eq!(
        findings(&report),
        [(
            "labels".to_owned(),
            0,
            None,
            "column \"labels\", row group 0: SizeStatistics: the definition level histogram counts 51 entries at definition level 3, the chunk holds 50 (1 of 4 levels differ: claimed [25, 25, 25, 51], held [25, 25, 25, 50])".to_owned()
        )]
    );
}

#[test]
fn a_page_histogram_that_disagrees_is_a_finding_naming_the_page_and_level() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    // Page 1's 8 entries at definition level 0 claimed as 9.
    let file = patched(
        &file,
        "page.parquet",
        |b| 0..b.len(),
        LABELS_PAGE_DEFINITIONS,
        6,
        &[0x12],
    );
    let report = diff(&file);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    let (column, row_group, page, message) = &found[0];
    assert_eq!((column.as_str(), *row_group, *page), ("labels", 0, Some(1)));
    assert!(
        message.ends_with(
            "the column index: the definition level histogram counts 9 entries at definition level 0, the page holds 8 (1 of 4 levels differ: claimed [9, 8, 8, 16], held [8, 8, 8, 16])"
        ),
        "{message}"
    );
}

#[test]
fn a_repeated_columns_null_count_may_count_entries_or_null_elements_and_nothing_else() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    // `labels`' statistics: null_count (field 3, i64, after field 2) 75, zigzag 150. It is
    // the first chunk's: its statistics come before `meta.tags`' 75.
    let null_count: &[u8] = &[0x16, 0x96, 0x01];
    let in_labels = |bytes: &[u8]| {
        let footer = footer(bytes);
        let first = (footer.clone())
            .find(|&i| bytes[i..].starts_with(null_count))
            .unwrap();
        first..first + null_count.len() + 1
    };
    // 25, only the null elements, as parquet-cpp counted before PARQUET-2067: zigzag 50 as a
    // two-byte varint (0xb2 0x00), so that nothing moves.
    let elements = patched(
        &file,
        "elements.parquet",
        in_labels,
        null_count,
        1,
        &[0xb2, 0x00],
    );
    assert_eq!(findings(&diff(&elements)), []);
    // 74: neither count.
    let wrong = patched(&file, "wrong.parquet", in_labels, null_count, 1, &[0x94]);
    assert_eq!(
        findings(&diff(&wrong)),
        [(
            "labels".to_owned(),
            0,
            None,
            "column \"labels\", row group 0: statistics claim 74 nulls, the chunk holds 75 level entries without a value (25 of them null elements)".to_owned()
        )]
    );
}

#[test]
fn page_bounds_of_a_list_column_wait_for_the_values_of_a_row_held_for_the_next_window() {
    let dir = temp_dir();
    let file = write_file(dir.path());
    // `labels`' column index max_values, pages 1 to 3: 16, 24, 25 (4-byte INT32 each). Page
    // 1's max claimed as 15: its largest value, 16, is in its last row, [15, 16].
    let pattern: &[u8] = &[0x04, 0x10, 0, 0, 0, 0x04, 0x18, 0, 0, 0, 0x04, 0x19];
    let file = patched(&file, "max.parquet", |b| 0..b.len(), pattern, 1, &[0x0f]);
    // One window per page: the raw path holds a page's last row back (a list may continue on
    // the next page), so page 1's last values come with the next window.
    for window in ["1", "1000000"] {
        let found = findings(&diff_with(&file, &["--all", "--window-rows", window]));
        assert_eq!(found.len(), 1, "--window-rows {window}: {found:?}");
        let (column, row_group, page, message) = &found[0];
        assert_eq!((column.as_str(), *row_group, *page), ("labels", 0, Some(1)));
        assert!(
            message.ends_with("the column index claim max 15, but the values include 16; an engine that prunes by these statistics would skip rows that hold it"),
            "{message}"
        );
    }
}

/// Writes `objects: list<struct<category: int64, bbox: list<double>>>`, 100 rows in pages of
/// 32 rows, no dictionary; every 4 rows are `[{3, [0.5, null]}, null, {null, []}]`, null,
/// `[]`, `[{3, null}]`. So each 4 rows of `objects.list.element.bbox.list.element` (maximum
/// definition level 6, repetition level 2) hold one level entry at each definition level
/// 0..=6, and repetition levels 0, 1, 2 four, two and one times.
fn write_detection(dir: &Path) -> PathBuf {
    let cycles = (ROWS / 4) as usize;
    let repeat = |items: &[bool]| -> Vec<bool> { items.repeat(cycles) };
    let category = Int64Array::from([Some(3), None, None, Some(3)].repeat(cycles));
    let boxes = [Some(vec![Some(0.5), None]), None, Some(vec![]), None];
    let bbox = ListArray::from_iter_primitive::<Float64Type, _, _>(
        (0..cycles).flat_map(|_| boxes.clone()),
    );
    let object = StructArray::new(
        Fields::from(vec![
            Field::new("category", DataType::Int64, true),
            Field::new("bbox", bbox.data_type().clone(), true),
        ]),
        vec![Arc::new(category) as ArrayRef, Arc::new(bbox)],
        Some(NullBuffer::from(repeat(&[true, false, true, true]))),
    );
    let objects = ListArray::new(
        Arc::new(Field::new("element", object.data_type().clone(), true)),
        OffsetBuffer::from_lengths([3, 0, 0, 1].repeat(cycles)),
        Arc::new(object),
        Some(NullBuffer::from(repeat(&[true, false, true, true]))),
    );
    let schema = Schema::new(vec![Field::new(
        "objects",
        objects.data_type().clone(),
        true,
    )]);
    let batch = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(objects)]).unwrap();
    let props = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_data_page_row_count_limit(20)
        .set_write_batch_size(20)
        .build();
    let path = dir.join("detection.parquet");
    common::write_batch(&path, &batch, Some(props));
    path
}

/// `objects.list.element.bbox.list.item`'s chunk definition level histogram in the footer: a
/// list<i64> of 7 (`0x76`), 25 at each level (zigzag 50).
const BBOX_CHUNK_DEFINITION: &[u8] = &[0x76, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32];

/// Its column index repetition level histograms: a list<i64> of 15 (`0xf6 0x0f`), five
/// pages' counts of levels 0, 1, 2: 22 12 6, 23 12 6, 24 12 6, 24 12 6, 7 2 1.
const BBOX_PAGE_REPETITIONS: &[u8] = &[
    0xf6, 0x0f, 0x2c, 0x18, 0x0c, 0x2e, 0x18, 0x0c, 0x30, 0x18, 0x0c, 0x30, 0x18, 0x0c, 0x0e, 0x04,
    0x02,
];

#[test]
fn a_leaf_under_two_lists_has_its_histograms_checked_level_by_level() {
    let dir = temp_dir();
    let file = write_detection(dir.path());
    // By its short form; the parquet crate names list elements `item`.
    let bbox = ["--columns", "objects.bbox"];
    let name = "objects.list.element.bbox.list.item";
    let report = diff_with(&file, &bbox);
    assert_eq!(report["files"][0]["columns"][0]["column"], name);
    assert_eq!(findings(&report), []);

    // The chunk's 25 entries at definition level 5 (a null coordinate) claimed as 26.
    let chunk = patched(
        &file,
        "chunk.parquet",
        footer,
        BBOX_CHUNK_DEFINITION,
        6,
        &[0x34],
    );
    assert_eq!(
        findings(&diff_with(&chunk, &bbox)),
        [(
            name.to_owned(),
            0,
            None,
            format!("column {name:?}, row group 0: SizeStatistics: the definition level histogram counts 26 entries at definition level 5, the chunk holds 25 (1 of 7 levels differ: claimed [25, 25, 25, 25, 25, 26, 25], held [25, 25, 25, 25, 25, 25, 25])")
        )]
    );

    // Page 2's 6 entries at repetition level 2 (a box's second coordinate) claimed as 7.
    let page = patched(
        &file,
        "page.parquet",
        |b| 0..b.len(),
        BBOX_PAGE_REPETITIONS,
        10,
        &[0x0e],
    );
    let found = findings(&diff_with(&page, &bbox));
    assert_eq!(found.len(), 1, "{found:?}");
    let (column, row_group, page, message) = &found[0];
    assert_eq!((column.as_str(), *row_group, *page), (name, 0, Some(2)));
    assert!(
        message.ends_with(
            "the column index: the repetition level histogram counts 7 entries at repetition level 2, the page holds 6 (1 of 3 levels differ: claimed [24, 12, 7], held [24, 12, 6])"
        ),
        "{message}"
    );

    // A list one count short (14, its last count replaced by the column index's stop byte,
    // which leaves out the definition histograms after it) and misaligned (page 1's first
    // count now wrong too): a finding for the chunk, not an error, and no page compared
    // against it.
    let mut short = BBOX_PAGE_REPETITIONS.to_vec();
    short[1] = 0x0e;
    short[5] = 0x2c;
    *short.last_mut().unwrap() = 0x00;
    let short = patched(
        &file,
        "short.parquet",
        |b| 0..b.len(),
        BBOX_PAGE_REPETITIONS,
        0,
        &short,
    );
    assert_eq!(
        findings(&diff_with(&short, &bbox)),
        [(
            name.to_owned(),
            0,
            None,
            format!("column {name:?}, row group 0: the column index's repetition level histograms hold 14 counts; 5 pages of levels 0..=2 need 15: not compared")
        )]
    );
}
