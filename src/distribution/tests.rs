//! Tests of the distribution builder, drift and the summaries schema: merge-order
//! independence, the class limit, float statistics and the worked examples of docs/LOCK.md.

use super::*;
use crate::column_type::CellStyle;
use crate::value::{Bitmap, ByteArrays, ListShape};

/// A flat slice: `None` is a null row.
fn flat<T: Clone>(values: &[Option<T>], wrap: impl Fn(Vec<T>) -> Values) -> ColumnSlice {
    let mut validity = Bitmap::new();
    validity.extend_from_bools(values.iter().map(Option::is_some));
    ColumnSlice {
        rows: values.len(),
        lists: Vec::new(),
        validity,
        values: wrap(values.iter().flatten().cloned().collect()),
    }
}

fn strings(values: Vec<String>) -> Values {
    let mut out = ByteArrays::new();
    values.iter().for_each(|v| out.push(v.as_bytes()));
    Values::ByteArray(out)
}

fn booleans(values: Vec<bool>) -> Values {
    let mut bits = Bitmap::new();
    bits.extend_from_bools(values);
    Values::Boolean(bits)
}

const TEXT: CellStyle = CellStyle {
    text: true,
    unsigned: false,
    integer: None,
};

/// The distribution of `slice` cut into parts of `part` rows, each observed by its own
/// builder, merged in the order `order` gives the parts.
fn summarise(
    physical: PhysicalType,
    style: CellStyle,
    slice: &ColumnSlice,
    part: usize,
    order: impl Fn(&mut Vec<DistributionBuilder>),
) -> Distribution {
    let mut builders = Vec::new();
    let mut at = crate::value::SliceCursor::default();
    while at.row < slice.rows {
        let (piece, next) = slice.copy_rows(at, part);
        let mut builder = DistributionBuilder::of_type(physical, style);
        builder.observe(&piece);
        builders.push(builder);
        at = next;
    }
    order(&mut builders);
    let mut all = DistributionBuilder::of_type(physical, style);
    for builder in builders {
        all.merge(builder);
    }
    all.finish()
}

/// xorshift64: deterministic inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Each distribution, summarised whole and in parts merged in several orders, is the same
/// down to its JSON.
fn assert_merge_order_free(physical: PhysicalType, style: CellStyle, slice: &ColumnSlice) {
    let whole = summarise(physical, style, slice, slice.rows, |_| {});
    let json = serde_json::to_string(&whole).unwrap();
    for part in [1, 97, 1_000, 4_096] {
        let forward = summarise(physical, style, slice, part, |_| {});
        let backward = summarise(physical, style, slice, part, |b| b.reverse());
        let shuffled = summarise(physical, style, slice, part, |b| {
            let mut rng = Rng(part as u64 + 1);
            for i in (1..b.len()).rev() {
                b.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
        });
        for other in [forward, backward, shuffled] {
            assert_eq!(other, whole, "{physical} in parts of {part}");
            assert_eq!(serde_json::to_string(&other).unwrap(), json);
        }
    }
}

#[test]
fn merge_order_does_not_change_a_distribution() {
    let mut rng = Rng(7);
    let n = 20_000;
    // Few classes, classes past the limit only in the union of parts, and many.
    for classes in [10, 1_200, 1 << 40] {
        let ints: Vec<Option<i64>> = (0..n)
            .map(|_| {
                let r = rng.next();
                (!r.is_multiple_of(13)).then(|| (r >> 8) as i64 % classes - 3)
            })
            .collect();
        let slice = flat(&ints, Values::Int64);
        assert_merge_order_free(PhysicalType::Int64, CellStyle::default(), &slice);
        let texts: Vec<Option<String>> = ints
            .iter()
            .map(|v| v.map(|v| format!("class {v}")))
            .collect();
        assert_merge_order_free(PhysicalType::ByteArray, TEXT, &flat(&texts, strings));
    }
    // Floats with every special value: NaN, both zeros, infinities, subnormals, huge values.
    let specials = [
        f64::NAN,
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE / 8.0,
        1e300,
        -1e300,
    ];
    let floats: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let r = rng.next();
            match r % 50 {
                0 => None,
                1 => Some(specials[i % specials.len()]),
                _ => Some((r >> 11) as f64 / (1u64 << 53) as f64 * 10.0 - 2.0),
            }
        })
        .collect();
    let slice = flat(&floats, Values::Double);
    assert_merge_order_free(PhysicalType::Double, CellStyle::default(), &slice);
    // The sum of these floats depends on the order when added in doubles; the mean does not.
    let finite: Vec<Option<f64>> = (0..n)
        .map(|i| Some(if i % 2 == 0 { 1e16 } else { 1.0 + i as f64 }))
        .collect();
    assert_merge_order_free(
        PhysicalType::Double,
        CellStyle::default(),
        &flat(&finite, Values::Double),
    );
    let bools: Vec<Option<bool>> = (0..n)
        .map(|_| Some(rng.next().is_multiple_of(3)).filter(|_| !rng.next().is_multiple_of(9)))
        .collect();
    assert_merge_order_free(
        PhysicalType::Boolean,
        CellStyle::default(),
        &flat(&bools, booleans),
    );
}

