//! The transition matrix between two versions of a label column: for a column with few
//! classes, how many rows went from each class in the old version to each class in the new
//! (`0→1: 27, 1→0: 3`), and each version's class totals.
//!
//! Rows are counted by their canonical row bytes (docs/FINGERPRINT.md, "Bytes of one row"), so
//! two rows are the same class exactly when the fingerprint hashes them the same; the classes
//! become report cells only at the end. Both the positional diff (rows paired by position) and
//! the keyed diff (rows paired by key) feed the same counter.

use std::cmp::Ordering;

use crate::cell::Cell;
use crate::column_type::CellStyle;
use crate::columns::CheckedColumn;
pub use crate::report::Transitions;
use crate::value::{ColumnSlice, PhysicalType, Value, Values};

/// Most classes (null included) a column may have, over both versions, for its transitions to
/// be reported: a matrix beyond this is no longer read at a glance, and the counter's memory
/// stays fixed whatever the column holds.
pub const MAX_CLASSES: usize = 20;

/// The seat in the counter's matrix of a row absent on one side (added or removed).
const ABSENT: usize = MAX_CLASSES;
/// Seats per side: the classes, then absent.
const SEATS: usize = MAX_CLASSES + 1;

/// Counts the transitions of a flat column's rows between two versions, one pair of rows at a
/// time; counters of parts of the column merge in any order to the same result.
#[derive(Debug, Clone)]
pub struct TransitionCounter {
    /// Each class's canonical row bytes, in the order first seen; emptied once there are too
    /// many.
    classes: Vec<Vec<u8>>,
    /// Each class's [`Key`], in the same order: what a row is matched against first.
    keys: Vec<Key>,
    /// `counts[old * SEATS + new]`, by seat.
    counts: Vec<u64>,
    /// More than [`MAX_CLASSES`] classes were seen: nothing more is counted.
    overflowed: bool,
}

impl Default for TransitionCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl TransitionCounter {
    /// Nothing counted yet.
    pub fn new() -> Self {
        Self {
            classes: Vec::new(),
            keys: Vec::new(),
            counts: vec![0; SEATS * SEATS],
            overflowed: false,
        }
    }

    /// Counts one pair of rows: `old` and `new` are the canonical bytes of the row in each
    /// version, `None` where the row is absent on that side (added, or removed).
    pub fn count(&mut self, old: Option<&[u8]>, new: Option<&[u8]>) {
        self.count_many(old, new, 1);
    }

    /// Counts the rows of two slices of a flat column paired by position: `old`'s row `i`
    /// with `new`'s row `i`; rows beyond the shorter slice are removed (only in `old`) or
    /// added (only in `new`).
    pub fn count_slices(&mut self, old: &ColumnSlice, new: &ColumnSlice) {
        let (mut old_rows, mut new_rows) = (FlatRows::new(old), FlatRows::new(new));
        for _ in 0..old.rows.max(new.rows) {
            if self.overflowed {
                return;
            }
            match (old_rows.next(), new_rows.next()) {
                // Most rows keep their class: one look-up, not two.
                (Some(old_row), Some(new_row)) if old_row == new_row => {
                    if let Some(seat) = self.seat(Some(old_row)) {
                        self.counts[seat * SEATS + seat] += 1;
                    }
                }
                (old_row, new_row) => self.count(old_row, new_row),
            }
        }
    }

    /// Counts `rows` pairs of rows that are all `old` → `new`.
    pub fn count_many(&mut self, old: Option<&[u8]>, new: Option<&[u8]>, rows: u64) {
        if self.overflowed || (old.is_none() && new.is_none()) {
            return;
        }
        let (Some(from), Some(to)) = (self.seat(old), self.seat(new)) else {
            return;
        };
        self.counts[from * SEATS + to] += rows;
    }

