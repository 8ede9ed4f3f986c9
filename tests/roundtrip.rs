//! Reports read back: the binary's JSON report, read with `Report::read` and written again,
//! gives the same bytes, and every other format rendered from the report read back is what
//! the binary wrote in that format. Real files give every kind of content a report holds:
//! mismatches listed and truncated, a writer blamed in a diagnosis and in a finding, findings
//! of several kinds with an omitted count, a dump-only mismatch, a null and a missing row,
//! non-finite floats and bytes, an unsupported column, a file that failed, and timings.

mod common;

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, ListBuilder, MapBuilder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, Int32Array, RecordBatch};
use common::craft::{
    boolean_file, boolean_page, crc_of, file_with, page, PageKind, BOOLEAN_PLAIN, TRUE_COUNT,
};
use common::nested::{detection_dump, detection_file, Objects, BBOX, CATEGORY};
use common::{assert_valid, run, stderr, temp_dir};
use labelcheck::report::{self, Format, Report, WriterOptions};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// Rows of the file whose decoders disagree.
const ROWS: usize = 3000;

/// Every third row of `small` holds 300, which its INT_8 annotation cannot hold: the arrow
/// reader narrows it, the raw path reports it as stored (1,000 mismatches, the writer's
/// fault, blamed on parquet-mr 1.10.0's published bug). `score` holds NaN and infinities,
/// `blob` bytes, `name` text with nulls.
fn disagreeing_file(path: &Path) {
    let schema = parse_message_type(
        "message m { required int32 small (INT_8); required double score; required binary blob; optional binary name (UTF8); }",
    )
    .unwrap();
    let properties = WriterProperties::builder()
        .set_created_by("parquet-mr version 1.10.0 (build x)".to_owned())
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    let mut writer = SerializedFileWriter::new(
        File::create(path).unwrap(),
        Arc::new(schema),
        Arc::new(properties),
    )
    .unwrap();
    let mut group = writer.next_row_group().unwrap();
    let small: Vec<i32> = (0..ROWS)
        .map(|i| if i % 3 == 0 { 300 } else { 1 })
        .collect();
    let score: Vec<f64> = (0..ROWS)
        .map(|i| match i % 4 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            _ => i as f64 / 8.0,
        })
        .collect();
    let blob: Vec<ByteArray> = (0..ROWS)
        .map(|i| match i {
            2 => ByteArray::from(vec![0, 0xff]),
            i => ByteArray::from(format!("b{i}").as_str()),
        })
        .collect();
    let names: Vec<ByteArray> = (0..ROWS)
        .filter(|i| i % 5 != 0)
        .map(|i| ByteArray::from(format!("n{i}").as_str()))
        .collect();
    let name_levels: Vec<i16> = (0..ROWS).map(|i| i16::from(i % 5 != 0)).collect();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<Int32Type>()
        .write_batch(&small, None, None)
        .unwrap();
    column.close().unwrap();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<DoubleType>()
        .write_batch(&score, None, None)
        .unwrap();
    column.close().unwrap();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<ByteArrayType>()
        .write_batch(&blob, None, None)
        .unwrap();
    column.close().unwrap();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<ByteArrayType>()
        .write_batch(&names, Some(&name_levels), None)
        .unwrap();
    column.close().unwrap();
    group.close().unwrap();
    writer.close().unwrap();
}

