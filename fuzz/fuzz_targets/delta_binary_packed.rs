//! DELTA_BINARY_PACKED, INT32 and INT64. Byte 0: low bit picks INT64; bytes 1-4: the count
//! (`common::Params::page_count`); the rest is the values section.
#![no_main]

use labelcheck::raw::delta_binary_packed::{decode_delta_i32, decode_delta_i64};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let wide = params.u8() & 1 == 1;
    let count = params.page_count();
    let body = params.rest();
    if wide {
        let mut out = Vec::new();
        if let Ok(used) = decode_delta_i64(body, count, &mut out) {
            assert!(used <= body.len());
            assert_eq!(out.len(), count);
        }
    } else {
        let mut out = Vec::new();
        if let Ok(used) = decode_delta_i32(body, count, &mut out) {
            assert!(used <= body.len());
            assert_eq!(out.len(), count);
        }
    }
});
