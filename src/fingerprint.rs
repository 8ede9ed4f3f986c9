//! Column fingerprints as defined in `docs/FINGERPRINT.md` (version 1): BLAKE3 over
//! canonical row bytes in fixed 65,536-row blocks, then over the block digests.
//!
//! Blocks are fixed in *file* rows, so the digest does not depend on row groups or pages. Each
//! row group is hashed on its own (in parallel): blocks that lie wholly inside it become
//! digests at once, and the partial blocks at its edges are kept as bytes until the
//! neighbouring row groups are joined in order by [`FingerprintBuilder`].

use std::ops::Range;

use crate::value::{Bitmap, ColumnSlice, RowVisitor, RowWalker, Values};

/// Rows per block.
pub const BLOCK_ROWS: u64 = 65_536;
/// Prefix of the column digest input.
const TAG: &[u8; 17] = b"labelcheck-fp-v1:";

/// A block digest.
pub type Digest = [u8; 32];

/// What one row group contributes to one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockPiece {
    /// The whole block lies in this row group: its digest.
    Whole {
        /// Block number.
        block: u64,
        /// Its digest.
        digest: Digest,
    },
    /// Only part of the block lies here: the canonical bytes of those rows.
    Partial {
        /// Block number.
        block: u64,
        /// Canonical bytes of the rows in this row group.
        bytes: Vec<u8>,
    },
}

/// Hashes the rows of `slice`, whose first row is row `first_row` of the file.
pub fn hash_slice(slice: &ColumnSlice, first_row: u64) -> Vec<BlockPiece> {
    let entries = Entries::of(&slice.values);
    let mut pieces = Vec::new();
    let mut bytes = RowBytes {
        out: Vec::new(),
        slice,
        entries: entries.as_ref(),
    };
    let mut walker = RowWalker::new(slice);
    while !walker.done() {
        let row = walker.row();
        let global = first_row + row as u64;
        let block = global / BLOCK_ROWS;
        let to_block_end = (block + 1) * BLOCK_ROWS - global;
        let rows = (slice.rows - row).min(to_block_end as usize);
        bytes.out.clear();
        walker.walk(rows, &mut bytes);
        let complete = global.is_multiple_of(BLOCK_ROWS) && rows as u64 == BLOCK_ROWS;
        pieces.push(if complete {
            BlockPiece::Whole {
                block,
                digest: *blake3::hash(&bytes.out).as_bytes(),
            }
        } else {
            BlockPiece::Partial {
                block,
                bytes: bytes.out.clone(),
            }
        });
    }
    pieces
}

/// Calls `each(row, bytes)` with the canonical bytes of every row of `slice` in order
/// (FINGERPRINT.md, "Bytes of one row"): the bytes the positional fingerprint hashes, one row
/// at a time, for summaries that hash rows on their own (keyed fingerprints, transitions).
/// The bytes are written into one buffer reused for every row: no allocation per row.
pub fn row_bytes(slice: &ColumnSlice, mut each: impl FnMut(usize, &[u8])) {
    let mut rows = RowCursor::new(slice);
    while let Some((row, bytes)) = rows.next_row() {
        each(row, bytes);
    }
}

/// The canonical bytes of a slice's rows, one row per [`RowCursor::next_row`]: what
/// [`row_bytes`] walks, for callers that step several slices of the same rows side by side.
pub struct RowCursor<'a> {
    slice: &'a ColumnSlice,
    /// Keyed strings' entries as row bytes, so a row is a borrowed entry, not a copy.
    entries: Option<Entries>,
    /// Nested columns walk their rows' items; flat ones read slot `row` directly.
    walker: RowWalker<'a>,
    /// The next row; for a flat column also its slot.
    row: usize,
    /// The index of the next non-null value (flat columns).
    value: usize,
    /// The bytes of the last row, when they are not an entry.
    out: Vec<u8>,
}

impl<'a> RowCursor<'a> {
    /// A cursor at the first row of `slice`.
    pub fn new(slice: &'a ColumnSlice) -> Self {
        Self {
            slice,
            entries: Entries::of(&slice.values),
            walker: RowWalker::new(slice),
            row: 0,
            value: 0,
            out: Vec::new(),
        }
    }

