//! Writer faults are blamed on the writer: a stored value its logical type cannot hold, and
//! DATA_PAGE_V2 counts of the shape a published writer bug leaves, named with the writer and
//! version from `created_by` — and the bug only when that version has it.

mod common;

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, ListBuilder};
use arrow_array::{ArrayRef, Int32Array, RecordBatch};
use common::craft::{
    file_shaped, page, ChunkShape, Claims, Layout, LeafSchema, PageKind, TRUE_COUNT,
};
use common::{code, json, run, temp_dir};
use parquet::data_type::Int32Type;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::Value;

fn schema_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/report.schema.json"
    )))
    .unwrap();
    jsonschema::validator_for(&schema).expect("the schema is valid JSON Schema")
}

/// `labelcheck diff PATH --all --format json`: exit code and the report, checked against
/// the schema.
fn check(path: &Path) -> (i32, Value) {
    let out = run([
        "diff".as_ref(),
        path.as_os_str(),
        "--all".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let report = json(&out);
    let errors: Vec<String> = schema_validator()
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{report:#}");
    (code(&out), report)
}

fn properties(created_by: &str) -> WriterProperties {
    WriterProperties::builder()
        .set_created_by(created_by.to_owned())
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .build()
}

/// INT32 columns annotated INT_8 and UINT_16 holding values those annotations cannot hold,
/// and one INT_8 column whose values fit, as a writer that does not check them stores them.
fn out_of_range_file(path: &Path, created_by: &str) {
    out_of_range_file_of_model(path, created_by, None)
}

/// [`out_of_range_file`] whose footer names a parquet-mr object model.
fn out_of_range_file_of_model(path: &Path, created_by: &str, object_model: Option<&str>) {
    let schema = parse_message_type(
        "message m { required int32 small (INT_8); required int32 code (UINT_16); required int32 fits (INT_8); }",
    )
    .unwrap();
    let columns: [&[i32]; 3] = [&[1, 300, -2], &[7, -1, 70000], &[1, 2, 3]];
    let file = File::create(path).unwrap();
    let mut properties = properties(created_by);
    if let Some(model) = object_model {
        properties = WriterProperties::builder()
            .set_created_by(created_by.to_owned())
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::None)
            .set_key_value_metadata(Some(vec![KeyValue::new(
                "writer.model.name".to_owned(),
                model.to_owned(),
            )]))
            .build();
    }
    let mut writer =
        SerializedFileWriter::new(file, Arc::new(schema), Arc::new(properties)).unwrap();
    let mut group = writer.next_row_group().unwrap();
    for values in columns {
        let mut column = group.next_column().unwrap().unwrap();
        column
            .typed::<Int32Type>()
            .write_batch(values, None, None)
            .unwrap();
        column.close().unwrap();
    }
    group.close().unwrap();
    writer.close().unwrap();
}

fn column<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == name)
        .unwrap_or_else(|| panic!("no column {name}: {report:#}"))
}

#[test]
fn a_stored_value_its_annotation_cannot_hold_is_the_writers_fault() {
    let dir = temp_dir();
    let path = dir.path().join("narrow.parquet");
    out_of_range_file(&path, "parquet-mr version 1.10.0 (build abc)");
    let (exit, report) = check(&path);
    // The labels as stored are not what their type says: still a mismatch.
    assert_eq!(exit, 1, "{report:#}");
    let mismatches = report["files"][0]["mismatches"].as_array().unwrap();
    assert_eq!(mismatches.len(), 3, "{report:#}");
    assert!(
        mismatches.iter().all(|m| m["fault"] == "writer"),
        "{report:#}"
    );
    assert_eq!(column(&report, "fits")["mismatches"], 0);

    let small = &column(&report, "small")["diagnosis"][0];
    assert_eq!(small["pattern"], "evidence");
    assert_eq!(small["writer"]["writer"], "parquet-mr");
    assert_eq!(small["writer"]["version"], "1.10.0");
    assert_eq!(small["writer"]["symptom"], "signed_value_out_of_range");
    // The published bug names unsigned annotations only.
    assert_eq!(small["writer"]["bug"], Value::Null);
    let message = small["message"].as_str().unwrap();
    assert!(
        message.contains("the writer (parquet-mr 1.10.0) stored 300 in an INT(8, signed) column"),
        "{message}"
    );
    assert!(message.contains("a writer fault"), "{message}");

    let code_column = &column(&report, "code")["diagnosis"];
    assert_eq!(code_column.as_array().unwrap().len(), 1, "{code_column:#}");
    assert_eq!(code_column[0]["writer"]["bug"], "apache/parquet-java#3142");
    let message = code_column[0]["message"].as_str().unwrap();
    assert!(
        message.contains("stored 4294967295 in an INT(16, unsigned) column"),
        "{message}"
    );
    assert!(message.contains("apache/parquet-java#3142"), "{message}");
}

