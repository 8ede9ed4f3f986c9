//! The interface every witness that decodes a column implements — the two decoders of the
//! file, a dump, a test's faulty stand-in — and the vocabulary they share: a decoded chunk
//! and its page map, page anomalies, the decode limits, the byte range the pre-flight screen
//! found. It lives here, outside both decoders, so that the comparison sees neither
//! decoder's internals and neither decoder imports the other (tests/independence.rs).

use crate::claims::ChunkClaims;
use crate::format::{Encoding, PageType};
use crate::quirks::Quirk;
use crate::value::{ColumnSlice, SliceCursor};

/// Most level entries one page may declare: far above what writers put in a page (tens of
/// thousands of rows), low enough that decoding a hostile page's levels stays bounded.
pub const MAX_PAGE_VALUES: usize = 1 << 24;

/// Options for decoding a column chunk.
#[derive(Debug, Clone, Copy)]
pub struct DecodeOptions {
    /// Check the CRC32 of every page that carries one.
    pub verify_crc: bool,
    /// Largest page (compressed or not) accepted, in bytes.
    pub max_page_bytes: usize,
    /// Largest footer accepted, in bytes: its structures take several times its size once
    /// decoded, on each path.
    pub max_footer_bytes: u64,
    /// Decompress the values of every DATA_PAGE_V2 page of a compressed chunk whatever its
    /// `is_compressed` flag says. Never a user's choice: set for files whose writer is known
    /// to flag compressed pages as uncompressed (ARROW-10353), for which parquet-cpp's reader
    /// does the same (ARROW-17100).
    pub decompress_v2_flagged_uncompressed: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            verify_crc: true,
            max_page_bytes: 512 << 20,
            max_footer_bytes: 256 << 20,
            decompress_v2_flagged_uncompressed: false,
        }
    }
}

/// Where one page sits and which rows it holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PageInfo {
    /// 0-based position within the column chunk, the dictionary page included.
    pub index: usize,
    /// File offset of the page header.
    pub offset: u64,
    /// The page type.
    pub page_type: PageType,
    /// The values' encoding.
    pub encoding: Encoding,
    /// First row of the page, counted within the row group.
    pub first_row: usize,
    /// Rows the page holds (0 for a dictionary page).
    pub rows: usize,
    /// Level entries (`num_values`) the page holds.
    pub num_values: usize,
    /// Non-null values the page holds.
    pub non_null: usize,
    /// `Some(false)` when the page carries a CRC that does not match its bytes.
    pub crc_ok: Option<bool>,
    /// The CRC the page header stores, when it was checked.
    pub crc: Option<u32>,
    /// Its first level entry continues a row begun on an earlier page (a repetition level
    /// above 0): DATA_PAGE v1 allows it without a page index. Then the last row begun before
    /// it spans pages; `first_row` and `rows` count rows where they begin, so they cannot say.
    pub starts_inside_row: bool,
    /// Its levels (of a bit width above 0) use the deprecated BIT_PACKED encoding, whose
    /// bit order implementations disagree on.
    pub bit_packed_levels: bool,
    /// Ways the page disagrees with itself that did not stop its decoding.
    pub anomalies: Vec<PageAnomaly>,
    /// How many of its level entries hold each repetition and definition level, for the
    /// metadata witness to check SizeStatistics and the column index against; `None` for a
    /// dictionary page, or from a decoder that does not count them.
    #[serde(skip)]
    pub level_histograms: Option<LevelHistograms>,
}

/// Counts of each level value in a data page's level entries: `repetition[l]` entries have
/// repetition level `l`, for `l` in 0..=the column's maximum (parquet.thrift
/// `SizeStatistics`). A column without repeated (or without optional and repeated) nodes has
/// one bin, counting every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelHistograms {
    /// Entries per repetition level.
    pub repetition: Vec<u64>,
    /// Entries per definition level.
    pub definition: Vec<u64>,
}

