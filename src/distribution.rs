//! Distribution summaries of label columns and the drift between two of them (docs/LOCK.md,
//! "Distributions" and "Drift").
//!
//! A lock must be byte-identical however the work was split: a column is summarised by many
//! builders (row groups, windows, threads, files) merged in whatever order they finish. So
//! every part of a summary is a function of the *multiset* of values, never of their order:
//! counts add, maxima and minima commute, the sum of floats is kept exactly (an integer in
//! units of the smallest subnormal), and the sketches hold counts per bucket (floats) or
//! register maxima (HyperLogLog), which merge by addition and by maximum.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::column_type::CellStyle;
use crate::columns::CheckedColumn;
use crate::value::{ColumnSlice, PhysicalType, Value, Values};

/// Most distinct values listed as classes; a column with more is summarised by a count-distinct
/// sketch. 1,000 holds ImageNet's classes; a column with more distinct values is an identifier
/// or free text rather than a class label, and its list would swamp a lock read in review.
pub const CLASS_LIMIT: usize = 1_000;

/// Most bytes the distinct byte-string classes may hold together before the column is
/// summarised by the sketch: long strings (captions, documents) are not classes either, and
/// this bounds the builder's memory and the lock's size.
pub const CLASS_BYTES_LIMIT: usize = 64 * 1024;

/// The quantiles listed for float columns.
pub const QUANTILES: [f64; 9] = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

/// Mantissa bits that split each power of two of the float sketch: 64 buckets per octave, so a
/// quantile (a bucket's bound nearer zero) is within 1/64 (1.6%) of a value in its bucket.
const SKETCH_BITS: u32 = 6;

/// Mantissa bits that split each power of two of the histogram kept in a lock for drift: 4
/// buckets per octave (from 0.5: 0.5, 0.625, 0.75, 0.875, 1, 1.25 …), coarse enough that a
/// column's histogram stays short.
pub const HISTOGRAM_BITS: u32 = 2;

/// Integers 0 .. DENSE are counted in an array, the common case of class labels.
const DENSE: usize = 1024;

/// HyperLogLog precision: 2^14 registers, a standard error of 1.04 / √16384 ≈ 0.8%.
const HLL_PRECISION: u32 = 14;

/// The value kinds a column's summary is made of.
#[derive(Clone, Debug)]
enum Tally {
    Booleans { falses: u64, trues: u64 },
    Integers(Counted<IntClasses>),
    Bytes(Counted<ByteClasses>),
    Floats(Box<FloatTally>),
}

/// Exact classes while they fit the limits, then the sketch.
#[derive(Clone, Debug)]
enum Counted<C> {
    Exact(C),
    Sketch(Hll),
}

/// Builds the [`Distribution`] of one column from slices of its values; builders of any
/// parts of the column, merged in any order, finish to the same distribution.
#[derive(Clone, Debug)]
pub struct DistributionBuilder {
    physical: PhysicalType,
    style: CellStyle,
    rows: u64,
    values: u64,
    nulls: u64,
    tally: Tally,
}

impl DistributionBuilder {
    /// A builder for `column`, with no values yet.
    pub fn new(column: &CheckedColumn) -> Self {
        Self::of_type(column.physical, column.style)
    }

    /// A builder for values of `physical` type shown in `style`, without a column (benches,
    /// values read from elsewhere).
    pub fn of_type(physical: PhysicalType, style: CellStyle) -> Self {
        let tally = match physical {
            PhysicalType::Boolean => Tally::Booleans {
                falses: 0,
                trues: 0,
            },
            PhysicalType::Int32 | PhysicalType::Int64 => {
                Tally::Integers(Counted::Exact(IntClasses::default()))
            }
            PhysicalType::Float | PhysicalType::Double => Tally::Floats(Box::default()),
            PhysicalType::Int96 | PhysicalType::ByteArray | PhysicalType::FixedLenByteArray => {
                Tally::Bytes(Counted::Exact(ByteClasses::default()))
            }
        };
        Self {
            physical,
            style,
            rows: 0,
            values: 0,
            nulls: 0,
            tally,
        }
    }

