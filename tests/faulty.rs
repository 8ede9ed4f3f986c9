//! A deliberately faulty decoder in the raw path's seat proves that each kind of disagreement
//! is reported with the right row, row group, page and kind, and makes the run exit 1.

mod common;

use std::sync::Arc;

use common::fixtures::{write_labels, Spec};
use common::temp_dir;
use labelcheck::columns::{choose, ColumnChoice};
use labelcheck::decode::DecodeOptions;
use labelcheck::decode::{ColumnDecoder, DecodeError, DecodedChunk};
use labelcheck::raw::RawFile;
use labelcheck::report::{
    writer, Cell, ColumnReport, Format, Kind, Mismatch, Outcome, Report, WriterOptions,
};
use labelcheck::source::LocalFile;
use labelcheck::value::{Bitmap, ByteArrays, ColumnSlice, Values};
use labelcheck::witness_list::{ByWitness, WitnessName};

const ARROW: &WitnessName = &WitnessName::ARROW;
const RAW: &WitnessName = &WitnessName::RAW;

/// The value `witness` gave in mismatch `m`; `None` when it has no such row.
fn value<'m>(m: &'m Mismatch, witness: &WitnessName) -> Option<&'m Cell> {
    m.values.get(witness)
}

/// The column digest of `witness`; `None` when it has none.
fn digest<'c>(column: &'c ColumnReport, witness: &WitnessName) -> Option<&'c String> {
    column.digests.get(witness)?.as_ref()
}

/// What the faulty decoder does to one row of one row group.
#[derive(Clone, Copy)]
enum Fault {
    /// Invert the value (booleans) or swap 0 and 1.
    Flip,
    /// Add 7 to an integer.
    Change,
    /// Make the row null.
    Nullify,
    /// Drop every row from this one on.
    Truncate,
}

/// The raw decoder with one fault injected at (row group, row within it).
struct Faulty {
    inner: RawFile,
    row_group: usize,
    row: usize,
    fault: Fault,
}

impl ColumnDecoder for Faulty {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        let mut chunk = self.inner.decode(row_group, leaf)?;
        if row_group == self.row_group {
            chunk.slice = inject(&chunk.slice, self.row, self.fault);
        }
        Ok(chunk)
    }
}

/// Rebuilds `slice` with the fault applied at `row`.
fn inject(slice: &ColumnSlice, row: usize, fault: Fault) -> ColumnSlice {
    let mut out = ColumnSlice::empty(slice.values.physical_type(), 0);
    let mut value = 0;
    for r in 0..slice.rows {
        let valid = slice.validity.get(r);
        if matches!(fault, Fault::Truncate) && r >= row {
            break;
        }
        out.rows += 1;
        let faulty = r == row;
        if faulty && matches!(fault, Fault::Nullify) {
            assert!(valid, "the fault needs a non-null row");
            out.validity.push(false);
            value += 1;
            continue;
        }
        out.validity.push(valid);
        if valid {
            match (&slice.values, &mut out.values) {
                (Values::Boolean(v), Values::Boolean(o)) => {
                    o.push(v.get(value) ^ (faulty && matches!(fault, Fault::Flip)))
                }
                (Values::Int32(v), Values::Int32(o)) => o.push(match (faulty, fault) {
                    (true, Fault::Flip) => 1 - v[value],
                    (true, Fault::Change) => v[value] + 7,
                    _ => v[value],
                }),
                (other, _) => panic!(
                    "fault tests use booleans and int32, not {:?}",
                    other.physical_type()
                ),
            }
            value += 1;
        }
    }
    if out.rows == 0 {
        out.validity = Bitmap::new();
    }
    out
}

