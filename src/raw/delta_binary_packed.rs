//! DELTA_BINARY_PACKED for INT32 and INT64, written from apache/parquet-format `Encodings.md`:
//!
//! ```text
//! <block size in values> <number of miniblocks in a block> <total value count> <first value>
//!  * the block size is a multiple of 128; it is stored as a ULEB128 int
//!  * the miniblock count per block is a divisor of the block size such that their
//!    quotient, the number of values in a miniblock, is a multiple of 32; it is
//!    stored as a ULEB128 int
//!  * the total value count is stored as a ULEB128 int
//!  * the first value is stored as a zigzag ULEB128 int
//!
//! Each block contains
//! <min delta> <list of bitwidths of miniblocks> <miniblocks>
//!  * the min delta is a zigzag ULEB128 int
//!  * the bitwidth of each miniblock is stored as a byte
//!  * each miniblock is a list of bit-packed ints according to the bit width
//! ```
//!
//! Miniblocks are packed LSB first like the RLE/bit-packing hybrid. A miniblock that holds at
//! least one value is always whole: "we pad the miniblock so that its length is always the number
//! of values in a full miniblock multiplied by the bit width" (padding bits are arbitrary). In the
//! last block, miniblocks holding no value have a bit-width byte (arbitrary) but no body: "There
//! are no additional padding bytes for the miniblock bodies though, as if their bit widths were
//! 0". The first value lives in the header, so `total - 1` deltas fill the blocks and a stream of
//! at most one value has no block at all.
//!
//! Arithmetic wraps: "Overflow should be allowed and handled as wrapping around in 2's complement
//! notation". Everything is computed in `u64` with wrapping adds and INT32 keeps the low 32 bits,
//! which is the same as wrapping at 32 bits. Bit widths are limited to the type's size ("INT32
//! data must not use more than 32 bits").
//!
//! This module owns the encoding and its exact extent, which DELTA_LENGTH_BYTE_ARRAY and
//! DELTA_BYTE_ARRAY need to find the bytes that follow it.

use super::cursor::Cursor;
use super::error::{RawError, RawResult};

/// Largest block size accepted: writers store it as a 32-bit int, and the cap keeps every size
/// computed from it far from overflow.
const MAX_BLOCK_SIZE: u64 = 1 << 31;

/// Decodes `count` INT32 values into `out`; returns the bytes of the whole encoded stream.
///
/// `count` may be less than the header's total value count (the rest is walked over, not
/// decoded, so the returned size is still where the stream ends); more is an error.
pub fn decode_delta_i32(bytes: &[u8], count: usize, out: &mut Vec<i32>) -> RawResult<usize> {
    decode(bytes, count, out)
}

/// Decodes `count` INT64 values into `out`; returns the bytes of the whole encoded stream.
///
/// `count` may be less than the header's total value count (the rest is walked over, not
/// decoded, so the returned size is still where the stream ends); more is an error.
pub fn decode_delta_i64(bytes: &[u8], count: usize, out: &mut Vec<i64>) -> RawResult<usize> {
    decode(bytes, count, out)
}

/// An integer type the encoding carries.
trait DeltaInt: Copy {
    /// The physical type's name, for messages.
    const NAME: &'static str;
    /// The widest miniblock bit width the type allows.
    const MAX_BIT_WIDTH: u8;
    /// The value from the low bits of a wrapped `u64`.
    fn from_wrapped(value: u64) -> Self;
}

impl DeltaInt for i32 {
    const NAME: &'static str = "INT32";
    const MAX_BIT_WIDTH: u8 = 32;
    fn from_wrapped(value: u64) -> Self {
        value as u32 as i32
    }
}

impl DeltaInt for i64 {
    const NAME: &'static str = "INT64";
    const MAX_BIT_WIDTH: u8 = 64;
    fn from_wrapped(value: u64) -> Self {
        value as i64
    }
}

/// The stream header, checked.
struct Header {
    block_size: usize,
    miniblocks_per_block: usize,
    values_per_miniblock: usize,
    total_values: usize,
    first_value: i64,
}

