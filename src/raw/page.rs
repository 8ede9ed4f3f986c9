//! Page reading: walks the page headers of one column chunk (parquet.thrift `PageHeader`; the
//! format README, "Column chunks": pages are written back to back, each a Thrift header then
//! its body), and checks every size the header claims against the chunk's bytes.

use super::error::{RawError, RawResult};
use super::metadata::{parse_page_header, ColumnMetaData, PageHeader};
use crate::quirks::DICTIONARY_HEADER_PADDING;
use crate::source::ByteSource;
use bytes::Bytes;

/// The largest page header the screen reads: 16 MiB, parquet-cpp's limit
/// (`kDefaultMaxPageHeaderSize` in its column_reader.h, which also doubles its window from
/// 16 KiB up to it). A header is a few sizes and encodings plus optional statistics; nothing in
/// the format or our Thrift reader bounds the statistics' min and max but the bytes present,
/// so without a cap a header that does not parse would have the rest of a chunk of any size
/// read into memory. Headers this large are refused by Arrow C++ (pyarrow) as well.
pub const MAX_PAGE_HEADER_BYTES: usize = 16 << 20;

/// The byte range a column chunk occupies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange {
    /// File offset of the first page (the dictionary page when there is one).
    pub start: u64,
    /// Bytes from `start` to the end of the last page, as `total_compressed_size` declares.
    pub length: u64,
    /// Bytes after the declared end that pages may still take: up to
    /// [`DICTIONARY_HEADER_PADDING`] for a writer with PARQUET-816, else 0.
    pub padding: u64,
    /// The chunk declares a `dictionary_page_offset` that is not where it starts.
    pub dictionary_offset_ignored: bool,
}

impl ChunkRange {
    /// File offset where the declared range ends.
    pub fn declared_end(&self) -> u64 {
        self.start + self.length
    }

    /// File offset past which no page may run: the declared end and its padding.
    pub fn end(&self) -> u64 {
        self.declared_end() + self.padding
    }
}

/// Finds where a column chunk's pages lie, from its metadata, checked against the file length.
/// With `pad_dictionary` (a writer with PARQUET-816, [`dictionary_outside_chunk_size`]), pages
/// may run up to [`DICTIONARY_HEADER_PADDING`] bytes past the declared end, as far as the file
/// goes, as parquet-cpp allows.
///
/// [`dictionary_outside_chunk_size`]: crate::quirks::dictionary_outside_chunk_size
pub fn chunk_range(
    meta: &ColumnMetaData,
    file_len: u64,
    pad_dictionary: bool,
) -> RawResult<ChunkRange> {
    // Some writers store dictionary_page_offset = 0 when there is no dictionary; a dictionary
    // page always precedes the data pages, so only an offset before them is real (parquet-cpp's
    // ComputeColumnChunkRange reads it the same way).
    let start = match meta.dictionary_page_offset {
        Some(offset) if offset > 0 && offset < meta.data_page_offset => offset,
        _ => meta.data_page_offset,
    };
    let dictionary_offset_ignored = meta.dictionary_page_offset.is_some_and(|d| d != start);
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
        Some(end) if end <= file_len => Ok(ChunkRange {
            start,
            length,
            padding: if pad_dictionary {
                (file_len - end).min(DICTIONARY_HEADER_PADDING)
            } else {
                0
            },
            dictionary_offset_ignored,
        }),
        _ => Err(RawError::invalid(format!(
            "column chunk at offset {start} with {length} bytes runs past the end of the file ({file_len} bytes)"
        ))),
    }
}

/// A column chunk's bytes, read from the source a block at a time and held one block at a
/// time: the one way the raw path and the screen read a chunk. A read asks for at least a
/// block, so pages and headers that lie in one block cost one request between them; the
/// block is a [`Bytes`] the source handed over, sliced, never copied.
pub struct ChunkBlocks<'a> {
    source: &'a dyn ByteSource,
    /// File offset past which nothing of the chunk is read.
    end: u64,
    /// Bytes read at least per request.
    block: usize,
    /// Bytes from file offset `buffer_start` on.
    buffer: Bytes,
    buffer_start: u64,
}

impl<'a> ChunkBlocks<'a> {
    /// Reads of the chunk that ends at `end`, `block` bytes at least per request.
    pub fn new(source: &'a dyn ByteSource, end: u64, block: usize) -> Self {
        Self {
            source,
            end,
            block,
            buffer: Bytes::new(),
            buffer_start: 0,
        }
    }

