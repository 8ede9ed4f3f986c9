//! Logical types the arrow reader converts (decimals in INT32, INT64 and FIXED_LEN_BYTE_ARRAY,
//! unsigned 64-bit integers, times, timestamps, dates): both paths must give back the stored
//! physical values, equal to the fingerprint of the values handed to the writer. Byte-array
//! annotations: which are byte strings, compared with a dump as bytes.

mod common;

use std::sync::Arc;

use arrow_array::{
    ArrayRef, Date32Array, Decimal128Array, RecordBatch, Time32MillisecondArray,
    TimestampMicrosecondArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use common::fixtures::{properties, Layout, PageVersion, Rng, Spec};
use common::{code, json, run, stderr, temp_dir};
use labelcheck::fingerprint::{hash_slice, FingerprintBuilder};
use labelcheck::value::{Bitmap, ColumnSlice, Values};

fn digest(validity: &[bool], values: Values) -> String {
    let mut bits = Bitmap::new();
    validity.iter().for_each(|&v| bits.push(v));
    let slice = ColumnSlice {
        rows: validity.len(),
        lists: Vec::new(),
        validity: bits,
        values,
    };
    let mut builder = FingerprintBuilder::new();
    builder.add(hash_slice(&slice, 0), slice.rows as u64);
    builder.finish().hex()
}

#[test]
fn converted_types_come_back_as_stored() {
    let rows = 500;
    let mut rng = Rng::new(11);
    let valid: Vec<bool> = (0..rows).map(|_| !rng.chance(10)).collect();
    let small: Vec<i64> = (0..rows)
        .map(|_| rng.below(2_000_000) as i64 - 1_000_000)
        .collect();
    let big: Vec<i128> = small
        .iter()
        .map(|&v| i128::from(v) * 10_000_000_000_000 - 7)
        .collect();
    let unsigned: Vec<u64> = small
        .iter()
        .map(|&v| (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect();
    let opt = |i: usize| valid[i];

    let schema = Arc::new(Schema::new(vec![
        Field::new("label_dec9", DataType::Decimal128(9, 2), true),
        Field::new("label_dec18", DataType::Decimal128(18, 3), true),
        Field::new("label_dec30", DataType::Decimal128(30, 4), true),
        Field::new("label_u64", DataType::UInt64, true),
        Field::new("label_time", DataType::Time32(TimeUnit::Millisecond), true),
        Field::new(
            "label_ts",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new("label_date", DataType::Date32, true),
    ]));
    let option = |i: usize, v| opt(i).then_some(v);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            Decimal128Array::from_iter((0..rows).map(|i| option(i, i128::from(small[i]))))
                .with_precision_and_scale(9, 2)
                .unwrap(),
        ),
        Arc::new(
            Decimal128Array::from_iter(
                (0..rows).map(|i| option(i, i128::from(small[i]) * 1_000_000)),
            )
            .with_precision_and_scale(18, 3)
            .unwrap(),
        ),
        Arc::new(
            Decimal128Array::from_iter((0..rows).map(|i| option(i, big[i])))
                .with_precision_and_scale(30, 4)
                .unwrap(),
        ),
        Arc::new(UInt64Array::from_iter(
            (0..rows).map(|i| opt(i).then_some(unsigned[i])),
        )),
        Arc::new(Time32MillisecondArray::from_iter(
            (0..rows).map(|i| opt(i).then_some(small[i].unsigned_abs() as i32)),
        )),
        Arc::new(
            TimestampMicrosecondArray::from_iter(
                (0..rows).map(|i| opt(i).then_some(small[i] * 1_000_003)),
            )
            .with_timezone("UTC"),
        ),
        Arc::new(Date32Array::from_iter(
            (0..rows).map(|i| opt(i).then_some(small[i] as i32 / 100)),
        )),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();

    let non_null =
        |f: &dyn Fn(usize) -> i64| (0..rows).filter(|&i| opt(i)).map(f).collect::<Vec<i64>>();
    // DECIMAL(30,4) is FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold 30 digits: 13.
    let dec30: Vec<u8> = (0..rows)
        .filter(|&i| opt(i))
        .flat_map(|i| big[i].to_be_bytes()[3..].to_vec())
        .collect();
    let expected = [
        (
            "label_dec9",
            Values::Int32(
                non_null(&|i| small[i])
                    .into_iter()
                    .map(|v| v as i32)
                    .collect(),
            ),
        ),
        (
            "label_dec18",
            Values::Int64(non_null(&|i| small[i] * 1_000_000)),
        ),
        (
            "label_dec30",
            Values::FixedLenByteArray {
                width: 13,
                data: dec30,
            },
        ),
        (
            "label_u64",
            Values::Int64(non_null(&|i| unsigned[i] as i64)),
        ),
        (
            "label_time",
            Values::Int32(
                non_null(&|i| small[i].abs())
                    .into_iter()
                    .map(|v| v as i32)
                    .collect(),
            ),
        ),
        (
            "label_ts",
            Values::Int64(non_null(&|i| small[i] * 1_000_003)),
        ),
        (
            "label_date",
            Values::Int32(
                non_null(&|i| small[i] / 100)
                    .into_iter()
                    .map(|v| v as i32)
                    .collect(),
            ),
        ),
    ];

    for layout in [Layout::Plain, Layout::Dictionary] {
        for version in [PageVersion::V1, PageVersion::V2] {
            let dir = temp_dir();
            let path = dir.path().join("types.parquet");
            let spec = Spec {
                layout,
                version,
                rows,
                row_group_rows: 200,
                page_rows: 45,
                ..Spec::default()
            };
            let mut writer = parquet::arrow::ArrowWriter::try_new(
                std::fs::File::create(&path).unwrap(),
                schema.clone(),
                Some(properties(&spec)),
            )
            .unwrap();
            writer.write(&batch).unwrap();
            writer.close().unwrap();
            let output = run(["diff", path.to_str().unwrap(), "--format", "json"]);
            assert_eq!(
                code(&output),
                0,
                "{layout:?} {version:?}: {}",
                stderr(&output)
            );
            let report = json(&output);
            for (name, values) in &expected {
                let column = report["files"][0]["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["column"] == *name)
                    .unwrap_or_else(|| panic!("{name} not checked"));
                let want = digest(&valid, values.clone());
                assert_eq!(
                    column["digests"]["raw"], want,
                    "{name} {layout:?} {version:?}"
                );
                assert_eq!(
                    column["digests"]["arrow"], want,
                    "{name} {layout:?} {version:?}"
                );
            }
        }
    }
}

/// Byte-array columns whose annotations LogicalTypes.md orders as unsigned bytes — BSON as
/// much as STRING, ENUM, JSON or none — are compared with a dump field's bytes, as the
/// metadata witness orders their statistics as bytes. The dump once refused BSON as a type it
/// could not read while the statistics check read it as a string (and parquetjs writes JSON
/// text under BSON).
#[test]
fn every_byte_string_annotation_is_compared_with_the_dump() {
    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    let columns = [
        "label_bson",
        "label_json",
        "label_enum",
        "label_str",
        "label_raw",
    ];
    let schema = parse_message_type(
        "message m { optional binary label_bson (BSON); optional binary label_json (JSON); \
         optional binary label_enum (ENUM); optional binary label_str (UTF8); \
         optional binary label_raw; }",
    )
    .unwrap();
    let rows = 6;
    let null_row = 3;
    let text = |column: &str, row: usize| format!("{}{row}", column.trim_start_matches("label_"));
    let dir = temp_dir();
    let path = dir.path().join("byte_strings.parquet");
    let mut writer = SerializedFileWriter::new(
        std::fs::File::create(&path).unwrap(),
        Arc::new(schema),
        Default::default(),
    )
    .unwrap();
    let mut group = writer.next_row_group().unwrap();
    for name in columns {
        let values: Vec<ByteArray> = (0..rows)
            .filter(|&row| row != null_row)
            .map(|row| ByteArray::from(text(name, row).into_bytes()))
            .collect();
        let levels: Vec<i16> = (0..rows).map(|row| i16::from(row != null_row)).collect();
        let mut column = group.next_column().unwrap().unwrap();
        column
            .typed::<ByteArrayType>()
            .write_batch(&values, Some(&levels), None)
            .unwrap();
        column.close().unwrap();
    }
    group.close().unwrap();
    writer.close().unwrap();

    let dump = |changed_row: Option<usize>| {
        let mut csv = format!("row,{}\n", columns.join(","));
        for row in 0..rows {
            let fields: Vec<String> = columns
                .iter()
                .map(|name| match row {
                    _ if row == null_row => String::new(),
                    _ if Some(row) == changed_row && *name == "label_bson" => "other".into(),
                    _ => text(name, row),
                })
                .collect();
            csv.push_str(&format!("{row},{}\n", fields.join(",")));
        }
        let dump = dir.path().join(format!("dump{changed_row:?}.csv"));
        std::fs::write(&dump, csv).unwrap();
        dump
    };
    let check = |dump: &std::path::Path| {
        run([
            "diff",
            path.to_str().unwrap(),
            "--against",
            dump.to_str().unwrap(),
            "--format",
            "json",
        ])
    };

    let output = check(&dump(None));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json(&output);
    let file = &report["files"][0];
    assert_eq!(file["findings"], serde_json::json!([]), "{report:#}");
    for name in columns {
        let column = file["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["column"] == name)
            .unwrap_or_else(|| panic!("{name} not checked"));
        assert_eq!(column["status"], "agree", "{name}: {report:#}");
        assert!(
            column["digests"]["against"].is_string(),
            "{name}: {report:#}"
        );
        assert_eq!(
            column["digests"]["against"], column["digests"]["raw"],
            "{name}"
        );
    }
    let logical: Vec<&str> = columns
        .iter()
        .map(|name| {
            let column = file["columns"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["column"] == *name)
                .unwrap();
            column["logical_type"].as_str().unwrap_or("none")
        })
        .collect();
    assert_eq!(logical, ["BSON", "JSON", "ENUM", "UTF8", "none"]);

    // And a changed BSON value is a difference the dump shows.
    let output = check(&dump(Some(1)));
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let report = json(&output);
    let mismatch = &report["files"][0]["mismatches"][0];
    assert_eq!(mismatch["column"], "label_bson", "{report:#}");
    assert_eq!(mismatch["kind"], "against");
    assert_eq!(mismatch["row"], 1);
}
