//! The comparison: the only module that sees both paths' output. It walks two column slices
//! row by row and classifies every row where they differ.

use crate::against::DumpOrigin;
use crate::decode::PageInfo;
use crate::report::{Cell, Kind, KindCounts, Mismatch, PathValues};
use std::ops::Range;

use crate::advisories::{Symptom, Writer, WriterBlame};
use crate::column_type::{CellStyle, IntegerAnnotation};
use crate::diagnosis::{Fault, Observation, Profile, WriterEvidence};
use crate::format::PageType;
use crate::value::{ColumnSlice, Value, Values};

/// The `--against` dump's rows of a chunk, and what the dump is.
#[derive(Debug, Clone, Copy)]
pub struct DumpSlice<'a> {
    /// The dump's rows.
    pub slice: &'a ColumnSlice,
    /// What the dump is: it decides the fault of a row where only the dump differs.
    pub origin: DumpOrigin,
}

/// The column and row group a comparison is about.
#[derive(Debug, Clone, Copy)]
pub struct ChunkPosition<'a> {
    /// Dotted column path.
    pub column: &'a str,
    /// Row group index.
    pub row_group: usize,
    /// File row of the row group's first row.
    pub first_row: u64,
    /// Row within the row group of the compared slices' first row: a chunk is compared a
    /// window of rows at a time.
    pub window_start: usize,
    /// Rows the row group holds.
    pub group_rows: usize,
    /// Who wrote the file, to blame its writer for a layout its version is known to get
    /// wrong.
    pub writer: Writer<'a>,
}

/// The outcome of comparing one column chunk.
#[derive(Debug, Clone, Default)]
pub struct ChunkComparison {
    /// Every mismatching row, counted by kind.
    pub counts: KindCounts,
    /// Every mismatching row, counted by where it lies, for the diagnosis.
    pub profile: Profile,
    /// The first mismatches, in row order, at most the cap asked for.
    pub listed: Vec<Mismatch>,
    /// The two paths' slices are identical value for value (floats by their bits), so
    /// anything computed from one, such as its fingerprint, holds for the other.
    pub paths_identical: bool,
}

impl ChunkComparison {
    /// Adds the comparison of the next window of the same chunk.
    pub fn merge(&mut self, next: ChunkComparison) {
        self.counts.merge(&next.counts);
        self.profile.merge(next.profile);
        self.listed.extend(next.listed);
        self.paths_identical &= next.paths_identical;
    }

    /// Counts a mismatching row and lists it while fewer than `cap` are listed; the values
    /// are only rendered for listed rows.
    fn record(
        &mut self,
        at: &Where<'_>,
        row: usize,
        kind: Kind,
        booleans: Option<(bool, bool)>,
        out_of_range: Option<WriterEvidence>,
        values: impl FnOnce() -> PathValues,
    ) {
        self.counts.add(kind, 1);
        let row = at.position.window_start + row;
        let page = page_of(at.pages, row);
        let known_bug = (kind != Kind::Against
            && at.bit_packed_lsb_writer
            && page.is_some_and(|p| p.bit_packed_levels))
        .then_some(WriterEvidence::KnownBug(Symptom::BitPackedLevelsLsbFirst));
        let writer = out_of_range.or(known_bug);
        let fault = Fault::of(kind, page, at.dump_origin, writer);
        self.profile.observe(&Observation {
            row_in_group: row,
            group_rows: at.group_rows,
            page,
            chunk_has_dictionary: at.has_dictionary,
            booleans,
            fault,
            row_group: at.position.row_group,
            writer: writer.filter(|_| fault == Fault::Writer),
        });
        if self.listed.len() >= at.cap {
            return;
        }
        let position = at.position;
        self.listed.push(Mismatch {
            column: position.column.to_owned(),
            row: position.first_row + row as u64,
            row_group: position.row_group,
            row_in_group: row as u64,
            page: page.map(|p| p.index),
            page_offset: page.map(|p| p.offset),
            kind,
            fault,
            values: values(),
        });
    }
}

/// Where a chunk's mismatches are: its position, its page map, and the listing cap.
struct Where<'a> {
    position: ChunkPosition<'a>,
    pages: &'a [PageInfo],
    cap: usize,
    group_rows: usize,
    has_dictionary: bool,
    /// What the dump is, when one is compared.
    dump_origin: Option<DumpOrigin>,
    /// The file's writer version packs BIT_PACKED levels in the wrong bit order.
    bit_packed_lsb_writer: bool,
}

