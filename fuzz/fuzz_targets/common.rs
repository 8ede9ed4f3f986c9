//! Shared by the fuzz targets: the parameters a decoder's caller would supply (a count, a bit
//! width, a physical type) are taken from the first bytes of the input, the rest is the body.

#![allow(dead_code)]

use labelcheck::decode::MAX_PAGE_VALUES;
use labelcheck::raw::metadata::physical_type_from_i32;
use labelcheck::value::Values;

const _: () = assert!(1 << 16 <= MAX_PAGE_VALUES);

/// Reads parameters from the front of a fuzz input; missing bytes read as zero, so every
/// input is usable.
pub struct Params<'a> {
    bytes: &'a [u8],
}

impl<'a> Params<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    pub fn u8(&mut self) -> u8 {
        let (&first, rest) = self.bytes.split_first().unwrap_or((&0, &[]));
        self.bytes = rest;
        first
    }

    /// `n` bytes little-endian (n <= 8).
    pub fn le(&mut self, n: usize) -> u64 {
        (0..n).fold(0u64, |acc, i| acc | (u64::from(self.u8()) << (8 * i)))
    }

    /// A value count, as the column decoder passes one, below 2^16. Four bytes: the first
    /// picks a bound 2^k (k <= 16), the next three give the count below it, so counts spread
    /// over orders of magnitude. The caller's own cap, [`MAX_PAGE_VALUES`] (2^24), is not
    /// reached here: counts in the millions reach no decoder code that smaller ones miss (the
    /// cap is `ChunkDecoder`'s check, fuzzed through `raw_file`), and inputs with them (each a
    /// buffer of 64 MiB under AddressSanitizer) took over the corpora in the first runs and
    /// slowed them to a few hundred runs a second.
    pub fn page_count(&mut self) -> usize {
        let bound = self.u8() % 17;
        let v = self.le(3) as usize;
        v & ((1 << bound) - 1)
    }

    /// A physical type with a type length (used by FIXED_LEN_BYTE_ARRAY only), as
    /// `Values::empty` receives them from the schema: any non-negative i32 clamps to usize.
    pub fn values(&mut self) -> Values {
        // The Thrift `Type` values are 0..=7, decoded as the footer's are.
        let physical =
            physical_type_from_i32(i32::from(self.u8() % 8)).expect("0..=7 are the physical types");
        // Mostly small widths; a set top bit asks for a large one.
        let raw = self.le(2) as usize;
        let type_length = if raw & 0x8000 != 0 {
            (raw & 0x7fff) << 16
        } else {
            raw
        };
        Values::empty(physical, type_length)
    }

    pub fn rest(self) -> &'a [u8] {
        self.bytes
    }
}
