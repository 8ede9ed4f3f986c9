//! The raw path's decoders, one benchmark per encoding (issue 6), each on 1,048,576 values: one
//! pyarrow row group.
//!
//! The page bodies are written by the `parquet` crate's writer (data page v1, uncompressed,
//! required columns, so a page body is just the encoded values), one page per column holding
//! all the values, and taken back out with its page reader. RLE/bit-packed hybrid levels are
//! encoded here, the way writers do it (runs of 8 or more equal values as RLE runs, the rest
//! bit-packed in groups of 8). Every input is decoded once and checked against the values it
//! was made from before it is measured.
//!
//! `raw_decode` reports values/s; `raw_decode_bytes` measures the byte-array decoders again
//! with their input size, for bytes/s. The encoded size of every input is printed at setup.
//!
//!     cargo bench --bench encodings

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use labelcheck::raw::{
    byte_stream_split, delta_binary_packed, delta_byte_array, delta_length_byte_array, dictionary,
    levels, plain, rle_boolean,
};
use labelcheck::value::{Bitmap, ByteArrays, Values};
use parquet::basic::Encoding;
use parquet::column::page::Page;
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DataType, DoubleType, FloatType, Int32Type, Int64Type,
};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;

/// Values per input: one pyarrow row group.
const N: usize = 1 << 20;

/// The class names of the string labels, as in `shared/bench/make-bench-file`.
const CLASSES: [&str; 5] = ["cat", "dog", "bird", "fish", "horse"];

/// xorshift64*: deterministic inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The values every input is made from.
struct Data {
    /// ~30% true, like `label_bool`.
    booleans: Vec<bool>,
    /// Class ids 0..=9, like `label_i32`.
    classes: Vec<i32>,
    /// 8 distinct values: dictionary indices of bit width 3.
    dict8: Vec<i32>,
    /// 4096 distinct values: dictionary indices of bit width 12.
    dict4096: Vec<i32>,
    /// Millisecond timestamps, increasing by 0..1000.
    timestamps: Vec<i64>,
    /// Scores in [0, 1).
    floats: Vec<f32>,
    doubles: Vec<f64>,
    /// Short class names.
    strings: Vec<&'static str>,
}

impl Data {
    fn new() -> Self {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut time = 1_700_000_000_000i64;
        Self {
            booleans: (0..N).map(|_| rng.unit() < 0.3).collect(),
            classes: (0..N).map(|_| rng.below(10) as i32).collect(),
            dict8: (0..N).map(|_| rng.below(8) as i32 * 1000).collect(),
            dict4096: (0..N).map(|_| rng.below(4096) as i32 * 7).collect(),
            timestamps: (0..N)
                .map(|_| {
                    time += rng.below(1000) as i64;
                    time
                })
                .collect(),
            floats: (0..N).map(|_| rng.unit() as f32).collect(),
            doubles: (0..N).map(|_| rng.unit()).collect(),
            strings: (0..N)
                .map(|_| CLASSES[rng.below(CLASSES.len() as u64) as usize])
                .collect(),
        }
    }
}

/// The columns of the writer's file, in schema order: name, physical type, encoding (`None`
/// for dictionary encoding).
const COLUMNS: [(&str, &str, Option<Encoding>); 13] = [
    ("b_plain", "boolean", Some(Encoding::PLAIN)),
    ("b_rle", "boolean", Some(Encoding::RLE)),
    ("i32_dict8", "int32", None),
    ("i32_dict4096", "int32", None),
    ("i32_plain", "int32", Some(Encoding::PLAIN)),
    ("i32_delta", "int32", Some(Encoding::DELTA_BINARY_PACKED)),
    ("i64_plain", "int64", Some(Encoding::PLAIN)),
    ("i64_delta", "int64", Some(Encoding::DELTA_BINARY_PACKED)),
    ("f32_bss", "float", Some(Encoding::BYTE_STREAM_SPLIT)),
    ("f64_bss", "double", Some(Encoding::BYTE_STREAM_SPLIT)),
    ("s_plain", "binary", Some(Encoding::PLAIN)),
    ("s_dlba", "binary", Some(Encoding::DELTA_LENGTH_BYTE_ARRAY)),
    ("s_dba", "binary", Some(Encoding::DELTA_BYTE_ARRAY)),
];

fn write_column<T: DataType>(rg: &mut SerializedRowGroupWriter<'_, Vec<u8>>, values: &[T::T]) {
    let mut column = rg.next_column().unwrap().expect("a column left to write");
    column.typed::<T>().write_batch(values, None, None).unwrap();
    column.close().unwrap();
}

