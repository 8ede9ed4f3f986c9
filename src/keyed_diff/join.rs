//! Joining one partition: both files' records of the partition in memory, sorted by key,
//! walked side by side. Rows only in the new file are added, only in the old removed, and a
//! label whose bytes differ changed; a key twice in one file is a duplicate.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io;

use super::spill::{key_hash, Part, Record, RecordReader};
use crate::report::Kind;
use crate::transitions::{TransitionCounter, MAX_CLASSES};

/// Which of the two files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The file checked (`FILE`).
    New,
    /// The older version (`--against`).
    Old,
}

/// A key found twice in one file: its bytes and the rows of its first two occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The key bytes.
    pub key: Vec<u8>,
    /// The row of its first occurrence.
    pub first: u64,
    /// The row of its second.
    pub second: u64,
}

/// Duplicates shown in the error, per file: the first by row of their second occurrence.
pub const DUPLICATES_SHOWN: usize = 3;

/// The duplicates of one file: the first few, and how many keys occur more than once.
#[derive(Debug, Clone, Default)]
pub struct Duplicates {
    /// The first [`DUPLICATES_SHOWN`] by the row where the key repeats.
    pub shown: Vec<Duplicate>,
    /// Keys that occur more than once.
    pub keys: u64,
}

impl Duplicates {
    fn add(&mut self, duplicate: Duplicate) {
        self.keys += 1;
        self.shown.push(duplicate);
        self.shown.sort_by_key(|d| (d.second, d.first));
        self.shown.truncate(DUPLICATES_SHOWN);
    }

    fn merge(&mut self, other: Duplicates) {
        let keys = self.keys + other.keys;
        other.shown.into_iter().for_each(|d| self.add(d));
        self.keys = keys;
    }
}

/// One difference that may be listed: the rows are kept in the report's order, new rows
/// (added, changed) first by their row in the new file, then removed rows by their row in
/// the old, each row's columns in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Where it goes in the list.
    pub order: (Side, u64, usize),
    /// Changed, added or removed.
    pub kind: Kind,
    /// The key bytes.
    pub key: Vec<u8>,
    /// The label's bytes in the new file, if the row is there.
    pub new: Option<Vec<u8>>,
    /// The label's bytes in the old file, if the row is there.
    pub old: Option<Vec<u8>>,
}

impl Ord for Listed {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order.cmp(&other.order)
    }
}

impl PartialOrd for Listed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The first `cap` differences in the report's order, of any number offered.
#[derive(Debug, Clone)]
pub struct Listing {
    cap: usize,
    heap: BinaryHeap<Listed>,
}

impl Listing {
    /// Keeps at most `cap`.
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            heap: BinaryHeap::new(),
        }
    }

    /// True when a difference at `order` would be kept: the bytes need not be copied else.
    fn wants(&self, order: (Side, u64, usize)) -> bool {
        self.heap.len() < self.cap || self.heap.peek().is_some_and(|last| order < last.order)
    }

    fn offer(&mut self, listed: Listed) {
        if !self.wants(listed.order) {
            return;
        }
        self.heap.push(listed);
        if self.heap.len() > self.cap {
            self.heap.pop();
        }
    }

    fn merge(&mut self, other: Listing) {
        other.heap.into_iter().for_each(|l| self.offer(l));
    }

    /// The kept differences in order.
    pub fn finish(self) -> Vec<Listed> {
        self.heap.into_sorted_vec()
    }
}

/// What the joins found, partition by partition, merged.
#[derive(Debug, Clone)]
pub struct Joined {
    /// Rows whose key both files hold.
    pub matched: u64,
    /// Rows only in the new file.
    pub added: u64,
    /// Rows only in the old file.
    pub removed: u64,
    /// Matched rows with at least one label changed.
    pub changed_rows: u64,
    /// Per label column, matched rows whose label changed.
    pub changed: Vec<u64>,
    /// Per label column, its transitions (`None` for a nested column).
    pub transitions: Vec<Option<TransitionCounter>>,
    /// The first differences.
    pub listing: Listing,
    /// Keys found more than once in the new file.
    pub new_duplicates: Duplicates,
    /// Keys found more than once in the old file.
    pub old_duplicates: Duplicates,
}

impl Joined {
    /// Nothing joined yet, for label columns of which `flat` says which are flat.
    pub fn new(flat: &[bool], cap: usize) -> Self {
        Self {
            matched: 0,
            added: 0,
            removed: 0,
            changed_rows: 0,
            changed: vec![0; flat.len()],
            transitions: flat
                .iter()
                .map(|&flat| flat.then(TransitionCounter::new))
                .collect(),
            listing: Listing::new(cap),
            new_duplicates: Duplicates::default(),
            old_duplicates: Duplicates::default(),
        }
    }