/// Compares the arrow path's slice with the raw path's row by row, and both with the
/// `--against` dump's when there is one.
///
/// `pages` is the raw path's page map, used to say where a mismatching row is stored; `cap`
/// bounds how many mismatches are listed (all are counted). A row where the paths disagree
/// is classified by that disagreement; a row where they agree but the dump differs is
/// [`Kind::Against`].
pub fn compare_chunk(
    position: ChunkPosition<'_>,
    style: CellStyle,
    arrow: &ColumnSlice,
    raw: &ColumnSlice,
    dump: Option<DumpSlice<'_>>,
    pages: &[PageInfo],
    cap: usize,
) -> ChunkComparison {
    let against = dump.map(|d| d.slice);
    let paths_agree = arrow.rows == raw.rows && slices_identical(arrow, raw);
    let mut result = ChunkComparison {
        paths_identical: paths_agree,
        ..ChunkComparison::default()
    };
    if paths_agree && against.is_none_or(|d| d.rows == raw.rows && slices_identical(raw, d)) {
        return result;
    }
    let rows = arrow.rows.max(raw.rows).max(against.map_or(0, |d| d.rows));
    let at = Where {
        position,
        pages,
        cap,
        group_rows: position.group_rows.max(position.window_start + rows),
        has_dictionary: pages
            .iter()
            .any(|p| p.page_type == PageType::DictionaryPage),
        dump_origin: dump.map(|d| d.origin),
        bit_packed_lsb_writer: pages.iter().any(|p| p.bit_packed_levels)
            && WriterBlame::known(position.writer, Symptom::BitPackedLevelsLsbFirst).is_some(),
    };
    let mut arrow_rows = Rows::new(arrow);
    let mut raw_rows = Rows::new(raw);
    let mut against_rows = against.map(Rows::new);
    for row in 0..rows {
        let a = arrow_rows.next(row);
        let r = raw_rows.next(row);
        let d = against_rows.as_mut().map(|rows| rows.next(row));
        let (kind, booleans, out_of_range) = match disagreement(&a, arrow, &r, raw) {
            Some(kind) => (
                Some(kind),
                booleans(&a, arrow, &r, raw),
                style
                    .integer
                    .and_then(|annotation| stored_out_of_range(&a, arrow, &r, raw, annotation)),
            ),
            None => match (d.as_ref(), against) {
                (Some(d), Some(dump)) => (
                    disagreement(&r, raw, d, dump).map(|_| Kind::Against),
                    booleans(&r, raw, d, dump),
                    None,
                ),
                _ => (None, None, None),
            },
        };
        if let Some(kind) = kind {
            result.record(&at, row, kind, booleans, out_of_range, || PathValues {
                arrow: arrow_rows.cell(&a, style),
                raw: raw_rows.cell(&r, style),
                against: against_rows
                    .as_ref()
                    .zip(d.as_ref())
                    .map(|(rows, d)| rows.cell(d, style)),
            });
        }
    }
    result
}

/// One row, located in its slice: a flat row is one slot, a list row its elements' slots.
struct Row {
    /// The value (or the list) is non-null.
    valid: bool,
    /// Its slots.
    slots: Range<usize>,
    /// Index of its first non-null value among the slice's values.
    first_value: usize,
}

/// Walks the rows of a slice in order, tracking where each row's values start.
struct Rows<'a> {
    slice: &'a ColumnSlice,
    next_value: usize,
}

impl<'a> Rows<'a> {
    fn new(slice: &'a ColumnSlice) -> Self {
        Self {
            slice,
            next_value: 0,
        }
    }

    /// The next row, which must be `row`; `None` past the slice's end.
    fn next(&mut self, row: usize) -> Option<Row> {
        if row >= self.slice.rows {
            return None;
        }
        let first_value = self.next_value;
        let (valid, slots) = match &self.slice.lists {
            None => (self.slice.validity.get(row), row..row + 1),
            Some(shape) => (
                shape.validity.get(row),
                shape.offsets[row]..shape.offsets[row + 1],
            ),
        };
        self.next_value += slots
            .clone()
            .filter(|&s| self.slice.validity.get(s))
            .count();
        Some(Row {
            valid,
            slots,
            first_value,
        })
    }

