//! DELTA_BYTE_ARRAY (incremental or front compression), written from apache/parquet-format
//! `Encodings.md`:
//!
//! ```text
//! <Delta Encoded Prefix Lengths> <Suffixes as DELTA_LENGTH_BYTE_ARRAY>
//! ```
//!
//! "This is stored as a sequence of delta-encoded prefix lengths (DELTA_BINARY_PACKED), followed
//! by the suffixes encoded as delta length byte arrays (DELTA_LENGTH_BYTE_ARRAY)", each value
//! being the first `prefix length` bytes of the previous value followed by its suffix. "Note
//! that, even for FIXED_LEN_BYTE_ARRAY, all lengths are encoded despite the redundancy."
//!
//! This module owns rebuilding the values. The first value's "previous value" is empty, so its
//! prefix length must be 0; a prefix longer than the previous value, a negative prefix, or (for
//! FIXED_LEN_BYTE_ARRAY) a rebuilt value that is not exactly `width` bytes, is an error.

use super::delta_binary_packed::decode_delta_i32;
use super::delta_length_byte_array;
use super::error::{RawError, RawResult};
use crate::value::{ByteArrays, Values};

/// Pre-reserving beyond this multiple of the input size is left to growth as values are built,
/// because prefixes let a small page rebuild far more bytes than it holds.
const RESERVE_FACTOR: usize = 64;

/// Appends `count` values to `out` (BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY); returns the bytes
/// consumed (prefix lengths, suffix lengths and suffix data).
pub fn decode(bytes: &[u8], count: usize, out: &mut Values) -> RawResult<usize> {
    let width = match out {
        Values::ByteArray(_) => None,
        Values::FixedLenByteArray { width, .. } => Some(*width),
        other => {
            return Err(RawError::invalid(format!(
                "DELTA_BYTE_ARRAY does not apply to {} values",
                other.physical_type()
            )))
        }
    };
    if width == Some(0) && count > 0 {
        return Err(RawError::invalid(
            "DELTA_BYTE_ARRAY FIXED_LEN_BYTE_ARRAY: type length 0 cannot hold values",
        ));
    }
    if bytes.is_empty() && count == 0 {
        return Ok(0);
    }
    let mut prefixes = Vec::new();
    let prefixes_end = decode_delta_i32(bytes, count, &mut prefixes)?;
    let mut suffixes = ByteArrays::new();
    let suffixes_len =
        delta_length_byte_array::decode(&bytes[prefixes_end..], count, &mut suffixes)?;

    // Check every prefix and size the output before building anything.
    let mut previous_len = 0usize;
    let mut total = 0usize;
    for (index, (&prefix, suffix)) in prefixes.iter().zip(suffixes.iter()).enumerate() {
        let Ok(prefix) = usize::try_from(prefix) else {
            return Err(RawError::invalid(format!(
                "DELTA_BYTE_ARRAY: value {index} has negative prefix length {prefix}"
            )));
        };
        if prefix > previous_len {
            return Err(RawError::invalid(format!(
                "DELTA_BYTE_ARRAY: value {index} takes a prefix of {prefix} bytes from a \
                 previous value of {previous_len} bytes"
            )));
        }
        let len = prefix + suffix.len();
        if let Some(width) = width {
            if len != width {
                return Err(RawError::invalid(format!(
                    "DELTA_BYTE_ARRAY: value {index} is {len} bytes (prefix {prefix} + suffix {}), \
                     FIXED_LEN_BYTE_ARRAY width is {width}",
                    suffix.len()
                )));
            }
        }
        total = total.checked_add(len).ok_or_else(|| {
            RawError::invalid(format!(
                "DELTA_BYTE_ARRAY: values up to {index} add up past usize::MAX bytes"
            ))
        })?;
        previous_len = len;
    }
    let reserve = total.min(bytes.len().saturating_mul(RESERVE_FACTOR));

    // `previous` holds the last value built, the source of the next prefix.
    let mut previous: Vec<u8> = Vec::new();
    match out {
        Values::ByteArray(arrays) => {
            arrays.reserve(count, reserve);
            for (&prefix, suffix) in prefixes.iter().zip(suffixes.iter()) {
                previous.truncate(prefix as usize);
                previous.extend_from_slice(suffix);
                arrays.push(&previous);
            }
        }
        Values::FixedLenByteArray { data, .. } => {
            data.reserve(reserve);
            for (&prefix, suffix) in prefixes.iter().zip(suffixes.iter()) {
                previous.truncate(prefix as usize);
                previous.extend_from_slice(suffix);
                data.extend_from_slice(&previous);
            }
        }
        _ => unreachable!("the physical type was matched above"),
    }
    Ok(prefixes_end + suffixes_len)
}

