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

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use crate::claims::{ChunkClaims, LevelHistogramsClaim, PageClaim, StatisticsClaim};
use crate::decode::{ChunkWindows, ColumnDecoder, DecodeError, DecodedChunk, WindowRows};
use crate::quirks::Quirk;
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
    /// Reads and parses the footer of `source`. Its bytes may come from a tail the arrow path
    /// reads too (`source::FooterPrefetch`); the parse is this path's own, with our Thrift
    /// reader, so that a parser's mistake is not both paths' (the independence rule above).
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
        let windows = RawChunkWindows::open(
            self.source.as_ref(),
            column,
            column::Nesting::of(column),
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
    match &e.error {
        RawError::Unsupported(feature) => DecodeError::Unsupported(feature.clone()),
        // What breaks the format, as opposed to a limit of ours or a footer we do not parse.
        RawError::Invalid(_) | RawError::Truncated { .. } => DecodeError::Malformed(e.to_string()),
        _ => DecodeError::Failed(e.to_string()),
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
        let level_histograms = chunk
            .meta_data
            .as_ref()
            .and_then(|m| m.size_statistics.as_ref())
            .map(|s| LevelHistogramsClaim {
                repetition: s.repetition_level_histogram.clone(),
                definition: s.definition_level_histogram.clone(),
            })
            .filter(|h| h.repetition.is_some() || h.definition.is_some());
        let reads = self.claim_bytes(chunk);
        let (pages, page_level_histograms, page_index_quirk, page_index_error) =
            match page_index(reads.column_index, reads.offset_index) {
                Ok(PageIndex {
                    pages,
                    histograms,
                    quirk,
                }) => (pages, histograms, quirk, None),
                Err(e) => (None, None, None, Some(e.to_string())),
            };
        let (bloom_filter, bloom_filter_error) = match self.bloom_filter(reads.bloom_filter) {
            Ok(bitset) => (bitset, None),
            Err(e) => (None, Some(e.to_string())),
        };
        ChunkClaims {
            statistics,
            pages,
            page_index_error,
            page_index_quirk,
            level_histograms,
            page_level_histograms,
            bloom_filter,
            bloom_filter_error,
        }
    }

    /// Reads what a chunk's claims are parsed from, in one batch: its column index and offset
    /// index (PageIndex.md), and its bloom filter (BloomFilter.md, "File Format": a header at
    /// `bloom_filter_offset`, then `numBytes` of bitset) — whole when the footer gives its
    /// length, else a head the header fits in. A part whose place is bad is an error of its
    /// own, not of the batch.
    fn claim_bytes(&self, chunk: &metadata::ColumnChunk) -> ClaimBytes {
        let len = self.source.len();
        let past_end = |what: &str, offset: u64, length: u64| {
            RawError::invalid(format!(
                "{what} at offset {offset}: read of {length} bytes at offset {offset} runs past the end of the file ({len} bytes)"
            ))
        };
        let index_range = |offset: Option<i64>,
                           length: Option<i32>,
                           what: &str|
         -> RawResult<Option<Range<u64>>> {
            let (Some(offset), Some(length)) = (offset, length) else {
                return Ok(None);
            };
            let (Ok(offset), Ok(length)) = (u64::try_from(offset), usize::try_from(length)) else {
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
            match offset.checked_add(length as u64) {
                Some(end) if end <= len => Ok(Some(offset..end)),
                _ => Err(past_end(what, offset, length as u64)),
            }
        };
        let bloom_range = || -> PlannedRead {
            let Some(meta) = chunk.meta_data.as_ref() else {
                return Ok(None);
            };
            let Some(offset) = meta.bloom_filter_offset else {
                return Ok(None);
            };
            let offset = u64::try_from(offset)
                .ok()
                .filter(|&o| o < len)
                .ok_or_else(|| {
                    RawError::invalid(format!(
                        "bloom filter at offset {offset} lies outside the file"
                    ))
                })?;
            let whole = meta
                .bloom_filter_length
                .and_then(|length| u64::try_from(length).ok())
                // No more than a filter the header may declare, and its header (256 bytes
                // cover any that follows the format): a length beyond is read as a head.
                .filter(|&length| {
                    length <= bloom::MAX_FILTER_BYTES as u64 + 256 && offset + length <= len
                });
            Ok(Some(match whole {
                Some(length) => (offset..offset + length, true),
                // A header is a few bytes; 256 covers any that follows the format.
                None => (offset..offset + (len - offset).min(256), false),
            }))
        };
        let mut parts: [(ClaimPart, PlannedRead); 3] = [
            (
                ClaimPart::ColumnIndex,
                index_range(
                    chunk.column_index_offset,
                    chunk.column_index_length,
                    "column index",
                )
                .map(|range| range.map(|r| (r, false))),
            ),
            (
                ClaimPart::OffsetIndex,
                index_range(
                    chunk.offset_index_offset,
                    chunk.offset_index_length,
                    "offset index",
                )
                .map(|range| range.map(|r| (r, false))),
            ),
            (ClaimPart::BloomFilter, bloom_range()),
        ];
        let wanted: Vec<Range<u64>> = parts
            .iter()
            .filter_map(|(_, part)| Some(part.as_ref().ok()?.as_ref()?.0.clone()))
            .collect();
        let mut fetched = self.source.read_ranges(&wanted).map(Vec::into_iter);
        let mut bytes = parts.iter_mut().map(|(part, planned)| {
            let Some((range, whole)) = std::mem::replace(planned, Ok(None))? else {
                return Ok(None);
            };
            match &mut fetched {
                Ok(fetched) => Ok(fetched.next().map(|bytes| BloomBytes {
                    offset: range.start,
                    bytes,
                    whole,
                })),
                Err(e) => Err(RawError::invalid(match part {
                    ClaimPart::ColumnIndex => {
                        format!("column index at offset {}: {e}", range.start)
                    }
                    ClaimPart::OffsetIndex => {
                        format!("offset index at offset {}: {e}", range.start)
                    }
                    ClaimPart::BloomFilter => format!("reading the bloom filter: {e}"),
                })),
            }
        });
        let mut next = || bytes.next().unwrap_or(Ok(None));
        let column_index = next().map(|read| read.map(|read| read.bytes));
        let offset_index = next().map(|read| read.map(|read| read.bytes));
        let bloom_filter = next();
        ClaimBytes {
            column_index,
            offset_index,
            bloom_filter,
        }
    }

    /// The chunk's bloom filter bitset from the bytes read at its offset: the header, then
    /// `numBytes` of bitset, read now when the bytes read do not hold them all.
    fn bloom_filter(&self, read: RawResult<Option<BloomBytes>>) -> RawResult<Option<Vec<u8>>> {
        let Some(BloomBytes {
            offset,
            bytes,
            whole,
        }) = read?
        else {
            return Ok(None);
        };
        let header = bloom::parse_header(&bytes)?;
        let bitset_at = offset + header.header_len as u64;
        if bitset_at + header.num_bytes as u64 > self.source.len() {
            return Err(RawError::invalid(format!(
                "bloom filter of {} bytes at offset {bitset_at} runs past the end of the file",
                header.num_bytes
            )));
        }
        let held = header.header_len..header.header_len.saturating_add(header.num_bytes);
        if whole && held.end <= bytes.len() {
            return Ok(Some(bytes[held].to_vec()));
        }
        self.source
            .read_at(bitset_at, header.num_bytes)
            .map(|bitset| Some(bitset.to_vec()))
            .map_err(|e| RawError::Read(format!("reading the bloom filter: {e}")))
    }
}

/// The parts of a chunk's claims read apart from the footer.
#[derive(Clone, Copy)]
enum ClaimPart {
    ColumnIndex,
    OffsetIndex,
    BloomFilter,
}

/// Where one part of a chunk's claims lies, and whether it is read whole (a bloom filter
/// whose length the footer gives); `Ok(None)` when the chunk has no such part.
type PlannedRead = RawResult<Option<(Range<u64>, bool)>>;

/// The bytes a chunk's claims are parsed from, as [`RawFile::claim_bytes`] read them.
struct ClaimBytes {
    column_index: RawResult<Option<Bytes>>,
    offset_index: RawResult<Option<Bytes>>,
    bloom_filter: RawResult<Option<BloomBytes>>,
}

/// Bytes read at a part's offset: for a bloom filter, its header and perhaps its bitset.
struct BloomBytes {
    offset: u64,
    bytes: Bytes,
    /// They are the whole filter, as long as the footer says it is.
    whole: bool,
}

/// The page index's claims about each page, from the column and offset indexes' bytes, and
/// the column index's level histograms (every page's, concatenated).
/// A chunk's page index as its claims use it.
struct PageIndex {
    /// One claim per data page, when there is a page index.
    pages: Option<Vec<PageClaim>>,
    /// The column index's per-page level histograms, when written.
    histograms: Option<LevelHistogramsClaim>,
    /// A writer's habit worked around in reading it.
    quirk: Option<Quirk>,
}

fn page_index(
    column_index: RawResult<Option<Bytes>>,
    offset_index: RawResult<Option<Bytes>>,
) -> RawResult<PageIndex> {
    let column_index = column_index?
        .map(|bytes| metadata::parse_column_index(&bytes))
        .transpose()?;
    // A column index without its required null_pages or boundary_order is ignored, as
    // parquet-java ignores a column index it cannot read; the offset index is still the
    // chunk's page map.
    let (column_index, quirk) = match column_index {
        Some(ci) if ci.null_pages.is_none() || ci.boundary_order.is_none() => {
            (None, Some(Quirk::ColumnIndexWithoutRequiredFields))
        }
        other => (other, None),
    };
    let null_pages = |ci: &metadata::ColumnIndex| ci.null_pages.as_ref().map_or(0, Vec::len);
    let offset_index = offset_index?
        .map(|bytes| metadata::parse_offset_index(&bytes))
        .transpose()?;
    let count = match (&column_index, &offset_index) {
        (None, None) => {
            return Ok(PageIndex {
                pages: None,
                histograms: None,
                quirk,
            })
        }
        (Some(ci), _) => null_pages(ci),
        (None, Some(oi)) => oi.page_locations.len(),
    };
    if let (Some(ci), Some(oi)) = (&column_index, &offset_index) {
        if null_pages(ci) != oi.page_locations.len() {
            return Err(RawError::invalid(format!(
                "the column index lists {} pages, the offset index {}",
                null_pages(ci),
                oi.page_locations.len()
            )));
        }
    }
    let histograms = column_index
        .as_ref()
        .map(|ci| LevelHistogramsClaim {
            repetition: ci.repetition_level_histograms.clone(),
            definition: ci.definition_level_histograms.clone(),
        })
        .filter(|h| h.repetition.is_some() || h.definition.is_some());
    let pages = Some(
        (0..count)
            .map(|page| PageClaim {
                null_page: column_index
                    .as_ref()
                    .and_then(|ci| ci.null_pages.as_ref()?.get(page).copied()),
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
    );
    Ok(PageIndex {
        pages,
        histograms,
        quirk,
    })
}

/// Reads the footer: `<metadata><4-byte little-endian length>PAR1` at the end of the file.
fn read_footer(source: &dyn ByteSource, max_footer_bytes: u64) -> RawResult<FileMetaData> {
    let len = source.len();
    if len < 12 {
        return Err(RawError::invalid(format!(
            "file is {len} bytes, too small to be Parquet (needs at least 12)"
        )));
    }
    let io_error = |e: std::io::Error| RawError::Read(format!("read failed: {e}"));
    let [head, tail]: [Bytes; 2] = source
        .read_ranges(&[0..4, len - TAIL_LEN..len])
        .map_err(io_error)?
        .try_into()
        .map_err(|_| {
            RawError::invalid("read failed: a batch of two ranges returned another count")
        })?;
    if &tail[4..] == MAGIC_ENCRYPTED {
        return Err(RawError::unsupported("encrypted footer (PARE)"));
    }
    if head[..] != MAGIC[..] || &tail[4..] != MAGIC {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::metadata::tests::{
        column_index, column_index_without_required_fields, offset_index,
    };

    #[test]
    fn a_column_index_without_its_required_fields_is_ignored_as_a_quirk() {
        let read = |bytes: Vec<u8>| Ok(Some(Bytes::from(bytes)));
        let whole = page_index(read(column_index()), read(offset_index())).unwrap();
        assert_eq!(whole.quirk, None);
        let pages = whole.pages.unwrap();
        assert_eq!(pages[0].null_page, Some(true));
        assert_eq!(pages[1].min.as_deref(), Some(&[5][..]));

        let lacking = page_index(
            read(column_index_without_required_fields()),
            read(offset_index()),
        )
        .unwrap();
        assert_eq!(lacking.quirk, Some(Quirk::ColumnIndexWithoutRequiredFields));
        // The offset index still gives the pages; nothing of the column index is claimed.
        let pages = lacking.pages.unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].first_row_index, Some(10));
        assert!(pages
            .iter()
            .all(|p| p.null_page.is_none() && p.min.is_none()));

        // Without the offset index, no page is claimed at all.
        let alone = page_index(read(column_index_without_required_fields()), Ok(None)).unwrap();
        assert_eq!(alone.quirk, Some(Quirk::ColumnIndexWithoutRequiredFields));
        assert!(alone.pages.is_none());
    }
}