    /// The row as a report cell.
    fn cell(&self, row: &Option<Row>, style: CellStyle) -> Cell {
        let Some(row) = row else { return Cell::Absent };
        if !row.valid {
            return Cell::Null;
        }
        let mut value = row.first_value;
        let mut items = row.slots.clone().map(|slot| {
            if self.slice.validity.get(slot) {
                value += 1;
                cell(self.slice.values.get(value - 1), style)
            } else {
                Cell::Null
            }
        });
        match self.slice.lists {
            None => items.next().unwrap_or(Cell::Null),
            Some(_) => Cell::List(items.collect()),
        }
    }
}

/// One value as a report cell, shown as the column's style says.
fn cell(value: Value<'_>, style: CellStyle) -> Cell {
    match value {
        Value::Boolean(b) => Cell::Bool(b),
        Value::Int32(v) if style.unsigned => Cell::Int(i64::from(v as u32)),
        Value::Int32(v) => Cell::Int(i64::from(v)),
        Value::Int64(v) if style.unsigned && v < 0 => Cell::Text((v as u64).to_string()),
        Value::Int64(v) => Cell::Int(v),
        Value::Int96(bytes) => Cell::Bytes(bytes.to_vec()),
        Value::Float(v) => Cell::Float(f64::from(v)),
        Value::Double(v) => Cell::Float(v),
        Value::Bytes(bytes) if style.text => match std::str::from_utf8(bytes) {
            Ok(text) => Cell::Text(text.to_owned()),
            Err(_) => Cell::Bytes(bytes.to_vec()),
        },
        Value::Bytes(bytes) => Cell::Bytes(bytes.to_vec()),
    }
}

/// The two booleans of a flat boolean row present and non-null on both sides.
fn booleans(
    a: &Option<Row>,
    x: &ColumnSlice,
    b: &Option<Row>,
    y: &ColumnSlice,
) -> Option<(bool, bool)> {
    let (a, b) = (a.as_ref()?, b.as_ref()?);
    if !(a.valid && b.valid) || x.lists.is_some() || y.lists.is_some() {
        return None;
    }
    match (x.values.get(a.first_value), y.values.get(b.first_value)) {
        (Value::Boolean(p), Value::Boolean(q)) => Some((p, q)),
        _ => None,
    }
}

/// How row `a` of slice `x` differs from row `b` of slice `y`, if it does.
fn disagreement(
    a: &Option<Row>,
    x: &ColumnSlice,
    b: &Option<Row>,
    y: &ColumnSlice,
) -> Option<Kind> {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (None, None) => return None,
        _ => return Some(Kind::Missing),
    };
    if a.valid != b.valid {
        return Some(Kind::Null);
    }
    if !a.valid {
        return None;
    }
    match (&x.lists, &y.lists) {
        (None, None) => (!x.values.same_at(a.first_value, &y.values, b.first_value))
            .then(|| value_kind(x.values.get(a.first_value), y.values.get(b.first_value))),
        (Some(_), Some(_)) => {
            let same = a.slots.len() == b.slots.len() && {
                let (mut va, mut vb) = (a.first_value, b.first_value);
                a.slots.clone().zip(b.slots.clone()).all(|(sa, sb)| {
                    let (valid_a, valid_b) = (x.validity.get(sa), y.validity.get(sb));
                    let same =
                        valid_a == valid_b && (!valid_a || x.values.same_at(va, &y.values, vb));
                    va += usize::from(valid_a);
                    vb += usize::from(valid_b);
                    same
                })
            };
            (!same).then_some(Kind::Value)
        }
        // One side read a list, the other a flat value: the shapes differ.
        _ => Some(Kind::Value),
    }
}

/// The first stored value of raw row `r` that `annotation` cannot hold, when such values are
/// the whole difference from arrow row `a`: the arrow reader returns the annotated type, so it
/// narrows a value that does not fit, where the raw path keeps what is stored. Both read the
/// same bytes then, and the writer stored what the column's type cannot hold.
fn stored_out_of_range(
    a: &Option<Row>,
    arrow: &ColumnSlice,
    r: &Option<Row>,
    raw: &ColumnSlice,
    annotation: IntegerAnnotation,
) -> Option<WriterEvidence> {
    let (a, r) = (a.as_ref()?, r.as_ref()?);
    if !(a.valid && r.valid) || a.slots.len() != r.slots.len() {
        return None;
    }
    let (mut va, mut vr) = (a.first_value, r.first_value);
    let mut first = None;
    for (sa, sr) in a.slots.clone().zip(r.slots.clone()) {
        let (valid_a, valid_r) = (arrow.validity.get(sa), raw.validity.get(sr));
        if valid_a != valid_r {
            return None;
        }
        if valid_a {
            let (Value::Int32(x), Value::Int32(y)) = (arrow.values.get(va), raw.values.get(vr))
            else {
                return None;
            };
            if !annotation.holds(y) {
                if x != annotation.narrow(y) {
                    return None;
                }
                first.get_or_insert(y);
            } else if x != y {
                return None;
            }
            va += 1;
            vr += 1;
        }
    }
    first.map(|value| WriterEvidence::OutOfRange { value, annotation })
}