#[test]
fn classes_are_listed_in_natural_order_as_cells_show_them() {
    let slice = flat(
        &[Some(10), Some(-1), None, Some(2), Some(10)],
        Values::Int32,
    );
    let signed = summarise(PhysicalType::Int32, CellStyle::default(), &slice, 5, |_| {});
    assert_eq!(
        serde_json::to_string(&signed).unwrap(),
        r#"{"rows":5,"values":4,"nulls":1,"summary":{"classes":[{"value":-1,"count":1},{"value":2,"count":1},{"value":10,"count":2}]}}"#
    );
    let unsigned = CellStyle {
        unsigned: true,
        ..CellStyle::default()
    };
    let shown = summarise(PhysicalType::Int32, unsigned, &slice, 5, |_| {});
    let Summary::Classes(classes) = &shown.summary else {
        panic!("classes expected")
    };
    let values: Vec<&Class> = classes.iter().map(|c| &c.value).collect();
    assert_eq!(
        values,
        [&Class::Int(2), &Class::Int(10), &Class::Int(4_294_967_295)]
    );
    let words: Vec<Option<String>> = ["dog", "Cat", "cat", "dog"]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
    let text = summarise(
        PhysicalType::ByteArray,
        TEXT,
        &flat(&words, strings),
        4,
        |_| {},
    );
    assert_eq!(
        serde_json::to_string(&text.summary).unwrap(),
        r#"{"classes":[{"value":"Cat","count":1},{"value":"cat","count":1},{"value":"dog","count":2}]}"#
    );
    // Bytes that are not text are shown as hex.
    let raw = summarise(
        PhysicalType::ByteArray,
        CellStyle::default(),
        &flat(&words, strings),
        4,
        |_| {},
    );
    let Summary::Classes(classes) = &raw.summary else {
        panic!("classes expected")
    };
    assert_eq!(classes[0].value, Class::Text("0x436174".into()));
    let bits = flat(&[Some(true), Some(false), Some(true)], booleans);
    let shown = summarise(
        PhysicalType::Boolean,
        CellStyle::default(),
        &bits,
        2,
        |_| {},
    );
    assert_eq!(
        serde_json::to_string(&shown.summary).unwrap(),
        r#"{"classes":[{"value":false,"count":1},{"value":true,"count":2}]}"#
    );
}

#[test]
fn past_the_class_limit_the_column_is_a_distinct_estimate() {
    let at_limit: Vec<Option<i64>> = (0..CLASS_LIMIT as i64 * 3)
        .map(|i| Some(i % CLASS_LIMIT as i64 * 7))
        .collect();
    let listed = summarise(
        PhysicalType::Int64,
        CellStyle::default(),
        &flat(&at_limit, Values::Int64),
        at_limit.len(),
        |_| {},
    );
    match &listed.summary {
        Summary::Classes(classes) => {
            assert_eq!(classes.len(), CLASS_LIMIT);
            assert!(classes.iter().all(|c| c.count == 3));
        }
        other => panic!("classes expected, got {other:?}"),
    }
    for distinct in [CLASS_LIMIT + 1, 50_000] {
        let values: Vec<Option<i64>> = (0..distinct as i64 * 2)
            .map(|i| Some(i % distinct as i64 - 500))
            .collect();
        let slice = flat(&values, Values::Int64);
        let estimated = summarise(
            PhysicalType::Int64,
            CellStyle::default(),
            &slice,
            700,
            |_| {},
        );
        let Summary::Distinct(DistinctEstimate { estimate }) = estimated.summary else {
            panic!("an estimate expected past {CLASS_LIMIT} classes");
        };
        let error = (estimate as f64 - distinct as f64).abs() / distinct as f64;
        assert!(error < 0.03, "{estimate} estimated for {distinct}");
        assert_eq!(
            (estimated.values, estimated.nulls),
            (values.len() as u64, 0)
        );
    }
    // Long strings go past the byte limit with few classes.
    let long: Vec<Option<String>> = (0..100).map(|i| Some(format!("{i:01000}"))).collect();
    let shown = summarise(
        PhysicalType::ByteArray,
        TEXT,
        &flat(&long, strings),
        10,
        |_| {},
    );
    assert!(matches!(shown.summary, Summary::Distinct(_)), "{shown:?}");
}