    /// The next row's number (from 0, in the slice) and canonical bytes; `None` after the
    /// last row. The bytes are valid until the next call.
    #[inline]
    pub fn next_row(&mut self) -> Option<(usize, &[u8])> {
        let row = self.row;
        if row >= self.slice.rows {
            return None;
        }
        self.row += 1;
        self.out.clear();
        if self.slice.is_nested() {
            let mut bytes = RowBytes {
                out: std::mem::take(&mut self.out),
                slice: self.slice,
                entries: self.entries.as_ref(),
            };
            self.walker.walk(1, &mut bytes);
            self.out = bytes.out;
            return Some((row, &self.out));
        }
        if !self.slice.validity.get(row) {
            self.out.push(0);
            return Some((row, &self.out));
        }
        let value = self.value;
        self.value += 1;
        let out = &mut self.out;
        match &self.slice.values {
            Values::Boolean(bits) => out.extend_from_slice(&[1, u8::from(bits.get(value))]),
            Values::Int32(v) => {
                out.push(1);
                out.extend_from_slice(&v[value].to_le_bytes());
            }
            Values::Int64(v) => {
                out.push(1);
                out.extend_from_slice(&v[value].to_le_bytes());
            }
            Values::Int96(v) => {
                out.push(1);
                out.extend_from_slice(&v[value]);
            }
            Values::Float(v) => {
                out.push(1);
                out.extend_from_slice(&v[value].to_bits().to_le_bytes());
            }
            Values::Double(v) => {
                out.push(1);
                out.extend_from_slice(&v[value].to_bits().to_le_bytes());
            }
            Values::ByteArray(v) => match (v.keyed(), &self.entries) {
                (Some((_, keys)), Some(entries)) => {
                    return Some((row, entries.row(keys[value] as usize)));
                }
                _ => {
                    let bytes = v.get(value);
                    out.push(1);
                    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                    out.extend_from_slice(bytes);
                }
            },
            Values::FixedLenByteArray { width, data } => {
                out.push(1);
                out.extend_from_slice(&data[value * width..(value + 1) * width]);
            }
        }
        Some((row, &self.out))
    }
}

/// Writes the canonical bytes of the rows a [`RowWalker`] visits (FINGERPRINT.md, "Nested
/// columns"): a null item `00`; a list `01` and its length; slots as [`flat_rows`] writes them.
struct RowBytes<'a> {
    out: Vec<u8>,
    slice: &'a ColumnSlice,
    entries: Option<&'a Entries>,
}

impl RowVisitor for RowBytes<'_> {
    fn null(&mut self) {
        self.out.push(0);
    }

    fn list(&mut self, len: usize) {
        self.out.push(1);
        self.out.extend_from_slice(&(len as u32).to_le_bytes());
    }

    fn slots(&mut self, slots: Range<usize>, first_value: usize) {
        let mut next_value = first_value;
        flat_rows(
            &mut self.out,
            self.slice,
            self.entries,
            slots,
            &mut next_value,
        );
    }
}