/// A page whose header or layout disagrees with what it decodes to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PageAnomaly {
    /// DATA_PAGE_V2 `num_rows` differs from the rows its levels start.
    NumRows {
        /// What the header says.
        declared: i64,
        /// What the levels hold.
        decoded: usize,
    },
    /// DATA_PAGE_V2 `num_nulls` differs from the null levels.
    NumNulls {
        /// What the header says.
        declared: i64,
        /// What the levels hold.
        decoded: usize,
    },
    /// Non-zero bytes follow the last value the page's counts call for.
    TrailingBytes {
        /// How many bytes follow it.
        bytes: usize,
    },
    /// Bytes of the column chunk follow this page, which completes the chunk's `num_values`:
    /// [`Quirk::BytesAfterLastPage`].
    ChunkTail {
        /// How many bytes follow it.
        bytes: u64,
    },
    /// A writer habit recognised on this page and worked around.
    Quirk {
        /// Which habit.
        quirk: Quirk,
    },
    /// A DATA_PAGE_V2 page of a compressed chunk flagged `is_compressed = false`, whose values
    /// were decompressed all the same because its writer is known to flag them so.
    DecompressedDespiteFlag,
}

impl std::fmt::Display for PageAnomaly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NumRows { declared, decoded } => write!(
                f,
                "its header declares num_rows {declared} but its levels hold {decoded} rows"
            ),
            Self::NumNulls { declared, decoded } => write!(
                f,
                "its header declares num_nulls {declared} but its levels hold {decoded} nulls"
            ),
            Self::ChunkTail { bytes } => write!(
                f,
                "{bytes} bytes of the column chunk follow this page; {}",
                Quirk::BytesAfterLastPage
            ),
            Self::DecompressedDespiteFlag => f.write_str(
                "it is flagged is_compressed = false in a compressed chunk, as its writer flags compressed pages; the raw path decompressed it, as parquet-cpp does for this writer (ARROW-17100)",
            ),
            Self::TrailingBytes { bytes } => write!(
                f,
                "{bytes} bytes, not all zero, follow the last value its levels call for: values may have been dropped"
            ),
            Self::Quirk { quirk } => write!(f, "{quirk}"),
        }
    }
}

/// A decoded column chunk with the map of its pages.
#[derive(Debug, Clone)]
pub struct DecodedChunk {
    /// The values.
    pub slice: ColumnSlice,
    /// Every page read, in file order.
    pub pages: Vec<PageInfo>,
    /// What the file's metadata claims about the chunk, where this path reads it.
    pub claims: Option<ChunkClaims>,
}

/// Why a decoder produced no values for a column chunk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Valid Parquet that this decoder does not read.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The bytes could not be decoded.
    #[error("{0}")]
    Failed(String),
    /// The bytes break the format: a decoder that checks them found them malformed (a
    /// structure that runs short, levels that contradict each other). Another decoder that
    /// reads them without an error accepted malformed bytes.
    #[error("{0}")]
    Malformed(String),
    /// The pre-flight screen refused the chunk, so this decoder never saw it.
    #[error("refused by the pre-flight screen: {0}")]
    Screened(String),
}

impl DecodeError {
    /// True when the decoder lacks the feature, as opposed to failing on the bytes.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported(_))
    }

    /// The message without the `unsupported:` prefix.
    pub fn detail(&self) -> &str {
        match self {
            Self::Unsupported(message)
            | Self::Failed(message)
            | Self::Malformed(message)
            | Self::Screened(message) => message,
        }
    }
}

/// The bytes of one column chunk that hold the pages its `num_values` call for, as the
/// pre-flight screen found them: from the first page to the end of the last one read. A
/// decoder that reads on until a byte count is used up (the parquet crate's page reader reads
/// headers until `total_compressed_size` is spent) is given this range instead of the
/// declared one, so bytes after the last page (a writer's padding, PARQUET-816's missing
/// dictionary header) are read by neither decoder, as by parquet-cpp and parquet-java.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkBytes {
    /// File offset of the first page.
    pub start: u64,
    /// Bytes from `start` to the end of the last page read.
    pub length: u64,
    /// The first page is a dictionary page.
    pub dictionary_first: bool,
}

/// Decodes column chunks of one file: what a witness that gives rows implements (each
/// decoder of the file, a dump, a test's faulty stand-in). The witness list, not the decoder,
/// says who it is and what role it plays.
pub trait ColumnDecoder: Send + Sync {
    /// Decodes leaf column `leaf` (its index among the file's leaf columns) in `row_group`,
    /// the whole chunk at once.
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError>;