    /// Adds the rows of `slice`: its leaf values, null slots and rows (a nested column's null
    /// or empty lists hold no slot, and are counted by no class).
    pub fn observe(&mut self, slice: &ColumnSlice) {
        let physical = self.physical;
        let nulls = slice.null_slots();
        self.rows += slice.rows as u64;
        self.nulls += nulls as u64;
        self.values += (slice.validity.len() - nulls) as u64;
        match (&mut self.tally, &slice.values) {
            (Tally::Booleans { falses, trues }, Values::Boolean(bits)) => {
                let ones = bits.count_ones() as u64;
                *trues += ones;
                *falses += bits.len() as u64 - ones;
            }
            (Tally::Integers(counted), Values::Int32(v)) => {
                counted.observe_ints(v.iter().map(|&x| i64::from(x)))
            }
            (Tally::Integers(counted), Values::Int64(v)) => counted.observe_ints(v.iter().copied()),
            (Tally::Floats(floats), Values::Float(v)) => {
                v.iter().for_each(|&x| floats.observe(f64::from(x)))
            }
            (Tally::Floats(floats), Values::Double(v)) => v.iter().for_each(|&x| floats.observe(x)),
            (Tally::Bytes(counted), Values::ByteArray(strings)) => match strings.keyed() {
                // Each dictionary entry is looked up once, with the number of rows using it.
                Some((dictionary, keys)) if dictionary.len() <= keys.len() => {
                    let mut uses = vec![0u64; dictionary.len()];
                    keys.iter().for_each(|&k| uses[k as usize] += 1);
                    for (entry, &n) in uses.iter().enumerate().filter(|(_, &n)| n > 0) {
                        counted.observe_bytes(dictionary.get(entry), n);
                    }
                }
                _ => strings.iter().for_each(|s| counted.observe_bytes(s, 1)),
            },
            (Tally::Bytes(counted), Values::FixedLenByteArray { width, data }) => {
                // Zero-width values are all one (empty) class.
                let empty = slice.validity.count_ones() as u64;
                match width {
                    0 if empty > 0 => counted.observe_bytes(&[], empty),
                    0 => {}
                    _ => data
                        .chunks_exact(*width)
                        .for_each(|v| counted.observe_bytes(v, 1)),
                }
            }
            (Tally::Bytes(counted), Values::Int96(v)) => {
                v.iter().for_each(|v| counted.observe_bytes(v, 1))
            }
            (_, values) => unreachable!(
                "{} values observed by a {} distribution",
                values.physical_type(),
                physical
            ),
        }
    }

    /// The physical type of the values it summarises: builders merge only with builders of
    /// the same type (a column whose type differs between files is two columns to a lock).
    pub fn physical(&self) -> PhysicalType {
        self.physical
    }

    /// Adds what `other`, a builder of the same column, has seen. Panics when `other`
    /// summarises values of another physical type ([`Self::physical`]): a caller's error,
    /// never the data's.
    pub fn merge(&mut self, other: DistributionBuilder) {
        assert_eq!(
            self.physical, other.physical,
            "distributions of different physical types merged"
        );
        self.rows += other.rows;
        self.values += other.values;
        self.nulls += other.nulls;
        match (&mut self.tally, other.tally) {
            (
                Tally::Booleans { falses, trues },
                Tally::Booleans {
                    falses: f,
                    trues: t,
                },
            ) => {
                *falses += f;
                *trues += t;
            }
            (Tally::Integers(mine), Tally::Integers(theirs)) => mine.merge(theirs),
            (Tally::Bytes(mine), Tally::Bytes(theirs)) => mine.merge(theirs),
            (Tally::Floats(mine), Tally::Floats(theirs)) => mine.merge(&theirs),
            _ => unreachable!("distributions of different columns merged"),
        }
    }

    /// The distribution of everything observed.
    pub fn finish(self) -> Distribution {
        let cell = |value: Value<'_>| Class::of(value, self.style);
        let summary = match self.tally {
            Tally::Booleans { falses, trues } => Summary::Classes(
                [(false, falses), (true, trues)]
                    .into_iter()
                    .filter(|&(_, n)| n > 0)
                    .map(|(b, count)| ClassCount {
                        value: cell(Value::Boolean(b)),
                        count,
                    })
                    .collect(),
            ),
            Tally::Integers(Counted::Exact(classes)) => {
                let mut counts = classes.counts();
                // Numeric order, as the column's style reads the stored bits.
                let unsigned = self.style.unsigned;
                let physical = self.physical;
                counts.sort_unstable_by_key(|&(v, _)| match (unsigned, physical) {
                    (true, PhysicalType::Int32) => i128::from(v as i32 as u32),
                    (true, _) => i128::from(v as u64),
                    (false, _) => i128::from(v),
                });
                Summary::Classes(
                    counts
                        .into_iter()
                        .map(|(v, count)| ClassCount {
                            value: cell(match physical {
                                PhysicalType::Int32 => Value::Int32(v as i32),
                                _ => Value::Int64(v),
                            }),
                            count,
                        })
                        .collect(),
                )
            }
            Tally::Bytes(Counted::Exact(classes)) => {
                let mut counts: Vec<(Vec<u8>, u64)> = classes.counts.into_iter().collect();
                counts.sort_unstable();
                let physical = self.physical;
                Summary::Classes(
                    counts
                        .iter()
                        .map(|(bytes, count)| ClassCount {
                            value: cell(match physical {
                                PhysicalType::Int96 => Value::Int96(
                                    bytes
                                        .as_slice()
                                        .try_into()
                                        .expect("INT96 values are 12 bytes"),
                                ),
                                _ => Value::Bytes(bytes),
                            }),
                            count: *count,
                        })
                        .collect(),
                )
            }
            Tally::Integers(Counted::Sketch(hll)) | Tally::Bytes(Counted::Sketch(hll)) => {
                Summary::Distinct(DistinctEstimate {
                    estimate: hll.estimate(),
                })
            }
            Tally::Floats(floats) => Summary::Floats(floats.summary()),
        };
        Distribution {
            rows: self.rows,
            values: self.values,
            nulls: self.nulls,
            summary,
        }
    }
}

