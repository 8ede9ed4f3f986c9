//! Deliberately faulty decoders in the raw path's seat, on a real nested file (detection
//! labels, `objects: list<struct<category: int64, bbox: list<double>>>`, several row groups
//! and pages): each fault a reader has shipped in nested columns — a repetition level put one
//! element off, an empty list read as null, the last element of a list lost at a page end —
//! is reported on the exact row, at the exact position in it, with both sides' rows.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, Fields};
use common::temp_dir;
use labelcheck::columns::{choose, ColumnChoice};
use labelcheck::decode::{ColumnDecoder, DecodeError, DecodeOptions, DecodedChunk, PageInfo};
use labelcheck::format::PageType;
use labelcheck::raw::RawFile;
use labelcheck::report::{Cell, ColumnStatus, Kind, Mismatch, Outcome, Report};
use labelcheck::source::LocalFile;
use labelcheck::value::{Bitmap, ColumnSlice, Values};
use labelcheck::witness_list::WitnessName;
use parquet::file::properties::WriterProperties;

const ARROW: &WitnessName = &WitnessName::ARROW;
const RAW: &WitnessName = &WitnessName::RAW;

const CATEGORY: &str = "objects.list.element.category";
const BBOX: &str = "objects.list.element.bbox.list.element";

/// Rows of the file and of each row group.
const ROWS: usize = 3_000;
const GROUP_ROWS: usize = 1_000;

/// One detected object.
#[derive(Clone, Debug, PartialEq)]
struct Object {
    category: Option<i64>,
    bbox: Option<Vec<Option<f64>>>,
}

/// One row: the objects, or null.
type Row = Option<Vec<Option<Object>>>;

/// Row `i` of the file: null and empty rows, null objects, null categories, null, empty and
/// short boxes with null coordinates, all mixed.
fn row(i: usize) -> Row {
    if i % 11 == 5 {
        return None;
    }
    if i % 13 == 7 {
        return Some(Vec::new());
    }
    let objects = (0..1 + i * 7 % 5)
        .map(|j| {
            if (i + j) % 9 == 4 {
                return None;
            }
            let category = ((i * 3 + j) % 7 != 2).then_some(((i + j) % 10) as i64);
            let bbox = match ((i + 2 * j) % 8, (i + j) % 6) {
                (3, _) => None,
                (_, 1) => Some(Vec::new()),
                _ => Some(
                    (0..1 + (i + j) % 4)
                        .map(|k| {
                            (!(i + j + k).is_multiple_of(5))
                                .then_some((i * 10 + j) as f64 + k as f64 * 0.25)
                        })
                        .collect(),
                ),
            };
            Some(Object { category, bbox })
        })
        .collect();
    Some(objects)
}

fn rows() -> Vec<Row> {
    (0..ROWS).map(row).collect()
}

/// Writes the rows with the parquet crate's ArrowWriter: row groups of 1,000 rows, data pages
/// of at most 50 rows.
fn write_detection(path: &Path, rows: &[Row]) {
    let objects: Vec<&Option<Object>> = rows.iter().flatten().flatten().collect();
    let coordinates: Vec<Option<f64>> = objects
        .iter()
        .filter_map(|o| o.as_ref()?.bbox.as_ref())
        .flatten()
        .copied()
        .collect();
    let bbox_field = Arc::new(Field::new("element", DataType::Float64, true));
    let bbox = ListArray::new(
        bbox_field.clone(),
        OffsetBuffer::from_lengths(
            objects
                .iter()
                .map(|o| o.as_ref().and_then(|o| o.bbox.as_ref()).map_or(0, Vec::len)),
        ),
        Arc::new(Float64Array::from(coordinates)),
        Some(NullBuffer::from_iter(
            objects
                .iter()
                .map(|o| o.as_ref().is_some_and(|o| o.bbox.is_some())),
        )),
    );
    let category =
        Int64Array::from_iter(objects.iter().map(|o| o.as_ref().and_then(|o| o.category)));
    let fields = Fields::from(vec![
        Field::new("category", DataType::Int64, true),
        Field::new("bbox", DataType::List(bbox_field), true),
    ]);
    let element = StructArray::new(
        fields.clone(),
        vec![Arc::new(category) as ArrayRef, Arc::new(bbox)],
        Some(NullBuffer::from_iter(objects.iter().map(|o| o.is_some()))),
    );
    let element_field = Arc::new(Field::new("element", DataType::Struct(fields), true));
    let objects = ListArray::new(
        element_field,
        OffsetBuffer::from_lengths(rows.iter().map(|r| r.as_ref().map_or(0, Vec::len))),
        Arc::new(element),
        Some(NullBuffer::from_iter(rows.iter().map(Option::is_some))),
    );
    let batch = RecordBatch::try_from_iter([("objects", Arc::new(objects) as ArrayRef)]).unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(GROUP_ROWS))
        .set_data_page_row_count_limit(50)
        .set_write_batch_size(10)
        .set_dictionary_enabled(false)
        .build();
    common::write_batch(path, &batch, Some(properties));
}