struct Setup {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn setup() -> Setup {
    let dir = temp_dir();
    let path = dir.path().join("labels.parquet");
    // 3 row groups of 400 rows, pages of 37 rows.
    write_labels(&path, &Spec::default());
    Setup { _dir: dir, path }
}

fn run_with(setup: &Setup, column: &str, fault: Fault, row_group: usize, row: usize) -> Report {
    common::check_with_raw(&setup.path, column, 100, |inner| Faulty {
        inner,
        row_group,
        row,
        fault,
    })
}

/// The first non-null row at or after `from` in row group `rg` of `column`.
fn non_null_row(setup: &Setup, column: &str, rg: usize, from: usize) -> usize {
    let source = Arc::new(LocalFile::open(&setup.path).unwrap());
    let raw = RawFile::open(source, DecodeOptions::default()).unwrap();
    let (columns, _) = choose(raw.leaves(), &ColumnChoice::Named(vec![column.into()])).unwrap();
    let chunk = raw.decode(rg, columns[0].leaf).unwrap();
    (from..chunk.slice.rows)
        .find(|&r| chunk.slice.validity.get(r))
        .unwrap()
}

/// Checks the one reported mismatch: kind, rows, and the page the raw path read it from.
fn assert_single(
    report: &Report,
    kind: Kind,
    row_group: usize,
    row_in_group: usize,
) -> labelcheck::report::Mismatch {
    assert_eq!(report.outcome(), Outcome::Disagree);
    assert_eq!(report.summary.exit_code, 1);
    let file = &report.files[0];
    assert_eq!(file.mismatches.len(), 1, "{:?}", file.mismatches);
    let m = file.mismatches[0].clone();
    assert_eq!(m.kind, kind);
    assert_eq!(m.row_group, row_group);
    assert_eq!(m.row_in_group, row_in_group as u64);
    assert_eq!(m.row, (row_group * 400 + row_in_group) as u64);
    // Pages hold 37 rows; a dictionary page (if any) comes first in the chunk.
    let column = &file.columns[0];
    assert_eq!(column.mismatches, 1);
    assert_eq!(column.status, labelcheck::report::ColumnStatus::Mismatch);
    assert_ne!(digest(column, ARROW), digest(column, RAW));
    assert_eq!(column.differing_blocks.len(), 1);
    assert!(m.page.is_some() && m.page_offset.is_some(), "{m:?}");
    m
}

#[test]
fn a_flipped_boolean_is_a_flip_with_its_page() {
    let setup = setup();
    let row = non_null_row(&setup, "label", 1, 80);
    let report = run_with(&setup, "label", Fault::Flip, 1, row);
    let m = assert_single(&report, Kind::Flip, 1, row);
    // Booleans are PLAIN (no dictionary page), so page k holds rows 37k..37k+36.
    assert_eq!(m.page, Some(row / 37));
    let (Some(Cell::Bool(a)), Some(Cell::Bool(r))) = (value(&m, ARROW), value(&m, RAW)) else {
        panic!("{m:?}")
    };
    assert_ne!(a, r);
}

#[test]
fn page_offsets_point_at_page_headers_in_the_file() {
    let setup = setup();
    let early = non_null_row(&setup, "label", 2, 0);
    let late = non_null_row(&setup, "label", 2, 150);
    let first = assert_single(
        &run_with(&setup, "label", Fault::Flip, 2, early),
        Kind::Flip,
        2,
        early,
    );
    let second = assert_single(
        &run_with(&setup, "label", Fault::Flip, 2, late),
        Kind::Flip,
        2,
        late,
    );
    assert!(second.page > first.page);
    assert!(second.page_offset > first.page_offset);
    let bytes = std::fs::read(&setup.path).unwrap();
    assert!((second.page_offset.unwrap() as usize) < bytes.len());
}

#[test]
fn an_integer_swapped_between_zero_and_one_is_a_flip() {
    let setup = setup();
    let source = Arc::new(LocalFile::open(&setup.path).unwrap());
    let raw = RawFile::open(source, DecodeOptions::default()).unwrap();
    let (columns, _) =
        choose(raw.leaves(), &ColumnChoice::Named(vec!["label_i32".into()])).unwrap();
    let chunk = raw.decode(0, columns[0].leaf).unwrap();
    let Values::Int32(values) = &chunk.slice.values else {
        unreachable!("label_i32 holds INT32 values")
    };
    // The first non-null row whose label is 0 or 1.
    let mut value = 0;
    let row = (0..chunk.slice.rows)
        .find(|&r| {
            let valid = chunk.slice.validity.get(r);
            let found = valid && values[value] <= 1;
            value += usize::from(valid);
            found
        })
        .unwrap();
    let report = run_with(&setup, "label_i32", Fault::Flip, 0, row);
    assert_single(&report, Kind::Flip, 0, row);
}

#[test]
fn a_changed_value_is_a_value_mismatch() {
    let setup = setup();
    let row = non_null_row(&setup, "label_i32", 2, 150);
    let report = run_with(&setup, "label_i32", Fault::Change, 2, row);
    let m = assert_single(&report, Kind::Value, 2, row);
    let (Some(Cell::Int(a)), Some(Cell::Int(r))) = (value(&m, ARROW), value(&m, RAW)) else {
        panic!("{m:?}")
    };
    assert_eq!(r - a, 7);
}

#[test]
fn a_value_turned_null_is_a_null_mismatch() {
    let setup = setup();
    let row = non_null_row(&setup, "label", 0, 10);
    let report = run_with(&setup, "label", Fault::Nullify, 0, row);
    let m = assert_single(&report, Kind::Null, 0, row);
    assert_eq!(value(&m, RAW), Some(&Cell::Null));
    assert!(matches!(value(&m, ARROW), Some(Cell::Bool(_))));
}

#[test]
fn a_short_column_is_missing_rows_counted_exactly() {
    let setup = setup();
    let report = run_with(&setup, "label", Fault::Truncate, 1, 390);
    assert_eq!(report.outcome(), Outcome::Disagree);
    let file = &report.files[0];
    assert_eq!(file.columns[0].mismatch_kinds.missing, 10);
    assert_eq!(file.columns[0].mismatches, 10);
    let first = &file.mismatches[0];
    assert_eq!(
        (first.kind, first.row, first.row_group, first.row_in_group),
        (Kind::Missing, 790, 1, 390)
    );
    // The raw path has no such row: its value is left out.
    assert_eq!(value(first, RAW), None);
    assert_eq!(file.mismatches.len(), 10);

    // The JSON leaves the missing row out, and a report read back has it missing again, not
    // null: each format renders the same from it.
    let json = String::from_utf8(rendered(&report, Format::Json)).unwrap();
    let values = &serde_json::from_str::<serde_json::Value>(&json).unwrap()["files"][0]
        ["mismatches"][0]["values"];
    assert!(
        values.get("raw").is_none() && values.get("arrow").is_some(),
        "{values}"
    );
    let read = Report::read(&json).unwrap();
    assert_eq!(value(&read.files[0].mismatches[0], RAW), None);
    for format in [
        Format::Json,
        Format::Text,
        Format::Csv,
        Format::Junit,
        Format::Html,
    ] {
        assert_eq!(
            rendered(&read, format),
            rendered(&report, format),
            "{format:?}"
        );
    }
}

/// `report` rendered in `format`.
fn rendered(report: &Report, format: Format) -> Vec<u8> {
    let options = WriterOptions {
        fail_on: report.summary.fail_on,
        color: false,
    };
    let mut out = Vec::new();
    labelcheck::report::write(report, writer(format, options).as_mut(), &mut out).unwrap();
    out
}

/// The raw decoder with the first entry of a string column's dictionary misread: the keys
/// are right, the dictionary is not.
struct WrongDictionaryEntry {
    inner: RawFile,
}

impl ColumnDecoder for WrongDictionaryEntry {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        let mut chunk = self.inner.decode(row_group, leaf)?;
        let Values::ByteArray(strings) = &chunk.slice.values else {
            panic!("a string column")
        };
        let (dictionary, keys) = strings
            .keyed()
            .expect("dictionary-encoded strings stay keyed");
        let mut misread = ByteArrays::new();
        misread.push(b"not a label");
        dictionary
            .iter()
            .skip(1)
            .for_each(|entry| misread.push(entry));
        let mut values = ByteArrays::new();
        values.extend_from_keys(&Arc::new(misread), keys);
        chunk.slice.values = Values::ByteArray(values);
        Ok(chunk)
    }
}

