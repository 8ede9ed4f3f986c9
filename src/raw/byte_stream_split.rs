//! BYTE_STREAM_SPLIT, written from apache/parquet-format `Encodings.md`:
//!
//! ```text
//! This encoding creates K byte-streams of length N where K is the size in bytes of the data
//! type and N is the number of elements in the data sequence.
//! The bytes of each value are scattered to the corresponding streams. The 0-th byte goes to the
//! 0-th stream, the 1-st byte goes to the 1-st stream and so on.
//! The streams are concatenated in the following order: 0-th stream, 1-st stream, etc.
//! The total length of encoded streams is K * N bytes. Because it does not have any metadata
//! to indicate the total length, the end of the streams is also the end of data page. No padding
//! is allowed inside the data page.
//! ```
//!
//! This module owns FLOAT (K = 4), DOUBLE (8), INT32 (4), INT64 (8) and
//! FIXED_LEN_BYTE_ARRAY (K = type length).
//!
//! The stream length rule: since the page carries no count, `bytes` must be the whole encoded
//! page body, and the stream length N is `bytes.len() / K`. `bytes.len()` must be a multiple of
//! K (no padding is allowed) and N at least `count`; the first `count` bytes of each stream are
//! decoded. N above `count` is accepted because a caller may ask for fewer values than the page
//! holds; the streams are still split at N, never at `count`. The whole body is consumed.

use super::error::{RawError, RawResult};
use crate::value::Values;

/// Appends `count` values of `out`'s type from a whole BYTE_STREAM_SPLIT page body; returns the
/// bytes consumed, which is all of `bytes`.
pub fn decode(bytes: &[u8], count: usize, out: &mut Values) -> RawResult<usize> {
    let physical = out.physical_type();
    let width = match out {
        Values::Float(_) | Values::Int32(_) => 4,
        Values::Double(_) | Values::Int64(_) => 8,
        Values::FixedLenByteArray { width, .. } => *width,
        _ => {
            return Err(RawError::invalid(format!(
                "BYTE_STREAM_SPLIT does not apply to {physical} values"
            )))
        }
    };
    if width == 0 {
        if count == 0 && bytes.is_empty() {
            return Ok(0);
        }
        return Err(RawError::invalid(
            "BYTE_STREAM_SPLIT FIXED_LEN_BYTE_ARRAY: type length 0 cannot hold values",
        ));
    }
    if !bytes.len().is_multiple_of(width) {
        return Err(RawError::invalid(format!(
            "BYTE_STREAM_SPLIT {physical}: {} bytes is not a whole number of {width}-byte values",
            bytes.len()
        )));
    }
    let stream_len = bytes.len() / width;
    if count > stream_len {
        return Err(RawError::invalid(format!(
            "BYTE_STREAM_SPLIT {physical}: {count} values wanted, {} bytes hold {stream_len}",
            bytes.len()
        )));
    }
    // Gather into value order first: `count * width` bytes, within the input's size.
    let mut gathered = vec![0u8; count * width];
    for (k, stream) in bytes
        .chunks_exact(stream_len.max(1))
        .take(width)
        .enumerate()
    {
        for (i, &byte) in stream[..count].iter().enumerate() {
            gathered[i * width + k] = byte;
        }
    }
    match out {
        Values::Float(v) => v.extend(
            gathered
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(array(c))),
        ),
        Values::Int32(v) => v.extend(
            gathered
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes(array(c))),
        ),
        Values::Double(v) => v.extend(
            gathered
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(array(c))),
        ),
        Values::Int64(v) => v.extend(
            gathered
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(array(c))),
        ),
        Values::FixedLenByteArray { data, .. } => data.extend_from_slice(&gathered),
        _ => unreachable!("the physical type was matched above"),
    }
    Ok(bytes.len())
}

/// A chunk of `chunks_exact(N)` as an array.
fn array<const N: usize>(chunk: &[u8]) -> [u8; N] {
    let mut array = [0u8; N];
    array.copy_from_slice(chunk);
    array
}

#[cfg(test)]
mod tests {
    use super::super::levels::testing::XorShift;
    use super::*;
    use crate::value::PhysicalType;

    /// Test-only writer: byte `k` of value `i` goes to stream `k` at position `i`.
    fn encode(values: &[u8], width: usize) -> Vec<u8> {
        let n = values.len() / width;
        let mut out = vec![0u8; values.len()];
        for i in 0..n {
            for k in 0..width {
                out[k * n + i] = values[i * width + k];
            }
        }
        out
    }

    fn split(
        bytes: &[u8],
        count: usize,
        physical: PhysicalType,
        width: usize,
    ) -> RawResult<Values> {
        let mut out = Values::empty(physical, width);
        assert_eq!(decode(bytes, count, &mut out)?, bytes.len());
        assert_eq!(out.len(), count);
        Ok(out)
    }

    #[test]
    fn empty_input_with_count_zero() {
        for physical in [
            PhysicalType::Float,
            PhysicalType::Double,
            PhysicalType::Int32,
            PhysicalType::Int64,
            PhysicalType::FixedLenByteArray,
        ] {
            assert!(split(&[], 0, physical, 3).unwrap().is_empty());
        }
    }

