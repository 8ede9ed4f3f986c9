//! Fixture files the test suite writes itself with the `parquet` crate's writer, with the
//! values handed to the writer kept as ground truth in labelcheck's value model.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, FixedSizeBinaryArray, Float32Array, Float64Array, Int32Array,
    Int64Array, ListArray, RecordBatch, StringArray, StructArray, UInt16Array,
};
use arrow_schema::{DataType, Field, Fields, Schema};
use labelcheck::value::{Bitmap, ByteArrays, ColumnSlice, ListShape, Values};
use parquet::arrow::ArrowWriter;
use parquet::basic::{BrotliLevel, Compression, Encoding, GzipLevel, ZstdLevel};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;

/// Data page version of a fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageVersion {
    V1,
    V2,
}

/// How a fixture's values are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Dictionary off, PLAIN everywhere.
    Plain,
    /// Dictionary on (booleans stay PLAIN).
    Dictionary,
    /// Dictionary on, but so small that chunks fall back to PLAIN part way.
    DictionaryFallback,
    /// PLAIN, but booleans RLE-encoded.
    RleBooleans,
    /// DELTA_BINARY_PACKED integers, DELTA_BYTE_ARRAY strings.
    Delta,
    /// DELTA_LENGTH_BYTE_ARRAY strings.
    DeltaLength,
    /// BYTE_STREAM_SPLIT floats, integers and fixed-length byte arrays.
    ByteStreamSplit,
}

/// The per-column encodings of a layout that sets them column by column.
fn column_encodings(layout: Layout) -> Vec<(&'static str, Encoding)> {
    let ints = [
        "label_i32",
        "label_i64",
        "label_u16",
        "meta.label",
        "labels_multi.list.item",
        "id",
    ];
    match layout {
        Layout::Delta => ints
            .iter()
            .map(|c| (*c, Encoding::DELTA_BINARY_PACKED))
            .chain([("label_str", Encoding::DELTA_BYTE_ARRAY)])
            .collect(),
        Layout::DeltaLength => vec![("label_str", Encoding::DELTA_LENGTH_BYTE_ARRAY)],
        Layout::ByteStreamSplit => ints
            .iter()
            .chain(&["target_f32", "target_f64", "label_flba"])
            .map(|c| (*c, Encoding::BYTE_STREAM_SPLIT))
            .collect(),
        _ => Vec::new(),
    }
}

/// Every codec the format defines that the writer can produce.
pub fn codecs() -> Vec<(&'static str, Compression)> {
    vec![
        ("none", Compression::UNCOMPRESSED),
        ("snappy", Compression::SNAPPY),
        ("gzip", Compression::GZIP(GzipLevel::default())),
        ("brotli", Compression::BROTLI(BrotliLevel::default())),
        ("lz4", Compression::LZ4),
        ("zstd", Compression::ZSTD(ZstdLevel::default())),
        ("lz4_raw", Compression::LZ4_RAW),
    ]
}

/// The shape of one fixture file.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub layout: Layout,
    pub version: PageVersion,
    pub compression: Compression,
    pub rows: usize,
    /// Rows per row group.
    pub row_group_rows: usize,
    /// Rows per data page; not a multiple of 8 so bit-packed values straddle pages.
    pub page_rows: usize,
    pub seed: u64,
    /// Write a bloom filter for every column that can have one.
    pub bloom_filters: bool,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            layout: Layout::Dictionary,
            version: PageVersion::V1,
            compression: Compression::SNAPPY,
            rows: 1000,
            row_group_rows: 400,
            page_rows: 37,
            seed: 7,
            bloom_filters: false,
        }
    }
}

/// A deterministic xorshift generator, so fixtures are the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A column of the fixture: its path and the values handed to the writer.
pub struct Expected {
    pub column: &'static str,
    pub slice: ColumnSlice,
}

fn slice_of<T>(
    values: &[Option<T>],
    mut push: impl FnMut(&mut Values, &T),
    empty: Values,
) -> ColumnSlice {
    let mut validity = Bitmap::new();
    let mut out = empty;
    for v in values {
        validity.push(v.is_some());
        if let Some(v) = v {
            push(&mut out, v);
        }
    }
    ColumnSlice {
        rows: values.len(),
        lists: Vec::new(),
        validity,
        values: out,
    }
}

const CLASSES: &[&str] = &["cat", "dog", "", "Łoś 🦌 ñandú", "say \"hi\", then go"];