#[test]
fn a_misread_dictionary_entry_is_a_mismatch_on_every_row_that_uses_it() {
    let setup = setup();
    let source = Arc::new(LocalFile::open(&setup.path).unwrap());
    let raw = RawFile::open(source, DecodeOptions::default()).unwrap();
    let (columns, _) =
        choose(raw.leaves(), &ColumnChoice::Named(vec!["label_str".into()])).unwrap();
    let expected: usize = (0..raw.metadata().row_groups.len())
        .map(|rg| {
            let chunk = raw.decode(rg, columns[0].leaf).unwrap();
            let Values::ByteArray(strings) = &chunk.slice.values else {
                unreachable!()
            };
            let (_, keys) = strings.keyed().unwrap();
            keys.iter().filter(|&&k| k == 0).count()
        })
        .sum();
    assert!(expected > 0);

    let report = common::check_with_raw(&setup.path, "label_str", 10, |inner| {
        WrongDictionaryEntry { inner }
    });
    assert_eq!(report.outcome(), Outcome::Disagree);
    assert_eq!(report.summary.mismatches, expected as u64);
    let m = &report.files[0].mismatches[0];
    assert_eq!(m.kind, Kind::Value);
    assert_eq!(
        value(m, RAW),
        Some(&Cell::Text("not a label".into())),
        "{m:?}"
    );
    // The two paths' digests differ, though both saw the same keys.
    let column = &report.files[0].columns[0];
    assert_ne!(digest(column, ARROW), digest(column, RAW));
}

