//! Decodes one column chunk into a [`ColumnSlice`]: pages in order, the dictionary first,
//! then each data page's levels and values (format README, "Data Pages"; Encodings.md).

use std::fmt;
use std::sync::Arc;

use crate::decode::{
    DecodeOptions, DecodedChunk, LevelHistograms, PageAnomaly, PageInfo, WindowRows,
    MAX_PAGE_VALUES,
};
use crate::quirks::Quirk;
use crate::value::{ByteArrays, ColumnSlice, Values};

use super::codec::decompress;
use super::error::{RawError, RawResult};
use super::levels::{bit_width, decode_bit_packed_legacy, decode_rle_hybrid, decode_validity};
use super::metadata::{ColumnChunk, DataPageHeader, DataPageHeaderV2};
use super::page::{chunk_range, ChunkBlocks, RawPage};
use super::schema::LeafColumn;
use super::{
    byte_stream_split, delta_binary_packed, delta_byte_array, delta_length_byte_array, dictionary,
    plain, rle_boolean,
};
use crate::format::{Codec, Encoding, PageType};
use crate::source::ByteSource;

/// A raw decoding error with the page it happened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkError {
    /// Index and file offset of the page, when the error belongs to one.
    pub page: Option<(usize, u64)>,
    /// What went wrong.
    pub error: RawError,
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.page {
            Some((index, offset)) => write!(f, "page {index} at byte {offset}: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

impl std::error::Error for ChunkError {}

impl From<RawError> for ChunkError {
    fn from(error: RawError) -> Self {
        Self { page: None, error }
    }
}

/// Decodes the chunk of `leaf` in one row group, reading its bytes from `source`: every
/// window of [`RawChunkWindows`] at once.
pub fn decode_column_chunk(
    source: &dyn ByteSource,
    leaf: &LeafColumn,
    nesting: Option<Nesting>,
    chunk: &ColumnChunk,
    options: &DecodeOptions,
) -> Result<DecodedChunk, ChunkError> {
    let mut windows = RawChunkWindows::open(source, leaf, nesting, chunk, options, false)?;
    let mut whole = windows
        .next_window(WindowRows::About(usize::MAX))?
        .expect("the first window is always served");
    while let Some(more) = windows.next_window(WindowRows::About(usize::MAX))? {
        whole.slice.append(more.slice);
        whole.pages.extend(more.pages);
    }
    Ok(whole)
}

/// Bytes of a column chunk read at once: large enough that a chunk costs few reads (a remote
/// store pays per request), small enough that a chunk is never held whole.
const READ_BLOCK: usize = 8 << 20;

/// Bytes first tried for a page header; a header with large statistics is retried from twice
/// as many, and so on, so reading headers stays linear in the chunk's size.
const HEADER_PROBE: usize = 64 << 10;

/// One column chunk decoded a window of rows at a time: pages are read and decoded in order
/// until the window is filled, and only the rows not yet served, the compressed bytes of the
/// page at hand and the dictionary are held. Memory follows the window, not the row group.
pub struct RawChunkWindows<'a> {
    range: super::page::ChunkRange,
    /// The chunk's compressed bytes, a block at a time.
    blocks: ChunkBlocks<'a>,
    /// File offset of the next page header.
    next_offset: u64,
    next_index: usize,
    num_values: usize,
    state: ChunkDecoder<'a>,
    /// Rows served in earlier windows.
    rows_served: usize,
    tail_checked: bool,
    finished: bool,
    first: bool,
}

impl<'a> RawChunkWindows<'a> {
    /// Opens the chunk of `leaf` in one row group for windowed decoding; `pad_dictionary`
    /// when the file's writer has PARQUET-816 ([`chunk_range`]).
    pub fn open(
        source: &'a dyn ByteSource,
        leaf: &'a LeafColumn,
        nesting: Option<Nesting>,
        chunk: &ColumnChunk,
        options: &'a DecodeOptions,
        pad_dictionary: bool,
    ) -> Result<Self, ChunkError> {
        check_supported(chunk)?;
        let meta = chunk
            .meta_data
            .as_ref()
            .ok_or_else(|| RawError::invalid("column chunk has no ColumnMetaData"))?;
        let range = chunk_range(meta, source.len(), pad_dictionary)?;
        let num_values = usize::try_from(meta.num_values).map_err(|_| {
            RawError::invalid(format!(
                "column chunk has negative num_values {}",
                meta.num_values
            ))
        })?;
        let mut state = ChunkDecoder::new(leaf, nesting, meta.codec, options);
        state.chunk_num_values = num_values;
        if range.dictionary_offset_ignored {
            state.anomalies.push(PageAnomaly::Quirk {
                quirk: Quirk::DictionaryOffsetNotBeforeData,
            });
        }
        Ok(Self {
            range,
            blocks: ChunkBlocks::new(source, range.end(), READ_BLOCK),
            next_offset: range.start,
            next_index: 0,
            num_values,
            state,
            rows_served: 0,
            tail_checked: false,
            finished: false,
            first: true,
        })
    }

    /// Where pages must end: the declared end, or past it by the PARQUET-816 padding.
    fn chunk_end(&self) -> u64 {
        self.blocks.end()
    }

    /// Reads and decodes the next page.
    fn next_page(&mut self) -> RawResult<()> {
        let offset = self.next_offset;
        let end = self.chunk_end();
        if offset >= end {
            return Err(RawError::invalid(format!(
                "column chunk ends after {} of its {} values",
                self.state.levels_read, self.num_values
            )));
        }
        let (header, header_len) = self.blocks.page_header(offset, HEADER_PROBE)?;
        let body_len = usize::try_from(header.compressed_page_size).map_err(|_| {
            RawError::invalid(format!(
                "page header declares negative compressed_page_size {}",
                header.compressed_page_size
            ))
        })?;
        if header.uncompressed_page_size < 0 {
            return Err(RawError::invalid(format!(
                "page header declares negative uncompressed_page_size {}",
                header.uncompressed_page_size
            )));
        }
        let page_len = header_len
            .checked_add(body_len)
            .filter(|&len| offset + len as u64 <= end)
            .ok_or_else(|| {
                RawError::invalid(format!(
                    "page body of {body_len} bytes runs past the end of the column chunk ({} bytes left after the header)",
                    (end - offset).saturating_sub(header_len as u64)
                ))
            })?;
        self.blocks
            .fill(offset, page_len)
            .map_err(|e| RawError::Read(format!("reading column chunk: {e}")))?;
        if offset + page_len as u64 > self.range.declared_end() {
            self.state.anomalies.push(PageAnomaly::Quirk {
                quirk: Quirk::DictionaryOutsideChunkSize,
            });
        }
        let page = RawPage {
            index: self.next_index,
            offset,
            header,
            body: &self.blocks.held(offset, page_len)[header_len..],
        };
        self.state.page(&page, self.rows_served)?;
        self.next_offset = offset + page_len as u64;
        self.next_index += 1;
        Ok(())
    }

    /// Decodes the next window: pages are decoded until the rows no later page can extend
    /// reach the number asked for, or the chunk ends.
    pub fn next_window(&mut self, rows: WindowRows) -> Result<Option<DecodedChunk>, ChunkError> {
        if self.finished {
            return Ok(None);
        }
        let (WindowRows::About(want) | WindowRows::Exactly(want)) = rows;
        loop {
            let done = self.state.levels_read >= self.num_values;
            if done || self.state.complete_rows(false) >= want.max(1) {
                break;
            }
            let (index, offset) = (self.next_index, self.next_offset);
            self.next_page().map_err(|error| ChunkError {
                page: Some((index, offset)),
                error,
            })?;
        }
        let done = self.state.levels_read >= self.num_values;
        if done && !self.tail_checked {
            self.tail_checked = true;
            // Pages after the one that completes num_values are never read by any reader
            // (parquet-cpp and parquet-java stop at num_values too); the PARQUET-816 padding
            // is not the chunk's.
            let unread = self.range.declared_end().saturating_sub(self.next_offset);
            if unread > 0 {
                if let Some(last) = self.state.pages.last_mut() {
                    last.anomalies
                        .push(PageAnomaly::ChunkTail { bytes: unread });
                }
            }
        }
        let complete = self.state.complete_rows(done);
        if done && complete == 0 && !self.first {
            self.finished = true;
            return Ok(None);
        }
        let take = match rows {
            WindowRows::About(_) => complete,
            WindowRows::Exactly(n) => n.min(complete),
        };
        let window = self.state.take(take);
        self.rows_served += window.slice.rows;
        self.first = false;
        if done && self.state.slice.rows == 0 {
            self.finished = true;
        }
        Ok(Some(window))
    }
}

fn check_supported(chunk: &ColumnChunk) -> RawResult<()> {
    if chunk.encrypted {
        return Err(RawError::unsupported("encrypted column chunks"));
    }
    if let Some(path) = &chunk.file_path {
        return Err(RawError::unsupported(format!(
            "column chunk stored in another file ({path})"
        )));
    }
    Ok(())
}

/// How a column's repetition and definition levels build its rows (format README, "Nested
/// Encoding"): for each segment of its schema path (FINGERPRINT.md, "Nested columns"; the
/// nodes between two repeated ones), the definition level at which an item of it is
/// non-null. An item of segment i < r has elements when the level is above that; the last
/// segment's threshold is the maximum definition level, where a value is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nesting {
    /// Per segment, outermost first: the definition level that makes it non-null.
    pub defined_at: Vec<u32>,
}

