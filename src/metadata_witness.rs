//! The metadata witness: checks what a file's metadata claims about a column chunk — footer
//! statistics and the page index — against the values the raw path decoded. A claim that
//! leaves out values it covers matters most: engines that prune row groups or pages by
//! statistics silently skip the rows those values are in.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;

use crate::canonical::Canonical;
use crate::claims::{ChunkClaims, PageClaim};
use crate::column_type::Annotation;
use crate::columns::CheckedColumn;
use crate::decode::{DecodedChunk, PageInfo};
use crate::format::PageType;
use crate::raw::bloom;
use crate::report::{Finding, FindingKind};
use crate::value::{PhysicalType, Value, Values};

/// The sort order statistics use for a column (parquet.thrift `ColumnOrder`, TypeDefinedOrder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// false < true.
    Boolean,
    /// Two's complement integers.
    Signed,
    /// Unsigned integers.
    Unsigned,
    /// IEEE floats, NaN left out.
    Float,
    /// Unsigned byte-wise lexicographic.
    Bytes,
}

/// A value placed in its column's order.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Bool(bool),
    Int(i128),
    Float(f64),
    Bytes(Vec<u8>),
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.partial_cmp(b),
            (Key::Int(a), Key::Int(b)) => a.partial_cmp(b),
            (Key::Float(a), Key::Float(b)) => a.partial_cmp(b),
            (Key::Bytes(a), Key::Bytes(b)) => a.partial_cmp(b),
            _ => None,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Bool(b) => write!(f, "{b}"),
            Key::Int(i) => write!(f, "{i}"),
            Key::Float(x) => write!(f, "{x:?}"),
            Key::Bytes(b) => match std::str::from_utf8(b) {
                Ok(text) => write!(f, "{text:?}"),
                Err(_) => f.write_str(&crate::report::hex(b)),
            },
        }
    }
}

fn order(column: &CheckedColumn) -> Option<Order> {
    let annotation = column.logical_type.as_ref();
    match column.physical {
        PhysicalType::Boolean => Some(Order::Boolean),
        PhysicalType::Int32 | PhysicalType::Int64 if column.style.unsigned => Some(Order::Unsigned),
        PhysicalType::Int32 | PhysicalType::Int64 => Some(Order::Signed),
        PhysicalType::Float | PhysicalType::Double => Some(Order::Float),
        // Decimals, float16 and intervals in byte arrays have orders of their own.
        PhysicalType::ByteArray | PhysicalType::FixedLenByteArray
            if annotation.is_none_or(Annotation::is_byte_string) =>
        {
            Some(Order::Bytes)
        }
        _ => None,
    }
}

/// A statistics value (PLAIN bytes) as a key; `None` when it does not fit the type.
fn stat_key(order: Order, physical: PhysicalType, bytes: &[u8]) -> Option<Key> {
    let array = |n: usize| bytes.get(..n).filter(|_| bytes.len() == n);
    Some(match (order, physical) {
        (Order::Boolean, _) => Key::Bool(*array(1)?.first()? != 0),
        (Order::Signed, PhysicalType::Int32) => {
            Key::Int(i32::from_le_bytes(array(4)?.try_into().ok()?).into())
        }
        (Order::Unsigned, PhysicalType::Int32) => {
            Key::Int(u32::from_le_bytes(array(4)?.try_into().ok()?).into())
        }
        (Order::Signed, PhysicalType::Int64) => {
            Key::Int(i64::from_le_bytes(array(8)?.try_into().ok()?).into())
        }
        (Order::Unsigned, PhysicalType::Int64) => {
            Key::Int(u64::from_le_bytes(array(8)?.try_into().ok()?).into())
        }
        (Order::Float, PhysicalType::Float) => {
            Key::Float(f32::from_le_bytes(array(4)?.try_into().ok()?).into())
        }
        (Order::Float, PhysicalType::Double) => {
            Key::Float(f64::from_le_bytes(array(8)?.try_into().ok()?))
        }
        (Order::Bytes, _) => Key::Bytes(bytes.to_vec()),
        _ => return None,
    })
    .filter(|key| !matches!(key, Key::Float(x) if x.is_nan()))
}

