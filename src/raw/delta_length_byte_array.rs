//! DELTA_LENGTH_BYTE_ARRAY, written from apache/parquet-format `Encodings.md`:
//!
//! ```text
//! <Delta Encoded Lengths> <Byte Array Data>
//! ```
//!
//! "we will take all the byte array lengths and encode them using delta encoding
//! (DELTA_BINARY_PACKED). The byte array data follows all of the length data just concatenated
//! back to back."
//!
//! This module owns splitting the data by the lengths; the lengths stream, and where it ends, are
//! `delta_binary_packed`'s. Lengths are decoded as INT32 (a byte array length is a 32-bit int);
//! a negative length, or lengths that add up past the data, are errors. Bytes after the last
//! value are left for the caller.

use super::delta_binary_packed::decode_delta_i32;
use super::error::{RawError, RawResult};
use crate::value::ByteArrays;

/// Appends `count` byte arrays; returns the bytes consumed (the lengths stream plus their data).
pub fn decode(bytes: &[u8], count: usize, out: &mut ByteArrays) -> RawResult<usize> {
    let mut lengths = Vec::new();
    let lengths_end = decode_delta_i32(bytes, count, &mut lengths)?;
    let data = &bytes[lengths_end..];
    // Check every length before reserving, so a claimed size is never allocated unchecked.
    let mut total = 0usize;
    for (index, &length) in lengths.iter().enumerate() {
        let Ok(length) = usize::try_from(length) else {
            return Err(RawError::invalid(format!(
                "DELTA_LENGTH_BYTE_ARRAY: value {index} has negative length {length}"
            )));
        };
        let remain = data.len() - total;
        if length > remain {
            return Err(RawError::invalid(format!(
                "DELTA_LENGTH_BYTE_ARRAY: value {index} claims {length} bytes, {remain} remain"
            )));
        }
        total += length;
    }
    out.reserve(count, total);
    let mut at = 0;
    for &length in &lengths {
        // Every length was checked non-negative and in bounds above.
        let length = length as usize;
        out.push(&data[at..at + length]);
        at += length;
    }
    Ok(lengths_end + total)
}

#[cfg(test)]
mod tests {
    use super::super::delta_binary_packed::testing::{encode_delta, Layout};
    use super::super::levels::testing::XorShift;
    use super::*;

    fn arrays(bytes: &[u8], count: usize) -> RawResult<(Vec<Vec<u8>>, usize)> {
        let mut out = ByteArrays::new();
        let used = decode(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        Ok((out.iter().map(<[u8]>::to_vec).collect(), used))
    }

    /// Test-only writer: DELTA_BINARY_PACKED lengths, then the data.
    fn encode(values: &[&[u8]], rng: &mut XorShift) -> Vec<u8> {
        let lengths: Vec<i64> = values.iter().map(|v| v.len() as i64).collect();
        let layout = Layout {
            junk: rng.below(2) == 0,
            ..Layout::standard(32)
        };
        let mut out = encode_delta(&lengths, layout, rng);
        for v in values {
            out.extend_from_slice(v);
        }
        out
    }

    #[test]
    fn empty_input_with_count_zero() {
        assert_eq!(arrays(&[], 0).unwrap(), (vec![], 0));
    }

    #[test]
    fn one_value() {
        // Lengths: block 128, 4 miniblocks, 1 value, first value 3 (zigzag 6); then "abc".
        let bytes = [0x80, 0x01, 0x04, 0x01, 0x06, b'a', b'b', b'c', b'!'];
        assert_eq!(arrays(&bytes, 1).unwrap(), (vec![b"abc".to_vec()], 8));
    }

    #[test]
    fn spec_example() {
        // "Hello", "World", "Foobar", "ABCDEF": lengths 5,5,6,6 = first 5, deltas 0,1,0.
        // Block: min delta 0, widths 1,0,0,0, body 4 bytes with relative deltas 0,1,0 = 0b010.
        let mut bytes = vec![
            0x80, 0x01, 0x04, 0x04, 0x0a, 0x00, 1, 0, 0, 0, 0b010, 0, 0, 0,
        ];
        bytes.extend_from_slice(b"HelloWorldFoobarABCDEF");
        let (values, used) = arrays(&bytes, 4).unwrap();
        assert_eq!(values, vec![&b"Hello"[..], b"World", b"Foobar", b"ABCDEF"]);
        assert_eq!(used, bytes.len());
    }

    #[test]
    fn empty_strings() {
        let mut rng = XorShift::new(3);
        let bytes = encode(&[b"", b"x", b"", b""], &mut rng);
        let (values, used) = arrays(&bytes, 4).unwrap();
        assert_eq!(values, vec![&b""[..], b"x", b"", b""]);
        assert_eq!(used, bytes.len());
    }

    #[test]
    fn negative_length_is_rejected() {
        // One value of length -1 (zigzag 1).
        let err = arrays(&[0x80, 0x01, 0x04, 0x01, 0x01], 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "DELTA_LENGTH_BYTE_ARRAY: value 0 has negative length -1"
        );
    }

    #[test]
    fn huge_claimed_length_fails_quickly() {
        // Lengths 2 and 2^31 - 1 (zigzag 4, then a min delta that jumps there).
        let mut rng = XorShift::new(9);
        let mut bytes = encode_delta(&[2, i64::from(i32::MAX)], Layout::standard(32), &mut rng);
        bytes.extend_from_slice(b"hi and some more");
        let err = arrays(&bytes, 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "DELTA_LENGTH_BYTE_ARRAY: value 1 claims 2147483647 bytes, 14 remain"
        );
    }

    #[test]
    fn truncated_at_every_prefix() {
        let mut rng = XorShift::new(4);
        let bytes = encode(&[b"one", b"two", b"three"], &mut rng);
        for len in 0..bytes.len() {
            assert!(arrays(&bytes[..len], 3).is_err(), "prefix {len}");
        }
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(0xd1ba);
        for round in 0..200 {
            let n = rng.below(400) as usize;
            let owned: Vec<Vec<u8>> = (0..n)
                .map(|_| {
                    let limit = if rng.below(4) == 0 { 100 } else { 6 };
                    let len = rng.below(limit) as usize;
                    rng.bytes(len)
                })
                .collect();
            let values: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
            let mut bytes = encode(&values, &mut rng);
            let end = bytes.len();
            bytes.extend_from_slice(&[0x5a; 3]);
            assert_eq!(arrays(&bytes, n).unwrap(), (owned, end), "round {round}");
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(8);
        for _ in 0..4000 {
            let len = rng.below(100) as usize;
            let mut bytes = rng.bytes(len);
            if rng.below(2) == 0 && len > 4 {
                bytes[..3].copy_from_slice(&[0x80, 0x01, 0x04]);
                bytes[3] &= 0x3f;
            }
            let count = rng.below(60) as usize;
            let mut out = ByteArrays::new();
            if let Ok(used) = decode(&bytes, count, &mut out) {
                assert!(used <= bytes.len());
                assert_eq!(out.len(), count);
            }
        }
    }
}