impl Nesting {
    /// The nesting of `leaf`: `None` for a flat column (no repeated node on its path). Every
    /// shape the format allows has one (lists, maps, structs of lists and lists of structs,
    /// legacy two-level lists, repeated fields without annotation): the levels alone say
    /// where items start and which are null, whatever the annotations.
    pub fn of(leaf: &LeafColumn) -> Option<Self> {
        use crate::format::Repetition;
        if leaf.max_rep_level == 0 {
            return None;
        }
        let mut defined_at = Vec::with_capacity(usize::from(leaf.max_rep_level) + 1);
        let mut level = 0;
        let repetitions = leaf
            .ancestors
            .iter()
            .map(|node| node.repetition)
            .chain([leaf.repetition]);
        for repetition in repetitions {
            match repetition {
                // A repeated node ends a segment; an occurrence of it defines one level more.
                Repetition::Repeated => {
                    defined_at.push(level);
                    level += 1;
                }
                Repetition::Optional => level += 1,
                // The schema walk refuses unknown repetitions before any leaf is made.
                Repetition::Required | Repetition::Unknown(_) => {}
            }
        }
        defined_at.push(level);
        Some(Self { defined_at })
    }

    /// Number of repeated levels.
    fn depth(&self) -> usize {
        self.defined_at.len() - 1
    }
}