/// A hasher for integer keys: one multiply-xorshift round per key (the keys of a class map
/// are few; its order is never used).
#[derive(Default)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = mix64(self.0 ^ x);
    }

    #[inline]
    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }
}

/// The 64-bit finaliser of MurmurHash3 (fmix64): a bijection whose every output bit depends on
/// every input bit.
#[inline]
fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Exact counts of integer classes.
#[derive(Clone, Debug, Default)]
struct IntClasses {
    /// Counts of 0 .. DENSE, allocated at the first such value.
    dense: Vec<u64>,
    /// Classes among `dense`.
    dense_classes: usize,
    /// Counts of the others.
    sparse: HashMap<i64, u64, BuildHasherDefault<IntHasher>>,
}

impl IntClasses {
    fn classes(&self) -> usize {
        self.dense_classes + self.sparse.len()
    }

    /// Adds `n` of `v`; true when that made one class too many.
    #[inline]
    fn add(&mut self, v: i64, n: u64) -> bool {
        if (v as u64) < DENSE as u64 {
            if self.dense.is_empty() {
                self.dense = vec![0; DENSE];
            }
            let count = &mut self.dense[v as usize];
            if *count == 0 {
                self.dense_classes += 1;
                *count = n;
                return self.classes() > CLASS_LIMIT;
            }
            *count += n;
            return false;
        }
        let before = self.sparse.len();
        *self.sparse.entry(v).or_insert(0) += n;
        self.sparse.len() > before && self.classes() > CLASS_LIMIT
    }

    /// Every class and its count.
    fn counts(&self) -> Vec<(i64, u64)> {
        let dense = self.dense.iter().enumerate().filter(|(_, &n)| n > 0);
        dense
            .map(|(v, &n)| (v as i64, n))
            .chain(self.sparse.iter().map(|(&v, &n)| (v, n)))
            .collect()
    }
}

/// Exact counts of byte-string classes.
#[derive(Clone, Debug, Default)]
struct ByteClasses {
    counts: HashMap<Vec<u8>, u64, BuildHasherDefault<twox_hash::XxHash64>>,
    /// Bytes of all classes together.
    bytes: usize,
}

impl ByteClasses {
    /// Adds `n` of `v`; true when that went past a limit.
    #[inline]
    fn add(&mut self, v: &[u8], n: u64) -> bool {
        if let Some(count) = self.counts.get_mut(v) {
            *count += n;
            return false;
        }
        self.counts.insert(v.to_vec(), n);
        self.bytes += v.len();
        self.counts.len() > CLASS_LIMIT || self.bytes > CLASS_BYTES_LIMIT
    }
}

/// The HyperLogLog hash of an integer class: xxh64 (seed 0) of it as 8 bytes little-endian.
fn int_hash(v: i64) -> u64 {
    twox_hash::XxHash64::oneshot(0, &v.to_le_bytes())
}

/// The HyperLogLog hash of a byte-string class: xxh64 (seed 0) of its bytes.
fn bytes_hash(v: &[u8]) -> u64 {
    twox_hash::XxHash64::oneshot(0, v)
}

impl Counted<IntClasses> {
    fn observe_ints(&mut self, values: impl Iterator<Item = i64>) {
        for v in values {
            match self {
                Counted::Exact(classes) => {
                    if classes.add(v, 1) {
                        self.switch_to_sketch();
                    }
                }
                Counted::Sketch(hll) => hll.insert(int_hash(v)),
            }
        }
    }

    /// Moves to the sketch, with every class seen so far.
    fn switch_to_sketch(&mut self) {
        if let Counted::Exact(classes) = self {
            let mut hll = Hll::new();
            classes
                .counts()
                .iter()
                .for_each(|&(v, _)| hll.insert(int_hash(v)));
            *self = Counted::Sketch(hll);
        }
    }