fn read_header(cursor: &mut Cursor<'_>) -> RawResult<Header> {
    let block_size = cursor.read_uleb128("DELTA_BINARY_PACKED block size")?;
    if block_size == 0 || block_size % 128 != 0 || block_size > MAX_BLOCK_SIZE {
        return Err(RawError::invalid(format!(
            "DELTA_BINARY_PACKED: block size {block_size} is not a multiple of 128 in 128..={MAX_BLOCK_SIZE}"
        )));
    }
    let miniblocks_per_block = cursor.read_uleb128("DELTA_BINARY_PACKED miniblocks per block")?;
    if miniblocks_per_block == 0
        || block_size % miniblocks_per_block != 0
        || (block_size / miniblocks_per_block) % 32 != 0
    {
        return Err(RawError::invalid(format!(
            "DELTA_BINARY_PACKED: {miniblocks_per_block} miniblocks per block do not split a \
             block of {block_size} values into multiples of 32"
        )));
    }
    let total_values = cursor.read_uleb128("DELTA_BINARY_PACKED total value count")?;
    let total_values = usize::try_from(total_values).map_err(|_| {
        RawError::invalid(format!(
            "DELTA_BINARY_PACKED: total value count {total_values} does not fit in memory"
        ))
    })?;
    let first_value = cursor.read_zigzag("DELTA_BINARY_PACKED first value")?;
    Ok(Header {
        block_size: block_size as usize,
        miniblocks_per_block: miniblocks_per_block as usize,
        values_per_miniblock: (block_size / miniblocks_per_block) as usize,
        total_values,
        first_value,
    })
}

fn decode<T: DeltaInt>(bytes: &[u8], count: usize, out: &mut Vec<T>) -> RawResult<usize> {
    // A page without values may have no stream at all.
    if bytes.is_empty() && count == 0 {
        return Ok(0);
    }
    let mut cursor = Cursor::new(bytes);
    let header = read_header(&mut cursor)?;
    if count > header.total_values {
        return Err(RawError::invalid(format!(
            "DELTA_BINARY_PACKED: {count} {} values wanted, the header holds {}",
            T::NAME,
            header.total_values
        )));
    }
    let mut last = header.first_value as u64;
    if count > 0 {
        out.push(T::from_wrapped(last));
    }
    let mut wanted = count.saturating_sub(1);
    let mut deltas_left = header.total_values.saturating_sub(1);
    let vpm = header.values_per_miniblock;
    let mut block = 0usize;
    // Each block reads at least 1 + miniblocks_per_block bytes, so the loop is bounded by input.
    while deltas_left > 0 {
        let min_delta = cursor.read_zigzag("DELTA_BINARY_PACKED min delta")? as u64;
        let bit_widths = cursor.read_bytes(
            header.miniblocks_per_block,
            "DELTA_BINARY_PACKED miniblock bit widths",
        )?;
        let in_block = deltas_left.min(header.block_size);
        let present = in_block.div_ceil(vpm);
        for (miniblock, &bit_width) in bit_widths[..present].iter().enumerate() {
            if bit_width > T::MAX_BIT_WIDTH {
                return Err(RawError::invalid(format!(
                    "DELTA_BINARY_PACKED: miniblock bit width {bit_width} exceeds {} \
                     (block {block}, miniblock {miniblock}, {})",
                    T::MAX_BIT_WIDTH,
                    T::NAME
                )));
            }
            // vpm is a multiple of 32, so a miniblock is always whole bytes.
            let size = vpm / 8 * usize::from(bit_width);
            if size > cursor.remaining() {
                return Err(RawError::invalid(format!(
                    "DELTA_BINARY_PACKED: miniblock {miniblock} of block {block} needs {size} \
                     bytes at byte {}, {} remain",
                    cursor.position(),
                    cursor.remaining()
                )));
            }
            let packed = cursor.read_bytes(size, "DELTA_BINARY_PACKED miniblock")?;
            let in_miniblock = vpm.min(in_block - miniblock * vpm);
            let take = wanted.min(in_miniblock);
            if take > 0 {
                unpack_deltas(packed, bit_width, take, min_delta, &mut last, out);
                wanted -= take;
            }
        }
        deltas_left -= in_block;
        block += 1;
    }
    Ok(cursor.position())
}