#[test]
fn the_example_writers_bug_is_not_claimed_for_another_object_model() {
    let dir = temp_dir();
    let path = dir.path().join("narrow.parquet");
    out_of_range_file_of_model(
        &path,
        "parquet-mr version 1.10.0 (build abc)",
        Some("example"),
    );
    let (_, report) = check(&path);
    let blame = &column(&report, "code")["diagnosis"][0]["writer"];
    assert_eq!(blame["bug"], "apache/parquet-java#3142", "{report:#}");
    assert_eq!(blame["object_model"], "example");

    out_of_range_file_of_model(&path, "parquet-mr version 1.10.0 (build abc)", Some("avro"));
    let (exit, report) = check(&path);
    assert_eq!(exit, 1, "{report:#}");
    let pattern = &column(&report, "code")["diagnosis"][0];
    assert_eq!(pattern["writer"]["bug"], Value::Null, "{report:#}");
    let message = pattern["message"].as_str().unwrap();
    assert!(
        message.contains("the writer (parquet-mr 1.10.0, object model avro) stored 4294967295"),
        "{message}"
    );
}

#[test]
fn any_writer_that_stores_such_a_value_is_named_without_a_bug() {
    let dir = temp_dir();
    let path = dir.path().join("narrow.parquet");
    out_of_range_file(&path, "some-writer version 3.1");
    let (exit, report) = check(&path);
    assert_eq!(exit, 1, "{report:#}");
    let code_column = &column(&report, "code")["diagnosis"][0];
    assert_eq!(code_column["writer"]["writer"], "some-writer");
    assert_eq!(code_column["writer"]["version"], "3.1.0");
    assert_eq!(code_column["writer"]["bug"], Value::Null);
    let message = code_column["message"].as_str().unwrap();
    assert!(!message.contains('#'), "no bug is claimed: {message}");
}

/// A DATA_PAGE_V2 file written by `batch` with `created_by`, one page per column.
fn v2_file(path: &Path, created_by: &str, batch: &RecordBatch) {
    let properties = WriterProperties::builder()
        .set_created_by(created_by.to_owned())
        .set_writer_version(WriterVersion::PARQUET_2_0)
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    common::write_batch(path, batch, Some(properties));
}

/// Rewrites the one DATA_PAGE_V2 header whose first counts are `counts` (num_values,
/// num_nulls, num_rows, each a one-byte zigzag varint) so that count `which` reads `to`.
fn rewrite_v2_count(path: &Path, counts: &[i32], which: usize, to: i32) {
    let zigzag = |v: i32| u8::try_from((v << 1) ^ (v >> 31)).expect("one-byte varint");
    let mut bytes = std::fs::read(path).unwrap();
    // Field 8 (data_page_header_v2, a struct) follows field 3 of the page header, then its
    // own i32 fields 1, 2, 3.
    let mut pattern = vec![0x5c];
    for &count in counts {
        pattern.extend([0x15, zigzag(count)]);
    }
    let at: Vec<usize> = bytes
        .windows(pattern.len())
        .enumerate()
        .filter(|(_, w)| *w == pattern.as_slice())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 1, "the page header is found once");
    bytes[at[0] + 2 + 2 * which] = zigzag(to);
    std::fs::write(path, bytes).unwrap();
}

/// Findings about a page header's counters: a `quirk` when they are wrong in a shape writers
/// are known for (every case here), with the bug when the writer's version has one.
fn stats_findings(report: &Value) -> Vec<&Value> {
    let findings: Vec<&Value> = report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "stats" || f["kind"] == "quirk")
        .collect();
    for finding in &findings {
        assert_eq!(finding["kind"], "quirk", "{finding:#}");
    }
    findings
}