/// A flip is a boolean that differs, or an integer label swapped between 0 and 1.
fn value_kind(arrow: Value<'_>, raw: Value<'_>) -> Kind {
    let zero_one = |a: i64, b: i64| (a == 0 && b == 1) || (a == 1 && b == 0);
    match (arrow, raw) {
        (Value::Boolean(_), Value::Boolean(_)) => Kind::Flip,
        (Value::Int32(a), Value::Int32(b)) if zero_one(a.into(), b.into()) => Kind::Flip,
        (Value::Int64(a), Value::Int64(b)) if zero_one(a, b) => Kind::Flip,
        _ => Kind::Value,
    }
}

/// The data page holding `row_in_group`, from the page map (ordered by first row).
fn page_of(pages: &[PageInfo], row_in_group: usize) -> Option<&PageInfo> {
    let after = pages.partition_point(|p| p.first_row <= row_in_group);
    pages[..after]
        .iter()
        .rev()
        .find(|p| p.rows > 0)
        .filter(|p| row_in_group < p.first_row + p.rows)
}

/// True when both slices hold the same rows, nulls and values, bit for bit.
fn slices_identical(a: &ColumnSlice, b: &ColumnSlice) -> bool {
    a.lists == b.lists
        && a.validity == b.validity
        && match (&a.values, &b.values) {
            (Values::Float(x), Values::Float(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
            }
            (Values::Double(x), Values::Double(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
            }
            (x, y) => x == y,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Bitmap;

    fn bools(values: &[Option<bool>]) -> ColumnSlice {
        let mut validity = Bitmap::new();
        let mut bits = Bitmap::new();
        for v in values {
            validity.push(v.is_some());
            if let Some(b) = v {
                bits.push(*b);
            }
        }
        ColumnSlice {
            rows: values.len(),
            lists: None,
            validity,
            values: Values::Boolean(bits),
        }
    }

    const AT: ChunkPosition<'static> = ChunkPosition {
        column: "label",
        row_group: 2,
        first_row: 100,
        window_start: 0,
        group_rows: 0,
        writer: Writer {
            created_by: None,
            object_model: None,
        },
    };

    #[test]
    fn identical_slices_have_no_mismatches() {
        let a = bools(&[Some(true), None, Some(false)]);
        let result = compare_chunk(AT, CellStyle::default(), &a, &a.clone(), None, &[], 10);
        assert_eq!(result.counts.total(), 0);
    }

    #[test]
    fn each_kind_is_classified_with_its_row() {
        let arrow = bools(&[Some(true), None, Some(false), Some(true), Some(true)]);
        let raw = bools(&[Some(false), Some(true), Some(false), Some(true)]);
        let result = compare_chunk(AT, CellStyle::default(), &arrow, &raw, None, &[], 10);
        let kinds: Vec<_> = result
            .listed
            .iter()
            .map(|m| (m.row, m.row_in_group, m.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (100, 0, Kind::Flip),
                (101, 1, Kind::Null),
                (104, 4, Kind::Missing)
            ]
        );
        assert_eq!(result.listed[2].values.raw, Cell::Absent);
        assert_eq!(result.listed[2].values.arrow, Cell::Bool(true));
    }

    #[test]
    fn the_cap_limits_the_list_but_not_the_count() {
        let arrow = bools(&[Some(true); 50]);
        let raw = bools(&[Some(false); 50]);
        let result = compare_chunk(AT, CellStyle::default(), &arrow, &raw, None, &[], 3);
        assert_eq!(result.counts.flip, 50);
        assert_eq!(result.listed.len(), 3);
    }

    #[test]
    fn integers_swapped_between_zero_and_one_are_flips() {
        assert_eq!(value_kind(Value::Int32(0), Value::Int32(1)), Kind::Flip);
        assert_eq!(value_kind(Value::Int64(1), Value::Int64(0)), Kind::Flip);
        assert_eq!(value_kind(Value::Int32(2), Value::Int32(1)), Kind::Value);
    }
}
