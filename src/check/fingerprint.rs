//! The fingerprint stage: a window's slices hashed into fingerprint pieces, per witness, and a
//! chunk's pieces kept small until the column's builder takes them. A slice identical to the
//! leader's is not hashed again: its pieces are the leader's.

use rayon::prelude::*;

use crate::fingerprint::{hash_slice, BlockPiece, BLOCK_ROWS};
use crate::value::ColumnSlice;

/// Hashes each witness's slice of a window whose first row is file row `first_row`.
///
/// `stored` is the leader's slice as stored, when the canonical form the slices were compared
/// in drops part of each value: the leader's fingerprint is of the stored values, and no
/// other witness shares it. `identical` says, per witness, that its slice is the leader's.
pub(super) fn hash_window(
    slices: &[Option<ColumnSlice>],
    leader: usize,
    stored: Option<&ColumnSlice>,
    identical: &[bool],
    first_row: u64,
) -> Vec<Option<Vec<BlockPiece>>> {
    let shares_leader =
        |i: usize| i != leader && identical[i] && stored.is_none() && slices[leader].is_some();
    let slice_of = |i: usize| match stored {
        Some(stored) if i == leader => Some(stored),
        _ => slices[i].as_ref(),
    };
    let own: Vec<usize> = (0..slices.len())
        .filter(|&i| slices[i].is_some() && !shares_leader(i))
        .collect();
    let hash = |&i: &usize| hash_slice(slice_of(i).expect("a slice to hash"), first_row);
    let mut hashed: Vec<Option<Vec<BlockPiece>>> = vec![None; slices.len()];
    if let [only] = own[..] {
        hashed[only] = Some(hash(&only));
    } else {
        let pieces: Vec<Vec<BlockPiece>> = own.par_iter().map(hash).collect();
        for (i, pieces) in own.iter().zip(pieces) {
            hashed[*i] = Some(pieces);
        }
    }
    for i in (0..slices.len()).filter(|&i| shares_leader(i)) {
        hashed[i] = hashed[leader].clone();
    }
    hashed
}

/// What one witness's windows of a chunk add up to for its fingerprint.
pub(super) struct ChunkPieces {
    /// Rows hashed.
    pub rows: u64,
    /// The pieces, in block order.
    pub pieces: Vec<BlockPiece>,
    /// File row of the chunk's first row.
    first_row: u64,
}

impl ChunkPieces {
    /// Nothing yet of a chunk whose first row is file row `first_row`.
    pub fn empty(first_row: u64) -> Self {
        Self {
            rows: 0,
            pieces: Vec::new(),
            first_row,
        }
    }

    /// Counts a window of `rows` rows whose fingerprint pieces are `pieces`.
    pub fn add(&mut self, rows: usize, pieces: Vec<BlockPiece>) {
        self.rows += rows as u64;
        for piece in pieces {
            self.push(piece);
        }
    }

    /// Keeps the bytes of at most two partial blocks, whatever the windows: pieces of one
    /// block from consecutive windows are joined, and a block that started in this chunk is
    /// hashed as soon as a later block begins. Only the chunk's first block (which may have
    /// begun in the previous row group) and its last (which may go on in the next) wait for
    /// the column's builder as bytes; kept per window, the bytes of every window's edge
    /// blocks added up to the chunk's size.
    fn push(&mut self, piece: BlockPiece) {
        let block_of = |piece: &BlockPiece| match piece {
            BlockPiece::Whole { block, .. } | BlockPiece::Partial { block, .. } => *block,
        };
        let next = block_of(&piece);
        if let Some(BlockPiece::Partial { block, bytes }) = self.pieces.last_mut() {
            match &piece {
                BlockPiece::Partial { bytes: more, .. } if *block == next => {
                    bytes.extend_from_slice(more);
                    return;
                }
                _ if *block < next && *block * BLOCK_ROWS >= self.first_row => {
                    let whole = BlockPiece::Whole {
                        block: *block,
                        digest: *blake3::hash(bytes).as_bytes(),
                    };
                    *self.pieces.last_mut().expect("a last piece") = whole;
                }
                _ => {}
            }
        }
        self.pieces.push(piece);
    }
}