    fn merge(&mut self, other: Counted<IntClasses>) {
        match other {
            Counted::Exact(theirs) => {
                for (v, n) in theirs.counts() {
                    match self {
                        Counted::Exact(mine) => {
                            if mine.add(v, n) {
                                self.switch_to_sketch();
                            }
                        }
                        Counted::Sketch(hll) => hll.insert(int_hash(v)),
                    }
                }
            }
            Counted::Sketch(theirs) => {
                self.switch_to_sketch();
                if let Counted::Sketch(mine) = self {
                    mine.merge(&theirs);
                }
            }
        }
    }
}

impl Counted<ByteClasses> {
    #[inline]
    fn observe_bytes(&mut self, v: &[u8], n: u64) {
        match self {
            Counted::Exact(classes) => {
                if classes.add(v, n) {
                    self.switch_to_sketch();
                }
            }
            Counted::Sketch(hll) => hll.insert(bytes_hash(v)),
        }
    }

    /// Moves to the sketch, with every class seen so far.
    fn switch_to_sketch(&mut self) {
        if let Counted::Exact(classes) = self {
            let mut hll = Hll::new();
            classes
                .counts
                .keys()
                .for_each(|v| hll.insert(bytes_hash(v)));
            *self = Counted::Sketch(hll);
        }
    }

    fn merge(&mut self, other: Counted<ByteClasses>) {
        match other {
            Counted::Exact(theirs) => {
                for (v, n) in &theirs.counts {
                    self.observe_bytes(v, *n);
                }
            }
            Counted::Sketch(theirs) => {
                self.switch_to_sketch();
                if let Counted::Sketch(mine) = self {
                    mine.merge(&theirs);
                }
            }
        }
    }
}

/// A HyperLogLog count-distinct sketch (Flajolet et al. 2007, with Heule et al.'s 64-bit
/// hash, so no large-range correction): each register keeps the maximum rank seen, so the
/// registers depend only on the set of values, not on their order or repetition.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Hll {
    registers: Vec<u8>,
}

impl Hll {
    fn new() -> Self {
        Self {
            registers: vec![0; 1 << HLL_PRECISION],
        }
    }

