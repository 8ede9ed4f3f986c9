//! Summaries of a label column for locks (issue 14): per-row canonical bytes
//! (`fingerprint::row_bytes`), the keyed fingerprint (`keyed::KeyedBuilder`) and the
//! distribution (`distribution::DistributionBuilder`), each over one in-memory slice of
//! 10,000,000 rows, as `labelcheck hash` runs them over a column's windows (a 100M-row file
//! is ten of these per column).
//!
//! Columns (deterministic, xorshift): `label_i32` (0..=9, ~1% null), `label_str` (5 class
//! names, dictionary-keyed, no nulls), `score_f64` (uniform in [0, 1), ~1% null), `id_i64`
//! (distinct row ids: the keyed fingerprint's key, and a column past the class limit).
//! Every group reports elements/s (rows).
//!
//!     cargo bench --bench summaries

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use labelcheck::column_type::CellStyle;
use labelcheck::distribution::DistributionBuilder;
use labelcheck::fingerprint::row_bytes;
use labelcheck::keyed::KeyedBuilder;
use labelcheck::value::{Bitmap, ByteArrays, ColumnSlice, PhysicalType, Values};

/// Rows per slice.
const N: usize = 10_000_000;

/// The class names of `label_str`.
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
}

/// A flat slice of N rows, ~1% null when `nulls`, whose values `value(rng)` makes.
fn slice<T>(
    nulls: bool,
    mut value: impl FnMut(&mut Rng) -> T,
    wrap: impl Fn(Vec<T>) -> Values,
) -> ColumnSlice {
    let mut rng = Rng(42);
    let mut validity = Bitmap::new();
    let mut values = Vec::with_capacity(N);
    validity.extend_from_bools((0..N).map(|_| {
        let valid = !nulls || !rng.next().is_multiple_of(100);
        if valid {
            values.push(value(&mut rng));
        }
        valid
    }));
    ColumnSlice {
        rows: N,
        lists: Vec::new(),
        validity,
        values: wrap(values),
    }
}

fn bench(c: &mut Criterion) {
    let ints = slice(true, |r| (r.next() % 10) as i32, Values::Int32);
    let floats = slice(
        true,
        |r| (r.next() >> 11) as f64 / (1u64 << 53) as f64,
        Values::Double,
    );
    let ids = {
        let mut id = 0i64;
        slice(
            false,
            |_| {
                id += 1;
                id
            },
            Values::Int64,
        )
    };
    let strings = {
        let mut dictionary = ByteArrays::new();
        CLASSES.iter().for_each(|c| dictionary.push(c.as_bytes()));
        let dictionary = Arc::new(dictionary);
        slice(
            false,
            |r| (r.next() % 5) as u32,
            |keys| {
                let mut keyed = ByteArrays::new();
                keyed.extend_from_keys(&dictionary, &keys);
                Values::ByteArray(keyed)
            },
        )
    };
    let text = CellStyle {
        text: true,
        ..CellStyle::default()
    };

    let mut group = c.benchmark_group("row_bytes");
    group.throughput(Throughput::Elements(N as u64));
    for (name, column) in [("label_i32", &ints), ("label_str", &strings)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut total = 0usize;
                row_bytes(black_box(column), |_, bytes| total += bytes.len());
                total
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("keyed");
    group.throughput(Throughput::Elements(N as u64));
    for (name, label) in [("id_i64→label_i32", &ints), ("id_i64→label_str", &strings)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut builder = KeyedBuilder::new();
                builder.observe(&[black_box(&ids)], black_box(label));
                builder.finish()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("distribution");
    group.throughput(Throughput::Elements(N as u64));
    for (name, physical, style, column) in [
        (
            "label_i32",
            PhysicalType::Int32,
            CellStyle::default(),
            &ints,
        ),
        ("label_str", PhysicalType::ByteArray, text, &strings),
        (
            "score_f64",
            PhysicalType::Double,
            CellStyle::default(),
            &floats,
        ),
        (
            "id_i64 (sketch)",
            PhysicalType::Int64,
            CellStyle::default(),
            &ids,
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut builder = DistributionBuilder::of_type(physical, style);
                builder.observe(black_box(column));
                builder.finish()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .without_plots();
    targets = bench
}
criterion_main!(benches);
