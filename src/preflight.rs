//! The pre-flight screen: every size a column chunk's pages declare is checked against our
//! limits before the arrow reader is given the chunk.
//!
//! The parquet crate allocates what a page header declares (`decode_page` reserves
//! `uncompressed_page_size`), inflates GZIP, BROTLI and LZ4-frame pages to whatever size they
//! inflate to (its codecs `read_to_end`), and reserves a dictionary's buffers by the entry
//! count its header declares. A failed allocation aborts the process, which no
//! `catch_unwind` contains, so a hostile 143-byte file could end the run. The screen walks the
//! chunk's page headers with our own Thrift reader — the pages the chunk's `num_values` call
//! for, as the raw path reads them and as parquet-cpp and parquet-java stop reading — and
//! records where the last of them ends. The arrow reader is then given that range
//! ([`ChunkBytes`]) and no more: it reads on until its batch is full or its byte range is
//! used up, so bytes after the last page (a SQL engine pads chunks so) would otherwise be
//! read as page headers. The screen refuses the chunk when a page it reads
//! - declares more bytes than `--max-page-bytes`, or than a `try_reserve` can get right now;
//! - is a dictionary page declaring more entries than its bytes can hold;
//! - inflates beyond its declared size with a codec the parquet crate does not bound
//!   (GZIP, BROTLI, LZ4 frames): such pages are inflated here into a small buffer that is
//!   thrown away, counting bytes, and never held;
//! - has a header our reader refuses: the parquet crate's Thrift reader can spin for seconds
//!   on malformed lists (docs/RELIABILITY.md, "Fuzzing").
//!
//! Values are still decoded by the parquet crate alone: the screen only decides whether it is
//! safe to ask it.

use std::io::Read;

use crate::decode::ChunkBytes;
use crate::decode::MAX_PAGE_VALUES;
use crate::format::{Codec, Encoding, PageType};
use crate::raw::codec::decompress;
use crate::raw::cursor::Cursor;
use crate::raw::delta_binary_packed::decode_delta_i32;
use crate::raw::levels::bit_width;
use crate::raw::metadata::{ColumnChunk, DictionaryPageHeader, PageHeader};
use crate::raw::page::{chunk_range, ChunkBlocks};
use crate::raw::schema::LeafColumn;
use crate::raw::RawFile;
use crate::source::ByteSource;
use crate::value::PhysicalType;

/// Bytes the screen reads at least per request: the headers of small pages come a block of
/// them per request, and a large page's body is skipped, costing a block at its header.
const SCREEN_BLOCK: usize = 64 << 10;

/// Bytes a page header is first parsed from; one that does not parse is tried from twice as
/// many, up to [`crate::raw::page::MAX_PAGE_HEADER_BYTES`].
const HEADER_PROBE: usize = 1 << 10;

/// Why the arrow reader is not given a column chunk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// Screens the column chunks of a file opened by the raw path.
pub struct Screen<'a> {
    file: &'a RawFile,
    max_page_bytes: u64,
}

impl<'a> Screen<'a> {
    /// A screen for `file`, refusing pages larger than `max_page_bytes`.
    pub fn new(file: &'a RawFile, max_page_bytes: usize) -> Self {
        Self {
            file,
            max_page_bytes: max_page_bytes as u64,
        }
    }

    /// The dotted path of leaf column `leaf`, for messages.
    pub fn leaf_path(&self, leaf: usize) -> String {
        self.file
            .leaves()
            .get(leaf)
            .map_or_else(|| format!("#{leaf}"), |column| column.dotted_path())
    }

    /// Walks the pages of `leaf` in `row_group`: `Err` when the arrow reader must not see
    /// them, else the bytes it is to read them from (`None`: the chunk's own range, for a
    /// chunk whose range the raw path refuses, which the arrow reader refuses in its own words).
    pub fn check(&self, row_group: usize, leaf: usize) -> Result<Option<ChunkBytes>, Refusal> {
        let (Some(chunk), Some(column)) = (
            self.file
                .metadata()
                .row_groups
                .get(row_group)
                .and_then(|rg| rg.columns.get(leaf)),
            self.file.leaves().get(leaf),
        ) else {
            return Err(Refusal(format!(
                "no column chunk {leaf} in row group {row_group}"
            )));
        };
        screen_chunk(
            self.file.source().as_ref(),
            chunk,
            column,
            self.max_page_bytes,
            self.file.pads_dictionary(),
        )
    }
}

