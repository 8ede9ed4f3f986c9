//! Path B: labelcheck's own Parquet decoder.
//!
//! **Independence rule.** Nothing under this module uses the `parquet` crate: not its Thrift
//! types, not its decoders, not its utilities. The footer and page headers are read by our own
//! Thrift compact-protocol reader ([`thrift`], [`metadata`]), levels and values by our own
//! decoders (one module per encoding). It shares with the arrow path only the decompression
//! crates, the decode interface in [`crate::decode`] and the value model in [`crate::value`];
//! neither path imports the other. A disagreement between the two paths is therefore
//! evidence about the file or one reader, not an echo of shared code. The test
//! `tests/independence.rs` enforces the rule by scanning this directory.

pub mod bloom;
pub mod byte_stream_split;
pub mod codec;
pub mod column;
pub mod cursor;
pub mod delta_binary_packed;
pub mod delta_byte_array;
pub mod delta_length_byte_array;
pub mod dictionary;
pub mod error;
pub mod levels;
pub mod metadata;
pub mod page;
pub mod plain;
pub mod rle_boolean;
pub mod schema;
pub mod thrift;

use std::sync::Arc;

use crate::claims::{ChunkClaims, PageClaim, StatisticsClaim};
use crate::decode::{ChunkWindows, ColumnDecoder, DecodeError, DecodedChunk, WindowRows};
use crate::source::ByteSource;

use crate::decode::DecodeOptions;
use column::{ChunkError, RawChunkWindows};
use error::{RawError, RawResult};
use metadata::{parse_file_metadata, FileMetaData};
use schema::{leaf_columns, LeafColumn};

/// The magic bytes at both ends of a Parquet file (format README, "File Format").
const MAGIC: &[u8; 4] = b"PAR1";
/// The footer magic of a file whose footer is encrypted.
const MAGIC_ENCRYPTED: &[u8; 4] = b"PARE";
/// Bytes of the fixed tail: footer length and magic.
const TAIL_LEN: u64 = 8;

/// A Parquet file opened by the raw path: its footer parsed and its leaf columns resolved.
pub struct RawFile {
    source: Arc<dyn ByteSource>,
    metadata: FileMetaData,
    leaves: Vec<LeafColumn>,
    options: DecodeOptions,
    /// The writer has PARQUET-816: chunk ranges are padded ([`page::chunk_range`]).
    pad_dictionary: bool,
}

impl RawFile {
    /// Reads and parses the footer of `source`.
    pub fn open(source: Arc<dyn ByteSource>, options: DecodeOptions) -> RawResult<Self> {
        let metadata = read_footer(source.as_ref(), options.max_footer_bytes)?;
        let leaves = leaf_columns(&metadata.schema)?;
        for row_group in &metadata.row_groups {
            if row_group.columns.len() != leaves.len() {
                return Err(RawError::invalid(format!(
                    "row group has {} column chunks but the schema has {} leaf columns",
                    row_group.columns.len(),
                    leaves.len()
                )));
            }
        }
        let pad_dictionary =
            crate::quirks::dictionary_outside_chunk_size(metadata.created_by.as_deref());
        Ok(Self {
            source,
            metadata,
            leaves,
            options,
            pad_dictionary,
        })
    }

    /// True when the writer has PARQUET-816, so chunk ranges are padded as parquet-cpp pads
    /// them ([`page::chunk_range`]).
    pub fn pads_dictionary(&self) -> bool {
        self.pad_dictionary
    }

    /// Decompresses DATA_PAGE_V2 pages of compressed chunks whatever their `is_compressed`
    /// flag says, as parquet-cpp does for writers known to flag compressed pages as
    /// uncompressed; the caller, which knows the writers, decides.
    pub fn decompress_v2_pages_flagged_uncompressed(&mut self) {
        self.options.decompress_v2_flagged_uncompressed = true;
    }

    /// The parsed footer.
    pub fn metadata(&self) -> &FileMetaData {
        &self.metadata
    }

    /// The leaf columns in schema order.
    pub fn leaves(&self) -> &[LeafColumn] {
        &self.leaves
    }

    /// Where the file's bytes come from.
    pub fn source(&self) -> &Arc<dyn ByteSource> {
        &self.source
    }
}

impl ColumnDecoder for RawFile {
    fn decode(&self, row_group: usize, leaf: usize) -> Result<DecodedChunk, DecodeError> {
        crate::decode::drain(self.windows(row_group, leaf)?)
    }

