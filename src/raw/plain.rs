//! PLAIN values of every physical type, written from apache/parquet-format `Encodings.md`:
//!
//! ```text
//!  - BOOLEAN: bit-packed, LSB first (using the same packing scheme as the
//!    RLE/bit-packing hybrid encoding)
//!  - INT32: 4 bytes little endian
//!  - INT64: 8 bytes little endian
//!  - INT96: 12 bytes little endian (deprecated)
//!  - FLOAT: 4 bytes IEEE little endian
//!  - DOUBLE: 8 bytes IEEE little endian
//!  - BYTE_ARRAY: length in 4 bytes little endian followed by the bytes contained in the array
//!  - FIXED_LEN_BYTE_ARRAY: the bytes contained in the array
//! ```
//!
//! This module owns data pages in PLAIN and dictionary pages (which are PLAIN too). Booleans take
//! `ceil(count / 8)` bytes; the bits past `count` in the last byte are ignored.

use super::cursor::Cursor;
use super::error::{RawError, RawResult};
use crate::value::{ByteArrays, Values};

/// Appends `count` PLAIN values of `out`'s physical type; returns the bytes consumed.
pub fn decode_plain(bytes: &[u8], count: usize, out: &mut Values) -> RawResult<usize> {
    match out {
        Values::Boolean(bitmap) => {
            let needed = count.div_ceil(8);
            check_fixed(bytes, count, needed, "BOOLEAN")?;
            bitmap.extend_from_lsb_bytes(&bytes[..needed], count);
            Ok(needed)
        }
        Values::Int32(v) => fixed(bytes, count, v, "INT32", i32::from_le_bytes),
        Values::Int64(v) => fixed(bytes, count, v, "INT64", i64::from_le_bytes),
        Values::Int96(v) => fixed(bytes, count, v, "INT96", |b: [u8; 12]| b),
        Values::Float(v) => fixed(bytes, count, v, "FLOAT", f32::from_le_bytes),
        Values::Double(v) => fixed(bytes, count, v, "DOUBLE", f64::from_le_bytes),
        Values::ByteArray(v) => byte_arrays(bytes, count, v),
        Values::FixedLenByteArray { width, data } => {
            if *width == 0 && count > 0 {
                return Err(RawError::invalid(
                    "PLAIN FIXED_LEN_BYTE_ARRAY: type length 0 cannot hold values",
                ));
            }
            let needed = count.saturating_mul(*width);
            check_fixed(bytes, count, needed, "FIXED_LEN_BYTE_ARRAY")?;
            data.extend_from_slice(&bytes[..needed]);
            Ok(needed)
        }
    }
}

/// Errors unless `bytes` holds the `needed` bytes of `count` fixed-size values.
fn check_fixed(bytes: &[u8], count: usize, needed: usize, type_name: &str) -> RawResult<()> {
    if needed > bytes.len() {
        return Err(RawError::invalid(format!(
            "PLAIN {type_name}: {count} values need {} bytes, {} remain",
            if needed == usize::MAX {
                "more than usize::MAX".to_string()
            } else {
                needed.to_string()
            },
            bytes.len()
        )));
    }
    Ok(())
}

fn fixed<T, const N: usize>(
    bytes: &[u8],
    count: usize,
    out: &mut Vec<T>,
    type_name: &str,
    convert: impl Fn([u8; N]) -> T,
) -> RawResult<usize> {
    let needed = count.saturating_mul(N);
    check_fixed(bytes, count, needed, type_name)?;
    out.reserve(count);
    out.extend(bytes[..needed].chunks_exact(N).map(|chunk| {
        let mut array = [0u8; N];
        array.copy_from_slice(chunk);
        convert(array)
    }));
    Ok(needed)
}

fn byte_arrays(bytes: &[u8], count: usize, out: &mut ByteArrays) -> RawResult<usize> {
    // Every value costs at least its 4-byte length, which bounds `count` before reserving.
    if count > bytes.len() / 4 {
        return Err(RawError::invalid(format!(
            "PLAIN BYTE_ARRAY: {count} values need at least {} bytes of lengths, {} remain",
            count as u128 * 4,
            bytes.len()
        )));
    }
    // First pass checks every length and sizes the data exactly; the second copies.
    let mut cursor = Cursor::new(bytes);
    let mut total = 0usize;
    for index in 0..count {
        let len = cursor.read_u32_le("PLAIN BYTE_ARRAY length")? as usize;
        if len > cursor.remaining() {
            return Err(RawError::invalid(format!(
                "PLAIN BYTE_ARRAY: value {index} claims {len} bytes, {} remain",
                cursor.remaining()
            )));
        }
        cursor.skip(len, "PLAIN BYTE_ARRAY value")?;
        total += len;
    }
    let consumed = cursor.position();
    out.reserve(count, total);
    let mut cursor = Cursor::new(bytes);
    for _ in 0..count {
        let len = cursor.read_u32_le("PLAIN BYTE_ARRAY length")? as usize;
        out.push(cursor.read_bytes(len, "PLAIN BYTE_ARRAY value")?);
    }
    Ok(consumed)
}