fn screen_chunk(
    source: &dyn ByteSource,
    chunk: &ColumnChunk,
    column: &LeafColumn,
    max_page_bytes: u64,
    pad_dictionary: bool,
) -> Result<Option<ChunkBytes>, Refusal> {
    // A chunk without metadata, or stored elsewhere, is refused by the arrow reader itself
    // without reading pages.
    let Some(meta) = &chunk.meta_data else {
        return Ok(None);
    };
    // The range the raw path reads, which is where parquet-cpp reads too: a
    // dictionary_page_offset of 0 or after the data is not the start, and a PARQUET-816
    // writer's chunk is padded.
    let (start, end, values_wanted) = match chunk_range(meta, source.len(), pad_dictionary) {
        Ok(range) => (
            range.start,
            range.end(),
            u64::try_from(meta.num_values).unwrap_or(u64::MAX),
        ),
        // A range the raw path refuses is left to the arrow reader to refuse in its own
        // words, but every header it could read is screened first: the parquet crate's range
        // (`ColumnChunkMetaData::byte_range`), as far as the file goes.
        Err(_) => {
            let start = meta.dictionary_page_offset.unwrap_or(meta.data_page_offset);
            let (Ok(start), Ok(length)) = (
                u64::try_from(start),
                u64::try_from(meta.total_compressed_size),
            ) else {
                return Ok(None);
            };
            walk_pages(
                source,
                meta,
                column,
                max_page_bytes,
                start,
                start.saturating_add(length).min(source.len()),
                u64::MAX,
            )?;
            return Ok(None);
        }
    };
    let walked = walk_pages(
        source,
        meta,
        column,
        max_page_bytes,
        start,
        end,
        values_wanted,
    )?;
    Ok(Some(ChunkBytes {
        start,
        // A page running past the range is not given more room than the raw path gives it.
        length: walked.end.min(end) - start,
        dictionary_first: walked.dictionary_first,
    }))
}

/// Where the walk over a chunk's pages stopped.
struct Walked {
    /// File offset after the last page read.
    end: u64,
    /// The first page read is a dictionary page.
    dictionary_first: bool,
}