struct Setup {
    _dir: tempfile::TempDir,
    path: PathBuf,
    rows: Vec<Row>,
}

fn setup() -> Setup {
    let dir = temp_dir();
    let path = dir.path().join("detection.parquet");
    let rows = rows();
    write_detection(&path, &rows);
    Setup {
        _dir: dir,
        path,
        rows,
    }
}

/// The raw path's decoded chunk of `column` in `row_group`, for its page map.
fn raw_chunk(path: &Path, column: &str, row_group: usize) -> DecodedChunk {
    let source = Arc::new(LocalFile::open(path).unwrap());
    let raw = RawFile::open(source, DecodeOptions::default()).unwrap();
    let (columns, _) = choose(raw.leaves(), &ColumnChoice::Named(vec![column.into()])).unwrap();
    raw.decode(row_group, columns[0].leaf).unwrap()
}

/// What a faulty decoder does to the levels of one row group's slice.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// The repetition level of the last element of object `object`'s bbox in row `row` says
    /// "continue the next object" instead: that element moves to the next object's bbox (the
    /// inner offset between them falls by one).
    MisplacedRepetition { row: usize, object: usize },
    /// The empty list at `row` (objects, when `object` is `None`) or at the bbox of object
    /// `object` is read as null, or the null one as empty.
    SwapEmptyAndNull { row: usize, object: Option<usize> },
    /// The last level entry of data page `page` (a coordinate: the last element of a bbox) is
    /// lost.
    DropLastOfPage { page: usize },
}

/// The raw decoder with `fault` injected in `row_group`.
struct Faulty {
    inner: RawFile,
    row_group: usize,
    fault: Fault,
}

impl ColumnDecoder for Faulty {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        let mut chunk = self.inner.decode(row_group, leaf)?;
        if row_group == self.row_group {
            inject(&mut chunk.slice, &chunk.pages, self.fault);
            chunk
                .slice
                .check_shape()
                .expect("the fault keeps the shape whole");
        }
        Ok(chunk)
    }
}

fn inject(slice: &mut ColumnSlice, pages: &[PageInfo], fault: Fault) {
    match fault {
        Fault::MisplacedRepetition { row, object } => {
            let item = slice.starts_of_row(row)[1] + object;
            let inner = &mut slice.lists[1];
            assert!(!inner.children(item).is_empty() && inner.validity.get(item + 1));
            inner.offsets[item + 1] -= 1;
        }
        Fault::SwapEmptyAndNull { row, object } => {
            let (level, item) = match object {
                None => (0, row),
                Some(object) => (1, slice.starts_of_row(row)[1] + object),
            };
            let shape = &mut slice.lists[level];
            assert!(
                shape.children(item).is_empty(),
                "only an empty or null list"
            );
            let mut bits: Vec<bool> = shape.validity.iter().collect();
            bits[item] = !bits[item];
            shape.validity = Bitmap::new();
            shape.validity.extend_from_bools(bits);
        }
        Fault::DropLastOfPage { page } => {
            let page = pages.iter().find(|p| p.index == page).expect("the page");
            let slot = *slice
                .starts_of_row(page.first_row + page.rows)
                .last()
                .unwrap()
                - 1;
            let value = slice.validity.count_ones_in(0..slot);
            let valid = slice.validity.get(slot);
            let mut bits: Vec<bool> = slice.validity.iter().collect();
            bits.remove(slot);
            slice.validity = Bitmap::new();
            slice.validity.extend_from_bools(bits);
            if valid {
                let Values::Double(values) = &mut slice.values else {
                    panic!("the bbox leaf holds doubles")
                };
                values.remove(value);
            }
            let innermost = slice.lists.last_mut().unwrap();
            for offset in innermost.offsets.iter_mut().filter(|o| **o > slot) {
                *offset -= 1;
            }
        }
    }
}