    #[inline]
    fn insert(&mut self, hash: u64) {
        let register = (hash >> (64 - HLL_PRECISION)) as usize;
        // The rank: 1 + leading zeros of the remaining bits; the sentinel bit caps it.
        let rest = (hash << HLL_PRECISION) | (1 << (HLL_PRECISION - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        let slot = &mut self.registers[register];
        *slot = (*slot).max(rank);
    }

    fn merge(&mut self, other: &Hll) {
        for (mine, &theirs) in self.registers.iter_mut().zip(&other.registers) {
            *mine = (*mine).max(theirs);
        }
    }

    /// The estimated number of distinct values.
    fn estimate(&self) -> u64 {
        let m = self.registers.len() as f64;
        // Σ 2^-register as an exact integer in units of 2^-64, so the sum has no rounding
        // and no order.
        let sum: u128 = self
            .registers
            .iter()
            .map(|&r| 1u128 << (64 - u32::from(r)))
            .sum();
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / (sum as f64 / 2f64.powi(64));
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            // Linear counting for small cardinalities.
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }
}

/// The exact sum of finite doubles: a fixed-point integer in units of 2^-1074 (the smallest
/// subnormal), in 32-bit digits held in 64-bit limbs so that additions need no carry until
/// 2^30 of them have been made. Exact, so the sum does not depend on the order of the values.
#[derive(Clone, Debug)]
struct ExactSum {
    /// Limb i holds digit i, of weight 2^(32 i - 1074); the last limb carries the sign.
    limbs: [i64; SUM_LIMBS],
    /// Additions since the last carry.
    pending: u32,
}

/// 2^-1074 .. 2^1024 is 2,098 bits, 66 digits; two more hold the carries of 2^64 additions.
const SUM_LIMBS: usize = 68;

impl Default for ExactSum {
    fn default() -> Self {
        Self {
            limbs: [0; SUM_LIMBS],
            pending: 0,
        }
    }
}

impl ExactSum {
    /// Adds a finite `x`.
    #[inline]
    fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as usize;
        let fraction = bits & ((1 << 52) - 1);
        // x = mantissa · 2^(position - 1074).
        let (mantissa, position) = match exponent {
            0 => (fraction, 0),
            e => (fraction | (1 << 52), e - 1),
        };
        let (digit, shift) = (position / 32, position % 32);
        let wide = u128::from(mantissa) << shift;
        let parts = [
            (wide & 0xffff_ffff) as i64,
            ((wide >> 32) & 0xffff_ffff) as i64,
            (wide >> 64) as i64,
        ];
        let negative = bits >> 63 == 1;
        for (limb, part) in self.limbs[digit..digit + 3].iter_mut().zip(parts) {
            if negative {
                *limb -= part;
            } else {
                *limb += part;
            }
        }
        self.pending += 1;
        if self.pending == 1 << 30 {
            self.carry();
        }
    }

    /// Brings every limb but the last into 0 .. 2^32; the number is unchanged.
    fn carry(&mut self) {
        for i in 0..SUM_LIMBS - 1 {
            let carry = self.limbs[i] >> 32;
            self.limbs[i] -= carry << 32;
            self.limbs[i + 1] += carry;
        }
        self.pending = 0;
    }

    fn merge(&mut self, other: &ExactSum) {
        self.carry();
        let mut other = other.clone();
        other.carry();
        for (mine, theirs) in self.limbs.iter_mut().zip(other.limbs) {
            *mine += theirs;
        }
        self.carry();
    }

    /// The sum divided by `count`, rounded to a double: from the sum's top 96 bits, which
    /// depend only on the sum (the limbs are carried first), so the mean is a function of the
    /// values alone.
    fn mean(&self, count: u64) -> f64 {
        let mut sum = self.clone();
        sum.carry();
        let negative = sum.limbs[SUM_LIMBS - 1] < 0;
        if negative {
            sum.limbs.iter_mut().for_each(|limb| *limb = -*limb);
            sum.carry();
        }
        let Some(top) = sum.limbs.iter().rposition(|&limb| limb != 0) else {
            return 0.0;
        };
        let low = top.saturating_sub(2);
        let mut wide = 0u128;
        for limb in sum.limbs[low..=top].iter().rev() {
            wide = (wide << 32) | *limb as u128;
        }
        let mean = scale(wide as f64 / count as f64, 32 * low as i32 - 1074);
        if negative {
            -mean
        } else {
            mean
        }
    }
}

/// `x · 2^exponent`, by exact steps (each power of two is a normal double).
fn scale(mut x: f64, mut exponent: i32) -> f64 {
    while exponent != 0 {
        let step = exponent.clamp(-1000, 1000);
        x *= f64::from_bits(((1023 + step) as u64) << 52);
        exponent -= step;
    }
    x
}

/// A float's sketch bucket: its magnitude's exponent and top [`SKETCH_BITS`] mantissa bits,
/// which orders buckets as the magnitudes they hold.
#[inline]
fn sketch_bucket(magnitude_bits: u64) -> usize {
    (magnitude_bits >> (52 - SKETCH_BITS)) as usize
}

/// Counts of buckets `base ..`, grown to the buckets seen.
#[derive(Clone, Debug, Default)]
struct Buckets {
    base: usize,
    counts: Vec<u64>,
}

impl Buckets {
    #[inline]
    fn add(&mut self, bucket: usize, n: u64) {
        if self.counts.is_empty() {
            self.base = bucket;
            self.counts.push(0);
        } else if bucket < self.base {
            // Grown downwards by at least the current length, so values arriving in
            // descending order cost amortised constant time, as ascending ones do.
            let base = bucket.min(self.base.saturating_sub(self.counts.len()));
            let more = self.base - base;
            self.counts.splice(0..0, std::iter::repeat_n(0, more));
            self.base = base;
        } else if bucket >= self.base + self.counts.len() {
            self.counts.resize(bucket - self.base + 1, 0);
        }
        self.counts[bucket - self.base] += n;
    }

    /// The buckets holding values, in order, with their counts.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (usize, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (self.base + i, n))
    }
}

/// What float values add up to.
#[derive(Clone, Debug, Default)]
struct FloatTally {
    nan: u64,
    zeros: u64,
    positive_infinities: u64,
    negative_infinities: u64,
    /// Finite non-zero values by magnitude, per sign.
    positive: Buckets,
    negative: Buckets,
    /// Of the values that are not NaN, in the total order (-0.0 below 0.0).
    min: Option<f64>,
    max: Option<f64>,
    sum: ExactSum,
}

/// One ordered group of the float sketch: a sign's bucket, zero or an infinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    NegativeInfinity,
    Negative(usize),
    Zero,
    Positive(usize),
    PositiveInfinity,
}