/// Screens the pages from `start` until their level entries reach `values_wanted` or the
/// pages reach `end`.
fn walk_pages(
    source: &dyn ByteSource,
    meta: &crate::raw::metadata::ColumnMetaData,
    column: &LeafColumn,
    max_page_bytes: u64,
    start: u64,
    end: u64,
    values_wanted: u64,
) -> Result<Walked, Refusal> {
    let mut blocks = ChunkBlocks::new(source, end, SCREEN_BLOCK);
    let mut offset = start;
    let mut index = 0usize;
    let mut values_seen = 0u64;
    let mut dictionary_first = false;
    // Only the pages the chunk's num_values call for, as the raw path reads them: a reader
    // that went on would read bytes after the last page as headers.
    while offset < end && values_seen < values_wanted {
        let (header, header_len) = blocks.page_header(offset, HEADER_PROBE).map_err(|e| {
            Refusal(format!(
                "page {index} at byte {offset}: its header does not parse ({e}), and the parquet crate's Thrift reader can spin on malformed headers"
            ))
        })?;
        if index == 0 {
            dictionary_first = header.page_type == PageType::DictionaryPage;
        }
        values_seen = values_seen.saturating_add(page_values(&header));
        let at = format!("page {index} at byte {offset}");
        let (Ok(compressed), Ok(uncompressed)) = (
            u64::try_from(header.compressed_page_size),
            u64::try_from(header.uncompressed_page_size),
        ) else {
            return Err(Refusal(format!("{at} declares a negative size")));
        };
        let declared = compressed.max(uncompressed);
        let allocates = |why: &str| {
            Refusal(format!(
                "{at}: the page declares {declared} bytes, {why}; the arrow reader would allocate that much"
            ))
        };
        if declared > max_page_bytes {
            return Err(allocates(&format!(
                "more than --max-page-bytes ({max_page_bytes})"
            )));
        }
        if Vec::<u8>::new()
            .try_reserve_exact(usize::try_from(declared).unwrap_or(usize::MAX))
            .is_err()
        {
            return Err(allocates("more than this process can allocate"));
        }
        let body_start = offset + header_len as u64;
        let body_end = body_start.saturating_add(compressed);
        if let Some(dictionary) = &header.dictionary_page_header {
            check_dictionary(dictionary, uncompressed, column).map_err(|why| {
                Refusal(format!(
                    "{at}: {why}; the arrow reader would allocate by that count"
                ))
            })?;
        }
        let inflation_levels = match &header.data_page_header_v2 {
            Some(v2) if !v2.is_compressed => None,
            _ if unbounded_codec(meta.codec) => Some(v2_level_bytes(&header)),
            _ => None,
        };
        let delta = delta_lengths(&header);
        if (inflation_levels.is_some() || delta.is_some()) && body_end <= end {
            // One read of the body serves both checks.
            blocks
                .fill(body_start, compressed as usize)
                .map_err(|e| Refusal(format!("{at}: reading the page: {e}")))?;
            let body = blocks.held(body_start, compressed as usize);
            if let Some(levels) = inflation_levels {
                let stream = body.get(levels as usize..).unwrap_or_default();
                let limit = uncompressed.saturating_sub(levels);
                if let Some(inflated) = inflates_beyond(meta.codec, stream, limit) {
                    return Err(Refusal(format!(
                        "{at}: its {} body inflates to more than {inflated} bytes, beyond the {uncompressed} its header declares; the arrow reader would inflate it all",
                        meta.codec.name()
                    )));
                }
            }
            if let Some((encoding, page_values)) = delta {
                if let Some(values) = values_section(&header, body, meta.codec, column) {
                    check_delta_counts(encoding, &values, page_values).map_err(|why| {
                        Refusal(format!(
                            "{at}: {why}; the arrow reader would allocate by that count"
                        ))
                    })?;
                }
            }
        }
        offset = body_end;
        index += 1;
    }
    Ok(Walked {
        end: offset,
        dictionary_first,
    })
}

/// The level entries a data page declares (0 for other pages), as the raw path counts them
/// towards the chunk's `num_values`.
fn page_values(header: &PageHeader) -> u64 {
    let declared = match (
        header.page_type,
        &header.data_page_header,
        &header.data_page_header_v2,
    ) {
        (PageType::DataPage, Some(v1), _) => v1.num_values,
        (PageType::DataPageV2, _, Some(v2)) => v2.num_values,
        _ => 0,
    };
    u64::try_from(declared).unwrap_or(0)
}

/// For a data page whose values are DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY, the encoding
/// and the level entries the page declares: the parquet crate sizes the lengths it decodes by
/// the count in the values' own DELTA_BINARY_PACKED header (found by `fuzz/arrow_setup`: a
/// count of 2^54 aborted the process).
fn delta_lengths(header: &PageHeader) -> Option<(Encoding, u64)> {
    let (encoding, num_values) = match (&header.data_page_header, &header.data_page_header_v2) {
        (Some(v1), _) if header.page_type == PageType::DataPage => (v1.encoding, v1.num_values),
        (_, Some(v2)) if header.page_type == PageType::DataPageV2 => (v2.encoding, v2.num_values),
        _ => return None,
    };
    matches!(
        encoding,
        Encoding::DeltaLengthByteArray | Encoding::DeltaByteArray
    )
    .then(|| (encoding, u64::try_from(num_values).unwrap_or(0)))
}