/// A chunk's decoded dictionary page. Byte strings are shared, so data pages can refer to
/// them by key instead of copying each string (see [`ByteArrays::extend_from_keys`]).
enum Dictionary {
    Strings(Arc<ByteArrays>),
    Values(Values),
}

impl Dictionary {
    fn len(&self) -> usize {
        match self {
            Dictionary::Strings(strings) => strings.len(),
            Dictionary::Values(values) => values.len(),
        }
    }
}

/// The state carried from page to page within one column chunk.
struct ChunkDecoder<'a> {
    leaf: &'a LeafColumn,
    nesting: Option<Nesting>,
    /// Segments whose current item has elements, after the last level entry: a repetition
    /// level may only continue one of them.
    open_segments: usize,
    rep_levels: Vec<u32>,
    codec: Codec,
    options: &'a DecodeOptions,
    dictionary: Option<Dictionary>,
    slice: ColumnSlice,
    pages: Vec<PageInfo>,
    levels_read: usize,
    /// Anomalies of the page being decoded.
    anomalies: Vec<PageAnomaly>,
    /// Level counts of the data page being decoded ([`Self::count_levels`]).
    level_histograms: Option<LevelHistograms>,
    /// `num_values` of the column chunk's metadata.
    chunk_num_values: usize,
    def_levels: Vec<u32>,
    indices: Vec<u32>,
}

impl<'a> ChunkDecoder<'a> {
    fn new(
        leaf: &'a LeafColumn,
        nesting: Option<Nesting>,
        codec: Codec,
        options: &'a DecodeOptions,
    ) -> Self {
        let type_length = leaf.type_length.unwrap_or(0).max(0) as usize;
        let depth = nesting.as_ref().map_or(0, Nesting::depth);
        Self {
            leaf,
            nesting,
            open_segments: 0,
            rep_levels: Vec::new(),
            codec,
            options,
            dictionary: None,
            slice: ColumnSlice::nested(leaf.physical_type, type_length, depth),
            pages: Vec::new(),
            levels_read: 0,
            anomalies: Vec::new(),
            level_histograms: None,
            chunk_num_values: 0,
            def_levels: Vec::new(),
            indices: Vec::new(),
        }
    }

    /// Rows decoded so far that no later page can extend: in a nested column the last row
    /// may continue on the next page (DATA_PAGE v1 allows it), unless the chunk is done.
    fn complete_rows(&self, chunk_done: bool) -> usize {
        match self.nesting {
            Some(_) if !chunk_done => self.slice.rows.saturating_sub(1),
            _ => self.slice.rows,
        }
    }

    /// Hands out the first `rows` decoded rows and the pages read since the last window,
    /// keeping the rows after them (a row still open among them) for the next window.
    fn take(&mut self, rows: usize) -> DecodedChunk {
        let depth = self.slice.depth();
        let empty = ColumnSlice::nested(self.leaf.physical_type, self.type_length(), depth);
        let mut slice = std::mem::replace(&mut self.slice, empty);
        if rows < slice.rows {
            self.slice = slice.split_off_rows(rows);
        }
        DecodedChunk {
            slice,
            pages: std::mem::take(&mut self.pages),
            claims: None,
        }
    }