/// Smallest and largest non-NaN values among `values[range]`. Each physical type has its own
/// loop over the native slice: a key per value (and a copy per byte string) made this the
/// most expensive phase of a check.
fn bounds(order: Order, values: &Values, range: std::ops::Range<usize>) -> Option<(Key, Key)> {
    /// Least and greatest of `items` by `less`, keeping the first of equals.
    fn extremes<T: Copy>(
        mut items: impl Iterator<Item = T>,
        less: impl Fn(T, T) -> bool,
    ) -> Option<(T, T)> {
        let first = items.next()?;
        Some(items.fold((first, first), |(lo, hi), item| {
            (
                if less(item, lo) { item } else { lo },
                if less(hi, item) { item } else { hi },
            )
        }))
    }
    /// The part of `all` in `range`; empty when a decoder's page map overshoots its values.
    fn slice<'a, T>(all: &'a [T], range: &std::ops::Range<usize>) -> &'a [T] {
        all.get(range.clone()).unwrap_or_default()
    }
    let unsigned = order == Order::Unsigned;
    match values {
        Values::Boolean(bits) => {
            // A word at a time from the range's start: skipping bit by bit to a page's first
            // value made a chunk's page index check quadratic in its pages.
            let range = range.start.min(bits.len())..range.end.min(bits.len());
            let set = bits.count_ones_in(range.clone());
            let (any_true, any_false) = (set > 0, set < range.len());
            (any_false || any_true).then_some((Key::Bool(!any_false), Key::Bool(any_true)))
        }
        Values::Int32(v) if unsigned => {
            extremes(slice(v, &range).iter().map(|&x| x as u32), |a, b| a < b)
                .map(|(lo, hi)| (Key::Int(lo.into()), Key::Int(hi.into())))
        }
        Values::Int32(v) => extremes(slice(v, &range).iter().copied(), |a, b| a < b)
            .map(|(lo, hi)| (Key::Int(lo.into()), Key::Int(hi.into()))),
        Values::Int64(v) if unsigned => {
            extremes(slice(v, &range).iter().map(|&x| x as u64), |a, b| a < b)
                .map(|(lo, hi)| (Key::Int(lo.into()), Key::Int(hi.into())))
        }
        Values::Int64(v) => extremes(slice(v, &range).iter().copied(), |a, b| a < b)
            .map(|(lo, hi)| (Key::Int(lo.into()), Key::Int(hi.into()))),
        Values::Float(v) => extremes(
            slice(v, &range)
                .iter()
                .filter(|x| !x.is_nan())
                .map(|&x| f64::from(x)),
            |a, b| a < b,
        )
        .map(|(lo, hi)| (Key::Float(lo), Key::Float(hi))),
        Values::Double(v) => extremes(
            slice(v, &range).iter().copied().filter(|x| !x.is_nan()),
            |a, b| a < b,
        )
        .map(|(lo, hi)| (Key::Float(lo), Key::Float(hi))),
        // Keyed strings are ordered once per dictionary entry in use, not once per row.
        Values::ByteArray(arrays) => match arrays.keyed() {
            Some((dictionary, keys)) => {
                let mut used = vec![false; dictionary.len()];
                for &key in slice(keys, &range) {
                    used[key as usize] = true;
                }
                extremes(
                    (0..dictionary.len())
                        .filter(|&entry| used[entry])
                        .map(|entry| dictionary.get(entry)),
                    bytes_less,
                )
            }
            None => extremes(
                range.filter(|&i| i < arrays.len()).map(|i| arrays.get(i)),
                bytes_less,
            ),
        }
        .map(|(lo, hi)| (Key::Bytes(lo.to_vec()), Key::Bytes(hi.to_vec()))),
        Values::FixedLenByteArray { width, data } => extremes(
            data.chunks_exact((*width).max(1))
                .skip(range.start)
                .take(range.len()),
            |a, b| a < b,
        )
        .map(|(lo, hi)| (Key::Bytes(lo.to_vec()), Key::Bytes(hi.to_vec()))),
        // INT96 has no defined order; statistics for it are not checked.
        Values::Int96(_) => None,
    }
}