/// Adds `take` packed deltas (plus `min_delta`) to the running value, appending each result.
fn unpack_deltas<T: DeltaInt>(
    packed: &[u8],
    bit_width: u8,
    take: usize,
    min_delta: u64,
    last: &mut u64,
    out: &mut Vec<T>,
) {
    out.reserve(take);
    if bit_width == 0 {
        for _ in 0..take {
            *last = last.wrapping_add(min_delta);
            out.push(T::from_wrapped(*last));
        }
        return;
    }
    let width = usize::from(bit_width);
    let mut left = take;
    // `packed` is whole groups of 8 values, `width` bytes each, covering at least `take` values.
    for group in packed.chunks_exact(width) {
        if left == 0 {
            break;
        }
        let deltas = unpack8(group, bit_width);
        for &delta in &deltas[..left.min(8)] {
            *last = last.wrapping_add(min_delta).wrapping_add(delta);
            out.push(T::from_wrapped(*last));
        }
        left = left.saturating_sub(8);
    }
}

/// Unpacks 8 values of `bit_width` (1..=64) bits, LSB first, from a group of `bit_width` bytes.
#[inline]
fn unpack8(group: &[u8], bit_width: u8) -> [u64; 8] {
    // Up to 64 bytes of group, plus room for a 16-byte read starting at byte 56.
    let mut buf = [0u8; 72];
    let n = group.len().min(64);
    buf[..n].copy_from_slice(&group[..n]);
    let width = usize::from(bit_width);
    let mask = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    let mut values = [0u64; 8];
    for (j, value) in values.iter_mut().enumerate() {
        let bit = j * width;
        let at = bit / 8;
        let shift = bit % 8;
        // A value may straddle 9 bytes when shift + width > 64.
        let mut word = [0u8; 16];
        word.copy_from_slice(&buf[at..at + 16]);
        *value = (u128::from_le_bytes(word) >> shift) as u64 & mask;
    }
    values
}

/// A DELTA_BINARY_PACKED writer for tests of this and the byte-array encodings.
#[cfg(test)]
pub(super) mod testing {
    use super::super::levels::testing::{pack_lsb, uleb128, XorShift};

    /// How to lay out the stream.
    #[derive(Clone, Copy)]
    pub struct Layout {
        /// Values per block.
        pub block_size: usize,
        /// Miniblocks per block.
        pub miniblocks_per_block: usize,
        /// 32 for INT32 (deltas wrap at 32 bits), 64 for INT64.
        pub bits: u32,
        /// Fill padding values and absent miniblocks' bit widths with random junk.
        pub junk: bool,
    }

    impl Layout {
        /// The usual parquet-mr layout: blocks of 128 in 4 miniblocks.
        pub fn standard(bits: u32) -> Self {
            Self {
                block_size: 128,
                miniblocks_per_block: 4,
                bits,
                junk: false,
            }
        }
    }

    fn zigzag(value: i64) -> u64 {
        ((value << 1) ^ (value >> 63)) as u64
    }