    /// The seat of a row's class, adding the class if new; `None` once there are too many.
    fn seat(&mut self, row: Option<&[u8]>) -> Option<usize> {
        let Some(row) = row else {
            return Some(ABSENT);
        };
        // Labels are short: a row is matched by its length and first 16 bytes, without a call
        // to compare bytes, and only a longer row by its bytes too. This runs once per row.
        let key = Key::of(row);
        let found = self
            .keys
            .iter()
            .zip(&self.classes)
            .position(|(k, class)| *k == key && (row.len() <= 16 || class == row));
        if found.is_some() {
            return found;
        }
        if self.classes.len() == MAX_CLASSES {
            self.overflow();
            return None;
        }
        self.classes.push(row.to_vec());
        self.keys.push(key);
        Some(self.classes.len() - 1)
    }

    /// Gives up: the column has too many classes for a matrix.
    fn overflow(&mut self) {
        self.overflowed = true;
        self.classes = Vec::new();
        self.keys = Vec::new();
        self.counts = Vec::new();
    }

    /// True once the column had more than [`MAX_CLASSES`] classes.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Adds the counts of `other`, a counter of other rows of the same column.
    pub fn merge(&mut self, other: TransitionCounter) {
        if other.overflowed {
            self.overflow();
        }
        if self.overflowed {
            return;
        }
        for from in 0..SEATS {
            for to in 0..SEATS {
                let rows = other.counts[from * SEATS + to];
                if rows == 0 {
                    continue;
                }
                let class = |seat: usize| other.classes.get(seat).map(Vec::as_slice);
                self.count_many(class(from), class(to), rows);
            }
        }
    }

    /// The matrix of `column`'s transitions, its classes as its cells show them in natural
    /// order (false before true, numbers by value, text and bytes bytewise, null last); `None`
    /// when it had more than [`MAX_CLASSES`] classes, or is not a flat column.
    pub fn finish(self, column: &CheckedColumn) -> Option<Transitions> {
        if self.overflowed || column.depth > 0 {
            return None;
        }
        let values: Vec<Option<Value<'_>>> = self
            .classes
            .iter()
            .map(|row| value_of(row, column.physical))
            .collect::<Option<_>>()?;
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| natural_order(values[a], values[b], column.style));
        let n = order.len();
        let mut transitions = Transitions {
            classes: order
                .iter()
                .map(|&seat| values[seat].map_or(Cell::Null, |v| Cell::of(v, column.style)))
                .collect(),
            counts: vec![vec![0; n]; n],
            added: vec![0; n],
            removed: vec![0; n],
            old: vec![0; n],
            new: vec![0; n],
        };
        for (i, &from) in order.iter().enumerate() {
            transitions.removed[i] = self.counts[from * SEATS + ABSENT];
            transitions.added[i] = self.counts[ABSENT * SEATS + from];
            for (j, &to) in order.iter().enumerate() {
                transitions.counts[i][j] = self.counts[from * SEATS + to];
            }
        }
        for i in 0..n {
            transitions.old[i] = transitions.counts[i].iter().sum::<u64>() + transitions.removed[i];
            transitions.new[i] =
                transitions.counts.iter().map(|row| row[i]).sum::<u64>() + transitions.added[i];
        }
        Some(transitions)
    }
}

/// A row's length and its first 16 bytes (zero-padded): equal for equal rows, and for rows
/// of at most 16 bytes, equal only for equal rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    len: usize,
    prefix: u128,
}

impl Key {
    fn of(row: &[u8]) -> Self {
        let mut prefix = [0u8; 16];
        let n = row.len().min(16);
        prefix[..n].copy_from_slice(&row[..n]);
        Self {
            len: row.len(),
            prefix: u128::from_le_bytes(prefix),
        }
    }
}

/// The canonical bytes (FINGERPRINT.md, "Bytes of one row") of a flat slice's rows, one at a
/// time, into one reused buffer.
struct FlatRows<'a> {
    slice: &'a ColumnSlice,
    row: usize,
    value: usize,
    bytes: Vec<u8>,
}

impl<'a> FlatRows<'a> {
    fn new(slice: &'a ColumnSlice) -> Self {
        Self {
            slice,
            row: 0,
            value: 0,
            bytes: Vec::new(),
        }
    }