/// Writes the standard label fixture to `path` and returns the values of each column.
pub fn write_labels(path: &Path, spec: &Spec) -> Vec<Expected> {
    let mut rng = Rng::new(spec.seed);
    let n = spec.rows;
    let label: Vec<Option<bool>> = (0..n)
        .map(|_| {
            if rng.chance(3) {
                None
            } else {
                Some(rng.chance(10))
            }
        })
        .collect();
    let label_i32: Vec<Option<i32>> = (0..n)
        .map(|_| {
            if rng.chance(5) {
                None
            } else {
                Some([0, 1, 3][rng.below(3) as usize])
            }
        })
        .collect();
    let label_i64: Vec<Option<i64>> = (0..n)
        .map(|i| match i % 50 {
            10 => Some(i64::MIN),
            11 => Some(i64::MAX),
            _ if rng.chance(4) => None,
            _ => Some(rng.below(4) as i64 - 1),
        })
        .collect();
    let label_str: Vec<Option<&str>> = (0..n)
        .map(|_| {
            if rng.chance(5) {
                None
            } else {
                Some(CLASSES[rng.below(5) as usize])
            }
        })
        .collect();
    let specials = [
        f32::NAN,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MIN_POSITIVE / 2.0,
        f32::MAX,
    ];
    let target_f32: Vec<Option<f32>> = (0..n)
        .map(|i| match i % 97 {
            k @ 0..=5 => Some(specials[k]),
            _ if rng.chance(5) => None,
            _ => Some((rng.below(1000) as f32) / 7.0),
        })
        .collect();
    let target_f64: Vec<Option<f64>> = target_f32
        .iter()
        .map(|v| v.map(|x| f64::from(x) * 3.0))
        .collect();
    let label_u16: Vec<Option<u16>> = (0..n)
        .map(|_| {
            if rng.chance(5) {
                None
            } else {
                Some([0, 1, 40000, 65535][rng.below(4) as usize])
            }
        })
        .collect();
    let label_flba: Vec<Option<[u8; 3]>> = (0..n)
        .map(|_| {
            if rng.chance(5) {
                None
            } else {
                Some([b'a', b'b' + rng.below(3) as u8, 0])
            }
        })
        .collect();
    let meta_valid: Vec<bool> = (0..n).map(|_| !rng.chance(10)).collect();
    let meta_label: Vec<Option<i32>> = (0..n)
        .map(|i| {
            if !meta_valid[i] || rng.chance(5) {
                None
            } else {
                Some(rng.below(2) as i32)
            }
        })
        .collect();

    let labels_multi: Vec<Option<Vec<Option<i32>>>> = (0..n)
        .map(|_| match rng.below(10) {
            0 => None,
            1 => Some(vec![]),
            2 => Some(vec![Some(2), None, Some(7)]),
            _ => Some(
                (0..rng.below(4))
                    .map(|_| Some(rng.below(5) as i32))
                    .collect(),
            ),
        })
        .collect();

    let meta_fields = Fields::from(vec![Field::new("label", DataType::Int32, true)]);
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("label", DataType::Boolean, true),
        Field::new("label_i32", DataType::Int32, true),
        Field::new("label_i64", DataType::Int64, true),
        Field::new("label_str", DataType::Utf8, true),
        Field::new("target_f32", DataType::Float32, true),
        Field::new("target_f64", DataType::Float64, true),
        Field::new("label_u16", DataType::UInt16, true),
        Field::new("label_flba", DataType::FixedSizeBinary(3), true),
        Field::new("meta", DataType::Struct(meta_fields.clone()), true),
        Field::new(
            "labels_multi",
            DataType::List(Arc::new(Field::new("item", DataType::Int32, true))),
            true,
        ),
    ]));
    let meta = StructArray::new(
        meta_fields,
        vec![Arc::new(Int32Array::from(meta_label.clone())) as ArrayRef],
        Some(meta_valid.iter().copied().collect()),
    );
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(0..n as i64)),
        Arc::new(BooleanArray::from(label.clone())),
        Arc::new(Int32Array::from(label_i32.clone())),
        Arc::new(Int64Array::from(label_i64.clone())),
        Arc::new(StringArray::from(label_str.clone())),
        Arc::new(Float32Array::from(target_f32.clone())),
        Arc::new(Float64Array::from(target_f64.clone())),
        Arc::new(UInt16Array::from(label_u16.clone())),
        Arc::new(
            FixedSizeBinaryArray::try_from_sparse_iter_with_size(
                label_flba.iter().map(|v| v.as_ref().map(|b| b.to_vec())),
                3,
            )
            .expect("fixed-size values"),
        ),
        Arc::new(meta),
        Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(
            labels_multi.clone(),
        )),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("a valid batch");
    write_batch(path, &batch, spec);

    vec![
        Expected {
            column: "label",
            slice: slice_of(
                &label,
                |o, v| push_bool(o, *v),
                Values::Boolean(Bitmap::new()),
            ),
        },
        Expected {
            column: "label_i32",
            slice: slice_of(&label_i32, |o, v| push_i32(o, *v), Values::Int32(vec![])),
        },
        Expected {
            column: "label_i64",
            slice: slice_of(&label_i64, |o, v| push_i64(o, *v), Values::Int64(vec![])),
        },
        Expected {
            column: "label_str",
            slice: slice_of(
                &label_str,
                |o, v| push_bytes(o, v.as_bytes()),
                Values::ByteArray(ByteArrays::new()),
            ),
        },
        Expected {
            column: "target_f32",
            slice: slice_of(&target_f32, |o, v| push_f32(o, *v), Values::Float(vec![])),
        },
        Expected {
            column: "target_f64",
            slice: slice_of(&target_f64, |o, v| push_f64(o, *v), Values::Double(vec![])),
        },
        Expected {
            column: "label_u16",
            slice: slice_of(
                &label_u16,
                |o, v| push_i32(o, i32::from(*v)),
                Values::Int32(vec![]),
            ),
        },
        Expected {
            column: "label_flba",
            slice: slice_of(
                &label_flba,
                |o, v| push_bytes(o, v),
                Values::FixedLenByteArray {
                    width: 3,
                    data: vec![],
                },
            ),
        },
        Expected {
            column: "meta.label",
            slice: slice_of(&meta_label, |o, v| push_i32(o, *v), Values::Int32(vec![])),
        },
        Expected {
            column: "labels_multi",
            slice: list_slice(&labels_multi),
        },
    ]
}

