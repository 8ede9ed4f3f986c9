//! BYTE_STREAM_SPLIT. Byte 0: physical type; bytes 1-2: type length; bytes 3-6: the count
//! (`common::Params::page_count`); the rest is the whole page body.
#![no_main]

use labelcheck::raw::byte_stream_split::decode;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let mut out = params.values();
    let count = params.page_count();
    let body = params.rest();
    if let Ok(used) = decode(body, count, &mut out) {
        assert_eq!(used, body.len());
        assert_eq!(out.len(), count);
    }
});
