//! The footer's Thrift `FileMetaData`, as `RawFile::open` hands it over.
#![no_main]

use labelcheck::raw::metadata::parse_file_metadata;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_file_metadata(data);
});
