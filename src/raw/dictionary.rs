//! Dictionary-encoded data pages (RLE_DICTIONARY, and the deprecated PLAIN_DICTIONARY), written
//! from apache/parquet-format `Encodings.md`:
//!
//! ```text
//! Data page format: the bit width used to encode the entry ids stored as 1 byte (max bit width = 32),
//! followed by the values encoded using the RLE/Bit-Packing described above (with the given bit width).
//! ```
//!
//! This module owns reading the indices and checking them against the dictionary size; the
//! dictionary page itself is PLAIN (see `plain`), and the hybrid lives in `levels`.

use super::error::{RawError, RawResult};
use super::levels::decode_rle_hybrid;

/// Decodes `count` dictionary indices of a data page body: one bit-width byte, then the hybrid.
///
/// An empty body is accepted when `count` is 0, since there is nothing for the width to describe.
pub fn decode_indices(bytes: &[u8], count: usize, out: &mut Vec<u32>) -> RawResult<()> {
    let Some((&bit_width, body)) = bytes.split_first() else {
        if count == 0 {
            return Ok(());
        }
        return Err(RawError::Truncated {
            what: "dictionary indices bit width",
            needed: 1,
            available: 0,
        });
    };
    if bit_width > 32 {
        return Err(RawError::invalid(format!(
            "dictionary indices: bit width {bit_width} exceeds 32"
        )));
    }
    decode_rle_hybrid(body, bit_width, count, out)
}

/// Errors on the first index that does not name an entry of a dictionary of `dictionary_len`.
pub fn check_indices(indices: &[u32], dictionary_len: usize) -> RawResult<()> {
    match indices.iter().find(|&&i| i as usize >= dictionary_len) {
        None => Ok(()),
        Some(index) => Err(RawError::invalid(format!(
            "dictionary index {index} out of range (dictionary has {dictionary_len} entries)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::levels::testing::{encode_hybrid, random_value, XorShift};
    use super::*;

    fn indices(bytes: &[u8], count: usize) -> RawResult<Vec<u32>> {
        let mut out = Vec::new();
        decode_indices(bytes, count, &mut out)?;
        assert_eq!(out.len(), count);
        Ok(out)
    }

    #[test]
    fn empty_input_with_count_zero() {
        assert_eq!(indices(&[], 0).unwrap(), Vec::<u32>::new());
        assert!(indices(&[], 1).is_err());
    }

    #[test]
    fn one_value() {
        // Width 2; RLE run of 1 (0x02) of index 3.
        assert_eq!(indices(&[2, 0x02, 0x03], 1).unwrap(), vec![3]);
    }

    #[test]
    fn bit_width_zero_means_index_zero() {
        // Width 0; RLE run of 4 (0x08) with no value bytes.
        assert_eq!(indices(&[0, 0x08], 4).unwrap(), vec![0; 4]);
    }

    #[test]
    fn bit_width_over_thirty_two_is_rejected() {
        let err = indices(&[33, 0x02, 0, 0, 0, 0, 0], 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dictionary indices: bit width 33 exceeds 32"
        );
    }

    #[test]
    fn repeated_then_bit_packed_with_partial_group() {
        // Width 3; RLE run of 2 fives; one group of 0..=7 of which 3 are wanted.
        let bytes = [3, 0x04, 0x05, 0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010];
        assert_eq!(indices(&bytes, 5).unwrap(), vec![5, 5, 0, 1, 2]);
        for len in 0..4 {
            assert!(indices(&bytes[..len], 5).is_err(), "prefix {len}");
        }
    }

    #[test]
    fn out_of_range_index_is_named() {
        assert!(check_indices(&[0, 899, 5], 900).is_ok());
        assert!(check_indices(&[], 0).is_ok());
        let err = check_indices(&[1, 912, 1000], 900).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dictionary index 912 out of range (dictionary has 900 entries)"
        );
        assert!(check_indices(&[0], 0).is_err());
    }

    #[test]
    fn random_round_trip() {
        let mut rng = XorShift::new(31337);
        for round in 0..200 {
            let bit_width = (round % 33) as u8;
            let n = rng.below(200) as usize;
            let values: Vec<u32> = (0..n).map(|_| random_value(&mut rng, bit_width)).collect();
            let mut bytes = vec![bit_width];
            bytes.extend(encode_hybrid(&values, bit_width, &mut rng));
            assert_eq!(indices(&bytes, n).unwrap(), values, "round {round}");
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift::new(4242);
        for _ in 0..4000 {
            let len = rng.below(48) as usize;
            let mut bytes = rng.bytes(len);
            if let Some(first) = bytes.first_mut() {
                *first %= 40;
            }
            let count = rng.below(100) as usize;
            let mut out = Vec::new();
            if decode_indices(&bytes, count, &mut out).is_ok() {
                assert_eq!(out.len(), count);
                let _ = check_indices(&out, rng.below(50) as usize);
            }
        }
    }
}
