//! RLE-encoded BOOLEAN values in data pages, written from apache/parquet-format `Encodings.md`:
//!
//! ```text
//! rle-bit-packed-hybrid: <length> <encoded-data>
//! length := length of the <encoded-data> in bytes stored as 4 bytes little endian (unsigned int32)
//! ```
//!
//! with a bit width of 1; "Boolean values" in both data page v1 and v2 have the length prepended.
//! This module owns that framing; the runs are walked by `levels`. Bit-packed runs at width 1 are
//! already the bitmap's LSB-first layout, so they are copied without unpacking.

use super::cursor::Cursor;
use super::error::{RawError, RawResult};
use super::levels::{for_each_run, Run};
use crate::value::Bitmap;

/// Decodes `count` RLE booleans (4-byte length prefix, then the hybrid at bit width 1) into
/// `out`; returns the bytes consumed, `4 + length`.
///
/// An empty input is accepted when `count` is 0, consuming nothing.
pub fn decode_rle_booleans(bytes: &[u8], count: usize, out: &mut Bitmap) -> RawResult<usize> {
    if bytes.is_empty() && count == 0 {
        return Ok(0);
    }
    let mut cursor = Cursor::new(bytes);
    let length = cursor.read_u32_le("RLE BOOLEAN length prefix")? as usize;
    if length > cursor.remaining() {
        return Err(RawError::invalid(format!(
            "RLE BOOLEAN: length prefix claims {length} bytes, {} remain",
            cursor.remaining()
        )));
    }
    let body = cursor.read_bytes(length, "RLE BOOLEAN data")?;
    // The walker rejects repeated values other than 0 and 1 at bit width 1.
    for_each_run(body, 1, count, |run| {
        match run {
            Run::Repeated { value, len } => out.push_n(value == 1, len),
            Run::Packed { packed, len } => out.extend_from_lsb_bytes(packed, len),
        }
        Ok(())
    })?;
    Ok(cursor.position())
}

#[cfg(test)]
mod tests {
    use super::super::levels::testing::{encode_hybrid, XorShift};
    use super::*;

    fn booleans(bytes: &[u8], count: usize) -> RawResult<(Vec<bool>, usize)> {
        let mut out = Bitmap::new();
        let used = decode_rle_booleans(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        Ok((out.iter().collect(), used))
    }

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut bytes = (body.len() as u32).to_le_bytes().to_vec();
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn empty_input_with_count_zero() {
        assert_eq!(booleans(&[], 0).unwrap(), (vec![], 0));
        // A present, empty frame is consumed.
        assert_eq!(booleans(&[0, 0, 0, 0], 0).unwrap(), (vec![], 4));
    }

    #[test]
    fn one_value() {
        // Length 2; RLE run of 1 (0x02) of true.
        assert_eq!(
            booleans(&[2, 0, 0, 0, 0x02, 0x01], 1).unwrap(),
            (vec![true], 6)
        );
    }

    #[test]
    fn repeated_then_partial_bit_packed() {
        // RLE run of 3 trues, then a group 0b0000_0101 of which 4 are wanted.
        let bytes = framed(&[0x06, 0x01, 0x03, 0b0000_0101]);
        let (bits, used) = booleans(&bytes, 7).unwrap();
        assert_eq!(bits, vec![true, true, true, true, false, true, false]);
        assert_eq!(used, 8);
    }

    #[test]
    fn values_must_be_zero_or_one() {
        assert!(booleans(&framed(&[0x02, 0x02]), 1).is_err());
    }

    #[test]
    fn runs_must_stay_inside_the_frame() {
        // The frame holds only the header; the value byte after it is outside.
        assert!(booleans(&[1, 0, 0, 0, 0x02, 0x01], 1).is_err());
    }

    #[test]
    fn truncated_at_every_prefix() {
        let bytes = framed(&[0x06, 0x01, 0x03, 0b0000_0101]);
        for len in 0..bytes.len() {
            assert!(booleans(&bytes[..len], 7).is_err(), "prefix {len}");
        }
    }

    #[test]
    fn huge_claimed_length_fails_quickly() {
        let err = booleans(&[0xff, 0xff, 0xff, 0xff, 0x02, 0x01], 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "RLE BOOLEAN: length prefix claims 4294967295 bytes, 2 remain"
        );
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(2024);
        for round in 0..300 {
            let n = rng.below(400) as usize;
            let mut values = Vec::with_capacity(n);
            while values.len() < n {
                let v = rng.below(2) as u32;
                let limit = if rng.below(2) == 0 { 2 } else { 30 };
                let repeat = 1 + rng.below(limit) as usize;
                values.extend(std::iter::repeat_n(v, repeat.min(n - values.len())));
            }
            let bytes = framed(&encode_hybrid(&values, 1, &mut rng));
            // Start mid-word so the bitmap's unaligned path is exercised too.
            let mut out = Bitmap::new();
            out.push(true);
            let used = decode_rle_booleans(&bytes, n, &mut out).unwrap();
            assert_eq!(used, bytes.len());
            let got: Vec<bool> = out.iter().skip(1).collect();
            let expected: Vec<bool> = values.iter().map(|&v| v == 1).collect();
            assert_eq!(got, expected, "round {round}");
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(77);
        for _ in 0..4000 {
            let len = rng.below(40) as usize;
            let body = rng.bytes(len);
            let bytes = if rng.below(2) == 0 {
                framed(&body)
            } else {
                body
            };
            let count = rng.below(100) as usize;
            let mut out = Bitmap::new();
            if let Ok(used) = decode_rle_booleans(&bytes, count, &mut out) {
                assert!(used <= bytes.len());
                assert_eq!(out.len(), count);
            }
        }
    }
}