    /// Decodes one page; `rows_served` rows of the row group were handed out before.
    fn page(&mut self, page: &RawPage<'_>, rows_served: usize) -> RawResult<()> {
        let header = &page.header;
        for size in [header.compressed_page_size, header.uncompressed_page_size] {
            if size as usize > self.options.max_page_bytes {
                return Err(RawError::BeyondLimit(format!(
                    "page declares {size} bytes, more than the limit of {} (--max-page-bytes)",
                    self.options.max_page_bytes
                )));
            }
        }
        let crc_ok = match header.crc {
            Some(crc) if self.options.verify_crc => Some(crc32fast::hash(page.body) == crc as u32),
            _ => None,
        };
        let first_row = rows_served + self.slice.rows;
        let rows_before = self.slice.rows;
        let bit_packed_levels = header.data_page_header.as_ref().is_some_and(|data| {
            let bit_packed = |encoding, max_level| encoding == Encoding::BitPacked && max_level > 0;
            bit_packed(data.repetition_level_encoding, self.leaf.max_rep_level)
                || bit_packed(data.definition_level_encoding, self.leaf.max_def_level)
        });
        let (encoding, num_values, non_null) = match header.page_type {
            PageType::DictionaryPage => (self.dictionary_page(page)?, 0, 0),
            PageType::DataPage => {
                let data = header
                    .data_page_header
                    .as_ref()
                    .ok_or_else(|| RawError::invalid("DATA_PAGE without a data_page_header"))?;
                self.data_page_v1(page, data)?
            }
            PageType::DataPageV2 => {
                let data = header.data_page_header_v2.as_ref().ok_or_else(|| {
                    RawError::invalid("DATA_PAGE_V2 without a data_page_header_v2")
                })?;
                self.data_page_v2(page, data)?
            }
            // Index pages and unknown page types carry no values of this column: skip them,
            // as the spec lets readers do for pages they do not understand.
            _ => return Ok(()),
        };
        // The levels are the page's own after a data page (a dictionary page reads none).
        let starts_inside_row = header.page_type != PageType::DictionaryPage
            && self.rep_levels.first().is_some_and(|&rep| rep > 0);
        self.pages.push(PageInfo {
            index: page.index,
            offset: page.offset,
            page_type: header.page_type,
            encoding,
            first_row,
            rows: self.slice.rows - rows_before,
            num_values,
            non_null,
            crc_ok,
            crc: crc_ok.and(header.crc).map(|crc| crc as u32),
            starts_inside_row,
            bit_packed_levels,
            anomalies: std::mem::take(&mut self.anomalies),
            level_histograms: self.level_histograms.take(),
        });
        Ok(())
    }

    fn dictionary_page(&mut self, page: &RawPage<'_>) -> RawResult<Encoding> {
        let header =
            page.header.dictionary_page_header.as_ref().ok_or_else(|| {
                RawError::invalid("DICTIONARY_PAGE without a dictionary_page_header")
            })?;
        if self.dictionary.is_some() {
            return Err(RawError::invalid(
                "second dictionary page in one column chunk",
            ));
        }
        if !matches!(header.encoding, Encoding::Plain | Encoding::PlainDictionary) {
            return Err(RawError::unsupported(format!(
                "dictionary page encoded as {}",
                header.encoding.name()
            )));
        }
        let count = non_negative(header.num_values, "dictionary num_values")?;
        let bytes = decompress(
            self.codec,
            page.body,
            page.header.uncompressed_page_size as usize,
        )?;
        let mut dictionary = Values::empty(self.leaf.physical_type, self.type_length());
        let used = plain::decode_plain(&bytes, count, &mut dictionary)?;
        if bytes[used..].iter().any(|&b| b != 0) {
            self.anomalies.push(PageAnomaly::TrailingBytes {
                bytes: bytes.len() - used,
            });
        }
        self.dictionary = Some(match dictionary {
            Values::ByteArray(strings) => Dictionary::Strings(Arc::new(strings)),
            other => Dictionary::Values(other),
        });
        Ok(header.encoding)
    }

    fn type_length(&self) -> usize {
        self.leaf.type_length.unwrap_or(0).max(0) as usize
    }

    /// Data page v1: the whole body is compressed; inside it, repetition levels, definition
    /// levels (each RLE with a 4-byte length, or the deprecated BIT_PACKED) and values.
    fn data_page_v1(
        &mut self,
        page: &RawPage<'_>,
        data: &DataPageHeader,
    ) -> RawResult<(Encoding, usize, usize)> {
        let num_values = non_negative(data.num_values, "num_values")?;
        self.check_num_values(num_values)?;
        let bytes = decompress(
            self.codec,
            page.body,
            page.header.uncompressed_page_size as usize,
        )?;
        let mut position = 0;
        let max_rep = u32::from(self.leaf.max_rep_level);
        let max_def = u32::from(self.leaf.max_def_level);
        self.rep_levels.clear();
        self.def_levels.clear();
        if max_rep > 0 {
            position += decode_v1_levels(
                &bytes[position..],
                data.repetition_level_encoding,
                bit_width(max_rep),
                num_values,
                &mut self.rep_levels,
                "repetition levels",
            )?;
        }
        let non_null = if self.flat_optional() && data.definition_level_encoding == Encoding::Rle {
            let (levels, used) = v1_rle_levels(&bytes[position..], "definition levels")?;
            position += used;
            self.slice.rows += num_values;
            decode_validity(levels, num_values, &mut self.slice.validity)?
        } else {
            if max_def > 0 {
                position += decode_v1_levels(
                    &bytes[position..],
                    data.definition_level_encoding,
                    bit_width(max_def),
                    num_values,
                    &mut self.def_levels,
                    "definition levels",
                )?;
            }
            self.push_levels(num_values)?
        };
        self.count_levels(num_values, non_null);
        self.values(data.encoding, &bytes[position..], non_null)?;
        self.levels_read += num_values;
        Ok((data.encoding, num_values, non_null))
    }

