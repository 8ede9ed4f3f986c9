//! RLE-encoded BOOLEAN values (4-byte length prefix, hybrid at bit width 1).
//! Bytes 0-3: the count (`common::Params::page_count`); the rest is the values section.
#![no_main]

use labelcheck::raw::rle_boolean::decode_rle_booleans;
use labelcheck::value::Bitmap;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let count = params.page_count();
    let body = params.rest();
    let mut out = Bitmap::new();
    if let Ok(used) = decode_rle_booleans(body, count, &mut out) {
        assert!(used <= body.len());
        assert_eq!(out.len(), count);
    }
});
