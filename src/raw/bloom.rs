//! Split block bloom filters (BloomFilter.md): the header (parquet.thrift `BloomFilterHeader`)
//! and the probe, so every decoded value can be checked against its row group's filter.
//!
//! "The filter is a sequence of 256-bit blocks … a value is hashed with xxHash64 (seed 0) of
//! its plain encoding; the upper 32 bits select the block, the lower 32 bits, multiplied by
//! eight salts, select one bit in each of the block's eight 32-bit words."

use super::error::{RawError, RawResult};
use super::thrift::CompactReader;

/// The eight salts of the split block bloom filter (BloomFilter.md, "Technical Approach").
const SALT: [u32; 8] = [
    0x47b6_137b,
    0x4497_4d91,
    0x8824_ad5b,
    0xa2b7_289d,
    0x7054_95c7,
    0x2df1_424b,
    0x9efc_4947,
    0x5c6b_fb31,
];

/// Bytes of one block.
const BLOCK_BYTES: usize = 32;

/// Largest filter accepted; the format recommends at most 128 MiB.
pub const MAX_FILTER_BYTES: usize = 128 << 20;

/// A filter's header: the bitset's size and where it starts after the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BloomHeader {
    /// `numBytes`: the bitset's length.
    pub num_bytes: usize,
    /// Length of the encoded header.
    pub header_len: usize,
}

/// Reads a `BloomFilterHeader`; only the split block algorithm, xxHash and no compression
/// exist in the format, and anything else is unsupported.
pub fn parse_header(bytes: &[u8]) -> RawResult<BloomHeader> {
    let mut reader = CompactReader::new(bytes);
    let mut num_bytes = None;
    let mut members = [None; 3];
    reader.read_struct(|r, f| {
        match f.id {
            1 => num_bytes = Some(r.i32_field(f, "BloomFilterHeader.numBytes")?),
            id @ 2..=4 => {
                CompactReader::struct_field(f, "BloomFilterHeader union")?;
                let mut member = None;
                r.read_struct(|r, g| {
                    member = Some(g.id);
                    r.skip_field(g)
                })?;
                members[(id - 2) as usize] = member;
            }
            _ => r.skip_field(f)?,
        }
        Ok(())
    })?;
    for (member, what) in members.iter().zip(["algorithm", "hash", "compression"]) {
        if *member != Some(1) {
            return Err(RawError::unsupported(format!(
                "bloom filter {what} {member:?} (only the split block algorithm, xxHash, uncompressed exist)"
            )));
        }
    }
    let num_bytes = num_bytes.ok_or_else(|| {
        RawError::invalid("BloomFilterHeader: required field 'numBytes' (1) missing")
    })?;
    let num_bytes = usize::try_from(num_bytes)
        .ok()
        .filter(|&n| n > 0 && n % BLOCK_BYTES == 0 && n <= MAX_FILTER_BYTES)
        .ok_or_else(|| {
            RawError::invalid(format!(
                "bloom filter of {num_bytes} bytes: not a positive multiple of {BLOCK_BYTES} within {MAX_FILTER_BYTES}"
            ))
        })?;
    Ok(BloomHeader {
        num_bytes,
        header_len: reader.position(),
    })
}

/// The hash a value is probed with: xxHash64, seed 0, of its plain encoding.
pub fn hash(plain: &[u8]) -> u64 {
    twox_hash::XxHash64::oneshot(0, plain)
}

/// True when the filter may hold the value whose hash is `hash`; false means it does not.
pub fn might_contain(bitset: &[u8], hash: u64) -> bool {
    let blocks = (bitset.len() / BLOCK_BYTES) as u64;
    let block = (((hash >> 32) * blocks) >> 32) as usize;
    let key = hash as u32;
    let words = &bitset[block * BLOCK_BYTES..(block + 1) * BLOCK_BYTES];
    SALT.iter().enumerate().all(|(i, salt)| {
        let word = u32::from_le_bytes(words[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
        let bit = key.wrapping_mul(*salt) >> 27;
        word & (1 << bit) != 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts as BloomFilter.md describes, to test the probe against it.
    fn insert(bitset: &mut [u8], hash: u64) {
        let blocks = (bitset.len() / BLOCK_BYTES) as u64;
        let block = (((hash >> 32) * blocks) >> 32) as usize;
        let key = hash as u32;
        for (i, salt) in SALT.iter().enumerate() {
            let at = block * BLOCK_BYTES + i * 4;
            let mut word = u32::from_le_bytes(bitset[at..at + 4].try_into().unwrap());
            word |= 1 << (key.wrapping_mul(*salt) >> 27);
            bitset[at..at + 4].copy_from_slice(&word.to_le_bytes());
        }
    }

    #[test]
    fn inserted_values_probe_positive_and_an_empty_filter_negative() {
        let mut bitset = vec![0u8; 1024];
        for v in 0i64..200 {
            insert(&mut bitset, hash(&v.to_le_bytes()));
        }
        assert!((0i64..200).all(|v| might_contain(&bitset, hash(&v.to_le_bytes()))));
        let empty = vec![0u8; 1024];
        assert!(!might_contain(&empty, hash(b"cat")));
    }

    #[test]
    fn xxhash64_matches_the_reference_vector() {
        // xxHash64 of the empty input with seed 0.
        assert_eq!(hash(b""), 0xef46_db37_51d8_e999);
    }

    #[test]
    fn headers() {
        // numBytes = 32 (zigzag 64 = 0x40), then algorithm/hash/compression each { 1: {} }.
        let bytes = [
            0x15, 0x40, 0x1c, 0x1c, 0x00, 0x00, 0x1c, 0x1c, 0x00, 0x00, 0x1c, 0x1c, 0x00, 0x00,
            0x00,
        ];
        assert_eq!(
            parse_header(&bytes).unwrap(),
            BloomHeader {
                num_bytes: 32,
                header_len: bytes.len()
            }
        );
        let mut odd = bytes;
        odd[1] = 0x42; // 33 bytes
        assert!(parse_header(&odd).is_err());
        assert!(parse_header(&bytes[..5]).is_err());
    }
}