    /// Data page v2: levels are stored uncompressed before the (optionally compressed) values,
    /// with their byte lengths in the header and no length prefix.
    fn data_page_v2(
        &mut self,
        page: &RawPage<'_>,
        data: &DataPageHeaderV2,
    ) -> RawResult<(Encoding, usize, usize)> {
        let num_values = non_negative(data.num_values, "num_values")?;
        self.check_num_values(num_values)?;
        let rep_len = non_negative(
            data.repetition_levels_byte_length,
            "repetition_levels_byte_length",
        )?;
        let def_len = non_negative(
            data.definition_levels_byte_length,
            "definition_levels_byte_length",
        )?;
        let levels_len = rep_len
            .checked_add(def_len)
            .filter(|&len| len <= page.body.len())
            .ok_or_else(|| {
                RawError::invalid(format!(
                    "level lengths {rep_len} + {def_len} exceed the page body of {} bytes",
                    page.body.len()
                ))
            })?;
        let max_rep = u32::from(self.leaf.max_rep_level);
        let max_def = u32::from(self.leaf.max_def_level);
        self.rep_levels.clear();
        self.def_levels.clear();
        if max_rep > 0 {
            let levels = &page.body[..rep_len];
            decode_rle_hybrid(levels, bit_width(max_rep), num_values, &mut self.rep_levels)?;
        }
        let def_levels = &page.body[rep_len..levels_len];
        let rows_before = self.slice.rows;
        let non_null = if self.flat_optional() {
            self.slice.rows += num_values;
            decode_validity(def_levels, num_values, &mut self.slice.validity)?
        } else {
            if max_def > 0 {
                decode_rle_hybrid(
                    def_levels,
                    bit_width(max_def),
                    num_values,
                    &mut self.def_levels,
                )?;
            }
            self.push_levels(num_values)?
        };
        self.count_levels(num_values, non_null);
        let rows = self.slice.rows - rows_before;
        if i64::from(data.num_rows) != rows as i64 {
            self.anomalies.push(PageAnomaly::NumRows {
                declared: data.num_rows.into(),
                decoded: rows,
            });
        }
        let nulls = num_values - non_null;
        if i64::from(data.num_nulls) != nulls as i64 {
            self.anomalies.push(PageAnomaly::NumNulls {
                declared: data.num_nulls.into(),
                decoded: nulls,
            });
        }
        let stored = &page.body[levels_len..];
        let uncompressed_values = (page.header.uncompressed_page_size as usize)
            .checked_sub(levels_len)
            .ok_or_else(|| {
                RawError::invalid(format!(
                    "uncompressed_page_size {} is smaller than the levels ({levels_len} bytes)",
                    page.header.uncompressed_page_size
                ))
            })?;
        // An empty values section is never compressed, whatever the flag says: some writers
        // emit a 0-byte body for pages that hold only nulls.
        let decompressed;
        let despite_flag = !data.is_compressed
            && self.options.decompress_v2_flagged_uncompressed
            && self.codec != Codec::Uncompressed
            && !stored.is_empty();
        if despite_flag {
            self.anomalies.push(PageAnomaly::DecompressedDespiteFlag);
        }
        let values = if (data.is_compressed || despite_flag) && !stored.is_empty() {
            decompressed = decompress(self.codec, stored, uncompressed_values)?;
            &decompressed[..]
        } else {
            stored
        };
        self.values(data.encoding, values, non_null)?;
        self.levels_read += num_values;
        Ok((data.encoding, num_values, non_null))
    }

    /// Counts the data page's level entries per level value, for the metadata witness to
    /// check SizeStatistics and the column index against: one pass over the levels just
    /// decoded, so it must run before the next page clears them. Levels never materialized
    /// are counted from what stands for them: a flat optional column's validity bits
    /// (`non_null` of `num_values` defined), a column without repeated or optional nodes
    /// (every entry at level 0).
    fn count_levels(&mut self, num_values: usize, non_null: usize) {
        let entries = num_values as u64;
        let count = |levels: &[u32], max: u16| {
            let mut counts = vec![0u64; usize::from(max) + 1];
            for &level in levels {
                // A level above the maximum is an error the decoder reports itself.
                if let Some(count) = counts.get_mut(level as usize) {
                    *count += 1;
                }
            }
            counts
        };
        let (max_rep, max_def) = (self.leaf.max_rep_level, self.leaf.max_def_level);
        let definition = if max_def == 0 {
            vec![entries]
        } else if self.def_levels.len() == num_values {
            count(&self.def_levels, max_def)
        } else if max_def == 1 {
            vec![entries - non_null as u64, non_null as u64]
        } else {
            self.level_histograms = None;
            return;
        };
        let repetition = if max_rep == 0 {
            vec![entries]
        } else {
            count(&self.rep_levels, max_rep)
        };
        self.level_histograms = Some(LevelHistograms {
            repetition,
            definition,
        });
    }