#[cfg(test)]
mod tests {
    use super::super::levels::testing::XorShift;
    use super::*;
    use crate::value::{Bitmap, PhysicalType};

    fn plain(
        bytes: &[u8],
        count: usize,
        physical: PhysicalType,
        width: usize,
    ) -> RawResult<(Values, usize)> {
        let mut out = Values::empty(physical, width);
        let used = decode_plain(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        Ok((out, used))
    }

    const ALL: [PhysicalType; 8] = [
        PhysicalType::Boolean,
        PhysicalType::Int32,
        PhysicalType::Int64,
        PhysicalType::Int96,
        PhysicalType::Float,
        PhysicalType::Double,
        PhysicalType::ByteArray,
        PhysicalType::FixedLenByteArray,
    ];

    #[test]
    fn empty_input_with_count_zero() {
        for physical in ALL {
            let (values, used) = plain(&[], 0, physical, 3).unwrap();
            assert!(values.is_empty());
            assert_eq!(used, 0);
        }
    }

    #[test]
    fn one_value_of_each_type() {
        // Boolean true in bit 0; the other bits are ignored.
        let (v, used) = plain(&[0b1111_1101], 1, PhysicalType::Boolean, 0).unwrap();
        assert_eq!((v, used), (Values::Boolean(Bitmap::filled(1, true)), 1));
        let (v, used) = plain(&[0xfe, 0xff, 0xff, 0xff, 9], 1, PhysicalType::Int32, 0).unwrap();
        assert_eq!((v, used), (Values::Int32(vec![-2]), 4));
        let (v, _) = plain(&i64::MIN.to_le_bytes(), 1, PhysicalType::Int64, 0).unwrap();
        assert_eq!(v, Values::Int64(vec![i64::MIN]));
        let int96: [u8; 12] = std::array::from_fn(|i| i as u8);
        let (v, used) = plain(&int96, 1, PhysicalType::Int96, 0).unwrap();
        assert_eq!((v, used), (Values::Int96(vec![int96]), 12));
        let (v, _) = plain(&1.5f32.to_le_bytes(), 1, PhysicalType::Float, 0).unwrap();
        assert_eq!(v, Values::Float(vec![1.5]));
        let (v, _) = plain(&(-0.0f64).to_le_bytes(), 1, PhysicalType::Double, 0).unwrap();
        assert!(v.same_at(0, &Values::Double(vec![-0.0]), 0));
        // BYTE_ARRAY: length 3 then "abc", then trailing bytes that are not consumed.
        let (v, used) = plain(
            &[3, 0, 0, 0, b'a', b'b', b'c', 0xee],
            1,
            PhysicalType::ByteArray,
            0,
        )
        .unwrap();
        assert_eq!(used, 7);
        assert_eq!(v.get(0), crate::value::Value::Bytes(b"abc"));
        let (v, used) = plain(b"xyz!", 1, PhysicalType::FixedLenByteArray, 3).unwrap();
        assert_eq!(used, 3);
        assert_eq!(v.get(0), crate::value::Value::Bytes(b"xyz"));
    }

    #[test]
    fn booleans_across_bytes() {
        // 10 booleans: 0b0000_0101 then 0b10 (bit 9 set).
        let (v, used) = plain(&[0b0000_0101, 0b0000_0010], 10, PhysicalType::Boolean, 0).unwrap();
        assert_eq!(used, 2);
        let Values::Boolean(bits) = v else {
            unreachable!()
        };
        let got: Vec<bool> = bits.iter().collect();
        let mut expected = vec![false; 10];
        expected[0] = true;
        expected[2] = true;
        expected[9] = true;
        assert_eq!(got, expected);
    }

    #[test]
    fn empty_byte_arrays() {
        let (v, used) = plain(&[0; 8], 2, PhysicalType::ByteArray, 0).unwrap();
        assert_eq!(used, 8);
        assert_eq!(v.get(1), crate::value::Value::Bytes(b""));
    }

    #[test]
    fn truncated_at_every_prefix() {
        let cases: [(PhysicalType, usize, Vec<u8>); 8] = [
            (PhysicalType::Boolean, 9, vec![0xff, 0x01]),
            (PhysicalType::Int32, 2, vec![1; 8]),
            (PhysicalType::Int64, 2, vec![1; 16]),
            (PhysicalType::Int96, 2, vec![1; 24]),
            (PhysicalType::Float, 2, vec![1; 8]),
            (PhysicalType::Double, 2, vec![1; 16]),
            (
                PhysicalType::ByteArray,
                2,
                vec![2, 0, 0, 0, b'h', b'i', 1, 0, 0, 0, b'!'],
            ),
            (PhysicalType::FixedLenByteArray, 2, vec![7; 10]),
        ];
        for (physical, count, bytes) in cases {
            let (_, used) = plain(&bytes, count, physical, 5).unwrap();
            assert_eq!(used, bytes.len(), "{physical}");
            for len in 0..bytes.len() {
                assert!(
                    plain(&bytes[..len], count, physical, 5).is_err(),
                    "{physical} {len}"
                );
            }
        }
    }

    #[test]
    fn huge_claims_fail_quickly() {
        // A count far beyond the input, for every type: refused before reserving.
        for physical in ALL {
            assert!(plain(&[0; 16], usize::MAX / 2, physical, 1 << 40).is_err());
        }
        // Value 0 is empty; value 1 claims 4 GiB - 1.
        let mut bytes = vec![0; 4];
        bytes.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
        bytes.extend_from_slice(&[0; 12]);
        let err = plain(&bytes, 2, PhysicalType::ByteArray, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PLAIN BYTE_ARRAY: value 1 claims 4294967295 bytes, 12 remain"
        );
        // Width zero cannot hold values.
        assert!(plain(&[], 3, PhysicalType::FixedLenByteArray, 0).is_err());
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(7);
        for round in 0..300 {
            let n = rng.below(100) as usize;
            let physical = ALL[round % ALL.len()];
            let width = 1 + rng.below(20) as usize;
            let mut expected = Values::empty(physical, width);
            let mut bytes = Vec::new();
            match &mut expected {
                Values::Boolean(bits) => {
                    let raw = rng.bytes(n.div_ceil(8));
                    bits.extend_from_lsb_bytes(&raw, n);
                    bytes = raw;
                }
                Values::Int32(v) => (0..n).for_each(|_| {
                    let x = rng.next_u64() as i32;
                    v.push(x);
                    bytes.extend_from_slice(&x.to_le_bytes());
                }),
                Values::Int64(v) => (0..n).for_each(|_| {
                    let x = rng.next_u64() as i64;
                    v.push(x);
                    bytes.extend_from_slice(&x.to_le_bytes());
                }),
                Values::Int96(v) => (0..n).for_each(|_| {
                    let raw = rng.bytes(12);
                    let mut x = [0u8; 12];
                    x.copy_from_slice(&raw);
                    v.push(x);
                    bytes.extend_from_slice(&x);
                }),
                Values::Float(v) => (0..n).for_each(|_| {
                    let x = f32::from_bits(rng.next_u64() as u32);
                    v.push(x);
                    bytes.extend_from_slice(&x.to_le_bytes());
                }),
                Values::Double(v) => (0..n).for_each(|_| {
                    let x = f64::from_bits(rng.next_u64());
                    v.push(x);
                    bytes.extend_from_slice(&x.to_le_bytes());
                }),
                Values::ByteArray(v) => (0..n).for_each(|_| {
                    let len = rng.below(12) as usize;
                    let raw = rng.bytes(len);
                    v.push(&raw);
                    bytes.extend_from_slice(&(len as u32).to_le_bytes());
                    bytes.extend_from_slice(&raw);
                }),
                Values::FixedLenByteArray { data, .. } => {
                    let raw = rng.bytes(n * width);
                    data.extend_from_slice(&raw);
                    bytes = raw;
                }
            }
            let (got, used) = plain(&bytes, n, physical, width).unwrap();
            assert_eq!(used, bytes.len());
            assert_eq!(got.len(), expected.len());
            assert!(
                (0..n).all(|i| got.same_at(i, &expected, i)),
                "round {round}"
            );
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(1234);
        for round in 0..4000 {
            let len = rng.below(80) as usize;
            let bytes = rng.bytes(len);
            let count = rng.below(40) as usize;
            let physical = ALL[round % ALL.len()];
            let mut out = Values::empty(physical, rng.below(6) as usize);
            if let Ok(used) = decode_plain(&bytes, count, &mut out) {
                assert!(used <= bytes.len());
                assert_eq!(out.len(), count);
            }
        }
    }
}