fn num_nulls_zero(created_by: &str) -> (i32, Value) {
    num_nulls_declared(created_by, 0)
}

/// A DATA_PAGE_V2 page of 6 values, 3 of them null, whose header declares `num_nulls`.
fn num_nulls_declared(created_by: &str, num_nulls: i32) -> (i32, Value) {
    let dir = temp_dir();
    let path = dir.path().join("v2.parquet");
    let values: ArrayRef = Arc::new(Int32Array::from(vec![
        Some(1),
        None,
        Some(0),
        None,
        None,
        Some(1),
    ]));
    let batch = RecordBatch::try_from_iter([("label", values)]).unwrap();
    v2_file(&path, created_by, &batch);
    rewrite_v2_count(&path, &[6, 3], 1, num_nulls);
    check(&path)
}

#[test]
fn a_counter_wrong_in_no_known_shape_is_a_stats_finding_not_a_quirk() {
    // Three nulls declared as two: no writer is known for that, whatever its version.
    let (exit, report) = num_nulls_declared("parquet-cpp-arrow version 10.0.1", 2);
    assert_eq!(exit, 0, "{report:#}");
    let findings: Vec<&Value> = report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["kind"], "stats", "{report:#}");
    assert!(findings[0]["writer"].is_null(), "{report:#}");
}

#[test]
fn num_nulls_zero_over_nulls_names_the_parquet_cpp_bug_for_its_versions() {
    let (exit, report) = num_nulls_zero("parquet-cpp-arrow version 10.0.1");
    assert_eq!(exit, 0, "{report:#}");
    let findings = stats_findings(&report);
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["writer"]["bug"], "apache/arrow#34326");
    assert_eq!(findings[0]["writer"]["version"], "10.0.1");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("declares num_nulls 0 but its levels hold 3 nulls"),
        "{message}"
    );
    assert!(
        message.contains("the writer (parquet-cpp-arrow 10.0.1) wrote num_nulls 0"),
        "{message}"
    );
}

#[test]
fn num_nulls_zero_from_a_fixed_version_claims_no_bug() {
    let (exit, report) = num_nulls_zero("parquet-cpp-arrow version 12.0.0");
    assert_eq!(exit, 0, "{report:#}");
    let findings = stats_findings(&report);
    assert_eq!(findings.len(), 1, "{report:#}");
    assert!(findings[0].get("writer").is_none(), "{report:#}");
    assert!(!findings[0]["message"].as_str().unwrap().contains("writer"));
}

fn num_rows_counts_values(created_by: &str) -> (i32, Value) {
    let dir = temp_dir();
    let path = dir.path().join("v2-list.parquet");
    let mut lists = ListBuilder::new(Int32Builder::new());
    for row in [&[1, 0, 1][..], &[0, 0], &[1]] {
        lists.values().append_slice(row);
        lists.append(true);
    }
    let values: ArrayRef = Arc::new(lists.finish());
    let batch = RecordBatch::try_from_iter([("labels", values)]).unwrap();
    v2_file(&path, created_by, &batch);
    rewrite_v2_count(&path, &[6, 0, 3], 2, 6);
    check(&path)
}

#[test]
fn a_repeated_columns_num_rows_equal_to_its_values_names_the_parquet_cpp_bug() {
    let (exit, report) = num_rows_counts_values("parquet-cpp-arrow version 11.0.0");
    assert_eq!(exit, 0, "{report:#}");
    let findings = stats_findings(&report);
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["writer"]["bug"], "apache/arrow#34086");
    assert_eq!(
        findings[0]["writer"]["symptom"],
        "v2_num_rows_counts_values"
    );
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("declares num_rows 6 but its levels hold 3 rows"),
        "{message}"
    );
    assert!(
        message.contains("a writer fault (apache/arrow#34086"),
        "{message}"
    );

    let (_, report) = num_rows_counts_values("parquet-mr version 1.13.1");
    let findings = stats_findings(&report);
    assert_eq!(findings.len(), 1, "{report:#}");
    assert!(findings[0].get("writer").is_none(), "{report:#}");
}

/// A SNAPPY DATA_PAGE_V2 file from `created_by` whose one page is flagged
/// `is_compressed = false` while its values are compressed, as parquet-cpp before 2.0.0 wrote
/// them (ARROW-10353).
fn flagged_uncompressed(created_by: &str) -> (i32, Value) {
    flagged(created_by, true)
}