    /// A flat column with one optional level: its definition levels are its validity bits,
    /// decoded straight into the bitmap.
    fn flat_optional(&self) -> bool {
        self.nesting.is_none() && self.leaf.max_def_level == 1 && self.leaf.max_rep_level == 0
    }

    fn check_num_values(&self, num_values: usize) -> RawResult<()> {
        // An RLE run encodes millions of levels in a few bytes, so the page's size does not
        // bound its value count: the chunk's declared count and a fixed cap do, before any
        // level is decoded into memory.
        if num_values > MAX_PAGE_VALUES {
            return Err(RawError::BeyondLimit(format!(
                "page declares {num_values} values, more than the {MAX_PAGE_VALUES} a page may hold"
            )));
        }
        if self.levels_read + num_values > self.chunk_num_values {
            return Err(RawError::invalid(format!(
                "page declares {num_values} values after {} read, but the column chunk holds {}",
                self.levels_read, self.chunk_num_values
            )));
        }
        Ok(())
    }

    /// Turns the page's levels into rows, list boundaries and validity bits; returns how many
    /// values are non-null (how many the values section holds).
    fn push_levels(&mut self, num_values: usize) -> RawResult<usize> {
        let max_def = u32::from(self.leaf.max_def_level);
        if let Some(level) = self.def_levels.iter().find(|&&level| level > max_def) {
            return Err(RawError::invalid(format!(
                "definition level {level} exceeds the column's maximum {max_def}"
            )));
        }
        let Some(nesting) = &self.nesting else {
            self.slice.rows += num_values;
            if max_def == 0 {
                self.slice.validity.push_n(true, num_values);
                return Ok(num_values);
            }
            let levels = self.def_levels.iter().map(|&level| level == max_def);
            return Ok(self.slice.validity.extend_from_bools(levels));
        };
        // Record assembly (the Dremel paper's, for one column): each level entry is one slot
        // or one null or empty item. Its repetition level says at which segment it starts a
        // new item (0: a new row); its definition level how deep, from there, its items are
        // non-null and have elements. Offsets are kept as "end so far", so the slice is whole
        // after every entry and a row may continue on the next page.
        let depth = nesting.depth();
        let max_rep = depth as u32;
        let defined_at = &nesting.defined_at;
        let slice = &mut self.slice;
        let mut non_null = 0;
        for entry in 0..num_values {
            let rep = self.rep_levels.get(entry).copied().unwrap_or(0);
            let def = self.def_levels.get(entry).copied().unwrap_or(max_def);
            if rep > max_rep {
                return Err(RawError::invalid(format!(
                    "repetition level {rep} exceeds the column's maximum {max_rep}"
                )));
            }
            let start = rep as usize;
            if rep == 0 {
                slice.rows += 1;
            } else if slice.rows == 0 {
                return Err(RawError::invalid(
                    "the column chunk starts with a repetition level other than 0",
                ));
            } else if start > self.open_segments || def <= defined_at[start - 1] {
                return Err(RawError::invalid(format!(
                    "repetition level {rep} with definition level {def} continues a list that is null, empty or absent"
                )));
            }
            let mut segment = start;
            loop {
                if segment > 0 {
                    *slice.lists[segment - 1]
                        .offsets
                        .last_mut()
                        .expect("offsets start at 0") += 1;
                }
                if segment == depth {
                    let valid = def == max_def;
                    slice.validity.push(valid);
                    non_null += usize::from(valid);
                    break;
                }
                let level = &mut slice.lists[segment];
                level.validity.push(def >= defined_at[segment]);
                let end = *level.offsets.last().expect("offsets start at 0");
                level.offsets.push(end);
                if def <= defined_at[segment] {
                    break;
                }
                segment += 1;
            }
            self.open_segments = segment;
        }
        Ok(non_null)
    }

    /// Decodes `count` values into the slice and notes non-zero bytes left after them, for
    /// the encodings whose length the counts determine.
    fn values(&mut self, encoding: Encoding, bytes: &[u8], count: usize) -> RawResult<()> {
        let consumed = self.decode_values(encoding, bytes, count)?;
        if let Some(rest) = consumed.and_then(|used| bytes.get(used..)) {
            if rest.iter().any(|&b| b != 0) {
                self.anomalies
                    .push(PageAnomaly::TrailingBytes { bytes: rest.len() });
            }
        }
        Ok(())
    }

