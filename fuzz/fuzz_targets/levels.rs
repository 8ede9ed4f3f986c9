//! Levels: the RLE/bit-packed hybrid and the deprecated BIT_PACKED encoding.
//! Byte 0: bit width in the low 6 bits (so widths above 32 are tried too), the top bit picks
//! BIT_PACKED; bytes 1-4: the value count (`common::Params::page_count`); the rest is the body.
#![no_main]

use labelcheck::raw::levels::{decode_bit_packed_legacy, decode_rle_hybrid};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let mode = params.u8();
    let bit_width = mode & 0x3f;
    let count = params.page_count();
    let body = params.rest();
    let mut out = Vec::new();
    if mode & 0x80 != 0 {
        if let Ok(used) = decode_bit_packed_legacy(body, bit_width, count, &mut out) {
            assert!(used <= body.len());
            assert_eq!(out.len(), count);
        }
    } else if decode_rle_hybrid(body, bit_width, count, &mut out).is_ok() {
        assert_eq!(out.len(), count);
        if bit_width < 32 {
            assert!(out.iter().all(|&v| v >> bit_width == 0));
        }
    }
});