/// [`flagged_uncompressed`], or with the flag left as written when not `wrong`.
fn flagged(created_by: &str, wrong: bool) -> (i32, Value) {
    let dir = temp_dir();
    let path = dir.path().join("v2-flag.parquet");
    let values: ArrayRef = Arc::new(Int32Array::from(
        (0..200).map(|i| i % 3).collect::<Vec<i32>>(),
    ));
    let batch = RecordBatch::try_from_iter([("label", values)]).unwrap();
    let properties = WriterProperties::builder()
        .set_created_by(created_by.to_owned())
        .set_writer_version(WriterVersion::PARQUET_2_0)
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    common::write_batch(&path, &batch, Some(properties));
    // data_page_header_v2: num_values 200, num_nulls 0, num_rows 200, then encoding and the
    // level lengths; its field 7, is_compressed, is a compact bool: 0x11 true, 0x12 false.
    let mut bytes = std::fs::read(&path).unwrap();
    let header = [0x5c, 0x15, 0x90, 0x03, 0x15, 0x00, 0x15, 0x90, 0x03];
    let at = bytes
        .windows(header.len())
        .position(|w| w == header)
        .expect("the page header");
    let flag = at + bytes[at..at + 24].iter().position(|&b| b == 0x11).unwrap();
    if wrong {
        bytes[flag] = 0x12;
    }
    std::fs::write(&path, bytes).unwrap();
    check(&path)
}

#[test]
fn a_v2_page_flagged_uncompressed_by_old_parquet_cpp_is_decompressed_and_blamed() {
    let (exit, report) = flagged_uncompressed("parquet-cpp version 1.5.1-SNAPSHOT");
    let file = &report["files"][0];
    // The raw path reads the column as parquet-cpp does; the arrow reader honours the flag
    // and cannot.
    assert_ne!(exit, 0, "{report:#}");
    // What it decodes is what the same page flagged rightly decodes to on both paths.
    let (_, rightly) = flagged("parquet-cpp version 1.5.1-SNAPSHOT", false);
    let expected = &column(&rightly, "label")["digests"];
    assert_eq!(expected["arrow"], expected["raw"]);
    let label = column(&report, "label");
    assert_eq!(label["digests"]["raw"], expected["raw"], "{report:#}");
    let advisories: Vec<&Value> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "advisory")
        .collect();
    assert_eq!(advisories.len(), 1, "{report:#}");
    assert_eq!(advisories[0]["writer"]["bug"], "ARROW-10353");
    assert_eq!(advisories[0]["writer"]["writer"], "parquet-cpp");
    assert_eq!(advisories[0]["page"], 0);
    let message = advisories[0]["message"].as_str().unwrap();
    assert!(
        message.contains("the writer (parquet-cpp 1.5.1)"),
        "{message}"
    );
}

#[test]
fn a_v2_page_flagged_uncompressed_by_a_fixed_writer_is_taken_at_its_word() {
    let (exit, report) = flagged_uncompressed("parquet-cpp-arrow version 3.0.0");
    assert_eq!(exit, 2, "{report:#}");
    assert_eq!(column(&report, "label")["status"], "unreadable");
    let findings = report["files"][0]["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["kind"] != "advisory"),
        "{report:#}"
    );
}

/// A file whose one OPTIONAL INT32 column `label` has a v1 page with BIT_PACKED definition
/// levels, packed most significant bit first as the format says or least significant bit
/// first as parquet-rs packed them (apache/arrow-rs#5338), written by `created_by`.
fn bit_packed_levels_file(path: &Path, created_by: &'static str, lsb_first: bool) {
    let levels = [1u8, 0, 1, 1, 0, 0, 1, 1, 1, 0];
    let mut packed = [0u8; 2];
    for (i, &level) in levels.iter().enumerate() {
        let bit = if lsb_first { i % 8 } else { 7 - i % 8 };
        packed[i / 8] |= level << bit;
    }
    let mut body = packed.to_vec();
    let present = levels.iter().filter(|&&l| l == 1).count() as i32;
    for value in 0..present {
        body.extend_from_slice(&(10 + value).to_le_bytes());
    }
    let page = page(PageKind::Data { encoding: 0 }, levels.len() as i32, body);
    let claims = Claims {
        created_by: Some(created_by),
        ..TRUE_COUNT
    };
    let layout = Layout {
        physical_type: 1, // INT32
        codec: 0,
    };
    let shape = ChunkShape {
        leaf: LeafSchema {
            optional: true,
            definition_level_encoding: Some(4), // BIT_PACKED
            ..LeafSchema::default()
        },
        ..ChunkShape::default()
    };
    let file = file_shaped(&[page], &claims, layout, &shape);
    std::fs::write(path, file).unwrap();
}

