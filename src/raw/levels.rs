//! Repetition and definition levels: the RLE/bit-packing hybrid and the deprecated BIT_PACKED
//! encoding, written from apache/parquet-format `Encodings.md`.
//!
//! The hybrid grammar (the `<length>` prefix is the caller's business; this module reads the
//! `<encoded-data>` only):
//!
//! ```text
//! encoded-data := <run>*
//! run := <bit-packed-run> | <rle-run>
//! bit-packed-run := <bit-packed-header> <bit-packed-values>
//! bit-packed-header := varint-encode(<bit-pack-scaled-run-len> << 1 | 1)
//! // we always bit-pack a multiple of 8 values at a time, so we only store the number of values / 8
//! bit-pack-scaled-run-len := (bit-packed-run-len) / 8
//! rle-run := <rle-header> <repeated-value>
//! rle-header := varint-encode( (rle-run-len) << 1)
//! repeated-value := value that is repeated, using a fixed-width of round-up-to-next-byte(bit-width)
//! ```
//!
//! "The values are packed from the least significant bit of each byte to the most significant
//! bit, though the order of the bits in each value remains in the usual order of most significant
//! to least significant." BIT_PACKED (deprecated) instead "packs values from the most significant
//! bit to the least significant bit", with "no padding between values (except for the last byte,
//! which is padded with 0s)".
//!
//! This module owns both level encodings, [`bit_width`], and the run walker that the dictionary
//! index and RLE boolean decoders share.
//!
//! Leniency, chosen to match what writers emit rather than what the grammar allows:
//! - a run may be longer than the values still wanted; the extra values are ignored;
//! - the last bit-packed run may stop as soon as the wanted values end (its padding values are
//!   then missing), because a reader cannot tell that apart from trailing garbage anyway;
//! - a run of length 0 is skipped.
//!
//! Strictness: a repeated value wider than `bit_width` is an error, since no writer emits one and
//! its extra bits would otherwise be silently dropped.

use super::cursor::Cursor;
use super::error::{RawError, RawResult};
use crate::value::Bitmap;

/// Bits needed to store every level in `0..=max_level`.
pub fn bit_width(max_level: u32) -> u8 {
    (u32::BITS - max_level.leading_zeros()) as u8
}

/// One run of the hybrid as the walker meets it, already cut to the values still wanted.
pub(super) enum Run<'a> {
    /// `len` copies of `value`.
    Repeated {
        /// The repeated value, known to fit in the bit width.
        value: u32,
        /// How many copies are wanted.
        len: usize,
    },
    /// `len` values bit-packed LSB first in groups of 8; `packed` starts at the first group and
    /// holds at least the bits of the `len` values (whole groups when the input had them).
    Packed {
        /// The packed bytes.
        packed: &'a [u8],
        /// How many values are wanted.
        len: usize,
    },
}