impl FloatTally {
    #[inline]
    fn observe(&mut self, x: f64) {
        if x.is_nan() {
            self.nan += 1;
            return;
        }
        if self.min.is_none_or(|m| x.total_cmp(&m).is_lt()) {
            self.min = Some(x);
        }
        if self.max.is_none_or(|m| x.total_cmp(&m).is_gt()) {
            self.max = Some(x);
        }
        if x == 0.0 {
            self.zeros += 1;
        } else if x.is_infinite() {
            if x > 0.0 {
                self.positive_infinities += 1;
            } else {
                self.negative_infinities += 1;
            }
        } else {
            self.sum.add(x);
            let magnitude = x.to_bits() & !(1 << 63);
            if x > 0.0 {
                self.positive.add(sketch_bucket(magnitude), 1);
            } else {
                self.negative.add(sketch_bucket(magnitude), 1);
            }
        }
    }

    fn merge(&mut self, other: &FloatTally) {
        self.nan += other.nan;
        self.zeros += other.zeros;
        self.positive_infinities += other.positive_infinities;
        self.negative_infinities += other.negative_infinities;
        other
            .positive
            .iter()
            .for_each(|(b, n)| self.positive.add(b, n));
        other
            .negative
            .iter()
            .for_each(|(b, n)| self.negative.add(b, n));
        for x in other.min.into_iter().chain(other.max) {
            if self.min.is_none_or(|m| x.total_cmp(&m).is_lt()) {
                self.min = Some(x);
            }
            if self.max.is_none_or(|m| x.total_cmp(&m).is_gt()) {
                self.max = Some(x);
            }
        }
        self.sum.merge(&other.sum);
    }

    /// Every group holding values, from the lowest values to the highest.
    fn groups(&self) -> Vec<(Group, u64)> {
        let mut groups = vec![(Group::NegativeInfinity, self.negative_infinities)];
        groups.extend(
            self.negative
                .iter()
                .rev()
                .map(|(b, n)| (Group::Negative(b), n)),
        );
        groups.push((Group::Zero, self.zeros));
        groups.extend(self.positive.iter().map(|(b, n)| (Group::Positive(b), n)));
        groups.push((Group::PositiveInfinity, self.positive_infinities));
        groups.retain(|&(_, n)| n > 0);
        groups
    }

    fn summary(&self) -> FloatSummary {
        let groups = self.groups();
        let ordered: u64 = groups.iter().map(|&(_, n)| n).sum();
        let (min, max) = (self.min.unwrap_or(0.0), self.max.unwrap_or(0.0));
        // Bounds are clamped to the values seen, so a column of one value reads that value.
        let clamp = |x: f64| {
            if x.total_cmp(&min).is_lt() {
                min
            } else if x.total_cmp(&max).is_gt() {
                max
            } else {
                x
            }
        };
        // A bucket stands for its magnitude's lower bound: the value truncated to its top
        // SKETCH_BITS mantissa bits, exact for values with few significant bits (0.5, 0.75,
        // integers below 128).
        let bound = |bucket: usize| f64::from_bits((bucket as u64) << (52 - SKETCH_BITS));
        let quantiles = if ordered == 0 {
            Vec::new()
        } else {
            QUANTILES
                .iter()
                .map(|&q| {
                    // Nearest rank: the smallest value with at least q·n values at or below it.
                    let rank = ((q * ordered as f64).ceil() as u64).clamp(1, ordered);
                    let mut seen = 0;
                    let group = groups
                        .iter()
                        .find(|&&(_, n)| {
                            seen += n;
                            seen >= rank
                        })
                        .expect("the rank is at most the count")
                        .0;
                    let value = match group {
                        Group::NegativeInfinity => f64::NEG_INFINITY,
                        Group::Negative(b) => clamp(-bound(b)),
                        Group::Zero => clamp(0.0),
                        Group::Positive(b) => clamp(bound(b)),
                        Group::PositiveInfinity => f64::INFINITY,
                    };
                    Quantile {
                        q,
                        value: FloatValue(value),
                    }
                })
                .collect()
        };
        let mean = match (self.positive_infinities > 0, self.negative_infinities > 0) {
            (true, true) => None,
            (true, false) => Some(f64::INFINITY),
            (false, true) => Some(f64::NEG_INFINITY),
            (false, false) => (ordered > 0).then(|| self.sum.mean(ordered)),
        };
        FloatSummary {
            nan: self.nan,
            min: self.min.map(FloatValue),
            max: self.max.map(FloatValue),
            mean: mean.map(FloatValue),
            quantiles,
            histogram: histogram(&groups),
        }
    }
}