    /// File offset past which nothing of the chunk is read.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Makes the buffer hold `want` bytes from `offset` on, or up to the end, reading a
    /// block at a time; returns how many bytes from `offset` it holds.
    pub fn fill(&mut self, offset: u64, want: usize) -> std::io::Result<usize> {
        let end = self.end;
        let needed = end.saturating_sub(offset).min(want as u64);
        let held_end = self.buffer_start + self.buffer.len() as u64;
        if offset < self.buffer_start || offset + needed > held_end {
            let length = end
                .saturating_sub(offset)
                .min(needed.max(self.block as u64)) as usize;
            // Drop the old block first, so two are never held at once.
            self.buffer = Bytes::new();
            self.buffer = self.source.read_at(offset, length)?;
            self.buffer_start = offset;
        }
        Ok(self.buffer.len() - (offset - self.buffer_start) as usize)
    }

    /// As [`ChunkBlocks::fill`], but when the buffer starts at `offset` only the bytes it
    /// lacks are read, and appended: for a header tried from more and more bytes, which would
    /// otherwise be read again from its start each time.
    fn grow(&mut self, offset: u64, want: usize) -> std::io::Result<usize> {
        let held_end = self.buffer_start + self.buffer.len() as u64;
        let wanted_end = self.end.min(offset.saturating_add(want as u64));
        if offset != self.buffer_start || self.buffer.is_empty() || wanted_end <= held_end {
            return self.fill(offset, want);
        }
        let more = self
            .source
            .read_at(held_end, (wanted_end - held_end) as usize)?;
        let mut grown = Vec::with_capacity(self.buffer.len() + more.len());
        grown.extend_from_slice(&self.buffer);
        grown.extend_from_slice(&more);
        self.buffer = Bytes::from(grown);
        Ok(self.buffer.len())
    }

    /// `length` bytes from `offset`, which [`ChunkBlocks::fill`] made the buffer hold.
    pub fn held(&self, offset: u64, length: usize) -> &[u8] {
        let from = (offset - self.buffer_start) as usize;
        &self.buffer[from..from + length]
    }