/// A column's pages as the writer stored them.
struct Written {
    /// The one data page's body.
    data: Vec<u8>,
    /// The dictionary page's body, for dictionary-encoded columns.
    dictionary: Option<Vec<u8>>,
}

/// Writes every column with the parquet crate and returns each column's pages.
fn page_bodies(data: &Data) -> Vec<Written> {
    let fields: String = COLUMNS
        .iter()
        .map(|(name, physical, _)| format!("required {physical} {name};\n"))
        .collect();
    let schema = Arc::new(parse_message_type(&format!("message bench {{\n{fields}}}")).unwrap());
    let mut props = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_max_row_group_row_count(None)
        .set_data_page_size_limit(usize::MAX)
        .set_data_page_row_count_limit(usize::MAX)
        .set_dictionary_page_size_limit(usize::MAX)
        .set_write_batch_size(N)
        .set_dictionary_enabled(false);
    for (name, _, encoding) in COLUMNS {
        let path = ColumnPath::from(name);
        props = match encoding {
            Some(encoding) => props.set_column_encoding(path, encoding),
            None => props.set_column_dictionary_enabled(path, true),
        };
    }
    let mut writer =
        SerializedFileWriter::new(Vec::new(), schema, Arc::new(props.build())).unwrap();
    let mut rg = writer.next_row_group().unwrap();
    write_column::<BoolType>(&mut rg, &data.booleans);
    write_column::<BoolType>(&mut rg, &data.booleans);
    write_column::<Int32Type>(&mut rg, &data.dict8);
    write_column::<Int32Type>(&mut rg, &data.dict4096);
    write_column::<Int32Type>(&mut rg, &data.classes);
    write_column::<Int32Type>(&mut rg, &data.classes);
    write_column::<Int64Type>(&mut rg, &data.timestamps);
    write_column::<Int64Type>(&mut rg, &data.timestamps);
    write_column::<FloatType>(&mut rg, &data.floats);
    write_column::<DoubleType>(&mut rg, &data.doubles);
    let strings: Vec<ByteArray> = data.strings.iter().map(|&s| ByteArray::from(s)).collect();
    for _ in 0..3 {
        write_column::<ByteArrayType>(&mut rg, &strings);
    }
    rg.close().unwrap();
    let file = writer.into_inner().unwrap();

    let reader = SerializedFileReader::new(Bytes::from(file)).unwrap();
    let row_group = reader.get_row_group(0).unwrap();
    COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (name, _, encoding))| {
            let mut data_pages = Vec::new();
            let mut dictionary = None;
            for page in row_group.get_column_page_reader(i).unwrap() {
                match page.unwrap() {
                    Page::DataPage {
                        buf,
                        num_values,
                        encoding: written,
                        ..
                    } => {
                        assert_eq!(num_values as usize, N, "{name}");
                        assert_eq!(
                            written,
                            encoding.unwrap_or(Encoding::RLE_DICTIONARY),
                            "{name}"
                        );
                        data_pages.push(buf.to_vec());
                    }
                    Page::DictionaryPage { buf, .. } => dictionary = Some(buf.to_vec()),
                    Page::DataPageV2 { .. } => panic!("{name}: a v2 data page"),
                }
            }
            assert_eq!(data_pages.len(), 1, "{name}: one data page");
            assert_eq!(dictionary.is_some(), encoding.is_none(), "{name}");
            Written {
                data: data_pages.pop().unwrap(),
                dictionary,
            }
        })
        .collect()
}

/// Encodes `values` as an RLE/bit-packed hybrid body (no length prefix) at `bit_width`: runs of
/// at least 8 equal values (after filling the pending bit-packed group) as RLE runs, the rest
/// bit-packed in groups of 8.
fn encode_hybrid(values: &[u32], bit_width: u8) -> Vec<u8> {
    fn uleb128(mut value: u64, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push(value as u8 | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }
    fn flush(pending: &mut Vec<u32>, bit_width: u8, out: &mut Vec<u8>) {
        if pending.is_empty() {
            return;
        }
        let groups = pending.len().div_ceil(8);
        pending.resize(groups * 8, 0);
        uleb128(((groups as u64) << 1) | 1, out);
        let (mut acc, mut bits) = (0u64, 0u32);
        for &v in pending.iter() {
            acc |= u64::from(v) << bits;
            bits += u32::from(bit_width);
            while bits >= 8 {
                out.push(acc as u8);
                acc >>= 8;
                bits -= 8;
            }
        }
        pending.clear();
    }
    let value_bytes = usize::from(bit_width).div_ceil(8);
    let mut out = Vec::new();
    let mut pending = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let run = values[i..].iter().take_while(|&&v| v == values[i]).count();
        let fill = (8 - pending.len() % 8) % 8;
        if run >= fill + 8 {
            pending.extend_from_slice(&values[i..i + fill]);
            flush(&mut pending, bit_width, &mut out);
            let len = run - fill;
            uleb128((len as u64) << 1, &mut out);
            out.extend_from_slice(&values[i].to_le_bytes()[..value_bytes]);
            i += run;
        } else {
            pending.push(values[i]);
            i += 1;
        }
    }
    flush(&mut pending, bit_width, &mut out);
    out
}