    /// The next row's bytes; `None` past the slice's end.
    fn next(&mut self) -> Option<&[u8]> {
        let slice = self.slice;
        if self.row >= slice.rows {
            return None;
        }
        let out = &mut self.bytes;
        out.clear();
        // A flat column has one slot per row.
        let defined = slice.validity.get(self.row);
        self.row += 1;
        if !defined {
            out.push(0);
            return Some(out);
        }
        out.push(1);
        match slice.values.get(self.value) {
            Value::Boolean(b) => out.push(u8::from(b)),
            Value::Int32(v) => out.extend_from_slice(&v.to_le_bytes()),
            Value::Int64(v) => out.extend_from_slice(&v.to_le_bytes()),
            Value::Int96(v) => out.extend_from_slice(&v),
            Value::Float(v) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
            Value::Double(v) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
            Value::Bytes(v) => {
                if matches!(slice.values, Values::ByteArray(_)) {
                    out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                }
                out.extend_from_slice(v);
            }
        }
        self.value += 1;
        Some(out)
    }
}

/// The value a flat row's canonical bytes hold (`None` for a null row); `None` outside when the
/// bytes are not a flat row of `physical` values.
fn value_of(row: &[u8], physical: PhysicalType) -> Option<Option<Value<'_>>> {
    let (&defined, bytes) = row.split_first()?;
    if defined == 0 {
        return bytes.is_empty().then_some(None);
    }
    let value = match physical {
        PhysicalType::Boolean => Value::Boolean(*bytes.first()? != 0),
        PhysicalType::Int32 => Value::Int32(i32::from_le_bytes(bytes.try_into().ok()?)),
        PhysicalType::Int64 => Value::Int64(i64::from_le_bytes(bytes.try_into().ok()?)),
        PhysicalType::Int96 => Value::Int96(bytes.try_into().ok()?),
        PhysicalType::Float => {
            Value::Float(f32::from_bits(u32::from_le_bytes(bytes.try_into().ok()?)))
        }
        PhysicalType::Double => {
            Value::Double(f64::from_bits(u64::from_le_bytes(bytes.try_into().ok()?)))
        }
        PhysicalType::ByteArray => Value::Bytes(bytes.get(4..)?),
        PhysicalType::FixedLenByteArray => Value::Bytes(bytes),
    };
    Some(Some(value))
}