#[test]
fn dictionary_strings_count_like_plain_ones() {
    let mut dictionary = ByteArrays::new();
    ["cat", "dog", "unused"]
        .iter()
        .for_each(|s| dictionary.push(s.as_bytes()));
    let keys: Vec<u32> = (0..50).map(|i| (i % 7 == 0) as u32).collect();
    let mut keyed = ByteArrays::new();
    keyed.extend_from_keys(&std::sync::Arc::new(dictionary), &keys);
    assert!(keyed.keyed().is_some());
    let mut packed = ByteArrays::new();
    keyed.iter().for_each(|s| packed.push(s));
    let slice = |values| ColumnSlice {
        rows: 50,
        lists: Vec::new(),
        validity: Bitmap::filled(50, true),
        values: Values::ByteArray(values),
    };
    let a = summarise(PhysicalType::ByteArray, TEXT, &slice(keyed), 50, |_| {});
    let b = summarise(PhysicalType::ByteArray, TEXT, &slice(packed), 50, |_| {});
    assert_eq!(a, b);
    let Summary::Classes(classes) = &a.summary else {
        panic!("classes expected")
    };
    assert_eq!(classes.len(), 2, "an unused dictionary entry is no class");
}

#[test]
fn a_nested_column_counts_its_leaf_slots() {
    // [[1, null], null, []]
    let mut shape = ListShape::new();
    for (valid, end) in [(true, 2), (false, 2), (true, 2)] {
        shape.validity.push(valid);
        shape.offsets.push(end);
    }
    let slice = ColumnSlice {
        rows: 3,
        lists: vec![shape],
        validity: {
            let mut b = Bitmap::new();
            b.extend_from_bools([true, false]);
            b
        },
        values: Values::Int32(vec![1]),
    };
    let d = summarise(PhysicalType::Int32, CellStyle::default(), &slice, 3, |_| {});
    assert_eq!((d.rows, d.values, d.nulls), (3, 1, 1));
}

fn float_distribution(values: &[Option<f64>]) -> Distribution {
    summarise(
        PhysicalType::Double,
        CellStyle::default(),
        &flat(values, Values::Double),
        3,
        |_| {},
    )
}

fn float_summary(values: &[Option<f64>]) -> FloatSummary {
    match float_distribution(values).summary {
        Summary::Floats(floats) => floats,
        other => panic!("floats expected, got {other:?}"),
    }
}