    /// Decodes `count` values; returns the bytes they took where the encoding fixes that.
    fn decode_values(
        &mut self,
        encoding: Encoding,
        bytes: &[u8],
        count: usize,
    ) -> RawResult<Option<usize>> {
        let out = &mut self.slice.values;
        let consumed = match (encoding, out) {
            (Encoding::Plain, out) => Some(plain::decode_plain(bytes, count, out)?),
            (Encoding::PlainDictionary | Encoding::RleDictionary, out) => {
                let dictionary = self.dictionary.as_ref().ok_or_else(|| {
                    RawError::invalid(format!(
                        "{} data page without a dictionary page",
                        encoding.name()
                    ))
                })?;
                self.indices.clear();
                dictionary::decode_indices(bytes, count, &mut self.indices)?;
                dictionary::check_indices(&self.indices, dictionary.len())?;
                match (dictionary, out) {
                    (Dictionary::Strings(strings), Values::ByteArray(out)) => {
                        out.extend_from_keys(strings, &self.indices)
                    }
                    (Dictionary::Values(values), out) => {
                        out.extend_from_dictionary(values, &self.indices)
                    }
                    (Dictionary::Strings(_), out) => {
                        return Err(RawError::invalid(format!(
                            "a BYTE_ARRAY dictionary for a {} column",
                            out.physical_type()
                        )))
                    }
                }
                // A bit-packed run may end in padding, so the length is not fixed.
                None
            }
            (Encoding::Rle, Values::Boolean(bits)) => {
                Some(rle_boolean::decode_rle_booleans(bytes, count, bits)?)
            }
            (Encoding::DeltaBinaryPacked, Values::Int32(values)) => {
                Some(delta_binary_packed::decode_delta_i32(bytes, count, values)?)
            }
            (Encoding::DeltaBinaryPacked, Values::Int64(values)) => {
                Some(delta_binary_packed::decode_delta_i64(bytes, count, values)?)
            }
            (Encoding::DeltaLengthByteArray, Values::ByteArray(values)) => {
                Some(delta_length_byte_array::decode(bytes, count, values)?)
            }
            (Encoding::DeltaByteArray, out) => Some(delta_byte_array::decode(bytes, count, out)?),
            (Encoding::ByteStreamSplit, out) => {
                byte_stream_split::decode(bytes, count, out)?;
                None
            }
            (Encoding::Rle | Encoding::DeltaBinaryPacked | Encoding::DeltaLengthByteArray, _) => {
                return Err(RawError::invalid(format!(
                    "{} data page for a {} column",
                    encoding.name(),
                    self.leaf.physical_type
                )))
            }
            (other, _) => {
                return Err(RawError::unsupported(format!(
                    "data page encoding {}",
                    other.name()
                )))
            }
        };
        Ok(consumed)
    }
}

/// Levels of a v1 data page: RLE with a 4-byte length prefix, or the deprecated BIT_PACKED
/// (Encodings.md, "Run Length Encoding / Bit-Packing Hybrid" and "Bit-packed (Deprecated)").
/// Returns the bytes they occupy.
fn decode_v1_levels(
    bytes: &[u8],
    encoding: Encoding,
    bit_width: u8,
    num_values: usize,
    out: &mut Vec<u32>,
    what: &'static str,
) -> RawResult<usize> {
    match encoding {
        Encoding::Rle => {
            let (levels, used) = v1_rle_levels(bytes, what)?;
            decode_rle_hybrid(levels, bit_width, num_values, out)?;
            Ok(used)
        }
        Encoding::BitPacked => decode_bit_packed_legacy(bytes, bit_width, num_values, out),
        other => Err(RawError::invalid(format!(
            "{what} encoded as {}",
            other.name()
        ))),
    }
}

/// The RLE-encoded levels of a v1 page, which carry a 4-byte length prefix (Encodings.md,
/// "Run Length Encoding / Bit-Packing Hybrid"), and the bytes they take with the prefix.
fn v1_rle_levels<'b>(bytes: &'b [u8], what: &'static str) -> RawResult<(&'b [u8], usize)> {
    let prefix: [u8; 4] =
        bytes
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or(RawError::Truncated {
                what,
                needed: 4,
                available: bytes.len() as u64,
            })?;
    let length = u32::from_le_bytes(prefix) as usize;
    let levels = bytes
        .get(4..4usize.saturating_add(length))
        .ok_or(RawError::Truncated {
            what,
            needed: length as u64,
            available: bytes.len().saturating_sub(4) as u64,
        })?;
    Ok((levels, 4 + length))
}