fn check(setup: &Setup, column: &str, row_group: usize, fault: Fault) -> Report {
    common::check_with_raw(&setup.path, column, 100, |inner| Faulty {
        inner,
        row_group,
        fault,
    })
}

/// The one mismatch of `report`, after checking that it is the only one and on `row`.
fn single(report: &Report, row: usize) -> Mismatch {
    assert_eq!(report.outcome(), Outcome::Disagree);
    assert_eq!(report.summary.exit_code, 1);
    let file = &report.files[0];
    let column = &file.columns[0];
    assert_eq!(column.status, ColumnStatus::Mismatch);
    assert_eq!(column.mismatches, 1, "{:#?}", file.mismatches);
    assert_ne!(column.digests.get(ARROW), column.digests.get(RAW));
    let m = file.mismatches[0].clone();
    assert_eq!(m.row, row as u64);
    assert_eq!(m.row_group, row / GROUP_ROWS);
    assert_eq!(m.row_in_group, (row % GROUP_ROWS) as u64);
    m
}

fn float(v: Option<f64>) -> Cell {
    v.map_or(Cell::Null, Cell::Float)
}

/// The report cell of a row of the bbox leaf: objects, each its coordinates.
fn bbox_cell(row: &Row) -> Cell {
    let Some(objects) = row else {
        return Cell::Null;
    };
    Cell::List(
        objects
            .iter()
            .map(|o| match o.as_ref().and_then(|o| o.bbox.as_ref()) {
                None => Cell::Null,
                Some(bbox) => Cell::List(bbox.iter().copied().map(float).collect()),
            })
            .collect(),
    )
}

/// The report cell of a row of the category leaf.
fn category_cell(row: &Row) -> Cell {
    let Some(objects) = row else {
        return Cell::Null;
    };
    Cell::List(
        objects
            .iter()
            .map(|o| {
                o.as_ref()
                    .and_then(|o| o.category)
                    .map_or(Cell::Null, Cell::Int)
            })
            .collect(),
    )
}

/// The bbox of object `j` of `row`, which the test picked because it has one.
fn bbox_mut(row: &mut Row, j: usize) -> &mut Vec<Option<f64>> {
    row.as_mut().unwrap()[j]
        .as_mut()
        .unwrap()
        .bbox
        .as_mut()
        .unwrap()
}

fn bbox_of(row: &Row, j: usize) -> Option<&Vec<Option<f64>>> {
    row.as_ref()?.get(j)?.as_ref()?.bbox.as_ref()
}

#[test]
fn the_file_has_the_shape_the_faults_need() {
    let setup = setup();
    for rg in 0..ROWS / GROUP_ROWS {
        let chunk = raw_chunk(&setup.path, BBOX, rg);
        let data_pages = chunk
            .pages
            .iter()
            .filter(|p| p.page_type != PageType::DictionaryPage)
            .count();
        assert!(data_pages >= 10, "row group {rg}: {data_pages} pages");
        assert_eq!(chunk.slice.rows, GROUP_ROWS);
    }
    let output = common::run(["diff", setup.path.to_str().unwrap(), "--all"]);
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
}

#[test]
fn a_misplaced_repetition_level_is_a_count_at_the_inner_list() {
    let setup = setup();
    // In row group 1, the first row from 1,437 on whose object j (not the first, so that the
    // position counts objects) has a non-empty bbox and whose object j + 1 has a bbox to
    // receive the element.
    let (row, object) = (1_437..2_000)
        .find_map(|i| {
            let r = &setup.rows[i];
            (1..r.as_ref()?.len().saturating_sub(1)).find_map(|j| {
                let has =
                    bbox_of(r, j).is_some_and(|b| !b.is_empty()) && bbox_of(r, j + 1).is_some();
                has.then_some((i, j))
            })
        })
        .unwrap();
    let fault = Fault::MisplacedRepetition {
        row: row - GROUP_ROWS,
        object,
    };
    let report = check(&setup, BBOX, 1, fault);
    let m = single(&report, row);
    assert_eq!(m.kind, Kind::Count);
    assert_eq!(
        m.position.as_deref(),
        Some(&*format!("objects[{object}].bbox"))
    );
    let truth = &setup.rows[row];
    let mut misread = truth.clone();
    let moved = bbox_mut(&mut misread, object).pop().unwrap();
    bbox_mut(&mut misread, object + 1).insert(0, moved);
    assert_eq!(m.values.get(ARROW), Some(&bbox_cell(truth)), "{m:?}");
    assert_eq!(m.values.get(RAW), Some(&bbox_cell(&misread)), "{m:?}");

    // Served a few rows at a time, the report is the same.
    let json =
        |report: &Report| serde_json::to_value(report).unwrap()["files"][0]["mismatches"].clone();
    for window_rows in [1, 7, 64] {
        let windowed =
            common::check_with_raw_windowed(&setup.path, BBOX, 100, window_rows, |inner| Faulty {
                inner,
                row_group: 1,
                fault,
            });
        assert_eq!(json(&windowed), json(&report), "window {window_rows}");
    }
}

