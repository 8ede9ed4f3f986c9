//! The whole raw path on an in-memory file: the footer, the schema, then every column chunk
//! of every row group through `ColumnDecoder::decode`, with the CLI's default options.
#![no_main]

use std::sync::Arc;

use labelcheck::decode::ColumnDecoder;
use labelcheck::decode::DecodeOptions;
use labelcheck::raw::RawFile;
use labelcheck::source::InMemory;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = Arc::new(InMemory::new("fuzz.parquet", data.to_vec()));
    let Ok(file) = RawFile::open(source, DecodeOptions::default()) else {
        return;
    };
    let row_groups = file.metadata().row_groups.len();
    let leaves = file.leaves().len();
    for row_group in 0..row_groups {
        for leaf in 0..leaves {
            let _ = file.decode(row_group, leaf);
        }
    }
});