    fn windows(
        &self,
        row_group: usize,
        leaf: usize,
    ) -> Result<Box<dyn ChunkWindows + '_>, DecodeError> {
        let chunk = self
            .metadata
            .row_groups
            .get(row_group)
            .and_then(|rg| rg.columns.get(leaf))
            .ok_or_else(|| {
                DecodeError::Failed(format!("no column chunk {leaf} in row group {row_group}"))
            })?;
        let column = &self.leaves[leaf];
        let list = column::list_levels(column, &self.leaves).map_err(|e| match e {
            RawError::Unsupported(feature) => DecodeError::Unsupported(feature),
            other => DecodeError::Failed(other.to_string()),
        })?;
        let windows = RawChunkWindows::open(
            self.source.as_ref(),
            column,
            list,
            chunk,
            &self.options,
            self.pad_dictionary,
        )
        .map_err(decode_error)?;
        Ok(Box::new(RawWindows {
            windows,
            claims: Some(self.claims(chunk)),
        }))
    }
}

/// The raw path's windows, with the chunk's claims on the first.
struct RawWindows<'a> {
    windows: RawChunkWindows<'a>,
    claims: Option<ChunkClaims>,
}

impl ChunkWindows for RawWindows<'_> {
    fn next_window(&mut self, rows: WindowRows) -> Result<Option<DecodedChunk>, DecodeError> {
        let mut window = self.windows.next_window(rows).map_err(decode_error)?;
        if let Some(window) = &mut window {
            window.claims = window.claims.take().or_else(|| self.claims.take());
        }
        Ok(window)
    }
}

fn decode_error(e: ChunkError) -> DecodeError {
    if e.error.is_unsupported() {
        DecodeError::Unsupported(match &e.error {
            RawError::Unsupported(feature) => feature.clone(),
            other => other.to_string(),
        })
    } else {
        DecodeError::Failed(e.to_string())
    }
}

impl RawFile {
    /// What the metadata claims about a chunk: footer statistics, and the page index when the
    /// file has one (format: PageIndex.md; parquet.thrift `ColumnIndex`, `OffsetIndex`).
    fn claims(&self, chunk: &metadata::ColumnChunk) -> ChunkClaims {
        let statistics = chunk
            .meta_data
            .as_ref()
            .and_then(|m| m.statistics.as_ref())
            .map(|s| StatisticsClaim {
                null_count: s.null_count,
                min: s.min_value.clone(),
                max: s.max_value.clone(),
                min_exact: s.is_min_value_exact,
                max_exact: s.is_max_value_exact,
                legacy_min: s.min.clone(),
                legacy_max: s.max.clone(),
            });
        let (pages, page_index_error) = match self.page_index(chunk) {
            Ok(pages) => (pages, None),
            Err(e) => (None, Some(e.to_string())),
        };
        let (bloom_filter, bloom_filter_error) = match self.bloom_filter(chunk) {
            Ok(bitset) => (bitset, None),
            Err(e) => (None, Some(e.to_string())),
        };
        ChunkClaims {
            statistics,
            pages,
            page_index_error,
            bloom_filter,
            bloom_filter_error,
        }
    }

    /// Reads the chunk's bloom filter bitset (BloomFilter.md, "File Format"): the header at
    /// `bloom_filter_offset`, then `numBytes` of bitset. Writers that omit
    /// `bloom_filter_length` leave the header's size to be found by parsing it.
    fn bloom_filter(&self, chunk: &metadata::ColumnChunk) -> RawResult<Option<Vec<u8>>> {
        let Some(offset) = chunk.meta_data.as_ref().and_then(|m| m.bloom_filter_offset) else {
            return Ok(None);
        };
        let offset = u64::try_from(offset)
            .ok()
            .filter(|&o| o < self.source.len())
            .ok_or_else(|| {
                RawError::invalid(format!(
                    "bloom filter at offset {offset} lies outside the file"
                ))
            })?;
        // A header is a few bytes; 256 covers any that follows the format.
        let head_len = (self.source.len() - offset).min(256) as usize;
        let head = self
            .source
            .read_at(offset, head_len)
            .map_err(|e| RawError::invalid(format!("reading the bloom filter: {e}")))?;
        let header = bloom::parse_header(&head)?;
        let bitset_at = offset + header.header_len as u64;
        if bitset_at + header.num_bytes as u64 > self.source.len() {
            return Err(RawError::invalid(format!(
                "bloom filter of {} bytes at offset {bitset_at} runs past the end of the file",
                header.num_bytes
            )));
        }
        self.source
            .read_at(bitset_at, header.num_bytes)
            .map(Some)
            .map_err(|e| RawError::invalid(format!("reading the bloom filter: {e}")))
    }

