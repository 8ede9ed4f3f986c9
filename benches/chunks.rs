//! Whole column chunks (issue 6): the raw path and the arrow path decoding the same chunk, then
//! the comparison and the fingerprint of what they decoded.
//!
//! The input is one in-memory file of 1,048,576 rows in one row group, written by the parquet
//! crate's arrow writer with SNAPPY and its defaults otherwise (dictionary encoding, 1 MiB /
//! 20,000-row pages, statistics and page index), holding the three label columns of
//! `shared/bench/make-bench-file`: `label_bool` (~30% true, ~1% null), `label_i32` (0..=9,
//! ~1% null) and `label_str` (5 class names, dictionary-encoded, no nulls).
//!
//! Every group reports values/s (rows); `fingerprint_bytes` measures the fingerprint again with
//! the canonical bytes it hashes (FINGERPRINT.md), for bytes/s.
//!
//!     cargo bench --bench chunks

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::{ArrayRef, BooleanArray, Int32Array, RecordBatch, StringArray};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use labelcheck::advisories::Writer;
use labelcheck::arrow_path::ArrowFile;
use labelcheck::column_type::CellStyle;
use labelcheck::compare::{compare_chunk, ChunkPosition, Testimony};
use labelcheck::decode::DecodeOptions;
use labelcheck::decode::{ColumnDecoder, DecodedChunk};
use labelcheck::fingerprint::{hash_slice, Fingerprint, FingerprintBuilder};
use labelcheck::raw::RawFile;
use labelcheck::source::{ByteSource, InMemory};
use labelcheck::value::{ColumnSlice, Values};
use labelcheck::witness_list::{WitnessName, WitnessRole};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Rows of the file: one pyarrow row group.
const N: usize = 1 << 20;

/// The leaf columns, in file order.
const COLUMNS: [&str; 3] = ["label_bool", "label_i32", "label_str"];

/// The class names of `label_str`, as in `shared/bench/make-bench-file`.
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

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The three label columns, written by the parquet crate's arrow writer.
fn labels_file() -> Vec<u8> {
    let mut rng = Rng(42);
    let booleans: BooleanArray = (0..N)
        .map(|_| {
            let null = rng.unit() < 0.01;
            let value = rng.unit() < 0.3;
            (!null).then_some(value)
        })
        .collect();
    let ints: Int32Array = (0..N)
        .map(|_| {
            let null = rng.unit() < 0.01;
            let value = (rng.unit() * 10.0) as i32;
            (!null).then_some(value)
        })
        .collect();
    let strings: StringArray = (0..N)
        .map(|_| Some(CLASSES[(rng.unit() * CLASSES.len() as f64) as usize]))
        .collect();
    let batch = RecordBatch::try_from_iter([
        (COLUMNS[0], Arc::new(booleans) as ArrayRef),
        (COLUMNS[1], Arc::new(ints) as ArrayRef),
        (COLUMNS[2], Arc::new(strings) as ArrayRef),
    ])
    .unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(N))
        .build();
    let mut writer = ArrowWriter::try_new(Vec::new(), batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.into_inner().unwrap()
}

/// Bytes of the canonical row encoding the fingerprint hashes (FINGERPRINT.md): one marker per
/// row, then the value bytes of each non-null value.
fn canonical_bytes(slice: &ColumnSlice) -> u64 {
    let values = slice.values.len() as u64;
    slice.rows as u64
        + match &slice.values {
            Values::Boolean(_) => values,
            Values::Int32(_) => 4 * values,
            Values::ByteArray(v) => 4 * values + v.data_len() as u64,
            other => panic!("no canonical size for {}", other.physical_type()),
        }
}

fn fingerprint(slice: &ColumnSlice) -> Fingerprint {
    let mut builder = FingerprintBuilder::new();
    builder.add(hash_slice(slice, 0), slice.rows as u64);
    builder.finish()
}

fn bench(c: &mut Criterion) {
    let file = labels_file();
    let size = file.len();
    let source: Arc<dyn ByteSource> = Arc::new(InMemory::new("labels.parquet", file));
    let raw = RawFile::open(source.clone(), DecodeOptions::default()).unwrap();
    let arrow = ArrowFile::open(source).unwrap();
    assert_eq!(raw.metadata().row_groups.len(), 1);
    assert_eq!(arrow.num_row_groups(), 1);

    // Decode once, check the paths agree, and keep both slices for the later groups.
    let decoded: Vec<(DecodedChunk, DecodedChunk)> = (0..COLUMNS.len())
        .map(|leaf| (raw.decode(0, leaf).unwrap(), arrow.decode(0, leaf).unwrap()))
        .collect();
    eprintln!("labels file: {size} bytes, {N} rows in one row group");
    for (name, (raw_chunk, arrow_chunk)) in COLUMNS.iter().zip(&decoded) {
        assert_eq!(raw_chunk.slice, arrow_chunk.slice, "{name}");
        assert_eq!(raw_chunk.slice.rows, N, "{name}");
        let data_pages = raw_chunk.pages.iter().filter(|p| p.rows > 0).count();
        eprintln!(
            "  {name:<11} {} nulls, {data_pages} data pages, {} canonical bytes",
            raw_chunk.slice.null_rows(),
            canonical_bytes(&raw_chunk.slice),
        );
    }

    let mut group = c.benchmark_group("chunk_decode");
    group.throughput(Throughput::Elements(N as u64));
    for (leaf, name) in COLUMNS.iter().enumerate() {
        group.bench_function(format!("{name}/raw"), |b| {
            b.iter(|| raw.decode(0, black_box(leaf)).unwrap())
        });
        group.bench_function(format!("{name}/arrow"), |b| {
            b.iter(|| arrow.decode(0, black_box(leaf)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("compare");
    group.throughput(Throughput::Elements(N as u64));
    for (name, (raw_chunk, arrow_chunk)) in COLUMNS.iter().zip(&decoded) {
        let position = ChunkPosition {
            column: name,
            pieces: &[],
            row_group: 0,
            first_row: 0,
            window_start: 0,
            group_rows: N,
            writer: Writer::default(),
        };
        let compare = || {
            compare_chunk(
                position,
                CellStyle::default(),
                &[
                    Testimony {
                        name: &WitnessName::ARROW,
                        role: WitnessRole::Decoder { screened: true },
                        slice: Some(black_box(&arrow_chunk.slice)),
                    },
                    Testimony {
                        name: &WitnessName::RAW,
                        role: WitnessRole::Leader,
                        slice: Some(black_box(&raw_chunk.slice)),
                    },
                ],
                &raw_chunk.pages,
                1000,
            )
        };
        assert!(compare().listed.is_empty(), "{name}: the paths agree");
        group.bench_function(*name, |b| b.iter(compare));
    }
    group.finish();

    let mut group = c.benchmark_group("fingerprint");
    group.throughput(Throughput::Elements(N as u64));
    for (name, (raw_chunk, arrow_chunk)) in COLUMNS.iter().zip(&decoded) {
        assert_eq!(
            fingerprint(&raw_chunk.slice),
            fingerprint(&arrow_chunk.slice)
        );
        group.bench_function(*name, |b| {
            b.iter(|| fingerprint(black_box(&raw_chunk.slice)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("fingerprint_bytes");
    for (name, (raw_chunk, _)) in COLUMNS.iter().zip(&decoded) {
        group.throughput(Throughput::Bytes(canonical_bytes(&raw_chunk.slice)));
        group.bench_function(*name, |b| {
            b.iter(|| fingerprint(black_box(&raw_chunk.slice)))
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