/// A dump of `score`, `blob` and `name` that differs from the file in the first rows: a
/// finite score where the file holds NaN (row 0) and infinity (row 1), other bytes (row 2), a
/// null where the file holds text (row 1).
fn dump(path: &Path) {
    let mut text = String::from("row,score,blob,name\n");
    for i in 0..ROWS {
        let score = match (i, i % 4) {
            (0 | 1, _) => "1.5".to_owned(),
            (_, 0) => "NaN".to_owned(),
            (_, 1) => "inf".to_owned(),
            (_, 2) => "-inf".to_owned(),
            _ => format!("{}", i as f64 / 8.0),
        };
        let blob = format!("b{i}");
        let name = match i {
            1 => String::new(),
            i if i % 5 == 0 => String::new(),
            i => format!("n{i}"),
        };
        text.push_str(&format!("{i},{score},{blob},{name}\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// A file of 150 two-row pages whose checksums all fail: 100 `crc` findings listed, the
/// other 50 counted in one.
fn checksum_file(path: &Path) {
    let pages: Vec<_> = (0..150)
        .map(|i| {
            let mut page = boolean_page(&[i % 2 == 0, true]);
            page.crc = Some(crc_of(&page.body) ^ 1);
            page
        })
        .collect();
    std::fs::write(path, boolean_file(&pages, &TRUE_COUNT)).unwrap();
}

/// A DATA_PAGE_V2 page of 6 values, 3 of them null, whose header declares `num_nulls` 0, from
/// a parquet-cpp version with that published bug: a `stats` finding that blames the writer.
fn num_nulls_zero_file(path: &Path) {
    let values: ArrayRef = Arc::new(Int32Array::from(vec![
        Some(1),
        None,
        Some(0),
        None,
        None,
        Some(1),
    ]));
    let batch = RecordBatch::try_from_iter([("label", values)]).unwrap();
    let properties = WriterProperties::builder()
        .set_created_by("parquet-cpp-arrow version 10.0.1".to_owned())
        .set_writer_version(WriterVersion::PARQUET_2_0)
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    common::write_batch(path, &batch, Some(properties));
    // The page header's data_page_header_v2 (field 8) holds num_values 6, num_nulls 3 as
    // one-byte zigzag varints: make num_nulls read 0 (as tests/writer_bugs.rs does).
    let mut bytes = std::fs::read(path).unwrap();
    let pattern = [0x5c, 0x15, 12, 0x15, 6];
    let at: Vec<usize> = bytes
        .windows(pattern.len())
        .enumerate()
        .filter(|(_, w)| *w == pattern)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 1, "the page header is found once");
    bytes[at[0] + 4] = 0;
    std::fs::write(path, bytes).unwrap();
}

/// A label column, a list of lists (which neither path decodes yet: `unsupported`) and a map
/// (which both fail on: `unreadable`).
/// One boolean column whose data page says its values are in `encoding`: BIT_PACKED (4),
/// which neither decoder supports for values, or RLE (3) over a body too short to read.
fn unusual_encoding_file(path: &Path, encoding: i32) {
    let pages = [page(PageKind::Data { encoding }, 8, vec![0xff])];
    std::fs::write(path, file_with(&pages, &TRUE_COUNT, BOOLEAN_PLAIN)).unwrap();
}

/// A flat label, a list of lists and a map: nested columns through every format.
fn nested_file(path: &Path) {
    let mut nested = ListBuilder::new(ListBuilder::new(Int32Builder::new()));
    for i in 0..4 {
        nested.values().values().append_value(i);
        nested.values().append(true);
        nested.append(true);
    }
    let mut map = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
    for i in 0..4 {
        map.keys().append_value(format!("k{i}"));
        map.values().append_value(i);
        map.append(true).unwrap();
    }
    let label: ArrayRef = Arc::new(BooleanArray::from(vec![true, false, true, true]));
    let batch = RecordBatch::try_from_iter([
        ("label", label),
        ("nested", Arc::new(nested.finish()) as _),
        ("attrs", Arc::new(map.finish()) as _),
    ])
    .unwrap();
    common::write_batch(path, &batch, None);
}

/// The rows of [`detection_file`]: an empty list, a null one, an empty box, a row of 30
/// objects (more than a mismatch shows of a list), a null category and a null box.
fn detection_rows() -> Vec<Objects> {
    let mut rows: Vec<Objects> = vec![
        Some(vec![]),
        None,
        Some(vec![
            (Some(1), Some(vec![1.5, 2.0, 3.0, 4.0])),
            (Some(2), Some(vec![])),
        ]),
        Some(
            (0..30)
                .map(|i| (Some(i), Some(vec![f64::from(i), 1.5, 2.25, 3.125])))
                .collect(),
        ),
        Some(vec![
            (Some(7), Some(vec![0.5, 0.25])),
            (None, None),
            (Some(9), Some(vec![0.5])),
        ]),
    ];
    rows.extend((5..8).map(|i| Some(vec![(Some(i), Some(vec![f64::from(i)]))])));
    rows
}

/// The binary's output of `args` in `format`.
fn output(args: &[&str], format: &str) -> Vec<u8> {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", format, "--color", "never"]);
    let out = run(&all);
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "{format}: {}",
        stderr(&out)
    );
    out.stdout
}

/// `report` rendered in `format`.
fn rendered(report: &Report, format: Format) -> Vec<u8> {
    let mut writer = report::writer(
        format,
        WriterOptions {
            fail_on: report.summary.fail_on,
            color: false,
        },
    );
    let mut out = Vec::new();
    report::write(report, writer.as_mut(), &mut out).unwrap();
    out
}

/// NDJSON lines with the `timings` of each `file` record left out: they are measured anew
/// by each run.
fn without_timings(ndjson: &[u8]) -> String {
    String::from_utf8(ndjson.to_vec())
        .unwrap()
        .lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(object) = value.as_object_mut() {
                object.remove("timings");
                if let Some(columns) = object.get_mut("columns").and_then(|c| c.as_array_mut()) {
                    for column in columns {
                        column.as_object_mut().unwrap().remove("timings");
                    }
                }
            }
            value.to_string() + "\n"
        })
        .collect()
}