/// Canonical bytes of the slots `slots` (FINGERPRINT.md, "Canonical row bytes"): `00` for a
/// null, `01` and the value bytes by physical type otherwise. `next_value` is the index of the
/// first non-null value among them, and moves past them.
fn flat_rows(
    out: &mut Vec<u8>,
    slice: &ColumnSlice,
    entries: Option<&Entries>,
    slots: Range<usize>,
    next_value: &mut usize,
) {
    let validity = &slice.validity;
    match &slice.values {
        Values::Boolean(bits) => boolean_rows(out, validity, bits, slots, next_value),
        Values::Int32(v) => fixed_rows(out, validity, slots, next_value, |i| {
            let b = v[i].to_le_bytes();
            [1, b[0], b[1], b[2], b[3]]
        }),
        Values::Int64(v) => fixed_rows(out, validity, slots, next_value, |i| {
            let b = v[i].to_le_bytes();
            [1, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]
        }),
        Values::Int96(v) => each_slot(out, validity, slots, next_value, |out, i| {
            out.extend_from_slice(&v[i])
        }),
        // Floats as their bits, so NaN payloads and -0.0 are kept.
        Values::Float(v) => fixed_rows(out, validity, slots, next_value, |i| {
            let b = v[i].to_bits().to_le_bytes();
            [1, b[0], b[1], b[2], b[3]]
        }),
        Values::Double(v) => fixed_rows(out, validity, slots, next_value, |i| {
            let b = v[i].to_bits().to_le_bytes();
            [1, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]
        }),
        Values::ByteArray(v) => match (v.keyed(), entries) {
            (Some((_, keys)), Some(entries)) => {
                keyed_rows(out, validity, keys, entries, slots, next_value)
            }
            _ => each_slot(out, validity, slots, next_value, |out, i| {
                let bytes = v.get(i);
                out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                out.extend_from_slice(bytes);
            }),
        },
        Values::FixedLenByteArray { width, data } => {
            each_slot(out, validity, slots, next_value, |out, i| {
                out.extend_from_slice(&data[i * width..(i + 1) * width])
            })
        }
    }
}

/// The canonical row bytes (`01`, length, bytes) of each dictionary entry of keyed strings,
/// so a row costs one copy of its entry. Rows of at most 16 bytes are also kept in fixed
/// 16-byte cells: a row then copies a whole cell and advances by its length, with no call
/// to memcpy.
struct Entries {
    cells: Vec<([u8; 16], u8)>,
    rows: Vec<u8>,
    offsets: Vec<usize>,
}

impl Entries {
    /// The entries of `values` when they are keyed strings with fewer entries than rows.
    fn of(values: &Values) -> Option<Self> {
        let Values::ByteArray(strings) = values else {
            return None;
        };
        let (dictionary, keys) = strings.keyed()?;
        if dictionary.len() > keys.len() {
            return None;
        }
        let mut entries = Entries {
            cells: Vec::new(),
            rows: Vec::new(),
            offsets: vec![0],
        };
        for entry in dictionary.iter() {
            entries.rows.push(1);
            entries
                .rows
                .extend_from_slice(&(entry.len() as u32).to_le_bytes());
            entries.rows.extend_from_slice(entry);
            entries.offsets.push(entries.rows.len());
        }
        if entries.offsets.windows(2).all(|w| w[1] - w[0] <= 16) {
            entries.cells = entries
                .offsets
                .windows(2)
                .map(|w| {
                    let mut cell = [0u8; 16];
                    cell[..w[1] - w[0]].copy_from_slice(&entries.rows[w[0]..w[1]]);
                    (cell, (w[1] - w[0]) as u8)
                })
                .collect();
        }
        Some(entries)
    }

    /// The row bytes of `entry`.
    #[inline(always)]
    fn row(&self, entry: usize) -> &[u8] {
        &self.rows[self.offsets[entry]..self.offsets[entry + 1]]
    }

    /// Appends the row bytes of `entry`.
    #[inline(always)]
    fn write(&self, out: &mut Vec<u8>, entry: usize) {
        out.extend_from_slice(self.row(entry));
    }
}

/// Canonical bytes of keyed strings: 64 valid rows at a time from the entries' cells into
/// space sized once, others one by one.
fn keyed_rows(
    out: &mut Vec<u8>,
    validity: &Bitmap,
    keys: &[u32],
    entries: &Entries,
    slots: Range<usize>,
    next_value: &mut usize,
) {
    let one = |out: &mut Vec<u8>, value: usize| entries.write(out, keys[value] as usize);
    let word = |out: &mut Vec<u8>, first: usize| {
        if entries.cells.is_empty() {
            return (first..first + 64).for_each(|value| one(out, value));
        }
        let mut at = out.len();
        out.resize(at + 64 * 16, 0);
        for &key in &keys[first..first + 64] {
            let (cell, len) = &entries.cells[key as usize];
            out[at..at + 16].copy_from_slice(cell);
            at += usize::from(*len);
        }
        out.truncate(at);
    };
    by_words(out, validity, slots, next_value, word, one);
}

