//! The Thrift structs read outside the footer. The first byte picks the parser:
//! 0 `PageHeader`, 1 `OffsetIndex`, 2 `ColumnIndex` (modulo 3); the rest is its input.
#![no_main]

use labelcheck::raw::metadata::{parse_column_index, parse_offset_index, parse_page_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => {
            if let Ok((_, len)) = parse_page_header(bytes) {
                // The page body starts at `len`; the page iterator slices there.
                assert!(len <= bytes.len());
            }
        }
        1 => {
            let _ = parse_offset_index(bytes);
        }
        _ => {
            let _ = parse_column_index(bytes);
        }
    }
});