/// Walks the hybrid runs in `bytes` until `count` values are covered, handing each to `visit`;
/// returns the bytes consumed.
pub(super) fn for_each_run<'a>(
    bytes: &'a [u8],
    bit_width: u8,
    count: usize,
    mut visit: impl FnMut(Run<'a>) -> RawResult<()>,
) -> RawResult<usize> {
    if bit_width > 32 {
        return Err(RawError::invalid(format!(
            "RLE/bit-packed hybrid: bit width {bit_width} exceeds 32"
        )));
    }
    let value_bytes = usize::from(bit_width).div_ceil(8);
    let mut cursor = Cursor::new(bytes);
    let mut produced = 0usize;
    while produced < count {
        let wanted = count - produced;
        let header = cursor.read_uleb128("RLE/bit-packed hybrid run header")?;
        if header & 1 == 1 {
            // Run lengths are u64 from the bytes; u128 keeps the byte arithmetic exact.
            let groups = u128::from(header >> 1);
            let run_len = groups * 8;
            let take = run_len.min(wanted as u128) as usize;
            let full_bytes = groups * u128::from(bit_width);
            let needed_bytes = (take as u128 * u128::from(bit_width)).div_ceil(8);
            let available = cursor.remaining() as u128;
            let consume = if full_bytes <= available {
                full_bytes
            } else if needed_bytes <= available {
                needed_bytes
            } else {
                return Err(RawError::invalid(format!(
                    "RLE/bit-packed hybrid: bit-packed run of {run_len} values at byte {} needs \
                     {needed_bytes} bytes for the {take} values wanted, {available} remain",
                    cursor.position()
                )));
            };
            let packed = cursor.read_bytes(consume as usize, "RLE/bit-packed hybrid values")?;
            if take > 0 {
                visit(Run::Packed { packed, len: take })?;
            }
            produced += take;
        } else {
            let run_len = header >> 1;
            let take = run_len.min(wanted as u64) as usize;
            let at = cursor.position();
            let raw = cursor.read_bytes(value_bytes, "RLE/bit-packed hybrid repeated value")?;
            let value = raw
                .iter()
                .rev()
                .fold(0u32, |acc, &byte| (acc << 8) | u32::from(byte));
            if bit_width < 32 && value >> bit_width != 0 {
                return Err(RawError::invalid(format!(
                    "RLE/bit-packed hybrid: repeated value {value} at byte {at} does not fit \
                     in bit width {bit_width}"
                )));
            }
            if take > 0 {
                visit(Run::Repeated { value, len: take })?;
            }
            produced += take;
        }
    }
    Ok(cursor.position())
}

/// Decodes `count` values of an RLE/bit-packed hybrid body (no length prefix) into `out`.
pub fn decode_rle_hybrid(
    bytes: &[u8],
    bit_width: u8,
    count: usize,
    out: &mut Vec<u32>,
) -> RawResult<()> {
    for_each_run(bytes, bit_width, count, |run| {
        match run {
            Run::Repeated { value, len } => out.resize(out.len() + len, value),
            Run::Packed { packed, len } => unpack_lsb(packed, bit_width, len, out),
        }
        Ok(())
    })
    .map(|_| ())
}

/// Decodes `count` definition levels of a flat optional column (maximum level 1, so a bit
/// width of 1) straight into validity bits: a repeated run is a run of equal bits and a
/// bit-packed run already is the bitmap, so no level is ever widened to an integer.
/// Returns how many slots are valid.
pub fn decode_validity(bytes: &[u8], count: usize, out: &mut Bitmap) -> RawResult<usize> {
    let mut valid = 0;
    for_each_run(bytes, 1, count, |run| {
        match run {
            Run::Repeated { value, len } => {
                out.push_n(value == 1, len);
                valid += if value == 1 { len } else { 0 };
            }
            Run::Packed { packed, len } => {
                out.extend_from_lsb_bits(packed, 0, len);
                let whole = &packed[..len / 8];
                valid += whole.iter().map(|b| b.count_ones() as usize).sum::<usize>();
                if len % 8 != 0 {
                    valid += (packed[len / 8] & ((1u8 << (len % 8)) - 1)).count_ones() as usize;
                }
            }
        }
        Ok(())
    })?;
    Ok(valid)
}

/// Appends `len` values of `bit_width` bits packed LSB first; missing bytes of the last group
/// read as zero. `bit_width` must be at most 32.
fn unpack_lsb(packed: &[u8], bit_width: u8, len: usize, out: &mut Vec<u32>) {
    // A constant width lets the compiler unroll each group of 8 into shifts and masks.
    macro_rules! dispatch {
        ($($w:literal)*) => {
            match bit_width {
                $($w => unpack_groups::<$w>(packed, len, out),)*
                _ => unreachable!("bit width checked by the caller"),
            }
        };
    }
    dispatch!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32);
}