/// The lock's histogram: the sketch's groups with buckets joined into [`HISTOGRAM_BITS`]
/// buckets per octave.
fn histogram(groups: &[(Group, u64)]) -> Vec<HistogramBucket> {
    let shift = 52 - HISTOGRAM_BITS;
    let bound = |coarse: u64| f64::from_bits(coarse << shift);
    let mut out: Vec<HistogramBucket> = Vec::new();
    for &(group, count) in groups {
        let (from, to) = match group {
            Group::NegativeInfinity => (f64::NEG_INFINITY, f64::NEG_INFINITY),
            Group::Zero => (0.0, 0.0),
            Group::PositiveInfinity => (f64::INFINITY, f64::INFINITY),
            Group::Negative(b) | Group::Positive(b) => {
                let coarse = (b as u64) >> (SKETCH_BITS - HISTOGRAM_BITS);
                let sign = if matches!(group, Group::Negative(_)) {
                    -1.0
                } else {
                    1.0
                };
                (sign * bound(coarse), sign * bound(coarse + 1))
            }
        };
        match out.last_mut() {
            Some(last) if last.from == FloatValue(from) && last.to == FloatValue(to) => {
                last.count += count
            }
            _ => out.push(HistogramBucket {
                from: FloatValue(from),
                to: FloatValue(to),
                count,
            }),
        }
    }
    out
}

/// A class: one value shown as report cells show it (the column's [`CellStyle`]): `true`, an
/// integer, or a string (text, hex bytes, or an unsigned 64-bit integer past `i64::MAX`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Class {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Text, or bytes as hex, or a large unsigned integer.
    Text(String),
}

impl Class {
    /// `value` as the report's cell shows it.
    fn of(value: Value<'_>, style: CellStyle) -> Self {
        match serde_json::to_value(crate::compare::cell(value, style)) {
            Ok(serde_json::Value::Bool(b)) => Self::Bool(b),
            Ok(serde_json::Value::Number(n)) if n.is_i64() => {
                Self::Int(n.as_i64().expect("checked"))
            }
            Ok(serde_json::Value::String(s)) => Self::Text(s),
            other => unreachable!("a class value is not shown as {other:?}"),
        }
    }
}

/// How many values of a class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassCount {
    /// The class.
    pub value: Class,
    /// Its values.
    pub count: u64,
}

/// The count-distinct estimate of a column with too many classes to list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistinctEstimate {
    /// Distinct non-null values, estimated by HyperLogLog (2^14 registers, standard error
    /// about 0.8%).
    pub estimate: u64,
}

/// A double that may be infinite: written as a JSON number, or `"inf"` / `"-inf"` as report
/// cells write them. Equal when the bits are (so `-0.0` is not `0.0`).
#[derive(Clone, Copy, Debug)]
pub struct FloatValue(pub f64);

impl PartialEq for FloatValue {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Serialize for FloatValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            x if x.is_finite() => serializer.serialize_f64(x),
            x if x == f64::INFINITY => serializer.serialize_str("inf"),
            x if x == f64::NEG_INFINITY => serializer.serialize_str("-inf"),
            _ => serializer.serialize_str("NaN"),
        }
    }
}

impl<'de> Deserialize<'de> for FloatValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Number(f64),
            Text(String),
        }
        match Written::deserialize(deserializer)? {
            Written::Number(x) => Ok(FloatValue(x)),
            Written::Text(t) => match t.as_str() {
                "inf" => Ok(FloatValue(f64::INFINITY)),
                "-inf" => Ok(FloatValue(f64::NEG_INFINITY)),
                "NaN" => Ok(FloatValue(f64::NAN)),
                _ => Err(serde::de::Error::custom(format!(
                    "a float is a number, \"inf\", \"-inf\" or \"NaN\", not {t:?}"
                ))),
            },
        }
    }
}

/// A quantile of a float column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantile {
    /// Which: 0.5 is the median.
    pub q: f64,
    /// The value: the nearest-rank quantile truncated to 6 mantissa bits (within 1/64 of
    /// it, towards zero), within the column's min and max.
    pub value: FloatValue,
}

/// One bucket of a float column's histogram: the values of its sign whose magnitude is at
/// least |from| and below |to|; zero (either sign) and each infinity are buckets of their own
/// (`from` = `to`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistogramBucket {
    /// The bound nearer zero.
    pub from: FloatValue,
    /// The bound farther from zero.
    pub to: FloatValue,
    /// Values in it.
    pub count: u64,
}

/// The summary of a float column's non-null values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FloatSummary {
    /// NaN values (any payload).
    pub nan: u64,
    /// The least value other than NaN (-0.0 below 0.0); none without such values.
    pub min: Option<FloatValue>,
    /// The greatest value other than NaN.
    pub max: Option<FloatValue>,
    /// The mean of the values other than NaN, from their exact sum; infinite when they
    /// include an infinity of one sign, none when both or no values.
    pub mean: Option<FloatValue>,
    /// [`QUANTILES`] of the values other than NaN; empty without such values.
    pub quantiles: Vec<Quantile>,
    /// Values other than NaN in [`HISTOGRAM_BITS`] buckets per power of two, lowest values
    /// first: the buckets drift compares.
    pub histogram: Vec<HistogramBucket>,
}