/// A decoder of all N values of an input.
type Decoder = dyn Fn(&[u8]) -> Decoded;

/// One measured input.
struct Case {
    name: &'static str,
    input: Vec<u8>,
    /// Decodes all N values of `input` and returns them (dropped in the timed loop too).
    decode: Box<Decoder>,
    /// The byte-array decoders, measured again for bytes/s.
    bytes: bool,
    /// What a hybrid or dictionary-index input decodes to.
    indices: Option<Vec<u32>>,
}

impl Case {
    fn new(
        name: &'static str,
        input: Vec<u8>,
        decode: impl Fn(&[u8]) -> Decoded + 'static,
    ) -> Self {
        Self {
            name,
            input,
            decode: Box::new(decode),
            bytes: false,
            indices: None,
        }
    }
}

/// What a decoder produced, kept alive until criterion drops it.
enum Decoded {
    Values(Values),
    Bitmap(Bitmap),
    U32(Vec<u32>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

type DecodeFn = fn(&[u8], usize, &mut Values) -> labelcheck::raw::error::RawResult<usize>;

/// A decoder that appends N values to a `Values` made by `empty`, preallocated.
fn into_values(empty: fn() -> Values, decode: DecodeFn) -> impl Fn(&[u8]) -> Decoded {
    move |input| {
        let mut out = empty();
        decode(input, N, &mut out).unwrap();
        Decoded::Values(out)
    }
}

fn hybrid(width: u8) -> impl Fn(&[u8]) -> Decoded {
    move |input| {
        let mut out = Vec::with_capacity(N);
        levels::decode_rle_hybrid(input, width, N, &mut out).unwrap();
        Decoded::U32(out)
    }
}

fn cases(data: &Data) -> Vec<Case> {
    let mut written: HashMap<&str, Written> =
        COLUMNS.iter().map(|c| c.0).zip(page_bodies(data)).collect();
    let mut take = |name: &str| written.remove(name).expect("a written column");
    let booleans = || Values::Boolean(Bitmap::with_capacity(N));
    let int32 = || Values::Int32(Vec::with_capacity(N));
    let int64 = || Values::Int64(Vec::with_capacity(N));
    let float = || Values::Float(Vec::with_capacity(N));
    let double = || Values::Double(Vec::with_capacity(N));
    let byte_arrays = || {
        let mut out = ByteArrays::new();
        out.reserve(N, N * 5);
        Values::ByteArray(out)
    };

    let mut cases = vec![
        Case::new(
            "plain_boolean",
            take("b_plain").data,
            into_values(booleans, plain::decode_plain),
        ),
        Case::new("rle_boolean", take("b_rle").data, |input| {
            let mut out = Bitmap::with_capacity(N);
            rle_boolean::decode_rle_booleans(input, N, &mut out).unwrap();
            Decoded::Bitmap(out)
        }),
    ];

    // Levels: uniformly random at each width (almost all bit-packed), and the definition levels
    // of an optional column with 1% nulls (RLE runs of 1 between bit-packed stretches).
    let mut rng = Rng(42);
    for (name, width) in [
        ("hybrid_w1_random", 1u8),
        ("hybrid_w2_random", 2),
        ("hybrid_w4_random", 4),
        ("hybrid_w8_random", 8),
    ] {
        let values: Vec<u32> = (0..N).map(|_| rng.below(1 << width) as u32).collect();
        let mut case = Case::new(name, encode_hybrid(&values, width), hybrid(width));
        case.indices = Some(values);
        cases.push(case);
    }
    let def: Vec<u32> = (0..N).map(|_| u32::from(rng.unit() >= 0.01)).collect();
    let mut case = Case::new("hybrid_w1_def_1pct_null", encode_hybrid(&def, 1), hybrid(1));
    case.indices = Some(def);
    cases.push(case);

    // Dictionary indices as the writer made them; the expected indices come from its
    // dictionary page.
    for (name, column, values, width) in [
        ("dict_indices_w3", "i32_dict8", &data.dict8, 3),
        ("dict_indices_w12", "i32_dict4096", &data.dict4096, 12),
    ] {
        let Written {
            data: input,
            dictionary: page,
        } = take(column);
        assert_eq!(input[0], width, "{name}: bit width byte");
        let page = page.unwrap();
        let mut entries = Values::Int32(Vec::new());
        plain::decode_plain(&page, page.len() / 4, &mut entries).unwrap();
        let Values::Int32(entries) = entries else {
            unreachable!()
        };
        let index: HashMap<i32, u32> = entries
            .iter()
            .enumerate()
            .map(|(i, &v)| (v, i as u32))
            .collect();
        let mut case = Case::new(name, input, |input| {
            let mut out = Vec::with_capacity(N);
            dictionary::decode_indices(input, N, &mut out).unwrap();
            Decoded::U32(out)
        });
        case.indices = Some(values.iter().map(|v| index[v]).collect());
        cases.push(case);
    }

    cases.extend([
        Case::new("delta_binary_packed_i32", take("i32_delta").data, |input| {
            let mut out = Vec::with_capacity(N);
            delta_binary_packed::decode_delta_i32(input, N, &mut out).unwrap();
            Decoded::I32(out)
        }),
        Case::new("delta_binary_packed_i64", take("i64_delta").data, |input| {
            let mut out = Vec::with_capacity(N);
            delta_binary_packed::decode_delta_i64(input, N, &mut out).unwrap();
            Decoded::I64(out)
        }),
        Case::new(
            "byte_stream_split_f32",
            take("f32_bss").data,
            into_values(float, byte_stream_split::decode),
        ),
        Case::new(
            "byte_stream_split_f64",
            take("f64_bss").data,
            into_values(double, byte_stream_split::decode),
        ),
        Case::new(
            "plain_i32",
            take("i32_plain").data,
            into_values(int32, plain::decode_plain),
        ),
        Case::new(
            "plain_i64",
            take("i64_plain").data,
            into_values(int64, plain::decode_plain),
        ),
    ]);
    let mut strings = [
        Case::new(
            "plain_byte_array",
            take("s_plain").data,
            into_values(byte_arrays, plain::decode_plain),
        ),
        Case::new("delta_length_byte_array", take("s_dlba").data, |input| {
            let mut out = ByteArrays::new();
            out.reserve(N, N * 5);
            delta_length_byte_array::decode(input, N, &mut out).unwrap();
            Decoded::Values(Values::ByteArray(out))
        }),
        Case::new(
            "delta_byte_array",
            take("s_dba").data,
            into_values(byte_arrays, delta_byte_array::decode),
        ),
    ];
    for case in &mut strings {
        case.bytes = true;
    }
    cases.extend(strings);
    cases
}

/// Checks one decode of `case` against the values its input was made from.
fn check(case: &Case, data: &Data) {
    let name = case.name;
    match (&(case.decode)(&case.input), &case.indices) {
        (Decoded::U32(decoded), Some(expected)) => assert_eq!(decoded, expected, "{name}"),
        (Decoded::Values(Values::Boolean(bits)) | Decoded::Bitmap(bits), None) => {
            assert!(bits.iter().eq(data.booleans.iter().copied()), "{name}")
        }
        (Decoded::I32(v) | Decoded::Values(Values::Int32(v)), None) => {
            assert_eq!(v, &data.classes, "{name}")
        }
        (Decoded::I64(v) | Decoded::Values(Values::Int64(v)), None) => {
            assert_eq!(v, &data.timestamps, "{name}")
        }
        (Decoded::Values(Values::Float(v)), None) => assert_eq!(v, &data.floats, "{name}"),
        (Decoded::Values(Values::Double(v)), None) => assert_eq!(v, &data.doubles, "{name}"),
        (Decoded::Values(Values::ByteArray(v)), None) => assert!(
            v.iter().eq(data.strings.iter().map(|s| s.as_bytes())),
            "{name}"
        ),
        _ => panic!("{name}: unexpected output"),
    }
}

fn bench(c: &mut Criterion) {
    let data = Data::new();
    let cases = cases(&data);
    for case in &cases {
        check(case, &data);
    }
    eprintln!("encoded inputs ({N} values each):");
    for case in &cases {
        eprintln!("  {:<26} {:>9} bytes", case.name, case.input.len());
    }

    let mut group = c.benchmark_group("raw_decode");
    group.throughput(Throughput::Elements(N as u64));
    for case in &cases {
        group.bench_function(case.name, |b| {
            b.iter(|| (case.decode)(black_box(&case.input)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("raw_decode_bytes");
    for case in cases.iter().filter(|case| case.bytes) {
        group.throughput(Throughput::Bytes(case.input.len() as u64));
        group.bench_function(case.name, |b| {
            b.iter(|| (case.decode)(black_box(&case.input)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .without_plots();
    targets = bench
}
criterion_main!(benches);