fn unpack_groups<const W: usize>(packed: &[u8], len: usize, out: &mut Vec<u32>) {
    if W == 0 {
        out.resize(out.len() + len, 0);
        return;
    }
    // The walker hands over at least ceil(len * W / 8) bytes, so every whole group is present.
    debug_assert!(packed.len() * 8 >= len * W);
    let whole = len / 8;
    // Whole groups are written in place into space sized once; each is exactly W bytes, so
    // the unpacking is straight-line shifts with no copy of variable length.
    let start = out.len();
    out.resize(start + whole * 8, 0);
    for (group, values) in packed.chunks_exact(W).zip(out[start..].chunks_exact_mut(8)) {
        values.copy_from_slice(&unpack_whole::<W>(group));
    }
    let rest = len % 8;
    if rest > 0 {
        // The last group may be cut short; unpack8 reads missing bytes as zero.
        let tail = packed.get(whole * W..).unwrap_or(&[]);
        out.extend_from_slice(&unpack8::<W>(tail)[..rest]);
    }
}

/// Unpacks 8 values of `W` bits from a group of exactly `W` bytes.
#[inline(always)]
fn unpack_whole<const W: usize>(group: &[u8]) -> [u32; 8] {
    // 32 bytes of group plus room for an 8-byte read starting at byte 28.
    let mut buf = [0u8; 40];
    buf[..W].copy_from_slice(&group[..W]);
    let mask: u64 = if W == 32 {
        u64::from(u32::MAX)
    } else {
        (1u64 << W) - 1
    };
    let mut values = [0u32; 8];
    for (j, value) in values.iter_mut().enumerate() {
        let bit = j * W;
        let word = u64::from_le_bytes(buf[bit / 8..bit / 8 + 8].try_into().expect("8 bytes"));
        *value = ((word >> (bit % 8)) & mask) as u32;
    }
    values
}

/// Unpacks 8 values of `W` bits from a group of up to `W` bytes (shorter reads as zero-padded).
#[inline(always)]
fn unpack8<const W: usize>(group: &[u8]) -> [u32; 8] {
    let mut padded = [0u8; 32];
    let n = group.len().min(W);
    padded[..n].copy_from_slice(&group[..n]);
    unpack_whole::<W>(&padded[..W])
}

/// Decodes `count` values of the deprecated BIT_PACKED level encoding (MSB first); returns the
/// bytes consumed, the last byte counted whole.
pub fn decode_bit_packed_legacy(
    bytes: &[u8],
    bit_width: u8,
    count: usize,
    out: &mut Vec<u32>,
) -> RawResult<usize> {
    if bit_width > 32 {
        return Err(RawError::invalid(format!(
            "BIT_PACKED: bit width {bit_width} exceeds 32"
        )));
    }
    let needed = (count as u128 * u128::from(bit_width)).div_ceil(8);
    if needed > bytes.len() as u128 {
        return Err(RawError::invalid(format!(
            "BIT_PACKED: {count} values of {bit_width} bits need {needed} bytes, {} remain",
            bytes.len()
        )));
    }
    let needed = needed as usize;
    if bit_width == 0 {
        out.resize(out.len() + count, 0);
        return Ok(0);
    }
    out.reserve(count);
    let width = u32::from(bit_width);
    let mask = (1u64 << width) - 1;
    // Holds fewer than `width + 8` unread bits, so 40 bits at most.
    let mut acc = 0u64;
    let mut acc_bits = 0u32;
    let mut next = bytes[..needed].iter();
    for _ in 0..count {
        while acc_bits < width {
            let byte = next.next().copied().unwrap_or(0);
            acc = (acc << 8) | u64::from(byte);
            acc_bits += 8;
        }
        acc_bits -= width;
        out.push(((acc >> acc_bits) & mask) as u32);
        acc &= (1u64 << acc_bits) - 1;
    }
    Ok(needed)
}

/// Test helpers shared with the other encodings' tests.
#[cfg(test)]
pub(super) mod testing {
    /// A seeded xorshift64* generator: deterministic, no dependencies.
    pub struct XorShift(u64);