/// Fails naming the first line where `got` differs from `want`.
fn same(got: &str, want: &str, what: &str) {
    if got == want {
        return;
    }
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) =
        (got.lines().collect(), want.lines().collect());
    let at = (0..got_lines.len().max(want_lines.len()))
        .find(|&i| got_lines.get(i) != want_lines.get(i))
        .unwrap_or(0);
    panic!(
        "{what}: line {} differs:\n got: {:?}\nwant: {:?}",
        at + 1,
        got_lines.get(at),
        want_lines.get(at)
    );
}

/// Runs `args` in every format and checks the report read back against each.
fn round_trip(args: &[&str]) -> serde_json::Value {
    let json = output(args, "json");
    let text = String::from_utf8(json.clone()).unwrap();
    let report = Report::read(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    same(
        &String::from_utf8(rendered(&report, Format::Json)).unwrap(),
        &text,
        "JSON written again",
    );
    for (name, format) in [
        ("text", Format::Text),
        ("csv", Format::Csv),
        ("junit", Format::Junit),
        ("html", Format::Html),
    ] {
        same(
            &String::from_utf8(rendered(&report, format)).unwrap(),
            &String::from_utf8(output(args, name)).unwrap(),
            &format!("{name} from the report read back"),
        );
    }
    same(
        &without_timings(&rendered(&report, Format::Ndjson)),
        &without_timings(&output(args, "ndjson")),
        "ndjson from the report read back",
    );
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_valid(&value);
    value
}

#[test]
fn a_report_with_mismatches_a_dump_and_timings_reads_back_as_written() {
    let dir = temp_dir();
    let parquet = dir.path().join("labels.parquet");
    let csv = dir.path().join("labels.csv");
    disagreeing_file(&parquet);
    dump(&csv);
    let report = round_trip(&[
        "diff",
        parquet.to_str().unwrap(),
        "--all",
        "--against",
        csv.to_str().unwrap(),
        "--max-listed",
        "40",
        "--timings",
    ]);
    let file = &report["files"][0];
    let mismatches = file["mismatches"].as_array().unwrap();
    assert_eq!(mismatches.len(), 40);
    assert_eq!(file["mismatches_truncated"], true);
    let listed = |column: &str, row: u64| {
        mismatches
            .iter()
            .find(|m| m["column"] == column && m["row"] == row)
            .unwrap_or_else(|| panic!("{column} row {row}: {mismatches:#?}"))["values"]
            .clone()
    };
    // What the report must carry through a read back: non-finite floats, bytes, a null.
    assert_eq!(
        listed("score", 0),
        serde_json::json!({"arrow": "NaN", "raw": "NaN", "against": 1.5})
    );
    assert_eq!(listed("score", 1)["raw"], "inf");
    assert_eq!(listed("blob", 2)["raw"], "0x00ff");
    assert_eq!(
        listed("name", 1),
        serde_json::json!({"arrow": "n1", "raw": "n1", "against": null})
    );
    let small = &file["columns"][0];
    assert_eq!(small["diagnosis"][0]["writer"]["writer"], "parquet-mr");
    assert!(file["timings"].is_object());
}

#[test]
fn a_report_with_findings_an_unsupported_column_and_failed_files_reads_back_as_written() {
    let dir = temp_dir();
    let checksums = dir.path().join("checksums.parquet");
    let v2 = dir.path().join("v2.parquet");
    let map = dir.path().join("map.parquet");
    let unsupported = dir.path().join("bit-packed.parquet");
    let unreadable = dir.path().join("group-var-int.parquet");
    let junk = dir.path().join("junk.parquet");
    checksum_file(&checksums);
    num_nulls_zero_file(&v2);
    nested_file(&map);
    unusual_encoding_file(&unsupported, 4);
    unusual_encoding_file(&unreadable, 3);
    std::fs::write(&junk, b"not parquet").unwrap();
    let missing = dir.path().join("missing.parquet");
    let report = round_trip(&[
        "diff",
        checksums.to_str().unwrap(),
        v2.to_str().unwrap(),
        map.to_str().unwrap(),
        unsupported.to_str().unwrap(),
        unreadable.to_str().unwrap(),
        junk.to_str().unwrap(),
        missing.to_str().unwrap(),
        "--all",
    ]);
    let files = report["files"].as_array().unwrap();
    let findings = files[0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 101, "100 listed and a count");
    assert_eq!(findings[100]["omitted"], 50);
    assert_eq!(
        files[1]["findings"][0]["writer"]["bug"], "apache/arrow#34326",
        "{:#}",
        files[1]
    );
    let statuses: Vec<&str> = files[2]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["agree"; 4]);
    let status = |file: usize| files[file]["columns"][0]["status"].as_str().unwrap();
    assert_eq!(
        (status(3), status(4)),
        ("unsupported", "unreadable"),
        "{:#} {:#}",
        files[3]["columns"],
        files[4]["columns"]
    );
    assert!(files[5]["error"].is_string() && files[6]["error"].is_string());
}