    /// Adds what another set of partitions found; the order of merges does not matter.
    pub fn merge(&mut self, other: Joined) {
        self.matched += other.matched;
        self.added += other.added;
        self.removed += other.removed;
        self.changed_rows += other.changed_rows;
        for (ours, theirs) in self.changed.iter_mut().zip(other.changed) {
            *ours += theirs;
        }
        for (ours, theirs) in self.transitions.iter_mut().zip(other.transitions) {
            if let (Some(ours), Some(theirs)) = (ours, theirs) {
                ours.merge(theirs);
            }
        }
        self.listing.merge(other.listing);
        self.new_duplicates.merge(other.new_duplicates);
        self.old_duplicates.merge(other.old_duplicates);
    }

    /// Joins one partition: `new` and `old` are its records from each file, `labels` the
    /// number of label columns.
    pub fn join(&mut self, new: &[u8], old: &[u8], labels: usize) {
        let mut new = Sorted::new(new, labels);
        let mut old = Sorted::new(old, labels);
        self.unique(&mut new, Side::New);
        self.unique(&mut old, Side::Old);
        let mut pairs: Vec<PairCounts> = (0..labels).map(|_| PairCounts::default()).collect();
        let (mut i, mut j) = (0, 0);
        while i < new.len() || j < old.len() {
            let order = match (new.hash(i), old.hash(j)) {
                // The key bytes are read only when the hashes are equal.
                (Some(a), Some(b)) => a
                    .cmp(&b)
                    .then_with(|| new.record(i).key.cmp(old.record(j).key)),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match order {
                Ordering::Less => {
                    self.one_side(new.record(i), Side::New, &mut pairs);
                    i += 1;
                }
                Ordering::Greater => {
                    self.one_side(old.record(j), Side::Old, &mut pairs);
                    j += 1;
                }
                Ordering::Equal => {
                    self.both(new.record(i), old.record(j), &mut pairs);
                    i += 1;
                    j += 1;
                }
            }
        }
        for (pairs, counter) in pairs.iter_mut().zip(&mut self.transitions) {
            if let Some(counter) = counter {
                pairs.flush(counter);
            }
        }
    }

    /// Keeps the first occurrence of each key only, counting the duplicates of `side`.
    fn unique(&mut self, records: &mut Sorted<'_>, side: Side) {
        let duplicates = match side {
            Side::New => &mut self.new_duplicates,
            Side::Old => &mut self.old_duplicates,
        };
        let (bytes, labels) = (records.bytes, records.labels);
        let record = |offset: usize| Sorted::record_at(bytes, labels, offset);
        let mut last_repeated: Option<usize> = None;
        // In row order within a key: the one kept is the first occurrence.
        records
            .entries
            .dedup_by(|(hash, later), (kept_hash, kept)| {
                if hash != kept_hash {
                    return false;
                }
                let (later, first) = (record(*later), record(*kept));
                let same = later.key == first.key;
                if same && last_repeated != Some(*kept) {
                    duplicates.add(Duplicate {
                        key: later.key.to_vec(),
                        first: first.row,
                        second: later.row,
                    });
                    last_repeated = Some(*kept);
                }
                same
            });
    }

    /// True when a key was found twice in either file.
    pub fn has_duplicates(&self) -> bool {
        self.new_duplicates.keys > 0 || self.old_duplicates.keys > 0
    }

    /// Finds a duplicate in a partition too large to join whose rows share their key hash at
    /// every level of splitting: the first key of the first file holding it twice, found
    /// reading the partitions a record at a time.
    pub fn duplicate_by_scan(&mut self, new: &Part, old: &Part, labels: usize) -> io::Result<()> {
        for (part, side) in [(new, Side::New), (old, Side::Old)] {
            let mut reader = RecordReader::open(part, labels)?;
            let Some(first) = reader.next_record()? else {
                continue;
            };
            let (key, row) = (first.key.to_vec(), first.row);
            while let Some(record) = reader.next_record()? {
                if record.key == key {
                    let duplicates = match side {
                        Side::New => &mut self.new_duplicates,
                        Side::Old => &mut self.old_duplicates,
                    };
                    duplicates.add(Duplicate {
                        key,
                        first: row,
                        second: record.row,
                    });
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// A row whose key only `side` has.
    fn one_side(&mut self, record: Record<'_>, side: Side, pairs: &mut [PairCounts]) {
        let kind = match side {
            Side::New => {
                self.added += 1;
                Kind::Added
            }
            Side::Old => {
                self.removed += 1;
                Kind::Removed
            }
        };
        for (column, label) in record.labels().enumerate() {
            if let Some(counter) = &mut self.transitions[column] {
                match side {
                    Side::New => pairs[column].count(counter, None, Some(label)),
                    Side::Old => pairs[column].count(counter, Some(label), None),
                }
            }
            let order = (side, record.row, column);
            if self.listing.wants(order) {
                let bytes = Some(label.to_vec());
                let (new, old) = match side {
                    Side::New => (bytes, None),
                    Side::Old => (None, bytes),
                };
                self.listing.offer(Listed {
                    order,
                    kind,
                    key: record.key.to_vec(),
                    new,
                    old,
                });
            }
        }
    }

    /// A row both files have.
    fn both(&mut self, new: Record<'_>, old: Record<'_>, pairs: &mut [PairCounts]) {
        self.matched += 1;
        let mut any = false;
        for (column, (a, b)) in new.labels().zip(old.labels()).enumerate() {
            if let Some(counter) = &mut self.transitions[column] {
                pairs[column].count(counter, Some(b), Some(a));
            }
            if a == b {
                continue;
            }
            any = true;
            self.changed[column] += 1;
            let order = (Side::New, new.row, column);
            if self.listing.wants(order) {
                self.listing.offer(Listed {
                    order,
                    kind: Kind::Changed,
                    key: new.key.to_vec(),
                    new: Some(a.to_vec()),
                    old: Some(b.to_vec()),
                });
            }
        }
        self.changed_rows += u64::from(any);
    }
}

/// Transitions of one column counted within a partition before they reach its
/// [`TransitionCounter`]: pairs of short rows (at most 16 bytes, what label classes are) held
/// as integers, so a row costs a hash of two integers rather than a comparison of its bytes
/// with each class. Held to the pairs a counter can keep; beyond, the column has too many
/// classes for a matrix and nothing more is counted.
#[derive(Debug, Default)]
struct PairCounts {
    pairs: HashMap<(Packed, Packed), u64, BuildHasherDefault<WordHasher>>,
}

/// A row of at most 16 bytes as an integer and its length; [`ABSENT`] for no row.
type Packed = (u128, u8);

/// The packed form of an absent row (added or removed).
const ABSENT: Packed = (0, u8::MAX);

/// Most pairs held: every pair of [`MAX_CLASSES`] classes and absent.
const MAX_PAIRS: usize = (MAX_CLASSES + 1) * (MAX_CLASSES + 1);

fn pack(row: Option<&[u8]>) -> Option<Packed> {
    let Some(row) = row else {
        return Some(ABSENT);
    };
    let mut word = [0u8; 16];
    word.get_mut(..row.len())?.copy_from_slice(row);
    Some((u128::from_le_bytes(word), row.len() as u8))
}

fn unpack(packed: &Packed) -> Option<Vec<u8>> {
    (packed.1 != u8::MAX).then(|| packed.0.to_le_bytes()[..usize::from(packed.1)].to_vec())
}

impl PairCounts {
    /// Counts `old` → `new` in `counter`, through the pairs while they are short.
    fn count(&mut self, counter: &mut TransitionCounter, old: Option<&[u8]>, new: Option<&[u8]>) {
        if counter.overflowed() {
            return;
        }
        match (pack(old), pack(new)) {
            (Some(old), Some(new)) => {
                *self.pairs.entry((old, new)).or_default() += 1;
                if self.pairs.len() > MAX_PAIRS {
                    self.flush(counter);
                }
            }
            _ => counter.count(old, new),
        }
    }

    /// Hands the pairs counted to `counter`.
    fn flush(&mut self, counter: &mut TransitionCounter) {
        for ((old, new), rows) in self.pairs.drain() {
            counter.count_many(unpack(&old).as_deref(), unpack(&new).as_deref(), rows);
        }
    }
}

/// Hashes the words of a pair of packed rows: one multiply and rotate per word (the rows
/// are a partition's few label classes, not adversarial keys).
#[derive(Debug, Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.write_u64(u64::from(b)));
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
}

/// A partition's records in key order: by a hash of the key, then (for the distinct keys a
/// 64-bit hash collision puts together) by key, then by row.
struct Sorted<'a> {
    bytes: &'a [u8],
    labels: usize,
    /// Each record's key hash and offset in `bytes`: small entries, so the sort moves 16
    /// bytes a record and reads no record's bytes.
    entries: Vec<(u64, usize)>,
}

impl<'a> Sorted<'a> {
    fn new(bytes: &'a [u8], labels: usize) -> Self {
        let mut entries = Vec::new();
        let mut at = 0;
        while let Some((record, len)) = Record::parse(&bytes[at..], labels) {
            entries.push((key_hash(record.key, u32::MAX), at));
            at += len;
        }
        // A partition's records are in row order, so offsets order rows.
        entries.sort_unstable();
        let mut start = 0;
        while start < entries.len() {
            let hash = entries[start].0;
            let end = start + entries[start..].iter().take_while(|e| e.0 == hash).count();
            if end - start > 1 {
                entries[start..end].sort_by(|a, b| {
                    let key = |offset| Self::record_at(bytes, labels, offset).key;
                    key(a.1).cmp(key(b.1)).then(a.1.cmp(&b.1))
                });
            }
            start = end;
        }
        Self {
            bytes,
            labels,
            entries,
        }
    }

    fn record_at(bytes: &'a [u8], labels: usize, offset: usize) -> Record<'a> {
        Record::parse(&bytes[offset..], labels)
            .expect("an offset found by parsing")
            .0
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn hash(&self, i: usize) -> Option<u64> {
        self.entries.get(i).map(|e| e.0)
    }

    fn record(&self, i: usize) -> Record<'a> {
        Self::record_at(self.bytes, self.labels, self.entries[i].1)
    }
}

/// Bytes of memory a partition's join holds per record beyond the record's own bytes: its
/// entry in the sorted list (key hash, offset).
pub const BYTES_PER_RECORD: u64 = std::mem::size_of::<(u64, usize)>() as u64;
