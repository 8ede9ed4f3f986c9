//! DELTA_LENGTH_BYTE_ARRAY. Bytes 0-3: the count (`common::Params::page_count`); the rest is the
//! values section.
#![no_main]

use labelcheck::raw::delta_length_byte_array::decode;
use labelcheck::value::ByteArrays;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let count = params.page_count();
    let body = params.rest();
    let mut out = ByteArrays::new();
    if let Ok(used) = decode(body, count, &mut out) {
        assert!(used <= body.len());
        assert_eq!(out.len(), count);
    }
});