/// Windows of a few rows put every fault at a different place in its window (first, last,
/// across a page that spans windows): the report must not change, only the memory.
#[test]
fn small_windows_report_the_same_rows_pages_and_digests() {
    let setup = setup();
    for (column, fault) in [("label", Fault::Flip), ("label_i32", Fault::Change)] {
        for (row_group, from) in [(0, 0), (1, 36), (1, 37), (2, 150)] {
            let row = non_null_row(&setup, column, row_group, from);
            let report = |window_rows| {
                let report = common::check_with_raw_windowed(
                    &setup.path,
                    column,
                    100,
                    window_rows,
                    |inner| Faulty {
                        inner,
                        row_group,
                        row,
                        fault,
                    },
                );
                let json = serde_json::to_value(&report).unwrap();
                (
                    json["files"][0]["mismatches"].clone(),
                    json["files"][0]["columns"].clone(),
                )
            };
            let whole = report(1 << 20);
            assert_eq!(whole.0.as_array().unwrap().len(), 1, "{whole:?}");
            for window_rows in [1, 5, 37, 64] {
                assert_eq!(
                    report(window_rows),
                    whole,
                    "{column}, row group {row_group}, row {row}, window {window_rows}"
                );
            }
        }
    }
}

/// A fourth witness joins the list without a change to the check: a decoder named `faulty`
/// beside the arrow and raw paths, flipping one value. The report must name it, key its
/// digest and its value by its name, and fail the run, while arrow and raw agree.
#[test]
fn a_further_faulty_witness_is_reported_by_its_name() {
    use labelcheck::arrow_path::ArrowFile;
    use labelcheck::check::{check_with, CheckOptions, FileFacts, FileToCheck, Witness};
    use labelcheck::report::FailOn;

    let setup = setup();
    let row = non_null_row(&setup, "label", 1, 80);
    let source = Arc::new(LocalFile::open(&setup.path).unwrap());
    let arrow = ArrowFile::open(source.clone()).unwrap();
    let raw = RawFile::open(source.clone(), DecodeOptions::default()).unwrap();
    let faulty = Faulty {
        inner: RawFile::open(source, DecodeOptions::default()).unwrap(),
        row_group: 1,
        row,
        fault: Fault::Flip,
    };
    let facts = FileFacts::of(raw.metadata());
    let (columns, selection) =
        choose(raw.leaves(), &ColumnChoice::Named(vec!["label".into()])).unwrap();
    let name = WitnessName::new("faulty");
    let witnesses = [
        Witness::arrow(&arrow),
        Witness::raw(&raw),
        Witness::decoder(name.clone(), &faulty, false),
    ];
    let options = CheckOptions {
        columns: ColumnChoice::All,
        max_listed: 100,
        decode: DecodeOptions::default(),
        window: 2,
        window_rows: 1 << 20,
        against: None,
        old: None,
        timings: false,
    };
    let file = FileToCheck {
        path: "labels.parquet",
        facts: &facts,
        columns: &columns,
        selection,
        witnesses: &witnesses,
        screen: None,
        plan: None,
    };
    let report = Report::new(
        vec![check_with(&file, &options, &())],
        FailOn::Mismatch,
        usize::MAX,
    );

    assert_eq!(report.outcome(), Outcome::Disagree);
    assert_eq!(report.summary.exit_code, 1);
    let column = &report.files[0].columns[0];
    assert_eq!(
        column.checked_by,
        [WitnessName::ARROW, WitnessName::RAW, name.clone()]
    );
    assert_eq!(digest(column, ARROW), digest(column, RAW));
    assert!(digest(column, RAW).is_some());
    assert!(digest(column, &name).is_some());
    assert_ne!(digest(column, &name), digest(column, RAW));
    assert_eq!(column.mismatches, 1);
    assert_eq!(column.differing_blocks.len(), 1);
    let m = &report.files[0].mismatches[0];
    assert_eq!(
        (m.kind, m.row_group, m.row_in_group),
        (Kind::Flip, 1, row as u64)
    );
    let (Some(Cell::Bool(a)), Some(Cell::Bool(r)), Some(Cell::Bool(f))) =
        (value(m, ARROW), value(m, RAW), value(m, &name))
    else {
        panic!("{m:?}")
    };
    assert_eq!(a, r);
    assert_ne!(f, r);

    // In JSON, the witness is a key like the others, in the list's order (read back in that
    // order by the report's own map type).
    fn keys(value: &impl serde::Serialize) -> Vec<String> {
        let text = serde_json::to_string(value).unwrap();
        let map: ByWitness<serde_json::Value> = serde_json::from_str(&text).unwrap();
        map.iter().map(|(name, _)| name.to_string()).collect()
    }
    assert_eq!(keys(&column.digests), ["arrow", "raw", "faulty"]);
    assert_eq!(
        keys(&column.differing_blocks[0]),
        ["block", "first_row", "arrow", "raw", "faulty"]
    );
    assert_eq!(keys(&m.values), ["arrow", "raw", "faulty"]);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["files"][0]["columns"][0]["checked_by"],
        serde_json::json!(["arrow", "raw", "faulty"])
    );
    // The report validates against the schema, whose witness maps take any witness's name,
    // and the text and JUnit reports name the fourth witness's value beside the decoders'.
    common::assert_valid(&json);
    let line = format!("arrow {a} / raw {r} / faulty {f}");
    for format in [Format::Text, Format::Junit] {
        let text = String::from_utf8(rendered(&report, format)).unwrap();
        assert!(text.contains(&line), "{format:?} lacks {line:?}:\n{text}");
    }
    let html = String::from_utf8(rendered(&report, Format::Html)).unwrap();
    let cells = format!("<td>{a}</td><td>{r}</td><td></td><td>{f}</td></tr>");
    assert!(
        html.contains("<th>against</th><th>faulty</th>") && html.contains(&cells),
        "the HTML table lacks the faulty witness's column:\n{html}"
    );
}