/// A list column's rows as the value model holds them: list validity and offsets per row,
/// element validity per slot, non-null element values.
fn list_slice(rows: &[Option<Vec<Option<i32>>>]) -> ColumnSlice {
    let mut shape = ListShape {
        offsets: vec![0],
        validity: Bitmap::new(),
    };
    let mut validity = Bitmap::new();
    let mut values = Vec::new();
    for row in rows {
        shape.validity.push(row.is_some());
        for element in row.iter().flatten() {
            validity.push(element.is_some());
            values.extend(element);
        }
        shape.offsets.push(validity.len());
    }
    ColumnSlice {
        rows: rows.len(),
        lists: vec![shape],
        validity,
        values: Values::Int32(values),
    }
}

fn push_bool(out: &mut Values, v: bool) {
    if let Values::Boolean(b) = out {
        b.push(v)
    }
}
fn push_i32(out: &mut Values, v: i32) {
    if let Values::Int32(x) = out {
        x.push(v)
    }
}
fn push_i64(out: &mut Values, v: i64) {
    if let Values::Int64(x) = out {
        x.push(v)
    }
}
fn push_f32(out: &mut Values, v: f32) {
    if let Values::Float(x) = out {
        x.push(v)
    }
}
fn push_f64(out: &mut Values, v: f64) {
    if let Values::Double(x) = out {
        x.push(v)
    }
}
fn push_bytes(out: &mut Values, v: &[u8]) {
    match out {
        Values::ByteArray(x) => x.push(v),
        Values::FixedLenByteArray { data, .. } => data.extend_from_slice(v),
        _ => {}
    }
}

/// Writer properties for `spec`.
pub fn properties(spec: &Spec) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_writer_version(match spec.version {
            PageVersion::V1 => WriterVersion::PARQUET_1_0,
            PageVersion::V2 => WriterVersion::PARQUET_2_0,
        })
        .set_compression(spec.compression)
        .set_max_row_group_row_count(Some(spec.row_group_rows))
        .set_data_page_row_count_limit(spec.page_rows)
        // The row-count limit is checked between write batches, so batches must be smaller.
        .set_write_batch_size(spec.page_rows);
    match spec.layout {
        Layout::Dictionary => builder = builder.set_dictionary_enabled(true),
        Layout::DictionaryFallback => {
            builder = builder
                .set_dictionary_enabled(true)
                .set_dictionary_page_size_limit(16)
        }
        Layout::Plain | Layout::RleBooleans => {
            builder = builder
                .set_dictionary_enabled(false)
                .set_encoding(Encoding::PLAIN);
            if spec.layout == Layout::RleBooleans {
                builder = builder.set_column_encoding(ColumnPath::from("label"), Encoding::RLE);
            }
        }
        Layout::Delta | Layout::DeltaLength | Layout::ByteStreamSplit => {
            builder = builder.set_dictionary_enabled(false);
            for (column, encoding) in column_encodings(spec.layout) {
                let path = ColumnPath::new(column.split('.').map(str::to_owned).collect());
                builder = builder.set_column_encoding(path, encoding);
            }
        }
    }
    if spec.bloom_filters {
        builder = builder.set_bloom_filter_enabled(true);
    }
    builder.build()
}

fn write_batch(path: &Path, batch: &RecordBatch, spec: &Spec) {
    let file = std::fs::File::create(path).expect("create fixture");
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(properties(spec))).expect("writer");
    writer.write(batch).expect("write");
    writer.close().expect("close");
}
