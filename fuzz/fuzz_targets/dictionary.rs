//! Dictionary-encoded data pages: indices decoded, checked against the dictionary, then looked up,
//! as `ChunkDecoder::decode_values` does. Bytes 0-1: dictionary entries; bytes 2-5: the count
//! (`common::Params::page_count`); the rest is the page body (bit width byte, then the hybrid).
#![no_main]

use labelcheck::raw::dictionary::{check_indices, decode_indices};
use labelcheck::value::Values;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let entries = params.le(2) as usize;
    let count = params.page_count();
    let body = params.rest();
    let mut indices = Vec::new();
    if decode_indices(body, count, &mut indices).is_err() {
        return;
    }
    assert_eq!(indices.len(), count);
    if check_indices(&indices, entries).is_err() {
        return;
    }
    let dictionary = Values::Int32((0..entries as i32).collect());
    let mut out = Values::Int32(Vec::new());
    out.extend_from_dictionary(&dictionary, &indices);
    assert_eq!(out.len(), count);
});