/// The raw decoder with every non-null boolean flipped from file row `from` on.
struct FlipFrom {
    inner: RawFile,
    /// First row of each row group.
    starts: Vec<usize>,
    from: usize,
}

impl ColumnDecoder for FlipFrom {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        let mut chunk = self.inner.decode(row_group, leaf)?;
        let Values::Boolean(bits) = &chunk.slice.values else {
            panic!("a boolean column")
        };
        let mut flipped = Bitmap::new();
        let mut value = 0;
        for row in 0..chunk.slice.rows {
            if chunk.slice.validity.get(row) {
                flipped.push(bits.get(value) ^ (self.starts[row_group] + row >= self.from));
                value += 1;
            }
        }
        chunk.slice.values = Values::Boolean(flipped);
        Ok(chunk)
    }
}

/// Every mismatching row is counted in its 65,536-row block, the listed ones and those
/// beyond `--max-listed` alike.
#[test]
fn mismatch_blocks_count_every_mismatching_row_exactly() {
    let dir = temp_dir();
    let path = dir.path().join("blocks.parquet");
    let spec = Spec {
        rows: 150_000,
        row_group_rows: 50_000,
        page_rows: 997,
        ..Spec::default()
    };
    write_labels(&path, &spec);
    let from = 60_000;
    let source = Arc::new(LocalFile::open(&path).unwrap());
    let raw = RawFile::open(source, DecodeOptions::default()).unwrap();
    let (columns, _) = choose(raw.leaves(), &ColumnChoice::Named(vec!["label".into()])).unwrap();
    // The non-null rows from `from` on, per block, as the raw path reads them.
    let mut expected = std::collections::BTreeMap::new();
    let mut starts = Vec::new();
    let mut start = 0;
    for rg in 0..raw.metadata().row_groups.len() {
        starts.push(start);
        let chunk = raw.decode(rg, columns[0].leaf).unwrap();
        for row in 0..chunk.slice.rows {
            let file_row = start + row;
            if file_row >= from && chunk.slice.validity.get(row) {
                *expected.entry(file_row as u64 / 65_536).or_insert(0u64) += 1;
            }
        }
        start += chunk.slice.rows;
    }
    assert_eq!(expected.keys().copied().collect::<Vec<_>>(), [0, 1, 2]);

    let report = common::check_with_raw(&path, "label", 5, |inner| FlipFrom {
        inner,
        starts,
        from,
    });
    let file = &report.files[0];
    let column = &file.columns[0];
    assert_eq!(file.mismatches.len(), 5);
    assert_eq!(column.mismatches, expected.values().sum::<u64>());
    let blocks: Vec<(u64, u64, u64)> = column
        .mismatch_blocks
        .iter()
        .map(|b| (b.block, b.first_row, b.mismatches))
        .collect();
    let expected: Vec<(u64, u64, u64)> = expected
        .into_iter()
        .map(|(block, count)| (block, block * 65_536, count))
        .collect();
    assert_eq!(blocks, expected);
}