/// Unsigned lexicographic `a < b`, deciding most pairs of short strings by their first eight
/// bytes as one integer instead of a call to `memcmp`.
#[inline]
fn bytes_less(a: &[u8], b: &[u8]) -> bool {
    let prefix = |bytes: &[u8]| match bytes.first_chunk::<8>() {
        Some(head) => u64::from_be_bytes(*head),
        None => bytes
            .iter()
            .enumerate()
            .fold(0u64, |word, (i, &b)| word | u64::from(b) << (56 - 8 * i)),
    };
    match prefix(a).cmp(&prefix(b)) {
        Ordering::Less => true,
        Ordering::Greater => false,
        // Equal zero-padded prefixes: a shorter string or a later byte decides.
        Ordering::Equal => a < b,
    }
}

/// Where a claim was made, for messages.
struct Place<'a> {
    column: &'a CheckedColumn,
    row_group: usize,
    page: Option<&'a PageInfo>,
}

impl Place<'_> {
    fn finding(&self, message: String) -> Finding {
        let at = match self.page {
            Some(page) => format!(
                "column {:?}, row group {}, page {} at byte {}",
                self.column.name, self.row_group, page.index, page.offset
            ),
            None => format!(
                "column {:?}, row group {}",
                self.column.name, self.row_group
            ),
        };
        Finding {
            kind: FindingKind::Stats,
            column: Some(self.column.name.clone()),
            row_group: Some(self.row_group),
            page: self.page.map(|p| p.index),
            page_offset: self.page.map(|p| p.offset),
            message: format!("{at}: {message}"),
            errors: None,
            omitted: None,
            writer: None,
        }
    }
}

/// Checks a min/max claim against the values it covers.
#[allow(clippy::too_many_arguments)]
fn check_bounds(
    place: &Place<'_>,
    what: &str,
    order: Order,
    physical: PhysicalType,
    claimed: (Option<&[u8]>, Option<&[u8]>),
    exact: (bool, bool),
    actual: Option<(Key, Key)>,
    out: &mut Vec<Finding>,
) {
    let Some((lo, hi)) = actual else { return };
    let prune = "an engine that prunes by these statistics would skip rows that hold it";
    if let Some(min) = claimed.0.and_then(|b| stat_key(order, physical, b)) {
        if lo < min {
            out.push(place.finding(format!(
                "{what} claim min {min}, but the values include {lo}; {prune}"
            )));
        } else if exact.0 && lo > min {
            out.push(place.finding(format!(
                "{what} claim an exact min {min}, but the smallest value is {lo}"
            )));
        }
    }
    if let Some(max) = claimed.1.and_then(|b| stat_key(order, physical, b)) {
        if hi > max {
            out.push(place.finding(format!(
                "{what} claim max {max}, but the values include {hi}; {prune}"
            )));
        } else if exact.1 && hi < max {
            out.push(place.finding(format!(
                "{what} claim an exact max {max}, but the largest value is {hi}"
            )));
        }
    }
}

/// Distinct values a bloom filter check remembers, so that memory stays bounded on columns
/// with many distinct values; past it, a value absent from the filter may be counted again.
const BLOOM_SEEN_CAP: usize = 1 << 20;

/// The metadata's claims about one column chunk (statistics, page index, bloom filter),
/// checked against its values a window of rows at a time: what needs the whole chunk
/// (null counts, bounds, the number of pages) is accumulated and judged in [`Self::finish`].
pub struct ChunkWitness<'c> {
    column: &'c CheckedColumn,
    row_group: usize,
    order: Option<Order>,
    claims: Option<ChunkClaims>,
    lists: bool,
    null_slots: usize,
    bounds: Option<(Key, Key)>,
    data_pages: usize,
    page_findings: Vec<Finding>,
    bloom_seen: HashSet<u64>,
    bloom_absent: u64,
    bloom_first_absent: Option<String>,
}

impl<'c> ChunkWitness<'c> {
    /// A witness for `column` in `row_group`, before any window.
    pub fn new(column: &'c CheckedColumn, row_group: usize) -> Self {
        Self {
            column,
            row_group,
            order: order(column),
            claims: None,
            lists: false,
            null_slots: 0,
            bounds: None,
            data_pages: 0,
            page_findings: Vec::new(),
            bloom_seen: HashSet::new(),
            bloom_absent: 0,
            bloom_first_absent: None,
        }
    }

