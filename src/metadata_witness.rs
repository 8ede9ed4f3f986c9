//! The metadata witness: checks what a file's metadata claims about a column chunk — footer
//! statistics and the page index — against the values the raw path decoded. A claim that
//! leaves out values it covers matters most: engines that prune row groups or pages by
//! statistics silently skip the rows those values are in.

use std::cmp::Ordering;
use std::collections::{HashSet, VecDeque};
use std::fmt;

use crate::canonical::Canonical;
use crate::claims::{ChunkClaims, LevelHistogramsClaim, PageClaim};
use crate::column_type::Annotation;
use crate::columns::CheckedColumn;
use crate::decode::{DecodedChunk, LevelHistograms, PageInfo};
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

/// A data page whose page index bounds wait for the rest of its values: a window may end
/// inside a page of a repeated column (a row continues on the next page, or the window is
/// cut at a row inside the page), so its values arrive over two or more windows.
struct PendingPage {
    page: PageInfo,
    min: Option<Vec<u8>>,
    max: Option<Vec<u8>>,
    /// Its values, counted from the chunk's first value.
    values: std::ops::Range<usize>,
    /// Bounds of the values seen so far.
    bounds: Option<(Key, Key)>,
}

/// The metadata's claims about one column chunk (statistics, page index, level histograms,
/// bloom filter), checked against its values and levels a window of rows at a time: what
/// needs the whole chunk (null counts, bounds, histogram sums, the number of pages) is
/// accumulated and judged in [`Self::finish`]. Flat or nested alike: values are the non-null
/// ones whatever the nesting, and the levels' counts come with each page.
pub struct ChunkWitness<'c> {
    column: &'c CheckedColumn,
    row_group: usize,
    order: Option<Order>,
    claims: Option<ChunkClaims>,
    null_slots: usize,
    /// Level entries without a value (`num_values - non_null` summed over the data pages).
    levels_without_value: u64,
    /// Null element slots summed over the data pages ([`element_nulls`]); `None` once a page
    /// came without level histograms.
    element_nulls: Option<u64>,
    /// The data pages' level histograms summed; `None` once a page came without them.
    level_sums: Option<LevelHistograms>,
    bounds: Option<(Key, Key)>,
    data_pages: usize,
    page_findings: Vec<Finding>,
    /// Findings of the column index's per-page histograms, kept apart: a list of the wrong
    /// length is judged whole, and its pages' findings are dropped.
    histogram_findings: Vec<(Level, Finding)>,
    /// Values of the windows so far.
    values_seen: usize,
    /// Values of the data pages so far.
    page_values_end: usize,
    pending: VecDeque<PendingPage>,
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
            null_slots: 0,
            levels_without_value: 0,
            element_nulls: Some(0),
            level_sums: Some(LevelHistograms::default()),
            bounds: None,
            data_pages: 0,
            page_findings: Vec::new(),
            histogram_findings: Vec::new(),
            values_seen: 0,
            page_values_end: 0,
            pending: VecDeque::new(),
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
        self.null_slots += slice.null_slots();
        if let (Some(order), Some(_)) = (self.order, &claims.statistics) {
            if let Some((lo, hi)) = bounds(order, &slice.values, 0..slice.values.len()) {
                self.bounds = Some(merge(self.bounds.take(), (lo, hi)));
            }
        }
        self.observe_pages(&window.pages, &claims);
        self.observe_page_values(&slice.values);
        if let (Some(bitset), Canonical::Stored) = (&claims.bloom_filter, self.column.canonical) {
            self.probe_bloom_filter(bitset, &slice.values);
        }
        self.claims = Some(claims);
    }

    /// Takes in the data pages decoded in a window: their level counts, and the page index
    /// entries about them. What needs only the page's counts is checked at once; its bounds
    /// wait until its values have all come ([`Self::observe_page_values`]).
    fn observe_pages(&mut self, pages: &[PageInfo], claims: &ChunkClaims) {
        for page in pages
            .iter()
            .filter(|p| p.page_type != PageType::DictionaryPage)
        {
            let index = self.data_pages;
            self.data_pages += 1;
            let values = self.page_values_end..self.page_values_end + page.non_null;
            self.page_values_end = values.end;
            self.levels_without_value += (page.num_values - page.non_null) as u64;
            let element_nulls = page
                .level_histograms
                .as_ref()
                .map(|h| element_nulls(&h.definition, self.column));
            self.element_nulls = self.element_nulls.zip(element_nulls).map(|(a, b)| a + b);
            self.level_sums = match (self.level_sums.take(), &page.level_histograms) {
                (Some(sums), Some(page)) => Some(add_histograms(sums, page)),
                _ => None,
            };
            let place = Place {
                column: self.column,
                row_group: self.row_group,
                page: Some(page),
            };
            if let (Some(histograms), Some(decoded)) =
                (&claims.page_level_histograms, &page.level_histograms)
            {
                check_page_histograms(
                    &place,
                    index,
                    histograms,
                    decoded,
                    &mut self.histogram_findings,
                );
            }
            let Some(claim) = claims.pages.as_ref().and_then(|pages| pages.get(index)) else {
                continue;
            };
            let values_due = check_page_entry(&place, page, claim, &mut self.page_findings);
            if values_due && self.order.is_some() {
                self.pending.push_back(PendingPage {
                    page: page.clone(),
                    min: claim.min.clone(),
                    max: claim.max.clone(),
                    values,
                    bounds: None,
                });
            }
        }
    }

    /// Takes in a window's values: each page waiting for its bounds check gets the part of
    /// them that is its own, and is checked once it has all.
    fn observe_page_values(&mut self, values: &Values) {
        let window = self.values_seen..self.values_seen + values.len();
        self.values_seen = window.end;
        let Some(order) = self.order else { return };
        while let Some(pending) = self.pending.front_mut() {
            let (start, end) = (
                pending.values.start.max(window.start),
                pending.values.end.min(window.end),
            );
            if start < end {
                let range = start - window.start..end - window.start;
                if let Some(found) = bounds(order, values, range) {
                    pending.bounds = Some(merge(pending.bounds.take(), found));
                }
            }
            if pending.values.end > window.end {
                break;
            }
            let pending = self.pending.pop_front().expect("a page at the front");
            self.check_pending(pending);
        }
    }

    fn check_pending(&mut self, pending: PendingPage) {
        let Some(order) = self.order else { return };
        let place = Place {
            column: self.column,
            row_group: self.row_group,
            page: Some(&pending.page),
        };
        check_bounds(
            &place,
            "the column index",
            order,
            self.column.physical,
            (pending.min.as_deref(), pending.max.as_deref()),
            // Column index bounds may be truncated or widened: only containment is checked.
            (false, false),
            pending.bounds,
            &mut self.page_findings,
        );
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
    pub fn finish(mut self) -> Vec<Finding> {
        // Pages whose values never all came (a decoder that returned fewer than its pages
        // count) are checked on the values that did.
        while let Some(pending) = self.pending.pop_front() {
            self.check_pending(pending);
        }
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
        if let Some(quirk) = claims.page_index_quirk {
            out.push(Finding {
                kind: FindingKind::Quirk,
                ..place.finding(quirk.to_string())
            });
        }
        if let Some(stats) = &claims.statistics {
            if let Some(claimed) = stats.null_count.filter(|&n| n >= 0) {
                if self.column.depth > 0 {
                    self.check_repeated_null_count(&place, claimed, &mut out);
                } else {
                    let nulls = self.null_slots as i64;
                    if claimed != nulls {
                        out.push(place.finding(format!(
                            "statistics claim {claimed} nulls, the chunk holds {nulls}"
                        )));
                    }
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
        if let (Some(claimed), Some(sums)) = (&claims.level_histograms, &self.level_sums) {
            for (kind, claimed, held) in [
                (Level::Repetition, &claimed.repetition, &sums.repetition),
                (Level::Definition, &claimed.definition, &sums.definition),
            ] {
                if let Some(message) =
                    histogram_disagreement(kind, claimed.as_deref(), held, "the chunk")
                {
                    out.push(place.finding(format!("SizeStatistics: {message}")));
                }
            }
        }
        let pages_agree = match &claims.pages {
            Some(pages) if self.data_pages != pages.len() => {
                out.push(place.finding(format!(
                    "the page index lists {} pages, the chunk holds {}",
                    pages.len(),
                    self.data_pages
                )));
                false
            }
            _ => true,
        };
        if pages_agree {
            let mut malformed = Vec::new();
            if let (Some(histograms), Some(sums)) =
                (&claims.page_level_histograms, &self.level_sums)
            {
                for (kind, finding) in self.page_histogram_lengths(&place, histograms, sums) {
                    malformed.push(kind);
                    out.push(finding);
                }
            }
            out.extend(
                self.histogram_findings
                    .iter()
                    .filter(|(kind, _)| !malformed.contains(kind))
                    .map(|(_, finding)| finding.clone()),
            );
            out.extend(self.page_findings.iter().cloned());
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

    /// A repeated column's chunk null count. Writers agree that it counts the level entries
    /// without a value — null and empty lists above the leaf included: parquet-java calls
    /// `writeNull` (which counts one null) for every such entry, parquet-cpp does since
    /// PARQUET-2067 (apache/arrow#42980, Arrow 6.0), and the files of DuckDB, Polars and
    /// pyarrow 26 in ../shared/corpus/nested agree in every chunk. parquet-cpp before that
    /// counted only the null element slots (parquet-testing's list_columns.parquet, written
    /// by parquet-cpp 1.5.1, does), and apache/arrow#51097 (open) reports it still does for
    /// fixed-width leaves under a list of structs. Either count is accepted; a claim that is
    /// neither is a finding.
    fn check_repeated_null_count(&self, place: &Place<'_>, claimed: i64, out: &mut Vec<Finding>) {
        let without_value = self.levels_without_value as i64;
        let element_nulls = self.element_nulls.map(|n| n as i64);
        if claimed == without_value || element_nulls == Some(claimed) {
            return;
        }
        out.push(place.finding(format!(
            "statistics claim {claimed} nulls, the chunk holds {without_value} level entries without a value{}",
            element_nulls
                .map(|n| format!(" ({n} of them null elements)"))
                .unwrap_or_default()
        )));
    }

    /// The column index's histograms must hold one histogram per data page: a list of
    /// another length is a finding of its own, with the kind of levels it counts, and its
    /// pages are not compared.
    fn page_histogram_lengths(
        &self,
        place: &Place<'_>,
        claimed: &LevelHistogramsClaim,
        sums: &LevelHistograms,
    ) -> Vec<(Level, Finding)> {
        let mut out = Vec::new();
        for (kind, claimed, held) in [
            (Level::Repetition, &claimed.repetition, &sums.repetition),
            (Level::Definition, &claimed.definition, &sums.definition),
        ] {
            let Some(claimed) = claimed.as_deref().filter(|c| !c.is_empty()) else {
                continue;
            };
            let width = held.len();
            if claimed.len() != self.data_pages * width {
                out.push((kind, place.finding(format!(
                    "the column index's {kind} level histograms hold {} counts; {} pages of levels 0..={} need {}: not compared",
                    claimed.len(),
                    self.data_pages,
                    width.saturating_sub(1),
                    self.data_pages * width
                ))));
            }
        }
        out
    }
}

/// Which levels a histogram counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Repetition,
    Definition,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Repetition => "repetition",
            Level::Definition => "definition",
        })
    }
}

/// The wider of two pairs of bounds.
fn merge(bounds: Option<(Key, Key)>, (lo, hi): (Key, Key)) -> (Key, Key) {
    match bounds {
        None => (lo, hi),
        Some((low, high)) => (
            if lo < low { lo } else { low },
            if hi > high { hi } else { high },
        ),
    }
}

/// `sums` plus one page's histograms, bin by bin.
fn add_histograms(mut sums: LevelHistograms, page: &LevelHistograms) -> LevelHistograms {
    for (sum, page) in [
        (&mut sums.repetition, &page.repetition),
        (&mut sums.definition, &page.definition),
    ] {
        if sum.len() < page.len() {
            sum.resize(page.len(), 0);
        }
        for (sum, count) in sum.iter_mut().zip(page) {
            *sum += count;
        }
    }
    sums
}

/// The null element slots a definition level histogram counts: entries at or above the
/// column's [`CheckedColumn::element_def_level`] and below its maximum.
fn element_nulls(definition: &[u64], column: &CheckedColumn) -> u64 {
    let (from, to) = (
        usize::from(column.element_def_level),
        usize::from(column.max_def_level),
    );
    definition.get(from..to).unwrap_or_default().iter().sum()
}

/// What is wrong with a claimed level histogram, `held` being the counts of the levels
/// decoded (one per level value 0..=max): `None` when it agrees or was not written (an empty
/// list, as parquet-cpp writes for a level whose maximum is 0, is not written).
fn histogram_disagreement(
    kind: Level,
    claimed: Option<&[i64]>,
    held: &[u64],
    whose: &str,
) -> Option<String> {
    let claimed = claimed.filter(|c| !c.is_empty())?;
    if claimed.len() != held.len() {
        return Some(format!(
            "the {kind} level histogram has {} counts, levels 0..={} need {}: not compared",
            claimed.len(),
            held.len().saturating_sub(1),
            held.len()
        ));
    }
    let differ: Vec<usize> = (0..held.len())
        .filter(|&level| claimed[level] != held[level] as i64)
        .collect();
    let &first = differ.first()?;
    let show = |counts: Vec<String>| counts.join(", ");
    Some(format!(
        "the {kind} level histogram counts {} entries at {kind} level {first}, {whose} holds {} ({} of {} levels differ: claimed [{}], held [{}])",
        claimed[first],
        held[first],
        differ.len(),
        held.len(),
        show(claimed.iter().map(i64::to_string).collect()),
        show(held.iter().map(u64::to_string).collect()),
    ))
}

/// Checks page `index`'s histograms in the column index's concatenated lists against the
/// page's levels; the lists' lengths are judged for the whole chunk
/// ([`ChunkWitness::page_histogram_lengths`]).
fn check_page_histograms(
    place: &Place<'_>,
    index: usize,
    claimed: &LevelHistogramsClaim,
    decoded: &LevelHistograms,
    out: &mut Vec<(Level, Finding)>,
) {
    for (kind, claimed, held) in [
        (Level::Repetition, &claimed.repetition, &decoded.repetition),
        (Level::Definition, &claimed.definition, &decoded.definition),
    ] {
        let width = held.len();
        let Some(page) = claimed
            .as_deref()
            .and_then(|all| all.get(index * width..(index + 1) * width))
        else {
            continue;
        };
        if let Some(message) = histogram_disagreement(kind, Some(page), held, "the page") {
            out.push((kind, place.finding(format!("the column index: {message}"))));
        }
    }
}

/// Checks one page index entry against what the data page's levels say; returns whether its
/// bounds are still to be checked against its values (not for a page that holds only nulls,
/// or whose null flag is already wrong).
fn check_page_entry(
    place: &Place<'_>,
    page: &PageInfo,
    claim: &PageClaim,
    out: &mut Vec<Finding>,
) -> bool {
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
    // Some writers store -1 for "not counted". A repeated column's count may also be its
    // null element slots only (ChunkWitness::check_repeated_null_count says which writers).
    let element_nulls = page
        .level_histograms
        .as_ref()
        .map(|h| element_nulls(&h.definition, place.column) as i64);
    if let Some(claimed) = claim.null_count.filter(|&n| n >= 0) {
        if claimed != nulls && element_nulls != Some(claimed) {
            out.push(place.finding(match element_nulls {
                Some(elements) if place.column.depth > 0 => format!(
                    "the column index claims {claimed} nulls, the page holds {nulls} level entries without a value ({elements} of them null elements)"
                ),
                _ => format!("the column index claims {claimed} nulls, the page holds {nulls}"),
            }));
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
            return false;
        }
        if null_page {
            return false;
        }
    }
    true
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
    fn level_histograms_are_compared_bin_by_bin_and_only_when_well_formed() {
        let held = [3, 0, 7];
        let compare = |claimed: &[i64]| {
            histogram_disagreement(Level::Definition, Some(claimed), &held, "the page")
        };
        assert_eq!(compare(&[3, 0, 7]), None);
        // Not written: absent, or an empty list as parquet-cpp writes for a level of maximum 0.
        assert_eq!(
            histogram_disagreement(Level::Definition, None, &held, "the page"),
            None
        );
        assert_eq!(compare(&[]), None);
        assert_eq!(
            compare(&[3, 1, 6]).unwrap(),
            "the definition level histogram counts 1 entries at definition level 1, the page holds 0 (2 of 3 levels differ: claimed [3, 1, 6], held [3, 0, 7])"
        );
        assert_eq!(
            compare(&[3, 7]).unwrap(),
            "the definition level histogram has 2 counts, levels 0..=2 need 3: not compared"
        );
        // Sums grow to the widest page; null element slots are the levels from the innermost
        // repeated node's up to below the maximum.
        let page = LevelHistograms {
            repetition: vec![2, 1],
            definition: vec![1, 1, 1, 0],
        };
        let sums = add_histograms(add_histograms(LevelHistograms::default(), &page), &page);
        assert_eq!(sums.repetition, [4, 2]);
        assert_eq!(sums.definition, [2, 2, 2, 0]);
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