    /// Opens the same chunk for decoding a window of rows at a time, so that memory follows
    /// the window and not the row group (a few hundred bytes of RLE can hold a row group of
    /// a hundred million rows). Decoders that only decode whole chunks serve windows of the
    /// whole chunk they decoded.
    fn windows(
        &self,
        row_group: usize,
        leaf: usize,
    ) -> Result<Box<dyn ChunkWindows + '_>, DecodeError> {
        Ok(Box::new(WholeChunk::new(self.decode(row_group, leaf)?)))
    }

    /// [`windows`](Self::windows), reading the chunk's pages from `bytes` as the screen
    /// found them. Decoders that find the pages' end by themselves ignore it.
    fn windows_in(
        &self,
        row_group: usize,
        leaf: usize,
        bytes: ChunkBytes,
    ) -> Result<Box<dyn ChunkWindows + '_>, DecodeError> {
        let _ = bytes;
        self.windows(row_group, leaf)
    }

    /// Other leaves this decoder reads when it decodes `leaf` (the arrow reader reads a map's
    /// keys with its values, and the reverse), so that the screen guarding it clears their
    /// chunks too.
    fn also_reads(&self, leaf: usize) -> Vec<usize> {
        let _ = leaf;
        Vec::new()
    }

    /// Why this decoder can decode no column of the file at all (it could not open it), so
    /// that every column is reported as checked by the others, row groups or not.
    fn unavailable(&self) -> Option<DecodeError> {
        None
    }
}

/// The seat of a decoder that could not open the file: every chunk fails with the reason,
/// and the other witnesses still check every column.
pub struct Unopened {
    /// Why, as that decoder said.
    pub reason: String,
}

impl ColumnDecoder for Unopened {
    fn decode(&self, _row_group: usize, _leaf: usize) -> Result<DecodedChunk, DecodeError> {
        Err(self.unavailable().expect("always unavailable"))
    }

    fn unavailable(&self) -> Option<DecodeError> {
        Some(DecodeError::Failed(format!(
            "could not open the file: {}",
            self.reason
        )))
    }
}

/// How many rows the next window should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRows {
    /// At least this many where the chunk has them, ending where the decoder finds it
    /// natural (the raw path ends a window at a page boundary, so that a page's values are
    /// never split between windows).
    About(usize),
    /// Exactly this many where the chunk has them: the rows the leading decoder produced.
    Exactly(usize),
}

/// A column chunk being decoded a window of rows at a time.
///
/// Each window is a [`DecodedChunk`] of consecutive rows; its `pages` are the pages whose
/// decoding finished in it (their `first_row` counts from the row group's start), and the
/// first window carries the chunk's `claims`. `None` once every row was served.
pub trait ChunkWindows: Send {
    /// Decodes the next window.
    fn next_window(&mut self, rows: WindowRows) -> Result<Option<DecodedChunk>, DecodeError>;
}

/// A chunk decoded whole, served a window at a time.
pub struct WholeChunk {
    chunk: DecodedChunk,
    cursor: SliceCursor,
    first: bool,
}

impl WholeChunk {
    /// Serves `chunk`.
    pub fn new(chunk: DecodedChunk) -> Self {
        Self {
            chunk,
            cursor: SliceCursor::default(),
            first: true,
        }
    }
}

impl ChunkWindows for WholeChunk {
    fn next_window(&mut self, rows: WindowRows) -> Result<Option<DecodedChunk>, DecodeError> {
        let first = std::mem::take(&mut self.first);
        if !first && self.cursor.row >= self.chunk.slice.rows {
            return Ok(None);
        }
        let (WindowRows::About(rows) | WindowRows::Exactly(rows)) = rows;
        let (slice, next) = self.chunk.slice.copy_rows(self.cursor, rows);
        self.cursor = next;
        Ok(Some(DecodedChunk {
            slice,
            pages: if first {
                std::mem::take(&mut self.chunk.pages)
            } else {
                Vec::new()
            },
            claims: if first {
                self.chunk.claims.take()
            } else {
                None
            },
        }))
    }
}

/// Reads every window of `windows` into one chunk: for callers that want the whole chunk.
pub fn drain(mut windows: Box<dyn ChunkWindows + '_>) -> Result<DecodedChunk, DecodeError> {
    let mut whole = windows
        .next_window(WindowRows::About(usize::MAX))?
        .ok_or_else(|| DecodeError::Failed("the chunk produced no window".into()))?;
    while let Some(more) = windows.next_window(WindowRows::About(usize::MAX))? {
        whole.slice.append(more.slice);
        whole.pages.extend(more.pages);
    }
    Ok(whole)
}