    /// Takes in one window of the chunk, in order; the first carries the claims.
    pub fn observe(&mut self, window: &mut DecodedChunk) {
        if let Some(claims) = window.claims.take() {
            self.claims = Some(claims);
        }
        let Some(claims) = self.claims.take() else {
            return;
        };
        let slice = &window.slice;
        self.lists |= slice.is_nested();
        self.null_slots += slice.null_slots();
        if let (Some(order), Some(_)) = (self.order, &claims.statistics) {
            if let Some((lo, hi)) = bounds(order, &slice.values, 0..slice.values.len()) {
                self.bounds = Some(match self.bounds.take() {
                    None => (lo, hi),
                    Some((low, high)) => (
                        if lo < low { lo } else { low },
                        if hi > high { hi } else { high },
                    ),
                });
            }
        }
        if let (Some(pages), false) = (&claims.pages, slice.is_nested()) {
            self.observe_pages(&window.pages, pages, &slice.values);
        }
        if let (Some(bitset), Canonical::Stored) = (&claims.bloom_filter, self.column.canonical) {
            self.probe_bloom_filter(bitset, &slice.values);
        }
        self.claims = Some(claims);
    }

    /// Checks the page index entries of the data pages in a window against those pages: a
    /// window holds the values of exactly the pages decoded in it (the raw path ends flat
    /// columns' windows at page boundaries).
    fn observe_pages(&mut self, pages: &[PageInfo], claims: &[PageClaim], values: &Values) {
        let mut first_value = 0;
        for page in pages
            .iter()
            .filter(|p| p.page_type != PageType::DictionaryPage)
        {
            let index = self.data_pages;
            self.data_pages += 1;
            let range = first_value..first_value + page.non_null;
            first_value += page.non_null;
            if let Some(claim) = claims.get(index) {
                let place = Place {
                    column: self.column,
                    row_group: self.row_group,
                    page: Some(page),
                };
                check_page_entry(
                    &place,
                    page,
                    claim,
                    self.order,
                    values,
                    range,
                    &mut self.page_findings,
                );
            }
        }
    }

    /// Every value must probe positive: a filter that says "absent" for a value the chunk
    /// holds makes engines that skip row groups by bloom filter miss its rows.
    fn probe_bloom_filter(&mut self, bitset: &[u8], values: &Values) {
        let mut plain = Vec::new();
        // Keyed strings are probed once per dictionary entry they use.
        let keys = match values {
            Values::ByteArray(strings) => strings.keyed(),
            _ => None,
        };
        let mut entry_probed = vec![false; keys.map_or(0, |(dictionary, _)| dictionary.len())];
        for index in 0..values.len() {
            if let Some((_, keys)) = keys {
                if std::mem::replace(&mut entry_probed[keys[index] as usize], true) {
                    continue;
                }
            }
            plain.clear();
            match values.get(index) {
                // Booleans have no bloom filters.
                Value::Boolean(_) => return,
                Value::Int32(v) => plain.extend_from_slice(&v.to_le_bytes()),
                Value::Int64(v) => plain.extend_from_slice(&v.to_le_bytes()),
                Value::Int96(v) => plain.extend_from_slice(&v),
                Value::Float(v) => plain.extend_from_slice(&v.to_bits().to_le_bytes()),
                Value::Double(v) => plain.extend_from_slice(&v.to_bits().to_le_bytes()),
                Value::Bytes(b) => plain.extend_from_slice(b),
            }
            let hash = bloom::hash(&plain);
            let new = if self.bloom_seen.len() < BLOOM_SEEN_CAP {
                self.bloom_seen.insert(hash)
            } else {
                !self.bloom_seen.contains(&hash)
            };
            if new && !bloom::might_contain(bitset, hash) {
                self.bloom_absent += 1;
                self.bloom_first_absent
                    .get_or_insert_with(|| match values.get(index) {
                        Value::Bytes(b) => Key::Bytes(b.to_vec()).to_string(),
                        other => format!("{other:?}"),
                    });
            }
        }
    }