/// What a column's values are summarised by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Summary {
    /// Booleans, integers, strings and other bytes with at most [`CLASS_LIMIT`] distinct
    /// values: each value and its count, in natural order (false before true, integers by
    /// value, strings and bytes bytewise).
    Classes(Vec<ClassCount>),
    /// The same with more distinct values: an estimate of how many.
    Distinct(DistinctEstimate),
    /// Floats.
    Floats(FloatSummary),
}

/// The distribution of one column's values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// Rows.
    pub rows: u64,
    /// Non-null leaf values (one per row for a flat column; a list's elements otherwise).
    pub values: u64,
    /// Null leaf slots (null rows of a flat column; null elements otherwise).
    pub nulls: u64,
    /// The values' summary.
    pub summary: Summary,
}

impl Distribution {
    /// Slots: values and nulls, the denominator of every share.
    fn slots(&self) -> u64 {
        self.values + self.nulls
    }
}

/// How a [`Drift`] was measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftMeasure {
    /// Total variation distance between the class shares, null a class.
    ClassTotalVariation,
    /// Total variation distance between the shares of the float histogram's buckets, NaN and
    /// null buckets of their own.
    FloatHistogramTotalVariation,
    /// Only the null share could be compared (a column beyond [`CLASS_LIMIT`] classes on
    /// either side, or summaries of different kinds): the difference of the null shares.
    NullShareOnly,
}

/// How far a column's distribution moved between two versions: 0 for the same shares, 1 for
/// shares on disjoint values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// What `distance` measures.
    pub measure: DriftMeasure,
    /// ½ Σ |p − q| over the measure's categories, in 0 ..= 1.
    pub distance: f64,
}

/// One category drift compares the shares of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Category {
    Null,
    Nan,
    /// Every non-null value, when only the null share is compared.
    Values,
    Class(Class),
    /// A histogram bucket, by the bits of its bounds.
    Bucket(u64, u64),
}

/// The drift from `old` to `new` (docs/LOCK.md, "Drift").
pub fn drift(old: &Distribution, new: &Distribution) -> Drift {
    let mut categories: HashMap<Category, (u64, u64)> = HashMap::new();
    let mut add = |category: Category, old: u64, new: u64| {
        let entry = categories.entry(category).or_default();
        entry.0 += old;
        entry.1 += new;
    };
    add(Category::Null, old.nulls, new.nulls);
    let measure = match (&old.summary, &new.summary) {
        (Summary::Classes(a), Summary::Classes(b)) => {
            for c in a {
                add(Category::Class(c.value.clone()), c.count, 0);
            }
            for c in b {
                add(Category::Class(c.value.clone()), 0, c.count);
            }
            DriftMeasure::ClassTotalVariation
        }
        (Summary::Floats(a), Summary::Floats(b)) => {
            add(Category::Nan, a.nan, b.nan);
            let bucket =
                |b: &HistogramBucket| Category::Bucket(b.from.0.to_bits(), b.to.0.to_bits());
            for b in &a.histogram {
                add(bucket(b), b.count, 0);
            }
            for b in &b.histogram {
                add(bucket(b), 0, b.count);
            }
            DriftMeasure::FloatHistogramTotalVariation
        }
        _ => {
            add(Category::Values, old.values, new.values);
            DriftMeasure::NullShareOnly
        }
    };
    Drift {
        measure,
        distance: total_variation(categories.values().copied(), old.slots(), new.slots()),
    }
}

/// ½ Σ |a/n − b/m| over the categories' counts (a, b), computed as ½ Σ |a·m − b·n| / (n·m) in
/// integers, so the result does not depend on the order of the categories. Two empty sides
/// are the same (0); one empty side is as far as can be (1).
fn total_variation(categories: impl Iterator<Item = (u64, u64)>, n: u64, m: u64) -> f64 {
    match (n, m) {
        (0, 0) => return 0.0,
        (0, _) | (_, 0) => return 1.0,
        _ => {}
    }
    let (n128, m128) = (u128::from(n), u128::from(m));
    let numerator: u128 = categories
        .map(|(a, b)| (u128::from(a) * m128).abs_diff(u128::from(b) * n128))
        .fold(0u128, u128::saturating_add);
    // ½ Σ … as an exact fraction, divided once.
    (numerator as f64 / 2.0) / (n128 * m128) as f64
}

#[cfg(test)]
pub(crate) mod tests;