#[cfg(test)]
mod tests {
    use super::super::delta_binary_packed::testing::{encode_delta, Layout};
    use super::super::levels::testing::XorShift;
    use super::*;
    use crate::value::{PhysicalType, Value};

    fn strings(bytes: &[u8], count: usize) -> RawResult<(Vec<Vec<u8>>, usize)> {
        let mut out = Values::empty(PhysicalType::ByteArray, 0);
        let used = decode(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        let Values::ByteArray(arrays) = out else {
            unreachable!()
        };
        Ok((arrays.iter().map(<[u8]>::to_vec).collect(), used))
    }

    fn fixed(bytes: &[u8], count: usize, width: usize) -> RawResult<(Vec<u8>, usize)> {
        let mut out = Values::empty(PhysicalType::FixedLenByteArray, width);
        let used = decode(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        let Values::FixedLenByteArray { data, .. } = out else {
            unreachable!()
        };
        Ok((data, used))
    }

    /// Test-only writer: prefix lengths shared with the previous value, then the suffixes.
    fn encode(values: &[&[u8]], rng: &mut XorShift) -> Vec<u8> {
        let mut prefixes = Vec::new();
        let mut suffixes: Vec<&[u8]> = Vec::new();
        let mut previous: &[u8] = &[];
        for &value in values {
            let shared = previous
                .iter()
                .zip(value)
                .take_while(|(a, b)| a == b)
                .count();
            prefixes.push(shared as i64);
            suffixes.push(&value[shared..]);
            previous = value;
        }
        let layout = |rng: &mut XorShift| Layout {
            junk: rng.below(2) == 0,
            ..Layout::standard(32)
        };
        let l = layout(rng);
        let mut out = encode_delta(&prefixes, l, rng);
        let lengths: Vec<i64> = suffixes.iter().map(|s| s.len() as i64).collect();
        let l = layout(rng);
        out.extend(encode_delta(&lengths, l, rng));
        for s in suffixes {
            out.extend_from_slice(s);
        }
        out
    }

    #[test]
    fn empty_input_with_count_zero() {
        assert_eq!(strings(&[], 0).unwrap(), (vec![], 0));
        assert_eq!(fixed(&[], 0, 4).unwrap(), (vec![], 0));
    }

    #[test]
    fn one_value() {
        // Prefixes: 1 value, 0. Suffix lengths: 1 value, 2 (zigzag 4). Data "hi".
        let bytes = [
            0x80, 0x01, 0x04, 0x01, 0x00, 0x80, 0x01, 0x04, 0x01, 0x04, b'h', b'i',
        ];
        assert_eq!(strings(&bytes, 1).unwrap(), (vec![b"hi".to_vec()], 12));
    }

    #[test]
    fn spec_example() {
        // "axis", "axle", "babble", "babyhood": prefixes 0,2,0,3; suffix lengths 4,2,6,5.
        // Prefixes: first 0; deltas 2,-2,3 with min delta -2 (zigzag 3): relative 4,0,5 at
        // width 3 = 0b101_000_100 -> bytes 0x44, 0x01, then padding to 32 values * 3 bits = 12.
        let mut bytes = vec![0x80, 0x01, 0x04, 0x04, 0x00, 0x03, 3, 0, 0, 0, 0x44, 0x01];
        bytes.extend_from_slice(&[0; 10]);
        // Suffix lengths: first 4 (zigzag 8); deltas -2,4,-1, min -2 (zigzag 3): relative 0,6,1
        // at width 3 = 0b001_110_000 -> 0x70, 0x00, padding.
        bytes.extend_from_slice(&[0x80, 0x01, 0x04, 0x04, 0x08, 0x03, 3, 0, 0, 0, 0x70, 0x00]);
        bytes.extend_from_slice(&[0; 10]);
        bytes.extend_from_slice(b"axislebabbleyhood");
        let (values, used) = strings(&bytes, 4).unwrap();
        assert_eq!(values, vec![&b"axis"[..], b"axle", b"babble", b"babyhood"]);
        assert_eq!(used, bytes.len());
    }

    #[test]
    fn empty_strings_and_shared_prefixes() {
        let mut rng = XorShift::new(21);
        let values: [&[u8]; 7] = [b"", b"", b"abc", b"abcd", b"ab", b"", b"abc"];
        let bytes = encode(&values, &mut rng);
        let (got, used) = strings(&bytes, values.len()).unwrap();
        assert_eq!(got, values.iter().map(|v| v.to_vec()).collect::<Vec<_>>());
        assert_eq!(used, bytes.len());
    }

    #[test]
    fn fixed_len_values_must_have_the_width() {
        let mut rng = XorShift::new(22);
        let values: [&[u8]; 3] = [b"aaaa", b"aabb", b"zzzz"];
        let bytes = encode(&values, &mut rng);
        assert_eq!(
            fixed(&bytes, 3, 4).unwrap(),
            (b"aaaaaabbzzzz".to_vec(), bytes.len())
        );
        assert!(fixed(&bytes, 3, 5).is_err());
        let bytes = encode(&[b"aaaa", b"aab"], &mut rng);
        assert!(fixed(&bytes, 2, 4)
            .unwrap_err()
            .to_string()
            .contains("value 1 is 3 bytes"));
    }

    #[test]
    fn prefix_longer_than_previous_is_rejected() {
        let mut rng = XorShift::new(23);
        // Prefixes 0, 5 after a 3-byte value; suffixes "abc", "d".
        let mut bytes = encode_delta(&[0, 5], Layout::standard(32), &mut rng);
        bytes.extend(encode_delta(&[3, 1], Layout::standard(32), &mut rng));
        bytes.extend_from_slice(b"abcd");
        let err = strings(&bytes, 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "DELTA_BYTE_ARRAY: value 1 takes a prefix of 5 bytes from a previous value of 3 bytes"
        );
        // A first value cannot take a prefix at all; negative prefixes are rejected.
        let mut bytes = encode_delta(&[1], Layout::standard(32), &mut rng);
        bytes.extend(encode_delta(&[0], Layout::standard(32), &mut rng));
        assert!(strings(&bytes, 1).is_err());
        let mut bytes = encode_delta(&[-1], Layout::standard(32), &mut rng);
        bytes.extend(encode_delta(&[0], Layout::standard(32), &mut rng));
        assert!(strings(&bytes, 1)
            .unwrap_err()
            .to_string()
            .contains("negative prefix"));
    }

    #[test]
    fn other_types_are_rejected() {
        let mut out = Values::empty(PhysicalType::Int32, 0);
        assert!(decode(&[], 0, &mut out).is_err());
    }

    #[test]
    fn truncated_at_every_prefix() {
        let mut rng = XorShift::new(24);
        let bytes = encode(&[b"axis", b"axle", b"babble"], &mut rng);
        for len in 0..bytes.len() {
            assert!(strings(&bytes[..len], 3).is_err(), "prefix {len}");
        }
    }

    #[test]
    fn huge_claims_fail_quickly() {
        let mut rng = XorShift::new(25);
        // Suffix length 2^31 - 1 with 3 bytes of data.
        let mut bytes = encode_delta(&[0], Layout::standard(32), &mut rng);
        bytes.extend(encode_delta(
            &[i64::from(i32::MAX)],
            Layout::standard(32),
            &mut rng,
        ));
        bytes.extend_from_slice(b"abc");
        assert!(strings(&bytes, 1).is_err());
        // Prefix lengths claiming 2^40 values.
        let mut bytes = vec![0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00];
        bytes.extend_from_slice(&[0; 8]);
        assert!(strings(&bytes, 5).is_err());
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(0xdba);
        for round in 0..200 {
            let n = rng.below(300) as usize;
            let width = 1 + rng.below(6) as usize;
            let fixed_len = round % 2 == 1;
            // Values from a small alphabet so prefixes are often shared.
            let mut owned: Vec<Vec<u8>> = (0..n)
                .map(|_| {
                    let len = if fixed_len {
                        width
                    } else {
                        rng.below(8) as usize
                    };
                    (0..len).map(|_| b'a' + rng.below(3) as u8).collect()
                })
                .collect();
            owned.sort();
            let values: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
            let mut bytes = encode(&values, &mut rng);
            let end = bytes.len();
            bytes.push(0xee);
            if fixed_len {
                let (data, used) = fixed(&bytes, n, width).unwrap();
                assert_eq!((data, used), (owned.concat(), end), "round {round}");
            } else {
                let mut out = Values::empty(PhysicalType::ByteArray, 0);
                assert_eq!(decode(&bytes, n, &mut out).unwrap(), end);
                for (i, v) in owned.iter().enumerate() {
                    assert_eq!(out.get(i), Value::Bytes(v), "round {round}");
                }
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(26);
        for round in 0..4000 {
            let len = rng.below(120) as usize;
            let mut bytes = rng.bytes(len);
            if rng.below(2) == 0 && len > 4 {
                bytes[..3].copy_from_slice(&[0x80, 0x01, 0x04]);
                bytes[3] &= 0x1f;
            }
            let count = rng.below(40) as usize;
            let mut out = if round % 2 == 0 {
                Values::empty(PhysicalType::ByteArray, 0)
            } else {
                Values::empty(PhysicalType::FixedLenByteArray, rng.below(4) as usize)
            };
            if let Ok(used) = decode(&bytes, count, &mut out) {
                assert!(used <= bytes.len());
                assert_eq!(out.len(), count);
            }
        }
    }
}