/// Natural order of classes: by value as the column's style reads it, null last.
fn natural_order(a: Option<Value<'_>>, b: Option<Value<'_>>, style: CellStyle) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Greater,
        (Some(_), None) => return Ordering::Less,
        (Some(a), Some(b)) => (a, b),
    };
    match (a, b) {
        (Value::Boolean(a), Value::Boolean(b)) => a.cmp(&b),
        (Value::Int32(a), Value::Int32(b)) if style.unsigned => (a as u32).cmp(&(b as u32)),
        (Value::Int32(a), Value::Int32(b)) => a.cmp(&b),
        (Value::Int64(a), Value::Int64(b)) if style.unsigned => (a as u64).cmp(&(b as u64)),
        (Value::Int64(a), Value::Int64(b)) => a.cmp(&b),
        (Value::Float(a), Value::Float(b)) => a.total_cmp(&b),
        (Value::Double(a), Value::Double(b)) => a.total_cmp(&b),
        (Value::Int96(a), Value::Int96(b)) => a.cmp(&b),
        (Value::Bytes(a), Value::Bytes(b)) => a.cmp(b),
        // One column's values are of one type.
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::Canonical;
    use crate::column_type::DumpType;

    fn column(physical: PhysicalType) -> CheckedColumn {
        CheckedColumn {
            leaf: 0,
            name: "label".into(),
            path: vec!["label".into()],
            physical,
            depth: 0,
            pieces: Vec::new(),
            max_def_level: 1,
            element_def_level: 0,
            dump: DumpType::Int64 { unsigned: false },
            logical_type: None,
            style: CellStyle::default(),
            canonical: Canonical::Stored,
        }
    }

    fn int(v: i64) -> Vec<u8> {
        let mut row = vec![1];
        row.extend_from_slice(&v.to_le_bytes());
        row
    }

    #[test]
    fn counts_transitions_in_natural_order_with_null_last_and_totals() {
        let mut counter = TransitionCounter::new();
        let (zero, one, two, null) = (int(0), int(1), int(2), vec![0u8]);
        for _ in 0..27 {
            counter.count(Some(&zero), Some(&one));
        }
        for _ in 0..3 {
            counter.count(Some(&one), Some(&zero));
        }
        counter.count(Some(&null), Some(&two));
        counter.count(Some(&two), Some(&two));
        counter.count(None, Some(&one));
        counter.count(Some(&zero), None);
        let t = counter.finish(&column(PhysicalType::Int64)).unwrap();
        assert_eq!(
            t.classes,
            vec![Cell::Int(0), Cell::Int(1), Cell::Int(2), Cell::Null]
        );
        assert_eq!(t.counts[0][1], 27);
        assert_eq!(t.counts[1][0], 3);
        assert_eq!(t.counts[3][2], 1);
        assert_eq!(t.counts[2][2], 1);
        assert_eq!(t.added, vec![0, 1, 0, 0]);
        assert_eq!(t.removed, vec![1, 0, 0, 0]);
        assert_eq!(t.old, vec![28, 3, 1, 1]);
        assert_eq!(t.new, vec![3, 28, 2, 0]);
        assert_eq!(t.changed_rows(), 31);
    }

    #[test]
    fn merge_order_does_not_change_the_result() {
        let rows: Vec<(Vec<u8>, Vec<u8>)> = (0..200i64)
            .map(|i| (int(i % 5), int((i * 7) % 5)))
            .collect();
        let count = |part: &[(Vec<u8>, Vec<u8>)]| {
            let mut c = TransitionCounter::new();
            for (a, b) in part {
                c.count(Some(a), Some(b));
            }
            c
        };
        let mut forward = count(&rows[..50]);
        forward.merge(count(&rows[50..]));
        let mut backward = count(&rows[150..]);
        backward.merge(count(&rows[..150]));
        let column = column(PhysicalType::Int64);
        assert_eq!(forward.finish(&column), backward.finish(&column));
    }

    #[test]
    fn more_than_max_classes_gives_none_also_through_merge() {
        let mut many = TransitionCounter::new();
        for i in 0..=MAX_CLASSES as i64 {
            many.count(Some(&int(i)), Some(&int(i)));
        }
        assert!(many.overflowed());
        let mut few = TransitionCounter::new();
        few.count(Some(&int(0)), Some(&int(1)));
        few.merge(many);
        assert_eq!(few.finish(&column(PhysicalType::Int64)), None);

        let mut exactly = TransitionCounter::new();
        for i in 0..MAX_CLASSES as i64 {
            exactly.count(Some(&int(i)), Some(&int(i)));
        }
        assert_eq!(
            exactly
                .finish(&column(PhysicalType::Int64))
                .unwrap()
                .classes
                .len(),
            MAX_CLASSES
        );
    }

    #[test]
    fn strings_and_booleans_read_back_as_cells() {
        let mut text = column(PhysicalType::ByteArray);
        text.style.text = true;
        let word = |w: &str| {
            let mut row = vec![1];
            row.extend_from_slice(&(w.len() as u32).to_le_bytes());
            row.extend_from_slice(w.as_bytes());
            row
        };
        let mut counter = TransitionCounter::new();
        counter.count(Some(&word("dog")), Some(&word("cat")));
        let t = counter.finish(&text).unwrap();
        assert_eq!(
            t.classes,
            vec![Cell::Text("cat".into()), Cell::Text("dog".into())]
        );
        assert_eq!(t.counts, vec![vec![0, 0], vec![1, 0]]);

        let mut counter = TransitionCounter::new();
        counter.count(Some(&[1, 1]), Some(&[1, 0]));
        let t = counter.finish(&column(PhysicalType::Boolean)).unwrap();
        assert_eq!(t.classes, vec![Cell::Bool(false), Cell::Bool(true)]);
        assert_eq!(t.counts, vec![vec![0, 0], vec![1, 0]]);
    }
}