    /// The findings, once every window was observed.
    pub fn finish(self) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(claims) = &self.claims else {
            return out;
        };
        let place = Place {
            column: self.column,
            row_group: self.row_group,
            page: None,
        };
        if let Some(error) = &claims.page_index_error {
            out.push(place.finding(format!("the page index cannot be read: {error}")));
        }
        if let Some(stats) = &claims.statistics {
            // For lists, writers disagree on whether null lists count as nulls: not checked.
            if let (Some(claimed), false) = (stats.null_count.filter(|&n| n >= 0), self.lists) {
                let nulls = self.null_slots as i64;
                if claimed != nulls {
                    out.push(place.finding(format!(
                        "statistics claim {claimed} nulls, the chunk holds {nulls}"
                    )));
                }
            }
            if let Some(order) = self.order {
                // Byte arrays may be truncated in statistics; other types are exact unless flagged.
                let exact = |flag: Option<bool>| flag.unwrap_or(order != Order::Bytes);
                let actual = self.bounds.clone();
                if stats.min.is_some() || stats.max.is_some() {
                    check_bounds(
                        &place,
                        "statistics",
                        order,
                        self.column.physical,
                        (stats.min.as_deref(), stats.max.as_deref()),
                        (exact(stats.min_exact), exact(stats.max_exact)),
                        actual,
                        &mut out,
                    );
                } else if stats.legacy_min.is_some() || stats.legacy_max.is_some() {
                    // The deprecated fields used signed comparison everywhere (PARQUET-251), so
                    // they are only checked where that is the type's own order, and only as bounds.
                    if matches!(order, Order::Boolean | Order::Signed | Order::Float) {
                        check_bounds(
                            &place,
                            "legacy statistics (min/max)",
                            order,
                            self.column.physical,
                            (stats.legacy_min.as_deref(), stats.legacy_max.as_deref()),
                            (false, false),
                            actual,
                            &mut out,
                        );
                    }
                }
            }
        }
        if let (Some(pages), false) = (&claims.pages, self.lists) {
            if self.data_pages != pages.len() {
                out.push(place.finding(format!(
                    "the page index lists {} pages, the chunk holds {}",
                    pages.len(),
                    self.data_pages
                )));
            } else {
                out.extend(self.page_findings.iter().cloned());
            }
        }
        if let Some(error) = &claims.bloom_filter_error {
            out.push(place.finding(format!("the bloom filter cannot be read: {error}")));
        }
        if let Some(shown) = &self.bloom_first_absent {
            out.push(place.finding(format!(
                "the bloom filter says {} distinct values the chunk holds are absent, the first {shown}; an engine that skips row groups by bloom filter would miss their rows",
                self.bloom_absent
            )));
        }
        out
    }
}

