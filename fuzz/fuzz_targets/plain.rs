//! PLAIN values (data pages and dictionary pages).
//! Byte 0: physical type; bytes 1-2: type length; bytes 3-6: the count, any non-negative i32,
//! since a dictionary page's `num_values` reaches `decode_plain` unbounded; the rest is the body.
#![no_main]

use labelcheck::raw::plain::decode_plain;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let mut out = params.values();
    let count = (params.le(4) & 0x7fff_ffff) as usize;
    let body = params.rest();
    if let Ok(used) = decode_plain(body, count, &mut out) {
        assert!(used <= body.len());
        assert_eq!(out.len(), count);
    }
});