fn bit_packed(created_by: &'static str, lsb_first: bool) -> (i32, Value) {
    let dir = temp_dir();
    let path = dir.path().join("bit-packed.parquet");
    bit_packed_levels_file(&path, created_by, lsb_first);
    check(&path)
}

#[test]
fn bit_packed_levels_lsb_first_from_parquet_rs_are_its_writers_fault() {
    let (exit, report) = bit_packed("parquet-rs version 49.0.0", true);
    assert_eq!(exit, 1, "{report:#}");
    let mismatches = report["files"][0]["mismatches"].as_array().unwrap();
    assert!(!mismatches.is_empty(), "{report:#}");
    assert!(
        mismatches.iter().all(|m| m["fault"] == "writer"),
        "{report:#}"
    );
    let diagnosis = &column(&report, "label")["diagnosis"];
    assert_eq!(diagnosis.as_array().unwrap().len(), 1, "{diagnosis:#}");
    assert_eq!(diagnosis[0]["pattern"], "bit_packed_levels");
    assert_eq!(diagnosis[0]["writer"]["bug"], "apache/arrow-rs#5338");
    let message = diagnosis[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "the writer (parquet-rs 49.0.0) packed BIT_PACKED levels least significant bit first"
        ),
        "{message}"
    );
}

#[test]
fn bit_packed_levels_from_another_writer_point_at_the_arrow_reader() {
    // Packed as the format says: the arrow reader is the one that reads them wrong.
    let (exit, report) = bit_packed("parquet-mr version 1.2.8", false);
    assert_eq!(exit, 1, "{report:#}");
    let mismatches = report["files"][0]["mismatches"].as_array().unwrap();
    assert!(
        mismatches.iter().all(|m| m["fault"] == "reader"),
        "{report:#}"
    );
    let diagnosis = column(&report, "label")["diagnosis"].as_array().unwrap();
    let pattern = diagnosis
        .iter()
        .find(|p| p["pattern"] == "bit_packed_levels")
        .unwrap_or_else(|| panic!("{diagnosis:#?}"));
    assert!(pattern.get("writer").is_none());
    assert!(pattern["message"]
        .as_str()
        .unwrap()
        .contains("a known reader bug (apache/arrow-rs#5338, apache/arrow#42368)"));
    // The raw path reads the levels as the format says: its nulls are the written ones.
    let label = column(&report, "label");
    assert_eq!(label["nulls"], 4, "{report:#}");
}

#[test]
fn num_nulls_zero_from_parquet_rs_before_20_names_its_bug() {
    let (_, report) = num_nulls_zero("parquet-rs version 19.0.0");
    let findings = stats_findings(&report);
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["writer"]["bug"], "apache/arrow-rs#2185");
    let (_, report) = num_nulls_zero("parquet-rs version 20.0.0");
    assert!(
        stats_findings(&report)[0].get("writer").is_none(),
        "{report:#}"
    );
}

#[test]
fn a_negative_num_nulls_from_parquet_java_before_1_18_names_its_bug() {
    let (exit, report) = num_nulls_declared("parquet-mr version 1.15.1 (build x)", -1);
    // The arrow reader refuses such a page (as hardwood-hq/hardwood#1225 reports): a path
    // failure, which the stats finding explains; checked by one decoder only, exit 2.
    assert_eq!(exit, 2, "{report:#}");
    let findings = stats_findings(&report);
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["writer"]["bug"], "apache/parquet-java#3585");
    assert_eq!(findings[0]["writer"]["symptom"], "v2_num_nulls_negative");
    let (_, report) = num_nulls_declared("parquet-mr version 1.18.0 (build x)", -1);
    let findings = stats_findings(&report);
    assert!(findings[0].get("writer").is_none(), "{report:#}");
}