/// Walks `slots` a word of validity at a time, writing `00` for each null: `word(out, first)`
/// writes the rows of 64 valid slots whose values start at `first`, `row(out, value)` the row
/// of one valid slot elsewhere. Label columns are mostly valid, so most words skip the bit
/// tests.
#[inline(always)]
fn by_words(
    out: &mut Vec<u8>,
    validity: &Bitmap,
    slots: Range<usize>,
    next_value: &mut usize,
    word: impl Fn(&mut Vec<u8>, usize),
    row: impl Fn(&mut Vec<u8>, usize),
) {
    let mut slot = slots.start;
    while slot < slots.end {
        let n = (slots.end - slot).min(64);
        let valid = validity.load(slot);
        if n == 64 && valid == u64::MAX {
            word(out, *next_value);
            *next_value += 64;
        } else {
            for bit in 0..n {
                if (valid >> bit) & 1 == 1 {
                    row(out, *next_value);
                    *next_value += 1;
                } else {
                    out.push(0);
                }
            }
        }
        slot += n;
    }
}

/// Writes each slot's null marker, and its value through `write` when it has one.
#[inline(always)]
fn each_slot(
    out: &mut Vec<u8>,
    validity: &Bitmap,
    slots: Range<usize>,
    next_value: &mut usize,
    write: impl Fn(&mut Vec<u8>, usize),
) {
    let row = |out: &mut Vec<u8>, value| {
        out.push(1);
        write(out, value);
    };
    let word = |out: &mut Vec<u8>, first| (first..first + 64).for_each(|value| row(out, value));
    by_words(out, validity, slots, next_value, word, row);
}

/// Canonical bytes of a fixed-width type, whose valid rows are `row(value)`: the `01` marker
/// and the value bytes in one array, so a row is one copy of a constant size.
fn fixed_rows<const ROW: usize>(
    out: &mut Vec<u8>,
    validity: &Bitmap,
    slots: Range<usize>,
    next_value: &mut usize,
    row: impl Fn(usize) -> [u8; ROW],
) {
    out.reserve(slots.len() * ROW);
    // Sized once per word and filled in place: no capacity check per row.
    let word = |out: &mut Vec<u8>, first| {
        let start = out.len();
        out.resize(start + 64 * ROW, 0);
        for (k, cell) in out[start..].chunks_exact_mut(ROW).enumerate() {
            cell.copy_from_slice(&row(first + k));
        }
    };
    let one = |out: &mut Vec<u8>, value| out.extend_from_slice(&row(value));
    by_words(out, validity, slots, next_value, word, one);
}

/// `01 vv` for each of eight valid booleans, by the byte that holds their bits.
static BOOLEAN_ROWS: [[u8; 16]; 256] = {
    let mut table = [[0u8; 16]; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut bit = 0;
        while bit < 8 {
            table[byte][2 * bit] = 1;
            table[byte][2 * bit + 1] = ((byte >> bit) & 1) as u8;
            bit += 1;
        }
        byte += 1;
    }
    table
};

/// Canonical bytes of booleans: eight valid rows at a time from a table, others one by one.
fn boolean_rows(
    out: &mut Vec<u8>,
    validity: &Bitmap,
    bits: &Bitmap,
    slots: Range<usize>,
    next_value: &mut usize,
) {
    let mut slot = slots.start;
    while slot < slots.end {
        let n = (slots.end - slot).min(8);
        if n == 8 && validity.load(slot) & 0xff == 0xff {
            out.extend_from_slice(&BOOLEAN_ROWS[(bits.load(*next_value) & 0xff) as usize]);
            *next_value += 8;
        } else {
            each_slot(out, validity, slot..slot + n, next_value, |out, i| {
                out.push(u8::from(bits.get(i)))
            });
        }
        slot += n;
    }
}

/// The fingerprint of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Rows hashed.
    pub rows: u64,
    /// The column digest.
    pub digest: Digest,
    /// The block digests, in block order.
    pub blocks: Vec<Digest>,
}