fn non_negative(value: i32, what: &str) -> RawResult<usize> {
    usize::try_from(value).map_err(|_| RawError::invalid(format!("negative {what} {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Codec, Repetition};
    use crate::raw::metadata::PageHeader;
    use crate::value::PhysicalType;

    /// An optional INT32 column at the top level: max definition level 1.
    fn optional_int32() -> LeafColumn {
        LeafColumn {
            index: 0,
            path: vec!["label".into()],
            physical_type: PhysicalType::Int32,
            type_length: None,
            max_def_level: 1,
            max_rep_level: 0,
            repetition: Repetition::Optional,
            logical_type: None,
            converted_type: None,
            scale: None,
            precision: None,
            ancestors: Vec::new(),
        }
    }

    /// A DATA_PAGE_V2 of three levels [1, 0, 1] (RLE run headers by hand) and PLAIN values.
    fn v2_page(num_rows: i32, num_nulls: i32, values: &[u8]) -> (PageHeader, Vec<u8>) {
        // Bit-packed run of one group (header 0b11 = 1 group), levels 1,0,1 -> 0b101.
        let mut body = vec![0x03, 0b0000_0101];
        body.extend_from_slice(values);
        let header = PageHeader {
            page_type: PageType::DataPageV2,
            uncompressed_page_size: body.len() as i32,
            compressed_page_size: body.len() as i32,
            crc: None,
            data_page_header: None,
            dictionary_page_header: None,
            data_page_header_v2: Some(DataPageHeaderV2 {
                num_values: 3,
                num_nulls,
                num_rows,
                encoding: Encoding::Plain,
                definition_levels_byte_length: 2,
                repetition_levels_byte_length: 0,
                is_compressed: false,
                statistics: None,
            }),
        };
        (header, body)
    }

    fn decode(header: PageHeader, body: &[u8]) -> RawResult<DecodedChunk> {
        let leaf = optional_int32();
        let options = DecodeOptions::default();
        let mut decoder = ChunkDecoder::new(&leaf, None, Codec::Uncompressed, &options);
        decoder.chunk_num_values = 3;
        let page = RawPage {
            index: 0,
            offset: 4,
            header,
            body,
        };
        decoder.page(&page, 0)?;
        Ok(decoder.take(usize::MAX))
    }

    fn two_values() -> Vec<u8> {
        [7i32, 9].iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn a_consistent_v2_page_has_no_anomalies() {
        let (header, body) = v2_page(3, 1, &two_values());
        let chunk = decode(header, &body).unwrap();
        assert_eq!(chunk.slice.rows, 3);
        assert_eq!(chunk.slice.values, Values::Int32(vec![7, 9]));
        assert!(chunk.pages[0].anomalies.is_empty());
        // Levels [1, 0, 1], never materialized: counted from the validity bits.
        assert_eq!(
            chunk.pages[0].level_histograms,
            Some(LevelHistograms {
                repetition: vec![3],
                definition: vec![1, 2],
            })
        );
    }

    #[test]
    fn v2_header_counts_that_disagree_with_the_levels_are_anomalies() {
        let (header, body) = v2_page(2, 0, &two_values());
        let chunk = decode(header, &body).unwrap();
        assert_eq!(
            chunk.pages[0].anomalies,
            vec![
                PageAnomaly::NumRows {
                    declared: 2,
                    decoded: 3
                },
                PageAnomaly::NumNulls {
                    declared: 0,
                    decoded: 1
                },
            ]
        );
    }

    #[test]
    fn nonzero_bytes_after_the_last_value_are_an_anomaly() {
        let mut values = two_values();
        values.extend_from_slice(&[0, 0, 0, 0]);
        let (header, body) = v2_page(3, 1, &values);
        assert!(decode(header, &body).unwrap().pages[0].anomalies.is_empty());
        values.extend_from_slice(&[0, 0, 0x2a, 0]);
        let (header, body) = v2_page(3, 1, &values);
        assert_eq!(
            decode(header, &body).unwrap().pages[0].anomalies,
            vec![PageAnomaly::TrailingBytes { bytes: 8 }]
        );
    }

    #[test]
    fn values_running_past_the_page_are_an_error() {
        let (header, body) = v2_page(3, 1, &7i32.to_le_bytes());
        let error = decode(header, &body).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("2 values need 8 bytes, 4 remain"),
            "{error}"
        );
    }

    #[test]
    fn a_page_claiming_more_values_than_the_chunk_is_an_error() {
        let leaf = optional_int32();
        let options = DecodeOptions::default();
        let mut decoder = ChunkDecoder::new(&leaf, None, Codec::Uncompressed, &options);
        decoder.chunk_num_values = 2;
        let (header, body) = v2_page(3, 1, &two_values());
        let page = RawPage {
            index: 0,
            offset: 4,
            header,
            body: &body,
        };
        let error = decoder.page(&page, 0).unwrap_err();
        assert!(
            error.to_string().contains("column chunk holds 2"),
            "{error}"
        );
    }
}
