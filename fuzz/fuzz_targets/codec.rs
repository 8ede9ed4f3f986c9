//! Page decompression. Byte 0: the codec's Thrift value (0-7 are the defined ones; 8-15 must
//! be refused); bytes 1-3: the declared uncompressed size, at most 1 MiB so the run measures
//! the decoders, not allocation; the rest is the compressed page.
#![no_main]

use labelcheck::raw::codec::decompress;
use labelcheck::format::Codec;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut params = common::Params::new(data);
    let codec = Codec::from_i32(i32::from(params.u8() % 16));
    let size = params.le(3) as usize % ((1 << 20) + 1);
    let input = params.rest();
    if let Ok(output) = decompress(codec, input, size) {
        assert_eq!(output.len(), size);
    }
});