#[test]
fn float_statistics() {
    // The exact sum: 1e16 + 1 + 1 - 1e16 is 2, where doubles added in order give 0.
    let exact = float_summary(&[Some(1e16), Some(1.0), Some(1.0), Some(-1e16)]);
    assert_eq!(exact.mean, Some(FloatValue(0.5)));
    let f = float_summary(&[Some(-0.0), Some(0.0), Some(f64::NAN), None, Some(3.0)]);
    assert_eq!(f.nan, 1);
    assert_eq!(f.min.unwrap().0.to_bits(), (-0.0f64).to_bits());
    assert_eq!(f.max, Some(FloatValue(3.0)));
    assert_eq!(f.mean, Some(FloatValue(1.0)));
    // Quantiles of 1 ..= 1000 are the nearest-rank ones within the sketch's 1/64, below.
    let ramp: Vec<Option<f64>> = (1..=1000).map(|i| Some(i as f64)).collect();
    let r = float_summary(&ramp);
    assert_eq!(r.quantiles.len(), QUANTILES.len());
    for quantile in &r.quantiles {
        let exact = (1000.0 * quantile.q).ceil();
        let error = (exact - quantile.value.0) / exact;
        assert!(
            (0.0..1.0 / 64.0).contains(&error),
            "{quantile:?} for {exact}"
        );
    }
    // Values with few significant bits are exact: the documented example.
    let four = float_summary(&[Some(0.5), Some(0.6), Some(0.75), Some(0.9)]);
    assert_eq!(four.mean, Some(FloatValue(0.6875)));
    let bounds: Vec<(f64, u64)> = four.histogram.iter().map(|b| (b.from.0, b.count)).collect();
    assert_eq!(bounds, [(0.5, 2), (0.75, 1), (0.875, 1)]);
    let values: Vec<f64> = four.quantiles.iter().map(|q| q.value.0).collect();
    assert_eq!(
        values,
        [0.5, 0.5, 0.5, 0.5, 0.59375, 0.75, 0.8984375, 0.8984375, 0.8984375]
    );
    assert_eq!(r.mean, Some(FloatValue(500.5)));
    // 0.0 and 1.0 labels: the quantiles are the values themselves, not bucket middles.
    let binary: Vec<Option<f64>> = (0..10).map(|i| Some(f64::from(i % 2))).collect();
    let b = float_summary(&binary);
    let values: Vec<f64> = b.quantiles.iter().map(|q| q.value.0).collect();
    assert_eq!(values, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    // Infinities of one sign make the mean infinite; of both, undefined.
    let inf = float_summary(&[Some(1.0), Some(f64::INFINITY), Some(f64::INFINITY)]);
    assert_eq!(inf.mean, Some(FloatValue(f64::INFINITY)));
    assert_eq!(
        inf.quantiles.last().unwrap().value,
        FloatValue(f64::INFINITY)
    );
    let both = float_summary(&[Some(f64::NEG_INFINITY), Some(f64::INFINITY)]);
    assert_eq!(both.mean, None);
    let none = float_summary(&[None, Some(f64::NAN)]);
    assert_eq!((none.min, none.mean, none.quantiles.len()), (None, None, 0));
}

#[test]
fn the_histogram_has_four_buckets_per_power_of_two() {
    let h = float_summary(&[
        Some(0.5),
        Some(0.6),
        Some(0.7),
        Some(0.9),
        Some(-0.3),
        Some(0.0),
        Some(f64::INFINITY),
    ])
    .histogram;
    let bounds: Vec<(f64, f64, u64)> = h.iter().map(|b| (b.from.0, b.to.0, b.count)).collect();
    assert_eq!(
        bounds,
        [
            (-0.25, -0.3125, 1),
            (0.0, 0.0, 1),
            (0.5, 0.625, 2),
            (0.625, 0.75, 1),
            (0.875, 1.0, 1),
            (f64::INFINITY, f64::INFINITY, 1),
        ]
    );
}

#[test]
fn a_distribution_reads_back_from_its_json() {
    for d in [
        float_distribution(&[Some(f64::NEG_INFINITY), Some(-0.0), Some(2.5), None]),
        float_distribution(&[Some(f64::INFINITY), Some(f64::NAN)]),
        float_distribution(&[]),
        summarise(
            PhysicalType::Int64,
            CellStyle {
                unsigned: true,
                ..CellStyle::default()
            },
            &flat(&[Some(-1i64), Some(3)], Values::Int64),
            2,
            |_| {},
        ),
    ] {
        let json = serde_json::to_string(&d).unwrap();
        let back: Distribution = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d, "{json}");
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}

fn classes(nulls: u64, counts: &[(i64, u64)]) -> Distribution {
    Distribution {
        rows: nulls + counts.iter().map(|c| c.1).sum::<u64>(),
        values: counts.iter().map(|c| c.1).sum(),
        nulls,
        summary: Summary::Classes(
            counts
                .iter()
                .map(|&(v, count)| ClassCount {
                    value: Class::Int(v),
                    count,
                })
                .collect(),
        ),
    }
}

#[test]
fn drift_is_the_total_variation_distance() {
    // docs/LOCK.md, "Drift", first example: {0: 50, 1: 40, null: 10} → {0: 30, 1: 60, 2: 10}.
    let old = classes(10, &[(0, 50), (1, 40)]);
    let new = classes(0, &[(0, 30), (1, 60), (2, 10)]);
    let d = drift(&old, &new);
    assert_eq!(d.measure, DriftMeasure::ClassTotalVariation);
    // Exactly the double 0.3, so `--max-drift 0.3` passes and 0.29 fails, as documented.
    assert_eq!(d.distance, 0.3);
    assert_eq!(drift(&new, &old).distance, d.distance);
    assert_eq!(drift(&old, &old).distance, 0.0);
    // Shares, not counts: twice the rows in the same shares do not drift.
    assert_eq!(
        drift(&old, &classes(20, &[(0, 100), (1, 80)])).distance,
        0.0
    );
    assert_eq!(
        drift(&classes(0, &[(0, 5)]), &classes(0, &[(1, 5)])).distance,
        1.0
    );
    // The second example: floats [0.5, 0.6, 0.7, 0.9] → [0.5, 0.6, 0.95, null].
    let old = float_distribution(&[Some(0.5), Some(0.6), Some(0.7), Some(0.9)]);
    let new = float_distribution(&[Some(0.5), Some(0.6), Some(0.95), None]);
    let d = drift(&old, &new);
    assert_eq!(d.measure, DriftMeasure::FloatHistogramTotalVariation);
    assert_eq!(d.distance, 0.25);
    // A NaN is a bucket of its own.
    let nan = float_distribution(&[Some(0.5), Some(0.6), Some(f64::NAN), Some(0.9)]);
    assert_eq!(drift(&old, &nan).distance, 0.25);
    // Past the class limit only the null share is compared: 10% null → 25% null.
    let estimate = |nulls, values| Distribution {
        rows: nulls + values,
        values,
        nulls,
        summary: Summary::Distinct(DistinctEstimate { estimate: 5_000 }),
    };
    let d = drift(&estimate(10, 90), &classes(25, &[(1, 75)]));
    assert_eq!(d.measure, DriftMeasure::NullShareOnly);
    assert_eq!(d.distance, 0.15);
    // Empty columns.
    assert_eq!(drift(&classes(0, &[]), &classes(0, &[])).distance, 0.0);
    assert_eq!(drift(&classes(0, &[]), &classes(1, &[])).distance, 1.0);
}

/// `$defs/{def}` of docs/lock.schema.json as a schema of its own: the document's `$defs`, and
/// none of the lock's own keywords.
pub(crate) fn def_schema(def: &str) -> serde_json::Value {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/lock.schema.json")).unwrap();
    serde_json::json!({
        "$defs": schema["$defs"].clone(),
        "$ref": format!("#/$defs/{def}"),
    })
}

/// Checks `instance` against `$defs/{def}` of docs/lock.schema.json.
pub(crate) fn assert_valid(def: &str, instance: &serde_json::Value) {
    let schema = def_schema(def);
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{def}: {errors:?} in {instance}");
}

#[test]
fn distributions_and_drift_follow_the_schema() {
    let ints: Vec<Option<i64>> = (0..3_000).map(|i| Some(i % 1_500)).collect();
    let words: Vec<Option<String>> = vec![Some("cat".into()), None, Some("dog".into())];
    let distributions = [
        float_distribution(&[Some(f64::NEG_INFINITY), Some(-0.0), Some(2.5), None]),
        float_distribution(&[Some(f64::NAN), None]),
        summarise(
            PhysicalType::Int64,
            CellStyle::default(),
            &flat(&ints, Values::Int64),
            1_000,
            |_| {},
        ),
        summarise(
            PhysicalType::ByteArray,
            TEXT,
            &flat(&words, strings),
            2,
            |_| {},
        ),
        summarise(
            PhysicalType::Boolean,
            CellStyle::default(),
            &flat(&[Some(true)], booleans),
            1,
            |_| {},
        ),
    ];
    for d in &distributions {
        assert_valid("distribution", &serde_json::to_value(d).unwrap());
        for other in &distributions {
            assert_valid("drift", &serde_json::to_value(drift(d, other)).unwrap());
        }
    }
    // The schema holds the summary to one kind.
    let mut two = serde_json::to_value(&distributions[0]).unwrap();
    two["summary"]["distinct"] = serde_json::json!({"estimate": 3});
    let schema = def_schema("distribution");
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&two));
}