    fn page_index(&self, chunk: &metadata::ColumnChunk) -> RawResult<Option<Vec<PageClaim>>> {
        let read =
            |offset: Option<i64>, length: Option<i32>, what: &str| -> RawResult<Option<Vec<u8>>> {
                let (Some(offset), Some(length)) = (offset, length) else {
                    return Ok(None);
                };
                let (Ok(offset), Ok(length)) = (u64::try_from(offset), usize::try_from(length))
                else {
                    return Err(RawError::invalid(format!(
                        "{what} at offset {offset} with length {length}"
                    )));
                };
                // A page index is decoded into many times its size: held to the page limit.
                if length > self.options.max_page_bytes {
                    return Err(RawError::BeyondLimit(format!(
                        "{what} of {length} bytes, more than --max-page-bytes ({})",
                        self.options.max_page_bytes
                    )));
                }
                self.source
                    .read_at(offset, length)
                    .map(Some)
                    .map_err(|e| RawError::invalid(format!("{what} at offset {offset}: {e}")))
            };
        let column_index = read(
            chunk.column_index_offset,
            chunk.column_index_length,
            "column index",
        )?
        .map(|bytes| metadata::parse_column_index(&bytes))
        .transpose()?;
        let offset_index = read(
            chunk.offset_index_offset,
            chunk.offset_index_length,
            "offset index",
        )?
        .map(|bytes| metadata::parse_offset_index(&bytes))
        .transpose()?;
        let count = match (&column_index, &offset_index) {
            (None, None) => return Ok(None),
            (Some(ci), _) => ci.null_pages.len(),
            (None, Some(oi)) => oi.page_locations.len(),
        };
        if let (Some(ci), Some(oi)) = (&column_index, &offset_index) {
            if ci.null_pages.len() != oi.page_locations.len() {
                return Err(RawError::invalid(format!(
                    "the column index lists {} pages, the offset index {}",
                    ci.null_pages.len(),
                    oi.page_locations.len()
                )));
            }
        }
        Ok(Some(
            (0..count)
                .map(|page| PageClaim {
                    null_page: column_index.as_ref().map(|ci| ci.null_pages[page]),
                    null_count: column_index
                        .as_ref()
                        .and_then(|ci| ci.null_counts.as_ref()?.get(page).copied()),
                    min: column_index
                        .as_ref()
                        .and_then(|ci| ci.min_values.get(page).cloned()),
                    max: column_index
                        .as_ref()
                        .and_then(|ci| ci.max_values.get(page).cloned()),
                    offset: offset_index
                        .as_ref()
                        .map(|oi| oi.page_locations[page].offset),
                    first_row_index: offset_index
                        .as_ref()
                        .map(|oi| oi.page_locations[page].first_row_index),
                })
                .collect(),
        ))
    }
}

/// Reads the footer: `<metadata><4-byte little-endian length>PAR1` at the end of the file.
fn read_footer(source: &dyn ByteSource, max_footer_bytes: u64) -> RawResult<FileMetaData> {
    let len = source.len();
    if len < 12 {
        return Err(RawError::invalid(format!(
            "file is {len} bytes, too small to be Parquet (needs at least 12)"
        )));
    }
    let io_error = |e: std::io::Error| RawError::invalid(format!("read failed: {e}"));
    let head = source.read_at(0, 4).map_err(io_error)?;
    let tail = source
        .read_at(len - TAIL_LEN, TAIL_LEN as usize)
        .map_err(io_error)?;
    if &tail[4..] == MAGIC_ENCRYPTED {
        return Err(RawError::unsupported("encrypted footer (PARE)"));
    }
    if head != MAGIC || &tail[4..] != MAGIC {
        return Err(RawError::invalid(
            "not a Parquet file (no PAR1 magic at both ends)",
        ));
    }
    let footer_len = u64::from(u32::from_le_bytes(tail[..4].try_into().expect("4 bytes")));
    if footer_len > max_footer_bytes {
        return Err(RawError::BeyondLimit(format!(
            "the footer is {footer_len} bytes, more than --max-footer-bytes ({max_footer_bytes})"
        )));
    }
    if footer_len + TAIL_LEN + 4 > len {
        return Err(RawError::invalid(format!(
            "footer length {footer_len} exceeds the file size ({len} bytes)"
        )));
    }
    let footer = source
        .read_at(len - TAIL_LEN - footer_len, footer_len as usize)
        .map_err(io_error)?;
    parse_file_metadata(&footer).map_err(|e| match e {
        RawError::Unsupported(_) | RawError::BeyondLimit(_) => e,
        other => RawError::MalformedFooter(other.to_string()),
    })
}