    #[test]
    fn spec_example_floats() {
        // Elements AA BB CC DD, 00 11 22 33, A3 B4 C5 D6 become AA 00 A3 BB 11 B4 CC 22 C5 DD 33 D6.
        let bytes = [
            0xaa, 0x00, 0xa3, 0xbb, 0x11, 0xb4, 0xcc, 0x22, 0xc5, 0xdd, 0x33, 0xd6,
        ];
        let out = split(&bytes, 3, PhysicalType::Float, 0).unwrap();
        let expected = [0xddcc_bbaau32, 0x3322_1100, 0xd6c5_b4a3].map(f32::from_bits);
        assert!((0..3).all(|i| out.same_at(i, &Values::Float(expected.to_vec()), i)));
        let out = split(&bytes, 3, PhysicalType::Int32, 0).unwrap();
        assert_eq!(
            out,
            Values::Int32(vec![
                0xddcc_bbaau32 as i32,
                0x3322_1100,
                0xd6c5_b4a3u32 as i32
            ])
        );
    }

    #[test]
    fn one_value_of_each_type() {
        // With one value each stream is one byte, so the body is the value itself.
        let out = split(&(-2i64).to_le_bytes(), 1, PhysicalType::Int64, 0).unwrap();
        assert_eq!(out, Values::Int64(vec![-2]));
        let out = split(&2.5f64.to_le_bytes(), 1, PhysicalType::Double, 0).unwrap();
        assert_eq!(out, Values::Double(vec![2.5]));
        let out = split(b"xyz", 1, PhysicalType::FixedLenByteArray, 3).unwrap();
        assert_eq!(
            out,
            Values::FixedLenByteArray {
                width: 3,
                data: b"xyz".to_vec()
            }
        );
    }

    #[test]
    fn fixed_len_two_values() {
        // "abc", "xyz" in 3 streams: "ax", "by", "cz".
        let out = split(b"axbycz", 2, PhysicalType::FixedLenByteArray, 3).unwrap();
        assert_eq!(
            out,
            Values::FixedLenByteArray {
                width: 3,
                data: b"abcxyz".to_vec()
            }
        );
    }

    #[test]
    fn fewer_values_than_the_page_holds() {
        // Page of 3 INT32 (streams of 3), 2 wanted: streams still split every 3 bytes.
        let values: Vec<u8> = [1i32, 2, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let out = split(&encode(&values, 4), 2, PhysicalType::Int32, 0).unwrap();
        assert_eq!(out, Values::Int32(vec![1, 2]));
    }

    #[test]
    fn bad_sizes_are_rejected() {
        // 13 bytes is not whole FLOATs; 8 bytes hold 2 FLOATs, not 3; width 0; BYTE_ARRAY.
        assert!(split(&[0; 13], 3, PhysicalType::Float, 0).is_err());
        let err = split(&[0; 8], 3, PhysicalType::Float, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "BYTE_STREAM_SPLIT FLOAT: 3 values wanted, 8 bytes hold 2"
        );
        assert!(split(&[0; 4], 1, PhysicalType::FixedLenByteArray, 0).is_err());
        assert!(split(&[0; 4], 1, PhysicalType::ByteArray, 0).is_err());
        assert!(split(&[0; 4], 1, PhysicalType::Boolean, 0).is_err());
    }

    #[test]
    fn truncated_at_every_prefix() {
        let bytes = [7u8; 24];
        for len in 0..bytes.len() {
            assert!(
                split(&bytes[..len], 3, PhysicalType::Double, 0).is_err(),
                "prefix {len}"
            );
        }
    }

    #[test]
    fn huge_count_fails_quickly() {
        assert!(split(&[0; 16], usize::MAX, PhysicalType::Int64, 0).is_err());
        assert!(split(
            &[0; 16],
            usize::MAX / 2,
            PhysicalType::FixedLenByteArray,
            1 << 40
        )
        .is_err());
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(0xb55);
        let types = [
            (PhysicalType::Float, 4),
            (PhysicalType::Double, 8),
            (PhysicalType::Int32, 4),
            (PhysicalType::Int64, 8),
            (PhysicalType::FixedLenByteArray, 0),
        ];
        for round in 0..300 {
            let (physical, fixed_width) = types[round % types.len()];
            let width = if fixed_width == 0 {
                1 + rng.below(17) as usize
            } else {
                fixed_width
            };
            let n = rng.below(200) as usize;
            let raw = rng.bytes(n * width);
            let out = split(&encode(&raw, width), n, physical, width).unwrap();
            let mut expected = Values::empty(physical, width);
            super::super::plain::decode_plain(&raw, n, &mut expected).unwrap();
            assert!(
                (0..n).all(|i| out.same_at(i, &expected, i)),
                "round {round}"
            );
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(66);
        let types = [
            PhysicalType::Float,
            PhysicalType::Double,
            PhysicalType::Int32,
            PhysicalType::Int64,
            PhysicalType::FixedLenByteArray,
            PhysicalType::ByteArray,
        ];
        for round in 0..4000 {
            let len = rng.below(70) as usize;
            let bytes = rng.bytes(len);
            let count = rng.below(20) as usize;
            let mut out = Values::empty(types[round % types.len()], rng.below(5) as usize);
            if let Ok(used) = decode(&bytes, count, &mut out) {
                assert_eq!(used, bytes.len());
                assert_eq!(out.len(), count);
            }
        }
    }
}