/// The values section of a data page, decompressed: after the levels of a v1 page (RLE with
/// a 4-byte length, or BIT_PACKED), after the uncompressed levels of a v2 page. `None` when
/// it cannot be found or decompressed: the arrow reader then fails before decoding values.
fn values_section(
    header: &PageHeader,
    body: &[u8],
    codec: Codec,
    column: &LeafColumn,
) -> Option<Vec<u8>> {
    let uncompressed = usize::try_from(header.uncompressed_page_size).ok()?;
    if let Some(v2) = header
        .data_page_header_v2
        .as_ref()
        .filter(|_| header.page_type == PageType::DataPageV2)
    {
        let levels = usize::try_from(v2.repetition_levels_byte_length).ok()?
            + usize::try_from(v2.definition_levels_byte_length).ok()?;
        let stored = body.get(levels..)?;
        return if v2.is_compressed && codec != Codec::Uncompressed && !stored.is_empty() {
            decompress(codec, stored, uncompressed.checked_sub(levels)?).ok()
        } else {
            Some(stored.to_vec())
        };
    }
    let v1 = header.data_page_header.as_ref()?;
    let page = if codec == Codec::Uncompressed {
        body.to_vec()
    } else {
        decompress(codec, body, uncompressed).ok()?
    };
    let num_values = usize::try_from(v1.num_values).ok()?;
    let mut position = 0usize;
    for (max_level, encoding) in [
        (column.max_rep_level, v1.repetition_level_encoding),
        (column.max_def_level, v1.definition_level_encoding),
    ] {
        if max_level == 0 {
            continue;
        }
        position += match encoding {
            Encoding::BitPacked => {
                (num_values * usize::from(bit_width(u32::from(max_level)))).div_ceil(8)
            }
            _ => {
                let prefix: [u8; 4] = page.get(position..position + 4)?.try_into().ok()?;
                4 + u32::from_le_bytes(prefix) as usize
            }
        };
    }
    Some(page.get(position..)?.to_vec())
}

/// The value count of the DELTA_BINARY_PACKED header at the start of `bytes` (Encodings.md,
/// "Delta Encoding": block size, miniblocks per block, total value count, first value).
fn delta_count(bytes: &[u8]) -> Option<u64> {
    let mut cursor = Cursor::new(bytes);
    cursor.read_uleb128("block size").ok()?;
    cursor.read_uleb128("miniblocks").ok()?;
    cursor.read_uleb128("value count").ok()
}

/// The lengths' value counts of DELTA_LENGTH_BYTE_ARRAY (one header) or DELTA_BYTE_ARRAY (the
/// prefix lengths', then the suffix lengths') must not exceed the page's level entries, nor
/// the 2^24 values a page may hold.
fn check_delta_counts(encoding: Encoding, values: &[u8], page_values: u64) -> Result<(), String> {
    let most = page_values.min(MAX_PAGE_VALUES as u64);
    let check = |count: u64, what: &str| {
        if count > most {
            Err(format!(
                "its {what} declare {count} values, more than the {most} the page may hold"
            ))
        } else {
            Ok(())
        }
    };
    let Some(count) = delta_count(values) else {
        return Ok(());
    };
    let first = if encoding == Encoding::DeltaByteArray {
        "DELTA_BYTE_ARRAY prefix lengths"
    } else {
        "DELTA_LENGTH_BYTE_ARRAY lengths"
    };
    check(count, first)?;
    if encoding == Encoding::DeltaByteArray {
        // The suffix lengths' header follows the prefix lengths' blocks.
        let mut prefixes = Vec::new();
        let Ok(used) = decode_delta_i32(values, count as usize, &mut prefixes) else {
            return Ok(());
        };
        if let Some(count) = values.get(used..).and_then(delta_count) {
            check(count, "DELTA_BYTE_ARRAY suffix lengths")?;
        }
    }
    Ok(())
}

/// Bytes of uncompressed levels before a DATA_PAGE_V2's values (0 for other pages).
fn v2_level_bytes(header: &PageHeader) -> u64 {
    match &header.data_page_header_v2 {
        Some(v2) if header.page_type == PageType::DataPageV2 => {
            u64::try_from(v2.repetition_levels_byte_length).unwrap_or(0)
                + u64::try_from(v2.definition_levels_byte_length).unwrap_or(0)
        }
        _ => 0,
    }
}

