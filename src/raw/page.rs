//! Page reading: walks the page headers of one column chunk (parquet.thrift `PageHeader`; the
//! format README, "Column chunks": pages are written back to back, each a Thrift header then
//! its body), and checks every size the header claims against the chunk's bytes.

use super::error::{RawError, RawResult};
use super::metadata::{parse_page_header, ColumnMetaData, PageHeader};
use crate::source::ByteSource;

/// Bytes read for a page header when only headers are wanted: enough for any header without
/// large statistics; one that does not parse from them is read again from more.
const HEADER_WINDOW: usize = 1 << 10;

/// The byte range a column chunk occupies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    /// File offset of the first page (the dictionary page when there is one).
    pub start: u64,
    /// Bytes from `start` to the end of the last page.
    pub length: u64,
}

/// Finds where a column chunk's pages lie, from its metadata, checked against the file length.
pub fn chunk_range(meta: &ColumnMetaData, file_len: u64) -> RawResult<ChunkRange> {
    // Some writers store dictionary_page_offset = 0 when there is no dictionary; a dictionary
    // page always precedes the data pages, so only an offset before them is real.
    let start = match meta.dictionary_page_offset {
        Some(offset) if offset > 0 && offset < meta.data_page_offset => offset,
        _ => meta.data_page_offset,
    };
    let start = u64::try_from(start).map_err(|_| {
        RawError::invalid(format!("column chunk starts at negative offset {start}"))
    })?;
    let length = u64::try_from(meta.total_compressed_size).map_err(|_| {
        RawError::invalid(format!(
            "column chunk has negative total_compressed_size {}",
            meta.total_compressed_size
        ))
    })?;
    match start.checked_add(length) {
        Some(end) if end <= file_len => Ok(ChunkRange { start, length }),
        _ => Err(RawError::invalid(format!(
            "column chunk at offset {start} with {length} bytes runs past the end of the file ({file_len} bytes)"
        ))),
    }
}

/// The largest size, compressed or uncompressed, that any page header of the chunk at
/// `start..start + length` declares, reading only the headers from `source`.
///
/// For screening a chunk before a reader that allocates whatever a header declares, or that
/// may spin on malformed Thrift: a header this reader refuses is an error naming its offset.
pub fn largest_declared_page(source: &dyn ByteSource, start: u64, length: u64) -> RawResult<u64> {
    let end = start.saturating_add(length).min(source.len());
    let mut offset = start;
    let mut largest = 0u64;
    while offset < end {
        let left = usize::try_from(end - offset).unwrap_or(usize::MAX);
        // Small reads first; a header with large statistics is read again from more bytes.
        let mut parsed = Err(RawError::invalid("no bytes"));
        for window in [HEADER_WINDOW, HEADER_WINDOW << 6, left] {
            let bytes = source
                .read_at(offset, window.min(left))
                .map_err(|e| RawError::invalid(format!("reading a page header: {e}")))?;
            parsed = parse_page_header(&bytes);
            if parsed.is_ok() || window >= left {
                break;
            }
        }
        let (header, header_len) =
            parsed.map_err(|e| RawError::invalid(format!("page header at byte {offset}: {e}")))?;
        let (Ok(compressed), Ok(uncompressed)) = (
            u64::try_from(header.compressed_page_size),
            u64::try_from(header.uncompressed_page_size),
        ) else {
            return Err(RawError::invalid(format!(
                "page header at byte {offset} declares a negative size"
            )));
        };
        largest = largest.max(compressed).max(uncompressed);
        offset = offset
            .saturating_add(header_len as u64)
            .saturating_add(compressed);
    }
    Ok(largest)
}

/// One page as stored: its header and its (possibly compressed) body.
#[derive(Debug, Clone)]
pub struct RawPage<'a> {
    /// 0-based position of the page within its column chunk, the dictionary page included.
    pub index: usize,
    /// File offset of the page header.
    pub offset: u64,
    /// The decoded header.
    pub header: PageHeader,
    /// The `compressed_page_size` bytes after the header.
    pub body: &'a [u8],
}

/// Iterates over the pages of a column chunk held in memory.
#[derive(Debug)]
pub struct PageIter<'a> {
    chunk: &'a [u8],
    chunk_start: u64,
    position: usize,
    index: usize,
    failed: bool,
}

impl<'a> PageIter<'a> {
    /// Pages of `chunk`, whose first byte sits at file offset `chunk_start`.
    pub fn new(chunk: &'a [u8], chunk_start: u64) -> Self {
        Self {
            chunk,
            chunk_start,
            position: 0,
            index: 0,
            failed: false,
        }
    }

    /// File offset of the next page header.
    pub fn next_offset(&self) -> u64 {
        self.chunk_start + self.position as u64
    }

    /// Index the next page will have.
    pub fn next_index(&self) -> usize {
        self.index
    }

    fn read_page(&mut self) -> RawResult<RawPage<'a>> {
        let rest = &self.chunk[self.position..];
        let (header, header_len) = parse_page_header(rest)?;
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
        let body = header_len
            .checked_add(body_len)
            .and_then(|end| rest.get(header_len..end))
            .ok_or_else(|| {
                RawError::invalid(format!(
                    "page body of {body_len} bytes runs past the end of the column chunk ({} bytes left after the header)",
                    rest.len().saturating_sub(header_len)
                ))
            })?;
        let page = RawPage {
            index: self.index,
            offset: self.next_offset(),
            header,
            body,
        };
        self.position += header_len + body_len;
        self.index += 1;
        Ok(page)
    }
}

impl<'a> Iterator for PageIter<'a> {
    type Item = RawResult<RawPage<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.position >= self.chunk.len() {
            return None;
        }
        let page = self.read_page();
        self.failed = page.is_err();
        Some(page)
    }
}