    impl XorShift {
        /// A generator from a non-zero seed.
        pub fn new(seed: u64) -> Self {
            Self(seed.max(1))
        }

        /// The next 64 random bits.
        pub fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        /// A number in `0..n` (n > 0).
        pub fn below(&mut self, n: u64) -> u64 {
            self.next_u64() % n
        }

        /// `len` random bytes.
        pub fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next_u64() as u8).collect()
        }
    }

    /// ULEB128, as the spec's varint-encode.
    pub fn uleb128(mut value: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    /// Packs `values` LSB first at `bit_width` bits, padding to whole groups of 8.
    pub fn pack_lsb(values: &[u64], bit_width: u32, out: &mut Vec<u8>) {
        let padded = values.len().div_ceil(8) * 8;
        let total_bits = padded * bit_width as usize;
        let start = out.len();
        out.resize(start + total_bits / 8, 0);
        for (i, &v) in values.iter().enumerate() {
            for b in 0..bit_width as usize {
                if (v >> b) & 1 == 1 {
                    let bit = i * bit_width as usize + b;
                    out[start + bit / 8] |= 1 << (bit % 8);
                }
            }
        }
    }

    /// Encodes `values` in the hybrid, choosing repeated or bit-packed runs at random.
    pub fn encode_hybrid(values: &[u32], bit_width: u8, rng: &mut XorShift) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < values.len() {
            if rng.below(2) == 0 {
                let mut run = 1;
                while i + run < values.len() && values[i + run] == values[i] {
                    run += 1;
                }
                uleb128((run as u64) << 1, &mut out);
                let value_bytes = usize::from(bit_width).div_ceil(8);
                out.extend_from_slice(&values[i].to_le_bytes()[..value_bytes]);
                i += run;
            } else {
                let groups = 1 + rng.below(4) as usize;
                let end = (i + groups * 8).min(values.len());
                let chunk: Vec<u64> = values[i..end].iter().map(|&v| u64::from(v)).collect();
                uleb128(((chunk.len().div_ceil(8) as u64) << 1) | 1, &mut out);
                pack_lsb(&chunk, u32::from(bit_width), &mut out);
                i = end;
            }
        }
        out
    }

    /// A random value of `bit_width` bits.
    pub fn random_value(rng: &mut XorShift, bit_width: u8) -> u32 {
        if bit_width == 0 {
            0
        } else {
            (rng.next_u64() >> (64 - u32::from(bit_width))) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    fn hybrid(bytes: &[u8], bit_width: u8, count: usize) -> RawResult<Vec<u32>> {
        let mut out = Vec::new();
        decode_rle_hybrid(bytes, bit_width, count, &mut out)?;
        assert_eq!(out.len(), count);
        Ok(out)
    }

    #[test]
    fn validity_bits_match_decoded_levels() {
        let mut rng = XorShift::new(7);
        for case in 0..500 {
            let count = rng.below(300) as usize;
            // Mostly valid, like label columns with a few nulls; sometimes mostly null.
            let levels: Vec<u32> = (0..count)
                .map(|_| u32::from(rng.below(100) < if case % 3 == 0 { 20 } else { 95 }))
                .collect();
            let bytes = encode_hybrid(&levels, 1, &mut rng);
            let take = if count > 0 {
                rng.below(count as u64 + 1) as usize
            } else {
                0
            };
            let mut bits = Bitmap::new();
            bits.push(true);
            let valid = decode_validity(&bytes, take, &mut bits).unwrap();
            assert_eq!(bits.len(), 1 + take);
            assert!(bits
                .iter()
                .skip(1)
                .eq(levels[..take].iter().map(|&l| l == 1)));
            assert_eq!(valid, levels[..take].iter().filter(|&&l| l == 1).count());
            // Any truncation is an error or fewer bytes read, never a panic.
            for cut in 0..bytes.len() {
                let _ = decode_validity(&bytes[..cut], take, &mut Bitmap::new());
            }
        }
        // A repeated value of 2 does not fit a bit width of 1.
        assert!(decode_validity(&[0x02, 0x02], 1, &mut Bitmap::new()).is_err());
    }

    #[test]
    fn bit_width_covers_max_level() {
        assert_eq!(bit_width(0), 0);
        assert_eq!(bit_width(1), 1);
        assert_eq!(bit_width(2), 2);
        assert_eq!(bit_width(3), 2);
        assert_eq!(bit_width(4), 3);
        assert_eq!(bit_width(255), 8);
        assert_eq!(bit_width(u32::MAX), 32);
    }

    #[test]
    fn empty_input_with_count_zero() {
        assert_eq!(hybrid(&[], 3, 0).unwrap(), Vec::<u32>::new());
        let mut out = Vec::new();
        assert_eq!(decode_bit_packed_legacy(&[], 3, 0, &mut out).unwrap(), 0);
    }

    #[test]
    fn one_value() {
        // rle-header 1 << 1 = 0x02, repeated value 5 in one byte.
        assert_eq!(hybrid(&[0x02, 0x05], 3, 1).unwrap(), vec![5]);
    }

    #[test]
    fn bit_width_zero_runs_still_have_headers() {
        // RLE run of 5 (0x0a) with no value bytes, then one bit-packed group (0x03) with no bytes.
        assert_eq!(hybrid(&[0x0a, 0x03], 0, 13).unwrap(), vec![0; 13]);
        // Count past the runs: the third header is missing.
        assert!(hybrid(&[0x0a, 0x03], 0, 14).is_err());
    }

    #[test]
    fn bit_width_one_bit_packed() {
        // One group; bits LSB first: 1,0,0,0,1,1,0,1.
        assert_eq!(
            hybrid(&[0x03, 0b1011_0001], 1, 8).unwrap(),
            vec![1, 0, 0, 0, 1, 1, 0, 1]
        );
    }

    #[test]
    fn spec_example_bit_width_three() {
        // Encodings.md: 0..=7 at width 3 packs to 10001000 11000110 11111010.
        assert_eq!(
            hybrid(&[0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010], 3, 8).unwrap(),
            (0..8).collect::<Vec<_>>()
        );
    }

    #[test]
    fn bit_width_seven() {
        // Values 127, 0, ..., 0: the first 7 bits set, the rest of the 7 bytes zero.
        let mut bytes = vec![0x03, 0x7f];
        bytes.extend_from_slice(&[0; 6]);
        let mut expected = vec![0; 8];
        expected[0] = 127;
        assert_eq!(hybrid(&bytes, 7, 8).unwrap(), expected);
        // Value 1 at index 1 sets bit 7 of byte 0.
        let mut bytes = vec![0x03, 0x80];
        bytes.extend_from_slice(&[0; 6]);
        assert_eq!(hybrid(&bytes, 7, 8).unwrap()[1], 1);
    }

    #[test]
    fn bit_width_eight_is_bytes() {
        let bytes = [0x03, 1, 2, 3, 4, 5, 6, 7, 200];
        assert_eq!(
            hybrid(&bytes, 8, 8).unwrap(),
            vec![1, 2, 3, 4, 5, 6, 7, 200]
        );
    }

    #[test]
    fn bit_width_seventeen() {
        // RLE run of 3 (0x06) of 0x1ffff in 3 little-endian bytes.
        assert_eq!(
            hybrid(&[0x06, 0xff, 0xff, 0x01], 17, 3).unwrap(),
            vec![0x1ffff; 3]
        );
        // 0x2_0000 needs 18 bits: rejected.
        assert!(hybrid(&[0x06, 0x00, 0x00, 0x02], 17, 3).is_err());
        // Bit-packed group: value 0 = 0x1ffff fills bits 0..17, value 1 = 1 sets bit 17.
        let mut bytes = vec![0x03, 0xff, 0xff, 0x03];
        bytes.extend_from_slice(&[0; 14]);
        let out = hybrid(&bytes, 17, 8).unwrap();
        assert_eq!(&out[..3], &[0x1ffff, 1, 0]);
    }

    #[test]
    fn bit_width_thirty_two() {
        // RLE run of 2 (0x04) of u32::MAX, then a group of 8 32-bit little-endian values.
        let mut bytes = vec![0x04, 0xff, 0xff, 0xff, 0xff, 0x03];
        for v in [0u32, 1, u32::MAX, 7, 8, 9, 0x8000_0000, 11] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(
            hybrid(&bytes, 32, 10).unwrap(),
            vec![u32::MAX, u32::MAX, 0, 1, u32::MAX, 7, 8, 9, 0x8000_0000, 11]
        );
    }

    #[test]
    fn bit_width_over_thirty_two_is_rejected() {
        assert!(hybrid(&[0x02, 0, 0, 0, 0, 0], 33, 1).is_err());
        assert!(decode_bit_packed_legacy(&[0; 8], 33, 1, &mut Vec::new()).is_err());
    }

    #[test]
    fn last_group_partly_used() {
        // Two groups at width 2 (4 bytes), only 10 values wanted: 6 padding values ignored.
        let bytes = [0x05, 0b1110_0100, 0b0001_1011, 0b0000_0111, 0xff];
        assert_eq!(
            hybrid(&bytes, 2, 10).unwrap(),
            vec![0, 1, 2, 3, 3, 2, 1, 0, 3, 1]
        );
        // The padding bytes of the last group may be missing entirely (lenient).
        assert_eq!(
            hybrid(&bytes[..4], 2, 10).unwrap(),
            vec![0, 1, 2, 3, 3, 2, 1, 0, 3, 1]
        );
        // But the bits of wanted values may not.
        assert!(hybrid(&bytes[..3], 2, 10).is_err());
    }

    #[test]
    fn repeated_then_bit_packed() {
        // RLE run of 4 sevens (0x08, 0x07), then one group of 1..=8 at width 4.
        let bytes = [0x08, 0x07, 0x03, 0x21, 0x43, 0x65, 0x87];
        assert_eq!(
            hybrid(&bytes, 4, 12).unwrap(),
            vec![7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8]
        );
    }

    #[test]
    fn bytes_after_the_last_value_are_allowed() {
        assert_eq!(hybrid(&[0x04, 0x01, 0xde, 0xad], 1, 2).unwrap(), vec![1, 1]);
    }

    #[test]
    fn zero_length_runs_are_skipped() {
        // rle-run-len 0, bit-packed 0 groups, then a run of 2 ones.
        assert_eq!(
            hybrid(&[0x00, 0x01, 0x01, 0x04, 0x01], 1, 2).unwrap(),
            vec![1, 1]
        );
    }

    #[test]
    fn truncated_at_every_prefix() {
        let bytes = [0x08, 0x07, 0x03, 0x21, 0x43, 0x65, 0x87];
        // The last group's bits end at byte 7; values 11 and 12 live in the last byte.
        for len in 0..bytes.len() {
            assert!(hybrid(&bytes[..len], 4, 12).is_err(), "prefix {len}");
        }
        let legacy = [0b0000_0101, 0b0011_1001, 0b0111_0111];
        for len in 0..legacy.len() {
            assert!(decode_bit_packed_legacy(&legacy[..len], 3, 8, &mut Vec::new()).is_err());
        }
    }

    #[test]
    fn huge_claimed_runs_fail_quickly() {
        // A bit-packed header claiming 2^62 groups with a few bytes behind it.
        let mut bytes = Vec::new();
        uleb128(((1u64 << 62) << 1) | 1, &mut bytes);
        bytes.extend_from_slice(&[0; 4]);
        assert!(hybrid(&bytes, 5, 1_000_000).is_err());
        // An RLE run claiming 2^62 values only yields the values asked for.
        let mut bytes = Vec::new();
        uleb128(1u64 << 63, &mut bytes);
        bytes.push(1);
        assert_eq!(hybrid(&bytes, 1, 3).unwrap(), vec![1, 1, 1]);
        // BIT_PACKED with an enormous count is refused before reserving.
        assert!(decode_bit_packed_legacy(&[0; 16], 9, usize::MAX, &mut Vec::new()).is_err());
    }

    #[test]
    fn legacy_spec_example() {
        // Encodings.md: 0..=7 at width 3, MSB first: 00000101 00111001 01110111.
        let mut out = Vec::new();
        let used = decode_bit_packed_legacy(
            &[0b0000_0101, 0b0011_1001, 0b0111_0111, 0xaa],
            3,
            8,
            &mut out,
        )
        .unwrap();
        assert_eq!(used, 3);
        assert_eq!(out, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn legacy_partial_last_byte_and_widths() {
        // Three 2-bit values 3, 0, 2 = 11 00 10 (00 padding) in one byte.
        let mut out = Vec::new();
        assert_eq!(
            decode_bit_packed_legacy(&[0b1100_1000], 2, 3, &mut out).unwrap(),
            1
        );
        assert_eq!(out, vec![3, 0, 2]);
        // Width 0: no bytes, all zeros.
        let mut out = Vec::new();
        assert_eq!(decode_bit_packed_legacy(&[], 0, 4, &mut out).unwrap(), 0);
        assert_eq!(out, vec![0; 4]);
        // Width 32: big-endian words.
        let mut out = Vec::new();
        decode_bit_packed_legacy(&[0x80, 0, 0, 1, 0, 0, 0, 2], 32, 2, &mut out).unwrap();
        assert_eq!(out, vec![0x8000_0001, 2]);
    }

    fn encode_legacy(values: &[u32], bit_width: u8) -> Vec<u8> {
        let mut out = vec![0u8; (values.len() * usize::from(bit_width)).div_ceil(8)];
        for (i, &v) in values.iter().enumerate() {
            for b in 0..usize::from(bit_width) {
                // Bit b of the value counted from its most significant end.
                if (v >> (usize::from(bit_width) - 1 - b)) & 1 == 1 {
                    let bit = i * usize::from(bit_width) + b;
                    out[bit / 8] |= 0x80 >> (bit % 8);
                }
            }
        }
        out
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(0x1e7e15);
        for round in 0..400 {
            let bit_width = (round % 33) as u8;
            let n = rng.below(300) as usize;
            let mut values = Vec::with_capacity(n);
            while values.len() < n {
                let v = random_value(&mut rng, bit_width);
                let repeat = if rng.below(3) == 0 { rng.below(20) } else { 1 };
                for _ in 0..repeat.min((n - values.len()) as u64) {
                    values.push(v);
                }
            }
            let bytes = encode_hybrid(&values, bit_width, &mut rng);
            assert_eq!(
                hybrid(&bytes, bit_width, n).unwrap(),
                values,
                "round {round}"
            );
            let legacy = encode_legacy(&values, bit_width);
            let mut out = Vec::new();
            let used = decode_bit_packed_legacy(&legacy, bit_width, n, &mut out).unwrap();
            assert_eq!(used, legacy.len());
            assert_eq!(out, values, "legacy round {round}");
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(99);
        for _ in 0..4000 {
            let len = rng.below(64) as usize;
            let bytes = rng.bytes(len);
            let bit_width = rng.below(34) as u8;
            let count = rng.below(200) as usize;
            let mut out = Vec::new();
            if decode_rle_hybrid(&bytes, bit_width, count, &mut out).is_ok() {
                assert_eq!(out.len(), count);
            }
            let mut out = Vec::new();
            if decode_bit_packed_legacy(&bytes, bit_width, count, &mut out).is_ok() {
                assert_eq!(out.len(), count);
            }
        }
    }
}