#[test]
fn a_report_with_nested_mismatches_reads_back_as_written() {
    let dir = temp_dir();
    let parquet = dir.path().join("detection.parquet");
    let csv = dir.path().join("detection.labels.csv");
    let rows = detection_rows();
    detection_file(&parquet, &rows);
    // The dump differs: an empty list turned null (row 0, the row's own list; row 2, the
    // second object's box), a coordinate changed in the row of 30 objects (row 3), the last
    // object dropped (row 4).
    let mut dumped = rows.clone();
    dumped[0] = None;
    dumped[2].as_mut().unwrap()[1].1 = None;
    dumped[3].as_mut().unwrap()[25].1.as_mut().unwrap()[1] = 99.5;
    dumped[4].as_mut().unwrap().pop();
    detection_dump(&csv, &dumped);
    let args = [
        "diff",
        parquet.to_str().unwrap(),
        "--against",
        csv.to_str().unwrap(),
    ];
    let report = round_trip(&args);
    let mismatches = report["files"][0]["mismatches"]
        .as_array()
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(!mismatches.is_empty(), "{report:#}");
    let listed: Vec<(&str, u64, &str)> = mismatches
        .iter()
        .map(|m| {
            (
                m["column"].as_str().unwrap(),
                m["row"].as_u64().unwrap(),
                m["position"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (CATEGORY, 0, "objects"),
            (BBOX, 0, "objects"),
            (BBOX, 2, "objects[1].bbox"),
            (BBOX, 3, "objects[25].bbox[1]"),
            (CATEGORY, 4, "objects"),
            (BBOX, 4, "objects"),
        ],
        "{mismatches:#?}"
    );
    let values = |i: usize| &mismatches[i]["values"];
    assert_eq!(
        values(2),
        &serde_json::json!({
            "arrow": [[1.5, 2.0, 3.0, 4.0], []],
            "raw": [[1.5, 2.0, 3.0, 4.0], []],
            "against": [[1.5, 2.0, 3.0, 4.0], null],
        })
    );
    // 30 objects: the last 20, which hold the 26th; the first 10 counted.
    let long = values(3)["against"].as_array().unwrap();
    assert_eq!(long.len(), 21, "{long:?}");
    assert_eq!(
        (&long[0], &long[16]),
        (
            &serde_json::json!({"more": 10}),
            &serde_json::json!([25.0, 99.5, 2.25, 3.125]),
        )
    );

    // Every format for people names the position and shows the row around it.
    let text = String::from_utf8(output(&args, "text")).unwrap();
    assert!(
        text.contains("objects.list.item.bbox.list.item against at objects[25].bbox[1]: arrow [\u{2026}22 more, [22.0, 1.5, 2.25, 3.125],"),
        "{text}"
    );
    let junit = String::from_utf8(output(&args, "junit")).unwrap();
    assert!(junit.contains("against at objects[1].bbox: arrow [[1.5, 2.0, 3.0, 4.0], []] / raw [[1.5, 2.0, 3.0, 4.0], []] / against [[1.5, 2.0, 3.0, 4.0], null]"), "{junit}");
    let html = String::from_utf8(output(&args, "html")).unwrap();
    assert!(html.contains("<th>position</th>"), "{html}");
    assert!(
        html.contains("[25.0, <mark>99.5</mark>, 2.25, 3.125]"),
        "{html}"
    );
    let csv_out = String::from_utf8(output(&args, "csv")).unwrap();
    let mut reader = ::csv::Reader::from_reader(csv_out.as_bytes());
    let positions: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[14].to_owned())
        .collect();
    assert_eq!(
        positions,
        [
            "objects",
            "objects",
            "objects[1].bbox",
            "objects[25].bbox[1]",
            "objects",
            "objects"
        ]
    );
    let ndjson = String::from_utf8(output(&args, "ndjson")).unwrap();
    let first: serde_json::Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(first["position"], "objects");
}

#[test]
fn a_report_of_decoders_that_disagree_on_nested_levels_reads_back_as_written() {
    use common::nested::{LevelChange, LevelChanger};
    let dir = temp_dir();
    let parquet = dir.path().join("detection.parquet");
    detection_file(&parquet, &detection_rows());
    // A raw path that reads levels one off: row 0's empty list and row 2's second box (the
    // second object of the file) null, the last of row 3's 30 objects moved to row 4.
    let changes = vec![
        LevelChange::EmptyToNull {
            segment: 0,
            item: 0,
        },
        LevelChange::EmptyToNull {
            segment: 1,
            item: 1,
        },
        LevelChange::LastElementToNext {
            segment: 0,
            item: 3,
        },
    ];
    let report =
        common::check_with_raw(&parquet, BBOX, 100, |inner| LevelChanger { inner, changes });
    let json = String::from_utf8(rendered(&report, Format::Json)).unwrap();
    let read = Report::read(&json).unwrap_or_else(|e| panic!("{e}\n{json}"));
    same(
        &String::from_utf8(rendered(&read, Format::Json)).unwrap(),
        &json,
        "JSON written again",
    );
    for format in [
        Format::Text,
        Format::Ndjson,
        Format::Csv,
        Format::Junit,
        Format::Html,
    ] {
        same(
            &String::from_utf8(rendered(&read, format)).unwrap(),
            &String::from_utf8(rendered(&report, format)).unwrap(),
            &format!("{format:?} from the report read back"),
        );
    }
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_valid(&value);
    let mismatches = value["files"][0]["mismatches"].as_array().unwrap();
    let listed: Vec<(u64, &str, &str, &str)> = mismatches
        .iter()
        .map(|m| {
            (
                m["row"].as_u64().unwrap(),
                m["position"].as_str().unwrap(),
                m["kind"].as_str().unwrap(),
                m["fault"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (0, "objects", "empty_null", "reader"),
            (2, "objects[1].bbox", "empty_null", "reader"),
            (3, "objects", "count", "reader"),
            (4, "objects", "count", "reader"),
        ],
        "{mismatches:#?}"
    );
    assert_eq!(
        mismatches[1]["values"],
        serde_json::json!({
            "arrow": [[1.5, 2.0, 3.0, 4.0], []],
            "raw": [[1.5, 2.0, 3.0, 4.0], null],
        })
    );
    // Row 3: 30 objects and 29, the first 20 of each shown.
    let row_3 = &mismatches[2]["values"];
    assert_eq!(row_3["arrow"][20], serde_json::json!({"more": 10}));
    assert_eq!(row_3["raw"][20], serde_json::json!({"more": 9}));
    let kinds = &value["files"][0]["columns"][0]["mismatch_kinds"];
    assert_eq!(
        (&kinds["empty_null"], &kinds["count"]),
        (&2.into(), &2.into())
    );
    let text = String::from_utf8(rendered(&read, Format::Text)).unwrap();
    assert!(
        text.contains("empty_null at objects[1].bbox: arrow [[1.5, 2.0, 3.0, 4.0], []] / raw [[1.5, 2.0, 3.0, 4.0], null]"),
        "{text}"
    );
}

#[test]
fn a_report_of_two_versions_with_transitions_reads_back_as_written() {
    let dir = temp_dir();
    let old: Vec<Option<i32>> = (0..500).map(|i| (i % 50 != 3).then_some(i % 4)).collect();
    let mut new = old.clone();
    new[7] = Some(0);
    new[100] = None;
    let (old_path, new_path) = (
        dir.path().join("old.parquet"),
        dir.path().join("new.parquet"),
    );
    for (path, labels) in [(&old_path, &old[..]), (&new_path, &new[..480])] {
        let values: ArrayRef = Arc::new(Int32Array::from(labels.to_vec()));
        let batch = RecordBatch::try_from_iter([("label", values)]).unwrap();
        common::write_batch(path, &batch, None);
    }
    let report = round_trip(&[
        "diff",
        new_path.to_str().unwrap(),
        "--against",
        old_path.to_str().unwrap(),
    ]);
    let column = &report["files"][0]["columns"][0];
    assert_eq!(column["mismatch_kinds"]["changed"], 22, "{column:#}");
    assert!(column["transitions"].is_object(), "{column:#}");
}