    /// Reads and parses the page header at `offset`.
    ///
    /// The header is first parsed from `first_probe` bytes; one that does not parse from them
    /// is tried from twice as many, and so on, so a header of `h` bytes costs reads of at most
    /// a few times `max(block, h)`, and a chunk's headers reads linear in the chunk, never the
    /// rest of the chunk per header. Past [`MAX_PAGE_HEADER_BYTES`] (or the end) a header that
    /// still does not parse is an error.
    pub fn page_header(
        &mut self,
        offset: u64,
        first_probe: usize,
    ) -> RawResult<(PageHeader, usize)> {
        let mut probe = first_probe;
        loop {
            let held = if probe == first_probe {
                self.fill(offset, probe)
            } else {
                self.grow(offset, probe)
            }
            .map_err(|e| RawError::Read(format!("reading a page header: {e}")))?;
            let window = self.held(offset, held.min(probe));
            let reaches_end = offset + window.len() as u64 >= self.end;
            match parse_page_header(window) {
                Ok(parsed) => return Ok(parsed),
                Err(e) if reaches_end => return Err(e),
                Err(e) if probe >= MAX_PAGE_HEADER_BYTES => {
                    return Err(RawError::invalid(format!(
                        "no page header parses from its first {MAX_PAGE_HEADER_BYTES} bytes, the most a header may take (as in parquet-cpp): {e}"
                    )))
                }
                Err(_) => probe = probe.saturating_mul(2).min(MAX_PAGE_HEADER_BYTES),
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::ops::Range;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Bytes the screen reads at least per request, as in src/preflight.rs.
    const BLOCK: usize = 64 << 10;

    /// The largest size, compressed or uncompressed, that any page header of the chunk at
    /// `start..start + length` declares, reading only the headers from `source`, a block at a
    /// time, as the screen reads them.
    fn largest_declared_page(source: &dyn ByteSource, start: u64, length: u64) -> RawResult<u64> {
        let end = start.saturating_add(length).min(source.len());
        let mut blocks = ChunkBlocks::new(source, end, BLOCK);
        let mut offset = start;
        let mut largest = 0u64;
        while offset < end {
            let (header, header_len) = blocks
                .page_header(offset, 1 << 10)
                .map_err(|e| RawError::invalid(format!("page header at byte {offset}: {e}")))?;
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

    /// An in-memory source that counts the bytes and requests read from it.
    struct Counting {
        bytes: Bytes,
        read: AtomicU64,
        requests: AtomicU64,
    }

    impl ByteSource for Counting {
        fn len(&self) -> u64 {
            self.bytes.len() as u64
        }

        fn read_ranges(&self, ranges: &[Range<u64>]) -> io::Result<Vec<Bytes>> {
            ranges
                .iter()
                .map(|range| {
                    self.read
                        .fetch_add(range.end - range.start, Ordering::Relaxed);
                    self.requests.fetch_add(1, Ordering::Relaxed);
                    let range = range.start as usize..range.end as usize;
                    (range.end <= self.bytes.len())
                        .then(|| self.bytes.slice(range))
                        .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))
                })
                .collect()
        }

        fn display_name(&self) -> &str {
            "counting"
        }
    }

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn zigzag_i32(out: &mut Vec<u8>, v: i32) {
        varint(out, ((v << 1) ^ (v >> 31)) as u32 as u64);
    }

    /// A v1 data page (parquet.thrift `PageHeader` in the compact protocol) whose statistics
    /// hold a min and a max of `statistics` bytes each, then its body of `body` bytes.
    fn page(statistics: usize, body: usize) -> Vec<u8> {
        let mut out = vec![0x15, 0x00]; // 1: type DATA_PAGE
        out.push(0x15); // 2: uncompressed_page_size
        zigzag_i32(&mut out, body as i32);
        out.push(0x15); // 3: compressed_page_size
        zigzag_i32(&mut out, body as i32);
        out.push(0x2c); // 5: data_page_header
        out.extend([0x15, 0x02]); //   1: num_values 1
        out.extend([0x15, 0x00]); //   2: encoding PLAIN
        out.extend([0x15, 0x06]); //   3: definition_level_encoding RLE
        out.extend([0x15, 0x06]); //   4: repetition_level_encoding RLE
        out.push(0x1c); //   5: statistics
        for field in [0x58, 0x18] {
            //     5: max_value, 6: min_value
            out.push(field);
            varint(&mut out, statistics as u64);
            out.extend(std::iter::repeat_n(b'x', statistics));
        }
        out.extend([0x00, 0x00, 0x00]); // ends of Statistics, DataPageHeader, PageHeader
        out.extend(std::iter::repeat_n(0xab, body));
        out
    }

    fn counting(pages: &[Vec<u8>]) -> Counting {
        Counting {
            bytes: Bytes::from(pages.concat()),
            read: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        }
    }

    #[test]
    fn many_big_headers_cost_reads_linear_in_the_chunk() {
        // 100 headers of about 80 KiB, beyond the first block: read again from the rest of
        // the chunk each, they cost about 400 MB of reads; grown in doubling windows, under
        // twice the chunk.
        let pages: Vec<Vec<u8>> = (0..100).map(|i| page(40_000, 100 + i)).collect();
        let source = counting(&pages);
        let length = source.len();
        assert_eq!(largest_declared_page(&source, 0, length).unwrap(), 199);
        let read = source.read.load(Ordering::Relaxed);
        let bound = 2 * length + BLOCK as u64;
        assert!(read <= bound, "{read} bytes read for a {length}-byte chunk");
    }

    #[test]
    fn small_pages_share_a_request_per_block() {
        // 1,000 pages of about 5 KB: a request per header would be 1,000 requests; a block
        // holds about 13 of them.
        let pages: Vec<Vec<u8>> = (0..1000).map(|_| page(8, 5000)).collect();
        let source = counting(&pages);
        let length = source.len();
        assert_eq!(largest_declared_page(&source, 0, length).unwrap(), 5000);
        let requests = source.requests.load(Ordering::Relaxed);
        assert!(requests <= length / BLOCK as u64 + 1, "{requests} requests");
        let read = source.read.load(Ordering::Relaxed);
        assert!(read <= length + BLOCK as u64, "{read} bytes read");
    }

    #[test]
    fn large_pages_cost_a_block_per_header() {
        // Pages of 1 MB: their bodies are skipped, only a block at each header is read.
        let pages: Vec<Vec<u8>> = (0..20).map(|_| page(8, 1 << 20)).collect();
        let source = counting(&pages);
        let length = source.len();
        assert_eq!(largest_declared_page(&source, 0, length).unwrap(), 1 << 20);
        assert_eq!(source.requests.load(Ordering::Relaxed), 20);
        assert!(source.read.load(Ordering::Relaxed) <= 20 * BLOCK as u64);
    }

    #[test]
    fn a_header_up_to_the_cap_parses() {
        // About 12 MiB of statistics: found with the 16 MiB window, the last before the cap.
        let pages = [page(6 << 20, 10), page(8, 20)];
        let source = counting(&pages);
        assert_eq!(largest_declared_page(&source, 0, source.len()).unwrap(), 20);
    }

    #[test]
    fn a_header_beyond_the_cap_is_refused_after_reading_the_cap() {
        let pages = [page(9 << 20, 10)];
        let source = counting(&pages);
        let error = largest_declared_page(&source, 0, source.len())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(
                "page header at byte 0: no page header parses from its first 16777216 bytes"
            ),
            "{error}"
        );
        assert!(source.read.load(Ordering::Relaxed) <= MAX_PAGE_HEADER_BYTES as u64);
    }

    #[test]
    fn a_header_cut_by_the_chunk_end_is_an_error_from_the_bytes_present() {
        let mut bytes = page(40_000, 10);
        bytes.truncate(50_000);
        let source = counting(&[bytes]);
        let error = largest_declared_page(&source, 0, source.len()).unwrap_err();
        assert!(
            error.to_string().starts_with("page header at byte 0:"),
            "{error}"
        );
        assert_eq!(source.read.load(Ordering::Relaxed), 50_000);
    }
}