/// A dictionary page's entries must fit in its bytes: each takes at least the size its
/// physical type has in PLAIN encoding (Encodings.md, "Plain"), a BYTE_ARRAY its 4-byte
/// length.
fn check_dictionary(
    dictionary: &DictionaryPageHeader,
    uncompressed: u64,
    column: &LeafColumn,
) -> Result<(), String> {
    let entries = u64::try_from(dictionary.num_values)
        .map_err(|_| format!("the dictionary declares {} entries", dictionary.num_values))?;
    let bits_per_entry: u64 = match column.physical_type {
        PhysicalType::Boolean => 1,
        PhysicalType::Int32 | PhysicalType::Float | PhysicalType::ByteArray => 32,
        PhysicalType::Int64 | PhysicalType::Double => 64,
        PhysicalType::Int96 => 96,
        PhysicalType::FixedLenByteArray => {
            8 * u64::try_from(column.type_length.unwrap_or(0))
                .unwrap_or(0)
                .max(1)
        }
    };
    let room = uncompressed.saturating_mul(8) / bits_per_entry;
    if entries > room {
        return Err(format!(
            "the dictionary declares {entries} entries, but its {uncompressed} bytes hold at most {room}"
        ));
    }
    Ok(())
}

/// Codecs the parquet crate inflates without bounding the output by the declared size.
fn unbounded_codec(codec: Codec) -> bool {
    matches!(codec, Codec::Gzip | Codec::Brotli | Codec::Lz4)
}

/// Inflates `stream` into a small buffer that is thrown away, counting; `Some(bytes)` once
/// the output passes `limit`. A stream that fails before that is left to the arrow reader to
/// refuse in its own words.
fn inflates_beyond(codec: Codec, stream: &[u8], limit: u64) -> Option<u64> {
    const LZ4_FRAME_MAGIC: [u8; 4] = [0x04, 0x22, 0x4d, 0x18];
    let reader: Box<dyn Read + '_> = match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(stream)),
        Codec::Brotli => Box::new(brotli_decompressor::Decompressor::new(stream, 4096)),
        // The parquet crate tries Hadoop's framing first, which is bounded, and falls back to
        // the LZ4 frame format, which is not.
        Codec::Lz4 if stream.starts_with(&LZ4_FRAME_MAGIC) => {
            Box::new(lz4_flex::frame::FrameDecoder::new(stream))
        }
        _ => return None,
    };
    let mut counted = reader.take(limit.saturating_add(1));
    let mut sink = [0u8; 64 << 10];
    let mut total = 0u64;
    loop {
        match counted.read(&mut sink) {
            Ok(0) | Err(_) => return None,
            Ok(n) => {
                total += n as u64;
                if total > limit {
                    return Some(limit);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_gzip_bomb_is_caught_without_holding_its_output() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![0u8; 50 << 20]).unwrap();
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 100 << 10);
        assert_eq!(inflates_beyond(Codec::Gzip, &bomb, 1000), Some(1000));
        assert_eq!(inflates_beyond(Codec::Gzip, &bomb, 50 << 20), None);
    }

    #[test]
    fn brotli_and_lz4_frames_are_counted_too() {
        let data = vec![7u8; 1 << 20];
        let mut brotli = Vec::new();
        brotli::CompressorWriter::new(&mut brotli, 4096, 9, 22)
            .write_all(&data)
            .unwrap();
        assert_eq!(inflates_beyond(Codec::Brotli, &brotli, 10), Some(10));
        let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz4.write_all(&data).unwrap();
        let lz4 = lz4.finish().unwrap();
        assert_eq!(inflates_beyond(Codec::Lz4, &lz4, 10), Some(10));
        assert_eq!(inflates_beyond(Codec::Lz4, &lz4, 1 << 20), None);
        // Bounded codecs are not inflated here.
        assert_eq!(inflates_beyond(Codec::Snappy, &lz4, 0), None);
    }
}