/// Checks one page index entry against the data page it describes, whose non-null values
/// are `values[range]`.
fn check_page_entry(
    place: &Place<'_>,
    page: &PageInfo,
    claim: &PageClaim,
    order: Option<Order>,
    values: &Values,
    range: std::ops::Range<usize>,
    out: &mut Vec<Finding>,
) {
    // The page map comes with the values it describes, but guard against a decoder whose
    // values and pages disagree rather than index past them.
    let available = values.len();
    let range = range.start.min(available)..range.end.min(available);
    if let Some(offset) = claim.offset {
        if offset != page.offset as i64 {
            out.push(place.finding(format!("the offset index places the page at byte {offset}")));
        }
    }
    if let Some(first_row) = claim.first_row_index {
        if first_row != page.first_row as i64 {
            out.push(place.finding(format!(
                "the offset index says the page starts at row {first_row}, it starts at row {}",
                page.first_row
            )));
        }
    }
    let nulls = (page.num_values - page.non_null) as i64;
    // Some writers store -1 for "not counted".
    if let Some(claimed) = claim.null_count.filter(|&n| n >= 0) {
        if claimed != nulls {
            out.push(place.finding(format!(
                "the column index claims {claimed} nulls, the page holds {nulls}"
            )));
        }
    }
    if let Some(null_page) = claim.null_page {
        if null_page != (page.non_null == 0) {
            out.push(place.finding(if null_page {
                format!(
                    "the column index says the page holds only nulls, but it holds {} values; an engine that prunes pages by the column index would skip them",
                    page.non_null
                )
            } else {
                "the column index says the page holds values, but it holds only nulls".into()
            }));
            return;
        }
        if null_page {
            return;
        }
    }
    if let Some(order) = order {
        check_bounds(
            place,
            "the column index",
            order,
            place.column.physical,
            (claim.min.as_deref(), claim.max.as_deref()),
            // Column index bounds may be truncated or widened: only containment is checked.
            (false, false),
            bounds(order, values, range),
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_like_the_spec() {
        assert!(
            stat_key(Order::Unsigned, PhysicalType::Int32, &(-1i32).to_le_bytes()).unwrap()
                > Key::Int(5)
        );
        assert!(
            stat_key(Order::Signed, PhysicalType::Int32, &(-1i32).to_le_bytes()).unwrap()
                < Key::Int(5)
        );
        assert!(Key::Bytes(vec![0xff]) > Key::Bytes(b"a".to_vec()));
        assert!(stat_key(Order::Float, PhysicalType::Double, &f64::NAN.to_le_bytes()).is_none());
        assert_eq!(stat_key(Order::Signed, PhysicalType::Int32, &[1, 2]), None);
    }

    #[test]
    fn byte_order_is_unsigned_lexicographic() {
        let cases: [&[u8]; 9] = [
            b"",
            b"\0",
            b"a",
            b"a\0",
            b"ab",
            b"abcdefgh",
            b"abcdefgh\0",
            b"abcdefgi",
            b"\xff",
        ];
        for a in cases {
            for b in cases {
                assert_eq!(bytes_less(a, b), a < b, "{a:?} < {b:?}");
            }
        }
    }

    #[test]
    fn keyed_string_bounds_count_only_the_entries_in_range() {
        let mut dictionary = crate::value::ByteArrays::new();
        for entry in [&b"m"[..], b"a", b"z", b"k"] {
            dictionary.push(entry);
        }
        let mut keyed = crate::value::ByteArrays::new();
        keyed.extend_from_keys(&std::sync::Arc::new(dictionary), &[1, 0, 3, 2, 0]);
        let values = Values::ByteArray(keyed);
        let key = |b: &[u8]| Key::Bytes(b.to_vec());
        assert_eq!(
            bounds(Order::Bytes, &values, 0..5),
            Some((key(b"a"), key(b"z")))
        );
        assert_eq!(
            bounds(Order::Bytes, &values, 1..3),
            Some((key(b"k"), key(b"m")))
        );
        assert_eq!(bounds(Order::Bytes, &values, 2..2), None);
    }

    #[test]
    fn boolean_bounds_cover_exactly_the_range() {
        // Bits 0..100 false, 100..103 true, the rest false: ranges across word boundaries.
        let mut bits = crate::value::Bitmap::new();
        bits.push_n(false, 100);
        bits.push_n(true, 3);
        bits.push_n(false, 97);
        let values = Values::Boolean(bits);
        let (f, t) = (Key::Bool(false), Key::Bool(true));
        assert_eq!(
            bounds(Order::Boolean, &values, 0..100),
            Some((f.clone(), f.clone()))
        );
        assert_eq!(
            bounds(Order::Boolean, &values, 100..103),
            Some((t.clone(), t.clone()))
        );
        assert_eq!(
            bounds(Order::Boolean, &values, 99..101),
            Some((f.clone(), t.clone()))
        );
        assert_eq!(bounds(Order::Boolean, &values, 102..200), Some((f, t)));
        assert_eq!(bounds(Order::Boolean, &values, 150..150), None);
        // A page map that overshoots the values finds nothing past them.
        assert_eq!(bounds(Order::Boolean, &values, 300..310), None);
    }

    #[test]
    fn bounds_skip_nan() {
        let values = Values::Double(vec![f64::NAN, 2.0, -1.0]);
        assert_eq!(
            bounds(Order::Float, &values, 0..3),
            Some((Key::Float(-1.0), Key::Float(2.0)))
        );
    }
}