impl Fingerprint {
    /// The column digest as 64 lower-case hex characters.
    pub fn hex(&self) -> String {
        to_hex(&self.digest)
    }
}

/// Lower-case hex of a digest.
pub fn to_hex(digest: &Digest) -> String {
    blake3::Hash::from_bytes(*digest).to_hex().to_string()
}

/// Joins the block pieces of consecutive row groups into a column fingerprint.
#[derive(Default)]
pub struct FingerprintBuilder {
    rows: u64,
    blocks: Vec<Digest>,
    open: Option<(u64, blake3::Hasher)>,
}

impl FingerprintBuilder {
    /// A builder with no rows yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the pieces of the next row group, which holds `rows` rows.
    pub fn add(&mut self, pieces: Vec<BlockPiece>, rows: u64) {
        self.rows += rows;
        for piece in pieces {
            match piece {
                BlockPiece::Whole { block, digest } => {
                    self.close_open();
                    debug_assert_eq!(block, self.blocks.len() as u64);
                    self.blocks.push(digest);
                }
                BlockPiece::Partial { block, bytes } => {
                    if self.open.as_ref().is_some_and(|(open, _)| *open != block) {
                        self.close_open();
                    }
                    self.open
                        .get_or_insert_with(|| (block, blake3::Hasher::new()))
                        .1
                        .update(&bytes);
                }
            }
        }
    }

    fn close_open(&mut self) {
        if let Some((block, hasher)) = self.open.take() {
            debug_assert_eq!(block, self.blocks.len() as u64);
            self.blocks.push(*hasher.finalize().as_bytes());
        }
    }

