//! DELTA_BYTE_ARRAY. Byte 0: physical type (BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY are the ones it
//! applies to; the others must be refused); bytes 1-2: type length; bytes 3-6: the count
//! (`common::Params::page_count`); the rest is the values section.
#![no_main]

use labelcheck::raw::delta_byte_array::decode;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let mut out = params.values();
    let count = params.page_count();
    let body = params.rest();
    if let Ok(used) = decode(body, count, &mut out) {
        assert!(used <= body.len());
        assert_eq!(out.len(), count);
    }
});