#[test]
fn a_null_row_read_as_empty_is_empty_null_at_the_row() {
    let setup = setup();
    let row = (2_000..ROWS).find(|&i| setup.rows[i].is_none()).unwrap();
    let fault = Fault::SwapEmptyAndNull {
        row: row - 2 * GROUP_ROWS,
        object: None,
    };
    let m = single(&check(&setup, CATEGORY, 2, fault), row);
    assert_eq!(m.kind, Kind::EmptyNull);
    assert_eq!(m.position.as_deref(), Some("objects"));
    assert_eq!(m.values.get(ARROW), Some(&category_cell(&None)));
    assert_eq!(m.values.get(RAW), Some(&category_cell(&Some(Vec::new()))));
}

#[test]
fn an_empty_inner_list_read_as_null_is_empty_null_at_its_object() {
    let setup = setup();
    let (row, object) = (150..GROUP_ROWS)
        .find_map(|i| {
            let r = &setup.rows[i];
            // Not the first object, so that the position counts objects.
            (1..r.as_ref()?.len()).find_map(|j| (bbox_of(r, j)?.is_empty()).then_some((i, j)))
        })
        .unwrap();
    let fault = Fault::SwapEmptyAndNull {
        row,
        object: Some(object),
    };
    let m = single(&check(&setup, BBOX, 0, fault), row);
    assert_eq!(m.kind, Kind::EmptyNull);
    assert_eq!(
        m.position.as_deref(),
        Some(&*format!("objects[{object}].bbox"))
    );
    let truth = &setup.rows[row];
    let mut misread = truth.clone();
    misread.as_mut().unwrap()[object].as_mut().unwrap().bbox = None;
    assert_eq!(m.values.get(ARROW), Some(&bbox_cell(truth)));
    assert_eq!(m.values.get(RAW), Some(&bbox_cell(&misread)));
    assert_ne!(bbox_cell(truth), bbox_cell(&misread));
}

#[test]
fn the_last_element_of_a_list_lost_at_a_page_end_is_a_count_on_the_pages_last_row() {
    let setup = setup();
    let row_group = 1;
    let chunk = raw_chunk(&setup.path, BBOX, row_group);
    // A data page after the first few whose last row ends in a coordinate: its last object
    // (not its first) has a non-empty bbox.
    let page = chunk
        .pages
        .iter()
        .filter(|p| p.page_type != PageType::DictionaryPage && p.rows > 0)
        .skip(3)
        .find(|p| {
            let last = &setup.rows[row_group * GROUP_ROWS + p.first_row + p.rows - 1];
            last.as_ref()
                .filter(|objects| objects.len() > 1)
                .and_then(|objects| bbox_of(last, objects.len() - 1))
                .is_some_and(|b| !b.is_empty())
        })
        .unwrap();
    let row = row_group * GROUP_ROWS + page.first_row + page.rows - 1;
    let m = single(
        &check(
            &setup,
            BBOX,
            row_group,
            Fault::DropLastOfPage { page: page.index },
        ),
        row,
    );
    let truth = &setup.rows[row];
    let last = truth.as_ref().unwrap().len() - 1;
    assert_eq!(m.kind, Kind::Count);
    assert_eq!(
        m.position.as_deref(),
        Some(&*format!("objects[{last}].bbox"))
    );
    assert_eq!(m.page, Some(page.index));
    let mut misread = truth.clone();
    bbox_mut(&mut misread, last).pop();
    assert_eq!(m.values.get(ARROW), Some(&bbox_cell(truth)));
    assert_eq!(m.values.get(RAW), Some(&bbox_cell(&misread)));
    // The category leaf of the same row is untouched: the fault is in one leaf's levels.
    let clean = common::check_with_raw(&setup.path, CATEGORY, 100, |inner| inner);
    assert_eq!(clean.outcome(), Outcome::Agree);
}