    /// The fingerprint of everything added.
    pub fn finish(mut self) -> Fingerprint {
        self.close_open();
        let mut hasher = blake3::Hasher::new();
        hasher.update(TAG);
        hasher.update(&self.rows.to_le_bytes());
        for block in &self.blocks {
            hasher.update(block);
        }
        Fingerprint {
            rows: self.rows,
            digest: *hasher.finalize().as_bytes(),
            blocks: self.blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{ByteArrays, ListShape};

    #[test]
    fn keyed_strings_hash_like_packed_ones() {
        // Short entries (cells), an empty one, and one too long for a cell.
        for entries in [
            vec![&b"cat"[..], b"", b"horse"],
            vec![&b"a"[..], b"a string longer than twelve bytes", b""],
        ] {
            let mut dictionary = ByteArrays::new();
            entries.iter().for_each(|e| dictionary.push(e));
            let dictionary = std::sync::Arc::new(dictionary);
            let rows = 70_000;
            let mut validity = Bitmap::new();
            // Whole words of valid rows first (the fast path), then a null every 7th row.
            validity.extend_from_bools((0..rows).map(|i| i < 5_000 || i % 7 != 3));
            let keys: Vec<u32> = (0..validity.count_ones())
                .map(|i| (i * 5 % 3) as u32)
                .collect();
            let mut keyed = ByteArrays::new();
            keyed.extend_from_keys(&dictionary, &keys);
            assert!(keyed.keyed().is_some());
            let mut packed = ByteArrays::new();
            keys.iter()
                .for_each(|&k| packed.push(dictionary.get(k as usize)));
            assert!(packed.keyed().is_none());
            let slice = |values| ColumnSlice {
                rows,
                lists: Vec::new(),
                validity: validity.clone(),
                values: Values::ByteArray(values),
            };
            assert_eq!(
                hash_slice(&slice(keyed), 100),
                hash_slice(&slice(packed), 100)
            );
        }
    }

    fn int_slice(range: std::ops::Range<i32>) -> ColumnSlice {
        let values: Vec<i32> = range.collect();
        ColumnSlice {
            rows: values.len(),
            lists: Vec::new(),
            validity: Bitmap::filled(values.len(), true),
            values: Values::Int32(values),
        }
    }

    fn reference(values: &[i32]) -> Fingerprint {
        let mut blocks = Vec::new();
        for chunk in values.chunks(BLOCK_ROWS as usize) {
            let mut bytes = Vec::new();
            for v in chunk {
                bytes.push(1);
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            blocks.push(*blake3::hash(&bytes).as_bytes());
        }
        let mut input = TAG.to_vec();
        input.extend_from_slice(&(values.len() as u64).to_le_bytes());
        for b in &blocks {
            input.extend_from_slice(b);
        }
        Fingerprint {
            rows: values.len() as u64,
            digest: *blake3::hash(&input).as_bytes(),
            blocks,
        }
    }

    #[test]
    fn digest_does_not_depend_on_row_group_boundaries() {
        let all: Vec<i32> = (0..200_000).collect();
        let expected = reference(&all);
        for cuts in [
            vec![200_000],
            vec![65_536, 200_000],
            vec![1, 70_000, 131_072, 131_073, 200_000],
            vec![100_000, 200_000],
        ] {
            let mut builder = FingerprintBuilder::new();
            let mut start = 0;
            for end in cuts {
                let slice = int_slice(start..end);
                builder.add(hash_slice(&slice, start as u64), (end - start) as u64);
                start = end;
            }
            assert_eq!(builder.finish(), expected);
        }
    }

    /// The canonical bytes of `slice`'s rows: the bytes of the one partial block it makes.
    fn canonical_bytes(slice: &ColumnSlice) -> Vec<u8> {
        match hash_slice(slice, 0).as_slice() {
            [BlockPiece::Partial { block: 0, bytes }] => bytes.clone(),
            other => panic!("one partial block expected: {other:?}"),
        }
    }

    /// Bytes written as FINGERPRINT.md writes them: hex pairs, spaces between groups.
    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    /// A level whose items have `children` elements each, or are null (`None`).
    fn level(children: &[Option<usize>]) -> ListShape {
        let mut shape = ListShape::new();
        for item in children {
            shape.validity.push(item.is_some());
            let end = shape.offsets.last().unwrap() + item.unwrap_or(0);
            shape.offsets.push(end);
        }
        shape
    }

    /// A slice of `rows` rows with these levels, slot validity and values.
    fn nested(rows: usize, lists: Vec<ListShape>, slots: &[bool], values: Values) -> ColumnSlice {
        let mut validity = Bitmap::new();
        validity.extend_from_bools(slots.iter().copied());
        let slice = ColumnSlice {
            rows,
            lists,
            validity,
            values,
        };
        slice.check_shape().unwrap();
        slice
    }

    // FINGERPRINT.md, "Nested columns", "Worked examples": each row gives the bytes shown.

    #[test]
    fn the_detection_row_gives_the_documented_bytes() {
        // [{category: 3, bbox: [1.5, null]}, null, {category: null, bbox: []}]
        let category = nested(
            1,
            vec![level(&[Some(3)])],
            &[true, false, false],
            Values::Int64(vec![3]),
        );
        assert_eq!(
            canonical_bytes(&category),
            hex("01 03000000  01 0300000000000000  00  00")
        );
        let bbox = nested(
            1,
            vec![level(&[Some(3)]), level(&[Some(2), None, Some(0)])],
            &[true, false],
            Values::Double(vec![1.5]),
        );
        assert_eq!(
            canonical_bytes(&bbox),
            hex("01 03000000  01 02000000 01 000000000000f83f 00  00  01 00000000")
        );
        // A null `objects` is 00 in both leaves, an empty one 01 00000000.
        let category = nested(
            3,
            vec![level(&[Some(3), None, Some(0)])],
            &[true, false, false],
            Values::Int64(vec![3]),
        );
        assert_eq!(
            canonical_bytes(&category),
            hex("01 03000000 01 0300000000000000 00 00  00  01 00000000")
        );
        let bbox = nested(
            3,
            vec![
                level(&[Some(3), None, Some(0)]),
                level(&[Some(2), None, Some(0)]),
            ],
            &[true, false],
            Values::Double(vec![1.5]),
        );
        assert_eq!(
            canonical_bytes(&bbox),
            hex("01 03000000 01 02000000 01 000000000000f83f 00 00 01 00000000  00  01 00000000")
        );
    }

    #[test]
    fn the_map_row_gives_the_documented_bytes() {
        // {"cat": 0.5, "dog": null}
        let mut strings = ByteArrays::new();
        strings.push(b"cat");
        strings.push(b"dog");
        let key = nested(
            1,
            vec![level(&[Some(2)])],
            &[true, true],
            Values::ByteArray(strings),
        );
        assert_eq!(
            canonical_bytes(&key),
            hex("01 02000000 01 03000000 636174 01 03000000 646f67")
        );
        let value = nested(
            1,
            vec![level(&[Some(2)])],
            &[true, false],
            Values::Double(vec![0.5]),
        );
        assert_eq!(
            canonical_bytes(&value),
            hex("01 02000000 01 000000000000e03f 00")
        );
    }

    #[test]
    fn the_polys_row_gives_the_documented_bytes() {
        // [[1, null], null, []]
        let polys = nested(
            1,
            vec![level(&[Some(3)]), level(&[Some(2), None, Some(0)])],
            &[true, false],
            Values::Int32(vec![1]),
        );
        assert_eq!(
            canonical_bytes(&polys),
            hex("01 03000000  01 02000000 01 01000000 00  00  01 00000000")
        );
    }

    /// Each row's bytes from [`row_bytes`], in order.
    fn rows_of(slice: &ColumnSlice) -> Vec<Vec<u8>> {
        let mut rows = Vec::new();
        row_bytes(slice, |row, bytes| {
            assert_eq!(row, rows.len());
            rows.push(bytes.to_vec());
        });
        rows
    }

    /// A flat slice of `values`: its first 130 rows valid (whole words of valid rows, the
    /// hashing's fast path), then every third row null.
    fn flat_with_nulls(rows: usize, values: impl Fn(usize) -> Values) -> ColumnSlice {
        let mut validity = Bitmap::new();
        let valid = validity.extend_from_bools((0..rows).map(|i| i < 130 || i % 3 != 1));
        ColumnSlice {
            rows,
            lists: Vec::new(),
            validity,
            values: values(valid),
        }
    }

    #[test]
    fn row_bytes_are_the_hashed_bytes_row_by_row() {
        // Keyed strings: short entries (copied from 16-byte cells) and a long one, then
        // short ones only.
        let keyed = |entries: &[&[u8]], n: usize| {
            let mut dictionary = ByteArrays::new();
            entries.iter().for_each(|e| dictionary.push(e));
            let keys: Vec<u32> = (0..n as u32).map(|i| i % entries.len() as u32).collect();
            let mut keyed = ByteArrays::new();
            keyed.extend_from_keys(&std::sync::Arc::new(dictionary), &keys);
            Values::ByteArray(keyed)
        };
        let slices = [
            flat_with_nulls(300, |n| Values::Int32((0..n as i32).collect())),
            flat_with_nulls(300, |n| Values::Int64((0..n as i64).map(|v| -v).collect())),
            flat_with_nulls(300, |n| {
                Values::Double((0..n).map(|v| v as f64 / 3.0).collect())
            }),
            flat_with_nulls(300, |n| {
                Values::Float((0..n).map(|v| v as f32 - 0.5).collect())
            }),
            flat_with_nulls(300, |n| {
                let mut b = Bitmap::new();
                b.extend_from_bools((0..n).map(|v| v % 5 == 0));
                Values::Boolean(b)
            }),
            flat_with_nulls(300, |n| {
                let mut strings = ByteArrays::new();
                (0..n).for_each(|v| strings.push(format!("s{v}").as_bytes()));
                Values::ByteArray(strings)
            }),
            flat_with_nulls(300, |n| {
                keyed(&[b"cat", b"", b"a string longer than sixteen bytes"], n)
            }),
            flat_with_nulls(300, |n| keyed(&[b"cat", b"", b"dog"], n)),
            flat_with_nulls(300, |n| Values::FixedLenByteArray {
                width: 3,
                data: (0..n * 3).map(|v| v as u8).collect(),
            }),
            flat_with_nulls(300, |n| {
                Values::Int96((0..n).map(|v| [v as u8; 12]).collect())
            }),
            nested(
                3,
                vec![
                    level(&[Some(3), None, Some(0)]),
                    level(&[Some(2), None, Some(0)]),
                ],
                &[true, false],
                Values::Double(vec![1.5]),
            ),
        ];
        for slice in &slices {
            let rows = rows_of(slice);
            assert_eq!(rows.len(), slice.rows);
            assert_eq!(rows.concat(), canonical_bytes(slice), "{slice:?}");
            // Every row is 00 or starts 01: the walk split the bytes at row boundaries.
            assert!(rows.iter().all(|r| r == &[0] || r[0] == 1));
        }
        let nested_rows = rows_of(&slices[10]);
        assert_eq!(
            nested_rows,
            [
                hex("01 03000000 01 02000000 01 000000000000f83f 00 00 01 00000000"),
                hex("00"),
                hex("01 00000000"),
            ]
        );
    }

    #[test]
    fn empty_column_digest() {
        let fp = FingerprintBuilder::new().finish();
        let mut input = TAG.to_vec();
        input.extend_from_slice(&[0; 8]);
        assert_eq!(fp.digest, *blake3::hash(&input).as_bytes());
        assert!(fp.blocks.is_empty());
    }

    /// The rows `row_bytes` gives, in order, with their numbers.
    fn numbered_rows(slice: &ColumnSlice) -> Vec<(usize, Vec<u8>)> {
        let mut rows = Vec::new();
        row_bytes(slice, |row, bytes| rows.push((row, bytes.to_vec())));
        rows
    }

    #[test]
    fn row_bytes_are_the_fingerprints_bytes_row_by_row() {
        // Flat: nulls, fixed widths, byte arrays of several lengths, keyed strings.
        let mut validity = Bitmap::new();
        validity.extend_from_bools((0..200).map(|i| i % 9 != 4));
        let valid = validity.count_ones();
        let mut strings = ByteArrays::new();
        (0..valid).for_each(|i| strings.push(&b"labels"[..i % 7]));
        let mut dictionary = ByteArrays::new();
        [&b"cat"[..], b"", b"a string longer than sixteen bytes"]
            .iter()
            .for_each(|e| dictionary.push(e));
        let mut keyed = ByteArrays::new();
        let keys: Vec<u32> = (0..valid as u32).map(|i| i % 3).collect();
        keyed.extend_from_keys(&std::sync::Arc::new(dictionary), &keys);
        let mut bits = Bitmap::new();
        bits.extend_from_bools((0..valid).map(|i| i % 3 == 0));
        let flat = |values| ColumnSlice {
            rows: 200,
            lists: Vec::new(),
            validity: validity.clone(),
            values,
        };
        let bbox = nested(
            3,
            vec![
                level(&[Some(3), None, Some(0)]),
                level(&[Some(2), None, Some(0)]),
            ],
            &[true, false],
            Values::Double(vec![1.5]),
        );
        for slice in [
            flat(Values::Int32((0..valid as i32).collect())),
            flat(Values::Double((0..valid).map(|i| i as f64 / 3.0).collect())),
            flat(Values::Boolean(bits)),
            flat(Values::ByteArray(strings)),
            flat(Values::ByteArray(keyed)),
            flat(Values::FixedLenByteArray {
                width: 3,
                data: (0..valid * 3).map(|i| i as u8).collect(),
            }),
            bbox,
        ] {
            let rows = numbered_rows(&slice);
            assert_eq!(
                rows.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
                (0..slice.rows).collect::<Vec<_>>()
            );
            let all: Vec<u8> = rows.iter().flat_map(|(_, b)| b.clone()).collect();
            assert_eq!(all, canonical_bytes(&slice));
            // Each row's bytes are the row's own: a slice of that one row gives them.
            for (row, bytes) in &rows {
                let (one, _) = slice.copy_rows(slice.cursor_at(*row), 1);
                assert_eq!(bytes, &canonical_bytes(&one), "row {row}");
            }
        }
    }
}