    /// Encodes `values` (INT32 values given sign-extended); `rng` supplies junk when asked.
    pub fn encode_delta(values: &[i64], layout: Layout, rng: &mut XorShift) -> Vec<u8> {
        let mut out = Vec::new();
        uleb128(layout.block_size as u64, &mut out);
        uleb128(layout.miniblocks_per_block as u64, &mut out);
        uleb128(values.len() as u64, &mut out);
        uleb128(zigzag(values.first().copied().unwrap_or(0)), &mut out);
        let narrow = layout.bits == 32;
        // Deltas in the type's own wrapping arithmetic, as signed numbers.
        let deltas: Vec<i64> = values
            .windows(2)
            .map(|w| {
                if narrow {
                    i64::from((w[1] as i32).wrapping_sub(w[0] as i32))
                } else {
                    w[1].wrapping_sub(w[0])
                }
            })
            .collect();
        let vpm = layout.block_size / layout.miniblocks_per_block;
        for block in deltas.chunks(layout.block_size) {
            let min_delta = block.iter().copied().min().unwrap_or(0);
            uleb128(zigzag(min_delta), &mut out);
            let relative: Vec<u64> = block
                .iter()
                .map(|&d| {
                    if narrow {
                        u64::from((d as i32).wrapping_sub(min_delta as i32) as u32)
                    } else {
                        d.wrapping_sub(min_delta) as u64
                    }
                })
                .collect();
            let miniblocks: Vec<&[u64]> = relative.chunks(vpm).collect();
            let widths: Vec<u32> = miniblocks
                .iter()
                .map(|m| 64 - m.iter().copied().max().unwrap_or(0).leading_zeros())
                .collect();
            for i in 0..layout.miniblocks_per_block {
                match widths.get(i) {
                    Some(&w) => out.push(w as u8),
                    None if layout.junk => out.push(rng.next_u64() as u8),
                    None => out.push(0),
                }
            }
            for (m, &w) in miniblocks.iter().zip(&widths) {
                let mut padded = m.to_vec();
                while padded.len() < vpm {
                    let junk = if layout.junk && w > 0 {
                        rng.next_u64() >> (64 - w)
                    } else {
                        0
                    };
                    padded.push(junk);
                }
                pack_lsb(&padded, w, &mut out);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::levels::testing::{uleb128, XorShift};
    use super::testing::*;
    use super::*;

    fn i64s(bytes: &[u8], count: usize) -> RawResult<(Vec<i64>, usize)> {
        let mut out = Vec::new();
        let used = decode_delta_i64(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        Ok((out, used))
    }

    fn i32s(bytes: &[u8], count: usize) -> RawResult<(Vec<i32>, usize)> {
        let mut out = Vec::new();
        let used = decode_delta_i32(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        Ok((out, used))
    }

    #[test]
    fn empty_input_with_count_zero() {
        assert_eq!(i64s(&[], 0).unwrap(), (vec![], 0));
        // A header for zero values: block 128 (0x80 0x01), 4 miniblocks, 0 values, first 0.
        assert_eq!(
            i32s(&[0x80, 0x01, 0x04, 0x00, 0x00], 0).unwrap(),
            (vec![], 5)
        );
        assert!(i32s(&[], 1).is_err());
    }

    #[test]
    fn one_value_has_no_block() {
        // block 128, 4 miniblocks, 1 value, first value zigzag(-3) = 5; nothing follows.
        let bytes = [0x80, 0x01, 0x04, 0x01, 0x05, 0xee];
        assert_eq!(i32s(&bytes, 1).unwrap(), (vec![-3], 5));
    }

    #[test]
    fn spec_example_one_with_a_valid_block_size() {
        // Header: block 128, 1 miniblock, 5 values, first 1 (zigzag 2).
        // Block: min delta 1 (zigzag 2), bit width 0, no miniblock body.
        let bytes = [0x80, 0x01, 0x01, 0x05, 0x02, 0x02, 0x00];
        assert_eq!(i64s(&bytes, 5).unwrap(), (vec![1, 2, 3, 4, 5], 7));
    }

    #[test]
    fn exactly_one_miniblock_width_eight() {
        // Header: block 128, 4 miniblocks of 32, 33 values, first value 100 (zigzag 200 = 0xc8 0x01).
        // Block: min delta -1 (zigzag 1); widths 8 then three junk widths for absent miniblocks;
        // body: 32 relative deltas 0..32 as bytes.
        let mut bytes = vec![0x80, 0x01, 0x04, 33, 0xc8, 0x01, 0x01, 8, 0xff, 0x41, 0x07];
        bytes.extend(0u8..32);
        let mut expected = vec![100i64];
        for d in 0..32i64 {
            expected.push(expected[expected.len() - 1] + d - 1);
        }
        assert_eq!(i64s(&bytes, 33).unwrap(), (expected, bytes.len()));
        // One byte short of the miniblock body.
        assert!(i64s(&bytes[..bytes.len() - 1], 33).is_err());
    }

    #[test]
    fn width_one_with_negative_deltas() {
        // Header: block 128, 4 miniblocks, 9 values, first 0.
        // Block: min delta -5 (zigzag 9); widths 1,0,0,0; body 4 bytes, only 8 values used:
        // relative 1,0,1,0,1,0,1,0 (0x55) so deltas -4,-5,-4,-5,...; rest is padding.
        let bytes = [
            0x80, 0x01, 0x04, 0x09, 0x00, 0x09, 1, 0, 0, 0, 0x55, 0xff, 0xff, 0xff,
        ];
        let (values, used) = i32s(&bytes, 9).unwrap();
        assert_eq!(values, vec![0, -4, -9, -13, -18, -22, -27, -31, -36]);
        assert_eq!(used, bytes.len());
    }

    #[test]
    fn every_bit_width() {
        let mut rng = XorShift::new(5);
        let cases = [
            (32, 0u32),
            (32, 1),
            (32, 7),
            (32, 8),
            (32, 17),
            (32, 32),
            (64, 0),
            (64, 1),
            (64, 17),
            (64, 33),
            (64, 64),
        ];
        for (bits, width) in cases {
            // Deltas base + r with r in 0..2^width, both ends present, so min delta is `base`
            // and the widest relative value needs exactly `width` bits; base centres the range
            // so that width 32 (INT32) and 64 (INT64) stay within the type's signed deltas.
            let base = if width == 0 {
                0
            } else {
                (-(1i128 << (width - 1))) as i64
            };
            let max_relative = if width == 64 {
                u64::MAX
            } else {
                (1u64 << width) - 1
            };
            let mut values = vec![rng.next_u64() as i64];
            for i in 0..40 {
                let relative = match i {
                    0 => 0,
                    3 => max_relative,
                    _ => rng.next_u64() & max_relative,
                };
                let next = values[values.len() - 1]
                    .wrapping_add(base)
                    .wrapping_add(relative as i64);
                values.push(if bits == 32 {
                    i64::from(next as i32)
                } else {
                    next
                });
            }
            if bits == 32 {
                values[0] = i64::from(values[0] as i32);
            }
            let bytes = encode_delta(&values, Layout::standard(bits), &mut rng);
            // Skip the header's four varints and the min delta to reach the first bit width.
            let mut at = 0;
            for _ in 0..5 {
                while bytes[at] & 0x80 != 0 {
                    at += 1;
                }
                at += 1;
            }
            assert_eq!(u32::from(bytes[at]), width, "{bits} bits");
            if bits == 32 {
                let (got, used) = i32s(&bytes, values.len()).unwrap();
                assert_eq!(got, values.iter().map(|&v| v as i32).collect::<Vec<_>>());
                assert_eq!(used, bytes.len());
            } else {
                assert_eq!(
                    i64s(&bytes, values.len()).unwrap(),
                    (values.clone(), bytes.len())
                );
            }
        }
    }

    #[test]
    fn bit_width_past_the_type_is_rejected() {
        // Header: block 128, 4 miniblocks, 2 values, first 0; block: min delta 0, width 70.
        let bytes = [0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 70, 0, 0, 0];
        let err = i64s(&bytes, 2).unwrap_err().to_string();
        assert!(
            err.starts_with("DELTA_BINARY_PACKED: miniblock bit width 70 exceeds 64"),
            "{err}"
        );
        let bytes = [0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 33, 0, 0, 0];
        assert!(i32s(&bytes, 2)
            .unwrap_err()
            .to_string()
            .contains("33 exceeds 32"));
    }

    #[test]
    fn bad_headers_are_rejected() {
        // Block size 100; block size 0; 0 miniblocks; 8 miniblocks of 16; 3 miniblocks.
        for bytes in [
            &[0x64, 0x01, 0x00, 0x00][..],
            &[0x00, 0x01, 0x00, 0x00],
            &[0x80, 0x01, 0x00, 0x00, 0x00],
            &[0x80, 0x01, 0x08, 0x00, 0x00],
            &[0x80, 0x01, 0x03, 0x00, 0x00],
        ] {
            assert!(i64s(bytes, 0).is_err(), "{bytes:?}");
        }
    }

    #[test]
    fn i64_extremes_wrap() {
        let mut rng = XorShift::new(11);
        let values = vec![i64::MIN, i64::MAX, i64::MIN, 0, i64::MAX, -1, i64::MIN];
        let bytes = encode_delta(&values, Layout::standard(64), &mut rng);
        assert_eq!(i64s(&bytes, values.len()).unwrap(), (values, bytes.len()));
        let values: Vec<i64> = [i32::MIN, i32::MAX, i32::MIN, 0, i32::MAX, -1]
            .iter()
            .map(|&v| i64::from(v))
            .collect();
        let bytes = encode_delta(&values, Layout::standard(32), &mut rng);
        let expected: Vec<i32> = values.iter().map(|&v| v as i32).collect();
        assert_eq!(i32s(&bytes, values.len()).unwrap(), (expected, bytes.len()));
    }

    #[test]
    fn partly_filled_last_block_ends_exactly() {
        let mut rng = XorShift::new(13);
        // 200 values: a full block of 128 deltas, then 71 deltas in 3 of 4 miniblocks; the 4th
        // has a junk bit width and no body, and padding values are junk too.
        let values: Vec<i64> = (0..200).map(|_| rng.below(1000) as i64 - 500).collect();
        let layout = Layout {
            junk: true,
            ..Layout::standard(64)
        };
        let mut bytes = encode_delta(&values, layout, &mut rng);
        let end = bytes.len();
        bytes.extend_from_slice(&[0xab; 40]);
        assert_eq!(i64s(&bytes, 200).unwrap(), (values.clone(), end));
        // Fewer values wanted: still walks to the stream's end.
        assert_eq!(i64s(&bytes, 10).unwrap(), (values[..10].to_vec(), end));
        // More than the header holds is an error.
        assert!(i64s(&bytes, 201).is_err());
    }

    #[test]
    fn truncated_at_every_prefix() {
        let mut rng = XorShift::new(17);
        let values: Vec<i64> = (0..150).map(|i| i * i - 77).collect();
        let bytes = encode_delta(&values, Layout::standard(64), &mut rng);
        for len in 0..bytes.len() {
            assert!(i64s(&bytes[..len], values.len()).is_err(), "prefix {len}");
        }
    }

    #[test]
    fn huge_claims_fail_quickly() {
        // 2^60 values claimed, 3 wanted: the walk to the end runs out of bytes at once.
        let mut bytes = vec![0x80, 0x01, 0x04];
        uleb128(1 << 60, &mut bytes);
        bytes.extend_from_slice(&[0x00, 0x00, 0, 0, 0, 0]);
        assert!(i64s(&bytes, 3).is_err());
        // Block size 2^40.
        let mut bytes = Vec::new();
        uleb128(1 << 40, &mut bytes);
        bytes.extend_from_slice(&[0x04, 0x02, 0x00]);
        assert!(i64s(&bytes, 2).is_err());
        // Width 64 miniblocks of 2^25 values claimed with a few bytes present.
        let mut bytes = Vec::new();
        uleb128(1 << 30, &mut bytes);
        uleb128(32, &mut bytes);
        uleb128(1 << 30, &mut bytes);
        bytes.extend_from_slice(&[0x00, 0x00]);
        bytes.extend_from_slice(&[64; 32]);
        bytes.extend_from_slice(&[0; 64]);
        assert!(i64s(&bytes, 1 << 30).is_err());
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(0xde17a);
        for round in 0..300 {
            let bits = if round % 2 == 0 { 32 } else { 64 };
            let n = rng.below(700) as usize;
            let spread = rng.below(64) as u32;
            let mut values = Vec::with_capacity(n);
            let mut current = rng.next_u64() as i64;
            for _ in 0..n {
                let step = (rng.next_u64() >> (63 - spread.min(62))) as i64 - (1 << spread.min(61));
                current = current.wrapping_add(step);
                values.push(if bits == 32 {
                    i64::from(current as i32)
                } else {
                    current
                });
            }
            let miniblocks_per_block = [1, 2, 4, 8][rng.below(4) as usize];
            let layout = Layout {
                // Blocks of 128 or 256 (doubled for 8 miniblocks so each holds 32 or more).
                block_size: 128
                    * (1 + rng.below(2) as usize)
                    * if miniblocks_per_block == 8 { 2 } else { 1 },
                miniblocks_per_block,
                bits,
                junk: rng.below(2) == 0,
            };
            let bytes = encode_delta(&values, layout, &mut rng);
            if bits == 32 {
                let expected: Vec<i32> = values.iter().map(|&v| v as i32).collect();
                assert_eq!(
                    i32s(&bytes, n).unwrap(),
                    (expected, bytes.len()),
                    "round {round}"
                );
            } else {
                assert_eq!(
                    i64s(&bytes, n).unwrap(),
                    (values, bytes.len()),
                    "round {round}"
                );
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(555);
        for _ in 0..4000 {
            let len = rng.below(120) as usize;
            let mut bytes = rng.bytes(len);
            // Often start with a valid header so the block walk is exercised.
            if rng.below(2) == 0 && len > 4 {
                bytes[..3].copy_from_slice(&[0x80, 0x01, 0x04]);
                bytes[3] &= 0x7f;
            }
            let count = rng.below(150) as usize;
            let mut a = Vec::new();
            if decode_delta_i32(&bytes, count, &mut a).is_ok() {
                assert_eq!(a.len(), count);
            }
            let mut b = Vec::new();
            if let Ok(used) = decode_delta_i64(&bytes, count, &mut b) {
                assert!(used <= bytes.len());
                assert_eq!(b.len(), count);
            }
        }
    }
}
