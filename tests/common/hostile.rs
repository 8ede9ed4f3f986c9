//! Hostile files of the resource-limit classes (docs/RELIABILITY.md, "Resource policy"):
//! shared by `tests/limits.rs`, which checks them under an address-space limit, and
//! `examples/hostile_files.rs`, which writes them out to measure time and peak memory.

use std::io::Write;

use super::craft::{
    boolean_page, file_with, page, Compact, CraftedPage, Layout, PageKind, BOOLEAN_PLAIN,
    TRUE_COUNT,
};

/// Bytes a decompression bomb inflates to: more than the 1 GiB address space the tests give.
pub const BOMB_BYTES: u64 = 5 << 28;

/// Writes `prefix` and then `zeros` zero bytes into `out`, a megabyte at a time, so a page
/// that inflates to gigabytes is made without holding them.
pub fn write_zeros(out: &mut dyn Write, prefix: &[u8], zeros: u64) {
    out.write_all(prefix).unwrap();
    let block = vec![0u8; 1 << 20];
    let mut left = zeros;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
}

/// The 100 labels of the crafted pages.
pub fn labels(n: usize) -> Vec<bool> {
    (0..n).map(|i| i % 3 == 0).collect()
}

/// Files of one BOOLEAN page declaring its true 13 bytes whose body inflates to
/// [`BOMB_BYTES`]: GZIP, BROTLI and an LZ4 frame, the codecs the parquet crate inflates
/// without a bound. Named by codec.
pub fn bomb_files() -> Vec<(&'static str, Vec<u8>)> {
    let body = boolean_page(&labels(100)).body;
    let gzip = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        write_zeros(&mut encoder, &body, BOMB_BYTES);
        encoder.finish().unwrap()
    };
    let brotli = {
        let mut out = Vec::new();
        {
            let mut encoder = brotli::CompressorWriter::new(&mut out, 1 << 16, 1, 22);
            write_zeros(&mut encoder, &body, BOMB_BYTES);
        }
        out
    };
    let lz4 = {
        let mut encoder = lz4_flex::frame::FrameEncoder::new(Vec::new());
        write_zeros(&mut encoder, &body, BOMB_BYTES);
        encoder.finish().unwrap()
    };
    [("gzip", 2, gzip), ("brotli", 4, brotli), ("lz4", 5, lz4)]
        .into_iter()
        .map(|(name, codec, stored)| {
            let mut bomb = boolean_page(&labels(100));
            bomb.stored = Some(stored);
            let layout = Layout {
                codec,
                ..BOOLEAN_PLAIN
            };
            (name, file_with(&[bomb], &TRUE_COUNT, layout))
        })
        .collect()
}

/// An INT64 column whose dictionary page declares `entries` entries in 8 bytes, then ten rows
/// of index 0.
pub fn dictionary_claim_file(entries: i32) -> Vec<u8> {
    let dictionary = page(
        PageKind::Dictionary { entries },
        0,
        7i64.to_le_bytes().to_vec(),
    );
    // Ten rows, all index 0: bit width 1, one RLE run of 10.
    let data = page(PageKind::Data { encoding: 8 }, 10, vec![1, 20, 0]);
    file_with(&[dictionary, data], &TRUE_COUNT, INT64_PLAIN)
}

const INT64_PLAIN: Layout = Layout {
    physical_type: 2,
    codec: 0,
};

/// A footer whose schema nests `depth` groups, one inside the other, around one leaf.
pub fn deep_schema_file(depth: usize) -> Vec<u8> {
    let mut meta = Compact::default();
    meta.begin();
    meta.i32(1, 1);
    meta.list_structs(2, depth + 1);
    for level in 0..depth {
        meta.begin();
        if level > 0 {
            meta.i32(3, 1); // OPTIONAL
        }
        meta.string(4, &format!("g{level}"));
        meta.i32(5, 1);
        meta.end();
    }
    meta.begin();
    meta.i32(1, 0); // BOOLEAN
    meta.i32(3, 1);
    meta.string(4, "label");
    meta.end();
    meta.i64(3, 0);
    meta.list_structs(4, 0);
    meta.end();
    let mut file = b"PAR1".to_vec();
    file.extend_from_slice(&meta.out);
    file.extend_from_slice(&(meta.out.len() as u32).to_le_bytes());
    file.extend_from_slice(b"PAR1");
    file
}

/// 2^24 rows in a few bytes: one RLE run of dictionary index 0.
fn amplified_page() -> CraftedPage {
    let rows: u32 = 1 << 24;
    let mut body = vec![1u8]; // bit width 1
    let mut header = u64::from(rows) << 1;
    while header >= 0x80 {
        body.push((header as u8) | 0x80);
        header >>= 7;
    }
    body.push(header as u8);
    body.push(0);
    page(PageKind::Data { encoding: 8 }, rows as i32, body)
}

/// `pages` × 2^24 INT64 rows of the value 42 in one row group, a few hundred bytes in all: a
/// valid file whose decoded size is gigabytes.
pub fn amplified_file(pages: usize) -> Vec<u8> {
    let mut all = vec![page(
        PageKind::Dictionary { entries: 1 },
        0,
        42i64.to_le_bytes().to_vec(),
    )];
    all.extend((0..pages).map(|_| amplified_page()));
    file_with(&all, &TRUE_COUNT, INT64_PLAIN)
}
