//! Column fingerprints as defined in `../shared/FINGERPRINT.md` (version 1): BLAKE3 over
//! canonical row bytes in fixed 65,536-row blocks, then over the block digests.
//!
//! Blocks are fixed in *file* rows, so the digest does not depend on row groups or pages. Each
//! row group is hashed on its own (in parallel): blocks that lie wholly inside it become
//! digests at once, and the partial blocks at its edges are kept as bytes until the
//! neighbouring row groups are joined in order by [`FingerprintBuilder`].

use crate::value::{ColumnSlice, Value, Values};

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
    let mut pieces = Vec::new();
    let mut writer = RowWriter::new(first_row);
    let mut value_index = 0;
    let mut write_slot = |buffer: &mut Vec<u8>, slot: usize| {
        if slice.validity.get(slot) {
            buffer.push(1);
            write_value(buffer, &slice.values, value_index);
            value_index += 1;
        } else {
            buffer.push(0);
        }
    };
    for row in 0..slice.rows {
        writer.start_row(&mut pieces);
        match &slice.lists {
            None => write_slot(&mut writer.buffer, row),
            // A list row: null is 00; otherwise 01, the element count, then each element.
            Some(shape) if shape.validity.get(row) => {
                let slots = shape.offsets[row]..shape.offsets[row + 1];
                writer.buffer.push(1);
                writer
                    .buffer
                    .extend_from_slice(&(slots.len() as u32).to_le_bytes());
                for slot in slots {
                    write_slot(&mut writer.buffer, slot);
                }
            }
            Some(_) => writer.buffer.push(0),
        }
        writer.end_row();
    }
    writer.finish(&mut pieces);
    pieces
}

/// Canonical value bytes by physical type (FINGERPRINT.md, "Canonical row bytes").
fn write_value(out: &mut Vec<u8>, values: &Values, index: usize) {
    match values.get(index) {
        Value::Boolean(b) => out.push(u8::from(b)),
        Value::Int32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Int64(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Int96(v) => out.extend_from_slice(&v),
        Value::Float(v) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
        Value::Double(v) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
        Value::Bytes(bytes) => {
            if let Values::ByteArray(_) = values {
                out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            }
            out.extend_from_slice(bytes);
        }
    }
}

/// Accumulates canonical row bytes of one block at a time, cutting at block boundaries.
struct RowWriter {
    row: u64,
    block_start: u64,
    buffer: Vec<u8>,
}

impl RowWriter {
    fn new(first_row: u64) -> Self {
        Self {
            row: first_row,
            block_start: first_row,
            buffer: Vec::new(),
        }
    }

    fn start_row(&mut self, pieces: &mut Vec<BlockPiece>) {
        if self.row % BLOCK_ROWS == 0 && self.row != self.block_start {
            self.finish(pieces);
            self.block_start = self.row;
        }
    }

    fn end_row(&mut self) {
        self.row += 1;
    }

    /// Closes the current block: a digest when it is complete, its bytes when it is not.
    fn finish(&mut self, pieces: &mut Vec<BlockPiece>) {
        if self.row == self.block_start {
            return;
        }
        let block = self.block_start / BLOCK_ROWS;
        let complete =
            self.block_start % BLOCK_ROWS == 0 && self.row - self.block_start == BLOCK_ROWS;
        if complete {
            pieces.push(BlockPiece::Whole {
                block,
                digest: *blake3::hash(&self.buffer).as_bytes(),
            });
            self.buffer.clear();
        } else {
            pieces.push(BlockPiece::Partial {
                block,
                bytes: std::mem::take(&mut self.buffer),
            });
        }
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
    use crate::value::Bitmap;

    fn int_slice(range: std::ops::Range<i32>) -> ColumnSlice {
        let values: Vec<i32> = range.collect();
        ColumnSlice {
            rows: values.len(),
            lists: None,
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

    #[test]
    fn empty_column_digest() {
        let fp = FingerprintBuilder::new().finish();
        let mut input = TAG.to_vec();
        input.extend_from_slice(&[0; 8]);
        assert_eq!(fp.digest, *blake3::hash(&input).as_bytes());
        assert!(fp.blocks.is_empty());
    }
}
